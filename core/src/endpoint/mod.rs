//! Endpoint resolution: the Smithy endpoint rules engine, as botocore runs it.
//!
//! This module owns turning a service's `endpoint-rule-set-1.json` plus botocore's
//! `partitions.json` and a set of bound parameters into an [`Endpoint`] (URL, headers,
//! properties such as `authSchemes`) or the ruleset's own error message.
//!
//! Both documents are parsed once into a *prepared* form ([`RuleSet`], [`Partitions`]): parameter
//! and variable names become slot indices, function names become an enum, template strings are
//! split into literal and reference parts and `getAttr` paths are pre-parsed. A resolution then
//! only walks the tree; it allocates the output and little else. Both prepared types are cheap
//! to clone (`Arc` inside) and `Send + Sync`, so one copy serves every client of a service.
//!
//! Behaviour follows botocore 1.44.5 (`endpoint_provider.py`), including where it differs from
//! the Smithy specification: a tree rule whose children all fail falls through to its next
//! sibling, and `aws.partition` checks each partition's explicit regions *and* its region regex
//! in partition order.
//!
//! Binding operation inputs (context params, static context params, builtins) to ruleset
//! parameters is the caller's job; [`RuleSet::parameters`] exposes names, types and `builtIn`s.
//!
//! ```
//! use sansboto_core::endpoint::{EndpointParams, EndpointResolver, Partitions, RuleSet};
//!
//! let partitions = Partitions::from_json(br#"{"partitions": [{"id": "aws",
//!     "regionRegex": "^us\\-\\w+\\-\\d+$", "regions": {},
//!     "outputs": {"dnsSuffix": "amazonaws.com"}}]}"#)?;
//! let ruleset = RuleSet::from_json(br#"{"version": "1.0",
//!     "parameters": {"Region": {"type": "string", "builtIn": "AWS::Region"}},
//!     "rules": [
//!       {"type": "endpoint",
//!        "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "p"}],
//!        "endpoint": {"url": "https://svc.{Region}.{p#dnsSuffix}"}}]}"#)?;
//! let resolver = EndpointResolver::new(ruleset, partitions);
//! let endpoint = resolver.resolve(&EndpointParams::new().with("Region", "us-west-2"))?;
//! assert_eq!(endpoint.url, "https://svc.us-west-2.amazonaws.com");
//! # Ok::<(), sansboto_core::endpoint::EndpointError>(())
//! ```

mod arn;
mod binding;
mod deferred;
pub mod discovery;
mod eval;
mod json_tree;
mod legacy;
mod partition;
mod region_regex;
mod regions;
mod ruleset;
mod stdlib;
mod url;

use std::borrow::Cow;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

pub use arn::{parse_arn, ParsedArn};
pub use binding::{
    bind_account_id, bind_params, AddressingStyle, BindError, EndpointConfig,
    ACCOUNT_ID_ENDPOINT_MODES,
};
pub(crate) use binding::{BindingPlan, BoundParams};
pub(crate) use legacy::EMPTY_TABLE as EMPTY_LEGACY_TABLE;
pub use legacy::{LegacyEndpoints, LookupError, SigningScope};
pub use partition::{PartitionOutputs, Partitions};
pub(crate) use regions::{EndpointTable, RegionLists};
pub use ruleset::{ParameterSpec, ParameterType, RuleSet};
pub use stdlib::{is_valid_host_label, is_virtual_hostable_s3_bucket, substring, uri_encode};
pub(crate) use url::checked_endpoint_url;
pub use url::{parse_url, ParsedUrl};

/// FNV-1a, for the small name-keyed tables built once from trusted documents (parameter names,
/// explicit regions): several times cheaper than SipHash on short keys, and lookups with
/// arbitrary strings cannot degrade tables whose keys the caller does not choose.
#[derive(Default)]
pub(crate) struct FnvHasher(u64);

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// A `HashMap` using [`FnvHasher`].
pub(crate) type FnvMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FnvHasher>>;

/// Everything that can go wrong while loading or evaluating an endpoint ruleset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// The ruleset document is malformed; `location` is a JSON path into it.
    #[error("invalid endpoint ruleset at {location}: {message}")]
    InvalidRuleSet {
        /// Where in the document, e.g. `rules[3].conditions[0].argv[1]`.
        location: String,
        /// What was wrong.
        message: String,
    },
    /// The partitions document is malformed.
    #[error("invalid partitions document at {location}: {message}")]
    InvalidPartitions {
        /// Where in the document, e.g. `partitions[2].regionRegex`.
        location: String,
        /// What was wrong.
        message: String,
    },
    /// A parameter marked `required` has neither a bound value nor a default.
    #[error("Cannot find value for required parameter {name}")]
    MissingRequiredParameter {
        /// The ruleset parameter name.
        name: String,
    },
    /// A bound value does not have the parameter's declared type.
    #[error("Value ({name}) is the wrong type. Must be {expected}.")]
    ParameterType {
        /// The ruleset parameter name.
        name: String,
        /// The declared type.
        expected: ParameterType,
    },
    /// An `error` rule matched; the message is the ruleset's, verbatim.
    #[error("{0}")]
    RuleError(String),
    /// A standard-library function got arguments of the wrong type while evaluating.
    #[error("{function}: {message}")]
    FunctionArgument {
        /// The rules-language function name (`stringEquals`, `substring`, …).
        function: &'static str,
        /// What was wrong, in botocore's words where it has some.
        message: String,
    },
    /// An endpoint's `url` (or a header value) evaluated to something that is not a string.
    #[error("endpoint {what} did not evaluate to a string")]
    NotAString {
        /// `url` or `header <name>`.
        what: String,
    },
    /// A template string referenced a variable or attribute that has no value.
    #[error("template reference {{{reference}}} has no value")]
    TemplateValueMissing {
        /// The reference as written, e.g. `PartitionResult#dnsSuffix`.
        reference: String,
    },
    /// No rule matched the parameters (the ruleset has no final catch-all).
    #[error("No endpoint found for parameters:\n{parameters}")]
    NoEndpointFound {
        /// The bound parameters, one `name: value` per line.
        parameters: String,
    },
    /// An endpoint's `authSchemes` property does not have the expected shape.
    #[error("invalid authSchemes property: {0}")]
    InvalidAuthSchemes(String),
    /// The client's FIPS or dual-stack endpoint does not exist: the legacy endpoint table has
    /// no variant with these tags for the service's endpoint in its partition (botocore's
    /// `EndpointVariantError`, raised as it makes the client).
    #[error("{service} has no {} endpoint for {endpoint} (partition {partition})", tags.join(" and "))]
    NoEndpointVariant {
        /// The service's endpoint prefix.
        service: String,
        /// The partition the region resolved in.
        partition: String,
        /// The endpoint name: the region, or the partition endpoint.
        endpoint: String,
        /// The variant's tags: `dualstack`, `fips`.
        tags: Vec<String>,
    },
}

/// A value bound to a ruleset parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointValue {
    /// For `string` parameters.
    String(String),
    /// For `boolean` parameters.
    Bool(bool),
    /// For `stringArray` parameters.
    StringArray(Vec<String>),
}

impl EndpointValue {
    /// The parameter type this value can be bound to.
    pub fn parameter_type(&self) -> ParameterType {
        match self {
            EndpointValue::String(_) => ParameterType::String,
            EndpointValue::Bool(_) => ParameterType::Boolean,
            EndpointValue::StringArray(_) => ParameterType::StringArray,
        }
    }
}

impl fmt::Display for EndpointValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointValue::String(s) => f.write_str(s),
            EndpointValue::Bool(b) => write!(f, "{b}"),
            EndpointValue::StringArray(items) => write!(f, "{items:?}"),
        }
    }
}

impl From<String> for EndpointValue {
    fn from(value: String) -> Self {
        EndpointValue::String(value)
    }
}

impl From<&str> for EndpointValue {
    fn from(value: &str) -> Self {
        EndpointValue::String(value.to_owned())
    }
}

impl From<bool> for EndpointValue {
    fn from(value: bool) -> Self {
        EndpointValue::Bool(value)
    }
}

impl From<Vec<String>> for EndpointValue {
    fn from(value: Vec<String>) -> Self {
        EndpointValue::StringArray(value)
    }
}

/// The inputs of one resolution: ruleset parameter name → value.
///
/// Unset parameters are simply absent (botocore's `None`); names the ruleset does not declare
/// are ignored, as botocore ignores them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointParams {
    entries: Vec<(ParamName, EndpointValue)>,
}

/// A bound parameter's name: given by the caller, or shared with a client's binding plan (so
/// binding a call's parameters allocates no names).
#[derive(Debug, Clone, Eq)]
enum ParamName {
    Given(Cow<'static, str>),
    Shared(std::sync::Arc<str>),
}

impl PartialEq for ParamName {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl ParamName {
    fn as_str(&self) -> &str {
        match self {
            ParamName::Given(name) => name,
            ParamName::Shared(name) => name,
        }
    }
}

impl EndpointParams {
    /// No parameters bound.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds `name` to `value`, replacing an earlier binding of the same name.
    pub fn insert(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<EndpointValue>,
    ) -> &mut Self {
        let name = name.into();
        let value = value.into();
        match self.entries.iter_mut().find(|(n, _)| n.as_str() == name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((ParamName::Given(name), value)),
        }
        self
    }

    /// Room for `n` bindings.
    pub(crate) fn with_capacity(n: usize) -> Self {
        EndpointParams {
            entries: Vec::with_capacity(n),
        }
    }

    /// Builder form of [`insert`](Self::insert).
    pub fn with(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<EndpointValue>,
    ) -> Self {
        self.insert(name, value);
        self
    }

    /// Removes a binding, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<EndpointValue> {
        let position = self.entries.iter().position(|(n, _)| n.as_str() == name)?;
        Some(self.entries.remove(position).1)
    }

    /// The value bound to `name`.
    pub fn get(&self, name: &str) -> Option<&EndpointValue> {
        self.entries
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, value)| value)
    }

    /// All bindings, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &EndpointValue)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// How many parameters are bound.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is bound.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A resolved endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// The endpoint URL, e.g. `https://bucket.s3.us-east-1.amazonaws.com`.
    pub url: String,
    /// Extra headers to send, name → values, in ruleset order.
    pub headers: Vec<(String, Vec<String>)>,
    /// Endpoint properties (`authSchemes`, `backend`, …), templates resolved.
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// One entry of an endpoint's `authSchemes` property, the signing parameters the endpoint asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthScheme {
    /// `sigv4`, `sigv4a`, `sigv4-s3express`, …
    pub name: String,
    /// `signingName`: the service name to sign for.
    pub signing_name: Option<String>,
    /// `signingRegion` (SigV4).
    pub signing_region: Option<String>,
    /// `signingRegionSet` (SigV4a).
    pub signing_region_set: Option<Vec<String>>,
    /// `disableDoubleEncoding` (S3 and friends: do not encode the path twice).
    pub disable_double_encoding: Option<bool>,
}

impl Endpoint {
    /// The endpoint's `authSchemes`, in preference order; empty when the property is absent.
    pub fn auth_schemes(&self) -> Result<Vec<AuthScheme>, EndpointError> {
        let Some(schemes) = self.properties.get("authSchemes") else {
            return Ok(Vec::new());
        };
        let schemes = schemes
            .as_array()
            .ok_or_else(|| EndpointError::InvalidAuthSchemes("not a list".into()))?;
        schemes
            .iter()
            .enumerate()
            .map(|(index, scheme)| parse_auth_scheme(index, scheme))
            .collect()
    }
}

fn parse_auth_scheme(
    index: usize,
    scheme: &serde_json::Value,
) -> Result<AuthScheme, EndpointError> {
    let bad = |what: &str| EndpointError::InvalidAuthSchemes(format!("[{index}]: {what}"));
    let object = scheme.as_object().ok_or_else(|| bad("not an object"))?;
    let optional_string = |key: &str| -> Result<Option<String>, EndpointError> {
        match object.get(key) {
            None => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(&format!("{key} is not a string"))),
        }
    };
    let name = optional_string("name")?.ok_or_else(|| bad("missing name"))?;
    let signing_region_set = match object.get("signingRegionSet") {
        None => None,
        Some(serde_json::Value::Array(items)) => Some(
            items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| bad("signingRegionSet holds a non-string"))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => return Err(bad("signingRegionSet is not a list")),
    };
    let disable_double_encoding = match object.get("disableDoubleEncoding") {
        None => None,
        Some(serde_json::Value::Bool(b)) => Some(*b),
        Some(_) => return Err(bad("disableDoubleEncoding is not a boolean")),
    };
    Ok(AuthScheme {
        name,
        signing_name: optional_string("signingName")?,
        signing_region: optional_string("signingRegion")?,
        signing_region_set,
        disable_double_encoding,
    })
}

/// A ruleset and the partitions it resolves against, ready to resolve endpoints.
#[derive(Debug, Clone)]
pub struct EndpointResolver {
    ruleset: RuleSet,
    partitions: Partitions,
}

impl EndpointResolver {
    /// Pairs a prepared ruleset with prepared partitions (both are cheap `Arc` clones).
    pub fn new(ruleset: RuleSet, partitions: Partitions) -> Self {
        Self {
            ruleset,
            partitions,
        }
    }

    /// The ruleset (for its parameter list).
    pub fn ruleset(&self) -> &RuleSet {
        &self.ruleset
    }

    /// Resolves an endpoint for `params`.
    pub fn resolve(&self, params: &EndpointParams) -> Result<Endpoint, EndpointError> {
        self.ruleset.resolve(&self.partitions, params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_insert_replaces_and_get_finds() {
        let mut params = EndpointParams::new();
        params
            .insert("Region", "us-east-1")
            .insert("UseFIPS", false);
        params.insert("Region", "eu-west-1");
        assert_eq!(params.len(), 2);
        assert_eq!(
            params.get("Region"),
            Some(&EndpointValue::String("eu-west-1".into()))
        );
        assert_eq!(params.remove("UseFIPS"), Some(EndpointValue::Bool(false)));
        assert!(params.get("UseFIPS").is_none());
    }

    #[test]
    fn auth_schemes_parse_and_reject_bad_shapes() {
        let mut endpoint = Endpoint {
            url: "https://x".into(),
            headers: Vec::new(),
            properties: serde_json::Map::new(),
        };
        assert_eq!(endpoint.auth_schemes(), Ok(Vec::new()));
        endpoint.properties.insert(
            "authSchemes".into(),
            serde_json::json!([
                {"name": "sigv4a", "signingName": "s3", "signingRegionSet": ["*"], "disableDoubleEncoding": true},
                {"name": "sigv4", "signingName": "s3", "signingRegion": "us-east-1"}
            ]),
        );
        let schemes = endpoint.auth_schemes().unwrap();
        assert_eq!(schemes.len(), 2);
        assert_eq!(schemes[0].signing_region_set, Some(vec!["*".to_owned()]));
        assert_eq!(schemes[0].disable_double_encoding, Some(true));
        assert_eq!(schemes[1].signing_region.as_deref(), Some("us-east-1"));
        endpoint.properties.insert(
            "authSchemes".into(),
            serde_json::json!([{"signingName": "s3"}]),
        );
        assert!(endpoint.auth_schemes().is_err());
    }

    #[test]
    fn prepared_types_are_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<RuleSet>();
        assert_send_sync::<Partitions>();
        assert_send_sync::<EndpointResolver>();
        assert_send_sync::<EndpointError>();
    }

    #[test]
    fn rule_error_displays_message_verbatim() {
        let error = EndpointError::RuleError("Invalid Configuration: Missing Region".into());
        assert_eq!(error.to_string(), "Invalid Configuration: Missing Region");
    }
}
