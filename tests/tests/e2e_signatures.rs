//! SigV4 signatures made by sansboto, checked by a real verifier: moto with IAM authentication on.
//!
//! moto verifies signatures only when `INITIAL_NO_AUTH_ACTION_COUNT` is set, and only after that
//! many calls, and only for access keys its own IAM issued (it recomputes the signature with the
//! key's secret). So the first calls here are unauthenticated bootstrap (create a user, an access
//! key, an allow-all inline policy); every later call is verified: once signed with the right
//! secret (accepted), once with a wrong one (refused with moto's code for that service).

use sansboto_blocking::{Client, Session};
use sansboto_core::params;
use sansboto_core::Value;
use sansboto_tests::moto::MotoServer;

/// The bootstrap calls moto lets through unauthenticated: CreateUser, CreateAccessKey,
/// PutUserPolicy.
const BOOTSTRAP_CALLS: &str = "3";

const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn client(moto: &MotoServer, service: &str, access_key: &str, secret: &str) -> Client {
    Session::new()
        .client(service)
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials(access_key, secret, None)
        .build()
        .unwrap_or_else(|e| panic!("{service} client: {e}"))
}

/// Starts moto with authentication and returns it with a verified access key and its secret.
fn authenticated_moto() -> (MotoServer, String, String) {
    let moto = MotoServer::start_with_env(&[("INITIAL_NO_AUTH_ACTION_COUNT", BOOTSTRAP_CALLS)]);
    let iam = client(&moto, "iam", "bootstrap", "bootstrap");
    iam.call("CreateUser", params! {"UserName": "signer"})
        .unwrap_or_else(|e| panic!("CreateUser: {e}"));
    let key = iam
        .call("CreateAccessKey", params! {"UserName": "signer"})
        .unwrap_or_else(|e| panic!("CreateAccessKey: {e}"));
    iam.call(
        "PutUserPolicy",
        params! {"UserName": "signer", "PolicyName": "all", "PolicyDocument": ALLOW_ALL},
    )
    .unwrap_or_else(|e| panic!("PutUserPolicy: {e}"));
    let access_key = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .expect("AccessKeyId")
        .to_owned();
    let secret = key["AccessKey"]["SecretAccessKey"]
        .as_str()
        .expect("SecretAccessKey")
        .to_owned();
    (moto, access_key, secret)
}

/// One signed call per service: what to call, and what moto answers to a wrong secret.
struct Case {
    service: &'static str,
    operation: &'static str,
    params: fn() -> Value,
    /// Checks the accepted call's output (so "accepted" means the operation really ran).
    check: fn(&Value),
    refused_code: &'static str,
    refused_status: u16,
}

/// moto refuses a JSON-protocol request with its generic XML `<ErrorResponse>` and no
/// `x-amzn-errortype` header. botocore 1.44.5 then reports the status as the code and the whole
/// body as the message (checked with boto3 against the same moto), and so must we: the code is
/// `"403"` and the message names `SignatureDoesNotMatch`.
const JSON_REFUSED_CODE: &str = "403";

fn no_params() -> Value {
    params! {}
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            service: "s3",
            operation: "PutObject",
            params: || params! {"Bucket": "signed-bucket", "Key": "a/b c.txt", "Body": &b"signed body"[..]},
            check: |v| assert!(v["ETag"].as_str().is_some(), "{v:?}"),
            refused_code: "SignatureDoesNotMatch",
            refused_status: 403,
        },
        Case {
            service: "dynamodb",
            operation: "ListTables",
            params: no_params,
            check: |v| assert!(v["TableNames"].as_list().is_some(), "{v:?}"),
            refused_code: JSON_REFUSED_CODE,
            refused_status: 403,
        },
        Case {
            service: "sqs",
            operation: "CreateQueue",
            params: || params! {"QueueName": "signed-queue"},
            check: |v| {
                assert!(
                    v["QueueUrl"]
                        .as_str()
                        .is_some_and(|u| u.ends_with("/signed-queue")),
                    "{v:?}"
                )
            },
            refused_code: JSON_REFUSED_CODE,
            refused_status: 403,
        },
        Case {
            service: "sts",
            operation: "GetCallerIdentity",
            params: no_params,
            check: |v| {
                assert!(
                    v["Arn"]
                        .as_str()
                        .is_some_and(|a| a.ends_with(":user/signer")),
                    "{v:?}"
                )
            },
            refused_code: "SignatureDoesNotMatch",
            refused_status: 403,
        },
        Case {
            service: "iam",
            operation: "ListUsers",
            params: no_params,
            check: |v| assert_eq!(v["Users"][0]["UserName"].as_str(), Some("signer"), "{v:?}"),
            refused_code: "SignatureDoesNotMatch",
            refused_status: 403,
        },
        Case {
            service: "kms",
            operation: "CreateKey",
            params: || params! {"Description": "signed"},
            check: |v| assert!(v["KeyMetadata"]["KeyId"].as_str().is_some(), "{v:?}"),
            refused_code: JSON_REFUSED_CODE,
            refused_status: 403,
        },
        Case {
            service: "sns",
            operation: "CreateTopic",
            params: || params! {"Name": "signed-topic"},
            check: |v| {
                assert!(
                    v["TopicArn"]
                        .as_str()
                        .is_some_and(|a| a.ends_with(":signed-topic")),
                    "{v:?}"
                )
            },
            refused_code: "SignatureDoesNotMatch",
            refused_status: 403,
        },
        Case {
            service: "ec2",
            operation: "DescribeRegions",
            params: no_params,
            check: |v| {
                assert!(
                    v["Regions"].as_list().is_some_and(|r| !r.is_empty()),
                    "{v:?}"
                )
            },
            // moto answers EC2's own code for a bad signature.
            refused_code: "AuthFailure",
            refused_status: 401,
        },
    ]
}

#[test]
fn moto_accepts_right_secret_and_refuses_wrong_one() {
    let (moto, access_key, secret) = authenticated_moto();
    // S3 PutObject needs its bucket; this call is already verified.
    client(&moto, "s3", &access_key, &secret)
        .call("CreateBucket", params! {"Bucket": "signed-bucket"})
        .unwrap_or_else(|e| panic!("CreateBucket with the right secret: {e}"));

    let mut failures = Vec::new();
    for case in cases() {
        let good = client(&moto, case.service, &access_key, &secret);
        match good.call(case.operation, (case.params)()) {
            Ok(out) => (case.check)(&out),
            Err(e) => failures.push(format!(
                "{} {} refused with the right secret: {e}",
                case.service, case.operation
            )),
        }
        let bad = client(&moto, case.service, &access_key, "not-the-secret");
        match bad.call(case.operation, (case.params)()) {
            Ok(out) => failures.push(format!(
                "{} {} accepted with a wrong secret: {out:?}",
                case.service, case.operation
            )),
            Err(e) => {
                let named = e.code() == Some("SignatureDoesNotMatch")
                    || e.code() == Some("AuthFailure")
                    || e.message()
                        .is_some_and(|m| m.contains("<Code>SignatureDoesNotMatch</Code>"));
                if e.code() != Some(case.refused_code)
                    || e.status() != Some(case.refused_status)
                    || !named
                {
                    failures.push(format!(
                        "{} {} with a wrong secret: expected {} ({}), got {:?} ({:?}): {e}",
                        case.service,
                        case.operation,
                        case.refused_code,
                        case.refused_status,
                        e.code(),
                        e.status()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn moto_refuses_unknown_access_key() {
    let (moto, _, secret) = authenticated_moto();
    let err = client(&moto, "iam", "AKIAUNKNOWNKEY000000", &secret)
        .call("ListUsers", params! {})
        .expect_err("an access key moto never issued is refused");
    assert_eq!(err.code(), Some("InvalidClientTokenId"), "{err}");
    assert_eq!(err.status(), Some(403));
}
