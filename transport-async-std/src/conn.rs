//! Connections for the HTTP/1.1 client ([`h1`](crate::h1)): TCP (async-net, so any executor
//! works: async-std, smol, or a bare `block_on`) with the connect timeout over each step of the
//! connect (TCP, TLS to an `https://` proxy, tunnel, TLS handshake: the core's
//! [`connect_step`]), the core's socket timer on every read and write, an optional proxy
//! `CONNECT` tunnel (the core's [`open_tunnel`]), rustls 0.23 on top (inside the proxy's TLS
//! when both), and the liveness check of an idle connection (the
//! exchange and the pool are the core's [`driver`](sansboto_core::http1::driver)).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use async_io::Timer;
use async_net::TcpStream;
use futures_io::{AsyncRead, AsyncWrite};
use futures_lite::FutureExt;
use sansboto_core::connection::{connect_step, Alarm, Deadline, Direction, TimedWaits};
use sansboto_core::http1::driver::{open_tunnel, ByteIo};
use sansboto_core::http1::{OpenStep, Route};
use sansboto_core::HttpConfig;
use sansboto_host::tls::TlsConfigs;

/// Race `fut` against a timer at `deadline`, failing with its error when that passes first.
pub(crate) async fn within<T>(
    deadline: Deadline,
    fut: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    fut.or(async {
        Timer::at(deadline.at).await;
        Err(deadline.error())
    })
    .await
}

/// A TCP stream whose reads and writes wait as the core's socket timer allows (botocore's
/// socket timeout, between chunks rather than over a whole body): the core's [`TimedWaits`]
/// keeps an async-io timer per direction at the deadline it gives.
pub(crate) struct TimedTcp {
    tcp: TcpStream,
    waits: TimedWaits<IoAlarm>,
}

/// async-io's timer as the core's [`Alarm`].
struct IoAlarm(Timer);

impl Alarm for IoAlarm {
    fn at(deadline: Instant) -> Self {
        IoAlarm(Timer::at(deadline))
    }

    fn reset(&mut self, deadline: Instant) {
        self.0.set_at(deadline);
    }

    fn poll_ring(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(drop)
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
        (this.waits).poll(Direction::Read, progressed, Instant::now(), cx, op)
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
        (this.waits).poll(Direction::Write, progressed, Instant::now(), cx, op)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_close(cx)
    }
}

/// A plain or TLS connection's byte stream, and what it holds unread
/// ([`ByteIo::holds_unread`]).
pub(crate) trait Stream: AsyncRead + AsyncWrite + Send + Sync + Unpin {
    fn holds_unread(&mut self) -> bool;
}

impl Stream for TimedTcp {
    fn holds_unread(&mut self) -> bool {
        false
    }
}

/// The TLS session with an `https://` proxy: a close without `close_notify` ends its stream,
/// as the origin's does, so a tunnel inside it ends the same way.
struct ProxyTls(futures_rustls::client::TlsStream<TimedTcp>);

impl AsyncRead for ProxyTls {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let read = Pin::new(&mut self.get_mut().0).poll_read(cx, buf);
        read.map(sansboto_host::tls::ragged_eof_as_end)
    }
}

impl AsyncWrite for ProxyTls {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_close(cx)
    }
}

impl Stream for ProxyTls {
    fn holds_unread(&mut self) -> bool {
        sansboto_host::tls::holds_unread(self.0.get_mut().1)
    }
}

/// TLS with the origin, over TCP or over an `https://` proxy's TLS.
impl Stream for futures_rustls::client::TlsStream<Box<dyn Stream>> {
    fn holds_unread(&mut self) -> bool {
        let (hop, session) = self.get_mut();
        sansboto_host::tls::holds_unread(session) || hop.holds_unread()
    }
}

impl Stream for Box<dyn Stream> {
    fn holds_unread(&mut self) -> bool {
        (**self).holds_unread()
    }
}

/// An open connection: its stream, and a second handle on the socket, to check an idle
/// connection is still open.
pub(crate) struct Conn<S = Box<dyn Stream>> {
    io: S,
    tcp: TcpStream,
}

impl<S: Stream> ByteIo for Conn<S> {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let read = Pin::new(&mut self.io).poll_read(cx, buf);
        read.map(sansboto_host::tls::ragged_eof_as_end)
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn holds_unread(&mut self) -> bool {
        self.io.holds_unread()
    }
}

/// Open a connection along `route` (to the proxy when there is one, over TLS for an
/// `https://` proxy, with a `CONNECT` tunnel for https), then TLS for https.
pub(crate) async fn connect(route: &Route, cfg: &HttpConfig, tls: &TlsConfigs) -> io::Result<Conn> {
    let (host, port) = route.connect_to();
    // The connect timeout bounds each step on its own: the TCP connect, the proxy's TLS
    // handshake, its CONNECT exchange, the TLS handshake (a server trickling its bytes would
    // restart the per-read socket timer with each one).
    let limit = cfg.connect_timeout;
    let step = |step| connect_step(&route.step(step), limit, Instant::now());
    let tcp = within(step(OpenStep::Connect), TcpStream::connect((host, port))).await?;
    sansboto_host::tcp::configure(&tcp, cfg.tcp_keepalive)?;
    let timed = TimedTcp {
        tcp: tcp.clone(),
        waits: TimedWaits::new(cfg.read_timeout),
    };
    let hop: Box<dyn Stream> = match route.proxy_tls() {
        Some(proxy) => {
            let config = tls.proxy()?.clone();
            let name = sansboto_host::tls::server_name(&proxy.host)?;
            let handshake = futures_rustls::TlsConnector::from(config).connect(name, timed);
            Box::new(ProxyTls(
                within(step(OpenStep::ProxyTlsHandshake), handshake).await?,
            ))
        }
        None => Box::new(timed),
    };
    let mut conn = Conn { io: hop, tcp };
    if let Some(p) = route.tunnels() {
        let tunnel = open_tunnel(&mut conn, p, &route.host, route.port);
        within(step(OpenStep::Tunnel), tunnel).await?;
    }
    if !route.tls_to_origin() {
        return Ok(conn);
    }
    let Conn { io: hop, tcp } = conn;
    let name = sansboto_host::tls::server_name(&route.host)?;
    let handshake = futures_rustls::TlsConnector::from(tls.origin.clone()).connect(name, hop);
    let stream = within(step(OpenStep::TlsHandshake), handshake).await?;
    Ok(Conn {
        io: Box::new(stream),
        tcp,
    })
}

/// An idle connection is open when a peek would block (its socket is non-blocking): the end of
/// the stream means the server closed it, and unexpected bytes (or a TLS alert) mean it is
/// unusable either way.
pub(crate) fn still_open(conn: &mut Conn) -> bool {
    let socket: Arc<async_io::Async<std::net::TcpStream>> = conn.tcp.clone().into();
    let peeked = socket.get_ref().peek(&mut [0u8; 1]);
    matches!(peeked, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
}
