//! The `http_client::HttpClient` surf runs on: the core's HTTP/1.1 codec
//! ([`sansboto_core::http1`]) over pooled [`conn`](crate::conn) connections. This file only
//! moves bytes between the codec and a connection: it writes the head and body the codec
//! frames, feeds what it reads to the codec's decoders, and returns a connection to the pool
//! once a body has been read to its end.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Instant;

use futures_io::{AsyncBufRead, AsyncRead};
use futures_lite::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use http_types::{Body, Request, Response, StatusCode};
use rustls::ClientConfig;
use sansboto_core::connection::SendFailure;
use sansboto_core::http1::{BodyFraming, BodyReader, Exchange, Http1Error, Next, Route};
use sansboto_core::request_body::read_error;
use sansboto_core::HttpConfig;
use sansboto_core::{TransportError, TransportErrorKind};
use sansboto_host::tls::io_error;

use crate::conn::{self, Conn};

/// The idle connections of a client, its clones and its response bodies.
type Pool = sansboto_core::http1::IdlePool<Conn>;
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

impl Inner {
    async fn send(&self, mut req: Request) -> Result<Response, Failure> {
        let uri = request_uri(&req)?;
        let route = Route::for_uri(&uri, self.cfg.proxy.as_ref())?;
        let mut fields: Vec<(String, String)> = Vec::new();
        for (name, values) in req.iter() {
            for value in values {
                fields.push((name.as_str().to_owned(), value.as_str().to_owned()));
            }
        }
        let method = http::Method::from_bytes(req.method().as_ref().as_bytes())
            .map_err(|_| request_error(format!("unsupported method {}", req.method())))?;
        let mut body = req.take_body();

        let mut conn = match self.pool.checkout(&route, Instant::now(), conn::still_open) {
            Some(mut c) => {
                c.reused = true;
                c
            }
            None => conn::connect(&route, &self.cfg, &self.tls)
                .await
                .map_err(|e| {
                    let (host, port) = route.connect_to();
                    io_error(e, &format!("connecting to {host}:{port}"), true)
                })?,
        };
        let (mut exchange, head) = Exchange::start(
            &method,
            &uri,
            &route,
            conn.reused,
            fields.iter().map(|(n, v)| (n.as_str(), v.as_bytes())),
            body.len().map(|n| n as u64),
        )?;
        if let Err(e) = write_request(&mut conn, &mut exchange, &head, &mut body).await {
            return Err(match e {
                WriteError::Io(e) => {
                    let facts = exchange.write_failed(&e);
                    Failure(io_error(e, "sending request", false), facts)
                }
                WriteError::Body(e) => e.into(),
            });
        }

        // Read until the head is complete; what follows it in the buffer is the body's.
        let response = loop {
            let n = match conn.io.read(&mut conn.buf).await {
                Ok(0) => {
                    let (e, facts) = exchange.closed();
                    return Err(Failure(e.into(), facts));
                }
                Ok(n) => n,
                Err(e) => {
                    let facts = exchange.read_failed(&e);
                    return Err(Failure(io_error(e, "reading response head", false), facts));
                }
            };
            if let Some(response) = exchange.received(&conn.buf[..n])? {
                break response;
            }
        };

        let head = response.head;
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

        let len = match response.body.framing() {
            BodyFraming::Length(n) => usize::try_from(n).ok(),
            _ => None,
        };
        let mut body = PooledBody {
            conn: Some(conn),
            reader: response.body,
            give_back: Some((route, self.pool.clone())),
        };
        if body.reader.is_done() {
            // Nothing to read (HEAD, 204, an empty body): the connection is free now.
            body.next().map_err(|e| {
                Failure(
                    io_error(e, "reading response body", false),
                    SendFailure::OTHER,
                )
            })?;
            res.set_body(Body::empty());
        } else {
            res.set_body(Body::from_reader(body, len));
        }
        Ok(res)
    }
}

/// The request's URI as the core built it: the target exactly as built ([`RequestTarget`]),
/// after the scheme and authority surf holds.
fn request_uri(req: &Request) -> Result<http::Uri, Failure> {
    let url = req.url();
    let target = match req.ext().get::<RequestTarget>() {
        Some(t) => t.0.clone(),
        None => match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        },
    };
    let host = url
        .host_str()
        .ok_or_else(|| request_error(format!("no host in {url}")))?;
    let authority = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    http::Uri::builder()
        .scheme(url.scheme())
        .authority(authority)
        .path_and_query(target)
        .build()
        .map_err(|e| request_error(format!("request URI {url}: {e}")).into())
}

enum WriteError {
    Io(io::Error),
    Body(TransportError),
}

/// Write the head and the body framed by `encoder` (buffered, so a small request is one
/// write), then flush.
async fn write_request(
    conn: &mut Conn,
    exchange: &mut Exchange,
    head: &[u8],
    body: &mut Body,
) -> Result<(), WriteError> {
    let mut out = futures_lite::io::BufWriter::with_capacity(crate::READ_CHUNK, &mut conn.io);
    out.write_all(head).await.map_err(WriteError::Io)?;
    loop {
        let data = (body.fill_buf().await).map_err(|e| WriteError::Body(read_error(e)))?;
        if data.is_empty() {
            break;
        }
        let n = data.len();
        let (prefix, suffix) = exchange
            .body_data(n)
            .map_err(|e| WriteError::Body(e.into()))?;
        out.write_all(prefix.as_bytes())
            .await
            .map_err(WriteError::Io)?;
        out.write_all(data).await.map_err(WriteError::Io)?;
        out.write_all(suffix).await.map_err(WriteError::Io)?;
        body.consume(n);
    }
    let last = exchange
        .body_end()
        .map_err(|e| WriteError::Body(e.into()))?;
    out.write_all(last).await.map_err(WriteError::Io)?;
    out.flush().await.map_err(WriteError::Io)
}

/// A response body decoded by the core's [`BodyReader`] straight from the connection's
/// buffer; the connection goes back to the pool once the body has been read to its end, when
/// the exchange allows it.
struct PooledBody {
    /// `None` once the body ended or failed.
    conn: Option<Conn>,
    reader: BodyReader,
    /// Where the connection goes back.
    give_back: Option<(Route, Arc<Pool>)>,
}

impl PooledBody {
    /// The reader's next step without reading: `Ok(true)` when payload is ready or the body
    /// ended, `Ok(false)` to read (the connection is then `Some`).
    fn next(&mut self) -> io::Result<bool> {
        let Some(conn) = self.conn.as_ref() else {
            return Ok(true);
        };
        match self
            .reader
            .next(&conn.buf)
            .map_err(|e| self.fail(e.into_io_error()))?
        {
            Next::Data(_) => Ok(true),
            Next::Read => Ok(false),
            Next::End { reuse } => {
                let conn = self.conn.take();
                if let (true, Some(conn), Some((route, pool))) =
                    (reuse, conn, self.give_back.take())
                {
                    pool.checkin(route, conn, Instant::now());
                }
                Ok(true)
            }
        }
    }

    fn fail(&mut self, e: io::Error) -> io::Error {
        self.conn = None;
        e
    }
}

impl AsyncBufRead for PooledBody {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        while !this.next()? {
            let Some(conn) = this.conn.as_mut() else {
                break;
            };
            let filled = match ready!(Pin::new(&mut conn.io).poll_read(cx, &mut conn.buf)) {
                Ok(n) => this.reader.filled(n).map_err(Http1Error::into_io_error),
                Err(e) => Err(e),
            };
            if let Err(e) = filled {
                return Poll::Ready(Err(this.fail(e)));
            }
        }
        let Some(conn) = this.conn.as_ref() else {
            return Poll::Ready(Ok(&[]));
        };
        match this.reader.next(&conn.buf) {
            Ok(Next::Data(range)) => Poll::Ready(Ok(&conn.buf[range])),
            _ => Poll::Ready(Ok(&[])),
        }
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        this.reader.consume(amt);
        if this.reader.is_done() {
            // The last byte is out: free the connection now, not on the next read.
            let _ = this.next();
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
