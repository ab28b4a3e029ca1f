//! Bearer tokens from the environment (`AWS_BEARER_TOKEN_<SIGNING NAME>`), as botocore 1.44.5
//! takes them: Bedrock's API keys (`AWS_BEARER_TOKEN_BEDROCK`) sign Bedrock's calls with
//! `Authorization: Bearer <key>` in place of SigV4, and a bearer-only service (CodeCatalyst)
//! takes its token from there. Compared with botocore on the same environments: the URL and the
//! authorization's scheme (the whole value for a bearer token), or a refusal, for Bedrock's two
//! bearer-capable APIs, a Bedrock API that is not one, CodeCatalyst and S3, signed and unsigned,
//! and whether a presigned URL is SigV4's; then a blocking client with no credentials calls a
//! local server with the key without looking for any.

mod e2e_support;

use std::time::{Duration, UNIX_EPOCH};

use e2e_support::{blocking_session, core_session, Action, ScriptServer};
use sansboto_core::auth::Credentials;
use sansboto_core::client::CallIdentity;
use sansboto_core::machine::{SplitMix64, Step};
use sansboto_core::session::ClientOptions;
use sansboto_core::{params, Value};
use sansboto_tests::botocore;
use serde_json::{json, Value as J};

const CALLS: &[(&str, &str, &str)] = &[
    (
        "bedrock-runtime",
        "Converse",
        r#"{"modelId": "m", "messages": []}"#,
    ),
    ("bedrock", "ListFoundationModels", "{}"),
    (
        "bedrock-agent-runtime",
        "GetAgentMemory",
        r#"{"agentId": "a", "agentAliasId": "b", "memoryType": "SESSION_SUMMARY", "memoryId": "cc"}"#,
    ),
    ("s3", "ListBuckets", "{}"),
    ("codecatalyst", "ListSpaces", "{}"),
];

/// Environments: a key, no key, a key beside an auth scheme preference, other services' keys,
/// an empty key.
const ENVS: &[&[(&str, &str)]] = &[
    &[("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-1")],
    &[],
    &[
        ("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-1"),
        ("AWS_AUTH_SCHEME_PREFERENCE", "sigv4"),
    ],
    &[
        ("AWS_BEARER_TOKEN_S3", "s3-key"),
        ("AWS_BEARER_TOKEN_CODECATALYST", "cc-key"),
    ],
    &[("AWS_BEARER_TOKEN_BEDROCK", "")],
];

const BOTOCORE: &str = r#"
import os
import botocore.session, botocore.awsrequest, botocore.config
def row(service, operation, params, unsigned):
    config = botocore.config.Config(signature_version=botocore.UNSIGNED) if unsigned else None
    client = botocore.session.get_session().create_client(
        service, region_name='us-east-1', aws_access_key_id='AKID',
        aws_secret_access_key='SECRET', config=config)
    seen = {}
    def capture(request, **kwargs):
        seen['request'] = request
        return botocore.awsrequest.AWSResponse(request.url, 200, {}, None)
    client.meta.events.register_first('before-send', capture)
    try:
        url = client.generate_presigned_url(botocore.xform_name(operation), Params=json.loads(params))
        presigned = 'sigv4' if 'X-Amz-Algorithm=AWS4-HMAC-SHA256' in url else 'plain'
    except Exception as e:
        presigned = 'refused'
    try:
        getattr(client, botocore.xform_name(operation))(**json.loads(params))
    except Exception as e:
        if 'request' not in seen:
            return {'error': 'refused', 'presigned': presigned}
    request = seen['request']
    auth = request.headers.get('Authorization', b'')
    auth = auth.decode() if isinstance(auth, bytes) else auth
    return {'url': request.url.split('?')[0],
            'auth': auth if auth.startswith('Bearer') else auth.split(' ')[0],
            'presigned': presigned}
out = []
for env in ENVS:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        out.append([row(*call, unsigned) for unsigned in (False, True) for call in CALLS])
    finally:
        os.environ.clear()
        os.environ.update(saved)
emit(out)
"#;

fn sansboto_row(
    env: &[(&str, &str)],
    (service, operation, params): (&str, &str, &str),
    unsigned: bool,
) -> J {
    let session = core_session(env, None, None);
    let options = ClientOptions {
        region: Some("us-east-1".into()),
        unsigned,
        ..Default::default()
    };
    let client = session.service_client(service, &options).unwrap();
    let params = Value::from(serde_json::from_str::<J>(params).unwrap());
    let credentials = Credentials::new("AKID", "SECRET", None, None);
    let now = UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    let presigned = match client.presign_with(
        operation,
        params.clone(),
        Some(&credentials),
        now,
        Duration::from_secs(60),
        &Default::default(),
        &mut SplitMix64(1),
    ) {
        Ok(url) if url.contains("X-Amz-Algorithm=AWS4-HMAC-SHA256") => "sigv4",
        Ok(_) => "plain",
        Err(_) => "refused",
    };
    let identity = CallIdentity::Credentials(credentials);
    let mut call = client
        .call(operation, params, identity, Box::new(SplitMix64(1)))
        .unwrap();
    let request = match call.poll(now) {
        Step::Send(request) => request,
        Step::Failed(_) => return json!({"error": "refused", "presigned": presigned}),
        _ => panic!("{service} {operation}: no request"),
    };
    let auth = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let url = request.uri().to_string();
    json!({
        "url": url.split('?').next().unwrap_or_default(),
        "auth": if auth.starts_with("Bearer") { auth } else { auth.split(' ').next().unwrap_or_default() },
        "presigned": presigned,
    })
}

#[test]
fn a_bedrock_api_key_signs_as_in_botocore() {
    let snippet = format!(
        "ENVS = json.loads({})\nCALLS = json.loads({})\n{BOTOCORE}",
        serde_json::to_string(
            &serde_json::to_string(
                &ENVS
                    .iter()
                    .map(|env| env
                        .iter()
                        .copied()
                        .collect::<std::collections::BTreeMap<_, _>>())
                    .collect::<Vec<_>>()
            )
            .unwrap()
        )
        .unwrap(),
        serde_json::to_string(&serde_json::to_string(CALLS).unwrap()).unwrap(),
    );
    let theirs = botocore::run(&snippet, &[]);
    let (mut bearer, mut presigned, mut codecatalyst) = (0, 0, 0);
    for (env, theirs) in ENVS.iter().zip(theirs.as_array().unwrap()) {
        let rows = theirs.as_array().unwrap();
        let calls = [false, true]
            .into_iter()
            .flat_map(|unsigned| CALLS.iter().map(move |call| (*call, unsigned)));
        for ((call, unsigned), theirs) in calls.zip(rows) {
            let mut ours = sansboto_row(env, call, unsigned);
            let mut theirs = theirs.clone();
            if call.0 == "s3" {
                // S3's presigned URLs are SigV4's on purpose (botocore's default is SigV2's).
                ours.as_object_mut().unwrap().remove("presigned");
                theirs.as_object_mut().unwrap().remove("presigned");
            }
            assert_eq!(ours, theirs, "{call:?} unsigned: {unsigned} with {env:?}");
            bearer += usize::from(theirs["auth"] == "Bearer bedrock-api-key-1");
            codecatalyst += usize::from(theirs["auth"] == "Bearer cc-key");
            presigned += usize::from(
                theirs["presigned"] == "sigv4"
                    && env
                        .iter()
                        .any(|(k, v)| *k == "AWS_BEARER_TOKEN_BEDROCK" && !v.is_empty())
                    && call.0.starts_with("bedrock"),
            );
        }
    }
    // The key signs Bedrock's bearer-capable calls in both environments that have it, and
    // their presigned URLs stay SigV4's.
    assert_eq!(bearer, 4);
    assert!(presigned >= 4, "{presigned}");
    // CodeCatalyst's token comes from its variable (its signed client only).
    assert_eq!(codecatalyst, 1);
}

/// A blocking client with a Bedrock API key and no credentials: the call goes out with the key
/// without looking for credentials (the profile's `credential_process` fails, were it run).
#[test]
fn a_client_with_a_key_needs_no_credentials() {
    let server = ScriptServer::start(|_, _| {
        Action::json(
            200,
            r#"{"output": {"message": {"role": "assistant", "content": []}}, "stopReason": "end_turn", "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}, "metrics": {"latencyMs": 1}}"#,
        )
    });
    let url = server.url();
    let env = [
        ("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-1"),
        ("AWS_ENDPOINT_URL", url.as_str()),
    ];
    let config = "[default]\ncredential_process = /nonexistent/sansboto-credential-process\n";
    let session = blocking_session(core_session(&env, Some(config), None));
    // Credentials would be looked for, and fail, for a service that signs with them.
    let s3 = session.client("s3").region("us-east-1").build().unwrap();
    assert!(matches!(
        s3.call("ListBuckets", params! {}),
        Err(sansboto_core::Error::Credentials(_))
    ));
    let client = session
        .client("bedrock-runtime")
        .region("us-east-1")
        .build()
        .unwrap();
    client
        .call(
            "Converse",
            params! {"modelId": "m", "messages": Vec::<Value>::new()},
        )
        .unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].header("authorization"),
        Some("Bearer bedrock-api-key-1")
    );
}
