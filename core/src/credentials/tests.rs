//! Drives [`CredentialChain`] with scripted files, processes and HTTP answers and a fixed clock.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use super::*;
use crate::config::{ConfigFile, SharedConfig};
use crate::error::transport::{TransportError, TransportErrorKind};
use crate::machine::{Machine, ProcessOutput, RequestTimeout, Step};

const NOW_SECS: u64 = 1_700_000_000;

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS)
}

fn iso(offset_secs: i64) -> String {
    crate::time::Timestamp::from_secs(NOW_SECS as i64 + offset_secs).to_iso8601()
}

fn shared(config: &str, credentials: &str) -> Arc<SharedConfig> {
    let config = ConfigFile::parse(config).unwrap();
    let credentials = ConfigFile::parse(credentials).unwrap();
    Arc::new(SharedConfig::new(Some(&config), Some(&credentials)))
}

type HttpHandler =
    Box<dyn FnMut(&http::Request<Body>) -> Result<http::Response<Bytes>, TransportError>>;
type ProcessHandler = Box<dyn FnMut(&str) -> io::Result<ProcessOutput>>;

/// The outside world, scripted.
struct World {
    files: HashMap<PathBuf, String>,
    http: HttpHandler,
    process: ProcessHandler,
    /// What the machine asked for, in order (`PUT url`, `READ path`, `RUN cmd`, `SLEEP 1s`).
    log: Vec<String>,
    /// Header values of each request sent, in order.
    headers: Vec<http::HeaderMap>,
    timeouts: Vec<Option<Duration>>,
    bodies: Vec<Bytes>,
    /// Whether reads of `/etc/boto.cfg` and `~/.boto` go into `log`.
    log_boto_defaults: bool,
}

impl World {
    fn new() -> Self {
        World {
            files: HashMap::new(),
            http: Box::new(|_| {
                Err(TransportError::new(
                    TransportErrorKind::Connect,
                    "connection refused",
                ))
            }),
            process: Box::new(|_| Err(io::Error::new(io::ErrorKind::NotFound, "no such program"))),
            log: Vec::new(),
            headers: Vec::new(),
            timeouts: Vec::new(),
            bodies: Vec::new(),
            log_boto_defaults: false,
        }
    }

    fn file(mut self, path: &str, text: &str) -> Self {
        self.files.insert(PathBuf::from(path), text.to_string());
        self
    }

    fn http(
        mut self,
        f: impl FnMut(&http::Request<Body>) -> Result<http::Response<Bytes>, TransportError> + 'static,
    ) -> Self {
        self.http = Box::new(f);
        self
    }

    fn run(&mut self, chain: &mut CredentialChain) -> Result<Credentials, CredentialsError> {
        let mut clock = now();
        for _ in 0..200 {
            match chain.poll(clock) {
                Step::Send(request) => {
                    self.log
                        .push(format!("{} {}", request.method(), request.uri()));
                    self.headers.push(request.headers().clone());
                    self.timeouts
                        .push(request.extensions().get::<RequestTimeout>().map(|t| t.0));
                    self.bodies.push(Bytes::copy_from_slice(
                        request.body().as_bytes().unwrap_or_default(),
                    ));
                    let answer = (self.http)(&request);
                    chain.handle_response(answer);
                }
                Step::ReadFile(path) => {
                    // boto2's default configs are looked for on every chain that gets that far;
                    // the tests of that provider log them, the others leave them out.
                    if !self.log_boto_defaults
                        && (path == std::path::Path::new("/etc/boto.cfg")
                            || path.ends_with(".boto"))
                    {
                        chain.handle_file(
                            self.files
                                .get(&path)
                                .map(|t| Bytes::from(t.clone()))
                                .ok_or_else(|| {
                                    io::Error::new(io::ErrorKind::NotFound, "not found")
                                }),
                        );
                        continue;
                    }
                    self.log.push(format!("READ {}", path.display()));
                    let answer = match self.files.get(&path) {
                        Some(text) => Ok(Bytes::from(text.clone())),
                        None => Err(io::Error::new(io::ErrorKind::NotFound, "not found")),
                    };
                    chain.handle_file(answer);
                }
                Step::WriteFile(path, contents) => {
                    self.log.push(format!("WRITE {}", path.display()));
                    let text = String::from_utf8_lossy(&contents).into_owned();
                    self.files.insert(path, text);
                    chain.handle_written(Ok(()));
                }
                Step::RunProcess(command) => {
                    self.log.push(format!("RUN {command}"));
                    let answer = (self.process)(&command);
                    chain.handle_process(answer);
                }
                Step::AskMfaCode(prompt) => {
                    self.log.push(format!("ASK MFA {}", prompt.serial()));
                    chain.handle_mfa_code(prompt.ask());
                }
                Step::Sleep(d) => {
                    self.log.push(format!("SLEEP {}s", d.as_secs()));
                    clock += d;
                }
                Step::Done(creds) => return Ok(creds),
                Step::Failed(error) => return Err(error),
            }
        }
        panic!("the machine did not finish");
    }
}

fn response(status: u16, body: &str) -> Result<http::Response<Bytes>, TransportError> {
    Ok(http::Response::builder()
        .status(status)
        .body(Bytes::from(body.to_string()))
        .unwrap())
}

fn no_imds() -> ChainOptions {
    ChainOptions {
        imds_disabled: true,
        ..Default::default()
    }
}

fn chain(
    env: &[(&str, &str)],
    shared: Arc<SharedConfig>,
    options: ChainOptions,
) -> CredentialChain {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    CredentialChain::new(&env, shared, options)
}

/// An `ApiCaller` double: STS requests go to `https://sts.test/<operation>` carrying the params
/// as JSON and the signer's access key in a header.
struct FakeSts;

impl ApiCaller for FakeSts {
    fn build(
        &self,
        service: &str,
        operation: &str,
        params: &Value,
        credentials: Option<&Credentials>,
        _now: SystemTime,
    ) -> Result<http::Request<Body>, crate::Error> {
        assert_eq!(service, "sts");
        http::Request::post(format!("https://sts.test/{operation}"))
            .header(
                "x-signed-by",
                credentials.map_or("unsigned", |c| c.access_key_id()),
            )
            .body(Body::from(params.to_json().to_string()))
            .map_err(|e| unreachable!("{e}"))
    }

    fn parse(
        &self,
        _service: &str,
        _operation: &str,
        response: http::Response<Bytes>,
    ) -> Result<Value, ApiCallError> {
        let json: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        if response.status() != 200 {
            return Err(ApiCallError {
                code: json["code"].as_str().unwrap_or("?").to_string(),
                message: json["message"].as_str().unwrap_or("").to_string(),
                status: Some(response.status().as_u16()),
            });
        }
        Ok(Value::from(json))
    }
}

/// The STS side of [`FakeSts`]: returns credentials whose access key names the role and
/// the signer, so tests see the order of calls.
fn sts_server(request: &http::Request<Body>) -> Result<http::Response<Bytes>, TransportError> {
    let params: serde_json::Value =
        serde_json::from_slice(request.body().as_bytes().unwrap()).unwrap();
    let signer = request.headers()["x-signed-by"].to_str().unwrap();
    let role = params["RoleArn"].as_str().unwrap();
    let body = serde_json::json!({
        "Credentials": {
            "AccessKeyId": format!("{role}<-{signer}"),
            "SecretAccessKey": "sts-secret",
            "SessionToken": "sts-token",
            "Expiration": iso(3600),
        }
    });
    response(200, &body.to_string())
}

fn with_sts(mut options: ChainOptions) -> ChainOptions {
    options.api = Some(Arc::new(FakeSts));
    options
}

// ---------------------------------------------------------------- environment and explicit

#[test]
fn env_credentials_with_token_and_expiry() {
    let mut c = chain(
        &[
            ("AWS_ACCESS_KEY_ID", "AKENV"),
            ("AWS_SECRET_ACCESS_KEY", "env-secret"),
            ("AWS_SESSION_TOKEN", "session"),
            ("AWS_SECURITY_TOKEN", "legacy"),
            ("AWS_CREDENTIAL_EXPIRATION", "2030-01-02T03:04:05Z"),
        ],
        shared("", ""),
        no_imds(),
    );
    let creds = World::new().run(&mut c).unwrap();
    assert_eq!(creds.access_key_id(), "AKENV");
    assert_eq!(creds.secret_access_key(), "env-secret");
    // botocore reads the legacy name first.
    assert_eq!(creds.session_token(), Some("legacy"));
    assert_eq!(
        creds.expiry(),
        Some(
            crate::time::Timestamp::parse_iso8601("2030-01-02T03:04:05Z")
                .unwrap()
                .to_system_time()
        )
    );
    assert_eq!(c.provider(), Some(ProviderKind::Environment));
}

#[test]
fn env_partial_and_bad_expiry_are_errors() {
    let mut c = chain(&[("AWS_ACCESS_KEY_ID", "AK")], shared("", ""), no_imds());
    let err = World::new().run(&mut c).unwrap_err();
    assert!(
        matches!(&err, CredentialsError::Partial { missing, .. } if missing == "AWS_SECRET_ACCESS_KEY")
    );
    let mut c = chain(
        &[
            ("AWS_ACCESS_KEY_ID", "AK"),
            ("AWS_SECRET_ACCESS_KEY", "very-secret"),
            ("AWS_CREDENTIAL_EXPIRATION", "tomorrow"),
        ],
        shared("", ""),
        no_imds(),
    );
    let err = World::new().run(&mut c).unwrap_err();
    assert!(
        err.to_string().contains("AWS_CREDENTIAL_EXPIRATION"),
        "{err}"
    );
    assert!(!err.to_string().contains("very-secret"));
}

#[test]
fn explicit_credentials_win_and_explicit_profile_skips_env() {
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKENV"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
    ];
    let mut c = chain(
        &env,
        shared("", ""),
        ChainOptions {
            explicit: Some(Credentials::new("AKX", "sx", None, None)),
            ..no_imds()
        },
    );
    assert_eq!(World::new().run(&mut c).unwrap().access_key_id(), "AKX");
    assert_eq!(c.provider(), Some(ProviderKind::Explicit));

    let files = shared(
        "",
        "[dev]\naws_access_key_id = AKDEV\naws_secret_access_key = sdev\n",
    );
    let mut c = chain(
        &env,
        files,
        ChainOptions {
            profile: Some("dev".into()),
            ..no_imds()
        },
    );
    assert_eq!(World::new().run(&mut c).unwrap().access_key_id(), "AKDEV");
}

// ---------------------------------------------------------------- shared files

#[test]
fn shared_files_and_profile_selection() {
    let config = "[default]\naws_access_key_id = AKCFG\naws_secret_access_key = s1\n\
                  [profile work]\naws_access_key_id = AKWORKCFG\naws_secret_access_key = s2\n";
    let creds =
        "[work]\naws_access_key_id = AKWORK\naws_secret_access_key = s3\naws_session_token = tok\n";
    let mut c = chain(&[], shared(config, creds), no_imds());
    assert_eq!(World::new().run(&mut c).unwrap().access_key_id(), "AKCFG");
    assert_eq!(c.provider(), Some(ProviderKind::SharedCredentialsFile));

    let mut c = chain(&[("AWS_PROFILE", "work")], shared(config, creds), no_imds());
    let found = World::new().run(&mut c).unwrap();
    assert_eq!(found.access_key_id(), "AKWORK");
    assert_eq!(found.session_token(), Some("tok"));

    // With the credentials file given on its own, keys only in the config file come from the
    // config-file provider, after credential_process, as in botocore.
    let config_file = ConfigFile::parse(config).unwrap();
    let creds_file = ConfigFile::parse("").unwrap();
    let merged = Arc::new(SharedConfig::new(Some(&config_file), Some(&creds_file)));
    let mut c = chain(
        &[],
        merged,
        ChainOptions {
            credentials_file: Some(Arc::new(creds_file)),
            ..no_imds()
        },
    );
    World::new().run(&mut c).unwrap();
    assert_eq!(c.provider(), Some(ProviderKind::ConfigFile));
}

#[test]
fn config_file_keys_never_mix_with_the_credentials_file() {
    // The credentials file's `[a]` has a secret but no key id, so its provider passes; the
    // config-file provider reads the config file's own profile whole, as botocore's does,
    // not the merged one (which would pair CFG_a with CRED_a_SECRET).
    let config = "[profile a]\naws_access_key_id = CFG_a\naws_secret_access_key = CFG_a_SECRET\n";
    let credentials = "[a]\naws_secret_access_key = CRED_a_SECRET\n";
    let config_file = ConfigFile::parse(config).unwrap();
    let creds_file = ConfigFile::parse(credentials).unwrap();
    let merged = Arc::new(SharedConfig::new(Some(&config_file), Some(&creds_file)));
    let mut c = chain(
        &[("AWS_PROFILE", "a")],
        merged,
        ChainOptions {
            credentials_file: Some(Arc::new(creds_file)),
            config_file: Some(Arc::new(config_file)),
            ..no_imds()
        },
    );
    let creds = World::new().run(&mut c).unwrap();
    assert_eq!(c.provider(), Some(ProviderKind::ConfigFile));
    assert_eq!(
        (creds.access_key_id(), creds.secret_access_key()),
        ("CFG_a", "CFG_a_SECRET")
    );
}

#[test]
fn missing_named_profile_is_an_error() {
    let mut c = chain(&[("AWS_PROFILE", "nope")], shared("", ""), no_imds());
    let err = World::new().run(&mut c).unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
}

#[test]
fn partial_file_credentials_are_an_error() {
    let mut c = chain(
        &[],
        shared("", "[default]\naws_access_key_id = AK\n"),
        no_imds(),
    );
    assert!(matches!(
        World::new().run(&mut c).unwrap_err(),
        CredentialsError::Partial {
            provider: ProviderKind::SharedCredentialsFile,
            ..
        }
    ));
}

#[test]
fn not_found_lists_every_provider_and_reason() {
    let mut c = chain(&[], shared("", ""), ChainOptions::default());
    let mut world = World::new();
    let err = world.run(&mut c).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("no credentials found; tried: "), "{text}");
    for part in [
        "env (AWS_ACCESS_KEY_ID not set)",
        "assume-role (no profile default)",
        "shared-credentials-file (no profile default)",
        "login (no login_session in profile default)",
        "ec2-credentials-file (AWS_CREDENTIAL_FILE not set)",
        "boto-config (no aws_access_key_id in a [Credentials] section of a boto config)",
        "container-role (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set)",
        "iam-role (could not connect: connection refused)",
    ] {
        assert!(text.contains(part), "{part} missing from {text}");
    }
    let CredentialsError::NotFound { tried } = err else {
        panic!()
    };
    assert_eq!(tried.len(), 13);
    // IMDS: the token PUT failed to connect (no v2), then the v1 role GET did too.
    assert_eq!(
        world.log,
        [
            "PUT http://169.254.169.254/latest/api/token",
            "GET http://169.254.169.254/latest/meta-data/iam/security-credentials/"
        ]
    );
}

// ---------------------------------------------------------------- assume role

const ROLE_CHAIN: &str = "\
[profile top]
role_arn = arn:aws:iam::1:role/top
source_profile = middle
external_id = ext-1
role_session_name = sess
duration_seconds = 1800
[profile middle]
role_arn = arn:aws:iam::1:role/middle
source_profile = base
[profile base]
aws_access_key_id = AKBASE
aws_secret_access_key = base-secret
";

#[test]
fn assume_role_chain_through_source_profiles() {
    let mut c = chain(
        &[("AWS_PROFILE", "top")],
        shared(ROLE_CHAIN, ""),
        with_sts(no_imds()),
    );
    let mut world = World::new().http(sts_server);
    let creds = world.run(&mut c).unwrap();
    // Inner role first, signed with the base keys; then the outer role with its result.
    assert_eq!(
        creds.access_key_id(),
        "arn:aws:iam::1:role/top<-arn:aws:iam::1:role/middle<-AKBASE"
    );
    assert_eq!(creds.expiry(), Some(now() + Duration::from_secs(3600)));
    assert_eq!(
        world.log,
        [
            "POST https://sts.test/AssumeRole",
            "POST https://sts.test/AssumeRole"
        ]
    );
    let inner: serde_json::Value = serde_json::from_slice(&world.bodies[0]).unwrap();
    assert_eq!(
        inner["RoleSessionName"],
        format!("botocore-session-{NOW_SECS}")
    );
    assert!(inner.get("ExternalId").is_none());
    let outer: serde_json::Value = serde_json::from_slice(&world.bodies[1]).unwrap();
    assert_eq!(outer["ExternalId"], "ext-1");
    assert_eq!(outer["RoleSessionName"], "sess");
    assert_eq!(outer["DurationSeconds"], 1800);
    assert_eq!(c.provider(), Some(ProviderKind::AssumeRole));
}

#[test]
fn assume_role_cycle_is_detected() {
    let config = "[profile a]\nrole_arn = arn:a\nsource_profile = b\n\
                  [profile b]\nrole_arn = arn:b\nsource_profile = a\n";
    let mut c = chain(
        &[("AWS_PROFILE", "a")],
        shared(config, ""),
        with_sts(no_imds()),
    );
    let err = World::new().http(sts_server).run(&mut c).unwrap_err();
    match err {
        CredentialsError::InfiniteLoop {
            source_profile,
            visited,
        } => {
            assert_eq!(source_profile, "a");
            assert_eq!(visited, ["a", "b"]);
        }
        other => panic!("expected a loop error, got {other}"),
    }
    // A profile may name itself when it has static keys beside its role.
    let config = "[profile self]\nrole_arn = arn:self\nsource_profile = self\n\
                  aws_access_key_id = AKSELF\naws_secret_access_key = s\n";
    let mut c = chain(
        &[("AWS_PROFILE", "self")],
        shared(config, ""),
        with_sts(no_imds()),
    );
    let creds = World::new().http(sts_server).run(&mut c).unwrap();
    assert_eq!(creds.access_key_id(), "arn:self<-AKSELF");
    // …but not without them.
    let config = "[profile self]\nrole_arn = arn:self\nsource_profile = self\n";
    let mut c = chain(
        &[("AWS_PROFILE", "self")],
        shared(config, ""),
        with_sts(no_imds()),
    );
    assert!(matches!(
        World::new().run(&mut c).unwrap_err(),
        CredentialsError::InfiniteLoop { .. }
    ));
}

#[test]
fn assume_role_config_errors() {
    let cases = [
        (
            "[profile p]\nrole_arn = r\n",
            "source_profile or credential_source",
        ),
        (
            "[profile p]\nrole_arn = r\nsource_profile = p2\ncredential_source = Environment\n",
            "both source_profile and credential_source",
        ),
        (
            "[profile p]\nrole_arn = r\ncredential_source = environment\n",
            "is not valid",
        ),
        (
            "[profile p]\nrole_arn = r\nsource_profile = gone\n",
            "does not exist",
        ),
        (
            "[profile p]\nrole_arn = r\nsource_profile = empty\n[profile empty]\nregion = x\n",
            "must have credentials",
        ),
    ];
    for (config, expected) in cases {
        let mut c = chain(
            &[("AWS_PROFILE", "p")],
            shared(config, ""),
            with_sts(no_imds()),
        );
        let err = World::new().http(sts_server).run(&mut c).unwrap_err();
        assert!(err.to_string().contains(expected), "{config}: {err}");
    }
}

#[test]
fn assume_role_from_credential_source_environment_with_mfa() {
    let config =
        "[profile p]\nrole_arn = arn:r\ncredential_source = Environment\nmfa_serial = arn:mfa\n";
    let prompts = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = prompts.clone();
    let options = ChainOptions {
        profile: Some("p".into()),
        mfa: Some(Arc::new(move |serial: &str| {
            seen.lock().unwrap().push(serial.to_string());
            Ok("123456".to_string())
        })),
        ..with_sts(no_imds())
    };
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKENV"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
    ];
    let mut c = chain(&env, shared(config, ""), options);
    let mut world = World::new().http(sts_server);
    // The explicit profile skips the env provider, but credential_source still reads it.
    assert_eq!(world.run(&mut c).unwrap().access_key_id(), "arn:r<-AKENV");
    let params: serde_json::Value = serde_json::from_slice(&world.bodies[0]).unwrap();
    assert_eq!(params["SerialNumber"], "arn:mfa");
    assert_eq!(params["TokenCode"], "123456");
    assert_eq!(*prompts.lock().unwrap(), ["arn:mfa"]);
    // The code is asked for as a step the driver answers (the prompt may wait on a person),
    // before the AssumeRole call that carries it.
    let asked = world.log.iter().position(|l| l == "ASK MFA arn:mfa");
    let sent = world.log.iter().position(|l| l.starts_with("POST "));
    assert!(asked.is_some() && asked < sent, "{:?}", world.log);

    // A prompt that has no code fails the role, saying why.
    let options = ChainOptions {
        profile: Some("p".into()),
        mfa: Some(Arc::new(|_: &str| Err("no terminal".to_string()))),
        ..with_sts(no_imds())
    };
    let mut c = chain(&env, shared(config, ""), options);
    let err = World::new().http(sts_server).run(&mut c).unwrap_err();
    assert!(
        err.to_string()
            .contains("no MFA code for arn:mfa: no terminal"),
        "{err}"
    );

    // Without a callback, an MFA profile is an error; so is an empty credential source.
    let options = ChainOptions {
        profile: Some("p".into()),
        ..with_sts(no_imds())
    };
    let mut c = chain(&env, shared(config, ""), options);
    let err = World::new().run(&mut c).unwrap_err();
    assert!(err.to_string().contains("MFA callback"), "{err}");
    let mut c = chain(
        &[("AWS_PROFILE", "p")],
        shared(config, ""),
        with_sts(no_imds()),
    );
    let err = World::new().run(&mut c).unwrap_err();
    assert!(
        err.to_string()
            .contains("no credentials found in credential_source"),
        "{err}"
    );
}

/// A chain of two roles with MFA devices: each role's code is asked for with its own serial
/// and sent in its own `AssumeRole`, the inner role first.
#[test]
fn each_role_of_a_chain_gets_its_own_mfa_code() {
    let config = "[profile outer]\nrole_arn = arn:outer\nsource_profile = inner\n\
                  mfa_serial = arn:mfa/outer\n\
                  [profile inner]\nrole_arn = arn:inner\ncredential_source = Environment\n\
                  mfa_serial = arn:mfa/inner\n";
    let options = ChainOptions {
        profile: Some("outer".into()),
        mfa: Some(Arc::new(|serial: &str| Ok(format!("code-for-{serial}")))),
        ..with_sts(no_imds())
    };
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKENV"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
    ];
    let mut c = chain(&env, shared(config, ""), options);
    let mut world = World::new().http(sts_server);
    assert_eq!(
        world.run(&mut c).unwrap().access_key_id(),
        "arn:outer<-arn:inner<-AKENV"
    );
    let asked: Vec<&String> = world.log.iter().filter(|l| l.starts_with("ASK")).collect();
    assert_eq!(asked, ["ASK MFA arn:mfa/inner", "ASK MFA arn:mfa/outer"]);
    for (body, role) in world.bodies.iter().zip(["inner", "outer"]) {
        let params: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(params["RoleArn"], format!("arn:{role}"));
        assert_eq!(params["SerialNumber"], format!("arn:mfa/{role}"));
        assert_eq!(params["TokenCode"], format!("code-for-arn:mfa/{role}"));
    }
}

/// Prompts run one at a time (a call that gave up leaves its prompt reading the terminal), and
/// a prompt that panics is a refusal, not a panic of the caller.
#[test]
fn mfa_prompts_run_one_at_a_time_and_a_panic_is_a_refusal() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (counting, highest) = (now.clone(), most.clone());
    let callback: MfaCallback = Arc::new(move |serial: &str| {
        let at_once = counting.fetch_add(1, Ordering::SeqCst) + 1;
        highest.fetch_max(at_once, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(50));
        counting.fetch_sub(1, Ordering::SeqCst);
        Ok(format!("code-{serial}"))
    });
    let asking: Vec<_> = (0..3)
        .map(|i| {
            let prompt = MfaPrompt::new(format!("arn:mfa/{i}"), callback.clone());
            std::thread::spawn(move || prompt.ask())
        })
        .collect();
    let codes: Vec<_> = asking.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(codes[2], Ok("code-arn:mfa/2".to_string()));
    assert_eq!(most.load(Ordering::SeqCst), 1, "prompts overlapped");

    let panicking: MfaCallback = Arc::new(|_: &str| panic!("no terminal"));
    let refused = MfaPrompt::new("arn:mfa/p".into(), panicking).ask();
    assert_eq!(refused, Err("the MFA prompt panicked".to_string()));
}

#[test]
fn assume_role_sts_error_is_reported() {
    let mut c = chain(
        &[("AWS_PROFILE", "top")],
        shared(ROLE_CHAIN, ""),
        with_sts(no_imds()),
    );
    let err = World::new()
        .http(|_| response(403, r#"{"code":"AccessDenied","message":"not allowed"}"#))
        .run(&mut c)
        .unwrap_err();
    assert!(
        matches!(&err, CredentialsError::Api { operation: "AssumeRole", error, .. } if error.code == "AccessDenied")
    );
    // Without an STS caller the provider fails instead of guessing.
    let mut c = chain(&[("AWS_PROFILE", "top")], shared(ROLE_CHAIN, ""), no_imds());
    assert!(World::new()
        .run(&mut c)
        .unwrap_err()
        .to_string()
        .contains("STS caller"));
}

// ---------------------------------------------------------------- web identity

#[test]
fn web_identity_from_env_and_profile() {
    let env = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"),
        ("AWS_ROLE_ARN", "arn:web"),
        ("AWS_ROLE_SESSION_NAME", "pod"),
    ];
    let mut c = chain(&env, shared("", ""), with_sts(no_imds()));
    let mut world = World::new()
        .file("/var/run/token", "jwt-token")
        .http(sts_server);
    let creds = world.run(&mut c).unwrap();
    assert_eq!(creds.access_key_id(), "arn:web<-unsigned");
    assert_eq!(
        world.log,
        [
            "READ /var/run/token",
            "POST https://sts.test/AssumeRoleWithWebIdentity"
        ]
    );
    let params: serde_json::Value = serde_json::from_slice(&world.bodies[0]).unwrap();
    assert_eq!(params["WebIdentityToken"], "jwt-token");
    assert_eq!(params["RoleSessionName"], "pod");
    assert_eq!(c.provider(), Some(ProviderKind::WebIdentity));

    // From the profile (role_arn + web_identity_token_file is not an assume-role profile).
    let config = "[default]\nrole_arn = arn:prof\nweb_identity_token_file = /t\n";
    let mut c = chain(&[], shared(config, ""), with_sts(no_imds()));
    let creds = World::new()
        .file("/t", "tok")
        .http(sts_server)
        .run(&mut c)
        .unwrap();
    assert_eq!(creds.access_key_id(), "arn:prof<-unsigned");

    // Missing role ARN, and an unreadable token file, are errors.
    let mut c = chain(
        &[("AWS_WEB_IDENTITY_TOKEN_FILE", "/t")],
        shared("", ""),
        with_sts(no_imds()),
    );
    assert!(matches!(
        World::new().run(&mut c).unwrap_err(),
        CredentialsError::InvalidConfig(_)
    ));
    let mut c = chain(&env, shared("", ""), with_sts(no_imds()));
    let err = World::new().run(&mut c).unwrap_err();
    assert!(err.to_string().contains("/var/run/token"), "{err}");
}

// ---------------------------------------------------------------- SSO

const SSO_CONFIG: &str = "\
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin Role
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444455556666
sso_role_name = ReadOnly
";

fn sso_token(expires_in: i64) -> String {
    format!(
        r#"{{"accessToken": "sso-access-token", "expiresAt": "{}"}}"#,
        iso(expires_in)
    )
}

fn sso_portal(request: &http::Request<Body>) -> Result<http::Response<Bytes>, TransportError> {
    assert_eq!(
        request.headers()["x-amz-sso_bearer_token"],
        "sso-access-token"
    );
    response(
        200,
        &format!(
            r#"{{"roleCredentials": {{"accessKeyId": "AKSSO", "secretAccessKey": "sso-secret",
                "sessionToken": "sso-session", "expiration": {}}}}}"#,
            (NOW_SECS + 3600) * 1000 + 999
        ),
    )
}

#[test]
fn sso_session_profile_reads_cached_token_and_calls_portal() {
    let key = sso_token_cache_key("https://corp.awsapps.com/start", Some("corp"));
    // The cache key is the SHA-1 of the session name.
    assert_eq!(key, "ee0bfd2552fbd840c02cc48b6e823320543c450f");
    let path = format!("/home/u/.aws/sso/cache/{key}.json");
    let mut c = chain(
        &[("AWS_PROFILE", "dev"), ("HOME", "/home/u")],
        shared(SSO_CONFIG, ""),
        no_imds(),
    );
    let mut world = World::new().file(&path, &sso_token(600)).http(sso_portal);
    let creds = world.run(&mut c).unwrap();
    assert_eq!(creds.access_key_id(), "AKSSO");
    assert_eq!(creds.session_token(), Some("sso-session"));
    assert_eq!(creds.expiry(), Some(now() + Duration::from_secs(3600)));
    // botocore's SSO credentials carry the profile's account.
    assert_eq!(creds.account_id(), Some("111122223333"));
    assert_eq!(
        world.log,
        [
            format!("READ {path}"),
            "GET https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?role_name=Admin%20Role&account_id=111122223333".to_string(),
        ]
    );
    assert_eq!(c.provider(), Some(ProviderKind::Sso));
}

#[test]
fn sso_legacy_profile_uses_start_url_key() {
    let key = sso_token_cache_key("https://legacy.awsapps.com/start", None);
    let path = format!("/h/.aws/sso/cache/{key}.json");
    let options = ChainOptions {
        home_dir: Some("/h".into()),
        ..no_imds()
    };
    let mut c = chain(
        &[("AWS_PROFILE", "legacy")],
        shared(SSO_CONFIG, ""),
        options,
    );
    let creds = World::new()
        .file(&path, &sso_token(600))
        .http(sso_portal)
        .run(&mut c)
        .unwrap();
    assert_eq!(creds.access_key_id(), "AKSSO");
}

#[test]
fn sso_token_problems_are_errors() {
    let key = sso_token_cache_key("", Some("corp"));
    let path = format!("/home/u/.aws/sso/cache/{key}.json");
    let env = [("AWS_PROFILE", "dev"), ("HOME", "/home/u")];
    // Expired.
    let mut c = chain(&env, shared(SSO_CONFIG, ""), no_imds());
    let err = World::new()
        .file(&path, &sso_token(-1))
        .run(&mut c)
        .unwrap_err();
    assert!(
        matches!(&err, CredentialsError::SsoToken(m) if m.contains("expired")),
        "{err}"
    );
    // Missing.
    let mut c = chain(&env, shared(SSO_CONFIG, ""), no_imds());
    let err = World::new().run(&mut c).unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    // Malformed.
    let mut c = chain(&env, shared(SSO_CONFIG, ""), no_imds());
    let err = World::new()
        .file(&path, "{\"accessToken\": 1}")
        .run(&mut c)
        .unwrap_err();
    assert!(err.to_string().contains("invalid"), "{err}");
    // Rejected by the portal.
    let mut c = chain(&env, shared(SSO_CONFIG, ""), no_imds());
    let err = World::new()
        .file(&path, &sso_token(600))
        .http(|_| response(401, r#"{"message":"Session token not found or invalid"}"#))
        .run(&mut c)
        .unwrap_err();
    assert!(
        matches!(&err, CredentialsError::SsoToken(m) if m.contains("aws sso login")),
        "{err}"
    );
    // An expiration past what the clock holds (botocore: `OverflowError`); once a panic
    // adding it to the epoch.
    for expiration in ["1e18", "1e22", "1e300"] {
        let mut c = chain(&env, shared(SSO_CONFIG, ""), no_imds());
        let err = World::new()
            .file(&path, &sso_token(600))
            .http(move |_| {
                response(
                    200,
                    &format!(
                        r#"{{"roleCredentials": {{"accessKeyId": "A", "secretAccessKey": "s",
                            "sessionToken": "t", "expiration": {expiration}}}}}"#
                    ),
                )
            })
            .run(&mut c)
            .unwrap_err();
        assert!(err.to_string().contains("expiration out of range"), "{err}");
    }
    // Incomplete configuration.
    let config = "[default]\nsso_account_id = 1\nsso_role_name = r\nsso_region = us-east-1\n";
    let mut c = chain(&[], shared(config, ""), no_imds());
    let err = World::new().run(&mut c).unwrap_err();
    assert!(
        err.to_string()
            .contains("missing required configuration: sso_start_url"),
        "{err}"
    );
}

// ---------------------------------------------------------------- credential_process

fn process_output(success: bool, stdout: &str) -> io::Result<ProcessOutput> {
    Ok(ProcessOutput {
        success,
        code: Some(if success { 0 } else { 3 }),
        stdout: Bytes::from(stdout.to_string()),
        stderr: Bytes::from_static(b"helper: not logged in\n"),
    })
}

fn process_chain(
    output: io::Result<ProcessOutput>,
) -> (Result<Credentials, CredentialsError>, Vec<String>) {
    let config = "[default]\ncredential_process = /usr/bin/helper --profile \"a b\"\n";
    let mut c = chain(&[], shared(config, ""), no_imds());
    let mut world = World::new();
    let mut output = Some(output);
    world.process = Box::new(move |_| output.take().unwrap());
    let result = world.run(&mut c);
    (result, world.log)
}

#[test]
fn credential_process_json() {
    let (result, log) = process_chain(process_output(
        true,
        &format!(
            r#"{{"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": "proc-secret",
                "SessionToken": "t", "Expiration": "{}"}}"#,
            iso(900)
        ),
    ));
    let creds = result.unwrap();
    assert_eq!(creds.access_key_id(), "AKPROC");
    assert_eq!(creds.expiry(), Some(now() + Duration::from_secs(900)));
    assert_eq!(log, ["RUN /usr/bin/helper --profile \"a b\""]);
    // Without expiry and token.
    let (result, _) = process_chain(process_output(
        true,
        r#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S"}"#,
    ));
    let creds = result.unwrap();
    assert_eq!((creds.session_token(), creds.expiry()), (None, None));
}

#[test]
fn credential_process_errors() {
    let cases = [
        (process_output(true, "not json {"), "not valid JSON"),
        (
            process_output(
                true,
                r#"{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "S"}"#,
            ),
            "unsupported version '2'",
        ),
        (
            process_output(true, r#"{"AccessKeyId": "A", "SecretAccessKey": "S"}"#),
            "<Version key not provided>",
        ),
        (
            process_output(true, r#"{"Version": 1, "AccessKeyId": "A"}"#),
            "missing SecretAccessKey",
        ),
        (
            process_output(false, ""),
            "exit status 3): helper: not logged in",
        ),
        (
            Err(io::Error::new(io::ErrorKind::NotFound, "no such file")),
            "cannot run",
        ),
    ];
    for (output, expected) in cases {
        let (result, _) = process_chain(output);
        let err = result.unwrap_err();
        assert!(err.to_string().contains(expected), "{expected}: {err}");
    }
    // The output is never quoted (it may hold a secret).
    let (result, _) = process_chain(process_output(
        true,
        r#"{"Version": 1, "SecretAccessKey": "leak"}"#,
    ));
    assert!(!result.unwrap_err().to_string().contains("leak"));
}

// ---------------------------------------------------------------- container

fn container_creds() -> Result<http::Response<Bytes>, TransportError> {
    response(
        200,
        &format!(
            r#"{{"AccessKeyId": "AKECS", "SecretAccessKey": "ecs-secret", "Token": "ecs-token",
                "Expiration": "{}"}}"#,
            iso(7200)
        ),
    )
}

#[test]
fn container_relative_uri() {
    let mut c = chain(
        &[(
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "/v2/credentials/abc",
        )],
        shared("", ""),
        no_imds(),
    );
    let mut world = World::new().http(|_| container_creds());
    let creds = world.run(&mut c).unwrap();
    assert_eq!(creds.access_key_id(), "AKECS");
    assert_eq!(creds.session_token(), Some("ecs-token"));
    assert_eq!(world.log, ["GET http://169.254.170.2/v2/credentials/abc"]);
    assert_eq!(world.headers[0]["accept"], "application/json");
    assert!(world.headers[0].get("authorization").is_none());
    assert_eq!(world.timeouts, [Some(Duration::from_secs(2))]);
    assert_eq!(c.provider(), Some(ProviderKind::Container));
    assert_eq!(creds.account_id(), None);
}

#[test]
fn container_credentials_carry_their_account_id() {
    let mut c = chain(
        &[("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds")],
        shared("", ""),
        no_imds(),
    );
    let mut world = World::new().http(|_| {
        response(
            200,
            &format!(
                r#"{{"AccessKeyId": "AKECS", "SecretAccessKey": "s", "Token": "t",
                    "Expiration": "{}", "AccountId": "123456789012"}}"#,
                iso(7200)
            ),
        )
    });
    let creds = world.run(&mut c).unwrap();
    assert_eq!(creds.account_id(), Some("123456789012"));
}

#[test]
fn container_full_uri_with_token_file_and_retries() {
    let env = [
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:8080/creds",
        ),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/token"),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored"),
    ];
    let mut c = chain(&env, shared("", ""), no_imds());
    let mut calls = 0;
    let mut world = World::new().file("/token", "Bearer abc").http(move |_| {
        calls += 1;
        if calls < 3 {
            response(500, "busy")
        } else {
            container_creds()
        }
    });
    assert_eq!(world.run(&mut c).unwrap().access_key_id(), "AKECS");
    assert_eq!(
        world.log,
        [
            "READ /token",
            "GET http://127.0.0.1:8080/creds",
            "SLEEP 1s",
            "GET http://127.0.0.1:8080/creds",
            "SLEEP 1s",
            "GET http://127.0.0.1:8080/creds"
        ]
    );
    assert!(world
        .headers
        .iter()
        .all(|h| h["authorization"] == "Bearer abc"));

    // Three failures: an error naming the last problem.
    let mut c = chain(&env, shared("", ""), no_imds());
    let err = World::new()
        .file("/token", "Bearer abc")
        .http(|_| response(503, ""))
        .run(&mut c)
        .unwrap_err();
    assert!(err.to_string().contains("non 200 response 503"), "{err}");
}

#[test]
fn container_host_and_token_rules() {
    for allowed in [
        "http://localhost/x",
        "http://[::1]:9/x",
        "http://127.0.0.5/x",
        "http://169.254.170.23/x",
        "http://[fd00:ec2::23]/x",
        "https://anything.example.com/x",
    ] {
        let mut c = chain(
            &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", allowed)],
            shared("", ""),
            no_imds(),
        );
        assert!(
            World::new().http(|_| container_creds()).run(&mut c).is_ok(),
            "{allowed}"
        );
    }
    for refused in ["http://example.com/x", "http://10.0.0.1/x", "not a url"] {
        let mut c = chain(
            &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", refused)],
            shared("", ""),
            no_imds(),
        );
        let mut world = World::new().http(|_| container_creds());
        assert!(world.run(&mut c).is_err(), "{refused}");
        assert!(world.log.is_empty());
    }
    let env = [
        ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/x"),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nInjected: 1"),
    ];
    let mut c = chain(&env, shared("", ""), no_imds());
    assert!(matches!(
        World::new().run(&mut c).unwrap_err(),
        CredentialsError::InvalidConfig(_)
    ));
}

// ---------------------------------------------------------------- IMDS

fn imds_role_creds(expiry_offset: i64) -> String {
    format!(
        r#"{{"Code": "Success", "AccessKeyId": "AKIMDS", "SecretAccessKey": "imds-secret",
            "Token": "imds-token", "Expiration": "{}"}}"#,
        iso(expiry_offset)
    )
}

fn imds_v2(request: &http::Request<Body>) -> Result<http::Response<Bytes>, TransportError> {
    match (request.method().as_str(), request.uri().path()) {
        ("PUT", "/latest/api/token") => {
            assert_eq!(
                request.headers()["x-aws-ec2-metadata-token-ttl-seconds"],
                "21600"
            );
            response(200, "imds-session-token")
        }
        (_, path) => {
            assert_eq!(
                request.headers()["x-aws-ec2-metadata-token"],
                "imds-session-token"
            );
            match path {
                "/latest/meta-data/iam/security-credentials/" => response(200, "my-role"),
                "/latest/meta-data/iam/security-credentials/my-role" => {
                    response(200, &imds_role_creds(6 * 3600))
                }
                _ => response(404, ""),
            }
        }
    }
}

#[test]
fn imds_v2_happy_path() {
    let mut c = chain(&[], shared("", ""), ChainOptions::default());
    let mut world = World::new().http(imds_v2);
    let creds = world.run(&mut c).unwrap();
    assert_eq!(creds.access_key_id(), "AKIMDS");
    assert_eq!(creds.session_token(), Some("imds-token"));
    assert_eq!(creds.expiry(), Some(now() + Duration::from_secs(6 * 3600)));
    assert_eq!(
        world.log,
        [
            "PUT http://169.254.169.254/latest/api/token",
            "GET http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "GET http://169.254.169.254/latest/meta-data/iam/security-credentials/my-role",
        ]
    );
    assert_eq!(world.timeouts, [Some(Duration::from_secs(1)); 3]);
    assert_eq!(c.provider(), Some(ProviderKind::InstanceMetadata));
}

#[test]
fn imds_falls_back_to_v1_when_token_refused() {
    for refused in [403, 404, 405] {
        let mut c = chain(&[], shared("", ""), ChainOptions::default());
        let mut world = World::new().http(move |request| {
            assert!(request.headers().get("x-aws-ec2-metadata-token").is_none());
            match request.uri().path() {
                "/latest/api/token" => response(refused, ""),
                "/latest/meta-data/iam/security-credentials/" => response(200, "r"),
                _ => response(200, &imds_role_creds(3 * 3600)),
            }
        });
        assert_eq!(world.run(&mut c).unwrap().access_key_id(), "AKIMDS");
        assert_eq!(world.log.len(), 3);
    }
    // A timed-out token request also falls back.
    let mut c = chain(&[], shared("", ""), ChainOptions::default());
    let mut world = World::new().http(|request| match request.uri().path() {
        "/latest/api/token" => Err(TransportError::new(
            TransportErrorKind::Timeout,
            "read timed out",
        )),
        "/latest/meta-data/iam/security-credentials/" => response(200, "r"),
        _ => response(200, &imds_role_creds(3 * 3600)),
    });
    assert!(world.run(&mut c).is_ok());
}

#[test]
fn imds_v1_disabled_is_an_error() {
    let config = "[default]\nec2_metadata_v1_disabled = true\n";
    let mut c = chain(&[], shared(config, ""), ChainOptions::default());
    let err = World::new()
        .http(|_| response(404, ""))
        .run(&mut c)
        .unwrap_err();
    assert!(
        err.to_string().contains("IMDSv1 has been disabled"),
        "{err}"
    );
}

#[test]
fn imds_timeouts_and_attempts() {
    let env = [
        ("AWS_METADATA_SERVICE_TIMEOUT", "5"),
        ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "3"),
    ];
    let mut c = chain(&env, shared("", ""), ChainOptions::default());
    let mut role_calls = 0;
    let mut world = World::new().http(move |request| match request.uri().path() {
        "/latest/api/token" => response(200, "imds-session-token"),
        "/latest/meta-data/iam/security-credentials/" => {
            role_calls += 1;
            if role_calls < 3 {
                Err(TransportError::new(
                    TransportErrorKind::Timeout,
                    "read timed out",
                ))
            } else {
                response(200, "my-role")
            }
        }
        _ => response(200, &imds_role_creds(3 * 3600)),
    });
    assert!(world.run(&mut c).is_ok());
    assert_eq!(world.log.len(), 5);
    assert!(world
        .timeouts
        .iter()
        .all(|t| *t == Some(Duration::from_secs(5))));

    // Options override the environment; when every attempt times out, IMDS gives nothing.
    let options = ChainOptions {
        imds_timeout: Some(Duration::from_millis(250)),
        imds_attempts: Some(2),
        ..Default::default()
    };
    let mut c = chain(&env, shared("", ""), options);
    let mut world = World::new().http(|_| {
        Err(TransportError::new(
            TransportErrorKind::Timeout,
            "read timed out",
        ))
    });
    let err = world.run(&mut c).unwrap_err();
    assert!(
        err.to_string()
            .contains("iam-role (timed out: read timed out)"),
        "{err}"
    );
    // One token PUT (a timeout means "no v2") and two v1 GET attempts.
    assert_eq!(world.log.len(), 3);
    assert!(world
        .timeouts
        .iter()
        .all(|t| *t == Some(Duration::from_millis(250))));

    // A bad number is a configuration error.
    let mut c = chain(
        &[("AWS_METADATA_SERVICE_TIMEOUT", "soon")],
        shared("", ""),
        ChainOptions::default(),
    );
    assert!(matches!(
        World::new().run(&mut c).unwrap_err(),
        CredentialsError::Config(_)
    ));
}

#[test]
fn imds_disabled_sends_nothing() {
    let mut c = chain(
        &[("AWS_EC2_METADATA_DISABLED", "TRUE")],
        shared("", ""),
        ChainOptions::default(),
    );
    let mut world = World::new();
    let err = world.run(&mut c).unwrap_err();
    assert!(world.log.is_empty());
    assert!(err.to_string().contains("iam-role (disabled"), "{err}");
}

#[test]
fn imds_endpoint_settings() {
    let mut c = chain(
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338")],
        shared("", ""),
        ChainOptions::default(),
    );
    let mut world = World::new().http(|_| response(404, ""));
    let _ = world.run(&mut c);
    assert_eq!(world.log[0], "PUT http://127.0.0.1:1338/latest/api/token");

    let config = "[default]\nec2_metadata_service_endpoint_mode = IPv6\n";
    let mut c = chain(&[], shared(config, ""), ChainOptions::default());
    let mut world = World::new().http(|_| response(404, ""));
    let _ = world.run(&mut c);
    assert_eq!(world.log[0], "PUT http://[fd00:ec2::254]/latest/api/token");

    let mut c = chain(
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv5")],
        shared("", ""),
        ChainOptions::default(),
    );
    assert!(World::new()
        .run(&mut c)
        .unwrap_err()
        .to_string()
        .contains("ipv5"));
}

#[test]
fn imds_error_body_and_expiry_extension() {
    // A 200 with {Code, Message} means the role cannot be used: nothing, with the reason.
    let mut c = chain(&[], shared("", ""), ChainOptions::default());
    let err = World::new()
        .http(|request| match request.uri().path() {
            "/latest/api/token" => response(200, "t"),
            "/latest/meta-data/iam/security-credentials/" => response(200, "r"),
            _ => response(
                200,
                r#"{"Code": "AssumeRoleUnauthorizedAccess", "Message": "nope"}"#,
            ),
        })
        .run(&mut c)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("AssumeRoleUnauthorizedAccess: nope"),
        "{err}"
    );

    // Credentials about to expire get their expiry pushed 17–25 minutes out.
    let mut c = chain(&[], shared("", ""), ChainOptions::default());
    let creds = World::new()
        .http(|request| match request.uri().path() {
            "/latest/api/token" => response(200, "t"),
            "/latest/meta-data/iam/security-credentials/" => response(200, "r"),
            _ => response(200, &imds_role_creds(60)),
        })
        .run(&mut c)
        .unwrap();
    let left = creds
        .expiry()
        .unwrap()
        .duration_since(now())
        .unwrap()
        .as_secs();
    assert!((15 * 60 + 120..=15 * 60 + 600).contains(&left), "{left}");
}

// ---------------------------------------------------------------- secrets and misuse

#[test]
fn secrets_never_in_debug() {
    let creds = Credentials::new("AKID", "top-secret", Some("tok-secret".into()), None);
    let debug = format!("{creds:?}");
    assert!(
        debug.contains("AKID") && !debug.contains("top-secret") && !debug.contains("tok-secret")
    );
    let output = ProcessOutput {
        success: true,
        code: Some(0),
        stdout: Bytes::from_static(b"secret-json"),
        stderr: Bytes::new(),
    };
    assert!(!format!("{output:?}").contains("secret-json"));
}

#[test]
fn polling_a_finished_chain_is_an_error_not_a_panic() {
    let mut c = chain(
        &[("AWS_ACCESS_KEY_ID", "A"), ("AWS_SECRET_ACCESS_KEY", "S")],
        shared("", ""),
        no_imds(),
    );
    assert!(matches!(c.poll(now()), Step::Done(_)));
    assert!(matches!(
        c.poll(now()),
        Step::Failed(CredentialsError::Protocol(_))
    ));
    // A wrong kind of answer is reported too.
    let mut c = chain(
        &[("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/x")],
        shared("", ""),
        no_imds(),
    );
    // boto2's configs are looked for (and not found) before the container.
    let mut step = c.poll(now());
    while let Step::ReadFile(_) = step {
        c.handle_file(Err(io::Error::new(io::ErrorKind::NotFound, "not found")));
        step = c.poll(now());
    }
    assert!(matches!(step, Step::Send(_)));
    c.handle_file(Ok(Bytes::new()));
    assert!(matches!(
        c.poll(now()),
        Step::Failed(CredentialsError::Protocol(_))
    ));
}

/// Without the `credentials-login` feature a profile naming a `login_session` stops resolution
/// with an error saying why, instead of falling through to a provider botocore would not use.
#[cfg(not(feature = "credentials-login"))]
#[test]
fn login_session_without_the_feature_is_a_typed_error() {
    let config = "[default]\nlogin_session = arn:aws:iam::123:user/u\n";
    let mut c = chain(&[], shared(config, ""), no_imds());
    let err = World::new().run(&mut c).unwrap_err();
    assert!(
        matches!(
            err,
            CredentialsError::Login(super::LoginError::NotBuilt { ref profile }) if profile == "default"
        ),
        "{err}"
    );
}

// ---------------------------------------------------------------- legacy files

/// The EC2 tools' key file (`AWS_CREDENTIAL_FILE`) and boto2's config, after the profile's
/// providers and before the container: what each finds, and what stops the chain.
#[test]
fn the_legacy_key_file_and_boto_config_come_after_the_profile() {
    let keys = "AWSAccessKeyId = EC2AK\nAWSSecretKey=EC2SK\n";
    let boto = "[Credentials]\naws_access_key_id = BOTOAK\naws_secret_access_key = BOTOSK\naws_session_token = T\n";
    let home = || ChainOptions {
        home_dir: Some(PathBuf::from("/home/u")),
        ..no_imds()
    };
    let run = |env: &[(&str, &str)], config: &str, world: World| {
        let mut world = World {
            log_boto_defaults: true,
            ..world
        };
        let mut c = chain(env, shared(config, ""), home());
        let outcome = world.run(&mut c);
        (outcome, c.provider(), world.log)
    };
    let found = |outcome: Result<Credentials, CredentialsError>| {
        let c = outcome.unwrap();
        (
            c.access_key_id().to_string(),
            c.session_token().map(String::from),
        )
    };

    // The key file wins over boto2's config; `~` is the home directory.
    let world = World::new()
        .file("/home/u/keys", keys)
        .file("/etc/boto.cfg", boto);
    let (outcome, provider, log) = run(&[("AWS_CREDENTIAL_FILE", "~/keys")], "", world);
    assert_eq!(found(outcome), ("EC2AK".into(), None));
    assert_eq!(provider, Some(ProviderKind::Ec2CredentialsFile));
    assert_eq!(log, ["READ /home/u/keys"]);

    // The profile's keys win over both: neither file is read.
    let world = World::new().file("/home/u/keys", keys);
    let config = "[default]\naws_access_key_id = CFG\naws_secret_access_key = S\n";
    let (outcome, provider, log) = run(&[("AWS_CREDENTIAL_FILE", "/home/u/keys")], config, world);
    assert_eq!(found(outcome), ("CFG".into(), None));
    // (With no credentials file of its own, that provider reads the merged profile.)
    assert_eq!(provider, Some(ProviderKind::SharedCredentialsFile));
    assert!(log.is_empty(), "{log:?}");

    // A key file that cannot be read stops the chain (botocore's `ConfigNotFound`).
    let (outcome, _, log) = run(&[("AWS_CREDENTIAL_FILE", "/missing")], "", World::new());
    assert!(
        matches!(
            outcome,
            Err(CredentialsError::Retrieval {
                provider: ProviderKind::Ec2CredentialsFile,
                ..
            })
        ),
        "{outcome:?}"
    );
    assert_eq!(log, ["READ /missing"]);

    // A key file without the access key is passed over; one without the secret is partial.
    let world = World::new().file("/k", "x=1\n").file("/home/u/.boto", boto);
    let (outcome, provider, log) = run(&[("AWS_CREDENTIAL_FILE", "/k")], "", world);
    assert_eq!(found(outcome), ("BOTOAK".into(), None));
    assert_eq!(provider, Some(ProviderKind::BotoConfig));
    assert_eq!(log, ["READ /k", "READ /etc/boto.cfg", "READ /home/u/.boto"]);
    let world = World::new().file("/k", "AWSAccessKeyId=A\n");
    let (outcome, _, _) = run(&[("AWS_CREDENTIAL_FILE", "/k")], "", world);
    assert!(matches!(
        outcome,
        Err(CredentialsError::Partial {
            provider: ProviderKind::Ec2CredentialsFile,
            ..
        })
    ));

    // `BOTO_CONFIG` replaces both defaults; `$VAR`s in it are expanded.
    let world = World::new()
        .file("/b/boto", boto)
        .file("/etc/boto.cfg", "[Credentials]\n");
    let (outcome, _, log) = run(&[("BOTO_CONFIG", "/$D/boto"), ("D", "b")], "", world);
    assert_eq!(found(outcome), ("BOTOAK".into(), None));
    assert_eq!(log, ["READ /b/boto"]);

    // A boto config without keys is passed over; one that does not parse, or has half a key
    // pair, stops the chain.
    let world = World::new().file("/etc/boto.cfg", "[Credentials]\nother = 1\n");
    let (outcome, _, log) = run(&[], "", world);
    assert!(
        matches!(outcome, Err(CredentialsError::NotFound { .. })),
        "{outcome:?}"
    );
    assert_eq!(log, ["READ /etc/boto.cfg", "READ /home/u/.boto"]);
    let world = World::new().file("/etc/boto.cfg", "[Credentials]\n[Credentials]\n");
    let (outcome, _, _) = run(&[], "", world);
    match outcome {
        Err(CredentialsError::Retrieval {
            provider: ProviderKind::BotoConfig,
            message,
        }) => assert_eq!(
            message,
            "cannot parse /etc/boto.cfg: config file line 2: section [Credentials] already defined"
        ),
        other => panic!("{other:?}"),
    }
    let world = World::new().file("/home/u/.boto", "[Credentials]\nAWS_ACCESS_KEY_ID = A\n");
    let (outcome, _, _) = run(&[], "", world);
    assert!(matches!(
        outcome,
        Err(CredentialsError::Partial {
            provider: ProviderKind::BotoConfig,
            ..
        })
    ));
}
