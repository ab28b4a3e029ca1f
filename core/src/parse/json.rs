//! The `json` protocol's responses (awsJson 1.0/1.1), and the shape-directed JSON reader that
//! `rest-json` shares.
//!
//! The reader is a set of serde `DeserializeSeed`s: `serde_json` tokenizes the body and the
//! seeds build [`Value`]s straight from the tokens as the shapes say, with no intermediate JSON
//! tree. Values are as lenient as botocore: a value of an unexpected JSON type is passed through
//! as it is, except that REST-JSON converts scalars as botocore's REST-JSON parser does (`"7"`
//! for an integer is 7, `"TRUE"` for a boolean true); only things that cannot be read (bad
//! base64, a bad timestamp, text that is no number where REST-JSON wants one) are errors,
//! reported with the member path. Nesting is bounded by serde_json's recursion limit (128).
//!
//! Python's `json.loads`, which botocore reads with, also takes the bare words `NaN`,
//! `Infinity` and `-Infinity` and numbers too large for a float, as floats; a body serde_json
//! refuses for them alone is read again with them marked (`quote_non_finite`), so it reads as
//! botocore reads it. One deliberate difference: the JSON protocols' text `"NaN"`,
//! `"Infinity"` or `"-Infinity"` for a float member (how Smithy's awsJson writes those floats)
//! is the float, where botocore keeps the text.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{
    apply_query_error_header, decode_base64, finish_output, finish_structure, raw_payload,
    rpc_metadata, sanitize_error_code, scalar_from_text, unknown_union_member, BodyFormat, Ctx,
    ParseError, PathSegment, Slots, TimestampParsing,
};
use crate::body::Body;
use crate::model::{Location, ServiceModel, ShapeId, ShapeKind, ShapeRef, Structure};
use crate::time::Timestamp;
use crate::value::{non_finite_from_name, non_finite_name, Map, Text, Value};

pub(super) fn parse_output(
    cx: &Ctx<'_>,
    output: Option<&ShapeRef>,
    body: Body,
) -> Result<Map, ParseError> {
    let mut out = Map::default();
    if let Some((name, s)) = output_structure(cx.model, output) {
        if let Some((index, member)) = event_stream_member(cx.model, s) {
            // The initial-response event and the rest of the stream are the event-stream
            // decoder's: the member holds the body for it.
            if let Some(v) = raw_payload(cx.model, member, body) {
                let mut slots = Slots::new(s.members.len());
                slots[index] = Some(v?);
                out = finish_output(&s.members, &mut slots);
            }
        } else {
            let bytes = super::need_bytes(&body, "a JSON response")?;
            let mut slots = Slots::new(s.members.len());
            read_structure(cx, name, s, bytes, &mut slots, Scalars::AsSent)?;
            out = finish_output(&s.members, &mut slots);
        }
    }
    out.insert(
        "ResponseMetadata".into(),
        Value::Map(rpc_metadata(cx.headers)),
    );
    Ok(out)
}

pub(super) fn output_structure<'m>(
    model: &'m ServiceModel,
    output: Option<&ShapeRef>,
) -> Option<(&'m str, &'m Structure)> {
    let shape = model.shape(output?.shape);
    shape.as_structure().map(|s| (shape.name.as_str(), s))
}

pub(super) fn event_stream_member<'m>(
    model: &ServiceModel,
    s: &'m Structure,
) -> Option<(usize, &'m ShapeRef)> {
    s.members.values().enumerate().find(|(_, m)| {
        model
            .shape(m.shape)
            .as_structure()
            .is_some_and(|t| t.eventstream)
    })
}

/// What the JSON error body says, read without a shape.
pub(super) struct ErrorBody {
    /// The body's object; a bare `NaN`, `Infinity` or `-Infinity` in it (see
    /// [`quote_non_finite`]) reads as that word.
    pub object: serde_json::Map<String, serde_json::Value>,
    /// The message, when the body had such a word in it: botocore's is the float.
    message_with_floats: Option<Value>,
}

impl ErrorBody {
    /// botocore's `_parse_body_as_json`: empty is `{}`, text that is not JSON becomes the
    /// message, and a body that is not UTF-8 is refused (botocore decodes it first, and its
    /// `UnicodeDecodeError` ends the call), as a successful answer's is.
    pub(super) fn read(body: &[u8]) -> Result<ErrorBody, ParseError> {
        let object = |object| ErrorBody {
            object,
            message_with_floats: None,
        };
        if body.is_empty() {
            return Ok(object(serde_json::Map::new()));
        }
        let text = body_text(body)?;
        let parsed = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(value) => Ok((value, false)),
            // The bare words Python reads as floats (see `quote_non_finite`).
            Err(e) => quote_non_finite(body)
                .ok_or(e)
                .and_then(|quoted| serde_json::from_slice(&quoted))
                .map(|value| (value, true)),
        };
        match parsed {
            Ok((serde_json::Value::Object(mut map), marked)) => {
                let mut body = object(serde_json::Map::new());
                if marked {
                    body.message_with_floats = ["message", "Message"]
                        .iter()
                        .find_map(|k| map.get(*k))
                        .map(with_floats);
                    map.values_mut().for_each(unmark);
                }
                body.object = map;
                Ok(body)
            }
            Ok(_) => Ok(object(serde_json::Map::new())),
            Err(_) => {
                let mut map = serde_json::Map::new();
                map.insert("message".into(), serde_json::Value::String(text.to_owned()));
                Ok(object(map))
            }
        }
    }

    /// botocore's `body.get('message', body.get('Message', ''))`: the first of the two keys
    /// present, whatever its value (null included), else empty.
    pub(super) fn message(&self) -> Value {
        if let Some(message) = &self.message_with_floats {
            return message.clone();
        }
        match self.first_present(&["message", "Message"]) {
            Some(value) => Value::from(value.clone()),
            None => Value::String(Text::default()),
        }
    }

    /// The value of the first of `keys` the body has (a present null counts: Python's
    /// `dict.get` returns it rather than the default).
    pub(super) fn first_present(&self, keys: &[&str]) -> Option<&serde_json::Value> {
        keys.iter().find_map(|k| self.object.get(*k))
    }
}

/// The error dict of the JSON protocols: code from `__type` (else the status), sanitized, then
/// translated by `x-amzn-query-error` when present. A `__type` sent as null leaves the code
/// empty, as botocore's `body.get('__type', status)` does.
pub(super) fn error_fields(cx: &Ctx<'_>, body: &ErrorBody) -> Map {
    let mut error = Map::default();
    error.insert("Message".into(), body.message());
    let code = match body.object.get("__type") {
        Some(serde_json::Value::String(t)) => Some(sanitize_error_code(t).to_string()),
        Some(serde_json::Value::Null) => None,
        Some(other) => Some(other.to_string()),
        None => Some(cx.status.to_string()),
    };
    let code = code
        .map(|code| apply_query_error_header(cx.headers, code, &mut error))
        .unwrap_or_default();
    error.insert("Code".into(), Value::String(code.into()));
    let mut fields = Map::default();
    fields.insert("Error".into(), Value::Map(error));
    fields.insert(
        "ResponseMetadata".into(),
        Value::Map(rpc_metadata(cx.headers)),
    );
    fields
}

pub(super) fn parse_error(cx: &Ctx<'_>, body: &[u8]) -> Result<Map, ParseError> {
    Ok(error_fields(cx, &ErrorBody::read(body)?))
}

pub(super) fn parse_modeled_error(
    cx: &Ctx<'_>,
    shape: ShapeId,
    body: &[u8],
) -> Result<Map, ParseError> {
    let error_shape = cx.model.shape(shape);
    let Some(s) = error_shape.as_structure() else {
        return Ok(Map::default());
    };
    let mut slots = Slots::new(s.members.len());
    // A body that is not JSON already became the message; it has no members to read.
    if read_structure(cx, &error_shape.name, s, body, &mut slots, Scalars::AsSent).is_err() {
        return Ok(Map::default());
    }
    Ok(finish_structure(&s.members, &mut slots))
}

/// How a body's scalars of another JSON type than their shape's are read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Scalars {
    /// Kept as sent: botocore's JSON-RPC parser, and the event streams of both JSON protocols
    /// (`EventStreamJSONParser`).
    AsSent,
    /// Converted as botocore's `RestJSONParser` converts them (`ensure_boolean`, `int()`,
    /// `float()`): REST-JSON outputs and errors.
    RestJson,
}

/// How one body is read: its scalars, and its timestamps.
#[derive(Clone, Copy)]
struct Reading {
    scalars: Scalars,
    timestamps: TimestampParsing,
}

/// Read a JSON object body into a structure's `slots`; an empty body or `null` reads as `{}`.
/// Returns the tag of an unknown union member (for union-shaped bodies).
pub(super) fn read_structure(
    cx: &Ctx<'_>,
    shape_name: &str,
    s: &Structure,
    body: &[u8],
    slots: &mut [Option<Value>],
    scalars: Scalars,
) -> Result<Option<String>, ParseError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let reading = Reading {
        scalars,
        timestamps: cx.timestamps,
    };
    with_non_finite_retry(cx.model, reading, body, |ctx, body| {
        let mut de = serde_json::Deserializer::from_str(body);
        StructFill {
            ctx,
            shape_name,
            s,
            slots: &mut *slots,
        }
        .deserialize(&mut de)
        .and_then(|tag| de.end().map(|()| tag))
    })
}

/// Read a JSON body as any shape (a rest-json structure or list payload).
pub(super) fn read_value(
    model: &ServiceModel,
    sref: &ShapeRef,
    body: &[u8],
    scalars: Scalars,
    timestamps: TimestampParsing,
) -> Result<Value, ParseError> {
    let reading = Reading {
        scalars,
        timestamps,
    };
    with_non_finite_retry(model, reading, body, |ctx, body| {
        let mut de = serde_json::Deserializer::from_str(body);
        ValueSeed { ctx, sref }
            .deserialize(&mut de)
            .and_then(|v| de.end().map(|()| v))
    })
}

/// The body as text. serde_json reading a byte slice checks each string it decodes for UTF-8
/// (not the ones it skips); reading a `&str`, it checks none, and one check of the whole body
/// first costs less (most of all on ASCII, which it skips a word at a time). A body that is not
/// UTF-8 is refused whole, even where the bad bytes sit in a member nobody reads, as botocore
/// refuses it: it decodes the body before parsing it. (This reader is serde_json's second in
/// the program, beside the byte-slice one the rest of the crate reads with: 2,880 bytes of the
/// S3-only program, for about 1.4 % of a JSON call's instructions; see BENCHMARKS.md.)
fn body_text(body: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(body).map_err(|e| ParseError::Malformed {
        format: BodyFormat::Json,
        message: "the body is not UTF-8".into(),
        position: format!("byte {}", e.valid_up_to()),
    })
}

/// Runs `read` over `body`; when serde_json refuses the body and it has a bare `NaN`,
/// `Infinity`, `-Infinity` or overflowing number where a value belongs (see
/// [`quote_non_finite`]), runs it again over the body with those marked. A body still refused
/// reports the first run's error, at its place in the body as sent.
fn with_non_finite_retry<T>(
    model: &ServiceModel,
    reading: Reading,
    body: &[u8],
    mut read: impl FnMut(Walk<'_>, &str) -> Result<T, serde_json::Error>,
) -> Result<T, ParseError> {
    let body = body_text(body)?;
    let failure = RefCell::new(None);
    let ctx = Walk {
        model,
        failure: &failure,
        scalars: reading.scalars,
        timestamps: reading.timestamps,
        non_finite: false,
    };
    let first = match read(ctx, body) {
        Ok(v) => return Ok(v),
        Err(e) => ctx.error(e),
    };
    let quoted = match &first {
        ParseError::Malformed { .. } => quote_non_finite(body.as_bytes()),
        _ => None,
    };
    // Quotes added around ASCII words leave the text UTF-8.
    let Some(quoted) = quoted.and_then(|q| String::from_utf8(q).ok()) else {
        return Err(first);
    };
    let failure = RefCell::new(None);
    let ctx = Walk {
        model,
        failure: &failure,
        scalars: reading.scalars,
        timestamps: reading.timestamps,
        non_finite: true,
    };
    match read(ctx, &quoted) {
        Ok(v) => Ok(v),
        // A semantic error (a bad timestamp, say) is the body's own; a syntax error is
        // reported where the body as sent has it.
        Err(e) => match ctx.error(e) {
            ParseError::Malformed { .. } => Err(first),
            other => Err(other),
        },
    }
}

/// The text that stands for a float JSON cannot write, in a body [`quote_non_finite`] rewrote:
/// a string starting with NUL, which no string of that body's own holds (it has no `\u0000`
/// escape, the only way JSON writes a NUL).
const NON_FINITE_MARK: char = '\0';

/// botocore reads bodies with Python's `json.loads`, which takes the bare words `NaN`,
/// `Infinity` and `-Infinity` (and a number too large for a float) as floats, outside JSON's
/// grammar; serde_json refuses them. The body with each such word, outside strings, written as
/// a string of [`NON_FINITE_MARK`] and the word (`"\u0000NaN"`, `"\u0000Infinity"`,
/// `"\u0000-Infinity"`), which the readers turn back into the float; `None` when the body has
/// none of them, has one where a key belongs (Python refuses that too), or has a string with a
/// `\u0000` escape of its own (which could be taken for a mark).
fn quote_non_finite(body: &[u8]) -> Option<Vec<u8>> {
    const WORDS: [&[u8]; 3] = [b"NaN", b"Infinity", b"-Infinity"];
    let mut out = Vec::with_capacity(body.len() + 64);
    let mut quoted = false;
    let (mut i, mut in_string) = (0, false);
    while i < body.len() {
        let b = body[i];
        if in_string {
            match b {
                b'\\' => {
                    // A string of the body's own holding a NUL could be taken for a mark.
                    if body[i + 1..].starts_with(b"u0000") {
                        return None;
                    }
                    out.extend_from_slice(&body[i..(i + 2).min(body.len())]);
                    i += 2;
                    continue;
                }
                b'"' => in_string = false,
                _ => {}
            }
            out.push(b);
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            out.push(b);
            i += 1;
            continue;
        }
        // A word, or a number too large for a float (Python's infinity); JSON's grammar
        // otherwise, so what Python refuses stays refused.
        let word = match WORDS.iter().find(|w| body[i..].starts_with(w)) {
            Some(word) => Some((*word, word.len())),
            None if b == b'-' || b.is_ascii_digit() => {
                let len = body[i..]
                    .iter()
                    .position(|c| !matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                    .unwrap_or(body.len() - i);
                let number = &body[i..i + len];
                let infinite = is_json_number(number)
                    .then(|| std::str::from_utf8(number).ok()?.parse::<f64>().ok())
                    .flatten()
                    .filter(|f| f.is_infinite());
                match infinite {
                    Some(f) if f > 0.0 => Some((&b"Infinity"[..], len)),
                    Some(_) => Some((&b"-Infinity"[..], len)),
                    None => {
                        out.extend_from_slice(number);
                        i += len;
                        continue;
                    }
                }
            }
            None => None,
        };
        let Some((word, len)) = word else {
            out.push(b);
            i += 1;
            continue;
        };
        // Only a value can be one: Python refuses it where a key belongs.
        let next = body[i + len..].iter().find(|c| !c.is_ascii_whitespace());
        if next == Some(&b':') {
            return None;
        }
        out.extend_from_slice(b"\"\\u0000");
        out.extend_from_slice(word);
        out.push(b'"');
        quoted = true;
        i += len;
    }
    quoted.then_some(out)
}

/// JSON's number grammar, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(n: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut rest = n.strip_prefix(b"-").unwrap_or(n);
    match digits(rest) {
        0 => return false,
        d if d > 1 && rest[0] == b'0' => return false,
        d => rest = &rest[d..],
    }
    if let Some(fraction) = rest.strip_prefix(b".") {
        match digits(fraction) {
            0 => return false,
            d => rest = &fraction[d..],
        }
    }
    if let Some(exponent) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let exponent = exponent
            .strip_prefix(b"+")
            .or_else(|| exponent.strip_prefix(b"-"))
            .unwrap_or(exponent);
        match digits(exponent) {
            0 => return false,
            d => rest = &exponent[d..],
        }
    }
    rest.is_empty()
}

/// JSON read without a shape as Python's `json.loads` reads it (a `jsonvalue` header's
/// document): bare `NaN`, `Infinity`, `-Infinity` and overflowing numbers as floats (see
/// [`quote_non_finite`]); `None` for text `json.loads` refuses too.
pub(crate) fn untyped(text: &[u8]) -> Option<Value> {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(text) {
        return Some(Value::from(value));
    }
    let quoted = quote_non_finite(text)?;
    serde_json::from_slice::<serde_json::Value>(&quoted)
        .ok()
        .map(|value| with_floats(&value))
}

/// A value of a rewritten body (see [`quote_non_finite`]) read without a shape, its marked
/// strings as the floats they stand for.
fn with_floats(value: &serde_json::Value) -> Value {
    match value {
        serde_json::Value::String(text) => match non_finite(text) {
            Some(f) => Value::Float(f),
            None => Value::String(text.as_str().into()),
        },
        serde_json::Value::Array(items) => Value::List(items.iter().map(with_floats).collect()),
        serde_json::Value::Object(object) => Value::Map(
            object
                .iter()
                .map(|(k, v)| (k.as_str().into(), with_floats(v)))
                .collect(),
        ),
        other => Value::from(other.clone()),
    }
}

/// A value of a rewritten body with its marked strings back to the words the body had, where
/// the value is read as text (an error code).
fn unmark(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => {
            if let Some(word) = text.strip_prefix(NON_FINITE_MARK) {
                *text = word.to_string();
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(unmark),
        serde_json::Value::Object(object) => object.values_mut().for_each(unmark),
        _ => {}
    }
}

/// The float a string of a rewritten body stands for (see [`quote_non_finite`]).
fn non_finite(text: &str) -> Option<f64> {
    non_finite_from_name(text.strip_prefix(NON_FINITE_MARK)?)
}

/// Shared state of one walk: the model, and the first semantic error (serde's error type
/// cannot carry ours, so it waits here while serde unwinds, gaining path segments).
#[derive(Clone, Copy)]
struct Walk<'m> {
    model: &'m ServiceModel,
    failure: &'m RefCell<Option<ParseError>>,
    scalars: Scalars,
    /// How timestamps are read (botocore's `timestamp_parser`).
    timestamps: TimestampParsing,
    /// The body was rewritten by [`quote_non_finite`]: its marked strings are floats.
    non_finite: bool,
}

impl Walk<'_> {
    fn fail<E: de::Error>(&self, e: ParseError) -> E {
        *self.failure.borrow_mut() = Some(e);
        E::custom("invalid value")
    }

    fn add_path(&self, segment: PathSegment<'_>) {
        let mut slot = self.failure.borrow_mut();
        if let Some(e) = slot.take() {
            *slot = Some(e.within(segment));
        }
    }

    fn error(&self, e: serde_json::Error) -> ParseError {
        match self.failure.borrow_mut().take() {
            Some(ours) => ours,
            None if e.classify() == serde_json::error::Category::Io => ParseError::Malformed {
                format: BodyFormat::Json,
                message: e.to_string(),
                position: "end of body".into(),
            },
            None => ParseError::Malformed {
                format: BodyFormat::Json,
                message: strip_position(&e.to_string()),
                position: format!("line {} column {}", e.line(), e.column()),
            },
        }
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// An object key, borrowed from the body when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
}

/// Fills a structure's member slots from a JSON object.
struct StructFill<'m, 's> {
    ctx: Walk<'m>,
    shape_name: &'s str,
    s: &'m Structure,
    slots: &'s mut [Option<Value>],
}

impl<'de> DeserializeSeed<'de> for StructFill<'_, '_> {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn in_json_body(member: &ShapeRef) -> bool {
    matches!(
        member.location,
        Location::Body | Location::Uri | Location::QueryString
    )
}

impl<'de> Visitor<'de> for StructFill<'_, '_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a JSON object for {}", self.shape_name)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut set = 0usize;
        let mut unknown_tag: Option<String> = None;
        while let Some(key) = map.next_key_seed(Key)? {
            let found = self
                .s
                .members
                .values()
                .position(|m| in_json_body(m) && m.wire_name() == key);
            match found.and_then(|i| self.s.members.get_index(i).map(|(n, m)| (i, n, m))) {
                Some((index, name, member)) => {
                    let value = map
                        .next_value_seed(ValueSeed {
                            ctx: self.ctx,
                            sref: member,
                        })
                        .inspect_err(|_| self.ctx.add_path(PathSegment::Member(name)))?;
                    if !value.is_null() {
                        set += 1;
                        self.slots[index] = Some(value);
                    }
                }
                None if self.s.union && key != "__type" => {
                    // Only a non-null unknown member counts towards the union's one member.
                    let value: serde_json::Value = map.next_value()?;
                    if !value.is_null() {
                        set += 1;
                        unknown_tag.get_or_insert_with(|| key.into_owned());
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if self.s.union {
            if set != 1 {
                return Err(self.ctx.fail(ParseError::Union {
                    shape: self.shape_name.to_string(),
                    found: set,
                    path: String::new(),
                }));
            }
            return Ok(unknown_tag);
        }
        Ok(None)
    }
    // Any other JSON type where an object belongs: nothing to read, as botocore's dict
    // lookups find nothing.
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// Reads one JSON value as the shape `sref` points at.
struct ValueSeed<'m> {
    ctx: Walk<'m>,
    sref: &'m ShapeRef,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let shape = self.ctx.model.shape(self.sref.shape);
        match &shape.kind {
            // A document member sent as null is left out, as any null member is.
            ShapeKind::Structure(s) if s.document => d
                .deserialize_any(Generic {
                    non_finite: self.ctx.non_finite,
                })
                .map(|v| match v {
                    Value::Null => Value::Null,
                    v => Value::document(v),
                }),
            _ => d.deserialize_any(self),
        }
    }
}

impl ValueSeed<'_> {
    fn kind(&self) -> &ShapeKind {
        &self.ctx.model.shape(self.sref.shape).kind
    }

    /// botocore's REST-JSON parser converts a body's scalars as its header reader does
    /// (`ensure_boolean`, `int()`, `float()`); its JSON-RPC and event-stream parsers keep
    /// them as sent.
    fn converts_scalars(&self) -> bool {
        self.ctx.scalars == Scalars::RestJson
    }

    /// Timestamps are kept as the wire has them ([`TimestampParsing::Wire`]).
    fn wire_timestamp(&self) -> bool {
        self.ctx.timestamps == TimestampParsing::Wire
    }

    /// The reader of a value of no shape met where this one's was expected.
    fn generic(&self) -> Generic {
        Generic {
            non_finite: self.ctx.non_finite,
        }
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        if self.converts_scalars() {
            // Python's `int(True)` and `float(True)`.
            match self.kind() {
                kind if kind.is_integer() => return Ok(Value::Integer(i64::from(v))),
                kind if kind.is_float() => return Ok(Value::Float(f64::from(u8::from(v)))),
                _ => {}
            }
        }
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(match self.kind() {
            ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal => Value::Float(v as f64),
            ShapeKind::Timestamp if self.wire_timestamp() => Value::Integer(v),
            ShapeKind::Timestamp => Value::Timestamp(Timestamp::from_secs(v)),
            // `ensure_boolean` of anything but text or a boolean.
            ShapeKind::Boolean if self.converts_scalars() => Value::Bool(false),
            _ => Value::Integer(v),
        })
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        match i64::try_from(v) {
            Ok(i) => self.visit_i64(i),
            Err(_) => self.visit_f64(v as f64),
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        match self.kind() {
            ShapeKind::Timestamp if self.wire_timestamp() => Ok(Value::Float(v)),
            ShapeKind::Timestamp => Timestamp::from_epoch_f64(v)
                .map(Value::Timestamp)
                .ok_or_else(|| {
                    self.ctx
                        .fail(ParseError::invalid("epoch seconds", &v.to_string()))
                }),
            ShapeKind::Boolean if self.converts_scalars() => Ok(Value::Bool(false)),
            // Python's `int()` of a NaN or an infinity (a bare `NaN` in the body) fails.
            kind if self.converts_scalars() && kind.is_integer() && !v.is_finite() => Err(self
                .ctx
                .fail(ParseError::invalid("an integer", non_finite_name(v)))),
            // Python's `int(7.5)` is 7 (a float beyond 64 bits stays a float).
            kind if self.converts_scalars()
                && kind.is_integer()
                && v.trunc() >= i64::MIN as f64
                && v.trunc() < i64::MAX as f64 =>
            {
                Ok(Value::Integer(v.trunc() as i64))
            }
            _ => Ok(Value::Float(v)),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        // A bare `NaN` or `Infinity` (marked as text) is the float Python's JSON reader makes
        // of it, whatever the member (a timestamp kept as sent too).
        if let Some(f) = self.ctx.non_finite.then(|| non_finite(v)).flatten() {
            return self.visit_f64(f);
        }
        if self.converts_scalars() {
            match self.kind() {
                ShapeKind::Boolean => return Ok(Value::Bool(v.eq_ignore_ascii_case("true"))),
                kind if kind.is_integer() || kind.is_float() => {
                    return scalar_from_text(kind, v).map_err(|e| self.ctx.fail(e))
                }
                _ => {}
            }
        }
        match self.kind() {
            ShapeKind::Blob => decode_base64(v)
                .map(|b| Value::Blob(b.into()))
                .ok_or_else(|| self.ctx.fail(ParseError::invalid("base64", v))),
            ShapeKind::Timestamp if self.wire_timestamp() => Ok(Value::String(v.into())),
            ShapeKind::Timestamp => Timestamp::parse_any(v)
                .map(Value::Timestamp)
                .map_err(|_| self.ctx.fail(ParseError::invalid("a timestamp", v))),
            // The JSON protocols write a float JSON cannot hold as one of these words (Smithy's
            // awsJson); botocore keeps the word as text, a deliberate difference: the member is
            // a float, and reads as one. Any other text is kept as sent, as botocore keeps it.
            ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal => {
                Ok(non_finite_from_name(v).map_or_else(|| Value::String(v.into()), Value::Float))
            }
            _ => Ok(Value::String(v.into())),
        }
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        match self.kind() {
            ShapeKind::String if !self.ctx.non_finite => Ok(Value::String(v.into())),
            _ => self.visit_str(&v),
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let item = match self.kind() {
            ShapeKind::List(item) => item,
            // `ensure_boolean` of a list.
            ShapeKind::Boolean if self.converts_scalars() => {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                return Ok(Value::Bool(false));
            }
            _ => return self.generic().visit_seq(seq),
        };
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        loop {
            let index = items.len();
            let next = seq
                .next_element_seed(ValueSeed {
                    ctx: self.ctx,
                    sref: item,
                })
                .inspect_err(|_| self.ctx.add_path(PathSegment::Index(index)))?;
            match next {
                Some(v) => items.push(v),
                None => return Ok(Value::List(items)),
            }
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let shape = self.ctx.model.shape(self.sref.shape);
        match &shape.kind {
            // `ensure_boolean` of an object.
            ShapeKind::Boolean if self.converts_scalars() => {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Value::Bool(false))
            }
            ShapeKind::Structure(s) => {
                let mut slots = Slots::new(s.members.len());
                let unknown = StructFill {
                    ctx: self.ctx,
                    shape_name: &shape.name,
                    s,
                    slots: &mut slots,
                }
                .visit_map(map)?;
                Ok(match unknown {
                    Some(tag) => unknown_union_member(&tag),
                    None => Value::Map(finish_structure(&s.members, &mut slots)),
                })
            }
            ShapeKind::Map { value, .. } => {
                let mut out = Map::default();
                while let Some(key) = map.next_key_seed(Key)? {
                    let v = map
                        .next_value_seed(ValueSeed {
                            ctx: self.ctx,
                            sref: value,
                        })
                        .inspect_err(|_| self.ctx.add_path(PathSegment::Key(&key)))?;
                    out.insert(key.into(), v);
                }
                Ok(Value::Map(out))
            }
            _ => self.generic().visit_map(map),
        }
    }
}

/// A value read without a shape (documents, and values of unexpected JSON types).
#[derive(Clone, Copy)]
struct Generic {
    /// As [`Walk::non_finite`].
    non_finite: bool,
}

impl<'de> DeserializeSeed<'de> for Generic {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Generic {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Integer(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        match self.non_finite.then(|| non_finite(v)).flatten() {
            Some(f) => Ok(Value::Float(f)),
            None => Ok(Value::String(v.into())),
        }
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        match self.non_finite {
            true => self.visit_str(&v),
            false => Ok(Value::String(v.into())),
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            items.push(v);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::default();
        while let Some(key) = map.next_key_seed(Key)? {
            let v = map.next_value_seed(self)?;
            out.insert(key.into(), v);
        }
        Ok(Value::Map(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServiceModel;

    fn model_of(protocol: &str) -> std::sync::Arc<ServiceModel> {
        ServiceModel::from_value(serde_json::json!({
            "metadata": {"protocol": protocol, "apiVersion": "1"},
            "operations": {},
            "shapes": {
                "S": {"type": "structure", "members": {
                    "B": {"shape": "Blob"}, "T": {"shape": "Time"}, "L": {"shape": "List"},
                    "N": {"shape": "S"}, "F": {"shape": "Dbl"}, "I": {"shape": "Int"},
                    "Q": {"shape": "Bool"}, "D": {"shape": "Doc"}}},
                "Blob": {"type": "blob"}, "Time": {"type": "timestamp"}, "Dbl": {"type": "double"},
                "Int": {"type": "integer"}, "Bool": {"type": "boolean"},
                "Doc": {"type": "structure", "members": {}, "document": true},
                "List": {"type": "list", "member": {"shape": "Time"}}
            }
        }))
        .unwrap()
    }

    fn model() -> std::sync::Arc<ServiceModel> {
        model_of("json")
    }

    fn read(body: &str) -> Result<Map, ParseError> {
        read_as(model(), body)
    }

    fn read_as(m: std::sync::Arc<ServiceModel>, body: &str) -> Result<Map, ParseError> {
        read_with(m, body, TimestampParsing::Parsed)
    }

    fn read_with(
        m: std::sync::Arc<ServiceModel>,
        body: &str,
        timestamps: TimestampParsing,
    ) -> Result<Map, ParseError> {
        read_bytes(m, body.as_bytes(), timestamps)
    }

    fn read_bytes(
        m: std::sync::Arc<ServiceModel>,
        body: &[u8],
        timestamps: TimestampParsing,
    ) -> Result<Map, ParseError> {
        let headers = http::HeaderMap::new();
        let cx = Ctx {
            model: &m,
            status: 200,
            headers: &headers,
            timestamps,
        };
        let shape = m.shape_by_name("S").unwrap();
        let s = shape.as_structure().unwrap();
        let mut slots = Slots::new(s.members.len());
        let scalars = match m.protocol {
            crate::model::Protocol::RestJson => Scalars::RestJson,
            _ => Scalars::AsSent,
        };
        read_structure(&cx, "S", s, body, &mut slots, scalars)?;
        Ok(finish_structure(&s.members, &mut slots))
    }

    #[test]
    fn wire_timestamps_are_kept_as_sent() {
        let body = r#"{"T": 1.5, "L": [1796556692, "2026-12-06T11:31:31.000Z", 1e3, NaN]}"#;
        for protocol in ["json", "rest-json"] {
            let v = read_with(model_of(protocol), body, TimestampParsing::Wire).unwrap();
            assert_eq!(v["T"], Value::Float(1.5));
            assert_eq!(v["L"][0], Value::Integer(1796556692));
            assert_eq!(v["L"][1], Value::String("2026-12-06T11:31:31.000Z".into()));
            assert_eq!(v["L"][2], Value::Float(1000.0));
            assert!(v["L"][3].as_f64().unwrap().is_nan());
        }
        // Parsed, the text that is no timestamp fails; as sent, nothing is checked.
        let odd = r#"{"T": "yesterday"}"#;
        assert!(read_as(model(), odd).is_err());
        let v = read_with(model(), odd, TimestampParsing::Wire).unwrap();
        assert_eq!(v["T"], Value::String("yesterday".into()));
    }

    /// A body that is not UTF-8 is refused whole, as botocore refuses it (it decodes the body
    /// before `json.loads`), even where the bad bytes sit in a member nobody reads; text that
    /// is UTF-8 reads the same, escapes and all.
    #[test]
    fn a_body_that_is_not_utf8_is_refused_whole() {
        for body in [
            &b"{\"N\": {\"F\": \"a\xff\"}}"[..],
            b"{\"unknown\": \"\xc3\"}",
        ] {
            for protocol in ["json", "rest-json"] {
                let e = read_bytes(model_of(protocol), body, TimestampParsing::Parsed).unwrap_err();
                let ParseError::Malformed { position, .. } = &e else {
                    panic!("{e:?}");
                };
                let at = body.iter().position(|&b| b >= 0x80).unwrap();
                assert_eq!(position, &format!("byte {at}"), "{e}");
                assert!(e.to_string().contains("not UTF-8"), "{e}");
            }
        }
        let v = read(r#"{"N": {"F": "caf\u00e9 café \ud83d\ude00 😀"}, "unknown": "ü"}"#).unwrap();
        assert_eq!(v["N"]["F"], Value::String("café café 😀 😀".into()));
        // A lone surrogate is refused, as it was read from bytes: a Rust string cannot hold
        // one. Python's `json.loads` keeps it (a known difference from botocore).
        let e = read(r#"{"N": {"F": "\ud800"}}"#).unwrap_err();
        assert!(
            matches!(e, ParseError::Malformed { .. }),
            "a lone surrogate: {e}"
        );
        // Text that is not ASCII survives the second reading of a body with a bare word.
        let v = read(r#"{"N": {"F": "é"}, "F": NaN}"#).unwrap();
        assert_eq!(v["N"]["F"], Value::String("é".into()));
        assert!(v["F"].as_f64().unwrap().is_nan());
    }

    /// An error document is held to the same rule (botocore decodes it first too): not UTF-8
    /// is refused, naming the byte; text that is not JSON is still the message.
    #[test]
    fn an_error_body_that_is_not_utf8_is_refused() {
        for body in [
            &b"{\"__type\": \"x#Boom\", \"message\": \"bad \xff\"}"[..],
            b"{\"__type\": \"Thrott\xc3",
            b"\xff\xfe{\x00}\x00",
        ] {
            let Err(e) = ErrorBody::read(body) else {
                panic!("{body:?} was read");
            };
            let at = body.iter().position(|&b| b >= 0x80).unwrap();
            assert!(e.to_string().contains(&format!("byte {at}")), "{e}");
        }
        let body = ErrorBody::read("{\"__type\": \"Thrott é".as_bytes()).unwrap();
        assert_eq!(
            body.message(),
            Value::String("{\"__type\": \"Thrott é".into())
        );
    }

    #[test]
    fn reads_typed_values() {
        let v = read(r#"{"B": "aGk=", "T": 1.5, "F": "NaN", "L": [0, "1970-01-01T00:00:02Z"], "x": {"y": [1]}}"#)
            .unwrap();
        assert_eq!(v["B"], Value::blob(&b"hi"[..]));
        assert_eq!(v["T"].as_timestamp().unwrap().epoch_f64(), 1.5);
        assert!(v["F"].as_f64().unwrap().is_nan());
        assert_eq!(v["L"][1].as_timestamp().unwrap().secs(), 2);
    }

    #[test]
    fn rest_json_converts_scalars_as_botocore_and_json_rpc_keeps_them() {
        let body = r#"{"I": "7", "Q": "TRUE", "F": true, "D": null}"#;
        let rest = read_as(model_of("rest-json"), body).unwrap();
        assert_eq!(rest["I"], Value::Integer(7));
        assert_eq!(rest["Q"], Value::Bool(true));
        assert_eq!(rest["F"], Value::Float(1.0));
        assert!(!rest.contains_key("D"), "a null document is left out");
        let rest = read_as(model_of("rest-json"), r#"{"I": 7.9, "Q": 1, "F": "1.5e3"}"#).unwrap();
        assert_eq!(
            (&rest["I"], &rest["Q"], &rest["F"]),
            (
                &Value::Integer(7),
                &Value::Bool(false),
                &Value::Float(1500.0)
            )
        );
        assert!(read_as(model_of("rest-json"), r#"{"I": "seven"}"#).is_err());
        // An event's payload is read as sent, as botocore's `EventStreamJSONParser` reads it.
        let m = model_of("rest-json");
        let s = m.shape_by_name("S").unwrap().as_structure().unwrap();
        let member = &s.members["I"];
        assert_eq!(
            read_value(
                &m,
                member,
                b"\"7\"",
                Scalars::AsSent,
                TimestampParsing::Parsed
            )
            .unwrap(),
            Value::String("7".into())
        );
        assert_eq!(
            read_value(
                &m,
                member,
                b"\"7\"",
                Scalars::RestJson,
                TimestampParsing::Parsed
            )
            .unwrap(),
            Value::Integer(7)
        );
        let rpc = read(body).unwrap();
        assert_eq!(rpc["I"], Value::String("7".into()));
        assert_eq!(rpc["Q"], Value::String("TRUE".into()));
        assert!(!rpc.contains_key("D"));
    }

    #[test]
    fn errors_carry_the_path() {
        let e = read(r#"{"N": {"L": [0, "not a time"]}}"#).unwrap_err();
        assert!(e.to_string().contains("N.L[1]"), "{e}");
        let e = read(r#"{"B": "#).unwrap_err();
        assert!(matches!(e, ParseError::Malformed { .. }), "{e}");
        let deep = "{\"N\":".repeat(5000) + "{}" + &"}".repeat(5000);
        assert!(read(&deep).is_err());
    }

    #[test]
    fn bare_non_finite_words_read_as_python_reads_them() {
        // JSON-RPC: the words, and a number too large for a float, are floats wherever they
        // stand (a document, a text member), as `json.loads` makes them.
        let v = read(
            r#"{"F": NaN, "D": [Infinity, -Infinity, 1e400, -1.5e999, "NaN", 2], "N": {"F": -Infinity}, "x": NaN}"#,
        )
        .unwrap();
        assert!(v["F"].as_f64().unwrap().is_nan());
        let Value::Document(d) = &v["D"] else {
            panic!("{:?}", v["D"])
        };
        assert_eq!(
            d.as_list().unwrap()[..5],
            [
                Value::Float(f64::INFINITY),
                Value::Float(f64::NEG_INFINITY),
                Value::Float(f64::INFINITY),
                Value::Float(f64::NEG_INFINITY),
                Value::String("NaN".into()),
            ]
        );
        assert_eq!(d.as_list().unwrap()[5], Value::Integer(2));
        assert_eq!(v["N"]["F"], Value::Float(f64::NEG_INFINITY));
        // Inside strings they are text, escapes and all.
        let v = read(r#"{"N": {"F": "a \" NaN"}, "F": NaN}"#).unwrap();
        assert_eq!(v["N"]["F"], Value::String("a \" NaN".into()));
        // REST-JSON's `int()` of them fails, as Python's does; its `float()` takes them.
        let e = read_as(model_of("rest-json"), r#"{"I": NaN}"#).unwrap_err();
        assert!(e.to_string().contains("NaN"), "{e}");
        assert!(
            read_as(model_of("rest-json"), r#"{"F": Infinity}"#).unwrap()["F"]
                .as_f64()
                .unwrap()
                .is_infinite()
        );
    }

    #[test]
    fn what_python_refuses_stays_refused() {
        // Python's `json.loads` has no `-NaN`, `nan` or `+Infinity`, takes no word where a key
        // belongs, and reads numbers by JSON's grammar (a leading zero, a bare point refused).
        for body in [
            r#"{"F": -NaN}"#,
            r#"{"F": nan}"#,
            r#"{"F": +Infinity}"#,
            r#"{"F": NaNa}"#,
            r#"{"F": 1, NaN: 1}"#,
            r#"{"F": 1, Infinity : 1}"#,
            r#"{1e400: 1}"#,
            r#"{"F": 01e400}"#,
            r#"{"F": 1.e400}"#,
            r#"{"F": -.1e400}"#,
            r#"{"F": 00.5e999}"#,
            r#"{"F": 1e400e1}"#,
        ] {
            let e = read(body).unwrap_err();
            // Reported where the body as sent has it.
            assert!(
                matches!(&e, ParseError::Malformed { position, .. } if position.starts_with("line 1 column ")),
                "{body}: {e:?}"
            );
        }
        // Not rewritten, so refused though Python takes it: a body with a NUL of its own in a
        // string, which a mark could be mistaken for.
        assert!(read(r#"{"F": NaN, "N": {"F": "\u0000NaN"}}"#).is_err());
        // An escaped backslash before `u0000` is no NUL.
        let v = read(r#"{"N": {"F": "C:\\u0000"}, "F": NaN}"#).unwrap();
        assert_eq!(v["N"]["F"], Value::String("C:\\u0000".into()));
        assert!(v["F"].as_f64().unwrap().is_nan());
        // Nothing to quote: a big integer (serde_json reads it as a finite float) or a word in
        // a string.
        assert_eq!(
            quote_non_finite(b"{\"I\": 1000000000000000000000000}"),
            None
        );
        assert_eq!(quote_non_finite(b"{\"I\": \"NaN\"}"), None);
        for (number, valid) in [
            ("0", true),
            ("-0.5e-3", true),
            ("1E+9", true),
            ("01", false),
            ("1.", false),
            (".5", false),
            ("-", false),
            ("1e", false),
            ("1e+", false),
            ("1-2", false),
        ] {
            assert_eq!(is_json_number(number.as_bytes()), valid, "{number}");
        }
    }

    #[test]
    fn the_json_protocols_word_for_a_float_is_a_float_and_other_text_is_kept() {
        let v = read(r#"{"F": "Infinity"}"#).unwrap();
        assert_eq!(v["F"], Value::Float(f64::INFINITY));
        let v = read(r#"{"F": "1.5"}"#).unwrap();
        assert_eq!(
            v["F"],
            Value::String("1.5".into()),
            "botocore keeps it as text"
        );
        let v = read(r#"{"F": "nan"}"#).unwrap();
        assert_eq!(v["F"], Value::String("nan".into()));
    }

    #[test]
    fn an_error_body_with_a_bare_word_keeps_its_code() {
        let body =
            ErrorBody::read(br#"{"__type": "x#Boom", "message": NaN, "n": [Infinity]}"#).unwrap();
        assert_eq!(body.object["__type"], "x#Boom");
        assert!(body.message().as_f64().unwrap().is_nan());
        // Read as text (a code), a word is the word, not the mark.
        let body =
            ErrorBody::read(br#"{"__type": NaN, "code": [-Infinity], "message": [NaN]}"#).unwrap();
        assert_eq!(body.object["__type"], "NaN");
        assert_eq!(body.object["code"], serde_json::json!(["-Infinity"]));
        let message = body.message();
        assert!(message.as_list().unwrap()[0].as_f64().unwrap().is_nan());
        // Without the rewrite, such a text is the message's own.
        let body = ErrorBody::read(br#"{"__type": "x#Boom", "message": "\u0000NaN"}"#).unwrap();
        assert_eq!(body.message(), Value::String("\0NaN".into()));
        // A word where a key belongs: not JSON to Python either, so the body is the message.
        let body = ErrorBody::read(br#"{"__type": "x#Boom", NaN: 1}"#).unwrap();
        assert!(!body.object.contains_key("__type"));
    }
}
