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

fn capitalized(name: &str) -> Cow<'_, str> {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) if !first.is_uppercase() => {
            let mut upper = String::with_capacity(name.len());
            upper.extend(first.to_uppercase());
            upper.push_str(chars.as_str());
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
    }
}
