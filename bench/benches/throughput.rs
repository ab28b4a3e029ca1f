//! Requests per second of a DynamoDB GetItem against a loopback server answering a canned
//! response, for sansboto on tokio, async-std and blocking threads, and for aws-sdk-rust
//! (`aws-sdk-dynamodb` + `aws-config`) on the same server in the same run.
//!
//! The server runs in a child process (this binary with `serve`), so the CPU time read from
//! `/proc/self/stat` is the clients' alone: per-call CPU = (user + system) / requests.
//!
//! ```sh
//! cd bench && cargo bench --bench throughput   # THROUGHPUT_SECS=3 per scenario, THROUGHPUT_ONLY=tokio
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The canned GetItem answer.
const ITEM: &str = r#"{"Item":{"id":{"S":"user-42"},"name":{"S":"Ada Lovelace"},"age":{"N":"36"},"tags":{"SS":["math","poetry"]},"active":{"BOOL":true}}}"#;
const TABLE: &str = "bench";
const HIGH: usize = 64;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        serve();
        return;
    }
    // `cargo test --benches` runs bench targets as tests: build-check only, no timing.
    if !args.iter().any(|a| a == "--bench") {
        println!("throughput: run with `cargo bench --bench throughput`");
        return;
    }
    let secs: f64 = std::env::var("THROUGHPUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let window = Duration::from_secs_f64(secs);
    let server = Server::start();
    let endpoint = server.endpoint.clone();

    // THROUGHPUT_ONLY=tokio (a substring of the client names) runs a subset, e.g. to profile.
    let only = std::env::var("THROUGHPUT_ONLY").unwrap_or_default();
    type Scenario = fn(&str, usize, Duration) -> Row;
    let scenarios: [(&str, Scenario); 4] = [
        ("sansboto-tokio", tokio_sansboto),
        ("sansboto-async-std", async_std_sansboto),
        ("sansboto-blocking", blocking_sansboto),
        ("aws-sdk-rust", tokio_aws_sdk),
    ];
    let mut rows = Vec::new();
    for concurrency in [1, HIGH] {
        for (name, run) in scenarios {
            if name.contains(only.as_str()) {
                rows.push(run(&endpoint, concurrency, window));
            }
        }
    }
    println!();
    println!("| client | concurrency | requests | req/s | CPU µs/call |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for r in &rows {
        println!(
            "| {} | {} | {} | {:.0} | {:.1} |",
            r.client,
            r.concurrency,
            r.requests,
            r.requests as f64 / r.wall.as_secs_f64(),
            r.cpu.as_secs_f64() * 1e6 / r.requests as f64
        );
    }
}

// ----- measurement -----------------------------------------------------------------------------

struct Row {
    client: &'static str,
    concurrency: usize,
    requests: u64,
    wall: Duration,
    cpu: Duration,
}

/// User + system CPU time of this process so far (from `/proc/self/stat`, in clock ticks of
/// 10 ms: each window is seconds long, so the rounding is below 1%).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesized command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

/// Time one window: `run` does calls until `stop` is set and returns how many it did.
struct Window {
    stop: Arc<AtomicBool>,
    count: Arc<AtomicU64>,
    started: Instant,
    cpu: Duration,
}

impl Window {
    fn open() -> Self {
        Window {
            stop: Arc::new(AtomicBool::new(false)),
            count: Arc::new(AtomicU64::new(0)),
            started: Instant::now(),
            cpu: cpu_time(),
        }
    }

    fn close(self, client: &'static str, concurrency: usize) -> Row {
        let row = Row {
            client,
            concurrency,
            requests: self.count.load(Ordering::Relaxed),
            wall: self.started.elapsed(),
            cpu: cpu_time() - self.cpu,
        };
        eprintln!(
            "{client} c={concurrency}: {} requests in {:.2}s",
            row.requests,
            row.wall.as_secs_f64()
        );
        row
    }
}

fn timer(stop: Arc<AtomicBool>, window: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(window);
        stop.store(true, Ordering::Relaxed);
    });
}

/// Every sansboto transport returns the core's `Value` (re-exported by each).
fn check_item(item: &sansboto_tokio::Value) {
    assert_eq!(item["Item"]["name"]["S"].as_str(), Some("Ada Lovelace"));
}

fn sansboto_params() -> sansboto_tokio::Value {
    use sansboto_tokio::params;
    params! {"TableName": TABLE, "Key": params! {"id": params! {"S": "user-42"}}}
}

fn pool() -> sansboto_tokio::HttpSettings {
    // Keep a connection per worker (botocore's default pool is 10).
    sansboto_tokio::HttpSettings::new().pool_max_idle(HIGH)
}

const WARMUP: usize = 200;

// ----- sansboto --------------------------------------------------------------------------------

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn tokio_sansboto(endpoint: &str, concurrency: usize, window: Duration) -> Row {
    let rt = tokio_runtime();
    rt.block_on(async {
        let client = sansboto_tokio::Session::new()
            .client("dynamodb")
            .region("us-east-1")
            .endpoint_url(endpoint)
            .credentials("AKID", "SECRET", None)
            .http_settings(pool())
            .build()
            .await
            .expect("client");
        for _ in 0..WARMUP {
            check_item(&client.call("GetItem", sansboto_params()).await.unwrap());
        }
        let w = Window::open();
        timer(w.stop.clone(), window);
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let (client, stop, count) = (client.clone(), w.stop.clone(), w.count.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        client.call("GetItem", sansboto_params()).await.unwrap();
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        w.close("sansboto-tokio", concurrency)
    })
}

fn async_std_sansboto(endpoint: &str, concurrency: usize, window: Duration) -> Row {
    async_std::task::block_on(async {
        let client = sansboto_async_std::Session::new()
            .client("dynamodb")
            .region("us-east-1")
            .endpoint_url(endpoint)
            .credentials("AKID", "SECRET", None)
            .http_settings(pool())
            .build()
            .await
            .expect("client");
        for _ in 0..WARMUP {
            check_item(&client.call("GetItem", sansboto_params()).await.unwrap());
        }
        let w = Window::open();
        timer(w.stop.clone(), window);
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let (client, stop, count) = (client.clone(), w.stop.clone(), w.count.clone());
                async_std::task::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        client.call("GetItem", sansboto_params()).await.unwrap();
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await;
        }
        w.close("sansboto-async-std", concurrency)
    })
}

fn blocking_sansboto(endpoint: &str, concurrency: usize, window: Duration) -> Row {
    let client = sansboto_blocking::Session::new()
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials("AKID", "SECRET", None)
        .http_settings(pool())
        .build()
        .expect("client");
    for _ in 0..WARMUP {
        check_item(&client.call("GetItem", sansboto_params()).unwrap());
    }
    let w = Window::open();
    timer(w.stop.clone(), window);
    if concurrency == 1 {
        while !w.stop.load(Ordering::Relaxed) {
            client.call("GetItem", sansboto_params()).unwrap();
            w.count.fetch_add(1, Ordering::Relaxed);
        }
    } else {
        let threads: Vec<_> = (0..concurrency)
            .map(|_| {
                let (client, stop, count) = (client.clone(), w.stop.clone(), w.count.clone());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        client.call("GetItem", sansboto_params()).unwrap();
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }
    w.close("sansboto-blocking", concurrency)
}

// ----- aws-sdk-rust ----------------------------------------------------------------------------

fn tokio_aws_sdk(endpoint: &str, concurrency: usize, window: Duration) -> Row {
    use aws_sdk_dynamodb::types::AttributeValue;
    let rt = tokio_runtime();
    rt.block_on(async {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(aws_credential_types::Credentials::new(
                "AKID", "SECRET", None, None, "bench",
            ))
            .load()
            .await;
        let client = aws_sdk_dynamodb::Client::new(&config);
        let call = |client: aws_sdk_dynamodb::Client| async move {
            client
                .get_item()
                .table_name(TABLE)
                .key("id", AttributeValue::S("user-42".into()))
                .send()
                .await
                .unwrap()
        };
        for _ in 0..WARMUP {
            let out = call(client.clone()).await;
            let name = out.item().and_then(|i| i.get("name"));
            assert_eq!(
                name.and_then(|n| n.as_s().ok()).map(String::as_str),
                Some("Ada Lovelace")
            );
        }
        let w = Window::open();
        timer(w.stop.clone(), window);
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let (client, stop, count) = (client.clone(), w.stop.clone(), w.count.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        call(client.clone()).await;
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        w.close("aws-sdk-rust (tokio)", concurrency)
    })
}

// ----- the canned-response server --------------------------------------------------------------

/// The server child process; killed when dropped.
struct Server {
    child: Child,
    endpoint: String,
}

impl Server {
    fn start() -> Self {
        let mut child = Command::new(std::env::current_exe().expect("bench binary"))
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server process");
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

/// CRC-32 (IEEE), bitwise: computed once for the `x-amz-crc32` header.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Thread-per-connection HTTP/1.1 keep-alive server: every request gets the canned answer.
/// Exits when its stdin closes (the parent ended).
fn serve() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let response: Arc<[u8]> = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\n\
         x-amzn-RequestId: 7J8PGSKE2FMV0JCT9GEMVH0MRVVV4KQNSO5AEMVJF66Q9ASUAAJG\r\n\
         x-amz-crc32: {}\r\nDate: Thu, 26 Nov 2026 09:00:00 GMT\r\n\r\n{ITEM}",
        ITEM.len(),
        crc32(ITEM.as_bytes())
    )
    .into_bytes()
    .into();
    println!("{port}");
    std::io::stdout().flush().expect("flush");
    std::thread::spawn(|| {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    for conn in listener.incoming() {
        let Ok(conn) = conn else { continue };
        let response = response.clone();
        std::thread::spawn(move || {
            let _ = connection(conn, &response);
        });
    }
}

fn connection(mut conn: TcpStream, response: &[u8]) -> std::io::Result<()> {
    conn.set_nodelay(true)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut filled = 0;
    loop {
        // One request: head up to the blank line, then Content-Length bytes of body.
        let head_end = loop {
            if let Some(i) = find(&buf[..filled], b"\r\n\r\n") {
                break i + 4;
            }
            if filled == buf.len() {
                return Ok(());
            }
            let n = conn.read(&mut buf[filled..])?;
            if n == 0 {
                return Ok(());
            }
            filled += n;
        };
        let body_len = content_length(&buf[..head_end]);
        let end = head_end + body_len;
        if end > buf.len() {
            return Ok(());
        }
        while filled < end {
            let n = conn.read(&mut buf[filled..])?;
            if n == 0 {
                return Ok(());
            }
            filled += n;
        }
        conn.write_all(response)?;
        buf.copy_within(end..filled, 0);
        filled -= end;
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &[u8]) -> usize {
    let text = String::from_utf8_lossy(head);
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}
