//! Framing a response body: how it is delimited ([`BodyFraming`], RFC 9112 §6.3) and a decoder
//! that is fed the bytes read and hands back where the payload is within them.

use std::ops::Range;

use super::{parse_field, take_line, trim_eol, Http1Error, Limits, ResponseHead};

/// How a response body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyFraming {
    /// No body: the answer to `HEAD`, or a `1xx`, `204` or `304`.
    Empty,
    /// Exactly this many bytes (`Content-Length`).
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Everything until the server closes the connection.
    CloseDelimited,
}

impl BodyFraming {
    /// The framing of `head`'s body, answering a request with `method`. `Transfer-Encoding`
    /// wins over `Content-Length`; several `Content-Length` values must agree.
    pub fn for_response(method: &http::Method, head: &ResponseHead) -> Result<Self, Http1Error> {
        let status = head.status.as_u16();
        if method == http::Method::HEAD
            || (100..200).contains(&status)
            || status == 204
            || status == 304
        {
            return Ok(BodyFraming::Empty);
        }
        let encodings = head.headers.get_all(http::header::TRANSFER_ENCODING);
        if let Some(last) = encodings.iter().next_back() {
            let last = last
                .as_bytes()
                .rsplit(|&b| b == b',')
                .next()
                .unwrap_or_default();
            return Ok(if last.trim_ascii().eq_ignore_ascii_case(b"chunked") {
                BodyFraming::Chunked
            } else {
                BodyFraming::CloseDelimited
            });
        }
        let mut length = None;
        for value in head.headers.get_all(http::header::CONTENT_LENGTH) {
            for item in value.as_bytes().split(|&b| b == b',') {
                let item = item.trim_ascii();
                if item.is_empty() || !item.iter().all(u8::is_ascii_digit) {
                    return Err(Http1Error::BadContentLength);
                }
                let n = std::str::from_utf8(item)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .ok_or(Http1Error::BadContentLength)?;
                if length.is_some_and(|m| m != n) {
                    return Err(Http1Error::BadContentLength);
                }
                length = Some(n);
            }
        }
        Ok(length.map_or(BodyFraming::CloseDelimited, BodyFraming::Length))
    }
}

/// What one [`BodyDecoder::decode`] did with its input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// How many bytes of the input were used (drop them before the next call).
    pub consumed: usize,
    /// Where payload bytes are within the input (empty when this step read only framing).
    pub data: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// Reading a chunk-size line.
    Size,
    /// In a chunk's data, this many bytes left.
    Data(u64),
    /// Expecting the line end after a chunk's data.
    DataEnd,
    /// Reading trailer fields, this many bytes of them so far.
    Trailers(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Length(u64),
    Chunked(Chunk),
    Close,
    Done,
}

/// Decodes a response body fed in as it is read: [`decode`](Self::decode) says which input
/// bytes it used and where the payload is among them; [`eof`](Self::eof) when the connection
/// ends. Payload bytes are never copied.
#[derive(Debug)]
pub struct BodyDecoder {
    state: State,
    expected: Option<u64>,
    received: u64,
    limits: Limits,
    line: Vec<u8>,
    trailers: http::HeaderMap,
}

impl BodyDecoder {
    /// A decoder for a body framed as `framing`.
    pub fn new(framing: BodyFraming, limits: Limits) -> Self {
        let (state, expected) = match framing {
            BodyFraming::Empty | BodyFraming::Length(0) => (State::Done, Some(0)),
            BodyFraming::Length(n) => (State::Length(n), Some(n)),
            BodyFraming::Chunked => (State::Chunked(Chunk::Size), None),
            BodyFraming::CloseDelimited => (State::Close, None),
        };
        BodyDecoder {
            state,
            expected,
            received: 0,
            limits,
            line: Vec::new(),
            trailers: http::HeaderMap::new(),
        }
    }

    /// The body is complete: the connection's next bytes (if any) are not this response's.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Payload bytes decoded so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The trailer fields of a chunked body (empty until its end).
    pub fn trailers(&self) -> &http::HeaderMap {
        &self.trailers
    }

    /// Take what `input` holds of the body: framing is read past until payload is found (or
    /// the input or the body ends), then one run of payload is returned. Call again with the
    /// unconsumed rest; an empty `data` with all input consumed means read more.
    pub fn decode(&mut self, input: &[u8]) -> Result<Decoded, Http1Error> {
        let mut pos = 0;
        loop {
            let rest = input.len() - pos;
            match self.state {
                State::Done => break,
                State::Length(left) | State::Chunked(Chunk::Data(left)) => {
                    if rest == 0 {
                        break;
                    }
                    let n = left.min(rest as u64);
                    let left = left - n;
                    self.state = match self.state {
                        State::Length(_) if left == 0 => State::Done,
                        State::Length(_) => State::Length(left),
                        _ if left == 0 => State::Chunked(Chunk::DataEnd),
                        _ => State::Chunked(Chunk::Data(left)),
                    };
                    return Ok(self.payload(pos, n as usize));
                }
                State::Close => return Ok(self.payload(pos, rest)),
                State::Chunked(Chunk::Size) => {
                    let too_long = Http1Error::BadChunk("chunk-size line too long");
                    if !take_line(
                        &mut self.line,
                        input,
                        &mut pos,
                        self.limits.max_chunk_line,
                        too_long,
                    )? {
                        break;
                    }
                    let size = chunk_size(trim_eol(&self.line))?;
                    self.line.clear();
                    self.state = State::Chunked(match size {
                        0 => Chunk::Trailers(0),
                        n => Chunk::Data(n),
                    });
                }
                State::Chunked(Chunk::DataEnd) => {
                    let missing = Http1Error::BadChunk("no line end after chunk data");
                    if !take_line(&mut self.line, input, &mut pos, 2, missing.clone())? {
                        // Only a lone `\r` may wait for its `\n`.
                        if self.line.as_slice() == b"\r" || self.line.is_empty() {
                            break;
                        }
                        return Err(missing);
                    }
                    if !trim_eol(&self.line).is_empty() {
                        return Err(missing);
                    }
                    self.line.clear();
                    self.state = State::Chunked(Chunk::Size);
                }
                State::Chunked(Chunk::Trailers(so_far)) => {
                    let limit = self.limits.max_trailers;
                    let too_long = Http1Error::TrailersTooLarge { limit };
                    let room = limit.saturating_sub(so_far);
                    if !take_line(&mut self.line, input, &mut pos, room, too_long)? {
                        break;
                    }
                    let so_far = so_far + self.line.len();
                    let line = trim_eol(&self.line);
                    if line.is_empty() {
                        self.state = State::Done;
                    } else {
                        parse_field(line, &mut self.trailers)?;
                        self.state = State::Chunked(Chunk::Trailers(so_far));
                    }
                    self.line.clear();
                }
            }
        }
        Ok(Decoded {
            consumed: pos,
            data: pos..pos,
        })
    }

    fn payload(&mut self, at: usize, n: usize) -> Decoded {
        self.received += n as u64;
        Decoded {
            consumed: at + n,
            data: at..at + n,
        }
    }

    /// The connection ended: fine for a body delimited by it or already complete, otherwise
    /// the body was cut short.
    pub fn eof(&mut self) -> Result<(), Http1Error> {
        match self.state {
            State::Done => Ok(()),
            State::Close => {
                self.state = State::Done;
                Ok(())
            }
            _ => Err(Http1Error::IncompleteBody {
                expected: self.expected,
                received: self.received,
            }),
        }
    }
}

/// A chunk-size line: hex digits, then optional `;extensions` (ignored).
fn chunk_size(line: &[u8]) -> Result<u64, Http1Error> {
    let digits = line
        .split(|&b| b == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err(Http1Error::BadChunk("chunk size is not a hex number"));
    }
    let digits = std::str::from_utf8(digits).map_err(|_| Http1Error::BadChunk("chunk size"))?;
    u64::from_str_radix(digits, 16).map_err(|_| Http1Error::BadChunk("chunk size too large"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http1::{ResponseHead, ResponseHeadDecoder};

    /// Feed `wire` in pieces of at most `step` bytes: the payload, or the first error.
    fn run(
        framing: BodyFraming,
        wire: &[u8],
        step: usize,
        eof: bool,
    ) -> Result<Vec<u8>, Http1Error> {
        let mut d = BodyDecoder::new(framing, Limits::default());
        let mut out = Vec::new();
        let mut held: Vec<u8> = Vec::new();
        let mut fed = 0;
        loop {
            if held.is_empty() || !d.is_done() {
                let step_out = d.decode(&held)?;
                out.extend_from_slice(&held[step_out.data.clone()]);
                held.drain(..step_out.consumed);
                if step_out.consumed > 0 || !step_out.data.is_empty() {
                    continue;
                }
            }
            if d.is_done() {
                assert!(
                    held.is_empty() && fed == wire.len(),
                    "bytes left after the body"
                );
                return Ok(out);
            }
            if fed == wire.len() {
                if eof {
                    d.eof()?;
                    return Ok(out);
                }
                panic!("decoder wants more than the whole wire");
            }
            let n = step.min(wire.len() - fed);
            held.extend_from_slice(&wire[fed..fed + n]);
            fed += n;
        }
    }

    const CHUNKED: &[u8] = b"5;ext=1\r\nhello\r\n1a \r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\
        x-amz-checksum-crc32: AAAAAA==\r\nx-more: 1\r\n\r\n";
    const PAYLOAD: &[u8] = b"helloabcdefghijklmnopqrstuvwxyz";

    #[test]
    fn chunked_bodies_decode_the_same_at_every_read_size() {
        for step in 1..=CHUNKED.len() {
            assert_eq!(
                run(BodyFraming::Chunked, CHUNKED, step, false).unwrap(),
                PAYLOAD,
                "step {step}"
            );
        }
        let mut d = BodyDecoder::new(BodyFraming::Chunked, Limits::default());
        let mut at = 0;
        while !d.is_done() {
            at += d.decode(&CHUNKED[at..]).unwrap().consumed;
        }
        assert_eq!(at, CHUNKED.len());
        assert_eq!(d.trailers()["x-amz-checksum-crc32"], "AAAAAA==");
        assert_eq!(d.received(), PAYLOAD.len() as u64);
    }

    #[test]
    fn length_bodies_stop_at_their_length() {
        for step in 1..=5 {
            assert_eq!(
                run(BodyFraming::Length(5), b"hello", step, false).unwrap(),
                b"hello"
            );
        }
        let mut d = BodyDecoder::new(BodyFraming::Length(5), Limits::default());
        let got = d.decode(b"helloHTTP/1.1").unwrap();
        assert_eq!((got.consumed, got.data), (5, 0..5));
        assert!(d.is_done());
        assert_eq!(d.decode(b"HTTP/1.1").unwrap().consumed, 0);
    }

    #[test]
    fn close_delimited_bodies_end_with_the_connection() {
        for step in 1..=6 {
            assert_eq!(
                run(BodyFraming::CloseDelimited, b"abcdef", step, true).unwrap(),
                b"abcdef"
            );
        }
        assert_eq!(run(BodyFraming::CloseDelimited, b"", 1, true).unwrap(), b"");
    }

    #[test]
    fn early_eof_is_an_incomplete_body() {
        for cut in 0..CHUNKED.len() {
            let err = run(BodyFraming::Chunked, &CHUNKED[..cut], 7, true).unwrap_err();
            assert!(
                matches!(err, Http1Error::IncompleteBody { expected: None, .. }),
                "cut {cut}: {err:?}"
            );
        }
        let err = run(BodyFraming::Length(10), b"hello", 2, true).unwrap_err();
        assert_eq!(
            err,
            Http1Error::IncompleteBody {
                expected: Some(10),
                received: 5
            }
        );
        assert_eq!(
            err.into_io_error().kind(),
            std::io::ErrorKind::UnexpectedEof
        );
    }

    #[test]
    fn bad_chunks_are_typed_errors() {
        for wire in [
            &b"zz\r\nhello\r\n0\r\n\r\n"[..],
            b"\r\nhello\r\n0\r\n\r\n",
            b"-5\r\nhello\r\n0\r\n\r\n",
            b"+5\r\nhello\r\n0\r\n\r\n",
            b"0x5\r\nhello\r\n0\r\n\r\n",
            b"11111111111111111\r\n",
            b"5\r\nhelloXX0\r\n\r\n",
            b"5\r\nhello\rX0\r\n\r\n",
            b"3\r\nhello\r\n0\r\n\r\n",
        ] {
            for step in [1, 3, wire.len()] {
                let err = run(BodyFraming::Chunked, wire, step, true).unwrap_err();
                assert!(
                    matches!(err, Http1Error::BadChunk(_)),
                    "{wire:?} step {step}: {err:?}"
                );
            }
        }
        let mut long = b"5;".to_vec();
        long.resize(4096, b'x');
        let err = run(BodyFraming::Chunked, &long, 100, true).unwrap_err();
        assert_eq!(err, Http1Error::BadChunk("chunk-size line too long"));
        // A maximal chunk size is a number, not an overflow; its data is then cut short.
        let err = run(BodyFraming::Chunked, b"ffffffffffffffff\r\nab", 3, true).unwrap_err();
        assert_eq!(
            err,
            Http1Error::IncompleteBody {
                expected: None,
                received: 2
            }
        );
    }

    #[test]
    fn trailers_are_bounded_and_checked() {
        let mut wire = b"0\r\n".to_vec();
        for i in 0..2000 {
            wire.extend_from_slice(format!("x-t{i}: vvvvvvvvvvvv\r\n").as_bytes());
        }
        wire.extend_from_slice(b"\r\n");
        let err = run(BodyFraming::Chunked, &wire, 4096, true).unwrap_err();
        assert!(
            matches!(err, Http1Error::TrailersTooLarge { .. }),
            "{err:?}"
        );
        let err = run(BodyFraming::Chunked, b"0\r\nno colon\r\n\r\n", 2, true).unwrap_err();
        assert_eq!(err, Http1Error::BadHeader);
    }

    fn framing(method: http::Method, raw: &[u8]) -> Result<BodyFraming, Http1Error> {
        let (head, _) = ResponseHeadDecoder::new(Limits::default())
            .push(raw)?
            .unwrap();
        BodyFraming::for_response(&method, &head)
    }

    #[test]
    fn framing_follows_rfc_9112() {
        use http::Method;
        let get = || Method::GET;
        assert_eq!(
            framing(
                Method::HEAD,
                b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"
            ),
            Ok(BodyFraming::Empty)
        );
        for status in [204, 304] {
            let raw = format!("HTTP/1.1 {status} X\r\nContent-Length: 9\r\n\r\n");
            assert_eq!(framing(get(), raw.as_bytes()), Ok(BodyFraming::Empty));
        }
        assert_eq!(
            framing(get(), b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"),
            Ok(BodyFraming::Length(9))
        );
        assert_eq!(
            framing(
                get(),
                b"HTTP/1.1 200 OK\r\nContent-Length: 9, 9\r\ncontent-length: 9\r\n\r\n"
            ),
            Ok(BodyFraming::Length(9))
        );
        assert_eq!(
            framing(
                get(),
                b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
            ),
            Ok(BodyFraming::Chunked)
        );
        assert_eq!(
            framing(get(), b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"),
            Ok(BodyFraming::CloseDelimited)
        );
        assert_eq!(
            framing(get(), b"HTTP/1.1 200 OK\r\n\r\n"),
            Ok(BodyFraming::CloseDelimited)
        );
        for bad in ["9, 8", "x", "-1", "", "99999999999999999999999"] {
            let raw = format!("HTTP/1.1 200 OK\r\nContent-Length: {bad}\r\n\r\n");
            assert_eq!(
                framing(get(), raw.as_bytes()),
                Err(Http1Error::BadContentLength),
                "{bad}"
            );
        }
    }

    /// A response read in pieces of `step` bytes, as a transport reads it: head, then body.
    fn stream_decode(method: &http::Method, wire: &[u8], step: usize) -> (ResponseHead, Vec<u8>) {
        let mut heads = ResponseHeadDecoder::new(Limits::default());
        let mut pieces = wire.chunks(step);
        let (head, mut held) = loop {
            let piece = pieces.next().expect("the head ends within the wire");
            if let Some((head, used)) = heads.push(piece).unwrap() {
                break (head, piece[used..].to_vec());
            }
        };
        let framing = BodyFraming::for_response(method, &head).unwrap();
        let mut body = BodyDecoder::new(framing, Limits::default());
        let mut payload = Vec::new();
        loop {
            while !held.is_empty() && !body.is_done() {
                let got = body.decode(&held).unwrap();
                payload.extend_from_slice(&held[got.data]);
                held.drain(..got.consumed);
            }
            if body.is_done() {
                return (head, payload);
            }
            match pieces.next() {
                Some(piece) => held.extend_from_slice(piece),
                None => {
                    body.eof().unwrap();
                    return (head, payload);
                }
            }
        }
    }

    #[test]
    fn whole_responses_decode_the_same_in_pieces_of_every_size() {
        let get = http::Method::GET;
        let mut chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        chunked.extend_from_slice(CHUNKED);
        let wires: [(&http::Method, Vec<u8>, &[u8]); 4] = [
            (&get, chunked, PAYLOAD),
            (
                &get,
                b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                    .to_vec(),
                b"hello",
            ),
            (
                &get,
                b"HTTP/1.0 200 OK\r\nServer: s\r\n\r\nuntil the end".to_vec(),
                b"until the end",
            ),
            (
                &http::Method::HEAD,
                b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n".to_vec(),
                b"",
            ),
        ];
        for (method, wire, want) in wires {
            let (whole_head, whole) = crate::http1::decode_response(method, &wire).unwrap();
            assert_eq!(whole, want);
            for step in 1..=wire.len() {
                let (head, payload) = stream_decode(method, &wire, step);
                assert_eq!(
                    (head.status, &head.headers),
                    (whole_head.status, &whole_head.headers)
                );
                assert_eq!(payload, want, "step {step}");
            }
        }
    }

    /// Whatever the bytes, the head and body decoders answer without panicking.
    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet = b"HTTP/1.1 200 OK\r\n:0123456789abcdefABCDEF;xz-\t \x00\xff";
        for _ in 0..3000 {
            let len = (next() % 200) as usize;
            let wire: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let _ = crate::http1::decode_response(&http::Method::GET, &wire);
        }
    }
}
