//! Tiny loopback HTTP/1.1 servers (std::net + threads) shared by the three transport crates'
//! tests: an echo server, misbehaving servers (silent, truncating, closing), a TLS server with a
//! self-signed certificate, and a forward proxy (plain, or speaking TLS itself). Every server binds 127.0.0.1:0 and its threads
//! end on their own (bounded waits), so tests never touch the network or hang. The plain-http
//! servers also answer over memory ([`serve_in_memory`]), for the in-memory transport.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A parsed request as a test server saw it.
#[derive(Clone, Debug, Default)]
pub(crate) struct SeenRequest {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body_len: u64,
    pub body_sum: u64,
}

impl SeenRequest {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The byte at offset `i` of every generated body: easy to check without storing it.
pub(crate) fn pattern(i: u64) -> u8 {
    (i % 251) as u8
}

/// Checksum of a body made of `pattern` bytes, or of any bytes (position-weighted sum).
pub(crate) fn checksum(bytes: impl IntoIterator<Item = u8>, start: u64) -> u64 {
    bytes.into_iter().enumerate().fold(0u64, |acc, (i, b)| {
        acc.wrapping_add((start + i as u64 + 1).wrapping_mul(u64::from(b)))
    })
}

pub(crate) fn pattern_checksum(len: u64) -> u64 {
    checksum((0..len).map(pattern), 0)
}

/// How a server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `GET /bytes/N` → N pattern bytes; anything else → "LEN SUM" of the request body.
    Echo,
    /// Like `Echo`, but answers with `Connection: close` and closes.
    EchoCloseWithHeader,
    /// Like `Echo`, keep-alive headers, but closes the socket right after each response.
    EchoCloseSilently,
    /// Like `EchoCloseSilently`, but closes 50 ms after each response: a client that pools the
    /// connection certainly reuses it before the close arrives.
    EchoCloseLate,
    /// Reads the request and never answers (holds the socket a few seconds).
    Silent,
    /// Declares `Content-Length: 1000`, sends 10 bytes, closes.
    Truncate,
    /// A forward proxy: answers absolute-form requests itself ("proxied TARGET"), and tunnels
    /// `CONNECT host:port` to the real target (over a socket; over memory, which carries no
    /// TLS, it refuses a `CONNECT`).
    Proxy,
    /// A listener that accepts no more connections (see [`register_unaccepting`]).
    Unaccepting,
}

pub(crate) struct Server {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<SeenRequest>>>,
    pub connections: Arc<Mutex<u32>>,
}

impl Server {
    pub(crate) fn start(mode: Mode) -> Server {
        Self::start_inner(mode, None)
    }

    /// An echo server speaking TLS with `tls`.
    pub(crate) fn start_tls(tls: Arc<rustls::ServerConfig>) -> Server {
        Self::start_inner(Mode::Echo, Some(tls))
    }

    /// A forward proxy (as [`Mode::Proxy`]) that speaks TLS with `tls` itself: an `https://`
    /// proxy.
    pub(crate) fn start_tls_proxy(tls: Arc<rustls::ServerConfig>) -> Server {
        Self::start_inner(Mode::Proxy, Some(tls))
    }

    fn start_inner(mode: Mode, tls: Option<Arc<rustls::ServerConfig>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        if tls.is_none() {
            SERVERS
                .lock()
                .unwrap()
                .push((addr, mode, seen.clone(), connections.clone()));
        }
        let (seen2, conns2) = (seen.clone(), connections.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                *conns2.lock().unwrap() += 1;
                let seen = seen2.clone();
                let tls = tls.clone();
                thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                    let _ = stream.set_nodelay(true);
                    match tls {
                        Some(cfg) if mode == Mode::Proxy => {
                            let _ = tls_proxy_conn(stream, cfg, &seen);
                        }
                        None if mode == Mode::Proxy => {
                            let _ = proxy_conn(stream, &seen);
                        }
                        Some(cfg) => {
                            let Ok(conn) = rustls::ServerConnection::new(cfg) else {
                                return;
                            };
                            let mut tls_stream = rustls::StreamOwned::new(conn, stream);
                            linger(serve(&mut tls_stream, mode, &seen));
                        }
                        None => linger(serve(&stream, mode, &seen)),
                    }
                });
            }
        });
        Server {
            addr,
            seen,
            connections,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn connection_count(&self) -> u32 {
        *self.connections.lock().unwrap()
    }
}

/// A plain-http server's state, by address: what the in-memory transport talks to.
type Registered = (
    SocketAddr,
    Mode,
    Arc<Mutex<Vec<SeenRequest>>>,
    Arc<Mutex<u32>>,
);

/// The plain-http servers started in this process.
static SERVERS: Mutex<Vec<Registered>> = Mutex::new(Vec::new());

/// Tell the in-memory network that nothing accepts connections at `addr` (a listener whose
/// accept queue is full: a connect there waits until the client gives up).
pub(crate) fn register_unaccepting(addr: SocketAddr) {
    SERVERS
        .lock()
        .unwrap()
        .push((addr, Mode::Unaccepting, Arc::default(), Arc::default()));
}

/// How long a silent server holds its socket before closing it.
const SILENCE: Duration = Duration::from_secs(5);

/// What a server does with its connection once it has answered what it was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Then {
    /// Waits for the next request (keep-alive; over a socket, until the client closes).
    NextRequest,
    /// Reads nothing more and closes the connection after this long.
    CloseAfter(Duration),
}

/// A socket server's connection as [`serve`] left it: held open as long as it says, then closed
/// (when dropped).
fn linger(then: std::io::Result<Then>) {
    if let Ok(Then::CloseAfter(wait)) = then {
        thread::sleep(wait);
    }
}

/// Whether a connection to `addr` is accepted over memory (counted as a connection, as a
/// socket server counts what it accepts): `None` when no server listens there, `Some(false)`
/// when nothing accepts there (the connect waits until the client gives up).
pub(crate) fn accept_in_memory(addr: SocketAddr) -> Option<bool> {
    let servers = SERVERS.lock().unwrap();
    let (_, mode, _, connections) = servers.iter().find(|s| s.0 == addr)?;
    if *mode == Mode::Unaccepting {
        return Some(false);
    }
    *connections.lock().unwrap() += 1;
    Some(true)
}

/// What the server at an address answers over memory: the bytes it writes, then what it does
/// with the connection.
pub(crate) struct MemoryAnswer {
    pub bytes: Vec<u8>,
    pub then: Then,
}

/// The answer of the server at `addr` to the bytes `request`, sent on a connection
/// [`accept_in_memory`] accepted: its own handler over a buffer instead of a socket, answering
/// the whole requests in it. `None` when no server answers there.
pub(crate) fn serve_in_memory(addr: SocketAddr, request: Vec<u8>) -> Option<MemoryAnswer> {
    let (mode, seen) = {
        let servers = SERVERS.lock().unwrap();
        let (_, mode, seen, _) = servers.iter().find(|s| s.0 == addr)?;
        (*mode, seen.clone())
    };
    let mut pipe = Pipe {
        input: std::io::Cursor::new(request),
        output: Vec::new(),
    };
    let then = match mode {
        Mode::Unaccepting => return None,
        Mode::Proxy => {
            let mut r = BufReader::new(&mut pipe.input);
            match proxy_answer(&mut r, &mut pipe.output, &seen) {
                // Nothing tunnels through memory (it has no TLS to carry): the proxy says so,
                // and closes.
                Ok(Some(_connect)) => {
                    let refusal = b"HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n";
                    pipe.output.extend_from_slice(refusal);
                    Then::CloseAfter(Duration::ZERO)
                }
                Ok(None) => Then::NextRequest,
                Err(_) => Then::CloseAfter(Duration::ZERO),
            }
        }
        _ => serve(&mut pipe, mode, &seen).unwrap_or(Then::CloseAfter(Duration::ZERO)),
    };
    Some(MemoryAnswer {
        bytes: pipe.output,
        then,
    })
}

/// One exchange's bytes: the request to read, the answer written.
struct Pipe {
    input: std::io::Cursor<Vec<u8>>,
    output: Vec<u8>,
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.input.read(buf)
    }
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.output.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn read_head(r: &mut impl BufRead) -> std::io::Result<Option<SeenRequest>> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let mut req = SeenRequest {
        method: parts.next().unwrap_or_default().to_owned(),
        target: parts.next().unwrap_or_default().to_owned(),
        ..SeenRequest::default()
    };
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            req.headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    Ok(Some(req))
}

/// Read the body (Content-Length or chunked) without storing it: length and checksum only.
fn read_body(r: &mut impl BufRead, req: &mut SeenRequest) -> std::io::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut consume =
        |r: &mut dyn Read, mut n: u64, req: &mut SeenRequest| -> std::io::Result<()> {
            while n > 0 {
                let want = n.min(buf.len() as u64) as usize;
                let got = r.read(&mut buf[..want])?;
                if got == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                req.body_sum = req
                    .body_sum
                    .wrapping_add(checksum(buf[..got].iter().copied(), req.body_len));
                req.body_len += got as u64;
                n -= got as u64;
            }
            Ok(())
        };
    if req
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            r.read_line(&mut size)?;
            let n =
                u64::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
            if n == 0 {
                // Trailers (none expected) end with an empty line.
                loop {
                    size.clear();
                    r.read_line(&mut size)?;
                    if size.trim().is_empty() {
                        return Ok(());
                    }
                }
            }
            consume(r, n, req)?;
            size.clear();
            r.read_line(&mut size)?;
        }
    }
    let len = req
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    consume(r, len, req)
}

/// Answer requests on `stream` as `mode` says, until it ends (a client closing it, or the end
/// of a buffer's requests) or the mode closes it: what then becomes of the connection.
fn serve<S: Read + Write>(
    stream: S,
    mode: Mode,
    seen: &Mutex<Vec<SeenRequest>>,
) -> std::io::Result<Then> {
    let mut r = BufReader::new(stream);
    loop {
        let Some(mut req) = read_head(&mut r)? else {
            return Ok(Then::NextRequest);
        };
        if req
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
        {
            r.get_mut().write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        read_body(&mut r, &mut req)?;
        seen.lock().unwrap().push(req.clone());
        let w = r.get_mut();
        match mode {
            Mode::Silent => return Ok(Then::CloseAfter(SILENCE)),
            Mode::Truncate => {
                w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")?;
                w.flush()?;
                return Ok(Then::CloseAfter(Duration::ZERO));
            }
            _ => {}
        }
        let close = match mode {
            Mode::EchoCloseWithHeader => "Connection: close\r\n",
            _ => "",
        };
        if let Some(n) = req
            .target
            .strip_prefix("/bytes/")
            .and_then(|n| n.parse::<u64>().ok())
        {
            write!(w, "HTTP/1.1 200 OK\r\nContent-Length: {n}\r\n{close}\r\n")?;
            let mut chunk = Vec::with_capacity(64 * 1024);
            let mut i = 0;
            while i < n {
                chunk.clear();
                chunk.extend((i..n.min(i + 64 * 1024)).map(pattern));
                w.write_all(&chunk)?;
                i += chunk.len() as u64;
            }
        } else if req.method == "HEAD" {
            write!(w, "HTTP/1.1 200 OK\r\nContent-Length: 12345\r\n{close}\r\n")?;
        } else {
            let body = format!("{} {} {}", req.method, req.body_len, req.body_sum);
            write!(w, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: text/plain\r\n{close}\r\n{body}", body.len())?;
        }
        w.flush()?;
        if matches!(mode, Mode::EchoCloseWithHeader | Mode::EchoCloseSilently) {
            return Ok(Then::CloseAfter(Duration::ZERO));
        }
        if mode == Mode::EchoCloseLate {
            return Ok(Then::CloseAfter(Duration::from_millis(50)));
        }
    }
}

/// The forward proxy: absolute-form requests are answered by the proxy itself
/// ([`proxy_answer`]), `CONNECT host:port` is tunnelled to the target with two copy threads.
fn proxy_conn(stream: TcpStream, seen: &Mutex<Vec<SeenRequest>>) -> std::io::Result<()> {
    let mut r = BufReader::new(stream.try_clone()?);
    let mut w = stream;
    let Some(req) = proxy_answer(&mut r, &mut w, seen)? else {
        return Ok(());
    };
    let Ok(mut upstream) = TcpStream::connect(&req.target) else {
        w.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(());
    };
    w.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    upstream.write_all(r.buffer())?;
    let mut up_read = upstream.try_clone()?;
    let mut client_write = w;
    thread::spawn(move || {
        let _ = std::io::copy(&mut up_read, &mut client_write);
        let _ = client_write.shutdown(std::net::Shutdown::Both);
    });
    let mut client_read = r.into_inner();
    let _ = std::io::copy(&mut client_read, &mut upstream);
    let _ = upstream.shutdown(std::net::Shutdown::Both);
    Ok(())
}

/// An `https://` proxy's connection: the TLS handshake, then [`proxy_answer`] over TLS; a
/// `CONNECT` is tunnelled inside the TLS session to the target (one thread relaying both ways
/// with short waits, since a rustls session cannot be split between two threads).
fn tls_proxy_conn(
    tcp: TcpStream,
    cfg: Arc<rustls::ServerConfig>,
    seen: &Mutex<Vec<SeenRequest>>,
) -> std::io::Result<()> {
    let conn = rustls::ServerConnection::new(cfg).map_err(std::io::Error::other)?;
    let tls = std::cell::RefCell::new(rustls::StreamOwned::new(conn, tcp));
    // Heads are read a byte at a time, so nothing after a `CONNECT` head is read early.
    let mut one_byte = BufReader::with_capacity(1, Shared(&tls));
    let req = proxy_answer(&mut one_byte, &mut Shared(&tls), seen)?;
    drop(one_byte);
    let mut tls = tls.into_inner();
    let Some(req) = req else { return Ok(()) };
    let Ok(mut upstream) = TcpStream::connect(&req.target) else {
        tls.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")?;
        return tls.flush();
    };
    tls.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    tls.flush()?;
    let wait = Some(Duration::from_millis(2));
    tls.sock.set_read_timeout(wait)?;
    upstream.set_read_timeout(wait)?;
    let waited = |e: &std::io::Error| {
        matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )
    };
    let mut buf = vec![0u8; 16 * 1024];
    let idle_limit = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < idle_limit {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => upstream.write_all(&buf[..n])?,
            Err(e) if waited(&e) => {}
            Err(_) => break,
        }
        match upstream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                tls.write_all(&buf[..n])?;
                tls.flush()?;
            }
            Err(e) if waited(&e) => {}
            Err(_) => break,
        }
    }
    tls.conn.send_close_notify();
    let _ = tls.flush();
    let _ = upstream.shutdown(std::net::Shutdown::Both);
    Ok(())
}

/// One stream as both the reader and the writer of [`proxy_answer`] (which never does both at
/// once).
struct Shared<'a, S>(&'a std::cell::RefCell<S>);

impl<S: Read> Read for Shared<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}

impl<S: Write> Write for Shared<'_, S> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// The forward proxy's requests, each recorded: absolute-form ones it answers itself
/// ("proxied TARGET") until the input ends (`None`), or a `CONNECT`, left to the caller to
/// answer (the tunnel is its connection's).
fn proxy_answer(
    r: &mut impl BufRead,
    w: &mut impl Write,
    seen: &Mutex<Vec<SeenRequest>>,
) -> std::io::Result<Option<SeenRequest>> {
    loop {
        let Some(mut req) = read_head(r)? else {
            return Ok(None);
        };
        seen.lock().unwrap().push(req.clone());
        if req.method == "CONNECT" {
            return Ok(Some(req));
        }
        read_body(r, &mut req)?;
        let body = format!("proxied {}", req.target);
        write!(
            w,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )?;
        w.flush()?;
    }
}

/// A self-signed certificate for `localhost` / 127.0.0.1: (server config, PEM of the cert).
/// (`sansboto_tests::self_signed_tls` makes the same; the transport crates' tests include this
/// module without depending on `sansboto-tests`.)
pub(crate) fn self_signed() -> (Arc<rustls::ServerConfig>, String) {
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("generate certificate");
    let pem = cert.cert.pem();
    let der = cert.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.key_pair.serialize_der().into());
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![der], key)
    .expect("server config");
    (Arc::new(cfg), pem)
}

/// Write `contents` to a fresh file under the target dir's temp area and return its path.
pub(crate) fn temp_file(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sansboto-transport-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write temp file");
    path
}

/// A port on which nothing listens (bound then released).
pub(crate) fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A TLS server (the self-signed certificate of [`self_signed`]: clients use `verify = false`)
/// that runs a script on each TCP connection it accepts, for the faults the echo server cannot
/// make: a handshake that stalls, a close without `close_notify`, a `close_notify` sent with a
/// response. Scripts end on their own (bounded waits).
pub(crate) struct ScriptedTls {
    pub addr: SocketAddr,
    pub connections: Arc<Mutex<u32>>,
}

impl ScriptedTls {
    pub(crate) fn start(
        script: impl Fn(TcpStream, Arc<rustls::ServerConfig>) + Send + Sync + 'static,
    ) -> ScriptedTls {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let connections = Arc::new(Mutex::new(0));
        let counted = connections.clone();
        let (cfg, _) = self_signed();
        let script = Arc::new(script);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                *counted.lock().unwrap() += 1;
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let (script, cfg) = (script.clone(), cfg.clone());
                thread::spawn(move || script(stream, cfg));
            }
        });
        ScriptedTls { addr, connections }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.addr.port())
    }

    pub(crate) fn connection_count(&self) -> u32 {
        *self.connections.lock().unwrap()
    }
}

/// Accept TLS on `tcp` and read one request head (a request without a body): the connection
/// and the request's target, or `None` when the client went away.
pub(crate) fn tls_accept_request(
    tcp: &mut TcpStream,
    cfg: Arc<rustls::ServerConfig>,
) -> Option<(rustls::ServerConnection, String)> {
    let mut conn = rustls::ServerConnection::new(cfg).ok()?;
    let mut head = Vec::new();
    {
        let mut tls = rustls::Stream::new(&mut conn, tcp);
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if tls.read(&mut byte).ok()? == 0 {
                return None;
            }
            head.push(byte[0]);
        }
    }
    let line = String::from_utf8_lossy(&head).into_owned();
    let target = line.split_whitespace().nth(1)?.to_owned();
    Some((conn, target))
}

/// Write `response` on `conn`, then a `close_notify` when `close_notify`, all in one TCP write
/// (so the client receives the records together).
pub(crate) fn tls_answer(
    conn: &mut rustls::ServerConnection,
    tcp: &mut TcpStream,
    response: &[u8],
    close_notify: bool,
) -> std::io::Result<()> {
    conn.writer().write_all(response)?;
    if close_notify {
        conn.send_close_notify();
    }
    let mut wire = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut wire)?;
    }
    tcp.write_all(&wire)?;
    tcp.flush()
}

/// A TLS server's script that takes the client's hello and then sends nothing for 5 s, or,
/// when `trickle`, a handshake record announcing 16 KiB whose bytes come one every 50 ms.
pub(crate) fn stalled_handshake(mut tcp: TcpStream, trickle: bool) {
    let _ = tcp.read(&mut [0u8; 4096]);
    if !trickle {
        thread::sleep(Duration::from_secs(5));
        return;
    }
    let _ = tcp.write_all(&[0x16, 0x03, 0x03, 0x40, 0x00]);
    for _ in 0..100 {
        thread::sleep(Duration::from_millis(50));
        if tcp.write_all(&[0]).is_err() {
            return;
        }
    }
}

/// A TLS server's script that answers one request and ends the TCP stream, without
/// `close_notify` unless the target is `/close-delimited-notify`: `/length-cut` declares 100
/// bytes and sends 5, `/chunked-cut` sends one chunk and no end, anything else is a body
/// delimited by the close (`hello world`).
pub(crate) fn answer_then_close(mut tcp: TcpStream, cfg: Arc<rustls::ServerConfig>) {
    let Some((mut conn, target)) = tls_accept_request(&mut tcp, cfg) else {
        return;
    };
    let response: &[u8] = match target.as_str() {
        "/length-cut" => b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello",
        "/chunked-cut" => b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        _ => b"HTTP/1.1 200 OK\r\n\r\nhello world",
    };
    let notify = target == "/close-delimited-notify";
    let _ = tls_answer(&mut conn, &mut tcp, response, notify);
    let _ = tcp.shutdown(std::net::Shutdown::Both);
}
