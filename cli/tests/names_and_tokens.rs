//! The `sansboto` command on what used to fail: CloudFront's operations (keyed `ListDistributions`,
//! wire name `ListDistributions2020_05_31`) against moto and in `help`; `eks get-token`;
//! presigning a query-protocol operation and with `--no-sign-request`; dry runs of operations
//! whose customization injects a presigned URL (EC2 `CopySnapshot`).

use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use sansboto_core::eks;
use sansboto_core::Timestamp;
use sansboto_tests::moto::MotoServer;

/// The binary with no configuration of the user's; `keys` adds test credentials.
fn sansboto(endpoint: Option<&str>, keys: bool) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sansboto"));
    sansboto_tests::test_environment(&mut cmd);
    if !keys {
        cmd.env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY");
    }
    if let Some(endpoint) = endpoint {
        cmd.args(["--endpoint-url", endpoint]);
    }
    cmd
}

fn run(mut cmd: Command, args: &[&str]) -> Output {
    cmd.args(args).output().expect("sansboto runs")
}

fn stdout_ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_ok(out: &Output) -> serde_json::Value {
    let text = stdout_ok(out);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Expect exit `code` and an error printed as aws-cli prints one (an empty line, the text);
/// return the text.
fn error_text(out: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    let text = stderr
        .strip_prefix('\n')
        .unwrap_or_else(|| panic!("{stderr:?}"));
    text.trim_end().to_string()
}

#[test]
fn cloudfront_from_the_command() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let cf = || sansboto(Some(&endpoint), true);
    let list = json_ok(&run(
        cf(),
        &["cloudfront", "list-distributions", "--no-paginate"],
    ));
    assert_eq!(list["DistributionList"]["Quantity"], 0);

    let config = r#"{"DistributionConfig": {"CallerReference": "cli-1",
        "Origins": {"Quantity": 1, "Items": [{"Id": "o1", "DomainName": "b.s3.amazonaws.com",
                    "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o1", "ViewerProtocolPolicy": "allow-all"},
        "Comment": "from the command", "Enabled": true}}"#;
    let created = json_ok(&run(
        cf(),
        &["cloudfront", "create-distribution", "--params", config],
    ));
    let id = created["Distribution"]["Id"].as_str().unwrap().to_string();
    let got = json_ok(&run(
        cf(),
        &[
            "cloudfront",
            "get_distribution",
            "--params",
            &format!(r#"{{"Id": "{id}"}}"#),
        ],
    ));
    assert_eq!(
        got["Distribution"]["DistributionConfig"]["Comment"],
        "from the command"
    );
    // Paginated by default, as `aws` does.
    let all = json_ok(&run(cf(), &["cloudfront", "ListDistributions"]));
    assert_eq!(all["DistributionList"]["Items"][0]["Id"], id.as_str());
    stdout_ok(&run(
        cf(),
        &[
            "wait",
            "cloudfront",
            "distribution-deployed",
            "--params",
            &format!(r#"{{"Id": "{id}"}}"#),
            "--delay",
            "0",
        ],
    ));

    // The wire name is refused, suggesting the key.
    let message = error_text(
        &run(cf(), &["cloudfront", "list-distributions2020-05-31"]),
        252,
    );
    assert!(message.starts_with("unknown operation"), "{message}");
    assert!(
        message.contains("did you mean ListDistributions?"),
        "{message}"
    );
}

#[test]
fn help_shows_the_names_that_are_accepted() {
    let help = stdout_ok(&run(sansboto(None, false), &["help", "cloudfront"]));
    assert!(
        help.contains("\n  ListDistributions  (paginated)\n"),
        "{help}"
    );
    assert!(help.contains("\n  GetDistribution\n"), "{help}");
    assert!(!help.contains("2020_05_31"), "{help}");
    assert!(help.contains("\n  DistributionDeployed\n"), "{help}");
    let op = stdout_ok(&run(
        sansboto(None, false),
        &["help", "cloudfront", "get-distribution"],
    ));
    assert!(
        op.starts_with("cloudfront GetDistribution: GET /2020-05-31/distribution/{Id}"),
        "{op}"
    );
    // Every operation help lists is one the command takes.
    let names: Vec<&str> = help
        .lines()
        .skip_while(|l| *l != "Operations:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert!(names.len() > 100, "{names:?}");
    for name in names.iter().step_by(25) {
        stdout_ok(&run(sansboto(None, false), &["help", "cloudfront", name]));
    }
}

#[test]
fn eks_get_token_prints_an_exec_credential() {
    let before = SystemTime::now();
    let out = run(
        sansboto(None, true),
        &["eks", "get-token", "--cluster-name", "my-cluster"],
    );
    let after = SystemTime::now();
    let credential = json_ok(&out);
    assert_eq!(credential["kind"], "ExecCredential");
    assert_eq!(
        credential["apiVersion"],
        "client.authentication.k8s.io/v1beta1"
    );
    assert_eq!(credential["spec"], serde_json::json!({}));
    let expires = Timestamp::parse_iso8601(
        credential["status"]["expirationTimestamp"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
    .secs();
    let secs = |t: SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!(
        (secs(before) + 840..=secs(after) + 840).contains(&expires),
        "{credential}"
    );
    let token = credential["status"]["token"].as_str().unwrap();
    let url = eks::url_from_token(token).unwrap();
    assert!(
        url.starts_with(
            "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"
        ),
        "{url}"
    );
    assert!(
        url.contains("X-Amz-Expires=60&")
            && url.contains("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&"),
        "{url}"
    );

    // kubectl asking for v1 gets v1.
    let mut cmd = sansboto(None, true);
    cmd.env(
        "KUBERNETES_EXEC_INFO",
        r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#,
    );
    let v1 = json_ok(&run(cmd, &["eks", "get-token", "--cluster-id", "abc"]));
    assert_eq!(v1["apiVersion"], "client.authentication.k8s.io/v1");

    // Without credentials: the typed error, no token.
    let err = error_text(
        &run(
            sansboto(None, false),
            &["eks", "get-token", "--cluster-name", "c"],
        ),
        253,
    );
    assert!(err.starts_with("Unable to locate credentials"), "{err}");
    assert_eq!(
        run(sansboto(None, true), &["eks", "get-token"])
            .status
            .code(),
        Some(252)
    );
}

#[test]
fn eks_get_token_with_a_role_signs_with_its_credentials() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let credential = json_ok(&run(
        sansboto(Some(&endpoint), true),
        &[
            "eks",
            "get-token",
            "--cluster-name",
            "c",
            "--role-arn",
            "arn:aws:iam::123456789012:role/eks-admin",
        ],
    ));
    let url = eks::url_from_token(credential["status"]["token"].as_str().unwrap()).unwrap();
    assert!(
        url.starts_with(&format!("{endpoint}/?Action=GetCallerIdentity&")),
        "{url}"
    );
    // Signed with the role session moto gave (temporary keys and their token), not `testing`.
    assert!(url.contains("&X-Amz-Credential=ASIA"), "{url}");
    assert!(url.contains("&X-Amz-Security-Token="), "{url}");
}

#[test]
fn presign_query_protocol_and_unsigned() {
    let url = stdout_ok(&run(
        sansboto(None, true),
        &[
            "presign",
            "sts",
            "get-caller-identity",
            "--expires-in",
            "60",
        ],
    ));
    assert!(
        url.starts_with(
            "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm="
        ),
        "{url}"
    );
    for keys in [true, false] {
        let url = stdout_ok(&run(
            sansboto(None, keys),
            &["--no-sign-request", "presign", "sts", "GetCallerIdentity"],
        ));
        assert_eq!(url.trim(), "https://sts.us-east-1.amazonaws.com/");
    }
    let url = stdout_ok(&run(
        sansboto(None, false),
        &[
            "--no-sign-request",
            "presign",
            "s3",
            "get-object",
            "--params",
            r#"{"Bucket": "bucket-name", "Key": "k"}"#,
        ],
    ));
    assert_eq!(url.trim(), "https://bucket-name.s3.amazonaws.com/k");
}

#[test]
fn dry_run_of_copy_snapshot_holds_the_presigned_url() {
    let params = r#"{"SourceRegion": "us-west-2", "SourceSnapshotId": "snap-1"}"#;
    let args = [
        "--dry-run",
        "--signing-time",
        "2026-01-02T03:04:05Z",
        "ec2",
        "copy-snapshot",
        "--params",
        params,
    ];
    let body_of = |request: &serde_json::Value| {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(request["body_base64"].as_str().unwrap())
            .unwrap();
        String::from_utf8(bytes).unwrap()
    };
    let signed = body_of(&json_ok(&run(sansboto(None, true), &args)));
    assert!(
        signed.contains(
            "&PresignedUrl=https%3A%2F%2Fec2.us-west-2.amazonaws.com%2F%3FAction%3DCopySnapshot"
        ),
        "{signed}"
    );
    assert!(
        signed.contains("X-Amz-Date%3D20260102T030405Z")
            && signed.contains("&DestinationRegion=us-east-1"),
        "{signed}"
    );
    let mut unsigned_args = vec!["--no-sign-request"];
    unsigned_args.extend(args);
    let unsigned = body_of(&json_ok(&run(sansboto(None, false), &unsigned_args)));
    assert!(
        unsigned.contains("&PresignedUrl=https%3A%2F%2Fec2.us-west-2.amazonaws.com%2F&"),
        "{unsigned}"
    );
    // No credentials: botocore's NoCredentialsError, not a half-built request.
    let err = error_text(&run(sansboto(None, false), &args), 253);
    assert!(err.starts_with("Unable to locate credentials"), "{err}");
}
