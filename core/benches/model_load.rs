//! Model load cost, the figure compared with botocore's `create_client`: a first load
//! (decompress the embedded `service-2.json` into a shared buffer + `ServiceModel::from_shared`,
//! which checks the JSON syntax, reads the metadata and indexes operations and shapes by name;
//! those are read, checked and built on first use) for S3, DynamoDB and EC2, and a cached
//! `Session::model` lookup.
//!
//! *first_client* adds what a client's start-up does with the fresh model (`ServiceClient::new`:
//! customizations that scan the model's operations; the parsed endpoint ruleset and partitions
//! are cloned in, not parsed).
//!
//! *check_all* reads, checks and builds every operation and shape of a fresh model (the load
//! not timed).
//!
//! *first_error_code* times the first error code lookup on a fresh model (the load not timed).
//!
//! Run: `cargo bench -p sansboto-core --bench model_load`
// `criterion_main!` defines an undocumented `pub fn main`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use sansboto_core::client::{ClientConfig, ServiceClient};
use sansboto_core::endpoint::{Partitions, RuleSet};
use sansboto_core::model::ServiceModel;
use sansboto_core::session::{DataFile, DataSource, Session, SessionInputs};
use sansboto_models::{decompress_embedded, FileKind, Loader, TopLevelFile};

/// The embedded data as a session's data source.
struct Embedded(Loader);

impl DataSource for Embedded {
    fn service_file(
        &self,
        service: &str,
        api_version: Option<&str>,
        file: DataFile,
    ) -> Result<Arc<[u8]>, String> {
        let kind = match file {
            DataFile::ServiceModel => FileKind::ServiceModel,
            DataFile::EndpointRuleSet => FileKind::EndpointRuleSet,
            DataFile::Paginators => FileKind::Paginators,
            DataFile::Waiters => FileKind::Waiters,
        };
        self.0
            .load(service, api_version, kind)
            .map_err(|e| e.to_string())
    }
    fn partitions(&self) -> Result<Arc<[u8]>, String> {
        self.0
            .load_top_level(TopLevelFile::Partitions)
            .map_err(|e| e.to_string())
    }
    fn retry_config(&self) -> Result<Arc<[u8]>, String> {
        self.0
            .load_top_level(TopLevelFile::Retry)
            .map_err(|e| e.to_string())
    }
    fn services(&self) -> Result<Vec<String>, String> {
        self.0.services().map_err(|e| e.to_string())
    }
}

fn model_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("model_load");
    for service in ["s3", "dynamodb", "ec2"] {
        let json = decompress_embedded(service, None, FileKind::ServiceModel).unwrap();
        // What `Session::model` does on a first load: decompress into a shared buffer (as
        // `Loader::load` does), which the model keeps without copying.
        group.bench_function(format!("first_load/{service}"), |b| {
            b.iter(|| {
                let json =
                    decompress_embedded(black_box(service), None, FileKind::ServiceModel).unwrap();
                ServiceModel::from_shared(json).unwrap()
            })
        });
        group.bench_function(format!("from_json/{service}"), |b| {
            b.iter(|| ServiceModel::from_json(black_box(&json)).unwrap())
        });
        // The parts of a first load, measured apart: decompression alone, and a serde pass
        // that validates the JSON and builds nothing (the floor for any full parse).
        group.bench_function(format!("decompress/{service}"), |b| {
            b.iter(|| {
                decompress_embedded(black_box(service), None, FileKind::ServiceModel).unwrap()
            })
        });
        group.bench_function(format!("json_skim/{service}"), |b| {
            b.iter(|| serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&json)).unwrap())
        });
        // Every operation and shape read and built (the load itself not timed): the raw
        // readers' own speed, which a first load skips and each first use of a shape pays.
        group.bench_function(format!("check_all/{service}"), |b| {
            b.iter_batched(
                || ServiceModel::from_json(&json).unwrap(),
                |model| model.check_all().unwrap(),
                criterion::BatchSize::LargeInput,
            )
        });
    }
    let loader = Loader::new();
    let partitions =
        Partitions::from_json(&loader.load_top_level(TopLevelFile::Partitions).unwrap()).unwrap();
    for service in ["s3", "ec2"] {
        let ruleset = RuleSet::from_json(
            &loader
                .load(service, None, FileKind::EndpointRuleSet)
                .unwrap(),
        )
        .unwrap();
        group.bench_function(format!("first_client/{service}"), |b| {
            b.iter(|| {
                let json =
                    decompress_embedded(black_box(service), None, FileKind::ServiceModel).unwrap();
                let model = ServiceModel::from_shared(json).unwrap();
                let mut config = ClientConfig::default();
                config.endpoint.region = Some("us-east-1".into());
                ServiceClient::new(
                    service,
                    model,
                    Some(ruleset.clone()),
                    partitions.clone(),
                    config,
                )
                .unwrap()
            })
        });
    }
    // The first error response's code lookup on a fresh model (the load itself not timed):
    // the code → exception shape index is made then. (`iam` models exception shapes; `ec2`
    // models none, so its index is empty, but the model's text is still searched.)
    for (service, code) in [
        ("ec2", "InvalidInstanceID.NotFound"),
        ("iam", "NoSuchEntity"),
    ] {
        let json = decompress_embedded(service, None, FileKind::ServiceModel).unwrap();
        group.bench_function(format!("first_error_code/{service}"), |b| {
            b.iter_batched(
                || ServiceModel::from_shared(json.clone()).unwrap(),
                |model| {
                    black_box(model.error_shape_for_code(black_box(code)));
                    model
                },
                criterion::BatchSize::PerIteration,
            )
        });
    }
    let session =
        Session::new(SessionInputs::default(), Arc::new(Embedded(Loader::new()))).unwrap();
    session.model("ec2", None).unwrap();
    group.bench_function("cached_session_model/ec2", |b| {
        b.iter(|| session.model(black_box("ec2"), None).unwrap())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    targets = model_load
}
criterion_main!(benches);
