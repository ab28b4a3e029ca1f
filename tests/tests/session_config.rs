//! Session-level configuration reaches the client: the profile's `ca_bundle`, region and
//! endpoint URL (no network needed).

use std::collections::HashMap;
use std::sync::Arc;

use sansboto_core::error::{Error, TransportErrorKind};
use sansboto_core::runtime::RuntimeSession;
use sansboto_core::session::{Session, SessionInputs};

fn session(config: &str, env: &[(&str, &str)]) -> RuntimeSession<sansboto_blocking::HttpClient> {
    let inputs = SessionInputs {
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<HashMap<_, _>>(),
        config_file: Some(config.as_bytes().to_vec()),
        credentials_file: None,
        profile: None,
        random_seed: 1,
    };
    let core = Session::new(
        inputs,
        Arc::new(sansboto_host::BotocoreData(sansboto_models::Loader::new())),
    )
    .map(Arc::new);
    RuntimeSession::from_core(core)
}

#[test]
fn profile_ca_bundle_is_used_for_tls() {
    let s = session(
        "[default]\nregion = eu-west-1\nca_bundle = /nonexistent/sansboto-ca.pem\n",
        &[],
    );
    match s.client("s3").build() {
        Err(Error::Transport(e)) => {
            assert_eq!(e.kind, TransportErrorKind::Tls);
            assert!(e.to_string().contains("sansboto-ca.pem"), "{e}");
        }
        other => panic!("expected the missing CA bundle to be reported, got {other:?}"),
    }
}

#[test]
fn profile_region_and_environment_endpoint_reach_the_client() {
    let s = session(
        "[default]\nregion = eu-west-1\n",
        &[("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")],
    );
    let client = s.client("dynamodb").build().unwrap();
    assert_eq!(
        client.core().config().endpoint.region.as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(
        client.core().config().endpoint.endpoint_url.as_deref(),
        Some("http://127.0.0.1:9")
    );
    let s = session(
        "[default]\n",
        &[
            ("AWS_REGION", "ap-south-1"),
            ("AWS_DEFAULT_REGION", "us-east-2"),
        ],
    );
    let client = s.client("sqs").build().unwrap();
    assert_eq!(
        client.core().config().endpoint.region.as_deref(),
        Some("ap-south-1"),
        "AWS_REGION wins"
    );
}

#[test]
fn a_named_profile_that_does_not_exist_is_an_error() {
    let inputs = SessionInputs {
        env: HashMap::from([("AWS_PROFILE".to_string(), "nope".to_string())]),
        config_file: Some(b"[default]\nregion = eu-west-1\n".to_vec()),
        ..Default::default()
    };
    let core = Session::new(
        inputs,
        Arc::new(sansboto_host::BotocoreData(sansboto_models::Loader::new())),
    )
    .map(Arc::new);
    let err = RuntimeSession::<sansboto_blocking::HttpClient>::from_core(core)
        .client("s3")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
}
