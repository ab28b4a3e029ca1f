//! Inputs where sansboto used to differ from botocore 1.44.5, each compared with botocore on the
//! same inputs: date-only timestamps in parameters, CloudSearchDomain `Search`'s signed headers,
//! an endpoint URL whose port is out of range, `max_attempts` of 0, JSON string escapes, a
//! query-bound list given empty (the URL keeps a bare `?`; after a literal query, a deliberate
//! difference), a non-ASCII `x-amz-content-sha256` bound by a member (signed as the payload
//! hash), S3 uploads whose `Content-MD5` lets the payload go unsigned over HTTPS, and a host
//! label given empty (refused by validation).

mod e2e_support;

use std::time::{Duration, UNIX_EPOCH};

use e2e_support::core_session;
use sansboto_core::auth::{Credentials, Identity};
use sansboto_core::client::ServiceClient;
use sansboto_core::config::ConfigError;
use sansboto_core::machine::SplitMix64;
use sansboto_core::session::ClientOptions;
use sansboto_core::Error;
use sansboto_core::SerializeError;
use sansboto_core::Value;
use sansboto_tests::botocore;

fn client(service: &str, endpoint_url: Option<&str>) -> ServiceClient {
    core_session(&[], None, None)
        .service_client(
            service,
            &ClientOptions {
                region: Some("us-east-1".into()),
                endpoint_url: endpoint_url.map(String::from),
                ..Default::default()
            },
        )
        .unwrap()
}

/// The request sansboto would send, signed (method, URL, headers, body as text).
fn ours(
    service: &str,
    operation: &str,
    params: &str,
    endpoint_url: Option<&str>,
) -> Result<http::Request<sansboto_core::Body>, Error> {
    let c = client(service, endpoint_url);
    let params = Value::from(serde_json::from_str::<serde_json::Value>(params).unwrap());
    let creds = Credentials::new("AKID", "SECRET", None, None);
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let prepared = c.prepare(operation, params, &mut SplitMix64(1))?;
    c.sign(&prepared, Identity::Credentials(&creds), now, None)
}

fn body_text(request: &http::Request<sansboto_core::Body>) -> String {
    String::from_utf8(request.body().as_bytes().unwrap_or_default().to_vec()).unwrap()
}

/// Asserts `request` is the one botocore signed at the same time (`reference`, from
/// `botocore::request_signed_at`): method, URL, `x-amz-content-sha256` where botocore sends
/// it, and the whole `Authorization` header.
fn assert_signed_as_botocore(
    reference: &serde_json::Value,
    request: &http::Request<sansboto_core::Body>,
    what: &str,
) {
    assert_eq!(reference["method"], request.method().as_str(), "{what}");
    assert_eq!(
        reference["url"],
        request.uri().to_string().as_str(),
        "{what}"
    );
    // As UTF-8 text: a stated hash may be any text (`HeaderValue::to_str` takes ASCII only).
    let header = |name: &str| {
        let value = request.headers().get(name)?;
        std::str::from_utf8(value.as_bytes()).ok()
    };
    if let Some(stated) = reference["headers"]["x-amz-content-sha256"].as_str() {
        assert_eq!(Some(stated), header("x-amz-content-sha256"), "{what}");
    }
    assert_eq!(
        reference["headers"]["authorization"].as_str(),
        header("authorization"),
        "{what}"
    );
}

fn theirs(service: &str, operation: &str, params: &str, kwargs: &str) -> serde_json::Value {
    botocore::request(service, operation, params, kwargs, &[])
}

#[test]
fn date_only_timestamps_are_midnight_utc_as_in_botocore() {
    // ec2 (ISO 8601 in the form body) and JSON (epoch seconds).
    let params = r#"{"StartTime": "2020-11-05", "InstanceTypes": ["m5.large"]}"#;
    let request = ours("ec2", "DescribeSpotPriceHistory", params, None).unwrap();
    let body = body_text(&request);
    assert!(
        body.contains("StartTime=2020-11-05T00%3A00%3A00Z"),
        "{body}"
    );
    let reference = theirs(
        "ec2",
        "DescribeSpotPriceHistory",
        params,
        "region_name='us-east-1'",
    );
    assert_eq!(reference["body"], body.as_str());

    let params = r#"{"StartTime": "2020-11-05", "EndTime": "2020-11-06T12:00:00Z"}"#;
    let request = ours("cloudtrail", "LookupEvents", params, None).unwrap();
    let body: serde_json::Value = serde_json::from_str(&body_text(&request)).unwrap();
    assert_eq!(body["StartTime"], 1_604_534_400);
    let reference = theirs(
        "cloudtrail",
        "LookupEvents",
        params,
        "region_name='us-east-1'",
    );
    let reference: serde_json::Value =
        serde_json::from_str(reference["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, reference);

    // Not a date: refused by validation, naming the parameter.
    let err = ours(
        "cloudtrail",
        "LookupEvents",
        r#"{"StartTime": "2020-13-05"}"#,
        None,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert!(err.to_string().contains("StartTime"), "{err}");
}

#[test]
fn json_bodies_escape_strings_byte_for_byte_as_botocore() {
    // Control characters, DEL, non-ASCII and an astral character: `json.dumps` escapes each
    // (DEL included, as `ensure_ascii` does), and the body bytes are what is signed.
    let params = serde_json::json!({
        "TableName": "t",
        "Key": {"k": {"S": "a\"b\\c\n\t\u{8}\u{c}\u{1}\u{7f}~ é😹"}},
    })
    .to_string();
    let request = ours("dynamodb", "GetItem", &params, None).unwrap();
    let reference = theirs("dynamodb", "GetItem", &params, "region_name='us-east-1'");
    assert_eq!(reference["body"], body_text(&request).as_str());
    assert!(body_text(&request).contains(r"\u007f~ \u00e9\ud83d\ude39"));
}

/// botocore fills a left-out idempotency token before it validates (`generate_idempotent_uuid`
/// is a `before-parameter-build` handler), so a call leaving out a *required* token (Chime SDK
/// Identity `CreateAppInstanceBot`'s `ClientRequestToken`) is sent with a fresh UUID last in the
/// body; sansboto refused it as missing. A token given as null is left out the same way.
#[test]
fn a_required_idempotency_token_left_out_is_filled_as_botocore_fills_it() {
    let uuid = |body: &str| {
        let (head, tail) = body.split_once(r#""ClientRequestToken": ""#).unwrap();
        let token = &tail[..36];
        assert_eq!(token.matches('-').count(), 4, "{body}");
        format!("{head}\"ClientRequestToken\": \"<uuid>{}", &tail[36..])
    };
    let given = r#"{"AppInstanceArn": "arn:aws:chime:us-east-1:1:app-instance/x", "Configuration": {"Lex": {"RespondsTo": "STANDARD_MESSAGES", "LexBotAliasArn": "arn:aws:lex:us-east-1:1:bot-alias/x/y", "LocaleId": "en_US"}}}"#;
    let reference = theirs(
        "chime-sdk-identity",
        "CreateAppInstanceBot",
        given,
        "region_name='us-east-1'",
    );
    let theirs_body = uuid(reference["body"].as_str().unwrap());
    let with_null = given.replacen('{', r#"{"ClientRequestToken": null, "#, 1);
    for params in [given, with_null.as_str()] {
        let request = ours("chime-sdk-identity", "CreateAppInstanceBot", params, None).unwrap();
        assert_eq!(uuid(&body_text(&request)), theirs_body, "{params}");
    }
}

/// The `SignedHeaders=` list of an `Authorization` header.
fn signed_headers(authorization: &str) -> String {
    authorization
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn cloudsearchdomain_search_signs_headers_as_botocore() {
    let endpoint = "https://search-movies-abc.us-east-1.cloudsearch.amazonaws.com";
    let params = r#"{"query": "star wars", "size": 5}"#;
    let request = ours("cloudsearchdomain", "Search", params, Some(endpoint)).unwrap();
    let reference = theirs(
        "cloudsearchdomain",
        "Search",
        params,
        &format!("region_name='us-east-1', endpoint_url={endpoint:?}"),
    );
    let ours_signed = signed_headers(request.headers()["authorization"].to_str().unwrap());
    let their_signed = signed_headers(reference["headers"]["authorization"].as_str().unwrap());
    assert_eq!(ours_signed, their_signed);
    assert!(!ours_signed.contains("content-length"), "{ours_signed}");
    assert_eq!(request.method(), "POST");
    assert_eq!(reference["method"], "POST");
    assert_eq!(reference["body"], body_text(&request).as_str());
    assert_eq!(reference["url"], request.uri().to_string().as_str());
}

#[test]
fn an_endpoint_port_out_of_range_is_refused_as_botocore_refuses_it() {
    for (url, reason) in [
        ("http://127.0.0.1:99999", "Port out of range 0-65535"),
        (
            "http://127.0.0.1:-1",
            "Port could not be cast to integer value as '-1'",
        ),
    ] {
        let err = ours("sts", "GetCallerIdentity", "{}", Some(url)).unwrap_err();
        match &err {
            Error::Serialize(SerializeError::InvalidEndpoint { url: u, reason: r }) => {
                assert_eq!((u.as_str(), r.as_str()), (url, reason))
            }
            other => panic!("{url}: expected InvalidEndpoint, got {other:?}"),
        }
        let reference = theirs(
            "sts",
            "GetCallerIdentity",
            "{}",
            &format!("region_name='us-east-1', endpoint_url={url:?}"),
        );
        assert_eq!(reference["error"], format!("ValueError: {reason}").as_str());
    }
    // In range: accepted as before.
    assert!(ours(
        "sts",
        "GetCallerIdentity",
        "{}",
        Some("http://127.0.0.1:65535")
    )
    .is_ok());
}

#[test]
fn max_attempts_of_zero_is_refused_as_in_botocore() {
    let refused_by_botocore = |env: &[(&str, &str)], config: &str| {
        let out = botocore::run(
            &format!(
                r#"
from botocore.config import Config
try:
    session.create_client('sts', region_name='us-east-1', config=Config({config}))
    emit('created')
except Exception as e:
    emit(type(e).__name__)
"#
            ),
            env,
        );
        assert_eq!(out, "InvalidMaxRetryAttemptsError", "{env:?} {config}");
    };
    let expect_refused = |result: Result<ServiceClient, Error>, what: &str| match result {
        Err(Error::Config(ConfigError::InvalidValue {
            setting: "max_attempts",
            expected,
            ..
        })) => assert!(expected.contains("greater than or equal to 1"), "{what}"),
        other => panic!("{what}: expected a refusal, got {:?}", other.map(|_| ())),
    };
    let options = ClientOptions {
        region: Some("us-east-1".into()),
        ..Default::default()
    };

    refused_by_botocore(&[("AWS_MAX_ATTEMPTS", "0")], "");
    expect_refused(
        core_session(&[("AWS_MAX_ATTEMPTS", "0")], None, None).service_client("sts", &options),
        "AWS_MAX_ATTEMPTS=0",
    );
    refused_by_botocore(&[("AWS_MAX_ATTEMPTS", "-2")], "");
    expect_refused(
        core_session(&[("AWS_MAX_ATTEMPTS", "-2")], None, None).service_client("sts", &options),
        "AWS_MAX_ATTEMPTS=-2",
    );

    let dir = e2e_support::temp_dir("max-attempts");
    let config = dir.join("config");
    std::fs::write(&config, "[default]\nmax_attempts = 0\n").unwrap();
    refused_by_botocore(&[("AWS_CONFIG_FILE", config.to_str().unwrap())], "");
    expect_refused(
        core_session(&[], Some("[default]\nmax_attempts = 0\n"), None)
            .service_client("sts", &options),
        "profile max_attempts = 0",
    );
    let _ = std::fs::remove_dir_all(&dir);

    // An explicit option counts attempts in total, as botocore's `total_max_attempts`.
    refused_by_botocore(&[], "retries={'total_max_attempts': 0}");
    expect_refused(
        core_session(&[], None, None).service_client(
            "sts",
            &ClientOptions {
                max_attempts: Some(0),
                ..options.clone()
            },
        ),
        "max_attempts option 0",
    );
    // One attempt is fine.
    assert!(core_session(&[("AWS_MAX_ATTEMPTS", "1")], None, None)
        .service_client("sts", &options)
        .is_ok());
}

/// A query-bound list given empty binds its key to no values: botocore's URL still opens the
/// query (`/v1/tags/arn?`), and so does sansboto's. After a literal query in the request URI
/// botocore ends the URL in `&` (`/conversations?sync&`) and its pure-Python signer signs that
/// empty piece as `=&sync=`, where AWS's other signers (the CRT botocore uses when installed,
/// aws-sdk-rust, Go's) drop empty pieces; sansboto sends there the request botocore sends
/// without the list, which every reading signs alike (a deliberate difference). Compared with
/// botocore signed at the same time: method, URL and the whole `Authorization` header.
#[test]
fn an_empty_query_list_opens_the_query_as_in_botocore() {
    let app = "a".repeat(36);
    let chat = |extra: &str| format!(r#"{{"applicationId": "{app}", "clientToken": "t"{extra}}}"#);
    let same = |params: &str| (params.to_string(), params.to_string());
    // (sansboto's parameters, botocore's parameters for the same request)
    let cases = [
        (
            "mq",
            "DeleteTags",
            same(r#"{"ResourceArn": "arn:aws:mq:x", "TagKeys": []}"#),
        ),
        (
            "mq",
            "DeleteTags",
            same(r#"{"ResourceArn": "a", "TagKeys": ["k 1"]}"#),
        ),
        (
            "qbusiness",
            "ChatSync",
            (chat(r#", "userGroups": []"#), chat("")),
        ),
        (
            "qbusiness",
            "ChatSync",
            (
                chat(r#", "userGroups": [], "userId": "u""#),
                chat(r#", "userId": "u""#),
            ),
        ),
        ("qbusiness", "ChatSync", same(&chat(""))),
    ];
    for (service, operation, (params, reference_params)) in &cases {
        let request = ours(service, operation, params, None).unwrap();
        let reference = botocore::request_signed_at(
            service,
            operation,
            reference_params,
            "region_name='us-east-1'",
            &[],
            1_700_000_000,
        );
        let what = format!("{service} {operation} {params}");
        assert_signed_as_botocore(&reference, &request, &what);
    }
}

/// CodeArtifact's `PublishPackageVersion` binds `assetSHA256` to `x-amz-content-sha256`, and
/// botocore signs whatever that header states as the payload hash, non-ASCII text included
/// (as UTF-8); sansboto signed the body's own hash then. Compared with botocore signed at the
/// same time: the whole `Authorization` header, for an ASCII and two non-ASCII statements.
#[test]
fn a_stated_content_sha256_is_signed_as_botocore_signs_it() {
    for stated in [
        "e".repeat(64),
        format!("\u{fc}{}", "x".repeat(63)),
        format!("😀é{}", "x".repeat(62)),
    ] {
        let params = serde_json::json!({
            "domain": "dom", "repository": "repo", "format": "generic", "namespace": "n",
            "package": "p", "packageVersion": "1", "assetContent": "body",
            "assetName": "a", "assetSHA256": stated,
        })
        .to_string();
        let request = ours("codeartifact", "PublishPackageVersion", &params, None).unwrap();
        let reference = botocore::request_signed_at(
            "codeartifact",
            "PublishPackageVersion",
            &params,
            "region_name='us-east-1'",
            &[],
            1_700_000_000,
        );
        assert!(reference["headers"]["x-amz-content-sha256"].is_string());
        assert_signed_as_botocore(&reference, &request, &params);
    }
}

/// botocore's S3 signer leaves the payload of an operation with a streaming input
/// (`PutObject`, `UploadPart`, `PutObjectAnnotation`) unsigned over HTTPS when `Content-MD5`
/// vouches for it, even when the body is given as bytes: with a caller's own
/// `x-amz-checksum-*` (no trailer then), or with checksums only when required. sansboto
/// signed the body's SHA-256. A checksum header without `Content-MD5` still has the body hashed,
/// as in botocore. Compared with botocore signed at the same time: URL,
/// `x-amz-content-sha256` and the whole `Authorization` header.
#[test]
fn s3_uploads_vouched_for_by_content_md5_are_unsigned_as_in_botocore() {
    let md5 = r#""ContentMD5": "jdPnYbG1r5PO2rSH2YCKcA==""#;
    let cases = [
        (
            "PutObject",
            format!(r#"{{"Body": "data", {md5}, "ChecksumCRC32": "rfPzYw=="}}"#),
            &[][..],
        ),
        (
            "PutObject",
            r#"{"Body": "data", "ChecksumCRC32": "rfPzYw=="}"#.to_string(),
            &[],
        ),
        ("PutObject", format!(r#"{{"Body": "data", {md5}}}"#), &[]),
        (
            "PutObject",
            format!(r#"{{"Body": "data", {md5}}}"#),
            &[("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")],
        ),
        (
            "PutObject",
            r#"{"Body": "data"}"#.to_string(),
            &[("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")],
        ),
        (
            "UploadPart",
            format!(
                r#"{{"PartNumber": 1, "UploadId": "u", "Body": "", {md5}, "ChecksumSHA1": "x"}}"#
            ),
            &[],
        ),
        (
            "PutObjectAnnotation",
            format!(
                r#"{{"AnnotationName": "n", "AnnotationPayload": "data", {md5}, "ChecksumCRC32": "rfPzYw=="}}"#
            ),
            &[],
        ),
    ];
    let creds = Credentials::new("AKID", "SECRET", None, None);
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    for (operation, extra, env) in &cases {
        let params = extra.replacen('{', r#"{"Bucket": "mybucket", "Key": "k", "#, 1);
        let client = core_session(env, None, None)
            .service_client(
                "s3",
                &ClientOptions {
                    region: Some("us-east-1".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        let value = Value::from(serde_json::from_str::<serde_json::Value>(&params).unwrap());
        let prepared = client
            .prepare(operation, value, &mut SplitMix64(1))
            .unwrap();
        let request = client
            .sign(&prepared, Identity::Credentials(&creds), now, None)
            .unwrap();
        let reference = botocore::request_signed_at(
            "s3",
            operation,
            &params,
            "region_name='us-east-1'",
            env,
            1_700_000_000,
        );
        let what = format!("{operation} {params} {env:?}");
        assert!(reference["headers"]["x-amz-content-sha256"].is_string());
        assert_signed_as_botocore(&reference, &request, &what);
    }
}

/// A member bound to the host (S3 Control's `AccountId`) given empty: botocore's validation gives
/// it an implicit minimum length of 1 where its shape has none, and refuses the call with the
/// same message as sansboto's validation.
#[test]
fn an_empty_host_label_is_refused_as_botocore_refuses_it() {
    let params = r#"{"AccountId": "", "Name": "ap"}"#;
    let theirs = botocore::run(
        &format!(
            r#"
from botocore.exceptions import ParamValidationError
client = session.create_client('s3control', region_name='us-east-1')
try:
    client.get_access_point_scope(**json.loads('{params}'))
    emit('sent')
except ParamValidationError as e:
    emit(str(e))
"#
        ),
        &[],
    );
    let theirs = theirs.as_str().unwrap_or_default().to_string();
    assert!(theirs.contains("valid min length: 1"), "{theirs}");
    match ours("s3control", "GetAccessPointScope", params, None) {
        Err(Error::Validation(e)) => {
            let message = e.to_string();
            assert!(
                theirs.ends_with(&message),
                "botocore: {theirs}\nours: {message}"
            );
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// A `jsonvalue` header (Lex `PostContent`'s `sessionAttributes`) takes any value JSON can
/// write, sent as base64 of its compact JSON, as botocore's validation and serializer take it;
/// sansboto's validation asked for a string. Found comparing validation with botocore on
/// generated inputs (`botocore_validation`).
#[test]
fn a_jsonvalue_header_takes_any_json_value_as_in_botocore() {
    for attributes in [
        serde_json::json!({"a": "b", "n": 1, "list": [true, null]}),
        serde_json::json!(1.5),
        serde_json::json!("text"),
    ] {
        let params = serde_json::json!({
            "botName": "bot", "botAlias": "alias", "userId": "user", "contentType": "text/plain",
            "inputStream": "hello", "sessionAttributes": attributes,
        })
        .to_string();
        let request = ours("lex-runtime", "PostContent", &params, None)
            .unwrap_or_else(|e| panic!("{params}: {e}"));
        let reference = botocore::request_signed_at(
            "lex-runtime",
            "PostContent",
            &params,
            "region_name='us-east-1'",
            &[],
            1_700_000_000,
        );
        assert_eq!(
            reference["headers"]["x-amz-lex-session-attributes"].as_str(),
            request
                .headers()
                .get("x-amz-lex-session-attributes")
                .and_then(|v| v.to_str().ok()),
            "{params}"
        );
        assert_signed_as_botocore(&reference, &request, &params);
    }
    // Bytes JSON cannot write are refused by both, where they sit.
    let params = sansboto_core::params! {
        "botName": "bot", "botAlias": "alias", "userId": "user", "contentType": "text/plain",
        "inputStream": "hello",
        "sessionAttributes": sansboto_core::params! {"a": Value::blob(&b"xy"[..])}
    };
    let err = client("lex-runtime", None)
        .prepare("PostContent", params, &mut SplitMix64(1))
        .unwrap_err();
    assert!(err.to_string().contains("sessionAttributes.a"), "{err}");
    let theirs = botocore::run(
        r#"
c = session.create_client('lex-runtime', region_name='us-east-1', aws_access_key_id='a', aws_secret_access_key='b')
try:
    c.post_content(botName='bot', botAlias='alias', userId='user', contentType='text/plain',
                   inputStream=b'hello', sessionAttributes={'a': b'xy'})
    emit('sent')
except Exception as e:
    emit(type(e).__name__)
"#,
        &[],
    );
    assert_eq!(theirs, "ParamValidationError");
}
