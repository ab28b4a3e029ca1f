//! REST with XML bodies: members bound to the URI, query string and headers; the rest (or the
//! payload member) as an XML document.
//!
//! The root element is named by the input's (or payload member's) `locationName` and carries
//! its `xmlNamespace`. Lists wrap items in `member` (or the member's name) unless flattened;
//! maps write `entry`/`key`/`value`; `xmlAttribute` members become attributes of their
//! structure's element. Timestamps default to ISO 8601. An unset payload, or an input without
//! body members, sends no body.

use super::xml::XmlWriter;
use super::{
    expect_list, expect_map, http_bindings, payload_member, raw_payload, rest_request,
    rest_request_without_input, scalar_text, Call, Location, Path, SerializeError,
    SerializedRequest, WrongKinds,
};
use crate::body::Body;
use crate::model::{ServiceModel, ShapeKind, ShapeRef, Structure, TimestampFormat, XmlNamespace};
use crate::value::{Map, Value};

/// Serialize a rest-xml request.
pub(super) fn serialize(call: &Call<'_>) -> Result<SerializedRequest, SerializeError> {
    let Some((input_ref, input)) = call.input else {
        return rest_request_without_input(call);
    };
    let bindings = http_bindings(call, input)?;
    let root = Path::Root;
    // Made only for a body to write: a blob payload (S3's uploads) or no body needs none, and
    // its buffer is an allocation.
    let writer = || BodyWriter {
        model: call.model,
        wrong: WrongKinds::body(call.validated),
        xml: XmlWriter::new(),
    };
    let body = match payload_member(call) {
        Some((name, _, true)) => raw_payload(call.params.get(name), &root.member(name))?,
        Some((name, member, false)) => match call.params.get(name).filter(|v| !v.is_null()) {
            Some(value) => {
                let element = member.wire_name();
                let mut writer = writer();
                writer.value(member, element, value, &root.member(name))?;
                Body::from(writer.xml.finish())
            }
            None => Body::Empty,
        },
        None if bindings.has_body_members => {
            let element = root_name(call.model, input_ref);
            let mut writer = writer();
            writer.structure(
                input,
                element,
                input_ref.xml_namespace.as_ref(),
                call.params,
                &root,
                true,
            )?;
            Body::from(writer.xml.finish())
        }
        None => Body::Empty,
    };
    rest_request(call, bindings, body)
}

/// The input's element name: its `locationName`, else the shape's name.
fn root_name<'m>(model: &'m ServiceModel, input: &'m ShapeRef) -> &'m str {
    match input.location_name.as_deref() {
        Some(name) => name,
        None => &model.shape(input.shape).name,
    }
}

struct BodyWriter<'m> {
    model: &'m ServiceModel,
    /// What is made of scalars of the wrong kind (an attribute's are refused: botocore's
    /// `ElementTree` cannot write them).
    wrong: WrongKinds,
    xml: XmlWriter,
}

impl BodyWriter<'_> {
    /// `<element xmlns…>` for a value of `member`'s shape.
    fn value(
        &mut self,
        member: &ShapeRef,
        element: &str,
        value: &Value,
        path: &Path<'_>,
    ) -> Result<(), SerializeError> {
        let model = self.model;
        let namespace = member.xml_namespace.as_ref();
        match &model.shape(member.shape).kind {
            ShapeKind::Structure(s) => {
                self.structure(s, element, namespace, expect_map(value, path)?, path, false)
            }
            ShapeKind::List(item) => {
                let items = expect_list(value, path)?;
                let item_name = if member.flattened {
                    element
                } else {
                    self.start(element, namespace);
                    item.location_name.as_deref().unwrap_or("member")
                };
                for (i, v) in items.iter().enumerate().filter(|(_, v)| !v.is_null()) {
                    self.value(item, item_name, v, &path.index(i))?;
                }
                if !member.flattened {
                    self.xml.end(element);
                }
                Ok(())
            }
            ShapeKind::Map { key, value: item } => {
                let entries = expect_map(value, path)?;
                let key_name = key.location_name.as_deref().unwrap_or("key");
                let value_name = item.location_name.as_deref().unwrap_or("value");
                let entry_name = if member.flattened {
                    element
                } else {
                    self.start(element, namespace);
                    "entry"
                };
                for (k, v) in entries {
                    self.xml.start(entry_name);
                    self.start(key_name, key.xml_namespace.as_ref());
                    self.xml.text(k);
                    self.xml.end(key_name);
                    if !v.is_null() {
                        self.value(item, value_name, v, &path.key(k))?;
                    }
                    self.xml.end(entry_name);
                }
                if !member.flattened {
                    self.xml.end(element);
                }
                Ok(())
            }
            _ => self.scalar_element(member, element, value, path),
        }
    }

    /// A structure element: namespace and attribute members first, then child elements.
    fn structure(
        &mut self,
        shape: &Structure,
        element: &str,
        namespace: Option<&XmlNamespace>,
        params: &Map,
        path: &Path<'_>,
        body_only: bool,
    ) -> Result<(), SerializeError> {
        self.start(element, namespace);
        let mut children = false;
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
            if member.xml_attribute {
                let text = scalar_text(
                    self.model,
                    member,
                    value,
                    &path,
                    TimestampFormat::Iso8601,
                    WrongKinds::Refuse,
                )?;
                self.xml.attribute(member.wire_name(), &text);
            } else {
                children = true;
            }
        }
        if children {
            for (name, value) in params {
                let Some(member) = shape.members.get(name.as_str()) else {
                    continue;
                };
                if value.is_null()
                    || member.xml_attribute
                    || (body_only && member.location != Location::Body)
                {
                    continue;
                }
                self.value(member, member.wire_name(), value, &path.member(name))?;
            }
        }
        self.xml.end(element);
        Ok(())
    }

    fn start(&mut self, element: &str, namespace: Option<&XmlNamespace>) {
        self.xml.start(element);
        if let Some(ns) = namespace {
            match &ns.prefix {
                Some(prefix) => {
                    let attribute = format!("xmlns:{prefix}");
                    self.xml.attribute(&attribute, &ns.uri);
                }
                None => self.xml.attribute("xmlns", &ns.uri),
            }
        }
    }

    fn scalar_element(
        &mut self,
        member: &ShapeRef,
        element: &str,
        value: &Value,
        path: &Path<'_>,
    ) -> Result<(), SerializeError> {
        let text = scalar_text(
            self.model,
            member,
            value,
            path,
            TimestampFormat::Iso8601,
            self.wrong,
        )?;
        self.start(element, member.xml_namespace.as_ref());
        self.xml.text(&text);
        self.xml.end(element);
        Ok(())
    }
}
