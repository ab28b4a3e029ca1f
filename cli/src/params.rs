//! `--params` JSON into a call's [`Value`], guided by the operation's input shape: JSON has no
//! timestamps or bytes, so the shape says how to read a string or a number. Timestamps take
//! ISO 8601 strings or epoch seconds; blobs take a string (its UTF-8 bytes) or
//! `{"base64": "…"}`; a streaming member may be `file://PATH`, streamed from the file. Members
//! the shape does not know pass through untouched so the core's validator names them.

use base64::Engine;
use sansboto_core::model::{ServiceModel, ShapeId, ShapeKind};
use sansboto_core::Timestamp;
use sansboto_core::{map_with_capacity, Value};

/// Read `--params` (inline JSON or `file://PATH`) into JSON; an absent option is `{}`.
pub(crate) fn read_params_json(given: Option<&str>) -> Result<serde_json::Value, String> {
    let Some(text) = given else {
        return Ok(serde_json::Value::Object(Default::default()));
    };
    let (text, source) = match text.strip_prefix("file://") {
        Some(path) => (
            std::fs::read_to_string(path)
                .map_err(|e| format!("Error parsing parameter '--params': {path}: {e}"))?,
            path,
        ),
        None => (text.to_string(), "--params"),
    };
    serde_json::from_str(&text)
        .map_err(|e| format!("Error parsing parameter '--params': invalid JSON in {source}: {e}"))
}

/// Convert `json` for the input shape `input` (`None`: the operation takes no input). Returns
/// the value, or every conversion problem (one line each) with the value converted as far as
/// it could be (bad members hold placeholders of the right type).
///
/// `file://PATH` streaming members are streamed from the file (a file body, which a retry
/// sends again and which is hashed ahead of signing where the signature covers the payload,
/// as botocore reads a seekable file twice), never read into memory.
pub(crate) fn convert(
    model: &ServiceModel,
    input: Option<ShapeId>,
    json: &serde_json::Value,
) -> Result<Value, (Value, Vec<String>)> {
    let mut problems = Vec::new();
    let mut ctx = Ctx {
        model,
        problems: &mut problems,
    };
    let value = match input {
        Some(shape) => convert_shape(&mut ctx, shape, false, json, ""),
        None => Value::from(json.clone()),
    };
    if problems.is_empty() {
        Ok(value)
    } else {
        Err((value, problems))
    }
}

struct Ctx<'a> {
    model: &'a ServiceModel,
    problems: &'a mut Vec<String>,
}

fn convert_shape(
    ctx: &mut Ctx<'_>,
    id: ShapeId,
    streaming_member: bool,
    json: &serde_json::Value,
    path: &str,
) -> Value {
    use serde_json::Value as J;
    let model = ctx.model;
    let shape = model.shape(id);
    let name = |p: &str| {
        if p.is_empty() {
            "input".to_string()
        } else {
            p.to_string()
        }
    };
    match (&shape.kind, json) {
        (ShapeKind::Structure(s), J::Object(fields)) if !s.document => {
            let mut out = map_with_capacity(fields.len());
            for (key, field) in fields {
                let value = match s.members.get(key) {
                    Some(member) => {
                        convert_shape(ctx, member.shape, member.streaming, field, &join(path, key))
                    }
                    None => Value::from(field.clone()),
                };
                out.insert(key.as_str().into(), value);
            }
            Value::Map(out)
        }
        (ShapeKind::List(item), J::Array(items)) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| convert_shape(ctx, item.shape, false, v, &format!("{path}[{i}]")))
                .collect(),
        ),
        (ShapeKind::Map { value, .. }, J::Object(entries)) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    let item = convert_shape(ctx, value.shape, false, v, &join(path, k));
                    (k.as_str().into(), item)
                })
                .collect(),
        ),
        (ShapeKind::Timestamp, J::String(text)) => {
            // As botocore reads a timestamp parameter's text (ISO 8601 in dateutil's loose
            // forms, an HTTP date, epoch seconds).
            match Timestamp::parse_any(text) {
                Ok(t) => Value::Timestamp(t),
                Err(_) => {
                    ctx.problems.push(format!(
                        "Invalid timestamp for parameter {}: {text:?} (expected ISO 8601 such as \
                     2024-01-01T00:00:00Z, an HTTP date, or epoch seconds)",
                        name(path)
                    ));
                    Value::Timestamp(Timestamp::from_secs(0))
                }
            }
        }
        (ShapeKind::Timestamp, J::Number(n)) => {
            match n.as_f64().and_then(Timestamp::from_epoch_f64) {
                Some(t) => Value::Timestamp(t),
                None => {
                    ctx.problems.push(format!(
                        "Invalid timestamp for parameter {}: {n} is out of range",
                        name(path)
                    ));
                    Value::Timestamp(Timestamp::from_secs(0))
                }
            }
        }
        (ShapeKind::Blob, J::String(text)) => {
            if let Some(file) = text
                .strip_prefix("file://")
                .filter(|_| streaming_member || shape.streaming)
            {
                match sansboto_blocking::file_body(file).map(Value::Stream) {
                    Ok(body) => body,
                    Err(e) => {
                        ctx.problems.push(format!(
                            "Invalid file for parameter {}: {file}: {e}",
                            name(path)
                        ));
                        Value::blob(Vec::new())
                    }
                }
            } else {
                Value::blob(text.clone().into_bytes())
            }
        }
        (ShapeKind::Blob, J::Object(obj)) if obj.len() == 1 && obj.contains_key("base64") => {
            match obj.get("base64") {
                Some(J::String(b64)) => {
                    match base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()) {
                        Ok(bytes) => Value::blob(bytes),
                        Err(e) => {
                            ctx.problems
                                .push(format!("Invalid base64 for parameter {}: {e}", name(path)));
                            Value::blob(Vec::new())
                        }
                    }
                }
                _ => {
                    ctx.problems.push(format!(
                        "Invalid blob for parameter {}: \"base64\" must be a string",
                        name(path)
                    ));
                    Value::blob(Vec::new())
                }
            }
        }
        // Anything else goes as JSON says; the validator reports wrong types with their paths.
        _ => Value::from(json.clone()),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> std::sync::Arc<ServiceModel> {
        ServiceModel::from_json(
            br#"{"metadata": {"protocol": "rest-json"}, "operations": {},
            "shapes": {
              "In": {"type": "structure", "members": {
                 "When": {"shape": "T"}, "Data": {"shape": "B"}, "Body": {"shape": "S"},
                 "Items": {"shape": "L"}, "Tags": {"shape": "M"}, "N": {"shape": "I"}}},
              "T": {"type": "timestamp"}, "B": {"type": "blob"},
              "S": {"type": "blob", "streaming": true},
              "L": {"type": "list", "member": {"shape": "T"}},
              "M": {"type": "map", "key": {"shape": "K"}, "value": {"shape": "B"}},
              "K": {"type": "string"}, "I": {"type": "integer"}}}"#,
        )
        .unwrap()
    }

    #[test]
    fn timestamps_and_blobs_follow_the_shape() {
        let m = model();
        let json = serde_json::json!({
            "When": "2024-01-01T00:00:00Z", "Items": [0, 1.5],
            "Data": {"base64": "AAEC"}, "Tags": {"a": "hi"}, "N": 3, "Other": "x"});
        let v = convert(&m, m.shape_id("In"), &json).unwrap();
        assert_eq!(v["When"].as_timestamp().unwrap().secs(), 1_704_067_200);
        assert_eq!(v["Items"][1].as_timestamp().unwrap().epoch_f64(), 1.5);
        assert_eq!(&v["Data"].as_blob().unwrap()[..], &[0, 1, 2]);
        assert_eq!(&v["Tags"]["a"].as_blob().unwrap()[..], b"hi");
        assert_eq!(v["N"].as_i64(), Some(3));
        assert_eq!(v["Other"].as_str(), Some("x"));
    }

    #[test]
    fn every_problem_is_listed() {
        let m = model();
        let json = serde_json::json!({
            "When": "yesterday", "Data": {"base64": "***"}, "Items": ["nope"],
            "Body": "file:///definitely/not/here"});
        let (_, problems) = convert(&m, m.shape_id("In"), &json).unwrap_err();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].contains("When"));
        assert!(problems[2].contains("Items[0]"));
    }

    #[test]
    fn params_option_reads_inline_json_or_a_file() {
        assert!(read_params_json(Some("{")).is_err());
        assert!(read_params_json(Some("file:///no/such/file")).is_err());
        assert_eq!(read_params_json(None).unwrap(), serde_json::json!({}));
    }
}
