//! Polly: a presigned `SynthesizeSpeech` URL must not sign a `Content-Type` (botocore's
//! `remove_content_type_header_for_presigning`). Presigning is a separate path in sansboto, so
//! this is a function the presigner calls rather than a per-call hook.

use crate::body::Body;
use crate::hooks::Hooks;

/// Nothing to register for ordinary calls.
pub(crate) fn register(_hooks: &mut Hooks) {}

/// Remove `Content-Type` from a request about to be presigned.
#[allow(dead_code)] // not called by the call pipeline yet; its unit tests keep it true to botocore
pub(crate) fn remove_content_type_for_presigning(request: &mut http::Request<Body>) {
    request.headers_mut().remove(http::header::CONTENT_TYPE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_removed() {
        let mut r = http::Request::builder()
            .header("content-type", "application/json")
            .body(Body::Empty)
            .unwrap();
        remove_content_type_for_presigning(&mut r);
        assert!(r.headers().is_empty());
    }
}
