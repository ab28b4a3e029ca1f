//! A moto server (our stand-in for AWS) on a free loopback port, stopped when dropped.
//!
//! `scripts/test` installs the pinned `moto[server]` into `.venv` (see `scripts/ensure-moto`) and
//! exports its python as `SANSBOTO_MOTO_PYTHON`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server.
pub struct MotoServer {
    child: Child,
    addr: SocketAddr,
}

/// The python that has moto installed.
pub(crate) fn moto_python() -> PathBuf {
    if let Some(p) = std::env::var_os("SANSBOTO_MOTO_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = crate::workspace_root().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "moto is not installed: run scripts/ensure-moto (scripts/test does) to create .venv"
    );
    venv
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free loopback port: {e}"))
}

impl MotoServer {
    /// Start moto with default settings.
    pub fn start() -> MotoServer {
        Self::start_with_env(&[])
    }

    /// Start moto with extra environment (e.g. `INITIAL_NO_AUTH_ACTION_COUNT`).
    pub fn start_with_env(env: &[(&str, &str)]) -> MotoServer {
        let python = moto_python();
        // Retry on the rare race where another process takes the port between probe and bind.
        for _ in 0..3 {
            let port = free_port();
            let mut cmd = Command::new(&python);
            cmd.args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .env("MOTO_ALLOW_NONEXISTENT_REGION", "true");
            for (k, v) in env {
                cmd.env(k, v);
            }
            let child = cmd
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start moto with {}: {e}", python.display()));
            let mut server = MotoServer {
                child,
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
            };
            if server.wait_ready(Duration::from_secs(30)) {
                return server;
            }
        }
        panic!("moto server did not start");
    }

    fn wait_ready(&mut self, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if let Ok(mut s) = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let req = "GET /moto-api/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
                let mut buf = [0u8; 12];
                if s.write_all(req.as_bytes()).is_ok()
                    && s.read_exact(&mut buf).is_ok()
                    && buf.starts_with(b"HTTP/1.")
                {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
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
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
