//! A multipart upload to an S3 Express One Zone directory bucket (issue 20): a local server plays
//! the zonal endpoint (reached through `endpoint_url`, path-style), answering `CreateSession`
//! and the multipart calls as S3 does. One session serves the whole transfer, parts running
//! side by side included; every data request carries its token and is signed with it; the
//! parts' bytes and CRC32 headers reach the server and the completion lists them.

mod e2e_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use e2e_support::{blocking_session, core_session, Action, ScriptServer, Seen};
use sansboto_core::transfer::TransferConfig;
use sansboto_core::Timestamp;
use sansboto_core::Value;
use sansboto_core::{checksum, ChecksumAlgorithm};

const BUCKET: &str = "mybucket--usw2-az1--x-s3";
const MIB: usize = 1024 * 1024;

fn is_create_session(seen: &Seen) -> bool {
    seen.path.ends_with("?session")
}

fn signed_by(seen: &Seen) -> String {
    let auth = seen.header("authorization").expect("signed");
    auth.split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').next())
        .unwrap_or_default()
        .to_string()
}

fn zonal_endpoint() -> ScriptServer {
    let sessions = Arc::new(AtomicUsize::new(0));
    ScriptServer::start(move |seen, _| {
        if is_create_session(seen) {
            let n = sessions.fetch_add(1, Ordering::SeqCst) + 1;
            let expiration =
                Timestamp::from_system_time(SystemTime::now() + Duration::from_secs(300));
            return Action::xml(
                200,
                &format!(
                    "<CreateSessionResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                     <Credentials><SessionToken>TOKEN{n}</SessionToken><SecretAccessKey>SECRET{n}\
                     </SecretAccessKey><AccessKeyId>SESSION{n}</AccessKeyId><Expiration>{}\
                     </Expiration></Credentials></CreateSessionResult>",
                    expiration.to_iso8601()
                ),
            );
        }
        let query = seen
            .path
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or_default();
        match seen.method.as_str() {
            "POST" if query.starts_with("uploads") => Action::xml(
                200,
                &format!(
                    "<InitiateMultipartUploadResult><Bucket>{BUCKET}</Bucket><Key>big</Key>\
                     <UploadId>U1</UploadId></InitiateMultipartUploadResult>"
                ),
            ),
            "PUT" => {
                let number = query
                    .split('&')
                    .find_map(|p| p.strip_prefix("partNumber="))
                    .unwrap_or("0")
                    .to_string();
                let mut headers = vec![("ETag".to_string(), format!("\"p{number}\""))];
                // S3 answers with the checksum it verified.
                if let Some(crc) = seen.header("x-amz-checksum-crc32") {
                    headers.push(("x-amz-checksum-crc32".into(), crc.to_string()));
                }
                Action::Respond(200, headers, Vec::new())
            }
            "POST" => Action::xml(
                200,
                &format!(
                    "<CompleteMultipartUploadResult><Bucket>{BUCKET}</Bucket><Key>big</Key>\
                     <ETag>\"done-3\"</ETag></CompleteMultipartUploadResult>"
                ),
            ),
            _ => Action::xml(400, "<Error><Code>Unexpected</Code></Error>"),
        }
    })
}

#[test]
fn a_multipart_upload_to_a_directory_bucket_uses_one_session() {
    let server = zonal_endpoint();
    let s3 = blocking_session(core_session(&[], None, None))
        .client("s3")
        .region("us-west-2")
        .endpoint_url(server.url())
        .credentials("AKIDBASE", "base/secret", None)
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("sansboto-express-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data: Vec<u8> = (0..12 * MIB).map(|i| (i % 241) as u8).collect();
    let src = dir.join("big");
    std::fs::write(&src, &data).unwrap();
    let config = TransferConfig::new()
        .part_size(5 * MIB as u64)
        .concurrency(3);
    let done = s3
        .upload_file(BUCKET, "big", &src, Value::Null, &config)
        .unwrap();
    assert_eq!(done["ETag"].as_str(), Some("\"done-3\""));
    let _ = std::fs::remove_dir_all(&dir);

    let seen = server.seen();
    assert_eq!(
        seen.iter().filter(|s| is_create_session(s)).count(),
        1,
        "one session"
    );
    let data_calls: Vec<&Seen> = seen.iter().filter(|s| !is_create_session(s)).collect();
    assert_eq!(data_calls.len(), 5, "create, three parts, complete");
    for call in &data_calls {
        assert_eq!(signed_by(call), "SESSION1", "{} {}", call.method, call.path);
        assert_eq!(call.header("x-amz-s3session-token"), Some("TOKEN1"));
    }
    let mut parts: Vec<&&Seen> = data_calls.iter().filter(|s| s.method == "PUT").collect();
    parts.sort_by_key(|s| s.path.clone());
    let mut received = Vec::new();
    for part in &parts {
        let crc = checksum(ChecksumAlgorithm::Crc32, &part.body).to_base64();
        assert_eq!(part.header("x-amz-checksum-crc32"), Some(crc.as_str()));
        received.extend_from_slice(&part.body);
    }
    assert!(received == data, "the parts hold the file");
    let complete = String::from_utf8(data_calls.last().unwrap().body.clone()).unwrap();
    for n in 1..=3 {
        assert!(
            complete.contains(&format!("<ETag>\"p{n}\"</ETag>")),
            "{complete}"
        );
    }
    assert_eq!(complete.matches("<ChecksumCRC32>").count(), 3, "{complete}");
}
