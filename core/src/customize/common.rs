//! Customizations botocore applies to every service (response-validation default, the
//! `x-amz-api-version` header of endpoint-discovery operations, Lambda recursion detection) and
//! botocore's parameter aliases (`ParameterAlias`).

use std::sync::Arc;

use super::{
    params_mut, percent_encode, request_mut, CustomizeConfig, CustomizeError, PerOperation,
};
use crate::body::Body;
use crate::hooks::{Event, Hooks};
use crate::httpchecksum::{self, ResponseChecksumValidation};
use crate::model::ServiceModel;
use crate::value::Map;

pub(crate) use super::parameter_aliases::PARAMETER_ALIASES;

/// The operations whose `endpointoperation` trait is set (the endpoint-discovery operations
/// themselves), by service. botocore sends `x-amz-api-version` on these.
pub(crate) const ENDPOINT_DISCOVERY_OPERATIONS: [(&str, &str); 3] = [
    ("dynamodb", "DescribeEndpoints"),
    ("timestream-query", "DescribeEndpoints"),
    ("timestream-write", "DescribeEndpoints"),
];

/// Register the customizations every service gets.
pub(crate) fn register(
    hooks: &mut Hooks,
    service: &str,
    model: &Arc<ServiceModel>,
    config: &CustomizeConfig,
) {
    if config.response_checksum_validation == ResponseChecksumValidation::WhenSupported {
        // Like botocore's handler, this decides per call from the operation's `httpChecksum`
        // trait (the model keeps each operation built after its first use, so that is a
        // lookup): finding the operations that have one up front would read every operation.
        let model = Arc::clone(model);
        hooks.register(
            Event::BeforeParameterBuild,
            "request-validation-mode-member",
            service,
            move |call, t| {
                // botocore presigns without the client config, so a presigned URL never
                // signs `x-amz-checksum-mode` (a plain GET of it would not send one).
                if call.is_presign() {
                    return Ok(());
                }
                let member = model
                    .operation(call.operation)
                    .filter(|op| op.name == call.operation)
                    .and_then(|op| op.http_checksum.as_ref())
                    .and_then(|c| c.request_validation_mode_member.as_deref());
                if let (Some(member), Some(p)) = (member, params_mut(t)) {
                    httpchecksum::default_validation_mode(p, member);
                }
                Ok(())
            },
        );
    }
    let api_version = model.metadata.api_version.clone();
    for (svc, op) in ENDPOINT_DISCOVERY_OPERATIONS {
        if svc == service {
            let api_version = api_version.clone();
            hooks.register(
                Event::BeforeCall,
                "inject-api-version-header",
                &format!("{svc}.{op}"),
                move |_, t| {
                    if let Some(r) = request_mut(t) {
                        inject_api_version_header(r, &api_version);
                    }
                    Ok(())
                },
            );
        }
    }
}

/// `x-amz-api-version: <apiVersion>` (endpoint-discovery operations).
pub(crate) fn inject_api_version_header(request: &mut http::Request<Body>, api_version: &str) {
    if let Ok(v) = http::HeaderValue::from_str(api_version) {
        request.headers_mut().insert("x-amz-api-version", v);
    }
}

/// Register `service`'s parameter aliases (first, as botocore does). Each applies to the
/// operations whose input models the original name; like botocore's handler, that is decided
/// on an operation's first call (and remembered), not by reading every operation here.
pub(crate) fn register_aliases(hooks: &mut Hooks, service: &str, model: &Arc<ServiceModel>) {
    for (svc, scope_op, original, alias) in PARAMETER_ALIASES {
        if svc != service {
            continue;
        }
        let takes_alias = PerOperation::new(model);
        hooks.register(
            Event::BeforeParameterBuild,
            &format!("{svc}.alias-{original}-{alias}"),
            svc,
            move |call, t| {
                if scope_op != "*" && scope_op != call.operation {
                    return Ok(());
                }
                let applies = takes_alias.get(call.operation, |model, op| {
                    op.input
                        .as_ref()
                        .and_then(|i| model.shape(i.shape).as_structure())
                        .is_some_and(|st| st.members.contains_key(original))
                });
                if applies == Some(true) {
                    if let Some(p) = params_mut(t) {
                        alias_parameter(p, original, alias, call.operation)?;
                    }
                }
                Ok(())
            },
        );
    }
}

/// Accept `alias` for the modeled `original` (both at once is an error).
pub(crate) fn alias_parameter(
    params: &mut Map,
    original: &'static str,
    alias: &'static str,
    operation: &str,
) -> Result<(), CustomizeError> {
    if !params.contains_key(alias) {
        return Ok(());
    }
    if params.contains_key(original) {
        return Err(CustomizeError::AliasConflict {
            original,
            alias,
            operation: operation.to_string(),
        });
    }
    if let Some(v) = params.shift_remove(alias) {
        params.insert(original.into(), v);
    }
    Ok(())
}

/// botocore's `add_recursion_detection_header`: inside Lambda (`AWS_LAMBDA_FUNCTION_NAME` set)
/// with a `_X_AMZN_TRACE_ID`, send it as `X-Amzn-Trace-Id` unless the request has one. The core
/// reads no environment: the call machine is given the trace id when the function name is set
/// ([`CallMachine::set_trace_id`](crate::client::call::CallMachine::set_trace_id)).
pub(crate) fn add_recursion_detection_header(
    request: &mut http::Request<Body>,
    trace_id: Option<&str>,
) {
    let Some(trace_id) = trace_id else {
        return;
    };
    if request.headers().contains_key("x-amzn-trace-id") {
        return;
    }
    let encoded = percent_encode(trace_id, b"-=;:+&[]{}\"',");
    if let Ok(v) = http::HeaderValue::from_str(&encoded) {
        request.headers_mut().insert("x-amzn-trace-id", v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::test_support::before_parameter_build;
    use crate::customize::test_support::model;
    use crate::hooks::PresignRequest;
    use crate::hooks::{CallInfo, Target};
    use crate::params;

    #[test]
    fn ec2_filter_alias() {
        let mut h = Hooks::new();
        register_aliases(&mut h, "ec2", &model("ec2"));
        let mut p =
            params! {"Filters": vec![params!{"Name": "n", "Values": vec!["v"]}], "DryRun": false};
        before_parameter_build(&h, "ec2", "DescribeFlowLogs", &mut p).unwrap();
        assert!(p.get("Filters").is_none());
        assert_eq!(p["Filter"][0]["Name"].as_str(), Some("n"));
        // DescribeInstances models `Filters` itself: left alone.
        let mut p = params! {"Filters": vec![params!{"Name": "n"}]};
        before_parameter_build(&h, "ec2", "DescribeInstances", &mut p).unwrap();
        assert!(p.get("Filters").is_some());
    }

    #[test]
    fn alias_decision_is_remembered_per_operation() {
        // The decision is made on an operation's first call; later calls reuse it and still
        // apply (or skip) the alias.
        let mut h = Hooks::new();
        register_aliases(&mut h, "ec2", &model("ec2"));
        for _ in 0..3 {
            let mut p = params! {"Filters": vec![params!{"Name": "n"}]};
            before_parameter_build(&h, "ec2", "DescribeFlowLogs", &mut p).unwrap();
            assert_eq!(p["Filter"][0]["Name"].as_str(), Some("n"), "{p:?}");
            assert!(p.get("Filters").is_none());
            let mut p = params! {"Filters": vec![params!{"Name": "n"}]};
            before_parameter_build(&h, "ec2", "DescribeInstances", &mut p).unwrap();
            assert!(p.get("Filters").is_some() && p.get("Filter").is_none());
            // Both at once stays an error on every call.
            let mut p = params! {"Filters": 1, "Filter": 2};
            let err = before_parameter_build(&h, "ec2", "DescribeFlowLogs", &mut p).unwrap_err();
            assert!(err.to_string().contains("'Filter'"), "{err}");
        }
        // Another spelling, or an operation the model lacks, is not aliased.
        for op in ["describe_flow_logs", "DescribeNothing"] {
            let mut p = params! {"Filters": 1};
            before_parameter_build(&h, "ec2", op, &mut p).unwrap();
            assert!(p.get("Filters").is_some(), "{op}");
        }
    }

    #[test]
    fn alias_conflict_is_an_error() {
        let mut p = params! {"from": 1, "fromTime": 2};
        let err = alias_parameter(
            p.as_map_mut().unwrap(),
            "from",
            "fromTime",
            "CreateExportTask",
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "Parameter 'from' and its alias 'fromTime' were provided for operation CreateExportTask.  Only one of them may be used.");
        let mut h = Hooks::new();
        register_aliases(&mut h, "logs", &model("logs"));
        let mut p = params! {"fromTime": 1};
        before_parameter_build(&h, "logs", "CreateExportTask", &mut p).unwrap();
        assert_eq!(p["from"].as_i64(), Some(1));
    }

    #[test]
    fn cloudsearchdomain_return_alias() {
        let mut h = Hooks::new();
        register_aliases(&mut h, "cloudsearchdomain", &model("cloudsearchdomain"));
        let mut p = params! {"query": "q", "returnFields": "_all_fields"};
        before_parameter_build(&h, "cloudsearchdomain", "Search", &mut p).unwrap();
        assert_eq!(p["return"].as_str(), Some("_all_fields"));
    }

    #[test]
    fn validation_mode_defaults_to_enabled_when_supported() {
        let s3 = model("s3");
        let mut h = Hooks::new();
        register(&mut h, "s3", &s3, &CustomizeConfig::default());
        let mut p = params! {"Bucket": "b", "Key": "k"};
        before_parameter_build(&h, "s3", "GetObject", &mut p).unwrap();
        assert_eq!(p["ChecksumMode"].as_str(), Some("ENABLED"));
        let mut h = Hooks::new();
        let config = CustomizeConfig {
            response_checksum_validation: ResponseChecksumValidation::WhenRequired,
            ..CustomizeConfig::default()
        };
        register(&mut h, "s3", &s3, &config);
        let mut p = params! {"Bucket": "b", "Key": "k"};
        before_parameter_build(&h, "s3", "GetObject", &mut p).unwrap();
        assert!(p.get("ChecksumMode").is_none());
    }

    #[test]
    fn validation_mode_not_defaulted_when_presigning() {
        // Regression: a presigned GetObject URL signed `x-amz-checksum-mode`, which a plain GET
        // of the URL does not send, so strict verifiers (s3s-fs) refused it.
        let mut h = Hooks::new();
        register(&mut h, "s3", &model("s3"), &CustomizeConfig::default());
        let context = crate::hooks::CallContext::new();
        context.insert(PresignRequest);
        let mut p = params! {"Bucket": "b", "Key": "k"};
        h.run(
            Event::BeforeParameterBuild,
            &CallInfo::new("s3", "GetObject").with_context(&context),
            &mut Target::Params(&mut p),
        )
        .unwrap();
        assert!(p.get("ChecksumMode").is_none(), "{p:?}");
        // A caller's explicit ChecksumMode is kept.
        let mut p = params! {"Bucket": "b", "Key": "k", "ChecksumMode": "ENABLED"};
        h.run(
            Event::BeforeParameterBuild,
            &CallInfo::new("s3", "GetObject").with_context(&context),
            &mut Target::Params(&mut p),
        )
        .unwrap();
        assert_eq!(p["ChecksumMode"].as_str(), Some("ENABLED"));
    }

    #[test]
    fn endpoint_discovery_operations_match_the_models() {
        // Every model flagging an operation `endpointoperation` is in the table, and only those.
        let loader = sansboto_models::Loader::new();
        let mut found = Vec::new();
        for service in loader.services().unwrap() {
            let Ok(json) = loader.load(&service, None, sansboto_models::FileKind::ServiceModel)
            else {
                continue;
            };
            if !json.windows(17).any(|w| w == b"endpointoperation") {
                continue;
            }
            let raw: serde_json::Value = serde_json::from_slice(&json).unwrap();
            for (name, op) in raw["operations"].as_object().unwrap() {
                if op["endpointoperation"] == serde_json::Value::Bool(true) {
                    found.push((service.clone(), name.clone()));
                }
            }
        }
        found.sort();
        let mut expected: Vec<(String, String)> = ENDPOINT_DISCOVERY_OPERATIONS
            .iter()
            .map(|(s, o)| (s.to_string(), o.to_string()))
            .collect();
        expected.sort();
        assert_eq!(found, expected);

        let mut h = Hooks::new();
        register(
            &mut h,
            "dynamodb",
            &model("dynamodb"),
            &CustomizeConfig::default(),
        );
        let mut r = http::Request::new(Body::Empty);
        h.run(
            Event::BeforeCall,
            &CallInfo::new("dynamodb", "DescribeEndpoints"),
            &mut Target::Request(&mut r),
        )
        .unwrap();
        assert_eq!(r.headers()["x-amz-api-version"], "2012-08-10");
    }

    #[test]
    fn recursion_detection() {
        let mut r = http::Request::new(Body::Empty);
        add_recursion_detection_header(&mut r, Some("Root=1-5759e988;Sampled=1 x\n"));
        assert_eq!(
            r.headers()["x-amzn-trace-id"],
            "Root=1-5759e988;Sampled=1%20x%0A"
        );
        add_recursion_detection_header(&mut r, Some("Root=2"));
        assert_eq!(
            r.headers()["x-amzn-trace-id"],
            "Root=1-5759e988;Sampled=1%20x%0A",
            "kept"
        );
        let mut r = http::Request::new(Body::Empty);
        add_recursion_detection_header(&mut r, None);
        assert!(r.headers().get("x-amzn-trace-id").is_none());
    }
}
