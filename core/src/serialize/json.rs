//! awsJson 1.0 / 1.1: the whole input as a JSON object, `POST /`, with
//! `X-Amz-Target: {targetPrefix}.{Operation}` and `Content-Type: application/x-amz-json-1.x`.
//!
//! The JSON body writer here is shared with rest-json. Timestamps default to epoch seconds,
//! blobs are base64, non-finite floats are the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.

use super::{
    epoch_number, expect_blob, expect_list, expect_map, expect_number, expect_timestamp,
    insert_static_header, invalid_type, push_base64, push_float, push_int, push_timestamp,
    query_compatible_header, Call, Number, Path, SerializeError, SerializedRequest,
};
use crate::body::Body;
use crate::model::{Location, ServiceModel, ShapeKind, ShapeRef, Structure, TimestampFormat};
use crate::value::{Map, Value};

/// Serialize an awsJson request.
pub(super) fn serialize(call: &Call<'_>) -> Result<SerializedRequest, SerializeError> {
    let metadata = &call.model.metadata;
    let target_prefix =
        metadata
            .target_prefix
            .as_deref()
            .ok_or(SerializeError::MissingMetadata {
                field: "targetPrefix",
                protocol: "json",
            })?;
    let json_version = metadata
        .json_version
        .as_deref()
        .ok_or(SerializeError::MissingMetadata {
            field: "jsonVersion",
            protocol: "json",
        })?;

    let mut writer =
        JsonWriter::for_call(call.model, TimestampFormat::UnixTimestamp, call.validated);
    match call.input {
        Some((_, input)) => writer.structure(input, call.params, &Path::Root, false)?,
        None => writer.out.push_str("{}"),
    }

    let mut request = SerializedRequest::new(call.method()?, "/".to_string());
    if let Some(value) = target_header(call.operation, target_prefix) {
        request
            .headers
            .insert(crate::header_names::X_AMZ_TARGET, value);
    }
    // The two versions in use are static values: not copied for each call, nor with the
    // request for each attempt.
    match json_version {
        "1.0" => request.headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-amz-json-1.0"),
        ),
        "1.1" => request.headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-amz-json-1.1"),
        ),
        other => {
            let content_type = format!("application/x-amz-json-{other}");
            insert_static_header(&mut request.headers, "content-type", &content_type);
            None
        }
    };
    query_compatible_header(call, &mut request.headers);
    request.body = Body::from(writer.out);
    request.host_prefix = call.host_prefix()?;
    Ok(request)
}

/// `X-Amz-Target`: `<targetPrefix>.<operation>`, made once per operation and shared by every
/// call's request after (a clone of the value is a reference count, where making it was an
/// allocation, and cloning a fresh one for each attempt was another). The text is checked
/// against the model's prefix, which a program may have changed since.
fn target_header(op: &crate::model::Operation, prefix: &str) -> Option<http::HeaderValue> {
    let make = || {
        let mut target = String::with_capacity(prefix.len() + op.name.len() + 1);
        target.push_str(prefix);
        target.push('.');
        target.push_str(&op.name);
        // Sized exactly, so its bytes become the header value's without a copy.
        http::HeaderValue::from_maybe_shared(bytes::Bytes::from(target)).ok()
    };
    let made = op
        .target_header
        .get_or_init(|| make().unwrap_or_else(|| http::HeaderValue::from_static("")));
    let bytes = made.as_bytes();
    let current = bytes.len() == prefix.len() + 1 + op.name.len()
        && bytes.starts_with(prefix.as_bytes())
        && bytes[prefix.len()] == b'.'
        && bytes.ends_with(op.name.as_bytes());
    match current {
        true => Some(made.clone()),
        false => make(),
    }
}

/// Writes a JSON document for values of model shapes.
pub(crate) struct JsonWriter<'m> {
    model: &'m ServiceModel,
    default_timestamp: TimestampFormat,
    /// Scalars of the wrong kind (parameters not validated) are written as given, as
    /// botocore's `json.dumps` writes them; otherwise refused.
    wrong_kinds_as_given: bool,
    /// The JSON written so far.
    pub(crate) out: String,
}

impl<'m> JsonWriter<'m> {
    pub(crate) fn new(model: &'m ServiceModel, default_timestamp: TimestampFormat) -> Self {
        JsonWriter {
            model,
            default_timestamp,
            wrong_kinds_as_given: false,
            out: String::with_capacity(256),
        }
    }

    /// A writer for parameters that were (`validated`) or were not validated: when not, a
    /// scalar of the wrong kind for its scalar shape (`"5"` for an integer, `5` for a string,
    /// `"yes"` for a boolean) is written as given, as botocore writes it with
    /// `parameter_validation` off.
    pub(crate) fn for_call(
        model: &'m ServiceModel,
        default_timestamp: TimestampFormat,
        validated: bool,
    ) -> Self {
        JsonWriter {
            wrong_kinds_as_given: !validated,
            ..JsonWriter::new(model, default_timestamp)
        }
    }

    /// Write a structure as an object. With `body_only`, members bound elsewhere (URI, query,
    /// headers) are left out, as rest-json does.
    pub(crate) fn structure(
        &mut self,
        shape: &Structure,
        params: &Map,
        path: &Path<'_>,
        body_only: bool,
    ) -> Result<(), SerializeError> {
        self.out.push('{');
        let mut first = true;
        for (name, value) in params {
            let path = path.member(name);
            let member = shape.members.get(name.as_str()).ok_or_else(|| {
                SerializeError::UnknownParameter {
                    path: path.to_string(),
                }
            })?;
            if value.is_null() || (body_only && member.location != Location::Body) {
                continue;
            }
            if !first {
                self.out.push_str(JsonStyle::Body.item_separator());
            }
            first = false;
            write_str(&mut self.out, member.wire_name(), true);
            self.out.push_str(JsonStyle::Body.key_separator());
            self.value(member, value, &path)?;
        }
        self.out.push('}');
        Ok(())
    }

    /// Write a value of the member's shape.
    pub(crate) fn value(
        &mut self,
        member: &ShapeRef,
        value: &Value,
        path: &Path<'_>,
    ) -> Result<(), SerializeError> {
        if value.is_null() {
            // Only reachable for list items and map values (sparse collections).
            self.out.push_str("null");
            return Ok(());
        }
        let model = self.model;
        let as_given = self.wrong_kinds_as_given;
        let out = &mut self.out;
        // A scalar of another kind: refused, or (not validated) written as given.
        let wrong = |out: &mut String, kind, expected| match as_given
            && write_scalar_as_given(out, kind, value)
        {
            true => Ok(()),
            false => Err(invalid_type(path, expected, value)),
        };
        let kind = &model.shape(member.shape).kind;
        match kind {
            ShapeKind::Structure(s) if s.document => {
                write_document(out, value, JsonStyle::Body, path)?
            }
            ShapeKind::Structure(s) => {
                let map = expect_map(value, path)?;
                self.structure(s, map, path, false)?
            }
            ShapeKind::List(item) => {
                out.push('[');
                for (i, v) in expect_list(value, path)?.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(JsonStyle::Body.item_separator());
                    }
                    self.value(item, v, &path.index(i))?;
                }
                self.out.push(']');
            }
            ShapeKind::Map { value: item, .. } => {
                out.push('{');
                for (i, (k, v)) in expect_map(value, path)?.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(JsonStyle::Body.item_separator());
                    }
                    write_str(&mut self.out, k, true);
                    self.out.push_str(JsonStyle::Body.key_separator());
                    self.value(item, v, &path.key(k))?;
                }
                self.out.push('}');
            }
            ShapeKind::String => match value.as_str() {
                Some(s) => write_str(out, s, true),
                None => wrong(out, kind, "string")?,
            },
            ShapeKind::Boolean => match value.as_bool() {
                Some(b) => out.push_str(if b { "true" } else { "false" }),
                None => wrong(out, kind, "boolean")?,
            },
            ShapeKind::Byte
            | ShapeKind::Short
            | ShapeKind::Integer
            | ShapeKind::Long
            | ShapeKind::BigInteger => match value.as_i64() {
                // A whole float passes for an integer only when validated (see
                // `float_for_integer`).
                Some(_) if as_given && matches!(value.untagged(), Value::Float(_)) => {
                    wrong(out, kind, "integer")?
                }
                Some(i) => push_int(out, i),
                None => wrong(out, kind, "integer")?,
            },
            ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal => {
                match expect_number(value, path) {
                    Ok(n) => write_number(out, n),
                    Err(_) => wrong(out, kind, "number")?,
                }
            }
            ShapeKind::Blob => {
                out.push('"');
                push_base64(out, expect_blob(value, path)?);
                out.push('"');
            }
            ShapeKind::Timestamp => {
                let t = expect_timestamp(value, path)?;
                match member.timestamp_format.unwrap_or(self.default_timestamp) {
                    TimestampFormat::UnixTimestamp => write_number(out, epoch_number(t)),
                    format => {
                        out.push('"');
                        push_timestamp(out, t, format);
                        out.push('"');
                    }
                }
            }
        }
        Ok(())
    }
}

/// A scalar of the wrong kind for its scalar shape, written as given (botocore's
/// `_default_serialize`, and `_handle_float`, which passes what is not a float through);
/// `false` for what is not a scalar on either side, and for a non-finite float, which Python
/// would write as bare `NaN` or `Infinity`, not JSON.
fn write_scalar_as_given(out: &mut String, kind: &ShapeKind, value: &Value) -> bool {
    if !kind.is_plain_scalar() {
        return false;
    }
    match value.untagged() {
        // `_handle_float` fails on text (`math.isnan`).
        Value::String(_) if kind.is_float() => return false,
        Value::String(s) => write_str(out, s, true),
        Value::Integer(i) => push_int(out, *i),
        Value::Float(f) if f.is_finite() => push_float(out, *f),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        _ => return false,
    }
    true
}

/// A JSON number; non-finite floats as the strings botocore sends.
fn write_number(out: &mut String, n: Number) {
    match n {
        Number::Int(i) => push_int(out, i),
        Number::Float(f) if f.is_finite() => push_float(out, f),
        Number::Float(f) => {
            out.push('"');
            push_float(out, f);
            out.push('"');
        }
    }
}

/// How botocore's `json.dumps` calls lay JSON out. Both escape non-ASCII as `\uXXXX`
/// (`ensure_ascii`), byte for byte what Python writes, since the bytes are signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonStyle {
    /// Request bodies: `json.dumps(body)`, with Python's default `", "` and `": "` separators.
    Body,
    /// `jsonvalue` headers: `json.dumps(value, separators=(',', ':'))`.
    Compact,
}

impl JsonStyle {
    fn item_separator(self) -> &'static str {
        match self {
            JsonStyle::Body => ", ",
            JsonStyle::Compact => ",",
        }
    }

    fn key_separator(self) -> &'static str {
        match self {
            JsonStyle::Body => ": ",
            JsonStyle::Compact => ":",
        }
    }
}

/// Write any value as JSON (documents, `jsonvalue` headers) in `style`: blobs as base64,
/// timestamps as epoch seconds.
pub(crate) fn write_document(
    out: &mut String,
    value: &Value,
    style: JsonStyle,
    path: &Path<'_>,
) -> Result<(), SerializeError> {
    match value {
        Value::Document(inner) => return write_document(out, inner, style, path),
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Integer(i) => push_int(out, *i),
        Value::Float(f) => write_number(out, Number::Float(*f)),
        Value::String(s) => write_str(out, s, true),
        Value::Blob(b) => {
            out.push('"');
            push_base64(out, b);
            out.push('"');
        }
        Value::Timestamp(t) => write_number(out, epoch_number(*t)),
        Value::List(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(style.item_separator());
                }
                write_document(out, v, style, &path.index(i))?;
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(style.item_separator());
                }
                write_str(out, k, true);
                out.push_str(style.key_separator());
                write_document(out, v, style, &path.key(k))?;
            }
            out.push('}');
        }
        Value::Stream(_) => return Err(super::invalid_type(path, "document", value)),
    }
    Ok(())
}

/// `value` as Python's `json.dumps(value)` writes it by default (`", "` and `": "` separators,
/// `ensure_ascii`), for JSON botocore writes and others compare byte for byte: pagination
/// tokens, presigned POST policies, the `login` token cache.
pub(crate) fn python_dumps(value: &serde_json::Value) -> String {
    fn write(out: &mut String, value: &serde_json::Value) {
        use serde_json::Value as J;
        match value {
            J::Object(map) => {
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_str(out, k, true);
                    out.push_str(": ");
                    write(out, v);
                }
                out.push('}');
            }
            J::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write(out, v);
                }
                out.push(']');
            }
            J::String(text) => write_str(out, text, true),
            J::Number(n) => push_python_number(out, n),
            // null and booleans: serde_json spells them as Python does.
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(&mut out, value);
    out
}

/// A JSON number as Python writes the `int` or `float` `json.loads` makes of it (`1e-05`,
/// `1e+16`, `0.5`, `3`). An integer beyond 64 bits reaches here as a float (serde_json's).
fn push_python_number(out: &mut String, n: &serde_json::Number) {
    match n.as_f64() {
        Some(f) if n.is_f64() => super::scalar::push_float(out, f),
        _ => out.push_str(&n.to_string()),
    }
}

/// Python's `str()` of the value `json.loads` makes of `value`: text bare, anything else as
/// [`python_repr`] writes it (botocore formats waiter matches and presigned query values so).
pub(crate) fn python_str(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => python_repr(other),
    }
}

/// Python's `repr()` of the value `json.loads` makes of `value`: single-quoted strings (double
/// quotes when the text holds a `'` and no `"`), `True`/`False`/`None`, numbers as Python
/// writes them. Characters Python does not print are escaped as it escapes them (`\x07`,
/// `\ufeff`, `\U000e0001`): control characters, and the separators, format characters and
/// private-use characters of Python 3.11's Unicode 14 ([`PYTHON_UNPRINTABLE`]); code points
/// unassigned in it are kept (their table would cost more than the case is worth).
pub(crate) fn python_repr(value: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match value {
        J::Null => "None".into(),
        J::Bool(true) => "True".into(),
        J::Bool(false) => "False".into(),
        J::Number(n) => {
            let mut out = String::new();
            push_python_number(&mut out, n);
            out
        }
        J::String(s) => {
            let quote = if s.contains('\'') && !s.contains('"') {
                '"'
            } else {
                '\''
            };
            let mut out = String::with_capacity(s.len() + 2);
            out.push(quote);
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c == quote => {
                        out.push('\\');
                        out.push(c);
                    }
                    c if python_unprintable(c) => match c as u32 {
                        n @ ..=0xff => out.push_str(&format!("\\x{n:02x}")),
                        n @ ..=0xffff => out.push_str(&format!("\\u{n:04x}")),
                        n => out.push_str(&format!("\\U{n:08x}")),
                    },
                    c => out.push(c),
                }
            }
            out.push(quote);
            out
        }
        J::Array(items) => {
            let inner: Vec<String> = items.iter().map(python_repr).collect();
            format!("[{}]", inner.join(", "))
        }
        J::Object(members) => {
            let inner: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{}: {}", python_repr(&J::String(k.clone())), python_repr(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

/// The assigned characters above U+00A0 that Python 3.11 (Unicode 14) does not print
/// (`str.isprintable`): spaces other than `' '`, line and paragraph separators, format
/// characters, private use. Ranges, inclusive, in order.
const PYTHON_UNPRINTABLE: [(u32, u32); 26] = [
    (0xAD, 0xAD),
    (0x600, 0x605),
    (0x61C, 0x61C),
    (0x6DD, 0x6DD),
    (0x70F, 0x70F),
    (0x890, 0x891),
    (0x8E2, 0x8E2),
    (0x1680, 0x1680),
    (0x180E, 0x180E),
    (0x2000, 0x200F),
    (0x2028, 0x202F),
    (0x205F, 0x2064),
    (0x2066, 0x206F),
    (0x3000, 0x3000),
    (0xE000, 0xF8FF),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
    (0xF0000, 0xFFFFD),
    (0x100000, 0x10FFFD),
];

/// Whether Python's `repr` escapes `c` (other than the quotes, backslash and `\t\n\r`).
fn python_unprintable(c: char) -> bool {
    let n = c as u32;
    n < 0x20
        || (0x7f..0xa1).contains(&n)
        || PYTHON_UNPRINTABLE
            .binary_search_by(|&(low, high)| {
                if high < n {
                    std::cmp::Ordering::Less
                } else if low > n {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
}

/// A JSON string literal.
pub(crate) fn write_str(out: &mut String, s: &str, ascii_only: bool) {
    use std::fmt::Write as _;
    // Most text (names, keys, ids) needs no escape: found by bytes and copied whole, where
    // the walk by characters below costs a UTF-8 decode per character.
    let plain = |b: &u8| (b' '..=b'~').contains(b) && *b != b'"' && *b != b'\\';
    let clean = s
        .bytes()
        .position(|b| !(plain(&b) || (!ascii_only && b >= 0x80)));
    let Some(first) = clean else {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    };
    out.push('"');
    // (`first` is on a character boundary: an ASCII byte, or a UTF-8 lead byte.)
    out.push_str(&s[..first]);
    let s = &s[first..];
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            // `ensure_ascii` escapes DEL too: Python's rule is "anything outside ' '..='~'".
            c if (c as u32) < 0x20 || (ascii_only && (c as u32) > 0x7e) => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        start = i + c.len_utf8();
        match escape {
            Some(e) => out.push_str(e),
            None => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_like_json_dumps() {
        let mut out = String::new();
        write_str(&mut out, "a\"b\\c\n\u{1}é😹", true);
        assert_eq!(out, r#""a\"b\\c\n\u0001\u00e9\ud83d\ude39""#);
        out.clear();
        write_str(&mut out, "é", false);
        assert_eq!(out, "\"é\"");
        out.clear();
        write_str(&mut out, "\u{7f}~\u{8}\u{c}", true);
        assert_eq!(out, r#""\u007f~\b\f""#, "DEL escaped, as ensure_ascii does");
        // Plain text before and after the first escape, in both modes (the text up to the
        // first escape is copied whole).
        for (text, ascii_only, written) in [
            ("plain text", true, r#""plain text""#),
            ("naïve \"x\"", true, r#""na\u00efve \"x\"""#),
            ("naïve \"x\"", false, "\"naïve \\\"x\\\"\""),
            ("del\u{7f}é\t", false, "\"del\u{7f}é\\t\""),
        ] {
            out.clear();
            write_str(&mut out, text, ascii_only);
            assert_eq!(out, written, "{text:?}, ascii_only {ascii_only}");
        }
    }

    #[test]
    fn numbers_and_reprs_as_python_writes_them() {
        // Each expected text is what Python 3 prints for `json.dumps(json.loads(text))`,
        // `repr(...)` and `str(...)` of the same JSON.
        let v: serde_json::Value =
            serde_json::from_str(r#"[0.00001, 1e16, 1e15, 0.0001, 0.5, -2.0, 3, 123.456e-10]"#)
                .unwrap();
        assert_eq!(
            python_dumps(&v),
            "[1e-05, 1e+16, 1000000000000000.0, 0.0001, 0.5, -2.0, 3, 1.23456e-08]"
        );
        let v: serde_json::Value =
            serde_json::from_str(r#"{"a": [1, 2.5e-7, null, true], "b'": "x\ny", "c": {}}"#)
                .unwrap();
        assert_eq!(
            python_repr(&v),
            r#"{'a': [1, 2.5e-07, None, True], "b'": 'x\ny', 'c': {}}"#
        );
        // What Python 3.11 prints for the same text's `repr`.
        assert_eq!(
            python_repr(&serde_json::json!(
                "\u{7}\u{a0}\u{ad}\u{feff}\u{2028}\u{e0001}é日😀\u{e000}\u{3000} x"
            )),
            r"'\x07\xa0\xad\ufeff\u2028\U000e0001é日😀\ue000\u3000 x'"
        );
        assert_eq!(python_str(&serde_json::json!("bare")), "bare");
        assert_eq!(python_str(&serde_json::json!([1e-5])), "[1e-05]");
    }

    #[test]
    fn documents_write_every_kind() {
        let v = crate::params! {"a": vec![Value::Null, Value::from(1.5), Value::from(f64::NAN)], "b": true};
        let mut out = String::new();
        write_document(&mut out, &v, JsonStyle::Compact, &Path::Root).unwrap();
        assert_eq!(out, r#"{"a":[null,1.5,"NaN"],"b":true}"#);
    }

    /// botocore writes bodies with `json.dumps(body)`: `", "` / `": "` separators and non-ASCII
    /// escaped; the body bytes are signed, so sansboto writes the same bytes.
    #[test]
    fn bodies_are_laid_out_like_json_dumps() {
        let model = ServiceModel::from_json(
            br#"{"metadata": {"protocol": "json", "jsonVersion": "1.0", "targetPrefix": "T"},
            "operations": {}, "shapes": {
              "In": {"type": "structure", "members": {"Name": {"shape": "S"},
                 "Tags": {"shape": "M"}, "Ids": {"shape": "L"}, "Doc": {"shape": "D"}}},
              "S": {"type": "string"}, "L": {"type": "list", "member": {"shape": "S"}},
              "M": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
              "D": {"type": "structure", "members": {}, "document": true}}}"#,
        )
        .unwrap();
        let Some(input) = model.shape_by_name("In").and_then(|s| s.as_structure()) else {
            panic!("input shape");
        };
        let params = crate::params! {"Name": "café", "Tags": crate::params!{"k": "v", "x": "y"},
        "Ids": vec!["a", "b"], "Doc": crate::params!{"n": 1, "l": vec![true, false]}};
        let mut writer = JsonWriter::new(&model, TimestampFormat::UnixTimestamp);
        let Some(map) = params.as_map() else {
            panic!("params are a map");
        };
        writer.structure(input, map, &Path::Root, false).unwrap();
        assert_eq!(
            writer.out,
            r#"{"Name": "caf\u00e9", "Tags": {"k": "v", "x": "y"}, "Ids": ["a", "b"], "Doc": {"n": 1, "l": [true, false]}}"#
        );
    }

    /// `X-Amz-Target` is made once per operation, and follows a prefix changed since.
    #[test]
    fn the_target_header_is_made_once_and_follows_the_prefix() {
        let mut model = ServiceModel::from_json(
            br#"{"metadata": {"protocol": "json", "jsonVersion": "1.1", "targetPrefix": "Svc_1"},
            "operations": {"Go": {"name": "Go", "http": {"method": "POST", "requestUri": "/"}}},
            "shapes": {}}"#,
        )
        .unwrap();
        let target = |model: &ServiceModel| {
            let op = model.operation("Go").expect("the operation");
            let request =
                crate::serialize::serialize_request(model, op, &Value::map(), &mut String::new)
                    .unwrap();
            let value = request.headers.get("x-amz-target").cloned();
            (value, op.target_header.get().cloned())
        };
        let first = target(&model);
        assert_eq!(
            first.0.as_ref().map(|v| v.as_bytes()),
            Some(&b"Svc_1.Go"[..])
        );
        assert_eq!(first.1, first.0, "kept for the next call");
        let again = target(&model).0;
        assert_eq!(again, first.0);
        let bytes = |v: &Option<http::HeaderValue>| v.as_ref().map(|v| v.as_bytes().as_ptr());
        assert_eq!(
            bytes(&again),
            bytes(&first.0),
            "the same bytes, shared, not made again"
        );
        std::sync::Arc::make_mut(&mut model).metadata.target_prefix = Some("Svc_2".into());
        let changed = target(&model);
        assert_eq!(
            changed.0.as_ref().map(|v| v.as_bytes()),
            Some(&b"Svc_2.Go"[..])
        );
    }
}
