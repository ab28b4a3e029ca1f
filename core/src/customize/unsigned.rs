//! botocore's `choose-signer` registrations: operations it sends unsigned whatever the
//! credentials (`disable_signing`: STS's web-identity and SAML role assumption, Cognito
//! Identity's identity-pool calls), and Import/Export, signed with SigV4 though its model still
//! says SigV2.

/// botocore's `choose-signer` registrations that return `UNSIGNED`.
pub(crate) const UNSIGNED_OPERATIONS: [(&str, &str); 6] = [
    ("cognito-identity", "GetId"),
    ("cognito-identity", "GetOpenIdToken"),
    ("cognito-identity", "UnlinkIdentity"),
    ("cognito-identity", "GetCredentialsForIdentity"),
    ("sts", "AssumeRoleWithSAML"),
    ("sts", "AssumeRoleWithWebIdentity"),
];

/// True when botocore sends `service`'s `operation` unsigned regardless of the model's auth
/// traits. The signer must then use anonymous auth.
pub(crate) fn is_unsigned_operation(service: &str, operation: &str) -> bool {
    UNSIGNED_OPERATIONS
        .iter()
        .any(|(s, o)| *s == service && *o == operation)
}

/// The signature version botocore signs every call of `service` with instead of its model's
/// (`_default_signer_to_sigv4`: Import/Export moved to SigV4 in the legacy endpoint table,
/// which the rulesets no longer carry).
pub(crate) fn signature_version_override(service: &str) -> Option<&'static str> {
    (service == "importexport").then_some("v4")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_operations() {
        assert!(is_unsigned_operation("sts", "AssumeRoleWithWebIdentity"));
        assert!(is_unsigned_operation("cognito-identity", "GetId"));
        assert!(!is_unsigned_operation("sts", "AssumeRole"));
        assert!(!is_unsigned_operation("cognito-idp", "GetId"));
    }

    #[test]
    fn import_export_signs_with_sigv4() {
        assert_eq!(signature_version_override("importexport"), Some("v4"));
        assert_eq!(signature_version_override("sdb"), None);
    }
}
