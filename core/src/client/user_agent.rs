//! The `User-Agent` a client sends, in the AWS SDKs' `ua/2.1` form as botocore 1.44.5 writes
//! it: sansboto and its version, the format, the OS family and architecture, the language, the
//! client's feature codes (`m/`), its retry mode (`cfg/retry-mode#…`), the application id
//! (`app/…`) and the user's extra text, in that order.
//!
//! Everything here is fixed when the client is built, so the header is made once per client.
//! The OS and architecture are the ones the program was compiled for (the core reads nothing
//! from the machine; botocore adds the kernel's release, `os/linux#6.1.0`, which it asks the
//! system for). The feature codes are those botocore registers for the client's own settings:
//! the retry mode (`D`, `E`, `F`), an endpoint URL given (`N`) and the two checksum settings
//! (`Z`/`a`, `b`/`c`). The codes botocore adds per call (a paginator, a waiter, the credentials'
//! source, the checksum algorithm used, the account-id mode the ruleset binds) are not sent.

use crate::httpchecksum::{RequestChecksumCalculation, ResponseChecksumValidation};
use crate::retry::RetryMode;

use super::ClientConfig;

/// The start of every user agent sansboto sends: its name and version and the format.
pub const USER_AGENT: &str = concat!("sansboto/", env!("CARGO_PKG_VERSION"), " ua/2.1");

/// The OS family as the format names it (botocore's allowed names, `darwin` read as `macos`),
/// for the target the program was built for; `other` with the target's own name beside it for
/// the rest, as botocore writes an unknown platform (`os/other md/freebsd`).
fn os_part() -> String {
    let os = std::env::consts::OS;
    match os {
        "linux" | "windows" | "macos" | "android" | "ios" | "watchos" | "tvos" => {
            format!("os/{os}")
        }
        _ => format!("os/other md/{}", sanitized(os, false)),
    }
}

/// botocore's `sanitize_user_agent_string_component`: each character outside the allowed set
/// (ASCII letters and digits, ``!$%&'*+-.^_`|~,``, and `#` when `allow_hash`) becomes `-`, one
/// per code point.
fn sanitized(text: &str, allow_hash: bool) -> String {
    text.chars()
        .map(|c| {
            let allowed = c.is_ascii_alphanumeric()
                || "!$%&'*+-.^_`|~,".contains(c)
                || (allow_hash && c == '#');
            if allowed {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The feature codes of the client's settings, in a fixed order (botocore's set has none).
fn feature_codes(config: &ClientConfig) -> Vec<&'static str> {
    let mut codes = vec![match config.retry_mode {
        RetryMode::Legacy => "D",
        RetryMode::Standard => "E",
        RetryMode::Adaptive => "F",
    }];
    if config.endpoint.endpoint_url.is_some() {
        codes.push("N");
    }
    codes.push(match config.request_checksum_calculation {
        RequestChecksumCalculation::WhenSupported => "Z",
        RequestChecksumCalculation::WhenRequired => "a",
    });
    codes.push(match config.response_checksum_validation {
        ResponseChecksumValidation::WhenSupported => "b",
        ResponseChecksumValidation::WhenRequired => "c",
    });
    codes
}

/// The whole user agent of a client with `config`.
pub(crate) fn user_agent(config: &ClientConfig) -> String {
    let mut ua = format!(
        "{USER_AGENT} {} md/arch#{} lang/rust m/{} cfg/retry-mode#{}",
        os_part(),
        sanitized(std::env::consts::ARCH, false),
        feature_codes(config).join(","),
        match config.retry_mode {
            RetryMode::Legacy => "legacy",
            RetryMode::Standard => "standard",
            RetryMode::Adaptive => "adaptive",
        },
    );
    if let Some(app) = config
        .user_agent_app_id
        .as_deref()
        .filter(|a| !a.is_empty())
    {
        ua.push_str(" app/");
        ua.push_str(&sanitized(app, true));
    }
    if let Some(extra) = &config.user_agent_extra {
        ua.push(' ');
        ua.push_str(extra);
    }
    ua
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_come_in_botocores_order() {
        let config = ClientConfig {
            user_agent_app_id: Some("my app#1".into()),
            user_agent_extra: Some("extra/1".into()),
            ..ClientConfig::default()
        };
        let ua = user_agent(&config);
        let parts: Vec<&str> = ua.split(' ').collect();
        assert!(parts[0].starts_with("sansboto/"), "{ua}");
        assert_eq!(parts[1], "ua/2.1");
        assert!(parts[2].starts_with("os/"), "{ua}");
        let rest = ua.split(" lang/rust ").nth(1).unwrap();
        assert_eq!(rest, "m/E,Z,b cfg/retry-mode#standard app/my-app#1 extra/1");
    }

    #[test]
    fn the_features_follow_the_settings() {
        let mut config = ClientConfig {
            retry_mode: RetryMode::Adaptive,
            request_checksum_calculation: RequestChecksumCalculation::WhenRequired,
            response_checksum_validation: ResponseChecksumValidation::WhenRequired,
            ..ClientConfig::default()
        };
        config.endpoint.endpoint_url = Some("http://localhost:4566".into());
        let ua = user_agent(&config);
        assert!(ua.ends_with(" m/F,N,a,c cfg/retry-mode#adaptive"), "{ua}");
        config.retry_mode = RetryMode::Legacy;
        assert!(user_agent(&config).ends_with("cfg/retry-mode#legacy"));
    }

    #[test]
    fn an_unlisted_name_is_sanitized() {
        assert_eq!(sanitized("a b/ü#", false), "a-b---");
        assert_eq!(sanitized("a b/ü#", true), "a-b--#");
    }
}
