//! `--debug` with credentials from IMDSv2: the token, the secret key and the session token the
//! metadata service hands out never reach the log, though the exchanges themselves are shown.
//! A loopback server plays both the metadata service and the API (`Connection: close` on every
//! answer keeps it to one request per connection).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;

const TOKEN: &str = "ImdsV2TokenForTheCli0123456789";
const SECRET: &str = "ImdsSecretForTheCli0123456789";
const SESSION: &str = "ImdsSessionForTheCli0123456789";

/// Answer requests until the listener is dropped with the process; returns the URL.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let (mut length, mut token_ok) = (0usize, false);
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                    break;
                }
                let (name, value) = header.split_once(':').unwrap_or_default();
                let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
                if name == "content-length" {
                    length = value.parse().unwrap_or(0);
                }
                token_ok |= name == "x-aws-ec2-metadata-token" && value == TOKEN;
            }
            let _ = reader
                .by_ref()
                .take(length as u64)
                .read_to_end(&mut Vec::new());
            let path = line.split(' ').nth(1).unwrap_or_default();
            let (status, body) = match (line.split(' ').next().unwrap_or_default(), path) {
                ("PUT", "/latest/api/token") => (200, TOKEN.to_string()),
                ("GET", "/latest/meta-data/iam/security-credentials/") if token_ok => {
                    (200, "cli-role".to_string())
                }
                ("GET", "/latest/meta-data/iam/security-credentials/cli-role") if token_ok => (
                    200,
                    format!(
                        r#"{{"Code":"Success","AccessKeyId":"AKIDCLI","SecretAccessKey":"{SECRET}","Token":"{SESSION}","Expiration":"2099-01-01T00:00:00Z"}}"#
                    ),
                ),
                ("POST", _) => (200, r#"{"TableNames":[]}"#.to_string()),
                _ => (401, String::new()),
            };
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.0\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn debug_hides_the_imds_token_and_the_credentials_it_gives() {
    let url = serve();
    let out = Command::new(env!("CARGO_BIN_EXE_sansboto"))
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url)
        .args(["--debug", "--endpoint-url", &url, "dynamodb", "list-tables"])
        .output()
        .expect("sansboto runs");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    // The exchanges are there: the token request, the credentials, the signed call.
    assert!(
        log.contains("url=") && log.contains("/latest/api/token"),
        "{log}"
    );
    assert!(
        log.contains("x-aws-ec2-metadata-token: <redacted>"),
        "{log}"
    );
    assert!(
        log.contains("credentials found provider=\"iam-role\""),
        "{log}"
    );
    assert!(log.contains("Credential=AKIDCLI/"), "{log}");
    for secret in [TOKEN, SECRET, SESSION] {
        assert!(!log.contains(secret), "{secret} leaked: {log}");
    }
}
