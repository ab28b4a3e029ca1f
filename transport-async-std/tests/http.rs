//! What only the async-std crate's public API offers, against the loopback servers: the response
//! body as a `futures::Stream` and a `futures_io::AsyncRead`, truncation seen through
//! `AsyncRead`, requests made with surf's own API on the client `HttpClient::surf` returns.
//! Every test runs twice: under `async_std::task::block_on` and under `smol::block_on`. The
//! scenarios every transport shares (round trips, streaming through the `Transport` trait,
//! failure kinds, connection reuse, TLS, proxies, clocks) run on this crate in
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

/// A server that answers each GET with the next of `answers`, raw, counting connections; an
/// answer marked `true` is followed by closing the connection.
fn raw_server(
    answers: Vec<(&'static [u8], bool)>,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = std::sync::Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    std::thread::spawn(move || {
        let mut answers = answers.into_iter();
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            count.fetch_add(1, Ordering::SeqCst);
            loop {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if stream.read(&mut byte).unwrap_or(0) == 0 {
                        break;
                    }
                    head.push(byte[0]);
                }
                let Some((answer, close)) = answers.next() else {
                    return;
                };
                stream.write_all(answer).unwrap();
                if close {
                    break;
                }
            }
        }
    });
    (url, connections)
}

/// The core's HTTP/1.1 codec under this transport, against answers the loopback servers do not
/// give: an interim `100`, an unregistered status, a non-ASCII field value, chunk extensions and
/// trailers (then the connection reused), a body delimited by the connection's end, and a
/// malformed chunk.
#[test]
fn odd_server_answers() {
    on_both_runtimes(|| async {
        let (url, connections) = raw_server(vec![
            (
                b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 599 Odd\r\nx-meta: caf\xc3\xa9\r\n\
                  Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\
                  x-trailer: t\r\n\r\n",
                false,
            ),
            (b"HTTP/1.1 200 OK\r\n\r\nto the end", true),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n",
                true,
            ),
        ]);
        let c = client();
        let res = c.send(get(&format!("{url}/a"))).await.unwrap();
        assert_eq!(res.status().as_u16(), 599);
        assert_eq!(res.headers()["x-meta"].as_bytes(), b"caf\xc3\xa9");
        assert_eq!(&res.into_body().bytes().await.unwrap()[..], b"hello world");

        let res = c.send(get(&format!("{url}/b"))).await.unwrap();
        assert_eq!(&res.into_body().bytes().await.unwrap()[..], b"to the end");
        assert_eq!(
            connections.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "reused after the chunked body"
        );

        let res = c.send(get(&format!("{url}/c"))).await.unwrap();
        let err = res.into_body().bytes().await.unwrap_err();
        assert_eq!(err.kind, sansboto_core::TransportErrorKind::Io, "{err}");
        assert!(err.to_string().contains("chunk"), "{err}");
        assert_eq!(
            connections.load(std::sync::atomic::Ordering::SeqCst),
            2,
            "a close-delimited body ends its connection"
        );
    });
}

#[test]
fn surf_api_requests_go_out_through_the_same_client() {
    on_both_runtimes(|| async {
        let server = Server::start(Mode::Echo);
        let c = client();
        // Made with surf's own API: the exchange takes the URL, fields and body http-types
        // holds (the core's requests carry their own), and the answer's fields read through it.
        let url = surf::Url::parse(&server.url("/direct?x=1")).unwrap();
        let req = surf::RequestBuilder::new(surf::http::Method::Post, url)
            .header("x-test", "yes")
            .body("hello")
            .build();
        let mut res = c.surf().send(req).await.unwrap();
        assert_eq!(u16::from(res.status()), 200);
        assert_eq!(
            res.header("content-type").map(|v| v.as_str()),
            Some("text/plain")
        );
        let body = res.body_string().await.unwrap();
        let expected = format!("POST 5 {}", support::checksum(b"hello".iter().copied(), 0));
        assert_eq!(body, expected);
        let seen = server.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].target, "/direct?x=1");
        assert_eq!(seen[0].header("x-test"), Some("yes"));
    });
}
