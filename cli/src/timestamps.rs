//! Timestamps in a call's output as aws-cli v1 prints them: its `cli_timestamp_format` setting
//! (`awscli/customizations/scalarparse.py`), read from the profile's section of the config
//! files (no environment variable, no option), as aws-cli reads it for every command:
//!
//! - `wire` (documented) or `none` (kept for compatibility), the default: botocore's timestamp
//!   parser is the identity, so each timestamp is printed as the service sent it — the text of
//!   an XML element or header, a JSON number as a number. The core keeps them so
//!   (`TimestampParsing::Wire`, the API calls' clients'); nothing is done here.
//! - `iso8601`: botocore's `parse_timestamp` of that same wire value, printed with Python's
//!   `datetime.isoformat()`: the zone the text wrote (`+00:00` for `Z` or `GMT`), none when it
//!   wrote none, and epoch seconds in the local time zone (`TZ`), as botocore places them.
//! - anything else fails every command, as aws-cli's `ValueError` does.
//!
//! The high-level `s3` commands read their clients' timestamps parsed whatever the setting
//! (they compare times), and print them their own way, as aws-cli's do.

use chrono::{Local, Offset, TimeZone};
use sansboto_core::model::{ServiceModel, ShapeId, ShapeKind};
use sansboto_core::session::Session;
use sansboto_core::{TextZone, Timestamp, Value};

use crate::output::Failure;

/// The setting's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimestampFormat {
    /// `wire` or `none`: as sent.
    Wire,
    /// `iso8601`: Python's `isoformat()` of botocore's parse.
    Iso8601,
}

/// `cli_timestamp_format` of the selected profile (`--profile`, `AWS_DEFAULT_PROFILE`,
/// `AWS_PROFILE`, else `default`). A profile that does not exist reads as `wire`, as aws-cli
/// reads it; a value it does not know is its error, raised before the command runs.
pub(crate) fn configured(core: &Session) -> Result<TimestampFormat, Failure> {
    let profile = core.profile().unwrap_or("default");
    let Some(value) = core
        .shared_config()
        .profile(profile)
        .and_then(|section| section.get("cli_timestamp_format"))
    else {
        return Ok(TimestampFormat::Wire);
    };
    let text = match value.as_nested() {
        // A nested block is a dict to aws-cli, printed as Python prints one.
        Some(block) => {
            let items: Vec<String> = block.iter().map(|(k, v)| format!("'{k}': '{v}'")).collect();
            format!("{{{}}}", items.join(", "))
        }
        None => value.as_text().unwrap_or_default().to_string(),
    };
    match text.as_str() {
        "wire" | "none" => Ok(TimestampFormat::Wire),
        "iso8601" => Ok(TimestampFormat::Iso8601),
        other => Err(Failure::Raised(format!(
            "Unknown cli_timestamp_format value: {other}, valid values are \"none\", \"wire\" \
             or \"iso8601\""
        ))),
    }
}

/// Rewrite the timestamps of `value`, a result (or page, or aggregate of pages) of the shape
/// `shape`, as `format` prints them.
pub(crate) fn apply(
    format: TimestampFormat,
    model: &ServiceModel,
    shape: Option<ShapeId>,
    value: &mut Value,
) -> Result<(), Failure> {
    match (format, shape) {
        (TimestampFormat::Iso8601, Some(shape)) => to_iso8601(model, shape, value),
        _ => Ok(()),
    }
}

fn to_iso8601(model: &ServiceModel, shape: ShapeId, value: &mut Value) -> Result<(), Failure> {
    match (&model.shape(shape).kind, value) {
        (ShapeKind::Structure(s), Value::Map(map)) if !s.document => {
            for (name, member) in s.members.iter() {
                if let Some(v) = map.get_mut(name.as_str()) {
                    to_iso8601(model, member.shape, v)?;
                }
            }
            Ok(())
        }
        (ShapeKind::List(item), Value::List(items)) => items
            .iter_mut()
            .try_for_each(|v| to_iso8601(model, item.shape, v)),
        (ShapeKind::Map { value: item, .. }, Value::Map(map)) => map
            .values_mut()
            .try_for_each(|v| to_iso8601(model, item.shape, v)),
        (ShapeKind::Timestamp, v) => {
            if let Some(text) = isoformat(v)? {
                *v = Value::String(text.into());
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// `parse_timestamp(value).isoformat()` of one wire value; `None` for a value botocore's
/// identity parser never gives (a timestamp parsed already).
fn isoformat(value: &Value) -> Result<Option<String>, Failure> {
    let (t, zone) = match value {
        Value::Integer(_) | Value::Float(_) => (from_epoch(value)?, TextZone::Epoch),
        Value::String(text) => Timestamp::parse_any_zoned(text).map_err(|_| invalid(text))?,
        _ => return Ok(None),
    };
    let offset = match zone {
        TextZone::Offset(offset) => Some(offset),
        TextZone::Epoch => {
            let offset = local_offset(t);
            // Placed in the local zone past year 9999 (or before year 1): Python's
            // `OverflowError`, which botocore answers as it does every zone's failure.
            if !Timestamp::from_secs(t.secs() + i64::from(offset)).in_datetime_range() {
                return Err(unplaceable(value));
            }
            Some(offset)
        }
        _ => None,
    };
    let shifted =
        Timestamp::new(t.secs() + i64::from(offset.unwrap_or(0)), t.subsec_nanos()).unwrap_or(t);
    let (y, mo, d, h, mi, s) = shifted.to_civil();
    let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
    let micros = t.subsec_nanos() / 1000;
    if micros != 0 {
        out.push_str(&format!(".{micros:06}"));
    }
    if let Some(offset) = offset {
        let sign = if offset < 0 { '-' } else { '+' };
        let abs = offset.unsigned_abs();
        out.push_str(&format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60));
        if abs % 60 != 0 {
            out.push_str(&format!(":{:02}", abs % 60));
        }
    }
    Ok(Some(out))
}

/// Epoch seconds as Python's `datetime.fromtimestamp` reads them in botocore's
/// `parse_timestamp`, with the errors it ends with: a UTC year outside 1–9999 is a
/// `ValueError` naming it; seconds beyond the platform's `time_t` or `gmtime` (or infinite)
/// fail in every zone botocore tries, which it reports as a `RuntimeError`.
fn from_epoch(value: &Value) -> Result<Timestamp, Failure> {
    let secs = match *value {
        Value::Float(f) if f.is_nan() => {
            return Err(Failure::Raised("Invalid value NaN (not a number)".into()))
        }
        Value::Float(f) => match Timestamp::from_epoch_f64(f) {
            Some(t) => return Ok(t),
            // `time_t`'s range, 2^63 (the cast saturates beyond it, and at infinities).
            None if f.abs() < i64::MAX as f64 => f.floor() as i64,
            None => return Err(unplaceable(value)),
        },
        Value::Integer(secs) => secs,
        _ => return Err(unplaceable(value)),
    };
    let t = Timestamp::from_secs(secs);
    if t.in_datetime_range() {
        return Ok(t);
    }
    let year = t.to_civil().0;
    // glibc's `gmtime` holds the year less 1900 in an `int`.
    if year - 1900 > i64::from(i32::MAX) || year - 1900 < i64::from(i32::MIN) {
        return Err(unplaceable(value));
    }
    Err(Failure::Raised(format!("year {year} is out of range")))
}

/// botocore's `RuntimeError` when no time zone could place `value` (printed as Python's
/// `str` of the number).
fn unplaceable(value: &Value) -> Failure {
    let text = match *value {
        Value::Float(f) => crate::render::python_float(f),
        Value::Integer(i) => i.to_string(),
        _ => value.to_string(),
    };
    Failure::Raised(format!(
        "Unable to calculate correct timezone offset for \"{text}\""
    ))
}

/// The local zone's offset at `t` (Python's `tzlocal()`), in seconds east; UTC where the time
/// cannot be placed.
fn local_offset(t: Timestamp) -> i32 {
    chrono::DateTime::from_timestamp(t.secs(), 0)
        .map(|utc| {
            Local
                .offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc()
        })
        .unwrap_or(0)
}

/// What botocore's `parse_timestamp` raises for a value it cannot read (printed by aws-cli's
/// `main`, exit 255).
fn invalid(value: &str) -> Failure {
    Failure::Raised(format!(
        "Invalid timestamp \"{value}\": Unknown string format: {value}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raised(value: Value) -> String {
        match isoformat(&value) {
            Err(Failure::Raised(message)) => message,
            other => panic!("{value:?}: {other:?}"),
        }
    }

    /// What botocore 1.44.5's `parse_timestamp` raises for epoch seconds it cannot place
    /// (`parse_timestamp(v).isoformat()` run on each; the same in every zone within a day of
    /// UTC).
    #[test]
    fn epoch_seconds_out_of_range_fail_as_botocore_fails() {
        let cases = [
            (
                Value::Integer(1_000_000_000_000),
                "year 33658 is out of range",
            ),
            (
                Value::Integer(253_402_300_800),
                "year 10000 is out of range",
            ),
            (Value::Integer(-62_135_596_801), "year 0 is out of range"),
            (Value::Float(1e12), "year 33658 is out of range"),
            (
                Value::Float(253_402_300_800.0),
                "year 10000 is out of range",
            ),
            (Value::Float(f64::NAN), "Invalid value NaN (not a number)"),
            (
                Value::Integer(i64::MAX),
                "Unable to calculate correct timezone offset for \"9223372036854775807\"",
            ),
            (
                Value::Integer(i64::MIN),
                "Unable to calculate correct timezone offset for \"-9223372036854775808\"",
            ),
            (
                Value::Float(-1e20),
                "Unable to calculate correct timezone offset for \"-1e+20\"",
            ),
            (
                Value::Float(f64::INFINITY),
                "Unable to calculate correct timezone offset for \"inf\"",
            ),
        ];
        for (value, message) in cases {
            assert_eq!(raised(value.clone()), message, "{value:?}");
        }
        // In range, printed (its offset is the local zone's).
        let text = isoformat(&Value::Integer(1_796_556_692)).unwrap().unwrap();
        assert!(text.starts_with("2026-12-0"), "{text}");
    }
}
