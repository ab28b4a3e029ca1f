//! SigV4a (`AWS4-ECDSA-P256-SHA256`): the multi-region variant of SigV4, signing with an ECDSA
//! P-256 key derived from the access key pair, in pure Rust (RustCrypto `p256`).
//!
//! The canonical request is SigV4's plus `X-Amz-Region-Set`; the credential scope drops the region.
//! Signatures use RFC 6979 deterministic nonces, so signing needs no randomness (any valid ECDSA
//! signature verifies; services do not expect a particular nonce).

use std::fmt;
use std::time::SystemTime;

use hmac::{Hmac, Mac};
use http::Request;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::bigint::{Encoding, U256};
use p256::elliptic_curve::Curve;
use p256::NistP256;
use sha2::Sha256;

use super::canonical::SigningTime;
use super::key_cache::KeyCache;
use super::sigv4::{
    sign_request, EngineParams, PayloadHash, SigningOutput, SigningSettings, Variant,
};
use super::{AuthError, Credentials};
use crate::body::Body;
use crate::encoding::push_hex;

/// The SigV4a algorithm name.
pub const ALGORITHM_V4A: &str = "AWS4-ECDSA-P256-SHA256";

/// Everything a SigV4a signature depends on besides the request and the credentials.
#[derive(Clone, Debug)]
pub struct SigV4aParams<'a> {
    /// The signing name.
    pub signing_name: &'a str,
    /// The region set (`X-Amz-Region-Set`): comma-separated regions or `*`.
    pub region_set: &'a str,
    /// The signing time.
    pub time: SystemTime,
    /// How the payload is hashed.
    pub payload: PayloadHash,
    /// Service rules and signature location (the same knobs as SigV4).
    pub settings: SigningSettings,
}

/// An ECDSA P-256 key derived from AWS credentials. `Debug` shows only the public point.
#[derive(Clone)]
pub struct SigV4aKey {
    key: SigningKey,
}

impl SigV4aKey {
    /// Derive the key from an access key pair as the SigV4a specification does: NIST SP 800-108
    /// counter-mode KDF (HMAC-SHA256 keyed with `"AWS4A" + secret`, label = algorithm name,
    /// context = access key id + an 8-bit counter) until the candidate is at most n−2, then +1.
    pub fn derive(access_key_id: &str, secret_access_key: &str) -> Result<Self, AuthError> {
        let mut input_key = Vec::with_capacity(secret_access_key.len() + 5);
        input_key.extend_from_slice(b"AWS4A");
        input_key.extend_from_slice(secret_access_key.as_bytes());
        let n_minus_two = NistP256::ORDER.wrapping_sub(&U256::from_u8(2));
        for counter in 1u8..=254 {
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&input_key) else {
                unreachable!("HMAC-SHA256 takes keys of any length")
            };
            // Fixed input: i (32-bit, always 1: one block gives the 256 bits needed) || label ||
            // 0x00 || context (access key id || counter) || L (32-bit output length in bits).
            mac.update(&1u32.to_be_bytes());
            mac.update(ALGORITHM_V4A.as_bytes());
            mac.update(&[0]);
            mac.update(access_key_id.as_bytes());
            mac.update(&[counter]);
            mac.update(&256u32.to_be_bytes());
            let candidate = U256::from_be_slice(&mac.finalize().into_bytes());
            if candidate <= n_minus_two {
                let scalar = candidate.wrapping_add(&U256::ONE).to_be_bytes();
                let key = SigningKey::from_bytes(&scalar.into())
                    .map_err(|_| AuthError::SigV4aKeyDerivation)?;
                return Ok(SigV4aKey { key });
            }
        }
        Err(AuthError::SigV4aKeyDerivation)
    }

    /// The public key as an uncompressed SEC1 point (`04 || X || Y`, 65 bytes).
    pub fn public_key_sec1(&self) -> Vec<u8> {
        self.key
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec()
    }

    /// DER-encoded ECDSA-SHA256 signature of `message`, as hex.
    pub fn sign_hex(&self, message: &[u8]) -> Result<String, AuthError> {
        let signature: Signature = self
            .key
            .try_sign(message)
            .map_err(|_| AuthError::SigV4aSignature)?;
        let der = signature.to_der();
        let mut out = String::with_capacity(der.as_bytes().len() * 2);
        push_hex(&mut out, der.as_bytes());
        Ok(out)
    }
}

impl fmt::Debug for SigV4aKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut public = String::new();
        push_hex(&mut public, &self.public_key_sec1());
        f.debug_struct("SigV4aKey")
            .field("public", &public)
            .finish_non_exhaustive()
    }
}

/// A bounded, thread-safe cache of derived SigV4a keys keyed by (secret fingerprint, access key
/// id): derivation costs an elliptic-curve scalar multiplication, so it runs once per identity.
pub struct SigV4aKeyCache(KeyCache<([u8; 32], String, SigV4aKey)>);

impl Default for SigV4aKeyCache {
    fn default() -> Self {
        Self::new(4)
    }
}

impl fmt::Debug for SigV4aKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt_as("SigV4aKeyCache", f)
    }
}

impl SigV4aKeyCache {
    /// A cache holding at most `capacity` keys (at least 1).
    pub fn new(capacity: usize) -> Self {
        SigV4aKeyCache(KeyCache::new(capacity))
    }

    /// (hits, misses) so far.
    pub fn stats(&self) -> (u64, u64) {
        self.0.stats()
    }

    /// The key for these credentials, derived on a miss.
    pub fn key_for(&self, credentials: &Credentials) -> Result<SigV4aKey, AuthError> {
        let fingerprint = credentials.secret_fingerprint();
        let akid = credentials.access_key_id();
        self.0.read(
            |(fp, id, _)| fp == fingerprint && id == akid,
            || {
                let key = SigV4aKey::derive(akid, credentials.secret_access_key())?;
                Ok((*fingerprint, akid.to_owned(), key))
            },
            |(_, _, key)| key.clone(),
        )
    }
}

/// Sign `request` with SigV4a, in place (headers or query string per `params.settings`).
pub fn sign(
    request: &mut Request<Body>,
    credentials: &Credentials,
    params: &SigV4aParams<'_>,
    cache: &SigV4aKeyCache,
) -> Result<SigningOutput, AuthError> {
    let time = SigningTime::from_system_time(params.time)?;
    let variant = Variant {
        algorithm: ALGORITHM_V4A,
        scope: format!("{}/{}/aws4_request", time.date_stamp(), params.signing_name),
        region_set: Some(params.region_set),
    };
    let engine = EngineParams {
        time,
        payload: &params.payload,
        settings: &params.settings,
    };
    sign_request(request, credentials, &engine, &variant, |sts| {
        cache.key_for(credentials)?.sign_hex(sts.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_key_is_cached_and_debug_shows_no_secret() {
        let creds = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
        );
        let cache = SigV4aKeyCache::new(2);
        let a = cache.key_for(&creds).unwrap();
        let b = cache.key_for(&creds).unwrap();
        assert_eq!(cache.stats(), (1, 1));
        assert_eq!(a.public_key_sec1(), b.public_key_sec1());
        let debug = format!("{a:?}");
        assert!(debug.starts_with("SigV4aKey { public: \"04"), "{debug}");
    }
}
