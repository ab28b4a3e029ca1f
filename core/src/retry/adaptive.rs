//! Adaptive mode's client-side rate limiter (botocore 1.44.5 `retries/adaptive.py`,
//! `bucket.py`, `throttling.py`): a token bucket whose fill rate follows CUBIC, enabled after
//! the first throttling response. Times are monotonic seconds supplied by the caller.

use std::time::Duration;

/// Send-token bucket refilled at `max_rate` tokens per second.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenBucket {
    fill_rate: f64,
    max_capacity: f64,
    current_capacity: f64,
    last_timestamp: Option<f64>,
}

impl TokenBucket {
    const MIN_RATE: f64 = 0.5;

    /// A bucket at `max_rate`, created at `now`.
    pub fn new(max_rate: f64, now: f64) -> Self {
        let mut bucket = TokenBucket {
            fill_rate: Self::MIN_RATE,
            max_capacity: 1.0,
            current_capacity: 0.0,
            last_timestamp: None,
        };
        bucket.set_max_rate(max_rate, now);
        bucket
    }

    /// The fill rate (tokens per second).
    pub fn max_rate(&self) -> f64 {
        self.fill_rate
    }

    /// Tokens available now (as of the last refill).
    pub fn available_capacity(&self) -> f64 {
        self.current_capacity
    }

    /// Changes the rate, first crediting tokens earned at the old rate.
    pub fn set_max_rate(&mut self, value: f64, now: f64) {
        self.refill(now);
        self.fill_rate = value.max(Self::MIN_RATE);
        self.max_capacity = if value >= 1.0 { value } else { 1.0 };
        self.current_capacity = self.current_capacity.min(self.max_capacity);
    }

    /// Takes one token, or says how long to wait before asking again.
    pub fn try_acquire(&mut self, now: f64) -> Result<(), Duration> {
        self.refill(now);
        if 1.0 <= self.current_capacity {
            self.current_capacity -= 1.0;
            return Ok(());
        }
        let wait = (1.0 - self.current_capacity) / self.fill_rate;
        Err(Duration::try_from_secs_f64(wait).unwrap_or(Duration::from_secs(1)))
    }

    fn refill(&mut self, now: f64) {
        let Some(last) = self.last_timestamp else {
            self.last_timestamp = Some(now);
            return;
        };
        let fill = (now - last) * self.fill_rate;
        self.current_capacity = self.max_capacity.min(self.current_capacity + fill);
        self.last_timestamp = Some(now);
    }
}

/// CUBIC rate calculation.
#[derive(Debug, Clone, PartialEq)]
pub struct CubicCalculator {
    w_max: f64,
    k: f64,
    last_fail: f64,
}

impl CubicCalculator {
    const SCALE_CONSTANT: f64 = 0.4;
    const BETA: f64 = 0.7;

    /// Starts at `starting_max_rate` at time `start`.
    pub fn new(starting_max_rate: f64, start: f64) -> Self {
        let mut cubic = CubicCalculator {
            w_max: starting_max_rate,
            k: 0.0,
            last_fail: start,
        };
        cubic.k = cubic.zero_point();
        cubic
    }

    fn zero_point(&self) -> f64 {
        // Python's `x ** (1/3.0)` is C `pow`, which `powf` also is.
        (self.w_max * (1.0 - Self::BETA) / Self::SCALE_CONSTANT).powf(1.0 / 3.0)
    }

    /// The rate after a non-throttled response at `now`.
    pub fn success_received(&self, now: f64) -> f64 {
        let dt = now - self.last_fail;
        Self::SCALE_CONSTANT * (dt - self.k).powf(3.0) + self.w_max
    }

    /// Records a throttle at `now` while sending at `current_rate`; returns the reduced rate.
    pub fn error_received(&mut self, current_rate: f64, now: f64) -> f64 {
        self.w_max = current_rate;
        self.k = self.zero_point();
        self.last_fail = now;
        current_rate * Self::BETA
    }
}

/// Measures the send rate in half-second buckets, smoothed.
#[derive(Debug, Clone, PartialEq)]
pub struct RateClocker {
    measured_rate: f64,
    last_bucket: f64,
    count: f64,
}

impl RateClocker {
    const SMOOTHING: f64 = 0.8;
    const BUCKETS_PER_SECOND: f64 = 2.0;

    /// Starts measuring at `now`.
    pub fn new(now: f64) -> Self {
        RateClocker {
            measured_rate: 0.0,
            last_bucket: now.floor(),
            count: 0.0,
        }
    }

    /// Counts one response at `now`; returns the measured rate.
    pub fn record(&mut self, now: f64) -> f64 {
        let bucket = (now * Self::BUCKETS_PER_SECOND).floor() / Self::BUCKETS_PER_SECOND;
        self.count += 1.0;
        if bucket > self.last_bucket {
            let current_rate = self.count / (bucket - self.last_bucket);
            self.measured_rate =
                current_rate * Self::SMOOTHING + self.measured_rate * (1.0 - Self::SMOOTHING);
            self.count = 0.0;
            self.last_bucket = bucket;
        }
        self.measured_rate
    }

    /// The last measured rate.
    pub fn measured_rate(&self) -> f64 {
        self.measured_rate
    }
}

/// The adaptive limiter: off until the first throttle, then every send takes a token.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRateLimiter {
    cubic: CubicCalculator,
    clocker: RateClocker,
    bucket: TokenBucket,
    enabled: bool,
}

impl ClientRateLimiter {
    const MAX_RATE_ADJUST_SCALE: f64 = 2.0;

    /// A limiter created at `now`.
    pub fn new(now: f64) -> Self {
        ClientRateLimiter {
            cubic: CubicCalculator::new(0.0, now),
            clocker: RateClocker::new(now),
            bucket: TokenBucket::new(1.0, now),
            enabled: false,
        }
    }

    /// Whether a throttle has switched the limiter on.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The current send rate (tokens per second).
    pub fn send_rate(&self) -> f64 {
        self.bucket.max_rate()
    }

    /// Before a send: `None` = go; `Some(d)` = sleep `d` and ask again.
    pub fn acquire_send_token(&mut self, now: f64) -> Option<Duration> {
        if !self.enabled {
            return None;
        }
        self.bucket.try_acquire(now).err()
    }

    /// After every response (throttled or not).
    pub fn on_response(&mut self, now: f64, throttled: bool) {
        let measured = self.clocker.record(now);
        let new_rate = if !throttled {
            self.cubic.success_received(now)
        } else {
            let rate = if self.enabled {
                measured.min(self.bucket.max_rate())
            } else {
                measured
            };
            self.enabled = true;
            self.cubic.error_received(rate, now)
        };
        self.bucket
            .set_max_rate(new_rate.min(Self::MAX_RATE_ADJUST_SCALE * measured), now);
    }
}
