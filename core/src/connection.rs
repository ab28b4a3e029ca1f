//! The rules a transport's connections obey, decided once for every transport: when a request
//! that a stale pooled connection dropped is sent again ([`StaleReplay`]), how long a read or a
//! write of a connection may wait ([`SocketTimer`], botocore's socket timeout), what a connect
//! that takes too long says ([`timed_out`]) and how the connect timeout bounds each step of
//! opening a connection ([`connect_step`]), which I/O failures mean the peer closed the
//! connection ([`closed_by_peer`]), and what kind of failure an HTTP stack's error chain is
//! ([`classify_chain`], [`describe_chain`]).
//!
//! Sans-IO: a transport reports facts — "this send failed on a reused connection before any
//! response byte" ([`SendFailure`]), "this read has been waiting since now", "this write moved
//! bytes" — and the core decides: send again or give up, keep waiting until when, or fail now
//! with which error. The transport keeps its own sockets, timers and clock.

use std::future::Future;
use std::io;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use crate::body::Body;
use crate::error::{TransportError, TransportErrorKind};
use crate::http_config::io_error_kind;

/// How many times one request is sent again after stale pooled connections dropped it. A
/// second stale connection in a row is possible (a pool holding several connections the server
/// closed together), but each replay takes the next idle one or a fresh one, so one is enough
/// in practice; past it the call's retry policy decides.
pub const STALE_REPLAYS: u32 = 1;

/// What a transport saw of a send that failed before any response arrived.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendFailure {
    /// The request went on a connection that had already carried a response (taken from the
    /// pool), not on one opened for it.
    pub reused_connection: bool,
    /// The peer closed the connection (a reset, an abort, a broken pipe or the end of the
    /// stream: [`closed_by_peer`]) before any byte of the response arrived.
    pub closed_before_response: bool,
}

impl SendFailure {
    /// A failure whose facts do not allow a replay (a timeout, a refusal, a TLS error, or any
    /// failure on a fresh connection).
    pub const OTHER: SendFailure = SendFailure {
        reused_connection: false,
        closed_before_response: false,
    };

    /// The failure of a stale pooled connection: a server closes an idle connection when it
    /// likes, and the client may take it from the pool before it sees the close. Almost always
    /// the request then never reached the server's application; the rare close after the
    /// server read it (a balancer's timeout mid-request) looks the same from here, and the
    /// replay accepts that risk because botocore retries such a `ConnectionClosedError` too (there
    /// through its retry handler; here once, outside the retry quota). On a fresh connection
    /// the server may have acted on the request: the retry policy decides.
    pub fn is_stale_connection(self) -> bool {
        self.reused_connection && self.closed_before_response
    }
}

/// Whether an I/O failure of this kind means the peer closed the connection.
pub fn closed_by_peer(kind: io::ErrorKind) -> bool {
    use io::ErrorKind as K;
    matches!(
        kind,
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof
    )
}

/// The stale-connection replay policy of one request: a body held in memory may be sent again,
/// up to [`STALE_REPLAYS`] times, after [stale pooled connections](SendFailure::is_stale_connection)
/// dropped it; a streamed body is never sent again here (it may be half read: the call's retry
/// policy rewinds or refuses it).
#[derive(Debug)]
pub struct StaleReplay {
    /// A copy of the body for the next sending (cheap: `Bytes` are shared).
    spare: Option<Body>,
    left: u32,
}

impl StaleReplay {
    /// The policy for a request with `body`.
    pub fn new(body: &Body) -> Self {
        let spare = match body {
            Body::Empty | Body::Bytes(_) => Some(body.clone()),
            Body::Stream(_) => None,
        };
        StaleReplay {
            spare,
            left: STALE_REPLAYS,
        }
    }

    /// After a send failed with `failure`: the body to send again, or `None` to give up (the
    /// failure is the request's error).
    pub fn again(&mut self, failure: SendFailure) -> Option<Body> {
        if !failure.is_stale_connection() || self.left == 0 {
            return None;
        }
        let body = self.spare.clone()?;
        self.left -= 1;
        Some(body)
    }
}

/// Send `body` with `send` (one request on one connection), sending it again as [`StaleReplay`]
/// allows when `send` reports a stale pooled connection.
pub async fn send_replaying<R, F, Fut>(body: Body, mut send: F) -> Result<R, TransportError>
where
    F: FnMut(Body) -> Fut,
    Fut: Future<Output = Result<R, (TransportError, SendFailure)>>,
{
    let mut policy = StaleReplay::new(&body);
    let mut body = body;
    loop {
        match send(body).await {
            Ok(response) => return Ok(response),
            Err((error, failure)) => match policy.again(failure) {
                Some(again) => body = again,
                None => return Err(error),
            },
        }
    }
}

/// One direction of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Reading from the peer.
    Read,
    /// Writing to the peer.
    Write,
}

/// botocore's socket timeout on one connection: a read or a write fails when it has waited
/// `limit` with no progress — between the pieces of a body, not over the whole of it (a long
/// download that keeps arriving never times out). Progress in one direction restarts the
/// other's wait: an HTTP client waits for the response head while it still uploads the body,
/// and that wait only counts once the upload stalls (botocore's timeout applies to the `recv`
/// after `sendall`).
///
/// The transport tells it when an operation is [`ready`](Self::ready) and when it
/// [`waits`](Self::wait) (and polls again by the instant it is given); the clock is the
/// transport's (a paused or virtual one in tests).
#[derive(Clone, Debug)]
pub struct SocketTimer {
    limit: Duration,
    /// When each direction's current wait fails (`None`: not waiting).
    read: Option<Instant>,
    write: Option<Instant>,
}

impl SocketTimer {
    /// Reads and writes wait at most `limit` each.
    pub fn new(limit: Duration) -> Self {
        SocketTimer {
            limit,
            read: None,
            write: None,
        }
    }

    /// The limit each wait has.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    fn slot(&mut self, direction: Direction) -> &mut Option<Instant> {
        match direction {
            Direction::Read => &mut self.read,
            Direction::Write => &mut self.write,
        }
    }

    /// `direction`'s operation completed at `now`, having moved bytes when `progressed`: its
    /// wait ends, and progress restarts the other direction's wait from `now`.
    pub fn ready(&mut self, direction: Direction, progressed: bool, now: Instant) {
        *self.slot(direction) = None;
        if progressed {
            let other = match direction {
                Direction::Read => Direction::Write,
                Direction::Write => Direction::Read,
            };
            let limit = self.limit;
            if let Some(deadline) = self.slot(other) {
                *deadline = deadline_after(now, limit);
            }
        }
    }

    /// `direction`'s operation is waiting at `now` (its wait starts with the first call since
    /// it was last ready): the instant by which to poll it again, or the error it fails with
    /// when that instant has come.
    pub fn wait(&mut self, direction: Direction, now: Instant) -> Result<Instant, io::Error> {
        let limit = self.limit;
        let deadline = *self
            .slot(direction)
            .get_or_insert_with(|| deadline_after(now, limit));
        if now >= deadline {
            return Err(self.expired(direction));
        }
        Ok(deadline)
    }

    /// `direction`'s wait is over (its deadline passed): the error its operation fails with.
    pub fn expired(&mut self, direction: Direction) -> io::Error {
        *self.slot(direction) = None;
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!("no data for {:?} (read timeout)", self.limit),
        )
    }
}

/// A runtime's timer that a socket's wait sleeps on (tokio's `Sleep`, async-io's `Timer`).
pub trait Alarm {
    /// A timer that rings at `deadline`.
    fn at(deadline: Instant) -> Self;
    /// Ring at `deadline` instead.
    fn reset(&mut self, deadline: Instant);
    /// Whether it has rung (`cx` is woken when it does).
    fn poll_ring(&mut self, cx: &mut Context<'_>) -> Poll<()>;
}

/// A connection's [`SocketTimer`] with the runtime's [`Alarm`] per direction: what a timed
/// socket does around each read and write, so a transport's socket type only polls its own
/// socket and hands the outcome here.
///
/// A direction's alarm outlives the wait it was set for and is moved only when it rings before
/// the current wait is over. Setting a runtime's timer can cost more than the wait itself:
/// async-io registers each new timer with its reactor and wakes the reactor to say so (a
/// system call and a context switch), and a streamed download waits thousands of times per
/// gigabyte, each wait ending within microseconds, long before any limit.
#[derive(Debug)]
pub struct TimedWaits<A> {
    timer: SocketTimer,
    /// Per direction: the alarm and the instant it is set for (an earlier wait's deadline, or
    /// the current one's).
    alarms: [Option<(A, Instant)>; 2],
}

impl<A: Alarm> TimedWaits<A> {
    /// Reads and writes wait at most `limit` each.
    pub fn new(limit: Duration) -> Self {
        TimedWaits {
            timer: SocketTimer::new(limit),
            alarms: [None, None],
        }
    }

    /// `op`, an operation in `direction` polled at `now` (which `progressed` when it moved
    /// bytes), as the socket timer lets it go: a ready one is reported to the timer and
    /// returned; a pending one waits on the alarm, set to the timer's deadline, and fails with
    /// the timer's error when that rings.
    pub fn poll<T>(
        &mut self,
        direction: Direction,
        progressed: bool,
        now: Instant,
        cx: &mut Context<'_>,
        op: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if op.is_ready() {
            self.timer.ready(direction, progressed, now);
            return op;
        }
        let deadline = self.timer.wait(direction, now)?;
        let slot = &mut self.alarms[direction as usize];
        let (alarm, at) = slot.get_or_insert_with(|| (A::at(deadline), deadline));
        if *at > deadline {
            // Deadlines only move later; an alarm set past this one is reset all the same.
            alarm.reset(deadline);
            *at = deadline;
        }
        loop {
            ready!(alarm.poll_ring(cx));
            if *at >= deadline {
                *slot = None;
                return Poll::Ready(Err(self.timer.expired(direction)));
            }
            // An earlier wait's alarm rang; this wait still has until its own deadline.
            alarm.reset(deadline);
            *at = deadline;
        }
    }
}

/// A time limit over several operations of a connection (a whole exchange, a proxy
/// `CONNECT`), and what exceeding it says.
#[derive(Clone, Debug)]
pub struct Deadline {
    /// When it passes.
    pub at: Instant,
    /// The error's message.
    pub message: String,
}

impl Deadline {
    /// `limit` after `now` (as far as the clock goes when that cannot be represented).
    pub fn after(now: Instant, limit: Duration, message: String) -> Self {
        Deadline {
            at: deadline_after(now, limit),
            message,
        }
    }

    /// The error of an operation it cut short.
    pub fn error(&self) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, self.message.clone())
    }

    /// The earlier of this one and `other`.
    pub fn earliest(self, other: Option<&Deadline>) -> Deadline {
        match other {
            Some(o) if o.at < self.at => o.clone(),
            _ => self,
        }
    }
}

/// A connection's [`SocketTimer`] for a blocking socket, where each read or write is one wait
/// bounded by the socket's own timeout, within an optional [`Deadline`]: the transport asks
/// [`before`](Self::before) each operation which timeout to set, and hands the outcome to
/// [`after`](Self::after), which says which limit a timed-out wait hit.
#[derive(Clone, Debug)]
pub struct BlockingWaits {
    timer: SocketTimer,
    /// The bound over what the connection does now (`None`: only the socket timer).
    pub deadline: Option<Deadline>,
    /// The timeouts last set on the socket, per direction (setting one is a system call).
    set: [Option<Duration>; 2],
    /// The current wait ends at the deadline rather than the timer's limit.
    by_deadline: bool,
}

impl BlockingWaits {
    /// Reads and writes wait at most `limit` each, within `deadline`.
    pub fn new(limit: Duration, deadline: Option<Deadline>) -> Self {
        BlockingWaits {
            timer: SocketTimer::new(limit),
            deadline,
            set: [None, None],
            by_deadline: false,
        }
    }

    /// An operation in `direction` is about to wait at `now`: the timeout to set on the socket
    /// first (`None` when the one set last still holds), or the error when a limit has passed.
    pub fn before(&mut self, direction: Direction, now: Instant) -> io::Result<Option<Duration>> {
        let mut until = self.timer.wait(direction, now)?;
        self.by_deadline = false;
        if let Some(d) = &self.deadline {
            if d.at <= now {
                return Err(d.error());
            }
            if d.at < until {
                (until, self.by_deadline) = (d.at, true);
            }
        }
        let timeout = until
            .saturating_duration_since(now)
            .max(Duration::from_millis(1));
        let set = &mut self.set[direction as usize];
        Ok((*set != Some(timeout)).then(|| *set.insert(timeout)))
    }

    /// The outcome of that operation at `now` (`progressed` when it moved bytes): a wait the
    /// socket's timeout ended fails with the timer's error or the deadline's.
    pub fn after<T>(
        &mut self,
        direction: Direction,
        now: Instant,
        outcome: io::Result<T>,
        progressed: impl FnOnce(&T) -> bool,
    ) -> io::Result<T> {
        match outcome {
            Ok(out) => {
                self.timer.ready(direction, progressed(&out), now);
                Ok(out)
            }
            // The operation waits on from where it was.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                match (&self.deadline, self.by_deadline) {
                    (Some(d), true) => Err(d.error()),
                    _ => Err(self.timer.expired(direction)),
                }
            }
            Err(e) => {
                self.timer.ready(direction, false, now);
                Err(e)
            }
        }
    }
}

/// Connect to each address `host:port` resolved to in turn until one answers, as a blocking
/// transport does (urllib3's `create_connection`): each `attempt` (the transport's connect to
/// one address) may take the connect timeout `limit`, within `deadline` (`now` is the
/// transport's clock). A timed-out attempt fails with the connect timeout's error; when none
/// answers, the last attempt's error is the result.
pub fn connect_each<A, T>(
    (host, port): (&str, u16),
    addrs: impl IntoIterator<Item = A>,
    limit: Duration,
    deadline: Option<&Deadline>,
    now: impl Fn() -> Instant,
    mut attempt: impl FnMut(A, Duration) -> io::Result<T>,
) -> io::Result<T> {
    let what = format!("connecting to {host}:{port}");
    let mut last = None;
    for addr in addrs {
        let limit = deadline.map_or(limit, |d| limit.min(d.at.saturating_duration_since(now())));
        if limit.is_zero() {
            return Err(deadline.map_or_else(|| timed_out(&what, limit), Deadline::error));
        }
        match attempt(addr, limit) {
            Ok(connected) => return Ok(connected),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                last = Some(timed_out(&what, limit));
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        let msg = format!("{host} resolved to no address");
        io::Error::new(io::ErrorKind::NotFound, msg)
    }))
}

/// `now + limit`, or as far ahead as the clock goes when that cannot be represented: a limit
/// of `Duration::MAX` is how a caller says "no timeout", and it must wait, not overflow.
pub fn deadline_after(now: Instant, limit: Duration) -> Instant {
    now.checked_add(limit)
        .or_else(|| now.checked_add(Duration::from_secs(u64::from(u32::MAX))))
        .unwrap_or(now)
}

/// The error of a connection step (`what`: "connecting to host:port", "proxy CONNECT to
/// host:port") that took longer than `limit`, botocore's connect timeout: it bounds the TCP
/// connect and, on its own, the proxy's `CONNECT` exchange.
pub fn timed_out(what: &str, limit: Duration) -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        format!("{what} took longer than {limit:?}"),
    )
}

/// The connect timeout's bound over one step of opening a connection (`what`: "connecting to
/// host:port", "proxy CONNECT to host:port", "TLS handshake with host:port"): the step as a
/// whole, started at `now`, on its own. So a peer that trickles its
/// bytes cannot hold a connect for ever (a per-read limit would restart with each byte). This is
/// botocore's connect phase: urllib3 leaves the connect timeout on the socket until the request
/// is sent, and CPython's ssl makes a socket's timeout the handshake's total duration (since
/// Python 3.5), each step on its own rather than one budget over all of them.
pub fn connect_step(what: &str, limit: Duration, now: Instant) -> Deadline {
    Deadline::after(now, limit, timed_out(what, limit).to_string())
}

/// The kind of a failure whose cause chain starts at `err`: the most telling kind any cause
/// shows (TLS over timeout over connect over I/O), looking inside `io::Error`s (whose `source()`
/// skips the error they wrap). `specific` names the kinds the HTTP stack's own error types show
/// (its TLS library's errors, its timeouts); an `io::Error` shows [`io_error_kind`]. A failure
/// while `connecting` with nothing more telling than I/O is a connect failure.
pub fn classify_chain(
    err: &(dyn std::error::Error + 'static),
    connecting: bool,
    specific: impl Fn(&(dyn std::error::Error + 'static)) -> Option<TransportErrorKind>,
) -> TransportErrorKind {
    let rank = |kind| match kind {
        TransportErrorKind::Tls => 4,
        TransportErrorKind::Timeout => 3,
        TransportErrorKind::Connect => 2,
        _ => 1,
    };
    let mut kind = None::<TransportErrorKind>;
    let mut note = |k: TransportErrorKind| {
        if kind.is_none_or(|old| rank(k) > rank(old)) {
            kind = Some(k);
        }
    };
    let mut stack: Vec<&(dyn std::error::Error + 'static)> = vec![err];
    while let Some(e) = stack.pop() {
        if let Some(k) = specific(e) {
            note(k);
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            note(io_error_kind(io));
            if let Some(inner) = io.get_ref() {
                stack.push(inner);
            }
        }
        if let Some(next) = e.source() {
            stack.push(next);
        }
    }
    match kind {
        Some(TransportErrorKind::Io) | None if connecting => TransportErrorKind::Connect,
        Some(k) => k,
        None => TransportErrorKind::Io,
    }
}

/// `err` and its causes as one message, "outer: cause: cause", without repeating a cause its
/// outer error's message already ends with.
pub fn describe_chain(err: &(dyn std::error::Error + 'static)) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_each_tries_every_address_within_the_limits() {
        let t0 = Instant::now();
        let secs = Duration::from_secs;
        let refused = || io::Error::from(io::ErrorKind::ConnectionRefused);
        // The first refuses, the second answers; each attempt has the connect timeout.
        let mut seen = Vec::new();
        let got = connect_each(
            ("h", 443),
            [1, 2, 3],
            secs(5),
            None,
            || t0,
            |a, limit| {
                seen.push((a, limit));
                if a == 1 {
                    Err(refused())
                } else {
                    Ok(a)
                }
            },
        );
        assert_eq!(got.unwrap(), 2);
        assert_eq!(seen, [(1, secs(5)), (2, secs(5))]);
        // None answers: the last failure, a timeout named as the connect timeout's.
        let timeout = || io::Error::from(io::ErrorKind::WouldBlock);
        let e = connect_each(
            ("h", 443),
            [1, 2],
            secs(5),
            None,
            || t0,
            |a, _| {
                if a == 1 {
                    Err::<(), _>(refused())
                } else {
                    Err(timeout())
                }
            },
        );
        assert_eq!(
            e.unwrap_err().to_string(),
            "connecting to h:443 took longer than 5s"
        );
        // A nearer deadline shortens an attempt, and once passed ends the trying with its error.
        let d = Deadline::after(t0, secs(2), "no answer within 2s".into());
        let mut limits = Vec::new();
        let clock = std::cell::Cell::new(t0);
        let e = connect_each(
            ("h", 443),
            [1, 2],
            secs(5),
            Some(&d),
            || clock.get(),
            |_, limit| {
                limits.push(limit);
                clock.set(t0 + secs(2));
                Err::<(), _>(timeout())
            },
        );
        assert_eq!(e.unwrap_err().to_string(), "no answer within 2s");
        assert_eq!(limits, [secs(2)]);
        // A name that resolved to nothing says so.
        let e = connect_each(
            ("nowhere", 80),
            Vec::<u8>::new(),
            secs(5),
            None,
            || t0,
            |_, _| Ok(()),
        );
        assert_eq!(e.unwrap_err().kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn a_connect_step_is_bounded_as_a_whole_and_says_so() {
        let t0 = Instant::now();
        let d = connect_step("TLS handshake with h:443", Duration::from_secs(2), t0);
        assert_eq!(d.at, t0 + Duration::from_secs(2));
        let e = d.error();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert_eq!(
            e.to_string(),
            "TLS handshake with h:443 took longer than 2s"
        );
        // Over a blocking socket, each wait of the step is cut to what is left of it.
        let mut waits = BlockingWaits::new(Duration::from_secs(10), Some(d));
        let later = t0 + Duration::from_millis(1500);
        assert_eq!(
            waits.before(Direction::Read, later).unwrap(),
            Some(Duration::from_millis(500))
        );
        let e = waits
            .before(Direction::Read, t0 + Duration::from_secs(2))
            .unwrap_err();
        assert!(e.to_string().contains("TLS handshake"), "{e}");
    }

    #[test]
    fn blocking_waits_set_the_nearer_limit_and_name_it_when_it_passes() {
        let t0 = Instant::now();
        let secs = Duration::from_secs;
        let mut waits = BlockingWaits::new(secs(10), None);
        assert_eq!(waits.before(Direction::Read, t0).unwrap(), Some(secs(10)));
        // The same wait again: nothing to set.
        assert_eq!(waits.before(Direction::Read, t0).unwrap(), None);
        let timed_out = || io::Error::from(io::ErrorKind::WouldBlock);
        let e = waits.after::<usize>(Direction::Read, t0, Err(timed_out()), |_| true);
        assert!(e.unwrap_err().to_string().contains("read timeout"));

        // A deadline nearer than the timer bounds the wait, and its message is the error.
        let d = Deadline::after(t0, secs(3), "no answer within 3s".into());
        let mut waits = BlockingWaits::new(secs(10), Some(d.clone()));
        assert_eq!(waits.before(Direction::Write, t0).unwrap(), Some(secs(3)));
        let e = waits.after::<usize>(Direction::Write, t0, Err(timed_out()), |_| true);
        assert_eq!(e.unwrap_err().to_string(), "no answer within 3s");
        // Once it has passed, nothing waits.
        let e = waits.before(Direction::Read, t0 + secs(3)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);

        // Progress in one direction restarts the other's wait; an interruption is no failure.
        let mut waits = BlockingWaits::new(secs(10), None);
        waits.before(Direction::Read, t0).unwrap();
        assert_eq!(
            waits
                .after(Direction::Write, t0 + secs(5), Ok(4usize), |n| *n > 0)
                .unwrap(),
            4
        );
        assert_eq!(
            waits.before(Direction::Read, t0 + secs(6)).unwrap(),
            Some(secs(9))
        );
        let e = io::Error::from(io::ErrorKind::Interrupted);
        let again = waits.after::<usize>(Direction::Read, t0, Err(e), |_| true);
        assert_eq!(again.unwrap_err().kind(), io::ErrorKind::Interrupted);

        // The earlier of two deadlines wins.
        let later = Deadline::after(t0, secs(9), "later".into());
        assert_eq!(later.clone().earliest(Some(&d)).message, d.message);
        assert_eq!(d.clone().earliest(Some(&later)).message, d.message);
        assert_eq!(later.clone().earliest(None).message, "later");
    }
    use crate::error::TransportErrorKind;
    use crate::StreamingBody;
    use bytes::Bytes;

    /// An alarm that rings once the test says the time has come.
    struct TestAlarm {
        deadline: Instant,
        rung_at: std::rc::Rc<std::cell::Cell<Option<Instant>>>,
    }

    thread_local! {
        static CLOCK: std::rc::Rc<std::cell::Cell<Option<Instant>>> = Default::default();
        /// How many times an alarm was made or reset on this thread.
        static ALARM_SETS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    impl Alarm for TestAlarm {
        fn at(deadline: Instant) -> Self {
            ALARM_SETS.with(|n| n.set(n.get() + 1));
            TestAlarm {
                deadline,
                rung_at: CLOCK.with(|c| c.clone()),
            }
        }
        fn reset(&mut self, deadline: Instant) {
            ALARM_SETS.with(|n| n.set(n.get() + 1));
            self.deadline = deadline;
        }
        fn poll_ring(&mut self, _: &mut std::task::Context<'_>) -> Poll<()> {
            match self.rung_at.get() {
                Some(now) if now >= self.deadline => Poll::Ready(()),
                _ => Poll::Pending,
            }
        }
    }

    #[test]
    fn timed_waits_fail_a_wait_without_progress_and_progress_restarts_the_other_direction() {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let limit = Duration::from_secs(10);
        let mut waits = TimedWaits::<TestAlarm>::new(limit);
        let t0 = Instant::now();
        let pending = || Poll::<io::Result<usize>>::Pending;
        // A read waits from t0; a write moving bytes at t0+8s restarts it.
        assert!(waits
            .poll(Direction::Read, false, t0, &mut cx, pending())
            .is_pending());
        let wrote = waits.poll(
            Direction::Write,
            true,
            t0 + Duration::from_secs(8),
            &mut cx,
            Poll::Ready(Ok(5)),
        );
        assert!(matches!(wrote, Poll::Ready(Ok(5))));
        CLOCK.with(|c| c.set(Some(t0 + Duration::from_secs(12))));
        assert!(
            waits
                .poll(
                    Direction::Read,
                    false,
                    t0 + Duration::from_secs(12),
                    &mut cx,
                    pending()
                )
                .is_pending(),
            "the read's deadline moved to 18s"
        );
        CLOCK.with(|c| c.set(Some(t0 + Duration::from_secs(18))));
        let Poll::Ready(Err(e)) = waits.poll(
            Direction::Read,
            false,
            t0 + Duration::from_secs(17),
            &mut cx,
            pending(),
        ) else {
            panic!("the alarm rang")
        };
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        // A read that completes ends its wait: the next one starts afresh.
        let read = waits.poll(
            Direction::Read,
            true,
            t0 + Duration::from_secs(30),
            &mut cx,
            Poll::Ready(Ok(1)),
        );
        assert!(matches!(read, Poll::Ready(Ok(1))));
        assert!(waits
            .poll(
                Direction::Read,
                false,
                t0 + Duration::from_secs(30),
                &mut cx,
                pending()
            )
            .is_pending());
    }

    #[test]
    fn timed_waits_set_the_alarm_once_for_many_short_waits_and_move_it_only_when_it_rings_early() {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let limit = Duration::from_secs(10);
        let mut waits = TimedWaits::<TestAlarm>::new(limit);
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        // A download: a thousand reads that each wait a moment, then get bytes.
        for i in 0..1000 {
            let at = t0 + ms(i);
            let waiting = waits.poll(
                Direction::Read,
                false,
                at,
                &mut cx,
                Poll::<io::Result<usize>>::Pending,
            );
            assert!(waiting.is_pending());
            let read = waits.poll(Direction::Read, true, at, &mut cx, Poll::Ready(Ok(1)));
            assert!(matches!(read, Poll::Ready(Ok(1))));
        }
        assert_eq!(
            ALARM_SETS.get(),
            1,
            "one alarm, set for the first wait, serves them all"
        );
        // The alarm (set for t0+10s) rings during a wait that began at t0+5s: that wait has
        // until t0+15s, so it goes on waiting, on the alarm moved there.
        let waiting = |waits: &mut TimedWaits<TestAlarm>, now, cx: &mut std::task::Context<'_>| {
            waits.poll(
                Direction::Read,
                false,
                now,
                cx,
                Poll::<io::Result<usize>>::Pending,
            )
        };
        assert!(waiting(&mut waits, t0 + ms(5_000), &mut cx).is_pending());
        CLOCK.with(|c| c.set(Some(t0 + ms(12_000))));
        assert!(waiting(&mut waits, t0 + ms(12_000), &mut cx).is_pending());
        assert_eq!(ALARM_SETS.get(), 2);
        CLOCK.with(|c| c.set(Some(t0 + ms(15_000))));
        let Poll::Ready(Err(e)) = waiting(&mut waits, t0 + ms(14_999), &mut cx) else {
            panic!("the wait from t0+5s ends at t0+15s")
        };
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
    }

    const STALE: SendFailure = SendFailure {
        reused_connection: true,
        closed_before_response: true,
    };

    #[test]
    fn only_a_stale_pooled_connection_replays_an_in_memory_body_once() {
        let body = Body::Bytes(Bytes::from_static(b"abc"));
        let mut policy = StaleReplay::new(&body);
        for fresh in [
            SendFailure::OTHER,
            SendFailure {
                reused_connection: false,
                closed_before_response: true,
            },
            SendFailure {
                reused_connection: true,
                closed_before_response: false,
            },
        ] {
            assert!(policy.again(fresh).is_none(), "{fresh:?}");
        }
        assert!(matches!(policy.again(STALE), Some(Body::Bytes(b)) if b == "abc"));
        assert!(policy.again(STALE).is_none(), "once only");
        assert!(StaleReplay::new(&Body::Empty).again(STALE).is_some());
        let stream = Body::Stream(StreamingBody::new(1u8, None));
        assert!(StaleReplay::new(&stream).again(STALE).is_none());
    }

    #[test]
    fn send_replaying_sends_again_after_a_stale_connection_only() {
        let complete = |f: std::pin::Pin<&mut dyn Future<Output = _>>| {
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            match f.poll(&mut cx) {
                std::task::Poll::Ready(out) => out,
                std::task::Poll::Pending => panic!("pending"),
            }
        };
        let error = || TransportError::new(TransportErrorKind::Io, "reset");
        let mut sent = 0;
        let out: Result<u32, _> = complete(std::pin::pin!(send_replaying(Body::Empty, |_| {
            sent += 1;
            std::future::ready(if sent == 1 {
                Err((error(), STALE))
            } else {
                Ok(7)
            })
        })));
        assert_eq!((out.unwrap(), sent), (7, 2));
        let mut sent = 0;
        let out: Result<u32, _> = complete(std::pin::pin!(send_replaying(Body::Empty, |_| {
            sent += 1;
            std::future::ready(Err((error(), STALE)))
        })));
        assert_eq!((out.unwrap_err().kind, sent), (TransportErrorKind::Io, 2));
    }

    /// An error wrapping another, as HTTP stacks nest them.
    #[derive(Debug)]
    struct Wrap(&'static str, Option<io::Error>);

    impl std::fmt::Display for Wrap {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Wrap {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_ref().map(|e| e as _)
        }
    }

    #[test]
    fn the_most_telling_kind_of_a_chain_wins_and_its_text_is_said_once() {
        let none = |_: &(dyn std::error::Error + 'static)| None;
        let reset = Wrap("send", Some(io::ErrorKind::ConnectionReset.into()));
        assert_eq!(classify_chain(&reset, false, none), TransportErrorKind::Io);
        assert_eq!(
            classify_chain(&reset, true, none),
            TransportErrorKind::Connect
        );
        // A TLS failure inside an io::Error inside the stack's error: TLS, even while connecting.
        let tls = Wrap(
            "connect",
            Some(io::Error::other(Wrap("bad certificate", None))),
        );
        let is_tls = |e: &(dyn std::error::Error + 'static)| {
            (e.to_string() == "bad certificate").then_some(TransportErrorKind::Tls)
        };
        assert_eq!(classify_chain(&tls, true, is_tls), TransportErrorKind::Tls);
        let timeout = Wrap("read", Some(io::ErrorKind::TimedOut.into()));
        assert_eq!(
            classify_chain(&timeout, true, none),
            TransportErrorKind::Timeout
        );
        let text = Wrap("reading: timed out", Some(io::Error::other("timed out")));
        assert_eq!(describe_chain(&text), "reading: timed out");
        assert_eq!(describe_chain(&tls), "connect: bad certificate");
    }

    #[test]
    fn closes_by_the_peer_are_resets_aborts_broken_pipes_and_eof() {
        use io::ErrorKind as K;
        for kind in [
            K::ConnectionReset,
            K::ConnectionAborted,
            K::BrokenPipe,
            K::UnexpectedEof,
        ] {
            assert!(closed_by_peer(kind));
        }
        assert!(!closed_by_peer(K::TimedOut) && !closed_by_peer(K::ConnectionRefused));
    }

    #[test]
    fn a_wait_fails_after_the_limit_unless_either_direction_progresses() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut timer = SocketTimer::new(ms(300));
        assert_eq!(timer.wait(Direction::Read, t0).unwrap(), t0 + ms(300));
        // Still the same wait: its deadline does not move by itself.
        assert_eq!(
            timer.wait(Direction::Read, t0 + ms(100)).unwrap(),
            t0 + ms(300)
        );
        // The upload moves on: the wait for the answer starts again.
        timer.ready(Direction::Write, true, t0 + ms(200));
        assert_eq!(
            timer.wait(Direction::Read, t0 + ms(250)).unwrap(),
            t0 + ms(500)
        );
        // A write that moved nothing restarts nothing.
        timer.ready(Direction::Write, false, t0 + ms(400));
        let e = timer.wait(Direction::Read, t0 + ms(500)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(e.to_string().contains("300ms (read timeout)"), "{e}");
        // A read that completed ends its wait; the next one has the whole limit.
        timer.ready(Direction::Read, true, t0 + ms(600));
        assert_eq!(
            timer.wait(Direction::Read, t0 + ms(700)).unwrap(),
            t0 + ms(1000)
        );
        let e = timed_out("connecting to h:1", ms(5));
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert_eq!(e.to_string(), "connecting to h:1 took longer than 5ms");
    }

    #[test]
    fn a_limit_too_long_for_the_clock_waits_instead_of_overflowing() {
        let start = Instant::now();
        let mut timer = SocketTimer::new(Duration::MAX);
        let deadline = timer
            .wait(Direction::Read, start)
            .expect("a wait, not an error");
        assert!(deadline > start + Duration::from_secs(3600 * 24 * 365));
        // Progress on the other direction restarts the wait without overflowing either.
        timer.ready(Direction::Write, true, start + Duration::from_secs(1));
        let later = start + Duration::from_secs(2);
        assert!(timer.wait(Direction::Read, later).expect("still waiting") > later);
    }
}
