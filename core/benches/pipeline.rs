//! Whole-pipeline CPU per call, the figure compared with aws-sdk-rust: `ServiceClient::prepare`
//! (hooks, validation, endpoint resolution, serialization, checksums) + `sign` + `parse` of a
//! canned response, for S3 PutObject (1 KiB body), DynamoDB GetItem and SQS SendMessage, and an
//! S3 ListObjectsV2 call whose response lists 1,000 keys.
//!
//! Models come from `sansboto-models` (embedded), so no botocore checkout is needed.
//! Run: `cargo bench -p sansboto-core --bench pipeline`
// `criterion_main!` defines an undocumented `pub fn main`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};
use sansboto_core::auth::{Credentials, Identity};
use sansboto_core::client::{ClientConfig, ServiceClient};
use sansboto_core::endpoint::{EndpointConfig, Partitions, RuleSet};
use sansboto_core::machine::SplitMix64;
use sansboto_core::model::ServiceModel;
use sansboto_core::params;
use sansboto_core::Body;
use sansboto_core::Value;
use sansboto_models::{FileKind, Loader, TopLevelFile};

fn client(loader: &Loader, service: &str) -> ServiceClient {
    let model =
        ServiceModel::from_json(&loader.load(service, None, FileKind::ServiceModel).unwrap())
            .unwrap();
    let ruleset = RuleSet::from_json(
        &loader
            .load(service, None, FileKind::EndpointRuleSet)
            .unwrap(),
    )
    .unwrap();
    let partitions =
        Partitions::from_json(&loader.load_top_level(TopLevelFile::Partitions).unwrap()).unwrap();
    let config = ClientConfig {
        endpoint: EndpointConfig {
            region: Some("us-west-2".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    ServiceClient::new(service, model, Some(ruleset), partitions, config).unwrap()
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// A response template; each iteration builds its own `http::Response` (the transport would).
struct Canned {
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Canned {
    fn new(status: u16, headers: &[(&'static str, &str)], body: impl Into<Bytes>) -> Self {
        let mut map = http::HeaderMap::new();
        for (name, value) in headers {
            map.insert(
                http::HeaderName::from_static(name),
                http::HeaderValue::from_str(value).unwrap(),
            );
        }
        Canned {
            status,
            headers: map,
            body: body.into(),
        }
    }

    fn response(&self) -> http::Response<Body> {
        let mut response = http::Response::new(Body::from(self.body.clone()));
        *response.status_mut() = http::StatusCode::from_u16(self.status).unwrap();
        *response.headers_mut() = self.headers.clone();
        response
    }
}

/// One call: prepare → sign → parse. The parameters are cloned per call because `prepare`
/// takes them by value, as a caller building them afresh would.
fn call(
    client: &ServiceClient,
    operation: &str,
    params: &Value,
    credentials: &Credentials,
    canned: &Canned,
) -> Value {
    let mut rng = SplitMix64(42);
    let prepared = client.prepare(operation, params.clone(), &mut rng).unwrap();
    let request = client
        .sign(&prepared, Identity::Credentials(credentials), now(), None)
        .unwrap();
    black_box(&request);
    client.parse(&prepared, canned.response(), 0).unwrap()
}

fn list_objects_body(keys: usize) -> String {
    let mut list = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <Name>bucket</Name><Prefix></Prefix><KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>\
         <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>",
    );
    for i in 0..keys {
        list.push_str(&format!(
            "<Contents><Key>photos/2024/{i:05}/image-{i}.jpg</Key><LastModified>2024-01-{:02}T12:{:02}:00.000Z</LastModified>\
             <ETag>&quot;{i:032x}&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>{}</Size>\
             <StorageClass>STANDARD</StorageClass></Contents>",
            i % 28 + 1,
            i % 60,
            1000 + i * 37
        ));
    }
    list.push_str("</ListBucketResult>");
    list
}

fn pipeline(c: &mut Criterion) {
    let loader = Loader::new();
    let credentials = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some("FwoGZXIvYXdzEBYaDSESSIONTOKENEXAMPLE".into()),
        None,
    );
    let s3 = client(&loader, "s3");
    let dynamodb = client(&loader, "dynamodb");
    let sqs = client(&loader, "sqs");

    let body = Bytes::from(vec![b'x'; 1024]);
    let put_object = params! {"Bucket": "my-bucket", "Key": "path/to/some object.txt",
    "Body": Value::Blob(body), "ContentType": "text/plain", "Metadata": params!{"owner": "me"}};
    let put_response = Canned::new(
        200,
        &[
            ("x-amz-id-2", "ef8yU9AS1ed4OpIszj7UDNEHGran"),
            ("x-amz-request-id", "318BC8BC143432E5"),
            ("etag", "\"b54357faf0632cce46e942fa68356b38\""),
            ("x-amz-server-side-encryption", "AES256"),
            ("x-amz-checksum-crc32", "i9aeUg=="),
            ("date", "Wed, 12 Oct 2009 17:50:00 GMT"),
            ("content-length", "0"),
            ("server", "AmazonS3"),
        ],
        Bytes::new(),
    );

    let get_item = params! {"TableName": "Music",
    "Key": params!{"Artist": params!{"S": "No One You Know"},
                   "SongTitle": params!{"S": "Call Me Today"}},
    "ConsistentRead": true};
    let json_headers = [
        ("content-type", "application/x-amz-json-1.0"),
        (
            "x-amzn-requestid",
            "V2NQ5LJ6T3I1MR2OUGKJ7DVPMNVV4KQNSO5AEMVJF66Q9ASUAAJG",
        ),
    ];
    let get_item_response = Canned::new(
        200,
        &json_headers,
        &br#"{"Item":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"},"AlbumTitle":{"S":"Somewhat Famous"},"Awards":{"N":"1"}}}"#[..],
    );

    let send_message = params! {"QueueUrl": "https://sqs.us-west-2.amazonaws.com/123456789012/my-queue",
    "MessageBody": "hello world",
    "MessageAttributes": params!{"Kind": params!{"DataType": "String", "StringValue": "greeting"}}};
    let send_response = Canned::new(
        200,
        &json_headers,
        &br#"{"MD5OfMessageBody":"5eb63bbbe01eeed093cb22bb8f5acdc3","MD5OfMessageAttributes":"3ae8f24a165a8cedc005670c81a27295","MessageId":"219f8380-5770-4cc2-8c3e-5c715e145f5e"}"#[..],
    );

    let list = params! {"Bucket": "my-bucket", "Prefix": "photos/"};
    let list_response = Canned::new(
        200,
        &[
            ("x-amz-request-id", "318BC8BC143432E5"),
            ("content-type", "application/xml"),
        ],
        list_objects_body(1000),
    );

    // One checked call each before timing, so a broken case fails loudly.
    let out = call(&s3, "PutObject", &put_object, &credentials, &put_response);
    assert_eq!(
        out["ETag"].as_str(),
        Some("\"b54357faf0632cce46e942fa68356b38\"")
    );
    let out = call(
        &dynamodb,
        "GetItem",
        &get_item,
        &credentials,
        &get_item_response,
    );
    assert_eq!(out["Item"]["Awards"]["N"].as_str(), Some("1"));
    let out = call(
        &sqs,
        "SendMessage",
        &send_message,
        &credentials,
        &send_response,
    );
    assert!(out["MessageId"].as_str().is_some());
    let out = call(&s3, "ListObjectsV2", &list, &credentials, &list_response);
    assert_eq!(out["Contents"].as_list().map(<[Value]>::len), Some(1000));

    let mut group = c.benchmark_group("pipeline");
    group.bench_function("s3_put_object_1k", |b| {
        b.iter(|| call(&s3, "PutObject", &put_object, &credentials, &put_response))
    });
    group.bench_function("dynamodb_get_item", |b| {
        b.iter(|| {
            call(
                &dynamodb,
                "GetItem",
                &get_item,
                &credentials,
                &get_item_response,
            )
        })
    });
    group.bench_function("sqs_send_message", |b| {
        b.iter(|| {
            call(
                &sqs,
                "SendMessage",
                &send_message,
                &credentials,
                &send_response,
            )
        })
    });
    group.bench_function("s3_list_objects_v2_1000", |b| {
        b.iter(|| call(&s3, "ListObjectsV2", &list, &credentials, &list_response))
    });
    // The parse step alone for the listing (through `ServiceClient::parse`, hooks included).
    let mut rng = SplitMix64(1);
    let prepared = s3.prepare("ListObjectsV2", list.clone(), &mut rng).unwrap();
    group.bench_function("s3_list_objects_v2_1000_parse_only", |b| {
        b.iter(|| s3.parse(&prepared, list_response.response(), 0).unwrap())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    targets = pipeline
}
criterion_main!(benches);
