//! `--outfile` never leaves a partial file: a GetObject whose body is cut off, or whose bytes do
//! not match their `x-amz-checksum-crc32`, fails and leaves nothing at the path (and no temporary
//! file beside it); a good body lands whole. The server is a loopback socket answering every
//! request with the same canned S3 response. And large files go each way in constant memory.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use sansboto_core::{checksum, ChecksumAlgorithm};
use sansboto_tests::test_environment;

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

fn get_object(endpoint: &str, outfile: &PathBuf, debug: bool) -> Output {
    test_environment(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
        .args(["--endpoint-url", endpoint])
        .args(debug.then_some("--debug"))
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

/// The download fails saying `expected_in_error` on stderr (with `--debug` when `debug`, whose
/// log names the failure's kind), leaving no file behind.
fn assert_failed_without_file(answer: Answer, name: &str, expected_in_error: &str, debug: bool) {
    let (endpoint, count) = serve(answer);
    let dir = temp_dir(name);
    let outfile = dir.join("object.bin");
    let out = get_object(&endpoint, &outfile, debug);
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
    assert_failed_without_file(
        Answer::CutOff,
        "cut",
        "response body ended after 100000 of 200000 bytes",
        false,
    );
}

#[test]
fn a_body_failing_its_checksum_leaves_no_outfile() {
    // As botocore's `FlexibleChecksumError` reads, which aws-cli prints.
    assert_failed_without_file(
        Answer::BadChecksum,
        "checksum",
        "\nExpected checksum I1kLdA== did not match calculated checksum: p0XBRQ==\n",
        false,
    );
    // The debug log names botocore's error class.
    assert_failed_without_file(
        Answer::BadChecksum,
        "checksum-code",
        "kind=\"FlexibleChecksumError\"",
        true,
    );
}

#[test]
fn a_good_body_lands_whole() {
    let (endpoint, _) = serve(Answer::Good);
    let dir = temp_dir("good");
    let outfile = dir.join("object.bin");
    let out = get_object(&endpoint, &outfile, false);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&outfile).unwrap(), body());
    assert_eq!(entries(&dir), vec!["object.bin".to_string()]);
}

/// The command streams a large `file://` upload to a plain-HTTP endpoint (hashed in one pass,
/// sent in a second) and a large `--outfile` download in constant memory. The server is the
/// pattern-checking one of `tests/tests/stream_rss.rs`; the peak RSS of the `sansboto` process
/// is read by a Python wrapper from `getrusage(RUSAGE_CHILDREN)`.
#[test]
fn large_files_stream_each_way_in_constant_memory() {
    const LEN: u64 = 256 << 20;
    const LIMIT_KIB: u64 = 64 * 1024;
    const PERIOD: usize = 65521;
    let block: Vec<u8> = (0..PERIOD).map(|j| ((j * 31) ^ (j >> 8)) as u8).collect();
    let python = std::env::var("SANSBOTO_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut server = Command::new(&python)
        .arg("-c")
        .arg(include_str!("../../tests/tests/stream_support/server.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the pattern server");
    let mut port = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    let endpoint = format!("http://127.0.0.1:{}", port.trim());

    let dir = temp_dir("large");
    let upload = dir.join("upload.bin");
    {
        let mut file = std::fs::File::create(&upload).unwrap();
        let mut written = 0u64;
        while written < LEN {
            let off = (written % PERIOD as u64) as usize;
            let n = ((LEN - written) as usize).min(PERIOD - off);
            file.write_all(&block[off..off + n]).unwrap();
            written += n as u64;
        }
    }
    let download = dir.join("download.bin");
    // Runs the command with the given arguments; prints its stdout, then its peak RSS in KiB.
    let wrapper = r#"
import resource, subprocess, sys
out = subprocess.run(sys.argv[1:], capture_output=True)
sys.stderr.buffer.write(out.stderr)
print(out.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"#;
    let run = |args: &[&str]| -> u64 {
        let out = test_environment(&mut Command::new(&python))
            .arg("-c")
            .arg(wrapper)
            .arg(env!("CARGO_BIN_EXE_sansboto"))
            .args(["--endpoint-url", &endpoint])
            .args(args)
            .output()
            .expect("run the wrapper");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut lines = stdout.lines();
        let status = lines.next().unwrap_or_default();
        assert_eq!(
            status,
            "0",
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        lines
            .next()
            .and_then(|l| l.trim().parse().ok())
            .expect("peak RSS")
    };

    let params = format!(
        r#"{{"Bucket": "stream", "Key": "upload", "Body": "file://{}"}}"#,
        upload.display()
    );
    let put_peak = run(&["s3", "put-object", "--params", &params]);
    let get_params = format!(r#"{{"Bucket": "stream", "Key": "{LEN}"}}"#);
    let get_peak = run(&[
        "s3",
        "get-object",
        "--params",
        &get_params,
        "--outfile",
        download.to_str().unwrap(),
    ]);
    let _ = server.kill();
    let _ = server.wait();

    // The download is the pattern, whole.
    let mut got = std::fs::File::open(&download).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let mut pos = 0u64;
    loop {
        let n = got.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        for (i, byte) in buf[..n].iter().enumerate() {
            let at = pos + i as u64;
            assert_eq!(*byte, block[(at % PERIOD as u64) as usize], "byte {at}");
        }
        pos += n as u64;
    }
    assert_eq!(pos, LEN);
    let _ = std::fs::remove_dir_all(&dir);
    println!("put-object peak RSS {put_peak} KiB, get-object {get_peak} KiB");
    assert!(put_peak < LIMIT_KIB, "put-object peak RSS {put_peak} KiB");
    assert!(get_peak < LIMIT_KIB, "get-object peak RSS {get_peak} KiB");
}
