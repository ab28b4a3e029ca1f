//! The credential chain against real (tiny) HTTP servers on 127.0.0.1: an IMDS with IMDSv2
//! tokens, a slow IMDS that trips the per-request timeout, and a container credentials endpoint
//! that checks its authorization token. A minimal blocking driver (std `TcpStream`, HTTP/1.1,
//! `Connection: close`) stands in for the transports.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use sansboto_core::config::SharedConfig;
use sansboto_core::credentials::{ChainOptions, CredentialChain, Credentials, CredentialsError};
use sansboto_core::machine::{Machine, ProcessOutput, RequestTimeout, Step};
use sansboto_core::Body;
use sansboto_core::{TransportError, TransportErrorKind};

/// A request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: HashMap<String, String>,
}

/// What the server answers: status, body, and how long to wait before answering.
type Route = dyn Fn(&Seen) -> (u16, String, Duration) + Send + Sync;

/// A one-thread HTTP/1.1 server that stops by itself (stop flag, or 30 s at most).
struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(route: impl Fn(&Seen) -> (u16, String, Duration) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let route: Arc<Route> = Arc::new(route);
        let thread = {
            let (seen, stop) = (seen.clone(), stop.clone());
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(30);
                let mut served = 0;
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline && served < 100 {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            served += 1;
                            let (route, seen) = (route.clone(), seen.clone());
                            // Each connection on its own thread, so a slow answer does not
                            // hold up the next request.
                            std::thread::spawn(move || serve(stream, &*route, &seen));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Server {
            addr,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(mut stream: TcpStream, route: &Route, seen: &Mutex<Vec<Seen>>) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let path = first.next().unwrap_or_default().to_string();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let request = Seen {
        method,
        path,
        headers,
    };
    seen.lock().unwrap().push(request.clone());
    let (status, body, delay) = route(&request);
    std::thread::sleep(delay);
    let reply = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
}

/// Sends one request over a fresh connection, honouring the machine's `RequestTimeout`.
fn send(request: &http::Request<Body>) -> Result<http::Response<Bytes>, TransportError> {
    let timeout = request
        .extensions()
        .get::<RequestTimeout>()
        .map_or(Duration::from_secs(10), |t| t.0);
    let uri = request.uri();
    let host = uri.host().unwrap_or_default();
    let port = uri.port_u16().unwrap_or(80);
    let io_error = |e: std::io::Error| {
        let kind = match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                TransportErrorKind::Timeout
            }
            std::io::ErrorKind::ConnectionRefused => TransportErrorKind::Connect,
            _ => TransportErrorKind::Io,
        };
        TransportError::new(kind, e.to_string())
    };
    let addr: SocketAddr = format!("{host}:{port}").parse().map_err(|_| {
        TransportError::new(TransportErrorKind::Request, "test driver: IP hosts only")
    })?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(io_error)?;
    stream.set_read_timeout(Some(timeout)).map_err(io_error)?;
    let body = request.body().as_bytes().unwrap_or_default();
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        request.method(),
        uri.path_and_query().map_or("/", |p| p.as_str()),
        body.len()
    );
    for (name, value) in request.headers() {
        head.push_str(&format!(
            "{name}: {}\r\n",
            value.to_str().unwrap_or_default()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).map_err(io_error)?;
    stream.write_all(body).map_err(io_error)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(io_error)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| TransportError::new(TransportErrorKind::Io, "truncated response"))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| TransportError::new(TransportErrorKind::Io, "bad status line"))?;
    Ok(http::Response::builder()
        .status(status)
        .body(Bytes::copy_from_slice(&raw[split + 4..]))
        .unwrap())
}

/// The blocking driver loop: what a transport does with each `Step`.
fn drive(chain: &mut CredentialChain) -> Result<Credentials, CredentialsError> {
    for _ in 0..50 {
        match chain.poll(SystemTime::now()) {
            Step::Send(request) => chain.handle_response(send(&request)),
            Step::ReadFile(path) => chain.handle_file(std::fs::read(path).map(Bytes::from)),
            Step::WriteFile(path, contents) => chain.handle_written(std::fs::write(path, contents)),
            Step::RunProcess(_) => chain.handle_process(Ok(ProcessOutput::default())),
            Step::AskMfaCode(prompt) => chain.handle_mfa_code(prompt.ask()),
            Step::Sleep(d) => std::thread::sleep(d),
            Step::Done(creds) => return Ok(creds),
            Step::Failed(error) => return Err(error),
        }
    }
    panic!("the chain did not finish");
}

fn chain(env: &[(&str, &str)], options: ChainOptions) -> CredentialChain {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    CredentialChain::new(&env, Arc::new(SharedConfig::default()), options)
}

fn role_credentials(expiry: &str) -> String {
    format!(
        r#"{{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "AKIMDSLOCAL",
            "SecretAccessKey": "imds-secret", "Token": "imds-token", "Expiration": "{expiry}"}}"#
    )
}

#[test]
fn imds_v2_against_a_local_server() {
    let server = Server::start(|req| {
        let ok = |body: &str| (200, body.to_string(), Duration::ZERO);
        match (req.method.as_str(), req.path.as_str()) {
            ("PUT", "/latest/api/token") => {
                assert_eq!(req.headers["x-aws-ec2-metadata-token-ttl-seconds"], "21600");
                ok("local-token")
            }
            (_, path)
                if req
                    .headers
                    .get("x-aws-ec2-metadata-token")
                    .map(String::as_str)
                    != Some("local-token") =>
            {
                (401, format!("no token for {path}"), Duration::ZERO)
            }
            ("GET", "/latest/meta-data/iam/security-credentials/") => ok("local-role"),
            ("GET", "/latest/meta-data/iam/security-credentials/local-role") => {
                ok(&role_credentials("2099-01-01T00:00:00Z"))
            }
            _ => (404, String::new(), Duration::ZERO),
        }
    });
    let endpoint = server.url("/");
    let mut c = chain(
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)],
        ChainOptions::default(),
    );
    let creds = drive(&mut c).unwrap();
    assert_eq!(creds.access_key_id(), "AKIMDSLOCAL");
    assert_eq!(creds.secret_access_key(), "imds-secret");
    assert_eq!(creds.session_token(), Some("imds-token"));
    let expiry = sansboto_core::Timestamp::parse_iso8601("2099-01-01T00:00:00Z").unwrap();
    assert_eq!(creds.expiry(), Some(expiry.to_system_time()));
    let paths: Vec<String> = server
        .seen()
        .iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert_eq!(
        paths,
        [
            "PUT /latest/api/token",
            "GET /latest/meta-data/iam/security-credentials/",
            "GET /latest/meta-data/iam/security-credentials/local-role"
        ]
    );
}

#[test]
fn slow_imds_token_times_out_and_falls_back_to_v1() {
    let server = Server::start(|req| match req.path.as_str() {
        "/latest/api/token" => (200, "late-token".into(), Duration::from_millis(1500)),
        "/latest/meta-data/iam/security-credentials/" => (200, "v1-role".into(), Duration::ZERO),
        "/latest/meta-data/iam/security-credentials/v1-role" => (
            200,
            role_credentials("2099-01-01T00:00:00Z"),
            Duration::ZERO,
        ),
        _ => (404, String::new(), Duration::ZERO),
    });
    let endpoint = server.url("");
    let options = ChainOptions {
        imds_timeout: Some(Duration::from_millis(300)),
        ..Default::default()
    };
    let mut c = chain(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)], options);
    let started = Instant::now();
    let creds = drive(&mut c).unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(creds.access_key_id(), "AKIMDSLOCAL");
    // The v1 requests carry no token.
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen[1..]
        .iter()
        .all(|s| !s.headers.contains_key("x-aws-ec2-metadata-token")));
}

#[test]
fn slow_imds_everywhere_gives_nothing_within_the_timeouts() {
    let server = Server::start(|_| (200, "late".into(), Duration::from_millis(1500)));
    let endpoint = server.url("/");
    let options = ChainOptions {
        imds_timeout: Some(Duration::from_millis(200)),
        imds_attempts: Some(2),
        ..Default::default()
    };
    let mut c = chain(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)], options);
    let started = Instant::now();
    let err = drive(&mut c).unwrap_err();
    // One token PUT (timeout = no IMDSv2), then two attempts at the v1 role name.
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, CredentialsError::NotFound { .. }));
    assert!(err.to_string().contains("iam-role (timed out"), "{err}");
    assert_eq!(server.seen().len(), 3);
}

#[test]
fn container_endpoint_with_authorization_token_file() {
    let server = Server::start(|req| {
        if req.headers.get("authorization").map(String::as_str) != Some("Bearer local-secret") {
            return (401, "unauthorized".into(), Duration::ZERO);
        }
        assert_eq!(req.headers["accept"], "application/json");
        let body = r#"{"AccessKeyId": "AKECSLOCAL", "SecretAccessKey": "ecs-secret",
                       "Token": "ecs-token", "Expiration": "2099-06-01T12:00:00Z",
                       "AccountId": "123456789012"}"#;
        (200, body.into(), Duration::ZERO)
    });
    let dir = std::env::temp_dir().join(format!("sansboto-creds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    std::fs::write(&token_file, "Bearer local-secret").unwrap();
    let full_uri = server.url("/v1/credentials");
    let token_path = token_file.to_string_lossy().into_owned();
    let env = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            token_path.as_str(),
        ),
    ];
    let mut c = chain(
        &env,
        ChainOptions {
            imds_disabled: true,
            ..Default::default()
        },
    );
    let creds = drive(&mut c).unwrap();
    assert_eq!(creds.access_key_id(), "AKECSLOCAL");
    assert_eq!(creds.session_token(), Some("ecs-token"));
    assert_eq!(creds.account_id(), Some("123456789012"));
    assert_eq!(server.seen().len(), 1);

    // An inline token that the server refuses: three attempts with 1 s pauses, then an error.
    let env = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer wrong"),
    ];
    let mut c = chain(
        &env,
        ChainOptions {
            imds_disabled: true,
            ..Default::default()
        },
    );
    let err = drive(&mut c).unwrap_err();
    assert!(err.to_string().contains("non 200 response 401"), "{err}");
    assert_eq!(server.seen().len(), 4);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The container endpoint's `AccountId` as botocore keeps it (`response.get('AccountId')`):
/// absent is no account; empty is kept, for account-based endpoint rules to refuse.
#[test]
fn container_account_id_absent_or_empty() {
    for (extra, expected) in [("", None), (r#", "AccountId": """#, Some(""))] {
        let body = format!(
            r#"{{"AccessKeyId": "AKECS", "SecretAccessKey": "s", "Token": "t",
                 "Expiration": "2099-06-01T12:00:00Z"{extra}}}"#
        );
        let server = Server::start(move |_| (200, body.clone(), Duration::ZERO));
        let full_uri = server.url("/v1/credentials");
        let env = [("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str())];
        let options = ChainOptions {
            imds_disabled: true,
            ..Default::default()
        };
        let creds = drive(&mut chain(&env, options)).unwrap();
        assert_eq!(creds.account_id(), expected, "{extra}");
    }
}
