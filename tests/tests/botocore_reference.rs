//! The botocore reference itself (`sansboto_tests::botocore`): it runs the pinned release and
//! captures the request botocore would send, so differential tests compare with the real thing.

use sansboto_tests::botocore;

#[test]
fn the_reference_is_the_pinned_release_and_captures_requests() {
    let version = botocore::run("emit(botocore.__version__)", &[]);
    assert_eq!(version, sansboto_tests::botocore_version());

    let sent = botocore::request(
        "sqs",
        "ListQueues",
        r#"{"MaxResults": 5}"#,
        "region_name='eu-west-1'",
        &[],
    );
    assert_eq!(sent["method"], "POST");
    assert_eq!(sent["url"], "https://sqs.eu-west-1.amazonaws.com/");
    let auth = sent["headers"]["authorization"]
        .as_str()
        .unwrap_or_default();
    assert!(
        auth.contains("Credential=AKID/") && auth.contains("/eu-west-1/sqs/aws4_request"),
        "{auth}"
    );
    assert!(sent["body"]
        .as_str()
        .unwrap_or_default()
        .contains("\"MaxResults\": 5"));
}
