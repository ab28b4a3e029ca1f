//! Seekable readers as request bodies that a retry sends again: the reader is shared (never
//! taken), and each sending rewinds it to where it stood when the body was made (botocore's
//! `reset_stream`). An attempt that is superseded by a later one can no longer read it, so two
//! attempts never interleave their reads.

use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};

use sansboto_core::StreamingBody;
use tokio::io::{AsyncRead, AsyncSeek, AsyncSeekExt, ReadBuf};

use crate::body::ByteReader;

/// A tokio reader that can also seek.
pub trait AsyncReadSeek: AsyncRead + AsyncSeek + Send {}

impl<T: AsyncRead + AsyncSeek + Send> AsyncReadSeek for T {}

/// The shared state of a rewindable body.
pub(crate) struct Rewindable {
    state: Mutex<State>,
    /// Where the body starts in the reader.
    start: u64,
}

struct State {
    reader: Pin<Box<dyn AsyncReadSeek>>,
    /// Which sending may read now (each sending takes the next number).
    attempt: u64,
}

/// A streaming request body read from a seekable `reader` (a `tokio::fs::File`, a
/// `std::io::Cursor`, …), from its current position on; `len` is the exact total when known
/// (sent as `Content-Length`, otherwise the body goes chunked). Unlike
/// [`reader_body`](crate::reader_body), a retried call sends it again (it is rewound), and over
/// plain HTTP it is read once ahead to be hashed for the signature.
pub async fn seekable_body(
    mut reader: impl AsyncRead + AsyncSeek + Send + Unpin + 'static,
    len: Option<u64>,
) -> io::Result<StreamingBody> {
    let start = reader.stream_position().await?;
    let shared = Rewindable {
        state: Mutex::new(State {
            reader: Box::pin(reader),
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
    Some(Box::pin(Sending {
        shared,
        attempt,
        seek: Seek::NotStarted,
    }))
}

/// How far one sending got rewinding the reader.
enum Seek {
    NotStarted,
    Started,
    Done,
}

/// One sending's view of the shared reader.
struct Sending {
    shared: Arc<Rewindable>,
    attempt: u64,
    seek: Seek,
}

impl AsyncRead for Sending {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let mut state = this.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.attempt != this.attempt {
            return Poll::Ready(Err(io::Error::other(
                "the request body was rewound for a later attempt",
            )));
        }
        if let Seek::NotStarted = this.seek {
            // A superseded sending may have left an operation in flight (a `tokio::fs::File`
            // read on the blocking pool): let it finish, since a seek cannot start before.
            ready!(state.reader.as_mut().poll_complete(cx))?;
            state
                .reader
                .as_mut()
                .start_seek(SeekFrom::Start(this.shared.start))?;
            this.seek = Seek::Started;
        }
        if let Seek::Started = this.seek {
            ready!(state.reader.as_mut().poll_complete(cx))?;
            this.seek = Seek::Done;
        }
        state.reader.as_mut().poll_read(cx, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[test]
    fn each_sending_starts_where_the_body_started_and_supersedes_the_last() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut cursor = io::Cursor::new(b"skip:body".to_vec());
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
