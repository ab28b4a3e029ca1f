//! Conversions between [`Timestamp`](crate::time::Timestamp) (and timestamp
//! [`Value`](crate::value::Value)s) and the date types of the `time`
//! `chrono` and `jiff` crates, each behind the feature of the same name, so a program passes its own
//! date type as a parameter and reads results back into it.
//!
//! A date type converts into a timestamp always; a timestamp converts back with `TryFrom`, as it
//! may lie outside the other crate's range ([`OutOfRange`]).

#[cfg(any(feature = "time", feature = "chrono", feature = "jiff"))]
use crate::time::Timestamp;
#[cfg(any(feature = "time", feature = "chrono", feature = "jiff"))]
use crate::value::Value;

/// A timestamp outside the range of the date type asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timestamp {secs}s since the epoch is outside the range of {target}")]
#[non_exhaustive]
pub struct OutOfRange {
    /// Seconds since the epoch.
    pub secs: i64,
    /// The date type (`time::OffsetDateTime`).
    pub target: &'static str,
}

#[cfg(feature = "time")]
mod with_time {
    use super::*;
    use ::time::OffsetDateTime;

    /// ```
    /// use sansboto_core::{Timestamp, Value};
    /// let t = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
    /// let v = Value::from(t);
    /// assert_eq!(v.as_timestamp(), Some(Timestamp::from_secs(1_700_000_000)));
    /// let back = time::OffsetDateTime::try_from(v.as_timestamp().unwrap()).unwrap();
    /// assert_eq!(back, t);
    /// ```
    impl From<OffsetDateTime> for Timestamp {
        fn from(t: OffsetDateTime) -> Self {
            Timestamp::new(t.unix_timestamp(), t.nanosecond())
                .unwrap_or_else(|| Timestamp::from_secs(t.unix_timestamp()))
        }
    }

    impl From<OffsetDateTime> for Value {
        fn from(t: OffsetDateTime) -> Self {
            Value::Timestamp(t.into())
        }
    }

    impl TryFrom<Timestamp> for OffsetDateTime {
        type Error = OutOfRange;
        fn try_from(t: Timestamp) -> Result<Self, OutOfRange> {
            let nanos = i128::from(t.secs()) * 1_000_000_000 + i128::from(t.subsec_nanos());
            OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| OutOfRange {
                secs: t.secs(),
                target: "time::OffsetDateTime",
            })
        }
    }
}

#[cfg(feature = "chrono")]
mod with_chrono {
    use super::*;
    use chrono::{DateTime, Utc};

    /// ```
    /// use sansboto_core::{Timestamp, Value};
    /// let t = chrono::DateTime::from_timestamp(1_700_000_000, 5).unwrap();
    /// let v = Value::from(t);
    /// assert_eq!(v.as_timestamp(), Timestamp::new(1_700_000_000, 5));
    /// let back = chrono::DateTime::<chrono::Utc>::try_from(v.as_timestamp().unwrap()).unwrap();
    /// assert_eq!(back, t);
    /// ```
    impl From<DateTime<Utc>> for Timestamp {
        fn from(t: DateTime<Utc>) -> Self {
            // chrono marks a leap second with nanoseconds past 1e9: keep the second.
            Timestamp::new(t.timestamp(), t.timestamp_subsec_nanos())
                .unwrap_or_else(|| Timestamp::from_secs(t.timestamp()))
        }
    }

    impl From<DateTime<Utc>> for Value {
        fn from(t: DateTime<Utc>) -> Self {
            Value::Timestamp(t.into())
        }
    }

    impl TryFrom<Timestamp> for DateTime<Utc> {
        type Error = OutOfRange;
        fn try_from(t: Timestamp) -> Result<Self, OutOfRange> {
            DateTime::from_timestamp(t.secs(), t.subsec_nanos()).ok_or(OutOfRange {
                secs: t.secs(),
                target: "chrono::DateTime<Utc>",
            })
        }
    }
}

#[cfg(feature = "jiff")]
mod with_jiff {
    use super::*;

    /// ```
    /// use sansboto_core::{Timestamp, Value};
    /// let t = jiff::Timestamp::new(1_700_000_000, 5).unwrap();
    /// let v = Value::from(t);
    /// assert_eq!(v.as_timestamp(), Timestamp::new(1_700_000_000, 5));
    /// let back = jiff::Timestamp::try_from(v.as_timestamp().unwrap()).unwrap();
    /// assert_eq!(back, t);
    /// ```
    impl From<jiff::Timestamp> for Timestamp {
        fn from(t: jiff::Timestamp) -> Self {
            // jiff keeps a negative instant's fraction negative; ours counts up from the second
            // below.
            let (secs, nanos) = (t.as_second(), t.subsec_nanosecond());
            if nanos < 0 {
                Timestamp::new(secs - 1, (1_000_000_000 + nanos) as u32)
            } else {
                Timestamp::new(secs, nanos as u32)
            }
            .unwrap_or_else(|| Timestamp::from_secs(secs))
        }
    }

    impl From<jiff::Timestamp> for Value {
        fn from(t: jiff::Timestamp) -> Self {
            Value::Timestamp(t.into())
        }
    }

    impl TryFrom<Timestamp> for jiff::Timestamp {
        type Error = OutOfRange;
        fn try_from(t: Timestamp) -> Result<Self, OutOfRange> {
            let nanos = i128::from(t.secs()) * 1_000_000_000 + i128::from(t.subsec_nanos());
            jiff::Timestamp::from_nanosecond(nanos).map_err(|_| OutOfRange {
                secs: t.secs(),
                target: "jiff::Timestamp",
            })
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(any(feature = "time", feature = "chrono", feature = "jiff"))]
    use super::*;

    #[cfg(feature = "time")]
    #[test]
    fn time_round_trips_and_reports_out_of_range() {
        let t = ::time::OffsetDateTime::from_unix_timestamp_nanos(-1_500_000_000).unwrap();
        let ts = Timestamp::from(t);
        assert_eq!((ts.secs(), ts.subsec_nanos()), (-2, 500_000_000));
        assert_eq!(::time::OffsetDateTime::try_from(ts), Ok(t));
        let far = Timestamp::from_secs(i64::MAX / 2);
        assert!(matches!(
            ::time::OffsetDateTime::try_from(far),
            Err(OutOfRange { .. })
        ));
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn chrono_round_trips_and_reports_out_of_range() {
        let t = chrono::DateTime::from_timestamp(-2, 500_000_000).unwrap();
        let ts = Timestamp::from(t);
        assert_eq!((ts.secs(), ts.subsec_nanos()), (-2, 500_000_000));
        assert_eq!(chrono::DateTime::<chrono::Utc>::try_from(ts), Ok(t));
        assert_eq!(Value::from(t), Value::Timestamp(ts));
        let far = Timestamp::from_secs(i64::MAX / 2);
        assert!(chrono::DateTime::<chrono::Utc>::try_from(far).is_err());
    }

    #[cfg(feature = "jiff")]
    #[test]
    fn jiff_round_trips_and_reports_out_of_range() {
        let t = jiff::Timestamp::from_nanosecond(-1_500_000_000).unwrap();
        let ts = Timestamp::from(t);
        assert_eq!((ts.secs(), ts.subsec_nanos()), (-2, 500_000_000));
        assert_eq!(jiff::Timestamp::try_from(ts), Ok(t));
        assert_eq!(Value::from(t), Value::Timestamp(ts));
        let far = Timestamp::from_secs(i64::MAX / 2);
        assert!(jiff::Timestamp::try_from(far).is_err());
    }
}
