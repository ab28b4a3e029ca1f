//! What only the blocking crate offers, against the loopback servers: the response body as a
//! `std::io::Read` (truncation included), proxy credentials and an IPv6 literal host. The
//! scenarios every transport shares (round trips, streaming through the `Transport` trait, failure
//! kinds, connection reuse, TLS, proxies, clocks) run on this crate in
//! `tests/tests/transport_all.rs` (`on_blocking::*`).

#[path = "../../tests/tests/transport_support/mod.rs"]
mod support;

use std::io::Read;
use std::time::Duration;

use sansboto_blocking::{HttpClient, HttpConfig};
use sansboto_core::Body;
use support::{Mode, Server};

fn client() -> HttpClient {
    HttpClient::new(HttpConfig {
        read_timeout: Duration::from_secs(20),
        ..HttpConfig::default()
    })
    .unwrap()
}

fn request(method: &str, url: &str) -> http::Request<Body> {
    http::Request::builder()
        .method(method)
        .uri(url)
        .body(Body::Empty)
        .unwrap()
}

#[test]
fn response_body_is_a_read() {
    let server = Server::start(Mode::Echo);
    let mut reader = client()
        .send(request("GET", &server.url("/bytes/70000")))
        .unwrap()
        .into_body();
    let mut buf = Vec::new();
    reader.read_to_end(&mut buf).unwrap();
    assert_eq!(buf.len(), 70_000);
    assert!(buf
        .iter()
        .enumerate()
        .all(|(i, &b)| b == support::pattern(i as u64)));
}

#[test]
fn truncated_body_through_read_is_unexpected_eof() {
    let server = Server::start(Mode::Truncate);
    let resp = client().send(request("GET", &server.url("/"))).unwrap();
    let err = resp.into_body().read_to_end(&mut Vec::new()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{err}");
}

/// A one-connection server on `addr`: reads one request head, answers `answer`, and returns the
/// head it read.
fn answer_once(addr: &str, answer: &'static [u8]) -> (u16, std::thread::JoinHandle<String>) {
    let listener = std::net::TcpListener::bind(addr).expect("loopback");
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            conn.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        std::io::Write::write_all(&mut conn, answer).unwrap();
        String::from_utf8(head).unwrap()
    });
    (port, server)
}

/// A proxy with credentials: plain http goes to it in absolute form with `Proxy-Authorization`;
/// https asks it for a tunnel with the credentials in the `CONNECT`, and its refusal is a
/// connect failure naming its status.
#[test]
fn proxy_credentials_go_with_absolute_form_and_connect() {
    let proxied = |port: u16| HttpConfig {
        proxy: Some(sansboto_core::ProxyConfig {
            http: Some(
                sansboto_core::ProxyUrl::parse(&format!("http://u:p@127.0.0.1:{port}")).unwrap(),
            ),
            https: Some(
                sansboto_core::ProxyUrl::parse(&format!("http://u:p@127.0.0.1:{port}")).unwrap(),
            ),
            ..Default::default()
        }),
        ..HttpConfig::default()
    };
    let (port, proxy) = answer_once(
        "127.0.0.1:0",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    );
    let client = HttpClient::new(proxied(port)).unwrap();
    let body = client
        .send(request("GET", "http://origin.invalid/k"))
        .unwrap()
        .into_body();
    assert_eq!(&body.bytes().unwrap()[..], b"ok");
    let head = proxy.join().unwrap();
    assert!(
        head.starts_with("GET http://origin.invalid/k HTTP/1.1\r\n"),
        "{head}"
    );
    assert!(
        head.contains("proxy-authorization: Basic dTpw\r\n"),
        "{head}"
    );

    let refusal = b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n";
    let (port, proxy) = answer_once("127.0.0.1:0", refusal);
    let client = HttpClient::new(proxied(port)).unwrap();
    let err = client
        .send(request("GET", "https://origin.invalid/k"))
        .unwrap_err();
    assert_eq!(
        err.kind,
        sansboto_core::TransportErrorKind::Connect,
        "{err}"
    );
    assert!(err.to_string().contains("407"), "{err}");
    let head = proxy.join().unwrap();
    assert!(
        head.starts_with("CONNECT origin.invalid:443 HTTP/1.1\r\n"),
        "{head}"
    );
    assert!(
        head.contains("Proxy-Authorization: Basic dTpw\r\n"),
        "{head}"
    );
}

/// An IPv6 literal host: the client connects to the address inside the brackets and sends the
/// bracketed `Host` the signer signed (the loopback servers of the shared scenarios are IPv4).
#[test]
fn ipv6_literal_hosts_connect_and_send_a_bracketed_host() {
    let (port, server) = answer_once("[::1]:0", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    let url = format!("http://[::1]:{port}/k?x=1");
    let body = client().send(request("GET", &url)).unwrap().into_body();
    assert_eq!(&body.bytes().unwrap()[..], b"ok");
    let head = server.join().unwrap();
    assert!(head.starts_with("GET /k?x=1 HTTP/1.1\r\n"), "{head}");
    assert!(head.contains(&format!("host: [::1]:{port}\r\n")), "{head}");
}
