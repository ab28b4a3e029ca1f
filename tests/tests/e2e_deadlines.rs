//! Deadlines that hold against a server trickling its answer one byte at a time (each read
//! returns, so no per-read timeout fires) or saying nothing for longer than the call may take:
//! `call_timeout` ends a call whose body is read whole,
//! and the client's minimum transfer rate ends a streamed body the caller reads later, on every
//! transport. The tests assert the typed timeout error and what the server was asked, never a
//! wall-clock duration (unguarded, each body would take minutes), but for one bound far from
//! what it separates: a call that waits out a silent server's 15 s ends as timed out as well.

mod e2e_support;

use std::time::Duration;

use e2e_support::{core_session, Action, ScriptServer};
use sansboto_core::params;
use sansboto_core::runtime::{ClientBuilder, RuntimeSession, Transport};
use sansboto_core::MinTransferRate;
use sansboto_core::RetryMode;
use sansboto_core::{Error, TransportError, TransportErrorKind};

/// One byte every 20 ms: 50 bytes a second.
const TRICKLE: Duration = Duration::from_millis(20);
/// Ten thousand bytes: over three minutes at that pace.
const BODY_LEN: usize = 10_000;

/// A JSON answer to every request, trickled.
fn trickling_json(_: &e2e_support::Seen, _: usize) -> Action {
    let mut body = br#"{"TableNames":[""#.to_vec();
    body.resize(BODY_LEN - 3, b'x');
    body.extend_from_slice(br#""]}"#);
    let headers = vec![("Content-Type".into(), "application/x-amz-json-1.0".into())];
    Action::Trickle(200, headers, body, TRICKLE)
}

/// An S3 object, trickled.
fn trickling_object(_: &e2e_support::Seen, _: usize) -> Action {
    Action::Trickle(200, vec![], vec![b'o'; BODY_LEN], TRICKLE)
}

fn session<T: Transport>() -> RuntimeSession<T> {
    RuntimeSession::from_core(Ok(core_session(&[], None, None)))
}

/// DynamoDB with one attempt and a 300 ms bound on the call.
fn bounded_dynamodb<T: Transport>(server: &ScriptServer) -> ClientBuilder<T> {
    session::<T>()
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials("AKIDDEADLINE", "secret", None)
        .retries(RetryMode::Standard, Some(1))
        .call_timeout(Duration::from_millis(300))
}

/// S3 that wants at least 1000 bytes a second over each 200 ms.
fn rate_bound_s3<T: Transport>(server: &ScriptServer) -> ClientBuilder<T> {
    session::<T>()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials("AKIDDEADLINE", "secret", None)
        .min_transfer_rate(MinTransferRate::new(1000, Duration::from_millis(200)))
}

fn assert_call_timed_out(result: Result<sansboto_core::Value, Error>) {
    match result {
        Err(Error::Transport(e)) => assert_eq!(e.kind, TransportErrorKind::Timeout, "{e}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

fn assert_read_timed_out(error: TransportError) {
    assert_eq!(error.kind, TransportErrorKind::Timeout, "{error}");
    assert!(
        error.to_string().contains("minimum transfer rate"),
        "{error}"
    );
}

#[test]
fn call_timeout_bounds_a_trickled_body_on_tokio() {
    let server = ScriptServer::start(trickling_json);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let ddb = bounded_dynamodb::<sansboto_tokio::HttpClient>(&server)
            .build()
            .await
            .unwrap();
        assert_call_timed_out(ddb.call("ListTables", params! {}).await);
    });
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn call_timeout_bounds_a_trickled_body_on_async_std() {
    let server = ScriptServer::start(trickling_json);
    async_std::task::block_on(async {
        let ddb = bounded_dynamodb::<sansboto_async_std::HttpClient>(&server)
            .build()
            .await
            .unwrap();
        assert_call_timed_out(ddb.call("ListTables", params! {}).await);
    });
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn call_timeout_bounds_a_trickled_body_on_blocking() {
    // The blocking transport cannot interrupt a read: the core checks the deadline between them.
    let server = ScriptServer::start(trickling_json);
    let ddb = bounded_dynamodb::<sansboto_blocking::HttpClient>(&server)
        .build()
        .unwrap();
    assert_call_timed_out(ddb.call("ListTables", params! {}));
    assert_eq!(server.seen().len(), 1);
}

/// A server that says nothing for 15 s, then answers: longer than the call may take, shorter
/// than the read timeout the client is given.
fn silent_then_answering(_: &e2e_support::Seen, _: usize) -> Action {
    let answer = Action::json(200, r#"{"TableNames":["late"]}"#);
    Action::Late(Duration::from_secs(15), Box::new(answer))
}

#[test]
fn call_timeout_bounds_a_silent_server_on_blocking() {
    // The call's deadline goes with each request (`RequestTimeout`), so the blocking transport
    // stops waiting for the head at the deadline instead of at the read timeout (where the call
    // would have ended with the late answer).
    let server = ScriptServer::start(silent_then_answering);
    let ddb = bounded_dynamodb::<sansboto_blocking::HttpClient>(&server)
        .read_timeout(Duration::from_secs(3600))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    assert_call_timed_out(ddb.call("ListTables", params! {}));
    // Not a measurement: the late answer comes at 15 s, and a call that waited for it ends as
    // timed out too (its deadline has passed by then), so only the wait tells them apart.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the call waited for the late answer ({:?})",
        started.elapsed()
    );
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn call_timeout_bounds_a_silent_server_on_tokio() {
    let server = ScriptServer::start(silent_then_answering);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let ddb = bounded_dynamodb::<sansboto_tokio::HttpClient>(&server)
            .read_timeout(Duration::from_secs(3600))
            .build()
            .await
            .unwrap();
        assert_call_timed_out(ddb.call("ListTables", params! {}).await);
    });
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn min_transfer_rate_ends_a_trickled_body_read_whole_on_blocking() {
    // No call timeout: the rate alone stops each attempt's body, and the call ends in a
    // timeout once the retry policy gives up.
    let server = ScriptServer::start(trickling_json);
    let ddb = session::<sansboto_blocking::HttpClient>()
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials("AKIDDEADLINE", "secret", None)
        .retries(RetryMode::Standard, Some(2))
        .min_transfer_rate(MinTransferRate::new(1000, Duration::from_millis(200)))
        .build()
        .unwrap();
    match ddb.call("ListTables", params! {}) {
        Err(Error::Transport(e)) => assert_read_timed_out(e),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(
        server.seen().len(),
        2,
        "a slow body is retried like a timeout"
    );
}

#[test]
fn min_transfer_rate_ends_a_trickled_stream_on_tokio() {
    let server = ScriptServer::start(trickling_object);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let s3 = rate_bound_s3::<sansboto_tokio::HttpClient>(&server)
            .build()
            .await
            .unwrap();
        let out = s3
            .call("GetObject", params! {"Bucket": "b", "Key": "k"})
            .await
            .unwrap();
        let mut body = sansboto_tokio::take_body(&out["Body"]).expect("a streamed body");
        let error = loop {
            match body.chunk().await {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("the whole trickled body was read"),
                Err(e) => break e,
            }
        };
        assert_read_timed_out(error);
    });
}

#[test]
fn min_transfer_rate_ends_a_trickled_stream_on_async_std() {
    let server = ScriptServer::start(trickling_object);
    async_std::task::block_on(async {
        let s3 = rate_bound_s3::<sansboto_async_std::HttpClient>(&server)
            .build()
            .await
            .unwrap();
        let out = s3
            .call("GetObject", params! {"Bucket": "b", "Key": "k"})
            .await
            .unwrap();
        let mut body = sansboto_async_std::take_body(&out["Body"]).expect("a streamed body");
        let error = loop {
            match body.chunk().await {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("the whole trickled body was read"),
                Err(e) => break e,
            }
        };
        assert_read_timed_out(error);
    });
}

#[test]
fn min_transfer_rate_ends_a_trickled_stream_on_blocking() {
    let server = ScriptServer::start(trickling_object);
    let s3 = rate_bound_s3::<sansboto_blocking::HttpClient>(&server)
        .build()
        .unwrap();
    let out = s3
        .call("GetObject", params! {"Bucket": "b", "Key": "k"})
        .unwrap();
    let mut body = sansboto_blocking::take_body(&out["Body"]).expect("a streamed body");
    // Through `std::io::Read`, the other way to read it: the same verdict, as an I/O error.
    let mut sink = Vec::new();
    let error = std::io::Read::read_to_end(&mut body, &mut sink).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::TimedOut, "{error}");
    assert!(
        error.to_string().contains("minimum transfer rate"),
        "{error}"
    );
    assert!(sink.len() < BODY_LEN);
}

/// `Duration::MAX` is how a caller says "no limit": a client with it as its call and read
/// timeout makes its call (the deadlines are computed without overflowing), on every transport.
/// The answer comes late so that each read has to wait on the socket timer.
fn late_table_list(_: &e2e_support::Seen, _: usize) -> Action {
    let answer = Action::json(200, r#"{"TableNames":["t"]}"#);
    Action::Late(Duration::from_millis(50), Box::new(answer))
}

fn unlimited_dynamodb<T: Transport>(server: &ScriptServer) -> ClientBuilder<T> {
    session::<T>()
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials("AKIDDEADLINE", "secret", None)
        .read_timeout(Duration::MAX)
        .call_timeout(Duration::MAX)
}

fn assert_listed(result: Result<sansboto_core::Value, Error>) {
    let out = result.expect("the call completes");
    assert_eq!(out["TableNames"][0].as_str(), Some("t"));
}

#[test]
fn unlimited_timeouts_do_not_overflow_on_tokio() {
    let server = ScriptServer::start(late_table_list);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let ddb = unlimited_dynamodb::<sansboto_tokio::HttpClient>(&server)
            .build()
            .await
            .unwrap();
        assert_listed(ddb.call("ListTables", params! {}).await);
    });
}

#[test]
fn unlimited_timeouts_do_not_overflow_on_async_std() {
    let server = ScriptServer::start(late_table_list);
    async_std::task::block_on(async {
        let ddb = unlimited_dynamodb::<sansboto_async_std::HttpClient>(&server)
            .build()
            .await
            .unwrap();
        assert_listed(ddb.call("ListTables", params! {}).await);
    });
}

#[test]
fn unlimited_timeouts_do_not_overflow_on_blocking() {
    let server = ScriptServer::start(late_table_list);
    let ddb = unlimited_dynamodb::<sansboto_blocking::HttpClient>(&server)
        .build()
        .unwrap();
    assert_listed(ddb.call("ListTables", params! {}));
}
