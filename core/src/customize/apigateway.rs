//! API Gateway: `Accept: application/json` unless the request sets one (the service answers HAL
//! otherwise).

use super::request_mut;
use crate::body::Body;
use crate::hooks::{Event, Hooks};

/// Register API Gateway's `Accept` header.
pub(crate) fn register(hooks: &mut Hooks) {
    hooks.register(
        Event::BeforeCall,
        "apigateway.add-accept-header",
        "apigateway",
        |_, t| {
            if let Some(r) = request_mut(t) {
                add_accept_header(r);
            }
            Ok(())
        },
    );
}

/// `Accept: application/json` unless present.
pub(crate) fn add_accept_header(request: &mut http::Request<Body>) {
    request
        .headers_mut()
        .entry(http::header::ACCEPT)
        .or_insert(http::HeaderValue::from_static("application/json"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooks::{CallInfo, Target};

    #[test]
    fn accept_is_added_unless_present() {
        let mut h = Hooks::new();
        register(&mut h);
        let mut r = http::Request::new(Body::Empty);
        h.run(
            Event::BeforeCall,
            &CallInfo::new("apigateway", "GetRestApis"),
            &mut Target::Request(&mut r),
        )
        .unwrap();
        assert_eq!(r.headers()["accept"], "application/json");
        let mut r = http::Request::builder()
            .header("Accept", "application/hal+json")
            .body(Body::Empty)
            .unwrap();
        add_accept_header(&mut r);
        assert_eq!(r.headers()["accept"], "application/hal+json");
    }
}
