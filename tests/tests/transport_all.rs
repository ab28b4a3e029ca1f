//! All three transports linked into one binary (their features are additive) and driven with one
//! `HttpConfig` against the same loopback server: they must agree byte for byte.

#[path = "transport_support/mod.rs"]
mod support;

use std::time::Duration;

use bytes::Bytes;
use sansboto_core::body::Body;
use sansboto_core::http_config::HttpConfig;
use support::{Mode, Server};

fn config() -> HttpConfig {
    HttpConfig {
        read_timeout: Duration::from_secs(5),
        ..HttpConfig::default()
    }
}

fn put(url: &str) -> http::Request<Body> {
    http::Request::builder()
        .method("PUT")
        .uri(url)
        .body(Body::Bytes(Bytes::from_static(b"same bytes")))
        .unwrap()
}

#[test]
fn every_transport_sends_the_same_request() {
    let server = Server::start(Mode::Echo);
    let url = server.url("/all");
    let expected = format!(
        "PUT 10 {}",
        support::checksum(b"same bytes".iter().copied(), 0)
    );

    let blocking = sansboto_blocking::HttpClient::new(config()).unwrap();
    let got = blocking
        .send(put(&url))
        .unwrap()
        .into_body()
        .bytes()
        .unwrap();
    assert_eq!(got, expected.as_bytes());

    let tokio_client = sansboto_tokio::HttpClient::new(config()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let got = rt.block_on(async {
        tokio_client
            .send(put(&url))
            .await
            .unwrap()
            .into_body()
            .bytes()
            .await
            .unwrap()
    });
    assert_eq!(got, expected.as_bytes());

    let async_std_client = sansboto_async_std::HttpClient::new(config()).unwrap();
    let got = smol::block_on(async {
        async_std_client
            .send(put(&url))
            .await
            .unwrap()
            .into_body()
            .bytes()
            .await
            .unwrap()
    });
    assert_eq!(got, expected.as_bytes());

    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|r| r.target == "/all" && r.body_len == 10));
}
