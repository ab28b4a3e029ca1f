//! The TLS faults of a connection, met by botocore 1.44.5's own HTTP layer (its
//! `URLLib3Session`, over urllib3 and Python's ssl) and by every transport (blocking, async-std
//! under smol, tokio), against the same scripted loopback TLS server:
//! a handshake that stalls or trickles ends within the connect timeout; a body delimited by a
//! close without `close_notify` is the body; a `Content-Length` or chunked body cut short by it
//! is an error.

#[path = "transport_support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use sansboto_core::runtime::Transport;
use sansboto_core::{Body, HttpConfig, TransportErrorKind};
use sansboto_tests::botocore;
use serde_json::Value;
use support::ScriptedTls;

/// What botocore's `URLLib3Session` (verify off, connect timeout 0.3 s, read timeout 20 s) gets
/// for GET `base + path` of each path, the body read as botocore reads a streamed output (its
/// `StreamingBody`, which checks the length itself: its session tells urllib3
/// `enforce_content_length=False`): `["ok", body]` or `["error", exception class]`, and the
/// seconds it took.
fn botocore_gets(base: &str, paths: &[&str]) -> Value {
    let snippet = format!(
        r#"
import time, warnings
warnings.simplefilter("ignore")
from botocore.httpsession import URLLib3Session
from botocore.awsrequest import AWSRequest
from botocore.response import StreamingBody
http = URLLib3Session(verify=False, timeout=(0.3, 20))
out = {{}}
for path in {paths:?}:
    started = time.monotonic()
    try:
        request = AWSRequest(method="GET", url={base:?} + path).prepare()
        request.stream_output = True
        r = http.send(request)
        body = StreamingBody(r.raw, r.headers.get("content-length"))
        got = ["ok", body.read().decode()]
    except Exception as e:
        got = ["error", type(e).__name__]
    out[path] = got + [time.monotonic() - started]
emit(out)
"#
    );
    botocore::run(&snippet, &[])
}

/// The same GET on transport `T`: `Ok(body)` or the error's kind, and how long it took.
async fn get<T: Transport>(url: &str) -> (Result<String, TransportErrorKind>, Duration) {
    let client = T::connect(&HttpConfig {
        verify: false,
        connect_timeout: Duration::from_millis(300),
        read_timeout: Duration::from_secs(20),
        ..HttpConfig::default()
    })
    .unwrap();
    let request = http::Request::get(url).body(Body::Empty).unwrap();
    let started = Instant::now();
    let got = match client.send(request).await {
        Ok(resp) => match client.read_body(resp.into_body()).await {
            Ok(body) => Ok(String::from_utf8_lossy(&body).into_owned()),
            Err(e) => Err(e.kind),
        },
        Err(e) => Err(e.kind),
    };
    (got, started.elapsed())
}

/// Every transport's answer to `url`.
fn ours(url: &str) -> Vec<(Result<String, TransportErrorKind>, Duration)> {
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    vec![
        sansboto_blocking::block_on(get::<sansboto_blocking::HttpClient>(url)),
        smol::block_on(get::<sansboto_async_std::HttpClient>(url)),
        tokio.block_on(get::<sansboto_tokio::HttpClient>(url)),
    ]
}

#[test]
fn a_stalled_or_trickled_handshake_ends_within_the_connect_timeout_as_in_botocore() {
    for trickle in [false, true] {
        let server = ScriptedTls::start(move |tcp, _| support::stalled_handshake(tcp, trickle));
        let base = format!("https://localhost:{}", server.addr.port());
        let theirs = &botocore_gets(&base, &["/"])["/"];
        assert_eq!(theirs[0], "error", "botocore, trickle {trickle}: {theirs}");
        // urllib3 reports a timeout during the connect phase as a read timeout of the connect
        // timeout's value; either way, a timeout.
        assert!(
            theirs[1].as_str().unwrap().contains("Timeout"),
            "botocore, trickle {trickle}: {theirs}"
        );
        assert!(theirs[2].as_f64().unwrap() < 3.0, "botocore: {theirs}");
        for (got, took) in ours(&format!("{base}/")) {
            assert_eq!(got, Err(TransportErrorKind::Timeout), "trickle {trickle}");
            assert!(
                took >= Duration::from_millis(295) && took < Duration::from_secs(3),
                "trickle {trickle}: took {took:?}"
            );
        }
    }
}

#[test]
fn a_close_without_close_notify_ends_only_a_close_delimited_body_as_in_botocore() {
    let server = ScriptedTls::start(support::answer_then_close);
    let base = format!("https://localhost:{}", server.addr.port());
    let paths = [
        "/close-delimited",
        "/close-delimited-notify",
        "/length-cut",
        "/chunked-cut",
    ];
    let theirs = botocore_gets(&base, &paths);
    for path in paths {
        let theirs = &theirs[path];
        for (got, _) in ours(&format!("{base}{path}")) {
            match (&got, theirs[0].as_str().unwrap()) {
                (Ok(body), "ok") => assert_eq!(body, theirs[1].as_str().unwrap(), "{path}"),
                (Err(kind), "error") => assert_eq!(*kind, TransportErrorKind::Io, "{path}"),
                _ => panic!("{path}: sansboto {got:?}, botocore {theirs}"),
            }
        }
        let delimited_by_close = path.starts_with("/close-delimited");
        let expected = if delimited_by_close { "ok" } else { "error" };
        assert_eq!(theirs[0], expected, "{path}: botocore {theirs}");
    }
}

/// What each connection's ClientHello offered by ALPN, in the order the connections came; the
/// server answers `ok` to one request on each.
fn alpn_recording_server() -> (
    ScriptedTls,
    std::sync::Arc<std::sync::Mutex<Vec<Vec<String>>>>,
) {
    use std::io::Read;
    let offers = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = offers.clone();
    let server = ScriptedTls::start(move |mut tcp, cfg| {
        let mut acceptor = rustls::server::Acceptor::default();
        let accepted = loop {
            if acceptor.read_tls(&mut tcp).unwrap_or(0) == 0 {
                return;
            }
            match acceptor.accept() {
                Ok(Some(accepted)) => break accepted,
                Ok(None) => continue,
                Err(_) => return,
            }
        };
        let hello = accepted.client_hello();
        let alpn = (hello.alpn().into_iter().flatten())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        seen.lock().unwrap().push(alpn);
        let Ok(mut conn) = accepted.into_connection(cfg) else {
            return;
        };
        let mut head = Vec::new();
        let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if !matches!(tls.read(&mut byte), Ok(1)) {
                return;
            }
            head.push(byte[0]);
        }
        let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        let _ = support::tls_answer(&mut conn, &mut tcp, answer, true);
    });
    (server, offers)
}

#[test]
fn every_transport_offers_http1_by_alpn_as_botocore() {
    let (server, offers) = alpn_recording_server();
    let base = format!("https://localhost:{}", server.addr.port());
    let theirs = &botocore_gets(&base, &["/"])["/"];
    assert_eq!(theirs[1], "ok", "botocore: {theirs}");
    let botocore_offered = offers.lock().unwrap().clone();
    assert_eq!(botocore_offered, [["http/1.1"]], "botocore");
    for (got, _) in ours(&format!("{base}/")) {
        assert_eq!(got, Ok("ok".to_string()));
    }
    let all = offers.lock().unwrap().clone();
    assert_eq!(all.len(), 4, "{all:?}");
    assert!(
        all.iter().all(|offer| *offer == botocore_offered[0]),
        "botocore offered {botocore_offered:?}; blocking, async-std, tokio: {:?}",
        &all[1..]
    );
}

/// The CA bundle is found as botocore's HTTP layer finds it: a leading `~` of `AWS_CA_BUNDLE`
/// (or the profile's `ca_bundle`) is the home directory, as urllib3 expands it, and
/// `REQUESTS_CA_BUNDLE` is used when nothing else names a bundle. Each setup verifies the same
/// self-signed server in both (the request reaches it), and none does in neither.
#[test]
fn the_ca_bundle_is_found_as_botocores_http_layer_finds_it() {
    let (cfg, pem) = support::self_signed();
    let server = support::Server::start_tls(cfg);
    let bundle = support::temp_file("ca-home-ca.pem", pem.as_bytes());
    let home = bundle.parent().unwrap().to_str().unwrap().to_owned();
    let bundle = bundle.to_str().unwrap().to_owned();
    let url = format!("https://localhost:{}", server.addr.port());
    let setups: [&[(&str, &str)]; 3] = [
        &[("HOME", &home), ("AWS_CA_BUNDLE", "~/ca-home-ca.pem")],
        &[("HOME", &home), ("REQUESTS_CA_BUNDLE", &bundle)],
        &[("HOME", &home)],
    ];
    for (i, env) in setups.iter().enumerate() {
        let mut env = env.to_vec();
        env.extend([
            ("AWS_MAX_ATTEMPTS", "1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]);
        let inputs = sansboto_core::session::SessionInputs {
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        };
        let data = sansboto_host::BotocoreData(sansboto_models::Loader::new());
        let session = sansboto_core::session::Session::new(inputs, std::sync::Arc::new(data));
        let session = std::sync::Arc::new(session.unwrap());
        let before = server.seen.lock().unwrap().len();
        let err =
            sansboto_core::runtime::RuntimeSession::<sansboto_blocking::HttpClient>::from_core(Ok(
                session,
            ))
            .client("dynamodb")
            .region("us-east-1")
            .endpoint_url(&url)
            .credentials("AKID", "SECRET", None)
            .build()
            .unwrap()
            .call("ListTables", sansboto_core::params! {})
            .err();
        let ours = server.seen.lock().unwrap().len() > before;
        let theirs = botocore::list_tables_at(&url, &env);
        let verified = i < 2;
        assert_eq!(ours, verified, "setup {i}: {err:?}");
        assert_eq!(theirs.is_ok(), verified, "setup {i}: {theirs:?}");
    }
}
