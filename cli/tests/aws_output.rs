//! `--query` and `--output` against aws-cli itself: the same command line given to aws-cli
//! (v1, from `scripts/ensure-awscli`, on the pinned botocore) and to `sansboto`, both against
//! one moto server, must print the same bytes — the new grammar and the output together, as a
//! drop-in. Timestamps are queried away where a command returns them (aws-cli v1 prints them
//! as the wire has them; sansboto as ISO 8601).

use std::path::PathBuf;
use std::process::Command;

use sansboto_tests::moto::MotoServer;

fn awscli_dir() -> PathBuf {
    let dir = std::env::var_os("SANSBOTO_AWSCLI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.cache/awscli-1.46.3")
        });
    assert!(
        dir.join("awscli").is_dir(),
        "aws-cli is not installed at {}: run scripts/ensure-awscli (scripts/test does)",
        dir.display()
    );
    dir
}

fn env(cmd: &mut Command) -> &mut Command {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
}

fn aws(endpoint: &str, args: &[&str]) -> String {
    let out = env(&mut Command::new(sansboto_tests::botocore::python()))
        .args([
            "-c",
            "import sys\nfrom awscli.clidriver import main\nsys.exit(main())",
        ])
        .args(["--endpoint-url", endpoint])
        .args(args)
        .env("PYTHONPATH", awscli_dir())
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "aws {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn sansboto(endpoint: &str, args: &[&str]) -> String {
    let out = env(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
        .args(["--endpoint-url", endpoint])
        .args(args)
        .output()
        .expect("sansboto runs");
    assert!(
        out.status.success(),
        "sansboto {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_same_output_as_aws_cli() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint().to_string();
    let e = endpoint.as_str();
    sansboto(e, &["s3api", "create-bucket", "--bucket", "out"]);
    for key in ["a/1.txt", "a/2.txt", "b/3.txt"] {
        sansboto(e, &["s3api", "put-object", "--bucket", "out", "--key", key]);
    }
    sansboto(
        e,
        &[
            "s3api",
            "put-bucket-tagging",
            "--bucket",
            "out",
            "--tagging",
            "TagSet=[{Key=team,Value=core},{Key=env,Value=test}]",
        ],
    );
    sansboto(
        e,
        &[
            "sqs",
            "create-queue",
            "--queue-name",
            "q1",
            "--attributes",
            "DelaySeconds=5",
        ],
    );
    sansboto(e, &["sqs", "create-queue", "--queue-name", "q2"]);
    sansboto(
        e,
        &[
            "dynamodb",
            "create-table",
            "--table-name",
            "t",
            "--attribute-definitions",
            "AttributeName=id,AttributeType=S",
            "--key-schema",
            "AttributeName=id,KeyType=HASH",
            "--billing-mode",
            "PAY_PER_REQUEST",
        ],
    );
    sansboto(
        e,
        &[
            "dynamodb",
            "put-item",
            "--table-name",
            "t",
            "--item",
            r#"{"id": {"S": "1"}, "n": {"N": "2.5"}, "ok": {"BOOL": true}}"#,
        ],
    );
    let cases: &[&[&str]] = &[
        &["s3api", "get-bucket-tagging", "--bucket", "out"],
        &[
            "s3api",
            "get-bucket-tagging",
            "--bucket",
            "out",
            "--output",
            "text",
        ],
        &[
            "s3api",
            "get-bucket-tagging",
            "--bucket",
            "out",
            "--output",
            "json",
        ],
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            "out",
            "--query",
            "Contents[].[Key, Size, StorageClass]",
            "--output",
            "text",
        ],
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            "out",
            "--query",
            "Contents[?starts_with(Key, 'a/')].Key",
        ],
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            "out",
            "--query",
            "{n: length(Contents), last: sort_by(Contents, &Key)[-1].Key}",
            "--output",
            "text",
        ],
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            "out",
            "--query",
            "KeyCount",
            "--output",
            "json",
        ],
        &["sqs", "list-queues", "--output", "text"],
        &[
            "sqs",
            "list-queues",
            "--query",
            "QueueUrls[0]",
            "--output",
            "text",
        ],
        &[
            "sqs",
            "get-queue-attributes",
            "--queue-url",
            &format!("{endpoint}/123456789012/q1"),
            "--attribute-names",
            "DelaySeconds",
            "VisibilityTimeout",
            "--output",
            "text",
        ],
        &[
            "dynamodb",
            "get-item",
            "--table-name",
            "t",
            "--key",
            r#"{"id": {"S": "1"}}"#,
            "--output",
            "text",
        ],
        &[
            "dynamodb",
            "get-item",
            "--table-name",
            "t",
            "--key",
            r#"{"id": {"S": "1"}}"#,
            "--output",
            "json",
        ],
        &[
            "dynamodb",
            "describe-table",
            "--table-name",
            "t",
            "--query",
            "Table.[TableName, KeySchema, ItemCount]",
            "--output",
            "text",
        ],
        // Tables (not a terminal: 80 columns, no colour, as aws-cli).
        &["s3api", "get-bucket-tagging", "--bucket", "out", "--output", "table"],
        &["s3api", "list-objects-v2", "--bucket", "out", "--query", "{Objects: Contents[].{Key: Key, Size: Size, Class: StorageClass}, Count: KeyCount, Name: Name}", "--output", "table"],
        &["sqs", "list-queues", "--output", "table"],
        &["dynamodb", "get-item", "--table-name", "t", "--key", r#"{"id": {"S": "1"}}"#, "--output", "table"],
        &["dynamodb", "describe-table", "--table-name", "t", "--query", "Table.{Name: TableName, Keys: KeySchema, Attributes: AttributeDefinitions, Items: ItemCount}", "--output", "table", "--color", "off"],
        &["s3api", "list-objects-v2", "--bucket", "out", "--query", "Contents[].[Key, Size, ETag, StorageClass, Key, Key]", "--output", "table"],
    ];
    for args in cases {
        let theirs = aws(e, args);
        let ours = sansboto(e, args);
        // Without --output or --query, sansboto prints its own JSON (ResponseMetadata kept);
        // the two agree on everything else.
        if !args.contains(&"--output") && !args.contains(&"--query") {
            let mut ours: serde_json::Value = serde_json::from_str(&ours).unwrap();
            ours.as_object_mut()
                .unwrap()
                .shift_remove("ResponseMetadata");
            let theirs: serde_json::Value = serde_json::from_str(&theirs).unwrap();
            assert_eq!(ours, theirs, "{args:?}");
            continue;
        }
        assert_eq!(ours, theirs, "{args:?}");
        assert!(!ours.trim().is_empty(), "{args:?} printed nothing");
    }
}

#[test]
fn bad_query_and_output_are_usage_errors_before_any_call() {
    // No endpoint is reachable at this port: a usage error must come first.
    for args in [
        &["s3api", "list-buckets", "--query", "Buckets[?"][..],
        &["s3api", "list-buckets", "--output", "xml"][..],
        &["s3api", "list-buckets", "--color", "rainbow"][..],
    ] {
        let out = env(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
            .args(["--endpoint-url", "http://127.0.0.1:9"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(252),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
