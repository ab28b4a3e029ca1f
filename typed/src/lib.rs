//! Typed clients from the same botocore models, generated only for what a program asks.
//!
//! [`typed!`] turns a service's embedded model (all of it, or the operations named) into a
//! module of Rust types — input and output structures, enums with an `Unknown(String)` arm,
//! one error enum per operation (`is_no_such_key()`) — and an extension trait adding typed
//! methods to the runtime-generic client, so `s3.put_object(input)` works on every transport
//! (a future on tokio and async-std, the value on the blocking one):
//!
//! ```text
//! sansboto_typed::typed!("s3", ["PutObject", "GetObject", "ListObjectsV2"]);
//! use s3::S3 as _;
//! let out = client.put_object(s3::types::PutObjectRequest {
//!     bucket: Some("b".into()), key: Some("k".into()), body: Some(b"hi"[..].into()),
//!     ..Default::default()
//! }).await?;
//! ```
//!
//! A typed call is the dynamic `call` underneath: the input becomes the core's [`Value`]
//! directly ([`IntoValue`], no JSON in between), the core runs its one pipeline, and the result
//! is read back with [`FromValue`]. This crate owns those two conversions, the per-call glue
//! ([`call`], [`wait`], [`TypedPages`]: typed pages one by one, as a `Stream` on the async
//! transports, an `Iterator` on the blocking one, or aggregated) and the errors typed code adds
//! ([`TypedError`]).
//!
//! With the `docs` feature, the generated methods, operation markers, fields and module carry
//! the models' documentation as rustdoc (the text `sansboto help` shows, from
//! `sansboto_models::service_docs`); it is off by default because the text costs compile time.

mod call;
mod convert;
mod pages;

pub use call::{call, wait, Modeled, OperationError, OperationVisitor, TypedError, TypedOperation};
pub use convert::{ConvertError, Empty, FromValue, IntoValue, Payload, Redacted};
pub use pages::{paginate, FullResult, Page, TypedPageStream, TypedPages};
pub use sansboto_typed_macros::typed;

pub use sansboto_core::Value;

/// What generated code names; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::convert::{expect_map, put, take};
    pub use bytes::Bytes;
    pub use indexmap::IndexMap;
    pub use sansboto_core::runtime::{Client, Transport};
    pub use sansboto_core::PaginationOptions;
    pub use sansboto_core::ServiceError;
    pub use sansboto_core::Timestamp;
    pub use sansboto_core::{map_with_capacity, Map, Value};
}
