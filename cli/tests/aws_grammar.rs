//! aws-cli's grammar against aws-cli itself: the same words given to aws-cli (v1, installed by
//! `scripts/ensure-awscli`, running on the pinned botocore) and to `sansboto` must make the same
//! call. aws-cli's parameters (caught as it hands them to botocore) are passed to `sansboto
//! --params`, and the signed request of that dry run must equal, byte for byte, the dry run
//! of `sansboto` given aws-cli's words. Then the same against moto: a bucket written through
//! the new grammar reads back as through `--params`.

use std::process::{Command, Output};

use sansboto_tests::moto::MotoServer;
use sansboto_tests::{awscli_dir, test_environment};

const SIGNING_TIME: &str = "2024-01-01T00:00:00Z";

/// aws-cli run on `args`, stopped as it hands botocore the parameters (printed as JSON).
fn awscli(args: &[&str]) -> Output {
    awscli_with_config(args, std::path::Path::new("/nonexistent"))
}

/// [`awscli`] with `config` as its config file.
fn awscli_with_config(args: &[&str], config: &std::path::Path) -> Output {
    awscli_stopped_at(
        args,
        config,
        "driver.session.register('provide-client-params', grab)",
    )
}

/// aws-cli run on `args` with `config` as its config file, its parameters printed and the run
/// stopped by `grab`, which `register` (a line of Python) registers.
fn awscli_stopped_at(args: &[&str], config: &std::path::Path, register: &str) -> Output {
    let script = format!(
        r#"
import sys, json, base64, decimal
from awscli.clidriver import create_clidriver
driver = create_clidriver()
def blob(value):
    # Bytes (fileb://) in the form `--params` takes them; a Decimal as the double botocore
    # sends it as.
    if isinstance(value, bytes):
        return {{"base64": base64.b64encode(value).decode()}}
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(type(value))
def grab(params, **kwargs):
    sys.stdout.write(json.dumps(params, default=blob))
    sys.stdout.flush()
    raise SystemExit(0)
{register}
sys.exit(driver.main(sys.argv[1:]))
"#
    );
    test_environment(&mut Command::new(sansboto_tests::botocore::python()))
        .arg("-c")
        .arg(script)
        .args(args)
        .env("PYTHONPATH", awscli_dir())
        .env("AWS_CONFIG_FILE", config)
        .output()
        .expect("python runs")
}

/// The parameters aws-cli hands botocore for `args`.
fn awscli_params(args: &[&str]) -> serde_json::Value {
    let out = awscli(args);
    assert!(
        out.status.success(),
        "aws-cli {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "aws-cli {args:?}: {e}: {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn sansboto(args: &[&str]) -> Output {
    sansboto_with_config(args, std::path::Path::new("/dev/null"))
}

/// [`sansboto`] with `config` as its config file.
fn sansboto_with_config(args: &[&str], config: &std::path::Path) -> Output {
    test_environment(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
        .env("AWS_CONFIG_FILE", config)
        .args(args)
        .output()
        .expect("sansboto runs")
}

fn stdout_of(args: &[&str]) -> String {
    let out = sansboto(args);
    assert!(
        out.status.success(),
        "sansboto {args:?} exited {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The dry run's request, headers sorted: their order follows the order members were given
/// in, which two spellings of one call need not share (the signature covers them sorted).
fn dry_run(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--dry-run", "--signing-time", SIGNING_TIME];
    all.extend_from_slice(args);
    let mut request: serde_json::Value =
        serde_json::from_str(&stdout_of(&all)).expect("a dry run prints JSON");
    if let Some(headers) = request["headers"].as_array_mut() {
        headers.sort_by_key(|h| h.to_string());
    }
    request
}

/// aws-cli's words make the same request in sansboto as aws-cli's parameters given as JSON.
fn assert_same_call(args: &[&str]) -> serde_json::Value {
    let params = awscli_params(args);
    let json = params.to_string();
    let via_params = dry_run(&[args[0], args[1], "--params", &json]);
    let via_words = dry_run(args);
    assert_eq!(
        via_words, via_params,
        "{args:?}: aws-cli's parameters were {params}"
    );
    params
}

#[test]
fn the_same_call_as_aws_cli_makes() {
    let cases: &[&[&str]] = &[
        // Scalars, a map in shorthand, a structure list in shorthand.
        &[
            "s3api",
            "put-object-tagging",
            "--bucket",
            "b",
            "--key",
            "k",
            "--tagging",
            "TagSet=[{Key=a,Value=b},{Key=c,Value='x, y'}]",
        ],
        &[
            "s3api",
            "put-object",
            "--bucket",
            "b",
            "--key",
            "k",
            "--metadata",
            "a=1,b=two",
            "--content-type",
            "text/plain",
            "--cache-control",
            "max-age=60",
        ],
        // Lists of scalars as words; integers; a list of structures as shorthand words.
        &[
            "ec2",
            "describe-instances",
            "--instance-ids",
            "i-1",
            "i-2",
            "--filters",
            "Name=instance-type,Values=t2.micro,t3.micro",
            "Name=tag:Env,Values=prod",
            "--max-results",
            "5",
        ],
        // Booleans as flags, --no-FLAG.
        &[
            "ec2",
            "describe-images",
            "--include-deprecated",
            "--owners",
            "self",
        ],
        &[
            "ec2",
            "describe-images",
            "--no-include-deprecated",
            "--image-ids",
            "ami-1",
        ],
        // JSON values (a map of structures), numbers in shorthand inside a list.
        &[
            "dynamodb",
            "put-item",
            "--table-name",
            "t",
            "--item",
            r#"{"id": {"S": "1"}, "n": {"N": "2"}}"#,
            "--return-values",
            "ALL_OLD",
        ],
        &[
            "cloudwatch",
            "put-metric-data",
            "--namespace",
            "ns",
            "--metric-data",
            "MetricName=m,Value=1.5,Unit=Count",
            "MetricName=n,Value=2,Dimensions=[{Name=a,Value=b}]",
        ],
        // A list given as one JSON array; query protocol; a map of structures in shorthand.
        &[
            "sqs",
            "delete-message-batch",
            "--queue-url",
            "https://sqs.us-east-1.amazonaws.com/1/q",
            "--entries",
            r#"[{"Id": "1", "ReceiptHandle": "r"}]"#,
        ],
        &[
            "sqs",
            "send-message",
            "--queue-url",
            "https://sqs.us-east-1.amazonaws.com/1/q",
            "--message-body",
            "hi",
            "--delay-seconds",
            "3",
            "--message-attributes",
            "k={DataType=String,StringValue=v}",
        ],
        &[
            "iam",
            "create-user",
            "--user-name",
            "u",
            "--tags",
            "Key=a,Value=b",
            "Key=c,Value=d",
        ],
        // A member name with an acronym (SSE), the option=value form.
        &[
            "s3api",
            "head-object",
            "--bucket=b",
            "--key",
            "k",
            "--sse-customer-algorithm",
            "AES256",
            "--part-number",
            "2",
        ],
    ];
    for args in cases {
        let params = assert_same_call(args);
        assert!(
            params.as_object().is_some_and(|m| m.len() >= 2),
            "{args:?}: {params}"
        );
    }
}

/// aws-cli's per-operation renames (`argrename`): the new name makes aws-cli's call, hidden
/// aliases too; the original name is refused by both; help and completion show the new name.
#[test]
fn renamed_options_as_aws_cli_names_them() {
    let acl = [
        "ec2",
        "create-network-acl-entry",
        "--network-acl-id",
        "acl-1",
        "--rule-number",
        "1",
        "--protocol",
        "-1",
        "--rule-action",
        "allow",
    ];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        acl.iter().chain(extra).copied().collect()
    };
    let image = [
        "ec2",
        "create-image",
        "--instance-id",
        "i-1",
        "--name",
        "image",
    ];
    let subscribe = [
        "sns",
        "subscribe",
        "--topic-arn",
        "arn:aws:sns:us-east-1:123456789012:t",
        "--protocol",
        "email",
    ];
    let cases: Vec<(Vec<&str>, &str, serde_json::Value)> = vec![
        (with(&["--ingress"]), "Egress", false.into()),
        (with(&["--egress"]), "Egress", true.into()),
        (
            [&image[..], &["--reboot"]].concat(),
            "NoReboot",
            false.into(),
        ),
        (
            [&image[..], &["--no-reboot"]].concat(),
            "NoReboot",
            true.into(),
        ),
        (
            [&subscribe[..], &["--notification-endpoint", "a@b.c"]].concat(),
            "Endpoint",
            "a@b.c".into(),
        ),
        (
            vec![
                "stepfunctions",
                "send-task-success",
                "--task-token",
                "t",
                "--task-output",
                "{}",
            ],
            "output",
            "{}".into(),
        ),
        // `--role-arn` and `--cluster-name` are also `eks get-token`'s own options.
        (
            vec![
                "eks",
                "create-cluster",
                "--name",
                "c",
                "--role-arn",
                "arn:aws:iam::1:role/r",
                "--resources-vpc-config",
                "subnetIds=s",
                "--kubernetes-version",
                "1.29",
                // An idempotency token is random unless given.
                "--client-request-token",
                "token",
            ],
            "version",
            "1.29".into(),
        ),
        (
            vec![
                "eks",
                "describe-nodegroup",
                "--cluster-name",
                "c",
                "--nodegroup-name",
                "n",
            ],
            "clusterName",
            "c".into(),
        ),
        // Hidden aliases, beside the documented names; `deploy` is aws-cli's CodeDeploy.
        (
            vec![
                "iam",
                "enable-mfa-device",
                "--user-name",
                "u",
                "--serial-number",
                "arn:aws:iam::123456789012:mfa/u",
                "--authentication-code-1",
                "111111",
                "--authentication-code2",
                "222222",
            ],
            "AuthenticationCode1",
            "111111".into(),
        ),
        (
            vec![
                "deploy",
                "list-application-revisions",
                "--application-name",
                "a",
                "--s-3-bucket",
                "b",
            ],
            "s3Bucket",
            "b".into(),
        ),
    ];
    for (args, member, want) in &cases {
        let params = assert_same_call(args);
        assert_eq!(params[member], *want, "{args:?}: {params}");
    }
    // The original names are no options any more, in aws-cli as here.
    for args in [
        with(&["--no-egress"]),
        [&image[..], &["--no-no-reboot"]].concat(),
    ] {
        let theirs = awscli(&args);
        assert!(!theirs.status.success(), "aws-cli took {args:?}");
        let unknown = format!("Unknown options: {}", args.last().unwrap());
        assert!(String::from_utf8_lossy(&theirs.stderr).contains(&unknown));
        let ours = sansboto(&[&["--dry-run"][..], &args].concat());
        assert_eq!(ours.status.code(), Some(252), "{args:?}");
        assert!(
            String::from_utf8_lossy(&ours.stderr).contains(&unknown),
            "{args:?}: {}",
            String::from_utf8_lossy(&ours.stderr)
        );
    }
    // aws-cli reads `--endpoint` as its `--endpoint-url` (an abbreviation) and fails on the
    // address; so does sansboto.
    let args = [&subscribe[..], &["--endpoint", "a@b.c"]].concat();
    assert!(!awscli(&args).status.success());
    let ours = sansboto(&[&["--dry-run"][..], &args].concat());
    assert!(
        String::from_utf8_lossy(&ours.stderr).contains("Invalid endpoint URL \"a@b.c\""),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    assert!(!ours.status.success());
    // Help names the options as they are now.
    let help = stdout_of(&["help", "ec2", "create-network-acl-entry"]);
    assert!(help.contains("--egress | --ingress"), "{help}");
    assert!(!help.contains("--no-egress"), "{help}");
    let help = stdout_of(&["help", "sns", "subscribe"]);
    assert!(help.contains("--notification-endpoint"), "{help}");
    assert!(!help.contains("--endpoint "), "{help}");
}

#[test]
fn files_are_read_as_aws_cli_reads_them() {
    let dir = std::env::temp_dir().join(format!("sansboto-awsgrammar-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tagging = dir.join("tagging.json");
    std::fs::write(
        &tagging,
        r#"{"TagSet": [{"Key": "from", "Value": "file"}]}"#,
    )
    .unwrap();
    let tagging_ref = format!("file://{}", tagging.display());
    let params = assert_same_call(&[
        "s3api",
        "put-bucket-tagging",
        "--bucket",
        "b",
        "--tagging",
        &tagging_ref,
    ]);
    assert_eq!(params["Tagging"]["TagSet"][0]["Value"], "file");

    // fileb:// gives a blob its bytes, not their text.
    let key = dir.join("key.bin");
    std::fs::write(&key, [0u8, 159, 146, 150, 255]).unwrap();
    let key_ref = format!("fileb://{}", key.display());
    let words = dry_run(&["kms", "encrypt", "--key-id", "k", "--plaintext", &key_ref]);
    let via_params = dry_run(&[
        "kms",
        "encrypt",
        "--params",
        r#"{"KeyId": "k", "Plaintext": {"base64": "AJ+Slv8="}}"#,
    ]);
    assert_eq!(words, via_params);
    assert!(words["body_base64"].as_str().is_some_and(|b| !b.is_empty()));

    // A streaming body is a path, streamed from the file.
    let body = dir.join("body.txt");
    std::fs::write(&body, "hello body").unwrap();
    let path = body.display().to_string();
    let words = dry_run(&[
        "s3api",
        "put-object",
        "--bucket",
        "b",
        "--key",
        "k",
        "--body",
        &path,
    ]);
    let file_params = format!(r#"{{"Bucket": "b", "Key": "k", "Body": "file://{path}"}}"#);
    assert_eq!(
        words,
        dry_run(&["s3", "PutObject", "--params", &file_params])
    );
    let out = sansboto(&[
        "s3api",
        "put-object",
        "--bucket",
        "b",
        "--key",
        "k",
        "--body",
        "/no/such/file",
    ]);
    assert_eq!(out.status.code(), Some(252));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Blob values must be a path to a file."));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn options_over_cli_input_json_and_params() {
    let input = r#"{"Bucket": "from-json", "Key": "k", "ContentType": "a/b"}"#;
    let merged = dry_run(&[
        "s3api",
        "put-object",
        "--cli-input-json",
        input,
        "--bucket",
        "from-option",
    ]);
    let want = dry_run(&[
        "s3",
        "PutObject",
        "--params",
        r#"{"Bucket": "from-option", "Key": "k", "ContentType": "a/b"}"#,
    ]);
    assert_eq!(merged, want);
    let merged = dry_run(&[
        "s3",
        "put-object",
        "--params",
        input,
        "--bucket",
        "from-option",
    ]);
    assert_eq!(merged, want);
    let both = sansboto(&[
        "s3api",
        "put-object",
        "--cli-input-json",
        input,
        "--params",
        input,
    ]);
    assert_eq!(both.status.code(), Some(252));
}

#[test]
fn cli_input_yaml_reads_as_pyyaml_does() {
    // Keys in sorted order at every level: the reference prints its JSON sorted, and map
    // members are sent in the order given.
    let doc = "\
# input
Item:
  flags:
    L:
    - BOOL: true
    - S: 'it''s'
  id:
    S: '007'
  n:
    N: \"2.5\"
  tags:
    SS:
    - a
    - b # two
ReturnValues: ALL_OLD
TableName: t
";
    let theirs =
        sansboto_tests::botocore::run(&format!("import yaml\nemit(yaml.safe_load({doc:?}))"), &[]);
    let via_yaml = dry_run(&["dynamodb", "put-item", "--cli-input-yaml", doc]);
    let via_json = dry_run(&[
        "dynamodb",
        "put-item",
        "--cli-input-json",
        &theirs.to_string(),
    ]);
    assert_eq!(via_yaml, via_json, "PyYAML read {theirs}");
    let bad = sansboto(&["dynamodb", "put-item", "--cli-input-yaml", "a: |\n  block"]);
    assert_eq!(bad.status.code(), Some(252));
}

#[test]
fn skeletons_as_aws_cli_prints_them() {
    // aws-cli's input skeleton for an operation without enums (botocore picks an enum value at
    // random) is compared exactly, four-space indentation included.
    const SCRIPT: &str = r#"
import sys, json
from botocore.session import get_session
from botocore.utils import ArgumentGenerator
from awscli.utils import json_encoder
model = get_session().get_service_model(sys.argv[1]).operation_model(sys.argv[2])
sys.stdout.write(json.dumps(ArgumentGenerator().generate_skeleton(model.input_shape), indent=4, default=json_encoder) + "\n")
"#;
    for (service, command, operation) in [
        ("sqs", "send-message-batch", "SendMessageBatch"),
        ("sns", "publish", "Publish"),
        ("iam", "create-user", "CreateUser"),
    ] {
        let out = Command::new(sansboto_tests::botocore::python())
            .args(["-c", SCRIPT, service, operation])
            .env("PYTHONPATH", awscli_dir())
            .output()
            .expect("python runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = String::from_utf8(out.stdout).unwrap();
        let ours = stdout_of(&[service, command, "--generate-cli-skeleton"]);
        assert_eq!(ours, theirs, "{service} {command}");
    }
    // The output skeleton names each string after its member.
    let out: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "s3api",
        "list-buckets",
        "--generate-cli-skeleton",
        "output",
    ]))
    .unwrap();
    assert_eq!(out["Buckets"][0]["Name"], "Name");
}

#[test]
fn usage_errors_name_the_option() {
    let out = sansboto(&["s3api", "put-object", "--bucket", "b", "--kee", "k"]);
    assert_eq!(out.status.code(), Some(252));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Unknown options: --kee") && stderr.contains("did you mean --key?"),
        "{stderr}"
    );
    let out = sansboto(&[
        "s3api",
        "put-object-tagging",
        "--bucket",
        "b",
        "--key",
        "k",
        "--tagging",
        "TagSet=[{Key=a",
    ]);
    assert_eq!(out.status.code(), Some(252));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Error parsing parameter '--tagging'"),
        "{stderr}"
    );
    // Did-you-mean for services (aws-cli's names included) and operations.
    for (args, near) in [
        (&["dynamdb", "list-tables"][..], "did you mean dynamodb?"),
        (&["s3apii", "list-buckets"][..], "did you mean s3api?"),
        (&["help", "ec22"][..], "did you mean ec2?"),
        (&["s3api", "put-objec"][..], "did you mean PutObject?"),
    ] {
        let out = sansboto(args);
        assert_eq!(out.status.code(), Some(252), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(near), "{args:?}: {stderr}");
    }
    let out = sansboto(&["ec2", "describe-instances", "--max-results", "five"]);
    assert_eq!(out.status.code(), Some(252));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-results"));
}

#[test]
fn against_moto_the_new_grammar_writes_what_params_reads() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint().to_string();
    let run = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--endpoint-url", endpoint.as_str()];
        all.extend_from_slice(args);
        let text = stdout_of(&all);
        if text.trim().is_empty() {
            serde_json::json!({})
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
        }
    };
    run(&["s3api", "create-bucket", "--bucket", "grammar"]);
    let dir = std::env::temp_dir().join(format!("sansboto-awsgrammar-moto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let body = dir.join("body.txt");
    std::fs::write(&body, "the body").unwrap();
    run(&[
        "s3api",
        "put-object",
        "--bucket",
        "grammar",
        "--key",
        "a/k",
        "--body",
        &body.display().to_string(),
        "--metadata",
        "colour=blue",
        "--tagging",
        "t=1",
    ]);
    run(&[
        "s3api",
        "put-object-tagging",
        "--bucket",
        "grammar",
        "--key",
        "a/k",
        "--tagging",
        "TagSet=[{Key=x,Value=y}]",
    ]);
    let words = run(&[
        "s3api",
        "get-object-tagging",
        "--bucket",
        "grammar",
        "--key",
        "a/k",
    ]);
    let params = run(&[
        "s3",
        "GetObjectTagging",
        "--params",
        r#"{"Bucket":"grammar","Key":"a/k"}"#,
    ]);
    assert_eq!(words["TagSet"], params["TagSet"]);
    assert_eq!(
        words["TagSet"],
        serde_json::json!([{"Key": "x", "Value": "y"}])
    );
    // aws-cli's `SERVICE wait WAITER --member value`.
    run(&[
        "s3api",
        "wait",
        "object-exists",
        "--bucket",
        "grammar",
        "--key",
        "a/k",
    ]);
    run(&[
        "s3api",
        "wait",
        "bucket-exists",
        "--bucket",
        "grammar",
        "--max-attempts",
        "1",
    ]);
    let missing = sansboto(&[
        "--endpoint-url",
        &endpoint,
        "s3api",
        "wait",
        "object-exists",
        "--bucket",
        "grammar",
        "--key",
        "no/such",
        "--max-attempts",
        "1",
        "--delay",
        "0",
    ]);
    assert_eq!(
        missing.status.code(),
        Some(255),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
    let out = dir.join("out.txt");
    let head = run(&[
        "s3api",
        "get-object",
        "--bucket",
        "grammar",
        "--key",
        "a/k",
        &out.display().to_string(),
    ]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "the body");
    assert_eq!(head["Metadata"]["colour"], "blue");
    assert!(
        head.get("Body").is_none(),
        "the body went to the file: {head}"
    );
    let listed = run(&[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "grammar",
        "--prefix",
        "a/",
    ]);
    let via_params = run(&[
        "s3",
        "ListObjectsV2",
        "--params",
        r#"{"Bucket":"grammar","Prefix":"a/"}"#,
    ]);
    assert_eq!(listed, via_params);
    assert_eq!(listed["Contents"][0]["Key"], "a/k");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Option abbreviations (argparse's: any prefix of one option's name) make the call the full
/// names make, in aws-cli (its parameters) and here (the signed request).
#[test]
fn abbreviations_make_the_call_full_names_make() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &[
                "s3api",
                "put-object",
                "--bucket=b",
                "--ke",
                "k",
                "--content-t",
                "text/plain",
                "--metad",
                "a=1",
            ],
            &[
                "s3api",
                "put-object",
                "--bucket",
                "b",
                "--key",
                "k",
                "--content-type",
                "text/plain",
                "--metadata",
                "a=1",
            ],
        ),
        // A renamed option by its new name's prefix, a boolean's negation.
        (
            &[
                "sns",
                "subscribe",
                "--topic",
                "t",
                "--prot",
                "email",
                "--notif",
                "e@x",
            ],
            &[
                "sns",
                "subscribe",
                "--topic-arn",
                "t",
                "--protocol",
                "email",
                "--notification-endpoint",
                "e@x",
            ],
        ),
        (
            &[
                "ec2",
                "create-image",
                "--instance-id",
                "i-1",
                "--name",
                "img",
                "--reb",
            ],
            &[
                "ec2",
                "create-image",
                "--instance-id",
                "i-1",
                "--name",
                "img",
                "--reboot",
            ],
        ),
        (
            &[
                "ec2",
                "create-image",
                "--instance-id",
                "i-1",
                "--name",
                "img",
                "--no-reb",
            ],
            &[
                "ec2",
                "create-image",
                "--instance-id",
                "i-1",
                "--name",
                "img",
                "--no-reboot",
            ],
        ),
        (
            &["ec2", "describe-instances", "--no-dry"],
            &["ec2", "describe-instances", "--no-dry-run"],
        ),
        // A hidden alias is an option like any other.
        (
            &[
                "iam",
                "enable-mfa-device",
                "--user-n",
                "u",
                "--serial",
                "arn:aws:iam::123456789012:mfa/u",
                "--authentication-code1",
                "123456",
                "--authentication-code-2",
                "654321",
            ],
            &[
                "iam",
                "enable-mfa-device",
                "--user-name",
                "u",
                "--serial-number",
                "arn:aws:iam::123456789012:mfa/u",
                "--authentication-code1",
                "123456",
                "--authentication-code2",
                "654321",
            ],
        ),
    ];
    for (short, full) in cases {
        assert_eq!(
            awscli_params(short),
            awscli_params(full),
            "aws-cli: {short:?}"
        );
        assert_same_call(short);
        assert_eq!(dry_run(short), dry_run(full), "{short:?}");
    }
    // Global options, wherever they stand, as their full names.
    let short = [
        "s3api",
        "get-object",
        "--bucket",
        "b",
        "--key",
        "k",
        "--regio",
        "eu-west-1",
        "--no-sig",
        "out",
    ];
    let full = [
        "s3api",
        "get-object",
        "--bucket",
        "b",
        "--key",
        "k",
        "--region",
        "eu-west-1",
        "--no-sign-request",
        "out",
    ];
    assert_eq!(awscli_params(&short), awscli_params(&full));
    let request = dry_run(&short);
    assert_eq!(request, dry_run(&full));
    assert!(
        request["url"].as_str().unwrap().contains("eu-west-1"),
        "{request}"
    );
}

/// A table of command lines: each accepted or refused by `sansboto` as by aws-cli, an ambiguous
/// abbreviation with aws-cli's list of candidates, an unknown option with aws-cli's message.
#[test]
fn abbreviations_accepted_and_refused_as_aws_cli_decides() {
    let get = ["s3api", "get-object", "--bucket", "b", "--key", "k"];
    let put = ["s3api", "put-object", "--bucket", "b", "--key", "k"];
    let list = ["s3api", "list-objects", "--bucket", "b"];
    let acl = [
        "ec2",
        "create-network-acl-entry",
        "--network-acl-id",
        "a",
        "--rule-number",
        "1",
        "--protocol",
        "6",
        "--rule-action",
        "allow",
        "--cidr-block",
        "0.0.0.0/0",
    ];
    let mfa = [
        "iam",
        "enable-mfa-device",
        "--user-name",
        "u",
        "--serial-number",
        "arn:aws:iam::123456789012:mfa/u",
        "--authentication-code1",
        "123456",
    ];
    let cases: Vec<Vec<&str>> = vec![
        // Accepted.
        [&list[..], &["--page-siz", "2", "--max-i", "3"]].concat(),
        [&list[..], &["--st=x"]].concat(),
        [&list[..], &["--page", "3"]].concat(),
        [&put[..], &["--outp", "json", "--que", "Bucket"]].concat(),
        [&put[..], &["--endpoint-u", "http://localhost:1"]].concat(),
        [&acl[..], &["--egr"]].concat(),
        [&acl[..], &["--ingr"]].concat(),
        [&mfa[..], &["--authentication-code-2", "654321"]].concat(),
        [&mfa[..], &["--authentication-code2=654321"]].concat(),
        // Ambiguous: among aws-cli's global options (read first, wherever they stand) ...
        [&put[..], &["--c", "x"]].concat(),
        [&put[..], &["--no"]].concat(),
        [&list[..], &["--cli", "3"]].concat(),
        vec!["--v", "s3api", "list-buckets"],
        // ... or the operation's, pagination and hidden aliases included.
        vec!["s3api", "put-object", "--b", "b", "--k", "k"],
        vec!["s3api", "put-object", "--buck", "b", "--key", "k"],
        [&list[..], &["--max", "2"]].concat(),
        [&mfa[..], &["--authentication-code", "2"]].concat(),
        [&mfa[..], &["--authentication-code-", "2"]].concat(),
        [&list[..], &["--s=x"]].concat(),
        // Unknown: a renamed option's old negation is no option, nor is a misspelling.
        [&acl[..], &["--no-eg"]].concat(),
        [&acl[..], &["--no-egress"]].concat(),
        [&list[..], &["--buckt"]].concat(),
        [&get[..], &["--cli-input", "{}"]].concat(),
        // `--cli-input-json`'s prefix is no option of a streaming output's operation; it is
        // elsewhere.
        [&list[..], &["--cli-input", "{}"]].concat(),
    ];
    for args in &cases {
        let theirs = awscli(args);
        let their_err = String::from_utf8_lossy(&theirs.stderr).to_string();
        let ours = sansboto(&[&["--dry-run", "--signing-time", SIGNING_TIME][..], args].concat());
        let our_err = String::from_utf8_lossy(&ours.stderr).to_string();
        assert_eq!(
            ours.status.success(),
            theirs.status.success(),
            "{args:?}\naws-cli: {their_err}\nsansboto: {our_err}"
        );
        if theirs.status.success() {
            continue;
        }
        assert_eq!(ours.status.code(), Some(252), "{args:?}: {our_err}");
        let line = their_err
            .lines()
            .find_map(|l| {
                l.split_once("error: ambiguous option: ")
                    .map(|(_, m)| format!("ambiguous option: {m}"))
                    .or_else(|| l.starts_with("Unknown options: ").then(|| l.to_string()))
            })
            .unwrap_or_else(|| panic!("{args:?}: aws-cli said {their_err}"));
        assert!(
            our_err.contains(&line),
            "{args:?}: aws-cli said {line:?}, sansboto {our_err}"
        );
    }
    // A misspelling that begins no option keeps its did-you-mean.
    let out = sansboto(&[&["--dry-run"][..], &list, &["--delimeter", "/"]].concat());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("(did you mean --delimiter?)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `--version` (or its abbreviation) anywhere prints the version, as aws-cli does: after the
/// service, the operation and its options too, where aws-cli reads `--vers` as its own
/// `--version` although the operation has `--version-id`.
#[test]
fn version_anywhere() {
    let want = format!("sansboto {}\n", env!("CARGO_PKG_VERSION"));
    for args in [
        &["--version"][..],
        &["s3api", "--version"],
        &[
            "s3api",
            "put-object",
            "--bucket",
            "b",
            "--key",
            "k",
            "--version",
        ],
        &[
            "s3api",
            "get-object",
            "--bucket",
            "b",
            "--key",
            "k",
            "--vers",
            "3",
            "out",
        ],
        &[
            "--region",
            "eu-west-1",
            "ec2",
            "describe-instances",
            "--versio",
        ],
    ] {
        let theirs = awscli(args);
        assert!(theirs.status.success(), "aws-cli {args:?}");
        assert!(
            String::from_utf8_lossy(&theirs.stdout).starts_with("aws-cli/"),
            "aws-cli {args:?}: {}",
            String::from_utf8_lossy(&theirs.stdout)
        );
        assert_eq!(stdout_of(args), want, "{args:?}");
    }
    // aws-cli's `--v` is also its `--v2-debug`: ambiguous in both.
    assert!(!awscli(&["s3api", "list-buckets", "--v"]).status.success());
    assert_eq!(
        sansboto(&["s3api", "list-buckets", "--v"]).status.code(),
        Some(252)
    );
}

/// Pagination options reached by an abbreviation page as the full names do, against moto.
#[test]
fn abbreviated_pagination_options_page_against_moto() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint().to_string();
    let run = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--endpoint-u", endpoint.as_str()];
        all.extend_from_slice(args);
        let text = stdout_of(&all);
        if text.trim().is_empty() {
            serde_json::json!({})
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
        }
    };
    run(&["s3api", "create-bucket", "--bucket", "pages"]);
    for key in ["a", "b", "c"] {
        run(&["s3api", "put-object", "--bucket", "pages", "--ke", key]);
    }
    let full = run(&[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "pages",
        "--max-items",
        "2",
        "--page-size",
        "1",
    ]);
    let short = run(&[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "pages",
        "--max-i",
        "2",
        "--page-s",
        "1",
    ]);
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v["Contents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["Key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(keys(&full), ["a", "b"], "{full}");
    assert_eq!(keys(&short), keys(&full));
    let token = short["NextToken"].as_str().expect("a next token");
    assert_eq!(full["NextToken"], short["NextToken"]);
    let rest = run(&[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "pages",
        "--starting",
        token,
    ]);
    assert_eq!(keys(&rest), ["c"], "{rest}");
    // Given twice, by its name and an abbreviation: refused.
    let out = sansboto(&[
        "--endpoint-url",
        &endpoint,
        "s3api",
        "list-objects-v2",
        "--bucket",
        "pages",
        "--max-items",
        "1",
        "--max-i",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(252));
}

/// A profile's `api_versions` pins the API a command line is read against, as aws-cli builds its
/// command table from that version's model: EC2 2015-03-01 has no `AcceptAddressTransfer` and
/// no `IncludeManagedResources` member of `DescribeInstances`, so aws-cli refuses both, and so
/// must sansboto; a command both versions have makes aws-cli's call, in the pinned version.
#[test]
fn api_versions_pins_the_command_line_as_aws_cli_does() {
    let dir =
        std::env::temp_dir().join(format!("sansboto-cli-api-versions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pinned = dir.join("config");
    std::fs::write(&pinned, "[default]\napi_versions =\n    ec2 = 2015-03-01\n").unwrap();
    let theirs = awscli_with_config;
    let ours = |args: &[&str], config: &std::path::Path| {
        let mut all = vec!["--dry-run", "--signing-time", SIGNING_TIME];
        all.extend_from_slice(args);
        sansboto_with_config(&all, config)
    };
    let latest = std::path::Path::new("/dev/null");
    let only_in_latest: [&[&str]; 2] = [
        &["ec2", "accept-address-transfer", "--address", "192.0.2.1"],
        &["ec2", "describe-instances", "--include-managed-resources"],
    ];
    for args in only_in_latest {
        // Without the pin both read the command; with it, both refuse it.
        assert!(theirs(args, latest).status.success(), "aws-cli {args:?}");
        assert!(ours(args, latest).status.success(), "sansboto {args:?}");
        let refused = theirs(args, &pinned);
        assert!(!refused.status.success(), "aws-cli pinned {args:?}");
        let out = ours(args, &pinned);
        assert!(
            !out.status.success(),
            "sansboto pinned {args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        // Refused as each refuses any unknown operation or option (their exit statuses differ
        // as they do for every such command line: see `usage_errors_name_the_option`).
        let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        let their_said = String::from_utf8_lossy(&refused.stderr);
        if args[1] == "accept-address-transfer" {
            assert!(said.contains("unknown operation"), "{said}");
            assert!(their_said.contains("Invalid choice"), "{their_said}");
        } else {
            let unknown = "Unknown options: --include-managed-resources";
            assert!(said.contains(unknown), "{said}");
            assert!(their_said.contains(unknown), "{their_said}");
        }
    }
    // In both versions: aws-cli's parameters, sent as the pinned version's request.
    let args = ["ec2", "describe-instances", "--max-results", "5"];
    let out = theirs(&args, &pinned);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let params: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let out = ours(&args, &pinned);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let request: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD
        .decode(request["body_base64"].as_str().unwrap_or_default())
        .unwrap();
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "Action=DescribeInstances&Version=2015-03-01&MaxResults=5"
    );
    assert_eq!(params, serde_json::json!({"MaxResults": 5}));
    // Help lists the pinned version's waiters (EC2 2015-03-01 has no `InstanceExists`).
    let help = |config: &std::path::Path, profile: Option<&str>| {
        let mut args = vec!["help", "ec2"];
        if let Some(profile) = profile {
            args = vec!["--profile", profile, "help", "ec2"];
        }
        let out = sansboto_with_config(&args, config);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let pinned_help = help(&pinned, None);
    assert!(
        pinned_help.contains("API version 2015-03-01"),
        "{pinned_help}"
    );
    assert!(pinned_help.contains("  InstanceRunning\n"), "{pinned_help}");
    assert!(!pinned_help.contains("  InstanceExists\n"), "{pinned_help}");
    assert!(help(latest, None).contains("  InstanceExists\n"));
    // A profile that does not exist leaves help to the latest version, as aws-cli does (the
    // call, not the command line, reports the profile).
    assert!(help(&pinned, Some("nowhere")).contains("  InstanceExists\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The parameters aws-cli hands botocore's serializer for `args`: caught after every
/// `before-parameter-build` handler (aws-cli's own, which `ec2 run-instances` has, run there;
/// botocore's draws a random `ClientToken` there, so the cases give theirs).
fn awscli_built_params(args: &[&str]) -> serde_json::Value {
    let out = awscli_built(args);
    assert!(
        out.status.success(),
        "aws-cli {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("aws-cli's parameters as JSON")
}

/// aws-cli run on `args`, stopped once every `before-parameter-build` handler has run (see
/// [`awscli_built_params`]).
fn awscli_built(args: &[&str]) -> Output {
    awscli_stopped_at(
        args,
        std::path::Path::new("/nonexistent"),
        "driver.session.get_component('event_emitter').register_last('before-parameter-build', grab)",
    )
}

/// `--dry-run` after the operation is the operation's own flag where it has one (EC2's
/// `DryRun`, sent as aws-cli sends it); after an operation without one, it is this command's
/// dry run, as before the service.
#[test]
fn dry_run_after_the_operation_is_its_member_when_it_has_one() {
    for args in [
        &["ec2", "describe-vpcs", "--dry-run"][..],
        &["ec2", "describe-vpcs", "--no-dry-run"],
        &[
            "ec2",
            "run-instances",
            "--image-id",
            "ami-1",
            "--dry-run",
            "--count",
            "2",
            "--client-token",
            "tok-1",
        ],
    ] {
        assert_same_built_call(args);
    }
    use base64::Engine as _;
    let ec2 = dry_run(&["ec2", "describe-vpcs", "--dry-run"]);
    let body = base64::engine::general_purpose::STANDARD
        .decode(ec2["body_base64"].as_str().unwrap_or_default())
        .expect("a base64 body");
    assert!(body.ends_with(b"&DryRun=true"), "{ec2}");
    let after = stdout_of(&[
        "s3api",
        "list-buckets",
        "--dry-run",
        "--signing-time",
        SIGNING_TIME,
    ]);
    let mut after: serde_json::Value = serde_json::from_str(&after).expect("a dry run prints JSON");
    if let Some(headers) = after["headers"].as_array_mut() {
        headers.sort_by_key(|h| h.to_string());
    }
    assert_eq!(after, dry_run(&["s3api", "list-buckets"]));
}

/// Lambda's `--zip-file` as aws-cli reads it (`crate::lambdaargs`): into `Code` (`Content`)
/// after the other members, beside a `--code` or alone; checked to be a zip archive, also as
/// `update-function-code`'s own member; a `ZipFile` inside `--code` refused.
#[test]
fn lambdas_zip_file_is_read_as_aws_cli_reads_it() {
    let dir = std::env::temp_dir().join(format!("sansboto-zip-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let zip = dir.join("fn.zip");
    let made = Command::new(sansboto_tests::botocore::python())
        .args([
            "-c",
            "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    \
             z.writestr('index.py', 'def handler(e, c):\\n    return 1\\n')",
            zip.to_str().unwrap(),
        ])
        .status()
        .expect("python runs");
    assert!(made.success());
    // With Zip64 end records, as archives of more than 65,535 files have them.
    let zip64 = dir.join("fn64.zip");
    let made = Command::new(sansboto_tests::botocore::python())
        .args([
            "-c",
            "import sys, zipfile\nzipfile.ZIP_FILECOUNT_LIMIT = 0\n\
             with zipfile.ZipFile(sys.argv[1], 'w') as z:\n    z.writestr('index.py', 'x = 1\\n')",
            zip64.to_str().unwrap(),
        ])
        .status()
        .expect("python runs");
    assert!(made.success());
    let zip64_ref = format!("fileb://{}", zip64.display());
    let text = dir.join("index.py");
    std::fs::write(&text, "def handler(e, c):\n    return 1\n").unwrap();
    let zip_ref = format!("fileb://{}", zip.display());
    let text_ref = format!("fileb://{}", text.display());
    let create = [
        "lambda",
        "create-function",
        "--function-name",
        "f",
        "--runtime",
        "python3.12",
        "--role",
        "arn:aws:iam::123456789012:role/r",
        "--handler",
        "index.handler",
    ];
    for extra in [
        &["--zip-file", &zip_ref][..],
        &["--zip-file", &zip_ref, "--code", "S3Bucket=bkt,S3Key=k"],
        &["--code", "S3Bucket=bkt,S3Key=k", "--publish"],
    ] {
        assert_same_built_call(&[&create[..], extra].concat());
    }
    assert_same_built_call(&[
        "lambda",
        "publish-layer-version",
        "--layer-name",
        "l",
        "--zip-file",
        &zip_ref,
    ]);
    for zip_ref in [&zip_ref, &zip64_ref] {
        assert_same_built_call(&[
            "lambda",
            "update-function-code",
            "--function-name",
            "f",
            "--zip-file",
            zip_ref,
        ]);
    }
    for args in [
        [&create[..], &["--zip-file", &text_ref]].concat(),
        [&create[..], &["--zip-file", "fn.zip"]].concat(),
        vec![
            "lambda",
            "update-function-code",
            "--function-name",
            "f",
            "--zip-file",
            &text_ref,
        ],
    ] {
        assert_refused_alike(
            &args,
            "--zip-file must be a zip file with the fileb:// prefix.",
        );
    }
    assert_refused_alike(
        &[&create[..], &["--code", "ZipFile=abc"]].concat(),
        "ZipFile cannot be provided as part of the --code argument.  Please use the \
         '--zip-file' option instead to specify a zip file.",
    );
}

/// CloudFront's `create-invalidation --paths` makes the whole `InvalidationBatch` as aws-cli
/// makes it; its `CallerReference` (the time and a random number) is aws-cli's form, and with
/// ours in aws-cli's parameters the requests are the same. Beside `--invalidation-batch` it is
/// refused as aws-cli refuses it.
#[test]
fn cloudfronts_paths_make_the_invalidation_batch_as_aws_cli_does() {
    use base64::Engine as _;
    let args = [
        "cloudfront",
        "create-invalidation",
        "--distribution-id",
        "EDFDVBD6EXAMPLE",
        "--paths",
        "/index.html",
        "/img/*",
    ];
    let mut theirs = awscli_built_params(&args);
    let ours = dry_run(&args);
    let body = base64::engine::general_purpose::STANDARD
        .decode(ours["body_base64"].as_str().unwrap_or_default())
        .expect("a base64 body");
    let body = String::from_utf8(body).expect("an XML body");
    let reference = body
        .split_once("<CallerReference>")
        .and_then(|(_, rest)| rest.split_once("</CallerReference>"))
        .map(|(reference, _)| reference.to_string())
        .expect("a caller reference");
    let form = |r: &str| {
        let parts: Vec<&str> = r.split('-').collect();
        parts.len() == 3
            && parts[0] == "cli"
            && parts[1].parse::<u64>().is_ok()
            && parts[2]
                .parse::<u64>()
                .is_ok_and(|n| (1..=1_000_000).contains(&n))
    };
    let batch = &mut theirs["InvalidationBatch"];
    assert!(
        form(batch["CallerReference"].as_str().unwrap_or("")),
        "{batch}"
    );
    assert!(form(&reference), "{reference}");
    batch["CallerReference"] = reference.into();
    let via_params = dry_run(&[args[0], args[1], "--params", &theirs.to_string()]);
    assert_eq!(ours, via_params, "aws-cli's parameters were {theirs}");
    assert_refused_alike(
        &[
            &args[..],
            &[
                "--invalidation-batch",
                "CallerReference=x,Paths={Quantity=1,Items=[/a]}",
            ],
        ]
        .concat(),
        "The key \"paths\" cannot be specified when one of the following keys are also \
         specified: invalidation_batch",
    );
}

/// SES's `send-email` simple form as aws-cli reads it: `--from`, the addresses and the texts
/// into `Destination` and `Message` in aws-cli's order, beside members or not; refused beside
/// `--destination` or `--message` with aws-cli's messages.
#[test]
fn ses_send_email_simple_form_is_read_as_aws_cli_reads_it() {
    let base = ["ses", "send-email", "--from", "a@example.com"];
    for extra in [
        &[
            "--to",
            "b@example.com",
            "c@example.com",
            "--subject",
            "Hi",
            "--text",
            "Body",
            "--html",
            "<b>x</b>",
        ][..],
        &[
            "--html",
            "<i>h</i>",
            "--bcc",
            "d@example.com",
            "--reply-to-addresses",
            "r@example.com",
            "--subject",
            "S",
            "--cc",
            "e@example.com",
            "--to",
            "f@example.com",
        ],
        &[
            "--destination",
            "ToAddresses=b@example.com",
            "--subject",
            "S",
            "--text",
            "T",
        ],
        &[
            "--message",
            "Subject={Data=s},Body={Text={Data=t}}",
            "--subject",
            "over",
            "--to",
            "b@example.com",
        ],
    ] {
        assert_same_built_call(&[&base[..], extra].concat());
    }
    for (extra, message) in [
        (
            &[
                "--destination",
                "ToAddresses=b@example.com",
                "--cc",
                "c@example.com",
            ][..],
            "The key \"cc\" cannot be specified when one of the following keys are also \
             specified: destination",
        ),
        (
            &[
                "--message",
                "Subject={Data=s},Body={Text={Data=t}}",
                "--text",
                "x",
            ],
            "The key \"text\" cannot be specified when one of the following keys are also \
             specified: message",
        ),
    ] {
        assert_refused_alike(&[&base[..], extra].concat(), message);
    }
}

/// A streaming output's file is a required word in aws-cli's grammar, as in aws-cli; the
/// command's own `--params` may leave it out (the body then printed as base64).
#[test]
fn a_streaming_outputs_file_is_required_in_aws_clis_grammar() {
    for args in [
        &["s3api", "get-object", "--bucket", "b", "--key", "k"][..],
        &["lambda", "invoke", "--function-name", "f"],
    ] {
        assert_refused_alike(args, "the following arguments are required: outfile");
    }
    let out = sansboto(&[
        "--dry-run",
        "s3",
        "GetObject",
        "--params",
        r#"{"Bucket": "b", "Key": "k"}"#,
    ]);
    assert!(out.status.success(), "{out:?}");
}

/// CloudWatch's `put-metric-data` options as aws-cli reads them: `MetricData`'s first item in
/// aws-cli's order whatever the command line's, and its refusals. Then `--dimensions` values
/// nobody chose (escapes, quotes of both kinds, lists, pairs without or with two `=`), each
/// split by aws-cli's own `split_on_commas` and sansboto's: the same dimensions, or both
/// refusing with the same message.
#[test]
fn cloudwatchs_metric_options_are_read_as_aws_cli_reads_them() {
    let base = ["cloudwatch", "put-metric-data", "--namespace", "App"];
    for extra in [
        &[
            "--metric-name",
            "Latency",
            "--value",
            "12.5",
            "--unit",
            "Milliseconds",
        ][..],
        &[
            "--storage-resolution",
            "1",
            "--dimensions",
            "Service=api,Stage=prod",
            "--metric-name",
            "Hits",
            "--timestamp",
            "2024-01-02T03:04:05Z",
            "--statistic-values",
            "Sum=10,Minimum=1,Maximum=5.5,SampleCount=4",
        ],
        &["--value", " 1e3 ", "--metric-name", "M"],
        // Not exclusive of --metric-data: into its first item, in place.
        &[
            "--metric-data",
            "MetricName=J,Value=2",
            "MetricName=K,Value=3",
            "--storage-resolution",
            "1",
        ],
        &[
            "--metric-data",
            r#"[{"MetricName": "a", "Value": 1}, {"MetricName": "b"}]"#,
            "--strict-entity-validation",
            "--storage-resolution",
            "1",
        ],
    ] {
        assert_same_built_call(&[&base[..], extra].concat());
    }
    for (extra, message) in [
        (
            &["--metric-data", "MetricName=a,Value=1", "--value", "2"][..],
            "The key \"value\" cannot be specified when one of the following keys are also \
             specified: metric_data",
        ),
        (
            &["--metric-name", "M", "--value", "x1"],
            "[<class 'decimal.ConversionSyntax'>]",
        ),
        (
            &["--metric-name", "M", "--dimensions", "A=b,C"],
            "not enough values to unpack (expected 2, got 1)",
        ),
        (
            &["--metric-data", "[]", "--storage-resolution", "1"],
            "list index out of range",
        ),
    ] {
        assert_refused_alike(&[&base[..], extra].concat(), message);
    }

    let values = [
        "a=b",
        "a=b,c=d",
        "a=b\\,c=d",
        "a=b\\\\,c=d",
        "a=b\\",
        "a=\"b,c\",d=e",
        "a='b,c',d=e",
        "a=\"b\",c='d'",
        "a=[b,c],d=e",
        "a=[b,\"c,d\"],e=f",
        "x=1,y=\"2,3,4\",z=5",
        "a=\"open,c=d",
        "a=b=c",
        "a=b,c",
        "a= b , c=d",
        "a=b,,c=d",
        "a=\"\"\"b\"\"\",c=d",
        "a=é,b=\"ü,ß\"",
        "a=[x]yü",
        "a=b\nc\\,d",
        "a=\"b\nc\",d=e",
    ];
    let theirs = sansboto_tests::awscli_python_json(
        r#"
import sys, json
from awscli.utils import split_on_commas
out = []
for value in json.load(sys.stdin):
    try:
        dims = []
        for pair in split_on_commas(value):
            key, v = pair.split('=')
            dims.append({'Name': key, 'Value': v})
        out.append({'ok': dims})
    except Exception as e:
        out.append({'error': str(e)})
print(json.dumps(out))
"#,
        &[],
        &[],
        &serde_json::json!(values).to_string(),
    );
    for (value, theirs) in values.iter().zip(theirs.as_array().expect("a list")) {
        let words = [&base[..], &["--metric-name", "M", "--dimensions", value]].concat();
        match (theirs.get("ok"), theirs["error"].as_str()) {
            (Some(dimensions), _) => {
                let params = serde_json::json!({
                    "Namespace": "App",
                    "MetricData": [{"MetricName": "M", "Dimensions": dimensions}],
                });
                let via_params = dry_run(&[base[0], base[1], "--params", &params.to_string()]);
                assert_eq!(
                    dry_run(&words),
                    via_params,
                    "{value:?}: aws-cli's {dimensions}"
                );
            }
            (None, Some(message)) => {
                let ours = sansboto(&[&["--dry-run"][..], &words].concat());
                let stderr = String::from_utf8_lossy(&ours.stderr);
                assert!(
                    !ours.status.success() && stderr.contains(message),
                    "{value:?}: aws-cli says {message:?}, sansboto {stderr}"
                );
            }
            _ => panic!("{value:?}: {theirs}"),
        }
    }
}

/// aws-cli's words make the same request in sansboto as the parameters aws-cli hands
/// botocore's serializer ([`awscli_built_params`]) given as JSON.
fn assert_same_built_call(args: &[&str]) {
    let params = awscli_built_params(args);
    let via_params = dry_run(&[args[0], args[1], "--params", &params.to_string()]);
    assert_eq!(
        dry_run(args),
        via_params,
        "{args:?}: aws-cli's parameters were {params}"
    );
}

/// aws-cli (its handlers included) and sansboto both refuse `args`, saying `message`.
fn assert_refused_alike(args: &[&str], message: &str) {
    let theirs = awscli_built(args);
    let ours = sansboto(args);
    let (theirs_err, ours_err) = (
        String::from_utf8_lossy(&theirs.stderr),
        String::from_utf8_lossy(&ours.stderr),
    );
    assert!(
        !theirs.status.success() && theirs_err.contains(message),
        "aws-cli {args:?}: {theirs_err}"
    );
    assert!(
        !ours.status.success() && ours_err.contains(message),
        "{args:?}: {ours_err}"
    );
}

/// aws-cli's own options of a security group rule's commands (`--protocol`, `--port`,
/// `--cidr`, `--source-group`, `--group-owner` making the first rule; the members they stand
/// for still read) and a network ACL entry's protocol names: the same words make the same
/// request, and what aws-cli refuses is refused.
#[test]
fn security_group_and_network_acl_options_as_aws_cli_reads_them() {
    let cases: &[&[&str]] = &[
        &[
            "ec2",
            "authorize-security-group-ingress",
            "--group-id",
            "sg-1",
            "--protocol",
            "tcp",
            "--port",
            "22",
            "--cidr",
            "203.0.113.0/24",
        ],
        &[
            "ec2",
            "authorize-security-group-egress",
            "--group-id",
            "sg-1",
            "--protocol",
            "all",
            "--port",
            "all",
            "--source-group",
            "sg-2",
            "--group-owner",
            "123456789012",
        ],
        &[
            "ec2",
            "revoke-security-group-ingress",
            "--group-name",
            "web",
            "--protocol",
            "17",
            "--port",
            "1000-2000",
            "--source-group",
            "db",
        ],
        &[
            "ec2",
            "revoke-security-group-egress",
            "--group-id",
            "sg-1",
            "--cidr",
            "10.0.0.0/8",
            "--protocol",
            "icmp",
            "--port",
            "-1",
        ],
        &[
            "ec2",
            "authorize-security-group-ingress",
            "--group-id",
            "sg-1",
            "--ip-protocol",
            "tcp",
            "--from-port",
            "80",
            "--to-port",
            "80",
            "--cidr-ip",
            "0.0.0.0/0",
        ],
        &[
            "ec2",
            "authorize-security-group-ingress",
            "--group-id",
            "sg-1",
            "--ip-permissions",
            "IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]",
        ],
        &[
            "ec2",
            "create-network-acl-entry",
            "--network-acl-id",
            "acl-1",
            "--rule-number",
            "100",
            "--protocol",
            "tcp",
            "--rule-action",
            "allow",
            "--ingress",
            "--cidr-block",
            "0.0.0.0/0",
            "--port-range",
            "From=80,To=80",
        ],
        &[
            "ec2",
            "replace-network-acl-entry",
            "--network-acl-id",
            "acl-1",
            "--rule-number",
            "100",
            "--protocol",
            "all",
            "--rule-action",
            "deny",
            "--egress",
            "--cidr-block",
            "0.0.0.0/0",
        ],
    ];
    for args in cases {
        assert_same_built_call(args);
    }
    for (args, message) in [
        (
            &[
                "ec2",
                "authorize-security-group-ingress",
                "--group-id",
                "sg-1",
                "--protocol",
                "300",
            ][..],
            "protocol parameter should be one of: tcp|udp|icmp|all or any valid protocol number.",
        ),
        (
            &[
                "ec2",
                "authorize-security-group-ingress",
                "--group-id",
                "sg-1",
                "--port",
                "22-x",
            ],
            "port parameter should be of the form <from[-to]> (e.g. 22 or 22-25)",
        ),
        (
            &[
                "ec2",
                "authorize-security-group-ingress",
                "--group-id",
                "sg-1",
                "--ip-permissions",
                "IpProtocol=tcp",
                "--source-group",
                "sg-2",
            ],
            "The --source_group option is not compatible with the --ip-permissions option",
        ),
        (
            &[
                "ec2",
                "authorize-security-group-ingress",
                "--ip-permissions",
                "[]",
                "--cidr",
                "192.0.2.1/32",
            ],
            "The --cidr option is not compatible with the --ip-permissions option",
        ),
        // The members the options stand for keep their place in the parser.
        (
            &["ec2", "authorize-security-group-ingress", "--t", "x"],
            "--t could match --to-port, --tag-specifications",
        ),
    ] {
        assert_refused_alike(args, message);
    }
}

/// aws-cli's options beside the command's `--params` (how EC2's `DryRun` is given, the
/// command's own `--dry-run` being taken): aws-cli's handlers still act, `--params` being the
/// options' base as aws-cli's `--cli-input-json` is, which is the reference.
#[test]
fn ec2_options_beside_params_make_aws_clis_call() {
    for args in [
        &[
            "ec2",
            "run-instances",
            "--image-id",
            "ami-1",
            "--client-token",
            "t",
        ][..],
        &[
            "ec2",
            "run-instances",
            "--subnet-id",
            "s",
            "--associate-public-ip-address",
            "--count",
            "1",
            "--client-token",
            "t",
        ],
        &[
            "ec2",
            "create-network-acl-entry",
            "--network-acl-id",
            "acl-1",
            "--rule-number",
            "1",
            "--protocol",
            "tcp",
            "--rule-action",
            "allow",
            "--ingress",
            "--cidr-block",
            "0.0.0.0/0",
        ],
    ] {
        let params =
            awscli_built_params(&[args, &["--cli-input-json", r#"{"DryRun": true}"#][..]].concat());
        let via_params = dry_run(&[args[0], args[1], "--params", &params.to_string()]);
        let ours = dry_run(&[args, &["--params", r#"{"DryRun": true}"#][..]].concat());
        assert_eq!(
            ours, via_params,
            "{args:?}: aws-cli's parameters were {params}"
        );
    }
}

/// aws-cli's own options of `ec2 run-instances` (`--count` in place of `--min-count` and
/// `--max-count`, the first network interface's options, the options then moved into it):
/// the same words make the same request (EC2's query body keeps aws-cli's parameter order),
/// and what aws-cli refuses is refused.
#[test]
fn run_instances_options_as_aws_cli_reads_them() {
    let cases: &[&[&str]] = &[
        &["ec2", "run-instances", "--image-id", "ami-1"],
        &[
            "ec2",
            "run-instances",
            "--image-id",
            "ami-1",
            "--count",
            "3",
        ],
        &[
            "ec2",
            "run-instances",
            "--count",
            "2:5",
            "--instance-type",
            "t3.micro",
        ],
        &["ec2", "run-instances", "--cou", " +1_0 "],
        &[
            "ec2",
            "run-instances",
            "--image-id",
            "ami-1",
            "--subnet-id",
            "subnet-1",
            "--security-group-ids",
            "sg-1",
            "sg-2",
            "--associate-public-ip-address",
        ],
        &[
            "ec2",
            "run-instances",
            "--image-id",
            "ami-1",
            "--secondary-private-ip-addresses",
            "10.0.0.5",
            "10.0.0.6",
            "--private-ip-address",
            "10.0.0.4",
            "--subnet-id",
            "subnet-1",
        ],
        &[
            "ec2",
            "run-instances",
            "--image-id",
            "ami-1",
            "--secondary-private-ip-address-count",
            "2",
            "--no-associate-public-ip-address",
            "--ipv6-address-count",
            "1",
        ],
        &[
            "ec2",
            "run-instances",
            "--image-id",
            "ami-1",
            "--network-interfaces",
            "DeviceIndex=0,SubnetId=subnet-9",
            "--no-associate-public-ip-address",
        ],
        &[
            "ec2",
            "run-instances",
            "--cli-input-json",
            r#"{"ImageId": "ami-2", "MaxCount": 4, "SubnetId": "subnet-3"}"#,
            "--count",
            "1",
            "--associate-public-ip-address",
        ],
        &[
            "ec2",
            "run-instances",
            "--image-id",
            "ami-1",
            "--secondary-private-ip-addresses",
            "--secondary-private-ip-address-count",
            "0",
        ],
    ];
    for args in cases {
        // A token of the call's own: both would draw one at random.
        assert_same_built_call(&[*args, &["--client-token", "tok-1"][..]].concat());
    }
    for (args, message) in [
        (
            &["ec2", "run-instances", "--image-id", "ami-1", "--count", "1:2:3"][..],
            "count parameter should be of form min[:max] (e.g. 1 or 1:10)",
        ),
        (
            &["ec2", "run-instances", "--image-id", "ami-1", "--count", "x"],
            "count parameter should be of form min[:max] (e.g. 1 or 1:10)",
        ),
        (
            &[
                "ec2", "run-instances", "--network-interfaces", "DeviceIndex=0",
                "--associate-public-ip-address",
            ],
            "Mixing the --network-interfaces option with the simple, scalar options is not supported.",
        ),
        (
            &["ec2", "run-instances", "--min-count", "1"],
            "Unknown options: --min-count",
        ),
        (
            &["ec2", "run-instances", "--secondary-private-ip-address-count", "two"],
            "argument --secondary-private-ip-address-count: invalid int value: 'two'",
        ),
        // Given, whatever its value: the option is refused beside the scalar ones.
        (
            &[
                "ec2",
                "run-instances",
                "--network-interfaces",
                "[]",
                "--associate-public-ip-address",
            ],
            "Mixing the --network-interfaces option",
        ),
        (
            &[
                "ec2",
                "run-instances",
                "--cli-input-json",
                r#"{"NetworkInterfaces": []}"#,
            ],
            "list index out of range",
        ),
    ] {
        assert_refused_alike(args, message);
    }
}
