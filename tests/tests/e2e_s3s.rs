//! S3 requests signed by sansboto against `s3s-fs`, a strict SigV4 verifier (header signatures,
//! payload hashes, presigned URLs and POST policies), and presigned POST uploads to `s3s-fs` and
//! moto. Presigned URLs and POST forms are used with a plain HTTP client, as a browser or `curl`
//! would use them, so only the URL or form made by sansboto carries the authentication.

use std::time::Duration;

use bytes::Bytes;
use sansboto_blocking::{Client, HttpClient, HttpConfig, HttpSettings, Session};
use sansboto_core::params;
use sansboto_core::Body;
use sansboto_tests::moto::MotoServer;
use sansboto_tests::s3s::{S3sServer, ACCESS_KEY, SECRET_KEY};

const BUCKET: &str = "verified";

fn s3(endpoint: &str, access_key: &str, secret: &str) -> Client {
    Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(access_key, secret, None)
        .build()
        .unwrap_or_else(|e| panic!("s3 client: {e}"))
}

/// A started `s3s-fs` with [`BUCKET`] created (by a verified call) and a client for it.
fn s3s_with_bucket() -> (S3sServer, Client) {
    let server = S3sServer::start();
    let client = s3(&server.endpoint(), ACCESS_KEY, SECRET_KEY);
    client
        .call("CreateBucket", params! {"Bucket": BUCKET})
        .unwrap_or_else(|e| panic!("CreateBucket: {e}"));
    (server, client)
}

/// A plain HTTP exchange (no signing, no retries): status and body.
fn plain(method: &str, url: &str, headers: &[(&str, &str)], body: Bytes) -> (u16, Bytes) {
    let mut builder = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let body = if body.is_empty() {
        Body::Empty
    } else {
        Body::Bytes(body)
    };
    let request = builder
        .body(body)
        .unwrap_or_else(|e| panic!("request: {e}"));
    let response = HttpClient::new(HttpConfig::default())
        .and_then(|c| c.send(request))
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .bytes()
        .unwrap_or_else(|e| panic!("{method} {url} body: {e}"));
    (status, body)
}

/// The `<Code>` of an S3 XML error body.
fn xml_code(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.split_once("<Code>")
        .and_then(|(_, rest)| rest.split_once("</Code>"))
        .map(|(code, _)| code.to_owned())
        .unwrap_or_else(|| format!("no <Code> in {text}"))
}

fn get_text(client: &Client, key: &str) -> Vec<u8> {
    use std::io::Read;
    let got = client
        .call("GetObject", params! {"Bucket": BUCKET, "Key": key})
        .unwrap_or_else(|e| panic!("GetObject {key}: {e}"));
    let mut read = Vec::new();
    sansboto_blocking::take_body(&got["Body"])
        .expect("GetObject Body streams")
        .read_to_end(&mut read)
        .unwrap_or_else(|e| panic!("reading {key}: {e}"));
    read
}

#[test]
fn signed_put_get_list_accepted() {
    let (_server, client) = s3s_with_bucket();
    // Keys that exercise SigV4's URI encoding: spaces, unicode, reserved characters, slashes.
    let keys = [
        "plain.txt",
        "dir/with space/ünï©ødé.txt",
        "a+b=c&d~e!'()*,;:@$.bin",
    ];
    for (i, key) in keys.iter().enumerate() {
        let body = format!("object {i}: {key}").into_bytes();
        let put = client
            .call(
                "PutObject",
                params! {"Bucket": BUCKET, "Key": *key, "Body": body.as_slice(), "ContentType": "text/plain"},
            )
            .unwrap_or_else(|e| panic!("PutObject {key}: {e}"));
        assert!(put["ETag"].as_str().is_some(), "{put:?}");
        assert_eq!(get_text(&client, key), body, "{key}");
    }
    let listed = client
        .call(
            "ListObjectsV2",
            params! {"Bucket": BUCKET, "Prefix": "dir/"},
        )
        .unwrap_or_else(|e| panic!("ListObjectsV2: {e}"));
    assert_eq!(listed["KeyCount"].as_i64(), Some(1), "{listed:?}");
    assert_eq!(
        listed["Contents"][0]["Key"].as_str(),
        Some("dir/with space/ünï©ødé.txt")
    );
    let all = client
        .call("ListObjectsV2", params! {"Bucket": BUCKET})
        .unwrap_or_else(|e| panic!("ListObjectsV2: {e}"));
    assert_eq!(all["KeyCount"].as_i64(), Some(3), "{all:?}");
}

#[test]
fn wrong_secret_refused() {
    let (server, _client) = s3s_with_bucket();
    let bad = s3(&server.endpoint(), ACCESS_KEY, "wrong-secret");
    let err = bad
        .call("ListObjectsV2", params! {"Bucket": BUCKET})
        .expect_err("a wrong secret is refused");
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err}");
    assert_eq!(err.status(), Some(403));
    let err = bad
        .call(
            "PutObject",
            params! {"Bucket": BUCKET, "Key": "k", "Body": &b"x"[..]},
        )
        .expect_err("a wrong secret is refused");
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err}");
    let unknown = s3(&server.endpoint(), "AKIANOTKNOWN", SECRET_KEY);
    let err = unknown
        .call("ListObjectsV2", params! {"Bucket": BUCKET})
        .expect_err("an unknown access key is refused");
    // s3s's key store answers `NotSignedUp` for an access key it does not know.
    assert_eq!(err.code(), Some("NotSignedUp"), "{err}");
    assert_eq!(err.status(), Some(403));
}

#[test]
fn presigned_get_and_put_urls() {
    let (_server, client) = s3s_with_bucket();
    let key = "shared/report 2024.txt";
    let hour = Duration::from_secs(3600);

    // PUT through a presigned URL, then read it back with a signed call.
    let put_url = client
        .presign("PutObject", params! {"Bucket": BUCKET, "Key": key}, hour)
        .unwrap_or_else(|e| panic!("presign PutObject: {e}"));
    let (status, body) = plain("PUT", &put_url, &[], Bytes::from_static(b"uploaded"));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(get_text(&client, key), b"uploaded");

    // GET through a presigned URL.
    let get_url = client
        .presign("GetObject", params! {"Bucket": BUCKET, "Key": key}, hour)
        .unwrap_or_else(|e| panic!("presign GetObject: {e}"));
    // Only `host` is signed: a plain GET sends no `x-amz-checksum-mode` (regression: it was
    // signed, and s3s-fs refused the URL).
    assert!(get_url.contains("X-Amz-SignedHeaders=host&"), "{get_url}");
    let (status, body) = plain("GET", &get_url, &[], Bytes::new());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(body.as_ref(), b"uploaded");

    // Tampering with the key, the expiry or the signature breaks the signature.
    let tampered_key = get_url.replacen("report%202024", "report%202025", 1);
    assert_ne!(tampered_key, get_url, "the key appears in the URL path");
    let tampered_expiry = get_url.replacen("X-Amz-Expires=3600", "X-Amz-Expires=3601", 1);
    assert_ne!(tampered_expiry, get_url, "{get_url}");
    for url in [&tampered_key, &tampered_expiry] {
        let (status, body) = plain("GET", url, &[], Bytes::new());
        assert_eq!(status, 403, "{url}");
        assert_eq!(xml_code(&body), "SignatureDoesNotMatch", "{url}");
    }
    let (status, body) = plain(
        "PUT",
        &put_url.replacen(BUCKET, "other", 1),
        &[],
        Bytes::from_static(b"x"),
    );
    assert_eq!(status, 403);
    assert_eq!(xml_code(&body), "SignatureDoesNotMatch");
}

#[test]
fn presigned_url_expires() {
    let (_server, client) = s3s_with_bucket();
    client
        .call(
            "PutObject",
            params! {"Bucket": BUCKET, "Key": "soon-gone", "Body": &b"x"[..]},
        )
        .unwrap_or_else(|e| panic!("PutObject: {e}"));
    let url = client
        .presign(
            "GetObject",
            params! {"Bucket": BUCKET, "Key": "soon-gone"},
            Duration::from_secs(1),
        )
        .unwrap_or_else(|e| panic!("presign: {e}"));
    assert!(url.contains("X-Amz-Expires=1&"), "{url}");
    // X-Amz-Date has whole seconds, so wait until the URL is past its expiry for certain.
    std::thread::sleep(Duration::from_millis(2500));
    let (status, body) = plain("GET", &url, &[], Bytes::new());
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
    assert_eq!(xml_code(&body), "AccessDenied");
    assert!(String::from_utf8_lossy(&body).contains("expired"));
}

/// A `multipart/form-data` body of `fields` then the file, as a browser sends a form.
fn multipart_form(fields: &[(&str, &str)], file: &[u8]) -> (String, Bytes) {
    let boundary = "----sansboto-e2e-boundary-7d93a1";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"upload.txt\"\r\nContent-Type: text/plain\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (
        format!("multipart/form-data; boundary={boundary}"),
        Bytes::from(body),
    )
}

/// Presign a POST for `key` in [`BUCKET`] at `endpoint` (the S3 client's
/// `generate_presigned_post`, its URL from endpoint resolution) and post `file` with the form.
fn post_form(
    endpoint: &str,
    access_key: &str,
    secret: &str,
    key: &str,
    conditions: &[serde_json::Value],
    file: &[u8],
) -> (u16, Bytes) {
    let fields = [("Content-Type".to_owned(), "text/plain".to_owned())];
    let post = s3(endpoint, access_key, secret)
        .generate_presigned_post(BUCKET, key, &fields, conditions, Duration::from_secs(600))
        .unwrap_or_else(|e| panic!("generate_presigned_post: {e}"));
    assert_eq!(post.url, format!("{endpoint}/{BUCKET}"));
    let form: Vec<(&str, &str)> = post
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (content_type, body) = multipart_form(&form, file);
    plain("POST", &post.url, &[("content-type", &content_type)], body)
}

#[test]
fn presigned_post_to_s3s_fs() {
    let (server, client) = s3s_with_bucket();
    let conditions = [
        serde_json::json!({"Content-Type": "text/plain"}),
        serde_json::json!(["content-length-range", 1, 1024]),
    ];
    let (status, body) = post_form(
        &server.endpoint(),
        ACCESS_KEY,
        SECRET_KEY,
        "posted/form.txt",
        &conditions,
        b"from a form",
    );
    assert!(
        (200..300).contains(&status),
        "{status}: {}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(get_text(&client, "posted/form.txt"), b"from a form");

    // The policy is signed: the same form signed with a wrong secret is refused.
    let (status, body) = post_form(
        &server.endpoint(),
        ACCESS_KEY,
        "wrong-secret",
        "posted/evil.txt",
        &conditions,
        b"x",
    );
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
    assert_eq!(xml_code(&body), "SignatureDoesNotMatch");
}

#[test]
fn presigned_post_to_moto() {
    let moto = MotoServer::start();
    let client = s3(&moto.endpoint(), "testing", "testing");
    client
        .call("CreateBucket", params! {"Bucket": BUCKET})
        .unwrap_or_else(|e| panic!("CreateBucket: {e}"));
    let (status, body) = post_form(
        &moto.endpoint(),
        "testing",
        "testing",
        "uploads/${filename}",
        &[],
        b"posted to moto",
    );
    assert!(
        (200..300).contains(&status),
        "{status}: {}",
        String::from_utf8_lossy(&body)
    );
    // `${filename}` became the form file's name.
    assert_eq!(get_text(&client, "uploads/upload.txt"), b"posted to moto");
}

/// A TLS front for `backend`: terminates TLS with a self-signed certificate and relays each
/// HTTP/1.1 request unchanged (so the signed `host` header still matches), one backend
/// connection per request. It lets `s3s-fs`, which speaks plain HTTP only, see what sansboto
/// sends over HTTPS: a PutObject body framed `aws-chunked` with the checksum in a trailer.
mod tls_front {
    use std::io::{self, Read, Write};
    use std::net::{SocketAddr, TcpListener, TcpStream};
    use std::sync::Arc;
    use std::thread;
    use std::time::Duration;

    /// Start the front; returns its `https://127.0.0.1:PORT` endpoint. The listener thread lives
    /// as long as the test process.
    pub(crate) fn start(backend: SocketAddr) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind TLS front");
        let addr = listener.local_addr().expect("TLS front address");
        let config = server_config();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let config = config.clone();
                thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
                    if let Ok(conn) = rustls::ServerConnection::new(config) {
                        let _ = relay(rustls::StreamOwned::new(conn, stream), backend);
                    }
                });
            }
        });
        format!("https://{addr}")
    }

    fn server_config() -> Arc<rustls::ServerConfig> {
        sansboto_tests::self_signed_tls().0
    }

    /// Bytes read from the client but not yet relayed.
    struct Incoming<S> {
        stream: S,
        buf: Vec<u8>,
    }

    impl<S: Read> Incoming<S> {
        /// Read until `buf` holds at least `len` bytes; false at a clean end of stream.
        fn fill(&mut self, len: usize) -> io::Result<bool> {
            let mut chunk = [0u8; 16 * 1024];
            while self.buf.len() < len {
                let n = self.stream.read(&mut chunk)?;
                if n == 0 {
                    return Ok(false);
                }
                self.buf.extend_from_slice(&chunk[..n]);
            }
            Ok(true)
        }

        /// Read until `buf[from..]` holds `needle`; its position.
        fn find(&mut self, from: usize, needle: &[u8]) -> io::Result<Option<usize>> {
            loop {
                if let Some(i) = self.buf[from.min(self.buf.len())..]
                    .windows(needle.len())
                    .position(|w| w == needle)
                {
                    return Ok(Some(from + i));
                }
                let want = self.buf.len() + 1;
                if !self.fill(want)? {
                    return Ok(None);
                }
            }
        }

        /// One whole request (head and body as sent), or `None` when the client is done.
        fn request(&mut self) -> io::Result<Option<Vec<u8>>> {
            let Some(head_end) = self.find(0, b"\r\n\r\n")? else {
                return Ok(None);
            };
            let head = String::from_utf8_lossy(&self.buf[..head_end]).to_ascii_lowercase();
            let header = |name: &str| {
                head.lines()
                    .find_map(|l| l.strip_prefix(name)?.strip_prefix(':').map(str::trim))
                    .map(str::to_owned)
            };
            let body_start = head_end + 4;
            let end = if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
                // HTTP chunked framing: size lines, data, then trailers up to an empty line.
                let mut at = body_start;
                loop {
                    let line_end = self.find(at, b"\r\n")?.ok_or_else(eof)?;
                    let size_text = String::from_utf8_lossy(&self.buf[at..line_end]).to_string();
                    let size =
                        usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                    at = line_end + 2;
                    if size == 0 {
                        break self
                            .find(at.saturating_sub(2), b"\r\n\r\n")?
                            .ok_or_else(eof)?
                            + 4;
                    }
                    if !self.fill(at + size + 2)? {
                        return Err(eof());
                    }
                    at += size + 2;
                }
            } else {
                let len: usize = header("content-length")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0);
                if !self.fill(body_start + len)? {
                    return Err(eof());
                }
                body_start + len
            };
            let mut request: Vec<u8> = self.buf.drain(..end).collect();
            // One backend connection per request: ask the backend to close it when done, so
            // its response ends at end of stream.
            let insert_at = request
                .windows(2)
                .position(|w| w == b"\r\n")
                .map_or(0, |i| i + 2);
            request.splice(
                insert_at..insert_at,
                b"connection: close\r\n".iter().copied(),
            );
            Ok(Some(request))
        }
    }

    fn eof() -> io::Error {
        io::Error::new(io::ErrorKind::UnexpectedEof, "client closed mid-request")
    }

    fn relay<S: Read + Write>(client: S, backend: SocketAddr) -> io::Result<()> {
        let mut incoming = Incoming {
            stream: client,
            buf: Vec::new(),
        };
        while let Some(request) = incoming.request()? {
            let mut upstream = TcpStream::connect(backend)?;
            upstream.set_read_timeout(Some(Duration::from_secs(20)))?;
            upstream.write_all(&request)?;
            let mut response = Vec::new();
            upstream.read_to_end(&mut response)?;
            incoming.stream.write_all(&response)?;
            incoming.stream.flush()?;
        }
        Ok(())
    }
}

/// An S3 client for the TLS front (its certificate is self-signed, so it is not verified).
fn https_client(endpoint: &str) -> Client {
    Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(ACCESS_KEY, SECRET_KEY, None)
        .http_settings(HttpSettings::new().verify(false))
        .build()
        .unwrap_or_else(|e| panic!("s3 https client: {e}"))
}

#[test]
fn aws_chunked_trailer_over_https_accepted() {
    let (server, http_client) = s3s_with_bucket();
    let https = https_client(&tls_front::start(server.addr()));
    // In memory and streamed (length known, and unknown: the transport frames it then).
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let put = https
        .call(
            "PutObject",
            params! {"Bucket": BUCKET, "Key": "chunked/in-memory", "Body": body.as_slice()},
        )
        .unwrap_or_else(|e| panic!("PutObject over https: {e}"));
    // The checksum came back from the trailer the server read and verified.
    assert!(put["ChecksumCRC32"].as_str().is_some(), "{put:?}");
    assert_eq!(get_text(&http_client, "chunked/in-memory"), body);

    let stream =
        sansboto_blocking::reader_body(std::io::Cursor::new(body.clone()), Some(body.len() as u64));
    let put = https
        .call(
            "PutObject",
            params! {"Bucket": BUCKET, "Key": "chunked/streamed", "Body": stream},
        )
        .unwrap_or_else(|e| panic!("streamed PutObject over https: {e}"));
    assert!(put["ChecksumCRC32"].as_str().is_some(), "{put:?}");
    assert_eq!(get_text(&http_client, "chunked/streamed"), body);

    // A stream of unknown length cannot carry `X-Amz-Decoded-Content-Length`; botocore sends the
    // same headers then, and S3 (like s3s-fs) requires that header for `aws-chunked`.
    let stream = sansboto_blocking::reader_body(std::io::Cursor::new(body.clone()), None);
    let err = https
        .call(
            "PutObject",
            params! {"Bucket": BUCKET, "Key": "chunked/unknown-length", "Body": stream},
        )
        .expect_err("aws-chunked without a decoded length is refused");
    assert_eq!(err.code(), Some("MissingContentLength"), "{err}");
}
