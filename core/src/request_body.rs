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
use crate::checksum::{AwsChunkedEncoder, AwsChunkedFramer, ChunkHead, CHUNK_END};
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

/// Reading a request body failed while it was being sent: the transport error the failure
/// carries (a file's or a rewound reader's), else the caller's reader failed (a request error,
/// as when the body is read ahead).
pub fn read_error(e: io::Error) -> TransportError {
    if e.get_ref()
        .is_some_and(|inner| inner.is::<TransportError>())
    {
        if let Some(Ok(carried)) = e
            .into_inner()
            .map(|inner| inner.downcast::<TransportError>())
        {
            return *carried;
        }
        return TransportError::new(
            TransportErrorKind::Request,
            "reading the request body failed",
        );
    }
    TransportError::new(
        TransportErrorKind::Request,
        format!("reading the request body: {e}"),
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
            seek_started: false,
        })
    }
}

/// One sending's view of a [`Rewindable`] reader.
pub struct Sending<R> {
    shared: Arc<Rewindable<R>>,
    attempt: u64,
    rewound: bool,
    /// A two-step rewind's seek was started ([`with_two_step_seek`](Self::with_two_step_seek)).
    seek_started: bool,
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

    /// [`with`](Self::with) for a reader that seeks in two steps, starting a seek and then
    /// polling it to its end (tokio's `AsyncSeek`): `settle` polls the operation in flight to
    /// its end, first whatever a superseded sending left (a file read on a thread pool), then
    /// this sending's seek, which `seek` starts once, to where the body starts.
    pub fn with_two_step_seek<C: ?Sized, T>(
        &mut self,
        cx: &mut C,
        mut settle: impl FnMut(&mut R, &mut C) -> Poll<io::Result<()>>,
        seek: impl FnOnce(&mut R, u64) -> io::Result<()>,
        op: impl FnOnce(&mut R, &mut C) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        let mut started = self.seek_started;
        let rewind = |reader: &mut R, start, cx: &mut C| {
            if !started {
                std::task::ready!(settle(reader, cx))?;
                seek(reader, start)?;
                started = true;
            }
            settle(reader, cx)
        };
        let out = self.with(cx, rewind, op);
        self.seek_started = started;
        out
    }
}

/// A raw body `R` framed `aws-chunked` as it is read: chunks of the size the core asked for,
/// then the final chunk with the checksum trailer (a transport's reader wraps it and polls its
/// own source through [`poll_read`](Self::poll_read)).
///
/// When the body's length is known (as it is for files, seekable readers and any stream given
/// a length), each chunk's size is known before its data is read: the head goes out, then the
/// data is read straight into the caller's buffer and hashed there, so a byte is copied once
/// (by the source's read). Only a stream of unknown length is gathered a chunk at a time.
pub struct Framed<R> {
    inner: R,
    mode: Mode,
    /// Framing bytes not yet handed out (a chunk's head, the CRLF after its data, the final
    /// chunk and trailer), from `pos`.
    framing: Vec<u8>,
    pos: usize,
}

enum Mode {
    /// The length is known: the data passes through.
    Through {
        /// `None` once the final chunk and trailer were framed.
        encoder: Option<AwsChunkedEncoder>,
        chunk_size: usize,
        /// Raw bytes still to read in the chunk being sent.
        chunk_left: usize,
        /// Raw bytes declared after that chunk.
        rest: u64,
        /// The declared length (for the error when the body is not that long).
        declared: u64,
    },
    /// The length is unknown: each chunk is gathered by the framer.
    Gathered {
        framer: AwsChunkedFramer,
        buf: Vec<u8>,
    },
}

impl<R> Framed<R> {
    /// `inner` framed as the request's [`AwsChunkedBody`] asks.
    pub fn new(inner: R, framing: AwsChunkedBody) -> Self {
        let chunk_size = framing.chunk_size.max(1);
        let mode = match framing.decoded_len {
            Some(declared) => Mode::Through {
                encoder: Some(AwsChunkedEncoder::new(Some(framing.trailer))),
                chunk_size,
                chunk_left: 0,
                rest: declared,
                declared,
            },
            None => Mode::Gathered {
                framer: AwsChunkedFramer::new(Some(framing.trailer), chunk_size),
                buf: vec![0; chunk_size.min(64 * 1024)],
            },
        };
        Framed {
            inner,
            mode,
            framing: Vec::new(),
            pos: 0,
        }
    }

    /// Fill `out` with framed bytes (0 at the end), reading the raw body with `read`.
    pub fn poll_read(
        &mut self,
        out: &mut [u8],
        mut read: impl FnMut(&mut R, &mut [u8]) -> Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        loop {
            if self.pos < self.framing.len() {
                let rest = self.framing.get(self.pos..).unwrap_or_default();
                let n = out.len().min(rest.len());
                out[..n].copy_from_slice(&rest[..n]);
                self.pos += n;
                return Poll::Ready(Ok(n));
            }
            self.framing.clear();
            self.pos = 0;
            match &mut self.mode {
                Mode::Through {
                    encoder,
                    chunk_size,
                    chunk_left,
                    rest,
                    declared,
                } => {
                    let Some(live) = encoder else {
                        return Poll::Ready(Ok(0));
                    };
                    if *chunk_left > 0 {
                        let want = out.len().min(*chunk_left);
                        let n = match read(&mut self.inner, &mut out[..want]) {
                            Poll::Ready(Ok(n)) => n,
                            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {
                                continue
                            }
                            other => return other,
                        };
                        if n > want {
                            // A reader breaking `Read`'s contract must not underflow the count.
                            return Poll::Ready(Err(io::Error::new(
                                io::ErrorKind::InvalidData,
                                format!(
                                    "the request body's reader reported {n} bytes read into {want}"
                                ),
                            )));
                        }
                        if n == 0 && want > 0 {
                            let sent = *declared - *rest - *chunk_left as u64;
                            return Poll::Ready(Err(io::Error::new(
                                io::ErrorKind::UnexpectedEof,
                                format!(
                                    "the request body ended after {sent} of its declared \
                                     {declared} bytes"
                                ),
                            )));
                        }
                        let data = out.get(..n).unwrap_or_default();
                        live.hash(data);
                        *chunk_left -= n;
                        if *chunk_left == 0 {
                            self.framing.extend_from_slice(CHUNK_END);
                        }
                        return Poll::Ready(Ok(n));
                    }
                    if *rest > 0 {
                        let size =
                            usize::try_from(*rest).map_or(*chunk_size, |r| r.min(*chunk_size));
                        *rest -= size as u64;
                        *chunk_left = size;
                        self.framing
                            .extend_from_slice(ChunkHead::new(size).as_bytes());
                        continue;
                    }
                    // Every declared byte went out: the source must end here too (sending
                    // fewer bytes than it holds would store a truncated object).
                    let mut probe = [0u8; 1];
                    match read(&mut self.inner, &mut probe) {
                        Poll::Ready(Ok(0)) => {}
                        Poll::Ready(Ok(_)) => {
                            return Poll::Ready(Err(io::Error::new(
                                io::ErrorKind::InvalidData,
                                format!(
                                    "the request body is longer than its declared {declared} bytes"
                                ),
                            )))
                        }
                        Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => return other,
                    }
                    if let Some(done) = encoder.take() {
                        done.finish_into(&mut self.framing);
                    }
                }
                Mode::Gathered { framer, buf } => {
                    if framer.is_finished() {
                        return Poll::Ready(Ok(0));
                    }
                    let n = match read(&mut self.inner, buf) {
                        Poll::Ready(Ok(n)) => n,
                        Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => return other,
                    };
                    self.framing = match buf.get(..n) {
                        Some([]) | None => framer.finish(),
                        Some(raw) => framer.push(raw),
                    };
                }
            }
        }
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

    /// A reader whose operations finish on a later poll, as a file on a thread pool: a seek is
    /// started, then settles; starting one while another is in flight is an error.
    struct TwoStep {
        data: Cursor<Vec<u8>>,
        in_flight: Option<u64>,
        ready_on_next_poll: bool,
        seeks: usize,
    }

    impl TwoStep {
        fn settle(&mut self) -> Poll<io::Result<()>> {
            if self.in_flight.is_none() {
                return Poll::Ready(Ok(()));
            }
            if !std::mem::replace(&mut self.ready_on_next_poll, true) {
                return Poll::Pending;
            }
            let to = self.in_flight.take().unwrap();
            Poll::Ready(self.data.seek(SeekFrom::Start(to)).map(drop))
        }

        fn start_seek(&mut self, to: u64) -> io::Result<()> {
            if self.in_flight.is_some() {
                return Err(io::Error::other("an operation is in flight"));
            }
            self.seeks += 1;
            (self.in_flight, self.ready_on_next_poll) = (Some(to), false);
            Ok(())
        }
    }

    #[test]
    fn a_two_step_rewind_settles_what_is_in_flight_then_seeks_once() {
        let reader = TwoStep {
            data: Cursor::new(b"skip:body".to_vec()),
            // A superseded sending's operation is still in flight.
            in_flight: Some(2),
            ready_on_next_poll: false,
            seeks: 0,
        };
        let body = Rewindable::body(reader, 5, Some(4));
        let mut sending = Rewindable::<TwoStep>::sending(&body).unwrap();
        let mut buf = [0u8; 8];
        let mut read = |sending: &mut Sending<TwoStep>| {
            sending.with_two_step_seek(
                &mut (),
                |r, _| r.settle(),
                |r, start| r.start_seek(start),
                |r, _| Poll::Ready(r.data.read(&mut buf).map(|n| (n, r.seeks))),
            )
        };
        let mut polls = 0;
        let (n, seeks) = loop {
            polls += 1;
            if let Poll::Ready(out) = read(&mut sending) {
                break out.unwrap();
            }
        };
        assert_eq!((n, seeks), (4, 1), "one seek, then the body from its start");
        assert_eq!(polls, 3, "waited for the old operation, then for the seek");
        assert_eq!(&buf[..n], b"body");
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

    /// Everything `source` frames, read `out_len` bytes at a time from a raw body that gives at
    /// most `raw_max` bytes a read.
    fn frame_all(
        source: &mut Framed<Cursor<Vec<u8>>>,
        out_len: usize,
        raw_max: usize,
    ) -> io::Result<Vec<u8>> {
        let mut framed = Vec::new();
        loop {
            let mut out = vec![0u8; out_len];
            let n = ready(source.poll_read(&mut out, |raw, b| {
                let m = b.len().min(raw_max);
                Poll::Ready(raw.read(&mut b[..m]))
            }))?;
            if n == 0 {
                return Ok(framed);
            }
            framed.extend_from_slice(&out[..n]);
        }
    }

    fn framing(chunk_size: usize, decoded_len: Option<u64>) -> AwsChunkedBody {
        AwsChunkedBody {
            trailer: ChecksumAlgorithm::Crc32,
            chunk_size,
            decoded_len,
        }
    }

    #[test]
    fn framing_matches_the_encoder_across_short_reads() {
        let all = b"hello world, framed with chunks of eight".to_vec();
        for len in [0, 1, 7, 8, 9, 16, 19, all.len()] {
            let data = all[..len].to_vec();
            let mut expected = Vec::new();
            let mut encoder = AwsChunkedEncoder::new(Some(ChecksumAlgorithm::Crc32));
            for chunk in data.chunks(8) {
                encoder.encode_chunk(chunk, &mut expected);
            }
            encoder.finish_into(&mut expected);
            // Known length (data passed through) and unknown (gathered a chunk at a time);
            // reads of the raw body and of the framed one both shorter and longer than a chunk.
            for decoded_len in [Some(len as u64), None] {
                for (out_len, raw_max) in [(5, 3), (1, 1), (64, 64), (3, 100)] {
                    let mut source =
                        Framed::new(Cursor::new(data.clone()), framing(8, decoded_len));
                    let framed = frame_all(&mut source, out_len, raw_max).unwrap();
                    assert_eq!(
                        framed, expected,
                        "{len} bytes, length {decoded_len:?}, reads {out_len}/{raw_max}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_body_not_of_its_declared_length_fails_instead_of_being_framed() {
        let data = b"twelve bytes".to_vec();
        let mut short = Framed::new(Cursor::new(data.clone()), framing(8, Some(20)));
        let err = frame_all(&mut short, 64, 64).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(
            err.to_string().contains("after 12 of its declared 20"),
            "{err}"
        );
        let mut long = Framed::new(Cursor::new(data), framing(8, Some(10)));
        let err = frame_all(&mut long, 64, 64).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
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
