//! What a call's request body allows beyond one sending: whether a retry can send it again, and
//! the digest to take of a replayable stream before signing (its SHA-256 when the signature
//! covers the payload, the flexible checksum that goes in a header on plain HTTP).

use crate::body::Body;
use crate::body_digest::{BodyDigest, BodyDigestValue};
use crate::httpchecksum::AppliedChecksum;

use super::{PreparedRequest, ServiceClient};

impl PreparedRequest {
    /// True when the body can be sent again for a retry: in memory, or a replayable stream (a
    /// file range, a rewindable reader). A one-shot stream is used up by the first attempt.
    pub fn can_replay(&self) -> bool {
        match &self.body {
            Body::Stream(s) => s.is_replayable(),
            Body::Empty | Body::Bytes(_) => true,
        }
    }

    /// Record the digest of the body (see [`ServiceClient::body_digest`]): the payload hash to
    /// sign with, and the checksum header.
    pub fn apply_body_digest(&mut self, digest: BodyDigestValue) {
        if let Some(hex) = digest.sha256_hex {
            self.payload_sha256 = Some(hex);
        }
        if let Some((algorithm, value)) = digest.checksum {
            if let Ok(v) = http::HeaderValue::from_str(&value.to_base64()) {
                self.parts.headers.insert(algorithm.header_name(), v);
                self.checksum = AppliedChecksum::Header;
            }
        }
    }
}

impl ServiceClient {
    /// The digest a call must take of its body before it can be signed as botocore signs it:
    /// `None` unless the body is a replayable stream whose SHA-256 the signature covers (always
    /// on plain HTTP), or whose flexible checksum goes in a header, and that digest is not taken
    /// yet. A one-shot stream is never read ahead: it is signed `UNSIGNED-PAYLOAD`.
    pub fn body_digest(&self, prepared: &PreparedRequest) -> Option<BodyDigest> {
        let Body::Stream(stream) = &prepared.body else {
            return None;
        };
        if !stream.is_replayable() {
            return None;
        }
        let https = prepared.parts.uri.scheme_str() == Some("https");
        let sha256 = !self.config.unsigned
            && prepared.payload_sha256.is_none()
            && prepared.checksum.payload_hash().is_none()
            && prepared.scheme.hashes_payload(https);
        let checksum = match prepared.checksum {
            AppliedChecksum::FromBody(algorithm) => Some(algorithm),
            _ => None,
        };
        (sha256 || checksum.is_some()).then(|| BodyDigest::new(stream.clone(), sha256, checksum))
    }
}
