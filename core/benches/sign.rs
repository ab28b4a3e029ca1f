//! Signing cost per request (S3 PutObject with a 1 KiB body, DynamoDB GetItem-like POST) and
//! payload hashing throughput (our path vs raw `sha2` over 64 MiB).
// `criterion_main!` defines an undocumented `pub fn main`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sansboto_core::auth::sigv4::{
    self, PayloadHash, SigningKeyCache, SigningParams, SigningSettings,
};
use sansboto_core::auth::Credentials;
use sansboto_core::Body;
use sha2::{Digest, Sha256};

fn time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn creds() -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some("FwoGZXIvYXdzEBYaDSESSIONTOKENEXAMPLE".into()),
        None,
    )
}

fn put_object(body: &Bytes) -> http::Request<Body> {
    http::Request::put(
        "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2024/cat%20picture.jpg",
    )
    .header("content-type", "image/jpeg")
    .header("content-length", body.len())
    .header("user-agent", "sansboto/0.1")
    .header("x-amz-meta-owner", "someone")
    .body(Body::Bytes(body.clone()))
    .unwrap()
}

fn get_item(body: &Bytes) -> http::Request<Body> {
    http::Request::post("https://dynamodb.us-east-1.amazonaws.com/")
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", "DynamoDB_20120810.GetItem")
        .header("content-length", body.len())
        .header("user-agent", "sansboto/0.1")
        .body(Body::Bytes(body.clone()))
        .unwrap()
}

fn bench_sign(c: &mut Criterion) {
    let cache = SigningKeyCache::default();
    let credentials = creds();
    let kib = Bytes::from(vec![b'x'; 1024]);
    let s3 = SigningParams {
        signing_name: "s3",
        region: "us-east-1",
        time: time(),
        payload: PayloadHash::ComputeSha256,
        settings: SigningSettings::s3(),
    };
    c.bench_function("sigv4 s3 PutObject 1KiB", |b| {
        b.iter_batched(
            || put_object(&kib),
            |mut req| {
                sigv4::sign(&mut req, &credentials, &s3, &cache).map(|o| black_box(o.signature))
            },
            criterion::BatchSize::SmallInput,
        )
    });

    let json = Bytes::from_static(br#"{"TableName":"Music","Key":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"}}}"#);
    let ddb = SigningParams {
        signing_name: "dynamodb",
        region: "us-east-1",
        time: time(),
        payload: PayloadHash::ComputeSha256,
        settings: SigningSettings::default(),
    };
    c.bench_function("sigv4 dynamodb GetItem", |b| {
        b.iter_batched(
            || get_item(&json),
            |mut req| {
                sigv4::sign(&mut req, &credentials, &ddb, &cache).map(|o| black_box(o.signature))
            },
            criterion::BatchSize::SmallInput,
        )
    });
}

fn bench_payload_hash(c: &mut Criterion) {
    let big = Bytes::from(vec![0xa5u8; 64 << 20]);
    let cache = SigningKeyCache::default();
    let credentials = creds();
    let params = SigningParams {
        signing_name: "s3",
        region: "us-east-1",
        time: time(),
        payload: PayloadHash::ComputeSha256,
        settings: SigningSettings::s3(),
    };
    let mut group = c.benchmark_group("sha256 64MiB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(big.len() as u64));
    group.bench_function("raw sha2", |b| {
        b.iter(|| black_box(Sha256::digest(&big[..])))
    });
    group.bench_function("sign PutObject 64MiB", |b| {
        b.iter_batched(
            || put_object(&big),
            |mut req| {
                sigv4::sign(&mut req, &credentials, &params, &cache).map(|o| black_box(o.signature))
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
    targets = bench_sign, bench_payload_hash
}
criterion_main!(benches);
