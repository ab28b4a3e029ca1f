//! The client pipeline driven by hand: scripted responses, a fixed clock and seed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use sansboto_core::auth::Credentials;
use sansboto_core::client::{CallIdentity, ClientConfig, ServiceClient};
use sansboto_core::endpoint::{EndpointConfig, Partitions, RuleSet};
use sansboto_core::machine::{SplitMix64, Step};
use sansboto_core::model::ServiceModel;
use sansboto_core::params;
use sansboto_core::Body;
use sansboto_core::{Error, TransportError, TransportErrorKind};
use sansboto_models::{FileKind, Loader, TopLevelFile};

fn client(service: &str) -> ServiceClient {
    client_validating(service, true)
}

/// [`client`] with parameter validation on or off.
fn client_validating(service: &str, validate: bool) -> ServiceClient {
    let loader = Loader::new();
    let model =
        ServiceModel::from_json(&loader.load(service, None, FileKind::ServiceModel).unwrap())
            .unwrap();
    let ruleset = RuleSet::from_json(
        &loader
            .load(service, None, FileKind::EndpointRuleSet)
            .unwrap(),
    )
    .unwrap();
    let partitions =
        Partitions::from_json(&loader.load_top_level(TopLevelFile::Partitions).unwrap()).unwrap();
    let config = ClientConfig {
        endpoint: EndpointConfig {
            region: Some("us-west-2".into()),
            ..Default::default()
        },
        parameter_validation: validate,
        ..Default::default()
    };
    ServiceClient::new(service, model, Some(ruleset), partitions, config).unwrap()
}

fn creds() -> CallIdentity {
    CallIdentity::Credentials(Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
        None,
    ))
}

fn response(status: u16, body: &str) -> http::Response<Body> {
    http::Response::builder()
        .status(status)
        .header("x-amzn-requestid", "req-1")
        .body(Body::from(Bytes::from(body.to_string())))
        .unwrap()
}

const T0: u64 = 1_700_000_000;

#[test]
fn get_item_retries_a_503_then_succeeds() {
    let c = client("dynamodb");
    let mut call = c
        .call(
            "get_item",
            params! {"TableName": "t", "Key": params!{"id": params!{"S": "1"}}},
            creds(),
            Box::new(SplitMix64(9)),
        )
        .unwrap();
    let now = UNIX_EPOCH + Duration::from_secs(T0);
    let Step::Send(first) = call.poll(now) else {
        panic!("expected a request")
    };
    assert_eq!(
        first.uri().to_string(),
        "https://dynamodb.us-west-2.amazonaws.com/"
    );
    assert_eq!(first.headers()["x-amz-target"], "DynamoDB_20120810.GetItem");
    assert_eq!(first.headers()["amz-sdk-request"], "attempt=1; max=4");
    let auth = first.headers()["authorization"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-west-2/dynamodb/aws4_request"
        ),
        "{auth}"
    );
    let invocation = first.headers()["amz-sdk-invocation-id"].clone();

    call.handle_response(Ok(response(503, "")), now);
    let Step::Sleep(delay) = call.poll(now) else {
        panic!("expected a backoff")
    };
    assert!(
        delay <= Duration::from_millis(50),
        "first backoff is at most base 25-50ms: {delay:?}"
    );
    let later = now + Duration::from_secs(1);
    let Step::Send(second) = call.poll(later) else {
        panic!("expected a retry")
    };
    assert_eq!(second.headers()["amz-sdk-request"], "attempt=2; max=4");
    assert_eq!(second.headers()["amz-sdk-invocation-id"], invocation);
    assert_ne!(
        second.headers()["x-amz-date"],
        first.headers()["x-amz-date"],
        "each attempt is re-signed"
    );

    call.handle_response(Ok(response(200, r#"{"Item": {"id": {"S": "1"}}}"#)), later);
    let Step::Done(result) = call.poll(later) else {
        panic!("expected the result")
    };
    assert_eq!(result["Item"]["id"]["S"].as_str(), Some("1"));
    assert_eq!(
        result["ResponseMetadata"]["RetryAttempts"].as_i64(),
        Some(1)
    );
    assert_eq!(
        result["ResponseMetadata"]["RequestId"].as_str(),
        Some("req-1")
    );
}

#[test]
fn attempts_are_bounded_and_the_last_error_is_returned() {
    let c = client("sqs");
    let mut call = c
        .call(
            "SendMessage",
            params! {"QueueUrl": "https://q", "MessageBody": "hi"},
            creds(),
            Box::new(SplitMix64(1)),
        )
        .unwrap();
    let now = UNIX_EPOCH + Duration::from_secs(T0);
    let mut sends = 0;
    loop {
        match call.poll(now) {
            Step::Send(_) => {
                sends += 1;
                call.handle_response(
                    Err(TransportError::new(TransportErrorKind::Io, "reset")),
                    now,
                );
            }
            Step::Sleep(d) => assert!(d <= Duration::from_secs(20)),
            Step::Failed(Error::Transport(e)) => {
                assert_eq!(e.kind, TransportErrorKind::Io);
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(sends, 3, "standard mode: 3 attempts");
}

#[test]
fn validation_reports_every_problem_before_any_request() {
    let c = client("s3");
    let err = c
        .call(
            "PutObject",
            params! {"Bucket": 3, "Kye": "x"},
            creds(),
            Box::new(SplitMix64(1)),
        )
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(
        text.contains("Missing required parameter in input: \"Key\""),
        "{text}"
    );
    assert!(
        text.contains("Invalid type for parameter Bucket, value: 3"),
        "{text}"
    );
    assert!(
        text.contains("Unknown parameter in input: \"Kye\""),
        "{text}"
    );
    let err = c.operation("PutObjekt").unwrap_err().to_string();
    assert!(err.contains("did you mean PutObject?"), "{err}");
}

#[test]
fn s3_put_object_is_virtual_hosted_and_signed_with_s3_rules() {
    let c = client("s3");
    let mut call = c
        .call(
            "put_object",
            params! {"Bucket": "my-bucket", "Key": "a b/c.txt", "Body": &b"hello"[..]},
            creds(),
            Box::new(SplitMix64(2)),
        )
        .unwrap();
    let Step::Send(req) = call.poll(SystemTime::UNIX_EPOCH + Duration::from_secs(T0)) else {
        panic!()
    };
    assert_eq!(req.method(), "PUT");
    assert_eq!(
        req.uri().to_string(),
        "https://my-bucket.s3.us-west-2.amazonaws.com/a%20b/c.txt"
    );
    // botocore 1.44: a flexible checksum (CRC32 by default) sent as an aws-chunked trailer.
    let h = req.headers();
    assert_eq!(
        h["x-amz-content-sha256"],
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    );
    assert_eq!(h["content-encoding"], "aws-chunked");
    assert_eq!(h["x-amz-trailer"], "x-amz-checksum-crc32");
    assert_eq!(h["x-amz-decoded-content-length"], "5");
    let body = req.body().as_bytes().unwrap();
    // crc32("hello") = 0x3610a686 -> base64 NhCmhg==
    assert_eq!(
        body,
        b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"
    );
    assert!(!call.streams_response(500));
}

#[test]
fn presigned_url_for_get_object() {
    let c = client("s3");
    let credentials = match creds() {
        CallIdentity::Credentials(c) => c,
        _ => unreachable!(),
    };
    let url = c
        .presign(
            "GetObject",
            params! {"Bucket": "my-bucket", "Key": "k"},
            &credentials,
            UNIX_EPOCH + Duration::from_secs(T0),
            Duration::from_secs(3600),
            &mut SplitMix64(3),
        )
        .unwrap();
    assert!(
        url.starts_with("https://my-bucket.s3.us-west-2.amazonaws.com/k?"),
        "{url}"
    );
    for part in [
        "X-Amz-Algorithm=AWS4-HMAC-SHA256",
        "X-Amz-Expires=3600",
        "X-Amz-SignedHeaders=host",
        "X-Amz-Signature=",
    ] {
        assert!(url.contains(part), "{part} missing from {url}");
    }
    let err = c
        .presign(
            "GetObject",
            params! {"Bucket": "my-bucket", "Key": "k"},
            &credentials,
            UNIX_EPOCH,
            Duration::from_secs(8 * 86400),
            &mut SplitMix64(3),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err}");
}

#[test]
fn a_deadline_stops_retries_and_shortens_backoff() {
    let c = client("dynamodb");
    let mut call = c
        .call("ListTables", params! {}, creds(), Box::new(SplitMix64(4)))
        .unwrap();
    let now = UNIX_EPOCH + Duration::from_secs(T0);
    call.set_deadline(now + Duration::from_millis(1));
    let Step::Send(_) = call.poll(now) else {
        panic!("first attempt")
    };
    call.handle_response(Ok(response(500, "")), now);
    match call.poll(now) {
        Step::Sleep(d) => assert!(
            d <= Duration::from_millis(1),
            "backoff cut to the deadline: {d:?}"
        ),
        other => panic!("expected a backoff, got {other:?}"),
    }
    match call.poll(now + Duration::from_millis(2)) {
        Step::Failed(Error::Transport(e)) => assert_eq!(e.kind, TransportErrorKind::Timeout),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[test]
fn rds_cross_region_copy_gets_a_presigned_url_signed_with_the_call_credentials() {
    let c = client("rds");
    let now = UNIX_EPOCH + Duration::from_secs(T0);
    let params = params! {"SourceDBSnapshotIdentifier": "arn:aws:rds:eu-west-1:123456789012:snapshot:s",
    "TargetDBSnapshotIdentifier": "copy", "SourceRegion": "eu-west-1"};
    let mut call = c
        .call_at(
            "CopyDBSnapshot",
            params,
            creds(),
            Box::new(SplitMix64(5)),
            now,
        )
        .unwrap();
    let Step::Send(req) = call.poll(now) else {
        panic!("expected a request")
    };
    let body = String::from_utf8(req.body().as_bytes().unwrap().to_vec()).unwrap();
    assert!(
        !body.contains("SourceRegion="),
        "SourceRegion is not sent: {body}"
    );
    let url = body
        .split('&')
        .find_map(|kv| kv.strip_prefix("PreSignedUrl="))
        .expect("PreSignedUrl injected");
    let url = percent_encoding::percent_decode_str(url)
        .decode_utf8()
        .unwrap()
        .to_string();
    assert!(
        url.starts_with("https://rds.eu-west-1.amazonaws.com/?"),
        "{url}"
    );
    for part in [
        "Action=CopyDBSnapshot",
        "DestinationRegion=us-west-2",
        "X-Amz-Credential=AKIDEXAMPLE%2F20231114%2Feu-west-1%2Frds%2Faws4_request",
        "X-Amz-Signature=",
    ] {
        assert!(url.contains(part), "{part} missing from {url}");
    }
}

#[test]
fn rds_auth_token_is_a_presigned_connect_url_without_scheme() {
    let c = client("rds");
    let credentials = match creds() {
        CallIdentity::Credentials(c) => c,
        _ => unreachable!(),
    };
    let now = UNIX_EPOCH + Duration::from_secs(T0);
    let token = c
        .generate_db_auth_token("db.example.com", 5432, "admin", None, &credentials, now)
        .unwrap();
    assert!(
        token.starts_with("db.example.com:5432/?Action=connect&DBUser=admin&"),
        "{token}"
    );
    for part in [
        "X-Amz-Expires=900",
        "X-Amz-Credential=AKIDEXAMPLE%2F20231114%2Fus-west-2%2Frds-db%2Faws4_request",
        "X-Amz-Signature=",
    ] {
        assert!(token.contains(part), "{part} missing from {token}");
    }
}

/// A value built to nest deeper than any shape (a recursive shape's chain thousands of levels
/// down) is refused with a typed error, validated or not, on a thread with the stack of a
/// tokio worker (2 MiB): it once overflowed the stack in the validator, the serializer or the
/// validation message's rendering of the value, which aborts the process. (The value itself
/// is built, moved and dropped here; only sansboto's walks of it are under test.)
#[test]
fn parameters_nested_beyond_any_shape_are_refused_not_a_stack_overflow() {
    use sansboto_core::Value;
    const LEVELS: usize = 3_000;
    let outcome = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            type Case = (&'static str, &'static str, fn() -> Value);
            let cases: [Case; 2] = [
                ("dynamodb", "PutItem", || {
                    let item =
                        (0..LEVELS).fold(params! {"S": "x"}, |inner, _| params! {"L": vec![inner]});
                    params! {"TableName": "t", "Item": params! {"a": item}}
                }),
                // A list given for a string: the message shows the value's first characters.
                ("s3", "GetObject", || {
                    let key = (0..LEVELS).fold(Value::from(1), |v, _| Value::List(vec![v]));
                    params! {"Bucket": "b", "Key": key}
                }),
            ];
            let mut results = Vec::new();
            for (service, operation, params) in cases {
                for validate in [true, false] {
                    let c = client_validating(service, validate);
                    let result = c.prepare(operation, params(), &mut SplitMix64(1));
                    results.push((
                        service,
                        validate,
                        result.map(|_| ()).map_err(|e| e.to_string()),
                    ));
                }
            }
            results
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    for (service, validate, result) in outcome {
        let message = result.expect_err("refused");
        let expected = match (service, validate) {
            ("dynamodb", true) => "nested at most 128 levels deep",
            // The list is refused where the string belongs, its first characters shown.
            ("s3", true) => "Key, value: [[[[[[",
            // Unvalidated, the serializer's depth limit refuses it (the endpoint rules do not
            // read `Key`, which is not bound, as in botocore).
            _ => "nest more than 128 levels deep",
        };
        assert!(
            message.contains(expected),
            "{service} {validate}: {message}"
        );
        assert!(
            message.len() < 1500,
            "{service} {validate}: the value is not written out: {message}"
        );
    }
}
