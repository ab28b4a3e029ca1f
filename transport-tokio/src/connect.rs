//! Opening connections along the core's [`Route`] (TCP with a connect timeout, TLS to an
//! `https://` proxy, through a proxy in absolute form for `http://` and forwarded `https://`
//! or the core's [`open_tunnel`] for other `https://`, then the TLS handshake with the origin,
//! inside the proxy's TLS when both), and the core's socket timer ([`TimedWaits`]) on the socket itself, so the
//! read timeout covers the response head, every body chunk and the TLS handshake alike. Also
//! what hyper's errors mean to the core ([`Hyper`]). The rustls configuration is
//! `sansboto_host::tls`; the TLS stream is tokio-rustls's, driven here rather than by
//! hyper-rustls so that the connect timeout bounds the handshake on its own (as urllib3's does)
//! and a close without `close_notify` reads as the end of the stream, as under Python's ssl.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use sansboto_core::connection::timed_out;
use sansboto_core::connection::{Alarm, Direction, TimedWaits};
use sansboto_core::http1::driver::{open_tunnel, ByteIo};
use sansboto_core::http1::{OpenStep, Route};
use sansboto_core::http_stack::{ConnectionUse, StackErrors};
use sansboto_core::{ProxyConfig, TransportErrorKind};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// Makes connections (direct or through a proxy, plain or TLS) for hyper's pooled client.
#[derive(Clone)]
pub(crate) struct Connector {
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) proxy: Option<Arc<ProxyConfig>>,
    /// `SO_KEEPALIVE` on each connection (botocore's `tcp_keepalive`).
    pub(crate) tcp_keepalive: bool,
    /// The TLS configuration, offering by ALPN the one protocol its pool speaks.
    pub(crate) tls: TlsConnector,
    /// The TLS configuration for an `https://` proxy, when the client has one.
    pub(crate) proxy_tls: Option<TlsConnector>,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("proxy", &self.proxy)
            .field("tcp_keepalive", &self.tcp_keepalive)
            .finish_non_exhaustive()
    }
}

impl tower_service::Service<http::Uri> for Connector {
    type Response = TokioIo<Stream>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { this.connect(dst).await.map(TokioIo::new) })
    }
}

impl Connector {
    /// Open the connection for `dst` along the core's [`Route`]; the connect timeout bounds
    /// each step (TCP, tunnel, TLS handshake) on its own.
    async fn connect(self, dst: http::Uri) -> io::Result<Stream> {
        let route = Route::for_uri(&dst, self.proxy.as_deref()).map_err(|e| e.into_io_error())?;
        let limit = self.connect_timeout;
        let timed_out = |step| timed_out(&route.step(step), limit);
        let tcp = tokio::time::timeout(limit, TcpStream::connect(route.connect_to()))
            .await
            .map_err(|_| timed_out(OpenStep::Connect))??;
        sansboto_host::tcp::configure(&tcp, self.tcp_keepalive)?;
        let timed = TimedStream::new(tcp, self.read_timeout, route.absolute_form());
        let mut hop = match route.proxy_tls() {
            Some(proxy) => {
                let connector =
                    (self.proxy_tls.as_ref()).ok_or_else(sansboto_host::tls::no_proxy_config)?;
                let name = sansboto_host::tls::server_name(&proxy.host)?;
                let tls = tokio::time::timeout(limit, connector.connect(name, timed))
                    .await
                    .map_err(|_| timed_out(OpenStep::ProxyTlsHandshake))??;
                Layer::Tls(Box::new(tls))
            }
            None => Layer::Plain(timed),
        };
        if let Some(proxy) = route.tunnels() {
            tokio::time::timeout(limit, open_tunnel(&mut hop, proxy, &route.host, route.port))
                .await
                .map_err(|_| timed_out(OpenStep::Tunnel))??;
        }
        if !route.tls_to_origin() {
            return Ok(Layer::Plain(hop));
        }
        let name = sansboto_host::tls::server_name(&route.host)?;
        let tls = tokio::time::timeout(limit, self.tls.connect(name, hop))
            .await
            .map_err(|_| timed_out(OpenStep::TlsHandshake))??;
        Ok(Layer::Tls(Box::new(tls)))
    }
}

/// A stream as it is (`Plain`), or a TLS session over it.
#[derive(Debug)]
pub(crate) enum Layer<P> {
    Plain(P),
    Tls(Box<TlsStream<P>>),
}

/// The connection to the first hop: the timed socket, or TLS with an `https://` proxy over it.
pub(crate) type Hop = Layer<TimedStream>;

/// A connection as hyper uses it: the first hop, or TLS with the origin over it.
pub(crate) type Stream = Layer<Hop>;

impl<P: AsyncRead + AsyncWrite + Unpin> AsyncRead for Layer<P> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Layer::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Layer::Tls(s) => {
                let read = ready!(Pin::new(s).poll_read(cx, buf));
                let ended = sansboto_host::tls::ragged_eof_as_end(read.map(|()| 0));
                Poll::Ready(ended.map(drop))
            }
        }
    }
}

impl<P: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Layer<P> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Layer::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Layer::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Layer::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Layer::Tls(s) => Pin::new(s).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Layer::Plain(s) => s.is_write_vectored(),
            Layer::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Layer::Plain(s) => Pin::new(s).poll_flush(cx),
            Layer::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Layer::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Layer::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

impl<P: AsyncRead + AsyncWrite + Unpin + Connection> Connection for Layer<P> {
    fn connected(&self) -> Connected {
        match self {
            Layer::Plain(s) => s.connected(),
            Layer::Tls(s) => {
                let (tcp, tls) = s.get_ref();
                let connected = tcp.connected();
                match tls.alpn_protocol() {
                    Some(b"h2") => connected.negotiated_h2(),
                    _ => connected,
                }
            }
        }
    }
}

/// The first hop as the core's [`ByteIo`], for the core's [`open_tunnel`].
impl ByteIo for Hop {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut read = ReadBuf::new(buf);
        ready!(AsyncRead::poll_read(Pin::new(self), cx, &mut read))?;
        Poll::Ready(Ok(read.filled().len()))
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        AsyncWrite::poll_write(Pin::new(self), cx, buf)
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        AsyncWrite::poll_flush(Pin::new(self), cx)
    }
}

/// A TCP stream whose reads and writes wait as the core's socket timer allows (botocore's
/// socket timeout, between chunks rather than over a whole body): the core's [`TimedWaits`]
/// keeps a tokio timer per direction at the deadline it gives.
#[derive(Debug)]
pub(crate) struct TimedStream {
    tcp: TcpStream,
    waits: TimedWaits<TokioAlarm>,
    /// Connected to a proxy that gets requests in absolute form (plain `http://`, or `https://`
    /// forwarded): hyper then writes absolute-form request targets.
    absolute_form: bool,
    /// Shared with every request hyper sends on this connection (as a `Connected` extra).
    usage: ConnectionUse,
}

/// tokio's timer as the core's [`Alarm`] (it follows tokio's paused clock in tests).
#[derive(Debug)]
struct TokioAlarm(Pin<Box<Sleep>>);

impl Alarm for TokioAlarm {
    fn at(deadline: Instant) -> Self {
        TokioAlarm(Box::pin(tokio::time::sleep_until(deadline.into())))
    }

    fn reset(&mut self, deadline: Instant) {
        self.0.as_mut().reset(deadline.into());
    }

    fn poll_ring(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl TimedStream {
    fn new(tcp: TcpStream, timeout: Duration, absolute_form: bool) -> Self {
        TimedStream {
            tcp,
            waits: TimedWaits::new(timeout),
            absolute_form,
            usage: ConnectionUse::default(),
        }
    }

    /// `op` (in `direction`, which `progressed` when it moved bytes) as the core's timer lets
    /// it go, on tokio's clock.
    fn timed<T>(
        &mut self,
        direction: Direction,
        progressed: bool,
        cx: &mut Context<'_>,
        op: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        let now = tokio::time::Instant::now().into_std();
        self.waits.poll(direction, progressed, now, cx, op)
    }
}

impl AsyncRead for TimedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let op = Pin::new(&mut this.tcp).poll_read(cx, buf);
        let progressed = buf.filled().len() > before;
        this.timed(Direction::Read, progressed, cx, op)
    }
}

impl AsyncWrite for TimedStream {
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

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let op = Pin::new(&mut this.tcp).poll_write_vectored(cx, bufs);
        let progressed = matches!(op, Poll::Ready(Ok(n)) if n > 0);
        this.timed(Direction::Write, progressed, cx, op)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}

impl Connection for TimedStream {
    fn connected(&self) -> Connected {
        Connected::new()
            .proxy(self.absolute_form)
            .extra(self.usage.clone())
    }
}

/// What hyper's, hyper-util's and rustls's errors tell the core's
/// [`failed_send`](sansboto_core::http_stack::failed_send): which mean TLS or a timeout, and
/// hyper's incomplete message (the server closed the connection before answering).
pub(crate) struct Hyper;

impl StackErrors for Hyper {
    fn kind(e: &(dyn std::error::Error + 'static)) -> Option<TransportErrorKind> {
        if e.is::<rustls::Error>() {
            return Some(TransportErrorKind::Tls);
        }
        let timeout = e
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_timeout);
        timeout.then_some(TransportErrorKind::Timeout)
    }

    fn incomplete(e: &(dyn std::error::Error + 'static)) -> bool {
        (e.downcast_ref::<hyper::Error>()).is_some_and(hyper::Error::is_incomplete_message)
    }
}
