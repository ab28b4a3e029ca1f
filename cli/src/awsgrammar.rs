//! aws-cli's grammar for an operation's input, beside `--params`: one option per top-level
//! input member, named as aws-cli names it (`Bucket` → `--bucket`, `SSECustomerKey` →
//! `--sse-customer-key`), booleans as `--flag` / `--no-flag`, lists as several words, values
//! in shorthand or JSON, `file://` (text) and `fileb://` (bytes) read from files, a streaming
//! body as a path, the streaming output's file as a positional word; and the per-operation
//! options aws-cli adds: `--cli-input-json`, `--cli-input-yaml`, `--generate-cli-skeleton`.
//! Also the command names aws-cli gives services (`s3api`, `configservice`).
//!
//! What this builds is the same JSON `--params` takes, so one conversion
//! ([`crate::params::convert`]) reads both.

use sansboto_core::model::{Operation, ServiceModel, ShapeId, ShapeKind, ShapeRef};
use serde_json::{Map, Value as J};

use crate::output::Failure;
use crate::shorthand;

/// The service a command word names: aws-cli's renamed commands (`s3api`: the S3 API, whose
/// `s3` name aws-cli gives its high-level file commands; `configservice`: AWS Config;
/// `deploy`: CodeDeploy), else the word itself.
pub(crate) fn service_name(command: &str) -> &str {
    match command {
        "s3api" => "s3",
        "configservice" => "config",
        "deploy" => "codedeploy",
        other => other,
    }
}

/// The command names of [`service_name`] that are no service's own name (for completion and
/// did-you-mean).
pub(crate) const COMMAND_NAMES: &[&str] = &["s3api", "configservice", "deploy"];

/// botocore's `xform_name(name, '-')`: `SSECustomerKey` → `sse-customer-key`,
/// `ListObjectsV2` → `list-objects-v2`, `DBInstances` → `db-instances`.
pub(crate) fn kebab(name: &str) -> String {
    if name.contains('-') {
        return name.to_string();
    }
    if let Some((_, special)) = XFORM_SPECIAL_CASES.iter().find(|(n, _)| *n == name) {
        return special.to_string();
    }
    let chars: Vec<char> = name.chars().collect();
    // A plural acronym at the end (`…ARNs`) is one word.
    let mut plural_acronym = 0;
    if chars.last() == Some(&'s') {
        let caps = chars[..chars.len() - 1]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_uppercase())
            .count();
        if caps >= 2 {
            plural_acronym = caps + 1;
        }
    }
    let mut base: Vec<char> = chars[..chars.len() - plural_acronym].to_vec();
    if plural_acronym > 0 {
        base.push('-');
        base.extend(
            chars[chars.len() - plural_acronym..]
                .iter()
                .map(|c| c.to_ascii_lowercase()),
        );
    }
    // `(.)([A-Z][a-z]+)` → `\1-\2`, left to right without overlap.
    let mut first = Vec::with_capacity(base.len() + 8);
    let mut i = 0;
    while i < base.len() {
        let word_len =
            if i + 2 < base.len() + 1 && base.get(i + 1).is_some_and(char::is_ascii_uppercase) {
                base[i + 2..]
                    .iter()
                    .take_while(|c| c.is_ascii_lowercase())
                    .count()
            } else {
                0
            };
        if word_len > 0 {
            first.push(base[i]);
            first.push('-');
            first.extend_from_slice(&base[i + 1..i + 2 + word_len]);
            i += 2 + word_len;
        } else {
            first.push(base[i]);
            i += 1;
        }
    }
    // `([a-z0-9])([A-Z])` → `\1-\2`, then lower case.
    let mut out = String::with_capacity(first.len() + 8);
    let mut i = 0;
    while i < first.len() {
        let c = first[i];
        if (c.is_ascii_lowercase() || c.is_ascii_digit())
            && first.get(i + 1).is_some_and(char::is_ascii_uppercase)
        {
            out.push(c);
            out.push('-');
            out.push(first[i + 1]);
            i += 2;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out.to_lowercase()
}

/// Names botocore's `xform_name` does not derive by its rules but looks up (its prepopulated
/// cache, `-` entries): `DescribeCachediSCSIVolumes` is `describe-cached-iscsi-volumes`.
/// A test compares this with the pinned botocore's.
const XFORM_SPECIAL_CASES: &[(&str, &str)] = &[
    ("CreateCachediSCSIVolume", "create-cached-iscsi-volume"),
    (
        "DescribeCachediSCSIVolumes",
        "describe-cached-iscsi-volumes",
    ),
    (
        "DescribeStorediSCSIVolumes",
        "describe-stored-iscsi-volumes",
    ),
    ("CreateStorediSCSIVolume", "create-stored-iscsi-volume"),
    (
        "ListHITsForQualificationType",
        "list-hits-for-qualification-type",
    ),
    ("ExecutePartiQLStatement", "execute-partiql-statement"),
    ("ExecutePartiQLTransaction", "execute-partiql-transaction"),
    ("ExecutePartiQLBatch", "execute-partiql-batch"),
    ("CreateOAuth2Token", "create-oauth2-token"),
    ("CreateOAuth2TokenWithIAM", "create-oauth2-token-with-iam"),
    (
        "IntrospectOAuth2TokenWithIAM",
        "introspect-oauth2-token-with-iam",
    ),
    ("RevokeOAuth2TokenWithIAM", "revoke-oauth2-token-with-iam"),
    (
        "AssociateWhatsAppBusinessAccount",
        "associate-whatsapp-business-account",
    ),
    ("CreateWhatsAppDataset", "create-whatsapp-dataset"),
    ("CreateWhatsAppFlow", "create-whatsapp-flow"),
    (
        "CreateWhatsAppMessageTemplate",
        "create-whatsapp-message-template",
    ),
    (
        "CreateWhatsAppMessageTemplateFromLibrary",
        "create-whatsapp-message-template-from-library",
    ),
    (
        "CreateWhatsAppMessageTemplateMedia",
        "create-whatsapp-message-template-media",
    ),
    ("DeleteWhatsAppFlow", "delete-whatsapp-flow"),
    (
        "DeleteWhatsAppMessageMedia",
        "delete-whatsapp-message-media",
    ),
    (
        "DeleteWhatsAppMessageTemplate",
        "delete-whatsapp-message-template",
    ),
    ("DeprecateWhatsAppFlow", "deprecate-whatsapp-flow"),
    (
        "DisassociateWhatsAppBusinessAccount",
        "disassociate-whatsapp-business-account",
    ),
    (
        "GetLinkedWhatsAppBusinessAccount",
        "get-linked-whatsapp-business-account",
    ),
    (
        "GetLinkedWhatsAppBusinessAccountPhoneNumber",
        "get-linked-whatsapp-business-account-phone-number",
    ),
    ("GetOTelEnrichment", "get-otel-enrichment"),
    (
        "GetWhatsAppBusinessPublicKey",
        "get-whatsapp-business-public-key",
    ),
    ("GetWhatsAppCallPermission", "get-whatsapp-call-permission"),
    ("GetWhatsAppFlow", "get-whatsapp-flow"),
    ("GetWhatsAppFlowPreview", "get-whatsapp-flow-preview"),
    ("GetWhatsAppMessageMedia", "get-whatsapp-message-media"),
    (
        "GetWhatsAppMessageTemplate",
        "get-whatsapp-message-template",
    ),
    (
        "ListLinkedWhatsAppBusinessAccounts",
        "list-linked-whatsapp-business-accounts",
    ),
    ("ListWhatsAppFlowAssets", "list-whatsapp-flow-assets"),
    ("ListWhatsAppFlows", "list-whatsapp-flows"),
    (
        "ListWhatsAppMessageTemplates",
        "list-whatsapp-message-templates",
    ),
    (
        "ListWhatsAppTemplateLibrary",
        "list-whatsapp-template-library",
    ),
    ("PostWhatsAppMessageMedia", "post-whatsapp-message-media"),
    ("PublishWhatsAppFlow", "publish-whatsapp-flow"),
    (
        "PutWhatsAppBusinessPublicKey",
        "put-whatsapp-business-public-key",
    ),
    (
        "PutWhatsAppBusinessAccountEventDestinations",
        "put-whatsapp-business-account-event-destinations",
    ),
    (
        "SendWhatsAppConversionEvent",
        "send-whatsapp-conversion-event",
    ),
    ("SendWhatsAppMessage", "send-whatsapp-message"),
    ("SendWhatsAppCallEvent", "send-whatsapp-call-event"),
    ("StartOTelEnrichment", "start-otel-enrichment"),
    ("StopOTelEnrichment", "stop-otel-enrichment"),
    ("UpdateOTelEnrichment", "update-otel-enrichment"),
    ("UpdateWhatsAppFlow", "update-whatsapp-flow"),
    ("UpdateWhatsAppFlowAssets", "update-whatsapp-flow-assets"),
    (
        "UpdateLinkedWhatsAppBusinessAccountPhoneNumber",
        "update-linked-whatsapp-business-account-phone-number",
    ),
    (
        "UpdateWhatsAppMessageTemplate",
        "update-whatsapp-message-template",
    ),
];

/// A value read from a file when it names one: `file://PATH` the text, `fileb://PATH` the
/// bytes (as `{"base64": …}`); `None` when the value is no file reference. `~` and `$VAR` are
/// expanded as aws-cli expands them. (`http://` and `https://` values are taken as they are:
/// this command fetches nothing on its own, as aws-cli v2 does.)
pub(crate) fn read_param_file(value: &str) -> Result<Option<J>, String> {
    let (path, binary) = if let Some(p) = value.strip_prefix("fileb://") {
        (p, true)
    } else if let Some(p) = value.strip_prefix("file://") {
        (p, false)
    } else {
        return Ok(None);
    };
    let path = expand_path(path);
    let bytes =
        std::fs::read(&path).map_err(|e| format!("Unable to load paramfile {value}: {e}"))?;
    if binary {
        return Ok(Some(shorthand::bytes_value(&bytes)));
    }
    String::from_utf8(bytes)
        .map(|t| Some(J::String(t)))
        .map_err(|_| {
            format!(
                "Unable to load paramfile ({value}), text contents could not be decoded.  If this \
             is a binary file, please use the fileb:// prefix instead of the file:// prefix."
            )
        })
}

fn expand_path(path: &str) -> String {
    let mut out = match path.strip_prefix('~') {
        // Python's `expanduser`: `HOME`, else the password database's home directory (what
        // `std::env::home_dir` does on Unix); a path left as it is when neither gives one.
        Some(rest) if rest.is_empty() || rest.starts_with('/') => match std::env::home_dir() {
            Some(home) => format!("{}{rest}", home.to_string_lossy()),
            None => path.to_string(),
        },
        _ => path.to_string(),
    };
    // `$VAR` and `${VAR}`; unknown variables stay as written (Python's expandvars).
    let mut i = 0;
    while let Some(offset) = out[i..].find('$') {
        let at = i + offset;
        let rest = &out[at + 1..];
        let (name, len) = if let Some(inner) = rest.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => (&inner[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (&rest[..end], end)
        };
        match (len > 0 && !name.is_empty())
            .then(|| std::env::var(name).ok())
            .flatten()
        {
            Some(value) => {
                out.replace_range(at..at + 1 + len, &value);
                i = at + value.len();
            }
            None => i = at + 1,
        }
    }
    out
}

/// What `--generate-cli-skeleton` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skeleton {
    /// `input` (the default): the input with placeholder values, to fill in.
    Input,
    /// `output`: the output's members, each string its member's name.
    Output,
}

/// An operation's options read with its model.
#[derive(Debug, Default)]
pub(crate) struct OperationArgs {
    /// The members given as options, as `--params` JSON, in the model's order.
    pub params: Map<String, J>,
    /// `--cli-input-json` / `--cli-input-yaml`: the whole input, under the options.
    pub input: Option<Map<String, J>>,
    /// The positional file of an operation with a streaming output (`get-object … FILE`).
    pub outfile: Option<String>,
    /// `--generate-cli-skeleton`.
    pub skeleton: Option<Skeleton>,
    /// A paginator's input token was given by hand (`--continuation-token`): as aws-cli does,
    /// the call is then one page, not paginated.
    pub manual_paging: bool,
    /// aws-cli's pagination options reached by an abbreviation (`--page-siz 2`): the option
    /// ([`crate::args::PAGINATION`]'s name) and its value, for the call's options.
    pub pagination: Vec<(&'static str, String)>,
    /// What an added option leaves for after the call (`crate::addedargs::AfterCall`).
    pub after_call: Option<crate::addedargs::AfterCall>,
}

/// One option of an operation made from a top-level input member: aws-cli's name for it (a
/// boolean has two, `--flag` and `--no-flag`), after aws-cli's renames and with its hidden
/// aliases ([`crate::argrename`]).
#[derive(Debug, Clone)]
pub(crate) struct MemberOption<'m> {
    /// The option's name, without `--`.
    pub name: String,
    /// The member it gives.
    pub member: &'m String,
    /// The member's shape.
    pub shape: &'m ShapeRef,
    /// For a boolean member, the value this option sets (`--no-…`: false).
    pub flag: Option<bool>,
    /// Shown in help and completion (a hidden alias is not, nor a member aws-cli's own
    /// options stand for).
    pub documented: bool,
    /// A hidden alias (aws-cli appends those to its parser, after every member's option).
    pub alias: bool,
}

/// The member options of `op` of `service` (the model's name), in the model's member order.
pub(crate) fn member_options<'m>(
    model: &'m ServiceModel,
    service: &str,
    op: &'m Operation,
) -> Vec<MemberOption<'m>> {
    let mut options = Vec::new();
    let members = op
        .input
        .as_ref()
        .and_then(|r| model.shape(r.shape).as_structure())
        .into_iter()
        .flat_map(|s| s.members.iter());
    for (member, shape) in members {
        let name = kebab(member);
        let boolean = matches!(model.shape(shape.shape).kind, ShapeKind::Boolean);
        let option = |name: String, flag: Option<bool>| MemberOption {
            name,
            member,
            shape,
            flag,
            documented: true,
            alias: false,
        };
        if boolean {
            options.push(option(name.clone(), Some(true)));
            options.push(option(format!("no-{name}"), Some(false)));
        } else {
            options.push(option(name, None));
        }
    }
    // The table's order is the order aws-cli hands botocore the members in (serializers that
    // keep it, query bodies and JSON, show it): a renamed option moves to the end, as aws-cli
    // re-adds it, except a boolean's negation, whose member its positive option still gives.
    let operation = kebab(&op.name);
    let customized = crate::addedargs::renames(service, &op.name).iter().copied();
    for (original, new) in crate::argrename::renames(service, &operation).chain(customized) {
        if let Some(at) = options.iter().position(|o| o.name == original) {
            if options[at].flag.is_some() {
                options[at].name = new.to_string();
            } else {
                let mut option = options.remove(at);
                option.name = new.to_string();
                options.push(option);
            }
        }
    }
    if let Some(command) = crate::ec2args::command(service, &op.name) {
        // As aws-cli shows them: `run-instances`' `--count` for both count members, a
        // security group rule's scalar members hidden behind its own options.
        for option in &mut options {
            command.relabel(&mut option.name, &mut option.documented);
        }
    }
    for (original, alias) in crate::argrename::hidden_aliases(service, &operation) {
        if let Some(option) = options.iter().find(|o| o.name == original) {
            let mut hidden = option.clone();
            hidden.name = alias.to_string();
            hidden.documented = false;
            hidden.alias = true;
            options.push(hidden);
        }
    }
    options
}

/// The names aws-cli's parser of this operation holds, in its order (the order an ambiguous
/// abbreviation lists them in): the members' options with renamed ones moved last (as aws-cli
/// re-adds them, a boolean's negation too), hidden aliases, `--cli-input-json`, a paginated
/// operation's pagination options, `--generate-cli-skeleton` (the two aws-cli gives no
/// operation with a streaming output). This command's `--cli-input-yaml`, which aws-cli v1
/// lacks, is read only by its full name.
fn parser_names<'t>(
    table: &'t [MemberOption<'_>],
    service: &str,
    op: &Operation,
    streaming_output: bool,
    paginated: bool,
    limit_key: bool,
) -> Vec<&'t str> {
    // (A member hidden behind aws-cli's own options keeps its place, as aws-cli only stops
    // documenting it.)
    let mut names: Vec<&str> = table
        .iter()
        .filter(|o| !o.alias)
        .map(|o| o.name.as_str())
        .collect();
    let operation = kebab(&op.name);
    for (_, new) in crate::argrename::renames(service, &operation) {
        if let Some(at) = names.iter().position(|n| *n == new) {
            let name = names.remove(at);
            names.push(name);
        }
    }
    names.extend(table.iter().filter(|o| o.alias).map(|o| o.name.as_str()));
    if !streaming_output {
        names.push("cli-input-json");
    }
    if paginated {
        for name in crate::args::PAGINATION {
            // `--page-size` sets the paginator's limit key: none, no option.
            if !names.contains(&name) && (limit_key || name != "page-size") {
                names.push(name);
            }
        }
    }
    if !streaming_output {
        names.push("generate-cli-skeleton");
    }
    names
}

/// Read `args` (the words after the operation that are not the command's own options) for
/// `op` of `service` (the model's name). `input_tokens` are the operation's paginator input
/// tokens and its limit key (given by hand, they turn pagination off); `limit_key`, whether its
/// paginator has a page size.
pub(crate) fn parse(
    model: &ServiceModel,
    service: &str,
    op: &Operation,
    args: &[String],
    input_tokens: &[String],
    limit_key: bool,
) -> Result<OperationArgs, Failure> {
    let mut table = member_options(model, service, op);
    // aws-cli's own options of some EC2 commands (`run-instances --count`, a security group
    // rule's `--protocol`, …: `crate::ec2args`).
    let ec2_command = crate::ec2args::command(service, &op.name);
    let mut added = crate::ec2args::AddedOptions::default();
    if let Some(command) = ec2_command {
        // An added option (`run-instances`' `--count`) is read as aws-cli reads it (below), not
        // as a member's.
        table.retain(|o| !command.added().contains(&o.name.as_str()));
    }
    // aws-cli's options added to other services' commands (Lambda's `--zip-file`,
    // CloudFront's `--paths`: `crate::addedargs`), with the words given to each.
    let extra = crate::addedargs::options(service, &op.name);
    let mut extra_given: Vec<(&'static str, Vec<String>)> = Vec::new();
    let streaming_output =
        crate::output::streaming_output(model, op.output.as_ref().map(|r| r.shape))
            .is_some_and(|s| !s.event_stream);
    let mut out = OperationArgs::default();
    let paginated = !input_tokens.is_empty();
    // Abbreviations (`--buck`) to full names first: whether a word is an option does not
    // depend on where it stands.
    let mut names = parser_names(&table, service, op, streaming_output, paginated, limit_key);
    if let Some(command) = ec2_command {
        // Appended to the argument table after the members' options, as aws-cli appends them.
        let at = names
            .iter()
            .position(|n| *n == "cli-input-json")
            .unwrap_or(names.len());
        names.splice(at..at, command.added().iter().copied());
    }
    if !extra.is_empty() {
        let at = names
            .iter()
            .position(|n| *n == "cli-input-json")
            .unwrap_or(names.len());
        names.splice(at..at, extra.iter().map(|o| o.name));
    }
    let args: Vec<String> = args
        .iter()
        .map(|arg| {
            crate::abbrev::expand(arg, names.iter().copied())
                .map(|full| full.unwrap_or_else(|| arg.clone()))
        })
        .collect::<Result<_, _>>()
        .map_err(Failure::Usage)?;
    let mut positional = Vec::new();
    let mut unknown = Vec::new();
    // Each given member's place in the table.
    let mut positions: std::collections::HashMap<String, usize> = Default::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        let Some(stripped) = arg.strip_prefix("--") else {
            positional.push(arg.clone());
            continue;
        };
        let (name, inline) = match stripped.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (stripped, None),
        };
        // The words that follow, up to the next option.
        let mut following = |max: usize| -> Vec<String> {
            let mut values = Vec::new();
            while values.len() < max && i < args.len() && !args[i].starts_with("--") {
                values.push(args[i].clone());
                i += 1;
            }
            values
        };
        let one = |values: Vec<String>, option: &str| -> Result<String, Failure> {
            values.into_iter().next().ok_or_else(|| {
                Failure::Usage(format!("argument --{option}: expected one argument"))
            })
        };
        match name {
            "cli-input-json" | "cli-input-yaml" if !streaming_output => {
                let text = match inline {
                    Some(v) => v,
                    None => one(following(1), name)?,
                };
                if out.input.is_some() {
                    return Err(Failure::Usage(
                        "--cli-input-json and --cli-input-yaml cannot both be given".into(),
                    ));
                }
                out.input = Some(read_input(name, &text)?);
                continue;
            }
            "generate-cli-skeleton" if !streaming_output => {
                let value = match inline {
                    Some(v) => Some(v),
                    None => following(1).into_iter().next(),
                };
                out.skeleton = Some(match value.as_deref() {
                    None | Some("input") => Skeleton::Input,
                    Some("output") => Skeleton::Output,
                    Some(other) => {
                        return Err(Failure::Usage(format!(
                            "argument --generate-cli-skeleton: invalid choice: '{other}' \
                             (choose from 'input', 'output')"
                        )))
                    }
                });
                continue;
            }
            _ => {}
        }
        if let Some(option) = extra.iter().find(|o| o.name == name) {
            let words = match inline {
                Some(v) => vec![v],
                None if option.many => following(usize::MAX),
                None => following(1),
            };
            if words.is_empty() {
                let expected = if option.many {
                    "at least one argument"
                } else {
                    "one argument"
                };
                return Err(Failure::Usage(format!(
                    "argument --{name}: expected {expected}"
                )));
            }
            extra_given.retain(|(n, _)| *n != option.name);
            extra_given.push((option.name, words));
            continue;
        }
        if let Some(command) = ec2_command.filter(|c| c.added().contains(&name)) {
            let words = match (command.arity(name), inline) {
                (Some(0), Some(v)) => {
                    return Err(Failure::Usage(format!(
                        "argument --{name}: ignored explicit argument '{v}'"
                    )))
                }
                (_, Some(v)) => vec![v],
                (Some(n), None) => following(n),
                (None, None) => following(usize::MAX),
            };
            added.set(command, name, words)?;
            continue;
        }
        let Some((position, option)) = table.iter().enumerate().find(|(_, o)| o.name == name)
        else {
            if let Some(option) = crate::args::PAGINATION
                .into_iter()
                .find(|p| names.contains(p) && *p == name)
            {
                let value = match inline {
                    Some(v) => v,
                    None => one(following(1), name)?,
                };
                out.pagination.push((option, value));
                continue;
            }
            unknown.push(format!("--{name}"));
            // Its words are not positional either.
            following(usize::MAX);
            continue;
        };
        let (cli, member_name, member) = (option.name.as_str(), option.member, option.shape);
        let value = match option.flag {
            Some(flag) => {
                if inline.is_some() {
                    return Err(Failure::Usage(format!(
                        "argument --{name}: ignored explicit argument '{}'",
                        inline.unwrap_or_default()
                    )));
                }
                J::Bool(flag)
            }
            None if matches!(model.shape(member.shape).kind, ShapeKind::List(_)) => {
                let values = match inline {
                    Some(v) => vec![v],
                    None => following(usize::MAX),
                };
                unpack_list(model, member, values, cli)?
            }
            None => {
                let value = match inline {
                    Some(v) => v,
                    None => one(following(1), cli)?,
                };
                unpack_one(model, member, value, cli)?
            }
        };
        if input_tokens.iter().any(|t| t == member_name) {
            out.manual_paging = true;
        }
        out.params.insert(member_name.clone(), value);
        positions.insert(member_name.clone(), position);
    }
    // aws-cli hands botocore the members in its table's order (the model's, renamed options
    // last), whatever the command line's; serializers that keep the given order (query
    // bodies, headers) then match.
    let mut given: Vec<(String, J)> = std::mem::take(&mut out.params).into_iter().collect();
    given.sort_by_key(|(name, _)| positions.get(name).copied());
    out.params = given.into_iter().collect();
    let mut positional = positional.into_iter();
    if streaming_output {
        out.outfile = positional.next();
    }
    unknown.extend(positional);
    if !unknown.is_empty() {
        let mut message = format!("Unknown options: {}", unknown.join(", "));
        if let Some(first) = unknown.first().and_then(|u| u.strip_prefix("--")) {
            let names: Vec<&String> = table
                .iter()
                .filter(|o| o.documented)
                .map(|o| &o.name)
                .collect();
            if let Some(near) = sansboto_core::nearest(first, names.iter().copied()) {
                message.push_str(&format!(" (did you mean --{near}?)"));
            }
        }
        return Err(Failure::Usage(message));
    }
    if let Some(command) = ec2_command {
        added.apply(command, &mut out.params)?;
    }
    out.after_call = crate::addedargs::after_call(service, &op.name, &extra_given)?;
    crate::addedargs::apply(service, &op.name, extra_given, &mut out.params)?;
    Ok(out)
}

fn read_input(option: &str, text: &str) -> Result<Map<String, J>, Failure> {
    let text = match read_param_file(text).map_err(|e| param_error(option, &e))? {
        Some(J::String(t)) => t,
        Some(_) => {
            return Err(param_error(
                option,
                "use file:// for an input document, not fileb://",
            ))
        }
        None => text.to_string(),
    };
    let parsed: Result<J, String> = if option == "cli-input-yaml" {
        crate::yaml::parse(&text)
    } else {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    };
    match parsed {
        Ok(J::Object(map)) => Ok(map),
        Ok(_) => Err(param_error(
            option,
            "the input must be an object of parameters",
        )),
        Err(e) => Err(param_error(option, &format!("Invalid input: {e}"))),
    }
}

fn param_error(option: &str, message: &str) -> Failure {
    Failure::param_validation(format!("Error parsing parameter '--{option}': {message}"))
}

fn starts_json(text: &str, open: char) -> bool {
    text.trim_start().starts_with(open)
}

fn is_document(model: &ServiceModel, id: ShapeId) -> bool {
    matches!(&model.shape(id).kind, ShapeKind::Structure(s) if s.document)
}

/// A value that shorthand may spell: a structure, a map, or a list of those (not of scalars),
/// and no document anywhere at the top.
fn supports_shorthand(model: &ServiceModel, id: ShapeId) -> bool {
    let complex = |id: ShapeId| {
        matches!(
            model.shape(id).kind,
            ShapeKind::Structure(_) | ShapeKind::List(_) | ShapeKind::Map { .. }
        )
    };
    let document_container = match &model.shape(id).kind {
        ShapeKind::List(item) => is_document(model, item.shape),
        ShapeKind::Map { value, .. } => is_document(model, value.shape),
        _ => is_document(model, id),
    };
    if document_container {
        return false;
    }
    match &model.shape(id).kind {
        ShapeKind::List(item) => complex(item.shape),
        _ => complex(id),
    }
}

fn json(text: &str, cli: &str) -> Result<J, Failure> {
    serde_json::from_str(text)
        .map_err(|e| param_error(cli, &format!("Invalid JSON: {e}\nJSON received: {text}")))
}

/// A file reference's content (text as a string, bytes as `{"base64": …}`), or the value.
pub(crate) fn load(value: String, cli: &str) -> Result<J, Failure> {
    Ok(read_param_file(&value)
        .map_err(|e| param_error(cli, &e))?
        .unwrap_or(J::String(value)))
}

fn shorthand_value(model: &ServiceModel, id: ShapeId, text: &str, cli: &str) -> Result<J, Failure> {
    let mut value = shorthand::parse(text).map_err(|e| param_error(cli, &e.0))?;
    shorthand::apply_model(model, id, &mut value).map_err(|e| param_error(cli, &e))?;
    Ok(value)
}

/// One option value for a member that is not a list.
pub(crate) fn unpack_one(
    model: &ServiceModel,
    member: &ShapeRef,
    raw: String,
    cli: &str,
) -> Result<J, Failure> {
    let streaming = member.streaming || model.shape(member.shape).streaming;
    if streaming && matches!(model.shape(member.shape).kind, ShapeKind::Blob) {
        // aws-cli reads a streaming body from a path (not a file:// reference); a fileb://
        // prefix is tolerated as the same path.
        let path = expand_path(raw.strip_prefix("fileb://").unwrap_or(&raw));
        if !std::path::Path::new(&path).is_file() {
            return Err(param_error(cli, "Blob values must be a path to a file."));
        }
        return Ok(J::String(format!("file://{path}")));
    }
    match load(raw, cli)? {
        J::String(text) => unpack_text(model, member.shape, member.jsonvalue, text, cli),
        bytes => Ok(bytes),
    }
}

fn unpack_text(
    model: &ServiceModel,
    id: ShapeId,
    jsonvalue: bool,
    text: String,
    cli: &str,
) -> Result<J, Failure> {
    let shape = model.shape(id);
    if jsonvalue || is_document(model, id) {
        return json(&text, cli);
    }
    match &shape.kind {
        ShapeKind::Structure(_) | ShapeKind::Map { .. } => {
            if starts_json(&text, '{') {
                json(&text, cli)
            } else if supports_shorthand(model, id) {
                // aws-cli's one-`Value` structure: `--x shutdown` is `{"Value": "shutdown"}`.
                if let ShapeKind::Structure(s) = &shape.kind {
                    if s.members.len() == 1
                        && !text.contains('=')
                        && s.members
                            .get("Value")
                            .is_some_and(|v| matches!(model.shape(v.shape).kind, ShapeKind::String))
                    {
                        return Ok(serde_json::json!({"Value": text}));
                    }
                }
                shorthand_value(model, id, &text, cli)
            } else {
                Err(param_error(cli, &format!("Invalid JSON:\n{text}")))
            }
        }
        ShapeKind::List(_) => unpack_list_values(model, id, vec![text], cli),
        _ => scalar(model, id, text, cli),
    }
}

fn unpack_list(
    model: &ServiceModel,
    member: &ShapeRef,
    values: Vec<String>,
    cli: &str,
) -> Result<J, Failure> {
    // A single file reference holds the whole list.
    if let [only] = values.as_slice() {
        if let Some(content) = read_param_file(only).map_err(|e| param_error(cli, &e))? {
            return match content {
                J::String(text) => unpack_list_values(model, member.shape, vec![text], cli),
                bytes => Ok(J::Array(vec![bytes])),
            };
        }
    }
    unpack_list_values(model, member.shape, values, cli)
}

fn unpack_list_values(
    model: &ServiceModel,
    id: ShapeId,
    values: Vec<String>,
    cli: &str,
) -> Result<J, Failure> {
    let ShapeKind::List(item) = &model.shape(id).kind else {
        return Ok(J::Null);
    };
    if let [only] = values.as_slice() {
        if starts_json(only, '[') {
            return json(only, cli);
        }
    }
    if supports_shorthand(model, id) {
        return values
            .iter()
            .map(|v| {
                if starts_json(v, '{') {
                    json(v, cli)
                } else {
                    shorthand_value(model, item.shape, v, cli)
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(J::Array);
    }
    values
        .into_iter()
        .map(|v| unpack_text(model, item.shape, false, v, cli))
        .collect::<Result<Vec<_>, _>>()
        .map(J::Array)
}

/// A scalar from its text, as aws-cli reads it: numbers parsed, `false` (any case) false and
/// any other boolean text true, everything else (strings, timestamps, blobs) as written.
fn scalar(model: &ServiceModel, id: ShapeId, text: String, cli: &str) -> Result<J, Failure> {
    Ok(match model.shape(id).kind {
        ShapeKind::Byte | ShapeKind::Short | ShapeKind::Integer | ShapeKind::Long => {
            shorthand::int_value(&text).map_err(|e| param_error(cli, &e))?
        }
        ShapeKind::Float | ShapeKind::Double => {
            shorthand::float_value(&text).map_err(|e| param_error(cli, &e))?
        }
        ShapeKind::Boolean => J::Bool(!text.eq_ignore_ascii_case("false") && !text.is_empty()),
        _ => J::String(text),
    })
}

/// botocore's sample input (or, with `member_names`, output) for a shape: strings empty (or
/// their member's name), numbers 0, booleans true, one list item, one `KeyName` map entry,
/// a structure already being described empty. An enum string takes its first value (botocore
/// picks one at random).
pub(crate) fn skeleton(model: &ServiceModel, id: ShapeId, member_names: bool) -> J {
    fn walk(
        model: &ServiceModel,
        id: ShapeId,
        name: &str,
        member_names: bool,
        stack: &mut Vec<ShapeId>,
    ) -> J {
        let shape = model.shape(id);
        stack.push(id);
        let value = match &shape.kind {
            ShapeKind::Structure(s) => {
                if stack.iter().filter(|s| **s == id).count() > 1 {
                    J::Object(Map::new())
                } else {
                    J::Object(
                        s.members
                            .iter()
                            .map(|(n, m)| (n.clone(), walk(model, m.shape, n, member_names, stack)))
                            .collect(),
                    )
                }
            }
            ShapeKind::List(item) => {
                let item_name = if member_names {
                    model.shape(item.shape).name.clone()
                } else {
                    String::new()
                };
                J::Array(vec![walk(
                    model,
                    item.shape,
                    &item_name,
                    member_names,
                    stack,
                )])
            }
            ShapeKind::Map { value, .. } => {
                let mut map = Map::new();
                map.insert(
                    "KeyName".into(),
                    walk(model, value.shape, "", member_names, stack),
                );
                J::Object(map)
            }
            ShapeKind::String if member_names => J::String(name.to_string()),
            ShapeKind::String => J::String(
                shape
                    .enum_values
                    .as_ref()
                    .and_then(|v| v.first().cloned())
                    .unwrap_or_default(),
            ),
            ShapeKind::Integer | ShapeKind::Long => J::from(0),
            ShapeKind::Float | ShapeKind::Double => J::from(0.0),
            ShapeKind::Boolean => J::Bool(true),
            ShapeKind::Timestamp => J::String("1970-01-01T00:00:00".into()),
            _ => J::Null,
        };
        stack.pop();
        value
    }
    walk(model, id, "", member_names, &mut Vec::new())
}

/// JSON indented by four spaces, as aws-cli prints a skeleton.
pub(crate) fn pretty4(json: &J) -> String {
    use serde::Serialize;
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    match json.serialize(&mut ser) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => json.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_names_as_botocore_makes_them() {
        for (name, want) in [
            ("Bucket", "bucket"),
            ("SSECustomerKey", "sse-customer-key"),
            ("ListObjectsV2", "list-objects-v2"),
            ("DBInstanceIdentifier", "db-instance-identifier"),
            ("ContentMD5", "content-md5"),
            ("ExpectedBucketOwner", "expected-bucket-owner"),
            ("MaxResults", "max-results"),
            ("ResourceARNs", "resource-arns"),
            ("VpcIds", "vpc-ids"),
            ("already-kebab", "already-kebab"),
            ("IPv6Address", "i-pv6-address"),
            ("S3Key", "s3-key"),
        ] {
            assert_eq!(kebab(name), want, "{name}");
        }
    }

    #[test]
    fn special_cases_are_botocores() {
        let theirs = sansboto_tests::botocore::run(
            "emit(sorted([n, v] for (n, s), v in botocore._xform_cache.items() if s == '-'))",
            &[],
        );
        let mut ours: Vec<[&str; 2]> = XFORM_SPECIAL_CASES.iter().map(|(n, v)| [*n, *v]).collect();
        ours.sort_unstable();
        assert!(ours.len() > 10);
        assert_eq!(serde_json::json!(ours), theirs);
    }

    /// Every input member name and operation name of every service, named as botocore's
    /// `xform_name` names it.
    #[test]
    fn kebab_matches_botocore_for_every_input_member() {
        let session = sansboto_host::core_session(None).unwrap();
        let mut names: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        for service in session.services().unwrap() {
            let model = session.model(&service, None).unwrap();
            for op in model.operation_names() {
                names.insert(op.to_string());
                let Some(input) = model.operation(op).and_then(|o| o.input.as_ref()) else {
                    continue;
                };
                if let Some(s) = model.shape(input.shape).as_structure() {
                    names.extend(s.members.keys().cloned());
                }
            }
        }
        assert!(names.len() > 10_000, "{} names", names.len());
        let file = std::env::temp_dir().join(format!("sansboto-kebab-{}.json", std::process::id()));
        std::fs::write(&file, serde_json::to_string(&names).unwrap()).unwrap();
        let theirs = sansboto_tests::botocore::run(
            &format!(
                "names = json.load(open({:?}))\nemit([botocore.xform_name(n, '-') for n in names])",
                file.display().to_string()
            ),
            &[],
        );
        std::fs::remove_file(&file).unwrap();
        let theirs = theirs.as_array().unwrap();
        let mismatches: Vec<String> = names
            .iter()
            .zip(theirs)
            .filter(|(name, want)| want.as_str() != Some(kebab(name).as_str()))
            .map(|(name, want)| format!("{name}: {} vs {want}", kebab(name)))
            .collect();
        assert!(mismatches.is_empty(), "{mismatches:?}");
    }

    #[test]
    fn paths_expand_home_and_variables() {
        std::env::set_var("SANSBOTO_TEST_EXPAND", "x/y");
        assert_eq!(expand_path("$SANSBOTO_TEST_EXPAND/f"), "x/y/f");
        assert_eq!(expand_path("${SANSBOTO_TEST_EXPAND}/f"), "x/y/f");
        assert_eq!(
            expand_path("$SANSBOTO_NOT_SET_ANYWHERE/f"),
            "$SANSBOTO_NOT_SET_ANYWHERE/f"
        );
        assert_eq!(expand_path("plain"), "plain");
    }

    #[test]
    fn service_command_names() {
        assert_eq!(service_name("s3api"), "s3");
        assert_eq!(service_name("configservice"), "config");
        assert_eq!(service_name("deploy"), "codedeploy");
        for command in COMMAND_NAMES {
            assert_ne!(service_name(command), *command);
        }
        assert_eq!(service_name("ec2"), "ec2");
    }

    /// Each operation's option names in the order aws-cli's parser holds them (the order of
    /// an ambiguous abbreviation's candidates): renames, booleans, hidden aliases, pagination
    /// and a streaming output's operation among them.
    #[test]
    fn parser_names_are_aws_clis_in_its_order() {
        let cases = [
            ("ec2", "CreateNetworkAclEntry", "create-network-acl-entry"),
            ("iam", "EnableMFADevice", "enable-mfa-device"),
            ("storagegateway", "DescribeTapes", "describe-tapes"),
            ("s3", "ListObjectsV2", "list-objects-v2"),
            ("s3", "GetObject", "get-object"),
            ("sns", "Subscribe", "subscribe"),
            (
                "codedeploy",
                "ListApplicationRevisions",
                "list-application-revisions",
            ),
        ];
        let session = sansboto_host::core_session(None).unwrap();
        let mut ours = Vec::new();
        for (service, operation, _) in cases {
            let model = session.model(service, None).unwrap();
            let op = model.operation(operation).unwrap();
            let streaming =
                crate::output::streaming_output(&model, op.output.as_ref().map(|r| r.shape))
                    .is_some_and(|s| !s.event_stream);
            let paginator = session.paginators(service).ok();
            let config = paginator.as_ref().and_then(|p| p.get(operation));
            let paginated = config.is_some();
            let limit_key = config.is_some_and(|c| c.limit_key().is_some());
            let table = member_options(&model, service, op);
            let names: Vec<String> =
                parser_names(&table, service, op, streaming, paginated, limit_key)
                    .into_iter()
                    .map(String::from)
                    .collect();
            ours.push(names);
        }
        let query: Vec<(&str, &str)> = cases
            .iter()
            .map(|(s, _, o)| {
                (
                    if *s == "s3" {
                        "s3api"
                    } else if *s == "codedeploy" {
                        "deploy"
                    } else {
                        *s
                    },
                    *o,
                )
            })
            .collect();
        let theirs = crate::argrename::tests::run_awscli(&format!(
            "import json\nfrom awscli.clidriver import create_clidriver\n\
             ct = create_clidriver()._get_command_table()\n\
             out = []\n\
             for s, o in json.loads({:?}):\n    \
             out.append([n for n, a in ct[s]._get_command_table()[o].arg_table.items() \
             if a.cli_name.startswith('--')])\n\
             print(json.dumps(out))",
            serde_json::to_string(&query).unwrap()
        ));
        assert_eq!(serde_json::json!(ours), theirs);
    }
}
