//! Configuration read as botocore 1.44.5 reads it: scenarios of environment variables and a
//! shared config file (setting spellings such as `TRUE`, ` true`, `yes`; profile selection;
//! nested `s3` settings; values botocore refuses), each given to botocore and to a sansboto
//! session. Compared for S3 `ListObjectsV2`, STS `GetCallerIdentity`, DynamoDB `ListTables`
//! and IAM `ListUsers`: the URL the request goes to (region, FIPS, dual-stack, addressing style,
//! acceleration, STS and S3 us-east-1 endpoints), the region and service it is signed for, the
//! retry mode and attempt limit the client took, and whether making the client or the request is
//! refused (for want of a region, or otherwise).
//!
//! Left out: `AWS_REGION`, which sansboto reads before `AWS_DEFAULT_REGION` and botocore does
//! not read at all (a deliberate difference).

mod e2e_support;

use std::time::UNIX_EPOCH;

use e2e_support::{core_session, try_core_session};
use sansboto_core::auth::{Credentials, Identity};
use sansboto_core::machine::SplitMix64;
use sansboto_core::session::ClientOptions;
use sansboto_core::{RetryMode, Value};
use sansboto_tests::botocore;
use serde_json::{json, Value as J};

/// `(environment, config file)` scenarios.
fn scenarios() -> Vec<(Vec<(&'static str, String)>, String)> {
    let mut out = Vec::new();
    let spellings = [
        "true", "TRUE", "True", " true", "true ", "false", "yes", "1", "",
    ];
    for value in spellings {
        for var in ["AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT"] {
            out.push((vec![(var, value.to_string())], String::new()));
        }
        for key in ["use_fips_endpoint", "use_dualstack_endpoint"] {
            out.push((vec![], format!("[default]\n{key} = {value}\n")));
        }
        for key in ["use_accelerate_endpoint", "use_dualstack_endpoint"] {
            out.push((vec![], format!("[default]\ns3 =\n    {key} = {value}\n")));
        }
    }
    for style in ["path", "virtual", "auto", "PATH", "bogus", ""] {
        out.push((
            vec![],
            format!("[default]\ns3 =\n    addressing_style = {style}\n"),
        ));
    }
    for value in ["legacy", "regional", "LEGACY", "bogus", ""] {
        out.push((
            vec![("AWS_STS_REGIONAL_ENDPOINTS", value.into())],
            String::new(),
        ));
        out.push((
            vec![("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", value.into())],
            String::new(),
        ));
        out.push((
            vec![],
            format!("[default]\nsts_regional_endpoints = {value}\n"),
        ));
    }
    for mode in [
        "standard",
        "in-region",
        "cross-region",
        "mobile",
        "legacy",
        "Standard",
        "bogus",
    ] {
        out.push((vec![("AWS_DEFAULTS_MODE", mode.into())], String::new()));
    }
    for mode in ["standard", "adaptive", "legacy", "STANDARD", "bogus", ""] {
        out.push((vec![("AWS_RETRY_MODE", mode.into())], String::new()));
        out.push((vec![], format!("[default]\nretry_mode = {mode}\n")));
    }
    for attempts in [
        "1", "3", "7", "0", "-1", "abc", " 5", "5.0", "", "1_0", "+2", "1__0",
    ] {
        out.push((vec![("AWS_MAX_ATTEMPTS", attempts.into())], String::new()));
        out.push((vec![], format!("[default]\nmax_attempts = {attempts}\n")));
    }
    let profiles = "[default]\nregion = eu-west-1\n[profile p]\nregion = ap-south-1\nuse_fips_endpoint = true\n[profile q]\nregion = sa-east-1\n";
    for env in [
        vec![],
        vec![("AWS_PROFILE", "p".to_string())],
        vec![("AWS_DEFAULT_PROFILE", "q".to_string())],
        vec![
            ("AWS_PROFILE", "p".to_string()),
            ("AWS_DEFAULT_PROFILE", "q".to_string()),
        ],
        vec![("AWS_PROFILE", "missing".to_string())],
        vec![("AWS_DEFAULT_REGION", "ca-central-1".to_string())],
        vec![
            ("AWS_DEFAULT_REGION", "ca-central-1".to_string()),
            ("AWS_PROFILE", "p".to_string()),
        ],
    ] {
        out.push((env, profiles.to_string()));
    }
    // Region names botocore accepts and refuses (`InvalidRegionError`: not a host label),
    // from the environment and from the profile.
    for region in [
        "eu-central-2",
        "cn-northwest-1",
        "us-gov-east-1",
        "us-iso-east-1",
        "eu-isoe-west-1",
        "aws-global",
        "fips-us-east-1",
        "us-east-1-fips",
        "x",
        "EU-WEST-1",
        "1a",
        "123",
        "us_east_1",
        "-us-east-1",
        "us-east-1-",
        "eu.west-1",
        "us-east-1 x",
        &"a".repeat(63),
        &"a".repeat(64),
    ] {
        out.push((
            vec![("AWS_DEFAULT_REGION", region.to_string())],
            String::new(),
        ));
        out.push((vec![], format!("[default]\nregion = {region}\n")));
    }
    // Endpoint URLs as people write them, well and badly: botocore takes some as they are
    // (a path, a trailing slash, a port, IPv6) and refuses others as the client is made.
    // Left out: `//h.example.com`, which botocore sends, signed, over plain HTTP (urllib3's
    // default scheme), and sansboto refuses at the call (a deliberate difference, README).
    for url in [
        "http://localhost:4566",
        "http://localhost:4566/",
        "https://proxy.example.com/aws/",
        "https://proxy.example.com/aws",
        "HTTP://LOCALHOST:4566",
        "http://127.0.0.1:9000",
        "http://[::1]:4566",
        "http://[::1]",
        "https://h.example.com:443",
        "https://h.example.com?x=1",
        "https://h.example.com/#frag",
        "http://user:pw@h.example.com",
        "localhost:4566",
        "h.example.com",
        "ftp://h.example.com",
        "https://",
        "https://h_example.com",
        "https://h.example.com:99999",
        "https://h.example.com:abc",
        "http://[::1",
        "https://h example.com",
        " https://h.example.com",
        "http://[v1.x]",
        "1http://h.example.com",
        "\u{7f}http://h.example.com",
        "http://[fe80::1%]",
        "http://[fe80::1%25e th]",
        "\t https://h.example.com",
        "https://h.example.com ",
        "https://h.exa\tmple.com",
        "https://h.example.com.",
        "https://[fe80::1%25eth0]:4566",
        "https://[::g]",
        &format!("https://{}.com", "a".repeat(64)),
        &format!("https://{}.com", ["a"; 130].join(".")),
        "",
    ] {
        out.push((vec![("AWS_ENDPOINT_URL", url.to_string())], String::new()));
        out.push((
            vec![("AWS_ENDPOINT_URL_DYNAMODB", url.to_string())],
            String::new(),
        ));
        out.push((vec![], format!("[default]\nendpoint_url = {url}\n")));
    }
    // No region and an endpoint URL botocore refuses: the missing region is found first.
    out.push((
        vec![
            ("AWS_DEFAULT_REGION", String::new()),
            ("AWS_ENDPOINT_URL", "https://h_example.com".into()),
        ],
        String::new(),
    ));
    // No region anywhere (an empty `AWS_DEFAULT_REGION` here means none): global services
    // still have an endpoint.
    out.push((vec![("AWS_DEFAULT_REGION", String::new())], String::new()));
    out.push((
        vec![("AWS_DEFAULT_REGION", String::new())],
        "[default]\nsts_regional_endpoints = legacy\n".into(),
    ));
    // No region, and S3 accelerated over dual-stack with regional us-east-1 endpoints: botocore's
    // S3 client takes us-east-1, not `aws-global` (whose accelerate host would name a region).
    for dualstack in ["true", "false"] {
        out.push((
            vec![("AWS_DEFAULT_REGION", String::new())],
            format!("[default]\ns3 =\n    us_east_1_regional_endpoint = regional\n    use_accelerate_endpoint = true\n    use_dualstack_endpoint = {dualstack}\n"),
        ));
    }
    // No region but an endpoint URL: only S3 signs (for us-east-1); botocore refuses the others
    // (`NoRegionError`), global services included.
    out.push((
        vec![
            ("AWS_DEFAULT_REGION", String::new()),
            ("AWS_ENDPOINT_URL", "http://localhost:4566".into()),
        ],
        String::new(),
    ));
    out
}

const CALLS: &[(&str, &str, &str)] = &[
    ("s3", "ListObjectsV2", r#"{"Bucket": "my-bucket"}"#),
    ("sts", "GetCallerIdentity", "{}"),
    ("dynamodb", "ListTables", "{}"),
    ("iam", "ListUsers", "{}"),
];

/// The fixed scenarios' rows (after `BOTOCORE_ROWS`, with `SCENARIOS` and `CALLS` from the
/// test): a region unless the scenario names one, or asks for none with an empty one.
const BOTOCORE: &str = r#"
results = []
for env, config in SCENARIOS:
    env = dict(env)
    if env.get('AWS_DEFAULT_REGION') is None and not any(
            line.strip().startswith('region') for line in config.splitlines()):
        env['AWS_DEFAULT_REGION'] = 'us-east-1'
    if env.get('AWS_DEFAULT_REGION') == '':
        del env['AWS_DEFAULT_REGION']
    results.append(rows_under(env, config, CALLS))
emit(results)
"#;

/// What each botocore snippet here starts with: `row(service, operation, params, unsigned)`,
/// the first request botocore sends for the call (URL without its query, the signing scope's
/// region and service, empty when unsigned, retry mode and attempt limit) or the error it raised
/// (`Class: message`); and `rows_under(env, config, calls, unsigned)`, each call's row with
/// `env` set and `config` as the config file (`None`: no file), the environment restored after.
const BOTOCORE_ROWS: &str = r#"
import os, tempfile
import botocore.session, botocore.awsrequest, botocore.config
def row(service, operation, params, unsigned):
    try:
        s = botocore.session.get_session()
        config = botocore.config.Config(signature_version=botocore.UNSIGNED) if unsigned else None
        client = s.create_client(service, aws_access_key_id='AKID', aws_secret_access_key='SECRET', config=config)
    except Exception as e:
        return {'error': type(e).__name__ + ': ' + str(e), 'stage': 'client'}
    try:
        seen = {}
        def capture(request, **kwargs):
            seen['url'] = request.url
            auth = request.headers.get('Authorization', b'')
            auth = auth.decode() if isinstance(auth, bytes) else auth
            seen['scope'] = '/'.join(auth.split('Credential=')[1].split(',')[0].split('/')[2:4]) if auth else ''
            return botocore.awsrequest.AWSResponse(request.url, 200, {}, None)
        client.meta.events.register_first('before-send', capture)
        try:
            getattr(client, botocore.xform_name(operation))(**json.loads(params))
        except Exception as e:
            if 'url' not in seen:
                raise
        retries = client.meta.config.retries or {}
        # Without its query, and without a fragment, which never goes on the wire (urllib3
        # leaves it out of the request target; botocore keeps an endpoint URL's in `url`).
        return {'url': seen['url'].split('?')[0].split('#')[0], 'scope': seen['scope'],
                'mode': retries.get('mode', 'legacy'), 'max_attempts': retries.get('total_max_attempts')}
    except Exception as e:
        return {'error': type(e).__name__ + ': ' + str(e), 'stage': 'call'}
def rows_under(env, config, calls, unsigned=False):
    path = tempfile.mktemp()
    if config is not None:
        with open(path, 'w') as f:
            f.write(config)
    saved = dict(os.environ)
    os.environ.update(env)
    os.environ['AWS_CONFIG_FILE'] = path
    try:
        return [row(call[0], call[1], call[2], unsigned) for call in calls]
    finally:
        os.environ.clear()
        os.environ.update(saved)
        if config is not None:
            os.unlink(path)
"#;

/// The calls of the generated configurations: (service, operation, parameters, its
/// `AWS_ENDPOINT_URL_*` suffix, its key in a `services` section).
const GENERATED_CALLS: &str = r#"
CALLS = [
    ('s3', 'ListObjectsV2', '{"Bucket": "my-bucket"}', 'S3', 's3'),
    ('sts', 'GetCallerIdentity', '{}', 'STS', 'sts'),
    ('dynamodb', 'ListTables', '{}', 'DYNAMODB', 'dynamodb'),
    ('iam', 'ListUsers', '{}', 'IAM', 'iam'),
    ('sqs', 'ListQueues', '{}', 'SQS', 'sqs'),
    ('ec2', 'DescribeRegions', '{}', 'EC2', 'ec2'),
    ('s3control', 'ListJobs', '{"AccountId": "123456789012"}', 'S3_CONTROL', 's3_control'),
    ('cloudfront', 'ListDistributions', '{}', 'CLOUDFRONT', 'cloudfront'),
    # An operation of a regional service that is never signed.
    ('cognito-idp', 'InitiateAuth', '{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "c"}', 'COGNITO_IDENTITY_PROVIDER', 'cognito_identity_provider'),
]
"#;

/// What a call with this session's configuration comes to in sansboto, as the Python side
/// reports botocore's: the URL without its query, the signing scope's region and service, the
/// retry mode and attempt limit; or the refusal of the client or the request (`error_row`).
fn sansboto_row(
    session: &sansboto_core::session::Session,
    service: &str,
    operation: &str,
    params: &str,
    identity: Identity<'_>,
    unsigned: bool,
) -> J {
    let params = Value::from(serde_json::from_str::<J>(params).unwrap());
    let options = ClientOptions {
        unsigned,
        ..Default::default()
    };
    let client = match session.service_client(service, &options) {
        Ok(client) => client,
        Err(e) => return error_row(&e, "client"),
    };
    let row = (|| {
        let prepared = client.prepare(operation, params, &mut SplitMix64(1))?;
        let signed = client.sign(&prepared, identity, UNIX_EPOCH, None)?;
        let authorization = signed
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let scope = botocore::signing_scope(authorization);
        let config = client.config();
        let mode = match config.retry_mode {
            RetryMode::Legacy => "legacy",
            RetryMode::Standard => "standard",
            RetryMode::Adaptive => "adaptive",
        };
        let url = prepared.uri().to_string();
        Ok(json!({
            "url": url.split('?').next().unwrap_or_default(),
            "scope": scope,
            "mode": mode,
            "max_attempts": config.max_attempts,
        }))
    })();
    row.unwrap_or_else(|e| error_row(&e, "call"))
}

/// A refusal as compared: no region (botocore's `NoRegionError`, sansboto's `Error::NoRegion`)
/// and a region that is no host label (`InvalidRegionError`, `Error::InvalidRegion`) apart
/// from any other.
/// `stage` is where it came: making the client (`client`) or the call (`call`).
fn error_row(error: &sansboto_core::Error, stage: &str) -> J {
    use sansboto_core::Error;
    json!({ "error": match error {
        Error::NoRegion => "no region",
        Error::InvalidRegion { .. } => "invalid region",
        _ => "refused",
    }, "stage": stage })
}

/// botocore's refusal (`{error: "ExceptionClass: message", stage}`) as compared.
fn their_error_row(row: &J) -> J {
    let error = row["error"].as_str().unwrap_or_default();
    let class = error.split(':').next().unwrap_or_default();
    json!({ "error": match class {
        "NoRegionError" => "no region",
        "InvalidRegionError" => "invalid region",
        _ => "refused",
    }, "stage": row["stage"] })
}

#[test]
fn configuration_is_read_as_botocore_reads_it() {
    let scenarios = scenarios();
    let python_scenarios = serde_json::to_string(
        &scenarios
            .iter()
            .map(|(env, config)| {
                (
                    env.iter()
                        .cloned()
                        .collect::<std::collections::BTreeMap<_, _>>(),
                    config,
                )
            })
            .collect::<Vec<_>>(),
    )
    .unwrap();
    // The JSON text as a JSON string, which Python reads as a string literal (a Rust `{:?}`
    // would write a control character as `\u{7f}`, which Python cannot read).
    let snippet = format!(
        "{BOTOCORE_ROWS}\nSCENARIOS = json.loads({})\nCALLS = {calls}\n{BOTOCORE}",
        serde_json::to_string(&python_scenarios).unwrap(),
        calls = serde_json::to_string(CALLS).unwrap()
    );
    let theirs = botocore::run(&snippet, &[]);
    let theirs = theirs.as_array().expect("a row per scenario");
    let credentials = Credentials::new("AKID", "SECRET", None, None);
    let identity = Identity::Credentials(&credentials);
    let mut differences = Vec::new();
    for ((env, config), theirs) in scenarios.iter().zip(theirs) {
        let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        // A region unless the scenario names one (or asks for none with an empty one).
        let names_region = config.lines().any(|l| l.trim_start().starts_with("region"));
        match env.iter().position(|(k, _)| *k == "AWS_DEFAULT_REGION") {
            Some(at) if env[at].1.is_empty() => {
                env.remove(at);
            }
            None if !names_region => env.push(("AWS_DEFAULT_REGION", "us-east-1")),
            _ => {}
        }
        let session = core_session(&env, Some(config), None);
        for ((service, operation, params), theirs) in CALLS.iter().zip(theirs.as_array().unwrap()) {
            let ours = sansboto_row(&session, service, operation, params, identity, false);
            let mut theirs = theirs.clone();
            if theirs.get("error").is_some() {
                theirs = their_error_row(&theirs);
            }
            if ours != theirs {
                differences.push(format!(
                    "{service} with {env:?} and {config:?}\n  sansboto: {ours}\n  botocore: {theirs}"
                ));
            }
        }
    }
    let shown: Vec<&str> = differences.iter().take(40).map(String::as_str).collect();
    assert!(
        differences.is_empty(),
        "{} of {} configured calls differ from botocore's:\n{}",
        differences.len(),
        scenarios.len() * CALLS.len(),
        shown.join("\n")
    );
}

/// Seeded scenarios of environment variables and a config file, each setting present or not,
/// in the profile chosen or another: region (China, GovCloud, ISO, `aws-global` included),
/// FIPS, dual-stack, STS and S3 us-east-1 endpoints, retry mode and attempts, defaults mode,
/// S3's nested settings, endpoint URLs (global, per service in the environment, in a
/// `services` section, ignored by either switch), account-ID endpoint mode, auth scheme
/// preference and `AWS_PROFILE`. Resolved by botocore with
/// a call to nine services each (one never signed), some clients unsigned; emits
/// `[{env, config, unsigned, rows, calls}]`.
const GENERATED: &str = r#"
import random
rng = random.Random(20261205)
BOOLS = ['true', 'false', 'TRUE', 'True', ' true', 'yes', '']
URLS = ['http://localhost:4566', 'https://example.com/base', 'http://127.0.0.1:9000/', 'https://Custom.Example.com']
REGIONS = ['us-east-1', 'us-west-2', 'eu-central-1', 'cn-north-1', 'us-gov-west-1', 'ap-southeast-3', 'aws-global', 'us-iso-east-1']
def maybe(p):
    return rng.random() < p
def settings():
    out = {}
    if maybe(0.5): out['region'] = rng.choice(REGIONS)
    if maybe(0.15): out['use_fips_endpoint'] = rng.choice(BOOLS)
    if maybe(0.15): out['use_dualstack_endpoint'] = rng.choice(BOOLS)
    if maybe(0.1): out['sts_regional_endpoints'] = rng.choice(['legacy', 'regional', ''])
    if maybe(0.1): out['retry_mode'] = rng.choice(['standard', 'adaptive', 'legacy'])
    if maybe(0.1): out['max_attempts'] = rng.choice(['1', '4', '10'])
    if maybe(0.1): out['defaults_mode'] = rng.choice(['standard', 'in-region', 'cross-region', 'mobile', 'legacy'])
    if maybe(0.1): out['endpoint_url'] = rng.choice(URLS)
    if maybe(0.1): out['ignore_configured_endpoint_urls'] = rng.choice(BOOLS)
    if maybe(0.15):
        nested = {}
        for key, values in [('addressing_style', ['path', 'virtual', 'auto']),
                            ('use_accelerate_endpoint', BOOLS), ('use_dualstack_endpoint', BOOLS),
                            ('us_east_1_regional_endpoint', ['legacy', 'regional'])]:
            if maybe(0.4):
                nested[key] = rng.choice(values)
        # (An `s3 =` with nothing under it fails in botocore with a Python error, reading
        # the text where it expects a mapping; sansboto reads it as no S3 settings.)
        if nested:
            out['s3'] = nested
    if maybe(0.1): out['account_id_endpoint_mode'] = rng.choice(['preferred', 'disabled', 'required', 'Required', 'bogus'])
    if maybe(0.1): out['auth_scheme_preference'] = rng.choice(['sigv4a,sigv4', 'sigv4', 'httpBearerAuth', ' sigv4a ', 'bogus', ''])
    if maybe(0.2): out['services'] = 'svc'
    return out
def env_settings():
    env = {}
    if maybe(0.4): env['AWS_DEFAULT_REGION'] = rng.choice(REGIONS)
    for var, values in [('AWS_USE_FIPS_ENDPOINT', BOOLS), ('AWS_USE_DUALSTACK_ENDPOINT', BOOLS),
                        ('AWS_STS_REGIONAL_ENDPOINTS', ['legacy', 'regional']),
                        ('AWS_S3_US_EAST_1_REGIONAL_ENDPOINT', ['legacy', 'regional']),
                        ('AWS_RETRY_MODE', ['standard', 'adaptive', 'legacy']),
                        ('AWS_MAX_ATTEMPTS', ['1', '2', '6']),
                        ('AWS_DEFAULTS_MODE', ['standard', 'in-region', 'legacy']),
                        ('AWS_ENDPOINT_URL', URLS),
                        ('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', BOOLS),
                        ('AWS_ACCOUNT_ID_ENDPOINT_MODE', ['preferred', 'disabled', 'required']),
                        ('AWS_AUTH_SCHEME_PREFERENCE', ['sigv4a,sigv4', 'sigv4'])]:
        if maybe(0.08):
            env[var] = rng.choice(values)
    for call in CALLS:
        if maybe(0.05):
            env['AWS_ENDPOINT_URL_' + call[3]] = rng.choice(URLS)
    if maybe(0.3):
        env['AWS_PROFILE'] = rng.choice(['default', 'p', 'missing'])
    return env
def section(header, values):
    lines = ['[%s]' % header]
    for key, value in values.items():
        if isinstance(value, dict):
            lines.append('%s =' % key)
            lines.extend('    %s = %s' % kv for kv in value.items())
        else:
            lines.append('%s = %s' % (key, value))
    return '\n'.join(lines)
def config_file():
    parts = [section('default', settings())]
    if maybe(0.5):
        parts.append(section('profile p', settings()))
    services = {}
    for call in CALLS:
        if maybe(0.25):
            services[call[4]] = {'endpoint_url': rng.choice(URLS)}
    parts.append(section('services svc', services))
    return '\n'.join(parts) + '\n'
out = []
for _ in range(COUNT):
    env, config = env_settings(), config_file()
    unsigned = maybe(0.15)
    rows = rows_under(env, config, CALLS, unsigned)
    out.append({'env': env, 'config': config, 'unsigned': unsigned, 'rows': rows, 'calls': [c[:3] for c in CALLS]})
emit(out)
"#;

#[test]
fn generated_configurations_are_read_as_botocore_reads_them() {
    let snippet = format!("{BOTOCORE_ROWS}{GENERATED_CALLS}COUNT = 200\n{GENERATED}");
    let scenarios = botocore::run(&snippet, &[]);
    let scenarios = scenarios.as_array().expect("a list of scenarios");
    assert_eq!(scenarios.len(), 200);
    let credentials = Credentials::new("AKID", "SECRET", None, None);
    let identity = Identity::Credentials(&credentials);
    let (mut differences, mut calls, mut sent) = (Vec::new(), 0, 0);
    for scenario in scenarios {
        let env: Vec<(&str, &str)> = scenario["env"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect();
        let config = scenario["config"].as_str().unwrap();
        let session = try_core_session(&env, Some(config), None);
        let rows = scenario["rows"].as_array().unwrap();
        let scenario_calls = scenario["calls"].as_array().unwrap();
        for (call, theirs) in scenario_calls.iter().zip(rows) {
            let text = |i: usize| call[i].as_str().unwrap();
            let unsigned = scenario["unsigned"] == true;
            let ours = match &session {
                Ok(session) => sansboto_row(session, text(0), text(1), text(2), identity, unsigned),
                Err(e) => error_row(e, "client"),
            };
            calls += 1;
            let theirs_compared = match theirs.get("error") {
                Some(_) => their_error_row(theirs),
                None => {
                    sent += 1;
                    theirs.clone()
                }
            };
            if ours != theirs_compared {
                differences.push(format!(
                    "{} with {env:?} and\n{config}  sansboto: {ours}\n  botocore: {theirs}",
                    text(0)
                ));
            }
        }
    }
    let shown: Vec<&str> = differences.iter().take(20).map(String::as_str).collect();
    assert!(
        differences.is_empty(),
        "{} of {calls} configured calls differ from botocore's:\n{}",
        differences.len(),
        shown.join("\n")
    );
    // Most calls must have been sent by botocore, or the comparison says little.
    assert!(sent * 2 > calls, "only {sent} of {calls} calls sent");
}

/// An endpoint URL and no region, as botocore 1.44.5 takes them: S3 signs for us-east-1; a
/// global service's client is made, its signed calls are refused for want of a region and its
/// unsigned ones go out; a regional service gets no client, unsigned or not.
#[test]
fn an_endpoint_url_without_a_region() {
    let snippet = format!(
        "{BOTOCORE_ROWS}{GENERATED_CALLS}\
         emit({{'calls': [c[:3] for c in CALLS], 'rows': [rows_under({{'AWS_ENDPOINT_URL': \
         'http://localhost:4566'}}, None, CALLS, unsigned) for unsigned in (False, True)]}})\n"
    );
    let theirs = botocore::run(&snippet, &[]);
    let env = [("AWS_ENDPOINT_URL", "http://localhost:4566")];
    let session = core_session(&env, None, None);
    let credentials = Credentials::new("AKID", "SECRET", None, None);
    let identity = Identity::Credentials(&credentials);
    let calls = theirs["calls"].as_array().unwrap();
    let mut seen = Vec::new();
    for (unsigned, theirs) in [false, true]
        .into_iter()
        .zip(theirs["rows"].as_array().unwrap())
    {
        for (call, theirs) in calls.iter().zip(theirs.as_array().unwrap()) {
            let text = |i: usize| call[i].as_str().unwrap();
            let (service, operation) = (text(0), text(1));
            let ours = sansboto_row(&session, service, operation, text(2), identity, unsigned);
            let theirs = match theirs.get("error") {
                Some(_) => their_error_row(theirs),
                None => theirs.clone(),
            };
            assert_eq!(ours, theirs, "{service} (unsigned: {unsigned})");
            seen.push(ours);
        }
    }
    // Each of the three outcomes occurs.
    assert!(seen.iter().any(|row| row["error"] == "no region"));
    assert!(seen
        .iter()
        .any(|row| row["scope"] == "" && row.get("url").is_some()));
    assert!(seen.iter().any(|row| row["scope"] == "us-east-1/s3"));
}
