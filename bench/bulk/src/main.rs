//! Bulk throughput on loopback (issue #18): a GetObject streamed and discarded and a PutObject
//! sent `aws-chunked` with a CRC-32 trailer, through each sansboto transport and, next to it,
//! a raw HTTP client of the same runtime doing the same exchange without sansboto (hyper, which
//! sansboto-tokio is built on; async-h1 next to sansboto-async-std and ureq next to
//! sansboto-blocking, which both run the core's own HTTP/1.1 exchange).
//!
//! Three roles, one binary:
//! - `bulk` (no argument): the orchestrator. It starts the server, then runs each transfer in a
//!   fresh client process, raw and sansboto back to back, and prints one table.
//! - `bulk serve SIZE…`: the server, a hyper HTTP/1.1 server on loopback (plain and TLS ports,
//!   a self-signed certificate for 127.0.0.1). GET `/bulk/<len>` answers `len` bytes of a
//!   repeated 1 MiB pattern, generated on the fly, with its `x-amz-checksum-crc32` (computed
//!   at start for the sizes given, so no request waits for it). PUT decodes the `aws-chunked`
//!   body as it arrives, discards it, and answers 200 only when the decoded length matches
//!   `x-amz-decoded-content-length` and the CRC-32 of the decoded bytes matches the trailer.
//! - `bulk client NAME OP SIZE ENDPOINT CA_DIR`: one transfer; prints wall time, CPU time
//!   (`getrusage`, the client process only) and peak RSS (`VmHWM`).
//!
//! Both sides do the same work: a GET streams the body and computes its CRC-32 (sansboto checks
//! the response checksum by default, `response_checksum_validation = when_supported`; the raw
//! client computes and compares it itself); a PUT reads the body from the same in-memory pattern
//! reader, frames it `aws-chunked` in 1 MiB chunks (botocore's size) inside HTTP chunked
//! transfer encoding and sends the CRC-32 trailer it computed. The raw request carries the
//! headers sansboto sends (`Content-Encoding: aws-chunked`, `X-Amz-Trailer`,
//! `X-Amz-Decoded-Content-Length`, `X-Amz-Content-SHA256: STREAMING-UNSIGNED-PAYLOAD-TRAILER`)
//! with a fixed, precomputed `Authorization` header: it signs nothing (sansboto signs the head
//! once per call; the payload is unsigned either way).
//!
//! ```sh
//! scripts/bench-bulk      # or: cd bench && cargo run --release -p sansboto-bench-bulk
//! # BULK_SIZES=256M,1G  BULK_ONLY=tokio (client names containing it)  BULK_OPS=get,put,get-http
//! # BULK_ROUNDS=1 (raw/sansboto pairs per row)
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::pin::Pin;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::{Bytes, BytesMut};

/// The pattern's period: every body is this block repeated (the last copy cut short).
const BLOCK: usize = 1 << 20;
/// botocore's `aws-chunked` chunk size (sansboto uses the same).
const AWS_CHUNK: usize = 1 << 20;
/// The raw clients' read buffer for a download.
const READ_BUF: usize = 64 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => server::serve(&args[1..]),
        Some("client") => client::run(&args[1..]),
        _ => orchestrate(),
    }
}

// ----- the pattern ------------------------------------------------------------------------------

/// The 1 MiB block every body repeats (xorshift bytes: incompressible, not all one value).
fn block() -> Bytes {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut out = Vec::with_capacity(BLOCK);
    while out.len() < BLOCK {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    Bytes::from(out)
}

/// The CRC-32 of the first `len` bytes of the repeated pattern.
fn pattern_crc(block: &[u8], len: u64) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    let mut left = len;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        hasher.update(&block[..n]);
        left -= n as u64;
    }
    hasher.finalize()
}

/// A reader of `len` bytes of the pattern: one `memcpy` per read, the same for every client.
struct Pattern {
    block: Bytes,
    pos: u64,
    len: u64,
}

impl Pattern {
    fn new(block: Bytes, len: u64) -> Self {
        Pattern { block, pos: 0, len }
    }

    fn fill(&mut self, buf: &mut [u8]) -> usize {
        let mut n = 0;
        while n < buf.len() && self.pos < self.len {
            let at = (self.pos % BLOCK as u64) as usize;
            let take = (BLOCK - at)
                .min(buf.len() - n)
                .min((self.len - self.pos) as usize);
            buf[n..n + take].copy_from_slice(&self.block[at..at + take]);
            n += take;
            self.pos += take as u64;
        }
        n
    }
}

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Ok(self.fill(buf))
    }
}

impl tokio::io::AsyncRead for Pattern {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let n = this.fill(buf.initialize_unfilled());
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl futures_io::AsyncRead for Pattern {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(Ok(self.get_mut().fill(buf)))
    }
}

/// Standard base64 of a CRC-32's big-endian bytes (8 characters), as the trailer carries it.
fn crc_base64(crc: u32) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = crc.to_be_bytes();
    let n = u32::from_be_bytes([0, b[0], b[1], b[2]]);
    let mut out = String::with_capacity(8);
    for shift in [18, 12, 6, 0] {
        out.push(ALPHABET[(n >> shift & 63) as usize] as char);
    }
    out.push(ALPHABET[(u32::from(b[3]) >> 2) as usize] as char);
    out.push(ALPHABET[((u32::from(b[3]) & 3) << 4) as usize] as char);
    out.push_str("==");
    out
}

fn parse_size(s: &str) -> u64 {
    let s = s.trim();
    let (digits, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => s.split_at(i),
        None => (s, ""),
    };
    let n: u64 = digits.parse().expect("a size such as 256M or 1G");
    n * match unit {
        "" => 1,
        "K" | "KiB" => 1 << 10,
        "M" | "MiB" => 1 << 20,
        "G" | "GiB" => 1 << 30,
        other => panic!("unknown size unit {other}"),
    }
}

fn show_size(n: u64) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{} GiB", n >> 30)
    } else {
        format!("{} MiB", n >> 20)
    }
}

// ----- the orchestrator -------------------------------------------------------------------------

/// The pairs compared: (raw client, sansboto transport).
const PAIRS: [(&str, &str); 3] = [
    ("hyper", "sansboto-tokio"),
    ("async-h1", "sansboto-async-std"),
    ("ureq", "sansboto-blocking"),
];

struct Measure {
    wall: f64,
    cpu: f64,
    rss_kib: u64,
}

fn orchestrate() {
    let sizes: Vec<u64> = std::env::var("BULK_SIZES")
        .unwrap_or_else(|_| "256M,1G".into())
        .split(',')
        .map(parse_size)
        .collect();
    let ops: Vec<String> = std::env::var("BULK_OPS")
        .unwrap_or_else(|_| "get,put,get-http".into())
        .split(',')
        .map(str::to_owned)
        .collect();
    let only = std::env::var("BULK_ONLY").unwrap_or_default();
    let rounds: usize = std::env::var("BULK_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let exe = std::env::current_exe().expect("bench binary");
    let dir = std::env::temp_dir().join(format!("sansboto-bulk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");

    let size_args: Vec<String> = sizes.iter().map(u64::to_string).collect();
    let mut server = Command::new(&exe)
        .arg("serve")
        .arg(&dir)
        .args(&size_args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server process");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("server stdout"))
        .read_line(&mut line)
        .expect("server ports");
    let mut ports = line
        .split_whitespace()
        .map(|p| p.parse::<u16>().expect("port"));
    let (http_port, https_port) = (ports.next().expect("http"), ports.next().expect("https"));

    let load = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before: {}", load().trim());
    let mut rows = Vec::new();
    for &size in &sizes {
        for op in &ops {
            let (method, endpoint) = match op.as_str() {
                "get" => ("get", format!("https://127.0.0.1:{https_port}")),
                "put" => ("put", format!("https://127.0.0.1:{https_port}")),
                "get-http" => ("get", format!("http://127.0.0.1:{http_port}")),
                other => panic!("unknown op {other}"),
            };
            for (raw, sansboto) in PAIRS {
                if !raw.contains(&only) && !sansboto.contains(&only) {
                    continue;
                }
                let run = |name: &str| -> Measure {
                    let out = Command::new(&exe)
                        .args(["client", name, method, &size.to_string(), &endpoint])
                        .arg(&dir)
                        .env("AWS_CONFIG_FILE", "/dev/null")
                        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
                        .env("AWS_EC2_METADATA_DISABLED", "true")
                        .stdin(Stdio::null())
                        .output()
                        .expect("run a client");
                    let stdout = String::from_utf8_lossy(&out.stdout);
                    assert!(
                        out.status.success(),
                        "{name} {op} {size}: {stdout}\n{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    let field = |key: &str| -> f64 {
                        stdout
                            .split_whitespace()
                            .find_map(|w| w.strip_prefix(key))
                            .and_then(|v| v.parse().ok())
                            .unwrap_or_else(|| panic!("no {key} in {stdout}"))
                    };
                    let m = Measure {
                        wall: field("wall="),
                        cpu: field("cpu="),
                        rss_kib: field("rss_kib=") as u64,
                    };
                    eprintln!(
                        "{name} {op} {}: {:.0} MB/s, cpu {:.3} s, peak RSS {:.1} MiB",
                        show_size(size),
                        size as f64 / m.wall / 1e6,
                        m.cpu,
                        m.rss_kib as f64 / 1024.0
                    );
                    m
                };
                let mut raws = Vec::new();
                let mut ours = Vec::new();
                for round in 0..rounds {
                    // Alternate which side goes first, so neither always runs on a warmer machine.
                    if round % 2 == 0 {
                        raws.push(run(raw));
                        ours.push(run(sansboto));
                    } else {
                        ours.push(run(sansboto));
                        raws.push(run(raw));
                    }
                }
                rows.push((op.clone(), size, raw, sansboto, raws, ours));
            }
        }
    }
    println!("load average after: {}", load().trim());
    drop(server.stdin.take());
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "| op | size | raw client | MB/s | CPU s | peak RSS | sansboto | MB/s | CPU s | peak RSS | throughput sansboto/raw |"
    );
    println!("| --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |");
    // The best of the rounds per side (the machine is shared: the best is the least disturbed).
    let best = |ms: &[Measure]| -> (f64, f64, u64) {
        let wall = ms.iter().map(|m| m.wall).fold(f64::INFINITY, f64::min);
        let cpu = ms.iter().map(|m| m.cpu).fold(f64::INFINITY, f64::min);
        let rss = ms.iter().map(|m| m.rss_kib).max().unwrap_or(0);
        (wall, cpu, rss)
    };
    for (op, size, raw, sansboto, raws, ours) in rows {
        let (rw, rc, rr) = best(&raws);
        let (sw, sc, sr) = best(&ours);
        let mbs = |wall: f64| size as f64 / wall / 1e6;
        println!(
            "| {op} | {} | {raw} | {:.0} | {rc:.2} | {:.1} MiB | {sansboto} | {:.0} | {sc:.2} | {:.1} MiB | {:.0} % |",
            show_size(size),
            mbs(rw),
            rr as f64 / 1024.0,
            mbs(sw),
            sr as f64 / 1024.0,
            100.0 * rw / sw
        );
    }
}

// ----- measuring a client process ---------------------------------------------------------------

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct we pass and reads nothing else.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

// ----- the clients ------------------------------------------------------------------------------

mod client {
    use super::*;

    /// What one client run needs.
    pub(crate) struct Job {
        pub(crate) put: bool,
        pub(crate) len: u64,
        pub(crate) endpoint: String,
        pub(crate) host: String,
        pub(crate) port: u16,
        pub(crate) https: bool,
        pub(crate) ca_pem: String,
        pub(crate) ca_der: Vec<u8>,
        pub(crate) block: Bytes,
    }

    impl Job {
        pub(crate) fn path(&self) -> String {
            if self.put {
                "/bulk/upload".to_owned()
            } else {
                format!("/bulk/{}", self.len)
            }
        }

        /// The raw PUT's head, as sansboto sends it (`Host` and the request line added by each
        /// client).
        pub(crate) fn put_headers(&self) -> Vec<(&'static str, String)> {
            vec![
                ("content-encoding", "aws-chunked".into()),
                ("transfer-encoding", "chunked".into()),
                ("x-amz-trailer", "x-amz-checksum-crc32".into()),
                ("x-amz-decoded-content-length", self.len.to_string()),
                ("x-amz-sdk-checksum-algorithm", "CRC32".into()),
                (
                    "x-amz-content-sha256",
                    "STREAMING-UNSIGNED-PAYLOAD-TRAILER".into(),
                ),
                ("x-amz-date", "20261203T100000Z".into()),
                ("authorization", AUTHORIZATION.into()),
            ]
        }
    }

    /// A fixed signature header of the size of a real one (the server does not check it).
    const AUTHORIZATION: &str = "AWS4-HMAC-SHA256 Credential=AKID/20261203/us-east-1/s3/aws4_request, SignedHeaders=content-encoding;host;transfer-encoding;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-sdk-checksum-algorithm;x-amz-trailer, Signature=0e5f8c1c0b1bb14b2a3b2c7c3f0b6b0a1f2e3d4c5b6a79881726354453627181";

    pub(crate) fn run(args: &[String]) {
        let [name, op, len, endpoint, dir] = args else {
            panic!("usage: bulk client NAME get|put LEN ENDPOINT CA_DIR");
        };
        let uri: http::Uri = endpoint.parse().expect("endpoint");
        let dir = std::path::Path::new(dir);
        let job = Job {
            put: op == "put",
            len: len.parse().expect("length"),
            endpoint: endpoint.clone(),
            host: uri.host().expect("host").to_owned(),
            port: uri.port_u16().expect("port"),
            https: uri.scheme_str() == Some("https"),
            ca_pem: dir.join("cert.pem").display().to_string(),
            ca_der: std::fs::read(dir.join("cert.der")).expect("certificate"),
            block: block(),
        };
        let moved = match name.as_str() {
            "hyper" => raw_hyper::run(&job),
            "async-h1" => raw_async_h1::run(&job),
            "ureq" => raw_ureq::run(&job),
            "sansboto-tokio" => sansboto::tokio(&job),
            "sansboto-async-std" => sansboto::async_std(&job),
            "sansboto-blocking" => sansboto::blocking(&job),
            other => panic!("unknown client {other}"),
        };
        let (start, cpu0) = STARTED.get().expect("the client started the clock");
        let (wall, cpu) = (start.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
        assert_eq!(moved, job.len, "{name}: bytes moved");
        println!(
            "bytes={moved} wall={wall:.4} cpu={cpu:.4} rss_kib={}",
            peak_rss_kib()
        );
    }

    /// When the exchange started (wall clock and CPU seconds): after the client, its runtime and
    /// its TLS configuration are made, before connecting; the same point for every client.
    static STARTED: std::sync::OnceLock<(Instant, f64)> = std::sync::OnceLock::new();

    pub(crate) fn start_clock() {
        let _ = STARTED.set((Instant::now(), cpu_seconds()));
    }

    /// The rustls client configuration of the raw clients: trusts the server's certificate.
    pub(crate) fn tls_config(job: &Job) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls::pki_types::CertificateDer::from(job.ca_der.clone()))
            .expect("certificate");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocols")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Arc::new(config)
    }

    /// The raw clients' `aws-chunked` framing (the same bytes sansboto sends): each chunk is
    /// `hex(len)\r\n` + data + `\r\n`, framed into one buffer with one copy of the data (read
    /// straight from the source behind the head), then `0\r\n`, the trailer and `\r\n`.
    pub(crate) struct RawFramer {
        source: Pattern,
        left: u64,
        crc: crc32fast::Hasher,
        done: bool,
    }

    impl RawFramer {
        pub(crate) fn new(job: &Job) -> Self {
            RawFramer {
                source: Pattern::new(job.block.clone(), job.len),
                left: job.len,
                crc: crc32fast::Hasher::new(),
                done: false,
            }
        }

        /// The next framed chunk (the last one carries the trailer); `None` at the end.
        pub(crate) fn next_chunk(&mut self) -> Option<BytesMut> {
            if self.done {
                return None;
            }
            let n = self.left.min(AWS_CHUNK as u64) as usize;
            let mut out = BytesMut::with_capacity(n + 64);
            if n > 0 {
                out.extend_from_slice(format!("{n:x}\r\n").as_bytes());
                let at = out.len();
                out.resize(at + n, 0);
                let read = self.source.fill(&mut out[at..]);
                assert_eq!(read, n);
                self.crc.update(&out[at..]);
                out.extend_from_slice(b"\r\n");
                self.left -= n as u64;
            } else {
                self.done = true;
                let crc = std::mem::take(&mut self.crc).finalize();
                out.extend_from_slice(b"0\r\nx-amz-checksum-crc32:");
                out.extend_from_slice(crc_base64(crc).as_bytes());
                out.extend_from_slice(b"\r\n\r\n");
            }
            Some(out)
        }
    }

    /// The same framing as a reader (async-h1 and ureq pull request bodies through readers),
    /// written straight into the reader's buffer: a chunk's head, then its data read from the
    /// source into the buffer (one copy) and hashed there, then CRLF; at the end the trailer.
    pub(crate) struct FramedReader {
        source: Pattern,
        /// Raw bytes after the current chunk.
        left: u64,
        /// Raw bytes still to send in the current chunk.
        chunk_left: usize,
        crc: crc32fast::Hasher,
        /// Framing bytes to hand out, from `pos`.
        small: Vec<u8>,
        pos: usize,
        done: bool,
    }

    impl FramedReader {
        pub(crate) fn new(job: &Job) -> Self {
            FramedReader {
                source: Pattern::new(job.block.clone(), job.len),
                left: job.len,
                chunk_left: 0,
                crc: crc32fast::Hasher::new(),
                small: Vec::new(),
                pos: 0,
                done: false,
            }
        }

        fn fill(&mut self, buf: &mut [u8]) -> usize {
            loop {
                if self.pos < self.small.len() {
                    let n = buf.len().min(self.small.len() - self.pos);
                    buf[..n].copy_from_slice(&self.small[self.pos..self.pos + n]);
                    self.pos += n;
                    return n;
                }
                self.small.clear();
                self.pos = 0;
                if self.chunk_left > 0 {
                    let want = buf.len().min(self.chunk_left);
                    let n = self.source.fill(&mut buf[..want]);
                    assert_eq!(n, want, "the pattern has the declared length");
                    self.crc.update(&buf[..n]);
                    self.chunk_left -= n;
                    if self.chunk_left == 0 {
                        self.small.extend_from_slice(b"\r\n");
                    }
                    return n;
                }
                if self.done {
                    return 0;
                }
                if self.left > 0 {
                    let n = self.left.min(AWS_CHUNK as u64) as usize;
                    self.left -= n as u64;
                    self.chunk_left = n;
                    self.small
                        .extend_from_slice(format!("{n:x}\r\n").as_bytes());
                } else {
                    self.done = true;
                    let crc = std::mem::take(&mut self.crc).finalize();
                    self.small.extend_from_slice(b"0\r\nx-amz-checksum-crc32:");
                    self.small.extend_from_slice(crc_base64(crc).as_bytes());
                    self.small.extend_from_slice(b"\r\n\r\n");
                }
            }
        }
    }

    impl Read for FramedReader {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            Ok(self.fill(buf))
        }
    }

    impl futures_io::AsyncRead for FramedReader {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<std::io::Result<usize>> {
            Poll::Ready(Ok(self.get_mut().fill(buf)))
        }
    }

    /// A downloaded body's bytes, checked against the server's CRC-32 at the end.
    pub(crate) struct Sink {
        pub(crate) n: u64,
        crc: crc32fast::Hasher,
    }

    impl Sink {
        pub(crate) fn new() -> Self {
            Sink {
                n: 0,
                crc: crc32fast::Hasher::new(),
            }
        }

        pub(crate) fn take(&mut self, data: &[u8]) {
            self.n += data.len() as u64;
            self.crc.update(data);
        }

        /// The byte count, once the CRC-32 of what arrived is the one the server sent (the
        /// server computed it from the pattern at start).
        pub(crate) fn finish(self, header: Option<&str>) -> u64 {
            let crc = self.crc.finalize();
            assert_eq!(header, Some(crc_base64(crc).as_str()), "downloaded bytes");
            self.n
        }
    }

    /// A PUT's answer: the server checked the length and the CRC-32 trailer.
    pub(crate) fn check_put_answer(status: u16, received: Option<&str>, job: &Job) -> u64 {
        assert_eq!(status, 200, "PUT refused by the server");
        received
            .and_then(|r| r.parse().ok())
            .filter(|&n| n == job.len)
            .expect("the server counted every byte")
    }
}

mod raw_hyper {
    use super::client::{check_put_answer, start_clock, tls_config, Job, RawFramer, Sink};
    use super::*;
    use http_body_util::BodyExt;
    use hyper_util::rt::TokioIo;

    /// A PUT body: the raw framer's chunks, one frame each.
    struct Framed(RawFramer);

    impl http_body::Body for Framed {
        type Data = Bytes;
        type Error = std::io::Error;

        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
            Poll::Ready(
                self.get_mut()
                    .0
                    .next_chunk()
                    .map(|c| Ok(http_body::Frame::data(c.freeze()))),
            )
        }
    }

    pub(crate) fn run(job: &Job) -> u64 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let tls = tls_config(job);
        rt.block_on(async {
            start_clock();
            let tcp = tokio::net::TcpStream::connect((job.host.as_str(), job.port))
                .await
                .expect("connect");
            tcp.set_nodelay(true).expect("nodelay");
            if job.https {
                let name =
                    rustls::pki_types::ServerName::try_from(job.host.clone()).expect("server name");
                let tls = tokio_rustls::TlsConnector::from(tls)
                    .connect(name, tcp)
                    .await
                    .expect("TLS");
                exchange(job, TokioIo::new(tls)).await
            } else {
                exchange(job, TokioIo::new(tcp)).await
            }
        })
    }

    async fn exchange<IO>(job: &Job, io: IO) -> u64
    where
        IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
            .await
            .expect("handshake");
        tokio::spawn(conn);
        let builder = http::Request::builder()
            .uri(job.path())
            .header("host", format!("{}:{}", job.host, job.port));
        if job.put {
            let mut builder = builder.method("PUT");
            for (k, v) in job.put_headers() {
                builder = builder.header(k, v);
            }
            let req = builder
                .body(http_body_util::Either::Left(Framed(RawFramer::new(job))))
                .expect("request");
            let res = sender.send_request(req).await.expect("PUT");
            let status = res.status().as_u16();
            let received = res
                .headers()
                .get("x-amz-meta-received")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let _ = res.into_body().collect().await;
            check_put_answer(status, received.as_deref(), job)
        } else {
            let req = builder
                .method("GET")
                .body(http_body_util::Either::Right(
                    http_body_util::Empty::<Bytes>::new(),
                ))
                .expect("request");
            let res = sender.send_request(req).await.expect("GET");
            assert_eq!(res.status(), 200);
            let header = res
                .headers()
                .get("x-amz-checksum-crc32")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let mut body = res.into_body();
            let mut sink = Sink::new();
            while let Some(frame) = body.frame().await {
                if let Ok(data) = frame.expect("body").into_data() {
                    sink.take(&data);
                }
            }
            sink.finish(header.as_deref())
        }
    }
}

mod raw_async_h1 {
    use super::client::{check_put_answer, start_clock, tls_config, FramedReader, Job, Sink};
    use super::*;
    use futures_lite::AsyncReadExt;

    pub(crate) fn run(job: &Job) -> u64 {
        let tls = tls_config(job);
        async_std::task::block_on(async {
            start_clock();
            let tcp = async_std::net::TcpStream::connect((job.host.as_str(), job.port))
                .await
                .expect("connect");
            tcp.set_nodelay(true).expect("nodelay");
            if job.https {
                let name =
                    rustls::pki_types::ServerName::try_from(job.host.clone()).expect("server name");
                let tls = futures_rustls::TlsConnector::from(tls)
                    .connect(name, tcp)
                    .await
                    .expect("TLS");
                exchange(job, tls).await
            } else {
                exchange(job, tcp).await
            }
        })
    }

    async fn exchange<IO>(job: &Job, mut io: IO) -> u64
    where
        IO: futures_io::AsyncRead + futures_io::AsyncWrite + Send + Sync + Unpin + 'static,
    {
        let scheme = if job.https { "https" } else { "http" };
        let url = format!("{scheme}://{}:{}{}", job.host, job.port, job.path());
        let mut req = http_types::Request::new(
            if job.put {
                http_types::Method::Put
            } else {
                http_types::Method::Get
            },
            http_types::Url::parse(&url).expect("url"),
        );
        if job.put {
            for (k, v) in job.put_headers() {
                if k != "transfer-encoding" {
                    req.insert_header(k, v);
                }
            }
            // No length: async-h1 sends the body with chunked transfer encoding.
            req.set_body(http_types::Body::from_reader(
                futures_lite::io::BufReader::with_capacity(READ_BUF, FramedReader::new(job)),
                None,
            ));
            req.remove_header(http_types::headers::CONTENT_TYPE);
        }
        let mut encoder = async_h1::client::Encoder::new(req);
        futures_lite::io::copy(&mut encoder, &mut io)
            .await
            .expect("send the request");
        let mut res = async_h1::client::decode(io).await.expect("response");
        if job.put {
            let received = res
                .header("x-amz-meta-received")
                .map(|v| v.as_str().to_owned());
            let _ = res.body_bytes().await;
            check_put_answer(u16::from(res.status()), received.as_deref(), job)
        } else {
            assert_eq!(u16::from(res.status()), 200);
            let header = res
                .header("x-amz-checksum-crc32")
                .map(|v| v.as_str().to_owned());
            let mut body = res.take_body();
            let mut buf = vec![0u8; READ_BUF];
            let mut sink = Sink::new();
            loop {
                let n = body.read(&mut buf).await.expect("body");
                if n == 0 {
                    break;
                }
                sink.take(&buf[..n]);
            }
            sink.finish(header.as_deref())
        }
    }
}

mod raw_ureq {
    use super::client::{check_put_answer, start_clock, tls_config, FramedReader, Job, Sink};
    use super::*;
    use ureq::tls::{Certificate, RootCerts, TlsConfig};

    pub(crate) fn run(job: &Job) -> u64 {
        let _ = tls_config;
        let tls = TlsConfig::builder()
            .root_certs(RootCerts::Specific(Arc::new(vec![Certificate::from_der(
                &job.ca_der,
            )
            .to_owned()])))
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .tls_config(tls)
            .build()
            .into();
        let url = format!("{}{}", job.endpoint, job.path());
        start_clock();
        if job.put {
            let mut builder = http::Request::builder().method("PUT").uri(&url);
            for (k, v) in job.put_headers() {
                builder = builder.header(k, v);
            }
            let req = builder
                .body(ureq::SendBody::from_owned_reader(FramedReader::new(job)))
                .expect("request");
            let res = agent.run(req).expect("PUT");
            let received = res
                .headers()
                .get("x-amz-meta-received")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            check_put_answer(res.status().as_u16(), received.as_deref(), job)
        } else {
            let res = agent.get(&url).call().expect("GET");
            assert_eq!(res.status(), 200);
            let header = res
                .headers()
                .get("x-amz-checksum-crc32")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let mut reader = res.into_body().into_reader();
            let mut buf = vec![0u8; READ_BUF];
            let mut sink = Sink::new();
            loop {
                let n = reader.read(&mut buf).expect("body");
                if n == 0 {
                    break;
                }
                sink.take(&buf[..n]);
            }
            sink.finish(header.as_deref())
        }
    }
}

mod sansboto {
    use super::client::{start_clock, Job};
    use super::*;

    fn put_params(body: sansboto_core::StreamingBody) -> sansboto_core::Value {
        sansboto_core::params! {"Bucket": "bulk", "Key": "upload", "Body": body}
    }

    fn get_params(job: &Job) -> sansboto_core::Value {
        sansboto_core::params! {"Bucket": "bulk", "Key": job.len.to_string()}
    }

    /// The PutObject answer: the server counted every byte and checked the trailer.
    fn put_answer(out: &sansboto_core::Value, job: &Job) -> u64 {
        let headers = &out["ResponseMetadata"]["HTTPHeaders"];
        assert_eq!(headers["x-amz-meta-crc-checked"].as_str(), Some("yes"));
        headers["x-amz-meta-received"]
            .as_str()
            .and_then(|r| r.parse().ok())
            .filter(|&n| n == job.len)
            .expect("the server counted every byte")
    }

    fn settings(job: &Job) -> sansboto_core::HttpSettings {
        sansboto_core::HttpSettings::new().ca_bundle(&job.ca_pem)
    }

    pub(crate) fn tokio(job: &Job) -> u64 {
        use sansboto_tokio::{reader_body, take_body, Session};
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let s3 = Session::new()
                .client("s3")
                .region("us-east-1")
                .endpoint_url(&job.endpoint)
                .credentials("AKID", "SECRET", None)
                .http_settings(settings(job))
                .build()
                .await
                .expect("client");
            start_clock();
            if job.put {
                let body = reader_body(Pattern::new(job.block.clone(), job.len), Some(job.len));
                let out = s3.call("PutObject", put_params(body)).await.expect("PUT");
                put_answer(&out, job)
            } else {
                let out = s3.call("GetObject", get_params(job)).await.expect("GET");
                let mut body = take_body(&out["Body"]).expect("streaming body");
                let mut n = 0u64;
                while let Some(chunk) = body.chunk().await.expect("body") {
                    n += chunk.len() as u64;
                }
                n
            }
        })
    }

    pub(crate) fn async_std(job: &Job) -> u64 {
        use sansboto_async_std::{reader_body, take_body, Session};
        async_std::task::block_on(async {
            let s3 = Session::new()
                .client("s3")
                .region("us-east-1")
                .endpoint_url(&job.endpoint)
                .credentials("AKID", "SECRET", None)
                .http_settings(settings(job))
                .build()
                .await
                .expect("client");
            start_clock();
            if job.put {
                let body = reader_body(Pattern::new(job.block.clone(), job.len), Some(job.len));
                let out = s3.call("PutObject", put_params(body)).await.expect("PUT");
                put_answer(&out, job)
            } else {
                let out = s3.call("GetObject", get_params(job)).await.expect("GET");
                let mut body = take_body(&out["Body"]).expect("streaming body");
                let mut n = 0u64;
                while let Some(chunk) = body.chunk().await.expect("body") {
                    n += chunk.len() as u64;
                }
                n
            }
        })
    }

    pub(crate) fn blocking(job: &Job) -> u64 {
        use sansboto_blocking::{reader_body, take_body, Session};
        let s3 = Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url(&job.endpoint)
            .credentials("AKID", "SECRET", None)
            .http_settings(settings(job))
            .build()
            .expect("client");
        start_clock();
        if job.put {
            let body = reader_body(Pattern::new(job.block.clone(), job.len), Some(job.len));
            let out = s3.call("PutObject", put_params(body)).expect("PUT");
            put_answer(&out, job)
        } else {
            let out = s3.call("GetObject", get_params(job)).expect("GET");
            let mut body = take_body(&out["Body"]).expect("streaming body");
            let mut n = 0u64;
            while let Some(chunk) = body.chunk().expect("body") {
                n += chunk.len() as u64;
            }
            n
        }
    }
}

// ----- the server -------------------------------------------------------------------------------

mod server {
    use super::*;
    use http_body_util::BodyExt;
    use hyper::body::Incoming;
    use hyper_util::rt::TokioIo;
    use std::collections::HashMap;

    type Answer = http::Response<http_body_util::Either<PatternBody, http_body_util::Full<Bytes>>>;

    /// `len` bytes of the pattern, a 1 MiB slice of the block per frame (no copy).
    pub(crate) struct PatternBody {
        block: Bytes,
        left: u64,
    }

    impl http_body::Body for PatternBody {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
            let this = self.get_mut();
            if this.left == 0 {
                return Poll::Ready(None);
            }
            let n = this.left.min(BLOCK as u64) as usize;
            this.left -= n as u64;
            Poll::Ready(Some(Ok(http_body::Frame::data(this.block.slice(..n)))))
        }

        fn size_hint(&self) -> http_body::SizeHint {
            http_body::SizeHint::with_exact(self.left)
        }
    }

    struct State {
        block: Bytes,
        crcs: HashMap<u64, u32>,
    }

    /// Serve on two loopback ports (plain, TLS); print them; write the certificate into `dir`
    /// (`cert.pem` for sansboto's CA bundle, `cert.der` for the raw clients). Exits when stdin
    /// closes.
    pub(crate) fn serve(args: &[String]) {
        let dir = std::path::Path::new(&args[0]);
        let block = block();
        let crcs = args[1..]
            .iter()
            .map(|s| {
                let len = s.parse().expect("size");
                (len, pattern_crc(&block, len))
            })
            .collect();
        let state = Arc::new(State { block, crcs });
        let cert =
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("certificate");
        std::fs::write(dir.join("cert.pem"), cert.cert.pem()).expect("write cert");
        std::fs::write(dir.join("cert.der"), cert.cert.der()).expect("write cert");
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.key_pair.serialize_der().into());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocols")
            .with_no_client_auth()
            .with_single_cert(vec![cert.cert.der().clone()], key)
            .expect("server TLS");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));

        std::thread::spawn(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
            std::process::exit(0);
        });
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let plain = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let secure = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            println!(
                "{} {}",
                plain.local_addr().expect("addr").port(),
                secure.local_addr().expect("addr").port()
            );
            std::io::stdout().flush().expect("flush");
            let st = state.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((tcp, _)) = plain.accept().await else {
                        continue;
                    };
                    let _ = tcp.set_nodelay(true);
                    tokio::spawn(connection(TokioIo::new(tcp), st.clone()));
                }
            });
            loop {
                let Ok((tcp, _)) = secure.accept().await else {
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let (acceptor, st) = (acceptor.clone(), state.clone());
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        connection(TokioIo::new(tls), st).await;
                    }
                });
            }
        });
    }

    async fn connection<IO>(io: IO, state: Arc<State>)
    where
        IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let service = hyper::service::service_fn(move |req| {
            let state = state.clone();
            async move { Ok::<_, std::convert::Infallible>(answer(req, &state).await) }
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(io, service)
            .await;
    }

    fn full(status: u16, body: &str) -> Answer {
        http::Response::builder()
            .status(status)
            .header("content-type", "application/xml")
            .body(http_body_util::Either::Right(http_body_util::Full::new(
                Bytes::from(body.to_owned()),
            )))
            .expect("response")
    }

    fn error(message: &str) -> Answer {
        eprintln!("bulk server: {message}");
        full(
            400,
            &format!("<Error><Code>BadDigest</Code><Message>{message}</Message></Error>"),
        )
    }

    async fn answer(req: http::Request<Incoming>, state: &State) -> Answer {
        let len_in_path = req
            .uri()
            .path()
            .rsplit('/')
            .next()
            .and_then(|s| s.parse::<u64>().ok());
        match *req.method() {
            http::Method::GET => {
                let Some(len) = len_in_path else {
                    return error("GET /bulk/<length>");
                };
                let Some(&crc) = state.crcs.get(&len) else {
                    return error("a size the server was not started with");
                };
                http::Response::builder()
                    .status(200)
                    .header("content-length", len)
                    .header("content-type", "application/octet-stream")
                    .header("etag", format!("\"{crc:08x}\""))
                    .header("x-amz-checksum-crc32", crc_base64(crc))
                    .header("last-modified", "Thu, 03 Dec 2026 10:00:00 GMT")
                    .body(http_body_util::Either::Left(PatternBody {
                        block: state.block.clone(),
                        left: len,
                    }))
                    .expect("response")
            }
            http::Method::PUT => {
                let header = |name: &str| {
                    req.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                let chunked = header("content-encoding").is_some_and(|e| e.contains("aws-chunked"));
                let declared = header("x-amz-decoded-content-length")
                    .or_else(|| header("content-length"))
                    .and_then(|v| v.parse::<u64>().ok());
                let header_crc = header("x-amz-checksum-crc32");
                let mut body = req.into_body();
                let mut decoder = AwsChunked::default();
                let mut crc = crc32fast::Hasher::new();
                let mut received = 0u64;
                while let Some(frame) = body.frame().await {
                    let Ok(frame) = frame else {
                        return error("the request body failed");
                    };
                    let Ok(data) = frame.into_data() else {
                        continue;
                    };
                    if chunked {
                        if let Err(e) = decoder.push(&data, &mut |d| {
                            received += d.len() as u64;
                            crc.update(d);
                        }) {
                            return error(e);
                        }
                    } else {
                        received += data.len() as u64;
                        crc.update(&data);
                    }
                }
                let crc = crc.finalize();
                let sent = if chunked {
                    if !decoder.finished() {
                        return error("aws-chunked body ended early");
                    }
                    decoder.trailer.clone()
                } else {
                    header_crc
                };
                if declared != Some(received) {
                    return error(&format!("received {received} bytes, declared {declared:?}"));
                }
                if sent.as_deref() != Some(crc_base64(crc).as_str()) {
                    return error(&format!(
                        "CRC-32 {sent:?} sent, {} computed",
                        crc_base64(crc)
                    ));
                }
                http::Response::builder()
                    .status(200)
                    .header("etag", format!("\"{crc:08x}\""))
                    .header("x-amz-checksum-crc32", crc_base64(crc))
                    .header("x-amz-meta-received", received)
                    .header("x-amz-meta-crc-checked", "yes")
                    .header("content-length", 0)
                    .body(http_body_util::Either::Right(http_body_util::Full::new(
                        Bytes::new(),
                    )))
                    .expect("response")
            }
            _ => error("GET or PUT only"),
        }
    }

    /// Decode a whole `aws-chunked` body: its data length and trailer (for the tests).
    #[cfg(test)]
    pub(crate) fn decode_all(body: &[u8]) -> (u64, Option<String>) {
        let mut decoder = AwsChunked::default();
        let mut n = 0u64;
        for piece in body.chunks(7) {
            decoder
                .push(piece, &mut |d| n += d.len() as u64)
                .expect("valid framing");
        }
        assert!(decoder.finished());
        (n, decoder.trailer)
    }

    /// An `aws-chunked` decoder fed pieces of any size: hands out the data, keeps the
    /// `x-amz-checksum-crc32` trailer.
    #[derive(Default)]
    struct AwsChunked {
        /// A head or trailer line being gathered.
        line: Vec<u8>,
        /// Data bytes left in the current chunk.
        data_left: usize,
        /// The `\r\n` after a chunk's data still to skip.
        crlf_left: usize,
        /// The final (zero) chunk was seen: lines now are trailers.
        in_trailer: bool,
        done: bool,
        trailer: Option<String>,
    }

    impl AwsChunked {
        fn finished(&self) -> bool {
            self.done
        }

        fn push(
            &mut self,
            mut data: &[u8],
            out: &mut dyn FnMut(&[u8]),
        ) -> Result<(), &'static str> {
            while !data.is_empty() {
                if self.done {
                    return Err("bytes after the end of the aws-chunked body");
                }
                if self.data_left > 0 {
                    let n = self.data_left.min(data.len());
                    out(&data[..n]);
                    self.data_left -= n;
                    if self.data_left == 0 {
                        self.crlf_left = 2;
                    }
                    data = &data[n..];
                    continue;
                }
                if self.crlf_left > 0 {
                    let expected = &b"\r\n"[2 - self.crlf_left..];
                    let n = self.crlf_left.min(data.len());
                    if data[..n] != expected[..n] {
                        return Err("a chunk's data is not followed by CRLF");
                    }
                    self.crlf_left -= n;
                    data = &data[n..];
                    continue;
                }
                let Some(end) = data.iter().position(|&b| b == b'\n') else {
                    self.line.extend_from_slice(data);
                    return Ok(());
                };
                self.line.extend_from_slice(&data[..=end]);
                data = &data[end + 1..];
                let line = std::mem::take(&mut self.line);
                let line = line.strip_suffix(b"\r\n").ok_or("a line without CRLF")?;
                if self.in_trailer {
                    if line.is_empty() {
                        self.done = true;
                    } else if let Some(v) = line.strip_prefix(b"x-amz-checksum-crc32:") {
                        self.trailer = Some(String::from_utf8_lossy(v).trim().to_owned());
                    }
                    continue;
                }
                let size = std::str::from_utf8(line)
                    .ok()
                    .and_then(|l| usize::from_str_radix(l.split(';').next()?.trim(), 16).ok())
                    .ok_or("a bad chunk size")?;
                if size == 0 {
                    self.in_trailer = true;
                } else {
                    self.data_left = size;
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trailer_value_is_base64_of_the_big_endian_crc() {
        // CRC-32 of "hello" is 0x3610a686, sent as "NhCmhg==" (the core's checksum tests).
        assert_eq!(crc_base64(crc32fast::hash(b"hello")), "NhCmhg==");
        assert_eq!(crc_base64(0), "AAAAAA==");
    }

    #[test]
    fn the_raw_framing_is_what_the_server_decodes() {
        let job = client::Job {
            put: true,
            len: 3 * AWS_CHUNK as u64 + 5,
            endpoint: String::new(),
            host: String::new(),
            port: 0,
            https: true,
            ca_pem: String::new(),
            ca_der: Vec::new(),
            block: block(),
        };
        let mut framed = Vec::new();
        client::FramedReader::new(&job)
            .read_to_end(&mut framed)
            .unwrap();
        let mut framer = client::RawFramer::new(&job);
        let mut whole = Vec::new();
        while let Some(chunk) = framer.next_chunk() {
            whole.extend_from_slice(&chunk);
        }
        assert_eq!(framed, whole, "both raw framings give the same bytes");
        let expected = crc_base64(pattern_crc(&job.block, job.len));
        let text_end = String::from_utf8_lossy(&framed[framed.len() - 40..]).into_owned();
        assert!(text_end.ends_with(&format!("x-amz-checksum-crc32:{expected}\r\n\r\n")));
        let (n, trailer) = server::decode_all(&framed);
        assert_eq!(n, job.len);
        assert_eq!(trailer.as_deref(), Some(expected.as_str()));
    }
}
