//! Serializer cost per call on real botocore models: S3 PutObject (rest-xml, 1 KiB body),
//! DynamoDB GetItem (awsJson 1.0) and SQS SendMessage (awsJson 1.0, query-compatible).
//!
//! Models come from the botocore sdist: `SANSBOTO_BOTOCORE_DIR`, else
//! `.cache/botocore-<version>` at the workspace root.
// `criterion_main!` defines an undocumented `pub fn main`.
#![allow(missing_docs)]

use std::path::PathBuf;
use std::sync::Arc;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use sansboto_core::model::ServiceModel;
use sansboto_core::params;
use sansboto_core::protocol::serialize_request;
use sansboto_core::Value;

fn botocore_data() -> PathBuf {
    if let Some(dir) = std::env::var_os("SANSBOTO_BOTOCORE_DIR") {
        return PathBuf::from(dir).join("botocore/data");
    }
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let version = std::fs::read_to_string(workspace.join("models/BOTOCORE_VERSION"))
        .expect("models/BOTOCORE_VERSION");
    workspace.join(format!(".cache/botocore-{}/botocore/data", version.trim()))
}

fn load(service: &str, version: &str) -> Arc<ServiceModel> {
    let path = botocore_data()
        .join(service)
        .join(version)
        .join("service-2.json");
    let json = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ServiceModel::from_json(&json).expect("model parses")
}

fn bench(c: &mut Criterion, name: &str, model: &ServiceModel, operation: &str, params: Value) {
    let op = model.operation(operation).expect("operation exists");
    let mut tokens = || "00000000-0000-4000-8000-000000000000".to_string();
    serialize_request(model, op, &params, &mut tokens).expect("serializes");
    c.bench_function(name, |b| {
        b.iter(|| {
            serialize_request(model, op, black_box(&params), &mut tokens).expect("serializes")
        })
    });
}

fn serializers(c: &mut Criterion) {
    let s3 = load("s3", "2006-03-01");
    let body = vec![b'x'; 1024];
    bench(
        c,
        "s3_put_object_1k",
        &s3,
        "PutObject",
        params! {"Bucket": "my-bucket", "Key": "path/to/some object.txt", "Body": &body[..],
        "ContentType": "text/plain", "Metadata": params!{"owner": "me"}},
    );

    let dynamodb = load("dynamodb", "2012-08-10");
    bench(
        c,
        "dynamodb_get_item",
        &dynamodb,
        "GetItem",
        params! {"TableName": "Music",
        "Key": params!{"Artist": params!{"S": "No One You Know"},
                       "SongTitle": params!{"S": "Call Me Today"}},
        "ConsistentRead": true},
    );

    let sqs = load("sqs", "2012-11-05");
    bench(
        c,
        "sqs_send_message",
        &sqs,
        "SendMessage",
        params! {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/my-queue",
        "MessageBody": "hello world",
        "MessageAttributes": params!{"Kind": params!{"DataType": "String", "StringValue": "greeting"}}},
    );
}

criterion_group!(benches, serializers);
criterion_main!(benches);
