//! S3 Express One Zone's signature (`sigv4-s3express`, botocore's `S3ExpressAuth` and
//! `S3ExpressQueryAuth`): SigV4 with S3's rules under the session credentials `CreateSession`
//! gave, whose token travels as `x-amz-s3session-token` (a query parameter
//! `X-Amz-S3session-Token` in a presigned URL) and never as `x-amz-security-token`, which S3
//! Express refuses. Getting and caching those session credentials is the client's part
//! (`client::s3express`).

use http::{HeaderValue, Request};

use super::sigv4::{self, SignatureLocation, SigningKeyCache, SigningOutput, SigningParams};
use super::{canonical, AuthError, Credentials};
use crate::body::Body;

/// The header that carries the session token.
pub const SESSION_TOKEN_HEADER: &str = "x-amz-s3session-token";
/// The query parameter that carries the session token in a presigned URL.
pub const SESSION_TOKEN_QUERY: &str = "X-Amz-S3session-Token";

/// Sign `request` in place with `session` credentials: their token, if any, is put where S3
/// Express wants it (and signed), and no `x-amz-security-token` is sent.
pub fn sign(
    request: &mut Request<Body>,
    session: &Credentials,
    params: &SigningParams<'_>,
    cache: &SigningKeyCache,
) -> Result<SigningOutput, AuthError> {
    // The plain SigV4 signer would send the token as `x-amz-security-token`: sign with the key
    // pair alone and carry the token ourselves, before signing so that it is signed too.
    let key_pair = Credentials::new(
        session.access_key_id(),
        session.secret_access_key(),
        None,
        session.expiry(),
    );
    request.headers_mut().remove("x-amz-security-token");
    if let Some(token) = session.session_token() {
        match params.settings.location {
            SignatureLocation::Headers => {
                let value =
                    HeaderValue::from_str(token).map_err(|_| AuthError::InvalidHeaderValue {
                        name: SESSION_TOKEN_HEADER,
                    })?;
                request.headers_mut().insert(SESSION_TOKEN_HEADER, value);
            }
            SignatureLocation::QueryString { .. } => add_query_token(request, token)?,
        }
    }
    sigv4::sign(request, &key_pair, params, cache)
}

/// Append (or replace) `X-Amz-S3session-Token` in the request's query string.
fn add_query_token(request: &mut Request<Body>, token: &str) -> Result<(), AuthError> {
    let uri = request.uri();
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(SESSION_TOKEN_QUERY))
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str(SESSION_TOKEN_QUERY);
    query.push('=');
    query.push_str(&canonical::uri_encode(token));
    let path_and_query = format!("{}?{query}", uri.path());
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(path_and_query.parse().map_err(|_| AuthError::InvalidUri)?);
    *request.uri_mut() = http::Uri::from_parts(parts).map_err(|_| AuthError::InvalidUri)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::sigv4::{PayloadHash, SigningSettings};
    use std::time::{Duration, UNIX_EPOCH};

    fn session() -> Credentials {
        Credentials::new(
            "ASIASESSION",
            "sessionsecret",
            Some("tok/en+1".into()),
            None,
        )
    }

    fn params(settings: SigningSettings) -> SigningParams<'static> {
        SigningParams {
            signing_name: "s3express",
            region: "us-west-2",
            time: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            payload: PayloadHash::ComputeSha256,
            settings,
        }
    }

    #[test]
    fn the_token_is_a_signed_s3session_header_never_a_security_token() {
        let mut request =
            Request::get("https://b--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com/k")
                .header("x-amz-security-token", "base")
                .body(Body::Empty)
                .unwrap();
        let cache = SigningKeyCache::new(2);
        sign(
            &mut request,
            &session(),
            &params(SigningSettings::s3()),
            &cache,
        )
        .unwrap();
        let headers = request.headers();
        assert_eq!(headers[SESSION_TOKEN_HEADER], "tok/en+1");
        assert!(headers.get("x-amz-security-token").is_none());
        let auth = headers["authorization"].to_str().unwrap();
        assert!(
            auth.contains("Credential=ASIASESSION/20231114/us-west-2/s3express/aws4_request"),
            "{auth}"
        );
        assert!(auth.contains("x-amz-s3session-token"), "{auth}");
        assert!(!auth.contains("x-amz-security-token"), "{auth}");
    }

    #[test]
    fn a_presigned_url_carries_the_token_as_s3session_query_parameter() {
        let mut request = Request::get("https://h.example/k?versionId=1")
            .body(Body::Empty)
            .unwrap();
        let settings = SigningSettings::s3().presigned(Duration::from_secs(60));
        let cache = SigningKeyCache::new(2);
        sign(&mut request, &session(), &params(settings), &cache).unwrap();
        let query = request.uri().query().unwrap().to_string();
        assert!(
            query.contains("X-Amz-S3session-Token=tok%2Fen%2B1"),
            "{query}"
        );
        assert!(query.contains("versionId=1"), "{query}");
        assert!(!query.contains("X-Amz-Security-Token"), "{query}");
        assert!(request.headers().get(SESSION_TOKEN_HEADER).is_none());
    }
}
