//! Paginators driven by sansboto and by botocore 1.44.5 over the same pages, for every
//! paginator of every service (about 3,400; the few whose token is an index expression such as
//! `Jobs[-1].JobId` are left out, counted): three pages made from the paginator's own keys (its
//! result keys filled with 3, 2 and 4 items, output tokens and `more_results` saying there is
//! more, non-aggregate keys set), paged with no options, `MaxItems` inside the first page, inside
//! a later page and at a page's end, `PageSize`, and resumed from the `NextToken` each `MaxItems` run left (botocore's tokens,
//! which sansboto must read). Compared: the parameters of each page's call, the pages as handed
//! to the caller, the resume token's text, `build_full_result`, and where botocore refuses.
//!
//! One difference is deliberate, and the botocore side is run with it (`KeepsFirstPage`):
//! resumed from a token taken at a page's end, botocore empties the first page's secondary
//! result keys (S3's `CommonPrefixes`, CloudWatch's `CompositeAlarms`) though no earlier run
//! returned them; sansboto keeps them, so nothing is lost.
//!
//! Binary tokens (DynamoDB keys with a `B` attribute) have a test of their own: botocore writes
//! their bytes as base64 and lists their paths under `boto_encoded_keys`.
//!
//! sansboto's side is the sans-IO [`Paginator`] and [`FullResult`], fed the page each call's
//! parameters ask for, as a transport would.

mod e2e_support;

use e2e_support::core_session;
use sansboto_core::{FullResult, PaginationOptions, Paginator, PaginatorConfig, Value};
use sansboto_tests::botocore;
use serde_json::{json, Value as J};

/// botocore's `Paginator` with sansboto's one deliberate difference (the module's doc).
const DELIBERATE: &str = r#"
from botocore.paginate import Paginator as _Paginator, PageIterator as _PageIterator

class KeepsFirstPage(_PageIterator):
    # sansboto's one deliberate difference: resumed at a page's end (a token without
    # `boto_truncate_amount`), the first page keeps its secondary result keys (S3's
    # `CommonPrefixes`), which botocore empties though no earlier run returned them.
    def _handle_first_request(self, parsed, primary_result_key, starting_truncation):
        if self._parse_starting_token()[1] == 0:
            return 0
        return super()._handle_first_request(parsed, primary_result_key, starting_truncation)

class _Paginator(_Paginator):
    PAGE_ITERATOR_CLS = KeepsFirstPage
"#;

/// For each paginator: its pages, which page each token asks for (`registry`), and botocore's
/// runs over them.
const PAGINATE: &str = r#"
import copy, re


SIMPLE = re.compile(r'^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$')
SIZES = [3, 2, 4]

def listify(v):
    return v if isinstance(v, list) else ([] if v is None else [v])

def shape_at(shape, path):
    for part in path.split('.'):
        if shape is None or shape.type_name != 'structure' or part not in shape.members:
            return None
        shape = shape.members[part]
    return shape

def put(page, path, value):
    node = page
    parts = path.split('.')
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value

def make_pages(op, config):
    # Three pages: each result key filled (lists of 3, 2 and 4 items), output tokens and
    # `more_results` saying there is more on the first two, non-aggregate keys set; which page
    # a token asks for is in `registry`.
    output = op.output_shape
    registry = {}
    pages = []
    for n, size in enumerate(SIZES):
        page = {}
        last = n == len(SIZES) - 1
        for key in listify(config.get('result_key')):
            if not SIMPLE.match(key):
                return None
            shape = shape_at(output, key)
            kind = shape.type_name if shape is not None else 'list'
            if kind == 'list':
                items = [{'Key': f'{n}-{i}', 'JobId': f'{n}-{i}', 'ShardId': f'{n}-{i}'}
                         for i in range(size)]
                put(page, key, items)
                if not last:
                    registry[f'{n}-{size - 1}'] = n + 1
            elif kind == 'string':
                put(page, key, f's{n}')
            elif kind in ('integer', 'long'):
                put(page, key, n + 1)
            else:
                return None
        for j, token in enumerate(listify(config.get('output_token'))):
            path = token.split('||')[0].strip()
            if SIMPLE.match(path) and not last and (n == 0 or '||' not in token):
                put(page, path, f'tok{n + 1}-{j}')
                registry[f'tok{n + 1}-{j}'] = n + 1
        more = config.get('more_results')
        if more is not None and SIMPLE.match(more):
            put(page, more, not last)
        for key in listify(config.get('non_aggregate_keys')):
            # Not over a result key's parent (DevOps Guru's `ResourceCollection`).
            if SIMPLE.match(key) and key.split('.')[0] not in page:
                put(page, key, f'na{n}')
        pages.append(page)
    return pages, registry

def drive(op, config, pages, registry, options, full):
    calls = []
    def method(**kwargs):
        calls.append(copy.deepcopy(kwargs))
        if len(calls) > 8:
            raise RuntimeError('more than 8 pages')
        at = 0
        for value in kwargs.values():
            if isinstance(value, str) and value in registry:
                at = registry[value]
        return copy.deepcopy(pages[at])
    run = {'options': options, 'calls': calls}
    try:
        iterator = _Paginator(method, config, op).paginate(PaginationConfig=dict(options))
        if full:
            run['full'] = iterator.build_full_result()
        else:
            run['pages'] = [copy.deepcopy(p) for p in iterator]
        run['resume_token'] = iterator.resume_token
    except Exception as e:
        run['error'] = type(e).__name__ + ': ' + str(e)
    return run

out = []
skipped = 0
for service in session.get_available_services():
    model = session.get_service_model(service)
    try:
        paginators = session.get_paginator_model(service)._paginator_config
    except Exception:
        continue
    for name, config in sorted(paginators.items()):
        op = model.operation_model(name)
        made = make_pages(op, config)
        if made is None:
            skipped += 1
            continue
        pages, registry = made
        runs = []
        for options in ({}, {'MaxItems': 3}, {'MaxItems': 4}, {'MaxItems': 1}, {'PageSize': 2},
                        {'MaxItems': 20, 'PageSize': 7}):
            runs.append(drive(op, config, pages, registry, options, False))
        for options in ({}, {'MaxItems': 4}):
            runs.append(drive(op, config, pages, registry, options, True))
        # A service's own token given as it came, and botocore's old `a___b___count` form.
        inputs = listify(config.get('input_token'))
        old_form = '___'.join(f'tok1-{j}' for j in range(len(inputs)))
        for token in ('tok1-0', old_form + '___1', '___'.join(['None'] * len(inputs)) + '___2'):
            runs.append(drive(op, config, pages, registry, {'StartingToken': token}, False))
        for previous in runs[1:4]:
            token = previous.get('resume_token')
            if token:
                runs.append(drive(op, config, pages, registry, {'StartingToken': token}, False))
                runs.append(drive(op, config, pages, registry, {'StartingToken': token, 'MaxItems': 2}, True))
        out.append({'service': service, 'operation': name, 'pages': pages, 'registry': registry,
                    'runs': runs})
emit({'cases': out, 'skipped': skipped})
"#;

/// The page the call with `params` gets: the one a token among them names, else the first.
fn page_for(params: &Value, registry: &J) -> Option<usize> {
    let map = params.as_map()?;
    let mut at = 0;
    for value in map.values() {
        if let Some(n) = value.as_str().and_then(|s| registry.get(s)) {
            at = n.as_u64()? as usize;
        }
    }
    Some(at)
}

/// One run of sansboto's paginator over `pages`, written as the botocore side writes its runs.
fn run_ours(config: &PaginatorConfig, pages: &[J], registry: &J, options: &J, full: bool) -> J {
    let options_given = options.clone();
    let options = PaginationOptions {
        max_items: options["MaxItems"].as_u64().map(|n| n as usize),
        page_size: options["PageSize"].as_i64(),
        starting_token: options["StartingToken"].as_str().map(str::to_string),
    };
    let mut run = json!({"options": options_given, "calls": []});
    let mut paginator = match Paginator::new(config, Value::Map(Default::default()), options) {
        Ok(p) => p,
        Err(e) => {
            run["error"] = J::String(e.to_string());
            return run;
        }
    };
    let mut handed = Vec::new();
    let mut aggregate = FullResult::new();
    while let Some(params) = paginator.next_params() {
        let calls = run["calls"].as_array_mut().expect("a list");
        calls.push(params.to_json());
        if calls.len() > 8 {
            run["error"] = J::String("more than 8 pages".into());
            return run;
        }
        let at = page_for(params, registry).expect("a page");
        let page = match paginator.handle_page(Value::from(pages[at].clone())) {
            Ok(page) => page,
            Err(e) => {
                run["error"] = J::String(e.to_string());
                return run;
            }
        };
        if full {
            if let Err(e) = aggregate.add_page(paginator.config(), &page) {
                run["error"] = J::String(e.to_string());
                return run;
            }
        } else {
            handed.push(page.to_json());
        }
    }
    let token = paginator.resume_token().map(str::to_string);
    if full {
        run["full"] = aggregate.finish(&paginator).to_json();
    } else {
        run["pages"] = J::Array(handed);
    }
    run["resume_token"] = token.map_or(J::Null, J::String);
    run
}

#[test]
fn every_paginator_pages_as_botocore_pages() {
    let out = botocore::run(&format!("{DELIBERATE}{PAGINATE}"), &[]);
    let cases = out["cases"].as_array().expect("a list of paginators");
    assert!(cases.len() > 3_000, "only {} paginators", cases.len());
    let skipped = out["skipped"].as_u64().unwrap_or_default();
    assert!(skipped < 10, "{skipped} paginators left out");
    let session = core_session(&[], None, None);
    let mut differences = Vec::new();
    let mut runs = 0;
    let mut models = std::collections::BTreeMap::new();
    for case in cases {
        let text = |key: &str| case[key].as_str().unwrap_or_default();
        let (service, operation) = (text("service"), text("operation"));
        let model = models
            .entry(service.to_string())
            .or_insert_with(|| session.paginators(service).unwrap());
        let config = model.get(operation).expect("the paginator botocore has");
        let pages = case["pages"].as_array().expect("pages");
        for theirs in case["runs"].as_array().expect("runs") {
            runs += 1;
            let options = &theirs["options"];
            let mut ours = run_ours(
                config,
                pages,
                &case["registry"],
                options,
                theirs.get("full").is_some(),
            );
            let mut theirs = theirs.clone();
            // Refusals are compared by kind only: both refuse, or neither.
            for run in [&mut ours, &mut theirs] {
                if let Some(error) = run.get_mut("error") {
                    *error = J::Bool(true);
                    let calls = run["calls"].clone();
                    *run = json!({"error": true, "calls": calls, "options": options});
                }
            }
            if ours != theirs {
                differences.push(format!(
                    "{service}.{operation} {options}\n  sansboto: {ours}\n  botocore: {theirs}"
                ));
            }
        }
    }
    let shown: Vec<&str> = differences.iter().take(30).map(String::as_str).collect();
    assert!(
        differences.is_empty(),
        "{} of {runs} pagination runs differ from botocore's:\n{}",
        differences.len(),
        shown.join("\n")
    );
}

/// DynamoDB Scan over pages whose `LastEvaluatedKey` holds a binary attribute: botocore's
/// resume tokens (bytes as base64, their paths in `boto_encoded_keys`) and the calls a resume
/// makes (the key given back as bytes); and the pages a caller's own `ExclusiveStartKey`
/// starts, with and without a starting token.
const BINARY_KEYS: &str = r#"
import base64, copy

model = session.get_service_model('dynamodb')
op = model.operation_model('Scan')
config = session.get_paginator_model('dynamodb')._paginator_config['Scan']
def key(n):
    return {'pk': {'B': bytes([0, 255, n])}, 'sk': {'L': [{'S': 's'}, {'B': b'\x01' * n}]}}
pages = [
    {'Items': [{'n': {'N': str(i)}} for i in range(3)], 'Count': 3, 'LastEvaluatedKey': key(1)},
    {'Items': [{'n': {'N': str(i)}} for i in range(3, 5)], 'Count': 2, 'LastEvaluatedKey': key(2)},
    {'Items': [{'n': {'N': '5'}}], 'Count': 1},
]
def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, bytes):
        return {'$blob': base64.b64encode(v).decode()}
    return v
def drive(options, given=None):
    calls = []
    def method(**kwargs):
        calls.append(plain(kwargs))
        start = kwargs.get('ExclusiveStartKey')
        return copy.deepcopy(pages[0 if start is None else start['pk']['B'][2]])
    it = _Paginator(method, config, op).paginate(PaginationConfig=options, **(given or {}))
    handed = [plain(p) for p in it]
    run = {'options': options, 'calls': calls, 'pages': handed, 'resume_token': it.resume_token}
    if given:
        run['given'] = plain(given)
    return run
runs = [drive({'MaxItems': 4}), drive({'MaxItems': 3})]
for run in list(runs):
    runs.append(drive({'StartingToken': run['resume_token']}))
# The caller's own `ExclusiveStartKey` starts the pages; a starting token replaces it.
runs.append(drive({}, {'ExclusiveStartKey': key(2)}))
runs.append(drive({'StartingToken': runs[0]['resume_token']}, {'ExclusiveStartKey': key(2)}))
emit({'pages': plain(pages), 'runs': runs})
"#;

/// A value of the botocore side's JSON, with `{"$blob": base64}` made bytes.
fn with_blobs(json: &J) -> Value {
    use base64::Engine as _;
    match json {
        J::Object(map) => match map.get("$blob").and_then(J::as_str) {
            Some(b64) => Value::Blob(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .expect("base64")
                    .into(),
            ),
            None => Value::Map(
                map.iter()
                    .map(|(k, v)| (k.as_str().into(), with_blobs(v)))
                    .collect(),
            ),
        },
        J::Array(items) => Value::List(items.iter().map(with_blobs).collect()),
        other => Value::from(other.clone()),
    }
}

/// A value written as the botocore side writes it: bytes as `{"$blob": base64}`.
fn blobs_tagged(value: &Value) -> J {
    use base64::Engine as _;
    match value {
        Value::Blob(bytes) => {
            json!({"$blob": base64::engine::general_purpose::STANDARD.encode(bytes)})
        }
        Value::Map(map) => J::Object(
            map.iter()
                .map(|(k, v)| (k.to_string(), blobs_tagged(v)))
                .collect(),
        ),
        Value::List(items) => J::Array(items.iter().map(blobs_tagged).collect()),
        other => other.to_json(),
    }
}

#[test]
fn binary_key_tokens_are_botocores() {
    let out = botocore::run(&format!("{DELIBERATE}{BINARY_KEYS}"), &[]);
    let session = core_session(&[], None, None);
    let model = session.paginators("dynamodb").unwrap();
    let config = model.get("Scan").unwrap();
    let pages: Vec<Value> = out["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(with_blobs)
        .collect();
    for theirs in out["runs"].as_array().unwrap() {
        let options = &theirs["options"];
        let given = theirs
            .get("given")
            .map_or(Value::Map(Default::default()), with_blobs);
        let mut paginator = Paginator::new(
            config,
            given,
            PaginationOptions {
                max_items: options["MaxItems"].as_u64().map(|n| n as usize),
                starting_token: options["StartingToken"].as_str().map(str::to_string),
                ..Default::default()
            },
        )
        .unwrap();
        let (mut calls, mut handed) = (Vec::new(), Vec::new());
        while let Some(params) = paginator.next_params() {
            calls.push(blobs_tagged(params));
            let at = match &params["ExclusiveStartKey"]["pk"]["B"] {
                Value::Blob(b) => usize::from(b[2]),
                Value::Null => 0,
                other => panic!("the key came back as {other:?}, not bytes"),
            };
            let page = paginator.handle_page(pages[at].clone()).unwrap();
            handed.push(blobs_tagged(&page));
        }
        let mut ours = json!({
            "options": options,
            "calls": calls,
            "pages": handed,
            "resume_token": paginator.resume_token(),
        });
        if let Some(given) = theirs.get("given") {
            ours["given"] = given.clone();
        }
        assert_eq!(&ours, theirs);
    }
}
