//! `credential_process`: run the profile's command and read its JSON (`Version: 1`) output.
//! The transport splits the command line with [`crate::machine::split_command_line`] (POSIX
//! shell words, as botocore) and runs it without a shell.

use std::time::SystemTime;

use super::{
    credentials_from_value, Answer, Credentials, CredentialsError, Fetch, Found, ProviderKind,
};
use crate::machine::{ProcessOutput, Step};
use crate::value::Value;

const PROVIDER: ProviderKind = ProviderKind::Process;

pub(crate) struct ProcessFetch {
    command: String,
    /// The profile's `aws_account_id`, for output that names no `AccountId`.
    profile_account_id: Option<String>,
    started: bool,
    answer: Option<Answer>,
}

impl ProcessFetch {
    pub(crate) fn new(command: String, profile_account_id: Option<String>) -> Self {
        ProcessFetch {
            command,
            profile_account_id,
            started: false,
            answer: None,
        }
    }
}

fn retrieval(message: String) -> CredentialsError {
    CredentialsError::Retrieval {
        provider: PROVIDER,
        message,
    }
}

/// Credentials from a finished credential process, as botocore's `ProcessProvider` reads them.
pub(crate) fn parse_process_output(
    output: &ProcessOutput,
) -> Result<Credentials, CredentialsError> {
    if !output.success {
        let status = match output.code {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_string(),
        };
        return Err(retrieval(format!(
            "credential_process failed ({status}): {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    // The output holds secrets: errors describe it, never quote it.
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|e| {
        retrieval(format!(
            "credential_process output is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    if !json.is_object() {
        return Err(retrieval(
            "credential_process output is not a JSON object".into(),
        ));
    }
    let version = json.get("Version");
    if version.and_then(serde_json::Value::as_f64) != Some(1.0) {
        let shown = match version {
            None => "<Version key not provided>".to_string(),
            Some(v) => v.to_string(),
        };
        return Err(retrieval(format!(
            "unsupported version '{shown}' for credential process provider, supported versions: 1"
        )));
    }
    let value = Value::from(json);
    credentials_from_value(
        &value,
        [
            "AccessKeyId",
            "SecretAccessKey",
            "SessionToken",
            "Expiration",
        ],
    )
    .map(|creds| creds.with_account_id(account_id_of(&value)))
    .map_err(|why| retrieval(format!("credential_process output: {why}")))
}

impl Fetch for ProcessFetch {
    fn poll(&mut self, _now: SystemTime) -> Step<Found, CredentialsError> {
        if !self.started {
            self.started = true;
            return Step::RunProcess(self.command.clone());
        }
        match self.answer.take() {
            Some(Answer::Process(Ok(output))) => match parse_process_output(&output) {
                Ok(creds) if creds.account_id().is_none() => {
                    Step::Done(Ok(creds.with_account_id(self.profile_account_id.clone())))
                }
                Ok(creds) => Step::Done(Ok(creds)),
                Err(error) => Step::Failed(error),
            },
            Some(Answer::Process(Err(error))) => {
                Step::Failed(retrieval(format!("cannot run credential_process: {error}")))
            }
            _ => Step::Failed(CredentialsError::Protocol("expected a process result")),
        }
    }

    fn answer(&mut self, answer: Answer) {
        self.answer = Some(answer);
    }
}

/// The `AccountId` a `credential_process` prints, when it names one: an empty one names none,
/// so the profile's `aws_account_id` applies (botocore's `AccountId or aws_account_id`).
fn account_id_of(value: &Value) -> Option<&str> {
    value
        .get("AccountId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}
