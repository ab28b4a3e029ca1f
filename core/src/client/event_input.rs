//! Operations whose input is an event stream (the bidirectional ones: Transcribe streaming,
//! Bedrock `InvokeModelWithBidirectionalStream`, Lex `StartConversation`, Q Business `Chat`…).
//!
//! Such a request needs HTTP/2 (the service answers while the client is still sending), is
//! signed with the payload hash [`STREAMING_EVENTS_PAYLOAD`], and hands an [`EventSigner`]
//! seeded with its signature to the transport as a request extension, so each event the caller
//! streams is wrapped and signed as it goes out. The caller's events are encoded here
//! ([`ServiceClient::encode_input_event`]); botocore has none of this (it refuses these
//! operations: "requires h2").

use std::sync::Arc;

use bytes::Bytes;

use super::ServiceClient;
use crate::auth::event_signing::{EventSigner, STREAMING_EVENTS_PAYLOAD};
use crate::auth::{AuthScheme, Identity, PayloadHash};
use crate::body::Body;
use crate::error::Error;
use crate::eventstream::encode;
use crate::model::{Operation, ServiceModel, ShapeId};
use crate::serialize::event::encode_event;
use crate::value::Value;

/// The event-stream member of `operation`'s input and its union shape, when it has one.
pub fn input_event_stream<'m>(
    model: &'m ServiceModel,
    operation: &'m Operation,
) -> Option<(&'m str, ShapeId)> {
    let input = model
        .shape(operation.input.as_ref()?.shape)
        .as_structure()?;
    input.members.iter().find_map(|(name, m)| {
        model
            .shape(m.shape)
            .as_structure()
            .is_some_and(|s| s.eventstream)
            .then_some((name.as_str(), m.shape))
    })
}

impl ServiceClient {
    /// True when `operation` streams events in its request: it can only be sent over HTTP/2.
    pub fn requires_http2(&self, operation: &str) -> bool {
        self.operation(operation)
            .is_ok_and(|op| input_event_stream(self.model(), op).is_some())
    }

    /// The encoded event-stream message for one input `event` of `operation`
    /// (`{"AudioEvent": {"AudioChunk": …}}`), ready for the transport to sign and send.
    pub fn encode_input_event(&self, operation: &str, event: &Value) -> Result<Bytes, Error> {
        let op = self.operation(operation)?;
        let (member, stream) =
            input_event_stream(self.model(), op).ok_or_else(|| no_input_stream(&op.name))?;
        let message = encode_event(self.model(), stream, event, member)?;
        Ok(Bytes::from(encode(&message).map_err(Error::EventStream)?))
    }
}

fn no_input_stream(operation: &str) -> Error {
    Error::NoEventStream {
        operation: operation.to_string(),
        reason: "the operation has no event-stream input member".into(),
    }
}

/// Encodes the input events of one operation of one client: what a transport's input stream
/// calls for each event the caller yields. Cheap to clone.
#[derive(Clone, Debug)]
pub struct InputEventEncoder {
    client: Arc<ServiceClient>,
    operation: String,
}

impl InputEventEncoder {
    /// An encoder for `operation`'s input events; an error when it has no event-stream input.
    pub fn new(client: Arc<ServiceClient>, operation: &str) -> Result<Self, Error> {
        let op = client.operation(operation)?;
        if input_event_stream(client.model(), op).is_none() {
            return Err(no_input_stream(&op.name));
        }
        let operation = op.name.clone();
        Ok(InputEventEncoder { client, operation })
    }

    /// The operation's canonical name.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// One event, encoded ([`ServiceClient::encode_input_event`]).
    pub fn encode(&self, event: &Value) -> Result<Bytes, Error> {
        self.client.encode_input_event(&self.operation, event)
    }
}

/// Before signing a request whose operation has an event-stream input: it is sent over HTTP/2
/// and signed with the streaming-events payload hash (also sent as `x-amz-content-sha256`),
/// which this returns.
pub(super) fn prepare(request: &mut http::Request<Body>) -> PayloadHash {
    *request.version_mut() = http::Version::HTTP_2;
    request.headers_mut().insert(
        "x-amz-content-sha256",
        http::HeaderValue::from_static(STREAMING_EVENTS_PAYLOAD),
    );
    PayloadHash::Precomputed(STREAMING_EVENTS_PAYLOAD.into())
}

/// After signing: seed the event signer with the request's signature. Only SigV4 signs events;
/// an unsigned request streams its events unsigned.
pub(super) fn seed_signer(
    request: &mut http::Request<Body>,
    scheme: &AuthScheme,
    identity: Identity<'_>,
    signing_name: &str,
    region: &str,
) {
    let (AuthScheme::SigV4(_), Identity::Credentials(credentials)) = (scheme, identity) else {
        return;
    };
    let seed = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit_once("Signature="))
        .map(|(_, sig)| sig.trim().to_string());
    if let Some(seed) = seed {
        request.extensions_mut().insert(EventSigner::new(
            credentials.clone(),
            region,
            signing_name,
            seed,
        ));
    }
}
