//! Endpoint rules engine conformance: botocore's rules-engine unit cases
//! (`tests/unit/data/endpoints`) and every service's `endpoint-tests-1.json`, evaluated with
//! the service's latest `endpoint-rule-set-1.json` and `partitions.json`.
//!
//! Cases with `operationInputs` are evaluated through their top-level `params` (the complete
//! ruleset input); the operation-input variants need the model's parameter binding and are
//! counted and reported as deferred.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use sansboto_core::endpoint::{Endpoint, EndpointError, EndpointParams, Partitions, RuleSet};
use serde_json::Value;

/// Reads `<path>` or, failing that, `<path>.gz`.
fn read_maybe_gz(path: &Path) -> Vec<u8> {
    if let Ok(bytes) = fs::read(path) {
        return bytes;
    }
    let gz = PathBuf::from(format!("{}.gz", path.display()));
    let compressed =
        fs::read(&gz).unwrap_or_else(|e| panic!("cannot read {} (or .gz): {e}", path.display()));
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(compressed.as_slice())
        .read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("cannot gunzip {}: {e}", gz.display()));
    out
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&read_maybe_gz(path))
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn data_dir() -> PathBuf {
    sansboto_tests::botocore_dir().join("botocore/data")
}

fn partitions() -> Partitions {
    Partitions::from_json(&read_maybe_gz(&data_dir().join("partitions.json")))
        .expect("partitions.json prepares")
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    entries
}

fn params_of(case: &Value) -> Result<EndpointParams, String> {
    let mut params = EndpointParams::new();
    let Some(given) = case.get("params") else {
        return Ok(params);
    };
    let given = given.as_object().ok_or("params is not an object")?;
    for (name, value) in given {
        match value {
            Value::Null => {}
            Value::String(s) => {
                params.insert(name.clone(), s.as_str());
            }
            Value::Bool(b) => {
                params.insert(name.clone(), *b);
            }
            Value::Array(items) => {
                let items = items
                    .iter()
                    .map(|item| item.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| format!("param {name} holds a non-string list"))?;
                params.insert(name.clone(), items);
            }
            other => return Err(format!("param {name} has unsupported value {other}")),
        }
    }
    Ok(params)
}

/// Checks one case; `Err` describes the mismatch.
fn check_case(ruleset: &RuleSet, partitions: &Partitions, case: &Value) -> Result<(), String> {
    let params = params_of(case)?;
    let result = ruleset.resolve(partitions, &params);
    let expect = case.get("expect").ok_or("case has no expect")?;
    if let Some(expected_error) = expect.get("error") {
        let expected_error = expected_error
            .as_str()
            .ok_or("expect.error is not a string")?;
        return match result {
            Err(error) if error.to_string() == expected_error => Ok(()),
            Err(error) => Err(format!(
                "expected error {expected_error:?}, got error {error:?}"
            )),
            Ok(endpoint) => Err(format!(
                "expected error {expected_error:?}, got endpoint {}",
                endpoint.url
            )),
        };
    }
    let expected = expect
        .get("endpoint")
        .ok_or("expect has neither endpoint nor error")?;
    let endpoint =
        result.map_err(|e: EndpointError| format!("expected an endpoint, got error {e:?}"))?;
    compare_endpoint(&endpoint, expected)
}

fn compare_endpoint(endpoint: &Endpoint, expected: &Value) -> Result<(), String> {
    let expected_url = expected
        .get("url")
        .and_then(Value::as_str)
        .ok_or("expect.endpoint.url")?;
    if endpoint.url != expected_url {
        return Err(format!(
            "url: expected {expected_url:?}, got {:?}",
            endpoint.url
        ));
    }
    let got_headers: BTreeMap<&str, Vec<&str>> = endpoint
        .headers
        .iter()
        .map(|(name, values)| (name.as_str(), values.iter().map(String::as_str).collect()))
        .collect();
    let mut expected_headers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    if let Some(headers) = expected.get("headers").and_then(Value::as_object) {
        for (name, values) in headers {
            let values = values
                .as_array()
                .ok_or("expected header values are not a list")?
                .iter()
                .map(|v| v.as_str().ok_or("expected header value is not a string"))
                .collect::<Result<Vec<_>, _>>()?;
            expected_headers.insert(name, values);
        }
    }
    if got_headers != expected_headers {
        return Err(format!(
            "headers: expected {expected_headers:?}, got {got_headers:?}"
        ));
    }
    let empty = Value::Object(serde_json::Map::new());
    let expected_properties = expected.get("properties").unwrap_or(&empty);
    let got_properties = Value::Object(endpoint.properties.clone());
    if &got_properties != expected_properties {
        return Err(format!(
            "properties: expected {expected_properties}, got {got_properties}"
        ));
    }
    // Every endpoint's authSchemes must also read through the typed view.
    endpoint
        .auth_schemes()
        .map_err(|e| format!("authSchemes view: {e}"))?;
    Ok(())
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    deferred_operation_inputs: usize,
    failures: Vec<String>,
}

impl Tally {
    fn record(&mut self, label: &str, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => self.passed += 1,
            Err(message) => {
                self.failed += 1;
                if self.failures.len() < 40 {
                    self.failures.push(format!("{label}: {message}"));
                }
            }
        }
    }

    fn finish(&self, what: &str) {
        println!(
            "{what}: {} passed, {} failed, 0 skipped; {} operationInputs variants deferred \
             (need model parameter binding)",
            self.passed, self.failed, self.deferred_operation_inputs
        );
        assert!(
            self.failed == 0,
            "{what}: {} failing cases:\n{}",
            self.failed,
            self.failures.join("\n")
        );
    }
}

#[test]
fn rules_engine_unit_cases() {
    let base = sansboto_tests::botocore_dir().join("tests/unit/data/endpoints");
    let partitions = partitions();
    let mut tally = Tally::default();
    let mut rulesets = 0;
    for path in sorted_entries(&base.join("valid-rules")) {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let ruleset = match RuleSet::from_json(&read_maybe_gz(&path)) {
            Ok(ruleset) => ruleset,
            Err(e) => {
                tally.record(&name, Err(format!("valid ruleset rejected: {e}")));
                continue;
            }
        };
        rulesets += 1;
        let cases_path = base.join("test-cases").join(format!("{name}.json"));
        if !cases_path.exists() {
            continue;
        }
        let cases = read_json(&cases_path);
        let cases = cases["testCases"].as_array().cloned().unwrap_or_default();
        for (index, case) in cases.iter().enumerate() {
            let label = format!(
                "{name}[{index}] {}",
                case.get("documentation")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            );
            tally.record(&label, check_case(&ruleset, &partitions, case));
        }
    }
    let invalid_dir = base.join("invalid-rules");
    let mut invalid = 0;
    if invalid_dir.is_dir() {
        for path in sorted_entries(&invalid_dir) {
            invalid += 1;
            let outcome = match RuleSet::from_json(&read_maybe_gz(&path)) {
                Err(_) => Ok(()),
                Ok(_) => Err("invalid ruleset was accepted".to_owned()),
            };
            tally.record(&path.display().to_string(), outcome);
        }
    }
    println!("{rulesets} valid rulesets prepared, {invalid} invalid rulesets checked");
    assert!(
        rulesets >= 18 && tally.passed >= 90,
        "the unit data looks incomplete"
    );
    tally.finish("rules-engine unit cases");
}

/// The newest API version directory of a service that has a ruleset.
fn latest_ruleset(service_dir: &Path) -> Option<PathBuf> {
    sorted_entries(service_dir)
        .into_iter()
        .rev()
        .find(|dir| {
            let file = dir.join("endpoint-rule-set-1.json");
            file.exists() || dir.join("endpoint-rule-set-1.json.gz").exists()
        })
        .map(|dir| dir.join("endpoint-rule-set-1.json"))
}

#[test]
fn service_endpoint_tests() {
    let botocore = sansboto_tests::botocore_dir();
    let data = data_dir();
    let partitions = partitions();
    let mut total = Tally::default();
    let mut services = 0;
    for test_dir in sorted_entries(&botocore.join("tests/functional/endpoint-rules")) {
        let service = test_dir
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let tests_file = test_dir.join("endpoint-tests-1.json");
        if !tests_file.exists() {
            continue;
        }
        services += 1;
        let cases = read_json(&tests_file);
        let cases = cases["testCases"].as_array().cloned().unwrap_or_default();
        let ruleset = latest_ruleset(&data.join(&service))
            .ok_or_else(|| format!("no endpoint-rule-set-1.json under data/{service}"))
            .and_then(|path| RuleSet::from_json(&read_maybe_gz(&path)).map_err(|e| e.to_string()));
        let mut tally = Tally::default();
        for (index, case) in cases.iter().enumerate() {
            let label = format!(
                "{service}[{index}] {}",
                case.get("documentation")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            );
            let outcome = match &ruleset {
                Ok(ruleset) => check_case(ruleset, &partitions, case),
                Err(e) => Err(format!("ruleset rejected: {e}")),
            };
            tally.record(&label, outcome);
            tally.deferred_operation_inputs += case
                .get("operationInputs")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
        }
        println!(
            "{service}: {} passed, {} failed, {} operationInputs deferred",
            tally.passed, tally.failed, tally.deferred_operation_inputs
        );
        total.passed += tally.passed;
        total.failed += tally.failed;
        total.deferred_operation_inputs += tally.deferred_operation_inputs;
        for failure in tally.failures {
            if total.failures.len() < 40 {
                total.failures.push(failure);
            }
        }
    }
    println!("{services} services");
    assert!(
        services >= 400 && total.passed + total.failed >= 14_000,
        "the endpoint test data looks incomplete"
    );
    total.finish("service endpoint tests");
}

/// `aws.partition` against botocore's real `partitions.json`.
#[test]
fn real_partitions_pick_regions() {
    let partitions = partitions();
    let cases = [
        (Some("us-east-1"), "aws"),
        (Some("aws-global"), "aws"),
        (Some("eu-west-9"), "aws"),
        (Some("us-gov-west-1"), "aws-us-gov"),
        (Some("us-gov-east-2"), "aws-us-gov"),
        (Some("cn-north-1"), "aws-cn"),
        (Some("cn-east-9"), "aws-cn"),
        (Some("us-iso-east-1"), "aws-iso"),
        (Some("us-isob-east-1"), "aws-iso-b"),
        (Some("eu-isoe-west-1"), "aws-iso-e"),
        (Some("us-isof-south-1"), "aws-iso-f"),
        (Some("eusc-de-east-1"), "aws-eusc"),
        (Some("invalid-region-42"), "aws"),
        (Some(""), "aws"),
        (None, "aws"),
    ];
    for (region, expected) in cases {
        let outputs = partitions.resolve(region).unwrap();
        assert_eq!(outputs.name(), expected, "region {region:?}");
    }
    let cn = partitions.resolve(Some("cn-north-1")).unwrap();
    assert_eq!(
        cn.get("dnsSuffix"),
        Some(&Value::String("amazonaws.com.cn".into()))
    );
    assert_eq!(cn.get("supportsFIPS"), Some(&Value::Bool(true)));
}
