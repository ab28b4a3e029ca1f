//! Timestamps as AWS protocols write them: epoch seconds, ISO 8601 and HTTP dates.
//!
//! The core never reads the clock; a [`Timestamp`] is a plain value (seconds and nanoseconds since
//! the Unix epoch, UTC). Calendar arithmetic and parsing are done here rather than through a date
//! crate because the protocols write a handful of fixed formats, and what must be read is what
//! botocore reads through dateutil (loose ISO 8601, HTTP dates, Python's `float`), which no date
//! crate reads the same way.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time: whole seconds since 1970-01-01T00:00:00Z plus nanoseconds (0..1e9).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

/// Why a string is not a timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {value:?}: expected {expected}")]
pub struct TimestampError {
    value: String,
    expected: &'static str,
}

impl TimestampError {
    fn new(value: &str, expected: &'static str) -> Self {
        TimestampError {
            value: value.chars().take(64).collect(),
            expected,
        }
    }
}

/// The first and last seconds of Python's `datetime` (0001-01-01T00:00:00Z,
/// 9999-12-31T23:59:59Z): botocore reads and writes every timestamp through it and refuses a
/// time outside, so sansboto's parsers refuse one too (and no arithmetic on a time overflows).
const FIRST_SECOND: i64 = -62_135_596_800;
const LAST_SECOND: i64 = 253_402_300_799;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

impl Timestamp {
    /// From whole seconds and nanoseconds; `None` when `nanos` is 1e9 or more.
    pub fn new(secs: i64, nanos: u32) -> Option<Self> {
        (nanos < 1_000_000_000).then_some(Timestamp { secs, nanos })
    }

    /// From whole seconds since the epoch.
    pub fn from_secs(secs: i64) -> Self {
        Timestamp { secs, nanos: 0 }
    }

    /// From fractional epoch seconds (as JSON and CBOR carry them), rounded to the microsecond
    /// the way botocore's datetime does (the fraction, half to even). `None` for NaN,
    /// infinities or a time outside years 1 to 9999 ([`Timestamp::in_datetime_range`]).
    pub fn from_epoch_f64(value: f64) -> Option<Self> {
        if !(FIRST_SECOND as f64..(LAST_SECOND + 1) as f64).contains(&value) {
            return None;
        }
        // As CPython's `fromtimestamp` rounds: the fraction alone (exact) to microseconds,
        // half to even; scaling the whole value would round once more.
        let whole = value.trunc();
        let mut micros = ((value - whole) * 1e6).round_ties_even() as i64;
        let mut secs = whole as i64;
        if micros >= 1_000_000 {
            (secs, micros) = (secs + 1, micros - 1_000_000);
        } else if micros < 0 {
            (secs, micros) = (secs - 1, micros + 1_000_000);
        }
        let nanos = (micros * 1000) as u32;
        // Rounding to the microsecond may carry the last second of year 9999 into 10000.
        Some(Timestamp { secs, nanos }).filter(Timestamp::in_datetime_range)
    }

    /// Whether the time falls in years 1 to 9999, the range of Python's `datetime`, which
    /// botocore reads every timestamp into: a time outside is one botocore refuses.
    pub fn in_datetime_range(&self) -> bool {
        (FIRST_SECOND..=LAST_SECOND).contains(&self.secs)
    }

    /// Whole seconds since the epoch (floor).
    pub fn secs(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds within the second.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Fractional epoch seconds.
    pub fn epoch_f64(&self) -> f64 {
        self.secs as f64 + self.nanos as f64 / 1e9
    }

    /// Convert a `SystemTime` given by the caller (the core never asks for "now").
    pub fn from_system_time(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Timestamp {
                secs: d.as_secs() as i64,
                nanos: d.subsec_nanos(),
            },
            Err(e) => {
                let d = e.duration();
                let mut secs = -(d.as_secs() as i64);
                let mut nanos = d.subsec_nanos();
                if nanos > 0 {
                    secs -= 1;
                    nanos = 1_000_000_000 - nanos;
                }
                Timestamp { secs, nanos }
            }
        }
    }

    /// As a `SystemTime`; a time the platform's clock cannot hold (any `i64` second fits on
    /// Linux, not on every platform) becomes the furthest one it can, in that direction.
    pub fn to_system_time(&self) -> SystemTime {
        if self.secs >= 0 {
            saturating_add(UNIX_EPOCH, Duration::new(self.secs as u64, self.nanos))
        } else {
            UNIX_EPOCH
                .checked_sub(Duration::from_secs(self.secs.unsigned_abs()))
                .map(|t| saturating_add(t, Duration::from_nanos(self.nanos as u64)))
                .or_else(|| UNIX_EPOCH.checked_sub(FAR))
                .unwrap_or(UNIX_EPOCH)
        }
    }

    /// Calendar fields (year, month 1-12, day, hour, minute, second) in UTC.
    pub fn to_civil(&self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, rem / 3600, rem / 60 % 60, rem % 60)
    }

    /// From calendar fields in UTC; `None` when a field is out of range. Years run from 1 to
    /// 9999 ([`Timestamp::in_datetime_range`]): a date outside is one botocore refuses (and one
    /// whose seconds could overflow).
    pub fn from_civil(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        min: u32,
        sec: u32,
    ) -> Option<Self> {
        if !(1..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
        {
            return None;
        }
        // A leap second (60) is accepted the way most parsers do: it rolls into the next minute.
        if hour > 23 || min > 59 || sec > 60 {
            return None;
        }
        let days = days_from_civil(year, month, day);
        Some(Timestamp::from_secs(
            days * 86_400 + (hour * 3600 + min * 60 + sec) as i64,
        ))
    }

    /// `2014-04-29T18:30:38Z`, with `.ffffff` (microseconds, trailing zeros kept to 3 or 6
    /// digits as needed) only when the time has a fraction.
    pub fn to_iso8601(&self) -> String {
        let (y, mo, d, h, mi, s) = self.to_civil();
        let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
        self.push_fraction(&mut out);
        out.push('Z');
        out
    }

    /// The compact basic form SigV4 uses: `20150830T123600Z`.
    pub fn to_amz_date(&self) -> String {
        self.amz_date_inline().into_string()
    }

    /// [`to_amz_date`](Self::to_amz_date), held inline: every signature stamps one, and its
    /// 16 bytes need no allocation of their own.
    pub(crate) fn amz_date_inline(&self) -> compact_str::CompactString {
        let (y, mo, d, h, mi, s) = self.to_civil();
        // Its digits written into place, not through `fmt`.
        let Some(year) = u32::try_from(y).ok().filter(|y| *y <= 9999) else {
            return compact_str::format_compact!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z");
        };
        let mut text = *b"00000000T000000Z";
        let fields = [
            (0, 4, year),
            (4, 2, mo),
            (6, 2, d),
            (9, 2, h),
            (11, 2, mi),
            (13, 2, s),
        ];
        for (at, width, value) in fields {
            let mut rest = value;
            for digit in text[at..at + width].iter_mut().rev() {
                *digit = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
        }
        compact_str::CompactString::from(std::str::from_utf8(&text).unwrap_or_default())
    }

    /// `Tue, 29 Apr 2014 18:30:38 GMT` (RFC 7231 IMF-fixdate; fractions are dropped, as HTTP
    /// dates have none).
    pub fn to_http_date(&self) -> String {
        let (y, mo, d, h, mi, s) = self.to_civil();
        let weekday = WEEKDAYS[self.secs.div_euclid(86_400).rem_euclid(7) as usize];
        let month = MONTHS[(mo - 1) as usize];
        format!("{weekday}, {d:02} {month} {y:04} {h:02}:{mi:02}:{s:02} GMT")
    }

    /// Epoch seconds as text: an integer when whole, otherwise up to millisecond... microsecond
    /// precision without trailing zeros (`1398796238.123`).
    pub fn to_epoch_string(&self) -> String {
        let mut out = self.secs.to_string();
        if self.nanos != 0 {
            let micros = self.nanos / 1000;
            let frac = format!("{micros:06}");
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
            if out.ends_with('.') {
                out.pop();
            }
        }
        out
    }

    fn push_fraction(&self, out: &mut String) {
        let micros = self.nanos / 1000;
        if micros == 0 {
            return;
        }
        if micros.is_multiple_of(1000) {
            out.push_str(&format!(".{:03}", micros / 1000));
        } else {
            out.push_str(&format!(".{micros:06}"));
        }
    }

    /// Parse any timestamp text AWS sends: ISO 8601 (with or without fraction, `Z` or an offset),
    /// an HTTP date, or epoch seconds.
    pub fn parse_any(value: &str) -> Result<Self, TimestampError> {
        // Nearly every timestamp in a response body has the one form S3 and the XML and
        // JSON protocols write; it is read without the general parser's trimming and trials.
        if let Some(t) = Self::parse_iso8601_utc(value.as_bytes()) {
            return Ok(t);
        }
        Self::parse_any_general(value)
    }

    /// [`parse_any`](Self::parse_any) without its fast path.
    fn parse_any_general(value: &str) -> Result<Self, TimestampError> {
        Self::parse_any_zoned(value).map(|(t, _)| t)
    }

    /// [`parse_any`](Self::parse_any), with how the text placed the time, which botocore's
    /// date parser keeps in its `datetime` (and Python's `isoformat` prints): a zone written
    /// (`Z`, `GMT`, `+02:00`), none (a local time, "naive" to Python), or epoch seconds
    /// (which botocore places in the local time zone). Where `parse_any` reads ISO 8601 with
    /// no zone as UTC, this says [`TextZone::Unwritten`].
    pub fn parse_any_zoned(value: &str) -> Result<(Self, TextZone), TimestampError> {
        let v = value.trim();
        // dateutil skips a comma as it skips a space, so a date between commas (a header sent
        // twice, once empty, is joined `date, ` or `, date`) is that date; epoch seconds are
        // Python's `float()` of the whole text, which takes no comma.
        let date = v.trim_matches(|c: char| c == ',' || c.is_whitespace());
        if let Ok(t) = Self::parse_iso8601_zoned(date) {
            return Ok(t);
        }
        if let Ok(t) = Self::parse_http_date_zoned(date) {
            return Ok(t);
        }
        // Python's `float` of the text, as botocore tries it (`1_000` is 1000).
        if let Some(t) = crate::config::py_float(v).and_then(Self::from_epoch_f64) {
            return Ok((t, TextZone::Epoch));
        }
        Err(TimestampError::new(
            value,
            "ISO 8601, HTTP date or epoch seconds",
        ))
    }

    /// The exact form `YYYY-MM-DDTHH:MM:SS[.f…]Z` (1 to 9 fraction digits), as
    /// [`parse_iso8601`](Self::parse_iso8601) reads it; `None` for any other text, including
    /// other forms that parser accepts, and for an impossible date or time.
    #[inline]
    fn parse_iso8601_utc(b: &[u8]) -> Option<Self> {
        if b.len() < 20 || b[b.len() - 1] != b'Z' {
            return None;
        }
        // Each digit position, checked and read; the separators are compared as they are.
        let d = |i: usize| -> Option<u32> {
            let v = b[i].wrapping_sub(b'0');
            (v < 10).then_some(v as u32)
        };
        let two = |i: usize| Some(d(i)? * 10 + d(i + 1)?);
        if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let year = two(0)? * 100 + two(2)?;
        let (month, day) = (two(5)?, two(8)?);
        let (hour, min, sec) = (two(11)?, two(14)?, two(17)?);
        let mut nanos = 0u32;
        match &b[19..b.len() - 1] {
            [] => {}
            [b'.', frac @ ..] if (1..=9).contains(&frac.len()) => {
                let mut scale = 100_000_000u32;
                for &c in frac {
                    let v = c.wrapping_sub(b'0');
                    if v >= 10 {
                        return None;
                    }
                    nanos += v as u32 * scale;
                    scale /= 10;
                }
            }
            _ => return None,
        }
        let t = Self::from_civil(year as i64, month, day, hour, min, sec)?;
        Some(Timestamp {
            secs: t.secs,
            nanos,
        })
    }

    /// Parse ISO 8601 / RFC 3339 as botocore's date parser (dateutil) reads it:
    /// `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`, where spaces may replace `T` or stand around it, a
    /// missing zone means UTC, missing seconds are zero, a comma may mark the fraction (as ISO
    /// 8601 allows), and the hour may stand alone (`2020-01-02T03Z`). Like dateutil, it also
    /// takes a month, day, hour, minute or second of one digit (`2020-1-2 3:04`), `/` between
    /// the date's parts, spaces before the zone, `UTC` or `GMT` for `Z`, and an offset of hours
    /// alone (`+02`). Also the basic form `YYYYMMDDTHHMMSS[.fff][Z|±HHMM]`, or a date alone,
    /// which is its midnight UTC (`2020-11-05` is `2020-11-05T00:00:00Z`). A fraction finer
    /// than nanoseconds is cut (dateutil cuts at microseconds as it reads; sansboto writes
    /// microseconds, so what is sent is the same).
    pub fn parse_iso8601(value: &str) -> Result<Self, TimestampError> {
        Self::parse_iso8601_zoned(value).map(|(t, _)| t)
    }

    /// [`parse_iso8601`](Self::parse_iso8601) with the zone the text wrote.
    fn parse_iso8601_zoned(value: &str) -> Result<(Self, TextZone), TimestampError> {
        const EXPECTED: &str = "ISO 8601 (YYYY-MM-DDTHH:MM[:SS[.fff]]Z, or YYYY-MM-DD)";
        let err = || TimestampError::new(value, EXPECTED);
        if let Some(extended) = Self::basic_to_extended(value.as_bytes()) {
            return Self::parse_iso8601_zoned(&extended).map_err(|_| err());
        }
        Self::parse_extended(value.as_bytes()).ok_or_else(err)
    }

    /// The extended form [`parse_iso8601`](Self::parse_iso8601) describes; `None` for any other
    /// text and for an impossible date or time.
    fn parse_extended(b: &[u8]) -> Option<(Self, TextZone)> {
        let mut text = Scan { b, at: 0 };
        let year = text.digits(4, 4)?;
        text.one_of(b"-/")?;
        let month = text.digits(1, 2)?;
        text.one_of(b"-/")?;
        let day = text.digits(1, 2)?;
        if text.rest().is_empty() {
            let t = Self::from_civil(year as i64, month, day, 0, 0, 0)?;
            return Some((t, TextZone::Unwritten));
        }
        let spaced = text.spaces();
        if text.one_of(b"Tt").is_none() && !spaced {
            return None;
        }
        text.spaces();
        if text.rest().is_empty() {
            // A date and its `T` with no time (`2020-01-02T`): midnight, as dateutil reads it.
            let t = Self::from_civil(year as i64, month, day, 0, 0, 0)?;
            return Some((t, TextZone::Unwritten));
        }
        let hour_at = text.at;
        let hour = text.digits(1, 2)?;
        let (mut min, mut sec, mut nanos) = (0, 0, 0);
        if text.one_of(b":").is_some() {
            min = text.digits(1, 2)?;
            if text.one_of(b":").is_some() {
                let sec_at = text.at;
                sec = text.digits(1, 2)?;
                let two_digits = text.at - sec_at == 2;
                // dateutil takes a comma for the fraction's mark only after two digits.
                let mark = text.one_of(if two_digits { b".," } else { b"." });
                if mark.is_some() {
                    nanos = text.fraction()?;
                }
            }
        } else if text.at - hour_at != 2 {
            // An hour alone has two digits (`T3Z` is no time to dateutil either).
            return None;
        }
        text.spaces();
        let zone = match text.rest() {
            [] => TextZone::Unwritten,
            [b'Z' | b'z'] | b"UTC" | b"GMT" => TextZone::Offset(0),
            zone => TextZone::Offset(zone_offset(zone)? as i32),
        };
        let offset_secs = match zone {
            TextZone::Offset(offset) => i64::from(offset),
            _ => 0,
        };
        let t = Self::from_civil(year as i64, month, day, hour, min, sec)?;
        // The offset may carry the time out of years 1 to 9999, where botocore's datetime
        // overflows.
        Some(Timestamp {
            secs: t.secs - offset_secs,
            nanos,
        })
        .filter(Timestamp::in_datetime_range)
        .map(|t| (t, zone))
    }

    /// ISO 8601's basic form, `YYYYMMDDTHHMMSS` and whatever follows (a fraction, a zone),
    /// written in the extended form [`parse_iso8601`](Self::parse_iso8601) reads, as botocore's
    /// date parser reads both; `None` for anything else.
    fn basic_to_extended(b: &[u8]) -> Option<String> {
        let (date, rest) = b.split_at_checked(8)?;
        let (time, rest) = rest.get(1..)?.split_at_checked(6)?;
        if !matches!(b[8], b'T' | b't') || !date.iter().chain(time).all(u8::is_ascii_digit) {
            return None;
        }
        // The digits are ASCII (checked above): each byte is its char.
        let mut extended = String::with_capacity(b.len() + 5);
        for (i, &digit) in date.iter().enumerate() {
            if i == 4 || i == 6 {
                extended.push('-');
            }
            extended.push(char::from(digit));
        }
        extended.push('T');
        for (i, &digit) in time.iter().enumerate() {
            if i == 2 || i == 4 {
                extended.push(':');
            }
            extended.push(char::from(digit));
        }
        extended.push_str(std::str::from_utf8(rest).ok()?);
        Some(extended)
    }

    /// Parse an HTTP date: IMF-fixdate (`Tue, 29 Apr 2014 18:30:38 GMT`), also without the
    /// weekday and with a fraction of a second, as some services send; with a numeric zone
    /// instead of `GMT` (RFC 822's `+0200`, or `+02:00`); or in C's `asctime` form
    /// (`Tue Apr 29 18:30:38 2014`, UTC), which HTTP recipients are to accept (RFC 9110
    /// section 5.6.7) and botocore's date parser reads; so is RFC 850's form, also to be
    /// accepted (`Sunday, 06-Nov-94 08:49:37 GMT`), and the same dashed date with a four-digit
    /// year, as cookies' `Expires` write it (`Wed, 21-Oct-2015 07:28:00 GMT`). As in RFC
    /// 822 dates, the seconds may be left out, and a numeric zone may be followed by its name
    /// in parentheses (`+0100 (CET)`; botocore's parser then takes `(GMT)` and `(UTC)` as
    /// UTC, whatever the number says).
    ///
    /// A year below 100 is read as botocore's date parser (dateutil) reads it: the year of
    /// that century within fifty years of now, so `94` is 1994, `70` is 2070 and `0001` is
    /// 2001 — except in a dashed date, where only one or two digits are (`06-Nov-0094` is the
    /// year 94). The core reads no clock, so "now" is 2026, the year of the pinned botocore:
    /// the window moves one year short of dateutil's each year after (a two-digit year is a
    /// last-century form).
    pub fn parse_http_date(value: &str) -> Result<Self, TimestampError> {
        Self::parse_http_date_zoned(value).map(|(t, _)| t)
    }

    /// [`parse_http_date`](Self::parse_http_date) with the zone the text wrote.
    fn parse_http_date_zoned(value: &str) -> Result<(Self, TextZone), TimestampError> {
        const EXPECTED: &str = "HTTP date (Tue, 29 Apr 2014 18:30:38 GMT)";
        let err = || TimestampError::new(value, EXPECTED);
        let mut v = value.trim();
        // A zone's name after its number (`+0100 (CET)`), as mail-style dates end: three to
        // five capitals, as dateutil takes a zone's name.
        let mut named_utc = false;
        if let Some((date, name)) = v.strip_suffix(')').and_then(|v| v.rsplit_once(" (")) {
            let numeric_zone = date.rsplit(' ').next().is_some_and(|zone| {
                matches!(zone.as_bytes(), [b'+' | b'-', digit, ..] if digit.is_ascii_digit())
            });
            if numeric_zone
                && (3..=5).contains(&name.len())
                && name.bytes().all(|b| b.is_ascii_uppercase())
            {
                v = date;
                named_utc = matches!(name, "GMT" | "UTC");
            }
        }
        let (v, weekday_named) = match v.split_once(',') {
            // A weekday's name, short or whole (RFC 850's `Sunday`), in any case, as dateutil
            // knows them; it is not checked against the date.
            Some((weekday, rest)) if is_weekday_name(weekday) => (rest.trim_start(), true),
            Some(_) => return Err(err()),
            None => (v, false),
        };
        let mut parts = v.split_ascii_whitespace();
        let month_of = |name: &str| {
            MONTHS
                .iter()
                .position(|m| m.eq_ignore_ascii_case(name))
                .map(|m| m as u32 + 1)
        };
        let asctime = !weekday_named
            && v.split_ascii_whitespace()
                .next()
                .is_some_and(|w| WEEKDAYS.iter().any(|d| d.eq_ignore_ascii_case(w)));
        let (day, month, year, time): (u32, u32, i64, &str) = if asctime {
            parts.next();
            let month = parts.next().and_then(month_of).ok_or_else(err)?;
            let day = parts.next().and_then(unsigned).ok_or_else(err)?;
            let time = parts.next().ok_or_else(err)?;
            let year = parts
                .next()
                .and_then(|y| http_year(y, false))
                .ok_or_else(err)?;
            (day, month, year, time)
        } else {
            let first = parts.next().ok_or_else(err)?;
            // RFC 850's `06-Nov-94`, or the day, month and year as words of their own.
            let mut dashed = first.splitn(3, '-');
            let (day, month, year, is_dashed) = match (dashed.next(), dashed.next(), dashed.next())
            {
                (Some(day), Some(month), Some(year)) => (day, Some(month), Some(year), true),
                _ => (first, parts.next(), parts.next(), false),
            };
            let day = unsigned(day).ok_or_else(err)?;
            let month = month.and_then(month_of).ok_or_else(err)?;
            let year = year.and_then(|y| http_year(y, is_dashed)).ok_or_else(err)?;
            (day, month, year, parts.next().ok_or_else(err)?)
        };
        let zone = match parts.next() {
            Some("GMT") | Some("UTC") | Some("Z") => TextZone::Offset(0),
            None => TextZone::Unwritten,
            Some(zone) => TextZone::Offset(zone_offset(zone.as_bytes()).ok_or_else(err)? as i32),
        };
        let zone = if named_utc { TextZone::Offset(0) } else { zone };
        let offset_secs = match zone {
            TextZone::Offset(offset) => i64::from(offset),
            _ => 0,
        };
        if parts.next().is_some() {
            return Err(err());
        }
        let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
        // RFC 822 makes the seconds optional.
        let mut hms = hms.split(':').map(unsigned);
        let (Some(Some(h)), Some(Some(m)), s, None) =
            (hms.next(), hms.next(), hms.next(), hms.next())
        else {
            return Err(err());
        };
        let s = match s {
            Some(s) => s.ok_or_else(err)?,
            None if frac.is_empty() => 0,
            None => return Err(err()),
        };
        let mut nanos = 0u32;
        if !frac.is_empty() {
            if !frac.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err());
            }
            let mut scale = 100_000_000u32;
            for d in frac.bytes().take(9) {
                nanos += (d - b'0') as u32 * scale;
                scale /= 10;
            }
        }
        let t = Self::from_civil(year, month, day, h, m, s).ok_or_else(err)?;
        let t = Timestamp {
            secs: t.secs - offset_secs,
            nanos,
        };
        Ok((t, zone))
    }
}

/// How a timestamp's text placed its time ([`Timestamp::parse_any_zoned`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextZone {
    /// A zone was written: seconds east of UTC (`Z`, `GMT` and `UTC` are 0).
    Offset(i32),
    /// No zone was written (the time is read as UTC; Python's is "naive").
    Unwritten,
    /// The text is epoch seconds.
    Epoch,
}

/// An HTTP date's year: one below 100 within fifty years of 2026 (in a dashed date, only when
/// written with one or two digits; see [`Timestamp::parse_http_date`]), any other as written.
fn http_year(word: &str, dashed: bool) -> Option<i64> {
    /// The year dateutil's window is taken around.
    const NOW: i64 = 2026;
    let year = i64::from(unsigned(word)?);
    let windowed = year < 100 && (!dashed || word.len() <= 2);
    if !windowed {
        return Some(year);
    }
    let year = NOW - NOW % 100 + year;
    Some(if year >= NOW + 50 { year - 100 } else { year })
}

impl Timestamp {
    /// A response's `Date` as botocore reads it for a retry's `ttl` (Python's `strptime` with
    /// `%a, %d %b %Y %H:%M:%S %Z`), narrower than [`parse_http_date`](Self::parse_http_date):
    /// a short weekday name and its comma, a day of one or two digits, a short month name, a
    /// four-digit year, hours, minutes and seconds of one or two digits each, and `GMT` or
    /// `UTC`, names in any case, words apart by any whitespace. `None` for any other form, as
    /// botocore then keeps the `ttl` it had. (Python's `%Z` also takes the names of the
    /// machine's own zone, which vary by machine; servers say `GMT`.)
    pub(crate) fn parse_date_header_for_ttl(value: &str) -> Option<Self> {
        let named = |names: &[&str], word: &str| names.iter().any(|n| n.eq_ignore_ascii_case(word));
        let number = |word: &str, digits: std::ops::RangeInclusive<usize>| {
            (digits.contains(&word.len()) && word.bytes().all(|b| b.is_ascii_digit()))
                .then(|| word.parse::<u32>().ok())
                .flatten()
        };
        if value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace) {
            return None;
        }
        let mut words = value.split_whitespace();
        if !named(&WEEKDAYS, words.next()?.strip_suffix(',')?) {
            return None;
        }
        let day = number(words.next()?, 1..=2)?;
        let month_name = words.next()?;
        let month = MONTHS
            .iter()
            .position(|m| m.eq_ignore_ascii_case(month_name))? as u32
            + 1;
        let year = number(words.next()?, 4..=4)?;
        let mut clock = words.next()?.split(':').map(|part| number(part, 1..=2));
        let (Some(Some(h)), Some(Some(m)), Some(Some(sec)), None) =
            (clock.next(), clock.next(), clock.next(), clock.next())
        else {
            return None;
        };
        if !named(&["GMT", "UTC"], words.next()?) || words.next().is_some() || sec > 59 {
            return None;
        }
        Self::from_civil(year.into(), month, day, h, m, sec)
    }
}

/// A numeric zone of an ISO 8601 time or an HTTP date, as dateutil reads one: `+HH:MM`,
/// `+H:MM`, `+HHMM`, or hours alone (`+HH`, `+H`), or the same with `-`; seconds east of UTC.
/// `None` for an offset of a day or more, which Python's `timezone` refuses.
fn zone_offset(zone: &[u8]) -> Option<i64> {
    let (sign, digits) = match zone.split_first()? {
        (b'+', rest) => (1, rest),
        (b'-', rest) => (-1, rest),
        _ => return None,
    };
    let (hours, minutes) = match digits.iter().position(|&c| c == b':') {
        Some(colon) => (&digits[..colon], &digits[colon + 1..]),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, &b"00"[..]),
    };
    // The widths first: they bound the numbers read below.
    if !matches!(hours.len(), 1 | 2) || minutes.len() != 2 {
        return None;
    }
    let number = |d: &[u8]| -> Option<i64> {
        d.iter().try_fold(0i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + (c - b'0') as i64)
        })
    };
    let offset = number(hours)? * 3600 + number(minutes)? * 60;
    (offset < 86_400).then_some(sign * offset)
}

/// A number written in ASCII digits only (no sign, which Rust's `parse` would take: dateutil
/// reads `+2014` after a time as a zone), at most nine of them.
fn unsigned(word: &str) -> Option<u32> {
    let digits = !word.is_empty() && word.len() <= 9 && word.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| word.parse().ok()).flatten()
}

/// `Tue` or `Tuesday` (any case), and the other days so.
fn is_weekday_name(word: &str) -> bool {
    const WHOLE: [&str; 7] = [
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
    ];
    WEEKDAYS
        .iter()
        .chain(&WHOLE)
        .any(|day| day.eq_ignore_ascii_case(word))
}

/// A cursor over ASCII text, for the timestamp grammars above.
struct Scan<'a> {
    b: &'a [u8],
    at: usize,
}

impl Scan<'_> {
    fn rest(&self) -> &[u8] {
        &self.b[self.at..]
    }

    /// A number of `min..=max` digits (as many as there are, up to `max`).
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let count = self
            .rest()
            .iter()
            .take(max)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if count < min || self.rest().get(count).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let n = self.rest()[..count]
            .iter()
            .fold(0u32, |n, &c| n * 10 + (c - b'0') as u32);
        self.at += count;
        Some(n)
    }

    /// One byte of `set`.
    fn one_of(&mut self, set: &[u8]) -> Option<u8> {
        let c = *self.rest().first().filter(|c| set.contains(c))?;
        self.at += 1;
        Some(c)
    }

    /// Skips spaces; whether there were any.
    fn spaces(&mut self) -> bool {
        let count = self.rest().iter().take_while(|&&c| c == b' ').count();
        self.at += count;
        count > 0
    }

    /// A fraction's digits (at least one) as nanoseconds; digits past the ninth are cut.
    fn fraction(&mut self) -> Option<u32> {
        let count = self
            .rest()
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if count == 0 {
            return None;
        }
        let mut nanos = 0u32;
        let mut scale = 100_000_000u32;
        for &c in &self.rest()[..count.min(9)] {
            nanos += (c - b'0') as u32 * scale;
            scale /= 10;
        }
        self.at += count;
        Some(nanos)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.to_iso8601())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso8601())
    }
}

impl From<SystemTime> for Timestamp {
    fn from(t: SystemTime) -> Self {
        Timestamp::from_system_time(t)
    }
}

/// Ten thousand years: "never", for a time the clock cannot hold.
const FAR: Duration = Duration::from_secs(10_000 * 365 * 86_400);

/// `t + d`, or ten thousand years after `t` when the clock cannot hold that (a cache period
/// or lifetime a server gave beyond any clock means "never expires", not a panic).
pub(crate) fn saturating_add(t: SystemTime, d: Duration) -> SystemTime {
    t.checked_add(d).or_else(|| t.checked_add(FAR)).unwrap_or(t)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

// Days since the epoch for a proleptic Gregorian date (Howard Hinnant's well-known algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zone_a_text_wrote_is_told() {
        let zone = |text: &str| Timestamp::parse_any_zoned(text).map(|(t, z)| (t.secs(), z));
        let noon = 1_796_556_691;
        assert_eq!(
            zone("2026-12-06T11:31:31Z"),
            Ok((noon, TextZone::Offset(0)))
        );
        assert_eq!(
            zone("2026-12-06T11:31:31.000Z"),
            Ok((noon, TextZone::Offset(0)))
        );
        assert_eq!(
            zone("2026-12-06T12:31:31+01:00"),
            Ok((noon, TextZone::Offset(3600)))
        );
        assert_eq!(zone("2026-12-06T11:31:31"), Ok((noon, TextZone::Unwritten)));
        assert_eq!(zone("20261206T113131Z"), Ok((noon, TextZone::Offset(0))));
        assert_eq!(
            zone("Sun, 06 Dec 2026 11:31:31 GMT"),
            Ok((noon, TextZone::Offset(0)))
        );
        assert_eq!(
            zone("Sun, 06 Dec 2026 06:31:31 -0500"),
            Ok((noon, TextZone::Offset(-18000)))
        );
        assert_eq!(
            zone("Sun Dec  6 11:31:31 2026"),
            Ok((noon, TextZone::Unwritten))
        );
        assert_eq!(zone("1796556691"), Ok((noon, TextZone::Epoch)));
        assert!(zone("yesterday").is_err());
    }

    #[test]
    fn a_date_header_is_read_for_ttl_as_pythons_strptime_reads_it() {
        // Each read as `datetime.strptime(text, '%a, %d %b %Y %H:%M:%S %Z')` reads it.
        let jan_2 = Timestamp::from_civil(2020, 1, 2, 3, 4, 5);
        for text in [
            "Thu, 02 Jan 2020 03:04:05 GMT",
            "thu, 2 jan 2020 3:4:5 gmt",
            "Thu,  02\tJan 2020 03:04:05 UTC",
            "Thu, 02 Jan 2020 03:04:05 utc",
            // strptime does not check the weekday against the date.
            "Mon, 02 Jan 2020 03:04:05 GMT",
        ] {
            assert_eq!(
                Timestamp::parse_date_header_for_ttl(text),
                jan_2,
                "{text:?}"
            );
        }
        for text in [
            "Thursday, 02 Jan 2020 03:04:05 GMT",
            "Thu, 02 January 2020 03:04:05 GMT",
            "Thu,02 Jan 2020 03:04:05 GMT",
            "Thu, 02 Jan 2020 03:04:05 Z",
            "Thu, 02 Jan 2020 03:04:05 EST",
            "Thu, 02 Jan 2020 03:04:05 +0000",
            "Thu, 02 Jan 2020 03:04:05.5 GMT",
            " Thu, 02 Jan 2020 03:04:05 GMT",
            "Thu, 02 Jan 2020 03:04:05 GMT ",
            "Thu, 31 Feb 2020 03:04:05 GMT",
            "Thu, 00 Jan 2020 03:04:05 GMT",
            "Thu, 02 Jan 0000 03:04:05 GMT",
            "Thu, 02 Jan 20 03:04:05 GMT",
            "Thu, 02 Jan 2020 03:04 GMT",
            "Thu, 002 Jan 2020 03:04:05 GMT",
            "Thu, 02 Jan 2020 24:04:05 GMT",
            "Thu, 02 Jan 2020 03:04:60 GMT",
            "Thu Jan  2 03:04:05 2020",
            "Thursday, 02-Jan-20 03:04:05 GMT",
        ] {
            assert_eq!(Timestamp::parse_date_header_for_ttl(text), None, "{text:?}");
        }
    }

    #[test]
    fn years_outside_pythons_datetime_are_refused() {
        // Once an overflow panic computing the seconds of year 999999999999 (debug builds) and
        // a wrong time (release); botocore refuses them (`ValueError`).
        for text in [
            "Mon, 01 Jan 999999999999 00:00:00 GMT",
            "01 Mar 9223372036854775807 00:00:00 GMT",
            "01 Jan -9223372036854775808 00:00:00 GMT",
            "Sat, 01 Jan 10000 00:00:00 GMT",
        ] {
            assert!(Timestamp::parse_http_date(text).is_err(), "{text}");
            assert!(Timestamp::parse_any(text).is_err(), "{text}");
        }
        assert!(Timestamp::parse_iso8601("0000-01-01T00:00:00Z").is_err());
        assert_eq!(Timestamp::from_civil(i64::MAX, 3, 1, 0, 0, 0), None);
        assert_eq!(Timestamp::from_civil(i64::MIN, 1, 1, 0, 0, 0), None);
        let last = Timestamp::from_civil(9999, 12, 31, 23, 59, 59).unwrap();
        assert_eq!(last.to_iso8601(), "9999-12-31T23:59:59Z");
        // (A dashed date: in the other forms botocore reads the year 0001 as 2001.)
        let first = Timestamp::parse_http_date("Mon, 01-Jan-0001 00:00:00 GMT").unwrap();
        assert_eq!(first.to_iso8601(), "0001-01-01T00:00:00Z");
        // Epoch seconds, as Python's `datetime.fromtimestamp` takes them: the same range.
        for (seconds, taken) in [
            (253_402_300_799.5, true),
            (253_402_300_799.999_999_9, false),
            (253_402_300_800.0, false),
            (-62_135_596_800.0, true),
            (-62_135_596_800.5, false),
            (1e14, false),
        ] {
            let t = Timestamp::from_epoch_f64(seconds);
            assert_eq!(t.is_some(), taken, "{seconds}");
            assert!(t.is_none_or(|t| t.in_datetime_range()), "{seconds}");
        }
    }

    #[test]
    fn rfc_850_dates_and_two_digit_years() {
        let iso = |text: &str| Timestamp::parse_http_date(text).map(|t| t.to_iso8601());
        let ok = |text: &str| iso(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(ok("Sunday, 06-Nov-94 08:49:37 GMT"), "1994-11-06T08:49:37Z");
        assert_eq!(ok("Wed, 21-Oct-2015 07:28:00 GMT"), "2015-10-21T07:28:00Z");
        assert_eq!(ok("Sun, 06 Nov 94 08:49:37 GMT"), "1994-11-06T08:49:37Z");
        assert_eq!(ok("Sun,06 Nov 1994 08:49 GMT"), "1994-11-06T08:49:00Z");
        assert_eq!(
            ok("Sun, 06 Nov 1994 08:49:37 +0100 (CET)"),
            "1994-11-06T07:49:37Z"
        );
        // botocore's parser takes the name GMT or UTC over the number.
        assert_eq!(
            ok("Sun, 06 Nov 1994 08:49:37 +0100 (GMT)"),
            "1994-11-06T08:49:37Z"
        );
        // The window around 2026: 00–75 in this century, 76–99 in the last.
        for (yy, year) in [
            ("00", 2000),
            ("26", 2026),
            ("75", 2075),
            ("76", 1976),
            ("99", 1999),
        ] {
            assert_eq!(http_year(yy, false), Some(year), "{yy}");
            assert_eq!(http_year(yy, true), Some(year), "{yy}");
        }
        // Any width below 100 too, but in a dashed date one or two digits only.
        assert_eq!(http_year("094", false), Some(1994));
        assert_eq!(http_year("0001", false), Some(2001));
        assert_eq!(http_year("9", true), Some(2009));
        assert_eq!(http_year("094", true), Some(94));
        assert_eq!(http_year("100", false), Some(100));
        // A sign is no digit (dateutil refuses `06 Nov +9`).
        assert_eq!(http_year("+9", false), None);
        assert_eq!(ok("06-Nov-0094 08:49:37 GMT"), "0094-11-06T08:49:37Z");
        assert_eq!(ok("06 Nov 0 08:49:37 GMT"), "2000-11-06T08:49:37Z");
        for text in [
            "Sunday, 06-Nov 08:49:37 GMT",
            "Sunday, 06-Xyz-94 08:49:37 GMT",
            "Sunday, 06-Nov-94-1 08:49:37 GMT",
            "Sunday, 06-Nov-94 08 GMT",
            "Sun, 06 Nov 1994 08:49.5 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT (unclosed",
            // A name only after a number, and only a zone's.
            "Sun, 06 Nov 1994 08:49:37 GMT (x)",
            "Sun, 06 Nov 1994 08:49:37 GMT (GMT)",
            "Sun, 06 Nov 1994 08:49:37 (UTC)",
            "Sun, 06 Nov 1994 08:49:37 +0100 (Central European Time)",
            "Sun, 06 Nov 1994 08:49:37 +0100 (utc)",
        ] {
            assert!(iso(text).is_err(), "{text}");
        }
    }

    #[test]
    fn formats_round_trip() {
        let t = Timestamp::from_secs(1_398_796_238);
        assert_eq!(t.to_iso8601(), "2014-04-29T18:30:38Z");
        assert_eq!(t.to_http_date(), "Tue, 29 Apr 2014 18:30:38 GMT");
        assert_eq!(t.to_amz_date(), "20140429T183038Z");
        // Written digit by digit: the same text `format!` gives, padding and wide years included.
        for secs in [
            0,
            59,
            951_782_400,
            253_402_300_799,
            253_402_300_800,
            -62_135_596_801,
            -70_000_000_000,
        ] {
            let t = Timestamp::from_secs(secs);
            let (y, mo, d, h, mi, s) = t.to_civil();
            let expected = format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z");
            assert_eq!(t.to_amz_date(), expected, "{secs}");
        }
        assert_eq!(Timestamp::parse_iso8601("2014-04-29T18:30:38Z"), Ok(t));
        assert_eq!(
            Timestamp::parse_http_date("Tue, 29 Apr 2014 18:30:38 GMT"),
            Ok(t)
        );
        assert_eq!(Timestamp::parse_any("1398796238"), Ok(t));
    }

    #[test]
    fn fractions_and_offsets() {
        let t = Timestamp::parse_iso8601("2014-04-29T18:30:38.123+01:00").unwrap();
        assert_eq!(t.secs(), 1_398_796_238 - 3600);
        assert_eq!(t.subsec_nanos(), 123_000_000);
        assert_eq!(t.to_iso8601(), "2014-04-29T17:30:38.123Z");
        assert_eq!(
            Timestamp::from_epoch_f64(1.5).unwrap().to_epoch_string(),
            "1.5"
        );
        assert_eq!(Timestamp::from_epoch_f64(-1.5).unwrap().secs(), -2);
    }

    #[test]
    fn seconds_may_be_left_out_as_botocore_allows() {
        // botocore's dateutil reads `2016-09-27T15:50Z` (an example in its WAF documentation).
        let t = Timestamp::parse_iso8601("2016-09-27T15:50Z").unwrap();
        assert_eq!(t, Timestamp::from_secs(1_474_991_400));
        assert_eq!(Timestamp::parse_any("2016-09-27T15:50"), Ok(t));
        assert_eq!(Timestamp::parse_iso8601("2016-09-27T16:50+01:00"), Ok(t));
        for bad in [
            "2016-09-27T15:50.5Z",
            "2016-09-27T15:50:",
            "2016-09-27T15:50Q",
        ] {
            assert!(Timestamp::parse_iso8601(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn iso_8601_as_dateutil_loosens_it() {
        // Each as botocore 1.44.5's `parse_to_aware_datetime` reads it.
        let at = |secs| Ok(Timestamp::from_secs(secs));
        for (text, secs) in [
            ("2020-01-02T03:04:05 Z", 1_577_934_245),
            ("2020-01-02T03:04:05  z", 1_577_934_245),
            ("2020-01-02 03:04:05 UTC", 1_577_934_245),
            ("2020-01-02T03:04:05GMT", 1_577_934_245),
            ("2020-01-02  03:04:05", 1_577_934_245),
            ("2020-01-02T3:4:5Z", 1_577_934_245),
            ("2020-1-02T03:04:05Z", 1_577_934_245),
            ("2020-01-02T03Z", 1_577_934_000),
            ("2020-01-02T03", 1_577_934_000),
            ("2020-1-2", 1_577_923_200),
            ("2020/01/02", 1_577_923_200),
            ("2020/1/2 3:04", 1_577_934_240),
            ("2020-01-02T03:04:05+02", 1_577_927_045),
            ("2020-01-02T03:04:05 +02:00", 1_577_927_045),
            ("2020-01-02T03:04:05+2:00", 1_577_927_045),
            ("2020-01-02T03:04:05-03", 1_577_945_045),
            ("2020-01-02T03:04:05 -0000", 1_577_934_245),
        ] {
            assert_eq!(Timestamp::parse_any(text), at(secs), "{text}");
        }
        let t = Timestamp::parse_any("2020-01-02T03:04:05.5 +02:00").unwrap();
        assert_eq!((t.secs(), t.subsec_nanos()), (1_577_927_045, 500_000_000));
        // What dateutil refuses too.
        // A weekday that is no weekday's name (dateutil reads `4Tue` as the year 2004).
        for bad in [
            "4Tue, 29 Apr 2014 18:30:38 GMT",
            "Tu, 29 Apr 2014 18:30:38 GMT",
            "TTue, 29 Apr 2014 18:30:38 GMT",
        ] {
            assert!(Timestamp::parse_any(bad).is_err(), "{bad}");
        }
        assert!(Timestamp::parse_any("tuesday, 29 Apr 2014 18:30:38 GMT").is_ok());
        // Signs are no digits: botocore reads neither as this date.
        assert!(Timestamp::parse_any("Tue Apr 29 18:30:38 +2014").is_err());
        assert!(Timestamp::parse_any("Tue, 29 Apr 2014 18:+30:38 GMT").is_err());
        // Each as botocore reads it, too.
        assert_eq!(Timestamp::parse_any("2020-01-02T 03:04"), at(1_577_934_240));
        assert_eq!(Timestamp::parse_any("1_000"), at(1000));
        let t = Timestamp::parse_any("1049806868.59840043").unwrap();
        assert_eq!((t.secs(), t.subsec_nanos()), (1_049_806_868, 598_400_000));
        assert_eq!(
            Timestamp::parse_any("-1.5").map(|t| (t.secs(), t.subsec_nanos())),
            Ok((-2, 500_000_000))
        );
        for bad in [
            "2020-01-02T03:04:05+99999999999999999999",
            "2020-01-02T03:04:05+02:9999999999999999999",
            "Tue, 29 Apr 2014 18:30:38 +99999999999999999999",
            "2020-01-02T03:04:05+21:",
            "Tue, 29 Apr 2014 18:30:38 +02:",
            "2020-01-31 17:35:9,1 UTC",
            "2020-01-02T03:04:05+23:99",
            "2020-01-02T03:04:05+2399",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "2020-01-02T3Z",
            "2020-01-02 3",
            "2020-01-02T03:04:05.Z",
            "2020-001-02",
            "2020-01-02T03:04:05 utc",
            "2020-01-02T03:04:05+24:00",
            "2020-01-02T03:04:05+02:30:00",
            "2020-01-02T03:04:05 Zulu",
        ] {
            assert!(Timestamp::parse_any(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_sub_microsecond_fraction_is_not_written() {
        // botocore keeps microseconds: 100 ns is a whole second to it.
        let t = Timestamp::parse_iso8601("2020-01-02T03:04:05.0000001Z").unwrap();
        assert_eq!(t.to_iso8601(), "2020-01-02T03:04:05Z");
    }

    #[test]
    fn a_date_alone_is_its_midnight_utc() {
        let t = Timestamp::parse_iso8601("2020-11-05").unwrap();
        assert_eq!(t.to_iso8601(), "2020-11-05T00:00:00Z");
        assert_eq!(Timestamp::parse_any("2020-11-05"), Ok(t));
        assert_eq!(
            Timestamp::parse_any("2020-11-05"),
            Ok(Timestamp::from_secs(1_604_534_400))
        );
        // Its `T` with no time after it, as dateutil reads it; a zone without a time is no
        // date to dateutil.
        for with_t in ["2020-11-05T", "2020-11-05 t", "2020-11-05 T \t"] {
            assert_eq!(Timestamp::parse_any(with_t), Ok(t), "{with_t:?}");
        }
        // Commas after a date are skipped as dateutil skips them; after epoch seconds they are
        // no number to Python's `float()`.
        for with_commas in [
            "2020-11-05,",
            "2020-11-05T00:00:00Z, ",
            "Thu, 05 Nov 2020 00:00:00 GMT,, ",
            " , Thu, 05 Nov 2020 00:00:00 GMT",
        ] {
            assert_eq!(Timestamp::parse_any(with_commas), Ok(t), "{with_commas:?}");
        }
        assert!(Timestamp::parse_any("1604534400,").is_err());
        assert!(Timestamp::parse_any(", 1604534400").is_err());
        for bad in [
            "2020-13-05",
            "2020-02-30",
            "2020-1-105",
            "２020-11-05",
            "2020-11-05TZ",
            "2020-11-05T Z",
            "2020-11-05TT",
        ] {
            assert!(Timestamp::parse_any(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [
            "",
            "2014-13-01T00:00:00Z",
            "2014-02-30T00:00:00Z",
            "x",
            "Tue, 99 Foo 2014",
            "2014-04-29T18:30:38.Z",
            "é2014-04-29T18:30:38Z",
        ] {
            assert!(Timestamp::parse_any(bad).is_err(), "{bad}");
        }
        assert!(Timestamp::from_epoch_f64(f64::NAN).is_none());
    }

    /// The fast path reads exactly what the general parser reads, over well-formed timestamps
    /// of many dates and fractions and over each of their characters replaced by others.
    #[test]
    fn the_utc_fast_path_agrees_with_the_general_parser() {
        let mut texts: Vec<String> = Vec::new();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..3000 {
            let (y, mo, d) = (next(10_000), next(14), next(33));
            let (h, mi, s) = (next(26), next(62), next(63));
            let base = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            let digits = next(12) as usize;
            let frac: String = (0..digits)
                .map(|_| char::from(b'0' + next(10) as u8))
                .collect();
            texts.push(format!("{base}Z"));
            texts.push(format!("{base}.{frac}Z"));
            texts.push(format!("{base}.{frac}"));
        }
        for good in [
            "2024-01-31T12:59:60.000Z",
            "2024-02-29T23:59:59.999999999Z",
            "2023-02-29T00:00:00Z",
            "2000-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.1234567891Z",
        ] {
            texts.push(good.to_string());
        }
        // Every position of a few well-formed ones replaced by characters of every kind.
        let odd = [
            'a', 'Z', 'z', 'T', 't', ' ', '.', ':', '-', '+', '/', '0', '9', '\u{e9}', '\u{ff10}',
        ];
        for sample in ["2014-04-29T18:30:38Z", "2014-04-29T18:30:38.123Z"] {
            for i in 0..sample.len() {
                for c in odd {
                    let mut t = sample[..i].to_string();
                    t.push(c);
                    t.push_str(&sample[i + 1..]);
                    texts.push(t);
                    texts.push(format!("{}{}", &sample[..i], &sample[i + 1..]));
                }
            }
            texts.push(format!(" {sample}"));
            texts.push(format!("{sample} "));
            texts.push(format!("{sample}Z"));
        }
        let mut fast = 0;
        for text in &texts {
            let quick = Timestamp::parse_iso8601_utc(text.as_bytes());
            if let Some(t) = quick {
                fast += 1;
                assert_eq!(Timestamp::parse_iso8601(text), Ok(t), "{text}");
            }
            assert_eq!(
                Timestamp::parse_any(text),
                Timestamp::parse_any_general(text),
                "{text}"
            );
        }
        // Both paths were exercised.
        assert!(
            fast > 1000 && fast < texts.len() / 2,
            "{fast} of {}",
            texts.len()
        );
    }

    #[test]
    fn civil_round_trip_over_centuries() {
        for days in (-800_000i64..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
