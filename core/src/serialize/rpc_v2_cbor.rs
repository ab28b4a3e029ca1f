//! Smithy RPC v2 CBOR: `POST /service/{targetPrefix}/operation/{Operation}` with the input as a
//! CBOR map, `smithy-protocol: rpc-v2-cbor`, `Accept` and (for a body) `Content-Type`.
//!
//! As botocore: every input (even an empty one) is a definite-length map of its non-null
//! members; timestamps are tag 1 around integer or double epoch seconds; `float` shapes are
//! single precision, `double` double precision, NaN/±Infinity half precision; blobs are byte
//! strings. An operation without input sends no body.

use http::Method;

use super::{
    epoch_number, expect_blob, expect_bool, expect_int, expect_list, expect_map, expect_number,
    expect_str, expect_timestamp, insert_static_header, invalid_type, query_compatible_header,
    Call, Number, Path, SerializeError, SerializedRequest,
};
use crate::body::Body;
use crate::cbor::Encoder;
use crate::model::{ServiceModel, ShapeKind, ShapeRef, Structure};
use crate::value::{Map, Value};

/// Serialize an rpc-v2-cbor request.
pub(super) fn serialize(call: &Call<'_>) -> Result<SerializedRequest, SerializeError> {
    let service =
        call.model
            .metadata
            .target_prefix
            .as_deref()
            .ok_or(SerializeError::MissingMetadata {
                field: "targetPrefix",
                protocol: "smithy-rpc-v2-cbor",
            })?;
    let name = &call.operation.name;
    let mut path = String::with_capacity(28 + service.len() + name.len());
    path.push_str("/service/");
    path.push_str(service);
    path.push_str("/operation/");
    path.push_str(name);

    let mut request = SerializedRequest::new(Method::POST, path);
    if let Some((_, input)) = call.input {
        let mut writer = CborWriter {
            model: call.model,
            enc: Encoder::with_capacity(128),
        };
        writer.structure(input, call.params, &Path::Root)?;
        request.body = Body::from(writer.enc.into_vec());
    }

    let headers = &mut request.headers;
    insert_static_header(headers, "smithy-protocol", "rpc-v2-cbor");
    let (accept, content_type) = (
        media_type(has_event_stream(call.model, call.operation.output.as_ref())),
        media_type(has_event_stream(call.model, call.operation.input.as_ref())),
    );
    insert_static_header(headers, "accept", accept);
    if !request.body.is_empty() && !headers.contains_key(http::header::CONTENT_TYPE) {
        insert_static_header(headers, "content-type", content_type);
    }
    query_compatible_header(call, headers);
    request.host_prefix = call.host_prefix()?;
    Ok(request)
}

fn media_type(event_stream: bool) -> &'static str {
    if event_stream {
        "application/vnd.amazon.eventstream"
    } else {
        "application/cbor"
    }
}

/// True when the structure has an event-stream member.
fn has_event_stream(model: &ServiceModel, shape: Option<&ShapeRef>) -> bool {
    let Some(structure) = shape.and_then(|r| model.shape(r.shape).as_structure()) else {
        return false;
    };
    structure.members.values().any(|m| {
        model
            .shape(m.shape)
            .as_structure()
            .is_some_and(|s| s.eventstream)
    })
}

struct CborWriter<'m> {
    model: &'m ServiceModel,
    enc: Encoder,
}

impl CborWriter<'_> {
    fn structure(
        &mut self,
        shape: &Structure,
        params: &Map,
        path: &Path<'_>,
    ) -> Result<(), SerializeError> {
        let mut present = 0u64;
        for (name, value) in params {
            if !shape.members.contains_key(name.as_str()) {
                return Err(SerializeError::UnknownParameter {
                    path: path.member(name).to_string(),
                });
            }
            present += u64::from(!value.is_null());
        }
        self.enc.map(present);
        for (name, value) in params {
            let Some(member) = shape.members.get(name.as_str()) else {
                continue;
            };
            if value.is_null() {
                continue;
            }
            self.enc.str(member.wire_name());
            self.value(member, value, &path.member(name))?;
        }
        Ok(())
    }

    fn value(
        &mut self,
        member: &ShapeRef,
        value: &Value,
        path: &Path<'_>,
    ) -> Result<(), SerializeError> {
        if value.is_null() {
            // Only reachable for list items and map values (sparse collections).
            self.enc.null();
            return Ok(());
        }
        let model = self.model;
        match &model.shape(member.shape).kind {
            ShapeKind::Structure(s) if s.document => self.document(value, path)?,
            ShapeKind::Structure(s) => self.structure(s, expect_map(value, path)?, path)?,
            ShapeKind::List(item) => {
                let items = expect_list(value, path)?;
                self.enc.array(items.len() as u64);
                for (i, v) in items.iter().enumerate() {
                    self.value(item, v, &path.index(i))?;
                }
            }
            ShapeKind::Map { value: item, .. } => {
                let entries = expect_map(value, path)?;
                self.enc.map(entries.len() as u64);
                for (k, v) in entries {
                    self.enc.str(k);
                    self.value(item, v, &path.key(k))?;
                }
            }
            ShapeKind::String => {
                self.enc.str(expect_str(value, path)?);
            }
            ShapeKind::Boolean => {
                self.enc.bool(expect_bool(value, path)?);
            }
            ShapeKind::Byte
            | ShapeKind::Short
            | ShapeKind::Integer
            | ShapeKind::Long
            | ShapeKind::BigInteger => {
                self.enc.i64(expect_int(value, path)?);
            }
            ShapeKind::Float => {
                let f = match expect_number(value, path)? {
                    Number::Int(i) => i as f32,
                    Number::Float(f) => f as f32,
                };
                self.enc.f32(f);
            }
            ShapeKind::Double | ShapeKind::BigDecimal => {
                let f = match expect_number(value, path)? {
                    Number::Int(i) => i as f64,
                    Number::Float(f) => f,
                };
                self.enc.f64(f);
            }
            ShapeKind::Blob => {
                self.enc.bytes(expect_blob(value, path)?);
            }
            ShapeKind::Timestamp => {
                self.enc.tag(1);
                match epoch_number(expect_timestamp(value, path)?) {
                    Number::Int(i) => self.enc.i64(i),
                    Number::Float(f) => self.enc.f64(f),
                };
            }
        }
        Ok(())
    }

    /// An untyped document, by the kinds of its values.
    fn document(&mut self, value: &Value, path: &Path<'_>) -> Result<(), SerializeError> {
        match value {
            Value::Document(inner) => return self.document(inner, path),
            Value::Null => self.enc.null(),
            Value::Bool(b) => self.enc.bool(*b),
            Value::Integer(i) => self.enc.i64(*i),
            Value::Float(f) => self.enc.f64(*f),
            Value::String(s) => self.enc.str(s),
            Value::Blob(b) => self.enc.bytes(b),
            Value::Timestamp(t) => match epoch_number(*t) {
                Number::Int(i) => self.enc.tag(1).i64(i),
                Number::Float(f) => self.enc.tag(1).f64(f),
            },
            Value::List(items) => {
                self.enc.array(items.len() as u64);
                for (i, v) in items.iter().enumerate() {
                    self.document(v, &path.index(i))?;
                }
                &mut self.enc
            }
            Value::Map(entries) => {
                self.enc.map(entries.len() as u64);
                for (k, v) in entries {
                    self.enc.str(k);
                    self.document(v, &path.key(k))?;
                }
                &mut self.enc
            }
            Value::Stream(_) => return Err(invalid_type(path, "document", value)),
        };
        Ok(())
    }
}
