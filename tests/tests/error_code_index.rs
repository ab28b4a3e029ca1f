//! `ServiceModel::error_shape_for_code` finds exception shapes from the model's text without
//! building every shape. This checks it against the eager definition on every embedded model
//! (latest api version of each service): every exception shape (every shape built) is reachable
//! by its code — its `error.code`, else its name — and nothing else is.

use std::collections::HashMap;

use sansboto_core::model::ServiceModel;
use sansboto_models::{FileKind, Loader};

#[test]
fn every_exception_shape_is_found_by_its_code() {
    let loader = Loader::new();
    let (mut services, mut codes, mut shared) = (0, 0, 0);
    for service in loader.services().unwrap() {
        let json = loader
            .load(&service, None, FileKind::ServiceModel)
            .unwrap_or_else(|e| panic!("{service}: {e}"));
        let model = ServiceModel::from_shared(json).unwrap();
        // Look codes up on a fresh model first (the index must not rely on built shapes) …
        let probe =
            ServiceModel::from_shared(loader.load(&service, None, FileKind::ServiceModel).unwrap())
                .unwrap();
        // … and build everything on the other for the eager answer.
        // (By index: an id belongs to the model that made it, and `probe` is another model.)
        let mut by_code: HashMap<String, Vec<u32>> = HashMap::new();
        let mut names = Vec::new();
        for (id, shape) in model.shapes() {
            names.push(shape.name.clone());
            let Some(st) = shape.as_structure().filter(|s| s.exception) else {
                continue;
            };
            let code = st
                .error
                .as_ref()
                .and_then(|e| e.code.clone())
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| shape.name.clone());
            by_code.entry(code).or_default().push(id.index());
        }
        for (code, ids) in &by_code {
            let found = probe.error_shape_for_code(code);
            assert!(
                found.is_some_and(|id| ids.contains(&id.index())),
                "{service}: {code} gave {found:?}, expected one of {ids:?}"
            );
            if ids.len() > 1 {
                shared += 1;
            }
            codes += 1;
        }
        for name in &names {
            if !by_code.contains_key(name) {
                assert_eq!(
                    probe.error_shape_for_code(name),
                    None,
                    "{service}: {name} is no exception code"
                );
            }
        }
        services += 1;
    }
    println!("{services} models, {codes} error codes ({shared} shared by two shapes)");
    assert!(services > 400 && codes > 1000, "{services} {codes}");
}

#[test]
fn a_shared_code_goes_to_the_later_shape_as_in_botocore() {
    // CloudWatch's `DashboardNotFoundError` has `error.code` `ResourceNotFound`, as does the
    // `ResourceNotFound` shape after it in the model: botocore's code → shape dict keeps the
    // later one (even for GetDashboard, whose own errors list only the dashboard one).
    let loader = Loader::new();
    let model = ServiceModel::from_shared(
        loader
            .load("cloudwatch", None, FileKind::ServiceModel)
            .unwrap(),
    )
    .unwrap();
    let id = model.error_shape_for_code("ResourceNotFound").unwrap();
    assert_eq!(model.shape(id).name, "ResourceNotFound");
    let dashboard = model.shape_id("DashboardNotFoundError").unwrap();
    assert_eq!(model.error_shape_for_code("DashboardNotFoundError"), None);
    assert!(model
        .operation("GetDashboard")
        .unwrap()
        .errors
        .contains(&dashboard));
}
