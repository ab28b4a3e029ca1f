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
//! ## HTTP/1.1 only
//!
//! This transport speaks HTTP/1.1 only, so operations that need HTTP/2 (those with an event-stream input:
//! Bedrock's bidirectional streams, Lex `StartConversation`, Transcribe streaming…) fail here with
//! [`TransportErrorKind::Http2Required`]; use `sansboto-tokio` for them.

use std::io::{self, BufWriter, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use sansboto_core::connection::{send_replaying, SendFailure};
use sansboto_core::http1::{self, Exchange, Next, Route};
use sansboto_core::machine::RequestTimeout;
use sansboto_core::request_body::read_error;
use sansboto_core::response_check::{into_io_error, Collect, ResponseCheck};
use sansboto_core::response_read::ResponseReader;
use sansboto_core::AwsChunkedBody;
use sansboto_core::FileRange;
use sansboto_host::tls::io_error;

mod body;
mod client;
mod conn;
mod rewind;

use conn::{Conn, Deadline};

/// The idle connections of a client, its clones and its response bodies.
type Pool = http1::IdlePool<Conn>;

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

/// Size of the reads and writes of a connection and of a request body.
const CHUNK: usize = 64 * 1024;

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
    tls: Arc<rustls::ClientConfig>,
    pool: Arc<Pool>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("config", &self.inner.cfg)
            .finish_non_exhaustive()
    }
}

/// A request body as this transport writes it.
enum Outgoing {
    Bytes(Bytes),
    Reader(ByteReader),
}

impl HttpClient {
    /// A client for `cfg` (reads the CA bundle file, if one is configured).
    pub fn new(cfg: HttpConfig) -> Result<Self, TransportError> {
        let tls = Arc::new(sansboto_host::tls::client_config(&cfg)?);
        let pool = Arc::new(Pool::new(cfg.pool_max_idle));
        Ok(HttpClient {
            inner: Arc::new(Inner { cfg, tls, pool }),
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
            .map(|t| Deadline::after(t.0, format!("no answer within {:?}", t.0)));
        let send = |body| std::future::ready(self.send_once(&parts, &route, body, &deadline));
        block_on(send_replaying(body, send))
    }

    /// One sending on one connection, with the facts of its failure.
    fn send_once(
        &self,
        parts: &http::request::Parts,
        route: &Route,
        body: Body,
        deadline: &Option<Deadline>,
    ) -> Result<http::Response<ResponseBody>, (TransportError, SendFailure)> {
        let other = |e: TransportError| (e, SendFailure::OTHER);
        let (outgoing, body_len) = match body {
            Body::Empty => (Outgoing::Bytes(Bytes::new()), Some(0)),
            Body::Bytes(bytes) => {
                let len = bytes.len() as u64;
                (Outgoing::Bytes(bytes), Some(len))
            }
            Body::Stream(stream) => {
                // A checksum trailer over HTTPS: the core asks for the stream framed
                // `aws-chunked` (then its length is not known up front).
                let framing = parts.extensions.get::<AwsChunkedBody>().copied();
                let (reader, len) = body::request_reader(stream, framing).map_err(other)?;
                (Outgoing::Reader(reader), len)
            }
        };
        let inner = &self.inner;
        let mut conn = match inner.pool.checkout(route, Instant::now(), Conn::still_open) {
            Some(mut conn) => {
                conn.reused = true;
                conn
            }
            None => {
                conn::connect(route, &inner.cfg, &inner.tls, deadline.as_ref()).map_err(|e| {
                    let (host, port) = route.connect_to();
                    other(io_error(e, &format!("connecting to {host}:{port}"), true))
                })?
            }
        };
        conn.set_deadline(deadline.clone());
        let headers: Vec<_> = (parts.headers.iter())
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        let (mut exchange, head) = Exchange::start(
            &parts.method,
            &parts.uri,
            route,
            conn.reused,
            headers.iter().copied(),
            body_len,
        )
        .map_err(|e| other(e.into()))?;
        match write_request(&mut conn, &mut exchange, &head, outgoing) {
            Ok(()) => {}
            Err(WriteError::Io(e)) => {
                let facts = exchange.write_failed(&e);
                return Err((io_error(e, "sending request", false), facts));
            }
            Err(WriteError::Body(e)) => return Err(other(e)),
        }
        let response = loop {
            let n = match conn.fill() {
                Ok(0) => {
                    let (e, facts) = exchange.closed();
                    return Err((e.into(), facts));
                }
                Ok(n) => n,
                Err(e) => {
                    let facts = exchange.read_failed(&e);
                    return Err((io_error(e, "reading response head", false), facts));
                }
            };
            if let Some(response) = exchange
                .received(&conn.buf[..n])
                .map_err(|e| other(e.into()))?
            {
                break response;
            }
        };
        let head = response.head;
        let check = ResponseCheck::for_response(&parts.method, head.status.as_u16(), &head.headers);
        let mut wire = Wire {
            conn: Some(conn),
            reader: response.body,
            route: route.clone(),
            pool: inner.pool.clone(),
        };
        if wire.reader.is_done() {
            // Nothing to read (HEAD, 204, an empty body): the connection is free now.
            let _ = wire.fill();
        }
        let body = ResponseBody {
            wire,
            checked: ResponseReader::new(check),
        };
        let mut res = http::Response::new(body);
        *res.status_mut() = head.status;
        *res.version_mut() = head.version;
        *res.headers_mut() = head.headers;
        Ok(res)
    }

    /// The configured proxy for `uri`, as errors name it.
    pub(crate) fn configured_proxy_for(&self, uri: &http::Uri) -> Option<String> {
        let proxies = self.inner.cfg.proxy.as_ref()?;
        Some(proxies.proxy_for_uri(uri)?.to_string())
    }
}

enum WriteError {
    Io(io::Error),
    Body(TransportError),
}

/// Write the head and the body as the exchange frames it (buffered, so a small request is one
/// write), then flush.
fn write_request(
    conn: &mut Conn,
    exchange: &mut Exchange,
    head: &[u8],
    body: Outgoing,
) -> Result<(), WriteError> {
    let mut out = BufWriter::with_capacity(CHUNK, conn);
    out.write_all(head).map_err(WriteError::Io)?;
    let mut piece = |out: &mut BufWriter<&mut Conn>, data: &[u8]| {
        let (prefix, suffix) = exchange
            .body_data(data.len())
            .map_err(|e| WriteError::Body(e.into()))?;
        out.write_all(prefix.as_bytes()).map_err(WriteError::Io)?;
        out.write_all(data).map_err(WriteError::Io)?;
        out.write_all(suffix).map_err(WriteError::Io)
    };
    match body {
        Outgoing::Bytes(bytes) if bytes.is_empty() => {}
        Outgoing::Bytes(bytes) => piece(&mut out, &bytes)?,
        Outgoing::Reader(mut reader) => {
            let mut buf = vec![0u8; CHUNK];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(WriteError::Body(read_error(e))),
                };
                piece(&mut out, &buf[..n])?;
            }
        }
    }
    let last = exchange
        .body_end()
        .map_err(|e| WriteError::Body(e.into()))?;
    out.write_all(last).map_err(WriteError::Io)?;
    out.flush().map_err(WriteError::Io)
}

/// A response body: read it whole with [`bytes`](Self::bytes), chunk by chunk with
/// [`chunk`](Self::chunk), or through [`std::io::Read`].
///
/// The read timeout applies to each read; a body shorter than its `Content-Length` ends in a
/// [`TransportErrorKind::Io`] error (an `UnexpectedEof` through `Read`), never in a short body.
pub struct ResponseBody {
    wire: Wire,
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
        let wire = &mut self.wire;
        let next = || Poll::Ready(wire.next_chunk().transpose());
        ready_now(self.checked.poll_chunk(next, body_error, now))
    }

    fn read_checked(&mut self, buf: &mut [u8]) -> Result<usize, TransportError> {
        let wire = &mut self.wire;
        let read = |buf: &mut [u8]| Poll::Ready(wire.read(buf));
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

/// A response body on its connection: decoded by the core's [`http1::BodyReader`] out of the
/// connection's buffer; the connection goes back to the pool at the end when the exchange
/// allows it.
struct Wire {
    /// `None` once the body ended (the connection pooled or closed) or failed.
    conn: Option<Conn>,
    reader: http1::BodyReader,
    route: Route,
    pool: Arc<Pool>,
}

impl Wire {
    /// Up to `buf.len()` bytes of payload (0 at the end).
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(self
            .take(buf.len(), |data| {
                buf[..data.len()].copy_from_slice(data);
                data.len()
            })?
            .unwrap_or(0))
    }

    /// The next run of payload (`None` at the end).
    fn next_chunk(&mut self) -> io::Result<Option<Bytes>> {
        self.take(usize::MAX, Bytes::copy_from_slice)
    }

    /// Up to `max` bytes of payload handed to `take` (`None` at the end).
    fn take<T>(&mut self, max: usize, take: impl FnOnce(&[u8]) -> T) -> io::Result<Option<T>> {
        let Some(range) = self.fill()? else {
            return Ok(None);
        };
        let conn = self.conn.as_ref().ok_or(io::ErrorKind::NotConnected)?;
        let n = range.len().min(max);
        let out = take(&conn.buf[range.start..range.start + n]);
        self.reader.consume(n);
        if self.reader.is_done() {
            // The last byte is out: free the connection now, not on the next read.
            self.fill()?;
        }
        Ok(Some(out))
    }

    /// Where decoded payload is in the connection's buffer, or `None` at the end of the body
    /// (the connection then went back to the pool, when the exchange allows it).
    fn fill(&mut self) -> io::Result<Option<std::ops::Range<usize>>> {
        loop {
            let Some(conn) = self.conn.as_mut() else {
                return Ok(None);
            };
            let step = match self.reader.next(&conn.buf) {
                Ok(Next::Data(range)) => return Ok(Some(range)),
                Ok(Next::End { reuse }) => {
                    if let (true, Some(mut conn)) = (reuse, self.conn.take()) {
                        conn.set_deadline(None);
                        (self.pool).checkin(self.route.clone(), conn, Instant::now());
                    }
                    // (Not reused: `take` dropped the connection, which closes it.)
                    return Ok(None);
                }
                Ok(Next::Read) => conn.fill().and_then(|n| {
                    (self.reader.filled(n)).map_err(http1::Http1Error::into_io_error)
                }),
                Err(e) => Err(e.into_io_error()),
            };
            if let Err(e) = step {
                // A failed body leaves its connection out of step: close it.
                self.conn = None;
                return Err(e);
            }
        }
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
