//! The transport's side of a failed exchange: what any HTTP stack reports, so the core's retry
//! policy and the caller can classify it. A low-level error: it names no other part of the core,
//! so the modules below the client (credentials, checksums) report with it without depending on
//! the top-level [`Error`](super::Error) that wraps them all.

use std::fmt;

/// What kind of failure a transport hit, so retry policies can classify it without knowing
/// which HTTP stack produced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
    /// A streamed body's bytes do not match the checksum the response came with (the
    /// [`FlexibleChecksumError`](crate::httpchecksum::FlexibleChecksumError) is the source; never retried).
    Checksum,
    /// The request needs HTTP/2 (an operation with an event-stream input) and this transport's
    /// HTTP stack speaks only HTTP/1.1, or the server did not offer `h2`.
    Http2Required,
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

/// A failed HTTP exchange, as any transport reports it. The client adds where the call went
/// ([`host`](Self::host), [`proxy`](Self::proxy)) and how many attempts it made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub struct TransportError {
    /// The class of failure.
    pub kind: TransportErrorKind,
    /// Human-readable detail (never includes credentials).
    pub message: String,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
    /// The host (`host[:port]`) the failed request was for, when known.
    pub host: Option<String>,
    /// The proxy the request went through (`http://host:port`, never its credentials).
    pub proxy: Option<String>,
    /// How many attempts the call made, retries included (0 when not counted).
    pub attempts: u32,
}

impl TransportError {
    /// `Some` error when `request` needs HTTP/2 (the core marks it so) and the transport,
    /// named by `stack`, can only speak HTTP/1.1.
    pub fn http2_unavailable<B>(request: &http::Request<B>, stack: &str) -> Option<Self> {
        (request.version() == http::Version::HTTP_2).then(|| {
            TransportError::new(
                TransportErrorKind::Http2Required,
                format!(
                    "{} needs HTTP/2 (its input is an event stream), which {stack} cannot \
                     speak; use the tokio transport (sansboto-tokio)",
                    request.uri()
                ),
            )
        })
    }

    /// A new error of `kind`.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
            source: None,
            host: None,
            proxy: None,
            attempts: 0,
        }
    }

    /// Attach the underlying error.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Attach an underlying error that is already boxed.
    pub fn with_boxed_source(mut self, source: Box<dyn std::error::Error + Send + Sync>) -> Self {
        self.source = Some(source);
        self
    }

    /// Say where the failed request went (`host[:port]`, and the proxy when one was used).
    pub fn at(mut self, host: impl Into<String>, proxy: Option<String>) -> Self {
        self.host = Some(host.into());
        self.proxy = proxy;
        self
    }

    /// Say how many attempts the call made.
    pub fn after_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
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
            TransportErrorKind::Checksum => "checksum mismatch",
            TransportErrorKind::Http2Required => "HTTP/2 required",
        };
        f.write_str(what)?;
        if let Some(host) = &self.host {
            write!(f, " (host {host}")?;
            if let Some(proxy) = &self.proxy {
                write!(f, " via proxy {proxy}")?;
            }
            match self.attempts {
                0 => {}
                1 => f.write_str(", 1 attempt")?,
                n => write!(f, ", {n} attempts")?,
            }
            f.write_str(")")?;
        }
        write!(f, ": {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transport_error_names_host_proxy_and_attempts() {
        let bare = TransportError::new(TransportErrorKind::Connect, "refused");
        assert_eq!(bare.to_string(), "could not connect: refused");
        let direct = TransportError::new(TransportErrorKind::Connect, "refused")
            .at("127.0.0.1:9", None)
            .after_attempts(3);
        assert_eq!(
            direct.to_string(),
            "could not connect (host 127.0.0.1:9, 3 attempts): refused"
        );
        let proxied = TransportError::new(TransportErrorKind::Timeout, "no answer")
            .at("s3.amazonaws.com", Some("http://proxy:3128".into()))
            .after_attempts(1);
        assert_eq!(
            proxied.to_string(),
            "timed out (host s3.amazonaws.com via proxy http://proxy:3128, 1 attempt): no answer"
        );
        assert_eq!(proxied.host.as_deref(), Some("s3.amazonaws.com"));
        assert_eq!(proxied.proxy.as_deref(), Some("http://proxy:3128"));
        assert_eq!(proxied.attempts, 1);
    }
}
