//! Command-line parsing: global options, the command (a call, `presign`, `wait`, `help`) and
//! its options, into [`Invocation`]. Hand-rolled (no argument-parsing crate) to keep start-up
//! and build time small; options are accepted before or after the positional words, as `aws`
//! does, in `--name value` or `--name=value` form.

use std::fmt;

/// A usage error: exit code 252, with the message and a usage hint.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Options that apply to every command.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GlobalOptions {
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
}

/// Where `--params` came from: inline JSON or `file://PATH`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CallOptions {
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
    pub fn has_pagination_flags(&self) -> bool {
        self.max_items.is_some() || self.page_size.is_some() || self.starting_token.is_some()
    }
}

/// What to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
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
        delay: Option<f64>,
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
pub struct Invocation {
    /// Global options.
    pub global: GlobalOptions,
    /// The command.
    pub command: Command,
}

/// The usage text shown on usage errors and by `help`.
pub const USAGE: &str = "\
usage: sansboto [--region R] [--endpoint-url U] [--profile P] [--no-sign-request] [--debug]
                [--dry-run [--signing-time RFC3339]] [--query JMESPATH]
                [--output json|text|yaml] [--color on|off|auto]
                SERVICE OPERATION [--params JSON|file://PATH] [--outfile PATH]
                [--no-paginate] [--max-items N] [--page-size N] [--starting-token T]
       sansboto SERVICE OPERATION --member-name VALUE … [OUTFILE]   (aws-cli's grammar: s3api,
                shorthand or JSON values, file:// fileb://, --cli-input-json|yaml,
                --generate-cli-skeleton [input|output])
       sansboto presign SERVICE OPERATION [--params …] [--expires-in SECONDS]
       sansboto wait SERVICE WAITER_NAME [--params …] [--delay SECONDS] [--max-attempts N]
       sansboto SERVICE wait WAITER_NAME --member-name VALUE …   (aws-cli's order and options)
       sansboto eks get-token (--cluster-name NAME | --cluster-id ID) [--role-arn ARN]
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
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Invocation, UsageError> {
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
        let (name, inline) = match stripped.split_once('=') {
            Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
            None => (format!("--{stripped}"), None),
        };
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
            (true, None) => Some(
                args.next()
                    .ok_or_else(|| UsageError(format!("{known} needs a value")))?,
            ),
            (false, Some(_)) => return Err(UsageError(format!("{known} takes no value"))),
            (false, None) => None,
        };
        given.push((known, value));
    }
    build(positional, given, operation_args)
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
    };
    if let Some(color) = global.color.as_deref() {
        if !matches!(color, "on" | "off" | "auto") {
            return Err(UsageError(format!(
                "argument --color: invalid choice: '{color}' (choose from 'on', 'off', 'auto')"
            )));
        }
    }
    if global.signing_time.is_some() && !global.dry_run {
        return Err(UsageError(
            "--signing-time is only allowed with --dry-run".into(),
        ));
    }
    let help_flag = flag(take("--help"));
    let version = flag(take("--version"));
    let params = value(take("--params"));

    let mut words = positional.into_iter().peekable();
    let first = words.next();
    let command = match first.as_deref() {
        _ if version => Command::Version,
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
            let operation = words
                .next()
                .ok_or_else(|| UsageError(format!("missing OPERATION after {service}")))?;
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
                    .map(|v| number::<usize>(&v, "--max-items"))
                    .transpose()?,
                page_size: value(take("--page-size"))
                    .map(|v| number::<i64>(&v, "--page-size"))
                    .transpose()?,
                starting_token: value(take("--starting-token")),
                operation_args: std::mem::take(&mut operation_args),
            };
            if options.no_paginate && options.has_pagination_flags() {
                return Err(UsageError(
                    "--no-paginate cannot be combined with --max-items, --page-size or \
                     --starting-token"
                        .into(),
                ));
            }
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
    if delay.is_some_and(|d| !d.is_finite() || d < 0.0) {
        return Err(UsageError("--delay must be a non-negative number".into()));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Invocation, UsageError> {
        parse(args.iter().map(|s| s.to_string()))
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
            &["s3", "ListObjects", "--no-paginate", "--max-items", "3"],
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
                delay: Some(1.0),
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
            Command::Wait { delay: Some(d), .. } if d == 0.1
        ));
    }
}
