//! What moto cannot be made to do, from a small local HTTP server (std::net) on every runtime:
//! a GetObject body that does not match its `x-amz-checksum-crc32` (a typed `Error::Checksum`
//! when the streamed body is read to its end), and an RPC event stream (Kinesis
//! SubscribeToShard, JSON protocol) with an `initial-response`, an event and a modeled exception,
//! also sent as a service streams it: chunked, in pieces that split frames anywhere, the later
//! events held back until the client has read the first.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;

use sansboto_core::eventstream::{encode, HeaderValue, Message};
use sansboto_core::params;
use sansboto_core::FlexibleChecksumError;
use sansboto_core::Value;
use sansboto_core::{checksum, ChecksumAlgorithm};
use sansboto_core::{Error, TransportError, TransportErrorKind};

/// Serve one canned response per connection, `responses` in order; the thread returns the
/// request heads it saw.
fn serve(responses: Vec<Vec<u8>>) -> (String, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut heads = Vec::new();
        for response in responses {
            let (mut conn, _) = listener.accept().unwrap();
            let head = read_request(&mut conn);
            conn.write_all(&response).unwrap();
            conn.flush().unwrap();
            heads.push(head);
        }
        heads
    });
    (endpoint, handle)
}

/// Read one request, its head and its `Content-Length` body; its head is returned.
fn read_request(conn: &mut std::net::TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = conn.read(&mut buf).unwrap();
        assert!(n > 0, "client closed before sending a request");
        seen.extend_from_slice(&buf[..n]);
        if let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&seen[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while seen.len() < head_end + length {
        let n = conn.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&buf[..n]);
    }
    head
}

fn http_response(headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

const BODY: &[u8] = b"hello world, checked as it streams";

/// A GetObject answer whose CRC32 header is `crc32_of`'s.
fn get_object_response(crc32_of: &[u8]) -> Vec<u8> {
    http_response(
        &[
            (
                "x-amz-checksum-crc32",
                checksum(ChecksumAlgorithm::Crc32, crc32_of).to_base64(),
            ),
            ("Content-Type", "application/octet-stream".into()),
        ],
        BODY,
    )
}

/// The typed mismatch from reading a corrupted body.
fn assert_mismatch(err: Error) {
    match &err {
        Error::Checksum(FlexibleChecksumError::Mismatch {
            algorithm: ChecksumAlgorithm::Crc32,
            expected,
            actual,
        }) => {
            assert_eq!(
                expected,
                &checksum(ChecksumAlgorithm::Crc32, b"corrupted").to_base64()
            );
            assert_eq!(
                actual,
                &checksum(ChecksumAlgorithm::Crc32, BODY).to_base64()
            );
        }
        other => panic!("expected Error::Checksum, got {other:?}"),
    }
    assert!(
        err.to_string().starts_with("Expected checksum "),
        "botocore's message: {err}"
    );
    assert_eq!(err.code(), None, "not a service error");
}

/// A body reader's error for a mismatch says so itself (kind `Checksum`, never "connection
/// failed"), before it becomes the typed `Error::Checksum`.
fn checksum_kind(e: TransportError) -> Error {
    assert_eq!(e.kind, TransportErrorKind::Checksum, "{e}");
    assert!(!e.kind.is_retryable());
    assert!(e.to_string().starts_with("checksum mismatch: "), "{e}");
    Error::from(e)
}

const GET: &str = "GetObject";

#[test]
fn corrupted_streamed_body_is_a_checksum_error_on_tokio() {
    let (endpoint, server) = serve(vec![
        get_object_response(BODY),
        get_object_response(b"corrupted"),
    ]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let s3 = sansboto_tokio::Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url(endpoint.as_str())
            .s3_addressing_style(sansboto_core::endpoint::AddressingStyle::Path)
            .credentials("AKID", "SECRET", None)
            .build()
            .await
            .unwrap();
        for corrupt in [false, true] {
            // No ChecksumMode given: botocore's default (`when_supported`) enables it.
            let got = s3
                .call(GET, params! {"Bucket": "b", "Key": "k"})
                .await
                .unwrap();
            let mut body = sansboto_tokio::take_body(&got["Body"]).unwrap();
            let mut read = Vec::new();
            let end = loop {
                match body.chunk().await {
                    Ok(Some(c)) => read.extend_from_slice(&c),
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(checksum_kind(e)),
                }
            };
            assert_eq!(read, BODY, "every byte is delivered before the verdict");
            match (corrupt, end) {
                (false, Ok(())) => {}
                (true, Err(e)) => assert_mismatch(e),
                (c, other) => panic!("corrupt={c}: {other:?}"),
            }
        }
    });
    let heads = server.join().unwrap();
    assert!(
        heads[0]
            .to_ascii_lowercase()
            .contains("x-amz-checksum-mode: enabled"),
        "{}",
        heads[0]
    );
}

#[test]
fn corrupted_streamed_body_is_a_checksum_error_on_async_std() {
    let (endpoint, server) = serve(vec![
        get_object_response(b"corrupted"),
        get_object_response(b"corrupted"),
        get_object_response(BODY),
    ]);
    async_std::task::block_on(async {
        let s3 = sansboto_async_std::Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url(endpoint.as_str())
            .s3_addressing_style(sansboto_core::endpoint::AddressingStyle::Path)
            .credentials("AKID", "SECRET", None)
            .build()
            .await
            .unwrap();
        let got = s3
            .call(
                GET,
                params! {"Bucket": "b", "Key": "k", "ChecksumMode": "ENABLED"},
            )
            .await
            .unwrap();
        let mut body = sansboto_async_std::take_body(&got["Body"]).unwrap();
        let end = loop {
            match body.chunk().await {
                Ok(Some(_)) => {}
                Ok(None) => break None,
                Err(e) => break Some(checksum_kind(e)),
            }
        };
        assert_mismatch(end.expect("the mismatch is reported at the end"));
        // The same through AsyncRead: an I/O error carrying the mismatch.
        let got = s3
            .call(
                GET,
                params! {"Bucket": "b", "Key": "k", "ChecksumMode": "ENABLED"},
            )
            .await
            .unwrap();
        let mut read = Vec::new();
        let err = futures_lite::AsyncReadExt::read_to_end(
            &mut sansboto_async_std::take_body(&got["Body"]).unwrap(),
            &mut read,
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("did not match"), "{err}");
        // A correct body read through every interface in turn is hashed once per byte:
        // peeked with fill_buf (twice), partly consumed, read, then taken in chunks.
        let got = s3
            .call(
                GET,
                params! {"Bucket": "b", "Key": "k", "ChecksumMode": "ENABLED"},
            )
            .await
            .unwrap();
        let mut body = sansboto_async_std::take_body(&got["Body"]).unwrap();
        use futures_lite::{AsyncBufReadExt, AsyncReadExt};
        let mut read = body.fill_buf().await.unwrap().to_vec();
        assert!(!read.is_empty());
        let again = body.fill_buf().await.unwrap().len();
        assert_eq!(again, read.len());
        read.truncate(3);
        futures_lite::io::AsyncBufRead::consume(std::pin::Pin::new(&mut body), 3);
        let mut small = [0u8; 4];
        let n = body.read(&mut small).await.unwrap();
        read.extend_from_slice(&small[..n]);
        while let Some(chunk) = body.chunk().await.unwrap() {
            read.extend_from_slice(&chunk);
        }
        assert_eq!(read, BODY);
    });
    server.join().unwrap();
}

#[test]
fn corrupted_streamed_body_is_a_checksum_error_on_blocking() {
    let (endpoint, server) = serve(vec![
        get_object_response(b"corrupted"),
        get_object_response(b"corrupted"),
    ]);
    let s3 = sansboto_blocking::Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(endpoint.as_str())
        .s3_addressing_style(sansboto_core::endpoint::AddressingStyle::Path)
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap();
    let got = s3.call(GET, params! {"Bucket": "b", "Key": "k"}).unwrap();
    let mut body = sansboto_blocking::take_body(&got["Body"]).unwrap();
    let end = loop {
        match body.chunk() {
            Ok(Some(_)) => {}
            Ok(None) => break None,
            Err(e) => break Some(checksum_kind(e)),
        }
    };
    assert_mismatch(end.expect("the mismatch is reported at the end"));
    let got = s3.call(GET, params! {"Bucket": "b", "Key": "k"}).unwrap();
    let mut read = Vec::new();
    let err = sansboto_blocking::take_body(&got["Body"])
        .unwrap()
        .read_to_end(&mut read)
        .unwrap_err();
    assert!(err.to_string().contains("did not match"), "{err}");
    server.join().unwrap();
}

fn event(event_type: &str, payload: &str) -> Message {
    Message::new(payload.as_bytes().to_vec())
        .with_header(":message-type", HeaderValue::String("event".into()))
        .with_header(":event-type", HeaderValue::String(event_type.into()))
        .with_header(
            ":content-type",
            HeaderValue::String("application/json".into()),
        )
}

/// initial-response, one SubscribeToShardEvent, an unknown event type, then a modeled
/// exception, each framed.
fn subscribe_frames() -> Vec<Vec<u8>> {
    [
        event("initial-response", "{}"),
        event(
            "SubscribeToShardEvent",
            r#"{"Records":[{"SequenceNumber":"1","Data":"aGk=","PartitionKey":"p"}],
                "ContinuationSequenceNumber":"2","MillisBehindLatest":0}"#,
        ),
        event("SomeFutureEvent", "{}"),
        Message::new(br#"{"message":"shard is gone"}"#.to_vec())
            .with_header(":message-type", HeaderValue::String("exception".into()))
            .with_header(
                ":exception-type",
                HeaderValue::String("ResourceNotFoundException".into()),
            ),
    ]
    .iter()
    .map(|m| encode(m).unwrap())
    .collect()
}

/// [`subscribe_frames`] in one answer.
fn subscribe_response() -> Vec<u8> {
    let body = subscribe_frames().concat();
    http_response(
        &[(
            "Content-Type",
            "application/vnd.amazon.eventstream".to_string(),
        )],
        &body,
    )
}

fn subscribe_params() -> Value {
    params! {
        "ConsumerARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1",
        "ShardId": "shardId-000000000000",
        "StartingPosition": params! {"Type": "LATEST"},
    }
}

fn check_shard_event(event: &Value) {
    let e = &event["SubscribeToShardEvent"];
    assert_eq!(
        e["ContinuationSequenceNumber"].as_str(),
        Some("2"),
        "{event:?}"
    );
    assert_eq!(
        e["Records"][0]["Data"],
        Value::Blob(bytes::Bytes::from_static(b"hi")),
        "{event:?}"
    );
}

fn check_exception(err: &Error) {
    assert_eq!(err.code(), Some("ResourceNotFoundException"), "{err}");
    assert_eq!(err.message(), Some("shard is gone"));
}

#[test]
fn rpc_event_stream_with_initial_response_and_exception_on_tokio() {
    let (endpoint, server) = serve(vec![subscribe_response(), subscribe_response()]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let kinesis = sansboto_tokio::Session::new()
            .client("kinesis")
            .region("us-east-1")
            .endpoint_url(endpoint.as_str())
            .credentials("AKID", "SECRET", None)
            .build()
            .await
            .unwrap();
        let out = kinesis
            .call("SubscribeToShard", subscribe_params())
            .await
            .unwrap();
        let mut events = kinesis.event_stream("SubscribeToShard", &out).unwrap();
        let initial = events.initial_response().await.unwrap();
        assert!(
            initial.is_some_and(|m| m.is_empty()),
            "an empty initial-response"
        );
        check_shard_event(&events.next_event().await.unwrap().unwrap());
        // The unknown event type is skipped; the exception ends the stream.
        check_exception(&events.next_event().await.unwrap().unwrap_err());
        assert!(events.next_event().await.is_none());

        // Without asking for the initial response first, it is consumed silently.
        let out = kinesis
            .call("SubscribeToShard", subscribe_params())
            .await
            .unwrap();
        let mut events = kinesis.event_stream("SubscribeToShard", &out).unwrap();
        check_shard_event(&events.next_event().await.unwrap().unwrap());
        assert!(events.initial_response().await.unwrap().is_some());
    });
    let heads = server.join().unwrap();
    assert!(
        heads[0].contains("Kinesis_20131202.SubscribeToShard"),
        "{}",
        heads[0]
    );
}

#[test]
fn rpc_event_stream_on_blocking() {
    let (endpoint, server) = serve(vec![subscribe_response()]);
    let kinesis = sansboto_blocking::Session::new()
        .client("kinesis")
        .region("us-east-1")
        .endpoint_url(endpoint.as_str())
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap();
    let out = kinesis
        .call("SubscribeToShard", subscribe_params())
        .unwrap();
    let events: Vec<Result<Value, Error>> =
        sansboto_blocking::event_iter(kinesis.event_stream("SubscribeToShard", &out).unwrap())
            .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    check_shard_event(events[0].as_ref().unwrap());
    check_exception(events[1].as_ref().unwrap_err());
    server.join().unwrap();
}

#[test]
fn truncated_event_stream_is_an_error() {
    let mut response = subscribe_response();
    // Cut the last frame in half, keeping Content-Length honest for what is sent.
    let head_end = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let body = response.split_off(head_end);
    let cut = &body[..body.len() - 20];
    let (endpoint, server) = serve(vec![http_response(
        &[(
            "Content-Type",
            "application/vnd.amazon.eventstream".to_string(),
        )],
        cut,
    )]);
    let kinesis = sansboto_blocking::Session::new()
        .client("kinesis")
        .region("us-east-1")
        .endpoint_url(endpoint.as_str())
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap();
    let out = kinesis
        .call("SubscribeToShard", subscribe_params())
        .unwrap();
    let events: Vec<Result<Value, Error>> =
        sansboto_blocking::event_iter(kinesis.event_stream("SubscribeToShard", &out).unwrap())
            .collect();
    assert!(events[0].is_ok(), "{events:?}");
    assert!(
        matches!(events.last(), Some(Err(Error::EventStream(_)))),
        "{events:?}"
    );
    server.join().unwrap();
}

/// The event stream as a service sends it: the frames in `Transfer-Encoding: chunked` chunks
/// of 13, 17 and 31 bytes in turn (sizes of one and two hex digits) whose bounds fall
/// mid-frame and mid-header, the chunked text then written in 7-byte pieces sent one by one,
/// so a read may end anywhere: inside a size line, between its CR and LF, inside a frame's
/// prelude or header, in the CRLF after a chunk's data. After the initial response and
/// the first event the server waits (up to 10 s) for the client to say it has read that
/// event, then sends the rest: a client that waits for the whole body before handing out
/// events is caught here, not hung. The thread returns whether the client read the first
/// event while the stream was still open.
fn serve_live_events(first_read: std::sync::mpsc::Receiver<()>) -> (String, JoinHandle<bool>) {
    use std::net::TcpStream;
    use std::time::Duration;
    fn send_chunked(conn: &mut TcpStream, body: &[u8]) {
        let mut chunked = Vec::new();
        let mut rest = body;
        for size in [13, 17, 31].into_iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (chunk, after) = rest.split_at(size.min(rest.len()));
            chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            chunked.extend_from_slice(chunk);
            chunked.extend_from_slice(b"\r\n");
            rest = after;
        }
        // The three chunks frame to 78 bytes, one more than a multiple of 7: the cuts drift a
        // byte further into each chunk's text every round.
        for piece in chunked.chunks(7) {
            conn.write_all(piece).unwrap();
            conn.flush().unwrap();
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_nodelay(true).unwrap();
        read_request(&mut conn);
        conn.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.amazon.eventstream\r\n\
              Transfer-Encoding: chunked\r\n\r\n",
        )
        .unwrap();
        let frames = subscribe_frames();
        send_chunked(&mut conn, &frames[..2].concat());
        let read_while_open = first_read.recv_timeout(Duration::from_secs(10)).is_ok();
        send_chunked(&mut conn, &frames[2..].concat());
        conn.write_all(b"0\r\n\r\n").unwrap();
        conn.flush().unwrap();
        read_while_open
    });
    (endpoint, handle)
}

/// The live stream read through an async client (`$session`'s), in `block_on`: the first
/// event, then the signal, then the exception and the end.
macro_rules! live_events_async {
    ($session:path, $block_on:expr) => {{
        let (first_read, read) = std::sync::mpsc::channel();
        let (endpoint, server) = serve_live_events(read);
        $block_on(async {
            let kinesis = <$session>::new()
                .client("kinesis")
                .region("us-east-1")
                .endpoint_url(endpoint.as_str())
                .credentials("AKID", "SECRET", None)
                .build()
                .await
                .unwrap();
            let out = kinesis
                .call("SubscribeToShard", subscribe_params())
                .await
                .unwrap();
            let mut events = kinesis.event_stream("SubscribeToShard", &out).unwrap();
            check_shard_event(&events.next_event().await.unwrap().unwrap());
            // The server may have given up waiting (a client that buffers the whole body):
            // the assertion below says so, not this send.
            let _ = first_read.send(());
            check_exception(&events.next_event().await.unwrap().unwrap_err());
            assert!(events.next_event().await.is_none());
        });
        assert!(
            server.join().unwrap(),
            "the first event was handed out only after the stream ended"
        );
    }};
}

#[test]
fn live_event_stream_split_anywhere_on_tokio() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    live_events_async!(sansboto_tokio::Session, |f| rt.block_on(f));
}

#[test]
fn live_event_stream_split_anywhere_on_smol() {
    live_events_async!(sansboto_async_std::Session, smol::block_on);
}

#[test]
fn live_event_stream_split_anywhere_on_blocking() {
    let (first_read, read) = std::sync::mpsc::channel();
    let (endpoint, server) = serve_live_events(read);
    let kinesis = sansboto_blocking::Session::new()
        .client("kinesis")
        .region("us-east-1")
        .endpoint_url(endpoint.as_str())
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap();
    let out = kinesis
        .call("SubscribeToShard", subscribe_params())
        .unwrap();
    let mut events =
        sansboto_blocking::event_iter(kinesis.event_stream("SubscribeToShard", &out).unwrap());
    check_shard_event(&events.next().unwrap().unwrap());
    let _ = first_read.send(());
    check_exception(&events.next().unwrap().unwrap_err());
    assert!(events.next().is_none());
    assert!(
        server.join().unwrap(),
        "the first event was handed out only after the stream ended"
    );
}
