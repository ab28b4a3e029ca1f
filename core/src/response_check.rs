//! What is checked of a response body as it arrives, written once for every transport: the
//! declared `Content-Length` (a connection closed early is an error, never a short body), the
//! response checksum a call asked for (botocore's `StreamingChecksumBody`), and how slowly the
//! body may arrive ([`TransferWatch`]).
//!
//! Sans-IO: a transport's body type holds a [`ResponseCheck`] and tells it each piece it reads
//! ([`piece`](ResponseCheck::piece)) and the end ([`end`](ResponseCheck::end)); the core reaches
//! it through [`Http::check`](crate::runtime::Http::check) to add the checksum and the watch
//! before handing a streamed body to the caller, so every way of reading it is checked.

use std::time::SystemTime;

use crate::error::{TransportError, TransportErrorKind};
use crate::http_config::BodyLengthCheck;
use crate::httpchecksum::ResponseChecksumValidator;
use crate::transfer_rate::TransferWatch;

/// The checks on one response body (see the module documentation).
#[derive(Debug, Default)]
pub struct ResponseCheck {
    length: BodyLengthCheck,
    /// Boxed: a hasher's state is large and most bodies have no checksum.
    checksum: Option<Box<ResponseChecksumValidator>>,
    watch: Option<TransferWatch>,
    ended: bool,
}

impl ResponseCheck {
    /// Expect `expected` bytes (`None`: length unknown, only the end is checked).
    pub fn new(expected: Option<u64>) -> Self {
        ResponseCheck {
            length: BodyLengthCheck::new(expected),
            ..ResponseCheck::default()
        }
    }

    /// The checks for a response to a request of `method` with `status` and `headers`: a
    /// response to `HEAD`, a 1xx, 204 or 304 has no body whatever its `Content-Length` says
    /// (RFC 9110 §6.4.1), and one with a `Transfer-Encoding` is framed by it, its
    /// `Content-Length` ignored (RFC 9112 §6.3, as hyper drops it); any other declares its
    /// length in `Content-Length`, if at all.
    pub fn for_response(method: &http::Method, status: u16, headers: &http::HeaderMap) -> Self {
        let bodiless = method == http::Method::HEAD || matches!(status, 100..=199 | 204 | 304);
        let encoded = headers.contains_key(http::header::TRANSFER_ENCODING);
        let expected = if bodiless || encoded {
            None
        } else {
            BodyLengthCheck::content_length(headers)
        };
        ResponseCheck::new(expected)
    }

    /// The declared length, when the response had a `Content-Length`.
    pub fn expected_len(&self) -> Option<u64> {
        self.length.expected()
    }

    /// Bytes seen so far.
    pub fn received(&self) -> u64 {
        self.length.received()
    }

    /// Whether the end of the body (or a failure) was seen.
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// Check the body against `validator` as it is read; a mismatch fails the read that
    /// reaches the end of the body with a [`TransportErrorKind::Checksum`] error whose source is
    /// the [`FlexibleChecksumError`](crate::httpchecksum::FlexibleChecksumError).
    pub fn expect_checksum(&mut self, validator: ResponseChecksumValidator) {
        self.checksum = Some(Box::new(validator));
    }

    /// Report every piece read to `watch`, failing the read it rejects (a body slower than the
    /// client's minimum transfer rate).
    pub fn watch(&mut self, watch: TransferWatch) {
        self.watch = Some(watch);
    }

    /// `data` arrived at `now`: counted, timed and hashed.
    pub fn piece(&mut self, data: &[u8], now: SystemTime) -> Result<(), TransportError> {
        self.count(data.len(), now)?;
        self.hash(data);
        Ok(())
    }

    /// `n` more bytes arrived at `now` (counted and timed; hash them with
    /// [`hash`](Self::hash), for readers that see bytes before they are consumed).
    pub fn count(&mut self, n: usize, now: SystemTime) -> Result<(), TransportError> {
        let checked = self.length.record(n).and_then(|()| match &mut self.watch {
            Some(watch) => watch.record(n, now),
            None => Ok(()),
        });
        if checked.is_err() {
            self.ended = true;
        }
        checked
    }

    /// Feed `data` to the checksum, if one is expected.
    pub fn hash(&mut self, data: &[u8]) {
        if let Some(checksum) = &mut self.checksum {
            checksum.update(data);
        }
    }

    /// The body ended: an error when it is shorter than declared or does not match the
    /// checksum. Only the first call checks (later reads at the end are just the end).
    pub fn end(&mut self) -> Result<(), TransportError> {
        if std::mem::replace(&mut self.ended, true) {
            return Ok(());
        }
        self.length.finish()?;
        match self.checksum.take() {
            Some(checksum) => checksum.finish_read(),
            None => Ok(()),
        }
    }

    /// A read of the body failed with `cause`, of `kind` as the transport classified it: the
    /// error says how far the body got, and is a timeout or else an I/O error.
    pub fn failed(
        &mut self,
        kind: TransportErrorKind,
        cause: impl std::fmt::Display,
    ) -> TransportError {
        self.ended = true;
        let kind = match kind {
            TransportErrorKind::Timeout => TransportErrorKind::Timeout,
            _ => TransportErrorKind::Io,
        };
        TransportError::new(
            kind,
            format!(
                "reading response body after {} bytes: {cause}",
                self.length.received()
            ),
        )
    }
}

/// A whole body gathered piece by piece (for `read_body` and the transports' `bytes`): the
/// first piece reserves the declared length, capped so a lying `Content-Length` cannot make it
/// allocate that much.
#[derive(Debug, Default)]
pub struct Collect {
    all: bytes::BytesMut,
    hint: usize,
}

impl Collect {
    /// Gather a body whose declared length is `expected`.
    pub fn new(expected: Option<u64>) -> Self {
        Collect {
            all: bytes::BytesMut::new(),
            hint: usize::try_from(expected.unwrap_or(0).min(64 << 20)).unwrap_or(0),
        }
    }

    /// Add the next piece.
    pub fn push(&mut self, piece: &[u8]) {
        if self.all.is_empty() {
            self.all.reserve(self.hint.max(piece.len()));
        }
        self.all.extend_from_slice(piece);
    }

    /// The whole body.
    pub fn finish(self) -> bytes::Bytes {
        self.all.freeze()
    }
}

/// A body read's error as `std::io::Read`-style readers report it: a timeout stays a timeout, a
/// checksum mismatch is invalid data, anything else ends the body early (`UnexpectedEof`); the
/// transport error is inside.
pub fn into_io_error(e: TransportError) -> std::io::Error {
    let kind = match e.kind {
        TransportErrorKind::Timeout => std::io::ErrorKind::TimedOut,
        TransportErrorKind::Checksum => std::io::ErrorKind::InvalidData,
        _ => std::io::ErrorKind::UnexpectedEof,
    };
    std::io::Error::new(kind, e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::ChecksumAlgorithm;
    use std::time::Duration;

    #[test]
    fn a_short_body_fails_at_its_end_and_a_long_one_at_once() {
        let now = SystemTime::UNIX_EPOCH;
        let mut short = ResponseCheck::new(Some(4));
        short.piece(b"abc", now).unwrap();
        assert_eq!(short.end().unwrap_err().kind, TransportErrorKind::Io);
        let mut long = ResponseCheck::new(Some(2));
        assert!(long.piece(b"abc", now).is_err());
        assert!(long.is_ended());
    }

    #[test]
    fn a_checksum_mismatch_fails_the_end_once() {
        let now = SystemTime::UNIX_EPOCH;
        let mut check = ResponseCheck::new(None);
        // CRC32 of "hello" is 0x3610a686 (NhCmhg==); this expects another value.
        check.expect_checksum(ResponseChecksumValidator::new(
            ChecksumAlgorithm::Crc32,
            "AAAAAA==",
        ));
        check.piece(b"hello", now).unwrap();
        assert_eq!(check.end().unwrap_err().kind, TransportErrorKind::Checksum);
        assert!(check.end().is_ok(), "the verdict is given once");

        let mut good = ResponseCheck::new(Some(5));
        good.expect_checksum(ResponseChecksumValidator::new(
            ChecksumAlgorithm::Crc32,
            "NhCmhg==",
        ));
        good.piece(b"hello", now).unwrap();
        good.end().unwrap();
    }

    #[test]
    fn bodiless_responses_ignore_their_content_length() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::CONTENT_LENGTH, "10".parse().unwrap());
        let get = http::Method::GET;
        assert_eq!(
            ResponseCheck::for_response(&get, 200, &headers).expected_len(),
            Some(10)
        );
        for (method, status) in [
            (http::Method::HEAD, 200),
            (get.clone(), 204),
            (get.clone(), 304),
        ] {
            assert_eq!(
                ResponseCheck::for_response(&method, status, &headers).expected_len(),
                None
            );
        }
        // Framed by its transfer coding, the length beside it ignored.
        headers.insert(http::header::TRANSFER_ENCODING, "chunked".parse().unwrap());
        assert_eq!(
            ResponseCheck::for_response(&get, 200, &headers).expected_len(),
            None
        );
    }

    #[test]
    fn a_slow_body_fails_its_watch_and_errors_say_how_far_it_got() {
        let start = SystemTime::UNIX_EPOCH;
        let mut check = ResponseCheck::new(None);
        check.watch(TransferWatch::new(
            Some(crate::transfer_rate::MinTransferRate::new(
                100,
                Duration::from_secs(1),
            )),
            None,
            start,
        ));
        check.piece(b"x", start).unwrap();
        let slow = check
            .piece(b"x", start + Duration::from_secs(5))
            .unwrap_err();
        assert_eq!(slow.kind, TransportErrorKind::Timeout);
        let mut other = ResponseCheck::new(None);
        other.piece(b"abc", start).unwrap();
        let e = other.failed(TransportErrorKind::Connect, "reset");
        assert_eq!(e.kind, TransportErrorKind::Io);
        assert!(e.to_string().contains("after 3 bytes: reset"), "{e}");
    }
}
