//! What only the blocking crate offers, against the loopback servers: the response body as a
//! `std::io::Read` (truncation included), and Content-Length only where a body is expected (the
//! async transports differ there). The scenarios every transport shares (round trips, streaming
//! through the `Transport` trait, failure kinds, connection reuse, TLS, proxies, clocks) run on
//! this crate in `tests/tests/transport_all.rs` (`on_blocking::*`).

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
