//! [`CallMachine`]: one operation call with retries, as a sans-IO state machine.
//!
//! Each attempt is re-signed at the time the transport gives, carries `amz-sdk-invocation-id`
//! (the same for every attempt) and `amz-sdk-request: attempt=N; max=M`, and its outcome goes
//! through the client's retry policy, which may ask for a sleep before the next attempt.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderValue;

use crate::body::Body;
use crate::error::{Error, TransportError};
use crate::machine::{RandomSource, Step};
use crate::retry::{
    CallAttempts, ModeledError, NoRetryReason, RetryDecision, RetryInput, RetryMode,
};
use crate::value::Value;

use super::{CallIdentity, PreparedRequest, ServiceClient};

enum State {
    /// Ready to send the next attempt (possibly after the rate limiter's wait).
    Ready,
    /// Sent; waiting for `handle_response`.
    InFlight,
    /// The retry policy asked for a pause before the next attempt.
    Backoff(Duration),
    /// Finished with this result.
    Finished(Option<Result<Value, Error>>),
}

/// One call in progress. Drive it: `poll` → send / sleep → `handle_response` → `poll` … until
/// `Step::Done` or `Step::Failed`.
pub struct CallMachine<'c> {
    client: &'c ServiceClient,
    prepared: PreparedRequest,
    identity: CallIdentity,
    attempts: CallAttempts,
    invocation_id: HeaderValue,
    rng: Box<dyn RandomSource>,
    state: State,
    deadline: Option<SystemTime>,
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
        let invocation_id =
            HeaderValue::from_str(&rng.uuid4()).unwrap_or(HeaderValue::from_static("0"));
        CallMachine {
            client,
            prepared,
            identity,
            attempts,
            invocation_id,
            rng,
            state: State::Ready,
            deadline: None,
        }
    }

    /// The client making the call.
    pub fn client(&self) -> &'c ServiceClient {
        self.client
    }

    /// The operation being called.
    pub fn operation(&self) -> &str {
        self.prepared.operation()
    }

    /// Give up with a timeout once `deadline` passes: no attempt starts after it and no backoff
    /// sleeps past it (an attempt in flight is bounded by the transport's read timeout).
    pub fn set_deadline(&mut self, deadline: SystemTime) {
        self.deadline = Some(deadline);
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
        self.identity = identity;
    }

    /// Whether the transport should pass a response with this status unread (a streaming
    /// output), rather than reading the body fully.
    pub fn streams_response(&self, status: u16) -> bool {
        self.client
            .streams_response(self.prepared.operation(), status)
    }

    /// The response checksums the call asked to validate, most preferred first (a streamed
    /// body is checked by the transport as it is read: see
    /// [`crate::httpchecksum::ResponseChecksumValidator`]).
    pub fn response_checksums(&self) -> &[crate::checksum::ChecksumAlgorithm] {
        self.prepared.response_checksums()
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
                        None => Step::Failed(Error::Client("the call already finished".into())),
                    };
                }
                State::Backoff(d) => {
                    if let Some(e) = self.past_deadline(now) {
                        self.state = State::Finished(Some(Err(e)));
                        continue;
                    }
                    let left = self.deadline.and_then(|end| end.duration_since(now).ok());
                    self.state = State::Ready;
                    return Step::Sleep(left.map_or(d, |left| d.min(left)));
                }
                State::InFlight => {
                    return Step::Failed(Error::Client(
                        "poll called while a request is in flight".into(),
                    ));
                }
                State::Ready => {
                    if let Some(e) = self.past_deadline(now) {
                        self.state = State::Finished(Some(Err(e)));
                        continue;
                    }
                    if let Some(wait) = self.client.retry_policy(|p| p.before_send(seconds(now))) {
                        self.state = State::Ready;
                        return Step::Sleep(wait);
                    }
                    match self.build_attempt(now) {
                        Ok(req) => {
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
        let mut req = self
            .client
            .sign(&self.prepared, self.identity.borrow(), now, None)?;
        let header = self
            .client
            .retry_policy(|p| p.sdk_request_header(&self.attempts, None));
        let headers = req.headers_mut();
        headers.insert("amz-sdk-invocation-id", self.invocation_id.clone());
        if let Ok(v) = HeaderValue::from_str(&header) {
            headers.insert("amz-sdk-request", v);
        }
        Ok(req)
    }

    /// The transport's answer for the request of the last `Step::Send`: the response (with the
    /// body read fully, or unread when [`streams_response`](Self::streams_response) said so) or
    /// the transport error.
    pub fn handle_response(
        &mut self,
        outcome: Result<http::Response<Body>, TransportError>,
        now: SystemTime,
    ) {
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
                let retry_after = response
                    .headers()
                    .get("x-amz-retry-after")
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
            Err(Error::Service(e)) => match e
                .shape
                .and_then(|id| self.client.model.shape(id).as_structure())
            {
                Some(s) => match s.retryable {
                    Some(true) => ModeledError::RetryableThrottling,
                    Some(false) => ModeledError::RetryableTransient,
                    None => ModeledError::NotRetryable,
                },
                None => ModeledError::NotModeled,
            },
            _ => ModeledError::NotModeled,
        };
        let transport = match &result {
            Err(Error::Transport(t)) => Some(t.kind),
            _ => None,
        };
        let input = RetryInput {
            http_status: status,
            error_code: code.as_deref(),
            is_connection_error: transport.is_some_and(|k| k.is_retryable()),
            is_timeout: transport == Some(crate::error::TransportErrorKind::Timeout),
            retry_after_header: retry_after.as_deref(),
            modeled,
            crc32_mismatch: crc32.is_some(),
        };
        // A streamed request body was consumed by the transport: it cannot be sent again.
        let replayable = !self.prepared.is_streaming();
        let rng = &mut self.rng;
        let decision = self.client.retry_policy(|p| {
            p.on_attempt(&mut self.attempts, &input, seconds(now), &mut || {
                rng.next_f64()
            })
        });
        match decision {
            RetryDecision::RetryAfter(delay)
                if replayable && (result.is_err() || crc32.is_some()) =>
            {
                self.state = State::Backoff(delay);
            }
            decision => {
                self.client
                    .retry_policy(|p| p.on_call_finished(&self.attempts, status));
                let mut result = match (result, crc32) {
                    (result, Some(mismatch)) if decision == MAX_ATTEMPTS => {
                        crc32_after_last_attempt(result, mismatch, self.client.config().retry_mode)
                    }
                    (result, _) => result,
                };
                if let (
                    Err(Error::Service(e)),
                    RetryDecision::DoNotRetry(NoRetryReason::MaxAttemptsReached),
                ) = (&mut result, decision)
                {
                    if let Some(Value::Map(meta)) = e
                        .fields
                        .as_map_mut()
                        .and_then(|m| m.get_mut("ResponseMetadata"))
                    {
                        meta.insert("MaxAttemptsReached".into(), Value::Bool(true));
                    }
                }
                self.state = State::Finished(Some(result));
            }
        }
    }

    /// Attempts made so far (1 for the first).
    pub fn attempt(&self) -> u32 {
        self.attempts.attempt()
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
            if let Some(Value::Map(meta)) = value
                .as_map_mut()
                .and_then(|m| m.get_mut("ResponseMetadata"))
            {
                meta.insert("MaxAttemptsReached".into(), Value::Bool(true));
            }
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
