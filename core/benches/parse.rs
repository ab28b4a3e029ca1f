//! Response parsing cost with botocore's real service models (read from the botocore sdist, as
//! the conformance tests do): a DynamoDB GetItem (JSON), an SQS SendMessage (JSON), an S3
//! PutObject (headers only) and a 1,000-key S3 ListObjectsV2 (XML).
//!
//! Run: `SANSBOTO_BOTOCORE_DIR=/path/to/botocore-sdist cargo bench -p sansboto-core --bench parse`
//!
//! Measured in CPU time of the calling thread (`support/thread_cpu.rs`), not wall time.
// `criterion_main!` defines an undocumented `pub fn main`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use http::{HeaderMap, HeaderName, HeaderValue};
use sansboto_core::model::ServiceModel;
use sansboto_core::protocol::{parse_response, Response};
use sansboto_core::Body;

#[path = "support/thread_cpu.rs"]
mod thread_cpu;
use thread_cpu::ThreadCpu;

fn botocore_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SANSBOTO_BOTOCORE_DIR") {
        return PathBuf::from(dir);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let version = std::fs::read_to_string(root.join("models/BOTOCORE_VERSION")).unwrap_or_default();
    root.join(format!(".cache/botocore-{}", version.trim()))
}

fn model(service: &str) -> Arc<ServiceModel> {
    let dir = botocore_dir().join("botocore/data").join(service);
    let mut versions: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (set SANSBOTO_BOTOCORE_DIR)", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("service-2.json").is_file())
        .collect();
    versions.sort();
    let path = versions
        .last()
        .expect("a model version")
        .join("service-2.json");
    ServiceModel::from_json(&std::fs::read(path).unwrap()).unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        map.insert(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    map
}

fn bench_case(
    c: &mut Criterion<ThreadCpu>,
    name: &str,
    model: &ServiceModel,
    operation: &str,
    headers: &HeaderMap,
    body: bytes::Bytes,
) {
    let op = model.operation(operation).unwrap();
    // Parse once outside the loop so a broken case fails loudly instead of timing an error.
    parse_response(
        model,
        op,
        Response {
            status: 200,
            headers,
            body: Body::from(body.clone()),
        },
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(name, |b| {
        b.iter(|| {
            let response = Response {
                status: 200,
                headers,
                body: Body::from(body.clone()),
            };
            black_box(parse_response(model, op, response).unwrap())
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion<ThreadCpu>) {
    let dynamodb = model("dynamodb");
    let get_item = br#"{"Item":{"pk":{"S":"user#1234"},"sk":{"S":"profile"},"name":{"S":"Ada Lovelace"},"age":{"N":"36"},"active":{"BOOL":true},"tags":{"SS":["math","poetry","engines"]},"scores":{"L":[{"N":"1"},{"N":"2.5"},{"N":"3"}]},"address":{"M":{"city":{"S":"London"},"zip":{"S":"W1"}}},"avatar":{"B":"aGVsbG8gd29ybGQ="},"nothing":{"NULL":true}}}"#;
    let json_headers = headers(&[
        ("content-type", "application/x-amz-json-1.0"),
        (
            "x-amzn-requestid",
            "V2NQ5LJ6T3I1MR2OUGKJ7DVPMNVV4KQNSO5AEMVJF66Q9ASUAAJG",
        ),
        ("x-amz-crc32", "2745614147"),
        ("content-length", "420"),
    ]);
    bench_case(
        c,
        "dynamodb_get_item",
        &dynamodb,
        "GetItem",
        &json_headers,
        bytes::Bytes::from_static(get_item),
    );

    let sqs = model("sqs");
    let send = br#"{"MD5OfMessageBody":"fafb00f5732ab283681e124bf8747ed1","MessageId":"219f8380-5770-4cc2-8c3e-5c715e145f5e"}"#;
    bench_case(
        c,
        "sqs_send_message",
        &sqs,
        "SendMessage",
        &json_headers,
        bytes::Bytes::from_static(send),
    );

    let s3 = model("s3");
    let put_headers = headers(&[
        ("x-amz-id-2", "ef8yU9AS1ed4OpIszj7UDNEHGran"),
        ("x-amz-request-id", "318BC8BC143432E5"),
        (
            "x-amz-version-id",
            "43jfkodU8493jnFJD9fjj3HHNVfdsQUIFDNsidf038jfdsjGFDSIRp",
        ),
        ("etag", "\"b54357faf0632cce46e942fa68356b38\""),
        ("x-amz-server-side-encryption", "AES256"),
        ("x-amz-checksum-crc32", "i9aeUg=="),
        ("date", "Wed, 12 Oct 2009 17:50:00 GMT"),
        ("content-length", "0"),
        ("server", "AmazonS3"),
    ]);
    bench_case(
        c,
        "s3_put_object_headers",
        &s3,
        "PutObject",
        &put_headers,
        bytes::Bytes::new(),
    );

    let mut list = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <Name>bucket</Name><Prefix></Prefix><KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>\
         <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>",
    );
    for i in 0..1000 {
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
    let list_headers = headers(&[
        ("x-amz-request-id", "318BC8BC143432E5"),
        ("x-amz-id-2", "ef8yU9AS1ed4OpIszj7UDNEHGran"),
        ("content-type", "application/xml"),
    ]);
    bench_case(
        c,
        "s3_list_objects_v2_1000",
        &s3,
        "ListObjectsV2",
        &list_headers,
        bytes::Bytes::from(list),
    );
}

criterion_group! {
    name = parse;
    config = Criterion::default().with_measurement(ThreadCpu).sample_size(20).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = benches
}
criterion_main!(parse);
