//! The AWS query protocol: `Action`, `Version` and every member flattened into form-encoded
//! `Name.member.1.Key=value` pairs in a POST body, encoded as botocore's `urlencode` encodes
//! them (a space is `+`).
//!
//! EC2's variant shares this writer and differs only in names and lists (see `ec2.rs`), so the
//! walk takes a [`Flavor`].

use std::borrow::Cow;
use std::fmt::Write as _;

use super::{
    expect_list, expect_map, insert_static_header, push_scalar_text, Call, Path, SerializeError,
    SerializedRequest, WrongKinds,
};
use crate::body::Body;
use crate::encoding::push_form_encoded;
use crate::model::{ServiceModel, ShapeKind, ShapeRef, Structure, TimestampFormat};
use crate::value::{Map, Value};

/// Which query dialect to write.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Flavor {
    /// awsQuery.
    Query,
    /// ec2Query: `queryName` or capitalised `locationName`; lists are `Name.1`, never empty.
    Ec2,
}

/// Serialize a query-protocol request.
pub(super) fn serialize(call: &Call<'_>) -> Result<SerializedRequest, SerializeError> {
    serialize_flavor(call, Flavor::Query)
}

pub(super) fn serialize_flavor(
    call: &Call<'_>,
    flavor: Flavor,
) -> Result<SerializedRequest, SerializeError> {
    let mut writer = FormWriter {
        model: call.model,
        flavor,
        wrong: WrongKinds::body(call.validated),
        out: String::with_capacity(256),
        key: String::with_capacity(64),
    };
    writer.out.push_str("Action=");
    push_form_encoded(&mut writer.out, &call.operation.name);
    writer.out.push_str("&Version=");
    push_form_encoded(&mut writer.out, &call.model.metadata.api_version);
    if let Some((_, input)) = call.input {
        writer.structure(input, call.params, &Path::Root)?;
    }

    let mut request = SerializedRequest::new(call.method()?, "/".to_string());
    insert_static_header(
        &mut request.headers,
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    );
    request.body = Body::from(writer.out);
    request.host_prefix = call.host_prefix()?;
    Ok(request)
}

/// Writes `key=value` pairs; `key` holds the dotted prefix of the value being written.
struct FormWriter<'m> {
    model: &'m ServiceModel,
    flavor: Flavor,
    /// What is made of scalars of the wrong kind.
    wrong: WrongKinds,
    out: String,
    key: String,
}

impl FormWriter<'_> {
    fn structure(
        &mut self,
        shape: &Structure,
        params: &Map,
        path: &Path<'_>,
    ) -> Result<(), SerializeError> {
        for (name, value) in params {
            let path = path.member(name);
            let member = shape.members.get(name.as_str()).ok_or_else(|| {
                SerializeError::UnknownParameter {
                    path: path.to_string(),
                }
            })?;
            if value.is_null() {
                continue;
            }
            let mark = self.key.len();
            if mark > 0 {
                self.key.push('.');
            }
            let wire = self.member_name(member, name);
            self.key.push_str(&wire);
            self.value(member, value, &path)?;
            self.key.truncate(mark);
        }
        Ok(())
    }

    /// The name a member is written under.
    fn member_name<'r>(&self, member: &'r ShapeRef, default: &'r str) -> Cow<'r, str> {
        match self.flavor {
            Flavor::Query => Cow::Borrowed(member.location_name.as_deref().unwrap_or(default)),
            Flavor::Ec2 => super::ec2::member_name(member, default),
        }
    }

    fn value(
        &mut self,
        member: &ShapeRef,
        value: &Value,
        path: &Path<'_>,
    ) -> Result<(), SerializeError> {
        let shape = self.model.shape(member.shape);
        match &shape.kind {
            ShapeKind::Structure(s) => self.structure(s, expect_map(value, path)?, path),
            ShapeKind::List(item) => self.list(member, item, expect_list(value, path)?, path),
            ShapeKind::Map { key, value: v } => {
                self.map(member, key, v, expect_map(value, path)?, path)
            }
            kind => {
                let mut text = String::new();
                push_scalar_text(
                    kind,
                    member,
                    value,
                    path,
                    TimestampFormat::Iso8601,
                    self.wrong,
                    &mut text,
                )?;
                self.pair(&text);
                Ok(())
            }
        }
    }

    fn list(
        &mut self,
        list: &ShapeRef,
        item: &ShapeRef,
        items: &[Value],
        path: &Path<'_>,
    ) -> Result<(), SerializeError> {
        let mark = self.key.len();
        match self.flavor {
            Flavor::Ec2 => {}
            Flavor::Query if items.is_empty() => {
                // awsQuery says "this list is empty" with an empty value.
                self.pair("");
                return Ok(());
            }
            Flavor::Query if list.flattened => {
                if let Some(name) = item.location_name.as_deref() {
                    // A flattened list's items take the member's name in place of the list's.
                    let last = self.key.rfind('.').map_or(0, |i| i + 1);
                    self.key.truncate(last);
                    self.key.push_str(name);
                }
            }
            Flavor::Query => {
                self.key.push('.');
                self.key
                    .push_str(item.location_name.as_deref().unwrap_or("member"));
            }
        }
        let list_prefix = self.key.len();
        for (i, v) in items.iter().enumerate() {
            let _ = write!(self.key, ".{}", i + 1);
            if !v.is_null() {
                self.value(item, v, &path.index(i))?;
            }
            self.key.truncate(list_prefix);
        }
        self.key.truncate(mark);
        Ok(())
    }

    fn map(
        &mut self,
        map: &ShapeRef,
        key_ref: &ShapeRef,
        value_ref: &ShapeRef,
        entries: &Map,
        path: &Path<'_>,
    ) -> Result<(), SerializeError> {
        let mark = self.key.len();
        if !map.flattened {
            self.key.push_str(".entry");
        }
        let entry_prefix = self.key.len();
        let key_name = self.member_name(key_ref, "key");
        let value_name = self.member_name(value_ref, "value");
        for (i, (k, v)) in entries.iter().enumerate() {
            let _ = write!(self.key, ".{}.", i + 1);
            let entry = self.key.len();
            self.key.push_str(&key_name);
            self.pair(k);
            self.key.truncate(entry);
            if !v.is_null() {
                self.key.push_str(&value_name);
                self.value(value_ref, v, &path.key(k))?;
            }
            self.key.truncate(entry_prefix);
        }
        self.key.truncate(mark);
        Ok(())
    }

    fn pair(&mut self, value: &str) {
        self.out.push('&');
        push_form_encoded(&mut self.out, &self.key);
        self.out.push('=');
        push_form_encoded(&mut self.out, value);
    }
}
