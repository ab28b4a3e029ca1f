//! The loop around one [`Exchange`], written once for the transports that speak HTTP/1.1 over
//! their own sockets (async-std/smol and blocking): take an idle connection along the route
//! from the [`IdlePool`] or have the transport open one, write the head and the framed body,
//! read until the response head, and hand back a [`PooledBody`] that returns its connection to
//! the pool when the body has been read to its end (and closes it when reading fails). A failure
//! comes with the [`SendFailure`] facts the stale-connection replay needs. The proxy `CONNECT`
//! exchange on a fresh connection ([`open_tunnel`]) is driven here too.
//!
//! Sans-IO and runtime-free: the transport's connection is polled through [`ByteIo`], the
//! request body through a poll function, and time comes from the clock the transport gives. A
//! blocking transport's reads and writes complete at once, so it drives these same futures on
//! the calling thread.

use std::future::{poll_fn, Future};
use std::io;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Instant;

use bytes::Bytes;

use super::{BodyFraming, BodyReader, Exchange, IdlePool, Next, OpenStep, ResponseHead, Route};
use crate::connection::SendFailure;
use crate::error::TransportError;
use crate::http_config::{ProxyUrl, TunnelHandshake};
use crate::request_body::read_error;

/// Size of a connection's read buffer, and of the writes a request is gathered into.
pub const IO_CHUNK: usize = 64 * 1024;

/// A connection's bytes as the driver polls them: one read, one write, a flush. A blocking
/// transport answers each at once (never `Pending`).
pub trait ByteIo {
    /// Read into `buf` (0: the peer ended the stream).
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;
    /// Write some of `buf`.
    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>;
    /// Flush what was written.
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
    /// Whether the stream holds what a read would give without touching the socket: bytes it
    /// took off the connection that were not read yet (a TLS library's decrypted records), or
    /// the peer's close it has already seen. Asked once a body has ended: the connection's read
    /// buffer shows what the driver read past the body, this shows what the stream kept, and
    /// either means the connection is out of step and must not be reused.
    fn holds_unread(&mut self) -> bool {
        false
    }
}

/// A pooled connection: the transport's stream, the buffer its bytes are read into (kept with
/// it, so a reused connection reuses it) and whether it carried a response before.
pub struct Conn<C> {
    /// The transport's byte stream.
    pub io: C,
    buf: Box<[u8]>,
    reused: bool,
}

/// What the driver asks of the transport besides bytes.
pub struct Transport<C> {
    /// An idle connection is still open (checked without waiting before it is reused).
    pub still_open: fn(&mut C) -> bool,
    /// An I/O failure as a transport error: `context` names the step, `connecting` says it
    /// happened while opening the connection (the transport knows its TLS library's errors).
    pub error: fn(io::Error, &str, bool) -> TransportError,
    /// Monotonic time, for the pool's idle ages.
    pub clock: fn() -> Instant,
}

/// A transport's HTTP/1.1 client: the idle pool of its connections and the [`Transport`]
/// functions. Cloning is cheap; clones (and the response bodies) share the pool.
pub struct Driver<C> {
    pool: Arc<IdlePool<Conn<C>>>,
    transport: Arc<Transport<C>>,
}

impl<C> Clone for Driver<C> {
    fn clone(&self) -> Self {
        Driver {
            pool: self.pool.clone(),
            transport: self.transport.clone(),
        }
    }
}

/// The request an exchange sends: the body's bytes come separately.
pub struct Request<'a, H> {
    /// The method.
    pub method: &'a http::Method,
    /// The URI as the core built it (its target goes out verbatim).
    pub uri: &'a http::Uri,
    /// The header fields.
    pub headers: H,
    /// The body's length when known (`Content-Length`; otherwise it goes chunked).
    pub body_len: Option<u64>,
}

/// How an exchange failed, and what the replay policy needs to know of it.
pub type Failure = (TransportError, SendFailure);

fn other(e: impl Into<TransportError>) -> Failure {
    (e.into(), SendFailure::OTHER)
}

impl<C: ByteIo> Driver<C> {
    /// A client keeping at most `max_idle` idle connections per route.
    pub fn new(max_idle: usize, transport: Transport<C>) -> Self {
        Driver {
            pool: Arc::new(IdlePool::new(max_idle)),
            transport: Arc::new(transport),
        }
    }

    /// The idle pool (for tests and diagnostics).
    pub fn pool(&self) -> &IdlePool<Conn<C>> {
        &self.pool
    }

    /// Send `request` along `route`: on an idle connection that is still open, else on one
    /// `connect` opens; `prepare` sees the connection before anything is written (a per-request
    /// deadline goes on it there). The body is read with `body` (0 at its end). Returns the
    /// response head and its body once the head has arrived.
    pub async fn send<'h, H, B, F, Fut>(
        &self,
        route: &'h Route,
        request: Request<'_, H>,
        mut body: B,
        connect: F,
        prepare: impl FnOnce(&mut C),
    ) -> Result<(ResponseHead, PooledBody<C>), Failure>
    where
        H: Iterator<Item = (&'h str, &'h [u8])> + Clone,
        B: FnMut(&mut Context<'_>, &mut [u8]) -> Poll<io::Result<usize>>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = io::Result<C>>,
    {
        let t = &*self.transport;
        let now = (t.clock)();
        let mut conn = match self
            .pool
            .checkout(route, now, |c| (t.still_open)(&mut c.io))
        {
            Some(mut conn) => {
                conn.reused = true;
                conn
            }
            None => Conn {
                io: connect()
                    .await
                    .map_err(|e| other((t.error)(e, &route.step(OpenStep::Connect), true)))?,
                buf: vec![0; IO_CHUNK].into_boxed_slice(),
                reused: false,
            },
        };
        prepare(&mut conn.io);
        let (mut exchange, head) = Exchange::start(
            request.method,
            request.uri,
            route,
            conn.reused,
            request.headers,
            request.body_len,
        )
        .map_err(other)?;

        match write_request(&mut conn, &mut exchange, &head, &mut body).await {
            Ok(()) => {}
            Err(WriteError::Io(e)) => {
                let facts = exchange.write_failed(&e);
                return Err(((t.error)(e, "sending request", false), facts));
            }
            Err(WriteError::Body(e)) => return Err(other(e)),
        }

        // Read until the head is complete; what follows it in the buffer is the body's.
        let response = loop {
            let Conn { io, buf, .. } = &mut conn;
            match poll_fn(|cx| io.poll_read(cx, buf)).await {
                Ok(0) => {
                    let (e, facts) = exchange.closed();
                    return Err((e.into(), facts));
                }
                Ok(n) => {
                    if let Some(response) = exchange.received(&conn.buf[..n]).map_err(other)? {
                        break response;
                    }
                }
                Err(e) => {
                    let facts = exchange.read_failed(&e);
                    return Err(((t.error)(e, "reading response head", false), facts));
                }
            }
        };
        let mut body = PooledBody {
            conn: Some(conn),
            reader: response.body,
            give_back: Some((route.clone(), self.clone())),
        };
        if body.reader.is_done() {
            // Nothing to read (HEAD, 204, an empty body): the connection is free now (the step
            // cannot fail, there being nothing to decode).
            let _ = body.step();
        }
        Ok((response.head, body))
    }
}

enum WriteError {
    Io(io::Error),
    Body(TransportError),
}

/// Write the head and the body as `exchange` frames it, gathered into writes of up to
/// [`IO_CHUNK`] (a small request is one write), then flush. The body is read into the
/// connection's read buffer, which is idle until the response.
async fn write_request<C: ByteIo>(
    conn: &mut Conn<C>,
    exchange: &mut Exchange,
    head: &[u8],
    body: &mut impl FnMut(&mut Context<'_>, &mut [u8]) -> Poll<io::Result<usize>>,
) -> Result<(), WriteError> {
    let Conn { io, buf, .. } = conn;
    let mut out = Gather(Vec::with_capacity(IO_CHUNK));
    out.put(io, head).await?;
    loop {
        let n = match poll_fn(|cx| body(cx, buf)).await {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(WriteError::Body(read_error(e))),
        };
        let (prefix, suffix) = (exchange.body_data(n)).map_err(|e| WriteError::Body(e.into()))?;
        out.put(io, prefix.as_bytes()).await?;
        out.put(io, &buf[..n]).await?;
        out.put(io, suffix).await?;
    }
    let last = exchange
        .body_end()
        .map_err(|e| WriteError::Body(e.into()))?;
    out.put(io, last).await?;
    write_all(io, &out.0).await.map_err(WriteError::Io)?;
    poll_fn(|cx| io.poll_flush(cx))
        .await
        .map_err(WriteError::Io)
}

/// Bytes gathered for one write (as a `BufWriter` gathers them).
struct Gather(Vec<u8>);

impl Gather {
    async fn put<C: ByteIo>(&mut self, io: &mut C, data: &[u8]) -> Result<(), WriteError> {
        if self.0.len() + data.len() > IO_CHUNK {
            write_all(io, &self.0).await.map_err(WriteError::Io)?;
            self.0.clear();
        }
        if data.len() >= IO_CHUNK {
            return write_all(io, data).await.map_err(WriteError::Io);
        }
        self.0.extend_from_slice(data);
        Ok(())
    }
}

async fn write_all<C: ByteIo>(io: &mut C, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        match poll_fn(|cx| io.poll_write(cx, data)).await {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Ask `proxy` (connected on `io`) for a tunnel to `host:port` and read its answer (the core's
/// [`TunnelHandshake`]), byte by byte so nothing of what follows is read.
pub async fn open_tunnel<I: ByteIo>(
    io: &mut I,
    proxy: &ProxyUrl,
    host: &str,
    port: u16,
) -> io::Result<()> {
    let mut handshake = TunnelHandshake::new(proxy, host, port);
    write_all(io, handshake.request()).await?;
    poll_fn(|cx| io.poll_flush(cx)).await?;
    let mut byte = [0u8; 1];
    loop {
        let read = match poll_fn(|cx| io.poll_read(cx, &mut byte)).await {
            Ok(n) => (n == 1).then_some(byte[0]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if handshake.push(read)? {
            return Ok(());
        }
    }
}

/// A response body decoded by the core's [`BodyReader`] straight from its connection's
/// buffer; the connection goes back to the pool once the body has been read to its end, when
/// the exchange allows it, and is closed (dropped) when reading fails.
pub struct PooledBody<C> {
    /// `None` once the body ended or failed.
    conn: Option<Conn<C>>,
    reader: BodyReader,
    /// Where the connection goes back.
    give_back: Option<(Route, Driver<C>)>,
}

impl<C: ByteIo> PooledBody<C> {
    /// The declared length, when the response had a `Content-Length`.
    pub fn content_length(&self) -> Option<u64> {
        match self.reader.framing() {
            BodyFraming::Length(n) => Some(n),
            _ => None,
        }
    }

    /// The reader's next step without reading: `Ok(true)` when payload is ready or the body
    /// ended, `Ok(false)` to read (the connection is then `Some`).
    fn step(&mut self) -> io::Result<bool> {
        let Some(conn) = self.conn.as_ref() else {
            return Ok(true);
        };
        match self.reader.next(&conn.buf) {
            Ok(Next::Data(_)) => Ok(true),
            Ok(Next::Read) => Ok(false),
            Ok(Next::End { reuse }) => {
                let conn = self.conn.take();
                // Bytes past the body may be in the stream rather than the buffer (a TLS
                // record holding the body's end and more): such a connection is not reused.
                if let (true, Some(mut conn), Some((route, to))) =
                    (reuse, conn, self.give_back.take())
                {
                    if !conn.io.holds_unread() {
                        to.pool.checkin(route, conn, (to.transport.clock)());
                    }
                }
                Ok(true)
            }
            Err(e) => {
                // A failed body leaves its connection out of step: close it.
                self.conn = None;
                Err(e.into_io_error())
            }
        }
    }

    /// The payload decoded so far and not consumed (empty at the end of the body), reading
    /// the connection when there is none.
    pub fn poll_fill_buf(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        while !self.step()? {
            let Some(conn) = self.conn.as_mut() else {
                break;
            };
            let filled = match ready!(conn.io.poll_read(cx, &mut conn.buf)) {
                Ok(n) => self.reader.filled(n).map_err(|e| e.into_io_error()),
                Err(e) => Err(e),
            };
            if let Err(e) = filled {
                self.conn = None;
                return Poll::Ready(Err(e));
            }
        }
        let Some(conn) = self.conn.as_ref() else {
            return Poll::Ready(Ok(&[]));
        };
        match self.reader.next(&conn.buf) {
            Ok(Next::Data(range)) => Poll::Ready(Ok(&conn.buf[range])),
            _ => Poll::Ready(Ok(&[])),
        }
    }

    /// `amt` bytes of what [`poll_fill_buf`](Self::poll_fill_buf) gave were taken.
    pub fn consume(&mut self, amt: usize) {
        self.reader.consume(amt);
        if self.reader.is_done() {
            // The last byte is out: free the connection now, not on the next read.
            let _ = self.step();
        }
    }

    /// Copy up to `buf.len()` bytes of payload into `buf` (0 at the end).
    pub fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let available = ready!(self.poll_fill_buf(cx))?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Poll::Ready(Ok(n))
    }

    /// The payload decoded so far as a chunk; `None` at the end.
    pub fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<io::Result<Bytes>>> {
        let chunk = match ready!(self.poll_fill_buf(cx)) {
            Ok([]) => return Poll::Ready(None),
            Ok(buf) => Bytes::copy_from_slice(buf),
            Err(e) => return Poll::Ready(Some(Err(e))),
        };
        self.consume(chunk.len());
        Poll::Ready(Some(Ok(chunk)))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Mutex;

    use super::*;
    use crate::error::TransportErrorKind;

    /// A connection answering from a queue of reads (each cut to the caller's buffer; an empty
    /// queue is the end of the stream) and recording what is written.
    struct Fake {
        reads: VecDeque<Vec<u8>>,
        written: Arc<Mutex<Vec<u8>>>,
        /// What `holds_unread` answers (bytes kept inside the stream, as a TLS library keeps them).
        holds_unread: bool,
    }

    impl Fake {
        fn new(reads: Vec<Vec<u8>>) -> (Self, Arc<Mutex<Vec<u8>>>) {
            let written = Arc::new(Mutex::new(Vec::new()));
            let reads = reads.into();
            (
                Fake {
                    reads,
                    written: written.clone(),
                    holds_unread: false,
                },
                written,
            )
        }
    }

    impl ByteIo for Fake {
        fn poll_read(&mut self, _: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
            let Some(mut next) = self.reads.pop_front() else {
                return Poll::Ready(Ok(0));
            };
            let n = next.len().min(buf.len());
            buf[..n].copy_from_slice(&next[..n]);
            if n < next.len() {
                self.reads.push_front(next.split_off(n));
            }
            Poll::Ready(Ok(n))
        }

        fn poll_write(&mut self, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
            // A short write each time, so writes are continued where they stopped.
            let n = buf.len().min(7);
            self.written.lock().unwrap().extend_from_slice(&buf[..n]);
            Poll::Ready(Ok(n))
        }

        fn poll_flush(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn holds_unread(&mut self) -> bool {
            self.holds_unread
        }
    }

    fn driver() -> Driver<Fake> {
        Driver::new(
            4,
            Transport {
                still_open: |_| true,
                error: |e, what, _| {
                    TransportError::new(TransportErrorKind::Io, format!("{what}: {e}"))
                },
                clock: Instant::now,
            },
        )
    }

    /// Every future here completes at once (the fake never waits).
    fn now<T>(future: impl Future<Output = T>) -> T {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match std::pin::pin!(future).poll(&mut cx) {
            Poll::Ready(out) => out,
            Poll::Pending => panic!("the fake connection never waits"),
        }
    }

    fn route() -> Route {
        Route::for_uri(&"http://h/k".parse().unwrap(), None).unwrap()
    }

    /// Send `method` with `body` (length unknown when `len` is `None`) on `conn` (or on a
    /// pooled connection when `conn` is `None`).
    fn send(
        d: &Driver<Fake>,
        method: &str,
        body: &[u8],
        len: Option<u64>,
        conn: Option<Fake>,
    ) -> Result<(ResponseHead, PooledBody<Fake>), Failure> {
        let route = route();
        let uri: http::Uri = "http://h/k".parse().unwrap();
        let method: http::Method = method.parse().unwrap();
        let mut rest = body;
        let body = |_: &mut Context<'_>, buf: &mut [u8]| {
            let n = rest.len().min(buf.len()).min(5);
            buf[..n].copy_from_slice(&rest[..n]);
            rest = &rest[n..];
            Poll::Ready(Ok(n))
        };
        let request = Request {
            method: &method,
            uri: &uri,
            headers: std::iter::empty(),
            body_len: len,
        };
        let connect = || async { conn.ok_or_else(|| io::Error::other("no connection to open")) };
        now(d.send(&route, request, body, connect, |_| {}))
    }

    fn read_all(body: &mut PooledBody<Fake>) -> io::Result<Vec<u8>> {
        let mut all = Vec::new();
        let mut buf = [0u8; 3];
        loop {
            match now(poll_fn(|cx| body.poll_read(cx, &mut buf)))? {
                0 => return Ok(all),
                n => all.extend_from_slice(&buf[..n]),
            }
        }
    }

    fn pieces(wire: &[u8], size: usize) -> Vec<Vec<u8>> {
        wire.chunks(size).map(<[u8]>::to_vec).collect()
    }

    #[test]
    fn reads_split_at_every_size_give_the_body_and_pool_the_connection() {
        for wire in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"[..],
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n",
        ] {
            for size in 1..=wire.len() {
                let d = driver();
                let (fake, written) = Fake::new(pieces(wire, size));
                let (head, mut body) = send(&d, "GET", b"", Some(0), Some(fake)).unwrap();
                assert_eq!(head.status, 200);
                assert_eq!(read_all(&mut body).unwrap(), b"hello", "reads of {size}");
                assert_eq!(d.pool().idle(&route()), 1, "reads of {size}");
                let written = String::from_utf8(written.lock().unwrap().clone()).unwrap();
                assert!(written.starts_with("GET /k HTTP/1.1\r\nhost: h\r\n"), "{written}");
            }
        }
    }

    #[test]
    fn a_body_of_unknown_length_goes_chunked_after_the_head() {
        let d = driver();
        let (fake, written) = Fake::new(vec![b"HTTP/1.1 204 No Content\r\n\r\n".to_vec()]);
        let (_, body) = send(&d, "PUT", b"abcdefgh", None, Some(fake)).unwrap();
        let written = String::from_utf8(written.lock().unwrap().clone()).unwrap();
        assert!(
            written.contains("transfer-encoding: chunked\r\n\r\n"),
            "{written}"
        );
        assert!(
            written.ends_with("\r\n\r\n5\r\nabcde\r\n3\r\nfgh\r\n0\r\n\r\n"),
            "{written}"
        );
        // Nothing to read after a 204: the connection went back at once.
        assert_eq!(d.pool().idle(&route()), 1);
        drop(body);
    }

    #[test]
    fn a_body_longer_than_announced_is_refused() {
        let (fake, _) = Fake::new(vec![]);
        let (e, facts) = send(&driver(), "PUT", b"abcdefgh", Some(3), Some(fake))
            .err()
            .unwrap();
        assert_eq!(e.kind, TransportErrorKind::Request, "{e}");
        assert_eq!(facts, SendFailure::OTHER);
    }

    #[test]
    fn the_next_request_takes_the_idle_connection() {
        let d = driver();
        let first = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na".to_vec();
        let second = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb".to_vec();
        let (fake, _) = Fake::new(vec![first, second]);
        let (_, mut body) = send(&d, "GET", b"", Some(0), Some(fake)).unwrap();
        assert_eq!(read_all(&mut body).unwrap(), b"a");
        // No connection to open: the pooled one answers.
        let (_, mut body) = send(&d, "GET", b"", Some(0), None).unwrap();
        assert_eq!(read_all(&mut body).unwrap(), b"b");
        assert_eq!(d.pool().idle(&route()), 1);
    }

    #[test]
    fn a_reused_connection_closed_before_answering_is_stale() {
        let d = driver();
        let (fake, _) = Fake::new(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec()
        ]);
        send(&d, "GET", b"", Some(0), Some(fake)).unwrap();
        assert_eq!(d.pool().idle(&route()), 1);
        // The pooled connection's stream has ended.
        let (_, facts) = send(&d, "GET", b"", Some(0), None).err().unwrap();
        assert_eq!(
            facts,
            SendFailure {
                reused_connection: true,
                closed_before_response: true
            }
        );
        // On a fresh connection, part of a head then the end: not a stale connection.
        let (fake, _) = Fake::new(vec![b"HTTP/1.1 200".to_vec()]);
        let (e, facts) = send(&d, "GET", b"", Some(0), Some(fake)).err().unwrap();
        assert!(
            e.to_string()
                .contains("after 12 bytes of the response head"),
            "{e}"
        );
        assert_eq!(
            (facts.reused_connection, facts.closed_before_response),
            (false, false)
        );
        // A connection that cannot be opened says where it went.
        let (e, facts) = send(&driver(), "GET", b"", Some(0), None).err().unwrap();
        assert!(e.to_string().contains("connecting to h:80"), "{e}");
        assert_eq!(facts, SendFailure::OTHER);
    }

    #[test]
    fn a_body_cut_short_fails_and_closes_the_connection() {
        let d = driver();
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".to_vec();
        let (fake, _) = Fake::new(vec![wire]);
        let (_, mut body) = send(&d, "GET", b"", Some(0), Some(fake)).unwrap();
        assert_eq!(body.content_length(), Some(10));
        let e = read_all(&mut body).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(d.pool().idle(&route()), 0);
    }

    #[test]
    fn a_malformed_body_fails_when_read() {
        let d = driver();
        let wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n";
        let (fake, _) = Fake::new(vec![wire.to_vec()]);
        let (_, mut body) = send(&d, "GET", b"", Some(0), Some(fake)).unwrap();
        let e = read_all(&mut body).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{e}");
        assert_eq!(d.pool().idle(&route()), 0);
    }

    #[test]
    fn connections_the_exchange_may_not_reuse_are_closed() {
        for wire in [
            // The server closes it.
            &b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na"[..],
            // Bytes past the body arrived with it.
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naEXTRA",
            // Delimited by the end of the stream.
            b"HTTP/1.1 200 OK\r\n\r\na",
        ] {
            let d = driver();
            let (fake, _) = Fake::new(vec![wire.to_vec()]);
            let (_, mut body) = send(&d, "GET", b"", Some(0), Some(fake)).unwrap();
            assert_eq!(read_all(&mut body).unwrap(), b"a");
            assert_eq!(
                d.pool().idle(&route()),
                0,
                "{:?}",
                String::from_utf8_lossy(wire)
            );
        }
        // A HEAD answer has no body, whatever its length says: pooled at once.
        let d = driver();
        let (fake, _) = Fake::new(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n".to_vec()
        ]);
        let (_, mut body) = send(&d, "HEAD", b"", Some(0), Some(fake)).unwrap();
        assert_eq!(d.pool().idle(&route()), 1);
        assert_eq!(read_all(&mut body).unwrap(), b"");
    }

    #[test]
    fn a_connection_whose_stream_kept_bytes_past_the_body_is_closed() {
        // The body ends where the read buffer does, and the stream still holds bytes (the rest
        // of a TLS record, or a close it has seen): not reused.
        for kept in [true, false] {
            let d = driver();
            let (mut fake, _) = Fake::new(vec![
                b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na".to_vec()
            ]);
            fake.holds_unread = kept;
            let (_, mut body) = send(&d, "GET", b"", Some(0), Some(fake)).unwrap();
            assert_eq!(read_all(&mut body).unwrap(), b"a");
            assert_eq!(d.pool().idle(&route()), usize::from(!kept), "kept: {kept}");
        }
    }

    #[test]
    fn a_tunnel_reads_no_further_than_the_proxy_answer() {
        let proxy = ProxyUrl::parse("http://u:p@proxy:3128").unwrap();
        let answer = b"HTTP/1.1 200 Connection established\r\n\r\nTLS".to_vec();
        let (mut fake, written) = Fake::new(vec![answer]);
        now(open_tunnel(&mut fake, &proxy, "s3.amazonaws.com", 443)).unwrap();
        let written = String::from_utf8(written.lock().unwrap().clone()).unwrap();
        assert!(
            written.starts_with("CONNECT s3.amazonaws.com:443 HTTP/1.1\r\n"),
            "{written}"
        );
        assert!(written.contains("Proxy-Authorization: Basic"), "{written}");
        assert_eq!(fake.reads.pop_front().unwrap(), b"TLS");

        let (mut refused, _) = Fake::new(vec![b"HTTP/1.1 407 Auth\r\n\r\n".to_vec()]);
        now(open_tunnel(&mut refused, &proxy, "h", 443)).unwrap_err();
    }
}
