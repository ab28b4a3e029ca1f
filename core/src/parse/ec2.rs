//! The `ec2` protocol's responses: query-style XML without a result wrapper (the output's
//! members are children of `<OperationResponse>`), the request id in `<requestId>`, and errors
//! as `<Response><Errors><Error>...</Error></Errors><RequestID/></Response>`.

use super::query::{parse_error_as, parse_modeled_error_as, parse_output_as, Dialect};
use super::{Ctx, ParseError};
use crate::body::Body;
use crate::model::{ShapeId, ShapeRef};
use crate::value::Map;

const EC2: Dialect = Dialect {
    result_wrapper: false,
    metadata_element: b"requestId",
    error_request_id: &["RequestId", "RequestID"],
    error_root_path: &[b"Errors", b"Error"],
};

pub(super) fn parse_output(
    cx: &Ctx<'_>,
    output: Option<&ShapeRef>,
    body: Body,
) -> Result<Map, ParseError> {
    parse_output_as(&EC2, cx, output, body)
}

pub(super) fn parse_error(cx: &Ctx<'_>, body: &[u8]) -> Result<Map, ParseError> {
    parse_error_as(&EC2, cx, body)
}

pub(super) fn parse_modeled_error(
    cx: &Ctx<'_>,
    shape: ShapeId,
    body: &[u8],
) -> Result<Map, ParseError> {
    parse_modeled_error_as(&EC2, cx, shape, body)
}
