//! Standard retry rules (botocore 1.44.5 `retries/standard.py`, `quota.py`, `special.py`).

use std::time::Duration;

use super::{
    parse_retry_after, CallAttempts, ModeledError, NoRetryReason, RetryDecision, RetryInput,
};

/// botocore's transient error codes, separated by spaces: one string, where a table of
/// `&str` has a pointer per code to relocate when the program loads (issue #18, binary size);
/// looked up only when a call fails.
const TRANSIENT_ERROR_CODES: &str =
    "RequestTimeout RequestTimeoutException PriorRequestNotComplete";

/// Whether `code` is one of the space-separated `codes`.
fn listed(codes: &str, code: &str) -> bool {
    codes.split(' ').any(|c| c == code)
}

const TRANSIENT_STATUS_CODES: &[u16] = &[500, 502, 503, 504];
/// botocore's throttling error codes (as [`TRANSIENT_ERROR_CODES`]).
const THROTTLING_ERROR_CODES: &str = concat!(
    "Throttling ThrottlingException ThrottledException RequestThrottledException ",
    "TooManyRequestsException ProvisionedThroughputExceededException ",
    "TransactionInProgressException RequestLimitExceeded BandwidthLimitExceeded ",
    "LimitExceededException RequestThrottled SlowDown PriorRequestNotComplete ",
    "EC2ThrottledException",
);
const MAX_BACKOFF_SECONDS: f64 = 20.0;
const RETRY_AFTER_MAX_EXTRA_SECONDS: f64 = 5.0;
const THROTTLING_BASE_SECONDS: f64 = 1.0;
const DEFAULT_BASE_SECONDS: f64 = 0.05;
const DYNAMODB_BASE_SECONDS: f64 = 0.025;
const DEFAULT_MAX_ATTEMPTS: u32 = 3;
const DYNAMODB_MAX_ATTEMPTS: u32 = 4;
const RETRY_COST: u32 = 14;
const THROTTLING_RETRY_COST: u32 = 5;
const NO_RETRY_INCREMENT: u32 = 1;

/// Operations that wait server-side; when the quota is empty botocore still sleeps the backoff
/// before failing them, so pollers do not spin.
const LONG_POLLING: &[(&str, &[&str])] = &[
    ("sqs", &["ReceiveMessage"]),
    ("sfn", &["GetActivityTask"]),
    ("swf", &["PollForActivityTask", "PollForDecisionTask"]),
    (
        "kinesis",
        &["ReceiveQueueRecords", "ReceiveDeadLetterQueueRecords"],
    ),
];

/// The client-wide retry quota: a bucket of 500 tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryQuota {
    max: u32,
    available: u32,
}

impl RetryQuota {
    /// Initial (and maximum) capacity.
    pub const INITIAL_CAPACITY: u32 = 500;

    /// A full quota of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        RetryQuota {
            max: capacity,
            available: capacity,
        }
    }

    /// Takes `amount` tokens if available.
    pub fn acquire(&mut self, amount: u32) -> bool {
        if amount > self.available {
            return false;
        }
        self.available -= amount;
        true
    }

    /// Returns up to `amount` tokens (never above capacity).
    pub fn release(&mut self, amount: u32) {
        self.available = self.max.min(self.available.saturating_add(amount));
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.available
    }
}

/// Which of botocore's per-service special cases apply (from the hyphenized service id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServiceQuirks {
    None,
    DynamoDb,
    DynamoDbStreams,
    Sts,
}

/// Standard-mode rules and the client's retry quota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardRetry {
    max_attempts: u32,
    quirks: ServiceQuirks,
    service: String,
    quota: RetryQuota,
}

/// botocore's `ServiceId.hyphenize()`: lower-case, spaces as hyphens.
fn hyphenize(service_id: &str) -> String {
    service_id
        .chars()
        .map(|c| {
            if c == ' ' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

impl StandardRetry {
    /// Rules for a service (model `serviceId`); `total_max_attempts` overrides the default.
    pub fn new(service_id: &str, total_max_attempts: Option<u32>) -> Self {
        let service = hyphenize(service_id);
        let quirks = match service.as_str() {
            "dynamodb" => ServiceQuirks::DynamoDb,
            "dynamodb-streams" => ServiceQuirks::DynamoDbStreams,
            "sts" => ServiceQuirks::Sts,
            _ => ServiceQuirks::None,
        };
        let default_attempts = match quirks {
            ServiceQuirks::DynamoDb | ServiceQuirks::DynamoDbStreams => DYNAMODB_MAX_ATTEMPTS,
            _ => DEFAULT_MAX_ATTEMPTS,
        };
        StandardRetry {
            max_attempts: total_max_attempts.unwrap_or(default_attempts),
            quirks,
            service,
            quota: RetryQuota::new(RetryQuota::INITIAL_CAPACITY),
        }
    }

    /// Total attempts including the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The client's retry quota.
    pub fn quota(&self) -> &RetryQuota {
        &self.quota
    }

    pub(super) fn is_long_polling(&self, operation_name: &str) -> bool {
        LONG_POLLING
            .iter()
            .any(|(service, ops)| *service == self.service && ops.contains(&operation_name))
    }

    /// botocore's `ThrottlingErrorDetector`: a known throttling code; else the model's verdict
    /// for a modeled retryable error; else a 429 whose code is not modeled.
    pub fn is_throttling(&self, input: &RetryInput<'_>) -> bool {
        if input
            .error_code
            .is_some_and(|c| listed(THROTTLING_ERROR_CODES, c))
        {
            return true;
        }
        match input.modeled {
            ModeledError::RetryableThrottling => true,
            ModeledError::RetryableTransient => false,
            ModeledError::NotRetryable => false,
            ModeledError::NotModeled => input.http_status == Some(429),
        }
    }

    /// Whether the outcome is retryable at all (ignoring attempts and quota).
    pub fn is_retryable(&self, input: &RetryInput<'_>) -> bool {
        let code = input.error_code;
        let transient = code.is_some_and(|c| listed(TRANSIENT_ERROR_CODES, c))
            || input
                .http_status
                .is_some_and(|s| TRANSIENT_STATUS_CODES.contains(&s))
            || input.is_transport_error();
        let throttled_code = code.is_some_and(|c| listed(THROTTLING_ERROR_CODES, c));
        let unmodeled_429 =
            input.http_status == Some(429) && input.modeled == ModeledError::NotModeled;
        let modeled_retryable = code.is_some()
            && matches!(
                input.modeled,
                ModeledError::RetryableTransient | ModeledError::RetryableThrottling
            );
        let special = match self.quirks {
            ServiceQuirks::Sts => code == Some("IDPCommunicationError"),
            ServiceQuirks::DynamoDb => input.http_status.is_some() && input.crc32_mismatch,
            _ => false,
        };
        transient || throttled_code || unmodeled_429 || modeled_retryable || special
    }

    /// `rand * min(base * 2^(attempt-1), 20s)`, raised to `x-amz-retry-after` (at most +5s).
    pub fn backoff(
        &self,
        attempt: u32,
        input: &RetryInput<'_>,
        throttling: bool,
        random: &mut dyn FnMut() -> f64,
    ) -> Duration {
        let base = if throttling {
            THROTTLING_BASE_SECONDS
        } else {
            match self.quirks {
                ServiceQuirks::DynamoDb | ServiceQuirks::DynamoDbStreams => DYNAMODB_BASE_SECONDS,
                _ => DEFAULT_BASE_SECONDS,
            }
        };
        let exponent = attempt.saturating_sub(1).min(1023) as i32;
        let jittered = random() * (base * 2f64.powi(exponent)).min(MAX_BACKOFF_SECONDS);
        let mut delay = jittered;
        if let Some(retry_after) = input.retry_after_header.and_then(parse_retry_after) {
            let wanted = retry_after.as_secs_f64();
            delay = jittered.max(wanted.min(RETRY_AFTER_MAX_EXTRA_SECONDS + jittered));
        }
        Duration::try_from_secs_f64(delay).unwrap_or_default()
    }

    pub(super) fn decide(
        &mut self,
        call: &mut CallAttempts,
        input: &RetryInput<'_>,
        throttling: bool,
        random: &mut dyn FnMut() -> f64,
    ) -> RetryDecision {
        // botocore checks the attempt budget first, so even a success on the last attempt
        // reports MaxAttemptsReached.
        if call.attempt >= self.max_attempts {
            return RetryDecision::DoNotRetry(NoRetryReason::MaxAttemptsReached);
        }
        if !self.is_retryable(input) {
            return RetryDecision::DoNotRetry(NoRetryReason::NotRetryable);
        }
        let cost = if throttling {
            THROTTLING_RETRY_COST
        } else {
            RETRY_COST
        };
        if self.quota.acquire(cost) {
            call.quota_acquired = Some(cost);
            return RetryDecision::RetryAfter(self.backoff(
                call.attempt,
                input,
                throttling,
                random,
            ));
        }
        let delay_before_failing = call
            .long_polling
            .then(|| self.backoff(call.attempt, input, throttling, random));
        RetryDecision::DoNotRetry(NoRetryReason::RetryQuotaReached {
            delay_before_failing,
        })
    }

    pub(super) fn release_quota(&mut self, call: &CallAttempts, final_status: Option<u16>) {
        if final_status.is_some_and(|s| (200..300).contains(&s)) {
            // botocore refunds the *last* acquired amount, or a small increment when the call
            // needed no retry at all.
            self.quota
                .release(call.quota_acquired.unwrap_or(NO_RETRY_INCREMENT));
        }
    }
}
