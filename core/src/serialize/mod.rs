//! Request serialization: (service model, operation, parameters) → method, path and query,
//! headers, body and host prefix, for each of botocore's six wire protocols.
//!
//! This module owns what the protocols share: the entry point, HTTP bindings of the REST
//! protocols (URI templates with greedy labels, query strings, headers and `headers` prefix maps),
//! the host prefix from `hostLabel` members, idempotency-token autofill from an injected source,
//! scalar conversions with botocore's per-protocol and per-location defaults, and joining the
//! request to an endpoint URL as botocore's `prepare_request_dict` does. Each protocol file
//! (`query`, `ec2`, `json`, `rest_json`, `rest_xml`, `rpc_v2_cbor`) turns a parameter tree into
//! a body and its protocol headers.
//!
//! Behaviour follows botocore 1.44.5, with two deliberate differences where botocore is
//! accidentally lossy: null members are skipped (never written as `null`/`None`), and explicit
//! query-string members win over a `querystring` map with the same key (Smithy's rule).
//!
//! Content-Length, checksums (Content-MD5, `x-amz-checksum-*`) and compression are not set
//! here. Their hook point is the [`SerializedRequest`] between [`serialize_request`] and
//! [`SerializedRequest::into_http`]: the pipeline's checksum and compression steps read and
//! replace `body` and add `headers` there, driven by the operation's `http_checksum_required`,
//! `http_checksum` and `request_compression`.
//! Serializers are total: any [`Value`] gives a request or a [`SerializeError`], never a panic.

mod ec2;
pub(crate) mod event;
mod json;
mod query;
mod rest_json;
mod rest_xml;
#[cfg(feature = "rpc-v2-cbor")]
mod rpc_v2_cbor;
mod scalar;
mod xml;

use std::borrow::Cow;
use std::fmt;

use http::header::{HeaderName, HeaderValue, HOST};
use http::HeaderMap;

use crate::body::Body;
use crate::model::{
    Location, Operation, Protocol, ServiceModel, ShapeKind, ShapeRef, Structure, TimestampFormat,
};
use crate::time::Timestamp;
use crate::value::{Map, Value};

pub(crate) use json::{python_dumps, python_str, write_str};
pub(crate) use scalar::*;

/// An HTTP request as a protocol serializer builds it, before it meets an endpoint.
#[derive(Debug)]
pub struct SerializedRequest {
    /// The HTTP method.
    pub method: http::Method,
    /// The percent-encoded path and query string (`/bucket/key?x-id=PutObject&versionId=1`),
    /// relative to the endpoint's own path.
    pub path_and_query: String,
    /// Headers the protocol sets (Content-Type, X-Amz-Target, bound members, …).
    pub headers: HeaderMap,
    /// The body: empty, bytes, or the caller's stream for a streaming payload.
    pub body: Body,
    /// The operation's expanded `endpoint.hostPrefix` (`foo.bar.`), prepended to the host.
    pub host_prefix: Option<String>,
    /// Where the URI template's path (and literal query) ends and bound query members begin:
    /// botocore joins only that part to the endpoint path.
    url_path_end: usize,
}

/// Why a request could not be serialized. Parameter paths read like `Tagging.TagSet[0].Key`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SerializeError {
    /// A value of the wrong kind for its shape.
    #[error("Invalid type for parameter {path}: expected {expected}, got {got}")]
    InvalidType {
        /// Parameter path.
        path: String,
        /// What the shape needs.
        expected: &'static str,
        /// The kind of value given.
        got: &'static str,
    },
    /// A member the shape does not define.
    #[error("Unknown parameter {path}")]
    UnknownParameter {
        /// Parameter path.
        path: String,
    },
    /// A string that is not a timestamp.
    #[error("Invalid timestamp for parameter {path}: {reason}")]
    InvalidTimestamp {
        /// Parameter path.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// The model speaks a protocol this build left out (a cargo feature of sansboto-core).
    #[error("protocol {0} is not built into this program (sansboto-core feature `rpc-v2-cbor`, on by default)")]
    ProtocolNotBuilt(&'static str),
    /// A `{Label}` of the request URI has no value.
    #[error("Missing URI label {0}")]
    MissingUriLabel(String),
    /// The operation's request URI template is malformed.
    #[error("Invalid request URI template {template:?}: {reason}")]
    InvalidUriTemplate {
        /// The template.
        template: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A `{Label}` of the host prefix has no value.
    #[error("Missing host label {0}")]
    MissingHostLabel(String),
    /// A host label value that would not make a valid host name.
    #[error("Invalid host label {name}: {value:?} must contain only alphanumeric characters, hyphen, or period")]
    InvalidHostLabel {
        /// Member name.
        name: String,
        /// The value given.
        value: String,
    },
    /// A header name or value HTTP cannot carry (the value is not repeated: it may be secret).
    #[error("Invalid header {name}: {reason}")]
    InvalidHeader {
        /// Header name.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A stream given where only the operation's streaming payload may be one.
    #[error("Parameter {path} is a stream, which is only allowed for the request payload")]
    UnexpectedStream {
        /// Parameter path.
        path: String,
    },
    /// The model lacks something the protocol needs (`targetPrefix`, `jsonVersion`).
    #[error("Service model has no {field}, which the {protocol} protocol needs")]
    MissingMetadata {
        /// The missing metadata field.
        field: &'static str,
        /// The protocol.
        protocol: &'static str,
    },
    /// The operation's HTTP method is not a valid method token.
    #[error("Invalid HTTP method {0:?}")]
    InvalidMethod(String),
    /// Parameters nested deeper than any shape needs (more than 128 levels of lists, maps and
    /// documents), refused before they are walked (botocore stops at Python's recursion limit).
    #[error("Parameters nest more than {0} levels deep")]
    TooDeep(usize),
    /// The endpoint URL cannot be joined with the request.
    #[error("Invalid endpoint URL {url:?}: {reason}")]
    InvalidEndpoint {
        /// The URL given.
        url: String,
        /// What is wrong.
        reason: String,
    },
}

/// How deeply parameters may nest (lists, maps and documents): as deep as a JSON body may
/// (serde_json's limit), far beyond any shape's nesting (DynamoDB's attribute values, the
/// deepest, stop at 32 levels). Validation and serialization refuse deeper values instead of
/// recursing until the stack overflows.
pub(crate) const MAX_NESTING: usize = 128;

/// Serialize `params` for `operation` with the model's protocol.
///
/// `tokens` supplies idempotency tokens (botocore uses a random UUID v4) for top-level
/// `idempotencyToken` members the caller left out; it is called once per missing token.
/// `params` is the operation's input structure ([`Value::Null`] means no parameters).
pub fn serialize_request(
    model: &ServiceModel,
    operation: &Operation,
    params: &Value,
    tokens: &mut dyn FnMut() -> String,
) -> Result<SerializedRequest, SerializeError> {
    serialize_call(model, operation, params, tokens, true)
}

/// [`serialize_request`] of parameters that were (`validated`) or were not validated: a call
/// made with `parameter_validation` off writes scalars of the wrong kind as botocore does
/// ([`WrongKinds`]), where a validated one refuses them.
pub(crate) fn serialize_call(
    model: &ServiceModel,
    operation: &Operation,
    params: &Value,
    tokens: &mut dyn FnMut() -> String,
    validated: bool,
) -> Result<SerializedRequest, SerializeError> {
    if params.nests_deeper_than(MAX_NESTING) {
        return Err(SerializeError::TooDeep(MAX_NESTING));
    }
    let empty = Map::default();
    let given = match params {
        Value::Map(m) => m,
        Value::Null => &empty,
        other => {
            return Err(SerializeError::InvalidType {
                path: Path::Root.to_string(),
                expected: "structure",
                got: other.kind(),
            })
        }
    };
    let input = input_structure(model, operation);
    let filled;
    let params = match input.and_then(|(_, s)| fill_idempotency_tokens(s, given, tokens)) {
        Some(with_tokens) => {
            filled = with_tokens;
            &filled
        }
        None => given,
    };
    let call = Call {
        model,
        operation,
        input,
        params,
        validated,
    };
    match model.protocol {
        Protocol::Query => query::serialize(&call),
        Protocol::Ec2 => ec2::serialize(&call),
        Protocol::Json => json::serialize(&call),
        Protocol::RestJson => rest_json::serialize(&call),
        Protocol::RestXml => rest_xml::serialize(&call),
        #[cfg(feature = "rpc-v2-cbor")]
        Protocol::RpcV2Cbor => rpc_v2_cbor::serialize(&call),
        #[cfg(not(feature = "rpc-v2-cbor"))]
        Protocol::RpcV2Cbor => Err(SerializeError::ProtocolNotBuilt("smithy-rpc-v2-cbor")),
    }
}

/// Room made in a request's header map when the serializer starts it: the headers it and the
/// pipeline set (content type, target, bound members, `Host`, `User-Agent`, checksums) and the
/// six each attempt adds when it is signed. Made once, so the map neither rehashes nor
/// reallocates as it fills: the first attempt sends this map itself, and the prepared request
/// keeps a copy for retries (`PreparedRequest::take_request`).
const REQUEST_HEADER_ROOM: usize = 16;

impl SerializedRequest {
    fn new(method: http::Method, path_and_query: String) -> Self {
        let url_path_end = path_and_query.len();
        SerializedRequest {
            method,
            path_and_query,
            headers: HeaderMap::with_capacity(REQUEST_HEADER_ROOM),
            body: Body::Empty,
            host_prefix: None,
            url_path_end,
        }
    }

    /// Join the request to an endpoint URL (`https://host[:port][/base/path]`): the endpoint's
    /// path is prefixed to the request path as botocore does, the host prefix is prepended to
    /// the host, and a `Host` header is set (without the scheme's default port).
    pub fn into_http(self, endpoint_url: &str) -> Result<http::Request<Body>, SerializeError> {
        self.into_http_at(&EndpointUrl::parse(endpoint_url)?)
    }

    /// [`into_http`](Self::into_http) with the endpoint URL taken apart already (a client
    /// keeps it with each endpoint it resolved).
    pub(crate) fn into_http_at(
        self,
        endpoint: &EndpointUrl,
    ) -> Result<http::Request<Body>, SerializeError> {
        let split = if self.path_and_query.is_char_boundary(self.url_path_end) {
            self.url_path_end
        } else {
            self.path_and_query.len()
        };
        let (url_path, bound_query) = self.path_and_query.split_at(split);
        let (scheme, authority) = (endpoint.scheme(), endpoint.authority());
        let (endpoint_path, endpoint_query) = (endpoint.path(), endpoint.query());
        let mut url = String::with_capacity(endpoint.url.len() + self.path_and_query.len() + 16);
        url.push_str(scheme);
        url.push_str("://");
        let host_start = url.len();
        if let Some(prefix) = &self.host_prefix {
            url.push_str(prefix);
        }
        url.push_str(authority);
        let host_end = url.len();
        if url_path.is_empty() || url_path == "/" {
            url.push_str(if endpoint_path.is_empty() {
                "/"
            } else {
                endpoint_path
            });
        } else if endpoint_path.ends_with('/') && url_path.starts_with('/') {
            url.push_str(&endpoint_path[..endpoint_path.len() - 1]);
            url.push_str(url_path);
        } else {
            url.push_str(endpoint_path);
            url.push_str(url_path);
        }
        // The bound query keeps its separator even when what was bound encodes to nothing (an
        // empty list): botocore's URL then ends in `?` (or `&`).
        for (part, bound) in [(endpoint_query, false), (bound_query, true)] {
            if !part.is_empty() {
                url.push(if url.contains('?') { '&' } else { '?' });
                url.push_str(if bound {
                    part.trim_start_matches(['?', '&'])
                } else {
                    part
                });
            }
        }

        let mut headers = self.headers;
        let host = if headers.contains_key(HOST) {
            None
        } else if self.host_prefix.is_some() {
            Some(host_header(scheme, &url[host_start..host_end]))
        } else {
            Some(endpoint.host.clone())
        };
        let uri = http::Uri::try_from(url).map_err(|e| endpoint.bad(&e.to_string()))?;
        if let Some(host) = host {
            let value = host.ok_or_else(|| endpoint.bad("host is not a valid header"))?;
            headers.insert(HOST, value);
        }
        let mut request = http::Request::new(self.body);
        *request.method_mut() = self.method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        Ok(request)
    }
}

/// An endpoint URL (`https://host[:port][/base/path][?query]`) taken apart once: its parts and
/// the `Host` header of a request sent to it. A client keeps one with each endpoint it
/// resolved, so a call neither parses the URL nor lower-cases its host again.
#[derive(Clone, Debug)]
pub(crate) struct EndpointUrl {
    url: String,
    /// `url[..scheme_end]` is the scheme; the authority follows its `://`.
    scheme_end: usize,
    authority_end: usize,
    /// Where the path ends (its query, if any, follows a `?`); the URL's fragment is dropped.
    path_end: usize,
    query_end: usize,
    /// The `Host` header of a request with no host prefix (`None`: not a valid header value,
    /// which a call reports after checking its URI, as it always did).
    host: Option<HeaderValue>,
}

impl EndpointUrl {
    /// Take `url` apart; refused as [`SerializeError::InvalidEndpoint`] without a scheme, without
    /// a host or with a port that is not one.
    pub(crate) fn parse(url: &str) -> Result<Self, SerializeError> {
        let bad = |reason: &str| SerializeError::InvalidEndpoint {
            url: url.to_string(),
            reason: reason.to_string(),
        };
        let scheme_end = url.find("://").ok_or_else(|| bad("no scheme"))?;
        let authority_start = scheme_end + 3;
        let rest = &url[authority_start..];
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let authority_end = authority_start + rest.find(['/', '?']).unwrap_or(rest.len());
        let after_end = authority_start + rest.len();
        let after = &url[authority_end..after_end];
        let path_end = authority_end + after.find('?').unwrap_or(after.len());
        let authority = &url[authority_start..authority_end];
        if authority.is_empty() {
            return Err(bad("no host"));
        }
        check_port(authority).map_err(|reason| bad(&reason))?;
        let host = host_header(&url[..scheme_end], authority);
        Ok(EndpointUrl {
            url: url.to_string(),
            scheme_end,
            authority_end,
            path_end,
            query_end: after_end,
            host,
        })
    }

    fn scheme(&self) -> &str {
        &self.url[..self.scheme_end]
    }

    fn authority(&self) -> &str {
        &self.url[self.scheme_end + 3..self.authority_end]
    }

    fn path(&self) -> &str {
        &self.url[self.authority_end..self.path_end]
    }

    /// The query without its `?` (empty when there is none).
    fn query(&self) -> &str {
        self.url
            .get(self.path_end + 1..self.query_end)
            .unwrap_or_default()
    }

    fn bad(&self, reason: &str) -> SerializeError {
        SerializeError::InvalidEndpoint {
            url: self.url.clone(),
            reason: reason.to_string(),
        }
    }
}

/// The `Host` header for `authority` (the host prefix already prepended), `None` when it is not
/// a valid header value. Host names are case-insensitive and botocore signs the host lower-cased
/// (it reads it from `urlsplit(url).hostname`), so a mixed-case endpoint (an Object Lambda access
/// point named `MyAP`) must sign the same way; the scheme's default port is left out (the
/// scheme read in any case, as `urlsplit` lower-cases it: `HTTPS://host:443` signs `host`).
fn host_header(scheme: &str, authority: &str) -> Option<HeaderValue> {
    let host = authority.to_ascii_lowercase();
    let default_port = if scheme.eq_ignore_ascii_case("https") {
        Some(":443")
    } else if scheme.eq_ignore_ascii_case("http") {
        Some(":80")
    } else {
        None
    };
    let host = match default_port {
        Some(port) => host.strip_suffix(port).unwrap_or(&host),
        None => &host,
    };
    HeaderValue::from_str(host).ok()
}

/// Everything a protocol serializer needs about one call.
pub(crate) struct Call<'a> {
    pub model: &'a ServiceModel,
    pub operation: &'a Operation,
    /// The input reference and its structure, when the operation has an input.
    pub input: Option<(&'a ShapeRef, &'a Structure)>,
    /// The parameters, with idempotency tokens filled in.
    pub params: &'a Map,
    /// Whether the parameters were validated: when not, scalars of the wrong kind are written
    /// as botocore writes them ([`WrongKinds`]).
    pub validated: bool,
}

impl Call<'_> {
    /// The operation's HTTP method (POST when the model sets none).
    pub(crate) fn method(&self) -> Result<http::Method, SerializeError> {
        http::Method::from_bytes(self.operation.http.method.as_bytes())
            .map_err(|_| SerializeError::InvalidMethod(self.operation.http.method.clone()))
    }

    /// The expanded host prefix (see [`expand_host_prefix`]).
    pub(crate) fn host_prefix(&self) -> Result<Option<String>, SerializeError> {
        expand_host_prefix(self)
    }
}

pub(crate) fn input_structure<'m>(
    model: &'m ServiceModel,
    operation: &'m Operation,
) -> Option<(&'m ShapeRef, &'m Structure)> {
    let input = operation.input.as_ref()?;
    model.shape(input.shape).as_structure().map(|s| (input, s))
}

/// A copy of `params` with a token for each top-level idempotency-token member left out
/// (`None` when nothing is missing, so the common case copies nothing).
fn fill_idempotency_tokens(
    input: &Structure,
    params: &Map,
    tokens: &mut dyn FnMut() -> String,
) -> Option<Map> {
    if missing_idempotency_tokens(input, params).is_empty() {
        return None;
    }
    let mut filled = params.clone();
    fill_idempotency_tokens_in(input, &mut filled, tokens);
    Some(filled)
}

/// botocore's `generate_idempotent_uuid`, a `before-parameter-build` handler (so a call that
/// leaves a *required* token out is valid): each top-level idempotency-token member left out —
/// or null, which is left out — gets `tokens()`, added last as Python's dict assignment adds it.
pub(crate) fn fill_idempotency_tokens_in(
    input: &Structure,
    params: &mut Map,
    tokens: &mut dyn FnMut() -> String,
) {
    for name in missing_idempotency_tokens(input, params) {
        params.shift_remove(name);
        params.insert(name.into(), Value::String(tokens().into()));
    }
}

/// The top-level idempotency-token members `params` leaves out (or sets to null).
fn missing_idempotency_tokens<'i>(input: &'i Structure, params: &Map) -> Vec<&'i str> {
    input
        .members
        .iter()
        .filter(|(name, m)| {
            m.idempotency_token && params.get(name.as_str()).is_none_or(Value::is_null)
        })
        .map(|(name, _)| name.as_str())
        .collect()
}

/// Expand `endpoint.hostPrefix`: each `{Name}` is the value of the `hostLabel` member `Name`,
/// which must be letters, digits, `-` or `.` (botocore's rule).
fn expand_host_prefix(call: &Call<'_>) -> Result<Option<String>, SerializeError> {
    let Some(template) = &call.operation.host_prefix else {
        return Ok(None);
    };
    let Some((_, input)) = call.input else {
        return Ok(Some(template.clone()));
    };
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| SerializeError::MissingHostLabel(after.to_string()))?;
        let name = &after[..close];
        let is_label = input.members.get(name).is_some_and(|m| m.host_label);
        let value = call
            .params
            .get(name)
            .filter(|_| is_label)
            .and_then(Value::as_str)
            .ok_or_else(|| SerializeError::MissingHostLabel(name.to_string()))?;
        let valid = !value.is_empty()
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !valid {
            return Err(SerializeError::InvalidHostLabel {
                name: name.to_string(),
                value: value.to_string(),
            });
        }
        out.push_str(value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(Some(out))
}

// ---------------------------------------------------------------------------------------------
// Parameter paths (built on the stack while walking; rendered only for errors)

/// Where a value sits in the parameters.
#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    /// The input structure itself.
    Root,
    /// A structure member.
    Member(&'a Path<'a>, &'a str),
    /// A list item.
    Index(&'a Path<'a>, usize),
    /// A map entry.
    Key(&'a Path<'a>, &'a str),
}

impl<'a> Path<'a> {
    pub(crate) fn member(&'a self, name: &'a str) -> Path<'a> {
        Path::Member(self, name)
    }
    pub(crate) fn index(&'a self, i: usize) -> Path<'a> {
        Path::Index(self, i)
    }
    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => f.write_str("input"),
            Path::Member(Path::Root, name) => f.write_str(name),
            Path::Member(parent, name) | Path::Key(parent, name) => write!(f, "{parent}.{name}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP bindings of the REST protocols (and what RPC protocols need of them)

/// Default timestamp format of URI labels and query strings in REST protocols.
const QUERY_TIMESTAMP_FORMAT: TimestampFormat = TimestampFormat::Iso8601;
/// Default timestamp format of headers in every protocol.
const HEADER_TIMESTAMP_FORMAT: TimestampFormat = TimestampFormat::Rfc822;

/// The parts of a REST request that come from members bound to the URI, query and headers.
pub(crate) struct HttpBindings {
    /// Rendered URI template plus bound query members.
    pub path_and_query: String,
    /// Length of the rendered template (see [`SerializedRequest::url_path_end`]).
    pub url_path_end: usize,
    /// Bound headers.
    pub headers: HeaderMap,
    /// Some parameter is a body member (no location).
    pub has_body_members: bool,
}

/// A query parameter collected before encoding; `from_map` entries yield to explicit members.
struct QueryParam<'v> {
    key: Cow<'v, str>,
    values: QueryValues<'v>,
    from_map: bool,
}

enum QueryValues<'v> {
    One(Cow<'v, str>),
    Many(Vec<Cow<'v, str>>),
}

/// Bind members with a `uri`, `querystring`, `header` or `headers` location.
pub(crate) fn http_bindings(
    call: &Call<'_>,
    input: &Structure,
) -> Result<HttpBindings, SerializeError> {
    let model = call.model;
    let wrong = WrongKinds::binding(call.validated);
    // A template has a label or two (S3's `{Bucket}` and `{Key+}`): kept on the stack.
    let mut labels: smallvec::SmallVec<[(&str, Cow<'_, str>); 4]> = smallvec::SmallVec::new();
    let mut query: Vec<QueryParam<'_>> = Vec::new();
    let mut headers = HeaderMap::with_capacity(REQUEST_HEADER_ROOM);
    let mut has_body_members = false;
    let root = Path::Root;
    for (name, value) in call.params {
        let path = root.member(name);
        let member =
            input
                .members
                .get(name.as_str())
                .ok_or_else(|| SerializeError::UnknownParameter {
                    path: path.to_string(),
                })?;
        if value.is_null() {
            continue;
        }
        match member.location {
            Location::Uri => {
                labels.push((
                    member.wire_name(),
                    binding_text(model, member, value, &path, wrong)?,
                ));
            }
            Location::QueryString => {
                bind_query(model, member, value, &path, wrong, &mut query)?;
            }
            Location::Header => {
                if let Some(text) = header_text(model, member, value, &path, wrong)? {
                    let sensitive = model.shape(member.shape).sensitive;
                    insert_header(&mut headers, member.wire_name(), &text, sensitive)?;
                }
            }
            Location::Headers => {
                let prefix = member.wire_name();
                let sensitive = match &model.shape(member.shape).kind {
                    ShapeKind::Map { value, .. } => model.shape(value.shape).sensitive,
                    _ => false,
                } || model.shape(member.shape).sensitive;
                for (key, v) in expect_map(value, &path)? {
                    let text = expect_str(v, &path.key(key))?;
                    // Inline up to 24 bytes (`x-amz-meta-` and a short key): the name is
                    // copied into the header map, so a heap buffer here was one more
                    // allocation per header.
                    let mut header =
                        compact_str::CompactString::with_capacity(prefix.len() + key.len());
                    header.push_str(prefix);
                    header.push_str(key);
                    insert_header(&mut headers, &header, text, sensitive)?;
                }
            }
            Location::Body | Location::StatusCode => has_body_members = true,
        }
    }

    let template = &call.operation.http.request_uri;
    let mut path_and_query = String::with_capacity(template.len() + 64);
    render_uri_template(template, &labels, &mut path_and_query)?;
    let url_path_end = path_and_query.len();
    let mut separator = if path_and_query.contains('?') {
        '&'
    } else {
        '?'
    };
    for param in &query {
        let mut pair = |value: &str| {
            path_and_query.push(separator);
            separator = '&';
            percent_encode_into(&mut path_and_query, &param.key);
            path_and_query.push('=');
            percent_encode_into(&mut path_and_query, value);
        };
        match &param.values {
            QueryValues::One(v) => pair(v),
            QueryValues::Many(vs) => vs.iter().for_each(|v| pair(v)),
        }
    }
    // A member bound to nothing but an empty list still opens the query, as botocore's URL
    // does (`/tags/arn?`): an empty query under every signer's reading. After a literal query
    // botocore would end the URL in `&` (`/conversations?sync&`) and sign that empty piece as
    // `=&sync=`, where AWS's other signers (the CRT botocore uses when installed, aws-sdk-rust,
    // Go's) drop empty pieces: a verifier of either reading could refuse one of the two, so
    // nothing is added there, and the request is the one botocore sends without the list.
    if !query.is_empty() && path_and_query.len() == url_path_end && separator == '?' {
        path_and_query.push(separator);
    }
    Ok(HttpBindings {
        path_and_query,
        url_path_end,
        headers,
        has_body_members,
    })
}

/// Expand `{Name}` (percent-encoding `/` too) and greedy `{Name+}` labels.
fn render_uri_template(
    template: &str,
    labels: &[(&str, Cow<'_, str>)],
    out: &mut String,
) -> Result<(), SerializeError> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| SerializeError::InvalidUriTemplate {
                template: template.to_string(),
                reason: "unclosed label",
            })?;
        let label = &after[..close];
        let (name, greedy) = match label.strip_suffix('+') {
            Some(name) => (name, true),
            None => (label, false),
        };
        let value = labels
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| SerializeError::MissingUriLabel(name.to_string()))?;
        if greedy {
            percent_encode_greedy_into(out, value);
        } else {
            percent_encode_into(out, value);
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(())
}

fn bind_query<'v>(
    model: &ServiceModel,
    member: &'v ShapeRef,
    value: &'v Value,
    path: &Path<'_>,
    wrong: WrongKinds,
    query: &mut Vec<QueryParam<'v>>,
) -> Result<(), SerializeError> {
    match &model.shape(member.shape).kind {
        ShapeKind::Map {
            value: value_ref, ..
        } => {
            // A map of parameters: each entry is its own key, unless a member names it.
            let is_list = matches!(model.shape(value_ref.shape).kind, ShapeKind::List(_));
            for (key, v) in expect_map(value, path)? {
                let path = path.key(key);
                if v.is_null() || query.iter().any(|q| q.key == key.as_str()) {
                    continue;
                }
                let values = match (is_list, v) {
                    (true, Value::List(items)) => QueryValues::Many(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| expect_str(item, &path.index(i)).map(Cow::Borrowed))
                            .collect::<Result<_, _>>()?,
                    ),
                    _ => QueryValues::One(Cow::Borrowed(expect_str(v, &path)?)),
                };
                query.push(QueryParam {
                    key: Cow::Borrowed(key),
                    values,
                    from_map: true,
                });
            }
        }
        ShapeKind::List(item_ref) => {
            let items = expect_list(value, path)?;
            let values = items
                .iter()
                .enumerate()
                .filter(|(_, item)| !item.is_null())
                .map(|(i, item)| binding_text(model, item_ref, item, &path.index(i), wrong))
                .collect::<Result<Vec<_>, _>>()?;
            push_explicit_query(query, member.wire_name(), QueryValues::Many(values));
        }
        _ => {
            let text = binding_text(model, member, value, path, wrong)?;
            push_explicit_query(query, member.wire_name(), QueryValues::One(text));
        }
    }
    Ok(())
}

/// An explicit query member replaces a map entry of the same key (in the map entry's place).
fn push_explicit_query<'v>(query: &mut Vec<QueryParam<'v>>, key: &'v str, values: QueryValues<'v>) {
    match query.iter_mut().find(|q| q.key == key) {
        Some(existing) => {
            existing.values = values;
            existing.from_map = false;
        }
        None => query.push(QueryParam {
            key: Cow::Borrowed(key),
            values,
            from_map: false,
        }),
    }
}

/// The text of a scalar bound to a URI label or query string.
fn binding_text<'v>(
    model: &ServiceModel,
    member: &ShapeRef,
    value: &'v Value,
    path: &Path<'_>,
    wrong: WrongKinds,
) -> Result<Cow<'v, str>, SerializeError> {
    scalar_text(model, member, value, path, QUERY_TIMESTAMP_FORMAT, wrong)
}

/// The text form of a scalar: booleans lower-case, numbers as botocore prints them, blobs in
/// base64, timestamps in the member's format (else `default_format`); strings and booleans
/// borrowed, the rest written by [`push_scalar_text`], as are values of the wrong kind.
pub(crate) fn scalar_text<'v>(
    model: &ServiceModel,
    member: &ShapeRef,
    value: &'v Value,
    path: &Path<'_>,
    default_format: TimestampFormat,
    wrong: WrongKinds,
) -> Result<Cow<'v, str>, SerializeError> {
    let kind = &model.shape(member.shape).kind;
    match (kind, value.as_str(), value.as_bool()) {
        (ShapeKind::String, Some(s), _) => Ok(Cow::Borrowed(s)),
        (ShapeKind::Boolean, _, Some(b)) => Ok(Cow::Borrowed(bool_text(b))),
        _ => {
            let mut out = String::new();
            push_scalar_text(kind, member, value, path, default_format, wrong, &mut out)?;
            Ok(Cow::Owned(out))
        }
    }
}

/// [`scalar_text`] written at the end of `out` (the query and XML bodies write it in place).
/// A value of the wrong kind is refused, or written as botocore writes it (`wrong`).
pub(crate) fn push_scalar_text(
    kind: &ShapeKind,
    member: &ShapeRef,
    value: &Value,
    path: &Path<'_>,
    default_format: TimestampFormat,
    wrong: WrongKinds,
    out: &mut String,
) -> Result<(), SerializeError> {
    if float_for_integer(kind, value, wrong) && push_python_text(kind, value, wrong, out) {
        return Ok(());
    }
    match push_scalar_text_of_kind(kind, member, value, path, default_format, out) {
        Err(refused @ SerializeError::InvalidType { .. }) => {
            match push_python_text(kind, value, wrong, out) {
                true => Ok(()),
                false => Err(refused),
            }
        }
        written => written,
    }
}

/// [`push_scalar_text`] of a value of its shape's kind.
fn push_scalar_text_of_kind(
    kind: &ShapeKind,
    member: &ShapeRef,
    value: &Value,
    path: &Path<'_>,
    default_format: TimestampFormat,
    out: &mut String,
) -> Result<(), SerializeError> {
    match kind {
        ShapeKind::String => out.push_str(expect_str(value, path)?),
        ShapeKind::Boolean => out.push_str(bool_text(expect_bool(value, path)?)),
        ShapeKind::Byte
        | ShapeKind::Short
        | ShapeKind::Integer
        | ShapeKind::Long
        | ShapeKind::BigInteger => push_int(out, expect_int(value, path)?),
        ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal => {
            push_number(out, expect_number(value, path)?)
        }
        ShapeKind::Timestamp => push_timestamp(
            out,
            expect_timestamp(value, path)?,
            member.timestamp_format.unwrap_or(default_format),
        ),
        ShapeKind::Blob => push_base64(out, expect_blob(value, path)?),
        ShapeKind::Structure(_) | ShapeKind::List(_) | ShapeKind::Map { .. } => {
            return Err(invalid_type(path, "scalar", value))
        }
    }
    Ok(())
}

/// A boolean as botocore writes it outside JSON.
fn bool_text(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// The value of a `header` member as botocore writes it (`None` for an empty list, which sets
/// no header): timestamps in whole seconds (RFC 822 by default), lists joined by `,` with
/// strings quoted when they hold `,` or `"`, `jsonvalue` strings as base64 of compact JSON.
pub(crate) fn header_text<'v>(
    model: &ServiceModel,
    member: &ShapeRef,
    value: &'v Value,
    path: &Path<'_>,
    wrong: WrongKinds,
) -> Result<Option<Cow<'v, str>>, SerializeError> {
    let shape = model.shape(member.shape);
    match &shape.kind {
        ShapeKind::Timestamp => {
            let t = expect_timestamp(value, path)?;
            let mut out = String::new();
            push_timestamp(
                &mut out,
                Timestamp::from_secs(t.secs()),
                member.timestamp_format.unwrap_or(HEADER_TIMESTAMP_FORMAT),
            );
            Ok(Some(Cow::Owned(out)))
        }
        ShapeKind::List(item) => {
            let items = expect_list(value, path)?;
            if items.is_empty() {
                return Ok(None);
            }
            let item_is_string = matches!(model.shape(item.shape).kind, ShapeKind::String);
            let mut out = String::new();
            for (i, v) in items.iter().enumerate().filter(|(_, v)| !v.is_null()) {
                let path = path.index(i);
                if !out.is_empty() {
                    out.push(',');
                }
                if item_is_string {
                    let s = expect_str(v, &path)?;
                    if s.contains([',', '"']) {
                        out.push('"');
                        out.push_str(&s.replace('"', "\\\""));
                        out.push('"');
                    } else {
                        out.push_str(s);
                    }
                } else if let Some(text) = header_text(model, item, v, &path, wrong)? {
                    out.push_str(&text);
                }
            }
            Ok(Some(Cow::Owned(out)))
        }
        ShapeKind::String if member.jsonvalue => {
            let mut json = String::new();
            json::write_document(&mut json, value, json::JsonStyle::Compact, path)?;
            let mut out = String::with_capacity(json.len() * 4 / 3 + 4);
            push_base64(&mut out, json.as_bytes());
            Ok(Some(Cow::Owned(out)))
        }
        _ => scalar_text(model, member, value, path, HEADER_TIMESTAMP_FORMAT, wrong).map(Some),
    }
}

/// Set a header, reporting names and values HTTP cannot carry. Values of `sensitive` shapes
/// (SSE-C keys, …) are marked so `Debug` output never shows them.
pub(crate) fn insert_header(
    headers: &mut HeaderMap,
    name: &str,
    value: &str,
    sensitive: bool,
) -> Result<(), SerializeError> {
    let header =
        HeaderName::from_bytes(name.as_bytes()).map_err(|_| SerializeError::InvalidHeader {
            name: name.to_string(),
            reason: "not a valid header name",
        })?;
    let mut value = HeaderValue::from_str(value).map_err(|_| SerializeError::InvalidHeader {
        name: name.to_string(),
        reason: "value contains characters a header cannot carry",
    })?;
    value.set_sensitive(sensitive);
    headers.insert(header, value);
    Ok(())
}

/// Set a header whose name and value are known-good constants or model strings.
pub(crate) fn insert_static_header(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(HeaderName::from_static(name), v);
    }
}

/// `x-amzn-query-mode: true` for services marked `awsQueryCompatible` (JSON and CBOR).
pub(crate) fn query_compatible_header(call: &Call<'_>, headers: &mut HeaderMap) {
    if call.model.metadata.aws_query_compatible {
        headers.insert(
            HeaderName::from_static("x-amzn-query-mode"),
            HeaderValue::from_static("true"),
        );
    }
}

/// The payload member of a REST input (named by the input reference or its structure) and
/// whether it is a raw blob, string or event-stream body.
pub(crate) fn payload_member<'a>(call: &Call<'a>) -> Option<(&'a str, &'a ShapeRef, bool)> {
    let (_, input) = call.input?;
    let name = call.operation.input_payload.as_deref()?;
    let member = input.members.get(name)?;
    // An event stream is raw too: the transport's stream of encoded, signed events.
    let raw = match &call.model.shape(member.shape).kind {
        ShapeKind::Blob | ShapeKind::String => true,
        ShapeKind::Structure(s) => s.eventstream,
        _ => false,
    };
    Some((name, member, raw))
}

/// The body of a blob or string payload: the caller's stream, blob or string bytes.
pub(crate) fn raw_payload(value: Option<&Value>, path: &Path<'_>) -> Result<Body, SerializeError> {
    match value {
        None | Some(Value::Null) => Ok(Body::Empty),
        Some(Value::Stream(s)) => Ok(Body::Stream(s.clone())),
        Some(Value::Blob(b)) => Ok(Body::from(b.clone())),
        Some(Value::String(s)) => Ok(Body::from(bytes::Bytes::copy_from_slice(s.as_bytes()))),
        Some(other) => Err(invalid_type(path, "blob, string or stream", other)),
    }
}

/// Finish a REST request from its bindings.
pub(crate) fn rest_request(
    call: &Call<'_>,
    bindings: HttpBindings,
    body: Body,
) -> Result<SerializedRequest, SerializeError> {
    Ok(SerializedRequest {
        method: call.method()?,
        path_and_query: bindings.path_and_query,
        headers: bindings.headers,
        body,
        host_prefix: call.host_prefix()?,
        url_path_end: bindings.url_path_end,
    })
}

/// A REST request for an operation without input: the request URI as it stands.
pub(crate) fn rest_request_without_input(
    call: &Call<'_>,
) -> Result<SerializedRequest, SerializeError> {
    let mut request =
        SerializedRequest::new(call.method()?, call.operation.http.request_uri.clone());
    request.url_path_end = request
        .path_and_query
        .find('?')
        .unwrap_or(request.path_and_query.len());
    request.host_prefix = call.host_prefix()?;
    Ok(request)
}

/// The endpoint's port, when it has one, must be a number from 0 to 65535 (an `http` URI
/// would otherwise take `:99999` and the request go to the scheme's default port); the reasons
/// are the ones botocore's URL parsing gives when the call is made.
fn check_port(authority: &str) -> Result<(), String> {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    // An IPv6 literal's colons are inside its brackets.
    let after_host = match host_port.rfind(']') {
        Some(end) => &host_port[end + 1..],
        None => host_port,
    };
    let Some((_, port)) = after_host.rsplit_once(':') else {
        return Ok(());
    };
    if port.is_empty() {
        return Ok(());
    }
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "Port could not be cast to integer value as '{port}'"
        ));
    }
    match port.parse::<u32>() {
        Ok(p) if p <= 65_535 => Ok(()),
        _ => Err("Port out of range 0-65535".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params;

    #[test]
    fn uri_labels_encode_everything_but_unreserved() {
        let labels = [
            ("Bucket", Cow::Borrowed("a b/c")),
            ("Key", Cow::Borrowed("d/e f~.txt")),
        ];
        let mut out = String::new();
        render_uri_template("/{Bucket}/{Key+}?x-id=Put", &labels, &mut out).unwrap();
        assert_eq!(out, "/a%20b%2Fc/d/e%20f~.txt?x-id=Put");
        let err = render_uri_template("/{Missing}", &labels, &mut String::new()).unwrap_err();
        assert_eq!(err.to_string(), "Missing URI label Missing");
    }

    const MODEL: &str = r#"{
      "metadata": {"apiVersion": "2020-01-01", "protocol": "rest-json", "endpointPrefix": "svc"},
      "operations": {"Put": {"name": "Put", "http": {"method": "PUT", "requestUri": "/{Bucket}/{Key+}"},
                     "input": {"shape": "PutInput"}, "endpoint": {"hostPrefix": "{Account}."}}},
      "shapes": {
        "PutInput": {"type": "structure", "members": {
            "Bucket": {"shape": "Str", "location": "uri", "locationName": "Bucket"},
            "Key": {"shape": "Str", "location": "uri", "locationName": "Key"},
            "Account": {"shape": "Str", "hostLabel": true, "location": "header", "locationName": "x-account"},
            "Token": {"shape": "Str", "idempotencyToken": true, "location": "querystring", "locationName": "token"}}},
        "Str": {"type": "string"}
      }}"#;

    fn serialize(params: Value) -> Result<SerializedRequest, SerializeError> {
        let model = ServiceModel::from_json(MODEL.as_bytes()).unwrap();
        let op = model.operation("Put").unwrap();
        serialize_request(&model, op, &params, &mut || "tok".to_string())
    }

    #[test]
    fn joins_endpoint_path_host_prefix_and_token() {
        let req = serialize(params! {"Bucket": "b", "Key": "k/1", "Account": "123"}).unwrap();
        assert_eq!(req.path_and_query, "/b/k/1?token=tok");
        assert_eq!(req.host_prefix.as_deref(), Some("123."));
        let http = req.into_http("https://example.com:443/base/").unwrap();
        assert_eq!(
            http.uri().to_string(),
            "https://123.example.com:443/base/b/k/1?token=tok"
        );
        assert_eq!(http.headers()["host"], "123.example.com");
        assert_eq!(http.headers()["x-account"], "123");
    }

    #[test]
    fn an_endpoint_url_taken_apart_once_serves_every_request() {
        let endpoint = EndpointUrl::parse("https://Example.COM:443/base/?a=1#frag").unwrap();
        let req = || serialize(params! {"Bucket": "b", "Key": "k/1", "Account": "123"}).unwrap();
        let mut plain = req();
        plain.host_prefix = None;
        for (request, uri, host) in [
            (
                req(),
                "https://123.Example.COM:443/base/b/k/1?a=1&token=tok",
                "123.example.com",
            ),
            (
                plain,
                "https://Example.COM:443/base/b/k/1?a=1&token=tok",
                "example.com",
            ),
        ] {
            let http = request.into_http_at(&endpoint).unwrap();
            assert_eq!(http.uri().to_string(), uri);
            assert_eq!(http.headers()["host"], host);
        }
        // The scheme is read in any case, as `urlsplit` reads it.
        let mut upper = req();
        upper.host_prefix = None;
        let http = upper.into_http("HTTPS://Example.COM:443").unwrap();
        assert_eq!(http.headers()["host"], "example.com");
        // A scheme without a default port keeps the port; a path-less URL gets the request's.
        let http = req().into_http("ftp://H:21").unwrap();
        assert_eq!(http.uri().to_string(), "ftp://123.H:21/b/k/1?token=tok");
        assert_eq!(http.headers()["host"], "123.h:21");
        // The URI's own refusal comes first, as when the URL was parsed per request.
        match req().into_http("http://a b/") {
            Err(SerializeError::InvalidEndpoint { reason, .. }) => {
                assert_ne!(reason, "host is not a valid header")
            }
            other => panic!("{other:?}"),
        }
        for (url, reason) in [("example.com", "no scheme"), ("https:///x", "no host")] {
            match EndpointUrl::parse(url) {
                Err(SerializeError::InvalidEndpoint { url: u, reason: r }) => {
                    assert_eq!((u.as_str(), r.as_str()), (url, reason))
                }
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    #[test]
    fn an_endpoint_port_out_of_range_is_refused() {
        let req = || serialize(params! {"Bucket": "b", "Key": "k", "Account": "1"}).unwrap();
        for (url, reason) in [
            ("http://127.0.0.1:99999", "Port out of range 0-65535"),
            ("http://127.0.0.1:65536/x", "Port out of range 0-65535"),
            ("http://user@[::1]:70000", "Port out of range 0-65535"),
            (
                "http://127.0.0.1:-1",
                "Port could not be cast to integer value as '-1'",
            ),
        ] {
            match req().into_http(url) {
                Err(SerializeError::InvalidEndpoint { url: u, reason: r }) => {
                    assert_eq!((u.as_str(), r.as_str()), (url, reason))
                }
                other => panic!("{url}: {other:?}"),
            }
        }
        for url in [
            "http://127.0.0.1:65535",
            "http://[::1]:8080/",
            "http://h:",
            "https://h",
        ] {
            assert!(req().into_http(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let err = serialize(params! {"Bucket": "b", "Account": "1"}).unwrap_err();
        assert_eq!(err.to_string(), "Missing URI label Key");
        let err = serialize(params! {"Bucket": "b", "Key": "k", "Account": "Foo.Bar/x"})
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("Invalid host label Account:"), "{err}");
        let err = serialize(params! {"Bucket": 3, "Key": "k", "Account": "a"}).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid type for parameter Bucket: expected string, got integer"
        );
        let err = serialize(params! {"Nope": 1}).unwrap_err();
        assert_eq!(err.to_string(), "Unknown parameter Nope");
        assert!(serialize(Value::from(3)).is_err());
    }
}
