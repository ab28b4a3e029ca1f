//! What sansboto tells a [`tracing`](https://docs.rs/tracing) subscriber, and the redaction that
//! keeps secrets out of it: every span, event and field name lives here, so the rest of the
//! core calls one function per thing worth telling.
//!
//! With the `tracing` feature (on by default in the transport crates) a call is a span
//! `sansboto.call` (service, operation, region, endpoint host) with one span
//! `sansboto.attempt` per attempt (attempt number, HTTP status, duration by the transport's
//! clock); a call made inside another one (endpoint discovery's `DescribeEndpoints`, S3
//! Express's `CreateSession`, S3's region-redirect `HeadBucket` probe) is a `sansboto.call`
//! span inside its parent, with a `purpose`. Events report requests and responses (redacted),
//! retry decisions and backoff, the credential provider chosen, the endpoint resolved and a
//! model loaded. Without the feature every function here does nothing and compiles away.
//!
//! No field carries a secret: signatures, session and IMDS tokens, SSE-C keys, the secret
//! parts of credential responses and every member the model marks `sensitive` (SSM
//! `SecureString` values, KMS plaintexts, Lambda environment variables…, in bodies and headers,
//! whole when the sensitive value is a structure, list or map) are replaced by `<redacted>`,
//! and the bodies of credential providers' exchanges are never shown, only their length.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use crate::body::Body;

/// Shown in place of a secret.
pub(crate) const REDACTED: &str = "<redacted>";

// Only the `tracing` build shows headers and URLs (its unit tests run either way).
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
/// Headers whose whole value is secret.
const SECRET_HEADERS: &[&str] = &[
    "x-amz-security-token",
    "x-amz-server-side-encryption-customer-key",
    "x-amz-copy-source-server-side-encryption-customer-key",
    "x-aws-ec2-metadata-token",
    "x-amz-sso_bearer_token",
    "x-amz-s3session-token",
];

// Only the `tracing` build shows headers and URLs (its unit tests run either way).
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
/// Query parameters whose value is secret (presigned URLs).
const SECRET_QUERY: &[&str] = &[
    "X-Amz-Signature",
    "X-Amz-Security-Token",
    "X-Amz-S3session-Token",
    "Signature",
];

/// Members whose value is secret: credential responses (STS, SSO, IMDS, container, S3 Express
/// `CreateSession`), tokens and well-known secret parameters.
const SECRET_FIELDS: &[&str] = &[
    "SecretAccessKey",
    "SessionToken",
    "Token",
    "secretAccessKey",
    "sessionToken",
    "accessToken",
    "AccessToken",
    "WebIdentityToken",
    // SSO OIDC and sign-in tokens, Secrets Manager values, database passwords.
    "refreshToken",
    "clientSecret",
    "idToken",
    "SecretString",
    "SecretBinary",
    "Password",
    "MasterUserPassword",
    // Signature Version 2 signs in the form body: its signature and session token.
    "Signature",
    "SecurityToken",
];

/// A header value as it may be shown.
#[cfg(test)]
fn redact_header(name: &str, value: &str) -> String {
    redact_header_of(name, value, &NO_SENSITIVE_NAMES)
}

// Only the `tracing` build shows headers and URLs (its unit tests run either way).
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
/// A header value as it may be shown in a call whose operation marks `sensitive` members.
fn redact_header_of(name: &str, value: &str, sensitive: &SensitiveNames) -> String {
    let lower = name.to_ascii_lowercase();
    if SECRET_HEADERS.contains(&lower.as_str()) || sensitive.headers.contains(&lower) {
        return REDACTED.to_string();
    }
    if lower == "authorization" {
        // Keep the scheme, key id, scope and signed headers; hide the signature, or the whole
        // of a bearer token (which may hold `Signature=` itself).
        if value.starts_with("Bearer ") {
            return format!("Bearer {REDACTED}");
        }
        if let Some(i) = value.find("Signature=") {
            return format!("{}Signature={REDACTED}", &value[..i]);
        }
        if let Some((scheme, _)) = value.split_once(' ') {
            return format!("{scheme} {REDACTED}");
        }
        return REDACTED.to_string();
    }
    value.to_string()
}

// Only the `tracing` build shows headers and URLs (its unit tests run either way).
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
/// A URL with secret query parameters hidden.
pub(crate) fn redact_url(url: &str) -> String {
    redact_url_of(url, &NO_SENSITIVE_NAMES)
}

// Only the `tracing` build shows headers and URLs (its unit tests run either way).
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
/// A URL of a call whose operation marks `sensitive` members: secret query parameters and
/// theirs hidden, and the path too when one of them is in it.
fn redact_url_of(url: &str, sensitive: &SensitiveNames) -> String {
    let url = match sensitive.in_path {
        true => redact_path(url),
        false => url.to_string(),
    };
    let Some((base, query)) = url.split_once('?') else {
        return url;
    };
    let secret = |k: &str| {
        SECRET_QUERY.iter().any(|s| s.eq_ignore_ascii_case(k))
            || sensitive.query.iter().any(|s| s == k)
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if secret(k) => format!("{k}={REDACTED}"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{base}?{}", parts.join("&"))
}

/// `url` with its path (after the authority, before the query) hidden.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
fn redact_path(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let path_start = url[after_scheme..].find('/').map(|i| after_scheme + i);
    let Some(start) = path_start else {
        return url.to_string();
    };
    let end = url[start..].find('?').map_or(url.len(), |i| start + i);
    format!("{}/{REDACTED}{}", &url[..start], &url[end..])
}

/// Body text with secret JSON, XML and form member values hidden.
#[cfg(test)]
fn redact_body(text: &str) -> String {
    redact_body_of(text, &NO_SENSITIVE_NAMES)
}

/// Body text with secret JSON, XML and form member values hidden, and those of the members
/// `sensitive` names.
fn redact_body_of(text: &str, sensitive: &SensitiveNames) -> String {
    let mut out = text.to_string();
    let fields = SECRET_FIELDS.iter().copied();
    for field in fields.chain(sensitive.fields.iter().map(String::as_str)) {
        out = redact_json_field(&out, field);
        out = redact_xml_element(&out, field);
        out = redact_form_field(&out, field);
    }
    out
}

/// The wire names of an operation's members that hold data its model marks `sensitive` (the
/// shape, or a structure, list or map it lies in): body member names (JSON keys, XML elements,
/// the last part of form keys) and header names. Name-based, as the rest of the redaction: a
/// member of the same name elsewhere in the operation is hidden too, which errs on the safe
/// side.
#[derive(Clone, Debug, Default)]
pub(crate) struct SensitiveNames {
    fields: Vec<String>,
    /// Lower case.
    headers: Vec<String>,
    /// Query-string parameters.
    query: Vec<String>,
    /// A member bound to the URL's path is sensitive (the path is hidden whole).
    in_path: bool,
}

/// No sensitive names (an exchange without an operation, or nothing logged).
static NO_SENSITIVE_NAMES: SensitiveNames = SensitiveNames {
    fields: Vec::new(),
    headers: Vec::new(),
    query: Vec::new(),
    in_path: false,
};

#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
impl SensitiveNames {
    /// `op`'s sensitive names in `model` (its input and output, every level).
    fn of(model: &crate::model::ServiceModel, op: &crate::model::Operation) -> Self {
        let mut names = SensitiveNames::default();
        let mut seen = std::collections::HashSet::new();
        let mut pending: Vec<(crate::model::ShapeId, bool)> = (op.input.iter())
            .chain(op.output.iter())
            .map(|r| (r.shape, false))
            .collect();
        while let Some((id, under_sensitive)) = pending.pop() {
            let shape = model.shape(id);
            let secret = under_sensitive || shape.sensitive;
            if !seen.insert((id, secret)) {
                continue;
            }
            let refs: Vec<&crate::model::ShapeRef> = match &shape.kind {
                crate::model::ShapeKind::Structure(s) => s.members.values().collect(),
                crate::model::ShapeKind::List(member) => vec![member],
                crate::model::ShapeKind::Map { value, .. } => vec![value],
                _ => Vec::new(),
            };
            for member in refs {
                let target = model.shape(member.shape);
                // A list of secrets or a map to them: the member holding it goes whole (its
                // items have no names of their own).
                let holds_secrets = match &target.kind {
                    crate::model::ShapeKind::List(item) => model.shape(item.shape).sensitive,
                    crate::model::ShapeKind::Map { key, value } => {
                        model.shape(key.shape).sensitive || model.shape(value.shape).sensitive
                    }
                    _ => false,
                };
                if secret || target.sensitive || holds_secrets {
                    names.add(member, target);
                }
                pending.push((member.shape, secret));
            }
        }
        names
    }

    fn add(&mut self, member: &crate::model::ShapeRef, target: &crate::model::Shape) {
        use crate::model::Location;
        let wire = member.location_name.as_deref();
        match member.location {
            Location::Header => {
                if let Some(header) = wire {
                    self.headers.push(header.to_ascii_lowercase());
                }
            }
            Location::QueryString => {
                if let Some(name) = wire {
                    self.query.push(name.to_owned());
                }
            }
            Location::Uri => self.in_path = true,
            Location::StatusCode => {}
            Location::Body | Location::Headers => {
                let names = [Some(member.name.as_str()), wire].into_iter().chain([
                    member.query_name.as_deref(),
                    target.location_name.as_deref(),
                ]);
                for name in names.flatten() {
                    if !name.is_empty() && !self.fields.iter().any(|f| f == name) {
                        self.fields.push(name.to_owned());
                    }
                }
            }
        }
    }
}

/// The sensitive names of `operation` of `client`'s model, collected once per operation; none
/// while nothing is logged at the level bodies are shown at (so calls do not pay for them).
pub(crate) fn sensitive_names<'a>(
    client: &'a crate::client::ServiceClient,
    operation: &str,
) -> &'a SensitiveNames {
    #[cfg(feature = "tracing")]
    {
        if tracing::enabled!(tracing::Level::DEBUG) {
            let model = client.model();
            if let Some(op) = model.operation(operation) {
                return op
                    .sensitive_names
                    .get_or_init(|| SensitiveNames::of(model, op));
            }
        }
    }
    let _ = (client, operation);
    &NO_SENSITIVE_NAMES
}

fn redact_json_field(text: &str, field: &str) -> String {
    let needle = format!("\"{field}\"");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        let after = &rest[i + needle.len()..];
        let value = after.trim_start().strip_prefix(':').map(str::trim_start);
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            out.push_str(&rest[..i + needle.len()]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..i]);
        out.push_str(&format!("{needle}: \"{REDACTED}\""));
        match json_value_len(value) {
            Some(len) => rest = &value[len..],
            // An unterminated value: hide the rest rather than show part of a secret.
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The length of the JSON value `text` starts with (a string, an object or array with what
/// it holds, or a bare number or word), `None` when it does not end in `text`.
fn json_value_len(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    in_string = false;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' if depth == 0 => return Some(i),
            '}' | ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            ',' if depth == 0 => return Some(i),
            c if depth == 0 && c.is_whitespace() => return Some(i),
            _ => {}
        }
    }
    // A bare word or number running to the end of the text is whole.
    (depth == 0 && !in_string && !text.starts_with('"')).then_some(text.len())
}

fn redact_xml_element(text: &str, field: &str) -> String {
    let open = format!("<{field}>");
    let close = format!("</{field}>");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        out.push_str(&rest[..i]);
        out.push_str(&open);
        out.push_str(REDACTED);
        match after.find(&close) {
            Some(j) => {
                out.push_str(&close);
                rest = &after[j + close.len()..];
            }
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// `Field=value` pairs of a form-encoded body (query protocol: STS's `WebIdentityToken`).
fn redact_form_field(text: &str, field: &str) -> String {
    if !text.contains(field) {
        return text.to_string();
    }
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            // `Parameters.member.1.Value`, `Logins.entry.1.value`: the member's name is a part
            // of the key (its own, or the list's or map's holding it).
            Some((k, _)) if k.split('.').any(|part| part == field) => format!("{k}={REDACTED}"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// How much of a body an event shows.
const BODY_LIMIT: usize = 4096;

/// A body as an event shows it: redacted text (cut at 4 KiB, with the members the call's
/// operation marks `sensitive` hidden too), or its size.
fn describe_body(bytes: &[u8], sensitive: &SensitiveNames) -> String {
    if bytes.is_empty() {
        return "(empty)".to_string();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let redacted = redact_body_of(text, sensitive);
            if redacted.len() > BODY_LIMIT {
                let mut cut = BODY_LIMIT;
                while !redacted.is_char_boundary(cut) {
                    cut -= 1;
                }
                format!("{}… ({} bytes in all)", &redacted[..cut], bytes.len())
            } else {
                redacted
            }
        }
        Err(_) => format!("({} bytes of binary data)", bytes.len()),
    }
}

/// Headers as an event shows them, one `name: value` a line, secrets redacted.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
struct Headers<'a>(&'a http::HeaderMap, &'a SensitiveNames);

impl fmt::Display for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in self.0 {
            let value = String::from_utf8_lossy(value.as_bytes());
            let shown = redact_header_of(name.as_str(), &value, self.1);
            write!(f, "\n  {name}: {shown}")?;
        }
        Ok(())
    }
}

/// Whose exchange a request is: a service call's (bodies shown, redacted, with its
/// operation's sensitive names) or a credential provider's (bodies never shown: an IMDS token
/// is a bare string no pattern can spot).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Exchange<'a> {
    /// An operation call.
    Call(&'a SensitiveNames),
    /// A credential provider's request (IMDS, container, STS, SSO, login).
    Credentials,
}

impl Exchange<'_> {
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    fn sensitive(&self) -> &SensitiveNames {
        match self {
            Exchange::Call(names) => names,
            Exchange::Credentials => &NO_SENSITIVE_NAMES,
        }
    }
}

#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
fn describe_request_body(body: &Body, exchange: Exchange<'_>) -> String {
    match body {
        Body::Stream(s) => format!(
            "streamed ({})",
            s.len()
                .map(|n| format!("{n} bytes"))
                .unwrap_or_else(|| "length unknown".into())
        ),
        body => {
            let bytes = body.as_bytes().unwrap_or_default();
            match exchange {
                Exchange::Call(sensitive) => describe_body(bytes, sensitive),
                Exchange::Credentials => format!("({} bytes, not shown)", bytes.len()),
            }
        }
    }
}

/// A span: one call (or nested call) or one attempt. Cheap to clone; inert without the feature.
#[derive(Clone, Debug)]
pub(crate) struct Span {
    #[cfg(feature = "tracing")]
    inner: tracing::Span,
}

impl Span {
    /// Run `f` inside this span.
    pub(crate) fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        #[cfg(feature = "tracing")]
        {
            self.inner.in_scope(f)
        }
        #[cfg(not(feature = "tracing"))]
        {
            f()
        }
    }

    /// `future`, run inside this span each time it is polled.
    pub(crate) fn instrument<F: Future>(&self, future: F) -> impl Future<Output = F::Output> {
        #[cfg(feature = "tracing")]
        {
            tracing::Instrument::instrument(future, self.inner.clone())
        }
        #[cfg(not(feature = "tracing"))]
        {
            future
        }
    }

    /// Record the endpoint host of a call span.
    pub(crate) fn record_endpoint(&self, uri: &http::Uri) {
        // (The host is read only for a span that records it, through a subscriber or tracing's
        // `log` output: a span with neither has no metadata, and reading the host for it was a
        // tenth of the call's own bookkeeping.)
        #[cfg(feature = "tracing")]
        if self.inner.metadata().is_some() {
            self.inner
                .record("endpoint", uri.host().unwrap_or_default());
        }
        #[cfg(not(feature = "tracing"))]
        let _ = uri;
    }

    /// Record an attempt's outcome on its span: the HTTP status (none after a transport error)
    /// and how long it took by the transport's clock.
    pub(crate) fn record_attempt(&self, status: Option<u16>, duration: Duration) {
        #[cfg(feature = "tracing")]
        {
            if let Some(status) = status {
                self.inner.record("status", status);
            }
            self.inner
                .record("duration_ms", duration.as_secs_f64() * 1000.0);
        }
        #[cfg(not(feature = "tracing"))]
        let _ = (status, duration);
    }
}

/// The span the caller is in (a call's, inside a call's future).
pub(crate) fn current() -> Span {
    Span {
        #[cfg(feature = "tracing")]
        inner: tracing::Span::current(),
    }
}

/// The span of one call, made inside the current span (a nested call's parent, when a call is
/// made by a waiter or paginator, is theirs). The endpoint host is recorded once resolved.
pub(crate) fn call_span(service: &str, operation: &str, region: Option<&str>) -> Span {
    #[cfg(feature = "tracing")]
    {
        Span {
            inner: tracing::info_span!(
                "sansboto.call",
                service,
                operation,
                region = region.unwrap_or_default(),
                endpoint = tracing::field::Empty,
                purpose = tracing::field::Empty,
            ),
        }
    }
    #[cfg(not(feature = "tracing"))]
    {
        let _ = (service, operation, region);
        Span {}
    }
}

/// The span of a call made inside `parent` for `purpose` (`endpoint-discovery`,
/// `s3express-session`, `s3-redirect-probe`).
pub(crate) fn nested_call_span(
    parent: &Span,
    purpose: &str,
    operation: &str,
    uri: &http::Uri,
) -> Span {
    #[cfg(feature = "tracing")]
    {
        Span {
            inner: tracing::info_span!(
                parent: &parent.inner,
                "sansboto.call",
                operation,
                purpose,
                endpoint = uri.host().unwrap_or_default(),
            ),
        }
    }
    #[cfg(not(feature = "tracing"))]
    {
        let _ = (parent, purpose, operation, uri);
        Span {}
    }
}

/// The span of attempt number `attempt` (from 1), inside `parent`.
pub(crate) fn attempt_span(parent: &Span, attempt: u32) -> Span {
    #[cfg(feature = "tracing")]
    {
        Span {
            inner: tracing::debug_span!(
                parent: &parent.inner,
                "sansboto.attempt",
                attempt,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            ),
        }
    }
    #[cfg(not(feature = "tracing"))]
    {
        let _ = (parent, attempt);
        Span {}
    }
}

/// A request about to be sent (URL and headers redacted; a credential provider's body unshown).
pub(crate) fn request(request: &http::Request<Body>, exchange: Exchange<'_>) {
    #[cfg(feature = "tracing")]
    {
        if tracing::enabled!(tracing::Level::DEBUG) {
            tracing::debug!(
                method = %request.method(),
                url = %redact_url_of(&request.uri().to_string(), exchange.sensitive()),
                body = %describe_request_body(request.body(), exchange),
                headers = %Headers(request.headers(), exchange.sensitive()),
                "sending request",
            );
        }
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (request, exchange);
}

/// A response's head arrived.
pub(crate) fn response_head(parts: &http::response::Parts, exchange: Exchange<'_>) {
    #[cfg(feature = "tracing")]
    {
        tracing::debug!(
            status = parts.status.as_u16(),
            headers = %Headers(&parts.headers, exchange.sensitive()),
            "response received",
        );
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (parts, exchange);
}

/// A response body read whole (a credential provider's is described by its length only).
pub(crate) fn response_body(bytes: &[u8], exchange: Exchange<'_>) {
    #[cfg(feature = "tracing")]
    {
        if tracing::enabled!(tracing::Level::DEBUG) {
            let body = match exchange {
                Exchange::Call(sensitive) => describe_body(bytes, sensitive),
                Exchange::Credentials => format!("({} bytes, not shown)", bytes.len()),
            };
            tracing::debug!(%body, "response body");
        }
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (bytes, exchange);
}

/// A response body handed to the caller unread (a streaming output).
pub(crate) fn response_streamed(len: Option<u64>) {
    #[cfg(feature = "tracing")]
    {
        tracing::debug!(length = len, "response body streamed to the caller");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = len;
}

/// The transport failed (connect, timeout, I/O, TLS).
pub(crate) fn transport_failed(error: &crate::error::transport::TransportError) {
    #[cfg(feature = "tracing")]
    {
        tracing::debug!(%error, "request failed");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = error;
}

/// What the retry policy decided after attempt number `attempt`.
pub(crate) fn retry_decision(
    attempt: u32,
    status: Option<u16>,
    error_code: Option<&str>,
    decision: &crate::retry::RetryDecision,
) {
    #[cfg(feature = "tracing")]
    {
        tracing::debug!(attempt, status, error_code, ?decision, "retry decision");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (attempt, status, error_code, decision);
}

/// A pause before the next attempt (`reason`: `retry backoff`, `rate limiter`).
pub(crate) fn backoff(delay: Duration, reason: &'static str) {
    #[cfg(feature = "tracing")]
    {
        tracing::debug!(delay_ms = delay.as_secs_f64() * 1000.0, reason, "waiting");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (delay, reason);
}

/// The credential chain found credentials with this provider (botocore's `method`).
pub(crate) fn credentials_found(provider: &str) {
    #[cfg(feature = "tracing")]
    {
        tracing::debug!(provider, "credentials found");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = provider;
}

/// The credential chain moved past a provider that had none.
pub(crate) fn credentials_skipped(provider: &str) {
    #[cfg(feature = "tracing")]
    {
        tracing::trace!(provider, "no credentials from this provider");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = provider;
}

/// A credential provider reads or writes a file, or runs a program (its path or name only).
pub(crate) fn credentials_io(what: &'static str, target: &str) {
    #[cfg(feature = "tracing")]
    {
        tracing::debug!(what, target, "credential provider I/O");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (what, target);
}

/// The endpoint a call resolved to.
pub(crate) fn endpoint_resolved(service: &str, operation: &str, url: &str) {
    #[cfg(feature = "tracing")]
    {
        tracing::debug!(service, operation, url = %redact_url(url), "endpoint resolved");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (service, operation, url);
}

/// A service model was loaded (parsed once per session).
pub(crate) fn model_loaded(service: &str, api_version: Option<&str>) {
    #[cfg(feature = "tracing")]
    {
        tracing::debug!(service, api_version, "model loaded");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (service, api_version);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_tokens_and_keys_are_hidden() {
        let auth = "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, \
                    SignedHeaders=host;x-amz-date, Signature=abcdef0123";
        let shown = redact_header("Authorization", auth);
        assert!(shown.contains("Credential=AKID/20240101"));
        assert!(!shown.contains("abcdef0123"));
        assert_eq!(redact_header("X-Amz-Security-Token", "tok"), REDACTED);
        assert_eq!(redact_header("X-aws-ec2-metadata-token", "imds"), REDACTED);
        assert_eq!(
            redact_header("x-amz-server-side-encryption-customer-key", "k"),
            REDACTED
        );
        assert_eq!(redact_header("Bearer-ish", "v"), "v");
        let shown = redact_header("authorization", "Bearer abcSignature=xyz");
        assert!(!shown.contains("abc") && !shown.contains("xyz"), "{shown}");
        let url = redact_url(
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKID&X-Amz-Signature=s1gValue&x-amz-security-token=t0kValue",
        );
        assert!(
            !url.contains("s1gValue") && !url.contains("t0kValue"),
            "{url}"
        );
        assert!(url.contains("X-Amz-Credential=AKID"));
    }

    #[test]
    fn credential_responses_are_redacted() {
        let json = r#"{"AccessKeyId": "AKID", "SecretAccessKey" : "s3\"kr1t", "Token":"t0ken"}"#;
        let shown = redact_body(json);
        assert!(
            !shown.contains("kr1t") && !shown.contains("t0ken"),
            "{shown}"
        );
        assert!(shown.contains("AKID"));
        let xml = "<Credentials><SecretAccessKey>secret</SecretAccessKey><SessionToken>t\
                   </SessionToken></Credentials>";
        let shown = redact_body(xml);
        assert!(
            !shown.contains("secret<") && !shown.contains(">t<"),
            "{shown}"
        );
        let form = "Action=AssumeRoleWithWebIdentity&WebIdentityToken=jwt.jwt.jwt&Version=1";
        assert!(!redact_body(form).contains("jwt"));
        // Cut short: nothing after the member's start is shown.
        assert!(!redact_body(r#"{"Token": "abc"#).contains("abc"));
        assert!(!redact_body("<SessionToken>abc").contains("abc"));
    }

    /// A model whose operation has sensitive data in a string, a structure, a map, a list
    /// member, a header and a query parameter, beside members of the same shapes that are not.
    const SENSITIVE_MODEL: &str = r#"{
        "metadata": {"protocol": "rest-json", "apiVersion": "2020-01-01",
                     "endpointPrefix": "x", "signatureVersion": "v4", "serviceId": "X"},
        "operations": {"Put": {"name": "Put", "http": {"method": "POST", "requestUri": "/{Id}"},
                               "input": {"shape": "PutIn"}, "output": {"shape": "PutOut"}}},
        "shapes": {
            "PutIn": {"type": "structure", "required": ["Id"], "members": {
                "Id": {"shape": "Secret", "location": "uri", "locationName": "Id"},
                "Codes": {"shape": "SecretList"},
                "Logins": {"shape": "LoginMap"},
                "Value": {"shape": "Secret"},
                "Name": {"shape": "Text"},
                "Env": {"shape": "Vars"},
                "Key": {"shape": "Secret", "location": "header", "locationName": "X-Key"},
                "Q": {"shape": "Secret", "location": "querystring", "locationName": "q"}}},
            "PutOut": {"type": "structure", "members": {
                "Creds": {"shape": "Pair"},
                "Items": {"shape": "Items"},
                "Count": {"shape": "Number"}}},
            "Pair": {"type": "structure", "sensitive": true, "members": {
                "User": {"shape": "Text"}, "Pin": {"shape": "Number"}}},
            "Items": {"type": "list", "member": {"shape": "Item"}},
            "Item": {"type": "structure", "members": {"Plain": {"shape": "Text"},
                                                      "Hidden": {"shape": "Secret"}}},
            "Vars": {"type": "map", "key": {"shape": "Text"}, "value": {"shape": "Text"},
                     "sensitive": true},
            "SecretList": {"type": "list", "member": {"shape": "Secret"}},
            "LoginMap": {"type": "map", "key": {"shape": "Text"}, "value": {"shape": "Secret"}},
            "Secret": {"type": "string", "sensitive": true},
            "Text": {"type": "string"},
            "Number": {"type": "integer"}
        }
    }"#;

    #[test]
    fn members_the_model_marks_sensitive_are_hidden_whatever_their_shape() {
        let model = crate::model::ServiceModel::from_json(SENSITIVE_MODEL.as_bytes()).unwrap();
        let op = model.operation("Put").unwrap();
        let names = SensitiveNames::of(&model, op);
        let mut fields = names.fields.clone();
        fields.sort();
        // `Creds` and `Env` are sensitive containers, hidden whole; the sensitive structure's
        // own members are sensitive too (wherever else they appear).
        // Lists of secrets and maps to them go whole too (`Codes`, `Logins`).
        assert_eq!(
            fields,
            ["Codes", "Creds", "Env", "Hidden", "Logins", "Pin", "User", "Value"]
        );
        assert_eq!(names.headers, ["x-key"]);
        assert_eq!(
            (names.query.as_slice(), names.in_path),
            (&["q".to_string()][..], true)
        );
        assert_eq!(
            redact_url_of("https://x.example.com/s3cr3t-id?q=k3y&x=1", &names),
            "https://x.example.com/<redacted>?q=<redacted>&x=1"
        );
        let request = r#"{"Codes": ["c0de"], "Logins": {"graph.facebook.com": "t0ken"}}"#;
        let shown = describe_body(request.as_bytes(), &names);
        assert!(
            !shown.contains("c0de") && !shown.contains("t0ken"),
            "{shown}"
        );
        let form = "Codes.member.1=c0de&Logins.entry.1.value=t0ken&Name=n";
        let shown = redact_body_of(form, &names);
        assert!(
            !shown.contains("c0de") && !shown.contains("t0ken"),
            "{shown}"
        );
        assert!(shown.ends_with("Name=n"), "{shown}");

        let request = r#"{"Value": "s3cr3t", "Name": "n", "Env": {"DB_PASS": "pw", "N": 1}}"#;
        let shown = describe_body(request.as_bytes(), &names);
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("pw"),
            "{shown}"
        );
        assert!(
            !shown.contains("DB_PASS"),
            "a sensitive map's keys go too: {shown}"
        );
        assert!(shown.contains(r#""Name": "n""#), "{shown}");
        let response = r#"{"Creds": {"User": "u", "Pin": 1234}, "Count": 7,
                           "Items": [{"Plain": "p", "Hidden": "h1dden"}, {"Hidden": null}]}"#;
        let shown = describe_body(response.as_bytes(), &names);
        assert!(
            !shown.contains("1234") && !shown.contains("h1dden"),
            "{shown}"
        );
        assert!(shown.contains(r#""Count": 7"#) && shown.contains(r#""Plain": "p""#));
        assert!(
            serde_json::from_str::<serde_json::Value>(&shown).is_ok(),
            "still JSON: {shown}"
        );

        let mut headers = http::HeaderMap::new();
        headers.insert("x-key", http::HeaderValue::from_static("k3y"));
        headers.insert("x-other", http::HeaderValue::from_static("shown"));
        let shown = Headers(&headers, &names).to_string();
        assert!(!shown.contains("k3y") && shown.contains("shown"), "{shown}");

        // Query protocols name a list item's member at the end of the key.
        let form = "Action=Put&Items.member.1.Hidden=h1dden&Items.member.1.Plain=p";
        let shown = redact_body_of(form, &names);
        assert!(
            !shown.contains("h1dden") && shown.contains("Plain=p"),
            "{shown}"
        );
        let xml = "<PutOut><Creds><User>u</User><Pin>1234</Pin></Creds></PutOut>";
        assert!(!redact_body_of(xml, &names).contains("1234"));
    }

    #[test]
    fn a_json_value_of_any_kind_is_measured_whole() {
        for (text, len) in [
            (r#""a\"b", 1"#, 6),
            (r#"{"a": [1, "}"], "b": {}} ,"#, 24),
            ("[[], [[]]]]", 10),
            ("123, 4", 3),
            ("true}", 4),
            ("null", 4),
            ("-1.5e3", 6),
        ] {
            assert_eq!(json_value_len(text), Some(len), "{text}");
        }
        for cut in [r#""abc"#, r#"{"a": 1"#, "[1, 2"] {
            assert_eq!(json_value_len(cut), None, "{cut}");
        }
        // A value cut short hides everything after its name.
        let shown = redact_json_field(r#"{"Token": {"a": "secret"#, "Token");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn credential_bodies_show_only_their_length() {
        let body = Body::from(bytes::Bytes::from_static(b"AQAEAimdsToken=="));
        let shown = describe_request_body(&body, Exchange::Credentials);
        assert_eq!(shown, "(16 bytes, not shown)");
        let call = Exchange::Call(&NO_SENSITIVE_NAMES);
        assert!(describe_request_body(&body, call).contains("imdsToken"));
    }
}
