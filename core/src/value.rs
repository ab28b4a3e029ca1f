//! [`Value`]: the one type for operation parameters and results, and the [`params!`](crate::params) macro.
//!
//! A value mirrors what botocore passes around as Python objects, with the distinctions a typed
//! language needs kept explicit: integers vs floats, text vs bytes (blobs), timestamps, and a slot
//! for a streaming body. Structures and maps are both [`Map`]s that keep insertion order, because
//! the wire order of serialized members follows the order the caller gave them (as botocore's does).
//! A document (Smithy's untyped JSON-like value) is marked by [`Value::Document`] around a tree
//! of null, bools, numbers, strings, lists and maps; it compares equal to that tree, and callers
//! may pass the plain tree for a document member.

use std::fmt;

use base64::Engine as _;
use bytes::Bytes;

use crate::body::StreamingBody;
use crate::time::Timestamp;

pub use crate::map::Map;

/// A [`Map`] key: a string that keeps up to 24 bytes inline. Member names and most map keys
/// are that short, so building a parsed structure allocates nothing for its keys (a 1,000-key
/// listing builds a thousand structures). It reads as a `&str` (`Deref`, `Borrow<str>`), so
/// `map["Key"]` and `map.get("Key")` work, and converts from `&str` and `String` with `into()`.
pub type Key = compact_str::CompactString;

/// The text of a [`Value::String`]: like [`Key`], up to 24 bytes inline. Most texts a response
/// carries are that short (a storage class, a state, a DynamoDB attribute), and a 1,000-key
/// listing would otherwise allocate for each. It reads as a `&str` (`Deref`, `as_str()`),
/// converts from `&str`, `String` and `Cow<str>` with `into()` (a longer `String` keeps its
/// buffer, it is not copied) and back with `into_string()`. It is compact_str 0.10's type, as
/// [`Key`] is: name it through this re-export, so a program's own compact_str version does not
/// have to match.
///
/// ```
/// use sansboto_core::{Text, Value};
///
/// let class = Value::String("STANDARD".into());
/// assert_eq!(class.as_str(), Some("STANDARD"));
/// if let Value::String(text) = class {
///     let owned: String = text.into_string();
///     assert_eq!(owned, "STANDARD");
/// }
/// let long = Text::from(String::from("a text longer than twenty-four bytes"));
/// assert!(long.is_heap_allocated());
/// ```
pub type Text = compact_str::CompactString;

/// The hasher of a [`Map`]'s index (a map of more than eight entries; a smaller one hashes
/// nothing): foldhash, seeded once per process at random. SipHash on short member names was a
/// noticeable part of parsing; a random seed keeps keys a server chooses (DynamoDB attribute
/// names, S3 metadata) from being picked to collide.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MapHasher;

impl std::hash::BuildHasher for MapHasher {
    type Hasher = foldhash::fast::FoldHasher<'static>;

    fn build_hasher(&self) -> Self::Hasher {
        // The per-hasher part of the seed is fixed; the shared part is the process's random one.
        foldhash::fast::FoldHasher::with_seed(
            0x9e37_79b9_7f4a_7c15,
            foldhash::SharedSeed::global_random(),
        )
    }
}

/// An empty [`Map`] with room for `capacity` entries.
///
/// ```
/// use sansboto_core::{map_with_capacity, Key, Value};
/// let mut item = map_with_capacity(2);
/// item.insert("Artist".into(), Value::from("No One You Know"));
/// let name = String::from("SongTitle");
/// item.insert(Key::from(name), Value::from("Call Me Today"));
/// assert_eq!(item["Artist"].as_str(), Some("No One You Know"));
/// assert_eq!(item.keys().map(Key::as_str).collect::<Vec<_>>(), ["Artist", "SongTitle"]);
/// ```
pub fn map_with_capacity(capacity: usize) -> Map {
    Map::with_capacity(capacity)
}

/// A [`Map`] key made once with its hash, for the member names a parser inserts over and over
/// (a 1,000-key listing inserts each of an object's member names a thousand times): inserting
/// it copies the inline key and hashes nothing, even into a map large enough to be indexed.
/// The hash is [`MapHasher`]'s, whose seed is fixed for the life of the process, so it stays
/// valid as long as the key does.
#[derive(Clone, Debug)]
pub(crate) struct HashedKey {
    key: Key,
    hash: u64,
}

impl HashedKey {
    pub(crate) fn new(name: &str) -> Self {
        use std::hash::BuildHasher as _;
        let key = Key::from(name);
        let hash = MapHasher.hash_one(&key);
        HashedKey { key, hash }
    }

    /// Append `value` under this key. The caller knows the key is not in `map` yet (a
    /// structure's member names are distinct, and the map is the one made for them).
    #[inline]
    pub(crate) fn insert_new(&self, map: &mut Map, value: Value) {
        map.push_distinct(self.key.clone(), value, Some(self.hash));
    }
}

/// A parameter or result value.
///
/// Dropping, cloning, comparing and printing a value recurse once per level of nesting, as
/// `serde_json::Value`'s do, and so do the JMESPath functions that walk a whole value
/// (`to_string`, comparisons). Every value the library builds from what it reads nests a
/// bounded number of levels (a response body at most 100 XML elements, 128 JSON or 256 CBOR
/// levels deep), and validation and serialization refuse parameters nested deeper than any
/// shape before walking them ([`nests_deeper_than`](Value::nests_deeper_than)). A value a
/// program builds itself tens of thousands of levels deep can overflow the stack when the
/// program drops it.
#[derive(Clone, Default)]
pub enum Value {
    /// Absent / JSON null.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (byte, short, integer, long; big integers that fit).
    Integer(i64),
    /// A float or double (including NaN and infinities).
    Float(f64),
    /// Text ([`Text`]: up to 24 bytes kept inline, so short values allocate nothing).
    String(Text),
    /// Bytes.
    Blob(Bytes),
    /// A point in time.
    Timestamp(Timestamp),
    /// A list.
    List(Vec<Value>),
    /// A structure or a map.
    Map(Map),
    /// An untyped document (a document-shaped member): null, bools, numbers, strings, lists and
    /// maps with no shape to interpret them.
    Document(Box<Value>),
    /// A streaming body (request payload supplied by the caller, or a response body to read).
    Stream(StreamingBody),
}

static NULL: Value = Value::Null;

impl Value {
    /// An empty structure.
    pub fn map() -> Self {
        Value::Map(Map::default())
    }

    /// A document wrapping `tree` (JSON-like values).
    pub fn document(tree: impl Into<Value>) -> Self {
        Value::Document(Box::new(tree.into()))
    }

    /// The value itself, or the tree inside a document.
    pub fn untagged(&self) -> &Value {
        match self {
            Value::Document(inner) => inner.untagged(),
            other => other,
        }
    }

    /// The value itself, or the tree inside a document, by value.
    pub fn into_untagged(self) -> Value {
        match self {
            Value::Document(inner) => inner.into_untagged(),
            other => other,
        }
    }

    /// A blob from anything byte-like.
    pub fn blob(bytes: impl Into<Bytes>) -> Self {
        Value::Blob(bytes.into())
    }

    /// The name of this value's kind, as used in validation messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Integer(_) => "integer",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Blob(_) => "blob",
            Value::Timestamp(_) => "timestamp",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Document(_) => "document",
            Value::Stream(_) => "stream",
        }
    }

    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether lists, maps and documents nest more than `limit` levels deep in this value.
    /// Looks no deeper than `limit + 1` levels, so any value can be asked about without the
    /// stack overflowing, and without allocating.
    ///
    /// ```
    /// use sansboto_core::Value;
    /// let nested = Value::List(vec![Value::List(vec![Value::from(1)])]);
    /// assert!(!nested.nests_deeper_than(2));
    /// assert!(nested.nests_deeper_than(1));
    /// ```
    pub fn nests_deeper_than(&self, limit: usize) -> bool {
        let children: &[Value] = match self {
            Value::List(items) => items,
            Value::Document(inner) => std::slice::from_ref(inner),
            Value::Map(map) => {
                return limit == 0 || map.values().any(|c| c.nests_deeper_than(limit - 1))
            }
            _ => return false,
        };
        limit == 0 || children.iter().any(|c| c.nests_deeper_than(limit - 1))
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self.untagged() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// An integer value (floats with no fraction count too).
    pub fn as_i64(&self) -> Option<i64> {
        match self.untagged() {
            Value::Integer(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            _ => None,
        }
    }

    /// A numeric value as a float.
    pub fn as_f64(&self) -> Option<f64> {
        match self.untagged() {
            Value::Integer(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// A boolean value.
    pub fn as_bool(&self) -> Option<bool> {
        match self.untagged() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The bytes of a blob.
    pub fn as_blob(&self) -> Option<&Bytes> {
        match self {
            Value::Blob(b) => Some(b),
            _ => None,
        }
    }

    /// A timestamp value.
    pub fn as_timestamp(&self) -> Option<Timestamp> {
        match self {
            Value::Timestamp(t) => Some(*t),
            _ => None,
        }
    }

    /// A timestamp, or what botocore reads as one: epoch seconds or text in any form
    /// [`Timestamp::parse_any`] takes. These are the forms a response keeps with
    /// [`TimestampParsing::Wire`](crate::parse::TimestampParsing::Wire) and a parameter may be
    /// given in.
    ///
    /// ```
    /// use sansboto_core::Value;
    /// let parsed = Value::from("2026-12-06T11:31:31.000Z").to_timestamp().unwrap();
    /// assert_eq!(Value::Float(1796556691.0).to_timestamp(), Some(parsed));
    /// assert_eq!(Value::Bool(true).to_timestamp(), None);
    /// ```
    pub fn to_timestamp(&self) -> Option<Timestamp> {
        match self.untagged() {
            Value::Timestamp(t) => Some(*t),
            Value::Integer(secs) => Some(Timestamp::from_secs(*secs)),
            Value::Float(secs) => Timestamp::from_epoch_f64(*secs),
            Value::String(text) => Timestamp::parse_any(text).ok(),
            _ => None,
        }
    }

    /// The items of a list.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self.untagged() {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The entries of a structure or map.
    pub fn as_map(&self) -> Option<&Map> {
        match self.untagged() {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Mutable entries of a structure or map.
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// A member of a structure or map, if this is one and it has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// Take the streaming body out of a [`Value::Stream`].
    pub fn as_stream(&self) -> Option<&StreamingBody> {
        match self {
            Value::Stream(s) => Some(s),
            _ => None,
        }
    }

    /// Convert to JSON the way the `sansboto` command prints results: blobs as base64,
    /// timestamps as ISO 8601 UTC, non-finite floats as the strings `"NaN"`, `"Infinity"`,
    /// `"-Infinity"`, streams as null.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null | Value::Stream(_) => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Integer(i) => J::from(*i),
            Value::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => J::Number(n),
                None => J::String(non_finite_name(*f).to_string()),
            },
            Value::String(s) => J::String(s.to_string()),
            Value::Blob(b) => J::String(base64::engine::general_purpose::STANDARD.encode(b)),
            Value::Timestamp(t) => J::String(t.to_iso8601()),
            Value::List(l) => J::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) => J::Object(
                m.iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
            Value::Document(inner) => inner.to_json(),
        }
    }

    /// Build a value from any serializable type: numbers, strings, lists, maps, and blobs for
    /// bytes (`Vec<u8>`, `[u8; N]`, `Box<[u8]>`, `serde_bytes`; an empty `Vec<u8>` stays an
    /// empty list). Blob and timestamp members may also be given as strings (or epoch numbers):
    /// serializers accept them the way botocore does.
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct Put { #[serde(rename = "Key")] key: String, #[serde(rename = "Body")] body: Vec<u8> }
    /// let v = sansboto_core::Value::from_serialize(&Put { key: "k".into(), body: b"hi".to_vec() }).unwrap();
    /// assert_eq!(v["Body"].as_blob().map(|b| &b[..]), Some(&b"hi"[..]));
    /// ```
    pub fn from_serialize<T: serde::Serialize + ?Sized>(
        value: &T,
    ) -> Result<Value, serde_json::Error> {
        value
            .serialize(crate::value_serializer::ValueSerializer)
            .map(crate::value_serializer::Out::into_value)
    }

    /// Read this value into any deserializable type (through [`to_json`](Self::to_json)).
    pub fn deserialize_into<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(self.to_json())
    }
}

/// The float one of [`non_finite_name`]'s spellings stands for.
pub(crate) fn non_finite_from_name(name: &str) -> Option<f64> {
    match name {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// The spelling botocore and the protocol tests use for non-finite floats.
pub(crate) fn non_finite_name(f: f64) -> &'static str {
    if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

impl std::ops::Index<&str> for Value {
    type Output = Value;
    /// A member of a structure or map, or [`Value::Null`] when absent (never panics).
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for Value {
    type Output = Value;
    /// An item of a list, or [`Value::Null`] when absent (never panics).
    fn index(&self, i: usize) -> &Value {
        self.as_list().and_then(|l| l.get(i)).unwrap_or(&NULL)
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Integer(a), Value::Integer(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::Integer(a), Value::Float(b)) | (Value::Float(b), Value::Integer(a)) => {
                *a as f64 == *b
            }
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Blob(a), Value::Blob(b)) => a == b,
            (Value::Timestamp(a), Value::Timestamp(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            // Structures compare as sets of members: order is a wire detail, not meaning.
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k) == Some(v))
            }
            // A document is its content: it equals the same tree, tagged or not.
            (Value::Document(a), b) | (b, Value::Document(a)) => a.as_ref() == b,
            _ => false,
        }
    }
}

/// The value as compact JSON, the way [`to_json`](Value::to_json) writes it: blobs in base64,
/// timestamps as botocore prints them.
///
/// ```
/// use sansboto_core::{params, Value};
/// let v: Value = params! {"Body": vec![104u8, 105]};
/// assert_eq!(v.to_string(), r#"{"Body":"aGk="}"#);
/// assert_eq!(Value::from(vec!["a", "b"]).to_string(), r#"["a","b"]"#);
/// ```
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Blob(b) if b.len() <= 64 => write!(f, "b{:?}", String::from_utf8_lossy(b)),
            Value::Blob(b) => write!(f, "<blob {} bytes>", b.len()),
            Value::Timestamp(t) => write!(f, "{t:?}"),
            Value::List(l) => f.debug_list().entries(l).finish(),
            Value::Map(m) => f.debug_map().entries(m).finish(),
            Value::Document(inner) => write!(f, "document({inner:?})"),
            Value::Stream(s) => write!(f, "{s:?}"),
        }
    }
}

impl From<serde_json::Value> for Value {
    fn from(j: serde_json::Value) -> Self {
        use serde_json::Value as J;
        match j {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Integer(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::String(s.into()),
            J::Array(a) => Value::List(a.into_iter().map(Value::from).collect()),
            J::Object(o) => Value::Map(
                o.into_iter()
                    .map(|(k, v)| (k.into(), Value::from(v)))
                    .collect(),
            ),
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self { Value::Integer(v as i64) }
        }
    )*};
}
// Not `u8`: bytes are blobs (`Vec<u8>`, `[u8; N]`, `Box<[u8]>`, `&[u8]`), never lists of numbers.
from_int!(i8, i16, i32, i64, u16, u32);

impl From<u64> for Value {
    fn from(v: u64) -> Self {
        i64::try_from(v)
            .map(Value::Integer)
            .unwrap_or(Value::Float(v as f64))
    }
}
impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::from(v as u64)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}
impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::Float(v as f64)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.into())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(v.into())
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::String(v.as_str().into())
    }
}
impl From<Text> for Value {
    fn from(v: Text) -> Self {
        Value::String(v)
    }
}
impl From<Bytes> for Value {
    fn from(v: Bytes) -> Self {
        Value::Blob(v)
    }
}
impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Blob(Bytes::copy_from_slice(v))
    }
}
impl<const N: usize> From<&[u8; N]> for Value {
    fn from(v: &[u8; N]) -> Self {
        Value::Blob(Bytes::copy_from_slice(v))
    }
}
impl<const N: usize> From<[u8; N]> for Value {
    fn from(v: [u8; N]) -> Self {
        Value::Blob(Bytes::copy_from_slice(&v))
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Blob(Bytes::from(v))
    }
}
impl From<Box<[u8]>> for Value {
    fn from(v: Box<[u8]>) -> Self {
        Value::Blob(Bytes::from(v))
    }
}
impl From<Timestamp> for Value {
    fn from(v: Timestamp) -> Self {
        Value::Timestamp(v)
    }
}
impl From<std::time::SystemTime> for Value {
    fn from(v: std::time::SystemTime) -> Self {
        Value::Timestamp(v.into())
    }
}
impl From<StreamingBody> for Value {
    fn from(v: StreamingBody) -> Self {
        Value::Stream(v)
    }
}
impl From<Map> for Value {
    fn from(v: Map) -> Self {
        Value::Map(v)
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Self {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}

/// Build a structure [`Value`] from `"Name": value` pairs, nesting as `serde_json::json!` does:
/// a value in braces is a structure, one in brackets a list (of values, structures in braces
/// and lists in brackets), `null` is [`Value::Null`], and anything else is an expression
/// `Into<Value>` (`vec![…]`, a nested `params!{…}`, a variable, `&b"…"[..]`).
///
/// ```
/// use sansboto_core::{params, Value};
/// let p = params! {"Bucket": "my-bucket", "Key": "a.txt", "Body": &b"hello"[..],
///                  "Tagging": {"TagSet": [{"Key": "k", "Value": "v"}]},
///                  "Metadata": {"a": "1"}, "Expected": null};
/// assert_eq!(p["Bucket"].as_str(), Some("my-bucket"));
/// assert_eq!(p["Tagging"]["TagSet"][0]["Value"].as_str(), Some("v"));
/// assert_eq!(p["Metadata"]["a"].as_str(), Some("1"));
/// assert_eq!(p["Expected"], Value::Null);
/// // Expressions still work, nested macros included.
/// let tags = vec![params! {"Key": "k", "Value": "v"}];
/// assert_eq!(params! {"TagSet": tags}["TagSet"][0]["Key"].as_str(), Some("k"));
/// ```
#[macro_export]
macro_rules! params {
    () => { $crate::Value::map() };
    ($($pairs:tt)+) => { $crate::__params!(@pairs [] $($pairs)+) };
}

/// [`params!`]'s reader: pairs (then list items) one at a time, each value by its first token.
#[doc(hidden)]
#[macro_export]
macro_rules! __params {
    // Every pair read: the map, made once for its pairs (not grown as they go in).
    (@pairs [$(($key:literal, $value:expr))*] $(,)?) => {{
        let mut map = $crate::Map::with_capacity([$($key),*].len());
        $( map.insert($crate::Key::from($key), $value); )*
        $crate::Value::Map(map)
    }};
    (@pairs [$($done:tt)*] $key:literal : null $(, $($rest:tt)*)?) => {
        $crate::__params!(@pairs [$($done)* ($key, $crate::Value::Null)] $($($rest)*)?)
    };
    (@pairs [$($done:tt)*] $key:literal : { $($inner:tt)* } $(, $($rest:tt)*)?) => {
        $crate::__params!(@pairs [$($done)* ($key, $crate::params!($($inner)*))] $($($rest)*)?)
    };
    (@pairs [$($done:tt)*] $key:literal : [ $($items:tt)* ] $(, $($rest:tt)*)?) => {
        $crate::__params!(@pairs [$($done)* ($key, $crate::__params!(@list [] $($items)*))]
            $($($rest)*)?)
    };
    (@pairs [$($done:tt)*] $key:literal : $value:expr $(, $($rest:tt)*)?) => {
        $crate::__params!(@pairs [$($done)* ($key, $crate::Value::from($value))] $($($rest)*)?)
    };
    // Every item read: the list.
    (@list [$($item:expr),*] $(,)?) => {
        $crate::Value::List(::std::vec![$($item),*])
    };
    (@list [$($item:expr),*] null $(, $($rest:tt)*)?) => {
        $crate::__params!(@list [$($item,)* $crate::Value::Null] $($($rest)*)?)
    };
    (@list [$($item:expr),*] { $($inner:tt)* } $(, $($rest:tt)*)?) => {
        $crate::__params!(@list [$($item,)* $crate::params!($($inner)*)] $($($rest)*)?)
    };
    (@list [$($item:expr),*] [ $($items:tt)* ] $(, $($rest:tt)*)?) => {
        $crate::__params!(@list [$($item,)* $crate::__params!(@list [] $($items)*)]
            $($($rest)*)?)
    };
    (@list [$($item:expr),*] $value:expr $(, $($rest:tt)*)?) => {
        $crate::__params!(@list [$($item,)* $crate::Value::from($value)] $($($rest)*)?)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_makes_its_map_once_for_its_pairs() {
        let Value::Map(map) = crate::params!("A": 1, "B": 2, "C": 3, "D": 4, "E": 5) else {
            panic!("params! makes a map");
        };
        assert_eq!(map.len(), 5);
        assert_eq!(map.capacity(), 5);
        // A repeated name still keeps its last value, in its first place.
        let p = crate::params! {"A": 1, "B": 2, "A": 3};
        assert_eq!(p.as_map().map(Map::len), Some(2));
        assert_eq!(p["A"], Value::Integer(3));
    }

    #[test]
    fn params_nests_as_json_does() {
        let n = 2;
        let p = crate::params! {
            "Map": {"A": {"B": [1, "two", null, {"C": n + 1}, [true, [format!("{}-{}", n, n)]]]}},
            "Empty": {}, "None": [], "Null": null,
            "Expr": vec![crate::params! {"K": "v"}],
        };
        let expected = Value::from(serde_json::json!({
            "Map": {"A": {"B": [1, "two", null, {"C": 3}, [true, ["2-2"]]]}},
            "Empty": {}, "None": [], "Null": null, "Expr": [{"K": "v"}],
        }));
        assert_eq!(p, expected);
    }

    #[test]
    fn bytes_are_blobs_never_lists() {
        let expected = Value::Blob(Bytes::from_static(b"hi"));
        assert_eq!(Value::from(b"hi".to_vec()), expected);
        assert_eq!(Value::from(*b"hi"), expected);
        assert_eq!(Value::from(b"hi"), expected);
        assert_eq!(Value::from(Box::<[u8]>::from(&b"hi"[..])), expected);
        assert_eq!(crate::params! {"B": b"hi".to_vec()}["B"], expected);
        // Other integer vectors stay lists.
        assert_eq!(
            Value::from(vec![1u16, 2]),
            Value::List(vec![Value::Integer(1), Value::Integer(2)])
        );
    }

    #[test]
    fn from_serialize_makes_blobs_of_bytes_and_keeps_the_rest() {
        use std::collections::BTreeMap;
        #[derive(serde::Serialize)]
        enum Shape {
            Unit,
            Pair(u8, u16),
            Named { n: u64 },
        }
        #[derive(serde::Serialize)]
        struct Input {
            body: Vec<u8>,
            fixed: [u8; 2],
            boxed: Box<[u8]>,
            nested: Vec<Vec<u8>>,
            numbers: Vec<u16>,
            empty: Vec<u8>,
            maybe: Option<String>,
            shapes: Vec<Shape>,
            by_id: BTreeMap<u32, bool>,
            big: u64,
        }
        let v = Value::from_serialize(&Input {
            body: b"hi".to_vec(),
            fixed: *b"ok",
            boxed: Box::from(&b"x"[..]),
            nested: vec![b"a".to_vec(), b"bc".to_vec()],
            numbers: vec![1, 2],
            empty: Vec::new(),
            maybe: None,
            shapes: vec![Shape::Unit, Shape::Pair(7, 8), Shape::Named { n: 9 }],
            by_id: BTreeMap::from([(3, true)]),
            big: u64::MAX,
        })
        .unwrap();
        let blob = |b: &'static [u8]| Value::Blob(Bytes::from_static(b));
        assert_eq!(v["body"], blob(b"hi"));
        assert_eq!(v["fixed"], blob(b"ok"));
        assert_eq!(v["boxed"], blob(b"x"));
        assert_eq!(v["nested"], Value::List(vec![blob(b"a"), blob(b"bc")]));
        assert_eq!(v["numbers"], Value::from(vec![1, 2]));
        assert_eq!(v["empty"], Value::List(Vec::new()));
        assert_eq!(v["maybe"], Value::Null);
        assert_eq!(v["shapes"][0], Value::from("Unit"));
        assert_eq!(
            v["shapes"][1]["Pair"],
            Value::List(vec![Value::Integer(7), Value::Integer(8)]),
            "a byte next to another number stays a number"
        );
        assert_eq!(v["shapes"][2]["Named"]["n"], Value::Integer(9));
        assert_eq!(v["by_id"]["3"], Value::Bool(true));
        assert!(matches!(v["big"], Value::Float(_)));
        // What JSON gave before, for everything but bytes.
        let through_json = Value::from(serde_json::json!({"a": [1, "x", null], "b": {"c": 1.5}}));
        assert_eq!(
            Value::from_serialize(&serde_json::json!({"a": [1, "x", null], "b": {"c": 1.5}}))
                .unwrap(),
            through_json
        );
    }

    #[test]
    fn display_is_compact_json_with_base64_blobs() {
        assert_eq!(Value::from(b"hi".to_vec()).to_string(), "\"aGk=\"");
        assert_eq!(Value::from(vec![1, 2]).to_string(), "[1,2]");
        assert_eq!(Value::Null.to_string(), "null");
        assert_eq!(
            Value::Timestamp(Timestamp::from_secs(0)).to_string(),
            "\"1970-01-01T00:00:00Z\""
        );
    }

    #[test]
    fn json_round_trip_keeps_order_and_kinds() {
        let j = serde_json::json!({"b": 1, "a": [1.5, "x", null, true], "c": {"d": -3}});
        let v = Value::from(j.clone());
        assert_eq!(
            v.as_map().unwrap().keys().collect::<Vec<_>>(),
            ["b", "a", "c"]
        );
        assert!(matches!(v["a"][0], Value::Float(_)));
        assert!(matches!(v["b"], Value::Integer(1)));
        assert_eq!(v.to_json(), j);
    }

    #[test]
    fn serde_bridge() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Item {
            #[serde(rename = "Key")]
            key: String,
            #[serde(rename = "Size")]
            size: u32,
        }
        let v = Value::from_serialize(&Item {
            key: "k".into(),
            size: 3,
        })
        .unwrap();
        assert_eq!(v, params! {"Key": "k", "Size": 3});
        let back: Item = v.deserialize_into().unwrap();
        assert_eq!(
            back,
            Item {
                key: "k".into(),
                size: 3
            }
        );
    }

    #[test]
    fn blobs_and_timestamps_print_as_text() {
        let v = params! {"B": &b"\x01\x02"[..], "T": Timestamp::from_secs(0), "N": f64::NAN};
        assert_eq!(
            v.to_json(),
            serde_json::json!({"B": "AQI=", "T": "1970-01-01T00:00:00Z", "N": "NaN"})
        );
    }

    #[test]
    fn missing_members_index_to_null() {
        let v = params! {"A": 1};
        assert!(v["nope"]["deeper"][3].is_null());
    }

    #[test]
    fn documents_compare_by_content_and_print_as_their_tree() {
        let tree = params! {"a": vec![1, 2], "b": params!{"c": true}};
        let doc = Value::document(tree.clone());
        assert_eq!(doc, tree);
        assert_eq!(tree, doc);
        assert_eq!(doc.kind(), "document");
        assert_eq!(doc["b"]["c"].as_bool(), Some(true));
        assert_eq!(doc.to_json(), tree.to_json());
        assert_ne!(Value::document(1), Value::from(2));
    }
}
