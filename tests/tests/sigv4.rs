//! SigV4 conformance: botocore's `aws4_testsuite` (every case) and aws-c-auth's `v4` suite
//! (header and query variants): canonical request, string to sign, signature / Authorization
//! header and the signed request, exactly.

mod signing_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sansboto_core::auth::sigv4::{
    self, PayloadHash, SigningKeyCache, SigningParams, SigningSettings,
};
use sansboto_core::auth::Credentials;
use serde_json::Value;
use signing_support::*;

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn find_cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            find_cases(&path, out);
        } else if path.extension().is_some_and(|e| e == "req") {
            out.push(path);
        }
    }
}

/// One botocore case: `<dir>/<name>.{req,creq,sts,authz,sreq}`.
fn run_botocore_case(req_path: &Path, cache: &SigningKeyCache) -> Result<(), String> {
    let file = |ext: &str| read(&req_path.with_extension(ext));
    let raw = parse_raw_request(&file("req")?)?;
    let creq = file("creq")?.replace('\r', "");
    let sts = file("sts")?.replace('\r', "");
    let authz = file("authz")?.replace('\r', "");
    let mut sreq = parse_raw_request(&file("sreq")?)?;

    // As botocore's harness: the session token is the one the canonical request shows. The
    // `post-sts-header-after` case sends a token that is added after signing (not in `.creq`):
    // that is "omit the session token from the signature" and is signed that way.
    let creq_token = creq
        .lines()
        .find_map(|l| l.strip_prefix("x-amz-security-token:"))
        .map(str::to_owned);
    let sreq_token = sreq
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-security-token"))
        .map(|(_, v)| v.trim().to_owned());
    let omit_session_token = creq_token.is_none() && sreq_token.is_some();
    let credentials = Credentials::new(ACCESS_KEY, SECRET_KEY, creq_token.or(sreq_token), None);

    let (mut request, pre_encoded) = to_http_request(&raw)?;
    let params = SigningParams {
        signing_name: "service",
        region: "us-east-1",
        time: parse_timestamp("2015-08-30T12:36:00Z")?,
        payload: PayloadHash::ComputeSha256,
        settings: SigningSettings {
            double_uri_encode: !pre_encoded,
            omit_session_token,
            ..SigningSettings::default()
        },
    };
    let out = sigv4::sign(&mut request, &credentials, &params, cache).map_err(|e| e.to_string())?;
    expect_eq("canonical request", &out.canonical_request, &creq)?;
    expect_eq("string to sign", &out.string_to_sign, &sts)?;
    let authorization = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or("no Authorization header")?;
    expect_eq("Authorization", authorization, &authz)?;

    // The signed request: same request line, same headers (as a set), same body.
    // One upstream `.sreq` (get-vanilla-with-session-token) carries a corrupted signature (the
    // token's hex rotated) that contradicts its own `.authz`, `.sts` and aws-c-auth's vector for
    // the same case; botocore never reads `.sreq`. The `.authz` is authoritative: note and use it.
    for (name, value) in sreq.headers.iter_mut() {
        if name.eq_ignore_ascii_case("authorization") && value.trim() != authz {
            println!(
                "  note {}: .sreq Authorization contradicts .authz (upstream data error); using .authz",
                req_path.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default()
            );
            *value = authz.clone();
        }
    }
    let (expected_target, _) = wire_target(&sreq.target);
    let actual_target = request.uri().path_and_query().map_or("", |p| p.as_str());
    expect_eq("request target", actual_target, &expected_target)?;
    expect_eq("method", request.method().as_str(), &sreq.method)?;
    let (actual, expected) = (header_set_of_request(&request), header_set_of_raw(&sreq));
    if actual != expected {
        return Err(format!(
            "signed headers differ\nactual   {actual:?}\nexpected {expected:?}"
        ));
    }
    let body = request.body().as_bytes().unwrap_or_default();
    if body != sreq.body.as_slice() {
        return Err("body changed".into());
    }
    Ok(())
}

#[test]
fn botocore_aws4_testsuite() {
    let dir = sansboto_tests::botocore_dir().join("tests/unit/auth/aws4_testsuite");
    let mut cases = Vec::new();
    find_cases(&dir, &mut cases);
    // 34 cases. botocore itself skips 4 cases (normalize-path/get-space: Python's request-line parser rejects the
    // space; get-vanilla-query-order-key, -key-case, -value: its harness loads the query into a
    // dict and loses repeated keys). Those are harness limits, not signer limits, so they run here.
    assert!(
        cases.len() >= 30,
        "only {} cases found under {}",
        cases.len(),
        dir.display()
    );
    let cache = SigningKeyCache::default();
    let mut tally = Tally::default();
    for case in &cases {
        let name = case
            .strip_prefix(&dir)
            .unwrap_or(case)
            .display()
            .to_string();
        tally.record(&name, run_botocore_case(case, &cache));
    }
    let (hits, misses) = cache.stats();
    println!("signing-key cache over the suite: {hits} hits, {misses} misses");
    assert_eq!(misses, 1, "one scope, so one derivation");
    tally.finish("botocore aws4_testsuite");
}

struct CrtContext {
    credentials: Credentials,
    region: String,
    service: String,
    time: std::time::SystemTime,
    normalize: bool,
    sign_body: bool,
    expires_in: Duration,
    omit_session_token: bool,
}

fn read_crt_context(dir: &Path) -> Result<CrtContext, String> {
    let ctx: Value =
        serde_json::from_str(&read(&dir.join("context.json"))?).map_err(|e| e.to_string())?;
    let s = |v: &Value| v.as_str().map(str::to_owned).ok_or("expected a string");
    let creds = &ctx["credentials"];
    Ok(CrtContext {
        credentials: Credentials::new(
            s(&creds["access_key_id"])?,
            s(&creds["secret_access_key"])?,
            creds["token"].as_str().map(str::to_owned),
            None,
        ),
        region: s(&ctx["region"])?,
        service: s(&ctx["service"])?,
        time: parse_timestamp(&s(&ctx["timestamp"])?)?,
        normalize: ctx["normalize"].as_bool().unwrap_or(true),
        sign_body: ctx["sign_body"].as_bool().unwrap_or(false),
        expires_in: Duration::from_secs(ctx["expiration_in_seconds"].as_u64().unwrap_or(3600)),
        omit_session_token: ctx["omit_session_token"].as_bool().unwrap_or(false),
    })
}

fn run_crt_v4_case(dir: &Path, variant: &str, cache: &SigningKeyCache) -> Result<(), String> {
    let ctx = read_crt_context(dir)?;
    let raw = parse_raw_request(&read(&dir.join("request.txt"))?)?;
    let (mut request, pre_encoded) = to_http_request(&raw)?;
    let settings = crt_settings(
        variant,
        pre_encoded,
        ctx.normalize,
        ctx.sign_body,
        ctx.omit_session_token,
        ctx.expires_in,
    );
    let params = SigningParams {
        signing_name: &ctx.service,
        region: &ctx.region,
        time: ctx.time,
        payload: PayloadHash::ComputeSha256,
        settings,
    };
    let out =
        sigv4::sign(&mut request, &ctx.credentials, &params, cache).map_err(|e| e.to_string())?;
    let expected = |suffix: &str| read(&dir.join(format!("{variant}-{suffix}.txt")));
    expect_eq(
        "canonical request",
        &out.canonical_request,
        &expected("canonical-request")?,
    )?;
    expect_eq(
        "string to sign",
        &out.string_to_sign,
        &expected("string-to-sign")?,
    )?;
    expect_eq("signature", &out.signature, expected("signature")?.trim())?;

    let sreq = parse_raw_request(&expected("signed-request")?)?;
    let (expected_target, _) = wire_target(&sreq.target);
    let actual_target = request.uri().path_and_query().map_or("", |p| p.as_str());
    // Query parameter order is free (botocore and aws-c-auth order them differently); compare
    // the path exactly and the parameters as a set.
    if split_target(actual_target) != split_target(&expected_target) {
        return Err(format!(
            "signed target differs\nactual   {actual_target}\nexpected {expected_target}"
        ));
    }
    let (actual, expected) = (header_set_of_request(&request), header_set_of_raw(&sreq));
    if actual != expected {
        return Err(format!(
            "signed headers differ\nactual   {actual:?}\nexpected {expected:?}"
        ));
    }
    Ok(())
}

#[test]
fn aws_c_auth_v4_suite() {
    let Some(shared) = sansboto_tests::shared_testdata_dir() else {
        println!(
            "aws-c-auth v4: 0 passed, 0 failed, all skipped: shared test data directory absent"
        );
        return;
    };
    let root = shared.join("external/awslabs-aws-c-auth/tests/aws-signing-test-suite/v4");
    if !root.is_dir() {
        println!("aws-c-auth v4: all skipped: {} absent", root.display());
        return;
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("readable suite")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("context.json").is_file())
        .collect();
    dirs.sort();
    let cache = SigningKeyCache::default();
    for variant in ["header", "query"] {
        let mut tally = Tally::default();
        for dir in &dirs {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            tally.record(&name, run_crt_v4_case(dir, variant, &cache));
        }
        tally.finish(&format!("aws-c-auth v4 ({variant})"));
    }
}
