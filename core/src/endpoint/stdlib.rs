//! The string predicates and transforms of the rules standard library (`substring`,
//! `uriEncode`, `isValidHostLabel`, `aws.isVirtualHostableS3Bucket`), as plain functions.
//!
//! `aws.partition` lives in `partition`, `aws.parseArn` in `arn`, `parseURL` in `url`; the
//! evaluator adapts all of them to rule values.

use super::url::is_ipv4_literal;

/// `substring(value, start, stop, reverse)`: the ASCII slice `[start, stop)`, counted from the end
/// when `reverse`. `None` (botocore's "no value") when `start >= stop`, the string is shorter
/// than `stop` or has non-ASCII characters.
pub fn substring(value: &str, start: usize, stop: usize, reverse: bool) -> Option<&str> {
    if start >= stop || value.len() < stop || !value.is_ascii() {
        return None;
    }
    let (from, to) = if reverse {
        (value.len() - stop, value.len() - start)
    } else {
        (start, stop)
    };
    value.get(from..to)
}

/// `uriEncode`: percent-encodes everything but the RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`), UTF-8 bytes as upper-case `%XX`.
pub fn uri_encode(value: &str) -> String {
    crate::encoding::percent_encode(value, b"")
}

/// `isValidHostLabel`: an RFC 1123 label (1–63 ASCII letters, digits or `-`, not starting or
/// ending with `-`); with `allow_subdomains`, every `.`-separated part must be one.
pub fn is_valid_host_label(value: &str, allow_subdomains: bool) -> bool {
    if allow_subdomains {
        value.split('.').all(is_single_host_label)
    } else {
        is_single_host_label(value)
    }
}

fn is_single_host_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-')
}

/// `aws.isVirtualHostableS3Bucket`: at least 3 characters, no upper case, not shaped like an IPv4
/// address, and a valid host label (each label, with `allow_subdomains`).
pub fn is_virtual_hostable_s3_bucket(value: &str, allow_subdomains: bool) -> bool {
    value.len() >= 3
        && !value.chars().any(char::is_uppercase)
        && !is_ipv4_literal(value)
        && is_valid_host_label(value, allow_subdomains)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_forward_and_reverse() {
        assert_eq!(substring("abcdefg", 0, 4, false), Some("abcd"));
        assert_eq!(substring("abcdefg", 0, 4, true), Some("defg"));
        assert_eq!(substring("abcdefg", 1, 7, false), Some("bcdefg"));
        assert_eq!(substring("abcd", 0, 4, false), Some("abcd"));
        assert_eq!(substring("abcd", 2, 4, true), Some("ab"));
    }

    #[test]
    fn substring_out_of_range_or_non_ascii_is_none() {
        assert_eq!(substring("abc", 0, 4, false), None);
        assert_eq!(substring("abcd", 2, 2, false), None);
        assert_eq!(substring("abcd", 3, 1, false), None);
        assert_eq!(substring("\u{1F600}abcdef", 0, 4, false), None);
        assert_eq!(substring("abcdé", 0, 2, true), None);
        assert_eq!(substring("", 0, 1, false), None);
    }

    #[test]
    fn uri_encode_keeps_only_unreserved() {
        assert_eq!(uri_encode("abc-._~XYZ019"), "abc-._~XYZ019");
        assert_eq!(uri_encode("a/b c"), "a%2Fb%20c");
        assert_eq!(uri_encode("%"), "%25");
        assert_eq!(
            uri_encode("?&=+:@!$'()*,;"),
            "%3F%26%3D%2B%3A%40%21%24%27%28%29%2A%2C%3B"
        );
        assert_eq!(uri_encode("é😀"), "%C3%A9%F0%9F%98%80");
        assert_eq!(uri_encode(""), "");
    }

    #[test]
    fn host_labels() {
        assert!(is_valid_host_label("us-east-1", false));
        assert!(is_valid_host_label("a", false));
        assert!(is_valid_host_label(&"a".repeat(63), false));
        assert!(!is_valid_host_label(&"a".repeat(64), false));
        assert!(!is_valid_host_label("", false));
        assert!(!is_valid_host_label("-abc", false));
        assert!(!is_valid_host_label("abc-", false));
        assert!(!is_valid_host_label("a_b", false));
        assert!(!is_valid_host_label("a.b", false));
        assert!(is_valid_host_label("a.b", true));
        assert!(!is_valid_host_label("a..b", true));
        assert!(!is_valid_host_label("a.-b", true));
        assert!(!is_valid_host_label(".a", true));
    }

    #[test]
    fn virtual_hostable_buckets() {
        assert!(is_virtual_hostable_s3_bucket("mybucket", false));
        assert!(!is_virtual_hostable_s3_bucket("ab", true));
        assert!(is_virtual_hostable_s3_bucket("a.b", true));
        assert!(!is_virtual_hostable_s3_bucket("a.b", false));
        assert!(is_virtual_hostable_s3_bucket(
            "my.great.bucket.aws.com",
            true
        ));
        assert!(!is_virtual_hostable_s3_bucket(
            "mY.GREAT.bucket.aws.com",
            true
        ));
        assert!(!is_virtual_hostable_s3_bucket("192.168.1.1", true));
        assert!(!is_virtual_hostable_s3_bucket("my_bucket", false));
        assert!(!is_virtual_hostable_s3_bucket(&"a".repeat(64), false));
    }
}
