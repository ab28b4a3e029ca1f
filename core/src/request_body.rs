//! What every transport does with a streamed request body, written once: where one sending
//! reads from (a file range opened afresh, a rewound seekable reader, or the caller's stream,
//! taken once), the shared state that lets a retry rewind a seekable reader ([`Rewindable`]),
//! `aws-chunked` framing as the body is read ([`Framed`]), and reading a replayable body
//! ahead to hash it ([`scan`]).
//!
//! Sans-IO: the transports keep their own reader types (`std::io::Read`, tokio's or futures'
//! `AsyncRead`) and hand this module a function that polls one read; nothing here blocks or
//! touches a file.

use std::io;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use crate::body::{FileRange, StreamingBody};
use crate::checksum::AwsChunkedFramer;
use crate::error::{TransportError, TransportErrorKind};
use crate::httpchecksum::AwsChunkedBody;

/// Where one sending of a streamed request body reads from.
pub enum Source<'a, R> {
    /// A file range, to open afresh.
    File(&'a FileRange),
    /// A seekable reader, rewound to where the body started.
    Rewound(Sending<R>),
}

/// The source of one sending of `body` when it can be sent again (a file range, or a seekable
/// reader of type `R` made by [`Rewindable::body`]); `None` for a one-shot stream.
pub fn replayable<R: Send + 'static>(body: &StreamingBody) -> Option<Source<'_, R>> {
    match body.file() {
        Some(range) => Some(Source::File(range)),
        None => Rewindable::<R>::sending(body).map(Source::Rewound),
    }
}

/// The error for a stream that is neither replayable nor this transport's (`made_by` names the
/// transport and its body constructors), or was already sent.
pub fn foreign_body(made_by: &str) -> TransportError {
    TransportError::new(
        TransportErrorKind::Request,
        format!("streaming body was already sent or was not made by {made_by}"),
    )
}

/// A request body's file could not be opened or read.
pub fn file_error(range: &FileRange, e: io::Error) -> TransportError {
    TransportError::new(
        TransportErrorKind::Request,
        format!(
            "reading the request body from {}: {e}",
            range.path.display()
        ),
    )
    .with_source(e)
}

/// How much of a body is read at a time to hash it.
pub const SCAN_CHUNK: usize = 256 * 1024;

/// Read the whole of a replayable `body` once, ahead of sending it, handing each piece to
/// `sink` (see [`Host::scan_body`](crate::runtime::Host::scan_body)): `open` makes the
/// transport's reader for the source, `poll_read` reads from it.
pub async fn scan<R: Send + 'static, Reader>(
    body: &StreamingBody,
    open: impl FnOnce(Source<'_, R>) -> Result<Reader, TransportError>,
    mut poll_read: impl FnMut(&mut Reader, &mut Context<'_>, &mut [u8]) -> Poll<io::Result<usize>>,
    sink: &mut (dyn FnMut(&[u8]) + Send),
) -> Result<(), TransportError> {
    let source = replayable::<R>(body).ok_or_else(|| {
        TransportError::new(
            TransportErrorKind::Request,
            "only a file or seekable body can be read ahead of sending",
        )
    })?;
    let range = match &source {
        Source::File(range) => Some(*range),
        Source::Rewound(_) => None,
    };
    let mut reader = open(source)?;
    let mut buf = vec![0; SCAN_CHUNK];
    loop {
        let read = std::future::poll_fn(|cx| poll_read(&mut reader, cx, &mut buf)).await;
        match read {
            Ok(0) => return Ok(()),
            Ok(n) => sink(buf.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(match range {
                    Some(range) => file_error(range, e),
                    None => TransportError::new(
                        TransportErrorKind::Request,
                        format!("reading the request body ahead: {e}"),
                    )
                    .with_source(e),
                })
            }
        }
    }
}

/// A seekable reader shared by every sending of a body (never taken): each sending rewinds it
/// to where it stood when the body was made (botocore's `reset_stream`), and a sending that a
/// later one superseded can no longer read it, so two attempts never interleave their reads.
pub struct Rewindable<R> {
    state: Mutex<State<R>>,
    /// Where the body starts in the reader.
    start: u64,
}

struct State<R> {
    reader: R,
    /// Which sending may read now (each sending takes the next number).
    attempt: u64,
}

impl<R: Send + 'static> Rewindable<R> {
    /// A streaming body read from `reader`, which stands at `start`; `len` is the exact total
    /// when known.
    pub fn body(reader: R, start: u64, len: Option<u64>) -> StreamingBody {
        let shared = Rewindable {
            state: Mutex::new(State { reader, attempt: 0 }),
            start,
        };
        StreamingBody::from_rewindable(Arc::new(shared), len)
    }

    /// A new sending of `body`, superseding the last; `None` when `body` is not a rewindable
    /// body of reader type `R`.
    pub fn sending(body: &StreamingBody) -> Option<Sending<R>> {
        let shared = body.rewindable::<Rewindable<R>>()?;
        let attempt = {
            let mut state = shared.state.lock().unwrap_or_else(|p| p.into_inner());
            state.attempt += 1;
            state.attempt
        };
        Some(Sending {
            shared,
            attempt,
            rewound: false,
        })
    }
}

/// One sending's view of a [`Rewindable`] reader.
pub struct Sending<R> {
    shared: Arc<Rewindable<R>>,
    attempt: u64,
    rewound: bool,
}

impl<R> Sending<R> {
    /// Use the reader: `rewind` puts it back at `start` before this sending's first use (it may
    /// return `Pending` and be called again), then `op` reads; both are handed `cx` (the
    /// transport's task context, or nothing). An error once a later sending superseded this one.
    pub fn with<C: ?Sized, T>(
        &mut self,
        cx: &mut C,
        rewind: impl FnOnce(&mut R, u64, &mut C) -> Poll<io::Result<()>>,
        op: impl FnOnce(&mut R, &mut C) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        let mut state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.attempt != self.attempt {
            return Poll::Ready(Err(io::Error::other(
                "the request body was rewound for a later attempt",
            )));
        }
        if !self.rewound {
            match rewind(&mut state.reader, self.shared.start, cx) {
                Poll::Ready(Ok(())) => self.rewound = true,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        op(&mut state.reader, cx)
    }
}

/// A raw body `R` framed `aws-chunked` as it is read: chunks of the size the core asked for,
/// then the final chunk with the checksum trailer (a transport's reader wraps it and polls its
/// own source through [`poll_read`](Self::poll_read)).
pub struct Framed<R> {
    inner: R,
    framer: AwsChunkedFramer,
    buf: Vec<u8>,
    framed: Vec<u8>,
    pos: usize,
}

impl<R> Framed<R> {
    /// `inner` framed as the request's [`AwsChunkedBody`] asks.
    pub fn new(inner: R, framing: AwsChunkedBody) -> Self {
        Framed {
            inner,
            framer: AwsChunkedFramer::new(Some(framing.trailer), framing.chunk_size),
            buf: vec![0; framing.chunk_size.clamp(1, 64 * 1024)],
            framed: Vec::new(),
            pos: 0,
        }
    }

    /// Fill `out` with framed bytes (0 at the end), reading the raw body with `read`.
    pub fn poll_read(
        &mut self,
        out: &mut [u8],
        mut read: impl FnMut(&mut R, &mut [u8]) -> Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        while self.pos == self.framed.len() {
            if self.framer.is_finished() {
                return Poll::Ready(Ok(0));
            }
            let n = match read(&mut self.inner, &mut self.buf) {
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            };
            self.pos = 0;
            self.framed = match self.buf.get(..n) {
                Some([]) | None => self.framer.finish(),
                Some(raw) => self.framer.push(raw),
            };
        }
        let rest = self.framed.get(self.pos..).unwrap_or_default();
        let n = out.len().min(rest.len());
        out[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Poll::Ready(Ok(n))
    }
}

/// A blocking read through a poll-style function that never returns `Pending`.
pub fn ready<T>(poll: Poll<io::Result<T>>) -> io::Result<T> {
    match poll {
        Poll::Ready(r) => r,
        Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::{AwsChunkedEncoder, ChecksumAlgorithm};
    use std::future::Future;
    use std::io::{Cursor, Read, Seek, SeekFrom};

    /// Run `future` (made of reads that complete at once) to its end on the spot.
    fn complete<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    fn read_all(sending: &mut Sending<Cursor<Vec<u8>>>, max: usize) -> io::Result<Vec<u8>> {
        let mut all = Vec::new();
        loop {
            let mut buf = vec![0; max];
            let n = ready(sending.with(
                &mut (),
                |r, start, _| Poll::Ready(r.seek(SeekFrom::Start(start)).map(|_| ())),
                |r, _| Poll::Ready(r.read(&mut buf)),
            ))?;
            all.extend_from_slice(&buf[..n]);
            if n == 0 || all.len() >= max {
                return Ok(all);
            }
        }
    }

    #[test]
    fn each_sending_starts_where_the_body_started_and_supersedes_the_last() {
        let body = Rewindable::body(Cursor::new(b"skip:body".to_vec()), 5, Some(4));
        assert!(body.is_replayable());
        let mut first = Rewindable::<Cursor<Vec<u8>>>::sending(&body).unwrap();
        assert_eq!(read_all(&mut first, 2).unwrap(), b"bo");
        let mut second = Rewindable::<Cursor<Vec<u8>>>::sending(&body).unwrap();
        assert_eq!(read_all(&mut second, 64).unwrap(), b"body");
        assert!(
            read_all(&mut first, 2).is_err(),
            "the first sending is superseded"
        );
        assert!(
            Rewindable::<Vec<u8>>::sending(&body).is_none(),
            "another reader type"
        );
    }

    #[test]
    fn framing_matches_the_encoder_across_short_reads() {
        let data = b"hello world, framed".to_vec();
        let framing = AwsChunkedBody {
            trailer: ChecksumAlgorithm::Crc32,
            chunk_size: 8,
        };
        let mut source = Framed::new(Cursor::new(data.clone()), framing);
        let mut framed = Vec::new();
        loop {
            let mut out = [0u8; 5];
            // At most 3 raw bytes a read, so chunks are assembled across reads.
            let n = ready(source.poll_read(&mut out, |raw, b| {
                let m = b.len().min(3);
                Poll::Ready(raw.read(&mut b[..m]))
            }))
            .unwrap();
            if n == 0 {
                break;
            }
            framed.extend_from_slice(&out[..n]);
        }
        let mut expected = Vec::new();
        let mut encoder = AwsChunkedEncoder::new(Some(ChecksumAlgorithm::Crc32));
        for chunk in data.chunks(8) {
            encoder.encode_chunk(chunk, &mut expected);
        }
        encoder.finish_into(&mut expected);
        assert_eq!(framed, expected);
    }

    #[test]
    fn scan_reads_a_rewindable_body_whole_and_refuses_a_one_shot_stream() {
        let body = Rewindable::body(Cursor::new(b"xxabcdef".to_vec()), 2, Some(6));
        let mut seen = Vec::new();
        complete(scan::<Cursor<Vec<u8>>, _>(
            &body,
            |source| match source {
                Source::Rewound(sending) => Ok(sending),
                Source::File(_) => unreachable!("not a file"),
            },
            |s, _, buf| {
                s.with(
                    &mut (),
                    |r, start, _| Poll::Ready(r.seek(SeekFrom::Start(start)).map(|_| ())),
                    |r, _| Poll::Ready(r.read(buf)),
                )
            },
            &mut |piece| seen.extend_from_slice(piece),
        ))
        .unwrap();
        assert_eq!(seen, b"abcdef");
        let once = StreamingBody::new(7u8, None);
        let err = complete(scan::<Cursor<Vec<u8>>, Sending<Cursor<Vec<u8>>>>(
            &once,
            |_| unreachable!("no source"),
            |_, _, _| Poll::Ready(Ok(0)),
            &mut |_| {},
        ))
        .unwrap_err();
        assert_eq!(err.kind, TransportErrorKind::Request);
    }
}
