//! The service model reads, checks and builds its shapes lazily, from its JSON text. This walks
//! every shape of every embedded model (latest api version of each service) and compares what
//! was built with the JSON it came from — type, member names and reference targets — so a shape
//! whose lazy build went wrong (and fell back) would be caught.

use std::sync::Arc;

use sansboto_core::model::{ServiceModel, ShapeKind};
use sansboto_models::{FileKind, Loader};

fn kind_name(kind: &ShapeKind) -> &'static str {
    match kind {
        ShapeKind::Structure(_) => "structure",
        ShapeKind::List(_) => "list",
        ShapeKind::Map { .. } => "map",
        ShapeKind::String => "string",
        ShapeKind::Byte => "byte",
        ShapeKind::Short => "short",
        ShapeKind::Integer => "integer",
        ShapeKind::Long => "long",
        ShapeKind::BigInteger => "biginteger",
        ShapeKind::Float => "float",
        ShapeKind::Double => "double",
        ShapeKind::BigDecimal => "bigdecimal",
        ShapeKind::Boolean => "boolean",
        ShapeKind::Blob => "blob",
        ShapeKind::Timestamp => "timestamp",
    }
}

/// botocore's type names, in the spelling [`kind_name`] uses.
fn normalized_type(name: &str) -> String {
    match name {
        "character" => "string".to_string(),
        other => other.to_ascii_lowercase(),
    }
}

#[test]
fn every_lazily_built_shape_matches_its_json() {
    let loader = Loader::new();
    let (mut models, mut shapes, mut members, mut failed_models) = (0usize, 0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for service in loader.services().unwrap() {
        let bytes: Arc<[u8]> = loader.load(&service, None, FileKind::ServiceModel).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let model = ServiceModel::from_shared(bytes).unwrap();
        models += 1;
        let failures_before = failures.len();
        let Some(raw_shapes) = json["shapes"].as_object() else {
            failures.push(format!("{service}: no shapes object"));
            failed_models += 1;
            continue;
        };
        for (id, shape) in model.shapes() {
            shapes += 1;
            assert_eq!(model.shape_id(&shape.name), Some(id));
            let raw = &raw_shapes[&shape.name];
            let expected = normalized_type(raw["type"].as_str().unwrap_or_default());
            if kind_name(&shape.kind) != expected {
                failures.push(format!(
                    "{service}.{}: built as {}, JSON says {expected}",
                    shape.name,
                    kind_name(&shape.kind)
                ));
                continue;
            }
            let target =
                |r: &serde_json::Value| r["shape"].as_str().unwrap_or_default().to_string();
            match &shape.kind {
                ShapeKind::Structure(s) => {
                    let raw_members = raw["members"].as_object();
                    let names: Vec<&String> =
                        raw_members.map(|m| m.keys().collect()).unwrap_or_default();
                    let built: Vec<&String> = s.members.keys().collect();
                    if names != built {
                        failures.push(format!("{service}.{}: members differ", shape.name));
                    }
                    for (name, member) in &s.members {
                        members += 1;
                        let want = raw_members.map(|m| target(&m[name])).unwrap_or_default();
                        if model.shape(member.shape).name != want {
                            failures.push(format!("{service}.{}.{name}: wrong target", shape.name));
                        }
                    }
                }
                ShapeKind::List(item) if model.shape(item.shape).name != target(&raw["member"]) => {
                    failures.push(format!("{service}.{}: wrong list member", shape.name));
                }
                ShapeKind::Map { key, value }
                    if model.shape(key.shape).name != target(&raw["key"])
                        || model.shape(value.shape).name != target(&raw["value"]) =>
                {
                    failures.push(format!("{service}.{}: wrong map key/value", shape.name));
                }
                _ => {}
            }
        }
        if raw_shapes.len() != model.shapes().count() {
            failures.push(format!("{service}: shape count differs"));
        }
        if failures.len() > failures_before {
            failed_models += 1;
        }
    }
    println!(
        "{shapes} shapes and {members} members of {models} models checked, by model: {} passed, {failed_models} failed",
        models - failed_models
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        models > 300 && shapes > 50_000,
        "{models} models, {shapes} shapes"
    );
}
