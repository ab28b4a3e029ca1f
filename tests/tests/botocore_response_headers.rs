//! Response header bytes that are not ASCII, read by botocore 1.44.5 and by sansboto from the
//! same loopback server: S3's `HeadObject` with user metadata, `Content-Disposition` and
//! `Content-Language` written in Latin-1, in UTF-8 and in ASCII. botocore reads every header as
//! Latin-1 (`http.client`); sansboto reads UTF-8 as UTF-8 and anything else as Latin-1. So bytes
//! that are not UTF-8 must read the same in both (nothing replaced or lost), and UTF-8 text is
//! the one deliberate difference: sansboto gives the text, botocore its Latin-1 mojibake.

mod e2e_support;

use std::io::{Read, Write};
use std::net::TcpListener;

use e2e_support::{blocking_session, core_session};
use sansboto_core::params;
use sansboto_tests::botocore;
use serde_json::{json, Value as J};

/// The headers the server sends (names, then raw value bytes).
const HEADERS: &[(&str, &[u8])] = &[
    ("x-amz-meta-latin", b"caf\xe9 cr\xe8me \xff"),
    ("x-amz-meta-utf8", b"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac"),
    ("x-amz-meta-mixed", b"\xc3\xa9 then \xe9"),
    ("x-amz-meta-ascii", b"plain"),
    (
        "content-disposition",
        b"attachment; filename=\"r\xe9sum\xe9.pdf\"",
    ),
    ("content-language", b"fr-\xc9"),
];

/// A server answering every request on its own connection with `HeadObject`'s 200 and
/// [`HEADERS`], then closing.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for socket in listener.incoming() {
            let Ok(mut socket) = socket else { continue };
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let mut answer = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\
                               ETag: \"e\"\r\n"
                .to_vec();
            for (name, value) in HEADERS {
                answer.extend_from_slice(name.as_bytes());
                answer.extend_from_slice(b": ");
                answer.extend_from_slice(value);
                answer.extend_from_slice(b"\r\n");
            }
            answer.extend_from_slice(b"\r\n");
            let _ = socket.write_all(&answer);
        }
    });
    url
}

const HEAD_OBJECT: &str = r#"
import os
s3 = session.create_client('s3', region_name='us-east-1', endpoint_url=os.environ['URL'],
                           aws_access_key_id='AKID', aws_secret_access_key='SECRET')
out = s3.head_object(Bucket='bucket', Key='key')
emit({'Metadata': out['Metadata'], 'ContentDisposition': out['ContentDisposition'],
      'ContentLanguage': out['ContentLanguage'],
      'HTTPHeaders': {k: v for k, v in out['ResponseMetadata']['HTTPHeaders'].items()
                      if k.startswith('x-amz-meta-') or k.startswith('content-')}})
"#;

/// `bytes` as botocore reads a header: Latin-1.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[test]
fn header_bytes_that_are_not_ascii_read_as_botocore_reads_them_except_utf8() {
    let url = serve();
    let theirs = botocore::run(HEAD_OBJECT, &[("URL", &url)]);

    let env = [("AWS_ENDPOINT_URL", url.as_str())];
    let session = blocking_session(core_session(&env, None, None));
    let s3 = session
        .client("s3")
        .region("us-east-1")
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap();
    let out = s3
        .call("HeadObject", params! {"Bucket": "bucket", "Key": "key"})
        .unwrap();
    let text = |v: &sansboto_core::Value| J::from(v.as_str().unwrap_or("<not text>"));
    let metadata: serde_json::Map<String, J> = out["Metadata"]
        .as_map()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.to_string(), text(v)))
        .collect();
    let http_headers: serde_json::Map<String, J> = out["ResponseMetadata"]["HTTPHeaders"]
        .as_map()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("x-amz-meta-") || k.starts_with("content-"))
        .map(|(k, v)| (k.to_string(), text(v)))
        .collect();
    let mut ours = json!({
        "Metadata": metadata,
        "ContentDisposition": text(&out["ContentDisposition"]),
        "ContentLanguage": text(&out["ContentLanguage"]),
        "HTTPHeaders": http_headers,
    });

    // The one deliberate difference: the UTF-8 header is its text here, Latin-1 there.
    let utf8 = HEADERS
        .iter()
        .find(|(n, _)| *n == "x-amz-meta-utf8")
        .unwrap()
        .1;
    assert_eq!(ours["Metadata"]["utf8"], "caf\u{e9} \u{65e5}\u{672c}");
    assert_eq!(theirs["Metadata"]["utf8"], J::from(latin1(utf8)));
    ours["Metadata"]["utf8"] = J::from(latin1(utf8));
    ours["HTTPHeaders"]["x-amz-meta-utf8"] = J::from(latin1(utf8));
    // Everything else, Latin-1 bytes included, reads the same: no replacement characters.
    assert_eq!(ours, theirs);
    assert_eq!(ours["Metadata"]["latin"], "caf\u{e9} cr\u{e8}me \u{ff}");
}
