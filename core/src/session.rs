//! The session: configuration (environment snapshot and shared files), the parsed-model cache,
//! and the making of service clients — everything the transports share.
//!
//! A transport reads the environment and the files [`Session::file_paths`] names, hands their
//! contents here, and supplies botocore's data through a [`DataSource`] (the `sansboto-models`
//! loader implements it). Models, rulesets and partitions are parsed once per session and shared
//! by every client made from it (rulesets and partitions are prepared when a client first
//! resolves an endpoint).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use crate::auth::{Credentials, Identity};
use crate::body::Body;
use crate::client::{ClientConfig, ServiceClient};
use crate::compress::CompressionConfig;
use crate::config::{
    configured_endpoint_url, setting, shared_file_paths, ConfigFile, ConfigSources, ResolvedConfig,
    SharedConfig, SharedFilePaths, VarSource,
};
use crate::credentials::{
    ApiCallError, ApiCaller, ChainOptions, CredentialChain, CredentialSource,
};
use crate::endpoint::discovery::{self, DiscoverySetting};
use crate::endpoint::{
    AddressingStyle, EndpointConfig, LegacyEndpoints, LookupError, Partitions, RuleSet,
};
use crate::error::Error;
use crate::httpchecksum::{RequestChecksumCalculation, ResponseChecksumValidation};
use crate::machine::{RandomSource, SplitMix64};
use crate::model::{DocumentSource, ModelIndex, ServiceModel};
use crate::paginate::PaginatorModel;
use crate::parse::TimestampParsing;
use crate::retry::RetryMode;
use crate::value::Value;
use crate::waiter::WaiterModel;

/// A per-service data file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataFile {
    /// `service-2`.
    ServiceModel,
    /// `endpoint-rule-set-1`.
    EndpointRuleSet,
    /// `paginators-1`.
    Paginators,
    /// `waiters-2`.
    Waiters,
}

/// Where botocore's data comes from (embedded, a data path, a test's inline JSON).
pub trait DataSource: Send + Sync {
    /// A service's file at an API version (the latest when `None`).
    fn service_file(
        &self,
        service: &str,
        api_version: Option<&str>,
        file: DataFile,
    ) -> Result<Arc<[u8]>, String>;
    /// Whether [`service_file`](Self::service_file) has that file to give, without reading it
    /// (a source that can tell more cheaply than by reading says so here).
    fn has_service_file(&self, service: &str, api_version: Option<&str>, file: DataFile) -> bool {
        self.service_file(service, api_version, file).is_ok()
    }
    /// A service model's index, when this source has one for the model
    /// [`service_file`](Self::service_file) gives (same service and version): the session makes
    /// the model from it ([`ServiceModel::from_index`]) and reads the text only when a call
    /// first needs an operation or a shape. `None` (the default) when there is none; then the
    /// session reads the whole file.
    fn service_model_index(
        &self,
        service: &str,
        api_version: Option<&str>,
    ) -> Option<Result<(ModelIndex, DocumentSource), String>> {
        let _ = (service, api_version);
        None
    }
    /// `partitions.json`.
    fn partitions(&self) -> Result<Arc<[u8]>, String>;
    /// `_retry.json` (legacy retry mode).
    fn retry_config(&self) -> Result<Arc<[u8]>, String>;
    /// The legacy endpoint table a client's default signing scope comes from
    /// ([`LegacyEndpoints`]: `endpoints-signing.json`, or `endpoints.json` itself). The
    /// default is an empty table, which leaves every scope the client's region and the
    /// model's signing name.
    fn legacy_endpoints(&self) -> Result<Arc<[u8]>, String> {
        Ok(Arc::from(crate::endpoint::EMPTY_LEGACY_TABLE))
    }
    /// botocore's whole endpoint table (`endpoints.json`), which the session's lists of
    /// partitions and regions read ([`Session::available_regions`]). The default is a table
    /// with no partition: every list is empty.
    fn endpoints(&self) -> Result<Arc<[u8]>, String> {
        Ok(Arc::from(crate::endpoint::EMPTY_LEGACY_TABLE))
    }
    /// Every service name (botocore names).
    fn services(&self) -> Result<Vec<String>, String>;
}

/// What a caller sets when making a client; everything left `None` comes from the environment,
/// the profile, then the defaults (botocore's precedence).
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// Region.
    pub region: Option<String>,
    /// A custom endpoint URL.
    pub endpoint_url: Option<String>,
    /// A specific API version of the model.
    pub api_version: Option<String>,
    /// Send requests unsigned.
    pub unsigned: bool,
    /// Retry mode.
    pub retry_mode: Option<RetryMode>,
    /// The retry mode when none is configured, here, in the environment, the profile or by a
    /// defaults mode; `None` keeps botocore's, standard. (aws-cli v1 runs on a botocore of
    /// its own whose default is legacy: the `sansboto` command, its drop-in, sets this.)
    pub default_retry_mode: Option<RetryMode>,
    /// Total attempts including the first.
    pub max_attempts: Option<u32>,
    /// S3 addressing style.
    pub s3_addressing_style: Option<AddressingStyle>,
    /// S3 Transfer Acceleration.
    pub s3_use_accelerate: Option<bool>,
    /// FIPS endpoints.
    pub use_fips: Option<bool>,
    /// Dual-stack endpoints.
    pub use_dualstack: Option<bool>,
    /// Extra user-agent text.
    pub user_agent_extra: Option<String>,
    /// A bound on a whole call, retries included (connect and read timeouts bound each attempt).
    pub call_timeout: Option<std::time::Duration>,
    /// `s3_disable_express_session_auth`: sign S3 directory-bucket calls with the client's
    /// credentials (plain SigV4) instead of `CreateSession` sessions.
    pub s3_disable_express_session_auth: Option<bool>,
    /// Endpoint discovery (`endpoint_discovery_enabled`).
    pub endpoint_discovery: Option<DiscoverySetting>,
    /// `account_id_endpoint_mode`: `preferred`, `required` or `disabled`.
    pub account_id_endpoint_mode: Option<String>,
    /// `request_checksum_calculation`: checksum every request that supports one, or only
    /// those that require one.
    pub request_checksum_calculation: Option<RequestChecksumCalculation>,
    /// `response_checksum_validation`: validate every response that supports it, or only
    /// when the call asks (`ChecksumMode`).
    pub response_checksum_validation: Option<ResponseChecksumValidation>,
    /// `disable_request_compression`.
    pub disable_request_compression: Option<bool>,
    /// `request_min_compression_size_bytes`: from 1 to 1,048,576 (botocore's bounds).
    pub request_min_compression_size_bytes: Option<u64>,
    /// Prepend operations' host prefixes (`inject_host_prefix`; the environment's and
    /// profile's `disable_host_prefix_injection` otherwise).
    pub inject_host_prefix: Option<bool>,
    /// The application's id in the user agent (`user_agent_appid`; `AWS_SDK_UA_APP_ID` or
    /// the profile's `sdk_ua_app_id` otherwise).
    pub user_agent_app_id: Option<String>,
    /// `Some(false)` turns parameter validation off (`parameter_validation`); as in botocore,
    /// `Some(true)` leaves the profile's setting to decide.
    pub parameter_validation: Option<bool>,
    /// How results' timestamps are read: parsed into [`Value::Timestamp`](crate::Value) by
    /// default, or kept as the wire has them ([`TimestampParsing::Wire`]: the `sansboto`
    /// command's, printing them as aws-cli v1 prints them). No environment or profile setting
    /// changes it (botocore's `timestamp_parser` is its caller's alone).
    pub timestamp_parsing: TimestampParsing,
}

/// What a session was made from. Its `Debug` shows the names of the environment variables and
/// the files' sizes, never a value: they hold secret keys and session tokens.
#[derive(Clone, Default)]
pub struct SessionInputs {
    /// The environment variables (a snapshot).
    pub env: HashMap<String, String>,
    /// The shared config file's bytes, when it exists.
    pub config_file: Option<Vec<u8>>,
    /// The shared credentials file's bytes, when it exists.
    pub credentials_file: Option<Vec<u8>>,
    /// A profile chosen in code (wins over `AWS_PROFILE`).
    pub profile: Option<String>,
    /// Seed for the session's random sources (retry jitter, idempotency tokens, IMDS jitter);
    /// transports seed it from the operating system, tests with a constant.
    pub random_seed: u64,
}

impl std::fmt::Debug for SessionInputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&str> = self.env.keys().map(String::as_str).collect();
        names.sort_unstable();
        let file = |bytes: &Option<Vec<u8>>| bytes.as_ref().map(|b| format!("<{} bytes>", b.len()));
        f.debug_struct("SessionInputs")
            .field("env", &names)
            .field("config_file", &file(&self.config_file))
            .field("credentials_file", &file(&self.credentials_file))
            .field("profile", &self.profile)
            .field("random_seed", &self.random_seed)
            .finish()
    }
}

/// A per-session cache keyed by (service, API version).
type Cache<T> = Mutex<HashMap<(String, Option<String>), T>>;

/// Configuration and caches shared by a session's clients.
pub struct Session {
    env: HashMap<String, String>,
    shared: Arc<SharedConfig>,
    /// Each shared file on its own (empty when it does not exist): the credential chain's
    /// shared-credentials-file and config-file providers each read only their own file, as
    /// botocore's do, so a key in the config file never counts as the credentials file's.
    credentials_file: Arc<ConfigFile>,
    config_file: Arc<ConfigFile>,
    seed: std::sync::atomic::AtomicU64,
    profile: Option<String>,
    data: Arc<dyn DataSource>,
    models: Cache<Arc<ServiceModel>>,
    rulesets: Cache<Option<RuleSet>>,
    partitions: OnceLock<Partitions>,
    legacy_endpoints: OnceLock<Arc<LegacyEndpoints>>,
    /// `endpoints.json`'s names, read at the first list asked for.
    endpoint_table: OnceLock<Arc<dyn crate::endpoint::RegionLists>>,
    /// The provider chain's credentials, shared by every client of the session that was given
    /// none in code (botocore's `Session.get_credentials`, resolved once per session), made
    /// for the first such client.
    credentials: OnceLock<CredentialSource>,
    /// Asks for the MFA code of a role profile with `mfa_serial` (botocore prompts on the
    /// terminal; the core asks its caller: [`set_mfa_callback`](Session::set_mfa_callback)).
    mfa: Mutex<Option<crate::credentials::MfaCallback>>,
    /// aws-cli's file cache of assumed roles, when the caller keeps one
    /// ([`set_assume_role_cache`](Session::set_assume_role_cache)).
    assume_role_cache: Mutex<Option<crate::credentials::AssumeRoleCache>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The environment and files hold secrets: show neither.
        f.debug_struct("Session")
            .field("profile", &self.profile())
            .finish_non_exhaustive()
    }
}

struct Explicit<'a>(Option<&'a str>);

impl VarSource for Explicit<'_> {
    fn var(&self, name: &str) -> Option<&str> {
        (name == "profile").then_some(self.0).flatten()
    }
}

impl Session {
    /// The shared files to read for this environment (`home` is the user's home directory).
    pub fn file_paths(
        env: &HashMap<String, String>,
        profile: Option<&str>,
        home: Option<&Path>,
    ) -> SharedFilePaths {
        let explicit = Explicit(profile);
        let sources = ConfigSources {
            explicit: &explicit,
            env,
            shared: None,
        };
        shared_file_paths(&sources, home)
    }

    /// A session from an environment snapshot and the shared files' contents.
    pub fn new(inputs: SessionInputs, data: Arc<dyn DataSource>) -> Result<Session, Error> {
        let parse =
            |bytes: &Option<Vec<u8>>, which: &'static str| -> Result<Option<ConfigFile>, Error> {
                bytes
                    .as_deref()
                    .map(ConfigFile::parse_bytes)
                    .transpose()
                    .map_err(|source| Error::ConfigFile {
                        file: which,
                        path: None,
                        source: Box::new(source),
                    })
            };
        let config = parse(&inputs.config_file, "shared config file")?;
        let credentials = parse(&inputs.credentials_file, "shared credentials file")?;
        Ok(Session {
            env: inputs.env,
            shared: Arc::new(SharedConfig::new(config.as_ref(), credentials.as_ref())),
            credentials_file: Arc::new(credentials.unwrap_or_default()),
            config_file: Arc::new(config.unwrap_or_default()),
            seed: std::sync::atomic::AtomicU64::new(inputs.random_seed),
            profile: inputs.profile,
            data,
            models: Mutex::new(HashMap::new()),
            rulesets: Mutex::new(HashMap::new()),
            partitions: OnceLock::new(),
            legacy_endpoints: OnceLock::new(),
            endpoint_table: OnceLock::new(),
            credentials: OnceLock::new(),
            mfa: Mutex::new(None),
            assume_role_cache: Mutex::new(None),
        })
    }

    /// Keep assumed-role credentials in `dir` between processes, as aws-cli keeps them in
    /// `~/.aws/cli/cache` (botocore's `JSONFileCache`; the same files, so either tool uses the
    /// other's): a role is assumed again only when its file has less than 15 minutes left. Off
    /// by default, as in botocore used as a library. Takes effect the next time the session's
    /// credentials are looked for. A file that cannot be read or is not an answer is passed
    /// over and replaced (botocore's `JSONFileCache` fails the credentials on an unparsable
    /// one).
    pub fn set_assume_role_cache(&self, dir: std::path::PathBuf) {
        *self
            .assume_role_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner()) =
            Some(crate::credentials::AssumeRoleCache::new(dir));
    }

    /// Ask `callback` for the MFA code when a role profile has an `mfa_serial` (called with the
    /// serial, as botocore's prompt `Enter MFA code for {mfa_serial}: ` is; it returns the code
    /// or why there is none). Without one, such a profile's credentials fail saying so. Takes
    /// effect the next time the session's credentials are looked for.
    pub fn set_mfa_callback(&self, callback: crate::credentials::MfaCallback) {
        *self.mfa.lock().unwrap_or_else(|p| p.into_inner()) = Some(callback);
    }

    /// The selected profile's name (explicit, `AWS_DEFAULT_PROFILE`, `AWS_PROFILE`).
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref().or_else(|| {
            crate::config::setting::PROFILE
                .env
                .iter()
                .find_map(|v| self.env.get(*v).map(String::as_str))
        })
    }

    fn sources_for<'a>(&'a self, explicit: &'a Explicit<'a>) -> ConfigSources<'a> {
        ConfigSources {
            explicit,
            env: &self.env,
            shared: Some(&self.shared),
        }
    }

    /// The environment snapshot.
    pub fn env(&self) -> &HashMap<String, String> {
        &self.env
    }

    /// The merged shared config and credentials files.
    pub fn shared_config(&self) -> &SharedConfig {
        &self.shared
    }

    /// Whether connections turn on TCP keep-alive probes (`BOTOCORE_TCP_KEEPALIVE`, then the
    /// profile's `tcp_keepalive`; `true` in any case is true, as botocore's `ensure_boolean`
    /// reads it), or `None` when neither says.
    pub fn tcp_keepalive(&self) -> Result<Option<bool>, Error> {
        let explicit = Explicit(self.profile.as_deref());
        Ok(self
            .sources_for(&explicit)
            .boolean(&crate::config::setting::TCP_KEEPALIVE)?)
    }

    /// The CA bundle to verify TLS with (`AWS_CA_BUNDLE`, then the profile's `ca_bundle`).
    pub fn ca_bundle(&self) -> Option<std::path::PathBuf> {
        let explicit = Explicit(self.profile.as_deref());
        let sources = self.sources_for(&explicit);
        sources
            .text(&crate::config::setting::CA_BUNDLE)
            .ok()
            .flatten()
            .map(std::path::PathBuf::from)
    }

    /// The region configured for this session (environment, then profile), if any.
    pub fn region(&self) -> Option<String> {
        self.setting(&crate::config::setting::REGION)
            .ok()
            .flatten()
            .map(|(value, _)| value)
    }

    /// A setting of this session (environment, then the selected profile, then its default)
    /// and where it came from, as `aws configure list` shows it: `region` from
    /// `AWS_REGION`, from the profile's `region`, … A selected profile that does not exist is
    /// [`ConfigError::ProfileNotFound`](crate::config::ConfigError::ProfileNotFound).
    pub fn setting(
        &self,
        setting: &crate::config::Setting,
    ) -> Result<Option<(String, crate::config::SettingSource)>, crate::config::ConfigError> {
        let explicit = Explicit(self.profile.as_deref());
        let resolved = self.sources_for(&explicit).resolve(setting)?;
        Ok(resolved.map(|r| (r.value.to_string(), r.source)))
    }

    /// A new random source, seeded from the session's seed (each one different).
    pub fn random(&self) -> Box<dyn RandomSource> {
        let n = self
            .seed
            .fetch_add(0x9E37_79B9_7F4A_7C15, std::sync::atomic::Ordering::Relaxed);
        Box::new(SplitMix64(n))
    }

    /// Where a client's credentials come from: `explicit` ones as given, otherwise botocore's
    /// provider chain for this session's environment and profile, run again when they expire.
    pub fn credential_source(self: &Arc<Self>, explicit: Option<Credentials>) -> CredentialSource {
        self.credential_source_in(explicit, None)
    }

    /// [`credential_source`](Self::credential_source) for a client given `region` in code.
    ///
    /// The chain's credentials are the session's, shared by all its clients: found once (one
    /// `AssumeRole` for a role profile, one SSO exchange) and refreshed for all, as botocore's
    /// session resolves them once. Its STS calls are made in the region of the first client
    /// that asked (botocore makes its credential resolver with the region of the client being
    /// made when it is first needed), otherwise the session's.
    pub fn credential_source_in(
        self: &Arc<Self>,
        explicit: Option<Credentials>,
        region: Option<String>,
    ) -> CredentialSource {
        if let Some(c) = explicit {
            return CredentialSource::fixed(c);
        }
        self.credentials
            .get_or_init(|| self.chain_source(region))
            .clone()
    }

    /// A source running botocore's provider chain for this session. It holds the session only
    /// weakly (the session holds it), so a session and its clients are freed together; a
    /// client keeps its session alive while it can call.
    fn chain_source(self: &Arc<Self>, region: Option<String>) -> CredentialSource {
        let session = Arc::downgrade(self);
        let api: Arc<dyn ApiCaller> = Arc::new(SessionApiCaller {
            session: Arc::downgrade(self),
            region,
            clients: Mutex::new(HashMap::new()),
        });
        let env = self.env.clone();
        let shared = self.shared.clone();
        let (credentials_file, config_file) =
            (self.credentials_file.clone(), self.config_file.clone());
        let profile = self.profile.clone();
        CredentialSource::from_chain(move || {
            let options = ChainOptions {
                profile: profile.clone(),
                credentials_file: Some(credentials_file.clone()),
                config_file: Some(config_file.clone()),
                api: Some(api.clone()),
                home_dir: env.get("HOME").map(std::path::PathBuf::from),
                random: session.upgrade().map(|s| s.random()),
                mfa: session
                    .upgrade()
                    .and_then(|s| s.mfa.lock().unwrap_or_else(|p| p.into_inner()).clone()),
                assume_role_cache: session.upgrade().and_then(|s| {
                    (s.assume_role_cache.lock())
                        .unwrap_or_else(|p| p.into_inner())
                        .clone()
                }),
                ..Default::default()
            };
            CredentialChain::new(&env, shared.clone(), options)
        })
    }

    /// [`Error::UnknownService`] when `service` is no service's name, with the closest one.
    fn unknown_service(&self, service: &str) -> Option<Error> {
        let services = self.services().ok()?;
        (!services.iter().any(|s| s == service)).then(|| Error::UnknownService {
            service: service.to_owned(),
            suggestion: crate::validate::nearest(service, services.iter()),
        })
    }

    /// Every service name.
    pub fn services(&self) -> Result<Vec<String>, Error> {
        self.data
            .services()
            .map_err(|message| model_data("the service list", message))
    }

    /// A service's model, parsed once per session.
    pub fn model(
        &self,
        service: &str,
        api_version: Option<&str>,
    ) -> Result<Arc<ServiceModel>, Error> {
        let key = (service.to_string(), api_version.map(String::from));
        if let Some(m) = self
            .models
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(m.clone());
        }
        let what = || format!("the {service} service model");
        let parsed = match self.data.service_model_index(service, api_version) {
            // Its text is read when a call first needs an operation or a shape.
            Some(indexed) => {
                let (index, document) = indexed.map_err(|message| model_data(&what(), message))?;
                ServiceModel::from_index(index, document)?
            }
            None => {
                let bytes = self
                    .data
                    .service_file(service, api_version, DataFile::ServiceModel)
                    .map_err(|message| {
                        self.unknown_service(service)
                            .unwrap_or_else(|| model_data(&what(), message))
                    })?;
                ServiceModel::from_shared(bytes)?
            }
        };
        // Clients of this model share botocore's model customizations, made once here.
        let model = crate::client::customize_model(service, parsed);
        crate::trace::model_loaded(service, api_version);
        self.models
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, model.clone());
        Ok(model)
    }

    fn ruleset(&self, service: &str, api_version: Option<&str>) -> Result<Option<RuleSet>, Error> {
        let key = (service.to_string(), api_version.map(String::from));
        if let Some(r) = self
            .rulesets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(r.clone());
        }
        // Read and prepared when a client first resolves an endpoint, not at start-up; a
        // broken ruleset on a data path fails that call, as a broken shape fails the call
        // using it.
        let ruleset = self
            .data
            .has_service_file(service, api_version, DataFile::EndpointRuleSet)
            .then(|| {
                let data = self.data.clone();
                let (service, api_version) = key.clone();
                RuleSet::deferred_load(move || {
                    data.service_file(&service, api_version.as_deref(), DataFile::EndpointRuleSet)
                })
            });
        self.rulesets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, ruleset.clone());
        Ok(ruleset)
    }

    fn partitions(&self) -> Result<Partitions, Error> {
        if let Some(p) = self.partitions.get() {
            return Ok(p.clone());
        }
        let bytes = self
            .data
            .partitions()
            .map_err(|message| model_data("partitions.json", message))?;
        // Prepared at the first endpoint resolution (its regexes are a tenth of a first S3
        // client otherwise), as the rulesets are.
        let parsed = Partitions::deferred(bytes);
        Ok(self.partitions.get_or_init(|| parsed).clone())
    }

    /// The API version of `service` a client made with `options` uses (`None`: the latest): the
    /// one given in code, else the profile's `api_versions` entry for the service, as botocore's
    /// `create_client` and aws-cli's command table choose it.
    pub fn client_api_version(
        &self,
        service: &str,
        options: &ClientOptions,
    ) -> Result<Option<String>, Error> {
        let explicit = Explicit(self.profile.as_deref());
        Ok(api_version(&self.sources_for(&explicit), service, options)?.map(String::from))
    }

    /// A service's paginators (its latest API version's), with their limit keys' types from
    /// the service's model.
    pub fn paginators(&self, service: &str) -> Result<PaginatorModel, Error> {
        self.paginators_of(service, None)
    }

    /// The paginators of one API version of a service (`None`: the latest), as a client of
    /// that version has them (botocore loads a client's from its model's version).
    pub fn paginators_of(
        &self,
        service: &str,
        api_version: Option<&str>,
    ) -> Result<PaginatorModel, Error> {
        let model = self.model(service, api_version)?;
        let what = || format!("the {service} paginators");
        match self.optional_file(service, api_version, DataFile::Paginators, what)? {
            Some(bytes) => Ok(PaginatorModel::from_json(&bytes)?.with_model(&model)),
            None => Ok(PaginatorModel::default()),
        }
    }

    /// A service's waiters (its latest API version's).
    pub fn waiters(&self, service: &str) -> Result<WaiterModel, Error> {
        self.waiters_of(service, None)
    }

    /// The waiters of one API version of a service (`None`: the latest).
    pub fn waiters_of(
        &self,
        service: &str,
        api_version: Option<&str>,
    ) -> Result<WaiterModel, Error> {
        let what = || format!("the {service} waiters");
        match self.optional_file(service, api_version, DataFile::Waiters, what)? {
            Some(bytes) => Ok(WaiterModel::from_json(&bytes)?),
            None => Ok(WaiterModel::default()),
        }
    }

    /// A service's paginators or waiters file, `None` when the service (which has a model)
    /// has no such file: botocore's client then has no paginators or waiters (it takes the
    /// loader's `DataNotFoundError` as an empty configuration), so asking for one is
    /// `PaginateError::NotPaginated` or `WaiterError::Unknown`, not a data error.
    fn optional_file(
        &self,
        service: &str,
        api_version: Option<&str>,
        file: DataFile,
        what: impl Fn() -> String,
    ) -> Result<Option<Arc<[u8]>>, Error> {
        match self.data.service_file(service, api_version, file) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(_)
                if !self.data.has_service_file(service, api_version, file)
                    && (self.data).has_service_file(
                        service,
                        api_version,
                        DataFile::ServiceModel,
                    ) =>
            {
                Ok(None)
            }
            Err(message) => Err(model_data(&what(), message)),
        }
    }

    /// Resolve a client's configuration: options, then environment, then profile, then defaults.
    pub fn client_config(
        &self,
        service: &str,
        options: &ClientOptions,
    ) -> Result<ClientConfig, Error> {
        let explicit = Explicit(self.profile.as_deref());
        let sources = self.sources_for(&explicit);
        let model = self.model(service, api_version(&sources, service, options)?)?;
        let resolved = ResolvedConfig::resolve(&sources)?;
        let endpoint_url = configured_endpoint_url(
            &sources,
            &model.metadata.service_id,
            options.endpoint_url.as_deref(),
            None,
        )?
        .map(String::from);
        let endpoint_discovery = discovery::client_setting(
            &model,
            options.endpoint_url.is_some(),
            options.endpoint_discovery,
            sources.text(&crate::config::setting::ENDPOINT_DISCOVERY_ENABLED)?,
        )?;
        let account_id_endpoint_mode = account_id_endpoint_mode(&sources, options)?;
        let (request_checksum_calculation, response_checksum_validation) =
            checksum_settings(&sources, options)?;
        let compression = compression_settings(&sources, options)?;
        let addressing =
            options
                .s3_addressing_style
                .unwrap_or(match resolved.s3.addressing_style.as_deref() {
                    Some("path") => AddressingStyle::Path,
                    Some("virtual") => AddressingStyle::Virtual,
                    _ => AddressingStyle::Auto,
                });
        let s3_disable_express_session_auth = match options.s3_disable_express_session_auth {
            Some(disable) => Some(disable),
            None => crate::client::s3express::disable_session_auth_setting(&sources)?,
        };
        let retry_mode = match options.retry_mode {
            Some(mode) => mode,
            None if !resolved.retry_mode_configured => {
                options.default_retry_mode.unwrap_or(resolved.retry_mode)
            }
            None => resolved.retry_mode,
        };
        let legacy_retry_json = match retry_mode {
            RetryMode::Legacy => Some(
                self.data
                    .retry_config()
                    .map_err(|message| model_data("_retry.json", message))?,
            ),
            _ => None,
        };
        Ok(ClientConfig {
            endpoint: EndpointConfig {
                region: options.region.clone().or(resolved.region),
                use_fips: options.use_fips.unwrap_or(resolved.use_fips_endpoint),
                // The `s3` section's `use_dualstack_endpoint` is S3's and S3 Control's alone
                // (botocore's `_DUALSTACK_CUSTOMIZED_SERVICES`), where it wins when set.
                use_dualstack: options.use_dualstack.unwrap_or(
                    match resolved.s3.use_dualstack_endpoint {
                        Some(true)
                            if ["s3", "s3-control"]
                                .contains(&model.metadata.endpoint_prefix.as_str()) =>
                        {
                            true
                        }
                        _ => resolved.use_dualstack_endpoint,
                    },
                ),
                endpoint_url,
                s3_addressing_style: addressing,
                s3_use_accelerate: options
                    .s3_use_accelerate
                    .or(resolved.s3.use_accelerate_endpoint)
                    .unwrap_or(false),
                s3_use_arn_region: resolved.s3.use_arn_region,
                s3_disable_multiregion_access_points: resolved
                    .s3
                    .disable_multiregion_access_points
                    .unwrap_or(false),
                s3_us_east_1_regional_endpoint: resolved.s3.us_east_1_regional_endpoint,
                s3_disable_express_session_auth,
                // The S3 ruleset takes it as a client context parameter (no builtin).
                client_context: s3_disable_express_session_auth
                    .map(|disable| {
                        let value = crate::endpoint::EndpointValue::Bool(disable);
                        ("DisableS3ExpressSessionAuth".to_string(), value)
                    })
                    .into_iter()
                    .collect(),
                sts_regional_endpoints: Some(resolved.sts_regional_endpoints),
                account_id_endpoint_mode: Some(account_id_endpoint_mode),
                ..Default::default()
            },
            unsigned: options.unsigned,
            retry_mode,
            max_attempts: options.max_attempts.or(resolved.max_attempts),
            user_agent_extra: options.user_agent_extra.clone(),
            legacy_retry_json,
            endpoint_discovery,
            request_checksum_calculation,
            response_checksum_validation,
            compression,
            inject_host_prefix: match options.inject_host_prefix {
                Some(inject) => inject,
                None => !sources
                    .boolean(&setting::DISABLE_HOST_PREFIX_INJECTION)?
                    .unwrap_or(false),
            },
            user_agent_app_id: match &options.user_agent_app_id {
                Some(app) => Some(app.clone()),
                None => sources.text(&setting::USER_AGENT_APPID)?.map(String::from),
            },
            // Not for an unsigned client: botocore takes that as auth configured in code.
            env_bearer_token: match options.unsigned {
                true => None,
                false => crate::auth::bearer::env_token(model.signing_name(), &self.env),
            },
            // botocore's `compute_client_args`: a `Config` can only turn it off; otherwise the
            // profile's `parameter_validation` (no environment variable) decides.
            parameter_validation: options.parameter_validation != Some(false)
                && sources
                    .boolean(&setting::PARAMETER_VALIDATION)?
                    .unwrap_or(true),
            timestamp_parsing: options.timestamp_parsing,
            in_lambda: self.env.contains_key("AWS_LAMBDA_FUNCTION_NAME"),
            defaults_mode_connect_timeout: resolved.connect_timeout,
        })
    }

    /// Make a service client.
    pub fn service_client(
        &self,
        service: &str,
        options: &ClientOptions,
    ) -> Result<ServiceClient, Error> {
        let mut config = self.client_config(service, options)?;
        // A region goes into host names: one that is no host label (`eu.west-1`, `us_east_1`)
        // gets no client (botocore's `InvalidRegionError`, raised as its client is made).
        if let Some(region) = config.endpoint.region.as_deref() {
            crate::client::check_region_name(region)?;
        }
        let explicit = Explicit(self.profile.as_deref());
        let version = api_version(&self.sources_for(&explicit), service, options)?;
        let model = self.model(service, version)?;
        let ruleset = self.ruleset(service, version)?;
        let legacy = self.legacy_endpoints()?;
        let legacy_error = |message| model_data("endpoints-signing.json", message);
        // A lookup in the legacy table refused: unreadable, or no FIPS or dual-stack variant
        // where botocore's client wants one (its `EndpointVariantError`).
        let lookup_error = |error, service: &str| match error {
            LookupError::Table(message) => legacy_error(message),
            LookupError::NoVariant {
                partition,
                endpoint,
                tags,
            } => Error::Endpoint(crate::endpoint::EndpointError::NoEndpointVariant {
                service: service.to_owned(),
                partition,
                endpoint,
                tags,
            }),
        };
        // No region: botocore makes no client of a regional service (`NoRegionError`, raised
        // as the client is made, endpoint URL or not). A global service still has an endpoint,
        // at its partition endpoint (botocore's client region becomes `aws-global` for STS,
        // IAM, ...); given an endpoint URL its client keeps no region, and its calls are
        // refused where they are signed (`ServiceClient::sign`). S3 has rules of its own
        // (`ServiceClient::new`).
        if config.endpoint.region.is_none() && service != "s3" {
            let global = legacy
                .partition_endpoint(&model.metadata.endpoint_prefix)
                .map_err(legacy_error)?;
            match (&config.endpoint.endpoint_url, global) {
                (_, None) => return Err(Error::NoRegion),
                (None, global) => config.endpoint.region = global,
                (Some(_), Some(_)) => {}
            }
        }
        // An empty region is a host label to botocore, but the host name its client builds
        // from it without an endpoint URL (`sns..amazonaws.com`) is no URL, and it makes no
        // client (`ValueError: Invalid endpoint`); unless the service answers at its
        // partition endpoint whatever the region (IAM, Route 53, ...).
        if config.endpoint.region.as_deref() == Some("") && config.endpoint.endpoint_url.is_none() {
            let endpoint = legacy
                .endpoint_name(
                    &model.metadata.endpoint_prefix,
                    "",
                    config.endpoint.use_fips,
                    config.endpoint.use_dualstack,
                )
                .map_err(|e| lookup_error(e, &model.metadata.endpoint_prefix))?;
            if endpoint.is_empty() {
                return Err(Error::InvalidRegion {
                    region: String::new(),
                });
            }
        }
        // Then, as botocore does after its endpoint lookup, an endpoint URL it would refuse
        // gets no client either (`ValueError: Invalid endpoint`); one with spaces before its
        // scheme is taken without them, as every later `urlsplit` of it takes it.
        if let Some(url) = config.endpoint.endpoint_url.take() {
            let taken = crate::endpoint::checked_endpoint_url(&url).map(str::to_owned);
            config.endpoint.endpoint_url = Some(taken.ok_or_else(|| {
                Error::Serialize(crate::serialize::SerializeError::InvalidEndpoint {
                    url,
                    reason: "botocore refuses it when it makes a client: it needs a host name \
                             or an IPv6 address, and no tab or line break"
                        .into(),
                })
            })?);
        }
        let mut client = ServiceClient::new(service, model, ruleset, self.partitions()?, config)?;
        let prefix = client.model().metadata.endpoint_prefix.clone();
        client
            .set_default_signing(&legacy)
            .map_err(|e| lookup_error(e, &prefix))?;
        Ok(client)
    }

    /// The profiles of the shared files, the config file's in its order then those only the
    /// credentials file has (botocore's `Session.available_profiles`).
    pub fn available_profiles(&self) -> Vec<String> {
        self.shared.profiles().keys().cloned().collect()
    }

    /// The partitions of botocore's endpoint table (`aws`, `aws-cn`, `aws-us-gov`, …), in its
    /// order (botocore's `Session.get_available_partitions`).
    pub fn available_partitions(&self) -> Result<Vec<String>, Error> {
        Ok(self.endpoint_table()?.partitions())
    }

    /// The partition `region` belongs to (botocore's `Session.get_partition_for_region`): the
    /// first that lists it or whose region pattern matches it; `None` where botocore raises
    /// `UnknownRegionError`.
    pub fn partition_for_region(&self, region: &str) -> Result<Option<String>, Error> {
        Ok(self.endpoint_table()?.partition_for_region(region))
    }

    /// The regions `service` (botocore's name: `ec2`, `elb`) has an endpoint in, in `partition`
    /// (`aws`, `aws-cn`, …), in the endpoint table's order (botocore's
    /// `Session.get_available_regions`). With `allow_non_regional`, the other endpoint names
    /// too (`aws-global`, `fips-us-east-1`, …). A service the session does not know, or one
    /// the partition does not list, has none, as in botocore.
    pub fn available_regions(
        &self,
        service: &str,
        partition: &str,
        allow_non_regional: bool,
    ) -> Result<Vec<String>, Error> {
        let model = match self.model(service, None) {
            Ok(model) => model,
            Err(Error::UnknownService { .. }) => return Ok(Vec::new()),
            Err(other) => return Err(other),
        };
        let prefix = match model.metadata.endpoint_prefix.as_str() {
            "" => service,
            prefix => prefix,
        };
        Ok(self
            .endpoint_table()?
            .endpoints(prefix, partition, allow_non_regional))
    }

    /// `endpoints.json`'s names, read once.
    fn endpoint_table(&self) -> Result<Arc<dyn crate::endpoint::RegionLists>, Error> {
        if let Some(table) = self.endpoint_table.get() {
            return Ok(table.clone());
        }
        let read = self
            .data
            .endpoints()
            .and_then(|bytes| crate::endpoint::EndpointTable::from_json(&bytes))
            .map_err(|message| model_data("endpoints.json", message))?;
        Ok(self.endpoint_table.get_or_init(|| Arc::new(read)).clone())
    }

    /// The legacy endpoint table, loaded at the first client (each client reads its part).
    fn legacy_endpoints(&self) -> Result<Arc<LegacyEndpoints>, Error> {
        if let Some(table) = self.legacy_endpoints.get() {
            return Ok(table.clone());
        }
        let bytes = self
            .data
            .legacy_endpoints()
            .map_err(|message| model_data("endpoints-signing.json", message))?;
        let table = LegacyEndpoints::from_json(bytes);
        Ok(self
            .legacy_endpoints
            .get_or_init(|| Arc::new(table))
            .clone())
    }
}

/// A data file the session's [`DataSource`] could not give.
fn model_data(file: &str, message: String) -> Error {
    Error::ModelData {
        file: file.to_string(),
        message,
    }
}

/// botocore's `_compute_account_id_endpoint_mode_config`: unsigned clients have no account
/// (`disabled`); otherwise the option, the environment or profile, `preferred` by default,
/// lower-cased and checked.
fn account_id_endpoint_mode(
    sources: &crate::config::ConfigSources<'_>,
    options: &ClientOptions,
) -> Result<String, crate::config::ConfigError> {
    use crate::config::SettingSource;
    if options.unsigned {
        return Ok("disabled".into());
    }
    let (text, origin) = match &options.account_id_endpoint_mode {
        Some(mode) => (mode.as_str(), SettingSource::Explicit),
        None => match sources.resolve(&setting::ACCOUNT_ID_ENDPOINT_MODE)? {
            Some(r) => (r.value, r.source),
            None => ("preferred", SettingSource::Default),
        },
    };
    let mode = text.to_lowercase();
    if !crate::endpoint::ACCOUNT_ID_ENDPOINT_MODES.contains(&mode.as_str()) {
        return Err(crate::config::ConfigError::InvalidValue {
            setting: setting::ACCOUNT_ID_ENDPOINT_MODE.name,
            origin,
            value: text.to_string(),
            expected: "preferred, disabled or required",
        });
    }
    Ok(mode)
}

/// The API version of `service`'s model a client uses: the one given in code, else the
/// profile's `api_versions` block's entry for the service (botocore's `create_client`), else
/// the latest.
fn api_version<'a>(
    sources: &crate::config::ConfigSources<'a>,
    service: &str,
    options: &'a ClientOptions,
) -> Result<Option<&'a str>, crate::config::ConfigError> {
    if let Some(version) = &options.api_version {
        return Ok(Some(version));
    }
    Ok(sources
        .scoped_profile()?
        .and_then(|profile| profile.get("api_versions")?.as_nested()?.get(service))
        .map(String::as_str))
}

/// botocore's `_compute_checksum_config`: each setting from the option, else the environment
/// or profile, else `when_supported`. A value that is neither (`WHEN_REQUIRED` is one;
/// ` when_required` and an empty one are not) refuses every client, as botocore's
/// `InvalidChecksumConfigError` does.
fn checksum_settings(
    sources: &crate::config::ConfigSources<'_>,
    options: &ClientOptions,
) -> Result<(RequestChecksumCalculation, ResponseChecksumValidation), crate::config::ConfigError> {
    use crate::config::{ConfigError, Setting};
    fn read<T>(
        sources: &crate::config::ConfigSources<'_>,
        setting: &Setting,
        parse: fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ConfigError> {
        let Some(r) = sources.resolve(setting)? else {
            return Ok(None);
        };
        parse(r.value)
            .map(Some)
            .ok_or_else(|| ConfigError::InvalidValue {
                setting: setting.name,
                origin: r.source,
                value: r.value.to_string(),
                expected: "when_supported or when_required",
            })
    }
    let request = match options.request_checksum_calculation {
        Some(given) => given,
        None => read(
            sources,
            &setting::REQUEST_CHECKSUM_CALCULATION,
            RequestChecksumCalculation::from_setting,
        )?
        .unwrap_or_default(),
    };
    let response = match options.response_checksum_validation {
        Some(given) => given,
        None => read(
            sources,
            &setting::RESPONSE_CHECKSUM_VALIDATION,
            ResponseChecksumValidation::from_setting,
        )?
        .unwrap_or_default(),
    };
    Ok((request, response))
}

/// botocore's `_compute_request_compression_config`: the minimum size from the option, else
/// the environment or profile (read as Python's `int`), else 10,240, and refused outside 1 to
/// 1,048,576 wherever it came from (`InvalidConfigError`, for every client); whether it is
/// disabled from the option, else the environment or profile (`true` in any case), else not.
fn compression_settings(
    sources: &crate::config::ConfigSources<'_>,
    options: &ClientOptions,
) -> Result<CompressionConfig, crate::config::ConfigError> {
    use crate::config::{ConfigError, SettingSource};
    const BOUNDS: std::ops::RangeInclusive<i64> = 1..=1_048_576;
    let invalid = |origin, value: String| ConfigError::InvalidValue {
        setting: setting::REQUEST_MIN_COMPRESSION_SIZE_BYTES.name,
        origin,
        value,
        expected: "an integer from 1 to 1048576",
    };
    let min_size = match options.request_min_compression_size_bytes {
        Some(given) => i64::try_from(given)
            .ok()
            .filter(|n| BOUNDS.contains(n))
            .ok_or_else(|| invalid(SettingSource::Explicit, given.to_string()))?,
        None => match sources.resolve(&setting::REQUEST_MIN_COMPRESSION_SIZE_BYTES)? {
            None => crate::compress::DEFAULT_MIN_COMPRESSION_SIZE as i64,
            Some(r) => crate::config::py_int(r.value)
                .filter(|n| BOUNDS.contains(n))
                .ok_or_else(|| invalid(r.source, r.value.to_string()))?,
        },
    };
    let disabled = match options.disable_request_compression {
        Some(given) => given,
        None => sources
            .boolean(&setting::DISABLE_REQUEST_COMPRESSION)?
            .unwrap_or(false),
    };
    Ok(CompressionConfig {
        disable_request_compression: disabled,
        request_min_compression_size_bytes: min_size as u64,
    })
}

/// Makes the credential providers' STS and sign-in calls with this session's own clients.
struct SessionApiCaller {
    /// Weak: the session holds the credential source this caller belongs to.
    session: std::sync::Weak<Session>,
    /// The region of the client the chain resolves for, when given in code: STS's before the
    /// session's (botocore's assume-role and web-identity providers make their STS client in
    /// it; its login provider makes the sign-in client in the token's or the session's).
    region: Option<String>,
    clients: Mutex<HashMap<ClientKey, Arc<ServiceClient>>>,
}

/// A service, and the region asked for (`None`: the session's).
type ClientKey = (String, Option<String>);

impl SessionApiCaller {
    /// The session, while any of its clients lives (a client keeps it alive).
    fn session(&self) -> Result<Arc<Session>, Error> {
        (self.session.upgrade()).ok_or(Error::MachineMisuse(
            "the session these credentials came from was dropped: keep the session (or a client \
             of it) alive while its credentials are used",
        ))
    }

    fn client_in(&self, service: &str, region: Option<&str>) -> Result<Arc<ServiceClient>, Error> {
        let key = (service.to_string(), region.map(String::from));
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = clients.get(&key) {
            return Ok(c.clone());
        }
        // Made as any client of the session is, in the region asked for, else (STS) the
        // region of the client the chain resolves for, else the session's: with no region at
        // all, STS goes to its global endpoint (`sts.amazonaws.com`), or is refused given an
        // endpoint URL, and a regional service (sign-in) gets no client.
        let given = (service == "sts").then(|| self.region.clone()).flatten();
        let options = ClientOptions {
            region: region.map(String::from).or(given),
            ..Default::default()
        };
        let client = Arc::new(self.session()?.service_client(service, &options)?);
        clients.insert(key, client.clone());
        Ok(client)
    }
}

impl ApiCaller for SessionApiCaller {
    fn build(
        &self,
        service: &str,
        operation: &str,
        params: &Value,
        credentials: Option<&Credentials>,
        now: std::time::SystemTime,
    ) -> Result<http::Request<Body>, Error> {
        self.build_in_region(service, None, operation, params, credentials, now)
    }

    fn build_in_region(
        &self,
        service: &str,
        region: Option<&str>,
        operation: &str,
        params: &Value,
        credentials: Option<&Credentials>,
        now: std::time::SystemTime,
    ) -> Result<http::Request<Body>, Error> {
        let client = self.client_in(service, region)?;
        let mut rng = self.session()?.random();
        let prepared = client.prepare(operation, params.clone(), rng.as_mut())?;
        let identity = credentials
            .map(Identity::Credentials)
            .unwrap_or(Identity::Anonymous);
        client.sign(&prepared, identity, now, None)
    }

    fn parse(
        &self,
        service: &str,
        operation: &str,
        response: http::Response<bytes::Bytes>,
    ) -> Result<Value, ApiCallError> {
        // The answer is read by the client that built the request (made in the region it
        // was asked for); any client of the service reads it the same way.
        let built = self
            .clients
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|((name, _), _)| name == service)
            .map(|(_, client)| client.clone());
        let client = match built {
            Some(client) => client,
            None => self.client_in(service, None).map_err(|e| ApiCallError {
                code: "Client".into(),
                message: e.to_string(),
                status: None,
            })?,
        };
        let response = response.map(Body::from);
        client
            .parse_operation(operation, response, 0)
            .map_err(|e| match e {
                Error::Service(s) => ApiCallError {
                    code: s.code.clone(),
                    message: s.message.clone(),
                    status: Some(s.status),
                },
                other => ApiCallError {
                    code: "Client".into(),
                    message: other.to_string(),
                    status: None,
                },
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_inputs_debug_shows_names_not_values() {
        let inputs = SessionInputs {
            env: HashMap::from([
                (
                    "AWS_SECRET_ACCESS_KEY".to_string(),
                    "envS3cretValue".to_string(),
                ),
                ("AWS_SESSION_TOKEN".to_string(), "envT0kenValue".to_string()),
            ]),
            config_file: Some(b"[default]\nregion = us-east-1\n".to_vec()),
            credentials_file: Some(
                b"[default]\naws_secret_access_key = fileS3cretValue\n".to_vec(),
            ),
            profile: Some("dev".into()),
            random_seed: 7,
        };
        let shown = format!("{inputs:?} {inputs:#?}");
        for secret in [
            "envS3cretValue",
            "envT0kenValue",
            "fileS3cretValue",
            "us-east-1",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("AWS_SECRET_ACCESS_KEY"), "{shown}");
        assert!(shown.contains("bytes>"), "{shown}");
        assert!(shown.contains("dev"), "{shown}");
    }
}
