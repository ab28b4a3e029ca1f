//! What a transport built on a general-purpose HTTP client library (an "HTTP stack": hyper for
//! the tokio transport) gets from the core around that library, so that its own code only hands
//! requests, bodies, bytes and errors across:
//!
//! - the sending of a request ([`send`]), which brings together what follows with the core's
//!   stale-connection replay and the checks its response body is read through ([`Answer`],
//!   [`StackResponse`]);
//! - the request head fix-ups such a library does not make itself ([`prepare_head`]: an
//!   absolute URI, botocore's `Content-Length` rule, `Proxy-Authorization` for a request a
//!   proxy gets in absolute form);
//! - the request body as it goes out ([`StackBody`]: the core's [`Outgoing`], built from the
//!   request's extensions, and the cancellation of a signed event-stream input once nobody
//!   reads its answers, [`AnswersGuard`]);
//! - how a connection opens is the HTTP/1.1 driver's [`Route`](crate::http1::Route) too: where
//!   the TCP connection goes, the proxy's `CONNECT` tunnel, what each step is called when it
//!   takes too long;
//! - what a failed send says ([`failed_send`]): its kind and message from the library's error
//!   chain, and the facts the stale-connection replay judges, among them whether the connection
//!   had already carried a response ([`ConnectionUse`]).
//!
//! Sans-IO like the rest of the core: the transport names its body types ([`BodyIo`]), tells
//! which of its library's errors mean what, and keeps its sockets, pools and clock.

use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::SystemTime;

use bytes::Bytes;

use crate::auth::event_signing::EventSigner;
use crate::body::Body;
use crate::connection::{
    classify_chain, closed_by_peer, describe_chain, send_replaying, SendFailure,
};
use crate::error::{TransportError, TransportErrorKind};
use crate::http_config::ProxyConfig;
use crate::httpchecksum::AwsChunkedBody;
use crate::outgoing::{BodyIo, Outgoing};
use crate::response_check::ResponseCheck;
use crate::response_read::ResponseReader;

/// A response head from an HTTP stack, with what its body is read through: the
/// [`ResponseCheck`] its length (and the checksum the call adds) is checked against, and the
/// [`AnswersGuard`] of a signed event-stream input, to drop with the body.
#[derive(Debug)]
pub struct Answer<B> {
    /// The response, with the stack's own body.
    pub response: http::Response<B>,
    /// The checks reading the body goes through.
    pub check: ResponseCheck,
    /// Cancels the request's event stream when dropped.
    pub guard: Option<AnswersGuard>,
}

impl<B> Answer<B> {
    /// The response with its body to read through the core ([`StackResponse`]).
    pub fn into_response(self) -> http::Response<StackResponse<B>> {
        let (check, guard) = (self.check, self.guard);
        (self.response).map(|body| StackResponse::new(body, check, guard))
    }
}

/// A response body from an HTTP stack (the stack's own body type `S`), read through the core's
/// [`ResponseReader`]: the stack's body is let go as soon as it ended or failed (so its
/// connection returns to the pool, or closes, at once), and the request's [`AnswersGuard`] is
/// kept until this body is dropped.
#[derive(Debug)]
pub struct StackResponse<S> {
    /// `None` once the body ended or failed.
    source: Option<S>,
    reader: ResponseReader,
    _guard: Option<AnswersGuard>,
}

impl<S> StackResponse<S> {
    /// The body `source`, read through `check`, keeping `guard`.
    pub fn new(source: S, check: ResponseCheck, guard: Option<AnswersGuard>) -> Self {
        StackResponse {
            source: Some(source),
            reader: ResponseReader::new(check),
            _guard: guard,
        }
    }

    /// The declared length, when the response had a `Content-Length`.
    pub fn content_length(&self) -> Option<u64> {
        self.reader.content_length()
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.reader.received()
    }

    /// The checks reading goes through (the core adds the checksum and the transfer watch).
    pub fn check(&mut self) -> &mut ResponseCheck {
        self.reader.check()
    }

    /// [`ResponseReader::poll_chunk`], `next` polling the stack's body while it is held.
    pub fn poll_chunk<E>(
        &mut self,
        mut next: impl FnMut(&mut S) -> Poll<Option<Result<Bytes, E>>>,
        fail: impl FnOnce(E, &mut ResponseCheck) -> TransportError,
        now: impl FnOnce() -> SystemTime,
    ) -> Poll<Result<Option<Bytes>, TransportError>> {
        let Self { source, reader, .. } = self;
        let read = reader.poll_chunk(
            || source.as_mut().map_or(Poll::Ready(None), &mut next),
            fail,
            now,
        );
        if reader.check().is_ended() {
            *source = None;
        }
        read
    }

    /// [`ResponseReader::poll_take`] (up to `max` bytes, for a reader), `next` polling the
    /// stack's body while it is held.
    pub fn poll_take<E>(
        &mut self,
        max: usize,
        mut next: impl FnMut(&mut S) -> Poll<Option<Result<Bytes, E>>>,
        fail: impl FnOnce(E, &mut ResponseCheck) -> TransportError,
        now: impl FnOnce() -> SystemTime,
    ) -> Poll<io::Result<Bytes>> {
        let Self { source, reader, .. } = self;
        let taken = reader.poll_take(
            max,
            || source.as_mut().map_or(Poll::Ready(None), &mut next),
            fail,
            now,
        );
        if reader.check().is_ended() {
            *source = None;
        }
        taken
    }
}

/// Send `request` through an HTTP stack: its head made ready ([`prepare_head`]), then sent by
/// `send_once` (one request on one connection, its body a [`StackBody`]) and sent again as the
/// core's stale-connection replay allows ([`send_replaying`]).
pub async fn send<I, B, F, Fut>(
    request: http::Request<Body>,
    proxies: Option<&ProxyConfig>,
    mut send_once: F,
) -> Result<Answer<B>, TransportError>
where
    I: BodyIo,
    F: FnMut(http::Request<StackBody<I>>) -> Fut,
    Fut: Future<Output = Result<http::Response<B>, (TransportError, SendFailure)>>,
{
    let (mut parts, body) = request.into_parts();
    prepare_head(&mut parts, &body, proxies)?;
    let (response, guard) = send_replaying(body, |body| {
        let sending = StackBody::new(body, &parts.extensions);
        let parts = parts.clone();
        let sent =
            sending.map(|(body, guard)| (send_once(http::Request::from_parts(parts, body)), guard));
        async move {
            let (sent, guard) = sent.map_err(|e| (e, SendFailure::OTHER))?;
            Ok((sent.await?, guard))
        }
    })
    .await?;
    let check = ResponseCheck::for_response(
        &parts.method,
        response.status().as_u16(),
        response.headers(),
    );
    Ok(Answer {
        response,
        check,
        guard,
    })
}

/// Make a request head ready for an HTTP stack: its URI must be absolute (the stack connects
/// where it names); it gets botocore's `Content-Length` ([`Body::request_content_length`]:
/// stacks send none for an empty body, which S3 refuses on a `PUT`) unless it has one or its
/// body is framed `aws-chunked` (whose length is the framed one, which the stack works out or
/// sends chunked); `Accept-Encoding: identity` unless it has an `Accept-Encoding`, as the
/// core's HTTP/1.1 writer sends ([`encode_request_head`](crate::http1::encode_request_head)
/// says why); and to a proxy with credentials that gets the request in absolute form (plain
/// http, or https forwarded), `Proxy-Authorization`.
pub fn prepare_head(
    parts: &mut http::request::Parts,
    body: &Body,
    proxies: Option<&ProxyConfig>,
) -> Result<(), TransportError> {
    if parts.uri.scheme().is_none() || parts.uri.host().is_none() {
        return Err(TransportError::new(
            TransportErrorKind::Request,
            format!("request URI {} is not absolute", parts.uri),
        ));
    }
    if parts.extensions.get::<AwsChunkedBody>().is_none()
        && !parts.headers.contains_key(http::header::CONTENT_LENGTH)
    {
        if let Some(len) = body.request_content_length(&parts.method) {
            (parts.headers).insert(http::header::CONTENT_LENGTH, len.into());
        }
    }
    if !parts.headers.contains_key(http::header::ACCEPT_ENCODING) {
        let (_, identity) = crate::http1::ACCEPT_NO_CODING;
        (parts.headers).insert(
            http::header::ACCEPT_ENCODING,
            http::HeaderValue::from_static(identity),
        );
    }
    // An HTTP/2 request always tunnels (it needs the origin's own TLS): its proxy credentials
    // go in the `CONNECT` alone, never to the origin.
    let tunnels_always = parts.version == http::Version::HTTP_2;
    let absolute_form_auth = proxies
        .filter(|_| !tunnels_always)
        .and_then(|p| p.absolute_form_authorization(&parts.uri));
    if let Some(auth) = absolute_form_auth {
        (parts.headers).insert(http::header::PROXY_AUTHORIZATION, auth);
    }
    Ok(())
}

/// A request body as an HTTP stack pulls it: the core's [`Outgoing`] with the framing and
/// signing the request's extensions ask for, failing once its [`AnswersGuard`] is dropped.
pub struct StackBody<I: BodyIo> {
    out: Outgoing<I>,
    /// Set for a signed event-stream input: nobody reads the answers any more.
    answers_dropped: Option<Arc<Watch>>,
}

/// Held by the response body of a request whose body streams signed events: dropping it
/// cancels the request (its body then fails, and the stack resets the HTTP/2 stream) rather
/// than leaving it waiting on the caller's next event.
#[derive(Debug)]
pub struct AnswersGuard(Arc<Watch>);

/// The flag an [`AnswersGuard`] sets when dropped, and the task waiting on it.
#[derive(Debug, Default)]
struct Watch {
    dropped: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Drop for AnswersGuard {
    fn drop(&mut self) {
        self.0.dropped.store(true, Ordering::Release);
        let waker = (self.0.waker.lock())
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Watch {
    /// Whether the guard was dropped; if not, `cx` is woken when it is.
    fn poll_dropped(&self, cx: &mut Context<'_>) -> bool {
        if self.dropped.load(Ordering::Acquire) {
            return true;
        }
        let mut waker = self.waker.lock().unwrap_or_else(|p| p.into_inner());
        *waker = Some(cx.waker().clone());
        // A drop between the first look and the waker's registration is seen here.
        self.dropped.load(Ordering::Acquire)
    }
}

impl<I: BodyIo> StackBody<I> {
    /// The body of a request with these `extensions` (its [`AwsChunkedBody`] and
    /// [`EventSigner`], see [`Outgoing::new`]); with a signed event-stream input, also the guard
    /// to give its response body.
    pub fn new(
        body: Body,
        extensions: &http::Extensions,
    ) -> Result<(Self, Option<AnswersGuard>), TransportError> {
        let framing = extensions.get::<AwsChunkedBody>().copied();
        let signer = extensions.get::<EventSigner>().cloned();
        let out = Outgoing::new(body, framing, signer)?;
        let watch = out.is_signed_events().then(Arc::<Watch>::default);
        let guard = watch.clone().map(AnswersGuard);
        let body = StackBody {
            out,
            answers_dropped: watch,
        };
        Ok((body, guard))
    }

    /// The next piece of the body ([`Outgoing::poll_chunk`]), or an error once the answers of
    /// an unfinished signed event stream were dropped.
    pub fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
        now: impl Fn() -> SystemTime,
    ) -> Poll<Option<io::Result<Bytes>>> {
        if let Some(watch) = &self.answers_dropped {
            if !self.out.is_end_stream() && watch.poll_dropped(cx) {
                return Poll::Ready(Some(Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "the event stream's answers were dropped: call cancelled",
                ))));
            }
        }
        self.out.poll_chunk(cx, now)
    }

    /// Whether the body has certainly ended ([`Outgoing::is_end_stream`]).
    pub fn is_end_stream(&self) -> bool {
        self.out.is_end_stream()
    }

    /// The body's exact length when known before sending ([`Outgoing::exact_len`]).
    pub fn exact_len(&self) -> Option<u64> {
        self.out.exact_len()
    }
}

/// Whether a pooled connection has already delivered a response: the transport's connection
/// keeps one, marks it when a response head arrives, and finds it again when a send on that
/// connection fails ([`SendFailure::reused_connection`]).
#[derive(Clone, Debug, Default)]
pub struct ConnectionUse(Arc<AtomicBool>);

impl ConnectionUse {
    /// A response head arrived on this connection.
    pub fn mark_answered(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether a response head ever arrived on this connection.
    pub fn answered(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What the HTTP stack's error types say: the kinds only they show (its TLS library's errors,
/// its timeouts), as for [`classify_chain`], and whether one means the server closed the
/// connection before a complete response (hyper's "incomplete message").
pub trait StackErrors {
    /// The kind `err` shows by itself, if it is one of the stack's own errors that tell one.
    fn kind(err: &(dyn std::error::Error + 'static)) -> Option<TransportErrorKind>;
    /// Whether `err` is the stack's own "connection closed before the message completed".
    fn incomplete(err: &(dyn std::error::Error + 'static)) -> bool;
}

/// The kind of a failure whose cause chain starts at `err` ([`classify_chain`] told what the
/// stack `S`'s errors mean).
fn failure_kind<S: StackErrors>(
    err: &(dyn std::error::Error + 'static),
    connecting: bool,
) -> TransportErrorKind {
    classify_chain(err, connecting, S::kind)
}

/// A failed read of a response body from the stack `S`, as the body's check reports it (how
/// far the body got, [`ResponseCheck::failed`]): the `fail` of [`StackResponse::poll_chunk`].
pub fn read_failed<S: StackErrors, E>(err: E, check: &mut ResponseCheck) -> TransportError
where
    E: std::error::Error + Send + Sync + 'static,
{
    let kind = failure_kind::<S>(&err, false);
    check.failed(kind, describe_chain(&err)).with_source(err)
}

/// A send that failed before any response: the transport error (its kind, and its message from
/// the whole chain, hinting at HTTP/2 when the request needed it: the usual cause is an endpoint
/// without `h2`) and what the failure says of its connection (`connecting`: it failed opening
/// one; `used`: the connection it went on, when the stack tells).
pub fn failed_send<S: StackErrors, E>(
    err: E,
    connecting: bool,
    used: Option<&ConnectionUse>,
    http2: bool,
) -> (TransportError, SendFailure)
where
    E: std::error::Error + Send + Sync + 'static,
{
    let failure = match connecting {
        true => SendFailure::OTHER,
        false => SendFailure {
            reused_connection: used.is_some_and(ConnectionUse::answered),
            closed_before_response: closed_early::<S>(&err),
        },
    };
    let mut message = describe_chain(&err);
    if http2 {
        message.push_str(" (this request needs HTTP/2: does the endpoint speak h2?)");
    }
    let kind = failure_kind::<S>(&err, connecting);
    (TransportError::new(kind, message).with_source(err), failure)
}

/// Whether the first telling cause of `err` says the server closed the connection before
/// answering (the stack's incomplete message, or a reset or end of stream), as opposed to a
/// timeout, refusal or TLS failure.
fn closed_early<S: StackErrors>(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if S::incomplete(e) {
            return true;
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            return closed_by_peer(io.kind());
        }
        cur = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http_config::ProxyUrl;
    use crate::request_body::Source;
    use crate::StreamingBody;
    use std::collections::VecDeque;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    /// A stack whose own errors are `StackError`s.
    struct TestStack;

    #[derive(Debug, thiserror::Error)]
    enum StackError {
        #[error("incomplete message")]
        Incomplete,
        #[error("timed out")]
        Timeout,
        #[error("connection error")]
        Io(#[source] io::Error),
    }

    impl StackErrors for TestStack {
        fn kind(err: &(dyn std::error::Error + 'static)) -> Option<TransportErrorKind> {
            matches!(err.downcast_ref(), Some(StackError::Timeout))
                .then_some(TransportErrorKind::Timeout)
        }
        fn incomplete(err: &(dyn std::error::Error + 'static)) -> bool {
            matches!(err.downcast_ref(), Some(StackError::Incomplete))
        }
    }

    fn parts(uri: &str, method: http::Method) -> http::request::Parts {
        let mut parts = http::Request::new(()).into_parts().0;
        parts.uri = uri.parse().unwrap();
        parts.method = method;
        parts
    }

    #[test]
    fn a_relative_uri_is_refused() {
        let mut p = parts("/bucket/key", http::Method::GET);
        let err = prepare_head(&mut p, &Body::Empty, None).unwrap_err();
        assert_eq!(err.kind, TransportErrorKind::Request);
        assert!(err.message.contains("not absolute"), "{err}");
    }

    #[test]
    fn content_length_follows_botocores_rule() {
        let mut put = parts("https://h/k", http::Method::PUT);
        prepare_head(&mut put, &Body::Empty, None).unwrap();
        assert_eq!(put.headers["content-length"], "0");

        let mut get = parts("https://h/k", http::Method::GET);
        prepare_head(&mut get, &Body::Empty, None).unwrap();
        assert!(!get.headers.contains_key("content-length"));

        // A length already given stays; an aws-chunked body's is the stack's to work out.
        let mut given = parts("https://h/k", http::Method::PUT);
        given.headers.insert("content-length", 7.into());
        prepare_head(&mut given, &Body::from(b"abc".to_vec()), None).unwrap();
        assert_eq!(given.headers["content-length"], "7");
        let mut chunked = parts("https://h/k", http::Method::PUT);
        let framing = AwsChunkedBody {
            trailer: crate::checksum::ChecksumAlgorithm::Crc32,
            chunk_size: 16,
            decoded_len: Some(3),
        };
        chunked.extensions.insert(framing);
        prepare_head(&mut chunked, &Body::from(b"abc".to_vec()), None).unwrap();
        assert!(!chunked.headers.contains_key("content-length"));
    }

    #[test]
    fn plain_http_through_a_proxy_with_credentials_is_authorized() {
        let proxies = ProxyConfig {
            http: Some(ProxyUrl::parse("http://u:p@proxy:3128").unwrap()),
            ..ProxyConfig::default()
        };
        let mut plain = parts("http://h/k", http::Method::GET);
        prepare_head(&mut plain, &Body::Empty, Some(&proxies)).unwrap();
        assert_eq!(plain.headers["proxy-authorization"], "Basic dTpw");
        // https goes through a tunnel: its credentials are in the CONNECT, not the request.
        let tls_proxy = ProxyUrl::parse("https://u:p@proxy:3129").unwrap();
        let mut proxies = ProxyConfig {
            https: Some(tls_proxy),
            ..proxies
        };
        let mut tls = parts("https://h/k", http::Method::GET);
        prepare_head(&mut tls, &Body::Empty, Some(&proxies)).unwrap();
        assert!(!tls.headers.contains_key("proxy-authorization"));
        // Forwarded to the TLS proxy in absolute form: the credentials go with the request.
        proxies.forward_https = true;
        let mut forwarded = parts("https://h/k", http::Method::GET);
        prepare_head(&mut forwarded, &Body::Empty, Some(&proxies)).unwrap();
        assert_eq!(forwarded.headers["proxy-authorization"], "Basic dTpw");
        // ... but not over HTTP/2, which tunnels: the credentials must not reach the origin.
        let mut h2 = parts("https://h/k", http::Method::GET);
        h2.version = http::Version::HTTP_2;
        prepare_head(&mut h2, &Body::Empty, Some(&proxies)).unwrap();
        assert!(!h2.headers.contains_key("proxy-authorization"));
    }

    #[test]
    fn a_failed_send_says_what_the_stack_saw() {
        let used = ConnectionUse::default();
        // Closed before the answer, on a connection that never answered: not stale.
        let (err, failure) =
            failed_send::<TestStack, _>(StackError::Incomplete, false, Some(&used), false);
        assert_eq!(err.kind, TransportErrorKind::Io);
        assert!(failure.closed_before_response && !failure.reused_connection);
        used.mark_answered();
        let (_, failure) =
            failed_send::<TestStack, _>(StackError::Incomplete, false, Some(&used), false);
        assert!(failure.is_stale_connection());
        // A reset inside the chain is a close; a timeout is not, and keeps its kind.
        let reset = StackError::Io(io::ErrorKind::ConnectionReset.into());
        let (_, failure) = failed_send::<TestStack, _>(reset, false, Some(&used), false);
        assert!(failure.is_stale_connection());
        let (err, failure) =
            failed_send::<TestStack, _>(StackError::Timeout, false, Some(&used), false);
        assert_eq!(err.kind, TransportErrorKind::Timeout);
        assert!(!failure.closed_before_response);
        // Opening a connection failed: a connect error, never replayed as stale.
        let refused = StackError::Io(io::ErrorKind::ConnectionRefused.into());
        let (err, failure) = failed_send::<TestStack, _>(refused, true, Some(&used), true);
        assert_eq!(err.kind, TransportErrorKind::Connect);
        assert!(!failure.is_stale_connection());
        assert!(err.message.starts_with("connection error"), "{err}");
        assert!(err.message.contains("needs HTTP/2"), "{err}");
    }

    #[test]
    fn a_failed_body_read_keeps_the_stacks_kind_and_says_how_far_the_body_got() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::CONTENT_LENGTH, 10.into());
        let mut check = ResponseCheck::for_response(&http::Method::GET, 200, &headers);
        let err = read_failed::<TestStack, _>(StackError::Timeout, &mut check);
        assert_eq!(err.kind, TransportErrorKind::Timeout);
        assert!(err.message.contains("timed out"), "{err}");
        assert!(
            std::error::Error::source(&err).is_some(),
            "the stack's error is kept"
        );
    }

    /// Request bodies for tests: whole bytes, or a stream of events that waits after its last.
    struct TestIo;

    impl BodyIo for TestIo {
        type Rewound = ();
        type Reader = std::convert::Infallible;
        type Stream = VecDeque<io::Result<Bytes>>;
        const MADE_BY: &'static str = "the tests";

        fn open(_: Source<'_, ()>) -> Result<Self::Reader, TransportError> {
            unreachable!("no readers here")
        }

        fn poll_read(
            reader: &mut Self::Reader,
            _: &mut Context<'_>,
            _: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            match *reader {}
        }

        fn poll_next(
            stream: &mut Self::Stream,
            _: &mut Context<'_>,
        ) -> Poll<Option<io::Result<Bytes>>> {
            stream
                .pop_front()
                .map_or(Poll::Pending, |e| Poll::Ready(Some(e)))
        }
    }

    /// Counts its wake-ups.
    #[derive(Default)]
    struct Woken(AtomicUsize);

    impl Wake for Woken {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000)
    }

    /// `future`'s output (the futures here never wait).
    fn complete<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(out) => out,
            Poll::Pending => panic!("the test's sends never wait"),
        }
    }

    const STALE: SendFailure = SendFailure {
        reused_connection: true,
        closed_before_response: true,
    };

    /// What `send` gives for `body` when each sending fails as `failures` say (then succeeds
    /// with a 200 and a length of 3), and every request it sent.
    fn send_with(
        body: Body,
        failures: &[SendFailure],
    ) -> (
        Result<Answer<()>, TransportError>,
        Vec<http::Request<Bytes>>,
    ) {
        let request = http::Request::put("https://h/k").body(body).unwrap();
        let mut failures = failures.iter().copied();
        let mut sent = Vec::new();
        let answer = complete(send::<TestIo, _, _, _>(request, None, |request| {
            let (parts, mut body) = request.into_parts();
            let mut cx = Context::from_waker(Waker::noop());
            let mut bytes = Vec::new();
            while let Poll::Ready(Some(chunk)) = body.poll_chunk(&mut cx, now) {
                bytes.extend_from_slice(&chunk.unwrap());
            }
            sent.push(http::Request::from_parts(parts, Bytes::from(bytes)));
            let out = match failures.next() {
                Some(failure) => Err((
                    TransportError::new(TransportErrorKind::Io, "closed"),
                    failure,
                )),
                None => Ok(http::Response::builder()
                    .header("content-length", "3")
                    .body(())
                    .unwrap()),
            };
            std::future::ready(out)
        }));
        (answer, sent)
    }

    #[test]
    fn a_request_is_prepared_replayed_after_a_stale_connection_and_its_answer_checked() {
        let (answer, sent) = send_with(Body::from(b"abc".to_vec()), &[STALE]);
        let answer = answer.unwrap();
        assert_eq!(sent.len(), 2, "sent again after the stale connection");
        for request in &sent {
            assert_eq!(request.headers()["content-length"], "3");
            assert_eq!(request.body(), "abc");
        }
        assert_eq!(answer.response.status(), 200);
        assert_eq!(answer.check.expected_len(), Some(3));
        assert!(answer.guard.is_none());
    }

    #[test]
    fn a_failure_that_is_not_a_stale_connection_or_a_second_stale_one_is_the_error() {
        let (answer, sent) = send_with(Body::from(b"abc".to_vec()), &[SendFailure::OTHER]);
        assert_eq!(answer.unwrap_err().message, "closed");
        assert_eq!(sent.len(), 1);
        let (answer, sent) = send_with(Body::from(b"abc".to_vec()), &[STALE, STALE]);
        assert!(answer.is_err());
        assert_eq!(sent.len(), 2, "one replay");
        // A one-shot stream may be half read: never sent again here.
        let stream: VecDeque<io::Result<Bytes>> = VecDeque::from([Ok(Bytes::from_static(b"abc"))]);
        let (answer, sent) = send_with(Body::Stream(StreamingBody::new(stream, Some(3))), &[STALE]);
        assert!(answer.is_err());
        assert_eq!(sent.len(), 1);
    }

    /// A response body of `chunks` declared `len` long, read through a `StackResponse`.
    fn response(
        chunks: Vec<io::Result<Bytes>>,
        len: u64,
    ) -> StackResponse<VecDeque<io::Result<Bytes>>> {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::CONTENT_LENGTH, len.into());
        let check = ResponseCheck::for_response(&http::Method::GET, 200, &headers);
        StackResponse::new(chunks.into(), check, None)
    }

    fn next(source: &mut VecDeque<io::Result<Bytes>>) -> Poll<Option<io::Result<Bytes>>> {
        Poll::Ready(source.pop_front())
    }

    fn fail(e: io::Error, check: &mut ResponseCheck) -> TransportError {
        check.failed(TransportErrorKind::Io, e.to_string())
    }

    #[test]
    fn a_response_body_lets_its_source_go_at_its_end_or_failure() {
        let mut body = response(
            vec![Ok(Bytes::from_static(b"ab")), Ok(Bytes::from_static(b"c"))],
            3,
        );
        assert_eq!(body.content_length(), Some(3));
        let taken = body.poll_take(1, next, fail, now);
        assert!(
            matches!(taken, Poll::Ready(Ok(b)) if b == "a"),
            "a reader takes what it asks for"
        );
        let chunk = body.poll_chunk(next, fail, now);
        assert!(
            matches!(chunk, Poll::Ready(Ok(Some(b))) if b == "b"),
            "then the rest of the chunk"
        );
        assert!(matches!(
            body.poll_chunk(next, fail, now),
            Poll::Ready(Ok(Some(_)))
        ));
        assert!(body.source.is_some());
        assert!(matches!(
            body.poll_chunk(next, fail, now),
            Poll::Ready(Ok(None))
        ));
        assert!(body.source.is_none(), "let go at the end");
        assert_eq!(body.received(), 3);

        let broken = vec![
            Ok(Bytes::from_static(b"ab")),
            Err(io::ErrorKind::ConnectionReset.into()),
        ];
        let mut body = response(broken, 3);
        assert!(matches!(
            body.poll_chunk(next, fail, now),
            Poll::Ready(Ok(Some(_)))
        ));
        assert!(matches!(
            body.poll_chunk(next, fail, now),
            Poll::Ready(Err(_))
        ));
        assert!(body.source.is_none(), "let go on failure");

        // A body shorter than its declared length fails rather than ending early.
        let mut short = response(vec![Ok(Bytes::from_static(b"ab"))], 3);
        assert!(matches!(
            short.poll_take(8, next, fail, now),
            Poll::Ready(Ok(_))
        ));
        let end = short.poll_take(8, next, fail, now);
        assert!(
            matches!(end, Poll::Ready(Err(ref e)) if e.kind() == io::ErrorKind::UnexpectedEof),
            "{end:?}"
        );
        assert!(short.source.is_none());
    }

    #[test]
    fn a_plain_body_goes_out_whole_without_a_guard() {
        let body = Body::from(b"abc".to_vec());
        let (mut body, guard) = StackBody::<TestIo>::new(body, &http::Extensions::new()).unwrap();
        assert!(guard.is_none());
        assert_eq!(body.exact_len(), Some(3));
        let mut cx = Context::from_waker(Waker::noop());
        let chunk = body.poll_chunk(&mut cx, now);
        assert!(matches!(chunk, Poll::Ready(Some(Ok(b))) if b == "abc"));
        assert!(body.is_end_stream());
    }

    #[test]
    fn dropping_the_answers_cancels_a_signed_event_stream() {
        let signer = EventSigner::new(
            crate::auth::Credentials::new("AKID", "SECRET", None, None),
            "us-east-1",
            "transcribe",
            "seed",
        );
        let mut extensions = http::Extensions::new();
        extensions.insert(signer);
        let events: VecDeque<io::Result<Bytes>> = VecDeque::from([Ok(Bytes::from_static(b"one"))]);
        let body = Body::Stream(StreamingBody::new(events, None));
        let (mut body, guard) = StackBody::<TestIo>::new(body, &extensions).unwrap();
        let guard = guard.expect("a signed event stream has a guard");
        let woken = Arc::new(Woken::default());
        let waker = Waker::from(woken.clone());
        let mut cx = Context::from_waker(&waker);
        assert!(matches!(
            body.poll_chunk(&mut cx, now),
            Poll::Ready(Some(Ok(_)))
        ));
        assert!(
            body.poll_chunk(&mut cx, now).is_pending(),
            "waits for the next event"
        );
        drop(guard);
        assert_eq!(
            woken.0.load(Ordering::SeqCst),
            1,
            "the waiting body is woken"
        );
        match body.poll_chunk(&mut cx, now) {
            Poll::Ready(Some(Err(e))) => {
                assert_eq!(e.kind(), io::ErrorKind::ConnectionAborted);
                assert!(e.to_string().contains("cancelled"), "{e}");
            }
            _ => panic!("the body fails once its answers are dropped"),
        }
    }
}
