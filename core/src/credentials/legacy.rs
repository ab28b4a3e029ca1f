//! The two file providers botocore still tries after the profile's and before the container
//! and instance metadata: the EC2 API tools' key file named by `AWS_CREDENTIAL_FILE`
//! (`ec2-credentials-file`) and boto2's config (`boto-config`: `BOTO_CONFIG`, else
//! `/etc/boto.cfg` then `~/.boto`). A machine that still carries one of these files gets
//! those keys from botocore, not its instance role; so does it here.
//!
//! Both are read as botocore reads them, failures included: a key file that cannot be read
//! fails the chain (botocore raises `ConfigNotFound`), a boto2 config that cannot be read is
//! passed over, one that does not parse fails the chain (`ConfigParseError`); both failures
//! are the provider's [`CredentialsError::Retrieval`], naming the file.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{Answer, Credentials, CredentialsError, Fetch, Found, ProviderKind};
use crate::config::{expand_user, expand_vars, ConfigFile, VarSource};
use crate::machine::Step;

/// Where the two providers look, resolved from the environment when the chain is made (boto2's
/// path has `$VAR`s expanded, as botocore's `raw_config_parse` does, from the whole
/// environment).
#[derive(Debug, Default)]
pub(crate) struct LegacyPaths {
    /// `AWS_CREDENTIAL_FILE`, `~` expanded; `None` when the variable is not set.
    ec2_credentials_file: Option<PathBuf>,
    /// The boto2 configs to try, in order.
    boto_configs: Vec<PathBuf>,
}

impl LegacyPaths {
    pub(crate) fn resolve(env: &dyn VarSource, home: Option<&Path>) -> Self {
        let boto_configs = match env.var("BOTO_CONFIG") {
            Some(path) => vec![expand_user(&expand_vars(path, env), home)],
            // Without a home directory there is no `~/.boto` to read (botocore would ask the
            // password database; the chain has no such source).
            None => std::iter::once(PathBuf::from("/etc/boto.cfg"))
                .chain(home.map(|home| home.join(".boto")))
                .collect(),
        };
        LegacyPaths {
            ec2_credentials_file: env
                .var("AWS_CREDENTIAL_FILE")
                .map(|path| expand_user(path, home)),
            boto_configs,
        }
    }
}

/// botocore's `OriginalEC2Provider`.
pub(crate) fn ec2_credentials_file(paths: &LegacyPaths) -> super::chain::Start {
    match &paths.ec2_credentials_file {
        Some(path) => super::chain::Start::Run(Box::new(Ec2CredentialsFile {
            path: path.clone(),
            asked: false,
            answer: None,
        })),
        None => super::chain::Start::Skip("AWS_CREDENTIAL_FILE not set".into()),
    }
}

/// botocore's `BotoProvider`.
pub(crate) fn boto_config(paths: &LegacyPaths) -> super::chain::Start {
    super::chain::Start::Run(Box::new(BotoConfig {
        candidates: paths.boto_configs.clone(),
        next: 0,
        answer: None,
    }))
}

struct Ec2CredentialsFile {
    path: PathBuf,
    asked: bool,
    answer: Option<std::io::Result<bytes::Bytes>>,
}

const EC2_FILE: ProviderKind = ProviderKind::Ec2CredentialsFile;

impl Fetch for Ec2CredentialsFile {
    fn poll(&mut self, _now: SystemTime) -> Step<Found, CredentialsError> {
        if !self.asked {
            self.asked = true;
            return Step::ReadFile(self.path.clone());
        }
        let retrieval = |message: String| CredentialsError::Retrieval {
            provider: EC2_FILE,
            message,
        };
        let bytes = match self.answer.take() {
            Some(Ok(bytes)) => bytes,
            Some(Err(error)) => {
                return Step::Failed(retrieval(format!(
                    "cannot read {}: {error}",
                    self.path.display()
                )))
            }
            None => return Step::Failed(CredentialsError::Protocol("expected the key file")),
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return Step::Failed(retrieval(format!("{} is not UTF-8", self.path.display())));
        };
        let Some(access) = key_value(text, "AWSAccessKeyId") else {
            return Step::Done(Err(format!("no AWSAccessKeyId in {}", self.path.display())));
        };
        let Some(secret) = key_value(text, "AWSSecretKey") else {
            return Step::Failed(CredentialsError::Partial {
                provider: EC2_FILE,
                missing: "AWSSecretKey".into(),
            });
        };
        // The EC2 tools' file has no session token.
        Step::Done(Ok(Credentials::new(access, secret, None, None)))
    }

    fn answer(&mut self, answer: Answer) {
        if let Answer::File(contents) = answer {
            self.answer = Some(contents);
        }
    }
}

/// The value of `key` as botocore's `parse_key_val_file_contents` reads the file: every line
/// with a `=` is a key and a value, split at the first `=` and stripped; a later line wins.
fn key_value<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    crate::config::py_splitlines(text)
        .filter_map(|line| line.split_once('='))
        .filter(|(k, _)| crate::config::py_strip(k) == key)
        .map(|(_, value)| crate::config::py_strip(value))
        .last()
}

struct BotoConfig {
    candidates: Vec<PathBuf>,
    /// The candidate to ask for next; the one before it is the one answered.
    next: usize,
    answer: Option<std::io::Result<bytes::Bytes>>,
}

const BOTO: ProviderKind = ProviderKind::BotoConfig;

impl Fetch for BotoConfig {
    fn poll(&mut self, _now: SystemTime) -> Step<Found, CredentialsError> {
        // A file that cannot be read is passed over, as botocore passes over one that is not
        // there (and configparser one it cannot open).
        let answered = self
            .next
            .checked_sub(1)
            .and_then(|i| self.candidates.get(i));
        if let (Some(Ok(bytes)), Some(path)) = (self.answer.take(), answered) {
            match boto_credentials(path, &bytes) {
                Ok(Some(credentials)) => return Step::Done(Ok(credentials)),
                Ok(None) => {}
                Err(error) => return Step::Failed(error),
            }
        }
        match self.candidates.get(self.next) {
            Some(path) => {
                self.next += 1;
                Step::ReadFile(path.clone())
            }
            None => Step::Done(Err(
                "no aws_access_key_id in a [Credentials] section of a boto config".into(),
            )),
        }
    }

    fn answer(&mut self, answer: Answer) {
        if let Answer::File(contents) = answer {
            self.answer = Some(contents);
        }
    }
}

/// The keys of one boto2 config's `[Credentials]` section, if it has an access key (boto2's
/// config gives botocore no session token).
fn boto_credentials(path: &Path, bytes: &[u8]) -> Result<Option<Credentials>, CredentialsError> {
    let file = ConfigFile::parse_bytes(bytes).map_err(|error| CredentialsError::Retrieval {
        provider: BOTO,
        message: format!("cannot parse {}: {error}", path.display()),
    })?;
    let Some(section) = file.sections().get("Credentials") else {
        return Ok(None);
    };
    let text = |key: &str| section.get(key).and_then(|v| v.as_text());
    let Some(access) = text("aws_access_key_id") else {
        return Ok(None);
    };
    let Some(secret) = text("aws_secret_access_key") else {
        return Err(CredentialsError::Partial {
            provider: BOTO,
            missing: "aws_secret_access_key".into(),
        });
    };
    Ok(Some(Credentials::new(access, secret, None, None)))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn key_values_read_as_botocore_reads_them() {
        let text =
            "AWSAccessKeyId = a=b \r\nno equals\x0bAWSSecretKey=\tS \u{2028}AWSAccessKeyId=c\x1cx=";
        assert_eq!(key_value(text, "AWSAccessKeyId"), Some("c"));
        assert_eq!(key_value(text, "AWSSecretKey"), Some("S"));
        assert_eq!(key_value(text, "x"), Some(""));
        assert_eq!(key_value(text, "no equals"), None);
        assert_eq!(
            key_value("AWSAccessKeyId = a=b", "AWSAccessKeyId"),
            Some("a=b")
        );
    }

    #[test]
    fn paths_come_from_the_environment_or_boto2s_defaults() {
        let home = Path::new("/home/u");
        let env: HashMap<String, String> = HashMap::new();
        let paths = LegacyPaths::resolve(&env, Some(home));
        assert_eq!(paths.ec2_credentials_file, None);
        assert_eq!(
            paths.boto_configs,
            [PathBuf::from("/etc/boto.cfg"), home.join(".boto")]
        );
        let env: HashMap<String, String> = [
            ("AWS_CREDENTIAL_FILE", "~/$D/keys"),
            ("BOTO_CONFIG", "~/${D}/boto"),
            ("D", "d"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let paths = LegacyPaths::resolve(&env, Some(home));
        // botocore expands `~` in the key file's path but not `$VAR`s.
        assert_eq!(paths.ec2_credentials_file, Some(home.join("$D/keys")));
        assert_eq!(paths.boto_configs, [home.join("d/boto")]);
        let paths = LegacyPaths::resolve(&HashMap::<String, String>::new(), None);
        assert_eq!(paths.boto_configs, [PathBuf::from("/etc/boto.cfg")]);
    }
}
