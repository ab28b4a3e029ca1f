//! Retry policies (botocore 1.44.5's `legacy`, `standard` and `adaptive` modes) as pure state:
//! the caller reports each attempt's outcome as a [`RetryInput`] with the current monotonic time
//! and a random source, and gets a [`RetryDecision`]. Nothing here sleeps or reads a clock.
//!
//! Facts from botocore 1.44.5 (`retries/standard.py`, `_retry.json`), which differ from older
//! botocore and some AWS docs:
//! - standard/adaptive: 3 attempts, but 4 for DynamoDB and DynamoDB Streams; backoff
//!   `rand * min(base * 2^(attempt-1), 20s)` with base 1s for throttling errors and 50ms
//!   otherwise (25ms for DynamoDB); `x-amz-retry-after` (milliseconds) raises the delay to at
//!   most `t + 5s`; retry quota of 500 tokens, 14 per retry, 5 per throttling retry, refunded on
//!   a 2xx result (1 token when no retry was needed).
//! - legacy: 5 attempts (DynamoDB 10, base 50ms), delay `rand * 2^(attempt-1)` uncapped.

mod adaptive;
pub mod crc32;
mod legacy;
mod standard;

use std::time::Duration;

use crate::model::{Operation, ServiceModel, ShapeId};

pub use adaptive::{ClientRateLimiter, CubicCalculator, RateClocker, TokenBucket};
pub use legacy::{LegacyRetryConfig, LegacyRetryError};
pub use standard::{RetryQuota, StandardRetry};

/// The configured retry mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryMode {
    /// `_retry.json`-driven retries.
    Legacy,
    /// Standard retries with a retry quota (the default).
    Standard,
    /// Standard retries plus a client-side rate limiter.
    Adaptive,
}

impl RetryMode {
    /// Parses `legacy`, `standard` or `adaptive` (exact, as botocore compares).
    pub fn parse(name: &str) -> Option<RetryMode> {
        match name {
            "legacy" => Some(RetryMode::Legacy),
            "standard" => Some(RetryMode::Standard),
            "adaptive" => Some(RetryMode::Adaptive),
            _ => None,
        }
    }
}

/// How the operation's model classifies the error code (the caller matches the code against
/// the operation's error shapes: `error.code` or the shape name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModeledError {
    /// No error code, or it matches none of the operation's errors.
    #[default]
    NotModeled,
    /// A modeled error without the `retryable` trait.
    NotRetryable,
    /// A modeled error with `retryable` (not throttling).
    RetryableTransient,
    /// A modeled error with `retryable: {throttling: true}`.
    RetryableThrottling,
}

impl ModeledError {
    /// How `operation` classifies the error whose modeled shape is `shape` (the service's shape
    /// for the answer's code): only errors the operation lists count, as botocore's
    /// `ModeledRetryErrorDetector` reads `operation_model.error_shapes`; a retryable error of
    /// the service that this operation does not list is judged by its code and status alone.
    pub fn of(model: &ServiceModel, operation: &Operation, shape: Option<ShapeId>) -> Self {
        let listed = shape.filter(|id| operation.errors.contains(id));
        match listed.and_then(|id| model.shape(id).as_structure()) {
            Some(s) => match s.retryable {
                Some(true) => ModeledError::RetryableThrottling,
                Some(false) => ModeledError::RetryableTransient,
                None => ModeledError::NotRetryable,
            },
            None => ModeledError::NotModeled,
        }
    }
}

/// One attempt's outcome, filled by the caller.
#[derive(Debug, Clone, Copy, Default)]
pub struct RetryInput<'a> {
    /// HTTP status of the response, `None` when no response was received.
    pub http_status: Option<u16>,
    /// Parsed error code (`Error.Code`).
    pub error_code: Option<&'a str>,
    /// The connection failed or broke (no complete response).
    pub is_connection_error: bool,
    /// Connect or read timed out.
    pub is_timeout: bool,
    /// The `x-amz-retry-after` header (milliseconds).
    pub retry_after_header: Option<&'a str>,
    /// The model's view of the error code.
    pub modeled: ModeledError,
    /// DynamoDB's `x-amz-crc32` header did not match the body.
    pub crc32_mismatch: bool,
}

impl RetryInput<'_> {
    /// An exception rather than a response: botocore retries these (`ConnectionError`,
    /// `HTTPClientError`, read timeouts).
    fn is_transport_error(&self) -> bool {
        self.http_status.is_none() && (self.is_connection_error || self.is_timeout)
    }
}

/// Why no retry happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoRetryReason {
    /// Success, or an error that is not retryable.
    NotRetryable,
    /// The attempt budget is spent (`ResponseMetadata.MaxAttemptsReached = true`).
    MaxAttemptsReached,
    /// The retry quota is empty (`ResponseMetadata.RetryQuotaReached = true`). For long-polling
    /// operations botocore still waits `delay_before_failing` before giving up.
    RetryQuotaReached {
        /// Delay to wait before returning the error (long-polling operations only).
        delay_before_failing: Option<Duration>,
    },
}

/// The policy's answer for one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Return the result as is.
    DoNotRetry(NoRetryReason),
    /// Wait this long, then send the request again (re-signed).
    RetryAfter(Duration),
}

/// `amz-sdk-request` header value: `attempt=N; max=M` (with `ttl=…` first when known), in a
/// buffer of exactly its length, which the header value then takes without a copy.
pub fn sdk_request_header(attempt: u32, max: Option<u32>, ttl: Option<&str>) -> String {
    let digits = |n: u32| n.checked_ilog10().unwrap_or(0) as usize + 1;
    let len = ttl.map_or(0, |t| "ttl=".len() + t.len() + "; ".len())
        + "attempt=".len()
        + digits(attempt)
        + max.map_or(0, |m| "; max=".len() + digits(m));
    let mut value = String::with_capacity(len);
    if let Some(ttl) = ttl {
        value.push_str("ttl=");
        value.push_str(ttl);
        value.push_str("; ");
    }
    // Numbers written in place (no `fmt`): this header is made for every attempt.
    value.push_str("attempt=");
    crate::serialize::push_int(&mut value, i64::from(attempt));
    if let Some(max) = max {
        value.push_str("; max=");
        crate::serialize::push_int(&mut value, i64::from(max));
    }
    value
}

/// [`sdk_request_header`] as the header's value. A first attempt under the usual limits (3,
/// standard and adaptive modes' default; 5, a common setting; none known, legacy mode's first
/// attempt) is a constant text, which every call sends, so it is not made and freed each time;
/// `None` only for a `ttl` no header may carry.
pub(crate) fn sdk_request_value(
    attempt: u32,
    max: Option<u32>,
    ttl: Option<&str>,
) -> Option<http::HeaderValue> {
    use http::HeaderValue;
    match (attempt, max, ttl) {
        (1, Some(3), None) => Some(HeaderValue::from_static("attempt=1; max=3")),
        (1, Some(5), None) => Some(HeaderValue::from_static("attempt=1; max=5")),
        (1, None, None) => Some(HeaderValue::from_static("attempt=1")),
        // Made to its length: its bytes become the value's, not copied.
        _ => HeaderValue::from_maybe_shared(bytes::Bytes::from(sdk_request_header(
            attempt, max, ttl,
        )))
        .ok(),
    }
}

/// The `ttl` a retried attempt's `amz-sdk-request` carries after an answer with this `Date`
/// (botocore's `_set_ttl`): the date plus the read timeout, as `20200102T030412Z`. `None` when
/// botocore cannot read the date (`Timestamp::parse_date_header_for_ttl`); the call then
/// keeps the `ttl` it had. A fraction of the timeout is dropped with the date's. A ttl past
/// the year 9999 (Python's `datetime` overflows, and botocore keeps the ttl it had) or before
/// 1000 (which C's `%Y` writes in fewer than four digits) is `None` too.
pub(crate) fn sdk_request_ttl(date: &str, read_timeout: Duration) -> Option<String> {
    use crate::time::Timestamp;
    let date = Timestamp::parse_date_header_for_ttl(date)?;
    let secs = i64::try_from(read_timeout.as_secs()).ok()?;
    let ttl = Timestamp::from_secs(date.secs().checked_add(secs)?);
    (1000..=9999)
        .contains(&ttl.to_civil().0)
        .then(|| ttl.to_amz_date())
}

/// One call's retry bookkeeping (create one per operation call with [`RetryPolicy::begin_call`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallAttempts {
    attempt: u32,
    quota_acquired: Option<u32>,
    long_polling: bool,
    max_known: bool,
}

impl CallAttempts {
    /// The attempt about to be (or just) sent, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// `ResponseMetadata.RetryAttempts`: retries made so far.
    pub fn retry_attempts(&self) -> u32 {
        self.attempt - 1
    }

    /// Move to the next attempt outside the retry rules, taking no retry quota (the attempt
    /// still counts in `amz-sdk-request` and `RetryAttempts`): endpoint discovery sends again at
    /// once when the service rejects a discovered endpoint, and S3's region redirect sends again
    /// at once after the policy declined, as botocore's redirector does.
    pub fn next_attempt(&mut self) {
        self.attempt += 1;
    }
}

/// A client's retry policy: the mode's rules plus shared state (quota, rate limiter). One per
/// client; wrap it in a lock when calls run concurrently.
#[derive(Debug, Clone)]
pub enum RetryPolicy {
    /// `_retry.json` rules.
    Legacy(LegacyRetryConfig),
    /// Standard rules; `limiter` is present in adaptive mode.
    Standard {
        /// Standard retry rules and quota.
        rules: StandardRetry,
        /// Adaptive mode's client-side rate limiter.
        limiter: Option<Box<ClientRateLimiter>>,
    },
}

impl RetryPolicy {
    /// Standard mode for a service (model `serviceId`), with the configured total attempts.
    pub fn standard(service_id: &str, total_max_attempts: Option<u32>) -> Self {
        RetryPolicy::Standard {
            rules: StandardRetry::new(service_id, total_max_attempts),
            limiter: None,
        }
    }

    /// Adaptive mode; `now` is the monotonic time in seconds.
    pub fn adaptive(service_id: &str, total_max_attempts: Option<u32>, now: f64) -> Self {
        RetryPolicy::Standard {
            rules: StandardRetry::new(service_id, total_max_attempts),
            limiter: Some(Box::new(ClientRateLimiter::new(now))),
        }
    }

    /// Legacy mode with rules built by [`LegacyRetryConfig::from_retry_json`].
    pub fn legacy(config: LegacyRetryConfig) -> Self {
        RetryPolicy::Legacy(config)
    }

    /// Total attempts allowed, including the first.
    pub fn max_attempts(&self) -> u32 {
        match self {
            RetryPolicy::Legacy(config) => config.max_attempts(),
            RetryPolicy::Standard { rules, .. } => rules.max_attempts(),
        }
    }

    /// Starts a call of `operation_name`.
    pub fn begin_call(&self, operation_name: &str) -> CallAttempts {
        let long_polling = match self {
            RetryPolicy::Standard { rules, .. } => rules.is_long_polling(operation_name),
            RetryPolicy::Legacy(_) => false,
        };
        CallAttempts {
            attempt: 1,
            quota_acquired: None,
            long_polling,
            // Standard mode seeds `max` before the first attempt; legacy only learns it when it
            // first evaluates a response, so its first attempt's header has no `max`.
            max_known: matches!(self, RetryPolicy::Standard { .. }),
        }
    }

    /// The `amz-sdk-request` header for the call's current attempt.
    pub fn sdk_request_header(&self, call: &CallAttempts, ttl: Option<&str>) -> String {
        let max = call.max_known.then(|| self.max_attempts());
        sdk_request_header(call.attempt, max, ttl)
    }

    /// [`sdk_request_header`](Self::sdk_request_header) as the header's value (see
    /// [`sdk_request_value`]).
    pub(crate) fn sdk_request_value(
        &self,
        call: &CallAttempts,
        ttl: Option<&str>,
    ) -> Option<http::HeaderValue> {
        let max = call.max_known.then(|| self.max_attempts());
        sdk_request_value(call.attempt, max, ttl)
    }

    /// Adaptive mode: ask before each send. `None` = send now; `Some(d)` = sleep `d`, then ask
    /// again. Other modes never wait.
    pub fn before_send(&mut self, now: f64) -> Option<Duration> {
        match self {
            RetryPolicy::Standard {
                limiter: Some(limiter),
                ..
            } => limiter.acquire_send_token(now),
            _ => None,
        }
    }

    /// Decides after an attempt (success or failure: every response goes through here, as in
    /// botocore's `needs-retry`). On `RetryAfter`, the call moves to its next attempt.
    pub fn on_attempt(
        &mut self,
        call: &mut CallAttempts,
        input: &RetryInput<'_>,
        now: f64,
        random: &mut dyn FnMut() -> f64,
    ) -> RetryDecision {
        let decision = match self {
            RetryPolicy::Legacy(config) => config.decide(call.attempt, input, random),
            RetryPolicy::Standard { rules, limiter } => {
                let throttling = rules.is_throttling(input);
                if let Some(limiter) = limiter {
                    limiter.on_response(now, throttling);
                }
                rules.decide(call, input, throttling, random)
            }
        };
        call.max_known = true;
        if let RetryDecision::RetryAfter(_) = decision {
            call.attempt += 1;
        }
        decision
    }

    /// Reports the call's final HTTP status (botocore's `after-call`): a 2xx refunds the
    /// retry quota. Calls that ended in a transport error report `None`.
    pub fn on_call_finished(&mut self, call: &CallAttempts, final_status: Option<u16>) {
        if let RetryPolicy::Standard { rules, .. } = self {
            rules.release_quota(call, final_status);
        }
    }
}

/// Parses `x-amz-retry-after` like Python's `int(value) / 1000`: optional white space and sign,
/// digits with single `_` separators. Negative, malformed or overflowing values are ignored.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let text = value.trim_matches(|c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c));
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let mut clean = String::with_capacity(digits.len());
    let mut previous_digit = false;
    for c in digits.chars() {
        match c {
            '0'..='9' => {
                clean.push(c);
                previous_digit = true;
            }
            '_' if previous_digit => previous_digit = false,
            _ => return None,
        }
    }
    if clean.is_empty() || !previous_digit {
        return None;
    }
    let millis: f64 = clean.parse().ok()?;
    if negative && millis != 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(millis / 1000.0).ok()
}

#[cfg(test)]
mod tests;
