//! Every request example in botocore 1.44.5's own documentation (`examples-1.json`, about 1,300
//! inputs across the services that have them: inputs nobody here chose), built by sansboto and
//! by botocore at the same signing time and compared: method, URL, body and the whole
//! `Authorization` header (signed header names and, through the signature, their values).
//! Where botocore refuses an input (its validation), sansboto must refuse it too.
//!
//! Idempotency tokens that both fill in with a random UUID are masked before comparing, and
//! such a request's signature (which covers the token) is not compared.

mod e2e_support;

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use e2e_support::core_session;
use sansboto_core::auth::{Credentials, Identity};
use sansboto_core::machine::SplitMix64;
use sansboto_core::session::ClientOptions;
use sansboto_core::{Error, Value};
use sansboto_tests::botocore;

/// 2026-01-01T00:00:00Z: the signing time on both sides.
const SIGNED_AT: u64 = 1_767_225_600;

/// botocore's request for every documented example (its `before-send` hook, signing clock
/// fixed), or the error it raised before sending.
const BOTOCORE_SNIPPET: &str = r#"
import datetime, botocore.auth
from botocore.awsrequest import AWSResponse
botocore.auth.get_current_datetime = lambda remove_tzinfo=True: datetime.datetime.fromtimestamp(SIGNED_AT, datetime.timezone.utc).replace(tzinfo=None)
loader = session.get_component('data_loader')
out = []
for service in session.get_available_services():
    try:
        examples = loader.load_service_model(service, 'examples-1').get('examples', {})
    except Exception:
        continue
    if not examples:
        continue
    client = session.create_client(service, region_name='us-east-1', aws_access_key_id='AKID', aws_secret_access_key='SECRET')
    captured = {}
    def before_send(request, **kwargs):
        captured['method'] = request.method
        captured['url'] = request.url
        captured['headers'] = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
        body = request.body
        if hasattr(body, 'read'):
            body = body.read()
        if isinstance(body, bytes):
            body = body.decode('utf-8', 'replace')
        captured['body'] = body or ''
        return AWSResponse(request.url, 200, {}, None)
    client.meta.events.register('before-send', before_send)
    for operation, cases in examples.items():
        for index, case in enumerate(cases):
            if 'input' not in case:
                continue
            captured.clear()
            try:
                getattr(client, botocore.xform_name(operation))(**case['input'])
            except Exception as e:
                if not captured:
                    captured['error'] = type(e).__name__ + ': ' + str(e)
            out.append({'service': service, 'operation': operation, 'index': index, 'input': json.dumps(case['input']), **captured})
emit(out)
"#;

/// A random UUID (an idempotency token either side fills in) replaced by a fixed mark;
/// returns whether any was.
fn mask_uuids(text: &str) -> (String, bool) {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut masked = false;
    let mut i = 0;
    while i < bytes.len() {
        let candidate = bytes.get(i..i + 36).filter(|c| {
            c.iter().enumerate().all(|(j, b)| match j {
                8 | 13 | 18 | 23 => *b == b'-',
                _ => b.is_ascii_hexdigit(),
            })
        });
        if candidate.is_some() {
            out.push_str("<uuid>");
            masked = true;
            i += 36;
        } else {
            let ch = text[i..].chars().next().unwrap_or_default();
            out.push(ch);
            i += ch.len_utf8().max(1);
        }
    }
    (out, masked)
}

/// What to compare of one request: method, URL, body, and the `Authorization` header when
/// nothing random was masked.
#[derive(Debug, PartialEq)]
struct Compared {
    method: String,
    url: String,
    body: String,
    authorization: Option<String>,
}

fn compared(method: &str, url: &str, body: &str, authorization: &str) -> Compared {
    let (url, url_masked) = mask_uuids(url);
    let (body, body_masked) = mask_uuids(body);
    Compared {
        method: method.to_string(),
        url,
        body,
        authorization: (!url_masked && !body_masked).then(|| authorization.to_string()),
    }
}

#[test]
fn every_documented_example_is_sent_as_botocore_sends_it() {
    let snippet = BOTOCORE_SNIPPET.replace("SIGNED_AT", &SIGNED_AT.to_string());
    let cases = botocore::run(&snippet, &[]);
    let cases = cases.as_array().expect("a list of examples");
    assert!(cases.len() > 1000, "only {} examples", cases.len());

    let session = core_session(&[], None, None);
    let options = ClientOptions {
        region: Some("us-east-1".into()),
        ..Default::default()
    };
    let credentials = Credentials::new("AKID", "SECRET", None, None);
    let mut clients = BTreeMap::new();
    let mut differences = Vec::new();
    let mut compared_signatures = 0;
    for case in cases {
        let service = case["service"].as_str().unwrap();
        let operation = case["operation"].as_str().unwrap();
        let input = case["input"].as_str().unwrap();
        let name = format!("{service}.{operation}[{}] {input}", case["index"]);
        let client = clients
            .entry(service.to_string())
            .or_insert_with(|| session.service_client(service, &options));
        let client = match client {
            Ok(client) => client,
            Err(e) => {
                differences.push(format!("{name}: no client: {e}"));
                continue;
            }
        };
        let params = Value::from(serde_json::from_str::<serde_json::Value>(input).unwrap());
        let now = UNIX_EPOCH + Duration::from_secs(SIGNED_AT);
        let identity = Identity::Credentials(&credentials);
        let ours = client
            .prepare_at(operation, params, &mut SplitMix64(1), identity, now)
            .and_then(|prepared| client.sign(&prepared, identity, now, None));
        if let Some(their_error) = case.get("error").and_then(|e| e.as_str()) {
            let validation = their_error.starts_with("ParamValidationError");
            match ours {
                Err(Error::Validation(_)) if validation => {}
                // botocore's handlers raise its validation error too (S3's bucket names);
                // sansboto's hook of the same name refuses with the same message.
                Err(Error::Hook(hook)) if validation && their_error.ends_with(&hook.message) => {}
                // Refused by both for another reason (e.g. an endpoint the example needs).
                Err(_) if !validation => {}
                Err(e) => {
                    differences.push(format!("{name}: botocore: {their_error}\n  sansboto: {e}"))
                }
                Ok(_) => differences.push(format!(
                    "{name}: botocore refused ({their_error}), sansboto sent it"
                )),
            }
            continue;
        }
        let request = match ours {
            Ok(request) => request,
            Err(e) => {
                differences.push(format!("{name}: botocore sent it, sansboto: {e}"));
                continue;
            }
        };
        let ours = compared(
            request.method().as_str(),
            &request.uri().to_string(),
            &String::from_utf8_lossy(request.body().as_bytes().unwrap_or_default()),
            &String::from_utf8_lossy(
                request
                    .headers()
                    .get("authorization")
                    .map(|v| v.as_bytes())
                    .unwrap_or_default(),
            ),
        );
        let theirs = compared(
            case["method"].as_str().unwrap_or_default(),
            case["url"].as_str().unwrap_or_default(),
            case["body"].as_str().unwrap_or_default(),
            case["headers"]["authorization"]
                .as_str()
                .unwrap_or_default(),
        );
        if ours.authorization.is_some() {
            compared_signatures += 1;
        }
        if ours != theirs {
            differences.push(format!(
                "{name}:\n  sansboto: {ours:?}\n  botocore: {theirs:?}"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} examples differ from botocore:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
    assert!(
        compared_signatures > 900,
        "only {compared_signatures} signatures compared"
    );
}
