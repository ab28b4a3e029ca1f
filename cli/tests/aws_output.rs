//! `--query` and `--output` against aws-cli itself: the same command line given to aws-cli
//! (v1, from `scripts/ensure-awscli`, on the pinned botocore) and to `sansboto`, both against
//! one moto server, must print the same bytes — the new grammar and the output together, as a
//! drop-in. Timestamps are queried away where a command returns them (aws-cli v1 prints them
//! as the wire has them; sansboto as ISO 8601).

use std::process::Command;

use sansboto_tests::moto::MotoServer;
use sansboto_tests::{awscli_command, test_environment};

fn aws(endpoint: &str, args: &[&str]) -> String {
    let out = awscli_command()
        .args(["--endpoint-url", endpoint])
        .args(args)
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
    let out = test_environment(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
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
        // Without --output or --query too: aws-cli's JSON, byte for byte.
        assert_eq!(ours, theirs, "{args:?}");
        assert!(!ours.trim().is_empty(), "{args:?} printed nothing");
    }
    // An empty result, with no format given: nothing printed, as aws-cli prints nothing.
    for args in [
        &[
            "sqs",
            "tag-queue",
            "--queue-url",
            "http://q/123456789012/q2",
            "--tags",
            "a=b",
        ][..],
        &[
            "dynamodb",
            "put-item",
            "--table-name",
            "t",
            "--item",
            r#"{"id": {"S": "2"}}"#,
        ],
    ] {
        let args: Vec<&str> = match args[0] {
            "sqs" => {
                let url = sansboto(
                    e,
                    &[
                        "sqs",
                        "get-queue-url",
                        "--queue-name",
                        "q2",
                        "--query",
                        "QueueUrl",
                        "--output",
                        "text",
                    ],
                );
                let mut args = args.to_vec();
                args[3] = Box::leak(url.trim().to_string().into_boxed_str());
                args
            }
            _ => args.to_vec(),
        };
        assert_eq!(
            (aws(e, &args), sansboto(e, &args)),
            (String::new(), String::new()),
            "{args:?}"
        );
    }
}

/// `--generate-cli-skeleton output`: aws-cli answers a stubbed call with the made-up output and
/// prints it as a result (its JSON, `--output`, `--query`); nothing is sent (the endpoint is a
/// port nothing listens on).
#[test]
fn output_skeletons_print_as_aws_cli_prints_them() {
    let e = "http://127.0.0.1:9";
    let cases: &[&[&str]] = &[
        &[
            "sqs",
            "get-queue-url",
            "--queue-name",
            "q",
            "--generate-cli-skeleton",
            "output",
        ],
        &["s3api", "list-buckets", "--generate-cli-skeleton", "output"],
        &[
            "ec2",
            "describe-regions",
            "--generate-cli-skeleton",
            "output",
            "--query",
            "Regions[0]",
        ],
        &[
            "sqs",
            "get-queue-url",
            "--queue-name",
            "q",
            "--generate-cli-skeleton",
            "output",
            "--output",
            "text",
        ],
    ];
    for args in cases {
        assert_eq!(sansboto(e, args), aws(e, args), "{args:?}");
    }
}

/// A service's error, as aws-cli prints it: an empty line, then botocore's `ClientError` text
/// on stderr, nothing on stdout; the exit status is aws-cli v2's for a service error (254),
/// where aws-cli v1 exits 255.
#[test]
fn service_errors_read_as_aws_clis() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint().to_string();
    let cases: &[&[&str]] = &[
        &["iam", "get-user", "--user-name", "nobody"],
        &["sqs", "get-queue-url", "--queue-name", "nope"],
        &["dynamodb", "describe-table", "--table-name", "nope"],
        &["s3api", "get-bucket-tagging", "--bucket", "nope"],
        &[
            "sns",
            "get-topic-attributes",
            "--topic-arn",
            "arn:aws:sns:us-east-1:123456789012:nope",
        ],
    ];
    for args in cases {
        let theirs = awscli_command()
            .args(["--endpoint-url", &endpoint])
            .args(*args)
            .output()
            .expect("python runs");
        let ours = test_environment(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
            .args(["--endpoint-url", &endpoint])
            .args(*args)
            .output()
            .expect("sansboto runs");
        let text = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(
            text(&theirs).starts_with("\nAn error occurred ("),
            "{args:?}: {}",
            text(&theirs)
        );
        assert_eq!(text(&ours), text(&theirs), "{args:?}");
        assert!(
            ours.stdout.is_empty() && theirs.stdout.is_empty(),
            "{args:?}"
        );
        assert_eq!(
            (theirs.status.code(), ours.status.code()),
            (Some(255), Some(254)),
            "{args:?}"
        );
    }
}

/// A paginated call in `--output text` prints page by page as aws-cli does (the first page
/// with the non-aggregate keys, `--query` applied to each page, the resume token after
/// `--max-items` as a `NextToken` object); JSON and tables print the aggregate.
#[test]
fn paginated_text_page_by_page_as_aws_cli() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint().to_string();
    let e = endpoint.as_str();
    sansboto(e, &["s3api", "create-bucket", "--bucket", "pages"]);
    for key in ["a/1", "a/2", "b/3", "b/4", "c/5"] {
        sansboto(
            e,
            &["s3api", "put-object", "--bucket", "pages", "--key", key],
        );
    }
    for name in ["q1", "q2", "q3", "q4", "q5"] {
        sansboto(e, &["sqs", "create-queue", "--queue-name", name]);
    }
    for name in ["ann", "bob", "cid", "dee", "eve"] {
        sansboto(
            e,
            &[
                "iam",
                "create-user",
                "--user-name",
                name,
                "--path",
                "/team/",
            ],
        );
    }
    sansboto(
        e,
        &[
            "dynamodb",
            "create-table",
            "--table-name",
            "scan",
            "--attribute-definitions",
            "AttributeName=id,AttributeType=S",
            "--key-schema",
            "AttributeName=id,KeyType=HASH",
            "--billing-mode",
            "PAY_PER_REQUEST",
        ],
    );
    for id in ["1", "2", "3"] {
        let item = format!(r#"{{"id": {{"S": "{id}"}}, "n": {{"N": "{id}"}}}}"#);
        sansboto(
            e,
            &[
                "dynamodb",
                "put-item",
                "--table-name",
                "scan",
                "--item",
                &item,
            ],
        );
    }
    let objects = ["s3api", "list-objects-v2", "--bucket", "pages"];
    let cases: Vec<Vec<&str>> = vec![
        // One line per page for a list of keys (the aggregate would be one line).
        [
            &objects[..],
            &[
                "--page-size",
                "2",
                "--query",
                "Contents[].Key",
                "--output",
                "text",
            ],
        ]
        .concat(),
        [
            &objects[..],
            &[
                "--page-size",
                "2",
                "--query",
                "Contents[].[Key, Size, StorageClass]",
                "--output",
                "text",
            ],
        ]
        .concat(),
        // A query of the whole result sees one page at a time.
        [
            &objects[..],
            &[
                "--page-size",
                "2",
                "--query",
                "length(Contents)",
                "--output",
                "text",
            ],
        ]
        .concat(),
        // Stopped by --max-items in a page: the resume token (queried away here, as aws-cli).
        [
            &objects[..],
            &[
                "--page-size",
                "2",
                "--max-items",
                "3",
                "--query",
                "Contents[].Key",
                "--output",
                "text",
            ],
        ]
        .concat(),
        // JSON and tables aggregate.
        [
            &objects[..],
            &[
                "--page-size",
                "2",
                "--query",
                "Contents[].Key",
                "--output",
                "json",
            ],
        ]
        .concat(),
        [
            &objects[..],
            &[
                "--page-size",
                "2",
                "--query",
                "Contents[].{K: Key}",
                "--output",
                "table",
            ],
        ]
        .concat(),
        // No query: each page's result keys, and the resume token as `NEXTTOKEN`.
        vec!["sqs", "list-queues", "--page-size", "2", "--output", "text"],
        vec![
            "sqs",
            "list-queues",
            "--page-size",
            "2",
            "--max-items",
            "3",
            "--output",
            "text",
        ],
        vec![
            "sqs",
            "list-queues",
            "--page-size",
            "2",
            "--max-items",
            "4",
            "--output",
            "text",
        ],
        vec![
            "iam",
            "list-users",
            "--page-size",
            "2",
            "--query",
            "Users[].[UserName, Path]",
            "--output",
            "text",
        ],
        vec![
            "iam",
            "list-users",
            "--max-items",
            "3",
            "--query",
            "Users[].UserName",
            "--output",
            "text",
        ],
        // Several result keys (Items, Count, ScannedCount) per page.
        vec![
            "dynamodb",
            "scan",
            "--table-name",
            "scan",
            "--page-size",
            "1",
            "--output",
            "text",
        ],
        vec![
            "dynamodb",
            "scan",
            "--table-name",
            "scan",
            "--page-size",
            "2",
            "--query",
            "[Count, Items[].id.S]",
            "--output",
            "text",
        ],
    ];
    let mut pages_seen = 0;
    for args in &cases {
        let theirs = aws(e, args);
        let ours = sansboto(e, args);
        assert_eq!(ours, theirs, "{args:?}");
        assert!(!ours.trim().is_empty(), "{args:?} printed nothing");
        if args.contains(&"text")
            && args.contains(&"Contents[].Key")
            && !args.contains(&"--max-items")
        {
            pages_seen = ours.lines().count();
        }
    }
    // Five keys two by two: three pages, three lines.
    assert_eq!(pages_seen, 3);
}

#[test]
fn bad_query_and_output_are_usage_errors_before_any_call() {
    // No endpoint is reachable at this port: a usage error must come first.
    for args in [
        &["s3api", "list-buckets", "--query", "Buckets[?"][..],
        &["s3api", "list-buckets", "--output", "xml"][..],
        &["s3api", "list-buckets", "--color", "rainbow"][..],
    ] {
        let out = test_environment(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
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

/// The format comes from `--output`, else `AWS_DEFAULT_OUTPUT`, else the profile's `output`
/// (`--profile`'s or the default one's), as aws-cli takes it: the same bytes as aws-cli's.
#[test]
fn the_profiles_output_is_the_format_as_in_aws_cli() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint().to_string();
    let dir = std::env::temp_dir().join(format!("sansboto-output-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        // (A profile named on the command line takes no keys from the environment.)
        "[default]\noutput = text\n\n[profile tables]\noutput = table\n\
         aws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    sansboto(
        &endpoint,
        &["sqs", "create-queue", "--queue-name", "configured"],
    );
    let run = |aws: bool, env: &[(&str, &str)], args: &[&str]| {
        let mut cmd = sansboto_tests::cli_command(aws, env!("CARGO_BIN_EXE_sansboto"));
        let out = cmd
            .env("AWS_CONFIG_FILE", &config)
            .envs(env.iter().copied())
            .args(["--endpoint-url", &endpoint])
            .args(args)
            .output()
            .expect("runs");
        assert!(out.status.success(), "{aws} {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    for (env, args, looks) in [
        (&[][..], &["sqs", "list-queues"][..], "QUEUEURLS\t"),
        (&[], &["--profile", "tables", "sqs", "list-queues"], "|  "),
        (
            &[("AWS_DEFAULT_OUTPUT", "json")],
            &["sqs", "list-queues"],
            "    \"QueueUrls\"",
        ),
        (
            &[],
            &["sqs", "list-queues", "--output", "json"],
            "    \"QueueUrls\"",
        ),
    ] {
        let ours = run(false, env, args);
        assert_eq!(ours, run(true, env, args), "{env:?} {args:?}");
        assert!(ours.contains(looks), "{env:?} {args:?}: {ours}");
    }
    // A format nobody knows, from the environment or the profile: aws-cli's error, when it
    // prints (before a paginated call's first page; after any other call, whose own error
    // comes first).
    std::fs::write(&config, "[default]\noutput = xml\n").unwrap();
    let cases = [
        (
            &[][..],
            &["sqs", "list-queues"][..],
            "Unknown output type: xml",
        ),
        (
            &[("AWS_DEFAULT_OUTPUT", "yml")],
            &["sqs", "list-queues"],
            "Unknown output type: yml",
        ),
        (
            &[],
            &["sqs", "get-queue-url", "--queue-name", "configured"],
            "Unknown output type: xml",
        ),
        (
            &[],
            &["sqs", "get-queue-url", "--queue-name", "nope"],
            "does not exist",
        ),
    ];
    for (env, args, message) in cases {
        for aws in [true, false] {
            let mut cmd = sansboto_tests::cli_command(aws, env!("CARGO_BIN_EXE_sansboto"));
            let out = cmd
                .env("AWS_CONFIG_FILE", &config)
                .envs(env.iter().copied())
                .args([&["--endpoint-url", &endpoint][..], args].concat())
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            if !message.starts_with("Unknown") {
                assert!(
                    !out.status.success() && stderr.contains(message),
                    "{aws}: {stderr}"
                );
                assert!(!stderr.contains("Unknown output type"), "{aws}: {stderr}");
                continue;
            }
            let name = message.rsplit(' ').next().unwrap_or_default();
            assert_eq!(out.status.code(), Some(255), "{aws}: {stderr}");
            assert!(
                stderr.contains(&format!("Unknown output type: {name}")),
                "{aws}: {stderr}"
            );
        }
    }
}
