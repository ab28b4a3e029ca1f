//! Request authentication: SigV4 (headers and presigned URLs), SigV4a, bearer tokens, S3 POST
//! policies, and the choice between them from a model's auth traits.
//!
//! Every function here is pure: (request, identity, signing context, time) → signed request. The
//! time is always an argument. The only state is the [`Signer`]'s caches of derived keys, which
//! make the per-request cost a couple of SHA-256 and one HMAC rather than a key derivation.

pub mod bearer;
pub(crate) mod canonical;
pub mod credentials;
pub mod event_signing;
mod key_cache;
pub mod presign_post;
pub mod s3express;
pub mod sigv2;
pub mod sigv4;
pub mod sigv4a;

use std::time::{Duration, SystemTime};

use http::Request;

pub use canonical::uri_encode;
pub use credentials::{Credentials, Token};
pub use presign_post::{presign_post, PresignPostInput, PresignedPost};
pub use sigv4::{
    PayloadHash, SignatureLocation, SigningKeyCache, SigningOutput, SigningParams, SigningSettings,
    MAX_PRESIGN_EXPIRY, UNSIGNED_PAYLOAD,
};
pub use sigv4a::{SigV4aKey, SigV4aKeyCache, SigV4aParams};

use crate::body::Body;

/// What can go wrong while authenticating a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A presigned URL was asked to live longer than SigV4 allows.
    #[error(
        "presigned URL expiry of {requested_secs} s exceeds the maximum of {max_secs} s (7 days)"
    )]
    ExpiresTooLong {
        /// The expiry asked for, in seconds.
        requested_secs: u64,
        /// The maximum, in seconds.
        max_secs: u64,
    },
    /// The body is a stream, so its SHA-256 cannot be computed here.
    #[error("cannot hash a streaming body while signing: give a precomputed payload hash, UNSIGNED-PAYLOAD or a STREAMING-* marker")]
    StreamingBodyNeedsPayloadHash,
    /// A request header's value is not valid UTF-8 text, so it cannot be canonicalised.
    #[error("header `{name}` has a value that is not UTF-8 text and cannot be signed")]
    HeaderValueNotText {
        /// The header name.
        name: String,
    },
    /// A value the signer would put in a header is not a valid header value.
    #[error(
        "the value for header `{name}` is not a valid HTTP header value (control characters?)"
    )]
    InvalidHeaderValue {
        /// The header name.
        name: &'static str,
    },
    /// The presigned URL could not be rebuilt.
    #[error("the presigned URL is not a valid URI")]
    InvalidUri,
    /// The signing time is before 1970.
    #[error("signing time is before the Unix epoch")]
    TimeBeforeEpoch,
    /// The signing time plus an expiry overflows.
    #[error("signing time plus expiry is out of range")]
    TimeOutOfRange,
    /// No valid SigV4a key could be derived (practically impossible: 254 candidates failed).
    #[error("could not derive a SigV4a key from these credentials")]
    SigV4aKeyDerivation,
    /// ECDSA signing failed.
    #[error("SigV4a ECDSA signing failed")]
    SigV4aSignature,
    /// The call needs SigV4a (a multi-region access point, a global endpoint) and this build
    /// left out sansboto-core's `sigv4a` feature (botocore without `awscrt` refuses the same way).
    #[error("Using SigV4a requires sansboto's `sigv4a` feature (on by default), which this build leaves out")]
    SigV4aNotBuilt,
    /// The POST policy could not be serialised.
    #[error("cannot serialise the POST policy: {0}")]
    PostPolicy(String),
    /// An auth trait or signature version sansboto does not know.
    #[error("unknown auth type or signature version `{0}`")]
    UnknownAuthType(String),
    /// None of the listed auth types is supported.
    #[error("none of the auth types {0:?} is supported")]
    UnsupportedAuthTypes(Vec<String>),
    /// The operation's auth has no query form to presign with: Signature Version 2
    /// (`v2-query`) or a bearer token (`bearer-query`). botocore refuses both too
    /// (`UnsupportedSignatureVersionError`).
    #[error("cannot presign: there is no `{0}` signature")]
    NoPresignForm(&'static str),
    /// A body that botocore's query presigner cannot move into the URL: it is not a JSON
    /// object (an XML document, raw bytes, a stream). botocore refuses to presign it too.
    #[error("cannot presign a request whose body is not form parameters or a JSON object")]
    PresignBody,
    /// The scheme needs a kind of identity that was not given.
    #[error("{scheme} signing needs {needed}")]
    MissingIdentity {
        /// The auth scheme.
        scheme: &'static str,
        /// What it needs (credentials or a token).
        needed: &'static str,
    },
}

/// Signing names that get S3's signing rules (botocore's `S3_SIGNING_NAMES`).
pub const S3_SIGNING_NAMES: [&str; 4] = ["s3", "s3-outposts", "s3-object-lambda", "s3express"];

/// How the SigV4 family signs for one operation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigV4Flags {
    /// S3's rules: no path normalisation, single encoding, `x-amz-content-sha256` always.
    pub s3: bool,
    /// The operation's body is not signed (`v4-unsigned-body`, `unsignedPayload`) when the
    /// connection is HTTPS.
    pub unsigned_payload: bool,
    /// The operation's input is a blob payload (botocore's `has_streaming_input`): under S3's
    /// rules its body is not signed over HTTPS when `Content-MD5` vouches for it.
    pub streaming_input: bool,
}

impl SigV4Flags {
    /// The settings these flags mean, before choosing headers or query.
    pub fn settings(&self) -> SigningSettings {
        if self.s3 {
            SigningSettings::s3()
        } else {
            SigningSettings {
                // botocore announces an unsigned body in the header for non-S3 services too.
                content_sha256_header: self.unsigned_payload,
                ..SigningSettings::default()
            }
        }
    }
}

/// The authentication an operation uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    /// `aws.auth#sigv4`.
    SigV4(SigV4Flags),
    /// `aws.auth#sigv4a`.
    SigV4a(SigV4Flags),
    /// `sigv4-s3express` (an endpoint's auth scheme for S3 directory buckets): SigV4 with the
    /// bucket's session credentials, see [`s3express`].
    S3Express(SigV4Flags),
    /// `smithy.api#httpBearerAuth`.
    Bearer,
    /// `v2`: the legacy Signature Version 2 SimpleDB's model names, see [`sigv2`].
    SigV2,
    /// `smithy.api#noAuth`: the request is sent as is.
    Anonymous,
}

/// Map one auth trait / signature version to a scheme kind (`None` for unknown names).
fn scheme_for_name(name: &str) -> Option<AuthScheme> {
    let flags = SigV4Flags::default();
    Some(match name {
        "aws.auth#sigv4" | "v4" | "s3v4" | "s3" => AuthScheme::SigV4(flags),
        "aws.auth#sigv4a" | "v4a" => AuthScheme::SigV4a(flags),
        "v4-unsigned-body" => AuthScheme::SigV4(SigV4Flags {
            unsigned_payload: true,
            ..flags
        }),
        "smithy.api#httpBearerAuth" | "bearer" => AuthScheme::Bearer,
        "v2" => AuthScheme::SigV2,
        "smithy.api#noAuth" | "none" => AuthScheme::Anonymous,
        _ => return None,
    })
}

/// The first supported entry of an ordered `auth` list (botocore's `resolve_auth_type`): an
/// unknown name met before a supported one is an error, as in botocore, and so is a list with
/// nothing supported. SigV4a is supported when this build has it (`sigv4a`, on by default),
/// as botocore supports it with `awscrt`; without it a `[sigv4a, sigv4]` list is SigV4, as it
/// is in botocore without `awscrt`.
pub fn resolve_auth_list(auth: &[&str]) -> Result<AuthScheme, AuthError> {
    for name in auth {
        match scheme_for_name(name) {
            Some(AuthScheme::SigV4a(_)) if !cfg!(feature = "sigv4a") => continue,
            Some(scheme) => return Ok(scheme),
            None => return Err(AuthError::UnknownAuthType((*name).to_owned())),
        }
    }
    Err(AuthError::UnsupportedAuthTypes(
        auth.iter().map(|name| (*name).to_owned()).collect(),
    ))
}

/// The model's description of an operation's auth, as plain strings (the model types are
/// independent of this module).
#[derive(Clone, Copy, Debug, Default)]
pub struct AuthTraits<'a> {
    /// The service's `metadata.auth` list (preferred over `signatureVersion` when present).
    pub service_auth: &'a [&'a str],
    /// The service's `metadata.signatureVersion` (`v4`, `s3`, `s3v4`, `bearer`, `v4a`…).
    pub service_signature_version: Option<&'a str>,
    /// The operation's `auth` list (preferred over `authtype`).
    pub operation_auth: &'a [&'a str],
    /// The operation's legacy `authtype` (`none`, `v4-unsigned-body`, `bearer`, `v4`…).
    pub operation_authtype: Option<&'a str>,
    /// The operation's `unsignedPayload` flag.
    pub operation_unsigned_payload: bool,
    /// The operation's input is a blob payload (botocore's `has_streaming_input`).
    pub operation_streaming_input: bool,
}

/// Choose an operation's auth scheme as botocore does: the operation's `auth` (or `authtype`)
/// wins over the service's `auth` (or `signatureVersion`); the signing name decides S3 rules
/// (an endpoint's `authSchemes` may decide again, see `ServiceClient`).
pub fn select_auth_scheme(
    traits: &AuthTraits<'_>,
    signing_name: &str,
) -> Result<AuthScheme, AuthError> {
    let operation = if !traits.operation_auth.is_empty() {
        Some(resolve_auth_list(traits.operation_auth)?)
    } else if let Some(authtype) = traits.operation_authtype {
        Some(
            scheme_for_name(authtype)
                .ok_or_else(|| AuthError::UnknownAuthType(authtype.to_owned()))?,
        )
    } else {
        None
    };
    // botocore gives S3's signing rules to an operation-level auth type whose signing name is
    // an S3 one, but at the service level only to S3 and S3 Control (signing name `s3`): S3 on
    // Outposts' own API (`s3-outposts`) signs as any other service.
    let s3 = match operation {
        Some(_) => S3_SIGNING_NAMES.contains(&signing_name),
        None => signing_name == "s3",
    };
    let scheme = match operation {
        Some(scheme) => scheme,
        None if !traits.service_auth.is_empty() => resolve_auth_list(traits.service_auth)?,
        None => match traits.service_signature_version {
            Some(version) => scheme_for_name(version)
                .ok_or_else(|| AuthError::UnsupportedAuthTypes(vec![version.to_owned()]))?,
            None => AuthScheme::SigV4(SigV4Flags::default()),
        },
    };
    let with_flags = |flags: SigV4Flags| SigV4Flags {
        s3,
        unsigned_payload: flags.unsigned_payload || traits.operation_unsigned_payload,
        streaming_input: traits.operation_streaming_input,
    };
    Ok(match scheme {
        AuthScheme::SigV4(flags) => AuthScheme::SigV4(with_flags(flags)),
        AuthScheme::SigV4a(flags) => AuthScheme::SigV4a(with_flags(flags)),
        other => other,
    })
}

/// Who signs: AWS credentials, a bearer token, or nobody.
#[derive(Clone, Copy, Debug)]
pub enum Identity<'a> {
    /// An access key pair (SigV4, SigV4a).
    Credentials(&'a Credentials),
    /// A bearer token.
    Token(&'a Token),
    /// No identity (`noAuth` operations, or a client configured unsigned).
    Anonymous,
}

/// Where and when to sign, for one request.
#[derive(Clone, Debug)]
pub struct SigningContext<'a> {
    /// Signing name (from the endpoint's auth scheme or the model).
    pub signing_name: &'a str,
    /// Signing region (SigV4).
    pub region: &'a str,
    /// Region set (SigV4a); the signing region when `None`.
    pub region_set: Option<&'a str>,
    /// The caller's clock reading.
    pub time: SystemTime,
    /// `Some(expiry)` to presign into the query string instead of signing headers.
    pub presign: Option<Duration>,
    /// A payload hash the caller already chose (streaming bodies, checksums with trailers);
    /// `None` lets the scheme decide.
    pub payload: Option<PayloadHash>,
    /// Override of the double-encoding rule (an endpoint's `disableDoubleEncoding`).
    pub disable_double_encoding: Option<bool>,
}

/// Signs requests with any [`AuthScheme`], holding the derived-key caches. Create one per client
/// and share it (it is `Sync`).
#[derive(Debug, Default)]
pub struct Signer {
    v4_keys: SigningKeyCache,
    v4a_keys: SigV4aKeyCache,
}

impl Signer {
    /// A signer with empty caches.
    pub fn new() -> Self {
        Self::default()
    }

    /// The SigV4 key cache (for presigned POST and tests).
    pub fn v4_keys(&self) -> &SigningKeyCache {
        &self.v4_keys
    }

    /// The SigV4a key cache.
    pub fn v4a_keys(&self) -> &SigV4aKeyCache {
        &self.v4a_keys
    }

    /// Authenticate `request` in place. Returns the signing steps for SigV4/SigV4a, `None` for
    /// bearer and anonymous requests.
    pub fn sign(
        &self,
        request: &mut Request<Body>,
        scheme: &AuthScheme,
        identity: Identity<'_>,
        ctx: &SigningContext<'_>,
    ) -> Result<Option<SigningOutput>, AuthError> {
        match scheme {
            AuthScheme::Anonymous => Ok(None),
            AuthScheme::Bearer => match identity {
                Identity::Token(token) => bearer::sign(request, token).map(|()| None),
                _ => Err(AuthError::MissingIdentity {
                    scheme: "bearer",
                    needed: "a bearer token",
                }),
            },
            // botocore has no query form of SigV2 (`v2-query`) to presign with.
            AuthScheme::SigV2 if ctx.presign.is_some() => Err(AuthError::NoPresignForm("v2-query")),
            AuthScheme::SigV2 => match identity {
                Identity::Credentials(credentials) => {
                    let time = crate::time::Timestamp::from_system_time(ctx.time);
                    sigv2::sign(request, credentials, time).map(|()| None)
                }
                _ => Err(AuthError::MissingIdentity {
                    scheme: "SigV2",
                    needed: "AWS credentials",
                }),
            },
            AuthScheme::S3Express(flags) => {
                let Identity::Credentials(session) = identity else {
                    return Err(AuthError::MissingIdentity {
                        scheme: "S3 Express",
                        needed: "S3 Express session credentials",
                    });
                };
                let params = SigningParams {
                    signing_name: ctx.signing_name,
                    region: ctx.region,
                    time: ctx.time,
                    payload: ctx
                        .payload
                        .clone()
                        .unwrap_or_else(|| Self::payload_for(flags, ctx, request)),
                    settings: self.settings_for(flags, ctx),
                };
                s3express::sign(request, session, &params, &self.v4_keys).map(Some)
            }
            AuthScheme::SigV4(flags) | AuthScheme::SigV4a(flags) => {
                let Identity::Credentials(credentials) = identity else {
                    return Err(AuthError::MissingIdentity {
                        scheme: "SigV4",
                        needed: "AWS credentials",
                    });
                };
                let settings = self.settings_for(flags, ctx);
                let payload = ctx
                    .payload
                    .clone()
                    .unwrap_or_else(|| Self::payload_for(flags, ctx, request));
                if matches!(scheme, AuthScheme::SigV4a(_)) {
                    let params = SigV4aParams {
                        signing_name: ctx.signing_name,
                        region_set: ctx.region_set.unwrap_or(ctx.region),
                        time: ctx.time,
                        payload,
                        settings,
                    };
                    sigv4a::sign(request, credentials, &params, &self.v4a_keys).map(Some)
                } else {
                    let params = SigningParams {
                        signing_name: ctx.signing_name,
                        region: ctx.region,
                        time: ctx.time,
                        payload,
                        settings,
                    };
                    sigv4::sign(request, credentials, &params, &self.v4_keys).map(Some)
                }
            }
        }
    }

    fn settings_for(&self, flags: &SigV4Flags, ctx: &SigningContext<'_>) -> SigningSettings {
        let mut settings = flags.settings();
        if let Some(disable) = ctx.disable_double_encoding {
            settings.double_uri_encode = !disable;
        }
        if let Some(expires_in) = ctx.presign {
            // botocore's presigner: no payload-hash parameter, the body's parameters into the
            // URL.
            settings = settings.presigned(expires_in);
            settings.content_sha256_header = false;
            settings.form_body_to_query = true;
        }
        settings
    }

    /// botocore's choice: S3 presigned URLs are `UNSIGNED-PAYLOAD`; an unsigned-body operation
    /// is unsigned over HTTPS only (plain HTTP always signs the payload); otherwise the body's
    /// SHA-256. A streamed body is `UNSIGNED-PAYLOAD` too: botocore reads a seekable stream
    /// twice to hash it, but the core never reads a stream, and hashing it here would mean
    /// holding it all in memory (aws-sdk-rust makes the same choice for bodies it cannot buffer).
    fn payload_for(
        flags: &SigV4Flags,
        ctx: &SigningContext<'_>,
        request: &Request<Body>,
    ) -> PayloadHash {
        let https = request.uri().scheme_str() == Some("https");
        // botocore hashes a streamed body by reading it twice; the core never reads streams,
        // so a stream without a precomputed hash is signed UNSIGNED-PAYLOAD (as aws-sdk-rust
        // does for bodies it cannot buffer). A replayable one is hashed ahead by the transport
        // and arrives as `ctx.payload` (see `crate::body_digest`).
        let streamed = matches!(request.body(), Body::Stream(_));
        if (flags.s3 && ctx.presign.is_some())
            || !flags.hashes_payload(https, request.headers())
            || streamed
        {
            PayloadHash::Unsigned
        } else {
            PayloadHash::ComputeSha256
        }
    }
}

impl SigV4Flags {
    /// Whether a (non-presigned) request with these `headers` has its payload signed by its
    /// SHA-256 rather than `UNSIGNED-PAYLOAD` (botocore's `_should_sha256_sign_payload`):
    /// always over plain HTTP; over HTTPS, unless the operation's body is unsigned. S3's signer
    /// skips the hash only when `Content-MD5` vouches for the body (the header botocore looks
    /// for, its own header checksum never going with a streaming input over HTTPS), and then
    /// for a streaming input too, even one given as bytes (`PutObject`, `UploadPart`).
    pub fn hashes_payload(&self, https: bool, headers: &http::HeaderMap) -> bool {
        if !https {
            return true;
        }
        if self.s3 {
            !((self.unsigned_payload || self.streaming_input)
                && headers.contains_key("content-md5"))
        } else {
            !self.unsigned_payload
        }
    }
}

impl AuthScheme {
    /// Whether signing a (non-presigned) request with these `headers` to a URI of this scheme
    /// (`https` or not) needs the SHA-256 of its payload.
    pub fn hashes_payload(&self, https: bool, headers: &http::HeaderMap) -> bool {
        match self {
            AuthScheme::SigV4(flags) | AuthScheme::SigV4a(flags) | AuthScheme::S3Express(flags) => {
                flags.hashes_payload(https, headers)
            }
            AuthScheme::Bearer | AuthScheme::Anonymous | AuthScheme::SigV2 => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_follows_botocore_precedence() {
        let traits = AuthTraits {
            service_auth: &["aws.auth#sigv4"],
            operation_auth: &["smithy.api#noAuth"],
            ..AuthTraits::default()
        };
        assert_eq!(
            select_auth_scheme(&traits, "sts").unwrap(),
            AuthScheme::Anonymous
        );

        let traits = AuthTraits {
            service_signature_version: Some("s3"),
            ..AuthTraits::default()
        };
        assert_eq!(
            select_auth_scheme(&traits, "s3").unwrap(),
            AuthScheme::SigV4(SigV4Flags {
                s3: true,
                unsigned_payload: false,
                ..Default::default()
            })
        );

        let traits = AuthTraits {
            service_signature_version: Some("v4"),
            operation_authtype: Some("v4-unsigned-body"),
            ..AuthTraits::default()
        };
        assert_eq!(
            select_auth_scheme(&traits, "lex").unwrap(),
            AuthScheme::SigV4(SigV4Flags {
                s3: false,
                unsigned_payload: true,
                ..Default::default()
            })
        );

        let traits = AuthTraits {
            service_auth: &["aws.auth#sigv4a", "aws.auth#sigv4"],
            ..AuthTraits::default()
        };
        // As botocore with `awscrt` (SigV4a first), or without it (SigV4, the next entry).
        let with_sigv4a = cfg!(feature = "sigv4a");
        match select_auth_scheme(&traits, "s3").unwrap() {
            AuthScheme::SigV4a(f) => assert!(with_sigv4a && f.s3),
            AuthScheme::SigV4(f) => assert!(!with_sigv4a && f.s3),
            other => panic!("{other:?}"),
        }
        let traits = AuthTraits {
            service_auth: &["aws.auth#sigv4a"],
            ..AuthTraits::default()
        };
        match select_auth_scheme(&traits, "x") {
            Ok(AuthScheme::SigV4a(_)) => assert!(with_sigv4a),
            Err(AuthError::UnsupportedAuthTypes(names)) => {
                assert!(!with_sigv4a);
                assert_eq!(names, ["aws.auth#sigv4a"]);
            }
            other => panic!("{other:?}"),
        }

        // S3 on Outposts' own API: S3 rules only for an operation-level auth type.
        let traits = AuthTraits {
            service_auth: &["aws.auth#sigv4"],
            ..AuthTraits::default()
        };
        assert_eq!(
            select_auth_scheme(&traits, "s3-outposts").unwrap(),
            AuthScheme::SigV4(SigV4Flags::default())
        );
        let traits = AuthTraits {
            operation_auth: &["aws.auth#sigv4"],
            ..AuthTraits::default()
        };
        assert!(matches!(
            select_auth_scheme(&traits, "s3-outposts").unwrap(),
            AuthScheme::SigV4(f) if f.s3
        ));

        let traits = AuthTraits {
            service_auth: &["smithy.api#httpBearerAuth"],
            ..AuthTraits::default()
        };
        assert_eq!(
            select_auth_scheme(&traits, "codecatalyst").unwrap(),
            AuthScheme::Bearer
        );

        let traits = AuthTraits {
            operation_auth: &["custom#auth"],
            ..AuthTraits::default()
        };
        assert_eq!(
            select_auth_scheme(&traits, "x").unwrap_err(),
            AuthError::UnknownAuthType("custom#auth".into())
        );
        let traits = AuthTraits {
            service_signature_version: Some("v2"),
            ..AuthTraits::default()
        };
        assert_eq!(
            select_auth_scheme(&traits, "sdb").unwrap(),
            AuthScheme::SigV2
        );
        let traits = AuthTraits {
            service_signature_version: Some("v3"),
            ..AuthTraits::default()
        };
        assert!(select_auth_scheme(&traits, "x").is_err());
    }

    #[test]
    fn signer_dispatches_and_checks_identity() {
        let signer = Signer::new();
        let creds = Credentials::new("AKID", "secret", None, None);
        let ctx = SigningContext {
            signing_name: "dynamodb",
            region: "us-east-1",
            region_set: None,
            time: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            presign: None,
            payload: None,
            disable_double_encoding: None,
        };
        let mut req = Request::post("https://dynamodb.us-east-1.amazonaws.com/")
            .body(Body::from(b"{}".to_vec()))
            .unwrap();
        let scheme = AuthScheme::SigV4(SigV4Flags::default());
        assert!(signer
            .sign(&mut req, &scheme, Identity::Credentials(&creds), &ctx)
            .unwrap()
            .is_some());
        assert!(req.headers().contains_key("authorization"));
        assert!(!req.headers().contains_key("x-amz-content-sha256"));

        let unsigned = AuthScheme::SigV4(SigV4Flags {
            s3: false,
            unsigned_payload: true,
            ..Default::default()
        });
        let out = signer
            .sign(&mut req, &unsigned, Identity::Credentials(&creds), &ctx)
            .unwrap()
            .unwrap();
        assert!(out.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
        assert_eq!(req.headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");

        let mut plain = Request::get("https://example.com/")
            .body(Body::Empty)
            .unwrap();
        assert!(signer
            .sign(
                &mut plain,
                &AuthScheme::Anonymous,
                Identity::Anonymous,
                &ctx
            )
            .unwrap()
            .is_none());
        assert!(plain.headers().is_empty());
        assert!(signer
            .sign(
                &mut plain,
                &AuthScheme::Bearer,
                Identity::Credentials(&creds),
                &ctx
            )
            .is_err());
        assert!(signer
            .sign(&mut plain, &scheme, Identity::Anonymous, &ctx)
            .is_err());
    }

    #[test]
    fn streamed_body_is_signed_unsigned_payload_even_over_http() {
        let signer = Signer::new();
        let creds = Credentials::new("AKID", "secret", None, None);
        let ctx = SigningContext {
            signing_name: "s3",
            region: "us-east-1",
            region_set: None,
            time: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            presign: None,
            payload: None,
            disable_double_encoding: None,
        };
        let s3 = AuthScheme::SigV4(SigV4Flags {
            s3: true,
            unsigned_payload: false,
            ..Default::default()
        });
        let stream = crate::body::StreamingBody::new(0u8, Some(1 << 30));
        let mut req = Request::put("http://127.0.0.1:9000/bucket/key")
            .body(Body::Stream(stream))
            .unwrap();
        let out = signer
            .sign(&mut req, &s3, Identity::Credentials(&creds), &ctx)
            .unwrap()
            .unwrap();
        assert!(out.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
        assert_eq!(req.headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");

        // An in-memory body over plain HTTP is still hashed.
        let mut req = Request::put("http://127.0.0.1:9000/bucket/key")
            .body(Body::from(b"abc".to_vec()))
            .unwrap();
        signer
            .sign(&mut req, &s3, Identity::Credentials(&creds), &ctx)
            .unwrap();
        assert_eq!(
            req.headers()["x-amz-content-sha256"],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
