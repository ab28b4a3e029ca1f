//! S3 transfers when things go wrong (issue 20), through a local fault server that forwards
//! every request to moto except the ones it breaks:
//! - a part whose upload is cut mid-body on every attempt: the transfer waits for the parts in
//!   flight, sends AbortMultipartUpload, and moto is left with no multipart upload and no parts;
//! - a downloaded range with one byte changed: the ranges' CRCs do not compose into the object's
//!   checksum, the download fails with `ChecksumMismatch`, and neither the file nor its partial
//!   file is left.
//!
//! It also shows the blocking transport's parts running side by side (several connections).

mod e2e_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};

use e2e_support::{Action, ScriptServer, Seen};
use sansboto_blocking::{Client, Session};
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
            if !matches!(
                k.as_str(),
                "content-length" | "connection" | "transfer-encoding"
            ) {
                headers.push((k, v.trim().to_string()));
            }
        }
    }
    let mut body = Vec::new();
    reader.read_to_end(&mut body).unwrap();
    (code, headers, body)
}

fn client(endpoint: &str) -> Client {
    Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials("testing", "testing", None)
        .retries(RetryMode::Standard, Some(2))
        .build()
        .unwrap()
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

#[test]
fn a_part_failing_mid_upload_aborts_the_upload_and_leaves_no_parts() {
    let moto = MotoServer::start();
    let target = moto.addr();
    let fault = ScriptServer::start_cutting(
        // Part 3's body is cut after 64 KiB, every attempt: the connection resets mid-upload.
        |seen, _| (seen.method == "PUT" && seen.path.contains("partNumber=3")).then_some(64 * 1024),
        move |seen, _| {
            let (status, headers, body) = forward(target, seen);
            Action::Respond(status, headers, body)
        },
    );
    let direct = client(&moto.endpoint());
    direct
        .call("CreateBucket", params! {"Bucket": "faults"})
        .unwrap();
    let s3 = client(&fault.url());
    let dir = scratch("abort");
    let src = dir.join("big");
    std::fs::write(&src, content(22 * MIB)).unwrap();

    let config = TransferConfig::new().part_size(5 * MIB).concurrency(3);
    let failed = s3.upload_file("faults", "big", &src, Value::Null, &config);
    assert!(matches!(failed, Err(Error::Transport(_))), "{failed:?}");

    let seen = fault.seen();
    let upload_id = seen
        .iter()
        .find(|s| s.method == "DELETE")
        .and_then(|s| s.path.split("uploadId=").nth(1))
        .map(|id| id.split('&').next().unwrap_or_default().to_string())
        .expect("an AbortMultipartUpload was sent");
    // The abort came after every part request: none was still in flight.
    let abort_at = seen.iter().position(|s| s.method == "DELETE").unwrap();
    assert!(
        seen[abort_at + 1..].iter().all(|s| s.method != "PUT"),
        "a part after the abort"
    );
    assert_eq!(
        seen.iter().filter(|s| is_part(s, 3)).count(),
        2,
        "part 3 was tried twice"
    );
    let uploads = direct
        .call("ListMultipartUploads", params! {"Bucket": "faults"})
        .unwrap();
    assert!(
        uploads["Uploads"].as_list().unwrap_or_default().is_empty(),
        "{uploads:?}"
    );
    let parts = direct.call(
        "ListParts",
        params! {"Bucket": "faults", "Key": "big", "UploadId": upload_id.as_str()},
    );
    match parts {
        Err(Error::Service(e)) => assert_eq!(e.code, "NoSuchUpload"),
        other => panic!("the aborted upload's parts are still listed: {other:?}"),
    }
    assert!(direct
        .call("HeadObject", params! {"Bucket": "faults", "Key": "big"})
        .is_err());
    let _ = std::fs::remove_dir_all(&dir);
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
    let direct = client(&moto.endpoint());
    direct
        .call("CreateBucket", params! {"Bucket": "corrupt"})
        .unwrap();
    let dir = scratch("corrupt");
    let src = dir.join("big");
    std::fs::write(&src, content(12 * MIB)).unwrap();
    let config = TransferConfig::new().part_size(5 * MIB).concurrency(3);
    direct
        .upload_file("corrupt", "big", &src, Value::Null, &config)
        .unwrap();

    let s3 = client(&fault.url());
    let dest = dir.join("copy");
    let failed = s3.download_file("corrupt", "big", &dest, Value::Null, &config);
    match failed {
        Err(Error::Transfer(TransferError::ChecksumMismatch { algorithm, .. })) => {
            assert_eq!(algorithm.name(), "CRC32")
        }
        other => panic!("expected a checksum mismatch, got {other:?}"),
    }
    assert!(!dest.exists() && !partial_path(&dest).exists() && !state_path(&dest).exists());
    // Through the honest path the same download succeeds.
    direct
        .download_file("corrupt", "big", &dest, Value::Null, &config)
        .unwrap();
    assert!(std::fs::read(&dest).unwrap() == content(12 * MIB));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn blocking_parts_run_side_by_side() {
    let moto = MotoServer::start();
    let target = moto.addr();
    let fault = ScriptServer::start(move |seen, _| {
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
