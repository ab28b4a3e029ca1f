//! The client's cache of resolved endpoints must never change a call's result: repeated,
//! alternating and evicted parameters resolve exactly as a fresh client would, and failures
//! are not remembered.

use sansboto_core::client::{ClientConfig, ServiceClient};
use sansboto_core::endpoint::{EndpointConfig, Partitions, RuleSet};
use sansboto_core::machine::SplitMix64;
use sansboto_core::model::ServiceModel;
use sansboto_core::params;
use sansboto_models::{FileKind, Loader, TopLevelFile};

fn s3() -> ServiceClient {
    let loader = Loader::new();
    let model =
        ServiceModel::from_json(&loader.load("s3", None, FileKind::ServiceModel).unwrap()).unwrap();
    let ruleset =
        RuleSet::from_json(&loader.load("s3", None, FileKind::EndpointRuleSet).unwrap()).unwrap();
    let partitions =
        Partitions::from_json(&loader.load_top_level(TopLevelFile::Partitions).unwrap()).unwrap();
    let config = ClientConfig {
        endpoint: EndpointConfig {
            region: Some("us-west-2".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    ServiceClient::new("s3", model, Some(ruleset), partitions, config).unwrap()
}

fn url(client: &ServiceClient, bucket: &str) -> Result<String, String> {
    client
        .prepare(
            "GetObject",
            params! {"Bucket": bucket, "Key": "k"},
            &mut SplitMix64(1),
        )
        .map(|p| p.uri().to_string())
        .map_err(|e| e.to_string())
}

#[test]
fn cached_endpoints_match_fresh_resolution() {
    let client = s3();
    let expect = |b: &str| format!("https://{b}.s3.us-west-2.amazonaws.com/k");
    for bucket in ["alpha", "beta", "alpha", "alpha", "beta"] {
        assert_eq!(url(&client, bucket).unwrap(), expect(bucket));
    }
    // More distinct parameter sets than the cache holds, then the first again (evicted).
    for i in 0..40 {
        let bucket = format!("bucket-{i}");
        assert_eq!(url(&client, &bucket).unwrap(), expect(&bucket));
    }
    assert_eq!(url(&client, "alpha").unwrap(), expect("alpha"));
    // A path-style bucket name (not DNS-compatible) resolves differently from its neighbours.
    assert_eq!(
        url(&client, "Upper_Case").unwrap(),
        "https://s3.us-west-2.amazonaws.com/Upper_Case/k"
    );
}

#[test]
fn failures_are_not_cached() {
    let client = s3();
    let bad = "arn:aws:s3:us-west-2:123456789012:accesspoint";
    let first = url(&client, bad).unwrap_err();
    let second = url(&client, bad).unwrap_err();
    assert_eq!(first, second);
    assert!(url(&client, "fine").is_ok());
}
