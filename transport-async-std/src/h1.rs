//! The `http_client::HttpClient` surf runs on: the core's HTTP/1.1 codec
//! ([`sansboto_core::http1`]) over pooled [`conn`](crate::conn) connections. This file only
//! moves bytes between the codec and a connection: it writes the head and body the codec
//! frames, feeds what it reads to the codec's decoders, and returns a connection to the pool
//! once a body has been read to its end.

use std::fmt;
use std::io;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncBufRead, AsyncRead};
use futures_lite::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use http_types::{Body, Request, Response, StatusCode};
use rustls::ClientConfig;
use sansboto_core::connection::{closed_by_peer, SendFailure};
use sansboto_core::http1::{self, BodyDecoder, BodyEncoder, BodyFraming, Limits};
use sansboto_core::response_check::into_io_error;
use sansboto_core::{io_error_kind, HttpConfig};
use sansboto_core::{TransportError, TransportErrorKind};

use crate::conn::{self, Conn, Pool, PoolKey};
use crate::request_error;

/// The request target (`/path?query`) exactly as the core built it, carried through surf in the
/// request's extensions.
#[derive(Clone, Debug)]
pub(crate) struct RequestTarget(pub(crate) String);

/// The response's status and fields exactly as received (http-types holds only registered codes
/// and ASCII values), carried back through surf in the response's extensions.
#[derive(Clone, Debug)]
pub(crate) struct ExactHead(pub(crate) http::StatusCode, pub(crate) http::HeaderMap);

/// A pooled HTTP/1.1 client with sansboto's timeouts, proxies and TLS settings.
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
        self.inner
            .send(req)
            .await
            .map_err(|e| http_types::Error::new(StatusCode::BadGateway, e))
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

/// How an exchange failed, with what the core's stale-connection replay policy needs to know
/// ([`SendFailure`]); an error type so it can travel through surf.
#[derive(Debug)]
pub(crate) struct Failure(TransportError, SendFailure);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl<E: Into<TransportError>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.into(), SendFailure::OTHER)
    }
}

/// A [`Failure`] back from its trip through surf's `http_types::Error`.
pub(crate) fn from_surf(e: http_types::Error) -> (TransportError, SendFailure) {
    match e.downcast::<Failure>() {
        Ok(Failure(e, facts)) => (e, facts),
        Err(e) => match e.downcast::<TransportError>() {
            Ok(t) => (t, SendFailure::OTHER),
            Err(e) => (
                TransportError::new(TransportErrorKind::Io, e.to_string()),
                SendFailure::OTHER,
            ),
        },
    }
}

/// An I/O failure of an exchange on a connection (`reused` from the pool), before any response
/// byte arrived unless `answered`.
fn failure(reused: bool, answered: bool, e: io::Error, context: &str) -> Failure {
    let facts = SendFailure {
        reused_connection: reused,
        closed_before_response: !answered && closed_by_peer(e.kind()),
    };
    Failure(io_error(e, context, false), facts)
}

/// Classify an I/O error (TLS failures surface as `InvalidData` wrapping a `rustls::Error`).
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

impl Inner {
    async fn send(&self, mut req: Request) -> Result<Response, Failure> {
        let url = req.url().clone();
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            other => return Err(request_error(format!("unsupported URL scheme {other:?}")).into()),
        };
        let host_str = url
            .host_str()
            .ok_or_else(|| request_error(format!("no host in {url}")))?;
        let host_field = match url.port() {
            Some(port) => format!("{host_str}:{port}"),
            None => host_str.to_owned(),
        };
        let host = host_str.trim_start_matches('[').trim_end_matches(']');
        let port = url
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });
        let key = PoolKey {
            https,
            host: host.to_owned(),
            port,
        };
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
        let mut fields: Vec<(String, String)> = Vec::new();
        for (name, values) in req.iter() {
            // No transport waits for `100 Continue` (see `sansboto_core::http1`), so none is
            // asked for.
            if name.as_str().eq_ignore_ascii_case("expect") {
                continue;
            }
            for value in values {
                fields.push((name.as_str().to_owned(), value.as_str().to_owned()));
            }
        }
        if let (Some(p), false) = (&proxy, https) {
            target = http1::absolute_form(&key.host, key.port, &target);
            if let Some(auth) = &p.authorization {
                fields.push(("proxy-authorization".into(), auth.clone()));
            }
        }
        let close_requested = req.header("connection").is_some_and(|v| {
            v.iter().any(|v| {
                v.as_str()
                    .split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case("close"))
            })
        });
        let mut body = req.take_body();
        let (head, framing) = http1::encode_request_head(
            req.method().as_ref(),
            &target,
            &host_field,
            fields.iter().map(|(n, v)| (n.as_str(), v.as_bytes())),
            body.len().map(|n| n as u64),
        )?;

        let mut conn = match self.pool.checkout(&key).await {
            Some(c) => c,
            None => conn::connect(&key, proxy.as_ref(), &self.cfg, &self.tls)
                .await
                .map_err(|e| {
                    io_error(e, &format!("connecting to {}:{}", key.host, key.port), true)
                })?,
        };
        if let Err(e) = write_request(&mut conn, &head, BodyEncoder::new(framing), &mut body).await
        {
            return Err(match e {
                WriteError::Io(e) => failure(conn.reused, false, e, "sending request"),
                WriteError::Body(e) => e.into(),
            });
        }

        // Read until the head is complete; what follows it in the buffer is the body's.
        let mut heads = http1::ResponseHeadDecoder::new(Limits::default());
        let (start, end, head) = loop {
            let n = match conn.io.read(&mut conn.buf).await {
                Ok(0) => {
                    let facts = SendFailure {
                        reused_connection: conn.reused,
                        closed_before_response: !heads.started(),
                    };
                    return Err(Failure(heads.eof().into(), facts));
                }
                Ok(n) => n,
                Err(e) => {
                    return Err(failure(
                        conn.reused,
                        heads.started(),
                        e,
                        "reading response head",
                    ))
                }
            };
            if let Some((head, used)) = heads.push(&conn.buf[..n])? {
                break (used, n, head);
            }
        };

        let method = http::Method::from_bytes(req.method().as_ref().as_bytes())
            .map_err(|_| request_error(format!("unsupported method {}", req.method())))?;
        let framing = BodyFraming::for_response(&method, &head)?;
        let reusable = http1::keep_alive(close_requested, &head, framing);
        // http-types knows only the registered codes: another one reaches surf as its class
        // (`X00`), and this crate's caller as sent (`ExactHead`).
        let code = head.status.as_u16();
        let status = StatusCode::try_from(code)
            .or_else(|_| StatusCode::try_from(code / 100 * 100))
            .map_err(|_| TransportError::new(TransportErrorKind::Io, "unknown status code"))?;
        let mut res = Response::new(status);
        for (name, value) in &head.headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            let ascii: String = value
                .chars()
                .map(|c| if c.is_ascii() { c } else { '?' })
                .collect();
            res.append_header(name.as_str(), ascii.as_str());
        }
        res.ext_mut().insert(ExactHead(head.status, head.headers));

        let decoder = BodyDecoder::new(framing, Limits::default());
        let give_back = reusable.then(|| (key, self.pool.clone()));
        let mut body = PooledBody {
            conn: Some(conn),
            decoder,
            start,
            end,
            data: 0..0,
            give_back,
        };
        if body.decoder.is_done() {
            body.finish();
            res.set_body(Body::empty());
        } else {
            let len = match framing {
                BodyFraming::Length(n) => usize::try_from(n).ok(),
                _ => None,
            };
            res.set_body(Body::from_reader(body, len));
        }
        Ok(res)
    }
}

enum WriteError {
    Io(io::Error),
    Body(TransportError),
}

/// Write the head and the body framed by `encoder` (buffered, so a small request is one
/// write), then flush.
async fn write_request(
    conn: &mut Conn,
    head: &[u8],
    mut encoder: BodyEncoder,
    body: &mut Body,
) -> Result<(), WriteError> {
    let mut out = futures_lite::io::BufWriter::with_capacity(crate::READ_CHUNK, &mut conn.io);
    out.write_all(head).await.map_err(WriteError::Io)?;
    loop {
        let data = body.fill_buf().await.map_err(|e| {
            WriteError::Body(
                TransportError::new(
                    TransportErrorKind::Request,
                    format!("reading the request body: {e}"),
                )
                .with_source(e),
            )
        })?;
        if data.is_empty() {
            break;
        }
        let n = data.len();
        let (prefix, suffix) = encoder.data(n).map_err(|e| WriteError::Body(e.into()))?;
        out.write_all(prefix.as_bytes())
            .await
            .map_err(WriteError::Io)?;
        out.write_all(data).await.map_err(WriteError::Io)?;
        out.write_all(suffix).await.map_err(WriteError::Io)?;
        body.consume(n);
    }
    let last = encoder.finish().map_err(|e| WriteError::Body(e.into()))?;
    out.write_all(last).await.map_err(WriteError::Io)?;
    out.flush().await.map_err(WriteError::Io)
}

/// A response body decoded by the core's [`BodyDecoder`] straight from the connection's
/// buffer; the connection goes back to the pool once the body has been read to its end.
struct PooledBody {
    /// `None` once the body ended or failed.
    conn: Option<Conn>,
    decoder: BodyDecoder,
    /// Bytes read but not yet decoded: `conn.buf[start..end]`.
    start: usize,
    end: usize,
    /// Payload not yet consumed, within `conn.buf`.
    data: Range<usize>,
    /// Where the connection goes back when the response allows reuse.
    give_back: Option<(PoolKey, Arc<Pool>)>,
}

impl PooledBody {
    /// The body is complete: recycle the connection when nothing past the body arrived.
    fn finish(&mut self) {
        if let (Some(conn), Some((key, pool))) = (self.conn.take(), self.give_back.take()) {
            if self.start == self.end {
                pool.checkin(key, conn);
            }
        }
    }

    fn fail(&mut self, e: io::Error) -> Poll<io::Result<&[u8]>> {
        self.conn = None;
        Poll::Ready(Err(e))
    }
}

impl AsyncBufRead for PooledBody {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        loop {
            if !this.data.is_empty() {
                break;
            }
            if this.decoder.is_done() {
                this.finish();
            }
            let Some(conn) = this.conn.as_mut() else {
                return Poll::Ready(Ok(&[]));
            };
            if this.start < this.end {
                let step = match this.decoder.decode(&conn.buf[this.start..this.end]) {
                    Ok(step) => step,
                    Err(e) => return this.fail(into_io_error(e.into())),
                };
                if step.consumed == 0 && !this.decoder.is_done() {
                    let stalled =
                        io::Error::new(io::ErrorKind::InvalidData, "body decoder stalled");
                    return this.fail(stalled);
                }
                this.data = this.start + step.data.start..this.start + step.data.end;
                this.start += step.consumed;
                continue;
            }
            // Everything read was decoded (the decoder takes all it is given): read afresh.
            (this.start, this.end) = (0, 0);
            match ready!(Pin::new(&mut conn.io).poll_read(cx, &mut conn.buf)) {
                Ok(0) => {
                    if let Err(e) = this.decoder.eof() {
                        return this.fail(into_io_error(e.into()));
                    }
                }
                Ok(n) => this.end = n,
                Err(e) => return this.fail(e),
            }
        }
        let data = this.data.clone();
        Poll::Ready(Ok(this.conn.as_ref().map_or(&[][..], |c| &c.buf[data])))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        this.data.start = (this.data.start + amt).min(this.data.end);
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
