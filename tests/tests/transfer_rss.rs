//! A transfer's memory is bounded by its workers, not by the object: a 128 MiB multipart upload
//! and ranged download (8 MiB parts, 4 at a time) through `s3s-fs` keep the client process under
//! 64 MiB of peak RSS, on the blocking transport (a thread per worker) and on tokio.
//!
//! The test re-runs this test binary as a child that does only the client's work, so the peak
//! RSS read from its `/proc/self/status` (`VmHWM`) is the client's alone. Linux only.

use std::io::{Read, Write};
use std::process::Command;

use sansboto_core::transfer::TransferConfig;
use sansboto_core::Value;
use sansboto_tests::s3s::{S3sServer, ACCESS_KEY, SECRET_KEY};

const LEN: u64 = 128 * 1024 * 1024;
const LIMIT_KIB: u64 = 64 * 1024;
const CHILD_ENV: &str = "SANSBOTO_TRANSFER_RSS_CHILD";
const ENDPOINT_ENV: &str = "SANSBOTO_TRANSFER_RSS_ENDPOINT";
const DIR_ENV: &str = "SANSBOTO_TRANSFER_RSS_DIR";

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// Chunk `i` of the file (1 MiB each), different from its neighbours.
fn chunk(i: u64) -> Vec<u8> {
    (0..1024 * 1024u64)
        .map(|j| (j.wrapping_mul(31) ^ (j >> 9) ^ i) as u8)
        .collect()
}

fn write_file(path: &std::path::Path) {
    let mut f = std::fs::File::create(path).unwrap();
    for i in 0..LEN / (1024 * 1024) {
        f.write_all(&chunk(i)).unwrap();
    }
}

fn same_file(path: &std::path::Path) -> bool {
    let mut f = std::fs::File::open(path).unwrap();
    let mut buf = vec![0u8; 1024 * 1024];
    for i in 0..LEN / (1024 * 1024) {
        if f.read_exact(&mut buf).is_err() || buf != chunk(i) {
            return false;
        }
    }
    f.read(&mut buf).unwrap() == 0
}

fn config() -> TransferConfig {
    TransferConfig::new()
        .part_size(8 * 1024 * 1024)
        .concurrency(4)
}

fn child(transport: &str) {
    let endpoint = std::env::var(ENDPOINT_ENV).unwrap();
    let dir = std::path::PathBuf::from(std::env::var(DIR_ENV).unwrap());
    let (src, dest) = (dir.join("src"), dir.join("dest"));
    write_file(&src);
    let bucket = format!("rss-{transport}");
    match transport {
        "blocking" => {
            let s3 = sansboto_blocking::Session::new()
                .client("s3")
                .region("us-east-1")
                .endpoint_url(&endpoint)
                .credentials(ACCESS_KEY, SECRET_KEY, None)
                .build()
                .unwrap();
            s3.call(
                "CreateBucket",
                sansboto_core::params! {"Bucket": bucket.as_str()},
            )
            .unwrap();
            s3.upload_file(&bucket, "big", &src, Value::Null, &config())
                .unwrap();
            s3.download_file(&bucket, "big", &dest, Value::Null, &config())
                .unwrap();
        }
        "tokio" => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let s3 = sansboto_tokio::Session::new()
                    .client("s3")
                    .region("us-east-1")
                    .endpoint_url(&endpoint)
                    .credentials(ACCESS_KEY, SECRET_KEY, None)
                    .build()
                    .await
                    .unwrap();
                s3.call(
                    "CreateBucket",
                    sansboto_core::params! {"Bucket": bucket.as_str()},
                )
                .await
                .unwrap();
                s3.upload_file(&bucket, "big", &src, Value::Null, &config())
                    .await
                    .unwrap();
                s3.download_file(&bucket, "big", &dest, Value::Null, &config())
                    .await
                    .unwrap();
            });
        }
        other => panic!("unknown transport {other}"),
    }
    let peak = peak_rss_kib();
    assert!(same_file(&dest), "the downloaded file differs");
    println!("\npeak_rss_kib={peak}");
}

fn bounded(test_name: &str, transport: &str) {
    if let Ok(which) = std::env::var(CHILD_ENV) {
        if which == transport {
            child(transport);
        }
        return;
    }
    let server = S3sServer::start();
    let dir = std::env::temp_dir().join(format!(
        "sansboto-transfer-rss-{}-{transport}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, transport)
        .env(ENDPOINT_ENV, server.endpoint())
        .env(DIR_ENV, &dir)
        .output()
        .expect("run the child");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let peak: u64 = stdout
        .lines()
        .find_map(|l| l.split_once("peak_rss_kib=").map(|(_, v)| v))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak in {stdout}"));
    assert!(
        peak < LIMIT_KIB,
        "{transport}: peak RSS {peak} KiB for 128 MiB each way"
    );
}

#[test]
fn blocking_transfer_of_128mib_stays_under_64mib() {
    bounded("blocking_transfer_of_128mib_stays_under_64mib", "blocking");
}

#[test]
fn tokio_transfer_of_128mib_stays_under_64mib() {
    bounded("tokio_transfer_of_128mib_stays_under_64mib", "tokio");
}
