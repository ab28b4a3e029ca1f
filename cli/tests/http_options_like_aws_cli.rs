//! aws-cli's HTTP options, next to aws-cli 1.46.3: `--no-verify-ssl`, `--ca-bundle`,
//! `--cli-read-timeout` and `--cli-connect-timeout`, each run by both against the same loopback
//! server.
//!
//! - An HTTPS server with a self-signed certificate: both refuse it by default, both call it
//!   with `--no-verify-ssl` or with `--ca-bundle` naming its certificate (and print the same
//!   result, from `s3api` and from `s3 ls`), and `--no-verify-ssl` wins over a `--ca-bundle`
//!   that does not hold it.
//! - A server that accepts and never answers: with `--cli-read-timeout 1` both give up on the
//!   read (the server holds the connection longer than any run here takes, so a limit not
//!   applied would end differently: after 60 s, or when the server lets go).
//! - Bad values: both refuse a timeout that is no integer.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

const LIST_BUCKETS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
<Owner><ID>abc</ID><DisplayName>me</DisplayName></Owner>\
<Buckets><Bucket><Name>first</Name><CreationDate>2024-01-02T03:04:05.000Z</CreationDate></Bucket></Buckets>\
</ListAllMyBucketsResult>";

/// Reads one request (head and `Content-Length` body) and answers `ListBuckets`'s result.
fn answer(stream: &mut impl Read, out: &mut impl Write) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{LIST_BUCKETS}",
        LIST_BUCKETS.len()
    )?;
    out.flush()
}

/// A loopback HTTPS server with a self-signed certificate for 127.0.0.1, answering every
/// request with [`LIST_BUCKETS`]; the certificate's PEM file.
fn https_server(tag: &str) -> (String, PathBuf) {
    let (config, cert) = sansboto_tests::self_signed_tls();
    let dir = std::env::temp_dir().join(format!(
        "sansboto-http-options-{tag}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = dir.join("ca.pem");
    std::fs::write(&pem, cert).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let config = config.clone();
            std::thread::spawn(move || {
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let mut request = Vec::new();
                // The head and body come through the TLS stream; a client that refuses the
                // certificate ends the handshake here.
                let mut buffer = [0u8; 16 * 1024];
                loop {
                    match tls.read(&mut buffer) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                    if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&request[..end]).to_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let mut out = Vec::new();
                let _ = answer(&mut &request[..], &mut out);
                let _ = tls.write_all(&out);
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    (url, pem)
}

/// A loopback server that accepts connections and never answers (holding each for 40 s).
fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            std::thread::spawn(move || {
                let _held: TcpStream = stream;
                std::thread::sleep(Duration::from_secs(40));
            });
        }
    });
    url
}

/// `args` run by aws-cli (`aws`) or by sansboto, one attempt each.
fn run(aws: bool, args: &[&str]) -> Output {
    let mut cmd = sansboto_tests::cli_command(aws, env!("CARGO_BIN_EXE_sansboto"));
    cmd.env("AWS_MAX_ATTEMPTS", "1")
        .args(args)
        .output()
        .expect("runs")
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn certificates_are_verified_unless_told_otherwise_as_aws_cli_does() {
    let (url, pem) = https_server("verify");
    let (other_url, other_pem) = https_server("other");
    let pem = pem.to_str().unwrap();
    let call = [
        "s3api",
        "list-buckets",
        "--output",
        "json",
        "--endpoint-url",
    ];
    // Refused by default: the certificate is nobody's.
    for aws in [true, false] {
        let out = run(aws, &[&call[..], &[&url]].concat());
        assert!(!out.status.success(), "aws-cli {aws}: {}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
        assert!(
            stderr.contains("certificate"),
            "aws-cli {aws}: {}",
            text(&out)
        );
    }
    // Accepted when told: any certificate, or the bundle holding it; `--no-verify-ssl` over a
    // bundle that does not hold it.
    for options in [
        vec!["--no-verify-ssl"],
        vec!["--ca-bundle", pem],
        vec![
            "--no-verify-ssl",
            "--ca-bundle",
            other_pem.to_str().unwrap(),
        ],
    ] {
        // The API call, and a high-level `s3` command, which reads them too.
        let ls = ["s3", "ls", "--endpoint-url", &url];
        for args in [
            [&call[..], &[&url], &options[..]].concat(),
            [&ls[..], &options[..]].concat(),
        ] {
            let (theirs, ours) = (run(true, &args), run(false, &args));
            assert!(
                theirs.status.success(),
                "aws-cli {args:?}: {}",
                text(&theirs)
            );
            assert!(ours.status.success(), "{args:?}: {}", text(&ours));
            // (aws-cli's standard error also carries urllib3's warning for each unverified
            // call.)
            assert_eq!(ours.stdout, theirs.stdout, "{args:?}");
            assert!(String::from_utf8_lossy(&ours.stdout).contains("first"));
        }
    }
    // A bundle without the server's certificate is refused by both.
    for aws in [true, false] {
        let out = run(
            aws,
            &[&call[..], &[&other_url, "--ca-bundle", pem]].concat(),
        );
        assert!(!out.status.success(), "aws-cli {aws}: {}", text(&out));
    }
}

#[test]
fn a_read_timeout_ends_a_call_to_a_silent_server_as_in_aws_cli() {
    let url = silent_server();
    let args = [
        "s3api",
        "list-buckets",
        "--endpoint-url",
        &url,
        "--cli-read-timeout",
        "1",
        "--cli-connect-timeout",
        "0",
    ];
    for aws in [true, false] {
        let out = run(aws, &args);
        assert!(!out.status.success(), "aws-cli {aws}: {}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
        assert!(
            stderr.contains("read timeout"),
            "aws-cli {aws}: {}",
            text(&out)
        );
    }
}

#[test]
fn a_timeout_that_is_no_positive_integer_is_refused_as_in_aws_cli() {
    for (option, value, message) in [
        (
            "--cli-read-timeout",
            "soon",
            "invalid literal for int() with base 10: 'soon'",
        ),
        (
            "--cli-connect-timeout",
            "1.5",
            "invalid literal for int() with base 10: '1.5'",
        ),
        (
            "--cli-read-timeout",
            "-01",
            "Attempted to set read timeout to -1, but the timeout cannot be set to a value \
             less than or equal to 0.",
        ),
        (
            "--cli-connect-timeout",
            "-2",
            "Attempted to set connect timeout to -2, but the timeout cannot be set to a value \
             less than or equal to 0.",
        ),
    ] {
        let args = [
            "s3api",
            "list-buckets",
            "--endpoint-url",
            "http://127.0.0.1:9",
            option,
            value,
        ];
        for aws in [true, false] {
            let out = run(aws, &args);
            assert!(!out.status.success(), "aws-cli {aws}: {}", text(&out));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(message), "aws-cli {aws}: {}", text(&out));
        }
    }
}
