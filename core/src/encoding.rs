//! Percent-encoding and hex, written once for the whole core: SigV4's canonical request, the
//! endpoint rules' `uriEncode`, URL paths, REST labels and query strings, customizations'
//! Python-style `quote`/`unquote`, and the hex digests of signatures, cache keys and checksums.
//!
//! Every encoder here uses one rule, RFC 3986's: unreserved bytes (`A-Z a-z 0-9 - . _ ~`) stay,
//! any other byte of the UTF-8 text becomes `%XY` with upper-case hex, and a caller names the
//! extra bytes it keeps (`/` in paths). That is botocore's `percent_encode`, Python's
//! `quote(safe='-._~' + extra)` and SigV4's `UriEncode`, so all of them are this one function.

use std::borrow::Cow;

/// The lower-case hex digits, by value (also for numbers: aws-chunked sizes).
pub(crate) const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Append the lower-case hex form of `bytes` (digests, signatures).
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    // A block at a time through a buffer (every signature hex-encodes three digests);
    // base16ct hands the digits back as text, so they are not checked as UTF-8 again.
    let mut buf = [0u8; 128];
    for block in bytes.chunks(buf.len() / 2) {
        // The buffer holds a block's digits, so this always succeeds.
        if let Ok(digits) = base16ct::lower::encode_str(block, &mut buf) {
            out.push_str(digits);
        }
    }
}

/// The lower-case hex form of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

/// The bytes `hex` spells, two digits (either case) each; `None` for an odd length or a
/// non-hex digit.
pub(crate) fn hex_decode(hex: &str) -> Option<Vec<u8>> {
    let digits = hex.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    (digits.chunks_exact(2))
        .map(|pair| Some(hex_value(pair[0])? << 4 | hex_value(pair[1])?))
        .collect()
}

/// An RFC 3986 unreserved byte: never percent-encoded.
pub(crate) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Append `input` percent-encoded: unreserved bytes and the bytes of `extra_safe` stay, every
/// other byte becomes `%XY` (upper-case hex).
pub(crate) fn push_percent_encoded(out: &mut String, input: &[u8], extra_safe: &[u8]) {
    out.reserve(input.len());
    for &b in input {
        if is_unreserved(b) || extra_safe.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
        }
    }
}

/// `input` percent-encoded by [`push_percent_encoded`]'s rule.
pub(crate) fn percent_encode(input: &str, extra_safe: &[u8]) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    push_percent_encoded(&mut out, input.as_bytes(), extra_safe);
    out
}

/// [`push_form_encoded`] into a new string.
pub(crate) fn form_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    push_form_encoded(&mut out, input);
    out
}

/// Form encoding as Python's `urlencode` writes a query-protocol body (botocore's): as
/// [`push_percent_encoded`] with nothing extra kept, but a space becomes `+`.
pub(crate) fn push_form_encoded(out: &mut String, input: &str) {
    for (i, part) in input.split(' ').enumerate() {
        if i > 0 {
            out.push('+');
        }
        push_percent_encoded(out, part.as_bytes(), b"");
    }
}

/// The value of one hex digit, either case.
fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Replace `out` with `input` percent-decoded: `%XY` (two hex digits) becomes its byte, a `%`
/// not followed by two hex digits stays literal (as servers and Python's `unquote` keep it), and
/// `+` is a space only when `plus_as_space` (form bodies; in a URI query AWS keeps it `+`).
pub(crate) fn percent_decode_into(out: &mut Vec<u8>, input: &[u8], plus_as_space: bool) {
    out.clear();
    out.reserve(input.len());
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        if plus_as_space && b == b'+' {
            out.push(b' ');
            i += 1;
            continue;
        }
        if b == b'%' {
            if let Some(&[h, l]) = input.get(i + 1..i + 3) {
                if let (Some(h), Some(l)) = (hex_value(h), hex_value(l)) {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(b);
        i += 1;
    }
}

/// Python's `unquote` (`plus = false`) or `unquote_plus` (`plus = true`) by
/// [`percent_decode_into`]'s rule, invalid UTF-8 replaced with U+FFFD; borrowed when there is
/// nothing to decode.
pub(crate) fn percent_decode(input: &str, plus: bool) -> Cow<'_, str> {
    if !(input.contains('%') || plus && input.contains('+')) {
        return Cow::Borrowed(input);
    }
    let mut out = Vec::new();
    percent_decode_into(&mut out, input.as_bytes(), plus);
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex(&[]), "");
        // Every byte value, across more than one block of the buffer.
        let all: Vec<u8> = (0..=255).chain(0..=255).collect();
        let text = hex(&all);
        assert_eq!(text.len(), all.len() * 2);
        assert_eq!(&text[..8], "00010203");
        assert_eq!(&text[502..512], "fbfcfdfeff");
        assert_eq!(hex_decode(&text), Some(all));
    }

    #[test]
    fn hex_decodes_either_case_and_refuses_anything_else() {
        assert_eq!(hex_decode("000fA5ff"), Some(vec![0x00, 0x0f, 0xa5, 0xff]));
        assert_eq!(hex_decode(""), Some(vec![]));
        assert_eq!(hex_decode("abc"), None);
        assert_eq!(hex_decode("0g"), None);
        assert_eq!(hex_decode("+1"), None);
        assert_eq!(hex_decode("é0"), None);
    }

    #[test]
    fn encoding_keeps_unreserved_and_extra_safe_bytes_only() {
        // Python's `quote(s, safe='-._~' + extra)`.
        assert_eq!(percent_encode("a b/c~d+é", b"/"), "a%20b/c~d%2B%C3%A9");
        assert_eq!(percent_encode("a/b", b""), "a%2Fb");
        assert_eq!(percent_encode("aZ09-._~", b""), "aZ09-._~");
        assert_eq!(percent_encode("a b/c+é", b""), "a%20b%2Fc%2B%C3%A9");
        assert_eq!(percent_encode("a b/c", b"/"), "a%20b/c");
        assert_eq!(percent_encode("!*'()", b""), "%21%2A%27%28%29");
    }

    #[test]
    fn form_encoding_writes_spaces_as_plus() {
        // Python's `urlencode` (`quote_plus(s, safe='')`).
        for (text, encoded) in [
            ("My DB security group", "My+DB+security+group"),
            ("  a  ", "++a++"),
            ("a+b c/é~*", "a%2Bb+c%2F%C3%A9~%2A"),
            ("", ""),
        ] {
            let mut out = String::new();
            push_form_encoded(&mut out, text);
            assert_eq!(out, encoded, "{text:?}");
        }
    }

    #[test]
    fn decoding_keeps_invalid_escapes_and_treats_plus_by_context() {
        // Python's `unquote` and `unquote_plus`.
        assert_eq!(percent_decode("a%20b+c", false), "a b+c");
        assert_eq!(percent_decode("a%20b+c", true), "a b c");
        assert_eq!(percent_decode("%zz%C3%A9", false), "%zzé");
        assert_eq!(percent_decode("%FF", false), "\u{FFFD}");
        assert_eq!(percent_decode("a%20b%2fc", false), "a b/c");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("a+b", true), "a b");
        assert_eq!(percent_decode("100%", false), "100%");
        assert_eq!(percent_decode("%zz%4", false), "%zz%4");
        // Only hex digits make an escape (a sign is not a digit, as `u8::from_str_radix` allows).
        assert_eq!(percent_decode("%+1", false), "%+1");
        assert_eq!(percent_decode("%C3%A9%ff", false), "é\u{fffd}");
        assert!(matches!(percent_decode("plain", true), Cow::Borrowed(_)));
        let mut out = vec![1, 2, 3];
        percent_decode_into(&mut out, b"%41%4", false);
        assert_eq!(out, b"A%4");
    }
}
