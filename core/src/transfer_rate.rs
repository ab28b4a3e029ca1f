//! How slowly a response body may arrive: the call's deadline for a body read whole, and a
//! minimum transfer rate for any body, so a server trickling one byte a second cannot hold a
//! caller forever (botocore has no such guard). A [`TransferWatch`] is told each piece as it
//! arrives, with the transport's clock, and says when the body has become too slow.
//!
//! A server that sends nothing at all is stopped by the transport's per-read timeout
//! ([`HttpConfig::read_timeout`](crate::http_config::HttpConfig::read_timeout)); a trickle
//! defeats that, since each read returns, hence the rate and the deadline here.

use std::time::{Duration, SystemTime};

use crate::error::transport::{TransportError, TransportErrorKind};

/// The slowest a response body may arrive: at least `bytes_per_second` on average over each
/// `window` (checked as pieces arrive; the first window starts when the body does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinTransferRate {
    /// Bytes a second, averaged over a window.
    pub bytes_per_second: u64,
    /// How long each measurement lasts (also the grace period before the first verdict).
    pub window: Duration,
}

impl MinTransferRate {
    /// At least `bytes_per_second`, measured over `window`.
    pub fn new(bytes_per_second: u64, window: Duration) -> Self {
        MinTransferRate {
            bytes_per_second,
            window,
        }
    }
}

/// A body needs watching when it has a minimum rate or a deadline.
fn watches(rate: &Option<MinTransferRate>, deadline: &Option<SystemTime>) -> bool {
    rate.is_some() || deadline.is_some()
}

/// Watches one body being read: a deadline and a minimum rate, either optional.
#[derive(Clone, Debug)]
pub struct TransferWatch {
    rate: Option<MinTransferRate>,
    deadline: Option<SystemTime>,
    window_start: SystemTime,
    window_bytes: u64,
    received: u64,
}

impl TransferWatch {
    /// Start watching a body at `now`.
    pub fn new(
        rate: Option<MinTransferRate>,
        deadline: Option<SystemTime>,
        now: SystemTime,
    ) -> Self {
        TransferWatch {
            rate,
            deadline,
            window_start: now,
            window_bytes: 0,
            received: 0,
        }
    }

    /// A watch started at `now()` when there is anything to watch; `None` (and no clock read)
    /// when neither a rate nor a deadline is set.
    pub fn start(
        rate: Option<MinTransferRate>,
        deadline: Option<SystemTime>,
        now: impl FnOnce() -> SystemTime,
    ) -> Option<Self> {
        watches(&rate, &deadline).then(|| Self::new(rate, deadline, now()))
    }

    /// Whether there is anything to watch.
    pub fn is_active(&self) -> bool {
        watches(&self.rate, &self.deadline)
    }

    /// How long the next read may wait: until the deadline (`None`: no deadline). Zero once
    /// the deadline has passed.
    pub fn time_left(&self, now: SystemTime) -> Option<Duration> {
        self.deadline
            .map(|end| end.duration_since(now).unwrap_or(Duration::ZERO))
    }

    /// `n` more bytes arrived at `now` (`0`: the body ended): a timeout error once past the
    /// deadline, or when the last full window was slower than the minimum rate.
    pub fn record(&mut self, n: usize, now: SystemTime) -> Result<(), TransportError> {
        self.received += n as u64;
        self.window_bytes += n as u64;
        if n > 0 {
            if let Some(end) = self.deadline.filter(|end| now >= *end) {
                let late = now.duration_since(end).unwrap_or_default();
                return Err(self.too_slow(format!(
                    "the call's time limit passed {late:?} ago while reading the response body"
                )));
            }
        }
        let Some(rate) = self.rate else {
            return Ok(());
        };
        let elapsed = now.duration_since(self.window_start).unwrap_or_default();
        if n == 0 || elapsed < rate.window || rate.window.is_zero() {
            return Ok(());
        }
        let needed = rate.bytes_per_second as f64 * elapsed.as_secs_f64();
        if (self.window_bytes as f64) < needed {
            let got = self.window_bytes as f64 / elapsed.as_secs_f64();
            return Err(self.too_slow(format!(
                "the response body arrived at {got:.1} bytes/s over {elapsed:?}, below the \
                 minimum transfer rate of {} bytes/s",
                rate.bytes_per_second
            )));
        }
        self.window_start = now;
        self.window_bytes = 0;
        Ok(())
    }

    /// The error for a body that took too long.
    pub fn expired(&self, limit: Duration) -> TransportError {
        self.too_slow(format!(
            "no more of the response body within the call's time limit ({limit:?} left)"
        ))
    }

    fn too_slow(&self, why: String) -> TransportError {
        TransportError::new(
            TransportErrorKind::Timeout,
            format!("{why} ({} bytes received)", self.received),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_000 + secs)
    }

    #[test]
    fn a_trickle_fails_the_rate_after_one_window() {
        let rate = MinTransferRate::new(100, Duration::from_secs(5));
        let mut watch = TransferWatch::new(Some(rate), None, at(0));
        for s in 1..5 {
            watch.record(1, at(s)).expect("within the first window");
        }
        let err = watch.record(1, at(5)).unwrap_err();
        assert_eq!(err.kind, TransportErrorKind::Timeout);
        assert!(err.to_string().contains("minimum transfer rate"), "{err}");
    }

    #[test]
    fn a_fast_body_passes_window_after_window() {
        let rate = MinTransferRate::new(100, Duration::from_secs(2));
        let mut watch = TransferWatch::new(Some(rate), None, at(0));
        for s in 1..=20 {
            watch
                .record(150, at(s))
                .expect("150 bytes/s is fast enough");
        }
        // The end of the body is never too slow.
        watch.record(0, at(60)).expect("the end");
    }

    #[test]
    fn the_deadline_ends_a_body_that_keeps_coming() {
        let mut watch = TransferWatch::new(None, Some(at(10)), at(0));
        assert_eq!(watch.time_left(at(4)), Some(Duration::from_secs(6)));
        watch.record(1, at(9)).expect("before the deadline");
        let err = watch.record(1, at(10)).unwrap_err();
        assert_eq!(err.kind, TransportErrorKind::Timeout);
        assert_eq!(watch.time_left(at(11)), Some(Duration::ZERO));
        assert!(!TransferWatch::new(None, None, at(0)).is_active());
    }

    #[test]
    fn a_watch_starts_only_when_there_is_something_to_watch() {
        let no_clock = || -> SystemTime { panic!("the clock was read for nothing to watch") };
        assert!(TransferWatch::start(None, None, no_clock).is_none());
        let watch = TransferWatch::start(None, Some(at(10)), || at(0)).expect("a deadline");
        assert!(watch.is_active());
        assert_eq!(watch.time_left(at(4)), Some(Duration::from_secs(6)));
        let rate = MinTransferRate::new(100, Duration::from_secs(5));
        assert!(TransferWatch::start(Some(rate), None, || at(0)).is_some());
    }
}
