//! Session-level configuration reaches the client: the profile's `ca_bundle`, region and
//! endpoint URL (no network needed).

use std::collections::HashMap;
use std::sync::Arc;

use sansboto_core::runtime::RuntimeSession;
use sansboto_core::session::{Session, SessionInputs};
use sansboto_core::{Error, TransportErrorKind};

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

/// A service name that is no service's is a typed error, with the closest name (botocore's
/// `UnknownServiceError`; a name in another case is the commonest slip).
#[test]
fn an_unknown_service_is_a_typed_error_naming_the_closest() {
    let s = session("[default]\nregion = us-east-1\n", &[]);
    for (given, near) in [
        ("DynamoDB", Some("dynamodb")),
        ("dynamodbb", Some("dynamodb")),
        ("zzzz", None),
    ] {
        match s.client(given).build() {
            Err(Error::UnknownService {
                service,
                suggestion,
            }) => {
                assert_eq!((service.as_str(), suggestion.as_deref()), (given, near));
            }
            other => panic!("{given}: {other:?}"),
        }
    }
    let err = s.client("DynamoDB").build().unwrap_err().to_string();
    assert_eq!(err, "unknown service \"DynamoDB\" (did you mean dynamodb?)");
}

/// A data path holding `files` (relative path → contents), removed when dropped.
struct DataPath(std::path::PathBuf);

impl DataPath {
    fn new(name: &str, files: &[(&str, &[u8])]) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "sansboto-session-config-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (rel, bytes) in files {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        DataPath(dir)
    }
}

impl Drop for DataPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_broken_ruleset_on_the_data_path_fails_the_first_resolution_not_the_build() {
    // Rulesets are read and prepared when a client first resolves an endpoint: making the
    // client succeeds, and every call that needs an endpoint reports the ruleset.
    let data = DataPath::new(
        "ruleset",
        &[("sts/2011-06-15/endpoint-rule-set-1.json", b"{ not json")],
    );
    let loader = sansboto_models::Loader::new().with_data_path(&data.0);
    let core = Session::new(
        SessionInputs {
            env: HashMap::new(),
            config_file: None,
            credentials_file: None,
            profile: None,
            random_seed: 1,
        },
        Arc::new(sansboto_host::BotocoreData(loader)),
    )
    .unwrap();
    let options = sansboto_core::session::ClientOptions {
        region: Some("us-east-1".into()),
        ..Default::default()
    };
    let client = core.service_client("sts", &options).unwrap();
    for _ in 0..2 {
        let mut rng = sansboto_core::machine::SplitMix64(1);
        match client.prepare("GetCallerIdentity", sansboto_core::params! {}, &mut rng) {
            Err(Error::Endpoint(
                e @ sansboto_core::endpoint::EndpointError::InvalidRuleSet { .. },
            )) => {
                assert!(e.to_string().contains("not JSON"), "{e}");
            }
            other => panic!("expected the broken ruleset to be reported, got {other:?}"),
        }
    }
}

#[test]
fn a_data_source_knows_its_files_without_reading_them() {
    // `has_service_file` (which reads no file) agrees with `service_file` (which does), for the
    // embedded data and a data path alike.
    use sansboto_core::session::{DataFile, DataSource};
    let data = DataPath::new(
        "has-file",
        &[(
            "custom-svc/2020-01-01/endpoint-rule-set-1.json",
            br#"{"version": "1.0", "parameters": {}, "rules": []}"#,
        )],
    );
    let sources = [
        sansboto_host::BotocoreData(sansboto_models::Loader::new()),
        sansboto_host::BotocoreData(sansboto_models::Loader::new().with_data_path(&data.0)),
    ];
    let cases: &[(&str, Option<&str>, DataFile)] = &[
        ("s3", None, DataFile::EndpointRuleSet),
        ("s3", Some("2006-03-01"), DataFile::EndpointRuleSet),
        ("s3", Some("1999-01-01"), DataFile::EndpointRuleSet),
        ("s3", Some("../s3"), DataFile::EndpointRuleSet),
        ("ec2", Some("2014-09-01"), DataFile::Waiters),
        ("sts", None, DataFile::ServiceModel),
        ("no-such-service", None, DataFile::EndpointRuleSet),
        ("custom-svc", None, DataFile::EndpointRuleSet),
        ("custom-svc", Some("2020-01-01"), DataFile::EndpointRuleSet),
        ("custom-svc", None, DataFile::ServiceModel),
    ];
    let mut found = 0;
    for source in &sources {
        for &(service, version, file) in cases {
            let read = source.service_file(service, version, file).is_ok();
            assert_eq!(
                source.has_service_file(service, version, file),
                read,
                "{service} {version:?} {file:?}"
            );
            found += usize::from(read);
        }
    }
    // Both answers occur: the cases tell something.
    assert!(found >= 6 && found < 2 * cases.len(), "{found}");
}

#[test]
fn a_session_reads_the_embedded_index_unless_the_data_path_changes_the_model() {
    // The embedded SQS model comes through its index (its text read at the first operation
    // built); a data-path model of the same version, or sdk-extras for it, replaces or changes
    // it, and then the session reads the whole file as before.
    use sansboto_core::session::DataSource;
    const CUSTOM: &[u8] = br#"{"version":"2.0","metadata":{"apiVersion":"2012-11-05","protocol":"json","jsonVersion":"1.0","endpointPrefix":"sqs","serviceId":"SQS","signatureVersion":"v4","targetPrefix":"AmazonSQS"},"operations":{"Ping":{"name":"Ping","http":{"method":"POST","requestUri":"/"},"input":{"shape":"PingInput"}}},"shapes":{"PingInput":{"type":"structure","members":{}}}}"#;
    let session_with = |loader: sansboto_models::Loader| {
        let data = sansboto_host::BotocoreData(loader);
        let indexed = data.service_model_index("sqs", None).is_some();
        let core = Session::new(
            SessionInputs {
                random_seed: 1,
                ..Default::default()
            },
            Arc::new(data),
        )
        .unwrap();
        (core, indexed)
    };

    let (embedded, indexed) = session_with(sansboto_models::Loader::new());
    assert!(indexed);
    let model = embedded.model("sqs", None).unwrap();
    assert!(format!("{model:?}").contains("not read yet"), "{model:?}");
    let op = model.checked_operation("SendMessage").unwrap().unwrap();
    assert_eq!(
        op.input.as_ref().map(|i| i.shape),
        model.shape_id("SendMessageRequest")
    );

    let replaced = DataPath::new("index-model", &[("sqs/2012-11-05/service-2.json", CUSTOM)]);
    let (session, indexed) =
        session_with(sansboto_models::Loader::new().with_data_path(&replaced.0));
    assert!(!indexed);
    let model = session.model("sqs", None).unwrap();
    assert_eq!(model.operation_names().collect::<Vec<_>>(), ["Ping"]);

    let extended = DataPath::new(
        "index-extras",
        &[(
            "sqs/2012-11-05/service-2.sdk-extras.json",
            br#"{"version":1.0,"merge":{"shapes":{"Extra":{"type":"string"}}}}"#,
        )],
    );
    let (session, indexed) =
        session_with(sansboto_models::Loader::new().with_data_path(&extended.0));
    assert!(!indexed);
    let model = session.model("sqs", None).unwrap();
    assert!(model.shape_id("Extra").is_some());
    assert!(model.operation("SendMessage").is_some());
}

/// `credentials()` (botocore's `get_credentials`): keys in the environment are found though the
/// CA bundle cannot be read, as botocore finds them without a connection; a role profile's STS
/// call fails, saying why. A profile that does not exist is the same `Error::Config` whichever
/// setting finds it first.
#[test]
fn session_credentials_need_a_connection_only_to_send() {
    let keys = [
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "SECRET"),
        ("AWS_CA_BUNDLE", "/nonexistent/sansboto-ca.pem"),
    ];
    let s = session("[default]\nregion = eu-west-1\n", &keys);
    let found = s.credentials().unwrap().expect("the environment's keys");
    assert_eq!(found.access_key_id(), "AKIDENV");
    assert_eq!(
        found.provider(),
        Some(sansboto_core::credentials::ProviderKind::Environment)
    );
    let role = "[default]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/r\n\
                source_profile = base\n[profile base]\naws_access_key_id = AKIDBASE\n\
                aws_secret_access_key = SECRET\n";
    match session(role, &keys[2..]).credentials() {
        Err(Error::Credentials(e)) => {
            assert!(e.to_string().contains("sansboto-ca.pem"), "{e}");
        }
        other => panic!("expected the STS call to fail on the CA bundle, got {other:?}"),
    }
    for env in [
        &[("AWS_PROFILE", "nope")][..],
        &[("AWS_PROFILE", "nope"), ("BOTOCORE_TCP_KEEPALIVE", "true")][..],
    ] {
        match session("[default]\n", env).credentials() {
            Err(Error::Config(sansboto_core::config::ConfigError::ProfileNotFound { profile })) => {
                assert_eq!(profile, "nope")
            }
            other => panic!("{env:?}: expected ProfileNotFound, got {other:?}"),
        }
    }
}
