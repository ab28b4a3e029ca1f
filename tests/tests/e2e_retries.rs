//! Retries and timeouts end to end: real clients (tokio and blocking) against a local
//! fault-injecting HTTP server. Each test checks how many attempts the server saw, the final
//! result or error, `ResponseMetadata.RetryAttempts`, and the per-attempt `amz-sdk-*` headers.
//! Every wait is bounded by the client's configured timeouts and the model's retry counts, so a
//! hang shows up as a test that never ends rather than as a timed assertion.

mod e2e_support;

use std::time::Duration;

use e2e_support::{blocking_session, core_session, tokio_session, Action, ScriptServer, Seen};
use sansboto_core::params;
use sansboto_core::HttpSettings;
use sansboto_core::RetryMode;
use sansboto_core::{Error, TransportErrorKind};

const LIST_TABLES_OK: &str = r#"{"TableNames":["t1"]}"#;
const THROTTLED: &str =
    r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow down"}"#;

fn http_config(read_timeout: Duration) -> HttpSettings {
    HttpSettings::new()
        .connect_timeout(Duration::from_secs(2))
        .read_timeout(read_timeout)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A tokio client of `service` pointed at `server`, with static credentials.
async fn tokio_client(
    server: &ScriptServer,
    service: &str,
    retries: Option<(RetryMode, Option<u32>)>,
    read_timeout: Duration,
) -> sansboto_tokio::Client {
    let mut builder = tokio_session(core_session(&[], None, None))
        .client(service)
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials("AKIDRETRY", "secret", None)
        .http_settings(http_config(read_timeout));
    if let Some((mode, max)) = retries {
        builder = builder.retries(mode, max);
    }
    builder.build().await.unwrap()
}

fn blocking_client(
    server: &ScriptServer,
    service: &str,
    read_timeout: Duration,
) -> sansboto_blocking::Client {
    blocking_session(core_session(&[], None, None))
        .client(service)
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials("AKIDRETRY", "secret", None)
        .http_settings(http_config(read_timeout))
        .build()
        .unwrap()
}

/// How many attempts the client announces in `amz-sdk-request`.
#[derive(Clone, Copy)]
enum Announced {
    /// Standard mode seeds the maximum before the first attempt.
    Standard(usize),
    /// Legacy mode, like botocore's, learns it when the first response is checked: `attempt=1`
    /// alone, then `attempt=N; max=M`.
    Legacy(usize),
}

/// Every attempt carried one invocation id and `attempt=N; max=M` counting up from 1.
fn assert_attempt_headers(seen: &[Seen], announced: Announced) {
    let first_id = seen[0]
        .header("amz-sdk-invocation-id")
        .expect("amz-sdk-invocation-id sent");
    assert_eq!(first_id.len(), 36, "{first_id}");
    for (n, request) in seen.iter().enumerate() {
        let attempt = n + 1;
        assert_eq!(
            request.header("amz-sdk-invocation-id"),
            Some(first_id),
            "attempt {attempt} changed the invocation id"
        );
        let sdk_request = request.header("amz-sdk-request").expect("amz-sdk-request");
        let expected = match announced {
            Announced::Legacy(_) if attempt == 1 => "attempt=1".to_string(),
            Announced::Standard(max) | Announced::Legacy(max) => {
                format!("attempt={attempt}; max={max}")
            }
        };
        // A retry after an answer with a `Date` puts `ttl=…; ` first (none here: the server
        // sends no date; `a_retried_attempt_carries_botocores_ttl` has them).
        assert_eq!(sdk_request, expected, "attempt {attempt}");
    }
}

fn transport_kind(err: &Error) -> TransportErrorKind {
    match err {
        Error::Transport(t) => t.kind,
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[test]
fn service_unavailable_then_ok_is_one_retry() {
    let server = ScriptServer::start(|_, n| {
        if n == 0 {
            Action::json(503, r#"{"__type":"ServiceUnavailable","message":"busy"}"#)
        } else {
            Action::json(200, LIST_TABLES_OK)
        }
    });
    let out = runtime().block_on(async {
        let ddb = tokio_client(&server, "dynamodb", None, Duration::from_secs(5)).await;
        ddb.call("ListTables", params! {}).await.unwrap()
    });
    assert_eq!(out["TableNames"][0].as_str(), Some("t1"));
    assert_eq!(out["ResponseMetadata"]["RetryAttempts"].as_i64(), Some(1));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    // DynamoDB's standard-mode default is 4 attempts.
    assert_attempt_headers(&seen, Announced::Standard(4));
}

/// A DynamoDB server answering 503 `fails` times, then the table list.
fn busy_then_ok(fails: usize) -> ScriptServer {
    ScriptServer::start(move |_, n| {
        if n < fails {
            Action::json(503, r#"{"__type":"ServiceUnavailable","message":"busy"}"#)
        } else {
            Action::json(200, LIST_TABLES_OK)
        }
    })
}

/// A success's `RetryAttempts` and `MaxAttemptsReached` (absent: `null`).
fn retry_metadata(out: &sansboto_core::Value) -> serde_json::Value {
    let meta = &out["ResponseMetadata"];
    serde_json::json!({
        "RetryAttempts": meta["RetryAttempts"].as_i64(),
        "MaxAttemptsReached": meta["MaxAttemptsReached"].as_bool(),
    })
}

/// The same from botocore 1.44.5's ListTables against `server`, with `retries` as its config.
fn botocore_retry_metadata(server: &ScriptServer, retries: &str) -> serde_json::Value {
    sansboto_tests::botocore::run(
        &format!(
            r#"
from botocore.config import Config
c = session.create_client('dynamodb', region_name='us-east-1', endpoint_url={url:?},
    aws_access_key_id='AKID', aws_secret_access_key='SECRET', config=Config(retries={retries}))
meta = c.list_tables()['ResponseMetadata']
emit({{'RetryAttempts': meta['RetryAttempts'],
      'MaxAttemptsReached': meta.get('MaxAttemptsReached')}})
"#,
            url = server.url()
        ),
        &[],
    )
}

/// A success on the last attempt the mode allows: standard mode marks it `MaxAttemptsReached`
/// (botocore checks the attempt budget before the answer), legacy mode does not (it marks only
/// an answer it would have retried); a single allowed attempt marks every success in standard
/// mode. Each next to botocore against its own server.
#[test]
fn a_success_on_the_last_attempt_is_marked_as_botocore_marks_it() {
    for (mode, max, fails, retries, expected) in [
        (
            RetryMode::Standard,
            3,
            2,
            "{'mode': 'standard', 'total_max_attempts': 3}",
            true,
        ),
        (
            RetryMode::Standard,
            3,
            1,
            "{'mode': 'standard', 'total_max_attempts': 3}",
            false,
        ),
        (
            RetryMode::Standard,
            1,
            0,
            "{'mode': 'standard', 'total_max_attempts': 1}",
            true,
        ),
        (
            RetryMode::Legacy,
            3,
            2,
            "{'mode': 'legacy', 'total_max_attempts': 3}",
            false,
        ),
    ] {
        let ours = busy_then_ok(fails);
        let out = runtime().block_on(async {
            let ddb = tokio_client(
                &ours,
                "dynamodb",
                Some((mode, Some(max))),
                Duration::from_secs(5),
            )
            .await;
            ddb.call("ListTables", params! {}).await.unwrap()
        });
        let ours_meta = retry_metadata(&out);
        let marked = ours_meta["MaxAttemptsReached"] == serde_json::json!(true);
        assert_eq!(marked, expected, "{retries}, {fails} failures: {ours_meta}");
        let theirs = busy_then_ok(fails);
        assert_eq!(
            botocore_retry_metadata(&theirs, retries),
            ours_meta,
            "{retries}, {fails} failures"
        );
        assert_eq!(ours.seen().len(), theirs.seen().len());
    }
}

#[test]
fn s3_200_with_a_cut_off_or_error_body_is_retried() {
    // botocore's S3 rule: a 200 whose body is an `<Error>` document, or not well-formed XML at
    // all, is a 500 and is retried. The client reads the body once (the hook looks at the root,
    // the parser at the rest), so both kinds must still come back as retried 500s.
    let server = ScriptServer::start(|_, n| match n {
        0 => Action::xml(
            200,
            "<CopyObjectResult><ETag>x</ETag><LastModified>2024-01-01T00:00:00Z",
        ),
        1 => Action::xml(
            200,
            "<Error><Code>InternalError</Code><Message>try again</Message></Error>",
        ),
        _ => Action::xml(
            200,
            "<CopyObjectResult><ETag>&quot;e&quot;</ETag></CopyObjectResult>",
        ),
    });
    let out = runtime().block_on(async {
        let s3 = tokio_client(&server, "s3", None, Duration::from_secs(5)).await;
        s3.call(
            "CopyObject",
            params! {"Bucket": "b", "Key": "k", "CopySource": "src/k"},
        )
        .await
        .unwrap()
    });
    assert_eq!(out["CopyObjectResult"]["ETag"].as_str(), Some("\"e\""));
    assert_eq!(out["ResponseMetadata"]["RetryAttempts"].as_i64(), Some(2));
    assert_eq!(server.seen().len(), 3);
}

#[test]
fn dynamodb_throttling_uses_four_attempts_in_standard_mode() {
    let server = ScriptServer::start(|_, _| Action::json(400, THROTTLED));
    let err = runtime().block_on(async {
        let ddb = tokio_client(&server, "dynamodb", None, Duration::from_secs(5)).await;
        ddb.call("ListTables", params! {}).await.unwrap_err()
    });
    assert_eq!(err.code(), Some("ThrottlingException"), "{err}");
    assert_eq!(err.status(), Some(400));
    let Error::Service(service) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        service.fields["ResponseMetadata"]["RetryAttempts"].as_i64(),
        Some(3)
    );
    assert_eq!(
        service.fields["Error"]["Message"].as_str(),
        Some("slow down")
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    assert_attempt_headers(&seen, Announced::Standard(4));
}

#[test]
fn too_many_requests_uses_three_attempts_for_other_services() {
    // A JSON-protocol service other than DynamoDB: the standard default of 3 attempts.
    let server = ScriptServer::start(|_, _| {
        Action::json(
            429,
            r#"{"__type":"TooManyRequestsException","message":"rate exceeded"}"#,
        )
    });
    let err = runtime().block_on(async {
        let logs = tokio_client(&server, "logs", None, Duration::from_secs(5)).await;
        logs.call("DescribeLogGroups", params! {})
            .await
            .unwrap_err()
    });
    assert_eq!(err.code(), Some("TooManyRequestsException"), "{err}");
    assert_eq!(err.status(), Some(429));
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert_attempt_headers(&seen, Announced::Standard(3));
}

#[test]
fn configured_max_attempts_is_obeyed() {
    let server = ScriptServer::start(|_, _| Action::json(503, "{}"));
    let err = runtime().block_on(async {
        let ddb = tokio_client(
            &server,
            "dynamodb",
            Some((RetryMode::Standard, Some(6))),
            Duration::from_secs(5),
        )
        .await;
        ddb.call("ListTables", params! {}).await.unwrap_err()
    });
    assert_eq!(err.status(), Some(503), "{err}");
    let seen = server.seen();
    assert_eq!(seen.len(), 6);
    assert_attempt_headers(&seen, Announced::Standard(6));
}

#[test]
fn configured_single_attempt_never_retries() {
    let server = ScriptServer::start(|_, _| Action::json(503, "{}"));
    let err = runtime().block_on(async {
        let ddb = tokio_client(
            &server,
            "dynamodb",
            Some((RetryMode::Standard, Some(1))),
            Duration::from_secs(5),
        )
        .await;
        ddb.call("ListTables", params! {}).await.unwrap_err()
    });
    assert_eq!(err.status(), Some(503), "{err}");
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn legacy_mode_uses_five_attempts_and_retries_a_bare_429() {
    // Legacy `_retry.json`: `__default__` allows 5 attempts and retries any 429.
    let server = ScriptServer::start(|_, n| {
        if n < 4 {
            Action::xml(429, "")
        } else {
            Action::xml(
                200,
                "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/x</Arn>\
                 <UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>\
                 <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
            )
        }
    });
    let out = runtime().block_on(async {
        let sts = tokio_client(
            &server,
            "sts",
            Some((RetryMode::Legacy, None)),
            Duration::from_secs(5),
        )
        .await;
        sts.call("GetCallerIdentity", params! {}).await.unwrap()
    });
    assert_eq!(out["Account"].as_str(), Some("123456789012"), "{out:?}");
    assert_eq!(out["ResponseMetadata"]["RetryAttempts"].as_i64(), Some(4));
    let seen = server.seen();
    assert_eq!(seen.len(), 5);
    assert_attempt_headers(&seen, Announced::Legacy(5));
}

#[test]
fn legacy_mode_gives_up_after_the_configured_attempts() {
    let server = ScriptServer::start(|_, _| Action::json(500, "{}"));
    let err = runtime().block_on(async {
        let ddb = tokio_client(
            &server,
            "dynamodb",
            Some((RetryMode::Legacy, Some(3))),
            Duration::from_secs(5),
        )
        .await;
        ddb.call("ListTables", params! {}).await.unwrap_err()
    });
    assert_eq!(err.status(), Some(500), "{err}");
    assert_eq!(server.seen().len(), 3);
}

#[test]
fn connection_closed_without_answer_is_retried_then_reported_on_tokio() {
    let server = ScriptServer::start(|_, _| Action::Close);
    let err = runtime().block_on(async {
        let ddb = tokio_client(&server, "dynamodb", None, Duration::from_secs(5)).await;
        ddb.call("ListTables", params! {}).await.unwrap_err()
    });
    assert_eq!(transport_kind(&err), TransportErrorKind::Io, "{err}");
    let seen = server.seen();
    assert_eq!(seen.len(), 4, "each attempt is sent exactly once");
    assert_attempt_headers(&seen, Announced::Standard(4));
}

#[test]
fn connection_closed_without_answer_is_retried_then_reported_on_blocking() {
    let server = ScriptServer::start(|_, _| Action::Close);
    let ddb = blocking_client(&server, "dynamodb", Duration::from_secs(5));
    let err = ddb.call("ListTables", params! {}).unwrap_err();
    assert_eq!(transport_kind(&err), TransportErrorKind::Io, "{err}");
    let seen = server.seen();
    assert_eq!(seen.len(), 4, "each attempt is sent exactly once");
    assert_attempt_headers(&seen, Announced::Standard(4));
}

#[test]
fn connection_closed_once_then_ok_recovers() {
    let server = ScriptServer::start(|_, n| {
        if n == 0 {
            Action::Close
        } else {
            Action::json(200, LIST_TABLES_OK)
        }
    });
    let out = runtime().block_on(async {
        let ddb = tokio_client(&server, "dynamodb", None, Duration::from_secs(5)).await;
        ddb.call("ListTables", params! {}).await.unwrap()
    });
    assert_eq!(out["ResponseMetadata"]["RetryAttempts"].as_i64(), Some(1));
    assert_eq!(server.seen().len(), 2);
}

#[test]
fn truncated_body_is_an_io_error_after_every_attempt() {
    let server =
        ScriptServer::start(|_, _| Action::Truncated(200, 100, br#"{"TableNames":"#.to_vec()));
    let err = runtime().block_on(async {
        let ddb = tokio_client(&server, "dynamodb", None, Duration::from_secs(5)).await;
        ddb.call("ListTables", params! {}).await.unwrap_err()
    });
    assert_eq!(transport_kind(&err), TransportErrorKind::Io, "{err}");
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    assert_attempt_headers(&seen, Announced::Standard(4));
}

#[test]
fn truncated_body_on_blocking_is_an_io_error() {
    let server =
        ScriptServer::start(|_, _| Action::Truncated(200, 100, br#"{"TableNames":"#.to_vec()));
    let ddb = blocking_client(&server, "dynamodb", Duration::from_secs(5));
    let err = ddb.call("ListTables", params! {}).unwrap_err();
    assert_eq!(transport_kind(&err), TransportErrorKind::Io, "{err}");
    assert_eq!(server.seen().len(), 4);
}

#[test]
fn silent_server_times_out_on_every_attempt() {
    // The server would answer after 30 s; the 300 ms read timeout ends each attempt first.
    let server = ScriptServer::start(|_, _| {
        Action::Late(
            Duration::from_secs(30),
            Box::new(Action::json(200, LIST_TABLES_OK)),
        )
    });
    let err = runtime().block_on(async {
        let ddb = tokio_client(&server, "dynamodb", None, Duration::from_millis(300)).await;
        ddb.call("ListTables", params! {}).await.unwrap_err()
    });
    assert_eq!(transport_kind(&err), TransportErrorKind::Timeout, "{err}");
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    assert_attempt_headers(&seen, Announced::Standard(4));
}

#[test]
fn silent_server_times_out_on_blocking() {
    let server = ScriptServer::start(|_, _| {
        Action::Late(
            Duration::from_secs(30),
            Box::new(Action::json(200, LIST_TABLES_OK)),
        )
    });
    let sts = blocking_client(&server, "sts", Duration::from_millis(300));
    let err = sts.call("GetCallerIdentity", params! {}).unwrap_err();
    assert_eq!(transport_kind(&err), TransportErrorKind::Timeout, "{err}");
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert_attempt_headers(&seen, Announced::Standard(3));
}

#[test]
fn slow_answer_within_the_read_timeout_succeeds_first_time() {
    let server = ScriptServer::start(|_, _| {
        Action::Late(
            Duration::from_millis(200),
            Box::new(Action::json(200, LIST_TABLES_OK)),
        )
    });
    let out = runtime().block_on(async {
        let ddb = tokio_client(&server, "dynamodb", None, Duration::from_secs(3)).await;
        ddb.call("ListTables", params! {}).await.unwrap()
    });
    assert_eq!(out["ResponseMetadata"]["RetryAttempts"].as_i64(), Some(0));
    assert_eq!(server.seen().len(), 1);
}

/// The server answers the first request, then drops the kept-alive connection when the second
/// request arrives on it (the idle-close race): the transport sends that request once more on a
/// new connection, without spending a retry.
fn stale_connection_server() -> ScriptServer {
    ScriptServer::start(|req, n| {
        if n == 1 && req.connection == 0 {
            Action::Close
        } else {
            Action::json(200, LIST_TABLES_OK)
        }
    })
}

fn assert_stale_connection_replayed(server: &ScriptServer, second: &sansboto_core::Value) {
    assert_eq!(
        second["ResponseMetadata"]["RetryAttempts"].as_i64(),
        Some(0)
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(
        seen.iter().map(|s| s.connection).collect::<Vec<_>>(),
        [0, 0, 1]
    );
    // The replay is the same attempt, not a retry.
    for replayed in &seen[1..] {
        assert_eq!(replayed.header("amz-sdk-request"), Some("attempt=1; max=4"));
    }
    assert_eq!(
        seen[1].header("amz-sdk-invocation-id"),
        seen[2].header("amz-sdk-invocation-id")
    );
}

#[test]
fn stale_pooled_connection_is_replayed_once_on_tokio() {
    let server = stale_connection_server();
    let second = runtime().block_on(async {
        let ddb = tokio_client(&server, "dynamodb", None, Duration::from_secs(5)).await;
        ddb.call("ListTables", params! {}).await.unwrap();
        ddb.call("ListTables", params! {}).await.unwrap()
    });
    assert_stale_connection_replayed(&server, &second);
}

#[test]
fn stale_pooled_connection_is_replayed_once_on_blocking() {
    let server = stale_connection_server();
    let ddb = blocking_client(&server, "dynamodb", Duration::from_secs(5));
    ddb.call("ListTables", params! {}).unwrap();
    let second = ddb.call("ListTables", params! {}).unwrap();
    assert_stale_connection_replayed(&server, &second);
}

#[test]
fn connection_closed_without_answer_is_sent_once_per_attempt_on_async_std() {
    let server = ScriptServer::start(|_, _| Action::Close);
    let err = async_std::task::block_on(async {
        let session: sansboto_core::runtime::RuntimeSession<sansboto_async_std::HttpClient> =
            sansboto_core::runtime::RuntimeSession::from_core(Ok(core_session(&[], None, None)));
        let ddb = session
            .client("dynamodb")
            .region("us-east-1")
            .endpoint_url(server.url())
            .credentials("AKIDRETRY", "secret", None)
            .http_settings(http_config(Duration::from_secs(5)))
            .build()
            .await
            .unwrap();
        ddb.call("ListTables", params! {}).await.unwrap_err()
    });
    assert_eq!(transport_kind(&err), TransportErrorKind::Io, "{err}");
    let seen = server.seen();
    assert_eq!(seen.len(), 4, "each attempt is sent exactly once");
    assert_attempt_headers(&seen, Announced::Standard(4));
}

/// A retryable modeled error counts only for operations that list it, as botocore's
/// `ModeledRetryErrorDetector` reads `operation_model.error_shapes`: Access Analyzer's
/// `UnprocessableEntityException` (422, `retryable`) is retried by `CheckAccessNotGranted`,
/// which lists it, and not by `ApplyArchiveRule`, which does not. botocore against the same
/// server is the reference.
#[test]
fn a_retryable_error_is_retried_only_where_the_operation_lists_it() {
    let unprocessable = || {
        Action::Respond(
            422,
            vec![
                ("Content-Type".into(), "application/json".into()),
                (
                    "x-amzn-ErrorType".into(),
                    "UnprocessableEntityException".into(),
                ),
            ],
            br#"{"message":"try again"}"#.to_vec(),
        )
    };
    let calls = [
        (
            "ApplyArchiveRule",
            "apply_archive_rule",
            r#"{"analyzerArn": "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/a", "ruleName": "r"}"#,
        ),
        (
            "CheckAccessNotGranted",
            "check_access_not_granted",
            r#"{"policyDocument": "{}", "access": [{"actions": ["s3:GetObject"]}], "policyType": "IDENTITY_POLICY"}"#,
        ),
    ];
    let mut botocore_counts = Vec::new();
    for (operation, method, params) in calls {
        let reference = ScriptServer::start(move |_, _| unprocessable());
        let snippet = format!(
            r#"
import botocore.config
client = session.create_client('accessanalyzer', region_name='us-east-1', endpoint_url={url:?},
    aws_access_key_id='AKIDRETRY', aws_secret_access_key='secret',
    config=botocore.config.Config(retries={{'mode': 'standard'}}))
try:
    client.{method}(**json.loads({params:?}))
except client.exceptions.UnprocessableEntityException as e:
    emit(e.response['ResponseMetadata']['RetryAttempts'])
"#,
            url = reference.url()
        );
        let botocore_retries = sansboto_tests::botocore::run(&snippet, &[]);
        let botocore_attempts = reference.seen().len();
        botocore_counts.push(botocore_attempts);

        let server = ScriptServer::start(move |_, _| unprocessable());
        let client = blocking_session(core_session(&[], None, None))
            .client("accessanalyzer")
            .region("us-east-1")
            .endpoint_url(server.url())
            .credentials("AKIDRETRY", "secret", None)
            .retries(RetryMode::Standard, None)
            .build()
            .unwrap();
        let params: serde_json::Value = serde_json::from_str(params).unwrap();
        let err = client
            .call(operation, sansboto_core::Value::from(params))
            .unwrap_err();
        let service = err.service_error().expect("the service's error");
        assert_eq!(service.code, "UnprocessableEntityException");
        assert_eq!(
            service.fields["ResponseMetadata"]["RetryAttempts"].as_i64(),
            botocore_retries.as_i64(),
            "{operation}"
        );
        assert_eq!(server.seen().len(), botocore_attempts, "{operation}");
    }
    // The scenario tells the two rules apart: botocore tried once, then three times.
    assert_eq!(botocore_counts, [1, 3]);
}

/// One scripted answer of [`ttl_scenario`]: an error status with its `Date` headers (none, one
/// or more), or a connection closed without an answer; the last answer of a script is a
/// success.
#[derive(Clone, Copy)]
enum Answer {
    Error(u16, &'static [&'static str]),
    Close,
}

/// What a server scripted with `answers` then a success saw in each attempt's
/// `amz-sdk-request`, when sansboto and when botocore 1.44.5 (each against its own server, with
/// a read timeout of 7.5 s and up to 8 attempts in standard mode) make the call.
fn ttl_scenario(
    service: &str,
    operation: &str,
    params: &str,
    answers: &'static [Answer],
) -> (Vec<String>, Vec<String>) {
    let server = || {
        ScriptServer::start(move |_, n| match answers.get(n) {
            Some(Answer::Close) => Action::Close,
            Some(&Answer::Error(status, dates)) => {
                // Each answer closes its connection, so a connection closed without an answer
                // is a new one, an attempt for both (not a stale pooled connection, which
                // sansboto sends again without counting an attempt).
                let mut headers = vec![
                    ("Content-Type".to_string(), "application/json".to_string()),
                    (
                        "x-amzn-ErrorType".to_string(),
                        "ServiceException".to_string(),
                    ),
                    ("Connection".to_string(), "close".to_string()),
                ];
                headers.extend(dates.iter().map(|d| ("Date".to_string(), d.to_string())));
                let body = r#"{"__type":"ServiceException","message":"busy"}"#;
                Action::Respond(status, headers, body.as_bytes().to_vec())
            }
            None => Action::json(200, "{}"),
        })
    };
    let headers = |server: &ScriptServer| -> Vec<String> {
        let seen = server.seen();
        assert_eq!(seen.len(), answers.len() + 1, "one attempt per answer");
        seen.iter()
            .map(|r| r.header("amz-sdk-request").unwrap_or("").to_string())
            .collect()
    };

    let ours = server();
    let client = blocking_session(core_session(&[], None, None))
        .client(service)
        .region("us-east-1")
        .endpoint_url(ours.url())
        .credentials("AKIDRETRY", "secret", None)
        .http_settings(http_config(Duration::from_millis(7_500)))
        .retries(RetryMode::Standard, Some(8))
        .build()
        .unwrap();
    let value: serde_json::Value = serde_json::from_str(params).unwrap();
    client
        .call(operation, sansboto_core::Value::from(value))
        .unwrap_or_else(|e| panic!("{operation}: {e}"));

    let theirs = server();
    let snippet = format!(
        r#"
from botocore.config import Config
c = session.create_client({service:?}, region_name='us-east-1', endpoint_url={url:?},
    aws_access_key_id='AKIDRETRY', aws_secret_access_key='secret',
    config=Config(read_timeout=7.5, retries={{'mode': 'standard', 'total_max_attempts': 8}}))
getattr(c, botocore.xform_name({operation:?}))(**json.loads({params:?}))
emit(None)
"#,
        url = theirs.url(),
    );
    sansboto_tests::botocore::run(&snippet, &[]);
    (headers(&ours), headers(&theirs))
}

/// botocore's retried attempts carry `ttl=` (the last readable `Date` plus the read timeout)
/// before `attempt=N; max=M`: a date in another form, two `Date` headers (which botocore reads
/// joined by `, `), or no answer, keeps the last one. An
/// operation with a streaming input (Lambda `Invoke`'s `Payload`) has one too: botocore means
/// to leave it off there, but looks for the fact where it never puts it.
#[test]
fn a_retried_attempt_carries_botocores_ttl() {
    use Answer::{Close, Error as E};
    const GMT: &str = "Thu, 02 Jan 2020 03:04:05 GMT";
    const READ_AS_BOTOCORE_READS: &[Answer] = &[
        E(500, &[GMT]),
        // A numeric zone: botocore cannot read it and keeps the ttl it had.
        E(503, &["Thu, 02 Jan 2020 03:05:06 +0000"]),
        Close,
        E(500, &[]),
        // Names in any case, numbers of one digit.
        E(500, &["thu, 2 jan 2020 3:4:9 utc"]),
        // Two readable dates: botocore reads them as one text, which it cannot parse.
        E(
            500,
            &[
                "Thu, 02 Jan 2020 04:00:00 GMT",
                "Thu, 02 Jan 2020 05:00:00 GMT",
            ],
        ),
    ];
    const NEVER_READ: &[Answer] = &[
        E(500, &["Thursday, 02 Jan 2020 03:04:05 GMT"]),
        E(500, &["Thu Jan  2 03:04:05 2020"]),
        E(500, &["Thu, 31 Feb 2020 03:04:05 GMT"]),
        E(500, &["Thu, 02 Jan 2020 03:04:60 GMT"]),
        E(500, &["Thu, 02 Jan 20 03:04:05 GMT"]),
    ];
    let mut with_ttl = 0;
    for (service, operation, params, answers) in [
        ("dynamodb", "ListTables", "{}", READ_AS_BOTOCORE_READS),
        ("dynamodb", "ListTables", "{}", NEVER_READ),
        (
            "lambda",
            "Invoke",
            r#"{"FunctionName": "f", "Payload": "{}"}"#,
            &[E(500, &[GMT]), E(500, &[GMT])],
        ),
    ] {
        let (ours, theirs) = ttl_scenario(service, operation, params, answers);
        assert_eq!(ours, theirs, "{service} {operation}");
        with_ttl += ours.iter().filter(|h| h.starts_with("ttl=")).count();
    }
    // The scenarios say something: botocore gave a ttl to the retries of the first and last.
    assert_eq!(with_ttl, 8);
}

/// A 500 whose JSON error document is not UTF-8: botocore 1.44.5 decodes the body outside its
/// retry handling, so its `UnicodeDecodeError` ends the call after one attempt. sansboto judges
/// the attempt by its status, as the AWS SDKs do, and retries it (a server's transient failure
/// is what a 500 says, whatever its body); after the last attempt the call fails with the
/// parse error naming the byte, as botocore's does. Deliberate (README, "Where sansboto
/// differs").
#[test]
fn an_error_answer_that_is_not_utf8_is_retried_by_its_status_where_botocore_raises() {
    let garbled = || {
        Action::Respond(
            500,
            vec![("Content-Type".into(), "application/x-amz-json-1.0".into())],
            b"{\"__type\":\"InternalServerError\",\"message\":\"bad \xff\"}".to_vec(),
        )
    };
    let reference = ScriptServer::start(move |_, _| garbled());
    let snippet = format!(
        r#"
import botocore.config
client = session.create_client('dynamodb', region_name='us-east-1', endpoint_url={url:?},
    aws_access_key_id='AKIDRETRY', aws_secret_access_key='secret',
    config=botocore.config.Config(retries={{'mode': 'standard'}}))
try:
    client.list_tables()
except Exception as e:
    emit(type(e).__name__ + ': ' + str(e))
"#,
        url = reference.url()
    );
    let botocore_error = sansboto_tests::botocore::run(&snippet, &[]);
    assert_eq!(reference.seen().len(), 1, "botocore tried once");
    let botocore_error = botocore_error.as_str().unwrap_or_default().to_string();
    assert!(
        botocore_error.starts_with("UnicodeDecodeError") && botocore_error.contains("position 47"),
        "{botocore_error}"
    );

    let server = ScriptServer::start(move |_, _| garbled());
    let client = blocking_session(core_session(&[], None, None))
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials("AKIDRETRY", "secret", None)
        .retries(RetryMode::Standard, None)
        .build()
        .unwrap();
    let err = client.call("ListTables", params! {}).unwrap_err();
    assert!(matches!(err, Error::Parse(_)), "{err:?}");
    assert!(err.to_string().contains("byte 47"), "{err}");
    // DynamoDB's standard-mode default is 4 attempts.
    assert_eq!(server.seen().len(), 4);
}

/// A TLS failure (here a server that answers the handshake in plain HTTP) is retried as a
/// connection error, as botocore retries its `SSLError` (a `ConnectionError`): the same number
/// of connections from both, three in standard mode.
#[test]
fn a_tls_failure_is_retried_as_botocore_retries_it() {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let accepted = Arc::new(AtomicUsize::new(0));
    let counting = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counting.fetch_add(1, Ordering::SeqCst);
            let mut stream = stream;
            let mut hello = [0u8; 512];
            let _ = stream.read(&mut hello);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let env = [("AWS_RETRY_MODE", "standard"), ("AWS_MAX_ATTEMPTS", "3")];
    let err = blocking_session(core_session(&env, None, None))
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(&url)
        .credentials("AKID", "SECRET", None)
        .http_settings(http_config(Duration::from_secs(5)))
        .build()
        .unwrap()
        .call("ListTables", params! {})
        .unwrap_err();
    assert_eq!(transport_kind(&err), TransportErrorKind::Tls, "{err}");
    let ours = accepted.swap(0, Ordering::SeqCst);
    let theirs = sansboto_tests::botocore::list_tables_at(&url, &env);
    assert_eq!(theirs, Err("SSLError".to_string()));
    assert_eq!(ours, 3, "attempts made");
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        ours,
        "botocore's connections"
    );
}
