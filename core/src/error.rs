//! Errors that cross crate boundaries: what a transport reports about a failed exchange.
//!
//! Each concern keeps its own error enum in its module (`validate`, `model`, `serialize`, …);
//! this module holds the pieces transports and the core must agree on.

use std::fmt;

/// What kind of failure a transport hit, so retry policies can classify it without knowing
/// which HTTP stack produced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// The connection could not be made (DNS, refused, unreachable, proxy CONNECT refused).
    Connect,
    /// Connecting, or waiting for response bytes, took longer than allowed.
    Timeout,
    /// The connection broke mid-exchange (reset, closed early, truncated body).
    Io,
    /// TLS handshake or certificate verification failed (never retried).
    Tls,
    /// The request could not be sent as built (bad URL, unsupported body).
    Request,
}

impl TransportErrorKind {
    /// True for failures a retry may cure (botocore retries connection errors and timeouts).
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            TransportErrorKind::Connect | TransportErrorKind::Timeout | TransportErrorKind::Io
        )
    }
}

/// A failed HTTP exchange, as any transport reports it.
#[derive(Debug, thiserror::Error)]
pub struct TransportError {
    /// The class of failure.
    pub kind: TransportErrorKind,
    /// Human-readable detail (never includes credentials).
    pub message: String,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    /// A new error of `kind`.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Attach the underlying error.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Io => "connection failed",
            TransportErrorKind::Tls => "TLS error",
            TransportErrorKind::Request => "invalid request",
        };
        write!(f, "{what}: {}", self.message)
    }
}

use crate::auth::AuthError;
use crate::endpoint::{BindError, EndpointError};
use crate::eventstream::EventStreamError;
use crate::hooks::HookError;
use crate::httpchecksum::FlexibleChecksumError;
use crate::model::ModelError;
use crate::parse::{ParseError, ServiceError};
use crate::serialize::SerializeError;
use crate::stub::StubError;
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
    /// The parameters do not fit the operation's input shape (every problem listed).
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// The request could not be serialized.
    #[error(transparent)]
    Serialize(#[from] SerializeError),
    /// The call's endpoint ruleset parameters could not be bound.
    #[error(transparent)]
    Bind(#[from] BindError),
    /// Endpoint resolution failed (a ruleset `error` rule's message is shown verbatim).
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
    Hook(#[from] HookError),
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
    #[error("Provided region_name {region:?} doesn't match a supported format.")]
    InvalidRegion {
        /// The region given.
        region: String,
    },
    /// The service model could not be loaded or parsed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Something else the client configuration or a customization rejected.
    #[error("{0}")]
    Client(String),
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
        assert_eq!(transport.kind, TransportErrorKind::Io);
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
}
