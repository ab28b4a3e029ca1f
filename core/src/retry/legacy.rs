//! Legacy retries driven by botocore's `_retry.json`: the global `__default__` policies merged
//! with the service's (by endpoint prefix), then the client's attempt override.
//!
//! Not reproduced on purpose: botocore merges service policies into shared definition objects,
//! so after building an `organizations` client its `too_many_requests` rule leaks into clients
//! built later in the same process. Here every client sees only its own merge.

use std::time::Duration;

use serde_json::{Map, Value};

use super::{NoRetryReason, RetryDecision, RetryInput};

/// What is wrong with `_retry.json` text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LegacyRetryError {
    /// Not JSON.
    #[error("_retry.json is not valid JSON: {0}")]
    Json(String),
    /// A required field is missing or has the wrong type.
    #[error("_retry.json: {path} {problem}")]
    Invalid {
        /// Where (`retry.__default__.max_attempts`, …).
        path: String,
        /// What is wrong.
        problem: &'static str,
    },
}

/// One `applies_when` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Condition {
    StatusAndCode(u16, String),
    Status(u16),
    SocketErrors,
    Crc32,
}

/// Delay base: random in [0, 1) or a fixed number of seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum DelayBase {
    Random,
    Seconds(f64),
}

/// The legacy rules for one service.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyRetryConfig {
    max_attempts: u32,
    base: DelayBase,
    growth_factor: f64,
    conditions: Vec<Condition>,
}

fn invalid(path: &str, problem: &'static str) -> LegacyRetryError {
    LegacyRetryError::Invalid {
        path: path.to_string(),
        problem,
    }
}

/// Replaces `{"$ref": name}` objects with the named definition (recursively).
fn resolve_refs(value: &mut Value, definitions: &Map<String, Value>) {
    if let Value::Object(map) = value {
        if map.len() == 1 {
            if let Some(Value::String(name)) = map.get("$ref") {
                if let Some(definition) = definitions.get(name) {
                    *value = definition.clone();
                }
                return;
            }
        }
        for child in map.values_mut() {
            resolve_refs(child, definitions);
        }
    }
}

/// botocore's `merge_dicts`: objects merge key by key, anything else is replaced.
fn merge(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, overlay) => *base = overlay.clone(),
    }
}

impl LegacyRetryConfig {
    /// Builds the rules for `endpoint_prefix` from `_retry.json` text. `total_max_attempts`
    /// (from `AWS_MAX_ATTEMPTS`/`max_attempts` or the client) replaces the attempt count.
    pub fn from_retry_json(
        json: &str,
        endpoint_prefix: &str,
        total_max_attempts: Option<u32>,
    ) -> Result<Self, LegacyRetryError> {
        let root: Value = serde_json::from_slice(json.as_bytes())
            .map_err(|e| LegacyRetryError::Json(e.to_string()))?;
        let empty = Map::default();
        let definitions = root
            .get("definitions")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let retry = root
            .get("retry")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid("retry", "is missing"))?;
        let mut merged = Value::Object(Map::default());
        if let Some(default) = retry.get("__default__") {
            let mut default = default.clone();
            resolve_refs(&mut default, definitions);
            merge(&mut merged, &default);
        }
        if let Some(service) = retry
            .get(endpoint_prefix)
            .and_then(|s| s.get("__default__"))
        {
            let mut service = service.clone();
            resolve_refs(&mut service, definitions);
            merge(&mut merged, &service);
        }
        Self::from_merged(&merged, total_max_attempts)
    }

    fn from_merged(
        merged: &Value,
        total_max_attempts: Option<u32>,
    ) -> Result<Self, LegacyRetryError> {
        let max_attempts = match total_max_attempts {
            Some(n) => n,
            None => merged
                .get("max_attempts")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    invalid("__default__.max_attempts", "must be a non-negative integer")
                })?,
        };
        let delay = merged
            .get("delay")
            .ok_or_else(|| invalid("__default__.delay", "is missing"))?;
        if delay.get("type").and_then(Value::as_str) != Some("exponential") {
            return Err(invalid("__default__.delay.type", "must be \"exponential\""));
        }
        let base = match delay.get("base") {
            Some(Value::String(s)) if s == "rand" => DelayBase::Random,
            Some(Value::Number(n)) => match n.as_f64() {
                Some(b) if b > 0.0 => DelayBase::Seconds(b),
                _ => return Err(invalid("__default__.delay.base", "must be > 0")),
            },
            _ => {
                return Err(invalid(
                    "__default__.delay.base",
                    "must be \"rand\" or a number",
                ))
            }
        };
        let growth_factor = delay
            .get("growth_factor")
            .and_then(Value::as_f64)
            .ok_or_else(|| invalid("__default__.delay.growth_factor", "must be a number"))?;
        let mut conditions = Vec::new();
        if let Some(policies) = merged.get("policies").and_then(Value::as_object) {
            for (name, policy) in policies {
                conditions.push(Self::condition(name, policy)?);
            }
        }
        Ok(LegacyRetryConfig {
            max_attempts,
            base,
            growth_factor,
            conditions,
        })
    }

    fn condition(name: &str, policy: &Value) -> Result<Condition, LegacyRetryError> {
        let path = format!("policies.{name}.applies_when");
        let applies = policy
            .get("applies_when")
            .ok_or_else(|| invalid(&path, "is missing"))?;
        if let Some(response) = applies.get("response") {
            let status = response
                .get("http_status_code")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok());
            if let Some(code) = response.get("service_error_code").and_then(Value::as_str) {
                let status = status.ok_or_else(|| invalid(&path, "needs http_status_code"))?;
                return Ok(Condition::StatusAndCode(status, code.to_string()));
            }
            if let Some(status) = status {
                return Ok(Condition::Status(status));
            }
            if response.get("crc32body").is_some() {
                return Ok(Condition::Crc32);
            }
            return Err(invalid(&path, "is an unknown response rule"));
        }
        if applies.get("socket_errors").is_some() {
            return Ok(Condition::SocketErrors);
        }
        Err(invalid(&path, "has neither response nor socket_errors"))
    }

    /// Total attempts including the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// `base * growth^(attempt-1)`, `base` random in [0, 1) when `rand`.
    pub fn delay(&self, attempt: u32, random: &mut dyn FnMut() -> f64) -> Duration {
        let base = match self.base {
            DelayBase::Random => random(),
            DelayBase::Seconds(s) => s,
        };
        let exponent = attempt.saturating_sub(1).min(1023) as i32;
        Duration::try_from_secs_f64(base * self.growth_factor.powi(exponent))
            .unwrap_or(Duration::MAX)
    }

    fn matches(&self, input: &RetryInput<'_>) -> bool {
        if input.http_status.is_none() {
            // Exceptions are retried only through a multi-rule checker that lists them:
            // socket errors (connection, read timeout), or ChecksumError for crc32 rules.
            return self.conditions.len() > 1
                && input.is_transport_error()
                && self.conditions.contains(&Condition::SocketErrors);
        }
        self.conditions.iter().any(|condition| match condition {
            Condition::StatusAndCode(status, code) => {
                input.http_status == Some(*status) && input.error_code == Some(code.as_str())
            }
            Condition::Status(status) => input.http_status == Some(*status),
            Condition::Crc32 => input.crc32_mismatch,
            Condition::SocketErrors => false,
        })
    }

    pub(super) fn decide(
        &self,
        attempt: u32,
        input: &RetryInput<'_>,
        random: &mut dyn FnMut() -> f64,
    ) -> RetryDecision {
        if !self.matches(input) {
            return RetryDecision::DoNotRetry(NoRetryReason::NotRetryable);
        }
        if attempt >= self.max_attempts {
            return RetryDecision::DoNotRetry(NoRetryReason::MaxAttemptsReached);
        }
        RetryDecision::RetryAfter(self.delay(attempt, random))
    }
}
