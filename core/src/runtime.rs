//! The user-facing session and client, written once for every runtime.
//!
//! A transport implements [`Transport`] — the HTTP exchange ([`Http`]), time ([`Timer`]) and the
//! host's files and processes ([`Host`]), and says how its futures are handed to the caller
//! ([`Transport::run`]: boxed for async runtimes, driven to completion on the spot for the
//! blocking one). Everything else — building clients, resolving credentials, driving calls with
//! retries, pagination, waiters, presigning, reading event streams ([`EventStream`]), answering calls from a
//! [`Stubber`] — lives here, as loops over the core's state machines. The core stays free of any
//! executor: it only writes `async` code that the transport's futures complete.
//!
//! Streamed response bodies stay the transport's own type (read them as the runtime likes), but
//! each holds the core's [`ResponseCheck`], where a response checksum the call asked for is
//! added ([`Http::check`]), so every way of reading it is checked at its end.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::auth::Credentials;
use crate::body::{Body, StreamingBody};
use crate::client::{CallIdentity, CallMachine, ServiceClient};
use crate::credentials::{CredentialSource, CredentialsError, ResolveCredentials};
use crate::endpoint::discovery::DiscoverySetting;
use crate::endpoint::AddressingStyle;
use crate::error::{Error, TransportError, TransportErrorKind};
use crate::eventstream::{Decoder, Message};
use crate::hooks::{CallInfo, Event, HookError, Hooks, Target};
use crate::http_config::HttpConfig;
use crate::http_settings::HttpSettings;
use crate::httpchecksum::{select_response_checksum, ResponseChecksumValidator};
use crate::machine::{split_command_line, Machine, ProcessOutput, RequestTimeout, Step};
use crate::model::{Operation, ShapeId};
use crate::paginate::{FullResult, PaginateError, PaginationOptions, Paginator};
use crate::parse::{parse_event, parse_initial_response};
use crate::response_check::{Collect, ResponseCheck};
use crate::retry::RetryMode;
use crate::session::{ClientOptions, Session};
use crate::stub::Stubber;
use crate::trace::{self, Exchange};
use crate::transfer::{FileJob, FileOutput};
use crate::transfer_rate::{MinTransferRate, TransferWatch};
use crate::value::Map;
use crate::value::Value;
use crate::waiter::{WaitStep, Waiter};

/// What a runtime supplies, in three parts as a runtime really has them: the HTTP exchange and
/// its body reads ([`Http`]), time ([`Timer`]) and the host's files and processes ([`Host`]),
/// plus how its futures reach the caller ([`Transport::run`]) and run side by side
/// ([`Transport::join_all`]). Implemented by `sansboto-tokio`, `sansboto-async-std` and
/// `sansboto-blocking` (and an in-memory transport in the tests); each method only moves bytes,
/// waits or reads the clock: what is checked of a body is the core's ([`ResponseCheck`]), and so
/// are the rules of its connections — when a request a stale pooled connection dropped is sent
/// again, how long a read may wait, what a failure is
/// ([`connection`](crate::connection)).
pub trait Transport: Http + Timer + Host {
    /// How this runtime hands a result to the caller: a boxed future on async runtimes, the
    /// value itself on the blocking one.
    type Run<'a, T: 'a>: 'a;

    /// Hand `future` to the caller in this runtime's way.
    fn run<'a, T: 'a>(future: impl Future<Output = T> + Send + 'a) -> Self::Run<'a, T>;

    /// Run `futures` side by side until all are done, outputs in order (a transfer's workers).
    /// By default they are polled together in one future, which suits async runtimes; the
    /// blocking transport runs each on a thread of its own.
    fn join_all<F>(&self, futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send,
        F::Output: Send,
    {
        crate::transfer::join::JoinAll::new(futures)
    }
}

/// The HTTP exchange: send a request, read its response body piece by piece.
pub trait Http: Clone + Send + Sync + Sized + 'static {
    /// A response body not read yet (kept in a [`StreamingBody`] for streaming outputs).
    type ResponseBody: Send + 'static;

    /// A pooled HTTP client for `config`.
    fn connect(config: &HttpConfig) -> Result<Self, TransportError>;
    /// Send a request; resolves once the response head has arrived.
    fn send(
        &self,
        request: http::Request<Body>,
    ) -> impl Future<Output = Result<http::Response<Self::ResponseBody>, TransportError>> + Send;
    /// The next piece of a body, or `None` at its end, each piece and the end told to the
    /// body's [`check`](Self::check) (whose errors the read returns).
    fn read_chunk(
        &self,
        body: &mut Self::ResponseBody,
    ) -> impl Future<Output = Result<Option<Bytes>, TransportError>> + Send;
    /// The checks every way of reading `body` goes through: the core adds the response
    /// checksum and the transfer watch there before handing a streamed body over.
    fn check(body: &mut Self::ResponseBody) -> &mut ResponseCheck;
    /// The proxy a request to `uri` goes through, named in transport errors (`None`: direct,
    /// or the transport does not say).
    fn proxy_for(&self, uri: &http::Uri) -> Option<String> {
        let _ = uri;
        None
    }
    /// Read a whole body (truncation is an error): [`read_chunk`](Self::read_chunk) until the
    /// end.
    fn read_body(
        &self,
        mut body: Self::ResponseBody,
    ) -> impl Future<Output = Result<Bytes, TransportError>> + Send {
        async move {
            let Some(first) = self.read_chunk(&mut body).await? else {
                return Ok(Bytes::new());
            };
            let Some(second) = self.read_chunk(&mut body).await? else {
                return Ok(first);
            };
            let mut all = Collect::new(Self::check(&mut body).expected_len());
            all.push(&first);
            all.push(&second);
            while let Some(piece) = self.read_chunk(&mut body).await? {
                all.push(&piece);
            }
            Ok(all.finish())
        }
    }
}

/// Time: waiting and the wall clock.
pub trait Timer {
    /// Wait.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
    /// `future`'s output, or `None` when `limit` passes first.
    fn timeout<F: Future + Send>(
        &self,
        limit: Duration,
        future: F,
    ) -> impl Future<Output = Option<F::Output>> + Send;
    /// The wall clock.
    fn now(&self) -> SystemTime;
}

/// The host: files and processes (credential caches and providers, S3 transfers, request bodies
/// read ahead).
pub trait Host {
    /// Read a replayable request body (a file range or a rewindable reader of the runtime's
    /// kind: [`StreamingBody::is_replayable`]) from its start to its end, handing each piece to
    /// `sink`, without using it up (the core hashes such an upload this way before signing it:
    /// see [`BodyDigest`](crate::BodyDigest)). Host work, not HTTP: it reads the caller's file
    /// or reader; which source a body has, how it is read in pieces and what its errors say are
    /// the core's ([`request_body::scan`](crate::request_body::scan)). A body that cannot be read
    /// ahead is an error of kind [`TransportErrorKind::Request`].
    fn scan_body(
        &self,
        body: &StreamingBody,
        sink: &mut (dyn FnMut(&[u8]) + Send),
    ) -> impl Future<Output = Result<(), TransportError>> + Send;
    /// A file's contents.
    fn read_file(&self, path: PathBuf) -> impl Future<Output = std::io::Result<Bytes>> + Send;
    /// Replace a file's contents, as [`Step::WriteFile`] describes.
    fn write_file(
        &self,
        path: PathBuf,
        contents: Bytes,
    ) -> impl Future<Output = std::io::Result<()>> + Send;
    /// Run a program (no shell) and collect its output.
    fn run_process(
        &self,
        argv: Vec<String>,
    ) -> impl Future<Output = std::io::Result<ProcessOutput>> + Send;
    /// Do a local file operation an S3 transfer asks for.
    fn file_job(&self, job: FileJob) -> impl Future<Output = std::io::Result<FileOutput>> + Send;
    /// Write `data` into the existing file at `path`, at `offset` (a downloaded range).
    fn write_file_at(
        &self,
        path: PathBuf,
        offset: u64,
        data: Bytes,
    ) -> impl Future<Output = std::io::Result<()>> + Send;
    /// Ask for an MFA code ([`Step::AskMfaCode`]): run the caller's prompt where blocking work
    /// runs, since it may wait on a person. By default on the calling thread, for a host
    /// without a place for blocking work (a test's); the async transports run it on their
    /// blocking pool, the blocking transport on the calling thread.
    fn ask_mfa_code(
        &self,
        prompt: crate::credentials::MfaPrompt,
    ) -> impl Future<Output = Result<String, String>> + Send {
        std::future::ready(prompt.ask())
    }
    /// An environment variable as it is now, for what botocore reads at each call rather than
    /// once per session: Lambda's `_X_AMZN_TRACE_ID`, which the runtime sets anew for each
    /// invocation. `None` by default (a host without an environment, as a test's).
    fn env_var(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }
}

/// A session on runtime `T` (botocore's `get_session()`): configuration, models, credentials.
pub struct RuntimeSession<T> {
    core: Result<Arc<Session>, Arc<Error>>,
    _transport: std::marker::PhantomData<fn() -> T>,
}

impl<T> Clone for RuntimeSession<T> {
    fn clone(&self) -> Self {
        RuntimeSession {
            core: self.core.clone(),
            _transport: std::marker::PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for RuntimeSession<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("core", &self.core.as_ref().ok())
            .finish()
    }
}

impl<T: Transport> RuntimeSession<T> {
    /// Wrap a core session, or the error that prevented making one (reported when a client is
    /// built, so making a session never fails, as in botocore).
    pub fn from_core(core: Result<Arc<Session>, Error>) -> Self {
        RuntimeSession {
            core: core.map_err(Arc::new),
            _transport: std::marker::PhantomData,
        }
    }

    /// The core session.
    pub fn core(&self) -> Result<&Arc<Session>, Error> {
        self.core.as_ref().map_err(|e| Error::Session(e.clone()))
    }

    /// Ask `prompt` for the MFA code of a role profile with `mfa_serial` (it is given the
    /// serial; botocore prompts `Enter MFA code for {mfa_serial}: ` on the terminal). Without
    /// one, such a profile's credentials fail saying no MFA callback was given.
    ///
    /// ```
    /// # use sansboto_core::runtime::{RuntimeSession, Transport};
    /// # fn f<T: Transport>(session: RuntimeSession<T>) {
    /// let session = session.mfa_prompt(|serial| {
    ///     eprint!("Enter MFA code for {serial}: ");
    ///     let mut code = String::new();
    ///     std::io::stdin().read_line(&mut code).map_err(|e| e.to_string())?;
    ///     Ok(code.trim().to_string())
    /// });
    /// # }
    /// ```
    pub fn mfa_prompt(
        self,
        prompt: impl Fn(&str) -> Result<String, String> + Send + Sync + 'static,
    ) -> Self {
        if let Ok(core) = &self.core {
            core.set_mfa_callback(Arc::new(prompt));
        }
        self
    }

    /// Keep assumed-role credentials in `dir` between processes, in aws-cli's files (its
    /// `~/.aws/cli/cache`): see [`Session::set_assume_role_cache`].
    pub fn assume_role_cache(self, dir: impl Into<PathBuf>) -> Self {
        if let Ok(core) = &self.core {
            core.set_assume_role_cache(dir.into());
        }
        self
    }

    /// Start building a client of `service` (botocore's name: `s3`, `dynamodb`, …).
    pub fn client(&self, service: &str) -> ClientBuilder<T> {
        ClientBuilder {
            session: self.clone(),
            service: service.to_string(),
            options: ClientOptions::default(),
            credentials: None,
            http: HttpSettings::new(),
            hooks: Vec::new(),
            min_transfer_rate: None,
        }
    }
}

impl<T: Transport> RuntimeSession<T> {
    /// The credentials this session's clients sign with (botocore's
    /// `Session.get_credentials()`): the provider chain run for the session's environment and
    /// profile, over this runtime (a role profile's STS call, IMDS, the container endpoint).
    /// `Ok(None)` when no provider has any, as botocore returns `None`. A provider that fails
    /// is [`Error::Credentials`]; a profile that does not exist, or another error of the
    /// configuration, is [`Error::Config`] whichever step finds it.
    /// [`Credentials::provider`] says which provider found them (botocore's `method`).
    ///
    /// Connection settings that cannot be used (a CA bundle or client certificate that cannot
    /// be read) fail only the requests the chain sends, with why: keys in the environment or
    /// the files are still found, as botocore finds them without opening a connection.
    ///
    /// The session's clients share these credentials: resolving them here first finds them
    /// once for all (and refreshes them for all when they expire). The blocking transport's
    /// documentation has an example.
    pub fn credentials(&self) -> T::Run<'static, Result<Option<Credentials>, Error>> {
        let session = self.clone();
        T::run(async move {
            let core = session.core()?.clone();
            let http_config = session_http_config(&core, None, HttpSettings::new())?;
            let (transport, unusable) = match T::connect(&http_config) {
                Ok(transport) => (transport, None),
                Err(e) => (T::connect(&HttpConfig::default())?, Some(e)),
            };
            let mut resolve = core.credential_source(None).resolve();
            let found = match &unusable {
                Some(why) => {
                    let mut refusing = RefusingRequests {
                        resolve: &mut resolve,
                        why,
                    };
                    drive_credential_steps(&mut refusing, &transport).await
                }
                None => drive_credentials(&mut resolve, &transport).await,
            };
            match found {
                Ok(c) => Ok(Some(c)),
                Err(CredentialsError::NotFound { .. }) => Ok(None),
                Err(CredentialsError::Config(e)) => Err(Error::Config(e)),
                Err(e) => Err(Error::Credentials(e)),
            }
        })
    }

    /// The regions `service` has an endpoint in, in `partition` (botocore's
    /// `Session.get_available_regions`): see [`Session::available_regions`].
    pub fn available_regions(
        &self,
        service: &str,
        partition: &str,
        allow_non_regional: bool,
    ) -> Result<Vec<String>, Error> {
        self.core()?
            .available_regions(service, partition, allow_non_regional)
    }

    /// Every service's name (botocore's `Session.get_available_services`).
    pub fn available_services(&self) -> Result<Vec<String>, Error> {
        self.core()?.services()
    }

    /// The profiles of the shared files (botocore's `Session.available_profiles`).
    pub fn available_profiles(&self) -> Result<Vec<String>, Error> {
        Ok(self.core()?.available_profiles())
    }

    /// The partitions (botocore's `Session.get_available_partitions`).
    pub fn available_partitions(&self) -> Result<Vec<String>, Error> {
        self.core()?.available_partitions()
    }

    /// The partition `region` belongs to, `None` for none (botocore's
    /// `Session.get_partition_for_region`).
    pub fn partition_for_region(&self, region: &str) -> Result<Option<String>, Error> {
        self.core()?.partition_for_region(region)
    }
}

/// The HTTP configuration of a client of `session`: the session's keep-alive setting
/// (environment, profile) and its defaults mode's `connect_timeout`, under `changes` (botocore's
/// `Config` wins over both), over the environment's proxies and CA bundle. Not inlined:
/// inlined into `build`, it made a program 2 KB bigger (issue #18: binary size).
#[inline(never)]
fn session_http_config(
    session: &Session,
    connect_timeout: Option<Duration>,
    changes: HttpSettings,
) -> Result<HttpConfig, Error> {
    let mut from_session = match session.tcp_keepalive()? {
        Some(on) => HttpSettings::new().tcp_keepalive(on),
        None => HttpSettings::new(),
    };
    if let Some(limit) = connect_timeout {
        from_session = from_session.connect_timeout(limit);
    }
    // Sorted by name: the session keeps its environment unordered (see
    // `HttpConfig::from_env_vars` for where the order matters). Through the crate's one
    // sort (`stable_order`), not a sort of its own (issue #18: binary size).
    let env: Vec<(&String, &String)> = session.env().iter().collect();
    let by_name = crate::sorting::stable_order(env.len(), &|a, b| env[a].0.cmp(env[b].0));
    let mut http_config = from_session
        .merge(changes)
        .resolve_env(by_name.iter().map(|&i| env[i]), session.ca_bundle())?;
    resolve_ca_bundle_path(&mut http_config, session.env());
    Ok(http_config)
}

/// A client being configured (botocore's `create_client` arguments and `Config`).
pub struct ClientBuilder<T> {
    session: RuntimeSession<T>,
    service: String,
    options: ClientOptions,
    credentials: Option<Credentials>,
    http: HttpSettings,
    hooks: Vec<HookRegistration>,
    min_transfer_rate: Option<MinTransferRate>,
}

type HookRegistration = Box<dyn FnOnce(&mut Hooks) + Send>;

impl<T> std::fmt::Debug for ClientBuilder<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("service", &self.service)
            .field("options", &self.options)
            .field("credentials", &self.credentials)
            .finish()
    }
}

impl<T: Transport> ClientBuilder<T> {
    /// Region (`region_name`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.options.region = Some(region.into());
        self
    }

    /// Custom endpoint URL (`endpoint_url`).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.options.endpoint_url = Some(url.into());
        self
    }

    /// Explicit credentials (`aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`).
    pub fn credentials(
        mut self,
        access_key_id: &str,
        secret_access_key: &str,
        session_token: Option<&str>,
    ) -> Self {
        self.credentials = Some(Credentials::new(
            access_key_id,
            secret_access_key,
            session_token.map(String::from),
            None,
        ));
        self
    }

    /// Send requests unsigned (botocore's `signature_version=UNSIGNED`).
    pub fn unsigned(mut self) -> Self {
        self.options.unsigned = true;
        self
    }

    /// A specific API version of the service model.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.options.api_version = Some(version.into());
        self
    }

    /// Retry mode and total attempts (`retries={'mode': …, 'total_max_attempts': …}`).
    pub fn retries(mut self, mode: RetryMode, max_attempts: Option<u32>) -> Self {
        self.options.retry_mode = Some(mode);
        self.options.max_attempts = max_attempts;
        self
    }

    /// The account of the explicit [`credentials`](Self::credentials) (`aws_account_id`),
    /// for account-based endpoints; like botocore, ignored without explicit credentials. Call it
    /// after `credentials`.
    pub fn account_id(mut self, account_id: impl Into<String>) -> Self {
        self.credentials = self
            .credentials
            .map(|c| c.with_account_id(Some(account_id)));
        self
    }

    /// `account_id_endpoint_mode` (`preferred`, `required`, `disabled`): otherwise from
    /// `AWS_ACCOUNT_ID_ENDPOINT_MODE` or the profile, `preferred` by default.
    pub fn account_id_endpoint_mode(mut self, mode: impl Into<String>) -> Self {
        self.options.account_id_endpoint_mode = Some(mode.into());
        self
    }

    /// Which requests get a flexible checksum (`request_checksum_calculation`): otherwise
    /// from `AWS_REQUEST_CHECKSUM_CALCULATION` or the profile, `when_supported` by default.
    pub fn request_checksum_calculation(mut self, when: crate::RequestChecksumCalculation) -> Self {
        self.options.request_checksum_calculation = Some(when);
        self
    }

    /// Which responses' checksums are checked (`response_checksum_validation`): otherwise from
    /// `AWS_RESPONSE_CHECKSUM_VALIDATION` or the profile, `when_supported` by default.
    pub fn response_checksum_validation(mut self, when: crate::ResponseChecksumValidation) -> Self {
        self.options.response_checksum_validation = Some(when);
        self
    }

    /// Turn request compression off or on (`disable_request_compression`): otherwise from
    /// `AWS_DISABLE_REQUEST_COMPRESSION` or the profile, on by default.
    pub fn disable_request_compression(mut self, disable: bool) -> Self {
        self.options.disable_request_compression = Some(disable);
        self
    }

    /// The smallest body compressed, from 1 to 1,048,576 bytes
    /// (`request_min_compression_size_bytes`): otherwise from
    /// `AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES` or the profile, 10,240 by default.
    pub fn request_min_compression_size_bytes(mut self, bytes: u64) -> Self {
        self.options.request_min_compression_size_bytes = Some(bytes);
        self
    }

    /// The application's id (`user_agent_appid`), sent in the user agent as `app/<id>`:
    /// otherwise from `AWS_SDK_UA_APP_ID` or the profile's `sdk_ua_app_id`.
    pub fn user_agent_app_id(mut self, id: impl Into<String>) -> Self {
        self.options.user_agent_app_id = Some(id.into());
        self
    }

    /// Prepend operations' host prefixes (`inject_host_prefix`, on by default): otherwise
    /// from `AWS_DISABLE_HOST_PREFIX_INJECTION` or the profile.
    pub fn inject_host_prefix(mut self, inject: bool) -> Self {
        self.options.inject_host_prefix = Some(inject);
        self
    }

    /// `false` sends parameters without checking them against the model first
    /// (`parameter_validation`); `true` leaves it to the profile, as botocore's `Config` does.
    pub fn parameter_validation(mut self, validate: bool) -> Self {
        self.options.parameter_validation = Some(validate);
        self
    }

    /// Endpoint discovery (`endpoint_discovery_enabled`): otherwise from
    /// `AWS_ENDPOINT_DISCOVERY_ENABLED` or the profile, `auto` by default.
    pub fn endpoint_discovery(mut self, setting: DiscoverySetting) -> Self {
        self.options.endpoint_discovery = Some(setting);
        self
    }

    /// S3 addressing style (`s3={'addressing_style': …}`).
    pub fn s3_addressing_style(mut self, style: AddressingStyle) -> Self {
        self.options.s3_addressing_style = Some(style);
        self
    }

    /// Sign S3 directory-bucket (S3 Express) calls with the client's own credentials rather
    /// than `CreateSession` sessions (`s3_disable_express_session_auth`).
    pub fn s3_disable_express_session_auth(mut self, disable: bool) -> Self {
        self.options.s3_disable_express_session_auth = Some(disable);
        self
    }

    /// Change HTTP settings (timeouts, pool size, proxy, CA bundle, verification, TCP
    /// keep-alive, client certificate); what `settings` leaves alone still comes from the
    /// environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, `AWS_CA_BUNDLE`,
    /// `BOTOCORE_TCP_KEEPALIVE`) and the profile (`ca_bundle`, `tcp_keepalive`). Later changes
    /// win.
    pub fn http_settings(mut self, settings: HttpSettings) -> Self {
        self.http = self.http.merge(settings);
        self
    }

    /// Longest wait for a connection to open (botocore's `connect_timeout`); the proxy and CA
    /// bundle from the environment and profile are kept.
    pub fn connect_timeout(self, limit: Duration) -> Self {
        self.http_settings(HttpSettings::new().connect_timeout(limit))
    }

    /// Longest wait for any single read (botocore's `read_timeout`); the proxy and CA bundle
    /// from the environment and profile are kept.
    pub fn read_timeout(self, limit: Duration) -> Self {
        self.http_settings(HttpSettings::new().read_timeout(limit))
    }

    /// Idle connections kept per host (botocore's `max_pool_connections`).
    pub fn pool_max_idle(self, connections: usize) -> Self {
        self.http_settings(HttpSettings::new().pool_max_idle(connections))
    }

    /// Send requests through this proxy instead of the environment's (`NO_PROXY` still
    /// applies); a bad URL is an [`Error::HttpConfig`] from [`build`](Self::build).
    pub fn proxy(self, url: impl Into<String>) -> Self {
        self.http_settings(HttpSettings::new().proxy(url))
    }

    /// Trust this PEM bundle instead of `AWS_CA_BUNDLE`'s, the profile's or the built-in roots.
    pub fn ca_bundle(self, path: impl Into<PathBuf>) -> Self {
        self.http_settings(HttpSettings::new().ca_bundle(path))
    }

    /// Turn TCP keep-alive probes on or off for this client's connections (botocore's
    /// `tcp_keepalive`), whatever `BOTOCORE_TCP_KEEPALIVE` and the profile say.
    pub fn tcp_keepalive(self, on: bool) -> Self {
        self.http_settings(HttpSettings::new().tcp_keepalive(on))
    }

    /// Present the certificate and key of this PEM file when a server asks for a client
    /// certificate (mutual TLS; botocore's `client_cert="both.pem"`); a file that cannot be used
    /// fails [`build`](Self::build) with a TLS error naming it.
    pub fn client_cert(self, cert_and_key: impl Into<PathBuf>) -> Self {
        self.http_settings(HttpSettings::new().client_cert(cert_and_key))
    }

    /// Present the certificate of `cert` with the private key of `key` (botocore's
    /// `client_cert=("cert.pem", "key.pem")`); see [`client_cert`](Self::client_cert).
    pub fn client_cert_with_key(self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.http_settings(HttpSettings::new().client_cert_with_key(cert, key))
    }

    /// Trust this PEM file's CA certificates for an `https://` proxy, besides the client's
    /// (botocore's `proxies_config` `proxy_ca_bundle`).
    pub fn proxy_ca_bundle(self, path: impl Into<PathBuf>) -> Self {
        self.http_settings(HttpSettings::new().proxy_ca_bundle(path))
    }

    /// Present this PEM file's certificate and key to an `https://` proxy that asks for one
    /// (botocore's `proxies_config` `proxy_client_cert`).
    pub fn proxy_client_cert(self, cert_and_key: impl Into<PathBuf>) -> Self {
        self.http_settings(HttpSettings::new().proxy_client_cert(cert_and_key))
    }

    /// Present `cert`'s certificate with `key`'s private key to an `https://` proxy (botocore's
    /// `proxies_config` `proxy_client_cert` as a pair).
    pub fn proxy_client_cert_with_key(
        self,
        cert: impl Into<PathBuf>,
        key: impl Into<PathBuf>,
    ) -> Self {
        self.http_settings(HttpSettings::new().proxy_client_cert_with_key(cert, key))
    }

    /// Send `https://` requests to an `https://` proxy in absolute form instead of through a
    /// `CONNECT` tunnel (botocore's `proxies_config` `proxy_use_forwarding_for_https`; see
    /// [`HttpSettings::proxy_use_forwarding_for_https`]).
    pub fn proxy_use_forwarding_for_https(self, forward: bool) -> Self {
        self.http_settings(HttpSettings::new().proxy_use_forwarding_for_https(forward))
    }

    /// Register a lifecycle hook on this client (see [`Hooks::register`]): `scope` is `"*"` or
    /// the service name (every call), or an operation name (`"PutObject"`).
    ///
    /// ```no_run
    /// # fn demo<T: sansboto_core::runtime::Transport>(b: sansboto_core::runtime::ClientBuilder<T>) {
    /// use sansboto_core::hooks::{Event, Target};
    /// let b = b.hook(Event::BeforeSend, "trace", "*", |call, target| {
    ///     if let Target::Request(req) = target {
    ///         eprintln!("{} {} {}", call.operation, req.method(), req.uri());
    ///     }
    ///     Ok(())
    /// });
    /// # }
    /// ```
    pub fn hook<F>(mut self, event: Event, name: &str, scope: &str, hook: F) -> Self
    where
        F: Fn(&CallInfo<'_>, &mut Target<'_>) -> Result<(), HookError> + Send + Sync + 'static,
    {
        let (name, scope) = (name.to_string(), scope.to_string());
        let service = self.service.clone();
        self.hooks.push(Box::new(move |hooks: &mut Hooks| {
            // A bare operation name scopes to that operation of this client's service.
            let scope = if scope == "*" || scope == service || scope.contains('.') {
                scope
            } else {
                format!("{service}.{scope}")
            };
            hooks.register(event, &name, &scope, hook)
        }));
        self
    }

    /// A bound on each whole call, retries included (connect and read timeouts bound each
    /// attempt; set them with [`connect_timeout`](Self::connect_timeout) and
    /// [`read_timeout`](Self::read_timeout)).
    pub fn call_timeout(mut self, limit: Duration) -> Self {
        self.options.call_timeout = Some(limit);
        self
    }

    /// The slowest a response body may arrive, streamed or not (checked as it is read: a body
    /// slower than `rate` over a window fails with a timeout [`TransportError`]). Off by
    /// default, as in botocore; a server that sends nothing is stopped by the read timeout.
    ///
    /// ```no_run
    /// # fn demo<T: sansboto_core::runtime::Transport>(b: sansboto_core::runtime::ClientBuilder<T>) {
    /// use std::time::Duration;
    /// use sansboto_core::MinTransferRate;
    /// let b = b.min_transfer_rate(MinTransferRate::new(1024, Duration::from_secs(10)));
    /// # }
    /// ```
    pub fn min_transfer_rate(mut self, rate: MinTransferRate) -> Self {
        self.min_transfer_rate = Some(rate);
        self
    }

    /// Set every client option at once.
    pub fn options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }

    /// Make the client: resolve its configuration (nothing is sent until the first call).
    pub fn build(self) -> T::Run<'static, Result<Client<T>, Error>> {
        T::run(async move { self.make() })
    }

    fn make(self) -> Result<Client<T>, Error> {
        let session = self.session.core()?.clone();
        let mut core = session.service_client(&self.service, &self.options)?;
        for register in self.hooks {
            register(core.hooks_mut());
        }
        let http_config = session_http_config(
            &session,
            core.config().defaults_mode_connect_timeout,
            self.http,
        )?;
        core.set_read_timeout(http_config.read_timeout);
        let core = Arc::new(core);
        let transport = T::connect(&http_config)?;
        let explicit_credentials = self.credentials.clone();
        let credentials = (!self.options.unsigned)
            .then(|| session.credential_source_in(self.credentials, self.options.region.clone()));
        Ok(Client {
            core,
            transport,
            credentials,
            explicit_credentials,
            session,
            call_timeout: self.options.call_timeout,
            min_transfer_rate: self.min_transfer_rate,
            stubber: None,
        })
    }
}

/// A service client on runtime `T` (cheap to clone: clones share the connection pool, the retry
/// quota and the credentials).
///
/// | method | what |
/// | --- | --- |
/// | `call(op, params)` | one operation (`"PutObject"` or `"put_object"`), retried per the retry mode |
/// | `paginate(op, params, PaginationOptions)` | [`Pages`]: `next_page`, `full_result` |
/// | `wait(name, params, delay, max_attempts)` | a waiter (`"bucket_exists"`) until success or [`Error::Waiter`] |
/// | `presign(op, params, expires_in)` | a presigned URL |
/// | `generate_presigned_post(bucket, key, fields, conditions, expires_in)` | an S3 browser upload form |
/// | `event_stream(op, &result)` | the events of an event-stream output |
/// | `generate_db_auth_token(host, port, user, region)` | an RDS IAM token |
/// | `stubber()`, `with_stubber(&stubber)` | canned answers for tests (botocore's `Stubber`) |
pub struct Client<T> {
    core: Arc<ServiceClient>,
    transport: T,
    credentials: Option<CredentialSource>,
    /// The credentials given to the builder, if any: the only ones a stubbed client signs
    /// with (resolving the chain could reach the network).
    explicit_credentials: Option<Credentials>,
    session: Arc<Session>,
    call_timeout: Option<Duration>,
    /// The slowest a response body may arrive.
    min_transfer_rate: Option<MinTransferRate>,
    /// When set, calls are answered from here and never sent.
    stubber: Option<Stubber>,
}

impl<T: Clone> Clone for Client<T> {
    fn clone(&self) -> Self {
        Client {
            core: self.core.clone(),
            transport: self.transport.clone(),
            credentials: self.credentials.clone(),
            explicit_credentials: self.explicit_credentials.clone(),
            session: self.session.clone(),
            call_timeout: self.call_timeout,
            min_transfer_rate: self.min_transfer_rate,
            stubber: self.stubber.clone(),
        }
    }
}

impl<T> std::fmt::Debug for Client<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
}

impl<T: Transport> Client<T> {
    /// The core client (model, configuration, hooks).
    pub fn core(&self) -> &ServiceClient {
        &self.core
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// A new, empty [`Stubber`] for this client's service (queue answers on it, then give it to
    /// [`with_stubber`](Self::with_stubber)).
    pub fn stubber(&self) -> Stubber {
        Stubber::new(self.core.model().clone())
    }

    /// A clone of this client whose calls (and the calls of its paginators and waiters) are
    /// answered by `stubber` and never sent: each is still validated, serialized and signed
    /// (with the builder's explicit credentials only; otherwise it stays unsigned), and recorded
    /// in [`Stubber::requests`].
    pub fn with_stubber(&self, stubber: &Stubber) -> Client<T> {
        Client {
            stubber: Some(stubber.clone()),
            ..self.clone()
        }
    }

    /// The events of an event-stream output (S3 SelectObjectContent's `Payload`, Kinesis
    /// SubscribeToShard's `EventStream`): `output` is the result of calling `operation`. Read
    /// them with [`EventStream::next_event`]. The stream is taken out of `output`, so this works
    /// once per result.
    pub fn event_stream<'c>(
        &'c self,
        operation: &str,
        output: &Value,
    ) -> Result<EventStream<'c, T>, Error> {
        let op = self.core.operation(operation)?;
        let model = self.core.model();
        let (member, stream_shape) = op
            .output
            .as_ref()
            .and_then(|o| model.shape(o.shape).as_structure())
            .and_then(|s| {
                s.members.iter().find(|(_, m)| {
                    model
                        .shape(m.shape)
                        .as_structure()
                        .is_some_and(|t| t.eventstream)
                })
            })
            .map(|(name, m)| (name.as_str(), m.shape))
            .ok_or_else(|| Error::NoEventStream {
                operation: op.name.clone(),
                reason: "the operation has no event-stream output member".into(),
            })?;
        let stream = output
            .get(member)
            .and_then(Value::as_stream)
            .ok_or_else(|| Error::NoEventStream {
                operation: op.name.clone(),
                reason: format!(
                    "the result has no event stream in {member} (is it this operation's result?)"
                ),
            })?;
        let source = match stream.take::<T::ResponseBody>() {
            Some(body) => EventSource::Body(body),
            // A response read whole (or a stubbed one) holds the bytes themselves.
            None => match stream.take::<Bytes>() {
                Some(bytes) => EventSource::Memory(Some(bytes)),
                None => {
                    return Err(Error::NoEventStream {
                        operation: op.name.clone(),
                        reason: format!("the event stream in {member} was already taken"),
                    })
                }
            },
        };
        Ok(EventStream {
            client: self,
            operation: op,
            stream_shape,
            source,
            decoder: Decoder::new(),
            pending: None,
            initial: None,
            started: false,
            done: false,
        })
    }

    /// The encoder of `operation`'s input events (an operation with an event-stream input:
    /// Bedrock's `InvokeModelWithBidirectionalStream`, Lex `StartConversation`…). Transports
    /// turn the caller's stream of events into the input member's value with it.
    pub fn input_event_encoder(
        &self,
        operation: &str,
    ) -> Result<crate::client::event_input::InputEventEncoder, Error> {
        crate::client::event_input::InputEventEncoder::new(self.core.clone(), operation)
    }

    /// Call `operation` (`PutObject` or `put_object`) with `params`. A streaming output member
    /// (S3 GetObject's `Body`) comes back as a [`Value::Stream`]; take it with [`take_body`].
    pub fn call<'a>(
        &'a self,
        operation: &'a str,
        params: Value,
    ) -> T::Run<'a, Result<Value, Error>> {
        T::run(self.call_async(operation, params))
    }

    /// [`call`](Self::call) as a plain future, for code that converts the result before
    /// handing it over in the runtime's way (the typed clients of `sansboto-typed`).
    pub fn call_future<'a>(
        &'a self,
        operation: &'a str,
        params: Value,
    ) -> impl Future<Output = Result<Value, Error>> + Send + 'a {
        self.call_async(operation, params)
    }

    /// A presigned URL for `operation` (SigV4), valid for `expires_in` (at most 7 days); an
    /// unsigned client's is the plain URL, as botocore's.
    pub fn presign<'a>(
        &'a self,
        operation: &'a str,
        params: Value,
        expires_in: Duration,
    ) -> T::Run<'a, Result<String, Error>> {
        T::run(async move {
            let creds = self.presigning_credentials().await?;
            // An S3 Express URL is signed with the bucket's session: make it first if needed.
            if let Some(creds) = &creds {
                if let Some(mut fetch) = self.core.s3express_presign_session(
                    operation,
                    &params,
                    creds,
                    self.transport.now(),
                    self.session.random().as_mut(),
                )? {
                    let made = drive_call(fetch.call_mut(), &self.transport).await;
                    fetch.finish(made, self.transport.now())?;
                }
            }
            self.core.presign_with(
                operation,
                params,
                creds.as_ref(),
                self.transport.now(),
                expires_in,
                &Default::default(),
                self.session.random().as_mut(),
            )
        })
    }

    /// A presigned POST (botocore's `generate_presigned_post`): the URL and form fields a
    /// browser uploads `key` into `bucket` with, valid for `expires_in`; `fields` and
    /// `conditions` (policy conditions such as `{"acl": "public-read"}` or
    /// `["content-length-range", 0, 1048576]`) as botocore takes them. An S3 client's only.
    pub fn generate_presigned_post<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        fields: &'a [(String, String)],
        conditions: &'a [serde_json::Value],
        expires_in: Duration,
    ) -> T::Run<'a, Result<crate::auth::PresignedPost, Error>> {
        T::run(async move {
            let creds = self.presigning_credentials().await?;
            self.core.presigned_post(
                bucket,
                key,
                fields,
                conditions,
                creds.as_ref(),
                self.transport.now(),
                expires_in,
                self.session.random().as_mut(),
            )
        })
    }

    /// An EKS cluster token (`k8s-aws-v1.…`) for `cluster`, as `aws eks get-token` makes it,
    /// from this STS client's credentials (see [`ServiceClient::eks_token`];
    /// [`crate::customize::eks::exec_credential`] wraps it for kubectl).
    pub fn eks_token<'a>(&'a self, cluster: &'a str) -> T::Run<'a, Result<String, Error>> {
        T::run(async move {
            let creds = self.presigning_credentials().await?;
            self.core.eks_token(
                cluster,
                creds.as_ref(),
                self.transport.now(),
                self.session.random().as_mut(),
            )
        })
    }

    /// The credentials a presigned URL is signed with: none for an unsigned client (its URLs
    /// are plain, as botocore's `UNSIGNED` ones).
    async fn presigning_credentials(&self) -> Result<Option<Credentials>, Error> {
        if self.credentials.is_none() {
            return Ok(None);
        }
        match self.credential_identity().await? {
            (CallIdentity::Credentials(creds), _) => Ok(Some(creds)),
            (_, missing) => Err(Error::NoCredentials(
                missing.unwrap_or_else(|| "presigning needs credentials".into()),
            )),
        }
    }

    /// An RDS IAM authentication token for `username` on `hostname:port` (botocore's
    /// `generate_db_auth_token`), signed with this client's credentials; `region` defaults to
    /// the client's.
    pub fn generate_db_auth_token<'a>(
        &'a self,
        hostname: &'a str,
        port: u16,
        username: &'a str,
        region: Option<&'a str>,
    ) -> T::Run<'a, Result<String, Error>> {
        T::run(async move {
            let (identity, missing) = self.credential_identity().await?;
            let CallIdentity::Credentials(creds) = identity else {
                return Err(Error::NoCredentials(
                    missing.unwrap_or_else(|| "an auth token needs credentials".into()),
                ));
            };
            self.core.generate_db_auth_token(
                hostname,
                port,
                username,
                region,
                &creds,
                self.transport.now(),
            )
        })
    }

    /// Paginate `operation` (botocore's `get_paginator(...).paginate`): call
    /// [`Pages::next_page`] until it gives `None`, or [`Pages::full_result`].
    pub fn paginate(
        &self,
        operation: &str,
        params: Value,
        options: PaginationOptions,
    ) -> Result<Pages<'_, T>, Error> {
        let version = Some(self.core.model().metadata.api_version.as_str());
        let paginators = self.session.paginators_of(self.core.service(), version)?;
        let op = self.core.operation(operation)?.name.clone();
        let config = paginators
            .get(&op)
            .ok_or_else(|| PaginateError::NotPaginated(op.clone()))?;
        let paginator = Paginator::new(config, params, options)?;
        Ok(Pages {
            client: self,
            operation: op,
            paginator,
        })
    }

    /// Run the waiter `name` (`bucket_exists` or `BucketExists`) until it succeeds or fails;
    /// `delay` and `max_attempts` override the model's.
    pub fn wait<'a>(
        &'a self,
        name: &'a str,
        params: Value,
        delay: Option<Duration>,
        max_attempts: Option<u32>,
    ) -> T::Run<'a, Result<(), Error>> {
        T::run(self.wait_future(name, params, delay, max_attempts))
    }

    /// [`wait`](Self::wait) as a plain future, for code that converts its outcome (the typed
    /// waiters of `sansboto-typed`).
    pub async fn wait_future(
        &self,
        name: &str,
        params: Value,
        delay: Option<Duration>,
        max_attempts: Option<u32>,
    ) -> Result<(), Error> {
        let version = Some(self.core.model().metadata.api_version.as_str());
        let waiters = self.session.waiters_of(self.core.service(), version)?;
        let config = waiters.get(name)?;
        let mut waiter = Waiter::new(config, params, delay, max_attempts);
        loop {
            let response = match self
                .call_async(waiter.operation(), waiter.params().clone())
                .await
            {
                Ok(v) => v,
                Err(Error::Service(e)) => e.fields.clone(),
                Err(other) => return Err(other),
            };
            match waiter.handle_response(response)? {
                WaitStep::Success => return Ok(()),
                WaitStep::Sleep(d) => self.transport.sleep(d).await,
            }
        }
    }

    pub(crate) async fn call_async(&self, operation: &str, params: Value) -> Result<Value, Error> {
        // The two arms' futures are laid out side by side in this one, not overlapped: with
        // the call's future inline in both, every call's future was twice its size (11.6 KB
        // for a GetItem), all of it copied into the box the transport hands out. The call
        // with a time limit, which has a timer to set anyway, boxes its own.
        match self.call_timeout {
            // Async transports stop an attempt in flight; the machine's deadline also bounds
            // retries on the blocking one, whose exchanges cannot be interrupted.
            Some(limit) => self
                .transport
                .timeout(limit, Box::pin(self.call_once(operation, params)))
                .await
                .unwrap_or_else(|| {
                    Err(Error::Transport(TransportError::new(
                        TransportErrorKind::Timeout,
                        format!("the call did not finish within {limit:?}"),
                    )))
                }),
            None => self.call_once(operation, params).await,
        }
    }

    async fn call_once(&self, operation: &str, params: Value) -> Result<Value, Error> {
        let region = self.core.config().endpoint.region.as_deref();
        let span = trace::call_span(self.core.service(), operation, region);
        span.instrument(self.call_in_span(operation, params, &span))
            .await
    }

    async fn call_in_span(
        &self,
        operation: &str,
        params: Value,
        span: &trace::Span,
    ) -> Result<Value, Error> {
        if let Some(stubber) = &self.stubber {
            let identity = match &self.explicit_credentials {
                Some(c) if self.credentials.is_some() => CallIdentity::Credentials(c.clone()),
                _ => CallIdentity::Anonymous,
            };
            return stubber.call(
                &self.core,
                operation,
                params,
                &identity,
                self.transport.now(),
                self.session.random().as_mut(),
            );
        }
        let (identity, missing) = self.identity().await?;
        // One clock read, once the identity is there (finding it may have waited on the
        // network): the request's time, the deadline and the machine's first step all take
        // it, as a clock read is not free on a call of a few microseconds.
        let now = self.transport.now();
        let mut machine =
            self.core
                .call_at(operation, params, identity, self.session.random(), now)?;
        span.record_endpoint(machine.endpoint());
        // A limit too long for the clock (`Duration::MAX`: "no limit") sets no deadline.
        if let Some(deadline) = self.call_timeout.and_then(|limit| now.checked_add(limit)) {
            machine.set_deadline(deadline);
        }
        // botocore's recursion detection: inside Lambda (a variable that does not change in a
        // process, so the session's snapshot says), the invocation's trace id as it is now.
        if self.core.in_lambda() {
            machine.set_trace_id(self.transport.env_var("_X_AMZN_TRACE_ID"));
        }
        let driven = drive_call_from(
            &mut machine,
            &self.transport,
            self.min_transfer_rate,
            Some(now),
        );
        match driven.await {
            Err(Error::NoCredentials(_)) if missing.is_some() => {
                Err(Error::NoCredentials(missing.unwrap_or_default()))
            }
            other => other,
        }
    }

    /// A call's identity: the environment's bearer token when the client's calls are signed
    /// with it (Bedrock's API keys; no credentials are looked for, as botocore resolves them
    /// only for the signers that need them), else the credentials.
    async fn identity(&self) -> Result<(CallIdentity, Option<String>), Error> {
        if let Some(token) = self.core.env_bearer_token() {
            return Ok((CallIdentity::Token(token.clone()), None));
        }
        self.credential_identity().await
    }

    /// The credentials (presigned URLs and auth tokens are SigV4's, token or not).
    async fn credential_identity(&self) -> Result<(CallIdentity, Option<String>), Error> {
        let Some(source) = &self.credentials else {
            return Ok((CallIdentity::Anonymous, None));
        };
        match drive_credentials(&mut source.resolve(), &self.transport).await {
            Ok(c) => Ok((CallIdentity::Credentials(c), None)),
            // No credentials anywhere: operations that need none (noAuth) still work, and a
            // signed one fails with this message.
            Err(e @ CredentialsError::NotFound { .. }) => {
                Ok((CallIdentity::Anonymous, Some(e.to_string())))
            }
            Err(e) => Err(Error::Credentials(e)),
        }
    }
}

/// One pagination in progress.
pub struct Pages<'c, T> {
    client: &'c Client<T>,
    operation: String,
    paginator: Paginator,
}

impl<'c, T: Transport> Pages<'c, T> {
    /// The next page, or `None` at the end.
    pub fn next_page(&mut self) -> T::Run<'_, Option<Result<Value, Error>>> {
        T::run(self.next_async())
    }

    /// [`next_page`](Self::next_page) as a plain future, for code that converts each page
    /// (the typed paginators of `sansboto-typed`).
    pub async fn next_page_future(&mut self) -> Option<Result<Value, Error>> {
        self.next_async().await
    }

    async fn next_async(&mut self) -> Option<Result<Value, Error>> {
        let params = self.paginator.next_params()?.clone();
        let page = match self.client.call_async(&self.operation, params).await {
            Ok(p) => p,
            Err(e) => return Some(Err(e)),
        };
        Some(self.paginator.handle_page(page).map_err(Error::from))
    }

    /// All remaining pages aggregated into one result (botocore's `build_full_result`), with
    /// `NextToken` when `MaxItems` stopped early.
    pub fn full_result(self) -> T::Run<'c, Result<Value, Error>>
    where
        T: 'c,
    {
        T::run(self.full_result_future())
    }

    /// [`full_result`](Self::full_result) as a plain future, for code that converts the result
    /// (the typed paginators of `sansboto-typed`).
    pub async fn full_result_future(mut self) -> Result<Value, Error> {
        let mut full = FullResult::new();
        while let Some(page) = self.next_async().await {
            full.add_page(self.paginator.config(), &page?)?;
        }
        Ok(full.finish(&self.paginator))
    }

    /// The token to resume from, once pagination stopped at `MaxItems`.
    pub fn resume_token(&self) -> Option<&str> {
        self.paginator.resume_token()
    }

    /// The pagination's state: its configuration (result keys) and the non-aggregate keys
    /// of the first page, for callers that print page by page (aws-cli's text output).
    pub fn paginator(&self) -> &Paginator {
        &self.paginator
    }
}

/// Where an event stream's bytes come from.
enum EventSource<B> {
    /// The transport's unread response body.
    Body(B),
    /// Bytes already in memory (a body read whole, or a stub's), handed out once.
    Memory(Option<Bytes>),
}

/// The events of one event-stream response, read as they arrive (botocore's `EventStream`).
pub struct EventStream<'c, T: Transport> {
    client: &'c Client<T>,
    operation: &'c Operation,
    stream_shape: ShapeId,
    source: EventSource<T::ResponseBody>,
    decoder: Decoder,
    /// A first message read by [`initial_response`](Self::initial_response) that was an event.
    pending: Option<Message>,
    initial: Option<Map>,
    started: bool,
    done: bool,
}

impl<'c, T: Transport> EventStream<'c, T> {
    /// The next event (`{"Records": {"Payload": ...}}`), or `None` at the end of the stream. A
    /// modeled exception or an error message ends the stream with `Error::Service`; event types
    /// the model does not know are skipped, as botocore skips them.
    pub fn next_event(&mut self) -> T::Run<'_, Option<Result<Value, Error>>> {
        T::run(self.next_async())
    }

    /// The output members an RPC (JSON or CBOR protocol) event stream sends in its first,
    /// `initial-response` event (`None` when the stream did not start with one). Reads the
    /// first message if no event was read yet; events are not lost.
    pub fn initial_response(&mut self) -> T::Run<'_, Result<Option<Map>, Error>> {
        T::run(async move {
            if !self.started && !self.done {
                match self.read_message().await {
                    Ok(Some(message)) => match self.take_initial(message) {
                        Ok(first) => self.pending = first,
                        Err(e) => {
                            self.done = true;
                            return Err(e);
                        }
                    },
                    Ok(None) => {
                        self.done = true;
                        self.no_initial_response()?;
                    }
                    Err(e) => {
                        self.done = true;
                        return Err(e);
                    }
                }
            }
            Ok(self.initial.clone())
        })
    }

    /// Record the first message when it is the `initial-response`; otherwise give it back.
    fn take_initial(&mut self, message: Message) -> Result<Option<Message>, Error> {
        self.started = true;
        if message.message_type() == Some("event")
            && message.event_type() == Some("initial-response")
        {
            self.initial = Some(parse_initial_response(
                self.client.core.model(),
                self.operation,
                &message,
            )?);
            return Ok(None);
        }
        self.no_initial_response()?;
        Ok(Some(message))
    }

    /// The stream did not start with an `initial-response` event: an error for the RPC
    /// protocols (JSON, CBOR), as botocore's `_handle_event_stream` fails the call ("First
    /// event was not of type initial-response"); REST streams have none.
    fn no_initial_response(&self) -> Result<(), Error> {
        match self.client.core.model().protocol {
            crate::model::Protocol::Json | crate::model::Protocol::RpcV2Cbor => {
                Err(Error::Parse(crate::parse::ParseError::invalid(
                    "an initial-response event first",
                    "another message or none",
                )))
            }
            _ => Ok(()),
        }
    }

    async fn next_async(&mut self) -> Option<Result<Value, Error>> {
        if self.done && self.pending.is_none() {
            return None;
        }
        let result = self.next_inner().await;
        if !matches!(result, Some(Ok(_))) {
            self.done = true;
        }
        result
    }

    async fn next_inner(&mut self) -> Option<Result<Value, Error>> {
        loop {
            let message = match self.pending.take() {
                Some(m) => m,
                None => match self.read_message().await {
                    Ok(Some(m)) => m,
                    Ok(None) if !self.started => {
                        self.started = true;
                        return self.no_initial_response().err().map(Err);
                    }
                    Ok(None) => return None,
                    Err(e) => return Some(Err(e)),
                },
            };
            let message = if self.started {
                message
            } else {
                match self.take_initial(message) {
                    Ok(Some(m)) => m,
                    Ok(None) => continue,
                    Err(e) => return Some(Err(e)),
                }
            };
            match parse_event(self.client.core.model(), self.stream_shape, &message) {
                // An event type this model does not know.
                Ok(Value::Map(m)) if m.is_empty() => continue,
                Ok(event) => return Some(Ok(event)),
                Err(crate::parse::ParseError::Service(mut e)) => {
                    e.operation = self.operation.name.clone();
                    return Some(Err(Error::Service(e)));
                }
                Err(e) => return Some(Err(e.into())),
            }
        }
    }

    /// The next whole message, reading more of the body as needed.
    async fn read_message(&mut self) -> Result<Option<Message>, Error> {
        loop {
            if let Some(message) = self.decoder.next_message()? {
                return Ok(Some(message));
            }
            let chunk = match &mut self.source {
                EventSource::Body(body) => self.client.transport.read_chunk(body).await?,
                EventSource::Memory(bytes) => bytes.take(),
            };
            match chunk {
                Some(bytes) => self.decoder.push(&bytes),
                None => {
                    self.decoder.finish()?;
                    return Ok(None);
                }
            }
        }
    }
}

/// Take the unread streaming body out of a result member (`out["Body"]`). `None` when the member
/// is not an unread stream of this transport.
pub fn take_body<T: Transport>(value: &Value) -> Option<T::ResponseBody> {
    value.as_stream()?.take::<T::ResponseBody>()
}

/// What to do with a response body.
enum BodyPlan {
    /// Read it whole before parsing.
    Read,
    /// Hand it over unread (a streaming output), checking it against a checksum as it is read
    /// when one is given.
    /// (Boxed: a hasher's state is large and most streams have no checksum.)
    Stream(Option<Box<ResponseChecksumValidator>>),
}

/// Send one request; the body is read fully unless `plan` says to hand it over unread. A
/// [`RequestTimeout`] on the request bounds the whole exchange.
async fn exchange<T: Transport>(
    transport: &T,
    request: http::Request<Body>,
    kind: Exchange<'_>,
    limits: BodyLimits,
    plan: impl FnOnce(&http::response::Parts) -> BodyPlan + Send,
) -> Result<http::Response<Body>, TransportError> {
    let limit = request.extensions().get::<RequestTimeout>().map(|t| t.0);
    trace::request(&request, kind);
    // Boxed under a time limit (credential providers' requests, and calls with a
    // `call_timeout`), so this future is not twice the exchange's size (see
    // `Client::call_async`).
    let outcome = match limit {
        Some(limit) => transport
            .timeout(
                limit,
                Box::pin(send_and_read(transport, request, kind, limits, plan)),
            )
            .await
            .unwrap_or_else(|| {
                Err(TransportError::new(
                    TransportErrorKind::Timeout,
                    format!("no answer within {limit:?}"),
                ))
            }),
        None => send_and_read(transport, request, kind, limits, plan).await,
    };
    if let Err(e) = &outcome {
        trace::transport_failed(e);
    }
    outcome
}

/// [`exchange`]'s work: send, then read the body or hand it over unread as `plan` says.
async fn send_and_read<T: Transport>(
    transport: &T,
    request: http::Request<Body>,
    kind: Exchange<'_>,
    limits: BodyLimits,
    plan: impl FnOnce(&http::response::Parts) -> BodyPlan + Send,
) -> Result<http::Response<Body>, TransportError> {
    let response = transport.send(request).await?;
    let (parts, mut body) = response.into_parts();
    trace::response_head(&parts, kind);
    let body = match plan(&parts) {
        BodyPlan::Stream(validator) => {
            let check = T::check(&mut body);
            if let Some(validator) = validator {
                check.expect_checksum(*validator);
            }
            if let Some(rate) = limits.rate {
                // Read later, by the caller: the call's deadline no longer applies.
                check.watch(TransferWatch::new(Some(rate), None, transport.now()));
            }
            let len = check.expected_len();
            trace::response_streamed(len);
            Body::Stream(StreamingBody::new(body, len))
        }
        BodyPlan::Read => {
            // The clock is read only for a body with a rate or deadline to watch: most calls
            // have neither, and a clock read is not free on a call of a few microseconds.
            let watch = TransferWatch::start(limits.rate, limits.deadline, || transport.now());
            let bytes = match watch {
                Some(watch) => read_watched(transport, body, watch).await?,
                None => transport.read_body(body).await?,
            };
            trace::response_body(&bytes, kind);
            Body::from(bytes)
        }
    };
    Ok(http::Response::from_parts(parts, body))
}

/// How slowly a response body may arrive.
#[derive(Clone, Copy, Default)]
struct BodyLimits {
    rate: Option<MinTransferRate>,
    /// The call's deadline, for a body read whole.
    deadline: Option<SystemTime>,
}

/// Read a whole body piece by piece, each read bounded by the time left before the deadline
/// and every piece reported to `watch` (on the blocking transport, whose reads cannot be
/// interrupted, the deadline is enforced as pieces arrive).
async fn read_watched<T: Transport>(
    transport: &T,
    mut body: T::ResponseBody,
    mut watch: TransferWatch,
) -> Result<Bytes, TransportError> {
    let mut all = bytes::BytesMut::new();
    loop {
        let next = transport.read_chunk(&mut body);
        let chunk = match watch.time_left(transport.now()) {
            Some(left) => match transport.timeout(left, next).await {
                Some(chunk) => chunk?,
                None => return Err(watch.expired(left)),
            },
            None => next.await?,
        };
        match chunk {
            Some(piece) => {
                watch.record(piece.len(), transport.now())?;
                all.extend_from_slice(&piece);
            }
            None => return Ok(all.freeze()),
        }
    }
}

/// Drive a call to its end over `transport`.
pub async fn drive_call<T: Transport>(
    machine: &mut CallMachine<'_>,
    transport: &T,
) -> Result<Value, Error> {
    drive_call_within(machine, transport, None).await
}

/// [`drive_call`], failing a response body that arrives slower than `rate`, or (read whole)
/// after the call's deadline.
pub async fn drive_call_within<T: Transport>(
    machine: &mut CallMachine<'_>,
    transport: &T,
    rate: Option<MinTransferRate>,
) -> Result<Value, Error> {
    drive_call_from(machine, transport, rate, None).await
}

/// [`drive_call_within`], its first step at `first_now`: the clock reading the caller made the
/// machine's request at (the steps after it read the clock again).
async fn drive_call_from<T: Transport>(
    machine: &mut CallMachine<'_>,
    transport: &T,
    rate: Option<MinTransferRate>,
    first_now: Option<SystemTime>,
) -> Result<Value, Error> {
    let call_span = trace::current();
    // The nested call in flight (discovery, S3 Express session, redirect probe) and its span.
    let mut nested: Option<(&'static str, trace::Span)> = None;
    // Where the last request went, so a transport error can say so.
    let mut last_uri = None;
    // The time the machine was last told: the end of an exchange is also the time of the
    // poll right after it (the clock is read once per step, not once per question).
    let mut told: Option<SystemTime> = first_now;
    loop {
        if let Some(mut digest) = machine.body_digest() {
            let body = digest.body().clone();
            let read = transport
                .scan_body(&body, &mut |chunk| digest.update(chunk))
                .await;
            machine.handle_body_digest(read.map(|()| digest));
            told = None;
        }
        let now = told.take().unwrap_or_else(|| transport.now());
        match machine.poll(now) {
            Step::Send(request) => {
                last_uri = Some(request.uri().clone());
                let parent = match machine.nested_call() {
                    Some((purpose, operation)) => match &nested {
                        Some((current, span)) if *current == purpose => span.clone(),
                        _ => {
                            let span = trace::nested_call_span(
                                &call_span,
                                purpose,
                                operation,
                                machine.endpoint(),
                            );
                            nested = Some((purpose, span.clone()));
                            span
                        }
                    },
                    None => {
                        nested = None;
                        call_span.clone()
                    }
                };
                let attempt = trace::attempt_span(&parent, machine.attempt());
                let limits = BodyLimits {
                    rate,
                    deadline: machine.deadline(),
                };
                // Signed just now, at `now`: the attempt's time starts there.
                let started = now;
                let (client, operation) = (machine.client(), machine.operation());
                let checksums = machine.response_checksums();
                let plan = move |parts: &http::response::Parts| {
                    if !client.streams_response(operation, parts.status.as_u16()) {
                        return BodyPlan::Read;
                    }
                    // botocore's `StreamingChecksumBody`: checked as the caller reads it.
                    BodyPlan::Stream(select_response_checksum(&parts.headers, checksums).map(
                        |(algorithm, expected)| {
                            Box::new(ResponseChecksumValidator::new(algorithm, expected))
                        },
                    ))
                };
                let kind = Exchange::Call(trace::sensitive_names(client, operation));
                let response = attempt
                    .instrument(exchange(transport, request, kind, limits, plan))
                    .await;
                let now = transport.now();
                let status = response.as_ref().ok().map(|r| r.status().as_u16());
                attempt.record_attempt(status, now.duration_since(started).unwrap_or_default());
                attempt.in_scope(|| machine.handle_response(response, now));
                told = Some(now);
            }
            Step::Sleep(d) => transport.sleep(d).await,
            Step::Done(v) => return Ok(v),
            Step::Failed(Error::Transport(e)) => {
                return Err(Error::Transport(locate(
                    e,
                    last_uri.as_ref(),
                    machine,
                    transport,
                )))
            }
            Step::Failed(e) => return Err(e),
            Step::ReadFile(_) | Step::WriteFile(..) | Step::RunProcess(_) | Step::AskMfaCode(_) => {
                return Err(Error::MachineMisuse(
                    "a call asked for a file, a process or an MFA code",
                ))
            }
        }
    }
}

/// `e` naming the host its request went to, the proxy, and the call's attempts.
fn locate<T: Transport>(
    e: TransportError,
    uri: Option<&http::Uri>,
    machine: &CallMachine<'_>,
    transport: &T,
) -> TransportError {
    let e = e.after_attempts(machine.attempts_made());
    match uri.and_then(|u| Some((u, u.authority()?))) {
        Some((uri, authority)) => e.at(authority.as_str(), transport.proxy_for(uri)),
        None => e,
    }
}

/// The CA bundle as botocore's HTTP layer finds it, after the environment, the profile and
/// the builder: `REQUESTS_CA_BUNDLE` when none of them names one (botocore's endpoint honours
/// it for `requests`' sake; an empty one is ignored here, where botocore would turn
/// verification off), and a leading `~` expanded, as urllib3 expands the path it loads.
fn resolve_ca_bundle_path(
    config: &mut crate::HttpConfig,
    env: &std::collections::HashMap<String, String>,
) {
    if config.ca_bundle.is_none() {
        let requests = env.get("REQUESTS_CA_BUNDLE").filter(|b| !b.is_empty());
        config.ca_bundle = requests.map(PathBuf::from);
    }
    let home = env
        .get("HOME")
        .or_else(|| env.get("USERPROFILE"))
        .map(std::path::Path::new);
    if let Some(path) = &mut config.ca_bundle {
        *path = crate::config::expand_user(&path.to_string_lossy(), home);
    }
}

/// Drive a credentials resolution to its end over `transport`.
pub fn drive_credentials<'a, T: Transport>(
    machine: &'a mut ResolveCredentials,
    transport: &'a T,
) -> impl Future<Output = Result<Credentials, CredentialsError>> + 'a {
    drive_credential_steps(machine, transport)
}

/// What [`drive_credential_steps`] drives: a credentials resolution, or one whose requests all
/// fail ([`RefusingRequests`]). A trait rather than a flag on the resolution, so that programs
/// that never refuse requests carry none of that code (issue #18: binary size).
trait CredentialSteps {
    fn poll(&mut self, now: SystemTime) -> Step<Credentials, CredentialsError>;
    fn handle_response(&mut self, response: Result<http::Response<Bytes>, TransportError>);
    fn handle_file(&mut self, contents: std::io::Result<Bytes>);
    fn handle_written(&mut self, outcome: std::io::Result<()>);
    fn handle_process(&mut self, output: std::io::Result<ProcessOutput>);
    fn handle_mfa_code(&mut self, code: Result<String, String>);
}

impl CredentialSteps for ResolveCredentials {
    fn poll(&mut self, now: SystemTime) -> Step<Credentials, CredentialsError> {
        Machine::poll(self, now)
    }
    fn handle_response(&mut self, response: Result<http::Response<Bytes>, TransportError>) {
        ResolveCredentials::handle_response(self, response)
    }
    fn handle_file(&mut self, contents: std::io::Result<Bytes>) {
        ResolveCredentials::handle_file(self, contents)
    }
    fn handle_written(&mut self, outcome: std::io::Result<()>) {
        ResolveCredentials::handle_written(self, outcome)
    }
    fn handle_process(&mut self, output: std::io::Result<ProcessOutput>) {
        ResolveCredentials::handle_process(self, output)
    }
    fn handle_mfa_code(&mut self, code: Result<String, String>) {
        ResolveCredentials::handle_mfa_code(self, code)
    }
}

/// A resolution that cannot connect (a CA bundle that cannot be read): each request it would
/// send is answered with why, and everything else is done as usual, so keys the environment
/// and the files hold are still found (as botocore finds them without a connection).
struct RefusingRequests<'m> {
    resolve: &'m mut ResolveCredentials,
    why: &'m TransportError,
}

impl CredentialSteps for RefusingRequests<'_> {
    fn poll(&mut self, now: SystemTime) -> Step<Credentials, CredentialsError> {
        loop {
            match Machine::poll(self.resolve, now) {
                Step::Send(_) => {
                    let refused = TransportError::new(self.why.kind, self.why.message.clone());
                    self.resolve.handle_response(Err(refused));
                }
                step => return step,
            }
        }
    }
    fn handle_response(&mut self, response: Result<http::Response<Bytes>, TransportError>) {
        self.resolve.handle_response(response)
    }
    fn handle_file(&mut self, contents: std::io::Result<Bytes>) {
        self.resolve.handle_file(contents)
    }
    fn handle_written(&mut self, outcome: std::io::Result<()>) {
        self.resolve.handle_written(outcome)
    }
    fn handle_process(&mut self, output: std::io::Result<ProcessOutput>) {
        self.resolve.handle_process(output)
    }
    fn handle_mfa_code(&mut self, code: Result<String, String>) {
        self.resolve.handle_mfa_code(code)
    }
}

/// Drive `machine`'s steps to the credentials over `transport`.
async fn drive_credential_steps<T: Transport>(
    machine: &mut impl CredentialSteps,
    transport: &T,
) -> Result<Credentials, CredentialsError> {
    loop {
        match machine.poll(transport.now()) {
            Step::Send(request) => {
                let limits = BodyLimits::default();
                let response = exchange(transport, request, Exchange::Credentials, limits, |_| {
                    BodyPlan::Read
                })
                .await
                .map(|r| r.map(|b| b.as_bytes().map(Bytes::copy_from_slice).unwrap_or_default()));
                machine.handle_response(response);
            }
            Step::ReadFile(path) => {
                trace::credentials_io("read file", &path.display().to_string());
                machine.handle_file(transport.read_file(path).await)
            }
            Step::WriteFile(path, contents) => {
                trace::credentials_io("write file", &path.display().to_string());
                machine.handle_written(transport.write_file(path, contents).await)
            }
            Step::RunProcess(command) => {
                let output = match split_command_line(&command).filter(|w| !w.is_empty()) {
                    Some(argv) => {
                        let program = argv.first().map(String::as_str).unwrap_or_default();
                        trace::credentials_io("run process", program);
                        transport.run_process(argv).await
                    }
                    None => Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        "unparsable command line",
                    )),
                };
                machine.handle_process(output);
            }
            Step::AskMfaCode(prompt) => {
                trace::credentials_io("ask for an MFA code", prompt.serial());
                machine.handle_mfa_code(transport.ask_mfa_code(prompt).await)
            }
            Step::Sleep(d) => transport.sleep(d).await,
            Step::Done(c) => return Ok(c),
            Step::Failed(e) => return Err(e),
        }
    }
}
