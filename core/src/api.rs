//! What a program that makes calls needs, by name, in one list: re-exported at this crate's root
//! and by every transport crate (`sansboto-tokio`, `sansboto-async-std`, `sansboto-blocking`), so
//! ordinary use never names a core module (or depends on `sansboto-core` at all).
//!
//! ```
//! use sansboto_core::{params, AddressingStyle, Error, PaginationOptions, RetryMode, Value};
//!
//! let p: Value = params! {"Bucket": "b", "Body": &b"bytes"[..]};
//! assert_eq!(p["Bucket"].as_str(), Some("b"));
//! let _ = (AddressingStyle::Path, RetryMode::Standard, PaginationOptions::default());
//! let e: Result<(), Error> = Err(Error::NoRegion);
//! assert!(matches!(e, Err(Error::NoRegion)));
//! ```

pub use crate::auth::Credentials;
pub use crate::body::{Body, StreamingBody};
pub use crate::config::ConfigError;
pub use crate::customize::CustomizeError;
pub use crate::endpoint::discovery::DiscoverySetting;
pub use crate::endpoint::AddressingStyle;
pub use crate::error::{Error, TransportError, TransportErrorKind};
pub use crate::eventstream::EventStreamError;
pub use crate::hooks::{CallContext, CallInfo, Event, HookError, Target};
pub use crate::http_config::{HttpConfig, HttpConfigError, NoProxy, ProxyConfig, ProxyUrl};
pub use crate::http_settings::HttpSettings;
pub use crate::httpchecksum::FlexibleChecksumError;
pub use crate::paginate::{PaginateError, PaginationOptions};
pub use crate::params;
pub use crate::parse::ServiceError;
pub use crate::retry::RetryMode;
pub use crate::session::ClientOptions;
pub use crate::stub::{StubError, StubbedRequest, Stubber};
pub use crate::time::Timestamp;
pub use crate::validate::ValidationError;
pub use crate::value::{Map, Value};
pub use crate::waiter::WaiterError;
