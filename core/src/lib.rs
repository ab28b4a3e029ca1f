//! # sansboto-core
//!
//! The pure heart of sansboto: it turns (service model, operation, parameters, credentials, time)
//! into a signed [`http::Request`] and an [`http::Response`] back into values or a typed error.
//!
//! Nothing in this crate performs I/O: no sockets, files, environment, clock, sleep, randomness or
//! async runtime. Whatever needs the outside world is a state machine that asks for it.
//!
//! What a program making calls needs is re-exported at the root (the list is [`api`]), and again
//! by each transport crate: `Error`, `Value`, `params!`, `RetryMode`, `PaginationOptions`, hook
//! `Event` and `Target`, `AddressingStyle`, `ServiceError`, `Timestamp`, … The modules hold the
//! machinery underneath, for transports and tools.

// The public modules are the sub-APIs a transport or a tool builds on; each is a coherent whole.
pub mod api;
pub mod auth;
pub mod client;
pub mod config;
pub mod connection;
pub mod credentials;
pub mod endpoint;
pub mod eventstream;
pub mod hooks;
pub mod http1;
pub mod http_stack;
pub mod jmespath;
pub mod machine;
pub mod map;
pub mod model;
pub mod outgoing;
pub mod protocol;
pub mod request_body;
pub mod response_check;
pub mod response_read;
pub mod retry;
pub mod runtime;
pub mod session;
pub mod transfer;

// The rest is machinery: what of it is public is re-exported below (or by `api`/`protocol`).
mod body;
mod body_digest;
#[cfg(feature = "rpc-v2-cbor")]
mod cbor;
mod checksum;
mod compress;
mod customize;
mod datetime;
mod encoding;
mod error;
mod form;
mod header_names;
mod http_config;
mod http_settings;
mod httpchecksum;
mod paginate;
mod parse;
mod serialize;
mod sorting;
mod stub;
mod time;
mod trace;
mod transfer_rate;
mod validate;
mod value;
mod value_serializer;
mod waiter;

// For programs making calls: the list in `api`.
pub use api::*;
pub use value::{map_with_capacity, Key, MapHasher, Text};
// Request compression is internal; its settings and error are named in public types.
pub use compress::{CompressError, CompressionConfig};
pub use datetime::OutOfRange;
pub use httpchecksum::{RequestChecksumCalculation, ResponseChecksumValidation};
pub use time::{TextZone, TimestampError};
pub use validate::Problem as ValidationProblem;

// For tools: the sans-IO paginator and waiter machines, parameter validation and its
// "did you mean" rule, and the EKS token of `aws eks get-token`.
pub use customize::eks;
pub use paginate::{FullResult, Paginator, PaginatorConfig, PaginatorModel};
pub use serialize::SerializeError;
pub use validate::{nearest, validate};
pub use waiter::{WaitStep, Waiter, WaiterConfig, WaiterModel};

// For transport authors: the byte-level rules every transport applies the same way (aws-chunked
// framing, response checksums, body length and rate checks, proxy tunnels, I/O error kinds).
pub use body::FileRange;
pub use body_digest::{BodyDigest, BodyDigestValue};
pub use checksum::{
    checksum, AwsChunkedEncoder, AwsChunkedFramer, Checksum, ChecksumAlgorithm, ChecksumValue,
    ChunkHead, UnknownChecksumAlgorithm,
};
pub use http_config::{
    check_tunnel_answer, io_error_kind, BodyLengthCheck, Destination, TunnelHandshake,
    MAX_TUNNEL_ANSWER,
};
pub use httpchecksum::{AwsChunkedBody, ResponseChecksumValidator};
pub use transfer_rate::{MinTransferRate, TransferWatch};
