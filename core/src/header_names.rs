//! The header names the core sets or reads on every call, as [`HeaderName`] constants.
//!
//! A name given to a `HeaderMap` as `&str` is parsed again each time (checked, lower-cased,
//! looked up among the standard names), and that showed in the per-call profile of the public
//! path (#18: about 3 % of a GetItem). A constant is built at compile time. Names the `http`
//! crate already has (`content-length`, `authorization`) come from `http::header`; names that
//! are also compared as text (SigV4's canonical headers) are built from that text's constant.

use http::HeaderName;

use crate::auth::sigv4;

/// The call's id, the same on every attempt.
pub(crate) const AMZ_SDK_INVOCATION_ID: HeaderName =
    HeaderName::from_static("amz-sdk-invocation-id");
/// `attempt=N; max=M`, with `ttl=…` on a retry.
pub(crate) const AMZ_SDK_REQUEST: HeaderName = HeaderName::from_static("amz-sdk-request");
/// The JSON protocol's `Service.Operation`.
pub(crate) const X_AMZ_TARGET: HeaderName = HeaderName::from_static("x-amz-target");
/// A throttled answer's hint of how long to wait.
pub(crate) const X_AMZ_RETRY_AFTER: HeaderName = HeaderName::from_static("x-amz-retry-after");
/// DynamoDB's CRC32 of the response body.
pub(crate) const X_AMZ_CRC32: HeaderName = HeaderName::from_static(crate::retry::crc32::HEADER);
/// SigV4's signing time.
pub(crate) const X_AMZ_DATE: HeaderName = HeaderName::from_static(sigv4::X_AMZ_DATE);
/// A temporary credential's session token.
pub(crate) const X_AMZ_SECURITY_TOKEN: HeaderName =
    HeaderName::from_static(sigv4::X_AMZ_SECURITY_TOKEN);
/// The payload's SHA-256 (or `UNSIGNED-PAYLOAD`, or a streaming marker).
pub(crate) const X_AMZ_CONTENT_SHA256: HeaderName =
    HeaderName::from_static(sigv4::X_AMZ_CONTENT_SHA256);
/// SigV4a's region set.
pub(crate) const X_AMZ_REGION_SET: HeaderName = HeaderName::from_static(sigv4::X_AMZ_REGION_SET);
/// The checksum header an `aws-chunked` body carries in its trailer.
pub(crate) const X_AMZ_TRAILER: HeaderName = HeaderName::from_static("x-amz-trailer");
/// An `aws-chunked` body's length before encoding.
pub(crate) const X_AMZ_DECODED_CONTENT_LENGTH: HeaderName =
    HeaderName::from_static("x-amz-decoded-content-length");
/// The request id most services answer with (`ResponseMetadata.RequestId`).
pub(crate) const X_AMZN_REQUESTID: HeaderName = HeaderName::from_static("x-amzn-requestid");
/// S3's (and the query protocol's) request id.
pub(crate) const X_AMZ_REQUEST_ID: HeaderName = HeaderName::from_static("x-amz-request-id");
/// S3's extended request id (`ResponseMetadata.HostId`).
pub(crate) const X_AMZ_ID_2: HeaderName = HeaderName::from_static("x-amz-id-2");
/// The body's MD5, base64.
pub(crate) const CONTENT_MD5: HeaderName = HeaderName::from_static("content-md5");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_the_names_parsed_at_run_time() {
        for name in [
            AMZ_SDK_INVOCATION_ID,
            AMZ_SDK_REQUEST,
            X_AMZ_TARGET,
            X_AMZ_RETRY_AFTER,
            X_AMZ_CRC32,
            X_AMZ_DATE,
            X_AMZ_SECURITY_TOKEN,
            X_AMZ_CONTENT_SHA256,
            X_AMZ_REGION_SET,
            X_AMZ_TRAILER,
            X_AMZ_DECODED_CONTENT_LENGTH,
            CONTENT_MD5,
            X_AMZN_REQUESTID,
            X_AMZ_REQUEST_ID,
            X_AMZ_ID_2,
        ] {
            let parsed = HeaderName::from_bytes(name.as_str().as_bytes()).unwrap();
            assert_eq!(parsed, name);
            // Equal names hash alike: a map filled by the parsed name finds the constant.
            let mut map = http::HeaderMap::new();
            map.insert(parsed, http::HeaderValue::from_static("v"));
            assert!(map.contains_key(&name), "{name}");
        }
    }
}
