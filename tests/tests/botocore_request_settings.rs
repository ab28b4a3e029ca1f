//! The settings that shape a request, read as botocore 1.44.5 reads them: flexible checksums
//! (`request_checksum_calculation`, `response_checksum_validation`), request compression
//! (`disable_request_compression`, `request_min_compression_size_bytes`), the application id in
//! the user agent (`sdk_ua_app_id`), host prefixes (`disable_host_prefix_injection`),
//! parameter validation (`parameter_validation`) and the profile's `api_versions`, each spelled
//! as people spell them (case, spaces, numbers out of range, text), from the environment, from
//! the config file and given in code (botocore's `Config`, sansboto's `ClientOptions`). Each
//! scenario's calls (S3 uploads with and without an algorithm, downloads with and without
//! `ChecksumMode`, a multi-object delete, CloudWatch metrics with a JSON body of 723
//! bytes, Cloud Map's `data-` host prefix, DynamoDB parameters validation refuses, EC2's API
//! version) are made by botocore and by a sansboto call machine; compared: the URL, the user
//! agent's `app/` and `cfg/` parts, OS family and architecture and the feature codes of the
//! client's settings (the retry mode and an endpoint URL, varied here too), every header
//! except those that carry the time, the attempt, the user agent or the HTTP client's framing,
//! the signed header names, the body (inflated when gzip-encoded), or the refusal and where it
//! came (making the client or the call).

mod e2e_support;

use std::collections::BTreeMap;
use std::io::Read;
use std::time::{Duration, UNIX_EPOCH};

use e2e_support::{blocking_session, core_session, try_core_session, Action, ScriptServer};
use sansboto_core::auth::Credentials;
use sansboto_core::client::CallIdentity;
use sansboto_core::machine::{SplitMix64, Step};
use sansboto_core::session::ClientOptions;
use sansboto_core::{params, Value};
use sansboto_tests::botocore;
use serde_json::{json, Value as J};

/// Headers left out of the comparison: the time, the attempt and invocation, the user agent
/// (which lists the features a call used, in botocore's own codes), the signature, and the
/// framing the HTTP client adds as it sends (`host`, `content-length`: urllib3's on one side,
/// the transport's on the other).
const VOLATILE: &[&str] = &[
    "host",
    "content-length",
    "authorization",
    "x-amz-date",
    "user-agent",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
];

/// The user agent's feature codes (`m/`) botocore registers for a client's own settings: the
/// retry mode, an endpoint URL, the two checksum settings. sansboto sends these and no other;
/// botocore adds more per call (a paginator, the credentials' source, …), left out here.
const CLIENT_CODES: &[&str] = &["D", "E", "F", "N", "Z", "a", "b", "c"];

/// `(service, operation, parameters)`. The metric data serializes to 723 bytes, between the
/// minimum sizes the scenarios set.
fn calls() -> Vec<(&'static str, &'static str, String)> {
    let metrics: Vec<J> = (0..12)
        .map(|i| json!({"MetricName": format!("metric-{i}"), "Value": i, "Unit": "Count"}))
        .collect();
    vec![
        (
            "s3",
            "PutObject",
            r#"{"Bucket": "b", "Key": "k", "Body": "hello"}"#.into(),
        ),
        (
            "s3",
            "PutObject",
            r#"{"Bucket": "b", "Key": "k", "Body": "hello", "ChecksumAlgorithm": "SHA256"}"#.into(),
        ),
        ("s3", "GetObject", r#"{"Bucket": "b", "Key": "k"}"#.into()),
        (
            "s3",
            "GetObject",
            r#"{"Bucket": "b", "Key": "k", "ChecksumMode": "ENABLED"}"#.into(),
        ),
        (
            "s3",
            "DeleteObjects",
            r#"{"Bucket": "b", "Delete": {"Objects": [{"Key": "k"}]}}"#.into(),
        ),
        (
            "cloudwatch",
            "PutMetricData",
            json!({"Namespace": "ns", "MetricData": metrics}).to_string(),
        ),
        // A host prefix (`data-`).
        (
            "servicediscovery",
            "DiscoverInstances",
            r#"{"NamespaceName": "n", "ServiceName": "s"}"#.into(),
        ),
        // Parameters validation refuses: below a minimum, a required member missing.
        ("dynamodb", "ListTables", r#"{"Limit": 0}"#.into()),
        ("dynamodb", "DescribeTable", "{}".into()),
        // The API version a profile's `api_versions` picks shows in the body.
        ("ec2", "DescribeRegions", "{}".into()),
    ]
}

/// A scenario: environment, config file, and the settings given in code (botocore's `Config`
/// keywords; sansboto's `ClientOptions`).
type Scenario = (Vec<(&'static str, String)>, String, J);

/// The scenarios: each setting alone in the environment and in the profile, then together and
/// given in code, where the code's value wins and the others are not read.
fn scenarios() -> Vec<Scenario> {
    let mut out: Vec<(Vec<(&'static str, String)>, String)> = vec![(vec![], String::new())];
    for value in [
        "when_supported",
        "when_required",
        "WHEN_REQUIRED",
        "When_Supported",
        " when_required",
        "when_required ",
        "bogus",
        "",
    ] {
        for (var, key) in [
            (
                "AWS_REQUEST_CHECKSUM_CALCULATION",
                "request_checksum_calculation",
            ),
            (
                "AWS_RESPONSE_CHECKSUM_VALIDATION",
                "response_checksum_validation",
            ),
        ] {
            out.push((vec![(var, value.to_string())], String::new()));
            out.push((vec![], format!("[default]\n{key} = {value}\n")));
        }
    }
    for value in ["true", "TRUE", " true", "false", "yes", "1", ""] {
        out.push((
            vec![("AWS_DISABLE_REQUEST_COMPRESSION", value.to_string())],
            String::new(),
        ));
        out.push((
            vec![],
            format!("[default]\ndisable_request_compression = {value}\n"),
        ));
    }
    for value in [
        "0",
        "1",
        "500",
        "10240",
        "1048576",
        "1048577",
        "10485760",
        "-1",
        "abc",
        " 500",
        "500 ",
        "5.0",
        "0x10",
        "1_000",
        "\u{1c}500",
        "",
    ] {
        out.push((
            vec![("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", value.to_string())],
            String::new(),
        ));
        out.push((
            vec![],
            format!("[default]\nrequest_min_compression_size_bytes = {value}\n"),
        ));
    }
    for value in [
        "my-app",
        "my app/1.0",
        "\u{fc}ber",
        "a#b",
        "",
        &"x".repeat(60),
    ] {
        out.push((
            vec![("AWS_SDK_UA_APP_ID", value.to_string())],
            String::new(),
        ));
        out.push((vec![], format!("[default]\nsdk_ua_app_id = {value}\n")));
    }
    for value in ["true", "TRUE", "false", "yes", ""] {
        out.push((
            vec![("AWS_DISABLE_HOST_PREFIX_INJECTION", value.to_string())],
            String::new(),
        ));
        out.push((
            vec![],
            format!("[default]\ndisable_host_prefix_injection = {value}\n"),
        ));
    }
    // The profile alone sets parameter validation (no environment variable).
    // A nested block where a value belongs is botocore's `ensure_boolean` of a dict: false.
    for value in ["false", "False", "no", "true", "", "\n    true = true"] {
        out.push((
            vec![],
            format!("[default]\nparameter_validation = {value}\n"),
        ));
    }
    // Older API versions of a model, by service, and one that does not exist.
    for versions in [
        "    ec2 = 2015-03-01\n    dynamodb = 2011-12-05\n",
        "    ec2 = 2016-11-15\n",
        "    ec2 = 1999-01-01\n",
        "    s3 = 2006-03-01\n    ec2 =  2014-09-01 \n",
    ] {
        out.push((vec![], format!("[default]\napi_versions =\n{versions}")));
    }
    // The retry mode and an endpoint URL, which the user agent reports.
    for mode in ["legacy", "adaptive", "standard"] {
        out.push((vec![("AWS_RETRY_MODE", mode.to_string())], String::new()));
    }
    out.push((vec![], "[default]\nretry_mode = adaptive\n".into()));
    out.push((
        vec![("AWS_ENDPOINT_URL", "http://localhost:4566".to_string())],
        String::new(),
    ));
    // Settings together, and the environment before the profile.
    out.push((
        vec![("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "500".into())],
        "[default]\ndisable_request_compression = true\n".into(),
    ));
    out.push((
        vec![("AWS_REQUEST_CHECKSUM_CALCULATION", "when_supported".into())],
        "[default]\nrequest_checksum_calculation = when_required\nresponse_checksum_validation = when_required\n".into(),
    ));
    out.push((
        vec![("AWS_DISABLE_REQUEST_COMPRESSION", "false".into())],
        "[default]\ndisable_request_compression = true\nrequest_min_compression_size_bytes = 0\n"
            .into(),
    ));
    let mut out: Vec<Scenario> = out
        .into_iter()
        .map(|(env, config)| (env, config, json!({})))
        .collect();
    for (env, given) in [
        (
            ("AWS_REQUEST_CHECKSUM_CALCULATION", "bogus"),
            json!({"request_checksum_calculation": "when_required"}),
        ),
        (
            ("AWS_RESPONSE_CHECKSUM_VALIDATION", "bogus"),
            json!({"response_checksum_validation": "when_required"}),
        ),
        (
            ("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required"),
            json!({"request_checksum_calculation": "when_supported"}),
        ),
        (
            ("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "abc"),
            json!({"request_min_compression_size_bytes": 500}),
        ),
        (
            ("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "500"),
            json!({"request_min_compression_size_bytes": 0}),
        ),
        (
            ("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "500"),
            json!({"request_min_compression_size_bytes": 1_048_577}),
        ),
        (
            ("AWS_DISABLE_REQUEST_COMPRESSION", "true"),
            json!({"disable_request_compression": false, "request_min_compression_size_bytes": 1}),
        ),
        (
            ("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "1"),
            json!({"disable_request_compression": true}),
        ),
        (
            ("AWS_SDK_UA_APP_ID", "from-env"),
            json!({"user_agent_appid": "given app"}),
        ),
        (
            ("AWS_DISABLE_HOST_PREFIX_INJECTION", "false"),
            json!({"inject_host_prefix": false}),
        ),
        (
            ("AWS_DISABLE_HOST_PREFIX_INJECTION", "true"),
            json!({"inject_host_prefix": true}),
        ),
        (
            ("AWS_PROFILE", "default"),
            json!({"parameter_validation": false}),
        ),
    ] {
        out.push((vec![(env.0, env.1.to_string())], String::new(), given));
    }
    // A `Config` can turn validation off, not on: the profile's `false` stands.
    out.push((
        vec![],
        "[default]\nparameter_validation = false\n".into(),
        json!({"parameter_validation": true}),
    ));
    out
}

/// The settings given in code (`{botocore Config keyword: value}`) as sansboto's options.
fn options_given(given: &J) -> ClientOptions {
    use sansboto_core::{RequestChecksumCalculation, ResponseChecksumValidation};
    let text = |key: &str| given.get(key).and_then(J::as_str);
    ClientOptions {
        region: Some("us-west-2".into()),
        request_checksum_calculation: text("request_checksum_calculation")
            .map(|t| RequestChecksumCalculation::from_setting(t).unwrap()),
        response_checksum_validation: text("response_checksum_validation")
            .map(|t| ResponseChecksumValidation::from_setting(t).unwrap()),
        disable_request_compression: given
            .get("disable_request_compression")
            .and_then(J::as_bool),
        request_min_compression_size_bytes: given
            .get("request_min_compression_size_bytes")
            .and_then(J::as_u64),
        user_agent_app_id: text("user_agent_appid").map(String::from),
        inject_host_prefix: given.get("inject_host_prefix").and_then(J::as_bool),
        parameter_validation: given.get("parameter_validation").and_then(J::as_bool),
        ..Default::default()
    }
}

/// botocore's rows: per scenario, per call, the request it sends (`{headers, signed, body,
/// gzip}`) or its refusal (`{error, stage}`).
const BOTOCORE: &str = r#"
import os, gzip, tempfile
import botocore.session, botocore.awsrequest, botocore.config
VOLATILE = set(json.loads(VOLATILE_JSON))
seen = {}
def capture(request, **kwargs):
    seen['request'] = request
    return botocore.awsrequest.AWSResponse(request.url, 200, {}, None)
def make_client(service, given):
    s = botocore.session.get_session()
    client = s.create_client(service, region_name='us-west-2', aws_access_key_id='AKID',
                             aws_secret_access_key='SECRET', config=botocore.config.Config(**given))
    client.meta.events.register_first('before-send', capture)
    return client
def row(clients, given, service, operation, params):
    if service not in clients:
        try:
            clients[service] = make_client(service, given)
        except Exception as e:
            clients[service] = {'error': type(e).__name__, 'stage': 'client'}
    client = clients[service]
    if isinstance(client, dict):
        return client
    seen.clear()
    try:
        getattr(client, botocore.xform_name(operation))(**json.loads(params))
    except Exception as e:
        if 'request' not in seen:
            return {'error': type(e).__name__, 'stage': 'call'}
    request = seen['request']
    text = lambda v: v.decode('latin-1') if isinstance(v, bytes) else v
    headers = {k.lower(): text(v) for k, v in request.headers.items()}
    auth = headers.get('authorization', '')
    signed = auth.split('SignedHeaders=')[1].split(',')[0] if 'SignedHeaders=' in auth else ''
    body = request.body
    if hasattr(body, 'read'):
        body = body.read()
    if isinstance(body, str):
        body = body.encode('utf-8')
    body = body or b''
    zipped = 'gzip' in headers.get('content-encoding', '')
    if zipped:
        body = gzip.decompress(body)
    ua = headers.get('user-agent', '').split(' ')
    codes = ','.join(t[2:] for t in ua if t.startswith('m/')).split(',')
    ua = {'app': [t for t in ua if t.startswith('app/')],
          'cfg': [t for t in ua if t.startswith('cfg/')],
          'platform': [t.split('#')[0] if t.startswith('os/') else t
                       for t in ua if t.startswith(('os/', 'md/arch#'))],
          'codes': sorted(set(codes) & set(CLIENT_CODES))}
    return {'headers': {k: v for k, v in headers.items() if k not in VOLATILE},
            'signed': signed, 'body': body.decode('latin-1'), 'gzip': zipped,
            'url': request.url, 'ua': ua}
out = []
for env, config, given in SCENARIOS:
    path = tempfile.mktemp()
    with open(path, 'w') as f:
        f.write(config)
    saved = dict(os.environ)
    os.environ.update(env)
    os.environ['AWS_CONFIG_FILE'] = path
    try:
        clients = {}
        out.append([row(clients, given, *call) for call in CALLS])
    finally:
        os.environ.clear()
        os.environ.update(saved)
        os.unlink(path)
emit(out)
"#;

/// The first request sansboto's call machine sends, as the Python side reports botocore's.
fn sansboto_row(
    session: &sansboto_core::session::Session,
    options: &ClientOptions,
    service: &str,
    operation: &str,
    params: &str,
) -> J {
    let client = match session.service_client(service, options) {
        Ok(client) => client,
        Err(_) => return json!({"error": "refused", "stage": "client"}),
    };
    let params = Value::from(serde_json::from_str::<J>(params).unwrap());
    let identity = CallIdentity::Credentials(Credentials::new("AKID", "SECRET", None, None));
    let mut call = match client.call(operation, params, identity, Box::new(SplitMix64(1))) {
        Ok(call) => call,
        Err(_) => return json!({"error": "refused", "stage": "call"}),
    };
    let request = match call.poll(UNIX_EPOCH + Duration::from_secs(1_767_225_600)) {
        Step::Send(request) => request,
        Step::Failed(_) => return json!({"error": "refused", "stage": "call"}),
        _ => panic!("{service} {operation}: the call's first step is not a request"),
    };
    let mut headers = BTreeMap::new();
    for (name, value) in request.headers() {
        if !VOLATILE.contains(&name.as_str()) {
            let value: String = value.as_bytes().iter().map(|&b| b as char).collect();
            headers.insert(name.as_str().to_string(), value);
        }
    }
    let signed = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|a| a.split("SignedHeaders=").nth(1))
        .and_then(|s| s.split(',').next())
        .unwrap_or_default()
        .to_string();
    let mut body = request
        .body()
        .as_bytes()
        .expect("an in-memory body")
        .to_vec();
    let zipped = headers
        .get("content-encoding")
        .is_some_and(|e| e.contains("gzip"));
    if zipped {
        let mut inflated = Vec::new();
        flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut inflated)
            .expect("a gzip body");
        body = inflated;
    }
    let ua: Vec<&str> = request
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(' ')
        .collect();
    let parts = |prefix: &str| -> Vec<&str> {
        ua.iter()
            .copied()
            .filter(|t| t.starts_with(prefix))
            .collect()
    };
    let mut codes: Vec<&str> = parts("m/")
        .iter()
        .flat_map(|t| t[2..].split(','))
        .filter(|c| CLIENT_CODES.contains(c))
        .collect();
    codes.sort_unstable();
    let platform: Vec<&str> = ua
        .iter()
        .filter(|t| t.starts_with("os/") || t.starts_with("md/arch#"))
        // The OS family without botocore's kernel release; the architecture whole.
        .map(|t| match t.starts_with("os/") {
            true => t.split('#').next().unwrap_or_default(),
            false => t,
        })
        .collect();
    let ua =
        json!({"app": parts("app/"), "cfg": parts("cfg/"), "platform": platform, "codes": codes});
    json!({
        "url": request.uri().to_string(),
        "ua": ua,
        "headers": headers,
        "signed": signed,
        "body": body.iter().map(|&b| b as char).collect::<String>(),
        "gzip": zipped,
    })
}

/// A row without its body, which is long and, when it differs, shows in its headers.
fn short(row: &J) -> J {
    let mut row = row.clone();
    if let Some(body) = row.get_mut("body") {
        *body = json!(body.as_str().map_or(0, str::len));
    }
    row
}

/// botocore's refusal, as compared: only where it came.
fn their_error_row(row: &J) -> J {
    json!({"error": "refused", "stage": row["stage"]})
}

#[test]
fn request_settings_are_read_as_botocore_reads_them() {
    let (scenarios, calls) = (scenarios(), calls());
    let total = scenarios.len() * calls.len();
    let sent = compare_with_botocore(scenarios, calls);
    // The scenarios reach each behaviour compared: requests sent, compressed and with trailers.
    let count = |reached: &dyn Fn(&str, &J) -> bool| {
        sent.iter()
            .filter(|(service, row)| reached(service, row))
            .count()
    };
    assert!(sent.len() * 2 > total, "only {} sent", sent.len());
    let zipped = count(&|_, row| row["gzip"] == true);
    let trailers = count(&|_, row| row["headers"].get("x-amz-trailer").is_some());
    assert!(
        zipped > 0 && trailers > 0,
        "{zipped} compressed, {trailers} with a trailer"
    );
    let apps = count(&|_, row| row["ua"]["app"] != json!([]));
    let overridden = count(&|_, row| row["ua"]["codes"].to_string().contains("\"N\""));
    let unprefixed = count(&|service, row| {
        service == "servicediscovery" && !row["url"].as_str().unwrap_or_default().contains("data-")
    });
    let unvalidated = count(&|service, _| service == "dynamodb");
    let older = count(&|service, row| {
        service == "ec2"
            && !row["body"]
                .as_str()
                .unwrap_or_default()
                .contains("Version=2016-11-15")
    });
    assert!(
        apps > 0 && unprefixed > 0 && unvalidated > 0 && older > 0 && overridden > 0,
        "{apps} with an app id, {unprefixed} without a host prefix, {unvalidated} unvalidated, \
         {older} of an older API version, {overridden} with an endpoint URL"
    );
    let retry_modes: std::collections::BTreeSet<String> = sent
        .iter()
        .map(|(_, row)| row["ua"]["cfg"].to_string())
        .collect();
    assert_eq!(retry_modes.len(), 3, "retry modes seen: {retry_modes:?}");
}

/// Parameters of the wrong kind, which validation refuses, sent with `parameter_validation`
/// off: botocore's serializers write them as Python prints them (`str()`, or as given in
/// JSON, a boolean member as its truth in a query or XML body, even given a list or a map,
/// and as its `str().lower()` in a
/// URI, query string or header), and so does sansboto, in each protocol but CBOR (whose
/// serializer stays strict here). DynamoDB's table name and S3's bucket, bound to endpoint
/// rules, are refused by both.
#[test]
fn unvalidated_parameters_of_the_wrong_kind_are_sent_as_botocore_sends_them() {
    let calls = vec![
        // awsJson 1.0 (query-compatible): a number for a string, text for an integer.
        (
            "sqs",
            "SendMessage",
            r#"{"QueueUrl": "https://sqs.us-west-2.amazonaws.com/1/q", "MessageBody": 123,
                "DelaySeconds": "5", "MessageAttributes": {"a": {"DataType": "Number",
                "StringValue": 5.0}}}"#
                .into(),
        ),
        (
            "dynamodb",
            "GetItem",
            r#"{"TableName": "t", "Key": {"a": {"N": 5}}, "ConsistentRead": "yes"}"#.into(),
        ),
        // Bound to endpoint parameters, which take only strings: refused.
        (
            "dynamodb",
            "GetItem",
            r#"{"TableName": 123, "Key": {}}"#.into(),
        ),
        ("s3", "GetObject", r#"{"Bucket": 7, "Key": "k"}"#.into()),
        // rest-xml: a URI label, headers (a string, an integer, booleans), a query string.
        (
            "s3",
            "PutObject",
            r#"{"Bucket": "b", "Key": 7, "Body": "x", "ContentType": 5, "CacheControl": true,
                "BucketKeyEnabled": "Yes", "Expires": "Thu, 01 Jan 2026 00:00:00 GMT"}"#
                .into(),
        ),
        (
            "s3",
            "ListObjectsV2",
            r#"{"Bucket": "b", "MaxKeys": "5", "Prefix": 9, "FetchOwner": 0}"#.into(),
        ),
        (
            "s3",
            "ListObjectsV2",
            r#"{"Bucket": "b", "MaxKeys": 1.5, "StartAfter": 2.5, "FetchOwner": "TRUE"}"#.into(),
        ),
        // A whole float for an integer: botocore, not validating, writes the float.
        (
            "s3",
            "ListObjectsV2",
            r#"{"Bucket": "b", "MaxKeys": 5.0}"#.into(),
        ),
        (
            "lambda",
            "UpdateFunctionConfiguration",
            r#"{"FunctionName": "f", "Timeout": 30.0}"#.into(),
        ),
        // An XML body's booleans: each value's truth.
        (
            "s3",
            "PutPublicAccessBlock",
            r#"{"Bucket": "b", "PublicAccessBlockConfiguration": {"BlockPublicAcls": "no",
                "IgnorePublicAcls": 0, "BlockPublicPolicy": "", "RestrictPublicBuckets": 2.5}}"#
                .into(),
        ),
        // ... and the truth of a list or a map given for one.
        (
            "s3",
            "PutPublicAccessBlock",
            r#"{"Bucket": "b", "PublicAccessBlockConfiguration": {"BlockPublicAcls": [],
                "IgnorePublicAcls": ["x"], "BlockPublicPolicy": {}, "RestrictPublicBuckets":
                {"a": 1}}}"#
                .into(),
        ),
        (
            "ec2",
            "DescribeInstances",
            r#"{"DryRun": [], "IncludeManagedResources": {"a": 1}}"#.into(),
        ),
        // ec2 and query bodies.
        (
            "ec2",
            "DescribeInstances",
            r#"{"MaxResults": "5", "DryRun": "no", "NextToken": 12}"#.into(),
        ),
        // awsJson 1.0: a boolean for a double is written as given; text for one is refused
        // (botocore's `_handle_float` fails on it).
        (
            "cloudwatch",
            "PutMetricData",
            r#"{"Namespace": 5, "MetricData": [{"MetricName": "m", "Value": true,
                "StorageResolution": "1", "Unit": true}]}"#
                .into(),
        ),
        (
            "cloudwatch",
            "PutMetricData",
            r#"{"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": "7"}]}"#.into(),
        ),
        // A double in a query body: a boolean as Python prints it.
        (
            "ec2",
            "RequestSpotInstances",
            r#"{"SpotPrice": 5, "InstanceCount": "2", "LaunchSpecification":
                {"EbsOptimized": 1}}"#
                .into(),
        ),
        // rest-json: a query string and a JSON body.
        (
            "lambda",
            "Invoke",
            r#"{"FunctionName": "f", "Payload": "{}", "Qualifier": 3}"#.into(),
        ),
        (
            "lambda",
            "UpdateFunctionConfiguration",
            r#"{"FunctionName": "f", "Timeout": "30", "Description": 5, "MemorySize": "128"}"#
                .into(),
        ),
    ];
    let unvalidated = (
        vec![],
        String::new(),
        json!({"parameter_validation": false}),
    );
    let count = calls.len();
    let sent = compare_with_botocore(vec![unvalidated], calls);
    // All are sent but the three refused: the table name, the bucket and the text double.
    assert_eq!(sent.len(), count - 3, "sent: {sent:?}");
}

/// Each scenario's calls made by botocore and by a sansboto call machine: the same requests,
/// or refusals at the same stage. Returns the requests botocore sent, with their services.
fn compare_with_botocore(
    scenarios: Vec<Scenario>,
    calls: Vec<(&'static str, &'static str, String)>,
) -> Vec<(&'static str, J)> {
    let python_scenarios = serde_json::to_string(
        &scenarios
            .iter()
            .map(|(env, config, given)| {
                let env = env.iter().cloned().collect::<BTreeMap<_, _>>();
                (env, config, given)
            })
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let snippet = format!(
        "SCENARIOS = json.loads({})\nCALLS = json.loads({})\nVOLATILE_JSON = {}\nCLIENT_CODES = {}\n{BOTOCORE}",
        serde_json::to_string(&python_scenarios).unwrap(),
        serde_json::to_string(&serde_json::to_string(&calls).unwrap()).unwrap(),
        serde_json::to_string(&serde_json::to_string(VOLATILE).unwrap()).unwrap(),
        serde_json::to_string(CLIENT_CODES).unwrap(),
    );
    let theirs = botocore::run(&snippet, &[]);
    let theirs = theirs.as_array().expect("a row per scenario");
    assert_eq!(theirs.len(), scenarios.len());
    let (mut differences, mut sent) = (Vec::new(), Vec::new());
    for ((env, config, given), theirs) in scenarios.iter().zip(theirs) {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let session = try_core_session(&env, Some(config), None);
        let options = options_given(given);
        for ((service, operation, params), theirs) in calls.iter().zip(theirs.as_array().unwrap()) {
            let ours = match &session {
                Ok(session) => sansboto_row(session, &options, service, operation, params),
                Err(_) => json!({"error": "refused", "stage": "client"}),
            };
            let theirs = match theirs.get("error") {
                Some(_) => their_error_row(theirs),
                None => {
                    sent.push((*service, theirs.clone()));
                    theirs.clone()
                }
            };
            if ours != theirs {
                differences.push(format!(
                    "{service} {operation} with {env:?}, {config:?} and {given}\n  sansboto: {}\n  botocore: {}",
                    short(&ours),
                    short(&theirs)
                ));
            }
        }
    }
    let shown: Vec<&str> = differences.iter().take(12).map(String::as_str).collect();
    assert!(
        differences.is_empty(),
        "{} of {} calls differ from botocore's:\n{}",
        differences.len(),
        scenarios.len() * calls.len(),
        shown.join("\n")
    );
    sent
}

/// The settings given to a client builder reach the wire: a blocking client over a local
/// server, with checksums only where required, compression from one byte, an application id
/// and, for one client, no parameter validation; the same settings left to an environment that
/// botocore would refuse refuse the client.
#[test]
fn builder_settings_reach_the_wire() {
    use sansboto_core::config::ConfigError;
    use sansboto_core::{Error, RequestChecksumCalculation, ResponseChecksumValidation};
    let server = ScriptServer::start(|seen, _| match seen.header("x-amz-target") {
        Some(_) => Action::json(200, "{}"),
        None => Action::xml(200, "<r/>"),
    });
    let env = [
        ("AWS_ENDPOINT_URL", server.url()),
        ("AWS_REQUEST_CHECKSUM_CALCULATION", "bogus".to_string()),
        ("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "0".to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let session = blocking_session(core_session(&env, None, None));
    let builder = |service: &str| {
        session
            .client(service)
            .region("us-west-2")
            .credentials("AKID", "SECRET", None)
    };
    // From the environment alone, both settings refuse the client.
    for service in ["s3", "cloudwatch"] {
        match builder(service).build() {
            Err(Error::Config(ConfigError::InvalidValue { setting, .. })) => {
                assert_eq!(setting, "request_checksum_calculation")
            }
            other => panic!("{service}: {:?}", other.map(|_| ())),
        }
    }
    let given = |service: &str, compress: bool| {
        builder(service)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .disable_request_compression(!compress)
            .request_min_compression_size_bytes(1)
            .build()
            .unwrap()
    };
    let s3 = builder("s3")
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
        .request_min_compression_size_bytes(1)
        .user_agent_app_id("my app")
        .build()
        .unwrap();
    s3.call(
        "PutObject",
        params! {"Bucket": "b", "Key": "k", "Body": &b"hello"[..]},
    )
    .unwrap();
    s3.call(
        "DeleteObjects",
        params! {"Bucket": "b", "Delete": params!{"Objects": vec![params!{"Key": "k"}]}},
    )
    .unwrap();
    let metrics =
        params! {"Namespace": "ns", "MetricData": vec![params!{"MetricName": "m", "Value": 1.0}]};
    given("cloudwatch", true)
        .call("PutMetricData", metrics.clone())
        .unwrap();
    given("cloudwatch", false)
        .call("PutMetricData", metrics)
        .unwrap();
    // Validation off: a limit below the model's minimum is sent.
    let dynamodb = builder("dynamodb")
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
        .request_min_compression_size_bytes(1)
        .parameter_validation(false)
        .build()
        .unwrap();
    dynamodb.call("ListTables", params! {"Limit": 0}).unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 5);
    assert!(
        seen[0]
            .header("user-agent")
            .is_some_and(|ua| ua.contains(" app/my-app")),
        "{:?}",
        seen[0].header("user-agent")
    );
    assert_eq!(seen[4].body, br#"{"Limit": 0}"#);
    let checksummed = |i: usize| {
        seen[i]
            .headers
            .keys()
            .any(|k| k.starts_with("x-amz-checksum-"))
    };
    // Only the delete requires a checksum.
    assert!(!checksummed(0), "{:?}", seen[0].headers);
    assert!(checksummed(1), "{:?}", seen[1].headers);
    assert_eq!(seen[2].header("content-encoding"), Some("gzip"));
    assert_eq!(seen[3].header("content-encoding"), None);
}

/// A client of an older API version (the profile's `api_versions`) pages and waits with that
/// version's paginators and waiters, as botocore's does: EC2 2015-03-01 has fewer of both than
/// the latest. Compared: which of its operations can be paginated, and which waiters exist (a
/// waiter botocore's client lacks is refused before anything is sent).
#[test]
fn an_older_api_version_pages_and_waits_with_its_own_models() {
    use sansboto_core::{Error, PaginationOptions, WaiterError};
    let config = "[default]\napi_versions =\n    ec2 = 2015-03-01\n";
    let snippet = r#"
import os, tempfile
path = tempfile.mktemp()
with open(path, 'w') as f:
    f.write(CONFIG)
os.environ['AWS_CONFIG_FILE'] = path
client = botocore.session.get_session().create_client('ec2', region_name='us-east-1',
    aws_access_key_id='AKID', aws_secret_access_key='SECRET')
model = client.meta.service_model
latest = botocore.session.get_session().get_component('data_loader').load_service_model('ec2', 'waiters-2')
emit({'version': model.api_version,
      'operations': list(model.operation_names),
      'paginated': [op for op in model.operation_names if client.can_paginate(botocore.xform_name(op))],
      'waiters': sorted(client.waiter_names),
      'latest_waiters': sorted(latest['waiters'])})
"#;
    let theirs = botocore::run(&format!("CONFIG = {config:?}\n{snippet}"), &[]);
    assert_eq!(theirs["version"], "2015-03-01");
    let env = [
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AWS_MAX_ATTEMPTS", "1"),
    ];
    let client = blocking_session(core_session(&env, Some(config), None))
        .client("ec2")
        .region("us-east-1")
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap();
    assert_eq!(client.core().model().metadata.api_version, "2015-03-01");
    let paginated: Vec<&str> = theirs["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| op.as_str().unwrap())
        .filter(|op| {
            client
                .paginate(op, params! {}, PaginationOptions::default())
                .is_ok()
        })
        .collect();
    assert_eq!(json!(paginated), theirs["paginated"]);
    // Every waiter of the latest version: those of 2015-03-01 are run (and fail to connect),
    // the others are unknown.
    let mut known = Vec::new();
    for name in theirs["latest_waiters"].as_array().unwrap() {
        let name = name.as_str().unwrap();
        match client.wait(name, params! {}, Some(Duration::ZERO), Some(1)) {
            Err(Error::Waiter(WaiterError::Unknown { .. })) => {}
            _ => known.push(botocore_waiter_name(name)),
        }
    }
    known.sort();
    assert_eq!(json!(known), theirs["waiters"]);
    assert!(known.len() < theirs["latest_waiters"].as_array().unwrap().len());
}

/// botocore's name of a waiter (`xform_name`: `InstanceExists` → `instance_exists`).
fn botocore_waiter_name(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Whether botocore's client turns on TCP keep-alive (`SO_KEEPALIVE` among its socket
/// options) for each `[env value, profile value, Config value]` of `SETUPS` (`null`: not set).
const KEEPALIVE: &str = r#"
import os, socket, tempfile
from botocore.config import Config
out = []
for env_value, profile_value, given in json.loads(os.environ['SETUPS']):
    with tempfile.NamedTemporaryFile('w', suffix='.ini', delete=False) as f:
        f.write('[default]\n' + ('' if profile_value is None else 'tcp_keepalive = %s\n' % profile_value))
    saved = dict(os.environ)
    os.environ['AWS_CONFIG_FILE'] = f.name
    if env_value is not None:
        os.environ['BOTOCORE_TCP_KEEPALIVE'] = env_value
    try:
        client = botocore.session.Session().create_client(
            's3', region_name='us-east-1', aws_access_key_id='AKID', aws_secret_access_key='SECRET',
            config=None if given is None else Config(tcp_keepalive=given))
        options = client._endpoint.http_session._socket_options
        out.append((socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1) in options)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        os.unlink(f.name)
emit(out)
"#;

/// `tcp_keepalive` from `BOTOCORE_TCP_KEEPALIVE`, the profile and the builder, as botocore
/// reads it, seen on the socket itself: Linux shows the keep-alive timer (kind 2) of an idle
/// connection in `/proc/net/tcp`. Each setup's blocking client makes one call to a local
/// server; its connection (the only one established to that server) is then looked up.
#[cfg(target_os = "linux")]
#[test]
fn tcp_keepalive_is_read_as_botocore_reads_it() {
    let env_values = [
        None,
        Some("true"),
        Some("TRUE"),
        Some(" true"),
        Some("false"),
        Some("1"),
    ];
    let profile_values = [None, Some("true"), Some("True"), Some("false"), Some("yes")];
    let setups: Vec<(Option<&str>, Option<&str>, Option<bool>)> = env_values
        .iter()
        .flat_map(|e| profile_values.iter().map(move |p| (*e, *p)))
        .flat_map(|(e, p)| [None, Some(true), Some(false)].map(|g| (e, p, g)))
        .collect();
    let theirs = botocore::run(
        KEEPALIVE,
        &[("SETUPS", &serde_json::to_string(&setups).unwrap())],
    );
    let theirs: Vec<bool> = serde_json::from_value(theirs).expect("one answer per setup");
    assert_eq!(theirs.len(), setups.len());
    let server = ScriptServer::start(|_, _| Action::xml(200, "<r/>"));
    let server_port = server
        .url()
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    let server_port: u16 = server_port.parse().unwrap();
    let mut differences = Vec::new();
    for ((env_value, profile_value, given), theirs) in setups.iter().zip(&theirs) {
        let mut env = vec![("AWS_ENDPOINT_URL", server.url())];
        if let Some(v) = env_value {
            env.push(("BOTOCORE_TCP_KEEPALIVE", v.to_string()));
        }
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let config = format!(
            "[default]\n{}",
            profile_value.map_or(String::new(), |v| format!("tcp_keepalive = {v}\n"))
        );
        let session = blocking_session(core_session(&env, Some(&config), None));
        let mut builder = session
            .client("s3")
            .region("us-east-1")
            .credentials("AKID", "SECRET", None);
        if let Some(on) = given {
            builder = builder.tcp_keepalive(*on);
        }
        let client = builder.build().unwrap();
        client.call("ListBuckets", params! {}).unwrap();
        let timer_kinds = || -> Vec<String> {
            std::fs::read_to_string("/proc/net/tcp")
                .unwrap()
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    let to_server = *fields.get(2)? == format!("0100007F:{server_port:04X}");
                    let established = *fields.get(3)? == "01";
                    (to_server && established).then(|| fields.get(5)?.get(..2).map(String::from))?
                })
                .collect()
        };
        // A retransmission timer (kind 1) hides the keep-alive one for a moment: look again.
        let mut kinds = timer_kinds();
        for _ in 0..50 {
            if !kinds.iter().any(|k| k == "01") {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
            kinds = timer_kinds();
        }
        let timer_kinds = kinds;
        drop(client);
        let ours = match timer_kinds.as_slice() {
            [kind] => kind == "02",
            other => panic!("one connection to the server expected, found {other:?}"),
        };
        if ours != *theirs {
            differences.push(format!(
                "env {env_value:?}, profile {profile_value:?}, given {given:?}: sansboto {ours}, botocore {theirs}"
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // Both answers occur, from each source.
    assert!(theirs.iter().filter(|on| **on).count() >= 20, "{theirs:?}");
    assert!(theirs.iter().filter(|on| !**on).count() >= 20, "{theirs:?}");
}
