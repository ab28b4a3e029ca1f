//! The provider chain itself: which providers run, in which order, and how their outcomes are
//! recorded, for the top-level chain and for the nested chains assume-role uses to get its
//! source credentials.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use super::container::ContainerFetch;
use super::imds::{ImdsConfig, ImdsFetch};
use super::legacy::LegacyPaths;
use super::login::LoginFetch;
use super::process::ProcessFetch;
use super::role_cache::AssumeRoleCache;
use super::sso::SsoFetch;
use super::sts::{AssumeRoleFetch, WebIdentityFetch};
use super::{
    forward, Answer, ApiCaller, Attempt, Credentials, CredentialsError, Fetch, Found, ProviderKind,
};
use crate::config::{ConfigFile, ConfigSources, Section, SharedConfig, VarSource};
use crate::error::transport::TransportError;
use crate::machine::{Machine, ProcessOutput, RandomSource, SplitMix64, Step};

/// Asks the user for an MFA code: called with the profile's `mfa_serial`, returns the code (or
/// why none could be had). botocore prompts with `Enter MFA code for {mfa_serial}: `.
pub type MfaCallback = Arc<dyn Fn(&str) -> Result<String, String> + Send + Sync>;

/// A role's need for an MFA code ([`Step::AskMfaCode`]): the device's serial and the caller's
/// [`MfaCallback`]. The machine does not call the callback itself, since it may wait on a
/// person: the driver runs [`ask`](MfaPrompt::ask) where its transport runs blocking work
/// ([`Host::ask_mfa_code`](crate::runtime::Host::ask_mfa_code)) and hands the answer back with
/// `handle_mfa_code`.
pub struct MfaPrompt {
    serial: String,
    callback: MfaCallback,
}

impl MfaPrompt {
    pub(crate) fn new(serial: String, callback: MfaCallback) -> Self {
        MfaPrompt { serial, callback }
    }

    /// The MFA device's serial (the profile's `mfa_serial`).
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// Ask the caller's callback for the code (it may block until a person answers). One
    /// prompt runs at a time in a process: a call that gave up waiting (its `call_timeout`
    /// passed, or it was dropped) leaves its prompt running, and a second prompt would read the
    /// same terminal. A callback that panics is a refusal ("the MFA prompt panicked"), on every
    /// transport alike.
    pub fn ask(self) -> Result<String, String> {
        static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _turn = ONE_AT_A_TIME
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let ask = std::panic::AssertUnwindSafe(|| (self.callback)(&self.serial));
        std::panic::catch_unwind(ask).unwrap_or_else(|_| Err("the MFA prompt panicked".into()))
    }
}

impl std::fmt::Debug for MfaPrompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaPrompt")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

/// Everything about the chain that is not the environment or the shared files.
#[derive(Default)]
pub struct ChainOptions {
    /// A profile chosen explicitly by the caller (not through `AWS_PROFILE`). As in botocore,
    /// this skips the environment provider and the web-identity environment variables.
    pub profile: Option<String>,
    /// Credentials given explicitly to the client: used as is, nothing else is tried.
    pub explicit: Option<Credentials>,
    /// The parsed shared credentials file on its own. The shared-credentials-file provider
    /// then reads exactly that file, as botocore does; without it, it reads the merged profile.
    pub credentials_file: Option<Arc<ConfigFile>>,
    /// The parsed shared config file on its own. The config-file provider then reads exactly
    /// that file's profile, as botocore's does (a credentials-file key never mixes into its
    /// keys); without it, it reads the merged profile.
    pub config_file: Option<Arc<ConfigFile>>,
    /// Makes STS calls (assume-role, web identity). Without one, those providers fail when
    /// configured.
    pub api: Option<Arc<dyn ApiCaller>>,
    /// Supplies MFA codes for profiles with `mfa_serial`.
    pub mfa: Option<MfaCallback>,
    /// Where assumed-role credentials are kept between processes (aws-cli's
    /// `~/.aws/cli/cache`, botocore's `JSONFileCache` given to the assume-role provider):
    /// each role's answer is read back while it has 15 minutes left. `None`, as in botocore
    /// used as a library: kept in memory only.
    pub assume_role_cache: Option<AssumeRoleCache>,
    /// IMDS per-request timeout (otherwise `AWS_METADATA_SERVICE_TIMEOUT`/profile, default 1 s).
    pub imds_timeout: Option<Duration>,
    /// IMDS attempts per request (otherwise `AWS_METADATA_SERVICE_NUM_ATTEMPTS`/profile,
    /// default 1).
    pub imds_attempts: Option<u32>,
    /// Skip IMDS entirely (as `AWS_EC2_METADATA_DISABLED=true` does).
    pub imds_disabled: bool,
    /// The home directory for `~/.aws/sso/cache` (otherwise `HOME`, then `USERPROFILE`).
    pub home_dir: Option<PathBuf>,
    /// Randomness for the IMDS expiry-extension jitter. Transports should pass an OS-seeded
    /// source; the default is a fixed seed.
    pub random: Option<Box<dyn RandomSource>>,
}

/// The environment variables the chain reads (copied once, so the machine owns its inputs).
const ENV_VARS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ACCOUNT_ID",
    "AWS_LOGIN_CACHE_DIRECTORY",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_DISABLED",
    "HOME",
    "USERPROFILE",
];

/// What every provider of one chain shares.
pub(crate) struct Context {
    env: HashMap<&'static str, String>,
    shared: Arc<SharedConfig>,
    credentials_file: Option<Arc<ConfigFile>>,
    config_file: Option<Arc<ConfigFile>>,
    pub(crate) api: Option<Arc<dyn ApiCaller>>,
    pub(crate) mfa: Option<MfaCallback>,
    pub(crate) assume_role_cache: Option<AssumeRoleCache>,
    pub(crate) imds: ImdsConfig,
    home: Option<PathBuf>,
    legacy: LegacyPaths,
    pub(crate) random: Mutex<Box<dyn RandomSource>>,
}

impl Context {
    /// An environment variable as set (possibly empty).
    pub(crate) fn env(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }

    /// A profile of the merged shared config.
    pub(crate) fn profile(&self, name: &str) -> Option<&Section> {
        self.shared.profile(name)
    }

    /// A profile's plain-text value.
    pub(crate) fn profile_text(&self, profile: &str, key: &str) -> Option<&str> {
        self.profile(profile)?.get(key)?.as_text()
    }

    /// The shared config.
    pub(crate) fn shared(&self) -> &SharedConfig {
        &self.shared
    }

    /// `~` as the chain sees it.
    pub(crate) fn home(&self) -> Option<&std::path::Path> {
        self.home.as_deref()
    }
}

/// One provider slot in a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Explicit,
    Env,
    AssumeRole,
    WebIdentity { env_allowed: bool },
    Sso,
    SharedCredentials,
    Login,
    Process,
    ConfigFile,
    Ec2CredentialsFile,
    BotoConfig,
    Container,
    Imds,
}

impl Stage {
    fn kind(self) -> ProviderKind {
        match self {
            Stage::Explicit => ProviderKind::Explicit,
            Stage::Env => ProviderKind::Environment,
            Stage::AssumeRole => ProviderKind::AssumeRole,
            Stage::WebIdentity { .. } => ProviderKind::WebIdentity,
            Stage::Sso => ProviderKind::Sso,
            Stage::SharedCredentials => ProviderKind::SharedCredentialsFile,
            Stage::Login => ProviderKind::Login,
            Stage::Process => ProviderKind::Process,
            Stage::ConfigFile => ProviderKind::ConfigFile,
            Stage::Ec2CredentialsFile => ProviderKind::Ec2CredentialsFile,
            Stage::BotoConfig => ProviderKind::BotoConfig,
            Stage::Container => ProviderKind::Container,
            Stage::Imds => ProviderKind::InstanceMetadata,
        }
    }
}

/// The providers botocore's `ProfileProviderBuilder` makes for one profile (also used for an
/// assume-role `source_profile`, with the environment ignored).
pub(crate) const PROFILE_STAGES_NO_ENV: &[Stage] = &[
    Stage::WebIdentity { env_allowed: false },
    Stage::Sso,
    Stage::SharedCredentials,
    Stage::Login,
    Stage::Process,
    Stage::ConfigFile,
];

/// How a provider starts: it has nothing (with a reason), has credentials at once, needs I/O,
/// or fails.
pub(crate) enum Start {
    Skip(String),
    Found(Credentials),
    Run(Box<dyn Fetch>),
    Fail(CredentialsError),
}

/// An ordered list of providers tried until one yields credentials.
pub(crate) struct Resolver {
    ctx: Arc<Context>,
    profile: String,
    stages: Vec<Stage>,
    next: usize,
    current: Option<(ProviderKind, Box<dyn Fetch>)>,
    tried: Vec<Attempt>,
    used: Option<ProviderKind>,
    explicit: Option<Credentials>,
}

impl Resolver {
    pub(crate) fn new(ctx: Arc<Context>, profile: String, stages: Vec<Stage>) -> Self {
        Resolver {
            ctx,
            profile,
            stages,
            next: 0,
            current: None,
            tried: Vec::new(),
            used: None,
            explicit: None,
        }
    }

    fn start(&mut self, stage: Stage, now: SystemTime) -> Start {
        let ctx = &self.ctx;
        let profile = self.profile.as_str();
        match stage {
            Stage::Explicit => match self.explicit.take() {
                Some(creds) => Start::Found(creds),
                None => Start::Skip("none given".into()),
            },
            Stage::Env => env_credentials(ctx),
            Stage::AssumeRole => AssumeRoleFetch::start(ctx, profile),
            Stage::WebIdentity { env_allowed } => {
                WebIdentityFetch::start(ctx, profile, env_allowed, now)
            }
            Stage::Sso => SsoFetch::start(ctx, profile),
            Stage::SharedCredentials => match &ctx.credentials_file {
                Some(file) => match file.sections().get(profile) {
                    Some(section) => {
                        static_credentials(section, ProviderKind::SharedCredentialsFile)
                    }
                    None => Start::Skip(format!("no profile {profile}")),
                },
                None => match ctx.profile(profile) {
                    Some(section) => {
                        static_credentials(section, ProviderKind::SharedCredentialsFile)
                    }
                    None => Start::Skip(format!("no profile {profile}")),
                },
            },
            Stage::Login => LoginFetch::start(ctx, profile),
            Stage::Process => match ctx.profile_text(profile, "credential_process") {
                Some(command) => Start::Run(Box::new(ProcessFetch::new(
                    command.to_string(),
                    ctx.profile_text(profile, "aws_account_id")
                        .map(str::to_string),
                ))),
                None => Start::Skip(format!("no credential_process in profile {profile}")),
            },
            Stage::ConfigFile => {
                let section = match &ctx.config_file {
                    Some(file) => file.profiles().get(profile).copied(),
                    None => ctx.profile(profile),
                };
                match section {
                    Some(section) => static_credentials(section, ProviderKind::ConfigFile),
                    None => Start::Skip(format!("no profile {profile}")),
                }
            }
            Stage::Ec2CredentialsFile => super::legacy::ec2_credentials_file(&ctx.legacy),
            Stage::BotoConfig => super::legacy::boto_config(&ctx.legacy),
            Stage::Container => ContainerFetch::start(ctx),
            Stage::Imds => ImdsFetch::start(ctx),
        }
    }

    /// The attempts so far.
    pub(crate) fn into_tried(self) -> Vec<Attempt> {
        self.tried
    }
}

impl Fetch for Resolver {
    fn poll(&mut self, now: SystemTime) -> Step<Found, CredentialsError> {
        loop {
            if let Some((kind, fetch)) = &mut self.current {
                let kind = *kind;
                match forward(fetch.poll(now)) {
                    Ok(step) => return step,
                    Err(Ok(creds)) => {
                        self.current = None;
                        crate::trace::credentials_found(kind.method());
                        self.used = Some(kind);
                        return Step::Done(Ok(creds));
                    }
                    Err(Err(reason)) => {
                        self.current = None;
                        crate::trace::credentials_skipped(kind.method());
                        self.tried.push(Attempt {
                            provider: kind,
                            reason,
                        });
                        continue;
                    }
                }
            }
            let Some(&stage) = self.stages.get(self.next) else {
                let summary = self
                    .tried
                    .iter()
                    .map(|a| format!("{} ({})", a.provider, a.reason))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Step::Done(Err(summary));
            };
            self.next += 1;
            match self.start(stage, now) {
                Start::Skip(reason) => {
                    crate::trace::credentials_skipped(stage.kind().method());
                    self.tried.push(Attempt {
                        provider: stage.kind(),
                        reason,
                    })
                }
                Start::Found(creds) => {
                    crate::trace::credentials_found(stage.kind().method());
                    self.used = Some(stage.kind());
                    return Step::Done(Ok(creds));
                }
                Start::Run(fetch) => self.current = Some((stage.kind(), fetch)),
                Start::Fail(error) => return Step::Failed(error),
            }
        }
    }

    fn answer(&mut self, answer: Answer) {
        if let Some((_, fetch)) = &mut self.current {
            fetch.answer(answer);
        }
    }
}

/// botocore's `EnvProvider`.
fn env_credentials(ctx: &Context) -> Start {
    let non_empty = |name: &str| ctx.env(name).filter(|v| !v.is_empty());
    let Some(access) = non_empty("AWS_ACCESS_KEY_ID") else {
        return Start::Skip("AWS_ACCESS_KEY_ID not set".into());
    };
    let Some(secret) = non_empty("AWS_SECRET_ACCESS_KEY") else {
        return Start::Fail(CredentialsError::Partial {
            provider: ProviderKind::Environment,
            missing: "AWS_SECRET_ACCESS_KEY".into(),
        });
    };
    // botocore looks at the legacy name first.
    let token = non_empty("AWS_SECURITY_TOKEN").or_else(|| non_empty("AWS_SESSION_TOKEN"));
    let expiry = match non_empty("AWS_CREDENTIAL_EXPIRATION") {
        None => None,
        Some(text) => match crate::time::Timestamp::parse_any(text) {
            Ok(t) => Some(t.to_system_time()),
            Err(e) => {
                return Start::Fail(CredentialsError::Retrieval {
                    provider: ProviderKind::Environment,
                    message: format!("AWS_CREDENTIAL_EXPIRATION: {e}"),
                })
            }
        },
    };
    Start::Found(
        Credentials::new(access, secret, token.map(str::to_string), expiry)
            .with_account_id(non_empty("AWS_ACCOUNT_ID")),
    )
}

/// botocore's `SharedCredentialProvider` / `ConfigProvider` on one section.
pub(crate) fn static_credentials(section: &Section, provider: ProviderKind) -> Start {
    let text = |key: &str| section.get(key).and_then(|v| v.as_text());
    let Some(access) = text("aws_access_key_id") else {
        return Start::Skip("no aws_access_key_id in the profile".into());
    };
    let Some(secret) = text("aws_secret_access_key") else {
        return Start::Fail(CredentialsError::Partial {
            provider,
            missing: "aws_secret_access_key".into(),
        });
    };
    let token = text("aws_security_token").or_else(|| text("aws_session_token"));
    Start::Found(
        Credentials::new(access, secret, token.map(str::to_string), None)
            .with_account_id(text("aws_account_id")),
    )
}

/// Resolves AWS credentials the way botocore's default chain does, as a sans-IO machine.
///
/// Drive it with [`Machine::poll`]; answer `Send` with [`handle_response`](Self::handle_response),
/// `ReadFile` with [`handle_file`](Self::handle_file), `WriteFile` with
/// [`handle_written`](Self::handle_written), `RunProcess` with
/// [`handle_process`](Self::handle_process) and `AskMfaCode` with
/// [`handle_mfa_code`](Self::handle_mfa_code); `Sleep` needs no answer.
pub struct CredentialChain {
    state: ChainState,
}

enum ChainState {
    Running(Box<Resolver>),
    Broken(Option<CredentialsError>),
    Finished(Option<ProviderKind>),
}

impl CredentialChain {
    /// A chain over a snapshot of `env`, the merged shared config and `options`. The selected
    /// profile is `options.profile`, else `AWS_DEFAULT_PROFILE`/`AWS_PROFILE`, else `default`.
    pub fn new(env: &dyn VarSource, shared: Arc<SharedConfig>, options: ChainOptions) -> Self {
        match Self::build(env, shared, options) {
            Ok(resolver) => CredentialChain {
                state: ChainState::Running(Box::new(resolver)),
            },
            Err(error) => CredentialChain {
                state: ChainState::Broken(Some(error)),
            },
        }
    }

    fn build(
        env: &dyn VarSource,
        shared: Arc<SharedConfig>,
        options: ChainOptions,
    ) -> Result<Resolver, CredentialsError> {
        let explicit_profile = options.profile.clone();
        let explicit_vars: HashMap<String, String> = explicit_profile
            .iter()
            .map(|p| ("profile".to_string(), p.clone()))
            .collect();
        let sources = ConfigSources {
            explicit: &explicit_vars,
            env,
            shared: Some(&shared),
        };
        let profile = sources.profile_name().unwrap_or("default").to_string();
        let imds = ImdsConfig::resolve(&sources, &options, env)?;

        let env_map: HashMap<&'static str, String> = ENV_VARS
            .iter()
            .filter_map(|name| env.var(name).map(|v| (*name, v.to_string())))
            .collect();
        let home = options.home_dir.clone().or_else(|| {
            env_map
                .get("HOME")
                .or_else(|| env_map.get("USERPROFILE"))
                .map(PathBuf::from)
        });
        let legacy = LegacyPaths::resolve(env, home.as_deref());
        let ctx = Arc::new(Context {
            env: env_map,
            shared,
            credentials_file: options.credentials_file,
            config_file: options.config_file,
            api: options.api,
            mfa: options.mfa,
            assume_role_cache: options.assume_role_cache,
            imds,
            home,
            legacy,
            random: Mutex::new(
                options
                    .random
                    .unwrap_or_else(|| Box::new(SplitMix64(0x5eed_cafe))),
            ),
        });

        let mut stages = vec![Stage::Explicit];
        // An explicitly chosen profile negates the environment provider (botocore).
        let env_allowed = explicit_profile.is_none();
        if env_allowed {
            stages.push(Stage::Env);
        }
        stages.extend([
            Stage::AssumeRole,
            Stage::WebIdentity { env_allowed },
            Stage::Sso,
            Stage::SharedCredentials,
            Stage::Login,
            Stage::Process,
            Stage::ConfigFile,
            // botocore's `post_profile` providers.
            Stage::Ec2CredentialsFile,
            Stage::BotoConfig,
            Stage::Container,
            Stage::Imds,
        ]);
        let mut resolver = Resolver::new(ctx, profile, stages);
        resolver.explicit = options.explicit;
        Ok(resolver)
    }

    /// The provider that produced the credentials, once done.
    pub fn provider(&self) -> Option<ProviderKind> {
        match &self.state {
            ChainState::Finished(kind) => *kind,
            _ => None,
        }
    }

    /// The outcome of the last `Send`.
    pub fn handle_response(&mut self, response: Result<http::Response<Bytes>, TransportError>) {
        self.answer(Answer::Response(response));
    }

    /// The outcome of the last `ReadFile`.
    pub fn handle_file(&mut self, contents: std::io::Result<Bytes>) {
        self.answer(Answer::File(contents));
    }

    /// The outcome of the last `WriteFile`.
    pub fn handle_written(&mut self, outcome: std::io::Result<()>) {
        self.answer(Answer::Written(outcome));
    }

    /// The outcome of the last `RunProcess`.
    pub fn handle_process(&mut self, output: std::io::Result<ProcessOutput>) {
        self.answer(Answer::Process(output));
    }

    /// The answer to the last `AskMfaCode`: the code, or why there is none.
    pub fn handle_mfa_code(&mut self, code: Result<String, String>) {
        self.answer(Answer::MfaCode(code));
    }

    fn answer(&mut self, answer: Answer) {
        if let ChainState::Running(resolver) = &mut self.state {
            resolver.answer(answer);
        }
    }
}

impl Machine for CredentialChain {
    type Output = Credentials;
    type Error = CredentialsError;

    fn poll(&mut self, now: SystemTime) -> Step<Credentials, CredentialsError> {
        let resolver = match &mut self.state {
            ChainState::Running(resolver) => resolver,
            ChainState::Broken(error) => {
                let error = error
                    .take()
                    .unwrap_or(CredentialsError::Protocol("polled after it finished"));
                self.state = ChainState::Finished(None);
                return Step::Failed(error);
            }
            ChainState::Finished(_) => {
                return Step::Failed(CredentialsError::Protocol("polled after it finished"))
            }
        };
        match forward(resolver.poll(now)) {
            Ok(Step::Failed(error)) => {
                self.state = ChainState::Finished(None);
                Step::Failed(error)
            }
            Ok(step) => step,
            Err(Ok(creds)) => {
                let used = resolver.used;
                self.state = ChainState::Finished(used);
                Step::Done(match used {
                    Some(kind) => creds.found_by(kind),
                    None => creds,
                })
            }
            Err(Err(_summary)) => {
                let ChainState::Running(resolver) =
                    std::mem::replace(&mut self.state, ChainState::Finished(None))
                else {
                    return Step::Failed(CredentialsError::Protocol("chain state lost"));
                };
                Step::Failed(CredentialsError::NotFound {
                    tried: resolver.into_tried(),
                })
            }
        }
    }
}
