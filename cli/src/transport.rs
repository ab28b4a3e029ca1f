//! The command's transport: the blocking [`HttpClient`] with an optional `--debug` log of every
//! request and response on stderr, secrets redacted (signatures, session tokens, SSE-C keys,
//! secret keys in credential responses). Credential providers' requests go through it too.

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use sansboto_blocking::{block_on, HttpClient, ResponseBody};
use sansboto_core::body::{Body, StreamingBody};
use sansboto_core::error::TransportError;
use sansboto_core::http_config::HttpConfig;
use sansboto_core::httpchecksum::ResponseChecksumValidator;
use sansboto_core::machine::ProcessOutput;
use sansboto_core::runtime::Transport;

static DEBUG: AtomicBool = AtomicBool::new(false);

/// Turn the request/response log on for the rest of the process.
pub fn enable_debug() {
    DEBUG.store(true, Ordering::Relaxed);
}

/// Whether `--debug` is on.
pub fn debug_enabled() -> bool {
    DEBUG.load(Ordering::Relaxed)
}

/// Write one debug line to stderr.
pub fn debug_log(line: impl AsRef<str>) {
    if debug_enabled() {
        eprintln!("[sansboto debug] {}", line.as_ref());
    }
}

/// [`HttpClient`] plus the debug log.
#[derive(Clone, Debug)]
pub struct CliTransport {
    inner: HttpClient,
}

impl Transport for CliTransport {
    type ResponseBody = ResponseBody;
    type Run<'a, T: 'a> = T;

    fn run<'a, T: 'a>(future: impl Future<Output = T> + Send + 'a) -> T {
        block_on(future)
    }

    fn connect(config: &HttpConfig) -> Result<Self, TransportError> {
        Ok(CliTransport {
            inner: HttpClient::new(config.clone())?,
        })
    }

    async fn send(
        &self,
        request: http::Request<Body>,
    ) -> Result<http::Response<ResponseBody>, TransportError> {
        if debug_enabled() {
            log_request(&request);
        }
        let response = self.inner.send(request);
        if debug_enabled() {
            match &response {
                Ok(r) => log_response_head(r),
                Err(e) => debug_log(format!("request failed: {e}")),
            }
        }
        response
    }

    async fn read_body(&self, body: ResponseBody) -> Result<Bytes, TransportError> {
        let bytes = body.bytes();
        if debug_enabled() {
            if let Ok(b) = &bytes {
                debug_log(format!("response body: {}", describe_body(b)));
            }
        }
        bytes
    }

    fn body_len(body: &ResponseBody) -> Option<u64> {
        body.content_length()
    }

    async fn read_chunk(&self, body: &mut ResponseBody) -> Result<Option<Bytes>, TransportError> {
        self.inner.read_chunk(body).await
    }

    fn expect_checksum(body: &mut ResponseBody, validator: ResponseChecksumValidator) {
        HttpClient::expect_checksum(body, validator)
    }

    async fn scan_body(
        &self,
        body: &StreamingBody,
        sink: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<(), TransportError> {
        debug_log("reading the request body ahead to hash it");
        self.inner.scan_body(body, sink).await
    }

    async fn sleep(&self, duration: Duration) {
        debug_log(format!("sleeping {duration:?} before the next attempt"));
        sansboto_blocking::sleep(duration)
    }

    async fn timeout<F: Future + Send>(&self, limit: Duration, future: F) -> Option<F::Output> {
        self.inner.timeout(limit, future).await
    }

    async fn read_file(&self, path: PathBuf) -> std::io::Result<Bytes> {
        debug_log(format!("reading {}", path.display()));
        self.inner.read_file(path).await
    }

    async fn write_file(&self, path: PathBuf, contents: Bytes) -> std::io::Result<()> {
        debug_log(format!("writing {}", path.display()));
        self.inner.write_file(path, contents).await
    }

    async fn run_process(&self, argv: Vec<String>) -> std::io::Result<ProcessOutput> {
        debug_log(format!(
            "running credential process {}",
            argv.first().map(String::as_str).unwrap_or_default()
        ));
        self.inner.run_process(argv).await
    }

    fn now(&self) -> SystemTime {
        sansboto_blocking::now()
    }

    async fn file_job(
        &self,
        job: sansboto_core::transfer::FileJob,
    ) -> std::io::Result<sansboto_core::transfer::FileOutput> {
        debug_log(format!("file operation {job:?}"));
        self.inner.file_job(job).await
    }

    async fn write_file_at(&self, path: PathBuf, offset: u64, data: Bytes) -> std::io::Result<()> {
        self.inner.write_file_at(path, offset, data).await
    }

    async fn join_all<F>(&self, futures: Vec<F>) -> Vec<F::Output>
    where
        F: Future + Send,
        F::Output: Send,
    {
        self.inner.join_all(futures).await
    }
}

/// Headers whose whole value is secret.
const SECRET_HEADERS: &[&str] = &[
    "x-amz-security-token",
    "x-amz-server-side-encryption-customer-key",
    "x-amz-copy-source-server-side-encryption-customer-key",
    "x-aws-ec2-metadata-token",
    "x-amz-sso_bearer_token",
];

/// Query parameters whose value is secret (presigned URLs).
const SECRET_QUERY: &[&str] = &["X-Amz-Signature", "X-Amz-Security-Token", "Signature"];

/// Members of credential responses whose value is secret (STS, SSO, IMDS, container).
const SECRET_FIELDS: &[&str] = &[
    "SecretAccessKey",
    "SessionToken",
    "Token",
    "secretAccessKey",
    "sessionToken",
    "accessToken",
    "AccessToken",
];

const REDACTED: &str = "<redacted>";

/// A header value as it may be shown.
pub fn redact_header(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if SECRET_HEADERS.contains(&lower.as_str()) {
        return REDACTED.to_string();
    }
    if lower == "authorization" {
        // Keep the scheme, key id, scope and signed headers; hide the signature (and any
        // bearer token).
        if let Some(i) = value.find("Signature=") {
            return format!("{}Signature={REDACTED}", &value[..i]);
        }
        if let Some((scheme, _)) = value.split_once(' ') {
            return format!("{scheme} {REDACTED}");
        }
        return REDACTED.to_string();
    }
    value.to_string()
}

/// A URL with secret query parameters hidden.
pub fn redact_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if SECRET_QUERY.contains(&k) => format!("{k}={REDACTED}"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{base}?{}", parts.join("&"))
}

/// Body text with secret JSON and XML member values hidden.
pub fn redact_body(text: &str) -> String {
    let mut out = text.to_string();
    for field in SECRET_FIELDS {
        out = redact_json_field(&out, field);
        out = redact_xml_element(&out, field);
    }
    out
}

fn redact_json_field(text: &str, field: &str) -> String {
    let needle = format!("\"{field}\"");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        let after = &rest[i + needle.len()..];
        let trimmed = after.trim_start();
        let Some(value) = trimmed.strip_prefix(':').map(str::trim_start) else {
            out.push_str(&rest[..i + needle.len()]);
            rest = after;
            continue;
        };
        let Some(body) = value.strip_prefix('"') else {
            out.push_str(&rest[..i + needle.len()]);
            rest = after;
            continue;
        };
        // Find the closing quote, skipping escaped characters.
        let mut end = None;
        let mut escaped = false;
        for (j, c) in body.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = Some(j);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            out.push_str(&rest[..i + needle.len()]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..i]);
        out.push_str(&format!("{needle}: \"{REDACTED}\""));
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    out
}

fn redact_xml_element(text: &str, field: &str) -> String {
    let open = format!("<{field}>");
    let close = format!("</{field}>");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        match after.find(&close) {
            Some(j) => {
                out.push_str(&rest[..i]);
                out.push_str(&open);
                out.push_str(REDACTED);
                out.push_str(&close);
                rest = &after[j + close.len()..];
            }
            None => {
                out.push_str(&rest[..i + open.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// How much of a body the log shows.
const BODY_LOG_LIMIT: usize = 4096;

fn describe_body(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "(empty)".to_string();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let redacted = redact_body(text);
            if redacted.len() > BODY_LOG_LIMIT {
                let mut cut = BODY_LOG_LIMIT;
                while !redacted.is_char_boundary(cut) {
                    cut -= 1;
                }
                format!("{}… ({} bytes in all)", &redacted[..cut], bytes.len())
            } else {
                redacted
            }
        }
        Err(_) => format!("({} bytes of binary data)", bytes.len()),
    }
}

fn log_request(request: &http::Request<Body>) {
    debug_log(format!(
        "request: {} {}",
        request.method(),
        redact_url(&request.uri().to_string())
    ));
    for (name, value) in request.headers() {
        debug_log(format!(
            "  {}: {}",
            name,
            redact_header(name.as_str(), &String::from_utf8_lossy(value.as_bytes()))
        ));
    }
    match request.body() {
        Body::Stream(s) => debug_log(format!(
            "request body: streamed ({})",
            s.len()
                .map(|n| format!("{n} bytes"))
                .unwrap_or_else(|| "length unknown".into())
        )),
        body => debug_log(format!(
            "request body: {}",
            describe_body(body.as_bytes().unwrap_or_default())
        )),
    }
}

fn log_response_head(response: &http::Response<ResponseBody>) {
    debug_log(format!("response: {}", response.status()));
    for (name, value) in response.headers() {
        debug_log(format!(
            "  {}: {}",
            name,
            redact_header(name.as_str(), &String::from_utf8_lossy(value.as_bytes()))
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_tokens_and_keys_are_hidden() {
        let auth = "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, \
                    SignedHeaders=host;x-amz-date, Signature=abcdef0123";
        let shown = redact_header("Authorization", auth);
        assert!(shown.contains("Credential=AKID/20240101"));
        assert!(!shown.contains("abcdef0123"));
        assert_eq!(redact_header("X-Amz-Security-Token", "tok"), REDACTED);
        assert_eq!(
            redact_header("x-amz-server-side-encryption-customer-key", "k"),
            REDACTED
        );
        assert_eq!(redact_header("Bearer-ish", "v"), "v");
        let url = redact_url(
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKID&X-Amz-Signature=sig&X-Amz-Security-Token=tok",
        );
        assert!(!url.contains("sig") && !url.contains("tok"), "{url}");
        assert!(url.contains("X-Amz-Credential=AKID"));
    }

    #[test]
    fn credential_responses_are_redacted() {
        let json = r#"{"AccessKeyId": "AKID", "SecretAccessKey" : "s3\"kr1t", "Token":"t0ken"}"#;
        let shown = redact_body(json);
        assert!(
            !shown.contains("kr1t") && !shown.contains("t0ken"),
            "{shown}"
        );
        assert!(shown.contains("AKID"));
        let xml = "<Credentials><SecretAccessKey>secret</SecretAccessKey><SessionToken>t\
                   </SessionToken></Credentials>";
        let shown = redact_body(xml);
        assert!(
            !shown.contains("secret<") && !shown.contains(">t<"),
            "{shown}"
        );
    }
}
