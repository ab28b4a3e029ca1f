//! DynamoDB's `x-amz-crc32` response header: the CRC32 of the response body, in decimal.
//! botocore checks it only to decide retries: standard and adaptive modes retry a mismatch
//! (`RetryDDBChecksumError`) and, once the attempts are spent, return the response as it is
//! (with `MaxAttemptsReached`); legacy mode retries it through `_retry.json`'s `crc32body` rule
//! and, after the last attempt, fails with `ChecksumError`.

use http::HeaderMap;

/// The header carrying the checksum.
pub const HEADER: &str = "x-amz-crc32";

/// A response body whose CRC32 is not the one its `x-amz-crc32` header states.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Checksum crc32 failed, expected checksum {expected} did not match calculated checksum {actual}.")]
pub struct Crc32Mismatch {
    /// The header's value, as sent.
    pub expected: String,
    /// The body's CRC32.
    pub actual: u32,
}

/// The mismatch, when `service` is one botocore checks (DynamoDB), the response carries the
/// header and `body` does not match it. A value that is not a number never matches.
pub fn check(service: &str, headers: &HeaderMap, body: &[u8]) -> Option<Crc32Mismatch> {
    if service != "dynamodb" {
        return None;
    }
    let expected = headers.get(crate::header_names::X_AMZ_CRC32)?;
    let actual = crc32fast::hash(body);
    let stated = expected
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok());
    (stated != Some(u64::from(actual))).then(|| Crc32Mismatch {
        expected: String::from_utf8_lossy(expected.as_bytes()).into_owned(),
        actual,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HEADER, value.parse().unwrap());
        h
    }

    #[test]
    fn dynamodb_bodies_are_checked_against_the_header() {
        // zlib.crc32(b'{}') == 2745614147
        assert_eq!(check("dynamodb", &headers("2745614147"), b"{}"), None);
        let wrong = check("dynamodb", &headers("2745614148"), b"{}").unwrap();
        assert_eq!(wrong.actual, 2_745_614_147);
        assert_eq!(
            wrong.to_string(),
            "Checksum crc32 failed, expected checksum 2745614148 did not match calculated \
             checksum 2745614147."
        );
        assert!(check("dynamodb", &headers("not a number"), b"{}").is_some());
        assert_eq!(check("dynamodb", &HeaderMap::new(), b"{}"), None);
        // Only DynamoDB's responses are checked (not DynamoDB Streams', as in botocore).
        assert_eq!(check("dynamodbstreams", &headers("1"), b"{}"), None);
    }
}
