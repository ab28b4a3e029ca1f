//! The `login` credential provider end to end: a profile's `login_session` token (as `aws login`
//! caches it) is refreshed against a local server playing the sign-in service's
//! `CreateOAuth2Token`, and a second local server playing DynamoDB sees requests signed with the
//! refreshed credentials. The server checks the refresh request the way the service would: the
//! body, no signature, and a DPoP proof for that exact URL signed by the token's key. The token
//! file must be rewritten as botocore's `JSONFileCache` writes it (Python's JSON layout).
//! botocore 1.44.5 itself cannot run this provider without `awscrt`, which is not installed, so
//! the reference for the file layout is Python's `json.dumps`.

mod e2e_support;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use e2e_support::{blocking_session, core_session, temp_dir, Action, ScriptServer, Seen};
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use sansboto_core::credentials::{login_token_cache_key, CredentialsError, LoginError};
use sansboto_core::params;
use sansboto_core::Error;

/// A P-256 key in SEC1 PEM, as `aws login` stores it (`openssl ecparam -genkey -noout`).
const DPOP_KEY: &str = "-----BEGIN EC PRIVATE KEY-----\n\
MHcCAQEEIJYJ7e4+3xFkJTOstqIZVE4xJNeWGavUmNJ4clRpI8TFoAoGCCqGSM49\n\
AwEHoUQDQgAE48C1KaNkGm852ZgTIickyQ7oVwY7gcwLr8MoPrKP1c3z9nOHQNVk\n\
ALKBCwEFOvRZjzMzdJMMtC++vr3ZNgn2qQ==\n\
-----END EC PRIVATE KEY-----\n";

const SESSION: &str = "arn:aws:iam::0123456789012:user/Admin";

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn iso(secs: i64) -> String {
    sansboto_core::Timestamp::from_secs(secs).to_iso8601()
}

/// The cached token, its access token expiring at `expires_at`.
fn token(expires_at: &str) -> serde_json::Value {
    serde_json::json!({
        "accessToken": {
            "accessKeyId": "ASIAOLD",
            "secretAccessKey": "old-secret",
            "sessionToken": "old-session",
            "accountId": "012345678901",
            "expiresAt": expires_at,
        },
        "tokenType": "aws_sigv4",
        "clientId": "arn:aws:signin:::devtools/same-device",
        "refreshToken": "refresh-1",
        "idToken": "id-token",
        "dpopKey": DPOP_KEY,
    })
}

/// How the sign-in service answers `CreateOAuth2Token`.
#[derive(Clone, Copy)]
enum SignIn {
    /// New credentials for this many seconds.
    Grants(i64),
    /// This error.
    Denies(&'static str),
}

/// New credentials for 15 minutes.
const GRANTS: SignIn = SignIn::Grants(900);

/// The sign-in service, answering as `answer` says.
fn signin(answer: SignIn) -> ScriptServer {
    ScriptServer::start(move |_, _| match answer {
        SignIn::Denies(error) => Action::Respond(
            400,
            vec![
                ("Content-Type".into(), "application/json".into()),
                ("x-amzn-ErrorType".into(), "AccessDeniedException".into()),
            ],
            format!(r#"{{"error":"{error}","message":"denied"}}"#).into_bytes(),
        ),
        SignIn::Grants(expires_in) => Action::json(
            200,
            &format!(
                r#"{{"accessToken":{{"accessKeyId":"ASIANEW","secretAccessKey":"new-secret",
                "sessionToken":"new-session"}},"tokenType":"aws_sigv4","expiresIn":{expires_in},
                "refreshToken":"refresh-2"}}"#
            ),
        ),
    })
}

fn dynamodb() -> ScriptServer {
    ScriptServer::start(|_, _| Action::json(200, r#"{"TableNames":[]}"#))
}

/// The DPoP proof of a request: checked against the URL it was sent to and verified with the
/// public key it carries, which must be the token's. Returns its `iat`.
fn check_dpop(seen: &Seen, url: &str) -> i64 {
    let proof = seen.header("dpop").expect("a DPoP header");
    let parts: Vec<&str> = proof.split('.').collect();
    assert_eq!(parts.len(), 3, "{proof}");
    let decode = |part: &str| -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    };
    let (header, payload) = (decode(parts[0]), decode(parts[1]));
    assert_eq!(header["typ"], "dpop+jwt");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["jwk"]["kty"], "EC");
    assert_eq!(header["jwk"]["crv"], "P-256");
    let coordinate = |c: &str| {
        URL_SAFE_NO_PAD
            .decode(header["jwk"][c].as_str().unwrap())
            .unwrap()
    };
    let mut point = vec![4u8];
    point.extend(coordinate("x"));
    point.extend(coordinate("y"));
    let key = VerifyingKey::from_sec1_bytes(&point).unwrap();
    // The key of the token's PEM (its public half is the last 65 bytes of the SEC1 DER).
    let der = base64::engine::general_purpose::STANDARD
        .decode(
            DPOP_KEY
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>(),
        )
        .unwrap();
    assert_eq!(point, der[der.len() - 65..]);
    let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
    key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .expect("the proof's signature verifies");
    assert_eq!(payload["htm"], "POST");
    assert_eq!(payload["htu"], url);
    assert_eq!(payload["jti"].as_str().unwrap().len(), 36);
    payload["iat"].as_i64().unwrap()
}

/// Python's `json.dumps` of the file's JSON, read back in its order.
fn python_dumps(path: &std::path::Path) -> String {
    let out = std::process::Command::new(sansboto_tests::botocore::python())
        .arg("-c")
        .arg("import json,sys; sys.stdout.write(json.dumps(json.load(open(sys.argv[1]))))")
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

struct Setup {
    dir: std::path::PathBuf,
    token_path: std::path::PathBuf,
    signin: ScriptServer,
    dynamodb: ScriptServer,
    client: sansboto_blocking::Client,
}

fn setup(cached: serde_json::Value, answer: SignIn) -> Setup {
    setup_in(cached, answer, "region = us-west-2\n", None)
}

/// [`setup`] with `region_lines` in the profile and the client given `client_region` in code.
fn setup_in(
    cached: serde_json::Value,
    answer: SignIn,
    region_lines: &str,
    client_region: Option<&str>,
) -> Setup {
    let dir = temp_dir("login");
    let token_path = dir.join(format!("{}.json", login_token_cache_key(SESSION)));
    std::fs::write(&token_path, cached.to_string()).unwrap();
    let (signin, dynamodb) = (signin(answer), dynamodb());
    let config = format!("[default]\nlogin_session = {SESSION}\n{region_lines}");
    let cache_dir = dir.to_string_lossy().to_string();
    let env = [
        ("AWS_LOGIN_CACHE_DIRECTORY", cache_dir.as_str()),
        ("AWS_ENDPOINT_URL_SIGNIN", &signin.url()),
        ("AWS_ENDPOINT_URL_DYNAMODB", &dynamodb.url()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let mut builder = blocking_session(core_session(&env, Some(&config), None)).client("dynamodb");
    if let Some(region) = client_region {
        builder = builder.region(region);
    }
    let client = builder.build().unwrap();
    Setup {
        dir,
        token_path,
        signin,
        dynamodb,
        client,
    }
}

#[test]
fn an_expiring_login_token_is_refreshed_saved_and_used() {
    let s = setup(token("2020-01-01T00:00:00Z"), GRANTS);
    let before = now_secs();
    s.client.call("ListTables", params! {}).unwrap();
    s.client.call("ListTables", params! {}).unwrap();
    let after = now_secs();

    // One refresh for two calls: the refreshed token lives 15 minutes.
    let refreshes = s.signin.seen();
    assert_eq!(refreshes.len(), 1);
    let refresh = &refreshes[0];
    assert_eq!(
        (refresh.method.as_str(), refresh.path.as_str()),
        ("POST", "/v1/token")
    );
    assert!(
        refresh.header("authorization").is_none(),
        "the refresh is unsigned"
    );
    let body: serde_json::Value = serde_json::from_slice(&refresh.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "clientId": "arn:aws:signin:::devtools/same-device",
            "grantType": "refresh_token",
            "refreshToken": "refresh-1",
        })
    );
    let iat = check_dpop(refresh, &format!("{}/v1/token", s.signin.url()));
    assert!(
        (before..=after).contains(&iat),
        "{iat} not in {before}..={after}"
    );

    // The data calls are signed with the refreshed credentials.
    let calls = s.dynamodb.seen();
    assert_eq!(calls.len(), 2);
    for call in &calls {
        let auth = call.header("authorization").unwrap();
        assert!(auth.contains("Credential=ASIANEW/"), "{auth}");
        assert!(auth.contains("/us-west-2/dynamodb/aws4_request"), "{auth}");
        assert_eq!(call.header("x-amz-security-token"), Some("new-session"));
    }

    // The file holds the refreshed token, everything else kept, in Python's JSON layout.
    let text = std::fs::read_to_string(&s.token_path).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&text).unwrap();
    let expires = saved["accessToken"]["expiresAt"]
        .as_str()
        .unwrap()
        .to_string();
    let mut expected = token("");
    expected["accessToken"] = serde_json::json!({
        "accessKeyId": "ASIANEW",
        "secretAccessKey": "new-secret",
        "sessionToken": "new-session",
        "accountId": "012345678901",
        "expiresAt": expires,
    });
    expected["refreshToken"] = "refresh-2".into();
    assert_eq!(saved, expected);
    assert!(
        (before + 900..=after + 900).map(iso).any(|t| t == expires),
        "expiresAt {expires} is not the refresh time plus 900 s in whole seconds"
    );
    assert_eq!(text, python_dumps(&s.token_path));
    // Key order kept: accessToken first, dpopKey last, as in the file before.
    assert!(
        text.starts_with(r#"{"accessToken": {"accessKeyId": "ASIANEW", "#),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with(r#"END EC PRIVATE KEY-----\n"}"#),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&s.dir);
}

#[test]
fn a_token_with_its_sign_in_region_refreshes_with_no_region_configured() {
    // No region in the profile or the environment; the client is given one in code, and the
    // token names its sign-in region: the refresh is made and read in that region (the answer
    // was read by a sign-in client of the session's region, which has none, and refused after
    // the refresh token had been spent).
    let mut cached = token("2020-01-01T00:00:00Z");
    cached["signInRegion"] = "eu-west-1".into();
    let s = setup_in(cached, GRANTS, "", Some("us-west-2"));
    s.client.call("ListTables", params! {}).unwrap();
    assert_eq!(s.signin.seen().len(), 1);
    let auth = s.dynamodb.seen()[0]
        .header("authorization")
        .unwrap()
        .to_string();
    assert!(auth.contains("Credential=ASIANEW/"), "{auth}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&s.token_path).unwrap()).unwrap();
    assert_eq!(saved["refreshToken"], "refresh-2");
    let _ = std::fs::remove_dir_all(&s.dir);
}

#[test]
fn a_fresh_login_token_is_used_without_a_refresh() {
    let s = setup(token(&iso(now_secs() + 3600)), GRANTS);
    s.client.call("ListTables", params! {}).unwrap();
    assert!(s.signin.seen().is_empty());
    let auth = s.dynamodb.seen()[0]
        .header("authorization")
        .unwrap()
        .to_string();
    assert!(auth.contains("Credential=ASIAOLD/"), "{auth}");
    let _ = std::fs::remove_dir_all(&s.dir);
}

#[test]
fn refusals_and_broken_tokens_are_typed_errors() {
    for (denied, expected) in [
        ("TOKEN_EXPIRED", LoginError::RefreshRequired),
        ("USER_CREDENTIALS_CHANGED", LoginError::RefreshRequired),
        (
            "INSUFFICIENT_PERMISSIONS",
            LoginError::InsufficientPermissions,
        ),
    ] {
        let s = setup(token("2020-01-01T00:00:00Z"), SignIn::Denies(denied));
        match s.client.call("ListTables", params! {}) {
            Err(Error::Credentials(CredentialsError::Login(e))) => assert_eq!(e, expected),
            other => panic!("{denied}: {other:?}"),
        }
        assert_eq!(s.signin.seen().len(), 1);
        assert!(s.dynamodb.seen().is_empty());
        // The cached token is left as it was.
        let saved: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&s.token_path).unwrap()).unwrap();
        assert_eq!(saved["refreshToken"], "refresh-1");
        let _ = std::fs::remove_dir_all(&s.dir);
    }

    // A lifetime past year 9999, which botocore's `datetime` arithmetic refuses
    // (`OverflowError`); `i64::MAX` once overflowed adding it to the time (a panic in debug
    // builds). The token is left as it was.
    for expires_in in [i64::MAX, 300_000_000_000] {
        let s = setup(token("2020-01-01T00:00:00Z"), SignIn::Grants(expires_in));
        match s.client.call("ListTables", params! {}) {
            Err(Error::Credentials(CredentialsError::Login(LoginError::TokenLoad(m)))) => {
                assert!(m.contains("invalid service response"), "{m}")
            }
            other => panic!("{expires_in}: {other:?}"),
        }
        let saved: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&s.token_path).unwrap()).unwrap();
        assert_eq!(saved["refreshToken"], "refresh-1");
        assert!(s.dynamodb.seen().is_empty());
        let _ = std::fs::remove_dir_all(&s.dir);
    }

    let mut incomplete = token("2020-01-01T00:00:00Z");
    incomplete.as_object_mut().unwrap().remove("dpopKey");
    incomplete.as_object_mut().unwrap().remove("clientId");
    let s = setup(incomplete, GRANTS);
    match s.client.call("ListTables", params! {}) {
        Err(Error::Credentials(CredentialsError::Login(LoginError::TokenLoad(message)))) => {
            assert!(
                message.ends_with("missing required fields: dpopKey, clientId."),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(s.signin.seen().is_empty());
    let _ = std::fs::remove_dir_all(&s.dir);
}
