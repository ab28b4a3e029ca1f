//! awsJson (DynamoDB, SQS with awsQueryCompatible) and rest-json (Lambda) responses with arbitrary
//! status, headers and body through `parse_response`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansboto_fuzz::parse_any;

const OPERATIONS: &[(&str, &str)] = &[
    ("dynamodb", "GetItem"),
    ("dynamodb", "Query"),
    ("dynamodb", "BatchGetItem"),
    ("dynamodb", "DescribeTable"),
    ("sqs", "ReceiveMessage"),
    ("sqs", "SendMessage"),
    ("lambda", "Invoke"),
    ("lambda", "ListFunctions"),
    ("lambda", "GetFunction"),
    ("lambda", "CreateFunction"),
];

fuzz_target!(|data: &[u8]| {
    parse_any(
        data,
        OPERATIONS,
        &[("content-type", "application/x-amz-json-1.0")],
    );
});
