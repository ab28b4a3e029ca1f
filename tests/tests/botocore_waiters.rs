//! Waiters judged by sansboto and by botocore 1.44.5 on the same responses: every distinct
//! acceptor (matcher and expected value) of every service's waiters, with its argument replaced
//! by `Foo` so a response can be made to match it, in four runs: it matches and fails the wait;
//! it matches as `retry`, then a response that matches nothing exhausts the attempts; a service
//! error no acceptor expects; an error with a message and no code. Compared: how each run ends
//! (success, or the `WaiterError` reason botocore words) and how many attempts it took.
//!
//! sansboto's side is the sans-IO [`Waiter`], fed each response as a transport would.

use sansboto_core::Value;
use sansboto_core::{WaitStep, Waiter, WaiterError, WaiterModel};
use sansboto_tests::botocore;
use serde_json::{json, Value as J};

const WAITERS: &str = r#"
import glob, os
from botocore.waiter import Waiter, SingleWaiterConfig
from botocore.exceptions import WaiterError

seen = {}
for service in session.get_available_services():
    try:
        model = session.get_waiter_model(service)
    except Exception:
        continue
    for name in model.waiter_names:
        for a in model.get_waiter(name).acceptors:
            key = (a.matcher, json.dumps(a.expected))
            seen.setdefault(key, {'matcher': a.matcher, 'expected': a.expected})

def matching(a):
    m, e = a['matcher'], a['expected']
    if m == 'path':
        return {'Foo': e}
    if m in ('pathAll', 'pathAny'):
        return {'Foo': [e, e]}
    if m == 'status':
        return {'ResponseMetadata': {'HTTPStatusCode': e}}
    if e is True:
        return {'Error': {'Code': 'Any', 'Message': 'm'}}
    if e is False:
        return {'ResponseMetadata': {'HTTPStatusCode': 200}}
    return {'Error': {'Code': e, 'Message': 'it failed'}, 'ResponseMetadata': {'HTTPStatusCode': 400}}

NOTHING = {'Foo': 'zzz-other', 'ResponseMetadata': {'HTTPStatusCode': 299}}
def run(acceptors, responses, max_attempts):
    config = {'operation': 'Op', 'delay': 0, 'maxAttempts': max_attempts, 'acceptors': acceptors}
    given = list(responses)
    calls = []
    def method(**kwargs):
        calls.append(1)
        return given.pop(0)
    try:
        Waiter('W', SingleWaiterConfig(config), method).wait()
        end = 'success'
    except WaiterError as e:
        end = e.kwargs['reason']
    return {'config': config, 'responses': responses, 'end': end, 'attempts': len(calls)}

out = []
for a in seen.values():
    acceptor = dict(a, argument='Foo')
    out.append(run([dict(acceptor, state='failure')], [matching(a)], 3))
    out.append(run([dict(acceptor, state='retry'), {'matcher': 'error', 'expected': 'Never', 'state': 'retry'}],
                   [matching(a), NOTHING], 2))
    out.append(run([dict(acceptor, state='success')], [{'Error': {'Code': 'Nope'}}], 3))
    out.append(run([dict(acceptor, state='success')], [{'Error': {'Message': 'no code'}}, NOTHING], 2))
emit(out)
"#;

/// How sansboto's waiter ends on `responses` (each fed in turn while it asks for more).
fn ours(config: &J, responses: &[J]) -> J {
    let model = WaiterModel::from_json(
        json!({"version": 2, "waiters": {"W": config}})
            .to_string()
            .as_bytes(),
    )
    .expect("a waiter");
    let mut waiter = Waiter::new(model.get("W").unwrap(), Value::Null, None, None);
    for (n, response) in responses.iter().enumerate() {
        match waiter.handle_response(Value::from(response.clone())) {
            Ok(WaitStep::Sleep(_)) => continue,
            Ok(WaitStep::Success) => return json!({"end": "success", "attempts": n + 1}),
            Err(WaiterError::Failed { reason, .. }) => {
                return json!({"end": reason, "attempts": n + 1})
            }
            Err(other) => return json!({"end": other.to_string(), "attempts": n + 1}),
        }
    }
    json!({"end": "asked for more responses", "attempts": responses.len()})
}

#[test]
fn every_acceptor_judges_as_botocore_judges() {
    let cases = botocore::run(WAITERS, &[]);
    let cases = cases.as_array().expect("a list of runs");
    assert!(cases.len() > 400, "only {} runs", cases.len());
    let mut differences = Vec::new();
    for case in cases {
        let responses = case["responses"].as_array().expect("responses");
        let ours = ours(&case["config"], responses);
        let theirs = json!({"end": case["end"], "attempts": case["attempts"]});
        if ours != theirs {
            differences.push(format!(
                "{} on {}\n  sansboto: {ours}\n  botocore: {theirs}",
                case["config"]["acceptors"], case["responses"]
            ));
        }
    }
    let shown: Vec<&str> = differences.iter().take(30).map(String::as_str).collect();
    assert!(
        differences.is_empty(),
        "{} of {} waiter runs differ from botocore's:\n{}",
        differences.len(),
        cases.len(),
        shown.join("\n")
    );
}
