//! S3 Control with Outposts ARNs, against botocore 1.44.5 on the same inputs: the account id
//! taken from the ARN (`x-amz-account-id`), the `s3-outposts` endpoint and signing name, the
//! `x-amz-outpost-id` header, and the ARNs and settings botocore refuses, refused alike.

mod e2e_support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use e2e_support::core_session;
use sansboto_core::auth::{Credentials, Identity};
use sansboto_core::machine::SplitMix64;
use sansboto_core::session::ClientOptions;
use sansboto_core::Error;
use sansboto_core::Value;
use sansboto_tests::botocore;

const AP: &str =
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/ap";
const BUCKET: &str =
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/bucket/mybucket";

/// One call made by both.
struct Case {
    operation: &'static str,
    params: serde_json::Value,
    /// The environment (both clients) and botocore's extra `create_client` arguments.
    env: &'static [(&'static str, &'static str)],
    botocore_kwargs: &'static str,
    options: fn(&mut ClientOptions),
}

fn case(operation: &'static str, params: serde_json::Value) -> Case {
    Case {
        operation,
        params,
        env: &[],
        botocore_kwargs: "",
        options: |_| {},
    }
}

/// sansboto's request for `case` (or its error), signed with botocore's test credentials.
fn ours(case: &Case) -> Result<http::Request<sansboto_core::Body>, Error> {
    let session = core_session(case.env, None, None);
    let mut options = ClientOptions {
        region: Some("us-west-2".into()),
        ..Default::default()
    };
    (case.options)(&mut options);
    let client = session.service_client("s3control", &options)?;
    let params = Value::from(case.params.clone());
    let prepared = client.prepare(case.operation, params, &mut SplitMix64(1))?;
    let credentials = Credentials::new("AKID", "SECRET", None, None);
    let now: SystemTime = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    client.sign(&prepared, Identity::Credentials(&credentials), now, None)
}

fn theirs(case: &Case) -> serde_json::Value {
    let kwargs = format!("region_name='us-west-2', {}", case.botocore_kwargs);
    botocore::request(
        "s3control",
        case.operation,
        &case.params.to_string(),
        &kwargs,
        case.env,
    )
}

/// `Credential=AKID/<date>/region/name/aws4_request` without the date, and `SignedHeaders`.
fn scope_and_signed(authorization: &str) -> (String, String) {
    let field = |name: &str| {
        authorization
            .split(name)
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .unwrap_or_default()
            .to_string()
    };
    let mut scope: Vec<String> = field("Credential=").split('/').map(String::from).collect();
    if scope.len() > 1 {
        scope.remove(1);
    }
    (scope.join("/"), field("SignedHeaders="))
}

fn assert_same_request(case: &Case) {
    let theirs = theirs(case);
    assert!(
        theirs.get("error").is_none(),
        "{}: botocore refused: {theirs}",
        case.operation
    );
    let ours = ours(case).unwrap_or_else(|e| panic!("{}: sansboto refused: {e}", case.operation));
    let what = format!("{} {}", case.operation, case.params);
    assert_eq!(ours.method().as_str(), theirs["method"], "{what}");
    assert_eq!(ours.uri().to_string(), theirs["url"], "{what}");
    let header = |name: &str| {
        ours.headers()
            .get(name)
            .map(|v| v.to_str().unwrap_or_default().to_string())
    };
    for name in ["x-amz-account-id", "x-amz-outpost-id", "content-md5"] {
        assert_eq!(
            header(name).as_deref(),
            theirs["headers"][name].as_str(),
            "{what}: {name}"
        );
    }
    assert_eq!(
        scope_and_signed(&header("authorization").unwrap_or_default()),
        scope_and_signed(
            theirs["headers"]["authorization"]
                .as_str()
                .unwrap_or_default()
        ),
        "{what}: signing scope and signed headers"
    );
    let body = ours
        .body()
        .as_bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    assert_eq!(body, theirs["body"].as_str().unwrap_or_default(), "{what}");
}

#[test]
fn outposts_arns_make_the_requests_botocore_makes() {
    let cases = [
        case("GetAccessPoint", serde_json::json!({"Name": AP})),
        case(
            "GetAccessPoint",
            serde_json::json!({"Name": AP, "AccountId": "123456789012"}),
        ),
        case(
            "GetAccessPoint",
            serde_json::json!({"Name": "arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-01234567890123456:accesspoint:ap"}),
        ),
        case("DeleteAccessPointPolicy", serde_json::json!({"Name": AP})),
        case("GetBucket", serde_json::json!({"Bucket": BUCKET})),
        case(
            "PutBucketTagging",
            serde_json::json!({"Bucket": BUCKET, "Tagging": {"TagSet": [{"Key": "k", "Value": "v"}]}}),
        ),
        // Not ARNs: nothing to fill in.
        case(
            "GetAccessPoint",
            serde_json::json!({"Name": "myap", "AccountId": "123456789012"}),
        ),
        case(
            "CreateBucket",
            serde_json::json!({"Bucket": "mybucket", "OutpostId": "op-01234567890123456"}),
        ),
        // The ARN's region, when told to use it.
        Case {
            env: &[("AWS_S3_USE_ARN_REGION", "true")],
            ..case(
                "GetBucket",
                serde_json::json!({"Bucket": "arn:aws:s3-outposts:us-east-1:123456789012:outpost/op-01234567890123456/bucket/b"}),
            )
        },
    ];
    for case in &cases {
        assert_same_request(case);
    }
}

#[test]
fn arns_botocore_refuses_are_refused() {
    let cases = [
        case(
            "GetAccessPoint",
            serde_json::json!({"Name": AP, "AccountId": "111111111111"}),
        ),
        case(
            "GetAccessPoint",
            serde_json::json!({"Name": "arn:aws:s3:us-west-2:123456789012:accesspoint/ap"}),
        ),
        case(
            "GetBucket",
            serde_json::json!({"Bucket": "arn:aws:s3:us-west-2:123456789012:bucket/x"}),
        ),
        case(
            "GetAccessPoint",
            serde_json::json!({"Name": "arn:aws:s3-outposts:fips-us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/ap"}),
        ),
        // The endpoint rules refuse another region unless told to use the ARN's.
        case(
            "GetAccessPoint",
            serde_json::json!({"Name": "arn:aws:s3-outposts:us-east-1:123456789012:outpost/op-01234567890123456/accesspoint/ap"}),
        ),
        Case {
            botocore_kwargs: "config=botocore.config.Config(s3={'use_accelerate_endpoint': True})",
            options: |o| o.s3_use_accelerate = Some(true),
            ..case("GetAccessPoint", serde_json::json!({"Name": AP}))
        },
    ];
    for case in &cases {
        let theirs = theirs(case);
        let theirs = theirs["error"]
            .as_str()
            .unwrap_or_else(|| panic!("botocore accepted {}: {theirs}", case.params));
        // "UnsupportedS3ControlArnError: S3 ARN … provided is invalid …"
        let (_, message) = theirs.split_once(": ").unwrap_or(("", theirs));
        let ours = match ours(case) {
            Err(e) => e,
            Ok(request) => panic!("sansboto accepted {}: {}", case.params, request.uri()),
        };
        match &ours {
            Error::Hook(e) => assert_eq!(e.message, message, "{}", case.params),
            // botocore wraps the ruleset's error message in its configuration error.
            Error::Endpoint(e) => assert_eq!(
                format!("Unsupported configuration when using S3 Control: {e}"),
                message,
                "{}",
                case.params
            ),
            other => panic!("{}: unexpected error {other:?}", case.params),
        }
    }
}
