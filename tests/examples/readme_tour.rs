//! The README's "A short tour", compiled as written: each `rust` block of that section is pasted
//! below verbatim (`tests/tests/readme_tour.rs` checks that it still is), inside the little
//! scaffolding a reader would add (a `main`, `rds` and `bedrock` clients, an event stream, the imports the prose assumes).
//! It is built by `cargo test`, never run (it would need AWS).

#![allow(unused, clippy::all)]

use std::time::Duration;

use sansboto_tokio::{Event, Value};

fn main() {}

#[rustfmt::skip]
async fn tour() -> Result<(), sansboto_tokio::Error> {
// README block 1 (tokio)
// tokio (sansboto-tokio); async-std and smol: sansboto-async-std, identical
use sansboto_tokio::{params, take_body, Session};

let session = Session::new();                                  // environment + ~/.aws aware
let s3 = session.client("s3").region("us-west-2").build().await?;
let put = s3.call("PutObject", params! {"Bucket": "b", "Key": "k", "Body": &b"hello"[..]}).await?;
println!("{}", put["ETag"].as_str().unwrap_or_default());

let got = s3.call("get_object", params! {"Bucket": "b", "Key": "k"}).await?;   // any spelling
let mut body = take_body(&got["Body"]).unwrap();               // streamed, never buffered
while let Some(chunk) = body.chunk().await? { /* … */ }

let url = s3.presign("GetObject", params! {"Bucket": "b", "Key": "k"}, Duration::from_secs(3600)).await?;
let all = s3.paginate("ListObjectsV2", params! {"Bucket": "b"}, Default::default())?.full_result().await?;
s3.wait("bucket_exists", params! {"Bucket": "b"}, None, None).await?;
let rds = session.client("rds").region("us-east-1").build().await?;
let bedrock = session.client("bedrock-runtime").region("us-east-1").build().await?;
let my_events = futures_util::stream::empty::<Result<sansboto_tokio::Value, sansboto_tokio::Error>>();
// README block 3 (tokio)
// events of an event-stream output (S3 SelectObjectContent), as a Stream (an Iterator on blocking)
let out = s3.call("SelectObjectContent", params! {/* … */}).await?;
let mut events = s3.event_stream("SelectObjectContent", &out)?;
while let Some(event) = events.next_event().await { let event = event?; /* Records, Stats, End */ }

// bidirectional event streams over HTTP/2 (tokio): events go out signed, answers come back meanwhile
// (Bedrock InvokeModelWithBidirectionalStream, Lex StartConversation, Transcribe streaming, …)
let input = sansboto_tokio::event_input(&bedrock, "InvokeModelWithBidirectionalStream", my_events)?;
let out = bedrock.call("InvokeModelWithBidirectionalStream", params! {"modelId": "m", "body": input}).await?;
let mut answers = bedrock.event_stream("InvokeModelWithBidirectionalStream", &out)?;

// lifecycle hooks, per client (scope "*", the service, or one operation)
let s3 = session.client("s3").hook(Event::BeforeSend, "trace", "*", |call, target| { /* … */ Ok(()) })
    .call_timeout(Duration::from_secs(30))          // whole call, retries included
    .build().await?;

// deterministic tests without network, in the spirit of botocore's Stubber
let stubber = s3.stubber();
stubber.add_response("HeadBucket", Some(params! {"Bucket": "b"}), params! {})?;
s3.with_stubber(&stubber).call("HeadBucket", params! {"Bucket": "b"}).await?;
stubber.assert_no_pending_responses();

// RDS IAM auth tokens
let token = rds.generate_db_auth_token("db.example.com", 5432, "admin", None).await?;
// README block 4 (tokio)
use sansboto_tokio::{CancelToken, TransferConfig};         // any transport crate's, alike
let config = TransferConfig::new()            // 8 MiB threshold and parts, 10 at a time
    .on_progress(|p| eprintln!("{}/{} bytes", p.bytes_done, p.bytes_total));
s3.upload_file("b", "big.iso", "/data/big.iso", params! {"StorageClass": "STANDARD_IA"}, &config).await?;
s3.download_file("b", "big.iso", "/tmp/big.iso", Value::Null, &config).await?;
s3.copy_object(params! {"Bucket": "b", "Key": "big.iso"}, "other", "big.iso", Value::Null, &config).await?;
Ok(())
}

#[rustfmt::skip]
fn blocking_tour() -> Result<(), sansboto_blocking::Error> {
// README block 2 (blocking)
// blocking (sansboto-blocking): no async runtime in the dependency tree
use sansboto_blocking::{params, Session};
let ddb = Session::new().client("dynamodb").region("eu-west-1").build()?;
let item = ddb.call("GetItem", params! {"TableName": "t", "Key": {"id": {"S": "1"}}})?;   // nests as json! does
Ok(())
}
