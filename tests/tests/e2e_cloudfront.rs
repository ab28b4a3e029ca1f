//! CloudFront, whose operations are keyed `ListDistributions` but carry the wire name
//! `ListDistributions2020_05_31` in the model, against moto: every spelling of the key works
//! for calls, paginators, waiters and the stubber (botocore's `client.list_distributions`),
//! and the wire name is refused with the key as the suggestion, as botocore has no method for
//! it either.

mod e2e_support;

use std::time::Duration;

use e2e_support::{blocking_session, core_session};
use sansboto_core::params;
use sansboto_core::Error;
use sansboto_core::Value;
use sansboto_tests::moto::MotoServer;

fn cloudfront(endpoint: &str) -> sansboto_blocking::Client {
    blocking_session(core_session(&[], None, None))
        .client("cloudfront")
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials("testing", "testing", None)
        .build()
        .unwrap()
}

fn distribution_config(reference: &str) -> Value {
    Value::from(serde_json::json!({
        "DistributionConfig": {
            "CallerReference": reference,
            "Origins": {"Quantity": 1, "Items": [{
                "Id": "origin-1",
                "DomainName": "example-bucket.s3.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}
            }]},
            "DefaultCacheBehavior": {"TargetOriginId": "origin-1", "ViewerProtocolPolicy": "allow-all"},
            "Comment": format!("made by {reference}"),
            "Enabled": true
        }
    }))
}

fn quantity(list: &Value) -> Option<i64> {
    list["DistributionList"]["Quantity"].as_i64()
}

#[test]
fn cloudfront_by_operation_keys_against_moto() {
    let moto = MotoServer::start();
    let cf = cloudfront(&moto.endpoint());
    for spelling in [
        "ListDistributions",
        "list_distributions",
        "list-distributions",
    ] {
        let list = cf.call(spelling, params! {}).unwrap();
        assert_eq!(quantity(&list), Some(0), "{spelling}");
    }

    let created = cf
        .call("create_distribution", distribution_config("names-1"))
        .unwrap();
    let id = created["Distribution"]["Id"].as_str().unwrap().to_string();
    assert!(
        created["Location"]
            .as_str()
            .is_some_and(|l| l.ends_with(&format!("/distribution/{id}"))),
        "{:?}",
        created["Location"]
    );
    assert!(created["ETag"].as_str().is_some_and(|e| !e.is_empty()));

    let got = cf
        .call("GetDistribution", params! {"Id": id.as_str()})
        .unwrap();
    assert_eq!(
        got["Distribution"]["DistributionConfig"]["Comment"].as_str(),
        Some("made by names-1")
    );
    assert_eq!(
        quantity(&cf.call("list-distributions", params! {}).unwrap()),
        Some(1)
    );

    // The paginator and the waiter name the operation by its key.
    let all = cf
        .paginate("list_distributions", params! {}, Default::default())
        .unwrap()
        .full_result()
        .unwrap();
    let items = all["DistributionList"]["Items"].as_list().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["Id"].as_str(), Some(id.as_str()));
    cf.wait(
        "distribution_deployed",
        params! {"Id": id.as_str()},
        Some(Duration::ZERO),
        Some(2),
    )
    .unwrap();

    // The wire name is not a method name; the suggestion is one that is accepted.
    match cf.call("ListDistributions2020_05_31", params! {}) {
        Err(Error::UnknownOperation {
            suggestion: Some(s),
            ..
        }) => {
            assert_eq!(s, "ListDistributions");
            assert_eq!(quantity(&cf.call(&s, params! {}).unwrap()), Some(1));
        }
        other => panic!("expected UnknownOperation with a suggestion, got {other:?}"),
    }
    match cf.call("list-distributoins", params! {}) {
        Err(Error::UnknownOperation { suggestion, .. }) => {
            assert_eq!(suggestion.as_deref(), Some("ListDistributions"))
        }
        other => panic!("expected UnknownOperation, got {other:?}"),
    }
}

#[test]
fn cloudfront_stubber_takes_the_key_in_any_spelling() {
    // Nothing listens here: the stubbed calls must not be sent.
    let cf = cloudfront("http://127.0.0.1:9");
    let stubber = cf.stubber();
    let list = params! {"DistributionList": params! {
        "Marker": "", "MaxItems": 100, "IsTruncated": false, "Quantity": 0
    }};
    stubber
        .add_response("list-distributions", Some(params! {}), list.clone())
        .unwrap();
    stubber
        .add_response(
            "GetDistribution",
            Some(params! {"Id": "E1"}),
            params! {"ETag": "x"},
        )
        .unwrap();
    let stubbed = cf.with_stubber(&stubber);
    assert_eq!(
        quantity(&stubbed.call("list_distributions", params! {}).unwrap()),
        Some(0)
    );
    let got = stubbed
        .call("get-distribution", params! {"Id": "E1"})
        .unwrap();
    assert_eq!(got["ETag"].as_str(), Some("x"));
    stubber.assert_no_pending_responses();
    let requests = stubber.requests();
    let names: Vec<&str> = requests.iter().map(|r| r.operation.as_str()).collect();
    assert_eq!(names, ["ListDistributions", "GetDistribution"]);
    assert_eq!(requests[0].request.uri().path(), "/2020-05-31/distribution");
    assert_eq!(
        requests[1].request.uri().path(),
        "/2020-05-31/distribution/E1"
    );

    match stubber.add_response("ListDistributions2020_05_31", None, list) {
        Err(Error::UnknownOperation { suggestion, .. }) => {
            assert_eq!(suggestion.as_deref(), Some("ListDistributions"))
        }
        other => panic!("expected UnknownOperation, got {other:?}"),
    }
}
