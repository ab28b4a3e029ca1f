//! aws-cli's file cache of assumed roles (`~/.aws/cli/cache`, botocore's `JSONFileCache` given
//! to the assume-role and web-identity providers): the file a role's answer is kept in, and
//! the answer written and read back. The providers ask for the reads and writes as steps; this
//! module only names and formats the files.
//!
//! The cache is reached through a trait object that only [`AssumeRoleCache::new`] makes, so a
//! program that never keeps one does not carry its key (SHA-1 of Python's `json.dumps`), reader
//! and writer (issue #18, the size of a program's binary).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use super::sts::RoleConfig;
use super::Credentials;
use crate::value::Value;

/// How long cached assumed-role credentials must still be good for to be used (botocore's
/// `CachedCredentialFetcher` expiry window, 15 minutes).
const CACHE_EXPIRY_WINDOW_SECS: u64 = 15 * 60;

/// Where assumed-role credentials are kept between processes, in aws-cli's format (the same
/// files, so aws-cli and a program using this share them): see
/// [`Session::set_assume_role_cache`](crate::session::Session::set_assume_role_cache).
#[derive(Clone)]
pub struct AssumeRoleCache(Arc<dyn CacheFormat>);

impl AssumeRoleCache {
    /// The cache in `dir` (aws-cli's is `~/.aws/cli/cache`).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        AssumeRoleCache(Arc::new(AwsCliCache { dir: dir.into() }))
    }

    /// The file `role`'s answer is kept in.
    pub(super) fn role_file(&self, role: &RoleConfig) -> PathBuf {
        self.0.role_file(role)
    }

    /// The file a web identity answer for `token` is kept in.
    pub(super) fn web_identity_file(
        &self,
        role_arn: &str,
        session_name: Option<&str>,
        token: &str,
    ) -> PathBuf {
        self.0.web_identity_file(role_arn, session_name, token)
    }

    /// The credentials a cache file holds, while they have 15 minutes left (`None`: no usable
    /// entry, and the role is assumed again).
    pub(super) fn read(&self, file: &[u8], now: SystemTime) -> Option<Credentials> {
        self.0.read(file, now)
    }

    /// The cache file for an answer: its credentials and assumed-role user.
    pub(super) fn file(&self, creds: &Credentials, user: Option<&Value>) -> Vec<u8> {
        self.0.file(creds, user)
    }
}

impl std::fmt::Debug for AssumeRoleCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AssumeRoleCache(..)")
    }
}

/// What a cache does (one kind today, aws-cli's; a trait for the reason the module's first
/// lines give).
trait CacheFormat: Send + Sync {
    fn role_file(&self, role: &RoleConfig) -> PathBuf;
    fn web_identity_file(&self, role_arn: &str, session_name: Option<&str>, token: &str)
        -> PathBuf;
    fn read(&self, file: &[u8], now: SystemTime) -> Option<Credentials>;
    fn file(&self, creds: &Credentials, user: Option<&Value>) -> Vec<u8>;
}

/// aws-cli's cache in `dir`.
struct AwsCliCache {
    dir: PathBuf,
}

impl CacheFormat for AwsCliCache {
    /// Named by the SHA-1 of the role's `AssumeRole` arguments (the session name only when
    /// configured: a generated one is left out), as Python's `json.dumps(args,
    /// sort_keys=True)` writes them (the `_create_cache_key` of aws-cli's botocore).
    fn role_file(&self, role: &RoleConfig) -> PathBuf {
        // Inserted in sorted order, so the map's order is the sorted one whatever its kind.
        let mut args = serde_json::Map::new();
        if let Some(duration) = role.duration_seconds {
            args.insert("DurationSeconds".into(), duration.into());
        }
        if let Some(id) = &role.external_id {
            args.insert("ExternalId".into(), id.as_str().into());
        }
        args.insert("RoleArn".into(), role.role_arn.as_str().into());
        if let Some(name) = role.role_session_name.as_deref().filter(|n| !n.is_empty()) {
            args.insert("RoleSessionName".into(), name.into());
        }
        if let Some(serial) = &role.mfa_serial {
            args.insert("SerialNumber".into(), serial.as_str().into());
        }
        self.file_of(args)
    }

    /// Named by the role, the session name when configured, and the token (aws-cli's botocore
    /// adds it, so a new token is a new entry; botocore 1.44.5 leaves it out).
    fn web_identity_file(
        &self,
        role_arn: &str,
        session_name: Option<&str>,
        token: &str,
    ) -> PathBuf {
        let mut args = serde_json::Map::new();
        args.insert("RoleArn".into(), role_arn.into());
        if let Some(name) = session_name.filter(|n| !n.is_empty()) {
            args.insert("RoleSessionName".into(), name.into());
        }
        args.insert("WebIdentityToken".into(), token.into());
        self.file_of(args)
    }

    fn read(&self, file: &[u8], now: SystemTime) -> Option<Credentials> {
        let answer: serde_json::Value = serde_json::from_slice(file).ok()?;
        let creds = answer.get("Credentials")?;
        let text = |k: &str| creds.get(k)?.as_str().filter(|s| !s.is_empty());
        // botocore writes the time as `%Y-%m-%dT%H:%M:%S%Z`: `…UTC`.
        let expiration = text("Expiration")?;
        let expiration = match expiration.strip_suffix("UTC") {
            Some(utc) => crate::time::Timestamp::parse_iso8601(&format!("{utc}Z")),
            None => crate::time::Timestamp::parse_iso8601(expiration),
        }
        .ok()?
        .to_system_time();
        let left = expiration.duration_since(now).ok()?;
        if left.as_secs() < CACHE_EXPIRY_WINDOW_SECS {
            return None;
        }
        let found = Credentials::new(
            text("AccessKeyId")?,
            text("SecretAccessKey")?,
            text("SessionToken").map(str::to_owned),
            Some(expiration),
        );
        // As cached, even empty, and `None` for a file without it (written before botocore
        // cached the account): botocore's `creds.get('AccountId')`.
        let account = creds.get("AccountId").and_then(serde_json::Value::as_str);
        Some(found.with_account_id(account.map(str::to_owned)))
    }

    /// The answer's credentials (the time as botocore's `JSONFileCache` writes it) and
    /// assumed-role user, as Python's `json.dumps`.
    fn file(&self, creds: &Credentials, user: Option<&Value>) -> Vec<u8> {
        let mut credentials = serde_json::Map::new();
        credentials.insert("AccessKeyId".into(), creds.access_key_id().into());
        credentials.insert("SecretAccessKey".into(), creds.secret_access_key().into());
        if let Some(token) = creds.session_token() {
            credentials.insert("SessionToken".into(), token.into());
        }
        if let Some(expiry) = creds.expiry() {
            let iso = crate::time::Timestamp::from_system_time(expiry).to_iso8601();
            let utc = format!("{}UTC", iso.strip_suffix('Z').unwrap_or(&iso));
            credentials.insert("Expiration".into(), utc.into());
        }
        // botocore adds it to the answer (`_add_account_id_to_response`) and reads it back.
        if let Some(account) = creds.account_id() {
            credentials.insert("AccountId".into(), account.into());
        }
        let mut answer = serde_json::Map::new();
        answer.insert("Credentials".into(), credentials.into());
        if let Some(user) = user {
            answer.insert("AssumedRoleUser".into(), user.to_json());
        }
        crate::serialize::python_dumps(&serde_json::Value::Object(answer)).into_bytes()
    }
}

impl AwsCliCache {
    /// The cache file of `AssumeRole`-like arguments `args` (inserted sorted by name).
    fn file_of(&self, args: serde_json::Map<String, serde_json::Value>) -> PathBuf {
        use sha1::Digest as _;
        let text = crate::serialize::python_dumps(&serde_json::Value::Object(args));
        let digest = sha1::Sha1::digest(text.as_bytes());
        let mut name = String::with_capacity(45);
        crate::encoding::push_hex(&mut name, &digest);
        name.push_str(".json");
        self.dir.join(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn file(expiration: &str) -> Vec<u8> {
        format!(
            r#"{{"Credentials": {{"AccessKeyId": "AK", "SecretAccessKey": "SK",
               "SessionToken": "T", "Expiration": "{expiration}"}},
               "AssumedRoleUser": {{"Arn": "arn:aws:sts::123456789012:assumed-role/r/s"}}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn cached_roles_are_used_while_they_have_fifteen_minutes_left() {
        let cache = AssumeRoleCache::new("/c");
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let at = |secs: u64| {
            crate::time::Timestamp::from_system_time(now + Duration::from_secs(secs)).to_iso8601()
        };
        // botocore writes `…UTC`; ISO 8601 with `Z` is read too.
        let utc = |secs| format!("{}UTC", at(secs).trim_end_matches('Z'));
        let creds = cache
            .read(&file(&utc(16 * 60)), now)
            .expect("16 minutes left");
        assert_eq!(creds.access_key_id(), "AK");
        // A file without `AccountId` names no account, though its role's ARN has one: botocore
        // reads only `AccountId`.
        assert_eq!(creds.account_id(), None);
        let creds = creds.with_account_id(Some("123456789012"));
        assert!(cache.read(&file(&at(3600)), now).is_some());
        assert!(cache.read(&file(&utc(14 * 60)), now).is_none(), "too close");
        assert!(cache.read(b"not json", now).is_none());
        assert!(cache.read(&file("tomorrow"), now).is_none());

        // What is written is read back.
        let user = Value::from(serde_json::json!({"Arn": "a"}));
        let written = cache.file(&creds, Some(&user));
        let text = String::from_utf8(written.clone()).unwrap();
        assert!(
            text.contains(&format!(r#""Expiration": "{}""#, utc(16 * 60))),
            "{text}"
        );
        // The account, as botocore adds it to the answer and reads it back.
        assert!(text.contains(r#""AccountId": "123456789012""#), "{text}");
        let read = cache.read(&written, now).unwrap();
        assert_eq!(read.account_id(), Some("123456789012"));

        // An empty cached account is kept, as botocore keeps it (the DynamoDB account endpoint
        // rules then refuse it).
        let empty = String::from_utf8(file(&utc(3600))).unwrap().replace(
            r#""SessionToken": "T","#,
            r#""SessionToken": "T", "AccountId": "","#,
        );
        let read = cache.read(empty.as_bytes(), now).unwrap();
        assert_eq!(read.account_id(), Some(""));
    }

    #[test]
    fn the_cache_file_is_named_as_aws_clis_botocore_names_it() {
        use sha1::Digest as _;
        let named = |json: &str| {
            let digest = sha1::Sha1::digest(json.as_bytes());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            std::path::Path::new("/c").join(format!("{hex}.json"))
        };
        let cache = AssumeRoleCache::new("/c");
        let mut role = RoleConfig {
            profile: "p".into(),
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
            external_id: None,
            mfa_serial: None,
            role_session_name: None,
            duration_seconds: None,
        };
        // Python's `json.dumps(args, sort_keys=True)`; a generated session name left out.
        assert_eq!(
            cache.role_file(&role),
            named(r#"{"RoleArn": "arn:aws:iam::123456789012:role/r"}"#)
        );
        role.role_session_name = Some("s".into());
        role.mfa_serial = Some("m".into());
        role.duration_seconds = Some(900);
        assert_eq!(
            cache.role_file(&role),
            named(
                r#"{"DurationSeconds": 900, "RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s", "SerialNumber": "m"}"#
            )
        );
        assert_eq!(
            cache.web_identity_file("arn:r", Some(""), "tok"),
            named(r#"{"RoleArn": "arn:r", "WebIdentityToken": "tok"}"#)
        );
    }
}
