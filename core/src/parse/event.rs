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
        Some("exception") => {
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
        Some("error") => Err(stream_error(
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
                *slot = Some(header_value(h));
            }
        }
    }
    let payload_member = event.members.values().position(|m| m.event_payload);
    match payload_member {
        Some(index) => {
            let m = &event.members[index];
            slots[index] = Some(match &model.shape(m.shape).kind {
                ShapeKind::Blob => Value::Blob(message.payload.clone()),
                ShapeKind::String => {
                    Value::String(Text::from(String::from_utf8_lossy(&message.payload)))
                }
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
    Ok(Value::Map(finish_structure(&event.members, slots)))
}

fn header_value(h: &HeaderValue) -> Value {
    match h {
        HeaderValue::Bool(b) => Value::Bool(*b),
        HeaderValue::Byte(v) => Value::Integer(i64::from(*v)),
        HeaderValue::Short(v) => Value::Integer(i64::from(*v)),
        HeaderValue::Int(v) => Value::Integer(i64::from(*v)),
        HeaderValue::Long(v) => Value::Integer(*v),
        HeaderValue::ByteArray(b) => Value::Blob(b.clone()),
        HeaderValue::String(s) => Value::String(s.as_str().into()),
        // Milliseconds on the wire, seconds in the model.
        HeaderValue::Timestamp(ms) => Timestamp::from_epoch_f64(*ms as f64 / 1000.0)
            .map(Value::Timestamp)
            .unwrap_or(Value::Integer(*ms)),
        HeaderValue::Uuid(u) => Value::Blob(Bytes::copy_from_slice(u)),
    }
}

/// A message payload in the protocol's body format, read as `sref`'s shape (empty reads as an
/// empty structure, as botocore's).
fn payload_value(
    model: &ServiceModel,
    sref: &ShapeRef,
    payload: &Bytes,
) -> Result<Value, ParseError> {
    if payload.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::map());
    }
    match model.protocol {
        // botocore's `EventStreamJSONParser` keeps scalars as sent in both JSON protocols.
        Protocol::Json | Protocol::RestJson => json::read_value(
            model,
            sref,
            payload,
            json::Scalars::AsSent,
            super::TimestampParsing::Parsed,
        ),
        Protocol::RestXml | Protocol::Query | Protocol::Ec2 => {
            let mut r = XmlReader::new(payload);
            match r.root()? {
                Some(root) => ShapeReader::new(model, super::TimestampParsing::Parsed)
                    .value(&mut r, sref, &root),
                None => Ok(Value::map()),
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
