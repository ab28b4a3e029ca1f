//! Flexible checksums as botocore 1.44 applies them (`httpchecksum.py`): which algorithm a
//! request gets and where (header or `aws-chunked` trailer), and validation of response bodies
//! against `x-amz-checksum-*` headers.
//!
//! Request side, in the pipeline's order: [`resolve_request_checksum`] right after
//! serialization (it looks at the serialized headers and the parameters), then — after the
//! `BeforeCall` hooks and compression — [`apply_request_checksum`], which computes a header
//! checksum over an in-memory body, or frames the body as `aws-chunked` with the checksum in a
//! trailer. In-memory bodies are framed here; a streamed body is left to the transport, told
//! what to do by an [`AwsChunkedBody`] request extension (the encoder is
//! [`crate::checksum::AwsChunkedEncoder`]).
//!
//! Response side: [`response_algorithms`] (from the parameters, before sending), then
//! [`select_response_checksum`] on the response headers and [`validate_response_body`] for an
//! in-memory body or a [`ResponseChecksumValidator`] fed by the transport for a streamed one.
//!
//! botocore 1.44 no longer sends `Content-MD5` by itself: `httpChecksumRequired` operations get
//! a CRC32 like any other required checksum. [`apply_content_md5`] exists for callers that need
//! the old behaviour (stores that reject CRC32), outside the default pipeline.

use std::str::FromStr;

use base64::Engine as _;
use bytes::Bytes;

use crate::body::Body;
use crate::checksum::{
    aws_chunked_encoded_length, checksum, content_md5, AwsChunkedEncoder, Checksum,
    ChecksumAlgorithm, DEFAULT_CHUNK_SIZE,
};
use crate::error::transport::{TransportError, TransportErrorKind};
use crate::header_names::{
    CONTENT_MD5, X_AMZ_CONTENT_SHA256, X_AMZ_DECODED_CONTENT_LENGTH, X_AMZ_TRAILER,
};
use crate::model::{Operation, ServiceModel};
use crate::value::{Map, Value};

/// The payload hash a request with a trailing checksum is signed with.
pub(crate) const STREAMING_UNSIGNED_PAYLOAD_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/// `request_checksum_calculation`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RequestChecksumCalculation {
    /// Checksum every operation that supports one (botocore's default).
    #[default]
    WhenSupported,
    /// Only operations that require one.
    WhenRequired,
}

/// `response_checksum_validation`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResponseChecksumValidation {
    /// Validate whenever the operation supports it (botocore's default: `ChecksumMode` is set).
    #[default]
    WhenSupported,
    /// Only when the caller enabled it.
    WhenRequired,
}

impl RequestChecksumCalculation {
    /// The setting's text as botocore reads it (`_handle_checksum_config`): lower-cased, then
    /// `when_supported` or `when_required`, nothing else (no spaces, not empty). ASCII
    /// lower-casing is Python's `str.lower` here: the only other letter it lowers to ASCII is
    /// the Kelvin sign, to a `k` neither word has.
    pub fn from_setting(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "when_supported" => Some(Self::WhenSupported),
            "when_required" => Some(Self::WhenRequired),
            _ => None,
        }
    }
}

impl ResponseChecksumValidation {
    /// The setting's text, read as [`RequestChecksumCalculation::from_setting`] reads its own.
    pub fn from_setting(text: &str) -> Option<Self> {
        RequestChecksumCalculation::from_setting(text).map(|c| match c {
            RequestChecksumCalculation::WhenSupported => Self::WhenSupported,
            RequestChecksumCalculation::WhenRequired => Self::WhenRequired,
        })
    }
}

/// A flexible-checksum failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FlexibleChecksumError {
    /// The caller named an algorithm sansboto does not support.
    #[error("Unsupported checksum algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// A response body does not match its checksum header.
    #[error("Expected checksum {expected} did not match calculated checksum: {actual}")]
    Mismatch {
        /// The algorithm checked.
        algorithm: ChecksumAlgorithm,
        /// The value the response carried (base64).
        expected: String,
        /// The value computed over the body (base64).
        actual: String,
    },
    /// A required checksum cannot be computed: a streamed body over plain HTTP (trailers are
    /// only used over TLS, and the core cannot read the stream to compute a header).
    #[error("a checksum is required but the body is a stream sent over plain HTTP: use HTTPS or give the body in memory")]
    StreamOverHttp,
}

/// Where the request checksum goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChecksumLocation {
    /// An `x-amz-checksum-<alg>` header over the whole body.
    Header,
    /// An `aws-chunked` trailer (streaming operations over HTTPS).
    Trailer,
}

/// The checksum a request will carry, decided before the `BeforeCall` hooks run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RequestChecksum {
    /// The algorithm.
    pub algorithm: ChecksumAlgorithm,
    /// Header or trailer.
    pub location: ChecksumLocation,
    /// When the algorithm was defaulted: the request-algorithm member's header and its value
    /// (`x-amz-sdk-checksum-algorithm: CRC32`), which the caller did not send.
    pub algorithm_header: Option<(http::HeaderName, &'static str)>,
    /// The operation requires a checksum.
    pub required: bool,
}

/// True when the request already has a header botocore takes for a checksum
/// (`x-amz-checksum-*`, any case).
pub(crate) fn has_checksum_header(headers: &http::HeaderMap) -> bool {
    headers.keys().any(|name| {
        name.as_str()
            .strip_prefix("x-amz-checksum-")
            .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_alphanumeric()))
    })
}

/// Decide the request checksum (botocore's `resolve_request_checksum_algorithm`): none when the
/// serialized request already has a checksum header; the caller's algorithm when the operation's
/// request-algorithm member is set; CRC32 when a checksum is required, or supported and
/// `calculation` is `WhenSupported`. Streaming operations over HTTPS use a trailer. Never for a
/// presigned request, even with an algorithm chosen: botocore computes none when presigning
/// (only the modeled `x-amz-sdk-checksum-algorithm` goes), and a checksum of the body at hand
/// would sign a header the URL's holder, sending a body of their own, cannot know.
pub(crate) fn resolve_request_checksum(
    model: &ServiceModel,
    operation: &Operation,
    params: &Value,
    request: &http::Request<Body>,
    calculation: RequestChecksumCalculation,
    is_presign: bool,
) -> Result<Option<RequestChecksum>, FlexibleChecksumError> {
    if is_presign || has_checksum_header(request.headers()) {
        return Ok(None);
    }
    let trait_ = operation.http_checksum.as_ref();
    let required =
        operation.http_checksum_required || trait_.is_some_and(|t| t.request_checksum_required);
    let member = trait_.and_then(|t| t.request_algorithm_member.as_deref());
    let chosen = member.and_then(|m| params.get(m)).filter(|v| !v.is_null());
    let (algorithm, algorithm_header) = if let Some(chosen) = chosen {
        let name = chosen.as_str().unwrap_or_default();
        let algorithm = ChecksumAlgorithm::from_str(name)
            .map_err(|_| FlexibleChecksumError::UnsupportedAlgorithm(name.to_lowercase()))?;
        (algorithm, None)
    } else if required
        || (member.is_some() && calculation == RequestChecksumCalculation::WhenSupported)
    {
        let header = member.and_then(|m| member_header(model, operation, m));
        (
            ChecksumAlgorithm::DEFAULT,
            header.map(|h| (h, ChecksumAlgorithm::DEFAULT.name())),
        )
    } else {
        return Ok(None);
    };
    let https = request.uri().scheme_str() == Some("https");
    let location = if model.streaming_input(operation).is_some() && https {
        ChecksumLocation::Trailer
    } else {
        ChecksumLocation::Header
    };
    Ok(Some(RequestChecksum {
        algorithm,
        location,
        algorithm_header,
        required,
    }))
}

/// The header the request-algorithm member is bound to (its `locationName`; as in botocore,
/// its `location` is not checked), parsed at the operation's first call and shared by every
/// call after: a model's shapes do not change once loaded, and an operation has one
/// request-algorithm member. `None` when the member has no `locationName`, or one no header
/// can have.
fn member_header(
    model: &ServiceModel,
    operation: &Operation,
    member: &str,
) -> Option<http::HeaderName> {
    let parse = || {
        let wire = model
            .shape(operation.input.as_ref()?.shape)
            .as_structure()?
            .members
            .get(member)?
            .location_name
            .as_deref()?;
        http::HeaderName::from_bytes(wire.as_bytes()).ok()
    };
    operation
        .checksum_algorithm_header
        .get_or_init(parse)
        .clone()
}

/// Tells a transport to send a streamed body `aws-chunked`, with the checksum as a trailer.
/// Found in the request's extensions after the request checksum is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwsChunkedBody {
    /// The trailer's algorithm (give it to [`AwsChunkedEncoder::new`]).
    pub trailer: ChecksumAlgorithm,
    /// The chunk size to read the stream in (botocore: 1 MiB).
    pub chunk_size: usize,
    /// The stream's length when it is known (`X-Amz-Decoded-Content-Length`): every chunk's
    /// size is then known before its data is read, so the data can be passed through as it
    /// arrives instead of gathered a chunk at a time.
    pub decoded_len: Option<u64>,
}

/// What [`apply_request_checksum`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AppliedChecksum {
    /// Nothing (the caller's header was already there, or an optional checksum over a stream
    /// on plain HTTP was skipped).
    Unchanged,
    /// An `x-amz-checksum-*` header was set.
    Header,
    /// The body is `aws-chunked` with a trailing checksum: sign with
    /// [`STREAMING_UNSIGNED_PAYLOAD_TRAILER`] as the payload hash, and when the request is sent
    /// unsigned, set `X-Amz-Content-SHA256` to it (see [`set_unsigned_trailer_header`]).
    /// `in_transport` is true when the body is a stream the transport must frame as told by
    /// the [`AwsChunkedBody`] extension.
    Trailer {
        /// The transport frames the stream.
        in_transport: bool,
    },
    /// The body is a replayable stream on plain HTTP: the header gets this algorithm's
    /// checksum once the transport has read the body ahead (see [`crate::body_digest`]).
    FromBody(ChecksumAlgorithm),
}

impl AppliedChecksum {
    /// The payload hash the signer must use, when the checksum dictates one.
    pub(crate) fn payload_hash(&self) -> Option<&'static str> {
        matches!(self, AppliedChecksum::Trailer { .. })
            .then_some(STREAMING_UNSIGNED_PAYLOAD_TRAILER)
    }
}

fn header_value(s: &str) -> http::HeaderValue {
    // Checksums, numbers and header names are ASCII: always valid header values.
    http::HeaderValue::from_str(s).unwrap_or_else(|_| http::HeaderValue::from_static(""))
}

/// Apply `checksum` to the request (botocore's `apply_request_checksum`).
pub(crate) fn apply_request_checksum(
    request: &mut http::Request<Body>,
    checksum: &RequestChecksum,
) -> Result<AppliedChecksum, FlexibleChecksumError> {
    let header_name = checksum.algorithm.http_header();
    let applied = if request.headers().contains_key(&header_name) {
        AppliedChecksum::Unchanged
    } else {
        match (checksum.location, request.body()) {
            // A replayable body (a file, a seekable reader) is read ahead before signing: its
            // digest fills the header then (see `crate::body_digest`), as botocore reads a
            // seekable body to compute it.
            (ChecksumLocation::Header, Body::Stream(s)) if s.is_replayable() => {
                AppliedChecksum::FromBody(checksum.algorithm)
            }
            (ChecksumLocation::Header, Body::Stream(_)) => {
                if checksum.required {
                    return Err(FlexibleChecksumError::StreamOverHttp);
                }
                return Ok(AppliedChecksum::Unchanged);
            }
            (ChecksumLocation::Header, body) => {
                let value = crate::checksum::checksum(
                    checksum.algorithm,
                    body.as_bytes().unwrap_or_default(),
                )
                .to_base64();
                request
                    .headers_mut()
                    .insert(header_name, header_value(&value));
                AppliedChecksum::Header
            }
            (ChecksumLocation::Trailer, _) => apply_trailer(request, checksum.algorithm),
        }
    };
    if let Some((name, value)) = &checksum.algorithm_header {
        request
            .headers_mut()
            .insert(name.clone(), http::HeaderValue::from_static(value));
    }
    Ok(applied)
}

fn apply_trailer(
    request: &mut http::Request<Body>,
    algorithm: ChecksumAlgorithm,
) -> AppliedChecksum {
    let header_name = algorithm.header_name();
    let decoded_len = request.body().len().or_else(|| {
        request
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
    });
    let headers = request.headers_mut();
    headers.insert(
        http::header::TRANSFER_ENCODING,
        http::HeaderValue::from_static("chunked"),
    );
    let encoding = match headers.get(http::header::CONTENT_ENCODING) {
        Some(existing) => {
            let mut v = existing.as_bytes().to_vec();
            v.extend_from_slice(b",aws-chunked");
            http::HeaderValue::from_bytes(&v)
                .unwrap_or_else(|_| http::HeaderValue::from_static("aws-chunked"))
        }
        None => http::HeaderValue::from_static("aws-chunked"),
    };
    headers.insert(http::header::CONTENT_ENCODING, encoding);
    headers.insert(X_AMZ_TRAILER, http::HeaderValue::from_static(header_name));
    if let Some(len) = decoded_len {
        headers.insert(X_AMZ_DECODED_CONTENT_LENGTH, http::HeaderValue::from(len));
    }
    headers.remove(http::header::CONTENT_LENGTH);
    match request.body().as_bytes() {
        Some(data) => {
            let mut encoder = AwsChunkedEncoder::new(Some(algorithm));
            let capacity = aws_chunked_encoded_length(
                data.len() as u64,
                DEFAULT_CHUNK_SIZE as u64,
                Some(algorithm),
            )
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(data.len() + 128);
            let mut out = Vec::with_capacity(capacity);
            for chunk in data.chunks(DEFAULT_CHUNK_SIZE) {
                encoder.encode_chunk(chunk, &mut out);
            }
            encoder.finish_into(&mut out);
            *request.body_mut() = Body::Bytes(Bytes::from(out));
            AppliedChecksum::Trailer {
                in_transport: false,
            }
        }
        None => {
            request.extensions_mut().insert(AwsChunkedBody {
                trailer: algorithm,
                chunk_size: DEFAULT_CHUNK_SIZE,
                decoded_len,
            });
            AppliedChecksum::Trailer { in_transport: true }
        }
    }
}

/// botocore's `_set_extra_headers_for_unsigned_request`: an unsigned request with a trailing
/// checksum still declares its payload as `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
pub(crate) fn set_unsigned_trailer_header(
    request: &mut http::Request<Body>,
    applied: &AppliedChecksum,
) {
    if let Some(hash) = applied.payload_hash() {
        request
            .headers_mut()
            .insert(X_AMZ_CONTENT_SHA256, http::HeaderValue::from_static(hash));
    }
}

/// `Content-MD5` over an in-memory body, unless a checksum header or `Content-MD5` is already
/// there (botocore's `conditionally_calculate_md5`, which 1.44 no longer calls by itself).
/// Returns whether it was added.
#[allow(dead_code)] // not called by the call pipeline yet; its unit tests keep it true to botocore
pub(crate) fn apply_content_md5(request: &mut http::Request<Body>) -> bool {
    if has_checksum_header(request.headers()) || request.headers().contains_key(CONTENT_MD5) {
        return false;
    }
    let Some(body) = request.body().as_bytes() else {
        return false;
    };
    let value = content_md5(body);
    request
        .headers_mut()
        .insert(CONTENT_MD5, header_value(&value));
    true
}

/// `ChecksumMode = ENABLED` unless the caller set the validation-mode member (botocore's
/// `_handle_request_validation_mode_member`, when `response_checksum_validation` is
/// `when_supported`).
pub(crate) fn default_validation_mode(params: &mut Map, mode_member: &str) {
    if !params.contains_key(mode_member) {
        params.insert(mode_member.into(), Value::from("ENABLED"));
    }
}

/// The algorithms to look for in the response, in [`ChecksumAlgorithm::RESPONSE_PRIORITY`]
/// order: those the operation lists, when its validation-mode member is among the parameters
/// (botocore checks presence, not the value).
pub(crate) fn response_algorithms(operation: &Operation, params: &Value) -> Vec<ChecksumAlgorithm> {
    let Some(trait_) = &operation.http_checksum else {
        return Vec::new();
    };
    let Some(member) = &trait_.request_validation_mode_member else {
        return Vec::new();
    };
    if params.get(member).is_none() {
        return Vec::new();
    }
    ChecksumAlgorithm::RESPONSE_PRIORITY
        .into_iter()
        .filter(|alg| {
            trait_
                .response_algorithms
                .iter()
                .any(|a| a.eq_ignore_ascii_case(alg.name()))
        })
        .collect()
}

/// The first of `algorithms` the response has a header for, with the header's value. A value
/// with a `-` (S3's composite checksum of a multipart object, `…-N`) cannot be checked against
/// the body, and none is then checked (as botocore stops at the first header it finds).
pub(crate) fn select_response_checksum<'h>(
    headers: &'h http::HeaderMap,
    algorithms: &[ChecksumAlgorithm],
) -> Option<(ChecksumAlgorithm, &'h str)> {
    for &algorithm in algorithms {
        let Some(value) = headers.get(algorithm.http_header()) else {
            continue;
        };
        let value = value.to_str().ok()?;
        if value.contains('-') {
            continue;
        }
        return Some((algorithm, value));
    }
    None
}

fn compare(
    algorithm: ChecksumAlgorithm,
    expected: &str,
    actual: &[u8],
) -> Result<(), FlexibleChecksumError> {
    let decoded = base64::engine::general_purpose::STANDARD.decode(expected.trim());
    if decoded.as_deref().ok() == Some(actual) {
        return Ok(());
    }
    Err(FlexibleChecksumError::Mismatch {
        algorithm,
        expected: expected.to_string(),
        actual: base64::engine::general_purpose::STANDARD.encode(actual),
    })
}

/// Check an in-memory response body against the expected base64 checksum.
pub(crate) fn validate_response_body(
    algorithm: ChecksumAlgorithm,
    expected: &str,
    body: &[u8],
) -> Result<(), FlexibleChecksumError> {
    compare(algorithm, expected, checksum(algorithm, body).as_bytes())
}

/// Checks a streamed response body as the transport reads it: [`update`](Self::update) with
/// each piece, [`finish`](Self::finish) at the end of the body.
#[derive(Debug, Clone)]
pub struct ResponseChecksumValidator {
    algorithm: ChecksumAlgorithm,
    expected: String,
    hasher: Checksum,
}

impl ResponseChecksumValidator {
    /// A validator expecting `expected` (base64).
    pub fn new(algorithm: ChecksumAlgorithm, expected: impl Into<String>) -> Self {
        ResponseChecksumValidator {
            algorithm,
            expected: expected.into(),
            hasher: Checksum::new(algorithm),
        }
    }

    /// The algorithm checked.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    /// Feed more of the body.
    pub fn update(&mut self, data: &[u8]) {
        self.hasher.update(data);
    }

    /// Compare once the whole body was read.
    pub fn finish(self) -> Result<(), FlexibleChecksumError> {
        let actual = self.hasher.finalize();
        compare(self.algorithm, &self.expected, actual.as_bytes())
    }

    /// [`finish`](Self::finish) for a transport's body reader: a mismatch is a
    /// [`TransportError`] (the transfer delivered corrupt bytes) whose source is the
    /// [`FlexibleChecksumError`], which `crate::error::Error::from` turns back into
    /// `Error::Checksum`.
    pub fn finish_read(self) -> Result<(), TransportError> {
        self.finish().map_err(|e| {
            TransportError::new(TransportErrorKind::Checksum, e.to_string()).with_source(e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::test_support::model;
    use crate::params;

    #[test]
    fn checksum_settings_are_spelled_as_botocore_takes_them() {
        use RequestChecksumCalculation::*;
        for (text, value) in [
            ("when_supported", Some(WhenSupported)),
            ("WHEN_REQUIRED", Some(WhenRequired)),
            ("When_Required", Some(WhenRequired)),
            (" when_required", None),
            ("when_required ", None),
            ("", None),
            ("required", None),
        ] {
            assert_eq!(
                RequestChecksumCalculation::from_setting(text),
                value,
                "{text:?}"
            );
        }
        assert_eq!(
            ResponseChecksumValidation::from_setting("WHEN_required"),
            Some(ResponseChecksumValidation::WhenRequired)
        );
        assert_eq!(ResponseChecksumValidation::from_setting("bogus"), None);
    }

    fn put(uri: &str, body: Body) -> http::Request<Body> {
        http::Request::builder()
            .method("PUT")
            .uri(uri)
            .body(body)
            .unwrap()
    }

    /// The request-algorithm member's header is whatever the model binds it to, parsed once
    /// and shared by the calls after; a name no header can have sends nothing.
    #[test]
    fn the_algorithm_header_is_the_models_parsed_once() {
        let model = |header: &str| {
            let json = format!(
                r#"{{"metadata": {{"protocol": "rest-json"}},
                "operations": {{"Up": {{"name": "Up", "http": {{"method": "PUT", "requestUri": "/"}},
                    "input": {{"shape": "In"}},
                    "httpChecksum": {{"requestAlgorithmMember": "Algo", "requestChecksumRequired": true}}}}}},
                "shapes": {{"In": {{"type": "structure", "members": {{
                    "Algo": {{"shape": "S", "location": "header", "locationName": "{header}"}}}}}},
                    "S": {{"type": "string"}}}}}}"#
            );
            ServiceModel::from_json(json.as_bytes()).unwrap()
        };
        let sent = |model: &ServiceModel| {
            let op = model.operation("Up").unwrap();
            let mut req = put("https://h/", Body::from(b"hi".to_vec()));
            let plan = resolve_request_checksum(
                model,
                op,
                &params! {},
                &req,
                RequestChecksumCalculation::WhenRequired,
                false,
            )
            .unwrap()
            .unwrap();
            apply_request_checksum(&mut req, &plan).unwrap();
            let header = plan.algorithm_header.map(|(name, _)| name);
            (header, req.headers().clone())
        };
        let custom = model("X-Example-Checksum-Algorithm");
        let (first, headers) = sent(&custom);
        assert_eq!(headers["x-example-checksum-algorithm"], "CRC32");
        let (again, _) = sent(&custom);
        let text = |name: &Option<http::HeaderName>| name.as_ref().map(|n| n.as_str().as_ptr());
        assert_eq!(again, first);
        assert_eq!(
            text(&again),
            text(&first),
            "the name is shared, not parsed again"
        );
        let (none, headers) = sent(&model("not a header"));
        assert_eq!(none, None);
        assert!(headers.keys().all(|k| !k.as_str().contains("algorithm")));
        assert!(
            headers.contains_key("x-amz-checksum-crc32"),
            "the checksum still goes"
        );
    }

    #[test]
    fn put_object_over_https_uses_a_crc32_trailer() {
        let s3 = model("s3");
        let op = s3.operation("PutObject").unwrap();
        let mut req = put(
            "https://b.s3.amazonaws.com/k",
            Body::from(b"hello world".to_vec()),
        );
        req.headers_mut()
            .insert("content-length", http::HeaderValue::from(11));
        let params = params! {"Bucket": "b", "Key": "k"};
        let plan = resolve_request_checksum(
            &s3,
            op,
            &params,
            &req,
            RequestChecksumCalculation::WhenSupported,
            false,
        )
        .unwrap()
        .unwrap();
        assert_eq!(plan.algorithm, ChecksumAlgorithm::Crc32);
        assert_eq!(plan.location, ChecksumLocation::Trailer);
        assert_eq!(
            plan.algorithm_header,
            Some((
                http::HeaderName::from_static("x-amz-sdk-checksum-algorithm"),
                "CRC32"
            ))
        );
        let applied = apply_request_checksum(&mut req, &plan).unwrap();
        assert_eq!(
            applied.payload_hash(),
            Some(STREAMING_UNSIGNED_PAYLOAD_TRAILER)
        );
        let h = req.headers();
        assert_eq!(h["content-encoding"], "aws-chunked");
        assert_eq!(h["transfer-encoding"], "chunked");
        assert_eq!(h["x-amz-trailer"], "x-amz-checksum-crc32");
        assert_eq!(h["x-amz-decoded-content-length"], "11");
        assert_eq!(h["x-amz-sdk-checksum-algorithm"], "CRC32");
        assert!(h.get("content-length").is_none());
        assert_eq!(
            req.body().as_bytes().unwrap(),
            b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"
        );
    }

    #[test]
    fn streamed_body_is_left_to_the_transport() {
        let s3 = model("s3");
        let op = s3.operation("UploadPart").unwrap();
        let mut req = put(
            "https://b.s3.amazonaws.com/k",
            Body::Stream(crate::body::StreamingBody::new(0u8, Some(5))),
        );
        req.headers_mut()
            .insert("content-encoding", http::HeaderValue::from_static("gzip"));
        let params = params! {"ChecksumAlgorithm": "sha256"};
        let plan = resolve_request_checksum(
            &s3,
            op,
            &params,
            &req,
            RequestChecksumCalculation::WhenRequired,
            false,
        )
        .unwrap()
        .unwrap();
        assert_eq!(plan.algorithm, ChecksumAlgorithm::Sha256);
        assert_eq!(
            plan.algorithm_header, None,
            "the caller's member is serialized already"
        );
        let applied = apply_request_checksum(&mut req, &plan).unwrap();
        assert_eq!(applied, AppliedChecksum::Trailer { in_transport: true });
        assert_eq!(req.headers()["content-encoding"], "gzip,aws-chunked");
        assert_eq!(req.headers()["x-amz-decoded-content-length"], "5");
        assert_eq!(
            req.extensions().get::<AwsChunkedBody>(),
            Some(&AwsChunkedBody {
                trailer: ChecksumAlgorithm::Sha256,
                chunk_size: DEFAULT_CHUNK_SIZE,
                decoded_len: Some(5),
            })
        );
        let mut unsigned = http::Request::new(Body::Empty);
        set_unsigned_trailer_header(&mut unsigned, &applied);
        assert_eq!(
            unsigned.headers()["x-amz-content-sha256"],
            STREAMING_UNSIGNED_PAYLOAD_TRAILER
        );
    }

    #[test]
    fn required_checksum_over_http_goes_in_a_header() {
        let s3 = model("s3");
        let op = s3.operation("DeleteObjects").unwrap();
        let mut req = put(
            "http://localhost:5000/b?delete",
            Body::from(b"<Delete/>".to_vec()),
        );
        for calculation in [
            RequestChecksumCalculation::WhenRequired,
            RequestChecksumCalculation::WhenSupported,
        ] {
            let plan = resolve_request_checksum(&s3, op, &params! {}, &req, calculation, false)
                .unwrap()
                .unwrap();
            assert!(plan.required);
            assert_eq!(plan.location, ChecksumLocation::Header);
        }
        let plan = resolve_request_checksum(
            &s3,
            op,
            &params! {},
            &req,
            RequestChecksumCalculation::WhenRequired,
            false,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            apply_request_checksum(&mut req, &plan).unwrap(),
            AppliedChecksum::Header
        );
        let expected =
            crate::checksum::checksum(ChecksumAlgorithm::Crc32, b"<Delete/>").to_base64();
        assert_eq!(req.headers()["x-amz-checksum-crc32"], expected.as_str());
        assert_eq!(req.headers()["x-amz-sdk-checksum-algorithm"], "CRC32");
        // Presigned requests get no default.
        assert!(resolve_request_checksum(
            &s3,
            op,
            &params! {},
            &req,
            RequestChecksumCalculation::WhenRequired,
            true
        )
        .unwrap()
        .is_none());
    }

    #[test]
    fn caller_checksums_and_when_required_skip() {
        let s3 = model("s3");
        let op = s3.operation("PutObject").unwrap();
        let mut req = put("https://b.s3.amazonaws.com/k", Body::from(b"x".to_vec()));
        assert!(resolve_request_checksum(
            &s3,
            op,
            &params! {},
            &req,
            RequestChecksumCalculation::WhenRequired,
            false
        )
        .unwrap()
        .is_none());
        req.headers_mut().insert(
            "x-amz-checksum-crc32c",
            http::HeaderValue::from_static("AAAAAA=="),
        );
        assert!(resolve_request_checksum(
            &s3,
            op,
            &params! {},
            &req,
            RequestChecksumCalculation::WhenSupported,
            false
        )
        .unwrap()
        .is_none());
        let err = resolve_request_checksum(
            &s3,
            op,
            &params! {"ChecksumAlgorithm": "MD5"},
            &put("https://h/", Body::Empty),
            RequestChecksumCalculation::WhenSupported,
            false,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "Unsupported checksum algorithm: md5");
    }

    #[test]
    fn optional_stream_over_http_is_skipped_required_is_an_error() {
        let plan = RequestChecksum {
            algorithm: ChecksumAlgorithm::Crc32,
            location: ChecksumLocation::Header,
            algorithm_header: None,
            required: false,
        };
        let stream = || {
            put(
                "http://h/",
                Body::Stream(crate::body::StreamingBody::new(0u8, None)),
            )
        };
        assert_eq!(
            apply_request_checksum(&mut stream(), &plan).unwrap(),
            AppliedChecksum::Unchanged
        );
        let required = RequestChecksum {
            required: true,
            ..plan
        };
        assert_eq!(
            apply_request_checksum(&mut stream(), &required).unwrap_err(),
            FlexibleChecksumError::StreamOverHttp
        );
    }

    #[test]
    fn content_md5_when_asked() {
        let mut req = put("https://h/", Body::from(b"hello".to_vec()));
        assert!(apply_content_md5(&mut req));
        assert_eq!(req.headers()["content-md5"], "XUFAKrxLKna5cZ2REBfFkg==");
        assert!(!apply_content_md5(&mut req));
    }

    #[test]
    fn response_validation() {
        let s3 = model("s3");
        let op = s3.operation("GetObject").unwrap();
        assert!(response_algorithms(op, &params! {}).is_empty());
        let algs = response_algorithms(op, &params! {"ChecksumMode": "ENABLED"});
        assert_eq!(
            algs.first(),
            Some(&ChecksumAlgorithm::XxHash128),
            "priority order"
        );
        assert!(algs.contains(&ChecksumAlgorithm::Crc32));

        let body = b"hello world";
        let crc32 = checksum(ChecksumAlgorithm::Crc32, body).to_base64();
        let mut headers = http::HeaderMap::new();
        headers.insert("x-amz-checksum-crc32", crc32.parse().unwrap());
        headers.insert("x-amz-checksum-crc32c", "abc-3".parse().unwrap());
        let (alg, expected) = select_response_checksum(&headers, &algs).unwrap();
        assert_eq!(alg, ChecksumAlgorithm::Crc32);
        validate_response_body(alg, expected, body).unwrap();
        let err = validate_response_body(alg, expected, b"hello World").unwrap_err();
        assert!(matches!(
            err,
            FlexibleChecksumError::Mismatch {
                algorithm: ChecksumAlgorithm::Crc32,
                ..
            }
        ));
        assert!(err.to_string().starts_with(&format!(
            "Expected checksum {crc32} did not match calculated checksum: "
        )));

        let mut v = ResponseChecksumValidator::new(alg, expected);
        v.update(b"hello ");
        v.update(b"world");
        v.finish().unwrap();
        let mut v = ResponseChecksumValidator::new(alg, expected);
        v.update(b"hello");
        assert!(v.finish().is_err());

        let mut multipart = http::HeaderMap::new();
        multipart.insert("x-amz-checksum-crc32", "AAAAAA==-12".parse().unwrap());
        assert_eq!(select_response_checksum(&multipart, &algs), None);
    }

    #[test]
    fn checksum_header_pattern() {
        let mut h = http::HeaderMap::new();
        h.insert("x-amz-checksum-mode", "ENABLED".parse().unwrap());
        assert!(
            has_checksum_header(&h),
            "botocore's pattern matches any x-amz-checksum-[a-z0-9]*"
        );
        let mut h = http::HeaderMap::new();
        h.insert("x-amz-sdk-checksum-algorithm", "CRC32".parse().unwrap());
        assert!(!has_checksum_header(&h));
    }
}
