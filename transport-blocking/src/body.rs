//! This transport's request bodies for the core's [`Outgoing`]: `std::io` readers only (no
//! stream type), and the core's body on its way out as the reader the HTTP client sends from.

use std::convert::Infallible;
use std::io::{self, Read};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use sansboto_core::outgoing::{BodyIo, Outgoing};
use sansboto_core::request_body::{ready, Source};
use sansboto_core::{AwsChunkedBody, Body, StreamingBody, TransportError};

use crate::{rewind, ByteReader};

/// This transport's body types (see [`BodyIo`]).
pub(crate) struct BlockingIo;

impl BodyIo for BlockingIo {
    type Rewound = rewind::Shared;
    type Reader = ByteReader;
    type Stream = Infallible;
    const MADE_BY: &'static str = "sansboto-blocking (use reader_body or file_body)";

    fn open(source: Source<'_, rewind::Shared>) -> Result<ByteReader, TransportError> {
        match source {
            Source::File(range) => Ok(Box::new(
                sansboto_host::fs::open_range(range)?.take(range.len),
            )),
            Source::Rewound(sending) => Ok(Box::new(rewind::SendingReader(sending))),
        }
    }

    fn poll_read(
        reader: &mut ByteReader,
        _: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(reader.read(buf))
    }

    fn poll_next(stream: &mut Infallible, _: &mut Context<'_>) -> Poll<Option<io::Result<Bytes>>> {
        match *stream {}
    }
}

/// The reader one sending of `stream` is sent from (framed `aws-chunked` when `framing` asks),
/// and its exact length when known before sending (never for a framed body).
pub(crate) fn request_reader(
    stream: StreamingBody,
    framing: Option<AwsChunkedBody>,
) -> Result<(ByteReader, Option<u64>), TransportError> {
    let out = Outgoing::<BlockingIo>::new(Body::Stream(stream), framing, None)?;
    let len = out.exact_len();
    Ok((Box::new(Sending(out)), len))
}

/// A body being sent, read on the calling thread (its reads never wait on a task).
struct Sending(Outgoing<BlockingIo>);

impl Read for Sending {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut cx = Context::from_waker(Waker::noop());
        ready(self.0.poll_read(&mut cx, buf, crate::now))
    }
}
