//! CloudSearch Domain: `Search` goes out as a form `POST` instead of a long `GET` (botocore's
//! `change_get_to_post`).

use bytes::Bytes;

use super::{request_mut, CustomizeError};
use crate::body::Body;
use crate::hooks::{Event, Hooks};

/// Register the GET-to-POST change.
pub(crate) fn register(hooks: &mut Hooks) {
    hooks.register(
        Event::BeforeSign,
        "cloudsearchdomain.change-get-to-post",
        "cloudsearchdomain.Search",
        // botocore's `request-created` handler: a presigned URL is made without it.
        |call, t| {
            if call.is_presign() {
                return Ok(());
            }
            if let Some(r) = request_mut(t) {
                change_get_to_post(r)?;
            }
            Ok(())
        },
    );
}

/// A `GET` with a query string becomes a `POST` whose form body is that query string.
pub(crate) fn change_get_to_post(request: &mut http::Request<Body>) -> Result<(), CustomizeError> {
    if request.method() != http::Method::GET {
        return Ok(());
    }
    let Some(query) = request.uri().query().map(str::to_string) else {
        return Ok(());
    };
    let mut parts = request.uri().clone().into_parts();
    let path = parts
        .path_and_query
        .as_ref()
        .map(|pq| pq.path().to_string())
        .unwrap_or_else(|| "/".into());
    parts.path_and_query = Some(
        path.parse()
            .map_err(|_| CustomizeError::InvalidUri(path.clone()))?,
    );
    *request.uri_mut() =
        http::Uri::from_parts(parts).map_err(|e| CustomizeError::InvalidUri(e.to_string()))?;
    *request.method_mut() = http::Method::POST;
    *request.body_mut() = Body::from(Bytes::from(query));
    // Only the content type: botocore leaves the length to the HTTP layer, after signing, so
    // `content-length` is not among the signed headers.
    request.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_becomes_post() {
        let mut r = http::Request::builder()
            .uri("https://search-x.cloudsearch.amazonaws.com/2013-01-01/search?format=sdk&pretty=true&q=a%20b")
            .body(Body::Empty)
            .unwrap();
        change_get_to_post(&mut r).unwrap();
        assert_eq!(r.method(), http::Method::POST);
        assert_eq!(
            r.uri().to_string(),
            "https://search-x.cloudsearch.amazonaws.com/2013-01-01/search"
        );
        assert_eq!(
            r.body().as_bytes().unwrap(),
            b"format=sdk&pretty=true&q=a%20b"
        );
        assert_eq!(
            r.headers()["content-type"],
            "application/x-www-form-urlencoded"
        );
        assert!(!r.headers().contains_key("content-length"));
        let mut r = http::Request::builder()
            .method("GET")
            .uri("https://h/p")
            .body(Body::Empty)
            .unwrap();
        change_get_to_post(&mut r).unwrap();
        assert_eq!(r.method(), http::Method::GET);
    }
}
