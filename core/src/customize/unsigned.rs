//! Operations botocore sends unsigned whatever the credentials (`disable_signing`): STS's
//! web-identity and SAML role assumption, and Cognito Identity's identity-pool calls.

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
}
