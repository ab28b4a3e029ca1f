//! The getting-started tutorial written typed (create_bucket, put_object 1 KiB,
//! get_object_acl, get_object streamed, delete_object, then the missing key as a typed
//! `NoSuchKey`), with a typed paginator and waiter, on tokio, async-std and the blocking
//! transport against a real moto server.

use sansboto_tests::moto::MotoServer;
use sansboto_typed::{Payload, TypedError};

sansboto_typed::typed!(
    "s3",
    [
        "CreateBucket",
        "HeadBucket",
        "PutObject",
        "GetObjectAcl",
        "GetObject",
        "DeleteObject",
        "ListObjectsV2"
    ]
);

use s3::types::{
    CreateBucketRequest, DeleteObjectRequest, GetObjectAclRequest, GetObjectRequest,
    HeadBucketRequest, ListObjectsV2Request, Permission, PutObjectRequest,
};
use s3::S3 as _;

const KEY: &str = "tutorial/object";

fn body() -> Vec<u8> {
    vec![1u8; 1024]
}

fn put(bucket: &str, key: &str) -> PutObjectRequest {
    PutObjectRequest {
        bucket: Some(bucket.into()),
        key: Some(key.into()),
        body: Some(Payload::from(body())),
        ..Default::default()
    }
}

fn get(bucket: &str) -> GetObjectRequest {
    GetObjectRequest {
        bucket: Some(bucket.into()),
        key: Some(KEY.into()),
        ..Default::default()
    }
}

fn check_acl(acl: &s3::types::GetObjectAclOutput) {
    assert!(
        acl.owner.as_ref().and_then(|o| o.id.as_ref()).is_some(),
        "{acl:?}"
    );
    let grants = acl.grants.as_ref().expect("Grants");
    assert_eq!(
        grants[0].permission,
        Some(Permission::FullControl),
        "{acl:?}"
    );
}

fn check_missing(err: &s3::errors::GetObjectError) {
    assert!(err.is_no_such_key(), "{err:?}");
    let service = err.service_error().expect("a service error");
    assert_eq!(service.status, 404);
    assert!(
        err.to_string()
            .starts_with("An error occurred (NoSuchKey) when calling the GetObject operation: "),
        "{err}"
    );
}

fn list(bucket: &str) -> ListObjectsV2Request {
    ListObjectsV2Request {
        bucket: Some(bucket.into()),
        ..Default::default()
    }
}

fn options() -> sansboto_core::PaginationOptions {
    sansboto_core::PaginationOptions {
        page_size: Some(2),
        ..Default::default()
    }
}

macro_rules! async_tutorial {
    ($transport:ident, $bucket:expr, $moto:expr) => {{
        let bucket: &str = $bucket;
        let s3 = $transport::Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url($moto.endpoint())
            .credentials("testing", "testing", None)
            .build()
            .await
            .unwrap();
        s3.create_bucket(CreateBucketRequest {
            bucket: Some(bucket.into()),
            ..Default::default()
        })
        .await
        .unwrap();
        s3.wait_until_bucket_exists(
            HeadBucketRequest {
                bucket: Some(bucket.into()),
                ..Default::default()
            },
            None,
            Some(3),
        )
        .await
        .unwrap();
        let put_out = s3.put_object(put(bucket, KEY)).await.unwrap();
        assert!(
            put_out.e_tag.as_ref().is_some_and(|e| e.len() > 2),
            "{put_out:?}"
        );
        let acl = s3
            .get_object_acl(GetObjectAclRequest {
                bucket: Some(bucket.into()),
                key: Some(KEY.into()),
                ..Default::default()
            })
            .await
            .unwrap();
        check_acl(&acl);
        let got = s3.get_object(get(bucket)).await.unwrap();
        assert_eq!(got.content_length, Some(1024));
        let payload = got.body.expect("GetObject Body");
        let mut stream = $transport::take_body(payload.as_value()).expect("Body streams");
        let mut read = Vec::new();
        while let Some(chunk) = stream.chunk().await.unwrap() {
            read.extend_from_slice(&chunk);
        }
        assert_eq!(read, body());
        for i in 0..4 {
            s3.put_object(put(bucket, &format!("page/{i}")))
                .await
                .unwrap();
        }
        let mut pages = s3
            .paginate_list_objects_v2(list(bucket), options())
            .unwrap();
        let mut keys = Vec::new();
        let mut count = 0;
        while let Some(page) = pages.next_page().await {
            count += 1;
            let page = page.unwrap();
            keys.extend(
                page.contents
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|o| o.key),
            );
        }
        assert_eq!(count, 3, "5 keys in pages of 2");
        assert_eq!(
            keys,
            ["page/0", "page/1", "page/2", "page/3", KEY]
                .map(String::from)
                .to_vec()
        );
        s3.delete_object(DeleteObjectRequest {
            bucket: Some(bucket.into()),
            key: Some(KEY.into()),
            ..Default::default()
        })
        .await
        .unwrap();
        check_missing(&s3.get_object(get(bucket)).await.unwrap_err());
        // A typed method of S3 on a client of another service is refused before any request.
        let sqs = $transport::Session::new()
            .client("sqs")
            .region("us-east-1")
            .endpoint_url($moto.endpoint())
            .credentials("testing", "testing", None)
            .build()
            .await
            .unwrap();
        let wrong = sqs.get_object(get(bucket)).await.unwrap_err();
        assert!(
            matches!(
                wrong,
                s3::errors::GetObjectError::Other(TypedError::WrongService { .. })
            ),
            "{wrong:?}"
        );
    }};
}

#[test]
fn typed_tutorial_on_tokio() {
    let moto = MotoServer::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { async_tutorial!(sansboto_tokio, "typed-tokio", &moto) });
}

#[test]
fn typed_tutorial_on_async_std() {
    let moto = MotoServer::start();
    async_std::task::block_on(async {
        async_tutorial!(sansboto_async_std, "typed-async-std", &moto)
    });
}

#[test]
fn typed_tutorial_on_blocking() {
    use std::io::Read;
    let moto = MotoServer::start();
    let bucket = "typed-blocking";
    let s3 = sansboto_blocking::Session::new()
        .client("s3")
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials("testing", "testing", None)
        .build()
        .unwrap();
    s3.create_bucket(CreateBucketRequest {
        bucket: Some(bucket.into()),
        ..Default::default()
    })
    .unwrap();
    s3.wait_until_bucket_exists(
        HeadBucketRequest {
            bucket: Some(bucket.into()),
            ..Default::default()
        },
        None,
        Some(3),
    )
    .unwrap();
    let put_out = s3.put_object(put(bucket, KEY)).unwrap();
    assert!(put_out.e_tag.is_some(), "{put_out:?}");
    let acl = s3
        .get_object_acl(GetObjectAclRequest {
            bucket: Some(bucket.into()),
            key: Some(KEY.into()),
            ..Default::default()
        })
        .unwrap();
    check_acl(&acl);
    let got = s3.get_object(get(bucket)).unwrap();
    let mut read = Vec::new();
    got.body
        .expect("Body")
        .take_body::<sansboto_blocking::HttpClient>()
        .expect("Body streams")
        .read_to_end(&mut read)
        .unwrap();
    assert_eq!(read, body());
    for i in 0..4 {
        s3.put_object(put(bucket, &format!("page/{i}"))).unwrap();
    }
    let mut pages = s3
        .paginate_list_objects_v2(list(bucket), options())
        .unwrap();
    let mut keys = Vec::new();
    while let Some(page) = pages.next_page() {
        keys.extend(
            page.unwrap()
                .contents
                .unwrap_or_default()
                .into_iter()
                .filter_map(|o| o.key),
        );
    }
    assert_eq!(
        keys,
        ["page/0", "page/1", "page/2", "page/3", KEY]
            .map(String::from)
            .to_vec()
    );
    s3.delete_object(DeleteObjectRequest {
        bucket: Some(bucket.into()),
        key: Some(KEY.into()),
        ..Default::default()
    })
    .unwrap();
    check_missing(&s3.get_object(get(bucket)).unwrap_err());
}
