//! Helpers shared by the SigV4 and SigV4a conformance tests: a raw HTTP/1.1 request parser for
//! the suites' `.req`/`request.txt` files, conversion to `http::Request`, and small decoders.

#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use sansboto_core::Body;

/// A raw request as written in a suite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRequest {
    pub method: String,
    /// The request target exactly as written (may hold spaces and UTF-8).
    pub target: String,
    /// Headers in order; obsolete line folding is unfolded by replacing the line break with a
    /// space (the signer must collapse the resulting whitespace run itself).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Parse a raw HTTP/1.1 request. The request line is `METHOD SP target SP HTTP/x.y` where the
/// target may itself contain spaces; lines starting with whitespace continue the previous header.
pub(crate) fn parse_raw_request(text: &str) -> Result<RawRequest, String> {
    let text = text.replace("\r\n", "\n");
    let (head, body) = match text.find("\n\n") {
        Some(i) => (&text[..i], &text[i + 2..]),
        None => (text.trim_end_matches('\n'), ""),
    };
    let mut lines = head.split('\n');
    let request_line = lines.next().ok_or("empty request")?;
    let (method, rest) = request_line.split_once(' ').ok_or("no method")?;
    let (target, version) = rest.rsplit_once(' ').ok_or("no HTTP version")?;
    if !version.starts_with("HTTP/") {
        return Err(format!("bad request line {request_line:?}"));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let last = headers
                .last_mut()
                .ok_or("continuation line before any header")?;
            last.1.push(' ');
            last.1.push_str(line);
        } else {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("bad header line {line:?}"))?;
            headers.push((name.to_owned(), value.to_owned()));
        }
    }
    Ok(RawRequest {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body: body.as_bytes().to_vec(),
    })
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// The request target as it would go on the wire, and whether the path had to be encoded.
///
/// The suites write some paths unencoded (`/example space/`, `/ሴ`), which no `http::Uri` can
/// hold; their expected canonical URI is that raw path encoded once. Such a path is sent
/// percent-encoded (unreserved bytes and `/` kept) and signed without a second encoding, which
/// yields exactly that canonical form. Query strings are canonicalised by decoding and
/// re-encoding, so only bytes a URI cannot carry are escaped there.
pub(crate) fn wire_target(raw_target: &str) -> (String, bool) {
    if http::uri::PathAndQuery::try_from(raw_target).is_ok() {
        return (raw_target.to_owned(), false);
    }
    let (path, query) = match raw_target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (raw_target, None),
    };
    let mut out = String::new();
    let path_needs_encoding = http::uri::PathAndQuery::try_from(path).is_err();
    for &b in path.as_bytes() {
        if !path_needs_encoding || is_unreserved(b) || b == b'/' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if let Some(q) = query {
        out.push('?');
        for &b in q.as_bytes() {
            if b.is_ascii_graphic() {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    (out, path_needs_encoding)
}

/// Build the `http::Request` a caller would hand to the signer.
pub(crate) fn to_http_request(raw: &RawRequest) -> Result<(http::Request<Body>, bool), String> {
    let (target, pre_encoded) = wire_target(&raw.target);
    let mut builder = http::Request::builder()
        .method(raw.method.as_str())
        .uri(target);
    for (name, value) in &raw.headers {
        builder = builder.header(name.as_str(), value.trim_start());
    }
    let body = Body::from(Bytes::from(raw.body.clone()));
    builder
        .body(body)
        .map(|r| (r, pre_encoded))
        .map_err(|e| format!("cannot build request: {e}"))
}

/// A request's headers as sorted (lowercase name, trimmed value) pairs: the comparable form of
/// a signed request (HTTP header order between different names carries no meaning).
pub(crate) fn header_set_of_raw(raw: &RawRequest) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = raw
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    v.sort();
    v
}

pub(crate) fn header_set_of_request(req: &http::Request<Body>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                v.to_str().unwrap_or("<non-text>").trim().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// (path, sorted query parameters) of a target, for comparing presigned URLs.
pub(crate) fn split_target(target: &str) -> (String, Vec<String>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut params: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    params.sort();
    (path.to_owned(), params)
}

/// Parse `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn parse_timestamp(s: &str) -> Result<SystemTime, String> {
    let bad = || format!("bad timestamp {s:?}");
    let num = |r: std::ops::Range<usize>| -> Result<i64, String> {
        s.get(r).and_then(|x| x.parse().ok()).ok_or_else(bad)
    };
    let (y, mo, d, h, mi, se) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy.rem_euclid(400);
    let doy = (153 * (if mo > 2 { mo - 3 } else { mo + 9 }) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + se;
    Ok(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).map_err(|_| bad())?))
}

pub(crate) fn hex_decode(s: &str) -> Result<Vec<u8>, String> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd-length hex {s:?}"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| format!("bad hex {s:?}: {e}")))
        .collect()
}

pub(crate) fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Tally of one suite; prints itself and fails the test when anything failed.
#[derive(Default)]
pub(crate) struct Tally {
    pub passed: usize,
    pub failed: Vec<String>,
    pub skipped: Vec<(String, String)>,
}

impl Tally {
    pub(crate) fn record(&mut self, case: &str, result: Result<(), String>) {
        match result {
            Ok(()) => self.passed += 1,
            Err(e) => self.failed.push(format!("{case}: {e}")),
        }
    }

    pub(crate) fn finish(&self, suite: &str) {
        println!(
            "{suite}: {} passed, {} failed, {} skipped",
            self.passed,
            self.failed.len(),
            self.skipped.len()
        );
        for (case, why) in &self.skipped {
            println!("  skipped {case}: {why}");
        }
        for f in &self.failed {
            println!("  FAILED {f}");
        }
        assert!(
            self.failed.is_empty(),
            "{suite}: {} case(s) failed",
            self.failed.len()
        );
    }
}

/// Compare two strings, with a readable diff-ish message.
pub(crate) fn expect_eq(what: &str, actual: &str, expected: &str) -> Result<(), String> {
    if actual == expected {
        Ok(())
    } else {
        Err(format!(
            "{what} differs\n--- actual\n{actual}\n--- expected\n{expected}"
        ))
    }
}

/// The signing settings an aws-c-auth case (`context.json`) asks for, for its `header` or
/// `query` variant. `pre_encoded` is true when the request target had to be sent percent-encoded
/// (then it must not be encoded again).
pub(crate) fn crt_settings(
    variant: &str,
    pre_encoded: bool,
    normalize: bool,
    sign_body: bool,
    omit_session_token: bool,
    expires_in: Duration,
) -> sansboto_core::auth::sigv4::SigningSettings {
    let mut settings = sansboto_core::auth::sigv4::SigningSettings {
        double_uri_encode: !pre_encoded,
        normalize_uri_path: normalize,
        // aws-c-auth's `sign_body` adds the signed x-amz-content-sha256 header.
        content_sha256_header: sign_body,
        omit_session_token,
        ..Default::default()
    };
    if variant == "query" {
        // aws-c-auth's `sign_body` adds no query parameter to presigned URLs.
        settings.content_sha256_header = false;
        settings = settings.presigned(expires_in);
    }
    settings
}
