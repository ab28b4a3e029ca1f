//! S3's region redirect end to end: real clients (tokio, async-std, blocking) against a local
//! server playing S3 for buckets that live in other regions than the client's.
//!
//! The setup: the client is pointed at the loopback server with `endpoint_url`. botocore
//! 1.44.5 registers its redirector for every S3 client, custom endpoint URL included (checked by
//! `botocore_redirects_with_a_custom_endpoint_too` below, with botocore itself against the same
//! server): the endpoint rules then resolve the same URL for the new region but sign for it. So
//! this exercises the whole redirect path — the decision, the `HeadBucket` probe, the endpoint
//! re-resolution and re-signing, the per-client memory — and the server tells the regions apart
//! by the `Credential=` scope each request was signed for, as S3 tells them apart by host and
//! signature. (That the host changes too without a custom endpoint is checked in the core's
//! unit tests, `client::redirect`.)

mod e2e_support;

use std::collections::HashMap;

use e2e_support::{blocking_session, core_session, tokio_session, Action, ScriptServer, Seen};
use sansboto_core::params;
use sansboto_core::Error;
use sansboto_core::Value;

/// The client's region; every bucket below lives elsewhere.
const CLIENT_REGION: &str = "us-west-2";

/// How each bucket answers a request signed for the wrong region.
#[derive(Clone, Copy)]
enum WrongRegion {
    /// `301 PermanentRedirect` with `x-amz-bucket-region`.
    RedirectWithHeader,
    /// `400 AuthorizationHeaderMalformed` naming the region in `<Region>`.
    MalformedAuthorization,
    /// `301 PermanentRedirect` saying nothing of the region: only `HEAD /bucket` tells.
    SilentRedirect,
}

fn buckets() -> HashMap<&'static str, (&'static str, WrongRegion)> {
    HashMap::from([
        (
            "header-bucket",
            ("eu-west-1", WrongRegion::RedirectWithHeader),
        ),
        (
            "auth-bucket",
            ("ap-south-1", WrongRegion::MalformedAuthorization),
        ),
        (
            "silent-bucket",
            ("eu-central-1", WrongRegion::SilentRedirect),
        ),
    ])
}

/// The region a request was signed for (the `Credential=` scope of its Authorization header).
fn signed_region(seen: &Seen) -> String {
    let auth = seen.header("authorization").unwrap_or_default();
    auth.split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').nth(2))
        .unwrap_or_default()
        .to_string()
}

fn error_xml(code: &str, extra: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>wrong region</Message>{extra}<RequestId>R1</RequestId><HostId>H1</HostId></Error>")
        .into_bytes()
}

/// S3 as far as regions go: `GET /bucket/key` and `HEAD /bucket`, answered by where the bucket
/// lives and what the request was signed for.
fn play_s3(seen: &Seen, _index: usize) -> Action {
    let path = seen.path.trim_start_matches('/');
    let bucket = path.split(['/', '?']).next().unwrap_or_default();
    let Some(&(home, wrong)) = buckets().get(bucket) else {
        return Action::Respond(404, vec![], error_xml("NoSuchBucket", ""));
    };
    let region_header = || vec![("x-amz-bucket-region".to_string(), home.to_string())];
    if seen.method == "HEAD" {
        // HeadBucket tells the bucket's region whoever asks (S3 sends the header on a 301 too).
        return Action::Respond(200, region_header(), vec![]);
    }
    if signed_region(seen) == home {
        return Action::Respond(200, vec![], format!("hello from {home}").into_bytes());
    }
    let xml = |status, headers: Vec<(String, String)>, body| {
        let mut headers = headers;
        headers.push(("Content-Type".into(), "application/xml".into()));
        Action::Respond(status, headers, body)
    };
    match wrong {
        WrongRegion::RedirectWithHeader => xml(
            301,
            region_header(),
            error_xml("PermanentRedirect", "<Endpoint>s3.amazonaws.com</Endpoint>"),
        ),
        WrongRegion::MalformedAuthorization => xml(
            400,
            vec![],
            error_xml(
                "AuthorizationHeaderMalformed",
                &format!("<Region>{home}</Region>"),
            ),
        ),
        WrongRegion::SilentRedirect => xml(
            301,
            vec![],
            error_xml("PermanentRedirect", "<Endpoint>s3.amazonaws.com</Endpoint>"),
        ),
    }
}

/// One call as the server saw it: method, path, signing region.
type Exchange = (String, String, String);

fn exchanges(server: &ScriptServer, from: usize) -> Vec<Exchange> {
    server.seen()[from..]
        .iter()
        .map(|s| (s.method.clone(), s.path.clone(), signed_region(s)))
        .collect()
}

fn ex(method: &str, path: &str, region: &str) -> Exchange {
    (method.into(), path.into(), region.into())
}

fn retry_attempts(out: &Value) -> Option<i64> {
    out["ResponseMetadata"]["RetryAttempts"].as_i64()
}

/// What every transport must produce against [`play_s3`]: for each bucket, the first call is
/// redirected (through a `HeadBucket` probe for the silent one) and the second goes straight
/// to the bucket's region.
fn check_scenario(server: &ScriptServer, mut call: impl FnMut(&str) -> Result<Value, Error>) {
    let cases = [
        (
            "header-bucket",
            vec![
                ex("GET", "/header-bucket/k", CLIENT_REGION),
                ex("GET", "/header-bucket/k", "eu-west-1"),
            ],
        ),
        (
            "auth-bucket",
            vec![
                ex("GET", "/auth-bucket/k", CLIENT_REGION),
                ex("GET", "/auth-bucket/k", "ap-south-1"),
            ],
        ),
        (
            "silent-bucket",
            vec![
                ex("GET", "/silent-bucket/k", CLIENT_REGION),
                ex("HEAD", "/silent-bucket", CLIENT_REGION),
                ex("GET", "/silent-bucket/k", "eu-central-1"),
            ],
        ),
    ];
    for (bucket, first) in cases {
        let home = buckets()[bucket].0;
        let before = server.seen().len();
        let out = call(bucket).unwrap_or_else(|e| panic!("{bucket}: {e}"));
        assert_eq!(exchanges(server, before), first, "{bucket}: first call");
        assert_eq!(
            retry_attempts(&out),
            Some(1),
            "{bucket}: the redirect is one retry"
        );
        // The redirected attempt announces itself as the second (botocore's attempt=2).
        let redirected = server.seen().last().cloned().unwrap();
        assert!(
            redirected
                .header("amz-sdk-request")
                .is_some_and(|h| h.starts_with("attempt=2")),
            "{:?}",
            redirected.header("amz-sdk-request")
        );

        let before = server.seen().len();
        let out = call(bucket).unwrap_or_else(|e| panic!("{bucket} again: {e}"));
        assert_eq!(
            exchanges(server, before),
            [ex("GET", &format!("/{bucket}/k"), home)],
            "{bucket}: the client remembers the bucket's region"
        );
        assert_eq!(retry_attempts(&out), Some(0));
    }
}

#[test]
fn tokio_client_follows_s3_to_the_buckets_region() {
    let server = ScriptServer::start(play_s3);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = rt.block_on(async {
        tokio_session(core_session(&[], None, None))
            .client("s3")
            .region(CLIENT_REGION)
            .endpoint_url(server.url())
            .credentials("AKIDREDIRECT", "secret", None)
            .build()
            .await
            .unwrap()
    });
    check_scenario(&server, |bucket| {
        rt.block_on(client.call("GetObject", params! {"Bucket": bucket, "Key": "k"}))
    });
}

#[test]
fn async_std_client_follows_s3_to_the_buckets_region() {
    let server = ScriptServer::start(play_s3);
    let client = async_std::task::block_on(
        sansboto_core::runtime::RuntimeSession::<sansboto_async_std::HttpClient>::from_core(Ok(
            core_session(&[], None, None),
        ))
        .client("s3")
        .region(CLIENT_REGION)
        .endpoint_url(server.url())
        .credentials("AKIDREDIRECT", "secret", None)
        .build(),
    )
    .unwrap();
    check_scenario(&server, |bucket| {
        async_std::task::block_on(client.call("GetObject", params! {"Bucket": bucket, "Key": "k"}))
    });
}

#[test]
fn blocking_client_follows_s3_to_the_buckets_region() {
    let server = ScriptServer::start(play_s3);
    let client = blocking_session(core_session(&[], None, None))
        .client("s3")
        .region(CLIENT_REGION)
        .endpoint_url(server.url())
        .credentials("AKIDREDIRECT", "secret", None)
        .build()
        .unwrap();
    check_scenario(&server, |bucket| {
        client.call("GetObject", params! {"Bucket": bucket, "Key": "k"})
    });
}

/// botocore itself against the same server: the same requests, signed for the same regions,
/// in the same order — the reference the three transports are held to above.
#[test]
fn botocore_redirects_with_a_custom_endpoint_too() {
    let server = ScriptServer::start(play_s3);
    let snippet = format!(
        r#"
client = session.create_client('s3', region_name={CLIENT_REGION:?}, endpoint_url={url:?},
    aws_access_key_id='AKIDREDIRECT', aws_secret_access_key='secret')
attempts = []
for bucket in ['header-bucket', 'auth-bucket', 'silent-bucket']:
    for _ in range(2):
        out = client.get_object(Bucket=bucket, Key='k')
        attempts.append(out['ResponseMetadata']['RetryAttempts'])
emit(attempts)
"#,
        url = server.url()
    );
    let attempts = sansboto_tests::botocore::run(&snippet, &[]);
    assert_eq!(attempts, serde_json::json!([1, 0, 1, 0, 1, 0]));
    let botocore_saw = exchanges(&server, 0);

    let reference = ScriptServer::start(play_s3);
    let client = blocking_session(core_session(&[], None, None))
        .client("s3")
        .region(CLIENT_REGION)
        .endpoint_url(reference.url())
        .credentials("AKIDREDIRECT", "secret", None)
        .build()
        .unwrap();
    for bucket in ["header-bucket", "auth-bucket", "silent-bucket"] {
        for _ in 0..2 {
            client
                .call("GetObject", params! {"Bucket": bucket, "Key": "k"})
                .unwrap();
        }
    }
    assert_eq!(exchanges(&reference, 0), botocore_saw);
    assert_eq!(botocore_saw.len(), 10, "{botocore_saw:?}");
}
