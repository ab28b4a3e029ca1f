//! Per-call cost of a typed call against the dynamic `call` with the same parameters: DynamoDB
//! GetItem on the blocking client answered by a stubber (the whole pipeline — validation,
//! endpoint, serialization, signing-free stub answer, result — without a network), and the
//! input side alone (building the request the core prepares).
//!
//! `cargo bench -p sansboto-typed --bench typed_vs_call`
// `criterion_main!` defines an undocumented `pub fn main`.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use sansboto_core::params;
use sansboto_core::Value;
use sansboto_typed::IntoValue;

sansboto_typed::typed!("dynamodb", ["GetItem"]);

use dynamodb::types::{AttributeValue, GetItemInput};
use dynamodb::Dynamodb as _;

fn typed_input() -> GetItemInput {
    GetItemInput {
        table_name: Some("users".into()),
        key: Some(
            [(
                "id".to_string(),
                AttributeValue {
                    s: Some("user-123".into()),
                    ..Default::default()
                },
            )]
            .into_iter()
            .collect(),
        ),
        consistent_read: Some(true),
        ..Default::default()
    }
}

fn dynamic_input() -> Value {
    params! {"TableName": "users", "Key": params!{"id": params!{"S": "user-123"}}, "ConsistentRead": true}
}

fn answer() -> Value {
    params! {"Item": params!{"id": params!{"S": "user-123"}, "name": params!{"S": "Ada"}, "age": params!{"N": "36"}}}
}

fn bench(c: &mut Criterion) {
    let client = sansboto_blocking::Session::new()
        .client("dynamodb")
        .region("us-east-1")
        .credentials("testing", "testing", None)
        .build()
        .expect("client");
    let stubber = client.stubber();
    let stubbed = client.with_stubber(&stubber);

    let mut group = c.benchmark_group("dynamodb GetItem, stubbed");
    group.bench_function("call", |b| {
        b.iter(|| {
            stubber.add_response("GetItem", None, answer()).unwrap();
            let out = stubbed.call("GetItem", dynamic_input()).unwrap();
            black_box(out["Item"]["name"]["S"].as_str().map(str::len))
        })
    });
    group.bench_function("typed", |b| {
        b.iter(|| {
            stubber.add_response("GetItem", None, answer()).unwrap();
            let out = stubbed.get_item(typed_input()).unwrap();
            black_box(
                out.item
                    .and_then(|i| i.get("name").and_then(|n| n.s.clone()))
                    .map(|s| s.len()),
            )
        })
    });
    group.finish();

    let core = client.core();
    let mut group = c.benchmark_group("dynamodb GetItem, request prepared");
    group.bench_function("call", |b| {
        b.iter(|| {
            let mut rng = sansboto_core::machine::SplitMix64(1);
            black_box(core.prepare("GetItem", dynamic_input(), &mut rng).unwrap())
        })
    });
    group.bench_function("typed", |b| {
        b.iter(|| {
            let mut rng = sansboto_core::machine::SplitMix64(1);
            black_box(
                core.prepare("GetItem", typed_input().into_value(), &mut rng)
                    .unwrap(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
