//! Writing a request: the head (request line with the target verbatim, `Host`, framing
//! headers, the caller's fields) and the framing of its body.

use super::Http1Error;
use crate::body::empty_body_goes_without_length;
use crate::checksum::{ChunkHead, CHUNK_END};

/// How a request body is delimited on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestFraming {
    /// Exactly this many bytes follow the head (`Content-Length`, or nothing for an empty
    /// body of a method without body semantics).
    Length(u64),
    /// `Transfer-Encoding: chunked`: the length is not known up front.
    Chunked,
}

fn is_token(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The absolute-form target (`http://authority/path?query`, `https://…` for an https request a
/// TLS proxy forwards) a proxy needs to know where a request goes: the URL's authority as it
/// was built (a default port left out, an IPv6 host bracketed), as botocore's proxy requests
/// and hyper's carry it.
pub fn absolute_form(https: bool, authority: &str, target: &str) -> String {
    let scheme = if https { "https" } else { "http" };
    format!("{scheme}://{authority}{target}")
}

/// The field every request carries unless it has an `Accept-Encoding` of its own (see
/// [`encode_request_head`]; [`prepare_head`](crate::http_stack::prepare_head) adds it for the
/// transports on an HTTP stack of their own).
pub const ACCEPT_NO_CODING: (&str, &str) = ("accept-encoding", "identity");

/// The head of a request: `method target HTTP/1.1`, then `Host` (from `host`, unless `headers`
/// carry one), `Accept-Encoding: identity` (unless `headers` carry an `Accept-Encoding`), the
/// framing header, and `headers` in order. `target` is written exactly as given.
///
/// `Accept-Encoding: identity` is what Python's `http.client` sends for botocore: no content
/// coding is decoded here, so none is accepted (without the field, HTTP lets a server or a
/// proxy on the way compress the answer).
///
/// The framing follows what the caller set, else the body: a `Transfer-Encoding` field (which
/// must end in `chunked`) or a `Content-Length` field is kept and obeyed (it must agree with
/// `body_len` when both are known); otherwise a known `body_len` is announced as
/// `Content-Length` and an unknown one goes chunked.
pub fn encode_request_head<'h>(
    method: &str,
    target: &str,
    host: &str,
    headers: impl IntoIterator<Item = (&'h str, &'h [u8])> + Clone,
    body_len: Option<u64>,
) -> Result<(Vec<u8>, RequestFraming), Http1Error> {
    let invalid = |what: String| Http1Error::InvalidRequest(what);
    if !is_token(method.as_bytes()) {
        return Err(invalid(format!("method {method:?}")));
    }
    // Anything visible goes through untouched (the core percent-encodes what must be); only
    // what would end the request line early is refused.
    if target.is_empty() || target.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(invalid(format!("request target {target:?}")));
    }
    if host.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err(invalid("Host with control characters".into()));
    }

    let mut has_host = false;
    let mut has_accept_encoding = false;
    let mut declared: Option<RequestFraming> = None;
    let mut len = 64 + target.len() + host.len();
    for (name, value) in headers.clone() {
        if !is_token(name.as_bytes()) {
            return Err(invalid(format!("header name {name:?}")));
        }
        // A line break in a value would start a new field (request smuggling).
        if value.iter().any(|&b| (b < b' ' && b != b'\t') || b == 0x7f) {
            return Err(invalid(format!("control character in the value of {name}")));
        }
        len += name.len() + value.len() + 4;
        if name.eq_ignore_ascii_case("host") {
            has_host = true;
        } else if name.eq_ignore_ascii_case("accept-encoding") {
            has_accept_encoding = true;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            let last = value.rsplit(|&b| b == b',').next().unwrap_or_default();
            if !last.trim_ascii().eq_ignore_ascii_case(b"chunked") {
                return Err(invalid("Transfer-Encoding without a final chunked".into()));
            }
            declared = Some(RequestFraming::Chunked);
        } else if name.eq_ignore_ascii_case("content-length") {
            // Digits only: `str::parse` would also take `+5`, which servers and proxies on
            // the way may read differently.
            let n = std::str::from_utf8(value)
                .ok()
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| invalid("Content-Length is not a number".into()))?;
            match declared {
                Some(RequestFraming::Chunked) => {
                    return Err(invalid("both Content-Length and Transfer-Encoding".into()))
                }
                Some(RequestFraming::Length(m)) if m != n => {
                    return Err(invalid("two different Content-Length fields".into()))
                }
                _ => declared = Some(RequestFraming::Length(n)),
            }
        }
    }
    if let (Some(RequestFraming::Length(n)), Some(m)) = (declared, body_len) {
        if n != m {
            return Err(invalid(format!(
                "Content-Length {n} but the body has {m} bytes"
            )));
        }
    }

    let mut head = Vec::with_capacity(len);
    for part in [method, " ", target, " HTTP/1.1\r\n"] {
        head.extend_from_slice(part.as_bytes());
    }
    if !has_host {
        head.extend_from_slice(b"host: ");
        head.extend_from_slice(host.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    if !has_accept_encoding {
        let (name, identity) = ACCEPT_NO_CODING;
        for part in [name, ": ", identity, "\r\n"] {
            head.extend_from_slice(part.as_bytes());
        }
    }
    let framing = match (declared, body_len) {
        (Some(framing), _) => framing,
        (None, Some(0)) if empty_body_goes_without_length(method) => RequestFraming::Length(0),
        (None, Some(n)) => {
            head.extend_from_slice(format!("content-length: {n}\r\n").as_bytes());
            RequestFraming::Length(n)
        }
        (None, None) => {
            head.extend_from_slice(b"transfer-encoding: chunked\r\n");
            RequestFraming::Chunked
        }
    };
    for (name, value) in headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    Ok((head, framing))
}

/// Frames the request body as it is written and checks it against the head's framing: the
/// transport writes [`prefix`](Self::data)'s bytes, the data, then the suffix, and at the end
/// what [`finish`](Self::finish) returns.
#[derive(Debug)]
pub struct BodyEncoder {
    framing: RequestFraming,
    sent: u64,
}

/// The last chunk of a chunked body (no trailers).
const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

impl BodyEncoder {
    /// A body framed as the head said.
    pub fn new(framing: RequestFraming) -> Self {
        BodyEncoder { framing, sent: 0 }
    }

    /// Body bytes accepted so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// `len` more bytes of body data (never 0 when chunked: an empty chunk would end the body):
    /// what to write before and after them. An error when they would pass `Content-Length`.
    pub fn data(&mut self, len: usize) -> Result<(ChunkHead, &'static [u8]), Http1Error> {
        let n = len as u64;
        match self.framing {
            RequestFraming::Length(total) => {
                if self.sent + n > total {
                    return Err(Http1Error::InvalidRequest(format!(
                        "the body is longer than its Content-Length {total}"
                    )));
                }
                self.sent += n;
                Ok((ChunkHead::NONE, b""))
            }
            RequestFraming::Chunked if len == 0 => Ok((ChunkHead::NONE, b"")),
            RequestFraming::Chunked => {
                self.sent += n;
                Ok((ChunkHead::new(len), CHUNK_END))
            }
        }
    }

    /// The body ended: what to write last (the last chunk when chunked); an error when it is
    /// shorter than its `Content-Length` (the server would wait for the rest).
    pub fn finish(&self) -> Result<&'static [u8], Http1Error> {
        match self.framing {
            RequestFraming::Length(total) if self.sent != total => {
                Err(Http1Error::InvalidRequest(format!(
                    "the body ended after {} of its {total} bytes (Content-Length)",
                    self.sent
                )))
            }
            RequestFraming::Length(_) => Ok(b""),
            RequestFraming::Chunked => Ok(LAST_CHUNK),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body_len: Option<u64>,
    ) -> Result<(String, RequestFraming), Http1Error> {
        let fields = headers.iter().map(|(n, v)| (*n, v.as_bytes()));
        encode_request_head(method, target, "h.example:8080", fields, body_len)
            .map(|(h, f)| (String::from_utf8(h).unwrap(), f))
    }

    #[test]
    fn the_target_goes_out_verbatim() {
        let (h, f) = head("GET", "/b/a/../k/./x%2F?versionId=1", &[], Some(0)).unwrap();
        assert_eq!(
            h,
            "GET /b/a/../k/./x%2F?versionId=1 HTTP/1.1\r\nhost: h.example:8080\r\n\
             accept-encoding: identity\r\n\r\n"
        );
        assert_eq!(f, RequestFraming::Length(0));
    }

    #[test]
    fn host_and_framing_come_from_the_caller_when_set() {
        let (h, f) = head(
            "PUT",
            "/k",
            &[("Host", "other"), ("Content-Length", "3"), ("x-amz-a", "b")],
            None,
        )
        .unwrap();
        assert_eq!(
            h,
            "PUT /k HTTP/1.1\r\naccept-encoding: identity\r\nHost: other\r\nContent-Length: 3\r\n\
             x-amz-a: b\r\n\r\n"
        );
        assert_eq!(f, RequestFraming::Length(3));
        // A caller's own `Accept-Encoding` is the only one; without it, `identity`, as Python's
        // `http.client` adds for botocore.
        let (h, _) = head("GET", "/k", &[("Accept-Encoding", "gzip")], Some(0)).unwrap();
        assert_eq!(h.to_ascii_lowercase().matches("accept-encoding").count(), 1);
        assert!(h.contains("Accept-Encoding: gzip\r\n"), "{h}");
        let (h, f) = head("PUT", "/k", &[("transfer-encoding", "chunked")], None).unwrap();
        assert_eq!(f, RequestFraming::Chunked);
        assert_eq!(h.matches("chunked").count(), 1);
    }

    #[test]
    fn framing_follows_the_body() {
        let (h, f) = head("PUT", "/k", &[], Some(0)).unwrap();
        assert!(h.contains("content-length: 0\r\n"), "{h}");
        assert_eq!(f, RequestFraming::Length(0));
        let (h, f) = head("POST", "/", &[], Some(12)).unwrap();
        assert!(h.contains("content-length: 12\r\n"), "{h}");
        assert_eq!(f, RequestFraming::Length(12));
        let (h, f) = head("PUT", "/k", &[], None).unwrap();
        assert!(h.contains("transfer-encoding: chunked\r\n"), "{h}");
        assert_eq!(f, RequestFraming::Chunked);
    }

    #[test]
    fn what_would_break_the_framing_is_refused() {
        for (method, target, headers, len) in [
            ("G ET", "/", vec![], Some(0)),
            ("GET", "/a b", vec![], Some(0)),
            ("GET", "/a\r\nx: y", vec![], Some(0)),
            ("GET", "", vec![], Some(0)),
            ("GET", "/", vec![("x", "a\r\nInjected: 1")], Some(0)),
            ("GET", "/", vec![("bad name", "v")], Some(0)),
            ("PUT", "/", vec![("content-length", "x")], None),
            ("PUT", "/", vec![("content-length", "+5")], Some(5)),
            ("PUT", "/", vec![("content-length", "")], Some(0)),
            ("PUT", "/", vec![("content-length", "4")], Some(3)),
            (
                "PUT",
                "/",
                vec![("content-length", "4"), ("content-length", "5")],
                None,
            ),
            (
                "PUT",
                "/",
                vec![("transfer-encoding", "chunked"), ("content-length", "4")],
                None,
            ),
            ("PUT", "/", vec![("transfer-encoding", "gzip")], None),
        ] {
            let err = head(method, target, &headers, len).unwrap_err();
            assert!(
                matches!(err, Http1Error::InvalidRequest(_)),
                "{method} {target:?} {headers:?}"
            );
        }
    }

    #[test]
    fn absolute_form_brackets_ipv6() {
        assert_eq!(absolute_form(false, "h", "/a/../b?x"), "http://h/a/../b?x");
        assert_eq!(
            absolute_form(false, "[::1]:8080", "/"),
            "http://[::1]:8080/"
        );
        assert_eq!(absolute_form(true, "h:8443", "/k"), "https://h:8443/k");
    }

    #[test]
    fn chunked_bodies_are_framed_and_ended() {
        let mut enc = BodyEncoder::new(RequestFraming::Chunked);
        let mut wire = Vec::new();
        for piece in [&b"hello"[..], b"", &[b'x'; 26]] {
            let (pre, post) = enc.data(piece.len()).unwrap();
            wire.extend_from_slice(pre.as_bytes());
            wire.extend_from_slice(piece);
            wire.extend_from_slice(post);
        }
        wire.extend_from_slice(enc.finish().unwrap());
        assert_eq!(
            wire,
            b"5\r\nhello\r\n1a\r\nxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n0\r\n\r\n".to_vec()
        );
        assert_eq!(enc.sent(), 31);
    }

    #[test]
    fn a_length_framed_body_must_match_its_length() {
        let mut enc = BodyEncoder::new(RequestFraming::Length(4));
        let (pre, post) = enc.data(3).unwrap();
        assert_eq!((pre.as_bytes(), post), (&b""[..], &b""[..]));
        assert!(enc.finish().is_err(), "short");
        assert!(enc.data(2).is_err(), "long");
        enc.data(1).unwrap();
        assert_eq!(enc.finish().unwrap(), b"");
    }
}
