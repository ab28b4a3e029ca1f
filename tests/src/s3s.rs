//! An `s3s-fs` server (a strict SigV4 verifier backed by a directory) on a free loopback port,
//! stopped and its directory removed when dropped.
//!
//! `scripts/test` installs the pinned `s3s-fs` into `.cache/s3s-fs` (see `scripts/ensure-s3s-fs`)
//! and exports its binary as `SANSBOTO_S3S_FS`. A missing binary is a failure naming that script,
//! never a silent pass.

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::moto::free_port;

/// The access key every `S3sServer` accepts.
pub const ACCESS_KEY: &str = "AKIAS3SFSTESTKEY0001";
/// Its secret.
pub const SECRET_KEY: &str = "s3s-fs/secret+key=with/special/chars";

/// A running `s3s-fs`.
pub struct S3sServer {
    child: Child,
    addr: SocketAddr,
    root: PathBuf,
}

/// The `s3s-fs` binary: `SANSBOTO_S3S_FS`, else `.cache/s3s-fs/bin/s3s-fs` in the workspace.
fn s3s_fs_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("SANSBOTO_S3S_FS") {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "SANSBOTO_S3S_FS={} is not a file; run scripts/ensure-s3s-fs (scripts/test does)",
            p.display()
        );
        return p;
    }
    let cached = crate::workspace_root().join(".cache/s3s-fs/bin/s3s-fs");
    assert!(
        cached.is_file(),
        "s3s-fs is not installed: run scripts/ensure-s3s-fs (scripts/test does) and export \
         SANSBOTO_S3S_FS to the path it prints"
    );
    cached
}

/// Where the server's log goes: the file named by `SANSBOTO_S3S_LOG` (appended; set `RUST_LOG`
/// too, e.g. `s3s=debug`), else nowhere.
fn log_sink() -> Stdio {
    std::env::var_os("SANSBOTO_S3S_LOG")
        .and_then(|path| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .ok()
        })
        .map_or_else(Stdio::null, Stdio::from)
}

impl S3sServer {
    /// Start `s3s-fs` with [`ACCESS_KEY`]/[`SECRET_KEY`] on a fresh empty root directory.
    pub fn start() -> S3sServer {
        static INSTANCE: AtomicU32 = AtomicU32::new(0);
        let binary = s3s_fs_binary();
        for _ in 0..3 {
            let root = std::env::temp_dir().join(format!(
                "sansboto-s3s-{}-{}",
                std::process::id(),
                INSTANCE.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = std::fs::remove_dir_all(&root);
            std::fs::create_dir_all(&root)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", root.display()));
            let port = free_port();
            let child = Command::new(&binary)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
                .arg(&root)
                .stdin(Stdio::null())
                .stdout(log_sink())
                .stderr(log_sink())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
            let mut server = S3sServer {
                child,
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
                root,
            };
            if server.wait_ready(Duration::from_secs(20)) {
                return server;
            }
        }
        panic!("s3s-fs did not start");
    }

    fn wait_ready(&mut self, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The directory the server stores buckets in (a bucket is a subdirectory).
    pub fn root(&self) -> &std::path::Path {
        &self.root
    }
}

impl Drop for S3sServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
