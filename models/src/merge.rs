//! botocore's sdk-extras: an extras file's `merge` object is deep-merged into the model it sits
//! beside. Embedded models come pre-merged by `models/update`; this applies extras at run time to
//! files found on a data path.

use serde_json::{Map, Value};

/// Merges the extras document's `merge` object into `model`, both given as JSON bytes, and
/// returns the merged model. Extras without a `merge` object leave the model as it is.
pub(crate) fn apply_extras(model: &[u8], extras: &[u8]) -> Result<Vec<u8>, MergeError> {
    let extras: Value = serde_json::from_slice(extras).map_err(MergeError::Extras)?;
    let Some(Value::Object(merge)) = extras.get("merge") else {
        return Ok(model.to_vec());
    };
    let mut model: Value = serde_json::from_slice(model).map_err(MergeError::Model)?;
    if let Value::Object(base) = &mut model {
        deep_merge(base, merge);
    }
    serde_json::to_vec(&model).map_err(MergeError::Model)
}

/// Which side of a merge was not valid JSON.
#[derive(Debug)]
pub(crate) enum MergeError {
    Model(serde_json::Error),
    Extras(serde_json::Error),
}

/// `extra` wins, except where both sides hold an object: those merge key by key.
fn deep_merge(base: &mut Map<String, Value>, extra: &Map<String, Value>) {
    for (key, value) in extra {
        match (base.get_mut(key), value) {
            (Some(Value::Object(inner)), Value::Object(extra_inner)) => {
                deep_merge(inner, extra_inner)
            }
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_objects_and_replaces_the_rest() {
        let model = br#"{"shapes":{"A":{"type":"string","max":3},"B":{"type":"list"}},"v":[1]}"#;
        let extras =
            br#"{"version":1.0,"merge":{"shapes":{"A":{"max":5},"C":{"type":"integer"}},"v":[2]}}"#;
        let merged: Value = serde_json::from_slice(&apply_extras(model, extras).unwrap()).unwrap();
        assert_eq!(
            merged,
            serde_json::json!({
                "shapes": {"A": {"type": "string", "max": 5}, "B": {"type": "list"}, "C": {"type": "integer"}},
                "v": [2]
            })
        );
    }

    #[test]
    fn extras_without_merge_change_nothing() {
        let model = br#"{"a":1}"#;
        assert_eq!(apply_extras(model, br#"{"version":1.0}"#).unwrap(), model);
    }

    #[test]
    fn invalid_json_is_reported_by_side() {
        assert!(matches!(
            apply_extras(b"{", br#"{"merge":{}}"#),
            Err(MergeError::Model(_))
        ));
        assert!(matches!(
            apply_extras(b"{}", b"nope"),
            Err(MergeError::Extras(_))
        ));
    }
}
