//! A multipart upload to and a ranged download from an S3 Express One Zone directory bucket
//! (issue 20): a local server plays the zonal endpoint (reached through `endpoint_url`,
//! path-style), answering `CreateSession`, the multipart calls, HeadObject and ranged GETs as S3
//! does. One session serves the whole transfer, parts running
//! side by side included; every data request carries its token and is signed with it; the
//! parts' bytes and CRC32 headers reach the server and the completion lists them.

mod e2e_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use e2e_support::{blocking_session, core_session, Action, ScriptServer, Seen};
use sansboto_core::checksum::{checksum, ChecksumAlgorithm};
use sansboto_core::error::Error;
use sansboto_core::time::Timestamp;
use sansboto_core::transfer::download::{partial_path, state_path};
use sansboto_core::transfer::{TransferConfig, TransferError};
use sansboto_core::value::Value;

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

/// The ETag and full-object CRC32 the zonal endpoint gives the stored object.
const STORED_ETAG: &str = "\"stored-3\"";

/// A zonal endpoint; `stored` is the object `big` for HeadObject and ranged GetObject (which
/// answers 412 unless `If-Match` is its ETag); with `flip`, the byte at that offset is sent
/// changed (a corruption on the way: the checksum HeadObject gives is of `stored`).
fn zonal_endpoint(stored: Arc<Vec<u8>>, flip: Option<usize>) -> ScriptServer {
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
        let crc = checksum(ChecksumAlgorithm::Crc32, &stored).to_base64();
        let object_headers = |len: usize| {
            vec![
                ("ETag".to_string(), STORED_ETAG.to_string()),
                ("x-amz-checksum-crc32".to_string(), crc.clone()),
                ("x-amz-checksum-type".to_string(), "FULL_OBJECT".to_string()),
                ("Content-Length".to_string(), len.to_string()),
            ]
        };
        match seen.method.as_str() {
            "HEAD" => Action::Respond(200, object_headers(stored.len()), Vec::new()),
            "GET" => {
                if seen.header("if-match") != Some(STORED_ETAG) {
                    return Action::xml(412, "<Error><Code>PreconditionFailed</Code></Error>");
                }
                let range = seen
                    .header("range")
                    .and_then(|r| r.strip_prefix("bytes="))
                    .and_then(|r| r.split_once('-'))
                    .and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)));
                let Some((first, last)) = range.filter(|&(a, b)| a <= b && b < stored.len()) else {
                    return Action::xml(416, "<Error><Code>InvalidRange</Code></Error>");
                };
                let mut body = stored[first..=last].to_vec();
                if let Some(at) = flip.filter(|&at| (first..=last).contains(&at)) {
                    body[at - first] ^= 0xff;
                }
                let mut headers = object_headers(body.len());
                // A ranged answer carries no whole-object checksum.
                headers.retain(|(k, _)| !k.starts_with("x-amz-checksum"));
                headers.push((
                    "Content-Range".into(),
                    format!("bytes {first}-{last}/{}", stored.len()),
                ));
                Action::Respond(206, headers, body)
            }
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
    let server = zonal_endpoint(Arc::new(Vec::new()), None);
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

/// A ranged, parallel download from a directory bucket: HeadObject (checksum mode on) and every
/// ranged GET share one session, each signed with it and carrying its token and `If-Match`; the
/// ranges' CRC32s combine into the object's full-object CRC32; the file is byte-identical. A
/// stored object of other bytes (same size, same ETag, another CRC) fails the download with a
/// checksum mismatch and leaves no file.
#[test]
fn a_ranged_download_from_a_directory_bucket_uses_one_session() {
    let data: Vec<u8> = (0..12 * MIB + 3).map(|i| (i % 239) as u8).collect();
    let server = zonal_endpoint(Arc::new(data.clone()), None);
    let s3 = blocking_session(core_session(&[], None, None))
        .client("s3")
        .region("us-west-2")
        .endpoint_url(server.url())
        .credentials("AKIDBASE", "base/secret", None)
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("sansboto-express-dl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dest = dir.join("big.copy");
    let config = TransferConfig::new()
        .part_size(5 * MIB as u64)
        .concurrency(3);
    let head = s3
        .download_file(BUCKET, "big", &dest, Value::Null, &config)
        .unwrap_or_else(|e| panic!("download: {e}"));
    assert_eq!(head["ChecksumType"].as_str(), Some("FULL_OBJECT"));
    assert!(
        std::fs::read(&dest).unwrap() == data,
        "the download differs"
    );

    let seen = server.seen();
    assert_eq!(seen.iter().filter(|s| is_create_session(s)).count(), 1);
    let data_calls: Vec<&Seen> = seen.iter().filter(|s| !is_create_session(s)).collect();
    let head_call = data_calls
        .iter()
        .find(|s| s.method == "HEAD")
        .expect("a HeadObject");
    assert_eq!(head_call.header("x-amz-checksum-mode"), Some("ENABLED"));
    let mut ranges: Vec<String> = data_calls
        .iter()
        .filter(|s| s.method == "GET")
        .map(|s| {
            assert_eq!(s.header("if-match"), Some(STORED_ETAG));
            s.header("range").unwrap().to_string()
        })
        .collect();
    ranges.sort_by_key(|r| {
        let first = r.trim_start_matches("bytes=").split('-').next().unwrap();
        first.parse::<usize>().unwrap()
    });
    assert_eq!(
        ranges,
        [
            format!("bytes=0-{}", 5 * MIB - 1),
            format!("bytes={}-{}", 5 * MIB, 10 * MIB - 1),
            format!("bytes={}-{}", 10 * MIB, 12 * MIB + 2),
        ]
    );
    for call in &data_calls {
        assert_eq!(signed_by(call), "SESSION1", "{} {}", call.method, call.path);
        assert_eq!(call.header("x-amz-s3session-token"), Some("TOKEN1"));
    }

    // A byte changed on the way: the CRC32 of what arrived is not the object's.
    let server = zonal_endpoint(Arc::new(data), Some(6 * MIB));
    let s3 = blocking_session(core_session(&[], None, None))
        .client("s3")
        .region("us-west-2")
        .endpoint_url(server.url())
        .credentials("AKIDBASE", "base/secret", None)
        .build()
        .unwrap();
    let dest = dir.join("corrupt.copy");
    match s3.download_file(BUCKET, "big", &dest, Value::Null, &config) {
        Err(Error::Transfer(TransferError::ChecksumMismatch { .. })) => {}
        other => panic!("expected a checksum mismatch, got {other:?}"),
    }
    assert!(!dest.exists() && !partial_path(&dest).exists() && !state_path(&dest).exists());
    let _ = std::fs::remove_dir_all(&dir);
}
