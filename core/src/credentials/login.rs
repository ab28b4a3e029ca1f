//! The `login` credential provider (botocore's `LoginProvider`, `LoginCredentialFetcher` and
//! `LoginTokenLoader`): a profile's `login_session` names a token that `aws login` cached in
//! `~/.aws/login/cache/<SHA-256 of the session name>.json` (or under
//! `AWS_LOGIN_CACHE_DIRECTORY`). The token's access token is the credentials. When it has five
//! minutes or less to live, its refresh token is exchanged with the sign-in service's
//! `CreateOAuth2Token` — unsigned, carrying a DPoP proof (RFC 9449) signed with the token's
//! P-256 key — and the refreshed token is written back to the file, as botocore does.

#[cfg(feature = "credentials-login")]
use std::path::PathBuf;
#[cfg(feature = "credentials-login")]
use std::sync::Arc;
#[cfg(feature = "credentials-login")]
use std::time::SystemTime;

#[cfg(feature = "credentials-login")]
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
#[cfg(feature = "credentials-login")]
use base64::Engine as _;
#[cfg(feature = "credentials-login")]
use p256::ecdsa::signature::Signer as _;
#[cfg(feature = "credentials-login")]
use p256::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256};

use super::chain::{Context, Start};
use super::CredentialsError;
#[cfg(feature = "credentials-login")]
use super::{Answer, Credentials, Fetch, Found, ProviderKind};
#[cfg(feature = "credentials-login")]
use crate::machine::Step;
#[cfg(feature = "credentials-login")]
use crate::time::Timestamp;
#[cfg(feature = "credentials-login")]
use crate::value::Value;

#[cfg(feature = "credentials-login")]
const PROVIDER: ProviderKind = ProviderKind::Login;
#[cfg(feature = "credentials-login")]
const SERVICE: &str = "signin";
#[cfg(feature = "credentials-login")]
const OPERATION: &str = "CreateOAuth2Token";
/// A cached access token with more time than this left is used as is.
#[cfg(feature = "credentials-login")]
const REFRESH_THRESHOLD_SECS: i64 = 5 * 60;
#[cfg(feature = "credentials-login")]
const REQUIRED_FIELDS: [&str; 4] = ["accessToken", "refreshToken", "dpopKey", "clientId"];

/// Why the login session gives no credentials (botocore's `LoginTokenLoadError`,
/// `LoginRefreshRequired`, `LoginInsufficientPermissions` and `LoginError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// The cached token is missing, incomplete or unusable.
    #[error("{0}")]
    TokenLoad(String),
    /// The session expired or the user's credentials changed: run `aws login` again.
    #[error("Your session has expired or your credentials have changed. Please reauthenticate using 'aws login'.")]
    RefreshRequired,
    /// The user may not refresh the session.
    #[error("Unable to refresh credentials due to insufficient permissions. You may be missing permission for the 'CreateOAuth2Token' action.")]
    InsufficientPermissions,
    /// The sign-in service refused the refresh for another reason.
    #[error("An error occurred while refreshing your login session: {0}")]
    Refresh(String),
    /// The profile names a `login_session`, and this build left out sansboto-core's
    /// `credentials-login` feature. Resolution stops here rather than skipping to another
    /// provider, which botocore would not have used.
    #[error("profile {profile} uses login_session, which needs sansboto's `credentials-login` feature (on by default); this build leaves it out")]
    NotBuilt {
        /// The profile.
        profile: String,
    },
}

#[cfg(feature = "credentials-login")]
fn token_load(message: impl Into<String>) -> CredentialsError {
    CredentialsError::Login(LoginError::TokenLoad(message.into()))
}

/// botocore's `generate_login_cache_key`: the SHA-256 (hex) of the session name.
pub fn token_cache_key(session_name: &str) -> String {
    crate::encoding::hex(&Sha256::digest(session_name.as_bytes()))
}

#[cfg(feature = "credentials-login")]
enum State {
    ReadToken,
    AwaitToken,
    AwaitRefresh(serde_json::Map<String, serde_json::Value>),
    AwaitWrite(Credentials),
    Done,
}

/// Without the `credentials-login` feature: the provider's place in the chain, which stops
/// resolution with [`LoginError::NotBuilt`] where the provider would have run.
#[cfg(not(feature = "credentials-login"))]
pub(crate) struct LoginFetch;

#[cfg(not(feature = "credentials-login"))]
impl LoginFetch {
    pub(crate) fn start(ctx: &std::sync::Arc<Context>, profile: &str) -> Start {
        match ctx.profile_text(profile, "login_session") {
            Some(_) => Start::Fail(CredentialsError::Login(LoginError::NotBuilt {
                profile: profile.to_string(),
            })),
            None => Start::Skip(format!("no login_session in profile {profile}")),
        }
    }
}

#[cfg(feature = "credentials-login")]
pub(crate) struct LoginFetch {
    ctx: Arc<Context>,
    session: String,
    path: PathBuf,
    state: State,
    answer: Option<Answer>,
}

#[cfg(feature = "credentials-login")]
impl LoginFetch {
    pub(crate) fn start(ctx: &Arc<Context>, profile: &str) -> Start {
        let Some(session) = ctx.profile_text(profile, "login_session") else {
            return Start::Skip(format!("no login_session in profile {profile}"));
        };
        let dir = match ctx.env("AWS_LOGIN_CACHE_DIRECTORY") {
            Some(dir) => match (dir.strip_prefix("~"), ctx.home()) {
                (Some(rest), Some(home)) => home.join(rest.trim_start_matches('/')),
                _ => PathBuf::from(dir),
            },
            None => match ctx.home() {
                Some(home) => home.join(".aws").join("login").join("cache"),
                None => PathBuf::from("~/.aws/login/cache"),
            },
        };
        Start::Run(Box::new(LoginFetch {
            ctx: ctx.clone(),
            path: dir.join(format!("{}.json", token_cache_key(session))),
            session: session.to_string(),
            state: State::ReadToken,
            answer: None,
        }))
    }

    /// The cached token, checked for the fields a refresh needs.
    fn read_token(
        &self,
        answer: Option<Answer>,
    ) -> Result<serde_json::Map<String, serde_json::Value>, CredentialsError> {
        let missing = || {
            token_load(format!(
                "Unable to load a existing login session for session {}. Please reauthenticate \
                 with 'aws login'.",
                self.session
            ))
        };
        let bytes = match answer {
            Some(Answer::File(Ok(bytes))) => bytes,
            Some(Answer::File(Err(_))) => return Err(missing()),
            _ => return Err(CredentialsError::Protocol("expected the login token file")),
        };
        let Ok(serde_json::Value::Object(token)) = serde_json::from_slice(&bytes) else {
            return Err(missing());
        };
        let absent: Vec<&str> = REQUIRED_FIELDS
            .into_iter()
            .filter(|k| !token.contains_key(*k))
            .collect();
        if !absent.is_empty() {
            return Err(token_load(format!(
                "Failed to load access token from token cache, missing required fields: {}.",
                absent.join(", ")
            )));
        }
        Ok(token)
    }

    /// Exchange the refresh token: the `CreateOAuth2Token` request with its DPoP proof.
    fn refresh_request(
        &self,
        token: &serde_json::Map<String, serde_json::Value>,
        now: SystemTime,
    ) -> Result<http::Request<crate::body::Body>, CredentialsError> {
        let key = signing_key(token)?;
        let text = |k: &str| token.get(k).and_then(|v| v.as_str()).unwrap_or_default();
        let params = crate::params! {"tokenInput": crate::params! {
            "clientId": text("clientId"),
            "refreshToken": text("refreshToken"),
            "grantType": "refresh_token",
        }};
        let api = self
            .ctx
            .api
            .as_ref()
            .ok_or(CredentialsError::Protocol("sign-in caller vanished"))?;
        // The token's sign-in region wins over the configured one (older tokens have none).
        let region = token.get("signInRegion").and_then(|v| v.as_str());
        let mut request = api
            .build_in_region(SERVICE, region, OPERATION, &params, None, now)
            .map_err(|error| super::build_failed(PROVIDER, OPERATION, error))?;
        let jti = self
            .ctx
            .random
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .uuid4();
        let proof = dpop_proof(&key, &request.uri().to_string(), unix_secs(now), &jti);
        let value = http::HeaderValue::from_str(&proof)
            .map_err(|_| token_load("the DPoP proof is not a legal header value"))?;
        request.headers_mut().insert("DPoP", value);
        Ok(request)
    }

    /// The refreshed token, from the sign-in service's answer.
    fn refreshed(
        &self,
        mut token: serde_json::Map<String, serde_json::Value>,
        answer: Option<Answer>,
        now: SystemTime,
    ) -> Result<serde_json::Map<String, serde_json::Value>, CredentialsError> {
        let response = match answer {
            Some(Answer::Response(Ok(response))) => response,
            Some(Answer::Response(Err(error))) => {
                return Err(CredentialsError::Retrieval {
                    provider: PROVIDER,
                    message: format!("{OPERATION}: {error}"),
                })
            }
            _ => return Err(CredentialsError::Protocol("expected an HTTP response")),
        };
        let api = self
            .ctx
            .api
            .as_ref()
            .ok_or(CredentialsError::Protocol("sign-in caller vanished"))?;
        // The `error` member of AccessDeniedException says which failure it is; the parsed
        // error carries only the code, so it is read from the body.
        let error_member = serde_json::from_slice::<serde_json::Value>(response.body())
            .ok()
            .and_then(|j| j.get("error").and_then(|e| e.as_str()).map(String::from));
        let output = match api.parse(SERVICE, OPERATION, response) {
            Ok(output) => output,
            Err(e) if e.code == "AccessDeniedException" => {
                return Err(CredentialsError::Login(match error_member.as_deref() {
                    Some("TOKEN_EXPIRED" | "USER_CREDENTIALS_CHANGED") => {
                        LoginError::RefreshRequired
                    }
                    Some("INSUFFICIENT_PERMISSIONS") => LoginError::InsufficientPermissions,
                    _ => LoginError::Refresh(e.to_string()),
                }))
            }
            Err(error) => {
                return Err(CredentialsError::Api {
                    provider: PROVIDER,
                    operation: OPERATION,
                    error,
                })
            }
        };
        let invalid = || {
            token_load(
                "Unable to refresh access token due to an invalid service response. Please try \
                 running 'aws login' again. If the issue persists, there may be a temporary \
                 signin service problem.",
            )
        };
        let out = output.get("tokenOutput").ok_or_else(invalid)?;
        let access = out.get("accessToken").ok_or_else(invalid)?;
        let field = |v: &Value, k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(|s| serde_json::Value::String(s.to_string()))
                .ok_or_else(invalid)
        };
        let expires_in = out
            .get("expiresIn")
            .and_then(Value::as_i64)
            .ok_or_else(invalid)?;
        let account_id = token
            .get("accessToken")
            .and_then(|a| a.get("accountId"))
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        // Whole seconds, as botocore's `%Y-%m-%dT%H:%M:%SZ`.
        // A lifetime ending outside years 1 to 9999 is refused, as botocore's `datetime`
        // arithmetic refuses it (`OverflowError`).
        let expires_at = unix_secs(now)
            .checked_add(expires_in)
            .map(Timestamp::from_secs)
            .filter(Timestamp::in_datetime_range)
            .ok_or_else(invalid)?
            .to_iso8601();
        let mut new_access = serde_json::Map::new();
        new_access.insert("accessKeyId".into(), field(access, "accessKeyId")?);
        new_access.insert("secretAccessKey".into(), field(access, "secretAccessKey")?);
        new_access.insert("sessionToken".into(), field(access, "sessionToken")?);
        new_access.insert("accountId".into(), account_id);
        new_access.insert("expiresAt".into(), expires_at.into());
        // Replacing keeps each key where the file had it (botocore's `dict.update`).
        token.insert("accessToken".into(), new_access.into());
        token.insert("refreshToken".into(), field(out, "refreshToken")?);
        Ok(token)
    }
}

#[cfg(feature = "credentials-login")]
impl Fetch for LoginFetch {
    fn poll(&mut self, now: SystemTime) -> Step<Found, CredentialsError> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::ReadToken => {
                self.state = State::AwaitToken;
                Step::ReadFile(self.path.clone())
            }
            State::AwaitToken => {
                let answer = self.answer.take();
                let token = match self.read_token(answer) {
                    Ok(token) => token,
                    Err(e) => return Step::Failed(e),
                };
                let creds = match token_credentials(&token) {
                    Ok(creds) => creds,
                    Err(e) => return Step::Failed(e),
                };
                // botocore hands out the cached credentials and refreshes them once they are
                // within five minutes of expiring.
                let fresh = creds.expiry().is_some_and(|expiry| {
                    expiry
                        .duration_since(now)
                        .is_ok_and(|left| left.as_secs() as i64 > REFRESH_THRESHOLD_SECS)
                });
                if fresh {
                    return Step::Done(Ok(creds));
                }
                match self.refresh_request(&token, now) {
                    Ok(request) => {
                        self.state = State::AwaitRefresh(token);
                        Step::Send(request)
                    }
                    Err(e) => Step::Failed(e),
                }
            }
            State::AwaitRefresh(token) => {
                let answer = self.answer.take();
                let token = match self.refreshed(token, answer, now) {
                    Ok(token) => token,
                    Err(e) => return Step::Failed(e),
                };
                let creds = match token_credentials(&token) {
                    Ok(creds) => creds,
                    Err(e) => return Step::Failed(e),
                };
                self.state = State::AwaitWrite(creds);
                Step::WriteFile(self.path.clone(), python_json(&token).into())
            }
            State::AwaitWrite(creds) => match self.answer.take() {
                Some(Answer::Written(Ok(()))) => Step::Done(Ok(creds)),
                Some(Answer::Written(Err(error))) => Step::Failed(CredentialsError::Retrieval {
                    provider: PROVIDER,
                    message: format!(
                        "cannot save the refreshed token to {}: {error}",
                        self.path.display()
                    ),
                }),
                _ => Step::Failed(CredentialsError::Protocol("expected a file write outcome")),
            },
            State::Done => Step::Failed(CredentialsError::Protocol("login provider finished")),
        }
    }

    fn answer(&mut self, answer: Answer) {
        self.answer = Some(answer);
    }
}

#[cfg(feature = "credentials-login")]
fn unix_secs(t: SystemTime) -> i64 {
    Timestamp::from_system_time(t).secs()
}

#[cfg(feature = "credentials-login")]
/// botocore's `_token_to_credentials`.
fn token_credentials(
    token: &serde_json::Map<String, serde_json::Value>,
) -> Result<Credentials, CredentialsError> {
    let access = token
        .get("accessToken")
        .ok_or_else(|| token_load("the cached token has no accessToken"))?;
    let text = |k: &str| {
        access
            .get(k)
            .and_then(|v| v.as_str())
            .ok_or_else(|| token_load(format!("the cached access token has no {k}")))
    };
    let expires = Timestamp::parse_any(text("expiresAt")?)
        .map_err(|_| token_load("the cached access token's expiresAt is not a time"))?;
    Ok(Credentials::new(
        text("accessKeyId")?,
        text("secretAccessKey")?,
        Some(text("sessionToken")?.to_string()),
        Some(expires.to_system_time()),
    )
    .with_account_id(access.get("accountId").and_then(|v| v.as_str())))
}

#[cfg(feature = "credentials-login")]
/// botocore's `_load_private_key`: the PEM's base64 body, an EC private key in SEC1 DER.
fn signing_key(
    token: &serde_json::Map<String, serde_json::Value>,
) -> Result<SigningKey, CredentialsError> {
    let pem = token
        .get("dpopKey")
        .and_then(|v| v.as_str())
        .ok_or_else(|| token_load("Private key not found in cached token."))?;
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----BEGIN") && !l.starts_with("-----END"))
        .collect::<String>()
        .trim()
        .to_string();
    let unusable = || token_load("Unable to load private key from cached token.");
    let der = STANDARD.decode(body).map_err(|_| unusable())?;
    let secret = p256::SecretKey::from_sec1_der(&der).map_err(|_| unusable())?;
    Ok(SigningKey::from(secret))
}

#[cfg(feature = "credentials-login")]
/// The DPoP proof botocore's `_build_dpop_header` makes: a compact JWS (ES256) whose header
/// carries the public key as a JWK and whose payload names the request (`htm`, `htu`), the time
/// (`iat`) and a unique id (`jti`), each part JSON without spaces, in botocore's key order.
pub fn dpop_proof(key: &SigningKey, url: &str, iat: i64, jti: &str) -> String {
    let point = key.verifying_key().to_encoded_point(false);
    let coordinate =
        |c: Option<&p256::FieldBytes>| c.map(|c| URL_SAFE_NO_PAD.encode(c)).unwrap_or_default();
    let header = serde_json::json!({
        "typ": "dpop+jwt",
        "alg": "ES256",
        "jwk": {
            "kty": "EC",
            "x": coordinate(point.x()),
            "y": coordinate(point.y()),
            "crv": "P-256",
        },
    });
    let payload = serde_json::json!({"htm": "POST", "htu": url, "iat": iat, "jti": jti});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let signature: Signature = key.sign(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    )
}

/// The token as botocore's `JSONFileCache` saves it: Python's `json.dumps` by default.
#[cfg(feature = "credentials-login")]
fn python_json(token: &serde_json::Map<String, serde_json::Value>) -> Vec<u8> {
    crate::serialize::python_dumps(&serde_json::Value::Object(token.clone())).into_bytes()
}

#[cfg(all(test, feature = "credentials-login"))]
mod tests {
    use super::*;

    #[test]
    fn the_cache_key_is_the_sha256_of_the_session_name() {
        assert_eq!(
            token_cache_key("arn:aws:iam::0123456789012:user/Admin"),
            "36db1d138ff460920374e4c3d8e01f53f9f73537e89c88d639f68393df0e2726"
        );
    }

    #[test]
    fn tokens_are_saved_as_python_writes_json() {
        let token: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"b": {"x": 1, "y": [true, null]}, "a": "caf\u00e9\n"}"#)
                .unwrap();
        assert_eq!(
            String::from_utf8(python_json(&token)).unwrap(),
            r#"{"b": {"x": 1, "y": [true, null]}, "a": "caf\u00e9\n"}"#
        );
    }

    #[test]
    fn the_dpop_proof_verifies_with_the_key_it_carries() {
        use p256::ecdsa::signature::Verifier as _;
        let key = SigningKey::from(p256::SecretKey::from_slice(&[7u8; 32]).unwrap());
        let proof = dpop_proof(
            &key,
            "https://us-east-1.signin.aws/v1/token",
            1_700_000_000,
            "j",
        );
        let parts: Vec<&str> = proof.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert!(header.starts_with(r#"{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","x":""#));
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(
            payload,
            r#"{"htm":"POST","htu":"https://us-east-1.signin.aws/v1/token","iat":1700000000,"jti":"j"}"#
        );
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
        key.verifying_key()
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .unwrap();
    }
}
