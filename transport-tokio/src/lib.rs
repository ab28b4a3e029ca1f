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

use http::header::{HeaderValue, PROXY_AUTHORIZATION};
use hyper_rustls::HttpsConnector;
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
use sansboto_core::auth::event_signing::EventSigner;
use sansboto_core::connection::{send_replaying, SendFailure};
use sansboto_core::response_check::ResponseCheck;
use sansboto_core::AwsChunkedBody;

use body::{InputGuard, RequestBody};
use connect::{classify, Connector};
use sansboto_core::connection::describe_chain as describe;

pub use sansboto_host::http_config_from_env;

/// A pooled HTTP/1.1 client, with a pooled, multiplexed HTTP/2 one for the requests that need
/// it; cloning is cheap and clones share the pools.
#[derive(Clone, Debug)]
pub struct HttpClient {
    client: HyperClient<HttpsConnector<Connector>, RequestBody>,
    /// Requests marked `HTTP/2` (ALPN offers `h2` only, so a server without it fails the call
    /// rather than silently falling back to a protocol that cannot carry a duplex stream).
    h2: HyperClient<HttpsConnector<Connector>, RequestBody>,
    proxy: Option<Arc<ProxyConfig>>,
}

impl HttpClient {
    /// A client for `cfg`. Must be called inside a tokio runtime only when sending; building
    /// reads the CA bundle file, if one is configured.
    pub fn new(cfg: HttpConfig) -> Result<Self, TransportError> {
        let tls = sansboto_host::tls::client_config(&cfg)?;
        let proxy = cfg.proxy.map(Arc::new);
        let connector = Connector {
            connect_timeout: cfg.connect_timeout,
            read_timeout: cfg.read_timeout,
            proxy: proxy.clone(),
        };
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls.clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector.clone());
        let client = HyperClient::builder(TokioExecutor::new())
            .pool_max_idle_per_host(cfg.pool_max_idle)
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_timer(TokioTimer::new())
            .build(https);
        let https_h2 = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http2()
            .wrap_connector(connector);
        let h2 = HyperClient::builder(TokioExecutor::new())
            .http2_only(true)
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(https_h2);
        Ok(HttpClient { client, h2, proxy })
    }

    /// Send `req` and return the response once its head has arrived; the body is read from the
    /// returned [`ResponseBody`]. A request a stale pooled connection dropped is sent again as
    /// the core's [`send_replaying`] decides.
    pub async fn send(
        &self,
        req: http::Request<Body>,
    ) -> Result<http::Response<ResponseBody>, TransportError> {
        let (mut parts, body) = req.into_parts();
        // hyper sends no `Content-Length` for an empty body, which S3 refuses on a PUT. (An
        // aws-chunked body's length is the framed one: hyper works it out or sends it chunked.)
        if parts.extensions.get::<AwsChunkedBody>().is_none()
            && !parts.headers.contains_key(http::header::CONTENT_LENGTH)
        {
            if let Some(len) = body.request_content_length(&parts.method) {
                parts
                    .headers
                    .insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
            }
        }
        if parts.uri.scheme().is_none() || parts.uri.host().is_none() {
            return Err(TransportError::new(
                TransportErrorKind::Request,
                format!("request URI {} is not absolute", parts.uri),
            ));
        }
        let proxy = self.proxy.as_deref();
        if let Some(auth) = proxy.and_then(|p| p.plain_http_authorization(&parts.uri)) {
            parts.headers.insert(PROXY_AUTHORIZATION, auth);
        }
        let method = parts.method.clone();
        let (response, input_guard) =
            send_replaying(body, |body| self.send_once(parts.clone(), body)).await?;
        let (parts, incoming) = response.into_parts();
        let check = ResponseCheck::for_response(&method, parts.status.as_u16(), &parts.headers);
        Ok(http::Response::from_parts(
            parts,
            ResponseBody::new(incoming, check, input_guard),
        ))
    }

    /// One sending on one connection, with the facts of its failure.
    async fn send_once(
        &self,
        parts: http::request::Parts,
        body: Body,
    ) -> Result<(http::Response<Incoming>, Option<InputGuard>), (TransportError, SendFailure)> {
        let framing = parts.extensions.get::<AwsChunkedBody>().copied();
        let signer = parts.extensions.get::<EventSigner>().cloned();
        let (body, input_guard) =
            RequestBody::from_core(body, framing, signer).map_err(|e| (e, SendFailure::OTHER))?;
        let needs_h2 = parts.version == http::Version::HTTP_2;
        let pool = if needs_h2 { &self.h2 } else { &self.client };
        match pool.request(http::Request::from_parts(parts, body)).await {
            Ok(response) => {
                if let Some(usage) = response.extensions().get::<connect::ConnectionUse>() {
                    usage.mark_answered();
                }
                Ok((response, input_guard))
            }
            Err(e) => {
                let failure = connect::send_failure(&e);
                let mut message = describe(&e);
                if needs_h2 {
                    // The usual cause: an endpoint that does not offer `h2` by ALPN.
                    message.push_str(" (this request needs HTTP/2: does the endpoint speak h2?)");
                }
                let kind = classify(&e, e.is_connect());
                Err((TransportError::new(kind, message).with_source(e), failure))
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
