//! The `smithy-rpc-v2-cbor` protocol's responses: the body is one CBOR map read with the output
//! shape (members by member name; timestamps as tag 1 epoch seconds; blobs as byte strings;
//! `null` map and structure values dropped as botocore's decoder drops them). Errors carry
//! `__type` (sanitized like JSON's), `message`/`Message`, and may be translated by
//! `x-amzn-query-error` for awsQueryCompatible services.
//!
//! Decoding is `crate::cbor`'s (bounded nesting, lengths checked before allocation); this file
//! only gives the decoded items their shapes' meaning.

use crate::body::Body;
use crate::cbor::{self, CborError, Item};
use crate::model::{ServiceModel, ShapeId, ShapeKind, ShapeRef, Structure};
use crate::time::Timestamp;
use crate::value::{Map, Value};

use super::{
    apply_query_error_header, finish_structure, need_bytes, parse_float, raw_payload, rpc_metadata,
    sanitize_error_code, BodyFormat, Ctx, ParseError, PathSegment, Slots, TimestampParsing,
};

pub(super) fn parse_output(
    cx: &Ctx<'_>,
    output: Option<&ShapeRef>,
    body: Body,
) -> Result<Map, ParseError> {
    let mut out = Map::default();
    if let Some((name, s)) = super::json::output_structure(cx.model, output) {
        if let Some((index, member)) = super::json::event_stream_member(cx.model, s) {
            // Event streams are decoded message by message by the event-stream layer.
            if let Some(v) = raw_payload(cx.model, member, body) {
                let mut slots = Slots::new(s.members.len());
                slots[index] = Some(v?);
                out = finish_structure(&s.members, &mut slots);
            }
        } else {
            let item = match &body {
                Body::Bytes(b) => decode(cbor::decode_bytes(b))?,
                other => decode(cbor::decode(need_bytes(other, "a CBOR response")?))?,
            };
            out = structure(cx.model, cx.timestamps, name, s, item)?;
        }
    }
    out.insert(
        "ResponseMetadata".into(),
        Value::Map(rpc_metadata(cx.headers)),
    );
    Ok(out)
}

/// Decode a body; an empty body is "no item" (an empty structure).
fn decode(result: Result<Item, CborError>) -> Result<Option<Item>, ParseError> {
    match result {
        Ok(item) => Ok(Some(item)),
        Err(CborError::UnexpectedEnd { offset: 0, .. }) => Ok(None),
        Err(e) => Err(malformed(e)),
    }
}

fn malformed(e: CborError) -> ParseError {
    let offset = match &e {
        CborError::UnexpectedEnd { offset, .. }
        | CborError::LengthExceedsInput { offset, .. }
        | CborError::InvalidAdditionalInfo { offset, .. }
        | CborError::UnexpectedBreak { offset }
        | CborError::InvalidChunk { offset, .. }
        | CborError::InvalidUtf8 { offset }
        | CborError::InvalidSimpleValue { offset, .. }
        | CborError::TooDeep { offset, .. }
        | CborError::TrailingBytes { offset, .. } => *offset,
    };
    ParseError::Malformed {
        format: BodyFormat::Cbor,
        message: e.to_string(),
        position: format!("byte {offset}"),
    }
}

pub(super) fn parse_error(cx: &Ctx<'_>, body: &[u8]) -> Result<Map, ParseError> {
    let item = decode(cbor::decode(body))?;
    let text = |key: &str| {
        item.as_ref()
            .and_then(|i| i.get(key))
            .and_then(Item::as_str)
    };
    let mut error = Map::default();
    let message = text("message")
        .or_else(|| text("Message"))
        .unwrap_or_default();
    error.insert("Message".into(), Value::String(message.into()));
    let code = match text("__type") {
        Some(t) => sanitize_error_code(t).to_string(),
        None => cx.status.to_string(),
    };
    let code = apply_query_error_header(cx.headers, code, &mut error);
    error.insert("Code".into(), Value::String(code.into()));
    let mut fields = Map::default();
    fields.insert("Error".into(), Value::Map(error));
    fields.insert(
        "ResponseMetadata".into(),
        Value::Map(rpc_metadata(cx.headers)),
    );
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
    let item = decode(cbor::decode(body))?;
    structure(cx.model, cx.timestamps, &error_shape.name, s, item)
}

/// A structure from a CBOR map (members by name); anything else reads as empty.
fn structure(
    model: &ServiceModel,
    ts: TimestampParsing,
    shape_name: &str,
    s: &Structure,
    item: Option<Item>,
) -> Result<Map, ParseError> {
    let mut slots = Slots::new(s.members.len());
    let Some(Item::Map(entries)) = item else {
        return Ok(Map::default());
    };
    let mut set = 0usize;
    for (key, value) in entries {
        let Item::Text(key) = key else { continue };
        if value.is_null() {
            continue;
        }
        if key != "__type" {
            set += 1;
        }
        if let Some((index, name, member)) = s.members.get_full(key.as_str()) {
            slots[index] = Some(
                read(model, ts, member, value).map_err(|e| e.within(PathSegment::Member(name)))?,
            );
        }
    }
    if s.union && set != 1 {
        return Err(ParseError::Union {
            shape: shape_name.to_string(),
            found: set,
            path: String::new(),
        });
    }
    Ok(finish_structure(&s.members, &mut slots))
}

/// One item as the shape `sref` points at. Items of an unexpected type pass through as their
/// natural value, as botocore's default handler does.
fn read(
    model: &ServiceModel,
    ts: TimestampParsing,
    sref: &ShapeRef,
    item: Item,
) -> Result<Value, ParseError> {
    let shape = model.shape(sref.shape);
    match (&shape.kind, item) {
        (_, Item::Null | Item::Undefined) => Ok(Value::Null),
        (ShapeKind::Structure(s), item) if s.document => generic(item, ts).map(Value::document),
        (ShapeKind::Structure(s), Item::Map(entries)) if !s.document => {
            structure(model, ts, &shape.name, s, Some(Item::Map(entries))).map(Value::Map)
        }
        (ShapeKind::List(member), Item::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                read(model, ts, member, item).map_err(|e| e.within(PathSegment::Index(i)))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List),
        (ShapeKind::Map { value, .. }, Item::Map(entries)) => {
            let mut out = crate::value::map_with_capacity(entries.len());
            for (k, v) in entries {
                let Item::Text(k) = k else { continue };
                if v.is_null() {
                    continue;
                }
                let parsed =
                    read(model, ts, value, v).map_err(|e| e.within(PathSegment::Key(&k)))?;
                out.insert(k.into(), parsed);
            }
            Ok(Value::Map(out))
        }
        // As sent: what botocore's decoder hands its timestamp parser (a tag 1's number), or
        // the item itself when untagged, as botocore keeps one.
        (ShapeKind::Timestamp, item) if ts == TimestampParsing::Wire => generic(item, ts),
        (ShapeKind::Timestamp, item) if inner_number(&item).is_some() => {
            let seconds = inner_number(&item).unwrap_or_default();
            Timestamp::from_epoch_f64(seconds)
                .map(Value::Timestamp)
                .ok_or_else(|| ParseError::invalid("epoch seconds", &seconds.to_string()))
        }
        (ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal, Item::Text(t)) => {
            Ok(parse_float(&t)
                .map(Value::Float)
                .unwrap_or(Value::String(t.into())))
        }
        (
            ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal,
            item @ (Item::UInt(_) | Item::NegInt(_)),
        ) => Ok(Value::Float(item.as_i128().unwrap_or_default() as f64)),
        (_, item) => generic(item, ts),
    }
}

fn inner_number(item: &Item) -> Option<f64> {
    match item {
        Item::Tag(1, inner) => inner_number(inner),
        other => other.as_f64().or_else(|| other.as_i128().map(|i| i as f64)),
    }
}

/// An item without a shape (documents, unexpected types).
/// A tag 1 (epoch time) anywhere is a timestamp, read as `ts` says (botocore's decoder hands
/// each to its timestamp parser).
fn generic(item: Item, ts: TimestampParsing) -> Result<Value, ParseError> {
    Ok(match item {
        Item::UInt(_) | Item::NegInt(_) => match item.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Float(item.as_i128().unwrap_or_default() as f64),
        },
        Item::Bytes(b) => Value::Blob(b),
        Item::Text(t) => Value::String(t.into()),
        Item::Array(items) => Value::List(
            items
                .into_iter()
                .map(|item| generic(item, ts))
                .collect::<Result<_, _>>()?,
        ),
        Item::Map(entries) => {
            let mut out = crate::value::map_with_capacity(entries.len());
            for (k, v) in entries {
                let key = match k {
                    Item::Text(t) => t,
                    other => format!("{other:?}"),
                };
                out.insert(key.into(), generic(v, ts)?);
            }
            Value::Map(out)
        }
        // As sent, the tag's number; botocore refuses anything else in it either way.
        Item::Tag(1, inner) if ts == TimestampParsing::Wire && inner_number(&inner).is_some() => {
            generic(*inner, ts)?
        }
        Item::Tag(1, inner) => match inner_number(&inner).and_then(Timestamp::from_epoch_f64) {
            Some(t) => Value::Timestamp(t),
            None => {
                return Err(ParseError::invalid(
                    "epoch seconds in tag 1",
                    &format!("{inner:?}"),
                ))
            }
        },
        Item::Tag(tag, _) => {
            return Err(ParseError::invalid(
                "no CBOR tag but 1 (epoch time)",
                &format!("tag {tag}"),
            ))
        }
        Item::Bool(b) => Value::Bool(b),
        Item::Null | Item::Undefined | Item::Simple(_) => Value::Null,
        Item::Float16(f) | Item::Float32(f) => Value::Float(f64::from(f)),
        Item::Float64(f) => Value::Float(f),
    })
}

/// An event-stream message payload (one CBOR item) read as `sref`'s shape.
pub(super) fn payload_value(
    model: &ServiceModel,
    sref: &ShapeRef,
    payload: &bytes::Bytes,
) -> Result<Value, ParseError> {
    match decode(cbor::decode_bytes(payload))? {
        Some(item) => read(model, TimestampParsing::Parsed, sref, item),
        None => Ok(Value::map()),
    }
}
