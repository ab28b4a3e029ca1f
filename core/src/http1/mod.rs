//! A sans-IO HTTP/1.1 client codec, for transports that speak HTTP/1.1 over their own sockets.
//!
//! - [`encode_request_head`] writes a request head exactly as the core built it: the request
//!   target goes out verbatim (S3 keys with `.`/`..` segments must not be normalized), or in
//!   absolute-form through a proxy that is not tunnelled to ([`absolute_form`]); [`BodyEncoder`] frames the request
//!   body (`Content-Length` or chunked) and checks it matches what the head announced.
//! - [`ResponseHeadDecoder`] is fed the bytes read and returns the response head once complete,
//!   with limits on its size and header count and typed errors; interim `1xx` answers are
//!   skipped.
//! - [`BodyFraming`] and [`BodyDecoder`] frame the response body: `Content-Length`, chunked
//!   (trailers included), delimited by the end of the connection, or none (`HEAD`, `1xx`, `204`,
//!   `304`).
//! - [`keep_alive`] says whether the connection may carry another request afterwards.
//! - [`driver`] is the loop around an exchange (pool, connect, write, read to the head, body
//!   back to the pool) that the transports speaking HTTP/1.1 over their own sockets share.
//! - [`Exchange`] drives one request and its response on a connection with all of the above
//!   (with the facts the stale-connection replay needs), [`BodyReader`] decodes the body out
//!   of the connection's read buffer, and [`IdlePool`] decides which idle connection a
//!   [`Route`] may take.
//!
//! Nothing here reads or writes a socket or allocates per byte of body: the transport feeds
//! what it read and writes what it is given. No transport waits for `100 Continue` before
//! sending a body (hyper does not either), so there is no `Expect` state; a server's unasked
//! `100 Continue` is skipped like any interim answer.

mod body;
pub mod driver;
mod exchange;
mod pool;
mod request;
mod response;

pub use body::{BodyDecoder, BodyFraming, Decoded};
pub use exchange::{BodyReader, Exchange, Next, OpenStep, Response, Route};
pub use pool::{IdlePool, MAX_IDLE_AGE, MAX_ROUTES};
pub use request::{
    absolute_form, encode_request_head, BodyEncoder, RequestFraming, ACCEPT_NO_CODING,
};
pub use response::{keep_alive, ResponseHead, ResponseHeadDecoder};

use crate::error::{TransportError, TransportErrorKind};

/// Bounds on what a server may send before the codec gives up with an error (so a hostile or
/// broken server cannot make a client buffer without end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest response head, status line through the blank line.
    pub max_head: usize,
    /// Most header fields in a response head.
    pub max_headers: usize,
    /// Longest chunk-size line (with extensions) of a chunked body.
    pub max_chunk_line: usize,
    /// Longest trailer section of a chunked body.
    pub max_trailers: usize,
}

impl Default for Limits {
    /// At most 99 header fields, as Python's `http.client` under botocore reads them (it counts
    /// the blank line among its 100; more is its `HTTPException`), which the tokio transport
    /// sets hyper to as well; a head of up to 408 KiB, hyper's read buffer (`http.client`
    /// bounds each line to 64 KiB, not the whole); 1 KiB chunk-size lines, 16 KiB of trailers.
    fn default() -> Self {
        Limits {
            max_head: 8192 + 4096 * 100,
            max_headers: 99,
            max_chunk_line: 1024,
            max_trailers: 16 * 1024,
        }
    }
}

/// What is wrong with a message the codec was asked to write or fed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Http1Error {
    /// The request cannot be written as HTTP/1.1 (a method, target, header name or value that
    /// would break the message's framing, or a body that does not match its announced length).
    #[error("invalid HTTP/1.1 request: {0}")]
    InvalidRequest(String),
    /// The response head is longer than [`Limits::max_head`].
    #[error("response head longer than {limit} bytes")]
    HeadTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The response head has more fields than [`Limits::max_headers`].
    #[error("response head has more than {limit} header fields")]
    TooManyHeaders {
        /// The limit.
        limit: usize,
    },
    /// The status line is not `HTTP/1.x NNN reason`.
    #[error("malformed HTTP/1.1 status line")]
    BadStatusLine,
    /// A header field (or trailer field) is malformed.
    #[error("malformed header field in the response")]
    BadHeader,
    /// `Content-Length` is not a number, or several disagree.
    #[error("invalid Content-Length in the response")]
    BadContentLength,
    /// A chunked body is malformed (the reason says where).
    #[error("malformed chunked body: {0}")]
    BadChunk(&'static str),
    /// The trailer section is longer than [`Limits::max_trailers`].
    #[error("trailers longer than {limit} bytes")]
    TrailersTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The connection ended inside the response head (`received` bytes of it had arrived;
    /// none means the server closed without answering).
    #[error("connection closed after {received} bytes of the response head")]
    IncompleteHead {
        /// Bytes of the head received.
        received: usize,
    },
    /// The connection ended before the body was complete.
    #[error("{}", incomplete_body(*expected, *received))]
    IncompleteBody {
        /// The declared length (`None` for a chunked body).
        expected: Option<u64>,
        /// Body bytes received.
        received: u64,
    },
}

fn incomplete_body(expected: Option<u64>, received: u64) -> String {
    match expected {
        Some(n) => format!("response body ended after {received} of {n} bytes (Content-Length)"),
        None => {
            format!("chunked response body ended after {received} bytes, before its last chunk")
        }
    }
}

impl Http1Error {
    /// The error as `std::io::Error`, for transports reading through I/O traits: an early end is
    /// `UnexpectedEof`, anything else `InvalidData`.
    pub fn into_io_error(self) -> std::io::Error {
        let kind = match self {
            Http1Error::IncompleteHead { .. } | Http1Error::IncompleteBody { .. } => {
                std::io::ErrorKind::UnexpectedEof
            }
            Http1Error::InvalidRequest(_) => std::io::ErrorKind::InvalidInput,
            _ => std::io::ErrorKind::InvalidData,
        };
        std::io::Error::new(kind, self)
    }
}

impl From<Http1Error> for TransportError {
    /// A request that cannot be written is the caller's ([`TransportErrorKind::Request`]); a bad
    /// or cut answer is an I/O failure, retryable as botocore retries a broken connection.
    fn from(e: Http1Error) -> Self {
        let kind = match e {
            Http1Error::InvalidRequest(_) => TransportErrorKind::Request,
            _ => TransportErrorKind::Io,
        };
        TransportError::new(kind, e.to_string()).with_source(e)
    }
}

/// Header field values may hold a list (`Connection: keep-alive, Upgrade`): is `token` one of
/// its items, in any of the field's lines?
fn has_token(headers: &http::HeaderMap, name: http::header::HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|v| {
        v.as_bytes()
            .split(|&b| b == b',')
            .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
    })
}

/// Split `input[*pos..]` up to and including its next `\n` onto `line`: `Ok(true)` when the line
/// is complete, `Ok(false)` when `input` ran out first; `too_long` when `line` would pass
/// `limit` bytes.
fn take_line(
    line: &mut Vec<u8>,
    input: &[u8],
    pos: &mut usize,
    limit: usize,
    too_long: Http1Error,
) -> Result<bool, Http1Error> {
    let rest = &input[*pos..];
    let (piece, complete) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..=i], true),
        None => (rest, false),
    };
    if line.len() + piece.len() > limit {
        return Err(too_long);
    }
    line.extend_from_slice(piece);
    *pos += piece.len();
    Ok(complete)
}

/// A line without its `\r\n` (or bare `\n`, which servers in the field send and parsers accept).
fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Parse one `name: value` field line (without its line end) into `headers`.
fn parse_field(line: &[u8], headers: &mut http::HeaderMap) -> Result<(), Http1Error> {
    // A line starting with whitespace continues the previous one (obsolete line folding,
    // RFC 9112 §5.2), which a client may reject; no AWS service sends it.
    if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
        return Err(Http1Error::BadHeader);
    }
    let colon = line
        .iter()
        .position(|&b| b == b':')
        .ok_or(Http1Error::BadHeader)?;
    let name =
        http::header::HeaderName::from_bytes(&line[..colon]).map_err(|_| Http1Error::BadHeader)?;
    let value = line[colon + 1..].trim_ascii();
    let value = http::HeaderValue::from_bytes(value).map_err(|_| Http1Error::BadHeader)?;
    headers.append(name, value);
    Ok(())
}

/// Decode a whole response held in memory (the answer to a request with `method`, the
/// connection closed after it): its head and payload. For tests and fuzzing, and for callers
/// that already hold every byte.
pub fn decode_response(
    method: &http::Method,
    wire: &[u8],
) -> Result<(ResponseHead, Vec<u8>), Http1Error> {
    let mut heads = ResponseHeadDecoder::new(Limits::default());
    let (head, used) = heads.push(wire)?.ok_or_else(|| heads.eof())?;
    let mut body = BodyDecoder::new(BodyFraming::for_response(method, &head)?, Limits::default());
    let mut rest = &wire[used..];
    let mut payload = Vec::new();
    while !body.is_done() {
        let step = body.decode(rest)?;
        payload.extend_from_slice(&rest[step.data]);
        if step.consumed == 0 {
            body.eof()?;
        }
        rest = &rest[step.consumed..];
    }
    Ok((head, payload))
}
