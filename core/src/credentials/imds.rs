//! EC2 instance metadata credentials (botocore's `InstanceMetadataFetcher`): an IMDSv2 session
//! token (`PUT /latest/api/token`), the role name, then the role's credentials JSON, with
//! botocore's fallback to IMDSv1 when the token request is refused (403/404/405), times out or
//! keeps failing, unless v1 is disabled.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::chain::{ChainOptions, Context, Start};
use super::{
    credentials_from_value, Answer, Credentials, CredentialsError, Fetch, Found, ProviderKind,
};
use crate::body::Body;
use crate::config::{setting, ConfigError, ConfigSources, VarSource};
use crate::error::transport::TransportErrorKind;
use crate::machine::{RequestTimeout, Step};
use crate::time::Timestamp;
use crate::value::Value;

const PROVIDER: ProviderKind = ProviderKind::InstanceMetadata;
const BASE_URL_IPV4: &str = "http://169.254.169.254/";
const BASE_URL_IPV6: &str = "http://[fd00:ec2::254]/";
const TOKEN_PATH: &str = "latest/api/token";
const CREDENTIALS_PATH: &str = "latest/meta-data/iam/security-credentials/";
const TOKEN_TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_TTL: &str = "21600";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
/// botocore passes the advisory refresh window (15 min) as `ec2_credential_refresh_window`.
const REFRESH_WINDOW: Duration = Duration::from_secs(15 * 60);

/// IMDS settings, resolved once when the chain is built.
#[derive(Debug, Clone)]
pub(crate) struct ImdsConfig {
    base_url: String,
    timeout: Duration,
    attempts: u32,
    disabled: bool,
    v1_disabled: bool,
}

fn invalid(setting: &'static str, value: &str, expected: &'static str) -> ConfigError {
    ConfigError::InvalidValue {
        setting,
        origin: crate::config::SettingSource::Explicit,
        value: value.to_string(),
        expected,
    }
}

impl ImdsConfig {
    pub(crate) fn resolve(
        sources: &ConfigSources<'_>,
        options: &ChainOptions,
        env: &dyn VarSource,
    ) -> Result<Self, CredentialsError> {
        let timeout = match options.imds_timeout {
            Some(t) => t,
            None => {
                let secs = sources
                    .integer(&setting::METADATA_SERVICE_TIMEOUT)?
                    .unwrap_or(1);
                let secs = u64::try_from(secs).map_err(|_| {
                    invalid(
                        setting::METADATA_SERVICE_TIMEOUT.name,
                        &secs.to_string(),
                        "seconds >= 0",
                    )
                })?;
                Duration::from_secs(secs)
            }
        };
        let attempts = match options.imds_attempts {
            Some(n) => n,
            None => {
                let n = sources
                    .integer(&setting::METADATA_SERVICE_NUM_ATTEMPTS)?
                    .unwrap_or(1);
                u32::try_from(n).map_err(|_| {
                    invalid(
                        setting::METADATA_SERVICE_NUM_ATTEMPTS.name,
                        &n.to_string(),
                        "a count >= 0",
                    )
                })?
            }
        };
        let mode = match sources.text(&setting::EC2_METADATA_SERVICE_ENDPOINT_MODE)? {
            Some(mode) => match mode.to_ascii_lowercase().as_str() {
                "ipv4" => false,
                "ipv6" => true,
                _ => {
                    return Err(CredentialsError::InvalidConfig(format!(
                        "invalid IMDS endpoint mode {mode:?}: expected ipv4 or ipv6"
                    )))
                }
            },
            None => sources.boolean(&setting::IMDS_USE_IPV6)?.unwrap_or(false),
        };
        // A custom endpoint wins over the IPv6 mode, as in botocore.
        let base_url = match sources.text(&setting::EC2_METADATA_SERVICE_ENDPOINT)? {
            Some(endpoint) => endpoint.to_string(),
            None if mode => BASE_URL_IPV6.to_string(),
            None => BASE_URL_IPV4.to_string(),
        };
        match base_url.parse::<http::Uri>() {
            Ok(uri) if uri.scheme().is_some() && uri.host().is_some() => {}
            _ => {
                return Err(CredentialsError::InvalidConfig(format!(
                    "invalid IMDS endpoint {base_url:?}"
                )))
            }
        }
        // botocore's fetcher reads this variable from the environment only.
        let disabled = options.imds_disabled
            || env
                .var("AWS_EC2_METADATA_DISABLED")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let v1_disabled = sources
            .boolean(&setting::EC2_METADATA_V1_DISABLED)?
            .unwrap_or(false);
        Ok(ImdsConfig {
            base_url,
            timeout,
            attempts,
            disabled,
            v1_disabled,
        })
    }

    fn url(&self, path: &str) -> String {
        let sep = if self.base_url.ends_with('/') {
            ""
        } else {
            "/"
        };
        format!("{}{sep}{path}", self.base_url)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Token,
    Role,
    Credentials,
}

pub(crate) struct ImdsFetch {
    ctx: Arc<Context>,
    phase: Phase,
    attempt: u32,
    awaiting: bool,
    token: Option<String>,
    role: Option<String>,
    last_error: String,
    answer: Option<Answer>,
}

/// What one answer means for the current phase.
enum Outcome {
    /// Move on with this value (token, role name) or, for the token, without one.
    Next(Option<String>),
    /// Credentials found.
    Found(Credentials),
    /// This attempt failed; try again while attempts remain.
    Retry(String),
    /// Give up: IMDS has nothing for us.
    Nothing(String),
}

impl ImdsFetch {
    pub(crate) fn start(ctx: &Arc<Context>) -> Start {
        if ctx.imds.disabled {
            return Start::Skip("disabled (AWS_EC2_METADATA_DISABLED)".into());
        }
        Start::Run(Box::new(ImdsFetch {
            ctx: ctx.clone(),
            phase: Phase::Token,
            attempt: 0,
            awaiting: false,
            token: None,
            role: None,
            last_error: String::new(),
            answer: None,
        }))
    }

    fn request(&self) -> Result<http::Request<Body>, CredentialsError> {
        let config = &self.ctx.imds;
        let builder = match self.phase {
            Phase::Token => {
                http::Request::put(config.url(TOKEN_PATH)).header(TOKEN_TTL_HEADER, TOKEN_TTL)
            }
            Phase::Role => http::Request::get(config.url(CREDENTIALS_PATH)),
            Phase::Credentials => {
                let role = self.role.as_deref().unwrap_or_default();
                http::Request::get(config.url(&format!("{CREDENTIALS_PATH}{role}")))
            }
        };
        let builder = match (&self.token, self.phase) {
            (Some(token), Phase::Role | Phase::Credentials) => {
                builder.header(TOKEN_HEADER, token.as_str())
            }
            _ => builder,
        };
        builder
            .extension(RequestTimeout(config.timeout))
            .body(Body::Empty)
            .map_err(|e| CredentialsError::InvalidConfig(format!("invalid IMDS request URL: {e}")))
    }

    fn outcome(
        &mut self,
        answer: Option<Answer>,
        now: SystemTime,
    ) -> Result<Outcome, CredentialsError> {
        let response = match answer {
            Some(Answer::Response(Ok(response))) => response,
            Some(Answer::Response(Err(error))) => {
                return match (self.phase, error.kind) {
                    // A read timeout on the token request means "no IMDSv2 here": fall back.
                    (Phase::Token, TransportErrorKind::Timeout) => Ok(Outcome::Next(None)),
                    (_, kind) if kind.is_retryable() => Ok(Outcome::Retry(error.to_string())),
                    _ => Err(CredentialsError::Retrieval {
                        provider: PROVIDER,
                        message: error.to_string(),
                    }),
                };
            }
            _ => return Err(CredentialsError::Protocol("expected an HTTP response")),
        };
        let status = response.status().as_u16();
        let body = response.body();
        match self.phase {
            Phase::Token => Ok(match status {
                200 => Outcome::Next(Some(String::from_utf8_lossy(body).into_owned())),
                403..=405 => Outcome::Next(None),
                400 => Outcome::Nothing("the token request was rejected (400)".into()),
                other => Outcome::Retry(format!("token request returned {other}")),
            }),
            _ if status != 200 => Ok(Outcome::Retry(format!(
                "metadata service returned {status}"
            ))),
            _ if body.is_empty() => Ok(Outcome::Retry("metadata service returned no body".into())),
            Phase::Role => Ok(Outcome::Next(Some(
                String::from_utf8_lossy(body).into_owned(),
            ))),
            Phase::Credentials => {
                let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) else {
                    return Ok(Outcome::Retry(
                        "metadata service returned invalid JSON".into(),
                    ));
                };
                let value = Value::from(json);
                for field in ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"] {
                    if value.get(field).is_none() {
                        // IMDS answers 200 with {Code, Message} when the role cannot be used.
                        let detail = match (
                            value.get("Code").and_then(Value::as_str),
                            value.get("Message").and_then(Value::as_str),
                        ) {
                            (Some(code), Some(message)) => format!(": {code}: {message}"),
                            _ => String::new(),
                        };
                        return Ok(Outcome::Nothing(format!(
                            "credentials response has no {field}{detail}"
                        )));
                    }
                }
                let creds = credentials_from_value(
                    &value,
                    ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"],
                )
                .map_err(|why| CredentialsError::Retrieval {
                    provider: PROVIDER,
                    message: format!("credentials response: {why}"),
                })?;
                Ok(Outcome::Found(self.extend_expiry(creds, now)))
            }
        }
    }

    /// botocore's static-stability extension: credentials that would be refreshed right away
    /// (within the refresh window plus 2–10 minutes of jitter) get their expiry pushed to that
    /// distance from now, so an IMDS outage does not turn into a refresh storm.
    fn extend_expiry(&self, creds: Credentials, now: SystemTime) -> Credentials {
        let Some(expiry) = creds.expiry() else {
            return creds;
        };
        let jitter = {
            let mut random = self
                .ctx
                .random
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            120 + random.next_u64() % 481
        };
        let offset = REFRESH_WINDOW + Duration::from_secs(jitter);
        let extension_time = expiry.checked_sub(offset).unwrap_or(SystemTime::UNIX_EPOCH);
        if now < extension_time {
            return creds;
        }
        // Whole seconds, as botocore formats the new expiry.
        let new_expiry = Timestamp::from_secs(Timestamp::from_system_time(now + offset).secs());
        Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            creds.session_token().map(str::to_string),
            Some(new_expiry.to_system_time()),
        )
    }

    fn advance(&mut self, value: Option<String>) -> Result<(), CredentialsError> {
        match self.phase {
            Phase::Token => {
                self.token = value;
                if self.token.is_none() && self.ctx.imds.v1_disabled {
                    return Err(CredentialsError::Retrieval {
                        provider: PROVIDER,
                        message: "unable to retrieve token for use in IMDSv2 call and IMDSv1 has \
                                  been disabled"
                            .into(),
                    });
                }
                self.phase = Phase::Role;
            }
            Phase::Role => {
                self.role = value;
                self.phase = Phase::Credentials;
            }
            Phase::Credentials => {}
        }
        self.attempt = 0;
        Ok(())
    }
}

impl Fetch for ImdsFetch {
    fn poll(&mut self, now: SystemTime) -> Step<Found, CredentialsError> {
        loop {
            if self.awaiting {
                self.awaiting = false;
                let answer = self.answer.take();
                match self.outcome(answer, now) {
                    Ok(Outcome::Found(creds)) => return Step::Done(Ok(creds)),
                    Ok(Outcome::Nothing(why)) => return Step::Done(Err(why)),
                    Ok(Outcome::Next(value)) => {
                        if let Err(error) = self.advance(value) {
                            return Step::Failed(error);
                        }
                    }
                    Ok(Outcome::Retry(why)) => {
                        self.last_error = why;
                        self.attempt += 1;
                    }
                    Err(error) => return Step::Failed(error),
                }
            }
            if self.attempt >= self.ctx.imds.attempts {
                if self.phase == Phase::Token {
                    // botocore gives up on the token quietly and tries IMDSv1.
                    if let Err(error) = self.advance(None) {
                        return Step::Failed(error);
                    }
                    continue;
                }
                let why = if self.last_error.is_empty() {
                    "no attempts allowed".to_string()
                } else {
                    std::mem::take(&mut self.last_error)
                };
                return Step::Done(Err(why));
            }
            return match self.request() {
                Ok(request) => {
                    self.awaiting = true;
                    Step::Send(request)
                }
                Err(error) => Step::Failed(error),
            };
        }
    }

    fn answer(&mut self, answer: Answer) {
        self.answer = Some(answer);
    }
}
