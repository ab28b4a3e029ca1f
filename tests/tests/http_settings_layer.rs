//! HTTP settings that layer: a client builder's timeout (or any one setting) keeps the proxy the
//! environment gives, on every runtime. The proxy is a local scripted server that answers the
//! absolute-form requests a plain-HTTP proxy receives, so each test can see that the request went
//! through it (and where to).

mod e2e_support;

use std::time::Duration;

use e2e_support::{blocking_session, core_session, tokio_session, Action, ScriptServer};
use sansboto_core::params;
use sansboto_core::runtime::{ClientBuilder, RuntimeSession, Transport};
use sansboto_core::HttpSettings;
use sansboto_core::Value;

const ENDPOINT: &str = "http://dynamodb.example.test";

/// A plain-HTTP proxy that is also the service behind it: an absolute-form request is answered
/// directly; a `CONNECT` (how a client may reach http targets through a proxy) opens the "tunnel" and
/// the request that follows on the same connection is answered.
fn proxy_server() -> ScriptServer {
    ScriptServer::start(|request, _| {
        if request.method == "CONNECT" {
            Action::Respond(200, Vec::new(), Vec::new())
        } else {
            Action::json(200, r#"{"TableNames":["through-proxy"]}"#)
        }
    })
}

/// A loopback address nothing listens on.
fn closed_proxy() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

/// A DynamoDB client builder at `endpoint` over `session`.
fn builder<T: Transport>(session: RuntimeSession<T>, endpoint: &str) -> ClientBuilder<T> {
    session
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials("AKID", "SECRET", None)
}

/// `ListTables` on every runtime, over a session with `$env`, with each client builder `$b`
/// changed by `$change`; the three results.
macro_rules! list_tables_everywhere {
    ($env:expr, $endpoint:expr, |$b:ident| $change:expr) => {{
        let (env, endpoint): (&[(&str, &str)], &str) = ($env, $endpoint);
        let mut results: Vec<Value> = Vec::new();
        let $b = builder(blocking_session(core_session(env, None, None)), endpoint);
        let blocking = $change.build().unwrap();
        results.push(blocking.call("ListTables", params! {}).unwrap());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        results.push(rt.block_on(async {
            let $b = builder(tokio_session(core_session(env, None, None)), endpoint);
            let ddb = $change.build().await.unwrap();
            ddb.call("ListTables", params! {}).await.unwrap()
        }));
        results.push(async_std::task::block_on(async {
            let session = RuntimeSession::<sansboto_async_std::HttpClient>::from_core(Ok(
                core_session(env, None, None),
            ));
            let $b = builder(session, endpoint);
            let ddb = $change.build().await.unwrap();
            ddb.call("ListTables", params! {}).await.unwrap()
        }));
        results
    }};
}

/// Every runtime's request reached `proxy` (in absolute form, or through a `CONNECT` tunnel to
/// the endpoint), signed for the endpoint.
fn assert_proxied(proxy: &ScriptServer, results: &[Value]) {
    for result in results {
        assert_eq!(result["TableNames"][0].as_str(), Some("through-proxy"));
    }
    let seen = proxy.seen();
    let tunnels: Vec<_> = seen.iter().filter(|r| r.method == "CONNECT").collect();
    let calls: Vec<_> = seen.iter().filter(|r| r.method == "POST").collect();
    assert_eq!(calls.len(), 3, "one call per runtime: {seen:?}");
    assert!(
        tunnels.iter().all(|t| t.path == "dynamodb.example.test:80"),
        "{tunnels:?}"
    );
    for call in &calls {
        let tunnelled = tunnels.iter().any(|t| t.connection == call.connection);
        let expected: &[&str] = if tunnelled {
            &["/"]
        } else {
            // Absolute form, with or without the default port.
            &[
                "http://dynamodb.example.test/",
                "http://dynamodb.example.test:80/",
            ]
        };
        assert!(
            expected.contains(&call.path.as_str()),
            "absolute form unless tunnelled: {call:?}"
        );
        assert_eq!(call.header("host"), Some("dynamodb.example.test"));
        assert!(
            call.header("authorization")
                .is_some_and(|a| a.contains("SignedHeaders=")),
            "signed: {call:?}"
        );
    }
}

#[test]
fn the_environment_proxy_survives_a_timeout_setter_on_every_runtime() {
    let proxy = proxy_server();
    let env = [("HTTP_PROXY", proxy.url())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let results = list_tables_everywhere!(&env, ENDPOINT, |b| {
        b.read_timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
    });
    assert_proxied(&proxy, &results);
}

#[test]
fn the_environment_proxy_survives_http_settings_on_every_runtime() {
    let proxy = proxy_server();
    let env = [("http_proxy", proxy.url())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let results = list_tables_everywhere!(&env, ENDPOINT, |b| {
        b.http_settings(
            HttpSettings::new()
                .read_timeout(Duration::from_secs(20))
                .pool_max_idle(2),
        )
    });
    assert_proxied(&proxy, &results);
}

#[test]
fn a_proxy_setter_replaces_the_environment_proxy_on_every_runtime() {
    let proxy = proxy_server();
    let unused = closed_proxy();
    let env = [("HTTP_PROXY", unused.as_str())];
    let url = proxy.url();
    let results = list_tables_everywhere!(&env, ENDPOINT, |b| b.proxy(url.clone()));
    assert_proxied(&proxy, &results);
}

#[test]
fn no_proxy_from_the_environment_survives_a_timeout_setter_on_every_runtime() {
    // The service itself on loopback; the environment's proxy is closed and NO_PROXY exempts
    // the service, so every request must go direct.
    let service = proxy_server();
    let unused = closed_proxy();
    let env = [("HTTP_PROXY", unused.as_str()), ("NO_PROXY", "127.0.0.1")];
    let results = list_tables_everywhere!(&env, &service.url(), |b| {
        b.read_timeout(Duration::from_secs(20))
    });
    assert_eq!(results.len(), 3);
    let seen = service.seen();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.iter().all(|r| r.path == "/"), "origin form: {seen:?}");
}

/// `defaults_mode` sets the connect timeout as botocore's smart defaults do (`in-region`: 1.1 s;
/// none: 60 s), under the builder's own: a server that never accepts is given up on after it.
/// botocore's client reads the same setting the same way (`meta.config.connect_timeout`).
#[test]
fn the_defaults_mode_sets_the_connect_timeout_as_botocores_does() {
    let unaccepting = sansboto_tests::Unaccepting::start();
    let addr = unaccepting.addr;
    let env = [
        ("AWS_DEFAULTS_MODE", "in-region"),
        ("AWS_MAX_ATTEMPTS", "1"),
    ];
    let endpoint = format!("http://{addr}");

    let ddb = builder(blocking_session(core_session(&env, None, None)), &endpoint)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = ddb.call("ListTables", params! {}).unwrap_err();
    let waited = started.elapsed();
    let kind = err.transport_error().map(|t| t.kind);
    assert_eq!(
        kind,
        Some(sansboto_core::TransportErrorKind::Timeout),
        "{err}"
    );
    assert!(
        waited >= Duration::from_millis(1050) && waited < Duration::from_secs(10),
        "waited {waited:?}"
    );
    // The builder's own timeout wins over the mode's.
    let ddb = builder(blocking_session(core_session(&env, None, None)), &endpoint)
        .connect_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    ddb.call("ListTables", params! {}).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));

    let theirs = sansboto_tests::botocore::run(
        r#"
c = session.create_client("dynamodb", region_name="us-east-1")
emit(c.meta.config.connect_timeout)
"#,
        &env,
    );
    assert_eq!(theirs, serde_json::json!(1.1));
}
