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

#[cfg(test)]
mod tests {
    use super::*;

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
