//! Seekable readers as request bodies that a retry sends again (the shared state and its rules
//! are the core's [`Rewindable`]; this file only seeks and reads through tokio's traits).

use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use sansboto_core::request_body::{Rewindable, Sending};
use sansboto_core::StreamingBody;
use tokio::io::{AsyncRead, AsyncSeek, AsyncSeekExt, ReadBuf};

/// A tokio reader that can also seek.
pub trait AsyncReadSeek: AsyncRead + AsyncSeek + Send {}

impl<T: AsyncRead + AsyncSeek + Send> AsyncReadSeek for T {}

/// The reader type of this transport's rewindable bodies.
pub(crate) type Shared = Pin<Box<dyn AsyncReadSeek>>;

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
    Ok(Rewindable::body(Box::pin(reader) as Shared, start, len))
}

/// One sending of a rewindable body, as a reader (it rewinds before its first read).
pub(crate) struct SendingReader {
    sending: Sending<Shared>,
    seek_started: bool,
}

impl SendingReader {
    pub(crate) fn new(sending: Sending<Shared>) -> Self {
        SendingReader {
            sending,
            seek_started: false,
        }
    }
}

impl AsyncRead for SendingReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let seek_started = &mut this.seek_started;
        this.sending.with(
            cx,
            |reader, start, cx| {
                if !*seek_started {
                    // A superseded sending may have left an operation in flight (a
                    // `tokio::fs::File` read on the blocking pool): let it finish first.
                    ready!(reader.as_mut().poll_complete(cx))?;
                    reader.as_mut().start_seek(SeekFrom::Start(start))?;
                    *seek_started = true;
                }
                ready!(reader.as_mut().poll_complete(cx))?;
                Poll::Ready(Ok(()))
            },
            |reader, cx| reader.as_mut().poll_read(cx, buf),
        )
    }
}
