//! The two providers that call STS through the client layer's [`ApiCaller`]: assume-role from a
//! profile (`role_arn` with `source_profile` or `credential_source`, chained, with cycle
//! detection, MFA, and aws-cli's file cache of assumed roles when one is configured) and
//! assume-role-with-web-identity.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use super::chain::{Context, MfaPrompt, Resolver, Stage, Start, PROFILE_STAGES_NO_ENV};
use super::role_cache::AssumeRoleCache;
use super::{
    credentials_from_value, Answer, Credentials, CredentialsError, Fetch, Found, ProviderKind,
};
use crate::body::Body;
use crate::config::Section;
use crate::machine::Step;
use crate::value::{Map, Value};

const STS: &str = "sts";

/// The request for an STS operation, built by the client layer.
fn sts_request(
    ctx: &Context,
    provider: ProviderKind,
    operation: &'static str,
    params: &Value,
    credentials: Option<&Credentials>,
    now: SystemTime,
) -> Result<http::Request<Body>, CredentialsError> {
    let api = ctx
        .api
        .as_ref()
        .ok_or_else(|| CredentialsError::Retrieval {
            provider,
            message: format!("{operation} needs an STS caller, but none was configured"),
        })?;
    api.build(STS, operation, params, credentials, now)
        .map_err(|error| super::build_failed(provider, operation, error))
}

/// Credentials from the answer to an STS request, with the answer's `AssumedRoleUser` (for
/// aws-cli's cache file).
fn sts_answer(
    ctx: &Context,
    provider: ProviderKind,
    operation: &'static str,
    answer: Option<Answer>,
) -> Result<(Credentials, Option<Value>), CredentialsError> {
    let response = match answer {
        Some(Answer::Response(Ok(response))) => response,
        Some(Answer::Response(Err(error))) => {
            return Err(CredentialsError::Retrieval {
                provider,
                message: format!("{operation}: {error}"),
            })
        }
        Some(_) => {
            return Err(CredentialsError::Protocol(
                "expected an HTTP response for STS",
            ))
        }
        None => {
            return Err(CredentialsError::Protocol(
                "polled before the STS response came",
            ))
        }
    };
    let api = ctx
        .api
        .as_ref()
        .ok_or(CredentialsError::Protocol("STS caller vanished"))?;
    let output = api
        .parse(STS, operation, response)
        .map_err(|error| CredentialsError::Api {
            provider,
            operation,
            error,
        })?;
    let creds = output
        .get("Credentials")
        .ok_or_else(|| CredentialsError::Retrieval {
            provider,
            message: format!("{operation} response has no Credentials"),
        })?;
    credentials_from_value(
        creds,
        [
            "AccessKeyId",
            "SecretAccessKey",
            "SessionToken",
            "Expiration",
        ],
    )
    // botocore takes the account from the assumed role's ARN.
    .map(|creds| {
        let user = output.get("AssumedRoleUser");
        (with_role_account(creds, user), user.cloned())
    })
    .map_err(|message| CredentialsError::Retrieval {
        provider,
        message: format!("{operation} response: {message}"),
    })
}

/// Credentials with the account of the assumed role's ARN (botocore's), when there is one.
pub(super) fn with_role_account(creds: Credentials, user: Option<&Value>) -> Credentials {
    let account = user
        .and_then(|user| user.get("Arn"))
        .and_then(Value::as_str)
        .and_then(crate::endpoint::parse_arn)
        .map(|arn| arn.account_id);
    creds.with_account_id(account)
}

/// The parameters every assume-role call starts with: the role, and the session name given
/// or botocore's default.
fn role_and_session(role_arn: &str, session_name: Option<&str>, now: SystemTime) -> Map {
    let mut params = Map::default();
    params.insert("RoleArn".into(), Value::from(role_arn));
    let session = session_name.map_or_else(|| default_session_name(now), str::to_owned);
    params.insert("RoleSessionName".into(), Value::from(session));
    params
}

/// The outcome of saving an assumed role in aws-cli's cache: botocore's `JSONFileCache` fails
/// the credentials when it cannot save them.
fn cache_written(answer: Option<Answer>, provider: ProviderKind) -> Result<(), CredentialsError> {
    match answer {
        Some(Answer::Written(Ok(()))) => Ok(()),
        Some(Answer::Written(Err(error))) => Err(CredentialsError::Retrieval {
            provider,
            message: format!("cannot save the assumed role's credentials: {error}"),
        }),
        _ => Err(CredentialsError::Protocol("expected a file write outcome")),
    }
}

/// botocore's default session name: `botocore-session-<epoch seconds>`.
fn default_session_name(now: SystemTime) -> String {
    let secs = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("botocore-session-{secs}")
}

fn text<'a>(section: &'a Section, key: &str) -> Option<&'a str> {
    section.get(key)?.as_text()
}

fn has_static_credentials(section: &Section) -> bool {
    section.contains_key("aws_access_key_id") || section.contains_key("aws_secret_access_key")
}

/// A profile assume-role applies to: `role_arn` without `web_identity_token_file` (that
/// combination belongs to the web-identity provider).
fn has_assume_role_config(section: &Section) -> bool {
    section.contains_key("role_arn") && !section.contains_key("web_identity_token_file")
}

/// One role to assume, from one profile.
#[derive(Debug, Clone)]
pub(super) struct RoleConfig {
    pub(super) profile: String,
    pub(super) role_arn: String,
    pub(super) external_id: Option<String>,
    pub(super) mfa_serial: Option<String>,
    pub(super) role_session_name: Option<String>,
    pub(super) duration_seconds: Option<i64>,
}

/// Where the innermost role's source credentials come from.
#[derive(Debug)]
enum Source {
    /// `credential_source = Environment | Ec2InstanceMetadata | EcsContainer`.
    Named { name: String, profile: String },
    /// The profile providers of a `source_profile` that has credentials of its own.
    Profile(String),
}

const CREDENTIAL_SOURCES: &[(&str, Stage, ProviderKind)] = &[
    ("Environment", Stage::Env, ProviderKind::Environment),
    (
        "Ec2InstanceMetadata",
        Stage::Imds,
        ProviderKind::InstanceMetadata,
    ),
    ("EcsContainer", Stage::Container, ProviderKind::Container),
];

/// Walks `source_profile` links from `top` the way botocore's `AssumeRoleProvider` does,
/// returning the source and the roles to assume, innermost first.
fn plan(ctx: &Context, top: &str) -> Result<(Source, Vec<RoleConfig>), CredentialsError> {
    let mut visited = vec![top.to_string()];
    let mut roles = Vec::new();
    let mut name = top.to_string();
    let source = loop {
        let section = ctx.profile(&name).ok_or_else(|| {
            CredentialsError::InvalidConfig(format!("the profile {name:?} does not exist"))
        })?;
        let role_arn = text(section, "role_arn").unwrap_or_default().to_string();
        let source_profile = text(section, "source_profile");
        let credential_source = text(section, "credential_source");
        roles.push(RoleConfig {
            profile: name.clone(),
            role_arn,
            external_id: text(section, "external_id").map(str::to_string),
            mfa_serial: text(section, "mfa_serial").map(str::to_string),
            role_session_name: text(section, "role_session_name").map(str::to_string),
            // botocore ignores a duration that is not an integer.
            duration_seconds: text(section, "duration_seconds").and_then(|d| d.trim().parse().ok()),
        });
        match (source_profile, credential_source) {
            (Some(_), Some(_)) => {
                return Err(CredentialsError::InvalidConfig(format!(
                    "the profile {name:?} contains both source_profile and credential_source"
                )))
            }
            (None, None) => {
                return Err(CredentialsError::Partial {
                    provider: ProviderKind::AssumeRole,
                    missing: "source_profile or credential_source".into(),
                })
            }
            (None, Some(source)) => {
                // Validation is case-sensitive in botocore (`is_supported`).
                if !CREDENTIAL_SOURCES.iter().any(|(n, ..)| *n == source) {
                    return Err(CredentialsError::InvalidConfig(format!(
                        "the credential source {source:?} referenced in profile {name:?} is not valid"
                    )));
                }
                break Source::Named {
                    name: source.to_string(),
                    profile: name.clone(),
                };
            }
            (Some(source_name), None) => {
                let source_section = ctx.profile(source_name).ok_or_else(|| {
                    CredentialsError::InvalidConfig(format!(
                        "the source_profile {source_name:?} referenced in the profile {name:?} does not exist"
                    ))
                })?;
                if visited.iter().any(|v| v == source_name) {
                    // Only a profile naming itself with static keys beside its role is allowed.
                    if source_name != name || !has_static_credentials(source_section) {
                        return Err(CredentialsError::InfiniteLoop {
                            source_profile: source_name.to_string(),
                            visited,
                        });
                    }
                }
                visited.push(source_name.to_string());
                if has_static_credentials(source_section) || !has_assume_role_config(source_section)
                {
                    break Source::Profile(source_name.to_string());
                }
                name = source_name.to_string();
            }
        }
    };
    roles.reverse();
    Ok((source, roles))
}

/// Assume-role from a profile: source credentials first (through a nested chain), then one
/// AssumeRole call per role, innermost first.
pub(crate) struct AssumeRoleFetch {
    ctx: Arc<Context>,
    source: Option<Box<Resolver>>,
    source_desc: Source,
    roles: Vec<RoleConfig>,
    next_role: usize,
    creds: Option<Credentials>,
    waiting: bool,
    /// The role whose cache file was asked for, while the cache is looked through (aws-cli's
    /// cache configured): outermost role first.
    probing: Option<usize>,
    /// The cache has been looked through (or there is none).
    probed: bool,
    /// Assumed credentials being written to the cache, handed on once written.
    writing_cache: Option<Credentials>,
    /// An MFA code was asked for (`Step::AskMfaCode`); the answer is the next one.
    asking_mfa: bool,
    answer: Option<Answer>,
}

impl AssumeRoleFetch {
    pub(crate) fn start(ctx: &Arc<Context>, profile: &str) -> Start {
        match ctx.profile(profile) {
            Some(section) if has_assume_role_config(section) => {}
            Some(_) => return Start::Skip(format!("no role_arn in profile {profile}")),
            None => return Start::Skip(format!("no profile {profile}")),
        }
        let (source, roles) = match plan(ctx, profile) {
            Ok(plan) => plan,
            Err(error) => return Start::Fail(error),
        };
        let resolver = match &source {
            Source::Named { name, .. } => {
                let stage = CREDENTIAL_SOURCES
                    .iter()
                    .find(|(n, ..)| n == name)
                    .map(|(_, stage, _)| *stage)
                    .unwrap_or(Stage::Env);
                Resolver::new(ctx.clone(), profile.to_string(), vec![stage])
            }
            Source::Profile(name) => {
                Resolver::new(ctx.clone(), name.clone(), PROFILE_STAGES_NO_ENV.to_vec())
            }
        };
        Start::Run(Box::new(AssumeRoleFetch {
            ctx: ctx.clone(),
            source: Some(Box::new(resolver)),
            source_desc: source,
            roles,
            next_role: 0,
            creds: None,
            waiting: false,
            probing: None,
            probed: false,
            writing_cache: None,
            asking_mfa: false,
            answer: None,
        }))
    }

    fn no_source_error(&self, why: String) -> CredentialsError {
        match &self.source_desc {
            Source::Named { name, profile } => CredentialsError::Retrieval {
                provider: CREDENTIAL_SOURCES
                    .iter()
                    .find(|(n, ..)| n == name)
                    .map(|(.., kind)| *kind)
                    .unwrap_or(ProviderKind::AssumeRole),
                message: format!(
                    "no credentials found in credential_source referenced in profile {profile} ({why})"
                ),
            },
            Source::Profile(name) => CredentialsError::InvalidConfig(format!(
                "the source profile {name:?} must have credentials ({why})"
            )),
        }
    }

    /// The `AssumeRole` parameters of `role`, with the MFA code asked for (`mfa_code`) when
    /// it has an `mfa_serial`.
    fn role_params(role: &RoleConfig, mfa_code: Option<String>, now: SystemTime) -> Value {
        let mut params = role_and_session(&role.role_arn, role.role_session_name.as_deref(), now);
        if let Some(id) = &role.external_id {
            params.insert("ExternalId".into(), Value::from(id.as_str()));
        }
        if let (Some(serial), Some(code)) = (&role.mfa_serial, mfa_code) {
            params.insert("SerialNumber".into(), Value::from(serial.as_str()));
            params.insert("TokenCode".into(), Value::from(code));
        }
        if let Some(duration) = role.duration_seconds {
            params.insert("DurationSeconds".into(), Value::Integer(duration));
        }
        Value::Map(params)
    }
}

impl AssumeRoleFetch {
    /// Look through aws-cli's cache for the roles' answers, the outermost role first, as
    /// botocore's deferred credentials do: a role's cached answer is used before its source is
    /// needed, so a hit skips the inner roles and the source (an MFA prompt, an SSO exchange).
    /// A step to take, or `None` once the look is over (a hit sets where assuming resumes).
    fn probe_cache(&mut self, now: SystemTime) -> Option<Step<Found, CredentialsError>> {
        let cache = self.ctx.assume_role_cache.clone()?;
        if self.probed {
            return None;
        }
        let next = match self.probing.take() {
            None => self.roles.len().checked_sub(1),
            Some(at) => {
                // A missing or unreadable entry, or one about to expire: a miss.
                let cached = match self.answer.take() {
                    Some(Answer::File(Ok(file))) => cache.read(&file, now),
                    _ => None,
                };
                if let Some(creds) = cached {
                    self.probed = true;
                    self.source = None;
                    self.creds = Some(creds);
                    self.next_role = at + 1;
                    return None;
                }
                at.checked_sub(1)
            }
        };
        match next {
            Some(at) => {
                self.probing = Some(at);
                Some(Step::ReadFile(cache.role_file(&self.roles[at])))
            }
            None => {
                self.probed = true;
                None
            }
        }
    }
}

impl Fetch for AssumeRoleFetch {
    fn poll(&mut self, now: SystemTime) -> Step<Found, CredentialsError> {
        if let Some(step) = self.probe_cache(now) {
            return step;
        }
        if let Some(source) = &mut self.source {
            match super::forward(source.poll(now)) {
                Ok(step) => return step,
                Err(Ok(creds)) => {
                    self.creds = Some(creds);
                    self.source = None;
                }
                Err(Err(why)) => return Step::Failed(self.no_source_error(why)),
            }
        }
        if let Some(creds) = self.writing_cache.take() {
            if let Err(error) = cache_written(self.answer.take(), ProviderKind::AssumeRole) {
                return Step::Failed(error);
            }
            self.creds = Some(creds);
            self.next_role += 1;
        }
        if self.waiting {
            self.waiting = false;
            let answer = self.answer.take();
            match sts_answer(&self.ctx, ProviderKind::AssumeRole, "AssumeRole", answer) {
                Ok((creds, user)) => {
                    match (&self.ctx.assume_role_cache, self.roles.get(self.next_role)) {
                        (Some(cache), Some(role)) => {
                            let path = cache.role_file(role);
                            let file = cache.file(&creds, user.as_ref());
                            self.writing_cache = Some(creds);
                            return Step::WriteFile(path, file.into());
                        }
                        _ => {
                            self.creds = Some(creds);
                            self.next_role += 1;
                        }
                    }
                }
                Err(error) => return Step::Failed(error),
            }
        }
        // The roles the cache had no answer for, innermost first.
        let Some(role) = self.roles.get(self.next_role) else {
            return match self.creds.take() {
                Some(creds) => Step::Done(Ok(creds)),
                None => Step::Failed(CredentialsError::Protocol("assume-role had no source")),
            };
        };
        // A role with an MFA device: the code is asked for (a step the driver answers, as the
        // prompt may wait on a person), then read from the answer.
        let mfa_code = match (&role.mfa_serial, std::mem::take(&mut self.asking_mfa)) {
            (None, _) => None,
            (Some(serial), false) => {
                let Some(callback) = self.ctx.mfa.clone() else {
                    return Step::Failed(CredentialsError::InvalidConfig(format!(
                        "the profile {:?} sets mfa_serial but no MFA callback was given",
                        role.profile
                    )));
                };
                self.asking_mfa = true;
                return Step::AskMfaCode(MfaPrompt::new(serial.clone(), callback));
            }
            (Some(serial), true) => match self.answer.take() {
                Some(Answer::MfaCode(Ok(code))) => Some(code),
                Some(Answer::MfaCode(Err(why))) => {
                    return Step::Failed(CredentialsError::Retrieval {
                        provider: ProviderKind::AssumeRole,
                        message: format!("no MFA code for {serial}: {why}"),
                    })
                }
                _ => return Step::Failed(CredentialsError::Protocol("expected an MFA code")),
            },
        };
        let params = Self::role_params(role, mfa_code, now);
        match sts_request(
            &self.ctx,
            ProviderKind::AssumeRole,
            "AssumeRole",
            &params,
            self.creds.as_ref(),
            now,
        ) {
            Ok(request) => {
                self.waiting = true;
                Step::Send(request)
            }
            Err(error) => Step::Failed(error),
        }
    }

    fn answer(&mut self, answer: Answer) {
        match &mut self.source {
            // A cache file read while looking through the cache is this fetch's own.
            Some(source) if self.probing.is_none() => source.answer(answer),
            _ => self.answer = Some(answer),
        }
    }
}

enum WebIdentityState {
    ReadToken,
    AwaitToken,
    /// aws-cli's cache file, when one is kept: named by the token too (aws-cli's botocore), so
    /// it is read once the token is; the file and the token.
    AwaitCache(AssumeRoleCache, PathBuf, String),
    /// The STS answer, and the cache file to save it in.
    AwaitSts(Option<(AssumeRoleCache, PathBuf)>),
    /// The answer's credentials, once saved in the cache.
    AwaitWrite(Credentials),
}

/// Assume-role-with-web-identity: read the token file, then one unsigned STS call.
pub(crate) struct WebIdentityFetch {
    ctx: Arc<Context>,
    token_file: PathBuf,
    role_arn: String,
    session_name: Option<String>,
    state: WebIdentityState,
    answer: Option<Answer>,
}

impl WebIdentityFetch {
    pub(crate) fn start(
        ctx: &Arc<Context>,
        profile: &str,
        env_allowed: bool,
        _now: SystemTime,
    ) -> Start {
        // Each setting comes from its environment variable (unless disabled), else the profile.
        let get = |key: &str, var: &str| -> Option<String> {
            if env_allowed {
                if let Some(value) = ctx.env(var) {
                    return Some(value.to_string());
                }
            }
            ctx.profile_text(profile, key).map(str::to_string)
        };
        let token_file = match get("web_identity_token_file", "AWS_WEB_IDENTITY_TOKEN_FILE") {
            Some(path) if !path.is_empty() => path,
            _ => {
                let what = if env_allowed {
                    "AWS_WEB_IDENTITY_TOKEN_FILE not set"
                } else {
                    "no web_identity_token_file"
                };
                return Start::Skip(format!("{what} in profile {profile}"));
            }
        };
        let role_arn = match get("role_arn", "AWS_ROLE_ARN") {
            Some(arn) if !arn.is_empty() => arn,
            _ => {
                return Start::Fail(CredentialsError::InvalidConfig(
                    "the profile or the environment is configured to assume role with web \
                     identity but has no role ARN (set role_arn in the profile or AWS_ROLE_ARN)"
                        .into(),
                ))
            }
        };
        Start::Run(Box::new(WebIdentityFetch {
            ctx: ctx.clone(),
            token_file: PathBuf::from(token_file),
            role_arn,
            session_name: get("role_session_name", "AWS_ROLE_SESSION_NAME"),
            state: WebIdentityState::ReadToken,
            answer: None,
        }))
    }
}

impl WebIdentityFetch {
    /// Ask STS for the role with `token` (unsigned: the token is the proof of identity); the
    /// answer is saved in `cache` when given.
    fn request(
        &mut self,
        token: String,
        cache: Option<(AssumeRoleCache, PathBuf)>,
        now: SystemTime,
    ) -> Step<Found, CredentialsError> {
        let mut params = role_and_session(&self.role_arn, self.session_name.as_deref(), now);
        params.insert("WebIdentityToken".into(), Value::from(token));
        let (provider, op) = (ProviderKind::WebIdentity, "AssumeRoleWithWebIdentity");
        match sts_request(&self.ctx, provider, op, &Value::Map(params), None, now) {
            Ok(request) => {
                self.state = WebIdentityState::AwaitSts(cache);
                Step::Send(request)
            }
            Err(error) => Step::Failed(error),
        }
    }
}

impl Fetch for WebIdentityFetch {
    fn poll(&mut self, now: SystemTime) -> Step<Found, CredentialsError> {
        const OP: &str = "AssumeRoleWithWebIdentity";
        match std::mem::replace(&mut self.state, WebIdentityState::AwaitSts(None)) {
            WebIdentityState::AwaitCache(cache, path, token) => {
                let cached = match self.answer.take() {
                    Some(Answer::File(Ok(file))) => cache.read(&file, now),
                    _ => None,
                };
                match cached {
                    Some(creds) => Step::Done(Ok(creds)),
                    None => self.request(token, Some((cache, path)), now),
                }
            }
            WebIdentityState::ReadToken => {
                self.state = WebIdentityState::AwaitToken;
                Step::ReadFile(self.token_file.clone())
            }
            WebIdentityState::AwaitToken => {
                let token = match self.answer.take() {
                    Some(Answer::File(Ok(bytes))) => match String::from_utf8(bytes.to_vec()) {
                        Ok(token) => token,
                        Err(_) => {
                            return Step::Failed(CredentialsError::Retrieval {
                                provider: ProviderKind::WebIdentity,
                                message: format!(
                                    "web identity token file {} is not UTF-8",
                                    self.token_file.display()
                                ),
                            })
                        }
                    },
                    Some(Answer::File(Err(error))) => {
                        return Step::Failed(CredentialsError::Retrieval {
                            provider: ProviderKind::WebIdentity,
                            message: format!(
                                "cannot read web identity token file {}: {error}",
                                self.token_file.display()
                            ),
                        })
                    }
                    _ => {
                        return Step::Failed(CredentialsError::Protocol("expected the token file"))
                    }
                };
                match self.ctx.assume_role_cache.clone() {
                    Some(cache) => {
                        let session = self.session_name.as_deref();
                        let path = cache.web_identity_file(&self.role_arn, session, &token);
                        self.state = WebIdentityState::AwaitCache(cache, path.clone(), token);
                        Step::ReadFile(path)
                    }
                    None => self.request(token, None, now),
                }
            }
            WebIdentityState::AwaitSts(cache) => {
                let answer = self.answer.take();
                match sts_answer(&self.ctx, ProviderKind::WebIdentity, OP, answer) {
                    Ok((creds, user)) => match cache {
                        Some((cache, path)) => {
                            let file = cache.file(&creds, user.as_ref());
                            self.state = WebIdentityState::AwaitWrite(creds);
                            Step::WriteFile(path, file.into())
                        }
                        None => Step::Done(Ok(creds)),
                    },
                    Err(error) => Step::Failed(error),
                }
            }
            WebIdentityState::AwaitWrite(creds) => {
                match cache_written(self.answer.take(), ProviderKind::WebIdentity) {
                    Ok(()) => Step::Done(Ok(creds)),
                    Err(error) => Step::Failed(error),
                }
            }
        }
    }

    fn answer(&mut self, answer: Answer) {
        self.answer = Some(answer);
    }
}
