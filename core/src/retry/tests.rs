use super::*;

fn status(code: u16) -> RetryInput<'static> {
    RetryInput {
        http_status: Some(code),
        ..RetryInput::default()
    }
}

/// Sends until the policy stops; returns (attempts made, last decision).
fn run(policy: &mut RetryPolicy, op: &str, input: &RetryInput<'_>) -> (u32, RetryDecision) {
    let mut call = policy.begin_call(op);
    let mut half = || 0.5;
    loop {
        let decision = policy.on_attempt(&mut call, input, 0.0, &mut half);
        if let RetryDecision::DoNotRetry(_) = decision {
            return (call.attempt(), decision);
        }
    }
}

#[test]
fn standard_attempt_counts() {
    let mut policy = RetryPolicy::standard("S3", None);
    let max = RetryDecision::DoNotRetry(NoRetryReason::MaxAttemptsReached);
    assert_eq!(run(&mut policy, "GetObject", &status(503)), (3, max));
    let throttled = RetryInput {
        http_status: Some(400),
        error_code: Some("ThrottlingException"),
        ..RetryInput::default()
    };
    assert_eq!(run(&mut policy, "GetObject", &throttled), (3, max));
    let connection = RetryInput {
        is_connection_error: true,
        ..RetryInput::default()
    };
    assert_eq!(run(&mut policy, "GetObject", &connection).0, 3);
    let not_found = RetryInput {
        http_status: Some(404),
        error_code: Some("NoSuchKey"),
        modeled: ModeledError::NotRetryable,
        ..RetryInput::default()
    };
    assert_eq!(
        run(&mut policy, "GetObject", &not_found),
        (1, RetryDecision::DoNotRetry(NoRetryReason::NotRetryable))
    );
    // A 429 whose code is modeled (and not retryable) is left to the model.
    let modeled_429 = RetryInput {
        modeled: ModeledError::NotRetryable,
        error_code: Some("Custom"),
        ..status(429)
    };
    assert_eq!(run(&mut policy, "GetObject", &modeled_429).0, 1);
    assert_eq!(run(&mut policy, "GetObject", &status(429)).0, 3);
    assert_eq!(
        run(
            &mut RetryPolicy::standard("DynamoDB", None),
            "Query",
            &status(500)
        )
        .0,
        4
    );
    assert_eq!(
        run(
            &mut RetryPolicy::standard("DynamoDB Streams", None),
            "X",
            &status(500)
        )
        .0,
        4
    );
    assert_eq!(
        run(&mut RetryPolicy::standard("S3", Some(5)), "X", &status(500)).0,
        5
    );
    assert_eq!(
        run(&mut RetryPolicy::standard("S3", Some(1)), "X", &status(500)).0,
        1
    );
    let idp = RetryInput {
        error_code: Some("IDPCommunicationError"),
        ..status(400)
    };
    assert_eq!(run(&mut RetryPolicy::standard("STS", None), "X", &idp).0, 3);
    assert_eq!(run(&mut RetryPolicy::standard("S3", None), "X", &idp).0, 1);
}

#[test]
fn the_attempt_header_is_made_to_its_length() {
    for (attempt, max, ttl) in [
        (1, None, None),
        (9, Some(10), None),
        (10, Some(9), Some("20240101T000000Z")),
        (u32::MAX, Some(u32::MAX), Some("")),
    ] {
        let value = super::sdk_request_header(attempt, max, ttl);
        let mut expected = ttl.map_or(String::new(), |t| format!("ttl={t}; "));
        expected.push_str(&format!("attempt={attempt}"));
        if let Some(max) = max {
            expected.push_str(&format!("; max={max}"));
        }
        assert_eq!(value, expected);
        assert_eq!(value.capacity(), value.len(), "{value}");
    }
}

#[test]
fn the_attempt_header_value_is_the_text_constant_or_not() {
    for (attempt, max, ttl) in [
        (1, Some(3), None),
        (1, Some(5), None),
        (1, None, None),
        (1, Some(4), None),
        (1, Some(3), Some("20240101T000000Z")),
        (2, Some(3), None),
        (2, None, Some("20240101T000000Z")),
    ] {
        let value = super::sdk_request_value(attempt, max, ttl).expect("a valid value");
        assert_eq!(value, super::sdk_request_header(attempt, max, ttl));
    }
    // A ttl no header may carry is left out, as before.
    assert_eq!(super::sdk_request_value(2, Some(3), Some("a\nb")), None);
}

#[test]
fn standard_headers_and_success_at_max() {
    let mut policy = RetryPolicy::standard("S3", None);
    let mut call = policy.begin_call("GetObject");
    assert_eq!(policy.sdk_request_header(&call, None), "attempt=1; max=3");
    let mut zero = || 0.0;
    policy.on_attempt(&mut call, &status(500), 0.0, &mut zero);
    assert_eq!(
        policy.sdk_request_header(&call, Some("20240101T000000Z")),
        "ttl=20240101T000000Z; attempt=2; max=3"
    );
    policy.on_attempt(&mut call, &status(500), 0.0, &mut zero);
    assert_eq!(
        policy.on_attempt(&mut call, &status(200), 0.0, &mut zero),
        RetryDecision::DoNotRetry(NoRetryReason::MaxAttemptsReached)
    );
    assert_eq!(call.retry_attempts(), 2);
}

#[test]
fn standard_backoff_bounds() {
    let rules = StandardRetry::new("S3", None);
    let input = status(500);
    let mut one = || 0.999_999;
    let mut half = || 0.5;
    // Non-throttling: 50ms * 2^(attempt-1).
    assert_eq!(
        rules.backoff(1, &input, false, &mut half),
        Duration::from_millis(25)
    );
    assert_eq!(
        rules.backoff(3, &input, false, &mut half),
        Duration::from_millis(100)
    );
    // Throttling: 1s base, capped at 20s.
    assert_eq!(
        rules.backoff(2, &input, true, &mut half),
        Duration::from_secs(1)
    );
    assert!(rules.backoff(10, &input, true, &mut one) <= Duration::from_secs(20));
    assert!(rules.backoff(10, &input, true, &mut one) > Duration::from_millis(19_999));
    let ddb = StandardRetry::new("DynamoDB", None);
    assert_eq!(
        ddb.backoff(1, &input, false, &mut half),
        Duration::from_micros(12_500)
    );
    // x-amz-retry-after raises the delay, but by at most 5 seconds over the jittered value.
    let after = RetryInput {
        retry_after_header: Some("1500"),
        ..status(503)
    };
    assert_eq!(
        rules.backoff(1, &after, false, &mut half),
        Duration::from_millis(1500)
    );
    let far = RetryInput {
        retry_after_header: Some("60000"),
        ..status(503)
    };
    assert_eq!(
        rules.backoff(1, &far, false, &mut half),
        Duration::from_millis(5025)
    );
    let bad = RetryInput {
        retry_after_header: Some("-5"),
        ..status(503)
    };
    assert_eq!(
        rules.backoff(1, &bad, false, &mut half),
        Duration::from_millis(25)
    );
}

#[test]
fn retry_after_parsing() {
    assert_eq!(parse_retry_after("1000"), Some(Duration::from_secs(1)));
    assert_eq!(
        parse_retry_after(" +1_500 "),
        Some(Duration::from_millis(1500))
    );
    assert_eq!(parse_retry_after("-0"), Some(Duration::ZERO));
    for bad in [
        "",
        "-1",
        "1.5",
        "abc",
        "1__0",
        "_1",
        "1_",
        "+",
        "9".repeat(400).as_str(),
    ] {
        assert_eq!(parse_retry_after(bad), None, "{bad:?}");
    }
}

#[test]
fn quota_exhaustion_and_refund() {
    let mut policy = RetryPolicy::standard("S3", Some(1000));
    let mut call = policy.begin_call("GetObject");
    let mut zero = || 0.0;
    let mut retries = 0;
    loop {
        match policy.on_attempt(&mut call, &status(500), 0.0, &mut zero) {
            RetryDecision::RetryAfter(_) => retries += 1,
            RetryDecision::DoNotRetry(reason) => {
                assert_eq!(
                    reason,
                    NoRetryReason::RetryQuotaReached {
                        delay_before_failing: None
                    }
                );
                break;
            }
        }
    }
    // 500 tokens at 14 each.
    assert_eq!(retries, 35);
    let RetryPolicy::Standard { rules, .. } = &policy else {
        unreachable!()
    };
    assert_eq!(rules.quota().available(), 10);
    // Throttling retries cost 5: two more fit.
    let throttled = RetryInput {
        error_code: Some("SlowDown"),
        ..status(503)
    };
    let mut call2 = policy.begin_call("GetObject");
    assert!(matches!(
        policy.on_attempt(&mut call2, &throttled, 0.0, &mut zero),
        RetryDecision::RetryAfter(_)
    ));
    assert!(matches!(
        policy.on_attempt(&mut call2, &throttled, 0.0, &mut zero),
        RetryDecision::RetryAfter(_)
    ));
    assert!(matches!(
        policy.on_attempt(&mut call2, &throttled, 0.0, &mut zero),
        RetryDecision::DoNotRetry(_)
    ));
    // Success after a retry refunds the last acquisition; success without retry refunds 1.
    policy.on_call_finished(&call2, Some(200));
    policy.on_call_finished(&policy.begin_call("GetObject"), Some(204));
    policy.on_call_finished(&policy.begin_call("GetObject"), Some(500));
    let RetryPolicy::Standard { rules, .. } = &policy else {
        unreachable!()
    };
    assert_eq!(rules.quota().available(), 6);
    // Long polling waits before failing on an empty quota.
    let mut sqs = RetryPolicy::standard("SQS", Some(1000));
    let mut call = sqs.begin_call("ReceiveMessage");
    let decision = loop {
        if let RetryDecision::DoNotRetry(r) =
            sqs.on_attempt(&mut call, &status(500), 0.0, &mut zero)
        {
            break r;
        }
    };
    assert!(matches!(
        decision,
        NoRetryReason::RetryQuotaReached {
            delay_before_failing: Some(_)
        }
    ));
}

const RETRY_JSON: &str = r#"{
  "definitions": {
    "throttling": {"applies_when": {"response": {"service_error_code": "Throttling", "http_status_code": 400}}},
    "socket": {"applies_when": {"socket_errors": ["GENERAL_CONNECTION_ERROR"]}},
    "unavailable": {"applies_when": {"response": {"http_status_code": 503}}},
    "too_many": {"applies_when": {"response": {"http_status_code": 429}}}
  },
  "retry": {
    "__default__": {
      "max_attempts": 5,
      "delay": {"type": "exponential", "base": "rand", "growth_factor": 2},
      "policies": {"throttling": {"$ref": "throttling"}, "socket": {"$ref": "socket"},
                   "unavailable": {"$ref": "unavailable"}, "too_many": {"$ref": "too_many"}}
    },
    "orgs": {"__default__": {"policies": {"too_many": {"applies_when": {"response": {
      "service_error_code": "TooManyRequestsException", "http_status_code": 400}}}}}},
    "ddb": {"__default__": {"max_attempts": 10, "delay": {"type": "exponential", "base": 0.05, "growth_factor": 2},
      "policies": {"crc": {"applies_when": {"response": {"crc32body": "x-amz-crc32"}}}}}}
  }
}"#;

#[test]
fn legacy_rules() {
    let config = LegacyRetryConfig::from_retry_json(RETRY_JSON, "s3", None).unwrap();
    let mut policy = RetryPolicy::legacy(config);
    let max = RetryDecision::DoNotRetry(NoRetryReason::MaxAttemptsReached);
    assert_eq!(run(&mut policy, "X", &status(503)), (5, max));
    assert_eq!(run(&mut policy, "X", &status(500)).0, 1);
    let timeout = RetryInput {
        is_timeout: true,
        ..RetryInput::default()
    };
    assert_eq!(run(&mut policy, "X", &timeout).0, 5);
    let throttle = RetryInput {
        error_code: Some("Throttling"),
        ..status(400)
    };
    assert_eq!(run(&mut policy, "X", &throttle).0, 5);
    // The code alone is not enough: legacy also needs the status.
    let wrong_status = RetryInput {
        error_code: Some("Throttling"),
        ..status(403)
    };
    assert_eq!(run(&mut policy, "X", &wrong_status).0, 1);
    // Header: no max on the first attempt, then max.
    let mut call = policy.begin_call("X");
    assert_eq!(policy.sdk_request_header(&call, None), "attempt=1");
    let mut quarter = || 0.25;
    assert_eq!(
        policy.on_attempt(&mut call, &status(503), 0.0, &mut quarter),
        RetryDecision::RetryAfter(Duration::from_millis(250))
    );
    assert_eq!(policy.sdk_request_header(&call, None), "attempt=2; max=5");
    assert_eq!(
        policy.on_attempt(&mut call, &status(503), 0.0, &mut quarter),
        RetryDecision::RetryAfter(Duration::from_millis(500))
    );
    // Service overrides merge into the defaults.
    let orgs = LegacyRetryConfig::from_retry_json(RETRY_JSON, "orgs", None).unwrap();
    assert_eq!(run(&mut RetryPolicy::legacy(orgs), "X", &status(429)).0, 1);
    let ddb = LegacyRetryConfig::from_retry_json(RETRY_JSON, "ddb", Some(3)).unwrap();
    assert_eq!(ddb.max_attempts(), 3);
    assert_eq!(ddb.delay(3, &mut || 0.9), Duration::from_millis(200));
    let crc = RetryInput {
        crc32_mismatch: true,
        ..status(200)
    };
    assert_eq!(run(&mut RetryPolicy::legacy(ddb), "X", &crc).0, 3);
    assert!(LegacyRetryConfig::from_retry_json("{}", "s3", None).is_err());
    assert!(LegacyRetryConfig::from_retry_json("nope", "s3", None).is_err());
}

#[test]
fn adaptive_limiter_with_fake_clock() {
    let mut policy = RetryPolicy::adaptive("S3", None, 100.0);
    // Off until throttled.
    assert_eq!(policy.before_send(100.0), None);
    let mut call = policy.begin_call("GetObject");
    let mut zero = || 0.0;
    for i in 0..10 {
        let now = 100.0 + f64::from(i) * 0.1;
        assert_eq!(policy.before_send(now), None);
        policy.on_attempt(&mut call, &status(200), now, &mut zero);
        call = policy.begin_call("GetObject");
    }
    let throttled = RetryInput {
        error_code: Some("Throttling"),
        ..status(400)
    };
    policy.on_attempt(&mut call, &throttled, 101.0, &mut zero);
    let RetryPolicy::Standard {
        limiter: Some(limiter),
        ..
    } = &policy
    else {
        unreachable!()
    };
    assert!(limiter.is_enabled());
    let rate = limiter.send_rate();
    assert!((0.5..10.0).contains(&rate), "{rate}");
    // Now sends take tokens: what the bucket earned (at most its capacity) goes first, then
    // a send has to wait exactly for the next whole token at the new rate.
    let capacity = limiter.send_rate().max(1.0);
    let mut granted = 0;
    let wait = loop {
        match policy.before_send(101.0) {
            None => granted += 1,
            Some(wait) => break wait,
        }
        assert!(granted <= 10, "the bucket must run dry");
    };
    assert!(f64::from(granted) <= capacity, "{granted} > {capacity}");
    assert!(
        wait.as_secs_f64() > 0.0 && wait.as_secs_f64() <= 1.0 / rate + 1e-9,
        "{wait:?}"
    );
    assert_eq!(policy.before_send(101.0 + wait.as_secs_f64() + 1e-9), None);
    assert!(policy
        .before_send(101.0 + wait.as_secs_f64() + 1e-9)
        .is_some());
}

#[test]
fn cubic_and_bucket_math() {
    let mut cubic = CubicCalculator::new(0.0, 0.0);
    assert_eq!(cubic.error_received(10.0, 5.0), 7.0);
    // k = cbrt(10 * 0.3 / 0.4); at t = last_fail + k the rate is back to w_max.
    let k = (10.0f64 * 0.3 / 0.4).powf(1.0 / 3.0);
    assert!((cubic.success_received(5.0 + k) - 10.0).abs() < 1e-9);
    assert!(cubic.success_received(5.0) < 10.0);
    let mut clocker = RateClocker::new(0.0);
    assert_eq!(clocker.record(0.1), 0.0);
    assert_eq!(clocker.record(0.2), 0.0);
    // Third response lands in the 0.5s bucket: 3 / 0.5 * 0.8.
    assert!((clocker.record(0.6) - 4.8).abs() < 1e-12);
    let mut bucket = TokenBucket::new(2.0, 0.0);
    assert!(bucket.try_acquire(0.0).is_err());
    assert!(bucket.try_acquire(0.5).is_ok());
    bucket.set_max_rate(0.1, 0.5);
    assert_eq!(bucket.max_rate(), 0.5);
}

#[test]
fn a_retry_ttl_is_the_date_plus_the_read_timeout_as_botocore_writes_it() {
    use std::time::Duration;
    let ttl = |date: &str, secs: f64| super::sdk_request_ttl(date, Duration::from_secs_f64(secs));
    assert_eq!(
        ttl("Thu, 02 Jan 2020 03:04:05 GMT", 7.5).as_deref(),
        Some("20200102T030412Z")
    );
    assert_eq!(
        ttl("Thu, 31 Dec 2020 23:59:30 GMT", 60.0).as_deref(),
        Some("20210101T000030Z")
    );
    // botocore keeps the ttl it had: a date it cannot read, one past the year 9999 (its
    // datetime overflows), one before 1000 (written in fewer than four digits there).
    assert_eq!(ttl("Thu, 02 Jan 2020 03:04:05 +0000", 60.0), None);
    assert_eq!(ttl("Fri, 31 Dec 9999 23:59:30 GMT", 60.0), None);
    assert_eq!(ttl("Fri, 31 Dec 0999 23:59:30 GMT", 1.0), None);
}
