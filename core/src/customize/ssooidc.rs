//! SSO OIDC: OAuth2 errors put their text in `error_description`; it becomes `Message` when
//! the body has none (botocore's `_map_oauth2_errors`).

use bytes::Bytes;

use super::response_mut;
use crate::body::Body;
use crate::hooks::{Event, Hooks};

/// Register the OAuth2 error mapping.
pub(crate) fn register(hooks: &mut Hooks) {
    hooks.register(
        Event::BeforeParse,
        "sso-oidc.map-oauth2-errors",
        "sso-oidc",
        |_, t| {
            if let Some(r) = response_mut(t) {
                map_oauth2_errors(r);
            }
            Ok(())
        },
    );
}

/// On an error response whose JSON body has `error_description` and no (non-empty) `Message` or
/// `message`, add `Message`.
pub(crate) fn map_oauth2_errors(response: &mut http::Response<Body>) {
    if response.status().as_u16() < 400 {
        return;
    }
    let Some(body) = response.body().as_bytes() else {
        return;
    };
    let Ok(serde_json::Value::Object(mut obj)) = serde_json::from_slice::<serde_json::Value>(body)
    else {
        return;
    };
    let Some(description) = obj.get("error_description").filter(|d| truthy(d)).cloned() else {
        return;
    };
    let has_message = obj
        .get("Message")
        .or_else(|| obj.get("message"))
        .is_some_and(truthy);
    if has_message {
        return;
    }
    obj.insert("Message".into(), description);
    if let Ok(bytes) = serde_json::to_vec(&serde_json::Value::Object(obj)) {
        *response.body_mut() = Body::from(Bytes::from(bytes));
    }
}

/// Python truthiness of a JSON value.
fn truthy(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64() != Some(0.0),
        serde_json::Value::String(s) => !s.is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooks::{CallInfo, Target};

    #[test]
    fn description_becomes_message() {
        let mut h = Hooks::new();
        register(&mut h);
        let mut r = http::Response::builder()
            .status(400)
            .body(Body::from(
                br#"{"error":"invalid_grant","error_description":"expired"}"#.to_vec(),
            ))
            .unwrap();
        h.run(
            Event::BeforeParse,
            &CallInfo::new("sso-oidc", "CreateToken"),
            &mut Target::Response(&mut r),
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_slice(r.body().as_bytes().unwrap()).unwrap();
        assert_eq!(v["Message"], "expired");
        assert_eq!(v["error"], "invalid_grant");
        let original = br#"{"error_description":"d","message":"m"}"#.to_vec();
        let mut r = http::Response::builder()
            .status(400)
            .body(Body::from(original.clone()))
            .unwrap();
        map_oauth2_errors(&mut r);
        assert_eq!(r.body().as_bytes().unwrap(), &original[..]);
        let mut r = http::Response::builder()
            .status(200)
            .body(Body::from(br#"{"error_description":"d"}"#.to_vec()))
            .unwrap();
        map_oauth2_errors(&mut r);
        assert!(!r
            .body()
            .as_bytes()
            .unwrap()
            .starts_with(b"{\"error_description\":\"d\",\"Message\""));
    }
}
