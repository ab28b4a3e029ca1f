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
            && prepared
                .scheme
                .hashes_payload(https, &prepared.parts.headers);
        let checksum = match prepared.checksum {
            AppliedChecksum::FromBody(algorithm) => Some(algorithm),
            _ => None,
        };
        (sha256 || checksum.is_some()).then(|| BodyDigest::new(stream.clone(), sha256, checksum))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use crate::auth::Credentials;
    use crate::body::{Body, FileRange, StreamingBody};
    use crate::checksum::{checksum, ChecksumAlgorithm};
    use crate::client::CallIdentity;
    use crate::customize::test_support::s3_client;
    use crate::error::{Error, TransportError};
    use crate::machine::{SplitMix64, Step};
    use crate::params;

    const DATA: &[u8] = b"the bytes of the file, as the transport reads them";

    fn file_body() -> StreamingBody {
        StreamingBody::from_file(FileRange::new("/data/upload.bin", 100, DATA.len() as u64))
    }

    fn identity() -> CallIdentity {
        CallIdentity::Credentials(Credentials::new("AKID", "SECRET", None, None))
    }

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    fn internal_error() -> http::Response<Body> {
        http::Response::builder()
            .status(500)
            .body(Body::from(
                b"<Error><Code>InternalError</Code><Message>m</Message></Error>".to_vec(),
            ))
            .unwrap()
    }

    #[test]
    fn a_file_body_over_http_is_hashed_then_signed_with_its_digests() {
        let client = s3_client();
        let put = params! {"Bucket": "b", "Key": "k", "Body": file_body()};
        let mut call = client
            .call_at("PutObject", put, identity(), Box::new(SplitMix64(1)), now())
            .unwrap();
        let mut digest = call.body_digest().expect("hashed ahead on plain HTTP");
        assert_eq!(digest.body().file(), file_body().file());
        digest.update(&DATA[..10]);
        digest.update(&DATA[10..]);
        call.handle_body_digest(Ok(digest));
        assert!(call.body_digest().is_none(), "asked once");
        let Step::Send(request) = call.poll(now()) else {
            panic!("the first attempt")
        };
        let sha256 = checksum(ChecksumAlgorithm::Sha256, DATA);
        let mut hex = String::new();
        crate::encoding::push_hex(&mut hex, sha256.as_bytes());
        assert_eq!(request.headers()["x-amz-content-sha256"], hex.as_str());
        assert_eq!(
            request.headers()["x-amz-checksum-crc32"],
            checksum(ChecksumAlgorithm::Crc32, DATA)
                .to_base64()
                .as_str()
        );
        assert!(matches!(request.body(), Body::Stream(s) if s.file().is_some()));

        // A retryable failure: the file is sent again, signed the same way.
        call.handle_response(Ok(internal_error()), now());
        let Step::Sleep(_) = call.poll(now()) else {
            panic!("a backoff before the retry")
        };
        let Step::Send(again) = call.poll(now()) else {
            panic!("the retry")
        };
        assert_eq!(again.headers()["x-amz-content-sha256"], hex.as_str());
        assert!(matches!(again.body(), Body::Stream(s) if s.file().is_some()));
    }

    /// botocore's S3 signer leaves a streaming input's payload unsigned over HTTPS when
    /// `Content-MD5` vouches for it: a replayable file is not read ahead to hash it then, and
    /// is signed `UNSIGNED-PAYLOAD`; without `Content-MD5` (a checksum of the caller's own
    /// only) it is hashed ahead as before.
    #[test]
    fn an_https_upload_with_content_md5_is_not_hashed_ahead() {
        let mut config = crate::client::ClientConfig::default();
        config.endpoint.region = Some("us-east-1".into());
        config.endpoint.endpoint_url = Some("https://127.0.0.1:1".into());
        let client = crate::customize::test_support::s3_client_with(config);
        let put = |md5: bool| {
            let mut p = params! {"Bucket": "b", "Key": "k", "Body": file_body(),
            "ChecksumCRC32": "rfPzYw=="};
            if md5 {
                p.as_map_mut()
                    .unwrap()
                    .insert("ContentMD5".into(), "jdPnYbG1r5PO2rSH2YCKcA==".into());
            }
            client
                .call_at("PutObject", p, identity(), Box::new(SplitMix64(1)), now())
                .unwrap()
        };
        let mut call = put(true);
        assert!(call.body_digest().is_none());
        let Step::Send(request) = call.poll(now()) else {
            panic!("the first attempt")
        };
        assert_eq!(
            request.headers()["x-amz-content-sha256"],
            "UNSIGNED-PAYLOAD"
        );
        assert!(put(false).body_digest().is_some(), "hashed ahead");
    }

    #[test]
    fn a_short_file_or_an_unreadable_one_ends_the_call() {
        let client = s3_client();
        for outcome in [
            None,
            Some(TransportError::new(
                crate::error::TransportErrorKind::Request,
                "gone",
            )),
        ] {
            let put = params! {"Bucket": "b", "Key": "k", "Body": file_body()};
            let mut call = client
                .call_at("PutObject", put, identity(), Box::new(SplitMix64(1)), now())
                .unwrap();
            let mut digest = call.body_digest().unwrap();
            digest.update(&DATA[..5]);
            call.handle_body_digest(match outcome {
                None => Ok(digest),
                Some(e) => Err(e),
            });
            match call.poll(now()) {
                Step::Failed(Error::Transport(e)) => {
                    assert_eq!(e.kind, crate::error::TransportErrorKind::Request)
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_one_shot_stream_is_not_hashed_and_not_retried() {
        let client = s3_client();
        let put = params! {"Bucket": "b", "Key": "k", "Body": StreamingBody::new(0u8, Some(3))};
        let mut call = client
            .call_at("PutObject", put, identity(), Box::new(SplitMix64(1)), now())
            .unwrap();
        assert!(call.body_digest().is_none());
        let Step::Send(request) = call.poll(now()) else {
            panic!("the first attempt")
        };
        assert_eq!(
            request.headers()["x-amz-content-sha256"],
            "UNSIGNED-PAYLOAD"
        );
        call.handle_response(Ok(internal_error()), now());
        match call.poll(now()) {
            Step::Failed(Error::BodyNotReplayable { source }) => {
                assert_eq!(source.code(), Some("InternalError"))
            }
            other => panic!("{other:?}"),
        }
    }
}
