//! Load costs: a first load (gzip decompression of the embedded file) of three large models, the
//! same models' indexes (what a first client reads instead), and a load served from the
//! process-wide cache.
// `criterion_main!` defines an undocumented `pub fn main`.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use sansboto_models::{decompress_embedded, FileKind, Loader};

fn first_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("first_load");
    for service in ["s3", "dynamodb", "ec2"] {
        let size = decompress_embedded(service, None, FileKind::ServiceModel)
            .map(|bytes| bytes.len())
            .unwrap_or(0);
        group.throughput(criterion::Throughput::Bytes(size as u64));
        group.bench_function(service, |b| {
            b.iter(|| decompress_embedded(black_box(service), None, FileKind::ServiceModel))
        });
    }
    group.finish();
}

fn index_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("index_load");
    let loader = Loader::new();
    for service in ["s3", "dynamodb", "ec2"] {
        group.bench_function(service, |b| {
            b.iter(|| loader.load_index(black_box(service), None))
        });
    }
    group.finish();
}

fn cached_load(c: &mut Criterion) {
    let loader = Loader::new();
    // Fill the cache once; every iteration below is a cache hit.
    let _ = loader.load("ec2", None, FileKind::ServiceModel);
    c.bench_function("cached_load/ec2", |b| {
        b.iter(|| loader.load(black_box("ec2"), None, FileKind::ServiceModel))
    });
}

criterion_group!(benches, first_load, index_load, cached_load);
criterion_main!(benches);
