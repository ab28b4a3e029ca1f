//! Running a [`TransferMachine`] over any transport, and the client methods that start one
//! ([`Client::upload_file`], [`Client::resume_upload_file`], [`Client::download_file`],
//! [`Client::copy_object`]), or clean up after one that was dropped
//! ([`Client::abort_interrupted_uploads`]).
//!
//! Dropping a transfer's future stops it where it is: nothing runs after the drop, because the
//! core spawns nothing and a `Drop` cannot wait for a request. A multipart upload dropped midway
//! therefore stays at S3 with the parts already sent, until [`Client::resume_upload_file`] takes
//! it up again or [`Client::abort_interrupted_uploads`] aborts it. To stop an upload *and* abort
//! it in one go, cancel its [`CancelToken`](super::CancelToken) and let the future finish: it
//! waits for the parts in flight, sends AbortMultipartUpload and ends in `Cancelled`.
//!
//! Concurrency is a pool of `concurrency` workers, each taking the machine's next job, running
//! it and reporting its outcome, joined by [`Transport::join_all`] (one task on async runtimes,
//! one thread per worker on the blocking one). A worker with nothing to take stops; when the
//! machine says parallel work just opened up (after CreateMultipartUpload, after the download's
//! HeadObject), the round ends and a full pool starts again. Memory stays bounded by the pool:
//! an upload part is a file range the transport streams, a download range is written out in
//! pieces of [`WRITE_CHUNK`] bytes as it arrives.

use std::borrow::Cow;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use bytes::BytesMut;

use crate::checksum::{Checksum, ChecksumAlgorithm, ChecksumValue};
use crate::error::Error;
use crate::runtime::{Client, Transport};
use crate::value::{Map, Value};

use super::download::{Download, DOWNLOAD_EXTRA};
use super::upload::{source_object, Upload, COPY_EXTRA, COPY_HEAD_ARGS, UPLOAD_EXTRA};
use super::{
    file_error, FileJob, FileOutput, Job, JobKind, Outcome, Progress, TransferConfig,
    TransferError, TransferMachine,
};

/// Extra arguments ListMultipartUploads and AbortMultipartUpload take from a transfer's.
const LIST_UPLOADS_ARGS: &[&str] = &["ExpectedBucketOwner", "RequestPayer"];

/// A multipart upload still open at S3.
#[derive(Debug)]
struct OpenUpload {
    upload_id: String,
    initiated: Option<crate::time::Timestamp>,
    algorithm: Option<String>,
}

/// How many bytes of a ranged GET are gathered before they are written to the file.
pub const WRITE_CHUNK: usize = 1024 * 1024;

fn lock<M>(m: &Mutex<M>) -> MutexGuard<'_, M> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The members of `extra` (a map of S3 arguments, or null).
fn extra_map(extra: Value) -> Result<Map, Error> {
    match extra {
        Value::Null => Ok(Map::default()),
        Value::Map(m) => Ok(m),
        other => Err(Error::Transfer(TransferError::ExtraArguments {
            kind: other.kind(),
        })),
    }
}

/// A transfer's extra arguments, every name checked against what `transfer` takes
/// (`allowed`): all the unknown ones are refused together, as s3transfer refuses them, rather
/// than left out of the calls unsaid.
fn checked_extra(
    extra: Value,
    transfer: &'static str,
    allowed: &[&[&'static str]],
) -> Result<Map, Error> {
    let extra = extra_map(extra)?;
    let takes = |name: &str| allowed.iter().any(|list| list.contains(&name));
    let names: Vec<String> = extra
        .keys()
        .filter(|name| !takes(name.as_str()))
        .map(|name| name.to_string())
        .collect();
    if names.is_empty() {
        return Ok(extra);
    }
    Err(TransferError::UnknownExtraArguments {
        transfer,
        names,
        allowed: allowed
            .iter()
            .flat_map(|list| list.iter().copied())
            .collect(),
    }
    .into())
}

/// An upload's or copy's extra arguments checked, and its configuration with the checksum
/// algorithm their `ChecksumAlgorithm` chooses, if they name one (as s3transfer takes it; it
/// stays among them for the calls that repeat it). A null one is left out.
fn upload_extra<'c>(
    extra: Value,
    transfer: &'static str,
    allowed: &[&[&'static str]],
    config: &'c TransferConfig,
) -> Result<(Map, Cow<'c, TransferConfig>), Error> {
    let mut extra = checked_extra(extra, transfer, allowed)?;
    if extra.get("ChecksumAlgorithm").is_some_and(Value::is_null) {
        extra.shift_remove("ChecksumAlgorithm");
    }
    let Some(chosen) = extra.get("ChecksumAlgorithm") else {
        return Ok((extra, Cow::Borrowed(config)));
    };
    let name = chosen.as_str().unwrap_or_default();
    let algorithm = name
        .parse::<ChecksumAlgorithm>()
        .map_err(TransferError::from)?;
    let mut config = config.clone();
    config.checksum_algorithm = algorithm;
    Ok((extra, Cow::Owned(config)))
}

impl<T: Transport> Client<T> {
    /// Upload the file at `path` to `bucket`/`key` (boto3's `upload_file`): one PutObject below
    /// `config.multipart_threshold`, else a multipart upload with `config.concurrency` parts in
    /// flight, aborted if it fails or is cancelled. `extra` holds further PutObject arguments
    /// (`StorageClass`, `ServerSideEncryption`, `Metadata`, `ContentType`, SSE-C keys, …) or is
    /// [`Value::Null`]. The result is PutObject's or CompleteMultipartUpload's.
    pub fn upload_file<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        path: impl AsRef<Path>,
        extra: Value,
        config: &'a TransferConfig,
    ) -> T::Run<'a, Result<Value, Error>> {
        let path = path.as_ref().to_owned();
        T::run(async move {
            self.upload_async(bucket, key, path, extra, config, None)
                .await
        })
    }

    /// Take up an interrupted multipart upload of the file at `path` to `bucket`/`key` (a
    /// process that stopped, a dropped future): the upload is found by ListMultipartUploads
    /// (the latest one of this key using this checksum algorithm), the parts S3 already has
    /// (ListParts) are kept when their size and checksum are the file's, the others sent, then
    /// the upload is completed (or aborted if it fails). With no such upload, the file is
    /// uploaded afresh, as by [`upload_file`](Self::upload_file).
    pub fn resume_upload_file<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        path: impl AsRef<Path>,
        extra: Value,
        config: &'a TransferConfig,
    ) -> T::Run<'a, Result<Value, Error>> {
        let path = path.as_ref().to_owned();
        T::run(async move {
            let (extra_args, chosen) =
                upload_extra(extra.clone(), "an upload", UPLOAD_EXTRA, config)?;
            let uploads = self.interrupted_uploads(bucket, key, &extra_args).await?;
            let wanted = chosen.checksum_algorithm.name();
            let latest = uploads
                .into_iter()
                .filter(|u| u.algorithm.as_deref().is_none_or(|a| a == wanted))
                .max_by_key(|u| u.initiated);
            self.upload_async(
                bucket,
                key,
                path,
                extra,
                config,
                latest.map(|u| u.upload_id),
            )
            .await
        })
    }

    /// Take up the multipart upload `upload_id` of the file at `path` again, as
    /// [`resume_upload_file`](Self::resume_upload_file) does with the one it finds.
    pub fn resume_upload_id<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        path: impl AsRef<Path>,
        upload_id: &'a str,
        extra: Value,
        config: &'a TransferConfig,
    ) -> T::Run<'a, Result<Value, Error>> {
        let path = path.as_ref().to_owned();
        T::run(async move {
            self.upload_async(
                bucket,
                key,
                path,
                extra,
                config,
                Some(upload_id.to_string()),
            )
            .await
        })
    }

    /// Abort every multipart upload of `bucket`/`key` still open (what a dropped upload future
    /// leaves: see the module doc), so none of their parts stay stored; the number aborted.
    /// `extra`: `ExpectedBucketOwner`, `RequestPayer`.
    pub fn abort_interrupted_uploads<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        extra: Value,
    ) -> T::Run<'a, Result<usize, Error>> {
        T::run(async move {
            let extra = checked_extra(extra, "aborting uploads", &[LIST_UPLOADS_ARGS])?;
            let uploads = self.interrupted_uploads(bucket, key, &extra).await?;
            for upload in &uploads {
                let mut m = Map::default();
                m.insert("Bucket".into(), Value::from(bucket));
                m.insert("Key".into(), Value::from(key));
                m.insert("UploadId".into(), Value::from(&upload.upload_id));
                let params = super::with_extra(m, &extra, LIST_UPLOADS_ARGS);
                self.call_async("AbortMultipartUpload", params).await?;
            }
            Ok(uploads.len())
        })
    }

    /// The multipart uploads of exactly `key` still open in `bucket`, every page of them.
    async fn interrupted_uploads(
        &self,
        bucket: &str,
        key: &str,
        extra: &Map,
    ) -> Result<Vec<OpenUpload>, Error> {
        let mut found = Vec::new();
        let mut markers: Option<(Value, Value)> = None;
        loop {
            let mut m = Map::default();
            m.insert("Bucket".into(), Value::from(bucket));
            m.insert("Prefix".into(), Value::from(key));
            if let Some((key_marker, id_marker)) = markers.take() {
                m.insert("KeyMarker".into(), key_marker);
                m.insert("UploadIdMarker".into(), id_marker);
            }
            let params = super::with_extra(m, extra, LIST_UPLOADS_ARGS);
            let page = self.call_async("ListMultipartUploads", params).await?;
            for upload in page
                .get("Uploads")
                .and_then(Value::as_list)
                .unwrap_or_default()
            {
                let (Some(k), Some(id)) = (
                    upload.get("Key").and_then(Value::as_str),
                    upload.get("UploadId").and_then(Value::as_str),
                ) else {
                    continue;
                };
                if k != key {
                    continue;
                }
                found.push(OpenUpload {
                    upload_id: id.to_string(),
                    // Parsed, or as the wire has it (a client that keeps timestamps so).
                    initiated: upload.get("Initiated").and_then(Value::to_timestamp),
                    algorithm: upload
                        .get("ChecksumAlgorithm")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                });
            }
            let truncated = page.get("IsTruncated").and_then(Value::as_bool) == Some(true);
            match (
                page.get("NextKeyMarker").filter(|_| truncated),
                page.get("NextUploadIdMarker"),
            ) {
                (Some(k), Some(id)) => markers = Some((k.clone(), id.clone())),
                _ => return Ok(found),
            }
        }
    }

    /// Download `bucket`/`key` into the file at `path` (boto3's `download_file`): ranged GETs
    /// in parallel above `config.multipart_threshold`, into `<path>.sansboto-partial`, checked
    /// against the object's checksum, then renamed over `path`. A download that fails or is
    /// cancelled leaves the partial file and its record, and the next download of the same
    /// object to `path` fetches only what is missing. `extra`: `VersionId`, SSE-C keys, … The
    /// result is HeadObject's.
    pub fn download_file<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        path: impl AsRef<Path>,
        extra: Value,
        config: &'a TransferConfig,
    ) -> T::Run<'a, Result<Value, Error>> {
        let path = path.as_ref().to_owned();
        T::run(async move {
            let extra = checked_extra(extra, "a download", DOWNLOAD_EXTRA)?;
            let machine = Download::new(bucket, key, path, extra, config);
            drive_transfer(self, machine, config).await
        })
    }

    /// Copy the object `copy_source` (`{"Bucket", "Key", "VersionId"?}`) to `bucket`/`key`
    /// (boto3's `copy`): HeadObject gives its size; CopyObject below the threshold, else a
    /// multipart upload of UploadPartCopy ranges, aborted if it fails, which keeps the source's
    /// content headers and metadata, and its tags with `TaggingDirective: COPY`, as s3transfer
    /// does (see [`Upload::copy`]). `extra`: further CopyObject arguments (`MetadataDirective`,
    /// `StorageClass`, …); one a copy does not take is refused.
    pub fn copy_object<'a>(
        &'a self,
        copy_source: Value,
        bucket: &'a str,
        key: &'a str,
        extra: Value,
        config: &'a TransferConfig,
    ) -> T::Run<'a, Result<Value, Error>> {
        T::run(async move {
            let (extra, config) = upload_extra(extra, "a copy", COPY_EXTRA, config)?;
            let mut head = source_object(&copy_source);
            // The source's conditions, SSE-C key and payer go to its HeadObject too, under
            // HeadObject's names, as s3transfer sends them.
            for (copy_name, head_name) in COPY_HEAD_ARGS {
                if let Some(v) = extra.get(*copy_name) {
                    head.insert((*head_name).into(), v.clone());
                }
            }
            let source = self.call_async("HeadObject", Value::Map(head)).await?;
            let machine = Upload::copy(copy_source, &source, bucket, key, extra, &config)?;
            drive_transfer(self, machine, &config).await
        })
    }

    /// [`copy_object`](Self::copy_object) of a source whose size and ETag the caller already
    /// has (from a listing, or its own HeadObject), as s3transfer copies when given them (its
    /// `provide_transfer_size` and `provide_object_etag`, which aws-cli's `s3 cp` between
    /// buckets gives it): no HeadObject, so a multipart copy keeps none of the source's content
    /// headers and metadata. Its CreateMultipartUpload has those of `extra` under
    /// `MetadataDirective: REPLACE`, and none of them otherwise (s3transfer's rule); a copy
    /// below the threshold is one CopyObject with `extra`, as before. `etag` still guards each
    /// UploadPartCopy (`CopySourceIfMatch`).
    #[allow(clippy::too_many_arguments)]
    pub fn copy_object_sized<'a>(
        &'a self,
        copy_source: Value,
        size: u64,
        etag: Option<&'a str>,
        bucket: &'a str,
        key: &'a str,
        extra: Value,
        config: &'a TransferConfig,
    ) -> T::Run<'a, Result<Value, Error>> {
        T::run(async move {
            let (extra, config) = upload_extra(extra, "a copy", COPY_EXTRA, config)?;
            let mut known = Map::default();
            known.insert("ContentLength".into(), Value::from(size));
            if let Some(etag) = etag {
                known.insert("ETag".into(), Value::from(etag));
            }
            let known = Value::Map(known);
            let machine = Upload::copy(copy_source, &known, bucket, key, extra, &config)?;
            drive_transfer(self, machine, &config).await
        })
    }

    /// Download `bucket`/`key` into `sink`, in order (boto3's `download_fileobj` on a stream):
    /// one streamed GetObject, since a writer takes its bytes in order, its full-object
    /// checksum checked as it streams (`ChecksumMode`, botocore's default); memory stays at one
    /// chunk. Progress and cancellation as for [`download_file`](Self::download_file).
    pub fn download_to<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        extra: Value,
        sink: &'a mut (dyn FnMut(&[u8]) -> std::io::Result<()> + Send),
        config: &'a TransferConfig,
    ) -> T::Run<'a, Result<Value, Error>> {
        T::run(async move {
            let mut params = Map::default();
            params.insert("Bucket".into(), Value::from(bucket));
            params.insert("Key".into(), Value::from(key));
            let extra = checked_extra(extra, "a download", DOWNLOAD_EXTRA)?;
            let params = super::with_extra(params, &extra, super::download::GET_ARGS);
            let mut output = self.call_async("GetObject", params).await?;
            let total = output
                .get("ContentLength")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                .max(0) as u64;
            let stream = output
                .get("Body")
                .and_then(Value::as_stream)
                .and_then(|s| s.take::<T::ResponseBody>());
            let mut body = match (stream, output.get("Body")) {
                (Some(body), _) => Ok(body),
                (None, Some(Value::Blob(bytes))) => Err(Some(bytes.clone())),
                (None, _) => Err(None),
            };
            let mut done = 0u64;
            loop {
                if config.cancel.is_cancelled() {
                    return Err(TransferError::Cancelled {
                        key: key.to_string(),
                    }
                    .into());
                }
                let chunk = match &mut body {
                    Ok(stream) => self
                        .transport()
                        .read_chunk(stream)
                        .await
                        .map_err(Error::Transport)?,
                    Err(bytes) => bytes.take(),
                };
                let Some(chunk) = chunk else { break };
                sink(&chunk).map_err(|source| TransferError::Write {
                    key: key.to_string(),
                    source,
                })?;
                done += chunk.len() as u64;
                if let Some(callback) = &config.on_progress {
                    callback(&Progress::new(done, total.max(done), 0, 1));
                }
            }
            if let Some(callback) = &config.on_progress {
                callback(&Progress::new(done, total.max(done), 1, 1));
            }
            if let Value::Map(m) = &mut output {
                m.shift_remove("Body");
            }
            Ok(output)
        })
    }

    /// Upload what `reader` gives (a stream of unknown length: stdin, a socket, a generator) to
    /// `bucket`/`key` (boto3's `upload_fileobj`): one PutObject if it ends below the threshold,
    /// else a multipart upload whose parts are read one at a time as workers free up, so at
    /// most `concurrency + 1` parts are in memory; a failed part is sent again from memory.
    /// `reader` fills the buffer's start and gives `Ok(0)` at the end, as `Read::read` does.
    pub fn upload_from<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        reader: &'a mut StreamReader<'a>,
        extra: Value,
        config: &'a TransferConfig,
    ) -> T::Run<'a, Result<Value, Error>> {
        T::run(async move {
            let (extra, config) = upload_extra(extra, "an upload", UPLOAD_EXTRA, config)?;
            let machine = Upload::stream(bucket, key, extra, &config);
            drive_transfer_reading(self, machine, &config, Some(reader)).await
        })
    }

    async fn upload_async(
        &self,
        bucket: &str,
        key: &str,
        path: std::path::PathBuf,
        extra: Value,
        config: &TransferConfig,
        resume: Option<String>,
    ) -> Result<Value, Error> {
        let (extra, config) = upload_extra(extra, "an upload", UPLOAD_EXTRA, config)?;
        let size = match self.transport().file_job(FileJob::Len(path.clone())).await {
            Ok(FileOutput::Len(Some(n))) => n,
            Ok(_) => {
                let e = std::io::Error::from(std::io::ErrorKind::NotFound);
                return Err(file_error("reading", &path, e));
            }
            Err(e) => return Err(file_error("reading", &path, e)),
        };
        let machine = Upload::new(bucket, key, path, size, extra, &config, resume)?;
        drive_transfer(self, machine, &config).await
    }
}

/// What a stream upload reads from: fills the buffer's start, `Ok(0)` at the end (a
/// `Read::read`). Called on the worker that reads, so it may block briefly.
pub type StreamReader<'r> = dyn FnMut(&mut [u8]) -> std::io::Result<usize> + Send + 'r;

/// Run `machine` to its end over `client`'s transport.
pub async fn drive_transfer<T: Transport, M: TransferMachine>(
    client: &Client<T>,
    machine: M,
    config: &TransferConfig,
) -> Result<Value, Error> {
    drive_transfer_reading(client, machine, config, None).await
}

/// [`drive_transfer`], answering [`JobKind::Read`] from `reader`.
pub async fn drive_transfer_reading<T: Transport, M: TransferMachine>(
    client: &Client<T>,
    machine: M,
    config: &TransferConfig,
    reader: Option<&mut StreamReader<'_>>,
) -> Result<Value, Error> {
    let reader = reader.map(Mutex::new);
    let machine = Mutex::new(machine);
    let reported = Mutex::new(Progress::default());
    loop {
        let first = {
            let mut m = lock(&machine);
            if let Some(result) = m.finish() {
                return result;
            }
            if config.cancel.is_cancelled() {
                m.cancel();
            }
            match m.next_job() {
                Some(job) => job,
                None => {
                    return m.finish().unwrap_or_else(|| {
                        Err(Error::MachineMisuse(
                            "the transfer has nothing left to do but no result",
                        ))
                    })
                }
            }
        };
        let mut first = Some(first);
        // No transfer has more than `MAX_PARTS` parts or ranges to run at once: a larger
        // setting (up to `usize::MAX`) would only build idle workers, each a future in memory.
        let workers: Vec<_> = (0..config.concurrency.clamp(1, super::plan::MAX_PARTS as usize))
            .map(|_| {
                worker(
                    client,
                    &machine,
                    &reported,
                    config,
                    reader.as_ref(),
                    first.take(),
                )
            })
            .collect();
        client.transport().join_all(workers).await;
    }
}

/// Take jobs from `machine` and run them until none is left for this round.
async fn worker<T: Transport, M: TransferMachine>(
    client: &Client<T>,
    machine: &Mutex<M>,
    reported: &Mutex<Progress>,
    config: &TransferConfig,
    reader: Option<&Mutex<&mut StreamReader<'_>>>,
    mut first: Option<Job>,
) {
    loop {
        let job = match first.take() {
            Some(job) => job,
            None => {
                let mut m = lock(machine);
                if config.cancel.is_cancelled() {
                    m.cancel();
                }
                match m.next_job() {
                    Some(job) => job,
                    None => return,
                }
            }
        };
        let id = job.id;
        let outcome = run_job(client, job, reader).await;
        let (regroup, progress) = {
            let mut m = lock(machine);
            (m.handle(id, outcome), m.progress())
        };
        if let Some(callback) = &config.on_progress {
            // Reported under the lock, and only forward: workers finish in any order, and a
            // report computed earlier must not follow a later one.
            let mut last = lock(reported);
            let ahead = progress.bytes_done >= last.bytes_done
                && progress.parts_done >= last.parts_done
                && progress != *last;
            if ahead {
                *last = progress;
                callback(&progress);
            }
        }
        if regroup {
            return;
        }
    }
}

async fn run_job<T: Transport>(
    client: &Client<T>,
    job: Job,
    reader: Option<&Mutex<&mut StreamReader<'_>>>,
) -> Outcome {
    match job.kind {
        JobKind::Call { operation, params } => {
            Outcome::Called(client.call_async(operation, params).await)
        }
        JobKind::Fetch {
            params,
            path,
            offset,
            len,
            hash,
        } => Outcome::Fetched(fetch(client, params, &path, offset, len, hash).await),
        JobKind::File(job) => Outcome::File(client.transport().file_job(job).await),
        JobKind::Read { max } => Outcome::Read(match reader {
            Some(reader) => read_up_to(&mut **lock(reader), max),
            None => Err(std::io::Error::other("this transfer has no stream to read")),
        }),
    }
}

/// Up to `max` bytes from `reader`: fewer only at its end. The buffer grows as the bytes come
/// (from the default part size, doubling), so a large `max` (the multipart threshold, which
/// may be anything) costs only what the stream holds, as s3transfer's `read(threshold)` does.
fn read_up_to(reader: &mut StreamReader<'_>, max: u64) -> std::io::Result<bytes::Bytes> {
    const FIRST: usize = super::DEFAULT_PART_SIZE as usize;
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    let mut buf = BytesMut::zeroed(max.min(FIRST));
    let mut filled = 0;
    while filled < max {
        if filled == buf.len() {
            buf.resize(buf.len().saturating_mul(2).min(max), 0);
        }
        match reader(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n.min(buf.len() - filled),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf.freeze())
}

/// GetObject one range and write its body into `path` at `offset`, hashing it.
async fn fetch<T: Transport>(
    client: &Client<T>,
    params: Value,
    path: &Path,
    offset: u64,
    len: u64,
    hash: Option<ChecksumAlgorithm>,
) -> Result<Option<ChecksumValue>, Error> {
    let key = params["Key"].as_str().unwrap_or_default().to_string();
    let output = client.call_async("GetObject", params).await?;
    let transport = client.transport();
    let mut hasher = hash.map(Checksum::new);
    let mut pending = BytesMut::new();
    let mut written = offset;
    let mut received = 0u64;
    let short = |received| TransferError::ShortRange {
        key: key.clone(),
        offset,
        expected: len,
        received,
    };
    let mut body = match output.get("Body") {
        Some(Value::Blob(bytes)) => Err(Some(bytes.clone())),
        Some(value) => match value.as_stream().and_then(|s| s.take::<T::ResponseBody>()) {
            Some(body) => Ok(body),
            None => Err(None),
        },
        None => Err(None),
    };
    loop {
        let chunk = match &mut body {
            Ok(stream) => transport
                .read_chunk(stream)
                .await
                .map_err(Error::Transport)?,
            Err(bytes) => bytes.take(),
        };
        let done = chunk.is_none();
        if let Some(chunk) = chunk {
            received += chunk.len() as u64;
            if received > len {
                return Err(short(received).into());
            }
            if let Some(h) = &mut hasher {
                h.update(&chunk);
            }
            pending.extend_from_slice(&chunk);
        }
        if pending.len() >= WRITE_CHUNK || (done && !pending.is_empty()) {
            let piece = pending.split().freeze();
            let n = piece.len() as u64;
            transport
                .write_file_at(path.to_owned(), written, piece)
                .await
                .map_err(|e| file_error("writing", path, e))?;
            written += n;
        }
        if done {
            break;
        }
    }
    if received != len {
        return Err(short(received).into());
    }
    Ok(hasher.map(Checksum::finalize))
}
