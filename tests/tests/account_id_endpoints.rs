//! Account-based endpoints (DynamoDB's `https://{AccountId}.ddb.{Region}.amazonaws.com`): the
//! account of the credentials — `AWS_ACCOUNT_ID`, a profile's `aws_account_id`, a
//! `credential_process`'s `AccountId`, the account of a role assumed with STS (moto) — and
//! `account_id_endpoint_mode` reach the endpoint rules as botocore 1.44.5 feeds them. Every case
//! is run on botocore too, with the same environment and config file, and the URLs compared.
//! sansboto's URL is the one a real client would send to, caught by a `before-send` hook that
//! then stops the call.

mod e2e_support;

use std::sync::{Arc, Mutex};

use e2e_support::{blocking_session, core_session, temp_dir};
use sansboto_core::config::ConfigError;
use sansboto_core::hooks::{Event, HookError, Target};
use sansboto_core::params;
use sansboto_core::Error;
use sansboto_tests::botocore;
use sansboto_tests::moto::MotoServer;

const ACCOUNT: &str = "111122223333";
const ACCOUNT_URL: &str = "https://111122223333.ddb.us-east-1.amazonaws.com/";
const REGIONAL_URL: &str = "https://dynamodb.us-east-1.amazonaws.com/";

/// What a DynamoDB GetItem in us-east-1 is sent to, or the error that stopped it before.
#[derive(Debug, PartialEq)]
enum Outcome {
    Url(String),
    /// botocore's exception class, or sansboto's error variant (compared through
    /// [`same_error`]).
    Error(String),
}

/// The URL sansboto sends GetItem to with `env`, `config_file` and the builder's extras.
fn sansboto_url(
    env: &[(&str, &str)],
    config_file: Option<&str>,
    mode: Option<&str>,
) -> Result<Outcome, Error> {
    let seen = Arc::new(Mutex::new(None));
    let captured = seen.clone();
    let mut builder = blocking_session(core_session(env, config_file, None))
        .client("dynamodb")
        .region("us-east-1")
        .hook(Event::BeforeSend, "capture", "*", move |_, target| {
            if let Target::Request(req) = target {
                *captured.lock().unwrap() = Some(req.uri().to_string());
            }
            Err(HookError::new("captured"))
        });
    if let Some(mode) = mode {
        builder = builder.account_id_endpoint_mode(mode);
    }
    let client = builder.build()?;
    let result = client.call(
        "GetItem",
        params! {"TableName": "t", "Key": params!{"id": params!{"S": "1"}}},
    );
    let url = seen.lock().unwrap().take();
    match (url, result) {
        (Some(url), _) => Ok(Outcome::Url(url)),
        (None, Err(e)) => Err(e),
        (None, Ok(v)) => panic!("the call was not stopped: {v:?}"),
    }
}

/// The URL botocore sends GetItem to with the same inputs, or its exception's class.
fn botocore_url(env: &[(&str, &str)], config_file: Option<&str>, mode: Option<&str>) -> Outcome {
    let dir = temp_dir("account-id-botocore");
    let mut env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if let Some(config) = config_file {
        let path = dir.join("config");
        std::fs::write(&path, config).unwrap();
        env.push(("AWS_CONFIG_FILE".into(), path.to_string_lossy().into()));
    }
    let config = match mode {
        Some(mode) => format!("Config(account_id_endpoint_mode={mode:?})"),
        None => "None".into(),
    };
    let snippet = format!(
        r#"
from botocore.awsrequest import AWSResponse
from botocore.config import Config
captured = {{}}
def before_send(request, **kwargs):
    captured['url'] = request.url
    return AWSResponse(request.url, 200, {{}}, None)
try:
    client = session.create_client('dynamodb', region_name='us-east-1', config={config})
    client.meta.events.register('before-send', before_send)
    client.get_item(TableName='t', Key={{'id': {{'S': '1'}}}})
except Exception as e:
    if not captured:
        captured['error'] = type(e).__name__
emit(captured)
"#
    );
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = botocore::run(&snippet, &env);
    let _ = std::fs::remove_dir_all(&dir);
    match (out["url"].as_str(), out["error"].as_str()) {
        (Some(url), _) => Outcome::Url(url.to_string()),
        (None, Some(error)) => Outcome::Error(error.to_string()),
        _ => panic!("botocore said nothing: {out}"),
    }
}

/// botocore's exception for a sansboto error, when they are the same failure.
fn same_error(sansboto: &Error, botocore: &str) -> bool {
    match (sansboto, botocore) {
        // A ruleset `error` rule (the `required` mode without an account).
        (Error::Endpoint(_), "EndpointResolutionError") => true,
        (Error::Config(ConfigError::InvalidValue { setting, .. }), "InvalidConfigError") => {
            *setting == "account_id_endpoint_mode"
        }
        _ => false,
    }
}

/// Run both and compare; returns the common URL (or panics).
fn both(env: &[(&str, &str)], config_file: Option<&str>, mode: Option<&str>) -> Outcome {
    let reference = botocore_url(env, config_file, mode);
    match (sansboto_url(env, config_file, mode), &reference) {
        (Ok(url), _) => assert_eq!(url, reference, "env {env:?} mode {mode:?}"),
        (Err(e), Outcome::Error(class)) => {
            assert!(same_error(&e, class), "sansboto {e:?}, botocore {class}")
        }
        (Err(e), Outcome::Url(url)) => panic!("sansboto failed ({e}) where botocore sent to {url}"),
    }
    reference
}

const KEYS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "AKIDACCOUNT"),
    ("AWS_SECRET_ACCESS_KEY", "secret"),
];

fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    KEYS.iter().chain(extra).copied().collect()
}

#[test]
fn the_environment_account_id_and_each_mode() {
    let account = with(&[("AWS_ACCOUNT_ID", ACCOUNT)]);
    assert_eq!(both(&account, None, None), Outcome::Url(ACCOUNT_URL.into()));
    assert_eq!(
        both(&account, None, Some("preferred")),
        Outcome::Url(ACCOUNT_URL.into())
    );
    assert_eq!(
        both(&account, None, Some("DISABLED")),
        Outcome::Url(REGIONAL_URL.into())
    );
    assert_eq!(
        both(&account, None, Some("required")),
        Outcome::Url(ACCOUNT_URL.into())
    );
    // The mode from the environment.
    let env_disabled = with(&[
        ("AWS_ACCOUNT_ID", ACCOUNT),
        ("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled"),
    ]);
    assert_eq!(
        both(&env_disabled, None, None),
        Outcome::Url(REGIONAL_URL.into())
    );
    // No account: the regional endpoint, and `required` fails in the rules.
    assert_eq!(
        both(&with(&[]), None, None),
        Outcome::Url(REGIONAL_URL.into())
    );
    assert_eq!(
        both(&with(&[]), None, Some("required")),
        Outcome::Error("EndpointResolutionError".into())
    );
    // A mode that is not one.
    assert_eq!(
        both(&account, None, Some("sometimes")),
        Outcome::Error("InvalidConfigError".into())
    );
    // An account id without keys in the environment belongs to no credentials.
    let config = "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n";
    assert_eq!(
        both(&[("AWS_ACCOUNT_ID", ACCOUNT)], Some(config), None),
        Outcome::Url(REGIONAL_URL.into())
    );
}

#[test]
fn the_profile_account_id_and_mode() {
    let config = format!(
        "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n\
         aws_account_id = {ACCOUNT}\n"
    );
    assert_eq!(
        both(&[], Some(&config), None),
        Outcome::Url(ACCOUNT_URL.into())
    );
    let disabled = format!("{config}account_id_endpoint_mode = disabled\n");
    assert_eq!(
        both(&[], Some(&disabled), None),
        Outcome::Url(REGIONAL_URL.into())
    );
}

/// Empty values, as people leave them: an empty `AWS_ACCOUNT_ID` is no account (the regional
/// endpoint; `required` fails), an empty profile `aws_account_id` is an account the rules
/// refuse unless the mode is `disabled`, and an empty mode is not one.
#[test]
fn empty_account_ids_and_modes() {
    let empty_env = with(&[("AWS_ACCOUNT_ID", "")]);
    assert_eq!(
        both(&empty_env, None, None),
        Outcome::Url(REGIONAL_URL.into())
    );
    assert_eq!(
        both(&empty_env, None, Some("required")),
        Outcome::Error("EndpointResolutionError".into())
    );
    let empty_mode = with(&[
        ("AWS_ACCOUNT_ID", ACCOUNT),
        ("AWS_ACCOUNT_ID_ENDPOINT_MODE", ""),
    ]);
    assert_eq!(
        both(&empty_mode, None, None),
        Outcome::Error("InvalidConfigError".into())
    );
    let config = "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n\
                  aws_account_id =\n";
    assert_eq!(
        both(&[], Some(config), None),
        Outcome::Error("EndpointResolutionError".into())
    );
    assert_eq!(
        both(&[], Some(config), Some("required")),
        Outcome::Error("EndpointResolutionError".into())
    );
    assert_eq!(
        both(&[], Some(config), Some("disabled")),
        Outcome::Url(REGIONAL_URL.into())
    );
    let empty_profile_mode = format!("{config}account_id_endpoint_mode =\n");
    assert_eq!(
        both(&[], Some(&empty_profile_mode), None),
        Outcome::Error("InvalidConfigError".into())
    );
}

#[test]
fn the_account_id_a_credential_process_prints() {
    let dir = temp_dir("account-id-process");
    let script = dir.join("creds.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho '{{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \
             \"SecretAccessKey\": \"s\", \"AccountId\": \"{ACCOUNT}\"}}'\n"
        ),
    )
    .unwrap();
    let printed = format!(
        "[default]\ncredential_process = /bin/sh {}\n",
        script.display()
    );
    assert_eq!(
        both(&[], Some(&printed), None),
        Outcome::Url(ACCOUNT_URL.into())
    );
    // Output without AccountId: the profile's aws_account_id.
    let bare = dir.join("bare.sh");
    std::fs::write(
        &bare,
        "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"s\"}'\n",
    )
    .unwrap();
    let profile = format!(
        "[default]\ncredential_process = /bin/sh {}\naws_account_id = 444455556666\n",
        bare.display()
    );
    assert_eq!(
        both(&[], Some(&profile), None),
        Outcome::Url("https://444455556666.ddb.us-east-1.amazonaws.com/".into())
    );
    // An empty AccountId names none: the profile's again; with an empty profile one too, the
    // empty account reaches the rules, which refuse it.
    let empty = dir.join("empty.sh");
    std::fs::write(
        &empty,
        "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"s\", \"AccountId\": \"\"}'\n",
    )
    .unwrap();
    for (profile_account, expected) in [
        (
            "444455556666",
            Outcome::Url("https://444455556666.ddb.us-east-1.amazonaws.com/".into()),
        ),
        ("", Outcome::Error("EndpointResolutionError".into())),
    ] {
        let profile = format!(
            "[default]\ncredential_process = /bin/sh {}\naws_account_id = {profile_account}\n",
            empty.display()
        );
        assert_eq!(both(&[], Some(&profile), None), expected);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_account_of_a_role_assumed_with_sts() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let config = "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n\
                  [profile deployer]\nrole_arn = arn:aws:iam::210987654321:role/deployer\n\
                  source_profile = base\nrole_session_name = account-test\n";
    let env = [
        ("AWS_PROFILE", "deployer"),
        ("AWS_ENDPOINT_URL_STS", endpoint.as_str()),
    ];
    let url = both(&env, Some(config), None);
    // The account comes from the assumed role user's ARN, as moto writes it.
    let Outcome::Url(url) = url else {
        panic!("{url:?}")
    };
    let account = url
        .strip_prefix("https://")
        .and_then(|u| u.split_once(".ddb."))
        .map(|(a, _)| a)
        .unwrap_or_default();
    assert!(
        account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()),
        "{url}"
    );
}
