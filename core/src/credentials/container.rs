//! The ECS/EKS container credentials endpoint (botocore's `ContainerProvider` and
//! `ContainerMetadataFetcher`): `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` against
//! `169.254.170.2`, or `AWS_CONTAINER_CREDENTIALS_FULL_URI` restricted to HTTPS, loopback
//! addresses and the known container hosts, with an optional authorization token (inline or in
//! a file read on every fetch).

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::chain::{Context, Start};
use super::{credentials_from_value, Answer, CredentialsError, Fetch, Found, ProviderKind};
use crate::body::Body;
use crate::machine::{RequestTimeout, Step};
use crate::value::Value;

const PROVIDER: ProviderKind = ProviderKind::Container;
const CONTAINER_IP: &str = "169.254.170.2";
const ALLOWED_HOSTS: &[&str] = &[CONTAINER_IP, "169.254.170.23", "fd00:ec2::23", "localhost"];
/// botocore's `ContainerMetadataFetcher` constants.
const TIMEOUT: Duration = Duration::from_secs(2);
const ATTEMPTS: u32 = 3;
const RETRY_SLEEP: Duration = Duration::from_secs(1);

enum State {
    ReadToken,
    AwaitToken,
    Request,
    AwaitResponse,
}

pub(crate) struct ContainerFetch {
    url: http::Uri,
    token_file: Option<PathBuf>,
    token: Option<String>,
    state: State,
    attempt: u32,
    last_error: String,
    answer: Option<Answer>,
}

fn retrieval(message: String) -> CredentialsError {
    CredentialsError::Retrieval {
        provider: PROVIDER,
        message,
    }
}

/// botocore accepts any HTTPS URL, a loopback IP, or one of the container hosts.
fn check_allowed(url: &http::Uri) -> Result<(), CredentialsError> {
    if url.scheme_str() == Some("https") {
        return Ok(());
    }
    let host = url
        .host()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let loopback = host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if loopback || ALLOWED_HOSTS.contains(&host.as_str()) {
        Ok(())
    } else {
        Err(CredentialsError::InvalidConfig(format!(
            "unsupported host {host:?} for container credentials: only a loopback address or one \
             of {} is allowed",
            ALLOWED_HOSTS.join(", ")
        )))
    }
}

impl ContainerFetch {
    pub(crate) fn start(ctx: &Arc<Context>) -> Start {
        let url = if let Some(relative) = ctx.env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            format!("http://{CONTAINER_IP}{relative}")
        } else if let Some(full) = ctx.env("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            full.to_string()
        } else {
            return Start::Skip(
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set"
                    .into(),
            );
        };
        let url = match url.parse::<http::Uri>() {
            Ok(url) if url.scheme().is_some() && url.host().is_some() => url,
            _ => {
                return Start::Fail(CredentialsError::InvalidConfig(format!(
                    "container credentials URL {url:?} is not a valid absolute URL"
                )))
            }
        };
        if let Err(error) = check_allowed(&url) {
            return Start::Fail(error);
        }
        let token_file = ctx
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
            .map(PathBuf::from);
        let token = match token_file {
            Some(_) => None,
            None => ctx
                .env("AWS_CONTAINER_AUTHORIZATION_TOKEN")
                .map(str::to_string),
        };
        if let Some(token) = &token {
            if let Err(error) = validate_token(token) {
                return Start::Fail(error);
            }
        }
        let state = if token_file.is_some() {
            State::ReadToken
        } else {
            State::Request
        };
        Start::Run(Box::new(ContainerFetch {
            url,
            token_file,
            token,
            state,
            attempt: 0,
            last_error: String::new(),
            answer: None,
        }))
    }

    fn request(&self) -> Result<http::Request<Body>, CredentialsError> {
        let mut builder = http::Request::get(self.url.clone())
            .header(http::header::ACCEPT, "application/json")
            .extension(RequestTimeout(TIMEOUT));
        if let Some(token) = &self.token {
            builder = builder.header(http::header::AUTHORIZATION, token.as_str());
        }
        builder
            .body(Body::Empty)
            .map_err(|_| retrieval("cannot build the container credentials request".into()))
    }

    /// One answer: credentials, or why this attempt failed (to retry), or a hard failure.
    fn read_response(&mut self, answer: Option<Answer>) -> Result<Option<Found>, CredentialsError> {
        let response = match answer {
            Some(Answer::Response(Ok(response))) => response,
            Some(Answer::Response(Err(error))) => {
                if !error.kind.is_retryable() {
                    return Err(retrieval(error.to_string()));
                }
                self.last_error = error.to_string();
                return Ok(None);
            }
            _ => return Err(CredentialsError::Protocol("expected an HTTP response")),
        };
        if response.status() != http::StatusCode::OK {
            self.last_error = format!(
                "received non 200 response {} from container metadata",
                response.status().as_u16()
            );
            return Ok(None);
        }
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(response.body()) else {
            self.last_error =
                "unable to parse JSON returned from container metadata services".into();
            return Ok(None);
        };
        let value = Value::from(json);
        // botocore requires all four keys (a missing one is a hard error).
        for key in ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"] {
            if value.get(key).is_none() {
                return Err(retrieval(format!(
                    "container metadata response has no {key}"
                )));
            }
        }
        credentials_from_value(
            &value,
            ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"],
        )
        // Kept as given, even empty (botocore's `response.get('AccountId')`); the process
        // provider's empty one falls back to the profile's instead.
        .map(|creds| {
            let account_id = value.get("AccountId").and_then(Value::as_str);
            Some(Ok(creds.with_account_id(account_id)))
        })
        .map_err(|why| retrieval(format!("container metadata response: {why}")))
    }
}

fn validate_token(token: &str) -> Result<(), CredentialsError> {
    if token.contains(['\r', '\n']) {
        return Err(CredentialsError::InvalidConfig(
            "the container authorization token is not a legal header value (it contains a line break)"
                .into(),
        ));
    }
    Ok(())
}

impl Fetch for ContainerFetch {
    fn poll(&mut self, _now: SystemTime) -> Step<Found, CredentialsError> {
        loop {
            match self.state {
                State::ReadToken => {
                    self.state = State::AwaitToken;
                    if let Some(path) = &self.token_file {
                        return Step::ReadFile(path.clone());
                    }
                }
                State::AwaitToken => {
                    let path = self
                        .token_file
                        .as_deref()
                        .unwrap_or(std::path::Path::new(""));
                    match self.answer.take() {
                        // botocore uses the file's text as is (no trimming).
                        Some(Answer::File(Ok(bytes))) => match String::from_utf8(bytes.to_vec()) {
                            Ok(token) => {
                                if let Err(error) = validate_token(&token) {
                                    return Step::Failed(error);
                                }
                                self.token = Some(token);
                            }
                            Err(_) => {
                                return Step::Failed(retrieval(format!(
                                    "authorization token file {} is not UTF-8",
                                    path.display()
                                )))
                            }
                        },
                        Some(Answer::File(Err(error))) => {
                            return Step::Failed(retrieval(format!(
                                "cannot read authorization token file {}: {error}",
                                path.display()
                            )))
                        }
                        _ => {
                            return Step::Failed(CredentialsError::Protocol(
                                "expected the token file",
                            ))
                        }
                    }
                    self.state = State::Request;
                }
                State::Request => {
                    self.state = State::AwaitResponse;
                    return match self.request() {
                        Ok(request) => Step::Send(request),
                        Err(error) => Step::Failed(error),
                    };
                }
                State::AwaitResponse => {
                    let answer = self.answer.take();
                    match self.read_response(answer) {
                        Ok(Some(found)) => return Step::Done(found),
                        Ok(None) => {
                            self.attempt += 1;
                            if self.attempt >= ATTEMPTS {
                                return Step::Failed(retrieval(std::mem::take(
                                    &mut self.last_error,
                                )));
                            }
                            self.state = State::Request;
                            return Step::Sleep(RETRY_SLEEP);
                        }
                        Err(error) => return Step::Failed(error),
                    }
                }
            }
        }
    }

    fn answer(&mut self, answer: Answer) {
        self.answer = Some(answer);
    }
}
