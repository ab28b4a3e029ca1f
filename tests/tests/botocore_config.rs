//! Configuration read as botocore 1.44.5 reads it: scenarios of environment variables and a
//! shared config file (setting spellings such as `TRUE`, ` true`, `yes`; profile selection;
//! nested `s3` settings; values botocore refuses), each given to botocore and to a sansboto
//! session. Compared for S3 `ListObjectsV2`, STS `GetCallerIdentity`, DynamoDB `ListTables`
//! and IAM `ListUsers`: the URL the request goes to (region, FIPS, dual-stack, addressing style,
//! acceleration, STS and S3 us-east-1 endpoints), the region and service it is signed for, the
//! retry mode and attempt limit the client took, and whether making the client or the request is refused.
//!
//! Left out: `AWS_REGION`, which sansboto reads before `AWS_DEFAULT_REGION` and botocore does
//! not read at all (a deliberate difference).

mod e2e_support;

use std::time::UNIX_EPOCH;

use e2e_support::core_session;
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
    for attempts in ["1", "3", "7", "0", "-1", "abc", " 5", "5.0", ""] {
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
    // No region anywhere (an empty `AWS_DEFAULT_REGION` here means none): global services
    // still have an endpoint.
    out.push((vec![("AWS_DEFAULT_REGION", String::new())], String::new()));
    out.push((
        vec![("AWS_DEFAULT_REGION", String::new())],
        "[default]\nsts_regional_endpoints = legacy\n".into(),
    ));
    out
}

const CALLS: &[(&str, &str, &str)] = &[
    ("s3", "ListObjectsV2", r#"{"Bucket": "my-bucket"}"#),
    ("sts", "GetCallerIdentity", "{}"),
    ("dynamodb", "ListTables", "{}"),
    ("iam", "ListUsers", "{}"),
];

const BOTOCORE: &str = r#"
import os, tempfile
import botocore.session
results = []
for env, config in SCENARIOS:
    path = tempfile.mktemp()
    with open(path, 'w') as f:
        f.write(config)
    saved = dict(os.environ)
    os.environ.update(env)
    os.environ['AWS_CONFIG_FILE'] = path
    if env.get('AWS_DEFAULT_REGION') is None and not any(
            line.strip().startswith('region') for line in config.splitlines()):
        os.environ['AWS_DEFAULT_REGION'] = 'us-east-1'
    if env.get('AWS_DEFAULT_REGION') == '':
        del os.environ['AWS_DEFAULT_REGION']
    row = []
    for service, operation, params in CALLS:
        try:
            s = botocore.session.get_session()
            client = s.create_client(service, aws_access_key_id='AKID', aws_secret_access_key='SECRET')
            seen = {}
            def capture(request, **kwargs):
                seen['url'] = request.url
                auth = request.headers.get('Authorization', b'')
                auth = auth.decode() if isinstance(auth, bytes) else auth
                seen['scope'] = '/'.join(auth.split('Credential=')[1].split(',')[0].split('/')[2:4])
                return botocore.awsrequest.AWSResponse(request.url, 200, {}, None)
            client.meta.events.register_first('before-send', capture)
            try:
                getattr(client, client.meta.method_to_api_mapping and
                        {v: k for k, v in client.meta.method_to_api_mapping.items()}[operation])(**json.loads(params))
            except Exception:
                pass
            if 'url' not in seen:
                raise RuntimeError('no request')
            retries = client.meta.config.retries or {}
            row.append({'url': seen['url'].split('?')[0], 'scope': seen['scope'],
                        'mode': retries.get('mode', 'legacy'),
                        'max_attempts': retries.get('total_max_attempts')})
        except Exception as e:
            row.append({'error': type(e).__name__})
    results.append(row)
    os.environ.clear()
    os.environ.update(saved)
    os.unlink(path)
emit(results)
"#;

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
    let snippet = format!(
        "import botocore.awsrequest\nSCENARIOS = json.loads({python_scenarios:?})\nCALLS = {calls}\n{BOTOCORE}",
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
            let params = Value::from(serde_json::from_str::<J>(params).unwrap());
            let ours = session
                .service_client(service, &ClientOptions::default())
                .and_then(|client| {
                    let prepared = client.prepare(operation, params, &mut SplitMix64(1))?;
                    let signed = client.sign(&prepared, identity, UNIX_EPOCH, None)?;
                    let authorization = signed
                        .headers()
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    // `Credential=AKID/date/REGION/SERVICE/aws4_request`: the scope's region
                    // and service.
                    let scope = authorization
                        .split("Credential=")
                        .nth(1)
                        .and_then(|c| c.split(',').next())
                        .map(|c| c.split('/').skip(2).take(2).collect::<Vec<_>>().join("/"))
                        .unwrap_or_default();
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
                });
            let ours = match ours {
                Ok(row) => row,
                Err(_) => json!({"error": true}),
            };
            let mut theirs = theirs.clone();
            if theirs.get("error").is_some() {
                theirs = json!({"error": true});
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
