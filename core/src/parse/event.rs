//! Event-stream messages into values: the other half of the hook [`super::parse_response`]
//! leaves for event-stream outputs (the member holds the body as a [`Value::Stream`]).
//! `crate::eventstream` splits the stream into [`Message`]s; each message is read here the way
//! botocore's event-stream parsers read it: `event` messages become `{EventType: {...}}` from
//! their `eventheader` members and payload (an `eventpayload` member, or the event's members in
//! the protocol's body format), `exception` and `error` messages become [`ServiceError`]s.

use bytes::Bytes;

use super::json;
use super::xml::{ShapeReader, XmlReader};
use super::{finish_structure, ParseError, PathSegment, ServiceError, Slots};
use crate::eventstream::{HeaderValue, Message};
use crate::model::{Operation, Protocol, ServiceModel, ShapeId, ShapeKind, ShapeRef};
use crate::time::Timestamp;
use crate::value::{Map, Text, Value};

/// Read one event of the event stream whose union shape is `stream` (the target of the output's
/// event-stream member): `{EventType: {...}}`, or an empty map for an event type this model
/// does not know. An `exception` or `error` message is `Err(ParseError::Service(..))`.
pub fn parse_event(
    model: &ServiceModel,
    stream: ShapeId,
    message: &Message,
) -> Result<Value, ParseError> {
    let Some(union) = model.shape(stream).as_structure() else {
        return Ok(Value::map());
    };
    match message.message_type() {
        // botocore's `_do_error_parse`: an `:exception-type` the union does not model is read
        // as an `error` message is, from `:error-code` and `:error-message`.
        Some("exception")
            if message
                .exception_type()
                .is_some_and(|kind| union.members.contains_key(kind)) =>
        {
            let kind = message.exception_type().unwrap_or_default();
            let member = union.members.get(kind);
            let fields = match member {
                Some(m) => match payload_value(model, m, &message.payload)? {
                    Value::Map(fields) => fields,
                    _ => Map::default(),
                },
                None => Map::default(),
            };
            let text = |k: &str| fields.get(k).and_then(Value::as_str).map(str::to_string);
            let message_text = text("Message")
                .or_else(|| text("message"))
                .unwrap_or_default();
            Err(stream_error(
                kind,
                &message_text,
                member.map(|m| m.shape),
                fields,
            ))
        }
        Some("exception" | "error") => Err(stream_error(
            message.error_code().unwrap_or_default(),
            message.error_message().unwrap_or_default(),
            None,
            Map::default(),
        )),
        _ => {
            let kind = message.event_type().unwrap_or_default();
            let mut out = Map::default();
            if let Some((name, member)) = union.members.get_key_value(kind) {
                let event = parse_event_body(model, member, message)
                    .map_err(|e| e.within(PathSegment::Member(name)))?;
                out.insert(name.as_str().into(), event);
            }
            Ok(Value::Map(out))
        }
    }
}

/// Read the `initial-response` event some JSON/CBOR operations send first: its payload holds the
/// output's other members.
pub fn parse_initial_response(
    model: &ServiceModel,
    operation: &Operation,
    message: &Message,
) -> Result<Map, ParseError> {
    let Some(output) = &operation.output else {
        return Ok(Map::default());
    };
    match payload_value(model, output, &message.payload)? {
        Value::Map(m) => Ok(m
            .into_iter()
            .filter(|(_, v)| !matches!(v, Value::Null))
            .collect()),
        _ => Ok(Map::default()),
    }
}

fn stream_error(code: &str, message: &str, shape: Option<ShapeId>, members: Map) -> ParseError {
    let mut error = Map::default();
    error.insert("Code".into(), Value::String(code.into()));
    error.insert("Message".into(), Value::String(message.into()));
    let mut fields = members;
    fields.insert("Error".into(), Value::Map(error));
    ParseError::Service(Box::new(ServiceError {
        operation: String::new(),
        code: code.to_string(),
        message: message.to_string(),
        request_id: None,
        host_id: None,
        status: 200,
        shape,
        query_error_code: None,
        fields: Value::Map(fields),
    }))
}

fn parse_event_body(
    model: &ServiceModel,
    member: &ShapeRef,
    message: &Message,
) -> Result<Value, ParseError> {
    let shape = model.shape(member.shape);
    let Some(event) = shape.as_structure() else {
        return payload_value(model, member, &message.payload);
    };
    let mut slots = Slots::new(event.members.len());
    for ((name, m), slot) in event.members.iter().zip(slots.iter_mut()) {
        if m.event_header {
            if let Some(h) = message.header(name) {
                let value = header_value(h, &model.shape(m.shape).kind)
                    .map_err(|e| e.within(PathSegment::Member(name)))?;
                *slot = Some(value);
            }
        }
    }
    let payload_member = event
        .members
        .iter()
        .enumerate()
        .find(|(_, (_, m))| m.event_payload);
    match payload_member {
        Some((index, (name, m))) => {
            slots[index] = Some(match &model.shape(m.shape).kind {
                ShapeKind::Blob => Value::Blob(message.payload.clone()),
                // botocore decodes it as strict UTF-8 (`body.decode('utf-8')`).
                ShapeKind::String => match std::str::from_utf8(&message.payload) {
                    Ok(text) => Value::String(Text::from(text)),
                    Err(_) => {
                        return Err(ParseError::invalid(
                            "UTF-8 text",
                            &String::from_utf8_lossy(&message.payload),
                        )
                        .within(PathSegment::Member(name)))
                    }
                },
                _ => payload_value(model, m, &message.payload)?,
            });
        }
        None => {
            if let Value::Map(body) = payload_value(model, member, &message.payload)? {
                for (index, (name, _)) in event.members.iter().enumerate() {
                    if slots[index].is_none() {
                        if let Some(v) = body.get(name.as_str()).filter(|v| !v.is_null()) {
                            slots[index] = Some(v.clone());
                        }
                    }
                }
            }
        }
    }
    Ok(Value::Map(finish_structure(&event.members, &mut slots)))
}

/// An `eventheader` member's value, as botocore's `_parse_non_payload_attrs` reads it: the
/// header's value as its wire type decodes (a timestamp header is its milliseconds, a uuid its
/// bytes), whatever the member's type, except that a timestamp member takes the number as
/// milliseconds (`value / 1000.0`, a boolean counting as 0 or 1) and fails for text or bytes, or
/// for a time out of range.
fn header_value(h: &HeaderValue, kind: &ShapeKind) -> Result<Value, ParseError> {
    if matches!(kind, ShapeKind::Timestamp) {
        let ms = match h {
            HeaderValue::Bool(b) => i64::from(*b),
            HeaderValue::Byte(v) => i64::from(*v),
            HeaderValue::Short(v) => i64::from(*v),
            HeaderValue::Int(v) => i64::from(*v),
            HeaderValue::Long(v) | HeaderValue::Timestamp(v) => *v,
            HeaderValue::ByteArray(_) | HeaderValue::String(_) | HeaderValue::Uuid(_) => {
                return Err(ParseError::invalid(
                    "a number of milliseconds",
                    &format!("{h:?}"),
                ))
            }
        };
        return Timestamp::from_epoch_f64(ms as f64 / 1000.0)
            .map(Value::Timestamp)
            .ok_or_else(|| ParseError::invalid("a time in range", &ms.to_string()));
    }
    Ok(match h {
        HeaderValue::Bool(b) => Value::Bool(*b),
        HeaderValue::Byte(v) => Value::Integer(i64::from(*v)),
        HeaderValue::Short(v) => Value::Integer(i64::from(*v)),
        HeaderValue::Int(v) => Value::Integer(i64::from(*v)),
        HeaderValue::Long(v) | HeaderValue::Timestamp(v) => Value::Integer(*v),
        HeaderValue::ByteArray(b) => Value::Blob(b.clone()),
        HeaderValue::String(s) => Value::String(s.as_str().into()),
        HeaderValue::Uuid(u) => Value::Blob(Bytes::copy_from_slice(u)),
    })
}

/// A message payload in the protocol's body format, read as `sref`'s shape. An empty payload
/// reads as an empty structure, as botocore's (`if not body_contents: return {}`, and its XML and
/// CBOR equivalents); a payload of whitespace is not empty to botocore.
fn payload_value(
    model: &ServiceModel,
    sref: &ShapeRef,
    payload: &Bytes,
) -> Result<Value, ParseError> {
    if payload.is_empty() {
        return Ok(Value::map());
    }
    match model.protocol {
        // botocore's `EventStreamJSONParser` keeps scalars as sent in both JSON protocols.
        Protocol::Json | Protocol::RestJson => {
            let read = |body: &[u8]| {
                json::read_value(
                    model,
                    sref,
                    body,
                    json::Scalars::AsSent,
                    super::TimestampParsing::Parsed,
                )
            };
            match read(payload) {
                // botocore's `_parse_body_as_json`: UTF-8 text that is not JSON is read as
                // `{"message": text}` (a payload that is not UTF-8 fails its decode).
                Err(ParseError::Malformed { .. }) => match std::str::from_utf8(payload) {
                    Ok(text) => read(
                        &serde_json::to_vec(&serde_json::json!({ "message": text }))
                            .unwrap_or_default(),
                    ),
                    Err(_) => Err(ParseError::invalid(
                        "UTF-8 JSON text",
                        &String::from_utf8_lossy(payload),
                    )),
                },
                other => other,
            }
        }
        Protocol::RestXml | Protocol::Query | Protocol::Ec2 => {
            let mut r = XmlReader::new(payload);
            match r.root()? {
                Some(root) => ShapeReader::new(model, super::TimestampParsing::Parsed)
                    .value(&mut r, sref, &root),
                // Whitespace alone: no element, which botocore's XML parser refuses.
                None => Err(ParseError::invalid(
                    "an XML document",
                    &String::from_utf8_lossy(payload),
                )),
            }
        }
        #[cfg(feature = "rpc-v2-cbor")]
        Protocol::RpcV2Cbor => super::rpc_v2_cbor::payload_value(model, sref, payload),
        #[cfg(not(feature = "rpc-v2-cbor"))]
        Protocol::RpcV2Cbor => Err(ParseError::invalid(
            "a protocol built into this program",
            "smithy-rpc-v2-cbor (sansboto-core feature `rpc-v2-cbor`)",
        )),
    }
}
