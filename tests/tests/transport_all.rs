//! All three transports linked into one binary (their features are additive): driven with one
//! `HttpConfig` against the same loopback server they must agree byte for byte, and each passes
//! every shared loopback scenario of `transport_support/scenarios.rs` (the async-std one under
//! async-std's and smol's executors). The in-memory transport of `transport_support/memory.rs`
//! (the core's HTTP/1.1 driver over in-memory connections) runs every scenario but the TLS ones,
//! its timeouts on a virtual clock, under smol.

#[path = "transport_support/mod.rs"]
mod support;

#[path = "transport_support/scenarios.rs"]
mod scenarios;

#[path = "transport_support/memory.rs"]
mod memory;

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use sansboto_core::HttpConfig;
use sansboto_core::{Body, StreamingBody};
use scenarios::{HttpViaProxy, TransportUnderTest};
use support::{Mode, Server};

fn config() -> HttpConfig {
    HttpConfig {
        read_timeout: Duration::from_secs(5),
        ..HttpConfig::default()
    }
}

/// A header value that is not ASCII (UTF-8 bytes, as a caller's metadata may hold them).
const NOT_ASCII: &str = "café";

fn put(url: &str) -> http::Request<Body> {
    http::Request::builder()
        .method("PUT")
        .uri(url)
        .header(
            "x-amz-meta-note",
            http::HeaderValue::from_bytes(NOT_ASCII.as_bytes()).unwrap(),
        )
        .body(Body::Bytes(Bytes::from_static(b"same bytes")))
        .unwrap()
}

#[test]
fn every_transport_sends_the_same_request() {
    let server = Server::start(Mode::Echo);
    // The target goes out as built (an encoded `/` and space kept encoded).
    let url = server.url("/all?prefix=a%2Fb%20c");
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
    for r in &seen {
        assert_eq!(
            (r.target.as_str(), r.body_len),
            ("/all?prefix=a%2Fb%20c", 10)
        );
        assert_eq!(r.header("x-amz-meta-note"), Some(NOT_ASCII), "{r:?}");
        // Only the fields the request has: no transport adds a body type (S3 would store it).
        assert_eq!(r.header("content-type"), None, "{r:?}");
    }
}

/// Reads `len` pattern bytes without holding them in memory (as `std::io::Read` for the blocking
/// transport, as `futures_io::AsyncRead` for the async-std one).
struct PatternReader {
    pos: u64,
    len: u64,
}

impl PatternReader {
    fn fill(&mut self, buf: &mut [u8]) -> usize {
        let n = (self.len - self.pos).min(buf.len() as u64) as usize;
        for (i, b) in buf[..n].iter_mut().enumerate() {
            *b = support::pattern(self.pos + i as u64);
        }
        self.pos += n as u64;
        n
    }
}

impl std::io::Read for PatternReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Ok(self.fill(buf))
    }
}

impl futures_lite::AsyncRead for PatternReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(Ok(self.fill(buf)))
    }
}

/// `len` pattern bytes as a stream of 64 KiB chunks, generated lazily (for tokio's `stream_body`).
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

impl TransportUnderTest for sansboto_tokio::HttpClient {
    const NAME: &'static str = "tokio";
    const HTTP_VIA_PROXY: HttpViaProxy = HttpViaProxy::AbsoluteForm {
        target: "http://bucket.example.invalid/key?x=1",
    };

    fn pattern_upload(len: u64, declared: Option<u64>) -> StreamingBody {
        sansboto_tokio::stream_body(pattern_stream(len), declared)
    }

    fn file_upload(path: &Path) -> impl Future<Output = std::io::Result<StreamingBody>> {
        sansboto_tokio::file_body(path.to_owned())
    }

    fn monotonic_now() -> Instant {
        sansboto_tokio::monotonic_now()
    }
}

impl TransportUnderTest for sansboto_async_std::HttpClient {
    const NAME: &'static str = "async-std";
    const HTTP_VIA_PROXY: HttpViaProxy = HttpViaProxy::AbsoluteForm {
        target: "http://bucket.example.invalid/key?x=1",
    };

    fn pattern_upload(len: u64, declared: Option<u64>) -> StreamingBody {
        sansboto_async_std::reader_body(PatternReader { pos: 0, len }, declared)
    }

    fn file_upload(path: &Path) -> impl Future<Output = std::io::Result<StreamingBody>> {
        sansboto_async_std::file_body(path.to_owned())
    }

    fn monotonic_now() -> Instant {
        sansboto_async_std::monotonic_now()
    }
}

impl TransportUnderTest for sansboto_blocking::HttpClient {
    const NAME: &'static str = "blocking";
    // The core's exchange, as on async-std.
    const HTTP_VIA_PROXY: HttpViaProxy = HttpViaProxy::AbsoluteForm {
        target: "http://bucket.example.invalid/key?x=1",
    };

    fn pattern_upload(len: u64, declared: Option<u64>) -> StreamingBody {
        sansboto_blocking::reader_body(PatternReader { pos: 0, len }, declared)
    }

    fn file_upload(path: &Path) -> impl Future<Output = std::io::Result<StreamingBody>> {
        std::future::ready(sansboto_blocking::file_body(path))
    }

    fn monotonic_now() -> Instant {
        sansboto_blocking::monotonic_now()
    }
}

impl TransportUnderTest for memory::MemoryTransport {
    const NAME: &'static str = "memory";
    // The core's driver, as on async-std and blocking.
    const HTTP_VIA_PROXY: HttpViaProxy = HttpViaProxy::AbsoluteForm {
        target: "http://bucket.example.invalid/key?x=1",
    };

    fn pattern_upload(len: u64, declared: Option<u64>) -> StreamingBody {
        let chunk = 64 * 1024;
        let chunks = (0..len.div_ceil(chunk)).map(move |i| {
            let start = i * chunk;
            Bytes::from(
                (start..(start + chunk).min(len))
                    .map(support::pattern)
                    .collect::<Vec<u8>>(),
            )
        });
        StreamingBody::new(Box::new(chunks) as memory::Chunks, declared)
    }

    fn file_upload(path: &Path) -> impl Future<Output = std::io::Result<StreamingBody>> {
        let body = std::fs::metadata(path)
            .map(|m| StreamingBody::from_file(sansboto_core::FileRange::new(path, 0, m.len())));
        std::future::ready(body)
    }

    fn monotonic_now() -> Instant {
        memory::clock::instant()
    }
}

/// The scenarios on the in-memory transport, under smol's executor: all but those about TLS
/// (certificate checks, the handshake, records, the https tunnel: there is no TLS in memory).
/// Its timeouts run on a virtual clock; a server closing a pooled connection closes it at a
/// moment of that clock (`EchoCloseLate`'s close comes after the reuse, as on a socket, so the
/// core's stale-connection replay runs).
mod on_memory {
    macro_rules! on_memory {
        ($($scenario:ident),+ $(,)?) => {
            $(#[test]
            fn $scenario() {
                smol::block_on(super::scenarios::$scenario::<super::memory::MemoryTransport>());
            })+
        };
    }

    on_memory!(
        get_and_put_bytes_round_trip,
        content_length_only_where_a_body_is_expected,
        content_type_only_when_the_request_has_one,
        request_target_is_sent_exactly_as_built,
        put_streams_of_known_and_unknown_length,
        streaming_body_is_taken_once_and_foreign_sources_are_rejected,
        response_streams_chunk_by_chunk,
        connection_refused_is_connect,
        truncated_body_is_io,
        sleep_and_clocks,
        idle_pooled_connection_outlives_the_read_timeout,
        silent_server_times_out_within_read_timeout,
        request_timeout_bounds_the_whole_exchange,
        connect_timeout_is_timeout,
        http_through_a_forward_proxy_and_no_proxy_bypasses,
        servers_closing_after_each_response_never_break_reuse,
    );
}

/// A client's `call_timeout` on the in-memory transport's virtual clock: a call to a silent
/// server ends when its 300 ms pass (the core races the call against `Timer::timeout`), not after
/// the 60 s default read timeout, and says so.
#[test]
fn call_timeout_ends_a_silent_call_on_memory() {
    use sansboto_core::runtime::RuntimeSession;
    let server = support::Server::start(Mode::Silent);
    let session =
        RuntimeSession::<memory::MemoryTransport>::from_core(sansboto_host::core_session(None));
    smol::block_on(async {
        let client = session
            .client("s3")
            .region("us-east-1")
            .endpoint_url(server.url(""))
            .credentials("AKID", "SECRET", None)
            .call_timeout(Duration::from_millis(300))
            .build()
            .await
            .unwrap();
        let started = memory::clock::instant();
        let err = client
            .call("ListBuckets", sansboto_core::params! {})
            .await
            .unwrap_err();
        let waited = memory::clock::instant() - started;
        match &err {
            sansboto_core::Error::Transport(e) => {
                assert_eq!(e.kind, sansboto_core::TransportErrorKind::Timeout, "{e}");
                assert!(e.message.contains("within 300ms"), "{e}");
            }
            other => panic!("not a timeout: {other}"),
        }
        assert_eq!(waited, Duration::from_millis(300));
    });
    assert_eq!(
        server.seen.lock().unwrap().len(),
        1,
        "one attempt, cut short"
    );
}

/// The core's stale-connection replay on the in-memory transport, where its clock makes it
/// deterministic: a server that closes 50 ms after answering is reused at once (its close has
/// not come), the request waits for the close that loses it, and the core sends it again on a
/// new connection; the server sees each request once.
#[test]
fn a_request_lost_to_a_late_close_is_sent_again_on_memory() {
    use sansboto_core::runtime::Http;
    let server = Server::start(Mode::EchoCloseLate);
    let c = memory::MemoryTransport::connect(&config()).unwrap();
    smol::block_on(async {
        for (i, waited) in [Duration::ZERO, Duration::from_millis(50)]
            .into_iter()
            .enumerate()
        {
            let started = memory::clock::instant();
            let get = http::Request::get(server.url("/"))
                .body(Body::Empty)
                .unwrap();
            let response = c.send(get).await.unwrap();
            let body = c.read_body(response.into_body()).await.unwrap();
            assert_eq!(&body[..], b"GET 0 0", "request {i}");
            assert_eq!(memory::clock::instant() - started, waited, "request {i}");
        }
    });
    assert_eq!(server.connection_count(), 2);
    assert_eq!(server.seen.lock().unwrap().len(), 2);
}

/// A streamed body the core asks to frame `aws-chunked` (with a checksum trailer: the request's
/// `AwsChunkedBody`) goes out framed by the core's `Outgoing` on the in-memory transport, as on
/// the others: the server receives the encoder's bytes, in frames of the asked size whatever
/// the stream's pieces, sent chunked (their length is not known up front).
#[test]
fn an_aws_chunked_body_goes_out_framed_on_memory() {
    use sansboto_core::runtime::Http;
    use sansboto_core::{AwsChunkedBody, AwsChunkedEncoder, ChecksumAlgorithm};
    let server = Server::start(Mode::Echo);
    let c = memory::MemoryTransport::connect(&config()).unwrap();
    let len = 100_003;
    let framing = AwsChunkedBody {
        trailer: ChecksumAlgorithm::Crc32,
        chunk_size: 10_000,
        decoded_len: Some(len),
    };
    let data: Vec<u8> = (0..len).map(support::pattern).collect();
    let mut framed = Vec::new();
    let mut encoder = AwsChunkedEncoder::new(Some(framing.trailer));
    for chunk in data.chunks(framing.chunk_size) {
        encoder.encode_chunk(chunk, &mut framed);
    }
    encoder.finish_into(&mut framed);

    let body = <memory::MemoryTransport as TransportUnderTest>::pattern_upload(len, Some(len));
    let mut put = http::Request::put(server.url("/framed"))
        .body(Body::Stream(body))
        .unwrap();
    put.extensions_mut().insert(framing);
    let got = smol::block_on(async {
        let response = c.send(put).await.unwrap();
        c.read_body(response.into_body()).await.unwrap()
    });
    let expected = format!(
        "PUT {} {}",
        framed.len(),
        support::checksum(framed.iter().copied(), 0)
    );
    assert_eq!(String::from_utf8_lossy(&got), expected);
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen[0].header("transfer-encoding"), Some("chunked"));
}

/// Run a scenario on a current-thread tokio runtime (what `#[tokio::test]` makes).
fn run_on_tokio<F: Future<Output = ()>>(scenario: impl Fn() -> F) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(scenario());
}

/// Run a scenario on async-std's executor, then again on smol's.
fn run_on_async_std_and_smol<F: Future<Output = ()>>(scenario: impl Fn() -> F) {
    async_std::task::block_on(scenario());
    smol::block_on(scenario());
}

/// Run a scenario with the blocking crate's `block_on` (its futures complete at once).
fn run_blocking<F: Future<Output = ()>>(scenario: impl Fn() -> F) {
    sansboto_blocking::block_on(scenario());
}

/// One `#[test]` per scenario and transport: `on_tokio::NAME`, `on_async_std::NAME`,
/// `on_blocking::NAME`.
macro_rules! on_every_transport {
    ($($scenario:ident),+ $(,)?) => {
        mod on_tokio {
            $(#[test]
            fn $scenario() {
                super::run_on_tokio(super::scenarios::$scenario::<sansboto_tokio::HttpClient>);
            })+
        }
        mod on_async_std {
            $(#[test]
            fn $scenario() {
                super::run_on_async_std_and_smol(
                    super::scenarios::$scenario::<sansboto_async_std::HttpClient>,
                );
            })+
        }
        mod on_blocking {
            $(#[test]
            fn $scenario() {
                super::run_blocking(super::scenarios::$scenario::<sansboto_blocking::HttpClient>);
            })+
        }
    };
}

on_every_transport!(
    get_and_put_bytes_round_trip,
    content_length_only_where_a_body_is_expected,
    content_type_only_when_the_request_has_one,
    request_target_is_sent_exactly_as_built,
    put_streams_of_known_and_unknown_length,
    streaming_body_is_taken_once_and_foreign_sources_are_rejected,
    response_streams_chunk_by_chunk,
    idle_pooled_connection_outlives_the_read_timeout,
    tcp_keepalive_only_when_asked,
    connection_refused_is_connect,
    silent_server_times_out_within_read_timeout,
    request_timeout_bounds_the_whole_exchange,
    connect_timeout_is_timeout,
    truncated_body_is_io,
    servers_closing_after_each_response_never_break_reuse,
    tls_verification_with_and_without_the_ca_bundle,
    http_through_a_forward_proxy_and_no_proxy_bypasses,
    https_through_a_connect_tunnel,
    https_and_http_through_a_tls_proxy,
    https_forwarded_to_a_tls_proxy,
    tls_handshake_is_bounded_by_the_connect_timeout,
    tls_close_without_close_notify_ends_only_a_close_delimited_body,
    tls_connection_out_of_step_inside_rustls_is_not_reused,
    sleep_and_clocks,
);
