//! The rustls client configuration an [`HttpConfig`] asks for (feature `tls-rustls`), shared by
//! the transports so all verify servers the same way and present the same client certificate
//! (and the one for an `https://` proxy, [`proxy_client_config`]),
//! the CA bundle it reads ([`ca_bundle`]), what kind of failure an I/O error of a rustls
//! connection is ([`io_error`]), the name a server is verified as ([`server_name`]), the core's
//! HTTP/1.1 driver set up for rustls connections ([`h1_driver`]), a close without
//! `close_notify` read as Python reads it ([`ragged_eof_as_end`]) and what a connection holds
//! unread inside rustls ([`holds_unread`]). rustls with the ring provider; the core stays free
//! of TLS, so this lives with the other host-side code.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WantsClientCert;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, ConfigBuilder, DigitallySignedStruct, RootCertStore, SignatureScheme};
use sansboto_core::http1::driver::{ByteIo, Driver, Transport};
use sansboto_core::{ClientCert, HttpConfig};
use sansboto_core::{TransportError, TransportErrorKind};

/// What the TLS errors call the client certificate's files.
const CLIENT_CERT: &str = "client certificate";
const CLIENT_KEY: &str = "client certificate key";

/// The rustls configuration `cfg` asks for: webpki roots, or only the CA bundle's certificates
/// (as botocore uses `AWS_CA_BUNDLE` instead of its default bundle), or no verification. It
/// offers `http/1.1` by ALPN, as botocore's urllib3 (2.x) does; a transport's HTTP/2
/// connections offer `h2` instead.
///
/// Reads the CA bundle file (PEM) when one is configured and verification is on; a bundle that
/// cannot be read, is not valid PEM, holds an invalid certificate or holds none is a
/// [`TransportErrorKind::Tls`] error naming its path. Reads the client certificate's files
/// ([`HttpConfig::client_cert`], presented whether or not servers are verified) the same way.
pub fn client_config(cfg: &HttpConfig) -> Result<ClientConfig, TransportError> {
    let mut config = presenting(verifying(cfg, None)?, cfg.client_cert.as_ref())?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// `verifying` finished with the client certificate `client_cert` names (its files read
/// here), or with none.
fn presenting(
    verifying: ConfigBuilder<ClientConfig, WantsClientCert>,
    client_cert: Option<&ClientCert>,
) -> Result<ClientConfig, TransportError> {
    let Some(client_cert) = client_cert else {
        return Ok(verifying.with_no_client_auth());
    };
    let (chain, key) = client_auth(client_cert)?;
    verifying.with_client_auth_cert(chain, key).map_err(|e| {
        let path = client_cert.key.as_ref().unwrap_or(&client_cert.cert);
        let what = match e {
            rustls::Error::InconsistentKeys(_) => "not the certificate's key",
            _ => "a key rustls cannot sign with",
        };
        file_error(CLIENT_KEY, path, what).with_source(e)
    })
}

/// The rustls configuration of the TLS session with an `https://` proxy, when `cfg`'s proxies
/// include one (`None` otherwise, so a client without one reads no CA bundle twice). The proxy
/// is verified as servers are (urllib3 hands the proxy the client's CA certificates and
/// verification mode), also trusting [`HttpConfig::proxy_ca_bundle`]'s certificates, and is
/// shown [`HttpConfig::proxy_client_cert`] when it asks for one (urllib3 presents the servers'
/// certificate to no proxy), as botocore's `proxies_config` has them; it offers `http/1.1` by
/// ALPN. Errors as [`client_config`]'s.
pub fn proxy_client_config(cfg: &HttpConfig) -> Result<Option<Arc<ClientConfig>>, TransportError> {
    let tls_proxy = cfg.proxy.as_ref().is_some_and(|p| {
        [&p.http, &p.https]
            .into_iter()
            .any(|proxy| proxy.as_ref().is_some_and(|p| p.tls))
    });
    if !tls_proxy {
        return Ok(None);
    }
    let verifying = verifying(cfg, cfg.proxy_ca_bundle.as_deref())?;
    let mut config = presenting(verifying, cfg.proxy_client_cert.as_ref())?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(Arc::new(config)))
}

/// The rustls configurations a connection may need: the origin's ([`client_config`]) and an
/// `https://` proxy's when the client has one ([`proxy_client_config`]).
#[derive(Clone, Debug)]
pub struct TlsConfigs {
    /// The origin's.
    pub origin: Arc<ClientConfig>,
    /// The `https://` proxy's, when the client has one.
    pub proxy: Option<Arc<ClientConfig>>,
}

impl TlsConfigs {
    /// Both configurations `cfg` asks for; errors as [`client_config`]'s.
    pub fn new(cfg: &HttpConfig) -> Result<Self, TransportError> {
        Ok(TlsConfigs {
            origin: Arc::new(client_config(cfg)?),
            proxy: proxy_client_config(cfg)?,
        })
    }

    /// The proxy's configuration, for a route through an `https://` proxy.
    pub fn proxy(&self) -> std::io::Result<&Arc<ClientConfig>> {
        self.proxy.as_ref().ok_or_else(no_proxy_config)
    }
}

/// The failure of a connection through an `https://` proxy the client has no TLS
/// configuration for (its proxies came from elsewhere than its `HttpConfig`).
pub fn no_proxy_config() -> std::io::Error {
    std::io::Error::other("no TLS configuration for the https:// proxy")
}

/// The configuration's certificate verification, as `cfg` asks for it, trusting `also`'s
/// certificates too when given (an `https://` proxy's own CA bundle).
fn verifying(
    cfg: &HttpConfig,
    also: Option<&Path>,
) -> Result<ConfigBuilder<ClientConfig, WantsClientCert>, TransportError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| {
            TransportError::new(TransportErrorKind::Tls, "no usable TLS versions").with_source(e)
        })?;
    if !cfg.verify {
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider))));
    }
    let mut roots = RootCertStore::empty();
    match &cfg.ca_bundle {
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => add_bundle(&mut roots, path)?,
    }
    if let Some(path) = also {
        add_bundle(&mut roots, path)?;
    }
    Ok(builder.with_root_certificates(roots))
}

/// `roots` with the certificates of the CA bundle at `path` (errors as [`ca_bundle`]'s).
fn add_bundle(roots: &mut RootCertStore, path: &Path) -> Result<(), TransportError> {
    for cert in ca_bundle(path)? {
        roots
            .add(cert)
            .map_err(|e| bundle_error(path, "invalid certificate").with_source(e))?;
    }
    Ok(())
}

/// The certificate chain and private key `cert` names, read as Python's `ssl`
/// `load_cert_chain(certfile, keyfile)` reads them: every certificate of the certificate file,
/// leaf first; the first private key of the key file, or of the certificate file when there is
/// no key file. A file that cannot be read, is not valid PEM or lacks what it should hold is a
/// [`TransportErrorKind::Tls`] error naming it.
fn client_auth(
    cert: &ClientCert,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TransportError> {
    let read = |kind: &str, path: &Path| {
        std::fs::read(path).map_err(|e| file_error(kind, path, "cannot be read").with_source(e))
    };
    let pem = read(CLIENT_CERT, &cert.cert)?;
    let chain = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(CLIENT_CERT, &cert.cert, "invalid PEM").with_source(e))?;
    if chain.is_empty() {
        return Err(file_error(CLIENT_CERT, &cert.cert, "holds no certificate"));
    }
    let (key_path, key_pem) = match &cert.key {
        Some(path) => (path.as_path(), read(CLIENT_KEY, path)?),
        None => (cert.cert.as_path(), pem),
    };
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
        let what = match e {
            rustls::pki_types::pem::Error::NoItemsFound => "holds no (unencrypted) private key",
            _ => "invalid PEM",
        };
        file_error(CLIENT_KEY, key_path, what).with_source(e)
    })?;
    Ok((chain, key))
}

/// The certificates of the CA bundle at `path` (PEM), which replace the built-in roots (as
/// botocore uses `AWS_CA_BUNDLE` instead of its default bundle): a bundle that cannot be read,
/// is not valid PEM or holds no certificate is a [`TransportErrorKind::Tls`] error naming its
/// path.
pub fn ca_bundle(path: &Path) -> Result<Vec<CertificateDer<'static>>, TransportError> {
    let pem =
        std::fs::read(path).map_err(|e| bundle_error(path, "cannot be read").with_source(e))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bundle_error(path, "invalid PEM").with_source(e))?;
    if certs.is_empty() {
        return Err(bundle_error(path, "holds no certificate"));
    }
    Ok(certs)
}

/// The core's HTTP/1.1 [`Driver`] for a transport on rustls connections of type `C`: the idle
/// pool `cfg` allows, failures classified by [`io_error`], the monotonic clock; `still_open` is
/// the transport's check that an idle connection is still open.
pub fn h1_driver<C: ByteIo>(cfg: &HttpConfig, still_open: fn(&mut C) -> bool) -> Driver<C> {
    let transport = Transport {
        still_open,
        error: io_error,
        clock: std::time::Instant::now,
    };
    Driver::new(cfg.pool_max_idle, transport)
}

/// The name the server at `host` (a DNS name or an IP address, IPv6 without brackets) is
/// verified as, and sent as SNI.
pub fn server_name(host: &str) -> std::io::Result<ServerName<'static>> {
    ServerName::try_from(host.to_owned()).map_err(|e| {
        let msg = format!("bad TLS server name {host}: {e}");
        std::io::Error::new(std::io::ErrorKind::InvalidInput, msg)
    })
}

/// An I/O error of a connection (plain or rustls) as a transport error saying `context`: TLS
/// when rustls failed (its errors surface wrapped in `InvalidData`), else the core's kinds (a
/// failure while `connecting` that is nothing more telling is a connect failure).
pub fn io_error(e: std::io::Error, context: &str, connecting: bool) -> TransportError {
    let is_tls = |e: &(dyn std::error::Error + 'static)| {
        e.is::<rustls::Error>().then_some(TransportErrorKind::Tls)
    };
    let kind = sansboto_core::connection::classify_chain(&e, connecting, is_tls);
    TransportError::new(kind, format!("{context}: {e}")).with_source(e)
}

/// A read of a rustls stream with a close without `close_notify` taken as the end of the stream
/// (`Ok(0)`): rustls reports it as `UnexpectedEof`, where Python's ssl, under urllib3 (whose
/// sockets keep `suppress_ragged_eofs=True`), returns `b""`. Whether the end was allowed there is
/// then the framing's to say, as http.client says it: a body delimited by the close ends, one
/// with a `Content-Length` or chunks cut short still fails.
pub fn ragged_eof_as_end(read: std::io::Result<usize>) -> std::io::Result<usize> {
    match read {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(0),
        other => other,
    }
}

/// Whether `conn` holds what the next read would give without a socket read: decrypted bytes
/// nobody read, a close (`close_notify`) it has seen, or a record it cannot process. An idle
/// connection holding any of these is out of step (the driver's
/// [`ByteIo::holds_unread`]).
pub fn holds_unread(conn: &mut rustls::ClientConnection) -> bool {
    match conn.process_new_packets() {
        Ok(state) => state.plaintext_bytes_to_read() > 0 || state.peer_has_closed(),
        Err(_) => true,
    }
}

fn bundle_error(path: &Path, what: &str) -> TransportError {
    file_error("CA bundle", path, what)
}

/// A TLS file (`kind`: "CA bundle", "client certificate", …) at `path` that cannot be used.
fn file_error(kind: &str, path: &Path, what: &str) -> TransportError {
    TransportError::new(
        TransportErrorKind::Tls,
        format!("{kind} {}: {what}", path.display()),
    )
}

/// `verify = false`: any server certificate is accepted (handshake signatures are still checked).
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::PrivateKeyDer;
    use rustls::server::{ClientHello, ResolvesServerCert};
    use rustls::sign::CertifiedKey;
    use rustls::{ClientConnection, ServerConfig, ServerConnection};
    use std::path::PathBuf;

    /// A fresh file named `name` under this process's temp directory.
    fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sansboto-models-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, contents).expect("write temp file");
        path
    }

    /// A server config for a self-signed `localhost` certificate, and that certificate as PEM.
    fn self_signed_server() -> (Arc<ServerConfig>, String) {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
            .expect("generate certificate");
        let key = PrivateKeyDer::Pkcs8(cert.key_pair.serialize_der().into());
        let server =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("protocol versions")
                .with_no_client_auth()
                .with_single_cert(vec![cert.cert.der().clone()], key)
                .expect("server config");
        (Arc::new(server), cert.cert.pem())
    }

    /// Run a whole handshake in memory between a client using `client` and `server`; the
    /// client's error, if the handshake fails.
    fn handshake(client: ClientConfig, server: Arc<ServerConfig>) -> Result<(), rustls::Error> {
        let name = ServerName::try_from("localhost").expect("server name");
        let mut client = ClientConnection::new(Arc::new(client), name)?;
        let mut server = ServerConnection::new(server).expect("server connection");
        // A TLS 1.3 handshake takes two round trips; a few more rounds cover any alert.
        for _ in 0..10 {
            let mut wire = Vec::new();
            while client.wants_write() {
                client.write_tls(&mut wire).expect("client write");
            }
            let mut read = &wire[..];
            while !read.is_empty() {
                server.read_tls(&mut read).expect("server read");
            }
            if server.process_new_packets().is_err() {
                // The server refuses what the client sent (an alert); the client's error
                // was already returned below on an earlier round.
                break;
            }
            let mut wire = Vec::new();
            while server.wants_write() {
                server.write_tls(&mut wire).expect("server write");
            }
            let mut read = &wire[..];
            while !read.is_empty() {
                client.read_tls(&mut read).expect("client read");
            }
            client.process_new_packets()?;
            if !client.is_handshaking() && !server.is_handshaking() {
                return Ok(());
            }
        }
        panic!("handshake neither finished nor failed");
    }

    fn bundle(path: PathBuf) -> HttpConfig {
        HttpConfig {
            ca_bundle: Some(path),
            ..HttpConfig::default()
        }
    }

    /// A client and a server connection over a finished handshake (in memory).
    fn connected_pair() -> (ClientConnection, ServerConnection) {
        let (server, _) = self_signed_server();
        let cfg = client_config(&HttpConfig {
            verify: false,
            ..HttpConfig::default()
        })
        .expect("unverified config");
        let name = ServerName::try_from("localhost").expect("server name");
        let mut client = ClientConnection::new(Arc::new(cfg), name).expect("client");
        let mut server = ServerConnection::new(server).expect("server connection");
        while client.is_handshaking() || server.is_handshaking() {
            pass(&mut client, &mut server);
            pass(&mut server, &mut client);
        }
        (client, server)
    }

    /// Move what `from` has to send into `to` and process it.
    fn pass<A, B, SA, SB>(from: &mut A, to: &mut B)
    where
        A: std::ops::DerefMut<Target = rustls::ConnectionCommon<SA>>,
        B: std::ops::DerefMut<Target = rustls::ConnectionCommon<SB>>,
    {
        let mut wire = Vec::new();
        while from.wants_write() {
            from.write_tls(&mut wire).expect("write tls");
        }
        let mut read = &wire[..];
        while !read.is_empty() {
            to.read_tls(&mut read).expect("read tls");
        }
        to.process_new_packets().expect("process");
    }

    #[test]
    fn bytes_left_in_rustls_or_a_seen_close_are_held_unread() {
        use std::io::{Read, Write};
        let (mut client, mut server) = connected_pair();
        assert!(!holds_unread(&mut client), "nothing sent yet");
        // One record: the body's end and more bytes; a reader that stops at the body's end
        // leaves the rest inside rustls.
        server.writer().write_all(b"helloEXTRA").unwrap();
        pass(&mut server, &mut client);
        let mut body = [0u8; 5];
        client.reader().read_exact(&mut body).unwrap();
        assert_eq!(&body, b"hello");
        assert!(holds_unread(&mut client));
        let mut rest = [0u8; 5];
        client.reader().read_exact(&mut rest).unwrap();
        assert!(!holds_unread(&mut client), "all read");
        // The server's close_notify, processed with the last record: the connection is over.
        server.send_close_notify();
        pass(&mut server, &mut client);
        assert!(holds_unread(&mut client));
    }

    #[test]
    fn a_close_without_close_notify_reads_as_the_end() {
        use std::io::Read;
        let (mut client, _server) = connected_pair();
        // The TCP stream ends (a read of 0 bytes) with no close_notify.
        client.read_tls(&mut &[][..]).unwrap();
        client.process_new_packets().unwrap();
        let raw = client.reader().read(&mut [0u8; 8]);
        assert_eq!(
            raw.as_ref().map_err(|e| e.kind()),
            Err(std::io::ErrorKind::UnexpectedEof)
        );
        assert_eq!(ragged_eof_as_end(raw).unwrap(), 0);
        // Any other failure stays one.
        let reset = Err(std::io::ErrorKind::ConnectionReset.into());
        assert!(ragged_eof_as_end(reset).is_err());
        assert_eq!(ragged_eof_as_end(Ok(3)).unwrap(), 3);
    }

    #[test]
    fn default_roots_reject_a_self_signed_server() {
        let (server, _) = self_signed_server();
        let config = client_config(&HttpConfig::default()).expect("default config");
        let err = handshake(config, server).expect_err("self-signed must be rejected");
        assert!(
            matches!(err, rustls::Error::InvalidCertificate(_)),
            "{err:?}"
        );
    }

    #[test]
    fn a_ca_bundle_replaces_the_roots() {
        let (server, pem) = self_signed_server();
        let path = temp_file("trusted.pem", pem.as_bytes());
        let config = client_config(&bundle(path.clone())).expect("bundle config");
        handshake(config, server).expect("the bundle's certificate is trusted");

        // Only the bundle's certificates are trusted: another self-signed server is not.
        let (other_server, _) = self_signed_server();
        let config = client_config(&bundle(path)).expect("bundle config");
        assert!(handshake(config, other_server).is_err());
    }

    #[test]
    fn verify_false_accepts_any_certificate_and_ignores_the_bundle() {
        let (server, _) = self_signed_server();
        let cfg = HttpConfig {
            verify: false,
            ca_bundle: Some("/nonexistent/ca.pem".into()),
            ..HttpConfig::default()
        };
        let config = client_config(&cfg).expect("unverified config");
        handshake(config, server).expect("any certificate is accepted");
    }

    /// Hands out a certificate with a signing key that is not the certificate's.
    #[derive(Debug)]
    struct MismatchedKey(Arc<CertifiedKey>);

    impl ResolvesServerCert for MismatchedKey {
        fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
            Some(self.0.clone())
        }
    }

    #[test]
    fn verify_false_still_checks_handshake_signatures() {
        let shown = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
            .expect("generate certificate");
        let other_key = rcgen::KeyPair::generate().expect("generate key");
        let signing_key = rustls::crypto::ring::sign::any_supported_type(&PrivateKeyDer::Pkcs8(
            other_key.serialize_der().into(),
        ))
        .expect("signing key");
        let resolver = Arc::new(MismatchedKey(Arc::new(CertifiedKey::new(
            vec![shown.cert.der().clone()],
            signing_key,
        ))));
        let unverified = HttpConfig {
            verify: false,
            ..HttpConfig::default()
        };
        for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
            let server = ServerConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_protocol_versions(&[version])
            .expect("protocol version")
            .with_no_client_auth()
            .with_cert_resolver(resolver.clone());
            let config = client_config(&unverified).expect("unverified config");
            let err = handshake(config, Arc::new(server))
                .expect_err("a server without the certificate's key must be rejected");
            assert!(
                matches!(
                    err,
                    rustls::Error::InvalidCertificate(rustls::CertificateError::BadSignature)
                ),
                "{version:?}: {err:?}"
            );
        }
    }

    #[test]
    fn a_bad_bundle_is_a_tls_error_naming_its_path() {
        let missing: PathBuf = "/nonexistent/ca.pem".into();
        let cases = [
            (missing, "cannot be read"),
            (
                temp_file(
                    "broken.pem",
                    b"-----BEGIN CERTIFICATE-----\n!!! not base64 !!!\n-----END CERTIFICATE-----\n",
                ),
                "invalid PEM",
            ),
            (
                // Valid PEM and base64, but the DER inside is not a certificate.
                temp_file(
                    "not-a-cert.pem",
                    b"-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
                ),
                "invalid certificate",
            ),
            (
                temp_file("empty.pem", b"just some text, no PEM sections\n"),
                "holds no certificate",
            ),
        ];
        for (path, what) in cases {
            let err = match client_config(&bundle(path.clone())) {
                Ok(_) => panic!("expected an error for {}", path.display()),
                Err(e) => e,
            };
            assert_eq!(err.kind, TransportErrorKind::Tls, "{err}");
            assert_eq!(err.message, format!("CA bundle {}: {what}", path.display()));
        }
    }

    /// botocore's `proxies_config`: the proxy's own CA bundle and client certificate are the
    /// `https://` proxy's alone; the origin's configuration neither trusts the one nor shows
    /// the other, and a file that cannot be used fails the client's build, naming it.
    #[test]
    fn an_https_proxys_own_bundle_and_certificate_are_its_alone() {
        let (server, pem) = self_signed_server();
        let cert = rcgen::generate_simple_self_signed(vec!["client".to_owned()]).unwrap();
        let both = format!("{}{}", cert.cert.pem(), cert.key_pair.serialize_pem());
        let proxy = sansboto_core::ProxyUrl::parse("https://localhost:3129").unwrap();
        let cfg = HttpConfig {
            proxy: Some(sansboto_core::ProxyConfig {
                https: Some(proxy),
                ..Default::default()
            }),
            proxy_ca_bundle: Some(temp_file("proxy-ca.pem", pem.as_bytes())),
            proxy_client_cert: Some(ClientCert {
                cert: temp_file("proxy-client.pem", both.as_bytes()),
                key: None,
            }),
            ..HttpConfig::default()
        };
        let configs = TlsConfigs::new(&cfg).unwrap();
        let proxy = configs.proxy().unwrap();
        assert!(proxy.client_auth_cert_resolver.has_certs());
        assert!(!configs.origin.client_auth_cert_resolver.has_certs());
        assert!(handshake((**proxy).clone(), server.clone()).is_ok());
        assert!(handshake((*configs.origin).clone(), server).is_err());

        let missing: PathBuf = "/nonexistent/proxy-client.pem".into();
        let unusable = HttpConfig {
            proxy_client_cert: Some(ClientCert {
                cert: missing.clone(),
                key: None,
            }),
            ..cfg
        };
        let err = TlsConfigs::new(&unusable).unwrap_err();
        assert_eq!(err.kind, TransportErrorKind::Tls, "{err}");
        assert!(
            err.message.contains(&missing.display().to_string()),
            "{err}"
        );
    }
}
