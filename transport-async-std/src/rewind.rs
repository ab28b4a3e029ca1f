//! Seekable readers as request bodies that a retry sends again (the shared state and its rules
//! are the core's [`Rewindable`]; this file only seeks and reads through the futures traits).

use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncSeek};
use futures_lite::AsyncSeekExt;
use sansboto_core::request_body::{Rewindable, Sending};
use sansboto_core::StreamingBody;

/// A reader that can also seek (`async_std::fs::File`, `futures::io::Cursor`, …).
pub trait AsyncReadSeek: AsyncRead + AsyncSeek + Send + Unpin {}

impl<T: AsyncRead + AsyncSeek + Send + Unpin> AsyncReadSeek for T {}

/// The reader type of this transport's rewindable bodies.
pub(crate) type Shared = Box<dyn AsyncReadSeek>;

/// A streaming request body read from a seekable `reader`, from its current position on; `len`
/// is the exact total when known (sent as `Content-Length`, otherwise the body goes chunked).
/// Unlike [`reader_body`](crate::reader_body), a retried call sends it again (it is rewound),
/// and over plain HTTP it is read once ahead to be hashed for the signature.
pub async fn seekable_body(
    mut reader: impl AsyncRead + AsyncSeek + Send + Unpin + 'static,
    len: Option<u64>,
) -> io::Result<StreamingBody> {
    let start = reader.seek(SeekFrom::Current(0)).await?;
    Ok(Rewindable::body(Box::new(reader) as Shared, start, len))
}

/// One sending of a rewindable body, as a reader (it rewinds before its first read).
pub(crate) struct SendingReader(pub(crate) Sending<Shared>);

impl AsyncRead for SendingReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().0.with(
            cx,
            |r, start, cx| {
                Pin::new(r)
                    .poll_seek(cx, SeekFrom::Start(start))
                    .map_ok(drop)
            },
            |r, cx| Pin::new(r).poll_read(cx, buf),
        )
    }
}
