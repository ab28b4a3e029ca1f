//! The digest of a replayable request body, taken before the request is signed: the SHA-256 a
//! signature over the payload needs, and the flexible checksum that goes in a header on plain
//! HTTP. botocore reads a seekable body once to hash it and rewinds it to send it; here the core
//! says what to compute ([`BodyDigest`]), the transport feeds it the body's bytes
//! ([`Host::scan_body`](crate::runtime::Host::scan_body)) and the call signs with the
//! result, so a file (or seekable) upload is hashed in one pass and streamed in a second, in
//! constant memory.

use crate::body::StreamingBody;
use crate::checksum::{Checksum, ChecksumAlgorithm, ChecksumValue};

/// What to compute over a body, fed by the transport chunk by chunk.
pub struct BodyDigest {
    body: StreamingBody,
    sha256: Option<Checksum>,
    checksum: Option<Checksum>,
    fed: u64,
}

/// A finished [`BodyDigest`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyDigestValue {
    /// The hex SHA-256, when asked for (the payload hash to sign).
    pub sha256_hex: Option<String>,
    /// The flexible checksum, when asked for.
    pub checksum: Option<(ChecksumAlgorithm, ChecksumValue)>,
}

impl BodyDigest {
    /// A digest of `body`: its SHA-256 when `sha256`, and `checksum` when given.
    pub fn new(body: StreamingBody, sha256: bool, checksum: Option<ChecksumAlgorithm>) -> Self {
        BodyDigest {
            body,
            sha256: sha256.then(|| Checksum::new(ChecksumAlgorithm::Sha256)),
            checksum: checksum.map(Checksum::new),
            fed: 0,
        }
    }

    /// The body to read (a replayable one: the transport reads it without using it up).
    pub fn body(&self) -> &StreamingBody {
        &self.body
    }

    /// Feed the next bytes of the body.
    pub fn update(&mut self, chunk: &[u8]) {
        if let Some(h) = &mut self.sha256 {
            h.update(chunk);
        }
        if let Some(h) = &mut self.checksum {
            h.update(chunk);
        }
        self.fed += chunk.len() as u64;
    }

    /// The digests, or `None` when the bytes fed are not the body's declared length (the file
    /// or reader holds fewer or more bytes than declared): signing with them would only be
    /// refused.
    pub fn finish(self) -> Option<BodyDigestValue> {
        if self.body.len().is_some_and(|len| len != self.fed) {
            return None;
        }
        let checksum = self
            .checksum
            .and_then(|h| Some((h.algorithm()?, h.finalize())));
        Some(BodyDigestValue {
            sha256_hex: self.sha256.map(|h| {
                let mut hex = String::with_capacity(64);
                crate::encoding::push_hex(&mut hex, h.finalize().as_bytes());
                hex
            }),
            checksum,
        })
    }

    /// How many bytes were fed.
    pub fn bytes_fed(&self) -> u64 {
        self.fed
    }
}

impl std::fmt::Debug for BodyDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyDigest")
            .field("body", &self.body)
            .field("sha256", &self.sha256.is_some())
            .field("checksum", &self.checksum)
            .field("fed", &self.fed)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::FileRange;

    fn body(len: u64) -> StreamingBody {
        StreamingBody::from_file(FileRange::new("/nonexistent", 0, len))
    }

    #[test]
    fn digests_in_pieces_equal_the_one_shot_ones() {
        let mut d = BodyDigest::new(body(11), true, Some(ChecksumAlgorithm::Crc32));
        d.update(b"hello ");
        d.update(b"world");
        let v = d.finish().unwrap();
        assert_eq!(
            v.sha256_hex.as_deref(),
            Some("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        );
        let (algorithm, value) = v.checksum.unwrap();
        assert_eq!(algorithm, ChecksumAlgorithm::Crc32);
        assert_eq!(
            value,
            crate::checksum::checksum(ChecksumAlgorithm::Crc32, b"hello world")
        );
    }

    #[test]
    fn a_short_read_gives_no_digest() {
        let mut d = BodyDigest::new(body(11), true, None);
        d.update(b"hello");
        assert_eq!(d.bytes_fed(), 5);
        assert!(d.finish().is_none());
    }
}
