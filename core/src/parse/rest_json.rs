//! The `rest-json` protocol's responses: members from the status code, headers and header
//! prefixes; the body as the output structure's JSON, or as one payload member. Error codes
//! come from `x-amzn-errortype`, else the body's `code`/`Code`, else `__type`, else the status.

use super::json::{
    error_fields, event_stream_member, read_structure, read_value, ErrorBody, Scalars,
};
use super::{
    finish_structure, header, need_bytes, parse_http_members, payload_of, raw_payload,
    rest_metadata, sanitize_error_code, unknown_union_member, Ctx, HeaderBool, ParseError,
    PathSegment, Payload, Slots,
};
use crate::body::Body;
use crate::model::{Location, ShapeId, ShapeKind, ShapeRef, Structure};
use crate::value::{Map, Text, Value};

pub(super) fn parse_output(
    cx: &Ctx<'_>,
    output: Option<&ShapeRef>,
    body: Body,
) -> Result<Map, ParseError> {
    let mut out = match output.and_then(|o| {
        let shape = cx.model.shape(o.shape);
        shape.as_structure().map(|s| (shape.name.as_str(), s))
    }) {
        Some((name, s)) => read_rest_structure(cx, name, s, body)?,
        None => Map::default(),
    };
    out.insert(
        "ResponseMetadata".into(),
        Value::Map(rest_metadata(cx.headers)),
    );
    Ok(out)
}

/// Headers, status code and body of a rest-json structure (an output or a modeled error).
fn read_rest_structure(
    cx: &Ctx<'_>,
    name: &str,
    s: &Structure,
    body: Body,
) -> Result<Map, ParseError> {
    let mut slots = Slots::new(s.members.len());
    parse_http_members(cx, &s.members, &mut slots, HeaderBool::AnyCase)?;
    let payload = match payload_of(s) {
        // An event stream without the payload trait (awsJson-style) is still the body.
        Payload::Members => event_stream_member(cx.model, s)
            .map_or(Payload::Members, |(i, m)| Payload::Member(i, m)),
        p => p,
    };
    match payload {
        Payload::Member(index, member) => {
            if let Some(raw) = raw_payload(cx.model, member, body.clone()) {
                slots[index] = Some(raw?);
            } else {
                let bytes = need_bytes(&body, "a structure payload")?;
                let within = |e: ParseError| e.within(PathSegment::Member(&member.name));
                let value = match &cx.model.shape(member.shape).kind {
                    // botocore reads an empty body as `{}`.
                    _ if bytes.iter().all(u8::is_ascii_whitespace) => Value::map(),
                    ShapeKind::Structure(ps) if !ps.document => {
                        let mut inner = Slots::new(ps.members.len());
                        let shape_name = &cx.model.shape(member.shape).name;
                        match read_structure(
                            cx,
                            shape_name,
                            ps,
                            bytes,
                            &mut inner,
                            Scalars::RestJson,
                        )
                        .map_err(within)?
                        {
                            Some(tag) => unknown_union_member(&tag),
                            None => Value::Map(finish_structure(&ps.members, &mut inner)),
                        }
                    }
                    _ => read_value(cx.model, member, bytes, Scalars::RestJson, cx.timestamps)
                        .map_err(within)?,
                };
                slots[index] = Some(value);
            }
        }
        Payload::Members => {
            let body_members = s.members.values().any(|m| {
                matches!(
                    m.location,
                    Location::Body | Location::Uri | Location::QueryString
                )
            });
            if body_members || !matches!(body, Body::Stream(_)) {
                let bytes = need_bytes(&body, "the output's body members")?;
                read_structure(cx, name, s, bytes, &mut slots, Scalars::RestJson)?;
            }
        }
    }
    Ok(super::finish_output(&s.members, &mut slots))
}

pub(super) fn parse_error(cx: &Ctx<'_>, body: &[u8]) -> Result<Map, ParseError> {
    let parsed = ErrorBody::read(body)?;
    let mut fields = error_fields(cx, &parsed);
    let code = match header(cx.headers, "x-amzn-errortype") {
        Some(h) => Some(h.into_owned()),
        // botocore's `body.get('code', body.get('Code', ''))`: the first key present counts,
        // and a null there leaves the code as it is.
        None => match parsed.first_present(&["code", "Code"]) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        },
    };
    if let Some(code) = code {
        if let Some(Value::Map(error)) = fields.get_mut("Error") {
            error.insert(
                "Code".into(),
                Value::String(Text::from(sanitize_error_code(&code))),
            );
        }
    }
    // rest-json's ResponseMetadata is the JSON protocol's (x-amzn-requestid) in botocore.
    Ok(fields)
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
    let body = Body::from(bytes::Bytes::copy_from_slice(body));
    match read_rest_structure(cx, &error_shape.name, s, body) {
        Ok(m) => Ok(m),
        // Text that is not JSON already became the message; there are no members to read.
        Err(ParseError::Malformed { .. }) => {
            let mut slots = Slots::new(s.members.len());
            parse_http_members(cx, &s.members, &mut slots, HeaderBool::AnyCase)?;
            Ok(finish_structure(&s.members, &mut slots))
        }
        Err(e) => Err(e),
    }
}
