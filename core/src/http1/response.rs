//! Reading a response head from bytes fed in as they arrive, and the connection-reuse rule.

use super::{has_token, parse_field, trim_eol, BodyFraming, Http1Error, Limits};

/// A response's status line and header fields.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ResponseHead {
    /// `HTTP/1.0` or `HTTP/1.1`.
    pub version: http::Version,
    /// The status code.
    pub status: http::StatusCode,
    /// The header fields, in the order received.
    pub headers: http::HeaderMap,
}

impl ResponseHead {
    /// What the body after this head, answering a `method` request, is checked against (its
    /// length, its checksums): a transport's body type reads through it.
    pub fn body_check(&self, method: &http::Method) -> crate::response_check::ResponseCheck {
        crate::response_check::ResponseCheck::for_response(
            method,
            self.status.as_u16(),
            &self.headers,
        )
    }

    /// The response this head starts, around `body`.
    pub fn into_response<B>(self, body: B) -> http::Response<B> {
        let mut res = http::Response::new(body);
        *res.status_mut() = self.status;
        *res.version_mut() = self.version;
        *res.headers_mut() = self.headers;
        res
    }
}

/// Reads a response head: [`push`](Self::push) what was read until it returns the head.
#[derive(Debug)]
pub struct ResponseHeadDecoder {
    limits: Limits,
    /// The head so far (never bytes past its end).
    buf: Vec<u8>,
    /// Some byte arrived (an interim answer's count too).
    started: bool,
}

impl ResponseHeadDecoder {
    /// A decoder bounded by `limits`.
    pub fn new(limits: Limits) -> Self {
        ResponseHeadDecoder {
            limits,
            buf: Vec::new(),
            started: false,
        }
    }

    /// Whether any byte of a response has arrived (a reused connection that fails before one
    /// did was closed by the server while idle).
    pub fn started(&self) -> bool {
        self.started
    }

    /// Feed bytes read from the connection. `Ok(None)`: all of `input` was taken, read more.
    /// `Ok(Some((head, used)))`: the head of the final (non-`1xx`) response, made of the first
    /// `used` bytes of `input` and what came before; the rest of `input` is the body's.
    pub fn push(&mut self, input: &[u8]) -> Result<Option<(ResponseHead, usize)>, Http1Error> {
        let mut used = 0;
        self.started |= !input.is_empty();
        loop {
            let rest = &input[used..];
            // The blank line may straddle two reads: look back over the last 3 bytes held.
            let from = self.buf.len().saturating_sub(3);
            let room = self.limits.max_head.saturating_sub(self.buf.len());
            let take = rest.len().min(room.saturating_add(1));
            self.buf.extend_from_slice(&rest[..take]);
            let Some(end) = find_head_end(&self.buf[from..]).map(|e| from + e) else {
                if self.buf.len() > self.limits.max_head {
                    return Err(Http1Error::HeadTooLarge {
                        limit: self.limits.max_head,
                    });
                }
                return Ok(None);
            };
            if end > self.limits.max_head {
                return Err(Http1Error::HeadTooLarge {
                    limit: self.limits.max_head,
                });
            }
            // Bytes taken past the blank line belong to the body: give them back.
            let taken_past = self.buf.len() - end;
            used += take - taken_past;
            self.buf.truncate(end);
            let head = parse_head(&self.buf, self.limits.max_headers)?;
            self.buf.clear();
            let status = head.status.as_u16();
            // An interim answer (`100 Continue`, `103 Early Hints`) precedes the real one;
            // `101` ends HTTP/1.1 on this connection and is returned as final.
            if (100..200).contains(&status) && status != 101 {
                continue;
            }
            return Ok(Some((head, used)));
        }
    }

    /// The connection ended before the head was complete.
    pub fn eof(&self) -> Http1Error {
        Http1Error::IncompleteHead {
            received: self.buf.len(),
        }
    }
}

/// Where the head ends (just past its blank line), accepting bare `\n` line ends.
fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(2).enumerate().find_map(|(i, w)| match w {
        b"\n\n" => Some(i + 2),
        b"\n\r" if buf.get(i + 2) == Some(&b'\n') => Some(i + 3),
        _ => None,
    })
}

fn parse_head(head: &[u8], max_headers: usize) -> Result<ResponseHead, Http1Error> {
    let mut lines = head.split_inclusive(|&b| b == b'\n').map(trim_eol);
    let status_line = lines.next().ok_or(Http1Error::BadStatusLine)?;
    let (version, status) = parse_status_line(status_line)?;
    let mut headers = http::HeaderMap::new();
    let mut count = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        count += 1;
        if count > max_headers {
            return Err(Http1Error::TooManyHeaders { limit: max_headers });
        }
        parse_field(line, &mut headers)?;
    }
    Ok(ResponseHead {
        version,
        status,
        headers,
    })
}

/// `HTTP/1.1 200 OK` (the reason phrase may be empty or missing).
fn parse_status_line(line: &[u8]) -> Result<(http::Version, http::StatusCode), Http1Error> {
    let version = match line.get(..9) {
        Some(b"HTTP/1.1 ") => http::Version::HTTP_11,
        Some(b"HTTP/1.0 ") => http::Version::HTTP_10,
        _ => return Err(Http1Error::BadStatusLine),
    };
    let code = line.get(9..12).ok_or(Http1Error::BadStatusLine)?;
    if !code.iter().all(u8::is_ascii_digit) || !matches!(line.get(12), None | Some(b' ')) {
        return Err(Http1Error::BadStatusLine);
    }
    let status = http::StatusCode::from_bytes(code).map_err(|_| Http1Error::BadStatusLine)?;
    Ok((version, status))
}

/// Whether the connection may carry another request once this response's body has been read
/// to its end: not when either side said `Connection: close`, not for an `HTTP/1.0` answer
/// without `keep-alive`, not after a body delimited by the connection's end or a `101`, and
/// not after framing RFC 9112 calls faulty (`Transfer-Encoding` next to `Content-Length`, or
/// in an `HTTP/1.0` answer): the body was read by `Transfer-Encoding`, but a server or proxy
/// that read it the other way would leave the connection out of step.
pub fn keep_alive(request_close: bool, head: &ResponseHead, framing: BodyFraming) -> bool {
    let connection = http::header::CONNECTION;
    let chunked_and_more = head.headers.contains_key(http::header::TRANSFER_ENCODING)
        && (head.headers.contains_key(http::header::CONTENT_LENGTH)
            || head.version == http::Version::HTTP_10);
    !request_close
        && !chunked_and_more
        && framing != BodyFraming::CloseDelimited
        && head.status != http::StatusCode::SWITCHING_PROTOCOLS
        && !has_token(&head.headers, connection.clone(), "close")
        && (head.version == http::Version::HTTP_11
            || has_token(&head.headers, connection, "keep-alive"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_split(bytes: &[u8], split: usize) -> Result<(ResponseHead, usize), Http1Error> {
        let mut d = ResponseHeadDecoder::new(Limits::default());
        if let Some((head, used)) = d.push(&bytes[..split])? {
            return Ok((head, used));
        }
        assert!(split == 0 || d.started());
        match d.push(&bytes[split..])? {
            Some((head, used)) => Ok((head, split + used)),
            None => Err(d.eof()),
        }
    }

    const ANSWER: &[u8] =
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nx-amz-request-id: r1\r\n\
        Content-Length: 5\r\nx-amz-meta-a:  spaced value \t\r\nx-amz-meta-a: two\r\n\r\nhello";

    #[test]
    fn heads_split_at_every_byte_decode_the_same() {
        for split in 0..=ANSWER.len() {
            let (head, used) = decode_split(ANSWER, split).unwrap();
            assert_eq!(head.status, 200, "split {split}");
            assert_eq!(head.version, http::Version::HTTP_11);
            assert_eq!(&ANSWER[used..], b"hello", "split {split}");
            assert_eq!(head.headers["content-length"], "5");
            let metas: Vec<_> = head.headers.get_all("x-amz-meta-a").iter().collect();
            assert_eq!(metas, ["spaced value", "two"]);
        }
    }

    #[test]
    fn byte_by_byte_too() {
        let mut d = ResponseHeadDecoder::new(Limits::default());
        let mut found = None;
        for (i, b) in ANSWER.iter().enumerate() {
            if let Some((head, used)) = d.push(std::slice::from_ref(b)).unwrap() {
                found = Some((head, i + used));
                break;
            }
        }
        let (head, end) = found.unwrap();
        assert_eq!(head.status, 200);
        assert_eq!(&ANSWER[end..], b"hello");
    }

    #[test]
    fn bare_line_feeds_and_a_missing_reason_are_accepted() {
        let (head, used) = decode_split(b"HTTP/1.0 204\nServer: x\n\nrest", 7).unwrap();
        assert_eq!(
            (head.status.as_u16(), head.version),
            (204, http::Version::HTTP_10)
        );
        assert_eq!(used, 24);
    }

    #[test]
    fn malformed_heads_are_typed_errors() {
        for (bytes, want) in [
            (&b"HTTP/2 200 OK\r\n\r\n"[..], Http1Error::BadStatusLine),
            (b"ICY 200 OK\r\n\r\n", Http1Error::BadStatusLine),
            (b"HTTP/1.1 20 OK\r\n\r\n", Http1Error::BadStatusLine),
            (b"HTTP/1.1 2000 OK\r\n\r\n", Http1Error::BadStatusLine),
            (b"HTTP/1.1 099 x\r\n\r\n", Http1Error::BadStatusLine),
            (
                b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
                Http1Error::BadHeader,
            ),
            (
                b"HTTP/1.1 200 OK\r\nbad name: v\r\n\r\n",
                Http1Error::BadHeader,
            ),
            (b"HTTP/1.1 200 OK\r\n: v\r\n\r\n", Http1Error::BadHeader),
            (
                b"HTTP/1.1 200 OK\r\na: b\r\n folded\r\n\r\n",
                Http1Error::BadHeader,
            ),
            (
                b"HTTP/1.1 200 OK\r\na: b\x00c\r\n\r\n",
                Http1Error::BadHeader,
            ),
        ] {
            assert_eq!(decode_split(bytes, 3).unwrap_err(), want, "{bytes:?}");
        }
    }

    #[test]
    fn oversize_heads_and_too_many_fields_are_refused() {
        let limits = Limits::default();
        let mut d = ResponseHeadDecoder::new(limits);
        let line = b"x-filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
        assert_eq!(d.push(b"HTTP/1.1 200 OK\r\n").unwrap().map(|_| ()), None);
        let mut err = None;
        for _ in 0..=limits.max_head / line.len() + 1 {
            match d.push(line) {
                Ok(None) => {}
                Ok(Some(_)) => panic!("no end"),
                Err(e) => {
                    err = Some(e);
                    break;
                }
            }
        }
        assert_eq!(
            err,
            Some(Http1Error::HeadTooLarge {
                limit: limits.max_head
            })
        );

        let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..=limits.max_headers {
            many.extend_from_slice(format!("h{i}: v\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(
            decode_split(&many, 0).unwrap_err(),
            Http1Error::TooManyHeaders {
                limit: limits.max_headers
            }
        );
        // One big read with the blank line far past the limit is refused as well.
        let mut huge = b"HTTP/1.1 200 OK\r\nx: ".to_vec();
        huge.resize(limits.max_head * 2, b'a');
        huge.extend_from_slice(b"\r\n\r\n");
        assert!(matches!(
            decode_split(&huge, 0).unwrap_err(),
            Http1Error::HeadTooLarge { .. }
        ));
    }

    #[test]
    fn early_eof_says_how_much_had_arrived() {
        let d = ResponseHeadDecoder::new(Limits::default());
        assert!(!d.started());
        assert_eq!(d.eof(), Http1Error::IncompleteHead { received: 0 });
        let err = decode_split(b"HTTP/1.1 200 OK\r\nContent-", 10).unwrap_err();
        assert_eq!(err, Http1Error::IncompleteHead { received: 25 });
    }

    fn head(raw: &[u8]) -> ResponseHead {
        decode_split(raw, 0).unwrap().0
    }

    #[test]
    fn connections_are_reused_only_when_both_sides_allow() {
        let ok = head(b"HTTP/1.1 200 OK\r\n\r\n");
        let len = BodyFraming::Length(1);
        assert!(keep_alive(false, &ok, len));
        assert!(!keep_alive(true, &ok, len));
        assert!(!keep_alive(false, &ok, BodyFraming::CloseDelimited));
        let close = head(b"HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\n\r\n");
        assert!(!keep_alive(false, &close, len));
        let old = head(b"HTTP/1.0 200 OK\r\n\r\n");
        assert!(!keep_alive(false, &old, len));
        let old_kept = head(b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n");
        assert!(keep_alive(false, &old_kept, len));
        let both =
            head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n");
        assert!(!keep_alive(false, &both, BodyFraming::Chunked));
        let old_chunked = head(
            b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        assert!(!keep_alive(false, &old_chunked, BodyFraming::Chunked));
        let chunked = head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        assert!(keep_alive(false, &chunked, BodyFraming::Chunked));
    }
}
