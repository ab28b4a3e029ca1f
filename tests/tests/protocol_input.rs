//! botocore's protocol serializer conformance cases (`tests/unit/protocols/input/*.json` and
//! `tests/unit/protocols/legacy/input/*.json`) run through `sansboto_core::serialize`.
//!
//! Comparisons follow botocore's harness (`tests/unit/test_protocols.py`): bodies as parsed JSON
//! for json/rest-json, canonical XML for rest-xml, bytes for query/ec2, decoded items for CBOR;
//! expected headers must match (case-insensitive names, list headers compared without the space
//! after commas), `forbidHeaders` must be absent, `uri` is path plus query (less a bare `?` that
//! a query list given empty leaves: botocore's harness drops it too), and `host` is
//! checked by joining the request to the suite's `clientEndpoint`.
//!
//! Cases on botocore's `protocol-tests-ignore-list.json` are skipped as botocore skips them; they
//! are still run and reported ("of which we pass") but never fail the test. `requireHeaders` only
//! ever names Content-Length, which the transport sets from the body: we check that the body's
//! length is known instead. Idempotency tokens come from a fixed source returning the value the
//! cases expect.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;
use sansboto_core::model::{ServiceModel, ShapeKind};
use sansboto_core::protocol::cbor::{self, Item};
use sansboto_core::protocol::{serialize_request, SerializedRequest};
use sansboto_core::Value;
use serde_json::{json, Value as J};

/// The token botocore's cases expect when the caller leaves an idempotency token out.
const FIXED_TOKEN: &str = "00000000-0000-4000-8000-000000000000";

/// Cases skipped beyond botocore's ignore list, with why (protocol file, case id or suite
/// description). Keep this tiny.
const EXTRA_SKIPS: &[(&str, &str, &str)] = &[];

#[derive(Default)]
struct Counts {
    pass: usize,
    fail: usize,
    ignored: usize,
    ignored_passing: usize,
    skipped: usize,
}

#[test]
fn protocol_input_conformance() {
    let root = sansboto_tests::botocore_dir().join("tests/unit/protocols");
    let ignore: J = read_json(&root.join("protocol-tests-ignore-list.json"));
    let mut files = Vec::new();
    for dir in ["input", "legacy/input"] {
        let mut names: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        files.extend(names.into_iter().map(|p| (dir, p)));
    }
    assert!(
        files.len() >= 15,
        "expected 15 protocol input files, found {}",
        files.len()
    );

    let mut totals = Counts::default();
    let mut failures = Vec::new();
    let mut ignored_failing = Vec::new();
    println!(
        "{:<58} {:>5} {:>5} {:>8} {:>8}",
        "file", "pass", "fail", "ignored", "skipped"
    );
    for (dir, path) in &files {
        let protocol_file = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let suites: J = read_json(path);
        let mut counts = Counts::default();
        for suite in suites.as_array().into_iter().flatten() {
            let description = suite["description"].as_str().unwrap_or_default();
            for (i, case) in suite["cases"].as_array().into_iter().flatten().enumerate() {
                let id = case["id"].as_str();
                let label = format!(
                    "{dir}/{protocol_file}: {description} #{i} {}",
                    id.unwrap_or("")
                );
                if EXTRA_SKIPS.iter().any(|(f, what, _)| {
                    *f == protocol_file && (Some(*what) == id || *what == description)
                }) {
                    counts.skipped += 1;
                    continue;
                }
                let ignored = is_ignored(&ignore, protocol_file, description, id);
                let result = run_case(suite, case);
                match (ignored, result) {
                    (true, Ok(())) => {
                        counts.ignored += 1;
                        counts.ignored_passing += 1;
                    }
                    (true, Err(e)) => {
                        counts.ignored += 1;
                        ignored_failing.push(format!("{label}: {e}"));
                    }
                    (false, Ok(())) => counts.pass += 1,
                    (false, Err(e)) => {
                        counts.fail += 1;
                        failures.push(format!("{label}\n    {e}"));
                    }
                }
            }
        }
        println!(
            "{:<58} {:>5} {:>5} {:>8} {:>8}   (ignored but passing: {})",
            format!("{dir}/{protocol_file}.json"),
            counts.pass,
            counts.fail,
            counts.ignored,
            counts.skipped,
            counts.ignored_passing
        );
        totals.pass += counts.pass;
        totals.fail += counts.fail;
        totals.ignored += counts.ignored;
        totals.ignored_passing += counts.ignored_passing;
        totals.skipped += counts.skipped;
    }
    println!(
        "total: {} pass, {} fail, {} on botocore's ignore list ({} of them pass anyway), {} skipped by us",
        totals.pass, totals.fail, totals.ignored, totals.ignored_passing, totals.skipped
    );
    for line in &ignored_failing {
        println!("on botocore's ignore list, fails here too: {line}");
    }
    for (file, what, why) in EXTRA_SKIPS {
        println!("skipped {file} {what}: {why}");
    }
    assert!(totals.pass > 400, "too few cases ran: {}", totals.pass);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Totality: every case's parameters with each node (and each absent input member) replaced by
/// values of every kind, including wrong ones, must serialize or fail with an error, and joining
/// the result to an endpoint must not panic either.
#[test]
fn serializers_never_panic_on_any_value() {
    let root = sansboto_tests::botocore_dir().join("tests/unit/protocols");
    let stream = sansboto_core::StreamingBody::new((), Some(0));
    let odd: Vec<Value> = vec![
        Value::Null,
        Value::Bool(true),
        Value::Integer(-1),
        Value::Integer(i64::MAX),
        Value::Float(f64::NAN),
        Value::Float(-1e300),
        Value::String(Default::default()),
        Value::String("a/b c,\"\r\n\u{7f}é".into()),
        Value::String("2015-01-25T08:00:00Z".into()),
        Value::blob(&b"\xff\x00"[..]),
        Value::Timestamp(sansboto_core::Timestamp::from_secs(i64::MIN / 2)),
        Value::List(vec![Value::Null, Value::Integer(1), Value::map()]),
        sansboto_core::params! {"k": Value::Null, "Nope": 1},
        Value::Stream(stream),
    ];
    let (mut calls, mut errors) = (0usize, 0usize);
    for dir in ["input", "legacy/input"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("protocol dir") {
            let path = entry.expect("dir entry").path();
            let suites: J = read_json(&path);
            for suite in suites.as_array().into_iter().flatten() {
                for case in suite["cases"].as_array().into_iter().flatten() {
                    let given = &case["given"];
                    let op_name = given["name"].as_str().unwrap_or("OperationName");
                    let model = ServiceModel::from_value(json!({
                        "metadata": suite["metadata"],
                        "operations": {op_name: given},
                        "shapes": suite["shapes"],
                    }))
                    .expect("model");
                    let operation = model.operation(op_name).expect("operation");
                    let base = Value::from(case.get("params").cloned().unwrap_or(json!({})));
                    let mut all = variants(&base, &odd);
                    let members = operation
                        .input
                        .as_ref()
                        .and_then(|r| model.shape(r.shape).as_structure())
                        .map(|s| s.members.keys().cloned().collect::<Vec<_>>())
                        .unwrap_or_default();
                    for name in members.iter().filter(|m| base.get(m).is_none()) {
                        for v in &odd {
                            let mut with = base.clone();
                            if let Some(map) = with.as_map_mut() {
                                map.insert(name.as_str().into(), v.clone());
                            }
                            all.push(with);
                        }
                    }
                    for params in all {
                        calls += 1;
                        let outcome =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                let mut tokens = || FIXED_TOKEN.to_string();
                                serialize_request(&model, operation, &params, &mut tokens)
                                    .map(|r| r.into_http("https://example.com/base").map(|_| ()))
                            }));
                        match outcome {
                            Ok(Ok(Ok(()))) => {}
                            Ok(_) => errors += 1,
                            Err(_) => panic!(
                                "panic serializing {op_name} in {} with {params:?}",
                                path.display()
                            ),
                        }
                    }
                }
            }
        }
    }
    println!("{calls} mutated calls, {errors} returned errors, none panicked");
    assert!(
        calls > 10_000 && errors > 1_000,
        "sweep too small: {calls} calls, {errors} errors"
    );
}

/// The value itself replaced by each odd value, and each child replaced the same way.
fn variants(value: &Value, odd: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = odd.to_vec();
    match value {
        Value::Map(map) => {
            for (key, child) in map {
                for replaced in variants(child, odd) {
                    let mut copy = map.clone();
                    copy.insert(key.clone(), replaced);
                    out.push(Value::Map(copy));
                }
            }
        }
        Value::List(items) => {
            for (i, child) in items.iter().enumerate() {
                for replaced in variants(child, odd) {
                    let mut copy = items.clone();
                    copy[i] = replaced;
                    out.push(Value::List(copy));
                }
            }
        }
        _ => {}
    }
    out
}

fn read_json(path: &Path) -> J {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// botocore's `_should_ignore_test`: general suites by description, per-protocol cases by id.
fn is_ignored(ignore: &J, protocol_file: &str, suite: &str, id: Option<&str>) -> bool {
    let listed = |list: &J, item: &str| {
        list.as_array()
            .is_some_and(|l| l.iter().any(|v| v.as_str() == Some(item)))
    };
    let general = &ignore["general"]["input"];
    if listed(&general["suites"], suite) || id.is_some_and(|id| listed(&general["cases"], id)) {
        return true;
    }
    let specific = &ignore["protocols"][protocol_file]["input"];
    listed(&specific["suites"], suite) || id.is_some_and(|id| listed(&specific["cases"], id))
}

fn run_case(suite: &J, case: &J) -> Result<(), String> {
    let given = &case["given"];
    let op_name = given["name"].as_str().unwrap_or("OperationName");
    let model = ServiceModel::from_value(json!({
        "metadata": suite["metadata"],
        "operations": {op_name: given},
        "shapes": suite["shapes"],
    }))
    .map_err(|e| format!("model: {e}"))?;
    let operation = model.operation(op_name).ok_or("operation missing")?;
    let params = Value::from(case.get("params").cloned().unwrap_or(J::Null));
    let mut tokens = || FIXED_TOKEN.to_string();
    let request = serialize_request(&model, operation, &params, &mut tokens)
        .map_err(|e| format!("serialize: {e}"))?;
    let expected = &case["serialized"];
    check_request(&model, operation, &request, expected)?;
    if let (Some(host), Some(endpoint)) =
        (expected["host"].as_str(), suite["clientEndpoint"].as_str())
    {
        let http = request
            .into_http(endpoint)
            .map_err(|e| format!("into_http: {e}"))?;
        let actual = http
            .uri()
            .authority()
            .map(|a| a.as_str())
            .unwrap_or_default();
        if actual != host {
            return Err(format!("host: {actual:?} != {host:?}"));
        }
    }
    Ok(())
}

fn check_request(
    model: &ServiceModel,
    operation: &sansboto_core::model::Operation,
    request: &SerializedRequest,
    expected: &J,
) -> Result<(), String> {
    let protocol = model.protocol.name();
    if let Some(method) = expected["method"].as_str() {
        if request.method.as_str() != method {
            return Err(format!("method: {} != {method}", request.method));
        }
    }
    let uri = expected["uri"].as_str().unwrap_or("");
    // botocore's harness joins the query to the path only when it encodes to something; its
    // client, as sansboto, keeps the bare `?` that a query list given empty leaves after a path
    // without a query.
    let actual = request
        .path_and_query
        .strip_suffix('?')
        .filter(|path| !path.contains('?'))
        .unwrap_or(&request.path_and_query);
    if actual != uri {
        return Err(format!("uri: {:?} != {uri:?}", request.path_and_query));
    }

    let body = request
        .body
        .as_bytes()
        .ok_or("body is a stream where bytes were expected")?;
    if protocol == "smithy-rpc-v2-cbor" && !body.is_empty() {
        let want = base64::engine::general_purpose::STANDARD
            .decode(expected["body"].as_str().unwrap_or(""))
            .map_err(|e| format!("expected body base64: {e}"))?;
        let actual = cbor::decode(body).map_err(|e| format!("our CBOR: {e}"))?;
        let want = cbor::decode(&want).map_err(|e| format!("expected CBOR: {e}"))?;
        if !cbor_eq(&actual, &want) {
            return Err(format!("CBOR body: {actual:?} != {want:?}"));
        }
    } else if let Some(want) = expected["body"].as_str() {
        compare_body(protocol, body, want)?;
    }

    let mut want_headers: Vec<(String, String)> = expected["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                v.as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    // The harness's per-protocol Content-Type conventions.
    match protocol {
        "query" | "ec2" => {
            for (k, v) in &mut want_headers {
                if k == "content-type" && !v.contains("charset=utf-8") {
                    v.push_str("; charset=utf-8");
                }
            }
        }
        "rest-xml" => want_headers.retain(|(k, _)| k != "content-type"),
        "rest-json" => want_headers.retain(|(k, v)| k != "content-type" || v == "application/json"),
        _ => {}
    }
    // List headers: Smithy writes "a, b", botocore "a,b".
    let list_headers = list_header_names(model, operation);
    for (name, want) in &want_headers {
        let actual = request
            .headers
            .get(name.as_str())
            .ok_or_else(|| format!("header {name} missing (want {want:?})"))?
            .to_str()
            .map_err(|e| format!("header {name}: {e}"))?;
        let (actual, want) = match list_headers.iter().find(|(h, _)| h == name) {
            Some((_, timestamps)) => (
                if *timestamps {
                    actual.replace(", ", ",")
                } else {
                    actual.to_string()
                },
                want.replace(", ", ","),
            ),
            None => (actual.to_string(), want.clone()),
        };
        if actual != want {
            return Err(format!("header {name}: {actual:?} != {want:?}"));
        }
    }
    for forbidden in expected["forbidHeaders"].as_array().into_iter().flatten() {
        let name = forbidden.as_str().unwrap_or_default();
        if request
            .headers
            .contains_key(name.to_ascii_lowercase().as_str())
        {
            return Err(format!("forbidden header {name} present"));
        }
    }
    for required in expected["requireHeaders"].as_array().into_iter().flatten() {
        let name = required.as_str().unwrap_or_default();
        let ok = if name.eq_ignore_ascii_case("content-length") {
            request.body.len().is_some()
        } else {
            request
                .headers
                .contains_key(name.to_ascii_lowercase().as_str())
        };
        if !ok {
            return Err(format!("required header {name} cannot be set"));
        }
    }
    Ok(())
}

/// Lower-cased names of `header`-bound list members, and whether their items are timestamps.
fn list_header_names(
    model: &ServiceModel,
    operation: &sansboto_core::model::Operation,
) -> Vec<(String, bool)> {
    let Some(input) = operation
        .input
        .as_ref()
        .and_then(|r| model.shape(r.shape).as_structure())
    else {
        return Vec::new();
    };
    input
        .members
        .values()
        .filter(|m| m.location == sansboto_core::model::Location::Header)
        .filter_map(|m| match &model.shape(m.shape).kind {
            ShapeKind::List(item) => Some((
                m.wire_name().to_ascii_lowercase(),
                matches!(model.shape(item.shape).kind, ShapeKind::Timestamp),
            )),
            _ => None,
        })
        .collect()
}

fn compare_body(protocol: &str, actual: &[u8], want: &str) -> Result<(), String> {
    let actual_text = String::from_utf8_lossy(actual);
    let differ = || format!("body: {actual_text:?} != {want:?}");
    match protocol {
        "json" | "rest-json" => {
            let parsed = (
                serde_json::from_slice::<J>(actual),
                serde_json::from_str::<J>(want),
            );
            match parsed {
                (Ok(a), Ok(w)) => (a == w).then_some(()).ok_or_else(differ),
                (Err(e), _) if protocol == "json" => Err(format!("our body is not JSON: {e}")),
                _ => (actual == want.as_bytes()).then_some(()).ok_or_else(differ),
            }
        }
        "rest-xml" => match (canonical_xml(actual), canonical_xml(want.as_bytes())) {
            (Ok(a), Ok(w)) => (a == w)
                .then_some(())
                .ok_or_else(|| format!("XML body:\n  ours  {a}\n  want  {w}")),
            _ => (actual == want.as_bytes()).then_some(()).ok_or_else(differ),
        },
        _ => (actual == want.as_bytes()).then_some(()).ok_or_else(differ),
    }
}

/// A canonical form of an XML document, in the spirit of `ElementTree.canonicalize(strip_text=
/// True)`: attributes (namespace declarations included) sorted, text trimmed, whitespace-only
/// text dropped, entities resolved, empty elements and `<a></a>` alike.
fn canonical_xml(bytes: &[u8]) -> Result<String, String> {
    use quick_xml::events::Event;
    if bytes.is_empty() {
        return Err("empty".into());
    }
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut out = String::new();
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let open =
        |e: &quick_xml::events::BytesStart<'_>, out: &mut String| -> Result<String, String> {
            let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
            let mut attrs = BTreeMap::new();
            for a in e.attributes() {
                let a = a.map_err(|e| e.to_string())?;
                let value = a.unescape_value().map_err(|e| e.to_string())?.into_owned();
                attrs.insert(String::from_utf8_lossy(a.key.as_ref()).into_owned(), value);
            }
            let _ = write!(out, "<{name}");
            for (k, v) in attrs {
                let _ = write!(out, " {k}={v:?}");
            }
            out.push('>');
            Ok(name)
        };
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => {
                roots += usize::from(stack.is_empty());
                let name = open(&e, &mut out)?;
                stack.push(name);
            }
            Event::Empty(e) => {
                roots += usize::from(stack.is_empty());
                let name = open(&e, &mut out)?;
                let _ = write!(out, "</{name}>");
            }
            Event::End(_) => {
                let name = stack.pop().ok_or("unbalanced")?;
                let _ = write!(out, "</{name}>");
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| e.to_string())?;
                let text = text.trim();
                if !text.is_empty() {
                    if stack.is_empty() {
                        return Err("text outside the root".into());
                    }
                    let _ = write!(out, "{text:?}");
                }
            }
            Event::CData(t) => {
                let _ = write!(out, "{:?}", String::from_utf8_lossy(&t).trim());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() || roots != 1 {
        return Err("not one well-formed root".into());
    }
    Ok(out)
}

/// CBOR items compared as botocore compares the decoded values: maps by key regardless of
/// order, numbers by value (an integer equals the same float), NaN equal to NaN, tag-1
/// timestamps by their epoch value.
fn cbor_eq(a: &Item, b: &Item) -> bool {
    fn number(item: &Item) -> Option<f64> {
        match item {
            Item::Tag(1, inner) => number(inner),
            Item::UInt(_) | Item::NegInt(_) => item.as_i128().map(|i| i as f64),
            Item::Float16(f) | Item::Float32(f) => Some(f64::from(*f)),
            Item::Float64(f) => Some(*f),
            _ => None,
        }
    }
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return x == y || (x.is_nan() && y.is_nan());
    }
    match (a, b) {
        (Item::Array(x), Item::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| cbor_eq(p, q))
        }
        (Item::Map(x), Item::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| cbor_eq(k, k2) && cbor_eq(v, v2)))
        }
        (Item::Tag(t, x), Item::Tag(u, y)) => t == u && cbor_eq(x, y),
        _ => a == b,
    }
}
