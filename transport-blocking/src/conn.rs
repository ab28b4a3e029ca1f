//! Connections of the blocking client: TCP with the connect timeout per resolved address, the
//! core's socket timer on every read and write (as the socket's own timeouts), an optional
//! deadline over a whole exchange, a proxy `CONNECT` or the TLS handshake, TLS to an `https://`
//! proxy, the tunnel (the core's [`open_tunnel`]), rustls on top (inside the proxy's TLS when
//! both), and the liveness check of an idle connection; the core's
//! [`driver`](sansboto_core::http1::driver) reads and writes them through [`ByteIo`].

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use rustls::{ClientConfig, ClientConnection, StreamOwned};
use sansboto_core::connection::{connect_each, connect_step, BlockingWaits, Deadline, Direction};
use sansboto_core::http1::driver::{open_tunnel, ByteIo};
use sansboto_core::http1::{OpenStep, Route};
use sansboto_core::HttpConfig;
use sansboto_host::tls::TlsConfigs;

/// A TCP stream whose reads and writes each wait as the core's [`BlockingWaits`] allows (the
/// socket timer, within the current [`Deadline`]): a blocking operation is one wait, so the
/// limit it has becomes the socket's timeout for it.
pub(crate) struct TimedTcp {
    tcp: TcpStream,
    waits: BlockingWaits,
}

impl TimedTcp {
    fn op<T>(
        &mut self,
        direction: Direction,
        op: impl FnOnce(&mut TcpStream) -> io::Result<T>,
        progressed: impl FnOnce(&T) -> bool,
    ) -> io::Result<T> {
        match self.waits.before(direction, Instant::now())? {
            Some(t) if direction == Direction::Read => self.tcp.set_read_timeout(Some(t))?,
            Some(t) => self.tcp.set_write_timeout(Some(t))?,
            None => {}
        }
        let outcome = op(&mut self.tcp);
        (self.waits).after(direction, Instant::now(), outcome, progressed)
    }
}

impl Read for TimedTcp {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.op(Direction::Read, |tcp| tcp.read(buf), |n| *n > 0)
    }
}

impl Write for TimedTcp {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.op(Direction::Write, |tcp| tcp.write(buf), |n| *n > 0)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// The connection to the first hop: TCP, or a TLS session over it (a `Tcp` hop) with an
/// `https://` proxy. The proxy's session is the same type as the origin's, so rustls's stream
/// is built once into the program (a binary-size goal of issue #18).
pub(crate) enum Hop {
    Tcp(TimedTcp),
    ProxyTls(Box<StreamOwned<ClientConnection, Hop>>),
}

impl Hop {
    /// The TCP stream under the hop, where its timer and deadline are.
    fn tcp(&mut self) -> &mut TimedTcp {
        match self {
            Hop::Tcp(tcp) => tcp,
            Hop::ProxyTls(tls) => tls.sock.tcp(),
        }
    }
}

impl Read for Hop {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Hop::Tcp(tcp) => tcp.read(buf),
            // A proxy closing without `close_notify` ends the stream, as the origin's would.
            Hop::ProxyTls(tls) => sansboto_host::tls::ragged_eof_as_end(tls.read(buf)),
        }
    }
}

impl Write for Hop {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Hop::Tcp(tcp) => tcp.write(buf),
            Hop::ProxyTls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Hop::Tcp(tcp) => tcp.flush(),
            Hop::ProxyTls(tls) => tls.flush(),
        }
    }
}

impl Hop {
    /// Plaintext the proxy's TLS session holds that nobody asked for.
    fn holds_unread(&mut self) -> bool {
        match self {
            Hop::Tcp(_) => false,
            Hop::ProxyTls(tls) => sansboto_host::tls::holds_unread(&mut tls.conn),
        }
    }
}

/// An open connection, plain or TLS (each over its [`Hop`]); its reads and writes complete at
/// once (never `Pending`).
pub(crate) enum Conn {
    Plain(Hop),
    Tls(Box<StreamOwned<ClientConnection, Hop>>),
}

impl Conn {
    fn tcp(&mut self) -> &mut TimedTcp {
        match self {
            Conn::Plain(hop) => hop.tcp(),
            Conn::Tls(tls) => tls.sock.tcp(),
        }
    }

    fn stream(&mut self) -> &mut dyn ReadWrite {
        match self {
            Conn::Plain(tcp) => tcp,
            Conn::Tls(tls) => tls.as_mut(),
        }
    }

    /// Bound what follows (an exchange, its body included) by `deadline`, or by nothing.
    pub(crate) fn set_deadline(&mut self, deadline: Option<Deadline>) {
        self.tcp().waits.deadline = deadline;
    }

    /// An idle connection is open when a read would block: the end of the stream means the
    /// server closed it, and unexpected bytes (or a TLS alert) mean it is unusable either way.
    pub(crate) fn still_open(&mut self) -> bool {
        let peeked = peek_without_waiting(&self.tcp().tcp);
        matches!(peeked, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }
}

/// Peek one byte of `tcp` without waiting for it: one `recv(MSG_PEEK | MSG_DONTWAIT)` where
/// the platform has the flag (the check runs before every reuse of a pooled connection, so
/// switching the socket to non-blocking and back around it would be two system calls more
/// per call), else that switch.
#[cfg(unix)]
fn peek_without_waiting(tcp: &TcpStream) -> io::Result<usize> {
    let mut byte = [std::mem::MaybeUninit::uninit()];
    socket2::SockRef::from(tcp).recv_with_flags(&mut byte, libc::MSG_PEEK | libc::MSG_DONTWAIT)
}

#[cfg(not(unix))]
fn peek_without_waiting(tcp: &TcpStream) -> io::Result<usize> {
    tcp.set_nonblocking(true)?;
    let peeked = tcp.peek(&mut [0u8; 1]);
    tcp.set_nonblocking(false)?;
    peeked
}

trait ReadWrite: Read + Write {}

impl<T: Read + Write> ReadWrite for T {}

/// `op` again while it is interrupted (the wait goes on from where it was).
fn uninterrupted<T>(mut op: impl FnMut() -> io::Result<T>) -> Poll<io::Result<T>> {
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            done => return Poll::Ready(done),
        }
    }
}

impl ByteIo for Conn {
    fn poll_read(&mut self, _: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        uninterrupted(|| self.stream().read(buf)).map(sansboto_host::tls::ragged_eof_as_end)
    }

    fn poll_write(&mut self, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        uninterrupted(|| self.stream().write(buf))
    }

    fn poll_flush(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        uninterrupted(|| self.stream().flush())
    }

    fn holds_unread(&mut self) -> bool {
        match self {
            Conn::Plain(hop) => hop.holds_unread(),
            Conn::Tls(tls) => {
                sansboto_host::tls::holds_unread(&mut tls.conn) || tls.sock.holds_unread()
            }
        }
    }
}

/// A TLS session with `host` over `sock`, its handshake done now (so its failures are the
/// connection's, not the request's) and bounded as a whole by the connect timeout on its own
/// (a server trickling its handshake would restart a per-read limit with each byte).
fn handshake(
    config: &Arc<ClientConfig>,
    host: &str,
    sock: Hop,
    what: &str,
    cfg: &HttpConfig,
    deadline: Option<&Deadline>,
) -> io::Result<StreamOwned<ClientConnection, Hop>> {
    let name = sansboto_host::tls::server_name(host)?;
    let session = ClientConnection::new(config.clone(), name).map_err(io::Error::other)?;
    let mut tls = StreamOwned::new(session, sock);
    let own = connect_step(what, cfg.connect_timeout, Instant::now());
    tls.sock.tcp().waits.deadline = Some(own.earliest(deadline));
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock)?;
    }
    tls.sock.tcp().waits.deadline = deadline.cloned();
    Ok(tls)
}

/// Open a connection along `route` (to the proxy when there is one, over TLS for an
/// `https://` proxy, with a `CONNECT` tunnel for https), then TLS for https; the whole of it
/// within `deadline` when given. (A future only for the driver: it never waits.)
pub(crate) async fn connect(
    route: &Route,
    cfg: &HttpConfig,
    tls: &TlsConfigs,
    deadline: Option<&Deadline>,
) -> io::Result<Conn> {
    let (host, port) = route.connect_to();
    let addrs = (host, port).to_socket_addrs()?;
    let limit = cfg.connect_timeout;
    let connect = |addr, limit| TcpStream::connect_timeout(&addr, limit);
    let tcp = connect_each((host, port), addrs, limit, deadline, Instant::now, connect)?;
    sansboto_host::tcp::configure(&tcp, cfg.tcp_keepalive)?;
    let waits = BlockingWaits::new(cfg.read_timeout, deadline.cloned());
    let timed = TimedTcp { tcp, waits };
    let mut hop = match route.proxy_tls() {
        Some(proxy) => {
            let config = tls.proxy()?;
            let what = route.step(OpenStep::ProxyTlsHandshake);
            let session = handshake(config, &proxy.host, Hop::Tcp(timed), &what, cfg, deadline)?;
            Hop::ProxyTls(Box::new(session))
        }
        None => Hop::Tcp(timed),
    };
    if let Some(proxy) = route.tunnels() {
        // The connect timeout bounds the proxy's CONNECT exchange on its own.
        let what = route.step(OpenStep::Tunnel);
        let own = connect_step(&what, cfg.connect_timeout, Instant::now());
        hop.tcp().waits.deadline = Some(own.earliest(deadline));
        let mut plain = Conn::Plain(hop);
        open_tunnel(&mut plain, proxy, &route.host, route.port).await?;
        let Conn::Plain(tunnel) = plain else {
            return Err(io::Error::other("the tunnel left its plain connection"));
        };
        hop = tunnel;
        hop.tcp().waits.deadline = deadline.cloned();
    }
    Ok(if route.tls_to_origin() {
        let what = route.step(OpenStep::TlsHandshake);
        let session = handshake(&tls.origin, &route.host, hop, &what, cfg, deadline)?;
        Conn::Tls(Box::new(session))
    } else {
        Conn::Plain(hop)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::time::Duration;

    /// A plain connection to a loopback listener, and the server's end of it.
    fn pair() -> (Conn, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let tcp = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let waits = BlockingWaits::new(Duration::from_secs(5), None);
        (Conn::Plain(Hop::Tcp(TimedTcp { tcp, waits })), server)
    }

    /// Whether the check finds `conn` closed within a second (what the server did takes a
    /// moment to reach the client's socket).
    fn seen_closed(conn: &mut Conn) -> bool {
        (0..200).any(|_| {
            let closed = !conn.still_open();
            if !closed {
                std::thread::sleep(Duration::from_millis(5));
            }
            closed
        })
    }

    #[test]
    fn an_idle_connection_is_open_and_the_check_leaves_it_blocking() {
        let (mut conn, mut server) = pair();
        assert!(conn.still_open());
        assert!(conn.still_open(), "checking consumes nothing");
        // The check did not leave the socket non-blocking: a read waits for the server's bytes.
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            server.write_all(b"x").unwrap();
            server
        });
        let mut byte = [0u8; 1];
        assert_eq!(conn.stream().read(&mut byte).unwrap(), 1);
        drop(writer.join().unwrap());
    }

    #[test]
    fn a_connection_the_server_closed_is_not_open() {
        let (mut conn, server) = pair();
        drop(server);
        assert!(
            seen_closed(&mut conn),
            "still open after the server closed it"
        );
    }

    #[test]
    fn a_connection_holding_unasked_bytes_is_not_open() {
        let (mut conn, mut server) = pair();
        server
            .write_all(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
            .unwrap();
        assert!(
            seen_closed(&mut conn),
            "still open with bytes nobody asked for"
        );
        // The peek took nothing: the bytes are still there to read.
        let mut head = [0u8; 8];
        conn.stream().read_exact(&mut head).unwrap();
        assert_eq!(&head, b"HTTP/1.1");
    }
}
