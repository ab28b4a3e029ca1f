//! IAM Identity Center (SSO) role credentials (botocore's `SSOProvider`,
//! `SSOCredentialFetcher`, `SSOTokenLoader`): read the cached access token from
//! `~/.aws/sso/cache/<sha1 of session name or start URL>.json`, then call the portal's
//! `GetRoleCredentials` (a plain unsigned REST-JSON GET with the bearer token in a header).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use sha1::{Digest, Sha1};

use super::chain::{Context, Start};
use super::{Answer, Credentials, CredentialsError, Fetch, Found, ProviderKind};
use crate::body::Body;
use crate::config::Section;
use crate::encoding::{hex, percent_encode};
use crate::machine::Step;
use crate::time::Timestamp;

const PROVIDER: ProviderKind = ProviderKind::Sso;
const EXPIRED: &str = "the SSO session associated with this profile has expired or is otherwise \
                       invalid; to refresh this SSO session run `aws sso login` with the \
                       corresponding profile";

/// The resolved SSO settings of a profile.
#[derive(Debug, Clone)]
struct SsoConfig {
    start_url: String,
    region: String,
    role_name: String,
    account_id: String,
    session_name: Option<String>,
}

fn text<'a>(section: &'a Section, key: &str) -> Option<&'a str> {
    section.get(key)?.as_text()
}

fn invalid(message: String) -> CredentialsError {
    CredentialsError::InvalidConfig(message)
}

/// botocore's `_load_sso_config`: `None` when the profile does not use SSO credentials.
fn load_config(ctx: &Context, profile: &str) -> Result<Option<SsoConfig>, CredentialsError> {
    let Some(section) = ctx.profile(profile) else {
        return Ok(None);
    };
    if !section.contains_key("sso_role_name") && !section.contains_key("sso_account_id") {
        return Ok(None);
    }
    // Settings from the referenced sso-session merge over the profile's; both must agree.
    let mut merged: Vec<(&str, &str)> = Vec::new();
    let session_name = text(section, "sso_session");
    if let Some(name) = session_name {
        let session = ctx.shared().sso_sessions().get(name).ok_or_else(|| {
            invalid(format!(
                "the specified sso-session does not exist: {name:?}"
            ))
        })?;
        for (key, value) in session {
            let Some(value) = value.as_text() else {
                continue;
            };
            if let Some(own) = text(section, key) {
                if own != value {
                    return Err(invalid(format!(
                        "the value for {key} is inconsistent between profile ({own}) and \
                         sso-session ({value})"
                    )));
                }
            }
            merged.push((key.as_str(), value));
        }
    }
    let get = |key: &str| {
        merged
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .or_else(|| text(section, key))
    };
    let mut required = vec![
        "sso_role_name",
        "sso_account_id",
        "sso_start_url",
        "sso_region",
    ];
    if session_name.is_some() {
        required.push("sso_session");
    }
    let missing: Vec<&str> = required.into_iter().filter(|k| get(k).is_none()).collect();
    if !missing.is_empty() {
        return Err(invalid(format!(
            "the profile {profile:?} is configured to use SSO but is missing required \
             configuration: {}",
            missing.join(", ")
        )));
    }
    let field = |key: &str| get(key).unwrap_or_default().to_string();
    Ok(Some(SsoConfig {
        start_url: field("sso_start_url"),
        region: field("sso_region"),
        role_name: field("sso_role_name"),
        account_id: field("sso_account_id"),
        session_name: session_name.map(str::to_string),
    }))
}

/// The cache file name botocore uses for a token: the SHA-1 (hex) of the session name, or of
/// the start URL for legacy profiles.
pub fn token_cache_key(start_url: &str, session_name: Option<&str>) -> String {
    let digest = Sha1::digest(session_name.unwrap_or(start_url).as_bytes());
    hex(&digest)
}

/// The portal's DNS suffix for a region (the China partition differs).
fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}

enum State {
    ReadToken,
    AwaitToken,
    AwaitCredentials,
}

pub(crate) struct SsoFetch {
    config: SsoConfig,
    cache_path: PathBuf,
    state: State,
    answer: Option<Answer>,
}

impl SsoFetch {
    pub(crate) fn start(ctx: &Arc<Context>, profile: &str) -> Start {
        let config = match load_config(ctx, profile) {
            Ok(Some(config)) => config,
            Ok(None) => {
                return Start::Skip(format!(
                    "no sso_role_name/sso_account_id in profile {profile}"
                ))
            }
            Err(error) => return Start::Fail(error),
        };
        // The region becomes a host name label: refuse anything else.
        if config.region.is_empty()
            || !config
                .region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Start::Fail(invalid(format!("invalid sso_region {:?}", config.region)));
        }
        let key = token_cache_key(&config.start_url, config.session_name.as_deref());
        let dir = match ctx.home() {
            Some(home) => home.join(".aws").join("sso").join("cache"),
            None => PathBuf::from("~/.aws/sso/cache"),
        };
        Start::Run(Box::new(SsoFetch {
            cache_path: dir.join(format!("{key}.json")),
            config,
            state: State::ReadToken,
            answer: None,
        }))
    }

    fn token_name(&self) -> &str {
        self.config
            .session_name
            .as_deref()
            .unwrap_or(&self.config.start_url)
    }

    /// The access token from the cache file's bytes, if present, well-formed and unexpired.
    fn read_token(
        &self,
        answer: Option<Answer>,
        now: SystemTime,
    ) -> Result<String, CredentialsError> {
        let bytes = match answer {
            Some(Answer::File(Ok(bytes))) => bytes,
            Some(Answer::File(Err(error))) => {
                return Err(CredentialsError::SsoToken(format!(
                    "token for {} does not exist ({}: {error})",
                    self.token_name(),
                    self.cache_path.display()
                )))
            }
            _ => {
                return Err(CredentialsError::Protocol(
                    "expected the SSO token cache file",
                ))
            }
        };
        let invalid_token =
            || CredentialsError::SsoToken(format!("token for {} is invalid", self.token_name()));
        let json: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|_| invalid_token())?;
        let token = json.get("accessToken").and_then(|v| v.as_str());
        let expires = json.get("expiresAt").and_then(|v| v.as_str());
        let (Some(token), Some(expires)) = (token, expires) else {
            return Err(invalid_token());
        };
        let expires = Timestamp::parse_any(expires).map_err(|_| invalid_token())?;
        // Refreshing a near-expiry sso-session token through SSO-OIDC is not done here; an
        // expired token is an error either way, as in botocore.
        if expires.to_system_time() <= now {
            return Err(CredentialsError::SsoToken(EXPIRED.into()));
        }
        Ok(token.to_string())
    }

    fn request(&self, token: &str) -> Result<http::Request<Body>, CredentialsError> {
        let url = format!(
            "https://portal.sso.{region}.{suffix}/federation/credentials?role_name={role}&account_id={account}",
            region = self.config.region,
            suffix = dns_suffix(&self.config.region),
            role = percent_encode(&self.config.role_name, b""),
            account = percent_encode(&self.config.account_id, b""),
        );
        http::Request::get(url)
            .header("x-amz-sso_bearer_token", token)
            .body(Body::Empty)
            .map_err(|_| {
                CredentialsError::SsoToken("the cached token is not a legal header value".into())
            })
    }

    fn read_credentials(&self, answer: Option<Answer>) -> Result<Credentials, CredentialsError> {
        let response = match answer {
            Some(Answer::Response(Ok(response))) => response,
            Some(Answer::Response(Err(error))) => {
                return Err(CredentialsError::Retrieval {
                    provider: PROVIDER,
                    message: format!("GetRoleCredentials: {error}"),
                })
            }
            _ => return Err(CredentialsError::Protocol("expected an HTTP response")),
        };
        let status = response.status().as_u16();
        let json: Option<serde_json::Value> = serde_json::from_slice(response.body()).ok();
        if status != 200 {
            let code = response
                .headers()
                .get("x-amzn-errortype")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(':').next().unwrap_or(v).to_string())
                .or_else(|| {
                    let j = json.as_ref()?;
                    j.get("__type")
                        .or_else(|| j.get("code"))
                        .and_then(|v| v.as_str())
                        .map(|s| s.rsplit('#').next().unwrap_or(s).to_string())
                })
                .unwrap_or_else(|| format!("HTTP {status}"));
            if code == "UnauthorizedException" || status == 401 {
                return Err(CredentialsError::SsoToken(EXPIRED.into()));
            }
            let message = json
                .as_ref()
                .and_then(|j| j.get("message").or_else(|| j.get("Message")))
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            return Err(CredentialsError::Api {
                provider: PROVIDER,
                operation: "GetRoleCredentials",
                error: super::ApiCallError {
                    code,
                    message: message.to_string(),
                    status: Some(status),
                },
            });
        }
        let retrieval = |message: &str| CredentialsError::Retrieval {
            provider: PROVIDER,
            message: format!("GetRoleCredentials response: {message}"),
        };
        let role = json
            .as_ref()
            .and_then(|j| j.get("roleCredentials"))
            .ok_or_else(|| retrieval("no roleCredentials"))?;
        let field = |key: &str| {
            role.get(key)
                .and_then(|v| v.as_str())
                .ok_or_else(|| retrieval(&format!("no {key}")))
        };
        let expiration_ms = role
            .get("expiration")
            .and_then(|v| v.as_f64())
            .ok_or_else(|| retrieval("no expiration"))?;
        // botocore keeps whole seconds of the millisecond epoch, and fails on one outside its
        // `datetime`'s years (`ValueError`).
        let expiry = Timestamp::from_epoch_f64((expiration_ms.max(0.0) / 1000.0).floor())
            .ok_or_else(|| retrieval("expiration out of range"))?
            .to_system_time();
        Ok(Credentials::new(
            field("accessKeyId")?,
            field("secretAccessKey")?,
            Some(field("sessionToken")?.to_string()),
            Some(expiry),
        )
        .with_account_id(Some(self.config.account_id.as_str())))
    }
}

impl Fetch for SsoFetch {
    fn poll(&mut self, now: SystemTime) -> Step<Found, CredentialsError> {
        match self.state {
            State::ReadToken => {
                self.state = State::AwaitToken;
                Step::ReadFile(self.cache_path.clone())
            }
            State::AwaitToken => {
                let answer = self.answer.take();
                match self.read_token(answer, now).and_then(|t| self.request(&t)) {
                    Ok(request) => {
                        self.state = State::AwaitCredentials;
                        Step::Send(request)
                    }
                    Err(error) => Step::Failed(error),
                }
            }
            State::AwaitCredentials => {
                let answer = self.answer.take();
                match self.read_credentials(answer) {
                    Ok(creds) => Step::Done(Ok(creds)),
                    Err(error) => Step::Failed(error),
                }
            }
        }
    }

    fn answer(&mut self, answer: Answer) {
        self.answer = Some(answer);
    }
}
