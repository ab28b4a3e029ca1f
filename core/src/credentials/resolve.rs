//! Credentials for one call: the client's cached credentials when fresh, otherwise (for exactly
//! one caller at a time) a fresh run of the provider chain, as one [`Machine`] every transport
//! drives the same way it drives a call.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::error::transport::TransportError;
use crate::machine::{Machine, ProcessOutput, Step};

use super::{
    CacheStatus, CredentialChain, Credentials, CredentialsCache, CredentialsError, RefreshPermit,
};

/// How long a caller waits before looking again while another caller refreshes.
const WAIT_FOR_REFRESH: Duration = Duration::from_millis(20);

type ChainFactory = dyn Fn() -> CredentialChain + Send + Sync;

/// Where a client's credentials come from: a shared cache, refilled by running a provider chain.
/// Cheap to clone; clones share the cache.
#[derive(Clone)]
pub struct CredentialSource {
    cache: Arc<CredentialsCache>,
    chain: Option<Arc<ChainFactory>>,
}

impl std::fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialSource")
            .field("refreshable", &self.chain.is_some())
            .finish()
    }
}

impl CredentialSource {
    /// Credentials that never change (given in code).
    pub fn fixed(credentials: Credentials) -> Self {
        CredentialSource {
            cache: Arc::new(CredentialsCache::with_credentials(credentials)),
            chain: None,
        }
    }

    /// Credentials found (and refreshed when they expire) by running chains `make_chain` builds.
    pub fn from_chain(make_chain: impl Fn() -> CredentialChain + Send + Sync + 'static) -> Self {
        CredentialSource {
            cache: Arc::new(CredentialsCache::new()),
            chain: Some(Arc::new(make_chain)),
        }
    }

    /// Start resolving credentials for a call.
    pub fn resolve(&self) -> ResolveCredentials {
        ResolveCredentials {
            source: self.clone(),
            state: State::Start,
        }
    }
}

enum State {
    Start,
    Refreshing {
        permit: RefreshPermit,
        chain: Box<CredentialChain>,
    },
    Finished,
}

/// One resolution in progress (see [`CredentialSource::resolve`]).
pub struct ResolveCredentials {
    source: CredentialSource,
    state: State,
}

impl ResolveCredentials {
    fn chain(&mut self) -> Option<&mut CredentialChain> {
        match &mut self.state {
            State::Refreshing { chain, .. } => Some(chain),
            _ => None,
        }
    }

    /// The answer to the last `Step::Send`.
    pub fn handle_response(&mut self, response: Result<http::Response<Bytes>, TransportError>) {
        if let Some(chain) = self.chain() {
            chain.handle_response(response);
        }
    }

    /// The answer to the last `Step::ReadFile`.
    pub fn handle_file(&mut self, contents: std::io::Result<Bytes>) {
        if let Some(chain) = self.chain() {
            chain.handle_file(contents);
        }
    }

    /// The outcome of the last `Step::WriteFile`.
    pub fn handle_written(&mut self, outcome: std::io::Result<()>) {
        if let Some(chain) = self.chain() {
            chain.handle_written(outcome);
        }
    }

    /// The answer to the last `Step::AskMfaCode`.
    pub fn handle_mfa_code(&mut self, code: Result<String, String>) {
        if let Some(chain) = self.chain() {
            chain.handle_mfa_code(code);
        }
    }

    /// The answer to the last `Step::RunProcess`.
    pub fn handle_process(&mut self, output: std::io::Result<ProcessOutput>) {
        if let Some(chain) = self.chain() {
            chain.handle_process(output);
        }
    }
}

impl Machine for ResolveCredentials {
    type Output = Credentials;
    type Error = CredentialsError;

    fn poll(&mut self, now: SystemTime) -> Step<Credentials, CredentialsError> {
        loop {
            match std::mem::replace(&mut self.state, State::Finished) {
                State::Finished => {
                    return Step::Failed(CredentialsError::Protocol("credentials already resolved"))
                }
                State::Start => match self.source.cache.get(now) {
                    CacheStatus::Fresh(c) => return Step::Done(c),
                    CacheStatus::Wait => {
                        self.state = State::Start;
                        return Step::Sleep(WAIT_FOR_REFRESH);
                    }
                    CacheStatus::RefreshNeeded(permit) => {
                        let Some(make) = &self.source.chain else {
                            // Fixed credentials past their expiry: nothing can refresh them.
                            return match permit
                                .complete(Err(CredentialsError::RefreshedExpired), now)
                            {
                                Ok(c) => Step::Done(c),
                                Err(e) => Step::Failed(e),
                            };
                        };
                        self.state = State::Refreshing {
                            permit,
                            chain: Box::new(make()),
                        };
                    }
                },
                State::Refreshing { permit, mut chain } => {
                    let step = chain.poll(now);
                    let outcome = match step {
                        Step::Done(c) => Ok(c),
                        Step::Failed(e) => Err(e),
                        other => {
                            self.state = State::Refreshing { permit, chain };
                            return match other {
                                Step::Send(r) => Step::Send(r),
                                Step::ReadFile(p) => Step::ReadFile(p),
                                Step::WriteFile(p, b) => Step::WriteFile(p, b),
                                Step::RunProcess(c) => Step::RunProcess(c),
                                Step::AskMfaCode(p) => Step::AskMfaCode(p),
                                Step::Sleep(d) => Step::Sleep(d),
                                Step::Done(_) | Step::Failed(_) => Step::Sleep(Duration::ZERO),
                            };
                        }
                    };
                    return match permit.complete(outcome, now) {
                        Ok(c) => Step::Done(c),
                        Err(e) => Step::Failed(e),
                    };
                }
            }
        }
    }
}
