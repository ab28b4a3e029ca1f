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
use sansboto_core::connection::SendFailure;
use sansboto_core::http1::driver::{self, Driver, PooledBody};
use sansboto_core::http1::Route;
use sansboto_core::HttpConfig;
use sansboto_core::{TransportError, TransportErrorKind};

use crate::conn::{self, Conn};
use crate::request_error;
use sansboto_host::tls::TlsConfigs;

/// The request's URI and header fields exactly as the core built them, carried through surf in
/// the request's extensions: the exchange sends these (http-types would re-encode the target and
/// holds only ASCII values), and the http-types request's own URL and headers are left unused.
#[derive(Debug)]
pub(crate) struct CoreRequest {
    pub(crate) uri: http::Uri,
    pub(crate) headers: http::HeaderMap,
}

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
    tls: TlsConfigs,
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
        let tls = TlsConfigs::new(&cfg)?;
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
        let method = http::Method::from_bytes(req.method().as_ref().as_bytes())
            .map_err(|_| request_error(format!("unsupported method {}", req.method())))?;
        let mut body = req.take_body();
        let body_len = body.len().map(|n| n as u64);
        let own = req.ext_mut().remove::<CoreRequest>();
        let is_own = own.is_some();
        let CoreRequest { uri, headers } = match own {
            Some(own) => own,
            // A request surf's own API made: its URI and fields as http-types holds them.
            None => CoreRequest {
                uri: request_uri(&req)?,
                headers: surf_headers(&req)?,
            },
        };
        let route = Route::for_uri(&uri, self.cfg.proxy.as_ref())?;
        let fields: Vec<_> = (headers.iter())
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        let request = driver::Request {
            method: &method,
            uri: &uri,
            headers: fields.iter().copied(),
            body_len,
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
        // The core's own requests read the head from `ExactHead`; a caller of surf's API reads
        // http-types' copy (non-ASCII bytes as `?`).
        if !is_own {
            for (name, value) in &head.headers {
                let value = String::from_utf8_lossy(value.as_bytes());
                let ascii: String = value
                    .chars()
                    .map(|c| if c.is_ascii() { c } else { '?' })
                    .collect();
                res.append_header(name.as_str(), ascii.as_str());
            }
        }
        res.ext_mut().insert(ExactHead(head.status, head.headers));
        let len = body.content_length().and_then(|n| usize::try_from(n).ok());
        res.set_body(Body::from_reader(Pooled(body), len));
        Ok(res)
    }
}

/// The header fields of a request made through surf's own API.
fn surf_headers(req: &Request) -> Result<http::HeaderMap, Failure> {
    let mut headers = http::HeaderMap::new();
    for (name, values) in req.iter() {
        let name = http::HeaderName::from_bytes(name.as_str().as_bytes())
            .map_err(|e| request_error(format!("header name {name}: {e}")))?;
        for value in values {
            let value = http::HeaderValue::from_str(value.as_str())
                .map_err(|e| request_error(format!("header {name}: {e}")))?;
            headers.append(name.clone(), value);
        }
    }
    Ok(headers)
}

/// The URI of a request made through surf's own API, from the URL http-types holds.
fn request_uri(req: &Request) -> Result<http::Uri, Failure> {
    let url = req.url();
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
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
