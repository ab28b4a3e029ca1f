//! The CBOR decoder (decode, then re-encode and compare) and smithy-rpc-v2-cbor responses of
//! CloudWatch (its model lists `smithy-rpc-v2-cbor` first) through `parse_response`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansboto_fuzz::parse_any;

const OPERATIONS: &[(&str, &str)] = &[
    ("cloudwatch", "GetMetricData"),
    ("cloudwatch", "DescribeAlarms"),
    ("cloudwatch", "ListMetrics"),
    ("cloudwatch", "GetMetricStatistics"),
    ("cloudwatch", "PutMetricData"),
];

fuzz_target!(|data: &[u8]| {
    // The whole input through the decoder, then the same bytes as a response.
    sansboto_core::protocol::cbor::fuzz_decode(data);
    parse_any(
        data,
        OPERATIONS,
        &[
            ("content-type", "application/cbor"),
            ("smithy-protocol", "rpc-v2-cbor"),
        ],
    );
});
