//! Commands aws-cli adds under a service, which no model has as an operation:
//!
//! - `ecr get-login-password` and `ecr-public get-login-password` (its `ecr.py` and
//!   `ecr_public.py`): `GetAuthorizationToken`, its first token decoded, the password after
//!   `AWS:` printed, for `docker login --password-stdin`;
//! - `rds generate-db-auth-token --hostname H --port P --username U` (its `rds.py`): an IAM
//!   authentication token, as botocore's `generate_db_auth_token` makes it, in the client's
//!   region.
//!
//! (`eks get-token` is its own command line; see `args.rs`.)

use base64::Engine as _;
use sansboto_core::runtime::RuntimeSession;
use sansboto_core::{params, Value};

use crate::args::{CallOptions, GlobalOptions};
use crate::output::{self, Failure};
use sansboto_blocking::HttpClient;

/// aws-cli's command `operation` of `service` (the model's name), if it is one.
pub(crate) fn is_command(service: &str, operation: &str) -> bool {
    matches!(
        (service, operation),
        ("ecr" | "ecr-public", "get-login-password") | ("rds", "generate-db-auth-token")
    )
}

/// Runs [`is_command`]'s command.
pub(crate) fn run(
    session: &RuntimeSession<HttpClient>,
    global: &GlobalOptions,
    service: &str,
    operation: &str,
    options: &CallOptions,
) -> Result<(), Failure> {
    refuse_call_options(global, service, operation, options)?;
    match operation {
        "get-login-password" => {
            unknown_options(&options.operation_args)?;
            let client = crate::build_client(session, global, service)?;
            let out = client.call("GetAuthorizationToken", params! {})?;
            // ECR answers a list (one per registry asked for), ECR Public one.
            let data = match &out["authorizationData"] {
                Value::List(all) => all.first().cloned().unwrap_or(Value::Null),
                one => one.clone(),
            };
            let password = login_password(data["authorizationToken"].as_str().unwrap_or(""))?;
            output::print_stdout(&password)
        }
        _ => {
            let (hostname, port, username) = db_auth_token_args(&options.operation_args)?;
            let client = crate::build_client(session, global, "rds")?;
            let token = client.generate_db_auth_token(&hostname, port, &username, None)?;
            output::print_stdout(&token)
        }
    }
}

/// aws-cli's commands of their own take none of this command's options for calls
/// (`--dry-run`, `--params`, `--outfile`, the paging options).
pub(crate) fn refuse_call_options(
    global: &GlobalOptions,
    service: &str,
    operation: &str,
    options: &CallOptions,
) -> Result<(), Failure> {
    if global.dry_run
        || options.params.is_some()
        || options.outfile.is_some()
        || options.no_paginate
        || options.has_pagination_flags()
    {
        return Err(Failure::Usage(format!(
            "{service} {operation} takes none of --dry-run, --params, --outfile and the paging \
             options"
        )));
    }
    Ok(())
}

/// The password of an `authorizationToken` (`base64("AWS:<password>")`), as aws-cli splits it.
fn login_password(token: &str) -> Result<String, Failure> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let bad = || {
        Failure::client(
            "ResponseParserError",
            "the authorization token is not base64 of USER:PASSWORD",
        )
    };
    let decoded = decoded.ok_or_else(bad)?;
    match decoded.split(':').collect::<Vec<_>>().as_slice() {
        [_, password] => Ok(password.to_string()),
        _ => Err(bad()),
    }
}

/// Any word left is refused, as aws-cli refuses it.
pub(crate) fn unknown_options(args: &[String]) -> Result<(), Failure> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(Failure::Usage(format!(
            "Unknown options: {}",
            args.join(",")
        )))
    }
}

/// `generate-db-auth-token`'s three options (abbreviations read as aws-cli's parser reads them),
/// all required; the port an integer as Python's `int` reads it.
fn db_auth_token_args(args: &[String]) -> Result<(String, u16, String), Failure> {
    const NAMES: [&str; 3] = ["hostname", "port", "username"];
    let mut values: [Option<String>; 3] = Default::default();
    let mut unknown = Vec::new();
    let mut words = args.iter().peekable();
    while let Some(word) = words.next() {
        let full = crate::abbrev::expand(word, NAMES).map_err(Failure::Usage)?;
        let Some(full) = full else {
            unknown.push(word.clone());
            continue;
        };
        let (name, inline) = match full[2..].split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (full[2..].to_string(), None),
        };
        let Some(at) = NAMES.iter().position(|n| *n == name) else {
            unknown.push(word.clone());
            continue;
        };
        let value = match inline {
            Some(v) => v,
            None => words
                .next_if(|w| !w.starts_with("--"))
                .cloned()
                .ok_or_else(|| {
                    Failure::Usage(format!("argument --{name}: expected one argument"))
                })?,
        };
        values[at] = Some(value);
    }
    unknown_options(&unknown)?;
    let missing: Vec<&str> = ["--hostname", "--port", "--username"]
        .into_iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| n)
        .collect();
    let [Some(hostname), Some(port), Some(username)] = values else {
        // (`require` refuses: one at least is missing.)
        return crate::output::require(&missing).map(|()| Default::default());
    };
    // As aws-cli fails (Python's `int`, then the URL's port check).
    let port = match sansboto_core::config::py_int(&port) {
        None => Err(format!("invalid literal for int() with base 10: '{port}'")),
        Some(n) if n < 0 => Err(format!("Port could not be cast to integer value as '{n}'")),
        Some(n) => u16::try_from(n).map_err(|_| "Port out of range 0-65535".to_string()),
    }
    .map_err(Failure::Raised)?;
    Ok((hostname, port, username))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_password_is_what_follows_aws() {
        let token = base64::engine::general_purpose::STANDARD.encode("AWS:secret-pass");
        assert_eq!(login_password(&token).unwrap(), "secret-pass");
        let odd = base64::engine::general_purpose::STANDARD.encode("AWS:a:b");
        assert!(login_password(&odd).is_err());
        assert!(login_password("not base64!").is_err());
    }

    #[test]
    fn db_auth_token_takes_three_required_options() {
        assert_eq!(
            db_auth_token_args(&words(&["--hostname", "h", "--port=5432", "--user", "u"])).ok(),
            Some(("h".into(), 5432, "u".into()))
        );
        let missing = db_auth_token_args(&words(&["--hostname", "h"]))
            .err()
            .unwrap();
        assert!(
            format!("{missing:?}")
                .contains("the following arguments are required: --port, --username"),
            "{missing:?}"
        );
        assert!(db_auth_token_args(&words(&[
            "--hostname",
            "h",
            "--port",
            "x",
            "--username",
            "u"
        ]))
        .is_err());
        assert!(db_auth_token_args(&words(&[
            "--hostname",
            "h",
            "--port",
            "1",
            "--username",
            "u",
            "--other"
        ]))
        .is_err());
    }
}
