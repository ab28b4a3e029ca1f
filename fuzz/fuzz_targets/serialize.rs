//! Arbitrary JSON parameters → `Value` → `ServiceClient::prepare` (validation, endpoint, serializer,
//! checksums) and, when that succeeds, `sign`: every input must give Ok or Err, never a panic.
//! The first byte picks the operation; the rest is the parameters' JSON text.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use sansboto_core::auth::{Credentials, Identity};
use sansboto_core::machine::SplitMix64;
use sansboto_core::Value;

const OPERATIONS: &[(&str, &str)] = &[
    ("s3", "PutObject"),
    ("s3", "ListObjectsV2"),
    ("s3", "CompleteMultipartUpload"),
    ("s3", "DeleteObjects"),
    ("s3", "PutBucketTagging"),
    ("s3", "CopyObject"),
    ("dynamodb", "PutItem"),
    ("dynamodb", "Query"),
    ("sqs", "SendMessage"),
    ("sqs", "SendMessageBatch"),
    ("ec2", "RunInstances"),
    ("ec2", "DescribeInstances"),
    ("sts", "AssumeRole"),
    ("lambda", "Invoke"),
    ("lambda", "CreateFunction"),
    ("cloudwatch", "PutMetricData"),
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, json)) = data.split_first() else {
        return;
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    let (service, operation) = OPERATIONS[*selector as usize % OPERATIONS.len()];
    let client = sansboto_fuzz::client(service);
    let mut rng = SplitMix64(7);
    let Ok(prepared) = client.prepare(operation, Value::from(json), &mut rng) else {
        return;
    };
    let credentials = Credentials::new("AKIDEXAMPLE", "secret", Some("token".into()), None);
    let _ = client.sign(
        &prepared,
        Identity::Credentials(&credentials),
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        None,
    );
});
