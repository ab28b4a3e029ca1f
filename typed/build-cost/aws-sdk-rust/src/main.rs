#[tokio::main(flavor = "current_thread")]
async fn main() {
    let config = aws_config::load_from_env().await;
    let s3 = aws_sdk_s3::Client::new(&config);
    println!("{:?}", s3.list_buckets().send().await.is_ok());
    #[cfg(feature = "four")]
    {
        let _ = aws_sdk_dynamodb::Client::new(&config).list_tables().send().await;
        let _ = aws_sdk_sqs::Client::new(&config).list_queues().send().await;
        let _ = aws_sdk_ec2::Client::new(&config).describe_instances().send().await;
    }
}
