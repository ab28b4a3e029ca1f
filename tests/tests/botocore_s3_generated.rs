//! S3 requests on setups nobody chose, compared with botocore 1.44.5's: a seeded generator
//! makes 500 combinations of a bucket name (dotted, upper-case, underscored, IP-like, 63 and 64
//! characters, an access point ARN, …), an object key (spaces, `+`, `%`, `?`, `#`, `~`, `..`,
//! `//`, a leading or trailing slash, non-ASCII), an operation (objects, listings, copies with
//! a string or a structure `CopySource`, multi-object delete, sub-resources), a region (China
//! and GovCloud included) and the configuration that changes S3's URLs (`addressing_style`,
//! accelerate, dual-stack, FIPS, `us_east_1_regional_endpoint`, a custom `endpoint_url` with or
//! without a path) in the config file and the environment. Both build the request signed at
//! one time; compared: method, URL and the whole `Authorization` header (signing region,
//! signed headers and, through the signature, their values), or a refusal by both.

mod e2e_support;

use std::time::{Duration, UNIX_EPOCH};

use e2e_support::core_session;
use sansboto_core::auth::{Credentials, Identity};
use sansboto_core::machine::SplitMix64;
use sansboto_core::session::ClientOptions;
use sansboto_core::Value;
use sansboto_tests::botocore;

/// 2026-01-01T00:00:00Z: the signing time on both sides.
const SIGNED_AT: u64 = 1_767_225_600;

const SCENARIOS: &str = r#"
import os, random, tempfile
import botocore.session
from botocore.awsrequest import AWSResponse
rng = random.Random(20261204)
BUCKETS = ['mybucket', 'my.dotted.bucket', 'MyBucket', 'my_bucket', 'a' * 63, 'b' * 64, 'ab',
           'bucket-', '192.168.1.1', 'xn--bucket', 'with-dashes-1',
           'arn:aws:s3:us-west-2:123456789012:accesspoint/myap']
KEYS = ['k', 'a b', 'dir/file.txt', 'unicod\u00e9/\u00fc', 'a+b', 'a%20b', '../x', 'a//b',
        '/leading', 'trailing/', 'q?x=1', 'hash#frag', 'tilde~', "quote'\"", '*star',
        '  spaces  ', '.', 'a=b&c=d', 'emoji\U0001F600']
REGIONS = ['us-east-1', 'us-west-2', 'eu-central-1', 'cn-north-1', 'us-gov-west-1',
           'ap-southeast-3', None]
def operation(bucket, key):
    kind = rng.randrange(11)
    if kind == 0:
        return 'GetObject', {'Bucket': bucket, 'Key': key}
    if kind == 1:
        return 'PutObject', {'Bucket': bucket, 'Key': key, 'Body': 'data'}
    if kind == 2:
        return 'HeadObject', {'Bucket': bucket, 'Key': key, 'VersionId': 'v1'}
    if kind == 3:
        return 'DeleteObject', {'Bucket': bucket, 'Key': key}
    if kind == 4:
        return 'ListObjectsV2', {'Bucket': bucket, 'Prefix': key, 'Delimiter': '/'}
    if kind == 5:
        return 'HeadBucket', {'Bucket': bucket}
    if kind == 6:
        return 'CopyObject', {'Bucket': bucket, 'Key': key, 'CopySource': 'src-bucket/' + key}
    if kind == 7:
        return 'CopyObject', {'Bucket': bucket, 'Key': 'dest', 'CopySource': {'Bucket': 'src-bucket', 'Key': key, 'VersionId': 'v 1'}}
    if kind == 8:
        return 'DeleteObjects', {'Bucket': bucket, 'Delete': {'Objects': [{'Key': key}]}}
    if kind == 9:
        return 'GetObjectAcl', {'Bucket': bucket, 'Key': key}
    return 'ListObjects', {'Bucket': bucket, 'Prefix': key, 'Marker': key}
def scenario():
    env = {}
    region = rng.choice(REGIONS)
    s3 = []
    if rng.random() < 0.3:
        s3.append('addressing_style = ' + rng.choice(['path', 'virtual', 'auto']))
    if rng.random() < 0.12:
        s3.append('use_accelerate_endpoint = true')
    if rng.random() < 0.12:
        s3.append('use_dualstack_endpoint = true')
    if rng.random() < 0.15:
        s3.append('us_east_1_regional_endpoint = regional')
    lines = ['[default]']
    if region and rng.random() < 0.5:
        lines.append('region = ' + region)
    elif region:
        env['AWS_DEFAULT_REGION'] = region
    if rng.random() < 0.1:
        env['AWS_USE_FIPS_ENDPOINT'] = 'true'
    if rng.random() < 0.12:
        lines.append('endpoint_url = ' + rng.choice(['http://localhost:9000', 'https://custom.example.com/base', 'https://s3.example.com']))
    if s3:
        lines.append('s3 =')
        lines.extend('    ' + l for l in s3)
    bucket, key = rng.choice(BUCKETS), rng.choice(KEYS)
    op, params = operation(bucket, key)
    return env, '\n'.join(lines) + '\n', op, params
captured = {}
def before_send(request, **kwargs):
    if not captured:
        sent = request_as_sent(request)
        captured.update(method=sent['method'], url=sent['url'],
                        authorization=sent['headers'].get('authorization', ''))
    return AWSResponse(request.url, 200, {}, None)
out = []
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, 'config')
    for _ in range(500):
        env, config, op, params = scenario()
        with open(path, 'w') as f:
            f.write(config)
        saved = dict(os.environ)
        os.environ.update(env)
        os.environ['AWS_CONFIG_FILE'] = path
        captured.clear()
        try:
            client = botocore.session.get_session().create_client(
                's3', aws_access_key_id='AKID', aws_secret_access_key='SECRET')
            client.meta.events.register('before-send', before_send)
            getattr(client, botocore.xform_name(op))(**params)
        except Exception as e:
            if not captured:
                captured['error'] = type(e).__name__ + ': ' + str(e)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        # The parameters as text, in the order given: `emit` sorts keys, and a REST request's
        # query string follows the caller's order (in botocore and in sansboto).
        out.append({'env': env, 'config': config, 'operation': op, 'params': json.dumps(params), **captured})
emit(out)
"#;

#[test]
fn generated_s3_requests_are_botocores() {
    let snippet = format!("{}\n{SCENARIOS}", botocore::fixed_clock(SIGNED_AT));
    let cases = botocore::run(&snippet, &[]);
    let cases = cases.as_array().expect("a list of cases");
    assert_eq!(cases.len(), 500);
    let credentials = Credentials::new("AKID", "SECRET", None, None);
    let identity = Identity::Credentials(&credentials);
    let now = UNIX_EPOCH + Duration::from_secs(SIGNED_AT);
    let (mut differences, mut refused, mut signed) = (Vec::new(), 0, 0);
    for case in cases {
        let env: Vec<(&str, &str)> = case["env"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect();
        let config = case["config"].as_str().unwrap();
        let operation = case["operation"].as_str().unwrap();
        let ours = core_session(&env, Some(config), None)
            .service_client("s3", &ClientOptions::default())
            .and_then(|client| {
                let params: serde_json::Value =
                    serde_json::from_str(case["params"].as_str().unwrap()).unwrap();
                let params = Value::from(params);
                let prepared = client.prepare(operation, params, &mut SplitMix64(1))?;
                client.sign(&prepared, identity, now, None)
            });
        let name = format!("{operation} {} with {env:?} and {config:?}", case["params"]);
        match (ours, case.get("error")) {
            (Err(_), Some(_)) => refused += 1,
            (Ok(request), None) => {
                signed += 1;
                let authorization = request
                    .headers()
                    .get("authorization")
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .unwrap_or_default();
                let ours = (
                    request.method().as_str().to_string(),
                    request.uri().to_string(),
                    authorization,
                );
                let theirs = (
                    case["method"].as_str().unwrap_or_default().to_string(),
                    case["url"].as_str().unwrap_or_default().to_string(),
                    case["authorization"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                );
                if ours != theirs {
                    differences.push(format!(
                        "{name}\n  sansboto: {ours:?}\n  botocore: {theirs:?}"
                    ));
                }
            }
            (Ok(request), Some(error)) => differences.push(format!(
                "{name}\n  botocore refused ({error}); sansboto: {}",
                request.uri()
            )),
            (Err(e), None) => differences.push(format!(
                "{name}\n  sansboto refused ({e}); botocore: {}",
                case["url"]
            )),
        }
    }
    let shown: Vec<&str> = differences.iter().take(20).map(String::as_str).collect();
    assert!(
        differences.is_empty(),
        "{} of {} S3 requests differ from botocore's ({refused} refused by both):\n{}",
        differences.len(),
        cases.len(),
        shown.join("\n")
    );
    assert!(
        signed > 300 && refused > 20,
        "{signed} signed, {refused} refused"
    );
}
