//! Seekable readers as request bodies that a retry sends again: the reader is shared (never
//! taken), and each sending rewinds it to where it stood when the body was made (botocore's
//! `reset_stream`). An attempt that is superseded by a later one can no longer read it, so two
//! attempts never interleave their reads.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex};

use sansboto_core::StreamingBody;
use sansboto_core::{TransportError, TransportErrorKind};

use crate::ByteReader;

/// A reader that can also seek.
pub(crate) trait ReadSeek: Read + Seek + Send {}

impl<T: Read + Seek + Send> ReadSeek for T {}

/// The shared state of a rewindable body.
pub(crate) struct Rewindable {
    state: Mutex<State>,
    /// Where the body starts in the reader.
    start: u64,
}

struct State {
    reader: Box<dyn ReadSeek>,
    /// Which sending may read now (each sending takes the next number).
    attempt: u64,
}

/// A streaming request body read from a seekable `reader`, from its current position on; `len`
/// is the exact total when known (sent as `Content-Length`, otherwise the body goes chunked).
/// Unlike [`reader_body`](crate::reader_body), a retried call sends it again (it is rewound),
/// and over plain HTTP it is read once ahead to be hashed for the signature.
pub fn seekable_body(
    mut reader: impl Read + Seek + Send + 'static,
    len: Option<u64>,
) -> io::Result<StreamingBody> {
    let start = reader.stream_position()?;
    let shared = Rewindable {
        state: Mutex::new(State {
            reader: Box::new(reader),
            attempt: 0,
        }),
        start,
    };
    Ok(StreamingBody::from_rewindable(Arc::new(shared), len))
}

/// The reader of one sending of `body`'s rewindable source, rewound to its start; `None` when
/// the body is not one of this transport's rewindable bodies.
pub(crate) fn rewind(body: &StreamingBody) -> Option<Result<ByteReader, TransportError>> {
    let shared = body.rewindable::<Rewindable>()?;
    let attempt = {
        let mut state = shared.state.lock().unwrap_or_else(|p| p.into_inner());
        state.attempt += 1;
        if let Err(e) = state.reader.seek(SeekFrom::Start(shared.start)) {
            return Some(Err(TransportError::new(
                TransportErrorKind::Request,
                format!("rewinding the request body: {e}"),
            )
            .with_source(e)));
        }
        state.attempt
    };
    Some(Ok(Box::new(Sending { shared, attempt })))
}

/// One sending's view of the shared reader.
struct Sending {
    shared: Arc<Rewindable>,
    attempt: u64,
}

impl Read for Sending {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.attempt != self.attempt {
            return Err(io::Error::other(
                "the request body was rewound for a later attempt",
            ));
        }
        state.reader.read(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sending_starts_where_the_body_started_and_supersedes_the_last() {
        let mut cursor = io::Cursor::new(b"skip:body".to_vec());
        cursor.set_position(5);
        let body = seekable_body(cursor, Some(4)).unwrap();
        assert!(body.is_replayable());
        let mut first = rewind(&body).unwrap().unwrap();
        let mut two = [0u8; 2];
        first.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"bo");
        let mut second = rewind(&body).unwrap().unwrap();
        let mut all = Vec::new();
        second.read_to_end(&mut all).unwrap();
        assert_eq!(all, b"body");
        assert!(
            first.read(&mut two).is_err(),
            "the first sending is superseded"
        );
    }
}
