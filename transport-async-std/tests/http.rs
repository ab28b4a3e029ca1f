//! What only the async-std crate's public API offers, against the loopback servers: the response
//! body as a `futures::Stream` and a `futures_io::AsyncRead`, truncation seen through
//! `AsyncRead`. Every test runs twice: under `async_std::task::block_on` and under
//! `smol::block_on`. The scenarios every transport shares (round trips, streaming through the
//! `Transport` trait, failure kinds, connection reuse, TLS, proxies, clocks) run on this crate in
//! `tests/tests/transport_all.rs` (`on_async_std::*`).

#[path = "../../tests/tests/transport_support/mod.rs"]
mod support;

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use futures_lite::{AsyncReadExt, StreamExt};
use sansboto_async_std::{HttpClient, HttpConfig};
use sansboto_core::Body;
use support::{Mode, Server};

/// Run `test` to completion on async-std's executor, then on smol's.
fn on_both_runtimes<F: Future<Output = ()>>(test: impl Fn() -> F) {
    async_std::task::block_on(test());
    smol::block_on(test());
}

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

#[test]
fn response_body_is_a_stream_and_an_async_read() {
    on_both_runtimes(|| async {
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
        assert_eq!(
            server.connection_count(),
            1,
            "bodies read as a stream or a reader give their connection back"
        );
    });
}

#[test]
fn truncated_body_through_async_read_is_unexpected_eof() {
    on_both_runtimes(|| async {
        let server = Server::start(Mode::Truncate);
        let resp = client().send(get(&server.url("/"))).await.unwrap();
        let err = resp
            .into_body()
            .read_to_end(&mut Vec::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{err}");
    });
}
