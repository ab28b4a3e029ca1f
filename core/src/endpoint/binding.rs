//! Binding a call to its ruleset parameters, as botocore's `EndpointRulesetResolver` does.
//!
//! For each parameter the ruleset declares, the value comes from (first that is set): the
//! operation's static context params, a `contextParam` member of the input, the operation's
//! `operationContextParams` JMESPath, the client context (`clientContextParams` set in client
//! config), and finally the parameter's builtin (`AWS::Region`, `SDK::Endpoint`, …). Builtins are
//! computed once per client from its configuration ([`EndpointConfig::builtins`]) and adjusted per
//! call for S3 the way botocore's `customize_endpoint_resolver_builtins` does.

use std::collections::HashMap;
use std::sync::Arc;

use crate::jmespath::Expression;
use crate::model::{Operation, ServiceModel};
use crate::value::Value;

use super::{EndpointParams, EndpointValue, ParameterType, RuleSet};

/// S3 addressing style (`s3.addressing_style`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AddressingStyle {
    /// Virtual-hosted when the bucket allows it, else path (the default).
    #[default]
    Auto,
    /// Always `https://s3…/bucket/key`.
    Path,
    /// Always `https://bucket.s3…/key`.
    Virtual,
}

/// The client configuration endpoint resolution depends on.
#[derive(Clone, Debug, Default)]
pub struct EndpointConfig {
    /// The client's region.
    pub region: Option<String>,
    /// `use_fips_endpoint` (also turned on by a `fips-` region prefix or `-fips` suffix).
    pub use_fips: bool,
    /// `use_dualstack_endpoint`.
    pub use_dualstack: bool,
    /// A custom endpoint URL (`endpoint_url`, `AWS_ENDPOINT_URL…`).
    pub endpoint_url: Option<String>,
    /// `s3.addressing_style`.
    pub s3_addressing_style: AddressingStyle,
    /// `s3.use_accelerate_endpoint`.
    pub s3_use_accelerate: bool,
    /// `s3.use_arn_region` (S3 defaults to true, S3 Control to false).
    pub s3_use_arn_region: Option<bool>,
    /// `s3.s3_disable_multiregion_access_points`.
    pub s3_disable_multiregion_access_points: bool,
    /// `s3.us_east_1_regional_endpoint` (`legacy` or `regional`; botocore's default is legacy).
    pub s3_us_east_1_regional_endpoint: Option<String>,
    /// `s3_disable_express_session_auth`.
    pub s3_disable_express_session_auth: Option<bool>,
    /// `sts_regional_endpoints` (`legacy` or `regional`, the default).
    pub sts_regional_endpoints: Option<String>,
    /// The account id of the credentials, when known.
    pub account_id: Option<String>,
    /// `account_id_endpoint_mode` (`preferred`, `required`, `disabled`).
    pub account_id_endpoint_mode: Option<String>,
    /// Client context params by ruleset parameter name (botocore's `client_context_params`).
    pub client_context: HashMap<String, EndpointValue>,
    /// Replace every builtin with exactly these values and skip the per-call S3 adjustments
    /// (what a last-registered `before-endpoint-resolution` handler does in botocore; the
    /// endpoint conformance test uses it).
    pub builtins_override: Option<HashMap<String, EndpointValue>>,
}

/// The regions for which `sts_regional_endpoints = legacy` means the global endpoint,
/// separated by spaces: one string, where a table of `&str` has a pointer per region to
/// relocate when the program loads (issue #18, binary size).
const LEGACY_GLOBAL_STS_REGIONS: &str = concat!(
    "ap-northeast-1 ap-south-1 ap-southeast-1 ap-southeast-2 aws-global ca-central-1 ",
    "eu-central-1 eu-north-1 eu-west-1 eu-west-2 eu-west-3 sa-east-1 us-east-1 ",
    "us-east-2 us-west-1 us-west-2",
);

impl EndpointConfig {
    /// Normalise a `fips-`/`-fips` region into the plain region with FIPS on, as botocore does
    /// when a client is created.
    pub fn normalize_fips_region(&mut self) {
        if let Some(region) = &self.region {
            let plain = region.replace("fips-", "").replace("-fips", "");
            if &plain != region {
                self.region = Some(plain);
                self.use_fips = true;
            }
        }
    }

    /// The builtin values for this client (botocore's
    /// `compute_endpoint_resolver_builtin_defaults`).
    pub fn builtins(&self) -> HashMap<String, EndpointValue> {
        if let Some(fixed) = &self.builtins_override {
            return fixed.clone();
        }
        let mut b: HashMap<&'static str, EndpointValue> = HashMap::new();
        let custom = self.endpoint_url.is_some();
        if let Some(r) = &self.region {
            b.insert("AWS::Region", EndpointValue::from(r.as_str()));
        }
        // A custom endpoint cannot be combined with the FIPS or dual-stack variants.
        b.insert(
            "AWS::UseFIPS",
            EndpointValue::Bool(!custom && self.use_fips),
        );
        b.insert(
            "AWS::UseDualStack",
            EndpointValue::Bool(!custom && self.use_dualstack),
        );
        let sts_legacy = self.sts_regional_endpoints.as_deref() == Some("legacy");
        let region = self.region.as_deref();
        b.insert(
            "AWS::STS::UseGlobalEndpoint",
            EndpointValue::Bool(
                !custom
                    && sts_legacy
                    && region.is_some_and(|r| LEGACY_GLOBAL_STS_REGIONS.split(' ').any(|g| g == r)),
            ),
        );
        let s3_legacy = self
            .s3_us_east_1_regional_endpoint
            .as_deref()
            .unwrap_or("legacy")
            == "legacy";
        b.insert(
            "AWS::S3::UseGlobalEndpoint",
            EndpointValue::Bool(s3_legacy && matches!(region, None | Some("us-east-1"))),
        );
        b.insert(
            "AWS::S3::Accelerate",
            EndpointValue::Bool(self.s3_use_accelerate),
        );
        let force_path_style = if self.s3_use_accelerate {
            false
        } else if let Some(url) = &self.endpoint_url {
            if is_s3_accelerate_url(url) {
                self.s3_addressing_style == AddressingStyle::Path
            } else {
                self.s3_addressing_style != AddressingStyle::Virtual
            }
        } else {
            self.s3_addressing_style == AddressingStyle::Path
        };
        b.insert(
            "AWS::S3::ForcePathStyle",
            EndpointValue::Bool(force_path_style),
        );
        b.insert(
            "AWS::S3::UseArnRegion",
            EndpointValue::Bool(self.s3_use_arn_region.unwrap_or(true)),
        );
        b.insert(
            "AWS::S3Control::UseArnRegion",
            EndpointValue::Bool(self.s3_use_arn_region.unwrap_or(false)),
        );
        b.insert(
            "AWS::S3::DisableMultiRegionAccessPoints",
            EndpointValue::Bool(self.s3_disable_multiregion_access_points),
        );
        if let Some(v) = self.s3_disable_express_session_auth {
            b.insert(
                "AWS::S3::DisableS3ExpressSessionAuth",
                EndpointValue::Bool(v),
            );
        }
        if let Some(url) = &self.endpoint_url {
            b.insert("SDK::Endpoint", EndpointValue::from(url.as_str()));
        }
        if let Some(a) = &self.account_id {
            b.insert("AWS::Auth::AccountId", EndpointValue::from(a.as_str()));
        }
        if let Some(m) = &self.account_id_endpoint_mode {
            b.insert(
                "AWS::Auth::AccountIdEndpointMode",
                EndpointValue::from(m.as_str()),
            );
        }
        b.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }
}

/// botocore's `is_s3_accelerate_url`: an http(s) URL whose network location (port included)
/// ends in `amazonaws.com` and starts with the `s3-accelerate` label, with nothing between
/// them but `dualstack` at most once. Anything else — `s3-accelerate.foo.amazonaws.com` — is a
/// custom endpoint like any other (path style by default).
fn is_s3_accelerate_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return false;
    }
    let netloc = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if !netloc.ends_with("amazonaws.com") {
        return false;
    }
    let parts: Vec<&str> = netloc.split('.').collect();
    if parts[0] != "s3-accelerate" {
        return false;
    }
    // The labels between `s3-accelerate` and `amazonaws.com` (Python's `parts[1:-2]`).
    let features = parts
        .get(1..parts.len().saturating_sub(2))
        .unwrap_or_default();
    let unique = features
        .iter()
        .enumerate()
        .all(|(i, f)| !features[..i].contains(f));
    unique && features.iter().all(|f| *f == "dualstack")
}

/// Why a call's parameters could not be bound.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BindError {
    /// An `operationContextParams` path did not compile or evaluate.
    #[error("operation context parameter {name}: {reason}")]
    ContextPath {
        /// The parameter's name.
        name: String,
        /// Why its path failed.
        reason: String,
    },
    /// The input member bound to a parameter has a value of another type than the parameter
    /// takes (it reaches here only when parameter validation is off; botocore's
    /// `EndpointResolutionError`, "Value (…) is the wrong type").
    #[error("endpoint parameter {name} takes a {expected}, not a {got}")]
    WrongType {
        /// The parameter's name.
        name: String,
        /// The parameter's type.
        expected: ParameterType,
        /// The kind of value given.
        got: &'static str,
    },
}

/// The ruleset parameters of one call: those some rule reads, or that are required with no
/// default (a parameter no rule reads cannot change the endpoint, so it is not bound).
pub fn bind_params(
    ruleset: &RuleSet,
    model: &ServiceModel,
    operation: &Operation,
    params: &Value,
    builtins: &HashMap<String, EndpointValue>,
    client_context: &HashMap<String, EndpointValue>,
    adjust_builtins: bool,
) -> Result<EndpointParams, BindError> {
    BindingPlan::new(
        ruleset,
        model,
        operation,
        builtins,
        client_context,
        adjust_builtins,
    )
    .bind(operation, params)
}

/// How the calls of one operation bind the ruleset's parameters, worked out once (a client
/// keeps one per operation it calls): for each parameter, in ruleset order, the input member
/// and `operationContextParams` path it reads, then the value it falls back to. Only what
/// depends on a call's input is left for [`bind`](Self::bind), which looks nothing up by name.
pub(crate) struct BindingPlan {
    params: Vec<PlannedParam>,
    /// S3 adjusts some builtins per call (botocore's `customize_endpoint_resolver_builtins`,
    /// `customize::s3::endpoint_builtin_overrides`); the configured path style
    /// is one of its inputs.
    s3_force_path_style: Option<bool>,
}

struct PlannedParam {
    name: Arc<str>,
    /// The parameter's declared type.
    parameter_type: ParameterType,
    /// The input member marked `contextParam` for this parameter.
    member: Option<String>,
    /// The `operationContextParams` path, compiled (or why it does not compile, reported when
    /// a call reaches it, as before).
    path: Option<Result<Expression, String>>,
    /// When neither gives a value: a static context param, the client context or the builtin.
    fallback: Fallback,
}

impl PlannedParam {
    /// The refusal of a member's value of another type than the parameter takes (made only
    /// with validation off, so kept out of the call path's code).
    #[cold]
    #[inline(never)]
    fn wrong_type(&self, given: &Value) -> BindError {
        BindError::WrongType {
            name: self.name.to_string(),
            expected: self.parameter_type,
            got: given.kind(),
        }
    }
}

enum Fallback {
    Value(Option<EndpointValue>),
    /// A builtin S3 may adjust per call: its name and the client's value.
    S3Builtin(String, Option<EndpointValue>),
}

/// The builtins `endpoint_builtin_overrides` may change per call.
const S3_ADJUSTED_BUILTINS: [&str; 3] = [
    "AWS::S3::ForcePathStyle",
    "AWS::Region",
    "AWS::S3::UseGlobalEndpoint",
];

impl BindingPlan {
    /// The plan of `operation`'s calls, for a client with these builtins and client context.
    pub(crate) fn new(
        ruleset: &RuleSet,
        model: &ServiceModel,
        operation: &Operation,
        builtins: &HashMap<String, EndpointValue>,
        client_context: &HashMap<String, EndpointValue>,
        adjust_builtins: bool,
    ) -> Self {
        let s3_force_path_style = (adjust_builtins && model.metadata.endpoint_prefix == "s3")
            .then(|| builtins.get("AWS::S3::ForcePathStyle") == Some(&EndpointValue::Bool(true)));
        let input = operation
            .input
            .as_ref()
            .and_then(|i| model.shape(i.shape).as_structure());
        let params = ruleset
            .parameters()
            .iter()
            .enumerate()
            // A parameter no rule reads is not bound (in botocore 1.44.5's rulesets, S3's `Key`,
            // `Prefix` and `CopySource`, which botocore leaves out too): each object's key would
            // otherwise be a binding of its own. One that is required with no default still is,
            // for the resolver to report it missing (pricing-plan-manager's `Region`).
            .filter(|(index, spec)| {
                ruleset.is_referenced(*index) || (spec.required && spec.default.is_none())
            })
            .map(|(_, spec)| {
                let name = spec.name.as_str();
                let planned = |member, path, fallback| PlannedParam {
                    name: Arc::from(name),
                    parameter_type: spec.parameter_type,
                    member,
                    path,
                    fallback,
                };
                // A static context param that converts wins over everything else.
                if let Some(v) = operation
                    .static_context_params
                    .iter()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, v)| from_json(v))
                {
                    return planned(None, None, Fallback::Value(Some(v)));
                }
                let member = input
                    .and_then(|s| {
                        s.members
                            .iter()
                            .find(|(_, m)| m.context_param.as_deref() == Some(name))
                    })
                    .map(|(member, _)| member.clone());
                let path = operation
                    .operation_context_params
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, path)| Expression::compile(path).map_err(|e| e.to_string()));
                let fallback = match (client_context.get(name), spec.built_in.as_deref()) {
                    (Some(v), _) => Fallback::Value(Some(v.clone())),
                    (None, Some(b))
                        if s3_force_path_style.is_some() && S3_ADJUSTED_BUILTINS.contains(&b) =>
                    {
                        Fallback::S3Builtin(b.to_string(), builtins.get(b).cloned())
                    }
                    (None, b) => Fallback::Value(b.and_then(|b| builtins.get(b)).cloned()),
                };
                planned(member, path, fallback)
            })
            .collect();
        BindingPlan {
            params,
            s3_force_path_style,
        }
    }

    /// The ruleset parameters of a call of the plan's operation with `params`.
    pub(crate) fn bind(
        &self,
        operation: &Operation,
        params: &Value,
    ) -> Result<EndpointParams, BindError> {
        Ok(self.bind_borrowed(operation, params)?.to_owned())
    }

    /// [`bind`](Self::bind), with the values borrowed from `params` and the plan where they
    /// can be: a client compares them with the bindings it resolved before
    /// ([`BoundParams::matches`]), and makes the owned form only for one it has not seen.
    pub(crate) fn bind_borrowed<'a>(
        &'a self,
        operation: &Operation,
        params: &'a Value,
    ) -> Result<BoundParams<'a>, BindError> {
        let overrides = self.s3_force_path_style.map(|force_path_style| {
            crate::customize::s3::endpoint_builtin_overrides(
                &operation.name,
                params["Bucket"].as_str(),
                force_path_style,
                false,
            )
        });
        let mut out = BoundParams::default();
        for planned in &self.params {
            let mut value = match planned.member.as_ref() {
                Some(member) => match params.get(member).filter(|v| !v.is_null()) {
                    Some(given) => Some(
                        BoundValue::of_type(given, planned.parameter_type)
                            .ok_or_else(|| planned.wrong_type(given))?,
                    ),
                    None => None,
                },
                None => None,
            };
            if value.is_none() {
                if let Some(path) = &planned.path {
                    let reason = |reason: String| BindError::ContextPath {
                        name: planned.name.to_string(),
                        reason,
                    };
                    let found = path
                        .as_ref()
                        .map_err(|e| reason(e.clone()))?
                        .search(params)
                        .map_err(|e| reason(e.to_string()))?;
                    // Found by the path, not in `params`: kept as its owned form.
                    value = BoundValue::from_value(&found).map(|v| BoundValue::Owned(v.to_owned()));
                }
            }
            if value.is_none() {
                value = match &planned.fallback {
                    Fallback::Value(v) => v.as_ref().map(BoundValue::Plan),
                    Fallback::S3Builtin(builtin, v) => overrides
                        .as_ref()
                        .and_then(|o| match builtin.as_str() {
                            "AWS::S3::ForcePathStyle" => o.force_path_style.map(BoundValue::Bool),
                            "AWS::Region" => o.region.map(BoundValue::Str),
                            _ => o.use_global_endpoint.map(BoundValue::Bool),
                        })
                        .or_else(|| v.as_ref().map(BoundValue::Plan)),
                };
            }
            if let Some(v) = value {
                out.entries.push((BoundName::Plan(&planned.name), v));
            }
        }
        Ok(out)
    }
}

/// A call's ruleset parameters as [`BindingPlan::bind_borrowed`] binds them: what
/// [`EndpointParams`] holds, in the same order, with names and values borrowed from the plan
/// and the call's parameters where they can be. Building the owned form took an allocation
/// for the list and one for each string value (S3's `Bucket` and `Region`), made only
/// to be compared with the bindings a client resolved before, which are almost always equal.
#[derive(Default)]
pub(crate) struct BoundParams<'a> {
    // A ruleset has a few dozen parameters at most (S3's about twenty, most bound).
    entries: smallvec::SmallVec<[(BoundName<'a>, BoundValue<'a>); 24]>,
}

/// A bound parameter's name, as [`EndpointParams`] would hold it.
enum BoundName<'a> {
    /// Shared with the binding plan.
    Plan(&'a Arc<str>),
    /// Given by the client (a name of its own, or the ruleset's).
    Given(std::borrow::Cow<'a, str>),
}

impl BoundName<'_> {
    fn as_str(&self) -> &str {
        match self {
            BoundName::Plan(name) => name,
            BoundName::Given(name) => name,
        }
    }
}

/// A bound value, as [`EndpointValue`] would hold it.
enum BoundValue<'a> {
    Str(&'a str),
    Bool(bool),
    /// A list member: its strings (other items are left out).
    List(&'a [Value]),
    /// A value of the plan's (a static context param, the client context, a builtin).
    Plan(&'a EndpointValue),
    /// A value found by an `operationContextParams` path, or given by the client.
    Owned(EndpointValue),
}

impl<'a> BoundValue<'a> {
    /// A parameter's value as the ruleset takes it: a string, a boolean, or a list of strings;
    /// anything else binds nothing.
    fn from_value(v: &'a Value) -> Option<Self> {
        match v {
            Value::String(s) => Some(BoundValue::Str(s)),
            Value::Bool(b) => Some(BoundValue::Bool(*b)),
            Value::List(items) => Some(BoundValue::List(items)),
            _ => None,
        }
    }

    /// A member's value bound to a parameter of type `expected`; `None` when it is of another
    /// type (botocore's rules engine refuses those).
    fn of_type(v: &'a Value, expected: ParameterType) -> Option<Self> {
        match (v, expected) {
            (Value::String(s), ParameterType::String) => Some(BoundValue::Str(s)),
            (Value::Bool(b), ParameterType::Boolean) => Some(BoundValue::Bool(*b)),
            (Value::List(items), ParameterType::StringArray) => Some(BoundValue::List(items)),
            _ => None,
        }
    }

    fn matches(&self, other: &EndpointValue) -> bool {
        match (self, other) {
            (BoundValue::Plan(v), other) => *v == other,
            (BoundValue::Owned(v), other) => v == other,
            (BoundValue::Str(s), EndpointValue::String(o)) => s == o,
            (BoundValue::Bool(b), EndpointValue::Bool(o)) => b == o,
            (BoundValue::List(items), EndpointValue::StringArray(o)) => items
                .iter()
                .filter_map(Value::as_str)
                .eq(o.iter().map(String::as_str)),
            _ => false,
        }
    }

    fn to_owned(&self) -> EndpointValue {
        match self {
            BoundValue::Str(s) => EndpointValue::String(s.to_string()),
            BoundValue::Bool(b) => EndpointValue::Bool(*b),
            BoundValue::List(items) => EndpointValue::StringArray(
                items
                    .iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect(),
            ),
            BoundValue::Plan(v) => (*v).clone(),
            BoundValue::Owned(v) => v.clone(),
        }
    }
}

impl<'a> BoundParams<'a> {
    /// Whether `params` holds the same bindings in the same order (`EndpointParams`'
    /// equality, which a client's cache of resolved endpoints looks them up by).
    pub(crate) fn matches(&self, params: &EndpointParams) -> bool {
        self.entries.len() == params.entries.len()
            && self
                .entries
                .iter()
                .zip(&params.entries)
                .all(|((name, value), (n, v))| name.as_str() == n.as_str() && value.matches(v))
    }

    /// The owned form, as [`BindingPlan::bind`] gives it.
    pub(crate) fn to_owned(&self) -> EndpointParams {
        let mut out = EndpointParams::with_capacity(self.entries.len());
        for (name, value) in &self.entries {
            let name = match name {
                BoundName::Plan(name) => super::ParamName::Shared(Arc::clone(name)),
                BoundName::Given(name) => {
                    super::ParamName::Given(std::borrow::Cow::Owned(name.to_string()))
                }
            };
            out.entries.push((name, value.to_owned()));
        }
        out
    }

    /// [`EndpointParams::insert`]: binds `name`, replacing an earlier binding of it.
    pub(crate) fn insert(&mut self, name: &'a str, value: EndpointValue) {
        match self.entries.iter_mut().find(|(n, _)| n.as_str() == name) {
            Some(entry) => entry.1 = BoundValue::Owned(value),
            None => self.entries.push((
                BoundName::Given(std::borrow::Cow::Borrowed(name)),
                BoundValue::Owned(value),
            )),
        }
    }

    /// [`bind_account_id`], borrowed.
    pub(crate) fn bind_account_id(&mut self, ruleset: &'a RuleSet, account_id: &str) {
        for spec in account_id_parameters(ruleset) {
            if !self.entries.iter().any(|(n, _)| n.as_str() == spec.name) {
                self.insert(&spec.name, EndpointValue::from(account_id));
            }
        }
    }
}

/// The `account_id_endpoint_mode` values botocore accepts (compared lower-cased).
pub const ACCOUNT_ID_ENDPOINT_MODES: [&str; 3] = ["preferred", "disabled", "required"];

/// Bind the `AWS::Auth::AccountId` builtin to the account of the call's credentials (botocore
/// reads it from the credentials each time an endpoint is resolved, so it cannot be one of the
/// client's fixed builtins). Parameters already bound keep their value.
pub fn bind_account_id(ruleset: &RuleSet, bound: &mut EndpointParams, account_id: &str) {
    for spec in account_id_parameters(ruleset) {
        if bound.get(&spec.name).is_none() {
            bound.insert(spec.name.clone(), EndpointValue::from(account_id));
        }
    }
}

/// The ruleset's parameters the credentials' account binds (its `AWS::Auth::AccountId`
/// builtin).
fn account_id_parameters(ruleset: &RuleSet) -> impl Iterator<Item = &super::ParameterSpec> {
    ruleset
        .parameters()
        .iter()
        .filter(|spec| spec.built_in.as_deref() == Some("AWS::Auth::AccountId"))
}

fn from_json(v: &serde_json::Value) -> Option<EndpointValue> {
    match v {
        serde_json::Value::String(s) => Some(EndpointValue::String(s.clone())),
        serde_json::Value::Bool(b) => Some(EndpointValue::Bool(*b)),
        serde_json::Value::Array(a) => Some(EndpointValue::StringArray(
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect(),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServiceModel;
    use sansboto_models::{FileKind, Loader};

    /// S3's model and endpoint ruleset, as botocore ships them.
    fn s3_model_and_rules() -> (std::sync::Arc<ServiceModel>, RuleSet) {
        let loader = Loader::new();
        let model =
            ServiceModel::from_json(&loader.load("s3", None, FileKind::ServiceModel).unwrap())
                .unwrap();
        let ruleset =
            RuleSet::from_json(&loader.load("s3", None, FileKind::EndpointRuleSet).unwrap())
                .unwrap();
        (model, ruleset)
    }

    /// One plan serves every call of its operation: values that come from the input (context
    /// params, S3's per-call builtin adjustments) are read per call, and the rest is the
    /// client's.
    #[test]
    fn one_plan_binds_every_call_of_its_operation() {
        let (model, ruleset) = s3_model_and_rules();
        let config = EndpointConfig {
            region: Some("us-west-2".into()),
            s3_addressing_style: AddressingStyle::Path,
            ..Default::default()
        };
        let builtins = config.builtins();
        let put = model.operation("PutObject").unwrap();
        let plan = BindingPlan::new(&ruleset, &model, put, &builtins, &HashMap::new(), true);
        let string = |s: &str| Some(EndpointValue::String(s.into()));

        let by_name = Value::from(serde_json::json!({"Bucket": "b", "Key": "k"}));
        let bound = plan.bind(put, &by_name).unwrap();
        assert_eq!(bound.get("Bucket").cloned(), string("b"));
        // No rule reads `Key` (nor `Prefix` or `CopySource`): not bound, so every key of a
        // bucket shares its bindings, and its resolved endpoint.
        assert!(bound.get("Key").is_none());
        assert_eq!(bound.get("Region").cloned(), string("us-west-2"));
        assert_eq!(
            bound.get("ForcePathStyle"),
            Some(&EndpointValue::Bool(true))
        );

        // An access point ARN turns path style off for this call only (botocore's
        // `customize_endpoint_resolver_builtins`).
        let arn = "arn:aws:s3:us-west-2:123456789012:accesspoint/ap";
        let by_arn = Value::from(serde_json::json!({"Bucket": arn, "Key": "other"}));
        let bound = plan.bind(put, &by_arn).unwrap();
        assert_eq!(bound.get("Bucket").cloned(), string(arn));
        assert_eq!(
            bound.get("ForcePathStyle"),
            Some(&EndpointValue::Bool(false))
        );
        assert_eq!(
            plan.bind(put, &by_name).unwrap().get("ForcePathStyle"),
            Some(&EndpointValue::Bool(true))
        );

        // Without the member, the parameter is simply unbound.
        let bound = plan
            .bind(put, &Value::from(serde_json::json!({"Key": "k"})))
            .unwrap();
        assert!(bound.get("Bucket").is_none());
        // A member of the wrong type for its parameter (reachable with validation off) is
        // refused, as botocore's rules engine refuses it; `Key`, which no rule reads, is not
        // looked at.
        let wrong = Value::from(serde_json::json!({"Bucket": 7, "Key": "k"}));
        assert_eq!(
            plan.bind(put, &wrong),
            Err(BindError::WrongType {
                name: "Bucket".into(),
                expected: ParameterType::String,
                got: "integer",
            })
        );
        let key = Value::from(serde_json::json!({"Bucket": "b", "Key": 7}));
        assert!(plan.bind(put, &key).is_ok());

        // The plan binds what a fresh binding binds.
        for params in [&by_name, &by_arn] {
            let fresh = bind_params(
                &ruleset,
                &model,
                put,
                params,
                &builtins,
                &HashMap::new(),
                true,
            );
            assert_eq!(plan.bind(put, params).unwrap(), fresh.unwrap());
        }
    }

    /// A call's borrowed bindings match the owned bindings equal to them, and no others: a
    /// client's cache of resolved endpoints is looked up by them.
    #[test]
    fn borrowed_bindings_match_the_equal_owned_ones() {
        let (model, ruleset) = s3_model_and_rules();
        let builtins = EndpointConfig {
            region: Some("us-west-2".into()),
            ..Default::default()
        }
        .builtins();
        let put = model.operation("PutObject").unwrap();
        let plan = BindingPlan::new(&ruleset, &model, put, &builtins, &HashMap::new(), true);
        let calls = [
            serde_json::json!({"Bucket": "b", "Key": "k"}),
            serde_json::json!({"Bucket": "c", "Key": "k"}),
            serde_json::json!({"Bucket": "arn:aws:s3:us-west-2:123456789012:accesspoint/ap"}),
            serde_json::json!({"Key": "k"}),
        ]
        .map(Value::from);
        for (i, a) in calls.iter().enumerate() {
            for (j, b) in calls.iter().enumerate() {
                let owned = plan.bind(put, b).unwrap();
                let borrowed = plan.bind_borrowed(put, a).unwrap();
                assert_eq!(borrowed.matches(&owned), i == j, "{a:?} against {b:?}");
                assert_eq!(borrowed.to_owned(), plan.bind(put, a).unwrap());
            }
        }

        // Another key of the same bucket binds the same (no rule reads `Key`).
        let other_key = Value::from(serde_json::json!({"Bucket": "b", "Key": "other"}));
        let owned = plan.bind(put, &calls[0]).unwrap();
        assert!(plan.bind_borrowed(put, &other_key).unwrap().matches(&owned));

        // What a client adds binds as on the owned form: a new name goes last, a bound one
        // is replaced in place.
        let mut owned = plan.bind(put, &calls[0]).unwrap();
        let mut borrowed = plan.bind_borrowed(put, &calls[0]).unwrap();
        owned.insert("Region", "eu-west-1");
        borrowed.insert("Region", EndpointValue::from("eu-west-1"));
        owned.insert("Extra", true);
        borrowed.insert("Extra", EndpointValue::Bool(true));
        bind_account_id(&ruleset, &mut owned, "123456789012");
        borrowed.bind_account_id(&ruleset, "123456789012");
        assert!(borrowed.matches(&owned));
        assert_eq!(borrowed.to_owned(), owned);
        assert!(!plan.bind_borrowed(put, &calls[0]).unwrap().matches(&owned));
    }

    #[test]
    fn accelerate_urls_are_recognised_as_botocore_does() {
        // Each answer is botocore 1.44.5's `is_s3_accelerate_url` on the same text.
        let cases = [
            ("https://s3-accelerate.amazonaws.com", true),
            ("https://s3-accelerate.foo.amazonaws.com", false),
            ("https://s3-accelerate.dualstack.amazonaws.com", true),
            (
                "https://s3-accelerate.dualstack.dualstack.amazonaws.com",
                false,
            ),
            ("https://s3-accelerate.amazonaws.com:443", false),
            ("ftp://s3-accelerate.amazonaws.com", false),
            ("https://s3-accelerate.fooamazonaws.com", true),
            ("https://s3-accelerate.amazonaws.com/path", true),
            ("HTTPS://s3-accelerate.amazonaws.com", true),
            ("https://bucket.s3-accelerate.amazonaws.com", false),
            ("https://s3-accelerate.amazonaws.com.cn", false),
            ("s3-accelerate.amazonaws.com", false),
        ];
        for (url, expected) in cases {
            assert_eq!(super::is_s3_accelerate_url(url), expected, "{url}");
        }
    }
}
