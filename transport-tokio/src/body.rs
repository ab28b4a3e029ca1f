//! Request bodies hyper can send (bytes, or a stream pulled chunk by chunk so large uploads run
//! in constant memory) and the response body handed back (read whole, as a `Stream` of chunks,
//! or through `AsyncRead`), with truncation checked against `Content-Length`.

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use sansboto_core::http_stack::{self, StackBody, StackResponse};
use sansboto_core::outgoing::BodyIo;
use sansboto_core::request_body::Source;
use sansboto_core::{FileRange, StreamingBody, TransportError};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

use crate::connect::Hyper;
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

/// This transport's body types for the core's [`Outgoing`](sansboto_core::outgoing::Outgoing)
/// and [`request_body::scan`](sansboto_core::request_body::scan).
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
            Source::Rewound(sending) => Ok(Box::pin(SendingReader(sending))),
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

/// A request body as hyper sends it: the core's [`StackBody`], pulled as data frames.
pub(crate) struct RequestBody(pub(crate) StackBody<TokioIo>);

impl HttpBody for RequestBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let chunk = self.get_mut().0.poll_chunk(cx, crate::now);
        chunk.map(|chunk| chunk.map(|data| data.map(Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.0
            .exact_len()
            .map_or_else(SizeHint::default, SizeHint::with_exact)
    }
}

/// A response body: read it whole with [`bytes`](Self::bytes), chunk by chunk with
/// [`chunk`](Self::chunk) or as a [`Stream`], or through [`AsyncRead`].
///
/// The read timeout applies between chunks; a body shorter than its `Content-Length` ends in a
/// [`TransportErrorKind::Io`](sansboto_core::TransportErrorKind::Io) error, never in a
/// short read.
pub struct ResponseBody {
    /// hyper's body, read through the core.
    reader: StackResponse<Incoming>,
}

sansboto_host::async_response_body!(ResponseBody);

impl ResponseBody {
    pub(crate) fn new(reader: StackResponse<Incoming>) -> Self {
        ResponseBody { reader }
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Bytes>, TransportError>> {
        let failed = http_stack::read_failed::<Hyper, _>;
        (self.reader).poll_chunk(|body| next_data(body, cx), failed, crate::now)
    }
}

/// The next data frame's bytes (trailers carry none: an empty chunk, which is skipped).
fn next_data(
    body: &mut Incoming,
    cx: &mut Context<'_>,
) -> Poll<Option<Result<Bytes, hyper::Error>>> {
    Pin::new(body)
        .poll_frame(cx)
        .map(|frame| frame.map(|f| f.map(|f| f.into_data().unwrap_or_default())))
}

impl AsyncRead for ResponseBody {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let reader = &mut self.get_mut().reader;
        let max = buf.remaining();
        let failed = http_stack::read_failed::<Hyper, _>;
        let taken = reader.poll_take(max, |body| next_data(body, cx), failed, crate::now);
        buf.put_slice(&ready!(taken)?);
        Poll::Ready(Ok(()))
    }
}
