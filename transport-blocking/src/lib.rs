//! # sansboto-blocking
//!
//! The blocking transport: moves the core's `http::Request<Body>` over ureq 3 (pooled HTTP/1.1,
//! rustls with ring) on the calling thread, with no async runtime anywhere in its dependency
//! tree, and supplies `std::thread::sleep` and the clock.
//!
//! ## The client
//!
//! [`Session::new`] reads the environment and `~/.aws` like botocore; `session.client("s3")`
//! gives a [`ClientBuilder`] (`region`, `endpoint_url`, `credentials`, `retries`,
//! `read_timeout`, `connect_timeout`, `proxy`, `hook`, `call_timeout`, …) whose `build` makes a
//! [`Client`]. A client's methods:
//!
//! | method | what |
//! | --- | --- |
//! | `call(op, params)` | one operation (`"PutObject"` or `"put_object"`), retried per the retry mode |
//! | `paginate(op, params, PaginationOptions)` | [`Pages`]: `next_page`, `full_result` |
//! | `wait(name, params, delay, max_attempts)` | a waiter (`"bucket_exists"`) until success or [`Error::Waiter`] |
//! | `presign(op, params, expires_in)` | a presigned URL |
//! | `event_stream(op, &result)` | the events of an event-stream output |
//! | `generate_db_auth_token(host, port, user, region)` | an RDS IAM token |
//! | `stubber()`, `with_stubber(&stubber)` | canned answers for tests (botocore's `Stubber`) |
//!
//! Everything else a program names — [`Error`], [`Value`], [`params!`], [`RetryMode`],
//! [`PaginationOptions`], hook [`Event`]/[`Target`], [`AddressingStyle`], [`ServiceError`],
//! [`Timestamp`], [`HttpSettings`] — is re-exported here, so `sansboto-core` need not be a
//! dependency.
//!
//! ## A first call
//!
//! Answered by a stubber here, so it runs anywhere; without `with_stubber` the same call goes
//! to S3.
//!
//! ```
//! use sansboto_blocking::{params, Error, Session};
//!
//! let s3 = Session::new()
//!     .client("s3")
//!     .region("us-east-1")
//!     .credentials("AKID", "SECRET", None)
//!     .build()?;
//! let stubber = s3.stubber();
//! stubber.add_response("ListBuckets", None, params! {"Buckets": vec![params! {"Name": "b"}]})?;
//! let out = s3.with_stubber(&stubber).call("list_buckets", params! {})?;
//! assert_eq!(out["Buckets"][0]["Name"].as_str(), Some("b"));
//! # Ok::<(), Error>(())
//! ```
//!
//! ## HTTP/1.1 only
//!
//! ureq speaks HTTP/1.1 only, so operations that need HTTP/2 (those with an event-stream input:
//! Bedrock's bidirectional streams, Lex `StartConversation`, Transcribe streaming…) fail here with
//! [`TransportErrorKind::Http2Required`]; use `sansboto-tokio` for them.

use std::cell::Cell;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant, SystemTime};

use bytes::{Bytes, BytesMut};
use sansboto_core::connection::{closed_by_peer, send_replaying, SendFailure};
use sansboto_core::io_error_kind;
use sansboto_core::machine::RequestTimeout;
use sansboto_core::response_check::{into_io_error, ResponseCheck};
use sansboto_core::response_read::ResponseReader;
use sansboto_core::FileRange;
use sansboto_core::{AwsChunkedBody, Destination};
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::ProxyProtocol;

mod body;
mod client;
mod rewind;

pub use client::{
    block_on, event_iter, page_iter, take_body, Client, ClientBuilder, EventStream, Pages, Session,
};
pub use rewind::seekable_body;
/// Everything a program needs to make calls, by name (the core's [`api`](sansboto_core::api)
/// list): `Error`, `Value`, `params!`, `RetryMode`, `PaginationOptions`, hook `Event`/`Target`,
/// `AddressingStyle`, `ServiceError`, `Timestamp`, `HttpSettings`, `Stubber`, …
pub use sansboto_core::api::*;

/// The source type of a [`StreamingBody`] this transport sends.
pub type ByteReader = Box<dyn Read + Send + 'static>;

pub use sansboto_host::http_config_from_env;

/// A streaming request body read from `reader`; `len` is the exact total when known (sent as
/// `Content-Length`, otherwise the body goes chunked).
pub fn reader_body(reader: impl Read + Send + 'static, len: Option<u64>) -> StreamingBody {
    StreamingBody::new(Box::new(reader) as ByteReader, len)
}

/// A streaming request body with the contents of the file at `path` (length from its metadata).
/// The file is opened afresh for each attempt, so a retried call sends it again, and over plain
/// HTTP it is read once ahead to be hashed for the signature.
pub fn file_body(path: impl AsRef<Path>) -> io::Result<StreamingBody> {
    let len = std::fs::metadata(path.as_ref())?.len();
    Ok(StreamingBody::from_file(FileRange::new(path, 0, len)))
}

/// A pooled HTTP/1.1 client; cloning is cheap and clones share the pool.
#[derive(Clone, Debug)]
pub struct HttpClient {
    agent: ureq::Agent,
    /// Pre-built ureq proxies for http and https targets, with the `NO_PROXY` rules.
    proxies: Option<Arc<Proxies>>,
}

#[derive(Debug)]
struct Proxies {
    config: ProxyConfig,
    http: Option<ureq::Proxy>,
    https: Option<ureq::Proxy>,
}

impl HttpClient {
    /// A client for `cfg` (reads the CA bundle file, if one is configured).
    pub fn new(cfg: HttpConfig) -> Result<Self, TransportError> {
        let mut tls = TlsConfig::builder().disable_verification(!cfg.verify);
        if let Some(path) = &cfg.ca_bundle {
            let certs = sansboto_host::tls::ca_bundle(path)?;
            let certs = certs.iter().map(|c| Certificate::from_der(c).to_owned());
            tls = tls.root_certs(RootCerts::Specific(Arc::new(certs.collect())));
        }
        let config = ureq::Agent::config_builder()
            // The core interprets every status and handles redirects itself.
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(ureq::config::AutoHeaderValue::None)
            .accept(ureq::config::AutoHeaderValue::None)
            .accept_encoding(ureq::config::AutoHeaderValue::None)
            // ureq applies the core's socket-timer rule itself (`SocketTimer`: each read or
            // write waits at most the read timeout); a blocking exchange writes the whole request
            // before it reads, so "progress in one direction restarts the other" holds by itself.
            .timeout_connect(Some(cfg.connect_timeout))
            .timeout_per_read(Some(cfg.read_timeout))
            .timeout_per_write(Some(cfg.read_timeout))
            .max_idle_connections_per_host(cfg.pool_max_idle)
            .max_idle_connections(cfg.pool_max_idle.saturating_mul(10))
            .tls_config(tls.build())
            .proxy(None)
            .build();
        let proxies = match cfg.proxy {
            Some(config) => {
                let http = config.http.as_ref().map(ureq_proxy).transpose()?;
                let https = config.https.as_ref().map(ureq_proxy).transpose()?;
                Some(Arc::new(Proxies {
                    config,
                    http,
                    https,
                }))
            }
            None => None,
        };
        let connector = CountingConnector(ureq::unversioned::transport::DefaultConnector::new());
        let resolver = ureq::unversioned::resolver::DefaultResolver::default();
        Ok(HttpClient {
            agent: ureq::Agent::with_parts(config, connector, resolver),
            proxies,
        })
    }

    /// Send `req` and return the response once its head has arrived; read the body from the
    /// returned [`ResponseBody`]. A request a stale pooled connection dropped is sent again as
    /// the core's [`send_replaying`] decides.
    pub fn send(
        &self,
        req: http::Request<Body>,
    ) -> Result<http::Response<ResponseBody>, TransportError> {
        if let Some(e) = TransportError::http2_unavailable(&req, "ureq (HTTP/1.1 only)") {
            return Err(e);
        }
        let method = req.method().clone();
        let proxy = self.proxy_for(req.uri());
        let (parts, body) = req.into_parts();
        let send = |body| std::future::ready(self.send_once(parts.clone(), body, proxy));
        let response = block_on(send_replaying(body, send))?;
        let (parts, body) = response.into_parts();
        let check = ResponseCheck::for_response(&method, parts.status.as_u16(), &parts.headers);
        let body = ResponseBody {
            reader: body.into_reader(),
            checked: ResponseReader::new(check),
        };
        Ok(http::Response::from_parts(parts, body))
    }

    /// One sending on one connection, with the facts of its failure: ureq connects on the
    /// calling thread, so a request during which no connection was opened went on a pooled one.
    fn send_once(
        &self,
        mut parts: http::request::Parts,
        body: Body,
        proxy: Option<&ureq::Proxy>,
    ) -> Result<http::Response<ureq::Body>, (TransportError, SendFailure)> {
        let connections_before = NEW_CONNECTIONS.with(Cell::get);
        let content_length = body.request_content_length(&parts.method);
        let result = match body {
            // The core's rule: a body-less GET/HEAD/OPTIONS carries no Content-Length at all.
            Body::Empty if content_length.is_none() => {
                self.run(http::Request::from_parts(parts, ()), proxy)
            }
            Body::Empty => self.run(http::Request::from_parts(parts, &[][..]), proxy),
            Body::Bytes(bytes) => self.run(http::Request::from_parts(parts, &bytes[..]), proxy),
            Body::Stream(stream) => {
                // A checksum trailer over HTTPS: the core asks us to frame the stream
                // `aws-chunked` (its headers already say `Transfer-Encoding: chunked`).
                let framing = parts.extensions.get::<AwsChunkedBody>().copied();
                let (reader, _) =
                    body::request_reader(stream, framing).map_err(|e| (e, SendFailure::OTHER))?;
                // With a declared length ureq sends Content-Length; without, chunked.
                if let (None, Some(len)) = (framing, content_length) {
                    parts
                        .headers
                        .entry(http::header::CONTENT_LENGTH)
                        .or_insert_with(|| len.into());
                }
                let body = ureq::SendBody::from_owned_reader(reader);
                self.run(http::Request::from_parts(parts, body), proxy)
            }
        };
        result.map_err(|e| {
            let failure = SendFailure {
                reused_connection: NEW_CONNECTIONS.with(Cell::get) == connections_before,
                closed_before_response: closed_before_response(&e),
            };
            (e, failure)
        })
    }

    fn run(
        &self,
        req: http::Request<impl ureq::AsSendBody>,
        proxy: Option<&ureq::Proxy>,
    ) -> Result<http::Response<ureq::Body>, TransportError> {
        // A per-request bound (credential providers' IMDS and container calls) covers the whole
        // exchange, as the async transports' timeouts do.
        let limit = req.extensions().get::<RequestTimeout>().map(|t| t.0);
        let result = if proxy.is_none() && limit.is_none() {
            self.agent.run(req)
        } else {
            let mut config = self.agent.configure_request(req);
            if let Some(p) = proxy {
                config = config.proxy(Some(p.clone()));
            }
            if let Some(limit) = limit {
                config = config.timeout_global(Some(limit));
            }
            self.agent.run(config.build())
        };
        result.map_err(request_error)
    }

    /// The configured proxy for `uri`, as errors name it.
    pub(crate) fn configured_proxy_for(&self, uri: &http::Uri) -> Option<String> {
        let proxies = self.proxies.as_deref()?;
        Some(proxies.config.proxy_for_uri(uri)?.to_string())
    }

    fn proxy_for(&self, uri: &http::Uri) -> Option<&ureq::Proxy> {
        let proxies = self.proxies.as_deref()?;
        proxies.config.proxy_for_uri(uri)?;
        match Destination::of(uri)?.https {
            true => proxies.https.as_ref(),
            false => proxies.http.as_ref(),
        }
    }
}

fn ureq_proxy(p: &ProxyUrl) -> Result<ureq::Proxy, TransportError> {
    let mut builder = ureq::Proxy::builder(ProxyProtocol::Http)
        .host(&p.host)
        .port(p.port);
    if let Some(user) = &p.username {
        builder = builder
            .username(user)
            .password(p.password.as_deref().unwrap_or_default());
    }
    builder.build().map_err(|e| {
        TransportError::new(
            TransportErrorKind::Request,
            format!("proxy {}:{}: {e}", p.host, p.port),
        )
    })
}

/// Map a ureq failure onto the shared kinds.
fn error_kind(e: &ureq::Error) -> TransportErrorKind {
    use ureq::Error as E;
    match e {
        E::Timeout(_) => TransportErrorKind::Timeout,
        E::HostNotFound | E::ConnectionFailed | E::ConnectProxyFailed(_) => {
            TransportErrorKind::Connect
        }
        E::Tls(_) | E::Pem(_) | E::Rustls(_) | E::TlsRequired => TransportErrorKind::Tls,
        E::BadUri(_) | E::Http(_) | E::InvalidProxyUrl | E::RequireHttpsOnly(_) => {
            TransportErrorKind::Request
        }
        E::Io(io) => match io.get_ref() {
            Some(inner) if inner.is::<rustls::Error>() => TransportErrorKind::Tls,
            Some(inner) => match inner.downcast_ref::<ureq::Error>() {
                Some(e) => error_kind(e),
                None => io_error_kind(io),
            },
            None => io_error_kind(io),
        },
        _ => TransportErrorKind::Io,
    }
}

thread_local! {
    /// Connections this thread's requests have opened (see [`CountingConnector`]).
    static NEW_CONNECTIONS: Cell<u64> = const { Cell::new(0) };
}

/// ureq's default connector chain, counting each connection it opens on the calling thread (the
/// pool only asks the connector when it has no idle connection to reuse).
#[derive(Debug)]
struct CountingConnector(ureq::unversioned::transport::DefaultConnector);

impl ureq::unversioned::transport::Connector<()> for CountingConnector {
    type Out = Box<dyn ureq::unversioned::transport::Transport>;

    fn connect(
        &self,
        details: &ureq::unversioned::transport::ConnectionDetails<'_>,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let out = self.0.connect(details, chained)?;
        if out.is_some() {
            NEW_CONNECTIONS.with(|n| n.set(n.get().wrapping_add(1)));
        }
        Ok(out)
    }
}

/// Whether ureq's error says the server closed the connection before answering.
fn closed_before_response(e: &TransportError) -> bool {
    match e
        .source
        .as_deref()
        .and_then(|s| s.downcast_ref::<ureq::Error>())
    {
        Some(ureq::Error::Io(io)) => closed_by_peer(io.kind()),
        _ => false,
    }
}

fn request_error(e: ureq::Error) -> TransportError {
    TransportError::new(error_kind(&e), e.to_string()).with_source(e)
}

fn body_error(e: io::Error, check: &mut ResponseCheck) -> TransportError {
    let kind = match e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
        Some(inner) => error_kind(inner),
        None => io_error_kind(&e),
    };
    check.failed(kind, &e).with_source(e)
}

/// A response body: read it whole with [`bytes`](Self::bytes), chunk by chunk with
/// [`chunk`](Self::chunk), or through [`std::io::Read`].
///
/// The read timeout applies to each read; a body shorter than its `Content-Length` ends in a
/// [`TransportErrorKind::Io`] error (an `UnexpectedEof` through `Read`), never in a short body.
pub struct ResponseBody {
    reader: ureq::BodyReader<'static>,
    /// Length, checksum and transfer rate, checked as the body is read (the core's).
    checked: ResponseReader,
}

impl std::fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseBody")
            .field("received", &self.checked.received())
            .finish_non_exhaustive()
    }
}

/// Chunk size for [`ResponseBody::chunk`].
const CHUNK: usize = 64 * 1024;

impl ResponseBody {
    /// The declared length, when the response had a `Content-Length`.
    pub fn content_length(&self) -> Option<u64> {
        self.checked.content_length()
    }

    /// The checks reading goes through (see [`ResponseCheck`]).
    pub(crate) fn check(&mut self) -> &mut ResponseCheck {
        self.checked.check()
    }

    /// Read the whole body.
    pub fn bytes(mut self) -> Result<Bytes, TransportError> {
        let mut all = BytesMut::new();
        loop {
            if all.capacity() - all.len() < CHUNK / 4 {
                all.reserve(CHUNK);
            }
            let start = all.len();
            all.resize(all.capacity(), 0);
            let n = self.read_checked(&mut all[start..])?;
            all.truncate(start + n);
            if n == 0 {
                return Ok(all.freeze());
            }
        }
    }

    /// The next chunk (up to 64 KiB), or `None` at the end of the body.
    pub fn chunk(&mut self) -> Result<Option<Bytes>, TransportError> {
        let mut buf = BytesMut::zeroed(CHUNK);
        let n = self.read_checked(&mut buf)?;
        buf.truncate(n);
        Ok((n > 0).then(|| buf.freeze()))
    }

    fn read_checked(&mut self, buf: &mut [u8]) -> Result<usize, TransportError> {
        let reader = &mut self.reader;
        let read = |buf: &mut [u8]| Poll::Ready(reader.read(buf));
        match self.checked.poll_read_into(buf, read, body_error, now) {
            Poll::Ready(read) => read,
            // Reads on the calling thread complete at once.
            Poll::Pending => Err(body_error(
                io::ErrorKind::WouldBlock.into(),
                self.checked.check(),
            )),
        }
    }
}

impl Read for ResponseBody {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_checked(buf).map_err(into_io_error)
    }
}

/// Block the calling thread for `duration`.
pub fn sleep(duration: Duration) {
    std::thread::sleep(duration)
}

/// Wall-clock time, the one place this transport reads it (signing, clock skew, expiry).
pub fn now() -> SystemTime {
    SystemTime::now()
}

/// Monotonic time for measuring waits.
pub fn monotonic_now() -> Instant {
    Instant::now()
}
