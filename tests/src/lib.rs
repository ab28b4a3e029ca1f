//! Shared helpers for sansboto's integration tests: where the botocore test data lives.
//!
//! `scripts/test` fetches the pinned botocore sdist and exports `SANSBOTO_BOTOCORE_DIR`; when a test
//! is run directly with `cargo test`, the same cache under `.cache/` is used.

use std::path::PathBuf;
use std::process::Command;

/// The workspace root (parent of this crate).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The pinned botocore version (written only in `models/BOTOCORE_VERSION`).
pub fn botocore_version() -> String {
    std::fs::read_to_string(workspace_root().join("models/BOTOCORE_VERSION"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|e| panic!("cannot read models/BOTOCORE_VERSION: {e}"))
}

/// The unpacked botocore sdist (its `tests/` and `botocore/data/`).
///
/// Panics with the command to run when the data is missing: every conformance case counts, so a
/// missing corpus is a failure, not a skip.
pub fn botocore_dir() -> PathBuf {
    let dir = std::env::var_os("SANSBOTO_BOTOCORE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            workspace_root().join(format!(".cache/botocore-{}", botocore_version()))
        });
    assert!(
        dir.join("tests").is_dir(),
        "botocore test data not found at {}; run scripts/fetch-botocore (scripts/test does)",
        dir.display()
    );
    dir
}

/// `../shared/testdata/botocore`, the browsable copy with extras not on PyPI (aws-c-auth vectors,
/// event-stream frames). `None` when absent: tests using it report their cases as skipped.
pub fn shared_testdata_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SANSBOTO_SHARED_TESTDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/testdata/botocore"));
    dir.is_dir().then_some(dir)
}

/// aws-cli v1 (the release built on the pinned botocore), unpacked by `scripts/ensure-awscli`:
/// `SANSBOTO_AWSCLI_DIR`, else `.cache/awscli-1.46.3` in the workspace. Put it on `PYTHONPATH`
/// of [`botocore::python`] and run `awscli.clidriver.main`.
///
/// Panics with the command to run when it is missing.
pub fn awscli_dir() -> PathBuf {
    let dir = std::env::var_os("SANSBOTO_AWSCLI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".cache/awscli-1.46.3"));
    assert!(
        dir.join("awscli").is_dir(),
        "aws-cli is not installed at {}: run scripts/ensure-awscli (scripts/test does)",
        dir.display()
    );
    dir
}

/// aws-cli v1 ([`awscli_dir`]) as a command, in [`test_environment`]: Python with aws-cli on
/// its path running `awscli.clidriver.main`; add the arguments (`s3`, `cp`, …) and run it.
pub fn awscli_command() -> Command {
    let mut python = Command::new(botocore::python());
    test_environment(&mut python)
        .env("PYTHONPATH", awscli_dir())
        .args(["-c", AWSCLI_MAIN]);
    python
}

/// A self-signed certificate for `localhost` and 127.0.0.1, and a rustls server config that
/// presents it: the loopback HTTPS servers' (with the PEM, for a client's CA bundle).
pub fn self_signed_tls() -> (std::sync::Arc<rustls::ServerConfig>, String) {
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("generate certificate");
    let pem = cert.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.key_pair.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .expect("server config");
    (std::sync::Arc::new(config), pem)
}

/// The command a side-by-side test runs its words with: aws-cli's ([`awscli_command`]) when
/// `aws`, else the `sansboto` binary at `sansboto` (a CLI test's `env!("CARGO_BIN_EXE_sansboto")`),
/// both in [`test_environment`].
pub fn cli_command(aws: bool, sansboto: &str) -> Command {
    if aws {
        return awscli_command();
    }
    let mut cmd = Command::new(sansboto);
    test_environment(&mut cmd);
    cmd
}

/// Run the Python `program` (`python -c`) with aws-cli ([`awscli_dir`]) on its path, in
/// [`test_environment`] plus `env`, with `args` and `stdin`; what it prints is read as JSON.
/// Panics, with its standard error, if it fails.
pub fn awscli_python_json(
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: &str,
) -> serde_json::Value {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = test_environment(&mut Command::new(botocore::python()))
        .arg("-c")
        .arg(program)
        .args(args)
        .envs(env.iter().copied())
        .env("PYTHONPATH", awscli_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    let mut input = child.stdin.take().expect("python's standard input");
    input
        .write_all(stdin.as_bytes())
        .expect("python reads its input");
    drop(input);
    let out = child.wait_with_output().expect("python runs");
    assert!(
        out.status.success(),
        "the Python program failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the Python program prints JSON")
}

/// The Python program that runs aws-cli's command line on `sys.argv`.
pub const AWSCLI_MAIN: &str = "import sys\nfrom awscli.clidriver import main\nsys.exit(main())";

/// Gives `cmd` (sansboto's binary, or Python running botocore or aws-cli) only what a test
/// needs of the environment: `PATH`, test keys, region `us-east-1`, no config or credentials
/// file (`/dev/null`), a `HOME` that does not exist and no instance metadata. A test that
/// needs something else overrides it with `env` or `env_remove` afterwards.
pub fn test_environment(cmd: &mut Command) -> &mut Command {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
}

/// Deterministic randomness for the generated differential suites: the core's SplitMix64
/// with the draws a generator makes, so a suite makes the same cases on every run.
pub struct Rng(sansboto_core::machine::SplitMix64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(sansboto_core::machine::SplitMix64(seed))
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        use sansboto_core::machine::RandomSource as _;
        self.0.next_u64()
    }
    /// A number below `n` (which must not be 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    /// True with probability `p`, drawn from 53 bits.
    pub fn probability(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    /// One of `items` (which must not be empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// Up to `max` random bytes.
    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.below(max + 1);
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
    /// From `min` to `max` decimal digits.
    pub fn digits(&mut self, min: usize, max: usize) -> String {
        let len = min + self.below(max - min + 1);
        (0..len)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

pub mod botocore;
pub mod moto;
pub mod s3s;
pub mod script_server;

/// A loopback listener that accepts one connection and no more: with `listen(0)` its accept
/// queue holds one, which `_filler` takes, and Linux drops the SYNs of any further connection
/// while the queue is full, so a connect to [`addr`](Self::addr) waits until the client's
/// connect timeout.
pub struct Unaccepting {
    /// Where to connect.
    pub addr: std::net::SocketAddr,
    _listener: socket2::Socket,
    _filler: std::net::TcpStream,
}

impl Unaccepting {
    /// A listener on a free loopback port, its queue full.
    pub fn start() -> Self {
        use socket2::{Domain, Socket, Type};
        let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
        listener.bind(&any.into()).unwrap();
        listener.listen(0).unwrap();
        let addr = listener.local_addr().unwrap().as_socket().unwrap();
        let filler = std::net::TcpStream::connect(addr).unwrap();
        Unaccepting {
            addr,
            _listener: listener,
            _filler: filler,
        }
    }
}
