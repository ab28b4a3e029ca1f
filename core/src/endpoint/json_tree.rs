//! A JSON tree that borrows its strings from the document, for the one walk that prepares a
//! ruleset (or partitions) from its text.
//!
//! `serde_json::Value` (with `preserve_order`) gives every object a hash table and every string
//! its own allocation; the preparation reads each node once and keeps only what it turns into
//! its prepared form, so that tree was most of a first S3 client's ruleset cost (S3's ruleset
//! has about 2,700 objects). Objects here are lists of pairs with the semantics of serde_json's
//! map: a repeated key keeps its first position and takes the last value. Keys are found by a
//! linear search, which suits these documents (rules, conditions and partitions have a handful
//! of keys; the largest object, a partition's regions, a few dozen).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// One JSON value; strings borrow from the document unless they had escapes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Object<'a>),
}

/// A JSON object: its entries in document order, keys unique.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Object<'a>(Vec<(Cow<'a, str>, Node<'a>)>);

impl<'a> Object<'a> {
    /// The value under `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Entries in document order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Node<'a>)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &Node<'a>> {
        self.0.iter().map(|(_, v)| v)
    }

    /// Adds an entry as serde_json's map does: a key already present keeps its place and
    /// takes the new value. The search is linear, so an object of n keys costs n² / 2
    /// compares: fine for rule sets and partitions (their largest objects hold a few dozen
    /// keys), and a data directory is trusted input like the models themselves.
    fn insert(&mut self, key: Cow<'a, str>, value: Node<'a>) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.0.push((key, value)),
        }
    }
}

impl<'a> Node<'a> {
    /// Parses a whole document (serde_json's syntax errors and recursion limit).
    pub(crate) fn parse(document: &'a [u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(document)
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Node::Object(map) => Some(map),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&[Node<'a>]> {
        match self {
            Node::Array(items) => Some(items),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Node::Null)
    }

    /// The value under `key` when this is an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.as_object()?.get(key)
    }

    /// The same value as a `serde_json::Value` (owned), for the parts kept as JSON.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::String(s) => Value::String(s.to_string()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.to_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Node<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // serde_json's parser never yields a non-finite number; `Value` maps one to null too.
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Node::String(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Node::String(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Node::String(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = Object::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            object.insert(key.0, map.next_value()?);
        }
        Ok(Node::Object(object))
    }
}

/// An object key, borrowed when it can be.
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Node::deserialize(deserializer)? {
            Node::String(s) => Ok(Key(s)),
            _ => Err(de::Error::custom("object key is not a string")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_to_the_value_serde_json_reads() {
        let documents = [
            r#"{"a": [1, -2, 3.5, 1e400, true, null, "x\"y"], "b": {"c": {}}, "a": "last"}"#,
            r#"[{"k": 18446744073709551615}, -9223372036854775808, 0.1]"#,
            r#""\u00e9t\u00e9""#,
        ];
        for document in documents {
            let expected: Result<Value, _> = serde_json::from_str(document);
            let node = Node::parse(document.as_bytes()).map(|n| n.to_value());
            match (expected, node) {
                (Ok(expected), Ok(node)) => assert_eq!(node, expected, "{document}"),
                (Err(_), Err(_)) => {}
                (expected, node) => panic!("{document}: {expected:?} vs {node:?}"),
            }
        }
    }

    #[test]
    fn repeated_keys_keep_their_place_and_take_the_last_value() {
        let node = Node::parse(br#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        let object = node.as_object().unwrap();
        assert_eq!(object.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(object.get("a"), Some(&Node::Number(3.into())));
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let node = Node::parse(br#"["plain", "esc\naped"]"#).unwrap();
        let items = node.as_array().unwrap();
        assert!(matches!(&items[0], Node::String(Cow::Borrowed("plain"))));
        assert!(matches!(&items[1], Node::String(Cow::Owned(s)) if s == "esc\naped"));
    }

    #[test]
    fn syntax_errors_and_deep_nesting_are_errors() {
        assert!(Node::parse(b"{").is_err());
        assert!(Node::parse(b"[1,]").is_err());
        let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        assert!(Node::parse(deep.as_bytes()).is_err());
    }
}
