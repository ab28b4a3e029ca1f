//! The credential provider chain, as botocore 1.44.5 walks it, written as sans-IO state
//! machines: [`CredentialChain`] asks for every file, process and HTTP exchange it needs through
//! [`Step`](crate::machine::Step), and [`CredentialsCache`] coordinates refreshes of expiring
//! credentials across threads or tasks without any runtime.
//!
//! Order (first provider that yields credentials wins; a provider that is configured but fails
//! stops the walk with its error, as in botocore): explicit → environment → assume-role (profile
//! `role_arn`) → web identity → SSO → shared credentials file → `login_session` (`aws login`) →
//! `credential_process` → config file → container (ECS/EKS) → EC2 instance metadata (IMDS).
//!
//! STS calls (AssumeRole, AssumeRoleWithWebIdentity) go through an [`ApiCaller`] the client layer
//! implements, so this module never hand-builds an AWS protocol request; the SSO portal, IMDS and
//! the container endpoint are plain HTTP and are built here.

mod cache;
mod chain;
mod container;
mod imds;
mod legacy;
mod login;
mod process;
mod resolve;
mod role_cache;
mod sso;
mod sts;

use std::fmt;
use std::time::SystemTime;

use bytes::Bytes;

use crate::body::Body;
use crate::config::ConfigError;
use crate::error::transport::TransportError;
use crate::machine::ProcessOutput;
use crate::value::Value;

pub use cache::{CacheStatus, CredentialsCache, RefreshPermit};
pub use cache::{ADVISORY_REFRESH_WINDOW, MANDATORY_REFRESH_WINDOW};
pub use chain::{ChainOptions, CredentialChain, MfaCallback, MfaPrompt};
#[cfg(feature = "credentials-login")]
pub use login::dpop_proof;
pub use login::{token_cache_key as login_token_cache_key, LoginError};
pub use resolve::{CredentialSource, ResolveCredentials};
pub use role_cache::AssumeRoleCache;
pub use sso::token_cache_key as sso_token_cache_key;

pub use crate::auth::Credentials;

/// Which provider of the chain produced (or failed to produce) credentials. `Display` gives
/// botocore's method name (`env`, `assume-role`, `iam-role`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProviderKind {
    /// Credentials given explicitly to the client.
    Explicit,
    /// `AWS_ACCESS_KEY_ID` and friends.
    Environment,
    /// `role_arn` in the profile (STS AssumeRole).
    AssumeRole,
    /// `web_identity_token_file` / `AWS_WEB_IDENTITY_TOKEN_FILE` (STS AssumeRoleWithWebIdentity).
    WebIdentity,
    /// IAM Identity Center (SSO) role credentials from a cached token.
    Sso,
    /// Keys in the shared credentials file.
    SharedCredentialsFile,
    /// A `login_session` cached by `aws login` (refreshed with the sign-in service).
    Login,
    /// `credential_process` in the profile.
    Process,
    /// Keys in the config file.
    ConfigFile,
    /// `AWSAccessKeyId` and `AWSSecretKey` in the file `AWS_CREDENTIAL_FILE` names (the EC2 API
    /// tools' format).
    Ec2CredentialsFile,
    /// The `[Credentials]` section of boto2's config (`BOTO_CONFIG`, else `/etc/boto.cfg`, then
    /// `~/.boto`).
    BotoConfig,
    /// The ECS/EKS container credentials endpoint.
    Container,
    /// The EC2 instance metadata service.
    InstanceMetadata,
}

impl ProviderKind {
    /// botocore's `METHOD` name of the provider.
    pub fn method(self) -> &'static str {
        match self {
            ProviderKind::Explicit => "explicit",
            ProviderKind::Environment => "env",
            ProviderKind::AssumeRole => "assume-role",
            ProviderKind::WebIdentity => "assume-role-with-web-identity",
            ProviderKind::Sso => "sso",
            ProviderKind::SharedCredentialsFile => "shared-credentials-file",
            ProviderKind::Process => "custom-process",
            ProviderKind::Login => "login",
            ProviderKind::ConfigFile => "config-file",
            ProviderKind::Ec2CredentialsFile => "ec2-credentials-file",
            ProviderKind::BotoConfig => "boto-config",
            ProviderKind::Container => "container-role",
            ProviderKind::InstanceMetadata => "iam-role",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.method())
    }
}

/// One provider that yielded nothing, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The provider.
    pub provider: ProviderKind,
    /// Why it gave nothing (never contains a secret).
    pub reason: String,
}

/// Everything that can go wrong while resolving credentials. Messages never contain a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// Every provider was tried and none had credentials.
    #[error("no credentials found; tried: {}", DisplayAttempts(.tried))]
    NotFound {
        /// Each provider tried, in order, with its reason.
        tried: Vec<Attempt>,
    },
    /// A provider had to call a service (STS, the sign-in service) whose client needs a region,
    /// and none is configured: botocore's `NoRegionError`, raised while the credentials are
    /// resolved. STS's signed AssumeRole needs one only when given an endpoint URL (otherwise
    /// it goes to STS's global endpoint; the unsigned AssumeRoleWithWebIdentity goes out
    /// either way); the sign-in service, being regional, always does.
    #[error(
        "{provider} cannot make its {operation} call: you must specify a region (region_name, \
         AWS_REGION or AWS_DEFAULT_REGION, or `region` in the profile)"
    )]
    NoRegion {
        /// The provider.
        provider: ProviderKind,
        /// The operation it had to call.
        operation: &'static str,
    },
    /// A provider found some credential values but not all that are required.
    #[error("partial credentials found in {provider}, missing: {missing}")]
    Partial {
        /// The provider.
        provider: ProviderKind,
        /// The missing variable or key.
        missing: String,
    },
    /// The shared configuration is inconsistent or incomplete for the provider it selects.
    #[error("invalid credentials configuration: {0}")]
    InvalidConfig(String),
    /// `source_profile` references form a cycle.
    #[error(
        "infinite loop in credential configuration detected: profile {source_profile:?} \
         was already visited (visited: {visited:?})"
    )]
    InfiniteLoop {
        /// The profile seen twice.
        source_profile: String,
        /// The profiles visited before, in order.
        visited: Vec<String>,
    },
    /// A configured provider could not get credentials (bad response, process failure, …).
    #[error("error when retrieving credentials from {provider}: {message}")]
    Retrieval {
        /// The provider.
        provider: ProviderKind,
        /// What went wrong.
        message: String,
    },
    /// The `login` session's cached token is unusable or could not be refreshed.
    #[error(transparent)]
    Login(#[from] LoginError),
    /// The cached SSO token is missing, invalid or expired, or the portal rejected it.
    #[error("SSO token error: {0}")]
    SsoToken(String),
    /// An STS call made through the [`ApiCaller`] failed.
    #[error("{operation} failed for {provider}: {error}")]
    Api {
        /// The provider.
        provider: ProviderKind,
        /// The STS operation.
        operation: &'static str,
        /// The service's error.
        #[source]
        error: ApiCallError,
    },
    /// A setting the chain reads (IMDS timeout, endpoint, profile, …) is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The driver answered with the wrong kind of answer (e.g. a file for a `Send`), or polled
    /// a machine that had already finished.
    #[error("credential machine misuse: {0}")]
    Protocol(&'static str),
    /// A refresh produced credentials that are already expired.
    #[error("credentials were refreshed, but the refreshed credentials are still expired")]
    RefreshedExpired,
}

struct DisplayAttempts<'a>(&'a [Attempt]);

impl fmt::Display for DisplayAttempts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, attempt) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} ({})", attempt.provider, attempt.reason)?;
        }
        Ok(())
    }
}

/// A modeled service error as the client layer parses it (`code`, `message`, HTTP status).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiCallError {
    /// The error code (`AccessDenied`, `ExpiredTokenException`, …), or a transport-level label.
    pub code: String,
    /// The service's message.
    pub message: String,
    /// The HTTP status, when there was a response.
    pub status: Option<u16>,
}

/// How the chain makes an AWS API call (STS) without knowing protocols or signing: the client
/// layer builds the (signed, when `credentials` is `Some`) request and parses the response.
pub trait ApiCaller: Send + Sync {
    /// Build the HTTP request for `service`/`operation` with `params`. `credentials` is `None`
    /// for unsigned calls (AssumeRoleWithWebIdentity). The error is the client layer's own
    /// (`Error::NoRegion` becomes [`CredentialsError::NoRegion`]).
    fn build(
        &self,
        service: &str,
        operation: &str,
        params: &Value,
        credentials: Option<&Credentials>,
        now: SystemTime,
    ) -> Result<http::Request<Body>, crate::Error>;

    /// [`build`](Self::build) with a client of `region` when one is given (the login provider
    /// calls the sign-in service in its token's region); the default ignores the region.
    fn build_in_region(
        &self,
        service: &str,
        region: Option<&str>,
        operation: &str,
        params: &Value,
        credentials: Option<&Credentials>,
        now: SystemTime,
    ) -> Result<http::Request<Body>, crate::Error> {
        let _ = region;
        self.build(service, operation, params, credentials, now)
    }

    /// Parse the response into the operation's output, or the modeled error.
    fn parse(
        &self,
        service: &str,
        operation: &str,
        response: http::Response<Bytes>,
    ) -> Result<Value, ApiCallError>;
}

/// A request the client layer could not build, as the calling provider's error.
pub(crate) fn build_failed(
    provider: ProviderKind,
    operation: &'static str,
    error: crate::Error,
) -> CredentialsError {
    match error {
        crate::Error::NoRegion => CredentialsError::NoRegion {
            provider,
            operation,
        },
        other => CredentialsError::Retrieval {
            provider,
            message: format!("cannot build the {operation} request: {other}"),
        },
    }
}

/// An answer the driver gives a machine for its last request.
pub(crate) enum Answer {
    Response(Result<http::Response<Bytes>, TransportError>),
    File(std::io::Result<Bytes>),
    // The `login` provider writes its refreshed token back; assume-role, its cache.
    Written(std::io::Result<()>),
    Process(std::io::Result<ProcessOutput>),
    MfaCode(Result<String, String>),
}

/// What a provider's fetch ended with: credentials, or the reason it had none.
pub(crate) type Found = Result<Credentials, String>;

/// A provider's I/O-driving part (one per provider that needs the outside world).
pub(crate) trait Fetch: Send {
    /// The next need, or the end.
    fn poll(&mut self, now: SystemTime) -> crate::machine::Step<Found, CredentialsError>;
    /// The answer to the last need.
    fn answer(&mut self, answer: Answer);
}

/// Re-type the non-final steps of a machine (they carry no output).
pub(crate) fn forward<A, B, E>(
    step: crate::machine::Step<A, E>,
) -> Result<crate::machine::Step<B, E>, A> {
    use crate::machine::Step;
    match step {
        Step::Send(r) => Ok(Step::Send(r)),
        Step::ReadFile(p) => Ok(Step::ReadFile(p)),
        Step::WriteFile(p, b) => Ok(Step::WriteFile(p, b)),
        Step::RunProcess(c) => Ok(Step::RunProcess(c)),
        Step::AskMfaCode(p) => Ok(Step::AskMfaCode(p)),
        Step::Sleep(d) => Ok(Step::Sleep(d)),
        Step::Failed(e) => Ok(Step::Failed(e)),
        Step::Done(a) => Err(a),
    }
}

/// A credentials value from a JSON-ish map with the given key names (`Expiration` as a
/// timestamp value or text). `None` names the first missing required key.
pub(crate) fn credentials_from_value(
    value: &Value,
    keys: [&str; 4],
) -> Result<Credentials, String> {
    let [ak, sk, token, expiration] = keys;
    let text = |k: &str| {
        value
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let access = text(ak).ok_or_else(|| format!("missing {ak}"))?;
    let secret = text(sk).ok_or_else(|| format!("missing {sk}"))?;
    let expiry = match value.get(expiration) {
        None | Some(Value::Null) => None,
        Some(v) => Some(timestamp_of(v).ok_or_else(|| format!("invalid {expiration}"))?),
    };
    Ok(Credentials::new(
        access,
        secret,
        text(token).map(str::to_string),
        expiry,
    ))
}

/// A point in time from a timestamp value, ISO 8601 text, or epoch seconds.
pub(crate) fn timestamp_of(value: &Value) -> Option<SystemTime> {
    value.to_timestamp().map(|t| t.to_system_time())
}

#[cfg(test)]
mod tests;
