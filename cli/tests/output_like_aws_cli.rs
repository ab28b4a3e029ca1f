//! `--output json|text|table|yaml` and `--query` on values nobody chose, next to aws-cli itself
//! (v1, from `scripts/ensure-awscli`, on the pinned botocore). A seeded generator writes 240
//! response bodies of `neptunedata get-loader-job-status` (GET `/loader/{loadId}`), whose
//! `payload` is a document: any JSON at all — strings with tabs, line breaks, carriage returns,
//! control characters, East Asian wide, ambiguous and full-width characters, emoji (joined,
//! flags, variation selectors), combining marks, long text; integers to 64 bits, floats Python
//! prints in exponent form or not (`1e+16`, `1.5e-07`, `-0.0`, `5e-324`); booleans and nulls;
//! empty lists and maps; lists of scalars, of lists, of maps whose keys differ from item to
//! item, and mixes of them. A local server answers each by its `loadId`; aws-cli (its whole
//! command line, in one Python process) and `sansboto` ask for each with three of the formats
//! (and JSON once more), `--query` giving the document, one of its members or items, a scalar,
//! a list or null, and tables in colour too. Both must print the same bytes to stdout and exit
//! alike. aws-cli v1 has no YAML: `sansboto --output yaml` of each body must read back (PyYAML)
//! as the value of aws-cli's JSON, types included.
//!
//! Left out and counted: what aws-cli's text and table formatters fail on with a Python error
//! (a list mixing maps with other values, table rows of different lengths, …: aws-cli prints
//! part of the output and the error, sansboto prints the value; a deliberate difference in
//! README.md). Not generated: integers beyond 64 bits and bare `NaN`/`Infinity` in a document
//! (the core reads the first as floats and keeps the second as floats JSON cannot print, where
//! Python prints the digits and `NaN`), and timestamps (compared in `timestamps_like_aws_cli.rs`).

use std::process::{Command, Output};
use std::sync::Arc;

use sansboto_tests::script_server::{Action, ScriptServer};
use sansboto_tests::test_environment;

/// The generator (`bodies` prints them by id) and aws-cli's output for each case (`aws
/// ENDPOINT` prints `[{id, args, rc, out, err}]`).
const GENERATOR: &str = r#"
import json, random, sys
rng = random.Random(20261207)
PIECES = ['a', 'x y', 'Name', '', ' ', 'tab\there', 'two\nlines', 'cr\rhere', 'crlf\r\n', '\t', '\n',
          '\u65e5\u672c\u8a9e', '\uff26\uff55\uff4c\uff4c', '\ud55c\uad6d\uc5b4', '\U0001F600',
          '\U0001F469\u200d\U0001F4BB', '\U0001F1EF\U0001F1F5', '\u2603\ufe0f', 'e\u0301', 'a\u0308\u0323',
          '\u00b1\u00b0\u00d7', '\u03a9\u0416', '\u00e9', '\u00a0', '\u200b', '\u2028',
          '\u0645\u0631\u062d\u0628\u0627', '\x1b[31m', '\x7f', '\x00', '\x01', 'None', 'True', '1.5', "it's",
          'say "hi"', 'back\\slash', '{x}', '[1]', '\u2500\u2502', '\uff61\uff62', '\u3000', '\U00020000',
          '\u1100', '\u0e01\u0e34', '\ufffd', '\u00ad', '\U0001F3FB', '\u2e80', '\u303f', '\ua4d0']
KEYS = ['Name', 'name', 'a', 'B', 'Zeta', 'key with space', '\u043a\u043b\u044e\u0447', '\u65e5\u672c',
        '\u00e9', '_', '\u03a9', 'a.b', '1', 'Id', 'Value', 'k\tk', 'Tags', 'x', '']
FLOATS = [0.0, -0.0, 0.1, 1e16, 1e15, 1.5e-7, 1e-4, 9.999e-5, 123.456, 1e300, 5e-324, 2.5, 1e22,
          2.0 ** 53, -1.25, 3.0, 1 / 3, 1e-10, 100.0, 0.5, 1.7976931348623157e308, 2.0 ** 63]
INTS = [0, 1, -1, 7, 42, 2 ** 31, 2 ** 53 + 1, 2 ** 63 - 1, -2 ** 63, 1000000, 10 ** 15]
def string():
    if rng.random() < 0.1:
        return ''.join(rng.choice('abcdefghij \u00e9\u65e5\u00b1') for _ in range(rng.randrange(60, 200)))
    return ''.join(rng.choice(PIECES) for _ in range(rng.choice([1, 1, 1, 2, 3])))
def scalar():
    r = rng.random()
    if r < 0.45:
        return string()
    if r < 0.6:
        return rng.choice(INTS) if rng.random() < 0.6 else rng.randrange(-10 ** 6, 10 ** 6)
    if r < 0.75:
        if rng.random() < 0.6:
            return rng.choice(FLOATS)
        return rng.uniform(-1e6, 1e6) * 10.0 ** rng.randrange(-12, 12)
    if r < 0.85:
        return rng.choice([True, False])
    return None
def mapping(depth, keys=KEYS):
    return {rng.choice(keys): value(depth + 1) for _ in range(rng.randrange(0, 5))}
def value(depth=0):
    r = rng.random()
    if depth >= 3 or r < 0.35:
        return scalar()
    if r < 0.5:
        return [scalar() for _ in range(rng.randrange(0, 5))]
    if r < 0.65:
        # A list of maps whose keys differ from item to item.
        keys = rng.sample(KEYS, 4)
        return [mapping(depth, keys) for _ in range(rng.randrange(1, 4))]
    if r < 0.75:
        return [value(depth + 1) for _ in range(rng.randrange(0, 4))]
    if r < 0.8:
        return rng.choice([[], {}, [[]], [{}], [[1, 2], [3, 4]], [['a', 'b'], ['c', 'd', 'e']], [[], [1]]])
    return mapping(depth)
def queries(v):
    qs = [None, None, None, 'payload', 'status', 'nothing', 'length(payload)' if isinstance(v, (list, dict, str)) else 'payload']
    if isinstance(v, dict) and v:
        qs += ['payload.' + json.dumps(rng.choice(list(v))), 'payload.*', 'values(payload)']
    if isinstance(v, list) and v:
        qs += ['payload[0]', 'payload[]', 'payload[-1]']
    return qs
bodies, cases = {}, []
for i in range(240):
    v = value()
    bodies[i] = json.dumps({'status': string(), 'payload': v}, ensure_ascii=rng.random() < 0.5)
    for q in rng.sample(queries(v), 3):
        fmt = rng.choice(['json', 'text', 'table', 'table'])
        args = ['--output', fmt] + ([] if q is None else ['--query', q])
        if fmt == 'table' and rng.random() < 0.2:
            args += ['--color', 'on']
        cases.append({'id': i, 'args': args})
# Each body as JSON too: what sansboto's YAML must read back as.
cases += [{'id': i, 'args': ['--output', 'json'], 'yaml': True} for i in bodies]
if sys.argv[1] == 'bodies':
    json.dump(bodies, sys.stdout)
    sys.exit()
import io
from awscli.clidriver import create_clidriver
driver = create_clidriver()
for case in cases:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        rc = driver.main(['neptunedata', 'get-loader-job-status', '--load-id', str(case['id']),
                          '--endpoint-url', sys.argv[2]] + case['args'])
    finally:
        sys.stdout, sys.stderr = saved
    case.update(rc=rc, out=out.getvalue(), err=err.getvalue())
json.dump(cases, sys.stdout)
"#;

/// Reads `[[yaml, json], …]` on stdin; prints the pairs whose YAML (read by PyYAML, a YAML 1.1
/// reader) is not the JSON's value, types included (`1` is not `1.0`, nor `'1'`).
const YAML_CHECK: &str = r#"
import json, sys, yaml
def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b or repr(a) == repr(b)
differ = []
for text, want in json.load(sys.stdin):
    want = json.loads(want) if want else {}
    try:
        got = yaml.safe_load(text)
    except yaml.YAMLError as e:
        got = 'YAML error: ' + str(e)
    if not same(got, want):
        differ.append({'yaml': text, 'read back': repr(got), 'json': repr(want)})
json.dump(differ, sys.stdout)
"#;

fn generator(args: &[&str]) -> serde_json::Value {
    python(GENERATOR, args, "")
}

fn python(program: &str, args: &[&str], stdin: &str) -> serde_json::Value {
    sansboto_tests::awscli_python_json(program, args, &[], stdin)
}

/// `sansboto neptunedata get-loader-job-status --load-id ID ARGS…` for each `(ID, ARGS)`, four
/// at a time; the outputs in order.
fn run_all(jobs: &[(String, Vec<String>)], endpoint: &str) -> Vec<Output> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let next = AtomicUsize::new(0);
    let outputs: Mutex<Vec<Option<Output>>> = Mutex::new(vec![None; jobs.len()]);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((id, args)) = jobs.get(i) else {
                    break;
                };
                let out = test_environment(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
                    .args(["neptunedata", "get-loader-job-status", "--load-id", id])
                    .args(["--endpoint-url", endpoint])
                    .args(args)
                    .output()
                    .expect("sansboto runs");
                outputs.lock().unwrap()[i] = Some(out);
            });
        }
    });
    outputs
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|o| o.expect("every job ran"))
        .collect()
}

#[test]
fn output_is_printed_as_aws_cli_prints_it() {
    let bodies = Arc::new(generator(&["bodies"]));
    let server = {
        let bodies = bodies.clone();
        ScriptServer::start(move |seen, _| {
            let id = seen.path.rsplit('/').next().unwrap_or_default();
            match bodies[id].as_str() {
                Some(body) => Action::Respond(
                    200,
                    vec![("Content-Type".into(), "application/json".into())],
                    body.as_bytes().to_vec(),
                ),
                None => Action::text(404, "no such case"),
            }
        })
    };
    let endpoint = server.url();
    let cases = generator(&["aws", &endpoint]);
    let cases = cases.as_array().expect("a list of cases");
    let args_of = |case: &serde_json::Value| -> Vec<String> {
        let args = case["args"].as_array().expect("args");
        args.iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect()
    };
    // sansboto's runs, a few at a time: each case's command line, then `--output yaml` of each
    // body (aws-cli v1 has no YAML: sansboto's must read back as the JSON aws-cli prints).
    let mut jobs: Vec<(String, Vec<String>)> = cases
        .iter()
        .map(|case| (case["id"].to_string(), args_of(case)))
        .collect();
    let yaml_cases: Vec<&serde_json::Value> = cases.iter().filter(|c| c["yaml"] == true).collect();
    jobs.extend(yaml_cases.iter().map(|case| {
        (
            case["id"].to_string(),
            vec!["--output".into(), "yaml".into()],
        )
    }));
    let outputs = run_all(&jobs, &endpoint);
    let (outputs, yaml_outputs) = outputs.split_at(cases.len());
    let mut yaml_pairs = Vec::new();
    for (case, yaml) in yaml_cases.iter().zip(yaml_outputs) {
        assert!(yaml.status.success(), "{case}: {yaml:?}");
        yaml_pairs.push(serde_json::json!([
            String::from_utf8_lossy(&yaml.stdout),
            case["out"]
        ]));
    }
    let mut compared = 0;
    let mut aws_failed: std::collections::BTreeMap<String, usize> = Default::default();
    let mut differences = Vec::new();
    for (case, out) in cases.iter().zip(outputs) {
        let args = args_of(case);
        let id = case["id"].to_string();
        let ours = String::from_utf8_lossy(&out.stdout);
        let theirs = case["out"].as_str().unwrap_or_default();
        let body = bodies[id.as_str()].as_str().unwrap_or_default();
        if case["rc"] != 0 {
            // aws-cli's formatter failed with a Python error: sansboto prints the value.
            let error = case["err"].as_str().unwrap_or_default().trim();
            *aws_failed.entry(error.to_string()).or_default() += 1;
            if !out.status.success() {
                differences.push(format!(
                    "{args:?} on {body}\n  aws-cli failed: {}\n  sansboto failed too: {}",
                    case["err"],
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            continue;
        }
        compared += 1;
        if !out.status.success() || ours != theirs {
            differences.push(format!(
                "{args:?} on {body}\n  aws-cli:\n{theirs}\n  sansboto ({}):\n{ours}{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    println!(
        "{} command lines on {} bodies: {compared} compared, {} where aws-cli's formatter fails \
         with a Python error (left out): {aws_failed:?}",
        cases.len(),
        bodies.as_object().map_or(0, |b| b.len()),
        aws_failed.values().sum::<usize>(),
    );
    let yaml_differ = python(YAML_CHECK, &[], &serde_json::json!(yaml_pairs).to_string());
    let yaml_differ = yaml_differ.as_array().expect("a list");
    println!(
        "--output yaml of {} bodies read back by PyYAML: {} differ from aws-cli's JSON",
        yaml_pairs.len(),
        yaml_differ.len()
    );
    for d in yaml_differ {
        differences.push(format!("--output yaml read back otherwise: {d:#}"));
    }
    assert!(
        differences.is_empty(),
        "{} of {} differ:\n{}",
        differences.len(),
        cases.len() + yaml_pairs.len(),
        differences.join("\n")
    );
    assert!(compared > 800, "only {compared} compared");
}
