//! The JMESPath compliance suite against `sansboto_core::jmespath`: every case of every file
//! (the JSON files the `jmespath` crate ships in `tests/compliance/`, fetched into .cache/ by
//! `scripts/fetch-jmespath-compliance`, which `scripts/test` runs and which exports
//! `SANSBOTO_JMESPATH_COMPLIANCE`).
//!
//! Each case is counted. A `result` case must give that result; an `error` case must fail in
//! the phase the specification puts it: `syntax` when compiling, `invalid-type`,
//! `invalid-arity`, `invalid-value` and `unknown-function` when evaluating, with that kind
//! named. The benchmark file's cases have no expected result (they time parsing or
//! evaluating): they must compile, and a `full` one evaluate, except where the specification
//! says otherwise — [`INVALID_BENCHMARKS`] lists those, each with its reason, and they must
//! fail as that reason says (jmespath.py, botocore's, agrees on each). No case is skipped.
//!
//! Where python-jmespath 1.1.0 (botocore's, aws-cli's) and the specification part, sansboto
//! does as python-jmespath does (`tests/jmespath_like_python.rs`): a case of this suite it
//! fails would be listed here with its reason. None is: the differences python-jmespath has
//! (strings ordered, numbers equal as Python's, `f(a b)` parsed as two arguments, …) are
//! beyond what the suite asks.

use std::path::PathBuf;

use sansboto_core::jmespath::{Expression, JmesPathError};
use sansboto_core::Value;

fn suite_dir() -> PathBuf {
    let dir = std::env::var_os("SANSBOTO_JMESPATH_COMPLIANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.cache/jmespath-compliance-0.3.0")
        });
    assert!(
        dir.join("basic.json").is_file(),
        "the JMESPath compliance suite is not at {}: run scripts/fetch-jmespath-compliance \
         (scripts/test does)",
        dir.display()
    );
    dir
}

/// Benchmarks that are not valid JMESPath, and how they must fail.
const INVALID_BENCHMARKS: &[(&str, &str)] = &[
    // `[bar > baz]` is neither an index, a slice, `[*]` nor a filter (`[?…]`).
    ("foo[bar > baz][qux > baz]", "syntax"),
    // `sum` takes one array.
    (
        "sum(z, y, x, w, v, u, t, s, r, q, p, o, n, m, l, k, j, i, h, g, f, e, d, c, b, a)",
        "invalid-arity",
    ),
];

#[test]
fn every_compliance_case_passes() {
    let dir = suite_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 16, "the suite's sixteen files: {files:?}");
    let (mut total, mut results, mut errors, mut benches) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let groups: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        for group in groups.as_array().unwrap() {
            let given = Value::from(group["given"].clone());
            for case in group["cases"].as_array().unwrap() {
                total += 1;
                let expression = case["expression"].as_str().unwrap();
                let compiled = Expression::compile(expression);
                let invalid = INVALID_BENCHMARKS.iter().find(|(e, _)| *e == expression);
                let outcome: Result<(), String> = if let Some(kind) = case.get("bench") {
                    benches += 1;
                    match (&compiled, kind.as_str()) {
                        (Err(JmesPathError::Syntax { .. }), _)
                            if invalid.is_some_and(|(_, k)| *k == "syntax") =>
                        {
                            Ok(())
                        }
                        (Ok(e), _) if invalid.is_some() => match e.search(&given) {
                            Err(JmesPathError::Function { reason, .. })
                                if invalid.is_some_and(|(_, k)| reason.starts_with(k)) =>
                            {
                                Ok(())
                            }
                            other => Err(format!("{other:?}; {invalid:?} expected")),
                        },
                        (Err(e), _) => Err(format!("does not compile: {e}")),
                        (Ok(_), Some("parse")) => Ok(()),
                        (Ok(e), _) => e.search(&given).map(|_| ()).map_err(|e| e.to_string()),
                    }
                } else if let Some(kind) = case.get("error").and_then(|k| k.as_str()) {
                    errors += 1;
                    match (kind, &compiled) {
                        ("syntax", Err(JmesPathError::Syntax { .. })) => Ok(()),
                        ("syntax", _) => Err("compiled; a syntax error was expected".into()),
                        (_, Err(e)) => Err(format!("does not compile ({e}); {kind} expected")),
                        (_, Ok(e)) => match e.search(&given) {
                            Err(JmesPathError::Function { reason, .. })
                                if reason.starts_with(kind) =>
                            {
                                Ok(())
                            }
                            Err(other) => Err(format!("{other}; {kind} expected")),
                            Ok(v) => Err(format!("gave {}; {kind} expected", v.to_json())),
                        },
                    }
                } else {
                    results += 1;
                    let want = Value::from(case["result"].clone());
                    match compiled
                        .map_err(|e| e.to_string())
                        .and_then(|e| e.search(&given).map_err(|e| e.to_string()))
                    {
                        Ok(got) if got == want => Ok(()),
                        Ok(got) => Err(format!("gave {}, want {}", got.to_json(), case["result"])),
                        Err(e) => Err(format!("{e}; want {}", case["result"])),
                    }
                };
                if let Err(why) = outcome {
                    failures.push(format!("{name}: {expression:?}: {why}"));
                }
            }
        }
    }
    eprintln!(
        "JMESPath compliance: {total} cases ({results} results, {errors} errors, {benches} \
         benchmarks), {} failed",
        failures.len()
    );
    assert_eq!(total, results + errors + benches);
    assert!(total >= 870, "only {total} cases found");
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
