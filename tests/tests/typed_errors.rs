//! Errors a program can match: each failure outside a service answer is its own `Error` variant
//! (waiters, pagination, model data, configuration files, customizations refused through a
//! hook), and a transport error names the host, the proxy and the attempts made — on every
//! runtime, against a local server or a closed port (loopback only).

mod e2e_support;

use std::sync::Arc;
use std::time::Duration;

use e2e_support::{blocking_session, core_session, tokio_session, Action, ScriptServer};
use sansboto_core::config::ConfigError;
use sansboto_core::params;
use sansboto_core::runtime::RuntimeSession;
use sansboto_core::session::{Session, SessionInputs};
use sansboto_core::CustomizeError;
use sansboto_core::RetryMode;
use sansboto_core::WaiterError;
use sansboto_core::{Error, TransportError, TransportErrorKind};
use sansboto_core::{PaginateError, PaginationOptions};
use sansboto_tests::botocore;

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn blocking_s3(endpoint: &str) -> sansboto_blocking::Client {
    blocking_session(core_session(&[], None, None))
        .client("s3")
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap()
}

/// botocore refuses `call` (Python, on `client`, made by `create_client`, the start of a
/// `create_client(…,` call the credentials complete) with a `ParamValidationError` in `err`'s
/// words.
fn assert_botocore_refuses_alike(create_client: &str, call: &str, err: &Error) {
    let reference = botocore::run(
        &format!(
            r#"
client = {create_client}
    aws_access_key_id="AKID", aws_secret_access_key="SECRET")
try:
    {call}
    emit({{"error": None}})
except Exception as e:
    emit({{"error": type(e).__name__, "message": str(e)}})
"#
        ),
        &[],
    );
    assert_eq!(
        reference["error"], "ParamValidationError",
        "{call}: {reference}"
    );
    assert_eq!(reference["message"], err.to_string(), "{call}");
}

/// S3's parameter refusals (a bucket name, metadata outside ASCII, a `CopySource` without its
/// key) are validation problems, as botocore's handlers raise `ParamValidationError`, in
/// botocore's words; the customization's own error stays reachable.
#[test]
fn s3_parameter_refusals_are_validation_errors_as_in_botocore() {
    let server = ScriptServer::start(|_, _| Action::xml(200, ""));
    let s3 = blocking_s3(&server.url());
    let cases = [
        (
            "PutObject",
            params! {"Bucket": "a/b", "Key": "k"},
            r#"client.put_object(Bucket="a/b", Key="k")"#,
        ),
        (
            "PutObject",
            params! {"Bucket": "b", "Key": "k", "Metadata": {"k": "caf\u{e9}"}},
            r#"client.put_object(Bucket="b", Key="k", Metadata={"k": "caf\u00e9"})"#,
        ),
        (
            "CopyObject",
            params! {"Bucket": "b", "Key": "k", "CopySource": {"Bucket": "src"}},
            r#"client.copy_object(Bucket="b", Key="k", CopySource={"Bucket": "src"})"#,
        ),
    ];
    for (operation, params, python) in cases {
        let err = s3.call(operation, params).unwrap_err();
        let Error::Validation(validation) = &err else {
            panic!("{python}: {err:?}")
        };
        assert!(
            matches!(
                validation.problems[..],
                [sansboto_core::ValidationProblem::Refused(_)]
            ),
            "{python}: {validation:?}"
        );
        assert!(err.customize_error().is_some(), "{python}: {err:?}");
        // botocore refuses the same call with the same words.
        assert_botocore_refuses_alike(
            r#"session.create_client("s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:9","#,
            python,
            &err,
        );
    }
    match s3
        .call("PutObject", params! {"Bucket": "a/b", "Key": "k"})
        .unwrap_err()
        .customize_error()
    {
        Some(CustomizeError::InvalidBucketName { bucket }) => assert_eq!(bucket, "a/b"),
        other => panic!("{other:?}"),
    }
    assert!(server.seen().is_empty(), "refused before sending");
}

/// What the endpoint rules refuse that botocore reports as `ParamValidationError` (an S3
/// access point ARN whose name the rules refuse, from S3 and S3 Object Lambda; an S3 Control
/// call without its account id, reached with validation off) is a validation problem in the
/// ruleset's words; another rule's refusal stays an endpoint error.
#[test]
fn endpoint_rule_parameter_refusals_are_validation_errors_as_in_botocore() {
    let session = blocking_session(core_session(&[], None, None));
    let client = |service: &str| {
        session
            .client(service)
            .region("us-west-2")
            .credentials("AKID", "SECRET", None)
            .parameter_validation(false)
            .build()
            .unwrap()
    };
    let cases = [
        (
            "s3",
            "GetObject",
            params! {"Bucket": "arn:aws:s3:us-west-2:123456789012:accesspoint:my.ap", "Key": "k"},
            r#"get_object(Bucket="arn:aws:s3:us-west-2:123456789012:accesspoint:my.ap", Key="k")"#,
        ),
        (
            "s3",
            "GetObject",
            params! {"Bucket": "arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint:my.ap", "Key": "k"},
            r#"get_object(Bucket="arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint:my.ap", Key="k")"#,
        ),
        (
            "s3control",
            "ListAccessPoints",
            params! {},
            "list_access_points()",
        ),
    ];
    for (service, operation, params, python) in cases {
        let err = client(service).call(operation, params).unwrap_err();
        let Error::Validation(validation) = &err else {
            panic!("{python}: {err:?}")
        };
        assert!(
            matches!(
                validation.problems[..],
                [sansboto_core::ValidationProblem::RefusedByEndpointRules(_)]
            ),
            "{python}: {validation:?}"
        );
        assert_botocore_refuses_alike(
            &format!(r#"session.create_client("{service}", region_name="us-west-2","#),
            &format!("client.{python}"),
            &err,
        );
    }
    // An account id the rules refuse is botocore's `EndpointResolutionError`: an endpoint error.
    let err = client("s3control")
        .call("ListAccessPoints", params! {"AccountId": ""})
        .unwrap_err();
    assert!(
        matches!(&err, Error::Endpoint(_))
            && err.to_string().starts_with("AccountId must only contain"),
        "{err:?}"
    );
}

#[test]
fn waiter_and_pagination_failures_are_their_own_variants() {
    // HeadBucket answers 404 every time: `bucket_exists` retries on 404 until attempts run out.
    let server = ScriptServer::start(|_, _| Action::xml(404, ""));
    let s3 = blocking_s3(&server.url());
    match s3.wait(
        "bucket_exists",
        params! {"Bucket": "b"},
        Some(Duration::ZERO),
        Some(2),
    ) {
        Err(Error::Waiter(WaiterError::Failed { waiter, reason, .. })) => {
            assert_eq!(waiter, "BucketExists");
            assert!(reason.contains("Max attempts exceeded"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.seen().len(), 2, "one HeadBucket per attempt");
    match s3.wait("no_such_waiter", params! {}, None, None) {
        Err(Error::Waiter(WaiterError::Unknown { name, .. })) => {
            assert_eq!(name, "no_such_waiter")
        }
        other => panic!("{other:?}"),
    }
    match s3.paginate("PutObject", params! {}, PaginationOptions::default()) {
        Err(Error::Paginate(PaginateError::NotPaginated(op))) => assert_eq!(op, "PutObject"),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("PutObject paginated"),
    }
    // Any text is a token to botocore (a service's own, or its old `a___b___count` form), but
    // not one with more parts than the paginator has tokens.
    let options = PaginationOptions {
        starting_token: Some("a___b___c".into()),
        ..Default::default()
    };
    match s3.paginate("ListObjectsV2", params! {"Bucket": "b"}, options) {
        Err(Error::Paginate(PaginateError::InvalidStartingToken { token, .. })) => {
            assert_eq!(token, "a___b___c")
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("a bad starting token was accepted"),
    }
    assert_eq!(
        server.seen().len(),
        2,
        "nothing sent for refused pagination"
    );
}

/// A service with no waiters file (SQS) or no paginators file (Pinpoint) has no waiters or
/// paginators, as botocore's client has none ("Waiter does not exist",
/// `OperationNotPageableError`): the same variants as an unknown name, not a data error.
#[test]
fn a_service_without_waiters_or_paginators_has_none() {
    let client = |service: &str| {
        blocking_session(core_session(&[], None, None))
            .client(service)
            .region("us-east-1")
            .endpoint_url("http://127.0.0.1:9")
            .credentials("AKID", "SECRET", None)
            .build()
            .unwrap()
    };
    match client("sqs").wait("queue_exists", params! {"QueueName": "q"}, None, None) {
        Err(Error::Waiter(WaiterError::Unknown { name, .. })) => assert_eq!(name, "queue_exists"),
        other => panic!("{other:?}"),
    }
    match client("pinpoint").paginate("GetApps", params! {}, PaginationOptions::default()) {
        Err(Error::Paginate(PaginateError::NotPaginated(op))) => assert_eq!(op, "GetApps"),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("GetApps paginated"),
    }
    let reference = botocore::run(
        r#"
out = {}
sqs = session.create_client("sqs", region_name="us-east-1")
try:
    sqs.get_waiter("queue_exists")
except Exception as e:
    out["waiter"] = [type(e).__name__, str(e)]
pinpoint = session.create_client("pinpoint", region_name="us-east-1")
try:
    pinpoint.get_paginator("get_apps")
except Exception as e:
    out["paginator"] = [type(e).__name__, str(e)]
emit(out)
"#,
        &[],
    );
    assert_eq!(
        reference["waiter"][1], "Waiter does not exist: queue_exists",
        "{reference}"
    );
    assert_eq!(
        reference["paginator"][0], "OperationNotPageableError",
        "{reference}"
    );
}

#[test]
fn a_result_without_an_event_stream_says_so() {
    let s3 = blocking_s3("http://127.0.0.1:9");
    match s3.event_stream("GetObject", &params! {}) {
        Err(Error::NoEventStream { operation, .. }) => assert_eq!(operation, "GetObject"),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("GetObject has no event stream"),
    }
    match s3.event_stream("SelectObjectContent", &params! {}) {
        Err(Error::NoEventStream { operation, reason }) => {
            assert_eq!(operation, "SelectObjectContent");
            assert!(reason.contains("Payload"), "{reason}");
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("an empty result has no event stream"),
    }
}

#[test]
fn a_bad_shared_file_is_a_config_file_error_reported_by_every_client() {
    let inputs = SessionInputs {
        config_file: Some(b"region = us-east-1\n".to_vec()),
        ..Default::default()
    };
    let made = Session::new(
        inputs,
        Arc::new(sansboto_host::BotocoreData(sansboto_models::Loader::new())),
    );
    let Err(Error::ConfigFile { file, source, .. }) = &made else {
        panic!("{:?}", made.as_ref().err())
    };
    assert_eq!(*file, "shared config file");
    assert!(
        matches!(&**source, ConfigError::MissingSectionHeader { line: 1 }),
        "{source:?}"
    );
    let session = RuntimeSession::<sansboto_blocking::HttpClient>::from_core(made.map(Arc::new));
    for service in ["s3", "dynamodb"] {
        match session.client(service).build() {
            Err(Error::Session(cause)) => {
                assert!(matches!(*cause, Error::ConfigFile { .. }), "{cause:?}")
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_service_without_data_is_an_unknown_service_error() {
    let session = blocking_session(core_session(&[], None, None));
    match session
        .client("no-such-service")
        .region("us-east-1")
        .build()
    {
        Err(Error::UnknownService { service, .. }) => assert_eq!(service, "no-such-service"),
        other => panic!("{other:?}"),
    }
}

/// The transport error of `err`, or a panic naming what it was.
fn transport(err: &Error) -> &TransportError {
    err.transport_error()
        .unwrap_or_else(|| panic!("not a transport error: {err:?}"))
}

/// A refused connection to `127.0.0.1:port`, after two attempts, named as such.
fn assert_refused_at(err: &Error, host: &str, proxy: Option<&str>) {
    let t = transport(err);
    assert_eq!(t.kind, TransportErrorKind::Connect, "{err}");
    assert_eq!(t.host.as_deref(), Some(host), "{err}");
    assert_eq!(t.proxy.as_deref(), proxy, "{err}");
    assert_eq!(t.attempts, 2, "{err}");
    let text = err.to_string();
    assert!(text.contains(host) && text.contains("2 attempts"), "{text}");
    if let Some(proxy) = proxy {
        assert!(text.contains(&format!("via proxy {proxy}")), "{text}");
    }
}

/// DynamoDB at `endpoint` on every runtime, with `env` in the session; each runtime's error.
fn list_tables_on_every_runtime(endpoint: &str, env: &[(&str, &str)]) -> Vec<Error> {
    let mut errors = Vec::new();
    let blocking = blocking_session(core_session(env, None, None))
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials("AKID", "SECRET", None)
        .retries(RetryMode::Standard, Some(2))
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    errors.push(blocking.call("ListTables", params! {}).unwrap_err());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    errors.push(rt.block_on(async {
        let ddb = tokio_session(core_session(env, None, None))
            .client("dynamodb")
            .region("us-east-1")
            .endpoint_url(endpoint)
            .credentials("AKID", "SECRET", None)
            .retries(RetryMode::Standard, Some(2))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .await
            .unwrap();
        ddb.call("ListTables", params! {}).await.unwrap_err()
    }));
    errors.push(async_std::task::block_on(async {
        let ddb = RuntimeSession::<sansboto_async_std::HttpClient>::from_core(Ok(core_session(
            env, None, None,
        )))
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials("AKID", "SECRET", None)
        .retries(RetryMode::Standard, Some(2))
        .connect_timeout(Duration::from_secs(5))
        .build()
        .await
        .unwrap();
        ddb.call("ListTables", params! {}).await.unwrap_err()
    }));
    errors
}

#[test]
fn a_transport_error_names_the_host_and_the_attempts_on_every_runtime() {
    let port = closed_port();
    let host = format!("127.0.0.1:{port}");
    for err in list_tables_on_every_runtime(&format!("http://{host}"), &[]) {
        assert_refused_at(&err, &host, None);
    }
}

#[test]
fn a_transport_error_names_the_proxy_it_went_through_on_every_runtime() {
    let proxy = format!("http://127.0.0.1:{}", closed_port());
    let env = [("HTTP_PROXY", proxy.as_str())];
    for err in list_tables_on_every_runtime("http://dynamodb.example.test", &env) {
        assert_refused_at(&err, "dynamodb.example.test", Some(&proxy));
    }
}

/// A region that is no host label is refused in botocore's words.
#[test]
fn an_invalid_region_is_refused_in_botocores_words() {
    let session = blocking_session(core_session(&[], None, None));
    let ours = session
        .client("sqs")
        .region("us east 1")
        .build()
        .unwrap_err();
    assert!(matches!(ours, Error::InvalidRegion { .. }), "{ours:?}");
    let theirs = sansboto_tests::botocore::run(
        r#"
try:
    session.create_client('sqs', region_name='us east 1')
except Exception as e:
    emit(str(e))
"#,
        &[],
    );
    assert_eq!(serde_json::Value::String(ours.to_string()), theirs);
}
