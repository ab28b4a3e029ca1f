//! Request bodies hyper can send (bytes, or a stream pulled chunk by chunk so large uploads run
//! in constant memory) and the response body handed back (read whole, as a `Stream` of chunks,
//! or through `AsyncRead`), with truncation checked against `Content-Length`.

use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use sansboto_core::auth::event_signing::EventSigner;
use sansboto_core::request_body::{self, foreign_body, Framed, Source};
use sansboto_core::response_check::{into_io_error, Collect, ResponseCheck};
use sansboto_core::AwsChunkedBody;
use sansboto_core::AwsChunkedFramer;
use sansboto_core::TransportError;
use sansboto_core::{Body, FileRange, StreamingBody};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};
use tokio::sync::oneshot;

use crate::connect::classify;
use crate::rewind::{SendingReader, Shared};
use sansboto_core::connection::describe_chain as describe;

/// The source type of a [`StreamingBody`] this transport sends: chunks of bytes or an I/O error.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, io::Error>> + Send + 'static>>;

/// The other accepted source type: any tokio reader (see [`reader_body`]).
pub type ByteReader = Pin<Box<dyn AsyncRead + Send + 'static>>;

/// Chunk size used when turning a reader into a stream.
const READ_CHUNK: usize = 64 * 1024;

/// The frame size of an `aws-chunked` body read from a reader (botocore's chunk size: the
/// framing costs a hyper chunk head per frame, so frames are large).
const FRAMED_CHUNK: usize = 1024 * 1024;

/// A streaming request body from a stream of chunks; `len` is the exact total when known (sent as
/// `Content-Length`, otherwise the body goes chunked).
pub fn stream_body(
    stream: impl Stream<Item = Result<Bytes, io::Error>> + Send + 'static,
    len: Option<u64>,
) -> StreamingBody {
    StreamingBody::new(Box::pin(stream) as ByteStream, len)
}

/// A streaming request body read from `reader`; `len` is the exact total when known (sent as
/// `Content-Length`, otherwise the body goes chunked).
pub fn reader_body(reader: impl AsyncRead + Send + 'static, len: Option<u64>) -> StreamingBody {
    StreamingBody::new(Box::pin(reader) as ByteReader, len)
}

/// A streaming request body with the contents of the file at `path` (length from its metadata).
/// The file is opened afresh for each attempt, so a retried call sends it again, and over plain
/// HTTP it is read once ahead to be hashed for the signature.
pub async fn file_body(path: impl AsRef<Path>) -> io::Result<StreamingBody> {
    let len = tokio::fs::metadata(path.as_ref()).await?.len();
    Ok(StreamingBody::from_file(FileRange::new(path, 0, len)))
}

/// The reader of one sending of a replayable body. (Opening and seeking a file are single quick
/// system calls; the reads go through tokio's blocking pool.)
fn open(source: Source<'_, Shared>) -> Result<ByteReader, TransportError> {
    match source {
        Source::File(range) => {
            let file = sansboto_host::fs::open_range(range)?;
            Ok(Box::pin(tokio::fs::File::from_std(file).take(range.len)))
        }
        Source::Rewound(sending) => Ok(Box::pin(SendingReader::new(sending))),
    }
}

/// Feed the whole of a replayable body to `sink` (see
/// [`sansboto_core::runtime::Host::scan_body`]).
pub(crate) async fn scan_body(
    body: &StreamingBody,
    sink: &mut (dyn FnMut(&[u8]) + Send),
) -> Result<(), TransportError> {
    let poll_read = |reader: &mut ByteReader, cx: &mut Context<'_>, buf: &mut [u8]| {
        let mut read = ReadBuf::new(buf);
        ready!(reader.as_mut().poll_read(cx, &mut read))?;
        Poll::Ready(Ok(read.filled().len()))
    };
    request_body::scan(body, open, poll_read, sink).await
}

/// A request body as hyper sends it.
pub(crate) enum RequestBody {
    Full(Option<Bytes>),
    Stream {
        stream: ByteStream,
        len: Option<u64>,
    },
    Reader {
        reader: ByteReader,
        len: Option<u64>,
        buf: BytesMut,
    },
    /// A reader sent `aws-chunked` with a checksum trailer, read through the core's [`Framed`]
    /// straight into each frame's buffer.
    FramedReader {
        framed: Box<Framed<ByteReader>>,
        buf: BytesMut,
        /// A frame's size: [`FRAMED_CHUNK`], or less for a body smaller than that, so a small
        /// upload does not allocate and zero a whole megabyte per frame.
        frame: usize,
        /// The framed body has ended: no frame buffer is made again.
        ended: bool,
    },
    /// A stream sent `aws-chunked` with a checksum trailer (the core's framer does the framing).
    Framed {
        inner: Box<RequestBody>,
        framer: Box<AwsChunkedFramer>,
    },
    /// A stream of encoded events (one per chunk), each wrapped and signed by the core's
    /// [`EventSigner`] as it goes out, then the signed empty frame that ends the input.
    SignedEvents {
        inner: Box<RequestBody>,
        signer: Box<EventSigner>,
        ended: bool,
        /// Closed when the response body is dropped: nobody reads the answers any more, so the
        /// call is cancelled (the body fails and hyper resets the HTTP/2 stream) rather than
        /// left waiting on the caller's next event.
        answers_dropped: oneshot::Receiver<()>,
    },
}

/// Held by a [`ResponseBody`] whose request streams events: dropping it cancels the request.
pub(crate) type InputGuard = oneshot::Sender<()>;

impl RequestBody {
    /// The body to send; `framing` (the request's [`AwsChunkedBody`] extension) asks for a
    /// streamed body to be sent `aws-chunked`.
    /// With an event-stream input, also the guard to give the response body.
    pub(crate) fn from_core(
        body: Body,
        framing: Option<AwsChunkedBody>,
        signer: Option<EventSigner>,
    ) -> Result<(Self, Option<InputGuard>), TransportError> {
        if let (Some(signer), Body::Stream(_)) = (signer, &body) {
            let (guard, answers_dropped) = oneshot::channel();
            let body = RequestBody::SignedEvents {
                inner: Box::new(Self::from_core(body, None, None)?.0),
                signer: Box::new(signer),
                ended: false,
                answers_dropped,
            };
            return Ok((body, Some(guard)));
        }
        Self::plain(body, framing).map(|b| (b, None))
    }

    fn plain(body: Body, framing: Option<AwsChunkedBody>) -> Result<Self, TransportError> {
        if let (Some(framing), Body::Stream(_)) = (framing, &body) {
            let inner = Self::plain(body, None)?;
            if let RequestBody::Reader { reader, .. } = inner {
                // The framing around a body (chunk heads, the final chunk, the trailer) is well
                // under this much.
                const FRAMING_ROOM: u64 = 512;
                let frame = framing.decoded_len.map_or(FRAMED_CHUNK, |len| {
                    usize::try_from(len.saturating_add(FRAMING_ROOM))
                        .map_or(FRAMED_CHUNK, |n| n.min(FRAMED_CHUNK))
                });
                return Ok(RequestBody::FramedReader {
                    framed: Box::new(Framed::new(reader, framing)),
                    buf: BytesMut::new(),
                    frame,
                    ended: false,
                });
            }
            return Ok(RequestBody::Framed {
                inner: Box::new(inner),
                framer: Box::new(AwsChunkedFramer::new(
                    Some(framing.trailer),
                    framing.chunk_size,
                )),
            });
        }
        match body {
            Body::Empty => Ok(RequestBody::Full(None)),
            Body::Bytes(b) => Ok(RequestBody::Full(Some(b).filter(|b| !b.is_empty()))),
            Body::Stream(s) => {
                let len = s.len();
                let reader = |reader| RequestBody::Reader {
                    reader,
                    len,
                    buf: BytesMut::new(),
                };
                if let Some(source) = request_body::replayable(&s) {
                    Ok(reader(open(source)?))
                } else if let Some(stream) = s.take::<ByteStream>() {
                    Ok(RequestBody::Stream { stream, len })
                } else if let Some(taken) = s.take::<ByteReader>() {
                    Ok(reader(taken))
                } else {
                    Err(foreign_body(
                        "sansboto-tokio (use stream_body, reader_body or file_body)",
                    ))
                }
            }
        }
    }
}

impl HttpBody for RequestBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            RequestBody::Framed { inner, framer } => loop {
                if framer.is_finished() {
                    return Poll::Ready(None);
                }
                let framed = match ready!(Pin::new(inner.as_mut()).poll_frame(cx)) {
                    Some(Ok(frame)) => match frame.into_data() {
                        Ok(data) => framer.push(&data),
                        Err(_) => continue,
                    },
                    Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                    None => framer.finish(),
                };
                if !framed.is_empty() {
                    return Poll::Ready(Some(Ok(Frame::data(Bytes::from(framed)))));
                }
            },
            RequestBody::SignedEvents {
                inner,
                signer,
                ended,
                answers_dropped,
            } => {
                if *ended {
                    return Poll::Ready(None);
                }
                if Pin::new(answers_dropped).poll(cx).is_ready() {
                    return Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "the event stream's answers were dropped: call cancelled",
                    ))));
                }
                let signed = loop {
                    match ready!(Pin::new(inner.as_mut()).poll_frame(cx)) {
                        Some(Ok(frame)) => match frame.into_data() {
                            Ok(event) => break signer.sign_event(&event, crate::now()),
                            Err(_) => continue,
                        },
                        Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                        None => {
                            *ended = true;
                            break signer.sign_end(crate::now());
                        }
                    }
                };
                Poll::Ready(Some(
                    signed
                        .map(|frame| Frame::data(Bytes::from(frame)))
                        .map_err(io::Error::other),
                ))
            }
            RequestBody::FramedReader {
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
                    let read = framed.poll_read(&mut buf[filled..], |r, b| {
                        let mut read = ReadBuf::new(b);
                        ready!(r.as_mut().poll_read(cx, &mut read))?;
                        Poll::Ready(Ok(read.filled().len()))
                    });
                    match read {
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
                Poll::Ready(Some(Ok(Frame::data(buf.split().freeze()))))
            }
            RequestBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            RequestBody::Stream { stream, .. } => loop {
                match ready!(stream.as_mut().poll_next(cx)) {
                    Some(Ok(chunk)) if chunk.is_empty() => continue,
                    other => return Poll::Ready(other.map(|r| r.map(Frame::data))),
                }
            },
            RequestBody::Reader { reader, buf, .. } => {
                if buf.capacity() < READ_CHUNK {
                    buf.reserve(READ_CHUNK);
                }
                // Read into a zeroed tail (no unsafe), then hand exactly the bytes read to hyper.
                let start = buf.len();
                buf.resize(start + READ_CHUNK, 0);
                let mut rb = ReadBuf::new(&mut buf[start..]);
                let res = reader.as_mut().poll_read(cx, &mut rb);
                let n = rb.filled().len();
                buf.truncate(start + n);
                ready!(res)?;
                if n == 0 {
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Ok(Frame::data(buf.split().freeze()))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            RequestBody::Full(b) => b.is_none(),
            RequestBody::Framed { framer, .. } => framer.is_finished(),
            RequestBody::SignedEvents { ended, .. } => *ended,
            _ => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            RequestBody::Full(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            RequestBody::Stream { len: Some(n), .. } | RequestBody::Reader { len: Some(n), .. } => {
                SizeHint::with_exact(*n)
            }
            _ => SizeHint::default(),
        }
    }
}

/// A response body: read it whole with [`bytes`](Self::bytes), chunk by chunk with
/// [`chunk`](Self::chunk) or as a [`Stream`], or through [`AsyncRead`].
///
/// The read timeout applies between chunks; a body shorter than its `Content-Length` ends in a
/// [`TransportErrorKind::Io`](sansboto_core::TransportErrorKind::Io) error, never in a
/// short read.
pub struct ResponseBody {
    incoming: Option<Incoming>,
    /// Length, checksum and transfer rate, checked as the body is read.
    check: ResponseCheck,
    /// Unread rest of the last chunk (for `AsyncRead`).
    pending: Bytes,
    /// Cancels the request's event stream when this body is dropped.
    _input_guard: Option<InputGuard>,
}

impl std::fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseBody")
            .field("received", &self.check.received())
            .finish_non_exhaustive()
    }
}

impl ResponseBody {
    pub(crate) fn new(
        incoming: Incoming,
        check: ResponseCheck,
        input_guard: Option<InputGuard>,
    ) -> Self {
        ResponseBody {
            incoming: Some(incoming),
            check,
            pending: Bytes::new(),
            _input_guard: input_guard,
        }
    }

    /// The checks reading goes through (see [`ResponseCheck`]).
    pub(crate) fn check(&mut self) -> &mut ResponseCheck {
        &mut self.check
    }

    /// The declared length, when the response had a `Content-Length`.
    pub fn content_length(&self) -> Option<u64> {
        self.check.expected_len()
    }

    /// Read the whole body.
    pub async fn bytes(mut self) -> Result<Bytes, TransportError> {
        let mut all = Collect::new(self.content_length());
        while let Some(piece) = self.chunk().await? {
            all.push(&piece);
        }
        Ok(all.finish())
    }

    /// The next chunk, or `None` at the end of the body.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, TransportError> {
        std::future::poll_fn(|cx| self.poll_chunk(cx)).await
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Bytes>, TransportError>> {
        if !self.pending.is_empty() {
            return Poll::Ready(Ok(Some(std::mem::take(&mut self.pending))));
        }
        loop {
            let Some(incoming) = self.incoming.as_mut() else {
                return Poll::Ready(Ok(None));
            };
            match ready!(Pin::new(incoming).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    // Trailers carry no body bytes; skip them.
                    let Ok(data) = frame.into_data() else {
                        continue;
                    };
                    if data.is_empty() {
                        continue;
                    }
                    self.check.piece(&data, crate::now())?;
                    return Poll::Ready(Ok(Some(data)));
                }
                Some(Err(e)) => {
                    self.incoming = None;
                    let error = self.check.failed(classify(&e, false), describe(&e));
                    return Poll::Ready(Err(error.with_source(e)));
                }
                None => {
                    self.incoming = None;
                    self.check.end()?;
                    return Poll::Ready(Ok(None));
                }
            }
        }
    }
}

impl Stream for ResponseBody {
    type Item = Result<Bytes, TransportError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_chunk(cx).map(Result::transpose)
    }
}

impl AsyncRead for ResponseBody {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pending.is_empty() {
            match ready!(this.poll_chunk(cx)) {
                Ok(Some(chunk)) => this.pending = chunk,
                Ok(None) => return Poll::Ready(Ok(())),
                Err(e) => return Poll::Ready(Err(into_io_error(e))),
            }
        }
        let n = this.pending.len().min(buf.remaining());
        buf.put_slice(&this.pending.split_to(n));
        Poll::Ready(Ok(()))
    }
}
