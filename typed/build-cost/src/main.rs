//! A small typed program (every S3 operation; with `--features four` also every DynamoDB, SQS
//! and EC2 operation) whose clean release build BENCHMARKS.md reports.

sansboto_typed::typed!("s3");
#[cfg(feature = "four")]
sansboto_typed::typed!("dynamodb");
#[cfg(feature = "four")]
sansboto_typed::typed!("sqs");
#[cfg(feature = "four")]
sansboto_typed::typed!("ec2");

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use s3::S3 as _;
    let session = sansboto_tokio::Session::new();
    let s3 = session.client("s3").region("us-east-1").build().await?;
    let buckets = s3.list_buckets(Default::default()).await?;
    for bucket in buckets.buckets.unwrap_or_default() {
        println!("{}", bucket.name.unwrap_or_default());
    }
    #[cfg(feature = "four")]
    {
        use dynamodb::Dynamodb as _;
        use ec2::Ec2 as _;
        use sqs::Sqs as _;
        let ddb = session.client("dynamodb").region("us-east-1").build().await?;
        println!("{:?}", ddb.list_tables(Default::default()).await?.table_names);
        let sqs = session.client("sqs").region("us-east-1").build().await?;
        println!("{:?}", sqs.list_queues(Default::default()).await?.queue_urls);
        let ec2 = session.client("ec2").region("us-east-1").build().await?;
        println!("{:?}", ec2.describe_regions(Default::default()).await?.regions);
    }
    Ok(())
}
