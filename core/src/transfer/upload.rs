//! The upload of a file: one PutObject below the multipart threshold; otherwise
//! CreateMultipartUpload, an UploadPart per part (a file range each, so a retried part re-reads
//! its bytes), CompleteMultipartUpload with every part's ETag and checksum, and the whole-object
//! checksum S3 answers checked against the parts'. A failed part, a failed completion or a
//! cancellation waits for the parts in flight, then aborts the upload, so no part is left stored.
//! An upload interrupted earlier is taken up again from its upload id: ListParts says which parts
//! S3 already has; a listed part of the planned size whose checksum is the file's range's (a
//! [`FileJob::Checksum`] each; with no checksum listed, whose ETag is the range's MD5, as it is
//! for parts not encrypted with KMS or a customer key) is kept, and only the others are sent.
//!
//! A copy between buckets is the same machine with another source: CopyObject below the
//! threshold, UploadPartCopy (a `CopySourceRange` each, only from the ETag the source's
//! HeadObject saw) above it. UploadPartCopy copies bytes only, so a multipart copy does by hand
//! what CopyObject does itself, as s3transfer does: CreateMultipartUpload gets the source's
//! content headers and metadata, and after completion the tags `TaggingDirective` asks for are
//! put (GetObjectTagging, PutObjectTagging). Which extra arguments go to which call follows
//! s3transfer's lists (the constants below). So is the upload of a stream
//! of unknown length: the machine asks for one part's bytes at a time (a [`JobKind::Read`]),
//! never holding more parts than the workers can send plus one, and learns the size at its end.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;

use crate::body::{FileRange, StreamingBody};
use crate::checksum::{ChecksumAlgorithm, ChecksumValue};
use crate::error::Error;
use crate::value::{Key, Map, Value};

use super::plan::{self, Part};
use super::{
    crc, with_extra, with_extra_from, ExtraArgs, FileJob, FileOutput, Job, JobKind, Outcome,
    Progress, TransferConfig, TransferError, TransferMachine,
};

/// Extra arguments PutObject, CopyObject and CreateMultipartUpload take (s3transfer's shared
/// upload and copy arguments but `ChecksumAlgorithm`, which the transfer sets itself;
/// `BucketKeyEnabled` too, which s3transfer does not take).
const PUT_ARGS: &[&str] = &[
    "ACL",
    "CacheControl",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
    "ContentType",
    "ExpectedBucketOwner",
    "Expires",
    "GrantFullControl",
    "GrantRead",
    "GrantReadACP",
    "GrantWriteACP",
    "Metadata",
    "ObjectLockLegalHoldStatus",
    "ObjectLockMode",
    "ObjectLockRetainUntilDate",
    "RequestPayer",
    "ServerSideEncryption",
    "StorageClass",
    "SSECustomerAlgorithm",
    "SSECustomerKey",
    "SSECustomerKeyMD5",
    "SSEKMSKeyId",
    "SSEKMSEncryptionContext",
    "BucketKeyEnabled",
    "Tagging",
    "WebsiteRedirectLocation",
];
/// A full-object checksum the caller computed (s3transfer's full-object checksum arguments):
/// PutObject takes it, and CompleteMultipartUpload with `ChecksumType` and `MpuObjectSize`.
const FULL_OBJECT_CHECKSUMS: &[&str] = &[
    "ChecksumCRC32",
    "ChecksumCRC32C",
    "ChecksumCRC64NVME",
    "ChecksumMD5",
    "ChecksumSHA1",
    "ChecksumSHA256",
    "ChecksumSHA512",
    "ChecksumXXHASH3",
    "ChecksumXXHASH64",
    "ChecksumXXHASH128",
];
/// Extra arguments UploadPart repeats (s3transfer's `UPLOAD_PART_ARGS`).
const PART_ARGS: &[&str] = &[
    "SSECustomerKey",
    "SSECustomerAlgorithm",
    "SSECustomerKeyMD5",
    "RequestPayer",
    "ExpectedBucketOwner",
];
/// Extra arguments CompleteMultipartUpload and AbortMultipartUpload repeat.
const COMPLETE_ARGS: &[&str] = &[
    "RequestPayer",
    "ExpectedBucketOwner",
    "SSECustomerKey",
    "SSECustomerAlgorithm",
    "SSECustomerKeyMD5",
];
/// Extra arguments only an upload's CompleteMultipartUpload adds: the caller's full-object
/// checksum and what it covers.
const COMPLETE_FULL_OBJECT_ARGS: &[&str] = &["ChecksumType", "MpuObjectSize"];

/// Extra arguments about the copy's source, which CopyObject and every UploadPartCopy take
/// (s3transfer's copy arguments).
const COPY_SOURCE_ARGS: &[&str] = &[
    "CopySourceIfMatch",
    "CopySourceIfModifiedSince",
    "CopySourceIfNoneMatch",
    "CopySourceIfUnmodifiedSince",
    "CopySourceSSECustomerAlgorithm",
    "CopySourceSSECustomerKey",
    "CopySourceSSECustomerKeyMD5",
];
/// Extra arguments only CopyObject takes: what it keeps of the source.
const COPY_DIRECTIVES: &[&str] = &[
    "MetadataDirective",
    "TaggingDirective",
    "AnnotationDirective",
];

/// The source's HeadObject members a multipart copy gives CreateMultipartUpload (s3transfer's
/// preserved metadata): UploadPartCopy copies bytes only, where CopyObject keeps these itself.
/// Given with `MetadataDirective: REPLACE`, the caller's own go instead.
const PRESERVED_ON_COPY: &[&str] = &[
    "CacheControl",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
    "ContentType",
    "Expires",
    "Metadata",
];

/// A copy's extra arguments its source's HeadObject takes, and under which name.
pub(crate) const COPY_HEAD_ARGS: &[(&str, &str)] = &[
    ("CopySourceIfMatch", "IfMatch"),
    ("CopySourceIfModifiedSince", "IfModifiedSince"),
    ("CopySourceIfNoneMatch", "IfNoneMatch"),
    ("CopySourceIfUnmodifiedSince", "IfUnmodifiedSince"),
    ("CopySourceSSECustomerKey", "SSECustomerKey"),
    ("CopySourceSSECustomerAlgorithm", "SSECustomerAlgorithm"),
    ("CopySourceSSECustomerKeyMD5", "SSECustomerKeyMD5"),
    ("RequestPayer", "RequestPayer"),
    ("ExpectedBucketOwner", "ExpectedBucketOwner"),
];

/// Extra arguments GetObjectTagging repeats when a multipart copy's tags are copied.
const GET_TAGS_ARGS: &[&str] = &["RequestPayer", "ExpectedBucketOwner"];
/// Extra arguments PutObjectTagging repeats.
const PUT_TAGS_ARGS: &[&str] = &["RequestPayer", "ExpectedBucketOwner", "ChecksumAlgorithm"];

/// The extra arguments an upload takes (s3transfer's upload arguments, and
/// `BucketKeyEnabled`): `ChecksumAlgorithm` chooses the checksum over
/// [`TransferConfig::checksum_algorithm`].
pub(crate) const UPLOAD_EXTRA: &[&[&str]] = &[
    PUT_ARGS,
    FULL_OBJECT_CHECKSUMS,
    COMPLETE_FULL_OBJECT_ARGS,
    &["ChecksumAlgorithm"],
];
/// The extra arguments a copy takes (s3transfer's copy arguments, and `BucketKeyEnabled`).
/// S3 computes a copy's checksums: only a `ChecksumAlgorithm` the caller names is sent.
pub(crate) const COPY_EXTRA: &[&[&str]] = &[
    PUT_ARGS,
    COPY_SOURCE_ARGS,
    COPY_DIRECTIVES,
    &["ChecksumAlgorithm"],
];

/// Where the object's bytes come from.
#[derive(Clone, Debug)]
enum Source {
    /// A local file.
    File(PathBuf),
    /// An S3 object.
    Object(CopyFrom),
    /// A stream read part by part.
    Stream(StreamState),
}

/// A copy's source object and what its HeadObject said.
#[derive(Clone, Debug)]
struct CopyFrom {
    /// `CopySource`: `{"Bucket", "Key", "VersionId"?}`.
    source: Value,
    /// Its ETag: each UploadPartCopy sends it as `CopySourceIfMatch`, so a source replaced
    /// midway fails the copy rather than mixing two objects (as s3transfer guards it).
    etag: Option<String>,
    /// Its members in [`PRESERVED_ON_COPY`].
    preserved: Map,
}

/// A value given: neither null nor empty text (s3transfer's truthiness of a version id).
fn is_given(value: &Value) -> bool {
    !value.is_null() && value.as_str() != Some("")
}

/// A copy source's `Bucket`, `Key` and `VersionId` (when it has one), for a call about the
/// source itself (its HeadObject, its tags).
pub(crate) fn source_object(copy_source: &Value) -> Map {
    let mut m = Map::default();
    for member in ["Bucket", "Key", "VersionId"] {
        if let Some(v) = copy_source.get(member).filter(|v| is_given(v)) {
            m.insert(member.into(), v.clone());
        }
    }
    m
}

impl CopyFrom {
    fn object(&self) -> Map {
        source_object(&self.source)
    }

    /// The extra arguments of a multipart copy's CreateMultipartUpload: the source's
    /// preserved members over the caller's, unless the caller says `MetadataDirective:
    /// REPLACE`; never `Tagging` (a multipart copy's tags follow `TaggingDirective`, after
    /// the copy completes), as s3transfer.
    fn create_extra(&self, extra: &Map) -> Map {
        let replace = extra.get("MetadataDirective").and_then(Value::as_str) == Some("REPLACE");
        let mut merged: Map = extra
            .iter()
            .filter(|(name, _)| {
                name.as_str() != "Tagging"
                    && (replace || !PRESERVED_ON_COPY.contains(&name.as_str()))
            })
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        if !replace {
            for (name, value) in &self.preserved {
                merged.insert(name.clone(), value.clone());
            }
        }
        merged
    }
}

/// How far a stream source was read.
#[derive(Clone, Debug)]
struct StreamState {
    part_size: u64,
    threshold: u64,
    /// Parts read and not stored yet (the bytes a retry sends again).
    held: HashMap<usize, bytes::Bytes>,
    /// The most parts held at once: the workers plus the one being read.
    most_held: usize,
    reading: bool,
    ended: bool,
}

impl StreamState {
    /// The first read must reach the threshold to tell a small stream (one PutObject) from a
    /// multipart one; a whole number of parts, so every part but the last has the part size.
    fn first_read(&self) -> u64 {
        // A threshold near `u64::MAX` reads the stream to its end (it is smaller).
        self.part_size
            .saturating_mul(self.threshold.div_ceil(self.part_size).max(1))
    }
}

/// What a job in flight was.
#[derive(Clone, Copy, Debug)]
enum Task {
    Put,
    Read,
    Create,
    List,
    Part(usize),
    /// The checksum of a listed part's range of the file, to compare with S3's.
    Verify(usize),
    Complete,
    /// The source's tags, for a multipart copy with `TaggingDirective: COPY`.
    GetTags,
    /// The copy's tags put on it.
    PutTags,
    Abort,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Start,
    Waiting,
    Listing,
    Parts,
    /// A multipart copy completed: its tags next (see `tags_job`).
    Tags,
    Aborting,
    Finished,
}

/// A part S3 has.
#[derive(Clone, Debug)]
struct Stored {
    etag: String,
    checksum: Option<ChecksumValue>,
}

/// The upload of one file (see the module doc).
#[derive(Debug)]
pub struct Upload {
    bucket: String,
    key: String,
    extra: ExtraArgs,
    source: Source,
    size: u64,
    algorithm: ChecksumAlgorithm,
    full_object: bool,
    multipart: bool,
    parts: Vec<Part>,
    stored: Vec<Option<Stored>>,
    pending: VecDeque<usize>,
    /// Parts S3 listed (of the right size), to be kept once their checksum is the file's.
    listed: VecDeque<(usize, Stored)>,
    checking: HashMap<usize, Stored>,
    in_flight: HashMap<usize, Task>,
    next_id: usize,
    phase: Phase,
    upload_id: Option<String>,
    list_marker: Option<Value>,
    error: Option<Error>,
    cancelled: bool,
    result: Option<Result<Value, Error>>,
    /// CompleteMultipartUpload's answer while a copy's tags are put: the transfer's result.
    completed: Option<Value>,
    /// The tags to put on a multipart copy, once known.
    tags: Option<Vec<Value>>,
}

impl Upload {
    /// Upload the `size` bytes of the file at `path` to `bucket`/`key`, with `extra` arguments
    /// (StorageClass, ServerSideEncryption, Metadata, …). With `resume_upload_id`, continue that
    /// multipart upload rather than starting one.
    pub fn new(
        bucket: &str,
        key: &str,
        path: PathBuf,
        size: u64,
        extra: Map,
        config: &TransferConfig,
        resume_upload_id: Option<String>,
    ) -> Result<Upload, Error> {
        let multipart = size >= config.multipart_threshold || resume_upload_id.is_some();
        let parts = if multipart {
            let part_size = plan::part_size_for(config.part_size, size)
                .ok_or(TransferError::TooLarge { size })?;
            plan::parts(size, part_size)
        } else {
            Vec::new()
        };
        let full_object =
            config.full_object_checksum && crc::supports_full_object(config.checksum_algorithm);
        Ok(Upload {
            bucket: bucket.to_string(),
            key: key.to_string(),
            extra: ExtraArgs(extra),
            source: Source::File(path),
            size,
            algorithm: config.checksum_algorithm,
            full_object,
            multipart,
            stored: vec![None; parts.len()],
            pending: VecDeque::new(),
            listed: VecDeque::new(),
            checking: HashMap::new(),
            parts,
            in_flight: HashMap::new(),
            next_id: 0,
            phase: Phase::Start,
            upload_id: resume_upload_id.clone(),
            list_marker: None,
            error: None,
            cancelled: false,
            result: None,
            completed: None,
            tags: None,
        })
    }

    /// Copy the object `copy_source` (`{"Bucket", "Key", "VersionId"?}`), of which `head` is
    /// HeadObject's answer, to `bucket`/`key`: CopyObject below the threshold, else
    /// UploadPartCopy per part, each only if the source still has `head`'s ETag. A multipart
    /// copy keeps the source's content headers and metadata (unless `MetadataDirective:
    /// REPLACE`), and its tags with `TaggingDirective: COPY` (or `REPLACE`: those of
    /// `Tagging`), as s3transfer's.
    pub fn copy(
        copy_source: Value,
        head: &Value,
        bucket: &str,
        key: &str,
        extra: Map,
        config: &TransferConfig,
    ) -> Result<Upload, Error> {
        let size = head.get("ContentLength").and_then(Value::as_i64).ok_or(
            TransferError::MissingMember {
                operation: "HeadObject",
                member: "ContentLength",
            },
        )?;
        let preserved = PRESERVED_ON_COPY
            .iter()
            .filter_map(|&name| Some((name.into(), head.get(name)?.clone())))
            .collect();
        let annotations = extra.get("AnnotationDirective").and_then(Value::as_str);
        let mut upload = Upload::new(
            bucket,
            key,
            PathBuf::new(),
            size.max(0) as u64,
            extra.clone(),
            config,
            None,
        )?;
        // s3transfer copies a multipart copy's annotations one by one; sansboto does not, and
        // says so rather than leave them behind.
        if upload.multipart && annotations == Some("COPY") {
            return Err(TransferError::Unsupported {
                transfer: "a multipart copy",
                argument: "AnnotationDirective: COPY",
            }
            .into());
        }
        upload.source = Source::Object(CopyFrom {
            source: copy_source,
            etag: head.get("ETag").and_then(Value::as_str).map(String::from),
            preserved,
        });
        // S3 computes a copy's checksums itself; a full-object value would need the bytes.
        upload.full_object = false;
        Ok(upload)
    }

    /// Upload a stream of unknown length: the driver answers each [`JobKind::Read`] with up to
    /// a part's bytes (fewer only at the end). One PutObject when it ends below the threshold.
    pub fn stream(bucket: &str, key: &str, extra: Map, config: &TransferConfig) -> Upload {
        let part_size = config
            .part_size
            .clamp(plan::MIN_PART_SIZE, plan::MAX_PART_SIZE);
        let mut upload = Upload::new(bucket, key, PathBuf::new(), 0, extra, config, None)
            .expect("an empty upload is never too large");
        upload.source = Source::Stream(StreamState {
            part_size,
            threshold: config.multipart_threshold,
            held: HashMap::new(),
            most_held: config.concurrency.max(1).saturating_add(1),
            reading: false,
            ended: false,
        });
        upload
    }

    fn read_job(&mut self) -> Option<Job> {
        let Source::Stream(state) = &mut self.source else {
            return None;
        };
        let max = if self.parts.is_empty() {
            state.first_read()
        } else {
            state.part_size
        };
        state.reading = true;
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight.insert(id, Task::Read);
        Some(Job {
            id,
            kind: JobKind::Read { max },
        })
    }

    /// A stream's next bytes arrived.
    fn read_done(&mut self, bytes: bytes::Bytes) {
        let Source::Stream(state) = &mut self.source else {
            return;
        };
        state.reading = false;
        let first = self.parts.is_empty() && self.phase == Phase::Waiting;
        let len = bytes.len() as u64;
        let limit = if first {
            state.first_read()
        } else {
            state.part_size
        };
        state.ended = len < limit;
        if first && state.ended && len < state.threshold {
            // The whole stream, small: one PutObject.
            self.size = len;
            state.held.insert(0, bytes);
            self.multipart = false;
            self.phase = Phase::Start;
            return;
        }
        // Cut what was read into parts of the part size.
        let mut rest = bytes;
        while !rest.is_empty() {
            let take = rest.len().min(state.part_size as usize);
            let chunk = rest.split_to(take);
            let index = self.parts.len();
            self.parts.push(Part {
                number: index as u32 + 1,
                offset: self.size,
                len: chunk.len() as u64,
            });
            self.stored.push(None);
            self.size += chunk.len() as u64;
            state.held.insert(index, chunk);
            if !first {
                self.pending.push_back(index);
            }
        }
        if self.parts.len() as u64 > plan::MAX_PARTS {
            self.fail(TransferError::TooLarge { size: self.size }.into());
        }
        if first {
            self.multipart = true;
            self.phase = Phase::Start;
        }
    }

    /// Whether the stream (if any) has more to read now: not at its end, no read in flight,
    /// room for another part.
    fn wants_read(&self) -> bool {
        match &self.source {
            Source::Stream(s) => !s.ended && !s.reading && s.held.len() < s.most_held,
            _ => false,
        }
    }

    fn stream_ended(&self) -> bool {
        match &self.source {
            Source::Stream(s) => s.ended,
            _ => true,
        }
    }

    /// The multipart upload's id, once created (or the one being resumed).
    pub fn upload_id(&self) -> Option<&str> {
        self.upload_id.as_deref()
    }

    fn base(&self) -> Map {
        let mut m = Map::default();
        m.insert("Bucket".into(), Value::from(&self.bucket));
        m.insert("Key".into(), Value::from(&self.key));
        m
    }

    fn with_upload_id(&self) -> Map {
        let mut m = self.base();
        m.insert(
            "UploadId".into(),
            Value::from(self.upload_id.clone().unwrap_or_default()),
        );
        m
    }

    fn start(&mut self, task: Task, operation: &'static str, params: Value) -> Job {
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight.insert(id, task);
        Job {
            id,
            kind: JobKind::Call { operation, params },
        }
    }

    fn finish_with(&mut self, result: Result<Value, Error>) {
        self.result = Some(result);
        self.phase = Phase::Finished;
    }

    fn checksum_member(&self) -> String {
        format!("Checksum{}", self.algorithm.name())
    }

    fn body(path: &std::path::Path, offset: u64, len: u64) -> Value {
        Value::from(StreamingBody::from_file(FileRange::new(path, offset, len)))
    }

    fn put_job(&mut self) -> Job {
        let mut m = self.base();
        if !matches!(self.source, Source::Object(_)) {
            m.insert(
                "ChecksumAlgorithm".into(),
                Value::from(self.algorithm.name()),
            );
        }
        let put =
            |m: Map, extra: &Map| with_extra_from(m, extra, &[PUT_ARGS, FULL_OBJECT_CHECKSUMS]);
        let (operation, params) = match &self.source {
            Source::File(path) => {
                m.insert("Body".into(), Self::body(path, 0, self.size));
                ("PutObject", put(m, &self.extra))
            }
            Source::Stream(state) => {
                let bytes = state.held.get(&0).cloned().unwrap_or_default();
                m.insert("Body".into(), Value::from(bytes));
                ("PutObject", put(m, &self.extra))
            }
            Source::Object(from) => {
                m.insert("CopySource".into(), from.source.clone());
                ("CopyObject", with_extra_from(m, &self.extra, COPY_EXTRA))
            }
        };
        self.phase = Phase::Waiting;
        self.start(Task::Put, operation, params)
    }

    fn create_job(&mut self) -> Job {
        let mut m = self.base();
        if self.full_object {
            m.insert("ChecksumType".into(), Value::from("FULL_OBJECT"));
        }
        let params = match &self.source {
            Source::Object(from) => {
                let extra = from.create_extra(&self.extra);
                with_extra_from(m, &extra, &[PUT_ARGS, &["ChecksumAlgorithm"]])
            }
            _ => {
                m.insert(
                    "ChecksumAlgorithm".into(),
                    Value::from(self.algorithm.name()),
                );
                with_extra_from(m, &self.extra, &[PUT_ARGS, &["ChecksumType"]])
            }
        };
        self.phase = Phase::Waiting;
        self.start(Task::Create, "CreateMultipartUpload", params)
    }

    fn list_job(&mut self) -> Job {
        let mut m = self.with_upload_id();
        if let Some(marker) = &self.list_marker {
            m.insert("PartNumberMarker".into(), marker.clone());
        }
        let params = with_extra(m, &self.extra, COMPLETE_ARGS);
        self.phase = Phase::Waiting;
        self.start(Task::List, "ListParts", params)
    }

    fn part_job(&mut self, index: usize) -> Job {
        let part = self.parts[index];
        let mut m = self.with_upload_id();
        m.insert("PartNumber".into(), Value::from(part.number));
        let operation = match &self.source {
            Source::File(path) => {
                m.insert("Body".into(), Self::body(path, part.offset, part.len));
                m.insert(
                    "ChecksumAlgorithm".into(),
                    Value::from(self.algorithm.name()),
                );
                "UploadPart"
            }
            Source::Stream(state) => {
                let bytes = state.held.get(&index).cloned().unwrap_or_default();
                m.insert("Body".into(), Value::from(bytes));
                m.insert(
                    "ChecksumAlgorithm".into(),
                    Value::from(self.algorithm.name()),
                );
                "UploadPart"
            }
            Source::Object(from) => {
                m.insert("CopySource".into(), from.source.clone());
                if let Some(etag) = &from.etag {
                    m.insert("CopySourceIfMatch".into(), Value::from(etag.as_str()));
                }
                let last = part.offset + part.len.max(1) - 1;
                m.insert(
                    "CopySourceRange".into(),
                    Value::from(format!("bytes={}-{last}", part.offset)),
                );
                "UploadPartCopy"
            }
        };
        let params = match self.source {
            Source::Object(_) => with_extra_from(m, &self.extra, &[PART_ARGS, COPY_SOURCE_ARGS]),
            _ => with_extra(m, &self.extra, PART_ARGS),
        };
        self.start(Task::Part(index), operation, params)
    }

    fn complete_job(&mut self) -> Job {
        let member = self.checksum_member();
        let parts: Vec<Value> = self
            .parts
            .iter()
            .zip(&self.stored)
            .map(|(part, stored)| {
                let mut p = Map::default();
                p.insert("PartNumber".into(), Value::from(part.number));
                if let Some(stored) = stored {
                    p.insert("ETag".into(), Value::from(&stored.etag));
                    if let Some(c) = stored.checksum {
                        p.insert(Key::from(member.as_str()), Value::from(c.to_base64()));
                    }
                }
                Value::Map(p)
            })
            .collect();
        let mut m = self.with_upload_id();
        m.insert("MultipartUpload".into(), crate::params! {"Parts": parts});
        if self.full_object {
            if let Some(whole) = self.full_object_checksum() {
                m.insert("ChecksumType".into(), Value::from("FULL_OBJECT"));
                m.insert(Key::from(member.as_str()), Value::from(whole.to_base64()));
            }
        }
        let params = match self.source {
            Source::Object(_) => with_extra(m, &self.extra, COMPLETE_ARGS),
            _ => {
                let lists = [
                    COMPLETE_ARGS,
                    COMPLETE_FULL_OBJECT_ARGS,
                    FULL_OBJECT_CHECKSUMS,
                ];
                with_extra_from(m, &self.extra, &lists)
            }
        };
        self.phase = Phase::Waiting;
        self.start(Task::Complete, "CompleteMultipartUpload", params)
    }

    /// After a multipart copy completed, its tags (s3transfer's rule): with `TaggingDirective:
    /// COPY` the source's, read with GetObjectTagging; with `REPLACE` those of `Tagging` (a
    /// query string); put with PutObjectTagging when there are any. `None` once done: the
    /// transfer then ends with CompleteMultipartUpload's answer.
    fn tags_job(&mut self) -> Option<Job> {
        let Source::Object(from) = &self.source else {
            return None;
        };
        let directive = self.extra.get("TaggingDirective").and_then(Value::as_str);
        let tags = match (self.tags.take(), directive) {
            (Some(tags), _) => tags,
            (None, Some("COPY")) => {
                let params = with_extra(from.object(), &self.extra, GET_TAGS_ARGS);
                self.phase = Phase::Waiting;
                return Some(self.start(Task::GetTags, "GetObjectTagging", params));
            }
            (None, Some("REPLACE")) => {
                let query = self.extra.get("Tagging").and_then(Value::as_str);
                query_tags(query.unwrap_or_default())
            }
            (None, _) => Vec::new(),
        };
        let completed = self.completed.take().unwrap_or_default();
        if tags.is_empty() {
            self.finish_with(Ok(completed));
            return None;
        }
        let mut m = self.base();
        m.insert("Tagging".into(), crate::params! {"TagSet": tags});
        if let Some(version) = completed.get("VersionId").filter(|v| is_given(v)) {
            m.insert("VersionId".into(), version.clone());
        }
        self.completed = Some(completed);
        let params = with_extra(m, &self.extra, PUT_TAGS_ARGS);
        self.phase = Phase::Waiting;
        Some(self.start(Task::PutTags, "PutObjectTagging", params))
    }

    fn abort_job(&mut self) -> Job {
        let params = with_extra(self.with_upload_id(), &self.extra, COMPLETE_ARGS);
        self.phase = Phase::Waiting;
        self.start(Task::Abort, "AbortMultipartUpload", params)
    }

    /// The parts' checksums in order, when S3 gave one for every part.
    fn part_checksums(&self) -> Option<Vec<ChecksumValue>> {
        self.stored.iter().map(|s| s.as_ref()?.checksum).collect()
    }

    /// The CRC of the whole file from the parts' CRCs.
    fn full_object_checksum(&self) -> Option<ChecksumValue> {
        let sums = self.part_checksums()?;
        let parts: Vec<_> = sums
            .into_iter()
            .zip(self.parts.iter().map(|p| p.len))
            .collect();
        crc::combine_full_object(self.algorithm, &parts)
    }

    /// Check the checksum CompleteMultipartUpload answered against the parts': composite
    /// (`…-N`) or full-object.
    fn verify_completed(&self, output: &Value) -> Result<(), Error> {
        let Some(answered) = output.get(&self.checksum_member()).and_then(Value::as_str) else {
            return Ok(());
        };
        let computed = if answered.contains('-') {
            self.part_checksums()
                .map(|sums| crc::composite(self.algorithm, &sums))
        } else {
            self.full_object_checksum().map(|c| c.to_base64())
        };
        match computed {
            Some(computed) if computed != answered => Err(TransferError::ChecksumMismatch {
                key: self.key.clone(),
                algorithm: self.algorithm,
                expected: answered.to_string(),
                computed,
            }
            .into()),
            _ => Ok(()),
        }
    }

    fn record_listed(&mut self, listing: &Value) {
        let member = self.checksum_member();
        for listed in listing
            .get("Parts")
            .and_then(Value::as_list)
            .unwrap_or_default()
        {
            let (Some(number), Some(size), Some(etag)) = (
                listed.get("PartNumber").and_then(Value::as_i64),
                listed.get("Size").and_then(Value::as_i64),
                listed.get("ETag").and_then(Value::as_str),
            ) else {
                continue;
            };
            // A part is kept only if it is the one this file's plan would send.
            let Some(index) = number
                .checked_sub(1)
                .and_then(|i| usize::try_from(i).ok())
                .filter(|&i| i < self.parts.len())
            else {
                continue;
            };
            let checksum = listed
                .get(&member)
                .and_then(Value::as_str)
                .and_then(ChecksumValue::from_base64);
            // Only a part that can be compared with the file is kept: one of the planned size
            // with a checksum of this upload's algorithm, or an ETag that is an MD5. Anything
            // else is sent again.
            let comparable = checksum.is_some() || md5_etag(etag).is_some();
            if let (true, true, Source::File(_)) = (
                self.parts[index].len as i64 == size,
                comparable,
                &self.source,
            ) {
                self.listed.push_back((
                    index,
                    Stored {
                        etag: etag.to_string(),
                        checksum,
                    },
                ));
            }
        }
    }

    /// Hash the file's range of a part S3 listed, to compare.
    fn verify_job(&mut self, index: usize, stored: Stored) -> Job {
        let part = self.parts[index];
        let path = match &self.source {
            Source::File(path) => path.clone(),
            _ => PathBuf::new(),
        };
        self.checking.insert(index, stored);
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight.insert(id, Task::Verify(index));
        let job = match self.checking[&index].checksum {
            Some(_) => FileJob::Checksum(path, part.offset, part.len, self.algorithm),
            None => FileJob::Md5(path, part.offset, part.len),
        };
        Job {
            id,
            kind: JobKind::File(job),
        }
    }

    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }
    /// Keep a part's ETag and checksum (an UploadPart or CopyPartResult answer).
    fn record_part(&mut self, index: usize, out: &Value) {
        match out.get("ETag").and_then(Value::as_str) {
            Some(etag) => {
                if let Source::Stream(s) = &mut self.source {
                    s.held.remove(&index);
                }
                let checksum = out
                    .get(&self.checksum_member())
                    .and_then(Value::as_str)
                    .and_then(ChecksumValue::from_base64);
                self.stored[index] = Some(Stored {
                    etag: etag.to_string(),
                    checksum,
                });
            }
            None => self.fail(
                TransferError::MissingMember {
                    operation: "UploadPart",
                    member: "ETag",
                }
                .into(),
            ),
        }
    }

    /// The upload was aborted (or aborting it failed): the transfer fails with why it stopped.
    fn aborted(&mut self, aborted: Result<Value, Error>) {
        let cause = self.error.take().unwrap_or_else(|| {
            TransferError::Cancelled {
                key: self.key.clone(),
            }
            .into()
        });
        let error = match aborted {
            Ok(_) => cause,
            Err(abort) => TransferError::AbortFailed {
                cause: Box::new(cause),
                upload_id: self.upload_id.clone().unwrap_or_default(),
                abort: Box::new(abort),
            }
            .into(),
        };
        self.finish_with(Err(error))
    }
}

/// The tags of a `Tagging` argument (`k1=v1&k2`), read as Python's `parse_qsl` with blank
/// values kept reads them, as s3transfer reads it for a multipart copy.
fn query_tags(query: &str) -> Vec<Value> {
    use crate::encoding::percent_decode;
    query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            crate::params! {
                "Key": percent_decode(key, true).as_ref(),
                "Value": percent_decode(value, true).as_ref()
            }
        })
        .collect()
}

/// The MD5 an ETag of 32 hex digits (quoted or not) is; `None` for any other ETag.
fn md5_etag(etag: &str) -> Option<Vec<u8>> {
    let hex = etag.trim_matches('"');
    if hex.len() != 32 {
        return None;
    }
    crate::encoding::hex_decode(hex)
}

impl TransferMachine for Upload {
    fn next_job(&mut self) -> Option<Job> {
        match self.phase {
            Phase::Start if self.cancelled => {
                self.finish_with(Err(TransferError::Cancelled {
                    key: self.key.clone(),
                }
                .into()));
                None
            }
            Phase::Start if self.parts.is_empty() && self.wants_read() => {
                let job = self.read_job();
                self.phase = Phase::Waiting;
                job
            }
            Phase::Start if !self.multipart => Some(self.put_job()),
            Phase::Start if self.upload_id.is_some() => Some(self.list_job()),
            Phase::Start => Some(self.create_job()),
            Phase::Listing => Some(self.list_job()),
            Phase::Tags => self.tags_job(),
            Phase::Parts if self.error.is_some() || self.cancelled => {
                if self.in_flight.is_empty() {
                    if self.error.is_none() {
                        self.error = Some(
                            TransferError::Cancelled {
                                key: self.key.clone(),
                            }
                            .into(),
                        );
                    }
                    self.phase = Phase::Aborting;
                    Some(self.abort_job())
                } else {
                    None
                }
            }
            Phase::Parts => match self.pending.pop_front() {
                Some(index) => Some(self.part_job(index)),
                None if !self.listed.is_empty() => {
                    let (index, stored) = self.listed.pop_front()?;
                    Some(self.verify_job(index, stored))
                }
                None if self.wants_read() => self.read_job(),
                None if self.in_flight.is_empty() && self.stream_ended() => {
                    Some(self.complete_job())
                }
                None => None,
            },
            Phase::Waiting | Phase::Aborting | Phase::Finished => None,
        }
    }

    fn handle(&mut self, id: usize, outcome: Outcome) -> bool {
        let Some(task) = self.in_flight.remove(&id) else {
            return false;
        };
        if let Task::Read = task {
            match outcome {
                Outcome::Read(Ok(bytes)) => self.read_done(bytes),
                Outcome::Read(Err(e)) => {
                    if let Source::Stream(s) = &mut self.source {
                        s.reading = false;
                        s.ended = true;
                    }
                    let e = super::file_error(
                        "reading",
                        std::path::Path::new("the upload's stream"),
                        e,
                    );
                    if self.phase == Phase::Waiting && self.upload_id.is_none() {
                        self.finish_with(Err(e));
                    } else {
                        self.fail(e);
                    }
                }
                _ => self.fail(Error::MachineMisuse(
                    "an upload read was answered with another task's outcome",
                )),
            }
            return false;
        }
        if let Task::Verify(index) = task {
            let stored = self.checking.remove(&index);
            match (outcome, stored) {
                (Outcome::File(Ok(FileOutput::Checksum(sum))), Some(stored))
                    if stored.checksum == Some(sum)
                        || (stored.checksum.is_none()
                            && md5_etag(&stored.etag) == Some(sum.as_bytes().to_vec())) =>
                {
                    self.stored[index] = Some(stored)
                }
                (Outcome::File(Ok(_)), _) => self.pending.push_back(index),
                (Outcome::File(Err(e)), _) => {
                    let path = match &self.source {
                        Source::File(path) => path.clone(),
                        _ => PathBuf::new(),
                    };
                    self.fail(super::file_error("reading", &path, e))
                }
                _ => self.fail(Error::MachineMisuse(
                    "an upload check was answered with another task's outcome",
                )),
            }
            return false;
        }
        let result = match outcome {
            Outcome::Called(r) => r,
            _ => Err(Error::MachineMisuse(
                "an upload call was answered with another task's outcome",
            )),
        };
        match (task, result) {
            (Task::Put, result) => self.finish_with(result),
            (Task::Read | Task::Verify(_), _) => {}
            (Task::Create, Ok(out)) => match out.get("UploadId").and_then(Value::as_str) {
                Some(upload_id) => {
                    self.upload_id = Some(upload_id.to_string());
                    self.pending = (0..self.parts.len()).collect();
                    self.phase = Phase::Parts;
                    return true;
                }
                None => self.finish_with(Err(TransferError::MissingMember {
                    operation: "CreateMultipartUpload",
                    member: "UploadId",
                }
                .into())),
            },
            (Task::Create | Task::List, Err(e)) => self.finish_with(Err(e)),
            (Task::List, Ok(listing)) => {
                self.record_listed(&listing);
                let truncated = listing.get("IsTruncated").and_then(Value::as_bool) == Some(true);
                match listing.get("NextPartNumberMarker").filter(|_| truncated) {
                    Some(marker) => {
                        self.list_marker = Some(marker.clone());
                        self.phase = Phase::Listing;
                    }
                    None => {
                        let listed: Vec<usize> = self.listed.iter().map(|(i, _)| *i).collect();
                        self.pending = (0..self.parts.len())
                            .filter(|i| self.stored[*i].is_none() && !listed.contains(i))
                            .collect();
                        self.phase = Phase::Parts;
                        return true;
                    }
                }
            }
            (Task::Part(index), Ok(out)) => {
                // UploadPartCopy answers inside `CopyPartResult`.
                let out = out.get("CopyPartResult").cloned().unwrap_or(out);
                self.record_part(index, &out)
            }
            (Task::Part(_), Err(e)) => self.fail(e),
            (Task::Complete, Ok(out)) => match self.verify_completed(&out) {
                Ok(()) if matches!(self.source, Source::Object(_)) => {
                    self.completed = Some(out);
                    self.phase = Phase::Tags;
                    return true;
                }
                verified => self.finish_with(verified.map(|()| out)),
            },
            (Task::GetTags, Ok(out)) => {
                let tags = out
                    .get("TagSet")
                    .and_then(Value::as_list)
                    .unwrap_or_default();
                self.tags = Some(tags.to_vec());
                self.phase = Phase::Tags;
                return true;
            }
            (Task::PutTags, Ok(_)) => {
                let completed = self.completed.take().unwrap_or_default();
                self.finish_with(Ok(completed))
            }
            // The object is complete; its tags could not be copied: the copy fails with why,
            // as s3transfer's does.
            (Task::GetTags | Task::PutTags, Err(e)) => self.finish_with(Err(e)),
            (Task::Complete, Err(e)) => {
                self.fail(e);
                self.phase = Phase::Parts;
            }
            (Task::Abort, aborted) => self.aborted(aborted),
        }
        false
    }

    fn cancel(&mut self) {
        self.cancelled = true;
    }

    fn finish(&mut self) -> Option<Result<Value, Error>> {
        if !self.in_flight.is_empty() {
            return None;
        }
        self.result.take()
    }

    fn progress(&self) -> Progress {
        let done: Vec<&Part> = self
            .parts
            .iter()
            .zip(&self.stored)
            .filter_map(|(p, s)| s.as_ref().map(|_| p))
            .collect();
        let single_done = !self.multipart && self.phase == Phase::Finished;
        Progress {
            bytes_done: if single_done {
                self.size
            } else {
                done.iter().map(|p| p.len).sum()
            },
            bytes_total: self.size,
            parts_done: if single_done { 1 } else { done.len() as u32 },
            parts_total: if self.multipart {
                self.parts.len() as u32
            } else {
                1
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::checksum;
    use crate::params;

    /// A failure as a transport reports it.
    fn io_error(message: &str) -> Error {
        Error::Transport(crate::error::TransportError::new(
            crate::error::TransportErrorKind::Io,
            message,
        ))
    }

    const MIB: u64 = 1024 * 1024;

    fn config() -> TransferConfig {
        TransferConfig::new()
            .part_size(5 * MIB)
            .multipart_threshold(5 * MIB)
    }

    fn call(job: &Job) -> (&'static str, &Value) {
        match &job.kind {
            JobKind::Call { operation, params } => (operation, params),
            other => panic!("not a call: {other:?}"),
        }
    }

    fn ok(v: Value) -> Outcome {
        Outcome::Called(Ok(v))
    }

    /// Drive `upload` through CreateMultipartUpload and take every part job it offers at once.
    fn created(upload: &mut Upload) -> Vec<Job> {
        let create = upload.next_job().unwrap();
        assert_eq!(call(&create).0, "CreateMultipartUpload");
        assert!(upload.next_job().is_none(), "parts wait for the upload id");
        assert!(
            upload.handle(create.id, ok(params! {"UploadId": "u1"})),
            "parts fan out"
        );
        std::iter::from_fn(|| upload.next_job()).collect()
    }

    #[test]
    fn small_files_go_in_one_put_with_the_checksum_algorithm() {
        let mut up =
            Upload::new("b", "k", "/f".into(), 10, Map::default(), &config(), None).unwrap();
        let put = up.next_job().unwrap();
        let (op, params) = call(&put);
        assert_eq!(op, "PutObject");
        assert_eq!(params["ChecksumAlgorithm"].as_str(), Some("CRC32"));
        assert_eq!(
            params["Body"].as_stream().unwrap().file(),
            Some(&FileRange::new("/f", 0, 10))
        );
        up.handle(put.id, ok(params! {"ETag": "e"}));
        assert_eq!(up.finish().unwrap().unwrap()["ETag"].as_str(), Some("e"));
        assert_eq!(up.progress().bytes_done, 10);
    }

    #[test]
    fn parts_are_file_ranges_and_complete_lists_etags_and_checksums() {
        let mut extra = Map::default();
        extra.insert("StorageClass".into(), Value::from("GLACIER"));
        extra.insert("SSECustomerKey".into(), Value::from("secret"));
        let mut up = Upload::new("b", "k", "/f".into(), 12 * MIB, extra, &config(), None).unwrap();
        let parts = created(&mut up);
        assert_eq!(parts.len(), 3);
        let (op, p) = call(&parts[2]);
        assert_eq!(op, "UploadPart");
        assert_eq!(p["PartNumber"].as_i64(), Some(3));
        assert_eq!(p["UploadId"].as_str(), Some("u1"));
        assert_eq!(p["SSECustomerKey"].as_str(), Some("secret"));
        assert!(
            p.get("StorageClass").is_none(),
            "UploadPart does not take StorageClass"
        );
        assert_eq!(
            p["Body"].as_stream().unwrap().file(),
            Some(&FileRange::new("/f", 10 * MIB, 2 * MIB))
        );
        let sums: Vec<_> = (0..3)
            .map(|i| checksum(ChecksumAlgorithm::Crc32, &[i]))
            .collect();
        // Finishing out of order; completion waits for the last.
        for (job, n) in parts.iter().zip(0..3usize).rev() {
            assert!(up.next_job().is_none());
            up.handle(
                job.id,
                ok(params! {"ETag": format!("e{n}"), "ChecksumCRC32": sums[n].to_base64()}),
            );
        }
        let complete = up.next_job().unwrap();
        let (op, p) = call(&complete);
        assert_eq!(op, "CompleteMultipartUpload");
        let listed = p["MultipartUpload"]["Parts"].as_list().unwrap();
        assert_eq!(
            listed[1],
            params! {"PartNumber": 2, "ETag": "e1", "ChecksumCRC32": sums[1].to_base64()}
        );
        // S3's composite answer is checked against the parts'.
        let right = crc::composite(ChecksumAlgorithm::Crc32, &sums);
        up.handle(
            complete.id,
            ok(params! {"ETag": "x-3", "ChecksumCRC32": right.as_str()}),
        );
        assert!(up.finish().unwrap().is_ok());
        assert_eq!(
            up.progress(),
            Progress {
                bytes_done: 12 * MIB,
                bytes_total: 12 * MIB,
                parts_done: 3,
                parts_total: 3
            }
        );
    }

    #[test]
    fn a_wrong_composite_answer_is_a_checksum_mismatch() {
        let mut up = Upload::new(
            "b",
            "k",
            "/f".into(),
            6 * MIB,
            Map::default(),
            &config(),
            None,
        )
        .unwrap();
        for job in created(&mut up) {
            up.handle(
                job.id,
                ok(params! {"ETag": "e", "ChecksumCRC32": "AAAAAA=="}),
            );
        }
        let complete = up.next_job().unwrap();
        up.handle(complete.id, ok(params! {"ChecksumCRC32": "AAAAAB==-2"}));
        assert!(matches!(
            up.finish(),
            Some(Err(Error::Transfer(TransferError::ChecksumMismatch { .. })))
        ));
    }

    #[test]
    fn full_object_checksums_are_combined_from_the_parts() {
        let data: Vec<u8> = (0..6 * MIB).map(|i| (i % 253) as u8).collect();
        let cfg = config()
            .checksum_algorithm(ChecksumAlgorithm::Crc64Nvme)
            .full_object_checksum(true);
        let mut up =
            Upload::new("b", "k", "/f".into(), 6 * MIB, Map::default(), &cfg, None).unwrap();
        let create = up.next_job().unwrap();
        assert_eq!(
            call(&create).1["ChecksumType"].as_str(),
            Some("FULL_OBJECT")
        );
        up.handle(create.id, ok(params! {"UploadId": "u"}));
        let parts: Vec<_> = std::iter::from_fn(|| up.next_job()).collect();
        for (job, range) in parts.iter().zip([0..5 * MIB, 5 * MIB..6 * MIB]) {
            let sum = checksum(
                ChecksumAlgorithm::Crc64Nvme,
                &data[range.start as usize..range.end as usize],
            );
            up.handle(
                job.id,
                ok(params! {"ETag": "e", "ChecksumCRC64NVME": sum.to_base64()}),
            );
        }
        let complete = up.next_job().unwrap();
        let whole = checksum(ChecksumAlgorithm::Crc64Nvme, &data).to_base64();
        let (_, p) = call(&complete);
        assert_eq!(p["ChecksumType"].as_str(), Some("FULL_OBJECT"));
        assert_eq!(p["ChecksumCRC64NVME"].as_str(), Some(whole.as_str()));
        up.handle(
            complete.id,
            ok(params! {"ChecksumCRC64NVME": whole.as_str()}),
        );
        assert!(up.finish().unwrap().is_ok());
    }

    #[test]
    fn a_failed_part_waits_for_the_others_then_aborts() {
        let mut up = Upload::new(
            "b",
            "k",
            "/f".into(),
            16 * MIB,
            Map::default(),
            &config(),
            None,
        )
        .unwrap();
        let mut parts = created(&mut up).into_iter();
        let (first, second) = (parts.next().unwrap(), parts.next().unwrap());
        let denied = io_error("denied");
        up.handle(first.id, Outcome::Called(Err(denied)));
        assert!(
            up.next_job().is_none(),
            "no abort while parts are in flight"
        );
        for job in parts {
            up.handle(job.id, ok(params! {"ETag": "e"}));
        }
        assert!(up.next_job().is_none());
        up.handle(second.id, ok(params! {"ETag": "e"}));
        let abort = up.next_job().unwrap();
        let (op, p) = call(&abort);
        assert_eq!(
            (op, p["UploadId"].as_str()),
            ("AbortMultipartUpload", Some("u1"))
        );
        assert!(up.next_job().is_none());
        up.handle(abort.id, ok(params! {}));
        match up.finish() {
            Some(Err(Error::Transport(e))) => assert_eq!(e.message, "denied"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_failed_abort_says_the_parts_remain() {
        let mut up = Upload::new(
            "b",
            "k",
            "/f".into(),
            6 * MIB,
            Map::default(),
            &config(),
            None,
        )
        .unwrap();
        let _parts = created(&mut up);
        up.cancel();
        for job in _parts {
            up.handle(job.id, ok(params! {"ETag": "e"}));
        }
        let abort = up.next_job().unwrap();
        up.handle(abort.id, Outcome::Called(Err(io_error("net down"))));
        match up.finish() {
            Some(Err(Error::Transfer(TransferError::AbortFailed {
                cause, upload_id, ..
            }))) => {
                assert_eq!(upload_id, "u1");
                assert!(matches!(
                    *cause,
                    Error::Transfer(TransferError::Cancelled { .. })
                ));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_resumed_upload_keeps_the_listed_parts_whose_size_and_checksum_are_the_files() {
        let mut up = Upload::new(
            "b",
            "k",
            "/f".into(),
            16 * MIB,
            Map::default(),
            &config(),
            Some("u9".into()),
        )
        .unwrap();
        let sum = |n: u8| checksum(ChecksumAlgorithm::Crc32, &[n]);
        let list = up.next_job().unwrap();
        assert_eq!(call(&list).0, "ListParts");
        up.handle(
            list.id,
            ok(params! {
                "IsTruncated": true, "NextPartNumberMarker": 1,
                "Parts": vec![params! {"PartNumber": 1, "Size": 5 * MIB, "ETag": "e1", "ChecksumCRC32": sum(1).to_base64()}],
            }),
        );
        let list = up.next_job().unwrap();
        assert_eq!(call(&list).1["PartNumberMarker"].as_i64(), Some(1));
        // Part 2 has the wrong size (another file's), part 4 no checksum: both are sent again.
        // Parts 1 and 3 are compared with the file first.
        assert!(up.handle(
            list.id,
            ok(params! {
                "Parts": vec![
                    params! {"PartNumber": 2, "Size": 1, "ETag": "old", "ChecksumCRC32": sum(2).to_base64()},
                    params! {"PartNumber": 3, "Size": 5 * MIB, "ETag": "e3", "ChecksumCRC32": sum(3).to_base64()},
                    params! {"PartNumber": 4, "Size": MIB, "ETag": "e4"},
                ],
            })
        ));
        let jobs: Vec<_> = std::iter::from_fn(|| up.next_job()).collect();
        let mut sent = Vec::new();
        let mut checks = Vec::new();
        for job in &jobs {
            match &job.kind {
                JobKind::Call { params, .. } => sent.push(params["PartNumber"].as_i64().unwrap()),
                JobKind::File(FileJob::Checksum(path, offset, len, algorithm)) => {
                    assert_eq!(
                        (path.to_str(), *len, *algorithm),
                        (Some("/f"), 5 * MIB, ChecksumAlgorithm::Crc32)
                    );
                    checks.push((job.id, *offset));
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(sent, [2, 4]);
        assert_eq!(
            checks.iter().map(|c| c.1).collect::<Vec<_>>(),
            [0, 10 * MIB]
        );
        // Part 1 is the file's; part 3 is not (the file changed): it is sent again.
        up.handle(checks[0].0, Outcome::File(Ok(FileOutput::Checksum(sum(1)))));
        up.handle(checks[1].0, Outcome::File(Ok(FileOutput::Checksum(sum(9)))));
        let again = up.next_job().unwrap();
        assert_eq!(call(&again).1["PartNumber"].as_i64(), Some(3));
        assert_eq!(up.progress().parts_done, 1);
        for job in jobs
            .iter()
            .filter(|j| matches!(j.kind, JobKind::Call { .. }))
            .chain([&again])
        {
            up.handle(
                job.id,
                ok(params! {"ETag": "new", "ChecksumCRC32": sum(0).to_base64()}),
            );
        }
        let complete = up.next_job().unwrap();
        let listed = &call(&complete).1["MultipartUpload"]["Parts"];
        assert_eq!(listed[0]["ETag"].as_str(), Some("e1"));
        assert_eq!(listed[2]["ETag"].as_str(), Some("new"));
    }

    #[test]
    fn listed_part_numbers_no_plan_has_are_ignored() {
        // `i64::MIN - 1` once overflowed (a panic in debug builds).
        let mut up = Upload::new(
            "b",
            "k",
            "/f".into(),
            10 * MIB,
            Map::default(),
            &config(),
            Some("u9".into()),
        )
        .unwrap();
        let list = up.next_job().unwrap();
        assert_eq!(call(&list).0, "ListParts");
        let part = |n: i64| params! {"PartNumber": n, "Size": 5 * MIB, "ETag": "e"};
        up.handle(
            list.id,
            ok(params! {"Parts": vec![part(i64::MIN), part(0), part(-1), part(3), part(i64::MAX)]}),
        );
        let sent: Vec<_> = std::iter::from_fn(|| up.next_job())
            .map(|job| call(&job).1["PartNumber"].as_i64())
            .collect();
        assert_eq!(sent, [Some(1), Some(2)]);
    }

    #[test]
    fn only_an_etag_of_32_hex_digits_is_taken_for_an_md5() {
        let md5 = md5_etag("\"0123456789abcdef0123456789ABCDEF\"").unwrap();
        assert_eq!(md5[..2], [0x01, 0x23]);
        assert_eq!(md5[15], 0xef);
        assert!(md5_etag("e4").is_none());
        assert!(md5_etag("\"0123456789abcdef0123456789abcdef-2\"").is_none());
        assert!(md5_etag("0123456789abcdef0123456789abcdeg").is_none());
    }

    /// HeadObject's answer for a copy's source of `size` bytes.
    fn source_head(size: u64) -> Value {
        params! {
            "ContentLength": size as i64, "ETag": "\"e1\"", "ContentType": "text/csv",
            "CacheControl": "no-cache", "Metadata": params! {"a": "1"}, "StorageClass": "GLACIER"
        }
    }

    #[test]
    fn a_copy_uses_copy_source_ranges_and_reads_etags_from_copy_part_result() {
        let source = params! {"Bucket": "src", "Key": "a", "VersionId": "v1"};
        let head = source_head(6 * MIB);
        let mut extra = Map::default();
        extra.insert("ContentType".into(), Value::from("image/png"));
        extra.insert("Tagging".into(), Value::from("a=1"));
        let mut up = Upload::copy(source.clone(), &head, "b", "k", extra, &config()).unwrap();
        let create = up.next_job().unwrap();
        let (op, p) = call(&create);
        // The source's content headers and metadata, over the caller's; not its storage
        // class; no tags (no `TaggingDirective`).
        assert_eq!(op, "CreateMultipartUpload");
        assert_eq!(p["ContentType"].as_str(), Some("text/csv"));
        assert_eq!(p["CacheControl"].as_str(), Some("no-cache"));
        assert_eq!(p["Metadata"]["a"].as_str(), Some("1"));
        assert!(p.get("StorageClass").is_none() && p.get("Tagging").is_none());
        // S3 computes a copy's checksums; none is asked for unless the caller names one.
        assert!(p.get("ChecksumAlgorithm").is_none());
        assert!(up.handle(create.id, ok(params! {"UploadId": "u1"})));
        let parts: Vec<Job> = std::iter::from_fn(|| up.next_job()).collect();
        let ranges: Vec<_> = parts
            .iter()
            .map(|j| {
                let (op, p) = call(j);
                assert_eq!((op, &p["CopySource"]), ("UploadPartCopy", &source));
                assert!(p.get("Body").is_none());
                // Only from the object HeadObject saw.
                assert_eq!(p["CopySourceIfMatch"].as_str(), Some("\"e1\""));
                p["CopySourceRange"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(
            ranges,
            [
                format!("bytes=0-{}", 5 * MIB - 1),
                format!("bytes={}-{}", 5 * MIB, 6 * MIB - 1)
            ]
        );
        for job in parts {
            up.handle(
                job.id,
                ok(params! {"CopyPartResult": params! {"ETag": "c"}}),
            );
        }
        let complete = up.next_job().unwrap();
        assert_eq!(
            call(&complete).1["MultipartUpload"]["Parts"][1]["ETag"].as_str(),
            Some("c")
        );
        assert!(up.handle(complete.id, ok(params! {"ETag": "done"})));
        assert!(up.next_job().is_none());
        assert_eq!(up.finish().unwrap().unwrap()["ETag"].as_str(), Some("done"));

        let mut small = Upload::copy(
            source,
            &source_head(10),
            "b",
            "k",
            Map::default(),
            &config(),
        )
        .unwrap();
        assert_eq!(call(&small.next_job().unwrap()).0, "CopyObject");
    }

    /// Run a multipart copy with `extra` to its CompleteMultipartUpload, answered.
    fn copied(extra: Map) -> (Upload, Value) {
        let source = params! {"Bucket": "src", "Key": "a", "VersionId": "v1"};
        let mut up =
            Upload::copy(source, &source_head(6 * MIB), "b", "k", extra, &config()).unwrap();
        let create = up.next_job().unwrap();
        let create_params = call(&create).1.clone();
        up.handle(create.id, ok(params! {"UploadId": "u1"}));
        for job in std::iter::from_fn(|| up.next_job()).collect::<Vec<_>>() {
            up.handle(
                job.id,
                ok(params! {"CopyPartResult": params! {"ETag": "c"}}),
            );
        }
        let complete = up.next_job().unwrap();
        up.handle(complete.id, ok(params! {"ETag": "done", "VersionId": "v9"}));
        (up, create_params)
    }

    #[test]
    fn a_multipart_copy_takes_its_tags_and_metadata_as_the_directives_say() {
        let extra = |pairs: &[(&str, &str)]| -> Map {
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), Value::from(*v)))
                .collect()
        };
        // COPY: the source's tags, read from its version, put on the copy's.
        let (mut up, _) = copied(extra(&[
            ("TaggingDirective", "COPY"),
            ("RequestPayer", "requester"),
        ]));
        let get = up.next_job().unwrap();
        let (op, p) = call(&get);
        assert_eq!(op, "GetObjectTagging");
        assert_eq!(
            (p["Bucket"].as_str(), p["VersionId"].as_str()),
            (Some("src"), Some("v1"))
        );
        assert_eq!(p["RequestPayer"].as_str(), Some("requester"));
        let tags = params! {"TagSet": vec![params! {"Key": "k", "Value": "v"}]};
        assert!(up.handle(get.id, ok(tags.clone())));
        let put = up.next_job().unwrap();
        let (op, p) = call(&put);
        assert_eq!(op, "PutObjectTagging");
        assert_eq!(p["Tagging"], tags);
        assert_eq!(
            (p["Bucket"].as_str(), p["VersionId"].as_str()),
            (Some("b"), Some("v9"))
        );
        up.handle(put.id, ok(params! {}));
        assert_eq!(up.finish().unwrap().unwrap()["ETag"].as_str(), Some("done"));

        // COPY of a source without tags: nothing to put.
        let (mut up, _) = copied(extra(&[("TaggingDirective", "COPY")]));
        let get = up.next_job().unwrap();
        up.handle(get.id, ok(params! {"TagSet": Vec::<Value>::new()}));
        assert!(up.next_job().is_none());
        assert_eq!(up.finish().unwrap().unwrap()["ETag"].as_str(), Some("done"));

        // REPLACE: `Tagging`'s, read as a query string; and the caller's metadata.
        let (mut up, create) = copied(extra(&[
            ("TaggingDirective", "REPLACE"),
            ("Tagging", "a=1&b%20c=x+y&empty&=&"),
            ("MetadataDirective", "REPLACE"),
            ("ContentType", "image/png"),
        ]));
        assert_eq!(create["ContentType"].as_str(), Some("image/png"));
        assert!(create.get("Metadata").is_none() && create.get("Tagging").is_none());
        let put = up.next_job().unwrap();
        let (op, p) = call(&put);
        assert_eq!(op, "PutObjectTagging");
        let set: Vec<(&str, &str)> = p["Tagging"]["TagSet"]
            .as_list()
            .unwrap()
            .iter()
            .map(|t| (t["Key"].as_str().unwrap(), t["Value"].as_str().unwrap()))
            .collect();
        assert_eq!(set, [("a", "1"), ("b c", "x y"), ("empty", ""), ("", "")]);

        // Copying a multipart copy's annotations is refused, not skipped; a single CopyObject
        // takes the directive as it is.
        let annotations = extra(&[("AnnotationDirective", "COPY")]);
        let source = params! {"Bucket": "src", "Key": "a"};
        let refused = Upload::copy(
            source.clone(),
            &source_head(6 * MIB),
            "b",
            "k",
            annotations.clone(),
            &config(),
        );
        assert!(matches!(
            refused,
            Err(Error::Transfer(TransferError::Unsupported { .. }))
        ));
        let mut small =
            Upload::copy(source, &source_head(10), "b", "k", annotations, &config()).unwrap();
        let put = small.next_job().unwrap();
        assert_eq!(call(&put).1["AnnotationDirective"].as_str(), Some("COPY"));

        // A failed tag call fails the copy.
        let (mut up, _) = copied(extra(&[("TaggingDirective", "COPY")]));
        let get = up.next_job().unwrap();
        up.handle(get.id, Outcome::Called(Err(Error::MachineMisuse("denied"))));
        assert!(up.finish().unwrap().is_err());
    }

    #[test]
    fn debug_hides_sse_c_keys() {
        let mut extra = Map::default();
        extra.insert("SSECustomerKey".into(), Value::from("key-one-secret"));
        extra.insert(
            "CopySourceSSECustomerKey".into(),
            Value::from("key-two-secret"),
        );
        extra.insert("SSECustomerAlgorithm".into(), Value::from("AES256"));
        let source = params! {"Bucket": "src", "Key": "a"};
        let mut up =
            Upload::copy(source, &source_head(6 * MIB), "b", "k", extra, &config()).unwrap();
        let create = up.next_job().unwrap();
        up.handle(create.id, ok(params! {"UploadId": "u1"}));
        let part = up.next_job().unwrap();
        assert!(call(&part).1["SSECustomerKey"].as_str() == Some("key-one-secret"));
        for shown in [format!("{up:?}"), format!("{part:?}")] {
            assert!(!shown.contains("-secret"), "{shown}");
            assert!(
                shown.contains("<hidden>") && shown.contains("AES256"),
                "{shown}"
            );
        }
    }

    fn read_max(job: &Job) -> u64 {
        match job.kind {
            JobKind::Read { max } => max,
            ref other => panic!("not a read: {other:?}"),
        }
    }

    #[test]
    fn a_small_stream_is_one_put_of_its_bytes() {
        let mut up = Upload::stream("b", "k", Map::default(), &TransferConfig::new());
        let read = up.next_job().unwrap();
        // Up to the threshold, in whole parts (8 MiB).
        assert_eq!(read_max(&read), 8 * MIB);
        assert!(up.next_job().is_none());
        up.handle(
            read.id,
            Outcome::Read(Ok(bytes::Bytes::from_static(b"tiny"))),
        );
        let put = up.next_job().unwrap();
        let (op, p) = call(&put);
        assert_eq!(
            (op, p["Body"].as_blob().map(|b| &b[..])),
            ("PutObject", Some(&b"tiny"[..]))
        );
    }

    #[test]
    fn a_long_stream_is_read_a_part_at_a_time_with_bounded_parts_held() {
        let cfg = config().concurrency(2);
        let mut up = Upload::stream("b", "k", Map::default(), &cfg);
        let read = up.next_job().unwrap();
        assert_eq!(read_max(&read), 5 * MIB, "a 5 MiB threshold is one part");
        up.handle(
            read.id,
            Outcome::Read(Ok(bytes::Bytes::from(vec![1u8; 5 * MIB as usize]))),
        );
        let parts = created(&mut up);
        // Part 1 is sent and part 2 read side by side; no more reads while three parts are held.
        assert_eq!(call(&parts[0]).0, "UploadPart");
        let read = &parts[1];
        assert_eq!(read_max(read), 5 * MIB);
        assert_eq!(parts.len(), 2);
        up.handle(
            read.id,
            Outcome::Read(Ok(bytes::Bytes::from(vec![2u8; 5 * MIB as usize]))),
        );
        let part2 = up.next_job().unwrap();
        assert_eq!(call(&part2).1["PartNumber"].as_i64(), Some(2));
        let read = up.next_job().unwrap();
        up.handle(
            read.id,
            Outcome::Read(Ok(bytes::Bytes::from(vec![3u8; 5 * MIB as usize]))),
        );
        let part3 = up.next_job().unwrap();
        assert!(
            up.next_job().is_none(),
            "three parts held: no read until one is stored"
        );
        up.handle(parts[0].id, ok(params! {"ETag": "e1"}));
        let read = up.next_job().unwrap();
        // The end: 10 bytes.
        up.handle(
            read.id,
            Outcome::Read(Ok(bytes::Bytes::from_static(b"0123456789"))),
        );
        let part4 = up.next_job().unwrap();
        let (_, p) = call(&part4);
        assert_eq!(p["Body"].as_blob().map(|b| b.len()), Some(10));
        for (job, n) in [(part2, 2), (part3, 3), (part4, 4)] {
            up.handle(job.id, ok(params! {"ETag": format!("e{n}")}));
        }
        let complete = up.next_job().unwrap();
        assert_eq!(
            call(&complete).1["MultipartUpload"]["Parts"]
                .as_list()
                .unwrap()
                .len(),
            4
        );
        assert_eq!(up.progress().bytes_total, 15 * MIB + 10);
    }

    #[test]
    fn a_failing_stream_aborts_the_upload() {
        let mut up = Upload::stream("b", "k", Map::default(), &config());
        let read = up.next_job().unwrap();
        up.handle(
            read.id,
            Outcome::Read(Ok(bytes::Bytes::from(vec![1u8; 5 * MIB as usize]))),
        );
        let mut jobs = created(&mut up).into_iter();
        let (part, read) = (jobs.next().unwrap(), jobs.next().unwrap());
        up.handle(
            read.id,
            Outcome::Read(Err(std::io::ErrorKind::BrokenPipe.into())),
        );
        up.handle(part.id, ok(params! {"ETag": "e"}));
        let abort = up.next_job().unwrap();
        assert_eq!(call(&abort).0, "AbortMultipartUpload");
        up.handle(abort.id, ok(params! {}));
        assert!(matches!(
            up.finish(),
            Some(Err(Error::Transfer(TransferError::File { .. })))
        ));
    }

    #[test]
    fn too_large_a_file_is_refused_before_anything_is_sent() {
        let size = plan::MAX_PARTS * plan::MAX_PART_SIZE + 1;
        assert!(matches!(
            Upload::new("b", "k", "/f".into(), size, Map::default(), &config(), None),
            Err(Error::Transfer(TransferError::TooLarge { .. }))
        ));
    }
}
