//! The core does no I/O: no files, environment, clock, sleep, sockets, processes or runtime,
//! outside its unit tests. This test reads the core's sources and its dependency list.

use std::path::Path;

const FORBIDDEN: &[&str] = &[
    "std::fs",
    "std::env::",
    "env::var(",
    "SystemTime::now",
    "Instant::now",
    "TcpStream",
    "UdpSocket",
    "std::process",
    "thread::sleep",
    "tokio::",
    "File::open",
    "async_std::",
];

fn visit(dir: &Path, found: &mut Vec<String>, files: &mut usize) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            visit(&path, found, files);
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".rs") || name == "tests.rs" {
            continue;
        }
        *files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        // Unit tests sit at the end of each file, after `#[cfg(test)]`; they may use the host.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") {
                continue;
            }
            // The target's OS and architecture (`std::env::consts`) are constants the compiler
            // writes in, not the environment read at run time (the user agent names them).
            let line_read = line.replace("std::env::consts::", "");
            for f in FORBIDDEN {
                if line_read.contains(f) {
                    found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
}

#[test]
fn core_sources_do_no_io() {
    let src = sansboto_tests::workspace_root().join("core/src");
    let (mut found, mut files) = (Vec::new(), 0);
    visit(&src, &mut found, &mut files);
    assert!(files > 50, "read only {files} files");
    assert!(found.is_empty(), "I/O in the core:\n{}", found.join("\n"));
}

#[test]
fn core_depends_on_no_runtime_or_http_stack() {
    let manifest =
        std::fs::read_to_string(sansboto_tests::workspace_root().join("core/Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dev-dependencies]")
        .next()
        .unwrap_or_default();
    for forbidden in [
        "tokio",
        "async-std",
        "smol",
        "hyper",
        "ureq",
        "surf",
        "mio",
        "reqwest",
        "rustls",
    ] {
        assert!(
            !deps.lines().any(|l| l.trim_start().starts_with(forbidden)),
            "sansboto-core depends on {forbidden}"
        );
    }
}

#[test]
fn models_hold_data_only_and_depend_on_no_sansboto_crate() {
    // sansboto-models is botocore's data and its loader; host reads and the core's adapters live
    // in sansboto-host, so no feature of the models crate may pull another sansboto crate in.
    let manifest =
        std::fs::read_to_string(sansboto_tests::workspace_root().join("models/Cargo.toml"))
            .unwrap();
    let deps = manifest
        .split("[dev-dependencies]")
        .next()
        .unwrap_or_default();
    let pulled: Vec<&str> = deps
        .lines()
        .filter(|l| l.contains("sansboto"))
        .filter(|l| !l.trim_start().starts_with(['#', '[']) && !l.starts_with("name"))
        .collect();
    assert!(pulled.is_empty(), "sansboto-models pulls in {pulled:?}");
}
