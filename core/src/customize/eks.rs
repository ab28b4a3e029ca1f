//! EKS cluster tokens, as aws-cli's `aws eks get-token` customization makes them: a presigned
//! STS `GetCallerIdentity` URL (signed for `GET`, with `x-k8s-aws-id: <cluster>` signed, valid
//! 60 seconds) encoded as `k8s-aws-v1.` + base64url without padding, handed to kubectl in a
//! client-authentication `ExecCredential`. The presigning itself is the client's
//! ([`ServiceClient::eks_token`](crate::client::ServiceClient::eks_token)); this module owns the
//! token's format and the `ExecCredential` around it.

use std::time::{Duration, SystemTime};

use base64::Engine as _;

use crate::time::Timestamp;

/// The header naming the cluster, signed into the URL (the cluster checks it is its own).
pub const CLUSTER_ID_HEADER: &str = "x-k8s-aws-id";

/// How long the presigned URL is valid (aws-cli's `URL_TIMEOUT`).
pub const URL_EXPIRES_IN: Duration = Duration::from_secs(60);

/// The token's prefix.
pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";

/// How long kubectl may use a token before asking again (aws-cli's `TOKEN_EXPIRATION_MINS`:
/// STS accepts the signature for 15 minutes, clients refresh after 14).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(14 * 60);

/// The client-authentication API version aws-cli answers with when kubectl does not say.
pub const DEFAULT_API_VERSION: &str = "client.authentication.k8s.io/v1beta1";

const SUPPORTED_API_VERSIONS: [&str; 2] = [
    "client.authentication.k8s.io/v1",
    "client.authentication.k8s.io/v1beta1",
];
const DEPRECATED_API_VERSION: &str = "client.authentication.k8s.io/v1alpha1";

/// The token for a presigned URL: `k8s-aws-v1.` + the URL in base64url without padding.
pub fn token_from_url(url: &str) -> String {
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url.as_bytes());
    format!("{TOKEN_PREFIX}{encoded}")
}

/// The presigned URL inside a token, as a cluster reads it; `None` when `token` is not one.
pub fn url_from_token(token: &str) -> Option<String> {
    let encoded = token.strip_prefix(TOKEN_PREFIX)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.trim_end_matches('='))
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// The API version to answer kubectl with, from its `KUBERNETES_EXEC_INFO` (the text of that
/// variable, `None` when unset), and the warning aws-cli prints to stderr when it falls back
/// or the version is deprecated.
pub fn exec_credential_api_version(exec_info: Option<&str>) -> (String, Option<String>) {
    let fallback = |why: &str| {
        (
            DEFAULT_API_VERSION.to_string(),
            Some(format!(
                "{why} KUBERNETES_EXEC_INFO, defaulting to {DEFAULT_API_VERSION}. This is likely \
                 a bug in your Kubernetes client. Please update your Kubernetes client."
            )),
        )
    };
    // Old kubectl sets nothing (or an empty value): the default, silently.
    let Some(raw) = exec_info.filter(|s| !s.is_empty()) else {
        return (DEFAULT_API_VERSION.to_string(), None);
    };
    let Ok(info) = serde_json::from_slice::<serde_json::Value>(raw.as_bytes()) else {
        return fallback("Error parsing");
    };
    match info.get("apiVersion").and_then(|v| v.as_str()) {
        Some(v) if SUPPORTED_API_VERSIONS.contains(&v) => (v.to_string(), None),
        Some(v) if v == DEPRECATED_API_VERSION => (
            v.to_string(),
            Some(format!(
                "Kubeconfig user entry is using deprecated API version {v}. Run 'aws eks \
                 update-kubeconfig' to update."
            )),
        ),
        _ => (
            DEFAULT_API_VERSION.to_string(),
            Some(format!(
                "Unrecognized API version in KUBERNETES_EXEC_INFO, defaulting to \
                 {DEFAULT_API_VERSION}. This is likely due to an outdated AWS CLI. Please \
                 update your AWS CLI."
            )),
        ),
    }
}

/// The `ExecCredential` kubectl reads: `token`, with an expiration [`TOKEN_LIFETIME`] after
/// `now` (whole seconds, `YYYY-MM-DDTHH:MM:SSZ`).
pub fn exec_credential(token: &str, api_version: &str, now: SystemTime) -> serde_json::Value {
    let expires = Timestamp::from_system_time(now + TOKEN_LIFETIME);
    let whole_seconds = Timestamp::from_secs(expires.secs());
    serde_json::json!({
        "kind": "ExecCredential",
        "apiVersion": api_version,
        "spec": {},
        "status": {
            "expirationTimestamp": whole_seconds.to_iso8601(),
            "token": token,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_round_trips_without_padding() {
        // 37 bytes: base64 of it would end in padding.
        let url = "https://sts.amazonaws.com/?Action=X&y";
        let token = token_from_url(url);
        assert!(token.starts_with("k8s-aws-v1.aHR0cHM6Ly9zdHMu"), "{token}");
        assert!(!token.contains('=') && !token.contains('+') && !token.contains('/'));
        assert_eq!(url_from_token(&token).as_deref(), Some(url));
        assert_eq!(url_from_token("k8s-aws-v2.aGk"), None);
        assert_eq!(url_from_token("k8s-aws-v1.*"), None);
    }

    #[test]
    fn exec_credential_expires_in_fourteen_minutes() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_250);
        let cred = exec_credential("k8s-aws-v1.x", DEFAULT_API_VERSION, now);
        assert_eq!(cred["kind"], "ExecCredential");
        assert_eq!(cred["spec"], serde_json::json!({}));
        // 1_700_000_000 is 2023-11-14T22:13:20Z; + 840 s.
        assert_eq!(
            cred["status"]["expirationTimestamp"],
            "2023-11-14T22:27:20Z"
        );
        assert_eq!(cred["status"]["token"], "k8s-aws-v1.x");
    }

    #[test]
    fn api_version_follows_kubernetes_exec_info_as_aws_cli_does() {
        assert_eq!(
            exec_credential_api_version(None),
            (DEFAULT_API_VERSION.to_string(), None)
        );
        assert_eq!(
            exec_credential_api_version(Some("")),
            (DEFAULT_API_VERSION.to_string(), None)
        );
        let v1 = r#"{"apiVersion": "client.authentication.k8s.io/v1", "spec": {}}"#;
        assert_eq!(
            exec_credential_api_version(Some(v1)),
            ("client.authentication.k8s.io/v1".to_string(), None)
        );
        let (version, warning) = exec_credential_api_version(Some(
            r#"{"apiVersion": "client.authentication.k8s.io/v1alpha1"}"#,
        ));
        assert_eq!(version, DEPRECATED_API_VERSION);
        assert!(warning.unwrap().contains("deprecated"));
        let (version, warning) = exec_credential_api_version(Some("{not json"));
        assert_eq!(version, DEFAULT_API_VERSION);
        assert!(warning
            .unwrap()
            .starts_with("Error parsing KUBERNETES_EXEC_INFO"));
        let (version, warning) =
            exec_credential_api_version(Some(r#"{"apiVersion": "example.com/v9"}"#));
        assert_eq!(version, DEFAULT_API_VERSION);
        assert!(warning.unwrap().starts_with("Unrecognized API version"));
    }
}
