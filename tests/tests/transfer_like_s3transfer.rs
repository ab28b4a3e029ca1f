//! S3 transfers made by sansboto and by boto3 (s3transfer 0.19, beside botocore 1.44.5 in the
//! test environment) against one moto server, with the same extra arguments: copies, uploads
//! and downloads. Compared are the calls each made and what the transfer ends as (a copy's
//! content headers, metadata, length and tags; an upload's stored checksums; a download's
//! bytes), or that both refuse the arguments: sansboto names every unknown one, s3transfer the
//! first.
//!
//! The copies are multipart (the object is above the threshold), where s3transfer does by hand
//! what CopyObject does itself: it gives CreateMultipartUpload the source's content headers and
//! metadata (the caller's own with `MetadataDirective: REPLACE`), guards each UploadPartCopy
//! with the source's ETag, and copies tags only as `TaggingDirective` says.

mod e2e_support;

use std::sync::{Arc, Mutex};

use e2e_support::{blocking_session, core_session};
use sansboto_core::hooks::Event;
use sansboto_core::params;
use sansboto_core::transfer::{TransferConfig, TransferError};
use sansboto_core::{Error, Value};
use sansboto_tests::botocore;
use sansboto_tests::moto::MotoServer;

const MIB: u64 = 1024 * 1024;
const BUCKET: &str = "copies";

/// Each case's extra arguments (as JSON, for both sides).
const CASES: &[&str] = &[
    "{}",
    r#"{"TaggingDirective": "COPY"}"#,
    r#"{"TaggingDirective": "REPLACE", "Tagging": "a=1&b%20c=x+y&blank"}"#,
    r#"{"Tagging": "ignored=1"}"#,
    r#"{"MetadataDirective": "REPLACE", "ContentType": "image/png", "Metadata": {"x": "y"}}"#,
    r#"{"ContentType": "image/png", "CacheControl": "max-age=1"}"#,
    r#"{"StorageClass": "STANDARD_IA", "ContentLanguage": "fr"}"#,
    r#"{"Nope": "1", "ContentType": "a/b"}"#,
    r#"{"ChecksumAlgorithm": "SHA256"}"#,
];

/// What a copy ended as: the calls made (sorted), the copy's headers and tags; or `refused`.
fn outcome(
    calls: Vec<String>,
    head: serde_json::Value,
    tags: serde_json::Value,
) -> serde_json::Value {
    let mut calls = calls;
    calls.sort();
    serde_json::json!({"calls": calls, "head": head, "tags": tags})
}

/// A client of `moto`'s S3 with the bucket [`BUCKET`] made, and the operations it sends from
/// then on, in order (cleared by the caller between transfers).
fn recording_client(moto: &MotoServer) -> (sansboto_blocking::Client, Arc<Mutex<Vec<String>>>) {
    let calls = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = calls.clone();
    let s3 = blocking_session(core_session(&[], None, None))
        .client("s3")
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials("testing", "testing", None)
        .hook(Event::BeforeSend, "record", "*", move |call, _| {
            log.lock().unwrap().push(call.operation.to_string());
            Ok(())
        })
        .build()
        .unwrap();
    s3.call("CreateBucket", params! {"Bucket": BUCKET}).unwrap();
    (s3, calls)
}

/// Python making boto3's S3 client `s3` of `moto`, its calls recorded in `made` (by operation),
/// and `config`, the transfer configuration every test uses (5 MiB threshold and parts).
fn boto3_prelude(moto: &MotoServer) -> String {
    format!(
        r#"
import boto3
from boto3.s3.transfer import TransferConfig
s3 = boto3.session.Session(botocore_session=session).client(
    's3', region_name='us-east-1', endpoint_url={endpoint:?},
    aws_access_key_id='testing', aws_secret_access_key='testing')
made = []
s3.meta.events.register('before-call', lambda model, **kw: made.append(model.name))
config = TransferConfig(multipart_threshold={part}, multipart_chunksize={part})"#,
        endpoint = moto.endpoint(),
        part = 5 * MIB,
    )
}

/// The members of a HeadObject answer compared.
const HEAD_MEMBERS: &[&str] = &[
    "ContentLength",
    "ContentType",
    "CacheControl",
    "ContentLanguage",
    "Metadata",
    "StorageClass",
    "ChecksumCRC32",
    "ChecksumSHA256",
];

#[test]
fn multipart_copies_end_as_s3transfers() {
    let moto = MotoServer::start();
    let (s3, calls) = recording_client(&moto);
    let body = vec![7u8; (6 * MIB + 1) as usize];
    s3.call(
        "PutObject",
        params! {
            "Bucket": BUCKET, "Key": "source", "Body": body, "ContentType": "text/csv",
            "CacheControl": "no-cache", "Metadata": params! {"m": "1"}, "Tagging": "s=1&t=2"
        },
    )
    .unwrap();

    let config = TransferConfig::new()
        .part_size(5 * MIB)
        .multipart_threshold(5 * MIB);
    let head_and_tags = |key: &str| {
        let head = s3
            .call(
                "HeadObject",
                params! {"Bucket": BUCKET, "Key": key, "ChecksumMode": "ENABLED"},
            )
            .unwrap();
        let head: serde_json::Map<String, serde_json::Value> = HEAD_MEMBERS
            .iter()
            .filter_map(|m| Some((m.to_string(), head.get(m)?.to_json())))
            .collect();
        let tags = s3
            .call("GetObjectTagging", params! {"Bucket": BUCKET, "Key": key})
            .unwrap();
        let mut tags: Vec<serde_json::Value> = tags["TagSet"]
            .as_list()
            .unwrap_or_default()
            .iter()
            .map(Value::to_json)
            .collect();
        tags.sort_by_key(|t| t.to_string());
        (
            serde_json::Value::Object(head),
            serde_json::Value::Array(tags),
        )
    };

    let mut ours = Vec::new();
    for (n, extra) in CASES.iter().enumerate() {
        let key = format!("ours-{n}");
        calls.lock().unwrap().clear();
        let extra: serde_json::Value = serde_json::from_str(extra).unwrap();
        let copied = s3.copy_object(
            params! {"Bucket": BUCKET, "Key": "source"},
            BUCKET,
            &key,
            Value::from(extra),
            &config,
        );
        ours.push(match copied {
            Ok(_) => {
                let made = calls.lock().unwrap().clone();
                let (head, tags) = head_and_tags(&key);
                outcome(made, head, tags)
            }
            Err(Error::Transfer(TransferError::UnknownExtraArguments { names, .. })) => {
                serde_json::json!({"refused": names})
            }
            Err(e) => panic!("case {n}: {e}"),
        });
    }

    let snippet = format!(
        r#"
{prelude}
members = {members}
out = []
for n, extra in enumerate(json.loads({cases:?})):
    key = 'theirs-%d' % n
    del made[:]
    try:
        s3.copy({{'Bucket': {bucket:?}, 'Key': 'source'}}, {bucket:?}, key,
                ExtraArgs=json.loads(extra), Config=config)
    except ValueError as e:
        # s3transfer names the first unknown argument.
        out.append({{'refused': [str(e).split("'")[1]]}})
        continue
    calls = sorted(made)
    head = s3.head_object(Bucket={bucket:?}, Key=key, ChecksumMode='ENABLED')
    head = {{m: head[m] for m in members if m in head}}
    tags = s3.get_object_tagging(Bucket={bucket:?}, Key=key)['TagSet']
    tags = sorted(tags, key=lambda t: json.dumps(t, sort_keys=True))
    out.append({{'calls': calls, 'head': head, 'tags': tags}})
emit(out)
"#,
        prelude = boto3_prelude(&moto),
        members = serde_json::to_string(HEAD_MEMBERS).unwrap(),
        cases = serde_json::to_string(CASES).unwrap(),
        bucket = BUCKET,
    );
    let theirs = botocore::run(&snippet, &[]);
    let theirs = theirs.as_array().unwrap();
    assert_eq!(theirs.len(), CASES.len());
    for (n, (ours, theirs)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(ours, theirs, "case {n}: {}", CASES[n]);
    }
    // The cases say something: the source's metadata was kept, tags were copied and made.
    assert_eq!(ours[0]["head"]["ContentType"], "text/csv");
    assert_eq!(ours[1]["tags"].as_array().map(Vec::len), Some(2));
    assert_eq!(ours[2]["tags"].as_array().map(Vec::len), Some(3));
}

/// Uploads with extra arguments, single and multipart: the calls made and what the object ends
/// as (its length, content type and the checksums S3 keeps), or that both refuse; a
/// `ChecksumAlgorithm` among them chooses the checksum, as in s3transfer.
#[test]
fn uploads_take_extra_arguments_as_s3transfer() {
    const UPLOADS: &[&str] = &[
        "{}",
        r#"{"ChecksumAlgorithm": "SHA256"}"#,
        r#"{"ChecksumAlgorithm": "SHA1", "ContentType": "text/plain"}"#,
        r#"{"ContentMD5": "x"}"#,
        r#"{"ChecksumType": "FULL_OBJECT", "ChecksumAlgorithm": "CRC32"}"#,
    ];
    const CHECKED: &[&str] = &[
        "ContentLength",
        "ContentType",
        "ChecksumCRC32",
        "ChecksumSHA1",
        "ChecksumSHA256",
        "ChecksumType",
    ];
    let moto = MotoServer::start();
    let (s3, calls) = recording_client(&moto);
    let dir = e2e_support::temp_dir("s3transfer-uploads");
    let sizes = [1024, 6 * MIB + 1];
    let files: Vec<_> = sizes
        .iter()
        .map(|&size| {
            let path = dir.join(format!("f{size}"));
            std::fs::write(&path, vec![3u8; size as usize]).unwrap();
            path
        })
        .collect();
    let config = TransferConfig::new()
        .part_size(5 * MIB)
        .multipart_threshold(5 * MIB);

    let mut ours = Vec::new();
    for (n, extra) in UPLOADS.iter().enumerate() {
        for (path, size) in files.iter().zip(sizes) {
            let key = format!("ours-{n}-{size}");
            calls.lock().unwrap().clear();
            let json: serde_json::Value = serde_json::from_str(extra).unwrap();
            match s3.upload_file(BUCKET, &key, path, Value::from(json), &config) {
                Ok(_) => {
                    let mut made = calls.lock().unwrap().clone();
                    made.sort();
                    let head = s3
                        .call(
                            "HeadObject",
                            params! {"Bucket": BUCKET, "Key": key.as_str(), "ChecksumMode": "ENABLED"},
                        )
                        .unwrap();
                    let head: serde_json::Map<String, serde_json::Value> = CHECKED
                        .iter()
                        .filter_map(|m| Some((m.to_string(), head.get(m)?.to_json())))
                        .collect();
                    ours.push(serde_json::json!({"calls": made, "head": head}));
                }
                Err(Error::Transfer(TransferError::UnknownExtraArguments { names, .. })) => {
                    ours.push(serde_json::json!({"refused": names}))
                }
                Err(e) => panic!("{extra}: {e}"),
            }
        }
    }

    let snippet = format!(
        r#"
{prelude}
out = []
for n, extra in enumerate(json.loads({uploads:?})):
    for path, size in zip(json.loads({files:?}), json.loads({sizes:?})):
        key = 'theirs-%d-%d' % (n, size)
        del made[:]
        try:
            s3.upload_file(path, {bucket:?}, key, ExtraArgs=json.loads(extra), Config=config)
        except ValueError as e:
            out.append({{'refused': [str(e).split("'")[1]]}})
            continue
        calls = sorted(made)
        head = s3.head_object(Bucket={bucket:?}, Key=key, ChecksumMode='ENABLED')
        out.append({{'calls': calls, 'head': {{m: head[m] for m in {checked} if m in head}}}})
emit(out)
"#,
        prelude = boto3_prelude(&moto),
        uploads = serde_json::to_string(UPLOADS).unwrap(),
        files = serde_json::to_string(&files).unwrap(),
        sizes = serde_json::to_string(&sizes).unwrap(),
        checked = serde_json::to_string(CHECKED).unwrap(),
        bucket = BUCKET,
    );
    let theirs = botocore::run(&snippet, &[]);
    let theirs = theirs.as_array().unwrap();
    assert_eq!(theirs.len(), ours.len());
    for (n, (ours, theirs)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(ours, theirs, "upload {n}: {}", UPLOADS[n / 2]);
    }
    // The algorithm chosen shows in what S3 keeps.
    assert!(
        ours[2]["head"].get("ChecksumSHA256").is_some(),
        "{}",
        ours[2]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Downloads with extra arguments, single and ranged: the calls made and the bytes written,
/// or that both refuse the arguments (`Range` and `IfMatch` are the transfer's own).
#[test]
fn downloads_take_extra_arguments_as_s3transfer() {
    const DOWNLOADS: &[&str] = &[
        "{}",
        r#"{"ChecksumMode": "ENABLED"}"#,
        r#"{"Range": "bytes=0-1", "IfMatch": "x"}"#,
    ];
    let moto = MotoServer::start();
    let (s3, calls) = recording_client(&moto);
    let sizes = [1024, 6 * MIB + 1];
    for size in sizes {
        let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let key = format!("object-{size}");
        s3.call(
            "PutObject",
            params! {"Bucket": BUCKET, "Key": key.as_str(), "Body": body},
        )
        .unwrap();
    }
    let dir = e2e_support::temp_dir("s3transfer-downloads");
    let config = TransferConfig::new()
        .part_size(5 * MIB)
        .multipart_threshold(5 * MIB);

    let mut ours = Vec::new();
    for (n, extra) in DOWNLOADS.iter().enumerate() {
        for size in sizes {
            let path = dir.join(format!("ours-{n}-{size}"));
            calls.lock().unwrap().clear();
            let json: serde_json::Value = serde_json::from_str(extra).unwrap();
            let key = format!("object-{size}");
            match s3.download_file(BUCKET, &key, &path, Value::from(json), &config) {
                Ok(_) => {
                    let mut made = calls.lock().unwrap().clone();
                    made.sort();
                    // A second HeadObject (`PartNumber=1`) asks the part layout of an object
                    // whose checksum type moto does not state, so the whole object's checksum
                    // can be checked; s3transfer checks none. One is compared.
                    let mut heads = 0;
                    made.retain(|c| {
                        c != "HeadObject" || {
                            heads += 1;
                            heads == 1
                        }
                    });
                    let written = std::fs::read(&path).unwrap();
                    let sum: u64 = written.iter().map(|&b| u64::from(b)).sum();
                    ours.push(serde_json::json!({"calls": made, "len": written.len(), "sum": sum}));
                }
                Err(Error::Transfer(TransferError::UnknownExtraArguments { names, .. })) => {
                    // Every unknown argument is named; s3transfer names the first.
                    assert_eq!(names, ["Range", "IfMatch"]);
                    ours.push(serde_json::json!({"refused": names[..1]}))
                }
                Err(e) => panic!("{extra}: {e}"),
            }
        }
    }

    let snippet = format!(
        r#"
{prelude}
import os
out = []
for n, extra in enumerate(json.loads({downloads:?})):
    for size in json.loads({sizes:?}):
        path = os.path.join({dir:?}, 'theirs-%d-%d' % (n, size))
        del made[:]
        try:
            s3.download_file({bucket:?}, 'object-%d' % size, path, ExtraArgs=json.loads(extra),
                             Config=config)
        except ValueError as e:
            out.append({{'refused': [str(e).split("'")[1]]}})
            continue
        written = open(path, 'rb').read()
        out.append({{'calls': sorted(made), 'len': len(written), 'sum': sum(written)}})
emit(out)
"#,
        prelude = boto3_prelude(&moto),
        downloads = serde_json::to_string(DOWNLOADS).unwrap(),
        sizes = serde_json::to_string(&sizes).unwrap(),
        dir = dir.to_str().unwrap(),
        bucket = BUCKET,
    );
    let theirs = botocore::run(&snippet, &[]);
    let theirs = theirs.as_array().unwrap();
    assert_eq!(theirs.len(), ours.len());
    for (n, (ours, theirs)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(ours, theirs, "download {n}: {}", DOWNLOADS[n / 2]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
