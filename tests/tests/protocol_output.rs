//! botocore's output protocol tests (`tests/unit/protocols/output/*.json` and
//! `legacy/output/*.json`): every case's HTTP response goes through
//! [`sansboto_core::protocol::parse_response`] with a model built from the suite, and the result or
//! error is compared the way botocore's harness compares it: `ResponseMetadata` removed, blobs as
//! UTF-8 text, timestamps as epoch seconds, non-finite floats as strings, and for errors only
//! `Error.Code`, `Error.Message` and the modeled error members.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use http::{HeaderMap, HeaderName, HeaderValue};
use sansboto_core::model::ServiceModel;
use sansboto_core::protocol::{parse_response, ParseError, Response};
use sansboto_core::Body;
use sansboto_core::Value;
use serde_json::{json, Value as J};

/// Cases this harness skips beyond botocore's ignore list, with the reason.
const SKIPS: &[(&str, &str, &str)] = &[(
    "legacy/output/rest-json.json",
    "Supports header maps",
    "http::HeaderMap lower-cases header names, so prefix-header map keys come back lower-cased \
     (`content-length`, not `Content-Length` as the fixture's dict keeps them)",
)];

#[derive(Default)]
struct Counts {
    pass: usize,
    fail: usize,
    ignored: usize,
    skipped: usize,
}

#[test]
fn botocore_output_protocol_tests() {
    let root = sansboto_tests::botocore_dir().join("tests/unit/protocols");
    let ignore: J = serde_json::from_slice(
        &std::fs::read(root.join("protocol-tests-ignore-list.json")).unwrap(),
    )
    .unwrap();
    let mut files = Vec::new();
    for dir in ["output", "legacy/output"] {
        let mut names: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        names.sort();
        files.extend(names.into_iter().map(|p| (dir, p)));
    }
    let mut total = Counts::default();
    let mut failures = Vec::new();
    let mut skip_reasons: BTreeMap<String, usize> = BTreeMap::new();
    for (dir, path) in &files {
        let c = run_file(&root, dir, path, &ignore, &mut failures, &mut skip_reasons);
        println!(
            "{dir}/{}: {} passed, {} failed, {} ignored (botocore ignore list), {} skipped",
            path.file_name().unwrap().to_string_lossy(),
            c.pass,
            c.fail,
            c.ignored,
            c.skipped
        );
        total.pass += c.pass;
        total.fail += c.fail;
        total.ignored += c.ignored;
        total.skipped += c.skipped;
    }
    for (reason, n) in &skip_reasons {
        println!("skipped {n}: {reason}");
    }
    for f in &failures {
        println!("FAIL {f}\n");
    }
    println!(
        "protocol output: {} passed, {} failed, {} skipped ({} on botocore's ignore list, {} others)",
        total.pass,
        total.fail,
        total.ignored + total.skipped,
        total.ignored,
        total.skipped
    );
    assert!(total.pass > 400, "too few cases ran: {}", total.pass);
    let documents = DOCUMENTS_SEEN.load(std::sync::atomic::Ordering::Relaxed);
    println!("document members parsed (tagged Value::Document): {documents}");
    assert!(
        documents > 0,
        "no document member came back tagged as a document"
    );
    assert!(
        failures.is_empty(),
        "{} protocol output cases failed",
        failures.len()
    );
}

fn ignored(ignore: &J, protocol: &str, suite: &str, id: Option<&str>) -> bool {
    let listed = |section: &J| {
        let suites = section["output"]["suites"].as_array();
        let cases = section["output"]["cases"].as_array();
        suites.is_some_and(|s| s.iter().any(|x| x == suite))
            || id.is_some_and(|id| cases.is_some_and(|c| c.iter().any(|x| x == id)))
    };
    listed(&ignore["general"]) || listed(&ignore["protocols"][protocol])
}

fn run_file(
    _root: &Path,
    dir: &str,
    path: &Path,
    ignore: &J,
    failures: &mut Vec<String>,
    skip_reasons: &mut BTreeMap<String, usize>,
) -> Counts {
    let file = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
    let protocol_key = path.file_stem().unwrap().to_string_lossy().to_string();
    let suites: Vec<J> = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut counts = Counts::default();
    for suite in &suites {
        let description = suite["description"].as_str().unwrap_or_default();
        for (i, case) in suite["cases"].as_array().into_iter().flatten().enumerate() {
            let id = case["id"].as_str();
            let label = format!(
                "{file} :: {description} :: {}",
                id.map_or(i.to_string(), str::to_string)
            );
            if ignored(ignore, &protocol_key, description, id) {
                counts.ignored += 1;
                continue;
            }
            if let Some((_, _, reason)) = SKIPS
                .iter()
                .find(|(f, d, _)| *f == file && *d == description)
            {
                *skip_reasons.entry(reason.to_string()).or_default() += 1;
                counts.skipped += 1;
                continue;
            }
            match run_case(suite, case) {
                Ok(()) => counts.pass += 1,
                Err(msg) => {
                    counts.fail += 1;
                    failures.push(format!("{label}\n{msg}"));
                }
            }
        }
    }
    counts
}

fn run_case(suite: &J, case: &J) -> Result<(), String> {
    let mut given = case["given"].clone();
    let name = given["name"]
        .as_str()
        .unwrap_or("OperationName")
        .to_string();
    let protocol = suite["metadata"]["protocol"].as_str().unwrap_or_default();
    let output_shape = given["output"]["shape"].as_str().map(str::to_string);
    let output_members = output_shape
        .as_ref()
        .and_then(|s| suite["shapes"][s]["members"].as_object())
        .map(|m| !m.is_empty())
        .unwrap_or(false);
    // botocore's harness wraps query outputs in `<Name>Result` (the suites omit resultWrapper).
    if protocol == "query" && output_members && case.get("error").is_none_or(|e| e.is_null()) {
        given["output"]["resultWrapper"] = json!(format!("{name}Result"));
    }
    let model = ServiceModel::from_value(json!({
        "metadata": suite["metadata"],
        "operations": {name.clone(): given},
        "shapes": suite["shapes"],
    }))
    .map_err(|e| format!("model: {e}"))?;
    let operation = model.operation(&name).ok_or("operation missing")?;

    let response = &case["response"];
    let mut headers = HeaderMap::new();
    for (k, v) in response["headers"].as_object().into_iter().flatten() {
        let text = match v {
            J::String(s) => s.clone(),
            J::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| i.to_string())
                })
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        headers.append(
            HeaderName::from_bytes(k.as_bytes()).map_err(|e| format!("header {k}: {e}"))?,
            HeaderValue::from_str(&text).map_err(|e| format!("header {k}: {e}"))?,
        );
    }
    let status = response["status_code"].as_u64().unwrap_or(200) as u16;
    let is_event_stream = output_shape.as_ref().is_some_and(|s| {
        suite["shapes"][s]["members"]
            .as_object()
            .into_iter()
            .flatten()
            .any(|(_, m)| {
                suite["shapes"][m["shape"].as_str().unwrap_or_default()]["eventstream"]
                    == json!(true)
            })
    });
    let body: Vec<u8> = match response.get("body").and_then(J::as_str) {
        Some(b) if protocol == "smithy-rpc-v2-cbor" || is_event_stream => {
            base64::engine::general_purpose::STANDARD
                .decode(b)
                .map_err(|e| format!("base64 body: {e}"))?
        }
        Some(b) => b.as_bytes().to_vec(),
        None if protocol == "query" => b"<xml/>".to_vec(),
        None => Vec::new(),
    };
    let body_len = body.len();
    let parsed = parse_response(
        &model,
        operation,
        Response {
            status,
            headers: &headers,
            body: Body::from(body),
        },
    );

    if let Some(expected_fields) = case.get("error").filter(|e| !e.is_null()) {
        let err = match parsed {
            Err(ParseError::Service(e)) => e,
            Err(other) => {
                return Err(format!(
                    "expected a service error, got parse error: {other}"
                ))
            }
            Ok(v) => return Err(format!("expected a service error, got output {v:?}")),
        };
        let mut actual = comparable(&err.fields);
        if let J::Object(m) = &mut actual {
            m.remove("ResponseMetadata");
            if let Some(J::Object(e)) = m.get_mut("Error") {
                e.retain(|k, _| k == "Code" || k == "Message");
            }
        }
        let mut expected = json!({"Error": {
            "Code": case.get("errorCode").and_then(J::as_str).unwrap_or(""),
            "Message": case.get("errorMessage").and_then(J::as_str).unwrap_or(""),
        }});
        for (k, v) in expected_fields.as_object().into_iter().flatten() {
            expected[k] = v.clone();
        }
        if err.code != expected["Error"]["Code"] {
            return Err(format!(
                "code {:?} != {}",
                err.code, expected["Error"]["Code"]
            ));
        }
        return compare(&actual, &expected);
    }

    let output = parsed.map_err(|e| format!("parse failed: {e}"))?;
    let output = if is_event_stream {
        expand_event_stream(&model, operation, output, body_len)?
    } else {
        output
    };
    let mut actual = comparable(&output);
    if let J::Object(m) = &mut actual {
        if m.remove("ResponseMetadata").is_none() {
            return Err("no ResponseMetadata in output".into());
        }
    }
    compare(&actual, &case["result"])
}

/// The value as botocore's harness sees it: blobs as UTF-8 text, timestamps as epoch seconds,
/// non-finite floats as their names.
/// How many document members the parsers produced (they must be tagged as documents).
static DOCUMENTS_SEEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn comparable(v: &Value) -> J {
    match v {
        Value::Null | Value::Stream(_) => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Integer(i) => json!(i),
        Value::Float(f) if f.is_nan() => json!("NaN"),
        Value::Float(f) if f.is_infinite() => {
            json!(if *f > 0.0 { "Infinity" } else { "-Infinity" })
        }
        Value::Float(f) => json!(f),
        Value::String(s) => J::String(s.to_string()),
        Value::Blob(b) => J::String(String::from_utf8_lossy(b).into_owned()),
        Value::Timestamp(t) => json!(t.epoch_f64()),
        Value::List(l) => J::Array(l.iter().map(comparable).collect()),
        Value::Map(m) => J::Object(
            m.iter()
                .map(|(k, v)| (k.to_string(), comparable(v)))
                .collect(),
        ),
        Value::Document(inner) => {
            DOCUMENTS_SEEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            comparable(inner)
        }
    }
}

fn compare(actual: &J, expected: &J) -> Result<(), String> {
    if same(actual, expected) {
        Ok(())
    } else {
        Err(format!(
            "expected: {}\nactual:   {}",
            serde_json::to_string(expected).unwrap(),
            serde_json::to_string(actual).unwrap()
        ))
    }
}

fn same(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 1e-6 * x.abs().max(1.0)
        }
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Drive an event-stream output the way botocore's `EventStream` iterator does: the member holds
/// the body (the parser's hook); frames are split by `sansboto_core::eventstream`, an
/// `initial-response` event fills the output's other members, every other message is read by
/// `parse_event`, and the member becomes the list of events.
fn expand_event_stream(
    model: &ServiceModel,
    operation: &sansboto_core::model::Operation,
    output: Value,
    body_len: usize,
) -> Result<Value, String> {
    let Value::Map(mut out) = output else {
        return Err("output is not a map".into());
    };
    let output_shape = model.shape(operation.output.as_ref().ok_or("no output")?.shape);
    let structure = output_shape
        .as_structure()
        .ok_or("output not a structure")?;
    let (name, member) = structure
        .members
        .iter()
        .find(|(_, m)| {
            model
                .shape(m.shape)
                .as_structure()
                .is_some_and(|s| s.eventstream)
        })
        .ok_or("no event-stream member")?;
    let stream = out
        .get(name.as_str())
        .and_then(Value::as_stream)
        .ok_or_else(|| format!("event-stream member {name} does not hold the body stream"))?;
    let bytes: bytes::Bytes = stream.take().ok_or("stream holds no bytes")?;
    if bytes.len() != body_len {
        return Err(format!(
            "stream holds {} bytes, body had {body_len}",
            bytes.len()
        ));
    }
    let mut decoder = sansboto_core::eventstream::Decoder::new();
    decoder.push(&bytes);
    let mut events = Vec::new();
    while let Some(message) = decoder.next_message().map_err(|e| format!("frame: {e}"))? {
        if message.event_type() == Some("initial-response") {
            let initial =
                sansboto_core::protocol::parse_initial_response(model, operation, &message)
                    .map_err(|e| format!("initial response: {e}"))?;
            out.extend(initial);
        } else {
            events.push(
                sansboto_core::protocol::parse_event(model, member.shape, &message)
                    .map_err(|e| format!("event: {e}"))?,
            );
        }
    }
    decoder.finish().map_err(|e| format!("frame: {e}"))?;
    out.insert(name.as_str().into(), Value::List(events));
    Ok(Value::Map(out))
}
