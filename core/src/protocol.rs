//! The AWS wire protocols as standalone functions: a request serialized from (model, operation,
//! parameters), a response or an event-stream message parsed back into values, and the CBOR
//! codec of `smithy-rpc-v2-cbor`.
//!
//! [`client::ServiceClient`](crate::client::ServiceClient) runs these for every call; they are
//! public for tools that handle wire data themselves (the command's event-stream output, protocol
//! conformance suites, fuzzers).

pub use crate::parse::{
    parse_event, parse_initial_response, parse_response, parse_response_with, BodyFormat,
    ParseError, Response, TimestampParsing,
};
pub use crate::serialize::{serialize_request, SerializeError, SerializedRequest};

/// CBOR (RFC 8949) as `smithy-rpc-v2-cbor` needs it (feature `rpc-v2-cbor`, on by default).
#[cfg(feature = "rpc-v2-cbor")]
pub mod cbor {
    pub use crate::cbor::*;
}
