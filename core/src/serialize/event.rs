//! Values into outgoing event-stream messages: the inverse of `crate::parse::event`, for
//! operations whose input is an event stream (Transcribe streaming's `AudioStream`, Bedrock's
//! `InvokeModelWithBidirectionalStream` `body`, Lex `StartConversation`…).
//!
//! An event is `{EventType: {...}}`, one member of the stream's union. It becomes a message with
//! `:message-type: event`, `:event-type: EventType` and `:content-type`; its `eventheader`
//! members become typed headers; its `eventpayload` member is the payload (a blob or a string
//! raw, a structure as JSON), otherwise the other members are the payload as a JSON object.
//! Signing the message is `crate::auth::event_signing`'s business.

use bytes::Bytes;

use super::json::JsonWriter;
use super::{expect_map, invalid_type, Path, SerializeError};
use crate::eventstream::{HeaderValue, Message};
use crate::model::{Protocol, ServiceModel, ShapeId, ShapeKind, TimestampFormat};
use crate::value::{Map, Value};

/// The message for one input event of the stream whose union shape is `stream`. `path` names
/// the stream member in errors.
pub(crate) fn encode_event(
    model: &ServiceModel,
    stream: ShapeId,
    event: &Value,
    path: &str,
) -> Result<Message, SerializeError> {
    let root = Path::Root;
    let stream_path = root.member(path);
    let Some(union) = model.shape(stream).as_structure() else {
        return Err(invalid_type(&stream_path, "event stream", event));
    };
    if !matches!(model.protocol, Protocol::RestJson | Protocol::Json) {
        return Err(SerializeError::InvalidType {
            path: stream_path.to_string(),
            expected: "an event of a JSON-protocol service (no other protocol sends input events)",
            got: "an event for a service of another protocol",
        });
    }
    let map = expect_map(event, &stream_path)?;
    let mut set = map.iter().filter(|(_, v)| !v.is_null());
    let (Some((kind, value)), None) = (set.next(), set.next()) else {
        return Err(invalid_type(
            &stream_path,
            "exactly one event type (a map with one member of the stream's union)",
            event,
        ));
    };
    let event_path = stream_path.member(kind);
    let member =
        union
            .members
            .get(kind.as_str())
            .ok_or_else(|| SerializeError::UnknownParameter {
                path: event_path.to_string(),
            })?;
    let mut message = Message::default()
        .with_header(":message-type", HeaderValue::String("event".into()))
        .with_header(":event-type", HeaderValue::String(kind.to_string()));
    let Some(shape) = model.shape(member.shape).as_structure() else {
        return Err(invalid_type(&event_path, "event structure", value));
    };
    let fields = expect_map(value, &event_path)?;
    let mut body = Map::default();
    let mut payload: Option<(Bytes, &str)> = None;
    for (name, value) in fields.iter().filter(|(_, v)| !v.is_null()) {
        let path = event_path.member(name);
        let m =
            shape
                .members
                .get(name.as_str())
                .ok_or_else(|| SerializeError::UnknownParameter {
                    path: path.to_string(),
                })?;
        if m.event_header {
            let kind = &model.shape(m.shape).kind;
            message = message.with_header(name.as_str(), header_value(kind, value, &path)?);
        } else if m.event_payload {
            payload = Some(match (&model.shape(m.shape).kind, value) {
                (ShapeKind::Blob, Value::Blob(b)) => (b.clone(), "application/octet-stream"),
                (ShapeKind::String, Value::String(s)) => {
                    (Bytes::copy_from_slice(s.as_bytes()), "text/plain")
                }
                (ShapeKind::Blob | ShapeKind::String, other) => {
                    return Err(invalid_type(&path, "blob or string", other))
                }
                _ => {
                    let mut json = JsonWriter::new(model, TimestampFormat::UnixTimestamp);
                    json.value(m, value, &path)?;
                    (Bytes::from(json.out), "application/json")
                }
            });
        } else {
            body.insert(name.clone(), value.clone());
        }
    }
    let (payload, content_type) = match payload {
        Some(p) => p,
        None => {
            let without_headers = Map::default();
            let mut json = JsonWriter::new(model, TimestampFormat::UnixTimestamp);
            let members = if body.is_empty() {
                &without_headers
            } else {
                &body
            };
            json.structure(shape, members, &event_path, false)?;
            (Bytes::from(json.out), "application/json")
        }
    };
    message.payload = payload;
    Ok(message.with_header(":content-type", HeaderValue::String(content_type.into())))
}

/// An `eventheader` member as a typed header of its shape's wire type.
fn header_value(
    kind: &ShapeKind,
    value: &Value,
    path: &Path<'_>,
) -> Result<HeaderValue, SerializeError> {
    Ok(match (kind, value) {
        (ShapeKind::Boolean, Value::Bool(b)) => HeaderValue::Bool(*b),
        (ShapeKind::Byte, Value::Integer(i)) => {
            HeaderValue::Byte(i8::try_from(*i).map_err(|_| invalid_type(path, "byte", value))?)
        }
        (ShapeKind::Short, Value::Integer(i)) => {
            HeaderValue::Short(i16::try_from(*i).map_err(|_| invalid_type(path, "short", value))?)
        }
        (ShapeKind::Integer, Value::Integer(i)) => {
            HeaderValue::Int(i32::try_from(*i).map_err(|_| invalid_type(path, "integer", value))?)
        }
        (ShapeKind::Long, Value::Integer(i)) => HeaderValue::Long(*i),
        (ShapeKind::Blob, Value::Blob(b)) => HeaderValue::ByteArray(b.clone()),
        (ShapeKind::String, Value::String(s)) => HeaderValue::String(s.to_string()),
        (ShapeKind::Timestamp, Value::Timestamp(t)) => {
            HeaderValue::Timestamp((t.epoch_f64() * 1000.0).round() as i64)
        }
        (_, other) => return Err(invalid_type(path, "a value of the header's type", other)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params;

    const MODEL: &str = r#"{
      "metadata": {"apiVersion": "2020-01-01", "protocol": "rest-json", "endpointPrefix": "svc"},
      "operations": {},
      "shapes": {
        "Input": {"type": "structure", "eventstream": true, "members": {
            "Audio": {"shape": "Audio"}, "Config": {"shape": "Config"}, "Text": {"shape": "Text"}}},
        "Audio": {"type": "structure", "event": true, "members": {
            "Chunk": {"shape": "Blob", "eventpayload": true},
            "Seq": {"shape": "Int", "eventheader": true},
            "Big": {"shape": "Long", "eventheader": true},
            "Flag": {"shape": "Bool", "eventheader": true},
            "At": {"shape": "Time", "eventheader": true},
            "Tag": {"shape": "Str", "eventheader": true}}},
        "Config": {"type": "structure", "event": true, "members": {
            "Rate": {"shape": "Int"}, "Name": {"shape": "Str"}, "Id": {"shape": "Str", "eventheader": true}}},
        "Text": {"type": "structure", "event": true, "members": {
            "Body": {"shape": "Str", "eventpayload": true}}},
        "Blob": {"type": "blob"}, "Int": {"type": "integer"}, "Long": {"type": "long"},
        "Bool": {"type": "boolean"}, "Time": {"type": "timestamp"}, "Str": {"type": "string"}
      }}"#;

    fn encode_one(event: Value) -> Result<Message, SerializeError> {
        let model = ServiceModel::from_json(MODEL.as_bytes()).unwrap();
        let stream = model.shape_id("Input").unwrap();
        encode_event(&model, stream, &event, "Stream")
    }

    #[test]
    fn payload_member_is_raw_and_headers_are_typed() {
        let m = encode_one(params! {"Audio": params! {
        "Chunk": &b"\x00\x01pcm"[..], "Seq": 7, "Big": 1i64 << 40, "Flag": false,
        "At": crate::time::Timestamp::from_secs(1_700_000_000), "Tag": "t"}})
        .unwrap();
        assert_eq!(m.message_type(), Some("event"));
        assert_eq!(m.event_type(), Some("Audio"));
        assert_eq!(m.content_type(), Some("application/octet-stream"));
        assert_eq!(&m.payload[..], b"\x00\x01pcm");
        assert_eq!(m.header("Seq"), Some(&HeaderValue::Int(7)));
        assert_eq!(m.header("Big"), Some(&HeaderValue::Long(1 << 40)));
        assert_eq!(m.header("Flag"), Some(&HeaderValue::Bool(false)));
        assert_eq!(
            m.header("At"),
            Some(&HeaderValue::Timestamp(1_700_000_000_000))
        );
        assert_eq!(m.header_str("Tag"), Some("t"));
        let text = encode_one(params! {"Text": params! {"Body": "hi"}}).unwrap();
        assert_eq!(
            (text.content_type(), &text.payload[..]),
            (Some("text/plain"), &b"hi"[..])
        );
    }

    #[test]
    fn other_members_are_a_json_payload_without_the_headers() {
        let m = encode_one(params! {"Config": params! {"Rate": 16000, "Name": "n", "Id": "x"}})
            .unwrap();
        assert_eq!(m.content_type(), Some("application/json"));
        assert_eq!(&m.payload[..], br#"{"Rate": 16000, "Name": "n"}"#);
        assert_eq!(m.header_str("Id"), Some("x"));
        let empty = encode_one(params! {"Config": params! {}}).unwrap();
        assert_eq!(&empty.payload[..], b"{}");
    }

    #[test]
    fn malformed_events_name_the_problem() {
        let err = encode_one(params! {"Nope": params! {}}).unwrap_err();
        assert_eq!(err.to_string(), "Unknown parameter Stream.Nope");
        let err = encode_one(params! {"Audio": params! {}, "Text": params! {}}).unwrap_err();
        assert!(err.to_string().contains("exactly one event type"), "{err}");
        let err = encode_one(params! {"Audio": params! {"Seq": "x"}}).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Invalid type for parameter Stream.Audio.Seq"),
            "{err}"
        );
        let err = encode_one(params! {"Audio": params! {"Seq": 1i64 << 40}}).unwrap_err();
        assert!(err.to_string().contains("Stream.Audio.Seq"), "{err}");
    }
}
