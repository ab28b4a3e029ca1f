//! The loopback scenarios every HTTP transport must pass, written once and generic over the
//! core's `Transport` trait (plus the few crate-specific body sources of [`TransportUnderTest`]):
//! round trips, streaming both ways, every failure kind, connection reuse against closing
//! servers, TLS trust and proxies. `tests/tests/transport_all.rs` runs each scenario on the
//! tokio, async-std (under async-std's and smol's executors) and blocking transports; what only
//! one crate's public API offers (its `AsyncRead`/`Read`/`Stream` adaptors) stays in that crate's
//! `tests/http.rs`.

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sansboto_core::machine::RequestTimeout;
use sansboto_core::runtime::Transport;
use sansboto_core::TransportErrorKind;
use sansboto_core::{Body, StreamingBody};
use sansboto_core::{HttpConfig, NoProxy, ProxyConfig, ProxyUrl};

use crate::support::{self, Mode, Server};

const MIB: u64 = 1024 * 1024;

/// How a transport sends a plain-http request through a forward proxy.
#[derive(Clone, Copy, Debug)]
pub(crate) enum HttpViaProxy {
    /// An absolute-form request line, whose target the proxy sees as `target` for
    /// `http://bucket.example.invalid/key?x=1` (some clients spell out the default port).
    AbsoluteForm { target: &'static str },
}

/// What a scenario needs from a transport crate beyond the `Transport` trait: its own ways of
/// making upload bodies, its monotonic clock and its proxy style.
pub(crate) trait TransportUnderTest: Transport<ResponseBody: std::fmt::Debug> {
    /// Prefix of temp file names: the transports' tests share one process and temp dir.
    const NAME: &'static str;
    /// How this transport sends plain http through a proxy.
    const HTTP_VIA_PROXY: HttpViaProxy;
    /// `len` pattern bytes from this crate's streaming source, the length declared or not.
    fn pattern_upload(len: u64, declared: Option<u64>) -> StreamingBody;
    /// This crate's `file_body`.
    fn file_upload(path: &Path) -> impl Future<Output = std::io::Result<StreamingBody>>;
    /// This crate's `monotonic_now`.
    fn monotonic_now() -> Instant;
}

/// A client for `config`, or a panic saying why not.
fn connect<T: Transport>(config: HttpConfig) -> T {
    match T::connect(&config) {
        Ok(client) => client,
        Err(e) => panic!("connect: {e}"),
    }
}

/// A client with a read timeout generous enough for a loaded CI machine.
fn client<T: Transport>() -> T {
    client_with_read_timeout(Duration::from_secs(20))
}

/// A client whose read timeout the timeout tests can wait out quickly.
fn quick_client<T: Transport>() -> T {
    client_with_read_timeout(Duration::from_millis(300))
}

fn client_with_read_timeout<T: Transport>(read_timeout: Duration) -> T {
    connect(HttpConfig {
        read_timeout,
        ..HttpConfig::default()
    })
}

fn request(method: &str, url: &str, body: Body) -> http::Request<Body> {
    http::Request::builder()
        .method(method)
        .uri(url)
        .body(body)
        .unwrap()
}

/// The whole body of a 200 response to `req`, as text.
async fn text<T: Transport>(client: &T, req: http::Request<Body>) -> String {
    let resp = client.send(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let body = client.read_body(resp.into_body()).await.unwrap();
    String::from_utf8(body.to_vec()).unwrap()
}

pub(crate) async fn get_and_put_bytes_round_trip<T: TransportUnderTest>() {
    let server = Server::start(Mode::Echo);
    let c = client::<T>();
    assert_eq!(
        text(&c, request("GET", &server.url("/x"), Body::Empty)).await,
        "GET 0 0"
    );
    let body = Bytes::from_static(b"hello transport");
    let expected = format!(
        "PUT {} {}",
        body.len(),
        support::checksum(body.iter().copied(), 0)
    );
    assert_eq!(
        text(&c, request("PUT", &server.url("/x"), Body::Bytes(body))).await,
        expected
    );
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen[1].header("content-length"), Some("15"));
    assert_eq!(
        server.connection_count(),
        1,
        "keep-alive server: one pooled connection"
    );
}

/// botocore's rule (`Body::request_content_length`): no `Content-Length` on a bodiless GET,
/// `Content-Length: 0` on a bodiless PUT (S3 refuses a PUT without one).
pub(crate) async fn content_length_only_where_a_body_is_expected<T: TransportUnderTest>() {
    let server = Server::start(Mode::Echo);
    let c = client::<T>();
    for method in ["GET", "PUT"] {
        let expected = format!("{method} 0 0");
        assert_eq!(
            text(&c, request(method, &server.url("/x"), Body::Empty)).await,
            expected
        );
    }
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen[0].header("content-length"), None, "GET: {:?}", seen[0]);
    assert_eq!(
        seen[1].header("content-length"),
        Some("0"),
        "PUT: {:?}",
        seen[1]
    );
}

/// A transport sends the headers it was given: no `Content-Type` of its own when the request
/// has none (S3 would store it on the object), and the caller's when it has one.
pub(crate) async fn content_type_only_when_the_request_has_one<T: TransportUnderTest>() {
    let server = Server::start(Mode::Echo);
    let c = client::<T>();
    let bytes = || Body::Bytes(Bytes::from_static(b"abc"));
    text(&c, request("PUT", &server.url("/x"), bytes())).await;
    let mut typed = request("PUT", &server.url("/y"), bytes());
    typed.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain"),
    );
    text(&c, typed).await;
    text(&c, request("GET", &server.url("/z"), Body::Empty)).await;
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen[0].header("content-type"), None, "{:?}", seen[0]);
    assert_eq!(seen[1].header("content-type"), Some("text/plain"));
    assert_eq!(seen[2].header("content-type"), None, "{:?}", seen[2]);
}

pub(crate) async fn request_target_is_sent_exactly_as_built<T: TransportUnderTest>() {
    let server = Server::start(Mode::Echo);
    let c = client::<T>();
    let url = server.url("/bucket/a/../b/./c%2Fd?list-type=2&prefix=x%20y");
    text(&c, request("GET", &url, Body::Empty)).await;
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(
        seen[0].target,
        "/bucket/a/../b/./c%2Fd?list-type=2&prefix=x%20y"
    );
}

pub(crate) async fn put_streams_of_known_and_unknown_length<T: TransportUnderTest>() {
    let server = Server::start(Mode::Echo);
    let c = client::<T>();
    let len = 8 * MIB;
    let expected = format!("PUT {len} {}", support::pattern_checksum(len));

    let known = Body::Stream(T::pattern_upload(len, Some(len)));
    assert_eq!(
        text(&c, request("PUT", &server.url("/known"), known)).await,
        expected
    );

    let unknown = Body::Stream(T::pattern_upload(len, None));
    assert_eq!(
        text(&c, request("PUT", &server.url("/chunked"), unknown)).await,
        expected
    );

    let data: Vec<u8> = (0..len).map(support::pattern).collect();
    let path = support::temp_file(&format!("{}-upload.bin", T::NAME), &data);
    let file = T::file_upload(&path).await.unwrap();
    assert_eq!(file.len(), Some(len));
    assert_eq!(
        text(&c, request("PUT", &server.url("/file"), Body::Stream(file))).await,
        expected
    );

    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen[0].header("content-length"), Some("8388608"));
    assert_eq!(seen[0].header("transfer-encoding"), None);
    assert_eq!(seen[1].header("transfer-encoding"), Some("chunked"));
    assert_eq!(seen[2].header("content-length"), Some("8388608"));
}

pub(crate) async fn streaming_body_is_taken_once_and_foreign_sources_are_rejected<
    T: TransportUnderTest,
>() {
    let server = Server::start(Mode::Echo);
    let c = client::<T>();
    let sb = T::pattern_upload(10, Some(10));
    text(
        &c,
        request("PUT", &server.url("/a"), Body::Stream(sb.clone())),
    )
    .await;
    let err = c
        .send(request("PUT", &server.url("/a"), Body::Stream(sb)))
        .await
        .unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Request);
    let foreign = StreamingBody::new(42u32, Some(4));
    let err = c
        .send(request("PUT", &server.url("/a"), Body::Stream(foreign)))
        .await
        .unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Request);
}

pub(crate) async fn response_streams_chunk_by_chunk<T: TransportUnderTest>() {
    let server = Server::start(Mode::Echo);
    let c = client::<T>();
    let len = 8 * MIB;
    let url = server.url(&format!("/bytes/{len}"));
    let mut body = c
        .send(request("GET", &url, Body::Empty))
        .await
        .unwrap()
        .into_body();
    assert_eq!(T::check(&mut body).expected_len(), Some(len));
    let (mut got, mut sum, mut chunks) = (0u64, 0u64, 0);
    while let Some(chunk) = c.read_chunk(&mut body).await.unwrap() {
        sum = sum.wrapping_add(support::checksum(chunk.iter().copied(), got));
        got += chunk.len() as u64;
        chunks += 1;
    }
    assert_eq!((got, sum), (len, support::pattern_checksum(len)));
    assert!(
        chunks > 1,
        "an 8 MiB body arrives in several chunks, got {chunks}"
    );

    let head = c
        .send(request("HEAD", &server.url("/h"), Body::Empty))
        .await
        .unwrap();
    assert_eq!(head.headers()["content-length"], "12345");
    assert!(
        c.read_body(head.into_body()).await.unwrap().is_empty(),
        "HEAD has no body, and that is no truncation"
    );
    assert_eq!(
        server.connection_count(),
        1,
        "every exchange above reused one connection"
    );
}

pub(crate) async fn idle_pooled_connection_outlives_the_read_timeout<T: TransportUnderTest>() {
    let server = Server::start(Mode::Echo);
    let c = quick_client::<T>();
    assert_eq!(
        text(&c, request("GET", &server.url("/1"), Body::Empty)).await,
        "GET 0 0"
    );
    // Idle for longer than the 300 ms read timeout: the pooled connection must still work (or
    // be replaced), never fail the next request.
    c.sleep(Duration::from_millis(700)).await;
    assert_eq!(
        text(&c, request("GET", &server.url("/2"), Body::Empty)).await,
        "GET 0 0"
    );
}

/// botocore's `tcp_keepalive`: `SO_KEEPALIVE` on each connection when the config asks, not
/// otherwise. Linux shows a socket's keep-alive timer in `/proc/net/tcp` (timer kind 2) while
/// the pooled connection sits idle; where that table is missing only the round trip is checked.
pub(crate) async fn tcp_keepalive_only_when_asked<T: TransportUnderTest>() {
    use std::io::{Read, Write};
    for on in [false, true] {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (peer_port, port_of_peer) = std::sync::mpsc::channel();
        // Answers one request, then holds the connection open until the client closes it (or
        // ten seconds pass): the thread is left to end by itself, since a runtime's pooled
        // connection closes only when that runtime next runs.
        std::thread::spawn(move || {
            let (mut socket, peer) = listener.accept().unwrap();
            socket
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            socket
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                .unwrap();
            peer_port.send(peer.port()).unwrap();
            let _ = socket.read(&mut buf);
        });
        let c = connect::<T>(HttpConfig {
            tcp_keepalive: on,
            read_timeout: Duration::from_secs(20),
            ..HttpConfig::default()
        });
        let url = format!("http://{addr}/");
        assert_eq!(text(&c, request("GET", &url, Body::Empty)).await, "ok");
        let client_port = port_of_peer.recv().unwrap();
        let Ok(_) = std::fs::metadata("/proc/net/tcp") else {
            continue;
        };
        // The client's end: local port `client_port`, remote the server's. Its timer kind may
        // still be a retransmission's for a moment after the exchange, so look a few times.
        let mut kinds = Vec::new();
        for _ in 0..50 {
            let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
            let kind = table.lines().skip(1).find_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let local = fields.get(1)?;
                let remote = fields.get(2)?;
                (local.ends_with(&format!(":{client_port:04X}"))
                    && remote.ends_with(&format!(":{:04X}", addr.port())))
                .then(|| fields.get(5)?.split(':').next().map(str::to_string))?
            });
            kinds.push(kind.clone());
            if kind.as_deref() == Some(if on { "02" } else { "00" }) {
                break;
            }
            c.sleep(Duration::from_millis(20)).await;
        }
        let last = kinds.last().cloned().flatten();
        assert_eq!(
            last.as_deref(),
            Some(if on { "02" } else { "00" }),
            "tcp_keepalive {on}: timer kinds seen {kinds:?}"
        );
    }
}

pub(crate) async fn connection_refused_is_connect<T: TransportUnderTest>() {
    let port = support::closed_port();
    let url = format!("http://127.0.0.1:{port}/");
    let err = client::<T>()
        .send(request("GET", &url, Body::Empty))
        .await
        .unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Connect, "{err}");
}

/// Waits are measured on the transport's own monotonic clock (a virtual one in memory).
pub(crate) async fn silent_server_times_out_within_read_timeout<T: TransportUnderTest>() {
    let server = Server::start(Mode::Silent);
    let started = T::monotonic_now();
    let err = quick_client::<T>()
        .send(request("GET", &server.url("/"), Body::Empty))
        .await
        .unwrap_err();
    let waited = T::monotonic_now() - started;
    assert_eq!(err.kind, TransportErrorKind::Timeout, "{err}");
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(3),
        "waited {waited:?}"
    );
}

/// A bound on one exchange (the core's `RequestTimeout`, which the credential providers put on
/// their IMDS and container calls) ends a silent exchange when it passes, long before the read
/// timeout would: the core races the exchange against `Timer::timeout` (as it does a call's
/// `call_timeout`), and a transport whose exchanges cannot be interrupted (blocking) applies the
/// request's bound itself, failing with a timeout.
pub(crate) async fn request_timeout_bounds_the_whole_exchange<T: TransportUnderTest>() {
    let server = Server::start(Mode::Silent);
    let c = client::<T>();
    let limit = Duration::from_millis(300);
    let mut req = request("GET", &server.url("/"), Body::Empty);
    req.extensions_mut().insert(RequestTimeout(limit));
    let started = T::monotonic_now();
    match c.timeout(limit, c.send(req)).await {
        None => {}
        Some(Err(e)) => assert_eq!(e.kind, TransportErrorKind::Timeout, "{e}"),
        Some(Ok(r)) => panic!("a silent server answered {}", r.status()),
    }
    let waited = T::monotonic_now() - started;
    assert!(
        waited >= limit && waited < Duration::from_secs(3),
        "waited {waited:?}"
    );
}

/// A connection the server never accepts fails once the connect timeout passes, as a timeout
/// (not after the longer read timeout, and not as a refusal).
pub(crate) async fn connect_timeout_is_timeout<T: TransportUnderTest>() {
    let server = sansboto_tests::Unaccepting::start();
    support::register_unaccepting(server.addr);
    let c = connect::<T>(HttpConfig {
        connect_timeout: Duration::from_millis(300),
        read_timeout: Duration::from_secs(20),
        ..HttpConfig::default()
    });
    let url = format!("http://{}/", server.addr);
    let started = T::monotonic_now();
    let err = c.send(request("GET", &url, Body::Empty)).await.unwrap_err();
    let waited = T::monotonic_now() - started;
    assert_eq!(err.kind, TransportErrorKind::Timeout, "{err}");
    // (A connect timer may end a fraction of a millisecond early.)
    assert!(
        waited >= Duration::from_millis(295) && waited < Duration::from_secs(3),
        "waited {waited:?}"
    );
}

/// A body cut short is an `Io` error, read whole or chunk by chunk (after the bytes that did
/// arrive).
pub(crate) async fn truncated_body_is_io<T: TransportUnderTest>() {
    let server = Server::start(Mode::Truncate);
    let c = client::<T>();
    let resp = c
        .send(request("GET", &server.url("/"), Body::Empty))
        .await
        .unwrap();
    let err = c.read_body(resp.into_body()).await.unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Io, "{err}");

    let mut body = c
        .send(request("GET", &server.url("/"), Body::Empty))
        .await
        .unwrap()
        .into_body();
    let first = c.read_chunk(&mut body).await.unwrap().unwrap();
    assert_eq!(&first[..], b"0123456789");
    let err = c.read_chunk(&mut body).await.unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Io, "{err}");
}

pub(crate) async fn servers_closing_after_each_response_never_break_reuse<T: TransportUnderTest>() {
    for mode in [
        Mode::EchoCloseWithHeader,
        Mode::EchoCloseSilently,
        Mode::EchoCloseLate,
    ] {
        let server = Server::start(mode);
        let c = client::<T>();
        let n = if mode == Mode::EchoCloseLate { 6 } else { 30 };
        for i in 0..n {
            let body = if i % 2 == 0 {
                Body::Empty
            } else {
                Body::Bytes(Bytes::from_static(b"abc"))
            };
            let method = if i % 2 == 0 { "GET" } else { "PUT" };
            let got = text(&c, request(method, &server.url("/"), body)).await;
            assert!(got.starts_with(method), "{mode:?} request {i}: {got}");
        }
        if mode != Mode::EchoCloseLate {
            assert_eq!(
                server.connection_count(),
                n,
                "{mode:?}: one connection per request"
            );
        }
    }
}

pub(crate) async fn tls_verification_with_and_without_the_ca_bundle<T: TransportUnderTest>() {
    let (server_cfg, pem) = support::self_signed();
    let server = Server::start_tls(server_cfg);
    let url = format!("https://localhost:{}/x", server.addr.port());

    let err = client::<T>()
        .send(request("GET", &url, Body::Empty))
        .await
        .unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Tls, "{err}");

    let bundle = support::temp_file(&format!("{}-ca.pem", T::NAME), pem.as_bytes());
    let trusting = connect::<T>(HttpConfig {
        ca_bundle: Some(bundle),
        ..HttpConfig::default()
    });
    assert_eq!(
        text(&trusting, request("GET", &url, Body::Empty)).await,
        "GET 0 0"
    );
    assert_eq!(
        text(&trusting, request("GET", &url, Body::Empty)).await,
        "GET 0 0"
    );
    assert_eq!(
        server.connection_count(),
        2,
        "the TLS connection was pooled and reused"
    );

    let unverified = connect::<T>(HttpConfig {
        verify: false,
        ..HttpConfig::default()
    });
    assert_eq!(
        text(&unverified, request("GET", &url, Body::Empty)).await,
        "GET 0 0"
    );

    let missing = HttpConfig {
        ca_bundle: Some("/nonexistent/ca.pem".into()),
        ..HttpConfig::default()
    };
    let err = T::connect(&missing)
        .err()
        .expect("a missing CA bundle fails");
    assert_eq!(err.kind, TransportErrorKind::Tls, "{err}");
}

fn proxy_to(proxy: &Server, no_proxy: &str) -> ProxyConfig {
    let url = ProxyUrl::parse(&format!("http://{}", proxy.addr)).unwrap();
    ProxyConfig {
        http: Some(url.clone()),
        https: Some(url),
        no_proxy: NoProxy::parse(no_proxy),
        ..ProxyConfig::default()
    }
}

/// Plain http goes through the proxy in the transport's style ([`HttpViaProxy`]); `NO_PROXY`
/// hosts are reached directly.
pub(crate) async fn http_through_a_forward_proxy_and_no_proxy_bypasses<T: TransportUnderTest>() {
    let proxy = Server::start(Mode::Proxy);
    let direct = Server::start(Mode::Echo);
    let c = connect::<T>(HttpConfig {
        proxy: Some(proxy_to(&proxy, "localhost")),
        ..HttpConfig::default()
    });
    let HttpViaProxy::AbsoluteForm { target } = T::HTTP_VIA_PROXY;
    // The proxy answers itself: the client never resolves the origin's name.
    let url = "http://bucket.example.invalid/key?x=1";
    let got = text(&c, request("GET", url, Body::Empty)).await;
    assert_eq!(got, format!("proxied {target}"));
    assert_eq!(proxy.seen.lock().unwrap().len(), 1);
    // NO_PROXY=localhost: straight to the origin.
    let url = format!("http://localhost:{}/direct", direct.addr.port());
    assert_eq!(text(&c, request("GET", &url, Body::Empty)).await, "GET 0 0");
    assert_eq!(proxy.seen.lock().unwrap().len(), 1);
    assert_eq!(direct.seen.lock().unwrap().len(), 1);
}

pub(crate) async fn https_through_a_connect_tunnel<T: TransportUnderTest>() {
    let proxy = Server::start(Mode::Proxy);
    let (server_cfg, pem) = support::self_signed();
    let origin = Server::start_tls(server_cfg);
    let bundle = support::temp_file(&format!("{}-tunnel-ca.pem", T::NAME), pem.as_bytes());
    let c = connect::<T>(HttpConfig {
        proxy: Some(proxy_to(&proxy, "")),
        ca_bundle: Some(bundle),
        ..HttpConfig::default()
    });
    let url = format!("https://localhost:{}/t", origin.addr.port());
    assert_eq!(text(&c, request("GET", &url, Body::Empty)).await, "GET 0 0");
    let seen = proxy.seen.lock().unwrap().clone();
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(seen[0].target, format!("localhost:{}", origin.addr.port()));
}

/// An `https://` proxy (TLS to the proxy itself, as urllib3 speaks to one for botocore):
/// verified with the client's CA bundle; plain http goes to it in absolute form inside its TLS,
/// https through a `CONNECT` tunnel with the origin's TLS inside the proxy's.
pub(crate) async fn https_and_http_through_a_tls_proxy<T: TransportUnderTest>() {
    // Certificates of their own, so each is verified as the host it is.
    let (proxy_cfg, proxy_pem) = support::self_signed();
    let (origin_cfg, origin_pem) = support::self_signed();
    let proxy = Server::start_tls_proxy(proxy_cfg);
    let origin = Server::start_tls(origin_cfg);
    let pem = format!("{proxy_pem}{origin_pem}");
    let url = ProxyUrl::parse(&format!("https://localhost:{}", proxy.addr.port())).unwrap();
    assert!(url.tls);
    let proxies = ProxyConfig {
        http: Some(url.clone()),
        https: Some(url),
        ..ProxyConfig::default()
    };
    let bundle = support::temp_file(&format!("{}-tls-proxy-ca.pem", T::NAME), pem.as_bytes());
    let c = connect::<T>(HttpConfig {
        proxy: Some(proxies.clone()),
        ca_bundle: Some(bundle),
        ..HttpConfig::default()
    });

    let tunnelled = format!("https://localhost:{}/t", origin.addr.port());
    assert_eq!(
        text(&c, request("GET", &tunnelled, Body::Empty)).await,
        "GET 0 0"
    );
    assert_eq!(
        text(&c, request("PUT", &tunnelled, Body::from(b"abc".to_vec()))).await,
        format!("PUT 3 {}", support::checksum(b"abc".iter().copied(), 0)),
        "the tunnelled connection was reused"
    );
    let seen = proxy.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "one tunnel: {seen:?}");
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(seen[0].target, format!("localhost:{}", origin.addr.port()));
    assert_eq!(origin.seen.lock().unwrap().len(), 2);

    let HttpViaProxy::AbsoluteForm { target } = T::HTTP_VIA_PROXY;
    let plain = "http://bucket.example.invalid/key?x=1";
    let got = text(&c, request("GET", plain, Body::Empty)).await;
    assert_eq!(got, format!("proxied {target}"));
    assert_eq!(proxy.seen.lock().unwrap().len(), 2);

    // The proxy's certificate is checked as a server's: untrusted without the bundle, or with
    // only the origin's in it (the origin's, with only the proxy's).
    for (n, only) in [None, Some(&origin_pem), Some(&proxy_pem)]
        .into_iter()
        .enumerate()
    {
        let bundle = only.map(|pem| {
            let name = format!("{}-tls-proxy-only-{n}.pem", T::NAME);
            support::temp_file(&name, pem.as_bytes())
        });
        let untrusting = connect::<T>(HttpConfig {
            proxy: Some(proxies.clone()),
            ca_bundle: bundle,
            ..HttpConfig::default()
        });
        let err = untrusting
            .send(request("GET", &tunnelled, Body::Empty))
            .await
            .unwrap_err();
        assert_eq!(err.kind, TransportErrorKind::Tls, "{err}");
    }
    let seen = proxy.seen.lock().unwrap().len();
    assert_eq!(
        seen, 3,
        "only the tunnel trusting the proxy but not the origin reached it"
    );
    assert_eq!(
        origin.seen.lock().unwrap().len(),
        2,
        "no request reached the origin"
    );

    // The proxy's own CA bundle (botocore's `proxies_config` `proxy_ca_bundle`) is trusted for
    // the proxy besides the client's bundle, which here holds only the origin's certificate.
    let own = |name: &str, pem: &str| {
        support::temp_file(&format!("{}-tls-proxy-{name}.pem", T::NAME), pem.as_bytes())
    };
    let (origin_only, proxy_only) = (own("origin", &origin_pem), own("own", &proxy_pem));
    let trusting = connect::<T>(HttpConfig {
        proxy: Some(proxies.clone()),
        ca_bundle: Some(origin_only.clone()),
        proxy_ca_bundle: Some(proxy_only.clone()),
        ..HttpConfig::default()
    });
    assert_eq!(
        text(&trusting, request("GET", &tunnelled, Body::Empty)).await,
        "GET 0 0"
    );
    assert_eq!(origin.seen.lock().unwrap().len(), 3);
    // botocore's HTTP layer, through the same proxy with the same files, with and without it.
    if T::NAME == "blocking" {
        let theirs = sansboto_tests::botocore::run(
            &format!(
                r#"
import warnings
warnings.simplefilter("ignore")
from botocore.httpsession import URLLib3Session
from botocore.awsrequest import AWSRequest
out = []
for proxies_config in [{{"proxy_ca_bundle": {proxy:?}}}, None]:
    try:
        http = URLLib3Session(verify={origin:?}, timeout=(5, 5),
            proxies={{"https": "https://localhost:{port}"}}, proxies_config=proxies_config)
        r = http.send(AWSRequest(method="GET", url={url:?}).prepare())
        out.append(r.content.decode())
    except Exception as e:
        out.append(type(e).__name__)
emit(out)
"#,
                proxy = proxy_only.display().to_string(),
                origin = origin_only.display().to_string(),
                port = proxy.addr.port(),
                url = tunnelled,
            ),
            &[],
        );
        assert_eq!(theirs[0], "GET 0 0", "{theirs}");
        assert_ne!(theirs[1], "GET 0 0", "{theirs}");
    }
}

/// `https://` forwarded to an `https://` proxy (botocore's `proxies_config`
/// `proxy_use_forwarding_for_https`): the request goes to the proxy in absolute form inside the
/// proxy's TLS, with the proxy's credentials, and no tunnel or TLS of the client's own with the
/// origin; a plain-http proxy still gets a tunnel, as urllib3 forwards only over TLS. botocore's
/// HTTP layer, through the same proxy, sends the same request line and credentials.
pub(crate) async fn https_forwarded_to_a_tls_proxy<T: TransportUnderTest>() {
    let (proxy_cfg, proxy_pem) = support::self_signed();
    let proxy = Server::start_tls_proxy(proxy_cfg);
    let proxy_url = format!("https://u:p@localhost:{}", proxy.addr.port());
    let url = ProxyUrl::parse(&proxy_url).unwrap();
    let bundle = support::temp_file(&format!("{}-forward-ca.pem", T::NAME), proxy_pem.as_bytes());
    let c = connect::<T>(HttpConfig {
        proxy: Some(ProxyConfig {
            http: Some(url.clone()),
            https: Some(url),
            forward_https: true,
            ..ProxyConfig::default()
        }),
        proxy_ca_bundle: Some(bundle.clone()),
        ..HttpConfig::default()
    });
    let target = "https://bucket.example.invalid/key?x=1";
    for _ in 0..2 {
        let got = text(&c, request("GET", target, Body::Empty)).await;
        assert_eq!(got, format!("proxied {target}"));
    }
    let seen = proxy.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    let connections = *proxy.connections.lock().unwrap();
    assert_eq!(
        connections, 1,
        "the second request reuses the first's connection"
    );
    for request in &seen {
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("GET", target)
        );
        assert_eq!(request.header("host"), Some("bucket.example.invalid"));
        let credentials: Vec<_> = (request.headers.iter())
            .filter(|(k, _)| k.eq_ignore_ascii_case("proxy-authorization"))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(credentials, ["Basic dTpw"], "{request:?}");
    }

    // Through a plain-http proxy the setting changes nothing: a tunnel, TLS inside it.
    let (origin_cfg, origin_pem) = support::self_signed();
    let origin = Server::start_tls(origin_cfg);
    let plain_proxy = Server::start(Mode::Proxy);
    let origin_bundle = support::temp_file(
        &format!("{}-forward-origin.pem", T::NAME),
        origin_pem.as_bytes(),
    );
    let c = connect::<T>(HttpConfig {
        proxy: Some(ProxyConfig {
            forward_https: true,
            ..proxy_to(&plain_proxy, "")
        }),
        ca_bundle: Some(origin_bundle),
        ..HttpConfig::default()
    });
    let tunnelled = format!("https://localhost:{}/t", origin.addr.port());
    assert_eq!(
        text(&c, request("GET", &tunnelled, Body::Empty)).await,
        "GET 0 0"
    );
    let seen = plain_proxy.seen.lock().unwrap().clone();
    assert_eq!(seen[0].method, "CONNECT", "{seen:?}");

    if T::NAME == "blocking" {
        let theirs = sansboto_tests::botocore::run(
            &format!(
                r#"
import warnings
warnings.simplefilter("ignore")
from botocore.httpsession import URLLib3Session
from botocore.awsrequest import AWSRequest
http = URLLib3Session(timeout=(5, 5), proxies={{"https": {proxy_url:?}}},
    proxies_config={{"proxy_use_forwarding_for_https": True, "proxy_ca_bundle": {bundle:?}}})
r = http.send(AWSRequest(method="GET", url={target:?}).prepare())
emit(r.content.decode())
"#,
                bundle = bundle.display().to_string(),
            ),
            &[],
        );
        assert_eq!(theirs, format!("proxied {target}"));
        let seen = proxy.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert_eq!(seen[2].header("proxy-authorization"), Some("Basic dTpw"));
        assert_eq!(seen[2].header("host"), Some("bucket.example.invalid"));
    }
}

pub(crate) async fn sleep_and_clocks<T: TransportUnderTest>() {
    let c = client::<T>();
    let started = T::monotonic_now();
    c.sleep(Duration::from_millis(20)).await;
    assert!(T::monotonic_now() - started >= Duration::from_millis(20));
    assert!(c.now() > std::time::UNIX_EPOCH);
}

/// A client that trusts any certificate (the scripted TLS servers' is self-signed), with a
/// connect timeout the handshake tests wait out quickly and a long read timeout.
fn tls_client<T: Transport>() -> T {
    connect(HttpConfig {
        verify: false,
        connect_timeout: Duration::from_millis(300),
        read_timeout: Duration::from_secs(20),
        ..HttpConfig::default()
    })
}

/// A server that accepts TCP and then sends nothing of its handshake, or trickles it a byte
/// every 50 ms (each byte would restart a per-read limit): the connect timeout bounds the
/// handshake as a whole, and the connect fails as a timeout naming it, long before the read
/// timeout.
pub(crate) async fn tls_handshake_is_bounded_by_the_connect_timeout<T: TransportUnderTest>() {
    for trickle in [false, true] {
        let server =
            support::ScriptedTls::start(move |tcp, _| support::stalled_handshake(tcp, trickle));
        let started = T::monotonic_now();
        let err = tls_client::<T>()
            .send(request("GET", &server.url("/"), Body::Empty))
            .await
            .unwrap_err();
        let waited = T::monotonic_now() - started;
        assert_eq!(
            err.kind,
            TransportErrorKind::Timeout,
            "trickle {trickle}: {err}"
        );
        assert!(
            err.message.contains("TLS handshake") && err.message.contains("300ms"),
            "{err}"
        );
        assert!(
            waited >= Duration::from_millis(295) && waited < Duration::from_secs(3),
            "trickle {trickle}: waited {waited:?}"
        );
    }
}

/// A TLS server closing without `close_notify`: a body delimited by the close ends there (as
/// Python's ssl, with urllib3's `suppress_ragged_eofs`, and http.client take it); a body with a
/// `Content-Length` or chunks cut short by it still fails. With `close_notify`, the same.
pub(crate) async fn tls_close_without_close_notify_ends_only_a_close_delimited_body<
    T: TransportUnderTest,
>() {
    let server = support::ScriptedTls::start(support::answer_then_close);
    let c = tls_client::<T>();
    for path in ["/close-delimited", "/close-delimited-notify"] {
        let get = || request("GET", &server.url(path), Body::Empty);
        assert_eq!(text(&c, get()).await, "hello world", "{path}");
        // Chunk by chunk too, to the end.
        let mut body = c.send(get()).await.unwrap().into_body();
        let mut all = Vec::new();
        while let Some(chunk) = c.read_chunk(&mut body).await.unwrap() {
            all.extend_from_slice(&chunk);
        }
        assert_eq!(all, b"hello world", "{path}");
    }
    for path in ["/length-cut", "/chunked-cut"] {
        let resp = c
            .send(request("GET", &server.url(path), Body::Empty))
            .await
            .unwrap();
        let err = c.read_body(resp.into_body()).await.unwrap_err();
        assert_eq!(err.kind, TransportErrorKind::Io, "{path}: {err}");
        let mut body = c
            .send(request("GET", &server.url(path), Body::Empty))
            .await
            .unwrap()
            .into_body();
        let first = c.read_chunk(&mut body).await.unwrap().unwrap();
        assert_eq!(&first[..], b"hello", "{path}");
        let err = c.read_chunk(&mut body).await.unwrap_err();
        assert_eq!(err.kind, TransportErrorKind::Io, "{path}: {err}");
    }
}

/// A server whose response's last TLS record holds more than the body (bytes past it, or its
/// `close_notify` with it, in the same TCP write) and keeps the TCP connection open: the
/// connection is out of step though its socket shows nothing, so it is not pooled and the
/// next request opens another (none is written on the first).
pub(crate) async fn tls_connection_out_of_step_inside_rustls_is_not_reused<
    T: TransportUnderTest,
>() {
    for close_notify in [true, false] {
        let written_after = std::sync::Arc::new(std::sync::Mutex::new(0u32));
        let seen = written_after.clone();
        let server = support::ScriptedTls::start(move |mut tcp, cfg| {
            use std::io::Read;
            let Some((mut conn, _)) = support::tls_accept_request(&mut tcp, cfg) else {
                return;
            };
            let response: &[u8] = if close_notify {
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
            } else {
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA"
            };
            if support::tls_answer(&mut conn, &mut tcp, response, close_notify).is_err() {
                return;
            }
            // Only a request counts: the client's own `close_notify` when it drops the
            // connection (as hyper sends) is no plaintext.
            let _ = tcp.set_read_timeout(Some(Duration::from_secs(1)));
            let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
            if matches!(tls.read(&mut [0u8; 1024]), Ok(n) if n > 0) {
                *seen.lock().unwrap() += 1;
            }
            let _ = tcp.shutdown(std::net::Shutdown::Both);
        });
        let c = tls_client::<T>();
        for _ in 0..2 {
            let got = text(&c, request("GET", &server.url("/"), Body::Empty)).await;
            assert_eq!(got, "hello", "close_notify {close_notify}");
        }
        assert_eq!(
            *written_after.lock().unwrap(),
            0,
            "close_notify {close_notify}"
        );
        assert_eq!(server.connection_count(), 2, "close_notify {close_notify}");
    }
}
