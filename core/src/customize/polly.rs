//! Polly: a presigned `SynthesizeSpeech` URL signs no `Content-Type` (botocore's
//! `remove_content_type_header_for_presigning`, a `before-sign` handler): the URL is fetched
//! with a plain `GET`, its parameters in the query.

use super::request_mut;
use crate::body::Body;
use crate::hooks::{Event, Hooks};

/// Register the presign-only header removal.
pub(crate) fn register(hooks: &mut Hooks) {
    hooks.register(
        Event::BeforeSign,
        "polly.remove-content-type-for-presigning",
        "polly.SynthesizeSpeech",
        |call, t| {
            if let (true, Some(r)) = (call.is_presign(), request_mut(t)) {
                remove_content_type_for_presigning(r);
            }
            Ok(())
        },
    );
}

/// Remove `Content-Type` from a request about to be presigned.
pub(crate) fn remove_content_type_for_presigning(request: &mut http::Request<Body>) {
    request.headers_mut().remove(http::header::CONTENT_TYPE);
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooks::{CallContext, CallInfo, PresignRequest, Target};

    fn json_request() -> http::Request<Body> {
        http::Request::builder()
            .header("content-type", "application/json")
            .body(Body::Empty)
            .unwrap()
    }

    #[test]
    fn content_type_removed_only_when_presigning() {
        let mut hooks = Hooks::new();
        register(&mut hooks);
        let info = CallInfo::new("polly", "SynthesizeSpeech");
        let mut sent = json_request();
        hooks
            .run(Event::BeforeSign, &info, &mut Target::Request(&mut sent))
            .unwrap();
        assert!(sent.headers().contains_key("content-type"));

        let context = CallContext::new();
        context.insert(PresignRequest);
        let mut presigned = json_request();
        hooks
            .run(
                Event::BeforeSign,
                &info.with_context(&context),
                &mut Target::Request(&mut presigned),
            )
            .unwrap();
        assert!(presigned.headers().is_empty());
    }
}
