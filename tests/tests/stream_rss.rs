//! Streaming runs in constant memory: a 1 GiB S3 PutObject and a 1 GiB GetObject, through the
//! real client API of each transport, keep the client process under 64 MiB of peak RSS.
//!
//! Each test re-runs this test binary as a child process that does only the client's work (so
//! the peak RSS read from its `/proc/self/status` `VmHWM` is the client's alone), against a
//! loopback server in a third process (`stream_support/server.py`) that checks the uploaded
//! bytes against the generated pattern without keeping them and serves a generated download.
//! Linux only (`/proc`), like the machines this project runs on.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use sansboto_core::value::Value;

/// Bytes sent and received, each way.
const LEN: u64 = 1 << 30;
/// Peak RSS the client must stay under.
const LIMIT_KIB: u64 = 64 * 1024;
/// Set in the child: which transport to run the client on.
const CHILD_ENV: &str = "SANSBOTO_STREAM_RSS_CHILD";
/// The child's endpoint.
const ENDPOINT_ENV: &str = "SANSBOTO_STREAM_RSS_ENDPOINT";

const PERIOD: usize = 65521;

/// The pattern shared with the server: byte `i` is `block()[i % PERIOD]`.
fn block() -> Vec<u8> {
    (0..PERIOD).map(|j| ((j * 31) ^ (j >> 8)) as u8).collect()
}

/// Produces the pattern from `pos` on, and checks received bytes against it.
struct Pattern {
    block: Vec<u8>,
    pos: u64,
    len: u64,
}

impl Pattern {
    fn new(len: u64) -> Self {
        Pattern {
            block: block(),
            pos: 0,
            len,
        }
    }

    /// Fill `buf` with the next bytes (fewer at the end); slice copies keep this fast unoptimized.
    fn fill(&mut self, buf: &mut [u8]) -> usize {
        let want = buf.len().min((self.len - self.pos) as usize);
        let mut done = 0;
        while done < want {
            let off = (self.pos % PERIOD as u64) as usize;
            let n = (want - done).min(PERIOD - off);
            buf[done..done + n].copy_from_slice(&self.block[off..off + n]);
            done += n;
            self.pos += n as u64;
        }
        want
    }

    /// Check `chunk` is the next part of the pattern.
    fn check(&mut self, chunk: &[u8]) {
        let mut done = 0;
        while done < chunk.len() {
            let off = (self.pos % PERIOD as u64) as usize;
            let n = (chunk.len() - done).min(PERIOD - off);
            assert!(
                chunk[done..done + n] == self.block[off..off + n],
                "downloaded body differs from the pattern near byte {}",
                self.pos
            );
            done += n;
            self.pos += n as u64;
        }
    }
}

impl std::io::Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Ok(self.fill(buf))
    }
}

impl tokio::io::AsyncRead for Pattern {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let n = this.fill(buf.initialize_unfilled());
        buf.advance(n);
        std::task::Poll::Ready(Ok(()))
    }
}

impl async_std::io::Read for Pattern {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &mut [u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::task::Poll::Ready(Ok(self.get_mut().fill(buf)))
    }
}

/// Peak resident set size of this process, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

fn put_params(body: sansboto_core::body::StreamingBody) -> Value {
    sansboto_core::params! {"Bucket": "stream", "Key": "upload", "Body": body}
}

fn get_params() -> Value {
    sansboto_core::params! {"Bucket": "stream", "Key": LEN.to_string()}
}

/// The PutObject answer must be the server's: all bytes arrived and matched.
fn check_put(out: &Value) {
    // PutObject's output has no Metadata member: the server's count comes back as a raw header.
    let received = out["ResponseMetadata"]["HTTPHeaders"]["x-amz-meta-received"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(received, LEN.to_string(), "server's byte count: {out:?}");
    assert!(
        out["ETag"].as_str().is_some_and(|e| e.len() == 10),
        "CRC-32 ETag: {out:?}"
    );
}

/// The client's work, in the child process; prints `peak_rss_kib=N`.
fn run_child(transport: &str, endpoint: &str) {
    let start = Instant::now();
    match transport {
        "tokio" => tokio_client(endpoint),
        "async-std" => async_std_client(endpoint),
        "blocking" => blocking_client(endpoint),
        other => panic!("unknown transport {other}"),
    }
    println!(
        "peak_rss_kib={} seconds={:.1}",
        peak_rss_kib(),
        start.elapsed().as_secs_f64()
    );
}

fn tokio_client(endpoint: &str) {
    use sansboto_tokio::{reader_body, take_body, Session};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let s3 = Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url(endpoint)
            .credentials("AKID", "SECRET", None)
            .build()
            .await
            .unwrap();
        let body = reader_body(Pattern::new(LEN), Some(LEN));
        let put = Instant::now();
        check_put(&s3.call("PutObject", put_params(body)).await.unwrap());
        println!("put_seconds={:.1}", put.elapsed().as_secs_f64());

        let out = s3.call("GetObject", get_params()).await.unwrap();
        let mut body = take_body(&out["Body"]).expect("streaming body");
        let mut expected = Pattern::new(LEN);
        while let Some(chunk) = body.chunk().await.unwrap() {
            expected.check(&chunk);
        }
        assert_eq!(expected.pos, LEN);
    });
}

fn async_std_client(endpoint: &str) {
    use sansboto_async_std::{reader_body, take_body, Session};
    async_std::task::block_on(async {
        let s3 = Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url(endpoint)
            .credentials("AKID", "SECRET", None)
            .build()
            .await
            .unwrap();
        let body = reader_body(Pattern::new(LEN), Some(LEN));
        let put = Instant::now();
        check_put(&s3.call("PutObject", put_params(body)).await.unwrap());
        println!("put_seconds={:.1}", put.elapsed().as_secs_f64());

        let out = s3.call("GetObject", get_params()).await.unwrap();
        let mut body = take_body(&out["Body"]).expect("streaming body");
        let mut expected = Pattern::new(LEN);
        while let Some(chunk) = body.chunk().await.unwrap() {
            expected.check(&chunk);
        }
        assert_eq!(expected.pos, LEN);
    });
}

fn blocking_client(endpoint: &str) {
    use sansboto_blocking::{reader_body, take_body, Session};
    let s3 = Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap();
    let body = reader_body(Pattern::new(LEN), Some(LEN));
    let put = Instant::now();
    check_put(&s3.call("PutObject", put_params(body)).unwrap());
    println!("put_seconds={:.1}", put.elapsed().as_secs_f64());

    let out = s3.call("GetObject", get_params()).unwrap();
    let mut body = take_body(&out["Body"]).expect("streaming body");
    let mut expected = Pattern::new(LEN);
    while let Some(chunk) = body.chunk().unwrap() {
        expected.check(&chunk);
    }
    assert_eq!(expected.pos, LEN);
}

/// The server process; ends when its stdin closes (dropping the [`Child`] closes it) or killed.
struct Server {
    child: Child,
    endpoint: String,
}

impl Server {
    fn start() -> Self {
        let python = std::env::var("SANSBOTO_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(&python)
            .arg("-c")
            .arg(include_str!("stream_support/server.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {python}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("server stdout"))
            .read_line(&mut line)
            .expect("server port");
        let port: u16 = line.trim().parse().expect("server printed its port");
        Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run this test in a child process on `transport` and check its peak RSS.
fn constant_memory(test_name: &str, transport: &str) {
    if let Ok(which) = std::env::var(CHILD_ENV) {
        let endpoint = std::env::var(ENDPOINT_ENV).expect("endpoint for the child");
        return run_child(&which, &endpoint);
    }
    let server = Server::start();
    let out = Command::new(std::env::current_exe().expect("test binary"))
        .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, transport)
        .env(ENDPOINT_ENV, &server.endpoint)
        // No credential or config lookups from the machine running the test.
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .output()
        .expect("run the client child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{transport} client failed:\n{stdout}\n{stderr}"
    );
    // libtest prints the test's name on the same line, before the report.
    let report = stdout
        .find("peak_rss_kib=")
        .and_then(|at| stdout[at..].lines().next())
        .unwrap_or_else(|| panic!("no report from the child:\n{stdout}\n{stderr}"));
    let peak: u64 = report
        .trim_start_matches("peak_rss_kib=")
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("peak RSS figure");
    println!("{transport}: 1 GiB PUT + 1 GiB GET, {report}");
    assert!(
        peak < LIMIT_KIB,
        "{transport}: peak RSS {peak} KiB is over {LIMIT_KIB} KiB"
    );
    let _ = std::io::stdout().flush();
}

#[test]
fn tokio_streams_1gib_each_way_under_64mib() {
    constant_memory("tokio_streams_1gib_each_way_under_64mib", "tokio");
}

#[test]
fn async_std_streams_1gib_each_way_under_64mib() {
    constant_memory("async_std_streams_1gib_each_way_under_64mib", "async-std");
}

#[test]
fn blocking_streams_1gib_each_way_under_64mib() {
    constant_memory("blocking_streams_1gib_each_way_under_64mib", "blocking");
}
