//! aws-cli's shorthand and scalar grammar on values nobody chose, next to aws-cli itself (v1, from
//! `scripts/ensure-awscli`, on the pinned botocore): a seeded generator writes about 630 command
//! lines — maps, lists of structures, nested structures and lists (`Values=a,b`, `[…]`, `{…}`),
//! map keys and values quoted with `'` or `"`, escaped `\,` and `\=`, spaces around `=` and `,`,
//! a trailing comma, empty values, non-ASCII; integers, floats, booleans, timestamps and blobs in
//! the forms people type (`01`, ` 2`, `+3`, `1_0`, `1e3`, `inf`, `True`, `2020-1-2 3:04`, an
//! HTTP date); JSON where shorthand could be. aws-cli parses each (caught as botocore is about
//! to send, so botocore's own checks have run); then:
//! - where aws-cli made a call, `sansboto` given the same words makes the same request as
//!   `sansboto --params` given aws-cli's parameters (dry runs, byte for byte);
//! - where aws-cli or botocore refused, `sansboto` refuses too.
//!
//! Two differences are deliberate and left out, counted: a float of `inf` or `nan`, which
//! `sansboto` refuses (JSON cannot carry it; aws-cli sends it and services refuse it), and
//! digits of other scripts (Python's `int('١')` is 1), which are not generated.

use std::process::{Command, Output};

use sansboto_tests::{awscli_dir, test_environment};

const SIGNING_TIME: &str = "2024-01-01T00:00:00Z";

/// The generator and aws-cli's reading of each command line: `[{args, params}]` where aws-cli
/// made the call, `{args, non_finite}` where it made one with a float of `inf` or `nan`, `{args, botocore_refused}` where botocore refused aws-cli's parameters,
/// `{args, rc, error}` where aws-cli refused the words.
const AWS_CLI_READS: &str = r#"
import random, json
rng = random.Random(20261206)
WORDS = ['a', 'x y', 'caf\u00e9', 'a=b', 'a,b', "it's", 'say "hi"', 'back\\slash', '[x]', '{x}',
         '', ' lead', 'trail ', '1', '1.5', 'true', 'null', '-', '~', '$v', 'a:b', 'a/b', '*']
def word():
    w = rng.choice(WORDS)
    r = rng.random()
    if r < 0.15 and "'" not in w:
        return "'" + w + "'"
    if r < 0.3 and '"' not in w:
        return '"' + w + '"'
    if r < 0.4:
        return w.replace(',', '\\,').replace('=', '\\=')
    return w
def sp():
    return rng.choice(['', '', '', ' ', '  '])
def pair(k, v):
    return sp() + k + sp() + '=' + sp() + v + sp()
def cases():
    out = []
    for _ in range(60):
        n = rng.randrange(1, 4)
        meta = ','.join(pair(rng.choice(['k', 'k2', 'K-3', 'k', 'x y']), word()) for _ in range(n))
        if rng.random() < 0.1: meta += ','
        out.append(['s3api', 'put-object', '--bucket', 'b', '--key', 'k', '--metadata', meta])
    for _ in range(60):
        tags = []
        for _ in range(rng.randrange(1, 3)):
            tags.append(','.join([pair('Key', word()), pair('Value', word())][::rng.choice([1, -1])]))
        out.append(['iam', 'create-user', '--user-name', 'u', '--tags'] + tags)
    for _ in range(60):
        filters = []
        for _ in range(rng.randrange(1, 3)):
            values = ','.join(word() for _ in range(rng.randrange(1, 4)))
            if rng.random() < 0.4:
                values = '[' + values + ']'
            filters.append(pair('Name', word()) + ',' + pair('Values', values))
        out.append(['ec2', 'describe-instances', '--filters'] + filters)
    for _ in range(60):
        items = ','.join('{' + pair('Key', word()) + ',' + pair('Value', word()) + '}' for _ in range(rng.randrange(0, 3)))
        out.append(['s3api', 'put-object-tagging', '--bucket', 'b', '--key', 'k', '--tagging', sp() + 'TagSet' + sp() + '=' + sp() + '[' + items + ']' + sp()])
    for _ in range(60):
        attrs = ','.join(pair(rng.choice(['k', 'a.b', 'k2']), '{' + pair('DataType', rng.choice(['String', 'Number'])) + ',' + pair('StringValue', word()) + '}') for _ in range(rng.randrange(1, 3)))
        out.append(['sqs', 'send-message', '--queue-url', 'https://sqs.us-east-1.amazonaws.com/1/q', '--message-body', 'hi', '--message-attributes', attrs])
    for _ in range(60):
        md = ','.join([pair('MetricName', word()), pair('Value', rng.choice(['1', '1.5', '-0', '1e3', ' 2 ', '1_0', 'inf', 'nan', '0x10', '.5', '5.', "'3'", 'abc'])),
                       pair('StorageResolution', rng.choice(['1', '60', '01', ' 1', '+1', '1.0', '-1', 'x'])),
                       pair('Timestamp', rng.choice(['2020-01-02T03:04:05Z', '1700000000', '2020-01-02', '"2020-01-02 03:04:05"', 'yesterday']))][:rng.randrange(2, 5)])
        out.append(['cloudwatch', 'put-metric-data', '--namespace', 'ns', '--metric-data', md])
    for _ in range(40):
        out.append(['sqs', 'receive-message', '--queue-url', 'https://sqs.us-east-1.amazonaws.com/1/q', '--max-number-of-messages', rng.choice(['1', '01', ' 2', '+3', '1.0', '1e1', '0x5', '-1', '', 'ten', '2147483648', '1_0', ' 5\n'])])
    for _ in range(40):
        out.append(['ec2', 'modify-instance-attribute', '--instance-id', 'i-1', '--disable-api-termination', pair('Value', rng.choice(['true', 'false', 'True', 'FALSE', 'yes', '1', '', 'tru']))])
    for _ in range(40):
        j = rng.choice(['{"k": "v"}', ' {"k": "v"}', '{"k": 1}', '{"k": "v",}', '{}', '{"k": null}', '[', '{"k":"v"} ', '\n{"k": "v"}'])
        out.append(['s3api', 'put-object', '--bucket', 'b', '--key', 'k', '--metadata', j])
    for _ in range(40):
        env = ','.join(pair(rng.choice(['A', 'B_1', 'c']), word()) for _ in range(rng.randrange(0, 3)))
        out.append(['lambda', 'update-function-configuration', '--function-name', 'f', '--environment', sp() + 'Variables' + sp() + '=' + sp() + '{' + env + '}'])
    for _ in range(40):
        records = ','.join('{' + pair('Value', rng.choice(['1.2.3.4', word()])) + '}' for _ in range(rng.randrange(1, 3)))
        rrset = '{' + ','.join([pair('Name', word()), pair('Type', 'A'), pair('TTL', rng.choice(['60', ' 60', '6_0', '60.5', '-1'])), pair('ResourceRecords', '[' + records + ']')]) + '}'
        out.append(['route53', 'change-resource-record-sets', '--hosted-zone-id', 'Z1',
                    '--change-batch', 'Changes=[{' + pair('Action', 'CREATE') + ',' + pair('ResourceRecordSet', rrset) + '}]' + rng.choice(['', ',Comment=' + word()])])
    for _ in range(40):
        out.append(['cloudwatch', 'get-metric-statistics', '--namespace', 'ns', '--metric-name', 'm', '--period', rng.choice(['60', '6_0', '60.0']),
                    '--statistics', 'Sum', '--start-time', rng.choice(['2020-01-02T03:04:05Z', '2020-01-02', '1700000000', '2020-1-2 3:04', '2020-01-02T03:04:05+02:00', 'Sun, 06 Nov 1994 08:49:37 GMT', 'nope']),
                    '--end-time', rng.choice(['2020-01-03T00:00:00Z', '2020/01/03', '2020-01-03T00Z'])])
    for _ in range(30):
        out.append(['kms', 'encrypt', '--key-id', 'k', '--plaintext', rng.choice(['hello', 'aGVsbG8=', 'caf\u00e9', 'a b', '==', 'x'])])
    return out

import sys, json, io, os
from awscli.clidriver import create_clidriver
class Grab(BaseException): pass
got = {}
import copy
def grab(params, **kwargs):
    got['params'] = copy.deepcopy(params)
def sent(request, **kwargs):
    raise Grab()
driver = create_clidriver()
driver.session.register('provide-client-params', grab)
driver.session.register('before-send', sent)
out = []
for args in cases():
    got.clear()
    err = io.StringIO(); old = sys.stderr; sys.stderr = err
    try:
        rc = driver.main(list(args))
    except Grab:
        rc = None
    finally:
        sys.stderr = old
    if 'params' in got and rc is None:
        text = json.dumps(got['params'], default=str)
        if 'NaN' in text or 'Infinity' in text:
            # JSON cannot carry it; only the fact is reported.
            out.append({'args': args, 'non_finite': True})
        else:
            out.append({'args': args, 'params': got['params']})
    elif 'params' in got:
        out.append({'args': args, 'botocore_refused': err.getvalue()[-300:]})
    else:
        out.append({'args': args, 'rc': rc, 'error': err.getvalue()[-300:]})
json.dump(out, sys.stdout, default=lambda o: o.isoformat() if hasattr(o, 'isoformat') else repr(o))
"#;

fn sansboto(args: &[&str]) -> Output {
    test_environment(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
        .args(args)
        .output()
        .expect("sansboto runs")
}

/// The dry run's request (headers sorted), or `Err(stderr)` when `sansboto` refused.
fn dry_run(args: &[&str]) -> Result<serde_json::Value, String> {
    let mut all = vec!["--dry-run", "--signing-time", SIGNING_TIME];
    all.extend_from_slice(args);
    let out = sansboto(&all);
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let mut request: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("a dry run prints JSON");
    if let Some(headers) = request["headers"].as_array_mut() {
        headers.sort_by_key(|h| h.to_string());
    }
    Ok(request)
}

#[test]
fn shorthand_and_scalars_are_read_as_aws_cli_reads_them() {
    let out = test_environment(&mut Command::new(sansboto_tests::botocore::python()))
        .arg("-c")
        .arg(AWS_CLI_READS)
        .env("PYTHONPATH", awscli_dir())
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "aws-cli: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let (mut made, mut refused, mut non_finite) = (0, 0, 0);
    let mut differences = Vec::new();
    for case in &cases {
        let args: Vec<&str> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let ours = dry_run(&args);
        if case["non_finite"] == true {
            non_finite += 1;
            if ours.is_ok() {
                differences.push(format!("{args:?}: a float that is no number was sent"));
            }
            continue;
        }
        match case.get("params") {
            Some(params) => {
                let json = params.to_string();
                made += 1;
                let theirs = dry_run(&[args[0], args[1], "--params", &json])
                    .unwrap_or_else(|e| panic!("{args:?}: --params {json}: {e}"));
                match ours {
                    Ok(ours) if ours == theirs => {}
                    Ok(ours) => differences.push(format!(
                        "{args:?}\n  aws-cli's parameters: {json}\n  sansboto: {ours}\n  with them: {theirs}"
                    )),
                    Err(e) => differences.push(format!(
                        "{args:?}\n  aws-cli's parameters: {json}\n  sansboto refused: {e}"
                    )),
                }
            }
            None => {
                refused += 1;
                if let Ok(ours) = ours {
                    let why = case
                        .get("botocore_refused")
                        .or_else(|| case.get("error"))
                        .and_then(|e| e.as_str())
                        .unwrap_or_default();
                    differences.push(format!(
                        "{args:?}\n  aws-cli refused: {why}\n  sansboto sent: {ours}"
                    ));
                }
            }
        }
    }
    println!(
        "{} command lines: {made} calls made by both, {refused} refused by both, \
         {non_finite} floats of inf or nan (refused by sansboto)",
        cases.len()
    );
    assert!(
        differences.is_empty(),
        "{} of {} differ:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
    assert!(
        made > 150 && refused > 150,
        "{made} made, {refused} refused"
    );
}
