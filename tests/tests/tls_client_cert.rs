//! Mutual TLS (botocore's `client_cert`): a loopback server that requires a client certificate
//! signed by its own CA, met by botocore 1.44.5's HTTP layer (`URLLib3Session(client_cert=…)`
//! and a client made with `Config(client_cert=…)`) and by every transport (blocking, async-std
//! under smol, tokio) given the same files. The certificate with its key in one file or in two,
//! with the server verified or not, is presented and accepted; no certificate, or one the
//! server's CA did not sign, is refused; files that cannot be used fail in both, ours when the
//! client is built, naming the file.

#[path = "transport_support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use rustls::pki_types::pem::PemObject;
use sansboto_core::runtime::Transport;
use sansboto_core::{Body, ClientCert, HttpConfig, TransportErrorKind};
use sansboto_tests::botocore;
use serde_json::{json, Value};
use support::ScriptedTls;

/// The files of one test run: the server's certificate (a CA bundle for the client), the
/// client certificate the server's CA signed (its key apart, and both in one file), one signed
/// by a CA the server does not know, and a key that belongs to neither.
struct Files {
    server_cert: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
    client_both: PathBuf,
    stranger_both: PathBuf,
    other_key: PathBuf,
}

/// A CA and a client certificate it signs (`CN=cn`, client authentication), as PEM.
fn ca_and_client(cn: &str) -> (rcgen::Certificate, String, String) {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, format!("{cn} CA"));
    let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
    let key = KeyPair::generate().expect("client key");
    let mut client = CertificateParams::new(Vec::<String>::new()).expect("client params");
    client.distinguished_name.push(DnType::CommonName, cn);
    client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let cert = client
        .signed_by(&key, &ca_cert, &ca_key)
        .expect("client certificate");
    (ca_cert, cert.pem(), key.serialize_pem())
}

/// The server (it requires a client certificate its CA signed, and tells which one it saw in
/// the header `x-seen-client`: `trusted` for the one it expects) and the files.
fn server_and_files() -> (ScriptedTls, Files) {
    let (ca, client_pem, client_key_pem) = ca_and_client("sansboto client");
    let (_, stranger_pem, stranger_key_pem) = ca_and_client("stranger");
    let other_key = KeyPair::generate().expect("other key").serialize_pem();
    let expected = rustls::pki_types::CertificateDer::from_pem_slice(client_pem.as_bytes())
        .expect("client certificate DER");

    let server = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .expect("server certificate");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).expect("client CA");
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .expect("client verifier");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(server.key_pair.serialize_der().into());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![server.cert.der().clone()], key)
        .expect("server config");
    let cfg = Arc::new(cfg);

    let tls = ScriptedTls::start(move |mut tcp, _| {
        use std::io::Read;
        let Ok(mut conn) = rustls::ServerConnection::new(cfg.clone()) else {
            return;
        };
        let mut head = Vec::new();
        {
            let mut stream = rustls::Stream::new(&mut conn, &mut tcp);
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                if !matches!(stream.read(&mut byte), Ok(1)) {
                    return;
                }
                head.push(byte[0]);
            }
        }
        let seen = match conn.peer_certificates() {
            Some([leaf, ..]) if *leaf == expected => "trusted",
            Some(_) => "another",
            None => "none",
        };
        let body = if head.starts_with(b"HEAD ") { "" } else { seen };
        let answer = format!(
            "HTTP/1.1 200 OK\r\nx-seen-client: {seen}\r\nx-amz-request-id: R1\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            seen.len()
        );
        let _ = support::tls_answer(&mut conn, &mut tcp, answer.as_bytes(), true);
    });

    // Each test's own files: the tests run at once, in one process (one temp directory).
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file =
        |name: &str, pem: &str| support::temp_file(&format!("mtls-{run}-{name}"), pem.as_bytes());
    let files = Files {
        server_cert: file("server.pem", &server.cert.pem()),
        client_cert: file("client.pem", &client_pem),
        client_key: file("client.key", &client_key_pem),
        client_both: file("client-both.pem", &format!("{client_pem}{client_key_pem}")),
        stranger_both: file(
            "stranger-both.pem",
            &format!("{stranger_pem}{stranger_key_pem}"),
        ),
        other_key: file("other.key", &other_key),
    };
    (tls, files)
}

/// One way of configuring the client: verify the server (against its certificate) or not, and
/// the client certificate, as botocore's `client_cert` (a path, or a (cert, key) pair).
#[derive(Clone)]
struct Case {
    name: &'static str,
    verify: bool,
    cert: Option<(PathBuf, Option<PathBuf>)>,
}

impl Case {
    fn botocore_cert(&self) -> Value {
        match &self.cert {
            None => Value::Null,
            Some((cert, None)) => json!(cert),
            Some((cert, Some(key))) => json!([cert, key]),
        }
    }

    fn http_config(&self, server_cert: &Path) -> HttpConfig {
        HttpConfig {
            verify: self.verify,
            ca_bundle: self.verify.then(|| server_cert.to_path_buf()),
            client_cert: self
                .cert
                .clone()
                .map(|(cert, key)| ClientCert { cert, key }),
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(5),
            ..HttpConfig::default()
        }
    }
}

/// A transport's answer: `Ok(x-seen-client)`, or the error's kind and message, and whether it
/// came when the client was built.
type Answer = Result<String, (TransportErrorKind, String, bool)>;

/// botocore's answer to a GET of `url` in each case: `["ok", x-seen-client]` or
/// `["error", exception class, message]`.
fn botocore_gets(url: &str, server_cert: &Path, cases: &[Case]) -> Vec<Value> {
    let setups: Vec<Value> = (cases.iter())
        .map(|c| {
            json!([
                if c.verify {
                    json!(server_cert)
                } else {
                    json!(false)
                },
                c.botocore_cert()
            ])
        })
        .collect();
    let snippet = format!(
        r#"
import json, warnings
warnings.simplefilter("ignore")
from botocore.httpsession import URLLib3Session
from botocore.awsrequest import AWSRequest
out = []
for verify, cert in json.loads({setups:?}):
    if isinstance(cert, list):
        cert = tuple(cert)
    try:
        http = URLLib3Session(verify=verify, timeout=(5, 5), client_cert=cert)
        r = http.send(AWSRequest(method="GET", url={url:?}).prepare())
        out.append(["ok", r.headers.get("x-seen-client")])
    except Exception as e:
        out.append(["error", type(e).__name__, str(e)])
emit(out)
"#,
        setups = serde_json::to_string(&setups).unwrap()
    );
    match botocore::run(&snippet, &[]) {
        Value::Array(answers) => answers,
        other => panic!("botocore: {other}"),
    }
}

/// What transport `T` gets for a GET of `url` with `cfg`.
async fn get<T: Transport>(url: &str, cfg: &HttpConfig) -> Answer {
    let client = T::connect(cfg).map_err(|e| (e.kind, e.message, true))?;
    let request = http::Request::get(url).body(Body::Empty).unwrap();
    let resp = client
        .send(request)
        .await
        .map_err(|e| (e.kind, e.message, false))?;
    let seen = resp
        .headers()
        .get("x-seen-client")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = client
        .read_body(resp.into_body())
        .await
        .map_err(|e| (e.kind, e.message, false))?;
    assert_eq!(seen.as_deref().map(str::as_bytes), Some(&body[..]));
    Ok(seen.unwrap_or_default())
}

/// Every transport's answer, named.
fn ours(url: &str, cfg: &HttpConfig) -> Vec<(&'static str, Answer)> {
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    vec![
        (
            "blocking",
            sansboto_blocking::block_on(get::<sansboto_blocking::HttpClient>(url, cfg)),
        ),
        (
            "async-std",
            smol::block_on(get::<sansboto_async_std::HttpClient>(url, cfg)),
        ),
        (
            "tokio",
            tokio.block_on(get::<sansboto_tokio::HttpClient>(url, cfg)),
        ),
    ]
}

#[test]
fn a_client_certificate_is_presented_as_botocore_presents_it() {
    let (server, f) = server_and_files();
    let url = server.url("/");
    let case = |name, verify, cert: Option<(&Path, Option<&Path>)>| Case {
        name,
        verify,
        cert: cert.map(|(c, k)| (c.to_path_buf(), k.map(Path::to_path_buf))),
    };
    let accepted = [
        case(
            "cert and key in one file",
            false,
            Some((&f.client_both, None)),
        ),
        case(
            "cert and key apart",
            false,
            Some((&f.client_cert, Some(&f.client_key))),
        ),
        case(
            "one file, server verified",
            true,
            Some((&f.client_both, None)),
        ),
        case(
            "apart, server verified",
            true,
            Some((&f.client_cert, Some(&f.client_key))),
        ),
    ];
    let refused = [
        case("no certificate", false, None),
        case("no certificate, server verified", true, None),
        case(
            "a certificate another CA signed",
            false,
            Some((&f.stranger_both, None)),
        ),
    ];
    let cases: Vec<Case> = accepted.iter().chain(&refused).cloned().collect();
    let theirs = botocore_gets(&url, &f.server_cert, &cases);
    for (case, theirs) in cases.iter().zip(&theirs) {
        let expect_ok = accepted.iter().any(|a| a.name == case.name);
        if expect_ok {
            assert_eq!(theirs, &json!(["ok", "trusted"]), "{}: botocore", case.name);
        } else {
            assert_eq!(theirs[0], "error", "{}: botocore {theirs}", case.name);
        }
        for (transport, got) in ours(&url, &case.http_config(&f.server_cert)) {
            match got {
                Ok(seen) => {
                    assert!(
                        expect_ok,
                        "{}: {transport} was let in as {seen:?}; botocore {theirs}",
                        case.name
                    );
                    assert_eq!(seen, "trusted", "{}: {transport}", case.name);
                }
                Err((kind, message, at_build)) => {
                    assert!(
                        !expect_ok,
                        "{}: {transport} failed: {kind:?} {message}",
                        case.name
                    );
                    assert!(
                        !at_build,
                        "{}: {transport} refused to build: {message}",
                        case.name
                    );
                    assert_eq!(
                        kind,
                        TransportErrorKind::Tls,
                        "{}: {transport}: {message}; botocore {theirs}",
                        case.name
                    );
                }
            }
        }
    }
}

#[test]
fn client_certificate_files_that_cannot_be_used_fail_as_in_botocore_and_name_the_file() {
    let (server, f) = server_and_files();
    let url = server.url("/");
    let missing = PathBuf::from("/nonexistent/sansboto-client.pem");
    let no_key_file = f.client_cert.clone();
    let garbage = support::temp_file(
        "mtls-garbage.pem",
        b"-----BEGIN CERTIFICATE-----\n!!! not base64 !!!\n-----END CERTIFICATE-----\n",
    );
    let cases = [
        (
            Case {
                name: "missing certificate file",
                verify: false,
                cert: Some((missing.clone(), None)),
            },
            "client certificate /nonexistent/sansboto-client.pem: cannot be read".to_string(),
        ),
        (
            Case {
                name: "missing key file",
                verify: false,
                cert: Some((f.client_cert.clone(), Some(missing.clone()))),
            },
            "client certificate key /nonexistent/sansboto-client.pem: cannot be read".to_string(),
        ),
        (
            Case {
                name: "certificate without its key",
                verify: false,
                cert: Some((no_key_file.clone(), None)),
            },
            format!(
                "client certificate key {}: holds no (unencrypted) private key",
                no_key_file.display()
            ),
        ),
        (
            Case {
                name: "the key of another certificate",
                verify: false,
                cert: Some((f.client_cert.clone(), Some(f.other_key.clone()))),
            },
            format!(
                "client certificate key {}: not the certificate's key",
                f.other_key.display()
            ),
        ),
        (
            Case {
                name: "a key file with no key",
                verify: false,
                cert: Some((f.client_cert.clone(), Some(f.server_cert.clone()))),
            },
            format!(
                "client certificate key {}: holds no (unencrypted) private key",
                f.server_cert.display()
            ),
        ),
        (
            Case {
                name: "not PEM",
                verify: false,
                cert: Some((garbage.clone(), None)),
            },
            format!("client certificate {}: invalid PEM", garbage.display()),
        ),
        (
            Case {
                name: "a key file for a certificate",
                verify: false,
                cert: Some((f.client_key.clone(), Some(f.client_key.clone()))),
            },
            format!(
                "client certificate {}: holds no certificate",
                f.client_key.display()
            ),
        ),
    ];
    let plain: Vec<Case> = cases.iter().map(|(c, _)| c.clone()).collect();
    let theirs = botocore_gets(&url, &f.server_cert, &plain);
    for ((case, message), theirs) in cases.iter().zip(&theirs) {
        assert_eq!(theirs[0], "error", "{}: botocore {theirs}", case.name);
        for (transport, got) in ours(&url, &case.http_config(&f.server_cert)) {
            let Err((kind, got_message, at_build)) = got else {
                panic!("{}: {transport} called; botocore {theirs}", case.name);
            };
            assert_eq!(
                (kind, at_build),
                (TransportErrorKind::Tls, true),
                "{}: {transport}: {got_message}",
                case.name
            );
            assert_eq!(&got_message, message, "{}: {transport}", case.name);
        }
    }
}

/// The whole client: `client_cert_with_key` on the builder reaches every connection of an S3
/// client (its HeadBucket goes through), as `Config(client_cert=…)` does botocore's; without it
/// the same call fails in both.
#[test]
fn the_client_builder_presents_the_certificate_as_botocore_config_does() {
    let (server, f) = server_and_files();
    let url = server.url("");
    let snippet = format!(
        r#"
import botocore.session
from botocore.config import Config
out = []
for cert in [({cert:?}, {key:?}), None]:
    s3 = botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", endpoint_url={url:?}, verify={ca:?},
        aws_access_key_id="AKID", aws_secret_access_key="SECRET",
        config=Config(client_cert=cert, retries={{"max_attempts": 1}}))
    try:
        r = s3.head_bucket(Bucket="b")
        out.append(["ok", r["ResponseMetadata"]["HTTPHeaders"]["x-seen-client"]])
    except Exception as e:
        out.append(["error", type(e).__name__])
emit(out)
"#,
        cert = f.client_cert,
        key = f.client_key,
        ca = f.server_cert,
    );
    let theirs = botocore::run(&snippet, &[]);
    assert_eq!(theirs[0], json!(["ok", "trusted"]), "botocore: {theirs}");
    assert_eq!(theirs[1][0], "error", "botocore: {theirs}");

    for with_cert in [true, false] {
        let builder = sansboto_blocking::Session::new()
            .client("s3")
            .region("us-east-1")
            .endpoint_url(&url)
            .credentials("AKID", "SECRET", None)
            .ca_bundle(&f.server_cert)
            .retries(sansboto_blocking::RetryMode::Standard, Some(1));
        let builder = if with_cert {
            builder.client_cert_with_key(&f.client_cert, &f.client_key)
        } else {
            builder
        };
        let s3 = builder.build().expect("client");
        let got = s3.call("HeadBucket", sansboto_blocking::params! {"Bucket": "b"});
        if with_cert {
            let out = got.expect("HeadBucket with the certificate");
            let headers = &out["ResponseMetadata"]["HTTPHeaders"];
            assert_eq!(
                headers["x-seen-client"].as_str(),
                Some("trusted"),
                "{out:?}"
            );
        } else {
            let err = got.expect_err("HeadBucket without a certificate");
            assert!(
                matches!(&err, sansboto_blocking::Error::Transport(e) if e.kind == TransportErrorKind::Tls),
                "{err:?}"
            );
        }
    }
}
