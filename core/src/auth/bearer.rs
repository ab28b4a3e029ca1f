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

/// The services botocore 1.44 takes a bearer token from the environment for, by signing name
/// (its `get_bearer_auth_supported_services`).
const ENV_TOKEN_SERVICES: &[&str] = &["bedrock"];

/// botocore's `ScopedEnvTokenProvider` and `_should_prefer_bearer_auth`: a service whose
/// signing name takes a token from the environment and whose model lists
/// `smithy.api#httpBearerAuth` signs with `AWS_BEARER_TOKEN_<SIGNING NAME>` when it is set
/// (`AWS_BEARER_TOKEN_BEDROCK`, a Bedrock API key), before any credentials. The caller leaves
/// it out when the client's auth was configured in code (an unsigned client).
pub(crate) fn env_token(
    signing_name: &str,
    service_auth: &[String],
    env: &dyn crate::config::VarSource,
) -> Option<Token> {
    if !ENV_TOKEN_SERVICES.contains(&signing_name)
        || !service_auth
            .iter()
            .any(|a| a == "smithy.api#httpBearerAuth")
    {
        return None;
    }
    let var = format!(
        "AWS_BEARER_TOKEN_{}",
        signing_name.replace(['-', ' '], "_").to_uppercase()
    );
    env.var(&var).map(|token| Token::new(token, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_env_token_is_bedrocks_alone() {
        let auth = [
            "aws.auth#sigv4".to_string(),
            "smithy.api#httpBearerAuth".to_string(),
        ];
        let env = [
            ("AWS_BEARER_TOKEN_BEDROCK", "key"),
            ("AWS_BEARER_TOKEN_S3", "x"),
        ];
        let token = env_token("bedrock", &auth, &env).expect("a token");
        assert_eq!(token.token(), "key");
        // Not for a model without bearer auth, nor for another signing name.
        assert!(env_token("bedrock", &auth[..1], &env).is_none());
        assert!(env_token("s3", &auth, &env).is_none());
        assert!(env_token("bedrock", &auth, &[("AWS_BEARER_TOKEN_S3", "x")]).is_none());
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
