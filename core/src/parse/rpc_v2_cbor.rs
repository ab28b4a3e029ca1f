//! The `smithy-rpc-v2-cbor` protocol's responses (written after the CBOR codec lands).

use super::{Ctx, ParseError};
use crate::body::Body;
use crate::model::{ShapeId, ShapeRef};
use crate::value::Map;

pub(super) fn parse_output(_: &Ctx<'_>, _: Option<&ShapeRef>, _: Body) -> Result<Map, ParseError> {
    Err(ParseError::Malformed { format: super::BodyFormat::Cbor, message: "pending".into(), position: String::new() })
}
pub(super) fn parse_error(_: &Ctx<'_>, _: &[u8]) -> Result<Map, ParseError> {
    Err(ParseError::Malformed { format: super::BodyFormat::Cbor, message: "pending".into(), position: String::new() })
}
pub(super) fn parse_modeled_error(_: &Ctx<'_>, _: ShapeId, _: &[u8]) -> Result<Map, ParseError> {
    Err(ParseError::Malformed { format: super::BodyFormat::Cbor, message: "pending".into(), position: String::new() })
}
