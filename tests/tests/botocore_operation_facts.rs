//! What sansboto reads off each operation of the models, compared with botocore 1.44.5's
//! `OperationModel` over every operation of every service (latest API version):
//!
//! - its streaming input (`has_streaming_input`): the input payload when it is a blob, marked
//!   streaming or not. botocore puts a checksum in a trailer for it over HTTPS, keeps
//!   compression off one that requires a length, and S3's signer leaves it unhashed beside
//!   `Content-MD5`; sansboto reads all three from `ServiceModel::streaming_input`.

use std::collections::BTreeSet;

use sansboto_core::model::ServiceModel;
use sansboto_models::{FileKind, Loader};
use sansboto_tests::botocore;

#[test]
fn streaming_inputs_are_botocores() {
    let theirs = botocore::run(
        r#"
out = []
for name in session.get_available_services():
    model = session.get_service_model(name)
    for op in model.operation_names:
        streamed = model.operation_model(op).get_streaming_input()
        if streamed is not None:
            out.append('%s.%s.%s' % (name, op, streamed.name))
emit(out)
"#,
        &[],
    );
    let theirs: BTreeSet<String> = serde_json::from_value(theirs).unwrap();

    let loader = Loader::new();
    let mut ours = BTreeSet::new();
    let mut operations = 0;
    for service in loader.services().unwrap() {
        let bytes = loader.load(&service, None, FileKind::ServiceModel).unwrap();
        let model = ServiceModel::from_json(&bytes).unwrap();
        for op in model.operations() {
            operations += 1;
            if let Some(member) = model.streaming_input(op) {
                let shape = model.try_shape(member.shape).unwrap();
                ours.insert(format!("{service}.{}.{}", op.name, shape.name));
            }
        }
    }
    // Both sides found something: S3 uploads and Lambda `Invoke` among them.
    assert!(theirs.contains("s3.PutObject.Body"), "{theirs:?}");
    assert!(theirs.contains("lambda.Invoke.Blob"), "{theirs:?}");
    let only_theirs: Vec<_> = theirs.difference(&ours).collect();
    let only_ours: Vec<_> = ours.difference(&theirs).collect();
    assert!(
        only_theirs.is_empty() && only_ours.is_empty(),
        "of {operations} operations, streaming input in botocore only: {only_theirs:?}; \
         in sansboto only: {only_ours:?}"
    );
    println!(
        "{} of {operations} operations have a streaming input, alike",
        ours.len()
    );
}
