//! Uploads are retried: a file body is opened afresh for each attempt, so an S3 PutObject that
//! meets a 500 or a connection reset mid-body is sent again, whole, on every transport; a
//! one-shot stream cannot be, and the call's error says so (`Error::BodyNotReplayable`).
//!
//! Over plain HTTP the file is also read once ahead to be hashed: the signature covers its
//! SHA-256 and the CRC32 checksum goes in a header, as botocore sends it (checked against
//! botocore itself). The local server records every request, with the bytes it received.

mod e2e_support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use e2e_support::{blocking_session, core_session, temp_dir, tokio_session, Action, ScriptServer};
use sansboto_core::params;
use sansboto_core::Error;
use sansboto_core::Value;
use sansboto_core::{checksum, ChecksumAlgorithm};

/// Bytes in the uploaded file: several of the transports' read chunks.
const LEN: usize = 300_000;
/// Where the reset cuts the first attempt's body.
const CUT_AT: usize = 70_000;

const INTERNAL_ERROR: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code>\
<Message>We encountered an internal error. Please try again.</Message><RequestId>R1</RequestId></Error>";

/// A file of `LEN` patterned bytes in a fresh directory.
fn upload_file(tag: &str) -> (PathBuf, Vec<u8>) {
    let bytes: Vec<u8> = (0..LEN).map(|i| ((i * 7) ^ (i >> 9)) as u8).collect();
    let path = temp_dir(tag).join("upload.bin");
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

fn ok_put() -> Action {
    Action::Respond(200, vec![("ETag".into(), "\"e-1\"".into())], Vec::new())
}

/// First request: a 500; then success.
fn fail_once() -> ScriptServer {
    ScriptServer::start(|_, n| {
        if n == 0 {
            Action::xml(500, INTERNAL_ERROR)
        } else {
            ok_put()
        }
    })
}

/// First request: reset after `CUT_AT` body bytes; then success.
fn reset_once() -> ScriptServer {
    ScriptServer::start_cutting(|_, n| (n == 0).then_some(CUT_AT), |_, _| ok_put())
}

fn sha256_hex(data: &[u8]) -> String {
    checksum(ChecksumAlgorithm::Sha256, data)
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The call succeeded on its second attempt, which carried the whole file, hashed and signed
/// as botocore does over plain HTTP.
fn assert_retried_whole(server: &ScriptServer, out: &Value, bytes: &[u8], first_len: usize) {
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "two attempts reached the server");
    assert_eq!(seen[0].body.len(), first_len, "first attempt's bytes");
    assert_eq!(&seen[0].body[..], &bytes[..first_len]);
    assert!(
        seen[1].body == bytes,
        "second attempt carried the whole file"
    );
    for (n, request) in seen.iter().enumerate() {
        assert_eq!(request.method, "PUT");
        assert_eq!(request.path, "/bucket/key");
        assert_eq!(
            request.header("amz-sdk-request"),
            Some(format!("attempt={}; max=3", n + 1).as_str())
        );
        assert_eq!(
            request.header("x-amz-content-sha256"),
            Some(sha256_hex(bytes).as_str()),
            "attempt {n} signed the file's SHA-256"
        );
        let auth = request.header("authorization").unwrap();
        assert!(
            auth.contains("x-amz-content-sha256"),
            "payload hash is signed: {auth}"
        );
        assert_eq!(
            request.header("x-amz-checksum-crc32"),
            Some(
                checksum(ChecksumAlgorithm::Crc32, bytes)
                    .to_base64()
                    .as_str()
            )
        );
        assert_eq!(request.header("content-length"), Some("300000"));
    }
    assert_eq!(out["ETag"].as_str(), Some("\"e-1\""));
    assert_eq!(out["ResponseMetadata"]["RetryAttempts"].as_i64(), Some(1));
}

fn put_params(body: sansboto_core::StreamingBody) -> Value {
    params! {"Bucket": "bucket", "Key": "key", "Body": body}
}

fn tokio_put(server: &ScriptServer, body: sansboto_core::StreamingBody) -> Result<Value, Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let s3 = tokio_session(core_session(&[], None, None))
            .client("s3")
            .region("us-east-1")
            .endpoint_url(server.url())
            .credentials("AKID", "SECRET", None)
            .build()
            .await
            .unwrap();
        s3.call("PutObject", put_params(body)).await
    })
}

fn async_std_put(
    server: &ScriptServer,
    body: sansboto_core::StreamingBody,
) -> Result<Value, Error> {
    async_std::task::block_on(async {
        let session =
            sansboto_core::runtime::RuntimeSession::<sansboto_async_std::HttpClient>::from_core(
                Ok(core_session(&[], None, None)),
            );
        let s3 = session
            .client("s3")
            .region("us-east-1")
            .endpoint_url(server.url())
            .credentials("AKID", "SECRET", None)
            .build()
            .await
            .unwrap();
        s3.call("PutObject", put_params(body)).await
    })
}

fn blocking_put(server: &ScriptServer, body: sansboto_core::StreamingBody) -> Result<Value, Error> {
    let s3 = blocking_session(core_session(&[], None, None))
        .client("s3")
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap();
    s3.call("PutObject", put_params(body))
}

fn tokio_file(path: &Path) -> sansboto_core::StreamingBody {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(sansboto_tokio::file_body(path)).unwrap()
}

fn async_std_file(path: &Path) -> sansboto_core::StreamingBody {
    async_std::task::block_on(sansboto_async_std::file_body(path)).unwrap()
}

fn blocking_file(path: &Path) -> sansboto_core::StreamingBody {
    sansboto_blocking::file_body(path).unwrap()
}

#[test]
fn file_upload_is_retried_after_a_500_on_tokio() {
    let (path, bytes) = upload_file("retry500-tokio");
    let server = fail_once();
    let out = tokio_put(&server, tokio_file(&path)).unwrap();
    assert_retried_whole(&server, &out, &bytes, LEN);
}

#[test]
fn file_upload_is_retried_after_a_500_on_async_std() {
    let (path, bytes) = upload_file("retry500-async-std");
    let server = fail_once();
    let out = async_std_put(&server, async_std_file(&path)).unwrap();
    assert_retried_whole(&server, &out, &bytes, LEN);
}

#[test]
fn file_upload_is_retried_after_a_500_on_blocking() {
    let (path, bytes) = upload_file("retry500-blocking");
    let server = fail_once();
    let out = blocking_put(&server, blocking_file(&path)).unwrap();
    assert_retried_whole(&server, &out, &bytes, LEN);
}

#[test]
fn file_upload_is_retried_after_a_reset_mid_body_on_tokio() {
    let (path, bytes) = upload_file("reset-tokio");
    let server = reset_once();
    let out = tokio_put(&server, tokio_file(&path)).unwrap();
    assert_retried_whole(&server, &out, &bytes, CUT_AT);
}

#[test]
fn file_upload_is_retried_after_a_reset_mid_body_on_async_std() {
    let (path, bytes) = upload_file("reset-async-std");
    let server = reset_once();
    let out = async_std_put(&server, async_std_file(&path)).unwrap();
    assert_retried_whole(&server, &out, &bytes, CUT_AT);
}

#[test]
fn file_upload_is_retried_after_a_reset_mid_body_on_blocking() {
    let (path, bytes) = upload_file("reset-blocking");
    let server = reset_once();
    let out = blocking_put(&server, blocking_file(&path)).unwrap();
    assert_retried_whole(&server, &out, &bytes, CUT_AT);
}

/// A one-shot stream met a retryable error: one attempt, and an error that says why there was
/// no second, with the attempt's own error inside.
fn assert_not_replayable(server: &ScriptServer, result: Result<Value, Error>) {
    assert_eq!(server.seen().len(), 1, "a one-shot body is sent once");
    let err = result.unwrap_err();
    assert!(
        err.to_string().contains("cannot be replayed"),
        "the message says why: {err}"
    );
    match &err {
        Error::BodyNotReplayable { source } => match &**source {
            Error::Service(e) => {
                assert_eq!(e.code, "InternalError");
                assert_eq!(e.status, 500);
            }
            other => panic!("the attempt's error is kept: {other:?}"),
        },
        other => panic!("expected BodyNotReplayable, got {other:?}"),
    }
    // The accessors see through to the service error.
    assert_eq!(err.code(), Some("InternalError"));
    assert_eq!(err.status(), Some(500));
}

#[test]
fn one_shot_stream_is_not_replayed_on_tokio() {
    let server = fail_once();
    let result = tokio_put(
        &server,
        sansboto_tokio::reader_body(std::io::Cursor::new(vec![7u8; 1000]), Some(1000)),
    );
    assert_not_replayable(&server, result);
}

#[test]
fn one_shot_stream_is_not_replayed_on_async_std() {
    let server = fail_once();
    let result = async_std_put(
        &server,
        sansboto_async_std::reader_body(futures_lite::io::Cursor::new(vec![7u8; 1000]), Some(1000)),
    );
    assert_not_replayable(&server, result);
}

#[test]
fn one_shot_stream_is_not_replayed_on_blocking() {
    let server = fail_once();
    let result = blocking_put(
        &server,
        sansboto_blocking::reader_body(std::io::Cursor::new(vec![7u8; 1000]), Some(1000)),
    );
    assert_not_replayable(&server, result);
}

/// The headers botocore 1.44.5 sends for PutObject of the same file over plain HTTP: the same
/// payload hash, checksum and length.
#[test]
fn file_upload_over_http_is_hashed_as_botocore_hashes_it() {
    let (path, _) = upload_file("botocore");
    let server = Arc::new(ScriptServer::start(|_, _| ok_put()));
    blocking_put(&server, blocking_file(&path)).unwrap();
    let ours = &server.seen()[0];
    let snippet = format!(
        r#"
from botocore.awsrequest import AWSResponse
class Raw:
    def stream(self):
        return iter([b''])
captured = {{}}
def before_send(request, **kwargs):
    captured.update({{k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}})
    return AWSResponse(request.url, 200, {{}}, Raw())
client = session.create_client('s3', region_name='us-east-1', endpoint_url='http://127.0.0.1:9',
    aws_access_key_id='AKID', aws_secret_access_key='SECRET')
client.meta.events.register('before-send', before_send)
with open({path:?}, 'rb') as body:
    client.put_object(Bucket='bucket', Key='key', Body=body)
emit(captured)
"#,
        path = path.display().to_string()
    );
    let theirs = sansboto_tests::botocore::run(&snippet, &[]);
    for header in [
        "x-amz-content-sha256",
        "x-amz-checksum-crc32",
        "x-amz-sdk-checksum-algorithm",
        "content-length",
    ] {
        assert_eq!(
            ours.header(header),
            theirs[header].as_str(),
            "{header}: ours vs botocore's"
        );
    }
}

/// Send `request` as received to `upstream` on a fresh connection and give back its answer
/// (a stand-in for a load balancer in front of the service: the client's signed bytes reach the
/// verifier unchanged).
fn forward(upstream: std::net::SocketAddr, request: &e2e_support::Seen) -> Action {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut stream = std::net::TcpStream::connect(upstream).expect("connect upstream");
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.path);
    for (name, value) in &request.headers {
        if name != "connection" {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("connection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&request.body).unwrap();
    let mut reader = BufReader::new(stream);
    // An interim `100 Continue` (the client sent `Expect`) is skipped.
    let (status, lines) = loop {
        let mut status_line = String::new();
        reader.read_line(&mut status_line).unwrap();
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end().to_owned();
            if line.is_empty() {
                break;
            }
            lines.push(line);
        }
        if status != 100 {
            break (status, lines);
        }
    };
    let mut headers = Vec::new();
    let mut len = 0;
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
        if name.eq_ignore_ascii_case("content-length") {
            len = value.parse().unwrap();
        } else if !name.eq_ignore_ascii_case("connection")
            && !name.eq_ignore_ascii_case("transfer-encoding")
        {
            headers.push((name, value));
        }
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    Action::Respond(status, headers, body)
}

/// The replayed upload verifies at a strict SigV4 verifier: the first PutObject of a file meets
/// a 500 in front of `s3s-fs`, the second goes through to it and verifies (signature and payload
/// SHA-256), and the stored object is the file.
#[test]
fn replayed_file_upload_verifies_at_s3s_fs() {
    use sansboto_tests::s3s::{S3sServer, ACCESS_KEY, SECRET_KEY};
    let s3s = S3sServer::start();
    let upstream = s3s.addr();
    let (path, bytes) = upload_file("s3s");
    let front = ScriptServer::start(move |request, n| {
        if request.method == "PUT" && request.path.ends_with("/key") && n == 1 {
            Action::xml(500, INTERNAL_ERROR)
        } else {
            forward(upstream, request)
        }
    });
    let s3 = blocking_session(core_session(&[], None, None))
        .client("s3")
        .region("us-east-1")
        .endpoint_url(front.url())
        .credentials(ACCESS_KEY, SECRET_KEY, None)
        .build()
        .unwrap();
    s3.call("CreateBucket", params! {"Bucket": "bucket"})
        .unwrap_or_else(|e| panic!("CreateBucket: {e}"));
    let out = s3
        .call("PutObject", put_params(blocking_file(&path)))
        .unwrap_or_else(|e| panic!("PutObject: {e}"));
    assert_eq!(out["ResponseMetadata"]["RetryAttempts"].as_i64(), Some(1));
    let seen = front.seen();
    assert_eq!(
        seen.len(),
        3,
        "CreateBucket, the failed PutObject, its retry"
    );
    assert!(seen[1].body == bytes && seen[2].body == bytes);
    assert_eq!(
        seen[2].header("x-amz-content-sha256"),
        Some(sha256_hex(&bytes).as_str()),
        "the payload hash s3s-fs verified"
    );
    let got = s3
        .call("GetObject", params! {"Bucket": "bucket", "Key": "key"})
        .unwrap_or_else(|e| panic!("GetObject: {e}"));
    let mut stored = Vec::new();
    std::io::Read::read_to_end(
        &mut sansboto_blocking::take_body(&got["Body"]).expect("GetObject Body streams"),
        &mut stored,
    )
    .unwrap();
    assert!(stored == bytes, "s3s-fs stored the file");
}

/// `bytes` behind a prefix the body must skip: a reader positioned where the body starts, so a
/// rewind must go back to there, not to 0.
fn positioned(bytes: &[u8]) -> (Vec<u8>, u64) {
    let mut all = b"not part of the body".to_vec();
    let start = all.len() as u64;
    all.extend_from_slice(bytes);
    (all, start)
}

#[test]
fn seekable_upload_is_rewound_and_retried_on_tokio() {
    let (_, bytes) = upload_file("seek-tokio");
    let (all, start) = positioned(&bytes);
    let body = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async {
            let mut cursor = std::io::Cursor::new(all);
            cursor.set_position(start);
            sansboto_tokio::seekable_body(cursor, Some(LEN as u64)).await
        })
        .unwrap();
    let server = fail_once();
    let out = tokio_put(&server, body).unwrap();
    assert_retried_whole(&server, &out, &bytes, LEN);
}

#[test]
fn seekable_upload_is_rewound_and_retried_on_async_std() {
    let (_, bytes) = upload_file("seek-async-std");
    let (all, start) = positioned(&bytes);
    let body = async_std::task::block_on(async {
        let mut cursor = futures_lite::io::Cursor::new(all);
        cursor.set_position(start);
        sansboto_async_std::seekable_body(cursor, Some(LEN as u64)).await
    })
    .unwrap();
    let server = reset_once();
    let out = async_std_put(&server, body).unwrap();
    assert_retried_whole(&server, &out, &bytes, CUT_AT);
}

#[test]
fn seekable_upload_is_rewound_and_retried_on_blocking() {
    let (_, bytes) = upload_file("seek-blocking");
    let (all, start) = positioned(&bytes);
    let mut cursor = std::io::Cursor::new(all);
    cursor.set_position(start);
    let body = sansboto_blocking::seekable_body(cursor, Some(LEN as u64)).unwrap();
    let server = fail_once();
    let out = blocking_put(&server, body).unwrap();
    assert_retried_whole(&server, &out, &bytes, LEN);
}
