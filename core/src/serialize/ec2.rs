//! EC2's query dialect: the awsQuery form body with EC2's naming and list rules.
//!
//! A member is written under its `queryName`, else its `locationName` with the first letter
//! capitalised, else its member name; lists are `Name.1`, `Name.2` (no `member` segment, no
//! flattening) and an empty list writes nothing.

use std::borrow::Cow;

use super::query::{serialize_flavor, Flavor};
use super::{Call, SerializeError, SerializedRequest};
use crate::model::ShapeRef;

/// Serialize an ec2-protocol request.
pub(super) fn serialize(call: &Call<'_>) -> Result<SerializedRequest, SerializeError> {
    serialize_flavor(call, Flavor::Ec2)
}

/// The name EC2 writes a member (or map key/value) under. EC2's models give nearly every
/// member a `queryName`, so the capitalising copy is rare.
pub(super) fn member_name<'r>(member: &'r ShapeRef, default: &'r str) -> Cow<'r, str> {
    if let Some(name) = member.query_name.as_deref() {
        return Cow::Borrowed(name);
    }
    match member.location_name.as_deref() {
        Some(name) => capitalized(name),
        None => Cow::Borrowed(default),
    }
}

/// botocore's `name[0].upper() + name[1:]`. Member names are identifiers (Smithy's grammar:
/// ASCII letters, digits, `_`), so ASCII uppercasing is Python's `upper()` on them; it also keeps
/// std's Unicode case tables (≈ 14 KB) out of every binary that can serialize EC2.
fn capitalized(name: &str) -> Cow<'_, str> {
    match name.as_bytes().first() {
        Some(first) if first.is_ascii_lowercase() => {
            let mut upper = name.to_string();
            upper[..1].make_ascii_uppercase();
            Cow::Owned(upper)
        }
        _ => Cow::Borrowed(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitalizes_location_names() {
        assert_eq!(capitalized("fooBar"), "FooBar");
        assert_eq!(capitalized("FooBar"), "FooBar");
        assert_eq!(capitalized(""), "");
        assert_eq!(capitalized("_x"), "_x");
        assert_eq!(capitalized("a"), "A");
    }
}
