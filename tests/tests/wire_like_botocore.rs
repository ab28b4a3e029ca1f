//! What goes on the wire next to what botocore 1.44.5 sends (the same local server sees both):
//! `Accept-Encoding: identity` on every transport, which Python's `http.client` adds to every
//! request unless it has its own (so no server or proxy on the way compresses an answer neither
//! client decodes), and no session token where a file leaves it empty. And what comes back:
//! response heads at the edges of what `http.client` reads (many fields, long fields, a
//! `Content-Length` next to chunked framing), read alike by every transport and botocore.

mod e2e_support;

use e2e_support::{blocking_session, core_session, tokio_session, Action, ScriptServer};
use sansboto_core::{params, Error, Value};
use sansboto_tests::botocore;

const LIST_TABLES_OK: &str = r#"{"TableNames": []}"#;

/// DynamoDB's `ListTables` at `url` (region `us-east-1`, keys `AKID`/`SECRET`) under `env`, by
/// a blocking and a tokio client: their `TableNames`, or their errors.
fn list_tables_on_both(
    url: &str,
    env: &[(&str, &str)],
) -> (Result<Value, Error>, Result<Value, Error>) {
    let blocking = blocking_session(core_session(env, None, None))
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(url)
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap()
        .call("ListTables", params! {})
        .map(|out| out["TableNames"].clone());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let tokio = runtime.block_on(async {
        let client = tokio_session(core_session(env, None, None))
            .client("dynamodb")
            .region("us-east-1")
            .endpoint_url(url)
            .credentials("AKID", "SECRET", None)
            .build()
            .await
            .unwrap();
        client
            .call("ListTables", params! {})
            .await
            .map(|out| out["TableNames"].clone())
    });
    (blocking, tokio)
}

#[test]
fn every_request_says_it_accepts_no_content_coding_as_botocores_does() {
    let server = ScriptServer::start(|_, _| Action::json(200, LIST_TABLES_OK));
    let url = server.url();
    let (blocking, tokio) = list_tables_on_both(&url, &[]);
    blocking.unwrap();
    tokio.unwrap();

    botocore::list_tables_at(&url, &[]).expect("botocore's ListTables");

    let seen = server.seen();
    assert_eq!(seen.len(), 3, "blocking, tokio, botocore");
    let accepted: Vec<Option<&str>> = seen
        .iter()
        .map(|s| s.headers.get("accept-encoding").map(String::as_str))
        .collect();
    assert_eq!(accepted[2], Some("identity"), "botocore's");
    assert_eq!(accepted, [Some("identity"); 3]);
}

/// A session token left empty in the credentials file (`aws_session_token =`, or the older
/// `aws_security_token =`) is no token: botocore sends and signs none, and neither does a
/// client here (AWS refuses an empty `X-Amz-Security-Token`).
#[test]
fn an_empty_session_token_in_a_file_is_not_sent() {
    let server = ScriptServer::start(|_, _| Action::json(200, LIST_TABLES_OK));
    let url = server.url();
    for key in ["aws_session_token", "aws_security_token"] {
        let credentials =
            format!("[default]\naws_access_key_id = AKID\naws_secret_access_key = s\n{key} =\n");
        blocking_session(core_session(&[], None, Some(&credentials)))
            .client("dynamodb")
            .region("us-east-1")
            .endpoint_url(&url)
            .build()
            .unwrap()
            .call("ListTables", params! {})
            .unwrap();
        botocore::run(
            &format!(
                r#"
import os, tempfile
path = os.path.join(tempfile.mkdtemp(), "credentials")
open(path, "w").write({credentials:?})
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = path
s = botocore.session.Session()
s.create_client("dynamodb", region_name="us-east-1", endpoint_url={url:?}).list_tables()
emit(None)
"#
            ),
            &[],
        );
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    for (i, request) in seen.iter().enumerate() {
        let auth = request.headers.get("authorization").expect("signed");
        assert!(auth.contains("Credential=AKID/"), "{i}: {auth}");
        assert!(!auth.contains("x-amz-security-token"), "{i}: {auth}");
        assert!(
            !request.headers.contains_key("x-amz-security-token"),
            "request {i} (botocore's are odd): {:?}",
            request.headers
        );
    }
}

/// Odd response heads, each answered to DynamoDB's `ListTables` by botocore, the blocking and the
/// tokio transport with one attempt: chunked framing wins over a `Content-Length` beside it
/// (RFC 9112; botocore reads the chunks); 99 header fields are read and 100 refused (Python's
/// `http.client` counts the blank line among its 100); 70 KB of head in nine fields is read.
#[test]
fn odd_response_heads_are_read_alike_by_every_transport_and_by_botocore() {
    let body = LIST_TABLES_OK.as_bytes();
    let chunked = [
        format!("{:x}\r\n", body.len()).as_bytes(),
        body,
        b"\r\n0\r\n\r\n",
    ]
    .concat();
    let fields = |n: usize, len: usize| -> Vec<(String, String)> {
        (0..n)
            .map(|i| (format!("x-field-{i}"), "v".repeat(len)))
            .collect()
    };
    let json = || {
        (
            "Content-Type".to_string(),
            "application/x-amz-json-1.0".to_string(),
        )
    };
    let cases: Vec<(&str, Action, bool)> = vec![
        (
            "chunked with a Content-Length",
            Action::Respond(
                200,
                vec![
                    json(),
                    ("Transfer-Encoding".into(), "chunked".into()),
                    ("Content-Length".into(), "5".into()),
                ],
                chunked,
            ),
            true,
        ),
        (
            "99 fields",
            Action::Respond(200, [vec![json()], fields(97, 8)].concat(), body.to_vec()),
            true,
        ),
        (
            "100 fields",
            Action::Respond(200, [vec![json()], fields(98, 8)].concat(), body.to_vec()),
            false,
        ),
        (
            "70 KB of head",
            Action::Respond(
                200,
                [vec![json()], fields(7, 10_000)].concat(),
                body.to_vec(),
            ),
            true,
        ),
    ];
    let env = [("AWS_MAX_ATTEMPTS", "1")];
    for (name, action, read) in cases {
        let action = std::sync::Mutex::new(action);
        let server = ScriptServer::start(move |_, _| match &*action.lock().unwrap() {
            Action::Respond(status, headers, body) => {
                Action::Respond(*status, headers.clone(), body.clone())
            }
            _ => unreachable!(),
        });
        let url = server.url();
        let theirs = botocore::list_tables_at(&url, &env);
        let (blocking, tokio) = list_tables_on_both(&url, &env);
        assert_eq!(theirs.is_ok(), read, "{name}: botocore {theirs:?}");
        assert_eq!(blocking.is_ok(), read, "{name}: blocking {blocking:?}");
        assert_eq!(tokio.is_ok(), read, "{name}: tokio {tokio:?}");
        if read {
            assert_eq!(
                blocking.unwrap(),
                sansboto_core::Value::List(Vec::new()),
                "{name}"
            );
        }
    }
}
