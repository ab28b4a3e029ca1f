//! A request body as it goes out, written once for every transport: which form the core's
//! [`Body`] takes on the wire (bytes whole, the caller's stream, a reader read in pieces, a
//! reader or stream framed `aws-chunked` with its checksum trailer, an event-stream input signed
//! event by event) and the pieces it yields, pulled by the transport either as owned chunks
//! ([`Outgoing::poll_chunk`], for HTTP stacks that take `Bytes`, like hyper) or into the
//! transport's own buffer ([`Outgoing::poll_read`], for those that read a body like a reader).
//!
//! Sans-IO: a transport names its reader and stream types and how one read or one next item of
//! them is polled ([`BodyIo`]); nothing here blocks, opens a file or reads the clock (a signed
//! event's time is asked of the caller's `now`).

use std::io;
use std::task::{ready, Context, Poll};
use std::time::SystemTime;

use bytes::{Bytes, BytesMut};

use crate::auth::event_signing::EventSigner;
use crate::body::Body;
use crate::checksum::AwsChunkedFramer;
use crate::error::TransportError;
use crate::httpchecksum::AwsChunkedBody;
use crate::request_body::{self, foreign_body, Framed, Source};

/// What a transport's request bodies are made of, and how one read of them is polled.
pub trait BodyIo {
    /// The seekable reader type of the transport's rewindable bodies (`seekable_body`).
    type Rewound: Send + 'static;
    /// The transport's reader type (`reader_body`), also what a replayable body is read through.
    type Reader: Send + 'static;
    /// The transport's stream-of-chunks type (`stream_body`); [`std::convert::Infallible`] for a
    /// transport that has none.
    type Stream: Send + 'static;
    /// The transport and its body constructors, for the error about a body it cannot send.
    const MADE_BY: &'static str;

    /// The reader of one sending of a replayable body (a file range opened afresh, or a seekable
    /// reader rewound).
    fn open(source: Source<'_, Self::Rewound>) -> Result<Self::Reader, TransportError>;
    /// One read into `buf` (0 at the end).
    fn poll_read(
        reader: &mut Self::Reader,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>>;
    /// The next chunk of a stream, `None` at its end.
    fn poll_next(
        stream: &mut Self::Stream,
        cx: &mut Context<'_>,
    ) -> Poll<Option<io::Result<Bytes>>>;
}

/// How much is read from a reader at a time for [`Outgoing::poll_chunk`].
pub const READ_CHUNK: usize = 64 * 1024;

/// The largest frame of an `aws-chunked` body read from a reader by
/// [`Outgoing::poll_chunk`] (botocore's chunk size: an HTTP stack's chunk costs a head per
/// frame, so frames are large).
pub const FRAMED_CHUNK: usize = 1024 * 1024;

/// A request body on its way out (see the module documentation).
pub struct Outgoing<I: BodyIo> {
    form: Form<I>,
    /// The exact length of a stream or reader body, when the caller declared it.
    len: Option<u64>,
    /// The unread rest of a chunk, for [`poll_read`](Self::poll_read).
    pending: Bytes,
}

enum Form<I: BodyIo> {
    Full(Option<Bytes>),
    Stream(I::Stream),
    Reader {
        reader: I::Reader,
        buf: BytesMut,
    },
    /// A reader sent `aws-chunked` with a checksum trailer, read through the core's [`Framed`]
    /// straight into each frame's buffer.
    FramedReader {
        framed: Box<Framed<I::Reader>>,
        buf: BytesMut,
        /// A frame's size: [`FRAMED_CHUNK`], or less for a body smaller than that, so a small
        /// upload does not allocate and zero a whole megabyte per frame.
        frame: usize,
        /// The framed body has ended: no frame buffer is made again.
        ended: bool,
    },
    /// A stream sent `aws-chunked` with a checksum trailer (the core's framer does the framing).
    Framed {
        inner: Box<Form<I>>,
        framer: Box<AwsChunkedFramer>,
    },
    /// A stream of encoded events (one per chunk), each wrapped and signed by the core's
    /// [`EventSigner`] as it goes out, then the signed empty frame that ends the input.
    SignedEvents {
        inner: Box<Form<I>>,
        signer: Box<EventSigner>,
        ended: bool,
    },
}

impl<I: BodyIo> Outgoing<I> {
    /// The body to send: `framing` (the request's [`AwsChunkedBody`] extension) asks for a
    /// streamed body to be sent `aws-chunked`, `signer` (the request's [`EventSigner`]
    /// extension) for a streamed event-stream input to be signed event by event.
    pub fn new(
        body: Body,
        framing: Option<AwsChunkedBody>,
        signer: Option<EventSigner>,
    ) -> Result<Self, TransportError> {
        let len = match &body {
            Body::Stream(s) => s.len(),
            _ => None,
        };
        let form = match (signer, &body) {
            (Some(signer), Body::Stream(_)) => Form::SignedEvents {
                inner: Box::new(Form::plain(body, None)?),
                signer: Box::new(signer),
                ended: false,
            },
            _ => Form::plain(body, framing)?,
        };
        Ok(Outgoing {
            form,
            len,
            pending: Bytes::new(),
        })
    }

    /// The body's exact length, when it is known before sending (`Content-Length`): bytes, or a
    /// stream or reader given a length; never for a framed or signed body.
    pub fn exact_len(&self) -> Option<u64> {
        match &self.form {
            Form::Full(b) => Some(b.as_ref().map_or(0, |b| b.len() as u64)),
            Form::Stream(_) | Form::Reader { .. } => self.len,
            _ => None,
        }
    }

    /// Whether the body has certainly ended (an HTTP stack may then end the request at once).
    pub fn is_end_stream(&self) -> bool {
        self.pending.is_empty()
            && match &self.form {
                Form::Full(b) => b.is_none(),
                Form::Framed { framer, .. } => framer.is_finished(),
                Form::SignedEvents { ended, .. } => *ended,
                _ => false,
            }
    }

    /// Whether this body signs event-stream input as it goes out.
    pub fn is_signed_events(&self) -> bool {
        matches!(self.form, Form::SignedEvents { .. })
    }

    /// The next piece of the body as an owned chunk (never empty), `None` at its end. `now` is
    /// asked only when an event is signed.
    pub fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
        now: impl Fn() -> SystemTime,
    ) -> Poll<Option<io::Result<Bytes>>> {
        if !self.pending.is_empty() {
            return Poll::Ready(Some(Ok(std::mem::take(&mut self.pending))));
        }
        self.form.poll_chunk(cx, &now)
    }

    /// Fill `out` with the next bytes of the body (0 at its end): a reader's bytes are read
    /// straight into `out`, a chunk's are copied and its rest kept for the next read.
    pub fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        out: &mut [u8],
        now: impl Fn() -> SystemTime,
    ) -> Poll<io::Result<usize>> {
        if out.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if self.pending.is_empty() {
            match &mut self.form {
                Form::Reader { reader, .. } => return I::poll_read(reader, cx, out),
                Form::FramedReader { framed, ended, .. } => {
                    if *ended {
                        return Poll::Ready(Ok(0));
                    }
                    let n = ready!(framed.poll_read(out, |r, b| I::poll_read(r, cx, b)))?;
                    *ended = n == 0;
                    return Poll::Ready(Ok(n));
                }
                form => match ready!(form.poll_chunk(cx, &now)) {
                    Some(Ok(chunk)) => self.pending = chunk,
                    Some(Err(e)) => return Poll::Ready(Err(e)),
                    None => return Poll::Ready(Ok(0)),
                },
            }
        }
        let n = out.len().min(self.pending.len());
        out[..n].copy_from_slice(&self.pending.split_to(n));
        Poll::Ready(Ok(n))
    }
}

impl<I: BodyIo> Form<I> {
    fn plain(body: Body, framing: Option<AwsChunkedBody>) -> Result<Self, TransportError> {
        if let (Some(framing), Body::Stream(_)) = (framing, &body) {
            return Ok(match Self::plain(body, None)? {
                Form::Reader { reader, .. } => {
                    // The framing around a body (chunk heads, the final chunk, the trailer) is
                    // well under this much.
                    const FRAMING_ROOM: u64 = 512;
                    let frame = framing.decoded_len.map_or(FRAMED_CHUNK, |len| {
                        usize::try_from(len.saturating_add(FRAMING_ROOM))
                            .map_or(FRAMED_CHUNK, |n| n.min(FRAMED_CHUNK))
                    });
                    Form::FramedReader {
                        framed: Box::new(Framed::new(reader, framing)),
                        buf: BytesMut::new(),
                        frame,
                        ended: false,
                    }
                }
                inner => Form::Framed {
                    inner: Box::new(inner),
                    framer: Box::new(AwsChunkedFramer::new(
                        Some(framing.trailer),
                        framing.chunk_size,
                    )),
                },
            });
        }
        let reader = |reader| Form::Reader {
            reader,
            buf: BytesMut::new(),
        };
        match body {
            Body::Empty => Ok(Form::Full(None)),
            Body::Bytes(b) => Ok(Form::Full(Some(b).filter(|b| !b.is_empty()))),
            Body::Stream(s) => {
                if let Some(source) = request_body::replayable(&s) {
                    Ok(reader(I::open(source)?))
                } else if let Some(stream) = s.take::<I::Stream>() {
                    Ok(Form::Stream(stream))
                } else if let Some(taken) = s.take::<I::Reader>() {
                    Ok(reader(taken))
                } else {
                    Err(foreign_body(I::MADE_BY))
                }
            }
        }
    }

    fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
        now: &dyn Fn() -> SystemTime,
    ) -> Poll<Option<io::Result<Bytes>>> {
        match self {
            Form::Full(b) => Poll::Ready(b.take().map(Ok)),
            Form::Stream(stream) => loop {
                match ready!(I::poll_next(stream, cx)) {
                    Some(Ok(chunk)) if chunk.is_empty() => continue,
                    other => return Poll::Ready(other),
                }
            },
            Form::Reader { reader, buf } => {
                if buf.capacity() < READ_CHUNK {
                    buf.reserve(READ_CHUNK);
                }
                // Read into a zeroed tail (no unsafe), then hand on exactly the bytes read.
                let start = buf.len();
                buf.resize(start + READ_CHUNK, 0);
                let res = I::poll_read(reader, cx, &mut buf[start..]);
                let n = match &res {
                    Poll::Ready(Ok(n)) => (*n).min(READ_CHUNK),
                    _ => 0,
                };
                buf.truncate(start + n);
                ready!(res)?;
                if n == 0 {
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Ok(buf.split().freeze())))
            }
            Form::FramedReader {
                framed,
                buf,
                frame,
                ended,
            } => {
                if *ended {
                    return Poll::Ready(None);
                }
                // Fill a whole frame while the reader has bytes ready: few large frames, each
                // byte copied once (by the reader, into the frame).
                buf.resize(*frame, 0);
                let mut filled = 0;
                while filled < *frame {
                    match framed.poll_read(&mut buf[filled..], |r, b| I::poll_read(r, cx, b)) {
                        Poll::Ready(Ok(0)) => {
                            *ended = true;
                            break;
                        }
                        Poll::Ready(Ok(n)) => filled += n,
                        Poll::Ready(Err(e)) => return Poll::Ready(Some(Err(e))),
                        Poll::Pending if filled == 0 => return Poll::Pending,
                        Poll::Pending => break,
                    }
                }
                buf.truncate(filled);
                if filled == 0 {
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Ok(buf.split().freeze())))
            }
            Form::Framed { inner, framer } => loop {
                if framer.is_finished() {
                    return Poll::Ready(None);
                }
                let framed = match ready!(inner.poll_chunk(cx, now)) {
                    Some(Ok(data)) => framer.push(&data),
                    Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                    None => framer.finish(),
                };
                if !framed.is_empty() {
                    return Poll::Ready(Some(Ok(Bytes::from(framed))));
                }
            },
            Form::SignedEvents {
                inner,
                signer,
                ended,
            } => {
                if *ended {
                    return Poll::Ready(None);
                }
                let signed = match ready!(inner.poll_chunk(cx, now)) {
                    Some(Ok(event)) => signer.sign_event(&event, now()),
                    Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                    None => {
                        *ended = true;
                        signer.sign_end(now())
                    }
                };
                Poll::Ready(Some(signed.map(Bytes::from).map_err(io::Error::other)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::StreamingBody;
    use crate::checksum::{AwsChunkedEncoder, ChecksumAlgorithm};
    use crate::request_body::{ready as blocking, Rewindable};
    use std::collections::VecDeque;
    use std::io::{Cursor, Read, Seek, SeekFrom};

    /// Readers that give at most `max` bytes a read, and `Pending` once before each read when
    /// `stutter` is set; streams of chunks.
    struct TestIo;

    struct Reader {
        data: Cursor<Vec<u8>>,
        max: usize,
        stutter: bool,
        waited: bool,
    }

    impl BodyIo for TestIo {
        type Rewound = Cursor<Vec<u8>>;
        type Reader = Reader;
        type Stream = VecDeque<io::Result<Bytes>>;
        const MADE_BY: &'static str = "the tests";

        fn open(source: Source<'_, Self::Rewound>) -> Result<Reader, TransportError> {
            let Source::Rewound(mut sending) = source else {
                unreachable!("no files here")
            };
            let mut all = Vec::new();
            blocking(sending.with(
                &mut (),
                |r, start, _| Poll::Ready(r.seek(SeekFrom::Start(start)).map(drop)),
                |r, _| Poll::Ready(r.read_to_end(&mut all)),
            ))
            .unwrap();
            Ok(reader(all, 3, false))
        }

        fn poll_read(
            reader: &mut Reader,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            if reader.stutter && !std::mem::replace(&mut reader.waited, true) {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            reader.waited = false;
            let m = buf.len().min(reader.max);
            Poll::Ready(reader.data.read(&mut buf[..m]))
        }

        fn poll_next(
            stream: &mut Self::Stream,
            _: &mut Context<'_>,
        ) -> Poll<Option<io::Result<Bytes>>> {
            Poll::Ready(stream.pop_front())
        }
    }

    fn reader(data: Vec<u8>, max: usize, stutter: bool) -> Reader {
        Reader {
            data: Cursor::new(data),
            max,
            stutter,
            waited: false,
        }
    }

    fn stream(chunks: &[&[u8]]) -> VecDeque<io::Result<Bytes>> {
        chunks
            .iter()
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect()
    }

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000)
    }

    /// Every chunk `out` yields (retrying `Pending`).
    fn chunks(out: &mut Outgoing<TestIo>) -> io::Result<Vec<Bytes>> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut all = Vec::new();
        loop {
            match out.poll_chunk(&mut cx, now) {
                Poll::Pending => continue,
                Poll::Ready(None) => return Ok(all),
                Poll::Ready(Some(chunk)) => {
                    let chunk = chunk?;
                    assert!(!chunk.is_empty(), "chunks are never empty");
                    all.push(chunk);
                }
            }
        }
    }

    /// Everything `out` yields read `size` bytes at a time (retrying `Pending`).
    fn read_all(out: &mut Outgoing<TestIo>, size: usize) -> io::Result<Vec<u8>> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut all = Vec::new();
        let mut buf = vec![0; size];
        loop {
            match out.poll_read(&mut cx, &mut buf, now) {
                Poll::Pending => continue,
                Poll::Ready(Ok(0)) => return Ok(all),
                Poll::Ready(Ok(n)) => all.extend_from_slice(&buf[..n]),
                Poll::Ready(Err(e)) => return Err(e),
            }
        }
    }

    fn framing(chunk_size: usize, decoded_len: Option<u64>) -> AwsChunkedBody {
        AwsChunkedBody {
            trailer: ChecksumAlgorithm::Crc32,
            chunk_size,
            decoded_len,
        }
    }

    fn encoded(data: &[u8], chunk_size: usize) -> Vec<u8> {
        let mut expected = Vec::new();
        let mut encoder = AwsChunkedEncoder::new(Some(ChecksumAlgorithm::Crc32));
        for chunk in data.chunks(chunk_size) {
            encoder.encode_chunk(chunk, &mut expected);
        }
        encoder.finish_into(&mut expected);
        expected
    }

    fn reader_body(data: &[u8], max: usize, stutter: bool, len: Option<u64>) -> Body {
        Body::Stream(StreamingBody::new(reader(data.to_vec(), max, stutter), len))
    }

    #[test]
    fn bytes_go_whole_and_an_empty_body_ends_at_once() {
        let mut out =
            Outgoing::<TestIo>::new(Body::Bytes(Bytes::from_static(b"abc")), None, None).unwrap();
        assert_eq!(out.exact_len(), Some(3));
        assert!(!out.is_end_stream());
        assert_eq!(chunks(&mut out).unwrap(), vec![Bytes::from_static(b"abc")]);
        assert!(out.is_end_stream());
        for body in [Body::Empty, Body::Bytes(Bytes::new())] {
            let out = Outgoing::<TestIo>::new(body, None, None).unwrap();
            assert!(out.is_end_stream());
            assert_eq!(out.exact_len(), Some(0));
        }
    }

    #[test]
    fn a_reader_goes_in_pieces_of_what_it_read_and_keeps_its_declared_length() {
        let data: Vec<u8> = (0..200u8).collect();
        for stutter in [false, true] {
            let mut out =
                Outgoing::<TestIo>::new(reader_body(&data, 70, stutter, Some(200)), None, None)
                    .unwrap();
            assert_eq!(out.exact_len(), Some(200));
            let got = chunks(&mut out).unwrap();
            assert_eq!(got.iter().map(Bytes::len).collect::<Vec<_>>(), [70, 70, 60]);
            assert_eq!(got.concat(), data);
            let mut out =
                Outgoing::<TestIo>::new(reader_body(&data, 70, stutter, None), None, None).unwrap();
            assert_eq!(out.exact_len(), None);
            assert_eq!(read_all(&mut out, 33).unwrap(), data);
        }
    }

    #[test]
    fn a_stream_skips_empty_chunks_and_passes_its_error_on() {
        let body = StreamingBody::new(stream(&[b"ab", b"", b"cd"]), Some(4));
        let mut out = Outgoing::<TestIo>::new(Body::Stream(body), None, None).unwrap();
        assert_eq!(out.exact_len(), Some(4));
        assert_eq!(chunks(&mut out).unwrap().concat(), b"abcd");
        let failing: VecDeque<io::Result<Bytes>> =
            [Ok(Bytes::from_static(b"ab")), Err(io::Error::other("boom"))].into();
        let body = StreamingBody::new(failing, None);
        let mut out = Outgoing::<TestIo>::new(Body::Stream(body), None, None).unwrap();
        assert_eq!(read_all(&mut out, 1).unwrap_err().to_string(), "boom");
    }

    #[test]
    fn a_replayable_body_is_opened_and_a_foreign_or_sent_one_refused() {
        let body = Rewindable::body(Cursor::new(b"..hello".to_vec()), 2, Some(5));
        let mut out = Outgoing::<TestIo>::new(Body::Stream(body), None, None).unwrap();
        assert_eq!(read_all(&mut out, 64).unwrap(), b"hello");
        let foreign = StreamingBody::new(7u8, None);
        let err = Outgoing::<TestIo>::new(Body::Stream(foreign), None, None)
            .err()
            .unwrap();
        assert!(err.message.contains("the tests"), "{err}");
        let once = StreamingBody::new(stream(&[b"x"]), None);
        assert!(Outgoing::<TestIo>::new(Body::Stream(once.clone()), None, None).is_ok());
        assert!(
            Outgoing::<TestIo>::new(Body::Stream(once), None, None).is_err(),
            "a one-shot stream is sent once"
        );
    }

    #[test]
    fn framing_a_reader_or_a_stream_gives_the_encoders_bytes_either_way_it_is_pulled() {
        let data: Vec<u8> = (0..100u8).collect();
        let expected = encoded(&data, 16);
        for len in [Some(100), None] {
            for stutter in [false, true] {
                let body = reader_body(&data, 7, stutter, len);
                let mut out = Outgoing::<TestIo>::new(body, Some(framing(16, len)), None).unwrap();
                assert_eq!(out.exact_len(), None, "a framed body's length is not known");
                assert_eq!(chunks(&mut out).unwrap().concat(), expected);
                let body = reader_body(&data, 7, stutter, len);
                let mut out = Outgoing::<TestIo>::new(body, Some(framing(16, len)), None).unwrap();
                assert_eq!(read_all(&mut out, 5).unwrap(), expected);
            }
            let pieces: Vec<&[u8]> = data.chunks(30).collect();
            let body = Body::Stream(StreamingBody::new(stream(&pieces), len));
            let mut out = Outgoing::<TestIo>::new(body, Some(framing(16, len)), None).unwrap();
            assert_eq!(chunks(&mut out).unwrap().concat(), expected);
            assert!(out.is_end_stream());
        }
    }

    #[test]
    fn a_small_framed_reader_makes_a_frame_of_its_own_size() {
        let data = vec![1u8; 10];
        let body = reader_body(&data, 1000, false, Some(10));
        let mut out = Outgoing::<TestIo>::new(body, Some(framing(16, Some(10))), None).unwrap();
        let got = chunks(&mut out).unwrap();
        assert_eq!(got.len(), 1, "one frame holds it all");
        assert_eq!(got.concat(), encoded(&data, 16));
    }

    #[test]
    fn signed_events_are_each_signed_then_ended_by_a_signed_empty_frame() {
        let signer = || {
            EventSigner::new(
                crate::auth::Credentials::new("AKID", "SECRET", None, None),
                "us-east-1",
                "transcribe",
                "seed",
            )
        };
        let body = Body::Stream(StreamingBody::new(stream(&[b"one", b"two"]), None));
        let mut out = Outgoing::<TestIo>::new(body, None, Some(signer())).unwrap();
        assert!(out.is_signed_events());
        assert_eq!(out.exact_len(), None);
        let got = chunks(&mut out).unwrap();
        assert!(out.is_end_stream());
        let mut expected = signer();
        let want = vec![
            expected.sign_event(b"one", now()).unwrap(),
            expected.sign_event(b"two", now()).unwrap(),
            expected.sign_end(now()).unwrap(),
        ];
        assert_eq!(got, want);
    }
}
