//! Configuration: the shared `~/.aws/config` and `~/.aws/credentials` files and the resolution of
//! settings (region, retry mode, endpoint URL, …) from explicit values, the environment, the
//! selected profile and defaults, the way botocore's `configloader` and `configprovider` do it.
//!
//! Everything here is pure: file *contents* and environment *maps* are inputs. The caller reads
//! the files whose paths [`shared_file_paths`] returns and passes their text to
//! [`ConfigFile::parse`].

mod ini;
mod settings;

use indexmap::IndexMap;
use std::borrow::Cow;

pub(crate) use ini::{is_py_space, py_splitlines, py_strip};
pub use ini::{ConfigValue, Section};
pub use settings::setting;
pub use settings::{
    configured_endpoint_url, endpoint_env_var_name, services_section_key, shared_file_paths,
    ConfigSources, DefaultsMode, ModeDefaults, ProfileKey, Resolved, ResolvedConfig, S3Config,
    Setting, SettingKind, SettingSource, SharedFilePaths, VarSource, SETTINGS,
};
pub(crate) use settings::{expand_user, expand_vars};
pub use settings::{py_float, py_int};

/// Everything that can be wrong with configuration text or values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file is not UTF-8 (botocore fails the same way on undecodable bytes).
    #[error("config file is not valid UTF-8 (first bad byte at offset {valid_up_to})")]
    InvalidUtf8 {
        /// Length of the valid prefix.
        valid_up_to: usize,
    },
    /// A key appears before any `[section]` header.
    #[error("config file line {line}: key outside of any [section] (a byte-order mark also causes this)")]
    MissingSectionHeader {
        /// 1-based line number.
        line: usize,
    },
    /// The same `[section]` header appears twice in one file.
    #[error("config file line {line}: section [{section}] already defined")]
    DuplicateSection {
        /// 1-based line number of the second header.
        line: usize,
        /// The section name.
        section: String,
    },
    /// The same key appears twice in one section of one file.
    #[error("config file line {line}: key {key:?} already set in section [{section}]")]
    DuplicateKey {
        /// 1-based line number of the second occurrence.
        line: usize,
        /// The section name.
        section: String,
        /// The (lower-cased) key.
        key: String,
    },
    /// Lines that are neither a section header, a `key = value`, a comment nor a continuation.
    /// (Their text is not repeated here: it may be a secret.)
    #[error("config file lines {lines:?}: expected `key = value`")]
    InvalidLines {
        /// 1-based line numbers.
        lines: Vec<usize>,
    },
    /// A nested block (`key =` followed by indented lines) has a line without `=`.
    #[error("config section [{section}] key {key:?}: nested lines must be `name = value`")]
    InvalidNestedValue {
        /// The section name.
        section: String,
        /// The key owning the nested block.
        key: String,
    },
    /// A profile was asked for (explicitly or through `AWS_PROFILE`/`AWS_DEFAULT_PROFILE`) but
    /// neither file defines it.
    #[error("The config profile ({profile}) could not be found")]
    ProfileNotFound {
        /// The requested profile name.
        profile: String,
    },
    /// The profile's `services = name` refers to a missing `[services name]` section.
    #[error("the profile is configured to use the services section but the \"{section}\" services configuration does not exist")]
    ServicesSectionNotFound {
        /// The missing services section name.
        section: String,
    },
    /// A setting has a value of the wrong form (e.g. `max_attempts = lots`).
    #[error("setting {setting} from {origin}: invalid value {value:?} ({expected})")]
    InvalidValue {
        /// Logical setting name.
        setting: &'static str,
        /// Where the value came from.
        origin: SettingSource,
        /// The offending value.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
}

/// One parsed INI file (config or credentials), sections in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    sections: IndexMap<String, Section>,
}

impl ConfigFile {
    /// Parses file text; nested blocks (`s3 =` + indented lines) become [`ConfigValue::Nested`].
    pub fn parse(text: &str) -> Result<ConfigFile, ConfigError> {
        Ok(ConfigFile {
            sections: ini::parse_sections(text, true)?,
        })
    }

    /// Parses raw file bytes, which must be UTF-8 (as botocore requires).
    pub fn parse_bytes(bytes: &[u8]) -> Result<ConfigFile, ConfigError> {
        let text = std::str::from_utf8(bytes).map_err(|e| ConfigError::InvalidUtf8 {
            valid_up_to: e.valid_up_to(),
        })?;
        Self::parse(text)
    }

    /// Parses without interpreting nested blocks: their value stays text starting with `\n`
    /// (botocore's `raw_config_parse(path, parse_subsections=False)`).
    pub fn parse_without_subsections(text: &str) -> Result<ConfigFile, ConfigError> {
        Ok(ConfigFile {
            sections: ini::parse_sections(text, false)?,
        })
    }

    /// Every section by its literal header name (`default`, `profile "x"`, …). This is also the
    /// credentials file's view: there, each section name is a profile name.
    pub fn sections(&self) -> &IndexMap<String, Section> {
        &self.sections
    }

    /// The config-file view of profiles: `[default]` and `[profile NAME]` (any header starting
    /// with `profile` whose shell-split form has exactly two words). When two headers name the
    /// same profile (`[default]` and `[profile default]`), the one later in the file wins.
    pub fn profiles(&self) -> IndexMap<Cow<'_, str>, &Section> {
        self.named_sections("profile", true)
    }

    /// `[sso-session NAME]` sections by name.
    pub fn sso_sessions(&self) -> IndexMap<Cow<'_, str>, &Section> {
        self.named_sections("sso-session", false)
    }

    /// `[services NAME]` sections by name (each maps a service key to a nested block).
    pub fn services(&self) -> IndexMap<Cow<'_, str>, &Section> {
        self.named_sections("services", false)
    }

    /// Sections that are neither profiles, sso-sessions nor services (e.g. `[plugins]`).
    pub fn other_sections(&self) -> IndexMap<Cow<'_, str>, &Section> {
        self.sections
            .iter()
            .filter(|(name, _)| section_kind(name) == SectionKind::Other)
            .map(|(name, section)| (Cow::Borrowed(name.as_str()), section))
            .collect()
    }

    fn named_sections(&self, prefix: &str, with_default: bool) -> IndexMap<Cow<'_, str>, &Section> {
        let mut named = IndexMap::new();
        for (header, section) in &self.sections {
            if with_default && header == "default" {
                named.insert(Cow::Borrowed(header.as_str()), section);
            } else if header.starts_with(prefix) {
                if let Some(name) = section_name(header, prefix) {
                    named.insert(name, section);
                }
            }
        }
        named
    }
}

#[derive(PartialEq, Eq)]
enum SectionKind {
    Profile,
    SsoSession,
    Services,
    Other,
}

/// botocore classifies sections by prefix, in this order.
fn section_kind(header: &str) -> SectionKind {
    if header.starts_with("profile") || header == "default" {
        SectionKind::Profile
    } else if header.starts_with("sso-session") {
        SectionKind::SsoSession
    } else if header.starts_with("services") {
        SectionKind::Services
    } else {
        SectionKind::Other
    }
}

/// The NAME in `prefix NAME` / `prefix "NAME"`; `None` when the header is not exactly two
/// shell words (botocore silently ignores such sections). Like botocore, only the prefix is
/// checked, so `[profilex y]` names profile `y`.
fn section_name<'a>(header: &'a str, prefix: &str) -> Option<Cow<'a, str>> {
    // Fast path for the common unquoted `profile name` form: borrow instead of allocating.
    if let Some(name) = header
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix(' '))
    {
        let plain = |c: char| !matches!(c, ' ' | '\t' | '\r' | '\n' | '"' | '\'' | '\\');
        if !name.is_empty() && name.chars().all(plain) {
            return Some(Cow::Borrowed(name));
        }
    }
    let mut words = ini::shell_split(header)?;
    if words.len() != 2 {
        return None;
    }
    words.pop().map(Cow::Owned)
}

/// The merged view botocore builds from both files: config-file profiles, with each
/// credentials-file section merged into the profile of the same name (credentials keys win),
/// plus sso-sessions and services from the config file. Build it once per session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharedConfig {
    profiles: IndexMap<String, Section>,
    sso_sessions: IndexMap<String, Section>,
    services: IndexMap<String, Section>,
}

impl SharedConfig {
    /// Merges a parsed config file and credentials file (either may be absent).
    pub fn new(config_file: Option<&ConfigFile>, credentials_file: Option<&ConfigFile>) -> Self {
        let own = |map: IndexMap<Cow<'_, str>, &Section>| -> IndexMap<String, Section> {
            map.into_iter()
                .map(|(k, v)| (k.into_owned(), v.clone()))
                .collect()
        };
        let mut shared = SharedConfig::default();
        if let Some(file) = config_file {
            shared.profiles = own(file.profiles());
            shared.sso_sessions = own(file.sso_sessions());
            shared.services = own(file.services());
        }
        if let Some(file) = credentials_file {
            for (name, section) in file.sections() {
                let profile = shared.profiles.entry(name.clone()).or_default();
                for (key, value) in section {
                    profile.insert(key.clone(), value.clone());
                }
            }
        }
        shared
    }

    /// All profiles by name.
    pub fn profiles(&self) -> &IndexMap<String, Section> {
        &self.profiles
    }

    /// One profile.
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profiles.get(name)
    }

    /// `[sso-session NAME]` sections.
    pub fn sso_sessions(&self) -> &IndexMap<String, Section> {
        &self.sso_sessions
    }

    /// `[services NAME]` sections.
    pub fn services(&self) -> &IndexMap<String, Section> {
        &self.services
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_and_kinds() {
        let file = ConfigFile::parse(
            "[default]\na=1\n[profile \"my p\"]\na=2\n[profile x y]\na=3\n[profile]\na=4\n\
             [sso-session s]\na=5\n[services svc]\ns3 =\n  endpoint_url = u\n[plugins]\na=6\n\
             [profilez w]\na=7\n",
        )
        .unwrap();
        let profiles = file.profiles();
        let names: Vec<&str> = profiles.keys().map(|k| k.as_ref()).collect();
        assert_eq!(names, ["default", "my p", "w"]);
        assert_eq!(
            file.sso_sessions()
                .keys()
                .map(|k| k.as_ref())
                .collect::<Vec<&str>>(),
            ["s"]
        );
        assert_eq!(
            file.services()["svc"]["s3"].as_nested().unwrap()["endpoint_url"],
            "u"
        );
        assert_eq!(
            file.other_sections()
                .keys()
                .map(|k| k.as_ref())
                .collect::<Vec<&str>>(),
            ["plugins"]
        );
    }

    #[test]
    fn later_default_header_wins() {
        let a = ConfigFile::parse("[default]\nregion=a\n[profile default]\nregion=b\n").unwrap();
        assert_eq!(a.profiles()["default"]["region"].as_text(), Some("b"));
        let b = ConfigFile::parse("[profile default]\nregion=b\n[default]\nregion=a\n").unwrap();
        assert_eq!(b.profiles()["default"]["region"].as_text(), Some("a"));
    }

    #[test]
    fn credentials_override_config_per_key() {
        let config = ConfigFile::parse("[default]\nregion=r\naws_access_key_id=c\n").unwrap();
        let creds =
            ConfigFile::parse("[default]\naws_access_key_id=k\n[profile p]\nx=1\n").unwrap();
        let shared = SharedConfig::new(Some(&config), Some(&creds));
        let default = shared.profile("default").unwrap();
        assert_eq!(default["region"].as_text(), Some("r"));
        assert_eq!(default["aws_access_key_id"].as_text(), Some("k"));
        // In the credentials file the whole header is the profile name.
        assert!(shared.profile("profile p").is_some());
        assert!(!format!("{shared:?}").contains("\"k\""));
    }
}
