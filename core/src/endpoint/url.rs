//! `parseURL`: splitting a custom endpoint URL the way botocore does (Python's `urlparse` plus
//! botocore's checks), and the IP-address tests that feed its `isIp` field.

use std::borrow::Cow;

use crate::encoding::push_percent_encoded;

/// A URL as the rules language sees it (`getAttr` names in comments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    /// `scheme`: `http` or `https` (lower-cased).
    pub scheme: String,
    /// `authority`: the raw host part, with any user info and port.
    pub authority: String,
    /// `path`: the raw path, possibly empty.
    pub path: String,
    /// `normalizedPath`: dot segments and empty segments removed, percent-encoded, always ending
    /// in `/`.
    pub normalized_path: String,
    /// `isIp`: whether the host is an IPv4 or (bracketed) IPv6 address.
    pub is_ip: bool,
}

/// Parses an endpoint URL like botocore's `parseURL`: `None` unless the scheme is `http` or
/// `https`, there is no query string, any port is a number in 0..=65535 and any bracketed host
/// is a valid IPv6 address.
pub fn parse_url(value: &str) -> Option<ParsedUrl> {
    let cleaned = clean_url(value);
    let split = split_url(&cleaned)?;
    if split.scheme != "http" && split.scheme != "https" {
        return None;
    }
    if !split.query.is_empty() {
        return None;
    }
    let host = host_info(split.netloc);
    if let Some(port) = host.port {
        let numeric = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
        if !numeric || port.parse::<u32>().map_or(true, |p| p > 65535) {
            return None;
        }
    }
    let path = strip_path_params(split.path);
    let is_ip = host.hostname.is_some_and(|name| {
        is_ipv4_literal(name) || (!has_unsafe_chars(value) && is_ipv6_with_zone(name))
    });
    Some(ParsedUrl {
        scheme: split.scheme.into_owned(),
        authority: split.netloc.to_owned(),
        path: path.to_owned(),
        normalized_path: normalized_path(path),
        is_ip,
    })
}

/// A configured endpoint URL as botocore takes it when it makes a client: `None` where its
/// `is_valid_uri` refuses it (`ValueError: Invalid endpoint`), otherwise the URL without what
/// Python's `urlsplit` ignores before the scheme (C0 controls and spaces), which every later
/// reading of it skips. Refused: a tab, CR or LF anywhere, and a `urlsplit` hostname that is
/// neither dot-separated host labels (letters, digits, `-`; at most 255 bytes, a trailing dot
/// allowed) nor an IPv6 address with an optional zone. So `localhost:4566` (a scheme
/// `localhost`, no host), `h.example.com` and `https://h_example.com` are refused;
/// `https://[::1]:4566` and `http://user@h.example.com.` are taken. Host labels are read as
/// ASCII: the Unicode digits and case folds Python's pattern also lets through are refused.
pub(crate) fn checked_endpoint_url(value: &str) -> Option<&str> {
    if has_unsafe_chars(value) {
        return None;
    }
    let trimmed = value.trim_start_matches(|c: char| c <= ' ');
    let split = split_url(trimmed)?;
    let hostname = host_info(split.netloc).hostname?;
    let labels = hostname.strip_suffix('.').unwrap_or(hostname);
    let host_labels = hostname.len() <= 255 && super::stdlib::is_valid_host_label(labels, true);
    (host_labels || is_ipv6_with_zone(hostname)).then_some(trimmed)
}

/// The five parts `urlsplit` produces (fragment dropped).
struct SplitUrl<'s> {
    scheme: Cow<'s, str>,
    netloc: &'s str,
    path: &'s str,
    query: &'s str,
}

/// Python's `urlsplit` pre-cleaning: leading C0 controls and spaces are dropped, tabs and
/// newlines removed anywhere (Python 3.9+).
fn clean_url(value: &str) -> Cow<'_, str> {
    let trimmed = value.trim_start_matches(|c: char| c <= ' ');
    if has_unsafe_chars(trimmed) {
        Cow::Owned(
            trimmed
                .chars()
                .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
                .collect(),
        )
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// Python's `urlsplit`, for the parts `parseURL` needs; `None` where it raises.
fn split_url(url: &str) -> Option<SplitUrl<'_>> {
    let mut scheme = Cow::Borrowed("");
    let mut rest = url;
    if let Some(colon) = url.find(':') {
        let candidate = &url[..colon];
        let starts_alpha = candidate
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic());
        if starts_alpha
            && candidate
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        {
            scheme = if candidate.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(candidate.to_ascii_lowercase())
            } else {
                Cow::Borrowed(candidate)
            };
            rest = &url[colon + 1..];
        }
    }
    let mut netloc = "";
    if let Some(after_slashes) = rest.strip_prefix("//") {
        let end = after_slashes
            .find(['/', '?', '#'])
            .unwrap_or(after_slashes.len());
        netloc = &after_slashes[..end];
        rest = &after_slashes[end..];
        let open = netloc.contains('[');
        let close = netloc.contains(']');
        if open != close {
            return None;
        }
        if open {
            let bracketed = netloc
                .split_once('[')
                .map(|(_, after)| after.split_once(']').map_or(after, |(inside, _)| inside))
                .unwrap_or("");
            if !is_valid_bracketed_host(bracketed) {
                return None;
            }
        }
    }
    if let Some((before, _fragment)) = rest.split_once('#') {
        rest = before;
    }
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    Some(SplitUrl {
        scheme,
        netloc,
        path,
        query,
    })
}

fn has_unsafe_chars(value: &str) -> bool {
    value.contains(['\t', '\r', '\n'])
}

/// Python's `_check_bracketed_host`: an IPvFuture literal or a real IPv6 address.
fn is_valid_bracketed_host(host: &str) -> bool {
    if let Some(future) = host.strip_prefix('v') {
        return match future.split_once('.') {
            Some((version, rest)) => {
                !version.is_empty()
                    && version.bytes().all(|b| b.is_ascii_hexdigit())
                    && !rest.is_empty()
            }
            None => false,
        };
    }
    // `ipaddress.ip_address`: an optional `%scope` that is non-empty and has no second `%`.
    let (address, scope) = match host.split_once('%') {
        Some((address, scope)) => (address, Some(scope)),
        None => (host, None),
    };
    if scope.is_some_and(|s| s.is_empty() || s.contains('%')) {
        return false;
    }
    is_ipv6_address(address, Ipv4Tail::Strict)
}

/// `hostname` and `port` of a netloc, as Python's `_hostinfo` computes them.
struct HostInfo<'s> {
    hostname: Option<&'s str>,
    port: Option<&'s str>,
}

fn host_info(netloc: &str) -> HostInfo<'_> {
    let host_and_port = netloc.rsplit_once('@').map_or(netloc, |(_, after)| after);
    let (hostname, port) = match host_and_port.split_once('[') {
        Some((_, bracketed)) => {
            let (name, after) = bracketed.split_once(']').unwrap_or((bracketed, ""));
            (name, after.split_once(':').map_or("", |(_, port)| port))
        }
        None => host_and_port.split_once(':').unwrap_or((host_and_port, "")),
    };
    HostInfo {
        hostname: (!hostname.is_empty()).then_some(hostname),
        port: (!port.is_empty()).then_some(port),
    }
}

/// `urlparse` moves `;params` of the last path segment out of the path.
fn strip_path_params(path: &str) -> &str {
    let search_from = path.rfind('/').unwrap_or(0);
    match path[search_from..].find(';') {
        Some(offset) => &path[..search_from + offset],
        None => path,
    }
}

/// botocore's `normalize_url_path` + `quote`, with a trailing `/` ensured.
fn normalized_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 2);
    if path.is_empty() {
        out.push('/');
        return out;
    }
    // RFC 3986 dot-segment removal; empty segments (`//`) are dropped too, as AWS wants.
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut normalized = String::with_capacity(path.len() + 1);
    if path.starts_with('/') {
        normalized.push('/');
    }
    normalized.push_str(&segments.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        normalized.push('/');
    }
    push_percent_encoded(&mut out, normalized.as_bytes(), b"/");
    if !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// botocore's `IPV4_RE`: four dot-separated groups of one to three digits (no range check).
pub(crate) fn is_ipv4_literal(host: &str) -> bool {
    is_ipv4(host, Ipv4Tail::Loose)
}

/// How an embedded IPv4 address is checked: botocore's regex (1–3 digits) or Python's
/// `ipaddress` (0–255, no leading zeros).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ipv4Tail {
    Loose,
    Strict,
}

fn is_ipv4(host: &str, mode: Ipv4Tail) -> bool {
    let mut count = 0;
    for octet in host.split('.') {
        count += 1;
        let digits_ok = (1..=3).contains(&octet.len()) && octet.bytes().all(|b| b.is_ascii_digit());
        if !digits_ok {
            return false;
        }
        if mode == Ipv4Tail::Strict
            && (octet.parse::<u16>().map_or(true, |v| v > 255)
                || (octet.len() > 1 && octet.starts_with('0')))
        {
            return false;
        }
    }
    count == 4
}

/// botocore's `IPV6_ADDRZ_RE` applied to `[host]`: an IPv6 address with an optional zone
/// (`%` or `%25`, then unreserved characters or `%hh` escapes).
fn is_ipv6_with_zone(host: &str) -> bool {
    let (address, zone) = match host.split_once('%') {
        Some((address, zone)) => (address, Some(zone)),
        None => (host, None),
    };
    if let Some(zone) = zone {
        if !is_zone_id(zone) {
            return false;
        }
    }
    is_ipv6_address(address, Ipv4Tail::Loose)
}

fn is_zone_id(zone: &str) -> bool {
    let bytes = zone.as_bytes();
    if bytes.is_empty() {
        return false;
    }
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'!' | b'-' | b'~') {
            i += 1;
        } else if b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            i += 3;
        } else {
            return false;
        }
    }
    true
}

/// RFC 4291 text form: eight 1–4 digit hex groups, or fewer around one `::` that stands for at
/// least one group; the last two groups may be written as an IPv4 address.
fn is_ipv6_address(address: &str, tail: Ipv4Tail) -> bool {
    fn groups(part: &str, tail: Ipv4Tail, allow_ipv4_last: bool) -> Option<usize> {
        if part.is_empty() {
            return Some(0);
        }
        let pieces: Vec<&str> = part.split(':').collect();
        let last = pieces.len() - 1;
        let mut count = 0;
        for (index, piece) in pieces.iter().enumerate() {
            if index == last && allow_ipv4_last && piece.contains('.') {
                if !is_ipv4(piece, tail) {
                    return None;
                }
                count += 2;
            } else if (1..=4).contains(&piece.len()) && piece.bytes().all(|b| b.is_ascii_hexdigit())
            {
                count += 1;
            } else {
                return None;
            }
        }
        Some(count)
    }
    match address.split_once("::") {
        Some((head, rest)) => {
            if rest.contains("::") {
                return false;
            }
            match (groups(head, tail, false), groups(rest, tail, true)) {
                (Some(h), Some(r)) => h + r <= 7,
                _ => false,
            }
        }
        None => groups(address, tail, true) == Some(8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_endpoint_urls_are_taken_as_botocore_takes_them() {
        for (url, taken) in [
            ("http://localhost:4566", "http://localhost:4566"),
            (" \u{1}https://h.example.com/p", "https://h.example.com/p"),
            (
                "https://user@H.Example.com.:8443",
                "https://user@H.Example.com.:8443",
            ),
            ("http://[::1]:4566", "http://[::1]:4566"),
            ("https://[fe80::1%25eth0]", "https://[fe80::1%25eth0]"),
            ("https://127.0.0.1", "https://127.0.0.1"),
            ("//h.example.com", "//h.example.com"),
            ("http://[v1.x]", "http://[v1.x]"),
        ] {
            assert_eq!(checked_endpoint_url(url), Some(taken), "{url}");
        }
        for url in [
            "localhost:4566",
            "h.example.com",
            "https://",
            "https://h_example.com",
            "https://h.exa\tmple.com",
            " \thttps://h.example.com",
            "https://h.example.com\n",
            "https://h.example.com ",
            "https://-h.example.com",
            "https://h..example.com",
            "https://[::g]",
            "http://[fe80::1%]",
            "http://[fe80::1%25e th]",
            "1http://h.example.com",
            "\u{7f}http://h.example.com",
            "",
        ] {
            assert_eq!(checked_endpoint_url(url), None, "{url:?}");
        }
    }

    fn parsed(url: &str) -> ParsedUrl {
        parse_url(url).unwrap_or_else(|| panic!("{url} should parse"))
    }

    #[test]
    fn splits_scheme_authority_and_path() {
        let url = parsed("https://authority.com:8000/custom-path");
        assert_eq!(url.scheme, "https");
        assert_eq!(url.authority, "authority.com:8000");
        assert_eq!(url.path, "/custom-path");
        assert_eq!(url.normalized_path, "/custom-path/");
        assert!(!url.is_ip);
        let bare = parsed("http://authority.com");
        assert_eq!(bare.path, "");
        assert_eq!(bare.normalized_path, "/");
        assert_eq!(parsed("HTTPS://Example.com").scheme, "https");
    }

    #[test]
    fn rejects_other_schemes_queries_and_bad_ports() {
        assert_eq!(parse_url("acbd://example.com"), None);
        assert_eq!(parse_url("example.com"), None);
        assert_eq!(parse_url("https://example.com/path?query1=foo"), None);
        assert_eq!(parse_url("http://abc.com:a/foo"), None);
        assert_eq!(parse_url("http://abc.com:65536/"), None);
        assert_eq!(parse_url("http://[::1/"), None);
        assert_eq!(parse_url("http://[1.2.3.4]/"), None);
        assert!(parse_url("http://abc.com:65535/").is_some());
        // An empty port is no port, as in Python.
        assert!(parse_url("http://abc.com:/").is_some());
    }

    #[test]
    fn fragments_and_path_params_leave_the_path() {
        let url = parsed("https://example.com/a/b;v=1#frag");
        assert_eq!(url.path, "/a/b");
        assert_eq!(url.authority, "example.com");
    }

    #[test]
    fn normalizes_dots_empty_segments_and_encodes() {
        assert_eq!(
            parsed("https://x.com/a//b/./c/../d").normalized_path,
            "/a/b/d/"
        );
        assert_eq!(
            parsed("https://x.com/a b/%41").normalized_path,
            "/a%20b/%2541/"
        );
        assert_eq!(parsed("https://x.com/../..").normalized_path, "/");
        assert_eq!(parsed("https://x.com/foo/").normalized_path, "/foo/");
    }

    #[test]
    fn recognises_ip_hosts() {
        assert!(parsed("http://192.168.1.1/foo/").is_ip);
        assert!(parsed("http://192.168.1.1:1234/foo/").is_ip);
        assert!(parsed("https://[2001:db8:85a3:8d3:1319:8a2e:370:7348]:443").is_ip);
        assert!(parsed("https://[::1]").is_ip);
        assert!(parsed("https://[fe80::1%25en0]").is_ip);
        assert!(parsed("https://[::ffff:1.2.3.4]/").is_ip);
        // botocore's IPv4 pattern checks shape only, not the range.
        assert!(parsed("https://999.999.999.999").is_ip);
        assert!(!parsed("https://999.999.abc.blah").is_ip);
        assert!(!parsed("https://1.2.3").is_ip);
        assert!(!parsed("https://user@host.com").is_ip);
    }

    #[test]
    fn ipv6_group_counting() {
        let ok = |a| is_ipv6_address(a, Ipv4Tail::Loose);
        assert!(ok("1:2:3:4:5:6:7:8"));
        assert!(ok("1:2:3:4:5:6:1.2.3.4"));
        assert!(ok("::"));
        assert!(ok("1::"));
        assert!(ok("::1:2:3:4:5:6:7"));
        assert!(!ok("::1:2:3:4:5:6:7:8"));
        assert!(!ok("1:2:3:4:5:6:7"));
        assert!(!ok("1::2::3"));
        assert!(!ok(":::"));
        assert!(!ok("12345::"));
        assert!(!ok("1.2.3.4::"));
        assert!(!is_ipv6_address("::256.1.1.1", Ipv4Tail::Strict));
        assert!(ok("::256.1.1.1"));
    }

    #[test]
    fn user_info_is_kept_in_authority() {
        let url = parsed("https://user:pw@host.com:443/p");
        assert_eq!(url.authority, "user:pw@host.com:443");
    }
}
