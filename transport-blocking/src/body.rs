//! This transport's request bodies for the core's [`Outgoing`](sansboto_core::outgoing::Outgoing):
//! `std::io` readers only (no stream type), each read completing at once.

use std::convert::Infallible;
use std::io::{self, Read};
use std::task::{Context, Poll};

use bytes::Bytes;
use sansboto_core::outgoing::BodyIo;
use sansboto_core::request_body::Source;
use sansboto_core::TransportError;

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

#[cfg(test)]
mod tests {
    use super::*;
    use sansboto_core::outgoing::Outgoing;
    use sansboto_core::request_body::ready;
    use sansboto_core::{AwsChunkedBody, Body, ChecksumAlgorithm, StreamingBody};
    use std::task::Waker;

    /// `reader` sent as the core sends it (framed `aws-chunked` when `framing` asks): its
    /// bytes, and its length when known before sending.
    fn sent(reader: ByteReader, framing: Option<AwsChunkedBody>) -> (Vec<u8>, Option<u64>) {
        let body = Body::Stream(StreamingBody::new(reader, None));
        let mut out = Outgoing::<BlockingIo>::new(body, framing, None).unwrap();
        let len = out.exact_len();
        let (mut all, mut buf) = (Vec::new(), [0u8; 5]);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            match ready(out.poll_read(&mut cx, &mut buf, crate::now)).unwrap() {
                0 => return (all, len),
                n => all.extend_from_slice(&buf[..n]),
            }
        }
    }

    /// A reader that hands out at most 3 bytes a call, so chunks are assembled across reads.
    struct Trickle(io::Cursor<Vec<u8>>);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(3);
            self.0.read(&mut buf[..n])
        }
    }

    #[test]
    fn a_framed_request_reader_frames_a_stream_with_its_trailer() {
        // Regression: a streamed body over HTTPS was sent raw under
        // `Content-Encoding: aws-chunked`, and S3 verifiers failed to parse it.
        let data = b"hello world, framed".to_vec();
        let framing = AwsChunkedBody {
            trailer: ChecksumAlgorithm::Crc32,
            chunk_size: 8,
            decoded_len: None,
        };
        let trickle = Box::new(Trickle(io::Cursor::new(data.clone()))) as ByteReader;
        let (framed, len) = sent(trickle, Some(framing));
        assert_eq!(len, None, "a framed body's length is not known up front");
        let mut expected = Vec::new();
        let mut encoder = sansboto_core::AwsChunkedEncoder::new(Some(ChecksumAlgorithm::Crc32));
        for chunk in data.chunks(8) {
            encoder.encode_chunk(chunk, &mut expected);
        }
        encoder.finish_into(&mut expected);
        assert_eq!(framed, expected);
        assert!(framed.starts_with(b"8\r\nhello wo\r\n"));
        let text = String::from_utf8(framed).unwrap();
        assert!(
            text.contains("\r\n3\r\nmed\r\n0\r\nx-amz-checksum-crc32:"),
            "{text:?}"
        );

        // An empty stream is only the final chunk and the trailer.
        let (empty, _) = sent(Box::new(io::empty()), Some(framing));
        assert!(
            empty.starts_with(b"0\r\nx-amz-checksum-crc32:"),
            "{empty:?}"
        );
    }
}
