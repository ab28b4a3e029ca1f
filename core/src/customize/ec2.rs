//! EC2 and Auto Scaling: `UserData` sent base64-encoded, `GetConsoleOutput`'s `Output` decoded,
//! and `CopySnapshot`'s cross-region `PresignedUrl` (see [`super::rds`] for the presigning).

use base64::Engine as _;

use super::{params_mut, request_mut, result_mut, CustomizeConfig};
use crate::hooks::{Event, Hooks};
use crate::value::{Map, Value};

/// Register EC2's customizations.
pub(crate) fn register(hooks: &mut Hooks, config: &CustomizeConfig) {
    hooks.register(
        Event::BeforeParameterBuild,
        "ec2.base64-encode-user-data",
        "ec2.RunInstances",
        |_, t| {
            if let Some(p) = params_mut(t) {
                base64_encode_user_data(p);
            }
            Ok(())
        },
    );
    hooks.register(
        Event::AfterCall,
        "ec2.decode-console-output",
        "ec2.GetConsoleOutput",
        |_, t| {
            if let Some(r) = result_mut(t) {
                decode_console_output(r);
            }
            Ok(())
        },
    );
    let region = config.region.clone();
    let presigner = config.presigner.clone();
    hooks.register(
        Event::BeforeCall,
        "ec2.inject-presigned-url",
        "ec2.CopySnapshot",
        move |call, t| {
            let Some(r) = request_mut(t) else {
                return Ok(());
            };
            let Some(identity) = super::rds::presigning_identity(call.context) else {
                return Ok(());
            };
            super::rds::inject_presigned_url_ec2(
                r,
                call.operation,
                region.as_deref(),
                presigner.as_deref(),
                identity,
            )
            .map_err(Into::into)
        },
    );
}

/// Register Auto Scaling's `CreateLaunchConfiguration` `UserData` encoding.
pub(crate) fn register_autoscaling(hooks: &mut Hooks) {
    hooks.register(
        Event::BeforeParameterBuild,
        "autoscaling.base64-encode-user-data",
        "autoscaling.CreateLaunchConfiguration",
        |_, t| {
            if let Some(p) = params_mut(t) {
                base64_encode_user_data(p);
            }
            Ok(())
        },
    );
}

/// `UserData` (text as UTF-8, or bytes) replaced by its base64 text.
pub(crate) fn base64_encode_user_data(params: &mut Map) {
    let encoded = match params.get("UserData") {
        Some(Value::String(s)) => base64::engine::general_purpose::STANDARD.encode(s),
        Some(Value::Blob(b)) => base64::engine::general_purpose::STANDARD.encode(b),
        _ => return,
    };
    params.insert("UserData".into(), Value::String(encoded.into()));
}

/// `Output` base64-decoded to text (invalid UTF-8 replaced); left as sent when it is not base64.
pub(crate) fn decode_console_output(result: &mut Map) {
    let Some(Value::String(output)) = result.get("Output") else {
        return;
    };
    // Like Python's non-validating b64decode: characters outside the alphabet are skipped.
    let cleaned: Vec<u8> = output
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        .collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical)
            .with_decode_allow_trailing_bits(true),
    );
    if let Ok(bytes) = engine.decode(&cleaned) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        result.insert("Output".into(), Value::String(text.into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::test_support::before_parameter_build;
    use crate::params;

    #[test]
    fn user_data_is_base64_encoded() {
        let mut h = Hooks::new();
        register(&mut h, &CustomizeConfig::default());
        register_autoscaling(&mut h);
        let mut p = params! {"UserData": "#!/bin/sh\necho hi", "MinCount": 1};
        before_parameter_build(&h, "ec2", "RunInstances", &mut p).unwrap();
        assert_eq!(p["UserData"].as_str(), Some("IyEvYmluL3NoCmVjaG8gaGk="));
        let mut p = params! {"UserData": &b"\xff\x00"[..]};
        before_parameter_build(&h, "autoscaling", "CreateLaunchConfiguration", &mut p).unwrap();
        assert_eq!(p["UserData"].as_str(), Some("/wA="));
        // Other operations are untouched.
        let mut p = params! {"UserData": "x"};
        before_parameter_build(&h, "ec2", "ModifyInstanceAttribute", &mut p).unwrap();
        assert_eq!(p["UserData"].as_str(), Some("x"));
    }

    #[test]
    fn console_output_is_decoded() {
        let mut r = params! {"Output": "aGVsbG8g\n4pyT"};
        decode_console_output(r.as_map_mut().unwrap());
        assert_eq!(r["Output"].as_str(), Some("hello ✓"));
        let mut r = params! {"Output": "//4="};
        decode_console_output(r.as_map_mut().unwrap());
        assert_eq!(r["Output"].as_str(), Some("\u{FFFD}\u{FFFD}"));
        let mut r = params! {"Output": "abc"};
        decode_console_output(r.as_map_mut().unwrap());
        assert_eq!(r["Output"].as_str(), Some("abc"), "bad padding: kept");
    }
}
