//! rest-xml (S3), query (STS, SNS, IAM) and ec2 responses with arbitrary status, headers and
//! body through `parse_response`: every input must give a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansboto_fuzz::parse_any;

const OPERATIONS: &[(&str, &str)] = &[
    ("s3", "ListObjectsV2"),
    ("s3", "GetObject"),
    ("s3", "HeadObject"),
    ("s3", "PutObject"),
    ("s3", "GetBucketAcl"),
    ("s3", "CompleteMultipartUpload"),
    ("s3", "DeleteObjects"),
    ("s3", "GetBucketLocation"),
    ("s3", "ListBuckets"),
    ("s3", "GetBucketLifecycleConfiguration"),
    ("sts", "AssumeRole"),
    ("sns", "Publish"),
    ("iam", "ListUsers"),
    ("cloudformation", "DescribeStacks"),
    ("ec2", "DescribeInstances"),
    ("ec2", "RunInstances"),
    ("ec2", "DescribeVpcs"),
    ("ec2", "CreateTags"),
];

fuzz_target!(|data: &[u8]| {
    parse_any(data, OPERATIONS, &[("content-type", "text/xml")]);
});
