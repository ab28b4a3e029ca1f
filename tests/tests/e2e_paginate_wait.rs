//! Paginators and waiters end to end against moto: ListObjectsV2 over 2,500 keys (default page
//! size, `PageSize`, `MaxItems` and resuming from the token), DynamoDB Scan pages, tokio's
//! `page_stream` and blocking's `page_iter`; waiters that succeed (`bucket_exists`,
//! `table_exists`, `instance_running`), one that hits a failure acceptor and one that runs out of
//! attempts.

mod e2e_support;

use std::collections::BTreeSet;
use std::time::Duration;

use e2e_support::{blocking_session, core_session, tokio_session};
use futures_util::StreamExt;
use sansboto_core::params;
use sansboto_core::Error;
use sansboto_core::PaginationOptions;
use sansboto_core::Value;
use sansboto_core::WaiterError;
use sansboto_tests::moto::MotoServer;

const KEYS: usize = 2_500;
const BUCKET: &str = "paginate-bucket";

fn json(value: serde_json::Value) -> Value {
    Value::from(value)
}

fn key(n: usize) -> String {
    format!("key-{n:05}")
}

fn multi_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn tokio_client(moto: &MotoServer, service: &str) -> sansboto_tokio::Client {
    tokio_session(core_session(&[], None, None))
        .client(service)
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials("testing", "testing", None)
        .build()
        .await
        .unwrap()
}

fn blocking_client(moto: &MotoServer, service: &str) -> sansboto_blocking::Client {
    blocking_session(core_session(&[], None, None))
        .client(service)
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials("testing", "testing", None)
        .build()
        .unwrap()
}

fn keys_of(page: &Value) -> Vec<String> {
    page["Contents"]
        .as_list()
        .map(|l| {
            l.iter()
                .map(|o| o["Key"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn options(
    max_items: Option<usize>,
    page_size: Option<i64>,
    starting_token: Option<String>,
) -> PaginationOptions {
    PaginationOptions {
        max_items,
        page_size,
        starting_token,
    }
}

/// The page sizes and the keys of every page of a ListObjectsV2 pagination, via `page_stream`.
async fn stream_pages(
    s3: &sansboto_tokio::Client,
    opts: PaginationOptions,
) -> (Vec<usize>, Vec<String>) {
    let pages = s3
        .paginate("ListObjectsV2", params! {"Bucket": BUCKET}, opts)
        .unwrap();
    let mut stream = std::pin::pin!(sansboto_tokio::page_stream(pages));
    let (mut sizes, mut keys) = (Vec::new(), Vec::new());
    while let Some(page) = stream.next().await {
        let page_keys = keys_of(&page.unwrap());
        sizes.push(page_keys.len());
        keys.extend(page_keys);
    }
    (sizes, keys)
}

#[test]
fn list_objects_v2_pages_over_2500_keys() {
    let moto = MotoServer::start();
    let all: Vec<String> = (0..KEYS).map(key).collect();
    let rt = multi_thread_runtime();
    rt.block_on(async {
        let s3 = tokio_client(&moto, "s3").await;
        s3.call("CreateBucket", params! {"Bucket": BUCKET})
            .await
            .unwrap();
        // Eight writers, each a share of the keys.
        let writers: Vec<_> = (0..8)
            .map(|w| {
                let s3 = s3.clone();
                tokio::spawn(async move {
                    for n in (w..KEYS).step_by(8) {
                        s3.call(
                            "PutObject",
                            params! {"Bucket": BUCKET, "Key": key(n).as_str(), "Body": &b""[..]},
                        )
                        .await
                        .unwrap();
                    }
                })
            })
            .collect();
        for w in writers {
            w.await.unwrap();
        }

        // The service's default page size (1000).
        let (sizes, keys) = stream_pages(&s3, options(None, None, None)).await;
        assert_eq!(sizes, [1000, 1000, 500]);
        assert_eq!(keys, all);

        // PageSize becomes MaxKeys.
        let (sizes, keys) = stream_pages(&s3, options(None, Some(700), None)).await;
        assert_eq!(sizes, [700, 700, 700, 400]);
        assert_eq!(keys, all);

        // MaxItems stops mid-page; the resume token picks up exactly where it stopped.
        for page_size in [None, Some(500)] {
            let first = s3
                .paginate(
                    "ListObjectsV2",
                    params! {"Bucket": BUCKET},
                    options(Some(1234), page_size, None),
                )
                .unwrap()
                .full_result()
                .await
                .unwrap();
            let head = keys_of(&first);
            assert_eq!(head.len(), 1234, "page size {page_size:?}");
            let token = first["NextToken"]
                .as_str()
                .expect("NextToken after MaxItems")
                .to_string();
            let rest = s3
                .paginate(
                    "ListObjectsV2",
                    params! {"Bucket": BUCKET},
                    options(None, page_size, Some(token)),
                )
                .unwrap()
                .full_result()
                .await
                .unwrap();
            assert!(rest["NextToken"].is_null(), "{:?}", rest["NextToken"]);
            let tail = keys_of(&rest);
            assert_eq!(tail.len(), KEYS - 1234, "page size {page_size:?}");
            let joined: Vec<String> = head.into_iter().chain(tail).collect();
            assert_eq!(joined, all, "page size {page_size:?}");
        }

        // resume_token on Pages, page by page.
        let mut pages = s3
            .paginate(
                "ListObjectsV2",
                params! {"Bucket": BUCKET},
                options(Some(1500), None, None),
            )
            .unwrap();
        let mut seen = 0;
        while let Some(page) = pages.next_page().await {
            seen += keys_of(&page.unwrap()).len();
        }
        assert_eq!(seen, 1500);
        assert!(pages.resume_token().is_some());
    });
    drop(rt);

    // The blocking client's page_iter over the same bucket.
    let s3 = blocking_client(&moto, "s3");
    let pages = s3
        .paginate(
            "ListObjectsV2",
            params! {"Bucket": BUCKET},
            options(None, Some(1000), None),
        )
        .unwrap();
    let mut keys = BTreeSet::new();
    let mut count = 0;
    for page in sansboto_blocking::page_iter(pages) {
        count += 1;
        keys.extend(keys_of(&page.unwrap()));
    }
    assert_eq!(count, 3);
    assert_eq!(keys.len(), KEYS);
}

#[test]
fn dynamodb_scan_pages_and_table_exists() {
    let moto = MotoServer::start();
    let ddb = blocking_client(&moto, "dynamodb");
    ddb.call(
        "CreateTable",
        json(serde_json::json!({
            "TableName": "scan-table",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        })),
    )
    .unwrap();
    ddb.wait(
        "table_exists",
        params! {"TableName": "scan-table"},
        Some(Duration::from_millis(200)),
        Some(20),
    )
    .unwrap();
    for n in 0..50 {
        let pk = format!("item-{n:02}");
        ddb.call(
            "PutItem",
            json(serde_json::json!({
                "TableName": "scan-table",
                "Item": {"pk": {"S": pk}, "n": {"N": n.to_string()}},
            })),
        )
        .unwrap();
    }
    let item_keys = |page: &Value| -> Vec<String> {
        page["Items"]
            .as_list()
            .unwrap_or_default()
            .iter()
            .map(|i| i["pk"]["S"].as_str().unwrap_or_default().to_string())
            .collect()
    };

    // PageSize becomes Limit: 7 pages of 7 and one of 1.
    let pages = ddb
        .paginate(
            "Scan",
            params! {"TableName": "scan-table"},
            options(None, Some(7), None),
        )
        .unwrap();
    let mut sizes = Vec::new();
    let mut all = BTreeSet::new();
    for page in sansboto_blocking::page_iter(pages) {
        let keys = item_keys(&page.unwrap());
        sizes.push(keys.len());
        all.extend(keys);
    }
    assert_eq!(all.len(), 50);
    assert_eq!(sizes, [7, 7, 7, 7, 7, 7, 7, 1]);

    // MaxItems, then the rest from the token.
    let first = ddb
        .paginate(
            "Scan",
            params! {"TableName": "scan-table"},
            options(Some(20), Some(7), None),
        )
        .unwrap()
        .full_result()
        .unwrap();
    let head = item_keys(&first);
    assert_eq!(head.len(), 20);
    // As in botocore, MaxItems truncates only the primary result key (Items): the secondary
    // `Count` keeps the third page's 7, so the aggregate is 7 + 7 + 7.
    assert_eq!(first["Count"].as_i64(), Some(21), "{:?}", first["Count"]);
    let token = first["NextToken"].as_str().expect("NextToken").to_string();
    let rest = ddb
        .paginate(
            "Scan",
            params! {"TableName": "scan-table"},
            options(None, Some(7), Some(token)),
        )
        .unwrap()
        .full_result()
        .unwrap();
    let tail = item_keys(&rest);
    assert_eq!(tail.len(), 30);
    // The resumed first page (the rest of page 3) keeps its `Count` (what the service
    // evaluated for it), as botocore 1.44.5 keeps numeric secondary keys: 7 + 7 * 4 + 1.
    assert_eq!(rest["Count"].as_i64(), Some(36), "{:?}", rest["Count"]);
    let joined: BTreeSet<String> = head.into_iter().chain(tail).collect();
    assert_eq!(joined, all);
}

#[test]
fn s3_waiters_succeed_and_run_out_of_attempts() {
    let moto = MotoServer::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let s3 = tokio_client(&moto, "s3").await;
        s3.call("CreateBucket", params! {"Bucket": "wait-bucket"})
            .await
            .unwrap();
        s3.wait(
            "bucket_exists",
            params! {"Bucket": "wait-bucket"},
            None,
            None,
        )
        .await
        .unwrap();
        // A missing key: every attempt matches the 404 retry acceptor until attempts run out.
        let started = std::time::Instant::now();
        let err = s3
            .wait(
                "object_exists",
                params! {"Bucket": "wait-bucket", "Key": "never"},
                Some(Duration::from_millis(100)),
                Some(3),
            )
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("ObjectExists"), "{text}");
        assert!(text.contains("Max attempts exceeded"), "{text}");
        // Two sleeps of 100 ms between three attempts.
        assert!(started.elapsed() >= Duration::from_millis(200));
        // The waiter that expects absence succeeds on the same 404.
        s3.wait(
            "object_not_exists",
            params! {"Bucket": "wait-bucket", "Key": "never"},
            Some(Duration::from_millis(100)),
            Some(3),
        )
        .await
        .unwrap();
    });
}

#[test]
fn ec2_instance_running_then_terminal_failure() {
    let moto = MotoServer::start();
    let ec2 = blocking_client(&moto, "ec2");
    let images = ec2
        .call(
            "DescribeImages",
            json(serde_json::json!({"Owners": ["amazon"]})),
        )
        .unwrap();
    let image = images["Images"][0]["ImageId"]
        .as_str()
        .unwrap_or("ami-12c6146b")
        .to_string();
    let run = ec2
        .call(
            "RunInstances",
            params! {"ImageId": image.as_str(), "MinCount": 1, "MaxCount": 1, "InstanceType": "t2.micro"},
        )
        .unwrap();
    let id = run["Instances"][0]["InstanceId"]
        .as_str()
        .expect("an instance id")
        .to_string();
    ec2.wait(
        "instance_running",
        json(serde_json::json!({"InstanceIds": [id]})),
        Some(Duration::from_millis(200)),
        Some(20),
    )
    .unwrap();

    ec2.call(
        "TerminateInstances",
        json(serde_json::json!({"InstanceIds": [id]})),
    )
    .unwrap();
    let err = ec2
        .wait(
            "instance_running",
            json(serde_json::json!({"InstanceIds": [id]})),
            Some(Duration::from_millis(200)),
            Some(20),
        )
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("InstanceRunning"), "{text}");
    assert!(text.contains("terminal failure state"), "{text}");
    match &err {
        Error::Waiter(WaiterError::Failed {
            waiter,
            last_response,
            ..
        }) => {
            assert_eq!(waiter, "InstanceRunning");
            assert!(
                last_response.get("Reservations").is_some(),
                "{last_response:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn route53_pages_with_a_text_page_size() {
    // Route 53's limit key (`MaxItems`) is a string member: `PageSize` goes in as text, as
    // botocore sends it (a number would fail validation before any call).
    let moto = MotoServer::start();
    let r53 = blocking_client(&moto, "route53");
    for n in 0..5 {
        r53.call(
            "CreateHostedZone",
            params! {"Name": format!("zone{n}.example.com"), "CallerReference": format!("ref-{n}")},
        )
        .unwrap();
    }
    let mut pages = r53
        .paginate("ListHostedZones", params! {}, options(None, Some(2), None))
        .unwrap();
    let mut sizes = Vec::new();
    while let Some(page) = pages.next_page() {
        sizes.push(page.unwrap()["HostedZones"].as_list().map_or(0, <[_]>::len));
    }
    assert_eq!(sizes, [2, 2, 1]);

    // An operation whose paginator has no limit key refuses `PageSize` before any call, as
    // botocore does.
    let sns = blocking_client(&moto, "sns");
    let refused = sns.paginate("ListTopics", params! {}, options(None, Some(2), None));
    assert!(
        matches!(
            refused,
            Err(Error::Paginate(
                sansboto_core::PaginateError::PageSizeNotSupported(_)
            ))
        ),
        "{:?}",
        refused.err()
    );
}

#[test]
fn dynamodb_binary_keys_resume_from_the_token() {
    // A table keyed by bytes: the resume token carries the key's bytes (botocore's
    // `boto_encoded_keys`), and the resumed scan sends them back as bytes, not as their base64.
    let moto = MotoServer::start();
    let ddb = blocking_client(&moto, "dynamodb");
    ddb.call(
        "CreateTable",
        json(serde_json::json!({
            "TableName": "binary-table",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "B"}],
            "BillingMode": "PAY_PER_REQUEST",
        })),
    )
    .unwrap();
    for n in 0u8..9 {
        let item = params! {"pk": params! {"B": Value::Blob(vec![0, 255, n].into())}};
        ddb.call(
            "PutItem",
            params! {"TableName": "binary-table", "Item": item},
        )
        .unwrap();
    }
    let keys = |result: &Value| -> Vec<Vec<u8>> {
        result["Items"]
            .as_list()
            .unwrap_or_default()
            .iter()
            .map(|item| match &item["pk"]["B"] {
                Value::Blob(b) => b.to_vec(),
                other => panic!("not bytes: {other:?}"),
            })
            .collect()
    };
    let params = || params! {"TableName": "binary-table"};
    let first = ddb
        .paginate("Scan", params(), options(Some(4), Some(3), None))
        .unwrap()
        .full_result()
        .unwrap();
    let token = first["NextToken"].as_str().expect("NextToken").to_string();
    let rest = ddb
        .paginate("Scan", params(), options(None, Some(3), Some(token)))
        .unwrap()
        .full_result()
        .unwrap();
    let mut all = keys(&first);
    all.extend(keys(&rest));
    all.sort();
    assert_eq!(all, (0u8..9).map(|n| vec![0, 255, n]).collect::<Vec<_>>());
}
