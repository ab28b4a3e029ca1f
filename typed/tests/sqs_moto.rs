//! Typed SQS (JSON protocol, query-compatible errors) against a real moto server, each result
//! compared with the dynamic `call` on the same server: the typed value must be the call's
//! result read into the output type, and a missing queue a typed `QueueDoesNotExist`.

use sansboto_core::params;
use sansboto_tests::moto::MotoServer;
use sansboto_typed::{FromValue, IntoValue};

sansboto_typed::typed!(
    "sqs",
    [
        "CreateQueue",
        "GetQueueUrl",
        "SendMessage",
        "ReceiveMessage"
    ]
);

use sqs::types::{
    CreateQueueRequest, GetQueueUrlRequest, ReceiveMessageRequest, SendMessageRequest,
};
use sqs::Sqs as _;

#[test]
fn typed_sqs_matches_call_on_moto() {
    let moto = MotoServer::start();
    let client = sansboto_blocking::Session::new()
        .client("sqs")
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials("testing", "testing", None)
        .build()
        .unwrap();
    let created = client
        .create_queue(CreateQueueRequest {
            queue_name: Some("typed".into()),
            ..Default::default()
        })
        .unwrap();
    let url = created.queue_url.clone().expect("QueueUrl");
    let by_call = client
        .call("GetQueueUrl", params! {"QueueName": "typed"})
        .unwrap();
    let typed = client
        .get_queue_url(GetQueueUrlRequest {
            queue_name: Some("typed".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(typed.queue_url.as_deref(), by_call["QueueUrl"].as_str());
    assert_eq!(
        typed,
        sqs::types::GetQueueUrlResult::from_value(by_call).unwrap()
    );

    let send = SendMessageRequest {
        queue_url: Some(url.clone()),
        message_body: Some("hello typed".into()),
        delay_seconds: Some(0),
        ..Default::default()
    };
    let sent = client.send_message(send.clone()).unwrap();
    // SQS answers the MD5 of the body it received.
    let md5 = sent.md5_of_message_body.as_deref().unwrap_or_default();
    assert!(
        md5.len() == 32 && md5.bytes().all(|b| b.is_ascii_hexdigit()),
        "{sent:?}"
    );
    // The same parameters through `call` are accepted the same way.
    let sent_by_call = client.call("SendMessage", send.into_value()).unwrap();
    assert!(sent_by_call["MessageId"].as_str().is_some());

    let received = client
        .receive_message(ReceiveMessageRequest {
            queue_url: Some(url),
            max_number_of_messages: Some(10),
            ..Default::default()
        })
        .unwrap();
    let bodies: Vec<String> = received
        .messages
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.body)
        .collect();
    assert_eq!(bodies, ["hello typed", "hello typed"]);

    let missing = client
        .get_queue_url(GetQueueUrlRequest {
            queue_name: Some("no-such-queue".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(missing.is_queue_does_not_exist(), "{missing:?}");
    assert_eq!(missing.service_error().map(|e| e.status), Some(400));
}
