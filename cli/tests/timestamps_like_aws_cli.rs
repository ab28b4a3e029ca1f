//! Timestamps in a call's output next to aws-cli v1 itself (`scripts/ensure-awscli`, on the
//! pinned botocore), against one moto server: every protocol that carries them — rest-xml
//! (S3 bodies, and `Last-Modified` bound to a header), query (IAM), ec2, json (DynamoDB,
//! Secrets Manager: epoch seconds with and without a fraction), rest-json (Lambda), and
//! smithy-rpc-v2-cbor (CloudWatch: tag 1 epoch seconds) — in lists, maps and nested
//! structures, whole results, `--query`, paginated results aggregated, printed page by page
//! (`--output text`), with `--max-items` and with `--no-paginate`; in `--output json`, `text`
//! and `table`; with `cli_timestamp_format` unset (aws-cli's default, `wire`), `none`,
//! `wire` and `iso8601`, the last also in another time zone (`TZ`), where epoch seconds are
//! printed in local time; and the error every command gives for a value aws-cli does not know.
//! aws-cli runs each command line in one Python process (its `main`, a driver per command
//! line); both tools must print the same bytes to stdout and exit alike.

use std::process::Command;

use sansboto_tests::moto::MotoServer;
use sansboto_tests::test_environment;

/// Makes the resources (`setup ENDPOINT`), or runs aws-cli on each case (`run ENDPOINT`, the
/// cases as JSON on stdin: `[{config, args}]`), printing `[{rc, out, err}]`.
const HARNESS: &str = r#"
import io, json, os, sys
from awscli.clidriver import create_clidriver
endpoint = sys.argv[2]
def aws(args, config='/dev/null'):
    os.environ['AWS_CONFIG_FILE'] = config
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        rc = create_clidriver().main(['--endpoint-url', endpoint] + args)
    finally:
        sys.stdout, sys.stderr = saved
    return {'rc': rc, 'out': out.getvalue(), 'err': err.getvalue()}
if sys.argv[1] == 'setup':
    def ok(args):
        r = aws(args)
        assert r['rc'] == 0, (args, r)
        return r['out'].strip()
    open('/tmp/sansboto-ts-body', 'w').write('hello')
    ok(['s3api', 'create-bucket', '--bucket', 'stamps'])
    for key in ['a', 'b/c', 'd']:
        ok(['s3api', 'put-object', '--bucket', 'stamps', '--key', key, '--body', '/tmp/sansboto-ts-body'])
    ok(['dynamodb', 'create-table', '--table-name', 'stamps', '--attribute-definitions',
        'AttributeName=id,AttributeType=S', '--key-schema', 'AttributeName=id,KeyType=HASH',
        '--billing-mode', 'PAY_PER_REQUEST'])
    ok(['secretsmanager', 'create-secret', '--name', 'stamps', '--secret-string', 'x'])
    ok(['iam', 'create-user', '--user-name', 'stamps'])
    ok(['iam', 'create-user', '--user-name', 'stamps2'])
    role = json.loads(ok(['iam', 'create-role', '--role-name', 'stamps', '--assume-role-policy-document', '{}']))
    image = ok(['ec2', 'describe-images', '--owners', 'amazon', '--query', 'Images[0].ImageId', '--output', 'text'])
    ok(['ec2', 'run-instances', '--image-id', image, '--count', '1', '--instance-type', 't2.micro'])
    import base64, zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        z.writestr('f.py', 'def h(e, c): return 1')
    open('/tmp/sansboto-ts.zip', 'wb').write(buf.getvalue())
    ok(['lambda', 'create-function', '--function-name', 'stamps', '--runtime', 'python3.12',
        '--role', role['Role']['Arn'], '--handler', 'f.h', '--zip-file', 'fileb:///tmp/sansboto-ts.zip'])
    ok(['cloudwatch', 'put-metric-data', '--namespace', 'ns', '--metric-name', 'm', '--value', '1'])
    ok(['cloudwatch', 'put-metric-alarm', '--alarm-name', 'stamps', '--metric-name', 'm',
        '--namespace', 'ns', '--statistic', 'Average', '--period', '60', '--evaluation-periods', '1',
        '--threshold', '1', '--comparison-operator', 'GreaterThanThreshold'])
    print('[]')
else:
    print(json.dumps([aws(c['args'], c['config']) for c in json.load(sys.stdin)]))
"#;

/// Command lines: each is run with every setting and every output format given.
const COMMANDS: &[&[&str]] = &[
    // rest-xml: body timestamps in a list of structures, paginated.
    &["s3api", "list-objects-v2", "--bucket", "stamps"],
    &[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "stamps",
        "--page-size",
        "1",
    ],
    &[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "stamps",
        "--max-items",
        "2",
    ],
    &[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "stamps",
        "--no-paginate",
    ],
    &[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "stamps",
        "--query",
        "Contents[0].LastModified",
    ],
    &[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "stamps",
        "--query",
        "Contents[].[Key, LastModified]",
    ],
    // Filters on a date's text (python-jmespath orders strings): every key, then none.
    &[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "stamps",
        "--query",
        "Contents[?LastModified>='2000-01-01'].Key",
    ],
    &[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "stamps",
        "--query",
        "Contents[?LastModified<'2000'].Key",
    ],
    &["s3api", "list-buckets"],
    // rest-xml: a header (`Last-Modified`).
    &["s3api", "head-object", "--bucket", "stamps", "--key", "a"],
    &[
        "s3api",
        "head-object",
        "--bucket",
        "stamps",
        "--key",
        "a",
        "--query",
        "LastModified",
    ],
    // json: epoch seconds with a fraction, nested.
    &["dynamodb", "describe-table", "--table-name", "stamps"],
    &[
        "dynamodb",
        "describe-table",
        "--table-name",
        "stamps",
        "--query",
        "Table.CreationDateTime",
    ],
    // json: whole epoch seconds.
    &["secretsmanager", "describe-secret", "--secret-id", "stamps"],
    &[
        "secretsmanager",
        "list-secrets",
        "--query",
        "SecretList[].CreatedDate",
    ],
    // query.
    &["iam", "list-users"],
    &["iam", "list-users", "--max-items", "1"],
    &["iam", "list-users", "--query", "Users[].CreateDate"],
    // ec2: deep in lists of structures.
    &[
        "ec2",
        "describe-instances",
        "--query",
        "Reservations[].Instances[].[LaunchTime, BlockDeviceMappings[].Ebs.AttachTime]",
    ],
    &[
        "ec2",
        "describe-instances",
        "--query",
        "Reservations[0].Instances[0].LaunchTime",
    ],
    // rest-json (Lambda's `LastModified` is text in its model: left as it is either way).
    &[
        "lambda",
        "list-functions",
        "--query",
        "Functions[].[FunctionName, LastModified]",
    ],
    // smithy-rpc-v2-cbor.
    &[
        "cloudwatch",
        "describe-alarms",
        "--query",
        "MetricAlarms[].[AlarmName, StateUpdatedTimestamp, AlarmConfigurationUpdatedTimestamp]",
    ],
    &[
        "cloudwatch",
        "describe-alarms",
        "--query",
        "MetricAlarms[0].StateUpdatedTimestamp",
    ],
];

/// `(name, config file text)`: `None` for no config file.
const SETTINGS: &[(&str, Option<&str>)] = &[
    ("unset", None),
    ("none", Some("[default]\ncli_timestamp_format = none\n")),
    ("wire", Some("[default]\ncli_timestamp_format = wire\n")),
    (
        "iso8601",
        Some("[default]\ncli_timestamp_format = iso8601\n"),
    ),
    (
        "iso8601 (profile)",
        Some(
            "[profile p]\ncli_timestamp_format = iso8601\naws_access_key_id = testing\n\
             aws_secret_access_key = testing\n",
        ),
    ),
    (
        "unknown",
        Some("[default]\ncli_timestamp_format = ISO8601\n"),
    ),
];

fn harness(args: &[&str], env: &[(&str, &str)], stdin: &str) -> serde_json::Value {
    sansboto_tests::awscli_python_json(HARNESS, args, env, stdin)
}

#[test]
fn timestamps_are_printed_as_aws_cli_prints_them() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    harness(&["setup", &endpoint], &[], "");
    let dir = std::env::temp_dir().join(format!("sansboto-timestamps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Each case: (setting, config file, TZ, command line with its output options).
    let mut cases: Vec<(&str, String, &str, Vec<String>)> = Vec::new();
    for &(name, text) in SETTINGS {
        let config = match text {
            Some(text) => {
                let path = dir.join(name.replace([' ', '(', ')'], "_"));
                std::fs::write(&path, text).unwrap();
                path.to_string_lossy().into_owned()
            }
            None => "/dev/null".into(),
        };
        let zones: &[&str] = if name.starts_with("iso8601") {
            &["", "Asia/Kolkata"]
        } else {
            &[""]
        };
        // A refused setting: one command line each way is enough.
        let commands = if name == "unknown" {
            &COMMANDS[..1]
        } else {
            COMMANDS
        };
        for command in commands {
            for output in ["json", "text", "table"] {
                for &tz in zones {
                    let mut args: Vec<String> = command.iter().map(|a| a.to_string()).collect();
                    args.extend(["--output".into(), output.into()]);
                    if name.contains("profile") {
                        args.extend(["--profile".into(), "p".into()]);
                    }
                    cases.push((name, config.clone(), tz, args));
                }
            }
        }
        if name == "unknown" {
            // `help` and `s3 ls` refuse it too.
            for args in [&["s3", "ls"][..], &["s3api", "help"]] {
                let args = args.iter().map(|a| a.to_string()).collect();
                cases.push((name, config.clone(), "", args));
            }
        }
    }
    let mut differences = Vec::new();
    let mut compared = 0;
    for tz in ["", "Asia/Kolkata"] {
        let ours: Vec<_> = cases.iter().filter(|c| c.2 == tz).collect();
        let input = serde_json::json!(ours
            .iter()
            .map(|(_, config, _, args)| serde_json::json!({"config": config, "args": args}))
            .collect::<Vec<_>>());
        let env: Vec<(&str, &str)> = if tz.is_empty() {
            vec![]
        } else {
            vec![("TZ", tz)]
        };
        let theirs = harness(&["run", &endpoint], &env, &input.to_string());
        for ((name, config, _, args), theirs) in ours.iter().zip(theirs.as_array().unwrap()) {
            let out = test_environment(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
                .envs(env.iter().copied())
                .env("AWS_CONFIG_FILE", config)
                .args(["--endpoint-url", &endpoint])
                .args(args)
                .output()
                .expect("sansboto runs");
            compared += 1;
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let same_status = out.status.code() == theirs["rc"].as_i64().map(|rc| rc as i32);
            // A refused setting: the same message on stderr.
            let same_err = *name != "unknown" || stderr == theirs["err"].as_str().unwrap();
            if stdout != theirs["out"].as_str().unwrap() || !same_status || !same_err {
                differences.push(format!(
                    "{name} TZ={tz} {args:?}\n  aws-cli ({}):\n{}{}\n  sansboto ({}):\n{stdout}{stderr}",
                    theirs["rc"], theirs["out"].as_str().unwrap(), theirs["err"].as_str().unwrap(),
                    out.status
                ));
            }
        }
    }
    println!(
        "{compared} command lines ({} commands, {} settings, 3 formats, 2 time zones for iso8601)",
        COMMANDS.len(),
        SETTINGS.len()
    );
    assert!(
        differences.is_empty(),
        "{} of {compared} differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
}
