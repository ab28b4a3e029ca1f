//! REST with JSON bodies: members bound to the URI, query string and headers; the rest (or the
//! payload member) as a JSON body.
//!
//! Body rules, as botocore: a blob or string payload member is the raw body (the caller's stream
//! stays a stream); a structure payload is that member's JSON, or `{}` when it is unset; without
//! a payload, the body members' JSON, or `{}` when the input has any body member at all, else no
//! body. `Content-Type: application/json` is set on JSON bodies unless a member set it.

use http::header::CONTENT_TYPE;

use super::json::{write_document, JsonStyle, JsonWriter};
use super::{
    expect_map, http_bindings, insert_static_header, payload_member, raw_payload, rest_request,
    rest_request_without_input, Call, Location, Path, SerializeError, SerializedRequest,
};
use crate::body::Body;
use crate::model::{ShapeKind, TimestampFormat};

/// Serialize a rest-json request.
pub(super) fn serialize(call: &Call<'_>) -> Result<SerializedRequest, SerializeError> {
    let Some((_, input)) = call.input else {
        return rest_request_without_input(call);
    };
    let bindings = http_bindings(call, input)?;
    let root = Path::Root;
    let mut json = JsonWriter::for_call(call.model, TimestampFormat::UnixTimestamp, call.validated);
    let (body, is_json) = match payload_member(call) {
        Some((name, _, true)) => (
            raw_payload(call.params.get(name), &root.member(name))?,
            false,
        ),
        Some((name, member, false)) => {
            match call.params.get(name).filter(|v| !v.is_null()) {
                Some(value) => {
                    let path = root.member(name);
                    match &call.model.shape(member.shape).kind {
                        ShapeKind::Structure(s) if s.document => {
                            write_document(&mut json.out, value, JsonStyle::Body, &path)?
                        }
                        ShapeKind::Structure(s) => {
                            json.structure(s, expect_map(value, &path)?, &path, false)?
                        }
                        _ => json.value(member, value, &path)?,
                    }
                }
                None => json.out.push_str("{}"),
            }
            (Body::from(json.out), true)
        }
        None if bindings.has_body_members => {
            json.structure(input, call.params, &root, true)?;
            (Body::from(json.out), true)
        }
        None if input.members.values().any(|m| m.location == Location::Body) => {
            (Body::from("{}".to_string()), true)
        }
        None => (Body::Empty, false),
    };
    let event_stream = payload_member(call)
        .and_then(|(_, m, _)| call.model.shape(m.shape).as_structure())
        .is_some_and(|s| s.eventstream);
    let mut request = rest_request(call, bindings, body)?;
    if event_stream {
        insert_static_header(
            &mut request.headers,
            "content-type",
            "application/vnd.amazon.eventstream",
        );
    }
    if is_json && !request.headers.contains_key(CONTENT_TYPE) {
        insert_static_header(&mut request.headers, "content-type", "application/json");
    }
    Ok(request)
}
