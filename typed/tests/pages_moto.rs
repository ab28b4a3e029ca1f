//! Typed paginators against a real moto server on tokio, async-std (a `futures_core::Stream`
//! of typed pages) and the blocking transport (an `Iterator`): S3 ListObjectsV2 with MaxKeys=1
//! over three objects and DynamoDB Scan with Limit=1 over three items, each typed page compared
//! with the dynamic paginator's page read into the output type, the typed full result with the
//! dynamic one, `MaxItems` with its resume token, and a failing pagination that ends after its
//! typed error.

use std::pin::Pin;

use sansboto_core::params;
use sansboto_core::PaginationOptions;
use sansboto_core::Value;
use sansboto_tests::moto::MotoServer;
use sansboto_typed::FromValue;

sansboto_typed::typed!("s3", ["ListObjectsV2"]);
sansboto_typed::typed!("dynamodb", ["Scan"]);

use dynamodb::types::{ScanInput, ScanOutput};
use dynamodb::Dynamodb as _;
use s3::types::{ListObjectsV2Output, ListObjectsV2Request};
use s3::S3 as _;

const KEYS: [&str; 3] = ["a", "b", "c"];

fn list(bucket: &str) -> ListObjectsV2Request {
    ListObjectsV2Request {
        bucket: Some(bucket.into()),
        max_keys: Some(1),
        ..Default::default()
    }
}

fn scan() -> ScanInput {
    ScanInput {
        table_name: Some("pages".into()),
        limit: Some(1),
        ..Default::default()
    }
}

fn create_table() -> Value {
    params! {
        "TableName": "pages",
        "AttributeDefinitions": vec![params! {"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": vec![params! {"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST"
    }
}

fn put_item(id: &str) -> Value {
    params! {"TableName": "pages", "Item": params! {"id": params! {"S": id}}}
}

fn keys(pages: &[ListObjectsV2Output]) -> Vec<Vec<String>> {
    pages
        .iter()
        .map(|p| {
            p.contents
                .iter()
                .flatten()
                .filter_map(|o| o.key.clone())
                .collect()
        })
        .collect()
}

fn ids(pages: &[ScanOutput]) -> Vec<String> {
    let mut ids: Vec<String> = pages
        .iter()
        .flat_map(|p| p.items.iter().flatten())
        .filter_map(|item| item.get("id").and_then(|v| v.s.clone()))
        .collect();
    ids.sort();
    ids
}

/// The dynamic paginator's pages (or full result) read into the output type.
fn typed_from<T: FromValue>(values: Vec<Value>) -> Vec<T> {
    values
        .into_iter()
        .map(|v| T::from_value(v).unwrap())
        .collect()
}

fn max_items(n: usize) -> PaginationOptions {
    PaginationOptions {
        max_items: Some(n),
        ..Default::default()
    }
}

/// Every item of a stream (no combinator crate needed).
async fn collect<S: futures_core::Stream>(stream: S) -> Vec<S::Item> {
    let mut stream = Box::pin(stream);
    let mut items = Vec::new();
    while let Some(item) = std::future::poll_fn(|cx| Pin::as_mut(&mut stream).poll_next(cx)).await {
        items.push(item);
    }
    items
}

/// What a typed S3 pagination must show, given the typed pages, the dynamic ones, and the
/// typed and dynamic full results.
fn check_s3(
    typed: Vec<ListObjectsV2Output>,
    dynamic: Vec<Value>,
    full: sansboto_typed::FullResult<ListObjectsV2Output>,
    dynamic_full: Value,
) {
    let expected: Vec<Vec<String>> = KEYS.iter().map(|k| vec![k.to_string()]).collect();
    assert_eq!(keys(&typed), expected, "one key a page (MaxKeys=1)");
    assert_eq!(typed, typed_from::<ListObjectsV2Output>(dynamic));
    assert_eq!(
        keys(std::slice::from_ref(&full.output)),
        [KEYS.map(String::from).to_vec()]
    );
    assert_eq!(full.next_token, None);
    assert_eq!(
        full.output,
        ListObjectsV2Output::from_value(dynamic_full).unwrap()
    );
}

fn check_truncated(full: &sansboto_typed::FullResult<ListObjectsV2Output>) {
    assert_eq!(
        keys(std::slice::from_ref(&full.output)),
        [["a", "b"].map(String::from).to_vec()]
    );
    assert!(full.next_token.is_some(), "{full:?}");
}

fn check_scan(typed: Vec<ScanOutput>, dynamic: Vec<Value>) {
    assert!(typed.len() >= 3, "Limit=1 over three items: {typed:?}");
    assert!(typed
        .iter()
        .all(|p| p.items.as_ref().map_or(0, Vec::len) <= 1));
    assert_eq!(ids(&typed), KEYS.map(String::from).to_vec());
    assert_eq!(typed, typed_from::<ScanOutput>(dynamic));
}

fn check_failed(pages: &[Result<ListObjectsV2Output, s3::errors::ListObjectsV2Error>]) {
    assert_eq!(pages.len(), 1, "the pagination ends after its error");
    let err = pages[0].as_ref().unwrap_err();
    assert!(err.is_no_such_bucket(), "{err:?}");
}

macro_rules! async_pages {
    ($transport:ident, $bucket:expr, $moto:expr) => {{
        let bucket: &str = $bucket;
        let session = $transport::Session::new();
        let client = |service: &'static str| {
            session
                .client(service)
                .region("us-east-1")
                .endpoint_url($moto.endpoint())
                .credentials("testing", "testing", None)
                .build()
        };
        let s3 = client("s3").await.unwrap();
        s3.call("CreateBucket", params! {"Bucket": bucket})
            .await
            .unwrap();
        for key in KEYS {
            s3.call(
                "PutObject",
                params! {"Bucket": bucket, "Key": key, "Body": &b"x"[..]},
            )
            .await
            .unwrap();
        }
        let pages = s3
            .paginate_list_objects_v2(list(bucket), Default::default())
            .unwrap();
        let typed: Vec<_> = collect(pages.into_stream()).await;
        let typed = typed.into_iter().map(Result::unwrap).collect();
        let dynamic = s3
            .paginate(
                "ListObjectsV2",
                params! {"Bucket": bucket, "MaxKeys": 1},
                Default::default(),
            )
            .unwrap();
        let dynamic: Vec<_> = collect($transport::page_stream(dynamic)).await;
        let dynamic = dynamic.into_iter().map(Result::unwrap).collect();
        let full = s3
            .paginate_list_objects_v2(list(bucket), Default::default())
            .unwrap()
            .full_result()
            .await
            .unwrap();
        let dynamic_full = s3
            .paginate(
                "ListObjectsV2",
                params! {"Bucket": bucket, "MaxKeys": 1},
                Default::default(),
            )
            .unwrap()
            .full_result()
            .await
            .unwrap();
        check_s3(typed, dynamic, full, dynamic_full);
        let truncated = s3
            .paginate_list_objects_v2(list(bucket), max_items(2))
            .unwrap()
            .full_result()
            .await
            .unwrap();
        check_truncated(&truncated);
        let failed = s3
            .paginate_list_objects_v2(list("no-such-bucket"), Default::default())
            .unwrap();
        check_failed(&collect(failed.into_stream()).await);

        let ddb = client("dynamodb").await.unwrap();
        ddb.call("CreateTable", create_table()).await.unwrap();
        for id in KEYS {
            ddb.call("PutItem", put_item(id)).await.unwrap();
        }
        let typed: Vec<_> = collect(
            ddb.paginate_scan(scan(), Default::default())
                .unwrap()
                .into_stream(),
        )
        .await;
        let typed = typed.into_iter().map(Result::unwrap).collect();
        let dynamic = ddb
            .paginate(
                "Scan",
                params! {"TableName": "pages", "Limit": 1},
                Default::default(),
            )
            .unwrap();
        let dynamic: Vec<_> = collect($transport::page_stream(dynamic)).await;
        check_scan(typed, dynamic.into_iter().map(Result::unwrap).collect());
    }};
}

#[test]
fn typed_pages_stream_on_tokio() {
    let moto = MotoServer::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { async_pages!(sansboto_tokio, "pages-tokio", &moto) });
}

#[test]
fn typed_pages_stream_on_async_std() {
    let moto = MotoServer::start();
    async_std::task::block_on(async { async_pages!(sansboto_async_std, "pages-async-std", &moto) });
}

#[test]
fn typed_pages_iterator_on_blocking() {
    let moto = MotoServer::start();
    let bucket = "pages-blocking";
    let session = sansboto_blocking::Session::new();
    let client = |service: &str| {
        session
            .client(service)
            .region("us-east-1")
            .endpoint_url(moto.endpoint())
            .credentials("testing", "testing", None)
            .build()
            .unwrap()
    };
    let s3 = client("s3");
    s3.call("CreateBucket", params! {"Bucket": bucket}).unwrap();
    for key in KEYS {
        s3.call(
            "PutObject",
            params! {"Bucket": bucket, "Key": key, "Body": &b"x"[..]},
        )
        .unwrap();
    }
    // `TypedPages` is the `Iterator` itself.
    let typed = s3
        .paginate_list_objects_v2(list(bucket), Default::default())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let dynamic = s3
        .paginate(
            "ListObjectsV2",
            params! {"Bucket": bucket, "MaxKeys": 1},
            Default::default(),
        )
        .unwrap();
    let dynamic = sansboto_blocking::page_iter(dynamic)
        .map(Result::unwrap)
        .collect();
    let full = s3
        .paginate_list_objects_v2(list(bucket), Default::default())
        .unwrap()
        .full_result()
        .unwrap();
    let dynamic_full = s3
        .paginate(
            "ListObjectsV2",
            params! {"Bucket": bucket, "MaxKeys": 1},
            Default::default(),
        )
        .unwrap()
        .full_result()
        .unwrap();
    check_s3(typed, dynamic, full, dynamic_full);
    let truncated = s3
        .paginate_list_objects_v2(list(bucket), max_items(2))
        .unwrap()
        .full_result()
        .unwrap();
    check_truncated(&truncated);
    let failed: Vec<_> = s3
        .paginate_list_objects_v2(list("no-such-bucket"), Default::default())
        .unwrap()
        .collect();
    check_failed(&failed);

    let ddb = client("dynamodb");
    ddb.call("CreateTable", create_table()).unwrap();
    for id in KEYS {
        ddb.call("PutItem", put_item(id)).unwrap();
    }
    let typed = ddb
        .paginate_scan(scan(), Default::default())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let dynamic = ddb
        .paginate(
            "Scan",
            params! {"TableName": "pages", "Limit": 1},
            Default::default(),
        )
        .unwrap();
    check_scan(
        typed,
        sansboto_blocking::page_iter(dynamic)
            .map(Result::unwrap)
            .collect(),
    );
}
