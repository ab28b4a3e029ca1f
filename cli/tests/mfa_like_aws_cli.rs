//! Assumed roles next to aws-cli 1.46.3. A role profile with `mfa_serial`: the MFA code is asked for as
//! botocore asks through `getpass` (with no terminal, as here: its warning and the prompt on
//! standard error, the code read from standard input) and sent in `AssumeRole` as
//! `SerialNumber` and `TokenCode`; the call is then signed with the role's credentials. And
//! aws-cli's cache of assumed roles (`~/.aws/cli/cache`), for role profiles and web identity:
//! the same files, each tool using the other's. Each command runs against a loopback server of
//! its own that answers STS and DynamoDB.

use std::io::Write;
use std::process::Stdio;

use sansboto_tests::script_server::{Action, ScriptServer};

const SERIAL: &str = "arn:aws:iam::123456789012:mfa/tester";

/// STS's `AssumeRole` or `AssumeRoleWithWebIdentity` answer, or DynamoDB's table list.
fn answer(seen: &sansboto_tests::script_server::Seen, _: usize) -> Action {
    let body = String::from_utf8_lossy(&seen.body);
    let Some(action) = body
        .split('&')
        .find_map(|f| f.strip_prefix("Action="))
        .map(str::to_owned)
    else {
        return Action::json(200, r#"{"TableNames":["t"]}"#);
    };
    let expiry = chrono::Utc::now() + chrono::Duration::hours(1);
    // The outer role of a chain has keys of its own.
    let key = if body.contains("role%2Fouter") {
        "AKIDOUTER"
    } else {
        "AKIDROLE"
    };
    let xml = format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <{action}Result><Credentials><AccessKeyId>{key}</AccessKeyId>\
         <SecretAccessKey>role-secret</SecretAccessKey><SessionToken>role-token</SessionToken>\
         <Expiration>{}</Expiration></Credentials><AssumedRoleUser>\
         <AssumedRoleId>AROA:s</AssumedRoleId>\
         <Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn></AssumedRoleUser>\
         </{action}Result></{action}Response>",
        expiry.format("%Y-%m-%dT%H:%M:%SZ")
    );
    Action::xml(200, &xml)
}

/// What one run did: the `AssumeRole` form's MFA fields, the key the table listing was signed
/// with, standard error, and whether it succeeded.
#[derive(Debug, PartialEq)]
struct Run {
    mfa_fields: Vec<String>,
    listing_key: Option<String>,
    stderr: String,
    success: bool,
}

/// A fresh directory for `name`: the run's home and config.
fn fresh_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sansboto-mfa-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The files of aws-cli's assumed-role cache under `home`.
fn cached_files(home: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(home.join(".aws/cli/cache"))
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn run(aws: bool, stdin: &str) -> Run {
    let dir = fresh_dir(if aws { "aws" } else { "sansboto" });
    let run = run_in(aws, stdin, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    run
}

/// One run with `dir` as its home (where aws-cli's cache is) and config directory.
fn run_in(aws: bool, stdin: &str, dir: &std::path::Path) -> Run {
    run_profile(aws, stdin, dir, "mfa")
}

/// [`run_in`] with `profile`: `mfa` (a role with `mfa_serial` over static keys) or `chained`
/// (another role whose source is `mfa`).
fn run_profile(aws: bool, stdin: &str, dir: &std::path::Path, profile: &str) -> Run {
    let server = ScriptServer::start(answer);
    let config = dir.join("config");
    std::fs::write(
        &config,
        format!(
            "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n\
             [profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/r\n\
             source_profile = base\nmfa_serial = {SERIAL}\nregion = us-east-1\n\
             [profile chained]\nrole_arn = arn:aws:iam::123456789012:role/outer\n\
             source_profile = mfa\nregion = us-east-1\n"
        ),
    )
    .unwrap();
    let mut cmd = sansboto_tests::cli_command(aws, env!("CARGO_BIN_EXE_sansboto"));
    let mut child = cmd
        .env("AWS_ENDPOINT_URL", server.url())
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .env("AWS_PROFILE", profile)
        // A home of its own: aws-cli keeps assumed-role credentials in `~/.aws/cli/cache`.
        .env("HOME", dir)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .args(["dynamodb", "list-tables"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let seen = server.seen();
    let mfa_fields = seen
        .iter()
        .flat_map(|s| {
            let body = String::from_utf8_lossy(&s.body).into_owned();
            let fields: Vec<String> = body
                .split('&')
                .filter(|f| f.starts_with("SerialNumber=") || f.starts_with("TokenCode="))
                .map(str::to_owned)
                .collect();
            fields
        })
        .collect();
    let listing_key = seen
        .iter()
        .find(|s| s.header("x-amz-target").is_some())
        .and_then(|s| s.header("authorization"))
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').next())
        .map(str::to_owned);
    Run {
        mfa_fields,
        listing_key,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        success: out.status.success(),
    }
}

#[test]
fn the_mfa_code_is_asked_for_and_sent_as_aws_cli_does() {
    let mut theirs = run(true, "123456\n");
    // Python's own report of `getpass`'s `GetPassWarning` (its source file and line, then the
    // line of code) is the interpreter's, not aws-cli's; `getpass`'s warning line is kept.
    let python_warning = theirs.stderr.find("Warning: Password").unwrap_or(0);
    theirs.stderr.replace_range(..python_warning, "");
    let ours = run(false, "123456\n");
    assert_eq!(ours, theirs);
    assert!(ours.success, "{ours:?}");
    let serial = "SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Ftester";
    assert_eq!(ours.mfa_fields, [serial, "TokenCode=123456"]);
    assert_eq!(ours.listing_key.as_deref(), Some("AKIDROLE"));
    assert_eq!(
        ours.stderr,
        format!("Warning: Password input may be echoed.\nEnter MFA code for {SERIAL}: \n")
    );
}

/// aws-cli keeps the assumed role's answer in `~/.aws/cli/cache`; the command keeps it in the
/// same file, and each uses the other's: the second run asks for no code and assumes no role.
#[test]
fn assumed_roles_are_cached_in_aws_clis_files_and_shared_with_it() {
    for (first, second) in [(true, false), (false, true), (false, false)] {
        let home = fresh_dir(&format!("cache-{first}-{second}"));
        let made = run_in(first, "123456\n", &home);
        assert!(made.success, "{made:?}");
        assert_eq!(made.mfa_fields.len(), 2, "the first run assumes the role");
        let files = cached_files(&home);
        assert_eq!(files.len(), 1, "{files:?}");
        let reused = run_in(second, "", &home);
        assert!(reused.success, "aws-cli first: {first}: {reused:?}");
        assert_eq!(reused.mfa_fields, Vec::<String>::new(), "no AssumeRole");
        assert_eq!(reused.stderr, "", "no prompt");
        assert_eq!(reused.listing_key.as_deref(), Some("AKIDROLE"));
        assert_eq!(cached_files(&home), files);
        let _ = std::fs::remove_dir_all(&home);
    }
}

/// aws-cli caches web identity's assumed role in the same files (named by the role alone); the
/// command does too, and each uses the other's: the second run reads no token and calls no STS.
#[test]
fn web_identity_roles_are_cached_in_aws_clis_files_and_shared_with_it() {
    for (first, second) in [(true, false), (false, true)] {
        let home = fresh_dir(&format!("web-{first}-{second}"));
        let token = home.join("token");
        std::fs::write(&token, "header.payload.signature").unwrap();
        let web = |aws: bool| {
            let server = ScriptServer::start(answer);
            let out = sansboto_tests::cli_command(aws, env!("CARGO_BIN_EXE_sansboto"))
                .env("AWS_ENDPOINT_URL", server.url())
                .env("HOME", &home)
                .env("AWS_CONFIG_FILE", home.join("none"))
                .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"))
                .env("AWS_WEB_IDENTITY_TOKEN_FILE", &token)
                .env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web")
                .env("AWS_DEFAULT_REGION", "us-east-1")
                .env_remove("AWS_ACCESS_KEY_ID")
                .env_remove("AWS_SECRET_ACCESS_KEY")
                .env_remove("AWS_SESSION_TOKEN")
                .env_remove("AWS_PROFILE")
                .args(["dynamodb", "list-tables"])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let seen = server.seen();
            let sts_calls = seen
                .iter()
                .filter(|s| String::from_utf8_lossy(&s.body).contains("Action="))
                .count();
            (sts_calls, seen.len())
        };
        assert_eq!(web(first), (1, 2), "the first run assumes the role");
        let files = cached_files(&home);
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(
            web(second),
            (0, 1),
            "aws-cli first: {first}: the cached role is used"
        );
        assert_eq!(cached_files(&home), files);
        let _ = std::fs::remove_dir_all(&home);
    }
}

/// A chain of roles (`chained` over `mfa`, which asks for a code): the outermost role's cached
/// answer is looked for first, so with it cached and the inner role's not, neither tool asks
/// for a code or assumes a role (botocore's deferred credentials).
#[test]
fn a_chain_uses_its_outer_roles_cache_before_its_inner_role() {
    for (first, second) in [(true, false), (false, true)] {
        let home = fresh_dir(&format!("chain-{first}-{second}"));
        let made = run_profile(first, "123456\n", &home, "chained");
        assert!(made.success, "{made:?}");
        assert_eq!(made.listing_key.as_deref(), Some("AKIDOUTER"));
        let cache = home.join(".aws/cli/cache");
        let files = cached_files(&home);
        assert_eq!(files.len(), 2, "both roles cached: {files:?}");
        // The inner role's entry gone: only the outer one can answer.
        for name in &files {
            let text = std::fs::read_to_string(cache.join(name)).unwrap();
            if !text.contains("AKIDOUTER") {
                std::fs::remove_file(cache.join(name)).unwrap();
            }
        }
        let reused = run_profile(second, "", &home, "chained");
        assert!(reused.success, "aws-cli first: {first}: {reused:?}");
        assert_eq!(
            reused.mfa_fields,
            Vec::<String>::new(),
            "no AssumeRole, no code"
        );
        assert_eq!(reused.stderr, "", "no prompt");
        assert_eq!(reused.listing_key.as_deref(), Some("AKIDOUTER"));
        let _ = std::fs::remove_dir_all(&home);
    }
}
