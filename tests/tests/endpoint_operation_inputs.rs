//! The `operationInputs` cases of botocore's endpoint tests, through the real client pipeline:
//! the real model's parameter binding (static and dynamic context params,
//! `operationContextParams`), validation, serialization and the join with the endpoint URL.
//!
//! As in botocore's end-to-end test, the builtins are replaced by exactly the case's
//! `builtInParams`; an expected endpoint must prefix the request URL, an expected error must stop
//! the call before any request is built.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use sansboto_core::client::{ClientConfig, ServiceClient};
use sansboto_core::endpoint::{EndpointConfig, EndpointValue, Partitions, RuleSet};
use sansboto_core::machine::SplitMix64;
use sansboto_core::model::ServiceModel;
use sansboto_core::Value;
use sansboto_models::{FileKind, Loader, TopLevelFile};

fn endpoint_value(v: &serde_json::Value) -> Option<EndpointValue> {
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

#[test]
fn operation_inputs_through_the_pipeline() {
    let tests_dir = sansboto_tests::botocore_dir().join("tests/functional/endpoint-rules");
    let loader = Loader::new();
    let partitions =
        Partitions::from_json(&loader.load_top_level(TopLevelFile::Partitions).unwrap()).unwrap();
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut refused_bucket = 0;
    let mut services: Vec<_> = std::fs::read_dir(&tests_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    services.sort();
    for service in services {
        let service = service.to_string_lossy().to_string();
        let doc: serde_json::Value = serde_json::from_slice(
            &std::fs::read(tests_dir.join(&service).join("endpoint-tests-1.json")).unwrap(),
        )
        .unwrap();
        let cases: Vec<&serde_json::Value> = doc["testCases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c.get("operationInputs").is_some())
            .collect();
        if cases.is_empty() {
            continue;
        }
        let model: Arc<ServiceModel> =
            ServiceModel::from_json(&loader.load(&service, None, FileKind::ServiceModel).unwrap())
                .unwrap();
        let ruleset = RuleSet::from_json(
            &loader
                .load(&service, None, FileKind::EndpointRuleSet)
                .unwrap(),
        )
        .unwrap();
        for case in cases {
            for input in case["operationInputs"].as_array().unwrap() {
                let builtins: HashMap<String, EndpointValue> = input["builtInParams"]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .filter_map(|(k, v)| Some((k.clone(), endpoint_value(v)?)))
                            .collect()
                    })
                    .unwrap_or_default();
                let region = builtins
                    .get("AWS::Region")
                    .map(|v| v.to_string())
                    .unwrap_or("us-east-1".into());
                let config = ClientConfig {
                    endpoint: EndpointConfig {
                        region: Some(region),
                        builtins_override: Some(builtins),
                        ..Default::default()
                    },
                    // Endpoint cases do not account for the model's host prefixes (as botocore's test).
                    inject_host_prefix: false,
                    ..Default::default()
                };
                let client = ServiceClient::new(
                    &service,
                    model.clone(),
                    Some(ruleset.clone()),
                    partitions.clone(),
                    config,
                )
                .unwrap();
                let op = input["operationName"].as_str().unwrap();
                let params = Value::from(
                    input
                        .get("operationParams")
                        .cloned()
                        .unwrap_or(serde_json::json!({})),
                );
                let invalid_bucket = matches!(
                    params["Bucket"].as_str(),
                    Some("bucket name" | "example.com#")
                );
                let outcome = client.prepare(op, params, &mut SplitMix64(1));
                let entry = counts.entry(service.clone()).or_default();
                // botocore validates bucket names before endpoint resolution, so these two cases
                // never reach the rules there either (its test skips them): the call must be
                // refused by that validation.
                if invalid_bucket {
                    match &outcome {
                        Err(e) if e.to_string().contains("Invalid bucket name") => {
                            refused_bucket += 1
                        }
                        _ => failures.push(format!(
                            "{service} {op}: invalid bucket name was not refused"
                        )),
                    }
                    continue;
                }
                let ok = match (&case["expect"].get("endpoint"), outcome) {
                    (Some(expected), Ok(prepared)) => {
                        let url = prepared.uri().to_string();
                        let want = expected["url"].as_str().unwrap();
                        url.starts_with(want) || {
                            failures
                                .push(format!("{service} {op}: {url} does not start with {want}"));
                            false
                        }
                    }
                    (Some(_), Err(e)) => {
                        failures.push(format!(
                            "{service} {op}: expected an endpoint, got error: {e}"
                        ));
                        false
                    }
                    (None, Err(_)) => true,
                    (None, Ok(prepared)) => {
                        failures.push(format!(
                            "{service} {op}: expected error {:?}, built {}",
                            case["expect"]["error"],
                            prepared.uri()
                        ));
                        false
                    }
                };
                if ok {
                    entry.0 += 1;
                } else {
                    entry.1 += 1;
                }
            }
        }
    }
    let (pass, fail) = counts.values().fold((0, 0), |a, c| (a.0 + c.0, a.1 + c.1));
    for (service, (p, f)) in &counts {
        println!("{service:<28} operationInputs passed {p:>4} failed {f}");
    }
    println!(
        "operationInputs: {pass} passed, {fail} failed, {refused_bucket} refused by S3 bucket-name validation (as in botocore), 0 skipped"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        pass >= 650,
        "expected the 656 operationInputs variants, ran {pass}"
    );
}
