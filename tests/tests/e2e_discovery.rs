//! Endpoint discovery end to end: a local server plays the service's regional endpoint (it
//! answers `DescribeEndpoints`), a second one plays the discovered cell. Each scenario runs on
//! a real sansboto client and, where botocore can run it against the same kind of servers, on
//! botocore 1.44.5 too: both must send the same requests to the same places. The expiry of
//! discovered endpoints is checked on the call machine itself, with the time passed in.

mod e2e_support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use e2e_support::{blocking_session, core_session, Action, ScriptServer, Seen};
use sansboto_core::client::CallIdentity;
use sansboto_core::endpoint::discovery::{DiscoveryError, DiscoverySetting};
use sansboto_core::machine::{SplitMix64, Step};
use sansboto_core::params;
use sansboto_core::Body;
use sansboto_core::Error;
use sansboto_tests::botocore;

/// What a request looked like, as the servers compare them: the operation (`X-Amz-Target`),
/// the path, and the host it was addressed and signed for.
fn summary(seen: &[Seen]) -> Vec<(String, String, String, bool)> {
    seen.iter()
        .map(|s| {
            let target = s.header("x-amz-target").unwrap_or_default();
            let operation = target.rsplit('.').next().unwrap_or_default().to_string();
            let host = s.header("host").unwrap_or_default().to_string();
            let host_signed = s
                .header("authorization")
                .is_some_and(|a| a.contains("SignedHeaders=") && a.contains("host"));
            (operation, s.path.clone(), host, host_signed)
        })
        .collect()
}

fn operation(s: &Seen) -> &str {
    s.header("x-amz-target")
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or_default()
}

/// The regional endpoint: answers the discovery operation with `cell` (cached `minutes`),
/// and anything else with an error that says it should have gone to the cell.
fn regional(cell: String, minutes: u32) -> ScriptServer {
    ScriptServer::start(move |seen, _| {
        if operation(seen) == "DescribeEndpoints" {
            Action::json(
                200,
                &format!(
                    r#"{{"Endpoints":[{{"Address":"{cell}","CachePeriodInMinutes":{minutes}}}]}}"#
                ),
            )
        } else {
            Action::json(
                400,
                r#"{"__type":"ValidationException","message":"wrong host"}"#,
            )
        }
    })
}

/// The discovered cell: answers `ListDatabases`/`ListTables`, rejecting the first request with
/// `rejection` when given.
fn cell(rejection: Option<(u16, &'static str)>) -> ScriptServer {
    ScriptServer::start(move |seen, index| match (index, rejection) {
        (0, Some((status, body))) => Action::json(status, body),
        _ if operation(seen) == "ListTables" => Action::json(200, r#"{"TableNames":["t"]}"#),
        _ => Action::json(200, r#"{"Databases":[]}"#),
    })
}

/// Run `calls` calls of `op` on botocore with the environment `env` (credentials are fixed);
/// the client's `Config` gets `config`.
fn botocore_calls(service: &str, op: &str, calls: usize, config: &str, env: &[(&str, &str)]) {
    let snippet = format!(
        r#"
from botocore.config import Config
client = session.create_client({service:?}, region_name='us-east-1', aws_access_key_id='AKID',
    aws_secret_access_key='SECRET', config=Config({config}))
for _ in range({calls}):
    getattr(client, botocore.xform_name({op:?}))()
emit('ok')
"#
    );
    assert_eq!(botocore::run(&snippet, env), "ok");
}

fn sansboto_calls(
    service: &str,
    op: &str,
    calls: usize,
    setting: Option<DiscoverySetting>,
    env: &[(&str, &str)],
) -> Vec<sansboto_core::Value> {
    let mut builder = blocking_session(core_session(env, None, None))
        .client(service)
        .region("us-east-1")
        .credentials("AKID", "SECRET", None);
    if let Some(setting) = setting {
        builder = builder.endpoint_discovery(setting);
    }
    let client = builder.build().unwrap();
    (0..calls)
        .map(|_| client.call(op, params! {}).unwrap())
        .collect()
}

/// The requests each implementation sent to the regional endpoint and to the cell.
struct Run {
    regional: Vec<(String, String, String, bool)>,
    cell: Vec<(String, String, String, bool)>,
}

fn run_both(
    rejection: Option<(u16, &'static str)>,
    minutes: u32,
    run: impl Fn(&[(&str, &str)], bool),
) -> (Run, Run) {
    let mut runs = Vec::new();
    for botocore_side in [true, false] {
        let cell = cell(rejection);
        let regional = regional(format!("{}/cell", cell.url()), minutes);
        let url = regional.url();
        run(&[("AWS_ENDPOINT_URL", url.as_str())], botocore_side);
        // The cell's Host is its own address: the port keeps the two servers apart.
        let cell_host = cell.url().trim_start_matches("http://").to_string();
        let cell_seen = summary(&cell.seen());
        assert!(cell_seen
            .iter()
            .all(|(_, path, host, signed)| path == "/cell" && *host == cell_host && *signed));
        runs.push(Run {
            regional: summary(&regional.seen()),
            cell: cell_seen,
        });
    }
    let sansboto = runs.pop().unwrap();
    let botocore = runs.pop().unwrap();
    (botocore, sansboto)
}

fn count(requests: &[(String, String, String, bool)], op: &str) -> usize {
    requests.iter().filter(|r| r.0 == op).count()
}

#[test]
fn timestream_write_discovers_once_for_two_calls_as_botocore_does() {
    let (botocore, sansboto) = run_both(None, 1440, |env, botocore_side| {
        if botocore_side {
            botocore_calls("timestream-write", "ListDatabases", 2, "", env);
        } else {
            sansboto_calls("timestream-write", "ListDatabases", 2, None, env);
        }
    });
    assert_eq!(count(&sansboto.regional, "DescribeEndpoints"), 1);
    assert_eq!(sansboto.regional.len(), 1);
    assert_eq!(count(&sansboto.cell, "ListDatabases"), 2);
    // The same operations to the same paths (hosts differ only by the servers' ports).
    let shape = |requests: &[(String, String, String, bool)]| {
        requests
            .iter()
            .map(|r| (r.0.clone(), r.1.clone(), r.3))
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(&sansboto.regional), shape(&botocore.regional));
    assert_eq!(shape(&sansboto.cell), shape(&botocore.cell));
}

#[test]
fn an_endpoint_cached_for_zero_minutes_is_discovered_again_for_each_call() {
    let (botocore, sansboto) = run_both(None, 0, |env, botocore_side| {
        if botocore_side {
            botocore_calls("timestream-write", "ListDatabases", 2, "", env);
        } else {
            sansboto_calls("timestream-write", "ListDatabases", 2, None, env);
        }
    });
    assert_eq!(count(&sansboto.regional, "DescribeEndpoints"), 2);
    assert_eq!(count(&botocore.regional, "DescribeEndpoints"), 2);
    assert_eq!(count(&sansboto.cell, "ListDatabases"), 2);
}

#[test]
fn a_rejected_endpoint_is_forgotten_and_the_call_retried_once() {
    for rejection in [
        (
            400,
            r#"{"__type":"InvalidEndpointException","message":"moved"}"#,
        ),
        (
            421,
            r#"{"__type":"ValidationException","message":"misdirected"}"#,
        ),
    ] {
        let (botocore, sansboto) = run_both(Some(rejection), 1440, |env, botocore_side| {
            if botocore_side {
                botocore_calls("timestream-write", "ListDatabases", 1, "", env);
            } else {
                let results = sansboto_calls("timestream-write", "ListDatabases", 1, None, env);
                assert_eq!(
                    results[0]["ResponseMetadata"]["RetryAttempts"].as_i64(),
                    Some(1)
                );
            }
        });
        // Discovered, rejected, discovered again, retried once.
        assert_eq!(
            count(&sansboto.regional, "DescribeEndpoints"),
            2,
            "{rejection:?}"
        );
        assert_eq!(count(&sansboto.cell, "ListDatabases"), 2, "{rejection:?}");
        assert_eq!(
            sansboto.regional.len(),
            botocore.regional.len(),
            "{rejection:?}"
        );
        assert_eq!(sansboto.cell.len(), botocore.cell.len(), "{rejection:?}");
    }
}

#[test]
fn dynamodb_discovers_only_when_enabled() {
    // Not enabled: no DescribeEndpoints, the call goes to the configured endpoint.
    let cell_server = cell(None);
    let regional_server = ScriptServer::start(|seen, _| match operation(seen) {
        "ListTables" => Action::json(200, r#"{"TableNames":[]}"#),
        _ => Action::json(400, r#"{"__type":"UnknownOperationException"}"#),
    });
    let url = regional_server.url();
    sansboto_calls(
        "dynamodb",
        "ListTables",
        2,
        None,
        &[("AWS_ENDPOINT_URL", &url)],
    );
    botocore_calls(
        "dynamodb",
        "ListTables",
        2,
        "",
        &[("AWS_ENDPOINT_URL", &url)],
    );
    let seen = summary(&regional_server.seen());
    assert_eq!(seen.len(), 4);
    assert_eq!(count(&seen, "ListTables"), 4);
    assert!(cell_server.seen().is_empty());
    drop((cell_server, regional_server));

    // Enabled by the environment, by the client option (and botocore's Config).
    let env_enabled = |env: &[(&str, &str)]| {
        let mut env = env.to_vec();
        env.push(("AWS_ENDPOINT_DISCOVERY_ENABLED", "true"));
        env.into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    let (botocore, sansboto) = run_both(None, 1440, |env, botocore_side| {
        let env = env_enabled(env);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        if botocore_side {
            botocore_calls("dynamodb", "ListTables", 2, "", &env);
        } else {
            let out = sansboto_calls("dynamodb", "ListTables", 2, None, &env);
            assert_eq!(out[1]["TableNames"].as_list().map(<[_]>::len), Some(1));
        }
    });
    assert_eq!(count(&sansboto.regional, "DescribeEndpoints"), 1);
    assert_eq!(count(&sansboto.cell, "ListTables"), 2);
    assert_eq!(botocore.regional.len(), 1);
    assert_eq!(botocore.cell.len(), 2);

    let (botocore, sansboto) = run_both(None, 1440, |env, botocore_side| {
        if botocore_side {
            botocore_calls(
                "dynamodb",
                "ListTables",
                1,
                "endpoint_discovery_enabled=True",
                env,
            );
        } else {
            sansboto_calls(
                "dynamodb",
                "ListTables",
                1,
                Some(DiscoverySetting::Enabled),
                env,
            );
        }
    });
    assert_eq!(count(&sansboto.regional, "DescribeEndpoints"), 1);
    assert_eq!(sansboto.cell.len(), 1);
    assert_eq!((botocore.regional.len(), botocore.cell.len()), (1, 1));
}

#[test]
fn an_endpoint_url_given_to_the_client_turns_discovery_off() {
    let server = cell(None);
    let client = blocking_session(core_session(&[], None, None))
        .client("timestream-write")
        .region("us-east-1")
        .endpoint_url(format!("{}/custom", server.url()))
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap();
    client.call("ListDatabases", params! {}).unwrap();
    let seen = summary(&server.seen());
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].0.as_str(), seen[0].1.as_str()),
        ("ListDatabases", "/custom")
    );

    // Disabled: an operation that requires discovery is refused before anything is sent.
    let client = blocking_session(core_session(
        &[
            ("AWS_ENDPOINT_URL", &server.url()),
            ("AWS_ENDPOINT_DISCOVERY_ENABLED", "false"),
        ],
        None,
        None,
    ))
    .client("timestream-write")
    .region("us-east-1")
    .credentials("AKID", "SECRET", None)
    .build()
    .unwrap();
    match client.call("ListDatabases", params! {}) {
        Err(Error::EndpointDiscovery(DiscoveryError::Required { operation })) => {
            assert_eq!(operation, "ListDatabases")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.seen().len(), 1);
    let botocore_error = botocore::run(
        r#"
from botocore.config import Config
client = session.create_client('timestream-write', region_name='us-east-1',
    aws_access_key_id='AKID', aws_secret_access_key='SECRET',
    config=Config(endpoint_discovery_enabled=False))
try:
    client.list_databases()
    emit(None)
except Exception as e:
    emit(type(e).__name__)
"#,
        &[],
    );
    assert_eq!(botocore_error, "EndpointDiscoveryRequired");

    // A value that is not a setting fails the client of a service that discovers.
    let made = blocking_session(core_session(
        &[("AWS_ENDPOINT_DISCOVERY_ENABLED", "sometimes")],
        None,
        None,
    ))
    .client("timestream-query")
    .region("us-east-1")
    .build();
    assert!(matches!(
        made,
        Err(Error::EndpointDiscovery(
            DiscoveryError::InvalidSetting { .. }
        ))
    ));
}

/// The call machine driven by hand with the time passed in: the cached endpoint lives
/// `CachePeriodInMinutes`, then the next call discovers again.
#[test]
fn the_cached_endpoint_expires_after_its_period() {
    let session = core_session(&[], None, None);
    let options = sansboto_core::session::ClientOptions {
        region: Some("us-east-1".into()),
        ..Default::default()
    };
    let client = session
        .service_client("timestream-query", &options)
        .unwrap();
    let identity = CallIdentity::Credentials(sansboto_core::auth::Credentials::new(
        "AKID", "SECRET", None, None,
    ));
    let t0 = UNIX_EPOCH + Duration::from_secs(1_750_000_000);
    let respond = |body: &str| {
        Ok(http::Response::builder()
            .status(200)
            .body(Body::from(bytes::Bytes::from(body.to_string())))
            .unwrap())
    };
    // One call at `now`: returns the hosts its requests went to, in order.
    let call = |now: SystemTime| -> Vec<String> {
        let mut machine = client
            .call_at(
                "ListScheduledQueries",
                params! {},
                identity.clone(),
                Box::new(SplitMix64(1)),
                now,
            )
            .unwrap();
        let mut hosts = Vec::new();
        loop {
            match machine.poll(now) {
                Step::Send(req) => {
                    let target = req.headers()["x-amz-target"].to_str().unwrap().to_string();
                    hosts.push(format!("{} {}", target, req.uri().host().unwrap()));
                    let answer = if target.ends_with("DescribeEndpoints") {
                        r#"{"Endpoints":[{"Address":"query-cell2.timestream.us-east-1.amazonaws.com","CachePeriodInMinutes":2}]}"#
                    } else {
                        r#"{"ScheduledQueries":[]}"#
                    };
                    machine.handle_response(respond(answer), now);
                }
                Step::Done(_) => return hosts,
                other => panic!("{other:?}"),
            }
        }
    };
    let discovered = [
        "Timestream_20181101.DescribeEndpoints query.timestream.us-east-1.amazonaws.com",
        "Timestream_20181101.ListScheduledQueries query-cell2.timestream.us-east-1.amazonaws.com",
    ];
    assert_eq!(call(t0), discovered);
    assert_eq!(call(t0 + Duration::from_secs(119)), discovered[1..]);
    assert_eq!(call(t0 + Duration::from_secs(120)), discovered);
}

/// botocore retries a rejected endpoint without bound (checked by hand: eight 421s in a row,
/// eight retries); sansboto stops at the retry policy's attempt limit (3 in standard mode), so
/// a cell that keeps rejecting cannot hold a call forever.
#[test]
fn a_cell_that_keeps_rejecting_ends_the_call_at_the_attempt_limit() {
    let cell = ScriptServer::start(|_, _| {
        Action::json(
            421,
            r#"{"__type":"InvalidEndpointException","message":"gone"}"#,
        )
    });
    let regional = regional(format!("{}/cell", cell.url()), 1440);
    let url = regional.url();
    let client = blocking_session(core_session(&[("AWS_ENDPOINT_URL", &url)], None, None))
        .client("timestream-write")
        .region("us-east-1")
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap();
    let error = client.call("ListDatabases", params! {}).unwrap_err();
    assert_eq!(error.status(), Some(421));
    assert_eq!(error.code(), Some("InvalidEndpointException"));
    assert_eq!(cell.seen().len(), 3);
    assert_eq!(count(&summary(&regional.seen()), "DescribeEndpoints"), 3);
}
