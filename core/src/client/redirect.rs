//! S3's region redirect (botocore's `S3RegionRedirectorv2`): when S3 answers that a bucket lives
//! in another region, the call's endpoint is resolved again for that region, the request is
//! re-signed for it and sent once more at once, and the client remembers the bucket's region so
//! later calls on it go there first.
//!
//! This module owns the rules — which answers redirect, where the new region comes from, which
//! calls may be redirected — the per-client bucket → region memory and the re-targeting of a
//! prepared request. [`CallMachine`](super::CallMachine) drives it, including the `HeadBucket`
//! probe it asks the transport to send when the answer does not name the region.
//!
//! botocore registers the redirector for every S3 client, custom `endpoint_url` included: the
//! endpoint rules then give back the same URL but sign for the bucket's region.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::endpoint::{EndpointParams, EndpointValue};
use crate::error::Error;
use crate::parse::ServiceError;
use crate::value::Value;

use super::{PreparedRequest, ServiceClient};

/// The header S3 names a bucket's region in (on errors and on `HeadBucket`).
const BUCKET_REGION_HEADER: &str = "x-amz-bucket-region";

/// The endpoint ruleset parameter `AWS::Region` binds to. botocore's redirector changes the
/// builtin; in S3's ruleset nothing else binds this parameter, so changing the bound value is
/// the same thing (a test below checks the ruleset still says so).
pub(super) const REGION_PARAMETER: &str = "Region";

/// How many buckets a client remembers. botocore's memory is unbounded; a client touching more
/// buckets in other regions than this starts over rather than growing without end.
const REMEMBERED_BUCKETS: usize = 1024;

/// Which buckets live in another region than the client's, as learnt from redirects.
#[derive(Default)]
pub(super) struct BucketRegions {
    regions: Mutex<HashMap<String, String>>,
}

impl BucketRegions {
    /// The region a redirect found for `bucket`, if any.
    pub(super) fn get(&self, bucket: &str) -> Option<String> {
        let regions = self.regions.lock().unwrap_or_else(|p| p.into_inner());
        regions.get(bucket).cloned()
    }

    fn remember(&self, bucket: &str, region: &str) {
        let mut regions = self.regions.lock().unwrap_or_else(|p| p.into_inner());
        if regions.len() >= REMEMBERED_BUCKETS && !regions.contains_key(bucket) {
            regions.clear();
        }
        regions.insert(bucket.to_string(), region.to_string());
    }
}

/// What a prepared S3 call needs to be redirected: its bucket and the endpoint parameters it was
/// resolved with.
#[derive(Debug, Clone)]
pub(super) struct RedirectTarget {
    bucket: String,
    /// Shared with the endpoint cache's key: a call does not copy them.
    endpoint_params: Arc<EndpointParams>,
}

impl RedirectTarget {
    /// The bucket the call is for.
    pub(super) fn bucket(&self) -> &str {
        &self.bucket
    }
}

/// Whether a failed S3 answer says the bucket is in another region (botocore's conditions, in
/// its words: a HEAD signed for the wrong region gets a bare 400 or 301; a wrong signing region
/// gets `AuthorizationHeaderMalformed` naming the right one; any 301/302/307; a
/// `PermanentRedirect`; an opt-in region's `IllegalLocationConstraintException`, except on
/// `CreateBucket` where it is the caller's mistake).
pub(super) fn wants_redirect(operation: &str, error: &ServiceError) -> bool {
    let code = error.code.as_str();
    let bare_head_error = matches!(code, "301" | "400");
    let special_head_object = bare_head_error && operation == "HeadObject";
    let special_head_bucket = bare_head_error
        && operation == "HeadBucket"
        && bucket_region_header(&error.fields).is_some();
    let wrong_signing_region =
        code == "AuthorizationHeaderMalformed" && !error.fields["Error"]["Region"].is_null();
    let redirect_status = matches!(error.status, 301 | 302 | 307);
    let permanent_redirect = code == "PermanentRedirect";
    let opt_in_region = code == "IllegalLocationConstraintException" && operation != "CreateBucket";
    special_head_object
        || special_head_bucket
        || wrong_signing_region
        || redirect_status
        || permanent_redirect
        || opt_in_region
}

/// The `x-amz-bucket-region` header of a parsed answer (result or error).
pub(super) fn bucket_region_header(fields: &Value) -> Option<&str> {
    fields["ResponseMetadata"]["HTTPHeaders"][BUCKET_REGION_HEADER].as_str()
}

/// The region a redirecting answer names: its `x-amz-bucket-region` header, else a non-empty
/// `<Region>` in the error body. `None` means the bucket has to be asked (`HeadBucket`).
pub(super) fn region_in_answer(error: &ServiceError) -> Option<&str> {
    bucket_region_header(&error.fields).or_else(|| {
        error.fields["Error"]["Region"]
            .as_str()
            .filter(|r| !r.is_empty())
    })
}

/// botocore's `validate_region_name`: a region becomes part of a host name, so it must be a
/// host label (letters, digits and `-`, at most 63, not all digits, no `-` at either end).
/// Checked for a client's configured region as it is made, and for a region an S3 answer names.
pub(crate) fn check_region_name(region: &str) -> Result<(), Error> {
    let all_digits = !region.is_empty() && region.bytes().all(|b| b.is_ascii_digit());
    let label = region.len() <= 63
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
        && !all_digits;
    if label {
        Ok(())
    } else {
        Err(Error::InvalidRegion {
            region: region.to_string(),
        })
    }
}

impl ServiceClient {
    /// Whether this client redirects (botocore registers the redirector for S3 only).
    fn redirects(&self) -> bool {
        self.service == "s3"
    }

    /// The region a redirect found for the bucket of `params`, to resolve its endpoint with.
    /// Not used when the builtins are overridden wholesale (that override is botocore's
    /// last-registered endpoint hook, which would replace the region again).
    pub(super) fn remembered_region(&self, params: &Value) -> Option<String> {
        if !self.redirects() || self.config.endpoint.builtins_override.is_some() {
            return None;
        }
        self.bucket_regions.get(params["Bucket"].as_str()?)
    }

    /// The redirect target of a call with `params`, resolved with `endpoint_params`: S3 calls
    /// on a bucket given by name (an access point ARN fixes its region, so it never redirects).
    pub(super) fn redirect_target(
        &self,
        params: &Value,
        endpoint_params: &Arc<EndpointParams>,
    ) -> Option<RedirectTarget> {
        if !self.redirects() || self.resolver.is_none() {
            return None;
        }
        let bucket = params["Bucket"].as_str()?;
        if crate::customize::s3::is_arn(bucket) {
            return None;
        }
        Some(RedirectTarget {
            bucket: bucket.to_string(),
            endpoint_params: endpoint_params.clone(),
        })
    }

    /// Re-target `prepared` at `region`: remember the bucket's region, resolve the endpoint
    /// again with it, put the new host in the URL (scheme, path and query stay, as botocore
    /// splices only the network location) and take the new endpoint's signing name, region and
    /// algorithm.
    pub(super) fn redirect(
        &self,
        prepared: &mut PreparedRequest,
        region: &str,
    ) -> Result<(), Error> {
        check_region_name(region)?;
        let Some(target) = &prepared.redirect else {
            return Err(Error::Redirect {
                operation: prepared.operation.to_string(),
                reason: format!("it cannot be redirected to region {region}"),
            });
        };
        self.bucket_regions.remember(&target.bucket, region);
        let mut params = EndpointParams::clone(&target.endpoint_params);
        params.insert(REGION_PARAMETER, EndpointValue::from(region));
        let resolved = self.resolve_bound(Arc::new(params))?;
        let redirect_error = |reason: String| Error::Redirect {
            operation: prepared.operation.to_string(),
            reason,
        };
        let new_url: http::Uri =
            resolved.endpoint.url.parse().map_err(|e| {
                redirect_error(format!("endpoint {:?}: {e}", resolved.endpoint.url))
            })?;
        let Some(authority) = new_url.authority().cloned() else {
            return Err(redirect_error(format!(
                "endpoint {:?} has no host",
                resolved.endpoint.url
            )));
        };
        let mut parts = prepared.parts.uri.clone().into_parts();
        parts.authority = Some(authority);
        let uri = http::Uri::from_parts(parts)
            .map_err(|e| redirect_error(format!("redirected URL: {e}")))?;
        if let Some(host) = crate::auth::canonical::host_for_signing(&uri) {
            if let Ok(value) = http::HeaderValue::from_str(&host) {
                prepared.parts.headers.insert(http::header::HOST, value);
            }
        }
        prepared.parts.uri = uri;
        if !matches!(prepared.scheme, crate::auth::AuthScheme::Anonymous) {
            let op = self.operation(&prepared.operation)?;
            let (scheme, signing) = self.auth_for(&self.plan_of(op), &resolved)?;
            prepared.scheme = scheme;
            prepared.signing_name = signing.name;
            prepared.signing_region = signing.region;
            prepared.region_set = signing.region_set;
            prepared.disable_double_encoding = signing.disable_double_encoding;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(
        code: &str,
        status: u16,
        region_header: Option<&str>,
        body_region: Option<&str>,
    ) -> ServiceError {
        let mut headers = Value::map();
        if let Some(r) = region_header {
            headers
                .as_map_mut()
                .unwrap()
                .insert(BUCKET_REGION_HEADER.into(), Value::from(r));
        }
        let mut err = crate::params! {"Code": code};
        if let Some(r) = body_region {
            err.as_map_mut()
                .unwrap()
                .insert("Region".into(), Value::from(r));
        }
        ServiceError {
            operation: "GetObject".to_string(),
            code: code.to_string(),
            message: String::new(),
            request_id: None,
            host_id: None,
            status,
            shape: None,
            query_error_code: None,
            fields: crate::params! {
                "Error": err,
                "ResponseMetadata": crate::params!{"HTTPHeaders": headers},
            },
        }
    }

    #[test]
    fn the_answers_that_redirect_are_botocores() {
        let cases = [
            (
                "GetObject",
                error("PermanentRedirect", 301, None, None),
                true,
            ),
            ("GetObject", error("301", 301, None, None), true),
            (
                "GetObject",
                error("TemporaryRedirect", 307, None, None),
                true,
            ),
            ("GetObject", error("Found", 302, None, None), true),
            (
                "GetObject",
                error("PermanentRedirect", 400, None, None),
                true,
            ),
            (
                "GetObject",
                error("AuthorizationHeaderMalformed", 400, None, Some("eu-west-1")),
                true,
            ),
            // Without a <Region> the message alone does not redirect.
            (
                "GetObject",
                error("AuthorizationHeaderMalformed", 400, None, None),
                false,
            ),
            ("HeadObject", error("400", 400, None, None), true),
            ("GetObject", error("400", 400, None, None), false),
            (
                "HeadBucket",
                error("400", 400, Some("eu-west-1"), None),
                true,
            ),
            ("HeadBucket", error("400", 400, None, None), false),
            (
                "PutObject",
                error("IllegalLocationConstraintException", 400, None, None),
                true,
            ),
            (
                "CreateBucket",
                error("IllegalLocationConstraintException", 400, None, None),
                false,
            ),
            (
                "GetObject",
                error("NoSuchKey", 404, Some("eu-west-1"), None),
                false,
            ),
            ("GetObject", error("AccessDenied", 403, None, None), false),
        ];
        for (op, err, expected) in cases {
            assert_eq!(
                wants_redirect(op, &err),
                expected,
                "{op} {} {}",
                err.code,
                err.status
            );
        }
    }

    #[test]
    fn the_header_names_the_region_before_the_body() {
        let both = error(
            "AuthorizationHeaderMalformed",
            400,
            Some("eu-west-1"),
            Some("ap-south-1"),
        );
        assert_eq!(region_in_answer(&both), Some("eu-west-1"));
        let body = error(
            "AuthorizationHeaderMalformed",
            400,
            None,
            Some("ap-south-1"),
        );
        assert_eq!(region_in_answer(&body), Some("ap-south-1"));
        let empty = error("PermanentRedirect", 301, None, Some(""));
        assert_eq!(region_in_answer(&empty), None);
    }

    #[test]
    fn region_names_must_be_host_labels() {
        for ok in ["eu-west-1", "us-gov-west-1", "a", "x1"] {
            assert!(check_region_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "bad_region!",
            "-eu",
            "eu-",
            "123",
            "eu.west",
            &"a".repeat(64),
        ] {
            assert!(
                matches!(check_region_name(bad), Err(Error::InvalidRegion { region }) if region == bad),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_memory_is_bounded() {
        let memory = BucketRegions::default();
        for i in 0..REMEMBERED_BUCKETS {
            memory.remember(&format!("b{i}"), "eu-west-1");
        }
        memory.remember("b0", "eu-west-2");
        assert_eq!(memory.get("b0").as_deref(), Some("eu-west-2"));
        memory.remember("one-more", "eu-west-3");
        assert_eq!(memory.get("b1"), None);
        assert_eq!(memory.get("one-more").as_deref(), Some("eu-west-3"));
    }

    // ----- the redirect driven through a call, without a network ------------------------------

    use crate::auth::Credentials;
    use crate::body::Body;
    use crate::client::{CallIdentity, ClientConfig};
    use crate::machine::{SplitMix64, Step};
    use std::time::{Duration, SystemTime};

    const NOW: Duration = Duration::from_secs(1_767_225_600);

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + NOW
    }

    /// An S3 client in `region` resolving AWS's own endpoints (nothing is sent: the test answers).
    fn s3(region: &str, max_attempts: Option<u32>) -> ServiceClient {
        let mut config = ClientConfig::default();
        config.endpoint.region = Some(region.into());
        config.max_attempts = max_attempts;
        crate::customize::test_support::s3_client_with(config)
    }

    fn identity() -> CallIdentity {
        CallIdentity::Credentials(Credentials::new("AKIDREDIRECT", "secret", None, None))
    }

    /// What a sent request was: method, host, path, signing region, `amz-sdk-request`.
    fn describe(step: Step<Value, Error>) -> (String, String, String, String, String) {
        let Step::Send(req) = step else {
            panic!("expected a request, got {step:?}");
        };
        let auth = req.headers()["authorization"].to_str().unwrap().to_string();
        let scope = auth
            .split("Credential=")
            .nth(1)
            .unwrap()
            .split('/')
            .nth(2)
            .unwrap();
        assert_eq!(
            req.headers()["host"].to_str().unwrap(),
            req.uri().host().unwrap(),
            "the Host header follows the URL"
        );
        (
            req.method().to_string(),
            req.uri().host().unwrap().to_string(),
            req.uri().path().to_string(),
            scope.to_string(),
            req.headers()["amz-sdk-request"]
                .to_str()
                .unwrap()
                .to_string(),
        )
    }

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Body> {
        let mut builder = http::Response::builder().status(status);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::from(body.to_string())).unwrap()
    }

    const PERMANENT_REDIRECT: &str = "<Error><Code>PermanentRedirect</Code><Message>The bucket \
        you are attempting to access must be addressed using the specified endpoint.</Message>\
        <Endpoint>bucket-one.s3.amazonaws.com</Endpoint><Bucket>bucket-one</Bucket></Error>";

    #[test]
    fn a_301_naming_the_region_resends_there_at_once_and_later_calls_go_there_first() {
        let client = s3("us-west-2", None);
        let get = || {
            client
                .call(
                    "GetObject",
                    crate::params! {"Bucket": "bucket-one", "Key": "k"},
                    identity(),
                    Box::new(SplitMix64(1)),
                )
                .unwrap()
        };
        let mut call = get();
        let first = describe(call.poll(now()));
        assert_eq!(first.1, "bucket-one.s3.us-west-2.amazonaws.com");
        assert_eq!(
            (first.3.as_str(), first.4.as_str()),
            ("us-west-2", "attempt=1; max=3")
        );
        call.handle_response(
            Ok(answer(
                301,
                &[("x-amz-bucket-region", "eu-west-1")],
                PERMANENT_REDIRECT,
            )),
            now(),
        );
        // No sleep between: the next step is the request itself.
        let second = describe(call.poll(now()));
        assert_eq!(
            (
                second.0.as_str(),
                second.1.as_str(),
                second.2.as_str(),
                second.3.as_str()
            ),
            (
                "GET",
                "bucket-one.s3.eu-west-1.amazonaws.com",
                "/k",
                "eu-west-1"
            )
        );
        assert_eq!(second.4, "attempt=2; max=3");
        call.handle_response(Ok(answer(200, &[], "hello")), now());
        let Step::Done(out) = call.poll(now()) else {
            panic!("the redirected call succeeds");
        };
        assert_eq!(out["ResponseMetadata"]["RetryAttempts"].as_i64(), Some(1));

        let mut again = get();
        let first = describe(again.poll(now()));
        assert_eq!(
            (first.1.as_str(), first.3.as_str()),
            ("bucket-one.s3.eu-west-1.amazonaws.com", "eu-west-1")
        );
        assert_eq!(first.4, "attempt=1; max=3");
        // Presigned URLs use what the client learnt too (botocore's cache is an endpoint hook).
        let url = client
            .presign(
                "GetObject",
                crate::params! {"Bucket": "bucket-one", "Key": "k"},
                &Credentials::new("AKIDREDIRECT", "secret", None, None),
                now(),
                Duration::from_secs(60),
                &mut SplitMix64(1),
            )
            .unwrap();
        assert!(
            url.starts_with("https://bucket-one.s3.eu-west-1.amazonaws.com/k?"),
            "{url}"
        );
        assert!(url.contains("%2Feu-west-1%2Fs3%2F"), "{url}");
        // Other buckets are unaffected.
        let mut other = client
            .call(
                "GetObject",
                crate::params! {"Bucket": "bucket-two", "Key": "k"},
                identity(),
                Box::new(SplitMix64(1)),
            )
            .unwrap();
        assert_eq!(
            describe(other.poll(now())).1,
            "bucket-two.s3.us-west-2.amazonaws.com"
        );
    }

    #[test]
    fn without_a_region_in_the_answer_the_bucket_is_asked_with_head_bucket() {
        let client = s3("us-west-2", None);
        let mut call = client
            .call(
                "GetObject",
                crate::params! {"Bucket": "bucket-one", "Key": "k"},
                identity(),
                Box::new(SplitMix64(1)),
            )
            .unwrap();
        describe(call.poll(now()));
        call.handle_response(Ok(answer(301, &[], PERMANENT_REDIRECT)), now());
        let probe = describe(call.poll(now()));
        assert_eq!(
            (
                probe.0.as_str(),
                probe.1.as_str(),
                probe.2.as_str(),
                probe.3.as_str()
            ),
            (
                "HEAD",
                "bucket-one.s3.us-west-2.amazonaws.com",
                "/",
                "us-west-2"
            )
        );
        assert_eq!(
            probe.4, "attempt=1; max=3",
            "the probe is a call of its own"
        );
        assert_eq!(call.operation(), "HeadBucket");
        assert!(!call.streams_response(200));
        call.handle_response(
            Ok(answer(200, &[("x-amz-bucket-region", "eu-central-1")], "")),
            now(),
        );
        let resent = describe(call.poll(now()));
        assert_eq!(
            (
                resent.0.as_str(),
                resent.1.as_str(),
                resent.3.as_str(),
                resent.4.as_str()
            ),
            (
                "GET",
                "bucket-one.s3.eu-central-1.amazonaws.com",
                "eu-central-1",
                "attempt=2; max=3"
            )
        );
        assert_eq!(call.operation(), "GetObject");
    }

    #[test]
    fn a_probe_that_learns_nothing_ends_the_call_with_the_first_answer() {
        let client = s3("us-west-2", None);
        let mut call = client
            .call(
                "GetObject",
                crate::params! {"Bucket": "bucket-one", "Key": "k"},
                identity(),
                Box::new(SplitMix64(1)),
            )
            .unwrap();
        describe(call.poll(now()));
        call.handle_response(Ok(answer(301, &[], PERMANENT_REDIRECT)), now());
        describe(call.poll(now()));
        call.handle_response(Ok(answer(403, &[], "")), now());
        match call.poll(now()) {
            Step::Failed(Error::Service(e)) => {
                assert_eq!((e.code.as_str(), e.status), ("PermanentRedirect", 301))
            }
            other => panic!("expected the PermanentRedirect: {other:?}"),
        }
        // A probe answered with an error that names the region still redirects (403 here).
        let mut call = client
            .call(
                "GetObject",
                crate::params! {"Bucket": "bucket-two", "Key": "k"},
                identity(),
                Box::new(SplitMix64(1)),
            )
            .unwrap();
        describe(call.poll(now()));
        call.handle_response(Ok(answer(307, &[], "")), now());
        describe(call.poll(now()));
        call.handle_response(
            Ok(answer(403, &[("x-amz-bucket-region", "sa-east-1")], "")),
            now(),
        );
        assert_eq!(describe(call.poll(now())).3, "sa-east-1");
    }

    #[test]
    fn a_bare_400_to_head_object_asks_the_bucket() {
        // A HEAD signed for the wrong region gets a 400 without a body (so its code is "400").
        let client = s3("us-west-2", None);
        let mut call = client
            .call(
                "HeadObject",
                crate::params! {"Bucket": "bucket-one", "Key": "k"},
                identity(),
                Box::new(SplitMix64(1)),
            )
            .unwrap();
        describe(call.poll(now()));
        call.handle_response(Ok(answer(400, &[], "")), now());
        let probe = describe(call.poll(now()));
        assert_eq!((probe.0.as_str(), probe.2.as_str()), ("HEAD", "/"));
        call.handle_response(
            Ok(answer(200, &[("x-amz-bucket-region", "ca-central-1")], "")),
            now(),
        );
        let resent = describe(call.poll(now()));
        assert_eq!(
            (resent.0.as_str(), resent.2.as_str(), resent.3.as_str()),
            ("HEAD", "/k", "ca-central-1")
        );
        // The same bare 400 to GetObject is just an error.
        let mut call = client
            .call(
                "GetObject",
                crate::params! {"Bucket": "bucket-two", "Key": "k"},
                identity(),
                Box::new(SplitMix64(1)),
            )
            .unwrap();
        describe(call.poll(now()));
        call.handle_response(Ok(answer(400, &[], "")), now());
        assert!(matches!(call.poll(now()), Step::Failed(Error::Service(e)) if e.code == "400"));
    }

    #[test]
    fn the_probe_follows_a_redirect_of_its_own() {
        // botocore 1.44.5 against the same answers: GET (us-west-2) 307 → HEAD (us-west-2) 301
        // naming us-east-2 → HEAD (us-east-2, attempt 2) → GET (us-east-2, attempt 2).
        let client = s3("us-west-2", None);
        let mut call = client
            .call(
                "GetObject",
                crate::params! {"Bucket": "bucket-one", "Key": "k"},
                identity(),
                Box::new(SplitMix64(1)),
            )
            .unwrap();
        describe(call.poll(now()));
        call.handle_response(Ok(answer(307, &[], "")), now());
        let head = describe(call.poll(now()));
        assert_eq!((head.0.as_str(), head.3.as_str()), ("HEAD", "us-west-2"));
        call.handle_response(
            Ok(answer(301, &[("x-amz-bucket-region", "us-east-2")], "")),
            now(),
        );
        let head = describe(call.poll(now()));
        assert_eq!(
            (head.0.as_str(), head.3.as_str(), head.4.as_str()),
            ("HEAD", "us-east-2", "attempt=2; max=3")
        );
        call.handle_response(
            Ok(answer(200, &[("x-amz-bucket-region", "us-east-2")], "")),
            now(),
        );
        let get = describe(call.poll(now()));
        assert_eq!(
            (get.0.as_str(), get.3.as_str(), get.4.as_str()),
            ("GET", "us-east-2", "attempt=2; max=3")
        );
    }

    #[test]
    fn a_call_is_redirected_once() {
        let client = s3("us-west-2", None);
        let mut call = client
            .call(
                "GetObject",
                crate::params! {"Bucket": "bucket-one", "Key": "k"},
                identity(),
                Box::new(SplitMix64(1)),
            )
            .unwrap();
        describe(call.poll(now()));
        call.handle_response(
            Ok(answer(301, &[("x-amz-bucket-region", "eu-west-3")], "")),
            now(),
        );
        describe(call.poll(now()));
        call.handle_response(
            Ok(answer(301, &[("x-amz-bucket-region", "eu-west-2")], "")),
            now(),
        );
        match call.poll(now()) {
            Step::Failed(Error::Service(e)) => assert_eq!(e.status, 301),
            other => panic!("expected the second 301: {other:?}"),
        }
    }

    #[test]
    fn the_redirect_needs_no_attempt_left() {
        // max_attempts = 1: the policy allows no retry, the redirect still happens (as botocore).
        let client = s3("us-west-2", Some(1));
        let mut call = client
            .call(
                "GetObject",
                crate::params! {"Bucket": "bucket-one", "Key": "k"},
                identity(),
                Box::new(SplitMix64(1)),
            )
            .unwrap();
        describe(call.poll(now()));
        call.handle_response(
            Ok(answer(
                400,
                &[],
                "<Error><Code>AuthorizationHeaderMalformed</Code>\
            <Message>the region 'us-west-2' is wrong; expecting 'ap-south-1'</Message>\
            <Region>ap-south-1</Region></Error>",
            )),
            now(),
        );
        let resent = describe(call.poll(now()));
        assert_eq!(
            (resent.3.as_str(), resent.4.as_str()),
            ("ap-south-1", "attempt=2; max=1")
        );
    }

    #[test]
    fn access_point_arns_and_bad_region_names_do_not_redirect() {
        let client = s3("us-west-2", None);
        let arn = "arn:aws:s3:us-west-2:123456789012:accesspoint/myap";
        let mut call = client
            .call(
                "GetObject",
                crate::params! {"Bucket": arn, "Key": "k"},
                identity(),
                Box::new(SplitMix64(1)),
            )
            .unwrap();
        describe(call.poll(now()));
        call.handle_response(
            Ok(answer(301, &[("x-amz-bucket-region", "eu-west-1")], "")),
            now(),
        );
        assert!(matches!(call.poll(now()), Step::Failed(Error::Service(e)) if e.status == 301));

        let mut call = client
            .call(
                "GetObject",
                crate::params! {"Bucket": "bucket-one", "Key": "k"},
                identity(),
                Box::new(SplitMix64(1)),
            )
            .unwrap();
        describe(call.poll(now()));
        call.handle_response(
            Ok(answer(301, &[("x-amz-bucket-region", "bad_region!")], "")),
            now(),
        );
        match call.poll(now()) {
            Step::Failed(Error::InvalidRegion { region }) => assert_eq!(region, "bad_region!"),
            other => panic!("expected InvalidRegion: {other:?}"),
        }
        // Nothing was remembered for it.
        assert_eq!(client.bucket_regions.get("bucket-one"), None);
    }

    #[test]
    fn only_the_builtin_binds_the_s3_region_parameter() {
        // `redirect` and `remembered_region` change the bound `Region` instead of the builtin.
        let client = s3("us-west-2", None);
        let ruleset = client.resolver.as_ref().unwrap().ruleset();
        let region = ruleset
            .parameters()
            .iter()
            .find(|p| p.name == REGION_PARAMETER)
            .unwrap();
        assert_eq!(region.built_in.as_deref(), Some("AWS::Region"));
        for op in client.model().operations() {
            assert!(
                !op.static_context_params
                    .iter()
                    .any(|(n, _)| n == REGION_PARAMETER),
                "{}",
                op.name
            );
            assert!(
                !op.operation_context_params
                    .iter()
                    .any(|(n, _)| n == REGION_PARAMETER),
                "{}",
                op.name
            );
        }
    }
}
