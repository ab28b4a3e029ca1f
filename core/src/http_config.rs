//! HTTP settings every transport shares: timeouts, pool size, proxies with `NO_PROXY` matching,
//! TLS trust, plus the small runtime-agnostic rules transports must apply the same way
//! (classifying I/O errors, catching truncated bodies).
//!
//! Nothing here reads the environment or a file: [`HttpConfig::from_env_with`] takes a lookup
//! function, so each transport supplies `std::env::var` and tests supply a map.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::transport::{TransportError, TransportErrorKind};

/// botocore's `DEFAULT_TIMEOUT` (connect and read), in seconds.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// botocore's `MAX_POOL_CONNECTIONS`.
pub(crate) const DEFAULT_POOL_MAX_IDLE: usize = 10;

/// How a transport connects, waits and trusts; the same for every runtime.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Longest wait for a TCP connection (and proxy tunnel) to open.
    pub connect_timeout: Duration,
    /// Longest wait for any single read (or write) on an open connection: the response head, or
    /// the next chunk of a body. Not a limit on the whole exchange, so large bodies are fine.
    pub read_timeout: Duration,
    /// Idle connections kept per host for reuse.
    pub pool_max_idle: usize,
    /// Forward proxies; `None` connects directly.
    pub proxy: Option<ProxyConfig>,
    /// A PEM file whose certificates replace the built-in roots (botocore's `AWS_CA_BUNDLE` /
    /// `verify=<path>`).
    pub ca_bundle: Option<PathBuf>,
    /// Verify server certificates (botocore's `verify`); `false` accepts any certificate.
    pub verify: bool,
    /// Turn on TCP keep-alive probes (`SO_KEEPALIVE`, at the operating system's timing) on each
    /// connection: botocore's `tcp_keepalive`, off by default.
    pub tcp_keepalive: bool,
    /// A certificate to present when a server asks the client to authenticate (mutual TLS):
    /// botocore's `client_cert`. `None` presents none.
    pub client_cert: Option<ClientCert>,
    /// An `https://` proxy's own CA certificates (PEM), trusted for the proxy besides the
    /// client's (botocore's `proxies_config` `proxy_ca_bundle`).
    pub proxy_ca_bundle: Option<PathBuf>,
    /// The certificate to present to an `https://` proxy that asks for one (botocore's
    /// `proxies_config` `proxy_client_cert`); servers are not shown it.
    pub proxy_client_cert: Option<ClientCert>,
}

/// The client certificate of mutual TLS, as botocore's `client_cert` names it: a PEM file with
/// the certificate (then any intermediates), and the private key either in the same file
/// (botocore's `client_cert="both.pem"`) or in its own (`client_cert=("cert.pem", "key.pem")`).
///
/// The files are read when a client is built; the key may be PKCS#8, PKCS#1 (RSA) or SEC1
/// (EC). An encrypted key is not read (Python's `ssl` would ask for its password on the
/// terminal): the file reads as holding no private key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCert {
    /// The PEM file holding the certificate chain, leaf first (and the key when `key` is
    /// `None`).
    pub cert: PathBuf,
    /// The PEM file holding the private key, when it is not in `cert`'s file.
    pub key: Option<PathBuf>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: DEFAULT_TIMEOUT,
            read_timeout: DEFAULT_TIMEOUT,
            pool_max_idle: DEFAULT_POOL_MAX_IDLE,
            proxy: None,
            ca_bundle: None,
            verify: true,
            tcp_keepalive: false,
            client_cert: None,
            proxy_ca_bundle: None,
            proxy_client_cert: None,
        }
    }
}

impl HttpConfig {
    /// Defaults, with proxies from `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` and the CA bundle from
    /// `AWS_CA_BUNDLE`.
    ///
    /// The proxy variables are read as Python's `urllib` reads them for botocore: the lower-case
    /// name wins over the upper-case one, an empty value counts as unset (and an empty lower-case
    /// variable hides the upper-case one), and `HTTP_PROXY` in upper case is ignored when
    /// `REQUEST_METHOD` is set (a CGI program's environment, where a request's `Proxy:` header
    /// arrives as `HTTP_PROXY`). `ALL_PROXY` is not read (botocore does not read it). A proxy
    /// variable that names no usable proxy does not refuse the configuration: it is kept in
    /// [`ProxyConfig::http_refused`]/[`ProxyConfig::https_refused`], and only the requests that
    /// would go through it fail, as in botocore.
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, HttpConfigError> {
        let var = |lower: &str, upper: &str| match lookup(lower) {
            Some(v) => Some(v).filter(|v| !v.is_empty()),
            None => lookup(upper).filter(|v| !v.is_empty()),
        };
        let cgi = lookup("REQUEST_METHOD").is_some();
        let http = if cgi {
            lookup("http_proxy").filter(|v| !v.is_empty())
        } else {
            var("http_proxy", "HTTP_PROXY")
        };
        Ok(HttpConfig::from_proxy_vars(
            var("https_proxy", "HTTPS_PROXY"),
            http,
            var("no_proxy", "NO_PROXY"),
            lookup("AWS_CA_BUNDLE"),
        ))
    }

    /// [`from_env_with`](Self::from_env_with) given the whole environment in its order, so a
    /// proxy variable is found in any case, as Python's `urllib` finds it for botocore
    /// (`getproxies_environment`): every non-empty variable whose name ends in `_proxy` in any
    /// case counts (`Https_Proxy` too), the later of two spellings winning; then `HTTP_PROXY`
    /// is dropped under `REQUEST_METHOD`; then the names whose `_proxy` is in lower case
    /// (`https_proxy`, `HTTPS_proxy`) are read again and win, an empty one unsetting its
    /// scheme. With only the upper- and lower-case names this is what `from_env_with` reads.
    ///
    /// The order decides only between two spellings other than the lower-case one, both set
    /// and different (`HTTPS_PROXY` and `Https_Proxy`): Python takes the later in the
    /// process's environment; sansboto's clients pass the environment sorted by name (a
    /// session keeps it unordered), so the one whose name sorts last is taken.
    ///
    /// ```
    /// use sansboto_core::HttpConfig;
    /// let env = [("Https_Proxy", "http://mixed.local:3128"), ("no_proxy", "localhost")];
    /// let proxy = HttpConfig::from_env_vars(env).unwrap().proxy.unwrap();
    /// assert_eq!(proxy.https.unwrap().host, "mixed.local");
    /// ```
    pub fn from_env_vars<K: AsRef<str>, V: AsRef<str>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, HttpConfigError> {
        const SUFFIX: &str = "_proxy";
        let vars: Vec<(K, V)> = vars.into_iter().collect();
        // `urllib`'s dictionary of proxies by scheme (`https`, `http`, `no`, …), small.
        let mut proxies: Vec<(String, String)> = Vec::new();
        let mut set = |scheme: &str, value: Option<&str>| {
            let at = proxies.iter().position(|(s, _)| s == scheme);
            match (at, value) {
                (Some(i), Some(v)) => proxies[i].1 = v.to_owned(),
                (None, Some(v)) => proxies.push((scheme.to_owned(), v.to_owned())),
                (Some(i), None) => {
                    proxies.remove(i);
                }
                (None, None) => {}
            }
        };
        let mut cgi = false;
        for (name, value) in &vars {
            let (name, value) = (name.as_ref(), value.as_ref());
            cgi |= name == "REQUEST_METHOD";
            let lower = name.to_lowercase();
            if !value.is_empty() && lower.ends_with(SUFFIX) {
                set(&lower[..lower.len() - SUFFIX.len()], Some(value));
            }
        }
        if cgi {
            set("http", None);
        }
        for (name, value) in &vars {
            let (name, value) = (name.as_ref(), value.as_ref());
            if name.ends_with(SUFFIX) {
                let lower = name.to_lowercase();
                let scheme = &lower[..lower.len() - SUFFIX.len()];
                set(scheme, Some(value).filter(|v| !v.is_empty()));
            }
        }
        let proxy = |scheme: &str| {
            proxies
                .iter()
                .find(|(s, _)| s == scheme)
                .map(|(_, v)| v.clone())
        };
        let ca_bundle = vars
            .iter()
            .find(|(name, _)| name.as_ref() == "AWS_CA_BUNDLE")
            .map(|(_, v)| v.as_ref().to_owned());
        Ok(HttpConfig::from_proxy_vars(
            proxy("https"),
            proxy("http"),
            proxy("no"),
            ca_bundle,
        ))
    }

    /// The configuration the proxy variables (set and not empty) and `AWS_CA_BUNDLE` give.
    fn from_proxy_vars(
        https: Option<String>,
        http: Option<String>,
        no_proxy: Option<String>,
        ca_bundle: Option<String>,
    ) -> Self {
        let read = |value: Option<String>| match value.map(|v| ProxyUrl::parse(&v)) {
            None => (None, None),
            Some(Ok(url)) => (Some(url), None),
            Some(Err(e)) => (None, Some(e)),
        };
        let (https, https_refused) = read(https);
        let (http, http_refused) = read(http);
        let proxy = if https.is_some()
            || http.is_some()
            || https_refused.is_some()
            || http_refused.is_some()
        {
            Some(ProxyConfig {
                http,
                https,
                no_proxy: no_proxy.map(|v| NoProxy::parse(&v)).unwrap_or_default(),
                http_refused,
                https_refused,
                forward_https: false,
            })
        } else {
            None
        };
        HttpConfig {
            proxy,
            ca_bundle: ca_bundle.filter(|v| !v.is_empty()).map(PathBuf::from),
            ..HttpConfig::default()
        }
    }
}

/// A configuration value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpConfigError {
    /// A proxy URL that is not `[http://][user[:password]@]host[:port][/…]`.
    #[error("invalid proxy URL {url:?}: {reason}")]
    InvalidProxy {
        /// The URL as given, with any password removed.
        url: String,
        /// What was wrong.
        reason: &'static str,
    },
}

/// Which forward proxy to use for which scheme, and which hosts bypass them.
#[derive(Clone, Debug, Default)]
pub struct ProxyConfig {
    /// Proxy for `http://` URLs (requests sent in absolute form).
    pub http: Option<ProxyUrl>,
    /// Proxy for `https://` URLs (an HTTP `CONNECT` tunnel, TLS end to end; or, with
    /// [`forward_https`](Self::forward_https) and a TLS proxy, the request in absolute form,
    /// the proxy opening the TLS connection to the origin).
    pub https: Option<ProxyUrl>,
    /// Hosts reached directly.
    pub no_proxy: NoProxy,
    /// Why the proxy variable for `http://` URLs names no usable proxy (`http` is then `None`):
    /// a plain-HTTP request that `no_proxy` does not bypass fails with it.
    pub http_refused: Option<HttpConfigError>,
    /// Why the proxy variable for `https://` URLs names no usable proxy (another scheme, junk):
    /// an HTTPS request that `no_proxy` does not bypass fails with it.
    pub https_refused: Option<HttpConfigError>,
    /// Send `https://` requests to an `https://` proxy in absolute form, for the proxy to open
    /// the TLS connection to the origin, instead of through a `CONNECT` tunnel (botocore's
    /// `proxies_config={"proxy_use_forwarding_for_https": True}`). As urllib3, only a proxy
    /// reached over TLS is forwarded to; through a plain-http proxy `https://` still tunnels, so
    /// no request crosses the network in the clear.
    pub forward_https: bool,
}

impl ProxyConfig {
    /// The proxy for a request to `scheme://host:port`, or `None` to connect directly (or when
    /// the scheme's proxy is refused: [`route_for_uri`](Self::route_for_uri) says so).
    pub fn proxy_for(&self, scheme: &str, host: &str, port: u16) -> Option<&ProxyUrl> {
        let proxy = if scheme.eq_ignore_ascii_case("https") {
            self.https.as_ref()
        } else if scheme.eq_ignore_ascii_case("http") {
            self.http.as_ref()
        } else {
            None
        }?;
        if self.no_proxy.matches(host, port) {
            None
        } else {
            Some(proxy)
        }
    }

    /// The proxy for a request to `uri` (its scheme's default port when it names none).
    pub fn proxy_for_uri(&self, uri: &http::Uri) -> Option<&ProxyUrl> {
        let scheme = uri.scheme_str()?;
        let to = Destination::of(uri)?;
        self.proxy_for(scheme, to.host, to.port)
    }

    /// How a request to `uri` goes: through the proxy, directly (`None`), or not at all when
    /// the proxy variable for its scheme names no usable proxy and `no_proxy` does not bypass
    /// the host (what every transport asks before it connects).
    pub fn route_for_uri(&self, uri: &http::Uri) -> Result<Option<&ProxyUrl>, HttpConfigError> {
        let (Some(scheme), Some(to)) = (uri.scheme_str(), Destination::of(uri)) else {
            return Ok(None);
        };
        let refused = if scheme.eq_ignore_ascii_case("https") {
            self.https_refused.as_ref()
        } else if scheme.eq_ignore_ascii_case("http") {
            self.http_refused.as_ref()
        } else {
            None
        };
        match refused {
            Some(e) if !self.no_proxy.matches(to.host, to.port) => Err(e.clone()),
            _ => Ok(self.proxy_for(scheme, to.host, to.port)),
        }
    }

    /// Whether an `https://` request through `proxy` is forwarded to it in absolute form rather
    /// than tunnelled ([`forward_https`](Self::forward_https), to a TLS proxy only).
    pub fn forwards_https_to(&self, proxy: &ProxyUrl) -> bool {
        self.forward_https && proxy.tls
    }

    /// The `Proxy-Authorization` header a request to `uri` carries when it goes to a proxy with
    /// credentials in absolute form (plain `http://`, or `https://` forwarded; a tunnelled
    /// request's credentials go in the `CONNECT` request instead), marked sensitive so no log
    /// shows it.
    pub fn absolute_form_authorization(&self, uri: &http::Uri) -> Option<http::HeaderValue> {
        let https = uri.scheme_str()?.eq_ignore_ascii_case("https");
        // The usual https request (tunnelled) is told apart before any proxy lookup.
        if https && !self.forward_https {
            return None;
        }
        let proxy = self.proxy_for_uri(uri)?;
        if https && !self.forwards_https_to(proxy) {
            return None;
        }
        let credentials = proxy.authorization.as_deref()?;
        let mut value = http::HeaderValue::from_str(credentials).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

/// Where a request goes: the host (IPv6 without brackets) and port to connect to, the scheme's
/// default port when the URI names none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Destination<'a> {
    /// `https://` (TLS, and a `CONNECT` tunnel through a proxy unless it forwards https)
    /// rather than `http://`.
    pub https: bool,
    /// The host name or address.
    pub host: &'a str,
    /// The port.
    pub port: u16,
}

impl<'a> Destination<'a> {
    /// Where `uri` goes (a URI without a scheme is `http://`); `None` without a host.
    pub fn of(uri: &'a http::Uri) -> Option<Self> {
        let https = uri
            .scheme_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("https"));
        let host = uri.host()?;
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        Some(Destination { https, host, port })
    }
}

/// A forward proxy's address (`http://`, or `https://` for TLS to the proxy itself), with
/// optional basic credentials.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ProxyUrl {
    /// The proxy speaks TLS (an `https://` proxy URL): the connection to it is a TLS session,
    /// and a tunnel to an `https://` origin runs TLS inside it, as urllib3 does for botocore.
    pub tls: bool,
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// TCP port (80, or 443 for an `https://` proxy, when the URL gives none).
    pub port: u16,
    /// User name from the URL (percent-decoded), for stacks that build their own header; `None`
    /// unless the URL has both a user name and a password (botocore sends no credentials then).
    pub username: Option<String>,
    /// Password from the URL (percent-decoded), when it has both a user name and a password.
    pub password: Option<String>,
    /// The `Proxy-Authorization` header value (`Basic …`) when the URL has credentials.
    pub authorization: Option<String>,
}

/// `http://host:port` (`https://` for a TLS proxy): where the proxy is, without its
/// credentials (what errors show).
impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "https" } else { "http" };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyUrl")
            .field("tls", &self.tls)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl ProxyUrl {
    /// Parse `[http[s]://][user:password@]host[:port][/…]` as botocore reads a proxy URL:
    /// without a scheme (or with only `//`) it is `http://`; `https://` is a proxy reached over
    /// TLS; an empty port is the scheme's default (80, 443); the host may be a name, an IPv4
    /// address or a bracketed IPv6 one. Credentials are percent-decoded and used only when both
    /// the user name and the password are non-empty (botocore sends none otherwise). No other
    /// scheme is supported (botocore reads `socks5://p:1080` as a proxy named `socks5` on port
    /// 80). The scheme's case is ignored (botocore reads `HTTP://p:1` as a proxy named `http`).
    /// Whitespace is not trimmed: a host or port holding it is refused, as botocore refuses it.
    pub fn parse(url: &str) -> Result<Self, HttpConfigError> {
        let invalid = |reason| HttpConfigError::InvalidProxy {
            url: redact_userinfo(url),
            reason,
        };
        let is_scheme = |s: &str| {
            s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        };
        let (tls, rest) = match url
            .split_once("://")
            .filter(|(scheme, _)| is_scheme(scheme))
        {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => (false, rest),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => (true, rest),
            Some(_) => return Err(invalid("only http:// and https:// proxies are supported")),
            // `http:host` names no host (botocore reads it so too).
            None if ["http:", "https:"].iter().any(|s| {
                url.get(..s.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(s))
            }) =>
            {
                return Err(invalid("missing host"))
            }
            None => (false, url.strip_prefix("//").unwrap_or(url)),
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
            let (host, after) = inner.split_once(']').ok_or_else(|| invalid("bad host"))?;
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(invalid("bad IPv6 address"));
            }
            let port = match after {
                "" => "",
                p => p.strip_prefix(':').ok_or_else(|| invalid("bad host"))?,
            };
            (host, port)
        } else {
            let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, ""));
            if host.contains(':') {
                return Err(invalid("an IPv6 address must be in brackets"));
            }
            (host, port)
        };
        if host.is_empty() {
            return Err(invalid("missing host"));
        }
        if host
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(invalid("bad host"));
        }
        let port = if port.is_empty() {
            if tls {
                443
            } else {
                80
            }
        } else if port.bytes().all(|b| b.is_ascii_digit()) {
            let digits = port.trim_start_matches('0');
            match digits.parse::<u16>() {
                Ok(p) => p,
                Err(_) if digits.is_empty() => 0,
                Err(_) => return Err(invalid("port out of range")),
            }
        } else {
            return Err(invalid("bad port"));
        };
        let decode = |s: &str| crate::encoding::percent_decode(s, false).into_owned();
        let (username, password) = match userinfo.and_then(|u| u.split_once(':')) {
            Some((user, pass)) if !user.is_empty() && !pass.is_empty() => {
                (Some(decode(user)), Some(decode(pass)))
            }
            _ => (None, None),
        };
        let authorization = username.as_ref().map(|user| {
            use base64::Engine as _;
            let creds = format!("{user}:{}", password.as_deref().unwrap_or_default());
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(creds)
            )
        });
        Ok(ProxyUrl {
            tls,
            host: host.to_owned(),
            port,
            username,
            password,
            authorization,
        })
    }
}

impl ProxyUrl {
    /// The request asking this proxy for a tunnel to `host:port` (with credentials when the
    /// proxy URL had them); the answer is checked with [`check_tunnel_answer`].
    pub fn tunnel_request(&self, host: &str, port: u16) -> String {
        let authority = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
        if let Some(auth) = &self.authorization {
            head.push_str("Proxy-Authorization: ");
            head.push_str(auth);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        head
    }
}

/// Longest proxy answer to `CONNECT` a transport should read before giving up.
pub const MAX_TUNNEL_ANSWER: usize = 8192;

/// Check a proxy's answer to `CONNECT` (its head, through the blank line): any 2xx opens the
/// tunnel; anything else is the proxy's refusal, returned as its status line.
pub fn check_tunnel_answer(head: &[u8]) -> Result<(), String> {
    let status_line = head
        .split(|&b| b == b'\r' || b == b'\n')
        .next()
        .unwrap_or_default();
    let status_line = String::from_utf8_lossy(status_line);
    let mut words = status_line.split_whitespace();
    let is_http = words.next().is_some_and(|v| v.starts_with("HTTP/1."));
    match words.next() {
        Some(code) if is_http && code.len() == 3 && code.starts_with('2') => Ok(()),
        _ => Err(status_line.into_owned()),
    }
}

/// The `CONNECT` exchange with a proxy, sans-IO and written once: the transport writes
/// [`request`](Self::request), then feeds the answer byte by byte (nothing past its end may be
/// consumed: it belongs to the tunnel) until [`push`](Self::push) says the tunnel is open.
pub struct TunnelHandshake {
    target: String,
    request: String,
    answer: Vec<u8>,
}

impl std::fmt::Debug for TunnelHandshake {
    /// Never the request itself: it carries the proxy's credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TunnelHandshake")
            .field("target", &self.target)
            .field("answered", &self.answer.len())
            .finish_non_exhaustive()
    }
}

impl TunnelHandshake {
    /// A tunnel to `host:port` through `proxy`.
    pub fn new(proxy: &ProxyUrl, host: &str, port: u16) -> Self {
        TunnelHandshake {
            target: format!("{host}:{port}"),
            request: proxy.tunnel_request(host, port),
            answer: Vec::with_capacity(128),
        }
    }

    /// The bytes to send the proxy.
    pub fn request(&self) -> &[u8] {
        self.request.as_bytes()
    }

    /// The next byte of the answer (`None`: the proxy closed the connection): `Ok(true)` once
    /// the tunnel is open, `Ok(false)` to read on; an error for an answer too long, a closed
    /// connection or a refusal.
    pub fn push(&mut self, byte: Option<u8>) -> std::io::Result<bool> {
        use std::io::{Error, ErrorKind};
        let Some(byte) = byte else {
            return Err(Error::new(
                ErrorKind::ConnectionAborted,
                "proxy closed the CONNECT tunnel",
            ));
        };
        if self.answer.len() >= MAX_TUNNEL_ANSWER {
            return Err(Error::new(
                ErrorKind::InvalidData,
                "proxy CONNECT answer too long",
            ));
        }
        self.answer.push(byte);
        if !self.answer.ends_with(b"\r\n\r\n") {
            return Ok(false);
        }
        check_tunnel_answer(&self.answer)
            .map(|()| true)
            .map_err(|status| {
                Error::new(
                    ErrorKind::ConnectionRefused,
                    format!("proxy refused CONNECT {}: {status}", self.target),
                )
            })
    }
}

/// `user:pass@host` → `***@host`, so errors never show a proxy password.
fn redact_userinfo(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}***{}", &url[..s + 3], &url[at..]),
        (None, Some(at)) => format!("***{}", &url[at..]),
        _ => url.to_owned(),
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` → (host without brackets, port).
fn split_host_port(s: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after {
            "" => Some((host, None)),
            p => Some((host, Some(p.strip_prefix(':')?.parse().ok()?))),
        };
    }
    match s.rsplit_once(':') {
        // A bare IPv6 address has several colons and no port.
        Some((h, _)) if h.contains(':') => Some((s, None)),
        Some((h, p)) => Some((h, Some(p.parse().ok()?))),
        None => Some((s, None)),
    }
}

/// The `NO_PROXY` list: hosts, domain suffixes, IP addresses and CIDR ranges reached directly.
///
/// Entries are comma- (or space-) separated. `*` as the whole list bypasses every host (as an
/// entry among others it matches none, as in Python's `urllib`). `example.com`, `.example.com`
/// and `*.example.com` all match `example.com` and any subdomain (never `badexample.com`), a
/// trailing dot on the entry or the host aside. An entry may carry `:port`, then it matches only
/// that port (the URL's scheme's default port when the URL names none). IP entries (IPv6 with
/// or without brackets) match the same address, never a name or another address by suffix;
/// `10.0.0.0/8`-style entries match addresses in the range. Matching ignores case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoProxy {
    entries: Vec<NoProxyEntry>,
    all: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum NoProxyEntry {
    Domain { suffix: String, port: Option<u16> },
    Ip { addr: IpAddr, port: Option<u16> },
    Cidr { network: IpAddr, prefix: u8 },
}

impl NoProxy {
    /// Parse a `NO_PROXY` value; unparsable entries are ignored, as curl and urllib do.
    pub fn parse(list: &str) -> Self {
        let mut no_proxy = NoProxy {
            all: list == "*",
            ..NoProxy::default()
        };
        for raw in list
            .split([',', ' '])
            .map(str::trim)
            .filter(|e| !e.is_empty() && *e != "*")
        {
            if let Some((net, prefix)) = raw.split_once('/') {
                let network = net
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>();
                if let (Ok(network), Ok(prefix)) = (network, prefix.parse::<u8>()) {
                    let max = if network.is_ipv4() { 32 } else { 128 };
                    if prefix <= max {
                        no_proxy
                            .entries
                            .push(NoProxyEntry::Cidr { network, prefix });
                    }
                }
                continue;
            }
            // Leading dots are ignored (`.10.0.0.1` is `10.0.0.1`, `..[::1]` is `[::1]`).
            let Some((host, port)) = split_host_port(raw.trim_start_matches('.')) else {
                continue;
            };
            if let Ok(addr) = host.parse::<IpAddr>() {
                no_proxy.entries.push(NoProxyEntry::Ip { addr, port });
                continue;
            }
            let suffix = host
                .trim_start_matches('*')
                .trim_start_matches('.')
                .trim_end_matches('.')
                .to_ascii_lowercase();
            if !suffix.is_empty() {
                no_proxy.entries.push(NoProxyEntry::Domain { suffix, port });
            }
        }
        no_proxy
    }

    /// True when `host:port` is to be reached without a proxy. `host` may be bracketed IPv6.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        if self.all {
            return true;
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.');
        let ip = host.parse::<IpAddr>().ok();
        self.entries.iter().any(|entry| match entry {
            NoProxyEntry::Domain { suffix, port: p } => {
                p.is_none_or(|p| p == port)
                    && ip.is_none()
                    && host.len() >= suffix.len()
                    && host[host.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
                    && (host.len() == suffix.len()
                        || host.as_bytes()[host.len() - suffix.len() - 1] == b'.')
            }
            NoProxyEntry::Ip { addr, port: p } => p.is_none_or(|p| p == port) && ip == Some(*addr),
            NoProxyEntry::Cidr { network, prefix } => {
                ip.is_some_and(|ip| in_cidr(ip, *network, *prefix))
            }
        })
    }
}

fn in_cidr(ip: IpAddr, network: IpAddr, prefix: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// Classify an I/O error the way every transport must, so retries see the same kinds.
pub fn io_error_kind(e: &std::io::Error) -> TransportErrorKind {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::TimedOut | K::WouldBlock => TransportErrorKind::Timeout,
        K::ConnectionRefused
        | K::NotFound
        | K::AddrNotAvailable
        | K::HostUnreachable
        | K::NetworkUnreachable => TransportErrorKind::Connect,
        _ => TransportErrorKind::Io,
    }
}

/// Counts response body bytes against the declared `Content-Length`, so a connection closed
/// early is reported instead of handing the parser a silently short body.
#[derive(Clone, Copy, Debug, Default)]
pub struct BodyLengthCheck {
    expected: Option<u64>,
    received: u64,
}

impl BodyLengthCheck {
    /// Expect `expected` bytes (`None`: length unknown, nothing to check).
    pub fn new(expected: Option<u64>) -> Self {
        BodyLengthCheck {
            expected,
            received: 0,
        }
    }

    /// The declared length of a response (`None` when absent or unparsable).
    pub fn content_length(headers: &http::HeaderMap) -> Option<u64> {
        headers
            .get(http::header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// Record `n` more bytes; an error when the body is longer than declared.
    pub fn record(&mut self, n: usize) -> Result<(), TransportError> {
        self.received += n as u64;
        match self.expected {
            Some(expected) if self.received > expected => Err(TransportError::new(
                TransportErrorKind::Io,
                format!(
                    "response body longer than its Content-Length ({} > {expected} bytes)",
                    self.received
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The body ended; an error when fewer bytes arrived than declared.
    pub fn finish(&self) -> Result<(), TransportError> {
        match self.expected {
            Some(expected) if self.received < expected => Err(TransportError::new(
                TransportErrorKind::Io,
                format!(
                    "connection closed after {} of {expected} response body bytes (Content-Length)",
                    self.received
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The declared length (`Content-Length`), when there was one.
    pub fn expected(&self) -> Option<u64> {
        self.expected
    }

    /// Bytes seen so far.
    pub fn received(&self) -> u64 {
        self.received
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tunnel_handshake_opens_on_2xx_and_reports_refusals_closes_and_floods() {
        let proxy = ProxyUrl::parse("http://proxy:3128").unwrap();
        let feed = |answer: &[u8]| {
            let mut handshake = TunnelHandshake::new(&proxy, "s3.amazonaws.com", 443);
            assert!(handshake
                .request()
                .starts_with(b"CONNECT s3.amazonaws.com:443 HTTP/1.1\r\n"));
            for (i, &b) in answer.iter().enumerate() {
                if handshake.push(Some(b))? {
                    assert_eq!(i + 1, answer.len(), "open exactly at the blank line");
                    return Ok(true);
                }
            }
            handshake.push(None)
        };
        assert!(feed(b"HTTP/1.1 200 Connection established\r\n\r\n").unwrap());
        let refused = feed(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n").unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
        assert!(refused.to_string().contains("407"), "{refused}");
        let closed = feed(b"HTTP/1.1 200 OK\r\n").unwrap_err();
        assert_eq!(closed.kind(), std::io::ErrorKind::ConnectionAborted);
        let flood = feed(&vec![b'x'; MAX_TUNNEL_ANSWER + 10]).unwrap_err();
        assert_eq!(flood.kind(), std::io::ErrorKind::InvalidData);
    }
    use std::collections::HashMap;

    #[test]
    fn no_proxy_domains_match_suffixes_on_label_boundaries() {
        let np = NoProxy::parse("example.com, .internal.net,*.corp.io , localhost:8080");
        assert!(np.matches("example.com", 443));
        assert!(np.matches("s3.EXAMPLE.com", 443));
        assert!(!np.matches("badexample.com", 443));
        assert!(np.matches("internal.net", 80));
        assert!(np.matches("a.b.internal.net", 80));
        assert!(np.matches("x.corp.io", 80));
        assert!(!np.matches("corp.iox", 80));
        assert!(np.matches("localhost", 8080));
        assert!(!np.matches("localhost", 80));
        assert!(
            np.matches("example.com.", 443),
            "a trailing dot is the same name"
        );
    }

    #[test]
    fn no_proxy_ips_and_cidrs() {
        let np = NoProxy::parse("127.0.0.1,10.0.0.0/8,[::1],fd00::/8,169.254.169.254:80");
        assert!(np.matches("127.0.0.1", 9000));
        assert!(!np.matches("127.0.0.2", 9000));
        assert!(np.matches("10.200.3.4", 443));
        assert!(!np.matches("11.0.0.1", 443));
        assert!(np.matches("[::1]", 443));
        assert!(np.matches("fd12::5", 443));
        assert!(!np.matches("fe80::1", 443));
        assert!(np.matches("169.254.169.254", 80));
        assert!(!np.matches("169.254.169.254", 8080));
        let dotted = NoProxy::parse(".127.0.0.1,..[::1]");
        assert!(dotted.matches("127.0.0.1", 80) && dotted.matches("::1", 443));
        assert!(
            !np.matches("10.example.com", 80),
            "a CIDR never matches a name"
        );
    }

    #[test]
    fn no_proxy_star_and_junk() {
        assert!(NoProxy::parse("*").matches("anything.example", 1));
        for not_all in [" *", "*,", "localhost,*"] {
            assert!(
                !NoProxy::parse(not_all).matches("anything.example", 1),
                "{not_all:?}"
            );
        }
        assert!(NoProxy::parse("localhost,*").matches("localhost", 1));
        assert!(NoProxy::parse("example.com.").matches("a.example.com", 1));
        let np = NoProxy::parse(",, 10.0.0.0/99, [zz, .");
        assert!(!np.matches("10.0.0.1", 80));
        assert!(!np.matches("example.com", 80));
        assert!(!NoProxy::default().matches("example.com", 80));
    }

    #[test]
    fn proxy_urls_parse_with_and_without_scheme() {
        let p = ProxyUrl::parse("http://user:p%40ss@proxy.local:3128/").unwrap();
        assert_eq!((p.host.as_str(), p.port), ("proxy.local", 3128));
        // base64("user:p@ss")
        assert_eq!(p.authorization.as_deref(), Some("Basic dXNlcjpwQHNz"));
        assert_eq!(
            (p.username.as_deref(), p.password.as_deref()),
            (Some("user"), Some("p@ss"))
        );
        assert!(
            !format!("{p:?}").contains("dXNl"),
            "credentials stay out of Debug"
        );
        assert!(
            !format!("{p:?}").contains("p@ss"),
            "credentials stay out of Debug"
        );
        let p = ProxyUrl::parse("10.1.2.3:8080").unwrap();
        assert_eq!(
            (p.host.as_str(), p.port, p.authorization),
            ("10.1.2.3", 8080, None)
        );
        assert_eq!(ProxyUrl::parse("http://[::1]:3128").unwrap().host, "::1");
        assert_eq!(ProxyUrl::parse("proxy").unwrap().port, 80);
        let err = ProxyUrl::parse("socks5://u:secret@p:1").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        // An https:// proxy is reached over TLS; its default port is 443 (urllib3's).
        let tls = ProxyUrl::parse("HTTPS://u:p@tls-proxy").unwrap();
        assert_eq!(
            (tls.tls, tls.host.as_str(), tls.port),
            (true, "tls-proxy", 443)
        );
        assert_eq!(tls.to_string(), "https://tls-proxy:443");
        assert!(tls.authorization.is_some());
        assert!(!ProxyUrl::parse("http://p").unwrap().tls);
        assert!(!ProxyUrl::parse("//p").unwrap().tls);
        assert!(ProxyUrl::parse("http://p:notaport").is_err());
        assert!(ProxyUrl::parse("http://:80").is_err());
    }

    #[test]
    fn proxy_urls_are_read_as_botocore_reads_them() {
        let p = |url: &str| ProxyUrl::parse(url).map(|p| (p.host, p.port, p.authorization));
        let at = |host: &str, port| Ok((host.to_owned(), port, None));
        assert_eq!(p("//proxy:3128"), at("proxy", 3128), "// is http://");
        assert_eq!(p("http://proxy:"), at("proxy", 80), "an empty port");
        assert_eq!(p("proxy:0003128/x"), at("proxy", 3128));
        assert_eq!(p("HTTP://proxy:1"), at("proxy", 1));
        assert_eq!(p("http://proxy:1/ "), at("proxy", 1), "blanks in the path");
        for bad in [
            "http://proxy:+1",
            "http://proxy:65536",
            "http://proxy: 1",
            " http://proxy:1",
            "http://proxy:1 ",
            "http://p x:1",
            "http://::1",
            "fe80::1:8080",
            "http:proxy:1",
            "http:user:pass@proxy:1",
            "http://[::1",
            "http://[zz]:1",
            "socks5://proxy:1080",
            "https:proxy",
            " ",
        ] {
            assert!(ProxyUrl::parse(bad).is_err(), "{bad:?}");
        }
        // Credentials only with a user name and a password, as botocore sends them.
        for partial in [
            "http://user@p",
            "http://user:@p",
            "http://:pass@p",
            "http://@p",
        ] {
            let p = ProxyUrl::parse(partial).unwrap();
            assert_eq!(
                (p.authorization, p.username, p.password),
                (None, None, None)
            );
        }
        let p = ProxyUrl::parse("http://a@b:c:d@p").unwrap();
        assert_eq!(
            (p.username.as_deref(), p.password.as_deref()),
            (Some("a@b"), Some("c:d"))
        );
    }

    /// The whole environment read as `urllib`'s `getproxies_environment` reads it: any case,
    /// in order, the lower-case `_proxy` spellings read again and winning.
    #[test]
    fn env_vars_are_read_in_any_case_and_in_order() {
        let hosts = |vars: &[(&str, &str)]| {
            let proxy = HttpConfig::from_env_vars(vars.iter().copied())
                .unwrap()
                .proxy;
            let host = |p: Option<ProxyUrl>| p.map(|p| p.host);
            proxy.map_or((None, None), |p| (host(p.https), host(p.http)))
        };
        let some = |h: &str| Some(h.to_string());
        assert_eq!(hosts(&[("Https_Proxy", "mixed")]), (some("mixed"), None));
        // The later of two first-pass spellings wins; the lower-case one wins over both.
        assert_eq!(
            hosts(&[("HTTPS_PROXY", "a"), ("Https_Proxy", "b")]),
            (some("b"), None)
        );
        assert_eq!(
            hosts(&[("https_proxy", "low"), ("Https_Proxy", "b")]),
            (some("low"), None)
        );
        // A lower-case suffix is read again: empty, it unsets what the first pass found.
        assert_eq!(
            hosts(&[("HTTPS_PROXY", "a"), ("HTTPS_proxy", "")]),
            (None, None)
        );
        assert_eq!(
            hosts(&[("Https_Proxy", "a"), ("Https_Proxy_", "b")]).0,
            some("a")
        );
        // The CGI rule drops what the first pass found for http; a lower-case suffix brings
        // it back.
        let cgi = ("REQUEST_METHOD", "GET");
        assert_eq!(hosts(&[("HTTP_PROXY", "up"), cgi]), (None, None));
        assert_eq!(hosts(&[("Http_Proxy", "up"), cgi]), (None, None));
        assert_eq!(hosts(&[("HTTP_proxy", "up"), cgi]), (None, some("up")));
        // NO_PROXY in any case; AWS_CA_BUNDLE by its exact name.
        let config = HttpConfig::from_env_vars([
            ("Http_Proxy", "p"),
            ("No_Proxy", "direct.example"),
            ("AWS_CA_BUNDLE", "/ca.pem"),
        ])
        .unwrap();
        let route = config
            .proxy
            .as_ref()
            .unwrap()
            .route_for_uri(&"http://direct.example/".parse().unwrap())
            .unwrap();
        assert!(route.is_none());
        assert_eq!(config.ca_bundle, Some(PathBuf::from("/ca.pem")));
        // With the upper- and lower-case names only, it reads what the lookup reads.
        for vars in [
            &[("HTTP_PROXY", "up"), ("http_proxy", "")][..],
            &[("HTTP_PROXY", ""), ("http_proxy", "low")],
            &[
                ("HTTPS_PROXY", "up"),
                ("https_proxy", "low"),
                ("REQUEST_METHOD", ""),
            ],
            &[("HTTP_PROXY", "up"), ("REQUEST_METHOD", "")],
        ] {
            let lookup = |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            };
            let by_lookup = HttpConfig::from_env_with(lookup).unwrap().proxy;
            let by_vars = HttpConfig::from_env_vars(vars.iter().copied())
                .unwrap()
                .proxy;
            assert_eq!(format!("{by_lookup:?}"), format!("{by_vars:?}"), "{vars:?}");
        }
    }

    #[test]
    fn env_lookup_follows_urllib_on_empty_values_and_cgi() {
        let from = |vars: &[(&str, &str)]| {
            let vars: HashMap<String, String> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            HttpConfig::from_env_with(|k| vars.get(k).cloned())
                .unwrap()
                .proxy
        };
        let http_host = |vars: &[(&str, &str)]| from(vars)?.http.map(|p| p.host);
        assert_eq!(http_host(&[("HTTP_PROXY", "up"), ("http_proxy", "")]), None);
        assert_eq!(
            http_host(&[("HTTP_PROXY", ""), ("http_proxy", "low")]).as_deref(),
            Some("low")
        );
        assert_eq!(
            http_host(&[("HTTP_PROXY", "up"), ("REQUEST_METHOD", "")]),
            None
        );
        assert_eq!(
            http_host(&[("http_proxy", "low"), ("REQUEST_METHOD", "GET")]).as_deref(),
            Some("low")
        );
        assert!(from(&[("ALL_PROXY", "p"), ("all_proxy", "p")]).is_none());

        // A broken variable fails only the requests that would go through it.
        let proxy = from(&[
            ("https_proxy", "socks5://socks-proxy"),
            ("http_proxy", "plain:3128"),
            ("no_proxy", "direct.example"),
        ])
        .unwrap();
        let route = |uri: &str| {
            proxy
                .route_for_uri(&uri.parse().unwrap())
                .map(|p| p.map(|p| p.host.clone()))
        };
        assert!(route("https://s3.amazonaws.com/").is_err());
        assert_eq!(route("https://direct.example/"), Ok(None));
        assert_eq!(route("http://s3.amazonaws.com/"), Ok(Some("plain".into())));
        assert!(proxy
            .proxy_for_uri(&"https://s3.amazonaws.com/".parse().unwrap())
            .is_none());
    }

    #[test]
    fn tunnel_request_and_answer() {
        let p = ProxyUrl::parse("http://u:p@proxy:3128").unwrap();
        assert_eq!(
            p.tunnel_request("s3.amazonaws.com", 443),
            "CONNECT s3.amazonaws.com:443 HTTP/1.1\r\nHost: s3.amazonaws.com:443\r\n\
             Proxy-Authorization: Basic dTpw\r\n\r\n"
        );
        let plain = ProxyUrl::parse("proxy:1").unwrap();
        assert_eq!(
            plain.tunnel_request("::1", 8443),
            "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n"
        );
        assert!(check_tunnel_answer(b"HTTP/1.1 200 Connection established\r\n\r\n").is_ok());
        assert!(check_tunnel_answer(b"HTTP/1.0 200\r\n\r\n").is_ok());
        let refused =
            check_tunnel_answer(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n").unwrap_err();
        assert_eq!(refused, "HTTP/1.1 407 Proxy Authentication Required");
        assert!(check_tunnel_answer(b"garbage 200\r\n\r\n").is_err());
        assert!(check_tunnel_answer(b"").is_err());

        // The handshake's Debug names the target, never the credentials its request carries.
        let shown = format!("{:?}", TunnelHandshake::new(&p, "s3.amazonaws.com", 443));
        assert!(shown.contains("s3.amazonaws.com:443"), "{shown}");
        assert!(
            !shown.contains("dTpw") && !shown.contains("Basic"),
            "{shown}"
        );
    }

    #[test]
    fn env_lookup_prefers_lower_case_and_reads_no_proxy() {
        let env: HashMap<&str, &str> = [
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "http://lower:2"),
            ("HTTP_PROXY", "plain:3"),
            ("NO_PROXY", "localhost,169.254.169.254"),
            ("AWS_CA_BUNDLE", "/etc/ca.pem"),
        ]
        .into_iter()
        .collect();
        let cfg = HttpConfig::from_env_with(|k| env.get(k).map(|v| v.to_string())).unwrap();
        let proxy = cfg.proxy.as_ref().unwrap();
        assert_eq!(proxy.https.as_ref().unwrap().host, "lower");
        assert_eq!(proxy.http.as_ref().unwrap().port, 3);
        assert_eq!(
            proxy
                .proxy_for("https", "s3.amazonaws.com", 443)
                .unwrap()
                .port,
            2
        );
        assert!(proxy.proxy_for("http", "localhost", 80).is_none());
        assert!(proxy.proxy_for("http", "169.254.169.254", 80).is_none());
        assert!(proxy.proxy_for("ftp", "example.com", 21).is_none());
        assert_eq!(
            cfg.ca_bundle.as_deref(),
            Some(std::path::Path::new("/etc/ca.pem"))
        );
        assert_eq!(cfg.connect_timeout, Duration::from_secs(60));
        assert!(cfg.verify);

        let none =
            HttpConfig::from_env_with(|k| (k == "NO_PROXY").then(|| "x".to_owned())).unwrap();
        assert!(none.proxy.is_none());
    }

    #[test]
    fn body_length_check_reports_short_and_long_bodies() {
        let mut c = BodyLengthCheck::new(Some(10));
        c.record(4).unwrap();
        let err = c.finish().unwrap_err();
        assert_eq!(err.kind, TransportErrorKind::Io);
        assert!(err.to_string().contains("4 of 10"), "{err}");
        c.record(6).unwrap();
        c.finish().unwrap();
        assert!(c.record(1).is_err());
        BodyLengthCheck::new(None).finish().unwrap();
    }

    #[test]
    fn io_errors_are_classified() {
        use std::io::{Error, ErrorKind};
        assert_eq!(
            io_error_kind(&Error::from(ErrorKind::TimedOut)),
            TransportErrorKind::Timeout
        );
        assert_eq!(
            io_error_kind(&Error::from(ErrorKind::ConnectionRefused)),
            TransportErrorKind::Connect
        );
        assert_eq!(
            io_error_kind(&Error::from(ErrorKind::UnexpectedEof)),
            TransportErrorKind::Io
        );
    }
}
