//! DynamoDB's `x-amz-crc32` end to end: a local server answers GetItem with a wrong CRC32 a
//! number of times, then the right one; sansboto and botocore 1.44.5 (each against its own
//! server) must make the same number of attempts and end the same way — standard mode returns
//! the response once the attempts are spent (`MaxAttemptsReached`), legacy mode fails with
//! botocore's `ChecksumError`, here the typed `Error::Crc32`.

mod e2e_support;

use e2e_support::{blocking_session, core_session, Action, ScriptServer};
use sansboto_core::params;
use sansboto_core::Error;
use sansboto_core::RetryMode;
use sansboto_tests::botocore;

const ITEM: &str = r#"{"Item":{"id":{"S":"1"}}}"#;

/// CRC32 of [`ITEM`] (zlib's, through flate2: computed apart from the code under test).
fn item_crc32() -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(ITEM.as_bytes());
    crc.sum()
}

/// A server answering every request with [`ITEM`], its `x-amz-crc32` off by one on the first
/// `wrong` answers.
fn server(wrong: usize) -> ScriptServer {
    let right = item_crc32();
    ScriptServer::start(move |_, index| {
        let crc = if index < wrong {
            u64::from(right) + 1
        } else {
            u64::from(right)
        };
        Action::Respond(
            200,
            vec![
                ("Content-Type".into(), "application/x-amz-json-1.0".into()),
                ("x-amz-crc32".into(), crc.to_string()),
            ],
            ITEM.as_bytes().to_vec(),
        )
    })
}

/// What sansboto's GetItem gives against `server`: the item's id and the response metadata's
/// `RetryAttempts` and `MaxAttemptsReached`, or the error.
fn sansboto_get_item(
    server: &ScriptServer,
    mode: RetryMode,
    max_attempts: Option<u32>,
) -> Result<serde_json::Value, Error> {
    let ddb = blocking_session(core_session(&[], None, None))
        .client("dynamodb")
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials("AKID", "SECRET", None)
        .retries(mode, max_attempts)
        .build()
        .unwrap();
    let out = ddb.call(
        "GetItem",
        params! {"TableName": "t", "Key": params! {"id": params! {"S": "1"}}},
    )?;
    let meta = &out["ResponseMetadata"];
    Ok(serde_json::json!({
        "id": out["Item"]["id"]["S"].as_str(),
        "RetryAttempts": meta["RetryAttempts"].as_i64(),
        "MaxAttemptsReached": meta["MaxAttemptsReached"].as_bool(),
    }))
}

/// The same under botocore: the same JSON, or `{"error": class name}`.
fn botocore_get_item(server: &ScriptServer, retries: &str) -> serde_json::Value {
    botocore::run(
        &format!(
            r#"
from botocore.config import Config
c = session.create_client('dynamodb', region_name='us-east-1', endpoint_url={url:?},
    aws_access_key_id='AKID', aws_secret_access_key='SECRET', config=Config(retries={retries}))
try:
    out = c.get_item(TableName='t', Key={{'id': {{'S': '1'}}}})
    meta = out['ResponseMetadata']
    emit({{'id': out['Item']['id']['S'], 'RetryAttempts': meta['RetryAttempts'],
          'MaxAttemptsReached': meta.get('MaxAttemptsReached')}})
except Exception as e:
    emit({{'error': type(e).__name__, 'message': str(e)}})
"#,
            url = server.url()
        ),
        &[],
    )
}

#[test]
fn a_wrong_crc32_is_retried_then_the_right_one_returned() {
    let ours = server(1);
    let out = sansboto_get_item(&ours, RetryMode::Standard, None).unwrap();
    assert_eq!(
        out,
        serde_json::json!({"id": "1", "RetryAttempts": 1, "MaxAttemptsReached": null})
    );
    let seen = ours.seen();
    assert_eq!(seen.len(), 2, "one retry");
    for (n, request) in seen.iter().enumerate() {
        assert_eq!(
            request.header("x-amz-target"),
            Some("DynamoDB_20120810.GetItem")
        );
        assert!(
            request
                .header("authorization")
                .is_some_and(|a| a.contains("/us-east-1/dynamodb/aws4_request")),
            "{:?}",
            request.headers
        );
        assert!(
            request
                .header("amz-sdk-request")
                .is_some_and(|h| h.starts_with(&format!("attempt={}", n + 1))),
            "{:?}",
            request.header("amz-sdk-request")
        );
    }
    let theirs = server(1);
    assert_eq!(botocore_get_item(&theirs, "{'mode': 'standard'}"), out);
    assert_eq!(theirs.seen().len(), seen.len());
}

#[test]
fn an_always_wrong_crc32_ends_as_botocore_ends_it() {
    // Standard mode: DynamoDB's 4 attempts, then the response as it is.
    let ours = server(usize::MAX);
    let out = sansboto_get_item(&ours, RetryMode::Standard, None).unwrap();
    assert_eq!(
        out,
        serde_json::json!({"id": "1", "RetryAttempts": 3, "MaxAttemptsReached": true})
    );
    assert_eq!(ours.seen().len(), 4);
    let theirs = server(usize::MAX);
    assert_eq!(botocore_get_item(&theirs, "{'mode': 'standard'}"), out);
    assert_eq!(theirs.seen().len(), 4);

    // Legacy mode: retried, then the typed checksum error.
    let ours = server(usize::MAX);
    let err = sansboto_get_item(&ours, RetryMode::Legacy, Some(3)).unwrap_err();
    let crc = item_crc32();
    match &err {
        Error::Crc32(mismatch) => {
            assert_eq!(mismatch.actual, crc);
            assert_eq!(mismatch.expected, (u64::from(crc) + 1).to_string());
        }
        other => panic!("expected Error::Crc32, got {other:?}"),
    }
    assert_eq!(ours.seen().len(), 3);
    let theirs = server(usize::MAX);
    let answer = botocore_get_item(&theirs, "{'mode': 'legacy', 'total_max_attempts': 3}");
    assert_eq!(answer["error"], "ChecksumError");
    assert_eq!(answer["message"], err.to_string().as_str());
    assert_eq!(theirs.seen().len(), 3);
}
