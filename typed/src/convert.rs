//! Typed values to and from the core's [`Value`], without a JSON detour: [`IntoValue`] builds
//! the parameter tree the dynamic `call` takes, [`FromValue`] reads a result or an error's
//! fields back (leniently: members the type does not know are ignored, as a newer service may
//! send them).

use std::fmt;

use bytes::Bytes;
use indexmap::IndexMap;
use sansboto_core::runtime::{take_body, Transport};
use sansboto_core::StreamingBody;
use sansboto_core::Timestamp;
use sansboto_core::{map_with_capacity, Map, Value};

/// A value of the wrong kind where a typed member expected another.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: expected {expected}, found {found}")]
#[non_exhaustive]
pub struct ConvertError {
    /// Where, as member names from the outermost structure (`Contents[3].Size`).
    pub path: String,
    /// The kind the type wanted.
    pub expected: &'static str,
    /// The kind the value had.
    pub found: &'static str,
}

impl ConvertError {
    fn new(expected: &'static str, found: &Value) -> Self {
        ConvertError {
            path: String::new(),
            expected,
            found: found.kind(),
        }
    }

    fn within(mut self, segment: &str) -> Self {
        self.path = match (self.path.is_empty(), self.path.starts_with('[')) {
            (true, _) => segment.to_string(),
            (false, true) => format!("{segment}{}", self.path),
            (false, false) => format!("{segment}.{}", self.path),
        };
        self
    }
}

/// A typed value as the core's parameter [`Value`].
pub trait IntoValue {
    /// The value the dynamic `call` would be given for the same parameters.
    fn into_value(self) -> Value;
}

/// A typed value read from a result [`Value`].
pub trait FromValue: Sized {
    /// Read `value`, failing with the path of the first member of the wrong kind.
    fn from_value(value: Value) -> Result<Self, ConvertError>;
}

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            fn into_value(self) -> Value {
                Value::Integer(self.into())
            }
        }
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self, ConvertError> {
                match value {
                    Value::Integer(i) => <$t>::try_from(i)
                        .map_err(|_| ConvertError::new(stringify!($t), &Value::Integer(i))),
                    other => Err(ConvertError::new("an integer", &other)),
                }
            }
        }
    )*};
}
integer!(i32, i64);

impl IntoValue for f64 {
    fn into_value(self) -> Value {
        Value::Float(self)
    }
}
impl FromValue for f64 {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Float(f) => Ok(f),
            // A double written without a fraction parses as an integer.
            Value::Integer(i) => Ok(i as f64),
            other => Err(ConvertError::new("a number", &other)),
        }
    }
}
impl IntoValue for f32 {
    fn into_value(self) -> Value {
        Value::Float(self.into())
    }
}
impl FromValue for f32 {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        f64::from_value(value).map(|f| f as f32)
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}
impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(ConvertError::new("a boolean", &other)),
        }
    }
}

impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::String(self.into())
    }
}
impl FromValue for String {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::String(s) => Ok(s.into_string()),
            other => Err(ConvertError::new("a string", &other)),
        }
    }
}

impl IntoValue for Bytes {
    fn into_value(self) -> Value {
        Value::Blob(self)
    }
}
impl FromValue for Bytes {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Blob(b) => Ok(b),
            // Parameters given as text (botocore accepts `str` for blobs).
            Value::String(s) => Ok(Bytes::from(s.into_string())),
            other => Err(ConvertError::new("a blob", &other)),
        }
    }
}

impl IntoValue for Timestamp {
    fn into_value(self) -> Value {
        Value::Timestamp(self)
    }
}
impl FromValue for Timestamp {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        // The forms botocore accepts for a timestamp parameter: epoch seconds or text.
        value
            .to_timestamp()
            .ok_or_else(|| ConvertError::new("a timestamp", &value))
    }
}

/// Documents and event streams stay untyped values.
impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}
impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        Ok(value)
    }
}

impl<T: IntoValue> IntoValue for Box<T> {
    fn into_value(self) -> Value {
        (*self).into_value()
    }
}
impl<T: FromValue> FromValue for Box<T> {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        T::from_value(value).map(Box::new)
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(IntoValue::into_value).collect())
    }
}
impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| T::from_value(v).map_err(|e| e.within(&format!("[{i}]"))))
                .collect(),
            other => Err(ConvertError::new("a list", &other)),
        }
    }
}

/// Maps keep their order: it is the order of headers, query parameters and attributes sent.
impl<T: IntoValue> IntoValue for IndexMap<String, T> {
    fn into_value(self) -> Value {
        let mut map = map_with_capacity(self.len());
        for (k, v) in self {
            map.insert(k.into(), v.into_value());
        }
        Value::Map(map)
    }
}
impl<T: FromValue> FromValue for IndexMap<String, T> {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        let map = expect_map(value)?;
        map.into_iter()
            .map(|(k, v)| match T::from_value(v) {
                Ok(v) => Ok((k.to_string(), v)),
                Err(e) => Err(e.within(&k)),
            })
            .collect()
    }
}

/// A streaming member: bytes or a stream given as a parameter, or the unread response body of
/// a result (take it as the transport's body type with [`take_body`](Self::take_body)).
#[derive(Clone, Default, PartialEq)]
pub struct Payload(Value);

impl Payload {
    /// A payload streamed from a transport's body source (`sansboto_tokio::stream_body(...)`).
    pub fn stream(body: StreamingBody) -> Self {
        Payload(Value::Stream(body))
    }

    /// The unread response body as transport `T`'s body type; `None` when it is not an unread
    /// stream (already taken, or bytes).
    pub fn take_body<T: Transport>(&self) -> Option<T::ResponseBody> {
        take_body::<T>(&self.0)
    }

    /// The bytes, when the payload is bytes rather than a stream.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        self.0.as_blob().map(|b| &b[..])
    }

    /// The payload as the dynamic API's value (for the transports' `take_body`).
    pub fn as_value(&self) -> &Value {
        &self.0
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Value::Blob(b) => write!(f, "Payload({} bytes)", b.len()),
            Value::Stream(s) => write!(f, "Payload({s:?})"),
            other => write!(f, "Payload({})", other.kind()),
        }
    }
}

impl From<Bytes> for Payload {
    fn from(b: Bytes) -> Self {
        Payload(Value::Blob(b))
    }
}
impl From<Vec<u8>> for Payload {
    fn from(b: Vec<u8>) -> Self {
        Payload(Value::Blob(b.into()))
    }
}
impl From<&'static [u8]> for Payload {
    fn from(b: &'static [u8]) -> Self {
        Payload(Value::Blob(Bytes::from_static(b)))
    }
}
impl From<&'static str> for Payload {
    fn from(s: &'static str) -> Self {
        Payload(Value::Blob(Bytes::from_static(s.as_bytes())))
    }
}
impl From<StreamingBody> for Payload {
    fn from(s: StreamingBody) -> Self {
        Payload::stream(s)
    }
}

impl IntoValue for Payload {
    fn into_value(self) -> Value {
        self.0
    }
}
impl FromValue for Payload {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Blob(_) | Value::Stream(_) => Ok(Payload(value)),
            Value::String(s) => Ok(Payload(Value::Blob(s.into_string().into()))),
            other => Err(ConvertError::new("a payload", &other)),
        }
    }
}

/// The input or output of an operation the model gives none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Empty;

impl IntoValue for Empty {
    fn into_value(self) -> Value {
        Value::map()
    }
}
impl FromValue for Empty {
    fn from_value(_: Value) -> Result<Self, ConvertError> {
        Ok(Empty)
    }
}

/// Debug output of a sensitive member: whether it is set, never what it is.
pub struct Redacted<'a, T>(pub &'a Option<T>);

impl<T> fmt::Debug for Redacted<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(_) => f.write_str("Some(*** Sensitive Data Redacted ***)"),
            None => f.write_str("None"),
        }
    }
}

/// A structure's members, or the error of a value that is not one.
/// Null counts as no members, as the dynamic `call` takes it.
pub fn expect_map(value: Value) -> Result<Map, ConvertError> {
    match value {
        Value::Map(m) => Ok(m),
        Value::Null => Ok(Map::default()),
        other => Err(ConvertError::new("a structure or map", &other)),
    }
}

/// Set member `name` when the typed field is set.
pub fn put<T: IntoValue>(map: &mut Map, name: &str, field: Option<T>) {
    if let Some(v) = field {
        map.insert(name.into(), v.into_value());
    }
}

/// Read member `name` (absent or null: `None`).
pub fn take<T: FromValue>(map: &mut Map, name: &str) -> Result<Option<T>, ConvertError> {
    match map.swap_remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => T::from_value(v).map(Some).map_err(|e| e.within(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_kinds_are_reported_with_their_path() {
        let mut inner = Map::default();
        inner.insert("Size".into(), Value::String("big".into()));
        let v = Value::List(vec![Value::Map(Map::default()), Value::Map(inner)]);
        let items = expect_map(Value::Map(
            [("Contents".into(), v)].into_iter().collect::<Map>(),
        ))
        .unwrap();
        let mut items = items;
        let err = take::<Vec<IndexMap<String, i64>>>(&mut items, "Contents").unwrap_err();
        assert_eq!(err.path, "Contents[1].Size");
        assert_eq!(err.expected, "an integer");
        assert_eq!(err.found, Value::String(Default::default()).kind());
    }

    #[test]
    fn integers_out_of_range_are_errors() {
        assert!(i32::from_value(Value::Integer(i64::from(i32::MAX) + 1)).is_err());
        assert_eq!(i32::from_value(Value::Integer(-5)), Ok(-5));
    }

    #[test]
    fn timestamps_accept_the_parameter_forms() {
        let t = Timestamp::from_value(Value::String("2020-01-02T03:04:05Z".into())).unwrap();
        assert_eq!(t, Timestamp::from_value(Value::Integer(t.secs())).unwrap());
        assert!(Timestamp::from_value(Value::String("not a time".into())).is_err());
    }

    #[test]
    fn redacted_shows_presence_only() {
        let secret = Some("hunter2".to_string());
        assert_eq!(
            format!("{:?}", Redacted(&secret)),
            "Some(*** Sensitive Data Redacted ***)"
        );
        assert_eq!(format!("{:?}", Redacted::<String>(&None)), "None");
    }
}
