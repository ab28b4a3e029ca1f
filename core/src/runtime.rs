//! The user-facing session and client, written once for every runtime.
//!
//! A transport implements [`Transport`] — send a request, read a body, sleep, read a file, run a
//! process, tell the time, and say how its futures are handed to the caller ([`Transport::run`]:
//! boxed for async runtimes, driven to completion on the spot for the blocking one). Everything
//! else — building clients, resolving credentials, driving calls with retries, pagination,
//! waiters, presigning, reading event streams ([`EventStream`]), answering calls from a
//! [`Stubber`] — lives here, as loops over the core's state machines. The core stays free of any
//! executor: it only writes `async` code that the transport's futures complete.
//!
//! Streamed response bodies stay the transport's own type (read them as the runtime likes), but a
//! response checksum the call asked for is handed to the transport with the body
//! ([`Transport::expect_checksum`]), so every way of reading it is checked at its end.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::auth::Credentials;
use crate::body::{Body, StreamingBody};
use crate::client::{CallIdentity, CallMachine, ServiceClient};
use crate::credentials::{CredentialSource, CredentialsError, ResolveCredentials};
use crate::endpoint::AddressingStyle;
use crate::error::{Error, TransportError, TransportErrorKind};
use crate::eventstream::{Decoder, Message};
use crate::hooks::{CallInfo, Event, HookError, Hooks, Target};
use crate::http_config::HttpConfig;
use crate::httpchecksum::{select_response_checksum, ResponseChecksumValidator};
use crate::machine::{split_command_line, Machine, ProcessOutput, RequestTimeout, Step};
use crate::model::{Operation, ShapeId};
use crate::paginate::{FullResult, PaginationOptions, Paginator};
use crate::parse::{parse_event, parse_initial_response};
use crate::retry::RetryMode;
use crate::session::{ClientOptions, Session};
use crate::stub::Stubber;
use crate::value::Map;
use crate::value::Value;
use crate::waiter::{WaitStep, Waiter};

/// What a runtime supplies. Implemented by `sansboto-tokio`, `sansboto-async-std` and
/// `sansboto-blocking`; each method only moves bytes, waits or reads the clock.
pub trait Transport: Clone + Send + Sync + Sized + 'static {
    /// A response body not read yet (kept in a [`StreamingBody`] for streaming outputs).
    type ResponseBody: Send + 'static;
    /// How this runtime hands a result to the caller: a boxed future on async runtimes, the
    /// value itself on the blocking one.
    type Run<'a, T: 'a>: 'a;

    /// Hand `future` to the caller in this runtime's way.
    fn run<'a, T: 'a>(future: impl Future<Output = T> + Send + 'a) -> Self::Run<'a, T>;

    /// A pooled HTTP client for `config`.
    fn connect(config: &HttpConfig) -> Result<Self, TransportError>;
    /// Send a request; resolves once the response head has arrived.
    fn send(
        &self,
        request: http::Request<Body>,
    ) -> impl Future<Output = Result<http::Response<Self::ResponseBody>, TransportError>> + Send;
    /// Read a whole body (truncation is an error).
    fn read_body(
        &self,
        body: Self::ResponseBody,
    ) -> impl Future<Output = Result<Bytes, TransportError>> + Send;
    /// The next piece of a body, or `None` at its end (truncation is an error, and so is a
    /// mismatch with a checksum given to [`expect_checksum`](Self::expect_checksum)).
    fn read_chunk(
        &self,
        body: &mut Self::ResponseBody,
    ) -> impl Future<Output = Result<Option<Bytes>, TransportError>> + Send;
    /// The body's declared length, when known.
    fn body_len(body: &Self::ResponseBody) -> Option<u64>;
    /// Make every way of reading `body` feed `validator`, and fail at the end of the body with a
    /// [`TransportError`] whose source is the [`FlexibleChecksumError`] when the bytes do not
    /// match (botocore's `StreamingChecksumBody`).
    ///
    /// [`FlexibleChecksumError`]: crate::httpchecksum::FlexibleChecksumError
    fn expect_checksum(body: &mut Self::ResponseBody, validator: ResponseChecksumValidator);
    /// Wait.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
    /// `future`'s output, or `None` when `limit` passes first.
    fn timeout<F: Future + Send>(
        &self,
        limit: Duration,
        future: F,
    ) -> impl Future<Output = Option<F::Output>> + Send;
    /// A file's contents.
    fn read_file(&self, path: PathBuf) -> impl Future<Output = std::io::Result<Bytes>> + Send;
    /// Run a program (no shell) and collect its output.
    fn run_process(
        &self,
        argv: Vec<String>,
    ) -> impl Future<Output = std::io::Result<ProcessOutput>> + Send;
    /// The wall clock.
    fn now(&self) -> SystemTime;
}

/// A session on runtime `T` (botocore's `get_session()`): configuration, models, credentials.
pub struct RuntimeSession<T> {
    core: Result<Arc<Session>, String>,
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
            core: core.map_err(|e| e.to_string()),
            _transport: std::marker::PhantomData,
        }
    }

    /// The core session.
    pub fn core(&self) -> Result<&Arc<Session>, Error> {
        self.core.as_ref().map_err(|e| Error::Client(e.clone()))
    }

    /// Start building a client of `service` (botocore's name: `s3`, `dynamodb`, …).
    pub fn client(&self, service: &str) -> ClientBuilder<T> {
        ClientBuilder {
            session: self.clone(),
            service: service.to_string(),
            options: ClientOptions::default(),
            credentials: None,
            http: None,
            hooks: Vec::new(),
        }
    }
}

/// A client being configured (botocore's `create_client` arguments and `Config`).
pub struct ClientBuilder<T> {
    session: RuntimeSession<T>,
    service: String,
    options: ClientOptions,
    credentials: Option<Credentials>,
    http: Option<HttpConfig>,
    hooks: Vec<HookRegistration>,
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

    /// HTTP settings: timeouts, pool size, proxies, CA bundle (otherwise from the environment:
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, `AWS_CA_BUNDLE`).
    pub fn http_config(mut self, config: HttpConfig) -> Self {
        self.http = Some(config);
        self
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
    /// attempt; set them with [`http_config`](Self::http_config)).
    pub fn call_timeout(mut self, limit: Duration) -> Self {
        self.options.call_timeout = Some(limit);
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
        let core = Arc::new(core);
        let http_config = match self.http {
            Some(c) => c,
            None => HttpConfig::from_env_with(|name| session.env().get(name).cloned())
                .map_err(|e| Error::Client(e.to_string()))?,
        };
        let mut http_config = http_config;
        if http_config.ca_bundle.is_none() {
            // The profile's `ca_bundle` counts too (the environment's is already in).
            http_config.ca_bundle = session.ca_bundle();
        }
        let transport = T::connect(&http_config)?;
        let explicit_credentials = self.credentials.clone();
        let credentials =
            (!self.options.unsigned).then(|| session.credential_source(self.credentials));
        Ok(Client {
            core,
            transport,
            credentials,
            explicit_credentials,
            session,
            call_timeout: self.options.call_timeout,
            stubber: None,
        })
    }
}

/// A service client on runtime `T` (cheap to clone: clones share the connection pool, the retry
/// quota and the credentials).
pub struct Client<T> {
    core: Arc<ServiceClient>,
    transport: T,
    credentials: Option<CredentialSource>,
    /// The credentials given to the builder, if any: the only ones a stubbed client signs
    /// with (resolving the chain could reach the network).
    explicit_credentials: Option<Credentials>,
    session: Arc<Session>,
    call_timeout: Option<Duration>,
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
            .ok_or_else(|| {
                Error::Client(format!("{} has no event-stream output member", op.name))
            })?;
        let stream = output
            .get(member)
            .and_then(Value::as_stream)
            .ok_or_else(|| {
                Error::Client(format!(
                    "the result has no event stream in {member} (is it the result of {}?)",
                    op.name
                ))
            })?;
        let source = match stream.take::<T::ResponseBody>() {
            Some(body) => EventSource::Body(body),
            // A response read whole (or a stubbed one) holds the bytes themselves.
            None => match stream.take::<Bytes>() {
                Some(bytes) => EventSource::Memory(Some(bytes)),
                None => {
                    return Err(Error::Client(format!(
                        "the event stream in {member} was already taken"
                    )))
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

    /// A presigned URL for `operation` (always SigV4), valid for `expires_in` (at most 7 days).
    pub fn presign<'a>(
        &'a self,
        operation: &'a str,
        params: Value,
        expires_in: Duration,
    ) -> T::Run<'a, Result<String, Error>> {
        T::run(async move {
            let (identity, missing) = self.identity().await?;
            let CallIdentity::Credentials(creds) = identity else {
                return Err(Error::NoCredentials(
                    missing.unwrap_or_else(|| "presigning needs credentials".into()),
                ));
            };
            // An S3 Express URL is signed with the bucket's session: make it first if needed.
            if let Some(mut fetch) = self.core.s3express_presign_session(
                operation,
                &params,
                &creds,
                self.transport.now(),
                self.session.random().as_mut(),
            )? {
                let made = drive_call(fetch.call_mut(), &self.transport).await;
                fetch.finish(made, self.transport.now())?;
            }
            let now = self.transport.now();
            self.core.presign(
                operation,
                params,
                &creds,
                now,
                expires_in,
                self.session.random().as_mut(),
            )
        })
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
            let (identity, missing) = self.identity().await?;
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
        let paginators = self.session.paginators(self.core.service())?;
        let op = self.core.operation(operation)?.name.clone();
        let config = paginators
            .get(&op)
            .ok_or_else(|| Error::Client(format!("operation {op} cannot be paginated")))?;
        let paginator =
            Paginator::new(config, params, options).map_err(|e| Error::Client(e.to_string()))?;
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
        let waiters = self.session.waiters(self.core.service())?;
        let config = waiters
            .get(name)
            .map_err(|e| Error::Client(e.to_string()))?;
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
            match waiter
                .handle_response(response)
                .map_err(|e| Error::Client(e.to_string()))?
            {
                WaitStep::Success => return Ok(()),
                WaitStep::Sleep(d) => self.transport.sleep(d).await,
            }
        }
    }

    async fn call_async(&self, operation: &str, params: Value) -> Result<Value, Error> {
        let call = self.call_once(operation, params);
        match self.call_timeout {
            // Async transports stop an attempt in flight; the machine's deadline also bounds
            // retries on the blocking one, whose exchanges cannot be interrupted.
            Some(limit) => self
                .transport
                .timeout(limit, call)
                .await
                .unwrap_or_else(|| {
                    Err(Error::Transport(TransportError::new(
                        TransportErrorKind::Timeout,
                        format!("the call did not finish within {limit:?}"),
                    )))
                }),
            None => call.await,
        }
    }

    async fn call_once(&self, operation: &str, params: Value) -> Result<Value, Error> {
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
        let mut machine = self.core.call_at(
            operation,
            params,
            identity,
            self.session.random(),
            self.transport.now(),
        )?;
        if let Some(limit) = self.call_timeout {
            machine.set_deadline(self.transport.now() + limit);
        }
        match drive_call(&mut machine, &self.transport).await {
            Err(Error::NoCredentials(_)) if missing.is_some() => {
                Err(Error::NoCredentials(missing.unwrap_or_default()))
            }
            other => other,
        }
    }

    async fn identity(&self) -> Result<(CallIdentity, Option<String>), Error> {
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
        Some(
            self.paginator
                .handle_page(page)
                .map_err(|e| Error::Client(e.to_string())),
        )
    }

    /// All remaining pages aggregated into one result (botocore's `build_full_result`), with
    /// `NextToken` when `MaxItems` stopped early.
    pub fn full_result(mut self) -> T::Run<'c, Result<Value, Error>>
    where
        T: 'c,
    {
        T::run(async move {
            let mut full = FullResult::new();
            while let Some(page) = self.next_async().await {
                full.add_page(self.paginator.config(), &page?)
                    .map_err(|e| Error::Client(e.to_string()))?;
            }
            Ok(full.finish(&self.paginator))
        })
    }

    /// The token to resume from, once pagination stopped at `MaxItems`.
    pub fn resume_token(&self) -> Option<&str> {
        self.paginator.resume_token()
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
                    Ok(None) => self.done = true,
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
        Ok(Some(message))
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
    plan: impl FnOnce(&http::response::Parts) -> BodyPlan + Send,
) -> Result<http::Response<Body>, TransportError> {
    let limit = request.extensions().get::<RequestTimeout>().map(|t| t.0);
    let work = async move {
        let response = transport.send(request).await?;
        let (parts, mut body) = response.into_parts();
        let body = match plan(&parts) {
            BodyPlan::Stream(validator) => {
                if let Some(validator) = validator {
                    T::expect_checksum(&mut body, *validator);
                }
                let len = T::body_len(&body);
                Body::Stream(StreamingBody::new(body, len))
            }
            BodyPlan::Read => Body::from(transport.read_body(body).await?),
        };
        Ok(http::Response::from_parts(parts, body))
    };
    match limit {
        Some(limit) => transport.timeout(limit, work).await.unwrap_or_else(|| {
            Err(TransportError::new(
                TransportErrorKind::Timeout,
                format!("no answer within {limit:?}"),
            ))
        }),
        None => work.await,
    }
}

/// Drive a call to its end over `transport`.
pub async fn drive_call<T: Transport>(
    machine: &mut CallMachine<'_>,
    transport: &T,
) -> Result<Value, Error> {
    loop {
        match machine.poll(transport.now()) {
            Step::Send(request) => {
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
                let response = exchange(transport, request, plan).await;
                machine.handle_response(response, transport.now());
            }
            Step::Sleep(d) => transport.sleep(d).await,
            Step::Done(v) => return Ok(v),
            Step::Failed(e) => return Err(e),
            Step::ReadFile(_) | Step::RunProcess(_) => {
                return Err(Error::Client("a call asked for a file or a process".into()))
            }
        }
    }
}

/// Drive a credentials resolution to its end over `transport`.
pub async fn drive_credentials<T: Transport>(
    machine: &mut ResolveCredentials,
    transport: &T,
) -> Result<Credentials, CredentialsError> {
    loop {
        match machine.poll(transport.now()) {
            Step::Send(request) => {
                let response = exchange(transport, request, |_| BodyPlan::Read)
                    .await
                    .map(|r| {
                        r.map(|b| b.as_bytes().map(Bytes::copy_from_slice).unwrap_or_default())
                    });
                machine.handle_response(response);
            }
            Step::ReadFile(path) => machine.handle_file(transport.read_file(path).await),
            Step::RunProcess(command) => {
                let output = match split_command_line(&command).filter(|w| !w.is_empty()) {
                    Some(argv) => transport.run_process(argv).await,
                    None => Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        "unparsable command line",
                    )),
                };
                machine.handle_process(output);
            }
            Step::Sleep(d) => transport.sleep(d).await,
            Step::Done(c) => return Ok(c),
            Step::Failed(e) => return Err(e),
        }
    }
}
