//! Request compression as botocore's `compress.py` does it: operations with the
//! `requestcompression` trait get their body gzip-compressed (first supported encoding the model
//! lists) when it is at least `request_min_compression_size_bytes` long, unless
//! `disable_request_compression` is set; `Content-Encoding` gets the encoding appended.
//!
//! Streaming inputs (without `requiresLength`) are compressed whatever their size, as botocore
//! does; the core cannot read a stream, so it marks the request with a [`CompressStream`]
//! extension and the transport compresses while sending.
//!
//! All of it needs the `request-compression` feature (on by default); without it every client
//! behaves as with `disable_request_compression = true`, and no gzip encoder is linked.

#[cfg(feature = "request-compression")]
use std::io::Write as _;

#[cfg(feature = "request-compression")]
use bytes::Bytes;

use crate::body::Body;
use crate::model::{Operation, ServiceModel};

/// botocore's default `request_min_compression_size_bytes`.
pub(crate) const DEFAULT_MIN_COMPRESSION_SIZE: u64 = 10_240;

/// The compression settings of a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompressionConfig {
    /// `disable_request_compression`.
    pub disable_request_compression: bool,
    /// `request_min_compression_size_bytes`.
    pub request_min_compression_size_bytes: u64,
}

impl Default for CompressionConfig {
    fn default() -> Self {
        CompressionConfig {
            disable_request_compression: false,
            request_min_compression_size_bytes: DEFAULT_MIN_COMPRESSION_SIZE,
        }
    }
}

/// Compression failed.
#[derive(Debug, thiserror::Error)]
#[error("gzip compression of the request body failed: {0}")]
pub struct CompressError(#[from] std::io::Error);

/// Tells a transport to gzip a streamed body as it sends it (found in the request's
/// extensions). `Content-Encoding` is already set and `Content-Length` removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "request-compression"), allow(dead_code))]
pub(crate) struct CompressStream;

/// What [`maybe_compress_request`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "request-compression"), allow(dead_code))]
pub(crate) enum Compressed {
    /// The body was left as it was.
    No,
    /// The in-memory body was gzip-compressed.
    InMemory,
    /// The streamed body must be compressed by the transport ([`CompressStream`]).
    InTransport,
}

/// Whether `operation`'s streaming input, if it has one, requires a known length.
#[cfg(feature = "request-compression")]
fn streaming_input(model: &ServiceModel, operation: &Operation) -> Option<bool> {
    let member = model.streaming_input(operation)?;
    Some(model.shape(member.shape).requires_length)
}

/// Without the `request-compression` feature: the body is left as it is, as botocore leaves it
/// with `disable_request_compression`.
#[cfg(not(feature = "request-compression"))]
pub(crate) fn maybe_compress_request(
    _config: &CompressionConfig,
    _model: &ServiceModel,
    _operation: &Operation,
    _request: &mut http::Request<Body>,
) -> Result<Compressed, CompressError> {
    Ok(Compressed::No)
}

/// Compress `request`'s body when `operation` asks for it (botocore's `maybe_compress_request`).
#[cfg(feature = "request-compression")]
pub(crate) fn maybe_compress_request(
    config: &CompressionConfig,
    model: &ServiceModel,
    operation: &Operation,
    request: &mut http::Request<Body>,
) -> Result<Compressed, CompressError> {
    if config.disable_request_compression {
        return Ok(Compressed::No);
    }
    // gzip is the only encoding botocore knows; others in the list are skipped.
    if !operation.request_compression.iter().any(|e| e == "gzip") {
        return Ok(Compressed::No);
    }
    let should = match streaming_input(model, operation) {
        Some(requires_length) => !requires_length,
        None => request.body().len().unwrap_or(0) >= config.request_min_compression_size_bytes,
    };
    if !should {
        return Ok(Compressed::No);
    }
    let outcome = match request.body() {
        Body::Stream(_) => {
            request.headers_mut().remove(http::header::CONTENT_LENGTH);
            request.extensions_mut().insert(CompressStream);
            Compressed::InTransport
        }
        body => {
            let data = body.as_bytes().unwrap_or_default();
            let compressed = gzip(data)?;
            let len = compressed.len();
            *request.body_mut() = Body::Bytes(compressed);
            if request.headers().contains_key(http::header::CONTENT_LENGTH) {
                request
                    .headers_mut()
                    .insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(len));
            }
            Compressed::InMemory
        }
    };
    let headers = request.headers_mut();
    let encoding = match headers.get(http::header::CONTENT_ENCODING) {
        Some(existing) => {
            let mut v = existing.as_bytes().to_vec();
            v.extend_from_slice(b",gzip");
            http::HeaderValue::from_bytes(&v)
                .unwrap_or_else(|_| http::HeaderValue::from_static("gzip"))
        }
        None => http::HeaderValue::from_static("gzip"),
    };
    headers.insert(http::header::CONTENT_ENCODING, encoding);
    Ok(outcome)
}

/// gzip at Python's `gzip.compress` default level (9); the header's mtime is 0 (the core has no
/// clock, and a fixed value keeps bodies reproducible).
#[cfg(feature = "request-compression")]
pub(crate) fn gzip(data: &[u8]) -> Result<Bytes, CompressError> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 2 + 64),
        flate2::Compression::best(),
    );
    encoder.write_all(data)?;
    Ok(Bytes::from(encoder.finish()?))
}

#[cfg(all(test, feature = "request-compression"))]
mod tests {
    use super::*;
    use crate::customize::test_support::model;
    use std::io::Read as _;

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn request(len: usize) -> http::Request<Body> {
        http::Request::builder()
            .method("POST")
            .header("content-length", len)
            .body(Body::from(vec![b'a'; len]))
            .unwrap()
    }

    #[test]
    fn compresses_at_or_above_the_threshold() {
        let cw = model("cloudwatch");
        let op = cw.operation("PutMetricData").unwrap();
        assert_eq!(op.request_compression, ["gzip"]);
        let config = CompressionConfig::default();
        let mut small = request(10_239);
        assert_eq!(
            maybe_compress_request(&config, &cw, op, &mut small).unwrap(),
            Compressed::No
        );
        assert!(small.headers().get("content-encoding").is_none());
        let mut big = request(10_240);
        assert_eq!(
            maybe_compress_request(&config, &cw, op, &mut big).unwrap(),
            Compressed::InMemory
        );
        assert_eq!(big.headers()["content-encoding"], "gzip");
        let body = big.body().as_bytes().unwrap();
        assert_eq!(
            big.headers()["content-length"],
            body.len().to_string().as_str()
        );
        assert_eq!(gunzip(body), vec![b'a'; 10_240]);

        let disabled = CompressionConfig {
            disable_request_compression: true,
            ..config
        };
        let mut r = request(20_000);
        assert_eq!(
            maybe_compress_request(&disabled, &cw, op, &mut r).unwrap(),
            Compressed::No
        );
        let zero = CompressionConfig {
            request_min_compression_size_bytes: 0,
            ..config
        };
        let mut r = request(0);
        r.headers_mut().insert(
            "content-encoding",
            http::HeaderValue::from_static("identity"),
        );
        assert_eq!(
            maybe_compress_request(&zero, &cw, op, &mut r).unwrap(),
            Compressed::InMemory
        );
        assert_eq!(r.headers()["content-encoding"], "identity,gzip");
        // Operations without the trait are never compressed.
        let other = cw.operation("ListMetrics").unwrap();
        let mut r = request(20_000);
        assert_eq!(
            maybe_compress_request(&zero, &cw, other, &mut r).unwrap(),
            Compressed::No
        );
    }

    #[test]
    fn streams_are_left_to_the_transport() {
        // A synthetic operation: a streaming payload with the trait.
        let m = ServiceModel::from_json(br#"{
          "metadata": {"apiVersion": "1", "endpointPrefix": "x", "protocol": "rest-json", "serviceId": "X"},
          "operations": {"Up": {"name": "Up", "http": {"method": "POST", "requestUri": "/"},
             "input": {"shape": "UpIn"}, "requestcompression": {"encodings": ["gzip"]}},
             "Fixed": {"name": "Fixed", "http": {"method": "POST", "requestUri": "/"},
             "input": {"shape": "FixedIn"}, "requestcompression": {"encodings": ["gzip"]}}},
          "shapes": {"UpIn": {"type": "structure", "payload": "Body", "members": {"Body": {"shape": "Stream"}}},
                     "FixedIn": {"type": "structure", "payload": "Body", "members": {"Body": {"shape": "Sized"}}},
                     "Stream": {"type": "blob", "streaming": true},
                     "Sized": {"type": "blob", "streaming": true, "requiresLength": true}}}"#).unwrap();
        let config = CompressionConfig::default();
        let mut r = http::Request::builder()
            .header("content-length", "3")
            .body(Body::Stream(crate::body::StreamingBody::new(0u8, Some(3))))
            .unwrap();
        let up = m.operation("Up").unwrap();
        assert_eq!(
            maybe_compress_request(&config, &m, up, &mut r).unwrap(),
            Compressed::InTransport
        );
        assert!(r.extensions().get::<CompressStream>().is_some());
        assert!(r.headers().get("content-length").is_none());
        // A small in-memory body of a streaming input is compressed too (no size threshold).
        let mut r = request(5);
        assert_eq!(
            maybe_compress_request(&config, &m, up, &mut r).unwrap(),
            Compressed::InMemory
        );
        let fixed = m.operation("Fixed").unwrap();
        let mut r = request(50_000);
        assert_eq!(
            maybe_compress_request(&config, &m, fixed, &mut r).unwrap(),
            Compressed::No
        );
    }
}
