//! The command retries as aws-cli v1 (1.46.3) does, next to it: both run the same call against
//! their own loopback server that answers every request `500 InternalError`, and send the same
//! attempts (the server records each one's `amz-sdk-request`, its `ttl` value left out) and end
//! with the same `reached max retries: N`:
//! - with no retry mode configured, legacy (aws-cli's botocore defaults to it, botocore 1.44.5,
//!   which the library follows, to standard): 5 attempts, `attempt=1` then
//!   `ttl=…; attempt=2; max=5`…;
//! - `AWS_MAX_ATTEMPTS` counting every attempt in legacy mode too;
//! - a mode configured (`AWS_RETRY_MODE`, the profile's `retry_mode` and `max_attempts`,
//!   `AWS_DEFAULTS_MODE=standard`) winning over that default.
//!
//! Each for an `s3api put-object` and an `s3 cp` upload. One difference is left, in standard
//! mode: botocore 1.44.5 names `max` in the first attempt's header too (`attempt=1; max=3`),
//! aws-cli's older botocore only from the second; the library keeps botocore's. Not followed:
//! aws-cli's botocore makes standard its default when `AWS_NEW_RETRIES_2026` is set, a switch
//! it documents as internal and not to be used.

use std::path::{Path, PathBuf};

use sansboto_tests::script_server::{Action, ScriptServer};

/// What every request gets.
const ANSWER: &str = "<Error><Code>InternalError</Code><Message>boom</Message></Error>";

/// What one run did.
#[derive(Debug)]
struct Run {
    /// Each request's `amz-sdk-request`, its `ttl` value replaced by `TTL`.
    attempts: Vec<String>,
    status: Option<i32>,
    stderr: String,
}

/// A directory of its own for `name`, holding `f.txt` (and the config file a scenario gives).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sansboto-retries-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("f.txt"), b"hi\n").unwrap();
    dir
}

/// `args` run in `dir` by aws-cli (`aws`) or by sansboto, with `env` set too, against a server
/// of its own (`AWS_ENDPOINT_URL`).
fn run(aws: bool, dir: &Path, env: &[(&str, String)], args: &[&str]) -> Run {
    // With a `Date`, from which a retry's `ttl` is reckoned.
    let server = ScriptServer::start(|_, _| {
        let date = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT");
        let headers = [
            ("Content-Type", "text/xml".to_string()),
            ("Date", date.to_string()),
        ];
        let headers = headers.map(|(k, v)| (k.to_string(), v)).to_vec();
        Action::Respond(500, headers, ANSWER.as_bytes().to_vec())
    });
    let mut cmd = sansboto_tests::cli_command(aws, env!("CARGO_BIN_EXE_sansboto"));
    let out = cmd
        .current_dir(dir)
        .env("AWS_ENDPOINT_URL", server.url())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(args)
        .output()
        .expect("runs");
    let attempts = server
        .seen()
        .iter()
        .map(|seen| {
            let header = seen.header("amz-sdk-request").unwrap_or("(none)");
            let parts = header
                .split("; ")
                .map(|part| match part.strip_prefix("ttl=") {
                    Some(_) => "ttl=TTL",
                    None => part,
                });
            parts.collect::<Vec<_>>().join("; ")
        })
        .collect();
    Run {
        attempts,
        status: out.status.code(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The `N` of `reached max retries: N` in aws-cli's text.
fn reached_max_retries(text: &str) -> Option<i64> {
    let (_, rest) = text.split_once("(reached max retries: ")?;
    rest.split_once(')')?.0.parse().ok()
}

/// How the first attempt's header may differ: botocore 1.44.5's standard mode seeds `max` on
/// it (its `MaxAttemptsSeeder`), aws-cli 1.46.3's botocore does not; legacy mode names it on
/// neither.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Legacy,
    Standard,
}

/// aws-cli's attempts, with `; max=N` added to the first as sansboto sends it in `mode`.
fn as_sansboto_sends(aws: &[String], mode: Mode) -> Vec<String> {
    let mut expected = aws.to_vec();
    if mode == Mode::Standard {
        let max = aws
            .last()
            .and_then(|h| h.split("; ").find(|p| p.starts_with("max=")));
        if let (Some(first), Some(max)) = (expected.first_mut(), max) {
            first.push_str(&format!("; {max}"));
        }
    }
    expected
}

/// Run the scenario `name` (`env`, and a config file when `config` is given) with both tools,
/// an `s3api put-object` and an `s3 cp` upload each, all four at once, and compare.
fn compare(name: &str, env: &[(&str, &str)], config: Option<&str>, mode: Mode) {
    let dir = scratch(name);
    let mut env: Vec<(&str, String)> = env.iter().map(|(k, v)| (*k, v.to_string())).collect();
    if let Some(config) = config {
        std::fs::write(dir.join("config"), config).unwrap();
        let path = dir.join("config").to_string_lossy().into_owned();
        env.push(("AWS_CONFIG_FILE", path));
    }
    let api: &[&str] = &[
        "s3api",
        "put-object",
        "--bucket",
        "bkt",
        "--key",
        "k",
        "--body",
        "f.txt",
    ];
    let cp: &[&str] = &["s3", "cp", "f.txt", "s3://bkt/f.txt"];
    let [aws_api, ours_api, aws_cp, ours_cp] = std::thread::scope(|s| {
        let runs = [(true, api), (false, api), (true, cp), (false, cp)].map(|(aws, args)| {
            let (dir, env) = (&dir, &env);
            s.spawn(move || run(aws, dir, env, args))
        });
        runs.map(|r| r.join().unwrap())
    });
    let _ = std::fs::remove_dir_all(&dir);

    // The reference retried and said so (a run that sent nothing must not pass as equal).
    for aws in [&aws_api, &aws_cp] {
        assert!(
            aws.attempts.len() > 1,
            "{name}: aws-cli did not retry: {aws:?}"
        );
        assert!(
            reached_max_retries(&aws.stderr).is_some(),
            "{name}: {aws:?}"
        );
    }

    // s3api: the same attempts and retries, and the same error text (`(reached max retries:
    // N)`), with aws-cli v2's exit status for a service error, 254, where aws-cli v1 exits 255.
    assert_eq!(
        ours_api.attempts,
        as_sansboto_sends(&aws_api.attempts, mode),
        "{name}: s3api put-object\naws-cli: {aws_api:?}\nsansboto: {ours_api:?}"
    );
    assert!(
        reached_max_retries(&ours_api.stderr).is_some(),
        "{name}: {ours_api:?}"
    );
    assert_eq!(ours_api.stderr, aws_api.stderr, "{name}: s3api put-object");
    assert_eq!((aws_api.status, ours_api.status), (Some(255), Some(254)));

    // s3 cp: the same attempts, the same `upload failed: …` line and exit status.
    assert_eq!(
        ours_cp.attempts,
        as_sansboto_sends(&aws_cp.attempts, mode),
        "{name}: s3 cp\naws-cli: {aws_cp:?}\nsansboto: {ours_cp:?}"
    );
    assert_eq!(ours_cp.stderr, aws_cp.stderr, "{name}: s3 cp");
    assert_eq!(ours_cp.status, aws_cp.status, "{name}: s3 cp");
}

#[test]
fn legacy_retries_when_no_mode_is_configured() {
    compare("none", &[], None, Mode::Legacy);
}

#[test]
fn legacy_retries_take_aws_max_attempts() {
    compare(
        "max-attempts",
        &[("AWS_MAX_ATTEMPTS", "3")],
        None,
        Mode::Legacy,
    );
}

#[test]
fn a_configured_standard_mode_wins() {
    compare(
        "env-standard",
        &[("AWS_RETRY_MODE", "standard")],
        None,
        Mode::Standard,
    );
}

#[test]
fn the_profiles_retry_mode_and_max_attempts_win() {
    let config = "[default]\nretry_mode = standard\nmax_attempts = 2\n";
    compare("profile-standard", &[], Some(config), Mode::Standard);
}

#[test]
fn a_defaults_mode_retry_mode_wins() {
    compare(
        "defaults-mode",
        &[("AWS_DEFAULTS_MODE", "standard")],
        None,
        Mode::Standard,
    );
    // `auto` picks one of the modes whose retries are standard; `legacy` keeps legacy's.
    compare(
        "defaults-mode-auto",
        &[("AWS_DEFAULTS_MODE", "auto")],
        None,
        Mode::Standard,
    );
    compare(
        "defaults-mode-legacy",
        &[("AWS_DEFAULTS_MODE", "legacy")],
        None,
        Mode::Legacy,
    );
}
