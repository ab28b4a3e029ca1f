//! Amazon Machine Learning: `Predict` is sent to the model's `PredictEndpoint` (botocore's
//! `switch_host_machinelearning`).

use super::{request_mut, CustomizeError};
use crate::body::Body;
use crate::hooks::{Event, Hooks};

/// Register the host switch.
pub(crate) fn register(hooks: &mut Hooks) {
    hooks.register(
        Event::BeforeSign,
        "machinelearning.switch-host",
        "machinelearning.Predict",
        // botocore's `request-created` handler: a presigned URL is made without it.
        |call, t| {
            if call.is_presign() {
                return Ok(());
            }
            if let Some(r) = request_mut(t) {
                switch_host_with_param(r, "PredictEndpoint")?;
            }
            Ok(())
        },
    );
}

/// When the JSON body's `param` is a non-empty URL, take its scheme and host; path and query
/// stay the request's.
pub(crate) fn switch_host_with_param(
    request: &mut http::Request<Body>,
    param: &str,
) -> Result<(), CustomizeError> {
    let Some(body) = request.body().as_bytes() else {
        return Ok(());
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(());
    };
    let Some(endpoint) = json
        .get(param)
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
    else {
        return Ok(());
    };
    // A URL with a scheme and a host: anything else (`*`, a bare host name) would leave the
    // request without one (botocore fails on it with an `AttributeError`).
    let new_parts = endpoint
        .parse::<http::Uri>()
        .ok()
        .map(http::Uri::into_parts)
        .filter(|p| p.scheme.is_some() && p.authority.is_some())
        .ok_or_else(|| CustomizeError::InvalidUri(endpoint.to_string()))?;
    let mut parts = request.uri().clone().into_parts();
    parts.scheme = new_parts.scheme;
    parts.authority = new_parts.authority;
    let uri =
        http::Uri::from_parts(parts).map_err(|e| CustomizeError::InvalidUri(e.to_string()))?;
    if let Some(host) = uri
        .authority()
        .and_then(|a| http::HeaderValue::from_str(a.as_str()).ok())
    {
        if request.headers().contains_key(http::header::HOST) {
            request.headers_mut().insert(http::header::HOST, host);
        }
    }
    *request.uri_mut() = uri;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_is_switched() {
        let mut r = http::Request::builder()
            .method("POST")
            .uri("https://machinelearning.us-east-1.amazonaws.com/")
            .body(Body::from(br#"{"MLModelId":"m","Record":{},"PredictEndpoint":"https://realtime.machinelearning.us-east-1.amazonaws.com"}"#.to_vec()))
            .unwrap();
        switch_host_with_param(&mut r, "PredictEndpoint").unwrap();
        assert_eq!(
            r.uri().to_string(),
            "https://realtime.machinelearning.us-east-1.amazonaws.com/"
        );
        let mut r = http::Request::builder()
            .uri("https://ml.example/")
            .body(Body::from(br#"{"PredictEndpoint":""}"#.to_vec()))
            .unwrap();
        switch_host_with_param(&mut r, "PredictEndpoint").unwrap();
        assert_eq!(r.uri().to_string(), "https://ml.example/");
    }

    #[test]
    fn an_endpoint_without_scheme_or_host_is_refused() {
        for bad in ["*", "realtime.example.com", "/path", "https://", "a b"] {
            let body = serde_json::json!({ "PredictEndpoint": bad }).to_string();
            let mut r = http::Request::builder()
                .uri("https://ml.example/")
                .body(Body::from(body.into_bytes()))
                .unwrap();
            let err = switch_host_with_param(&mut r, "PredictEndpoint").unwrap_err();
            assert!(
                matches!(&err, CustomizeError::InvalidUri(u) if u == bad),
                "{bad:?}: {err:?}"
            );
            assert_eq!(r.uri().to_string(), "https://ml.example/", "unchanged");
        }
    }
}
