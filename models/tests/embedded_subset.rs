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
