//! An in-memory transport written against the core's contract (`Http` + `Timer` + `Host` +
//! `Transport`), to show a fourth runtime is short to write: no socket, the loopback servers'
//! request handler ([`support::serve_in_memory`]) answers over a byte buffer, and time is a
//! virtual clock ([`clock`]) that jumps to the next deadline instead of waiting. It moves bytes
//! and nothing else: what is checked of a response body is the core's `ResponseCheck`, the
//! `Content-Length` rule is the core's `Body::request_content_length`, how long a read may wait
//! is the core's `SocketTimer`, the proxy `CONNECT` exchange is the core's `TunnelHandshake`.
//! Its futures run on any executor (the tests use smol's).

use std::future::Future;
use std::io::{Read, Seek};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use sansboto_core::connection::{timed_out, Direction, SocketTimer};
use sansboto_core::machine::ProcessOutput;
use sansboto_core::response_check::ResponseCheck;
use sansboto_core::runtime::{Host, Http, Timer, Transport};
use sansboto_core::transfer::{FileJob, FileOutput};
use sansboto_core::{io_error_kind, HttpConfig, ProxyConfig, TunnelHandshake};
use sansboto_core::{Body, StreamingBody};
use sansboto_core::{TransportError, TransportErrorKind};

use super::support;

/// This transport's streaming request source: chunks made in memory.
pub(crate) type Chunks = Box<dyn Iterator<Item = Bytes> + Send>;

/// A client of the in-memory network; each clone is a connection of its own to every server.
#[derive(Clone, Debug, Default)]
pub(crate) struct MemoryTransport {
    /// The servers this client has "connected" to (one kept-alive connection each).
    connected: std::sync::Arc<std::sync::Mutex<Vec<SocketAddr>>>,
    read_timeout: Duration,
    connect_timeout: Duration,
    proxy: Option<ProxyConfig>,
}

/// A response body held in memory, handed out in pieces.
#[derive(Debug)]
pub(crate) struct MemoryBody {
    pieces: std::collections::VecDeque<Bytes>,
    check: ResponseCheck,
}

impl Transport for MemoryTransport {
    type Run<'a, T: 'a> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    fn run<'a, T: 'a>(future: impl Future<Output = T> + Send + 'a) -> Self::Run<'a, T> {
        Box::pin(future)
    }
}

impl Http for MemoryTransport {
    type ResponseBody = MemoryBody;

    fn connect(config: &HttpConfig) -> Result<Self, TransportError> {
        Ok(MemoryTransport {
            read_timeout: config.read_timeout,
            connect_timeout: config.connect_timeout,
            proxy: config.proxy.clone(),
            ..MemoryTransport::default()
        })
    }

    async fn send(
        &self,
        request: http::Request<Body>,
    ) -> Result<http::Response<MemoryBody>, TransportError> {
        let (parts, body) = request.into_parts();
        let wire = encode(&parts, body)?;
        let origin = address(&parts.uri)?;
        let tunnel = self
            .proxy
            .as_ref()
            .and_then(|p| p.proxy_for_uri(&parts.uri));
        let (mut bytes, holds_open) = match tunnel {
            None => self.exchange(origin, wire).await?,
            Some(proxy) => {
                let mut handshake =
                    TunnelHandshake::new(proxy, &origin.ip().to_string(), origin.port());
                let mut request = handshake.request().to_vec();
                request.extend_from_slice(&wire);
                let at = format!("{}:{}", proxy.host, proxy.port);
                let at = at
                    .parse()
                    .map_err(|_| failed(TransportErrorKind::Connect, &at))?;
                let (answer, holds_open) = self.exchange(at, request).await?;
                let mut answer = answer.into_iter();
                while !handshake.push(answer.next()).map_err(io_failure)? {}
                (answer.collect(), holds_open)
            }
        };
        // Nothing more comes from a silent server: the read of the head waits, as long as the
        // core's timer allows, on the virtual clock.
        let mut timer = SocketTimer::new(self.read_timeout);
        let head_end = loop {
            if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            if !holds_open {
                return Err(failed(
                    TransportErrorKind::Io,
                    "closed before a response head",
                ));
            }
            let deadline = timer
                .wait(Direction::Read, clock::instant())
                .map_err(io_failure)?;
            clock::sleep_until(deadline).await;
        };
        let body = Bytes::from(bytes.split_off(head_end));
        parse_response(&parts.method, &bytes, body)
    }

    async fn read_chunk(&self, body: &mut MemoryBody) -> Result<Option<Bytes>, TransportError> {
        match body.pieces.pop_front() {
            Some(piece) => body.check.piece(&piece, self.now()).map(|()| Some(piece)),
            None => body.check.end().map(|()| None),
        }
    }

    fn check(body: &mut MemoryBody) -> &mut ResponseCheck {
        &mut body.check
    }

    fn proxy_for(&self, uri: &http::Uri) -> Option<String> {
        Some(self.proxy.as_ref()?.proxy_for_uri(uri)?.to_string())
    }
}

impl MemoryTransport {
    /// Send `request` to the server at `addr` over this client's connection to it: its answer
    /// and whether it then holds the connection open. A server that never accepts the
    /// connection makes the connect wait its timeout (on the virtual clock).
    async fn exchange(
        &self,
        addr: SocketAddr,
        request: Vec<u8>,
    ) -> Result<(Vec<u8>, bool), TransportError> {
        let first = {
            let mut connected = self.connected.lock().unwrap_or_else(|p| p.into_inner());
            let first = !connected.contains(&addr);
            if first {
                connected.push(addr);
            }
            first
        };
        let answer = support::serve_in_memory(addr, request, first)
            .ok_or_else(|| failed(TransportErrorKind::Connect, &format!("nothing at {addr}")))?;
        if !answer.accepted {
            let limit = self.connect_timeout;
            clock::sleep_until(clock::instant() + limit).await;
            return Err(io_failure(timed_out(
                &format!("connecting to {addr}"),
                limit,
            )));
        }
        Ok((answer.bytes, answer.holds_open))
    }
}

fn failed(kind: TransportErrorKind, what: &str) -> TransportError {
    TransportError::new(kind, what.to_owned())
}

fn io_failure(e: std::io::Error) -> TransportError {
    TransportError::new(io_error_kind(&e), e.to_string()).with_source(e)
}

/// Where `uri` points (`localhost` is the loopback address).
fn address(uri: &http::Uri) -> Result<SocketAddr, TransportError> {
    let host = match uri.host() {
        Some("localhost") => "127.0.0.1",
        Some(host) => host,
        None => return Err(failed(TransportErrorKind::Request, "no host")),
    };
    format!("{host}:{}", uri.port_u16().unwrap_or(80))
        .parse()
        .map_err(|_| failed(TransportErrorKind::Request, "not an address"))
}

/// The request's bytes on the wire (a stream of unknown length goes chunked, in one chunk).
fn encode(parts: &http::request::Parts, body: Body) -> Result<Vec<u8>, TransportError> {
    let content_length = body.request_content_length(&parts.method);
    let (payload, chunked) = match body {
        Body::Empty => (Vec::new(), false),
        Body::Bytes(bytes) => (bytes.to_vec(), false),
        Body::Stream(stream) => (read_stream(&stream)?, stream.len().is_none()),
    };
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut wire = format!("{} {target} HTTP/1.1\r\n", parts.method).into_bytes();
    for (name, value) in &parts.headers {
        wire.extend_from_slice(format!("{name}: ").as_bytes());
        wire.extend_from_slice(value.as_bytes());
        wire.extend_from_slice(b"\r\n");
    }
    if chunked {
        wire.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
        if !payload.is_empty() {
            wire.extend_from_slice(format!("{:x}\r\n", payload.len()).as_bytes());
            wire.extend_from_slice(&payload);
            wire.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(b"0\r\n\r\n");
    } else {
        if let (Some(len), false) = (content_length, parts.headers.contains_key("content-length")) {
            wire.extend_from_slice(format!("content-length: {len}\r\n").as_bytes());
        }
        wire.extend_from_slice(b"\r\n");
        wire.extend_from_slice(&payload);
    }
    Ok(wire)
}

/// A request body's bytes: a file range read afresh, or this transport's chunks (taken once).
fn read_stream(stream: &StreamingBody) -> Result<Vec<u8>, TransportError> {
    let failed = |e: std::io::Error| {
        TransportError::new(TransportErrorKind::Request, e.to_string()).with_source(e)
    };
    if let Some(range) = stream.file() {
        let mut file = std::fs::File::open(&range.path).map_err(failed)?;
        file.seek(std::io::SeekFrom::Start(range.offset))
            .map_err(failed)?;
        let mut all = Vec::new();
        file.take(range.len).read_to_end(&mut all).map_err(failed)?;
        return Ok(all);
    }
    let chunks = stream.take::<Chunks>().ok_or_else(|| {
        TransportError::new(
            TransportErrorKind::Request,
            "streaming body was already sent or was not made by the memory transport",
        )
    })?;
    Ok(chunks.flat_map(|c| c.to_vec()).collect())
}

/// The response `head` and `body` the handler wrote, its body in 64 KiB pieces.
fn parse_response(
    method: &http::Method,
    head: &[u8],
    body: Bytes,
) -> Result<http::Response<MemoryBody>, TransportError> {
    let bad = |what: &str| failed(TransportErrorKind::Io, what);
    let head = std::str::from_utf8(head).map_err(|_| bad("response head"))?;
    let mut lines = head.trim_end().split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1)?.parse().ok())
        .ok_or_else(|| bad("status line"))?;
    let mut response = http::Response::builder().status(status);
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            response = response.header(name.trim(), value.trim());
        }
    }
    let (parts, ()) = response.body(()).map_err(|_| bad("header"))?.into_parts();
    let body = MemoryBody {
        pieces: (0..body.len())
            .step_by(64 * 1024)
            .map(|i| body.slice(i..body.len().min(i + 64 * 1024)))
            .collect(),
        check: ResponseCheck::for_response(method, status, &parts.headers),
    };
    Ok(http::Response::from_parts(parts, body))
}

/// Virtual time, per thread (each test drives its transport on its own thread): waiting moves
/// the clock to the end of the wait at once, unless a [`timeout`](clock::Timeout)'s deadline
/// comes first — then the clock stops there, that timeout fires and the wait never ends (the
/// timeout drops it).
pub(crate) mod clock {
    use std::cell::{Cell, RefCell};
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::{Duration, Instant, SystemTime};

    thread_local! {
        static ELAPSED: Cell<Duration> = const { Cell::new(Duration::ZERO) };
        /// The pending timeouts: (id, deadline, fired).
        static DEADLINES: RefCell<Vec<(u64, Duration, bool)>> = const { RefCell::new(Vec::new()) };
        static NEXT_ID: Cell<u64> = const { Cell::new(0) };
        static START: (Instant, SystemTime) = (Instant::now(), SystemTime::now());
    }

    fn elapsed() -> Duration {
        ELAPSED.with(Cell::get)
    }

    /// The virtual monotonic clock.
    pub(crate) fn instant() -> Instant {
        START.with(|s| s.0) + elapsed()
    }

    /// The virtual wall clock.
    pub(crate) fn wall() -> SystemTime {
        START.with(|s| s.1) + elapsed()
    }

    /// Wait until the virtual instant `at`.
    pub(crate) fn sleep_until(at: Instant) -> SleepUntil {
        SleepUntil(at.saturating_duration_since(START.with(|s| s.0)))
    }

    pub(crate) struct SleepUntil(Duration);

    impl Future for SleepUntil {
        type Output = ();

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            let now = elapsed();
            if now >= self.0 {
                return Poll::Ready(());
            }
            let first = DEADLINES.with(|d| {
                let mut d = d.borrow_mut();
                let next = d.iter_mut().filter(|t| !t.2).min_by_key(|t| t.1)?;
                (next.1 <= self.0).then(|| {
                    next.2 = true;
                    next.1
                })
            });
            match first {
                Some(deadline) => {
                    ELAPSED.with(|e| e.set(deadline.max(now)));
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
                None => {
                    ELAPSED.with(|e| e.set(self.0));
                    Poll::Ready(())
                }
            }
        }
    }

    /// `inner`'s output, or `None` when `limit` of virtual time passes first.
    pub(crate) fn timeout<F: Future>(limit: Duration, inner: F) -> Timeout<F> {
        let id = NEXT_ID.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        DEADLINES.with(|d| d.borrow_mut().push((id, elapsed() + limit, false)));
        Timeout {
            inner: Box::pin(inner),
            id,
        }
    }

    pub(crate) struct Timeout<F> {
        inner: Pin<Box<F>>,
        id: u64,
    }

    impl<F> Timeout<F> {
        fn fired(&self) -> bool {
            DEADLINES.with(|d| d.borrow().iter().any(|t| t.0 == self.id && t.2))
        }
    }

    impl<F: Future> Future for Timeout<F> {
        type Output = Option<F::Output>;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            if self.fired() {
                return Poll::Ready(None);
            }
            match self.inner.as_mut().poll(cx) {
                Poll::Ready(out) => Poll::Ready(Some(out)),
                Poll::Pending if self.fired() => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            }
        }
    }

    impl<F> Drop for Timeout<F> {
        fn drop(&mut self) {
            let id = self.id;
            let _ = DEADLINES.try_with(|d| d.borrow_mut().retain(|t| t.0 != id));
        }
    }
}

impl Timer for MemoryTransport {
    async fn sleep(&self, duration: Duration) {
        clock::sleep_until(clock::instant() + duration).await
    }

    async fn timeout<F: Future + Send>(&self, limit: Duration, future: F) -> Option<F::Output> {
        clock::timeout(limit, future).await
    }

    fn now(&self) -> SystemTime {
        clock::wall()
    }
}

impl Host for MemoryTransport {
    async fn scan_body(
        &self,
        body: &StreamingBody,
        sink: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<(), TransportError> {
        match body.file() {
            Some(_) => read_stream(body).map(|all| sink(&all)),
            None => Err(TransportError::new(
                TransportErrorKind::Request,
                "only a file body can be read ahead of sending",
            )),
        }
    }

    async fn read_file(&self, path: PathBuf) -> std::io::Result<Bytes> {
        std::fs::read(path).map(Bytes::from)
    }

    async fn write_file(&self, path: PathBuf, contents: Bytes) -> std::io::Result<()> {
        std::fs::write(path, contents)
    }

    async fn run_process(&self, argv: Vec<String>) -> std::io::Result<ProcessOutput> {
        sansboto_host::process::run(argv)
    }

    async fn file_job(&self, _job: FileJob) -> std::io::Result<FileOutput> {
        Err(std::io::ErrorKind::Unsupported.into())
    }

    async fn write_file_at(&self, _path: PathBuf, _at: u64, _data: Bytes) -> std::io::Result<()> {
        Err(std::io::ErrorKind::Unsupported.into())
    }
}
