//! # sansboto-tokio
//!
//! The tokio transport: moves the core's `http::Request<Body>` over a pooled hyper 1 HTTP/1.1
//! client with rustls (ring), and supplies the runtime's sleep and clock. Sessions and clients
//! drive the core's state machines on top of [`HttpClient::send`], [`sleep`] and [`now`].
//!
//! ## The client
//!
//! [`Session::new`] reads the environment and `~/.aws` like botocore; `session.client("s3")`
//! gives a [`ClientBuilder`] (`region`, `endpoint_url`, `credentials`, `retries`,
//! `read_timeout`, `connect_timeout`, `proxy`, `hook`, `call_timeout`, …) whose `build` makes a
//! [`Client`], whose methods (`call`, `paginate`, `wait`, `presign`, `event_stream`, `stubber`,
//! …) are listed in the core's [`runtime::Client`](sansboto_core::runtime::Client).
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
//! use sansboto_tokio::{params, Error, Session};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
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
//! ## HTTP/2
//!
//! A request the core marks HTTP/2 (an operation with an event-stream input, which the service
//! answers while the client is still sending) goes over a second pool that offers only `h2` by
//! ALPN: one connection per host, multiplexing every such call. Its outgoing events are signed
//! as they are sent ([`event_input`]).

mod body;
mod client;
mod connect;
mod rewind;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::{TokioExecutor, TokioTimer};

pub use body::{file_body, reader_body, stream_body, ByteReader, ByteStream, ResponseBody};
pub use client::{
    event_input, event_stream, page_stream, take_body, Client, ClientBuilder, EventStream, Pages,
    Session,
};
use hyper::body::Incoming;
pub use rewind::{seekable_body, AsyncReadSeek};
/// Everything a program needs to make calls, by name (the core's [`api`](sansboto_core::api)
/// list): `Error`, `Value`, `params!`, `RetryMode`, `PaginationOptions`, hook `Event`/`Target`,
/// `AddressingStyle`, `ServiceError`, `Timestamp`, `HttpSettings`, `Stubber`, …
pub use sansboto_core::api::*;
use sansboto_core::connection::SendFailure;
use sansboto_core::http1::MAX_IDLE_AGE;
use sansboto_core::http_stack::{self, ConnectionUse, StackBody};

use body::{RequestBody, TokioIo};
use connect::{Connector, Hyper};

pub use sansboto_host::http_config_from_env;

/// A pooled HTTP/1.1 client, with a pooled, multiplexed HTTP/2 one for the requests that need
/// it; cloning is cheap and clones share the pools.
#[derive(Clone, Debug)]
pub struct HttpClient {
    client: HyperClient<Connector, RequestBody>,
    /// Requests marked `HTTP/2` (ALPN offers `h2` only, so a server without it fails the call
    /// rather than silently falling back to a protocol that cannot carry a duplex stream).
    h2: HyperClient<Connector, RequestBody>,
    proxy: Option<Arc<ProxyConfig>>,
}

impl HttpClient {
    /// A client for `cfg`. Must be called inside a tokio runtime only when sending; building
    /// reads the CA bundle file, if one is configured.
    pub fn new(cfg: HttpConfig) -> Result<Self, TransportError> {
        let tls = sansboto_host::tls::client_config(&cfg)?;
        let proxy_tls = sansboto_host::tls::proxy_client_config(&cfg)?;
        let proxy_tls = proxy_tls.map(tokio_rustls::TlsConnector::from);
        // HTTP/2 needs the origin's own TLS (its `h2` by ALPN): through a proxy it always
        // tunnels, whether https is forwarded to the proxy or not.
        let h2_proxy = cfg.proxy.as_ref().map(|p| {
            Arc::new(ProxyConfig {
                forward_https: false,
                ..p.clone()
            })
        });
        let proxy = cfg.proxy.map(Arc::new);
        // The HTTP/2 pool offers `h2` by ALPN; the HTTP/1.1 one `http/1.1`, as the host's
        // configuration does (and botocore's urllib3).
        let connector = |alpn: &[&[u8]], proxy: &Option<Arc<ProxyConfig>>| {
            let mut tls = tls.clone();
            tls.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
            Connector {
                connect_timeout: cfg.connect_timeout,
                read_timeout: cfg.read_timeout,
                proxy: proxy.clone(),
                tcp_keepalive: cfg.tcp_keepalive,
                tls: tokio_rustls::TlsConnector::from(Arc::new(tls)),
                proxy_tls: proxy_tls.clone(),
            }
        };
        let mut builder = HyperClient::builder(TokioExecutor::new());
        builder
            .pool_idle_timeout(MAX_IDLE_AGE)
            .pool_timer(TokioTimer::new())
            // As many header fields as the core's HTTP/1.1 reader (and botocore) takes.
            .http1_max_headers(sansboto_core::http1::Limits::default().max_headers);
        let h2 = (builder.clone().http2_only(true).timer(TokioTimer::new()))
            .build(connector(&[b"h2"], &h2_proxy));
        let client = (builder.pool_max_idle_per_host(cfg.pool_max_idle))
            .build(connector(&[b"http/1.1"], &proxy));
        Ok(HttpClient { client, h2, proxy })
    }

    /// Send `req` and return the response once its head has arrived; the body is read from the
    /// returned [`ResponseBody`]. The core's [`http_stack::send`] prepares the request and sends
    /// it again when a stale pooled connection dropped it.
    pub async fn send(
        &self,
        req: http::Request<Body>,
    ) -> Result<http::Response<ResponseBody>, TransportError> {
        let proxies = self.proxy.as_deref();
        let answer = http_stack::send(req, proxies, |req| self.send_once(req)).await?;
        Ok(answer.into_response().map(ResponseBody::new))
    }

    /// One sending on one connection, with the facts of its failure.
    async fn send_once(
        &self,
        req: http::Request<StackBody<TokioIo>>,
    ) -> Result<http::Response<Incoming>, (TransportError, SendFailure)> {
        let http2 = req.version() == http::Version::HTTP_2;
        let pool = if http2 { &self.h2 } else { &self.client };
        match pool.request(req.map(RequestBody)).await {
            Ok(response) => {
                if let Some(usage) = response.extensions().get::<ConnectionUse>() {
                    usage.mark_answered();
                }
                Ok(response)
            }
            Err(e) => {
                let mut extras = http::Extensions::new();
                if let Some(info) = e.connect_info() {
                    info.get_extras(&mut extras);
                }
                let connecting = e.is_connect();
                Err(http_stack::failed_send::<Hyper, _>(
                    e,
                    connecting,
                    extras.get(),
                    http2,
                ))
            }
        }
    }
}

/// Sleep on tokio's timer (honours `tokio::time::pause` in tests).
pub async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await
}

/// Wall-clock time, the one place this transport reads it (signing, clock skew, expiry).
pub fn now() -> SystemTime {
    SystemTime::now()
}

/// Monotonic time for measuring waits (follows tokio's paused clock in tests).
pub fn monotonic_now() -> Instant {
    tokio::time::Instant::now().into_std()
}
