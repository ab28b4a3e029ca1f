//! Checksums for flexible checksums (`x-amz-checksum-*`) and `Content-MD5`, plus the sans-IO
//! `aws-chunked` framing that carries a checksum as a trailer after a streamed body.
//!
//! Algorithms are those botocore 1.44.5 supports (with its optional CRT extension): CRC32, CRC32C,
//! CRC64NVME, SHA1, SHA256, SHA512, XXHASH64, XXHASH3, XXHASH128. Every hasher is incremental;
//! values are the big-endian digest bytes, sent base64-encoded. MD5 is only for `Content-MD5`
//! (botocore refuses it as a flexible-checksum algorithm, and so does [`ChecksumAlgorithm`]).

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use bytes::Bytes;
use sha1::Digest as _;

/// A flexible-checksum algorithm, named as in service models (`"CRC32"`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChecksumAlgorithm {
    /// CRC-32 (ISO-HDLC, as zlib computes it).
    Crc32,
    /// CRC-32C (Castagnoli).
    Crc32c,
    /// CRC-64/NVME.
    Crc64Nvme,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
    /// XXH64 (seed 0).
    XxHash64,
    /// XXH3, 64-bit (seed 0).
    XxHash3,
    /// XXH3, 128-bit (seed 0).
    XxHash128,
}

impl ChecksumAlgorithm {
    /// Every algorithm, in botocore's order of preference for validating responses
    /// (`_ALGORITHMS_PRIORITY_LIST`): the first one a response carries a header for is checked.
    pub const RESPONSE_PRIORITY: [ChecksumAlgorithm; 9] = [
        ChecksumAlgorithm::XxHash128,
        ChecksumAlgorithm::XxHash3,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::XxHash64,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
        ChecksumAlgorithm::Sha512,
    ];

    /// The algorithm botocore uses when a checksum is required or wanted and none was chosen.
    pub const DEFAULT: ChecksumAlgorithm = ChecksumAlgorithm::Crc32;

    /// The model's name: `"CRC32"`, `"CRC32C"`, `"CRC64NVME"`, `"SHA1"`, `"SHA256"`, ...
    pub fn name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
            ChecksumAlgorithm::Sha512 => "SHA512",
            ChecksumAlgorithm::XxHash64 => "XXHASH64",
            ChecksumAlgorithm::XxHash3 => "XXHASH3",
            ChecksumAlgorithm::XxHash128 => "XXHASH128",
        }
    }

    /// The header carrying the value: `"x-amz-checksum-crc32"`, ...
    pub const fn header_name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            ChecksumAlgorithm::Sha1 => "x-amz-checksum-sha1",
            ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
            ChecksumAlgorithm::Sha512 => "x-amz-checksum-sha512",
            ChecksumAlgorithm::XxHash64 => "x-amz-checksum-xxhash64",
            ChecksumAlgorithm::XxHash3 => "x-amz-checksum-xxhash3",
            ChecksumAlgorithm::XxHash128 => "x-amz-checksum-xxhash128",
        }
    }

    /// [`header_name`](Self::header_name) as a `HeaderName` made at compile time: a name given
    /// to a header map as `&str` is parsed again on every use.
    pub(crate) fn http_header(self) -> http::HeaderName {
        const fn name(algorithm: ChecksumAlgorithm) -> http::HeaderName {
            http::HeaderName::from_static(algorithm.header_name())
        }
        use ChecksumAlgorithm::*;
        // In declaration order, which `self as usize` indexes; a static, so the array is not
        // built for each call.
        static NAMES: [http::HeaderName; 9] = [
            name(Crc32),
            name(Crc32c),
            name(Crc64Nvme),
            name(Sha1),
            name(Sha256),
            name(Sha512),
            name(XxHash64),
            name(XxHash3),
            name(XxHash128),
        ];
        NAMES[self as usize].clone()
    }

    /// Digest size in bytes.
    pub fn output_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme
            | ChecksumAlgorithm::XxHash64
            | ChecksumAlgorithm::XxHash3 => 8,
            ChecksumAlgorithm::XxHash128 => 16,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
            ChecksumAlgorithm::Sha512 => 64,
        }
    }

    /// Length of the base64 form of a digest (with padding).
    pub fn base64_len(self) -> usize {
        base64_len(self.output_len())
    }

    /// A fresh incremental hasher.
    pub fn hasher(self) -> Checksum {
        Checksum::new(self)
    }
}

impl fmt::Display for ChecksumAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A checksum algorithm name that is not supported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported checksum algorithm: {0:?}")]
pub struct UnknownChecksumAlgorithm(pub String);

impl FromStr for ChecksumAlgorithm {
    type Err = UnknownChecksumAlgorithm;

    /// Parses a model name, ignoring ASCII case as botocore does (it lowercases the user's value).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        const ALL: [ChecksumAlgorithm; 9] = ChecksumAlgorithm::RESPONSE_PRIORITY;
        ALL.into_iter()
            .find(|alg| alg.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| UnknownChecksumAlgorithm(name.to_owned()))
    }
}

/// Base64 length (padded) of `n` bytes.
fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

/// A finished digest, held inline (at most 64 bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ChecksumValue {
    bytes: [u8; 64],
    len: u8,
}

impl ChecksumValue {
    /// A digest from its bytes (at most 64 are kept).
    pub(crate) fn new(digest: &[u8]) -> Self {
        let mut bytes = [0u8; 64];
        let len = digest.len().min(64);
        bytes[..len].copy_from_slice(&digest[..len]);
        ChecksumValue {
            bytes,
            len: len as u8,
        }
    }

    /// A digest as a service sends it: base64 of its bytes (`None` when it is not base64).
    pub fn from_base64(text: &str) -> Option<Self> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?;
        (bytes.len() <= 64).then(|| ChecksumValue::new(&bytes))
    }

    /// The digest bytes (big-endian for the CRCs and xxhashes).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The digest as the header value: standard base64 with padding.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.as_bytes())
    }

    /// Append [`to_base64`](Self::to_base64)'s text to `out`, written on the stack first
    /// rather than into a `String` of its own (an aws-chunked body's trailer, once per call).
    pub(crate) fn extend_base64(&self, out: &mut Vec<u8>) {
        // At most 64 bytes: 88 characters of base64, so the encoding always fits.
        let mut text = [0u8; 88];
        let len = base64::engine::general_purpose::STANDARD
            .encode_slice(self.as_bytes(), &mut text)
            .unwrap_or_default();
        out.extend_from_slice(&text[..len]);
    }

    /// The digest bytes as `Bytes`.
    pub fn to_bytes(&self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
    }
}

impl AsRef<[u8]> for ChecksumValue {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for ChecksumValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChecksumValue({})", self.to_base64())
    }
}

/// An incremental hasher for one algorithm (or MD5 for `Content-MD5`).
#[derive(Clone)]
pub struct Checksum {
    state: State,
}

#[derive(Clone)]
enum State {
    Crc32(crc32fast::Hasher),
    Crc32c(u32),
    Crc64Nvme(crc64fast_nvme::Digest),
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
    XxHash64(xxhash_rust::xxh64::Xxh64),
    // Boxed: the XXH3 state is over 500 bytes.
    XxHash3(Box<xxhash_rust::xxh3::Xxh3>),
    XxHash128(Box<xxhash_rust::xxh3::Xxh3>),
    Md5(md5::Md5),
}

impl Checksum {
    /// A fresh hasher for `algorithm`.
    pub fn new(algorithm: ChecksumAlgorithm) -> Self {
        let state = match algorithm {
            ChecksumAlgorithm::Crc32 => State::Crc32(crc32fast::Hasher::new()),
            ChecksumAlgorithm::Crc32c => State::Crc32c(0),
            ChecksumAlgorithm::Crc64Nvme => State::Crc64Nvme(crc64fast_nvme::Digest::new()),
            ChecksumAlgorithm::Sha1 => State::Sha1(sha1::Sha1::new()),
            ChecksumAlgorithm::Sha256 => State::Sha256(sha2::Sha256::new()),
            ChecksumAlgorithm::Sha512 => State::Sha512(sha2::Sha512::new()),
            ChecksumAlgorithm::XxHash64 => State::XxHash64(xxhash_rust::xxh64::Xxh64::new(0)),
            ChecksumAlgorithm::XxHash3 => State::XxHash3(Box::default()),
            ChecksumAlgorithm::XxHash128 => State::XxHash128(Box::default()),
        };
        Checksum { state }
    }

    /// A fresh MD5 hasher, for `Content-MD5`.
    pub fn md5() -> Self {
        Checksum {
            state: State::Md5(md5::Md5::new()),
        }
    }

    /// The flexible-checksum algorithm, `None` for MD5.
    pub fn algorithm(&self) -> Option<ChecksumAlgorithm> {
        Some(match self.state {
            State::Crc32(_) => ChecksumAlgorithm::Crc32,
            State::Crc32c(_) => ChecksumAlgorithm::Crc32c,
            State::Crc64Nvme(_) => ChecksumAlgorithm::Crc64Nvme,
            State::Sha1(_) => ChecksumAlgorithm::Sha1,
            State::Sha256(_) => ChecksumAlgorithm::Sha256,
            State::Sha512(_) => ChecksumAlgorithm::Sha512,
            State::XxHash64(_) => ChecksumAlgorithm::XxHash64,
            State::XxHash3(_) => ChecksumAlgorithm::XxHash3,
            State::XxHash128(_) => ChecksumAlgorithm::XxHash128,
            State::Md5(_) => return None,
        })
    }

    /// Feeds more bytes.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            State::Crc32(h) => h.update(data),
            State::Crc32c(crc) => *crc = crc32c::crc32c_append(*crc, data),
            State::Crc64Nvme(h) => h.write(data),
            State::Sha1(h) => h.update(data),
            State::Sha256(h) => h.update(data),
            State::Sha512(h) => h.update(data),
            State::XxHash64(h) => h.update(data),
            State::XxHash3(h) | State::XxHash128(h) => h.update(data),
            State::Md5(h) => h.update(data),
        }
    }

    /// The digest of everything fed so far.
    pub fn finalize(self) -> ChecksumValue {
        match self.state {
            State::Crc32(h) => ChecksumValue::new(&h.finalize().to_be_bytes()),
            State::Crc32c(crc) => ChecksumValue::new(&crc.to_be_bytes()),
            State::Crc64Nvme(h) => ChecksumValue::new(&h.sum64().to_be_bytes()),
            State::Sha1(h) => ChecksumValue::new(&h.finalize()),
            State::Sha256(h) => ChecksumValue::new(&h.finalize()),
            State::Sha512(h) => ChecksumValue::new(&h.finalize()),
            State::XxHash64(h) => ChecksumValue::new(&h.digest().to_be_bytes()),
            State::XxHash3(h) => ChecksumValue::new(&h.digest().to_be_bytes()),
            State::XxHash128(h) => ChecksumValue::new(&h.digest128().to_be_bytes()),
            State::Md5(h) => ChecksumValue::new(&h.finalize()),
        }
    }
}

impl fmt::Debug for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.algorithm() {
            Some(algorithm) => write!(f, "Checksum({algorithm})"),
            None => f.write_str("Checksum(MD5)"),
        }
    }
}

/// One-shot digest of `data`.
pub fn checksum(algorithm: ChecksumAlgorithm, data: &[u8]) -> ChecksumValue {
    let mut hasher = Checksum::new(algorithm);
    hasher.update(data);
    hasher.finalize()
}

/// The `Content-MD5` header value for `data`: base64 of its MD5 digest.
#[allow(dead_code)] // only `apply_content_md5` (not wired yet) and the tests use it
pub(crate) fn content_md5(data: &[u8]) -> String {
    let mut hasher = Checksum::md5();
    hasher.update(data);
    hasher.finalize().to_base64()
}

/// The bytes that end every chunk's data in `aws-chunked` framing.
pub(crate) const CHUNK_END: &[u8] = b"\r\n";

/// botocore's chunk size for `aws-chunked` bodies (1 MiB).
pub(crate) const DEFAULT_CHUNK_SIZE: usize = 1024 * 1024;

/// The head of one chunk (of `aws-chunked` framing, and of HTTP/1.1's chunked transfer coding,
/// whose chunk-size syntax is the same): the data length in lowercase hex and CRLF, held inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkHead {
    bytes: [u8; 18],
    len: u8,
}

impl ChunkHead {
    /// No head at all: what precedes the data of a body framed by its length.
    pub(crate) const NONE: ChunkHead = ChunkHead {
        bytes: [0; 18],
        len: 0,
    };

    pub(crate) fn new(data_len: usize) -> Self {
        let mut bytes = [0u8; 18];
        let mut digits = 0;
        let mut rest = data_len as u64;
        // Write hex digits right-aligned in a scratch buffer, then move them to the front.
        let mut scratch = [0u8; 16];
        loop {
            digits += 1;
            scratch[16 - digits] = crate::encoding::HEX_LOWER[(rest & 0xf) as usize];
            rest >>= 4;
            if rest == 0 {
                break;
            }
        }
        bytes[..digits].copy_from_slice(&scratch[16 - digits..]);
        bytes[digits..digits + 2].copy_from_slice(CHUNK_END);
        ChunkHead {
            bytes,
            len: (digits + 2) as u8,
        }
    }

    /// The head bytes, e.g. `b"400\r\n"` for 1024 bytes of data.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// Sans-IO `aws-chunked` encoder (`Content-Encoding: aws-chunked`) as botocore frames it: each
/// chunk is `hex(len)\r\n` data `\r\n`; the body ends with `0\r\n`, then the trailer
/// `x-amz-checksum-<alg>:<base64>\r\n` when a checksum is carried, then `\r\n`.
///
/// Transports that keep data in `Bytes` can avoid copying it: send [`chunk_head`], the data, and
/// `CHUNK_END`; [`encode_chunk`] is the copying convenience.
///
/// [`chunk_head`]: AwsChunkedEncoder::chunk_head
/// [`encode_chunk`]: AwsChunkedEncoder::encode_chunk
#[derive(Debug, Clone)]
pub struct AwsChunkedEncoder {
    checksum: Option<Checksum>,
}

impl AwsChunkedEncoder {
    /// An encoder; `trailer` is the algorithm whose checksum is sent as a trailer, if any.
    pub fn new(trailer: Option<ChecksumAlgorithm>) -> Self {
        AwsChunkedEncoder {
            checksum: trailer.map(Checksum::new),
        }
    }

    /// The trailer header name (`x-amz-checksum-crc32`, ...) that goes in `X-Amz-Trailer`.
    pub fn trailer_name(&self) -> Option<&'static str> {
        self.checksum
            .as_ref()
            .and_then(Checksum::algorithm)
            .map(ChecksumAlgorithm::header_name)
    }

    /// Hashes `data` and returns the head to send before it. `data` must not be empty: an empty
    /// chunk is the end of the body, which only [`finish`](AwsChunkedEncoder::finish) writes.
    pub fn chunk_head(&mut self, data: &[u8]) -> ChunkHead {
        self.hash(data);
        ChunkHead::new(data.len())
    }

    /// Hashes `data`, a piece of a chunk whose head ([`ChunkHead`] of the whole chunk's length)
    /// went out before it: for framing that streams a chunk's data through as it is read.
    pub(crate) fn hash(&mut self, data: &[u8]) {
        if let Some(checksum) = &mut self.checksum {
            checksum.update(data);
        }
    }

    /// Appends the whole framed chunk for `data` to `out`. Empty `data` writes nothing.
    pub fn encode_chunk(&mut self, data: &[u8], out: &mut Vec<u8>) {
        if data.is_empty() {
            return;
        }
        let head = self.chunk_head(data);
        out.reserve(head.as_bytes().len() + data.len() + CHUNK_END.len());
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(data);
        out.extend_from_slice(CHUNK_END);
    }

    /// Appends the final chunk and the trailer to `out`.
    pub fn finish_into(self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"0\r\n");
        if let Some(checksum) = self.checksum {
            if let Some(algorithm) = checksum.algorithm() {
                out.extend_from_slice(algorithm.header_name().as_bytes());
                out.push(b':');
                checksum.finalize().extend_base64(out);
                out.extend_from_slice(CHUNK_END);
            }
        }
        out.extend_from_slice(CHUNK_END);
    }

    /// The final chunk and the trailer.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        self.finish_into(&mut out);
        out
    }
}

/// Frames a stream that arrives in pieces of any size into `aws-chunked` chunks of
/// `chunk_size` bytes (the last one shorter), as botocore reads a body: push each piece, send
/// what comes back, call [`finish`](Self::finish) at the end of the stream. Every transport
/// wraps its own stream type around this one piece of logic.
#[derive(Debug, Clone)]
pub struct AwsChunkedFramer {
    encoder: Option<AwsChunkedEncoder>,
    pending: Vec<u8>,
    chunk_size: usize,
}

impl AwsChunkedFramer {
    /// A framer with an optional checksum trailer.
    pub fn new(trailer: Option<ChecksumAlgorithm>, chunk_size: usize) -> Self {
        AwsChunkedFramer {
            encoder: Some(AwsChunkedEncoder::new(trailer)),
            pending: Vec::new(),
            chunk_size: chunk_size.max(1),
        }
    }

    /// Feed a piece of the stream; returns the framed bytes of every chunk it completed
    /// (empty while a chunk is still filling).
    pub fn push(&mut self, mut data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let Some(encoder) = &mut self.encoder else {
            return out;
        };
        while !data.is_empty() {
            let room = self.chunk_size - self.pending.len();
            let take = room.min(data.len());
            if self.pending.is_empty() && take == self.chunk_size {
                // A whole chunk straight from the input: no copy into `pending`.
                encoder.encode_chunk(&data[..take], &mut out);
            } else {
                self.pending.extend_from_slice(&data[..take]);
                if self.pending.len() == self.chunk_size {
                    encoder.encode_chunk(&self.pending, &mut out);
                    self.pending.clear();
                }
            }
            data = &data[take..];
        }
        out
    }

    /// The end of the stream: the last partial chunk, the final chunk and the trailer. Later
    /// calls return nothing.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(mut encoder) = self.encoder.take() {
            encoder.encode_chunk(&self.pending, &mut out);
            self.pending.clear();
            encoder.finish_into(&mut out);
        }
        out
    }

    /// True once [`finish`](Self::finish) was called.
    pub fn is_finished(&self) -> bool {
        self.encoder.is_none()
    }
}

/// The encoded length of a `body_len`-byte body framed with `chunk_size`-byte chunks (the last
/// one shorter) and an optional checksum trailer: the `Content-Length` to send, while
/// `X-Amz-Decoded-Content-Length` is `body_len`. `None` when `chunk_size` is 0 or the length
/// overflows `u64`.
pub(crate) fn aws_chunked_encoded_length(
    body_len: u64,
    chunk_size: u64,
    trailer: Option<ChecksumAlgorithm>,
) -> Option<u64> {
    fn framed(data_len: u64) -> Option<u64> {
        let hex_digits = u64::from((64 - data_len.leading_zeros()).div_ceil(4).max(1));
        hex_digits.checked_add(4)?.checked_add(data_len)
    }
    if chunk_size == 0 {
        return None;
    }
    let full_chunks = body_len / chunk_size;
    let last = body_len % chunk_size;
    let mut total = full_chunks.checked_mul(framed(chunk_size)?)?;
    if last > 0 {
        total = total.checked_add(framed(last)?)?;
    }
    // "0\r\n" ... "\r\n"
    total = total.checked_add(5)?;
    if let Some(algorithm) = trailer {
        // name ":" base64 "\r\n"
        let trailer_len = algorithm.header_name().len() + 1 + algorithm.base64_len() + 2;
        total = total.checked_add(trailer_len as u64)?;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_algorithm_has_its_own_header_constant() {
        for algorithm in ChecksumAlgorithm::RESPONSE_PRIORITY {
            assert_eq!(algorithm.http_header().as_str(), algorithm.header_name());
        }
    }

    // Expected values computed independently with Python 3.11: zlib.crc32, hashlib (sha1, sha256,
    // sha512, md5), the PyPI `xxhash` package (xxh64, xxh3_64, xxh3_128 `.digest()`), and a
    // bitwise reflected CRC (CRC-32C poly 0x82F63B78; CRC-64/NVME poly 0x9A6C9329AC4BC9B5; both
    // init and xorout all ones) checked against the catalogue's "123456789" check values
    // 0xE3069283 and 0xAE8B14860A799888. Digests are base64 of the big-endian bytes.
    const HELLO_WORLD: [(ChecksumAlgorithm, &str); 9] = [
        (ChecksumAlgorithm::Crc32, "i9aeUg=="),
        (ChecksumAlgorithm::Crc32c, "crUfeA=="),
        (ChecksumAlgorithm::Crc64Nvme, "OOJZ0D8xKts="),
        (ChecksumAlgorithm::Sha1, "e1AsOh9IyGCa4hLN+2Od7jlnP14="),
        (ChecksumAlgorithm::Sha256, "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw="),
        (
            ChecksumAlgorithm::Sha512,
            "t/eDuu2Cl/DbkXRiGE/08I5pwtXl95qUJgD5cl9Yzh8pwYE5v4CwbA//K900c4RS7PQMSIwip+PYDN9vnBwNRw==",
        ),
        (ChecksumAlgorithm::XxHash64, "xQCwyRKzdtg="),
        (ChecksumAlgorithm::XxHash3, "tqy52Eo4/3Q="),
        (ChecksumAlgorithm::XxHash128, "c1H4mBL5c4K5HQWzHgTdfw=="),
    ];

    const CHECK_123456789: [(ChecksumAlgorithm, &str); 9] = [
        (ChecksumAlgorithm::Crc32, "y/Q5Jg=="),
        (ChecksumAlgorithm::Crc32c, "4waSgw=="),
        (ChecksumAlgorithm::Crc64Nvme, "rosUhgp5mIg="),
        (ChecksumAlgorithm::Sha1, "98O8HYCOBHMq32eZZczDTKeuNEE="),
        (ChecksumAlgorithm::Sha256, "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU="),
        (
            ChecksumAlgorithm::Sha512,
            "2eZ2LdHI6vbWGzxhkvxAjU1tXxF20MKRabwk5xw/J0rSf81YEbMT1oH35V7ALXPUmclUVba1u1A6z1dPuo/+hQ==",
        ),
        (ChecksumAlgorithm::XxHash64, "jLhB20DmroM="),
        (ChecksumAlgorithm::XxHash3, "ctyxi2ehff8="),
        (ChecksumAlgorithm::XxHash128, "MxGUd+3l3NXpcWQnaB1YYA=="),
    ];

    const EMPTY: [(ChecksumAlgorithm, &str); 9] = [
        (ChecksumAlgorithm::Crc32, "AAAAAA=="),
        (ChecksumAlgorithm::Crc32c, "AAAAAA=="),
        (ChecksumAlgorithm::Crc64Nvme, "AAAAAAAAAAA="),
        (ChecksumAlgorithm::Sha1, "2jmj7l5rSw0yVb/vlWAYkK/YBwk="),
        (ChecksumAlgorithm::Sha256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
        (
            ChecksumAlgorithm::Sha512,
            "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
        ),
        (ChecksumAlgorithm::XxHash64, "70bbN1HY6Zk="),
        (ChecksumAlgorithm::XxHash3, "LQaABTjTlMI="),
        (ChecksumAlgorithm::XxHash128, "maoG0wFHmNhgAcMkRo1Jfw=="),
    ];

    #[test]
    fn known_vectors() {
        for (data, vectors) in [
            (&b"Hello world"[..], &HELLO_WORLD),
            (b"123456789", &CHECK_123456789),
            (b"", &EMPTY),
        ] {
            for (algorithm, expected) in vectors {
                let value = checksum(*algorithm, data);
                assert_eq!(value.to_base64(), *expected, "{algorithm} of {data:?}");
                let mut appended = b"x".to_vec();
                value.extend_base64(&mut appended);
                assert_eq!(appended[1..], *expected.as_bytes(), "{algorithm} appended");
                assert_eq!(value.as_bytes().len(), algorithm.output_len());
                assert_eq!(expected.len(), algorithm.base64_len());
            }
        }
    }

    #[test]
    fn incremental_matches_one_shot() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 31 % 251) as u8).collect();
        for algorithm in ChecksumAlgorithm::RESPONSE_PRIORITY {
            let mut hasher = algorithm.hasher();
            for piece in data.chunks(977) {
                hasher.update(piece);
            }
            assert_eq!(hasher.finalize(), checksum(algorithm, &data), "{algorithm}");
        }
    }

    #[test]
    fn content_md5_vectors() {
        // Python: base64.b64encode(hashlib.md5(b"Hello world").digest())
        assert_eq!(content_md5(b"Hello world"), "PiWWCnnbxptnTNTsZ6csYg==");
        assert_eq!(content_md5(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    }

    #[test]
    fn names_parse_case_insensitively() {
        for algorithm in ChecksumAlgorithm::RESPONSE_PRIORITY {
            assert_eq!(algorithm.name().parse(), Ok(algorithm));
            assert_eq!(algorithm.name().to_lowercase().parse(), Ok(algorithm));
            assert_eq!(
                algorithm.header_name(),
                format!("x-amz-checksum-{}", algorithm.name().to_lowercase())
            );
        }
        assert_eq!(
            "MD5".parse::<ChecksumAlgorithm>(),
            Err(UnknownChecksumAlgorithm("MD5".into()))
        );
        assert!("crc16".parse::<ChecksumAlgorithm>().is_err());
    }

    #[test]
    fn aws_chunked_frames_like_botocore() {
        let mut encoder = AwsChunkedEncoder::new(Some(ChecksumAlgorithm::Crc32));
        assert_eq!(encoder.trailer_name(), Some("x-amz-checksum-crc32"));
        let mut out = Vec::new();
        encoder.encode_chunk(b"Hello ", &mut out);
        encoder.encode_chunk(b"", &mut out);
        encoder.encode_chunk(b"world", &mut out);
        encoder.finish_into(&mut out);
        assert_eq!(
            out,
            b"6\r\nHello \r\n5\r\nworld\r\n0\r\nx-amz-checksum-crc32:i9aeUg==\r\n\r\n"
        );
        assert_eq!(AwsChunkedEncoder::new(None).finish(), b"0\r\n\r\n");
    }

    #[test]
    fn chunk_heads_are_lowercase_hex() {
        assert_eq!(ChunkHead::new(1).as_bytes(), b"1\r\n");
        assert_eq!(ChunkHead::new(1024 * 1024).as_bytes(), b"100000\r\n");
        assert_eq!(ChunkHead::new(0xabc).as_bytes(), b"abc\r\n");
        assert_eq!(
            ChunkHead::new(usize::MAX).as_bytes().len(),
            usize::BITS as usize / 4 + 2
        );
    }

    #[test]
    fn encoded_length_matches_actual_encoding() {
        for (body_len, chunk_size) in [(0usize, 4usize), (1, 4), (4, 4), (5, 4), (17, 16), (300, 7)]
        {
            for trailer in [
                None,
                Some(ChecksumAlgorithm::Crc32),
                Some(ChecksumAlgorithm::Sha256),
            ] {
                let body = vec![b'x'; body_len];
                let mut encoder = AwsChunkedEncoder::new(trailer);
                let mut out = Vec::new();
                for piece in body.chunks(chunk_size) {
                    encoder.encode_chunk(piece, &mut out);
                }
                encoder.finish_into(&mut out);
                assert_eq!(
                    aws_chunked_encoded_length(body_len as u64, chunk_size as u64, trailer),
                    Some(out.len() as u64),
                    "body {body_len}, chunk {chunk_size}, trailer {trailer:?}"
                );
            }
        }
        // 1 MiB chunks, 3.5 MiB body, CRC32 trailer:
        // 3 * (6 + 2 + 1048576 + 2) + (5 + 2 + 524288 + 2) + 5 + (20 + 1 + 8 + 2)
        assert_eq!(
            aws_chunked_encoded_length(
                3 * 1048576 + 524288,
                1048576,
                Some(ChecksumAlgorithm::Crc32)
            ),
            Some(3 * 1048586 + 524297 + 5 + 31)
        );
        assert_eq!(aws_chunked_encoded_length(10, 0, None), None);
        assert_eq!(aws_chunked_encoded_length(u64::MAX, 1, None), None);
    }

    #[test]
    fn framer_matches_the_encoder_whatever_the_piece_sizes() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let mut expected = Vec::new();
        let mut encoder = AwsChunkedEncoder::new(Some(ChecksumAlgorithm::Crc32));
        for chunk in data.chunks(4096) {
            encoder.encode_chunk(chunk, &mut expected);
        }
        encoder.finish_into(&mut expected);
        for piece in [1, 7, 4096, 5000, 10_000] {
            let mut framer = AwsChunkedFramer::new(Some(ChecksumAlgorithm::Crc32), 4096);
            let mut got = Vec::new();
            for p in data.chunks(piece) {
                got.extend(framer.push(p));
            }
            got.extend(framer.finish());
            assert_eq!(got, expected, "pieces of {piece}");
            assert!(framer.finish().is_empty() && framer.is_finished());
        }
    }
}
