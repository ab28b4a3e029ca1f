//! Bearer-token authentication (`smithy.api#httpBearerAuth`): `Authorization: Bearer <token>`.

use http::header::{HeaderValue, AUTHORIZATION};
use http::Request;

use super::{AuthError, Token};
use crate::body::Body;

/// Set `Authorization: Bearer <token>` on `request`, replacing any earlier value (a retry).
pub fn sign(request: &mut Request<Body>, token: &Token) -> Result<(), AuthError> {
    let mut value = HeaderValue::try_from(format!("Bearer {}", token.token())).map_err(|_| {
        AuthError::InvalidHeaderValue {
            name: "authorization",
        }
    })?;
    // Keep the token out of HTTP/2 header compression tables and debug dumps of the request.
    value.set_sensitive(true);
    request.headers_mut().insert(AUTHORIZATION, value);
    Ok(())
}

/// The signing names whose services botocore 1.44 signs with an environment token in place of
/// SigV4 when their model lists `smithy.api#httpBearerAuth` too (its
/// `get_bearer_auth_supported_services`).
const PREFERRING_SERVICES: &[&str] = &["bedrock"];

/// Whether a service signs with the environment's token, when there is one, rather than with
/// SigV4 (botocore's `_should_prefer_bearer_auth`): Bedrock's API keys.
pub(crate) fn prefers_env_token(signing_name: &str, service_auth: &[String]) -> bool {
    PREFERRING_SERVICES.contains(&signing_name)
        && service_auth
            .iter()
            .any(|a| a == "smithy.api#httpBearerAuth")
}

/// botocore's `ScopedEnvTokenProvider`: the token in `AWS_BEARER_TOKEN_<SIGNING NAME>` (the
/// name upper-cased, `-` and spaces as `_`), for any service. The caller leaves it out of an
/// unsigned client, whose auth was set in code. Signing names are ASCII, so ASCII upper-casing
/// is Python's `str.upper` on them (and leaves std's Unicode table, 12 KB, out of programs).
pub(crate) fn env_token(signing_name: &str, env: &dyn crate::config::VarSource) -> Option<Token> {
    let var = format!(
        "AWS_BEARER_TOKEN_{}",
        signing_name.replace(['-', ' '], "_").to_ascii_uppercase()
    );
    env.var(&var).map(|token| Token::new(token, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_tokens_are_named_by_signing_name_and_preferred_by_bedrock() {
        let env = [
            ("AWS_BEARER_TOKEN_BEDROCK", "key"),
            ("AWS_BEARER_TOKEN_CODE_CATALYST", "cc"),
        ];
        assert_eq!(env_token("bedrock", &env).expect("a token").token(), "key");
        assert_eq!(
            env_token("code-catalyst", &env).expect("a token").token(),
            "cc"
        );
        assert!(env_token("s3", &env).is_none());
        let auth = [
            "aws.auth#sigv4".to_string(),
            "smithy.api#httpBearerAuth".to_string(),
        ];
        assert!(prefers_env_token("bedrock", &auth));
        assert!(!prefers_env_token("bedrock", &auth[..1]));
        assert!(!prefers_env_token("sts", &auth));
    }

    #[test]
    fn sets_bearer_header_once() {
        let mut req = Request::get("https://codecatalyst.global.api.aws/v1/userInfo")
            .header("authorization", "stale")
            .body(Body::Empty)
            .unwrap();
        sign(&mut req, &Token::new("abc.def", None)).unwrap();
        let values: Vec<_> = req.headers().get_all("authorization").iter().collect();
        assert_eq!(values, ["Bearer abc.def"]);
        assert!(sign(&mut req, &Token::new("bad\ntoken", None)).is_err());
    }
}
