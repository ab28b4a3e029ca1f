//! The building blocks of a SigV4/SigV4a canonical request shared by both signers: URI path
//! normalisation and encoding, the canonical query string, canonical headers, timestamps and hex.
//!
//! Everything here appends into caller-owned buffers so a signature is built with a handful of
//! allocations, whatever the number of headers or query parameters.

use crate::time::Timestamp;
use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use smallvec::SmallVec;

use super::AuthError;
use crate::encoding::{percent_decode_into, percent_encode, push_percent_encoded};

/// Headers never signed, whatever the request carries: botocore's SigV4 list
/// (`SIGNED_HEADERS_BLACKLIST`: hop-by-hop headers, tracing context, `expect`,
/// `user-agent`) — proxies, tracers and transports may add or rewrite them — plus
/// `authorization`, which the signature itself replaces.
pub(crate) fn is_unsigned_header(name: &str) -> bool {
    // A `match` rather than a table: no pointer per name to relocate at load (issue #18,
    // binary size), and it compares lengths first.
    matches!(
        name,
        "authorization"
            | "baggage"
            | "connection"
            | "expect"
            | "keep-alive"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "traceparent"
            | "tracestate"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "user-agent"
            | "x-amzn-trace-id"
    )
}

/// `input` percent-encoded the SigV4 way (RFC 3986 unreserved bytes stay, `/` is encoded too).
pub fn uri_encode(input: &str) -> String {
    percent_encode(input, b"")
}

/// Remove `.` and `..` segments and empty segments (consecutive slashes), as botocore does for
/// every service but S3; the leading slash is kept, and a trailing slash when anything remains.
pub(crate) fn normalize_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') {
        out.push('/');
    }
    out.push_str(&segments.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        out.push('/');
    }
    out
}

/// Whether [`normalize_path`] would give `path` back as it is (most paths a serializer writes:
/// `/`, `/2015-03-31/functions/f/invocations`), checked without building its segments: it
/// starts with `/` and no segment but a trailing one is empty, `.` or `..`.
fn is_normalized(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    match rest.strip_suffix('/').unwrap_or(rest) {
        "" => path == "/",
        inner => inner
            .split('/')
            .all(|segment| !matches!(segment, "" | "." | "..")),
    }
}

/// Append the canonical URI for `path` (the request's path as it goes on the wire).
///
/// With `double_encode` (every service but S3) the path, already percent-encoded by the
/// serializer, is encoded once more, as the SigV4 specification asks; S3 signs it as sent.
pub(crate) fn push_canonical_uri(
    out: &mut String,
    path: &str,
    normalize: bool,
    double_encode: bool,
) {
    let normalized;
    let path = if normalize && !is_normalized(path) {
        normalized = normalize_path(path);
        normalized.as_str()
    } else if path.is_empty() {
        "/"
    } else {
        path
    };
    if double_encode {
        push_percent_encoded(out, path.as_bytes(), b"/");
    } else {
        out.push_str(path);
    }
}

/// One query parameter in canonical (strictly encoded) form.
pub(crate) struct QueryParam {
    pub key: String,
    pub value: String,
}

/// Parse a wire query string into canonically encoded parameters (decode, then encode strictly,
/// so `%e1`, `%E1` and characters a caller left unescaped all sign the same way). Empty pieces
/// (`a&&b`, a trailing `&`) are no parameters, as AWS's signers other than pure-Python
/// botocore's read them (the serializer never writes one).
pub(crate) fn canonical_query_params(query: &str, out: &mut Vec<QueryParam>) {
    let mut scratch = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        percent_decode_into(&mut scratch, key.as_bytes(), false);
        let mut k = String::with_capacity(key.len());
        push_percent_encoded(&mut k, &scratch, b"");
        percent_decode_into(&mut scratch, value.as_bytes(), false);
        let mut v = String::with_capacity(value.len());
        push_percent_encoded(&mut v, &scratch, b"");
        out.push(QueryParam { key: k, value: v });
    }
}

/// A form-encoded body (`a=1&b=x+y`) re-encoded as a strict query string (`a=1&b=x%20y`): what
/// botocore moves into the URL when it presigns a request that has form parameters.
pub(crate) fn form_body_to_query(body: &[u8]) -> String {
    let mut out = String::with_capacity(body.len() + 16);
    let mut scratch = Vec::new();
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (key, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        if !out.is_empty() {
            out.push('&');
        }
        percent_decode_into(&mut scratch, key, true);
        push_percent_encoded(&mut out, &scratch, b"");
        out.push('=');
        percent_decode_into(&mut scratch, value, true);
        push_percent_encoded(&mut out, &scratch, b"");
    }
    out
}

/// A JSON object body as botocore's query presigner moves it into the URL
/// (`_get_body_as_dict`, then `percent_encode_sequence`): each member `key=str(value)`, a list
/// as one pair per element, values written as Python's `str()` writes them (`True`, `None`,
/// `{'a': 1}`). `None` when the body is not a JSON object (botocore refuses to presign it).
pub(crate) fn json_body_to_query(body: &[u8]) -> Option<String> {
    let serde_json::Value::Object(members) = serde_json::from_slice(body).ok()? else {
        return None;
    };
    let mut out = String::with_capacity(body.len() + 16);
    let mut pair = |key: &str, value: &serde_json::Value| {
        if !out.is_empty() {
            out.push('&');
        }
        push_percent_encoded(&mut out, key.as_bytes(), b"");
        out.push('=');
        let text = crate::serialize::python_str(value);
        push_percent_encoded(&mut out, text.as_bytes(), b"");
    };
    for (key, value) in &members {
        match value {
            serde_json::Value::Array(items) => items.iter().for_each(|item| pair(key, item)),
            value => pair(key, value),
        }
    }
    Some(out)
}

/// Append the canonical query string: parameters sorted by encoded key, then encoded value.
pub(crate) fn push_canonical_query(out: &mut String, params: &mut [QueryParam]) {
    // Through the crate's sorts (issue #18: binary size).
    crate::sorting::sort_in_place(params, |a, b| {
        a.key.cmp(&b.key).then_with(|| a.value.cmp(&b.value))
    });
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&p.key);
        out.push('=');
        out.push_str(&p.value);
    }
}

/// Append a header value with leading/trailing whitespace trimmed and inner runs of whitespace
/// folded to one space (botocore's rule; it also unfolds obsolete multi-line values).
fn push_folded_value(out: &mut String, value: &str) {
    // Most values have nothing to fold: no byte at or below a space (one pass, which the
    // compiler vectorizes), or else no white space at either end and only single spaces.
    let bytes = value.as_bytes();
    if bytes.iter().all(|&b| b > b' ') {
        out.push_str(value);
        return;
    }
    let plain = bytes.first().is_none_or(|b| !b.is_ascii_whitespace())
        && bytes.last().is_none_or(|b| !b.is_ascii_whitespace())
        && bytes.windows(2).all(|w| !(w[0] == b' ' && w[1] == b' '))
        && bytes.iter().all(|&b| b == b' ' || !b.is_ascii_whitespace());
    if plain {
        out.push_str(value);
        return;
    }
    let mut first = true;
    for word in value
        .split(|c: char| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
    {
        if !first {
            out.push(' ');
        }
        out.push_str(word);
        first = false;
    }
}

/// The host a request is signed for when it has no `Host` header: the URI authority without the
/// scheme's default port (what an HTTP client will send), lower-cased as botocore signs it.
pub(crate) fn host_for_signing(uri: &http::Uri) -> Option<Cow<'_, str>> {
    let authority = uri.authority()?;
    let default_port = match uri.scheme_str() {
        Some("http") => Some(80),
        Some("https") => Some(443),
        _ => None,
    };
    let host = match authority.port_u16() {
        Some(p) if Some(p) == default_port => authority.host(),
        _ => authority.as_str(),
    };
    // Endpoints are almost always lower-case already: copy only to lower-case.
    Some(match host.bytes().any(|b| b.is_ascii_uppercase()) {
        true => Cow::Owned(host.to_ascii_lowercase()),
        false => Cow::Borrowed(host),
    })
}

/// Extra headers signed alongside the request's own (the ones the signer adds) — name already
/// lowercase — so the request need not be mutated before its canonical form is known.
pub(crate) type ExtraHeader<'a> = (&'static str, &'a str);

/// The canonical headers block and the signed-headers list.
///
/// Names are lowercase (as `http` stores them) and sorted; repeated headers are joined with `,`
/// in the order they appear; unsigned headers and the `excluded` ones (replaced or dropped by the
/// signer) are skipped, and `extra` headers take the place of the request's own.
pub(crate) fn canonical_headers(
    headers: &HeaderMap,
    host: Option<&str>,
    extra: &[ExtraHeader<'_>],
    excluded: &[&str],
) -> Result<(String, String), AuthError> {
    // One walk over the request's headers, which yields a name's values one after another (in
    // the order `get_all` gives them): no name is parsed or hashed again to find its values.
    // Each signed name with the range of its values in `values` (empty for the added ones).
    // On the stack for the usual request's dozen or so headers (two allocations fewer per
    // signature); a longer list moves to the heap.
    let mut values: SmallVec<[&http::HeaderValue; 16]> = SmallVec::with_capacity(headers.len());
    let mut names: SmallVec<[(&str, std::ops::Range<usize>); 16]> =
        SmallVec::with_capacity(headers.keys_len() + extra.len() + 1);
    // Both texts' lengths, counted on the way, so that each is allocated once at its size: a
    // guessed size was outgrown by S3's uploads (a dozen and more headers), which reallocated
    // and copied each text once or twice per signature. Folding white space only shortens a
    // value: the block's count is an upper bound; the list's is exact.
    let mut block_len = 0;
    let mut signed_len = 0;
    for (name, value) in headers {
        let name = name.as_str();
        match names.last_mut() {
            Some((last, range)) if *last == name && range.end == values.len() => {
                range.end += 1;
                values.push(value);
                block_len += 1 + value.len();
            }
            _ if is_unsigned_header(name)
                || excluded.contains(&name)
                || extra.iter().any(|(e, _)| *e == name) => {}
            _ => {
                names.push((name, values.len()..values.len() + 1));
                values.push(value);
                // `name:value\n`, and `name;` in the list.
                block_len += name.len() + value.len() + 2;
                signed_len += name.len() + 1;
            }
        }
    }
    let host_from_uri = host.filter(|_| !headers.contains_key(http::header::HOST));
    if let Some(h) = host_from_uri {
        names.push(("host", 0..0));
        block_len += "host".len() + h.len() + 2;
        signed_len += "host".len() + 1;
    }
    for (n, v) in extra {
        names.push((n, 0..0));
        block_len += n.len() + v.len() + 2;
        signed_len += n.len() + 1;
    }
    // Through the crate's sorts (issue #18: binary size); each name is here once.
    crate::sorting::sort_in_place(&mut names, |a, b| a.0.cmp(b.0));

    let mut block = String::with_capacity(block_len);
    // The names and the `;` between them.
    let mut signed = String::with_capacity(signed_len.saturating_sub(1));
    for (i, (name, range)) in names.iter().enumerate() {
        if i > 0 {
            signed.push(';');
        }
        signed.push_str(name);
        block.push_str(name);
        block.push(':');
        if let Some((_, v)) = extra.iter().find(|(n, _)| n == name) {
            push_folded_value(&mut block, v);
        } else if let (Some(h), true) = (host_from_uri, *name == "host") {
            block.push_str(h);
        } else {
            for (j, value) in values[range.clone()].iter().enumerate() {
                if j > 0 {
                    block.push(',');
                }
                // botocore signs the value as text, then encodes it to UTF-8 before sending
                // (`Endpoint._encode_headers`), so a non-ASCII value is signed and sent as
                // UTF-8 (`HeaderValue::to_str` would refuse it).
                let value = std::str::from_utf8(value.as_bytes()).map_err(|_| {
                    AuthError::HeaderValueNotText {
                        name: (*name).to_owned(),
                    }
                })?;
                push_folded_value(&mut block, value);
            }
        }
        block.push('\n');
    }
    Ok((block, signed))
}

/// A UTC signing time in the forms SigV4 uses (calendar arithmetic lives in [`crate::time`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SigningTime {
    time: Timestamp,
    /// The `X-Amz-Date` form, written once: the credential scope's date is its first part.
    amz: compact_str::CompactString,
}

impl SigningTime {
    /// Convert a `SystemTime` (whole seconds; times before 1970 are refused).
    pub(crate) fn from_system_time(time: SystemTime) -> Result<Self, AuthError> {
        let secs = time
            .duration_since(UNIX_EPOCH)
            .map_err(|_| AuthError::TimeBeforeEpoch)?
            .as_secs();
        let time = Timestamp::from_secs(secs as i64);
        Ok(SigningTime {
            amz: time.amz_date_inline(),
            time,
        })
    }

    /// `YYYYMMDD`, the credential-scope date: the `X-Amz-Date` form up to its `T`.
    pub(crate) fn date(&self) -> &str {
        self.amz.split_once('T').map_or(&self.amz, |(date, _)| date)
    }

    /// [`date`](Self::date), owned.
    pub(crate) fn date_stamp(&self) -> String {
        self.date().to_owned()
    }

    /// `YYYYMMDD'T'HHMMSS'Z'`, the `X-Amz-Date` form.
    pub(crate) fn amz_str(&self) -> &str {
        &self.amz
    }

    /// `YYYY-MM-DD'T'HH:MM:SS'Z'`, the form of a POST policy's expiration.
    pub(crate) fn iso8601(&self) -> String {
        self.time.to_iso8601()
    }

    /// RFC 2822 form with a `-0000` zone, as botocore writes a `Date` header it re-signs.
    pub(crate) fn http_date(&self) -> String {
        let gmt = self.time.to_http_date();
        format!("{} -0000", gmt.trim_end_matches(" GMT"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps() {
        let t = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        let st = SigningTime::from_system_time(t).unwrap();
        assert_eq!(st.amz_str(), "20150830T123600Z");
        assert_eq!(st.date_stamp(), "20150830");
        assert_eq!(st.iso8601(), "2015-08-30T12:36:00Z");
        assert_eq!(st.http_date(), "Sun, 30 Aug 2015 12:36:00 -0000");
        let leap =
            SigningTime::from_system_time(UNIX_EPOCH + Duration::from_secs(951_782_400)).unwrap();
        assert_eq!(leap.iso8601(), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn path_normalisation() {
        assert_eq!(normalize_path("//example//"), "/example/");
        assert_eq!(normalize_path("/example/.."), "/");
        assert_eq!(normalize_path("/a/./b/../c"), "/a/c");
        assert_eq!(normalize_path(""), "/");
        // The shortcut agrees with the rule on every path of these pieces up to four long.
        let pieces = ["/", "a", ".", "..", "//", "b/"];
        let mut paths = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = paths
                .iter()
                .flat_map(|p| pieces.iter().map(move |piece| format!("{p}{piece}")))
                .collect();
            paths.extend(longer);
        }
        let mut shortcut = 0;
        for path in paths.iter().filter(|p| is_normalized(p)) {
            shortcut += 1;
            assert_eq!(normalize_path(path), *path, "{path:?}");
        }
        assert!(shortcut > 50, "{shortcut}");
        assert!(!["", "a", "//", "/./", "/a/..", "/a//b"]
            .into_iter()
            .any(is_normalized));
    }

    #[test]
    fn query_is_decoded_then_strictly_encoded_and_sorted() {
        let mut params = Vec::new();
        canonical_query_params("b=2&a=%7e%2F&a=1&flag&bad=%zz", &mut params);
        let mut out = String::new();
        push_canonical_query(&mut out, &mut params);
        assert_eq!(out, "a=1&a=~%2F&b=2&bad=%25zz&flag=");
        // Empty pieces are no parameters.
        params.clear();
        canonical_query_params("b=1&&a&", &mut params);
        out.clear();
        push_canonical_query(&mut out, &mut params);
        assert_eq!(out, "a=&b=1");
        params.clear();
        canonical_query_params("", &mut params);
        assert!(params.is_empty());
        assert_eq!(
            form_body_to_query(b"Action=Get+It&V=%2a&&x"),
            "Action=Get%20It&V=%2A&x="
        );
    }

    #[test]
    fn a_json_body_moves_into_the_query_as_botocore_writes_it() {
        // botocore 1.44.5's `percent_encode_sequence(json.loads(body))` of this body.
        let body = br#"{"Text": "a b", "n": 1, "f": 1.5, "big": 1e16, "t": true, "z": null, "l": ["x", 2], "m": {"k": "it's", "q": "say \"hi\"", "e": [], "nl": "a\nb", "u": "\u00e9"}}"#;
        assert_eq!(
            json_body_to_query(body).as_deref(),
            Some(
                "Text=a%20b&n=1&f=1.5&big=1e%2B16&t=True&z=None&l=x&l=2&m=%7B%27k%27%3A%20%22it%27s\
                 %22%2C%20%27q%27%3A%20%27say%20%22hi%22%27%2C%20%27e%27%3A%20%5B%5D%2C%20%27nl\
                 %27%3A%20%27a%5Cnb%27%2C%20%27u%27%3A%20%27%C3%A9%27%7D"
            )
        );
        // Not a JSON object: botocore cannot move it and refuses to presign.
        for body in [&b"<Tagging/>"[..], b"[1]", b"\"text\""] {
            assert_eq!(json_body_to_query(body), None);
        }
    }

    #[test]
    fn canonical_headers_join_repeated_values_and_sort_names() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("x-b", "2"),
            ("x-a", " one  "),
            ("user-agent", "skipped"),
            ("traceparent", "skipped"),
            ("baggage", "skipped"),
            ("x-b", "1"),
            ("x-dropped", "skipped"),
            ("x-a", "two"),
            ("x-amz-date", "replaced"),
            ("x-c", "3"),
        ] {
            headers.append(
                http::HeaderName::from_static(name),
                http::HeaderValue::from_static(value),
            );
        }
        let (out, signed) = canonical_headers(
            &headers,
            Some("h.example"),
            &[("x-amz-date", "20150830T123600Z")],
            &["x-dropped"],
        )
        .unwrap();
        // Values in the order they were added (as `get_all` gives them), names sorted.
        assert_eq!(
            out,
            "host:h.example\nx-a:one,two\nx-amz-date:20150830T123600Z\nx-b:2,1\nx-c:3\n"
        );
        assert_eq!(signed, "host;x-a;x-amz-date;x-b;x-c");
    }

    /// More names and parameters than the short-list sort takes (the long-list one orders them).
    #[test]
    fn long_lists_of_headers_and_parameters_are_sorted_too() {
        let mut headers = HeaderMap::new();
        let mut query = Vec::new();
        for i in (0..40).rev() {
            let name = format!("x-h{:02}", (i * 7) % 40);
            headers.insert(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(&i.to_string()).unwrap(),
            );
            query.push(format!("p{:02}={}", (i * 11) % 40, i % 3));
        }
        query.push("p05=0".into());
        let (_, signed) = canonical_headers(&headers, Some("h.example"), &[], &[]).unwrap();
        let mut expected: Vec<String> = (0..40).map(|i| format!("x-h{i:02}")).collect();
        expected.insert(0, "host".into());
        assert_eq!(signed, expected.join(";"));

        let mut params = Vec::new();
        canonical_query_params(&query.join("&"), &mut params);
        let mut out = String::new();
        push_canonical_query(&mut out, &mut params);
        let mut expected = query.clone();
        expected.sort();
        assert_eq!(out, expected.join("&"));
    }

    #[test]
    fn utf8_header_values_are_signed_as_text_and_other_bytes_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-disposition",
            http::HeaderValue::from_str("attachment; filename=\"café.txt\"").unwrap(),
        );
        let (out, _) = canonical_headers(&headers, Some("h.example"), &[], &[]).unwrap();
        assert_eq!(
            out,
            "content-disposition:attachment; filename=\"café.txt\"\nhost:h.example\n"
        );

        // Latin-1 `é` alone is not UTF-8: there is no text to sign.
        headers.insert(
            "content-disposition",
            http::HeaderValue::from_bytes(b"caf\xe9").unwrap(),
        );
        let err = canonical_headers(&headers, None, &[], &[]);
        assert!(
            matches!(&err, Err(AuthError::HeaderValueNotText { name }) if name == "content-disposition"),
            "{err:?}"
        );
    }

    #[test]
    fn header_values_are_folded() {
        let mut out = String::new();
        push_folded_value(&mut out, "  a   b\t c  ");
        assert_eq!(out, "a b c");
        // Values with nothing to fold are copied as they are; the rest fold the same way.
        for (value, folded) in [
            ("", ""),
            ("a b", "a b"),
            ("application/x-amz-json-1.0", "application/x-amz-json-1.0"),
            (" a", "a"),
            ("a ", "a"),
            ("a  b", "a b"),
            ("a\tb", "a b"),
            ("a\r\n b", "a b"),
            ("a\x0bb", "a\x0bb"),
            (" ", ""),
        ] {
            let mut out = String::new();
            push_folded_value(&mut out, value);
            assert_eq!(out, folded, "{value:?}");
        }
    }
}
