//! Request bodies hyper can send (bytes, or a stream pulled chunk by chunk so large uploads run
//! in constant memory) and the response body handed back (read whole, as a `Stream` of chunks,
//! or through `AsyncRead`), with truncation checked against `Content-Length`.

use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use sansboto_core::auth::event_signing::EventSigner;
use sansboto_core::connection::describe_chain as describe;
use sansboto_core::outgoing::{BodyIo, Outgoing};
use sansboto_core::request_body::Source;
use sansboto_core::response_check::ResponseCheck;
use sansboto_core::response_read::ResponseReader;
use sansboto_core::{AwsChunkedBody, Body, FileRange, StreamingBody, TransportError};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};
use tokio::sync::oneshot;

use crate::connect::classify;
use crate::rewind::{SendingReader, Shared};

/// The source type of a [`StreamingBody`] this transport sends: chunks of bytes or an I/O error.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, io::Error>> + Send + 'static>>;

/// The other accepted source type: any tokio reader (see [`reader_body`]).
pub type ByteReader = Pin<Box<dyn AsyncRead + Send + 'static>>;

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

/// This transport's body types for the core's [`Outgoing`] and [`request_body::scan`].
pub(crate) struct TokioIo;

impl BodyIo for TokioIo {
    type Rewound = Shared;
    type Reader = ByteReader;
    type Stream = ByteStream;
    const MADE_BY: &'static str = "sansboto-tokio (use stream_body, reader_body or file_body)";

    /// Opening and seeking a file are single quick system calls; the reads go through tokio's
    /// blocking pool.
    fn open(source: Source<'_, Shared>) -> Result<ByteReader, TransportError> {
        match source {
            Source::File(range) => {
                let file = sansboto_host::fs::open_range(range)?;
                Ok(Box::pin(tokio::fs::File::from_std(file).take(range.len)))
            }
            Source::Rewound(sending) => Ok(Box::pin(SendingReader::new(sending))),
        }
    }

    fn poll_read(
        reader: &mut ByteReader,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut read = ReadBuf::new(buf);
        ready!(reader.as_mut().poll_read(cx, &mut read))?;
        Poll::Ready(Ok(read.filled().len()))
    }

    fn poll_next(stream: &mut ByteStream, cx: &mut Context<'_>) -> Poll<Option<io::Result<Bytes>>> {
        stream.as_mut().poll_next(cx)
    }
}

/// A request body as hyper sends it: the core's [`Outgoing`], and for an event-stream input
/// the signal that nobody reads the answers any more.
pub(crate) struct RequestBody {
    out: Outgoing<TokioIo>,
    /// Closed when the response body is dropped: the call is then cancelled (the body fails and
    /// hyper resets the HTTP/2 stream) rather than left waiting on the caller's next event.
    answers_dropped: Option<oneshot::Receiver<()>>,
}

/// Held by a [`ResponseBody`] whose request streams events: dropping it cancels the request.
pub(crate) type InputGuard = oneshot::Sender<()>;

impl RequestBody {
    /// The body to send (see [`Outgoing::new`]); with an event-stream input, also the guard to
    /// give the response body.
    pub(crate) fn from_core(
        body: Body,
        framing: Option<AwsChunkedBody>,
        signer: Option<EventSigner>,
    ) -> Result<(Self, Option<InputGuard>), TransportError> {
        let out = Outgoing::new(body, framing, signer)?;
        let (guard, answers_dropped) = match out.is_signed_events() {
            true => {
                let (guard, dropped) = oneshot::channel();
                (Some(guard), Some(dropped))
            }
            false => (None, None),
        };
        Ok((
            RequestBody {
                out,
                answers_dropped,
            },
            guard,
        ))
    }
}

impl HttpBody for RequestBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if let Some(dropped) = &mut this.answers_dropped {
            if !this.out.is_end_stream() && Pin::new(dropped).poll(cx).is_ready() {
                return Poll::Ready(Some(Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "the event stream's answers were dropped: call cancelled",
                ))));
            }
        }
        this.out
            .poll_chunk(cx, crate::now)
            .map(|chunk| chunk.map(|data| data.map(Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        self.out.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        match self.out.exact_len() {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
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
    /// `None` once the body ended or failed: the connection is let go at once.
    incoming: Option<Incoming>,
    /// The checks and the unread rest of a chunk (the core's).
    reader: ResponseReader,
    /// Cancels the request's event stream when this body is dropped.
    _input_guard: Option<InputGuard>,
}

sansboto_host::async_response_body!(ResponseBody);

impl ResponseBody {
    pub(crate) fn new(
        incoming: Incoming,
        check: ResponseCheck,
        input_guard: Option<InputGuard>,
    ) -> Self {
        ResponseBody {
            incoming: Some(incoming),
            reader: ResponseReader::new(check),
            _input_guard: input_guard,
        }
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Bytes>, TransportError>> {
        let Self {
            incoming, reader, ..
        } = self;
        let read = reader.poll_chunk(|| next_data(incoming, cx), failed, crate::now);
        if reader.check().is_ended() {
            *incoming = None;
        }
        read
    }
}

/// The next data frame's bytes (trailers carry none: an empty chunk, which is skipped).
fn next_data(
    incoming: &mut Option<Incoming>,
    cx: &mut Context<'_>,
) -> Poll<Option<Result<Bytes, hyper::Error>>> {
    let Some(incoming) = incoming.as_mut() else {
        return Poll::Ready(None);
    };
    Pin::new(incoming)
        .poll_frame(cx)
        .map(|frame| frame.map(|f| f.map(|f| f.into_data().unwrap_or_default())))
}

/// A failed body read, as a transport error saying how far the body got.
fn failed(e: hyper::Error, check: &mut ResponseCheck) -> TransportError {
    check
        .failed(classify(&e, false), describe(&e))
        .with_source(e)
}

impl AsyncRead for ResponseBody {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let Self {
            incoming, reader, ..
        } = self.get_mut();
        let max = buf.remaining();
        let taken = reader.poll_take(max, || next_data(incoming, cx), failed, crate::now);
        if reader.check().is_ended() {
            *incoming = None;
        }
        buf.put_slice(&ready!(taken)?);
        Poll::Ready(Ok(()))
    }
}
