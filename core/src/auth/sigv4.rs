//! AWS Signature Version 4 (HMAC-SHA256): header signing and query-string (presigned URL)
//! signing with botocore's rules, the derived signing-key cache, and the engine SigV4a reuses.
//!
//! The steps are exposed, not hidden: [`SigningOutput`] carries the canonical request, the
//! string to sign and the signature, so conformance tests and `--debug` output can show them.

use std::borrow::Cow;
use std::convert::Infallible;
use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, DATE};
use http::uri::PathAndQuery;
use http::Request;
use sha2::{Digest, Sha256};
use smallvec::SmallVec;

use super::canonical::{
    canonical_headers, canonical_query_params, form_body_to_query, host_for_signing,
    json_body_to_query, push_canonical_query, push_canonical_uri, ExtraHeader, QueryParam,
    SigningTime,
};
use super::key_cache::KeyCache;
use super::{AuthError, Credentials};
use crate::body::Body;
use crate::encoding::{push_hex, push_percent_encoded};
use crate::header_names;

/// The SigV4 algorithm name.
pub const ALGORITHM_V4: &str = "AWS4-HMAC-SHA256";
/// The payload hash that tells the service the body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The longest a presigned URL may live: 7 days.
pub const MAX_PRESIGN_EXPIRY: Duration = Duration::from_secs(604_800);

pub(crate) const X_AMZ_DATE: &str = "x-amz-date";
pub(crate) const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
pub(crate) const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
pub(crate) const X_AMZ_REGION_SET: &str = "x-amz-region-set";
/// The content type botocore's serializers give form bodies, which presigning removes.
const FORM_CONTENT_TYPE_UTF8: &str = "application/x-www-form-urlencoded; charset=utf-8";

type HmacSha256 = Hmac<Sha256>;

/// What goes in the canonical request's payload-hash line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PayloadHash {
    /// SHA-256 of the in-memory body (an error for a streaming body, whose bytes the core never sees).
    ComputeSha256,
    /// `UNSIGNED-PAYLOAD` (S3 presigned URLs, `v4-unsigned-body` operations, S3 over HTTPS when asked).
    Unsigned,
    /// A hash or marker the caller already has: a precomputed hex SHA-256, or one of the
    /// `STREAMING-…` markers of chunked/trailer uploads.
    Precomputed(Cow<'static, str>),
}

/// Where the signature goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureLocation {
    /// `Authorization` header (and `X-Amz-Date`, `X-Amz-Security-Token` headers).
    Headers,
    /// Query-string parameters: a presigned URL valid for `expires_in` (at most 7 days).
    QueryString {
        /// How long the URL stays valid.
        expires_in: Duration,
    },
}

/// The knobs a service (or an endpoint's auth scheme) turns. [`SigningSettings::default`] is
/// what every service but S3 uses; [`SigningSettings::s3`] is S3's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigningSettings {
    /// Percent-encode the (already encoded) path once more (`disableDoubleEncoding` turns it off).
    pub double_uri_encode: bool,
    /// Remove `.`/`..`/empty path segments before signing.
    pub normalize_uri_path: bool,
    /// Sign and send the payload hash as `x-amz-content-sha256`: a header when signing headers,
    /// an `X-Amz-Content-Sha256` query parameter when presigning (botocore does not add it to
    /// presigned URLs, so [`SigningSettings::presigned`] callers usually turn it off).
    pub content_sha256_header: bool,
    /// Send the session token but leave it out of the signature (a few services want that).
    pub omit_session_token: bool,
    /// When presigning, move a form-encoded body's parameters into the URL and drop the body
    /// (and botocore's form content type), as botocore's presigner does for query-protocol
    /// operations. Off by default: plain SigV4 presigning signs the body's hash instead.
    pub form_body_to_query: bool,
    /// Header or query-string signing.
    pub location: SignatureLocation,
}

impl Default for SigningSettings {
    fn default() -> Self {
        SigningSettings {
            double_uri_encode: true,
            normalize_uri_path: true,
            content_sha256_header: false,
            omit_session_token: false,
            form_body_to_query: false,
            location: SignatureLocation::Headers,
        }
    }
}

impl SigningSettings {
    /// S3's rules: the path signed exactly as sent (no normalisation, no second encoding) and an
    /// `x-amz-content-sha256` header on every request.
    pub fn s3() -> Self {
        SigningSettings {
            double_uri_encode: false,
            normalize_uri_path: false,
            content_sha256_header: true,
            ..SigningSettings::default()
        }
    }

    /// The same settings, signing into the query string (a presigned URL).
    pub fn presigned(self, expires_in: Duration) -> Self {
        SigningSettings {
            location: SignatureLocation::QueryString { expires_in },
            ..self
        }
    }
}

/// Everything a SigV4 signature depends on besides the request and the credentials.
#[derive(Clone, Debug)]
pub struct SigningParams<'a> {
    /// The signing name (`s3`, `dynamodb`, `execute-api`…): the endpoint's or the model's.
    pub signing_name: &'a str,
    /// The signing region.
    pub region: &'a str,
    /// The signing time (the caller's clock reading).
    pub time: SystemTime,
    /// How the payload is hashed.
    pub payload: PayloadHash,
    /// Service rules and signature location.
    pub settings: SigningSettings,
}

/// The intermediate and final products of signing.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningOutput {
    /// The canonical request that was hashed.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The hex signature (HMAC for SigV4, DER-encoded ECDSA for SigV4a).
    pub signature: String,
}

impl fmt::Debug for SigningOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The canonical request may include a session token: keep it out of logs.
        f.debug_struct("SigningOutput")
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// A bounded, thread-safe cache of derived SigV4 signing keys, keyed by (secret fingerprint, date,
/// region, service): the four chained HMACs run once per day per scope, not once per request
/// (each key is kept as an HMAC already keyed with it).
pub struct SigningKeyCache(KeyCache<KeyEntry>);

struct KeyEntry {
    secret_fingerprint: [u8; 32],
    date: String,
    region: String,
    service: String,
    /// An HMAC keyed with the derived signing key: its inner and outer pads are hashed once
    /// per scope, not per signature.
    mac: HmacSha256,
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::new(16)
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt_as("SigningKeyCache", f)
    }
}

impl SigningKeyCache {
    /// A cache holding at most `capacity` keys (at least 1); the oldest is evicted first.
    pub fn new(capacity: usize) -> Self {
        SigningKeyCache(KeyCache::new(capacity))
    }

    /// (hits, misses) so far.
    pub fn stats(&self) -> (u64, u64) {
        self.0.stats()
    }

    /// The hex HMAC-SHA256 of `data` with this scope's signing key.
    pub(crate) fn sign_hex(
        &self,
        credentials: &Credentials,
        date: &str,
        region: &str,
        service: &str,
        data: &[u8],
    ) -> String {
        let fingerprint = credentials.secret_fingerprint();
        let found = self.0.read(
            |e| {
                &e.secret_fingerprint == fingerprint
                    && e.date == date
                    && e.region == region
                    && e.service == service
            },
            || {
                let key =
                    derive_signing_key(credentials.secret_access_key(), date, region, service);
                Ok::<_, Infallible>(KeyEntry {
                    secret_fingerprint: *fingerprint,
                    date: date.to_owned(),
                    region: region.to_owned(),
                    service: service.to_owned(),
                    mac: keyed_mac(&key),
                })
            },
            |e| e.mac.clone(),
        );
        let Ok(mut mac) = found;
        mac.update(data);
        let mut sig = String::with_capacity(64);
        push_hex(&mut sig, &mac.finalize().into_bytes());
        sig
    }
}

/// HMAC-SHA256 keyed with `key`.
fn keyed_mac(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA256 takes keys of any length"),
    }
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = keyed_mac(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The SigV4 signing key: HMAC chain over date, region, service and `aws4_request`.
pub fn derive_signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let mut seed = Vec::with_capacity(secret.len() + 4);
    seed.extend_from_slice(b"AWS4");
    seed.extend_from_slice(secret.as_bytes());
    let k_date = hmac_sha256(&seed, date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    hmac_sha256(&k_service, b"aws4_request")
}

/// What differs between SigV4 and SigV4a in the shared request-signing engine.
pub(crate) struct Variant<'a> {
    pub algorithm: &'static str,
    /// Credential scope without the access key (`date/region/service/aws4_request` for SigV4).
    pub scope: String,
    /// SigV4a's region set (`X-Amz-Region-Set`).
    pub region_set: Option<&'a str>,
}

/// The parts of [`SigningParams`] the engine needs, shared by SigV4 and SigV4a.
pub(crate) struct EngineParams<'a> {
    pub time: SigningTime,
    pub payload: &'a PayloadHash,
    pub settings: &'a SigningSettings,
}

fn header_value(name: &'static str, value: &str) -> Result<HeaderValue, AuthError> {
    checked_header_value(name, HeaderValue::from_str(value))
}

/// [`header_value`] of static text (a payload hash marker): the value points at it, not at
/// a copy.
fn static_header_value(name: &'static str, value: &'static str) -> Result<HeaderValue, AuthError> {
    checked_header_value(
        name,
        HeaderValue::from_maybe_shared(Bytes::from_static(value.as_bytes())),
    )
}

/// [`header_value`] of a text the signer made for it: the value takes its buffer, not a copy.
fn owned_header_value(name: &'static str, value: String) -> Result<HeaderValue, AuthError> {
    checked_header_value(name, HeaderValue::from_maybe_shared(Bytes::from(value)))
}

fn checked_header_value(
    name: &'static str,
    value: Result<HeaderValue, http::header::InvalidHeaderValue>,
) -> Result<HeaderValue, AuthError> {
    let mut v = value.map_err(|_| AuthError::InvalidHeaderValue { name })?;
    // Keep credentials out of HTTP/2 compression tables and `Debug` dumps of the request.
    if name == "authorization" || name == X_AMZ_SECURITY_TOKEN {
        v.set_sensitive(true);
    }
    Ok(v)
}

fn is_auth_query_param(key: &str, with_content_sha256: bool) -> bool {
    // Parameters a previous presign left behind are replaced, never duplicated.
    (with_content_sha256 && key == "X-Amz-Content-Sha256")
        || [
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-Date",
            "X-Amz-Expires",
            "X-Amz-SignedHeaders",
            "X-Amz-Security-Token",
            "X-Amz-Signature",
            "X-Amz-Region-Set",
        ]
        .contains(&key)
}

/// Sign `request` in place; `sign_string` turns the string to sign into the hex signature.
///
/// The steps, each below: check the presign expiry; compute what the signature stamps (dates,
/// token, payload hash, a form body moved into the URL); decide which headers are added and which
/// replaced; add the presign parameters to the query; build the canonical request and the string
/// to sign; sign; and only then, when nothing can fail any more, change the request.
pub(crate) fn sign_request(
    request: &mut Request<Body>,
    credentials: &Credentials,
    params: &EngineParams<'_>,
    variant: &Variant<'_>,
    sign_string: impl FnOnce(&str) -> Result<String, AuthError>,
) -> Result<SigningOutput, AuthError> {
    let settings = params.settings;
    check_presign_expiry(settings)?;
    let stamp = Stamp::new(request, credentials, params)?;
    let host = host_for_signing(request.uri());
    let path = request.uri().path();
    let uri_query = request.uri().query().unwrap_or("");
    let original_query: Cow<'_, str> = match &stamp.form_query {
        Some(form) if uri_query.is_empty() => Cow::Borrowed(form.as_str()),
        Some(form) => Cow::Owned(format!("{uri_query}&{form}")),
        None => Cow::Borrowed(uri_query),
    };
    let original_query = original_query.as_ref();

    let mut query_params: Vec<QueryParam> = Vec::new();
    canonical_query_params(original_query, &mut query_params);
    let changes = HeaderChanges::new(settings, variant, &stamp);
    if settings.location != SignatureLocation::Headers {
        // Presigning replaces any earlier presign's parameters.
        query_params.retain(|p| !is_auth_query_param(&p.key, settings.content_sha256_header));
    }

    let (canonical_headers, signed_headers) = canonical_headers(
        request.headers(),
        host.as_deref(),
        &changes.extra,
        &changes.excluded,
    )?;

    let auth_query = push_auth_query_params(
        &mut query_params,
        settings,
        variant,
        &stamp,
        credentials.access_key_id(),
        &signed_headers,
    );
    let canonical_request = canonical_request(
        request.method().as_str(),
        path,
        &mut query_params,
        &canonical_headers,
        &signed_headers,
        settings,
        &stamp.payload_hash,
    );
    let string_to_sign = string_to_sign(variant, stamp.amz_date, &canonical_request);
    let signature = sign_string(&string_to_sign)?;

    // Everything that can fail has run: now change the request.
    match settings.location {
        SignatureLocation::Headers => {
            // The credential (`<key id>/<scope>`) written in place, not made apart first.
            let authorization = [
                variant.algorithm,
                " Credential=",
                credentials.access_key_id(),
                "/",
                &variant.scope,
                ", SignedHeaders=",
                &signed_headers,
                ", Signature=",
                &signature,
            ]
            .concat();
            apply_signature_headers(request, &changes, &stamp, authorization)?;
        }
        SignatureLocation::QueryString { .. } => {
            let pq = presigned_path_and_query(
                path,
                original_query,
                &auth_query,
                &stamp,
                settings,
                &signature,
            );
            apply_presigned_uri(request, pq, &changes, stamp.form_query.is_some())?;
        }
    }

    Ok(SigningOutput {
        canonical_request,
        string_to_sign,
        signature,
    })
}

/// A presigned URL may not live longer than SigV4 allows.
fn check_presign_expiry(settings: &SigningSettings) -> Result<(), AuthError> {
    match settings.location {
        SignatureLocation::QueryString { expires_in } if expires_in > MAX_PRESIGN_EXPIRY => {
            Err(AuthError::ExpiresTooLong {
                requested_secs: expires_in.as_secs(),
                max_secs: MAX_PRESIGN_EXPIRY.as_secs(),
            })
        }
        _ => Ok(()),
    }
}

/// The values a signature stamps on the request, computed once before anything is built.
struct Stamp<'a> {
    /// `X-Amz-Date` (and the credential scope's timestamp), the signing time's own text.
    amz_date: &'a str,
    /// The re-stamped `Date` header, when a header-signed request dates itself that way.
    http_date: Option<String>,
    /// The credentials' session token.
    token: Option<&'a str>,
    /// The token as its header value, when signing headers (see `session_token_header`).
    token_header: Option<HeaderValue>,
    /// The token when it is signed (`omit_session_token` sends it unsigned, after signing).
    sign_token: Option<&'a str>,
    /// The payload hash of the canonical request.
    payload_hash: Cow<'a, str>,
    /// The same, when it is static text (`UNSIGNED-PAYLOAD`, a `STREAMING-…` marker): its
    /// `X-Amz-Content-Sha256` value then needs no copy.
    static_payload_hash: Option<&'static str>,
    /// A presigned form body's parameters, moved into the URL (the body is dropped).
    form_query: Option<String>,
    /// The form content type the presigned request no longer sends (nor signs).
    drop_content_type: bool,
}

impl<'a> Stamp<'a> {
    fn new(
        request: &Request<Body>,
        credentials: &'a Credentials,
        params: &'a EngineParams<'a>,
    ) -> Result<Self, AuthError> {
        let settings = params.settings;
        let token = credentials.session_token();
        let is_header_signing = settings.location == SignatureLocation::Headers;
        let form_query = presigned_form_query(request, settings)?;
        // botocore's SigV4 signs the hash a request's own `x-amz-content-sha256` header states
        // (CodeArtifact's PublishPackageVersion binds a member to it), whatever text it is
        // (non-ASCII as UTF-8); S3's rules replace the header with the hash computed here.
        let stated_hash = (is_header_signing && !settings.content_sha256_header)
            .then(|| request.headers().get(header_names::X_AMZ_CONTENT_SHA256))
            .flatten()
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok());
        let payload_hash = match stated_hash {
            Some(hash) => Cow::Owned(hash.to_owned()),
            None => payload_hash(request, params.payload, form_query.is_some())?,
        };
        let static_payload_hash = match (stated_hash, params.payload) {
            (Some(_), _) => None,
            (None, PayloadHash::Unsigned) => Some(UNSIGNED_PAYLOAD),
            (None, PayloadHash::Precomputed(Cow::Borrowed(hash))) => Some(*hash),
            (None, _) => None,
        };
        let drop_content_type = !is_header_signing
            && settings.form_body_to_query
            && request
                .headers()
                .get(CONTENT_TYPE)
                .is_some_and(|v| v == FORM_CONTENT_TYPE_UTF8);
        // botocore: a header-signed request carrying `Date` keeps dating itself that way
        // (re-stamped), and no `X-Amz-Date` is sent.
        let http_date = (is_header_signing && request.headers().contains_key(DATE))
            .then(|| params.time.http_date());
        Ok(Stamp {
            amz_date: params.time.amz_str(),
            http_date,
            token,
            token_header: is_header_signing
                .then(|| credentials.session_token_header())
                .flatten(),
            sign_token: token.filter(|_| !settings.omit_session_token),
            payload_hash,
            static_payload_hash,
            form_query,
            drop_content_type,
        })
    }

    /// The token goes on the request unsigned, after signing.
    fn unsigned_token(&self) -> Option<&'a str> {
        match (self.token, self.sign_token) {
            (Some(t), None) => Some(t),
            _ => None,
        }
    }
}

/// botocore presigning (`SigV4QueryAuth`): the body's parameters move into the URL and the
/// body is dropped; form parameters as they are, a JSON object's members as botocore writes
/// them (Polly's `SynthesizeSpeech` is presigned this way). Any other body cannot be moved, and
/// botocore refuses it.
fn presigned_form_query(
    request: &Request<Body>,
    settings: &SigningSettings,
) -> Result<Option<String>, AuthError> {
    if settings.location == SignatureLocation::Headers || !settings.form_body_to_query {
        return Ok(None);
    }
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    match request.body() {
        Body::Empty => Ok(None),
        Body::Bytes(bytes) if bytes.is_empty() => Ok(None),
        Body::Bytes(bytes) if is_form => Ok(Some(form_body_to_query(bytes))),
        Body::Bytes(bytes) => json_body_to_query(bytes)
            .map(Some)
            .ok_or(AuthError::PresignBody),
        Body::Stream(_) => Err(AuthError::PresignBody),
    }
}

/// The canonical request's payload hash: the body's SHA-256, `UNSIGNED-PAYLOAD`, or the one
/// given. A form body moved into the URL leaves an empty payload behind.
fn payload_hash<'a>(
    request: &Request<Body>,
    payload: &'a PayloadHash,
    form_moved: bool,
) -> Result<Cow<'a, str>, AuthError> {
    Ok(match payload {
        PayloadHash::ComputeSha256 => {
            let bytes = match form_moved {
                true => &[][..],
                false => request
                    .body()
                    .as_bytes()
                    .ok_or(AuthError::StreamingBodyNeedsPayloadHash)?,
            };
            let mut hex = String::with_capacity(64);
            push_hex(&mut hex, &Sha256::digest(bytes));
            Cow::Owned(hex)
        }
        PayloadHash::Unsigned => Cow::Borrowed(UNSIGNED_PAYLOAD),
        PayloadHash::Precomputed(hash) => Cow::Borrowed(hash.as_ref()),
    })
}

/// Headers the signature adds (and signs), and request headers it replaces (not signed).
struct HeaderChanges<'a> {
    extra: SmallVec<[ExtraHeader<'a>; 4]>,
    excluded: Vec<&'static str>,
}

impl<'a> HeaderChanges<'a> {
    fn new(settings: &SigningSettings, variant: &Variant<'a>, stamp: &'a Stamp<'a>) -> Self {
        let mut extra: SmallVec<[ExtraHeader<'a>; 4]> = SmallVec::new();
        // Most requests remove nothing: an empty list costs no allocation.
        let mut excluded: Vec<&'static str> = Vec::new();
        if stamp.drop_content_type {
            excluded.push("content-type");
        }
        if stamp.form_query.is_some() {
            excluded.push("content-length");
        }
        if settings.location != SignatureLocation::Headers {
            // The token header, if any, is not signed: the token travels in the query.
            excluded.push(X_AMZ_SECURITY_TOKEN);
            return HeaderChanges { extra, excluded };
        }
        match &stamp.http_date {
            Some(date) => {
                extra.push(("date", date));
                excluded.push(X_AMZ_DATE);
            }
            None => extra.push((X_AMZ_DATE, stamp.amz_date)),
        }
        match (stamp.token, stamp.sign_token) {
            (_, Some(t)) => extra.push((X_AMZ_SECURITY_TOKEN, t)),
            (Some(_), None) => excluded.push(X_AMZ_SECURITY_TOKEN),
            (None, None) => {}
        }
        if settings.content_sha256_header {
            extra.push((X_AMZ_CONTENT_SHA256, &stamp.payload_hash));
        }
        if let Some(set) = variant.region_set {
            extra.push((X_AMZ_REGION_SET, set));
        }
        HeaderChanges { extra, excluded }
    }
}

/// A presign's auth parameters, in botocore's order and canonical (encoded) form: added to
/// `query_params` (signed) and returned as the query string they make. Empty when signing
/// headers.
fn push_auth_query_params(
    query_params: &mut Vec<QueryParam>,
    settings: &SigningSettings,
    variant: &Variant<'_>,
    stamp: &Stamp<'_>,
    access_key_id: &str,
    signed_headers: &str,
) -> String {
    let mut auth_query = String::new();
    let SignatureLocation::QueryString { expires_in } = settings.location else {
        return auth_query;
    };
    let credential = [access_key_id, "/", &variant.scope].concat();
    let mut push = |key: &str, value: &str| {
        let mut v = String::with_capacity(value.len() + 16);
        push_percent_encoded(&mut v, value.as_bytes(), b"");
        if !auth_query.is_empty() {
            auth_query.push('&');
        }
        auth_query.push_str(key);
        auth_query.push('=');
        auth_query.push_str(&v);
        query_params.push(QueryParam {
            key: key.to_owned(),
            value: v,
        });
    };
    push("X-Amz-Algorithm", variant.algorithm);
    push("X-Amz-Credential", &credential);
    push("X-Amz-Date", stamp.amz_date);
    push("X-Amz-Expires", &expires_in.as_secs().to_string());
    push("X-Amz-SignedHeaders", signed_headers);
    if let Some(set) = variant.region_set {
        push("X-Amz-Region-Set", set);
    }
    if let Some(t) = stamp.sign_token {
        push("X-Amz-Security-Token", t);
    }
    if settings.content_sha256_header {
        push("X-Amz-Content-Sha256", &stamp.payload_hash);
    }
    auth_query
}

/// The canonical request: method, canonical URI, canonical query, canonical headers, signed
/// headers and payload hash, one per line.
fn canonical_request(
    method: &str,
    path: &str,
    query_params: &mut [QueryParam],
    canonical_headers: &str,
    signed_headers: &str,
    settings: &SigningSettings,
    payload_hash: &str,
) -> String {
    let query_len: usize = query_params
        .iter()
        .map(|p| p.key.len() + p.value.len() + 2)
        .sum();
    let mut out = String::with_capacity(
        method.len() + path.len() * 2 + query_len + canonical_headers.len() * 2 + 80,
    );
    out.push_str(method);
    out.push('\n');
    push_canonical_uri(
        &mut out,
        path,
        settings.normalize_uri_path,
        settings.double_uri_encode,
    );
    out.push('\n');
    push_canonical_query(&mut out, query_params);
    out.push('\n');
    out.push_str(canonical_headers);
    out.push('\n');
    out.push_str(signed_headers);
    out.push('\n');
    out.push_str(payload_hash);
    out
}

/// The string to sign: algorithm, timestamp, scope and the canonical request's SHA-256.
fn string_to_sign(variant: &Variant<'_>, amz_date: &str, canonical_request: &str) -> String {
    let mut out =
        String::with_capacity(variant.algorithm.len() + amz_date.len() + variant.scope.len() + 67);
    out.push_str(variant.algorithm);
    out.push('\n');
    out.push_str(amz_date);
    out.push('\n');
    out.push_str(&variant.scope);
    out.push('\n');
    push_hex(&mut out, &Sha256::digest(canonical_request.as_bytes()));
    out
}

/// Header signing: remove the replaced headers, set the added ones, the unsigned token if any,
/// and `Authorization`. Every value is checked before the request is touched.
fn apply_signature_headers(
    request: &mut Request<Body>,
    changes: &HeaderChanges<'_>,
    stamp: &Stamp<'_>,
    authorization: String,
) -> Result<(), AuthError> {
    // The token's value is the credentials' own, made once (it is the same text).
    let value_of = |name: &'static str, value: &str| match stamp.token_header.as_ref() {
        Some(token) if name == X_AMZ_SECURITY_TOKEN && stamp.token == Some(value) => {
            Ok(token.clone())
        }
        _ => match stamp.static_payload_hash {
            Some(hash) if name == X_AMZ_CONTENT_SHA256 && hash == value => {
                static_header_value(name, hash)
            }
            _ => header_value(name, value),
        },
    };
    let mut inserts: SmallVec<[(HeaderName, HeaderValue); 6]> = SmallVec::new();
    for (name, value) in &changes.extra {
        inserts.push((signer_header_name(name), value_of(name, value)?));
    }
    if let Some(t) = stamp.unsigned_token() {
        inserts.push((
            signer_header_name(X_AMZ_SECURITY_TOKEN),
            value_of(X_AMZ_SECURITY_TOKEN, t)?,
        ));
    }
    inserts.push((
        AUTHORIZATION,
        owned_header_value("authorization", authorization)?,
    ));
    let headers = request.headers_mut();
    for name in &changes.excluded {
        headers.remove(*name);
    }
    for (name, value) in inserts {
        headers.insert(name, value);
    }
    Ok(())
}

/// The `HeaderName` of a header the signer adds: the usual ones are constants, not parsed
/// again for every request.
fn signer_header_name(name: &'static str) -> HeaderName {
    match name {
        X_AMZ_DATE => header_names::X_AMZ_DATE,
        X_AMZ_SECURITY_TOKEN => header_names::X_AMZ_SECURITY_TOKEN,
        X_AMZ_CONTENT_SHA256 => header_names::X_AMZ_CONTENT_SHA256,
        X_AMZ_REGION_SET => header_names::X_AMZ_REGION_SET,
        _ => HeaderName::from_static(name),
    }
}

/// A presigned URL's path and query: the request's own parameters (an earlier presign's auth
/// parameters dropped), then the auth parameters, the unsigned token if any, and the signature.
fn presigned_path_and_query(
    path: &str,
    original_query: &str,
    auth_query: &str,
    stamp: &Stamp<'_>,
    settings: &SigningSettings,
    signature: &str,
) -> String {
    let mut pq = String::with_capacity(
        path.len() + original_query.len() + auth_query.len() + signature.len() + 64,
    );
    pq.push_str(if path.is_empty() { "/" } else { path });
    pq.push('?');
    for pair in original_query.split('&').filter(|p| !p.is_empty()) {
        let key = pair.split_once('=').map_or(pair, |(k, _)| k);
        if !is_auth_query_param(key, settings.content_sha256_header) {
            pq.push_str(pair);
            // botocore rewrites the query it presigns (`parse_qs` and back): `?delete` becomes
            // `?delete=`, as the canonical query string has it.
            if !pair.contains('=') {
                pq.push('=');
            }
            pq.push('&');
        }
    }
    pq.push_str(auth_query);
    if let Some(t) = stamp.unsigned_token() {
        pq.push_str("&X-Amz-Security-Token=");
        push_percent_encoded(&mut pq, t.as_bytes(), b"");
    }
    pq.push_str("&X-Amz-Signature=");
    pq.push_str(signature);
    pq
}

/// Presigning: put the presigned path and query on the request, remove the replaced headers,
/// and drop a form body that moved into the URL.
fn apply_presigned_uri(
    request: &mut Request<Body>,
    pq: String,
    changes: &HeaderChanges<'_>,
    form_moved: bool,
) -> Result<(), AuthError> {
    let pq = PathAndQuery::try_from(pq).map_err(|_| AuthError::InvalidUri)?;
    let mut parts = request.uri().clone().into_parts();
    parts.path_and_query = Some(pq);
    *request.uri_mut() = http::Uri::from_parts(parts).map_err(|_| AuthError::InvalidUri)?;
    let headers = request.headers_mut();
    for name in &changes.excluded {
        headers.remove(*name);
    }
    if form_moved {
        *request.body_mut() = Body::Empty;
    }
    Ok(())
}

/// Sign `request` with SigV4, in place: headers (`Authorization`, `X-Amz-Date`, …) or the query
/// string, as `params.settings.location` says.
///
/// The signing key comes from `cache` (derived on the first use of a day/region/service).
pub fn sign(
    request: &mut Request<Body>,
    credentials: &Credentials,
    params: &SigningParams<'_>,
    cache: &SigningKeyCache,
) -> Result<SigningOutput, AuthError> {
    let time = SigningTime::from_system_time(params.time)?;
    let variant = Variant {
        algorithm: ALGORITHM_V4,
        scope: [
            time.date(),
            "/",
            params.region,
            "/",
            params.signing_name,
            "/aws4_request",
        ]
        .concat(),
        region_set: None,
    };
    let engine = EngineParams {
        time,
        payload: &params.payload,
        settings: &params.settings,
    };
    let date = engine.time.date();
    sign_request(request, credentials, &engine, &variant, |sts| {
        Ok(cache.sign_hex(
            credentials,
            date,
            params.region,
            params.signing_name,
            sts.as_bytes(),
        ))
    })
}

/// The hex HMAC-SHA256 signature of an arbitrary string with the scope's signing key (the POST
/// policy and event-stream signatures use it).
pub(crate) fn sign_string_with_key(
    cache: &SigningKeyCache,
    credentials: &Credentials,
    date: &str,
    region: &str,
    service: &str,
    string_to_sign: &str,
) -> String {
    cache.sign_hex(
        credentials,
        date,
        region,
        service,
        string_to_sign.as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn creds() -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
        )
    }

    fn time() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_440_938_160)
    }

    fn get(uri: &str) -> Request<Body> {
        Request::get(uri).body(Body::Empty).unwrap()
    }

    #[test]
    fn key_cache_hits_after_first_use_and_separates_scopes() {
        let cache = SigningKeyCache::new(4);
        let params = SigningParams {
            signing_name: "service",
            region: "us-east-1",
            time: time(),
            payload: PayloadHash::ComputeSha256,
            settings: SigningSettings::default(),
        };
        let first = sign(
            &mut get("https://example.amazonaws.com/"),
            &creds(),
            &params,
            &cache,
        )
        .unwrap();
        assert_eq!(cache.stats(), (0, 1));
        let second = sign(
            &mut get("https://example.amazonaws.com/"),
            &creds(),
            &params,
            &cache,
        )
        .unwrap();
        assert_eq!(cache.stats(), (1, 1));
        assert_eq!(first, second);
        let other_region = SigningParams {
            region: "eu-west-1",
            ..params.clone()
        };
        sign(
            &mut get("https://example.amazonaws.com/"),
            &creds(),
            &other_region,
            &cache,
        )
        .unwrap();
        assert_eq!(cache.stats(), (1, 2));
        // A different secret under the same access key must not reuse the key.
        let other_secret = Credentials::new("AKIDEXAMPLE", "another", None, None);
        let third = sign(
            &mut get("https://example.amazonaws.com/"),
            &other_secret,
            &params,
            &cache,
        )
        .unwrap();
        assert_eq!(cache.stats(), (1, 3));
        assert_ne!(third.signature, first.signature);
        assert!(!format!("{cache:?}").contains("wJalr"));
    }

    #[test]
    fn key_cache_is_bounded() {
        let cache = SigningKeyCache::new(2);
        for region in ["a", "b", "c", "a"] {
            cache.sign_hex(&creds(), "20150830", region, "s", b"");
        }
        // "a" was evicted by "c", so the last lookup missed.
        assert_eq!(cache.stats(), (0, 4));
    }

    #[test]
    fn presign_longer_than_seven_days_is_rejected() {
        let cache = SigningKeyCache::default();
        let ok = SigningParams {
            signing_name: "s3",
            region: "us-east-1",
            time: time(),
            payload: PayloadHash::Unsigned,
            settings: SigningSettings::s3().presigned(MAX_PRESIGN_EXPIRY),
        };
        let mut req = get("https://bucket.s3.amazonaws.com/key");
        sign(&mut req, &creds(), &ok, &cache).unwrap();
        assert!(req.uri().query().unwrap().contains("X-Amz-Expires=604800"));
        let too_long = SigningParams {
            settings: SigningSettings::s3().presigned(MAX_PRESIGN_EXPIRY + Duration::from_secs(1)),
            ..ok
        };
        let mut req = get("https://bucket.s3.amazonaws.com/key");
        let err = sign(&mut req, &creds(), &too_long, &cache).unwrap_err();
        assert_eq!(
            err,
            AuthError::ExpiresTooLong {
                requested_secs: 604_801,
                max_secs: 604_800
            }
        );
        assert_eq!(
            req.uri().query(),
            None,
            "a failed signing leaves the request alone"
        );
    }

    #[test]
    fn s3_signs_path_as_sent_with_content_sha256() {
        let cache = SigningKeyCache::default();
        let params = SigningParams {
            signing_name: "s3",
            region: "us-east-1",
            time: time(),
            payload: PayloadHash::ComputeSha256,
            settings: SigningSettings::s3(),
        };
        let mut req = Request::put("https://bucket.s3.amazonaws.com/a//b/../c%20d")
            .body(Body::from(b"hello".to_vec()))
            .unwrap();
        let out = sign(&mut req, &creds(), &params, &cache).unwrap();
        let lines: Vec<&str> = out.canonical_request.lines().collect();
        assert_eq!(lines[1], "/a//b/../c%20d");
        let hash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        assert!(out
            .canonical_request
            .contains(&format!("x-amz-content-sha256:{hash}\n")));
        assert_eq!(req.headers()["x-amz-content-sha256"], hash);
        assert!(req.headers()["authorization"]
            .to_str()
            .unwrap()
            .contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date,"));
    }

    #[test]
    fn a_stated_content_sha256_header_is_the_payload_hash_outside_s3() {
        let cache = SigningKeyCache::default();
        let stated = "d".repeat(64);
        for (settings, signed_hash) in [
            // Not S3: the request's own header is what is signed (botocore's SigV4Auth).
            (SigningSettings::default(), stated.clone()),
            // S3: the header is replaced by the body's hash (botocore's S3SigV4Auth).
            (
                SigningSettings::s3(),
                "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824".to_string(),
            ),
        ] {
            let params = SigningParams {
                signing_name: "codeartifact",
                region: "us-east-1",
                time: time(),
                payload: PayloadHash::ComputeSha256,
                settings,
            };
            let mut req = Request::post("https://codeartifact.us-east-1.amazonaws.com/v1/p")
                .header("x-amz-content-sha256", stated.as_str())
                .body(Body::from(b"hello".to_vec()))
                .unwrap();
            let out = sign(&mut req, &creds(), &params, &cache).unwrap();
            assert!(
                out.canonical_request.ends_with(&format!("\n{signed_hash}")),
                "{}",
                out.canonical_request
            );
            assert_eq!(req.headers()["x-amz-content-sha256"], signed_hash.as_str());
        }
    }

    #[test]
    fn s3_presigned_url_is_unsigned_payload_with_token_in_query() {
        let cache = SigningKeyCache::default();
        let temp = Credentials::new("AKID", "secret", Some("tok/en+=".into()), None);
        let mut params = SigningParams {
            signing_name: "s3",
            region: "us-west-2",
            time: time(),
            payload: PayloadHash::Unsigned,
            settings: SigningSettings::s3().presigned(Duration::from_secs(900)),
        };
        params.settings.content_sha256_header = false;
        let mut req = get("https://bucket.s3.us-west-2.amazonaws.com/my%20key?versionId=3");
        let out = sign(&mut req, &temp, &params, &cache).unwrap();
        let lines: Vec<&str> = out.canonical_request.lines().collect();
        assert_eq!(lines[1], "/my%20key");
        assert_eq!(
            lines[2],
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-west-2%2Fs3%2Faws4_request\
             &X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&X-Amz-Security-Token=tok%2Fen%2B%3D\
             &X-Amz-SignedHeaders=host&versionId=3"
        );
        assert_eq!(lines.last(), Some(&UNSIGNED_PAYLOAD));
        let query = req.uri().query().unwrap();
        assert!(
            query.starts_with("versionId=3&X-Amz-Algorithm=AWS4-HMAC-SHA256&"),
            "{query}"
        );
        assert!(
            query.ends_with(&format!("&X-Amz-Signature={}", out.signature)),
            "{query}"
        );
        assert!(!req.headers().contains_key("authorization"));
        assert!(!format!("{out:?}").contains("tok/en"));

        // Asked for explicitly, the payload hash travels (signed) in the query too.
        params.settings.content_sha256_header = true;
        let mut req = get("https://bucket.s3.us-west-2.amazonaws.com/k");
        let out = sign(&mut req, &temp, &params, &cache).unwrap();
        assert!(out
            .canonical_request
            .contains("&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&"));
        assert!(req
            .uri()
            .query()
            .unwrap()
            .contains("X-Amz-Content-Sha256=UNSIGNED-PAYLOAD"));
    }

    #[test]
    fn date_header_is_restamped_instead_of_x_amz_date() {
        let cache = SigningKeyCache::default();
        let params = SigningParams {
            signing_name: "service",
            region: "us-east-1",
            time: time(),
            payload: PayloadHash::ComputeSha256,
            settings: SigningSettings::default(),
        };
        let mut req = Request::get("https://example.amazonaws.com/")
            .header("date", "Mon, 01 Jan 2001 00:00:00 GMT")
            .header("x-amz-date", "20010101T000000Z")
            .header("user-agent", "test")
            .body(Body::Empty)
            .unwrap();
        let out = sign(&mut req, &creds(), &params, &cache).unwrap();
        assert_eq!(req.headers()["date"], "Sun, 30 Aug 2015 12:36:00 -0000");
        assert!(!req.headers().contains_key("x-amz-date"));
        assert!(out
            .canonical_request
            .contains("\ndate:Sun, 30 Aug 2015 12:36:00 -0000\nhost:"));
        assert!(
            out.canonical_request.contains("\ndate;host\n"),
            "user-agent is never signed"
        );
        assert!(out.string_to_sign.contains("\n20150830T123600Z\n"));
    }

    #[test]
    fn presigning_moves_form_body_into_query() {
        let cache = SigningKeyCache::default();
        let params = SigningParams {
            signing_name: "sts",
            region: "us-east-1",
            time: time(),
            payload: PayloadHash::ComputeSha256,
            settings: SigningSettings {
                form_body_to_query: true,
                ..SigningSettings::default().presigned(Duration::from_secs(60))
            },
        };
        let mut req = Request::post("https://sts.amazonaws.com/")
            .header("content-type", FORM_CONTENT_TYPE_UTF8)
            .header("content-length", "43")
            .body(Body::from(
                b"Action=GetCallerIdentity&Version=2011-06-15".to_vec(),
            ))
            .unwrap();
        let out = sign(&mut req, &creds(), &params, &cache).unwrap();
        let query = req.uri().query().unwrap();
        assert!(
            query.starts_with("Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm="),
            "{query}"
        );
        assert!(req.body().is_empty());
        assert!(req.headers().is_empty(), "{:?}", req.headers());
        assert!(out.canonical_request.ends_with(
            "\nhost:sts.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        ));
    }

    #[test]
    fn services_double_encode_and_normalise() {
        let cache = SigningKeyCache::default();
        let params = SigningParams {
            signing_name: "service",
            region: "us-east-1",
            time: time(),
            payload: PayloadHash::ComputeSha256,
            settings: SigningSettings::default(),
        };
        let mut req = get("https://example.amazonaws.com/a//b/../c%20d");
        let out = sign(&mut req, &creds(), &params, &cache).unwrap();
        assert_eq!(out.canonical_request.lines().nth(1), Some("/a/c%2520d"));
    }

    #[test]
    fn streaming_body_needs_a_given_hash() {
        let cache = SigningKeyCache::default();
        let stream = crate::body::StreamingBody::new(0u8, Some(10));
        let mut req = Request::put("https://b.s3.amazonaws.com/k")
            .body(Body::Stream(stream))
            .unwrap();
        let mut params = SigningParams {
            signing_name: "s3",
            region: "us-east-1",
            time: time(),
            payload: PayloadHash::ComputeSha256,
            settings: SigningSettings::s3(),
        };
        assert_eq!(
            sign(&mut req, &creds(), &params, &cache).unwrap_err(),
            AuthError::StreamingBodyNeedsPayloadHash
        );
        params.payload =
            PayloadHash::Precomputed(Cow::Borrowed("STREAMING-UNSIGNED-PAYLOAD-TRAILER"));
        let out = sign(&mut req, &creds(), &params, &cache).unwrap();
        assert!(out
            .canonical_request
            .ends_with("\nSTREAMING-UNSIGNED-PAYLOAD-TRAILER"));
    }

    #[test]
    fn resigning_replaces_previous_signature() {
        let cache = SigningKeyCache::default();
        let params = SigningParams {
            signing_name: "service",
            region: "us-east-1",
            time: time(),
            payload: PayloadHash::ComputeSha256,
            settings: SigningSettings::default(),
        };
        let mut req = get("https://example.amazonaws.com/");
        let first = sign(&mut req, &creds(), &params, &cache).unwrap();
        let again = sign(&mut req, &creds(), &params, &cache).unwrap();
        assert_eq!(first, again);
        assert_eq!(req.headers().get_all("authorization").iter().count(), 1);

        let presign = SigningParams {
            settings: SigningSettings::default().presigned(Duration::from_secs(60)),
            ..params
        };
        let mut req = get("https://example.amazonaws.com/?a=1");
        sign(&mut req, &creds(), &presign, &cache).unwrap();
        let once = req.uri().to_string();
        sign(&mut req, &creds(), &presign, &cache).unwrap();
        assert_eq!(req.uri().to_string(), once);
    }
}
