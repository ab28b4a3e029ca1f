//! The build script's `SANSBOTO_SERVICES` subset of the embedded table (build.rs), run on the
//! real generated table: the rows kept, the rows dropped, and the data paths it rewrites.

#[allow(dead_code)]
#[path = "../build.rs"]
mod build;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

fn table() -> String {
    std::fs::read_to_string(format!("{MANIFEST}/src/embedded_table.rs")).unwrap()
}

/// The data paths a (subset) table names, made absolute.
fn included_paths(table: &str) -> Vec<String> {
    let marker = "include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"";
    table
        .lines()
        .filter_map(|l| l.split_once(marker))
        .map(|(_, rest)| format!("{MANIFEST}{}", rest.split('"').next().unwrap()))
        .collect()
}

#[test]
fn keeps_only_the_chosen_services_and_the_top_level_files() {
    let full = table();
    let out = build::subset(&full, &["s3", "signin", "sso", "sso-oidc", "sts"]);
    let services: std::collections::BTreeSet<&str> = out
        .lines()
        .filter(|l| {
            l.contains("include_bytes!")
                && !l.contains("/data/_")
                && !l.contains("/data/endpoints")
                && !l.contains("/data/partitions")
                && !l.contains("/data/sdk-default")
        })
        .filter_map(|l| l.trim_start().strip_prefix("(\"")?.split('"').next())
        .collect();
    assert_eq!(
        services.into_iter().collect::<Vec<_>>(),
        ["s3", "signin", "sso", "sso-oidc", "sts"]
    );
    // Every top-level file, the alias table and the version stay.
    for kept in [
        "(\"_retry\"",
        "(\"endpoints\"",
        "(\"partitions\"",
        "(\"sdk-default-configuration\"",
        "SERVICE_ALIASES",
        "BOTOCORE_VERSION",
    ] {
        assert!(out.contains(kept), "{kept} dropped");
    }
    assert!(!out.contains("(\"dynamodb\""));
    assert!(!out.contains("(\"ec2\""));
    // S3's model, rule set, paginators and waiters, its model index and its docs row.
    assert!(out.contains("(\"s3\", \"2006-03-01\", \"service-2\""));
    assert!(out.contains("(\"s3\", \"2006-03-01\", include_bytes!"));
    assert!(out.contains("(\"s3\", include_bytes!"));
    // No relative path is left, every rewritten row closes what it opens (model files and
    // index files alike), and every rewritten path names a file that exists.
    assert!(!out.contains("\"../data/"));
    for line in out.lines().filter(|l| l.contains("include_bytes!")) {
        assert_eq!(
            line.matches('(').count(),
            line.matches(')').count(),
            "{line}"
        );
        assert!(line.ends_with("))),"), "{line}");
    }
    let paths = included_paths(&out);
    assert!(paths.len() > 20, "{} paths", paths.len());
    for path in paths {
        assert!(std::path::Path::new(&path).is_file(), "{path}");
    }
}

#[test]
fn the_full_table_rewritten_names_every_file_of_the_original() {
    let full = table();
    let everything: Vec<&str> = {
        let mut names: Vec<&str> = full
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("(\"")?.split('"').next())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    };
    let out = build::subset(&full, &everything);
    assert_eq!(
        included_paths(&out).len(),
        full.matches("include_bytes!(\"../data/").count()
    );
}

fn gunzip(path: &str) -> Vec<u8> {
    use std::io::Read;
    let gz = std::fs::read(path).unwrap();
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn endpoints_json_keeps_only_the_chosen_services_entries() {
    let data = std::path::Path::new(MANIFEST).join("data");
    let keys = build::endpoint_keys(&data, &["s3", "signin", "sso", "sso-oidc", "sts"]);
    // The names and the models' endpoint prefixes (sso's is `portal.sso`, sso-oidc's `oidc`).
    assert_eq!(
        keys,
        [
            "oidc",
            "portal.sso",
            "s3",
            "signin",
            "sso",
            "sso-oidc",
            "sts"
        ]
    );
    let full = gunzip(&format!("{MANIFEST}/data/endpoints.json.gz"));
    let cut = build::endpoints_subset(&full, &keys).unwrap();
    assert!(
        cut.len() * 10 < full.len(),
        "{} of {} bytes",
        cut.len(),
        full.len()
    );
    let full: serde_json::Value = serde_json::from_slice(&full).unwrap();
    let cut: serde_json::Value = serde_json::from_slice(&cut).unwrap();
    assert_eq!(cut["version"], full["version"]);
    let (full_parts, cut_parts) = (
        full["partitions"].as_array().unwrap(),
        cut["partitions"].as_array().unwrap(),
    );
    assert_eq!(full_parts.len(), cut_parts.len());
    for (f, c) in full_parts.iter().zip(cut_parts) {
        let (f, c) = (f.as_object().unwrap(), c.as_object().unwrap());
        // Everything but `services` is the original, in the original order.
        assert!(f.keys().eq(c.keys()));
        for (key, value) in f.iter().filter(|(k, _)| *k != "services") {
            assert_eq!(&c[key], value, "{key}");
        }
        // Each kept entry is the original one; each dropped one is another service's.
        let (fs, cs) = (
            f["services"].as_object().unwrap(),
            c["services"].as_object().unwrap(),
        );
        for (name, entry) in fs {
            match cs.get(name) {
                Some(kept) => assert_eq!(kept, entry, "{name}"),
                None => assert!(keys.binary_search(name).is_err(), "{name} dropped"),
            }
        }
        assert!(cs.keys().all(|k| fs.contains_key(k)));
    }
    let aws = cut_parts.iter().find(|p| p["partition"] == "aws").unwrap();
    let kept: Vec<&String> = aws["services"].as_object().unwrap().keys().collect();
    assert_eq!(kept, ["oidc", "portal.sso", "s3", "sso", "sts"]);
    // A document that is not botocore's table is an error, not a silently empty file.
    assert!(build::endpoints_subset(b"{}", &keys).is_err());
    assert!(build::endpoints_subset(b"not json", &keys).is_err());
}

#[test]
fn the_subset_table_reads_endpoints_from_the_build_output() {
    let out = build::with_endpoints_from_out_dir(&build::subset(&table(), &["s3", "sts"]));
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("(\"endpoints\""))
        .collect();
    assert_eq!(
        rows,
        ["    (\"endpoints\", include_bytes!(concat!(env!(\"OUT_DIR\"), \"/endpoints.json.gz\"))),"]
    );
    // The other top-level rows still read the data directory.
    assert!(out.contains("/data/partitions.json.gz\")))"));
}
