//! The `rest-xml` protocol's responses (S3, CloudFront, Route 53): members from the status
//! code, headers and header prefixes; the body as the output structure's XML, or as one payload
//! member (raw blob/string, streaming or not, or a structure). Errors come as S3's bare
//! `<Error>` or as `<ErrorResponse><Error>`; a body that is not XML falls back to the status.

use super::xml::{ShapeReader, XmlReader};
use super::{
    finish_structure, generic_error, header, need_bytes, parse_http_members, payload_of,
    raw_payload, rest_metadata, Ctx, HeaderBool, ParseError, PathSegment, Payload, Slots,
};
use crate::body::Body;
use crate::model::{Location, ShapeId, ShapeKind, ShapeRef, Structure};
use crate::value::{Map, Text, Value};

fn has_body_members(s: &Structure) -> bool {
    s.members.values().any(|m| {
        matches!(
            m.location,
            Location::Body | Location::Uri | Location::QueryString
        )
    })
}

pub(super) fn parse_output(
    cx: &Ctx<'_>,
    output: Option<&ShapeRef>,
    body: Body,
) -> Result<Map, ParseError> {
    let mut out = match output.and_then(|o| {
        let shape = cx.model.shape(o.shape);
        shape.as_structure().map(|s| (shape.name.as_str(), s))
    }) {
        Some((name, s)) => read_structure(cx, name, s, body)?,
        None => Map::default(),
    };
    out.insert(
        "ResponseMetadata".into(),
        Value::Map(rest_metadata(cx.headers)),
    );
    Ok(out)
}

/// Headers, status code and body of a rest-xml structure (an output or a modeled error).
fn read_structure(cx: &Ctx<'_>, name: &str, s: &Structure, body: Body) -> Result<Map, ParseError> {
    let mut slots = Slots::new(s.members.len());
    parse_http_members(cx, &s.members, &mut slots, HeaderBool::Exact)?;
    let reader = ShapeReader::new(cx.model, cx.timestamps);
    match payload_of(s) {
        Payload::Member(index, member) => {
            if let Some(raw) = raw_payload(cx.model, member, body.clone()) {
                slots[index] = Some(raw?);
            } else {
                let bytes = need_bytes(&body, "a structure payload")?;
                let mut r = XmlReader::new(bytes);
                let within = |e: ParseError| e.within(PathSegment::Member(&member.name));
                slots[index] = Some(match r.root()? {
                    Some(root) => {
                        let value = reader.value(&mut r, member, &root).map_err(within)?;
                        r.finish()?;
                        value
                    }
                    // An empty body reads as an empty element, as botocore's does.
                    None => match cx.model.shape(member.shape).kind {
                        ShapeKind::List(_) => Value::List(Vec::new()),
                        _ => Value::map(),
                    },
                });
            }
        }
        Payload::Members => {
            if matches!(body, Body::Stream(_)) && !has_body_members(s) {
                // Everything is in the headers: the unread body is the transport's business.
            } else {
                let bytes = need_bytes(&body, "the output's body members")?;
                let mut r = XmlReader::new(bytes);
                if let Some(root) = r.root()? {
                    reader.fill_structure(&mut r, name, s, &root, &mut slots, &mut |r, c| {
                        r.skip(c)
                    })?;
                    r.finish()?;
                }
            }
        }
    }
    Ok(super::finish_output(&s.members, &mut slots))
}

pub(super) fn parse_error(cx: &Ctx<'_>, body: &[u8]) -> Result<Map, ParseError> {
    if !body.is_empty() {
        // A body that is not XML must not hide the error: fall back to the status, as botocore.
        if let Ok(Some(fields)) = error_from_body(cx, body) {
            return Ok(fields);
        }
    }
    let mut metadata = Map::default();
    let text = |name| Value::String(Text::from(header(cx.headers, name).unwrap_or_default()));
    metadata.insert("RequestId".into(), text("x-amz-request-id"));
    metadata.insert("HostId".into(), text("x-amz-id-2"));
    Ok(generic_error(cx.status, metadata))
}

fn error_from_body(cx: &Ctx<'_>, body: &[u8]) -> Result<Option<Map>, ParseError> {
    let mut r = XmlReader::new(body);
    let Some(root) = r.root()? else {
        return Ok(None);
    };
    // S3's bare <Error> (no namespace: botocore compares the namespaced tag).
    let s3_form = root.qualified_name() == b"Error" && !root.declares_default_namespace();
    let mut parsed = match r.tree(&root)? {
        Value::Map(m) => m,
        _ => Map::default(),
    };
    if s3_form {
        // RequestId and HostId come from the headers; the body's copies are dropped.
        parsed.shift_remove("RequestId");
        parsed.shift_remove("HostId");
        let mut fields = Map::default();
        fields.insert("Error".into(), Value::Map(parsed));
        fields.insert(
            "ResponseMetadata".into(),
            Value::Map(rest_metadata(cx.headers)),
        );
        return Ok(Some(fields));
    }
    if let Some(id) = parsed.shift_remove("RequestId") {
        let mut m = Map::default();
        m.insert("RequestId".into(), id);
        parsed.insert("ResponseMetadata".into(), Value::Map(m));
    }
    let mut error = Map::default();
    error.insert("Message".into(), Value::String(Text::default()));
    error.insert("Code".into(), Value::String(Text::default()));
    let mut fields = Map::default();
    fields.insert("Error".into(), Value::Map(error));
    merge(&mut fields, parsed);
    Ok(Some(fields))
}

/// botocore's `merge_dicts`: maps merge recursively, anything else replaces.
fn merge(into: &mut Map, from: Map) {
    for (k, v) in from {
        match (into.get_mut(&k), v) {
            (Some(Value::Map(existing)), Value::Map(incoming)) => merge(existing, incoming),
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
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
    parse_http_members(cx, &s.members, &mut slots, HeaderBool::Exact)?;
    let reader = ShapeReader::new(cx.model, cx.timestamps);
    let mut r = XmlReader::new(body);
    if let Ok(Some(root)) = r.root() {
        let name = error_shape.name.as_str();
        if root.local_name() == b"ErrorResponse" {
            while let Some(child) = r.next_child(&root)? {
                if child.local_name() == b"Error" {
                    reader.fill_structure(&mut r, name, s, &child, &mut slots, &mut |r, c| {
                        r.skip(c)
                    })?;
                } else {
                    r.skip(&child)?;
                }
            }
        } else {
            reader.fill_structure(&mut r, name, s, &root, &mut slots, &mut |r, c| r.skip(c))?;
        }
    }
    Ok(finish_structure(&s.members, &mut slots))
}
