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

pub mod api;
pub mod auth;
pub mod body;
pub mod body_digest;
pub mod cbor;
pub mod checksum;
pub mod client;
mod compress;
pub mod config;
pub mod credentials;
pub mod customize;
pub mod datetime;
mod encoding;
pub mod endpoint;
pub mod error;
pub mod eventstream;
pub mod hooks;
pub mod http_config;
pub mod http_settings;
pub mod httpchecksum;
pub mod jmespath;
pub mod machine;
pub mod model;
pub mod paginate;
pub mod parse;
pub mod request_body;
pub mod response_check;
pub mod retry;
pub mod runtime;
pub mod serialize;
pub mod session;
pub mod stub;
pub mod time;
pub mod trace;
pub mod transfer;
pub mod transfer_rate;
pub mod validate;
pub mod value;
mod value_serializer;
pub mod waiter;

pub use api::*;
// Request compression is internal; its settings and error are named in public types.
pub use compress::{CompressError, CompressionConfig};
