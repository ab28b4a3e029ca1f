//! Arbitrary parameters into the S3 endpoint ruleset (the largest one): resolution and the
//! `authSchemes` property must give Ok or Err, never a panic or a hang.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use sansboto_core::endpoint::{EndpointParams, EndpointResolver};

#[derive(Arbitrary, Debug)]
struct Input {
    strings: Vec<(u8, String)>,
    flags: Vec<(u8, bool)>,
    arrays: Vec<(u8, Vec<String>)>,
}

const STRING_PARAMS: &[&str] = &[
    "Bucket",
    "Region",
    "Endpoint",
    "Key",
    "Prefix",
    "CopySource",
    "DisableS3ExpressSessionAuth",
    "UseS3ExpressControlEndpoint",
];
const BOOL_PARAMS: &[&str] = &[
    "UseFIPS",
    "UseDualStack",
    "ForcePathStyle",
    "Accelerate",
    "UseGlobalEndpoint",
    "UseObjectLambdaEndpoint",
    "DisableAccessPoints",
    "DisableMultiRegionAccessPoints",
    "UseArnRegion",
    "UseS3ExpressControlEndpoint",
    "DisableS3ExpressSessionAuth",
];

fn resolver() -> &'static EndpointResolver {
    static RESOLVER: OnceLock<EndpointResolver> = OnceLock::new();
    RESOLVER.get_or_init(|| {
        EndpointResolver::new(sansboto_fuzz::ruleset("s3"), sansboto_fuzz::partitions())
    })
}

fuzz_target!(|input: Input| {
    let mut params = EndpointParams::new();
    for (index, value) in input.strings {
        params.insert(STRING_PARAMS[index as usize % STRING_PARAMS.len()], value);
    }
    for (index, value) in input.flags {
        params.insert(BOOL_PARAMS[index as usize % BOOL_PARAMS.len()], value);
    }
    for (_, value) in input.arrays {
        params.insert("DeleteObjectKeys", value);
    }
    if let Ok(endpoint) = resolver().resolve(&params) {
        let _ = endpoint.auth_schemes();
    }
});
