//! The Stubber (issue 6) from the three client APIs: queued results and errors answer calls,
//! paginators and waiters without a network (the endpoint is a closed port: anything sent would
//! fail), requests are built, signed and recorded, and every surprise fails loudly.

use std::time::Duration;

use sansboto_core::params;
use sansboto_core::Error;
use sansboto_core::Value;
use sansboto_core::{StubError, Stubber};

/// Nothing listens here.
fn closed_endpoint() -> String {
    let port = sansboto_tests::moto::free_port();
    format!("http://127.0.0.1:{port}")
}

fn json(v: serde_json::Value) -> Value {
    Value::from(v)
}

/// Queue: a ListObjectsV2 in two pages, a GetObject error, a HeadBucket 404 then success.
fn queue(stubber: &Stubber) {
    stubber
        .add_response(
            "ListObjectsV2",
            Some(params! {"Bucket": "b"}),
            json(serde_json::json!({
                "Contents": [{"Key": "a"}, {"Key": "b"}],
                "IsTruncated": true,
                "NextContinuationToken": "t1",
                "KeyCount": 2,
            })),
        )
        .unwrap();
    stubber
        .add_response(
            "list_objects_v2",
            Some(params! {"Bucket": "b", "ContinuationToken": "t1"}),
            json(serde_json::json!({"Contents": [{"Key": "c"}], "IsTruncated": false, "KeyCount": 1})),
        )
        .unwrap();
    stubber
        .add_client_error(
            "GetObject",
            "NoSuchKey",
            "The specified key does not exist.",
            404,
            Some(params! {"Bucket": "b", "Key": "missing"}),
        )
        .unwrap();
    stubber
        .add_client_error("HeadBucket", "404", "Not Found", 404, None)
        .unwrap();
    // As with botocore's stubber, a result is returned as given: a status waiter needs the
    // status in ResponseMetadata.
    stubber
        .add_response(
            "HeadBucket",
            None,
            params! {"ResponseMetadata": params! {"HTTPStatusCode": 200}},
        )
        .unwrap();
}

fn check_pages(pages: &[Value]) {
    let keys: Vec<&str> = pages
        .iter()
        .flat_map(|p| p["Contents"].as_list().into_iter().flatten())
        .filter_map(|o| o["Key"].as_str())
        .collect();
    assert_eq!(keys, ["a", "b", "c"]);
}

fn check_missing(err: &Error) {
    assert_eq!(err.code(), Some("NoSuchKey"), "{err}");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.message(), Some("The specified key does not exist."));
    let service = err.service_error().unwrap();
    assert!(service.shape.is_some(), "NoSuchKey is a modeled error");
}

/// After the scripted calls: the recorded requests and the loud failures.
fn check_after(stubber: &Stubber, signed: bool) {
    stubber.assert_no_pending_responses();
    let requests = stubber.requests();
    let ops: Vec<&str> = requests.iter().map(|r| r.operation.as_str()).collect();
    assert_eq!(
        ops,
        [
            "ListObjectsV2",
            "ListObjectsV2",
            "GetObject",
            "HeadBucket",
            "HeadBucket"
        ]
    );
    let first = &requests[0].request;
    assert_eq!(first.method(), "GET");
    assert!(
        first
            .uri()
            .query()
            .is_some_and(|q| q.contains("list-type=2")),
        "{}",
        first.uri()
    );
    assert!(
        requests[1]
            .request
            .uri()
            .query()
            .is_some_and(|q| q.contains("continuation-token=t1")),
        "{}",
        requests[1].request.uri()
    );
    assert_eq!(
        first.headers().contains_key("authorization"),
        signed,
        "{:?}",
        first.headers()
    );
}

fn check_unexpected(err: Error) {
    match err {
        Error::Stub(StubError::Unexpected { operation, params }) => {
            assert_eq!(operation, "ListBuckets");
            assert_eq!(params, "{}");
        }
        other => panic!("expected an unexpected-call error, got {other:?}"),
    }
}

fn check_params_mismatch(err: Error) {
    let text = err.to_string();
    assert!(
        matches!(err, Error::Stub(StubError::ParamsMismatch { .. })),
        "{err:?}"
    );
    assert!(
        text.contains(r#"expected {"Bucket":"b","Key":"k"}"#)
            && text.contains(r#"called with {"Bucket":"b","Key":"other"}"#),
        "{text}"
    );
}

macro_rules! async_stubbed {
    ($rt:ident) => {{
        use futures_lite::StreamExt;
        use $rt::{page_stream, Session};
        let s3 = Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url(closed_endpoint())
            .credentials("AKID", "SECRET", None)
            .build()
            .await
            .unwrap();
        let stubber = s3.stubber();
        queue(&stubber);
        let s3 = s3.with_stubber(&stubber);
        let pages = s3
            .paginate("ListObjectsV2", params! {"Bucket": "b"}, Default::default())
            .unwrap();
        let pages: Vec<Value> = page_stream(pages).map(|p| p.unwrap()).collect().await;
        check_pages(&pages);
        check_missing(
            &s3.call("GetObject", params! {"Bucket": "b", "Key": "missing"})
                .await
                .unwrap_err(),
        );
        s3.wait(
            "bucket_exists",
            params! {"Bucket": "b"},
            Some(Duration::ZERO),
            Some(3),
        )
        .await
        .unwrap();
        check_after(&stubber, true);
        check_unexpected(s3.call("ListBuckets", params! {}).await.unwrap_err());

        // A parameter mismatch, then an invalid call: neither consumes the queued answer.
        stubber
            .add_response(
                "GetObject",
                Some(params! {"Bucket": "b", "Key": "k"}),
                params! {},
            )
            .unwrap();
        check_params_mismatch(
            s3.call("GetObject", params! {"Bucket": "b", "Key": "other"})
                .await
                .unwrap_err(),
        );
        let err = s3
            .call("GetObject", params! {"Bucket": "b"})
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Stub(StubError::ParamsMismatch { .. })),
            "{err}"
        );
        assert_eq!(stubber.pending(), 1);
        let err = s3.call("ListBuckets", params! {}).await.unwrap_err();
        assert!(
            matches!(err, Error::Stub(StubError::OperationMismatch { .. })),
            "{err}"
        );
        s3.call("GetObject", params! {"Bucket": "b", "Key": "k"})
            .await
            .unwrap();
        stubber.assert_no_pending_responses();
    }};
}

#[test]
fn stubber_on_tokio() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { async_stubbed!(sansboto_tokio) });
}

#[test]
fn stubber_on_async_std() {
    async_std::task::block_on(async { async_stubbed!(sansboto_async_std) });
}

#[test]
fn stubber_on_blocking() {
    use sansboto_blocking::{page_iter, Session};
    let s3 = Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(closed_endpoint())
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap();
    let stubber = s3.stubber();
    queue(&stubber);
    let s3 = s3.with_stubber(&stubber);
    let pages: Vec<Value> = page_iter(
        s3.paginate("ListObjectsV2", params! {"Bucket": "b"}, Default::default())
            .unwrap(),
    )
    .map(|p| p.unwrap())
    .collect();
    check_pages(&pages);
    check_missing(
        &s3.call("GetObject", params! {"Bucket": "b", "Key": "missing"})
            .unwrap_err(),
    );
    s3.wait(
        "bucket_exists",
        params! {"Bucket": "b"},
        Some(Duration::ZERO),
        Some(3),
    )
    .unwrap();
    check_after(&stubber, true);
    check_unexpected(s3.call("ListBuckets", params! {}).unwrap_err());
    // The unstubbed client still goes to the network (and finds nothing listening).
    let real = Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(closed_endpoint())
        .credentials("AKID", "SECRET", None)
        .retries(sansboto_core::RetryMode::Standard, Some(1))
        .build()
        .unwrap();
    assert!(matches!(
        real.call("ListBuckets", params! {}).unwrap_err(),
        Error::Transport(_)
    ));
}

#[test]
fn stubbed_client_without_credentials_records_unsigned_requests() {
    let s3 = sansboto_blocking::Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(closed_endpoint())
        .build()
        .unwrap();
    let stubber = s3.stubber();
    queue(&stubber);
    let s3 = s3.with_stubber(&stubber);
    for page in sansboto_blocking::page_iter(
        s3.paginate("ListObjectsV2", params! {"Bucket": "b"}, Default::default())
            .unwrap(),
    ) {
        page.unwrap();
    }
    check_missing(
        &s3.call("GetObject", params! {"Bucket": "b", "Key": "missing"})
            .unwrap_err(),
    );
    s3.wait(
        "bucket_exists",
        params! {"Bucket": "b"},
        Some(Duration::ZERO),
        Some(3),
    )
    .unwrap();
    check_after(&stubber, false);
}
