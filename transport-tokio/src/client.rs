//! The tokio runtime for the core's session and client: [`HttpClient`] implements the core's
//! [`Transport`]; everything else (credentials, retries, pagination, waiters) is the core's.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::stream::{self, Stream};
use sansboto_core::body::{Body, StreamingBody};
use sansboto_core::error::{Error, TransportError};
use sansboto_core::http_config::HttpConfig;
use sansboto_core::httpchecksum::ResponseChecksumValidator;
use sansboto_core::machine::ProcessOutput;
use sansboto_core::runtime::{self, Transport};
use sansboto_core::value::Value;

use crate::{HttpClient, ResponseBody};

impl Transport for HttpClient {
    type ResponseBody = ResponseBody;
    type Run<'a, T: 'a> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    fn run<'a, T: 'a>(future: impl Future<Output = T> + Send + 'a) -> Self::Run<'a, T> {
        Box::pin(future)
    }

    fn connect(config: &HttpConfig) -> Result<Self, TransportError> {
        HttpClient::new(config.clone())
    }

    async fn send(
        &self,
        request: http::Request<Body>,
    ) -> Result<http::Response<ResponseBody>, TransportError> {
        HttpClient::send(self, request).await
    }

    async fn read_body(&self, body: ResponseBody) -> Result<Bytes, TransportError> {
        body.bytes().await
    }

    async fn read_chunk(&self, body: &mut ResponseBody) -> Result<Option<Bytes>, TransportError> {
        body.chunk().await
    }

    fn body_len(body: &ResponseBody) -> Option<u64> {
        body.content_length()
    }

    fn expect_checksum(body: &mut ResponseBody, validator: ResponseChecksumValidator) {
        body.expect_checksum(validator)
    }

    async fn scan_body(
        &self,
        body: &StreamingBody,
        sink: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<(), TransportError> {
        crate::body::scan_body(body, sink).await
    }

    async fn sleep(&self, duration: Duration) {
        crate::sleep(duration).await
    }

    async fn timeout<F: Future + Send>(&self, limit: Duration, future: F) -> Option<F::Output> {
        tokio::time::timeout(limit, future).await.ok()
    }

    async fn read_file(&self, path: PathBuf) -> std::io::Result<Bytes> {
        tokio::fs::read(path).await.map(Bytes::from)
    }

    async fn write_file(&self, path: PathBuf, contents: Bytes) -> std::io::Result<()> {
        tokio::task::spawn_blocking(move || write_file_atomically(&path, &contents))
            .await
            .map_err(std::io::Error::other)?
    }

    async fn run_process(&self, argv: Vec<String>) -> std::io::Result<ProcessOutput> {
        let (program, args) = argv.split_first().ok_or(std::io::ErrorKind::InvalidInput)?;
        let output = tokio::process::Command::new(program)
            .args(args)
            .output()
            .await?;
        Ok(ProcessOutput {
            success: output.status.success(),
            code: output.status.code(),
            stdout: Bytes::from(output.stdout),
            stderr: Bytes::from(output.stderr),
        })
    }

    fn now(&self) -> SystemTime {
        crate::now()
    }

    async fn file_job(
        &self,
        job: sansboto_core::transfer::FileJob,
    ) -> std::io::Result<sansboto_core::transfer::FileOutput> {
        tokio::task::spawn_blocking(move || run_file_job(job))
            .await
            .map_err(std::io::Error::other)?
    }

    async fn write_file_at(&self, path: PathBuf, offset: u64, data: Bytes) -> std::io::Result<()> {
        tokio::task::spawn_blocking(move || write_at(&path, offset, &data))
            .await
            .map_err(std::io::Error::other)?
    }
}

/// A client on tokio (see [`sansboto_core::runtime::Client`]).
pub type Client = runtime::Client<HttpClient>;
/// A client being configured.
pub type ClientBuilder = runtime::ClientBuilder<HttpClient>;
/// A pagination in progress.
pub type Pages<'c> = runtime::Pages<'c, HttpClient>;

sansboto_models::runtime_session!(
    HttpClient,
    /// Configuration, credentials and models shared by clients (botocore's `get_session()`).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), sansboto_tokio::Error> {
    /// use sansboto_tokio::{params, Session};
    /// let session = Session::new();
    /// let s3 = session.client("s3").region("us-west-2").build().await?;
    /// let out = s3.call("PutObject", params! {"Bucket": "b", "Key": "k", "Body": &b"hi"[..]}).await?;
    /// println!("{}", out["ETag"].as_str().unwrap_or_default());
    /// # Ok(()) }
    /// ```
);

/// The events of an event-stream output (see [`sansboto_core::runtime::EventStream`]).
pub type EventStream<'c> = runtime::EventStream<'c, HttpClient>;

/// The events of an event stream as a `futures::Stream`
/// (`event_stream(client.event_stream("SelectObjectContent", &out)?)`).
pub fn event_stream<'c>(events: EventStream<'c>) -> impl Stream<Item = Result<Value, Error>> + 'c {
    stream::unfold(events, |mut events| async move {
        let event = events.next_event().await?;
        Some((event, events))
    })
}

/// The pages of a pagination as a `futures::Stream`.
pub fn page_stream<'c>(pages: Pages<'c>) -> impl Stream<Item = Result<Value, Error>> + 'c {
    stream::unfold(pages, |mut pages| async move {
        let page = pages.next_page().await?;
        Some((page, pages))
    })
}

/// [`Transport::write_file`](sansboto_core::runtime::Transport::write_file), on a thread that may block: create
/// the directory, write a temporary file beside the target (readable by its owner only, like
/// botocore's `mkstemp`), flush it to disk, and rename it over the target. (Each transport
/// crate has this function: they share no crate but the core, which does no I/O.)
pub(crate) fn write_file_atomically(
    path: &std::path::Path,
    contents: &[u8],
) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)?;
    }
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no file name"))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".{}.tmp", std::process::id()));
    let temp = path.with_file_name(temp_name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temp).and_then(|mut file| {
        file.write_all(contents)?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// [`Transport::file_job`](sansboto_core::runtime::Transport::file_job), on a thread that may
/// block. (Each transport crate has this function, like [`write_file_atomically`].)
pub(crate) fn run_file_job(
    job: sansboto_core::transfer::FileJob,
) -> std::io::Result<sansboto_core::transfer::FileOutput> {
    use sansboto_core::transfer::{FileJob, FileOutput};
    use std::io::ErrorKind::NotFound;
    Ok(match job {
        FileJob::Len(path) => match std::fs::metadata(path) {
            Ok(m) => FileOutput::Len(Some(m.len())),
            Err(e) if e.kind() == NotFound => FileOutput::Len(None),
            Err(e) => return Err(e),
        },
        FileJob::Read(path) => match std::fs::read(path) {
            Ok(b) => FileOutput::Contents(Some(Bytes::from(b))),
            Err(e) if e.kind() == NotFound => FileOutput::Contents(None),
            Err(e) => return Err(e),
        },
        FileJob::Write(path, contents) => {
            write_file_atomically(&path, &contents)?;
            FileOutput::Done
        }
        FileJob::SetLen(path, len) => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)?;
            file.set_len(len)?;
            FileOutput::Done
        }
        FileJob::Rename(from, to) => {
            std::fs::rename(from, to)?;
            FileOutput::Done
        }
        FileJob::Remove(path) => match std::fs::remove_file(path) {
            Ok(()) => FileOutput::Done,
            Err(e) if e.kind() == NotFound => FileOutput::Done,
            Err(e) => return Err(e),
        },
        _ => return Err(std::io::ErrorKind::Unsupported.into()),
    })
}

/// [`Transport::write_file_at`](sansboto_core::runtime::Transport::write_file_at), on a thread
/// that may block.
pub(crate) fn write_at(path: &std::path::Path, offset: u64, data: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, Write};
    let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.seek(std::io::SeekFrom::Start(offset))?;
    file.write_all(data)
}
