//! Streaming runs in constant memory: a 1 GiB S3 PutObject of a file and a 1 GiB GetObject,
//! through the real client API of each transport, over plain HTTP and over HTTPS, keep the client
//! process under 64 MiB of peak RSS. Over HTTP the file is read twice (hashed for the signature,
//! then sent); over HTTPS it goes `aws-chunked` with a CRC-32 trailer the server checks.
//!
//! Each test re-runs this test binary as a child process that does only the client's work (so
//! the peak RSS read from its `/proc/self/status` `VmHWM` is the client's alone), against a
//! loopback server in a third process (`stream_support/server.py`, with a certificate made here
//! for HTTPS) that checks the uploaded bytes against the generated pattern without keeping them
//! and serves a generated download. The child writes the file it uploads (writing does not grow
//! its RSS). Linux only (`/proc`), like the machines this project runs on.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use sansboto_core::Value;

/// Bytes sent and received, each way.
const LEN: u64 = 1 << 30;
/// Peak RSS the client must stay under.
const LIMIT_KIB: u64 = 64 * 1024;
/// Set in the child: which transport to run the client on.
const CHILD_ENV: &str = "SANSBOTO_STREAM_RSS_CHILD";
/// The child's endpoint.
const ENDPOINT_ENV: &str = "SANSBOTO_STREAM_RSS_ENDPOINT";
/// The CA bundle the child trusts (HTTPS only).
const CA_ENV: &str = "SANSBOTO_STREAM_RSS_CA";
/// The file the child writes and uploads.
const FILE_ENV: &str = "SANSBOTO_STREAM_RSS_FILE";

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

/// Peak resident set size of this process, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

fn put_params(body: sansboto_core::StreamingBody) -> Value {
    sansboto_core::params! {"Bucket": "stream", "Key": "upload", "Body": body}
}

fn get_params() -> Value {
    sansboto_core::params! {"Bucket": "stream", "Key": LEN.to_string()}
}

/// The PutObject answer must be the server's: all bytes arrived and matched, framed as the
/// scheme wants, with a CRC-32 the server checked.
fn check_put(out: &Value, https: bool) {
    // PutObject's output has no Metadata member: the server's answers come back as raw headers.
    let headers = &out["ResponseMetadata"]["HTTPHeaders"];
    let received = headers["x-amz-meta-received"].as_str().unwrap_or_default();
    assert_eq!(received, LEN.to_string(), "server's byte count: {out:?}");
    let framing = if https { "aws-chunked" } else { "plain" };
    assert_eq!(
        headers["x-amz-meta-framing"].as_str(),
        Some(framing),
        "{out:?}"
    );
    assert_eq!(
        headers["x-amz-meta-crc-checked"].as_str(),
        Some("yes"),
        "{out:?}"
    );
    assert!(
        out["ETag"].as_str().is_some_and(|e| e.len() == 10),
        "CRC-32 ETag: {out:?}"
    );
}

/// Write the pattern to `path` a MiB at a time.
fn write_pattern_file(path: &str) {
    let mut file = std::fs::File::create(path).expect("create the upload file");
    let mut pattern = Pattern::new(LEN);
    let mut buf = vec![0; 1 << 20];
    loop {
        let n = pattern.fill(&mut buf);
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n]).expect("write the upload file");
    }
}

/// The child's client settings: what it trusts, for HTTPS.
fn http_settings(ca: Option<&str>) -> sansboto_core::HttpSettings {
    let settings = sansboto_core::HttpSettings::new();
    match ca {
        Some(ca) => settings.ca_bundle(ca),
        None => settings,
    }
}

/// The client's work, in the child process; prints `peak_rss_kib=N`.
fn run_child(transport: &str, endpoint: &str, ca: Option<&str>, file: &str) {
    write_pattern_file(file);
    let https = endpoint.starts_with("https:");
    let start = Instant::now();
    match transport {
        "tokio" => tokio_client(endpoint, ca, file, https),
        "async-std" => async_std_client(endpoint, ca, file, https),
        "blocking" => blocking_client(endpoint, ca, file, https),
        other => panic!("unknown transport {other}"),
    }
    let _ = std::fs::remove_file(file);
    println!(
        "peak_rss_kib={} seconds={:.1}",
        peak_rss_kib(),
        start.elapsed().as_secs_f64()
    );
}

fn tokio_client(endpoint: &str, ca: Option<&str>, file: &str, https: bool) {
    use sansboto_tokio::{file_body, take_body, Session};
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
            .http_settings(http_settings(ca))
            .build()
            .await
            .unwrap();
        let body = file_body(file).await.unwrap();
        let put = Instant::now();
        check_put(
            &s3.call("PutObject", put_params(body)).await.unwrap(),
            https,
        );
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

fn async_std_client(endpoint: &str, ca: Option<&str>, file: &str, https: bool) {
    use sansboto_async_std::{file_body, take_body, Session};
    async_std::task::block_on(async {
        let s3 = Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url(endpoint)
            .credentials("AKID", "SECRET", None)
            .http_settings(http_settings(ca))
            .build()
            .await
            .unwrap();
        let body = file_body(file).await.unwrap();
        let put = Instant::now();
        check_put(
            &s3.call("PutObject", put_params(body)).await.unwrap(),
            https,
        );
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

fn blocking_client(endpoint: &str, ca: Option<&str>, file: &str, https: bool) {
    use sansboto_blocking::{file_body, take_body, Session};
    let s3 = Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials("AKID", "SECRET", None)
        .http_settings(http_settings(ca))
        .build()
        .unwrap();
    let body = file_body(file).unwrap();
    let put = Instant::now();
    check_put(&s3.call("PutObject", put_params(body)).unwrap(), https);
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
    /// The certificate to trust, for HTTPS.
    ca: Option<String>,
}

impl Server {
    /// A server on plain HTTP, or on HTTPS with a fresh self-signed certificate for 127.0.0.1
    /// (written with its key to `dir`; the child trusts it as its CA bundle).
    fn start(tls_dir: Option<&std::path::Path>) -> Self {
        let python = std::env::var("SANSBOTO_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut command = Command::new(&python);
        command
            .arg("-c")
            .arg(include_str!("stream_support/server.py"));
        let mut ca = None;
        if let Some(dir) = tls_dir {
            let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
                .expect("generate certificate");
            let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
            std::fs::write(&cert_path, cert.cert.pem()).expect("write cert");
            std::fs::write(&key_path, cert.key_pair.serialize_pem()).expect("write key");
            command.arg(&cert_path).arg(&key_path);
            ca = Some(cert_path.display().to_string());
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {python}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("server stdout"))
            .read_line(&mut line)
            .expect("server port");
        let port: u16 = line.trim().parse().expect("server printed its port");
        let scheme = if tls_dir.is_some() { "https" } else { "http" };
        Server {
            child,
            endpoint: format!("{scheme}://127.0.0.1:{port}"),
            ca,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run this test in a child process on `transport` (over HTTPS when `https`) and check its peak
/// RSS.
fn constant_memory(test_name: &str, transport: &str, https: bool) {
    if let Ok(which) = std::env::var(CHILD_ENV) {
        let endpoint = std::env::var(ENDPOINT_ENV).expect("endpoint for the child");
        let ca = std::env::var(CA_ENV).ok();
        let file = std::env::var(FILE_ENV).expect("file for the child");
        return run_child(&which, &endpoint, ca.as_deref(), &file);
    }
    let dir = std::env::temp_dir().join(format!(
        "sansboto-stream-rss-{test_name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let server = Server::start(https.then_some(dir.as_path()));
    let file = dir.join("upload.bin");
    let mut command = Command::new(std::env::current_exe().expect("test binary"));
    command
        .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, transport)
        .env(ENDPOINT_ENV, &server.endpoint)
        .env(FILE_ENV, &file)
        // No credential or config lookups from the machine running the test.
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null());
    if let Some(ca) = &server.ca {
        command.env(CA_ENV, ca);
    }
    let out = command.output().expect("run the client child");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let scheme = if https { "https" } else { "http" };
    assert!(
        out.status.success(),
        "{transport} over {scheme}: client failed:\n{stdout}\n{stderr}"
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
    println!("{transport} over {scheme}: 1 GiB PUT (file) + 1 GiB GET, {report}");
    assert!(
        peak < LIMIT_KIB,
        "{transport} over {scheme}: peak RSS {peak} KiB is over {LIMIT_KIB} KiB"
    );
    let _ = std::io::stdout().flush();
}

#[test]
fn tokio_streams_1gib_each_way_under_64mib() {
    constant_memory("tokio_streams_1gib_each_way_under_64mib", "tokio", false);
}

#[test]
fn async_std_streams_1gib_each_way_under_64mib() {
    constant_memory(
        "async_std_streams_1gib_each_way_under_64mib",
        "async-std",
        false,
    );
}

#[test]
fn blocking_streams_1gib_each_way_under_64mib() {
    constant_memory(
        "blocking_streams_1gib_each_way_under_64mib",
        "blocking",
        false,
    );
}

#[test]
fn tokio_streams_1gib_each_way_over_https_under_64mib() {
    constant_memory(
        "tokio_streams_1gib_each_way_over_https_under_64mib",
        "tokio",
        true,
    );
}

#[test]
fn async_std_streams_1gib_each_way_over_https_under_64mib() {
    constant_memory(
        "async_std_streams_1gib_each_way_over_https_under_64mib",
        "async-std",
        true,
    );
}

#[test]
fn blocking_streams_1gib_each_way_over_https_under_64mib() {
    constant_memory(
        "blocking_streams_1gib_each_way_over_https_under_64mib",
        "blocking",
        true,
    );
}
