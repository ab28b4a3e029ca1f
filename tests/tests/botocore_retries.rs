//! Retry decisions of sansboto and of botocore 1.44.5 on the same answers, for every service in
//! `legacy` and `standard` mode: a grid of HTTP statuses and error codes (every code botocore's
//! standard rules and `_retry.json` name, and some they do not), each service's modeled
//! retryable errors on an operation that lists them and on one that may not, and a broken
//! connection. Compared: whether
//! the first attempt is retried, and how many attempts the mode allows.
//!
//! botocore's side is the decision its client's own `needs-retry` handler makes (the legacy
//! handler's checker, the standard handler's retry policy, before its quota); sansboto's is a
//! `RetryPolicy` built from the same inputs a client of the service builds it from (`_retry.json`
//! and the endpoint prefix, or the standard rules and the service id), fed what the call machine
//! feeds it. How a client wires the policy into its calls is tested end to end in `e2e_retries`
//! (configured attempts; the operation-listed modeled error, against botocore on one server).

mod e2e_support;

use e2e_support::core_session;
use sansboto_core::retry::{
    LegacyRetryConfig, ModeledError, RetryDecision, RetryInput, RetryPolicy,
};
use sansboto_tests::botocore;
use serde_json::Value as J;

const DECISIONS: &str = r#"
import botocore.config
from botocore.awsrequest import AWSResponse
from botocore.retries.standard import RetryContext
from botocore.exceptions import ConnectionClosedError

retry_json = session.get_component('data_loader').load_data('_retry')
codes = {None, 'Nope', 'InternalError', 'ServiceUnavailable', 'IDPCommunicationError',
         'InvalidClientTokenId', 'ExpiredToken', 'RequestTimeTooSkewed', 'BadDigest'}
from botocore.retries import standard as _standard
codes.update(_standard.TransientRetryableChecker._TRANSIENT_ERROR_CODES)
codes.update(_standard.ThrottledRetryableChecker._THROTTLED_ERROR_CODES)
def walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == 'service_error_code':
                codes.add(v)
            walk(v)
walk(retry_json)
STATUSES = [200, 400, 403, 404, 409, 422, 429, 500, 502, 503, 504, 509]
def response(status, code):
    http = AWSResponse('https://example.com', status, {}, None)
    parsed = {'ResponseMetadata': {'HTTPStatusCode': status}}
    if code is not None:
        parsed['Error'] = {'Code': code, 'Message': 'm'}
    return http, parsed

out = []
for service in session.get_available_services():
    model = session.get_service_model(service)
    ops = list(model.operation_names)
    if not ops:
        continue
    # The first operation, and each one listing a retryable error with that error.
    cases = [(ops[0], status, code) for status in STATUSES for code in sorted(codes, key=str)]
    # Each retryable error of the service, on an operation that lists it and on the first
    # operation (which may not).
    for name in ops:
        for shape in model.operation_model(name).error_shapes:
            if shape.metadata.get('retryable') is not None:
                code = shape.metadata.get('error', {}).get('code') or shape.name
                status = shape.metadata.get('error', {}).get('httpStatusCode', 400)
                cases.append((name, status, code))
                cases.append((ops[0], status, code))
    for mode in ('legacy', 'standard'):
        # Organizations' legacy client in a session of its own: botocore's legacy rules for it
        # rewrite the shared `too_many_requests` definition in the loader's cached
        # `_retry.json`, so clients made after it in the same session would judge by them
        # (a process making one client does not).
        own = service == 'organizations' and mode == 'legacy'
        client = (botocore.session.get_session() if own else session).create_client(
            service, region_name='us-east-1',
            aws_access_key_id='a', aws_secret_access_key='b',
            config=botocore.config.Config(retries={'mode': mode}))
        handlers = list(client.meta.events._emitter._handlers.prefix_search(
            f'needs-retry.{model.service_id.hyphenize()}.{ops[0]}'))
        # The mode's retry handler among the event's handlers (S3's redirector is one too).
        from botocore import retryhandler as _legacy
        handler = next(h for h in handlers
                       if isinstance(h, _legacy.RetryHandler)
                       or isinstance(getattr(h, '__self__', None), _standard.RetryHandler))
        if mode == 'standard':
            policy = handler.__self__._retry_policy
            maximum = policy._retry_checker._max_attempts_checker._max_attempts
            def retries(op, http, parsed, exception):
                return policy.should_retry(RetryContext(
                    attempt_number=1, operation_model=model.operation_model(op),
                    parsed_response=parsed, http_response=http,
                    caught_exception=exception, request_context={}))
        else:
            checker = handler._checker
            maximum = checker._max_attempts
            def retries(op, http, parsed, exception):
                got = None if exception is not None else (http, parsed)
                return bool(checker(1, got, exception, {}))
        decisions = []
        for op, status, code in cases:
            http, parsed = response(status, code)
            decisions.append([op, status, code, retries(op, http, parsed, None)])
        broken = ConnectionClosedError(endpoint_url='https://example.com')
        decisions.append([ops[0], None, None, retries(ops[0], None, None, broken)])
        out.append({'service': service, 'mode': mode, 'max_attempts': maximum,
                    'decisions': decisions})
emit(out)
"#;

#[test]
fn every_service_retries_as_botocore_retries() {
    let out = botocore::run(DECISIONS, &[]);
    let runs = out.as_array().expect("a list of services");
    assert!(runs.len() > 700, "only {} service modes", runs.len());
    let retry_json =
        std::fs::read_to_string(sansboto_tests::botocore_dir().join("botocore/data/_retry.json"))
            .expect("_retry.json");
    let session = core_session(&[], None, None);
    let mut differences = Vec::new();
    let mut decisions = 0;
    for run in runs {
        let service = run["service"].as_str().unwrap();
        let model = session.model(service, None).unwrap();
        // A fresh copy for each decision: botocore's side is judged before its retry quota.
        let policy = match run["mode"].as_str() {
            Some("legacy") => RetryPolicy::legacy(
                LegacyRetryConfig::from_retry_json(
                    &retry_json,
                    &model.metadata.endpoint_prefix,
                    None,
                )
                .unwrap(),
            ),
            _ => RetryPolicy::standard(&model.metadata.service_id, None),
        };
        let mode = run["mode"].as_str().unwrap_or_default();
        if run["max_attempts"].as_u64() != Some(u64::from(policy.max_attempts())) {
            differences.push(format!(
                "{service} {mode}: {} attempts, botocore {}",
                policy.max_attempts(),
                run["max_attempts"]
            ));
        }
        for decision in run["decisions"].as_array().unwrap() {
            decisions += 1;
            let operation = decision[0].as_str().unwrap();
            let status = decision[1].as_u64().map(|s| s as u16);
            let code = decision[2].as_str();
            let op = model.operation(operation).unwrap();
            let shape = code.and_then(|code| model.error_shape_for_code(code));
            let modeled = ModeledError::of(&model, op, shape);
            let input = RetryInput {
                http_status: status,
                error_code: code,
                is_connection_error: status.is_none(),
                modeled,
                ..Default::default()
            };
            let mut policy = policy.clone();
            let mut call = policy.begin_call(operation);
            let ours = matches!(
                policy.on_attempt(&mut call, &input, 0.0, &mut || 0.5),
                RetryDecision::RetryAfter(_)
            );
            if J::Bool(ours) != decision[3] {
                differences.push(format!(
                    "{service} {mode} {operation} status {status:?} code {code:?}: sansboto retries: {ours}, botocore: {}",
                    decision[3]
                ));
            }
        }
    }
    let shown: Vec<&str> = differences.iter().take(40).map(String::as_str).collect();
    assert!(
        differences.is_empty(),
        "{} of {decisions} retry decisions differ from botocore's:\n{}",
        differences.len(),
        shown.join("\n")
    );
}
