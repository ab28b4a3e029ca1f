//! Seekable readers as request bodies that a retry sends again (the shared state and its rules
//! are the core's [`Rewindable`]; this file only reads and seeks through `std::io`).

use std::io::{self, Read, Seek, SeekFrom};
use std::task::Poll;

use sansboto_core::request_body::{ready, Rewindable, Sending};
use sansboto_core::StreamingBody;

/// A reader that can also seek.
pub(crate) trait ReadSeek: Read + Seek + Send {}

impl<T: Read + Seek + Send> ReadSeek for T {}

/// The reader type of this transport's rewindable bodies.
pub(crate) type Shared = Box<dyn ReadSeek>;

/// A streaming request body read from a seekable `reader`, from its current position on; `len`
/// is the exact total when known (sent as `Content-Length`, otherwise the body goes chunked).
/// Unlike [`reader_body`](crate::reader_body), a retried call sends it again (it is rewound),
/// and over plain HTTP it is read once ahead to be hashed for the signature.
pub fn seekable_body(
    mut reader: impl Read + Seek + Send + 'static,
    len: Option<u64>,
) -> io::Result<StreamingBody> {
    let start = reader.stream_position()?;
    Ok(Rewindable::body(Box::new(reader) as Shared, start, len))
}

/// One sending of a rewindable body, as a reader.
pub(crate) struct SendingReader(pub(crate) Sending<Shared>);

impl Read for SendingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        ready(self.0.with(
            &mut (),
            |r, start, _| Poll::Ready(r.seek(SeekFrom::Start(start)).map(drop)),
            |r, _| Poll::Ready(r.read(buf)),
        ))
    }
}
