//! How a response body is read, written once for every transport's body type: the checks every
//! piece and the end go through ([`ResponseCheck`]), the unread rest of a chunk a reader has not
//! taken yet, which bytes of a transport's buffer were already hashed, and what a read returns
//! after the end or a failure ([`ResponseReader`]); and gathering a whole body ([`collect`]).
//!
//! Sans-IO: a transport hands [`ResponseReader`] a function that polls its own source once (HTTP/2
//! frames, a reader, a buffered reader) and one that says what the source's error is; it keeps
//! only the glue to its runtime's traits (`Stream`, `AsyncRead`, `AsyncBufRead`, `Read`).

use std::io;
use std::task::{ready, Context, Poll};
use std::time::SystemTime;

use bytes::Bytes;

use crate::error::TransportError;
use crate::response_check::{into_io_error, Collect, ResponseCheck};

/// The reading state of one response body (see the module documentation).
#[derive(Debug, Default)]
pub struct ResponseReader {
    /// Length, checksum and transfer rate, checked as the body is read.
    check: ResponseCheck,
    /// The unread rest of the last chunk (for readers taking less than a chunk).
    pending: Bytes,
    /// Bytes at the front of a buffered source's buffer already hashed by
    /// [`filled`](Self::filled) but not consumed yet.
    hashed_ahead: usize,
    /// What the check said when bytes were consumed from a buffered source (which cannot fail
    /// there): the next read returns it.
    stalled: Option<TransportError>,
}

impl ResponseReader {
    /// A body read through `check`.
    pub fn new(check: ResponseCheck) -> Self {
        ResponseReader {
            check,
            ..ResponseReader::default()
        }
    }

    /// The checks reading goes through (the core adds the checksum and the transfer watch).
    pub fn check(&mut self) -> &mut ResponseCheck {
        &mut self.check
    }

    /// The declared length, when the response had a `Content-Length`.
    pub fn content_length(&self) -> Option<u64> {
        self.check.expected_len()
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.check.received()
    }

    /// The next checked chunk, `None` at the end (and after the end or a failure, without
    /// polling the source again). `next` polls the source once for its next chunk (an empty one
    /// is skipped); `fail` makes the source's error the read's, through the check
    /// ([`ResponseCheck::failed`]); `now` is asked when bytes arrive.
    pub fn poll_chunk<E>(
        &mut self,
        mut next: impl FnMut() -> Poll<Option<Result<Bytes, E>>>,
        fail: impl FnOnce(E, &mut ResponseCheck) -> TransportError,
        now: impl FnOnce() -> SystemTime,
    ) -> Poll<Result<Option<Bytes>, TransportError>> {
        if !self.pending.is_empty() {
            return Poll::Ready(Ok(Some(std::mem::take(&mut self.pending))));
        }
        if let Some(e) = self.stalled.take() {
            return Poll::Ready(Err(e));
        }
        if self.check.is_ended() {
            return Poll::Ready(Ok(None));
        }
        loop {
            match ready!(next()) {
                Some(Ok(chunk)) if chunk.is_empty() => continue,
                Some(Ok(chunk)) => {
                    self.check.count(chunk.len(), now())?;
                    self.check
                        .hash(chunk.get(self.hashed_ahead..).unwrap_or_default());
                    self.hashed_ahead = 0;
                    return Poll::Ready(Ok(Some(chunk)));
                }
                Some(Err(e)) => return Poll::Ready(Err(fail(e, &mut self.check))),
                None => {
                    self.check.end()?;
                    return Poll::Ready(Ok(None));
                }
            }
        }
    }

    /// Up to `max` bytes for a reader (empty at the end), read as
    /// [`poll_chunk`](Self::poll_chunk) does, the rest of a chunk kept for the next read; an
    /// error as readers report it ([`into_io_error`]).
    pub fn poll_take<E>(
        &mut self,
        max: usize,
        next: impl FnMut() -> Poll<Option<Result<Bytes, E>>>,
        fail: impl FnOnce(E, &mut ResponseCheck) -> TransportError,
        now: impl FnOnce() -> SystemTime,
    ) -> Poll<io::Result<Bytes>> {
        if self.pending.is_empty() {
            match ready!(self.poll_chunk(next, fail, now)) {
                Ok(Some(chunk)) => self.pending = chunk,
                Ok(None) => return Poll::Ready(Ok(Bytes::new())),
                Err(e) => return Poll::Ready(Err(into_io_error(e))),
            }
        }
        let n = self.pending.len().min(max);
        Poll::Ready(Ok(self.pending.split_to(n)))
    }

    /// Read into `buf` from a reader source (`read` polls one read; an interrupted read is
    /// tried again), checked; 0 at the end, and after the end or a failure without reading.
    pub fn poll_read_into(
        &mut self,
        buf: &mut [u8],
        mut read: impl FnMut(&mut [u8]) -> Poll<io::Result<usize>>,
        fail: impl FnOnce(io::Error, &mut ResponseCheck) -> TransportError,
        now: impl FnOnce() -> SystemTime,
    ) -> Poll<Result<usize, TransportError>> {
        if let Some(e) = self.stalled.take() {
            return Poll::Ready(Err(e));
        }
        if self.check.is_ended() || buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let n = loop {
            match ready!(read(buf)) {
                Ok(n) => break n.min(buf.len()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Poll::Ready(Err(fail(e, &mut self.check))),
            }
        };
        match buf.get(..n) {
            Some([]) | None => self.check.end()?,
            Some(read) => self.check.piece(read, now())?,
        }
        Poll::Ready(Ok(n))
    }

    /// A buffered source's buffer now holds `buf` (from its front): its new bytes are hashed
    /// ahead (they are counted when consumed); an empty buffer is the end of the body.
    pub fn filled(&mut self, buf: &[u8]) -> Result<(), TransportError> {
        if let Some(e) = self.stalled.take() {
            return Err(e);
        }
        if buf.is_empty() {
            self.check.end()?;
        } else if buf.len() > self.hashed_ahead {
            self.check
                .hash(buf.get(self.hashed_ahead..).unwrap_or_default());
            self.hashed_ahead = buf.len();
        }
        Ok(())
    }

    /// `n` bytes of a buffered source were consumed at `now`: counted, and a failure kept for
    /// the next read (consuming cannot fail).
    pub fn consumed(&mut self, n: usize, now: SystemTime) {
        self.hashed_ahead = self.hashed_ahead.saturating_sub(n);
        if let Err(e) = self.check.count(n, now) {
            self.stalled = Some(e);
        }
    }
}

/// A whole body read chunk by chunk with `poll_chunk` (a body type's own), gathered for a
/// declared length of `expected` (see [`Collect`]).
pub async fn collect(
    expected: Option<u64>,
    mut poll_chunk: impl FnMut(&mut Context<'_>) -> Poll<Result<Option<Bytes>, TransportError>>,
) -> Result<Bytes, TransportError> {
    let mut all = Collect::new(expected);
    while let Some(piece) = std::future::poll_fn(&mut poll_chunk).await? {
        all.push(&piece);
    }
    Ok(all.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TransportErrorKind;
    use crate::httpchecksum::ResponseChecksumValidator;
    use std::collections::VecDeque;

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH
    }

    type Source = VecDeque<Poll<Option<Result<Bytes, &'static str>>>>;

    fn source(pieces: &[&'static [u8]]) -> Source {
        let mut s: Source = pieces
            .iter()
            .map(|p| Poll::Ready(Some(Ok(Bytes::from_static(p)))))
            .collect();
        s.push_back(Poll::Ready(None));
        s
    }

    fn fail(e: &'static str, check: &mut ResponseCheck) -> TransportError {
        check.failed(TransportErrorKind::Io, e)
    }

    fn next(s: &mut Source) -> impl FnMut() -> Poll<Option<Result<Bytes, &'static str>>> + '_ {
        || s.pop_front().unwrap_or(Poll::Ready(None))
    }

    /// A checksum validator for `data` (CRC32, as S3 sends it).
    fn crc32_of(data: &[u8]) -> ResponseChecksumValidator {
        let algorithm = crate::checksum::ChecksumAlgorithm::Crc32;
        let sum = crate::checksum::checksum(algorithm, data).to_base64();
        ResponseChecksumValidator::new(algorithm, sum)
    }

    fn chunk(
        r: &mut ResponseReader,
        s: &mut Source,
    ) -> Poll<Result<Option<Bytes>, TransportError>> {
        r.poll_chunk(next(s), fail, now)
    }

    #[test]
    fn chunks_are_checked_and_the_end_is_said_once() {
        let mut r = ResponseReader::new(ResponseCheck::new(Some(4)));
        let mut s = source(&[b"ab", b"", b"cd"]);
        assert_eq!(r.content_length(), Some(4));
        let Poll::Ready(Ok(Some(first))) = chunk(&mut r, &mut s) else {
            panic!("a chunk")
        };
        assert_eq!(first, "ab");
        assert!(matches!(chunk(&mut r, &mut s), Poll::Ready(Ok(Some(c))) if c == "cd"));
        assert!(matches!(chunk(&mut r, &mut s), Poll::Ready(Ok(None))));
        assert!(matches!(chunk(&mut r, &mut s), Poll::Ready(Ok(None))));
        assert_eq!(r.received(), 4);
    }

    #[test]
    fn a_short_body_fails_at_its_end_and_a_failure_says_how_far_it_got() {
        let mut r = ResponseReader::new(ResponseCheck::new(Some(5)));
        let mut s = source(&[b"abc"]);
        assert!(matches!(chunk(&mut r, &mut s), Poll::Ready(Ok(Some(_)))));
        let Poll::Ready(Err(e)) = chunk(&mut r, &mut s) else {
            panic!("short")
        };
        assert_eq!(e.kind, TransportErrorKind::Io);
        let mut r = ResponseReader::new(ResponseCheck::new(None));
        let mut s: Source = [
            Poll::Ready(Some(Ok(Bytes::from_static(b"xy")))),
            Poll::Pending,
            Poll::Ready(Some(Err("reset"))),
        ]
        .into();
        assert!(matches!(chunk(&mut r, &mut s), Poll::Ready(Ok(Some(_)))));
        assert!(chunk(&mut r, &mut s).is_pending());
        let Poll::Ready(Err(e)) = chunk(&mut r, &mut s) else {
            panic!("failed")
        };
        assert!(e.message.contains("after 2 bytes: reset"), "{e}");
        assert!(
            matches!(chunk(&mut r, &mut s), Poll::Ready(Ok(None))),
            "no read after a failure"
        );
    }

    #[test]
    fn taking_less_than_a_chunk_keeps_the_rest_and_fails_as_a_reader_does() {
        let mut r = ResponseReader::new(ResponseCheck::new(Some(5)));
        let mut s = source(&[b"abcd"]);
        let mut got = Vec::new();
        loop {
            match r.poll_take(3, next(&mut s), fail, now) {
                Poll::Ready(Ok(b)) if b.is_empty() => break,
                Poll::Ready(Ok(b)) => got.push(b),
                Poll::Ready(Err(e)) => {
                    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
                    assert_eq!(got, ["abc", "d"]);
                    return;
                }
                Poll::Pending => unreachable!(),
            }
        }
        panic!("a short body must fail");
    }

    #[test]
    fn reading_into_a_buffer_checks_the_checksum_and_retries_interrupted_reads() {
        let data = b"hello checksum";
        let mut r = ResponseReader::new(ResponseCheck::new(Some(data.len() as u64)));
        r.check().expect_checksum(crc32_of(data));
        let mut cursor = &data[..];
        let mut interrupted = true;
        let mut read = |buf: &mut [u8]| {
            if std::mem::take(&mut interrupted) {
                return Poll::Ready(Err(io::ErrorKind::Interrupted.into()));
            }
            let m = buf.len().min(5);
            Poll::Ready(io::Read::read(&mut cursor, &mut buf[..m]))
        };
        let mut all = Vec::new();
        let mut buf = [0u8; 8];
        loop {
            let fail = |e: io::Error, c: &mut ResponseCheck| c.failed(TransportErrorKind::Io, e);
            match r.poll_read_into(&mut buf, &mut read, fail, now) {
                Poll::Ready(Ok(0)) => break,
                Poll::Ready(Ok(n)) => all.extend_from_slice(&buf[..n]),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(all, data);

        let mut r = ResponseReader::new(ResponseCheck::new(None));
        r.check().expect_checksum(crc32_of(b"other bytes"));
        let mut cursor = &data[..];
        let read = |buf: &mut [u8]| Poll::Ready(io::Read::read(&mut cursor, buf));
        let fail = |e: io::Error, c: &mut ResponseCheck| c.failed(TransportErrorKind::Io, e);
        let mut buf = [0u8; 64];
        assert!(matches!(
            r.poll_read_into(&mut buf, read, fail, now),
            Poll::Ready(Ok(14))
        ));
        let read = |_: &mut [u8]| Poll::Ready(Ok(0));
        let Poll::Ready(Err(e)) = r.poll_read_into(&mut buf, read, fail, now) else {
            panic!("mismatch")
        };
        assert_eq!(e.kind, TransportErrorKind::Checksum);
    }

    #[test]
    fn a_buffered_source_hashes_each_byte_once_whichever_way_it_is_read() {
        let data = b"0123456789";
        let mut r = ResponseReader::new(ResponseCheck::new(Some(10)));
        r.check().expect_checksum(crc32_of(data));
        // As a buffered reader's `fill_buf`/`consume` go: 6 bytes seen, 4 consumed, the
        // buffer refilled to hold 4..8; then the rest taken as chunks of what the buffer holds.
        r.filled(&data[..6]).unwrap();
        r.consumed(4, now());
        r.filled(&data[4..8]).unwrap();
        let mut s = source(&[&data[4..8], &data[8..]]);
        assert!(matches!(chunk(&mut r, &mut s), Poll::Ready(Ok(Some(_)))));
        assert!(matches!(chunk(&mut r, &mut s), Poll::Ready(Ok(Some(_)))));
        // The end checks the checksum: every byte was hashed once.
        assert!(matches!(chunk(&mut r, &mut s), Poll::Ready(Ok(None))));
        r.filled(&[]).unwrap();

        let mut long = ResponseReader::new(ResponseCheck::new(Some(2)));
        long.filled(b"abc").unwrap();
        long.consumed(3, now());
        assert!(
            long.filled(b"").is_err(),
            "the consume's failure comes next"
        );
    }

    #[test]
    fn collect_gathers_every_chunk() {
        let mut r = ResponseReader::new(ResponseCheck::new(Some(6)));
        let mut s = source(&[b"ab", b"cd", b"ef"]);
        let all = collect(r.content_length(), |_| chunk(&mut r, &mut s));
        let mut all = std::pin::pin!(all);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let Poll::Ready(Ok(all)) = std::future::Future::poll(all.as_mut(), &mut cx) else {
            panic!("ready")
        };
        assert_eq!(all, "abcdef");
    }
}
