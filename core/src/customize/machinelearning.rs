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
    let new: http::Uri = endpoint
        .parse()
        .map_err(|_| CustomizeError::InvalidUri(endpoint.to_string()))?;
    let mut parts = request.uri().clone().into_parts();
    let new_parts = new.into_parts();
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
}
