//! Uploads are retried over HTTPS too: there the transports send a file body `aws-chunked` with
//! a CRC32 trailer, and a PutObject that meets a 500 or a connection reset mid-body is sent
//! again, whole, on tokio, async-std and blocking.
//!
//! The server is a loopback HTTPS server in this file (a self-signed certificate for
//! 127.0.0.1, one thread per connection) that reads HTTP/1.1 `chunked` or sized bodies and
//! decodes the `aws-chunked` framing to the payload and its trailer, which the plain-HTTP
//! `ScriptServer` cannot do.

mod e2e_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use e2e_support::{blocking_session, core_session, temp_dir, tokio_session};
use sansboto_core::params;
use sansboto_core::Error;
use sansboto_core::Value;
use sansboto_core::{checksum, ChecksumAlgorithm};

/// Bytes in the uploaded file: several of the transports' read chunks.
const LEN: usize = 300_000;
/// Where the reset cuts the first attempt's body (raw bytes on the wire).
const CUT_AT: usize = 70_000;

const INTERNAL_ERROR: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code>\
<Message>We encountered an internal error. Please try again.</Message><RequestId>R1</RequestId></Error>";

/// What the first PutObject meets.
#[derive(Clone, Copy)]
enum Fault {
    /// Answered 500 InternalError.
    ServerError,
    /// The connection is dropped after `CUT_AT` body bytes.
    ResetMidBody,
}

/// One request as the server read it.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    path: String,
    /// Lower-cased names.
    headers: Vec<(String, String)>,
    /// The payload once the HTTP and `aws-chunked` framings are removed (empty when cut).
    payload: Vec<u8>,
    /// The `aws-chunked` trailer fields, lower-cased names.
    trailer: Vec<(String, String)>,
    /// Whether the connection was dropped before the body ended.
    cut: bool,
    /// Why the body could not be read as `aws-chunked` (it is then kept raw in `payload`).
    framing_error: Option<String>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        find(&self.headers, name)
    }
    fn trailer(&self, name: &str) -> Option<&str> {
        find(&self.trailer, name)
    }
}

fn find<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Header or trailer fields, in order.
type Fields = Vec<(String, String)>;

type Tls = rustls::StreamOwned<rustls::ServerConnection, TcpStream>;

/// The loopback HTTPS S3 stand-in: the first PutObject meets `fault`, every later one is
/// answered 200 with an ETag.
struct HttpsServer {
    port: u16,
    ca_bundle: PathBuf,
    seen: Arc<Mutex<Vec<Received>>>,
}

impl HttpsServer {
    fn start(fault: Fault, tag: &str) -> HttpsServer {
        let (config, pem) = sansboto_tests::self_signed_tls();
        let ca_bundle = temp_dir(tag).join("ca.pem");
        std::fs::write(&ca_bundle, pem).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (config, log) = (config.clone(), log.clone());
                std::thread::spawn(move || {
                    let Ok(conn) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    serve(BufReader::new(Tls::new(conn, stream)), fault, &log);
                });
            }
        });
        HttpsServer {
            port,
            ca_bundle,
            seen,
        }
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    fn seen(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }
}

/// Answer requests on one connection until it closes or a fault drops it.
fn serve(mut reader: BufReader<Tls>, fault: Fault, log: &Mutex<Vec<Received>>) {
    while let Some((method, path, headers)) = read_head(&mut reader) {
        let first = log.lock().unwrap().is_empty();
        let expects_continue =
            find(&headers, "expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
        if expects_continue
            && reader
                .get_mut()
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .and_then(|_| reader.get_mut().flush())
                .is_err()
        {
            return;
        }
        if first && matches!(fault, Fault::ResetMidBody) {
            let mut taken = vec![0u8; CUT_AT];
            let got = read_up_to(&mut reader, &mut taken);
            log.lock().unwrap().push(Received {
                method,
                path,
                headers,
                payload: Vec::new(),
                trailer: Vec::new(),
                cut: got >= CUT_AT,
                framing_error: None,
            });
            // Dropping the stream without close_notify: the client sees the connection die.
            let _ = reader.get_ref().sock.shutdown(std::net::Shutdown::Both);
            return;
        }
        let Some(raw) = read_body(&mut reader, &headers) else {
            return;
        };
        let aws_chunked =
            find(&headers, "content-encoding").is_some_and(|v| v.contains("aws-chunked"));
        // A body that is not valid aws-chunked is recorded with why, and answered 400 (as S3
        // answers a malformed body: not retryable), so the test reports the framing fault.
        let (payload, trailer, framing_error) = if aws_chunked {
            match decode_aws_chunked(&raw) {
                Ok((payload, trailer)) => (payload, trailer, None),
                Err(e) => (raw, Vec::new(), Some(e)),
            }
        } else {
            (raw, Vec::new(), None)
        };
        log.lock().unwrap().push(Received {
            method,
            path,
            headers,
            payload,
            trailer,
            cut: false,
            framing_error: framing_error.clone(),
        });
        let response = if let Some(e) = framing_error {
            format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Length: {}\r\n\r\n{e}",
                e.len()
            )
        } else if first {
            format!(
                "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{INTERNAL_ERROR}",
                INTERNAL_ERROR.len()
            )
        } else {
            "HTTP/1.1 200 OK\r\nETag: \"e-1\"\r\nContent-Length: 0\r\n\r\n".to_owned()
        };
        let out = reader.get_mut();
        if out
            .write_all(response.as_bytes())
            .and_then(|_| out.flush())
            .is_err()
        {
            return;
        }
    }
}

/// Fill as much of `buf` as the peer sends; how many bytes that was.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> usize {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    got
}

fn read_line(reader: &mut impl BufRead) -> Option<String> {
    let mut line = String::new();
    match reader.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_owned()),
    }
}

/// The request line and headers (names lower-cased), or `None` at the connection's end.
fn read_head(reader: &mut impl BufRead) -> Option<(String, String, Fields)> {
    let request_line = read_line(reader)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    Some((method, path, headers))
}

/// The body as sent inside the HTTP framing: `Transfer-Encoding: chunked` decoded, or
/// `Content-Length` bytes. `None` if the connection ended first.
fn read_body(reader: &mut impl BufRead, headers: &[(String, String)]) -> Option<Vec<u8>> {
    if find(headers, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut body = Vec::new();
        loop {
            let size_line = read_line(reader)?;
            let size = usize::from_str_radix(size_line.split(';').next()?.trim(), 16).ok()?;
            if size == 0 {
                // HTTP trailers (none expected) up to the blank line.
                while !read_line(reader)?.is_empty() {}
                return Some(body);
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..]).ok()?;
            if !read_line(reader)?.is_empty() {
                return None;
            }
        }
    }
    let len: usize = find(headers, "content-length").map_or(Some(0), |v| v.parse().ok())?;
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(body)
}

/// Split an `aws-chunked` body into its payload and trailer fields: `hex-size[;ext]\r\n data
/// \r\n` chunks, a zero-size chunk, then `name:value\r\n` trailer lines and a blank line.
fn decode_aws_chunked(raw: &[u8]) -> Result<(Vec<u8>, Fields), String> {
    let mut reader = raw;
    let mut payload = Vec::new();
    loop {
        let size_line = read_line(&mut reader).ok_or("missing chunk size")?;
        let hex = size_line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(hex, 16).map_err(|e| format!("size {hex:?}: {e}"))?;
        if size == 0 {
            break;
        }
        if reader.len() < size + 2 || &reader[size..size + 2] != b"\r\n" {
            return Err(format!("chunk of {size} bytes is not followed by CRLF"));
        }
        payload.extend_from_slice(&reader[..size]);
        reader = &reader[size + 2..];
    }
    let mut trailer = Vec::new();
    loop {
        let line = read_line(&mut reader).ok_or("trailer not ended by a blank line")?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or(format!("trailer line {line:?}"))?;
        trailer.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    if !reader.is_empty() {
        return Err(format!("{} bytes after the trailer", reader.len()));
    }
    Ok((payload, trailer))
}

/// A file of `LEN` patterned bytes in a fresh directory.
fn upload_file(tag: &str) -> (PathBuf, Vec<u8>) {
    let bytes: Vec<u8> = (0..LEN).map(|i| ((i * 7) ^ (i >> 9)) as u8).collect();
    let path = temp_dir(tag).join("upload.bin");
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

/// The call succeeded on its second attempt, which carried the whole file `aws-chunked` with
/// the file's CRC32 in the trailer.
fn assert_retried_whole(server: &HttpsServer, out: &Value, bytes: &[u8], fault: Fault) {
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "two attempts reached the server: {seen:#?}");
    for (n, request) in seen.iter().enumerate() {
        assert_eq!(request.method, "PUT");
        assert_eq!(request.path, "/bucket/key");
        assert_eq!(
            request.header("amz-sdk-request"),
            Some(format!("attempt={}; max=3", n + 1).as_str())
        );
    }
    if let Fault::ResetMidBody = fault {
        assert!(
            seen[0].cut,
            "the first attempt sent at least {CUT_AT} bytes before the reset"
        );
    }
    let second = &seen[1];
    assert!(
        second
            .header("content-encoding")
            .is_some_and(|v| v.contains("aws-chunked")),
        "over HTTPS the body is aws-chunked: {:?}",
        second.headers
    );
    assert_eq!(
        second.header("x-amz-decoded-content-length"),
        Some(LEN.to_string().as_str())
    );
    assert_eq!(second.payload.len(), LEN, "decoded payload length");
    assert!(
        second.payload == bytes,
        "second attempt carried the whole file"
    );
    assert_eq!(
        second.trailer("x-amz-checksum-crc32"),
        Some(
            checksum(ChecksumAlgorithm::Crc32, bytes)
                .to_base64()
                .as_str()
        ),
        "the trailer's CRC32 is the file's"
    );
    assert_eq!(out["ETag"].as_str(), Some("\"e-1\""));
    assert_eq!(out["ResponseMetadata"]["RetryAttempts"].as_i64(), Some(1));
}

fn put_params(body: sansboto_core::StreamingBody) -> Value {
    params! {"Bucket": "bucket", "Key": "key", "Body": body}
}

fn tokio_put(server: &HttpsServer, path: &Path) -> Result<Value, Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let body = sansboto_tokio::file_body(path).await.unwrap();
        let s3 = tokio_session(core_session(&[], None, None))
            .client("s3")
            .region("us-east-1")
            .endpoint_url(server.url())
            .ca_bundle(&server.ca_bundle)
            .credentials("AKID", "SECRET", None)
            .build()
            .await
            .unwrap();
        s3.call("PutObject", put_params(body)).await
    })
}

fn async_std_put(server: &HttpsServer, path: &Path) -> Result<Value, Error> {
    async_std::task::block_on(async {
        let body = sansboto_async_std::file_body(path).await.unwrap();
        let session =
            sansboto_core::runtime::RuntimeSession::<sansboto_async_std::HttpClient>::from_core(
                Ok(core_session(&[], None, None)),
            );
        let s3 = session
            .client("s3")
            .region("us-east-1")
            .endpoint_url(server.url())
            .ca_bundle(&server.ca_bundle)
            .credentials("AKID", "SECRET", None)
            .build()
            .await
            .unwrap();
        s3.call("PutObject", put_params(body)).await
    })
}

fn blocking_put(server: &HttpsServer, path: &Path) -> Result<Value, Error> {
    let body = sansboto_blocking::file_body(path).unwrap();
    let s3 = blocking_session(core_session(&[], None, None))
        .client("s3")
        .region("us-east-1")
        .endpoint_url(server.url())
        .ca_bundle(&server.ca_bundle)
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap();
    s3.call("PutObject", put_params(body))
}

type Put = fn(&HttpsServer, &Path) -> Result<Value, Error>;

fn check(tag: &str, fault: Fault, put: Put) {
    let (path, bytes) = upload_file(tag);
    let server = HttpsServer::start(fault, tag);
    let result = put(&server, &path);
    for request in server.seen() {
        if let Some(e) = &request.framing_error {
            let raw = &request.payload[..request.payload.len().min(64)];
            panic!(
                "{} sent a body that is not aws-chunked ({e}); it starts {:?}; headers {:?}",
                request.header("amz-sdk-request").unwrap_or("?"),
                String::from_utf8_lossy(raw),
                request.headers
            );
        }
    }
    let out = result.unwrap_or_else(|e| panic!("PutObject over HTTPS: {e}"));
    assert_retried_whole(&server, &out, &bytes, fault);
}

#[test]
fn https_file_upload_is_retried_after_a_500_on_tokio() {
    check("https500-tokio", Fault::ServerError, tokio_put);
}

#[test]
fn https_file_upload_is_retried_after_a_500_on_async_std() {
    check("https500-async-std", Fault::ServerError, async_std_put);
}

#[test]
fn https_file_upload_is_retried_after_a_500_on_blocking() {
    check("https500-blocking", Fault::ServerError, blocking_put);
}

#[test]
fn https_file_upload_is_retried_after_a_reset_mid_body_on_tokio() {
    check("httpsreset-tokio", Fault::ResetMidBody, tokio_put);
}

#[test]
fn https_file_upload_is_retried_after_a_reset_mid_body_on_async_std() {
    check("httpsreset-async-std", Fault::ResetMidBody, async_std_put);
}

#[test]
fn https_file_upload_is_retried_after_a_reset_mid_body_on_blocking() {
    check("httpsreset-blocking", Fault::ResetMidBody, blocking_put);
}

/// The decoder itself: chunks with and without extensions, and a trailer.
#[test]
fn aws_chunked_decoder_reads_payload_and_trailer() {
    let raw = b"3\r\nabc\r\n2;chunk-signature=x\r\nde\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n";
    let (payload, trailer) = decode_aws_chunked(raw).unwrap();
    assert_eq!(payload, b"abcde");
    assert_eq!(
        trailer,
        vec![("x-amz-checksum-crc32".to_owned(), "AAAA".to_owned())]
    );
    assert!(decode_aws_chunked(b"3\r\nabcX\r\n0\r\n\r\n").is_err());
}
