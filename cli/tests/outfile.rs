//! `--outfile` never leaves a partial file: a GetObject whose body is cut off, or whose bytes do
//! not match their `x-amz-checksum-crc32`, fails and leaves nothing at the path (and no temporary
//! file beside it); a good body lands whole. The server is a loopback socket answering every
//! request with the same canned S3 response.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use sansboto_core::checksum::{checksum, ChecksumAlgorithm};

const BODY_LEN: usize = 200_000;

fn body() -> Vec<u8> {
    (0..BODY_LEN).map(|i| (i % 251) as u8).collect()
}

/// What the server sends for each GetObject.
#[derive(Clone, Copy)]
enum Answer {
    /// The whole body with its right checksum.
    Good,
    /// `Content-Length` of the whole body, then half of it and a close.
    CutOff,
    /// The whole body with the checksum of other bytes.
    BadChecksum,
}

/// Serve `answer` to every request; returns the endpoint and the count of requests.
fn serve(answer: Answer) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            // The request head (GetObject has no body).
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            counted.fetch_add(1, Ordering::SeqCst);
            let body = body();
            let crc = match answer {
                Answer::BadChecksum => checksum(ChecksumAlgorithm::Crc32, b"other bytes"),
                _ => checksum(ChecksumAlgorithm::Crc32, &body),
            }
            .to_base64();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {BODY_LEN}\r\nContent-Type: application/octet-stream\r\n\
                 ETag: \"e\"\r\nx-amz-checksum-crc32: {crc}\r\nConnection: close\r\n\r\n"
            );
            let sent = match answer {
                Answer::CutOff => &body[..BODY_LEN / 2],
                _ => &body[..],
            };
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(sent);
            let _ = stream.flush();
            let _ = stream.shutdown(std::net::Shutdown::Both);
            drop(reader.read(&mut [0u8; 1]));
        }
    });
    (endpoint, count)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sansboto-outfile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn get_object(endpoint: &str, outfile: &PathBuf) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sansboto"))
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["--endpoint-url", endpoint])
        .args([
            "s3",
            "get-object",
            "--params",
            r#"{"Bucket": "b", "Key": "k"}"#,
        ])
        .arg("--outfile")
        .arg(outfile)
        .output()
        .expect("sansboto runs")
}

fn entries(dir: &PathBuf) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn assert_failed_without_file(answer: Answer, name: &str, expected_in_error: &str) {
    let (endpoint, count) = serve(answer);
    let dir = temp_dir(name);
    let outfile = dir.join("object.bin");
    let out = get_object(&endpoint, &outfile);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(255), "stderr: {stderr}");
    assert!(stderr.contains(expected_in_error), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert!(count.load(Ordering::SeqCst) >= 1);
    assert!(!outfile.exists(), "no partial file at --outfile");
    assert_eq!(
        entries(&dir),
        Vec::<String>::new(),
        "no temporary file left"
    );
}

#[test]
fn a_cut_off_body_leaves_no_outfile() {
    assert_failed_without_file(Answer::CutOff, "cut", "HttpError");
}

#[test]
fn a_body_failing_its_checksum_leaves_no_outfile() {
    assert_failed_without_file(Answer::BadChecksum, "checksum", "Expected checksum");
}

#[test]
fn a_good_body_lands_whole() {
    let (endpoint, _) = serve(Answer::Good);
    let dir = temp_dir("good");
    let outfile = dir.join("object.bin");
    let out = get_object(&endpoint, &outfile);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&outfile).unwrap(), body());
    assert_eq!(entries(&dir), vec!["object.bin".to_string()]);
}
