//! The built `sansboto` binary against a local moto server: one real call per protocol family,
//! streaming in and out, event streams, pagination flags, waiters, presigning, `--debug`
//! redaction, and the exit codes and words of every kind of failure.
//!
//! moto comes from `scripts/ensure-moto` (`SANSBOTO_MOTO_PYTHON` or the workspace `.venv`).

use std::path::PathBuf;
use std::process::{Command, Output};

use sansboto_tests::moto::MotoServer;
use sansboto_tests::test_environment;

struct Cli {
    endpoint: String,
}

impl Cli {
    /// The binary with test keys, a region and no config files.
    fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sansboto"));
        test_environment(&mut cmd).args(["--endpoint-url", &self.endpoint]);
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("sansboto runs")
    }

    /// Run and expect success; the JSON on stdout (an empty result, which aws-cli prints as
    /// nothing, as `{}`).
    fn ok(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} exited {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.stdout.is_empty() {
            return serde_json::json!({});
        }
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: stdout is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }
}

/// Expect exit `code` and an error on stderr as aws-cli prints one (an empty line, then the
/// error's text); return the text.
fn failed(out: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout on failure");
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"));
    let text = stderr
        .strip_prefix('\n')
        .and_then(|t| t.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("not an empty line, the error and a line break: {stderr:?}"));
    assert!(!text.is_empty() && !text.starts_with('{'), "{stderr}");
    text.to_string()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sansboto-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn one_call_per_protocol_family() {
    let moto = MotoServer::start();
    let cli = Cli {
        endpoint: moto.endpoint(),
    };
    // rest-xml
    let out = cli.ok(&[
        "s3",
        "create-bucket",
        "--params",
        r#"{"Bucket": "family-bucket"}"#,
    ]);
    assert_eq!(out["Location"], "/family-bucket", "{out}");
    // json (DynamoDB)
    let out = cli.ok(&[
        "dynamodb",
        "CreateTable",
        "--params",
        r#"{"TableName": "t", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}"#,
    ]);
    assert_eq!(out["TableDescription"]["TableName"], "t");
    // Timestamps print as the wire has them, as aws-cli v1 prints them: epoch seconds here.
    let created = &out["TableDescription"]["CreationDateTime"];
    assert!(created.is_number(), "epoch seconds: {created}");
    cli.ok(&[
        "dynamodb",
        "put_item",
        "--params",
        r#"{"TableName": "t", "Item": {"pk": {"S": "a"}, "data": {"B": {"base64": "AAEC/w=="}}}}"#,
    ]);
    let got = cli.ok(&[
        "dynamodb",
        "get-item",
        "--params",
        r#"{"TableName": "t", "Key": {"pk": {"S": "a"}}}"#,
    ]);
    assert_eq!(
        got["Item"]["data"]["B"], "AAEC/w==",
        "blobs round-trip as base64"
    );
    // query
    let out = cli.ok(&["sts", "get-caller-identity"]);
    assert_eq!(out["Account"], "123456789012");
    // ec2
    let out = cli.ok(&[
        "ec2",
        "DescribeRegions",
        "--params",
        r#"{"RegionNames": ["us-east-1"]}"#,
    ]);
    assert_eq!(out["Regions"][0]["RegionName"], "us-east-1");
    // rest-json
    let out = cli.ok(&["lambda", "list-functions"]);
    assert!(out["Functions"].is_array());
    // json 1.0 with query compatibility (SQS)
    let out = cli.ok(&["sqs", "create-queue", "--params", r#"{"QueueName": "q1"}"#]);
    let url = out["QueueUrl"].as_str().unwrap_or_default().to_string();
    assert!(url.ends_with("/q1"), "{url}");
    cli.ok(&[
        "sqs",
        "send-message",
        "--params",
        &serde_json::json!({"QueueUrl": url, "MessageBody": "hi"}).to_string(),
    ]);
}

#[test]
fn streaming_in_and_out_and_event_streams() {
    let moto = MotoServer::start();
    let cli = Cli {
        endpoint: moto.endpoint(),
    };
    let dir = temp_dir("stream");
    let source = dir.join("source.csv");
    let content: String = (0..2000).map(|i| format!("{i},{}\n", i * 2)).collect();
    std::fs::write(&source, format!("n,double\n{content}")).expect("write source");
    cli.ok(&[
        "s3",
        "create-bucket",
        "--params",
        r#"{"Bucket": "stream-bucket"}"#,
    ]);
    let put = cli.ok(&[
        "s3",
        "PutObject",
        "--params",
        &serde_json::json!({"Bucket": "stream-bucket", "Key": "data.csv",
            "Body": format!("file://{}", source.display())})
        .to_string(),
    ]);
    assert!(put["ETag"].is_string());

    // To --outfile: the file holds the object; the JSON leaves the body out.
    let target = dir.join("copy.csv");
    let got = cli.ok(&[
        "s3",
        "get-object",
        "--params",
        r#"{"Bucket": "stream-bucket", "Key": "data.csv"}"#,
        "--outfile",
        target.to_str().unwrap_or_default(),
    ]);
    assert!(got.get("Body").is_none());
    assert_eq!(
        got["ContentLength"].as_i64(),
        Some(source.metadata().unwrap().len() as i64)
    );
    assert_eq!(
        std::fs::read(&target).unwrap(),
        std::fs::read(&source).unwrap()
    );

    // Without --outfile: the body is base64 in the JSON.
    cli.ok(&[
        "s3",
        "put-object",
        "--params",
        r#"{"Bucket": "stream-bucket", "Key": "small", "Body": "Hello"}"#,
    ]);
    let got = cli.ok(&[
        "s3",
        "get-object",
        "--params",
        r#"{"Bucket": "stream-bucket", "Key": "small"}"#,
    ]);
    assert_eq!(got["Body"], "SGVsbG8=");

    // --outfile on an operation without a streaming output is a usage error.
    let out = cli.run(&["s3", "list-buckets", "--outfile", "/tmp/x"]);
    assert_eq!(out.status.code(), Some(252));

    // Event stream: one JSON object per event per line.
    let out = cli.run(&[
        "s3",
        "select-object-content",
        "--params",
        r#"{"Bucket": "stream-bucket", "Key": "data.csv", "Expression": "SELECT * FROM S3Object",
            "ExpressionType": "SQL", "InputSerialization": {"CSV": {"FileHeaderInfo": "USE"}},
            "OutputSerialization": {"JSON": {}}}"#,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON event"))
        .collect();
    assert!(
        events.iter().any(|e| e.get("Records").is_some()),
        "{events:?}"
    );
    assert!(
        events.last().is_some_and(|e| e.get("End").is_some()),
        "{events:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn pagination_flags() {
    let moto = MotoServer::start();
    let cli = Cli {
        endpoint: moto.endpoint(),
    };
    cli.ok(&[
        "s3",
        "create-bucket",
        "--params",
        r#"{"Bucket": "pages-bucket"}"#,
    ]);
    for i in 0..25 {
        cli.ok(&[
            "s3",
            "put-object",
            "--params",
            &format!(r#"{{"Bucket": "pages-bucket", "Key": "k{i:02}", "Body": "x"}}"#),
        ]);
    }
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v["Contents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o["Key"].as_str().map(String::from))
            .collect()
    };
    let params = r#"{"Bucket": "pages-bucket"}"#;
    // Followed across pages of 10: one aggregated result.
    let all = cli.ok(&[
        "s3",
        "list-objects-v2",
        "--params",
        params,
        "--page-size",
        "10",
    ]);
    assert_eq!(keys(&all).len(), 25);
    assert!(all.get("NextToken").is_none());
    // --max-items stops early with a NextToken; --starting-token resumes.
    let first = cli.ok(&[
        "s3",
        "list-objects-v2",
        "--params",
        params,
        "--max-items",
        "7",
        "--page-size",
        "5",
    ]);
    assert_eq!(
        keys(&first),
        (0..7).map(|i| format!("k{i:02}")).collect::<Vec<_>>()
    );
    let token = first["NextToken"]
        .as_str()
        .expect("NextToken when truncated")
        .to_string();
    let rest = cli.ok(&[
        "s3",
        "list-objects-v2",
        "--params",
        params,
        "--starting-token",
        &token,
    ]);
    assert_eq!(
        keys(&rest),
        (7..25).map(|i| format!("k{i:02}")).collect::<Vec<_>>()
    );
    // --no-paginate: one page as the service sent it.
    let one = cli.ok(&[
        "s3",
        "list-objects-v2",
        "--params",
        r#"{"Bucket": "pages-bucket", "MaxKeys": 10}"#,
        "--no-paginate",
    ]);
    assert_eq!(keys(&one).len(), 10);
    assert_eq!(one["IsTruncated"], true);
    // aws-cli's grammar: the paginator's limit key given by hand turns pagination off, as its
    // input token does (`check_should_enable_pagination`).
    let one = cli.ok(&[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "pages-bucket",
        "--max-keys",
        "10",
    ]);
    assert_eq!(keys(&one).len(), 10);
    assert_eq!(one["IsTruncated"], true);
    // Pagination flags on an operation that does not paginate: usage error.
    assert_eq!(
        cli.run(&["s3", "get-object", "--params", params, "--max-items", "3"])
            .status
            .code(),
        Some(252)
    );
}

#[test]
fn waiters_and_presign() {
    let moto = MotoServer::start();
    let cli = Cli {
        endpoint: moto.endpoint(),
    };
    cli.ok(&[
        "s3",
        "create-bucket",
        "--params",
        r#"{"Bucket": "wait-bucket"}"#,
    ]);
    let out = cli.run(&[
        "wait",
        "s3",
        "bucket-exists",
        "--params",
        r#"{"Bucket": "wait-bucket"}"#,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli.run(&[
        "wait",
        "s3",
        "bucket_exists",
        "--params",
        r#"{"Bucket": "no-such-bucket-here"}"#,
        "--delay",
        "0.05",
        "--max-attempts",
        "2",
    ]);
    let err = failed(&out, 255);
    assert!(
        err.starts_with("Waiter BucketExists failed: Max attempts exceeded"),
        "{err}"
    );

    let out = cli.run(&[
        "presign",
        "s3",
        "get-object",
        "--params",
        r#"{"Bucket": "wait-bucket", "Key": "k"}"#,
        "--expires-in",
        "120",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        url.starts_with(&format!("{}/wait-bucket/k?", moto.endpoint())),
        "{url}"
    );
    assert!(
        url.contains("X-Amz-Expires=120") && url.contains("X-Amz-Signature="),
        "{url}"
    );
}

#[test]
fn errors_have_exit_codes_and_aws_clis_words() {
    let moto = MotoServer::start();
    let cli = Cli {
        endpoint: moto.endpoint(),
    };
    // Service error: 254, botocore's `ClientError` as aws-cli prints it.
    let out = cli.run(&[
        "s3",
        "get-object",
        "--params",
        r#"{"Bucket": "nope-bucket", "Key": "k"}"#,
    ]);
    let err = failed(&out, 254);
    assert!(
        err.starts_with("An error occurred (NoSuchBucket) when calling the GetObject operation: "),
        "{err}"
    );

    // `--dry-run` after an EC2 operation is its `DryRun` member, as in aws-cli: the request
    // goes out, and EC2 answers that it would have succeeded.
    let out = cli.run(&["ec2", "describe-vpcs", "--dry-run"]);
    let err = failed(&out, 254);
    assert!(
        err.starts_with("An error occurred (DryRunOperation) when calling the DescribeVpcs"),
        "{err}"
    );
    // So it is after a waiter (aws-cli's order): its calls carry DryRun, and EC2's answer ends
    // the wait.
    let out = cli.run(&["ec2", "wait", "instance-running", "--dry-run"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DryRunOperation"), "{stderr}");

    // Parameter problems: 252 (aws-cli v2's parameter validation), every one listed.
    let out = cli.run(&[
        "s3",
        "put-object",
        "--params",
        r#"{"Key": 5, "Buckett": "x", "Expires": "not a date"}"#,
    ]);
    let message = failed(&out, 252);
    assert!(
        message.starts_with("Parameter validation failed:\n"),
        "{message}"
    );
    for needle in ["Expires", "Bucket", "Buckett", "Key"] {
        assert!(message.contains(needle), "{needle} not in {message}");
    }
    let out = cli.run(&["s3", "list-buckets", "--params", "{not json"]);
    assert!(!failed(&out, 252).is_empty());
    // What botocore's S3 handlers refuse as parameter problems is one too, in botocore's words
    // (aws-cli prints `Parameter validation failed:` and the same line).
    for (params, line) in [
        (
            r#"{"Bucket": "bk!1", "Key": "k"}"#,
            r#"Invalid bucket name "bk!1": Bucket name must match the regex"#,
        ),
        (
            r#"{"Bucket": "b", "Key": "k", "Metadata": {"k": "café"}}"#,
            "Non ascii characters found in S3 metadata",
        ),
        (
            r#"{"Bucket": "b", "Key": "k", "CopySource": {"Bucket": "x"}}"#,
            "Missing required parameter: 'Key'",
        ),
    ] {
        let operation = match params.contains("CopySource") {
            true => "copy-object",
            false => "put-object",
        };
        let out = cli.run(&["s3", operation, "--params", params]);
        let message = failed(&out, 252);
        assert!(
            message.starts_with(&format!("Parameter validation failed:\n{line}")),
            "{message}"
        );
    }
    // A header value HTTP cannot carry: botocore's HTTPClientError when sending, a general
    // error (255) to aws-cli, not a parameter error.
    let out = cli.run(&[
        "s3api",
        "put-object",
        "--bucket",
        "b",
        "--key",
        "k",
        "--content-type",
        "a\nb",
    ]);
    assert!(!failed(&out, 255).is_empty());

    // No credentials: 253, what the environment lacks (aws-cli v2's configuration errors).
    let out = cli
        .command()
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["dynamodb", "list-tables"])
        .output()
        .expect("runs");
    assert!(
        failed(&out, 253).starts_with("Unable to locate credentials"),
        "{out:?}"
    );

    // No region (SQS's endpoint rules need one; without --endpoint-url, so the rules run).
    let out = test_environment(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
        .env_remove("AWS_DEFAULT_REGION")
        .args(["sqs", "list-queues"])
        .output()
        .expect("runs");
    assert!(
        failed(&out, 253).starts_with("You must specify a region"),
        "{out:?}"
    );

    // Endpoint unreachable (nothing listens on the discard port).
    let out = Cli {
        endpoint: "http://127.0.0.1:9".into(),
    }
    .run(&["sqs", "list-queues"]);
    assert!(
        failed(&out, 255).starts_with("could not connect (host 127.0.0.1:9"),
        "{out:?}"
    );

    // Unknown operation and unknown option: usage (aws-cli v2's invalid choice is 252).
    let out = cli.run(&["s3", "put-objekt"]);
    assert!(
        failed(&out, 252).starts_with("unknown operation \"put-objekt\""),
        "{out:?}"
    );
    let out = cli.run(&["s3", "list-buckets", "--frobnicate"]);
    assert_eq!(out.status.code(), Some(252));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage:"));
}

#[test]
fn debug_log_redacts_secrets() {
    let moto = MotoServer::start();
    let cli = Cli {
        endpoint: moto.endpoint(),
    };
    let token = "SESSIONTOKENSECRETVALUE";
    let out = cli
        .command()
        .env("AWS_SESSION_TOKEN", token)
        .args(["--debug", "s3", "list-buckets"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = String::from_utf8_lossy(&out.stderr);
    // tracing's formatter: the call and attempt spans around each request and response.
    assert!(
        log.contains("sansboto.call{service=\"s3\" operation=\"ListBuckets\""),
        "{log}"
    );
    assert!(log.contains("sending request method=GET"), "{log}");
    assert!(log.contains("response received status=200"), "{log}");
    assert!(log.contains("Signature=<redacted>"), "{log}");
    assert!(log.contains("x-amz-security-token: <redacted>"), "{log}");
    assert!(!log.contains(token), "the session token leaked: {log}");
}

#[test]
fn help_lists_services_operations_and_shapes() {
    let cli = Cli {
        endpoint: "http://127.0.0.1:9".into(),
    };
    let text = |args: &[&str]| {
        let out = cli.run(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let services = text(&["help"]);
    assert!(services.contains("\n  s3\n") && services.contains("\n  dynamodb\n"));
    let ops = text(&["help", "s3"]);
    assert!(ops.contains("  PutObject\n") && ops.contains("ListObjectsV2  (paginated)"));
    assert!(ops.contains("  BucketExists\n"));
    let op = text(&["help", "s3", "put-object"]);
    assert!(op.contains("Bucket (string) [required]"), "{op}");
    assert!(op.contains("one of: private | public-read"), "{op}");
    assert!(op.contains("Output (PutObjectOutput):"), "{op}");
}

/// A process whose environment holds a variable that is not UTF-8 and no `HOME` (a system
/// service, `env -i`) makes its call, as botocore does in the same environment: the variable
/// once made every session panic (`std::env::vars`).
#[cfg(unix)]
#[test]
fn a_variable_that_is_not_utf8_and_no_home_still_make_the_call() {
    use std::os::unix::ffi::OsStrExt;
    let moto = MotoServer::start();
    let cli = Cli {
        endpoint: moto.endpoint(),
    };
    let bad_name = std::ffi::OsStr::from_bytes(b"SANSBOTO_TEST_\xff");
    let bad_value = std::ffi::OsStr::from_bytes(b"caf\xe9");
    let mut ours = cli.command();
    ours.env_remove("HOME")
        .env(bad_name, bad_value)
        .env("SANSBOTO_TEST_VALUE", bad_value);
    let out = ours
        .args(["sts", "get-caller-identity"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let ours: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");

    let script = format!(
        "import json, botocore.session\n\
         sts = botocore.session.get_session().create_client('sts', endpoint_url={:?})\n\
         print(json.dumps(sts.get_caller_identity()['Account']))",
        moto.endpoint()
    );
    let mut python = Command::new(sansboto_tests::botocore::python());
    let theirs = test_environment(&mut python)
        .env_remove("HOME")
        .arg("-c")
        .arg(script)
        .env(bad_name, bad_value)
        .env("SANSBOTO_TEST_VALUE", bad_value)
        .output()
        .expect("python runs");
    assert!(
        theirs.status.success(),
        "botocore: {}",
        String::from_utf8_lossy(&theirs.stderr)
    );
    let account: serde_json::Value = serde_json::from_slice(&theirs.stdout).expect("JSON");
    assert_eq!(ours["Account"], account, "ours {ours}");
}

/// An argument that is not UTF-8 is a client-side error naming it (aws-cli fails encoding it),
/// not a panic of `std::env::args`.
#[cfg(unix)]
#[test]
fn an_argument_that_is_not_utf8_is_an_error_naming_it() {
    use std::os::unix::ffi::OsStrExt;
    let cli = Cli {
        endpoint: "http://127.0.0.1:9".into(),
    };
    let out = cli
        .command()
        .args(["s3api", "put-object", "--bucket", "b", "--key"])
        .arg(std::ffi::OsStr::from_bytes(b"k\xff"))
        .output()
        .expect("runs");
    let message = failed(&out, 255);
    assert!(
        message.contains("argument 8 is not valid UTF-8"),
        "{message}"
    );
}
