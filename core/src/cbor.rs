//! CBOR (RFC 8949) as the `smithy-rpc-v2-cbor` protocol needs it: a decoder from bytes to a generic
//! [`Item`] tree, and an [`Encoder`] that writes items straight into a `Vec<u8>`.
//!
//! This module knows nothing about service shapes. It decodes every well-formed item (including
//! tags and simple values the protocol layer will reject) and leaves the meaning of tag 1
//! (timestamps) and of `null` map values to `protocol::rpc_v2_cbor`.
//!
//! The decoder is built for hostile input: every declared length is checked against the bytes
//! actually left *before* anything is allocated, nesting is bounded by [`MAX_DEPTH`], text is
//! UTF-8 validated, and trailing bytes after the top-level item are an error.
//!
//! The encoder's float methods follow botocore's serializer: `float` shapes are written as
//! single precision, `double` shapes as double precision, and NaN/±Infinity as the half-precision
//! values `0x7e00`/`0x7c00`/`0xfc00`. Integers and lengths always take the shortest head.

use bytes::Bytes;

/// How deeply arrays, maps and tags may nest before decoding gives up. Decoding recurses once per
/// level, so this bounds stack use on hostile input.
pub const MAX_DEPTH: usize = 256;

/// The break code (major type 7, additional info 31) that ends an indefinite-length item.
const BREAK: u8 = 0xff;

/// Additional info 31: an indefinite-length item (or the break code in major type 7).
const INDEFINITE: u8 = 31;

const MAJOR_UINT: u8 = 0;
const MAJOR_NEGINT: u8 = 1;
const MAJOR_BYTES: u8 = 2;
const MAJOR_TEXT: u8 = 3;
const MAJOR_ARRAY: u8 = 4;
const MAJOR_MAP: u8 = 5;
const MAJOR_TAG: u8 = 6;
const MAJOR_SIMPLE: u8 = 7;

/// One decoded CBOR data item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Major type 0: an unsigned integer.
    UInt(u64),
    /// Major type 1: the negative integer `-1 - n`, holding the raw argument `n` (the full range
    /// down to `-2^64` does not fit an `i64`; see [`Item::as_i128`] and [`Item::as_i64`]).
    NegInt(u64),
    /// Major type 2: a byte string (indefinite-length chunks already joined).
    Bytes(Bytes),
    /// Major type 3: a UTF-8 text string (indefinite-length chunks already joined).
    Text(String),
    /// Major type 4: an array.
    Array(Vec<Item>),
    /// Major type 5: a map, in wire order, duplicates kept.
    Map(Vec<(Item, Item)>),
    /// Major type 6: a tag number and the tagged item.
    Tag(u64, Box<Item>),
    /// Simple values 20 and 21.
    Bool(bool),
    /// Simple value 22.
    Null,
    /// Simple value 23.
    Undefined,
    /// A half-precision float, widened exactly to `f32`. Encoded as half precision again when the
    /// value is exactly representable there, else as single precision.
    Float16(f32),
    /// A single-precision float.
    Float32(f32),
    /// A double-precision float.
    Float64(f64),
    /// Any other simple value (0–19 or 32–255).
    Simple(SimpleValue),
}

/// A CBOR simple value other than false/true/null/undefined: 0–19 or 32–255. Values 24–31 are not
/// well-formed in CBOR, so they cannot be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SimpleValue(u8);

impl SimpleValue {
    /// The simple value `value`, or `None` for 20–23 (which are [`Item::Bool`], [`Item::Null`] and
    /// [`Item::Undefined`]) and the reserved 24–31.
    pub fn new(value: u8) -> Option<Self> {
        (!(20..32).contains(&value)).then_some(SimpleValue(value))
    }

    /// The numeric value.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl Item {
    /// The value of an integer item as `i128` (covers the whole CBOR integer range).
    pub fn as_i128(&self) -> Option<i128> {
        match *self {
            Item::UInt(n) => Some(i128::from(n)),
            Item::NegInt(n) => Some(-1 - i128::from(n)),
            _ => None,
        }
    }

    /// The value of an integer item when it fits an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_i128().and_then(|v| i64::try_from(v).ok())
    }

    /// The value of an unsigned integer item.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Item::UInt(n) => Some(n),
            _ => None,
        }
    }

    /// The value of a float item of any width, widened to `f64` (exact).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Item::Float16(f) | Item::Float32(f) => Some(f64::from(f)),
            Item::Float64(f) => Some(f),
            _ => None,
        }
    }

    /// The text of a text-string item.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Item::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes of a byte-string item.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Item::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The elements of an array item.
    pub fn as_array(&self) -> Option<&[Item]> {
        match self {
            Item::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of a map item.
    pub fn as_map(&self) -> Option<&[(Item, Item)]> {
        match self {
            Item::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of a boolean item.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Item::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// True for `null` and `undefined` (botocore treats both as "no value").
    pub fn is_null(&self) -> bool {
        matches!(self, Item::Null | Item::Undefined)
    }

    /// The value stored under the text key `key` in a map item (first match).
    pub fn get(&self, key: &str) -> Option<&Item> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }
}

/// Why CBOR input could not be decoded. Offsets count bytes from the start of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CborError {
    /// The input ended inside an item.
    #[error("CBOR input ended at offset {offset} while {needed} more byte(s) were expected")]
    UnexpectedEnd {
        /// Where the missing bytes should have started.
        offset: usize,
        /// How many bytes were still needed.
        needed: u64,
    },
    /// A string, array or map declared more content than the input can possibly hold.
    #[error(
        "CBOR {what} at offset {offset} declares length {declared}, \
         more than the {remaining} byte(s) left"
    )]
    LengthExceedsInput {
        /// Offset of the item's head.
        offset: usize,
        /// `"byte string"`, `"text string"`, `"array"` or `"map"`.
        what: &'static str,
        /// The declared length (elements for arrays, pairs for maps).
        declared: u64,
        /// Bytes left after the head.
        remaining: usize,
    },
    /// The head's additional information is reserved (28–30) or not allowed for this major type.
    #[error("CBOR major type {major} at offset {offset} has invalid additional info {info}")]
    InvalidAdditionalInfo {
        /// Offset of the head.
        offset: usize,
        /// Major type 0–7.
        major: u8,
        /// Additional information 0–31.
        info: u8,
    },
    /// A break code appeared where a data item was expected.
    #[error("unexpected CBOR break code at offset {offset}")]
    UnexpectedBreak {
        /// Offset of the break code.
        offset: usize,
    },
    /// An indefinite-length string contained something other than a definite string of its type.
    #[error(
        "CBOR indefinite-length {expected} contains a chunk of major type {found} \
         (or an indefinite chunk) at offset {offset}"
    )]
    InvalidChunk {
        /// Offset of the offending chunk head.
        offset: usize,
        /// `"byte string"` or `"text string"`.
        expected: &'static str,
        /// The chunk's major type.
        found: u8,
    },
    /// A text string (or one of its chunks) is not valid UTF-8.
    #[error("CBOR text string at offset {offset} is not valid UTF-8")]
    InvalidUtf8 {
        /// Offset of the string (or chunk) head.
        offset: usize,
    },
    /// A two-byte simple value below 32, which RFC 8949 declares not well-formed.
    #[error(
        "CBOR simple value {value} at offset {offset} is not well-formed in the two-byte form"
    )]
    InvalidSimpleValue {
        /// Offset of the head.
        offset: usize,
        /// The value read.
        value: u8,
    },
    /// Arrays, maps and tags nested deeper than [`MAX_DEPTH`].
    #[error("CBOR nesting deeper than {max} levels at offset {offset}")]
    TooDeep {
        /// Offset of the item that went too deep.
        offset: usize,
        /// The limit.
        max: usize,
    },
    /// Bytes were left after the top-level item.
    #[error("{count} trailing byte(s) after the CBOR data item, starting at offset {offset}")]
    TrailingBytes {
        /// Offset of the first trailing byte.
        offset: usize,
        /// How many bytes were left.
        count: usize,
    },
}

/// Decodes exactly one CBOR data item that fills all of `input`.
pub fn decode(input: &[u8]) -> Result<Item, CborError> {
    Decoder::new(input, None).decode_all()
}

/// Like [`decode`], but byte strings in the result share `input`'s buffer instead of copying it.
pub fn decode_bytes(input: &Bytes) -> Result<Item, CborError> {
    Decoder::new(input, Some(input)).decode_all()
}

/// Decodes the first CBOR data item of `input` and returns it with the number of bytes it took;
/// whatever follows is left alone (for sequences of items).
pub fn decode_prefix(input: &[u8]) -> Result<(Item, usize), CborError> {
    let mut decoder = Decoder::new(input, None);
    let item = decoder.item(0)?;
    Ok((item, decoder.pos))
}

/// Entry point for fuzzers: decodes arbitrary bytes, and when they decode, checks that encoding
/// and decoding again yields the same item. Never panics on any input unless that check fails.
pub fn fuzz_decode(input: &[u8]) {
    if let Ok(item) = decode(input) {
        let again = decode(&encode(&item));
        // NaN != NaN, so compare the re-encoded bytes rather than the items.
        let reencoded = again.as_ref().map(encode).ok();
        assert_eq!(
            reencoded,
            Some(encode(&item)),
            "CBOR re-encoding changed the item"
        );
    }
}

/// Cursor over the input. `shared` is the same bytes as `input` when the caller handed a `Bytes`,
/// so byte strings can be sliced out without copying.
struct Decoder<'a> {
    input: &'a [u8],
    shared: Option<&'a Bytes>,
    pos: usize,
}

impl<'a> Decoder<'a> {
    fn new(input: &'a [u8], shared: Option<&'a Bytes>) -> Self {
        Decoder {
            input,
            shared,
            pos: 0,
        }
    }

    fn decode_all(&mut self) -> Result<Item, CborError> {
        let item = self.item(0)?;
        let count = self.remaining();
        if count != 0 {
            return Err(CborError::TrailingBytes {
                offset: self.pos,
                count,
            });
        }
        Ok(item)
    }

    fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.input.len());
        match end {
            Some(end) => {
                let slice = &self.input[self.pos..end];
                self.pos = end;
                Ok(slice)
            }
            None => Err(CborError::UnexpectedEnd {
                offset: self.pos,
                needed: (n - self.remaining()) as u64,
            }),
        }
    }

    fn take_array<const N: usize>(&mut self) -> Result<[u8; N], CborError> {
        let slice = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    /// Reads the initial byte: (major type, additional info).
    fn head(&mut self) -> Result<(u8, u8), CborError> {
        let [byte] = self.take_array::<1>()?;
        Ok((byte >> 5, byte & 0x1f))
    }

    /// Reads the argument for additional info `info` (0–27); `start` is the head's offset.
    fn argument(&mut self, major: u8, info: u8, start: usize) -> Result<u64, CborError> {
        Ok(match info {
            0..=23 => u64::from(info),
            24 => u64::from(u8::from_be_bytes(self.take_array()?)),
            25 => u64::from(u16::from_be_bytes(self.take_array()?)),
            26 => u64::from(u32::from_be_bytes(self.take_array()?)),
            27 => u64::from_be_bytes(self.take_array()?),
            _ => {
                return Err(CborError::InvalidAdditionalInfo {
                    offset: start,
                    major,
                    info,
                })
            }
        })
    }

    /// Takes a definite string body of `len` bytes, refusing lengths the input cannot hold.
    fn string_body(
        &mut self,
        len: u64,
        what: &'static str,
        start: usize,
    ) -> Result<&'a [u8], CborError> {
        let remaining = self.remaining();
        match usize::try_from(len) {
            Ok(n) if n <= remaining => self.take(n),
            _ => Err(CborError::LengthExceedsInput {
                offset: start,
                what,
                declared: len,
                remaining,
            }),
        }
    }

    fn bytes_from(&self, slice: &'a [u8]) -> Bytes {
        match self.shared {
            Some(shared) => shared.slice_ref(slice),
            None => Bytes::copy_from_slice(slice),
        }
    }

    /// Joins the chunks of an indefinite-length string of major type `major` up to the break.
    fn chunks(&mut self, major: u8, what: &'static str) -> Result<Vec<u8>, CborError> {
        let mut joined = Vec::new();
        loop {
            let start = self.pos;
            if self.peek() == Some(BREAK) {
                self.pos += 1;
                return Ok(joined);
            }
            let (chunk_major, info) = self.head()?;
            if chunk_major != major || info == INDEFINITE {
                return Err(CborError::InvalidChunk {
                    offset: start,
                    expected: what,
                    found: chunk_major,
                });
            }
            let len = self.argument(chunk_major, info, start)?;
            let body = self.string_body(len, what, start)?;
            // RFC 8949 §3.2.3: each text chunk must be valid UTF-8 on its own.
            if major == MAJOR_TEXT && std::str::from_utf8(body).is_err() {
                return Err(CborError::InvalidUtf8 { offset: start });
            }
            joined.extend_from_slice(body);
        }
    }

    fn item(&mut self, depth: usize) -> Result<Item, CborError> {
        let start = self.pos;
        let (major, info) = self.head()?;
        match major {
            MAJOR_UINT => Ok(Item::UInt(self.argument(major, info, start)?)),
            MAJOR_NEGINT => Ok(Item::NegInt(self.argument(major, info, start)?)),
            MAJOR_BYTES => {
                const WHAT: &str = "byte string";
                if info == INDEFINITE {
                    return Ok(Item::Bytes(Bytes::from(self.chunks(major, WHAT)?)));
                }
                let len = self.argument(major, info, start)?;
                let body = self.string_body(len, WHAT, start)?;
                Ok(Item::Bytes(self.bytes_from(body)))
            }
            MAJOR_TEXT => {
                const WHAT: &str = "text string";
                if info == INDEFINITE {
                    let joined = self.chunks(major, WHAT)?;
                    // Every chunk was validated, so the join is valid too; map the error anyway
                    // rather than trusting that reasoning with an unwrap.
                    let text = String::from_utf8(joined)
                        .map_err(|_| CborError::InvalidUtf8 { offset: start })?;
                    return Ok(Item::Text(text));
                }
                let len = self.argument(major, info, start)?;
                let body = self.string_body(len, WHAT, start)?;
                let text = std::str::from_utf8(body)
                    .map_err(|_| CborError::InvalidUtf8 { offset: start })?;
                Ok(Item::Text(text.to_owned()))
            }
            MAJOR_ARRAY => {
                let depth = self.deeper(depth, start)?;
                if info == INDEFINITE {
                    let mut items = Vec::new();
                    while !self.eat_break() {
                        items.push(self.item(depth)?);
                    }
                    return Ok(Item::Array(items));
                }
                let len = self.argument(major, info, start)?;
                // Every element takes at least one byte.
                let count = self.bounded_count(len, 1, "array", start)?;
                let mut items = Vec::with_capacity(count);
                for _ in 0..count {
                    items.push(self.item(depth)?);
                }
                Ok(Item::Array(items))
            }
            MAJOR_MAP => {
                let depth = self.deeper(depth, start)?;
                if info == INDEFINITE {
                    let mut entries = Vec::new();
                    while !self.eat_break() {
                        let key = self.item(depth)?;
                        let value = self.item(depth)?;
                        entries.push((key, value));
                    }
                    return Ok(Item::Map(entries));
                }
                let len = self.argument(major, info, start)?;
                // Every entry takes at least two bytes.
                let count = self.bounded_count(len, 2, "map", start)?;
                let mut entries = Vec::with_capacity(count);
                for _ in 0..count {
                    let key = self.item(depth)?;
                    let value = self.item(depth)?;
                    entries.push((key, value));
                }
                Ok(Item::Map(entries))
            }
            MAJOR_TAG => {
                let tag = self.argument(major, info, start)?;
                let depth = self.deeper(depth, start)?;
                Ok(Item::Tag(tag, Box::new(self.item(depth)?)))
            }
            _ => self.simple_or_float(info, start),
        }
    }

    fn simple_or_float(&mut self, info: u8, start: usize) -> Result<Item, CborError> {
        Ok(match info {
            20 => Item::Bool(false),
            21 => Item::Bool(true),
            22 => Item::Null,
            23 => Item::Undefined,
            24 => {
                let [value] = self.take_array::<1>()?;
                match SimpleValue::new(value).filter(|_| value >= 32) {
                    Some(simple) => Item::Simple(simple),
                    None => {
                        return Err(CborError::InvalidSimpleValue {
                            offset: start,
                            value,
                        })
                    }
                }
            }
            25 => Item::Float16(half_to_f32(u16::from_be_bytes(self.take_array()?))),
            26 => Item::Float32(f32::from_be_bytes(self.take_array()?)),
            27 => Item::Float64(f64::from_be_bytes(self.take_array()?)),
            INDEFINITE => return Err(CborError::UnexpectedBreak { offset: start }),
            0..=19 => Item::Simple(SimpleValue(info)),
            _ => {
                return Err(CborError::InvalidAdditionalInfo {
                    offset: start,
                    major: MAJOR_SIMPLE,
                    info,
                })
            }
        })
    }

    fn deeper(&self, depth: usize, start: usize) -> Result<usize, CborError> {
        if depth >= MAX_DEPTH {
            return Err(CborError::TooDeep {
                offset: start,
                max: MAX_DEPTH,
            });
        }
        Ok(depth + 1)
    }

    /// Checks a declared element count against the bytes left (each element needs at least
    /// `min_bytes`), so a hostile length never reaches an allocation.
    fn bounded_count(
        &self,
        len: u64,
        min_bytes: u64,
        what: &'static str,
        start: usize,
    ) -> Result<usize, CborError> {
        let remaining = self.remaining();
        match len.checked_mul(min_bytes) {
            Some(needed) if needed <= remaining as u64 => Ok(len as usize),
            _ => Err(CborError::LengthExceedsInput {
                offset: start,
                what,
                declared: len,
                remaining,
            }),
        }
    }

    /// Consumes a break code if one is next. At the end of input it returns false, so the caller
    /// goes on to read an item and reports the missing bytes.
    fn eat_break(&mut self) -> bool {
        if self.peek() == Some(BREAK) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
}

/// Widens IEEE 754 half-precision bits to `f32` exactly (NaN payloads kept).
pub fn half_to_f32(bits: u16) -> f32 {
    let sign = u32::from(bits >> 15) << 31;
    let exponent = u32::from((bits >> 10) & 0x1f);
    let mantissa = u32::from(bits & 0x3ff);
    match exponent {
        // Zero and subnormals: mantissa * 2^-24, exact in f32.
        0 => {
            let magnitude = mantissa as f32 * f32::from_bits(0x3380_0000); // 2^-24
            f32::from_bits(sign | magnitude.to_bits())
        }
        0x1f => f32::from_bits(sign | 0x7f80_0000 | (mantissa << 13)),
        _ => f32::from_bits(sign | ((exponent + 112) << 23) | (mantissa << 13)),
    }
}

/// Narrows an `f32` to half-precision bits when that loses nothing; `None` otherwise.
pub fn f32_to_half_exact(value: f32) -> Option<u16> {
    let bits = value.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exponent = (bits >> 23) & 0xff;
    let mantissa = bits & 0x7f_ffff;
    if exponent == 0xff {
        // Infinity, or NaN whose payload survives in the top 10 mantissa bits.
        let half_mantissa = (mantissa >> 13) as u16;
        let lossless = mantissa & 0x1fff == 0 && (mantissa == 0) == (half_mantissa == 0);
        return lossless.then_some(sign | 0x7c00 | half_mantissa);
    }
    if exponent == 0 {
        // f32 zero maps to half zero; f32 subnormals are far below half's range.
        return (mantissa == 0).then_some(sign);
    }
    let unbiased = exponent as i32 - 127;
    if (-14..=15).contains(&unbiased) {
        let fits = mantissa & 0x1fff == 0;
        return fits.then(|| sign | (((unbiased + 15) as u16) << 10) | (mantissa >> 13) as u16);
    }
    if (-24..-14).contains(&unbiased) {
        // A half subnormal: value = m * 2^-24 with m < 1024.
        let full = mantissa | 0x80_0000;
        let shift = (-(unbiased + 1)) as u32;
        let fits = full & ((1u32 << shift) - 1) == 0;
        return fits.then(|| sign | (full >> shift) as u16);
    }
    None
}

/// Encodes one item (definite lengths, shortest heads, floats at their own width).
pub fn encode(item: &Item) -> Vec<u8> {
    let mut encoder = Encoder::new();
    encoder.item(item);
    encoder.into_vec()
}

/// Writes CBOR into a growing `Vec<u8>`. Methods return `&mut Self` so calls can be chained:
///
/// ```
/// let mut e = sansboto_core::protocol::cbor::Encoder::new();
/// e.map(1).str("n").u64(500);
/// assert_eq!(e.as_slice(), &[0xa1, 0x61, b'n', 0x19, 0x01, 0xf4]);
/// ```
///
/// Definite-length containers are the caller's bookkeeping: after `map(n)` write exactly `n`
/// key/value pairs. Indefinite ones are opened with `begin_*` and closed with [`Encoder::end`].
#[derive(Debug, Default, Clone)]
pub struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    /// An empty encoder.
    pub fn new() -> Self {
        Encoder { buf: Vec::new() }
    }

    /// An empty encoder with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Encoder {
            buf: Vec::with_capacity(capacity),
        }
    }

    /// An encoder that appends to `buf` (reusing its allocation).
    pub fn from_vec(buf: Vec<u8>) -> Self {
        Encoder { buf }
    }

    /// The bytes written so far.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }

    /// The bytes written, taking them out.
    pub fn into_vec(self) -> Vec<u8> {
        self.buf
    }

    /// Writes a head with the shortest argument encoding.
    fn head(&mut self, major: u8, argument: u64) -> &mut Self {
        let major = major << 5;
        if argument < 24 {
            self.buf.push(major | argument as u8);
        } else if argument <= u64::from(u8::MAX) {
            self.buf.extend_from_slice(&[major | 24, argument as u8]);
        } else if argument <= u64::from(u16::MAX) {
            self.buf.push(major | 25);
            self.buf.extend_from_slice(&(argument as u16).to_be_bytes());
        } else if argument <= u64::from(u32::MAX) {
            self.buf.push(major | 26);
            self.buf.extend_from_slice(&(argument as u32).to_be_bytes());
        } else {
            self.buf.push(major | 27);
            self.buf.extend_from_slice(&argument.to_be_bytes());
        }
        self
    }

    /// An unsigned integer.
    pub fn u64(&mut self, value: u64) -> &mut Self {
        self.head(MAJOR_UINT, value)
    }

    /// A signed integer (major type 0 or 1).
    pub fn i64(&mut self, value: i64) -> &mut Self {
        if value >= 0 {
            self.head(MAJOR_UINT, value as u64)
        } else {
            // -1 - value never overflows for negative i64 and is non-negative.
            self.head(MAJOR_NEGINT, (-1 - value) as u64)
        }
    }

    /// The negative integer `-1 - raw` (reaches down to `-2^64`).
    pub fn negative(&mut self, raw: u64) -> &mut Self {
        self.head(MAJOR_NEGINT, raw)
    }

    /// A definite-length text string.
    pub fn str(&mut self, value: &str) -> &mut Self {
        self.head(MAJOR_TEXT, value.len() as u64);
        self.buf.extend_from_slice(value.as_bytes());
        self
    }

    /// A definite-length byte string.
    pub fn bytes(&mut self, value: &[u8]) -> &mut Self {
        self.head(MAJOR_BYTES, value.len() as u64);
        self.buf.extend_from_slice(value);
        self
    }

    /// The head of an array of `len` items.
    pub fn array(&mut self, len: u64) -> &mut Self {
        self.head(MAJOR_ARRAY, len)
    }

    /// The head of a map of `len` key/value pairs.
    pub fn map(&mut self, len: u64) -> &mut Self {
        self.head(MAJOR_MAP, len)
    }

    /// Opens an indefinite-length array; close it with [`Encoder::end`].
    pub fn begin_array(&mut self) -> &mut Self {
        self.buf.push((MAJOR_ARRAY << 5) | INDEFINITE);
        self
    }

    /// Opens an indefinite-length map; close it with [`Encoder::end`].
    pub fn begin_map(&mut self) -> &mut Self {
        self.buf.push((MAJOR_MAP << 5) | INDEFINITE);
        self
    }

    /// Opens an indefinite-length byte string; write definite [`Encoder::bytes`] chunks, then
    /// [`Encoder::end`].
    pub fn begin_bytes(&mut self) -> &mut Self {
        self.buf.push((MAJOR_BYTES << 5) | INDEFINITE);
        self
    }

    /// Opens an indefinite-length text string; write definite [`Encoder::str`] chunks, then
    /// [`Encoder::end`].
    pub fn begin_str(&mut self) -> &mut Self {
        self.buf.push((MAJOR_TEXT << 5) | INDEFINITE);
        self
    }

    /// The break code closing the innermost indefinite-length item.
    pub fn end(&mut self) -> &mut Self {
        self.buf.push(BREAK);
        self
    }

    /// A tag head; write the tagged item next (tag 1 + a number is an epoch-seconds timestamp).
    pub fn tag(&mut self, tag: u64) -> &mut Self {
        self.head(MAJOR_TAG, tag)
    }

    /// `true` or `false`.
    pub fn bool(&mut self, value: bool) -> &mut Self {
        self.buf.push(if value { 0xf5 } else { 0xf4 });
        self
    }

    /// `null`.
    pub fn null(&mut self) -> &mut Self {
        self.buf.push(0xf6);
        self
    }

    /// `undefined`.
    pub fn undefined(&mut self) -> &mut Self {
        self.buf.push(0xf7);
        self
    }

    /// Any other simple value.
    pub fn simple(&mut self, value: SimpleValue) -> &mut Self {
        if value.0 < 24 {
            self.buf.push(0xe0 | value.0);
        } else {
            self.buf.extend_from_slice(&[0xf8, value.0]);
        }
        self
    }

    /// NaN/±Infinity in the half-precision form botocore sends; false for finite values.
    fn special_float(&mut self, is_nan: bool, is_infinite: bool, negative: bool) -> bool {
        let bits: u16 = if is_nan {
            0x7e00
        } else if is_infinite && negative {
            0xfc00
        } else if is_infinite {
            0x7c00
        } else {
            return false;
        };
        self.half_bits(bits);
        true
    }

    /// A `float` shape as botocore writes it: single precision, or half precision for
    /// NaN/±Infinity.
    pub fn f32(&mut self, value: f32) -> &mut Self {
        if !self.special_float(value.is_nan(), value.is_infinite(), value < 0.0) {
            self.f32_exact(value);
        }
        self
    }

    /// A `double` shape as botocore writes it: double precision, or half precision for
    /// NaN/±Infinity.
    pub fn f64(&mut self, value: f64) -> &mut Self {
        if !self.special_float(value.is_nan(), value.is_infinite(), value < 0.0) {
            self.f64_exact(value);
        }
        self
    }

    /// Half-precision float bits, as given.
    pub fn half_bits(&mut self, bits: u16) -> &mut Self {
        self.buf.push(0xf9);
        self.buf.extend_from_slice(&bits.to_be_bytes());
        self
    }

    /// A single-precision float, bit for bit (NaN payloads included).
    pub fn f32_exact(&mut self, value: f32) -> &mut Self {
        self.buf.push(0xfa);
        self.buf.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// A double-precision float, bit for bit (NaN payloads included).
    pub fn f64_exact(&mut self, value: f64) -> &mut Self {
        self.buf.push(0xfb);
        self.buf.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// A whole item tree (definite lengths, floats at the item's own width).
    pub fn item(&mut self, item: &Item) -> &mut Self {
        match item {
            Item::UInt(n) => self.u64(*n),
            Item::NegInt(n) => self.negative(*n),
            Item::Bytes(b) => self.bytes(b),
            Item::Text(s) => self.str(s),
            Item::Array(items) => {
                self.array(items.len() as u64);
                for element in items {
                    self.item(element);
                }
                self
            }
            Item::Map(entries) => {
                self.map(entries.len() as u64);
                for (key, value) in entries {
                    self.item(key).item(value);
                }
                self
            }
            Item::Tag(tag, inner) => self.tag(*tag).item(inner),
            Item::Bool(b) => self.bool(*b),
            Item::Null => self.null(),
            Item::Undefined => self.undefined(),
            Item::Float16(f) => match f32_to_half_exact(*f) {
                Some(bits) => self.half_bits(bits),
                None => self.f32_exact(*f),
            },
            Item::Float32(f) => self.f32_exact(*f),
            Item::Float64(f) => self.f64_exact(*f),
            Item::Simple(simple) => self.simple(*simple),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_heads_at_each_boundary() {
        let cases: [(u64, &[u8]); 9] = [
            (0, &[0x00]),
            (23, &[0x17]),
            (24, &[0x18, 24]),
            (255, &[0x18, 0xff]),
            (256, &[0x19, 0x01, 0x00]),
            (65535, &[0x19, 0xff, 0xff]),
            (65536, &[0x1a, 0, 1, 0, 0]),
            (u64::from(u32::MAX), &[0x1a, 0xff, 0xff, 0xff, 0xff]),
            (u64::from(u32::MAX) + 1, &[0x1b, 0, 0, 0, 1, 0, 0, 0, 0]),
        ];
        for (value, expected) in cases {
            let mut e = Encoder::new();
            e.u64(value);
            assert_eq!(e.as_slice(), expected, "u64 {value}");
        }
    }

    #[test]
    fn negative_integers_use_major_type_one() {
        let mut e = Encoder::new();
        e.i64(-1).i64(-24).i64(-25).i64(i64::MIN);
        assert_eq!(
            e.as_slice(),
            &[0x20, 0x37, 0x38, 24, 0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        );
        assert_eq!(
            decode(&[0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
                .unwrap()
                .as_i64(),
            Some(i64::MIN)
        );
        assert_eq!(
            decode(&[0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
                .unwrap()
                .as_i64(),
            None
        );
    }

    #[test]
    fn floats_follow_botocore() {
        // Python: struct.pack('>f', 1.5) == b'\x3f\xc0\x00\x00'
        let mut e = Encoder::new();
        e.f32(1.5)
            .f64(1.5)
            .f32(f32::NAN)
            .f64(f64::INFINITY)
            .f64(f64::NEG_INFINITY);
        assert_eq!(
            e.as_slice(),
            &[
                0xfa, 0x3f, 0xc0, 0, 0, //
                0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, //
                0xf9, 0x7e, 0x00, //
                0xf9, 0x7c, 0x00, //
                0xf9, 0xfc, 0x00,
            ]
        );
    }

    #[test]
    fn half_precision_conversions() {
        // RFC 8949 Appendix A examples.
        assert_eq!(half_to_f32(0x0000), 0.0);
        assert!(half_to_f32(0x8000).is_sign_negative());
        assert_eq!(half_to_f32(0x3c00), 1.0);
        assert_eq!(half_to_f32(0x3e00), 1.5);
        assert_eq!(half_to_f32(0x7bff), 65504.0);
        assert_eq!(half_to_f32(0x0001), 5.960_464_5e-8);
        assert_eq!(half_to_f32(0x0400), 6.103_515_6e-5);
        assert_eq!(half_to_f32(0xc400), -4.0);
        assert_eq!(half_to_f32(0x7c00), f32::INFINITY);
        assert!(half_to_f32(0x7e00).is_nan());
        // Every half value survives a round trip through f32.
        for bits in 0..=u16::MAX {
            assert_eq!(
                f32_to_half_exact(half_to_f32(bits)),
                Some(bits),
                "{bits:#06x}"
            );
        }
        assert_eq!(f32_to_half_exact(0.1), None);
        assert_eq!(f32_to_half_exact(65536.0), None);
    }

    #[test]
    fn hostile_lengths_fail_before_allocating() {
        // An array claiming 2^64-1 elements, a map claiming 2^32-1 pairs, a 2^63-byte string.
        let array = [0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
        assert!(matches!(
            decode(&array),
            Err(CborError::LengthExceedsInput { what: "array", .. })
        ));
        let map = [0xba, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00];
        assert!(matches!(
            decode(&map),
            Err(CborError::LengthExceedsInput { what: "map", .. })
        ));
        let bytes = [0x5b, 0x80, 0, 0, 0, 0, 0, 0, 0];
        assert!(matches!(
            decode(&bytes),
            Err(CborError::LengthExceedsInput { .. })
        ));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = vec![0x81u8; 100_000];
        assert!(matches!(
            decode(&deep),
            Err(CborError::TooDeep { max: MAX_DEPTH, .. })
        ));
        let tags = vec![0xc1u8; 100_000];
        assert!(matches!(decode(&tags), Err(CborError::TooDeep { .. })));
        let mut ok = vec![0x81u8; MAX_DEPTH];
        ok.push(0x00);
        assert!(decode(&ok).is_ok());
    }

    #[test]
    fn structural_errors() {
        assert!(matches!(
            decode(&[0x00, 0x00]),
            Err(CborError::TrailingBytes {
                offset: 1,
                count: 1
            })
        ));
        assert!(matches!(
            decode(&[0x62, 0xc3, 0x28]),
            Err(CborError::InvalidUtf8 { offset: 0 })
        ));
        assert!(matches!(
            decode(&[0xf8, 0x10]),
            Err(CborError::InvalidSimpleValue { value: 16, .. })
        ));
        assert!(matches!(
            decode(&[0x1c]),
            Err(CborError::InvalidAdditionalInfo { info: 28, .. })
        ));
        assert!(matches!(
            decode(&[0xff]),
            Err(CborError::UnexpectedBreak { offset: 0 })
        ));
        assert!(matches!(
            decode(&[0xdf, 0x00]),
            Err(CborError::InvalidAdditionalInfo { major: 6, .. })
        ));
        // A UTF-8 sequence split across two chunks is invalid per chunk.
        assert!(matches!(
            decode(&[0x7f, 0x61, 0xc3, 0x61, 0xa9, 0xff]),
            Err(CborError::InvalidUtf8 { .. })
        ));
    }

    #[test]
    fn decode_bytes_shares_the_buffer() {
        let input = Bytes::from_static(&[0x43, 1, 2, 3]);
        let item = decode_bytes(&input).unwrap();
        let b = item.as_bytes().unwrap();
        assert_eq!(b.as_ref(), &[1, 2, 3]);
        assert_eq!(b.as_ptr(), input[1..].as_ptr());
    }

    #[test]
    fn decode_prefix_reports_consumed_length() {
        let (item, used) = decode_prefix(&[0x01, 0x02]).unwrap();
        assert_eq!((item, used), (Item::UInt(1), 1));
    }

    #[test]
    fn simple_values() {
        assert_eq!(SimpleValue::new(20), None);
        assert_eq!(SimpleValue::new(24), None);
        assert_eq!(decode(&[0xf0]).unwrap(), Item::Simple(SimpleValue(16)));
        assert_eq!(
            decode(&[0xf8, 0xff]).unwrap(),
            Item::Simple(SimpleValue(255))
        );
        let item = Item::Simple(SimpleValue::new(200).unwrap());
        assert_eq!(decode(&encode(&item)).unwrap(), item);
    }
}
