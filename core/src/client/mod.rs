//! One service client's pipeline, from parameters to a signed request and from a response to a
//! result, as pure functions plus the [`CallMachine`] that adds retries.
//!
//! ```text
//! prepare:  lookup op → hooks(before-parameter-build) → validate → bind + resolve endpoint
//!           → serialize → join endpoint URL, endpoint headers → hooks(before-sign)
//! attempt:  per-attempt headers → sign(now) → hooks(before-send) → transport
//! finish:   parse → ResponseMetadata.RetryAttempts → hooks(after-call | on-error)
//! ```
//! Everything a client needs that does not change per call (the model, the prepared ruleset, the
//! builtins, the signer's key caches, the retry quota) is built once in [`ServiceClient::new`].
//! Transports drive [`CallMachine`] and never repeat this logic.

mod call;
mod discovery;
pub mod event_input;
mod presign;
mod redirect;
pub(crate) use redirect::check_region_name;
mod replay;
pub mod s3express;
mod user_agent;
pub use user_agent::USER_AGENT;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use http::HeaderValue;

use crate::auth::sigv4::PayloadHash;
use crate::auth::{
    select_auth_scheme, AuthScheme, AuthTraits, Credentials, Identity, Signer, SigningContext,
    Token,
};
use crate::body::Body;
use crate::checksum::ChecksumAlgorithm;
use crate::compress::{maybe_compress_request, CompressionConfig};
use crate::customize::{self, CustomizeConfig, ServerErrorIfUnparsable};
use crate::endpoint::discovery::{CallDiscovery, ClientDiscovery, DiscoverySetting};
use crate::endpoint::{
    BindingPlan, BoundParams, Endpoint, EndpointConfig, EndpointError, EndpointParams,
    EndpointResolver, EndpointValue, FnvMap, LegacyEndpoints, Partitions, RuleSet, SigningScope,
};
use crate::error::Error;
use crate::hooks::{
    CallContext, CallInfo, Event, Hooks, PresignRequest, SigningIdentity, StubbedCall, Target,
};
use crate::httpchecksum::{
    self, AppliedChecksum, RequestChecksumCalculation, ResponseChecksumValidation,
};
use crate::machine::RandomSource;
use crate::model::{Operation, ServiceModel};
use crate::parse::{self, Response, TimestampParsing};
use crate::retry::{RetryMode, RetryPolicy};
use crate::serialize::{
    fill_idempotency_tokens_in, input_structure, serialize_call, EndpointUrl, SerializeError,
};
use crate::validate::validate;
use crate::value::Value;

pub use call::CallMachine;
use presign::ClientPresigner;
pub use presign::PresignOptions;

/// Client settings that are not endpoint inputs.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Endpoint resolution inputs (region, FIPS, custom endpoint URL, S3 options, …).
    pub endpoint: EndpointConfig,
    /// Send requests unsigned (`--no-sign-request`, botocore's `UNSIGNED`).
    pub unsigned: bool,
    /// Retry mode (standard by default, as botocore 1.44).
    pub retry_mode: RetryMode,
    /// Total attempts including the first (`max_attempts`); the mode's default when `None`.
    pub max_attempts: Option<u32>,
    /// Prepend the model's host prefix (`endpoint.hostPrefix`) to the endpoint host.
    pub inject_host_prefix: bool,
    /// Extra text appended to the user agent.
    pub user_agent_extra: Option<String>,
    /// The application's id (`user_agent_appid`), sent in the user agent as `app/<id>`.
    pub user_agent_app_id: Option<String>,
    /// Check parameters against the model before a call (`parameter_validation`); off, they
    /// go to the serializer as they are, which still refuses what it cannot write.
    pub parameter_validation: bool,
    /// The bearer token in `AWS_BEARER_TOKEN_<SIGNING NAME>`, the first a bearer-signed call
    /// takes (botocore's `ScopedEnvTokenProvider`); Bedrock's calls prefer it over SigV4
    /// (see [`ServiceClient::env_bearer_token`]).
    pub env_bearer_token: Option<Token>,
    /// The `_retry.json` document, needed only in legacy retry mode.
    pub legacy_retry_json: Option<Arc<[u8]>>,
    /// `request_checksum_calculation` (`when_supported` by default, as botocore 1.44).
    pub request_checksum_calculation: RequestChecksumCalculation,
    /// `response_checksum_validation` (`when_supported` by default).
    pub response_checksum_validation: ResponseChecksumValidation,
    /// Request compression settings.
    pub compression: CompressionConfig,
    /// Endpoint discovery (`auto` by default); `None` when a custom endpoint URL was given to
    /// the client itself, which turns discovery off (see [`discovery::client_setting`]).
    ///
    /// [`discovery::client_setting`]: crate::endpoint::discovery::client_setting
    pub endpoint_discovery: Option<DiscoverySetting>,
    /// How results' timestamps are read ([`TimestampParsing::Parsed`] by default).
    pub timestamp_parsing: TimestampParsing,
    /// Running inside AWS Lambda (`AWS_LAMBDA_FUNCTION_NAME` set): each call sends the
    /// invocation's `_X_AMZN_TRACE_ID` as `X-Amzn-Trace-Id` (botocore's recursion detection).
    pub in_lambda: bool,
    /// The connect timeout the configured `defaults_mode` sets (botocore's smart defaults:
    /// 3.1 s for `standard`, 1.1 s for `in-region`, 30 s for `mobile`, `auto` by where the
    /// program runs), or `None` for `legacy` or no mode. A transport's own setting wins.
    pub defaults_mode_connect_timeout: Option<std::time::Duration>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            endpoint: EndpointConfig::default(),
            unsigned: false,
            retry_mode: RetryMode::Standard,
            max_attempts: None,
            inject_host_prefix: true,
            user_agent_extra: None,
            user_agent_app_id: None,
            parameter_validation: true,
            env_bearer_token: None,
            legacy_retry_json: None,
            request_checksum_calculation: RequestChecksumCalculation::default(),
            response_checksum_validation: ResponseChecksumValidation::default(),
            compression: CompressionConfig::default(),
            endpoint_discovery: Some(DiscoverySetting::Auto),
            timestamp_parsing: TimestampParsing::Parsed,
            in_lambda: false,
            defaults_mode_connect_timeout: None,
        }
    }
}

/// An identity a call owns (the borrowed form is [`Identity`]).
#[derive(Clone, Debug, Default)]
pub enum CallIdentity {
    /// AWS credentials.
    Credentials(Credentials),
    /// A bearer token.
    Token(Token),
    /// None: only `noAuth` operations (or an unsigned client) can be called.
    #[default]
    Anonymous,
}

impl CallIdentity {
    /// The borrowed form the signer takes.
    pub fn borrow(&self) -> Identity<'_> {
        match self {
            CallIdentity::Credentials(c) => Identity::Credentials(c),
            CallIdentity::Token(t) => Identity::Token(t),
            CallIdentity::Anonymous => Identity::Anonymous,
        }
    }
}

/// How many headers an attempt adds at most to the prepared request: `Authorization`,
/// `X-Amz-Date`, `X-Amz-Security-Token`, `X-Amz-Content-Sha256`, `amz-sdk-invocation-id` and
/// `amz-sdk-request`.
const ATTEMPT_HEADERS: usize = 6;

/// A request built and ready to sign, with how to sign it.
#[derive(Debug)]
pub struct PreparedRequest {
    // Operation and signing names and regions are mostly short: up to 24 bytes they are held
    // inline, where a `String` was an allocation per call.
    operation: compact_str::CompactString,
    parts: http::request::Parts,
    body: Body,
    scheme: AuthScheme,
    signing_name: compact_str::CompactString,
    signing_region: compact_str::CompactString,
    region_set: Option<String>,
    disable_double_encoding: Option<bool>,
    /// State the call's hooks share between events.
    context: Arc<CallContext>,
    /// What the flexible-checksum step did (it may dictate the payload hash).
    checksum: AppliedChecksum,
    /// Response checksums to validate, most preferred first.
    response_checksums: Vec<ChecksumAlgorithm>,
    /// How the call discovers its endpoint, when it does.
    discovery: Option<CallDiscovery>,
    /// Where S3's region redirect can send it again (see `redirect`).
    redirect: Option<redirect::RedirectTarget>,
    /// The SHA-256 of a replayable streamed body, once the transport has read it ahead.
    payload_sha256: Option<String>,
    /// The operation has an event-stream input: sent over HTTP/2, its events signed.
    sends_events: bool,
}

impl PreparedRequest {
    /// The operation's name.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The unsigned request's URI.
    pub fn uri(&self) -> &http::Uri {
        &self.parts.uri
    }

    /// The auth scheme that will sign it.
    pub fn scheme(&self) -> AuthScheme {
        self.scheme
    }

    /// A fresh copy of the unsigned request (bodies in memory are shared, not copied).
    pub fn to_request(&self) -> http::Request<Body> {
        let mut headers = self.parts.headers.clone();
        // Room in the index table for what each attempt adds (the signature's headers, the
        // invocation id and attempt count); the copy's list of entries has none, and grows
        // once as they are inserted (see `take_request`).
        headers.reserve(ATTEMPT_HEADERS);
        self.request_with(headers)
    }

    /// An attempt's copy of the unsigned request, as [`to_request`](Self::to_request) makes
    /// it, but which takes the prepared header map itself and leaves a copy of it in its
    /// place. The two hold the same headers in the same order; what differs is room: a copy's
    /// list of entries is only as long as it is full, so the headers each attempt adds made it
    /// grow (a reallocation and a copy of the whole list per attempt), where the map the
    /// serializer made has room for them (its `REQUEST_HEADER_ROOM`). A retry sends the same
    /// headers from the copy.
    fn take_request(&mut self) -> http::Request<Body> {
        let copy = self.parts.headers.clone();
        let headers = std::mem::replace(&mut self.parts.headers, copy);
        self.request_with(headers)
    }

    /// The unsigned request with `headers` (which hold the prepared request's headers).
    fn request_with(&self, headers: http::HeaderMap) -> http::Request<Body> {
        let mut request = http::Request::new(self.body.clone());
        *request.method_mut() = self.parts.method.clone();
        *request.uri_mut() = self.parts.uri.clone();
        *request.version_mut() = self.parts.version;
        *request.headers_mut() = headers;
        // Extensions carry instructions for the transport (`AwsChunkedBody`: frame this stream).
        *request.extensions_mut() = self.parts.extensions.clone();
        request
    }

    /// The response checksums the call asked to validate, most preferred first.
    pub fn response_checksums(&self) -> &[ChecksumAlgorithm] {
        &self.response_checksums
    }

    /// True when the body is a stream.
    pub fn is_streaming(&self) -> bool {
        matches!(self.body, Body::Stream(_))
    }
}

/// A service client's pure core: build, sign and parse calls of one service.
pub struct ServiceClient {
    service: String,
    model: Arc<ServiceModel>,
    resolver: Option<EndpointResolver>,
    builtins: HashMap<String, EndpointValue>,
    config: ClientConfig,
    hooks: Hooks,
    signer: Signer,
    retry: Mutex<RetryPolicy>,
    user_agent: HeaderValue,
    endpoints: EndpointCache,
    /// Per-operation plans, by operation name.
    plans: Mutex<FnvMap<String, Arc<OperationPlan>>>,
    /// S3 Express session credentials by bucket (`s3express`).
    s3express: s3express::SessionCache,
    discovery: ClientDiscovery,
    /// S3 buckets a region redirect found in another region.
    bucket_regions: redirect::BucketRegions,
    /// Where requests sign when the endpoint's `authSchemes` do not say: botocore's client
    /// takes it from its legacy endpoint table (see [`LegacyEndpoints`]). `None`: the
    /// client's region and the model's signing name.
    default_signing: Option<SigningScope>,
    /// The transport's longest wait for a read (botocore's `read_timeout`): a retry's
    /// `amz-sdk-request` gives the server its `ttl` from it.
    read_timeout: std::time::Duration,
}

/// What a client works out once per operation, on its first call, instead of per call.
struct OperationPlan {
    /// How its calls bind the endpoint ruleset's parameters (when the client has a ruleset).
    binding: Option<BindingPlan>,
    /// Whether its input is an event stream.
    sends_events: bool,
    /// The auth scheme its model traits select (or why none can be).
    auth_scheme: Result<AuthScheme, crate::auth::AuthError>,
    /// Its calls (not its presigned URLs) go with the environment's bearer token instead
    /// ([`bearer::prefers_env_token`]).
    ///
    /// [`bearer::prefers_env_token`]: crate::auth::bearer::prefers_env_token
    bearer_from_env: bool,
}

/// How many resolved endpoints a client remembers. botocore keeps an LRU of 100 keyed by the
/// bound parameters; a client mostly talks to a handful of buckets or tables, and a short list
/// compares faster than it hashes.
const ENDPOINT_CACHE_SIZE: usize = 16;

/// An endpoint resolved once, with its `authSchemes` property read once too.
struct ResolvedEndpoint {
    endpoint: Endpoint,
    /// Its URL taken apart, with a request's `Host` header (or why the URL is refused: the
    /// same error for every call).
    url: Result<EndpointUrl, SerializeError>,
    /// `None` when the property is malformed: the error is then produced again where it is
    /// reported, so the cache never changes which error a call returns.
    auth_schemes: Option<Vec<crate::endpoint::AuthScheme>>,
}

impl ResolvedEndpoint {
    fn new(endpoint: Endpoint, auth_schemes: Option<Vec<crate::endpoint::AuthScheme>>) -> Self {
        ResolvedEndpoint {
            url: EndpointUrl::parse(&endpoint.url),
            endpoint,
            auth_schemes,
        }
    }
}

/// Resolution is a pure function of the bound parameters (the ruleset and partitions are
/// fixed per client), so its results can be reused. Most recently used first.
#[derive(Default)]
struct EndpointCache {
    entries: Mutex<VecDeque<(Arc<EndpointParams>, Arc<ResolvedEndpoint>)>>,
}

impl EndpointCache {
    fn get(&self, params: &EndpointParams) -> Option<Arc<ResolvedEndpoint>> {
        self.find(|p| *p == *params).map(|(_, e)| e)
    }

    /// [`get`](Self::get) by a call's borrowed bindings, with the bindings it was resolved
    /// for (equal to them).
    fn get_matching(
        &self,
        bound: &BoundParams<'_>,
    ) -> Option<(Arc<EndpointParams>, Arc<ResolvedEndpoint>)> {
        self.find(|p| bound.matches(p))
    }

    /// The entry whose parameters `is_it` accepts, moved to the front.
    fn find(
        &self,
        is_it: impl Fn(&EndpointParams) -> bool,
    ) -> Option<(Arc<EndpointParams>, Arc<ResolvedEndpoint>)> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let index = entries.iter().position(|(p, _)| is_it(p))?;
        if index != 0 {
            let entry = entries.remove(index)?;
            entries.push_front(entry);
        }
        entries.front().cloned()
    }

    fn insert(&self, params: Arc<EndpointParams>, resolved: Arc<ResolvedEndpoint>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.push_front((params, resolved));
        entries.truncate(ENDPOINT_CACHE_SIZE);
    }
}

impl std::fmt::Debug for ServiceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceClient")
            .field("service", &self.service)
            .field("region", &self.config.endpoint.region)
            .field("endpoint_url", &self.config.endpoint.endpoint_url)
            .finish_non_exhaustive()
    }
}

impl ServiceClient {
    /// A client of `service` (botocore's name, e.g. `s3`) with its model, its endpoint ruleset
    /// (`None` for the rare service without one: then an endpoint URL is required), the
    /// partitions and the configuration.
    pub fn new(
        service: &str,
        model: Arc<ServiceModel>,
        ruleset: Option<RuleSet>,
        partitions: Partitions,
        mut config: ClientConfig,
    ) -> Result<Self, Error> {
        config.endpoint.normalize_fips_region();
        if service == "s3" && config.endpoint.region.is_none() {
            let unset = customize::s3::region_when_unset(
                config.endpoint.s3_us_east_1_regional_endpoint.as_deref(),
                config.endpoint.use_dualstack,
            );
            config.endpoint.region = Some(unset.to_string());
        }
        let model = customize_model(service, model);
        if config.max_attempts == Some(0) {
            // Total attempts, as botocore's `total_max_attempts`: at least the first.
            return Err(Error::Config(crate::config::ConfigError::InvalidValue {
                setting: "max_attempts",
                origin: crate::config::SettingSource::Explicit,
                value: "0".into(),
                expected: "an integer greater than or equal to 1",
            }));
        }
        let retry = match config.retry_mode {
            RetryMode::Standard => {
                RetryPolicy::standard(&model.metadata.service_id, config.max_attempts)
            }
            RetryMode::Adaptive => {
                RetryPolicy::adaptive(&model.metadata.service_id, config.max_attempts, 0.0)
            }
            RetryMode::Legacy => {
                let retry_json_error = |message: &str| Error::ModelData {
                    file: "_retry.json".into(),
                    message: message.into(),
                };
                let json = config.legacy_retry_json.as_deref().ok_or_else(|| {
                    retry_json_error("legacy retry mode needs it and none was loaded")
                })?;
                let json = std::str::from_utf8(json).map_err(|_| retry_json_error("not UTF-8"))?;
                let legacy = crate::retry::LegacyRetryConfig::from_retry_json(
                    json,
                    &model.metadata.endpoint_prefix,
                    config.max_attempts,
                )
                .map_err(|e| retry_json_error(&e.to_string()))?;
                RetryPolicy::legacy(legacy)
            }
        };
        let ua = user_agent::user_agent(&config);
        let user_agent = HeaderValue::from_str(&ua).map_err(|_| Error::InvalidUserAgent {
            user_agent: ua.clone(),
        })?;
        let mut hooks = Hooks::new();
        let customize_config = CustomizeConfig {
            region: config.endpoint.region.clone(),
            response_checksum_validation: config.response_checksum_validation,
            presigner: Some(Arc::new(ClientPresigner::new(
                model.signing_name(),
                config.unsigned,
            ))),
            s3_use_accelerate: config.endpoint.s3_use_accelerate,
        };
        customize::register_builtin(&mut hooks, service, &model, &customize_config);
        Ok(ServiceClient {
            service: service.to_string(),
            builtins: config.endpoint.builtins(),
            discovery: ClientDiscovery::new(config.endpoint_discovery),
            resolver: ruleset.map(|r| EndpointResolver::new(r, partitions)),
            model,
            config,
            hooks,
            signer: Signer::new(),
            retry: Mutex::new(retry),
            user_agent,
            endpoints: EndpointCache::default(),
            plans: Mutex::default(),
            s3express: s3express::SessionCache::default(),
            bucket_regions: Default::default(),
            default_signing: None,
            read_timeout: crate::http_config::DEFAULT_TIMEOUT,
        })
    }

    /// The botocore service name.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The service model.
    pub fn model(&self) -> &Arc<ServiceModel> {
        &self.model
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Tell the client its transport's read timeout (botocore's `read_timeout`; 60 seconds
    /// unless said): a retried attempt's `amz-sdk-request` carries `ttl`, the previous
    /// answer's `Date` plus this, as botocore's does. A client built through a transport's
    /// builder is told at build.
    pub fn set_read_timeout(&mut self, limit: std::time::Duration) {
        self.read_timeout = limit;
    }

    /// The read timeout [`set_read_timeout`](Self::set_read_timeout) gave.
    pub fn read_timeout(&self) -> std::time::Duration {
        self.read_timeout
    }

    /// The client's hooks (sansboto's own customizations are registered here too).
    pub fn hooks(&self) -> &Hooks {
        &self.hooks
    }

    /// Register or replace hooks.
    pub fn hooks_mut(&mut self) -> &mut Hooks {
        &mut self.hooks
    }

    /// An operation by name in any spelling, or an error suggesting the closest name.
    ///
    /// Every shape the operation can reach is checked the first time (shapes are checked on
    /// first use, as botocore does): a malformed one fails here with [`Error::Model`] naming
    /// it, before anything reads it.
    pub fn operation(&self, name: &str) -> Result<&Operation, Error> {
        match self.model.checked_operation(name) {
            Some(checked) => Ok(checked?),
            None => Err(Error::UnknownOperation {
                service: self.service.clone(),
                operation: name.to_string(),
                suggestion: self.model.nearest_operation(name),
            }),
        }
    }

    /// Steps before signing: hooks, validation, endpoint, serialization, checksums, compression.
    pub fn prepare(
        &self,
        operation: &str,
        params: Value,
        rng: &mut dyn RandomSource,
    ) -> Result<PreparedRequest, Error> {
        self.prepare_for(operation, params, rng, CallContext::new())
    }

    /// [`prepare`](Self::prepare) for a call made with `identity` at `now`: customizations that
    /// presign a request of their own (RDS `PreSignedUrl`, EC2 `CopySnapshot` `PresignedUrl`)
    /// sign it with these credentials, as [`call_at`](Self::call_at) does. A dry run prepares
    /// this way, so it holds the URL a call would send.
    pub fn prepare_at(
        &self,
        operation: &str,
        params: Value,
        rng: &mut dyn RandomSource,
        identity: Identity<'_>,
        now: SystemTime,
    ) -> Result<PreparedRequest, Error> {
        self.prepare_for(operation, params, rng, signing_context(identity, now))
    }

    /// [`prepare_at`](Self::prepare_at) for a call a [`Stubber`](crate::stub::Stubber) answers.
    pub(crate) fn prepare_stubbed(
        &self,
        operation: &str,
        params: Value,
        rng: &mut dyn RandomSource,
        identity: Identity<'_>,
        now: SystemTime,
    ) -> Result<PreparedRequest, Error> {
        let context = signing_context(identity, now);
        context.insert(StubbedCall);
        self.prepare_for(operation, params, rng, context)
    }

    /// Prepare with `context` as the call's (its credentials, whether it is presigned or
    /// stubbed).
    fn prepare_for(
        &self,
        operation: &str,
        mut params: Value,
        rng: &mut dyn RandomSource,
        context: CallContext,
    ) -> Result<PreparedRequest, Error> {
        let op = self.operation(operation)?;
        let presign = context.get::<PresignRequest>().is_some();
        let context = Arc::new(context);
        let info = CallInfo::new(&self.service, &op.name).with_context(&context);
        let account_id = context
            .get::<SigningIdentity>()
            .and_then(|s| s.credentials.account_id().map(String::from));
        if params.is_null() {
            params = Value::map();
        }
        self.hooks.run(
            Event::BeforeParameterBuild,
            &info,
            &mut Target::Params(&mut params),
        )?;
        if let (Some((_, input)), Value::Map(map)) = (input_structure(&self.model, op), &mut params)
        {
            fill_idempotency_tokens_in(input, map, &mut || rng.uuid4());
        }
        let discovery = self.discovery.for_call(&self.model, op, &params)?;
        if self.config.parameter_validation {
            validate(&self.model, op.input.as_ref().map(|i| i.shape), &params)?;
        }

        let plan = self.plan_of(op);
        let (endpoint, redirect) =
            self.resolve_endpoint(op, &plan, &params, account_id.as_deref())?;
        crate::trace::endpoint_resolved(&self.service, &op.name, &endpoint.endpoint.url);
        let mut serialized = serialize_call(
            &self.model,
            op,
            &params,
            &mut || rng.uuid4(),
            self.config.parameter_validation,
        )?;
        if !self.config.inject_host_prefix
            || (self.service == "s3control" && customize::s3control::skip_host_prefix(op))
        {
            serialized.host_prefix = None;
        }
        let mut request = serialized.into_http_at(endpoint.url.as_ref().map_err(Clone::clone)?)?;
        for (name, values) in &endpoint.endpoint.headers {
            // botocore sends only the first value of a multi-valued endpoint header.
            if let (Ok(n), Some(Ok(v))) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                values.first().map(|v| HeaderValue::from_str(v)),
            ) {
                request.headers_mut().insert(n, v);
            }
        }
        request
            .headers_mut()
            .insert(http::header::USER_AGENT, self.user_agent.clone());
        let checksum = httpchecksum::resolve_request_checksum(
            &self.model,
            op,
            &params,
            &request,
            self.config.request_checksum_calculation,
            presign,
        )?;
        let can_presign = self.config.unsigned || context.get::<SigningIdentity>().is_some();
        // A presigned URL is made without botocore's `before-call` handlers and without request
        // compression (`generate_presigned_url` serializes and signs, no more): no API
        // Gateway `Accept`, no Glacier version header, no injected presigned URL of its own.
        if !presign {
            self.hooks
                .run(Event::BeforeCall, &info, &mut Target::Request(&mut request))
                .map_err(|e| match e {
                    // A customization had a URL to presign and the call no credentials
                    // (botocore's `NoCredentialsError`, raised while the parameters are built).
                    e if !can_presign
                        && e.message.contains(presign::PRESIGN_WITHOUT_CREDENTIALS) =>
                    {
                        Error::NoCredentials(e.to_string())
                    }
                    e => Error::from(e),
                })?;
            maybe_compress_request(&self.config.compression, &self.model, op, &mut request)?;
        }
        let checksum = match checksum {
            Some(c) => httpchecksum::apply_request_checksum(&mut request, &c)?,
            None => AppliedChecksum::Unchanged,
        };
        self.hooks
            .run(Event::BeforeSign, &info, &mut Target::Request(&mut request))?;

        let (mut scheme, signing) = self.auth_for(&plan, &endpoint)?;
        if customize::is_unsigned_operation(&self.service, &op.name) {
            scheme = AuthScheme::Anonymous;
        } else if plan.bearer_from_env && !presign && scheme != AuthScheme::Anonymous {
            // botocore's presigner leaves the preference aside: the URL is SigV4's.
            scheme = AuthScheme::Bearer;
        }
        s3express::note_bucket(&context, scheme, &params);
        let response_checksums = httpchecksum::response_algorithms(op, &params);
        let (parts, body) = request.into_parts();
        Ok(PreparedRequest {
            operation: op.name.as_str().into(),
            parts,
            body,
            scheme,
            signing_name: signing.name,
            signing_region: signing.region,
            region_set: signing.region_set,
            disable_double_encoding: signing.disable_double_encoding,
            context,
            checksum,
            response_checksums,
            discovery,
            redirect,
            payload_sha256: None,
            sends_events: plan.sends_events,
        })
    }

    /// Sign a prepared request at `now` (headers, or the query string when `presign` is set).
    pub fn sign(
        &self,
        prepared: &PreparedRequest,
        identity: Identity<'_>,
        now: SystemTime,
        presign: Option<Duration>,
    ) -> Result<http::Request<Body>, Error> {
        self.sign_request(prepared, prepared.to_request(), identity, now, presign)
    }

    /// [`sign`](Self::sign) for a call's attempt: the same request, made with
    /// [`PreparedRequest::take_request`].
    fn sign_attempt(
        &self,
        prepared: &mut PreparedRequest,
        identity: Identity<'_>,
        now: SystemTime,
    ) -> Result<http::Request<Body>, Error> {
        let request = prepared.take_request();
        self.sign_request(prepared, request, identity, now, None)
    }

    /// Sign `request`, the unsigned request of `prepared`.
    fn sign_request(
        &self,
        prepared: &PreparedRequest,
        mut request: http::Request<Body>,
        identity: Identity<'_>,
        now: SystemTime,
        presign: Option<Duration>,
    ) -> Result<http::Request<Body>, Error> {
        let scheme = if self.config.unsigned {
            AuthScheme::Anonymous
        } else {
            prepared.scheme
        };
        if self.config.endpoint.region.is_none()
            && matches!(
                scheme,
                AuthScheme::SigV4(_) | AuthScheme::SigV4a(_) | AuthScheme::S3Express(_)
            )
        {
            // A client with no region (a global service given an endpoint URL; see
            // `Session::service_client`): botocore's signers that need a region raise
            // `NoRegionError`, before they look at the credentials.
            return Err(Error::NoRegion);
        }
        // botocore's token chain asks the environment first (`ScopedEnvTokenProvider`); a
        // token the caller gave stays.
        let identity = match (&scheme, identity, &self.config.env_bearer_token) {
            (AuthScheme::Bearer, Identity::Credentials(_) | Identity::Anonymous, Some(token)) => {
                Identity::Token(token)
            }
            (_, identity, _) => identity,
        };
        if !matches!(scheme, AuthScheme::Anonymous) && matches!(identity, Identity::Anonymous) {
            return Err(Error::NoCredentials(format!(
                "{}.{} must be signed ({scheme:?}) and no credentials were found",
                self.service, prepared.operation
            )));
        }
        // Decided once when the call was prepared, not looked up again for every attempt.
        let sends_events = prepared.sends_events;
        let events_payload = sends_events.then(|| event_input::prepare(&mut request));
        let ctx = SigningContext {
            signing_name: &prepared.signing_name,
            region: &prepared.signing_region,
            region_set: prepared.region_set.as_deref(),
            time: now,
            presign,
            payload: events_payload.or_else(|| {
                match (prepared.checksum.payload_hash(), &prepared.payload_sha256) {
                    (Some(marker), _) => Some(PayloadHash::Precomputed(marker.into())),
                    (None, Some(sha256)) => Some(PayloadHash::Precomputed(sha256.clone().into())),
                    (None, None) => None,
                }
            }),
            disable_double_encoding: prepared.disable_double_encoding,
        };
        self.signer.sign(&mut request, &scheme, identity, &ctx)?;
        // Only an event-stream input's frames are signed on the way out; any other streamed
        // body (a file upload) goes as it is.
        if sends_events {
            event_input::seed_signer(
                &mut request,
                &scheme,
                identity,
                &prepared.signing_name,
                &prepared.signing_region,
            );
        }
        if matches!(scheme, AuthScheme::Anonymous) {
            httpchecksum::set_unsigned_trailer_header(&mut request, &prepared.checksum);
        }
        let info =
            CallInfo::new(&self.service, &prepared.operation).with_context(&prepared.context);
        self.hooks
            .run(Event::BeforeSend, &info, &mut Target::Request(&mut request))?;
        Ok(request)
    }

    /// Whether the transport should hand the body over unread (a streaming output payload on
    /// success), rather than reading it fully first.
    pub fn streams_response(&self, operation: &str, status: u16) -> bool {
        if !(200..300).contains(&status) {
            return false;
        }
        let Some(Ok(op)) = self.model.checked_operation(operation) else {
            return false;
        };
        let Some(out) = op.output.as_ref() else {
            return false;
        };
        let Some(s) = self.model.shape(out.shape).as_structure() else {
            return false;
        };
        let is_event_stream = |m: &crate::model::ShapeRef| {
            self.model
                .shape(m.shape)
                .as_structure()
                .is_some_and(|t| t.eventstream)
        };
        s.payload
            .as_ref()
            .and_then(|p| s.members.get(p))
            .is_some_and(|m| m.streaming || self.model.shape(m.shape).streaming)
            // JSON and CBOR event streams are a plain member, not the payload: the body is
            // still the stream (its first event is the `initial-response`).
            || s.members.values().any(is_event_stream)
    }

    /// Parse a response to `prepared` into the result (or the service's error), with
    /// `RetryAttempts` set and the response checksum checked when one was asked for.
    pub fn parse(
        &self,
        prepared: &PreparedRequest,
        response: http::Response<Body>,
        retry_attempts: u32,
    ) -> Result<Value, Error> {
        self.parse_with(
            &prepared.operation,
            &prepared.context,
            &prepared.response_checksums,
            response,
            retry_attempts,
        )
    }

    /// Parse a response of `operation` made outside [`prepare`](Self::prepare) (credential
    /// providers' STS calls): no response checksum is checked.
    pub fn parse_operation(
        &self,
        operation: &str,
        response: http::Response<Body>,
        retry_attempts: u32,
    ) -> Result<Value, Error> {
        self.parse_with(
            operation,
            &CallContext::new(),
            &[],
            response,
            retry_attempts,
        )
    }

    fn parse_with(
        &self,
        operation: &str,
        context: &CallContext,
        response_checksums: &[ChecksumAlgorithm],
        mut response: http::Response<Body>,
        retry_attempts: u32,
    ) -> Result<Value, Error> {
        let op = self.operation(operation)?;
        let info = CallInfo::new(&self.service, &op.name).with_context(context);
        self.hooks.run(
            Event::BeforeParse,
            &info,
            &mut Target::Response(&mut response),
        )?;
        let (parts, body) = response.into_parts();
        let status = parts.status.as_u16();
        // A hook may have left part of a server-error check until the body fails to parse.
        let recheck = parts
            .extensions
            .get::<ServerErrorIfUnparsable>()
            .filter(|_| (200..300).contains(&status))
            .map(|check| (check.0, body.clone()));
        let parsed = match (
            self.check_and_parse(op, status, &parts.headers, body, response_checksums),
            recheck,
        ) {
            (Err(_), Some((is_server_error, body)))
                if body.as_bytes().is_some_and(is_server_error) =>
            {
                self.check_and_parse(op, 500, &parts.headers, body, &[])
            }
            (parsed, _) => parsed,
        };
        match parsed {
            Ok(mut value) => {
                set_retry_attempts(&mut value, retry_attempts);
                // botocore's `_add_checksum_response_metadata`: the algorithm the response was
                // (or, streamed, is being) checked with.
                let checked = (200..300).contains(&status).then(|| {
                    httpchecksum::select_response_checksum(&parts.headers, response_checksums)
                });
                if let Some((algorithm, _)) = checked.flatten() {
                    let name = algorithm
                        .header_name()
                        .trim_start_matches("x-amz-checksum-");
                    set_metadata(&mut value, "ChecksumAlgorithm", Value::from(name));
                }
                self.hooks
                    .run(Event::AfterCall, &info, &mut Target::Result(&mut value))?;
                Ok(value)
            }
            Err(Error::Service(mut e)) => {
                set_retry_attempts(&mut e.fields, retry_attempts);
                self.hooks
                    .run(Event::OnError, &info, &mut Target::Result(&mut e.fields))?;
                self.override_error_shape(&mut e);
                Err(Error::Service(e))
            }
            Err(other) => Err(other),
        }
    }

    /// Check a success's response checksum (when one was asked for and sent), then parse.
    fn check_and_parse(
        &self,
        op: &Operation,
        status: u16,
        headers: &http::HeaderMap,
        body: Body,
        response_checksums: &[ChecksumAlgorithm],
    ) -> Result<Value, Error> {
        if (200..300).contains(&status) {
            if let (Some((algorithm, expected)), Some(bytes)) = (
                httpchecksum::select_response_checksum(headers, response_checksums),
                body.as_bytes(),
            ) {
                httpchecksum::validate_response_body(algorithm, expected, bytes)?;
            }
        }
        let response = Response {
            status,
            headers,
            body,
        };
        Ok(parse::parse_response_with(
            &self.model,
            op,
            response,
            self.config.timestamp_parsing,
        )?)
    }

    /// A stubbed answer's last step (see [`crate::stub::Stubber`]): the `AfterCall` hooks for a
    /// result, the `OnError` hooks for a service error, as a parsed response gets. The result
    /// is otherwise the stub's, as given (botocore adds no `ResponseMetadata` to it either).
    pub(crate) fn finish_stubbed(
        &self,
        prepared: &PreparedRequest,
        answer: Result<Value, Box<parse::ServiceError>>,
    ) -> Result<Value, Error> {
        let info =
            CallInfo::new(&self.service, &prepared.operation).with_context(&prepared.context);
        match answer {
            Ok(mut value) => {
                self.hooks
                    .run(Event::AfterCall, &info, &mut Target::Result(&mut value))?;
                Ok(value)
            }
            Err(mut e) => {
                self.hooks
                    .run(Event::OnError, &info, &mut Target::Result(&mut e.fields))?;
                self.override_error_shape(&mut e);
                Err(Error::Service(e))
            }
        }
    }

    /// The modeled error an error is (`ServiceError::shape`, botocore's exception class), by
    /// the code botocore's per-call `error_code_override` names when there is one: SQS's
    /// `QueryErrorCode` (its shapes lack the query-era codes its `x-amzn-query-error` header
    /// sends), as botocore's client picks `QueueDoesNotExist`. The error's fields stay as
    /// parsed by its code, as botocore's are.
    fn override_error_shape(&self, e: &mut parse::ServiceError) {
        if let Some(code) = customize::error_code_override(&self.service, &e.fields) {
            e.shape = self.model.error_shape_for_code(code);
        }
    }

    /// Start a call with retries; drive it with a transport.
    pub fn call(
        &self,
        operation: &str,
        params: Value,
        identity: CallIdentity,
        mut rng: Box<dyn RandomSource>,
    ) -> Result<CallMachine<'_>, Error> {
        let prepared = self.prepare(operation, params, rng.as_mut())?;
        Ok(CallMachine::new(self, prepared, identity, rng))
    }

    /// [`call`](Self::call) at `now`: the call's credentials and time are also given to
    /// customizations that presign a request of their own (RDS `PreSignedUrl`, EC2
    /// `CopySnapshot` `PresignedUrl`).
    pub fn call_at(
        &self,
        operation: &str,
        params: Value,
        identity: CallIdentity,
        mut rng: Box<dyn RandomSource>,
        now: SystemTime,
    ) -> Result<CallMachine<'_>, Error> {
        let prepared = self.prepare_at(operation, params, rng.as_mut(), identity.borrow(), now)?;
        Ok(CallMachine::new(self, prepared, identity, rng))
    }

    /// An RDS IAM authentication token for `username` on `hostname:port` (botocore's
    /// `generate_db_auth_token`): a SigV4 presigned `connect` URL without its scheme, valid 15
    /// minutes.
    pub fn generate_db_auth_token(
        &self,
        hostname: &str,
        port: u16,
        username: &str,
        region: Option<&str>,
        credentials: &Credentials,
        now: SystemTime,
    ) -> Result<String, Error> {
        let region = region
            .map(String::from)
            .or_else(|| self.config.endpoint.region.clone())
            .ok_or(Error::NoRegion)?;
        let identity = SigningIdentity {
            credentials: credentials.clone(),
            time: now,
        };
        let presigner = ClientPresigner::new(self.model.signing_name(), self.config.unsigned);
        customize::rds::generate_db_auth_token(hostname, port, username, &region, |mut input| {
            input.identity = Some(identity);
            customize::Presigner::presign(&presigner, input)
        })
        .map_err(Error::from)
    }

    /// The call's endpoint, and where S3's region redirect could send the call instead.
    fn resolve_endpoint(
        &self,
        op: &Operation,
        plan: &OperationPlan,
        params: &Value,
        account_id: Option<&str>,
    ) -> Result<(Arc<ResolvedEndpoint>, Option<redirect::RedirectTarget>), Error> {
        let Some(resolver) = &self.resolver else {
            return match &self.config.endpoint.endpoint_url {
                Some(url) => Ok((
                    Arc::new(ResolvedEndpoint::new(
                        Endpoint {
                            url: url.clone(),
                            headers: Vec::new(),
                            properties: Default::default(),
                        },
                        Some(Vec::new()),
                    )),
                    None,
                )),
                None => Err(Error::NoEndpointRules {
                    service: self.service.clone(),
                }),
            };
        };
        let Some(binding) = &plan.binding else {
            return Err(Error::NoEndpointRules {
                service: self.service.clone(),
            });
        };
        let mut bound = binding.bind_borrowed(op, params)?;
        if let (Some(account_id), None) = (account_id, &self.config.endpoint.builtins_override) {
            bound.bind_account_id(resolver.ruleset(), account_id);
        }
        if let Some(region) = self.remembered_region(params) {
            bound.insert(redirect::REGION_PARAMETER, EndpointValue::from(region));
        }
        // Compared with the bindings resolved before as they are; the owned form (and its
        // allocations) is made only for one not seen yet.
        let (bound, resolved) = match self.endpoints.get_matching(&bound) {
            Some(hit) => hit,
            None => {
                // `get_matching` has just missed: no second look in the cache.
                let bound = Arc::new(bound.to_owned());
                (bound.clone(), self.resolve_and_cache(bound)?)
            }
        };
        let target = self.redirect_target(params, &bound);
        Ok((resolved, target))
    }

    /// What the client worked out once about calls of `op` (made on its first call).
    fn plan_of(&self, op: &Operation) -> Arc<OperationPlan> {
        let mut plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(plan) = plans.get(op.name.as_str()) {
            return plan.clone();
        }
        let plan = Arc::new(OperationPlan {
            binding: self.resolver.as_ref().map(|resolver| {
                BindingPlan::new(
                    resolver.ruleset(),
                    &self.model,
                    op,
                    &self.builtins,
                    &self.config.endpoint.client_context,
                    self.config.endpoint.builtins_override.is_none(),
                )
            }),
            sends_events: event_input::input_event_stream(&self.model, op).is_some(),
            auth_scheme: self.model_auth_scheme(op),
            // botocore's `choose-signer` handlers: an operation with auth traits of its own
            // keeps them; the others of a service that prefers the token take it.
            bearer_from_env: self.signs_with_env_token()
                && op.auth.as_ref().is_none_or(Vec::is_empty)
                && op.auth_type.is_none(),
        });
        plans.insert(op.name.clone(), plan.clone());
        plan
    }

    /// Resolve bound ruleset parameters (through the client's endpoint cache).
    fn resolve_bound(&self, bound: Arc<EndpointParams>) -> Result<Arc<ResolvedEndpoint>, Error> {
        match self.endpoints.get(&bound) {
            Some(hit) => Ok(hit),
            None => self.resolve_and_cache(bound),
        }
    }

    /// Resolve bound ruleset parameters the endpoint cache does not hold, and keep the result.
    fn resolve_and_cache(
        &self,
        bound: Arc<EndpointParams>,
    ) -> Result<Arc<ResolvedEndpoint>, Error> {
        let Some(resolver) = &self.resolver else {
            return Err(Error::NoEndpointRules {
                service: self.service.clone(),
            });
        };
        let endpoint = resolver.resolve(&bound).map_err(|e| match e {
            EndpointError::MissingRequiredParameter { name } if name == "Region" => Error::NoRegion,
            // With no region, a ruleset's refusal ("Invalid Configuration: Missing Region") is
            // botocore's `NoRegionError`, which it raises before any rule runs (S3 always has
            // a region: see `ServiceClient::new`).
            _ if self.config.endpoint.region.is_none() => Error::NoRegion,
            other => rule_refusal(&self.service, other),
        })?;
        let auth_schemes = endpoint.auth_schemes().ok();
        let resolved = Arc::new(ResolvedEndpoint::new(endpoint, auth_schemes));
        self.endpoints.insert(bound, resolved.clone());
        Ok(resolved)
    }

    /// Take the default signing scope from `table`, for this client's service (its endpoint
    /// prefix), region, FIPS and dual-stack settings, as botocore's client does when it is
    /// created. With an endpoint URL given, the region stays the client's, as in botocore.
    pub(crate) fn set_default_signing(
        &mut self,
        table: &LegacyEndpoints,
    ) -> Result<(), crate::endpoint::LookupError> {
        let endpoint = &self.config.endpoint;
        let Some(region) = endpoint.region.as_deref() else {
            return Ok(());
        };
        let mut scope = table.signing_scope(
            &self.model.metadata.endpoint_prefix,
            region,
            endpoint.use_fips,
            endpoint.use_dualstack,
        )?;
        if endpoint.endpoint_url.is_some() {
            scope.region = region.to_owned();
        }
        self.default_signing = Some(scope);
        Ok(())
    }

    /// The auth scheme `op`'s traits select (the endpoint may change it: see `auth_for`).
    fn model_auth_scheme(&self, op: &Operation) -> Result<AuthScheme, crate::auth::AuthError> {
        let service_auth: Vec<&str> = self
            .model
            .metadata
            .auth
            .iter()
            .map(String::as_str)
            .collect();
        let op_auth: Vec<&str> = op.auth.iter().flatten().map(String::as_str).collect();
        let traits = AuthTraits {
            service_auth: &service_auth,
            service_signature_version: customize::signature_version_override(&self.service)
                .or(self.model.metadata.signature_version.as_deref()),
            operation_auth: &op_auth,
            operation_authtype: op.auth_type.as_deref(),
            operation_unsigned_payload: op.unsigned_payload,
            operation_streaming_input: self.model.streaming_input(op).is_some(),
        };
        select_auth_scheme(&traits, self.model.signing_name())
    }

    /// Whether calls run inside AWS Lambda and so send its trace id
    /// ([`ClientConfig::in_lambda`]).
    pub fn in_lambda(&self) -> bool {
        self.config.in_lambda
    }

    /// The bearer token from the environment (`AWS_BEARER_TOKEN_<SIGNING NAME>`), if this
    /// client's calls are signed with it: a service that prefers it over SigV4 (Bedrock's API
    /// keys) or takes only bearer tokens. A transport gives it as the calls' identity and
    /// resolves no credentials for them.
    pub fn env_bearer_token(&self) -> Option<&Token> {
        self.signs_with_env_token()
            .then_some(self.config.env_bearer_token.as_ref())
            .flatten()
    }

    fn signs_with_env_token(&self) -> bool {
        let auth = &self.model.metadata.auth;
        self.config.env_bearer_token.is_some()
            && (crate::auth::bearer::prefers_env_token(self.model.signing_name(), auth)
                || auth
                    .first()
                    .is_some_and(|a| a == "smithy.api#httpBearerAuth")
                || self.model.metadata.signature_version.as_deref() == Some("bearer"))
    }

    fn auth_for(
        &self,
        plan: &OperationPlan,
        endpoint: &ResolvedEndpoint,
    ) -> Result<(AuthScheme, Signing), Error> {
        let default = self.default_signing.as_ref();
        // Chosen as text first and copied once at the end: the endpoint's scheme usually
        // replaces both (S3's), and each copy is an allocation on every call.
        let mut name = default
            .and_then(|d| d.service.as_deref())
            .unwrap_or(self.model.signing_name());
        // With no region (a global service given an endpoint URL), `sign` refuses a signer
        // that needs one, as botocore's does; an unsigned call goes out.
        let mut region = default
            .map(|d| d.region.as_str())
            .or(self.config.endpoint.region.as_deref())
            .unwrap_or("us-east-1");
        let (mut region_set, mut disable_double_encoding) = (None, None);
        // The endpoint's schemes when it did not parse them itself (the names above may
        // borrow from them).
        let parsed;
        let mut scheme = plan.auth_scheme.clone()?;
        if matches!(
            scheme,
            AuthScheme::SigV4(_) | AuthScheme::SigV4a(_) | AuthScheme::SigV2
        ) {
            // The endpoint's first supported auth scheme decides the signing name, region and
            // algorithm (S3 Multi-Region Access Points ask for SigV4a, for example), for SigV2
            // too, as botocore lets authSchemes decide for any signer.
            let schemes = match &endpoint.auth_schemes {
                Some(schemes) => schemes,
                None => {
                    parsed = endpoint.endpoint.auth_schemes()?;
                    &parsed
                }
            };
            if let Some(chosen) = schemes.iter().find(|s| match s.name.as_str() {
                "sigv4" | "sigv4-s3express" => true,
                // As botocore without `awscrt` passes over SigV4a for the next scheme.
                "sigv4a" => cfg!(feature = "sigv4a"),
                _ => false,
            }) {
                let flags = match scheme {
                    AuthScheme::SigV4(f) | AuthScheme::SigV4a(f) => f,
                    _ => Default::default(),
                };
                if let Some(n) = &chosen.signing_name {
                    name = n;
                }
                let s3 = crate::auth::S3_SIGNING_NAMES.contains(&name);
                let flags = crate::auth::SigV4Flags { s3, ..flags };
                if chosen.name == "sigv4a" {
                    scheme = AuthScheme::SigV4a(flags);
                    region_set = chosen.signing_region_set.as_ref().map(|s| s.join(","));
                } else if chosen.name == "sigv4-s3express" {
                    scheme = AuthScheme::S3Express(flags);
                } else {
                    scheme = AuthScheme::SigV4(flags);
                }
                if let Some(r) = &chosen.signing_region {
                    region = r;
                }
                disable_double_encoding = chosen.disable_double_encoding;
            } else if !cfg!(feature = "sigv4a") && schemes.iter().any(|s| s.name == "sigv4a") {
                // The endpoint asks for SigV4a alone (an S3 Multi-Region Access Point):
                // botocore without `awscrt` refuses the call rather than sign it otherwise.
                return Err(Error::Auth(crate::auth::AuthError::SigV4aNotBuilt));
            }
        }
        let signing = Signing {
            name: name.into(),
            region: region.into(),
            region_set,
            disable_double_encoding,
        };
        Ok((scheme, signing))
    }
}

/// A call's context holding the credentials and time it signs with (for customizations that
/// presign a request of their own), if it has credentials.
fn signing_context(identity: Identity<'_>, now: SystemTime) -> CallContext {
    let context = CallContext::new();
    if let Identity::Credentials(c) = identity {
        context.insert(SigningIdentity {
            credentials: c.clone(),
            time: now,
        });
    }
    context
}

struct Signing {
    name: compact_str::CompactString,
    region: compact_str::CompactString,
    region_set: Option<String>,
    disable_double_encoding: Option<bool>,
}

/// Model changes botocore makes for endpoint rules: S3's `/{Bucket}` leaves the request URI (the
/// ruleset puts the bucket in the endpoint URL), applied to each operation as it is built. S3
/// Control's `{AccountId}.` host prefix is dropped per call instead (see `prepare_for`). Done
/// once per session model (the session caches the result); a model already rewritten is
/// returned as is, and a model no one else holds is changed in place, without a copy.
pub(crate) fn customize_model(service: &str, model: Arc<ServiceModel>) -> Arc<ServiceModel> {
    if service != "s3" || model.rewrites_request_uris() {
        return model;
    }
    let mut model = model;
    Arc::make_mut(&mut model).rewrite_request_uris(customize::s3::request_uri_without_bucket);
    model
}

fn set_retry_attempts(value: &mut Value, attempts: u32) {
    set_metadata(value, "RetryAttempts", Value::Integer(attempts as i64));
}

/// `key` of a result's `ResponseMetadata`, when it has one.
pub(super) fn set_metadata(value: &mut Value, key: &str, entry: Value) {
    if let Some(Value::Map(meta)) = value
        .as_map_mut()
        .and_then(|m| m.get_mut("ResponseMetadata"))
    {
        meta.insert(key.into(), entry);
    }
}

/// A ruleset's refusal as botocore raises it (`EndpointRulesetResolver._translate_ruleset_exception`):
/// the two it reports as `ParamValidationError` (an S3 bucket ARN the rules call invalid, an S3
/// Control call without its `AccountId`) are [`Error::Validation`], so a program finds them with
/// the parameters' other problems; every other refusal is [`Error::Endpoint`].
fn rule_refusal(service: &str, error: EndpointError) -> Error {
    let parameter_problem = match (&error, service) {
        (EndpointError::RuleError(message), "s3") => message
            .get(..12)
            .is_some_and(|start| start.eq_ignore_ascii_case("invalid arn:")),
        (EndpointError::RuleError(message), "s3control") => {
            message == "AccountId is required but not set"
        }
        _ => false,
    };
    match error {
        EndpointError::RuleError(message) if parameter_problem => {
            Error::Validation(crate::validate::ValidationError {
                problems: vec![crate::validate::Problem::RefusedByEndpointRules(message)],
            })
        }
        other => Error::Endpoint(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::SplitMix64;
    use crate::model::ModelError;
    use crate::params;
    use sansboto_models::{FileKind, Loader, TopLevelFile};

    /// An S3 client in us-west-2 with botocore's model and ruleset.
    fn s3_in_us_west_2() -> ServiceClient {
        let loader = Loader::new();
        let load = |kind| loader.load("s3", None, kind).unwrap();
        let model = ServiceModel::from_json(&load(FileKind::ServiceModel)).unwrap();
        let ruleset = RuleSet::from_json(&load(FileKind::EndpointRuleSet)).unwrap();
        let partitions =
            Partitions::from_json(&loader.load_top_level(TopLevelFile::Partitions).unwrap())
                .unwrap();
        let mut config = ClientConfig::default();
        config.endpoint.region = Some("us-west-2".into());
        ServiceClient::new("s3", model, Some(ruleset), partitions, config).unwrap()
    }

    /// Every key of a bucket is one endpoint-cache entry: S3's `Key` (which no rule reads) is
    /// not bound, so a run over many keys resolves the bucket's endpoint once, as botocore's
    /// cache (which leaves `Key`, `Prefix` and `CopySource` out) does.
    #[test]
    fn the_keys_of_a_bucket_share_one_resolved_endpoint() {
        let client = s3_in_us_west_2();
        let entries = || client.endpoints.entries.lock().unwrap().len();
        for (operation, member) in [
            ("GetObject", "Key"),
            ("ListObjectsV2", "Prefix"),
            ("CopyObject", "CopySource"),
        ] {
            for i in 0..40 {
                let mut params = params! {"Bucket": "b"};
                if operation != "ListObjectsV2" {
                    params
                        .as_map_mut()
                        .unwrap()
                        .insert("Key".into(), "k".into());
                }
                params
                    .as_map_mut()
                    .unwrap()
                    .insert(member.into(), format!("b/{i}").into());
                let prepared = client
                    .prepare(operation, params, &mut SplitMix64(1))
                    .unwrap();
                let url = prepared.uri().to_string();
                assert!(
                    url.starts_with("https://s3.us-west-2.amazonaws.com/b"),
                    "{operation}: {url}"
                );
            }
        }
        // At most one entry per operation (two of them bind the same), where 120 distinct
        // values bound would have filled the cache.
        assert!(entries() <= 3, "{} entries", entries());
    }

    /// A DynamoDB client whose model has `shape`'s `field` set to `value`.
    fn dynamodb_with(shape: &str, field: &str, value: serde_json::Value) -> ServiceClient {
        let loader = Loader::new();
        let mut json: serde_json::Value = serde_json::from_slice(
            &loader
                .load("dynamodb", None, FileKind::ServiceModel)
                .unwrap(),
        )
        .unwrap();
        json["shapes"][shape][field] = value;
        let model = ServiceModel::from_value(json).expect("shapes are checked on first use");
        let ruleset = RuleSet::from_json(
            &loader
                .load("dynamodb", None, FileKind::EndpointRuleSet)
                .unwrap(),
        )
        .unwrap();
        let partitions =
            Partitions::from_json(&loader.load_top_level(TopLevelFile::Partitions).unwrap())
                .unwrap();
        let mut config = ClientConfig::default();
        config.endpoint.region = Some("us-west-2".into());
        ServiceClient::new("dynamodb", model, Some(ruleset), partitions, config).unwrap()
    }

    #[test]
    fn an_endpoint_asking_for_sigv4a_alone_gets_it_or_a_refusal() {
        let client = s3_in_us_west_2();
        // A Multi-Region Access Point: its endpoint lists SigV4a only.
        let bucket = "arn:aws:s3::123456789012:accesspoint:mfzwi23gnjvgw.mrap";
        let prepared = client.prepare(
            "GetObject",
            params! {"Bucket": bucket, "Key": "k"},
            &mut SplitMix64(1),
        );
        let with_sigv4a = cfg!(feature = "sigv4a");
        match prepared {
            Ok(p) => assert!(with_sigv4a && matches!(p.scheme, AuthScheme::SigV4a(_))),
            // As botocore without `awscrt` refuses it.
            Err(Error::Auth(crate::auth::AuthError::SigV4aNotBuilt)) => assert!(!with_sigv4a),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_malformed_shape_fails_the_calls_that_reach_it() {
        let client = dynamodb_with("ConsistentRead", "type", "boolen".into());
        let get_item = || {
            let params = params! {"TableName": "t", "Key": params!{"id": params!{"S": "1"}}};
            client.prepare("GetItem", params, &mut SplitMix64(1))
        };
        for _ in 0..2 {
            match get_item() {
                Err(Error::Model(ModelError::UnknownType { shape, kind })) => {
                    assert_eq!(
                        (shape.as_str(), kind.as_str()),
                        ("ConsistentRead", "boolen")
                    );
                }
                other => panic!("expected the broken shape to be named: {other:?}"),
            }
        }
        let call = client.call(
            "get_item",
            params! {"TableName": "t", "Key": params!{"id": params!{"S": "1"}}},
            CallIdentity::Anonymous,
            Box::new(SplitMix64(1)),
        );
        let err = call.err().expect("call fails before anything is sent");
        assert!(err.to_string().contains("ConsistentRead"), "{err}");
        assert!(!client.streams_response("GetItem", 200));
        // Operations that never reach the shape are unaffected.
        client
            .prepare("ListTables", params! {"Limit": 5}, &mut SplitMix64(1))
            .unwrap();
    }

    #[test]
    fn a_malformed_input_shape_fails_its_operation() {
        let client = dynamodb_with("ListTablesInput", "required", 3.into());
        let err = client
            .prepare("ListTables", params! {"Limit": 5}, &mut SplitMix64(1))
            .unwrap_err();
        assert!(
            matches!(&err, Error::Model(ModelError::Shape { shape, .. }) if shape == "ListTablesInput"),
            "{err}"
        );
        assert!(matches!(
            client.operation("list_tables"),
            Err(Error::Model(_))
        ));
        assert!(client.operation("DescribeLimits").is_ok());
    }
}
