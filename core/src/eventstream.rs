//! The `application/vnd.amazon.eventstream` binary framing: a sans-IO [`Decoder`] that turns byte
//! chunks (as they arrive from any transport) into [`Message`]s, and [`encode`] for the way out.
//!
//! A frame is: total length (u32), headers length (u32), CRC32 of those 8 bytes, the headers, the
//! payload, and a CRC32 of everything before it. Both checksums are verified. The decoder checks
//! the prelude as soon as its 12 bytes arrive, so a hostile length is refused before anything is
//! buffered for it, and it never allocates more than the bytes it was actually given.
//!
//! What the headers *mean* (`:message-type` = `event` / `exception` / `error`, which shape a
//! payload decodes to) is the protocol layer's business; [`Message`] only offers accessors.

use bytes::{Buf, BufMut, Bytes, BytesMut};

/// Prelude size: total length, headers length, prelude CRC.
pub const PRELUDE_LEN: usize = 12;
/// Smallest possible frame: a prelude and a message CRC, no headers, no payload.
pub const MIN_MESSAGE_LEN: usize = PRELUDE_LEN + 4;
/// Longest header name the wire format can carry (its length is one byte).
pub const MAX_HEADER_NAME_LEN: usize = u8::MAX as usize;
/// Longest string or byte-array header value (its length is two bytes).
pub const MAX_HEADER_VALUE_LEN: usize = u16::MAX as usize;

/// Size limits a [`Decoder`] enforces on each frame's prelude.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest headers section accepted, in bytes.
    pub max_headers_len: u32,
    /// Largest payload accepted, in bytes.
    pub max_payload_len: u32,
}

impl Default for Limits {
    /// botocore's limits: 128 KiB of headers and 24 MiB of payload. (The AWS event-stream
    /// specification caps whole messages at 16 MiB; botocore, whose behaviour we match, accepts
    /// larger payloads, so the stricter cap is available through [`Decoder::with_limits`].)
    fn default() -> Self {
        Limits {
            max_headers_len: 128 * 1024,
            max_payload_len: 24 * 1024 * 1024,
        }
    }
}

/// The value of one header, by wire type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// Types 0 (true) and 1 (false).
    Bool(bool),
    /// Type 2: a signed byte.
    Byte(i8),
    /// Type 3: a signed 16-bit integer.
    Short(i16),
    /// Type 4: a signed 32-bit integer.
    Int(i32),
    /// Type 5: a signed 64-bit integer.
    Long(i64),
    /// Type 6: bytes (at most 65535).
    ByteArray(Bytes),
    /// Type 7: UTF-8 text (at most 65535 bytes).
    String(String),
    /// Type 8: milliseconds since the Unix epoch.
    Timestamp(i64),
    /// Type 9: 16 raw bytes.
    Uuid([u8; 16]),
}

impl HeaderValue {
    /// The wire type number.
    pub fn type_id(&self) -> u8 {
        match self {
            HeaderValue::Bool(true) => 0,
            HeaderValue::Bool(false) => 1,
            HeaderValue::Byte(_) => 2,
            HeaderValue::Short(_) => 3,
            HeaderValue::Int(_) => 4,
            HeaderValue::Long(_) => 5,
            HeaderValue::ByteArray(_) => 6,
            HeaderValue::String(_) => 7,
            HeaderValue::Timestamp(_) => 8,
            HeaderValue::Uuid(_) => 9,
        }
    }

    /// The text of a string header.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HeaderValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// Bytes on the wire after the type byte.
    fn encoded_len(&self) -> usize {
        match self {
            HeaderValue::Bool(_) => 0,
            HeaderValue::Byte(_) => 1,
            HeaderValue::Short(_) => 2,
            HeaderValue::Int(_) => 4,
            HeaderValue::Long(_) | HeaderValue::Timestamp(_) => 8,
            HeaderValue::ByteArray(b) => 2 + b.len(),
            HeaderValue::String(s) => 2 + s.len(),
            HeaderValue::Uuid(_) => 16,
        }
    }
}

/// One header: a name and a typed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The header name (at most 255 bytes of UTF-8).
    pub name: String,
    /// The header value.
    pub value: HeaderValue,
}

/// One event-stream message: headers in wire order (names unique) and the payload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// The headers, in the order they were on the wire.
    pub headers: Vec<Header>,
    /// The payload bytes (shares the decoder's buffer; no copy).
    pub payload: Bytes,
}

impl Message {
    /// A message with no headers and this payload.
    pub fn new(payload: impl Into<Bytes>) -> Self {
        Message {
            headers: Vec::new(),
            payload: payload.into(),
        }
    }

    /// Adds a header (builder style).
    pub fn with_header(mut self, name: impl Into<String>, value: HeaderValue) -> Self {
        self.headers.push(Header {
            name: name.into(),
            value,
        });
        self
    }

    /// The value of the header called `name`.
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| &h.value)
    }

    /// The value of the string header called `name` (`None` if absent or not a string).
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header(name).and_then(HeaderValue::as_str)
    }

    /// `:message-type`: `event`, `exception` or `error`.
    pub fn message_type(&self) -> Option<&str> {
        self.header_str(":message-type")
    }

    /// `:event-type`: the member name of the event in the stream's union.
    pub fn event_type(&self) -> Option<&str> {
        self.header_str(":event-type")
    }

    /// `:exception-type`: the modeled exception's member name.
    pub fn exception_type(&self) -> Option<&str> {
        self.header_str(":exception-type")
    }

    /// `:error-code` of an unmodeled error message.
    pub fn error_code(&self) -> Option<&str> {
        self.header_str(":error-code")
    }

    /// `:error-message` of an unmodeled error message.
    pub fn error_message(&self) -> Option<&str> {
        self.header_str(":error-message")
    }

    /// `:content-type` of the payload.
    pub fn content_type(&self) -> Option<&str> {
        self.header_str(":content-type")
    }
}

/// Why a frame could not be decoded or encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventStreamError {
    /// The prelude's CRC32 does not match its first 8 bytes (botocore: `ChecksumMismatch`).
    #[error("event-stream prelude checksum mismatch: expected {expected:#010x}, calculated {calculated:#010x}")]
    PreludeChecksumMismatch {
        /// The CRC carried in the frame.
        expected: u32,
        /// The CRC computed over the bytes.
        calculated: u32,
    },
    /// The message CRC32 does not match the frame (botocore: `ChecksumMismatch`).
    #[error("event-stream message checksum mismatch: expected {expected:#010x}, calculated {calculated:#010x}")]
    MessageChecksumMismatch {
        /// The CRC carried in the frame.
        expected: u32,
        /// The CRC computed over the bytes.
        calculated: u32,
    },
    /// The headers section is longer than allowed (botocore: `InvalidHeadersLength`).
    #[error("event-stream headers length {length} exceeds the maximum of {max}")]
    HeadersTooLong {
        /// Declared headers length.
        length: u32,
        /// The limit.
        max: u32,
    },
    /// The payload is longer than allowed (botocore: `InvalidPayloadLength`).
    #[error("event-stream payload length {length} exceeds the maximum of {max}")]
    PayloadTooLong {
        /// Payload length implied by the prelude.
        length: u64,
        /// The limit.
        max: u32,
    },
    /// The total length cannot hold the prelude, the declared headers and the message CRC.
    #[error(
        "event-stream total length {total_length} is too small for a 16-byte frame \
         with {headers_length} bytes of headers"
    )]
    InvalidTotalLength {
        /// Declared total length.
        total_length: u32,
        /// Declared headers length.
        headers_length: u32,
    },
    /// Two headers have the same name (botocore: `DuplicateHeader`).
    #[error("duplicate event-stream header {name:?}")]
    DuplicateHeader {
        /// The repeated name.
        name: String,
    },
    /// The headers section is malformed.
    #[error("malformed event-stream header at byte {offset} of the headers: {reason}")]
    InvalidHeader {
        /// Offset within the headers section.
        offset: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// A header has a type number outside 0–9.
    #[error("event-stream header {name:?} has unknown type {type_id}")]
    UnknownHeaderType {
        /// The header's name.
        name: String,
        /// The type byte.
        type_id: u8,
    },
    /// The stream ended in the middle of a frame.
    #[error("event stream ended inside a frame ({buffered} byte(s) left undecoded)")]
    Truncated {
        /// Bytes buffered but not decoded.
        buffered: usize,
    },
    /// The decoder already failed; a frame boundary cannot be recovered after an error.
    #[error("event-stream decoder already failed on an earlier frame")]
    AlreadyFailed,
    /// Encoding: a header name longer than 255 bytes.
    #[error("event-stream header name of {len} bytes exceeds 255 ({name_start:?}...)")]
    HeaderNameTooLong {
        /// Length in bytes.
        len: usize,
        /// The first characters of the name.
        name_start: String,
    },
    /// Encoding: a string or byte-array header value longer than 65535 bytes.
    #[error("event-stream header {name:?} value of {len} bytes exceeds 65535")]
    HeaderValueTooLong {
        /// The header's name.
        name: String,
        /// Length in bytes.
        len: usize,
    },
}

/// The parsed prelude of the frame being buffered.
#[derive(Debug, Clone, Copy)]
struct Prelude {
    total_length: usize,
    headers_length: usize,
}

/// Sans-IO event-stream decoder: [`push`](Decoder::push) bytes as they arrive, then call
/// [`next_message`](Decoder::next_message) until it returns `Ok(None)`.
///
/// An error is final: later calls return [`EventStreamError::AlreadyFailed`], because a frame
/// boundary cannot be trusted after a bad prelude or checksum.
#[derive(Debug, Default)]
pub struct Decoder {
    buffer: BytesMut,
    limits: Limits,
    prelude: Option<Prelude>,
    failed: bool,
}

impl Decoder {
    /// A decoder with botocore's [`Limits`].
    pub fn new() -> Self {
        Decoder::default()
    }

    /// A decoder with custom limits.
    pub fn with_limits(limits: Limits) -> Self {
        Decoder {
            limits,
            ..Decoder::default()
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// Bytes received but not yet returned as messages.
    pub fn buffered_len(&self) -> usize {
        self.buffer.len()
    }

    /// Call at end of stream: an error if a partial frame is left.
    pub fn finish(&self) -> Result<(), EventStreamError> {
        match self.buffer.len() {
            0 => Ok(()),
            buffered => Err(EventStreamError::Truncated { buffered }),
        }
    }

    /// The next complete message, `Ok(None)` when more bytes are needed.
    pub fn next_message(&mut self) -> Result<Option<Message>, EventStreamError> {
        if self.failed {
            return Err(EventStreamError::AlreadyFailed);
        }
        let result = self.try_next();
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    fn try_next(&mut self) -> Result<Option<Message>, EventStreamError> {
        let prelude = match self.prelude {
            Some(prelude) => prelude,
            None => {
                let Some(head) = self.buffer.get(..PRELUDE_LEN) else {
                    return Ok(None);
                };
                let prelude = parse_prelude(head, &self.limits)?;
                self.prelude = Some(prelude);
                prelude
            }
        };
        if self.buffer.len() < prelude.total_length {
            return Ok(None);
        }
        let frame = self.buffer.split_to(prelude.total_length).freeze();
        self.prelude = None;
        decode_validated_frame(frame, prelude).map(Some)
    }
}

/// Decodes one complete frame held in `frame` (exactly one message, nothing after it), with
/// botocore's limits.
pub fn decode_message(frame: Bytes) -> Result<Message, EventStreamError> {
    let head = frame
        .get(..PRELUDE_LEN)
        .ok_or(EventStreamError::Truncated {
            buffered: frame.len(),
        })?;
    let prelude = parse_prelude(head, &Limits::default())?;
    if frame.len() != prelude.total_length {
        return Err(EventStreamError::Truncated {
            buffered: frame.len(),
        });
    }
    decode_validated_frame(frame, prelude)
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    if let Some(src) = bytes.get(at..at + 4) {
        word.copy_from_slice(src);
    }
    u32::from_be_bytes(word)
}

/// Checks the prelude CRC first (as botocore does), then the limits and the lengths' consistency.
fn parse_prelude(head: &[u8], limits: &Limits) -> Result<Prelude, EventStreamError> {
    let total_length = read_u32(head, 0);
    let headers_length = read_u32(head, 4);
    let expected = read_u32(head, 8);
    let calculated = crc32fast::hash(head.get(..8).unwrap_or_default());
    if expected != calculated {
        return Err(EventStreamError::PreludeChecksumMismatch {
            expected,
            calculated,
        });
    }
    if headers_length > limits.max_headers_len {
        return Err(EventStreamError::HeadersTooLong {
            length: headers_length,
            max: limits.max_headers_len,
        });
    }
    let overhead = u64::from(headers_length) + MIN_MESSAGE_LEN as u64;
    let Some(payload_length) = u64::from(total_length).checked_sub(overhead) else {
        return Err(EventStreamError::InvalidTotalLength {
            total_length,
            headers_length,
        });
    };
    if payload_length > u64::from(limits.max_payload_len) {
        return Err(EventStreamError::PayloadTooLong {
            length: payload_length,
            max: limits.max_payload_len,
        });
    }
    Ok(Prelude {
        total_length: total_length as usize,
        headers_length: headers_length as usize,
    })
}

/// Verifies the message CRC and splits a frame whose prelude was already validated.
fn decode_validated_frame(frame: Bytes, prelude: Prelude) -> Result<Message, EventStreamError> {
    let crc_at = prelude.total_length - 4;
    let expected = read_u32(&frame, crc_at);
    let calculated = crc32fast::hash(frame.get(..crc_at).unwrap_or_default());
    if expected != calculated {
        return Err(EventStreamError::MessageChecksumMismatch {
            expected,
            calculated,
        });
    }
    let headers_end = PRELUDE_LEN + prelude.headers_length;
    let headers = parse_headers(frame.slice(PRELUDE_LEN..headers_end))?;
    Ok(Message {
        headers,
        payload: frame.slice(headers_end..crc_at),
    })
}

fn parse_headers(mut section: Bytes) -> Result<Vec<Header>, EventStreamError> {
    let total = section.len();
    let mut headers = Vec::new();
    while section.has_remaining() {
        let offset = total - section.remaining();
        let invalid = |reason| EventStreamError::InvalidHeader { offset, reason };
        let name_len = usize::from(section.get_u8());
        if section.remaining() < name_len {
            return Err(invalid("header name runs past the headers section"));
        }
        let name = String::from_utf8(section.split_to(name_len).to_vec())
            .map_err(|_| invalid("header name is not UTF-8"))?;
        if !section.has_remaining() {
            return Err(invalid("header type missing"));
        }
        let type_id = section.get_u8();
        let fixed_len = match type_id {
            0 | 1 | 9 => 0,
            2 => 1,
            3 => 2,
            4 => 4,
            5 | 8 => 8,
            6 | 7 => 2,
            _ => return Err(EventStreamError::UnknownHeaderType { name, type_id }),
        };
        if section.remaining() < fixed_len {
            return Err(invalid("header value runs past the headers section"));
        }
        let value = match type_id {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => HeaderValue::Byte(section.get_i8()),
            3 => HeaderValue::Short(section.get_i16()),
            4 => HeaderValue::Int(section.get_i32()),
            5 => HeaderValue::Long(section.get_i64()),
            8 => HeaderValue::Timestamp(section.get_i64()),
            // botocore slices a uuid, a byte array or a string out of the section
            // (`data[:16]`, `data[2:2 + length]`), so one that runs past the end of the section
            // is the bytes that are there, and the section ends with it (its
            // `EventStreamHeaderParser` stops when no data is left): a frame whose CRCs hold
            // reads the same here. (A number cut short fails its `struct.unpack`, as above.)
            9 if section.remaining() >= 16 => {
                let mut uuid = [0u8; 16];
                section.copy_to_slice(&mut uuid);
                HeaderValue::Uuid(uuid)
            }
            9 => HeaderValue::ByteArray(section.split_to(section.remaining())),
            _ => {
                let len = usize::from(section.get_u16()).min(section.remaining());
                let bytes = section.split_to(len);
                if type_id == 6 {
                    HeaderValue::ByteArray(bytes)
                } else {
                    let text = String::from_utf8(bytes.to_vec())
                        .map_err(|_| invalid("string header value is not UTF-8"))?;
                    HeaderValue::String(text)
                }
            }
        };
        headers.push(Header { name, value });
    }
    check_unique_names(&headers)?;
    Ok(headers)
}

/// botocore refuses repeated header names. A linear scan suits the usual handful of headers; a
/// hostile 128 KiB section can hold tens of thousands, so those are sorted instead.
fn check_unique_names(headers: &[Header]) -> Result<(), EventStreamError> {
    const LINEAR_LIMIT: usize = 16;
    let duplicate = if headers.len() <= LINEAR_LIMIT {
        headers
            .iter()
            .enumerate()
            .find(|(i, h)| headers[..*i].iter().any(|earlier| earlier.name == h.name))
            .map(|(_, h)| h.name.as_str())
    } else {
        let mut names: Vec<&str> = headers.iter().map(|h| h.name.as_str()).collect();
        names.sort_unstable();
        names.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
    };
    match duplicate {
        Some(name) => Err(EventStreamError::DuplicateHeader {
            name: name.to_owned(),
        }),
        None => Ok(()),
    }
}

/// Encodes `message` as one frame.
pub fn encode(message: &Message) -> Result<Vec<u8>, EventStreamError> {
    let mut out = Vec::new();
    encode_into(message, &mut out)?;
    Ok(out)
}

/// Appends the frame for `message` to `out`. Fails, writing nothing, when a header name or value
/// is too long for the wire format or the frame would break the default [`Limits`].
pub fn encode_into(message: &Message, out: &mut Vec<u8>) -> Result<(), EventStreamError> {
    let mut headers_len = 0usize;
    for header in &message.headers {
        if header.name.len() > MAX_HEADER_NAME_LEN {
            let name_start: String = header.name.chars().take(32).collect();
            return Err(EventStreamError::HeaderNameTooLong {
                len: header.name.len(),
                name_start,
            });
        }
        let value_len = match &header.value {
            HeaderValue::ByteArray(b) => b.len(),
            HeaderValue::String(s) => s.len(),
            _ => 0,
        };
        if value_len > MAX_HEADER_VALUE_LEN {
            return Err(EventStreamError::HeaderValueTooLong {
                name: header.name.clone(),
                len: value_len,
            });
        }
        headers_len += 2 + header.name.len() + header.value.encoded_len();
    }
    let limits = Limits::default();
    if headers_len > limits.max_headers_len as usize {
        return Err(EventStreamError::HeadersTooLong {
            length: u32::try_from(headers_len).unwrap_or(u32::MAX),
            max: limits.max_headers_len,
        });
    }
    if message.payload.len() > limits.max_payload_len as usize {
        return Err(EventStreamError::PayloadTooLong {
            length: message.payload.len() as u64,
            max: limits.max_payload_len,
        });
    }
    // Both parts are within the limits, so the total fits a u32.
    let total_len = MIN_MESSAGE_LEN + headers_len + message.payload.len();

    let start = out.len();
    out.reserve(total_len);
    out.put_u32(total_len as u32);
    out.put_u32(headers_len as u32);
    let prelude_crc = crc32fast::hash(&out[start..start + 8]);
    out.put_u32(prelude_crc);
    for header in &message.headers {
        out.put_u8(header.name.len() as u8);
        out.put_slice(header.name.as_bytes());
        out.put_u8(header.value.type_id());
        match &header.value {
            HeaderValue::Bool(_) => {}
            HeaderValue::Byte(v) => out.put_i8(*v),
            HeaderValue::Short(v) => out.put_i16(*v),
            HeaderValue::Int(v) => out.put_i32(*v),
            HeaderValue::Long(v) | HeaderValue::Timestamp(v) => out.put_i64(*v),
            HeaderValue::ByteArray(b) => {
                out.put_u16(b.len() as u16);
                out.put_slice(b);
            }
            HeaderValue::String(s) => {
                out.put_u16(s.len() as u16);
                out.put_slice(s.as_bytes());
            }
            HeaderValue::Uuid(u) => out.put_slice(u),
        }
    }
    out.put_slice(&message.payload);
    let message_crc = crc32fast::hash(&out[start..]);
    out.put_u32(message_crc);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Message {
        Message::new(&b"{\"a\":1}"[..])
            .with_header(":message-type", HeaderValue::String("event".into()))
            .with_header(":event-type", HeaderValue::String("Records".into()))
            .with_header("t", HeaderValue::Timestamp(1_700_000_000_000))
            .with_header("u", HeaderValue::Uuid([7; 16]))
    }

    #[test]
    fn round_trip_and_accessors() {
        let frame = encode(&sample()).unwrap();
        let decoded = decode_message(Bytes::from(frame)).unwrap();
        assert_eq!(decoded, sample());
        assert_eq!(decoded.message_type(), Some("event"));
        assert_eq!(decoded.event_type(), Some("Records"));
        assert_eq!(decoded.exception_type(), None);
        assert_eq!(
            decoded.header("t"),
            Some(&HeaderValue::Timestamp(1_700_000_000_000))
        );
    }

    #[test]
    fn empty_message_is_the_16_byte_minimum() {
        // Same bytes as botocore's EMPTY_MESSAGE vector.
        let frame = encode(&Message::default()).unwrap();
        assert_eq!(
            frame,
            [0, 0, 0, 0x10, 0, 0, 0, 0, 0x05, 0xc2, 0x48, 0xeb, 0x7d, 0x98, 0xc8, 0xff]
        );
    }

    #[test]
    fn total_length_too_small_for_headers() {
        // total 16 but headers 4: prelude CRC valid, lengths inconsistent.
        let mut head = vec![0, 0, 0, 16, 0, 0, 0, 4];
        let crc = crc32fast::hash(&head);
        head.extend_from_slice(&crc.to_be_bytes());
        let mut decoder = Decoder::new();
        decoder.push(&head);
        assert!(matches!(
            decoder.next_message(),
            Err(EventStreamError::InvalidTotalLength { .. })
        ));
        assert_eq!(decoder.next_message(), Err(EventStreamError::AlreadyFailed));
    }

    #[test]
    fn truncated_header_value_is_what_is_there() {
        // A string header declaring 100 bytes inside a 6-byte headers section: botocore
        // slices what is there.
        let headers = [1u8, b'x', 7, 0, 100, b'y'];
        let mut frame = Vec::new();
        let total = (MIN_MESSAGE_LEN + headers.len()) as u32;
        frame.extend_from_slice(&total.to_be_bytes());
        frame.extend_from_slice(&(headers.len() as u32).to_be_bytes());
        let crc = crc32fast::hash(&frame);
        frame.extend_from_slice(&crc.to_be_bytes());
        frame.extend_from_slice(&headers);
        let crc = crc32fast::hash(&frame);
        frame.extend_from_slice(&crc.to_be_bytes());
        assert_eq!(
            decode_message(Bytes::from(frame)).unwrap().header_str("x"),
            Some("y")
        );
    }

    #[test]
    fn unknown_header_type_and_too_long_names() {
        let long = Message::default().with_header("n".repeat(256), HeaderValue::Bool(true));
        assert!(matches!(
            encode(&long),
            Err(EventStreamError::HeaderNameTooLong { len: 256, .. })
        ));
        let mut frame = encode(&Message::default().with_header("k", HeaderValue::Byte(1))).unwrap();
        frame[14] = 42; // the type byte
        let crc_at = frame.len() - 4;
        let crc = crc32fast::hash(&frame[..crc_at]);
        frame[crc_at..].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            decode_message(Bytes::from(frame)),
            Err(EventStreamError::UnknownHeaderType {
                name: "k".into(),
                type_id: 42
            })
        );
    }

    #[test]
    fn many_duplicate_headers_are_found_by_sorting() {
        let mut message = Message::default();
        for i in 0..100 {
            message = message.with_header(format!("h{i}"), HeaderValue::Bool(true));
        }
        message = message.with_header("h50", HeaderValue::Bool(false));
        let frame = encode(&message).unwrap();
        assert_eq!(
            decode_message(Bytes::from(frame)),
            Err(EventStreamError::DuplicateHeader { name: "h50".into() })
        );
    }

    #[test]
    fn finish_reports_a_partial_frame() {
        let frame = encode(&sample()).unwrap();
        let mut decoder = Decoder::new();
        decoder.push(&frame[..frame.len() - 1]);
        assert_eq!(decoder.next_message(), Ok(None));
        assert_eq!(
            decoder.finish(),
            Err(EventStreamError::Truncated {
                buffered: frame.len() - 1
            })
        );
        decoder.push(&frame[frame.len() - 1..]);
        assert!(decoder.next_message().unwrap().is_some());
        assert_eq!(decoder.finish(), Ok(()));
    }
}
