//! Reading parameter values as the kinds their shapes need, and the text forms of scalars
//! botocore writes: Python-style floats, botocore-precision timestamps, base64, and
//! percent-encoding of labels and query strings. Wrong kinds become [`SerializeError`]s naming
//! the parameter path, unless the call was not validated ([`WrongKinds`]).

use std::fmt;

use base64::Engine as _;

use super::{Path, SerializeError};
use crate::encoding::push_percent_encoded;
use crate::model::{ShapeKind, TimestampFormat};
use crate::time::Timestamp;
use crate::value::{non_finite_name, Map, Value};

pub(crate) fn invalid_type(path: &Path<'_>, expected: &'static str, got: &Value) -> SerializeError {
    match got {
        Value::Stream(_) => SerializeError::UnexpectedStream {
            path: path.to_string(),
        },
        _ => SerializeError::InvalidType {
            path: path.to_string(),
            expected,
            got: got.kind(),
        },
    }
}

pub(crate) fn expect_str<'v>(value: &'v Value, path: &Path<'_>) -> Result<&'v str, SerializeError> {
    value
        .as_str()
        .ok_or_else(|| invalid_type(path, "string", value))
}

pub(crate) fn expect_bool(value: &Value, path: &Path<'_>) -> Result<bool, SerializeError> {
    value
        .as_bool()
        .ok_or_else(|| invalid_type(path, "boolean", value))
}

pub(crate) fn expect_int(value: &Value, path: &Path<'_>) -> Result<i64, SerializeError> {
    value
        .as_i64()
        .ok_or_else(|| invalid_type(path, "integer", value))
}

pub(crate) fn expect_map<'v>(value: &'v Value, path: &Path<'_>) -> Result<&'v Map, SerializeError> {
    value
        .as_map()
        .ok_or_else(|| invalid_type(path, "structure or map", value))
}

pub(crate) fn expect_list<'v>(
    value: &'v Value,
    path: &Path<'_>,
) -> Result<&'v [Value], SerializeError> {
    value
        .as_list()
        .ok_or_else(|| invalid_type(path, "list", value))
}

/// Blob bytes: a blob, or a string as its UTF-8 bytes (as botocore accepts).
pub(crate) fn expect_blob<'v>(
    value: &'v Value,
    path: &Path<'_>,
) -> Result<&'v [u8], SerializeError> {
    match value {
        Value::Blob(b) => Ok(b),
        Value::String(s) => Ok(s.as_bytes()),
        other => Err(invalid_type(path, "blob or string", other)),
    }
}

/// What a serializer makes of a scalar parameter of the wrong kind (a number for a string,
/// text for a number). Validation refuses them before a call is serialized; with
/// `parameter_validation` off they reach the serializer, and botocore's writes them as Python
/// prints them, so the client's serializing does too ([`push_python_text`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WrongKinds {
    /// Refused with [`SerializeError::InvalidType`].
    Refuse,
    /// Written as botocore writes them in a query or XML body.
    InBody,
    /// Written as botocore writes them in a URI, a query string or a header.
    InBinding,
}

impl WrongKinds {
    /// How a call that was (`validated`) or was not validated writes them in a body.
    pub(crate) fn body(validated: bool) -> Self {
        if validated {
            WrongKinds::Refuse
        } else {
            WrongKinds::InBody
        }
    }

    /// How a call that was (`validated`) or was not validated writes them in a URI, a query
    /// string or a header.
    pub(crate) fn binding(validated: bool) -> Self {
        if validated {
            WrongKinds::Refuse
        } else {
            WrongKinds::InBinding
        }
    }
}

/// A scalar of the wrong kind for its (scalar) shape, as botocore's serializers write it:
/// Python's `str()` of the value (`5`, `1.5`, `True`, the text itself); for a boolean member,
/// in a body the value's truth (`_serialize_type_boolean`), elsewhere its `str().lower()`
/// (`_get_uri_and_query_string_value`, `_convert_header_value`); a boolean in a body takes the
/// truth of a list, map, blob or timestamp too. `false`, writing nothing, for what botocore
/// fails on too or would write as a Python repr: text for a float, and elsewhere timestamps,
/// blobs, lists and maps, given for a scalar or given a scalar.
pub(crate) fn push_python_text(
    kind: &ShapeKind,
    value: &Value,
    place: WrongKinds,
    out: &mut String,
) -> bool {
    if !kind.is_plain_scalar() || place == WrongKinds::Refuse {
        return false;
    }
    if matches!(kind, ShapeKind::Boolean) && place == WrongKinds::InBody {
        let truth = match value.untagged() {
            Value::String(s) => !s.is_empty(),
            Value::Integer(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Bool(b) => *b,
            // Python's truth of a list, dict, bytes or datetime.
            Value::List(items) => !items.is_empty(),
            Value::Map(entries) => !entries.is_empty(),
            Value::Blob(bytes) => !bytes.is_empty(),
            Value::Timestamp(_) => true,
            _ => return false,
        };
        out.push_str(if truth { "true" } else { "false" });
        return true;
    }
    let start = out.len();
    match value.untagged() {
        // `_handle_float` fails on text (`math.isnan`).
        Value::String(_) if kind.is_float() => return false,
        Value::String(s) => out.push_str(s),
        Value::Integer(i) => push_int(out, *i),
        // Python's `str()` of a float is its repr, with `nan`, `inf` and `-inf`.
        Value::Float(f) if f.is_nan() => out.push_str("nan"),
        Value::Float(f) if f.is_infinite() => out.push_str(if *f > 0.0 { "inf" } else { "-inf" }),
        Value::Float(f) => push_float(out, *f),
        Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        _ => return false,
    }
    if matches!(kind, ShapeKind::Boolean) {
        // ASCII only, where Python lowers all of Unicode: a header carries no other text, and
        // a boolean given non-ASCII text for a URI or query string is not worth the tables.
        out[start..].make_ascii_lowercase();
    }
    true
}

/// A float given for an integer shape in a call that was not validated: written as the float
/// it is, as botocore writes it.
pub(crate) fn float_for_integer(kind: &ShapeKind, value: &Value, wrong: WrongKinds) -> bool {
    // A validated call may give a whole float for an integer (`5.0`, written `5`); botocore,
    // not validating, writes it as the float it is (`5.0`).
    wrong != WrongKinds::Refuse && kind.is_integer() && matches!(value.untagged(), Value::Float(_))
}

/// A number as given: integers stay integers (botocore writes `1`, not `1.0`, for an int).
#[derive(Clone, Copy)]
pub(crate) enum Number {
    Int(i64),
    Float(f64),
}

/// A float or double member: a number, or the spellings `"NaN"`, `"Infinity"`, `"-Infinity"`
/// the protocol tests (and JSON callers) use for non-finite values.
pub(crate) fn expect_number(value: &Value, path: &Path<'_>) -> Result<Number, SerializeError> {
    match value {
        Value::Integer(i) => Ok(Number::Int(*i)),
        Value::Float(f) => Ok(Number::Float(*f)),
        Value::String(s) => crate::value::non_finite_from_name(s)
            .map(Number::Float)
            .ok_or_else(|| invalid_type(path, "number", value)),
        other => Err(invalid_type(path, "number", other)),
    }
}

/// A timestamp member: a timestamp, an ISO 8601 (or HTTP date, or epoch) string, or epoch
/// seconds as a number.
pub(crate) fn expect_timestamp(
    value: &Value,
    path: &Path<'_>,
) -> Result<Timestamp, SerializeError> {
    let bad = |reason: String| SerializeError::InvalidTimestamp {
        path: path.to_string(),
        reason,
    };
    match value {
        Value::Timestamp(t) => Ok(*t),
        Value::Integer(i) => Some(Timestamp::from_secs(*i))
            .filter(Timestamp::in_datetime_range)
            .ok_or_else(|| bad(format!("{i} is not a valid epoch"))),
        Value::Float(f) => {
            Timestamp::from_epoch_f64(*f).ok_or_else(|| bad(format!("{f} is not a valid epoch")))
        }
        Value::String(s) => Timestamp::parse_any(s).map_err(|e| bad(e.to_string())),
        other => Err(invalid_type(path, "timestamp", other)),
    }
}

// ---------------------------------------------------------------------------------------------
// Text forms of scalars

/// A float as Python's `repr` writes it (`1.0`, `1e+16`, `1.5e-05`), or `NaN`/`Infinity`/
/// `-Infinity`: the text botocore puts in query strings, headers, URIs and XML.
pub(crate) fn push_float(out: &mut String, f: f64) {
    if !f.is_finite() {
        out.push_str(non_finite_name(f));
        return;
    }
    if f == 0.0 {
        out.push_str(if f.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    // `{:e}` gives the shortest digits that round-trip, as Python's repr does.
    let sci = format!("{f:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if negative {
        out.push('-');
    }
    if (-4..16).contains(&exponent) {
        if exponent >= 0 {
            let int_len = exponent as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exponent - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        let abs = exponent.unsigned_abs();
        if abs < 10 {
            out.push('0');
        }
        out.push_str(&abs.to_string());
    }
}

pub(crate) fn push_number(out: &mut String, n: Number) {
    match n {
        Number::Int(i) => push_int(out, i),
        Number::Float(f) => push_float(out, f),
    }
}

/// `i` in decimal. Digit by digit rather than through `fmt`, whose machinery cost a few hundred
/// instructions a number: every call writes some (an attempt header, JSON integers).
pub(crate) fn push_int(out: &mut String, i: i64) {
    if i < 0 {
        out.push('-');
    }
    let mut n = i.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Decimal digits are ASCII, so this always succeeds.
    if let Ok(text) = std::str::from_utf8(&digits[start..]) {
        out.push_str(text);
    }
}

pub(crate) fn push_base64(out: &mut String, bytes: &[u8]) {
    base64::engine::general_purpose::STANDARD.encode_string(bytes, out);
}

/// A timestamp in `format`, at botocore's default precision: ISO 8601 with `.ffffff`
/// microseconds when there is a fraction, epoch seconds as an integer or a float with the
/// microseconds, HTTP dates in whole seconds.
pub(crate) fn push_timestamp(out: &mut String, t: Timestamp, format: TimestampFormat) {
    use fmt::Write as _;
    let micros = t.subsec_nanos() / 1000;
    match format {
        TimestampFormat::Iso8601 => {
            let (y, mo, d, h, mi, s) = t.to_civil();
            let _ = write!(out, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            if micros > 0 {
                let _ = write!(out, ".{micros:06}");
            }
            out.push('Z');
        }
        TimestampFormat::Rfc822 => out.push_str(&t.to_http_date()),
        TimestampFormat::UnixTimestamp => match epoch_number(t) {
            Number::Int(i) => push_int(out, i),
            Number::Float(f) => push_float(out, f),
        },
    }
}

/// Epoch seconds as botocore computes them: whole seconds, or `(secs·10⁶ + µs) / 10⁶` rounded
/// once when there are microseconds.
pub(crate) fn epoch_number(t: Timestamp) -> Number {
    let micros = t.subsec_nanos() / 1000;
    if micros == 0 {
        Number::Int(t.secs())
    } else {
        Number::Float((t.secs() as f64 * 1e6 + micros as f64) / 1e6)
    }
}

// ---------------------------------------------------------------------------------------------
// Percent-encoding (botocore's `percent_encode`: everything but unreserved characters)

/// Labels and query strings keep RFC 3986 unreserved characters only.
pub(crate) fn percent_encode_into(out: &mut String, text: &str) {
    push_percent_encoded(out, text.as_bytes(), b"");
}

/// A greedy label (`{Key+}`) also keeps its slashes.
pub(crate) fn percent_encode_greedy_into(out: &mut String, text: &str) {
    push_percent_encoded(out, text.as_bytes(), b"/");
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    /// Each text is what botocore 1.44.5 writes with `parameter_validation` off (compared on
    /// the wire in `tests/tests/botocore_request_settings.rs`).
    #[test]
    fn wrong_kinds_are_written_as_python_prints_them() {
        let text = |kind: ShapeKind, value: Value, place| {
            let mut out = String::from("=");
            push_python_text(&kind, &value, place, &mut out).then_some(out)
        };
        let body = WrongKinds::InBody;
        let binding = WrongKinds::InBinding;
        assert_eq!(text(ShapeKind::String, 5.into(), body).unwrap(), "=5");
        assert_eq!(
            text(ShapeKind::String, true.into(), binding).unwrap(),
            "=True"
        );
        assert_eq!(text(ShapeKind::String, 1.5.into(), body).unwrap(), "=1.5");
        assert_eq!(
            text(ShapeKind::String, f64::NAN.into(), body).unwrap(),
            "=nan"
        );
        assert_eq!(text(ShapeKind::Integer, "12".into(), body).unwrap(), "=12");
        assert_eq!(text(ShapeKind::Integer, 5.0.into(), body).unwrap(), "=5.0");
        // A boolean member: its truth in a body, its `str().lower()` elsewhere.
        assert_eq!(
            text(ShapeKind::Boolean, "no".into(), body).unwrap(),
            "=true"
        );
        assert_eq!(text(ShapeKind::Boolean, "".into(), body).unwrap(), "=false");
        assert_eq!(text(ShapeKind::Boolean, 0.into(), body).unwrap(), "=false");
        assert_eq!(
            text(ShapeKind::Boolean, "No".into(), binding).unwrap(),
            "=no"
        );
        assert_eq!(text(ShapeKind::Boolean, 2.into(), binding).unwrap(), "=2");
        // In a body, the truth of what is no scalar; elsewhere it is refused.
        assert_eq!(
            text(ShapeKind::Boolean, Value::List(vec![]), body).unwrap(),
            "=false"
        );
        assert_eq!(
            text(ShapeKind::Boolean, Value::List(vec![1.into()]), body).unwrap(),
            "=true"
        );
        assert_eq!(
            text(ShapeKind::Boolean, Value::Map(Map::default()), body).unwrap(),
            "=false"
        );
        assert_eq!(
            text(
                ShapeKind::Boolean,
                Value::Blob(Bytes::from_static(b"x")),
                body
            )
            .unwrap(),
            "=true"
        );
        assert_eq!(
            text(
                ShapeKind::Boolean,
                Value::Timestamp(Timestamp::from_secs(0)),
                body
            )
            .unwrap(),
            "=true"
        );
        assert_eq!(text(ShapeKind::Boolean, Value::List(vec![]), binding), None);
        // Refused: text for a float (`_handle_float` fails on it), what is not a scalar on
        // either side, and anything when validated.
        assert_eq!(text(ShapeKind::Double, "7".into(), body), None);
        assert_eq!(text(ShapeKind::Double, true.into(), body).unwrap(), "=True");
        assert_eq!(text(ShapeKind::Timestamp, 5.into(), body), None);
        assert_eq!(text(ShapeKind::Blob, 5.into(), body), None);
        assert_eq!(text(ShapeKind::String, Value::List(vec![]), body), None);
        assert_eq!(text(ShapeKind::String, 5.into(), WrongKinds::Refuse), None);
    }

    fn float_text(f: f64) -> String {
        let mut s = String::new();
        push_float(&mut s, f);
        s
    }

    #[test]
    fn integers_print_as_to_string_does() {
        for i in [
            0,
            7,
            -7,
            10,
            -10,
            1234567890,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            let mut s = String::from("x");
            push_int(&mut s, i);
            assert_eq!(s, format!("x{i}"));
        }
    }

    #[test]
    fn floats_print_like_python_repr() {
        for (f, want) in [
            (1.0, "1.0"),
            (1.5, "1.5"),
            (-0.0, "-0.0"),
            (1234.5, "1234.5"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345.6, "123456789012345.6"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.2345e-7, "1.2345e-07"),
            (4.1, "4.1"),
            (1e100, "1e+100"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(float_text(f), want, "{f:e}");
        }
    }

    #[test]
    fn timestamps_use_botocore_precision() {
        let t = Timestamp::new(1398796238, 123_000_000).unwrap();
        let mut s = String::new();
        push_timestamp(&mut s, t, TimestampFormat::Iso8601);
        assert_eq!(s, "2014-04-29T18:30:38.123000Z");
        s.clear();
        push_timestamp(&mut s, t, TimestampFormat::UnixTimestamp);
        assert_eq!(s, "1398796238.123");
        s.clear();
        push_timestamp(&mut s, t, TimestampFormat::Rfc822);
        assert_eq!(s, "Tue, 29 Apr 2014 18:30:38 GMT");
    }
}
