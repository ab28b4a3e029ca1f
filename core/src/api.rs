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
//!
//! Hooks see each call's parameters or request ([`Event`], [`Target`], [`CallInfo`]) and may
//! refuse it ([`HookError`]):
//!
//! ```
//! use sansboto_core::hooks::Hooks;
//! use sansboto_core::{params, CallInfo, Event, HookError, Target};
//!
//! let mut hooks = Hooks::new();
//! hooks.register(Event::BeforeParameterBuild, "no-x", "*", |_: &CallInfo<'_>, t: &mut Target<'_>| {
//!     match t {
//!         Target::Params(p) if p.get("X").is_some() => Err(HookError::new("X is not allowed")),
//!         _ => Ok(()),
//!     }
//! });
//! let mut p = params! {"X": 1};
//! let err = hooks
//!     .run(Event::BeforeParameterBuild, &CallInfo::new("s3", "PutObject"), &mut Target::Params(&mut p))
//!     .unwrap_err();
//! assert_eq!(err.to_string(), "no-x: X is not allowed");
//! ```
//!
//! Timestamps ([`Timestamp`]), retry modes ([`RetryMode`]), S3 addressing ([`AddressingStyle`]),
//! transport failure kinds ([`TransportErrorKind`]) and HTTP settings ([`HttpSettings`]):
//!
//! ```
//! use std::time::Duration;
//! use sansboto_core::{HttpSettings, RetryMode, Timestamp, TransportErrorKind};
//!
//! let t = Timestamp::parse_iso8601("2015-08-30T12:36:00Z").unwrap();
//! assert_eq!(t.to_amz_date(), "20150830T123600Z");
//! assert_eq!(RetryMode::parse("adaptive"), Some(RetryMode::Adaptive));
//! assert!(TransportErrorKind::Timeout.is_retryable());
//! assert!(!TransportErrorKind::Checksum.is_retryable());
//! let config = HttpSettings::new().read_timeout(Duration::from_secs(5)).resolve(|_| None, None).unwrap();
//! assert_eq!(config.read_timeout, Duration::from_secs(5));
//! ```
//!
//! Service errors ([`ServiceError`]) and the typed failures around a call ([`WaiterError`],
//! [`PaginateError`], [`CustomizeError`], [`ConfigError`], …) are [`Error`] variants a program
//! matches:
//!
//! ```
//! use sansboto_core::{Error, PaginateError, WaiterError};
//!
//! fn explain(e: &Error) -> String {
//!     match e {
//!         Error::Service(s) => format!("the service said {}", s.code),
//!         Error::Waiter(WaiterError::Failed { waiter, .. }) => format!("{waiter} gave up"),
//!         Error::Paginate(PaginateError::NotPaginated(op)) => format!("{op} has no pages"),
//!         Error::Transport(t) => format!("{:?} after {} attempts", t.kind, t.attempts),
//!         other => other.to_string(),
//!     }
//! }
//! let e = Error::Paginate(PaginateError::NotPaginated("PutObject".into()));
//! assert_eq!(explain(&e), "PutObject has no pages");
//! ```
//!
//! Credentials ([`Credentials`]), bodies ([`Body`], [`StreamingBody`]), structures ([`Map`]),
//! endpoint discovery ([`DiscoverySetting`]) and the transports' HTTP settings ([`HttpConfig`],
//! [`ProxyConfig`], [`ProxyUrl`], [`NoProxy`], [`HttpConfigError`]):
//!
//! ```
//! use sansboto_core::{
//!     Body, Credentials, DiscoverySetting, HttpConfig, HttpConfigError, Map, NoProxy, ProxyConfig,
//!     ProxyUrl, StreamingBody, Value,
//! };
//!
//! let creds = Credentials::new("AKID", "SECRET", Some("TOKEN".into()), None);
//! assert_eq!((creds.access_key_id(), creds.session_token()), ("AKID", Some("TOKEN")));
//! assert!(!format!("{creds:?}").contains("SECRET"));
//!
//! assert_eq!(Body::from(b"abc".to_vec()).len(), Some(3));
//! assert_eq!(Body::Stream(StreamingBody::new((), Some(10))).len(), Some(10));
//!
//! let mut m = Map::default();
//! m.insert("Key".into(), Value::from("k"));
//! assert_eq!(Value::Map(m)["Key"].as_str(), Some("k"));
//!
//! assert_eq!(DiscoverySetting::parse(" TRUE "), Some(DiscoverySetting::Enabled));
//!
//! let proxies = ProxyConfig {
//!     https: Some(ProxyUrl::parse("proxy.internal:3128").unwrap()),
//!     no_proxy: NoProxy::parse("169.254.169.254,.local"),
//!     ..ProxyConfig::default()
//! };
//! assert_eq!(proxies.proxy_for("https", "s3.amazonaws.com", 443).unwrap().port, 3128);
//! assert!(proxies.proxy_for("https", "db.local", 443).is_none());
//! assert!(ProxyUrl::parse("https://p").unwrap().tls); // TLS to the proxy itself
//! assert!(matches!(ProxyUrl::parse("socks5://p"), Err(HttpConfigError::InvalidProxy { .. })));
//! let env = |name: &str| (name == "https_proxy").then(|| "http://p:8080".to_string());
//! assert_eq!(HttpConfig::from_env_with(env).unwrap().proxy.unwrap().https.unwrap().host, "p");
//! ```
//!
//! The errors each piece reports on its own, before a call is sent or while its answer is read
//! ([`ConfigError`], [`ValidationError`], [`EventStreamError`], [`StubError`]), and the ones a
//! call wraps in [`Error`] ([`CustomizeError`], [`FlexibleChecksumError`]); with a test
//! [`Stubber`] (its [`StubbedRequest`]s are the signed requests it recorded), per-call
//! [`CallContext`] values and [`ClientOptions`]:
//!
//! ```
//! use sansboto_core::config::ConfigFile;
//! use sansboto_core::eventstream::decode_message;
//! use sansboto_core::model::ServiceModel;
//! use sansboto_core::{
//!     params, validate, CallContext, ClientOptions, ConfigError, CustomizeError, Error,
//!     EventStreamError, FlexibleChecksumError, RetryMode, StubError, StubbedRequest, Stubber,
//!     ValidationError,
//! };
//!
//! // A key before any [section] is refused with its line (the text itself may be a secret).
//! let err = ConfigFile::parse("aws_secret_access_key = x\n").unwrap_err();
//! assert_eq!(err, ConfigError::MissingSectionHeader { line: 1 });
//!
//! // Parameters are checked against the model, every problem at once.
//! let model = ServiceModel::from_json(br#"{
//!     "metadata": {"protocol": "json", "serviceId": "Demo", "endpointPrefix": "demo",
//!                  "jsonVersion": "1.0", "targetPrefix": "Demo", "signatureVersion": "v4"},
//!     "operations": {"Put": {"name": "Put", "http": {"method": "POST", "requestUri": "/"},
//!                            "input": {"shape": "In"}, "output": {"shape": "Out"}}},
//!     "shapes": {"In": {"type": "structure", "required": ["Name"],
//!                       "members": {"Name": {"shape": "S"}}},
//!                "Out": {"type": "structure", "members": {}},
//!                "S": {"type": "string"}}}"#).unwrap();
//! let err: ValidationError = validate(&model, model.shape_id("In"), &params! {"Nmae": 1}).unwrap_err();
//! assert_eq!(err.problems.len(), 2); // Name is missing; Nmae is unknown
//!
//! // A damaged event-stream frame is named as such.
//! let frame = bytes::Bytes::from_static(&[0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
//! assert!(matches!(decode_message(frame), Err(EventStreamError::PreludeChecksumMismatch { .. })));
//!
//! // A stubber queues answers; one left over is a StubError.
//! let stubber = Stubber::new(model.clone());
//! stubber.add_response("Put", Some(params! {"Name": "n"}), params! {}).unwrap();
//! let recorded: Vec<StubbedRequest> = stubber.requests();
//! assert!(recorded.is_empty());
//! assert!(matches!(stubber.check_no_pending_responses(), Err(StubError::Pending { count: 1, .. })));
//!
//! // Hooks of one call share typed values through its CallContext.
//! let cx = CallContext::new();
//! cx.insert(42u32);
//! assert_eq!(cx.get::<u32>(), Some(42));
//!
//! // What a caller sets on a client; the rest comes from the environment and profile.
//! let options = ClientOptions {
//!     region: Some("eu-west-1".into()),
//!     retry_mode: Some(RetryMode::Adaptive),
//!     ..ClientOptions::default()
//! };
//! assert_eq!(options.region.as_deref(), Some("eu-west-1"));
//!
//! // A customization's refusal and a checksum mismatch are matchable inside Error; a refused
//! // parameter (an S3 bucket name) is a validation problem, as botocore's
//! // `ParamValidationError`.
//! let refused = Error::from(CustomizeError::InvalidBucketName { bucket: "no spaces".into() });
//! assert!(matches!(refused, Error::Validation(_)));
//! assert!(matches!(
//!     refused.customize_error(),
//!     Some(CustomizeError::InvalidBucketName { .. })
//! ));
//! let unsupported = Error::from(FlexibleChecksumError::UnsupportedAlgorithm("MD4".into()));
//! assert!(matches!(unsupported, Error::Checksum(FlexibleChecksumError::UnsupportedAlgorithm(_))));
//! ```

pub use crate::auth::{Credentials, PresignedPost};
pub use crate::body::{Body, StreamingBody};
pub use crate::config::ConfigError;
pub use crate::customize::CustomizeError;
pub use crate::endpoint::discovery::DiscoverySetting;
pub use crate::endpoint::AddressingStyle;
pub use crate::error::{Error, TransportError, TransportErrorKind};
pub use crate::eventstream::EventStreamError;
pub use crate::hooks::{CallContext, CallInfo, Event, HookError, Target};
pub use crate::http_config::{
    ClientCert, HttpConfig, HttpConfigError, NoProxy, ProxyConfig, ProxyUrl,
};
pub use crate::http_settings::HttpSettings;
pub use crate::httpchecksum::FlexibleChecksumError;
pub use crate::paginate::{PaginateError, PaginationOptions};
pub use crate::params;
pub use crate::parse::{ServiceError, TimestampParsing};
pub use crate::retry::RetryMode;
pub use crate::session::ClientOptions;
pub use crate::stub::{StubError, StubbedRequest, Stubber};
pub use crate::time::Timestamp;
// S3 transfers' settings and outcome (`upload_file`, `download_file`, `copy_object`).
pub use crate::transfer::{CancelToken, Progress, TransferConfig, TransferError};
pub use crate::validate::ValidationError;
pub use crate::value::{Map, Value};
pub use crate::waiter::WaiterError;
