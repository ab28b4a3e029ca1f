//! The `http_client::HttpClient` surf runs on: the core's HTTP/1.1 driver
//! ([`sansboto_core::http1::driver`]) over [`conn`](crate::conn) connections. This file only
//! converts between surf's request and response types and the driver's.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_io::{AsyncBufRead, AsyncRead};
use http_types::{Body, Request, Response, StatusCode};
use rustls::ClientConfig;
use sansboto_core::connection::SendFailure;
use sansboto_core::http1::driver::{self, Driver, PooledBody};
use sansboto_core::http1::Route;
use sansboto_core::HttpConfig;
use sansboto_core::{TransportError, TransportErrorKind};

use crate::conn::{self, Conn};
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
    driver: Driver<Conn>,
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
        let driver = sansboto_host::tls::h1_driver(&cfg, conn::still_open);
        let surf_config = http_client::Config::new().set_timeout(None);
        Ok(H1Client {
            inner: Arc::new(Inner {
                cfg,
                tls,
                driver,
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
        let request = driver::Request {
            method: &method,
            uri: &uri,
            headers: fields.iter().map(|(n, v)| (n.as_str(), v.as_bytes())),
            body_len: body.len().map(|n| n as u64),
        };
        let read_body =
            |cx: &mut Context<'_>, buf: &mut [u8]| Pin::new(&mut body).poll_read(cx, buf);
        let connect = || conn::connect(&route, &self.cfg, &self.tls);
        let (head, body) = (self.driver)
            .send(&route, request, read_body, connect, |_| {})
            .await
            .map_err(|(e, facts)| Failure(e, facts))?;

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
        let len = body.content_length().and_then(|n| usize::try_from(n).ok());
        res.set_body(Body::from_reader(Pooled(body), len));
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

/// A response body read through the core's driver (the connection goes back to its pool at
/// the body's end), as the reader surf takes.
struct Pooled(PooledBody<Conn>);

impl AsyncBufRead for Pooled {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.get_mut().0.poll_fill_buf(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.get_mut().0.consume(amt)
    }
}

impl AsyncRead for Pooled {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().0.poll_read(cx, buf)
    }
}
