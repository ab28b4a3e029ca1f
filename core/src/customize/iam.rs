//! IAM: policy documents come back URL-encoded JSON text; results carry them decoded (botocore's
//! `json_decode_policies`).

use std::sync::Arc;

use super::{percent_decode, result_mut, PerOperation};
use crate::hooks::{Event, Hooks};
use crate::model::{ServiceModel, ShapeId, ShapeKind};
use crate::value::Value;

/// The shape IAM uses for every policy document string.
pub(crate) const POLICY_DOCUMENT_SHAPE: &str = "policyDocumentType";

/// Register IAM's policy decoding for the operations whose output can hold a policy document
/// (found on each operation's first call, then remembered).
pub(crate) fn register(hooks: &mut Hooks, model: &Arc<ServiceModel>) {
    let policy_outputs = PerOperation::new(model);
    hooks.register(
        Event::AfterCall,
        "iam.json-decode-policies",
        "iam",
        move |call, t| {
            let shape = policy_outputs.get(call.operation, |model, op| {
                let out = op.output.as_ref()?.shape;
                reaches_policy(model, out, &mut Vec::new()).then_some(out)
            });
            if let (Some(Some(shape)), Some(r)) = (shape, result_mut(t)) {
                let mut value = Value::Map(std::mem::take(r));
                decode_policy_types(policy_outputs.model(), &mut value, shape);
                if let Value::Map(m) = value {
                    *r = m;
                }
            }
            Ok(())
        },
    );
}

/// True when a policy-document string can occur under `shape` along structures and lists.
fn reaches_policy(model: &ServiceModel, shape: ShapeId, seen: &mut Vec<ShapeId>) -> bool {
    if seen.contains(&shape) {
        return false;
    }
    seen.push(shape);
    let s = model.shape(shape);
    match &s.kind {
        ShapeKind::String => s.name == POLICY_DOCUMENT_SHAPE,
        ShapeKind::Structure(st) => st
            .members
            .values()
            .any(|m| reaches_policy(model, m.shape, seen)),
        ShapeKind::List(m) => reaches_policy(model, m.shape, seen),
        _ => false,
    }
}

/// `json.loads(unquote(text))`, or the text unchanged when it is not JSON.
pub(crate) fn decode_quoted_json(text: &str) -> Option<Value> {
    let unquoted = percent_decode(text, false);
    serde_json::from_slice::<serde_json::Value>(unquoted.as_bytes())
        .ok()
        .map(Value::from)
}

/// Decode every policy-document string under `value` (of `shape`), following structures and
/// lists as botocore does (map values are not visited).
pub(crate) fn decode_policy_types(model: &ServiceModel, value: &mut Value, shape: ShapeId) {
    match (&model.shape(shape).kind, value) {
        (ShapeKind::Structure(st), Value::Map(map)) => {
            for (name, member) in &st.members {
                let Some(v) = map.get_mut(name.as_str()) else {
                    continue;
                };
                let target = model.shape(member.shape);
                if matches!(target.kind, ShapeKind::String) && target.name == POLICY_DOCUMENT_SHAPE
                {
                    if let Some(decoded) = v.as_str().and_then(decode_quoted_json) {
                        *v = decoded;
                    }
                } else {
                    decode_policy_types(model, v, member.shape);
                }
            }
        }
        (ShapeKind::List(member), Value::List(items)) => {
            for item in items {
                decode_policy_types(model, item, member.shape);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::test_support::model;
    use crate::hooks::{CallInfo, Target};
    use crate::params;

    #[test]
    fn policies_are_decoded_in_nested_results() {
        let mut h = Hooks::new();
        register(&mut h, &model("iam"));
        let doc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        let mut r = params! {"RoleDetailList": vec![params!{
            "RoleName": "r",
            "AssumeRolePolicyDocument": doc,
            "RolePolicyList": vec![params!{"PolicyName": "p", "PolicyDocument": doc}],
        }], "IsTruncated": false};
        h.run(
            Event::AfterCall,
            &CallInfo::new("iam", "GetAccountAuthorizationDetails"),
            &mut Target::Result(&mut r),
        )
        .unwrap();
        let role = &r["RoleDetailList"][0];
        assert_eq!(
            role["AssumeRolePolicyDocument"]["Version"].as_str(),
            Some("2012-10-17")
        );
        assert_eq!(
            role["RolePolicyList"][0]["PolicyDocument"]["Statement"],
            Value::List(vec![])
        );
        assert_eq!(role["RoleName"].as_str(), Some("r"));
    }

    #[test]
    fn non_json_policy_is_kept() {
        let mut h = Hooks::new();
        register(&mut h, &model("iam"));
        let mut r = params! {"RoleName": "r", "PolicyName": "p", "PolicyDocument": "not%20json"};
        h.run(
            Event::AfterCall,
            &CallInfo::new("iam", "GetRolePolicy"),
            &mut Target::Result(&mut r),
        )
        .unwrap();
        assert_eq!(r["PolicyDocument"].as_str(), Some("not%20json"));
    }
}
