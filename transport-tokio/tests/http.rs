//! What only the tokio crate's public API offers, against the loopback servers: uploads from a
//! tokio `AsyncRead` (`reader_body`), and the response body as a `futures::Stream` and a tokio
//! `AsyncRead`. The scenarios every transport shares (round trips, streaming through the
//! `Transport` trait, failure kinds, connection reuse, TLS, proxies, clocks) run on this crate in
//! `tests/tests/transport_all.rs` (`on_tokio::*`).

#[path = "../../tests/tests/transport_support/mod.rs"]
mod support;

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use sansboto_core::Body;
use sansboto_tokio::{reader_body, HttpClient, HttpConfig};
use support::{Mode, Server};
use tokio::io::AsyncReadExt;

fn client() -> HttpClient {
    HttpClient::new(HttpConfig {
        read_timeout: Duration::from_secs(20),
        ..HttpConfig::default()
    })
    .unwrap()
}

fn get(url: &str) -> http::Request<Body> {
    http::Request::builder().uri(url).body(Body::Empty).unwrap()
}

#[tokio::test]
async fn put_from_a_tokio_async_read() {
    let server = Server::start(Mode::Echo);
    let len = 8 * 1024 * 1024;
    let data: Vec<u8> = (0..len).map(support::pattern).collect();
    let body = Body::Stream(reader_body(std::io::Cursor::new(data), Some(len)));
    let req = http::Request::builder()
        .method("PUT")
        .uri(server.url("/reader"))
        .body(body)
        .unwrap();
    let resp = client().send(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let got = resp.into_body().bytes().await.unwrap();
    let expected = format!("PUT {len} {}", support::pattern_checksum(len));
    assert_eq!(got, expected.as_bytes());
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen[0].header("content-length"), Some("8388608"));
}

#[tokio::test]
async fn response_body_is_a_stream_and_an_async_read() {
    let server = Server::start(Mode::Echo);
    let c = client();
    let stream = c
        .send(get(&server.url("/bytes/100000")))
        .await
        .unwrap()
        .into_body();
    let all: Vec<Bytes> = stream.map(|r| r.unwrap()).collect().await;
    assert_eq!(all.iter().map(Bytes::len).sum::<usize>(), 100_000);

    let mut reader = c
        .send(get(&server.url("/bytes/70000")))
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
}
