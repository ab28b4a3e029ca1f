//! An in-memory transport written against the core's contract (`Http` + `Timer` + `Host` +
//! `Transport`), to show a fourth runtime is short to write: no socket, the loopback servers'
//! request handler ([`support::serve_in_memory`]) answers over a byte buffer. It moves bytes and
//! nothing else: what is checked of a response body is the core's `ResponseCheck`, the
//! `Content-Length` rule is the core's `Body::request_content_length`. Its futures run on any
//! executor (the tests use smol's).

use std::collections::VecDeque;
use std::future::Future;
use std::io::{Read, Seek};
use std::path::PathBuf;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_lite::FutureExt;
use sansboto_core::machine::ProcessOutput;
use sansboto_core::response_check::ResponseCheck;
use sansboto_core::runtime::{Host, Http, Timer, Transport};
use sansboto_core::transfer::{FileJob, FileOutput};
use sansboto_core::HttpConfig;
use sansboto_core::{Body, StreamingBody};
use sansboto_core::{TransportError, TransportErrorKind};

use super::support;

/// This transport's streaming request source: chunks made in memory.
pub(crate) type Chunks = Box<dyn Iterator<Item = Bytes> + Send>;

/// A client of the in-memory network; each clone is a connection of its own to every server.
#[derive(Clone, Debug, Default)]
pub(crate) struct MemoryTransport {
    /// The servers this client has "connected" to (one kept-alive connection each).
    connected: std::sync::Arc<std::sync::Mutex<Vec<std::net::SocketAddr>>>,
}

/// A response body held in memory, handed out in pieces.
#[derive(Debug)]
pub(crate) struct MemoryBody {
    pieces: VecDeque<Bytes>,
    check: ResponseCheck,
}

impl Transport for MemoryTransport {
    type Run<'a, T: 'a> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    fn run<'a, T: 'a>(future: impl Future<Output = T> + Send + 'a) -> Self::Run<'a, T> {
        Box::pin(future)
    }
}

impl Http for MemoryTransport {
    type ResponseBody = MemoryBody;

    fn connect(_config: &HttpConfig) -> Result<Self, TransportError> {
        Ok(MemoryTransport::default())
    }

    async fn send(
        &self,
        request: http::Request<Body>,
    ) -> Result<http::Response<MemoryBody>, TransportError> {
        let (parts, body) = request.into_parts();
        let content_length = body.request_content_length(&parts.method);
        let (payload, chunked) = match body {
            Body::Empty => (Vec::new(), false),
            Body::Bytes(bytes) => (bytes.to_vec(), false),
            Body::Stream(stream) => (read_stream(&stream)?, stream.len().is_none()),
        };
        let addr = parts
            .uri
            .authority()
            .and_then(|a| a.as_str().parse().ok())
            .ok_or_else(|| TransportError::new(TransportErrorKind::Request, "no address"))?;
        let mut wire = format!(
            "{} {} HTTP/1.1\r\n",
            parts.method,
            parts.uri.path_and_query().map_or("/", |p| p.as_str())
        )
        .into_bytes();
        for (name, value) in &parts.headers {
            wire.extend_from_slice(format!("{name}: ").as_bytes());
            wire.extend_from_slice(value.as_bytes());
            wire.extend_from_slice(b"\r\n");
        }
        if chunked {
            wire.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
            if !payload.is_empty() {
                wire.extend_from_slice(format!("{:x}\r\n", payload.len()).as_bytes());
                wire.extend_from_slice(&payload);
                wire.extend_from_slice(b"\r\n");
            }
            wire.extend_from_slice(b"0\r\n\r\n");
        } else {
            if let (Some(len), false) =
                (content_length, parts.headers.contains_key("content-length"))
            {
                wire.extend_from_slice(format!("content-length: {len}\r\n").as_bytes());
            }
            wire.extend_from_slice(b"\r\n");
            wire.extend_from_slice(&payload);
        }
        let first = {
            let mut connected = self.connected.lock().unwrap_or_else(|p| p.into_inner());
            let first = !connected.contains(&addr);
            if first {
                connected.push(addr);
            }
            first
        };
        let answer = support::serve_in_memory(addr, wire, first).ok_or_else(|| {
            TransportError::new(TransportErrorKind::Connect, format!("nothing at {addr}"))
        })?;
        parse_response(&parts.method, &answer)
    }

    async fn read_chunk(&self, body: &mut MemoryBody) -> Result<Option<Bytes>, TransportError> {
        match body.pieces.pop_front() {
            Some(piece) => body
                .check
                .piece(&piece, SystemTime::now())
                .map(|()| Some(piece)),
            None => body.check.end().map(|()| None),
        }
    }

    fn check(body: &mut MemoryBody) -> &mut ResponseCheck {
        &mut body.check
    }

    async fn scan_body(
        &self,
        body: &StreamingBody,
        sink: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<(), TransportError> {
        match body.file() {
            Some(_) => read_stream(body).map(|all| sink(&all)),
            None => Err(TransportError::new(
                TransportErrorKind::Request,
                "only a file body can be read ahead of sending",
            )),
        }
    }
}

/// A request body's bytes: a file range read afresh, or this transport's chunks (taken once).
fn read_stream(stream: &StreamingBody) -> Result<Vec<u8>, TransportError> {
    let failed = |e: std::io::Error| {
        TransportError::new(TransportErrorKind::Request, e.to_string()).with_source(e)
    };
    if let Some(range) = stream.file() {
        let mut file = std::fs::File::open(&range.path).map_err(failed)?;
        file.seek(std::io::SeekFrom::Start(range.offset))
            .map_err(failed)?;
        let mut all = Vec::new();
        file.take(range.len).read_to_end(&mut all).map_err(failed)?;
        return Ok(all);
    }
    let chunks = stream.take::<Chunks>().ok_or_else(|| {
        TransportError::new(
            TransportErrorKind::Request,
            "streaming body was already sent or was not made by the memory transport",
        )
    })?;
    Ok(chunks.flat_map(|c| c.to_vec()).collect())
}

/// The response head and body the handler wrote, its body in 64 KiB pieces.
fn parse_response(
    method: &http::Method,
    answer: &[u8],
) -> Result<http::Response<MemoryBody>, TransportError> {
    let bad = |what: &str| TransportError::new(TransportErrorKind::Io, what.to_owned());
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("connection closed before a response head"))?;
    let head = std::str::from_utf8(&answer[..split]).map_err(|_| bad("response head"))?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1)?.parse().ok())
        .ok_or_else(|| bad("status line"))?;
    let mut response = http::Response::builder().status(status);
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            response = response.header(name.trim(), value.trim());
        }
    }
    let (parts, ()) = response.body(()).map_err(|_| bad("header"))?.into_parts();
    let rest = Bytes::copy_from_slice(&answer[split + 4..]);
    let body = MemoryBody {
        pieces: (0..rest.len())
            .step_by(64 * 1024)
            .map(|i| rest.slice(i..rest.len().min(i + 64 * 1024)))
            .collect(),
        check: ResponseCheck::for_response(method, status, &parts.headers),
    };
    Ok(http::Response::from_parts(parts, body))
}

impl Timer for MemoryTransport {
    async fn sleep(&self, duration: Duration) {
        smol::Timer::after(duration).await;
    }

    async fn timeout<F: Future + Send>(&self, limit: Duration, future: F) -> Option<F::Output> {
        async { Some(future.await) }
            .or(async {
                smol::Timer::after(limit).await;
                None
            })
            .await
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl Host for MemoryTransport {
    async fn read_file(&self, path: PathBuf) -> std::io::Result<Bytes> {
        std::fs::read(path).map(Bytes::from)
    }

    async fn write_file(&self, path: PathBuf, contents: Bytes) -> std::io::Result<()> {
        std::fs::write(path, contents)
    }

    async fn run_process(&self, argv: Vec<String>) -> std::io::Result<ProcessOutput> {
        let (program, args) = argv.split_first().ok_or(std::io::ErrorKind::InvalidInput)?;
        let output = std::process::Command::new(program).args(args).output()?;
        Ok(ProcessOutput {
            success: output.status.success(),
            code: output.status.code(),
            stdout: Bytes::from(output.stdout),
            stderr: Bytes::from(output.stderr),
        })
    }

    async fn file_job(&self, _job: FileJob) -> std::io::Result<FileOutput> {
        Err(std::io::ErrorKind::Unsupported.into())
    }

    async fn write_file_at(&self, _path: PathBuf, _at: u64, _data: Bytes) -> std::io::Result<()> {
        Err(std::io::ErrorKind::Unsupported.into())
    }
}
