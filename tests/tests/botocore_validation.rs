//! Parameter validation compared with botocore 1.44.5's `ParamValidator` on inputs nobody
//! chose: for operations of random services, parameters generated from the input shape, then
//! broken in one or two places (a required member taken out, an unknown one added, a value of
//! another kind, an empty string or list, a number below its minimum, a union with no member
//! or two, a bad timestamp, a map key too short). Compared: the problems each reports, by kind,
//! place and member.
//!
//! Two differences are deliberate, and not generated: a `null` value is a member left out in
//! sansboto (botocore reports `None` as the wrong type), and a boolean given for a number or a
//! time is refused (Python's `True` is the integer 1, which botocore takes).

use std::collections::BTreeSet;

use sansboto_core::model::ServiceModel;
use sansboto_core::{validate, ValidationProblem as P, Value};
use sansboto_models::{FileKind, Loader};
use sansboto_tests::botocore;

/// A problem as `(botocore's reason, parameter path as botocore names it, member)`.
type Reported = (String, String, String);

fn ours(problem: &P) -> Reported {
    let at = |path: &str| match path {
        "" => "input".to_string(),
        path => path.to_string(),
    };
    let (reason, path, member) = match problem {
        P::MissingRequired { path, member } => ("missing required field", path, member.as_str()),
        P::UnknownParameter { path, member, .. } => ("unknown field", path, member.as_str()),
        P::InvalidType { path, .. } | P::InvalidTimestamp { path, .. } => {
            ("invalid type", path, "")
        }
        P::InvalidLength { path, .. } => ("invalid length", path, ""),
        P::InvalidRange { path, .. } => ("invalid range", path, ""),
        P::InvalidUnion { path, set: 0, .. } => ("empty input", path, ""),
        P::InvalidUnion { path, .. } => ("more than one input", path, ""),
        other => panic!("not a problem the validator reports: {other}"),
    };
    (reason.to_string(), at(path), member.to_string())
}

#[test]
fn generated_parameters_are_judged_as_botocore_judges_them() {
    let cases = botocore::run(
        r#"
import random, datetime
from botocore.validate import ParamValidator
rnd = random.Random(20261205)
def text():
    return rnd.choice(['', 'a', 'abc', '3', '1.5', 'true', '2020-01-02T03:04:05Z', '2020-01-02', 'x' * 300, 'not a date', '1577934245', '0x10'])
def value(shape, depth):
    t = shape.type_name
    if t == 'structure':
        out = {}
        if depth > 4: return out
        for name, m in shape.members.items():
            if name in shape.required_members or rnd.random() < 0.3:
                out[name] = value(m, depth + 1)
        return out
    if t == 'list':
        return [value(shape.member, depth + 1) for _ in range(rnd.randint(0, 2))] if depth < 4 else []
    if t == 'map':
        return {rnd.choice(['k', '', 'kk']): value(shape.value, depth + 1) for _ in range(rnd.randint(0, 2))} if depth < 4 else {}
    if t == 'string':
        return rnd.choice(shape.enum) if shape.enum and rnd.random() < 0.7 else text()
    if t in ('integer', 'long'):
        return rnd.choice([0, 1, -1, 5, 100])
    if t == 'boolean':
        return rnd.random() < 0.5
    if t == 'timestamp':
        return rnd.choice(['2020-01-02T03:04:05Z', 1577934245, '2020-01-02'])
    if t == 'blob':
        return 'xy'
    return rnd.choice([1.5, 0, -2.5])
WEIRD = [3, -1, 0, 1.5, True, False, '', 'x', '3', 'true', [], [1], {}, {'a': 1}, 'not a date', '2020-13-45', '1577934245']
# Python's True is 1: botocore takes a boolean for a number or a time; sansboto refuses it.
NOT_BOOLEAN = [w for w in WEIRD if not isinstance(w, bool)]
def weird(shape):
    return rnd.choice(WEIRD if shape.type_name in ('boolean', 'structure', 'list', 'map', 'string', 'blob') else NOT_BOOLEAN)
def mutate(params, shape, depth=0):
    # change one random thing somewhere in the tree
    if not isinstance(params, dict) or not shape.type_name == 'structure':
        return params
    r = rnd.random()
    names = list(shape.members)
    if r < 0.15 and shape.required_members:
        params.pop(rnd.choice(shape.required_members), None)
    elif r < 0.25:
        params[rnd.choice(['Nope', names[0].lower() if names else 'x', 'Bucket '])] = 1
    elif r < 0.8 and names:
        name = rnd.choice(names)
        m = shape.members[name]
        if m.type_name == 'structure' and isinstance(params.get(name), dict) and rnd.random() < 0.5 and depth < 3:
            mutate(params[name], m, depth + 1)
        elif m.type_name == 'list' and isinstance(params.get(name), list) and params[name] and rnd.random() < 0.3:
            params[name][0] = weird(m.member)
        else:
            params[name] = weird(m)
    return params
services = session.get_available_services()
out = []
for _ in range(300):
    svc = rnd.choice(services)
    model = session.get_service_model(svc)
    ops = model.operation_names
    for _ in range(20):
        op = rnd.choice(ops)
        om = model.operation_model(op)
        if om.input_shape is None: continue
        params = mutate(value(om.input_shape, 0), om.input_shape)
        if rnd.random() < 0.5:
            params = mutate(params, om.input_shape)
        dumped = json.dumps(params)
        report = ParamValidator().validate(params, om.input_shape)
        errs = []
        for reason, name, kw in report._errors:
            name = report._get_name(name)
            detail = kw.get('required_name') or kw.get('unknown_param') or ''
            errs.append([reason, name, detail])
        out.append({'service': svc, 'op': op, 'params': dumped, 'errors': errs})
emit(out)
"#,
        &[],
    );
    let loader = Loader::new();
    let mut models = std::collections::HashMap::new();
    let (mut refused, mut differ) = (0, Vec::new());
    let cases = cases.as_array().unwrap();
    for case in cases {
        let service = case["service"].as_str().unwrap().to_string();
        let model = models.entry(service.clone()).or_insert_with(|| {
            let json = loader.load(&service, None, FileKind::ServiceModel).unwrap();
            ServiceModel::from_json(&json).unwrap()
        });
        let op = model.operation(case["op"].as_str().unwrap()).unwrap();
        let text = case["params"].as_str().unwrap();
        let params: serde_json::Value = serde_json::from_str(text).unwrap();
        let input = op.input.as_ref().map(|r| r.shape);
        let ours: BTreeSet<Reported> = match validate(model, input, &Value::from(params)) {
            Ok(()) => BTreeSet::new(),
            Err(e) => e.problems.iter().map(ours).collect(),
        };
        let theirs: BTreeSet<Reported> = serde_json::from_value(case["errors"].clone()).unwrap();
        refused += usize::from(!theirs.is_empty());
        if ours != theirs {
            differ.push(format!(
                "{service} {} {text}: only sansboto {:?}, only botocore {:?}",
                op.name,
                ours.difference(&theirs).collect::<Vec<_>>(),
                theirs.difference(&ours).collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {}:\n{}",
        differ.len(),
        cases.len(),
        differ.join("\n")
    );
    // Both outcomes occur often, or the comparison says little.
    assert!(
        refused > 2_000 && cases.len() - refused > 500,
        "{refused} of {}",
        cases.len()
    );
}
