//! botocore itself as the reference: run a Python snippet with the pinned botocore release
//! (installed beside moto by `scripts/ensure-moto`) and read back what it printed as JSON.
//!
//! Differential tests build the same request (or make the same decision) in sansboto and in
//! botocore on the same inputs, and compare. The snippet gets `json`, `botocore` and
//! `botocore.session` imported, a `session` with no credentials or config files of the user's
//! (`AWS_CONFIG_FILE`/`AWS_SHARED_CREDENTIALS_FILE` point nowhere), and `emit(value)` to print
//! its answer; the environment given is the only one it sees besides `PATH`.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The python that has botocore (the pinned release) installed: the moto venv's.
pub fn python() -> PathBuf {
    crate::moto::moto_python()
}

const PRELUDE: &str = r#"
import json, sys
import botocore, botocore.session
def emit(value):
    sys.stdout.write(json.dumps(value, default=str, sort_keys=True))
session = botocore.session.get_session()
def request_as_sent(request):
    # What a `before-send` hook sees: method, URL, lower-case headers, body as text.
    text = lambda v: v.decode('utf-8', 'replace') if isinstance(v, bytes) else v
    body = request.body
    if hasattr(body, 'read'):
        body = body.read()
    return {'method': request.method, 'url': request.url,
            'headers': {k.lower(): text(v) for k, v in request.headers.items()},
            'body': text(body) or ''}
"#;

/// Run `snippet` under botocore with `env` (and nothing of the caller's AWS configuration);
/// returns what it passed to `emit`. Panics with botocore's stderr when the snippet fails or
/// when the installed botocore is not the pinned release.
pub fn run(snippet: &str, env: &[(&str, &str)]) -> serde_json::Value {
    let script = format!(
        "{PRELUDE}\nassert botocore.__version__ == {:?}, botocore.__version__\n{snippet}\n",
        crate::botocore_version()
    );
    let mut cmd = Command::new(python());
    cmd.arg("-c")
        .arg(script)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", "/nonexistent/sansboto-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/sansboto-test-credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python().display()));
    assert!(
        out.status.success(),
        "botocore snippet failed:\n{}\n--- snippet ---\n{snippet}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "botocore snippet printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// botocore's DynamoDB `ListTables` at `endpoint_url` (region `us-east-1`, keys `AKID` /
/// `SECRET`) under `env`: `Ok`, or the class name of the exception it raised.
pub fn list_tables_at(endpoint_url: &str, env: &[(&str, &str)]) -> Result<(), String> {
    let snippet = format!(
        r#"
c = session.create_client("dynamodb", region_name="us-east-1", endpoint_url={endpoint_url:?},
    aws_access_key_id="AKID", aws_secret_access_key="SECRET")
try:
    c.list_tables()
    emit(None)
except Exception as e:
    emit(type(e).__name__)
"#
    );
    match run(&snippet, env) {
        serde_json::Value::Null => Ok(()),
        serde_json::Value::String(class) => Err(class),
        other => panic!("botocore's ListTables answered {other}"),
    }
}

/// The request botocore 1.44.5 would send for `service.operation(params)` in `region` (or none),
/// with `client_kwargs` (Python source, e.g. `endpoint_url="http://x"`), without sending it:
/// `{"method", "url", "headers": {lower-case name: value}, "body"}` (body as UTF-8, lossy).
/// Credentials are fixed (`AKID`/`SECRET`), time is whatever botocore reads.
pub fn request(
    service: &str,
    operation: &str,
    params_json: &str,
    client_kwargs: &str,
    env: &[(&str, &str)],
) -> serde_json::Value {
    request_snippet(service, operation, params_json, client_kwargs, env, "")
}

/// [`request`] signed at `unix_seconds` rather than botocore's clock, so that a signature can be
/// compared with one sansboto makes at the same time.
pub fn request_signed_at(
    service: &str,
    operation: &str,
    params_json: &str,
    client_kwargs: &str,
    env: &[(&str, &str)],
    unix_seconds: u64,
) -> serde_json::Value {
    let clock = fixed_clock(unix_seconds);
    request_snippet(service, operation, params_json, client_kwargs, env, &clock)
}

/// Python that makes botocore sign at `unix_seconds`: SigV4's clock
/// (`botocore.auth.get_current_datetime`) and SigV2's (`time.gmtime`, in `botocore.auth` alone).
pub fn fixed_clock(unix_seconds: u64) -> String {
    format!(
        r#"
import datetime, types, time as real_time, botocore.auth
botocore.auth.get_current_datetime = lambda remove_tzinfo=True: datetime.datetime.fromtimestamp({unix_seconds}, datetime.timezone.utc).replace(tzinfo=None)
botocore.auth.time = types.SimpleNamespace(**{{n: getattr(real_time, n) for n in dir(real_time) if not n.startswith('_')}})
botocore.auth.time.gmtime = lambda *args: real_time.gmtime({unix_seconds})
"#
    )
}

fn request_snippet(
    service: &str,
    operation: &str,
    params_json: &str,
    client_kwargs: &str,
    env: &[(&str, &str)],
    setup: &str,
) -> serde_json::Value {
    // A JSON string literal is a Python one too (Rust's `{:?}` is not: `\u{7f}`).
    let params_literal = serde_json::Value::from(params_json).to_string();
    let snippet = format!(
        r#"{setup}
from botocore.awsrequest import AWSResponse
captured = {{}}
def before_send(request, **kwargs):
    captured.update(request_as_sent(request))
    return AWSResponse(request.url, 200, {{}}, None)
client = session.create_client({service:?}, aws_access_key_id='AKID', aws_secret_access_key='SECRET', {client_kwargs})
client.meta.events.register('before-send', before_send)
try:
    getattr(client, botocore.xform_name({operation:?}))(**json.loads({params_literal}))
except Exception as e:
    if not captured:
        captured['error'] = type(e).__name__ + ': ' + str(e)
emit(captured)
"#
    );
    run(&snippet, env)
}

/// The region and service of a signed request's `Authorization` scope
/// (`Credential=AKID/date/REGION/SERVICE/aws4_request`), as `REGION/SERVICE`; empty when the
/// request is unsigned. The endpoint comparisons compare it with botocore's.
pub fn signing_scope(authorization: &str) -> String {
    authorization
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split(',').next())
        .map(|c| c.split('/').skip(2).take(2).collect::<Vec<_>>().join("/"))
        .unwrap_or_default()
}

/// Python defining `plain(value)`: a value botocore parsed, written as [`parsed_as_json`] writes
/// sansboto's, so the two compare as JSON. The response-parsing comparisons put it before their
/// own snippets.
pub const PLAIN: &str = r#"
import base64, datetime, math

def plain(v):
    if isinstance(v, float) and not math.isfinite(v):
        return {'$float': repr(v)}
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items() if k != 'ResponseMetadata'}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, datetime.datetime):
        v = v.astimezone(datetime.timezone.utc)
        # (strftime's `%Y` does not pad a year below 1000 on every platform.)
        text = '%04d-%02d-%02dT%02d:%02d:%02d' % (v.year, v.month, v.day, v.hour, v.minute, v.second)
        if v.microsecond:
            text += ('.%06d' % v.microsecond).rstrip('0')
        return text + 'Z'
    if isinstance(v, (bytes, bytearray)):
        return {'$blob': base64.b64encode(bytes(v)).decode()}
    return v
"#;

/// A value sansboto parsed, written as the response-parsing comparisons write botocore's
/// (`tests/botocore_outputs.rs`, `tests/botocore_outputs_probe.rs`): blobs as
/// `{"$blob": base64}`, timestamps as ISO 8601 UTC with the fraction's trailing zeros dropped
/// (as the Python side writes datetimes), documents as their tree, a NaN or an infinity as
/// `{"$float": "nan" | "inf" | "-inf"}` (Python's `repr`; JSON has no such number),
/// `ResponseMetadata` left out.
pub fn parsed_as_json(value: &sansboto_core::Value) -> serde_json::Value {
    use base64::Engine as _;
    use sansboto_core::Value;
    use serde_json::Value as J;
    match value {
        Value::Blob(bytes) => serde_json::json!({
            "$blob": base64::engine::general_purpose::STANDARD.encode(bytes)
        }),
        Value::List(items) => J::Array(items.iter().map(parsed_as_json).collect()),
        Value::Map(map) => J::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "ResponseMetadata")
                .map(|(k, v)| (k.to_string(), parsed_as_json(v)))
                .collect(),
        ),
        Value::Document(inner) => parsed_as_json(inner),
        Value::Float(f) if !f.is_finite() => serde_json::json!({
            "$float": if f.is_nan() { "nan" } else if *f > 0.0 { "inf" } else { "-inf" }
        }),
        Value::Timestamp(t) => {
            let text = t.to_iso8601();
            match text.strip_suffix('Z').and_then(|t| t.split_once('.')) {
                Some((whole, fraction)) => match fraction.trim_end_matches('0') {
                    "" => J::String(format!("{whole}Z")),
                    fraction => J::String(format!("{whole}.{fraction}Z")),
                },
                None => J::String(text),
            }
        }
        other => other.to_json(),
    }
}

/// Write made-up service models where botocore's loader (and sansboto's, given the same
/// directory as its data path) finds them: `<temp>/<name>-<pid>/<service>/2020-01-01/service-2.json`.
/// Returns the directory.
pub fn write_models(name: &str, models: &[(&str, serde_json::Value)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    for (service, model) in models {
        let versions = dir.join(service).join("2020-01-01");
        std::fs::create_dir_all(&versions).expect("a directory for the model");
        std::fs::write(
            versions.join("service-2.json"),
            serde_json::to_vec(model).expect("the model as JSON"),
        )
        .expect("the model written");
    }
    dir
}
