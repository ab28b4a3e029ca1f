//! Setting resolution: one table of (logical name → environment variables → profile keys →
//! default), read in the order explicit value > environment > selected profile > default, as
//! botocore's `configprovider` chains do. Special cases that are not a plain chain (profile
//! selection, configured endpoint URLs, file paths, defaults modes) sit beside the table.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::ini::is_py_space;
use super::{ConfigError, ConfigValue, Section, SharedConfig};
use crate::retry::RetryMode;

/// A lookup of named string values: the process environment (as a map) or explicit settings.
pub trait VarSource {
    /// The value of `name`, if set.
    fn var(&self, name: &str) -> Option<&str>;
}

impl VarSource for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl VarSource for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl VarSource for [(&str, &str)] {
    fn var(&self, name: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }
}

impl<const N: usize> VarSource for [(&str, &str); N] {
    fn var(&self, name: &str) -> Option<&str> {
        self.as_slice().var(name)
    }
}

/// No values at all.
impl VarSource for () {
    fn var(&self, _name: &str) -> Option<&str> {
        None
    }
}

/// How a setting's text is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    /// Used as is.
    Text,
    /// botocore's `ensure_boolean`: `true` in any case is true, anything else is false.
    Bool,
    /// A decimal integer.
    Int,
}

/// Where a profile stores a setting: a top-level key or a key inside a nested block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKey {
    /// `key = value`.
    Top(&'static str),
    /// `section =` / `  key = value`.
    Nested(&'static str, &'static str),
}

/// One row of the settings table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// Logical name; also the key for explicit values in [`ConfigSources::explicit`].
    pub name: &'static str,
    /// Environment variables, first found wins.
    pub env: &'static [&'static str],
    /// Profile keys, first found wins.
    pub profile_keys: &'static [ProfileKey],
    /// Value when nothing else is set.
    pub default: Option<&'static str>,
    /// Interpretation of the text.
    pub kind: SettingKind,
}

/// Named rows of the settings table (botocore 1.44.5's session and `s3` variables).
#[rustfmt::skip]
pub mod setting {
    use super::ProfileKey::{Nested, Top};
    use super::{Setting, SettingKind};

    const fn row(
        name: &'static str,
        env: &'static [&'static str],
        profile_keys: &'static [super::ProfileKey],
        default: Option<&'static str>,
        kind: SettingKind,
    ) -> Setting {
        Setting {
            name,
            env,
            profile_keys,
            default,
            kind,
        }
    }
    use SettingKind::{Bool, Int, Text};

    /// Profile name. botocore reads `AWS_DEFAULT_PROFILE` before `AWS_PROFILE`.
    pub const PROFILE: Setting = row("profile", &["AWS_DEFAULT_PROFILE", "AWS_PROFILE"], &[], None, Text);
    /// Region. botocore itself reads only `AWS_DEFAULT_REGION`; sansboto also honours the
    /// cross-SDK `AWS_REGION`, first.
    pub const REGION: Setting = row("region", &["AWS_REGION", "AWS_DEFAULT_REGION"], &[Top("region")], None, Text);
    /// Path of the shared config file.
    pub const CONFIG_FILE: Setting = row("config_file", &["AWS_CONFIG_FILE"], &[], Some("~/.aws/config"), Text);
    /// Path of the shared credentials file.
    pub const CREDENTIALS_FILE: Setting = row("credentials_file", &["AWS_SHARED_CREDENTIALS_FILE"], &[], Some("~/.aws/credentials"), Text);
    /// Extra model data directories.
    pub const DATA_PATH: Setting = row("data_path", &["AWS_DATA_PATH"], &[Top("data_path")], None, Text);
    /// CA bundle path for TLS.
    pub const CA_BUNDLE: Setting = row("ca_bundle", &["AWS_CA_BUNDLE"], &[Top("ca_bundle")], None, Text);
    /// IMDS timeout (seconds).
    pub const METADATA_SERVICE_TIMEOUT: Setting = row("metadata_service_timeout", &["AWS_METADATA_SERVICE_TIMEOUT"], &[Top("metadata_service_timeout")], Some("1"), Int);
    /// IMDS attempts.
    pub const METADATA_SERVICE_NUM_ATTEMPTS: Setting = row("metadata_service_num_attempts", &["AWS_METADATA_SERVICE_NUM_ATTEMPTS"], &[Top("metadata_service_num_attempts")], Some("1"), Int);
    /// IMDS endpoint override.
    pub const EC2_METADATA_SERVICE_ENDPOINT: Setting = row("ec2_metadata_service_endpoint", &["AWS_EC2_METADATA_SERVICE_ENDPOINT"], &[Top("ec2_metadata_service_endpoint")], None, Text);
    /// IMDS endpoint mode (`IPv4`/`IPv6`).
    pub const EC2_METADATA_SERVICE_ENDPOINT_MODE: Setting = row("ec2_metadata_service_endpoint_mode", &["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"], &[Top("ec2_metadata_service_endpoint_mode")], None, Text);
    /// Refuse IMDSv1 fallback.
    pub const EC2_METADATA_V1_DISABLED: Setting = row("ec2_metadata_v1_disabled", &["AWS_EC2_METADATA_V1_DISABLED"], &[Top("ec2_metadata_v1_disabled")], Some("false"), Bool);
    /// Never query IMDS (environment only, as in botocore's instance metadata provider).
    pub const EC2_METADATA_DISABLED: Setting = row("ec2_metadata_disabled", &["AWS_EC2_METADATA_DISABLED"], &[], Some("false"), Bool);
    /// Use IPv6 for IMDS.
    pub const IMDS_USE_IPV6: Setting = row("imds_use_ipv6", &["AWS_IMDS_USE_IPV6"], &[Top("imds_use_ipv6")], Some("false"), Bool);
    /// Dual-stack endpoints.
    pub const USE_DUALSTACK_ENDPOINT: Setting = row("use_dualstack_endpoint", &["AWS_USE_DUALSTACK_ENDPOINT"], &[Top("use_dualstack_endpoint")], None, Bool);
    /// FIPS endpoints.
    pub const USE_FIPS_ENDPOINT: Setting = row("use_fips_endpoint", &["AWS_USE_FIPS_ENDPOINT"], &[Top("use_fips_endpoint")], None, Bool);
    /// Ignore configured endpoint URLs (env, profile, services section).
    pub const IGNORE_CONFIGURED_ENDPOINT_URLS: Setting = row("ignore_configured_endpoint_urls", &["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"], &[Top("ignore_configured_endpoint_urls")], None, Bool);
    /// Client-side parameter validation.
    pub const PARAMETER_VALIDATION: Setting = row("parameter_validation", &[], &[Top("parameter_validation")], Some("true"), Bool);
    /// Endpoint discovery (`auto`, `true`, `false`).
    pub const ENDPOINT_DISCOVERY_ENABLED: Setting = row("endpoint_discovery_enabled", &["AWS_ENDPOINT_DISCOVERY_ENABLED"], &[Top("endpoint_discovery_enabled")], Some("auto"), Text);
    /// STS endpoints (`regional` or `legacy`).
    pub const STS_REGIONAL_ENDPOINTS: Setting = row("sts_regional_endpoints", &["AWS_STS_REGIONAL_ENDPOINTS"], &[Top("sts_regional_endpoints")], Some("regional"), Text);
    /// Retry mode (`standard`, `adaptive`, `legacy`).
    pub const RETRY_MODE: Setting = row("retry_mode", &["AWS_RETRY_MODE"], &[Top("retry_mode")], Some("standard"), Text);
    /// Defaults mode (`legacy`, `standard`, `in-region`, `cross-region`, `mobile`, `auto`).
    pub const DEFAULTS_MODE: Setting = row("defaults_mode", &["AWS_DEFAULTS_MODE"], &[Top("defaults_mode")], Some("legacy"), Text);
    /// Total attempts including the first (no default: the retry mode decides).
    pub const MAX_ATTEMPTS: Setting = row("max_attempts", &["AWS_MAX_ATTEMPTS"], &[Top("max_attempts")], None, Int);
    /// Application id for the user agent.
    pub const USER_AGENT_APPID: Setting = row("user_agent_appid", &["AWS_SDK_UA_APP_ID"], &[Top("sdk_ua_app_id")], None, Text);
    /// Smallest body that is compressed.
    pub const REQUEST_MIN_COMPRESSION_SIZE_BYTES: Setting = row("request_min_compression_size_bytes", &["AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES"], &[Top("request_min_compression_size_bytes")], Some("10240"), Int);
    /// Turn request compression off.
    pub const DISABLE_REQUEST_COMPRESSION: Setting = row("disable_request_compression", &["AWS_DISABLE_REQUEST_COMPRESSION"], &[Top("disable_request_compression")], Some("false"), Bool);
    /// SigV4a region set.
    pub const SIGV4A_SIGNING_REGION_SET: Setting = row("sigv4a_signing_region_set", &["AWS_SIGV4A_SIGNING_REGION_SET"], &[Top("sigv4a_signing_region_set")], None, Text);
    /// `when_supported` or `when_required`.
    pub const REQUEST_CHECKSUM_CALCULATION: Setting = row("request_checksum_calculation", &["AWS_REQUEST_CHECKSUM_CALCULATION"], &[Top("request_checksum_calculation")], Some("when_supported"), Text);
    /// `when_supported` or `when_required`.
    pub const RESPONSE_CHECKSUM_VALIDATION: Setting = row("response_checksum_validation", &["AWS_RESPONSE_CHECKSUM_VALIDATION"], &[Top("response_checksum_validation")], Some("when_supported"), Text);
    /// `preferred`, `required` or `disabled`.
    pub const ACCOUNT_ID_ENDPOINT_MODE: Setting = row("account_id_endpoint_mode", &["AWS_ACCOUNT_ID_ENDPOINT_MODE"], &[Top("account_id_endpoint_mode")], Some("preferred"), Text);
    /// Do not prepend modeled host prefixes.
    pub const DISABLE_HOST_PREFIX_INJECTION: Setting = row("disable_host_prefix_injection", &["AWS_DISABLE_HOST_PREFIX_INJECTION"], &[Top("disable_host_prefix_injection")], None, Bool);
    /// Preferred auth schemes, comma separated.
    pub const AUTH_SCHEME_PREFERENCE: Setting = row("auth_scheme_preference", &["AWS_AUTH_SCHEME_PREFERENCE"], &[Top("auth_scheme_preference")], None, Text);
    /// TCP keep-alive.
    pub const TCP_KEEPALIVE: Setting = row("tcp_keepalive", &["BOTOCORE_TCP_KEEPALIVE"], &[Top("tcp_keepalive")], None, Bool);
    /// Turn off S3 Express session auth.
    pub const S3_DISABLE_EXPRESS_SESSION_AUTH: Setting = row("s3_disable_express_session_auth", &["AWS_S3_DISABLE_EXPRESS_SESSION_AUTH"], &[Top("s3_disable_express_session_auth")], None, Text);
    /// S3 `auto`, `virtual` or `path`.
    pub const S3_ADDRESSING_STYLE: Setting = row("s3.addressing_style", &[], &[Nested("s3", "addressing_style")], None, Text);
    /// S3 Transfer Acceleration.
    pub const S3_USE_ACCELERATE_ENDPOINT: Setting = row("s3.use_accelerate_endpoint", &[], &[Nested("s3", "use_accelerate_endpoint")], None, Bool);
    /// S3 dual-stack (S3-only spelling).
    pub const S3_USE_DUALSTACK_ENDPOINT: Setting = row("s3.use_dualstack_endpoint", &[], &[Nested("s3", "use_dualstack_endpoint")], None, Bool);
    /// Sign S3 payloads.
    pub const S3_PAYLOAD_SIGNING_ENABLED: Setting = row("s3.payload_signing_enabled", &[], &[Nested("s3", "payload_signing_enabled")], None, Bool);
    /// Use the region of an access point ARN.
    pub const S3_USE_ARN_REGION: Setting = row("s3.use_arn_region", &["AWS_S3_USE_ARN_REGION"], &[Top("s3_use_arn_region"), Nested("s3", "use_arn_region")], None, Bool);
    /// `regional` or `legacy` for us-east-1.
    pub const S3_US_EAST_1_REGIONAL_ENDPOINT: Setting = row("s3.us_east_1_regional_endpoint", &["AWS_S3_US_EAST_1_REGIONAL_ENDPOINT"], &[ Top("s3_us_east_1_regional_endpoint"), Nested("s3", "us_east_1_regional_endpoint"), ], None, Text);
    /// Turn off multi-region access points.
    pub const S3_DISABLE_MULTIREGION_ACCESS_POINTS: Setting = row("s3.s3_disable_multiregion_access_points", &["AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS"], &[Nested("s3", "s3_disable_multiregion_access_points")], None, Bool);
}

/// The whole table, for lookups by logical name and documentation.
pub static SETTINGS: &[Setting] = {
    use setting::*;
    &[
        PROFILE,
        REGION,
        CONFIG_FILE,
        CREDENTIALS_FILE,
        DATA_PATH,
        CA_BUNDLE,
        METADATA_SERVICE_TIMEOUT,
        METADATA_SERVICE_NUM_ATTEMPTS,
        EC2_METADATA_SERVICE_ENDPOINT,
        EC2_METADATA_SERVICE_ENDPOINT_MODE,
        EC2_METADATA_V1_DISABLED,
        EC2_METADATA_DISABLED,
        IMDS_USE_IPV6,
        USE_DUALSTACK_ENDPOINT,
        USE_FIPS_ENDPOINT,
        IGNORE_CONFIGURED_ENDPOINT_URLS,
        PARAMETER_VALIDATION,
        ENDPOINT_DISCOVERY_ENABLED,
        STS_REGIONAL_ENDPOINTS,
        RETRY_MODE,
        DEFAULTS_MODE,
        MAX_ATTEMPTS,
        USER_AGENT_APPID,
        REQUEST_MIN_COMPRESSION_SIZE_BYTES,
        DISABLE_REQUEST_COMPRESSION,
        SIGV4A_SIGNING_REGION_SET,
        REQUEST_CHECKSUM_CALCULATION,
        RESPONSE_CHECKSUM_VALIDATION,
        ACCOUNT_ID_ENDPOINT_MODE,
        DISABLE_HOST_PREFIX_INJECTION,
        AUTH_SCHEME_PREFERENCE,
        TCP_KEEPALIVE,
        S3_DISABLE_EXPRESS_SESSION_AUTH,
        S3_ADDRESSING_STYLE,
        S3_USE_ACCELERATE_ENDPOINT,
        S3_USE_DUALSTACK_ENDPOINT,
        S3_PAYLOAD_SIGNING_ENABLED,
        S3_USE_ARN_REGION,
        S3_US_EAST_1_REGIONAL_ENDPOINT,
        S3_DISABLE_MULTIREGION_ACCESS_POINTS,
    ]
};

impl Setting {
    /// The table row with this logical name.
    pub fn named(name: &str) -> Option<&'static Setting> {
        SETTINGS.iter().find(|s| s.name == name)
    }
}

/// Where a resolved value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingSource {
    /// Set explicitly by the caller (client configuration).
    Explicit,
    /// This environment variable.
    Environment(&'static str),
    /// The selected profile, under this key.
    Profile(ProfileKey),
    /// A built-in or defaults-mode default.
    Default,
}

impl std::fmt::Display for SettingSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SettingSource::Explicit => f.write_str("explicit configuration"),
            SettingSource::Environment(var) => write!(f, "environment variable {var}"),
            SettingSource::Profile(ProfileKey::Top(key)) => write!(f, "profile key {key}"),
            SettingSource::Profile(ProfileKey::Nested(s, key)) => {
                write!(f, "profile key {s}.{key}")
            }
            SettingSource::Default => f.write_str("default"),
        }
    }
}

/// A setting's text and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved<'a> {
    /// The text.
    pub value: &'a str,
    /// Its origin.
    pub source: SettingSource,
}

/// The inputs of resolution. Build once per session/client; lookups borrow, never copy.
#[derive(Clone, Copy)]
pub struct ConfigSources<'a> {
    /// Explicit values keyed by logical setting name (`region`, `profile`, `s3.addressing_style`…).
    pub explicit: &'a dyn VarSource,
    /// The environment.
    pub env: &'a dyn VarSource,
    /// The merged shared files, when read.
    pub shared: Option<&'a SharedConfig>,
}

impl<'a> ConfigSources<'a> {
    /// Sources with no explicit values.
    pub fn new(env: &'a dyn VarSource, shared: Option<&'a SharedConfig>) -> Self {
        ConfigSources {
            explicit: &(),
            env,
            shared,
        }
    }

    /// The selected profile name: explicit, then `AWS_DEFAULT_PROFILE`, then `AWS_PROFILE`.
    pub fn profile_name(&self) -> Option<&'a str> {
        self.explicit
            .var(setting::PROFILE.name)
            .or_else(|| setting::PROFILE.env.iter().find_map(|v| self.env.var(v)))
    }

    /// The selected profile's section. Without a named profile this is `default` (or nothing);
    /// a named profile that does not exist is an error, as in botocore.
    pub fn scoped_profile(&self) -> Result<Option<&'a Section>, ConfigError> {
        let profiles = self.shared.map(SharedConfig::profiles);
        match self.profile_name() {
            None => Ok(profiles.and_then(|p| p.get("default"))),
            Some(name) => match profiles.and_then(|p| p.get(name)) {
                Some(section) => Ok(Some(section)),
                None => Err(ConfigError::ProfileNotFound {
                    profile: name.to_string(),
                }),
            },
        }
    }

    /// Resolves one setting's text with its table default.
    pub fn resolve(&self, setting: &Setting) -> Result<Option<Resolved<'a>>, ConfigError> {
        self.resolve_with_default(setting, setting.default)
    }

    /// Resolves one setting's text with `default` in place of the table's (defaults modes).
    pub fn resolve_with_default(
        &self,
        setting: &Setting,
        default: Option<&'static str>,
    ) -> Result<Option<Resolved<'a>>, ConfigError> {
        self.resolve_as(setting, default, None)
    }

    /// Resolves one setting's text; a nested block found where its text belongs reads as
    /// `nested_block` when that is given (else it is passed over, as if absent).
    fn resolve_as(
        &self,
        setting: &Setting,
        default: Option<&'static str>,
        nested_block: Option<&'static str>,
    ) -> Result<Option<Resolved<'a>>, ConfigError> {
        if let Some(value) = self.explicit.var(setting.name) {
            return Ok(Some(Resolved {
                value,
                source: SettingSource::Explicit,
            }));
        }
        for var in setting.env {
            if let Some(value) = self.env.var(var) {
                return Ok(Some(Resolved {
                    value,
                    source: SettingSource::Environment(var),
                }));
            }
        }
        if !setting.profile_keys.is_empty() {
            if let Some(profile) = self.scoped_profile()? {
                for key in setting.profile_keys {
                    let value = profile_text(profile, *key).or_else(|| match key {
                        ProfileKey::Top(k) if profile.get(*k)?.as_nested().is_some() => {
                            nested_block
                        }
                        _ => None,
                    });
                    if let Some(value) = value {
                        return Ok(Some(Resolved {
                            value,
                            source: SettingSource::Profile(*key),
                        }));
                    }
                }
            }
        }
        Ok(default.map(|value| Resolved {
            value,
            source: SettingSource::Default,
        }))
    }

    /// A text setting.
    pub fn text(&self, setting: &Setting) -> Result<Option<&'a str>, ConfigError> {
        Ok(self.resolve(setting)?.map(|r| r.value))
    }

    /// A boolean setting (`true` in any case is true, anything else false). A nested block
    /// where the profile's value belongs is false, as botocore's `ensure_boolean` of the dict
    /// its parser makes of one (so `parameter_validation =` with indented lines below turns
    /// validation off).
    pub fn boolean(&self, setting: &Setting) -> Result<Option<bool>, ConfigError> {
        Ok(self
            .resolve_as(setting, setting.default, Some("false"))?
            .map(|r| r.value.eq_ignore_ascii_case("true")))
    }

    /// An integer setting.
    pub fn integer(&self, setting: &Setting) -> Result<Option<i64>, ConfigError> {
        self.resolve(setting)?
            .map(|r| parse_int(setting, r))
            .transpose()
    }
}

fn parse_int(setting: &Setting, resolved: Resolved<'_>) -> Result<i64, ConfigError> {
    py_int(resolved.value).ok_or_else(|| ConfigError::InvalidValue {
        setting: setting.name,
        origin: resolved.source,
        value: resolved.value.to_string(),
        expected: "an integer",
    })
}

/// Python's `int(text)`, as botocore reads integers from settings and aws-cli from the command
/// line: surrounding whitespace (`str.strip`'s, less the four separators `\x1c`–`\x1f` `int`
/// does not take), a sign, and single underscores between digits (`1_000`). Left out: digits
/// of other scripts (`int('٥')` is 5), and values beyond 64 bits, which `int` takes.
///
/// ```
/// use sansboto_core::config::py_int;
/// assert_eq!(py_int(" +1_000\n"), Some(1000));
/// assert_eq!(py_int("1__0"), None);
/// ```
pub fn py_int(text: &str) -> Option<i64> {
    let text = py_number_text(text);
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let well_formed = !digits.is_empty()
        && underscores_between_digits(digits)
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    if !well_formed {
        return None;
    }
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    plain.parse().ok()
}

/// Python's `float(text)`, as aws-cli reads a float from the command line and botocore epoch
/// seconds: [`py_int`]'s whitespace and underscores (`1_000.5`), and Rust's reading of the
/// rest, which is Python's (`.5`, `5.`, `1e3`, `inf`, `nan` in any case). Left out, as in
/// [`py_int`]: digits of other scripts.
///
/// ```
/// use sansboto_core::config::py_float;
/// assert_eq!(py_float(" 1_0.5 "), Some(10.5));
/// assert_eq!(py_float("1_.5"), None);
/// ```
pub fn py_float(text: &str) -> Option<f64> {
    let text = py_number_text(text);
    if !text.contains('_') {
        return text.parse().ok();
    }
    if !underscores_between_digits(text) {
        return None;
    }
    text.replace('_', "").parse().ok()
}

/// `text` without the whitespace Python's `int` and `float` take around a number.
fn py_number_text(text: &str) -> &str {
    text.trim_matches(|c| is_py_space(c) && !('\x1c'..='\x1f').contains(&c))
}

/// Whether every `_` in `text` sits between two digits (`1_0`, not `_1`, `1__0` or `1_.5`).
fn underscores_between_digits(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'_'
            || (i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
    })
}

/// A profile's text under `key`; a nested block is not text (and vice versa), so it is absent.
fn profile_text(profile: &Section, key: ProfileKey) -> Option<&str> {
    match key {
        ProfileKey::Top(k) => profile.get(k)?.as_text(),
        ProfileKey::Nested(section, k) => profile
            .get(section)?
            .as_nested()?
            .get(k)
            .map(String::as_str),
    }
}

/// botocore's defaults modes (`sdk-default-configuration.json`, 1.44.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultsMode {
    /// Pre-defaults-mode behaviour (the default).
    Legacy,
    /// Recommended defaults.
    Standard,
    /// Calls stay in the client's region.
    InRegion,
    /// Calls cross regions.
    CrossRegion,
    /// Mobile clients.
    Mobile,
    /// Pick from the environment with [`DefaultsMode::resolve_auto`].
    Auto,
}

impl DefaultsMode {
    /// Parses a mode name (case-insensitive).
    pub fn parse(name: &str) -> Option<DefaultsMode> {
        Some(match name.to_ascii_lowercase().as_str() {
            "legacy" => DefaultsMode::Legacy,
            "standard" => DefaultsMode::Standard,
            "in-region" => DefaultsMode::InRegion,
            "cross-region" => DefaultsMode::CrossRegion,
            "mobile" => DefaultsMode::Mobile,
            "auto" => DefaultsMode::Auto,
            _ => return None,
        })
    }

    /// Resolves `auto`: on a known execution environment (`AWS_EXECUTION_ENV`) the current
    /// region is `AWS_REGION` or `AWS_DEFAULT_REGION`, otherwise the caller's IMDS answer;
    /// same as the client's region → in-region, different → cross-region, unknown → standard.
    pub fn resolve_auto(
        env: &dyn VarSource,
        client_region: Option<&str>,
        imds_region: Option<&str>,
    ) -> DefaultsMode {
        let mut current = None;
        if env.var("AWS_EXECUTION_ENV").is_some_and(|v| !v.is_empty()) {
            current = env
                .var("AWS_REGION")
                .or_else(|| env.var("AWS_DEFAULT_REGION"));
        }
        match current.filter(|r| !r.is_empty()).or(imds_region) {
            Some(region) if Some(region) == client_region => DefaultsMode::InRegion,
            Some(_) => DefaultsMode::CrossRegion,
            None => DefaultsMode::Standard,
        }
    }

    /// The defaults this mode substitutes (retry mode, STS endpoints, S3 us-east-1 endpoint,
    /// connect timeout); `None` for legacy, which keeps the table defaults.
    pub fn defaults(self) -> Option<ModeDefaults> {
        let connect_timeout_ms = match self {
            DefaultsMode::Legacy | DefaultsMode::Auto => return None,
            DefaultsMode::InRegion => 1100,
            DefaultsMode::Standard | DefaultsMode::CrossRegion => 3100,
            DefaultsMode::Mobile => 30000,
        };
        Some(ModeDefaults {
            retry_mode: "standard",
            sts_regional_endpoints: "regional",
            s3_us_east_1_regional_endpoint: "regional",
            connect_timeout: Duration::from_millis(connect_timeout_ms),
        })
    }
}

/// Defaults substituted by a non-legacy [`DefaultsMode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModeDefaults {
    /// `retryMode`.
    pub retry_mode: &'static str,
    /// `stsRegionalEndpoints`.
    pub sts_regional_endpoints: &'static str,
    /// `s3UsEast1RegionalEndpoints`.
    pub s3_us_east_1_regional_endpoint: &'static str,
    /// `connectTimeoutInMillis`.
    pub connect_timeout: Duration,
}

/// The `s3` settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S3Config {
    /// `auto`, `virtual` or `path`.
    pub addressing_style: Option<String>,
    /// Transfer Acceleration.
    pub use_accelerate_endpoint: Option<bool>,
    /// Dual-stack (S3 spelling).
    pub use_dualstack_endpoint: Option<bool>,
    /// Payload signing.
    pub payload_signing_enabled: Option<bool>,
    /// Use an ARN's region.
    pub use_arn_region: Option<bool>,
    /// `regional` or `legacy`.
    pub us_east_1_regional_endpoint: Option<String>,
    /// Turn off multi-region access points.
    pub disable_multiregion_access_points: Option<bool>,
}

/// The settings a client needs, typed. Built once per client by [`ResolvedConfig::resolve`]
/// (the only way to make one, so fields can be added).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResolvedConfig {
    /// Selected profile name, if any was named.
    pub profile: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Retry mode.
    pub retry_mode: RetryMode,
    /// Whether [`retry_mode`](Self::retry_mode) was configured (by the environment, the
    /// profile, or a defaults mode's defaults) rather than left at the table's default,
    /// botocore's `standard`: a client's
    /// [`default_retry_mode`](crate::session::ClientOptions::default_retry_mode) replaces
    /// only that default.
    pub retry_mode_configured: bool,
    /// Total attempts including the first; `None` lets the retry mode pick.
    pub max_attempts: Option<u32>,
    /// FIPS endpoints.
    pub use_fips_endpoint: bool,
    /// Dual-stack endpoints.
    pub use_dualstack_endpoint: bool,
    /// CA bundle path.
    pub ca_bundle: Option<String>,
    /// IMDS disabled.
    pub ec2_metadata_disabled: bool,
    /// The defaults mode as configured (`auto` unresolved).
    pub defaults_mode: DefaultsMode,
    /// STS endpoints (`regional`/`legacy`).
    pub sts_regional_endpoints: String,
    /// Connect timeout imposed by a defaults mode.
    pub connect_timeout: Option<Duration>,
    /// `s3` settings.
    pub s3: S3Config,
}

impl ResolvedConfig {
    /// Resolves everything; `auto` defaults mode uses the environment only (no IMDS).
    pub fn resolve(sources: &ConfigSources<'_>) -> Result<ResolvedConfig, ConfigError> {
        use setting as s;
        let region = sources.text(&s::REGION)?.map(str::to_string);
        let mode_text = sources.resolve(&s::DEFAULTS_MODE)?;
        let defaults_mode = match mode_text {
            None => DefaultsMode::Legacy,
            Some(r) => DefaultsMode::parse(r.value).ok_or_else(|| ConfigError::InvalidValue {
                setting: s::DEFAULTS_MODE.name,
                origin: r.source,
                value: r.value.to_string(),
                expected: "legacy, standard, in-region, cross-region, mobile or auto",
            })?,
        };
        let effective_mode = match defaults_mode {
            DefaultsMode::Auto => DefaultsMode::resolve_auto(sources.env, region.as_deref(), None),
            mode => mode,
        };
        let mode_defaults = effective_mode.defaults();
        let retry_default = mode_defaults.map_or(s::RETRY_MODE.default, |d| Some(d.retry_mode));
        let retry_text = sources.resolve_with_default(&s::RETRY_MODE, retry_default)?;
        let retry_mode_configured = mode_defaults.is_some()
            || retry_text.is_some_and(|r| r.source != SettingSource::Default);
        let retry_mode = match retry_text {
            None => RetryMode::Standard,
            Some(r) => RetryMode::parse(r.value).ok_or_else(|| ConfigError::InvalidValue {
                setting: s::RETRY_MODE.name,
                origin: r.source,
                value: r.value.to_string(),
                expected: "standard, adaptive or legacy",
            })?,
        };
        let max_attempts = match sources.resolve(&s::MAX_ATTEMPTS)? {
            None => None,
            Some(r) => {
                let n = parse_int(&s::MAX_ATTEMPTS, r)?;
                // Total attempts: botocore refuses fewer than one (`InvalidMaxRetryAttemptsError`).
                Some(u32::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| {
                    ConfigError::InvalidValue {
                        setting: s::MAX_ATTEMPTS.name,
                        origin: r.source,
                        value: r.value.to_string(),
                        expected: "an integer greater than or equal to 1",
                    }
                })?)
            }
        };
        let sts_default = mode_defaults.map_or(s::STS_REGIONAL_ENDPOINTS.default, |d| {
            Some(d.sts_regional_endpoints)
        });
        let s3_east_default = mode_defaults.map(|d| d.s3_us_east_1_regional_endpoint);
        // botocore refuses these at every client's creation (its endpoint builtins compute
        // them for any service), spelled exactly: `LEGACY` is not `legacy`.
        fn one_of<'r>(
            setting: &Setting,
            resolved: Option<Resolved<'r>>,
            valid: &[&str],
            expected: &'static str,
        ) -> Result<Option<Resolved<'r>>, ConfigError> {
            match resolved {
                Some(r) if !valid.contains(&r.value) => Err(ConfigError::InvalidValue {
                    setting: setting.name,
                    origin: r.source,
                    value: r.value.to_string(),
                    expected,
                }),
                other => Ok(other),
            }
        }
        let regional_or_legacy = ["regional", "legacy"];
        // An empty value is `regional` to botocore (`if not value`), not an invalid one.
        let sts_regional_endpoints = one_of(
            &s::STS_REGIONAL_ENDPOINTS,
            sources
                .resolve_with_default(&s::STS_REGIONAL_ENDPOINTS, sts_default)?
                .map(|r| match r.value {
                    "" => Resolved {
                        value: "regional",
                        ..r
                    },
                    _ => r,
                }),
            &regional_or_legacy,
            "regional or legacy",
        )?;
        let s3_us_east_1 = one_of(
            &s::S3_US_EAST_1_REGIONAL_ENDPOINT,
            sources.resolve_with_default(&s::S3_US_EAST_1_REGIONAL_ENDPOINT, s3_east_default)?,
            &regional_or_legacy,
            "regional or legacy",
        )?;
        let addressing_style = one_of(
            &s::S3_ADDRESSING_STYLE,
            sources.resolve(&s::S3_ADDRESSING_STYLE)?,
            &["auto", "virtual", "path"],
            "auto, virtual or path",
        )?;
        let owned = |r: Option<Resolved<'_>>| r.map(|r| r.value.to_string());
        Ok(ResolvedConfig {
            profile: sources.profile_name().map(str::to_string),
            region,
            retry_mode,
            retry_mode_configured,
            max_attempts,
            use_fips_endpoint: sources.boolean(&s::USE_FIPS_ENDPOINT)?.unwrap_or(false),
            use_dualstack_endpoint: sources
                .boolean(&s::USE_DUALSTACK_ENDPOINT)?
                .unwrap_or(false),
            ca_bundle: sources.text(&s::CA_BUNDLE)?.map(str::to_string),
            ec2_metadata_disabled: sources.boolean(&s::EC2_METADATA_DISABLED)?.unwrap_or(false),
            defaults_mode,
            sts_regional_endpoints: owned(sts_regional_endpoints)
                .unwrap_or_else(|| "regional".to_string()),
            connect_timeout: mode_defaults.map(|d| d.connect_timeout),
            s3: S3Config {
                addressing_style: owned(addressing_style),
                use_accelerate_endpoint: sources.boolean(&s::S3_USE_ACCELERATE_ENDPOINT)?,
                use_dualstack_endpoint: sources.boolean(&s::S3_USE_DUALSTACK_ENDPOINT)?,
                payload_signing_enabled: sources.boolean(&s::S3_PAYLOAD_SIGNING_ENABLED)?,
                use_arn_region: sources.boolean(&s::S3_USE_ARN_REGION)?,
                us_east_1_regional_endpoint: owned(s3_us_east_1),
                disable_multiregion_access_points: sources
                    .boolean(&s::S3_DISABLE_MULTIREGION_ACCESS_POINTS)?,
            },
        })
    }
}

/// `AWS_ENDPOINT_URL_<ID>`: the service id (model `serviceId`) upper-cased, spaces (and
/// hyphens) as underscores: `"Elastic Beanstalk"` → `AWS_ENDPOINT_URL_ELASTIC_BEANSTALK`.
pub fn endpoint_env_var_name(service_id: &str) -> String {
    let mut name = String::with_capacity(17 + service_id.len());
    name.push_str("AWS_ENDPOINT_URL_");
    name.extend(service_id.chars().map(|c| match c {
        ' ' | '-' => '_',
        c => c.to_ascii_uppercase(),
    }));
    name
}

/// The key of a service in a `[services NAME]` section: the service id lower-cased, spaces (and
/// hyphens) as underscores: `"Elastic Beanstalk"` → `elastic_beanstalk`.
pub fn services_section_key(service_id: &str) -> String {
    service_id
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The endpoint URL configured for a service, or `None` when the endpoint ruleset decides.
///
/// Order: `explicit_endpoint_url` (client configuration); unless configured URLs are ignored
/// (`explicit_ignore`, else `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, else the profile's
/// `ignore_configured_endpoint_urls`): `AWS_ENDPOINT_URL_<ID>`, `AWS_ENDPOINT_URL`, the profile's
/// `services` section entry for the service, the profile's `endpoint_url`. Empty values are
/// skipped. A profile naming a missing services section is an error.
pub fn configured_endpoint_url<'a>(
    sources: &ConfigSources<'a>,
    service_id: &str,
    explicit_endpoint_url: Option<&'a str>,
    explicit_ignore: Option<bool>,
) -> Result<Option<&'a str>, ConfigError> {
    if explicit_endpoint_url.is_some() {
        return Ok(explicit_endpoint_url);
    }
    let ignore = match explicit_ignore {
        Some(ignore) => ignore,
        None => sources
            .boolean(&setting::IGNORE_CONFIGURED_ENDPOINT_URLS)?
            .unwrap_or(false),
    };
    if ignore {
        return Ok(None);
    }
    let non_empty = |v: Option<&'a str>| v.filter(|v| !v.is_empty());
    if let Some(url) = non_empty(sources.env.var(&endpoint_env_var_name(service_id))) {
        return Ok(Some(url));
    }
    if let Some(url) = non_empty(sources.env.var("AWS_ENDPOINT_URL")) {
        return Ok(Some(url));
    }
    let Some(profile) = sources.scoped_profile()? else {
        return Ok(None);
    };
    if let Some(section_name) = profile.get("services").and_then(ConfigValue::as_text) {
        let section = sources
            .shared
            .and_then(|shared| shared.services().get(section_name))
            .filter(|section| !section.is_empty())
            .ok_or_else(|| ConfigError::ServicesSectionNotFound {
                section: section_name.to_string(),
            })?;
        let service_url = section
            .get(services_section_key(service_id).as_str())
            .and_then(ConfigValue::as_nested)
            .and_then(|nested| nested.get("endpoint_url"))
            .map(String::as_str);
        if let Some(url) = non_empty(service_url) {
            return Ok(Some(url));
        }
    }
    Ok(non_empty(
        profile.get("endpoint_url").and_then(ConfigValue::as_text),
    ))
}

/// The shared files the caller should read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedFilePaths {
    /// The config file (`AWS_CONFIG_FILE` or `~/.aws/config`).
    pub config: PathBuf,
    /// The credentials file (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`).
    pub credentials: PathBuf,
}

/// Where the shared files are: explicit `config_file`/`credentials_file`, the environment, or
/// the defaults under `home`. Like botocore, `$VAR`/`${VAR}` are expanded from the environment
/// and a leading `~` becomes `home` (left as is when `home` is unknown).
pub fn shared_file_paths(sources: &ConfigSources<'_>, home: Option<&Path>) -> SharedFilePaths {
    let path = |setting: &Setting| {
        let text = sources
            .explicit
            .var(setting.name)
            .or_else(|| setting.env.iter().find_map(|v| sources.env.var(v)))
            .or(setting.default)
            .unwrap_or_default();
        expand_user(&expand_vars(text, sources.env), home)
    };
    SharedFilePaths {
        config: path(&setting::CONFIG_FILE),
        credentials: path(&setting::CREDENTIALS_FILE),
    }
}

/// Python's `os.path.expandvars`: `$NAME` and `${NAME}` (NAME of ASCII letters, digits, `_`);
/// unknown variables stay as written.
pub(crate) fn expand_vars<'t>(text: &'t str, env: &dyn VarSource) -> Cow<'t, str> {
    if !text.contains('$') {
        return Cow::Borrowed(text);
    }
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, consumed) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after.find(|c: char| !is_name(c)).unwrap_or(after.len());
            (&after[..end], end)
        };
        match (consumed, env.var(name)) {
            (1.., Some(value)) if !name.is_empty() => out.push_str(value),
            _ => out.push_str(&rest[at..at + 1 + consumed]),
        }
        rest = &after[consumed..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A leading `~` or `~/…` becomes `home`.
pub(crate) fn expand_user(text: &str, home: Option<&Path>) -> PathBuf {
    match (home, text.strip_prefix('~')) {
        (Some(home), Some("")) => home.to_path_buf(),
        (Some(home), Some(rest)) if rest.starts_with('/') || rest.starts_with('\\') => {
            home.join(&rest[1..])
        }
        _ => PathBuf::from(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFile;

    fn shared(config: &str) -> SharedConfig {
        SharedConfig::new(Some(&ConfigFile::parse(config).unwrap()), None)
    }

    #[test]
    fn precedence_explicit_env_profile_default() {
        let shared = shared("[default]\nregion = from-profile\nretry_mode = adaptive\n");
        let env: HashMap<String, String> = [(
            "AWS_DEFAULT_REGION".to_string(),
            "from-default-env".to_string(),
        )]
        .into();
        let explicit = [("region", "explicit")];
        let mut sources = ConfigSources::new(&env, Some(&shared));
        assert_eq!(
            sources.text(&setting::REGION).unwrap(),
            Some("from-default-env")
        );
        sources.explicit = &explicit;
        assert_eq!(sources.text(&setting::REGION).unwrap(), Some("explicit"));
        let env2 = [("AWS_REGION", "a"), ("AWS_DEFAULT_REGION", "b")];
        let sources = ConfigSources::new(&env2, Some(&shared));
        assert_eq!(
            sources.resolve(&setting::REGION).unwrap().unwrap().source,
            SettingSource::Environment("AWS_REGION")
        );
        let none = ConfigSources::new(&(), Some(&shared));
        assert_eq!(none.text(&setting::REGION).unwrap(), Some("from-profile"));
        assert_eq!(none.text(&setting::DEFAULTS_MODE).unwrap(), Some("legacy"));
        let resolved = ResolvedConfig::resolve(&none).unwrap();
        assert_eq!(resolved.retry_mode, RetryMode::Adaptive);
        assert!(resolved.retry_mode_configured);
        assert_eq!(resolved.max_attempts, None);
        let nothing = ResolvedConfig::resolve(&ConfigSources::new(&(), None)).unwrap();
        assert_eq!(nothing.retry_mode, RetryMode::Standard);
        assert!(!nothing.retry_mode_configured);
    }

    #[test]
    fn a_nested_block_reads_as_false_for_booleans_and_as_absent_for_text() {
        let nested =
            shared("[default]\nparameter_validation =\n    a = true\nregion =\n    b = c\n");
        let none = ConfigSources::new(&(), Some(&nested));
        let validation = none.boolean(&setting::PARAMETER_VALIDATION).unwrap();
        assert_eq!(
            validation,
            Some(false),
            "botocore's ensure_boolean of a dict"
        );
        assert_eq!(none.text(&setting::REGION).unwrap(), None);
        // Also where the key comes before the `s3` block's: botocore's False wins over it.
        let arn =
            shared("[default]\ns3_use_arn_region =\n    a = b\ns3 =\n    use_arn_region = true\n");
        let arn = ResolvedConfig::resolve(&ConfigSources::new(&(), Some(&arn))).unwrap();
        assert_eq!(arn.s3.use_arn_region, Some(false));
        let plain = shared("[default]\nparameter_validation = TRUE\n");
        let plain = ConfigSources::new(&(), Some(&plain));
        let validation = plain.boolean(&setting::PARAMETER_VALIDATION).unwrap();
        assert_eq!(validation, Some(true));
    }

    #[test]
    fn profile_selection_and_missing_profile() {
        let shared = shared("[default]\nregion=d\n[profile dev]\nregion=dev\n");
        let env = [("AWS_PROFILE", "dev"), ("AWS_DEFAULT_PROFILE", "nope")];
        let sources = ConfigSources::new(&env, Some(&shared));
        assert_eq!(sources.profile_name(), Some("nope"));
        assert!(matches!(
            sources.text(&setting::REGION),
            Err(ConfigError::ProfileNotFound { .. })
        ));
        let env = [("AWS_PROFILE", "dev")];
        let sources = ConfigSources::new(&env, Some(&shared));
        assert_eq!(sources.text(&setting::REGION).unwrap(), Some("dev"));
    }

    #[test]
    fn integers_are_read_as_pythons_int_reads_them() {
        for (text, value) in [
            ("5", Some(5)),
            (" 5\t", Some(5)),
            ("+5", Some(5)),
            ("-1", Some(-1)),
            ("007", Some(7)),
            ("1_000", Some(1000)),
            ("-1_0", Some(-10)),
            ("_1", None),
            ("1_", None),
            ("1__0", None),
            ("+_1", None),
            ("5.0", None),
            ("0x10", None),
            ("", None),
            ("-", None),
            ("1 0", None),
            ("\u{a0}5\u{3000}", Some(5)),
            ("\x1c5", None),
            ("5\x1f", None),
        ] {
            assert_eq!(py_int(text), value, "{text:?}");
        }
    }

    #[test]
    fn py_float_reads_what_python_float_reads() {
        // Each as Python 3.11's `float(text)` reads it (`None`: a `ValueError`).
        for (text, value) in [
            ("1_0", Some(10.0)),
            (" 1_0.5_5e1_0 ", Some(10.55e10)),
            (".5", Some(0.5)),
            ("5.", Some(5.0)),
            ("-1e3", Some(-1000.0)),
            ("1_.5", None),
            ("1._5", None),
            ("_1", None),
            ("1__0", None),
            ("1e_3", None),
            ("0x10", None),
            ("", None),
            ("abc", None),
        ] {
            assert_eq!(py_float(text), value, "{text:?}");
        }
        assert!(py_float("Infinity").is_some_and(f64::is_infinite));
        assert!(py_float(" nan ").is_some_and(f64::is_nan));
    }

    #[test]
    fn nested_and_typed_values() {
        let shared = shared(
            "[default]\ns3 =\n  addressing_style = path\n  use_accelerate_endpoint = TRUE\n\
             s3_use_arn_region = false\nmax_attempts = seven\nuse_fips_endpoint = yes\n",
        );
        let sources = ConfigSources::new(&(), Some(&shared));
        let err = ResolvedConfig::resolve(&sources).unwrap_err();
        assert!(err.to_string().contains("max_attempts"), "{err}");
        assert_eq!(
            sources.boolean(&setting::USE_FIPS_ENDPOINT).unwrap(),
            Some(false)
        );
        assert_eq!(
            sources.text(&setting::S3_ADDRESSING_STYLE).unwrap(),
            Some("path")
        );
        assert_eq!(
            sources
                .boolean(&setting::S3_USE_ACCELERATE_ENDPOINT)
                .unwrap(),
            Some(true)
        );
        assert_eq!(
            sources.boolean(&setting::S3_USE_ARN_REGION).unwrap(),
            Some(false)
        );
        let env = [
            ("AWS_MAX_ATTEMPTS", "7"),
            ("AWS_DEFAULTS_MODE", "In-Region"),
        ];
        let sources = ConfigSources::new(&env, Some(&shared));
        let resolved = ResolvedConfig::resolve(&sources).unwrap();
        assert_eq!(resolved.max_attempts, Some(7));
        assert_eq!(resolved.defaults_mode, DefaultsMode::InRegion);
        assert_eq!(resolved.connect_timeout, Some(Duration::from_millis(1100)));
        assert_eq!(
            resolved.s3.us_east_1_regional_endpoint.as_deref(),
            Some("regional")
        );
    }

    #[test]
    fn every_table_row_is_reachable_by_name() {
        for row in SETTINGS {
            assert_eq!(Setting::named(row.name), Some(row));
        }
    }

    #[test]
    fn file_paths() {
        let env = [("AWS_CONFIG_FILE", "$XDG/aws/${NAME}-cfg$")];
        let sources = ConfigSources::new(&env, None);
        let paths = shared_file_paths(&sources, Some(Path::new("/home/u")));
        assert_eq!(paths.config, PathBuf::from("$XDG/aws/${NAME}-cfg$"));
        assert_eq!(paths.credentials, PathBuf::from("/home/u/.aws/credentials"));
        let env = [("AWS_CONFIG_FILE", "~/x/$NAME/${NAME}"), ("NAME", "n")];
        let sources = ConfigSources::new(&env, None);
        let paths = shared_file_paths(&sources, Some(Path::new("/h")));
        assert_eq!(paths.config, PathBuf::from("/h/x/n/n"));
        let paths = shared_file_paths(&sources, None);
        assert_eq!(paths.credentials, PathBuf::from("~/.aws/credentials"));
    }

    #[test]
    fn endpoint_names() {
        assert_eq!(
            endpoint_env_var_name("Elastic Beanstalk"),
            "AWS_ENDPOINT_URL_ELASTIC_BEANSTALK"
        );
        assert_eq!(
            services_section_key("Elastic Beanstalk"),
            "elastic_beanstalk"
        );
    }

    #[test]
    fn missing_services_section_is_an_error() {
        let shared = shared("[default]\nservices = gone\n");
        let sources = ConfigSources::new(&(), Some(&shared));
        assert!(matches!(
            configured_endpoint_url(&sources, "S3", None, None),
            Err(ConfigError::ServicesSectionNotFound { .. })
        ));
        let env = [("AWS_ENDPOINT_URL", "https://e")];
        let sources = ConfigSources::new(&env, Some(&shared));
        assert_eq!(
            configured_endpoint_url(&sources, "S3", None, None).unwrap(),
            Some("https://e")
        );
    }
}
