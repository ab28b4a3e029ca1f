//! A few S3 operations generated: the types, enums and error enums the macro writes, checked
//! without a network.

sansboto_typed::typed!(
    "s3",
    [
        "PutObject",
        "GetObject",
        "ListObjectsV2",
        "HeadBucket",
        "CreateBucket"
    ]
);

use s3::types::{ListObjectsV2Request, PutObjectRequest, StorageClass};
use sansboto_typed::{FromValue, IntoValue, Value};

#[test]
fn enums_keep_unknown_values() {
    assert_eq!(StorageClass::from("STANDARD_IA"), StorageClass::StandardIa);
    assert_eq!(StorageClass::StandardIa.as_str(), "STANDARD_IA");
    let later = StorageClass::from("SOMETHING_NEW");
    assert_eq!(later, StorageClass::Unknown("SOMETHING_NEW".into()));
    assert_eq!(
        later.clone().into_value(),
        Value::String("SOMETHING_NEW".into())
    );
}

#[test]
fn inputs_become_the_dynamic_parameters() {
    let input = PutObjectRequest {
        bucket: Some("b".into()),
        key: Some("k".into()),
        body: Some("hello".into()),
        storage_class: Some(StorageClass::Glacier),
        ..Default::default()
    };
    let value = input.into_value();
    assert_eq!(value["Bucket"].as_str(), Some("b"));
    assert_eq!(value["StorageClass"].as_str(), Some("GLACIER"));
    assert_eq!(value["Body"].as_blob().map(|b| &b[..]), Some(&b"hello"[..]));
    assert!(
        value.get("ContentType").is_none(),
        "unset members are not sent"
    );
    let back =
        ListObjectsV2Request::from_value(sansboto_core::params! {"Bucket": "b", "MaxKeys": 5})
            .unwrap();
    assert_eq!(back.max_keys, Some(5));
    let wrong =
        ListObjectsV2Request::from_value(sansboto_core::params! {"MaxKeys": "five"}).unwrap_err();
    assert_eq!(wrong.path, "MaxKeys");
}

#[test]
fn sensitive_members_are_redacted_in_debug() {
    let input = PutObjectRequest {
        sse_customer_key: Some("secret-key-material".into()),
        ..Default::default()
    };
    let shown = format!("{input:?}");
    assert!(!shown.contains("secret-key-material"), "{shown}");
    assert!(shown.contains("Redacted"), "{shown}");
}

#[test]
fn errors_enums_name_the_modeled_errors() {
    let mut names = Vec::new();
    struct Names<'a>(&'a mut Vec<&'static str>);
    impl sansboto_typed::OperationVisitor for Names<'_> {
        fn visit<O: sansboto_typed::TypedOperation>(&mut self) {
            self.0.push(O::NAME);
        }
    }
    s3::for_each_operation(&mut Names(&mut names));
    assert_eq!(
        names,
        [
            "PutObject",
            "GetObject",
            "ListObjectsV2",
            "HeadBucket",
            "CreateBucket"
        ]
    );
    let e = s3::errors::GetObjectError::Other(sansboto_typed::TypedError::WrongService {
        operation: "GetObject",
        expected: "s3",
        client: "sqs".into(),
    });
    assert!(!e.is_no_such_key() && e.is_other() && e.code().is_none());
}
