//! Seekable readers as request bodies that a retry sends again (the shared state and its rules
//! are the core's [`Rewindable`]; this file only seeks and reads through tokio's traits).

use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

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
pub(crate) struct SendingReader(pub(crate) Sending<Shared>);

impl AsyncRead for SendingReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.get_mut().0.with_two_step_seek(
            cx,
            |reader, cx| reader.as_mut().poll_complete(cx).map_ok(drop),
            |reader, start| reader.as_mut().start_seek(SeekFrom::Start(start)),
            |reader, cx| reader.as_mut().poll_read(cx, buf),
        )
    }
}
