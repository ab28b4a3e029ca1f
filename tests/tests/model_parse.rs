//! Every service model botocore ships parses into a [`ServiceModel`], with every operation's
//! input, output and error shapes resolved.

use sansboto_core::model::ServiceModel;

#[test]
fn every_botocore_model_parses() {
    let data = sansboto_tests::botocore_dir().join("botocore/data");
    let mut models = 0;
    let mut operations = 0;
    let mut failures = Vec::new();
    for service in std::fs::read_dir(&data).unwrap().flatten() {
        if !service.path().is_dir() {
            continue;
        }
        for version in std::fs::read_dir(service.path()).unwrap().flatten() {
            let path = version.path().join("service-2.json");
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            match ServiceModel::from_json(&bytes) {
                Ok(model) => {
                    models += 1;
                    for op in model.operations() {
                        operations += 1;
                        for r in op.input.iter().chain(op.output.iter()) {
                            assert!(
                                model.shape(r.shape).as_structure().is_some(),
                                "{}: {}",
                                path.display(),
                                op.name
                            );
                        }
                    }
                }
                Err(e) => failures.push(format!("{}: {e}", path.display())),
            }
        }
    }
    println!("parsed {models} models, {operations} operations");
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(models > 400);
}
