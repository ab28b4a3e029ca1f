//! The tokio transport against tiny loopback servers: round trips, streaming both ways, every
//! failure kind, connection reuse against closing servers, TLS trust and proxies.

#[path = "../../tests/tests/transport_support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use sansboto_core::body::Body;
use sansboto_core::error::TransportErrorKind;
use sansboto_tokio::{
    file_body, reader_body, stream_body, HttpClient, HttpConfig, NoProxy, ProxyConfig, ProxyUrl,
};
use support::{Mode, Server};
use tokio::io::AsyncReadExt;

const MIB: u64 = 1024 * 1024;

/// A client with a read timeout generous enough for a loaded CI machine.
fn client() -> HttpClient {
    client_with_read_timeout(Duration::from_secs(20))
}

/// A client whose read timeout the timeout tests can wait out quickly.
fn quick_client() -> HttpClient {
    client_with_read_timeout(Duration::from_millis(300))
}

fn client_with_read_timeout(read_timeout: Duration) -> HttpClient {
    HttpClient::new(HttpConfig {
        read_timeout,
        ..HttpConfig::default()
    })
    .unwrap()
}

fn request(method: &str, url: &str, body: Body) -> http::Request<Body> {
    http::Request::builder()
        .method(method)
        .uri(url)
        .body(body)
        .unwrap()
}

async fn text(client: &HttpClient, req: http::Request<Body>) -> String {
    let resp = client.send(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    String::from_utf8(resp.into_body().bytes().await.unwrap().to_vec()).unwrap()
}

/// 8 MiB of pattern bytes as 128 chunks of 64 KiB, generated lazily.
fn pattern_stream(
    len: u64,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    let chunk = 64 * 1024;
    futures_util::stream::iter((0..len.div_ceil(chunk)).map(move |i| {
        let start = i * chunk;
        Ok(Bytes::from(
            (start..(start + chunk).min(len))
                .map(support::pattern)
                .collect::<Vec<u8>>(),
        ))
    }))
}

#[tokio::test]
async fn get_and_put_bytes_round_trip() {
    let server = Server::start(Mode::Echo);
    let c = client();
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

#[tokio::test]
async fn request_target_is_sent_exactly_as_built() {
    let server = Server::start(Mode::Echo);
    let c = client();
    let url = server.url("/bucket/a/../b/./c%2Fd?list-type=2&prefix=x%20y");
    text(&c, request("GET", &url, Body::Empty)).await;
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(
        seen[0].target,
        "/bucket/a/../b/./c%2Fd?list-type=2&prefix=x%20y"
    );
}

#[tokio::test]
async fn put_streams_of_known_and_unknown_length() {
    let server = Server::start(Mode::Echo);
    let c = client();
    let len = 8 * MIB;
    let expected = format!("PUT {len} {}", support::pattern_checksum(len));

    let known = Body::Stream(stream_body(pattern_stream(len), Some(len)));
    assert_eq!(
        text(&c, request("PUT", &server.url("/known"), known)).await,
        expected
    );

    let unknown = Body::Stream(stream_body(pattern_stream(len), None));
    assert_eq!(
        text(&c, request("PUT", &server.url("/chunked"), unknown)).await,
        expected
    );

    let data: Vec<u8> = (0..len).map(support::pattern).collect();
    let reader = Body::Stream(reader_body(std::io::Cursor::new(data.clone()), Some(len)));
    assert_eq!(
        text(&c, request("PUT", &server.url("/reader"), reader)).await,
        expected
    );

    let path = support::temp_file("tokio-upload.bin", &data);
    let file = file_body(&path).await.unwrap();
    assert_eq!(file.len(), Some(len));
    assert_eq!(
        text(&c, request("PUT", &server.url("/file"), Body::Stream(file))).await,
        expected
    );

    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen[0].header("content-length"), Some("8388608"));
    assert_eq!(seen[1].header("transfer-encoding"), Some("chunked"));
    assert_eq!(seen[3].header("content-length"), Some("8388608"));
}

#[tokio::test]
async fn streaming_body_is_taken_once_and_foreign_sources_are_rejected() {
    let server = Server::start(Mode::Echo);
    let c = client();
    let sb = stream_body(pattern_stream(10), Some(10));
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
    let foreign = sansboto_core::body::StreamingBody::new(42u32, Some(4));
    let err = c
        .send(request("PUT", &server.url("/a"), Body::Stream(foreign)))
        .await
        .unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Request);
}

#[tokio::test]
async fn response_streams_chunk_by_chunk_and_through_async_read() {
    let server = Server::start(Mode::Echo);
    let c = client();
    let len = 8 * MIB;
    let mut body = c
        .send(request(
            "GET",
            &server.url(&format!("/bytes/{len}")),
            Body::Empty,
        ))
        .await
        .unwrap()
        .into_body();
    assert_eq!(body.content_length(), Some(len));
    let (mut got, mut sum, mut chunks) = (0u64, 0u64, 0);
    while let Some(chunk) = body.chunk().await.unwrap() {
        sum = sum.wrapping_add(support::checksum(chunk.iter().copied(), got));
        got += chunk.len() as u64;
        chunks += 1;
    }
    assert_eq!((got, sum), (len, support::pattern_checksum(len)));
    assert!(
        chunks > 1,
        "an 8 MiB body arrives in several chunks, got {chunks}"
    );

    let stream = c
        .send(request("GET", &server.url("/bytes/100000"), Body::Empty))
        .await
        .unwrap()
        .into_body();
    let all: Vec<Bytes> = stream.map(|r| r.unwrap()).collect().await;
    assert_eq!(all.iter().map(Bytes::len).sum::<usize>(), 100_000);

    let mut reader = c
        .send(request("GET", &server.url("/bytes/70000"), Body::Empty))
        .await
        .unwrap()
        .into_body();
    let mut buf = Vec::new();
    reader.read_to_end(&mut buf).await.unwrap();
    assert_eq!(buf.len(), 70_000);
    assert!(buf
        .iter()
        .enumerate()
        .all(|(i, &b)| b == support::pattern(i as u64)));

    let head = c
        .send(request("HEAD", &server.url("/h"), Body::Empty))
        .await
        .unwrap();
    assert_eq!(head.headers()["content-length"], "12345");
    assert!(
        head.into_body().bytes().await.unwrap().is_empty(),
        "HEAD has no body, and that is no truncation"
    );
}

#[tokio::test]
async fn idle_pooled_connection_outlives_the_read_timeout() {
    let server = Server::start(Mode::Echo);
    let c = quick_client();
    assert_eq!(
        text(&c, request("GET", &server.url("/1"), Body::Empty)).await,
        "GET 0 0"
    );
    // Idle for longer than the 300 ms read timeout: the pooled connection must still work (or
    // be replaced), never fail the next request.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        text(&c, request("GET", &server.url("/2"), Body::Empty)).await,
        "GET 0 0"
    );
}

#[tokio::test]
async fn connection_refused_is_connect() {
    let port = support::closed_port();
    let err = client()
        .send(request(
            "GET",
            &format!("http://127.0.0.1:{port}/"),
            Body::Empty,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Connect, "{err}");
}

#[tokio::test]
async fn silent_server_times_out_within_read_timeout() {
    let server = Server::start(Mode::Silent);
    let started = Instant::now();
    let err = quick_client()
        .send(request("GET", &server.url("/"), Body::Empty))
        .await
        .unwrap_err();
    let waited = started.elapsed();
    assert_eq!(err.kind, TransportErrorKind::Timeout, "{err}");
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(3),
        "waited {waited:?}"
    );
}

#[tokio::test]
async fn truncated_body_is_io() {
    let server = Server::start(Mode::Truncate);
    let resp = client()
        .send(request("GET", &server.url("/"), Body::Empty))
        .await
        .unwrap();
    let err = resp.into_body().bytes().await.unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Io, "{err}");
}

#[tokio::test]
async fn servers_closing_after_each_response_never_break_reuse() {
    for mode in [
        Mode::EchoCloseWithHeader,
        Mode::EchoCloseSilently,
        Mode::EchoCloseLate,
    ] {
        let server = Server::start(mode);
        let c = client();
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

#[tokio::test]
async fn tls_verification_with_and_without_the_ca_bundle() {
    let (server_cfg, pem) = support::self_signed();
    let server = Server::start_tls(server_cfg);
    let url = format!("https://localhost:{}/x", server.addr.port());

    let err = client()
        .send(request("GET", &url, Body::Empty))
        .await
        .unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Tls, "{err}");

    let bundle = support::temp_file("tokio-ca.pem", pem.as_bytes());
    let trusting = HttpClient::new(HttpConfig {
        ca_bundle: Some(bundle),
        ..HttpConfig::default()
    })
    .unwrap();
    assert_eq!(
        text(&trusting, request("GET", &url, Body::Empty)).await,
        "GET 0 0"
    );

    let unverified = HttpClient::new(HttpConfig {
        verify: false,
        ..HttpConfig::default()
    })
    .unwrap();
    assert_eq!(
        text(&unverified, request("GET", &url, Body::Empty)).await,
        "GET 0 0"
    );

    let missing = HttpConfig {
        ca_bundle: Some("/nonexistent/ca.pem".into()),
        ..HttpConfig::default()
    };
    assert_eq!(
        HttpClient::new(missing).unwrap_err().kind,
        TransportErrorKind::Tls
    );
}

fn proxy_to(proxy: &Server, no_proxy: &str) -> ProxyConfig {
    let url = ProxyUrl::parse(&format!("http://{}", proxy.addr)).unwrap();
    ProxyConfig {
        http: Some(url.clone()),
        https: Some(url),
        no_proxy: NoProxy::parse(no_proxy),
    }
}

#[tokio::test]
async fn http_through_a_forward_proxy_uses_absolute_form_and_no_proxy_bypasses() {
    let proxy = Server::start(Mode::Proxy);
    let origin = Server::start(Mode::Echo);
    let cfg = HttpConfig {
        proxy: Some(proxy_to(&proxy, "127.0.0.1")),
        ..HttpConfig::default()
    };
    let c = HttpClient::new(cfg).unwrap();
    let got = text(
        &c,
        request("GET", "http://bucket.example.invalid/key?x=1", Body::Empty),
    )
    .await;
    assert_eq!(got, "proxied http://bucket.example.invalid/key?x=1");
    // NO_PROXY=127.0.0.1: straight to the origin.
    assert_eq!(
        text(&c, request("GET", &origin.url("/direct"), Body::Empty)).await,
        "GET 0 0"
    );
    assert_eq!(proxy.seen.lock().unwrap().len(), 1);
    assert_eq!(origin.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn https_through_a_connect_tunnel() {
    let proxy = Server::start(Mode::Proxy);
    let (server_cfg, pem) = support::self_signed();
    let origin = Server::start_tls(server_cfg);
    let bundle = support::temp_file("tokio-tunnel-ca.pem", pem.as_bytes());
    let cfg = HttpConfig {
        proxy: Some(proxy_to(&proxy, "")),
        ca_bundle: Some(bundle),
        ..HttpConfig::default()
    };
    let c = HttpClient::new(cfg).unwrap();
    let url = format!("https://localhost:{}/t", origin.addr.port());
    assert_eq!(text(&c, request("GET", &url, Body::Empty)).await, "GET 0 0");
    let seen = proxy.seen.lock().unwrap().clone();
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(seen[0].target, format!("localhost:{}", origin.addr.port()));
}

#[tokio::test]
async fn sleep_and_clocks() {
    let started = sansboto_tokio::monotonic_now();
    sansboto_tokio::sleep(Duration::from_millis(20)).await;
    assert!(sansboto_tokio::monotonic_now() - started >= Duration::from_millis(20));
    assert!(sansboto_tokio::now() > std::time::UNIX_EPOCH);
}
