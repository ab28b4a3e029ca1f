//! [`CallMachine`]: one operation call with retries, as a sans-IO state machine.
//!
//! Each attempt is re-signed at the time the transport gives, carries `amz-sdk-invocation-id`
//! (the same for every attempt) and `amz-sdk-request: attempt=N; max=M` (a retry after an
//! answer with a `Date` has `ttl=…; ` first, as botocore's), and its outcome goes through the
//! client's retry policy, which may ask for a sleep before the next attempt.
//!
//! An S3 answer the policy does not retry may still redirect the call to the bucket's region
//! (rules in `super::redirect`): the next attempt goes out at once, re-signed for that region;
//! when the answer does not name the region, a `HeadBucket` call runs first, inside this one, to
//! ask the bucket.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderValue;

use crate::body::Body;
use crate::error::{Error, TransportError};
use crate::header_names;
use crate::machine::{RandomSource, Step};
use crate::retry::{
    CallAttempts, ModeledError, NoRetryReason, RetryDecision, RetryInput, RetryMode,
};
use crate::value::Value;

use super::discovery::{DiscoveryStep, Next};
use super::s3express::{SessionFetch, SessionStep};
use super::{CallIdentity, PreparedRequest, ServiceClient};

mod redirecting;

enum State<'c> {
    /// Ready to send the next attempt (possibly after the rate limiter's wait).
    Ready,
    /// Sent; waiting for `handle_response`.
    InFlight,
    /// The retry policy asked for a pause before the next attempt.
    Backoff(Duration),
    /// Making S3 Express's `CreateSession` for the bucket before the next attempt.
    Session(Box<SessionFetch<'c>>),
    /// Asking the bucket its region (a `HeadBucket` call of its own) before a redirect; the
    /// call ends with `unanswered` if the bucket does not say.
    Probing {
        probe: Box<CallMachine<'c>>,
        unanswered: Outcome,
    },
    /// Finished with this result.
    Finished(Option<Result<Value, Error>>),
}

/// An attempt's result with what the retry policy decided about it and the HTTP status it
/// judged: what the call ends with (unless S3's region redirect sends it again).
struct Outcome {
    result: Result<Value, Error>,
    decision: RetryDecision,
    status: Option<u16>,
}

/// One call in progress. Drive it: `poll` → send / sleep → `handle_response` → `poll` … until
/// `Step::Done` or `Step::Failed`.
pub struct CallMachine<'c> {
    client: &'c ServiceClient,
    prepared: PreparedRequest,
    identity: CallIdentity,
    attempts: CallAttempts,
    /// `amz-sdk-invocation-id`, the same for every attempt.
    invocation_id: [u8; 36],
    /// Lambda's trace id, sent as `X-Amzn-Trace-Id` ([`set_trace_id`](Self::set_trace_id)).
    trace_id: Option<String>,
    rng: Box<dyn RandomSource>,
    state: State<'c>,
    deadline: Option<SystemTime>,
    /// The S3 Express session this call signs with, once it has one.
    session: Option<crate::auth::Credentials>,
    /// Endpoint discovery, for operations that use it.
    discovery: Option<DiscoveryStep<'c>>,
    /// Sent once more to the bucket's region already (botocore redirects a call once).
    redirected: bool,
    /// May ask the bucket its region: not the probe itself, so probes never nest.
    may_probe: bool,
    /// The last answer's `Date`, not read yet (see `next_ttl`).
    date: Option<HeaderValue>,
    /// The `ttl` the call's attempts carry since an answer gave one (see `next_ttl`).
    ttl: Option<String>,
}

fn seconds(now: SystemTime) -> f64 {
    now.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl<'c> CallMachine<'c> {
    pub(super) fn new(
        client: &'c ServiceClient,
        prepared: PreparedRequest,
        identity: CallIdentity,
        mut rng: Box<dyn RandomSource>,
    ) -> Self {
        let attempts = client.retry_policy(|p| p.begin_call(prepared.operation()));
        let invocation_id = rng.uuid4_text();
        CallMachine {
            client,
            discovery: DiscoveryStep::new(&prepared),
            prepared,
            identity,
            attempts,
            invocation_id,
            trace_id: None,
            rng,
            state: State::Ready,
            deadline: None,
            session: None,
            redirected: false,
            may_probe: true,
            date: None,
            ttl: None,
        }
    }

    /// The client making the call.
    pub fn client(&self) -> &'c ServiceClient {
        self.client
    }

    /// The call in flight inside this one, if any: its endpoint discovery call, the S3
    /// Express `CreateSession` that gets its session, or the `HeadBucket` probe asking a bucket
    /// its region for S3's redirect.
    fn nested(&self) -> Option<&CallMachine<'c>> {
        match &self.state {
            State::Session(fetch) => Some(fetch.call()),
            State::Probing { probe, .. } => Some(probe),
            _ => self.discovery.as_ref().and_then(DiscoveryStep::calling),
        }
    }

    /// The call in flight inside this one, if any, as `(purpose, operation)`: what tracing
    /// shows as a nested call.
    pub fn nested_call(&self) -> Option<(&'static str, &str)> {
        let purpose = match &self.state {
            State::Session(_) => "s3express-session",
            State::Probing { .. } => "s3-redirect-probe",
            _ => "endpoint-discovery",
        };
        self.nested().map(|nested| (purpose, nested.operation()))
    }

    /// The number (from 1) of the attempt in flight or about to be sent: the call's, or its
    /// nested call's.
    pub fn attempt(&self) -> u32 {
        match self.nested() {
            Some(nested) => nested.attempt(),
            None => self.attempts.attempt(),
        }
    }

    /// Where the request in flight goes: the call's endpoint, or its nested call's.
    pub fn endpoint(&self) -> &http::Uri {
        match self.nested() {
            Some(nested) => nested.endpoint(),
            None => self.prepared.uri(),
        }
    }

    /// The operation of the request in flight: the call's, or its nested call's.
    pub fn operation(&self) -> &str {
        match self.nested() {
            Some(nested) => nested.operation(),
            None => self.prepared.operation(),
        }
    }

    /// The call's own attempt being (or last) sent, from 1, whatever nested call is in flight
    /// (what a transport error reports).
    pub fn attempts_made(&self) -> u32 {
        self.attempts.attempt()
    }

    /// Give up with a timeout once `deadline` passes: no attempt starts after it and no backoff
    /// sleeps past it (an attempt in flight is bounded by the transport's read timeout).
    pub fn set_deadline(&mut self, deadline: SystemTime) {
        self.deadline = Some(deadline);
        if let State::Probing { probe, .. } = &mut self.state {
            probe.set_deadline(deadline);
        }
    }

    /// When the call gives up (see [`set_deadline`](Self::set_deadline)): reading a response
    /// body stops then too.
    pub fn deadline(&self) -> Option<SystemTime> {
        self.deadline
    }

    /// Ask the transport to bound `request`'s exchange by what is left of the call's time (a
    /// [`RequestTimeout`](crate::machine::RequestTimeout), the shorter when it has one): a
    /// transport whose exchanges cannot be interrupted from outside (the blocking one) can only
    /// keep the deadline this way, and a silent server would otherwise hold the call for the
    /// read timeout. Not for an operation whose answer is streamed to the caller: the bound
    /// covers the whole exchange, and the caller reads that body after the call, unbounded by
    /// it on every transport.
    fn bound_by_deadline(&self, request: &mut http::Request<crate::body::Body>, now: SystemTime) {
        use crate::machine::RequestTimeout;
        let Some(left) = self
            .deadline
            .map(|d| d.duration_since(now).unwrap_or_default())
        else {
            return;
        };
        if self.client.streams_response(&self.prepared.operation, 200) {
            return;
        }
        let limit = match request.extensions().get::<RequestTimeout>() {
            Some(RequestTimeout(own)) => left.min(*own),
            None => left,
        };
        request.extensions_mut().insert(RequestTimeout(limit));
    }

    fn past_deadline(&self, now: SystemTime) -> Option<Error> {
        let deadline = self.deadline?;
        (now >= deadline).then(|| {
            Error::Transport(TransportError::new(
                crate::error::TransportErrorKind::Timeout,
                "the call did not finish within its time limit",
            ))
        })
    }

    /// Replace the identity (after a credentials refresh) for the next attempts.
    pub fn set_identity(&mut self, identity: CallIdentity) {
        if let State::Probing { probe, .. } = &mut self.state {
            probe.set_identity(identity.clone());
        }
        self.identity = identity;
        self.session = None;
    }

    /// Whether the transport should pass a response with this status unread (a streaming
    /// output), rather than reading the body fully.
    pub fn streams_response(&self, status: u16) -> bool {
        self.client.streams_response(self.operation(), status)
    }

    /// The response checksums the call asked to validate, most preferred first (a streamed
    /// body is checked by the transport as it is read: see
    /// [`crate::httpchecksum::ResponseChecksumValidator`]).
    pub fn response_checksums(&self) -> &[crate::checksum::ChecksumAlgorithm] {
        match self.nested() {
            Some(nested) => nested.response_checksums(),
            None => self.prepared.response_checksums(),
        }
    }

    /// The digest the transport must take of the request body before the first attempt is
    /// signed (a replayable body over plain HTTP: see [`BodyDigest`](crate::BodyDigest)): feed it the body's
    /// bytes and give it back to [`handle_body_digest`](Self::handle_body_digest). `None` when
    /// none is needed or it was taken already.
    pub fn body_digest(&self) -> Option<crate::body_digest::BodyDigest> {
        match self.state {
            State::Ready => self.client.body_digest(&self.prepared),
            _ => None,
        }
    }

    /// The transport's answer to [`body_digest`](Self::body_digest): the digest fed with the
    /// whole body, or the error reading it (which ends the call).
    pub fn handle_body_digest(
        &mut self,
        outcome: Result<crate::body_digest::BodyDigest, TransportError>,
    ) {
        let fed = outcome.map(|digest| {
            let fed = digest.bytes_fed();
            (digest.finish(), fed)
        });
        match fed {
            Ok((Some(value), _)) => self.prepared.apply_body_digest(value),
            Ok((None, fed)) => {
                self.state = State::Finished(Some(Err(Error::Transport(TransportError::new(
                    crate::error::TransportErrorKind::Request,
                    format!(
                        "the request body did not hold its declared length when it was read \
                         ahead to be hashed (read {fed} bytes)"
                    ),
                )))));
            }
            Err(e) => self.state = State::Finished(Some(Err(Error::from(e)))),
        }
    }

    /// What to do next.
    pub fn poll(&mut self, now: SystemTime) -> Step<Value, Error> {
        loop {
            match std::mem::replace(&mut self.state, State::InFlight) {
                State::Finished(result) => {
                    self.state = State::Finished(None);
                    return match result {
                        Some(Ok(v)) => Step::Done(v),
                        Some(Err(e)) => Step::Failed(e),
                        None => Step::Failed(Error::MachineMisuse("the call already finished")),
                    };
                }
                State::Backoff(d) => {
                    if let Some(e) = self.past_deadline(now) {
                        self.state = State::Finished(Some(Err(e)));
                        continue;
                    }
                    let left = self.deadline.and_then(|end| end.duration_since(now).ok());
                    self.state = State::Ready;
                    let d = left.map_or(d, |left| d.min(left));
                    crate::trace::backoff(d, "retry backoff");
                    return Step::Sleep(d);
                }
                State::InFlight => {
                    return Step::Failed(Error::MachineMisuse(
                        "poll called while a request is in flight",
                    ));
                }
                State::Session(mut fetch) => {
                    let result = match fetch.poll(now) {
                        Step::Done(output) => Ok(output),
                        Step::Failed(e) => Err(e),
                        step => {
                            self.state = State::Session(fetch);
                            return step;
                        }
                    };
                    self.state = match fetch.finish(result, now) {
                        Ok(session) => {
                            self.session = Some(session);
                            State::Ready
                        }
                        Err(e) => State::Finished(Some(Err(e))),
                    };
                }
                State::Probing {
                    mut probe,
                    unanswered,
                } => match probe.poll(now) {
                    Step::Done(answer) => self.redirect_after_probe(Ok(answer), unanswered),
                    Step::Failed(error) => self.redirect_after_probe(Err(error), unanswered),
                    step => {
                        self.state = State::Probing { probe, unanswered };
                        return step;
                    }
                },
                State::Ready => {
                    if let Some(e) = self.past_deadline(now) {
                        self.state = State::Finished(Some(Err(e)));
                        continue;
                    }
                    if let Some(discovery) = self.discovery.as_mut() {
                        let next = discovery.poll(
                            self.client,
                            &mut self.prepared,
                            &self.identity,
                            self.rng.as_mut(),
                            (self.deadline, self.trace_id.as_deref()),
                            now,
                        );
                        match next {
                            Next::Ready => {}
                            // The discovery call's request or wait; its answer comes back
                            // through `handle_response`.
                            Next::Ask(step) => {
                                self.state = State::Ready;
                                return step;
                            }
                            Next::Failed(e) => {
                                self.state = State::Finished(Some(Err(e)));
                                continue;
                            }
                        }
                    }
                    match self.client.s3express_step(
                        &self.prepared,
                        &self.identity,
                        self.session.as_ref(),
                        now,
                        self.rng.as_mut(),
                    ) {
                        Ok(SessionStep::Sign(session)) => self.session = session,
                        Ok(SessionStep::Fetch(mut fetch)) => {
                            self.pass_on(fetch.call_mut());
                            self.state = State::Session(fetch);
                            continue;
                        }
                        Err(e) => {
                            self.state = State::Finished(Some(Err(e)));
                            continue;
                        }
                    }
                    if let Some(wait) = self.client.retry_policy(|p| p.before_send(seconds(now))) {
                        crate::trace::backoff(wait, "rate limiter");
                        self.state = State::Ready;
                        return Step::Sleep(wait);
                    }
                    match self.build_attempt(now) {
                        Ok(mut req) => {
                            self.bound_by_deadline(&mut req, now);
                            self.state = State::InFlight;
                            return Step::Send(req);
                        }
                        Err(e) => self.state = State::Finished(Some(Err(e))),
                    }
                }
            }
        }
    }

    fn build_attempt(&mut self, now: SystemTime) -> Result<http::Request<Body>, Error> {
        let identity = match &self.session {
            Some(session) => crate::auth::Identity::Credentials(session),
            None => self.identity.borrow(),
        };
        // Hooks read it from the call's context (`CallInfo::attempt`).
        let attempt = crate::hooks::Attempt(self.attempts.attempt());
        self.prepared.context.insert(attempt);
        let mut req = self
            .client
            .sign_attempt(&mut self.prepared, identity, now)?;
        let ttl = self.next_ttl().map(str::to_owned);
        let header = self
            .client
            .retry_policy(|p| p.sdk_request_value(&self.attempts, ttl.as_deref()));
        let headers = req.headers_mut();
        // A value of its own per attempt: one allocation, where a value shared between
        // attempts took two (its text, then the shared count its first clone adds).
        if let Ok(v) = HeaderValue::from_bytes(&self.invocation_id) {
            headers.insert(header_names::AMZ_SDK_INVOCATION_ID, v);
        }
        if let Some(v) = header {
            headers.insert(header_names::AMZ_SDK_REQUEST, v);
        }
        // Not signed (SigV4 leaves `X-Amzn-Trace-Id` out), as in botocore.
        if let Some(trace_id) = &self.trace_id {
            crate::customize::common::add_recursion_detection_header(&mut req, Some(trace_id));
        }
        Ok(req)
    }

    /// Lambda's trace id for this call's requests (`X-Amzn-Trace-Id`, botocore's recursion
    /// detection): the caller passes `_X_AMZN_TRACE_ID` when `AWS_LAMBDA_FUNCTION_NAME` is set.
    pub fn set_trace_id(&mut self, trace_id: Option<String>) {
        // botocore sends none for an empty one (`if has_lambda_name and trace_id`).
        self.trace_id = trace_id.filter(|t| !t.is_empty());
        if let State::Probing { probe, .. } = &mut self.state {
            probe.set_trace_id(self.trace_id.clone());
        }
    }

    /// What a call made inside this one (S3's redirect probe, S3 Express's `CreateSession`,
    /// endpoint discovery) takes from it: its deadline and Lambda's trace id.
    pub(super) fn pass_on(&self, nested: &mut CallMachine<'_>) {
        if let Some(deadline) = self.deadline {
            nested.set_deadline(deadline);
        }
        nested.set_trace_id(self.trace_id.clone());
    }

    /// Keep this answer's `Date`, from which the next attempt's `ttl` is made: it is read only
    /// when there is a next attempt, so a call that is not retried pays for the lookup alone.
    /// Two `Date` headers read as one text joined by `, ` in botocore, which it cannot parse:
    /// they keep the last ttl, as an unreadable date does.
    fn note_date(&mut self, headers: &http::HeaderMap) {
        let mut dates = headers.get_all(http::header::DATE).iter();
        match (dates.next(), dates.next()) {
            (Some(date), None) => self.date = Some(date.clone()),
            (Some(_), Some(_)) => self.date = Some(HeaderValue::from_static("unreadable")),
            _ => {}
        }
    }

    /// The `ttl` of a retried attempt's `amz-sdk-request`, as botocore gives it: from the last
    /// answer's `Date` when botocore can read it, else the one the call had (the first attempt
    /// has none). botocore means to leave it off for a streaming input, but looks for that
    /// where it never puts it, so every operation has one.
    fn next_ttl(&mut self) -> Option<&str> {
        if let Some(date) = self.date.take() {
            let read_timeout = self.client.read_timeout();
            let ttl = date
                .to_str()
                .ok()
                .and_then(|date| crate::retry::sdk_request_ttl(date, read_timeout));
            if ttl.is_some() {
                self.ttl = ttl;
            }
        }
        self.ttl.as_deref()
    }

    /// The transport's answer for the request of the last `Step::Send`: the response (with the
    /// body read fully, or unread when [`streams_response`](Self::streams_response) said so) or
    /// the transport error.
    pub fn handle_response(
        &mut self,
        outcome: Result<http::Response<Body>, TransportError>,
        now: SystemTime,
    ) {
        if let State::Session(fetch) = &mut self.state {
            fetch.call_mut().handle_response(outcome, now);
            return;
        }
        if let Some(discovery) = self.discovery.as_mut().filter(|d| d.calling().is_some()) {
            discovery.handle_response(outcome, now);
            return;
        }
        if let State::Probing { probe, .. } = &mut self.state {
            probe.handle_response(outcome, now);
            return;
        }
        let retries = self.attempts.retry_attempts();
        let crc32 = match &outcome {
            Ok(response) => response.body().as_bytes().and_then(|body| {
                crate::retry::crc32::check(self.client.service(), response.headers(), body)
            }),
            Err(_) => None,
        };
        let (result, status) = match outcome {
            Ok(response) => {
                let status = response.status().as_u16();
                self.note_date(response.headers());
                let retry_after = response
                    .headers()
                    .get(header_names::X_AMZ_RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .map(String::from);
                let result = self.client.parse(&self.prepared, response, retries);
                (result, Some((status, retry_after)))
            }
            Err(e) => (Err(Error::Transport(e)), None),
        };
        let (status, retry_after) = match status {
            Some((s, r)) => (Some(s), r),
            None => (None, None),
        };
        // The status retry judges is the one the error was parsed with: a `BeforeParse` hook
        // may have changed it (S3 makes a 200 carrying an error document a 500, as botocore's
        // `_update_status_code` does).
        let status = match &result {
            Err(Error::Service(e)) => Some(e.status),
            _ => status,
        };
        // SQS's query-compatible codes: botocore looks the error class up by an override.
        let code = match &result {
            Err(Error::Service(e)) => Some(
                crate::customize::error_code_override(self.client.service(), &e.fields)
                    .map(String::from)
                    .unwrap_or_else(|| e.code.clone()),
            ),
            _ => None,
        };
        let modeled = match &result {
            Err(Error::Service(e)) => {
                match self.client.model.operation(self.prepared.operation()) {
                    Some(op) => ModeledError::of(&self.client.model, op, e.shape),
                    None => ModeledError::NotModeled,
                }
            }
            _ => ModeledError::NotModeled,
        };
        let transport = match &result {
            Err(Error::Transport(t)) => Some(t.kind),
            _ => None,
        };
        let input = RetryInput {
            http_status: status,
            error_code: code.as_deref(),
            // A TLS failure too: botocore's `SSLError` is a `ConnectionError`, which both of
            // its retry modes retry (its credential fetchers do not, and neither do ours).
            is_connection_error: transport
                .is_some_and(|k| k.is_retryable() || k == crate::error::TransportErrorKind::Tls),
            is_timeout: transport == Some(crate::error::TransportErrorKind::Timeout),
            retry_after_header: retry_after.as_deref(),
            modeled,
            crc32_mismatch: crc32.is_some(),
        };
        // A one-shot streamed body was used up by the transport: it cannot be sent again.
        let replayable = self.prepared.can_replay();
        let attempt = self.attempts.attempt();
        let rng = &mut self.rng;
        let decision = self.client.retry_policy(|p| {
            p.on_attempt(&mut self.attempts, &input, seconds(now), &mut || {
                rng.next_f64()
            })
        });
        crate::trace::retry_decision(attempt, status, code.as_deref(), &decision);
        match decision {
            RetryDecision::RetryAfter(delay)
                if replayable && (result.is_err() || crc32.is_some()) =>
            {
                self.state = State::Backoff(delay);
            }
            _ if replayable
                && result.is_err()
                && self.discovery.as_ref().is_some_and(|d| {
                    d.rejected(self.client, status, code.as_deref())
                        && self.attempts.attempt() < self.client.retry_policy(|p| p.max_attempts())
                }) =>
            {
                // botocore retries at once, without bound; sansboto stops at the retry
                // policy's attempt limit so a service that keeps rejecting cannot loop forever.
                self.attempts.next_attempt();
                self.state = State::Ready;
            }
            decision => {
                // A DynamoDB answer whose CRC32 never matched ends as botocore ends it.
                let result = match crc32 {
                    Some(mismatch) if decision == MAX_ATTEMPTS => {
                        crc32_after_last_attempt(result, mismatch, self.client.config().retry_mode)
                    }
                    _ => result,
                };
                let outcome = Outcome {
                    result,
                    decision,
                    status,
                };
                if replayable {
                    self.maybe_redirect(outcome);
                } else {
                    self.finish(outcome);
                }
            }
        }
    }

    /// End the call with this outcome.
    fn finish(&mut self, outcome: Outcome) {
        let Outcome {
            mut result,
            decision,
            status,
        } = outcome;
        self.client
            .retry_policy(|p| p.on_call_finished(&self.attempts, status));
        if decision == MAX_ATTEMPTS {
            // An error, or a success on the last attempt standard mode allowed (botocore's
            // `MaxAttemptsChecker` runs before it looks at the answer); legacy mode decides so
            // only for an answer it would have retried.
            let fields = match &mut result {
                Ok(value) => Some(value),
                Err(Error::Service(e)) => Some(&mut e.fields),
                Err(_) => None,
            };
            if let Some(fields) = fields {
                super::set_metadata(fields, "MaxAttemptsReached", Value::Bool(true));
            }
        }
        // A retry was due but the body was a one-shot stream the transport used up.
        if matches!(decision, RetryDecision::RetryAfter(_)) && !self.prepared.can_replay() {
            result = result.map_err(|e| Error::BodyNotReplayable {
                source: Box::new(e),
            });
        }
        self.state = State::Finished(Some(result));
    }
}

const MAX_ATTEMPTS: RetryDecision = RetryDecision::DoNotRetry(NoRetryReason::MaxAttemptsReached);

/// A response that still failed DynamoDB's CRC32 check when the attempts ran out: legacy mode
/// fails with the mismatch (a service error the rules retried stays that error); the other
/// modes return it, marked `MaxAttemptsReached`, as botocore does.
fn crc32_after_last_attempt(
    result: Result<Value, Error>,
    mismatch: crate::retry::crc32::Crc32Mismatch,
    mode: RetryMode,
) -> Result<Value, Error> {
    match result {
        Ok(_) if mode == RetryMode::Legacy => Err(Error::Crc32(mismatch)),
        Ok(mut value) => {
            super::set_metadata(&mut value, "MaxAttemptsReached", Value::Bool(true));
            Ok(value)
        }
        error => error,
    }
}

impl ServiceClient {
    /// Run `f` with the client's retry policy (shared by concurrent calls).
    pub(super) fn retry_policy<T>(&self, f: impl FnOnce(&mut crate::retry::RetryPolicy) -> T) -> T {
        let mut guard = self.retry.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}
