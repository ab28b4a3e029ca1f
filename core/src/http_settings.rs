//! HTTP settings that layer: what a caller changes on a client builder, one setting at a time
//! (timeouts, pool size, proxy, CA bundle, verification, TCP keep-alive, client certificate),
//! over what the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, `AWS_CA_BUNDLE`) and the
//! profile (`ca_bundle`) give, over the defaults. (The session's `tcp_keepalive`, from
//! `BOTOCORE_TCP_KEEPALIVE` or the profile, is a layer of these beneath the caller's.)
//!
//! A caller never writes a whole [`HttpConfig`] to change a timeout, so changing one cannot
//! silently drop the proxy or the CA bundle the environment configured.

use std::path::PathBuf;
use std::time::Duration;

use crate::http_config::{ClientCert, HttpConfig, HttpConfigError, ProxyUrl};

/// Changes to a client's HTTP settings; everything not changed comes from the environment and
/// the profile, then the defaults.
///
/// ```
/// use std::time::Duration;
/// use sansboto_core::HttpSettings;
///
/// let settings = HttpSettings::new().read_timeout(Duration::from_secs(5));
/// let env = |name: &str| (name == "HTTPS_PROXY").then(|| "http://proxy.local:3128".to_string());
/// let config = settings.resolve(env, None).unwrap();
/// assert_eq!(config.read_timeout, Duration::from_secs(5));
/// assert_eq!(config.proxy.unwrap().https.unwrap().host, "proxy.local"); // kept
/// ```
#[derive(Clone, Debug, Default)]
pub struct HttpSettings {
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    pool_max_idle: Option<usize>,
    proxy: Option<ProxyChoice>,
    ca_bundle: Option<PathBuf>,
    verify: Option<bool>,
    tcp_keepalive: Option<bool>,
    client_cert: Option<ClientCert>,
    proxy_ca_bundle: Option<PathBuf>,
    proxy_client_cert: Option<ClientCert>,
    proxy_forward_https: Option<bool>,
}

/// A proxy the caller chose instead of the environment's.
#[derive(Clone, Debug)]
enum ProxyChoice {
    /// Connect directly, whatever the environment says.
    Direct,
    /// This proxy for `http://` and `https://` (the environment's `NO_PROXY` still applies).
    Url(String),
}

impl HttpSettings {
    /// No changes: the environment's and profile's settings, then the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Longest wait for a TCP connection (and proxy tunnel) to open (botocore's
    /// `connect_timeout`).
    pub fn connect_timeout(mut self, limit: Duration) -> Self {
        self.connect_timeout = Some(limit);
        self
    }

    /// Longest wait for any single read on an open connection (botocore's `read_timeout`).
    pub fn read_timeout(mut self, limit: Duration) -> Self {
        self.read_timeout = Some(limit);
        self
    }

    /// Idle connections kept per host (botocore's `max_pool_connections`).
    pub fn pool_max_idle(mut self, connections: usize) -> Self {
        self.pool_max_idle = Some(connections);
        self
    }

    /// Send every request through the proxy at `url` (`[http://][user[:password]@]host[:port]`),
    /// whatever `HTTPS_PROXY` and `HTTP_PROXY` say; `NO_PROXY` still applies. A URL that cannot
    /// be used is reported when the client is built.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(ProxyChoice::Url(url.into()));
        self
    }

    /// Connect directly, whatever `HTTPS_PROXY` and `HTTP_PROXY` say.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = Some(ProxyChoice::Direct);
        self
    }

    /// Trust the certificates of this PEM file instead of the built-in roots (botocore's
    /// `verify=<path>`), whatever `AWS_CA_BUNDLE` and the profile's `ca_bundle` say.
    pub fn ca_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_bundle = Some(path.into());
        self
    }

    /// Verify server certificates (botocore's `verify`); `false` accepts any certificate.
    pub fn verify(mut self, verify: bool) -> Self {
        self.verify = Some(verify);
        self
    }

    /// Turn TCP keep-alive probes on or off for each connection (botocore's `tcp_keepalive`),
    /// whatever `BOTOCORE_TCP_KEEPALIVE` and the profile's `tcp_keepalive` say.
    pub fn tcp_keepalive(mut self, on: bool) -> Self {
        self.tcp_keepalive = Some(on);
        self
    }

    /// Present the certificate and private key of this PEM file when a server asks for a
    /// client certificate (mutual TLS; botocore's `client_cert="both.pem"`). The file is read
    /// when the client is built: one that cannot be read, or holds no certificate or no key, is
    /// a TLS error naming it.
    pub fn client_cert(mut self, cert_and_key: impl Into<PathBuf>) -> Self {
        let cert = cert_and_key.into();
        self.client_cert = Some(ClientCert { cert, key: None });
        self
    }

    /// Present the certificate of `cert` with the private key of `key`, two PEM files (botocore's
    /// `client_cert=("cert.pem", "key.pem")`); see [`client_cert`](Self::client_cert).
    pub fn client_cert_with_key(
        mut self,
        cert: impl Into<PathBuf>,
        key: impl Into<PathBuf>,
    ) -> Self {
        let (cert, key) = (cert.into(), Some(key.into()));
        self.client_cert = Some(ClientCert { cert, key });
        self
    }

    /// Trust this PEM file's CA certificates for an `https://` proxy, besides the client's
    /// (botocore's `proxies_config={"proxy_ca_bundle": …}`). Read when the client is built.
    pub fn proxy_ca_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.proxy_ca_bundle = Some(path.into());
        self
    }

    /// Present the certificate and key of this PEM file to an `https://` proxy that asks for a
    /// client certificate (botocore's `proxies_config={"proxy_client_cert": "both.pem"}`).
    pub fn proxy_client_cert(mut self, cert_and_key: impl Into<PathBuf>) -> Self {
        let cert = cert_and_key.into();
        self.proxy_client_cert = Some(ClientCert { cert, key: None });
        self
    }

    /// Present `cert`'s certificate with `key`'s private key to an `https://` proxy (botocore's
    /// `proxies_config={"proxy_client_cert": ("cert.pem", "key.pem")}`).
    pub fn proxy_client_cert_with_key(
        mut self,
        cert: impl Into<PathBuf>,
        key: impl Into<PathBuf>,
    ) -> Self {
        let (cert, key) = (cert.into(), Some(key.into()));
        self.proxy_client_cert = Some(ClientCert { cert, key });
        self
    }

    /// Send `https://` requests to an `https://` proxy in absolute form, for the proxy to open
    /// the TLS connection to the origin, instead of through a `CONNECT` tunnel (botocore's
    /// `proxies_config={"proxy_use_forwarding_for_https": True}`). Only a proxy reached over
    /// TLS is forwarded to, as urllib3 does for botocore: through a plain-http proxy `https://`
    /// requests still tunnel.
    pub fn proxy_use_forwarding_for_https(mut self, forward: bool) -> Self {
        self.proxy_forward_https = Some(forward);
        self
    }

    /// Every change of `other` over this one's (a later builder call wins).
    pub fn merge(self, other: HttpSettings) -> Self {
        HttpSettings {
            connect_timeout: other.connect_timeout.or(self.connect_timeout),
            read_timeout: other.read_timeout.or(self.read_timeout),
            pool_max_idle: other.pool_max_idle.or(self.pool_max_idle),
            proxy: other.proxy.or(self.proxy),
            ca_bundle: other.ca_bundle.or(self.ca_bundle),
            verify: other.verify.or(self.verify),
            tcp_keepalive: other.tcp_keepalive.or(self.tcp_keepalive),
            client_cert: other.client_cert.or(self.client_cert),
            proxy_ca_bundle: other.proxy_ca_bundle.or(self.proxy_ca_bundle),
            proxy_client_cert: other.proxy_client_cert.or(self.proxy_client_cert),
            proxy_forward_https: other.proxy_forward_https.or(self.proxy_forward_https),
        }
    }

    /// The settings a client uses: these changes over the environment (`lookup` reads a
    /// variable) and the profile's `ca_bundle`, over the defaults. The environment's CA bundle
    /// comes before the profile's, as in botocore.
    pub fn resolve(
        &self,
        lookup: impl Fn(&str) -> Option<String>,
        profile_ca_bundle: Option<PathBuf>,
    ) -> Result<HttpConfig, HttpConfigError> {
        self.over(HttpConfig::from_env_with(lookup)?, profile_ca_bundle)
    }

    /// [`resolve`](Self::resolve) given the whole environment, in its order, so proxy
    /// variables are found in any case ([`HttpConfig::from_env_vars`]), as botocore finds them.
    pub fn resolve_env<K: AsRef<str>, V: AsRef<str>>(
        &self,
        env: impl IntoIterator<Item = (K, V)>,
        profile_ca_bundle: Option<PathBuf>,
    ) -> Result<HttpConfig, HttpConfigError> {
        self.over(HttpConfig::from_env_vars(env)?, profile_ca_bundle)
    }

    /// These changes and the profile's CA bundle over what the environment gave.
    fn over(
        &self,
        mut config: HttpConfig,
        profile_ca_bundle: Option<PathBuf>,
    ) -> Result<HttpConfig, HttpConfigError> {
        if config.ca_bundle.is_none() {
            config.ca_bundle = profile_ca_bundle;
        }
        if let Some(limit) = self.connect_timeout {
            config.connect_timeout = limit;
        }
        if let Some(limit) = self.read_timeout {
            config.read_timeout = limit;
        }
        if let Some(n) = self.pool_max_idle {
            config.pool_max_idle = n;
        }
        match &self.proxy {
            None => {}
            Some(ProxyChoice::Direct) => config.proxy = None,
            Some(ProxyChoice::Url(url)) => {
                let url = ProxyUrl::parse(url)?;
                let mut proxy = config.proxy.take().unwrap_or_default();
                proxy.http = Some(url.clone());
                proxy.https = Some(url);
                proxy.http_refused = None;
                proxy.https_refused = None;
                config.proxy = Some(proxy);
            }
        }
        if let Some(path) = &self.ca_bundle {
            config.ca_bundle = Some(path.clone());
        }
        if let Some(verify) = self.verify {
            config.verify = verify;
        }
        if let Some(on) = self.tcp_keepalive {
            config.tcp_keepalive = on;
        }
        if let Some(cert) = &self.client_cert {
            config.client_cert = Some(cert.clone());
        }
        if let Some(path) = &self.proxy_ca_bundle {
            config.proxy_ca_bundle = Some(path.clone());
        }
        if let Some(cert) = &self.proxy_client_cert {
            config.proxy_client_cert = Some(cert.clone());
        }
        if let (Some(forward), Some(proxy)) = (self.proxy_forward_https, config.proxy.as_mut()) {
            proxy.forward_https = forward;
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http_config::DEFAULT_TIMEOUT;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    const ENV: &[(&str, &str)] = &[
        ("HTTPS_PROXY", "http://envproxy:3128"),
        ("HTTP_PROXY", "http://plainproxy:8080"),
        ("NO_PROXY", "internal.example"),
        ("AWS_CA_BUNDLE", "/env/ca.pem"),
    ];

    #[test]
    fn a_timeout_keeps_the_environment_proxy_no_proxy_and_ca_bundle() {
        let config = HttpSettings::new()
            .read_timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(2))
            .resolve(env(ENV), Some("/profile/ca.pem".into()))
            .unwrap();
        assert_eq!(config.read_timeout, Duration::from_secs(5));
        assert_eq!(config.connect_timeout, Duration::from_secs(2));
        let proxy = config.proxy.expect("the environment's proxy");
        assert_eq!(proxy.https.as_ref().unwrap().host, "envproxy");
        assert_eq!(proxy.http.as_ref().unwrap().host, "plainproxy");
        assert!(proxy.proxy_for("https", "internal.example", 443).is_none());
        assert_eq!(config.ca_bundle, Some(PathBuf::from("/env/ca.pem")));
        assert!(config.verify);
    }

    #[test]
    fn forwarding_for_https_applies_to_whichever_proxy_is_used_and_layers() {
        let forwarding = HttpSettings::new().proxy_use_forwarding_for_https(true);
        let from_env = forwarding.clone().resolve(env(ENV), None).unwrap();
        assert!(from_env.proxy.unwrap().forward_https);
        let chosen = forwarding
            .clone()
            .merge(HttpSettings::new().proxy("https://mine:3129"))
            .merge(HttpSettings::new().read_timeout(Duration::from_secs(3)))
            .resolve(env(&[]), None)
            .unwrap();
        assert!(chosen.proxy.unwrap().forward_https);
        // Off by default, off again when a later change says so, and nothing without a proxy.
        assert!(
            !HttpSettings::new()
                .resolve(env(ENV), None)
                .unwrap()
                .proxy
                .unwrap()
                .forward_https
        );
        let off = forwarding
            .clone()
            .merge(HttpSettings::new().proxy_use_forwarding_for_https(false));
        assert!(
            !off.resolve(env(ENV), None)
                .unwrap()
                .proxy
                .unwrap()
                .forward_https
        );
        assert!(forwarding.resolve(env(&[]), None).unwrap().proxy.is_none());
    }

    #[test]
    fn no_changes_is_the_environment_then_the_profile_then_the_defaults() {
        let config = HttpSettings::new()
            .resolve(env(&[]), Some("/profile/ca.pem".into()))
            .unwrap();
        assert_eq!(config.read_timeout, DEFAULT_TIMEOUT);
        assert!(config.proxy.is_none());
        assert_eq!(config.ca_bundle, Some(PathBuf::from("/profile/ca.pem")));
    }

    #[test]
    fn each_setter_changes_only_its_setting() {
        let config = HttpSettings::new()
            .proxy("http://mine:1")
            .ca_bundle("/mine.pem")
            .pool_max_idle(3)
            .verify(false)
            .tcp_keepalive(true)
            .client_cert("/mine-both.pem")
            .resolve(env(ENV), None)
            .unwrap();
        let proxy = config.proxy.expect("the chosen proxy");
        assert_eq!(proxy.https.as_ref().unwrap().host, "mine");
        assert_eq!(proxy.http.as_ref().unwrap().host, "mine");
        assert!(
            proxy.proxy_for("https", "internal.example", 443).is_none(),
            "NO_PROXY still applies"
        );
        assert_eq!(config.ca_bundle, Some(PathBuf::from("/mine.pem")));
        assert_eq!(config.pool_max_idle, 3);
        assert!(!config.verify);
        assert!(config.tcp_keepalive);
        let both = ClientCert {
            cert: "/mine-both.pem".into(),
            key: None,
        };
        assert_eq!(config.client_cert, Some(both));
        assert_eq!(config.read_timeout, DEFAULT_TIMEOUT);
        let defaults = HttpSettings::new().resolve(env(&[]), None).unwrap();
        assert!(!defaults.tcp_keepalive, "off unless asked for");
        assert_eq!(defaults.client_cert, None, "none unless asked for");
        let direct = HttpSettings::new()
            .no_proxy()
            .resolve(env(ENV), None)
            .unwrap();
        assert!(direct.proxy.is_none());
        assert_eq!(direct.ca_bundle, Some(PathBuf::from("/env/ca.pem")));
    }

    #[test]
    fn a_later_change_wins_and_bad_proxies_are_typed_errors() {
        let merged = HttpSettings::new()
            .read_timeout(Duration::from_secs(1))
            .merge(HttpSettings::new().read_timeout(Duration::from_secs(9)));
        let config = merged.resolve(env(&[]), None).unwrap();
        assert_eq!(config.read_timeout, Duration::from_secs(9));
        let certs = HttpSettings::new()
            .client_cert("/first.pem")
            .merge(HttpSettings::new().client_cert_with_key("/second.pem", "/second.key"))
            .merge(HttpSettings::new().read_timeout(Duration::from_secs(2)));
        let config = certs.resolve(env(&[]), None).unwrap();
        let second = ClientCert {
            cert: "/second.pem".into(),
            key: Some("/second.key".into()),
        };
        assert_eq!(
            config.client_cert,
            Some(second),
            "the later certificate, kept"
        );
        let bad = HttpSettings::new()
            .proxy("socks5://socks-proxy:1080")
            .resolve(env(&[]), None);
        assert!(matches!(bad, Err(HttpConfigError::InvalidProxy { .. })));
        let tls = HttpSettings::new()
            .proxy("https://tls-proxy")
            .resolve(env(&[]), None);
        let https = tls.unwrap().proxy.unwrap().https.unwrap();
        assert_eq!(
            (https.tls, https.port),
            (true, 443),
            "an https:// proxy, over TLS"
        );
    }
}
