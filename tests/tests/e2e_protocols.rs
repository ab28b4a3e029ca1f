//! Every protocol family against a real moto server, on the blocking transport: JSON 1.0
//! (DynamoDB), JSON 1.0 query-compatible (SQS), JSON 1.1 (KMS, Secrets Manager, Kinesis), query
//! (STS, IAM, SNS; SimpleDB, signed with Signature Version 2), ec2 (EC2) and rest-json
//! (Lambda); plus service errors of a JSON and a query service. Every call asserts on what came
//! back, not only that it did not fail.
//!
//! smithy-rpc-v2-cbor: in botocore 1.44.5 only `cloudwatchomni`, `eventbridgev2` and
//! `partnercentral-revenue-measurement` resolve to CBOR (every other model that lists it also lists
//! `json`, which botocore prefers). moto 5.2.5 implements none of those three and has no CBOR
//! parser at all, so CBOR is proven by the conformance suites (`cbor.rs`, `protocol_*.rs`) only.
//! CloudWatch (`monitoring`, which lists CBOR first) is called here over the JSON protocol it
//! resolves to, as botocore does.

use sansboto_blocking::{Client, Error, Session};
use sansboto_core::params;
use sansboto_core::Value;
use sansboto_tests::moto::MotoServer;
use serde_json::json;

fn client(moto: &MotoServer, service: &str) -> Client {
    Session::new()
        .client(service)
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials("testing", "testing", None)
        .build()
        .unwrap_or_else(|e| panic!("{service} client: {e}"))
}

fn call(client: &Client, operation: &str, params: Value) -> Value {
    client
        .call(operation, params)
        .unwrap_or_else(|e| panic!("{operation}: {e}"))
}

fn call_json(client: &Client, operation: &str, params: serde_json::Value) -> Value {
    call(client, operation, Value::from(params))
}

fn call_err(client: &Client, operation: &str, params: Value) -> Error {
    match client.call(operation, params) {
        Ok(v) => panic!("{operation} succeeded but should have failed: {v:?}"),
        Err(e) => e,
    }
}

fn status(out: &Value) -> Option<i64> {
    out["ResponseMetadata"]["HTTPStatusCode"].as_i64()
}

#[test]
fn dynamodb_json_1_0() {
    let moto = MotoServer::start();
    let ddb = client(&moto, "dynamodb");
    let created = call_json(
        &ddb,
        "CreateTable",
        json!({
            "TableName": "music",
            "KeySchema": [
                {"AttributeName": "artist", "KeyType": "HASH"},
                {"AttributeName": "song", "KeyType": "RANGE"}
            ],
            "AttributeDefinitions": [
                {"AttributeName": "artist", "AttributeType": "S"},
                {"AttributeName": "song", "AttributeType": "S"}
            ],
            "BillingMode": "PAY_PER_REQUEST"
        }),
    );
    assert_eq!(
        created["TableDescription"]["TableName"].as_str(),
        Some("music")
    );
    assert_eq!(
        created["TableDescription"]["KeySchema"][1]["KeyType"].as_str(),
        Some("RANGE")
    );
    for (song, year) in [("one", 1991), ("two", 1992), ("three", 1993)] {
        let put = call_json(
            &ddb,
            "PutItem",
            json!({
                "TableName": "music",
                "Item": {
                    "artist": {"S": "band"},
                    "song": {"S": song},
                    "year": {"N": year.to_string()},
                    "tags": {"SS": ["a", "b"]}
                }
            }),
        );
        assert_eq!(status(&put), Some(200));
    }
    let got = call_json(
        &ddb,
        "GetItem",
        json!({"TableName": "music", "Key": {"artist": {"S": "band"}, "song": {"S": "two"}}}),
    );
    assert_eq!(got["Item"]["year"]["N"].as_str(), Some("1992"), "{got:?}");
    let tags = got["Item"]["tags"]["SS"].as_list().expect("SS is a list");
    assert_eq!(tags.len(), 2);

    let queried = call_json(
        &ddb,
        "Query",
        json!({
            "TableName": "music",
            "KeyConditionExpression": "artist = :a AND begins_with(song, :p)",
            "ExpressionAttributeValues": {":a": {"S": "band"}, ":p": {"S": "t"}}
        }),
    );
    assert_eq!(queried["Count"].as_i64(), Some(2), "{queried:?}");
    let songs: Vec<&str> = queried["Items"]
        .as_list()
        .expect("Items")
        .iter()
        .filter_map(|i| i["song"]["S"].as_str())
        .collect();
    assert_eq!(songs, ["three", "two"]);

    // A JSON protocol error: the `__type` shape name becomes the code.
    let err = call_err(
        &ddb,
        "GetItem",
        Value::from(json!({"TableName": "nope", "Key": {"artist": {"S": "x"}}})),
    );
    assert_eq!(err.code(), Some("ResourceNotFoundException"), "{err}");
    assert_eq!(err.status(), Some(400));
    assert!(
        err.message().is_some_and(|m| m.contains("not found")),
        "{err}"
    );
}

#[test]
fn sqs_json_query_compatible() {
    let moto = MotoServer::start();
    let sqs = client(&moto, "sqs");
    let created = call(&sqs, "CreateQueue", params! {"QueueName": "jobs"});
    let url = created["QueueUrl"].as_str().expect("QueueUrl").to_owned();
    assert!(url.ends_with("/jobs"), "{url}");
    let sent = call(
        &sqs,
        "SendMessage",
        params! {"QueueUrl": url.as_str(), "MessageBody": "hello queue"},
    );
    let message_id = sent["MessageId"].as_str().expect("MessageId").to_owned();
    // md5("hello queue"), computed independently of the server.
    assert_eq!(
        sent["MD5OfMessageBody"].as_str(),
        Some("778e165e87cc13f0713e9d3bf72a9734")
    );
    let received = call(
        &sqs,
        "ReceiveMessage",
        params! {"QueueUrl": url.as_str(), "MaxNumberOfMessages": 10, "WaitTimeSeconds": 0},
    );
    let messages = received["Messages"].as_list().expect("Messages");
    assert_eq!(messages.len(), 1, "{received:?}");
    assert_eq!(messages[0]["Body"].as_str(), Some("hello queue"));
    assert_eq!(messages[0]["MessageId"].as_str(), Some(message_id.as_str()));
    assert!(messages[0]["ReceiptHandle"].as_str().is_some());

    // Query-compatible error: the JSON `__type` is `com.amazonaws.sqs#QueueDoesNotExist`, and the
    // `x-amzn-query-error` header carries the legacy query code, which wins (as in botocore).
    let err = call_err(&sqs, "GetQueueUrl", params! {"QueueName": "missing"});
    assert_eq!(
        err.code(),
        Some("AWS.SimpleQueueService.NonExistentQueue"),
        "{err}"
    );
    assert_eq!(err.status(), Some(400));
    assert!(err.message().is_some(), "{err}");
    // The modeled error is the one botocore's client raises (`QueueDoesNotExist`, picked by the
    // body's code, since SQS's shapes lack the query-era codes).
    let model = sqs.core().model();
    let shape = err.service_error().and_then(|e| e.shape_name(model));
    assert_eq!(shape, Some("QueueDoesNotExist"), "{err}");
}

#[test]
fn sts_and_iam_query() {
    let moto = MotoServer::start();
    let sts = client(&moto, "sts");
    let me = call(&sts, "GetCallerIdentity", params! {});
    assert_eq!(me["Account"].as_str(), Some("123456789012"), "{me:?}");
    assert!(me["Arn"]
        .as_str()
        .is_some_and(|a| a.starts_with("arn:aws:")));
    assert!(me["ResponseMetadata"]["RequestId"].as_str().is_some());

    let iam = client(&moto, "iam");
    let user = call(
        &iam,
        "CreateUser",
        params! {"UserName": "alice", "Path": "/team/"},
    );
    assert_eq!(user["User"]["UserName"].as_str(), Some("alice"));
    assert_eq!(user["User"]["Path"].as_str(), Some("/team/"));
    assert!(
        user["User"]["CreateDate"].as_timestamp().is_some(),
        "{user:?}"
    );
    call(&iam, "CreateUser", params! {"UserName": "bob"});
    let users = call(&iam, "ListUsers", params! {});
    let mut names: Vec<&str> = users["Users"]
        .as_list()
        .expect("Users")
        .iter()
        .filter_map(|u| u["UserName"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(users["IsTruncated"].as_bool(), Some(false));

    // A query protocol error (XML `<ErrorResponse>`).
    let err = call_err(&iam, "GetUser", params! {"UserName": "carol"});
    assert_eq!(err.code(), Some("NoSuchEntity"), "{err}");
    assert_eq!(err.status(), Some(404));
    assert!(err.message().is_some_and(|m| m.contains("carol")), "{err}");
}

#[test]
fn kms_json_1_1_round_trip() {
    let moto = MotoServer::start();
    let kms = client(&moto, "kms");
    let key = call(&kms, "CreateKey", params! {"Description": "e2e key"});
    let key_id = key["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("KeyId")
        .to_owned();
    assert_eq!(key["KeyMetadata"]["Description"].as_str(), Some("e2e key"));
    assert_eq!(key["KeyMetadata"]["Enabled"].as_bool(), Some(true));
    // Bytes that are not UTF-8, to prove blobs travel as base64 both ways.
    let plaintext: Vec<u8> = (0u8..=255).rev().collect();
    let encrypted = call(
        &kms,
        "Encrypt",
        params! {"KeyId": key_id.as_str(), "Plaintext": plaintext.as_slice()},
    );
    let blob = encrypted["CiphertextBlob"]
        .as_blob()
        .expect("CiphertextBlob is a blob")
        .clone();
    assert_ne!(blob.as_ref(), plaintext.as_slice());
    let decrypted = call(&kms, "Decrypt", params! {"CiphertextBlob": blob});
    assert_eq!(
        decrypted["Plaintext"].as_blob().map(|b| b.as_ref()),
        Some(plaintext.as_slice())
    );
    assert!(decrypted["KeyId"]
        .as_str()
        .is_some_and(|k| k.ends_with(&key_id)));
}

#[test]
fn sns_query() {
    let moto = MotoServer::start();
    let sns = client(&moto, "sns");
    let topic = call(&sns, "CreateTopic", params! {"Name": "alerts"});
    let arn = topic["TopicArn"].as_str().expect("TopicArn").to_owned();
    assert_eq!(arn, "arn:aws:sns:us-east-1:123456789012:alerts");
    let published = call(
        &sns,
        "Publish",
        params! {"TopicArn": arn.as_str(), "Message": "hi", "Subject": "s"},
    );
    assert!(
        published["MessageId"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{published:?}"
    );
    let topics = call(&sns, "ListTopics", params! {});
    assert_eq!(topics["Topics"][0]["TopicArn"].as_str(), Some(arn.as_str()));
}

#[test]
fn ec2_protocol() {
    let moto = MotoServer::start();
    let ec2 = client(&moto, "ec2");
    let images = call(&ec2, "DescribeImages", params! {"Owners": vec!["amazon"]});
    let image_id = images["Images"][0]["ImageId"]
        .as_str()
        .expect("moto knows some Amazon AMIs")
        .to_owned();
    assert!(image_id.starts_with("ami-"), "{image_id}");
    let run = call_json(
        &ec2,
        "RunInstances",
        json!({
            "ImageId": image_id,
            "MinCount": 2,
            "MaxCount": 2,
            "InstanceType": "t3.micro",
            "TagSpecifications": [{
                "ResourceType": "instance",
                "Tags": [{"Key": "team", "Value": "e2e"}]
            }]
        }),
    );
    let launched: Vec<String> = run["Instances"]
        .as_list()
        .expect("Instances")
        .iter()
        .filter_map(|i| i["InstanceId"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(launched.len(), 2, "{run:?}");
    assert_eq!(
        run["Instances"][0]["InstanceType"].as_str(),
        Some("t3.micro")
    );
    let described = call_json(
        &ec2,
        "DescribeInstances",
        json!({"Filters": [{"Name": "tag:team", "Values": ["e2e"]}]}),
    );
    let mut seen: Vec<String> = described["Reservations"]
        .as_list()
        .expect("Reservations")
        .iter()
        .flat_map(|r| r["Instances"].as_list().unwrap_or_default())
        .filter_map(|i| i["InstanceId"].as_str().map(str::to_owned))
        .collect();
    seen.sort_unstable();
    let mut expected = launched.clone();
    expected.sort_unstable();
    assert_eq!(seen, expected);
    assert_eq!(
        described["Reservations"][0]["Instances"][0]["ImageId"].as_str(),
        Some(image_id.as_str())
    );

    // An ec2 protocol error (`<Response><Errors><Error>`).
    let err = call_err(
        &ec2,
        "DescribeInstances",
        params! {"InstanceIds": vec!["i-0123456789abcdef0"]},
    );
    assert_eq!(err.code(), Some("InvalidInstanceID.NotFound"), "{err}");
    assert_eq!(err.status(), Some(400));
}

#[test]
fn lambda_rest_json() {
    let moto = MotoServer::start();
    let lambda = client(&moto, "lambda");
    let listed = call(&lambda, "ListFunctions", params! {});
    assert_eq!(status(&listed), Some(200));
    assert_eq!(listed["Functions"].as_list().map(<[Value]>::len), Some(0));
    // rest-json errors: the code comes from the `x-amzn-errortype` header / body.
    let err = call_err(&lambda, "GetFunction", params! {"FunctionName": "absent"});
    assert_eq!(err.code(), Some("ResourceNotFoundException"), "{err}");
    assert_eq!(err.status(), Some(404));
}

#[test]
fn secretsmanager_json_1_1() {
    let moto = MotoServer::start();
    let sm = client(&moto, "secretsmanager");
    let created = call(
        &sm,
        "CreateSecret",
        params! {"Name": "db/password", "SecretString": "s3cr3t!"},
    );
    assert_eq!(created["Name"].as_str(), Some("db/password"));
    assert!(created["ARN"]
        .as_str()
        .is_some_and(|a| a.contains(":secret:db/password")));
    let got = call(&sm, "GetSecretValue", params! {"SecretId": "db/password"});
    assert_eq!(got["SecretString"].as_str(), Some("s3cr3t!"));
    assert_eq!(got["VersionId"], created["VersionId"]);
    assert!(got["CreatedDate"].as_timestamp().is_some(), "{got:?}");
}

#[test]
fn kinesis_json_1_1_with_waiter() {
    let moto = MotoServer::start();
    let kinesis = client(&moto, "kinesis");
    let created = call(
        &kinesis,
        "CreateStream",
        params! {"StreamName": "events", "ShardCount": 1},
    );
    assert_eq!(status(&created), Some(200));
    kinesis
        .wait(
            "stream_exists",
            params! {"StreamName": "events"},
            Some(std::time::Duration::from_millis(100)),
            Some(50),
        )
        .unwrap_or_else(|e| panic!("stream_exists: {e}"));
    let described = call(&kinesis, "DescribeStream", params! {"StreamName": "events"});
    assert_eq!(
        described["StreamDescription"]["StreamStatus"].as_str(),
        Some("ACTIVE")
    );
    let put = call(
        &kinesis,
        "PutRecord",
        params! {"StreamName": "events", "Data": &b"\x00\x01record"[..], "PartitionKey": "pk"},
    );
    let shard = put["ShardId"].as_str().expect("ShardId").to_owned();
    assert!(shard.starts_with("shardId-"), "{put:?}");
    assert!(put["SequenceNumber"].as_str().is_some());
    let iterator = call(
        &kinesis,
        "GetShardIterator",
        params! {"StreamName": "events", "ShardId": shard.as_str(), "ShardIteratorType": "TRIM_HORIZON"},
    );
    let records = call(
        &kinesis,
        "GetRecords",
        params! {"ShardIterator": iterator["ShardIterator"].as_str().expect("ShardIterator")},
    );
    assert_eq!(
        records["Records"][0]["Data"].as_blob().map(|b| b.as_ref()),
        Some(&b"\x00\x01record"[..])
    );
    assert_eq!(records["Records"][0]["PartitionKey"].as_str(), Some("pk"));
}

#[test]
fn cloudwatch_resolves_to_json() {
    let moto = MotoServer::start();
    let cw = client(&moto, "cloudwatch");
    call_json(
        &cw,
        "PutMetricData",
        json!({
            "Namespace": "e2e",
            "MetricData": [{"MetricName": "latency", "Value": 12.5, "Unit": "Milliseconds"}]
        }),
    );
    let listed = call(&cw, "ListMetrics", params! {"Namespace": "e2e"});
    assert_eq!(
        listed["Metrics"][0]["MetricName"].as_str(),
        Some("latency"),
        "{listed:?}"
    );
}

#[test]
fn simpledb_query_with_signature_version_2() {
    // SimpleDB's model names Signature Version 2: the signing parameters travel in the form
    // body, and moto answers the calls (it does not check the signature).
    let moto = MotoServer::start();
    let sdb = client(&moto, "sdb");
    let created = call(&sdb, "CreateDomain", params! {"DomainName": "music"});
    assert_eq!(status(&created), Some(200), "{created:?}");
    call_json(
        &sdb,
        "PutAttributes",
        json!({"DomainName": "music", "ItemName": "song 1", "Attributes": [
            {"Name": "artist", "Value": "No One You Know", "Replace": true}
        ]}),
    );
    let got = call(
        &sdb,
        "GetAttributes",
        params! {"DomainName": "music", "ItemName": "song 1"},
    );
    assert_eq!(
        got["Attributes"][0]["Value"].as_str(),
        Some("No One You Know"),
        "{got:?}"
    );
    let domains = call(&sdb, "ListDomains", params! {});
    assert_eq!(
        domains["DomainNames"][0].as_str(),
        Some("music"),
        "{domains:?}"
    );
}
