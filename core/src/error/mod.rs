//! The top-level [`Error`]: everything a call can fail with, one variant per concern.
//!
//! Each concern keeps its own error enum in its module (`validate`, `model`, `serialize`, …);
//! this module wraps them, so it imports them, and the low-level ones (credentials, checksums,
//! the stubber's error) do not import it. The one error the transports and those modules share,
//! [`TransportError`], lives in `transport`, which imports nothing of the core. (A transfer's and
//! the client's own errors hold or return a whole [`Error`]: they sit above it.)

pub(crate) mod transport;

pub use transport::{TransportError, TransportErrorKind};

use crate::auth::AuthError;
use crate::endpoint::{BindError, EndpointError};
use crate::eventstream::EventStreamError;
use crate::hooks::HookError;
use crate::httpchecksum::FlexibleChecksumError;
use crate::model::ModelError;
use crate::parse::{ParseError, ServiceError};
use crate::serialize::SerializeError;
use crate::stub::error::StubError;
use crate::validate::ValidationError;

/// Everything a call can fail with. Each concern keeps its own error type; this wraps them with
/// accessors for what callers usually want (code, message, request id, HTTP status).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error.
    #[error("{0}")]
    Service(Box<ServiceError>),
    /// The operation name is not one of the service's.
    #[error("unknown operation {operation:?} for service {service}{}", .suggestion.as_ref().map(|s| format!(" (did you mean {s}?)")).unwrap_or_default())]
    UnknownOperation {
        /// The service.
        service: String,
        /// The name given.
        operation: String,
        /// The closest valid operation name.
        suggestion: Option<String>,
    },
    /// No service of that name (botocore's `UnknownServiceError`).
    #[error("unknown service {service:?}{}", .suggestion.as_ref().map(|s| format!(" (did you mean {s}?)")).unwrap_or_default())]
    UnknownService {
        /// The name given.
        service: String,
        /// The closest service name (`dynamodb` for `DynamoDB`).
        suggestion: Option<String>,
    },
    /// The parameters do not fit the operation's input shape (every problem listed).
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// The request could not be serialized.
    #[error(transparent)]
    Serialize(#[from] SerializeError),
    /// The call's endpoint ruleset parameters could not be bound.
    #[error(transparent)]
    Bind(#[from] BindError),
    /// Endpoint resolution failed (a ruleset `error` rule's message is shown verbatim). The two
    /// rule refusals botocore reports as `ParamValidationError` are [`Error::Validation`]
    /// instead ([`ValidationProblem::RefusedByEndpointRules`](crate::ValidationProblem)).
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// Endpoint discovery refused the call or could not find an endpoint for it.
    #[error(transparent)]
    EndpointDiscovery(#[from] crate::endpoint::discovery::DiscoveryError),
    /// Signing failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A lifecycle hook refused the call.
    #[error(transparent)]
    Hook(HookError),
    /// The response could not be parsed.
    #[error(transparent)]
    Parse(ParseError),
    /// The HTTP exchange failed.
    #[error(transparent)]
    Transport(TransportError),
    /// A flexible checksum could not be applied, or a response body does not match the
    /// `x-amz-checksum-*` header it came with (botocore's `FlexibleChecksumError`; never retried).
    #[error(transparent)]
    Checksum(#[from] FlexibleChecksumError),
    /// DynamoDB's `x-amz-crc32` header did not match the body on every attempt of a legacy-mode
    /// call (botocore's `ChecksumError`; other modes return the last response as botocore does).
    #[error(transparent)]
    Crc32(#[from] crate::retry::crc32::Crc32Mismatch),
    /// An event stream's bytes could not be decoded into messages.
    #[error(transparent)]
    EventStream(#[from] EventStreamError),
    /// A stubbed client was called in a way its [`Stubber`](crate::stub::Stubber) did not expect.
    #[error(transparent)]
    Stub(#[from] StubError),
    /// Finding or refreshing credentials failed (the message lists what was tried).
    #[error(transparent)]
    Credentials(#[from] crate::credentials::CredentialsError),
    /// An S3 Express call could not get its bucket's session credentials.
    #[error(transparent)]
    S3ExpressSession(#[from] crate::client::s3express::SessionError),
    /// An S3 transfer (multipart upload, ranged download) failed beyond one call's error.
    #[error(transparent)]
    Transfer(#[from] crate::transfer::TransferError),
    /// No credentials were found, and the operation needs them.
    #[error("Unable to locate credentials: {0}")]
    NoCredentials(String),
    /// No region was configured, and the service needs one.
    #[error("You must specify a region (region_name, AWS_REGION or AWS_DEFAULT_REGION, or `region` in the profile).")]
    NoRegion,
    /// A region name that cannot be part of a host name (botocore's `InvalidRegionError`), such
    /// as one an S3 answer named for a bucket.
    #[error("Provided region_name '{region}' doesn't match a supported format.")]
    InvalidRegion {
        /// The region given.
        region: String,
    },
    /// The service model could not be loaded or parsed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The session could not be made (a bad shared file, an unknown profile); every client of
    /// it reports the same cause.
    #[error("{0}")]
    Session(#[source] std::sync::Arc<Error>),
    /// The attempt failed with an error the retry policy would have retried, but the request
    /// body was a one-shot stream (a reader or an iterator of chunks) that the failed attempt
    /// used up, so the call could not be sent again. `source` is the attempt's error. A file
    /// body (`file_body`, [`FileRange`](crate::body::FileRange)), a seekable one
    /// (`seekable_body`) or an in-memory one is retried.
    #[error("{source} (not retried: the request body is a one-shot stream that cannot be replayed; use a file, seekable or in-memory body to have it retried)")]
    BodyNotReplayable {
        /// The error of the attempt that would have been retried.
        source: Box<Error>,
    },
    /// A shared config or credentials file is not valid.
    #[error("{file}{}: {source}", .path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    ConfigFile {
        /// Which file (`shared config file`, `shared credentials file`).
        file: &'static str,
        /// Where it is, when the host that read it says (the core is given its contents).
        path: Option<Box<std::path::Path>>,
        /// What is wrong with it (boxed: errors stay small, and this one is rare).
        source: Box<crate::config::ConfigError>,
    },
    /// A configuration value (option, environment variable or profile setting) is not valid
    /// (botocore's `InvalidConfigError` and friends).
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The HTTP settings from the environment are not valid (a bad proxy URL).
    #[error(transparent)]
    HttpConfig(#[from] crate::http_config::HttpConfigError),
    /// One of botocore's data files (a service model, paginators, waiters, partitions,
    /// `_retry.json`) could not be loaded.
    #[error("could not load {file}: {message}")]
    ModelData {
        /// The file (`s3 paginators`, `_retry.json`).
        file: String,
        /// What the data source said.
        message: String,
    },
    /// Pagination could not start or go on (no paginator, a bad starting token, a repeated
    /// token).
    #[error(transparent)]
    Paginate(#[from] crate::paginate::PaginateError),
    /// A waiter does not exist, or waiting ended without success (a failure acceptor matched,
    /// an unexpected error came back, attempts ran out: botocore's `WaiterError`).
    #[error(transparent)]
    Waiter(#[from] crate::waiter::WaiterError),
    /// A request body could not be compressed.
    #[error(transparent)]
    Compress(#[from] crate::CompressError),
    /// A customization refused the call outside a hook (RDS auth tokens).
    #[error(transparent)]
    Customize(crate::customize::CustomizeError),
    /// The service has no endpoint rules and no endpoint URL was given.
    #[error("service {service} has no endpoint rules; set an endpoint URL")]
    NoEndpointRules {
        /// The service.
        service: String,
    },
    /// S3 asked to move the call to another region, and it could not be moved.
    #[error("{operation} could not be redirected: {reason}")]
    Redirect {
        /// The operation.
        operation: String,
        /// Why.
        reason: String,
    },
    /// `user_agent_extra` makes a user agent that is not a valid header value.
    #[error("user agent {user_agent:?} is not a valid header value")]
    InvalidUserAgent {
        /// The whole user agent.
        user_agent: String,
    },
    /// The result given to [`event_stream`](crate::runtime::Client::event_stream) holds no
    /// event stream to read, or input events were given for an operation that takes none.
    #[error("{operation}: {reason}")]
    NoEventStream {
        /// The operation.
        operation: String,
        /// Why (no event-stream member, not this operation's result, already taken).
        reason: String,
    },
    /// A state machine was driven out of order (a bug in the code driving it, not in the call).
    #[error("state machine misuse: {0}")]
    MachineMisuse(&'static str),
}

impl From<TransportError> for Error {
    /// A transport error carrying a checksum mismatch (found by a transport while it read a
    /// streamed body) is the typed [`Error::Checksum`]; anything else stays a transport error.
    fn from(e: TransportError) -> Self {
        match e.source {
            Some(source) if source.is::<FlexibleChecksumError>() => {
                match source.downcast::<FlexibleChecksumError>() {
                    Ok(checksum) => Error::Checksum(*checksum),
                    Err(source) => Error::Transport(TransportError {
                        source: Some(source),
                        ..e
                    }),
                }
            }
            source => Error::Transport(TransportError { source, ..e }),
        }
    }
}

/// A hook's refusal, except the parameter problems botocore's handlers raise as
/// `ParamValidationError` (S3's bucket name, metadata, `CopySource`): those are
/// [`Error::Validation`], so a program matches them with the rest of its parameters' problems.
impl From<HookError> for Error {
    fn from(e: HookError) -> Self {
        match e.downcast_ref::<crate::customize::CustomizeError>() {
            Some(refusal) if refusal.is_parameter_problem() => Error::from(refusal.clone()),
            _ => Error::Hook(e),
        }
    }
}

/// A customization's refusal: [`Error::Validation`] for a parameter problem (as
/// `From<HookError>` says), else [`Error::Customize`].
impl From<crate::customize::CustomizeError> for Error {
    fn from(refusal: crate::customize::CustomizeError) -> Self {
        if refusal.is_parameter_problem() {
            Error::Validation(crate::validate::ValidationError {
                problems: vec![crate::validate::Problem::Refused(refusal)],
            })
        } else {
            Error::Customize(refusal)
        }
    }
}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        match e {
            ParseError::Service(s) => Error::Service(s),
            other => Error::Parse(other),
        }
    }
}

impl Error {
    /// The service error, when the service answered with one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(s) => Some(s),
            Error::BodyNotReplayable { source } => source.service_error(),
            _ => None,
        }
    }

    /// The service's error code (`NoSuchKey`).
    pub fn code(&self) -> Option<&str> {
        self.service_error().map(|s| s.code.as_str())
    }

    /// The service's error message.
    pub fn message(&self) -> Option<&str> {
        self.service_error().map(|s| s.message.as_str())
    }

    /// The request id of the failed call.
    pub fn request_id(&self) -> Option<&str> {
        self.service_error().and_then(|s| s.request_id.as_deref())
    }

    /// The HTTP status of the error response.
    pub fn status(&self) -> Option<u16> {
        self.service_error().map(|s| s.status)
    }

    /// The customization error behind a refused call (S3's `InvalidBucketName`, …), whether a
    /// customization hook or the client itself raised it, and whether the call reports it as a
    /// validation problem ([`Error::Validation`], S3's bucket name, metadata and `CopySource`)
    /// or as [`Error::Hook`] / [`Error::Customize`].
    ///
    /// ```
    /// use sansboto_core::CustomizeError;
    /// use sansboto_core::Error;
    /// use sansboto_core::hooks::HookError;
    ///
    /// // A parameter refusal, as a call reports it (`Error::Validation`).
    /// let e = Error::from(HookError::from(CustomizeError::InvalidBucketName { bucket: "a/b".into() }));
    /// assert!(matches!(e, Error::Validation(_)));
    /// assert!(matches!(e.customize_error(), Some(CustomizeError::InvalidBucketName { .. })));
    /// // Another refusal stays the hook's.
    /// let e = Error::from(HookError::from(CustomizeError::MissingRegion { operation: "CopySnapshot".into() }));
    /// assert!(matches!(e, Error::Hook(_)));
    /// assert!(matches!(e.customize_error(), Some(CustomizeError::MissingRegion { .. })));
    /// ```
    pub fn customize_error(&self) -> Option<&crate::customize::CustomizeError> {
        match self {
            Error::Hook(h) => h.downcast_ref(),
            Error::Customize(c) => Some(c),
            Error::Validation(v) => v.problems.iter().find_map(|p| match p {
                crate::validate::Problem::Refused(refusal) => Some(refusal),
                _ => None,
            }),
            _ => None,
        }
    }

    /// The transport error, when the HTTP exchange failed (the attempt's, when a one-shot body kept
    /// it from being retried).
    pub fn transport_error(&self) -> Option<&TransportError> {
        match self {
            Error::Transport(t) => Some(t),
            // The attempt's error, which a one-shot body kept from being retried.
            Error::BodyNotReplayable { source } => source.transport_error(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::ChecksumAlgorithm;
    use crate::httpchecksum::ResponseChecksumValidator;

    #[test]
    fn a_checksum_mismatch_read_by_a_transport_is_a_checksum_error() {
        let mut validator = ResponseChecksumValidator::new(ChecksumAlgorithm::Crc32, "AAAAAA==");
        validator.update(b"body");
        let transport = validator.finish_read().unwrap_err();
        assert_eq!(transport.kind, TransportErrorKind::Checksum);
        assert!(!transport.kind.is_retryable());
        assert!(
            transport.to_string().starts_with("checksum mismatch: "),
            "{transport}"
        );
        match Error::from(transport) {
            Error::Checksum(FlexibleChecksumError::Mismatch {
                algorithm,
                expected,
                ..
            }) => {
                assert_eq!(algorithm, ChecksumAlgorithm::Crc32);
                assert_eq!(expected, "AAAAAA==");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn other_transport_errors_keep_their_source() {
        let io = std::io::Error::other("reset");
        let e = TransportError::new(TransportErrorKind::Io, "broken").with_source(io);
        match Error::from(e) {
            Error::Transport(t) => {
                assert_eq!(t.message, "broken");
                assert!(t.source.is_some_and(|s| s.is::<std::io::Error>()));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_customization_refusal_stays_matchable_through_a_hook() {
        use crate::customize::CustomizeError;
        // A refusal botocore raises as `ParamValidationError` is a validation problem; others
        // (an alias given twice: botocore's `AliasConflictParameterError`) stay the hook's.
        // Either way the refusal is the error's source, for a walk of the chain.
        let bucket = CustomizeError::InvalidBucketName {
            bucket: "a/b".into(),
        };
        let alias = CustomizeError::AliasConflict {
            original: "Filters",
            alias: "Filter",
            operation: "DescribeImages".into(),
        };
        for (refusal, validation) in [(bucket, true), (alias, false)] {
            let e = Error::from(HookError::from(refusal.clone()));
            assert_eq!(matches!(e, Error::Validation(_)), validation, "{e:?}");
            assert_eq!(matches!(e, Error::Hook(_)), !validation, "{e:?}");
            assert_eq!(e.customize_error(), Some(&refusal));
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source.filter(|s| !s.is::<CustomizeError>()) {
                source = s.source();
            }
            assert_eq!(
                source.map(|s| s.to_string()),
                Some(refusal.to_string()),
                "{e:?}"
            );
        }
        assert_eq!(
            Error::Hook(HookError::new("plain")).customize_error(),
            None,
            "a hook error made from a message has no typed source"
        );
    }
}
