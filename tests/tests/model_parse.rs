//! Every embedded service model parses into a [`ServiceModel`] with every shape checked and resolved
//! (`check_all`: the load itself checks shapes only on first use), and
//! every paginator, waiter and `operationContextParams` expression compiles and evaluates against
//! a sample of the operation's real output (issue 9: "a test evaluates every paginator and waiter
//! expression of all embedded models without error").

use sansboto_core::jmespath::Expression;
use sansboto_core::model::{ServiceModel, ShapeId, ShapeKind};
use sansboto_core::PaginatorModel;
use sansboto_core::WaiterModel;
use sansboto_core::{Map, Value};
use sansboto_models::{FileKind, Loader};

/// A value of `shape` with every member set and every list holding one item, so that paths
/// through it reach leaves (recursion cut at a fixed depth).
fn sample(model: &ServiceModel, id: ShapeId, depth: usize) -> Value {
    if depth > 12 {
        return Value::Null;
    }
    let shape = model.shape(id);
    match &shape.kind {
        ShapeKind::Structure(s) => Value::Map(
            s.members
                .iter()
                .map(|(n, m)| (n.as_str().into(), sample(model, m.shape, depth + 1)))
                .collect::<Map>(),
        ),
        ShapeKind::List(m) => Value::List(vec![sample(model, m.shape, depth + 1)]),
        ShapeKind::Map { value, .. } => {
            let mut m = Map::default();
            m.insert("key".into(), sample(model, value.shape, depth + 1));
            Value::Map(m)
        }
        ShapeKind::String => Value::String(sansboto_core::Text::from(
            shape
                .enum_values
                .as_ref()
                .and_then(|e| e.first().cloned())
                .unwrap_or("s".into()),
        )),
        ShapeKind::Boolean => Value::Bool(true),
        ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal => Value::Float(1.5),
        ShapeKind::Blob => Value::blob(&b"b"[..]),
        ShapeKind::Timestamp => Value::Timestamp(sansboto_core::Timestamp::from_secs(0)),
        _ => Value::Integer(1),
    }
}

#[test]
fn every_embedded_model_and_expression() {
    let loader = Loader::new();
    let (mut models, mut operations, mut paginators, mut waiters, mut expressions) =
        (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for service in loader.services().unwrap() {
        for version in loader
            .api_versions(&service, FileKind::ServiceModel)
            .unwrap()
        {
            let bytes = loader
                .load(&service, Some(&version), FileKind::ServiceModel)
                .unwrap();
            let model = match ServiceModel::from_json(&bytes) {
                Ok(m) => m,
                Err(e) => {
                    failures.push(format!("{service}/{version}: {e}"));
                    continue;
                }
            };
            // Shapes are checked on first use: build and check every one, so a broken shape
            // in the embedded data fails here rather than in some user's call.
            if let Err(e) = model.check_all() {
                failures.push(format!("{service}/{version}: {e}"));
                continue;
            }
            models += 1;
            for op in model.operations() {
                operations += 1;
                for r in op.input.iter().chain(op.output.iter()) {
                    assert!(
                        model.shape(r.shape).as_structure().is_some(),
                        "{service}: {}",
                        op.name
                    );
                }
                for (name, path) in &op.operation_context_params {
                    expressions += 1;
                    let input = op
                        .input
                        .as_ref()
                        .map(|i| sample(&model, i.shape, 0))
                        .unwrap_or_default();
                    if let Err(e) = Expression::compile(path).and_then(|e| e.search(&input)) {
                        failures.push(format!("{service}.{} context param {name}: {e}", op.name));
                    }
                }
            }
            let output_sample = |op: &str| {
                model
                    .operation(op)
                    .and_then(|o| o.output.as_ref())
                    .map(|o| sample(&model, o.shape, 0))
                    .unwrap_or_default()
            };
            if let Ok(bytes) = loader.load(&service, Some(&version), FileKind::Paginators) {
                match PaginatorModel::from_json(&bytes) {
                    Ok(p) => {
                        for op in p.operations() {
                            paginators += 1;
                            let cfg = p.get(op).unwrap();
                            let page = output_sample(op);
                            for key in cfg.result_keys() {
                                expressions += 1;
                                if let Err(e) = key.search(&page) {
                                    failures.push(format!("{service}.{op} result key {key}: {e}"));
                                }
                            }
                            let mut pager = sansboto_core::Paginator::new(
                                cfg,
                                Value::map(),
                                Default::default(),
                            )
                            .unwrap();
                            if let Err(e) = pager.handle_page(page) {
                                failures.push(format!("{service}.{op} paginator: {e}"));
                            }
                        }
                    }
                    Err(e) => failures.push(format!("{service}/{version} paginators: {e}")),
                }
            }
            if let Ok(bytes) = loader.load(&service, Some(&version), FileKind::Waiters) {
                match WaiterModel::from_json(&bytes) {
                    Ok(w) => {
                        for name in w.names() {
                            waiters += 1;
                            let cfg = w.get(name).unwrap();
                            let mut waiter =
                                sansboto_core::Waiter::new(cfg, Value::map(), None, Some(1000));
                            if model.operation(&cfg.operation).is_none() {
                                failures.push(format!(
                                    "{service} waiter {name}: unknown operation {}",
                                    cfg.operation
                                ));
                            }
                            // Any outcome but an expression error is fine: the sample is not a
                            // meaningful state.
                            if let Err(sansboto_core::WaiterError::Expression(e)) =
                                waiter.handle_response(output_sample(&cfg.operation))
                            {
                                failures.push(format!("{service} waiter {name}: {e}"));
                            }
                        }
                    }
                    Err(e) => failures.push(format!("{service}/{version} waiters: {e}")),
                }
            }
        }
    }
    println!(
        "{models} models, {operations} operations, {paginators} paginators, {waiters} waiters, {expressions} result/context expressions evaluated"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(models >= 472 && paginators > 2000 && waiters > 200);
}
