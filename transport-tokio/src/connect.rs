//! Opening connections: TCP with a connect timeout, optional proxy (absolute-form for `http://`,
//! a `CONNECT` tunnel for `https://`), and a per-read/per-write timeout on the socket itself, so
//! the read timeout covers the response head, every body chunk and the TLS handshake alike.
//! Also the mapping of hyper's errors to [`TransportErrorKind`]s (the rustls configuration is
//! `sansboto_host::tls`, shared with the async-std transport).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use sansboto_core::TransportErrorKind;
use sansboto_core::{io_error_kind, ProxyConfig, ProxyUrl, TunnelHandshake};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

/// Makes TCP connections (direct or through a proxy) for hyper's pooled client.
#[derive(Clone, Debug)]
pub(crate) struct Connector {
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) proxy: Option<Arc<ProxyConfig>>,
}

impl tower_service::Service<http::Uri> for Connector {
    type Response = TokioIo<TimedStream>;
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
    async fn connect(self, dst: http::Uri) -> io::Result<TimedStream> {
        let invalid = |what: &str| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("{what} in URL {dst}"))
        };
        let host = dst.host().ok_or_else(|| invalid("no host"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let scheme = dst.scheme_str().unwrap_or("http");
        let https = scheme.eq_ignore_ascii_case("https");
        let port = dst.port_u16().unwrap_or(if https { 443 } else { 80 });
        let proxy = self
            .proxy
            .as_deref()
            .and_then(|p| p.proxy_for(scheme, host, port));

        let target = proxy.map_or((host, port), |p| (p.host.as_str(), p.port));
        let tcp = tokio::time::timeout(self.connect_timeout, TcpStream::connect(target))
            .await
            .map_err(|_| {
                io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "connecting to {}:{} took longer than {:?}",
                        target.0, target.1, self.connect_timeout
                    ),
                )
            })??;
        // Requests are written whole; waiting for Nagle only adds latency.
        tcp.set_nodelay(true)?;
        let mut stream = TimedStream::new(tcp, self.read_timeout);
        match proxy {
            None => {}
            Some(_) if !https => stream.absolute_form = true,
            Some(p) => {
                let tunnel = open_tunnel(&mut stream, host, port, p);
                tokio::time::timeout(self.connect_timeout, tunnel)
                    .await
                    .map_err(|_| {
                        io::Error::new(
                            io::ErrorKind::TimedOut,
                            format!("proxy CONNECT to {host}:{port} timed out"),
                        )
                    })??;
            }
        }
        Ok(stream)
    }
}

/// Ask `proxy` (connected on `stream`) for a tunnel to `host:port` and read its answer.
async fn open_tunnel(
    stream: &mut TimedStream,
    host: &str,
    port: u16,
    proxy: &ProxyUrl,
) -> io::Result<()> {
    let mut handshake = TunnelHandshake::new(proxy, host, port);
    stream.write_all(handshake.request()).await?;
    loop {
        let mut byte = [0u8; 1];
        let read = (stream.read(&mut byte).await? == 1).then_some(byte[0]);
        if handshake.push(read)? {
            return Ok(());
        }
    }
}

/// A TCP stream whose reads and writes fail with `TimedOut` when they wait longer than the read
/// timeout: botocore's socket timeout, applied between chunks rather than to the whole body.
#[derive(Debug)]
pub(crate) struct TimedStream {
    tcp: TcpStream,
    timeout: Duration,
    read_timer: Option<Pin<Box<Sleep>>>,
    write_timer: Option<Pin<Box<Sleep>>>,
    /// Connected to a forward proxy for a plain `http://` URL: hyper then writes absolute-form
    /// request targets.
    absolute_form: bool,
    /// Shared with every request hyper sends on this connection (as a `Connected` extra).
    usage: ConnectionUse,
}

/// Whether a connection has already delivered a response. Only then can a failure before any
/// response byte be the server's close of an idle pooled connection (safe to send again); on a
/// fresh connection the server may have acted on the request, so the retry policy decides.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnectionUse(Arc<std::sync::atomic::AtomicBool>);

impl ConnectionUse {
    /// A response head arrived on this connection.
    pub(crate) fn mark_answered(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    fn answered(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl TimedStream {
    fn new(tcp: TcpStream, timeout: Duration) -> Self {
        TimedStream {
            tcp,
            timeout,
            read_timer: None,
            write_timer: None,
            absolute_form: false,
            usage: ConnectionUse::default(),
        }
    }
}

/// Poll `op`; while it is pending, run `timer` (armed on the first pending poll, disarmed on
/// progress) and fail with `TimedOut` when it fires.
fn poll_timed<T>(
    timer: &mut Option<Pin<Box<Sleep>>>,
    timeout: Duration,
    cx: &mut Context<'_>,
    op: Poll<io::Result<T>>,
) -> Poll<io::Result<T>> {
    match op {
        Poll::Ready(r) => {
            *timer = None;
            Poll::Ready(r)
        }
        Poll::Pending => {
            let sleep = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
            ready!(sleep.as_mut().poll(cx));
            *timer = None;
            Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no data for {timeout:?} (read timeout)"),
            )))
        }
    }
}

/// Progress in one direction restarts the other direction's wait: hyper waits for the response
/// head while it is still uploading the body, and that wait only starts once the upload stalls
/// (as botocore's socket timeout only applies to the `recv` after `sendall`).
fn restart(timer: &mut Option<Pin<Box<Sleep>>>, timeout: Duration) {
    if let Some(t) = timer {
        t.as_mut().reset(tokio::time::Instant::now() + timeout);
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
        if matches!(op, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            restart(&mut this.write_timer, this.timeout);
        }
        poll_timed(&mut this.read_timer, this.timeout, cx, op)
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
        if matches!(op, Poll::Ready(Ok(n)) if n > 0) {
            restart(&mut this.read_timer, this.timeout);
        }
        poll_timed(&mut this.write_timer, this.timeout, cx, op)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let op = Pin::new(&mut this.tcp).poll_write_vectored(cx, bufs);
        if matches!(op, Poll::Ready(Ok(n)) if n > 0) {
            restart(&mut this.read_timer, this.timeout);
        }
        poll_timed(&mut this.write_timer, this.timeout, cx, op)
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

/// Classify an error from hyper/hyper-util/rustls by walking its whole cause chain (looking
/// inside `io::Error`s, whose `source()` skips the error they wrap).
pub(crate) fn classify(
    err: &(dyn std::error::Error + 'static),
    is_connect: bool,
) -> TransportErrorKind {
    let mut kind = None::<TransportErrorKind>;
    let mut note = |k: TransportErrorKind| {
        let rank = |k| match k {
            TransportErrorKind::Tls => 4,
            TransportErrorKind::Timeout => 3,
            TransportErrorKind::Connect => 2,
            _ => 1,
        };
        if kind.is_none_or(|old| rank(k) > rank(old)) {
            kind = Some(k);
        }
    };
    let mut stack: Vec<&(dyn std::error::Error + 'static)> = vec![err];
    while let Some(e) = stack.pop() {
        if e.is::<rustls::Error>() {
            note(TransportErrorKind::Tls);
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            note(io_error_kind(io));
            if let Some(inner) = io.get_ref() {
                stack.push(inner);
            }
        }
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            if h.is_timeout() {
                note(TransportErrorKind::Timeout);
            }
        }
        if let Some(next) = e.source() {
            stack.push(next);
        }
    }
    match kind {
        Some(TransportErrorKind::Io) | None if is_connect => TransportErrorKind::Connect,
        Some(k) => k,
        None => TransportErrorKind::Io,
    }
}

/// True when a request failed because the server closed the connection before answering (the
/// stale-pooled-connection race), as opposed to a timeout, refusal or TLS failure.
pub(crate) fn closed_before_response(err: &hyper_util::client::legacy::Error) -> bool {
    if err.is_connect() {
        return false;
    }
    // A connection that never answered was not an idle pooled one the server dropped.
    let mut extras = http::Extensions::new();
    if let Some(info) = err.connect_info() {
        info.get_extras(&mut extras);
    }
    if !extras
        .get::<ConnectionUse>()
        .is_some_and(ConnectionUse::answered)
    {
        return false;
    }
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() {
                return true;
            }
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            use io::ErrorKind as K;
            return matches!(
                io.kind(),
                K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof
            );
        }
        cur = e.source();
    }
    false
}

/// "outer: cause: cause" without repeating identical messages.
pub(crate) fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let msg = e.to_string();
        if !out.ends_with(&msg) {
            out.push_str(": ");
            out.push_str(&msg);
        }
        cur = e.source();
    }
    out
}
