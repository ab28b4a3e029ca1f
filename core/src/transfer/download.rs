//! The download of an object into a file: HeadObject (with `ChecksumMode=ENABLED`) gives its
//! size, ETag and checksum; ranged GETs (each `IfMatch` that ETag, so a replaced object fails
//! rather than mixing versions) write into `<dest>.sansboto-partial`, several at a time; the
//! ranges' CRCs combine into the object's checksum (full-object), or, for a composite one, ranges
//! follow the object's parts so their checksums compose as S3's did; then the partial file is
//! renamed over `dest`. Which ranges are in the partial file is kept beside it
//! (`<dest>.sansboto-partial.json`), so a download interrupted by an error, a cancellation or a
//! crash is taken up again from there by the next download of the same object to the same place.
//! A download that fails with an error removes both, leaving nothing, as s3transfer's does,
//! unless [`TransferConfig::keep_partial_download`] asks to keep them for a resume.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

use crate::checksum::{ChecksumAlgorithm, ChecksumValue};
use crate::error::Error;
use crate::value::{Map, Value};

use super::plan::{self, Part};
use super::{
    crc, file_error, with_extra, ExtraArgs, FileJob, FileOutput, Job, JobKind, Outcome, Progress,
    TransferConfig, TransferError, TransferMachine,
};

/// Extra arguments HeadObject and GetObject take (s3transfer's `ALLOWED_DOWNLOAD_ARGS`).
pub(crate) const GET_ARGS: &[&str] = &[
    "ChecksumMode",
    "VersionId",
    "SSECustomerAlgorithm",
    "SSECustomerKey",
    "SSECustomerKeyMD5",
    "RequestPayer",
    "ExpectedBucketOwner",
];

/// The extra arguments a download takes (s3transfer's download arguments).
pub(crate) const DOWNLOAD_EXTRA: &[&[&str]] = &[GET_ARGS];

/// The algorithms a stored object's checksum may use, in the order they are looked for.
const STORED_CHECKSUMS: [ChecksumAlgorithm; 5] = [
    ChecksumAlgorithm::Crc64Nvme,
    ChecksumAlgorithm::Crc32c,
    ChecksumAlgorithm::Crc32,
    ChecksumAlgorithm::Sha1,
    ChecksumAlgorithm::Sha256,
];

#[derive(Clone, Copy, Debug)]
enum Task {
    Head,
    HeadPart,
    ReadState,
    Prepare,
    Range(usize),
    SaveState,
    Rename,
    Cleanup,
    /// `HeadObject PartNumber=n` for the range at this index: is the part that range?
    Confirm(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Head,
    Waiting,
    HeadPart,
    ReadState,
    Prepare,
    Ranges,
    Confirm,
    Rename,
    Cleanup,
    Finished,
}

/// The object's checksum and how S3 made it.
#[derive(Clone, Debug)]
struct Expected {
    algorithm: ChecksumAlgorithm,
    value: String,
    composite: bool,
}

/// A download to a file (see the module doc).
#[derive(Debug)]
pub struct Download {
    bucket: String,
    key: String,
    extra: ExtraArgs,
    dest: PathBuf,
    partial: PathBuf,
    state: PathBuf,
    part_size: u64,
    threshold: u64,
    size: u64,
    etag: String,
    head: Value,
    expected: Option<Expected>,
    ranges: Vec<Part>,
    done: Vec<Option<Option<ChecksumValue>>>,
    pending: VecDeque<usize>,
    in_flight: HashMap<usize, Task>,
    next_id: usize,
    phase: Phase,
    state_dirty: bool,
    saving: bool,
    error: Option<Error>,
    cancelled: bool,
    result: Option<Result<Value, Error>>,
    /// A composite mismatch waiting for the part layout to be confirmed before it is reported.
    mismatch: Option<Error>,
    /// Keep the partial file and its record when the download fails, to resume from.
    keep_partial: bool,
    /// Ranges whose part is still to be asked for (confirming the layout).
    confirm: VecDeque<usize>,
    /// A part turned out not to be the range planned: the composite cannot be checked.
    layout_differs: bool,
}

/// The partial file beside `dest`.
pub fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".sansboto-partial");
    dest.with_file_name(name)
}

/// The record of a partial file's finished ranges beside it.
pub fn state_path(dest: &Path) -> PathBuf {
    let mut name = partial_path(dest)
        .file_name()
        .unwrap_or_default()
        .to_os_string();
    name.push(".json");
    dest.with_file_name(name)
}

impl Download {
    /// Download `bucket`/`key` into `dest`, with `extra` arguments (VersionId, SSE-C keys, …).
    pub fn new(
        bucket: &str,
        key: &str,
        dest: PathBuf,
        extra: Map,
        config: &TransferConfig,
    ) -> Download {
        Download {
            bucket: bucket.to_string(),
            key: key.to_string(),
            extra: ExtraArgs(extra),
            partial: partial_path(&dest),
            state: state_path(&dest),
            dest,
            part_size: config.part_size,
            threshold: config.multipart_threshold,
            size: 0,
            etag: String::new(),
            head: Value::Null,
            expected: None,
            ranges: Vec::new(),
            done: Vec::new(),
            pending: VecDeque::new(),
            in_flight: HashMap::new(),
            next_id: 0,
            phase: Phase::Head,
            state_dirty: false,
            saving: false,
            error: None,
            cancelled: false,
            result: None,
            mismatch: None,
            keep_partial: config.keep_partial_download,
            confirm: VecDeque::new(),
            layout_differs: false,
        }
    }

    fn start(&mut self, task: Task, kind: JobKind) -> Job {
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight.insert(id, task);
        Job { id, kind }
    }

    fn base(&self) -> Map {
        let mut m = Map::default();
        m.insert("Bucket".into(), Value::from(&self.bucket));
        m.insert("Key".into(), Value::from(&self.key));
        m
    }

    fn head_job(&mut self, part_number: Option<u32>) -> Job {
        let mut m = self.base();
        m.insert("ChecksumMode".into(), Value::from("ENABLED"));
        if let Some(n) = part_number {
            m.insert("PartNumber".into(), Value::from(n));
        }
        let params = with_extra(m, &self.extra, GET_ARGS);
        self.phase = Phase::Waiting;
        let task = if part_number.is_some() {
            Task::HeadPart
        } else {
            Task::Head
        };
        self.start(
            task,
            JobKind::Call {
                operation: "HeadObject",
                params,
            },
        )
    }

    fn range_job(&mut self, index: usize) -> Job {
        let range = self.ranges[index];
        let mut m = self.base();
        m.insert(
            "Range".into(),
            Value::from(format!(
                "bytes={}-{}",
                range.offset,
                range.offset + range.len - 1
            )),
        );
        m.insert("IfMatch".into(), Value::from(&self.etag));
        let params = with_extra(m, &self.extra, &GET_ARGS[1..]);
        let hash = self.expected.as_ref().map(|e| e.algorithm);
        self.start(
            Task::Range(index),
            JobKind::Fetch {
                params,
                path: self.partial.clone(),
                offset: range.offset,
                len: range.len,
                hash,
            },
        )
    }

    fn file_job(&mut self, task: Task, job: FileJob) -> Job {
        self.start(task, JobKind::File(job))
    }

    fn finish_with(&mut self, result: Result<Value, Error>) {
        self.result = Some(result);
        self.phase = Phase::Finished;
    }

    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Cut the object into ranges: along its parts when its checksum is composite (`part_len`
    /// from `HeadObject PartNumber=1`), else by the configured part size. Never more than
    /// [`plan::MAX_PARTS`] ranges, whatever size the server claims: an object beyond 10,000
    /// parts of 5 GiB (S3 stores none) is fetched in larger ranges, which a GET can take,
    /// rather than planned as billions of them.
    fn plan(&mut self, part_len: Option<u64>) {
        let range = match part_len {
            Some(len) if len > 0 => len,
            _ if self.size < self.threshold => self.size.max(1),
            _ => plan::part_size_for(self.part_size, self.size)
                .unwrap_or_else(|| self.size.div_ceil(plan::MAX_PARTS)),
        };
        self.ranges = if self.size == 0 {
            Vec::new()
        } else {
            plan::parts(self.size, range)
        };
        self.done = vec![None; self.ranges.len()];
    }

    /// The record of finished ranges, as JSON.
    fn state_json(&self) -> bytes::Bytes {
        let done: serde_json::Map<String, serde_json::Value> = self
            .done
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                d.as_ref()
                    .map(|c| (i.to_string(), c.map(|c| c.to_base64()).into()))
            })
            .collect();
        let state = serde_json::json!({
            "etag": self.etag, "size": self.size,
            "range": self.ranges.first().map(|r| r.len).unwrap_or(0), "done": done,
        });
        bytes::Bytes::from(state.to_string())
    }

    /// Take the finished ranges from a record left by an earlier download of this same object
    /// (same ETag, size and ranges); a record of anything else is ignored.
    fn restore(&mut self, record: &[u8]) {
        let Ok(state) = serde_json::from_slice::<serde_json::Value>(record) else {
            return;
        };
        let range = self.ranges.first().map(|r| r.len).unwrap_or(0);
        if state["etag"] != self.etag.as_str()
            || state["size"] != self.size
            || state["range"] != range
        {
            return;
        }
        let want_hash = self.expected.is_some();
        for (index, sum) in state["done"].as_object().into_iter().flatten() {
            let Some(index) = index.parse::<usize>().ok().filter(|&i| i < self.done.len()) else {
                continue;
            };
            let sum = sum.as_str().and_then(ChecksumValue::from_base64);
            if want_hash && sum.is_none() {
                continue;
            }
            self.done[index] = Some(sum);
        }
    }

    /// Check the ranges' checksums against the object's.
    fn verify(&self) -> Result<(), Error> {
        let Some(expected) = &self.expected else {
            return Ok(());
        };
        let sums: Option<Vec<ChecksumValue>> = self.done.iter().map(|d| d.flatten()).collect();
        let Some(sums) = sums else { return Ok(()) };
        let computed = if expected.composite {
            crc::composite(expected.algorithm, &sums)
        } else {
            let parts: Vec<_> = sums
                .into_iter()
                .zip(self.ranges.iter().map(|r| r.len))
                .collect();
            match crc::combine_full_object(expected.algorithm, &parts) {
                Some(c) => c.to_base64(),
                None if parts.len() == 1 => parts[0].0.to_base64(),
                None => return Ok(()),
            }
        };
        // moto writes a composite value without its `-N`: the digests are what must match.
        let digest = |v: &str| v.split('-').next().unwrap_or_default().to_string();
        if digest(&computed) == digest(&expected.value) {
            Ok(())
        } else {
            Err(TransferError::ChecksumMismatch {
                key: self.key.clone(),
                algorithm: expected.algorithm,
                expected: expected.value.clone(),
                computed,
            }
            .into())
        }
    }

    /// Take the object's size, ETag and checksum from HeadObject; `true` when its part layout
    /// must be asked for (`HeadObject PartNumber=1`): a composite checksum, or one whose type
    /// the answer does not say (moto's), is checked along the parts.
    fn read_head(&mut self, head: Value) -> Result<bool, Error> {
        let size = head.get("ContentLength").and_then(Value::as_i64).ok_or(
            TransferError::MissingMember {
                operation: "HeadObject",
                member: "ContentLength",
            },
        )?;
        self.size = size.max(0) as u64;
        self.etag = head
            .get("ETag")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let kind = head
            .get("ChecksumType")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let kind = kind.as_deref();
        self.expected = STORED_CHECKSUMS.iter().find_map(|&algorithm| {
            let value = head
                .get(&format!("Checksum{}", algorithm.name()))?
                .as_str()?;
            let composite = value.contains('-') || kind == Some("COMPOSITE");
            Some(Expected {
                algorithm,
                value: value.to_string(),
                composite,
            })
        });
        let layout_needed = self
            .expected
            .as_ref()
            .is_some_and(|e| e.composite || kind.is_none());
        self.head = head;
        Ok(layout_needed && self.size > 0)
    }

    /// Plan the ranges from the object's part layout (`HeadObject PartNumber=1`): along the
    /// parts for a composite checksum, when they are of even size as multipart uploads make
    /// them; otherwise the checksum is not checked.
    fn read_layout(&mut self, first_part: &Value) {
        let parts = first_part
            .get("PartsCount")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let len = first_part
            .get("ContentLength")
            .and_then(Value::as_i64)
            .map(|n| n.max(0) as u64);
        if parts <= 1 {
            // One part: the checksum is the CRC of the whole object, whatever its type says.
            if let Some(e) = &mut self.expected {
                e.composite = e.value.contains('-');
            }
            self.plan(None);
            return;
        }
        // Checked before planning: a layout that does not cut the object into `parts` parts of
        // `len` bytes (the server's figures, which may be anything) is not planned along.
        let even = len.is_some_and(|len| {
            len > 0 && i64::try_from(self.size.div_ceil(len)).is_ok_and(|n| n == parts)
        });
        if !even || parts as u64 > plan::MAX_PARTS {
            self.expected = None;
            self.plan(None);
            return;
        }
        if let Some(e) = &mut self.expected {
            e.composite = true;
        }
        self.plan(len);
    }

    fn ranges_job(&mut self) -> Option<Job> {
        if self.error.is_some() || self.cancelled {
            if self.cancelled && self.error.is_none() {
                self.error = Some(
                    TransferError::Cancelled {
                        key: self.key.clone(),
                    }
                    .into(),
                );
            }
            if !self.keep_partial {
                // Nothing is kept to resume from: once the ranges in flight end, the partial
                // file and its record go, as s3transfer removes its temporary file.
                if self.in_flight.is_empty() {
                    let e = self.error.take().expect("set above");
                    return self.conclude(Err(e));
                }
                return None;
            }
            if self.state_dirty && !self.saving {
                return Some(self.save_job());
            }
            if self.in_flight.is_empty() {
                let e = self.error.take().expect("set above");
                self.finish_with(Err(e));
            }
            return None;
        }
        if self.state_dirty && !self.saving {
            return Some(self.save_job());
        }
        if let Some(index) = self.pending.pop_front() {
            return Some(self.range_job(index));
        }
        if !self.in_flight.is_empty() {
            return None;
        }
        match self.verify() {
            Err(e) if self.expected.as_ref().is_some_and(|x| x.composite) => {
                // The ranges were cut along parts assumed even (as multipart uploads make
                // them), which HeadObject PartNumber=1 and PartsCount cannot prove: before a
                // mismatch is reported, each part is asked for its length. Parts laid out
                // otherwise mean the composite cannot be checked from these ranges (s3transfer
                // checks none): the download stands, unchecked, as it would there.
                self.mismatch = Some(e);
                self.confirm = (1..self.ranges.len()).collect();
                self.phase = Phase::Confirm;
                self.confirm_job()
            }
            verified => self.conclude(verified),
        }
    }

    /// Rename the checked partial file into place, or remove it after a mismatch.
    fn conclude(&mut self, verified: Result<(), Error>) -> Option<Job> {
        match verified {
            Ok(()) => {
                self.phase = Phase::Waiting;
                Some(self.file_job(
                    Task::Rename,
                    FileJob::Rename(self.partial.clone(), self.dest.clone()),
                ))
            }
            Err(e) => {
                // Bytes that do not match are not worth resuming from.
                self.error = Some(e);
                self.phase = Phase::Cleanup;
                Some(self.file_job(Task::Cleanup, FileJob::Remove(self.partial.clone())))
            }
        }
    }

    /// The next part to confirm the layout of; the conclusion once all have answered.
    fn confirm_job(&mut self) -> Option<Job> {
        if let Some(index) = self.confirm.pop_front() {
            let mut m = self.base();
            m.insert("PartNumber".into(), Value::from(index as u32 + 1));
            // No IfMatch: the ranges were each fetched under the ETag already, and moto
            // compares it with the part's own ETag.
            let params = with_extra(m, &self.extra, &GET_ARGS[1..]);
            return Some(self.start(
                Task::Confirm(index),
                JobKind::Call {
                    operation: "HeadObject",
                    params,
                },
            ));
        }
        if !self.in_flight.is_empty() {
            return None;
        }
        if let Some(e) = self.error.take() {
            return self.conclude(Err(e));
        }
        let mismatch = self.mismatch.take();
        match mismatch {
            Some(e) if !self.layout_differs => self.conclude(Err(e)),
            _ => self.conclude(Ok(())),
        }
    }

    fn save_job(&mut self) -> Job {
        self.state_dirty = false;
        self.saving = true;
        let contents = self.state_json();
        self.file_job(
            Task::SaveState,
            FileJob::Write(self.state.clone(), contents),
        )
    }
}

impl TransferMachine for Download {
    fn next_job(&mut self) -> Option<Job> {
        if self.cancelled
            && matches!(
                self.phase,
                Phase::Head | Phase::HeadPart | Phase::ReadState | Phase::Prepare
            )
        {
            self.finish_with(Err(TransferError::Cancelled {
                key: self.key.clone(),
            }
            .into()));
            return None;
        }
        match self.phase {
            Phase::Head => Some(self.head_job(None)),
            Phase::HeadPart => Some(self.head_job(Some(1))),
            Phase::ReadState => {
                self.phase = Phase::Waiting;
                Some(self.file_job(Task::ReadState, FileJob::Read(self.state.clone())))
            }
            Phase::Prepare => {
                self.phase = Phase::Waiting;
                Some(self.file_job(
                    Task::Prepare,
                    FileJob::SetLen(self.partial.clone(), self.size),
                ))
            }
            Phase::Ranges => self.ranges_job(),
            Phase::Confirm => self.confirm_job(),
            Phase::Rename => {
                self.phase = Phase::Waiting;
                Some(self.file_job(Task::Cleanup, FileJob::Remove(self.state.clone())))
            }
            Phase::Waiting | Phase::Cleanup | Phase::Finished => None,
        }
    }

    fn handle(&mut self, id: usize, outcome: Outcome) -> bool {
        let Some(task) = self.in_flight.remove(&id) else {
            return false;
        };
        match (task, outcome) {
            (Task::Head, Outcome::Called(Ok(head))) => match self.read_head(head) {
                Ok(true) => self.phase = Phase::HeadPart,
                Ok(false) => {
                    self.plan(None);
                    self.phase = Phase::ReadState;
                }
                Err(e) => self.finish_with(Err(e)),
            },
            (Task::HeadPart, Outcome::Called(Ok(first_part))) => {
                self.read_layout(&first_part);
                self.phase = Phase::ReadState;
            }
            (Task::Head | Task::HeadPart, Outcome::Called(Err(e))) => self.finish_with(Err(e)),
            (Task::ReadState, Outcome::File(read)) => {
                if let Ok(FileOutput::Contents(Some(record))) = read {
                    self.restore(&record);
                }
                self.pending = (0..self.ranges.len())
                    .filter(|&i| self.done[i].is_none())
                    .collect();
                self.phase = Phase::Prepare;
            }
            (Task::Prepare, Outcome::File(made)) => match made {
                Ok(_) => {
                    self.phase = Phase::Ranges;
                    return true;
                }
                Err(e) => self.finish_with(Err(file_error("preparing", &self.partial, e))),
            },
            (Task::Range(index), Outcome::Fetched(Ok(sum))) => {
                self.done[index] = Some(sum);
                self.state_dirty = true;
            }
            (Task::Range(_), Outcome::Fetched(Err(e))) => self.fail(e),
            (Task::Confirm(index), Outcome::Called(part)) => match part {
                Ok(part) => {
                    let len = part.get("ContentLength").and_then(Value::as_i64);
                    if len != Some(self.ranges[index].len as i64) {
                        self.layout_differs = true;
                    }
                }
                Err(e) => self.fail(e),
            },
            (Task::SaveState, Outcome::File(saved)) => {
                self.saving = false;
                if let Err(e) = saved {
                    self.fail(file_error("recording the progress in", &self.state, e));
                }
            }
            (Task::Rename, Outcome::File(renamed)) => match renamed {
                Ok(_) => self.phase = Phase::Rename,
                Err(e) => {
                    self.finish_with(Err(file_error("renaming the download to", &self.dest, e)))
                }
            },
            (Task::Cleanup, _) => {
                let result = match self.error.take() {
                    Some(e) => Err(e),
                    None => Ok(std::mem::take(&mut self.head)),
                };
                if result.is_err() && self.phase == Phase::Cleanup {
                    // The partial file is gone: so must its record be.
                    self.phase = Phase::Rename;
                    self.error = result.err();
                    return false;
                }
                self.finish_with(result)
            }
            (_, _) => self.finish_with(Err(Error::MachineMisuse(
                "a download task was answered with another task's outcome",
            ))),
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
        let done = self
            .ranges
            .iter()
            .zip(&self.done)
            .filter(|(_, d)| d.is_some());
        let (bytes, parts) = done.fold((0, 0), |(b, n), (r, _)| (b + r.len, n + 1));
        Progress {
            bytes_done: bytes,
            bytes_total: self.size,
            parts_done: parts,
            parts_total: self.ranges.len() as u32,
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
        TransferConfig::new().part_size(5 * MIB)
    }

    fn data(len: u64) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    fn next(d: &mut Download) -> Job {
        d.next_job().expect("a job")
    }

    /// HeadObject answered with `head`, the part layout with `first_part` if asked, no record
    /// of an earlier download (or `record`), the partial file made: the range jobs.
    fn started(
        d: &mut Download,
        head: Value,
        first_part: Option<Value>,
        record: Option<&[u8]>,
    ) -> Vec<Job> {
        let job = next(d);
        assert!(
            matches!(&job.kind, JobKind::Call { operation: "HeadObject", params } if params["ChecksumMode"].as_str() == Some("ENABLED"))
        );
        d.handle(job.id, Outcome::Called(Ok(head)));
        if let Some(part) = first_part {
            let job = next(d);
            assert!(
                matches!(&job.kind, JobKind::Call { params, .. } if params["PartNumber"].as_i64() == Some(1))
            );
            d.handle(job.id, Outcome::Called(Ok(part)));
        }
        let job = next(d);
        assert_eq!(
            job_file(&job),
            &FileJob::Read(state_path(Path::new("/d/out")))
        );
        d.handle(
            job.id,
            Outcome::File(Ok(FileOutput::Contents(
                record.map(bytes::Bytes::copy_from_slice),
            ))),
        );
        let job = next(d);
        assert!(
            matches!(job_file(&job), FileJob::SetLen(p, _) if p == &partial_path(Path::new("/d/out")))
        );
        assert!(
            d.handle(job.id, Outcome::File(Ok(FileOutput::Done))),
            "ranges fan out"
        );
        std::iter::from_fn(|| d.next_job())
            .filter(|j| matches!(j.kind, JobKind::Fetch { .. }))
            .collect()
    }

    fn job_file(job: &Job) -> &FileJob {
        match &job.kind {
            JobKind::File(f) => f,
            other => panic!("not a file job: {other:?}"),
        }
    }

    fn fetch_range(job: &Job) -> (u64, u64) {
        match &job.kind {
            JobKind::Fetch {
                offset,
                len,
                params,
                ..
            } => {
                assert_eq!(params["IfMatch"].as_str(), Some("\"e\""));
                (*offset, *len)
            }
            other => panic!("not a fetch: {other:?}"),
        }
    }

    /// Answer every fetch with the CRC32 of its bytes of `bytes`; then the jobs that follow.
    fn fetch_all(d: &mut Download, jobs: Vec<Job>, bytes: &[u8]) -> Vec<Job> {
        let mut rest = Vec::new();
        for job in jobs {
            let (offset, len) = fetch_range(&job);
            let sum = checksum(
                ChecksumAlgorithm::Crc32,
                &bytes[offset as usize..(offset + len) as usize],
            );
            d.handle(job.id, Outcome::Fetched(Ok(Some(sum))));
        }
        while let Some(job) = d.next_job() {
            rest.push(job);
        }
        rest
    }

    #[test]
    fn a_full_object_checksum_is_checked_then_the_file_renamed_and_its_record_removed() {
        let bytes = data(12 * MIB);
        let whole = checksum(ChecksumAlgorithm::Crc32, &bytes).to_base64();
        let mut d = Download::new("b", "k", "/d/out".into(), Map::default(), &config());
        let head = params! {"ContentLength": 12 * MIB, "ETag": "\"e\"", "ChecksumCRC32": whole.as_str(), "ChecksumType": "FULL_OBJECT"};
        let ranges = started(&mut d, head, None, None);
        assert_eq!(
            ranges.iter().map(fetch_range).collect::<Vec<_>>(),
            [(0, 5 * MIB), (5 * MIB, 5 * MIB), (10 * MIB, 2 * MIB)]
        );
        // Each finished range is recorded (one record write at a time), then the rename.
        let mut jobs = fetch_all(&mut d, ranges, &bytes);
        let save = jobs.remove(0);
        assert!(
            matches!(job_file(&save), FileJob::Write(p, _) if p == &state_path(Path::new("/d/out")))
        );
        assert!(
            jobs.is_empty(),
            "nothing else while the record is written: {jobs:?}"
        );
        d.handle(save.id, Outcome::File(Ok(FileOutput::Done)));
        let rename = next(&mut d);
        assert_eq!(
            job_file(&rename),
            &FileJob::Rename(partial_path(Path::new("/d/out")), "/d/out".into())
        );
        d.handle(rename.id, Outcome::File(Ok(FileOutput::Done)));
        let remove = next(&mut d);
        assert_eq!(
            job_file(&remove),
            &FileJob::Remove(state_path(Path::new("/d/out")))
        );
        d.handle(remove.id, Outcome::File(Ok(FileOutput::Done)));
        assert_eq!(
            d.finish().unwrap().unwrap()["ContentLength"].as_i64(),
            Some(12 * MIB as i64)
        );
    }

    #[test]
    fn a_composite_checksum_is_checked_along_the_parts_and_a_mismatch_removes_the_partial_file() {
        let bytes = data(14 * MIB);
        let part = 7 * MIB;
        let sums: Vec<_> = bytes
            .chunks(part as usize)
            .map(|c| checksum(ChecksumAlgorithm::Crc32, c))
            .collect();
        let composite = crc::composite(ChecksumAlgorithm::Crc32, &sums);
        for (expected, ok) in [(composite.clone(), true), ("AAAAAA==-2".to_string(), false)] {
            let mut d = Download::new("b", "k", "/d/out".into(), Map::default(), &config());
            let head = params! {"ContentLength": 14 * MIB, "ETag": "\"e\"", "ChecksumCRC32": expected.as_str(), "ChecksumType": "COMPOSITE"};
            let ranges = started(
                &mut d,
                head,
                Some(params! {"ContentLength": part, "PartsCount": 2}),
                None,
            );
            assert_eq!(
                ranges.iter().map(fetch_range).collect::<Vec<_>>(),
                [(0, part), (part, part)]
            );
            let mut jobs = fetch_all(&mut d, ranges, &bytes);
            let save = jobs.remove(0);
            d.handle(save.id, Outcome::File(Ok(FileOutput::Done)));
            let mut after = next(&mut d);
            if ok {
                assert!(matches!(job_file(&after), FileJob::Rename(..)));
                continue;
            }
            // Part 2 is asked for: it is the range planned, so the mismatch is real.
            match &after.kind {
                JobKind::Call { operation, params } => {
                    assert_eq!(*operation, "HeadObject");
                    assert_eq!(params["PartNumber"].as_i64(), Some(2));
                }
                other => panic!("{other:?}"),
            }
            d.handle(
                after.id,
                Outcome::Called(Ok(params! {"ContentLength": part})),
            );
            after = next(&mut d);
            assert_eq!(
                job_file(&after),
                &FileJob::Remove(partial_path(Path::new("/d/out")))
            );
            d.handle(after.id, Outcome::File(Ok(FileOutput::Done)));
            let record = next(&mut d);
            assert_eq!(
                job_file(&record),
                &FileJob::Remove(state_path(Path::new("/d/out")))
            );
            d.handle(record.id, Outcome::File(Ok(FileOutput::Done)));
            assert!(matches!(
                d.finish(),
                Some(Err(Error::Transfer(TransferError::ChecksumMismatch { .. })))
            ));
        }
    }

    #[test]
    fn whatever_size_a_server_claims_at_most_ten_thousand_ranges_are_planned() {
        // Once a panic (`capacity overflow`) or an abort (24 GiB asked of the allocator): the
        // ranges were planned from the server's figures without a bound.
        let huge = i64::MAX as u64;
        let composite = |size: u64| params! {"ContentLength": size, "ETag": "\"e\"", "ChecksumCRC32": "AAAAAA==-2", "ChecksumType": "COMPOSITE"};
        let cases = [
            // A layout of 1-byte parts that does not even cut the object in two.
            (
                huge,
                composite(huge),
                Some(params! {"ContentLength": 1, "PartsCount": 2}),
            ),
            (
                1024 * MIB,
                composite(1024 * MIB),
                Some(params! {"ContentLength": 1, "PartsCount": 2}),
            ),
            // More parts than a multipart upload can have, evenly cut.
            (
                20_001,
                composite(20_001),
                Some(params! {"ContentLength": 2, "PartsCount": 10_001}),
            ),
            (huge, params! {"ContentLength": huge, "ETag": "\"e\""}, None),
        ];
        for (size, head, first_part) in cases {
            let mut d = Download::new("b", "k", "/d/out".into(), Map::default(), &config());
            let ranges = started(&mut d, head, first_part, None);
            assert!(!ranges.is_empty(), "{size}: ranges are fetched");
            assert!(
                d.ranges.len() as u64 <= plan::MAX_PARTS,
                "{size}: {}",
                d.ranges.len()
            );
            assert_eq!(d.ranges.iter().map(|r| r.len).sum::<u64>(), size);
            assert!(
                d.expected.is_none(),
                "{size}: that layout is not checked along"
            );
        }
    }

    #[test]
    fn parts_laid_out_otherwise_than_planned_are_never_reported_as_a_mismatch() {
        // Parts of 7, 3 and 7 MiB: PartNumber=1 (7 MiB) and PartsCount 3 fit ranges of 7, 7
        // and 3 MiB, so the ranges' CRCs are not the parts'. The composite of the real parts
        // is S3's checksum; the ranges' composite differs, and must not fail the download.
        let bytes = data(17 * MIB);
        let cuts = [0, 7 * MIB, 10 * MIB, 17 * MIB];
        let sums: Vec<_> = cuts
            .windows(2)
            .map(|w| {
                checksum(
                    ChecksumAlgorithm::Crc32,
                    &bytes[w[0] as usize..w[1] as usize],
                )
            })
            .collect();
        let composite = crc::composite(ChecksumAlgorithm::Crc32, &sums);
        let mut d = Download::new("b", "k", "/d/out".into(), Map::default(), &config());
        let head = params! {"ContentLength": 17 * MIB, "ETag": "\"e\"", "ChecksumCRC32": composite.as_str(), "ChecksumType": "COMPOSITE"};
        let ranges = started(
            &mut d,
            head,
            Some(params! {"ContentLength": 7 * MIB, "PartsCount": 3}),
            None,
        );
        let mut jobs = fetch_all(&mut d, ranges, &bytes);
        let save = jobs.remove(0);
        d.handle(save.id, Outcome::File(Ok(FileOutput::Done)));
        let confirms: Vec<_> = std::iter::from_fn(|| d.next_job()).collect();
        assert_eq!(confirms.len(), 2, "parts 2 and 3 are asked for");
        for (job, len) in confirms.iter().zip([3 * MIB, 7 * MIB]) {
            d.handle(job.id, Outcome::Called(Ok(params! {"ContentLength": len})));
        }
        let rename = next(&mut d);
        assert!(matches!(job_file(&rename), FileJob::Rename(..)));
    }

    #[test]
    fn a_record_of_the_same_object_skips_its_ranges_and_one_of_another_is_ignored() {
        let bytes = data(12 * MIB);
        let whole = checksum(ChecksumAlgorithm::Crc32, &bytes).to_base64();
        let head = params! {"ContentLength": 12 * MIB, "ETag": "\"e\"", "ChecksumCRC32": whole.as_str(), "ChecksumType": "FULL_OBJECT"};
        let first = checksum(ChecksumAlgorithm::Crc32, &bytes[..5 * MIB as usize]).to_base64();
        let record = serde_json::json!({"etag": "\"e\"", "size": 12 * MIB, "range": 5 * MIB, "done": {"0": first}}).to_string();
        let mut d = Download::new("b", "k", "/d/out".into(), Map::default(), &config());
        let ranges = started(&mut d, head.clone(), None, Some(record.as_bytes()));
        assert_eq!(
            ranges.iter().map(fetch_range).collect::<Vec<_>>(),
            [(5 * MIB, 5 * MIB), (10 * MIB, 2 * MIB)]
        );
        assert_eq!(d.progress().parts_done, 1);
        // The restored range's checksum counts: the whole still verifies.
        let mut jobs = fetch_all(&mut d, ranges, &bytes);
        let save = jobs.remove(0);
        d.handle(save.id, Outcome::File(Ok(FileOutput::Done)));
        assert!(matches!(job_file(&next(&mut d)), FileJob::Rename(..)));

        let stale = record.replace("\\\"e\\\"", "\\\"other\\\"");
        let mut d = Download::new("b", "k", "/d/out".into(), Map::default(), &config());
        assert_eq!(started(&mut d, head, None, Some(stale.as_bytes())).len(), 3);
    }

    #[test]
    fn by_default_a_failed_download_removes_its_partial_file_and_record() {
        // The default: nothing is left behind.
        let cfg = config();
        assert!(!cfg.keep_partial_download);
        let mut d = Download::new("b", "k", "/d/out".into(), Map::default(), &cfg);
        let head = params! {"ContentLength": 12 * MIB, "ETag": "\"e\""};
        let mut ranges = started(&mut d, head, None, None).into_iter();
        let (a, b) = (ranges.next().unwrap(), ranges.next().unwrap());
        d.handle(b.id, Outcome::Fetched(Err(io_error("reset"))));
        d.handle(a.id, Outcome::Fetched(Ok(None)));
        assert!(d.next_job().is_none(), "a range is still in flight");
        for job in ranges {
            d.handle(job.id, Outcome::Fetched(Ok(None)));
        }
        let remove = next(&mut d);
        assert_eq!(
            job_file(&remove),
            &FileJob::Remove(partial_path(Path::new("/d/out")))
        );
        d.handle(remove.id, Outcome::File(Ok(FileOutput::Done)));
        let record = next(&mut d);
        assert_eq!(
            job_file(&record),
            &FileJob::Remove(state_path(Path::new("/d/out")))
        );
        d.handle(record.id, Outcome::File(Ok(FileOutput::Done)));
        assert!(matches!(d.finish(), Some(Err(Error::Transport(e))) if e.message == "reset"));
    }

    #[test]
    fn asked_to_keep_it_a_failed_range_keeps_the_partial_file_and_its_record() {
        let cfg = config().keep_partial_download(true);
        let mut d = Download::new("b", "k", "/d/out".into(), Map::default(), &cfg);
        let head = params! {"ContentLength": 12 * MIB, "ETag": "\"e\""};
        let mut ranges = started(&mut d, head, None, None).into_iter();
        let (a, b) = (ranges.next().unwrap(), ranges.next().unwrap());
        d.handle(a.id, Outcome::Fetched(Ok(None)));
        d.handle(b.id, Outcome::Fetched(Err(io_error("reset"))));
        // The record of range 0 is written before the failure is reported.
        let save = next(&mut d);
        match job_file(&save) {
            FileJob::Write(_, json) => assert!(std::str::from_utf8(json)
                .unwrap()
                .contains("\"done\":{\"0\":null}")),
            other => panic!("{other:?}"),
        }
        assert!(d.finish().is_none(), "the write is in flight");
        d.handle(save.id, Outcome::File(Ok(FileOutput::Done)));
        for job in ranges {
            d.handle(job.id, Outcome::Fetched(Ok(None)));
        }
        let save = next(&mut d);
        d.handle(save.id, Outcome::File(Ok(FileOutput::Done)));
        assert!(d.next_job().is_none());
        assert!(matches!(d.finish(), Some(Err(Error::Transport(e))) if e.message == "reset"));
    }

    #[test]
    fn partial_and_record_live_beside_the_destination() {
        assert_eq!(
            partial_path(Path::new("/a/b.txt")),
            Path::new("/a/b.txt.sansboto-partial")
        );
        assert_eq!(
            state_path(Path::new("b.txt")),
            Path::new("b.txt.sansboto-partial.json")
        );
    }
}
