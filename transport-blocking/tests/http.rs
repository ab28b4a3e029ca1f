//! The blocking transport against tiny loopback servers: round trips, streaming both ways, every
//! failure kind, connection reuse against closing servers, TLS trust and proxies.

#[path = "../../tests/tests/transport_support/mod.rs"]
mod support;

use std::io::Read;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sansboto_blocking::{
    file_body, reader_body, HttpClient, HttpConfig, NoProxy, ProxyConfig, ProxyUrl,
};
use sansboto_core::body::Body;
use sansboto_core::error::TransportErrorKind;
use support::{Mode, Server};

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

fn text(client: &HttpClient, req: http::Request<Body>) -> String {
    let resp = client.send(req).unwrap();
    assert_eq!(resp.status(), 200);
    String::from_utf8(resp.into_body().bytes().unwrap().to_vec()).unwrap()
}

/// A reader producing `len` pattern bytes without holding them in memory.
struct PatternReader {
    pos: u64,
    len: u64,
}

impl Read for PatternReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (self.len - self.pos).min(buf.len() as u64) as usize;
        for (i, b) in buf[..n].iter_mut().enumerate() {
            *b = support::pattern(self.pos + i as u64);
        }
        self.pos += n as u64;
        Ok(n)
    }
}

#[test]
fn get_and_put_bytes_round_trip() {
    let server = Server::start(Mode::Echo);
    let c = client();
    assert_eq!(
        text(&c, request("GET", &server.url("/x"), Body::Empty)),
        "GET 0 0"
    );
    let body = Bytes::from_static(b"hello transport");
    let expected = format!(
        "PUT {} {}",
        body.len(),
        support::checksum(body.iter().copied(), 0)
    );
    assert_eq!(
        text(&c, request("PUT", &server.url("/x"), Body::Bytes(body))),
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

#[test]
fn request_target_is_sent_exactly_as_built() {
    let server = Server::start(Mode::Echo);
    let c = client();
    let url = server.url("/bucket/a/../b/./c%2Fd?list-type=2&prefix=x%20y");
    text(&c, request("GET", &url, Body::Empty));
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(
        seen[0].target,
        "/bucket/a/../b/./c%2Fd?list-type=2&prefix=x%20y"
    );
}

#[test]
fn put_streams_of_known_and_unknown_length() {
    let server = Server::start(Mode::Echo);
    let c = client();
    let len = 8 * MIB;
    let expected = format!("PUT {len} {}", support::pattern_checksum(len));

    let known = Body::Stream(reader_body(PatternReader { pos: 0, len }, Some(len)));
    assert_eq!(
        text(&c, request("PUT", &server.url("/known"), known)),
        expected
    );

    let unknown = Body::Stream(reader_body(PatternReader { pos: 0, len }, None));
    assert_eq!(
        text(&c, request("PUT", &server.url("/chunked"), unknown)),
        expected
    );

    let data: Vec<u8> = (0..len).map(support::pattern).collect();
    let path = support::temp_file("blocking-upload.bin", &data);
    let file = file_body(&path).unwrap();
    assert_eq!(file.len(), Some(len));
    assert_eq!(
        text(&c, request("PUT", &server.url("/file"), Body::Stream(file))),
        expected
    );

    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen[0].header("content-length"), Some("8388608"));
    assert_eq!(seen[0].header("transfer-encoding"), None);
    assert_eq!(seen[1].header("transfer-encoding"), Some("chunked"));
    assert_eq!(seen[2].header("content-length"), Some("8388608"));
}

#[test]
fn streaming_body_is_taken_once_and_foreign_sources_are_rejected() {
    let server = Server::start(Mode::Echo);
    let c = client();
    let sb = reader_body(PatternReader { pos: 0, len: 10 }, Some(10));
    text(
        &c,
        request("PUT", &server.url("/a"), Body::Stream(sb.clone())),
    );
    let err = c
        .send(request("PUT", &server.url("/a"), Body::Stream(sb)))
        .unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Request);
    let foreign = sansboto_core::body::StreamingBody::new(42u32, Some(4));
    let err = c
        .send(request("PUT", &server.url("/a"), Body::Stream(foreign)))
        .unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Request);
}

#[test]
fn response_streams_chunk_by_chunk_and_through_read() {
    let server = Server::start(Mode::Echo);
    let c = client();
    let len = 8 * MIB;
    let mut body = c
        .send(request(
            "GET",
            &server.url(&format!("/bytes/{len}")),
            Body::Empty,
        ))
        .unwrap()
        .into_body();
    let (mut got, mut sum, mut chunks) = (0u64, 0u64, 0);
    while let Some(chunk) = body.chunk().unwrap() {
        sum = sum.wrapping_add(support::checksum(chunk.iter().copied(), got));
        got += chunk.len() as u64;
        chunks += 1;
    }
    assert_eq!((got, sum), (len, support::pattern_checksum(len)));
    assert!(
        chunks > 1,
        "an 8 MiB body arrives in several chunks, got {chunks}"
    );

    let mut reader = c
        .send(request("GET", &server.url("/bytes/70000"), Body::Empty))
        .unwrap()
        .into_body();
    let mut buf = Vec::new();
    reader.read_to_end(&mut buf).unwrap();
    assert_eq!(buf.len(), 70_000);
    assert!(buf
        .iter()
        .enumerate()
        .all(|(i, &b)| b == support::pattern(i as u64)));

    let head = c
        .send(request("HEAD", &server.url("/h"), Body::Empty))
        .unwrap();
    assert_eq!(head.headers()["content-length"], "12345");
    assert!(
        head.into_body().bytes().unwrap().is_empty(),
        "HEAD has no body, and that is no truncation"
    );
}

#[test]
fn idle_pooled_connection_outlives_the_read_timeout() {
    let server = Server::start(Mode::Echo);
    let c = quick_client();
    assert_eq!(
        text(&c, request("GET", &server.url("/1"), Body::Empty)),
        "GET 0 0"
    );
    // Idle for longer than the 300 ms read timeout: the pooled connection must still work (or
    // be replaced), never fail the next request.
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(
        text(&c, request("GET", &server.url("/2"), Body::Empty)),
        "GET 0 0"
    );
}

#[test]
fn connection_refused_is_connect() {
    let port = support::closed_port();
    let err = client()
        .send(request(
            "GET",
            &format!("http://127.0.0.1:{port}/"),
            Body::Empty,
        ))
        .unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Connect, "{err}");
}

#[test]
fn silent_server_times_out_within_read_timeout() {
    let server = Server::start(Mode::Silent);
    let started = Instant::now();
    let err = quick_client()
        .send(request("GET", &server.url("/"), Body::Empty))
        .unwrap_err();
    let waited = started.elapsed();
    assert_eq!(err.kind, TransportErrorKind::Timeout, "{err}");
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(3),
        "waited {waited:?}"
    );
}

#[test]
fn truncated_body_is_io() {
    let server = Server::start(Mode::Truncate);
    let resp = client()
        .send(request("GET", &server.url("/"), Body::Empty))
        .unwrap();
    let err = resp.into_body().bytes().unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Io, "{err}");
    let resp = client()
        .send(request("GET", &server.url("/"), Body::Empty))
        .unwrap();
    let err = resp.into_body().read_to_end(&mut Vec::new()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{err}");
}

#[test]
fn servers_closing_after_each_response_never_break_reuse() {
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
            let got = text(&c, request(method, &server.url("/"), body));
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

#[test]
fn tls_verification_with_and_without_the_ca_bundle() {
    let (server_cfg, pem) = support::self_signed();
    let server = Server::start_tls(server_cfg);
    let url = format!("https://localhost:{}/x", server.addr.port());

    let err = client()
        .send(request("GET", &url, Body::Empty))
        .unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Tls, "{err}");

    let bundle = support::temp_file("blocking-ca.pem", pem.as_bytes());
    let trusting = HttpClient::new(HttpConfig {
        ca_bundle: Some(bundle),
        ..HttpConfig::default()
    })
    .unwrap();
    assert_eq!(
        text(&trusting, request("GET", &url, Body::Empty)),
        "GET 0 0"
    );

    let unverified = HttpClient::new(HttpConfig {
        verify: false,
        ..HttpConfig::default()
    })
    .unwrap();
    assert_eq!(
        text(&unverified, request("GET", &url, Body::Empty)),
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

/// ureq 3 reaches every target through a proxy with a `CONNECT` tunnel, plain http included
/// (it has no absolute-form requests); `NO_PROXY` hosts are reached directly.
#[test]
fn http_through_a_forward_proxy_tunnels_and_no_proxy_bypasses() {
    let proxy = Server::start(Mode::Proxy);
    let origin = Server::start(Mode::Echo);
    let direct = Server::start(Mode::Echo);
    let cfg = HttpConfig {
        proxy: Some(proxy_to(&proxy, "localhost")),
        ..HttpConfig::default()
    };
    let c = HttpClient::new(cfg).unwrap();
    assert_eq!(
        text(&c, request("GET", &origin.url("/via-proxy"), Body::Empty)),
        "GET 0 0"
    );
    let seen = proxy.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].target.clone()),
        ("CONNECT", origin.addr.to_string())
    );
    // NO_PROXY=localhost: straight to the origin.
    let url = format!("http://localhost:{}/direct", direct.addr.port());
    assert_eq!(text(&c, request("GET", &url, Body::Empty)), "GET 0 0");
    assert_eq!(proxy.seen.lock().unwrap().len(), 1);
    assert_eq!(direct.seen.lock().unwrap().len(), 1);
}

#[test]
fn https_through_a_connect_tunnel() {
    let proxy = Server::start(Mode::Proxy);
    let (server_cfg, pem) = support::self_signed();
    let origin = Server::start_tls(server_cfg);
    let bundle = support::temp_file("blocking-tunnel-ca.pem", pem.as_bytes());
    let cfg = HttpConfig {
        proxy: Some(proxy_to(&proxy, "")),
        ca_bundle: Some(bundle),
        ..HttpConfig::default()
    };
    let c = HttpClient::new(cfg).unwrap();
    let url = format!("https://localhost:{}/t", origin.addr.port());
    assert_eq!(text(&c, request("GET", &url, Body::Empty)), "GET 0 0");
    let seen = proxy.seen.lock().unwrap().clone();
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(seen[0].target, format!("localhost:{}", origin.addr.port()));
}

#[test]
fn sleep_and_clocks() {
    let started = sansboto_blocking::monotonic_now();
    sansboto_blocking::sleep(Duration::from_millis(20));
    assert!(sansboto_blocking::monotonic_now() - started >= Duration::from_millis(20));
    assert!(sansboto_blocking::now() > std::time::UNIX_EPOCH);
}

/// A body-less GET carries no Content-Length (as botocore's), an empty PUT says 0.
#[test]
fn content_length_only_where_a_body_is_expected() {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let mut heads = Vec::new();
        for _ in 0..2 {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                head.push_str(&line.to_ascii_lowercase());
            }
            let mut stream = stream;
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .unwrap();
            heads.push(head);
        }
        heads
    });
    let c = client();
    let url = format!("http://{addr}/x");
    c.send(request("GET", &url, Body::Empty)).unwrap();
    c.send(request("PUT", &url, Body::Empty)).unwrap();
    let heads = server.join().unwrap();
    assert!(!heads[0].contains("content-length"), "GET: {}", heads[0]);
    assert!(heads[1].contains("content-length: 0"), "PUT: {}", heads[1]);
}
