//! Endpoint resolution cost: S3 PutObject (virtual-hosted bucket) and DynamoDB GetItem, with the
//! parameters botocore binds for those calls, against the real 1.44.5 rulesets.
//!
//! Reads the botocore sdist from `SANSBOTO_BOTOCORE_DIR` or `<workspace>/.cache/botocore-<ver>`.
// `criterion_main!` defines an undocumented `pub fn main`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use sansboto_core::endpoint::{EndpointParams, EndpointResolver, Partitions, RuleSet};

fn data_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::var_os("SANSBOTO_BOTOCORE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let version = std::fs::read_to_string(root.join("models/BOTOCORE_VERSION"))
                .expect("models/BOTOCORE_VERSION");
            root.join(format!(".cache/botocore-{}", version.trim()))
        });
    dir.join("botocore/data")
}

fn read(path: PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn bench(c: &mut Criterion) {
    let data = data_dir();
    let partitions =
        Partitions::from_json(&read(data.join("partitions.json"))).expect("partitions");
    let s3_json = read(data.join("s3/2006-03-01/endpoint-rule-set-1.json"));
    let ddb_json = read(data.join("dynamodb/2012-08-10/endpoint-rule-set-1.json"));
    let s3 = EndpointResolver::new(
        RuleSet::from_json(&s3_json).expect("s3"),
        partitions.clone(),
    );
    let ddb = EndpointResolver::new(RuleSet::from_json(&ddb_json).expect("ddb"), partitions);

    let put_object = EndpointParams::new()
        .with("Bucket", "my-bucket")
        .with("Key", "photos/cat.jpg")
        .with("Region", "us-west-2")
        .with("UseFIPS", false)
        .with("UseDualStack", false)
        .with("ForcePathStyle", false)
        .with("Accelerate", false)
        .with("UseGlobalEndpoint", false)
        .with("DisableMultiRegionAccessPoints", false);
    let get_item = EndpointParams::new()
        .with("Region", "us-east-1")
        .with("UseFIPS", false)
        .with("UseDualStack", false)
        .with("AccountIdEndpointMode", "preferred")
        .with("ResourceArn", "my-table");

    let endpoint = s3.resolve(&put_object).expect("s3 resolves");
    assert_eq!(endpoint.url, "https://my-bucket.s3.us-west-2.amazonaws.com");
    let endpoint = ddb.resolve(&get_item).expect("dynamodb resolves");
    assert_eq!(endpoint.url, "https://dynamodb.us-east-1.amazonaws.com");

    c.bench_function("resolve s3 PutObject (virtual-hosted)", |b| {
        b.iter(|| s3.resolve(black_box(&put_object)))
    });
    c.bench_function("resolve dynamodb GetItem", |b| {
        b.iter(|| ddb.resolve(black_box(&get_item)))
    });
    c.bench_function("prepare s3 ruleset", |b| {
        b.iter(|| RuleSet::from_json(black_box(&s3_json)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
