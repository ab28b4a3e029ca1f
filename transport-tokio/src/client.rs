//! Sessions and clients on tokio: the core's machines driven over [`HttpClient`].
//!
//! Everything here is a driver loop: the core decides what to send, when to sleep and what the
//! result is; this module sends, sleeps, reads files and runs processes.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use sansboto_core::auth::Credentials;
use sansboto_core::body::{Body, StreamingBody};
use sansboto_core::client::{CallIdentity, CallMachine, ServiceClient};
use sansboto_core::credentials::{CredentialSource, CredentialsError, ResolveCredentials};
use sansboto_core::endpoint::AddressingStyle;
use sansboto_core::error::{Error, TransportError, TransportErrorKind};
use sansboto_core::machine::{split_command_line, Machine, ProcessOutput, RequestTimeout, Step};
use sansboto_core::paginate::{FullResult, PaginationOptions, Paginator};
use sansboto_core::retry::RetryMode;
use sansboto_core::session::{ClientOptions, Session as CoreSession};
use sansboto_core::value::Value;
use sansboto_core::waiter::{WaitStep, Waiter};
use sansboto_models::Loader;

use crate::{now, sleep, HttpClient, HttpConfig, ResponseBody};

/// Configuration, credentials and models shared by clients (botocore's `get_session()`).
///
/// ```no_run
/// # async fn demo() -> Result<(), sansboto_core::error::Error> {
/// use sansboto_core::params;
/// let session = sansboto_tokio::Session::new();
/// let s3 = session.client("s3").region("us-west-2").build().await?;
/// let out = s3.call("PutObject", params! {"Bucket": "b", "Key": "k", "Body": &b"hi"[..]}).await?;
/// println!("{}", out["ETag"].as_str().unwrap_or_default());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Session {
    inner: Result<Arc<CoreSession>, String>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    /// A session from the environment, `~/.aws/config` and `~/.aws/credentials`, with botocore's
    /// data (embedded, or from `AWS_DATA_PATH`). A broken config file is reported when a client
    /// is built.
    pub fn new() -> Self {
        Self::with_profile(None)
    }

    /// A session using `profile` (wins over `AWS_PROFILE`).
    pub fn with_profile(profile: Option<String>) -> Self {
        let inputs = sansboto_models::host::session_inputs(profile);
        let inner = CoreSession::new(inputs, Arc::new(Loader::from_env()))
            .map(Arc::new)
            .map_err(|e| e.to_string());
        Session { inner }
    }

    /// A session over an already made core session (tests, custom data sources).
    pub fn from_core(core: Arc<CoreSession>) -> Self {
        Session { inner: Ok(core) }
    }

    /// The core session.
    pub fn core(&self) -> Result<&Arc<CoreSession>, Error> {
        self.inner.as_ref().map_err(|e| Error::Client(e.clone()))
    }

    /// Start building a client of `service` (botocore's name, e.g. `s3`, `dynamodb`).
    pub fn client(&self, service: &str) -> ClientBuilder {
        ClientBuilder {
            session: self.clone(),
            service: service.to_string(),
            options: ClientOptions::default(),
            credentials: None,
            http: None,
        }
    }
}

/// Options of a client being built (botocore's `create_client` arguments and `Config`).
#[derive(Debug)]
pub struct ClientBuilder {
    session: Session,
    service: String,
    options: ClientOptions,
    credentials: Option<Credentials>,
    http: Option<HttpConfig>,
}

impl ClientBuilder {
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

    /// HTTP settings: timeouts, pool size, proxies, CA bundle (defaults from the environment).
    pub fn http_config(mut self, config: HttpConfig) -> Self {
        self.http = Some(config);
        self
    }

    /// All options at once.
    pub fn options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }

    /// Make the client: resolve its configuration and find its credentials.
    pub async fn build(self) -> Result<Client, Error> {
        let session = self.session.core()?.clone();
        let core = Arc::new(session.service_client(&self.service, &self.options)?);
        let http_config = match self.http {
            Some(c) => c,
            None => HttpConfig::from_env_with(|name| session.env().get(name).cloned())
                .map_err(|e| Error::Client(e.to_string()))?,
        };
        let http = HttpClient::new(http_config)?;
        let credentials =
            (!self.options.unsigned).then(|| session.credential_source(self.credentials));
        Ok(Client {
            core,
            http,
            credentials,
            session,
        })
    }
}

/// A service client on tokio (cheap to clone; clones share the connection pool, the retry quota
/// and the credentials).
#[derive(Clone)]
pub struct Client {
    core: Arc<ServiceClient>,
    http: HttpClient,
    credentials: Option<CredentialSource>,
    session: Arc<CoreSession>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The core client (model, configuration, hooks).
    pub fn core(&self) -> &ServiceClient {
        &self.core
    }

    /// Call `operation` (`PutObject` or `put_object`) with `params`. A streaming output member
    /// (S3 GetObject's `Body`) comes back as a [`Value::Stream`]; read it with [`take_body`].
    pub async fn call(&self, operation: &str, params: Value) -> Result<Value, Error> {
        let (identity, missing) = self.identity().await?;
        let mut machine = self
            .core
            .call(operation, params, identity, self.session.random())?;
        match drive_call(&mut machine, &self.http).await {
            Err(Error::NoCredentials(_)) if missing.is_some() => {
                Err(Error::NoCredentials(missing.unwrap_or_default()))
            }
            other => other,
        }
    }

    /// A presigned URL for `operation` (always SigV4), valid for `expires_in` (at most 7 days).
    pub async fn presign(
        &self,
        operation: &str,
        params: Value,
        expires_in: Duration,
    ) -> Result<String, Error> {
        let (identity, missing) = self.identity().await?;
        let CallIdentity::Credentials(creds) = identity else {
            return Err(Error::NoCredentials(
                missing.unwrap_or_else(|| "presigning needs credentials".into()),
            ));
        };
        self.core.presign(
            operation,
            params,
            &creds,
            now(),
            expires_in,
            self.session.random().as_mut(),
        )
    }

    /// Every page of a paginated operation, in order (botocore's `get_paginator(...).paginate`).
    pub async fn paginate(
        &self,
        operation: &str,
        params: Value,
        options: PaginationOptions,
    ) -> Result<Pages<'_>, Error> {
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

    /// Run the waiter `name` (`bucket_exists`, `BucketExists`) until it succeeds or fails;
    /// `delay` and `max_attempts` override the model's.
    pub async fn wait(
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
            let response = match self.call(waiter.operation(), waiter.params().clone()).await {
                Ok(v) => v,
                Err(Error::Service(e)) => e.fields.clone(),
                Err(other) => return Err(other),
            };
            match waiter
                .handle_response(response)
                .map_err(|e| Error::Client(e.to_string()))?
            {
                WaitStep::Success => return Ok(()),
                WaitStep::Sleep(d) => sleep(d).await,
            }
        }
    }

    async fn identity(&self) -> Result<(CallIdentity, Option<String>), Error> {
        let Some(source) = &self.credentials else {
            return Ok((CallIdentity::Anonymous, None));
        };
        match drive_credentials(&mut source.resolve(), &self.http).await {
            Ok(c) => Ok((CallIdentity::Credentials(c), None)),
            // No credentials anywhere: operations that need none (noAuth) still work.
            Err(e @ CredentialsError::NotFound { .. }) => {
                Ok((CallIdentity::Anonymous, Some(e.to_string())))
            }
            Err(e) => Err(Error::Credentials(e)),
        }
    }
}

/// The pages of one pagination; call [`next`](Self::next) until it returns `None`.
pub struct Pages<'c> {
    client: &'c Client,
    operation: String,
    paginator: Paginator,
}

impl Pages<'_> {
    /// The next page, or `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Value, Error>> {
        let params = self.paginator.next_params()?.clone();
        let page = match self.client.call(&self.operation, params).await {
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
    pub async fn full_result(mut self) -> Result<Value, Error> {
        let mut full = FullResult::new();
        while let Some(page) = self.next().await {
            full.add_page(self.paginator.config(), &page?)
                .map_err(|e| Error::Client(e.to_string()))?;
        }
        Ok(full.finish(&self.paginator))
    }

    /// The token to resume from, once pagination stopped at `MaxItems`.
    pub fn resume_token(&self) -> Option<&str> {
        self.paginator.resume_token()
    }
}

/// Take the streaming body out of a result member (`out["Body"]`), to read it chunk by chunk or
/// as an `AsyncRead`. `None` when the member is not an unread stream.
pub fn take_body(value: &Value) -> Option<ResponseBody> {
    value.as_stream()?.take::<ResponseBody>()
}

/// Send one request; the body is read fully unless `stream` says to hand it over unread.
async fn exchange(
    http: &HttpClient,
    request: http::Request<Body>,
    stream: impl FnOnce(u16) -> bool,
) -> Result<http::Response<Body>, TransportError> {
    let timeout = request.extensions().get::<RequestTimeout>().map(|t| t.0);
    let work = async {
        let response = http.send(request).await?;
        let (parts, body) = response.into_parts();
        let body = if stream(parts.status.as_u16()) {
            let len = body.content_length();
            Body::Stream(StreamingBody::new(body, len))
        } else {
            Body::from(body.bytes().await?)
        };
        Ok(http::Response::from_parts(parts, body))
    };
    match timeout {
        Some(limit) => tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
            Err(TransportError::new(
                TransportErrorKind::Timeout,
                format!("no answer within {limit:?}"),
            ))
        }),
        None => work.await,
    }
}

/// Drive a call to its end.
pub async fn drive_call(machine: &mut CallMachine<'_>, http: &HttpClient) -> Result<Value, Error> {
    loop {
        match machine.poll(now()) {
            Step::Send(request) => {
                let response =
                    exchange(http, request, |status| machine.streams_response(status)).await;
                machine.handle_response(response, now());
            }
            Step::Sleep(d) => sleep(d).await,
            Step::Done(v) => return Ok(v),
            Step::Failed(e) => return Err(e),
            Step::ReadFile(_) | Step::RunProcess(_) => {
                return Err(Error::Client("a call asked for a file or a process".into()))
            }
        }
    }
}

/// Drive a credentials resolution to its end.
pub async fn drive_credentials(
    machine: &mut ResolveCredentials,
    http: &HttpClient,
) -> Result<Credentials, CredentialsError> {
    loop {
        match machine.poll(now()) {
            Step::Send(request) => {
                let response = exchange(http, request, |_| false).await.map(|r| {
                    r.map(|b| b.as_bytes().map(Bytes::copy_from_slice).unwrap_or_default())
                });
                machine.handle_response(response);
            }
            Step::ReadFile(path) => {
                machine.handle_file(tokio::fs::read(&path).await.map(Bytes::from))
            }
            Step::RunProcess(command) => machine.handle_process(run_process(&command).await),
            Step::Sleep(d) => sleep(d).await,
            Step::Done(c) => return Ok(c),
            Step::Failed(e) => return Err(e),
        }
    }
}

async fn run_process(command: &str) -> std::io::Result<ProcessOutput> {
    let words = split_command_line(command)
        .filter(|w| !w.is_empty())
        .ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "unparsable command line")
        })?;
    let output = tokio::process::Command::new(&words[0])
        .args(&words[1..])
        .output()
        .await?;
    Ok(ProcessOutput {
        success: output.status.success(),
        code: output.status.code(),
        stdout: Bytes::from(output.stdout),
        stderr: Bytes::from(output.stderr),
    })
}
