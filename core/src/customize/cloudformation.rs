//! CloudFormation: `GetTemplate`'s `TemplateBody` returned as a parsed document when it is JSON
//! (botocore's `json_decode_template_body`); YAML templates stay text.

use super::result_mut;
use crate::hooks::{Event, Hooks};
use crate::value::{Map, Value};

/// Register CloudFormation's template decoding.
pub(crate) fn register(hooks: &mut Hooks) {
    hooks.register(
        Event::AfterCall,
        "cloudformation.json-decode-template-body",
        "cloudformation.GetTemplate",
        |_, t| {
            if let Some(r) = result_mut(t) {
                json_decode_template_body(r);
            }
            Ok(())
        },
    );
}

/// `TemplateBody` parsed as JSON (keeping key order) when it is JSON.
pub(crate) fn json_decode_template_body(result: &mut Map) {
    let Some(Value::String(body)) = result.get("TemplateBody") else {
        return;
    };
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body.as_bytes()) {
        result.insert("TemplateBody".into(), Value::from(json));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooks::{CallInfo, Target};
    use crate::params;

    #[test]
    fn json_templates_are_parsed_yaml_kept() {
        let mut h = Hooks::new();
        register(&mut h);
        let mut r = params! {"TemplateBody": "{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\"}}, \"AWSTemplateFormatVersion\": \"2010-09-09\"}"};
        h.run(
            Event::AfterCall,
            &CallInfo::new("cloudformation", "GetTemplate"),
            &mut Target::Result(&mut r),
        )
        .unwrap();
        assert_eq!(
            r["TemplateBody"]["Resources"]["B"]["Type"].as_str(),
            Some("AWS::S3::Bucket")
        );
        let keys: Vec<_> = r["TemplateBody"]
            .as_map()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            keys,
            ["Resources", "AWSTemplateFormatVersion"],
            "order kept"
        );
        let mut r = params! {"TemplateBody": "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"};
        json_decode_template_body(r.as_map_mut().unwrap());
        assert!(r["TemplateBody"].as_str().is_some());
    }
}
