//! The identities requests are signed with: AWS access-key [`Credentials`] (SigV4/SigV4a) and
//! bearer [`Token`]s. Their secrets never appear in `Debug` or `Display` output.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::credentials::ProviderKind;

/// AWS credentials: an access key pair, an optional session token and an optional expiry.
///
/// Cheap to clone (the strings are shared). A SHA-256 fingerprint of the secret is computed once
/// at construction and used as the signing-key cache key, so the secret itself is never kept in
/// a cache.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    inner: Arc<CredentialsInner>,
}

#[derive(PartialEq, Eq)]
struct CredentialsInner {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiry: Option<SystemTime>,
    secret_fingerprint: [u8; 32],
    account_id: Option<String>,
    /// The session token as the `X-Amz-Security-Token` value, made at its first signature.
    token_header: TokenHeader,
    /// The provider that found them.
    provider: Provenance,
}

/// Which provider of a chain found the credentials (botocore's `Credentials.method`), `None`
/// for credentials made in code and given to a client as they are. Not part of the credentials' identity: the same keys are the same
/// credentials wherever they were read.
#[derive(Clone, Copy, Default)]
struct Provenance(Option<ProviderKind>);

impl PartialEq for Provenance {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Provenance {}

/// A header value made once from the token (`None`: not a valid header value; the signer then
/// reports it as it would any invalid value). Not part of the credentials' identity.
#[derive(Default)]
struct TokenHeader(OnceLock<Option<http::HeaderValue>>);

impl PartialEq for TokenHeader {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for TokenHeader {}

impl Credentials {
    /// Credentials from their parts. An empty session token is none (a file's
    /// `aws_session_token =`): botocore sends and signs a token only when it is not empty.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
        expiry: Option<SystemTime>,
    ) -> Self {
        let secret_access_key = secret_access_key.into();
        let secret_fingerprint = Sha256::digest(secret_access_key.as_bytes()).into();
        Credentials {
            inner: Arc::new(CredentialsInner {
                access_key_id: access_key_id.into(),
                secret_access_key,
                session_token: session_token.filter(|t| !t.is_empty()),
                expiry,
                secret_fingerprint,
                account_id: None,
                token_header: TokenHeader::default(),
                provider: Provenance::default(),
            }),
        }
    }

    /// A copy of these credentials with `change` made to it (the token's header value is
    /// made again for the copy).
    fn changed(&self, change: impl FnOnce(&mut CredentialsInner)) -> Self {
        let inner = &self.inner;
        let mut copy = CredentialsInner {
            access_key_id: inner.access_key_id.clone(),
            secret_access_key: inner.secret_access_key.clone(),
            session_token: inner.session_token.clone(),
            expiry: inner.expiry,
            secret_fingerprint: inner.secret_fingerprint,
            account_id: inner.account_id.clone(),
            token_header: TokenHeader::default(),
            provider: inner.provider,
        };
        change(&mut copy);
        Credentials {
            inner: Arc::new(copy),
        }
    }

    /// The access key id (not secret; it appears in every signature's credential scope).
    pub fn access_key_id(&self) -> &str {
        &self.inner.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.inner.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.inner.session_token.as_deref()
    }

    /// These credentials, saying which account they belong to (botocore's `account_id`,
    /// which account-based endpoints use: `AWS_ACCOUNT_ID`, a profile's `aws_account_id`, the
    /// account of an assumed role, …). `None` leaves it unknown. An empty id is kept, as
    /// botocore keeps a profile's `aws_account_id =`: account-based endpoint rules refuse it.
    /// (An empty `AWS_ACCOUNT_ID`, or a `credential_process`'s empty `AccountId`, names no
    /// account; their providers see to that.)
    pub fn with_account_id(self, account_id: Option<impl Into<String>>) -> Self {
        let account_id = account_id.map(Into::into);
        if account_id == self.inner.account_id {
            return self;
        }
        self.changed(|c| c.account_id = account_id)
    }

    /// These credentials, saying `provider` found them (the chain marks what it returns).
    pub(crate) fn found_by(self, provider: ProviderKind) -> Self {
        if self.inner.provider.0 == Some(provider) {
            return self;
        }
        self.changed(|c| c.provider = Provenance(Some(provider)))
    }

    /// The provider of the session's chain that found these credentials (botocore's
    /// `Credentials.method`: [`ProviderKind::method`] gives its name, `env`,
    /// `shared-credentials-file`, `assume-role`, …; `explicit` for credentials a chain was
    /// given); `None` for credentials made in code and given to a client as they are.
    pub fn provider(&self) -> Option<ProviderKind> {
        self.inner.provider.0
    }

    /// The account these credentials belong to, when known.
    pub fn account_id(&self) -> Option<&str> {
        self.inner.account_id.as_deref()
    }

    /// When these credentials stop working, if known.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.inner.expiry
    }

    /// True when an expiry is known and `now` is at or past it.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.inner.expiry.is_some_and(|e| now >= e)
    }

    /// SHA-256 of the secret key: identifies the secret in caches without holding it.
    pub(crate) fn secret_fingerprint(&self) -> &[u8; 32] {
        &self.inner.secret_fingerprint
    }

    /// The session token as a sensitive header value, made once and then shared by every
    /// request signed with these credentials (a token is often a kilobyte or more).
    pub(crate) fn session_token_header(&self) -> Option<http::HeaderValue> {
        let token = self.inner.session_token.as_deref()?;
        self.inner
            .token_header
            .0
            .get_or_init(|| {
                let mut value = http::HeaderValue::from_str(token).ok()?;
                value.set_sensitive(true);
                Some(value)
            })
            .clone()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.inner.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.inner.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("expiry", &self.inner.expiry)
            .field("account_id", &self.inner.account_id)
            // botocore's name of the provider (its `method`).
            .field("provider", &self.inner.provider.0.map(ProviderKind::method))
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "credentials for access key {}", self.inner.access_key_id)?;
        if self.inner.session_token.is_some() {
            f.write_str(" (with session token)")?;
        }
        Ok(())
    }
}

/// A bearer token (`Authorization: Bearer …`), as SSO-OIDC and CodeCatalyst use.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    token: Arc<str>,
    expiry: Option<SystemTime>,
}

impl Token {
    /// A token and its expiry, when known.
    pub fn new(token: impl Into<String>, expiry: Option<SystemTime>) -> Self {
        Token {
            token: Arc::from(token.into()),
            expiry,
        }
    }

    /// The token value.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// When the token stops working, if known.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }

    /// True when an expiry is known and `now` is at or past it.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.expiry.is_some_and(|e| now >= e)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("token", &"** redacted **")
            .field("expiry", &self.expiry)
            .finish()
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bearer token (redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn the_token_header_is_made_once_sensitive_and_not_part_of_equality() {
        let creds = Credentials::new("AKID", "secret", Some("tok/en+=".into()), None);
        let fresh = creds.clone();
        let value = creds.session_token_header().expect("a valid token");
        assert_eq!(value.to_str().unwrap(), "tok/en+=");
        assert!(value.is_sensitive());
        // The second signature shares the first one's bytes.
        let again = creds.session_token_header().unwrap();
        assert_eq!(again.as_bytes().as_ptr(), value.as_bytes().as_ptr());
        let other = Credentials::new("AKID", "secret", Some("tok/en+=".into()), None);
        assert_eq!(creds, other);
        assert_eq!(creds, fresh);
        assert_eq!(
            Credentials::new("AKID", "secret", None, None).session_token_header(),
            None
        );
        // A token that is no header value leaves the signer to report it as before.
        let bad = Credentials::new("AKID", "secret", Some("line\nbreak".into()), None);
        assert_eq!(bad.session_token_header(), None);
    }

    #[test]
    fn an_account_id_rides_along_and_empty_is_kept() {
        let creds = Credentials::new("AKID", "secret", None, None);
        assert_eq!(creds.account_id(), None);
        let with = creds.clone().with_account_id(Some("111122223333"));
        assert_eq!(with.account_id(), Some("111122223333"));
        assert_eq!(with.secret_access_key(), "secret");
        assert_eq!(with.secret_fingerprint(), creds.secret_fingerprint());
        assert_ne!(with, creds);
        assert_eq!(
            with.clone().with_account_id(Some("")).account_id(),
            Some("")
        );
        assert_eq!(with.with_account_id(None::<String>).account_id(), None);
        assert!(format!("{:?}", creds.with_account_id(Some("1"))).contains("account_id"));
    }

    #[test]
    fn debug_and_display_redact_secrets() {
        let creds = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("SESSIONTOKENVALUE".into()),
            None,
        );
        for text in [
            format!("{creds:?}"),
            format!("{creds:#?}"),
            creds.to_string(),
        ] {
            assert!(text.contains("AKIDEXAMPLE"), "{text}");
            assert!(!text.contains("wJalrXUtnFEMI"), "{text}");
            assert!(!text.contains("SESSIONTOKENVALUE"), "{text}");
        }
        let token = Token::new("secret-bearer-value", None);
        for text in [format!("{token:?}"), token.to_string()] {
            assert!(!text.contains("secret-bearer-value"), "{text}");
        }
    }

    #[test]
    fn expiry() {
        let at = UNIX_EPOCH + Duration::from_secs(100);
        let creds = Credentials::new("a", "s", None, Some(at));
        assert!(!creds.is_expired(at - Duration::from_secs(1)));
        assert!(creds.is_expired(at));
        assert!(!Token::new("t", None).is_expired(at));
    }
}
