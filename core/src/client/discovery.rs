//! A call's endpoint discovery step (botocore's `request-created` and `needs-retry` handlers of
//! discovery): before each attempt the [`CallMachine`] asks [`DiscoveryStep::poll`] where the
//! attempt goes. The answer comes from the client's cache, or from the discovery call
//! (`DescribeEndpoints`), run as a nested [`CallMachine`] — with its own retries — whose requests
//! the outer machine hands to the transport like its own. The rules (cache, expiry, fallbacks,
//! settings) live in [`crate::endpoint::discovery`]; this only drives them.

use std::time::SystemTime;

use http::{HeaderValue, Uri};

use crate::endpoint::discovery::{retarget, CallDiscovery, Lookup, Refreshed};
use crate::error::{Error, TransportError};
use crate::machine::{RandomSource, SplitMix64, Step};
use crate::value::Value;

use super::{CallIdentity, CallMachine, PreparedRequest, ServiceClient};

/// What the call machine does after asking.
pub(super) enum Next {
    /// The prepared request points where the attempt goes: send it.
    Ready,
    /// Pass this step of the discovery call to the transport (a request or a sleep).
    Ask(Step<Value, Error>),
    /// The call fails.
    Failed(Error),
}

/// One call's discovery, alive for the whole call (every attempt asks again: a retry after
/// the service rejected the endpoint discovers anew).
pub(super) struct DiscoveryStep<'c> {
    call: CallDiscovery,
    /// Where the rules sent the request, for attempts that discovery gives no endpoint.
    default_uri: Uri,
    default_host: Option<HeaderValue>,
    /// The discovery call in progress.
    nested: Option<Box<CallMachine<'c>>>,
}

impl<'c> DiscoveryStep<'c> {
    /// The step of a call that discovers its endpoint; `None` for the others.
    pub(super) fn new(prepared: &PreparedRequest) -> Option<Self> {
        Some(DiscoveryStep {
            call: prepared.discovery.clone()?,
            default_uri: prepared.parts.uri.clone(),
            default_host: prepared.parts.headers.get(http::header::HOST).cloned(),
            nested: None,
        })
    }

    /// The discovery call in progress, if any (its responses go to it).
    pub(super) fn calling(&self) -> Option<&CallMachine<'c>> {
        self.nested.as_deref()
    }

    /// Point `prepared` where the next attempt goes, making the discovery call first when the
    /// client has no fresh endpoint for it.
    pub(super) fn poll(
        &mut self,
        client: &'c ServiceClient,
        prepared: &mut PreparedRequest,
        identity: &CallIdentity,
        rng: &mut dyn RandomSource,
        // The calling call's deadline and Lambda trace id, which its nested call takes.
        (deadline, trace_id): (Option<SystemTime>, Option<&str>),
        now: SystemTime,
    ) -> Next {
        let lookup = match self.nested.as_mut() {
            Some(nested) => match nested.poll(now) {
                Step::Done(answer) => {
                    self.nested = None;
                    client
                        .discovery
                        .refreshed(&self.call, Refreshed::Answer(&answer), now)
                }
                // botocore gives up on discovery (for a minute) only when the exchange itself
                // failed; an error the service answered fails the call.
                Step::Failed(Error::Transport(_)) => {
                    self.nested = None;
                    client
                        .discovery
                        .refreshed(&self.call, Refreshed::Unreachable, now)
                }
                Step::Failed(e) => return Next::Failed(e),
                step => return Next::Ask(step),
            },
            None => client.discovery.lookup(&self.call, now),
        };
        match lookup {
            Ok(Lookup::Refresh) => {
                let nested = client.call(
                    self.call.discovery_operation(),
                    self.call.params().clone(),
                    identity.clone(),
                    Box::new(SplitMix64(rng.next_u64())),
                );
                match nested {
                    Ok(mut nested) => {
                        if let Some(deadline) = deadline {
                            nested.set_deadline(deadline);
                        }
                        nested.set_trace_id(trace_id.map(str::to_owned));
                        self.nested = Some(Box::new(nested));
                        // Its first step is a request (or the rate limiter's wait).
                        self.poll(client, prepared, identity, rng, (deadline, trace_id), now)
                    }
                    Err(e) => Next::Failed(e),
                }
            }
            Ok(Lookup::Use(address)) => match retarget(&mut prepared.parts, &address) {
                Ok(()) => Next::Ready,
                Err(e) => Next::Failed(e.into()),
            },
            Ok(Lookup::Default) => {
                prepared.parts.uri = self.default_uri.clone();
                match &self.default_host {
                    Some(host) => {
                        prepared
                            .parts
                            .headers
                            .insert(http::header::HOST, host.clone());
                    }
                    None => {
                        prepared.parts.headers.remove(http::header::HOST);
                    }
                }
                Next::Ready
            }
            Err(e) => Next::Failed(e.into()),
        }
    }

    /// The transport's answer to the discovery call's request.
    pub(super) fn handle_response(
        &mut self,
        outcome: Result<http::Response<crate::body::Body>, TransportError>,
        now: SystemTime,
    ) {
        if let Some(nested) = self.nested.as_mut() {
            nested.handle_response(outcome, now);
        }
    }

    /// botocore's discovery `needs-retry` handler: a 421 or an `InvalidEndpointException`
    /// means the discovered endpoint is wrong — forget it (the retry discovers anew) and say
    /// the call should be retried at once.
    pub(super) fn rejected(
        &self,
        client: &ServiceClient,
        status: Option<u16>,
        code: Option<&str>,
    ) -> bool {
        let rejected = status == Some(421) || code == Some("InvalidEndpointException");
        if rejected {
            client.discovery.invalidate(&self.call);
        }
        rejected
    }
}
