//! # sansboto-blocking
//!
//! The blocking transport: moves the core's `http::Request<Body>` over `std::net` and rustls
//! (ring) on the calling thread, the HTTP/1.1 exchange and the pool being the core's
//! ([`sansboto_core::http1`]), with no async runtime anywhere in its dependency tree, and
//! supplies `std::thread::sleep` and the clock.
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
//! ## Which credentials
//!
//! `session.credentials()` runs the provider chain as the session's clients do (botocore's
//! `Session.get_credentials()`), and says which provider found them:
//!
//! ```no_run
//! use sansboto_blocking::Session;
//!
//! match Session::new().credentials() {
//!     Ok(Some(c)) => {
//!         let from = c.provider().map_or("given in code", |p| p.method());
//!         println!("access key {} from {from}", c.access_key_id());
//!     }
//!     Ok(None) => println!("no credentials anywhere"),
//!     Err(e) => eprintln!("{e}"),
//! }
//! ```
//!
//! ## Regions and partitions
//!
//! As botocore's session lists them from its endpoint table, with no call made:
//!
//! ```
//! use sansboto_blocking::Session;
//!
//! let session = Session::new();
//! let regions = session.available_regions("ec2", "aws", false)?;
//! assert!(regions.iter().any(|r| r == "eu-west-1"));
//! assert!(session.available_partitions()?.iter().any(|p| p == "aws-cn"));
//! assert_eq!(session.partition_for_region("cn-north-1")?.as_deref(), Some("aws-cn"));
//! # Ok::<(), sansboto_blocking::Error>(())
//! ```
//!
//! ## HTTP/1.1 only
//!
//! This transport speaks HTTP/1.1 only, so operations that need HTTP/2 (those with an event-stream input:
//! Bedrock's bidirectional streams, Lex `StartConversation`, Transcribe streaming…) fail here with
//! [`TransportErrorKind::Http2Required`]; use `sansboto-tokio` for them.

use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use sansboto_core::connection::{send_replaying, Deadline, SendFailure};
use sansboto_core::http1::driver::{self, Driver, PooledBody};
use sansboto_core::http1::Route;
use sansboto_core::machine::RequestTimeout;
use sansboto_core::outgoing::Outgoing;
use sansboto_core::response_check::{into_io_error, Collect, ResponseCheck};
use sansboto_core::response_read::ResponseReader;
use sansboto_core::AwsChunkedBody;
use sansboto_core::FileRange;

mod body;
mod client;
mod conn;
mod rewind;

use body::BlockingIo;
use conn::Conn;
use sansboto_host::tls::TlsConfigs;

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
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

struct Inner {
    cfg: HttpConfig,
    tls: TlsConfigs,
    driver: Driver<Conn>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("config", &self.inner.cfg)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// A client for `cfg` (reads the CA bundle file, if one is configured).
    pub fn new(cfg: HttpConfig) -> Result<Self, TransportError> {
        let tls = TlsConfigs::new(&cfg)?;
        let driver = sansboto_host::tls::h1_driver(&cfg, Conn::still_open);
        Ok(HttpClient {
            inner: Arc::new(Inner { cfg, tls, driver }),
        })
    }

    /// Send `req` and return the response once its head has arrived; read the body from the
    /// returned [`ResponseBody`]. A request a stale pooled connection dropped is sent again as
    /// the core's [`send_replaying`] decides.
    pub fn send(
        &self,
        req: http::Request<Body>,
    ) -> Result<http::Response<ResponseBody>, TransportError> {
        if let Some(e) =
            TransportError::http2_unavailable(&req, "sansboto-blocking (HTTP/1.1 only)")
        {
            return Err(e);
        }
        let (parts, body) = req.into_parts();
        let route = Route::for_uri(&parts.uri, self.inner.cfg.proxy.as_ref())?;
        // A per-request bound (credential providers' IMDS and container calls) covers the whole
        // exchange, body included, as the async transports' timeouts do.
        let deadline = parts
            .extensions
            .get::<RequestTimeout>()
            .map(|t| Deadline::after(Instant::now(), t.0, format!("no answer within {:?}", t.0)));
        let send = |body| self.send_once(&parts, &route, body, &deadline);
        block_on(send_replaying(body, send))
    }

    /// One sending on one connection (through the core's driver, whose futures complete at
    /// once here), with the facts of its failure.
    async fn send_once(
        &self,
        parts: &http::request::Parts,
        route: &Route,
        body: Body,
        deadline: &Option<Deadline>,
    ) -> Result<http::Response<ResponseBody>, driver::Failure> {
        // A checksum trailer over HTTPS: the core asks for a stream framed `aws-chunked`.
        let framing = parts.extensions.get::<AwsChunkedBody>().copied();
        let mut out = Outgoing::<BlockingIo>::new(body, framing, None)
            .map_err(|e| (e, SendFailure::OTHER))?;
        let headers: Vec<_> = (parts.headers.iter())
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        let request = driver::Request {
            method: &parts.method,
            uri: &parts.uri,
            headers: headers.iter().copied(),
            body_len: out.exact_len(),
        };
        let read_body = |cx: &mut Context<'_>, buf: &mut [u8]| out.poll_read(cx, buf, now);
        let inner = &self.inner;
        let connect = || conn::connect(route, &inner.cfg, &inner.tls, deadline.as_ref());
        let prepare = |conn: &mut Conn| conn.set_deadline(deadline.clone());
        let (head, wire) = (inner.driver)
            .send(route, request, read_body, connect, prepare)
            .await?;
        let body = ResponseBody {
            wire,
            checked: ResponseReader::new(head.body_check(&parts.method)),
        };
        Ok(head.into_response(body))
    }

    /// The configured proxy for `uri`, as errors name it.
    pub(crate) fn configured_proxy_for(&self, uri: &http::Uri) -> Option<String> {
        let proxies = self.inner.cfg.proxy.as_ref()?;
        Some(proxies.proxy_for_uri(uri)?.to_string())
    }
}

/// A response body: read it whole with [`bytes`](Self::bytes), chunk by chunk with
/// [`chunk`](Self::chunk), or through [`std::io::Read`].
///
/// The read timeout applies to each read; a body shorter than its `Content-Length` ends in a
/// [`TransportErrorKind::Io`] error (an `UnexpectedEof` through `Read`), never in a short body.
pub struct ResponseBody {
    /// The body on its connection (the core's driver).
    wire: PooledBody<Conn>,
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

/// A failed read of the body, through the check (which says how far the body got).
fn body_error(e: io::Error, check: &mut ResponseCheck) -> TransportError {
    let kind = sansboto_core::io_error_kind(&e);
    check.failed(kind, &e).with_source(e)
}

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
        let mut all = Collect::new(self.content_length());
        while let Some(piece) = self.chunk()? {
            all.push(&piece);
        }
        Ok(all.finish())
    }

    /// The next chunk (up to 64 KiB), or `None` at the end of the body.
    pub fn chunk(&mut self) -> Result<Option<Bytes>, TransportError> {
        let (wire, mut cx) = (&mut self.wire, Context::from_waker(Waker::noop()));
        let next = || wire.poll_chunk(&mut cx);
        ready_now(self.checked.poll_chunk(next, body_error, now))
    }

    fn read_checked(&mut self, buf: &mut [u8]) -> Result<usize, TransportError> {
        let (wire, mut cx) = (&mut self.wire, Context::from_waker(Waker::noop()));
        let read = |buf: &mut [u8]| wire.poll_read(&mut cx, buf);
        ready_now(self.checked.poll_read_into(buf, read, body_error, now))
    }
}

/// The outcome of a read on the calling thread, which completes at once.
fn ready_now<T>(poll: Poll<Result<T, TransportError>>) -> Result<T, TransportError> {
    match poll {
        Poll::Ready(out) => out,
        Poll::Pending => Err(TransportError::new(
            TransportErrorKind::Io,
            "a blocking read did not complete",
        )),
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
