//! S3 responses with arbitrary status, headers and body through the whole client-side parse
//! (`ServiceClient::parse_operation`): the `BeforeParse` hooks (the 200-error check that reads
//! only the root element, `Expires`, GetBucketLocation), the re-read of a 200 that fails to
//! parse as a 500, the parse, and the `AfterCall`/`OnError` hooks (ListObjects key decoding).
//! Every input must give a value or an error, never a panic. Inputs are read as `parse_xml`'s,
//! so its corpus is a good start.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use sansboto_core::Body;
use sansboto_fuzz::{client, FuzzResponse};

const OPERATIONS: &[&str] = &[
    "ListObjectsV2",
    "ListObjects",
    "GetObject",
    "HeadObject",
    "CopyObject",
    "CompleteMultipartUpload",
    "DeleteObjects",
    "GetBucketLocation",
    "ListBuckets",
    "UploadPartCopy",
];

fuzz_target!(|data: &[u8]| {
    let Some(input) = FuzzResponse::from_bytes(data, &[("content-type", "application/xml")]) else {
        return;
    };
    let operation = OPERATIONS[input.operation as usize % OPERATIONS.len()];
    let mut response = http::Response::new(Body::from(Bytes::copy_from_slice(input.body)));
    let Ok(status) = http::StatusCode::from_u16(input.status) else {
        return;
    };
    *response.status_mut() = status;
    *response.headers_mut() = input.headers;
    let _ = client("s3").parse_operation(operation, response, 0);
});
