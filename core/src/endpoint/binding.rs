//! Binding a call to its ruleset parameters, as botocore's `EndpointRulesetResolver` does.
//!
//! For each parameter the ruleset declares, the value comes from (first that is set): the
//! operation's static context params, a `contextParam` member of the input, the operation's
//! `operationContextParams` JMESPath, the client context (`clientContextParams` set in client
//! config), and finally the parameter's builtin (`AWS::Region`, `SDK::Endpoint`, …). Builtins are
//! computed once per client from its configuration ([`EndpointConfig::builtins`]) and adjusted per
//! call for S3 the way botocore's `customize_endpoint_resolver_builtins` does.

use std::collections::HashMap;

use crate::jmespath::Expression;
use crate::model::{Operation, ServiceModel};
use crate::value::Value;

use super::{EndpointParams, EndpointValue, RuleSet};

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

/// The regions for which `sts_regional_endpoints = legacy` means the global endpoint.
const LEGACY_GLOBAL_STS_REGIONS: [&str; 16] = [
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

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
                    && region.is_some_and(|r| LEGACY_GLOBAL_STS_REGIONS.contains(&r)),
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
}

/// The ruleset parameters of one call.
pub fn bind_params(
    ruleset: &RuleSet,
    model: &ServiceModel,
    operation: &Operation,
    params: &Value,
    builtins: &HashMap<String, EndpointValue>,
    client_context: &HashMap<String, EndpointValue>,
    adjust_builtins: bool,
) -> Result<EndpointParams, BindError> {
    let builtins = if adjust_builtins {
        customize_s3_builtins(model, operation, params, builtins)
    } else {
        std::borrow::Cow::Borrowed(builtins)
    };
    let input = operation
        .input
        .as_ref()
        .and_then(|i| model.shape(i.shape).as_structure());
    let mut out = EndpointParams::new();
    for spec in ruleset.parameters() {
        let name = spec.name.as_str();
        let mut value = operation
            .static_context_params
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| from_json(v));
        if value.is_none() {
            value = input
                .and_then(|s| {
                    s.members
                        .iter()
                        .find(|(_, m)| m.context_param.as_deref() == Some(name))
                })
                .and_then(|(member, _)| params.get(member))
                .and_then(from_value);
        }
        if value.is_none() {
            if let Some((_, path)) = operation
                .operation_context_params
                .iter()
                .find(|(n, _)| n == name)
            {
                let reason = |e: crate::jmespath::JmesPathError| BindError::ContextPath {
                    name: name.to_string(),
                    reason: e.to_string(),
                };
                let found = Expression::compile(path)
                    .map_err(reason)?
                    .search(params)
                    .map_err(reason)?;
                value = from_value(&found);
            }
        }
        if value.is_none() {
            value = client_context.get(name).cloned();
        }
        if value.is_none() {
            value = spec
                .built_in
                .as_deref()
                .and_then(|b| builtins.get(b))
                .cloned();
        }
        if let Some(v) = value {
            out.insert(spec.name.clone(), v);
        }
    }
    Ok(out)
}

/// The `account_id_endpoint_mode` values botocore accepts (compared lower-cased).
pub const ACCOUNT_ID_ENDPOINT_MODES: [&str; 3] = ["preferred", "disabled", "required"];

/// Bind the `AWS::Auth::AccountId` builtin to the account of the call's credentials (botocore
/// reads it from the credentials each time an endpoint is resolved, so it cannot be one of the
/// client's fixed builtins). Parameters already bound keep their value.
pub fn bind_account_id(ruleset: &RuleSet, bound: &mut EndpointParams, account_id: &str) {
    for spec in ruleset.parameters() {
        if spec.built_in.as_deref() == Some("AWS::Auth::AccountId")
            && bound.get(&spec.name).is_none()
        {
            bound.insert(spec.name.clone(), EndpointValue::from(account_id));
        }
    }
}

/// botocore's per-call S3 adjustments (`customize_endpoint_resolver_builtins`, kept with the
/// other S3 customizations).
fn customize_s3_builtins<'a>(
    model: &ServiceModel,
    operation: &Operation,
    params: &Value,
    builtins: &'a HashMap<String, EndpointValue>,
) -> std::borrow::Cow<'a, HashMap<String, EndpointValue>> {
    if model.metadata.endpoint_prefix != "s3" {
        return std::borrow::Cow::Borrowed(builtins);
    }
    let force_path_style =
        builtins.get("AWS::S3::ForcePathStyle") == Some(&EndpointValue::Bool(true));
    let o = crate::customize::s3::endpoint_builtin_overrides(
        &operation.name,
        params["Bucket"].as_str(),
        force_path_style,
        false,
    );
    if o.force_path_style.is_none() && o.region.is_none() && o.use_global_endpoint.is_none() {
        return std::borrow::Cow::Borrowed(builtins);
    }
    let mut b = builtins.clone();
    if let Some(f) = o.force_path_style {
        b.insert(
            "AWS::S3::ForcePathStyle".to_string(),
            EndpointValue::Bool(f),
        );
    }
    if let Some(r) = o.region {
        b.insert("AWS::Region".to_string(), EndpointValue::from(r));
    }
    if let Some(g) = o.use_global_endpoint {
        b.insert(
            "AWS::S3::UseGlobalEndpoint".to_string(),
            EndpointValue::Bool(g),
        );
    }
    std::borrow::Cow::Owned(b)
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

fn from_value(v: &Value) -> Option<EndpointValue> {
    match v {
        Value::String(s) => Some(EndpointValue::String(s.clone())),
        Value::Bool(b) => Some(EndpointValue::Bool(*b)),
        Value::List(items) => Some(EndpointValue::StringArray(
            items
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect(),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::is_s3_accelerate_url;

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
            assert_eq!(is_s3_accelerate_url(url), expected, "{url}");
        }
    }
}
