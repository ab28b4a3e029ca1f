//! SigV4 signatures of outgoing event-stream messages (the request side of Transcribe
//! streaming, Bedrock's bidirectional streams, Lex `StartConversation`…).
//!
//! The HTTP request is signed as usual but with the literal payload hash
//! [`STREAMING_EVENTS_PAYLOAD`]; its signature is the *seed*. Every event then travels wrapped in
//! an outer message whose payload is the encoded event and whose headers are `:date` (a timestamp)
//! and `:chunk-signature` (the 32 raw bytes of a signature over the date, the previous signature
//! and the payload). Each signature chains on the one before, so the service can tell that no
//! event was dropped, reordered or injected; an outer message with an empty payload, signed the
//! same way, ends the input.
//!
//! [`EventSigner`] holds the chain. It is pure: the caller gives the time of each event.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::canonical::SigningTime;
use super::sigv4::derive_signing_key;
use super::{AuthError, Credentials};
use crate::encoding::push_hex;
use crate::eventstream::{encode, encode_into, EventStreamError, HeaderValue, Message};

/// The payload hash of a request whose body is a stream of signed events.
pub const STREAMING_EVENTS_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-EVENTS";

/// The algorithm line of an event's string to sign.
const EVENT_ALGORITHM: &str = "AWS4-HMAC-SHA256-PAYLOAD";

/// What a signed request hands on to whoever sends its event-stream body: the credentials, the
/// scope and the seed signature. A request extension, set by the core when it signs an operation
/// with an event-stream input; a transport wraps each outgoing event with
/// [`EventSigner::sign_event`] and ends with [`EventSigner::sign_end`].
///
/// `Debug` never shows the credentials.
#[derive(Clone)]
pub struct EventSigner {
    credentials: Credentials,
    region: String,
    signing_name: String,
    prior_signature: String,
}

impl fmt::Debug for EventSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventSigner")
            .field("region", &self.region)
            .field("signing_name", &self.signing_name)
            .field("prior_signature", &self.prior_signature)
            .finish_non_exhaustive()
    }
}

/// Why an event could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventSigningError {
    /// The wrapped message could not be framed.
    #[error(transparent)]
    Frame(#[from] EventStreamError),
    /// The clock reading cannot be a signing time.
    #[error(transparent)]
    Time(#[from] AuthError),
}

impl EventSigner {
    /// A chain starting at `seed_signature` (the hex signature of the HTTP request).
    pub fn new(
        credentials: Credentials,
        region: impl Into<String>,
        signing_name: impl Into<String>,
        seed_signature: impl Into<String>,
    ) -> Self {
        EventSigner {
            credentials,
            region: region.into(),
            signing_name: signing_name.into(),
            prior_signature: seed_signature.into(),
        }
    }

    /// The hex signature the next event chains on.
    pub fn prior_signature(&self) -> &str {
        &self.prior_signature
    }

    /// The signed outer frame carrying `event` (already encoded as one event-stream message).
    pub fn sign_event(
        &mut self,
        event: &[u8],
        now: SystemTime,
    ) -> Result<Vec<u8>, EventSigningError> {
        self.sign_payload(Bytes::copy_from_slice(event), now)
    }

    /// Encode `message` and sign it: [`sign_event`](Self::sign_event) of its frame.
    pub fn sign_message(
        &mut self,
        message: &Message,
        now: SystemTime,
    ) -> Result<Vec<u8>, EventSigningError> {
        self.sign_payload(Bytes::from(encode(message)?), now)
    }

    /// The signed empty frame that ends the input stream.
    pub fn sign_end(&mut self, now: SystemTime) -> Result<Vec<u8>, EventSigningError> {
        self.sign_payload(Bytes::new(), now)
    }

    fn sign_payload(
        &mut self,
        payload: Bytes,
        now: SystemTime,
    ) -> Result<Vec<u8>, EventSigningError> {
        let time = SigningTime::from_system_time(now)?;
        // The `:date` header carries whole seconds, exactly the time in the string to sign.
        let millis = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64 * 1000)
            .unwrap_or_default();
        let date = HeaderValue::Timestamp(millis);
        let scope = format!(
            "{}/{}/{}/aws4_request",
            time.date_stamp(),
            self.region,
            self.signing_name
        );
        let string_to_sign = event_string_to_sign(
            time.amz_str(),
            &scope,
            &self.prior_signature,
            &date,
            &payload,
        );
        let key = derive_signing_key(
            self.credentials.secret_access_key(),
            &time.date_stamp(),
            &self.region,
            &self.signing_name,
        );
        let signature = hmac(&key, string_to_sign.as_bytes());
        let outer = Message::new(payload)
            .with_header(
                ":chunk-signature",
                HeaderValue::ByteArray(Bytes::copy_from_slice(&signature)),
            )
            .with_header(":date", date);
        let mut frame = Vec::new();
        encode_into(&outer, &mut frame)?;
        let mut hex = String::with_capacity(64);
        push_hex(&mut hex, &signature);
        self.prior_signature = hex;
        Ok(frame)
    }
}

/// The string an event's signature is computed over: the algorithm, the time, the scope, the
/// previous signature, the SHA-256 of the encoded `:date` header and the SHA-256 of the payload.
pub fn event_string_to_sign(
    amz_date: &str,
    scope: &str,
    prior_signature: &str,
    date: &HeaderValue,
    payload: &[u8],
) -> String {
    // The `:date` header as it is framed on the wire: name length, name, type, value.
    let mut date_header = vec![5u8];
    date_header.extend_from_slice(b":date");
    date_header.push(date.type_id());
    if let HeaderValue::Timestamp(ms) = date {
        date_header.extend_from_slice(&ms.to_be_bytes());
    }
    let mut out = format!("{EVENT_ALGORITHM}\n{amz_date}\n{scope}\n{prior_signature}\n");
    push_hex(&mut out, &Sha256::digest(&date_header));
    out.push('\n');
    push_hex(&mut out, &Sha256::digest(payload));
    out
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        unreachable!("HMAC-SHA256 takes keys of any length")
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventstream::decode_message;
    use std::time::Duration;

    use crate::encoding::hex;

    /// smithy-rs's published vector (aws-sigv4 `event_stream::tests::string_to_sign`): the
    /// message `some-header: value` / `test payload`, signed at 123456789.000001234 s after the
    /// epoch, chained on SHA-256("last message sts").
    #[test]
    fn string_to_sign_matches_the_published_vector() {
        let inner = Message::new(&b"test payload"[..])
            .with_header("some-header", HeaderValue::String("value".into()));
        let payload = encode(&inner).unwrap();
        let time =
            SigningTime::from_system_time(UNIX_EPOCH + Duration::new(123_456_789, 1234)).unwrap();
        let prior = hex(&Sha256::digest(b"last message sts"));
        let sts = event_string_to_sign(
            time.amz_str(),
            "19731129/us-east-1/testservice/aws4_request",
            &prior,
            &HeaderValue::Timestamp(123_456_789_000),
            &payload,
        );
        assert_eq!(
            sts,
            "AWS4-HMAC-SHA256-PAYLOAD\n\
             19731129T213309Z\n\
             19731129/us-east-1/testservice/aws4_request\n\
             be1f8c7d79ef8e1abc5254a2c70e4da3bfaf4f07328f527444e1fc6ea67273e2\n\
             0c0e3b3bf66b59b976181bd7d401927bbd624107303c713fd1e5f3d3c8dd1b1e\n\
             f2eba0f2e95967ee9fbc6db5e678d2fd599229c0d04b11e4fc8e0f2a02a806c6"
        );
    }

    #[test]
    fn frames_chain_and_truncate_the_date() {
        let creds = Credentials::new("AKID", "SECRET", None, None);
        let mut signer = EventSigner::new(creds, "us-east-1", "transcribe", "ab".repeat(32));
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 999_000_000);
        let inner = encode(&Message::new(&b"x"[..])).unwrap();
        let first = decode_message(Bytes::from(signer.sign_event(&inner, t).unwrap())).unwrap();
        assert_eq!(first.payload, inner);
        assert_eq!(first.headers[0].name, ":chunk-signature");
        assert_eq!(
            first.header(":date"),
            Some(&HeaderValue::Timestamp(1_700_000_000_000))
        );
        let Some(HeaderValue::ByteArray(sig1)) = first.header(":chunk-signature") else {
            panic!("no signature header");
        };
        assert_eq!(signer.prior_signature(), hex(sig1));
        let end = decode_message(Bytes::from(signer.sign_end(t).unwrap())).unwrap();
        assert!(end.payload.is_empty());
        let Some(HeaderValue::ByteArray(sig2)) = end.header(":chunk-signature") else {
            panic!("no signature header");
        };
        assert_ne!(sig1, sig2, "each signature chains on the previous one");
        assert!(!format!("{signer:?}").contains("SECRET"));
    }
}
