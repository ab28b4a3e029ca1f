//! The getting-started tutorial and one call per protocol family, on tokio, against moto.

use sansboto_core::params;
use sansboto_core::value::Value;
use sansboto_tests::moto::MotoServer;
use sansboto_tokio::{take_body, Client, Session};

async fn client(moto: &MotoServer, service: &str) -> Client {
    Session::new()
        .client(service)
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials("testing", "testing", None)
        .build()
        .await
        .unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn tutorial_s3_round_trip() {
    let moto = MotoServer::start();
    let s3 = client(&moto, "s3").await;
    s3.call("CreateBucket", params! {"Bucket": "tutorial"})
        .await
        .unwrap();
    let body = vec![1u8; 1024];
    let put = s3
        .call(
            "put_object",
            params! {"Bucket": "tutorial", "Key": "k", "Body": body.as_slice()},
        )
        .await
        .unwrap();
    assert_eq!(
        put["ResponseMetadata"]["HTTPStatusCode"].as_i64(),
        Some(200)
    );
    assert!(put["ETag"].as_str().is_some_and(|e| e.len() > 2), "{put:?}");

    let acl = s3
        .call("get_object_acl", params! {"Bucket": "tutorial", "Key": "k"})
        .await
        .unwrap();
    assert!(acl["Owner"]["ID"].as_str().is_some(), "{acl:?}");
    assert!(matches!(acl["Grants"], Value::List(_)));

    let got = s3
        .call("GetObject", params! {"Bucket": "tutorial", "Key": "k"})
        .await
        .unwrap();
    assert_eq!(got["ContentLength"].as_i64(), Some(1024));
    let mut stream = take_body(&got["Body"]).expect("GetObject Body streams");
    let mut read = Vec::new();
    while let Some(chunk) = stream.chunk().await.unwrap() {
        read.extend_from_slice(&chunk);
    }
    assert_eq!(read, body);

    s3.call("delete_object", params! {"Bucket": "tutorial", "Key": "k"})
        .await
        .unwrap();
    let err = s3
        .call("GetObject", params! {"Bucket": "tutorial", "Key": "k"})
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"), "{err}");
    assert_eq!(err.status(), Some(404));
    assert!(err.to_string().starts_with("NoSuchKey: "), "{err}");
}
