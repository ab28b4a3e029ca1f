//! Endpoint discovery (botocore's `discovery` module and how its client wires it): which calls
//! discover their endpoint with the service's discovery operation (`DescribeEndpoints`), the
//! client's cache of discovered addresses, what a call falls back to when discovery fails, and
//! how a request is pointed at a discovered address.
//!
//! Everything here decides; nothing sends. The call machine asks [`ClientDiscovery::lookup`]
//! before each attempt and, when told to refresh, makes the discovery call as a nested call of
//! its own and reports the outcome to [`ClientDiscovery::refreshed`]. Time is always passed in.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use http::{HeaderValue, Uri};

use crate::model::{Operation, ServiceModel, ShapeId};
use crate::sorting::{permuted, stable_order};
use crate::value::{Map, Value};

/// `endpoint_discovery_enabled` (config key, `AWS_ENDPOINT_DISCOVERY_ENABLED`, client option).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DiscoverySetting {
    /// Only operations that require discovery use it (botocore's default, `auto`).
    #[default]
    Auto,
    /// Every operation that supports discovery uses it (`true`).
    Enabled,
    /// No operation uses it, and those that require it fail (`false`).
    Disabled,
}

impl DiscoverySetting {
    /// botocore's normalization: `auto`, `true` or `false` in any case, surrounding blanks
    /// ignored; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(DiscoverySetting::Auto),
            "true" => Some(DiscoverySetting::Enabled),
            "false" => Some(DiscoverySetting::Disabled),
            _ => None,
        }
    }
}

/// Why endpoint discovery stopped a call or a client.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// Discovery is disabled and the operation requires it (botocore's
    /// `EndpointDiscoveryRequired`).
    #[error("Endpoint Discovery is not enabled but this operation requires it. ({operation})")]
    Required {
        /// The operation called.
        operation: String,
    },
    /// The operation requires discovery and no endpoint could be discovered (botocore's
    /// `EndpointDiscoveryRefreshFailed`).
    #[error("Endpoint Discovery failed to refresh the required endpoints. ({operation})")]
    RefreshFailed {
        /// The operation called.
        operation: String,
    },
    /// `endpoint_discovery_enabled` is not `true`, `false` or `auto`.
    #[error("Unsupported configuration value for endpoint_discovery_enabled. Expected one of (\"true\", \"false\", \"auto\") but got {value}.")]
    InvalidSetting {
        /// The configured text.
        value: String,
    },
    /// The discovery operation answered something that names no usable endpoint.
    #[error("the endpoint discovery answer cannot be used: {reason}")]
    InvalidAnswer {
        /// What is wrong with it.
        reason: String,
    },
}

/// The setting a client of `model` uses: `None` when a custom endpoint URL was given to the
/// client itself (botocore then registers no discovery at all, not even the refusal of
/// operations that require it), else the explicit option, else the configured text. A text
/// that is not a setting is an error only for a service that has a discovery operation, as in
/// botocore, which checks it after that.
pub fn client_setting(
    model: &ServiceModel,
    explicit_endpoint_url: bool,
    explicit: Option<DiscoverySetting>,
    configured: Option<&str>,
) -> Result<Option<DiscoverySetting>, DiscoveryError> {
    if explicit_endpoint_url {
        return Ok(None);
    }
    if let Some(setting) = explicit {
        return Ok(Some(setting));
    }
    let Some(text) = configured else {
        return Ok(Some(DiscoverySetting::Auto));
    };
    match DiscoverySetting::parse(text) {
        Some(setting) => Ok(Some(setting)),
        None if model.operations().any(|op| op.endpoint_operation) => {
            Err(DiscoveryError::InvalidSetting {
                value: text.to_string(),
            })
        }
        None => Ok(None),
    }
}

/// A cache key, as botocore builds it: the discovery call's parameters sorted by name.
type CacheKey = Vec<(String, String)>;

/// How long discovery is not tried again after the discovery call could not be made.
const FAILED_DISCOVERY_BACKOFF: Duration = Duration::from_secs(60);

/// One call's part in discovery, decided as the call is prepared.
#[derive(Clone, Debug)]
pub struct CallDiscovery {
    operation: String,
    required: bool,
    key: CacheKey,
    /// The discovery operation and its parameters.
    discovery_operation: String,
    params: Value,
}

impl CallDiscovery {
    /// The discovery operation's name (`DescribeEndpoints`).
    pub fn discovery_operation(&self) -> &str {
        &self.discovery_operation
    }

    /// The discovery call's parameters (botocore sends `Operation` and `Identifiers` only when
    /// the call has identifiers and the discovery operation takes them).
    pub fn params(&self) -> &Value {
        &self.params
    }
}

/// What a call does before an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Send the attempt to this address.
    Use(String),
    /// Make the discovery call, then report its outcome with [`ClientDiscovery::refreshed`].
    Refresh,
    /// Send the attempt to the endpoint the rules resolved.
    Default,
}

/// The outcome of a discovery call.
#[derive(Debug)]
pub enum Refreshed<'a> {
    /// The discovery operation's result.
    Answer(&'a Value),
    /// The discovery call failed to connect or to get an answer (botocore's `ConnectionError`
    /// and `HTTPClientError`): discovery is not tried again for a minute.
    Unreachable,
}

#[derive(Debug)]
struct Discovered {
    address: String,
    expires: SystemTime,
}

#[derive(Debug, Default)]
struct Cache {
    endpoints: HashMap<CacheKey, Vec<Discovered>>,
    /// Until when discovery is not retried for a key, after a failed discovery call.
    failed: HashMap<CacheKey, SystemTime>,
}

impl Cache {
    /// botocore's `_recently_failed`: an expired mark is forgotten.
    fn recently_failed(&mut self, key: &CacheKey, now: SystemTime) -> bool {
        match self.failed.get(key) {
            Some(until) if now < *until => true,
            Some(_) => {
                self.failed.remove(key);
                false
            }
            None => false,
        }
    }

    /// When no fresh endpoint could be had: a stale one, else another discovery call (only
    /// when `may_refresh`: a required operation whose discovery failed recently gets one more
    /// try), else the ruleset's endpoint for an optional operation.
    fn fallback(&self, call: &CallDiscovery, may_refresh: bool) -> Result<Lookup, DiscoveryError> {
        if let Some(stale) = self.endpoints.get(&call.key).and_then(|e| e.first()) {
            return Ok(Lookup::Use(stale.address.clone()));
        }
        match (call.required, may_refresh) {
            (true, true) => Ok(Lookup::Refresh),
            (true, false) => Err(DiscoveryError::RefreshFailed {
                operation: call.operation.clone(),
            }),
            (false, _) => Ok(Lookup::Default),
        }
    }
}

/// A client's endpoint discovery: its setting, fixed when the client is made, and the addresses
/// it has discovered (shared by its concurrent calls).
#[derive(Debug, Default)]
pub struct ClientDiscovery {
    /// `None`: no discovery (a custom endpoint URL was given to the client).
    setting: Option<DiscoverySetting>,
    /// The discovery operation and its input members, found on first use (`None` when the
    /// service has none).
    operation: OnceLock<Option<(String, Vec<String>)>>,
    cache: Mutex<Cache>,
}

impl ClientDiscovery {
    /// Discovery with `setting` (see [`client_setting`]).
    pub fn new(setting: Option<DiscoverySetting>) -> Self {
        ClientDiscovery {
            setting,
            ..Default::default()
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn discovery_operation(&self, model: &ServiceModel) -> Option<&(String, Vec<String>)> {
        self.operation
            .get_or_init(|| {
                let op = model.operations().find(|op| op.endpoint_operation)?;
                let inputs = op
                    .input
                    .as_ref()
                    .and_then(|i| model.shape(i.shape).as_structure())
                    .map(|s| s.members.keys().cloned().collect())
                    .unwrap_or_default();
                Some((op.name.clone(), inputs))
            })
            .as_ref()
    }

    /// Whether and how `op` called with `params` discovers its endpoint (botocore's
    /// `before-parameter-build` handlers): `None` when it does not, the refusal when the
    /// operation requires discovery and it is disabled.
    pub fn for_call(
        &self,
        model: &ServiceModel,
        op: &Operation,
        params: &Value,
    ) -> Result<Option<CallDiscovery>, DiscoveryError> {
        let (Some(setting), Some(trait_)) = (self.setting, &op.endpoint_discovery) else {
            return Ok(None);
        };
        let required = trait_
            .get("required")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        // Most calls stop here, before the model's operations are searched.
        match setting {
            DiscoverySetting::Disabled | DiscoverySetting::Auto if !required => return Ok(None),
            _ => {}
        }
        // botocore wires nothing at all for a service without a discovery operation.
        let Some((discovery_operation, input_keys)) = self.discovery_operation(model) else {
            return Ok(None);
        };
        if setting == DiscoverySetting::Disabled {
            return Err(DiscoveryError::Required {
                operation: op.name.clone(),
            });
        }
        let mut ids = Map::default();
        if let Some(input) = &op.input {
            gather_ids(model, input.shape, params, &mut ids);
        }
        // botocore sends (and keys by) `Operation` and `Identifiers` only with identifiers, and
        // only those the discovery operation takes.
        let mut args = Map::default();
        if !ids.is_empty() {
            args.insert("Identifiers".into(), Value::Map(ids));
            args.insert("Operation".into(), Value::String(op.name.as_str().into()));
        }
        args.retain(|k, _| input_keys.iter().any(|i| i == k.as_str()));
        let items: CacheKey = args
            .iter()
            .map(|(k, v)| (String::from(&**k), cache_item(v)))
            .collect();
        let by_name = stable_order(items.len(), &|a, b| items[a].cmp(&items[b]));
        let key = permuted(items, &by_name);
        Ok(Some(CallDiscovery {
            operation: op.name.clone(),
            required,
            key,
            discovery_operation: discovery_operation.clone(),
            params: Value::Map(args),
        }))
    }

    /// Where the next attempt of `call` goes (botocore's `describe_endpoint`): the first
    /// endpoint not expired at `now`, else a discovery call unless one failed within the last
    /// minute, else a fallback.
    pub fn lookup(&self, call: &CallDiscovery, now: SystemTime) -> Result<Lookup, DiscoveryError> {
        let mut cache = self.cache();
        let fresh = cache
            .endpoints
            .get(&call.key)
            .and_then(|e| e.iter().find(|e| now < e.expires));
        if let Some(fresh) = fresh {
            return Ok(Lookup::Use(fresh.address.clone()));
        }
        if !cache.recently_failed(&call.key, now) {
            return Ok(Lookup::Refresh);
        }
        cache.fallback(call, true)
    }

    /// Record the outcome of a discovery call made at [`lookup`](Self::lookup)'s request and say
    /// where the attempt goes. Each endpoint of an answer expires `CachePeriodInMinutes` after
    /// `now`. Never asks for another refresh.
    pub fn refreshed(
        &self,
        call: &CallDiscovery,
        outcome: Refreshed<'_>,
        now: SystemTime,
    ) -> Result<Lookup, DiscoveryError> {
        let mut cache = self.cache();
        match outcome {
            Refreshed::Answer(answer) => {
                let endpoints = parse_endpoints(answer, now)?;
                let first = endpoints.first().map(|e| e.address.clone());
                cache.endpoints.insert(call.key.clone(), endpoints);
                cache.failed.remove(&call.key);
                if let Some(address) = first {
                    return Ok(Lookup::Use(address));
                }
            }
            Refreshed::Unreachable => {
                cache
                    .failed
                    .insert(call.key.clone(), now + FAILED_DISCOVERY_BACKOFF);
            }
        }
        cache.fallback(call, false)
    }

    /// Forget what was discovered for `call` (after the service said the endpoint is wrong).
    pub fn invalidate(&self, call: &CallDiscovery) {
        self.cache().endpoints.remove(&call.key);
    }
}

/// botocore's `_cache_item`: a map becomes its sorted items.
fn cache_item(value: &Value) -> String {
    match value.as_map() {
        Some(map) => {
            let items: Vec<String> = map.iter().map(|(k, v)| format!("{}={v:?}", &**k)).collect();
            // Through the crate's one sort, as the key's items above: a `sort_unstable` of
            // `String`s here was a copy of std's whole sort of its own (2.7 KB, issue #18).
            let by_text = stable_order(items.len(), &|a, b| items[a].cmp(&items[b]));
            permuted(items, &by_text).join(",")
        }
        None => format!("{value:?}"),
    }
}

/// botocore's `_gather_ids`: members marked `endpointdiscoveryid`, at any depth of nested
/// structures present in the parameters.
fn gather_ids(model: &ServiceModel, shape: ShapeId, params: &Value, ids: &mut Map) {
    let Some(structure) = model.shape(shape).as_structure() else {
        return;
    };
    for (name, member) in &structure.members {
        let Some(value) = params.get(name) else {
            continue;
        };
        if member.endpoint_discovery_id {
            ids.insert(name.as_str().into(), value.clone());
        } else if model.shape(member.shape).as_structure().is_some() {
            gather_ids(model, member.shape, value, ids);
        }
    }
}

fn parse_endpoints(answer: &Value, now: SystemTime) -> Result<Vec<Discovered>, DiscoveryError> {
    let invalid = |reason: &str| DiscoveryError::InvalidAnswer {
        reason: reason.to_string(),
    };
    let list = answer
        .get("Endpoints")
        .and_then(Value::as_list)
        .ok_or_else(|| invalid("no Endpoints list"))?;
    list.iter()
        .map(|endpoint| {
            let address = endpoint
                .get("Address")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid("an endpoint has no Address"))?;
            let minutes = endpoint
                .get("CachePeriodInMinutes")
                .and_then(Value::as_i64)
                .ok_or_else(|| invalid("an endpoint has no CachePeriodInMinutes"))?;
            // A negative period is an endpoint that is already stale; one past what the clock
            // can hold never goes stale (botocore's integers do not overflow: it caches the
            // endpoint for that long).
            let period =
                Duration::from_secs(u64::try_from(minutes).unwrap_or(0).saturating_mul(60));
            Ok(Discovered {
                address: address.to_string(),
                expires: crate::time::saturating_add(now, period),
            })
        })
        .collect()
}

/// Point a request at a discovered address (botocore's `request.url = endpoint`, with
/// `https://` put before an address without a scheme): the whole URL is replaced, and the
/// `Host` header follows it (without the scheme's default port).
pub fn retarget(parts: &mut http::request::Parts, address: &str) -> Result<(), DiscoveryError> {
    let url = if address.starts_with("http") {
        address.to_string()
    } else {
        format!("https://{address}")
    };
    let invalid = |reason: String| DiscoveryError::InvalidAnswer {
        reason: format!("address {address:?}: {reason}"),
    };
    let mut uri_parts = url
        .parse::<Uri>()
        .map_err(|e| invalid(e.to_string()))?
        .into_parts();
    let authority = uri_parts
        .authority
        .clone()
        .ok_or_else(|| invalid("no host".into()))?;
    if uri_parts.path_and_query.is_none() {
        uri_parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
    }
    let default_port = match uri_parts.scheme.as_ref().map(|s| s.as_str()) {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    };
    let host = match authority.port_u16() {
        Some(port) if Some(port) != default_port => format!("{}:{port}", authority.host()),
        _ => authority.host().to_string(),
    };
    parts.uri = Uri::from_parts(uri_parts).map_err(|e| invalid(e.to_string()))?;
    parts.headers.insert(
        http::header::HOST,
        HeaderValue::from_str(&host).map_err(|e| invalid(e.to_string()))?,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params;
    use std::sync::Arc;
    use std::time::UNIX_EPOCH;

    fn model(service: &str) -> Arc<ServiceModel> {
        let bytes = sansboto_models::Loader::new()
            .load(service, None, sansboto_models::FileKind::ServiceModel)
            .unwrap();
        ServiceModel::from_json(&bytes).unwrap()
    }

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000 + seconds)
    }

    fn answer(address: &str, minutes: i64) -> Value {
        params! {"Endpoints": vec![params! {"Address": address, "CachePeriodInMinutes": minutes}]}
    }

    fn call_of(
        discovery: &ClientDiscovery,
        model: &ServiceModel,
        op: &str,
    ) -> Result<Option<CallDiscovery>, DiscoveryError> {
        let op = model.operation(op).unwrap();
        discovery.for_call(model, op, &params! {})
    }

    #[test]
    fn settings_parse_as_botocore_normalizes_them() {
        assert_eq!(
            DiscoverySetting::parse(" TRUE "),
            Some(DiscoverySetting::Enabled)
        );
        assert_eq!(
            DiscoverySetting::parse("False"),
            Some(DiscoverySetting::Disabled)
        );
        assert_eq!(
            DiscoverySetting::parse("auto"),
            Some(DiscoverySetting::Auto)
        );
        assert_eq!(DiscoverySetting::parse("yes"), None);
        let tsw = model("timestream-write");
        assert_eq!(
            client_setting(&tsw, false, None, Some("yes")),
            Err(DiscoveryError::InvalidSetting {
                value: "yes".into()
            })
        );
        // S3 has no discovery operation: botocore never looks at the value.
        assert_eq!(
            client_setting(&model("s3"), false, None, Some("yes")),
            Ok(None)
        );
        assert_eq!(client_setting(&tsw, true, None, Some("yes")), Ok(None));
        assert_eq!(
            client_setting(&tsw, false, Some(DiscoverySetting::Disabled), Some("true")),
            Ok(Some(DiscoverySetting::Disabled))
        );
        assert_eq!(
            client_setting(&tsw, false, None, None),
            Ok(Some(DiscoverySetting::Auto))
        );
    }

    #[test]
    fn which_calls_discover() {
        let ddb = model("dynamodb");
        let tsw = model("timestream-write");
        let auto = ClientDiscovery::new(Some(DiscoverySetting::Auto));
        let on = ClientDiscovery::new(Some(DiscoverySetting::Enabled));
        let off = ClientDiscovery::new(Some(DiscoverySetting::Disabled));
        let custom_url = ClientDiscovery::new(None);
        // DynamoDB's operations support discovery without requiring it.
        assert!(call_of(&auto, &ddb, "ListTables").unwrap().is_none());
        assert!(call_of(&off, &ddb, "ListTables").unwrap().is_none());
        let listed = call_of(&on, &ddb, "ListTables").unwrap().unwrap();
        assert_eq!(listed.discovery_operation(), "DescribeEndpoints");
        // DescribeEndpoints takes no input: no Operation/Identifiers, one key for all calls.
        assert_eq!(listed.params(), &params! {});
        assert!(call_of(&on, &ddb, "DescribeEndpoints").unwrap().is_none());
        // Timestream requires it.
        assert!(call_of(&auto, &tsw, "ListDatabases").unwrap().is_some());
        assert_eq!(
            call_of(&off, &tsw, "ListDatabases").unwrap_err(),
            DiscoveryError::Required {
                operation: "ListDatabases".into()
            }
        );
        assert!(call_of(&custom_url, &tsw, "ListDatabases")
            .unwrap()
            .is_none());
    }

    /// A service whose discovery operation takes `Operation` and `Identifiers`, and whose
    /// operation marks an identifier (no AWS model does both today; botocore handles it).
    #[test]
    fn identifiers_key_the_cache_and_go_to_the_discovery_call() {
        let model = ServiceModel::from_value(serde_json::json!({
            "metadata": {"protocol": "json", "apiVersion": "2020-01-01", "endpointPrefix": "svc",
                         "serviceId": "Svc", "signatureVersion": "v4", "targetPrefix": "Svc"},
            "operations": {
                "Describe": {"name": "Describe", "http": {"method": "POST", "requestUri": "/"},
                             "input": {"shape": "DescribeIn"}, "endpointoperation": true},
                "Put": {"name": "Put", "http": {"method": "POST", "requestUri": "/"},
                        "input": {"shape": "PutIn"}, "endpointdiscovery": {"required": true}}
            },
            "shapes": {
                "DescribeIn": {"type": "structure", "members": {
                    "Operation": {"shape": "S"}, "Identifiers": {"shape": "Ids"}}},
                "Ids": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
                "PutIn": {"type": "structure", "members": {
                    "Stream": {"shape": "S", "endpointdiscoveryid": true},
                    "Nested": {"shape": "Inner"}, "Data": {"shape": "S"}}},
                "Inner": {"type": "structure", "members": {
                    "Shard": {"shape": "S", "endpointdiscoveryid": true}}},
                "S": {"type": "string"}
            }
        }))
        .unwrap();
        let d = ClientDiscovery::new(Some(DiscoverySetting::Auto));
        let op = model.operation("Put").unwrap();
        let call = |params: Value| d.for_call(&model, op, &params).unwrap().unwrap();
        let a = call(params! {"Stream": "s1", "Nested": params!{"Shard": "x"}, "Data": "d"});
        assert_eq!(a.discovery_operation(), "Describe");
        assert_eq!(
            a.params(),
            &params! {
                "Identifiers": params!{"Stream": "s1", "Shard": "x"},
                "Operation": "Put",
            }
        );
        // Another identifier is another cache entry; no identifier sends neither key.
        let b = call(params! {"Stream": "s2"});
        let none = call(params! {"Data": "d"});
        assert_eq!(none.params(), &params! {});
        let answer_a = answer("a.example.com", 10);
        d.refreshed(&a, Refreshed::Answer(&answer_a), at(0))
            .unwrap();
        assert_eq!(d.lookup(&a, at(1)), Ok(Lookup::Use("a.example.com".into())));
        assert_eq!(d.lookup(&b, at(1)), Ok(Lookup::Refresh));
        assert_eq!(d.lookup(&none, at(1)), Ok(Lookup::Refresh));
    }

    #[test]
    fn a_map_item_of_the_key_is_its_items_sorted() {
        // botocore's `_cache_item`: the identifiers' order in the map does not matter.
        let ab = cache_item(&params! {"Stream": "s1", "Shard": "x", "Account": "1"});
        let ba = cache_item(&params! {"Account": "1", "Shard": "x", "Stream": "s1"});
        assert_eq!(ab, ba);
        let names: Vec<&str> = ab
            .split(',')
            .filter_map(|i| i.split_once('='))
            .map(|(k, _)| k)
            .collect();
        assert_eq!(names, ["Account", "Shard", "Stream"]);
        assert_eq!(
            cache_item(&Value::from("Put")),
            format!("{:?}", Value::from("Put"))
        );
    }

    #[test]
    fn the_cache_honours_the_period_and_invalidation() {
        let tsw = model("timestream-write");
        let d = ClientDiscovery::new(Some(DiscoverySetting::Auto));
        let call = call_of(&d, &tsw, "ListDatabases").unwrap().unwrap();
        assert_eq!(d.lookup(&call, at(0)), Ok(Lookup::Refresh));
        let a = answer("ingest-cell1.timestream.us-east-1.amazonaws.com", 2);
        assert_eq!(
            d.refreshed(&call, Refreshed::Answer(&a), at(0)),
            Ok(Lookup::Use(
                "ingest-cell1.timestream.us-east-1.amazonaws.com".into()
            ))
        );
        // Another operation of the client shares the (empty) key.
        let other = call_of(&d, &tsw, "ListTables").unwrap().unwrap();
        assert!(matches!(d.lookup(&other, at(119)), Ok(Lookup::Use(_))));
        assert_eq!(d.lookup(&call, at(120)), Ok(Lookup::Refresh));
        d.invalidate(&call);
        assert_eq!(d.lookup(&call, at(1)), Ok(Lookup::Refresh));
    }

    #[test]
    fn a_period_past_what_the_clock_holds_never_goes_stale() {
        // Once an overflow panic (minutes × 60, then `SystemTime + Duration`); botocore's
        // integers do not overflow, and it keeps the endpoint that long.
        let tsw = model("timestream-write");
        for minutes in [i64::MAX, 200_000_000_000_000_000, 20_000_000_000_000] {
            let d = ClientDiscovery::new(Some(DiscoverySetting::Auto));
            let call = call_of(&d, &tsw, "ListDatabases").unwrap().unwrap();
            let a = answer("far.example.com", minutes);
            assert_eq!(
                d.refreshed(&call, Refreshed::Answer(&a), at(0)),
                Ok(Lookup::Use("far.example.com".into()))
            );
            let century = 100 * 365 * 86_400;
            assert_eq!(
                d.lookup(&call, at(century)),
                Ok(Lookup::Use("far.example.com".into())),
                "{minutes}"
            );
        }
    }

    #[test]
    fn failed_discovery_falls_back_as_botocore_does() {
        let ddb = model("dynamodb");
        let tsw = model("timestream-write");
        // Optional: the ruleset's endpoint, and no new discovery call for a minute.
        let d = ClientDiscovery::new(Some(DiscoverySetting::Enabled));
        let call = call_of(&d, &ddb, "ListTables").unwrap().unwrap();
        assert_eq!(
            d.refreshed(&call, Refreshed::Unreachable, at(0)),
            Ok(Lookup::Default)
        );
        assert_eq!(d.lookup(&call, at(59)), Ok(Lookup::Default));
        assert_eq!(d.lookup(&call, at(60)), Ok(Lookup::Refresh));
        // A stale endpoint is used while discovery fails.
        let a = answer("old.example.com", 1);
        d.refreshed(&call, Refreshed::Answer(&a), at(100)).unwrap();
        assert_eq!(
            d.refreshed(&call, Refreshed::Unreachable, at(200)),
            Ok(Lookup::Use("old.example.com".into()))
        );
        // Required: an error, and a required call tries once more within the minute.
        let d = ClientDiscovery::new(Some(DiscoverySetting::Auto));
        let call = call_of(&d, &tsw, "ListDatabases").unwrap().unwrap();
        let failed = Err(DiscoveryError::RefreshFailed {
            operation: "ListDatabases".into(),
        });
        assert_eq!(d.refreshed(&call, Refreshed::Unreachable, at(0)), failed);
        assert_eq!(d.lookup(&call, at(10)), Ok(Lookup::Refresh));
        assert_eq!(d.refreshed(&call, Refreshed::Unreachable, at(10)), failed);
        // An answer with no endpoints is no endpoint.
        let empty = params! {"Endpoints": Vec::<Value>::new()};
        assert_eq!(
            d.refreshed(&call, Refreshed::Answer(&empty), at(20)),
            failed
        );
        assert!(matches!(
            d.refreshed(&call, Refreshed::Answer(&params! {}), at(20)),
            Err(DiscoveryError::InvalidAnswer { .. })
        ));
    }

    #[test]
    fn retargeting_replaces_the_url_and_the_host() {
        let (mut parts, ()) =
            http::Request::post("https://ingest.timestream.us-east-1.amazonaws.com/?x=1")
                .header("host", "ingest.timestream.us-east-1.amazonaws.com")
                .body(())
                .unwrap()
                .into_parts();
        retarget(
            &mut parts,
            "ingest-cell2.timestream.us-east-1.amazonaws.com:443",
        )
        .unwrap();
        assert_eq!(
            parts.uri.to_string(),
            "https://ingest-cell2.timestream.us-east-1.amazonaws.com:443/"
        );
        assert_eq!(
            parts.headers["host"],
            "ingest-cell2.timestream.us-east-1.amazonaws.com"
        );
        retarget(&mut parts, "http://127.0.0.1:8123/cell").unwrap();
        assert_eq!(parts.uri.to_string(), "http://127.0.0.1:8123/cell");
        assert_eq!(parts.headers["host"], "127.0.0.1:8123");
        assert!(retarget(&mut parts, "http://").is_err());
    }
}
