//! Every operation of S3, DynamoDB, SQS, EC2 and IAM generated and compiled, and the typed
//! request checked against the dynamic one: for each input botocore ships for these services
//! (the `operationInputs` of its endpoint tests, and its `examples-1.json` data), the
//! parameters are read into the operation's typed input, turned back into the core's value,
//! and both are prepared by the same client — method, URL, headers and body must be equal.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use sansboto_core::client::{ClientConfig, ServiceClient};
use sansboto_core::endpoint::{EndpointConfig, Partitions, RuleSet};
use sansboto_core::machine::SplitMix64;
use sansboto_core::model::{ServiceModel, ShapeId, ShapeKind};
use sansboto_core::Map;
use sansboto_models::{FileKind, Loader, TopLevelFile};
use sansboto_typed::{FromValue, IntoValue, OperationVisitor, TypedOperation, Value};

sansboto_typed::typed!("s3");
sansboto_typed::typed!("dynamodb");
sansboto_typed::typed!("sqs");
sansboto_typed::typed!("ec2");
sansboto_typed::typed!("iam");

const SERVICES: [&str; 5] = ["s3", "dynamodb", "sqs", "ec2", "iam"];

/// botocore's inputs for `service`, by operation.
fn botocore_inputs(service: &str) -> HashMap<String, Vec<serde_json::Value>> {
    let dir = sansboto_tests::botocore_dir();
    let mut inputs: HashMap<String, Vec<serde_json::Value>> = HashMap::new();
    let endpoint_tests = dir
        .join("tests/functional/endpoint-rules")
        .join(service)
        .join("endpoint-tests-1.json");
    if let Ok(bytes) = std::fs::read(endpoint_tests) {
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        for case in doc["testCases"].as_array().unwrap() {
            // Only cases that build a request (an expected error stops before serializing).
            if case["expect"].get("endpoint").is_none() {
                continue;
            }
            for input in case["operationInputs"].as_array().into_iter().flatten() {
                inputs
                    .entry(input["operationName"].as_str().unwrap().to_string())
                    .or_default()
                    .push(input.get("operationParams").cloned().unwrap_or_default());
            }
        }
    }
    for version in std::fs::read_dir(dir.join("botocore/data").join(service)).unwrap() {
        let examples = version.unwrap().path().join("examples-1.json");
        let Ok(bytes) = std::fs::read(examples) else {
            continue;
        };
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        for (op, cases) in doc["examples"].as_object().into_iter().flatten() {
            for case in cases.as_array().into_iter().flatten() {
                if let Some(input) = case.get("input") {
                    inputs.entry(op.clone()).or_default().push(input.clone());
                }
            }
        }
    }
    inputs
}

fn client(service: &str) -> ServiceClient {
    let loader = Loader::new();
    let model: Arc<ServiceModel> =
        ServiceModel::from_json(&loader.load(service, None, FileKind::ServiceModel).unwrap())
            .unwrap();
    let ruleset = RuleSet::from_json(
        &loader
            .load(service, None, FileKind::EndpointRuleSet)
            .unwrap(),
    )
    .unwrap();
    let partitions =
        Partitions::from_json(&loader.load_top_level(TopLevelFile::Partitions).unwrap()).unwrap();
    let config = ClientConfig {
        endpoint: EndpointConfig {
            region: Some("us-east-1".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    ServiceClient::new(service, model, Some(ruleset), partitions, config).unwrap()
}

/// The request `params` prepares into, as text to compare (or the error, which must match too).
fn prepared(client: &ServiceClient, op: &str, params: Value) -> String {
    match client.prepare(op, params, &mut SplitMix64(7)) {
        Ok(p) => {
            let request = p.to_request();
            let mut headers: Vec<String> = request
                .headers()
                .iter()
                .map(|(k, v)| format!("{k}: {v:?}"))
                .collect();
            headers.sort();
            format!(
                "{} {}\n{}\n{:?}",
                request.method(),
                request.uri(),
                headers.join("\n"),
                request.body().as_bytes()
            )
        }
        Err(e) => format!("error: {e}"),
    }
}

/// `value` with every structure's members in model order. The order of a parameter map is not
/// meaningful, but the serializers write members in the order given (as botocore's do with a
/// dict), while a typed structure always gives them in model order.
fn model_order(model: &ServiceModel, shape: ShapeId, value: Value) -> Value {
    match (&model.shape(shape).kind, value) {
        (ShapeKind::Structure(s), Value::Map(mut given)) if !s.document => {
            let mut ordered = Map::default();
            for (name, member) in &s.members {
                if let Some(v) = given.shift_remove(name.as_str()) {
                    ordered.insert(name.as_str().into(), model_order(model, member.shape, v));
                }
            }
            ordered.extend(given);
            Value::Map(ordered)
        }
        (ShapeKind::List(member), Value::List(items)) => Value::List(
            items
                .into_iter()
                .map(|v| model_order(model, member.shape, v))
                .collect(),
        ),
        (ShapeKind::Map { value: member, .. }, Value::Map(given)) => Value::Map(
            given
                .into_iter()
                .map(|(k, v)| (k, model_order(model, member.shape, v)))
                .collect(),
        ),
        (_, other) => other,
    }
}

struct RoundTrip<'a> {
    client: &'a ServiceClient,
    inputs: &'a HashMap<String, Vec<serde_json::Value>>,
    operations: usize,
    covered: usize,
    compared: usize,
    built: usize,
    refused: usize,
    failures: Vec<String>,
}

impl OperationVisitor for RoundTrip<'_> {
    fn visit<O: TypedOperation>(&mut self) {
        self.operations += 1;
        let Some(cases) = self.inputs.get(O::NAME) else {
            return;
        };
        self.covered += 1;
        for case in cases {
            let model = self.client.model();
            let mut dynamic = Value::from(case.clone());
            if let Some(input) = &self.client.operation(O::NAME).unwrap().input {
                dynamic = model_order(model, input.shape, dynamic);
            }
            let want = prepared(self.client, O::NAME, dynamic.clone());
            let typed = match O::Input::from_value(dynamic) {
                Ok(t) => t,
                // A few examples give numbers as text: the dynamic call must refuse them too.
                Err(_) if want.starts_with("error:") => {
                    self.refused += 1;
                    continue;
                }
                Err(e) => {
                    self.failures.push(format!(
                        "{} {}: typed input refused {case} that the call accepts: {e}",
                        O::SERVICE,
                        O::NAME
                    ));
                    continue;
                }
            };
            let got = prepared(self.client, O::NAME, typed.into_value());
            self.compared += 1;
            if !want.starts_with("error:") {
                self.built += 1;
            }
            if want != got {
                self.failures.push(format!(
                    "{} {}: typed request differs for {case}\n--- call\n{want}\n--- typed\n{got}",
                    O::SERVICE,
                    O::NAME
                ));
            }
        }
    }
}

#[test]
fn typed_requests_equal_call_requests_on_botocores_inputs() {
    let mut failures = Vec::new();
    let mut report = BTreeMap::new();
    for service in SERVICES {
        let client = client(service);
        let inputs = botocore_inputs(service);
        let mut visitor = RoundTrip {
            client: &client,
            inputs: &inputs,
            operations: 0,
            covered: 0,
            compared: 0,
            built: 0,
            refused: 0,
            failures: Vec::new(),
        };
        match service {
            "s3" => s3::for_each_operation(&mut visitor),
            "dynamodb" => dynamodb::for_each_operation(&mut visitor),
            "sqs" => sqs::for_each_operation(&mut visitor),
            "ec2" => ec2::for_each_operation(&mut visitor),
            _ => iam::for_each_operation(&mut visitor),
        }
        let model_ops = client.model().operations().count();
        assert_eq!(
            visitor.operations, model_ops,
            "{service}: every operation generated"
        );
        report.insert(
            service,
            (
                visitor.operations,
                visitor.covered,
                visitor.compared,
                visitor.built,
                visitor.refused,
            ),
        );
        failures.extend(visitor.failures);
    }
    for (service, (ops, covered, compared, built, refused)) in &report {
        println!(
            "{service:<9} {ops:>4} operations generated, {covered:>3} with botocore inputs, {compared:>4} requests compared ({built} built), {refused} refused by both"
        );
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    let compared: usize = report.values().map(|r| r.2).sum();
    assert!(compared >= 500, "only {compared} inputs compared");
}

#[test]
fn parameter_aliases_are_the_public_names() {
    // botocore's users pass EC2's `Filter` as `Filters`; the typed field follows them.
    let input = ec2::types::DescribeNatGatewaysRequest {
        filters: Some(vec![ec2::types::Filter {
            name: Some("vpc-id".into()),
            values: Some(vec!["vpc-1".into()]),
        }]),
        ..Default::default()
    };
    let value = input.into_value();
    assert!(value.get("Filters").is_some() && value.get("Filter").is_none());
}
