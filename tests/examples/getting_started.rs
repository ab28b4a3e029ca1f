//! The getting-started tutorial: create a bucket, put a 1 KiB object, read its ACL, stream it
//! back, delete it — printing each response.
//!
//! With `AWS_ENDPOINT_URL` set, or AWS credentials in the environment or a profile
//! (`AWS_ACCESS_KEY_ID`, `AWS_PROFILE`), it runs against that endpoint or account. Otherwise it
//! starts a local moto server (installed by `scripts/ensure-moto`) and runs against it.
//!
//! Run it with `scripts/getting-started`.

use sansboto_core::machine::RandomSource;
use sansboto_tests::moto::MotoServer;
use sansboto_tokio::{params, take_body, Session, Value};

fn show(step: &str, value: &Value) {
    println!("== {step}");
    println!(
        "{}",
        serde_json::to_string_pretty(&value.to_json()).unwrap_or_default()
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let configured = ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_PROFILE"]
        .iter()
        .any(|v| std::env::var_os(v).is_some());
    let session = Session::new();
    let (moto, mut builder) = if configured {
        (None, session.client("s3"))
    } else {
        let moto = MotoServer::start();
        println!(
            "(no AWS endpoint or credentials configured: using a local moto server at {})",
            moto.endpoint()
        );
        let builder = session
            .client("s3")
            .endpoint_url(moto.endpoint())
            .credentials("testing", "testing", None);
        (Some(moto), builder)
    };
    let region = session
        .core()?
        .region()
        .unwrap_or_else(|| "us-west-2".to_string());
    builder = builder.region(region.clone());
    let s3 = builder.build().await?;

    // A bucket name of our own (bucket names are global on AWS).
    let suffix = sansboto_core::machine::SplitMix64(sansboto_host::os_seed()).next_u64();
    let bucket = format!("sansboto-tutorial-{:012x}", suffix & 0xffff_ffff_ffff);
    let key = "tutorial/hello.bin";

    let mut create = params! {"Bucket": bucket.as_str()};
    if region != "us-east-1" {
        create.as_map_mut().map(|m| {
            m.insert(
                "CreateBucketConfiguration".into(),
                params! {"LocationConstraint": region.as_str()},
            )
        });
    }
    show("create_bucket", &s3.call("CreateBucket", create).await?);
    let body = vec![1u8; 1024];
    show(
        "put_object",
        &s3.call(
            "put_object",
            params! {"Bucket": bucket.as_str(), "Key": key, "Body": body.as_slice()},
        )
        .await?,
    );
    show(
        "get_object_acl",
        &s3.call(
            "get_object_acl",
            params! {"Bucket": bucket.as_str(), "Key": key},
        )
        .await?,
    );

    let got = s3
        .call(
            "get_object",
            params! {"Bucket": bucket.as_str(), "Key": key},
        )
        .await?;
    let mut stream = take_body(&got["Body"]).ok_or("GetObject returned no body")?;
    let mut read = 0usize;
    while let Some(chunk) = stream.chunk().await? {
        read += chunk.len();
    }
    show("get_object", &got);
    println!("(streamed {read} bytes of Body)");

    show(
        "delete_object",
        &s3.call(
            "delete_object",
            params! {"Bucket": bucket.as_str(), "Key": key},
        )
        .await?,
    );
    show(
        "delete_bucket",
        &s3.call("DeleteBucket", params! {"Bucket": bucket.as_str()})
            .await?,
    );
    drop(moto);
    Ok(())
}
