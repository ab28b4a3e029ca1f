//! Shell completion from the models: `sansboto completion bash|zsh|fish` prints a script that
//! asks the command itself (`sansboto __complete -- WORDS… CURRENT`) for the candidates —
//! services (and aws-cli's command names), operations as aws-cli names them, an operation's
//! member options (`--bucket`, `--no-flag`) and the command's own options — so the candidates
//! are always those of the embedded models, with nothing generated ahead to go stale.

use sansboto_core::session::Session;

use crate::awsgrammar::kebab;
use crate::output::Failure;

/// The script for `shell`.
pub(crate) fn script(shell: &str) -> Result<&'static str, Failure> {
    match shell {
        "bash" => Ok(BASH),
        "zsh" => Ok(ZSH),
        "fish" => Ok(FISH),
        other => Err(Failure::Usage(format!(
            "completion: unknown shell {other:?} (bash, zsh or fish)"
        ))),
    }
}

const BASH: &str = r#"# sansboto completion for bash: source it, or put it in bash-completion's directory.
_sansboto() {
    local IFS=$'\n'
    COMPREPLY=($(sansboto __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _sansboto sansboto"#;

const ZSH: &str = r#"#compdef sansboto
# sansboto completion for zsh: put it on $fpath as _sansboto, or source it.
_sansboto() {
    local -a candidates
    candidates=("${(@f)$(sansboto __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    compadd -a candidates
}
compdef _sansboto sansboto"#;

const FISH: &str = r#"# sansboto completion for fish: save as ~/.config/fish/completions/sansboto.fish.
complete -c sansboto -f -a '(sansboto __complete -- (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'"#;

/// Options of the command that take a value (the word after them is not positional).
const VALUE_OPTIONS: &[&str] = &[
    "--region",
    "--endpoint-url",
    "--profile",
    "--signing-time",
    "--query",
    "--output",
    "--color",
    "--ca-bundle",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--params",
    "--outfile",
    "--max-items",
    "--page-size",
    "--starting-token",
    "--expires-in",
    "--delay",
    "--max-attempts",
];

const GLOBAL_OPTIONS: &[&str] = &[
    "--region",
    "--endpoint-url",
    "--profile",
    "--no-sign-request",
    "--debug",
    "--dry-run",
    "--signing-time",
    "--query",
    "--output",
    "--color",
    "--no-verify-ssl",
    "--ca-bundle",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--version",
    "--help",
];

const CALL_OPTIONS: &[&str] = &[
    "--params",
    "--cli-input-json",
    "--generate-cli-skeleton",
    "--outfile",
    "--no-paginate",
    "--max-items",
    "--page-size",
    "--starting-token",
];

/// The candidates for the last of `words` (the words after the program name; the last is
/// the one being completed, possibly empty), one per line.
pub(crate) fn candidates(session: &Session, words: &[String]) -> Vec<String> {
    let (current, before) = match words.split_last() {
        Some((current, before)) => (current.as_str(), before),
        None => ("", &[][..]),
    };
    let previous = before.last().map(String::as_str);
    let mut out: Vec<String> = Vec::new();
    match previous {
        Some("--output") => out.extend(["json", "text", "table", "yaml"].map(String::from)),
        Some("--color") => out.extend(["on", "off", "auto"].map(String::from)),
        Some("--generate-cli-skeleton") => out.extend(["input", "output"].map(String::from)),
        Some(option) if VALUE_OPTIONS.contains(&option) => return Vec::new(),
        _ => {
            let mut positional: Vec<&str> = Vec::new();
            let mut skip = false;
            for word in before {
                if skip {
                    skip = false;
                } else if word.starts_with("--") {
                    skip = VALUE_OPTIONS.contains(&word.as_str());
                } else if !word.is_empty() {
                    positional.push(word);
                }
            }
            match positional.as_slice() {
                [] => {
                    if let Ok(services) = session.services() {
                        out.extend(services);
                    }
                    out.extend(
                        crate::awsgrammar::COMMAND_NAMES
                            .iter()
                            .map(|c| c.to_string()),
                    );
                    out.extend(["help", "wait", "presign", "completion"].map(String::from));
                    out.extend(GLOBAL_OPTIONS.iter().map(|s| s.to_string()));
                }
                ["completion"] => out.extend(["bash", "zsh", "fish"].map(String::from)),
                [service] | ["help", service] => {
                    let service = crate::awsgrammar::service_name(service);
                    if let Ok(model) = crate::suggest::model(session, service) {
                        out.extend(model.operation_names().map(kebab));
                    }
                    out.push("help".into());
                    out.extend(GLOBAL_OPTIONS.iter().map(|s| s.to_string()));
                }
                [service, operation, ..] => {
                    let service = crate::awsgrammar::service_name(service);
                    if let Ok(model) = crate::suggest::model(session, service) {
                        if let Some(op) = model.operation(operation) {
                            let options = crate::awsgrammar::member_options(&model, service, op);
                            out.extend(
                                options
                                    .iter()
                                    .filter(|o| o.documented)
                                    .map(|o| format!("--{}", o.name)),
                            );
                            if let Some(command) = crate::ec2args::command(service, &op.name) {
                                out.extend(command.added().iter().map(|o| format!("--{o}")));
                            }
                            let extra = crate::addedargs::options(service, &op.name);
                            out.extend(extra.iter().map(|o| format!("--{}", o.name)));
                        }
                    }
                    out.extend(CALL_OPTIONS.iter().map(|s| s.to_string()));
                    out.extend(GLOBAL_OPTIONS.iter().map(|s| s.to_string()));
                    // An option already given is not offered again.
                    out.retain(|c| !before.iter().any(|w| w == c));
                }
            }
        }
    }
    out.retain(|c| c.starts_with(current));
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(words: &[&str]) -> Vec<String> {
        let session = sansboto_host::core_session(None).unwrap();
        candidates(
            &session,
            &words.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn services_operations_and_options() {
        let c = complete(&["s3a"]);
        assert!(c.contains(&"s3api".to_string()), "{c:?}");
        assert_eq!(complete(&["depl"]), ["deploy"]);
        let c = complete(&["dynamo"]);
        assert!(c.contains(&"dynamodb".to_string()) && c.contains(&"dynamodbstreams".to_string()));
        let c = complete(&["s3api", "put-obj"]);
        assert!(c.contains(&"put-object".to_string()) && c.contains(&"put-object-acl".to_string()));
        assert!(c.iter().all(|w| w.starts_with("put-obj")));
        let c = complete(&[
            "--region",
            "eu-west-1",
            "s3api",
            "put-object",
            "--bucket",
            "b",
            "--",
        ]);
        assert!(c.contains(&"--key".to_string()) && c.contains(&"--body".to_string()));
        assert!(!c.contains(&"--bucket".to_string()), "given already");
        let c = complete(&["ec2", "describe-images", "--include-dep"]);
        assert_eq!(c, ["--include-deprecated"]);
        let c = complete(&["ec2", "describe-images", "--no-include-dep"]);
        assert_eq!(c, ["--no-include-deprecated"]);
        assert_eq!(
            complete(&["s3api", "list-buckets", "--output", "t"]),
            ["table", "text"]
        );
        assert!(complete(&["s3api", "list-buckets", "--region", ""]).is_empty());
        assert_eq!(complete(&["completion", "z"]), ["zsh"]);
        // aws-cli's renames: the new name offered, the original and hidden aliases not.
        assert_eq!(
            complete(&["ec2", "create-network-acl-entry", "--ingr"]),
            ["--ingress"]
        );
        assert!(complete(&["ec2", "create-network-acl-entry", "--no-e"]).is_empty());
        assert_eq!(
            complete(&["sns", "subscribe", "--notification-e"]),
            ["--notification-endpoint"]
        );
        // Only the command's own option is left (aws-cli too reads `--endpoint` as it).
        assert_eq!(
            complete(&["sns", "subscribe", "--endpoint"]),
            ["--endpoint-url"]
        );
        assert_eq!(
            complete(&["iam", "enable-mfa-device", "--authentication-code"]),
            ["--authentication-code1", "--authentication-code2"]
        );
        assert_eq!(
            complete(&["deploy", "list-application-revisions", "--s3-b"]),
            ["--s3-bucket"]
        );
    }
}
