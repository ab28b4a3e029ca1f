//! The `http_client::HttpClient` surf runs on: async-h1 encodes requests and decodes responses
//! over pooled [`conn`](crate::conn) connections. This layer writes the request target exactly
//! as the core built it (async-h1 would re-serialize a parsed `Url`, normalizing dot segments
//! that S3 keys may contain), uses absolute-form through an http proxy, returns connections to
//! the pool once a body is fully read, and reports bodies shorter than `Content-Length`.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncBufRead, AsyncRead};
use futures_lite::AsyncWriteExt;
use http_types::{Body, Method, Request, Response, StatusCode};
use rustls::ClientConfig;
use sansboto_core::error::{TransportError, TransportErrorKind};
use sansboto_core::http_config::{io_error_kind, BodyLengthCheck, HttpConfig};

use crate::conn::{self, Conn, Pool, PoolKey};

/// The request target (`/path?query`) exactly as the core built it, carried through surf in the
/// request's extensions.
#[derive(Clone, Debug)]
pub(crate) struct RequestTarget(pub(crate) String);

/// A failure on a reused connection before any response byte arrived: the server had closed
/// it. The request never reached the server's application, so it may be sent again.
#[derive(Debug)]
pub(crate) struct StaleConnection(pub(crate) TransportError);

impl fmt::Display for StaleConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pooled connection was closed by the server: {}", self.0)
    }
}

impl std::error::Error for StaleConnection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// A pooled async-h1 client with sansboto's timeouts, proxies and TLS settings.
#[derive(Clone)]
pub(crate) struct H1Client {
    inner: Arc<Inner>,
}

struct Inner {
    cfg: HttpConfig,
    tls: Arc<ClientConfig>,
    pool: Arc<Pool>,
    /// What surf asks for through `HttpClient::config`; sansboto's settings live in `cfg`.
    surf_config: http_client::Config,
}

impl fmt::Debug for H1Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("H1Client")
            .field("config", &self.inner.cfg)
            .finish_non_exhaustive()
    }
}

impl H1Client {
    pub(crate) fn new(cfg: HttpConfig) -> Result<Self, TransportError> {
        let tls = Arc::new(sansboto_host::tls::client_config(&cfg)?);
        let pool = Arc::new(Pool::new(cfg.pool_max_idle));
        let surf_config = http_client::Config::new().set_timeout(None);
        Ok(H1Client {
            inner: Arc::new(Inner {
                cfg,
                tls,
                pool,
                surf_config,
            }),
        })
    }
}

#[async_trait::async_trait]
impl http_client::HttpClient for H1Client {
    async fn send(&self, req: Request) -> Result<Response, http_types::Error> {
        self.inner.send(req).await.map_err(|e| match e {
            SendError::Stale(s) => http_types::Error::new(StatusCode::BadGateway, s),
            SendError::Other(t) => http_types::Error::new(StatusCode::BadGateway, t),
        })
    }

    fn set_config(&mut self, _config: http_client::Config) -> http_types::Result<()> {
        Err(http_types::Error::from_str(
            StatusCode::InternalServerError,
            "sansboto's surf client is configured through HttpConfig",
        ))
    }

    fn config(&self) -> &http_client::Config {
        &self.inner.surf_config
    }
}

enum SendError {
    Stale(StaleConnection),
    Other(TransportError),
}

impl From<TransportError> for SendError {
    fn from(e: TransportError) -> Self {
        SendError::Other(e)
    }
}

fn request_error(msg: impl Into<String>) -> TransportError {
    TransportError::new(TransportErrorKind::Request, msg)
}

/// Classify an I/O error from connecting (TLS failures surface as `InvalidData` wrapping a
/// `rustls::Error`).
fn io_error(e: io::Error, context: &str, connecting: bool) -> TransportError {
    let kind = if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) {
        TransportErrorKind::Tls
    } else {
        match io_error_kind(&e) {
            TransportErrorKind::Io if connecting => TransportErrorKind::Connect,
            k => k,
        }
    };
    TransportError::new(kind, format!("{context}: {e}")).with_source(e)
}

fn header_has_token(value: Option<&http_types::headers::HeaderValues>, token: &str) -> bool {
    value.is_some_and(|v| {
        v.iter().any(|v| {
            v.as_str()
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        })
    })
}

impl Inner {
    async fn send(&self, mut req: Request) -> Result<Response, SendError> {
        let url = req.url();
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            other => return Err(request_error(format!("unsupported URL scheme {other:?}")).into()),
        };
        let host = url
            .host_str()
            .ok_or_else(|| request_error(format!("no host in {url}")))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = url
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });
        let key = PoolKey { https, host, port };
        let proxy = self
            .cfg
            .proxy
            .as_ref()
            .and_then(|p| p.proxy_for(url.scheme(), &key.host, key.port))
            .cloned();

        let mut target = match req.ext().get::<RequestTarget>() {
            Some(t) => t.0.clone(),
            None => match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_owned(),
            },
        };
        if let (Some(p), false) = (&proxy, https) {
            // Absolute-form: the proxy needs to know where the request goes.
            let authority = if key.host.contains(':') {
                format!("[{}]", key.host)
            } else {
                key.host.clone()
            };
            target = format!("http://{authority}:{}{target}", key.port);
            if let Some(auth) = &p.authorization {
                req.insert_header("proxy-authorization", auth.as_str());
            }
        }
        // async-h1 cannot skip an interim `100 Continue`, so the body is sent right away
        // instead of waiting for one (as hyper does too).
        req.remove_header("expect");
        let head_only = req.method() == Method::Head;
        let close_requested = header_has_token(req.header("connection"), "close");

        let conn = match self.pool.checkout(&key).await {
            Some(c) => c,
            None => conn::connect(&key, proxy.as_ref(), &self.cfg, &self.tls)
                .await
                .map_err(|e| {
                    io_error(e, &format!("connecting to {}:{}", key.host, key.port), true)
                })?,
        };
        let stale_or = |e: TransportError, conn: &Conn| {
            if conn.reused {
                SendError::Stale(StaleConnection(e))
            } else {
                SendError::Other(e)
            }
        };

        let encoder = RequestLine::new(async_h1::client::Encoder::new(req), target);
        let mut io = conn.io.clone();
        let written = async {
            futures_lite::io::copy(encoder, &mut io).await?;
            io.flush().await
        };
        if let Err(e) = written.await {
            let closed = matches!(
                e.kind(),
                io::ErrorKind::ConnectionReset
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::ConnectionAborted
            );
            let err = io_error(e, "sending request", false);
            return Err(if closed {
                stale_or(err, &conn)
            } else {
                SendError::Other(err)
            });
        }

        let mut res = match async_h1::client::decode(conn.io.clone()).await {
            Ok(res) => res,
            Err(e) => {
                let (err, closed) = match e.downcast::<io::Error>() {
                    Ok(io) => {
                        let closed = matches!(
                            io.kind(),
                            io::ErrorKind::ConnectionReset
                                | io::ErrorKind::ConnectionAborted
                                | io::ErrorKind::UnexpectedEof
                        );
                        (io_error(io, "reading response head", false), closed)
                    }
                    Err(e) => {
                        let msg = e.to_string();
                        // async-h1's words for end of stream before any byte.
                        let closed = msg == "connection closed" || msg == "empty response";
                        (
                            TransportError::new(
                                TransportErrorKind::Io,
                                format!("reading response head: {msg}"),
                            ),
                            closed,
                        )
                    }
                };
                return Err(if closed {
                    stale_or(err, &conn)
                } else {
                    SendError::Other(err)
                });
            }
        };

        // async-h1 invents a malformed `Date` when the server sent none; drop it.
        if res
            .header("date")
            .is_some_and(|d| d.as_str().starts_with("date: "))
        {
            res.remove_header("date");
        }
        let status = u16::from(res.status());
        let bodiless = head_only || status == 204 || status == 304 || (100..200).contains(&status);
        let content_length = res
            .header("content-length")
            .and_then(|v| v.last().as_str().trim().parse::<u64>().ok());
        let chunked = res
            .header("transfer-encoding")
            .is_some_and(|v| v.last().as_str().eq_ignore_ascii_case("chunked"));
        // Without a length or chunking the body runs to the end of the connection, which
        // async-h1 does not read; such a connection is never reused.
        let reusable = !close_requested
            && !header_has_token(res.header("connection"), "close")
            && (bodiless || content_length.is_some() || chunked);
        let give_back = reusable.then(|| (conn, key, self.pool.clone()));

        if bodiless || content_length == Some(0) {
            res.set_body(Body::empty());
            if let Some((conn, key, pool)) = give_back {
                pool.checkin(key, conn);
            }
            return Ok(res);
        }
        let inner = res.take_body();
        let body = PooledBody {
            inner,
            check: BodyLengthCheck::new(content_length),
            len: content_length,
            give_back,
            done: false,
        };
        let len = content_length.and_then(|n| usize::try_from(n).ok());
        res.set_body(Body::from_reader(body, len));
        Ok(res)
    }
}

/// Replaces the request line's target written by async-h1 with `target`.
struct RequestLine<R> {
    inner: R,
    target: Option<String>,
    head: Vec<u8>,
    out: futures_lite::io::Cursor<Vec<u8>>,
}

impl<R> RequestLine<R> {
    fn new(inner: R, target: String) -> Self {
        RequestLine {
            inner,
            target: Some(target),
            head: Vec::new(),
            out: futures_lite::io::Cursor::new(Vec::new()),
        }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for RequestLine<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            let pos = this.out.position() as usize;
            let pending = &this.out.get_ref()[pos.min(this.out.get_ref().len())..];
            if !pending.is_empty() {
                let n = pending.len().min(buf.len());
                buf[..n].copy_from_slice(&pending[..n]);
                this.out.set_position((pos + n) as u64);
                return Poll::Ready(Ok(n));
            }
            let Some(target) = this.target.as_ref() else {
                return Pin::new(&mut this.inner).poll_read(cx, buf);
            };
            // Collect the first line, then rewrite it.
            let mut chunk = [0u8; 1024];
            let n = ready!(Pin::new(&mut this.inner).poll_read(cx, &mut chunk))?;
            if n == 0 {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "request head ended early",
                )));
            }
            this.head.extend_from_slice(&chunk[..n]);
            if let Some(eol) = this.head.windows(2).position(|w| w == b"\r\n") {
                let method_end = this
                    .head
                    .iter()
                    .position(|&b| b == b' ')
                    .unwrap_or(0)
                    .min(eol);
                let mut out = Vec::with_capacity(this.head.len() + target.len());
                out.extend_from_slice(&this.head[..method_end]);
                out.push(b' ');
                out.extend_from_slice(target.as_bytes());
                out.extend_from_slice(b" HTTP/1.1");
                out.extend_from_slice(&this.head[eol..]);
                this.out = futures_lite::io::Cursor::new(out);
                this.target = None;
                this.head = Vec::new();
            }
        }
    }
}

/// A response body that counts bytes against `Content-Length`, fails on a short body, and
/// returns the connection to the pool once the body has been read to its end.
struct PooledBody {
    inner: Body,
    check: BodyLengthCheck,
    /// Declared `Content-Length`, if any.
    len: Option<u64>,
    give_back: Option<(Conn, PoolKey, Arc<Pool>)>,
    done: bool,
}

impl PooledBody {
    /// The body ended (EOF or declared length reached): check the length, recycle the
    /// connection.
    fn finish(
        check: &BodyLengthCheck,
        give_back: &mut Option<(Conn, PoolKey, Arc<Pool>)>,
    ) -> io::Result<()> {
        if let Err(e) = check.finish() {
            give_back.take();
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, e));
        }
        if let Some((conn, key, pool)) = give_back.take() {
            pool.checkin(key, conn);
        }
        Ok(())
    }
}

impl AsyncBufRead for PooledBody {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let PooledBody {
            inner,
            check,
            give_back,
            done,
            ..
        } = self.get_mut();
        if *done {
            return Poll::Ready(Ok(&[]));
        }
        match ready!(Pin::new(inner).poll_fill_buf(cx)) {
            Ok([]) => {
                *done = true;
                Poll::Ready(Self::finish(check, give_back).map(|()| &[][..]))
            }
            Ok(buf) => Poll::Ready(Ok(buf)),
            Err(e) => {
                *done = true;
                give_back.take();
                Poll::Ready(Err(e))
            }
        }
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        Pin::new(&mut this.inner).consume(amt);
        // The inner reader stops at Content-Length, so the body cannot run long here.
        let _ = this.check.record(amt);
        if this.give_back.is_some() && this.len == Some(this.check.received()) {
            // Declared length reached: the connection is free before EOF is even polled.
            let _ = Self::finish(&this.check, &mut this.give_back);
        }
    }
}

impl AsyncRead for PooledBody {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let available = ready!(self.as_mut().poll_fill_buf(cx))?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Poll::Ready(Ok(n))
    }
}
