//! S3 transfers (boto3's s3transfer): an upload or download of an object of any size, cut into
//! parts sent or fetched several at a time, with retries per part (each part is an ordinary call,
//! retried by its own call machine), whole-object checksums checked, an abandoned multipart
//! upload aborted so no parts are left behind, progress reported, and an interrupted download or
//! upload taken up again from what is already there.
//!
//! Each transfer is a sans-IO [`TransferMachine`]: it hands out [`Job`]s (a call, a ranged GET
//! whose body goes into a file, a small file operation) and is told their [`Outcome`]. The
//! runtime-generic driver in [`drive`] runs up to `concurrency` jobs at once on any transport
//! (on the blocking one, with a thread per worker: [`Transport::join_all`]).
//!
//! [`Transport::join_all`]: crate::runtime::Transport::join_all

pub mod crc;
pub mod download;
pub mod drive;
pub mod join;
pub mod plan;
pub mod upload;

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::checksum::{ChecksumAlgorithm, ChecksumValue};
use crate::error::Error;
use crate::value::{Map, Value};

/// 8 MiB: s3transfer's and aws-cli's default threshold and part size.
pub const DEFAULT_PART_SIZE: u64 = 8 * 1024 * 1024;
/// s3transfer's default number of concurrent requests.
pub const DEFAULT_CONCURRENCY: usize = 10;

/// A progress callback, shared by the transfer's workers.
pub type ProgressCallback = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How a transfer is cut and run (s3transfer's `TransferConfig`).
#[derive(Clone)]
#[non_exhaustive]
pub struct TransferConfig {
    /// Objects of at least this many bytes go multipart (ranged, for downloads).
    pub multipart_threshold: u64,
    /// The part size asked for (adjusted into S3's limits: see [`plan::part_size_for`]).
    pub part_size: u64,
    /// How many requests run at once (at least one).
    pub concurrency: usize,
    /// The checksum of uploads (CRC32 by default, as s3transfer), sent with every part.
    pub checksum_algorithm: ChecksumAlgorithm,
    /// Ask S3 for a `FULL_OBJECT` checksum of a multipart upload (a CRC of the whole object,
    /// computed here from the parts' CRCs) rather than the default composite one.
    pub full_object_checksum: bool,
    /// Called after each finished part with the progress so far.
    pub on_progress: Option<ProgressCallback>,
    /// Set it to stop the transfer: no new part starts, a multipart upload is aborted.
    pub cancel: CancelToken,
    /// Keep a failed or cancelled download's partial file and its record beside the
    /// destination, so the next download resumes from them. Off by default: a failed download
    /// leaves nothing behind. The destination itself is written only by the final rename either
    /// way, and a partial file left by a crash is taken up again whatever this says.
    pub keep_partial_download: bool,
}

impl Default for TransferConfig {
    fn default() -> Self {
        TransferConfig {
            multipart_threshold: DEFAULT_PART_SIZE,
            part_size: DEFAULT_PART_SIZE,
            concurrency: DEFAULT_CONCURRENCY,
            checksum_algorithm: ChecksumAlgorithm::DEFAULT,
            full_object_checksum: false,
            on_progress: None,
            cancel: CancelToken::default(),
            keep_partial_download: false,
        }
    }
}

impl TransferConfig {
    /// The default configuration.
    pub fn new() -> Self {
        Self::default()
    }
    /// Set the multipart threshold.
    pub fn multipart_threshold(mut self, bytes: u64) -> Self {
        self.multipart_threshold = bytes;
        self
    }
    /// Set the part size.
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.part_size = bytes;
        self
    }
    /// Set how many requests run at once.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }
    /// Set the upload checksum algorithm.
    pub fn checksum_algorithm(mut self, algorithm: ChecksumAlgorithm) -> Self {
        self.checksum_algorithm = algorithm;
        self
    }
    /// Ask for a `FULL_OBJECT` checksum on multipart uploads (CRC algorithms only).
    pub fn full_object_checksum(mut self, yes: bool) -> Self {
        self.full_object_checksum = yes;
        self
    }
    /// Report progress to `callback` after each part.
    pub fn on_progress(mut self, callback: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(callback));
        self
    }
    /// Keep a failed download's partial file to resume from (`true`) or remove it (`false`, the
    /// default: a failed download leaves nothing behind).
    pub fn keep_partial_download(mut self, keep: bool) -> Self {
        self.keep_partial_download = keep;
        self
    }
    /// Stop the transfer when `token` is cancelled.
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = token;
        self
    }
}

impl fmt::Debug for TransferConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransferConfig")
            .field("multipart_threshold", &self.multipart_threshold)
            .field("part_size", &self.part_size)
            .field("concurrency", &self.concurrency)
            .field("checksum_algorithm", &self.checksum_algorithm)
            .field("full_object_checksum", &self.full_object_checksum)
            .field("on_progress", &self.on_progress.is_some())
            .field("cancelled", &self.cancel.is_cancelled())
            .field("keep_partial_download", &self.keep_partial_download)
            .finish()
    }
}

/// A flag shared with a running transfer: cancelling it stops the transfer at the next part.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not cancelled yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// Stop the transfer.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst)
    }
    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// How far a transfer got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Bytes of the object sent or received so far (parts already there when resuming count).
    pub bytes_done: u64,
    /// The object's size.
    pub bytes_total: u64,
    /// Parts finished.
    pub parts_done: u32,
    /// Parts in all.
    pub parts_total: u32,
}

impl Progress {
    /// A progress report (for tests and displays).
    pub fn new(bytes_done: u64, bytes_total: u64, parts_done: u32, parts_total: u32) -> Self {
        Progress {
            bytes_done,
            bytes_total,
            parts_done,
            parts_total,
        }
    }
}

/// Why a transfer failed, beyond the error of a call it made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransferError {
    /// The bytes transferred do not match the object's checksum.
    #[error("checksum mismatch for {key}: {algorithm} is {expected} at S3 but {computed} here")]
    ChecksumMismatch {
        /// The object key.
        key: String,
        /// The algorithm.
        algorithm: ChecksumAlgorithm,
        /// S3's value.
        expected: String,
        /// The value of the bytes transferred.
        computed: String,
    },
    /// The transfer was cancelled through its [`CancelToken`].
    #[error("the transfer of {key} was cancelled")]
    Cancelled {
        /// The object key.
        key: String,
    },
    /// A local file could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    File {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A ranged GET returned a different number of bytes than asked for.
    #[error("{key}: asked for {expected} bytes at offset {offset}, got {received}")]
    ShortRange {
        /// The object key.
        key: String,
        /// Where the range starts.
        offset: u64,
        /// Bytes asked for.
        expected: u64,
        /// Bytes received.
        received: u64,
    },
    /// The writer a download streams into failed.
    #[error("writing {key} out: {source}")]
    Write {
        /// The object key.
        key: String,
        /// The writer's error.
        #[source]
        source: std::io::Error,
    },
    /// The extra arguments given for the transfer's calls are not a structure.
    #[error("extra transfer arguments must be a structure, not {kind}")]
    ExtraArguments {
        /// What was given instead.
        kind: &'static str,
    },
    /// The object is larger than 10,000 parts of 5 GiB.
    #[error("{size} bytes is more than S3's 10,000 parts of 5 GiB")]
    TooLarge {
        /// The object's size.
        size: u64,
    },
    /// A multipart upload failed and aborting it failed too: its parts are still stored.
    #[error(
        "{cause}; aborting multipart upload {upload_id} failed too ({abort}), its parts remain"
    )]
    AbortFailed {
        /// Why the upload stopped.
        cause: Box<Error>,
        /// The upload left behind.
        upload_id: String,
        /// Why the abort failed.
        abort: Box<Error>,
    },
    /// Extra arguments the transfer does not take, every one named (s3transfer refuses them
    /// too), rather than left out of its calls unsaid.
    #[error(
        "{transfer} takes no extra argument {}; it takes {}",
        names.join(", "),
        allowed.join(", ")
    )]
    UnknownExtraArguments {
        /// The kind of transfer: `an upload`, `a copy`, `a download`.
        transfer: &'static str,
        /// The arguments refused.
        names: Vec<String>,
        /// The arguments it takes.
        allowed: Vec<&'static str>,
    },
    /// An extra argument the transfer takes but cannot honour here, refused rather than
    /// ignored.
    #[error("{transfer} cannot honour the extra argument {argument}")]
    Unsupported {
        /// The kind of transfer.
        transfer: &'static str,
        /// The argument and value.
        argument: &'static str,
    },
    /// The `ChecksumAlgorithm` extra argument names no algorithm.
    #[error("extra argument ChecksumAlgorithm: {0}")]
    ChecksumAlgorithm(#[from] crate::checksum::UnknownChecksumAlgorithm),
    /// A response lacked what the transfer needs (an `UploadId`, an `ETag`, a length).
    #[error("{operation} answered without {member}")]
    MissingMember {
        /// The operation.
        operation: &'static str,
        /// The member.
        member: &'static str,
    },
}

/// The extra arguments that are secrets: SSE-C keys (`sensitive` in S3's model). A transfer's
/// `Debug` (its machine's, its jobs') shows them as `<hidden>`.
const SECRET_ARGS: &[&str] = &["SSECustomerKey", "CopySourceSSECustomerKey"];

/// `Debug` of a call's parameters or a transfer's extra arguments, its secrets hidden.
struct Secretless<'a>(&'a Value);

impl fmt::Debug for Secretless<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Map(map) => secretless_map(map, f),
            other => other.fmt(f),
        }
    }
}

fn secretless_map(map: &Map, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let hidden = |name: &str| SECRET_ARGS.contains(&name);
    f.debug_map()
        .entries(map.iter().map(|(k, v)| {
            let shown: &dyn fmt::Debug = if hidden(k.as_str()) { &"<hidden>" } else { v };
            (k, shown)
        }))
        .finish()
}

/// A transfer's extra arguments: a map whose `Debug` hides the SSE-C keys among them.
#[derive(Clone, Default)]
pub(crate) struct ExtraArgs(pub(crate) Map);

impl std::ops::Deref for ExtraArgs {
    type Target = Map;
    fn deref(&self) -> &Map {
        &self.0
    }
}

impl fmt::Debug for ExtraArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        secretless_map(&self.0, f)
    }
}

/// One thing a transfer asks the runtime to do.
#[derive(Debug)]
pub struct Job {
    /// Which job the outcome is for.
    pub id: usize,
    /// What to do.
    pub kind: JobKind,
}

/// What a job does. Its `Debug` hides the SSE-C keys among a call's parameters.
#[non_exhaustive]
pub enum JobKind {
    /// Call an S3 operation; answer with [`Outcome::Called`].
    Call {
        /// The operation.
        operation: &'static str,
        /// Its parameters.
        params: Value,
    },
    /// Call GetObject with `params` (a `Range`) and write the body into `path` at `offset`,
    /// hashing it with `hash`; answer with [`Outcome::Fetched`] (the digest when asked).
    Fetch {
        /// GetObject's parameters.
        params: Value,
        /// The file to write into.
        path: PathBuf,
        /// Where the range goes in the file.
        offset: u64,
        /// How many bytes the range must have.
        len: u64,
        /// The checksum to compute over the range.
        hash: Option<ChecksumAlgorithm>,
    },
    /// A local file operation; answer with [`Outcome::File`].
    File(FileJob),
    /// Read up to `max` bytes from the upload's stream (fewer only at its end); answer with
    /// [`Outcome::Read`].
    Read {
        /// The most bytes to read.
        max: u64,
    },
}

impl fmt::Debug for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobKind::Call { operation, params } => f
                .debug_struct("Call")
                .field("operation", operation)
                .field("params", &Secretless(params))
                .finish(),
            JobKind::Fetch {
                params,
                path,
                offset,
                len,
                hash,
            } => f
                .debug_struct("Fetch")
                .field("params", &Secretless(params))
                .field("path", path)
                .field("offset", offset)
                .field("len", len)
                .field("hash", hash)
                .finish(),
            JobKind::File(job) => f.debug_tuple("File").field(job).finish(),
            JobKind::Read { max } => f.debug_struct("Read").field("max", max).finish(),
        }
    }
}

/// A local file operation a transfer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileJob {
    /// The file's length (`None` when absent).
    Len(PathBuf),
    /// Read a whole (small) file (`None` when absent).
    Read(PathBuf),
    /// Replace a small file's contents atomically.
    Write(PathBuf, bytes::Bytes),
    /// Create the file if absent, and set its length.
    SetLen(PathBuf, u64),
    /// Rename the first over the second.
    Rename(PathBuf, PathBuf),
    /// Remove the file (absent is fine).
    Remove(PathBuf),
    /// The checksum of `len` bytes of the file at `offset` (a part an interrupted upload left
    /// at S3, compared before it is kept).
    Checksum(PathBuf, u64, u64, ChecksumAlgorithm),
    /// The MD5 of `len` bytes of the file at `offset` (a listed part with no checksum, whose
    /// ETag is its MD5).
    Md5(PathBuf, u64, u64),
}

/// What a file operation gave.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileOutput {
    /// Done, nothing to report.
    Done,
    /// A length, `None` for an absent file.
    Len(Option<u64>),
    /// A file's contents, `None` for an absent file.
    Contents(Option<bytes::Bytes>),
    /// A checksum of a file range.
    Checksum(ChecksumValue),
}

/// How a job ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// A call's result.
    Called(Result<Value, Error>),
    /// A fetch's result: the range's digest when one was asked for.
    Fetched(Result<Option<ChecksumValue>, Error>),
    /// A file operation's result.
    File(std::io::Result<FileOutput>),
    /// A stream's next bytes.
    Read(std::io::Result<bytes::Bytes>),
}

/// A transfer in progress, as the driver sees it.
pub trait TransferMachine: Send {
    /// A job to start now (marked in flight), or `None` when none can start until a job in
    /// flight ends — or ever.
    fn next_job(&mut self) -> Option<Job>;
    /// Record how job `id` ended. `true` asks the driver to end this round of workers and start
    /// a full one: jobs that can run side by side just became available.
    fn handle(&mut self, id: usize, outcome: Outcome) -> bool;
    /// Stop: start no new part; clean up (abort) once the jobs in flight end.
    fn cancel(&mut self);
    /// The result, once nothing is in flight and nothing is left to start.
    fn finish(&mut self) -> Option<Result<Value, Error>>;
    /// The progress so far.
    fn progress(&self) -> Progress;
}

/// Parameters `base` plus `extra`'s members named in `allowed` (botocore's per-operation
/// allow-lists of s3transfer: extra arguments go only where the operation takes them).
pub(crate) fn with_extra(base: Map, extra: &Map, allowed: &[&str]) -> Value {
    with_extra_from(base, extra, &[allowed])
}

/// [`with_extra`] with the arguments of any of several lists.
pub(crate) fn with_extra_from(mut base: Map, extra: &Map, lists: &[&[&str]]) -> Value {
    for (name, value) in extra {
        let allowed = lists.iter().any(|list| list.contains(&name.as_str()));
        if allowed && !base.contains_key(name.as_str()) {
            base.insert(name.clone(), value.clone());
        }
    }
    Value::Map(base)
}

/// A file error as a transfer error.
pub(crate) fn file_error(action: &'static str, path: &std::path::Path, e: std::io::Error) -> Error {
    Error::Transfer(TransferError::File {
        action,
        path: path.to_owned(),
        source: e,
    })
}
