//! S3 Express One Zone session auth end to end: a local server plays a directory bucket's zonal
//! endpoint (reached through `endpoint_url`, which the S3 ruleset keeps `sigv4-s3express` for,
//! path-style), answering `CreateSession` with session credentials and the data calls. The
//! server counts what it was asked; every signature is recomputed by an independent SigV4
//! verifier (Python's `hmac`, run beside botocore) with the secret it should have been made
//! with; and botocore 1.44.5 builds the same requests for comparison.

mod e2e_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use e2e_support::{blocking_session, core_session, tokio_session, Action, ScriptServer, Seen};
use sansboto_blocking::Client;
use sansboto_core::params;
use sansboto_core::Timestamp;
use sansboto_tests::botocore;

const BUCKET: &str = "mybucket--usw2-az1--x-s3";
const OTHER: &str = "other--usw2-az1--x-s3";
const BASE_KEY: &str = "AKIDBASE";
const BASE_SECRET: &str = "base/secret";
const BASE_TOKEN: &str = "BASETOKEN";

/// A zonal endpoint whose sessions last `lifetime` from when they are made: session `n` (from
/// 1) is `SESSION{n}` / `SECRET{n}` / `TOKEN{n}`.
fn express_server(lifetime: Duration) -> ScriptServer {
    let sessions = Arc::new(AtomicUsize::new(0));
    ScriptServer::start(move |seen, _| {
        if is_create_session(seen) {
            let n = sessions.fetch_add(1, Ordering::SeqCst) + 1;
            let expiration = Timestamp::from_system_time(SystemTime::now() + lifetime);
            return Action::xml(
                200,
                &format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateSessionResult \
                     xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Credentials>\
                     <SessionToken>TOKEN{n}</SessionToken><SecretAccessKey>SECRET{n}\
                     </SecretAccessKey><AccessKeyId>SESSION{n}</AccessKeyId><Expiration>{}\
                     </Expiration></Credentials></CreateSessionResult>",
                    expiration.to_iso8601()
                ),
            );
        }
        match seen.method.as_str() {
            "GET" => Action::xml(
                200,
                "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                 <Name>b</Name><KeyCount>0</KeyCount></ListBucketResult>",
            ),
            _ => Action::Respond(200, vec![("ETag".into(), "\"e\"".into())], Vec::new()),
        }
    })
}

/// The two data calls the botocore comparisons make, as botocore spells them.
const TWO_CALLS: &str = "client.list_objects_v2(Bucket='mybucket--usw2-az1--x-s3', Prefix='a b')
client.get_object(Bucket='mybucket--usw2-az1--x-s3', Key='dir/k')['Body'].read()";

fn is_create_session(seen: &Seen) -> bool {
    seen.path.ends_with("?session")
}

fn client_with(server: &ScriptServer, env: &[(&str, &str)], config: Option<&str>) -> Client {
    blocking_session(core_session(env, config, None))
        .client("s3")
        .region("us-west-2")
        .endpoint_url(server.url())
        .credentials(BASE_KEY, BASE_SECRET, Some(BASE_TOKEN))
        .build()
        .expect("s3 client")
}

fn client(server: &ScriptServer) -> Client {
    client_with(server, &[], None)
}

/// The access key of a request's signature.
fn signed_by(seen: &Seen) -> String {
    let auth = seen.header("authorization").expect("signed");
    auth.split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').next())
        .unwrap_or_default()
        .to_string()
}

/// For each `(request, secret)`: whether its SigV4 signature is the one `secret` makes,
/// recomputed from the bytes the server received by a verifier written for this test.
fn signatures_valid(checks: &[(&Seen, &str)]) -> Vec<bool> {
    let requests: Vec<serde_json::Value> = checks
        .iter()
        .map(|(seen, secret)| {
            serde_json::json!({
                "method": seen.method,
                "path": seen.path,
                "headers": seen.headers,
                "secret": secret,
            })
        })
        .collect();
    let requests = serde_json::Value::from(requests).to_string();
    let answer = botocore::run(
        r#"
import os, hmac, hashlib
from urllib.parse import quote, unquote
def enc(s):
    return quote(unquote(s), safe='-_.~')
out = []
for r in json.loads(os.environ['REQUESTS']):
    h = r['headers']
    algorithm, rest = h['authorization'].split(' ', 1)
    fields = dict(p.strip().split('=', 1) for p in rest.split(','))
    scope = fields['Credential'].split('/', 1)[1]
    date, region, service, _ = scope.split('/')
    signed = fields['SignedHeaders'].split(';')
    path, _, query = r['path'].partition('?')
    pairs = sorted((enc(k), enc(v)) for k, _, v in (p.partition('=') for p in query.split('&') if p))
    canonical = '\n'.join([
        r['method'], path, '&'.join(k + '=' + v for k, v in pairs),
        ''.join(n + ':' + ' '.join(h[n].split()) + '\n' for n in signed),
        ';'.join(signed), h['x-amz-content-sha256']])
    to_sign = '\n'.join([algorithm, h['x-amz-date'], scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ('AWS4' + r['secret']).encode()
    for part in (date, region, service, 'aws4_request'):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    out.append(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest() == fields['Signature'])
emit(out)
"#,
        &[("REQUESTS", &requests)],
    );
    serde_json::from_value(answer).expect("a list of booleans")
}

#[test]
fn calls_on_a_bucket_share_one_session_and_are_signed_with_it() {
    let server = express_server(Duration::from_secs(300));
    let s3 = client(&server);
    s3.call("ListObjectsV2", params! {"Bucket": BUCKET})
        .expect("first call");
    s3.call(
        "PutObject",
        params! {"Bucket": BUCKET, "Key": "k", "Body": &b"hello"[..]},
    )
    .expect("second call");
    s3.call("ListObjectsV2", params! {"Bucket": OTHER})
        .expect("another bucket");
    s3.call("ListObjectsV2", params! {"Bucket": BUCKET})
        .expect("first bucket again");

    let seen = server.seen();
    let summary: Vec<(bool, String)> = seen
        .iter()
        .map(|s| (is_create_session(s), signed_by(s)))
        .collect();
    assert_eq!(
        summary,
        [
            (true, BASE_KEY.to_string()),
            (false, "SESSION1".to_string()),
            (false, "SESSION1".to_string()),
            (true, BASE_KEY.to_string()),
            (false, "SESSION2".to_string()),
            (false, "SESSION1".to_string()),
        ],
        "one CreateSession per bucket, made with the client's credentials"
    );
    assert_eq!(seen[0].path, format!("/{BUCKET}?session"));
    assert_eq!(seen[3].path, format!("/{OTHER}?session"));
    for s in &seen {
        let scope = s.header("authorization").unwrap_or_default();
        assert!(
            scope.contains("/us-west-2/s3express/aws4_request"),
            "{scope}"
        );
        if is_create_session(s) {
            assert_eq!(s.header("x-amz-security-token"), Some(BASE_TOKEN));
            assert_eq!(s.header("x-amz-s3session-token"), None);
        } else {
            assert_eq!(s.header("x-amz-security-token"), None, "{}", s.path);
            assert!(scope.contains("x-amz-s3session-token"), "{scope}");
        }
    }
    assert_eq!(seen[1].header("x-amz-s3session-token"), Some("TOKEN1"));
    assert_eq!(seen[2].header("x-amz-s3session-token"), Some("TOKEN1"));
    assert_eq!(seen[4].header("x-amz-s3session-token"), Some("TOKEN2"));
    assert_eq!(seen[2].body, b"hello");

    let valid = signatures_valid(&[
        (&seen[0], BASE_SECRET),
        (&seen[1], "SECRET1"),
        (&seen[2], "SECRET1"),
        (&seen[3], BASE_SECRET),
        (&seen[4], "SECRET2"),
        (&seen[5], "SECRET1"),
        // The verifier can tell: the session request is not the base secret's, nor session 2's.
        (&seen[1], BASE_SECRET),
        (&seen[5], "SECRET2"),
    ]);
    assert_eq!(valid, [true, true, true, true, true, true, false, false]);
}

#[test]
fn a_session_about_to_expire_is_made_again() {
    // 20 s left when made: past botocore's 45 s advisory refresh, within the 10 s mandatory one.
    let server = express_server(Duration::from_secs(20));
    let s3 = client(&server);
    for _ in 0..2 {
        s3.call("ListObjectsV2", params! {"Bucket": BUCKET})
            .expect("call");
    }
    let seen = server.seen();
    let signers: Vec<String> = seen.iter().map(signed_by).collect();
    assert_eq!(signers, [BASE_KEY, "SESSION1", BASE_KEY, "SESSION2"]);
    assert_eq!(seen[3].header("x-amz-s3session-token"), Some("TOKEN2"));
    assert_eq!(
        signatures_valid(&[(&seen[1], "SECRET1"), (&seen[3], "SECRET2")]),
        [true, true]
    );
}

#[test]
fn a_session_already_expired_is_refused() {
    let server = express_server(Duration::ZERO);
    let s3 = client(&server);
    let err = s3
        .call("ListObjectsV2", params! {"Bucket": BUCKET})
        .expect_err("an expired session cannot sign");
    assert!(
        matches!(
            err,
            sansboto_core::Error::S3ExpressSession(
                sansboto_core::client::s3express::SessionError::StillExpired
            )
        ),
        "{err}"
    );
    assert_eq!(
        server.seen().len(),
        1,
        "no data request, no second CreateSession"
    );
}

#[test]
fn disabled_session_auth_signs_every_call_with_the_client_credentials() {
    let server = express_server(Duration::from_secs(300));
    let by_option = blocking_session(core_session(&[], None, None))
        .client("s3")
        .region("us-west-2")
        .endpoint_url(server.url())
        .credentials(BASE_KEY, BASE_SECRET, Some(BASE_TOKEN))
        .s3_disable_express_session_auth(true)
        .build()
        .expect("client");
    let by_env = client_with(
        &server,
        &[("AWS_S3_DISABLE_EXPRESS_SESSION_AUTH", "True")],
        None,
    );
    let by_profile = client_with(
        &server,
        &[],
        Some("[default]\ns3_disable_express_session_auth = true\n"),
    );
    for s3 in [&by_option, &by_env, &by_profile] {
        s3.call("ListObjectsV2", params! {"Bucket": BUCKET})
            .expect("call");
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    for s in &seen {
        assert!(!is_create_session(s), "no CreateSession when disabled");
        assert_eq!(signed_by(s), BASE_KEY);
        assert_eq!(s.header("x-amz-security-token"), Some(BASE_TOKEN));
        assert_eq!(s.header("x-amz-s3session-token"), None);
        let auth = s.header("authorization").unwrap_or_default();
        assert!(auth.contains("/us-west-2/s3express/aws4_request"), "{auth}");
    }
    assert_eq!(
        signatures_valid(&[(&seen[0], BASE_SECRET), (&seen[1], BASE_SECRET)]),
        [true, true]
    );
    // The option given in code wins over the environment, as in botocore.
    let enabled = blocking_session(core_session(
        &[("AWS_S3_DISABLE_EXPRESS_SESSION_AUTH", "true")],
        None,
        None,
    ))
    .client("s3")
    .region("us-west-2")
    .endpoint_url(server.url())
    .credentials(BASE_KEY, BASE_SECRET, Some(BASE_TOKEN))
    .s3_disable_express_session_auth(false)
    .build()
    .expect("client");
    enabled
        .call("ListObjectsV2", params! {"Bucket": BUCKET})
        .expect("call");
    assert!(is_create_session(&server.seen()[3]));
    // Not a boolean: refused when the client is made (botocore's InvalidConfigError).
    let err = blocking_session(core_session(
        &[("AWS_S3_DISABLE_EXPRESS_SESSION_AUTH", "maybe")],
        None,
        None,
    ))
    .client("s3")
    .region("us-west-2")
    .build()
    .expect_err("invalid setting");
    assert!(err.to_string().contains("maybe"), "{err}");
}

#[test]
fn presigned_urls_carry_the_session_token() {
    let server = express_server(Duration::from_secs(300));
    let s3 = client(&server);
    let url = s3
        .presign(
            "GetObject",
            params! {"Bucket": BUCKET, "Key": "k"},
            Duration::from_secs(60),
        )
        .expect("presign");
    assert!(
        url.starts_with(&format!("{}/{BUCKET}/k?", server.url())),
        "{url}"
    );
    assert!(url.contains("X-Amz-S3session-Token=TOKEN1"), "{url}");
    assert!(url.contains("X-Amz-Credential=SESSION1%2F"), "{url}");
    assert!(!url.contains("X-Amz-Security-Token"), "{url}");
    // The session is the client's: a call on the bucket reuses it.
    s3.call("ListObjectsV2", params! {"Bucket": BUCKET})
        .expect("call");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(is_create_session(&seen[0]));
    assert_eq!(signed_by(&seen[1]), "SESSION1");
}

/// The parts of a request botocore and sansboto must agree on: method, path and query, and
/// the headers both send (values of the time-independent ones), with the signature's scope
/// and signed headers.
fn comparable(
    method: &str,
    path: &str,
    headers: &serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    let auth = headers["authorization"].as_str().unwrap_or_default();
    let credential = auth
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split(',').next())
        .unwrap_or_default();
    let mut scope: Vec<&str> = credential.split('/').collect();
    if scope.len() > 1 {
        scope.remove(1); // the date
    }
    let signed = auth
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|c| c.split(',').next())
        .unwrap_or_default();
    let keep = [
        "x-amz-s3session-token",
        "x-amz-security-token",
        "x-amz-content-sha256",
    ];
    let kept: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .filter(|(k, _)| keep.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    serde_json::json!({"method": method, "path": path, "scope": scope, "signed": signed, "headers": kept})
}

#[test]
fn requests_match_botocore() {
    let server = express_server(Duration::from_secs(300));
    let s3 = client(&server);
    s3.call("ListObjectsV2", params! {"Bucket": BUCKET, "Prefix": "a b"})
        .expect("call");
    s3.call("GetObject", params! {"Bucket": BUCKET, "Key": "dir/k"})
        .expect("call");
    let ours = seen_comparable(&server);

    let theirs = botocore_requests(&server.url(), &[], TWO_CALLS);
    assert_eq!(ours.len(), 3, "CreateSession, ListObjectsV2, GetObject");
    assert_eq!(ours, theirs);
}

/// What the server saw, in [`comparable`] form.
fn seen_comparable(server: &ScriptServer) -> Vec<serde_json::Value> {
    server
        .seen()
        .iter()
        .map(|s| {
            let headers = s
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
                .collect();
            comparable(&s.method, &s.path, &headers)
        })
        .collect()
}

/// The requests botocore makes for `calls` (Python lines using `client`) against `url` with
/// `env`, answered in its before-send hook (CreateSession with the server's first session, the
/// others with an empty 200), in [`comparable`] form.
fn botocore_requests(url: &str, env: &[(&str, &str)], calls: &str) -> Vec<serde_json::Value> {
    let theirs = botocore::run(
        &format!(
            r#"
from botocore.awsrequest import AWSResponse
from urllib.parse import urlsplit
class Raw:
    def __init__(self, body): self.body = body
    def stream(self, **kw): yield self.body
    def read(self, *a, **kw): return self.body
sent = []
def before_send(request, **kwargs):
    headers = {{k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}}
    url = urlsplit(request.url)
    sent.append([request.method, url.path + ('?' + url.query if url.query else ''), headers])
    if url.query == 'session':
        body = (b'<CreateSessionResult><Credentials><SessionToken>TOKEN1</SessionToken>'
                b'<SecretAccessKey>SECRET1</SecretAccessKey><AccessKeyId>SESSION1</AccessKeyId>'
                b'<Expiration>2100-01-01T00:00:00Z</Expiration></Credentials></CreateSessionResult>')
    else:
        body = b'<ListBucketResult><Name>b</Name></ListBucketResult>' if 'list-type' in url.query else b''
    return AWSResponse(request.url, 200, {{}}, Raw(body))
client = session.create_client('s3', region_name='us-west-2', endpoint_url={url:?},
    aws_access_key_id={BASE_KEY:?}, aws_secret_access_key={BASE_SECRET:?}, aws_session_token={BASE_TOKEN:?})
client.meta.events.register('before-send', before_send)
{calls}
emit(sent)
"#,
        ),
        env,
    );
    theirs
        .as_array()
        .expect("a list of requests")
        .iter()
        .map(|r| {
            comparable(
                r[0].as_str().unwrap_or_default(),
                r[1].as_str().unwrap_or_default(),
                r[2].as_object().expect("headers"),
            )
        })
        .collect()
}

#[test]
fn disabled_session_auth_matches_botocore() {
    let env = [("AWS_S3_DISABLE_EXPRESS_SESSION_AUTH", "true")];
    let server = express_server(Duration::from_secs(300));
    let s3 = client_with(&server, &env, None);
    s3.call("ListObjectsV2", params! {"Bucket": BUCKET, "Prefix": "a b"})
        .expect("call");
    s3.call("GetObject", params! {"Bucket": BUCKET, "Key": "dir/k"})
        .expect("call");
    let ours = seen_comparable(&server);
    assert_eq!(ours.len(), 2, "no CreateSession");
    assert_eq!(ours, botocore_requests(&server.url(), &env, TWO_CALLS));
}

/// A presigned URL's path and query parameters, without the time-dependent ones (the date, the
/// signature, and the date in the credential scope), sorted.
fn presigned_parts(url: &str) -> (String, Vec<(String, String)>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<(String, String)> = query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .filter(|(k, _)| !matches!(*k, "X-Amz-Date" | "X-Amz-Signature"))
        .map(|(k, v)| {
            let v = if k == "X-Amz-Credential" {
                let mut scope: Vec<&str> = v.split("%2F").collect();
                scope.remove(1);
                scope.join("%2F")
            } else {
                v.to_string()
            };
            (k.to_string(), v)
        })
        .collect();
    params.sort();
    (path.to_string(), params)
}

#[test]
fn presigned_urls_match_botocore() {
    let server = express_server(Duration::from_secs(300));
    let s3 = client(&server);
    let ours = s3
        .presign(
            "GetObject",
            params! {"Bucket": BUCKET, "Key": "dir/k", "VersionId": "v1"},
            Duration::from_secs(900),
        )
        .expect("presign");
    let theirs = botocore::run(
        &format!(
            r#"
from botocore.awsrequest import AWSResponse
class Raw:
    def __init__(self, body): self.body = body
    def stream(self, **kw): yield self.body
    def read(self, *a, **kw): return self.body
sessions = []
def before_send(request, **kwargs):
    sessions.append(request.url)
    return AWSResponse(request.url, 200, {{}}, Raw(
        b'<CreateSessionResult><Credentials><SessionToken>TOKEN1</SessionToken>'
        b'<SecretAccessKey>SECRET1</SecretAccessKey><AccessKeyId>SESSION1</AccessKeyId>'
        b'<Expiration>2100-01-01T00:00:00Z</Expiration></Credentials></CreateSessionResult>'))
client = session.create_client('s3', region_name='us-west-2', endpoint_url={url:?},
    aws_access_key_id={BASE_KEY:?}, aws_secret_access_key={BASE_SECRET:?}, aws_session_token={BASE_TOKEN:?})
client.meta.events.register('before-send', before_send)
url = client.generate_presigned_url('get_object', ExpiresIn=900,
    Params={{'Bucket': {BUCKET:?}, 'Key': 'dir/k', 'VersionId': 'v1'}})
emit([url, sessions])
"#,
            url = server.url()
        ),
        &[],
    );
    let their_url = theirs[0].as_str().expect("botocore's URL");
    assert_eq!(
        theirs[1],
        serde_json::json!([format!("{}/{BUCKET}?session", server.url())]),
        "botocore made CreateSession first"
    );
    assert_eq!(presigned_parts(&ours), presigned_parts(their_url));
    assert!(is_create_session(&server.seen()[0]));
}

/// The async transports drive the same machine: one session for two calls, presigning included.
#[test]
fn async_transports_make_and_reuse_the_session() {
    async fn two_calls_and_a_url<T: sansboto_core::runtime::Transport>(
        session: sansboto_core::runtime::RuntimeSession<T>,
        server: &ScriptServer,
    ) -> String
    where
        for<'a> T::Run<'a, Result<sansboto_core::runtime::Client<T>, sansboto_core::Error>>:
            std::future::Future<
                Output = Result<sansboto_core::runtime::Client<T>, sansboto_core::Error>,
            >,
        for<'a> T::Run<'a, Result<sansboto_core::Value, sansboto_core::Error>>:
            std::future::Future<Output = Result<sansboto_core::Value, sansboto_core::Error>>,
        for<'a> T::Run<'a, Result<String, sansboto_core::Error>>:
            std::future::Future<Output = Result<String, sansboto_core::Error>>,
    {
        let s3 = session
            .client("s3")
            .region("us-west-2")
            .endpoint_url(server.url())
            .credentials(BASE_KEY, BASE_SECRET, Some(BASE_TOKEN))
            .build()
            .await
            .expect("client");
        for _ in 0..2 {
            s3.call("ListObjectsV2", params! {"Bucket": BUCKET})
                .await
                .expect("call");
        }
        s3.presign(
            "GetObject",
            params! {"Bucket": BUCKET, "Key": "k"},
            Duration::from_secs(60),
        )
        .await
        .expect("presign")
    }

    let tokio_server = express_server(Duration::from_secs(300));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let tokio_url = runtime.block_on(two_calls_and_a_url(
        tokio_session(core_session(&[], None, None)),
        &tokio_server,
    ));
    let async_std_server = express_server(Duration::from_secs(300));
    let async_std_url = async_std::task::block_on(two_calls_and_a_url(
        sansboto_core::runtime::RuntimeSession::<sansboto_async_std::HttpClient>::from_core(Ok(
            core_session(&[], None, None),
        )),
        &async_std_server,
    ));
    for (server, url) in [
        (&tokio_server, tokio_url),
        (&async_std_server, async_std_url),
    ] {
        let signers: Vec<String> = server.seen().iter().map(signed_by).collect();
        assert_eq!(signers, [BASE_KEY, "SESSION1", "SESSION1"]);
        assert!(url.contains("X-Amz-S3session-Token=TOKEN1"), "{url}");
    }
}

/// Bucket-level operations: ListDirectoryBuckets names no bucket and needs no session; with an
/// endpoint URL the ruleset treats DeleteBucket of a directory bucket like a data call (no
/// regional control endpoint), so a session is made for it, exactly as botocore does.
#[test]
fn bucket_level_calls_follow_botocore() {
    let server = express_server(Duration::from_secs(300));
    let s3 = client(&server);
    s3.call("ListDirectoryBuckets", params! {})
        .expect("ListDirectoryBuckets");
    s3.call("DeleteBucket", params! {"Bucket": BUCKET})
        .expect("DeleteBucket");
    let seen = server.seen();
    let signers: Vec<String> = seen.iter().map(signed_by).collect();
    assert_eq!(signers, [BASE_KEY, BASE_KEY, "SESSION1"]);
    assert!(!is_create_session(&seen[0]) && is_create_session(&seen[1]));
    assert_eq!(seen[0].header("x-amz-security-token"), Some(BASE_TOKEN));
    assert_eq!(
        signatures_valid(&[(&seen[0], BASE_SECRET), (&seen[2], "SECRET1")]),
        [true, true]
    );
    let theirs = botocore_requests(
        &server.url(),
        &[],
        "client.list_directory_buckets()\nclient.delete_bucket(Bucket='mybucket--usw2-az1--x-s3')",
    );
    assert_eq!(seen_comparable(&server), theirs);
}
