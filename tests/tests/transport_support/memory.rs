//! An in-memory transport written against the core's contract (`Http` + `Timer` + `Host` +
//! `Transport`), to show a fourth runtime is short to write. Like the async-std and blocking
//! transports it hands the HTTP/1.1 exchange to the core's driver (`http1::driver`: the request
//! head and its framing, the response head and body decoding, the idle pool), the request body
//! to the core's `Outgoing` (`aws-chunked` framing included), the response checks to the core's
//! `ResponseReader`, and a stale pooled connection's replay to the core's `send_replaying`; what
//! it supplies is a connection's bytes ([`MemoryConn`]) and a clock. A connection's written
//! bytes go to the loopback servers' request handler ([`support::serve_in_memory`]) when the
//! driver reads, and its answer is what the reads return; a wait (a silent server, one about to
//! close) lasts on a virtual clock ([`clock`], which jumps to the next deadline instead of
//! waiting) as long as the core's socket timer (`TimedWaits`) allows. There is no TLS in
//! memory, so https (and the proxy `CONNECT` tunnel, which only https takes) is refused.
//! Its futures run on any executor (the tests use smol's).

use std::convert::Infallible;
use std::future::{poll_fn, Future};
use std::io::{self, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use sansboto_core::connection::{
    connect_step, deadline_after, send_replaying, Alarm, Direction, SendFailure, TimedWaits,
};
use sansboto_core::http1::driver::{self, ByteIo, Driver, PooledBody};
use sansboto_core::http1::{OpenStep, Route};
use sansboto_core::machine::ProcessOutput;
use sansboto_core::outgoing::{BodyIo, Outgoing};
use sansboto_core::request_body::{self, Source};
use sansboto_core::response_check::ResponseCheck;
use sansboto_core::response_read::ResponseReader;
use sansboto_core::runtime::{Host, Http, Timer, Transport};
use sansboto_core::transfer::{FileJob, FileOutput};
use sansboto_core::{io_error_kind, AwsChunkedBody, HttpConfig};
use sansboto_core::{Body, StreamingBody};
use sansboto_core::{TransportError, TransportErrorKind};

use super::support::{self, Then};

/// This transport's streaming request source: chunks made in memory.
pub(crate) type Chunks = Box<dyn Iterator<Item = Bytes> + Send>;

/// A client of the in-memory network: the core's driver over [`MemoryConn`]s. Clones share
/// the pool.
#[derive(Clone)]
pub(crate) struct MemoryTransport {
    driver: Driver<MemoryConn>,
    cfg: Arc<HttpConfig>,
}

/// A response body on its connection (the driver's), read through the core's checks.
pub(crate) struct MemoryBody {
    wire: PooledBody<MemoryConn>,
    reader: ResponseReader,
}

impl std::fmt::Debug for MemoryBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryBody")
            .field("received", &self.reader.received())
            .finish_non_exhaustive()
    }
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
        let transport = driver::Transport {
            still_open: MemoryConn::still_open,
            error: sansboto_host::tls::io_error,
            clock: clock::instant,
        };
        Ok(MemoryTransport {
            driver: Driver::new(config.pool_max_idle, transport),
            cfg: Arc::new(config.clone()),
        })
    }

    async fn send(
        &self,
        request: http::Request<Body>,
    ) -> Result<http::Response<MemoryBody>, TransportError> {
        let (parts, body) = request.into_parts();
        let route = Route::for_uri(&parts.uri, self.cfg.proxy.as_ref())?;
        send_replaying(body, |body| self.send_once(&parts, &route, body)).await
    }

    async fn read_chunk(&self, body: &mut MemoryBody) -> Result<Option<Bytes>, TransportError> {
        let MemoryBody { wire, reader } = body;
        poll_fn(|cx| reader.poll_chunk(|| wire.poll_chunk(cx), body_error, clock::wall)).await
    }

    fn check(body: &mut MemoryBody) -> &mut ResponseCheck {
        body.reader.check()
    }

    fn proxy_for(&self, uri: &http::Uri) -> Option<String> {
        Some(self.cfg.proxy.as_ref()?.proxy_for_uri(uri)?.to_string())
    }
}

impl MemoryTransport {
    /// One sending on one connection, with the facts of its failure (as the blocking
    /// transport's).
    async fn send_once(
        &self,
        parts: &http::request::Parts,
        route: &Route,
        body: Body,
    ) -> Result<http::Response<MemoryBody>, driver::Failure> {
        let framing = parts.extensions.get::<AwsChunkedBody>().copied();
        let mut out =
            Outgoing::<MemoryIo>::new(body, framing, None).map_err(|e| (e, SendFailure::OTHER))?;
        let headers: Vec<_> = (parts.headers.iter())
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        let request = driver::Request {
            method: &parts.method,
            uri: &parts.uri,
            headers: headers.iter().copied(),
            body_len: out.exact_len(),
        };
        let read_body = |cx: &mut Context<'_>, buf: &mut [u8]| out.poll_read(cx, buf, clock::wall);
        let connect = || MemoryConn::connect(route, &self.cfg);
        let (head, wire) = (self.driver)
            .send(route, request, read_body, connect, |_| {})
            .await?;
        let body = MemoryBody {
            wire,
            reader: ResponseReader::new(head.body_check(&parts.method)),
        };
        Ok(head.into_response(body))
    }
}

/// A failed read of the body, through the check (which says how far the body got).
fn body_error(e: io::Error, check: &mut ResponseCheck) -> TransportError {
    check.failed(io_error_kind(&e), &e).with_source(e)
}

/// This transport's request bodies for the core's [`Outgoing`]: file ranges (read on the
/// calling thread) and [`Chunks`].
struct MemoryIo;

impl BodyIo for MemoryIo {
    /// No seekable bodies here.
    type Rewound = Infallible;
    type Reader = Box<dyn Read + Send>;
    type Stream = Chunks;
    const MADE_BY: &'static str = "the memory transport (pattern_upload or file_upload)";

    fn open(source: Source<'_, Infallible>) -> Result<Self::Reader, TransportError> {
        match source {
            Source::File(range) => Ok(Box::new(
                sansboto_host::fs::open_range(range)?.take(range.len),
            )),
            Source::Rewound(_) => Err(TransportError::new(
                TransportErrorKind::Request,
                "the memory transport makes no seekable bodies",
            )),
        }
    }

    fn poll_read(
        reader: &mut Self::Reader,
        _: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(reader.read(buf))
    }

    fn poll_next(stream: &mut Chunks, _: &mut Context<'_>) -> Poll<Option<io::Result<Bytes>>> {
        Poll::Ready(stream.next().map(Ok))
    }
}

/// A connection of the in-memory network: bytes written wait until the driver reads, then go
/// to the server as one buffer; its answer is read back, and then the connection is as the
/// server left it ([`Then`]).
pub(crate) struct MemoryConn {
    peer: SocketAddr,
    /// Written, not handed to the server yet.
    written: Vec<u8>,
    /// The server's answer, not read yet.
    answer: Bytes,
    /// When the server closes the connection (`None`: it waits for the next request).
    closes_at: Option<Instant>,
    /// Stops the clock at `closes_at` while a read waits for the close.
    close_mark: Option<clock::Mark>,
    /// The core's socket timer, its alarms on the virtual clock.
    waits: TimedWaits<ClockAlarm>,
}

impl MemoryConn {
    /// Connect along `route` (to its proxy when it has one). A listener that never accepts
    /// makes the connect wait the core's connect timeout, on the virtual clock.
    async fn connect(route: &Route, cfg: &HttpConfig) -> io::Result<MemoryConn> {
        if route.https {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "no TLS in memory",
            ));
        }
        let (host, port) = route.connect_to();
        let host = if host == "localhost" {
            "127.0.0.1"
        } else {
            host
        };
        let peer = format!("{host}:{port}")
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "not an address"))?;
        match support::accept_in_memory(peer) {
            None => Err(io::ErrorKind::ConnectionRefused.into()),
            Some(true) => Ok(MemoryConn {
                peer,
                written: Vec::new(),
                answer: Bytes::new(),
                closes_at: None,
                close_mark: None,
                waits: TimedWaits::new(cfg.read_timeout),
            }),
            Some(false) => {
                let what = route.step(OpenStep::Connect);
                let step = connect_step(&what, cfg.connect_timeout, clock::instant());
                clock::sleep_until(step.at).await;
                Err(step.error())
            }
        }
    }

    /// An idle connection is open when the server has neither closed it nor sent anything.
    fn still_open(&mut self) -> bool {
        self.answer.is_empty() && self.closes_at.is_none_or(|at| clock::instant() < at)
    }

    /// A read as it stands now: the answer's next bytes, the end once the server has closed,
    /// or nothing yet (the server is silent, or about to close: the close stops the clock).
    fn read_now(&mut self, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        if self.answer.is_empty() && !self.written.is_empty() && self.closes_at.is_none() {
            let request = std::mem::take(&mut self.written);
            let Some(answer) = support::serve_in_memory(self.peer, request) else {
                return Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()));
            };
            self.answer = answer.bytes.into();
            if let Then::CloseAfter(wait) = answer.then {
                self.closes_at = Some(deadline_after(clock::instant(), wait));
            }
        }
        if !self.answer.is_empty() {
            let n = self.answer.len().min(buf.len());
            buf[..n].copy_from_slice(&self.answer.split_to(n));
            return Poll::Ready(Ok(n));
        }
        match self.closes_at {
            Some(at) if clock::instant() >= at => Poll::Ready(Ok(0)),
            Some(at) => {
                self.close_mark.get_or_insert_with(|| clock::mark(at));
                Poll::Pending
            }
            None => Poll::Pending,
        }
    }
}

impl ByteIo for MemoryConn {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let op = self.read_now(buf);
        if op.is_ready() {
            self.close_mark = None;
        }
        let progressed = matches!(op, Poll::Ready(Ok(n)) if n > 0);
        (self.waits).poll(Direction::Read, progressed, clock::instant(), cx, op)
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        // Bytes a closed server will not read are lost, as in a socket's buffer: the read then
        // finds the connection closed.
        self.written.extend_from_slice(buf);
        let op = Poll::Ready(Ok(buf.len()));
        (self.waits).poll(Direction::Write, !buf.is_empty(), clock::instant(), cx, op)
    }

    fn poll_flush(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The core's [`Alarm`] on the virtual clock: polling it moves the clock to its deadline, or
/// to an earlier one that stops the clock ([`clock`]).
struct ClockAlarm(Instant);

impl Alarm for ClockAlarm {
    fn at(deadline: Instant) -> Self {
        ClockAlarm(deadline)
    }

    fn reset(&mut self, deadline: Instant) {
        self.0 = deadline;
    }

    fn poll_ring(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut clock::sleep_until(self.0)).poll(cx)
    }
}

/// Virtual time, per thread (each test drives its transport on its own thread): waiting moves
/// the clock to the end of the wait at once, unless a registered deadline comes first — a
/// [`timeout`](clock::Timeout)'s or a [`mark`](clock::Mark)'s — then the clock stops there,
/// that deadline fires and the wait goes on when polled again (a timeout drops it; a mark lets
/// whatever set it see its moment come).
pub(crate) mod clock {
    use std::cell::{Cell, RefCell};
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::{Duration, Instant, SystemTime};

    thread_local! {
        static ELAPSED: Cell<Duration> = const { Cell::new(Duration::ZERO) };
        /// The registered deadlines: (id, deadline, fired).
        static DEADLINES: RefCell<Vec<(u64, Duration, bool)>> = const { RefCell::new(Vec::new()) };
        static NEXT_ID: Cell<u64> = const { Cell::new(0) };
        static START: (Instant, SystemTime) = (Instant::now(), SystemTime::now());
    }

    fn elapsed() -> Duration {
        ELAPSED.with(Cell::get)
    }

    fn since_start(at: Instant) -> Duration {
        at.saturating_duration_since(START.with(|s| s.0))
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
        SleepUntil(since_start(at))
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

    /// A deadline the clock stops at, until dropped.
    struct Registered(u64);

    impl Registered {
        fn new(deadline: Duration) -> Self {
            let id = NEXT_ID.with(|n| {
                n.set(n.get() + 1);
                n.get()
            });
            DEADLINES.with(|d| d.borrow_mut().push((id, deadline, false)));
            Registered(id)
        }

        fn fired(&self) -> bool {
            DEADLINES.with(|d| d.borrow().iter().any(|t| t.0 == self.0 && t.2))
        }
    }

    impl Drop for Registered {
        fn drop(&mut self) {
            let id = self.0;
            let _ = DEADLINES.try_with(|d| d.borrow_mut().retain(|t| t.0 != id));
        }
    }

    /// A moment something happens on its own (a server closing a connection): a wait stops
    /// there rather than jumping past it.
    pub(crate) struct Mark {
        _registered: Registered,
    }

    /// Stop waits at `at`.
    pub(crate) fn mark(at: Instant) -> Mark {
        Mark {
            _registered: Registered::new(since_start(at)),
        }
    }

    /// `inner`'s output, or `None` when `limit` of virtual time passes first.
    pub(crate) fn timeout<F: Future>(limit: Duration, inner: F) -> Timeout<F> {
        Timeout {
            inner: Box::pin(inner),
            deadline: Registered::new(elapsed().saturating_add(limit)),
        }
    }

    pub(crate) struct Timeout<F> {
        inner: Pin<Box<F>>,
        deadline: Registered,
    }

    impl<F: Future> Future for Timeout<F> {
        type Output = Option<F::Output>;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            if self.deadline.fired() {
                return Poll::Ready(None);
            }
            match self.inner.as_mut().poll(cx) {
                Poll::Ready(out) => Poll::Ready(Some(out)),
                Poll::Pending if self.deadline.fired() => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            }
        }
    }
}

impl Timer for MemoryTransport {
    async fn sleep(&self, duration: Duration) {
        clock::sleep_until(deadline_after(clock::instant(), duration)).await
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
        request_body::scan(body, MemoryIo::open, MemoryIo::poll_read, sink).await
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
