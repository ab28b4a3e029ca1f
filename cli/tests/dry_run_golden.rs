//! `sansboto --dry-run` prints the request botocore 1.44.5 builds for the same call.
//!
//! The expected requests in `tests/golden/*.json` were made by real botocore
//! (`scripts/botocore-golden`, which runs `tests/golden/botocore_golden.py` in a pinned venv)
//! with the same keys, region, parameters and a frozen signing clock. Each case runs the built
//! binary with those keys in a clean environment and compares method, URL, body and headers.
//!
//! Documented differences, and only these, are allowed:
//! - header names compare case-insensitively and header order is irrelevant;
//! - `User-Agent` differs (it names the SDK; neither side signs it);
//! - sansboto lists `Host` explicitly (signed by both; botocore's HTTP layer adds it from the
//!   URL), so it must equal the URL's authority;
//! - per-attempt headers (`amz-sdk-invocation-id`, `amz-sdk-request`) are left out of both:
//!   sansboto adds them per attempt after signing, and the golden script unregisters
//!   botocore's `add_retry_headers` so its signature covers the same headers.

use std::path::{Path, PathBuf};
use std::process::Command;

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// The binary with a clean environment: the fixed keys, no config files, no IMDS.
fn sansboto() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sansboto"));
    sansboto_tests::test_environment(&mut cmd)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env_remove("AWS_DEFAULT_REGION");
    cmd
}

type Headers = Vec<(String, String)>;

fn headers_of(json: &serde_json::Value) -> Headers {
    json.as_array()
        .into_iter()
        .flatten()
        .filter_map(|pair| {
            Some((
                pair.get(0)?.as_str()?.to_ascii_lowercase(),
                pair.get(1)?.as_str()?.to_string(),
            ))
        })
        .collect()
}

/// Headers compared: lower-case names, sorted, without the documented differences.
fn comparable(mut headers: Headers) -> Headers {
    headers.retain(|(name, _)| {
        !matches!(
            name.as_str(),
            "user-agent" | "host" | "amz-sdk-invocation-id" | "amz-sdk-request"
        )
    });
    headers.sort();
    headers
}

fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

/// Run one golden case; `Err` lists every difference.
fn check_case(golden: &serde_json::Value) -> Result<(), Vec<String>> {
    let text = |key: &str| golden[key].as_str().unwrap_or_default().to_string();
    let output = sansboto()
        .args([
            "--dry-run",
            "--signing-time",
            &text("signing_time"),
            "--region",
            &text("region"),
            &text("service"),
            &text("operation"),
            "--params",
            &golden["params"].to_string(),
        ])
        .output()
        .map_err(|e| vec![format!("cannot run sansboto: {e}")])?;
    if !output.status.success() {
        return Err(vec![format!(
            "exit {:?}: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        )]);
    }
    let ours: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| vec![format!("stdout is not one JSON object: {e}")])?;
    let want = &golden["request"];
    let mut problems = Vec::new();
    for key in ["method", "url", "body_base64"] {
        if ours[key] != want[key] {
            problems.push(format!(
                "{key}: ours {} != botocore {}",
                ours[key], want[key]
            ));
        }
    }
    let our_headers = headers_of(&ours["headers"]);
    let url = ours["url"].as_str().unwrap_or_default();
    match our_headers.iter().find(|(n, _)| n == "host") {
        Some((_, host)) if host == authority(url) => {}
        other => problems.push(format!("host header {other:?} is not the URL's authority")),
    }
    let (ours_cmp, want_cmp) = (
        comparable(our_headers),
        comparable(headers_of(&want["headers"])),
    );
    for h in ours_cmp.iter().filter(|h| !want_cmp.contains(h)) {
        problems.push(format!("header only sansboto sends: {h:?}"));
    }
    for h in want_cmp.iter().filter(|h| !ours_cmp.contains(h)) {
        problems.push(format!("header only botocore sends: {h:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[test]
fn dry_run_matches_botocore_for_every_golden_case() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .expect("tests/golden exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let required = [
        "s3-put-object",
        "dynamodb-put-item",
        "sqs-send-message",
        "ec2-describe-instances",
        "lambda-invoke",
    ];
    for name in required {
        assert!(
            files
                .iter()
                .any(|f| f.file_stem().is_some_and(|s| s == name)),
            "golden case {name} is missing; run scripts/botocore-golden"
        );
    }
    let (mut passed, mut failed) = (0, Vec::new());
    for file in &files {
        let golden: serde_json::Value =
            serde_json::from_slice(&std::fs::read(file).expect("readable golden"))
                .expect("golden is JSON");
        assert_eq!(golden["botocore_version"], "1.44.5", "{}", file.display());
        match check_case(&golden) {
            Ok(()) => passed += 1,
            Err(problems) => {
                failed.push(format!("{}:\n  {}", file.display(), problems.join("\n  ")))
            }
        }
    }
    println!(
        "dry-run golden cases: {passed} passed, {} failed, 0 skipped",
        failed.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn dry_run_output_changes_with_the_parameters() {
    // The comparison above can fail: a different body must give a different signature.
    let golden: serde_json::Value = serde_json::from_slice(
        &std::fs::read(golden_dir().join("lambda-invoke.json")).expect("golden"),
    )
    .expect("JSON");
    let mut changed = golden.clone();
    changed["params"]["Payload"] = serde_json::json!("{\"key\": \"other\"}");
    let problems = check_case(&changed).expect_err("a changed payload must not match");
    assert!(problems.iter().any(|p| p.starts_with("body_base64")));
    assert!(problems.iter().any(|p| p.contains("authorization")));
}

#[test]
fn signing_time_needs_dry_run() {
    let out = sansboto()
        .args([
            "--signing-time",
            "2024-01-01T00:00:00Z",
            "s3",
            "ListBuckets",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(252));
    assert!(out.stdout.is_empty());
}

#[test]
fn dry_run_sends_nothing_and_needs_no_network() {
    // An endpoint nobody listens on: a dry run must still succeed, since nothing is sent.
    let out = sansboto()
        .args([
            "--dry-run",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "s3",
            "get-object",
            "--params",
            r#"{"Bucket": "b", "Key": "k"}"#,
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(json["method"], "GET");
    assert_eq!(json["url"], "http://127.0.0.1:9/b/k");
}

/// A Bedrock API key in the environment: the dry run needs no credentials (a failing
/// `credential_process` is never run) and shows the key's scheme, not the key, which lives for
/// months unlike a signature.
#[test]
fn a_bedrock_api_key_is_used_and_not_shown() {
    let config = std::env::temp_dir().join(format!("sansboto-bearer-{}.ini", std::process::id()));
    std::fs::write(
        &config,
        "[default]\ncredential_process = /nonexistent/sansboto-credential-process\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sansboto"))
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-secret")
        .args([
            "--dry-run",
            "--region",
            "us-east-1",
            "bedrock",
            "list-foundation-models",
        ])
        .output()
        .unwrap();
    std::fs::remove_file(&config).ok();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let request: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let headers = headers_of(&request["headers"]);
    assert!(
        headers
            .iter()
            .any(|(name, value)| name == "authorization" && value == "Bearer <redacted>"),
        "{headers:?}"
    );
    assert!(!stdout.contains("bedrock-api-key-secret"), "{stdout}");
}
