//! Connections for the HTTP/1.1 client ([`h1`](crate::h1)): TCP (async-net, so any executor
//! works: async-std, smol, or a bare `block_on`) with a connect timeout, the core's socket timer
//! on every read and write,
//! an optional proxy `CONNECT` tunnel, rustls 0.23 on top, and the idle pool with its liveness
//! check.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use async_io::Timer;
use async_net::TcpStream;
use futures_io::{AsyncRead, AsyncWrite};
use futures_lite::{AsyncReadExt, AsyncWriteExt, FutureExt};
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use sansboto_core::connection::{timed_out, Direction, SocketTimer};
use sansboto_core::{HttpConfig, ProxyUrl, TunnelHandshake};

/// Race `fut` against a timer; `what` names the wait in the core's `TimedOut` error.
pub(crate) async fn with_timeout<T>(
    limit: Duration,
    what: &str,
    fut: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    fut.or(async {
        Timer::after(limit).await;
        Err(timed_out(what, limit))
    })
    .await
}

/// A TCP stream whose reads and writes wait as the core's [`SocketTimer`] allows (botocore's
/// socket timeout, between chunks rather than over a whole body): this only keeps an async-io
/// timer per direction at the deadline the core gives.
pub(crate) struct TimedTcp {
    tcp: TcpStream,
    timer: SocketTimer,
    /// Per direction: the timer and the deadline it is set for.
    sleeps: [Option<(Timer, Instant)>; 2],
}

impl TimedTcp {
    /// Report `op` (in `direction`, which `progressed` when it moved bytes) to the core's timer;
    /// while it is pending, wait until the core's deadline and fail with its error then.
    fn timed<T>(
        &mut self,
        direction: Direction,
        progressed: bool,
        cx: &mut Context<'_>,
        op: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        let now = Instant::now();
        let sleep = &mut self.sleeps[direction as usize];
        if op.is_ready() {
            *sleep = None;
            self.timer.ready(direction, progressed, now);
            return op;
        }
        let deadline = self.timer.wait(direction, now)?;
        let (timer, at) = sleep.get_or_insert_with(|| (Timer::at(deadline), deadline));
        if *at != deadline {
            timer.set_at(deadline);
            *at = deadline;
        }
        ready!(Pin::new(timer).poll(cx));
        *sleep = None;
        Poll::Ready(Err(self.timer.expired(direction)))
    }
}

impl AsyncRead for TimedTcp {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let op = Pin::new(&mut this.tcp).poll_read(cx, buf);
        let progressed = matches!(op, Poll::Ready(Ok(n)) if n > 0);
        this.timed(Direction::Read, progressed, cx, op)
    }
}

impl AsyncWrite for TimedTcp {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let op = Pin::new(&mut this.tcp).poll_write(cx, buf);
        let progressed = matches!(op, Poll::Ready(Ok(n)) if n > 0);
        this.timed(Direction::Write, progressed, cx, op)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_close(cx)
    }
}

/// A plain or TLS connection's byte stream.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Send + Sync + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Sync + Unpin> Stream for T {}

/// Where a connection goes: requests to the same key may share it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PoolKey {
    pub(crate) https: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
}

/// An open connection.
pub(crate) struct Conn {
    pub(crate) io: Box<dyn Stream>,
    /// What is read from `io` lands here first (kept with the connection, so a pooled one
    /// reuses it).
    pub(crate) buf: Box<[u8]>,
    /// A second handle on the socket, to check an idle connection is still open.
    tcp: TcpStream,
    /// Taken from the pool (so a failure before any response byte may be a stale connection).
    pub(crate) reused: bool,
}

/// Open a connection to `key`, through `proxy` when given (absolute-form for http, a `CONNECT`
/// tunnel for https).
pub(crate) async fn connect(
    key: &PoolKey,
    proxy: Option<&ProxyUrl>,
    cfg: &HttpConfig,
    tls: &Arc<ClientConfig>,
) -> io::Result<Conn> {
    let (host, port) = proxy.map_or((key.host.as_str(), key.port), |p| (p.host.as_str(), p.port));
    let what = format!("connecting to {host}:{port}");
    let tcp = with_timeout(cfg.connect_timeout, &what, TcpStream::connect((host, port))).await?;
    // Requests are written whole; waiting for Nagle only adds latency.
    tcp.set_nodelay(true)?;
    let mut timed = TimedTcp {
        tcp: tcp.clone(),
        timer: SocketTimer::new(cfg.read_timeout),
        sleeps: [None, None],
    };
    if let (Some(p), true) = (proxy, key.https) {
        let what = format!("proxy CONNECT to {}:{}", key.host, key.port);
        with_timeout(
            cfg.connect_timeout,
            &what,
            open_tunnel(&mut timed, &key.host, key.port, p),
        )
        .await?;
    }
    let transport = if key.https {
        let name = ServerName::try_from(key.host.clone()).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bad TLS server name {}: {e}", key.host),
            )
        })?;
        let stream = futures_rustls::TlsConnector::from(tls.clone())
            .connect(name, timed)
            .await?;
        Box::new(stream) as Box<dyn Stream>
    } else {
        Box::new(timed)
    };
    Ok(Conn {
        io: transport,
        buf: vec![0; crate::READ_CHUNK].into_boxed_slice(),
        tcp,
        reused: false,
    })
}

/// Ask `proxy` (connected on `stream`) for a tunnel to `host:port` and read its answer.
async fn open_tunnel(
    stream: &mut TimedTcp,
    host: &str,
    port: u16,
    proxy: &ProxyUrl,
) -> io::Result<()> {
    let mut handshake = TunnelHandshake::new(proxy, host, port);
    stream.write_all(handshake.request()).await?;
    let mut byte = [0u8; 1];
    loop {
        let read = (stream.read(&mut byte).await? == 1).then_some(byte[0]);
        if handshake.push(read)? {
            return Ok(());
        }
    }
}

/// Idle connections by destination, newest last.
pub(crate) struct Pool {
    idle: Mutex<HashMap<PoolKey, Vec<(Conn, Instant)>>>,
    max_idle: usize,
}

/// Idle connections older than this are closed rather than reused (servers drop idle
/// connections after a while; hyper uses the same default).
const MAX_IDLE_AGE: Duration = Duration::from_secs(90);

impl Pool {
    pub(crate) fn new(max_idle: usize) -> Self {
        Pool {
            idle: Mutex::new(HashMap::new()),
            max_idle,
        }
    }

    /// An idle connection to `key` that still looks open, if any.
    pub(crate) async fn checkout(&self, key: &PoolKey) -> Option<Conn> {
        loop {
            let (conn, since) = {
                let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
                idle.get_mut(key)?.pop()?
            };
            if since.elapsed() < MAX_IDLE_AGE && still_open(&conn.tcp).await {
                return Some(Conn {
                    reused: true,
                    ..conn
                });
            }
        }
    }

    /// Keep `conn` for reuse (closing it when the pool for `key` is full).
    pub(crate) fn checkin(&self, key: PoolKey, conn: Conn) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let list = idle.entry(key).or_default();
        list.retain(|(_, since)| since.elapsed() < MAX_IDLE_AGE);
        if list.len() < self.max_idle {
            list.push((conn, Instant::now()));
        }
    }
}

/// An idle connection is open when a peek would block: end of stream means the server closed
/// it, and unexpected bytes (or a TLS alert) mean it is unusable either way.
async fn still_open(tcp: &TcpStream) -> bool {
    let mut byte = [0u8; 1];
    futures_lite::future::poll_once(tcp.peek(&mut byte))
        .await
        .is_none()
}
