//! Request and response bodies as the core sees them: bytes in memory, or a streaming body whose
//! bytes only a transport can read.
//!
//! The core never reads a stream. A streaming body is an opaque slot that a transport fills (an
//! async reader, an iterator of chunks) and takes back when it sends the request, a [`FileRange`]
//! that a transport opens afresh for each attempt, or a transport's shared seekable reader that
//! it rewinds for each attempt, so one `http::Request<Body>` type serves every runtime. Only the
//! last two can be sent again when a call is retried (botocore rewinds its file-like bodies,
//! `AWSRequest.reset_stream`).

use std::any::Any;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;

/// The body of a request the core builds, or of a response handed to a parser.
#[derive(Clone, Default)]
pub enum Body {
    /// No body at all.
    #[default]
    Empty,
    /// A body fully in memory.
    Bytes(Bytes),
    /// A body the transport streams; its bytes are never seen by the core.
    Stream(StreamingBody),
}

impl Body {
    /// The bytes of an in-memory body (`Some(b"")` for [`Body::Empty`]); `None` for a stream.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Body::Empty => Some(&[]),
            Body::Bytes(b) => Some(b),
            Body::Stream(_) => None,
        }
    }

    /// The length in bytes when known.
    pub fn len(&self) -> Option<u64> {
        match self {
            Body::Empty => Some(0),
            Body::Bytes(b) => Some(b.len() as u64),
            Body::Stream(s) => s.len(),
        }
    }

    /// The `Content-Length` a request with this body and `method` carries, as botocore sends it:
    /// the body's length when known, except that an empty body on GET, HEAD or OPTIONS carries
    /// none (botocore's `AWSRequestPreparer`); a stream of unknown length carries none (it goes
    /// chunked). Servers such as S3 refuse a bodiless PUT (CopyObject, an empty PutObject) that
    /// lacks `Content-Length: 0`, and HTTP libraries differ on sending it, so transports apply
    /// this rule themselves.
    ///
    /// ```
    /// use sansboto_core::Body;
    /// assert_eq!(Body::Empty.request_content_length(&http::Method::PUT), Some(0));
    /// assert_eq!(Body::Empty.request_content_length(&http::Method::GET), None);
    /// assert_eq!(Body::Empty.request_content_length(&http::Method::DELETE), Some(0));
    /// assert_eq!(Body::from(b"abc".to_vec()).request_content_length(&http::Method::POST), Some(3));
    /// ```
    pub fn request_content_length(&self, method: &http::Method) -> Option<u64> {
        match self.len()? {
            0 if empty_body_goes_without_length(method.as_str()) => None,
            len => Some(len),
        }
    }

    /// True when the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Self {
        if b.is_empty() {
            Body::Empty
        } else {
            Body::Bytes(b)
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Self {
        Body::from(Bytes::from(v))
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Body::from(Bytes::from(s))
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Body::Empty"),
            Body::Bytes(b) => write!(f, "Body::Bytes({} bytes)", b.len()),
            Body::Stream(s) => s.fmt(f),
        }
    }
}

/// Bytes `offset..offset + len` of the file at `path`: a request body every transport can open,
/// and open again for a retry or to hash it before signing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRange {
    /// The file.
    pub path: PathBuf,
    /// Where the body starts in the file.
    pub offset: u64,
    /// How many bytes the body has (the file must still hold them when it is read).
    pub len: u64,
}

impl FileRange {
    /// The range `offset..offset + len` of the file at `path`.
    pub fn new(path: impl AsRef<Path>, offset: u64, len: u64) -> Self {
        FileRange {
            path: path.as_ref().to_owned(),
            offset,
            len,
        }
    }
}

/// Where a streaming body's bytes come from.
#[derive(Clone)]
enum Source {
    /// A transport's reader or stream, handed out once.
    Slot(Arc<Mutex<Option<Box<dyn Any + Send>>>>),
    /// A file range, opened by the transport for each sending.
    File(Arc<FileRange>),
    /// A transport's seekable reader, shared: the transport rewinds it for each sending.
    Rewindable(Arc<dyn Any + Send + Sync>),
}

/// A streaming body: a transport-specific source behind a type-erased, take-once slot, or a
/// [`FileRange`].
///
/// Cloning shares the slot (so values holding it stay `Clone`); the first [`take`](Self::take)
/// gets the source and later ones get `None`. A file range is never used up: see
/// [`file`](Self::file).
#[derive(Clone)]
pub struct StreamingBody {
    len: Option<u64>,
    source: Source,
}

impl StreamingBody {
    /// Wrap a transport's source with its length, when known.
    pub fn new<T: Any + Send>(source: T, len: Option<u64>) -> Self {
        StreamingBody {
            len,
            source: Source::Slot(Arc::new(Mutex::new(Some(Box::new(source))))),
        }
    }

    /// A body read from a file range, which transports open for each attempt: it is replayed
    /// on a retry and can be hashed before signing.
    pub fn from_file(range: FileRange) -> Self {
        StreamingBody {
            len: Some(range.len),
            source: Source::File(Arc::new(range)),
        }
    }

    /// A body read from a transport's seekable reader, which the transport rewinds to where it
    /// started for each attempt (botocore's `reset_stream`): it is replayed on a retry and can
    /// be hashed before signing. `source` is shared, never taken: see
    /// [`rewindable`](Self::rewindable).
    pub fn from_rewindable<T: Any + Send + Sync>(source: Arc<T>, len: Option<u64>) -> Self {
        StreamingBody {
            len,
            source: Source::Rewindable(source),
        }
    }

    /// The file range the body is read from, when it is one (transports open it to send it).
    pub fn file(&self) -> Option<&FileRange> {
        match &self.source {
            Source::File(range) => Some(range),
            _ => None,
        }
    }

    /// The shared seekable source of a [`from_rewindable`](Self::from_rewindable) body, when it
    /// is of type `T`.
    pub fn rewindable<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        match &self.source {
            Source::Rewindable(source) => source.clone().downcast::<T>().ok(),
            _ => None,
        }
    }

    /// True when the body can be sent again (a retry) or read ahead (hashed before signing):
    /// a file range or a rewindable reader. A reader or stream in the slot is one-shot.
    pub fn is_replayable(&self) -> bool {
        matches!(self.source, Source::File(_) | Source::Rewindable(_))
    }

    /// The length in bytes, when known.
    pub fn len(&self) -> Option<u64> {
        self.len
    }

    /// True when the length is known to be zero.
    pub fn is_empty(&self) -> bool {
        self.len == Some(0)
    }

    /// Take the source out if it is of type `T`; leaves it in place when it is another type.
    pub fn take<T: Any + Send>(&self) -> Option<T> {
        let Source::Slot(slot) = &self.source else {
            return None;
        };
        let mut guard = slot.lock().unwrap_or_else(|p| p.into_inner());
        match guard.take() {
            Some(boxed) => match boxed.downcast::<T>() {
                Ok(t) => Some(*t),
                Err(other) => {
                    *guard = Some(other);
                    None
                }
            },
            None => None,
        }
    }
}

impl fmt::Debug for StreamingBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A file body shows its length only, like the others: paths may be private.
        match self.len {
            Some(n) => write!(f, "StreamingBody({n} bytes)"),
            None => f.write_str("StreamingBody(unknown length)"),
        }
    }
}

/// Whether a request of `method` with an empty body carries no `Content-Length` at all, as
/// botocore's request preparer decides (GET, HEAD and OPTIONS); every other method announces
/// `Content-Length: 0` (S3 answers `411 Length Required` to a bodiless `PUT` without it). The
/// one place this rule lives: the HTTP/1 codec asks it too.
pub(crate) fn empty_body_goes_without_length(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_range_is_replayable_and_never_taken() {
        let body = StreamingBody::from_file(FileRange::new("/data/x", 5, 10));
        assert!(body.is_replayable());
        assert_eq!(body.len(), Some(10));
        assert_eq!(body.take::<u8>(), None);
        let again = body.clone();
        assert_eq!(again.file(), Some(&FileRange::new("/data/x", 5, 10)));
        assert_eq!(format!("{body:?}"), "StreamingBody(10 bytes)");
    }

    #[test]
    fn a_rewindable_source_is_shared_and_replayable() {
        let body = StreamingBody::from_rewindable(Arc::new(Mutex::new(3u32)), Some(4));
        assert!(body.is_replayable());
        assert_eq!(body.take::<u32>(), None);
        let a = body.rewindable::<Mutex<u32>>().unwrap();
        let b = body.clone().rewindable::<Mutex<u32>>().unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(body.rewindable::<u8>().is_none());
        assert!(body.file().is_none());
    }

    #[test]
    fn a_slot_is_one_shot() {
        let body = StreamingBody::new(7u8, None);
        assert!(!body.is_replayable());
        assert!(body.file().is_none());
        assert_eq!(body.clone().take::<u8>(), Some(7));
        assert_eq!(body.take::<u8>(), None);
    }
}
