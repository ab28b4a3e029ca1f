//! sansboto-models against the pinned botocore sdist: every embedded service and api version is
//! present, decompresses to JSON whose operations' input/output shapes exist, and matches the
//! sdist's service list, versions and operation names; the data path overrides embedded data.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sansboto_models::{FileKind, Loader, ModelsError, Origin, TopLevelFile};
use serde_json::Value;

fn botocore_data() -> PathBuf {
    sansboto_tests::botocore_dir().join("botocore/data")
}

fn sorted_dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// botocore's `list_api_versions(service, 'service-2')` on the sdist.
fn sdist_model_versions(service: &str) -> Vec<String> {
    let dir = botocore_data().join(service);
    sorted_dir_names(&dir)
        .into_iter()
        .filter(|version| dir.join(version).join("service-2.json").is_file())
        .collect()
}

fn parse(bytes: &[u8], what: &str) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{what}: invalid JSON: {e}"))
}

#[test]
fn service_list_matches_botocore() {
    let sdist: Vec<String> = sorted_dir_names(&botocore_data())
        .into_iter()
        .filter(|service| !sdist_model_versions(service).is_empty())
        .collect();
    let loader = Loader::new();
    let embedded = loader.services().unwrap();
    assert_eq!(
        embedded,
        sdist,
        "embedded services differ from botocore {}",
        sansboto_models::BOTOCORE_VERSION
    );
    assert!(embedded.len() > 400, "{} services", embedded.len());
    for service in &embedded {
        assert_eq!(
            loader
                .api_versions(service, FileKind::ServiceModel)
                .unwrap(),
            sdist_model_versions(service),
            "api versions of {service}"
        );
    }
    // Every alias points at a listed service.
    for (alias, target) in sansboto_models::service_aliases() {
        assert!(embedded.iter().any(|s| s == target), "{alias} -> {target}");
    }
    assert_eq!(
        sansboto_models::resolve_alias("runtime.sagemaker"),
        "sagemaker-runtime"
    );
    println!("services: {} passed, 0 failed", embedded.len());
}

/// Checks one embedded service model against the JSON-level invariants and botocore's own file.
fn check_model(loader: &Loader, service: &str, version: &str, failures: &mut Vec<String>) {
    let what = format!("{service}/{version}/service-2");
    let model = parse(
        &loader
            .load(service, Some(version), FileKind::ServiceModel)
            .unwrap(),
        &what,
    );
    if !model["metadata"].is_object() {
        failures.push(format!("{what}: no metadata"));
    }
    let (Some(operations), Some(shapes)) =
        (model["operations"].as_object(), model["shapes"].as_object())
    else {
        failures.push(format!("{what}: operations or shapes missing"));
        return;
    };
    for (name, operation) in operations {
        for side in ["input", "output"] {
            if let Some(shape) = operation.get(side) {
                match shape["shape"].as_str() {
                    Some(shape) if shapes.contains_key(shape) => {}
                    other => failures.push(format!(
                        "{what}: {name} {side} shape {other:?} does not resolve"
                    )),
                }
            }
        }
        if operation.get("documentation").is_some_and(Value::is_string) {
            failures.push(format!("{what}: {name} still has documentation"));
        }
    }
    // The same operations and shapes as botocore's own file.
    let raw_path = botocore_data()
        .join(service)
        .join(version)
        .join("service-2.json");
    let raw = parse(
        &std::fs::read(&raw_path).unwrap(),
        &raw_path.display().to_string(),
    );
    let raw_ops: BTreeSet<&String> = raw["operations"].as_object().unwrap().keys().collect();
    if raw_ops != operations.keys().collect() {
        failures.push(format!("{what}: operations differ from the sdist"));
    }
    let raw_shapes: BTreeSet<&String> = raw["shapes"].as_object().unwrap().keys().collect();
    if !raw_shapes.iter().all(|name| shapes.contains_key(*name)) {
        failures.push(format!("{what}: shapes lost"));
    }
    if raw["metadata"] != model["metadata"] {
        failures.push(format!("{what}: metadata differs from the sdist"));
    }
}

#[test]
fn every_model_resolves_and_matches_the_sdist() {
    let loader = Loader::new();
    let (mut models, mut files, mut failures) = (0usize, 0usize, Vec::new());
    for service in loader.services().unwrap() {
        for version in loader
            .api_versions(&service, FileKind::ServiceModel)
            .unwrap()
        {
            models += 1;
            let before = failures.len();
            check_model(&loader, &service, &version, &mut failures);
            for kind in [
                FileKind::EndpointRuleSet,
                FileKind::Paginators,
                FileKind::Waiters,
            ] {
                let on_disk = botocore_data()
                    .join(&service)
                    .join(&version)
                    .join(format!("{}.json", kind.file_name()));
                match loader.load(&service, Some(&version), kind) {
                    Ok(bytes) => {
                        parse(&bytes, &format!("{service}/{version}/{}", kind.file_name()));
                        files += 1;
                    }
                    Err(ModelsError::NotFound { .. }) if !on_disk.is_file() => {}
                    Err(e) => failures.push(e.to_string()),
                }
            }
            if failures.len() > before {
                models -= 1;
                failures.truncate(before + 1); // one line per failing version is enough
            }
        }
    }
    for file in TopLevelFile::ALL {
        parse(&loader.load_top_level(file).unwrap(), file.file_name());
        files += 1;
    }
    for failure in &failures {
        eprintln!("FAIL {failure}");
    }
    println!(
        "models: {models} passed, {} failed ({files} other files parsed)",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failing model versions",
        failures.len()
    );
}

#[test]
fn sdk_extras_merged_and_member_named_documentation_url_kept() {
    let loader = Loader::new();
    let s3 = parse(
        &loader.load("s3", None, FileKind::ServiceModel).unwrap(),
        "s3",
    );
    assert_eq!(s3["shapes"]["Expires"]["type"], "timestamp");
    let pages = parse(
        &loader.load("s3", None, FileKind::Paginators).unwrap(),
        "s3 paginators",
    );
    assert!(pages["pagination"]["ListObjectsV2"]["non_aggregate_keys"].is_array());
    // Some shapes have a member named documentationUrl (an object): stripping must keep it.
    let mut members_kept = 0;
    for service in loader.services().unwrap() {
        let versions = loader
            .api_versions(&service, FileKind::ServiceModel)
            .unwrap();
        let latest = versions.last().unwrap();
        let raw_path = botocore_data()
            .join(&service)
            .join(latest)
            .join("service-2.json");
        let raw_text = std::fs::read_to_string(&raw_path).unwrap();
        if !raw_text.contains("\"documentationUrl\":{")
            && !raw_text.contains("\"documentationUrl\": {")
        {
            continue;
        }
        let raw = parse(raw_text.as_bytes(), &service);
        let ours = parse(
            &loader.load(&service, None, FileKind::ServiceModel).unwrap(),
            &service,
        );
        for (name, shape) in raw["shapes"].as_object().unwrap() {
            if shape["members"]["documentationUrl"].is_object() {
                assert_eq!(
                    ours["shapes"][name]["members"]["documentationUrl"]["shape"],
                    shape["members"]["documentationUrl"]["shape"],
                    "{service} {name}"
                );
                members_kept += 1;
            }
        }
    }
    assert!(
        members_kept > 0,
        "no member named documentationUrl found to check"
    );
}

/// A scratch data directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "sansboto-tests-models-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn custom_model_on_the_data_path_wins() {
    let dir = TempDir::new("wins");
    let custom = br#"{"metadata":{"apiVersion":"2011-06-15","protocol":"query"},"operations":{"Custom":{"name":"Custom"}},"shapes":{}}"#;
    dir.write("sts/2011-06-15/service-2.json", custom);
    let loader = Loader::new().with_data_path(&dir.0);
    let model = parse(
        &loader.load("sts", None, FileKind::ServiceModel).unwrap(),
        "sts",
    );
    assert!(model["operations"]["Custom"].is_object());
    assert!(model["operations"]["AssumeRole"].is_null());
    // Without the data path the embedded model is served.
    let embedded = parse(
        &Loader::new()
            .load("sts", None, FileKind::ServiceModel)
            .unwrap(),
        "sts",
    );
    assert!(embedded["operations"]["AssumeRole"].is_object());
}

#[test]
fn truncated_gzip_on_the_data_path_is_a_named_error() {
    let dir = TempDir::new("truncated");
    // The committed, known-good s3 model, cut short.
    let gz = std::fs::read(
        sansboto_tests::workspace_root().join("models/data/s3/2006-03-01/service-2.json.gz"),
    )
    .unwrap();
    dir.write("s3/2006-03-01/service-2.json.gz", &gz[..gz.len() - 100]);
    let loader = Loader::new().with_data_path(&dir.0);
    match loader.load("s3", None, FileKind::ServiceModel) {
        Err(ModelsError::Corrupt {
            data,
            origin: Origin::Path(path),
            reason,
        }) => {
            assert_eq!(data.to_string(), "s3/2006-03-01/service-2");
            assert!(path.starts_with(&dir.0), "{}", path.display());
            assert!(!reason.is_empty());
        }
        other => panic!("expected a Corrupt error, got {other:?}"),
    }
    // The whole file from a data path loads and equals the embedded model (its sdk-extras are
    // merged a second time, which changes nothing).
    dir.write("s3/2006-03-01/service-2.json.gz", &gz);
    let from_path = Loader::new().with_data_path(&dir.0);
    let a = parse(
        &from_path.load("s3", None, FileKind::ServiceModel).unwrap(),
        "s3",
    );
    let b = parse(
        &Loader::new()
            .load("s3", None, FileKind::ServiceModel)
            .unwrap(),
        "s3",
    );
    assert_eq!(a, b);
}

#[test]
fn index_file_matches_the_embedded_data() {
    let index_path = sansboto_tests::workspace_root().join("models/data/index.json");
    let index = parse(&std::fs::read(&index_path).unwrap(), "index.json");
    assert_eq!(
        index["botocore_version"],
        sansboto_tests::botocore_version()
    );
    assert_eq!(index["botocore_version"], sansboto_models::BOTOCORE_VERSION);
    let loader = Loader::new();
    let mut checked = 0;
    for (service, versions) in index["services"].as_object().unwrap() {
        for (version, files) in versions.as_object().unwrap() {
            for kind in FileKind::ALL {
                let listed = files
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f == kind.file_name());
                assert_eq!(
                    loader.load(service, Some(version), kind).is_ok(),
                    listed,
                    "{service}/{version}/{}",
                    kind.file_name()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 1500);
    for (alias, target) in sansboto_models::service_aliases() {
        assert_eq!(index["aliases"][alias], *target);
    }
}
