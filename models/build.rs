//! Chooses which services' data are compiled in. By default every service botocore ships is
//! (the checked-in `src/embedded_table.rs`). With `SANSBOTO_SERVICES=s3,dynamodb` in the build's
//! environment, only those services — plus the ones the credential chain calls itself — are:
//! this script writes a copy of the table without the other services' rows into `OUT_DIR` and
//! sets `cfg(sansboto_services_subset)`, which makes `lib.rs` compile that copy instead. A
//! program then carries a few hundred kilobytes of data instead of every model.
//!
//! The subset also cuts `endpoints.json` (botocore's legacy endpoint table, 43 KB compressed,
//! which no client reads: only `Loader::load_top_level` hands it out) to the entries of the
//! embedded services, written gzip-compressed beside the table.

use std::env;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Services the core calls on its own while resolving credentials (AssumeRole and web identity,
/// SSO role credentials, SSO token refresh, `login`): always kept, so a profile using them works
/// in every build.
const ALWAYS: &[&str] = &["signin", "sso", "sso-oidc", "sts"];

/// The table's per-service lists; rows of `TOP_LEVEL` and `SERVICE_ALIASES` are always kept.
const FILTERED_TABLES: &[&str] = &[
    "pub(crate) static FILES",
    "pub(crate) static INDEXES",
    "pub(crate) static DOCS",
];

fn main() {
    println!("cargo:rerun-if-env-changed=SANSBOTO_SERVICES");
    println!("cargo:rerun-if-changed=src/embedded_table.rs");
    println!("cargo:rustc-check-cfg=cfg(sansboto_services_subset)");
    let list = env::var("SANSBOTO_SERVICES").unwrap_or_default();
    let list = list.trim();
    if list.is_empty() || list == "all" {
        return;
    }
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let mut wanted: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .chain(ALWAYS.iter().copied())
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    for service in &wanted {
        // Names are botocore's directory names; a typo would otherwise build a program that
        // fails at run time.
        if !manifest.join("data").join(service).is_dir() {
            panic!(
                "SANSBOTO_SERVICES names `{service}`, which is not one of botocore's services \
                 (a directory of models/data/)"
            );
        }
    }
    let table = fs::read_to_string(manifest.join("src/embedded_table.rs"))
        .expect("read src/embedded_table.rs");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let endpoints =
        gunzip(&fs::read(manifest.join("data/endpoints.json.gz")).expect("read endpoints"));
    let keys = endpoint_keys(&manifest.join("data"), &wanted);
    let endpoints = endpoints_subset(&endpoints, &keys).expect("endpoints.json subset");
    fs::write(out_dir.join("endpoints.json.gz"), gzip(&endpoints))
        .expect("write endpoints.json.gz");
    let out = with_endpoints_from_out_dir(&subset(&table, &wanted));
    fs::write(out_dir.join("embedded_table.rs"), out).expect("write the embedded table subset");
    println!("cargo:rustc-cfg=sansboto_services_subset");
}

/// `table` without the `FILES`/`DOCS` rows of services not in `wanted` (sorted), with the data
/// paths made absolute (the copy lives in `OUT_DIR`, not beside `data/`).
pub(crate) fn subset(table: &str, wanted: &[&str]) -> String {
    let mut out = String::with_capacity(table.len());
    let mut filtering = false;
    for line in table.lines() {
        if line.starts_with("pub(crate) static") {
            filtering = FILTERED_TABLES.iter().any(|t| line.starts_with(t));
        }
        if filtering {
            if let Some(service) = row_service(line) {
                if wanted.binary_search(&service).is_err() {
                    continue;
                }
            }
        }
        out.push_str(&absolute_data_path(line));
        out.push('\n');
    }
    out
}

/// A row's `include_bytes!("../data/…")` as `include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"),
/// "/data/…"))`, whatever the file's name ends with; other lines as they are.
fn absolute_data_path(line: &str) -> String {
    const RELATIVE: &str = "include_bytes!(\"../data/";
    let Some((head, rest)) = line.split_once(RELATIVE) else {
        return line.to_string();
    };
    let Some((path, tail)) = rest.split_once("\")") else {
        return line.to_string();
    };
    format!("{head}include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/data/{path}\")){tail}")
}

/// The service of a generated row: `    ("s3", "2006-03-01", …` gives `s3`.
fn row_service(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("(\"")?;
    line.contains("include_bytes!")
        .then(|| rest.split('"').next())
        .flatten()
}

/// The `services` keys of `endpoints.json` that concern `wanted`: each service's name and its
/// model's `endpointPrefix` (botocore looks the table up by the prefix: `sso` is `portal.sso`,
/// `sso-oidc` is `oidc`), read from every api version's `service-2.json.gz` under `data`.
pub(crate) fn endpoint_keys(data: &Path, wanted: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for service in wanted {
        keys.push(service.to_string());
        let dir = data.join(service);
        let versions = fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
        for version in versions {
            let model = version
                .expect("a data directory entry")
                .path()
                .join("service-2.json.gz");
            let Ok(gz) = fs::read(&model) else { continue };
            let model: serde_json::Value = serde_json::from_slice(&gunzip(&gz))
                .unwrap_or_else(|e| panic!("{}: {e}", model.display()));
            if let Some(prefix) = model["metadata"]["endpointPrefix"].as_str() {
                keys.push(prefix.to_string());
            }
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// `endpoints.json` (its JSON text) with each partition's `services` cut to `keys`, in the
/// original order; everything else (partition defaults, regions, the version) as it is. Written
/// compact, as `models/update` writes the data.
pub(crate) fn endpoints_subset(json: &[u8], keys: &[String]) -> Result<Vec<u8>, String> {
    let mut doc: serde_json::Value = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    let partitions = doc
        .get_mut("partitions")
        .and_then(serde_json::Value::as_array_mut)
        .ok_or("endpoints.json has no partitions list")?;
    for partition in partitions {
        if let Some(services) = partition
            .get_mut("services")
            .and_then(serde_json::Value::as_object_mut)
        {
            services.retain(|name, _| keys.binary_search(name).is_ok());
        }
    }
    serde_json::to_vec(&doc).map_err(|e| e.to_string())
}

/// The subset table with its `endpoints` row reading the cut `endpoints.json.gz` that `main`
/// writes into `OUT_DIR`.
pub(crate) fn with_endpoints_from_out_dir(table: &str) -> String {
    let mut out = String::with_capacity(table.len());
    for line in table.lines() {
        if line
            .trim_start()
            .starts_with("(\"endpoints\", include_bytes!(")
        {
            out.push_str(
                "    (\"endpoints\", include_bytes!(concat!(env!(\"OUT_DIR\"), \"/endpoints.json.gz\"))),",
            );
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

fn gunzip(gz: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut out)
        .expect("a gzip data file");
    out
}

/// gzip at the best level with no file name and mtime 0, so the build is reproducible.
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("gzip into memory");
    encoder.finish().expect("gzip into memory")
}
