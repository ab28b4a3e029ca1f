//! S3 transfers end to end (issue 20), on every runtime, against moto: a multipart upload of a
//! file above the threshold and a ranged parallel download back (byte-identical, progress
//! reported, no partial file left), a small file in one PutObject, a cancelled upload leaving no
//! multipart upload behind, a cancelled download taken up again from its partial file, and an
//! interrupted multipart upload found by its key and completed (parts compared with the file),
//! an upload future dropped midway then resumed or aborted (async runtimes), and copies between
//! buckets (UploadPartCopy above the threshold, CopyObject below).
//!
//! One moto server serves the whole file (it takes seconds to start).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use sansboto_core::hooks::{Event, Target};
use sansboto_core::params;
use sansboto_core::transfer::download::{partial_path, state_path};
use sansboto_core::transfer::{CancelToken, Progress, TransferConfig, TransferError};
use sansboto_core::Error;
use sansboto_core::Value;
use sansboto_tests::moto::MotoServer;

const MIB: u64 = 1024 * 1024;
/// Five parts of 5 MiB, the last one short.
const BIG: u64 = 20 * MIB + 12_345;

/// `len` bytes that differ from part to part (a misplaced range shows).
fn content(len: u64, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sansboto-transfer-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn config() -> TransferConfig {
    TransferConfig::new().part_size(5 * MIB).concurrency(4)
}

/// Progress reports, recorded.
fn recording(config: TransferConfig) -> (TransferConfig, Arc<Mutex<Vec<Progress>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    (
        config.on_progress(move |p| log.lock().unwrap().push(*p)),
        seen,
    )
}

/// Counts the requests of each operation a client sends.
#[derive(Clone, Default)]
struct Counter(Arc<Mutex<Vec<String>>>);

impl Counter {
    fn count(&self, operation: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|o| *o == operation)
            .count()
    }
}

fn check_progress(seen: &[Progress], total: u64, parts: u32) {
    let last = seen.last().expect("progress was reported");
    assert_eq!(
        (last.bytes_done, last.bytes_total),
        (total, total),
        "{seen:?}"
    );
    assert_eq!((last.parts_done, last.parts_total), (parts, parts));
    assert!(
        seen.windows(2).all(|w| w[0].bytes_done <= w[1].bytes_done),
        "{seen:?}"
    );
}

fn assert_cancelled(result: Result<Value, Error>) {
    match result {
        Err(Error::Transfer(TransferError::Cancelled { .. })) => {}
        other => panic!("expected a cancellation, got {other:?}"),
    }
}

/// The same suite on each runtime: `$($aw)*` is `.await` on async ones, nothing on blocking.
macro_rules! suite {
    ($s3:expr, $counter:expr, $bucket:expr, $dir:expr, $($aw:tt)*) => {{
        let s3 = $s3;
        let counter: Counter = $counter;
        let bucket: &str = $bucket;
        let dir: PathBuf = $dir;
        s3.call("CreateBucket", params! {"Bucket": bucket}) $($aw)* .unwrap();

        // A multipart upload with checksums, then a ranged download of it.
        let data = content(BIG, 1);
        let src = dir.join("big.bin");
        write(&src, &data);
        let (cfg, seen) = recording(config());
        let put = s3
            .upload_file(bucket, "big.bin", &src, params! {"StorageClass": "STANDARD_IA"}, &cfg)
            $($aw)* .unwrap_or_else(|e| panic!("upload: {e}"));
        assert!(put["ETag"].as_str().unwrap().ends_with("-5\""), "{put:?}");
        check_progress(&seen.lock().unwrap(), BIG, 5);
        assert_eq!(counter.count("UploadPart"), 5);
        assert_eq!(counter.count("CompleteMultipartUpload"), 1);
        let uploads = s3.call("ListMultipartUploads", params! {"Bucket": bucket}) $($aw)* .unwrap();
        assert!(uploads["Uploads"].as_list().unwrap_or_default().is_empty(), "{uploads:?}");
        let head = s3.call("HeadObject", params! {"Bucket": bucket, "Key": "big.bin"}) $($aw)* .unwrap();
        assert_eq!(head["ContentLength"].as_i64(), Some(BIG as i64));
        assert_eq!(head["StorageClass"].as_str(), Some("STANDARD_IA"));

        let dest = dir.join("out").join("big.copy");
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        let (cfg, seen) = recording(config());
        let before = counter.count("GetObject");
        let got = s3
            .download_file(bucket, "big.bin", &dest, Value::Null, &cfg)
            $($aw)* .unwrap_or_else(|e| panic!("download: {e}"));
        assert_eq!(got["ContentLength"].as_i64(), Some(BIG as i64));
        assert!(std::fs::read(&dest).unwrap() == data, "the download differs from the upload");
        assert!(!partial_path(&dest).exists() && !state_path(&dest).exists());
        assert_eq!(counter.count("GetObject") - before, 5);
        check_progress(&seen.lock().unwrap(), BIG, 5);

        // A copy to another bucket: UploadPartCopy ranges above the threshold, CopyObject below.
        let other = format!("{bucket}-copies");
        s3.call("CreateBucket", params! {"Bucket": other.as_str()}) $($aw)* .unwrap();
        let (cfg, seen) = recording(config());
        s3.copy_object(params! {"Bucket": bucket, "Key": "big.bin"}, &other, "big.copy", Value::Null, &cfg)
            $($aw)* .unwrap_or_else(|e| panic!("copy: {e}"));
        assert_eq!(counter.count("UploadPartCopy"), 5);
        check_progress(&seen.lock().unwrap(), BIG, 5);
        let copied = dir.join("copied.bin");
        s3.download_file(&other, "big.copy", &copied, Value::Null, &config()) $($aw)* .unwrap();
        assert!(std::fs::read(&copied).unwrap() == data, "the copy differs");

        // Into a writer, in order, checked as it streams.
        let mut written = Vec::new();
        let mut sink = |chunk: &[u8]| -> std::io::Result<()> {
            written.extend_from_slice(chunk);
            Ok(())
        };
        let (cfg, seen) = recording(config());
        s3.download_to(bucket, "big.bin", Value::Null, &mut sink, &cfg) $($aw)* .unwrap();
        assert!(written == data, "the streamed download differs");
        check_progress(&seen.lock().unwrap(), BIG, 1);
        let mut refuse = |_: &[u8]| -> std::io::Result<()> { Err(std::io::ErrorKind::StorageFull.into()) };
        match s3.download_to(bucket, "big.bin", Value::Null, &mut refuse, &config()) $($aw)* {
            Err(Error::Transfer(TransferError::Write { .. })) => {}
            other => panic!("a failing writer: {other:?}"),
        }

        // From a reader of unknown length: multipart, read a part at a time.
        let mut cursor = std::io::Cursor::new(data.clone());
        let mut reader = |buf: &mut [u8]| std::io::Read::read(&mut cursor, buf);
        let parts = counter.count("UploadPart");
        s3.upload_from(bucket, "streamed", &mut reader, Value::Null, &config()) $($aw)* .unwrap();
        assert_eq!(counter.count("UploadPart") - parts, 5);
        let back = dir.join("streamed.check");
        s3.download_file(bucket, "streamed", &back, Value::Null, &config()) $($aw)* .unwrap();
        assert!(std::fs::read(&back).unwrap() == data, "the streamed upload differs");

        // Below the threshold: one PutObject, one GET.
        let small = content(1000, 2);
        write(&dir.join("small"), &small);
        let puts = counter.count("PutObject");
        s3.upload_file(bucket, "small", dir.join("small"), Value::Null, &config()) $($aw)* .unwrap();
        assert_eq!(counter.count("PutObject"), puts + 1);
        s3.download_file(bucket, "small", dir.join("small.copy"), Value::Null, &config()) $($aw)* .unwrap();
        assert_eq!(std::fs::read(dir.join("small.copy")).unwrap(), small);
        s3.copy_object(params! {"Bucket": bucket, "Key": "small"}, &other, "small", Value::Null, &config())
            $($aw)* .unwrap();
        assert_eq!(counter.count("CopyObject"), 1);
        s3.download_file(&other, "small", dir.join("small.copied"), Value::Null, &config()) $($aw)* .unwrap();
        assert_eq!(std::fs::read(dir.join("small.copied")).unwrap(), small);
        // An empty object.
        write(&dir.join("empty"), b"");
        s3.upload_file(bucket, "empty", dir.join("empty"), Value::Null, &config()) $($aw)* .unwrap();
        s3.download_file(bucket, "empty", dir.join("empty.copy"), Value::Null, &config()) $($aw)* .unwrap();
        assert_eq!(std::fs::read(dir.join("empty.copy")).unwrap(), b"");

        // Cancelled after the first part: the upload is aborted, nothing stays behind.
        let token = CancelToken::new();
        let cancel = token.clone();
        let cfg = config()
            .concurrency(1)
            .cancel_token(token)
            .on_progress(move |p| if p.parts_done >= 1 { cancel.cancel() });
        let aborts = counter.count("AbortMultipartUpload");
        assert_cancelled(s3.upload_file(bucket, "cancelled", &src, Value::Null, &cfg) $($aw)*);
        assert_eq!(counter.count("AbortMultipartUpload"), aborts + 1);
        let uploads = s3.call("ListMultipartUploads", params! {"Bucket": bucket}) $($aw)* .unwrap();
        assert!(uploads["Uploads"].as_list().unwrap_or_default().is_empty(), "{uploads:?}");
        let missing = s3.call("HeadObject", params! {"Bucket": bucket, "Key": "cancelled"}) $($aw)*;
        assert!(missing.is_err(), "{missing:?}");

        // A download cancelled after two ranges leaves nothing behind by default.
        let dest = dir.join("resumed.bin");
        let token = CancelToken::new();
        let cancel = token.clone();
        let cfg = config()
            .concurrency(1)
            .cancel_token(token)
            .on_progress(move |p| if p.parts_done >= 2 { cancel.cancel() });
        assert_cancelled(s3.download_file(bucket, "big.bin", &dest, Value::Null, &cfg) $($aw)*);
        assert!(!dest.exists() && !partial_path(&dest).exists() && !state_path(&dest).exists());

        // Asked to keep its partial file, it is taken up again: only the rest is fetched.
        let token = CancelToken::new();
        let cancel = token.clone();
        let cfg = config()
            .keep_partial_download(true)
            .concurrency(1)
            .cancel_token(token)
            .on_progress(move |p| if p.parts_done >= 2 { cancel.cancel() });
        assert_cancelled(s3.download_file(bucket, "big.bin", &dest, Value::Null, &cfg) $($aw)*);
        assert!(partial_path(&dest).exists() && state_path(&dest).exists());
        assert!(!dest.exists());
        let before = counter.count("GetObject");
        let (cfg, seen) = recording(config());
        s3.download_file(bucket, "big.bin", &dest, Value::Null, &cfg) $($aw)* .unwrap();
        assert_eq!(counter.count("GetObject") - before, 3, "two of five ranges were there");
        assert!(std::fs::read(&dest).unwrap() == data, "the resumed download differs");
        assert!(!partial_path(&dest).exists() && !state_path(&dest).exists());
        // The ranges already there count from the start.
        let first = seen.lock().unwrap().iter().find(|p| p.parts_done > 0).copied();
        assert_eq!(first.map(|p| (p.parts_done, p.bytes_done)), Some((2, 10 * MIB)));

        // An upload interrupted after its first two parts (part 2 of other bytes since: the file
        // changed), taken up again: the upload is found by its key, part 1 is kept, part 2 is
        // compared with the file and sent again. Another key's upload is not touched.
        let created = s3
            .call("CreateMultipartUpload", params! {"Bucket": bucket, "Key": "resumed", "ChecksumAlgorithm": "CRC32"})
            $($aw)* .unwrap();
        let upload_id = created["UploadId"].as_str().unwrap().to_string();
        let other_key = s3
            .call("CreateMultipartUpload", params! {"Bucket": bucket, "Key": "resumed-other", "ChecksumAlgorithm": "CRC32"})
            $($aw)* .unwrap();
        for n in 0..2u64 {
            let mut part = data[(n * 5 * MIB) as usize..((n + 1) * 5 * MIB) as usize].to_vec();
            if n == 1 {
                part[7] ^= 1;
            }
            s3.call("UploadPart", params! {
                "Bucket": bucket, "Key": "resumed", "UploadId": upload_id.as_str(),
                "PartNumber": n + 1, "Body": bytes::Bytes::from(part), "ChecksumAlgorithm": "CRC32",
            }) $($aw)* .unwrap();
        }
        let parts = counter.count("UploadPart");
        let lists = counter.count("ListMultipartUploads");
        let done = s3.resume_upload_file(bucket, "resumed", &src, Value::Null, &config())
            $($aw)* .unwrap_or_else(|e| panic!("resumed upload: {e}"));
        assert_eq!(counter.count("ListMultipartUploads") - lists, 1);
        assert_eq!(counter.count("UploadPart") - parts, 4, "part 1 was kept, part 2 sent again");
        assert!(done["ETag"].as_str().unwrap().ends_with("-5\""), "{done:?}");
        let back = dir.join("resumed.check");
        s3.download_file(bucket, "resumed", &back, Value::Null, &config()) $($aw)* .unwrap();
        assert!(std::fs::read(&back).unwrap() == data, "the resumed upload differs");
        let uploads = s3.call("ListMultipartUploads", params! {"Bucket": bucket}) $($aw)* .unwrap();
        let left: Vec<_> = uploads["Uploads"].as_list().unwrap_or_default().iter()
            .map(|u| u["UploadId"].as_str().unwrap().to_string()).collect();
        assert_eq!(left, [other_key["UploadId"].as_str().unwrap()], "only the other key's upload is open");
        assert_eq!(s3.abort_interrupted_uploads(bucket, "resumed-other", Value::Null) $($aw)* .unwrap(), 1);
        let uploads = s3.call("ListMultipartUploads", params! {"Bucket": bucket}) $($aw)* .unwrap();
        assert!(uploads["Uploads"].as_list().unwrap_or_default().is_empty(), "{uploads:?}");
        // With nothing to take up, a resume is an ordinary upload.
        s3.resume_upload_file(bucket, "fresh", &src, Value::Null, &config()) $($aw)* .unwrap();
        let back = dir.join("fresh.check");
        s3.download_file(bucket, "fresh", &back, Value::Null, &config()) $($aw)* .unwrap();
        assert!(std::fs::read(&back).unwrap() == data, "the fresh upload differs");
        let _ = std::fs::remove_dir_all(&dir);
    }};
}

/// Polls a transfer until `stop` is set, then drops it where it is (an abandoned future);
/// `Some` with its result if it ended first.
struct Until<F: std::future::Future> {
    transfer: Option<std::pin::Pin<Box<F>>>,
    stop: Arc<AtomicBool>,
}

impl<F: std::future::Future> std::future::Future for Until<F> {
    type Output = Option<F::Output>;
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let Some(transfer) = self.transfer.as_mut() else {
            return std::task::Poll::Ready(None);
        };
        match transfer.as_mut().poll(cx) {
            std::task::Poll::Ready(out) => std::task::Poll::Ready(Some(out)),
            std::task::Poll::Pending if self.stop.load(Ordering::SeqCst) => {
                self.transfer = None;
                std::task::Poll::Ready(None)
            }
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }
}

/// On async runtimes: an upload future dropped after two parts leaves its multipart upload
/// open (nothing can run after a drop); `resume_upload_file` finds it and sends only the parts
/// missing; another dropped one is removed by `abort_interrupted_uploads`, its parts with it.
macro_rules! dropped {
    ($s3:expr, $counter:expr, $bucket:expr, $dir:expr) => {{
        let s3 = $s3;
        let counter: Counter = $counter;
        let bucket: &str = $bucket;
        let dir: PathBuf = $dir;
        s3.call("CreateBucket", params! {"Bucket": bucket})
            .await
            .unwrap();
        let data = content(BIG, 4);
        let src = dir.join("dropped.bin");
        write(&src, &data);
        let drop_after_two_parts = |key: &'static str| {
            let stop = Arc::new(AtomicBool::new(false));
            let flag = stop.clone();
            let cfg = config().concurrency(1).on_progress(move |p| {
                if p.parts_done >= 2 {
                    flag.store(true, Ordering::SeqCst)
                }
            });
            (key, stop, cfg)
        };
        let open_parts = |key: &'static str| async move {
            let uploads = s3
                .call("ListMultipartUploads", params! {"Bucket": bucket})
                .await
                .unwrap();
            let ids: Vec<String> = uploads["Uploads"]
                .as_list()
                .unwrap_or_default()
                .iter()
                .filter(|u| u["Key"].as_str() == Some(key))
                .map(|u| u["UploadId"].as_str().unwrap().to_string())
                .collect();
            let mut parts = Vec::new();
            for id in &ids {
                let listed = s3
                    .call(
                        "ListParts",
                        params! {"Bucket": bucket, "Key": key, "UploadId": id.as_str()},
                    )
                    .await
                    .unwrap();
                parts.push(listed["Parts"].as_list().unwrap_or_default().len());
            }
            (ids, parts)
        };

        let (key, stop, cfg) = drop_after_two_parts("dropped");
        let ended = Until {
            transfer: Some(Box::pin(s3.upload_file(
                bucket,
                key,
                &src,
                Value::Null,
                &cfg,
            ))),
            stop,
        }
        .await;
        assert!(
            ended.is_none(),
            "the upload ended before it was dropped: {ended:?}"
        );
        let (ids, parts) = open_parts(key).await;
        assert_eq!(ids.len(), 1, "the dropped upload is still open");
        assert!(parts[0] >= 2, "{parts:?}");
        let sent = counter.count("UploadPart");
        s3.resume_upload_file(bucket, key, &src, Value::Null, &config())
            .await
            .unwrap_or_else(|e| panic!("resume after a drop: {e}"));
        assert_eq!(
            counter.count("UploadPart") - sent,
            5 - parts[0],
            "only the missing parts"
        );
        let back = dir.join("dropped.check");
        s3.download_file(bucket, key, &back, Value::Null, &config())
            .await
            .unwrap();
        assert!(
            std::fs::read(&back).unwrap() == data,
            "the resumed upload differs"
        );
        assert_eq!(open_parts(key).await.0.len(), 0);

        let (key, stop, cfg) = drop_after_two_parts("abandoned");
        let ended = Until {
            transfer: Some(Box::pin(s3.upload_file(
                bucket,
                key,
                &src,
                Value::Null,
                &cfg,
            ))),
            stop,
        }
        .await;
        assert!(ended.is_none());
        let (ids, _) = open_parts(key).await;
        assert_eq!(ids.len(), 1);
        assert_eq!(
            s3.abort_interrupted_uploads(bucket, key, Value::Null)
                .await
                .unwrap(),
            1
        );
        assert_eq!(open_parts(key).await.0.len(), 0);
        match s3
            .call(
                "ListParts",
                params! {"Bucket": bucket, "Key": key, "UploadId": ids[0].as_str()},
            )
            .await
        {
            Err(Error::Service(e)) => assert_eq!(e.code, "NoSuchUpload"),
            other => panic!("the aborted upload's parts are still listed: {other:?}"),
        }
        assert!(s3
            .call("HeadObject", params! {"Bucket": bucket, "Key": key})
            .await
            .is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }};
}

/// A hook recording every operation sent.
fn counting(
    counter: &Counter,
) -> impl Fn(
    &sansboto_core::hooks::CallInfo<'_>,
    &mut Target<'_>,
) -> Result<(), sansboto_core::hooks::HookError>
       + Send
       + Sync
       + 'static {
    let log = counter.0.clone();
    move |call, _| {
        log.lock().unwrap().push(call.operation.to_string());
        Ok(())
    }
}

#[test]
fn transfers_against_moto_on_every_runtime() {
    let moto = MotoServer::start();

    let counter = Counter::default();
    let s3 = sansboto_blocking::Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials("testing", "testing", None)
        .hook(Event::BeforeSend, "count", "*", counting(&counter))
        .build()
        .unwrap();
    suite!(s3, counter, "transfer-blocking", scratch("blocking"),);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let counter = Counter::default();
        let s3 = sansboto_tokio::Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url(moto.endpoint())
            .credentials("testing", "testing", None)
            .hook(Event::BeforeSend, "count", "*", counting(&counter))
            .build()
            .await
            .unwrap();
        suite!(&s3, counter.clone(), "transfer-tokio", scratch("tokio"), .await);
        dropped!(&s3, counter, "dropped-tokio", scratch("dropped-tokio"));
    });

    async_std::task::block_on(async {
        let counter = Counter::default();
        let s3 = sansboto_async_std::Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url(moto.endpoint())
            .credentials("testing", "testing", None)
            .hook(Event::BeforeSend, "count", "*", counting(&counter))
            .build()
            .await
            .unwrap();
        suite!(&s3, counter.clone(), "transfer-async-std", scratch("async-std"), .await);
        dropped!(
            &s3,
            counter,
            "dropped-async-std",
            scratch("dropped-async-std")
        );
    });
}

/// Upload and download through `s3s-fs`, which checks every signature and payload hash:
/// multipart with the default composite CRC32 and with a CRC64NVME full-object checksum (the
/// checksum headers each part and the completion carry are accepted; s3s-fs stores no checksum,
/// so the download has none to check).
macro_rules! s3s_suite {
    ($s3:expr, $bucket:expr, $dir:expr, $($aw:tt)*) => {{
        let s3 = $s3;
        let bucket: &str = $bucket;
        let dir: PathBuf = $dir;
        s3.call("CreateBucket", params! {"Bucket": bucket}) $($aw)* .unwrap();
        let data = content(12 * MIB + 7, 3);
        let src = dir.join("big");
        write(&src, &data);
        for (key, cfg) in [
            ("composite", config()),
            (
                "full",
                config()
                    .checksum_algorithm(sansboto_core::ChecksumAlgorithm::Crc64Nvme)
                    .full_object_checksum(true),
            ),
        ] {
            let (cfg, seen) = recording(cfg);
            s3.upload_file(bucket, key, &src, Value::Null, &cfg)
                $($aw)* .unwrap_or_else(|e| panic!("s3s-fs upload {key}: {e}"));
            check_progress(&seen.lock().unwrap(), 12 * MIB + 7, 3);
            let head = s3.call("HeadObject", params! {"Bucket": bucket, "Key": key}) $($aw)* .unwrap();
            assert!(head["ETag"].as_str().unwrap().ends_with("-3\""), "{head:?}");
            let dest = dir.join(format!("{key}.copy"));
            s3.download_file(bucket, key, &dest, Value::Null, &cfg)
                $($aw)* .unwrap_or_else(|e| panic!("s3s-fs download {key}: {e}"));
            assert!(std::fs::read(&dest).unwrap() == data, "{key}: the download differs");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }};
}

#[test]
fn transfers_against_s3s_fs_with_strict_signatures() {
    use sansboto_tests::s3s::{S3sServer, ACCESS_KEY, SECRET_KEY};
    let server = S3sServer::start();
    let s3 = sansboto_blocking::Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(server.endpoint())
        .credentials(ACCESS_KEY, SECRET_KEY, None)
        .build()
        .unwrap();
    s3s_suite!(s3, "s3s-blocking", scratch("s3s-blocking"),);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let s3 = sansboto_tokio::Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url(server.endpoint())
            .credentials(ACCESS_KEY, SECRET_KEY, None)
            .build()
            .await
            .unwrap();
        s3s_suite!(s3, "s3s-tokio", scratch("s3s-tokio"), .await);
    });
    smol::block_on(async {
        let s3 = sansboto_async_std::Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url(server.endpoint())
            .credentials(ACCESS_KEY, SECRET_KEY, None)
            .build()
            .await
            .unwrap();
        s3s_suite!(s3, "s3s-smol", scratch("s3s-smol"), .await);
    });
}

/// Settings at the ends of their ranges transfer as any other: a concurrency of `usize::MAX`
/// (once a `capacity overflow` panic building a worker for each, or an abort asking for
/// terabytes) and a multipart threshold beyond any stream (once an abort allocating the whole
/// threshold before the first read), which sends the stream in one PutObject.
#[test]
fn settings_at_the_ends_of_their_ranges_transfer_normally() {
    let moto = MotoServer::start();
    let s3 = sansboto_blocking::Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials("testing", "testing", None)
        .build()
        .unwrap();
    s3.call("CreateBucket", params! {"Bucket": "ends"}).unwrap();
    let dir = scratch("ends");
    let small = content(5, 1);
    let src = dir.join("small");
    write(&src, &small);
    let many = config().concurrency(usize::MAX);
    s3.upload_file("ends", "file", &src, Value::Null, &many)
        .unwrap();
    let dest = dir.join("file.copy");
    s3.download_file("ends", "file", &dest, Value::Null, &many)
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), small);
    let nine_mib = content(9 * MIB, 2);
    for (key, cfg, data) in [
        ("stream-many", many.clone(), &small),
        ("stream-tib", config().multipart_threshold(1 << 40), &small),
        ("stream-max", config().multipart_threshold(u64::MAX), &small),
        (
            "stream-max-9mib",
            config().multipart_threshold(u64::MAX),
            &nine_mib,
        ),
    ] {
        let mut cursor = std::io::Cursor::new(data.clone());
        let mut reader = |buf: &mut [u8]| std::io::Read::read(&mut cursor, buf);
        s3.upload_from("ends", key, &mut reader, Value::Null, &cfg)
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        let head = s3
            .call("HeadObject", params! {"Bucket": "ends", "Key": key})
            .unwrap();
        assert_eq!(
            head["ContentLength"].as_i64(),
            Some(data.len() as i64),
            "{key}"
        );
        // One PutObject below the threshold: no multipart ETag (`…-N`).
        let etag = head["ETag"].as_str().unwrap();
        assert!(!etag.contains('-'), "{key}: {etag}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
