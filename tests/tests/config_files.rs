//! Conformance of the shared config parser and endpoint-URL resolution with botocore:
//! the `tests/unit/cfg/` fixtures (expectations from botocore's `test_configloader.py`, plus the
//! parse outcome of the fixtures other suites use) and every case of
//! `tests/functional/configured_endpoint_urls/profile-tests.json`.

use std::collections::HashMap;
use std::path::PathBuf;

use indexmap::IndexMap;
use sansboto_core::config::{
    configured_endpoint_url, ConfigError, ConfigFile, ConfigSources, ConfigValue, Section,
    SharedConfig,
};
use serde_json::Value;

fn cfg_dir() -> PathBuf {
    sansboto_tests::botocore_dir().join("tests/unit/cfg")
}

fn parse_fixture(name: &str) -> Result<ConfigFile, ConfigError> {
    let path = cfg_dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ConfigFile::parse_bytes(&bytes)
}

fn fixture(name: &str) -> ConfigFile {
    parse_fixture(name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn text<'a>(section: &'a Section, key: &str) -> Option<&'a str> {
    section.get(key).and_then(ConfigValue::as_text)
}

/// botocore's `multi_file_load_config`: the first file defining a profile wins it whole.
fn first_file_wins(files: &[ConfigFile]) -> IndexMap<String, Section> {
    let mut merged = IndexMap::new();
    for file in files {
        for (name, section) in file.profiles() {
            merged
                .entry(name.into_owned())
                .or_insert_with(|| section.clone());
        }
    }
    merged
}

#[test]
fn cfg_fixtures_match_botocore_configloader() {
    let mut passed = 0;
    let mut check = |name: &str, ok: bool| {
        assert!(ok, "fixture check failed: {name}");
        passed += 1;
    };

    // test_config_parse_error: options before any section.
    check(
        "aws_config_bad",
        matches!(
            parse_fixture("aws_config_bad"),
            Err(ConfigError::MissingSectionHeader { line: 1 })
        ),
    );
    // test_config_parse_error_bad_unicode.
    check(
        "aws_config_badbytes",
        matches!(
            parse_fixture("aws_config_badbytes"),
            Err(ConfigError::InvalidUtf8 { .. })
        ),
    );
    // test_config + test_profile_map_conversion.
    let config = fixture("aws_config");
    check(
        "aws_config sections",
        config.sections().contains_key("default")
            && config.sections().contains_key("profile \"personal\""),
    );
    let mut names: Vec<String> = config.profiles().keys().map(|k| k.to_string()).collect();
    names.sort();
    check("aws_config profiles", names == ["default", "personal"]);
    // test_bad_profiles_are_ignored.
    let bad = fixture("aws_bad_profile");
    let profiles = bad.profiles();
    check(
        "aws_bad_profile",
        profiles.len() == 3
            && ["my profile", "personal1", "default"]
                .iter()
                .all(|p| profiles.contains_key(*p)),
    );
    // test_nested_hierarchy_parsing.
    let nested = fixture("aws_config_nested");
    let default = nested.profiles()["default"];
    let sub = |block: &str, key: &str| {
        default
            .get(block)
            .and_then(ConfigValue::as_nested)
            .and_then(|m| m.get(key))
            .map(String::as_str)
    };
    check(
        "aws_config_nested",
        text(default, "aws_access_key_id") == Some("foo")
            && text(default, "region") == Some("us-west-2")
            && sub("s3", "signature_version") == Some("s3v4")
            && sub("cloudwatch", "signature_version") == Some("v4"),
    );
    // test_nested_hierarchy_with_no_subsection_parsing.
    let raw_text = std::fs::read_to_string(cfg_dir().join("aws_config_nested")).unwrap();
    let raw = ConfigFile::parse_without_subsections(&raw_text).unwrap();
    let raw_default = &raw.sections()["default"];
    check(
        "aws_config_nested raw",
        text(raw_default, "aws_access_key_id") == Some("foo")
            && text(raw_default, "region") == Some("us-west-2")
            && text(raw_default, "cloudwatch") == Some("\nsignature_version = v4")
            && text(raw_default, "s3")
                == Some("\nsignature_version = s3v4\naddressing_style = path"),
    );
    // test_nested_bad_config.
    check(
        "aws_config_nested_bad",
        matches!(
            parse_fixture("aws_config_nested_bad"),
            Err(ConfigError::InvalidNestedValue { .. })
        ),
    );
    // test_multi_file_load (the fourth, missing file is the caller's concern: nothing to read).
    let merged = first_file_wins(&[
        fixture("aws_config_other"),
        fixture("aws_config"),
        fixture("aws_third_config"),
    ]);
    let p = |profile: &str, key: &str| text(&merged[profile], key).map(str::to_string);
    check(
        "multi-file",
        p("default", "aws_access_key_id").as_deref() == Some("other_foo")
            && p("default", "aws_secret_access_key").as_deref() == Some("other_bar")
            && p("personal", "aws_access_key_id").as_deref() == Some("fie")
            && p("personal", "aws_secret_access_key").as_deref() == Some("baz")
            && p("personal", "aws_security_token").as_deref() == Some("fiebaz")
            && p("third", "aws_access_key_id").as_deref() == Some("third_fie")
            && p("third", "aws_secret_access_key").as_deref() == Some("third_baz")
            && p("third", "aws_security_token").as_deref() == Some("third_fiebaz"),
    );
    // test_sso_session_config.
    let sso = fixture("aws_sso_session_config");
    let sessions = sso.sso_sessions();
    check(
        "aws_sso_session_config",
        sso.profiles().contains_key("default")
            && text(sessions["sso"], "sso_region") == Some("us-east-1")
            && text(sessions["sso"], "sso_start_url") == Some("https://example.com"),
    );
    // test_services_config.
    let services_file = fixture("aws_services_config");
    let services = services_file.services();
    let endpoint = |svc: &str| {
        services["my-services"]
            .get(svc)
            .and_then(ConfigValue::as_nested)
            .and_then(|m| m.get("endpoint_url"))
            .map(String::as_str)
    };
    check(
        "aws_services_config",
        services_file.profiles().contains_key("default")
            && endpoint("s3") == Some("https://localhost:5678/")
            && endpoint("dynamodb") == Some("https://localhost:8888/"),
    );
    // Fixtures other botocore suites read: their parse outcome as configparser gives it.
    check(
        "aws_credentials",
        matches!(
            parse_fixture("aws_credentials"),
            Err(ConfigError::MissingSectionHeader { line: 1 })
        ),
    );
    let boto = fixture("boto_config");
    check(
        "boto_config",
        text(&boto.sections()["Credentials"], "aws_access_key_id") == Some("foo")
            && boto.profiles().is_empty()
            && boto.other_sections().contains_key("Credentials"),
    );
    check(
        "boto_config_empty",
        fixture("boto_config_empty").sections()["Credentials"].is_empty(),
    );
    let nocreds = fixture("aws_config_nocreds");
    check(
        "aws_config_nocreds",
        text(nocreds.profiles()["default"], "region") == Some("us-west-2"),
    );
    let foo = fixture("foo_config");
    check(
        "foo_config",
        text(foo.profiles()["default"], "foo_region") == Some("us-west-1")
            && text(foo.profiles()["foo"], "aws_access_key_id") == Some("fie"),
    );

    // Every file in the directory is covered above.
    let listed = std::fs::read_dir(cfg_dir()).unwrap().count();
    println!("cfg fixtures: {listed} files, {passed} checks passed, 0 failed, 0 skipped");
    assert_eq!(
        listed, 15,
        "new fixture in tests/unit/cfg: add its expectation here"
    );
}

/// The test harness's `dict_to_ini_section`: nested dicts become `key =` + indented lines.
fn ini_section(header: &str, values: &serde_json::Map<String, Value>) -> String {
    let mut out = format!("[{header}]\n");
    for (key, value) in values {
        match value {
            Value::Object(nested) => {
                out.push_str(&format!("{key} =\n"));
                for (k, v) in nested {
                    out.push_str(&format!("  {k}={}\n", scalar(v)));
                }
            }
            other => out.push_str(&format!("{key}={}\n", scalar(other))),
        }
    }
    out.push('\n');
    out
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn configured_endpoint_urls_profile_tests() {
    let path = sansboto_tests::botocore_dir()
        .join("tests/functional/configured_endpoint_urls/profile-tests.json");
    let data: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // The client names the suite uses and their model `serviceId`s.
    let service_ids: HashMap<&str, &str> = [("s3", "S3"), ("dynamodb", "DynamoDB")].into();
    let (mut passed, mut failed) = (0, 0);
    for suite in data["testSuites"].as_array().unwrap() {
        for case in suite["endpointUrlTests"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let profile_name = case["profile"].as_str().unwrap();
            let profile = suite["profiles"][profile_name].as_object().unwrap();
            let mut text = ini_section(&format!("profile {profile_name}"), profile);
            if let Some(services_name) = profile.get("services").and_then(Value::as_str) {
                let services = suite["services"][services_name].as_object().unwrap();
                text.push_str(&ini_section(&format!("services {services_name}"), services));
            }
            let file = ConfigFile::parse(&text).unwrap();
            let shared = SharedConfig::new(Some(&file), None);
            let env: HashMap<String, String> = suite["environments"]
                [case["environment"].as_str().unwrap()]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
            let explicit = [("profile", profile_name)];
            let sources = ConfigSources {
                explicit: &explicit,
                env: &env,
                shared: Some(&shared),
            };
            let client = &suite["client_configs"][case["client_config"].as_str().unwrap()];
            let service = case["service"].as_str().unwrap();
            let expected = case["output"]["endpointUrl"].as_str().unwrap();
            let got = configured_endpoint_url(
                &sources,
                service_ids[service],
                client["endpoint_url"].as_str(),
                client["ignore_configured_endpoint_urls"].as_bool(),
            );
            let ok = match got {
                Ok(Some(url)) => url == expected,
                // Nothing configured: the endpoint ruleset decides, and the case must expect the
                // ruleset's default endpoint for the profile's region rather than any configured
                // value. (The ruleset itself is covered by the endpoint conformance tests.)
                Ok(None) => {
                    let region = profile["region"].as_str().unwrap();
                    expected == format!("https://{service}.{region}.amazonaws.com")
                }
                Err(e) => {
                    println!("error: {e}");
                    false
                }
            };
            if ok {
                passed += 1;
            } else {
                failed += 1;
                println!("FAIL {name}");
            }
        }
    }
    println!("profile-tests.json: {passed} passed, {failed} failed, 0 skipped");
    assert_eq!(failed, 0);
    assert!(passed >= 39);
}

/// The built-in defaults-mode table agrees with botocore's `sdk-default-configuration.json`.
#[test]
fn defaults_modes_match_sdk_default_configuration() {
    use sansboto_core::config::DefaultsMode;
    let path = sansboto_tests::botocore_dir().join("botocore/data/sdk-default-configuration.json");
    let data: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let base = &data["base"];
    let mut checked = 0;
    for (name, overrides) in data["modes"].as_object().unwrap() {
        let mode = DefaultsMode::parse(name).unwrap_or_else(|| panic!("unknown mode {name}"));
        let defaults = mode.defaults().unwrap();
        let value = |key: &str| {
            overrides
                .get(key)
                .and_then(|o| o.get("override"))
                .unwrap_or(&base[key])
                .clone()
        };
        assert_eq!(value("retryMode"), defaults.retry_mode, "{name}");
        assert_eq!(
            value("stsRegionalEndpoints"),
            defaults.sts_regional_endpoints,
            "{name}"
        );
        assert_eq!(
            value("s3UsEast1RegionalEndpoints"),
            defaults.s3_us_east_1_regional_endpoint,
            "{name}"
        );
        assert_eq!(
            value("connectTimeoutInMillis").as_u64(),
            Some(defaults.connect_timeout.as_millis() as u64),
            "{name}"
        );
        checked += 1;
    }
    println!("defaults modes: {checked} checked");
    assert_eq!(checked, 4);
}

/// Legacy rules built from the real `_retry.json`.
#[test]
fn legacy_retry_rules_from_botocore_retry_json() {
    use sansboto_core::retry::{
        LegacyRetryConfig, NoRetryReason, RetryDecision, RetryInput, RetryPolicy,
    };
    let path = sansboto_tests::botocore_dir().join("botocore/data/_retry.json");
    let json = std::fs::read_to_string(path).unwrap();
    let attempts = |prefix: &str, max: Option<u32>, input: &RetryInput<'_>| {
        let mut policy =
            RetryPolicy::legacy(LegacyRetryConfig::from_retry_json(&json, prefix, max).unwrap());
        let mut call = policy.begin_call("Op");
        let mut random = || 0.5;
        loop {
            if let RetryDecision::DoNotRetry(reason) =
                policy.on_attempt(&mut call, input, 0.0, &mut random)
            {
                return (call.attempt(), reason);
            }
        }
    };
    let status = |s: u16, code: Option<&'static str>| RetryInput {
        http_status: Some(s),
        error_code: code,
        ..RetryInput::default()
    };
    let max = NoRetryReason::MaxAttemptsReached;
    assert_eq!(attempts("s3", None, &status(503, None)), (5, max));
    assert_eq!(
        attempts("s3", None, &status(400, Some("RequestTimeout"))),
        (5, max)
    );
    assert_eq!(
        attempts("ec2", None, &status(503, Some("RequestLimitExceeded"))).0,
        5
    );
    assert_eq!(attempts("s3", None, &status(429, None)).0, 5);
    assert_eq!(attempts("s3", Some(3), &status(500, None)).0, 3);
    assert_eq!(attempts("dynamodb", None, &status(500, None)).0, 10);
    assert_eq!(
        attempts(
            "dynamodb",
            None,
            &status(400, Some("TransactionInProgressException"))
        )
        .0,
        10
    );
    assert_eq!(
        attempts(
            "s3",
            None,
            &status(400, Some("TransactionInProgressException"))
        )
        .0,
        1
    );
    let connection = RetryInput {
        is_connection_error: true,
        ..RetryInput::default()
    };
    assert_eq!(attempts("sqs", None, &connection).0, 5);
    let ddb = LegacyRetryConfig::from_retry_json(&json, "dynamodb", None).unwrap();
    assert_eq!(
        ddb.delay(2, &mut || 0.0),
        std::time::Duration::from_millis(100)
    );
    println!("legacy _retry.json: 10 checks passed");
}
