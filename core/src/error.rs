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
