//! Chooses which services' data are compiled in. By default every service botocore ships is
//! (the checked-in `src/embedded_table.rs`). With `SANSBOTO_SERVICES=s3,dynamodb` in the build's
//! environment, only those services — plus the ones the credential chain calls itself — are:
//! this script writes a copy of the table without the other services' rows into `OUT_DIR` and
//! sets `cfg(sansboto_services_subset)`, which makes `lib.rs` compile that copy instead. A
//! program then carries a few hundred kilobytes of data instead of every model.

use std::env;
use std::fs;
use std::path::PathBuf;

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
    let out = subset(&table, &wanted);
    let path = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("embedded_table.rs");
    fs::write(&path, out).expect("write the embedded table subset");
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
