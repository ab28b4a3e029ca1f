//! What botocore's HTTP stack adds to every request as it sends it, on the wire of each
//! transport next to botocore 1.44.5's (the same local server sees both): `Accept-Encoding:
//! identity`, which Python's `http.client` sends unless the request has its own, so no server or
//! proxy on the way compresses an answer neither client decodes.

mod e2e_support;

use e2e_support::{blocking_session, core_session, tokio_session, Action, ScriptServer};
use sansboto_core::params;
use sansboto_tests::botocore;

const LIST_TABLES_OK: &str = r#"{"TableNames": []}"#;

#[test]
fn every_request_says_it_accepts_no_content_coding_as_botocores_does() {
    let server = ScriptServer::start(|_, _| Action::json(200, LIST_TABLES_OK));
    let build = |service: &str| (service.to_owned(), server.url());
    let (service, url) = build("dynamodb");

    let blocking = blocking_session(core_session(&[], None, None))
        .client(&service)
        .region("us-east-1")
        .endpoint_url(&url)
        .credentials("AKID", "SECRET", None)
        .build()
        .unwrap();
    blocking.call("ListTables", params! {}).unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let session = tokio_session(core_session(&[], None, None));
    runtime.block_on(async {
        let client = session
            .client(&service)
            .region("us-east-1")
            .endpoint_url(&url)
            .credentials("AKID", "SECRET", None)
            .build()
            .await
            .unwrap();
        client.call("ListTables", params! {}).await.unwrap();
    });

    botocore::run(
        &format!(
            r#"
c = session.create_client('dynamodb', region_name='us-east-1', endpoint_url={url:?},
    aws_access_key_id='AKID', aws_secret_access_key='SECRET')
c.list_tables()
emit(None)
"#
        ),
        &[],
    );

    let seen = server.seen();
    assert_eq!(seen.len(), 3, "blocking, tokio, botocore");
    let accepted: Vec<Option<&str>> = seen
        .iter()
        .map(|s| s.headers.get("accept-encoding").map(String::as_str))
        .collect();
    assert_eq!(accepted[2], Some("identity"), "botocore's");
    assert_eq!(accepted, [Some("identity"); 3]);
}
