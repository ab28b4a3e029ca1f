//! Waiters: botocore's `waiters-2.json` driven as a sans-IO state machine.
//!
//! A [`Waiter`] says which parameters to call with; the transport makes the call and feeds the
//! outcome — the parsed result, or the error response in botocore's shape
//! (`{"Error": {"Code", "Message"}, "ResponseMetadata": {...}}`) — to
//! [`Waiter::handle_response`], which answers with [`WaitStep::Sleep`], success, or a
//! [`WaiterError`] that names the reason and carries the last response.

use std::collections::HashMap;
use std::time::Duration;

use crate::jmespath::{Expression, JmesPathError};
use crate::value::Value;

/// Why waiting ended without success.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WaiterError {
    /// The waiter file is not valid.
    #[error("invalid waiter configuration for {waiter}: {reason}")]
    Config {
        /// The waiter whose configuration is invalid.
        waiter: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No waiter of that name.
    #[error("waiter {name} does not exist; valid waiters: {valid}")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The service's waiter names.
        valid: String,
    },
    /// A `failure` acceptor matched, an unexpected error came back, or attempts ran out.
    #[error("Waiter {waiter} failed: {reason}")]
    Failed {
        /// The waiter's name.
        waiter: String,
        /// Why, as botocore words it.
        reason: String,
        /// The last response (result or error shape).
        last_response: Box<Value>,
    },
    /// An acceptor expression failed to evaluate.
    #[error(transparent)]
    Expression(#[from] JmesPathError),
}

/// The state an acceptor moves the waiter to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AcceptorState {
    /// Done.
    Success,
    /// Done, badly.
    Failure,
    /// Try again after the delay.
    Retry,
}

#[derive(Debug, Clone)]
enum Matcher {
    Path(Expression),
    PathAll(Expression),
    PathAny(Expression),
    Status,
    Error,
}

#[derive(Debug, Clone)]
struct Acceptor {
    state: AcceptorState,
    matcher: Matcher,
    expected: Value,
}

impl Acceptor {
    /// botocore's `AcceptorConfig.explanation`, the expected value written as Python's `str()`
    /// writes it (`running`, `True`, `200`).
    fn explanation(&self) -> String {
        let expected = python_text(&self.expected);
        match &self.matcher {
            Matcher::Path(e) => {
                format!("For expression \"{e}\" we matched expected path: \"{expected}\"")
            }
            Matcher::PathAll(e) => {
                format!("For expression \"{e}\" all members matched expected path: \"{expected}\"")
            }
            Matcher::PathAny(e) => format!(
                "For expression \"{e}\" we matched expected path: \"{expected}\" at least once"
            ),
            Matcher::Status => format!("Matched expected HTTP status code: {expected}"),
            Matcher::Error => format!("Matched expected service error code: {expected}"),
        }
    }

    fn matches(&self, response: &Value) -> Result<bool, JmesPathError> {
        let is_error = is_error_response(response);
        Ok(match &self.matcher {
            Matcher::Path(e) => !is_error && e.search(response)? == self.expected,
            Matcher::PathAll(e) => {
                !is_error
                    && matches!(e.search(response)?, Value::List(l) if !l.is_empty() && l.iter().all(|v| *v == self.expected))
            }
            Matcher::PathAny(e) => {
                !is_error
                    && matches!(e.search(response)?, Value::List(l) if l.contains(&self.expected))
            }
            Matcher::Status => response["ResponseMetadata"]["HTTPStatusCode"] == self.expected,
            Matcher::Error => match &self.expected {
                Value::Bool(true) => is_error,
                // botocore: no `Error` key at all.
                Value::Bool(false) => response.get("Error").is_none(),
                expected => response["Error"]["Code"] == *expected,
            },
        })
    }
}

/// botocore's `is_valid_waiter_error`: an `Error` map with a `Code`.
fn is_error_response(response: &Value) -> bool {
    response
        .get("Error")
        .is_some_and(|e| e.as_map().is_some_and(|e| e.contains_key("Code")))
}

/// `value` as Python's `str()` writes the JSON value botocore read (strings bare, `True`,
/// `None`, `{'a': 1}`), for the reasons botocore gives.
fn python_text(value: &Value) -> String {
    crate::serialize::python_str(&value.to_json())
}

/// One waiter's settings.
#[derive(Debug, Clone)]
pub struct WaiterConfig {
    /// The waiter's name (`BucketExists`).
    pub name: String,
    /// The operation it calls (`HeadBucket`).
    pub operation: String,
    /// Seconds between attempts.
    pub delay: Duration,
    /// Attempts before giving up.
    pub max_attempts: u32,
    acceptors: Vec<Acceptor>,
}

/// Every waiter of a service (`waiters-2.json`).
#[derive(Debug, Clone, Default)]
pub struct WaiterModel {
    by_name: HashMap<String, WaiterConfig>,
}

fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl WaiterModel {
    /// Parse `waiters-2.json`, compiling every expression.
    pub fn from_json(json: &[u8]) -> Result<Self, WaiterError> {
        let bad = |waiter: &str, reason: String| WaiterError::Config {
            waiter: waiter.to_string(),
            reason,
        };
        let doc: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| bad("*", e.to_string()))?;
        let mut by_name = HashMap::new();
        let waiters = doc.get("waiters").and_then(|w| w.as_object());
        for (name, w) in waiters.into_iter().flatten() {
            let operation = w
                .get("operation")
                .and_then(|o| o.as_str())
                .ok_or_else(|| bad(name, "no operation".into()))?;
            let mut acceptors = Vec::new();
            for a in w
                .get("acceptors")
                .and_then(|a| a.as_array())
                .into_iter()
                .flatten()
            {
                let state = match a.get("state").and_then(|s| s.as_str()) {
                    Some("success") => AcceptorState::Success,
                    Some("failure") => AcceptorState::Failure,
                    Some("retry") => AcceptorState::Retry,
                    other => return Err(bad(name, format!("unknown acceptor state {other:?}"))),
                };
                let argument = || -> Result<Expression, WaiterError> {
                    let arg = a.get("argument").and_then(|x| x.as_str()).unwrap_or("@");
                    Ok(Expression::compile(arg)?)
                };
                let matcher = match a.get("matcher").and_then(|m| m.as_str()) {
                    Some("path") => Matcher::Path(argument()?),
                    Some("pathAll") => Matcher::PathAll(argument()?),
                    Some("pathAny") => Matcher::PathAny(argument()?),
                    Some("status") => Matcher::Status,
                    Some("error") => Matcher::Error,
                    other => return Err(bad(name, format!("unknown matcher {other:?}"))),
                };
                let expected = Value::from(
                    a.get("expected")
                        .cloned()
                        .unwrap_or(serde_json::Value::Null),
                );
                acceptors.push(Acceptor {
                    state,
                    matcher,
                    expected,
                });
            }
            let delay = w.get("delay").and_then(|d| d.as_f64()).unwrap_or(15.0);
            let config = WaiterConfig {
                name: name.clone(),
                operation: operation.to_string(),
                // A negative or NaN delay waits not at all; one too long for a `Duration`
                // (a data file's `1e300`) waits as long as one can, where
                // `Duration::from_secs_f64` would panic.
                delay: Duration::try_from_secs_f64(delay.max(0.0)).unwrap_or(Duration::MAX),
                max_attempts: w.get("maxAttempts").and_then(|m| m.as_u64()).unwrap_or(40) as u32,
                acceptors,
            };
            by_name.insert(normalize(name), config);
        }
        Ok(WaiterModel { by_name })
    }

    /// A waiter by name in any spelling (`BucketExists`, `bucket_exists`).
    pub fn get(&self, name: &str) -> Result<&WaiterConfig, WaiterError> {
        self.by_name.get(&normalize(name)).ok_or_else(|| {
            let mut valid: Vec<&str> = self.names().collect();
            valid.sort_unstable();
            WaiterError::Unknown {
                name: name.to_string(),
                valid: valid.join(", "),
            }
        })
    }

    /// Waiter names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.values().map(|w| w.name.as_str())
    }
}

/// What the transport does after a response was handled.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitStep {
    /// Sleep, then call again with the same parameters.
    Sleep(Duration),
    /// The waited-for state was reached.
    Success,
}

/// One wait in progress.
#[derive(Debug)]
pub struct Waiter {
    config: WaiterConfig,
    params: Value,
    attempts: u32,
    last_matched: Option<usize>,
    /// The acceptor the last response's check stopped at (the matching one, else the last):
    /// botocore's "Max attempts exceeded" reason explains that one.
    last_checked: Option<usize>,
}

impl Waiter {
    /// Start waiting; `delay` and `max_attempts` override the model's (botocore's `WaiterConfig`).
    pub fn new(
        config: &WaiterConfig,
        params: Value,
        delay: Option<Duration>,
        max_attempts: Option<u32>,
    ) -> Self {
        let mut config = config.clone();
        if let Some(d) = delay {
            config.delay = d;
        }
        if let Some(m) = max_attempts {
            config.max_attempts = m.max(1);
        }
        Waiter {
            config,
            params,
            attempts: 0,
            last_matched: None,
            last_checked: None,
        }
    }

    /// The operation to call.
    pub fn operation(&self) -> &str {
        &self.config.operation
    }

    /// The parameters to call it with.
    pub fn params(&self) -> &Value {
        &self.params
    }

    /// Attempts made so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Judge one response (a result, or an error in botocore's error-response shape).
    pub fn handle_response(&mut self, response: Value) -> Result<WaitStep, WaiterError> {
        self.attempts += 1;
        let mut state = None;
        self.last_checked = self.config.acceptors.len().checked_sub(1);
        for (i, acceptor) in self.config.acceptors.iter().enumerate() {
            if acceptor.matches(&response)? {
                self.last_matched = Some(i);
                self.last_checked = Some(i);
                state = Some(acceptor.state);
                break;
            }
        }
        let fail = |reason: String, response: Value| WaiterError::Failed {
            waiter: self.config.name.clone(),
            reason,
            last_response: Box::new(response),
        };
        match state {
            Some(AcceptorState::Success) => return Ok(WaitStep::Success),
            Some(AcceptorState::Failure) => {
                let why = self
                    .last_matched
                    .map(|i| self.config.acceptors[i].explanation())
                    .unwrap_or_default();
                return Err(fail(
                    format!("Waiter encountered a terminal failure state: {why}"),
                    response,
                ));
            }
            None if is_error_response(&response) => {
                let text = |key: &str| match response["Error"].get(key) {
                    Some(v) => python_text(v),
                    None => "Unknown".into(),
                };
                let reason = format!("An error occurred ({}): {}", text("Code"), text("Message"));
                return Err(fail(reason, response));
            }
            _ => {}
        }
        if self.attempts >= self.config.max_attempts {
            let reason = match (self.last_matched, self.last_checked) {
                (Some(_), Some(i)) => format!(
                    "Max attempts exceeded. Previously accepted state: {}",
                    self.config.acceptors[i].explanation()
                ),
                _ => "Max attempts exceeded".to_string(),
            };
            return Err(fail(reason, response));
        }
        Ok(WaitStep::Sleep(self.config.delay))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params;

    fn model() -> WaiterModel {
        WaiterModel::from_json(
            br#"{"version": 2, "waiters": {
              "InstanceRunning": {"delay": 15, "operation": "DescribeInstances", "maxAttempts": 3, "acceptors": [
                {"expected": "running", "matcher": "pathAll", "state": "success", "argument": "Reservations[].Instances[].State.Name"},
                {"expected": "terminated", "matcher": "pathAny", "state": "failure", "argument": "Reservations[].Instances[].State.Name"},
                {"expected": "InvalidInstanceID.NotFound", "matcher": "error", "state": "retry"}]},
              "BucketExists": {"delay": 5, "operation": "HeadBucket", "maxAttempts": 20, "acceptors": [
                {"expected": 200, "matcher": "status", "state": "success"},
                {"expected": 404, "matcher": "status", "state": "retry"}]}}}"#,
        )
        .unwrap()
    }

    #[test]
    fn any_delay_a_data_file_gives_is_read_without_a_panic() {
        for (delay, expected) in [
            ("1e300", Duration::MAX),
            ("-3", Duration::ZERO),
            ("0.25", Duration::from_millis(250)),
        ] {
            let json = format!(
                r#"{{"version": 2, "waiters": {{"W": {{"delay": {delay}, "operation": "Op",
                    "maxAttempts": 1, "acceptors": []}}}}}}"#
            );
            let model = WaiterModel::from_json(json.as_bytes()).unwrap();
            assert_eq!(model.get("W").unwrap().delay, expected, "{delay}");
        }
    }

    fn instances(states: &[&str]) -> Value {
        let inst: Vec<Value> = states
            .iter()
            .map(|s| params! {"State": params!{"Name": *s}})
            .collect();
        params! {"Reservations": vec![params!{"Instances": inst}]}
    }

    #[test]
    fn retries_then_succeeds() {
        let m = model();
        let mut w = Waiter::new(m.get("instance_running").unwrap(), params! {}, None, None);
        assert_eq!(w.operation(), "DescribeInstances");
        let not_found =
            params! {"Error": params!{"Code": "InvalidInstanceID.NotFound", "Message": "x"}};
        assert_eq!(
            w.handle_response(not_found),
            Ok(WaitStep::Sleep(Duration::from_secs(15)))
        );
        assert_eq!(
            w.handle_response(instances(&["pending", "running"])),
            Ok(WaitStep::Sleep(Duration::from_secs(15)))
        );
        assert_eq!(
            w.handle_response(instances(&["running", "running"])),
            Ok(WaitStep::Success)
        );
    }

    #[test]
    fn failure_acceptor_and_exhaustion_explain_themselves() {
        let m = model();
        let mut w = Waiter::new(m.get("InstanceRunning").unwrap(), params! {}, None, None);
        let err = w
            .handle_response(instances(&["running", "terminated"]))
            .unwrap_err();
        assert!(err.to_string().contains("terminal failure state"), "{err}");

        let mut w = Waiter::new(
            m.get("BucketExists").unwrap(),
            params! {},
            Some(Duration::ZERO),
            Some(2),
        );
        let missing = params! {"Error": params!{"Code": "404", "Message": "Not Found"},
        "ResponseMetadata": params!{"HTTPStatusCode": 404}};
        assert_eq!(
            w.handle_response(missing.clone()),
            Ok(WaitStep::Sleep(Duration::ZERO))
        );
        let err = w.handle_response(missing).unwrap_err();
        assert!(err.to_string().contains("Max attempts exceeded. Previously accepted state: Matched expected HTTP status code: 404"), "{err}");
    }

    #[test]
    fn unexpected_errors_stop_the_wait() {
        let m = model();
        let mut w = Waiter::new(m.get("InstanceRunning").unwrap(), params! {}, None, None);
        let err = w
            .handle_response(params! {"Error": params!{"Code": "AccessDenied", "Message": "no"}})
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("An error occurred (AccessDenied): no"),
            "{err}"
        );
        assert!(matches!(m.get("nope"), Err(WaiterError::Unknown { .. })));
    }
}
