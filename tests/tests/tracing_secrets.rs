//! What sansboto reports through `tracing`, captured at TRACE by a layer that writes down every
//! span (with its fields as recorded) and every event (with the spans it happened in), over
//! real calls: IMDSv2 credentials with a token and a retried API call against a local server,
//! an SSE-C `PutObject` with a session token against moto, S3's region redirect through a
//! `HeadBucket` probe, a SimpleDB call signed with Signature Version 2 (signature and token in
//! the form body). The log must show the calls, attempts and decisions, and none of the
//! secrets: secret keys, session tokens, the IMDS token, the SSE-C key, request signatures.
//!
//! Each test installs its own subscriber for its thread (`with_default`) and drives the blocking
//! transport, whose calls run on that thread.

mod e2e_support;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use e2e_support::{blocking_session, core_session, Action, ScriptServer, Seen};
use sansboto_core::hooks::Event;
use sansboto_core::params;
use sansboto_tests::moto::MotoServer;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Every span and event, one line each: `span NAME{fields}` when a span opens or records,
/// `event a{..}:b{..}: fields` for an event inside spans `a` ⊃ `b`.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

/// A span's fields as recorded so far.
struct Fields(String);

struct Writer<'a>(&'a mut String);

impl Visit for Writer<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = String::new();
        attrs.record(&mut Writer(&mut fields));
        let span = ctx.span(id).expect("new span");
        self.push(format!("span {}{{{fields} }}", span.name()));
        span.extensions_mut().insert(Fields(fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let span = ctx.span(id).expect("recorded span");
        let mut extensions = span.extensions_mut();
        if let Some(fields) = extensions.get_mut::<Fields>() {
            values.record(&mut Writer(&mut fields.0));
            self.push(format!("span {}{{{} }}", span.name(), fields.0));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        let mut line = String::from("event ");
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                let extensions = span.extensions();
                let fields = extensions.get::<Fields>().map_or("", |f| f.0.as_str());
                let _ = write!(line, "{}{{{fields} }}:", span.name());
            }
        }
        event.record(&mut Writer(&mut line));
        self.push(line);
    }
}

impl Capture {
    fn push(&self, line: String) {
        self.0.lock().unwrap().push(line);
    }

    /// Run `f` with everything at TRACE captured; the log.
    fn run(f: impl FnOnce()) -> Vec<String> {
        let capture = Capture::default();
        let subscriber = tracing_subscriber::registry().with(capture.clone());
        tracing::subscriber::with_default(subscriber, f);
        let lines = capture.0.lock().unwrap().clone();
        lines
    }
}

/// Fail if any secret appears anywhere in the log.
fn assert_no_secrets(log: &[String], secrets: &[&str]) {
    let text = log.join("\n");
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(
            !text.contains(secret),
            "secret {secret:?} in the log:\n{text}"
        );
    }
}

fn has(log: &[String], parts: &[&str]) -> bool {
    log.iter().any(|l| parts.iter().all(|p| l.contains(p)))
}

/// The signature of a request the server received.
fn signature(seen: &Seen) -> String {
    let auth = seen.header("authorization").expect("signed");
    auth.split("Signature=")
        .nth(1)
        .expect("a signature")
        .to_string()
}

const IMDS_TOKEN: &str = "IMDSv2TokenValue0123456789";
const IMDS_SECRET: &str = "ImdsSecretAccessKeyValue0123456789";
const IMDS_SESSION: &str = "ImdsSessionTokenValue0123456789";

/// IMDSv2 (token, role, credentials) and DynamoDB on one local server; the first API call is
/// throttled, the second answered.
fn imds_and_dynamodb() -> impl Fn(&Seen, usize) -> Action + Send + Sync + 'static {
    let posts = AtomicUsize::new(0);
    move |seen, _| {
        let before = posts.fetch_add(usize::from(seen.method == "POST"), Ordering::SeqCst);
        answer_imds_or_dynamodb(seen, before)
    }
}

/// `posts`: how many API calls came before this request.
fn answer_imds_or_dynamodb(seen: &Seen, posts: usize) -> Action {
    let token_ok = seen.header("x-aws-ec2-metadata-token") == Some(IMDS_TOKEN);
    match (seen.method.as_str(), seen.path.as_str()) {
        ("PUT", "/latest/api/token") => Action::text(200, IMDS_TOKEN),
        ("GET", "/latest/meta-data/iam/security-credentials/") if token_ok => {
            Action::text(200, "trace-role")
        }
        ("GET", "/latest/meta-data/iam/security-credentials/trace-role") if token_ok => {
            Action::text(
                200,
                &format!(
                    r#"{{"Code":"Success","AccessKeyId":"AKIDTRACE","SecretAccessKey":"{IMDS_SECRET}","Token":"{IMDS_SESSION}","Expiration":"2099-01-01T00:00:00Z"}}"#
                ),
            )
        }
        ("POST", _) if posts == 0 => Action::json(
            400,
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow down"}"#,
        ),
        ("POST", _) => Action::json(200, r#"{"TableNames":["t"]}"#),
        _ => Action::text(401, "no token"),
    }
}

#[test]
fn imds_credentials_and_a_retried_call_trace_without_secrets() {
    let server = ScriptServer::start(imds_and_dynamodb());
    let url = server.url();
    let attempts_seen = Arc::new(Mutex::new(Vec::new()));
    let log = Capture::run(|| {
        let env = [("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str())];
        let seen = attempts_seen.clone();
        let ddb = blocking_session(core_session(&env, None, None))
            .client("dynamodb")
            .region("us-east-1")
            .endpoint_url(&url)
            .hook(Event::BeforeSend, "attempts", "*", move |call, _| {
                seen.lock().unwrap().push(call.attempt());
                Ok(())
            })
            .build()
            .unwrap();
        let out = ddb.call("ListTables", params! {}).unwrap();
        assert_eq!(out["TableNames"][0].as_str(), Some("t"));
    });
    // Hooks see the attempt number.
    assert_eq!(*attempts_seen.lock().unwrap(), vec![Some(1), Some(2)]);

    let calls: Vec<Seen> = server
        .seen()
        .into_iter()
        .filter(|s| s.method == "POST")
        .collect();
    assert_eq!(calls.len(), 2, "throttled once, then answered");
    let mut secrets = vec![IMDS_TOKEN, IMDS_SECRET, IMDS_SESSION];
    let signatures: Vec<String> = calls.iter().map(signature).collect();
    secrets.extend(signatures.iter().map(String::as_str));
    assert_no_secrets(&log, &secrets);

    let text = log.join("\n");
    // The call's span, with its endpoint host once resolved.
    assert!(
        has(
            &log,
            &[
                "span sansboto.call{",
                "service=dynamodb",
                "operation=ListTables",
                "region=us-east-1",
                "endpoint=127.0.0.1"
            ]
        ),
        "{text}"
    );
    // Two attempts, each with its status and duration.
    assert!(
        has(
            &log,
            &[
                "span sansboto.attempt{",
                "attempt=1",
                "status=400",
                "duration_ms="
            ]
        ),
        "{text}"
    );
    assert!(
        has(
            &log,
            &[
                "span sansboto.attempt{",
                "attempt=2",
                "status=200",
                "duration_ms="
            ]
        ),
        "{text}"
    );
    // The retry decision inside the first attempt, then the backoff.
    assert!(
        has(
            &log,
            &[
                "sansboto.attempt{ attempt=1",
                "message=retry decision",
                "error_code=ThrottlingException",
                "RetryAfter"
            ]
        ),
        "{text}"
    );
    assert!(
        has(&log, &["message=waiting", "reason=retry backoff"]),
        "{text}"
    );
    // Credentials: the provider chosen; the IMDS exchanges shown with their secrets hidden.
    assert!(
        has(&log, &["message=credentials found", "provider=iam-role"]),
        "{text}"
    );
    assert!(
        has(&log, &["x-aws-ec2-metadata-token: <redacted>"]),
        "{text}"
    );
    assert!(
        has(&log, &["message=response body", "bytes, not shown"]),
        "{text}"
    );
    assert!(
        has(
            &log,
            &["Signature=<redacted>", "x-amz-security-token: <redacted>"]
        ),
        "{text}"
    );
    // The endpoint resolved and the model loaded.
    assert!(
        has(
            &log,
            &[
                "message=endpoint resolved",
                "operation=ListTables",
                "url=http://127.0.0.1"
            ]
        ),
        "{text}"
    );
    assert!(
        has(&log, &["message=model loaded", "service=dynamodb"]),
        "{text}"
    );
}

#[test]
fn sse_c_put_object_with_a_session_token_traces_without_secrets() {
    let moto = MotoServer::start();
    let secret_key = "MotoSecretAccessKeyValue0123456789";
    let session_token = "MotoSessionTokenValue0123456789";
    let sse_key = "0123456789abcdef0123456789ABCDEF";
    let sse_key_b64 = base64::engine::general_purpose::STANDARD.encode(sse_key);
    let log = Capture::run(|| {
        let s3 = blocking_session(core_session(&[], None, None))
            .client("s3")
            .region("us-east-1")
            .endpoint_url(moto.endpoint())
            .credentials("AKIDMOTO", secret_key, Some(session_token))
            .build()
            .unwrap();
        s3.call("CreateBucket", params! {"Bucket": "trace-bucket"})
            .unwrap();
        s3.call(
            "PutObject",
            params! {
                "Bucket": "trace-bucket",
                "Key": "k",
                "Body": &b"sse-c body"[..],
                "SSECustomerAlgorithm": "AES256",
                "SSECustomerKey": sse_key,
            },
        )
        .unwrap();
    });
    assert_no_secrets(&log, &[secret_key, session_token, sse_key, &sse_key_b64]);
    let text = log.join("\n");
    assert!(
        has(
            &log,
            &[
                "operation=PutObject",
                "x-amz-server-side-encryption-customer-key: <redacted>"
            ]
        ),
        "{text}"
    );
    assert!(
        has(
            &log,
            &["x-amz-server-side-encryption-customer-algorithm: AES256"]
        ),
        "{text}"
    );
    assert!(
        has(&log, &["operation=PutObject", "attempt=1", "status=200"]),
        "{text}"
    );
}

/// Members the models mark `sensitive` (an SSM `SecureString` parameter's value, KMS
/// plaintexts, a Lambda function's environment variables, Cognito's map of login tokens) stay
/// out of the log in both directions, while the rest of the same bodies is shown.
#[test]
fn members_marked_sensitive_trace_redacted_against_moto() {
    let moto = MotoServer::start();
    let parameter = "SecureParameterValue0123456789";
    let plaintext = b"KmsPlaintextValue0123456789";
    let plaintext_b64 = base64::engine::general_purpose::STANDARD.encode(plaintext);
    let env_value = "LambdaEnvironmentValue0123456789";
    let login_token = "CognitoLoginTokenValue0123456789";
    let mut data_key_b64 = String::new();
    let log = Capture::run(|| {
        let client = |service: &str| {
            blocking_session(core_session(&[], None, None))
                .client(service)
                .region("us-east-1")
                .endpoint_url(moto.endpoint())
                .credentials("AKIDMOTO", "MotoSecretAccessKeyValue0123456789", None)
                .build()
                .unwrap()
        };
        let ssm = client("ssm");
        let put = params! {"Name": "/app/db", "Value": parameter, "Type": "SecureString"};
        ssm.call("PutParameter", put).unwrap();
        let got = ssm
            .call(
                "GetParameter",
                params! {"Name": "/app/db", "WithDecryption": true},
            )
            .unwrap();
        assert_eq!(got["Parameter"]["Value"].as_str(), Some(parameter));

        let kms = client("kms");
        let key = kms.call("CreateKey", params! {}).unwrap();
        let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
        let blob = kms
            .call(
                "Encrypt",
                params! {"KeyId": key_id.as_str(), "Plaintext": &plaintext[..]},
            )
            .unwrap();
        let decrypted = kms
            .call(
                "Decrypt",
                params! {"CiphertextBlob": blob["CiphertextBlob"].clone()},
            )
            .unwrap();
        assert_eq!(
            decrypted["Plaintext"].as_blob().map(|b| &b[..]),
            Some(&plaintext[..])
        );
        let data_key = kms
            .call(
                "GenerateDataKey",
                params! {"KeyId": key_id.as_str(), "NumberOfBytes": 32},
            )
            .unwrap();
        let data_key = data_key["Plaintext"].as_blob().unwrap();
        data_key_b64 = base64::engine::general_purpose::STANDARD.encode(data_key);

        let lambda = client("lambda");
        let created = lambda.call(
            "CreateFunction",
            params! {
                "FunctionName": "f",
                "Runtime": "python3.12",
                "Role": "arn:aws:iam::123456789012:role/r",
                "Handler": "h.h",
                "Code": params! {"ZipFile": &b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"[..]},
                "Environment": params! {"Variables": params! {"DB_PASSWORD": env_value}},
            },
        );
        // moto may refuse the function (its IAM role, its zip); the request is logged either way.
        let _ = created;

        // A map whose values are sensitive (Cognito's logins): the member goes whole.
        let cognito = client("cognito-identity");
        let logins = params! {"graph.facebook.com": login_token};
        let _ = cognito.call(
            "GetId",
            params! {"IdentityPoolId": "us-east-1:pool", "Logins": logins},
        );
    });
    assert_no_secrets(
        &log,
        &[
            parameter,
            &plaintext_b64,
            &data_key_b64,
            env_value,
            login_token,
        ],
    );
    let text = log.join("\n");
    assert!(
        has(
            &log,
            &["\"Name\": \"/app/db\"", "\"Value\": \"<redacted>\""]
        ),
        "the request shows its other members: {text}"
    );
    assert!(has(&log, &["\"KeyId\""]), "{text}");
}

#[test]
fn a_signature_version_2_call_traces_without_its_signature_or_token() {
    // SimpleDB signs in the form body (`Signature`, `SecurityToken`), which body events show.
    let server = ScriptServer::start(|_, _| {
        Action::xml(
            200,
            r#"<ListDomainsResponse><ListDomainsResult><DomainName>music</DomainName></ListDomainsResult></ListDomainsResponse>"#,
        )
    });
    let secret_key = "SdbSecretAccessKeyValue0123456789";
    let session_token = "SdbSessionTokenValue0123456789";
    let log = Capture::run(|| {
        let sdb = blocking_session(core_session(&[], None, None))
            .client("sdb")
            .region("us-east-1")
            .endpoint_url(server.url())
            .credentials("AKIDSDB", secret_key, Some(session_token))
            .build()
            .unwrap();
        let out = sdb.call("ListDomains", params! {}).unwrap();
        assert_eq!(out["DomainNames"][0].as_str(), Some("music"));
    });
    let sent = server.seen().pop().expect("a request");
    let body = String::from_utf8(sent.body).unwrap();
    let field = |name: &str| {
        body.split('&')
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {body}"))
            .to_string()
    };
    let (signature, token) = (field("Signature"), field("SecurityToken"));
    assert_eq!(token, session_token);
    let decoded = signature
        .replace("%2B", "+")
        .replace("%2F", "/")
        .replace("%3D", "=");
    assert_no_secrets(&log, &[secret_key, session_token, &signature, &decoded]);
    let text = log.join("\n");
    assert!(has(&log, &["Signature=<redacted>"]), "{text}");
    assert!(
        has(&log, &["operation=ListDomains", "status=200"]),
        "{text}"
    );
}

/// S3 for one bucket in eu-central-1 that answers a request signed elsewhere with a bare 301;
/// only `HEAD /bucket` says where it lives.
fn silent_s3(seen: &Seen, _index: usize) -> Action {
    let region = seen
        .header("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(2))
        .unwrap_or_default();
    let home = vec![(
        "x-amz-bucket-region".to_string(),
        "eu-central-1".to_string(),
    )];
    match seen.method.as_str() {
        "HEAD" => Action::Respond(200, home, vec![]),
        _ if region == "eu-central-1" => Action::Respond(200, vec![], b"hello".to_vec()),
        _ => Action::Respond(
            301,
            vec![("Content-Type".into(), "application/xml".into())],
            b"<Error><Code>PermanentRedirect</Code><Message>m</Message></Error>".to_vec(),
        ),
    }
}

#[test]
fn a_redirect_probe_traces_as_a_nested_call() {
    let server = ScriptServer::start(silent_s3);
    let log = Capture::run(|| {
        let s3 = blocking_session(core_session(&[], None, None))
            .client("s3")
            .region("us-west-2")
            .endpoint_url(server.url())
            .credentials("AKIDPROBE", "ProbeSecretValue0123456789", None)
            .build()
            .unwrap();
        s3.call("GetObject", params! {"Bucket": "silent-bucket", "Key": "k"})
            .unwrap();
    });
    let signatures: Vec<String> = server.seen().iter().map(signature).collect();
    assert_eq!(signatures.len(), 3, "GET, HEAD, GET");
    let mut secrets = vec!["ProbeSecretValue0123456789"];
    secrets.extend(signatures.iter().map(String::as_str));
    assert_no_secrets(&log, &secrets);
    let text = log.join("\n");
    // The probe's attempt sits in a call span of its own, inside GetObject's.
    assert!(
        has(
            &log,
            &[
                "operation=GetObject",
                "}:sansboto.call{ operation=HeadBucket purpose=s3-redirect-probe",
                "}:sansboto.attempt{ attempt=1",
                "message=sending request method=HEAD",
            ]
        ),
        "{text}"
    );
    // GetObject's own second attempt goes to the bucket's region, outside the probe.
    assert!(
        has(&log, &["span sansboto.attempt{", "attempt=2", "status=200"]),
        "{text}"
    );
}

#[test]
fn endpoint_discovery_traces_as_a_nested_call() {
    // The discovered cell answers the call; the regional endpoint answers DescribeEndpoints.
    let cell = ScriptServer::start(|_, _| Action::json(200, r#"{"Databases":[]}"#));
    let address = format!("{}/cell", cell.url());
    let regional = ScriptServer::start(move |_, _| {
        Action::json(
            200,
            &format!(r#"{{"Endpoints":[{{"Address":"{address}","CachePeriodInMinutes":10}}]}}"#),
        )
    });
    let url = regional.url();
    let log = Capture::run(|| {
        let env = [("AWS_ENDPOINT_URL", url.as_str())];
        let client = blocking_session(core_session(&env, None, None))
            .client("timestream-write")
            .region("us-east-1")
            .credentials("AKIDDISCOVER", "DiscoverSecretValue0123456789", None)
            .build()
            .unwrap();
        client.call("ListDatabases", params! {}).unwrap();
    });
    assert_eq!(regional.seen().len(), 1);
    assert_eq!(cell.seen().len(), 1);
    let mut secrets = vec!["DiscoverSecretValue0123456789".to_string()];
    secrets.extend(regional.seen().iter().chain(&cell.seen()).map(signature));
    assert_no_secrets(
        &log,
        &secrets.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let text = log.join("\n");
    assert!(
        has(
            &log,
            &[
                "operation=ListDatabases",
                "}:sansboto.call{ operation=DescribeEndpoints purpose=endpoint-discovery",
                "}:sansboto.attempt{ attempt=1",
                "message=sending request",
            ]
        ),
        "{text}"
    );
    // The call itself goes to the cell, in its own attempt outside the discovery call.
    assert!(
        has(&log, &["span sansboto.attempt{", "attempt=1", "status=200"]),
        "{text}"
    );
}

#[test]
fn an_s3_express_session_traces_as_a_nested_call_without_its_secrets() {
    const SESSION_SECRET: &str = "ExpressSessionSecret0123456789";
    const SESSION_TOKEN: &str = "ExpressSessionToken0123456789";
    let server = ScriptServer::start(|seen, _| {
        if seen.path.ends_with("?session") {
            return Action::xml(
                200,
                &format!(
                    "<CreateSessionResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                     <Credentials><SessionToken>{SESSION_TOKEN}</SessionToken>\
                     <SecretAccessKey>{SESSION_SECRET}</SecretAccessKey>\
                     <AccessKeyId>EXPRESSKEY</AccessKeyId>\
                     <Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>\
                     </CreateSessionResult>"
                ),
            );
        }
        Action::Respond(200, vec![("ETag".into(), "\"e\"".into())], Vec::new())
    });
    let log = Capture::run(|| {
        let s3 = blocking_session(core_session(&[], None, None))
            .client("s3")
            .region("us-west-2")
            .endpoint_url(server.url())
            .credentials(
                "AKIDBASE",
                "ExpressBaseSecret0123456789",
                Some("ExpressBaseToken0123"),
            )
            .build()
            .unwrap();
        s3.call(
            "PutObject",
            params! {"Bucket": "mybucket--usw2-az1--x-s3", "Key": "k", "Body": &b"x"[..]},
        )
        .unwrap();
    });
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "CreateSession, then PutObject");
    let mut secrets: Vec<String> = seen.iter().map(signature).collect();
    secrets.extend(
        [
            SESSION_SECRET,
            SESSION_TOKEN,
            "ExpressBaseSecret0123456789",
            "ExpressBaseToken0123",
        ]
        .map(String::from),
    );
    assert_no_secrets(
        &log,
        &secrets.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let text = log.join("\n");
    assert!(
        has(
            &log,
            &[
                "operation=PutObject",
                "}:sansboto.call{ operation=CreateSession purpose=s3express-session",
                "message=response body",
                "<SessionToken><redacted></SessionToken>",
            ]
        ),
        "{text}"
    );
    assert!(has(&log, &["x-amz-s3session-token: <redacted>"]), "{text}");
}
