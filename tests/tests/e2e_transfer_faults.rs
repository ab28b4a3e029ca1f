//! S3 transfers when things go wrong (issue 20), through a local fault server that forwards
//! every request to moto except the ones it breaks:
//! - a part whose upload is cut mid-body on every attempt: the transfer waits for the parts in
//!   flight, sends AbortMultipartUpload, and moto is left with no multipart upload and no parts;
//! - a downloaded range with one byte changed: the ranges' CRCs do not compose into the object's
//!   checksum, the download fails with `ChecksumMismatch`, and neither the file nor its partial
//!   file is left;
//! - a downloaded range failing every time: the download fails, its destination untouched, and
//!   the next download fetches only that range from the partial file.
//!
//! Each runs on blocking, tokio and async-std.
//!
//! It also shows the blocking transport's parts running side by side (several connections).

mod e2e_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};

use e2e_support::{Action, ScriptServer, Seen};
use sansboto_blocking::Client;
use sansboto_core::params;
use sansboto_core::transfer::download::{partial_path, state_path};
use sansboto_core::transfer::{TransferConfig, TransferError};
use sansboto_core::Error;
use sansboto_core::RetryMode;
use sansboto_core::Value;
use sansboto_tests::moto::MotoServer;

const MIB: u64 = 1024 * 1024;

/// Send `seen` on to moto as it came and answer with moto's response.
fn forward(moto: SocketAddr, seen: &Seen) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut stream = TcpStream::connect(moto).expect("connect to moto");
    let mut head = format!("{} {} HTTP/1.1\r\n", seen.method, seen.path);
    for (name, value) in &seen.headers {
        if name != "connection" && name != "expect" {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("connection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&seen.body).unwrap();
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    let code = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(502);
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            // A HEAD answer's length is the object's, not its (empty) body's: it is kept.
            let framing = match k.as_str() {
                "content-length" => seen.method != "HEAD",
                "connection" | "transfer-encoding" => true,
                _ => false,
            };
            if !framing {
                headers.push((k, v.trim().to_string()));
            }
        }
    }
    let mut body = Vec::new();
    reader.read_to_end(&mut body).unwrap();
    (code, headers, body)
}

/// A client of each runtime with two attempts per call.
macro_rules! client {
    (blocking, $endpoint:expr) => {
        sansboto_blocking::Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url($endpoint)
            .credentials("testing", "testing", None)
            .retries(RetryMode::Standard, Some(2))
            .build()
            .unwrap()
    };
    ($session:path, $endpoint:expr) => {{
        use $session as S;
        S::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url($endpoint)
            .credentials("testing", "testing", None)
            .retries(RetryMode::Standard, Some(2))
            .build()
            .await
            .unwrap()
    }};
}

fn client(endpoint: &str) -> Client {
    client!(blocking, endpoint)
}

/// Run `$scenario!(s3, direct, tag, …await…)` on blocking, tokio and async-std: `s3` goes
/// through the fault server at `$fault`, `direct` straight to moto at `$moto`.
macro_rules! on_every_runtime {
    ($scenario:ident, $fault:expr, $moto:expr) => {{
        let (fault, moto): (String, String) = ($fault, $moto);
        $scenario!(client!(blocking, &fault), client!(blocking, &moto), "blocking",);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            $scenario!(
                client!(sansboto_tokio::Session, &fault),
                client!(sansboto_tokio::Session, &moto),
                "tokio",
                .await
            );
        });
        async_std::task::block_on(async {
            $scenario!(
                client!(sansboto_async_std::Session, &fault),
                client!(sansboto_async_std::Session, &moto),
                "async-std",
                .await
            );
        });
    }};
}

fn content(len: u64) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 4099) as u8).collect()
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sansboto-faults-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A request for UploadPart number `number`.
fn is_part(seen: &Seen, number: u32) -> bool {
    let query = seen
        .path
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default();
    seen.method == "PUT"
        && query
            .split('&')
            .any(|p| p == format!("partNumber={number}"))
}

/// A multipart upload through the fault server, whose part 3 is cut mid-body every time:
/// AbortMultipartUpload after every part request, nothing left at moto.
macro_rules! part_fails {
    ($s3:expr, $direct:expr, $tag:expr, $($aw:tt)*) => {{
        let (s3, direct, tag) = ($s3, $direct, $tag);
        let seen_before = fault_seen().len();
        let bucket = format!("faults-{tag}");
        direct.call("CreateBucket", params! {"Bucket": bucket.as_str()}) $($aw)* .unwrap();
        let dir = scratch(&format!("abort-{tag}"));
        let src = dir.join("big");
        std::fs::write(&src, content(22 * MIB)).unwrap();

        let config = TransferConfig::new().part_size(5 * MIB).concurrency(3);
        let failed = s3.upload_file(&bucket, "big", &src, Value::Null, &config) $($aw)*;
        assert!(matches!(failed, Err(Error::Transport(_))), "{tag}: {failed:?}");

        let seen: Vec<Seen> = fault_seen()[seen_before..].to_vec();
        let upload_id = seen
            .iter()
            .find(|s| s.method == "DELETE")
            .and_then(|s| s.path.split("uploadId=").nth(1))
            .map(|id| id.split('&').next().unwrap_or_default().to_string())
            .unwrap_or_else(|| panic!("{tag}: no AbortMultipartUpload was sent"));
        // The abort came after every part request: none was still in flight.
        let abort_at = seen.iter().position(|s| s.method == "DELETE").unwrap();
        assert!(
            seen[abort_at + 1..].iter().all(|s| s.method != "PUT"),
            "{tag}: a part after the abort"
        );
        assert_eq!(
            seen.iter().filter(|s| is_part(s, 3)).count(),
            2,
            "{tag}: part 3 was tried twice"
        );
        let uploads = direct
            .call("ListMultipartUploads", params! {"Bucket": bucket.as_str()})
            $($aw)* .unwrap();
        assert!(
            uploads["Uploads"].as_list().unwrap_or_default().is_empty(),
            "{tag}: {uploads:?}"
        );
        let parts = direct.call(
            "ListParts",
            params! {"Bucket": bucket.as_str(), "Key": "big", "UploadId": upload_id.as_str()},
        ) $($aw)*;
        match parts {
            Err(Error::Service(e)) => assert_eq!(e.code, "NoSuchUpload"),
            other => panic!("{tag}: the aborted upload's parts are still listed: {other:?}"),
        }
        assert!(direct
            .call("HeadObject", params! {"Bucket": bucket.as_str(), "Key": "big"})
            $($aw)* .is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }};
}

/// Asks a fault server for every request it has seen.
type SeenSoFar = Box<dyn Fn() -> Vec<Seen>>;

thread_local! {
    /// What the current test's fault server has seen so far (the scenarios run on this thread).
    static FAULT_SEEN: std::cell::RefCell<Option<SeenSoFar>> =
        const { std::cell::RefCell::new(None) };
}

/// Every request the watched fault server has seen.
fn fault_seen() -> Vec<Seen> {
    FAULT_SEEN.with(|f| f.borrow().as_ref().map(|seen| seen()).unwrap_or_default())
}

fn watch(fault: &std::sync::Arc<ScriptServer>) {
    let fault = fault.clone();
    FAULT_SEEN.with(|f| *f.borrow_mut() = Some(Box::new(move || fault.seen())));
}

#[test]
fn a_part_failing_mid_upload_aborts_the_upload_and_leaves_no_parts() {
    let moto = MotoServer::start();
    let target = moto.addr();
    let fault = std::sync::Arc::new(ScriptServer::start_cutting(
        // Part 3's body is cut after 64 KiB, every attempt: the connection resets mid-upload.
        |seen, _| (seen.method == "PUT" && seen.path.contains("partNumber=3")).then_some(64 * 1024),
        move |seen, _| {
            let (status, headers, body) = forward(target, seen);
            Action::Respond(status, headers, body)
        },
    ));
    watch(&fault);
    on_every_runtime!(part_fails, fault.url(), moto.endpoint());
}

/// A download through the fault server, whose second range comes back with a byte changed:
/// a checksum mismatch, and neither the file nor its partial file left. Straight from moto the
/// same download succeeds.
macro_rules! range_corrupted {
    ($s3:expr, $direct:expr, $tag:expr, $($aw:tt)*) => {{
        let (s3, direct, tag) = ($s3, $direct, $tag);
        let bucket = format!("corrupt-{tag}");
        direct.call("CreateBucket", params! {"Bucket": bucket.as_str()}) $($aw)* .unwrap();
        let dir = scratch(&format!("corrupt-{tag}"));
        let src = dir.join("big");
        std::fs::write(&src, content(12 * MIB)).unwrap();
        let config = TransferConfig::new().part_size(5 * MIB).concurrency(3);
        direct.upload_file(&bucket, "big", &src, Value::Null, &config) $($aw)* .unwrap();

        let dest = dir.join("copy");
        let failed = s3.download_file(&bucket, "big", &dest, Value::Null, &config) $($aw)*;
        match failed {
            Err(Error::Transfer(TransferError::ChecksumMismatch { algorithm, .. })) => {
                assert_eq!(algorithm.name(), "CRC32", "{tag}")
            }
            other => panic!("{tag}: expected a checksum mismatch, got {other:?}"),
        }
        assert!(!dest.exists() && !partial_path(&dest).exists() && !state_path(&dest).exists());
        direct.download_file(&bucket, "big", &dest, Value::Null, &config) $($aw)* .unwrap();
        assert!(std::fs::read(&dest).unwrap() == content(12 * MIB), "{tag}");
        let _ = std::fs::remove_dir_all(&dir);
    }};
}

#[test]
fn a_corrupted_range_fails_the_download_and_leaves_nothing() {
    let moto = MotoServer::start();
    let target = moto.addr();
    let fault = ScriptServer::start(move |seen, _| {
        let (status, headers, mut body) = forward(target, seen);
        // The second range of the object comes back with one byte changed.
        if seen.method == "GET"
            && seen
                .header("range")
                .is_some_and(|r| r.starts_with(&format!("bytes={}-", 5 * MIB)))
        {
            body[100] ^= 0x55;
        }
        Action::Respond(status, headers, body)
    });
    on_every_runtime!(range_corrupted, fault.url(), moto.endpoint());
}

/// Whether the fault server of `a_failed_range_is_resumed` fails the last range.
static FAIL_LAST_RANGE: AtomicBool = AtomicBool::new(true);

/// A download through the fault server, whose last range fails every time: the download fails,
/// the destination is untouched and, by default, nothing else is left; with
/// `keep_partial_download(true)` the partial file and its record stay. Once the fault is gone the same download
/// fetches only the missing range, and the file is byte-identical.
macro_rules! range_fails_then_resumes {
    ($s3:expr, $direct:expr, $tag:expr, $($aw:tt)*) => {{
        let (s3, direct, tag) = ($s3, $direct, $tag);
        let bucket = format!("resume-{tag}");
        direct.call("CreateBucket", params! {"Bucket": bucket.as_str()}) $($aw)* .unwrap();
        let dir = scratch(&format!("resume-{tag}"));
        let src = dir.join("big");
        let data = content(12 * MIB + 5);
        std::fs::write(&src, &data).unwrap();
        let config = TransferConfig::new().part_size(5 * MIB).concurrency(3);
        direct.upload_file(&bucket, "big", &src, Value::Null, &config) $($aw)* .unwrap();

        FAIL_LAST_RANGE.store(true, Ordering::SeqCst);
        let dest = dir.join("copy");
        // By default the failed download leaves nothing.
        let failed = s3.download_file(&bucket, "big", &dest, Value::Null, &config) $($aw)*;
        assert!(matches!(failed, Err(Error::Service(_))), "{tag}: {failed:?}");
        assert!(!dest.exists() && !partial_path(&dest).exists() && !state_path(&dest).exists(), "{tag}");
        // Asked to keep it, the partial file stays to resume from.
        let config = config.clone().keep_partial_download(true);
        let failed = s3.download_file(&bucket, "big", &dest, Value::Null, &config) $($aw)*;
        assert!(matches!(failed, Err(Error::Service(_))), "{tag}: {failed:?}");
        assert!(!dest.exists(), "{tag}: a failed download left its destination");
        assert!(partial_path(&dest).exists() && state_path(&dest).exists(), "{tag}");

        FAIL_LAST_RANGE.store(false, Ordering::SeqCst);
        let seen_before = fault_seen().len();
        s3.download_file(&bucket, "big", &dest, Value::Null, &config) $($aw)* .unwrap();
        let ranges: Vec<String> = fault_seen()[seen_before..]
            .iter()
            .filter(|s| s.method == "GET")
            .filter_map(|s| s.header("range").map(str::to_owned))
            .collect();
        assert_eq!(ranges, [format!("bytes={}-{}", 10 * MIB, 12 * MIB + 4)], "{tag}");
        assert!(std::fs::read(&dest).unwrap() == data, "{tag}: the resumed download differs");
        assert!(!partial_path(&dest).exists() && !state_path(&dest).exists(), "{tag}");
        let _ = std::fs::remove_dir_all(&dir);
    }};
}

#[test]
fn a_failed_range_is_resumed_from_the_partial_file() {
    let moto = MotoServer::start();
    let target = moto.addr();
    let fault = std::sync::Arc::new(ScriptServer::start(move |seen, _| {
        let last = seen.method == "GET"
            && seen
                .header("range")
                .is_some_and(|r| r.starts_with(&format!("bytes={}-", 10 * MIB)));
        if last && FAIL_LAST_RANGE.load(Ordering::SeqCst) {
            return Action::xml(
                500,
                "<Error><Code>InternalError</Code><Message>injected</Message></Error>",
            );
        }
        let (status, headers, body) = forward(target, seen);
        Action::Respond(status, headers, body)
    }));
    watch(&fault);
    on_every_runtime!(range_fails_then_resumes, fault.url(), moto.endpoint());
}

#[test]
fn blocking_parts_run_side_by_side() {
    let moto = MotoServer::start();
    let target = moto.addr();
    let fault = ScriptServer::start(move |seen, _| {
        // Each part is answered after 300 ms (on its connection's own thread), so parts that
        // run side by side overlap whatever the machine's load: on a busy machine a part sent
        // at once could finish before the next worker thread was even scheduled, and the
        // count below would say nothing about the workers.
        if seen.method == "PUT" && seen.path.contains("uploadId=") {
            std::thread::sleep(std::time::Duration::from_millis(300));
        }
        let (status, headers, body) = forward(target, seen);
        Action::Respond(status, headers, body)
    });
    let s3 = client(&fault.url());
    s3.call("CreateBucket", params! {"Bucket": "parallel"})
        .unwrap();
    let dir = scratch("parallel");
    let src = dir.join("big");
    std::fs::write(&src, content(30 * MIB)).unwrap();
    let before = fault.connections();
    let config = TransferConfig::new().part_size(5 * MIB).concurrency(4);
    s3.upload_file("parallel", "big", &src, Value::Null, &config)
        .unwrap();
    // One thread would reuse one pooled connection for its six parts.
    let used = fault.connections() - before;
    assert!(
        used >= 2,
        "{used} connection(s) for six parts with four workers"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The object replaced while it is being downloaded: every range asks `If-Match` the ETag
/// HeadObject gave, so the first range after the replacement fails (412) instead of mixing two
/// objects' bytes, and the destination is never written.
#[test]
fn an_object_replaced_mid_download_fails_rather_than_mixing_versions() {
    let moto = MotoServer::start();
    let s3 = client(&moto.endpoint());
    s3.call("CreateBucket", params! {"Bucket": "replaced"})
        .unwrap();
    let dir = scratch("replaced");
    let src = dir.join("big");
    std::fs::write(&src, content(12 * MIB)).unwrap();
    let config = TransferConfig::new().part_size(5 * MIB).concurrency(1);
    s3.upload_file("replaced", "big", &src, Value::Null, &config)
        .unwrap();

    let writer = client(&moto.endpoint());
    let replaced = std::sync::Arc::new(AtomicBool::new(false));
    let once = replaced.clone();
    let replacing = config.clone().on_progress(move |p| {
        if p.parts_done == 1 && !once.swap(true, Ordering::SeqCst) {
            writer
                .call(
                    "PutObject",
                    params! {"Bucket": "replaced", "Key": "big", "Body": bytes::Bytes::from_static(b"new")},
                )
                .unwrap();
        }
    });
    let dest = dir.join("copy");
    let failed = s3.download_file("replaced", "big", &dest, Value::Null, &replacing);
    assert!(replaced.load(Ordering::SeqCst));
    match failed {
        Err(Error::Service(e)) => assert_eq!(e.status, 412, "{e:?}"),
        other => panic!("expected 412 Precondition Failed, got {other:?}"),
    }
    assert!(!dest.exists(), "a destination was written from two objects");
    // The next download sees the new object (its record is of the old ETag: not reused).
    s3.download_file("replaced", "big", &dest, Value::Null, &config)
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), b"new");
    assert!(!partial_path(&dest).exists() && !state_path(&dest).exists());
    let _ = std::fs::remove_dir_all(&dir);
}
