//! Which credentials a session ends up with, in sansboto and in botocore 1.44.5, on setups
//! nobody chose: a seeded generator makes 600 combinations of environment variables (keys,
//! partial keys, empty values, `AWS_PROFILE`/`AWS_DEFAULT_PROFILE`, web identity), a shared
//! credentials file and a config file (static keys, partial and empty keys, `role_arn` with
//! `source_profile` chains — cycles and missing profiles included — or `credential_source`,
//! `credential_process` scripts that answer well or badly, web identity token files) and a
//! profile chosen in code. Both resolve them against one moto server for STS (instance
//! metadata disabled); botocore's result is `session.get_credentials()` made concrete.
//!
//! Compared: refused by both for the same reason (the error variant that stands for botocore's
//! exception class), nothing found by both, or the same keys. Each static
//! key names where it was written (`CFG_a`, `CRED_b`, `ENV`, `PROC`), so the same keys mean the
//! same provider won; keys STS issued (moto's `ASIA…`, random) are compared by the role they
//! belong to (moto's `GetCallerIdentity`), and each profile and the environment name a role of
//! their own (`r_a`, `r_env`), so the same role means the same profile's `role_arn` was taken.
//! Some setups have no config file or no credentials file at all.

use std::collections::HashMap;
use std::sync::Arc;

use sansboto_core::config::ConfigError;
use sansboto_core::credentials::CredentialsError;
use sansboto_core::machine::{Machine, Step};
use sansboto_core::runtime::RuntimeSession;
use sansboto_core::session::{Session, SessionInputs};
use sansboto_tests::botocore;
use sansboto_tests::moto::MotoServer;
use serde_json::{json, Value};

/// Writes the scenarios' scripts and token files into `SCENARIO_DIR`, resolves each scenario
/// with botocore; emits `[{env, config, credentials, profile, result}]`.
const SCENARIOS: &str = r#"
import os, random, sys, tempfile, json as _json
import botocore.session
rng = random.Random(20261204)
DIR = os.environ['SCENARIO_DIR']
MOTO = os.environ['MOTO_URL']
PY = sys.executable
scripts = {
    'good': '{"Version": 1, "AccessKeyId": "PROC", "SecretAccessKey": "PROC_SECRET", "SessionToken": "PROC_TOKEN"}',
    'noversion': '{"AccessKeyId": "PROC", "SecretAccessKey": "PROC_SECRET"}',
    'partial': '{"Version": 1, "AccessKeyId": "PROC"}',
    'garbage': 'not json',
}
for name, out in scripts.items():
    with open(os.path.join(DIR, name + '.py'), 'w') as f:
        f.write('import sys\nsys.stdout.write(%r)\n' % out)
with open(os.path.join(DIR, 'failing.py'), 'w') as f:
    f.write('import sys\nsys.stderr.write("no")\nsys.exit(3)\n')
with open(os.path.join(DIR, 'token'), 'w') as f:
    f.write('a-web-identity-token')
PROCESS = [PY + ' ' + os.path.join(DIR, n + '.py') for n in list(scripts) + ['failing']]
NAMES = ['default', 'a', 'b', 'c']
def role(name):
    return 'arn:aws:iam::123456789012:role/r_' + name
def keys(origin, name):
    kind = rng.random()
    if kind < 0.6:
        out = {'aws_access_key_id': f'{origin}_{name}', 'aws_secret_access_key': f'{origin}_{name}_SECRET'}
        if rng.random() < 0.3:
            out['aws_session_token'] = f'{origin}_{name}_TOKEN'
        return out
    if kind < 0.75:
        return {'aws_access_key_id': f'{origin}_{name}'}
    if kind < 0.85:
        return {'aws_secret_access_key': f'{origin}_{name}_SECRET'}
    return {'aws_access_key_id': '', 'aws_secret_access_key': ''}
def config_profile(name):
    kind = rng.random()
    if kind < 0.3:
        return keys('CFG', name)
    if kind < 0.5:
        out = {'role_arn': role(name), 'source_profile': rng.choice(NAMES + ['missing'])}
        if rng.random() < 0.1:
            out['credential_source'] = 'Environment'
        return out
    if kind < 0.6:
        return {'role_arn': role(name), 'credential_source': rng.choice(['Environment', 'Ec2InstanceMetadata', 'EcsContainer', 'Bogus'])}
    if kind < 0.75:
        out = {'credential_process': rng.choice(PROCESS)}
        if rng.random() < 0.3:
            out.update(keys('CFG', name))
        return out
    if kind < 0.8:
        return {'role_arn': role(name), 'web_identity_token_file': rng.choice([os.path.join(DIR, 'token'), '/nonexistent/token'])}
    if kind < 0.85:
        return {'role_arn': role(name)}
    return {'region': 'us-west-2'}
def ini(sections, config):
    lines = []
    for name, values in sections.items():
        header = name if (not config or name == 'default') else 'profile ' + name
        lines.append('[%s]' % header)
        lines.extend('%s = %s' % kv for kv in values.items())
    return '\n'.join(lines) + '\n'
def scenario():
    env = {'AWS_ENDPOINT_URL_STS': MOTO}
    # No region at all, sometimes (a profile may still name one): STS, being global, still
    # gets a client, whose signed AssumeRole is refused and whose unsigned
    # AssumeRoleWithWebIdentity goes out.
    if rng.random() < 0.85:
        env['AWS_DEFAULT_REGION'] = 'us-east-1'
    kind = rng.random()
    if kind < 0.25:
        env.update({'AWS_ACCESS_KEY_ID': 'ENV', 'AWS_SECRET_ACCESS_KEY': 'ENV_SECRET'})
        if rng.random() < 0.3:
            env[rng.choice(['AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN'])] = 'ENV_TOKEN'
    elif kind < 0.32:
        env[rng.choice(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])] = 'ENV'
    elif kind < 0.36:
        env.update({'AWS_ACCESS_KEY_ID': '', 'AWS_SECRET_ACCESS_KEY': ''})
    elif kind < 0.42:
        env.update({'AWS_ROLE_ARN': role('env'), 'AWS_WEB_IDENTITY_TOKEN_FILE': rng.choice([os.path.join(DIR, 'token'), '/nonexistent/token'])})
    if rng.random() < 0.3:
        env[rng.choice(['AWS_PROFILE', 'AWS_DEFAULT_PROFILE'])] = rng.choice(NAMES + ['missing'])
    config = {n: config_profile(n) for n in NAMES if rng.random() < 0.6}
    credentials = {n: keys('CRED', n) for n in NAMES if rng.random() < 0.4}
    profile = rng.choice([None, None, None] + NAMES + ['missing'])
    # A file that is not there at all (None), sometimes.
    config = ini(config, True) if rng.random() < 0.9 else None
    credentials = ini(credentials, False) if rng.random() < 0.9 else None
    return env, config, credentials, profile
def role_of(frozen):
    # The role STS issued these keys for: moto's caller identity, `…:assumed-role/r_a/session`.
    sts = botocore.session.Session().create_client(
        'sts', region_name='us-east-1', endpoint_url=MOTO, aws_access_key_id=frozen.access_key,
        aws_secret_access_key=frozen.secret_key, aws_session_token=frozen.token)
    return sts.get_caller_identity()['Arn'].split('/')[1]
def resolve(env, config, credentials, profile):
    with tempfile.TemporaryDirectory() as tmp:
        paths = {'AWS_CONFIG_FILE': os.path.join(tmp, 'config'),
                 'AWS_SHARED_CREDENTIALS_FILE': os.path.join(tmp, 'credentials')}
        for var, text in [('AWS_CONFIG_FILE', config), ('AWS_SHARED_CREDENTIALS_FILE', credentials)]:
            if text is not None:
                with open(paths[var], 'w') as f:
                    f.write(text)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update({'PATH': saved.get('PATH', ''), 'AWS_EC2_METADATA_DISABLED': 'true'})
        os.environ.update(paths)
        os.environ.update(env)
        try:
            session = botocore.session.Session(profile=profile)
            profiles = session.available_profiles
        except Exception as e:
            profiles = {'error': type(e).__name__}
        try:
            creds = session.get_credentials()
            if creds is None:
                return {'none': True, 'profiles': profiles}
            frozen = creds.get_frozen_credentials()
        except Exception as e:
            return {'error': type(e).__name__ + ': ' + str(e), 'profiles': profiles}
        finally:
            os.environ.clear()
            os.environ.update(saved)
    out = {'access_key': frozen.access_key, 'secret_key': frozen.secret_key, 'token': frozen.token,
           'method': creds.method, 'profiles': profiles}
    if frozen.access_key.startswith('ASIA'):
        out['role'] = role_of(frozen)
    return out
cases = []
for _ in range(600):
    env, config, credentials, profile = scenario()
    cases.append({'env': env, 'config': config, 'credentials': credentials, 'profile': profile,
                  'result': resolve(env, config, credentials, profile)})
emit(cases)
"#;

/// The role each set of STS-issued keys (`KEYS`: `[[key, secret, token]]`) belongs to, as
/// moto's `GetCallerIdentity` says: `{key: role name}`.
const ROLES_OF: &str = r#"
import os
out = {}
for key, secret, token in json.loads(os.environ['KEYS']):
    sts = session.create_client('sts', region_name='us-east-1', endpoint_url=os.environ['MOTO_URL'],
                                aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)
    out[key] = sts.get_caller_identity()['Arn'].split('/')[1]
emit(out)
"#;

/// Keys as compared: STS-issued ones (moto's, random) by the role they were issued for.
fn comparable(access_key: &str, secret: &str, token: Option<&str>, role: Option<&str>) -> Value {
    if access_key.starts_with("ASIA") {
        return json!({ "assumed": role });
    }
    json!({"access_key": access_key, "secret_key": secret, "token": token})
}

/// The `CredentialsError` variant that stands for botocore's exception: its classes map one to
/// one, except that botocore lets a missing token file and a `credential_process` printing no
/// JSON escape as Python's own exceptions, which sansboto reports as retrieval errors.
fn botocore_outcome(result: &Value) -> Value {
    if result.get("none").is_some() {
        return json!("none");
    }
    if let Some(error) = result["error"].as_str() {
        let class = error.split(':').next().unwrap_or_default();
        let variant = match class {
            "ProfileNotFound" => "ProfileNotFound",
            "PartialCredentialsError" => "Partial",
            "InvalidConfigError" => "InvalidConfig",
            "InfiniteLoopConfigError" => "InfiniteLoop",
            "CredentialRetrievalError" | "FileNotFoundError" | "JSONDecodeError" => "Retrieval",
            "NoRegionError" => "NoRegion",
            other => other,
        };
        return json!({ "error": variant });
    }
    let mut keys = comparable(
        result["access_key"].as_str().unwrap_or_default(),
        result["secret_key"].as_str().unwrap_or_default(),
        result["token"].as_str(),
        result["role"].as_str(),
    );
    keys["method"] = result["method"].clone();
    keys
}

/// A sansboto session of `inputs` over the models botocore ships.
fn session_of(inputs: SessionInputs) -> Result<Arc<Session>, sansboto_core::Error> {
    let data = Arc::new(sansboto_host::BotocoreData(sansboto_models::Loader::new()));
    Session::new(inputs, data).map(Arc::new)
}

/// A case's environment (instance metadata off), files and profile as a session's inputs.
fn inputs_of(case: &Value) -> SessionInputs {
    let env: HashMap<String, String> = case["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .chain([("AWS_EC2_METADATA_DISABLED".into(), "true".into())])
        .collect();
    SessionInputs {
        env,
        config_file: case["config"].as_str().map(|text| text.as_bytes().to_vec()),
        credentials_file: case["credentials"]
            .as_str()
            .map(|text| text.as_bytes().to_vec()),
        profile: case["profile"].as_str().map(String::from),
        random_seed: 7,
    }
}

/// sansboto's outcome through the public `RuntimeSession::credentials` (botocore's
/// `get_credentials()`), with why it failed (or nothing), and the keys STS issued, if it was
/// given some (their role is asked for all cases at once, then put in the outcome).
fn sansboto_outcome(case: &Value) -> (Value, String, Option<[String; 3]>) {
    let inputs = inputs_of(case);
    let session = match session_of(inputs) {
        Ok(session) => RuntimeSession::<sansboto_blocking::HttpClient>::from_core(Ok(session)),
        Err(e) => return (json!({"error": "session"}), format!("session: {e}"), None),
    };
    match session.credentials() {
        Ok(Some(c)) => {
            let issued = c.access_key_id().starts_with("ASIA").then(|| {
                [
                    c.access_key_id(),
                    c.secret_access_key(),
                    c.session_token().unwrap_or_default(),
                ]
                .map(String::from)
            });
            let mut keys = comparable(
                c.access_key_id(),
                c.secret_access_key(),
                c.session_token(),
                None,
            );
            keys["method"] = json!(c.provider().map(|p| p.method()));
            (keys, String::new(), issued)
        }
        Ok(None) => (json!("none"), String::new(), None),
        Err(sansboto_core::Error::Credentials(e)) => {
            let variant = match &e {
                CredentialsError::Partial { .. } => "Partial",
                CredentialsError::InvalidConfig(_) => "InvalidConfig",
                CredentialsError::InfiniteLoop { .. } => "InfiniteLoop",
                CredentialsError::Retrieval { .. } => "Retrieval",
                CredentialsError::NoRegion { .. } => "NoRegion",
                _ => "another error",
            };
            (json!({ "error": variant }), e.to_string(), None)
        }
        // A configuration error is `Error::Config` whichever step finds it.
        Err(e @ sansboto_core::Error::Config(ConfigError::ProfileNotFound { .. })) => {
            (json!({"error": "ProfileNotFound"}), e.to_string(), None)
        }
        Err(e) => (
            json!({"error": "not a credentials error"}),
            e.to_string(),
            None,
        ),
    }
}

#[test]
fn generated_setups_resolve_to_botocores_credentials() {
    let moto = MotoServer::start();
    let dir = std::env::temp_dir().join(format!("sansboto-credentials-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = botocore::run(
        SCENARIOS,
        &[
            ("SCENARIO_DIR", dir.to_str().unwrap()),
            ("MOTO_URL", &moto.endpoint()),
        ],
    );
    let cases = cases.as_array().expect("a list of scenarios");
    assert_eq!(cases.len(), 600);
    let ours: Vec<_> = cases.iter().map(sansboto_outcome).collect();
    let issued: Vec<&[String; 3]> = ours.iter().filter_map(|o| o.2.as_ref()).collect();
    let roles = botocore::run(
        ROLES_OF,
        &[
            ("KEYS", &serde_json::to_string(&issued).unwrap()),
            ("MOTO_URL", &moto.endpoint()),
        ],
    );
    let mut differences = Vec::new();
    let mut tally: HashMap<String, usize> = HashMap::new();
    let mut roles_seen = std::collections::BTreeSet::new();
    // Setups with no region anywhere that botocore refused for it, and that it still
    // resolved through STS (its global endpoint, or an unsigned web-identity call).
    let (mut refused_for_region, mut assumed_without_region) = (0, 0);
    for (case, (mut ours, why, issued)) in cases.iter().zip(ours) {
        if let Some([key, ..]) = issued {
            ours["assumed"] = roles[key.as_str()].clone();
        }
        let theirs = botocore_outcome(&case["result"]);
        let kind = match &theirs {
            Value::String(s) => s.clone(),
            Value::Object(o) if o.contains_key("error") => "error".to_string(),
            Value::Object(o) if o.contains_key("assumed") => {
                roles_seen.insert(o["assumed"].to_string());
                "assumed".to_string()
            }
            Value::Object(o) => {
                let key = o["access_key"].as_str().unwrap_or_default();
                key.get(..3).unwrap_or(key).to_string()
            }
            _ => unreachable!(),
        };
        let regionless = !case["env"]
            .as_object()
            .unwrap()
            .contains_key("AWS_DEFAULT_REGION")
            && !case["config"]
                .as_str()
                .unwrap_or_default()
                .lines()
                .any(|line| line.starts_with("region"));
        refused_for_region += usize::from(theirs == json!({"error": "NoRegion"}));
        assumed_without_region += usize::from(regionless && kind == "assumed");
        *tally.entry(kind).or_default() += 1;
        if ours != theirs {
            differences.push(format!(
                "env {}, profile {}\n--- config\n{}--- credentials\n{}  sansboto: {ours} {why}\n  botocore: {}",
                case["env"], case["profile"], case["config"].as_str().unwrap_or("(no file)\n"),
                case["credentials"].as_str().unwrap_or("(no file)\n"), case["result"]
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    // The profiles the files name, in botocore's order (`available_profiles`).
    let mut profiles_listed = 0;
    for case in cases {
        let theirs = &case["result"]["profiles"];
        let ours = match session_of(inputs_of(case)) {
            Ok(session) => json!(session.available_profiles()),
            Err(_) => json!({"error": "session"}),
        };
        profiles_listed += ours.as_array().map_or(0, Vec::len);
        if theirs.get("error").is_none() && ours != *theirs {
            differences.push(format!(
                "profiles of config {:?} and credentials {:?}: sansboto {ours}, botocore {theirs}",
                case["config"], case["credentials"]
            ));
        }
    }
    assert!(profiles_listed > 600, "{profiles_listed} profiles listed");
    let shown: Vec<&str> = differences.iter().take(12).map(String::as_str).collect();
    assert!(
        differences.is_empty(),
        "{} of {} setups resolve differently from botocore (outcomes {tally:?}):\n{}",
        differences.len(),
        cases.len(),
        shown.join("\n")
    );
    eprintln!(
        "outcomes: {tally:?}, roles assumed: {roles_seen:?}, refused for want of a region: \
         {refused_for_region}, assumed without one: {assumed_without_region}"
    );
    assert!(
        refused_for_region >= 2 && assumed_without_region >= 1,
        "{refused_for_region} {assumed_without_region}"
    );
    // Roles of several profiles and of the environment, each read back from moto.
    assert!(
        roles_seen.len() >= 4 && !roles_seen.contains("null"),
        "{roles_seen:?}"
    );
    // Every kind of outcome must occur, or the comparison says little.
    for kind in ["error", "none", "assumed", "ENV", "CFG", "CRE", "PRO"] {
        assert!(
            tally.get(kind).copied().unwrap_or(0) >= 5,
            "{kind}: {tally:?}"
        );
    }
}

/// Where botocore's credential chain sends its AssumeRole (`[[env, config]]` in `SETUPS`):
/// `{url, scope}` of the request (the `before-send` hook stops it), or `{error}`.
const ASSUME_ROLE_SENT: &str = r#"
import os, tempfile
class Stop(Exception):
    pass
out = []
for env, config in json.loads(os.environ['SETUPS']):
    seen = {}
    def before_send(request, **kwargs):
        seen['url'] = request.url
        auth = request.headers['Authorization'].decode()
        seen['scope'] = '/'.join(auth.split('Credential=')[1].split(',')[0].split('/')[2:4])
        raise Stop()
    with tempfile.NamedTemporaryFile('w', suffix='.ini', delete=False) as f:
        f.write(config)
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({'PATH': saved.get('PATH', ''), 'AWS_EC2_METADATA_DISABLED': 'true',
                       'AWS_CONFIG_FILE': f.name, 'AWS_SHARED_CREDENTIALS_FILE': '/nonexistent'})
    os.environ.update(env)
    try:
        s = botocore.session.Session(profile='r')
        s.register('before-send.sts.AssumeRole', before_send)
        s.get_credentials().get_frozen_credentials()
    except Stop:
        pass
    except Exception as e:
        seen['error'] = type(e).__name__
    finally:
        os.environ.clear()
        os.environ.update(saved)
        os.unlink(f.name)
    out.append(seen)
emit(out)
"#;

#[test]
fn assume_role_goes_where_botocores_goes() {
    // The role's profile and its source; each setup adds a region, an STS setting or an
    // endpoint URL (or nothing: STS's global endpoint).
    let profiles = "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = s\n\
                    [profile s]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n";
    let setups: Vec<(Vec<(&str, &str)>, String)> = vec![
        (vec![], String::new()),
        (vec![("AWS_DEFAULT_REGION", "eu-west-1")], String::new()),
        (vec![("AWS_DEFAULT_REGION", "us-east-1")], String::new()),
        (vec![], "[default]\nregion = ap-south-1\n".into()),
        (vec![], "[profile r]\nregion = ap-south-1\n".into()),
        (
            vec![("AWS_DEFAULT_REGION", "us-east-1")],
            "[profile r]\nsts_regional_endpoints = legacy\n".into(),
        ),
        (
            vec![],
            "[profile r]\nsts_regional_endpoints = legacy\n".into(),
        ),
        (vec![("AWS_USE_FIPS_ENDPOINT", "true")], String::new()),
        (vec![("AWS_USE_DUALSTACK_ENDPOINT", "true")], String::new()),
        (
            vec![("AWS_ENDPOINT_URL_STS", "http://localhost:4566")],
            String::new(),
        ),
        (
            vec![
                ("AWS_ENDPOINT_URL", "http://localhost:4566"),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
            ],
            String::new(),
        ),
    ];
    // The role profile's own lines go into its section, so the file keeps one `[profile r]`.
    let config_of = |extra: &str| match extra.strip_prefix("[profile r]\n") {
        Some(lines) => profiles.replacen(
            "source_profile = s\n",
            &format!("source_profile = s\n{lines}"),
            1,
        ),
        None => format!("{extra}{profiles}"),
    };
    let cases: Vec<(Vec<(&str, &str)>, String)> = setups
        .iter()
        .map(|(env, extra)| (env.clone(), config_of(extra)))
        .collect();
    let theirs = botocore::run(
        ASSUME_ROLE_SENT,
        &[("SETUPS", &serde_json::to_string(&cases).unwrap())],
    );
    let theirs = theirs.as_array().expect("one row per setup");
    let mut differences = Vec::new();
    for ((env, config), theirs) in cases.iter().zip(theirs) {
        let inputs = SessionInputs {
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .chain([("AWS_EC2_METADATA_DISABLED".into(), "true".into())])
                .collect(),
            config_file: Some(config.as_bytes().to_vec()),
            profile: Some("r".into()),
            ..Default::default()
        };
        let session = session_of(inputs).unwrap();
        let mut machine = session.credential_source(None).resolve();
        let ours = match machine.poll(std::time::SystemTime::now()) {
            Step::Send(request) => {
                let authorization = request.headers()["authorization"].to_str().unwrap();
                let scope = authorization.split("Credential=").nth(1).unwrap();
                let scope = scope.split(',').next().unwrap().split('/').skip(2).take(2);
                json!({"url": request.uri().to_string(), "scope": scope.collect::<Vec<_>>().join("/")})
            }
            Step::Failed(CredentialsError::NoRegion { .. }) => json!({"error": "NoRegionError"}),
            Step::Failed(e) => json!({ "error": e.to_string() }),
            _ => json!({"error": "another step"}),
        };
        if &ours != theirs {
            differences.push(format!(
                "{env:?}\n{config}  sansboto {ours}\n  botocore {theirs}"
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // Both outcomes occur: the global endpoint and the refusal.
    assert!(theirs
        .iter()
        .any(|t| t["url"] == "https://sts.amazonaws.com/"));
    assert!(theirs.iter().any(|t| t["error"] == "NoRegionError"));
}

#[test]
fn a_config_file_key_is_not_the_missing_credentials_files() {
    // No credentials file, and a config profile with half a key pair and a
    // `credential_process`: botocore's shared-credentials-file provider reads only that
    // (missing) file, so the process runs (and the config-file provider, after it, would find
    // the half pair). sansboto took the config file's key as the credentials file's and
    // failed with partial credentials before the process ran.
    let inputs = SessionInputs {
        env: HashMap::from([("AWS_EC2_METADATA_DISABLED".into(), "true".into())]),
        config_file: Some(
            b"[default]\ncredential_process = print-keys\naws_access_key_id = CFG\n".to_vec(),
        ),
        credentials_file: None,
        ..Default::default()
    };
    let session = session_of(inputs).unwrap();
    let mut machine = session.credential_source(None).resolve();
    match machine.poll(std::time::SystemTime::now()) {
        Step::RunProcess(command) => assert_eq!(command, "print-keys"),
        Step::Failed(e) => panic!("{e}"),
        _ => panic!("another step"),
    }
}

/// botocore's two providers after the profile's, on the same files: the EC2 tools' key file
/// (`AWS_CREDENTIAL_FILE`) and boto2's config (`BOTO_CONFIG`, else `/etc/boto.cfg` then
/// `~/.boto`). `SETUPS` is `[[env pairs, [file name, text (latin-1 code points)] pairs, profile]]`; `{DIR}`
/// in the environment's values stands for the setup's own directory (its `HOME` too).
const LEGACY_FILES: &str = r#"
import os, tempfile
out = []
for env, files, profile in json.loads(os.environ['SETUPS']):
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files:
            path = os.path.join(tmp, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(text.encode('latin-1'))
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update({'PATH': saved.get('PATH', ''), 'AWS_EC2_METADATA_DISABLED': 'true',
                           'AWS_CONFIG_FILE': os.path.join(tmp, 'config'),
                           'AWS_SHARED_CREDENTIALS_FILE': os.path.join(tmp, 'credentials'),
                           'HOME': tmp})
        os.environ.update({k: v.replace('{DIR}', tmp) for k, v in env})
        try:
            creds = botocore.session.Session(profile=profile).get_credentials()
            if creds is None:
                out.append({'none': True})
            else:
                frozen = creds.get_frozen_credentials()
                out.append({'access_key': frozen.access_key, 'secret_key': frozen.secret_key,
                            'token': frozen.token, 'method': creds.method})
        except Exception as e:
            out.append({'error': type(e).__name__ + ': ' + str(e)})
        finally:
            os.environ.clear()
            os.environ.update(saved)
emit(out)
"#;

#[test]
fn the_legacy_key_file_and_boto_config_are_read_as_botocore_reads_them() {
    let keys = "AWSAccessKeyId = EC2AK\r\nAWSSecretKey= EC2=SK \r\n";
    let boto = "[Credentials]\naws_access_key_id = BOTOAK\naws_secret_access_key = BOTOSK\n\
                aws_session_token = BOTOTOKEN\n";
    let profile_keys = "[default]\naws_access_key_id = CRED\naws_secret_access_key = CREDSK\n";
    type Setup<'a> = (
        Vec<(&'a str, &'a str)>,
        Vec<(&'a str, &'a str)>,
        Option<&'a str>,
    );
    let setups: Vec<Setup<'_>> = vec![
        // The key file, found, as `~/…`, with odd lines; missing; empty path; without keys.
        (vec![("AWS_CREDENTIAL_FILE", "{DIR}/keys")], vec![("keys", keys)], None),
        (vec![("AWS_CREDENTIAL_FILE", "~/keys")], vec![("keys", keys)], None),
        (
            vec![("AWS_CREDENTIAL_FILE", "{DIR}/keys")],
            vec![("keys", "# EC2 tools\nAWSAccessKeyId=A=B\x0bAWSSecretKey\t=\tS \n=x\nno\n")],
            None,
        ),
        (vec![("AWS_CREDENTIAL_FILE", "{DIR}/missing")], vec![], None),
        (vec![("AWS_CREDENTIAL_FILE", "")], vec![], None),
        (vec![("AWS_CREDENTIAL_FILE", "{DIR}")], vec![], None),
        (vec![("AWS_CREDENTIAL_FILE", "{DIR}/keys")], vec![("keys", "x=1\n")], None),
        (
            vec![("AWS_CREDENTIAL_FILE", "{DIR}/keys")],
            vec![("keys", "x=1\n"), (".boto", boto)],
            None,
        ),
        (
            vec![("AWS_CREDENTIAL_FILE", "{DIR}/keys")],
            vec![("keys", "AWSAccessKeyId=\nAWSSecretKey=\n")],
            None,
        ),
        (
            vec![("AWS_CREDENTIAL_FILE", "{DIR}/keys")],
            vec![("keys", "\u{ef}\u{bb}\u{bf}AWSAccessKeyId=BOM\nAWSSecretKey=S\n")],
            None,
        ),
        // The key file wins over boto2's config, and loses to the profile and the environment.
        (
            vec![("AWS_CREDENTIAL_FILE", "{DIR}/keys")],
            vec![("keys", keys), (".boto", boto)],
            None,
        ),
        (
            vec![("AWS_CREDENTIAL_FILE", "{DIR}/keys")],
            vec![("keys", keys), ("credentials", profile_keys)],
            None,
        ),
        (
            vec![
                ("AWS_CREDENTIAL_FILE", "{DIR}/keys"),
                ("AWS_ACCESS_KEY_ID", "ENV"),
                ("AWS_SECRET_ACCESS_KEY", "ENVSK"),
            ],
            vec![("keys", keys)],
            None,
        ),
        // A profile chosen in code drops the environment's keys, not these files.
        (
            vec![
                ("AWS_CREDENTIAL_FILE", "{DIR}/keys"),
                ("AWS_ACCESS_KEY_ID", "ENV"),
                ("AWS_SECRET_ACCESS_KEY", "ENVSK"),
            ],
            vec![("keys", keys), ("config", "[profile p]\nregion = eu-west-1\n")],
            Some("p"),
        ),
        // boto2's config: `~/.boto`, `BOTO_CONFIG` (with `$VAR`s), missing, a directory.
        (vec![], vec![(".boto", boto)], None),
        (vec![("BOTO_CONFIG", "{DIR}/b.cfg")], vec![("b.cfg", boto)], None),
        (
            vec![("BOTO_CONFIG", "$HOME/${SUB}/b.cfg"), ("SUB", "s")],
            vec![("s/b.cfg", boto)],
            None,
        ),
        (vec![("BOTO_CONFIG", "{DIR}/missing")], vec![(".boto", boto)], None),
        (vec![("BOTO_CONFIG", "{DIR}")], vec![], None),
        // Its keys as configparser reads them: any case, `:`, `[DEFAULT]`, continued lines.
        (
            vec![],
            vec![(
                ".boto",
                "[Credentials]\nAWS_ACCESS_KEY_ID: UPPER\nAws_Secret_Access_Key = S ; not a comment\n",
            )],
            None,
        ),
        (
            vec![],
            vec![(
                ".boto",
                "[DEFAULT]\naws_access_key_id = FROMDEFAULT\naws_secret_access_key = S\n[Credentials]\n",
            )],
            None,
        ),
        (
            vec![],
            vec![(
                ".boto",
                "[Credentials]\naws_access_key_id = LONG\n  CONTINUED\naws_secret_access_key = S\n",
            )],
            None,
        ),
        // No `[Credentials]`, no key, half a pair, broken files.
        (vec![], vec![(".boto", "[Boto]\ndebug = 1\n")], None),
        (vec![], vec![(".boto", "[credentials]\naws_access_key_id = lower\naws_secret_access_key = S\n")], None),
        (vec![], vec![(".boto", "[Credentials]\naws_access_key_id = HALF\n")], None),
        (vec![], vec![(".boto", "[Credentials]\n[Credentials]\n")], None),
        (vec![], vec![(".boto", "aws_access_key_id = X\n")], None),
        (vec![], vec![(".boto", "[Credentials]\naws_access_key_id = \u{e9}\n")], None),
        (
            vec![("AWS_CREDENTIAL_FILE", "{DIR}/keys")],
            vec![("keys", "AWSAccessKeyId=\u{e9}\n")],
            None,
        ),
        // Neither file: nothing found.
        (vec![], vec![], None),
    ];
    let theirs = botocore::run(
        LEGACY_FILES,
        &[("SETUPS", &serde_json::to_string(&setups).unwrap())],
    );
    let theirs = theirs.as_array().expect("one outcome per setup");
    assert_eq!(theirs.len(), setups.len());
    let mut differences = Vec::new();
    let mut methods = std::collections::BTreeSet::new();
    for (i, ((env, files, profile), theirs)) in setups.iter().zip(theirs).enumerate() {
        let dir = std::env::temp_dir().join(format!("sansboto-legacy-{}-{i}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let root = dir.to_str().unwrap();
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            // Latin-1 code points as bytes, as the script writes them.
            std::fs::write(&path, text.chars().map(|c| c as u8).collect::<Vec<u8>>()).unwrap();
        }
        let read = |name: &str| std::fs::read(dir.join(name)).ok();
        let inputs = SessionInputs {
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.replace("{DIR}", root)))
                .chain([
                    ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
                    ("HOME".into(), root.to_string()),
                ])
                .collect(),
            config_file: read("config"),
            credentials_file: read("credentials"),
            profile: profile.map(String::from),
            random_seed: 7,
        };
        let session = session_of(inputs).unwrap();
        let transport = sansboto_blocking::HttpClient::new(Default::default()).unwrap();
        let mut machine = session.credential_source(None).resolve();
        let ours = match sansboto_blocking::block_on(sansboto_core::runtime::drive_credentials(
            &mut machine,
            &transport,
        )) {
            Ok(c) => json!({
                "access_key": c.access_key_id(), "secret_key": c.secret_access_key(),
                "token": c.session_token(),
            }),
            Err(CredentialsError::NotFound { .. }) => json!({"none": true}),
            Err(e) => json!({"error": match &e {
                CredentialsError::Partial { .. } => "Partial",
                CredentialsError::Retrieval { .. } => "Retrieval",
                _ => "another error",
            }, "why": e.to_string()}),
        };
        // botocore's exceptions by the variant that stands for each: a key file without its
        // secret is a bare `KeyError` there, and one not UTF-8 a bare `UnicodeDecodeError`;
        // sansboto reports a file it cannot read or parse as the provider's retrieval error,
        // naming the file.
        let theirs_comparable = match theirs["error"].as_str() {
            Some(error) => json!({"error": match error.split(':').next().unwrap_or_default() {
                "PartialCredentialsError" | "KeyError" => "Partial",
                "ConfigNotFound" | "UnicodeDecodeError" | "ConfigParseError" => "Retrieval",
                other => other,
            }}),
            // Each file's keys name it, so the same keys mean the same provider won.
            None => {
                let mut theirs = theirs.clone();
                theirs.as_object_mut().unwrap().remove("method");
                theirs
            }
        };
        let _ = std::fs::remove_dir_all(&dir);
        let mut ours_comparable = ours.clone();
        if let Some(o) = ours_comparable.as_object_mut() {
            o.remove("why");
        }
        if let Some(method) = theirs["method"].as_str() {
            methods.insert(method.to_string());
        }
        if ours_comparable != theirs_comparable {
            differences.push(format!(
                "{env:?} {files:?} {profile:?}\n  sansboto {ours}\n  botocore {theirs}"
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    for method in [
        "ec2-credentials-file",
        "boto-config",
        "env",
        "shared-credentials-file",
    ] {
        assert!(methods.contains(method), "{method} never won: {methods:?}");
    }
}
