//! Seekable readers as request bodies that a retry sends again: the reader is shared (never
//! taken), and each sending rewinds it to where it stood when the body was made (botocore's
//! `reset_stream`). An attempt that is superseded by a later one can no longer read it, so two
//! attempts never interleave their reads.

use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncSeek};
use futures_lite::AsyncSeekExt;
use sansboto_core::StreamingBody;

use crate::ByteReader;

/// A reader that can also seek.
pub trait AsyncReadSeek: AsyncRead + AsyncSeek + Send + Unpin {}

impl<T: AsyncRead + AsyncSeek + Send + Unpin> AsyncReadSeek for T {}

/// The shared state of a rewindable body.
pub(crate) struct Rewindable {
    state: Mutex<State>,
    /// Where the body starts in the reader.
    start: u64,
}

struct State {
    reader: Box<dyn AsyncReadSeek>,
    /// Which sending may read now (each sending takes the next number).
    attempt: u64,
}

/// A streaming request body read from a seekable `reader` (an `async_std::fs::File`, a
/// `futures_lite::io::Cursor`, …), from its current position on; `len` is the exact total when
/// known (sent as `Content-Length`, otherwise the body goes chunked). Unlike
/// [`reader_body`](crate::reader_body), a retried call sends it again (it is rewound), and over
/// plain HTTP it is read once ahead to be hashed for the signature.
pub async fn seekable_body(
    mut reader: impl AsyncRead + AsyncSeek + Send + Unpin + 'static,
    len: Option<u64>,
) -> io::Result<StreamingBody> {
    let start = reader.seek(SeekFrom::Current(0)).await?;
    let shared = Rewindable {
        state: Mutex::new(State {
            reader: Box::new(reader),
            attempt: 0,
        }),
        start,
    };
    Ok(StreamingBody::from_rewindable(Arc::new(shared), len))
}

/// The reader of one sending of `body`'s rewindable source (it rewinds before its first read);
/// `None` when the body is not one of this transport's rewindable bodies.
pub(crate) fn rewind(body: &StreamingBody) -> Option<ByteReader> {
    let shared = body.rewindable::<Rewindable>()?;
    let attempt = {
        let mut state = shared.state.lock().unwrap_or_else(|p| p.into_inner());
        state.attempt += 1;
        state.attempt
    };
    Some(Box::new(Sending {
        shared,
        attempt,
        rewound: false,
    }))
}

/// One sending's view of the shared reader.
struct Sending {
    shared: Arc<Rewindable>,
    attempt: u64,
    rewound: bool,
}

impl AsyncRead for Sending {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let mut state = this.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.attempt != this.attempt {
            return Poll::Ready(Err(io::Error::other(
                "the request body was rewound for a later attempt",
            )));
        }
        if !this.rewound {
            ready!(Pin::new(&mut state.reader).poll_seek(cx, SeekFrom::Start(this.shared.start)))?;
            this.rewound = true;
        }
        Pin::new(&mut state.reader).poll_read(cx, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_lite::AsyncReadExt;

    #[test]
    fn each_sending_starts_where_the_body_started_and_supersedes_the_last() {
        futures_lite::future::block_on(async {
            let mut cursor = futures_lite::io::Cursor::new(b"skip:body".to_vec());
            cursor.set_position(5);
            let body = seekable_body(cursor, Some(4)).await.unwrap();
            assert!(body.is_replayable());
            let mut first = rewind(&body).unwrap();
            let mut two = [0u8; 2];
            first.read_exact(&mut two).await.unwrap();
            assert_eq!(&two, b"bo");
            let mut second = rewind(&body).unwrap();
            let mut all = Vec::new();
            second.read_to_end(&mut all).await.unwrap();
            assert_eq!(all, b"body");
            assert!(first.read(&mut two).await.is_err(), "superseded");
        });
    }
}
