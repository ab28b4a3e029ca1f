//! Command-line parsing: global options, the command (a call, `presign`, `wait`, `help`) and
//! its options, into [`Invocation`]. Hand-rolled (no argument-parsing crate) to keep start-up
//! and build time small; options are accepted before or after the positional words, as `aws`
//! does, in `--name value` or `--name=value` form.

use std::fmt;
use std::time::Duration;

use sansboto_core::HttpSettings;

/// A usage error: exit code 252, with the message and a usage hint.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Options that apply to every command.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct GlobalOptions {
    /// `--region`.
    pub region: Option<String>,
    /// `--endpoint-url`.
    pub endpoint_url: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--no-sign-request`.
    pub no_sign_request: bool,
    /// `--debug`.
    pub debug: bool,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--signing-time` (RFC 3339), only with `--dry-run`.
    pub signing_time: Option<String>,
    /// `--query` (JMESPath), applied to a call's result.
    pub query: Option<String>,
    /// `--output` (`json`, `text`, `yaml`).
    pub output: Option<String>,
    /// `--color` (`on`, `off`, `auto`).
    pub color: Option<String>,
    /// `--no-verify-ssl`: accept any server certificate.
    pub no_verify_ssl: bool,
    /// `--ca-bundle`: the certificates to trust, over `AWS_CA_BUNDLE` and the profile's.
    pub ca_bundle: Option<String>,
    /// `--cli-read-timeout` (`Duration::MAX` for aws-cli's `0`, no limit).
    pub read_timeout: Option<Duration>,
    /// `--cli-connect-timeout` (likewise).
    pub connect_timeout: Option<Duration>,
}

impl GlobalOptions {
    /// aws-cli's `--no-verify-ssl`, `--ca-bundle`, `--cli-read-timeout` and
    /// `--cli-connect-timeout` as a client's HTTP settings, over the environment's and the
    /// profile's. As in aws-cli, `--no-verify-ssl` wins over `--ca-bundle`.
    pub(crate) fn http_settings(&self) -> HttpSettings {
        let mut settings = HttpSettings::new();
        if self.no_verify_ssl {
            settings = settings.verify(false);
        } else if let Some(path) = &self.ca_bundle {
            settings = settings.ca_bundle(path);
        }
        if let Some(limit) = self.read_timeout {
            settings = settings.read_timeout(limit);
        }
        if let Some(limit) = self.connect_timeout {
            settings = settings.connect_timeout(limit);
        }
        settings
    }
}

/// aws-cli's `--cli-read-timeout` and `--cli-connect-timeout`: whole seconds as Python's `int`
/// reads them, `0` for no limit (here `Duration::MAX`, which the transports take as none).
/// Refused with aws-cli's messages (Python's `int`'s, urllib3's for a negative one).
pub(crate) fn timeout_option(option: &str, text: &str) -> Result<Duration, UsageError> {
    // An integer literal beyond 64 bits (`[+-]digits`, single `_` between digits) is a time
    // longer than any clock holds, no limit; or a negative one.
    let trimmed = text.trim();
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let literal = !digits.is_empty()
        && digits
            .split('_')
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
    match sansboto_core::config::py_int(text) {
        Some(0) => Ok(Duration::MAX),
        Some(seconds) if seconds > 0 => Ok(Duration::from_secs(seconds.unsigned_abs())),
        None if literal && !negative => Ok(Duration::MAX),
        None if literal => {
            let which = if option.contains("read") {
                "read"
            } else {
                "connect"
            };
            let digits = digits.replace('_', "");
            let digits = digits.trim_start_matches('0');
            Err(UsageError(format!(
                "Attempted to set {which} timeout to -{digits}, but the timeout cannot be set \
                 to a value less than or equal to 0."
            )))
        }
        Some(seconds) => {
            let which = if option.contains("read") {
                "read"
            } else {
                "connect"
            };
            Err(UsageError(format!(
                "Attempted to set {which} timeout to {seconds}, but the timeout cannot be set \
                 to a value less than or equal to 0."
            )))
        }
        None => Err(UsageError(format!(
            "invalid literal for int() with base 10: '{text}'"
        ))),
    }
}

/// Where `--params` came from: inline JSON or `file://PATH`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct CallOptions {
    /// `--params` as given.
    pub params: Option<String>,
    /// `--outfile`.
    pub outfile: Option<String>,
    /// `--no-paginate`.
    pub no_paginate: bool,
    /// `--max-items`.
    pub max_items: Option<usize>,
    /// `--page-size`.
    pub page_size: Option<i64>,
    /// `--starting-token`.
    pub starting_token: Option<String>,
    /// aws-cli's per-operation words, in order: options this parser does not know
    /// (`--bucket b`, `--tag-set Key=a,Value=b`) with the words after them, and positional
    /// words after the operation; read with the model by [`crate::awsgrammar`].
    pub operation_args: Vec<String>,
}

impl CallOptions {
    /// True when any pagination option was given.
    pub(crate) fn has_pagination_flags(&self) -> bool {
        self.max_items.is_some() || self.page_size.is_some() || self.starting_token.is_some()
    }
}

/// What to do.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    /// `SERVICE OPERATION`.
    Call {
        /// Service name.
        service: String,
        /// Operation name in any spelling.
        operation: String,
        /// Call options.
        options: CallOptions,
    },
    /// `presign SERVICE OPERATION --expires-in SECONDS`.
    Presign {
        /// Service name.
        service: String,
        /// Operation name in any spelling.
        operation: String,
        /// `--params`.
        params: Option<String>,
        /// `--expires-in` (seconds).
        expires_in: u64,
    },
    /// `wait SERVICE WAITER_NAME`.
    Wait {
        /// Service name.
        service: String,
        /// Waiter name (`bucket-exists`, `bucket_exists` or `BucketExists`).
        waiter: String,
        /// `--params`.
        params: Option<String>,
        /// `--delay` override (seconds).
        delay: Option<std::time::Duration>,
        /// `--max-attempts` override.
        max_attempts: Option<u32>,
        /// aws-cli's options of the waiter's operation (`--bucket b`), read with the model.
        operation_args: Vec<String>,
    },
    /// `eks get-token --cluster-name NAME` (or `--cluster-id ID`): aws-cli's EKS token, as a
    /// kubectl `ExecCredential`.
    EksGetToken {
        /// The cluster name (or, for a local cluster on Outposts, its id).
        cluster: String,
        /// `--role-arn`: sign with this role's credentials (assumed first).
        role_arn: Option<String>,
    },
    /// `help [SERVICE [OPERATION]]`.
    Help {
        /// Service to describe.
        service: Option<String>,
        /// Operation to describe.
        operation: Option<String>,
    },
    /// `--version`.
    Version,
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Invocation {
    /// Global options.
    pub global: GlobalOptions,
    /// The command.
    pub command: Command,
}

/// The usage text shown on usage errors and by `help`.
pub(crate) const USAGE: &str = "\
usage: sansboto [--region R] [--endpoint-url U] [--profile P] [--no-sign-request] [--debug]
                [--dry-run [--signing-time RFC3339]] [--query JMESPATH]
                [--output json|text|yaml] [--color on|off|auto]
                [--no-verify-ssl] [--ca-bundle PEM] [--cli-read-timeout S]
                [--cli-connect-timeout S]
                SERVICE OPERATION [--params JSON|file://PATH] [--outfile PATH]
                [--no-paginate] [--max-items N] [--page-size N] [--starting-token T]
       sansboto SERVICE OPERATION --member-name VALUE … [OUTFILE]   (aws-cli's grammar: s3api,
                shorthand or JSON values, file:// fileb://, --cli-input-json|yaml,
                --generate-cli-skeleton [input|output])
       sansboto presign SERVICE OPERATION [--params …] [--expires-in SECONDS]
       sansboto s3 cp|mv|rm|sync|ls|mb|rb|presign|website …   (aws-cli's S3 commands)
       sansboto wait SERVICE WAITER_NAME [--params …] [--delay SECONDS] [--max-attempts N]
       sansboto SERVICE wait WAITER_NAME --member-name VALUE …   (aws-cli's order and options)
       sansboto eks get-token (--cluster-name NAME | --cluster-id ID) [--role-arn ARN]
       sansboto ecr|ecr-public get-login-password
       sansboto rds generate-db-auth-token --hostname H --port P --username U
       sansboto configure [set VARNAME VALUE | get VARNAME | list]
       sansboto help [SERVICE [OPERATION]]
       sansboto completion bash|zsh|fish";

/// Every option's name, whether it takes a value, and the commands it belongs to.
const OPTIONS: &[(&str, bool)] = &[
    ("--region", true),
    ("--endpoint-url", true),
    ("--profile", true),
    ("--no-sign-request", false),
    ("--debug", false),
    ("--dry-run", false),
    ("--signing-time", true),
    ("--query", true),
    ("--output", true),
    ("--color", true),
    ("--no-verify-ssl", false),
    ("--ca-bundle", true),
    ("--cli-read-timeout", true),
    ("--cli-connect-timeout", true),
    ("--params", true),
    ("--outfile", true),
    ("--no-paginate", false),
    ("--max-items", true),
    ("--page-size", true),
    ("--starting-token", true),
    ("--expires-in", true),
    ("--delay", true),
    ("--max-attempts", true),
    ("--cluster-name", true),
    ("--cluster-id", true),
    ("--role-arn", true),
    ("--help", false),
    ("--version", false),
];

/// aws-cli's global options, in the order its main parser holds them (the order an ambiguous
/// abbreviation lists them in). An abbreviation is read against these, wherever it stands, before
/// any operation's options, as aws-cli reads it (`--reg` is `--region` even where the operation
/// has `--registry-id`); one naming an option this command lacks (`--no-verify`) then fails as
/// the full name does. This command's own options (`--dry-run`, `--params`…) are not
/// abbreviated: an abbreviation means here what it means to aws-cli. A test compares the list
/// with the installed aws-cli's.
pub(crate) const AWSCLI_GLOBALS: &[&str] = &[
    "debug",
    "endpoint-url",
    "no-verify-ssl",
    "no-paginate",
    "output",
    "query",
    "profile",
    "region",
    "color",
    "no-sign-request",
    "ca-bundle",
    "cli-read-timeout",
    "cli-connect-timeout",
    "v2-debug",
    "version",
];

/// aws-cli's pagination options of a paginated operation, in its order.
pub(crate) const PAGINATION: [&str; 3] = ["starting-token", "page-size", "max-items"];

/// Options of one command (`eks get-token`, `presign`, `wait`) that are, for any other
/// operation, its members' options as aws-cli names them (`eks describe-nodegroup
/// --cluster-name`, `emr describe-cluster --cluster-id`, `eks create-cluster --role-arn`).
const COMMAND_SPECIFIC: [&str; 6] = [
    "--cluster-name",
    "--cluster-id",
    "--role-arn",
    "--expires-in",
    "--delay",
    "--max-attempts",
];

/// An option read as the command's own handed back to the operation's options.
fn give_back(
    take: &mut impl FnMut(&str) -> Option<Option<String>>,
    name: &str,
    operation_args: &mut Vec<String>,
) {
    if let Some(value) = take(name) {
        operation_args.push(name.to_string());
        operation_args.extend(value);
    }
}

/// Parse the arguments after the program name.
pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Invocation, UsageError> {
    let mut positional: Vec<String> = Vec::new();
    let mut given: Vec<(&'static str, Option<String>)> = Vec::new();
    let mut operation_args: Vec<String> = Vec::new();
    let mut args = args.into_iter().peekable();
    while let Some(arg) = args.next() {
        if arg == "--" {
            positional.extend(args.by_ref());
            break;
        }
        let Some(stripped) = arg.strip_prefix("--") else {
            if arg == "-h" {
                given.push(("--help", None));
            } else {
                positional.push(arg);
            }
            continue;
        };
        let (mut name, mut inline) = split_option(stripped);
        let mut arg = arg;
        if !OPTIONS.iter().any(|(n, _)| *n == name) {
            if let Some(full) =
                crate::abbrev::expand(&arg, AWSCLI_GLOBALS.iter().copied()).map_err(UsageError)?
            {
                (name, inline) = split_option(&full[2..]);
                arg = full;
            }
        }
        // After `SERVICE OPERATION`, `--dry-run` may be the operation's own flag (EC2's
        // `DryRun` member, as aws-cli reads it): it goes with the operation's words, and the
        // call takes it as this command's only when the operation has no such member.
        if name == "--dry-run" && inline.is_none() && names_operation(&positional) {
            operation_args.push(arg);
            continue;
        }
        let Some(&(known, takes_value)) = OPTIONS.iter().find(|(n, _)| *n == name) else {
            // An operation's own option (aws-cli's grammar): it and the words after it are
            // read with the model once the operation is known.
            operation_args.push(arg);
            while let Some(word) = args.next_if(|w| !w.starts_with("--")) {
                operation_args.push(word);
            }
            continue;
        };
        if given.iter().any(|(n, _)| *n == known) {
            return Err(UsageError(format!("{known} given more than once")));
        }
        let value = match (takes_value, inline) {
            (true, Some(v)) => Some(v),
            (true, None) => match args.next_if(|w| !looks_like_an_option(w)) {
                Some(value) => Some(value),
                // argparse's refusal: the next word is another option, not this one's value.
                None if args.peek().is_some() => {
                    return Err(UsageError(format!(
                        "argument {known}: expected one argument"
                    )))
                }
                None => return Err(UsageError(format!("{known} needs a value"))),
            },
            (false, Some(_)) => return Err(UsageError(format!("{known} takes no value"))),
            (false, None) => None,
        };
        given.push((known, value));
    }
    // aws-cli's `eks get-token` is a command of its own, with its own options: read their
    // abbreviations (`--cluster-n`) as its parser does.
    if positional.starts_with(&["eks".to_string(), "get-token".to_string()]) {
        command_abbreviations(&EKS_GET_TOKEN, &mut operation_args, &mut given)?;
    }
    build(positional, given, operation_args)
}

/// Whether argparse takes `word` for an option rather than a value: it starts with `-`, and is
/// neither `-` alone, a negative number nor a phrase with a space (argparse's
/// `_parse_optional`, for a parser without options that look like negative numbers).
fn looks_like_an_option(word: &str) -> bool {
    // argparse's `^-\d+$|^-\d*\.\d+$`.
    let negative_number = word.strip_prefix('-').is_some_and(|n| {
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        match n.split_once('.') {
            None => digits(n),
            Some((whole, fraction)) => (whole.is_empty() || digits(whole)) && digits(fraction),
        }
    });
    word.starts_with('-') && word != "-" && !negative_number && !word.contains(' ')
}

/// Whether the positional words so far name an operation call (`SERVICE OPERATION`, or aws-cli's
/// `SERVICE wait WAITER`), not one of this command's own commands.
fn names_operation(positional: &[String]) -> bool {
    match positional {
        // aws-cli's `SERVICE wait WAITER`: the waiter's operation's options.
        [_, second, _, ..] if second == "wait" => true,
        [first, second, ..] => {
            !matches!(first.as_str(), "presign" | "wait" | "help" | "completion")
                && second != "wait"
                && !(first == "eks" && second == "get-token")
        }
        _ => false,
    }
}

/// `eks get-token`'s options, in aws-cli's order.
const EKS_GET_TOKEN: [&str; 3] = ["cluster-name", "role-arn", "cluster-id"];

/// Moves the words of `operation_args` that abbreviate one of a command's own `names` (all
/// in [`OPTIONS`]), with their values, to `given`.
fn command_abbreviations(
    names: &[&str],
    operation_args: &mut Vec<String>,
    given: &mut Vec<(&'static str, Option<String>)>,
) -> Result<(), UsageError> {
    let mut kept = Vec::new();
    let mut words = std::mem::take(operation_args).into_iter().peekable();
    while let Some(word) = words.next() {
        let full = crate::abbrev::expand(&word, names.iter().copied()).map_err(UsageError)?;
        let Some(full) = full else {
            kept.push(word);
            continue;
        };
        let (name, inline) = split_option(&full[2..]);
        let Some(&(known, _)) = OPTIONS.iter().find(|(n, _)| *n == name) else {
            kept.push(full);
            continue;
        };
        if given.iter().any(|(n, _)| *n == known) {
            return Err(UsageError(format!("{known} given more than once")));
        }
        let value = match inline {
            Some(v) => v,
            None => words
                .next_if(|w| !w.starts_with("--"))
                .ok_or_else(|| UsageError(format!("{known} needs a value")))?,
        };
        given.push((known, Some(value)));
    }
    *operation_args = kept;
    Ok(())
}

/// `name=value` (after `--`) as `("--name", Some(value))`.
fn split_option(stripped: &str) -> (String, Option<String>) {
    match stripped.split_once('=') {
        Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
        None => (format!("--{stripped}"), None),
    }
}

/// A pagination option (`PAGINATION`'s name) read with the operation (aws-cli's abbreviation
/// of it, `--page-siz`), set in `options` as the command line's own would be.
pub(crate) fn set_pagination(
    options: &mut CallOptions,
    name: &str,
    value: String,
) -> Result<(), UsageError> {
    let option = format!("--{name}");
    let twice = || UsageError(format!("{option} given more than once"));
    match name {
        "max-items" if options.max_items.is_none() => options.max_items = Some(max_items(&value)?),
        "page-size" if options.page_size.is_none() => {
            options.page_size = Some(number(&value, &option)?)
        }
        "starting-token" if options.starting_token.is_none() => {
            options.starting_token = Some(value)
        }
        "max-items" | "page-size" | "starting-token" => return Err(twice()),
        _ => return Err(UsageError(format!("unknown option {option}"))),
    }
    Ok(())
}

fn build(
    positional: Vec<String>,
    mut given: Vec<(&'static str, Option<String>)>,
    mut operation_args: Vec<String>,
) -> Result<Invocation, UsageError> {
    let mut take = |name: &str| -> Option<Option<String>> {
        let i = given.iter().position(|(n, _)| *n == name)?;
        Some(given.remove(i).1)
    };
    let flag = |v: Option<Option<String>>| v.is_some();
    let value = |v: Option<Option<String>>| v.flatten();

    let global = GlobalOptions {
        region: value(take("--region")),
        endpoint_url: value(take("--endpoint-url")),
        profile: value(take("--profile")),
        no_sign_request: flag(take("--no-sign-request")),
        debug: flag(take("--debug")),
        dry_run: flag(take("--dry-run")),
        signing_time: value(take("--signing-time")),
        query: value(take("--query")),
        output: value(take("--output")),
        color: value(take("--color")),
        no_verify_ssl: flag(take("--no-verify-ssl")),
        ca_bundle: value(take("--ca-bundle")),
        read_timeout: value(take("--cli-read-timeout"))
            .map(|v| timeout_option("--cli-read-timeout", &v))
            .transpose()?,
        connect_timeout: value(take("--cli-connect-timeout"))
            .map(|v| timeout_option("--cli-connect-timeout", &v))
            .transpose()?,
    };
    // aws-cli prints its version as soon as its main parser meets `--version`, wherever it
    // stands (`aws s3api put-object --bucket b --version`): the rest is not read.
    if flag(take("--version")) {
        return Ok(Invocation {
            global,
            command: Command::Version,
        });
    }
    if let Some(color) = global.color.as_deref() {
        if !matches!(color, "on" | "off" | "auto") {
            return Err(UsageError(format!(
                "argument --color: invalid choice: '{color}' (choose from 'on', 'off', 'auto')"
            )));
        }
    }
    let dry_run_after = operation_args.iter().any(|a| a == "--dry-run");
    if global.signing_time.is_some() && !global.dry_run && !dry_run_after {
        return Err(UsageError(
            "--signing-time is only allowed with --dry-run".into(),
        ));
    }
    let help_flag = flag(take("--help"));
    let params = value(take("--params"));

    let mut words = positional.into_iter().peekable();
    let first = words.next();
    let command = match first.as_deref() {
        None if help_flag => Command::Help {
            service: None,
            operation: None,
        },
        None => return Err(UsageError("missing SERVICE and OPERATION".into())),
        Some("help") => Command::Help {
            service: words
                .next()
                .map(|s| crate::awsgrammar::service_name(&s).to_string()),
            operation: words.next(),
        },
        Some(service) if help_flag || is_aws_help(words.clone()) => {
            let service = crate::awsgrammar::service_name(service).to_string();
            let operation = words.next().filter(|w| w != "help");
            words.next_if(|w| w == "help");
            Command::Help {
                service: Some(service),
                operation,
            }
        }
        Some("presign") => {
            let (service, operation) = two(&mut words, "presign SERVICE OPERATION")?;
            let expires_in = match value(take("--expires-in")) {
                Some(v) => number::<u64>(&v, "--expires-in")?,
                None => 3600,
            };
            Command::Presign {
                service,
                operation,
                params,
                expires_in,
            }
        }
        // aws-cli's customization: EKS has no GetToken operation, so the name is free.
        Some("eks") if words.clone().next().as_deref() == Some("get-token") => {
            words.next();
            let cluster = match (value(take("--cluster-name")), value(take("--cluster-id"))) {
                (Some(name), None) => name,
                (None, Some(id)) => id,
                (Some(_), Some(_)) => {
                    return Err(UsageError(
                        "--cluster-name and --cluster-id cannot be given together".into(),
                    ))
                }
                (None, None) => {
                    return Err(UsageError(
                        "eks get-token needs --cluster-name or --cluster-id".into(),
                    ))
                }
            };
            Command::EksGetToken {
                cluster,
                role_arn: value(take("--role-arn")),
            }
        }
        Some("wait") => {
            let (service, waiter) = two(&mut words, "wait SERVICE WAITER_NAME")?;
            wait_command(
                service,
                waiter,
                params,
                value(take("--delay")),
                value(take("--max-attempts")),
                std::mem::take(&mut operation_args),
            )?
        }
        // aws-cli's order: `SERVICE wait WAITER`.
        Some(service) if words.peek().is_some_and(|w| w == "wait") => {
            words.next();
            let service = crate::awsgrammar::service_name(service).to_string();
            let waiter = words
                .next()
                .ok_or_else(|| UsageError(format!("usage: sansboto {service} wait WAITER_NAME")))?;
            for name in [
                "--cluster-name",
                "--cluster-id",
                "--role-arn",
                "--expires-in",
            ] {
                give_back(&mut take, name, &mut operation_args);
            }
            wait_command(
                service,
                waiter,
                params,
                value(take("--delay")),
                value(take("--max-attempts")),
                std::mem::take(&mut operation_args),
            )?
        }
        Some(service) => {
            let service = crate::awsgrammar::service_name(service).to_string();
            let operation = match words.next() {
                // The empty word stands for no subcommand below: an empty one given is none
                // of `configure`'s (argparse's invalid choice).
                Some(operation) if operation.is_empty() && service == "configure" => {
                    return Err(UsageError(
                        "argument subcommand: Invalid choice, valid choices are: list, get, set"
                            .into(),
                    ))
                }
                Some(operation) => operation,
                // aws-cli's interactive `configure`.
                None if service == "configure" => String::new(),
                None => return Err(UsageError(format!("missing OPERATION after {service}"))),
            };
            // Positional words after the operation are aws-cli's (a streaming output's file).
            operation_args.extend(words.by_ref());
            for name in COMMAND_SPECIFIC {
                give_back(&mut take, name, &mut operation_args);
            }
            let options = CallOptions {
                params,
                outfile: value(take("--outfile")),
                no_paginate: flag(take("--no-paginate")),
                max_items: value(take("--max-items"))
                    .map(|v| max_items(&v))
                    .transpose()?,
                page_size: value(take("--page-size"))
                    .map(|v| number::<i64>(&v, "--page-size"))
                    .transpose()?,
                starting_token: value(take("--starting-token")),
                operation_args: std::mem::take(&mut operation_args),
            };
            Command::Call {
                service,
                operation,
                options,
            }
        }
    };
    if let Some(option) = operation_args.iter().find(|a| a.starts_with("--")) {
        let name = option.split_once('=').map_or(option.as_str(), |(n, _)| n);
        return Err(UsageError(format!("unknown option {name}")));
    }
    if let Some(extra) = words.next() {
        return Err(UsageError(format!("unexpected argument {extra:?}")));
    }
    if let Some((name, _)) = given.first() {
        return Err(UsageError(format!(
            "{name} is not an option of this command"
        )));
    }
    // (A call checks `--signing-time` once it knows whose `--dry-run` it was; no other
    // command signs without sending.)
    if global.signing_time.is_some() && !matches!(command, Command::Call { .. }) {
        return Err(UsageError(
            "--signing-time is only allowed with --dry-run of an operation call".into(),
        ));
    }
    if global.dry_run && !matches!(command, Command::Call { .. }) {
        return Err(UsageError(
            "--dry-run only applies to an operation call".into(),
        ));
    }
    Ok(Invocation { global, command })
}

/// `wait SERVICE WAITER` and aws-cli's `SERVICE wait WAITER`, with their options.
fn wait_command(
    service: String,
    waiter: String,
    params: Option<String>,
    delay: Option<String>,
    max_attempts: Option<String>,
    operation_args: Vec<String>,
) -> Result<Command, UsageError> {
    let delay = delay.map(|v| number::<f64>(&v, "--delay")).transpose()?;
    // A delay longer than any clock holds (botocore's sleep fails: `OverflowError`) is refused
    // with the others, not left to panic when it becomes a `Duration`.
    let delay = delay
        .map(|d| {
            std::time::Duration::try_from_secs_f64(d)
                .map_err(|_| UsageError("--delay must be a non-negative number of seconds".into()))
        })
        .transpose()?;
    let max_attempts = max_attempts
        .map(|v| number::<u32>(&v, "--max-attempts"))
        .transpose()?;
    Ok(Command::Wait {
        service,
        waiter,
        params,
        delay,
        max_attempts,
        operation_args,
    })
}

/// aws-cli's `SERVICE help` and `SERVICE OPERATION help`.
fn is_aws_help(mut words: impl Iterator<Item = String>) -> bool {
    let rest: Vec<String> = words.by_ref().take(3).collect();
    matches!(rest.as_slice(), [h] if h == "help")
        || matches!(rest.as_slice(), [_, h] if h == "help")
}

fn two(
    words: &mut impl Iterator<Item = String>,
    what: &str,
) -> Result<(String, String), UsageError> {
    match (words.next(), words.next()) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(UsageError(format!("usage: sansboto {what}"))),
    }
}

fn number<N: std::str::FromStr>(text: &str, option: &str) -> Result<N, UsageError> {
    text.parse()
        .map_err(|_| UsageError(format!("{option}: {text:?} is not a valid number")))
}

/// `--max-items`: a count, 0 or more. A negative one is refused: aws-cli warns that it "may
/// result in undefined behavior" and cuts the listing as Python slices (`-1` drops the last
/// item), which no caller means.
fn max_items(text: &str) -> Result<usize, UsageError> {
    let negative = text.trim().parse::<i128>().is_ok_and(|n| n < 0);
    if negative {
        return Err(UsageError(format!(
            "--max-items: {text} is negative; give a count of 0 or more"
        )));
    }
    number(text, "--max-items")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Invocation, UsageError> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn max_items_is_a_count_and_a_negative_one_says_so() {
        assert_eq!(max_items("0").unwrap(), 0);
        assert_eq!(max_items("25").unwrap(), 25);
        let negative = max_items("-1").unwrap_err().0;
        assert!(negative.contains("negative"), "{negative}");
        let junk = max_items("x").unwrap_err().0;
        assert!(junk.contains("not a valid number"), "{junk}");
    }

    #[test]
    fn timeouts_are_whole_seconds_and_zero_is_no_limit() {
        let t = |text: &str| timeout_option("--cli-read-timeout", text);
        assert_eq!(t("5"), Ok(Duration::from_secs(5)));
        assert_eq!(t(" +7 "), Ok(Duration::from_secs(7)));
        assert_eq!(t("0"), Ok(Duration::MAX));
        assert_eq!(t("99999999999999999999"), Ok(Duration::MAX));
        for bad in ["1__2", "_5", "5_", "99999999999999999999_"] {
            assert!(t(bad).is_err(), "{bad}");
        }
        assert!(t("-99999999999999999999")
            .unwrap_err()
            .0
            .contains("timeout to -99999999999999999999,"));
        assert_eq!(
            t("1.5"),
            Err(UsageError(
                "invalid literal for int() with base 10: '1.5'".into()
            ))
        );
        assert!(t("-3").unwrap_err().0.contains("set read timeout to -3"));
        let inv = p(&[
            "--no-verify-ssl",
            "--ca-bundle",
            "/x.pem",
            "s3",
            "ListBuckets",
        ])
        .unwrap();
        assert!(inv.global.no_verify_ssl);
        assert_eq!(inv.global.ca_bundle.as_deref(), Some("/x.pem"));
        assert!(p(&["s3", "ListBuckets", "--cli-connect-timeout", "x"]).is_err());
    }

    #[test]
    fn eks_get_token_takes_a_cluster_name_or_id() {
        let inv = p(&["eks", "get-token", "--cluster-name", "prod"]).unwrap();
        assert_eq!(
            inv.command,
            Command::EksGetToken {
                cluster: "prod".into(),
                role_arn: None,
            }
        );
        let inv = p(&[
            "--region",
            "eu-west-1",
            "eks",
            "get-token",
            "--cluster-id=abc",
            "--role-arn",
            "arn:aws:iam::1:role/r",
        ])
        .unwrap();
        assert_eq!(
            inv.command,
            Command::EksGetToken {
                cluster: "abc".into(),
                role_arn: Some("arn:aws:iam::1:role/r".into()),
            }
        );
        assert!(p(&["eks", "get-token"]).is_err());
        assert!(p(&[
            "eks",
            "get-token",
            "--cluster-name",
            "a",
            "--cluster-id",
            "b"
        ])
        .is_err());
        assert!(p(&["eks", "get-token", "--cluster-name", "a", "extra"]).is_err());
        // Abbreviated, as aws-cli's parser of the command reads them.
        assert_eq!(
            p(&["eks", "get-token", "--cluster-n", "prod", "--role=r"])
                .unwrap()
                .command,
            Command::EksGetToken {
                cluster: "prod".into(),
                role_arn: Some("r".into()),
            }
        );
        assert_eq!(
            p(&["eks", "get-token", "--cluster", "prod"]),
            Err(UsageError(
                "ambiguous option: --cluster could match --cluster-name, --cluster-id".into()
            ))
        );
        // Any other eks word is an operation call.
        assert!(matches!(
            p(&["eks", "list-clusters"]).unwrap().command,
            Command::Call { .. }
        ));
    }

    #[test]
    fn call_with_global_and_call_options_in_any_order() {
        let inv = p(&[
            "--region",
            "eu-west-1",
            "s3",
            "--dry-run",
            "put-object",
            "--params={\"Bucket\":\"b\"}",
            "--signing-time",
            "2024-01-01T00:00:00Z",
        ])
        .unwrap();
        assert_eq!(inv.global.region.as_deref(), Some("eu-west-1"));
        assert!(inv.global.dry_run);
        assert_eq!(
            inv.command,
            Command::Call {
                service: "s3".into(),
                operation: "put-object".into(),
                options: CallOptions {
                    params: Some("{\"Bucket\":\"b\"}".into()),
                    ..Default::default()
                }
            }
        );
    }

    #[test]
    fn usage_errors() {
        for args in [
            &["s3"][..],
            &[],
            &[
                "--signing-time",
                "2024-01-01T00:00:00Z",
                "s3",
                "ListBuckets",
            ],
            &["s3", "ListBuckets", "--region"],
            &["help", "s3", "ListBuckets", "extra"],
            &["s3", "ListObjects", "--max-items", "many"],
            &["--dry-run", "presign", "s3", "GetObject"],
            &["wait", "s3"],
            &["s3", "ListBuckets", "--debug", "--debug"],
        ] {
            assert!(p(args).is_err(), "{args:?} should be a usage error");
        }
    }

    #[test]
    fn other_commands_options_are_members_of_an_operation() {
        // `eks get-token`'s, `presign`'s and `wait`'s options are members elsewhere: read
        // with the model (where `s3 ListBuckets --expires-in` is an unknown option).
        for (args, want) in [
            (
                &[
                    "eks",
                    "describe-nodegroup",
                    "--cluster-name",
                    "c",
                    "--nodegroup-name",
                    "n",
                ][..],
                &["--nodegroup-name", "n", "--cluster-name", "c"][..],
            ),
            (
                &["emr", "describe-cluster", "--cluster-id=j-1"][..],
                &["--cluster-id", "j-1"][..],
            ),
            (
                &[
                    "eks",
                    "wait",
                    "cluster-active",
                    "--name",
                    "c",
                    "--role-arn",
                    "r",
                ][..],
                &["--name", "c", "--role-arn", "r"][..],
            ),
            (
                &["s3", "ListBuckets", "--expires-in", "3"][..],
                &["--expires-in", "3"][..],
            ),
        ] {
            let operation_args = match p(args).unwrap().command {
                Command::Call { options, .. } => options.operation_args,
                Command::Wait { operation_args, .. } => operation_args,
                other => panic!("{args:?}: {other:?}"),
            };
            assert_eq!(operation_args, want, "{args:?}");
        }
    }

    #[test]
    fn aws_grammar_words_are_kept_for_the_model() {
        let inv = p(&[
            "s3api",
            "get-object",
            "--bucket",
            "b",
            "--region",
            "eu-west-1",
            "--key=k",
            "out.bin",
            "--tag-set",
            "Key=a,Value=b",
            "Key=c,Value=d",
        ])
        .unwrap();
        assert_eq!(inv.global.region.as_deref(), Some("eu-west-1"));
        let Command::Call {
            service, options, ..
        } = inv.command
        else {
            panic!("not a call");
        };
        assert_eq!(service, "s3");
        assert_eq!(
            options.operation_args,
            [
                "--bucket",
                "b",
                "--key=k",
                "out.bin",
                "--tag-set",
                "Key=a,Value=b",
                "Key=c,Value=d"
            ]
        );
        // A word after the operation with no option before it is kept too (an output file).
        let inv = p(&["s3", "GetObject", "out.bin", "--params", "{}"]).unwrap();
        assert!(matches!(inv.command, Command::Call { options, .. }
            if options.operation_args == ["out.bin"] && options.params.as_deref() == Some("{}")));
    }

    #[test]
    fn aws_wait_order() {
        let inv = p(&[
            "s3api",
            "wait",
            "bucket-exists",
            "--bucket",
            "b",
            "--delay",
            "1",
        ])
        .unwrap();
        assert_eq!(
            inv.command,
            Command::Wait {
                service: "s3".into(),
                waiter: "bucket-exists".into(),
                params: None,
                delay: Some(std::time::Duration::from_secs(1)),
                max_attempts: None,
                operation_args: vec!["--bucket".into(), "b".into()],
            }
        );
        assert!(p(&["s3api", "wait"]).is_err());
    }

    #[test]
    fn aws_help_words() {
        for (args, operation) in [
            (&["s3api", "help"][..], None),
            (&["s3api", "put-object", "help"][..], Some("put-object")),
            (&["help", "s3api", "put-object"][..], Some("put-object")),
        ] {
            assert_eq!(
                p(args).unwrap().command,
                Command::Help {
                    service: Some("s3".into()),
                    operation: operation.map(String::from)
                },
                "{args:?}"
            );
        }
    }

    #[test]
    fn subcommands() {
        assert_eq!(
            p(&["presign", "s3", "GetObject", "--expires-in", "60"])
                .unwrap()
                .command,
            Command::Presign {
                service: "s3".into(),
                operation: "GetObject".into(),
                params: None,
                expires_in: 60
            }
        );
        assert_eq!(
            p(&["help", "s3"]).unwrap().command,
            Command::Help {
                service: Some("s3".into()),
                operation: None
            }
        );
        assert!(matches!(
            p(&["wait", "s3", "bucket-exists", "--delay", "0.1"]).unwrap().command,
            Command::Wait { delay: Some(d), .. } if d == std::time::Duration::from_millis(100)
        ));
        // Refused, not a panic turning them into a `Duration` (1e300 once was).
        for delay in ["1e300", "-1", "NaN", "inf", "18446744073709551616"] {
            let err = p(&["wait", "s3", "bucket-exists", "--delay", delay]).unwrap_err();
            assert!(err.0.contains("--delay"), "{delay}: {}", err.0);
        }
    }

    #[test]
    fn the_global_options_are_aws_clis_in_its_order() {
        let theirs = crate::argrename::tests::run_awscli(
            "import json\nfrom awscli.clidriver import create_clidriver\n\
             d = create_clidriver()\n\
             p = d._create_parser(d._get_command_table())\n\
             print(json.dumps([o[2:] for o in p._option_string_actions]))",
        );
        assert_eq!(theirs, serde_json::json!(AWSCLI_GLOBALS));
    }

    #[test]
    fn global_abbreviations_wherever_they_stand() {
        let inv = p(&[
            "--regio",
            "eu-west-1",
            "s3api",
            "list-objects",
            "--buck",
            "b",
            "--no-pag",
            "--outp=text",
            "--que",
            "Contents",
        ])
        .unwrap();
        assert_eq!(inv.global.region.as_deref(), Some("eu-west-1"));
        assert_eq!(inv.global.output.as_deref(), Some("text"));
        assert_eq!(inv.global.query.as_deref(), Some("Contents"));
        let Command::Call { options, .. } = inv.command else {
            panic!("not a call");
        };
        assert!(options.no_paginate);
        // The operation's words, abbreviations included, are read with its model.
        assert_eq!(options.operation_args, ["--buck", "b"]);
        let inv = p(&["s3", "ListBuckets", "--no-ver", "--cli-r", "5"]).unwrap();
        assert!(inv.global.no_verify_ssl);
        assert_eq!(inv.global.read_timeout, Some(Duration::from_secs(5)));
        // An aws-cli global this command lacks fails as its full name does.
        let Command::Call { options, .. } = p(&["s3", "ListBuckets", "--v2"]).unwrap().command
        else {
            panic!("not a call");
        };
        assert_eq!(options.operation_args, ["--v2-debug"]);
        assert_eq!(
            p(&["s3", "ListBuckets", "--no"]),
            Err(UsageError(
                "ambiguous option: --no could match --no-verify-ssl, --no-paginate, \
                 --no-sign-request"
                    .into()
            ))
        );
        // This command's own options are read by their full names only.
        let Command::Call { options, .. } =
            p(&["ec2", "describe-instances", "--dry"]).unwrap().command
        else {
            panic!("not a call");
        };
        assert_eq!(options.operation_args, ["--dry"]);
    }

    #[test]
    fn version_wherever_it_stands() {
        for args in [
            &["--version"][..],
            &["s3api", "put-object", "--bucket", "b", "--version"],
            &["s3api", "get-object", "--vers", "3", "out"],
            &["help", "--version"],
        ] {
            assert_eq!(p(args).unwrap().command, Command::Version, "{args:?}");
        }
        assert!(p(&["s3", "ListBuckets", "--v"]).is_err());
        assert!(p(&["--version=1"]).is_err());
    }

    #[test]
    fn an_option_where_a_value_belongs_is_refused_as_argparse_refuses_it() {
        for word in ["--output", "-x", "--", "-5."] {
            assert!(looks_like_an_option(word), "{word}");
        }
        for word in ["-", "-5", "-.5", "-5.25", "-a b", "text"] {
            assert!(!looks_like_an_option(word), "{word}");
        }
        let err =
            parse(["sts", "get-caller-identity", "--query", "--output", "text"].map(String::from))
                .expect_err("refused");
        assert_eq!(err.0, "argument --query: expected one argument");
        let given = parse(["--region", "-", "sts", "get-caller-identity"].map(String::from));
        assert!(given.is_ok());
    }

    #[test]
    fn pagination_from_the_operations_words() {
        let mut options = CallOptions::default();
        set_pagination(&mut options, "page-size", "2".into()).unwrap();
        set_pagination(&mut options, "starting-token", "t".into()).unwrap();
        assert_eq!(options.page_size, Some(2));
        assert_eq!(options.starting_token.as_deref(), Some("t"));
        assert!(set_pagination(&mut options, "page-size", "3".into()).is_err());
        assert!(set_pagination(&mut options, "max-items", "many".into()).is_err());
    }
}
