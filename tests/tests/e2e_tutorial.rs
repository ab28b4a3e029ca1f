//! The getting-started tutorial (create_bucket, put_object 1 KiB, get_object_acl, get_object
//! streamed, delete_object) on all three transports against a real moto server.

use sansboto_core::params;
use sansboto_core::Value;
use sansboto_tests::moto::MotoServer;

const KEY: &str = "tutorial/object";

fn check_put(put: &Value) {
    assert_eq!(
        put["ResponseMetadata"]["HTTPStatusCode"].as_i64(),
        Some(200),
        "{put:?}"
    );
    assert!(put["ETag"].as_str().is_some_and(|e| e.len() > 2), "{put:?}");
}

fn check_acl(acl: &Value) {
    assert!(acl["Owner"]["ID"].as_str().is_some(), "{acl:?}");
    let grants = acl["Grants"].as_list().expect("Grants is a list");
    assert_eq!(
        grants[0]["Permission"].as_str(),
        Some("FULL_CONTROL"),
        "{acl:?}"
    );
}

fn check_missing(err: &sansboto_core::Error) {
    assert_eq!(err.code(), Some("NoSuchKey"), "{err}");
    assert_eq!(err.status(), Some(404));
    assert!(
        err.to_string()
            .starts_with("An error occurred (NoSuchKey) when calling the GetObject operation: "),
        "{err}"
    );
}

macro_rules! async_tutorial {
    ($transport:ident, $bucket:expr, $moto:expr) => {{
        let moto = $moto;
        let s3 = $transport::Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url(moto.endpoint())
            .credentials("testing", "testing", None)
            .build()
            .await
            .unwrap();
        s3.call("CreateBucket", params! {"Bucket": $bucket})
            .await
            .unwrap();
        let body = vec![1u8; 1024];
        check_put(
            &s3.call(
                "put_object",
                params! {"Bucket": $bucket, "Key": KEY, "Body": body.as_slice()},
            )
            .await
            .unwrap(),
        );
        check_acl(
            &s3.call("get_object_acl", params! {"Bucket": $bucket, "Key": KEY})
                .await
                .unwrap(),
        );
        let got = s3
            .call("GetObject", params! {"Bucket": $bucket, "Key": KEY})
            .await
            .unwrap();
        assert_eq!(got["ContentLength"].as_i64(), Some(1024));
        let mut stream = $transport::take_body(&got["Body"]).expect("GetObject Body streams");
        let mut read = Vec::new();
        while let Some(chunk) = stream.chunk().await.unwrap() {
            read.extend_from_slice(&chunk);
        }
        assert_eq!(read, body);
        s3.call("delete_object", params! {"Bucket": $bucket, "Key": KEY})
            .await
            .unwrap();
        check_missing(
            &s3.call("GetObject", params! {"Bucket": $bucket, "Key": KEY})
                .await
                .unwrap_err(),
        );
    }};
}

#[test]
fn tutorial_on_tokio() {
    let moto = MotoServer::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { async_tutorial!(sansboto_tokio, "tokio-bucket", &moto) });
}

#[test]
fn tutorial_on_async_std() {
    let moto = MotoServer::start();
    async_std::task::block_on(async {
        async_tutorial!(sansboto_async_std, "async-std-bucket", &moto)
    });
}

#[test]
fn tutorial_on_smol() {
    let moto = MotoServer::start();
    smol::block_on(async { async_tutorial!(sansboto_async_std, "smol-bucket", &moto) });
}

#[test]
fn tutorial_on_blocking() {
    use std::io::Read;
    let moto = MotoServer::start();
    let s3 = sansboto_blocking::Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials("testing", "testing", None)
        .build()
        .unwrap();
    s3.call("CreateBucket", params! {"Bucket": "blocking-bucket"})
        .unwrap();
    let body = vec![1u8; 1024];
    check_put(
        &s3.call(
            "put_object",
            params! {"Bucket": "blocking-bucket", "Key": KEY, "Body": body.as_slice()},
        )
        .unwrap(),
    );
    check_acl(
        &s3.call(
            "get_object_acl",
            params! {"Bucket": "blocking-bucket", "Key": KEY},
        )
        .unwrap(),
    );
    let got = s3
        .call(
            "GetObject",
            params! {"Bucket": "blocking-bucket", "Key": KEY},
        )
        .unwrap();
    let mut read = Vec::new();
    sansboto_blocking::take_body(&got["Body"])
        .expect("GetObject Body streams")
        .read_to_end(&mut read)
        .unwrap();
    assert_eq!(read, body);
    s3.call(
        "delete_object",
        params! {"Bucket": "blocking-bucket", "Key": KEY},
    )
    .unwrap();
    check_missing(
        &s3.call(
            "GetObject",
            params! {"Bucket": "blocking-bucket", "Key": KEY},
        )
        .unwrap_err(),
    );
}
