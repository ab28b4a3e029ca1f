//! # sansboto-async-std
//!
//! The async-std / smol transport: moves the core's `http::Request<Body>` through a
//! [`surf::Client`] whose backend is our own HTTP/1.1 client (the core's sans-IO codec,
//! [`sansboto_core::http1`], over rustls 0.23 on async-net sockets, so it runs under async-std,
//! smol or any `block_on`), and supplies async-io's timer and the clock.
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
//! use sansboto_async_std::{params, Error, Session};
//!
//! # async_std::task::block_on(async {
//! let s3 = Session::new()
//!     .client("s3")
//!     .region("us-east-1")
//!     .credentials("AKID", "SECRET", None)
//!     .build()
//!     .await?;
//! let stubber = s3.stubber();
//! stubber.add_response("ListBuckets", None, params! {"Buckets": vec![params! {"Name": "b"}]})?;
//! let out = s3.with_stubber(&stubber).call("list_buckets", params! {}).await?;
//! assert_eq!(out["Buckets"][0]["Name"].as_str(), Some("b"));
//! # Ok::<(), Error>(()) }).unwrap();
//! ```
//!
//! ## HTTP/1.1 only
//!
//! This transport speaks HTTP/1.1 only, so operations that need HTTP/2 (those with an event-stream
//! input: Bedrock's bidirectional streams, Lex `StartConversation`, Transcribe streaming…) fail
//! here with [`TransportErrorKind::Http2Required`]; use `sansboto-tokio` for them.

mod client;
mod conn;
mod h1;
mod rewind;

use sansboto_core::AwsChunkedBody;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use futures_io::{AsyncBufRead, AsyncRead};
use futures_lite::AsyncReadExt;
use sansboto_core::io_error_kind;
use sansboto_core::outgoing::{BodyIo, Outgoing};
use sansboto_core::request_body::Source;
use sansboto_core::response_check::{into_io_error, ResponseCheck};
use sansboto_core::response_read::ResponseReader;
use sansboto_core::FileRange;

pub use client::{
    event_stream, page_stream, take_body, Client, ClientBuilder, EventStream, Pages, Session,
};
pub use rewind::{seekable_body, AsyncReadSeek};
/// Everything a program needs to make calls, by name (the core's [`api`](sansboto_core::api)
/// list): `Error`, `Value`, `params!`, `RetryMode`, `PaginationOptions`, hook `Event`/`Target`,
/// `AddressingStyle`, `ServiceError`, `Timestamp`, `HttpSettings`, `Stubber`, …
pub use sansboto_core::api::*;

use h1::{CoreRequest, ExactHead, H1Client};
use sansboto_core::connection::{send_replaying, SendFailure};

/// The source type of a [`StreamingBody`] this transport sends.
pub type ByteReader = Box<dyn AsyncRead + Send + Unpin + 'static>;

/// Buffer size used to read request bodies from a reader.
const READ_CHUNK: usize = 64 * 1024;

pub use sansboto_host::http_config_from_env;

/// A streaming request body read from `reader`; `len` is the exact total when known (sent as
/// `Content-Length`, otherwise the body goes chunked).
pub fn reader_body(
    reader: impl AsyncRead + Send + Unpin + 'static,
    len: Option<u64>,
) -> StreamingBody {
    StreamingBody::new(Box::new(reader) as ByteReader, len)
}

/// A streaming request body with the contents of the file at `path` (length from its metadata;
/// the file is read on the `blocking` thread pool, so any executor works). The file is opened
/// afresh for each attempt, so a retried call sends it again, and over plain HTTP it is read
/// once ahead to be hashed for the signature.
pub async fn file_body(path: impl AsRef<Path>) -> io::Result<StreamingBody> {
    let path = path.as_ref().to_owned();
    let (path, len) = blocking::unblock(move || {
        let len = std::fs::metadata(&path)?.len();
        Ok::<_, io::Error>((path, len))
    })
    .await?;
    Ok(StreamingBody::from_file(FileRange::new(path, 0, len)))
}

/// This transport's body types for the core's [`Outgoing`] and
/// [`request_body::scan`](sansboto_core::request_body::scan): readers only (no stream type).
pub(crate) struct AsyncStdIo;

impl BodyIo for AsyncStdIo {
    type Rewound = rewind::Shared;
    type Reader = ByteReader;
    type Stream = std::convert::Infallible;
    const MADE_BY: &'static str = "sansboto-async-std (use reader_body or file_body)";

    /// A file range is read on the `blocking` thread pool (opening and seeking are single quick
    /// system calls, made on the calling thread).
    fn open(source: Source<'_, rewind::Shared>) -> Result<ByteReader, TransportError> {
        match source {
            Source::File(range) => {
                let file = sansboto_host::fs::open_range(range)?;
                Ok(Box::new(
                    blocking::Unblock::with_capacity(READ_CHUNK, file).take(range.len),
                ))
            }
            Source::Rewound(sending) => Ok(Box::new(rewind::SendingReader(sending))),
        }
    }

    fn poll_read(
        reader: &mut ByteReader,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(reader).poll_read(cx, buf)
    }

    fn poll_next(
        stream: &mut std::convert::Infallible,
        _: &mut Context<'_>,
    ) -> Poll<Option<io::Result<Bytes>>> {
        match *stream {}
    }
}

/// A pooled HTTP/1.1 client (a [`surf::Client`] over the core's HTTP/1.1 codec and rustls);
/// cloning is cheap and clones share the pool.
#[derive(Clone, Debug)]
pub struct HttpClient {
    surf: surf::Client,
    /// The proxies the pool connects through (named in errors).
    proxy: Option<std::sync::Arc<sansboto_core::ProxyConfig>>,
}

impl HttpClient {
    /// A client for `cfg` (reads the CA bundle file, if one is configured).
    pub fn new(cfg: HttpConfig) -> Result<Self, TransportError> {
        let proxy = cfg.proxy.clone().map(std::sync::Arc::new);
        Ok(HttpClient {
            surf: surf::Client::with_http_client(H1Client::new(cfg)?),
            proxy,
        })
    }

    /// The surf client underneath, for callers that want surf's own API.
    pub fn surf(&self) -> &surf::Client {
        &self.surf
    }

    /// Send `req` and return the response once its head has arrived; read the body from the
    /// returned [`ResponseBody`].
    pub async fn send(
        &self,
        req: http::Request<Body>,
    ) -> Result<http::Response<ResponseBody>, TransportError> {
        if let Some(e) =
            TransportError::http2_unavailable(&req, "sansboto-async-std (HTTP/1.1 only)")
        {
            return Err(e);
        }
        let (parts, body) = req.into_parts();
        // A request a stale pooled connection dropped goes again as the core's policy says.
        send_replaying(body, |body| self.send_once(&parts, body)).await
    }

    async fn send_once(
        &self,
        parts: &http::request::Parts,
        body: Body,
    ) -> Result<http::Response<ResponseBody>, (TransportError, SendFailure)> {
        let other = |e| (e, SendFailure::OTHER);
        let req = to_http_types(parts, body).map_err(other)?;
        let res = self.surf.send(req).await.map_err(h1::from_surf)?;
        from_http_types(&parts.method, res.into()).map_err(other)
    }
}

pub(crate) fn request_error(msg: impl Into<String>) -> TransportError {
    TransportError::new(TransportErrorKind::Request, msg)
}

/// The core's request as http-types sees it; the exact request target rides along.
fn to_http_types(
    parts: &http::request::Parts,
    body: Body,
) -> Result<http_types::Request, TransportError> {
    let url = http_types::Url::parse(&parts.uri.to_string()).map_err(|e| {
        request_error(format!(
            "request URI {} is not an absolute URL: {e}",
            parts.uri
        ))
    })?;
    let method: http_types::Method = parts
        .method
        .as_str()
        .parse()
        .map_err(|_| request_error(format!("unsupported method {}", parts.method)))?;
    let mut req = http_types::Request::new(method, url);
    // The exchange sends the URI and fields as the core built them (bytes kept, not converted
    // into http-types' headers and back): see `CoreRequest`.
    req.ext_mut().insert(CoreRequest {
        uri: parts.uri.clone(),
        headers: parts.headers.clone(),
    });
    match body {
        Body::Empty => req.set_body(http_types::Body::empty()),
        Body::Bytes(bytes) => {
            let len = bytes.len();
            req.set_body(http_types::Body::from_reader(
                futures_lite::io::Cursor::new(bytes),
                Some(len),
            ));
        }
        Body::Stream(stream) => {
            // An `aws-chunked` body (a streamed upload with a checksum trailer) is framed as
            // it is read, and its encoded length is not known up front.
            let framing = parts.extensions.get::<AwsChunkedBody>().copied();
            let out = Outgoing::<AsyncStdIo>::new(Body::Stream(stream), framing, None)?;
            let len = out.exact_len().and_then(|n| usize::try_from(n).ok());
            let buffered =
                futures_lite::io::BufReader::with_capacity(READ_CHUNK, SyncReader(Mutex::new(out)));
            req.set_body(http_types::Body::from_reader(buffered, len));
        }
    }
    Ok(req)
}

fn from_http_types(
    method: &http::Method,
    mut res: http_types::Response,
) -> Result<http::Response<ResponseBody>, TransportError> {
    let bad = |e: http::Error| {
        TransportError::new(
            TransportErrorKind::Io,
            format!("invalid response head: {e}"),
        )
    };
    let mut builder = http::Response::builder().status(u16::from(res.status()));
    match res.ext_mut().remove::<ExactHead>() {
        // Our own client's answer: the head as received, bytes and order kept.
        Some(ExactHead(status, headers)) => {
            builder = builder.status(status);
            if let Some(h) = builder.headers_mut() {
                *h = headers;
            }
        }
        None => {
            for (name, values) in res.iter() {
                for value in values.iter() {
                    builder = builder.header(name.as_str(), value.as_str());
                }
            }
        }
    }
    let (parts, ()) = builder.body(()).map_err(bad)?.into_parts();
    let check = ResponseCheck::for_response(method, parts.status.as_u16(), &parts.headers);
    let body = ResponseBody {
        body: res.take_body(),
        reader: ResponseReader::new(check),
    };
    Ok(http::Response::from_parts(parts, body))
}

/// A request body being sent, as the reader http-types reads it from. http-types wants `Sync`
/// readers; a user's reader only needs `Send`. Reading goes through `&mut self`, so the lock is
/// only there to make the type `Sync` and is never contended.
struct SyncReader(Mutex<Outgoing<AsyncStdIo>>);

impl AsyncRead for SyncReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let out = self
            .get_mut()
            .0
            .get_mut()
            .unwrap_or_else(|p| p.into_inner());
        out.poll_read(cx, buf, now)
    }
}

/// An I/O error from reading a body, as a transport error (keeping one the pool layer made).
fn body_error(e: io::Error, check: &mut ResponseCheck) -> TransportError {
    let kind = io_error_kind(&e);
    match e.into_inner() {
        Some(inner) => match inner.downcast::<TransportError>() {
            Ok(t) => {
                check.failed(t.kind, "");
                *t
            }
            Err(other) => check.failed(kind, &other).with_boxed_source(other),
        },
        None => check.failed(kind, "failed"),
    }
}

/// A response body: read it whole with [`bytes`](Self::bytes), chunk by chunk with
/// [`chunk`](Self::chunk) or as a `Stream`, or through `futures::AsyncRead`/`AsyncBufRead`.
///
/// The read timeout applies between chunks; a body shorter than its `Content-Length` ends in a
/// [`TransportErrorKind::Io`] error (an `UnexpectedEof` through `AsyncRead`), never silently.
pub struct ResponseBody {
    body: http_types::Body,
    /// The checks, and which bytes of `body`'s buffer were hashed (the core's).
    reader: ResponseReader,
}

sansboto_host::async_response_body!(ResponseBody);

impl ResponseBody {
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Bytes>, TransportError>> {
        let body = &mut self.body;
        self.reader
            .poll_chunk(|| next_chunk(body, cx), body_error, now)
    }
}

/// The whole of `body`'s buffer as a chunk, taken out of it; `None` at the end.
fn next_chunk(
    body: &mut http_types::Body,
    cx: &mut Context<'_>,
) -> Poll<Option<io::Result<Bytes>>> {
    let mut body = Pin::new(body);
    let chunk = match ready!(body.as_mut().poll_fill_buf(cx)) {
        Ok([]) => return Poll::Ready(None),
        Ok(buf) => Bytes::copy_from_slice(buf),
        Err(e) => return Poll::Ready(Some(Err(e))),
    };
    body.consume(chunk.len());
    Poll::Ready(Some(Ok(chunk)))
}

impl AsyncRead for ResponseBody {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        // Through the buffered path, so bytes hashed ahead by `poll_fill_buf` are not hashed twice.
        let available = ready!(Pin::new(&mut *this).poll_fill_buf(cx))?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        Pin::new(this).consume(n);
        Poll::Ready(Ok(n))
    }
}

impl AsyncBufRead for ResponseBody {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let Self { body, reader } = self.get_mut();
        let buf = match ready!(Pin::new(body).poll_fill_buf(cx)) {
            Ok(buf) => buf,
            Err(e) => return Poll::Ready(Err(into_io_error(body_error(e, reader.check())))),
        };
        reader.filled(buf).map_err(into_io_error)?;
        Poll::Ready(Ok(buf))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        Pin::new(&mut this.body).consume(amt);
        this.reader.consumed(amt, now());
    }
}

/// Sleep on async-io's timer (works under async-std, smol and any `block_on`).
pub async fn sleep(duration: Duration) {
    async_io::Timer::after(duration).await;
}

/// Wall-clock time, the one place this transport reads it (signing, clock skew, expiry).
pub fn now() -> SystemTime {
    SystemTime::now()
}

/// Monotonic time for measuring waits.
pub fn monotonic_now() -> Instant {
    Instant::now()
}
