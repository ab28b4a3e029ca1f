//! Credentials end to end through real clients: assume-role from a profile and web identity
//! against moto's STS; instance metadata (IMDSv2) and container credentials against small local
//! servers that also receive the signed API call; the provider list in "not found" errors; and
//! exactly one refresh of near-expiry credentials under concurrent calls.
//!
//! Sessions are built from explicit environment maps and config text, never from the process
//! environment, so these tests run in parallel with each other.

mod e2e_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use e2e_support::{
    blocking_session, core_session, temp_dir, tokio_session, Action, ScriptServer, Seen,
};
use sansboto_core::params;
use sansboto_core::Error;
use sansboto_core::Timestamp;
use sansboto_tests::moto::MotoServer;

const LIST_TABLES_OK: &str = r#"{"TableNames":[]}"#;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn iso_in(from_now: Duration) -> String {
    Timestamp::from_system_time(SystemTime::now() + from_now).to_iso8601()
}

fn credentials_json(access_key: &str, expires_in: Duration) -> String {
    format!(
        r#"{{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"{access_key}","SecretAccessKey":"secret-{access_key}","Token":"token-{access_key}","Expiration":"{}"}}"#,
        iso_in(expires_in)
    )
}

/// The access key id in a SigV4 `Authorization` header.
fn signing_key(request: &Seen) -> Option<String> {
    let auth = request.header("authorization")?;
    let credential = auth.split("Credential=").nth(1)?;
    Some(credential.split('/').next()?.to_string())
}

/// The requests that were API calls (not credential fetches).
fn api_calls(seen: &[Seen]) -> Vec<Seen> {
    seen.iter()
        .filter(|s| s.method == "POST")
        .cloned()
        .collect()
}

// ---------------------------------------------------------------------------------------------
// moto: assume-role and web identity

fn caller_arn(out: &sansboto_core::Value) -> String {
    out["Arn"].as_str().unwrap_or_default().to_string()
}

#[test]
fn assume_role_from_profile_against_moto() {
    let moto = MotoServer::start();
    let config = format!(
        "[default]\nregion = us-east-1\nendpoint_url = {}\n\
         [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n",
        moto.endpoint()
    );
    let config = format!(
        "{config}[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n\
         source_profile = base\nrole_session_name = e2e-session\nregion = us-east-1\n\
         endpoint_url = {}\n",
        moto.endpoint()
    );
    let env = [("AWS_PROFILE", "deployer")];
    let session = tokio_session(core_session(&env, Some(&config), None));
    let (identity, buckets) = runtime().block_on(async {
        let sts = session.client("sts").build().await.unwrap();
        let identity = sts.call("GetCallerIdentity", params! {}).await.unwrap();
        let s3 = session.client("s3").build().await.unwrap();
        let buckets = s3.call("ListBuckets", params! {}).await.unwrap();
        (identity, buckets)
    });
    let arn = caller_arn(&identity);
    assert!(
        arn.ends_with(":assumed-role/deployer/e2e-session"),
        "GetCallerIdentity with assumed credentials: {identity:?}"
    );
    assert_eq!(
        buckets["ResponseMetadata"]["HTTPStatusCode"].as_i64(),
        Some(200)
    );
}

#[test]
fn web_identity_from_env_against_moto() {
    let moto = MotoServer::start();
    let dir = temp_dir("web-identity");
    let token_file = dir.join("token");
    std::fs::write(&token_file, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJlMmUifQ.").unwrap();
    let token_path = token_file.to_string_lossy().to_string();
    let endpoint = moto.endpoint();
    let env = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_path.as_str()),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web-role"),
        ("AWS_ROLE_SESSION_NAME", "web-session"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
    ];
    let session = blocking_session(core_session(&env, None, None));
    let sts = session.client("sts").build().unwrap();
    let identity = sts.call("GetCallerIdentity", params! {}).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        caller_arn(&identity).ends_with(":assumed-role/web-role/web-session"),
        "{identity:?}"
    );
}

#[test]
fn web_identity_with_missing_token_file_says_so() {
    let dir = temp_dir("web-identity-missing");
    let token_path = dir.join("absent").to_string_lossy().to_string();
    let env = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_path.as_str()),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web-role"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let session = blocking_session(core_session(&env, None, None));
    let sts = session
        .client("sts")
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let err = sts.call("GetCallerIdentity", params! {}).unwrap_err();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    assert!(err.to_string().contains("absent"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// IMDS and container servers

/// Counts of what an IMDS server was asked.
#[derive(Default)]
struct ImdsHits {
    tokens: AtomicUsize,
    credentials: AtomicUsize,
}

/// An IMDSv2 server whose `n`th credentials answer (0-based) comes from `creds(n)`, and which
/// answers every POST (the API call) as DynamoDB's ListTables.
fn imds_server(
    hits: Arc<ImdsHits>,
    creds: impl Fn(usize) -> String + Send + Sync + 'static,
) -> ScriptServer {
    ScriptServer::start(move |req, _| {
        let token_ok = req.header("x-aws-ec2-metadata-token") == Some("imds-token");
        match (req.method.as_str(), req.path.as_str()) {
            ("PUT", "/latest/api/token") => {
                hits.tokens.fetch_add(1, Ordering::SeqCst);
                if req.header("x-aws-ec2-metadata-token-ttl-seconds").is_some() {
                    Action::text(200, "imds-token")
                } else {
                    Action::text(400, "missing ttl")
                }
            }
            ("GET", "/latest/meta-data/iam/security-credentials/") if token_ok => {
                Action::text(200, "e2e-role")
            }
            ("GET", "/latest/meta-data/iam/security-credentials/e2e-role") if token_ok => {
                let n = hits.credentials.fetch_add(1, Ordering::SeqCst);
                Action::text(200, &creds(n))
            }
            ("GET", _) => Action::text(401, "no token"),
            ("POST", _) => Action::json(200, LIST_TABLES_OK),
            _ => Action::text(404, "not found"),
        }
    })
}

#[test]
fn imds_credentials_sign_the_call() {
    let hits = Arc::new(ImdsHits::default());
    let server = imds_server(hits.clone(), |_| {
        credentials_json("AKIDIMDS", Duration::from_secs(6 * 3600))
    });
    let url = server.url();
    let env = [("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str())];
    let session = tokio_session(core_session(&env, None, None));
    runtime().block_on(async {
        let ddb = session
            .client("dynamodb")
            .region("us-east-1")
            .endpoint_url(&url)
            .build()
            .await
            .unwrap();
        ddb.call("ListTables", params! {}).await.unwrap();
        ddb.call("ListTables", params! {}).await.unwrap();
    });
    // Fresh credentials are fetched once and cached for the second call.
    assert_eq!(hits.tokens.load(Ordering::SeqCst), 1);
    assert_eq!(hits.credentials.load(Ordering::SeqCst), 1);
    let calls = api_calls(&server.seen());
    assert_eq!(calls.len(), 2);
    for call in &calls {
        assert_eq!(signing_key(call).as_deref(), Some("AKIDIMDS"), "{call:?}");
        assert_eq!(call.header("x-amz-security-token"), Some("token-AKIDIMDS"));
    }
}

#[test]
fn imds_error_answers_end_in_a_provider_list() {
    // Every metadata path answers 500: IMDS gives up, and the call reports what was tried.
    let server = ScriptServer::start(|req, _| match req.method.as_str() {
        "POST" => Action::json(200, LIST_TABLES_OK),
        _ => Action::text(500, "broken"),
    });
    let url = server.url();
    let env = [("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str())];
    let session = blocking_session(core_session(&env, None, None));
    let ddb = session
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(&url)
        .build()
        .unwrap();
    let err = ddb.call("ListTables", params! {}).unwrap_err();
    assert!(matches!(err, Error::NoCredentials(_)), "{err:?}");
    let text = err.to_string();
    for provider in [
        "env",
        "assume-role",
        "shared-credentials-file",
        "container-role",
        "iam-role",
    ] {
        assert!(text.contains(provider), "{provider} missing from {text}");
    }
    assert!(
        api_calls(&server.seen()).is_empty(),
        "an unsigned call was sent"
    );
}

#[test]
fn slow_imds_times_out_and_is_reported() {
    // Answers after 20 s; the metadata timeout (1 s) ends each request first.
    let server = ScriptServer::start(|req, _| match req.method.as_str() {
        "POST" => Action::json(200, LIST_TABLES_OK),
        _ => Action::Late(
            Duration::from_secs(20),
            Box::new(Action::text(200, "imds-token")),
        ),
    });
    let url = server.url();
    let env = [
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str()),
        ("AWS_METADATA_SERVICE_TIMEOUT", "1"),
    ];
    let session = tokio_session(core_session(&env, None, None));
    let err = runtime().block_on(async {
        let ddb = session
            .client("dynamodb")
            .region("us-east-1")
            .endpoint_url(&url)
            .build()
            .await
            .unwrap();
        ddb.call("ListTables", params! {}).await.unwrap_err()
    });
    let text = err.to_string();
    assert!(text.contains("iam-role"), "{text}");
    assert!(api_calls(&server.seen()).is_empty());
    // The token request, then (a timed-out token request means "no IMDSv2") the IMDSv1 role
    // name request, each given up after the 1 s timeout: nothing more.
    let seen: Vec<_> = server
        .seen()
        .iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert_eq!(
        seen,
        [
            "PUT /latest/api/token",
            "GET /latest/meta-data/iam/security-credentials/"
        ]
    );
}

#[test]
fn no_credentials_anywhere_lists_every_provider() {
    let env = [("AWS_EC2_METADATA_DISABLED", "true")];
    let session = blocking_session(core_session(&env, None, None));
    let s3 = session
        .client("s3")
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let err = s3.call("ListBuckets", params! {}).unwrap_err();
    assert!(matches!(err, Error::NoCredentials(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with("Unable to locate credentials"), "{text}");
    for provider in [
        "env",
        "assume-role",
        "assume-role-with-web-identity",
        "sso",
        "shared-credentials-file",
        "custom-process",
        "config-file",
        "container-role",
        "iam-role",
    ] {
        assert!(text.contains(provider), "{provider} missing from {text}");
    }
}

/// A container credentials server: `/creds` needs the authorization token; POSTs are API calls.
fn container_server(
    hits: Arc<AtomicUsize>,
    creds: impl Fn(usize) -> String + Send + Sync + 'static,
) -> ScriptServer {
    ScriptServer::start(
        move |req, _| match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/creds") if req.header("authorization") == Some("container-secret-token") => {
                let n = hits.fetch_add(1, Ordering::SeqCst);
                Action::json(200, &creds(n))
            }
            ("GET", "/creds") => {
                Action::json(403, r#"{"code":"AccessDenied","message":"bad token"}"#)
            }
            ("POST", _) => Action::json(200, LIST_TABLES_OK),
            _ => Action::text(404, "not found"),
        },
    )
}

#[test]
fn container_credentials_sign_the_call() {
    let hits = Arc::new(AtomicUsize::new(0));
    let server = container_server(hits.clone(), |_| {
        credentials_json("AKIDECS", Duration::from_secs(6 * 3600))
    });
    let url = server.url();
    let full_uri = format!("{url}/creds");
    let env = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "container-secret-token",
        ),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let session = blocking_session(core_session(&env, None, None));
    let ddb = session
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(&url)
        .build()
        .unwrap();
    ddb.call("ListTables", params! {}).unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let calls = api_calls(&server.seen());
    assert_eq!(calls.len(), 1);
    assert_eq!(signing_key(&calls[0]).as_deref(), Some("AKIDECS"));
    assert_eq!(
        calls[0].header("x-amz-security-token"),
        Some("token-AKIDECS")
    );
}

/// One session's clients share its credentials: found once for all of them (botocore's
/// `Session.get_credentials`), here the container endpoint asked once by three clients of two
/// services in two regions; botocore's session, against a server of its own, asks once too.
#[test]
fn a_sessions_clients_share_its_credentials_as_botocores_do() {
    let hits = Arc::new(AtomicUsize::new(0));
    let creds = |_| credentials_json("AKIDSHARED", Duration::from_secs(6 * 3600));
    let server = container_server(hits.clone(), creds);
    let url = server.url();
    let full_uri = format!("{url}/creds");
    let env = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "container-secret-token",
        ),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let session = blocking_session(core_session(&env, None, None));
    for (service, region) in [
        ("dynamodb", "us-east-1"),
        ("dynamodb", "eu-west-1"),
        ("sqs", "us-east-1"),
    ] {
        let client = session
            .client(service)
            .region(region)
            .endpoint_url(&url)
            .build()
            .unwrap();
        let _ = client.call(
            if service == "sqs" {
                "ListQueues"
            } else {
                "ListTables"
            },
            params! {},
        );
    }
    assert_eq!(hits.load(Ordering::SeqCst), 1, "one fetch for the session");
    let calls = api_calls(&server.seen());
    assert_eq!(calls.len(), 3);
    assert!(calls
        .iter()
        .all(|c| signing_key(c).as_deref() == Some("AKIDSHARED")));

    let theirs_hits = Arc::new(AtomicUsize::new(0));
    let theirs = container_server(theirs_hits.clone(), creds);
    let their_url = theirs.url();
    let their_uri = format!("{their_url}/creds");
    sansboto_tests::botocore::run(
        &format!(
            r#"
for service, region in [('dynamodb', 'us-east-1'), ('dynamodb', 'eu-west-1'), ('sqs', 'us-east-1')]:
    c = session.create_client(service, region_name=region, endpoint_url={their_url:?})
    try:
        c.list_queues() if service == 'sqs' else c.list_tables()
    except Exception:
        pass
emit(None)
"#
        ),
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", their_uri.as_str()),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "container-secret-token",
            ),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    );
    assert_eq!(
        theirs_hits.load(Ordering::SeqCst),
        hits.load(Ordering::SeqCst),
        "botocore's session fetches as often"
    );

    // The session holds its credentials, which hold it only weakly: both are freed once the
    // last client is.
    let core = core_session(&env, None, None);
    let weak = Arc::downgrade(&core);
    let session = blocking_session(core);
    let client = session
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(&url)
        .build();
    client.unwrap().call("ListTables", params! {}).unwrap();
    drop(session);
    assert!(
        weak.upgrade().is_none(),
        "the session was freed with its client"
    );
}

/// A server that answers `AssumeRole` with `AKIDMFA` and any other call as DynamoDB's
/// `ListTables`, and a config whose profile `mfa` assumes a role with an MFA device through it.
fn mfa_role_server() -> (ScriptServer, String) {
    let server = ScriptServer::start(|seen, _| {
        let body = String::from_utf8_lossy(&seen.body);
        if !body.contains("Action=AssumeRole") {
            return Action::json(200, LIST_TABLES_OK);
        }
        let expiry = iso_in(Duration::from_secs(3600));
        Action::xml(
            200,
            &format!(
                "<AssumeRoleResponse><AssumeRoleResult><Credentials>\
                 <AccessKeyId>AKIDMFA</AccessKeyId><SecretAccessKey>s</SecretAccessKey>\
                 <SessionToken>t</SessionToken><Expiration>{expiry}</Expiration>\
                 </Credentials></AssumeRoleResult></AssumeRoleResponse>"
            ),
        )
    });
    let config = format!(
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = b\n\
         [profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::123456789012:mfa/u\nregion = us-east-1\nendpoint_url = {}\n",
        server.url()
    );
    (server, config)
}

/// A role profile with `mfa_serial`: the session's MFA prompt is asked (with the serial) and
/// its code sent in `AssumeRole`; a session without one fails saying so.
#[test]
fn a_role_profile_with_mfa_asks_the_sessions_prompt() {
    let (server, config) = mfa_role_server();
    let env = [("AWS_PROFILE", "mfa")];
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let asked_by = asked.clone();
    let session = blocking_session(core_session(&env, Some(&config), None)).mfa_prompt(
        move |serial: &str| {
            asked_by.lock().unwrap().push(serial.to_owned());
            Ok("654321".into())
        },
    );
    let ddb = session.client("dynamodb").build().unwrap();
    ddb.call("ListTables", params! {}).unwrap();
    assert_eq!(*asked.lock().unwrap(), ["arn:aws:iam::123456789012:mfa/u"]);
    let assume = String::from_utf8_lossy(&server.seen()[0].body).into_owned();
    assert!(assume.contains("TokenCode=654321"), "{assume}");
    let calls = api_calls(&server.seen());
    assert_eq!(
        signing_key(calls.last().unwrap()).as_deref(),
        Some("AKIDMFA")
    );

    let without = blocking_session(core_session(&env, Some(&config), None));
    let err = without
        .client("dynamodb")
        .build()
        .unwrap()
        .call("ListTables", params! {});
    let err = err.unwrap_err().to_string();
    assert!(err.contains("no MFA callback"), "{err}");
}

/// On an async runtime the MFA prompt (which may wait on a person at a terminal) runs where the
/// transport runs blocking work, not on the runtime's own thread, which it would stall.
#[test]
fn the_mfa_prompt_runs_off_the_async_runtimes_thread() {
    let (server, config) = mfa_role_server();
    let asked_on = Arc::new(std::sync::Mutex::new(Vec::new()));
    let asked_by = asked_on.clone();
    let session = tokio_session(core_session(&[("AWS_PROFILE", "mfa")], Some(&config), None))
        .mfa_prompt(move |_: &str| {
            asked_by.lock().unwrap().push(std::thread::current().id());
            Ok("654321".into())
        });
    let runtime_thread = std::thread::current().id();
    runtime().block_on(async {
        let ddb = session.client("dynamodb").build().await.unwrap();
        ddb.call("ListTables", params! {}).await.unwrap();
    });
    let asked_on = asked_on.lock().unwrap();
    assert_eq!(asked_on.len(), 1, "asked once");
    assert_ne!(asked_on[0], runtime_thread, "asked on the runtime's thread");
    let assume = String::from_utf8_lossy(&server.seen()[0].body).into_owned();
    assert!(assume.contains("TokenCode=654321"), "{assume}");
}

#[test]
fn container_credentials_with_a_wrong_token_fail_with_the_reason() {
    let hits = Arc::new(AtomicUsize::new(0));
    let server = container_server(hits.clone(), |_| unreachable!("token is wrong"));
    let url = server.url();
    let full_uri = format!("{url}/creds");
    let env = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-token"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let session = blocking_session(core_session(&env, None, None));
    let ddb = session
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(&url)
        .build()
        .unwrap();
    let err = ddb.call("ListTables", params! {}).unwrap_err();
    assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("container-role") || text.contains("container"),
        "{text}"
    );
    assert!(
        !text.contains("wrong-token"),
        "the token leaked into {text}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    assert!(api_calls(&server.seen()).is_empty());
}

/// Eight concurrent calls on a multi-thread runtime, with cached credentials inside the
/// mandatory refresh window: exactly one of them refreshes, and all use the new credentials.
fn refresh_once_under_concurrency(server: &ScriptServer, env: &[(&str, &str)]) {
    let session = tokio_session(core_session(env, None, None));
    let url = server.url();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let ddb = session
            .client("dynamodb")
            .region("us-east-1")
            .endpoint_url(&url)
            .build()
            .await
            .unwrap();
        // Loads the first credentials (5 minutes left: inside the mandatory window, yet valid).
        ddb.call("ListTables", params! {}).await.unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let ddb = ddb.clone();
                tokio::spawn(async move { ddb.call("ListTables", params! {}).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    });
    let calls = api_calls(&server.seen());
    assert_eq!(calls.len(), 9);
    let keys: Vec<_> = calls.iter().map(|c| signing_key(c).unwrap()).collect();
    assert_eq!(
        keys.iter().filter(|k| *k == "AKIDSECOND").count(),
        8,
        "the concurrent calls all used the refreshed credentials: {keys:?}"
    );
}

fn first_then_second(n: usize) -> String {
    if n == 0 {
        credentials_json("AKIDFIRST", Duration::from_secs(5 * 60))
    } else {
        credentials_json("AKIDSECOND", Duration::from_secs(6 * 3600))
    }
}

#[test]
fn imds_loads_once_under_concurrent_calls_and_extends_near_expiry() {
    // Like botocore's IMDS fetcher, credentials within 15 minutes of expiry are treated as
    // valid for another 17 to 25 minutes (static stability), so the 5-minute credentials are
    // not fetched again; eight calls racing on a cold cache share one fetch.
    let hits = Arc::new(ImdsHits::default());
    let server = imds_server(hits.clone(), first_then_second);
    let url = server.url();
    let env = [("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str())];
    let session = tokio_session(core_session(&env, None, None));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let ddb = session
            .client("dynamodb")
            .region("us-east-1")
            .endpoint_url(&url)
            .build()
            .await
            .unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let ddb = ddb.clone();
                tokio::spawn(async move { ddb.call("ListTables", params! {}).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        ddb.call("ListTables", params! {}).await.unwrap();
    });
    assert_eq!(hits.tokens.load(Ordering::SeqCst), 1);
    assert_eq!(hits.credentials.load(Ordering::SeqCst), 1);
    let calls = api_calls(&server.seen());
    assert_eq!(calls.len(), 9);
    assert!(calls
        .iter()
        .all(|c| signing_key(c).as_deref() == Some("AKIDFIRST")));
}

#[test]
fn container_refresh_happens_once_under_concurrent_calls() {
    let hits = Arc::new(AtomicUsize::new(0));
    let server = container_server(hits.clone(), first_then_second);
    let full_uri = format!("{}/creds", server.url());
    refresh_once_under_concurrency(
        &server,
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "container-secret-token",
            ),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    );
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}
