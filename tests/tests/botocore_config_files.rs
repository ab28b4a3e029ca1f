//! The shared config and credentials files as botocore reads them, on files nobody chose: a
//! seeded generator writes 4,000 small INI files from the pieces real files (and typos) are made
//! of — profile, sso-session, services and other headers, quoted and odd names, both
//! delimiters, nested blocks, continuation and comment lines, `[DEFAULT]`, duplicate keys and
//! sections, CR/LF mixes, non-ASCII text — and each is parsed by botocore 1.44.5's
//! `configloader.load_config` (the config file's view) and `raw_config_parse` (the credentials
//! file's view) and by [`ConfigFile`]. Where botocore refuses a file, sansboto must refuse it;
//! elsewhere every profile, sso-session, service and other section must match key for key.

use sansboto_core::config::{ConfigFile, ConfigValue, Section};
use sansboto_tests::botocore;
use serde_json::{json, Map, Value};

/// Writes the files, parses each with botocore; emits `[{text, config, raw} | {text, error}]`.
const GENERATED_FILES: &str = r#"
import random, tempfile, os
from botocore import configloader
rng = random.Random(20261204)
HEADERS = ['[default]', '[profile a]', '[profile b]', '[profile "c d"]', "[profile 'e']",
           '[ profile f ]', '[profile  g]', '[profilex h]', '[profile]', '[profile a b]',
           '[profile "unterminated]', '[sso-session s]', '[sso-session "t u"]', '[services svc]',
           '[services]', '[DEFAULT]', '[default ]', '[plugins]', '[preview]', '[Profile A]',
           '[profile default]', '[profile ü]', '[]', '[profile\ti]', '  [profile j]',
           '[profile k] # trailing', '[default', 'default]']
KEYS = ['region', 'Region', 'AWS_ACCESS_KEY_ID', 'output', 's3', 'sso_session', 'x y',
        'role_arn', 'source_profile', 'ca_bundle', 'kéy', 'empty', 'region', '']
VALUES = ['us-west-2', 'eu-central-1 # not a comment', ' spaced ', 'a=b', 'a:b', '',
          '"quoted"', 'ünïcödé', 'x\u00a0y', '\u3000wide', 'tab\there', 'trailing \t', 'unit\x1e']
NESTED = ['addressing_style = path', 'signature_version=s3v4', 'endpoint_url = http://h:1',
          'no delimiter', 'k = v = w', '  deeper = yes', 'UPPER = Case', 'colon: value']
def key_line():
    key, value = rng.choice(KEYS), rng.choice(VALUES)
    if key and rng.random() < 0.6:
        key += '_' + str(rng.randrange(1000))  # fewer repeated keys: most files should load
    delimiter = rng.choice([' = ', '=', ' : ', ':', ' =', '= '])
    return rng.choice(['', '', ' ', '\t']) + key + delimiter + value
def line():
    kind = rng.random()
    if kind < 0.16:
        return rng.choice(HEADERS)
    if kind < 0.55:
        return key_line()
    if kind < 0.65:
        return rng.choice(['s3 =', 's3=', 'Services =', 'sts =  ']) + ''.join(
            '\n' + rng.choice(['  ', '\t', '    ']) + rng.choice(NESTED)
            for _ in range(rng.randrange(0, 4)))
    if kind < 0.72:
        return rng.choice(['  continued', '\tmore text', '   = odd', '  # indented comment'])
    if kind < 0.80:
        return rng.choice(['# comment', '; comment', '#', ';x', 'rem comment'])
    if kind < 0.96:
        return rng.choice(['', '  ', '\t', '\u00a0', '\x0c', '\x1f'])
    return rng.choice(['just text', 'key only', '= value only', '[[double]]', 'k\u2028v = 1'])
def text():
    first = [rng.choice(HEADERS[:16])] if rng.random() < 0.9 else []
    lines = first + [line() for _ in range(rng.randrange(1, 10))]
    ending = rng.choice(['\n', '\n', '\r\n', '\r', None])
    if ending is None:
        return ''.join(l + rng.choice(['\n', '\r\n', '\r']) for l in lines)
    return ending.join(lines) + rng.choice(['', ending])
cases = []
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, 'config')
    for _ in range(4000):
        t = text()
        with open(path, 'w', encoding='utf-8', newline='') as f:
            f.write(t)
        case = {'text': t}
        try:
            case['config'] = configloader.load_config(path)
            case['raw'] = configloader.raw_config_parse(path)
        except Exception as e:
            case['error'] = type(e).__name__
        cases.append(case)
emit(cases)
"#;

fn value_json(value: &ConfigValue) -> Value {
    match value {
        ConfigValue::Text(text) => json!(text),
        ConfigValue::Nested(map) => json!(map),
    }
}

fn section_json(section: &Section) -> Value {
    Value::Object(
        section
            .iter()
            .map(|(k, v)| (k.clone(), value_json(v)))
            .collect(),
    )
}

fn sections_json<'a, K: AsRef<str>>(sections: impl IntoIterator<Item = (K, &'a Section)>) -> Value {
    Value::Object(
        sections
            .into_iter()
            .map(|(name, section)| (name.as_ref().to_string(), section_json(section)))
            .collect::<Map<_, _>>(),
    )
}

/// botocore's `load_config` shape: other sections by name, plus `profiles`, `sso_sessions` and
/// `services`.
fn config_view(file: &ConfigFile) -> Value {
    let mut view = match sections_json(file.other_sections()) {
        Value::Object(map) => map,
        _ => unreachable!(),
    };
    view.insert("profiles".into(), sections_json(file.profiles()));
    view.insert("sso_sessions".into(), sections_json(file.sso_sessions()));
    view.insert("services".into(), sections_json(file.services()));
    Value::Object(view)
}

#[test]
fn generated_files_parse_as_botocore_parses_them() {
    let cases = botocore::run(GENERATED_FILES, &[]);
    let cases = cases.as_array().expect("a list of files");
    assert_eq!(cases.len(), 4000);
    let mut differences = Vec::new();
    let mut refused = 0;
    let mut with_profiles = 0;
    for case in cases {
        let text = case["text"].as_str().expect("text");
        let ours = ConfigFile::parse(text);
        match (ours, case.get("error")) {
            (Err(_), Some(_)) => refused += 1,
            (Ok(ours), None) => {
                let config = config_view(&ours);
                if config["profiles"]
                    .as_object()
                    .is_some_and(|p| !p.is_empty())
                {
                    with_profiles += 1;
                }
                let raw = sections_json(ours.sections().iter());
                if config != case["config"] || raw != case["raw"] {
                    differences.push(format!(
                        "{text:?}\n  sansboto: {config}\n  botocore: {}\n  sansboto raw: {raw}\n  botocore raw: {}",
                        case["config"], case["raw"]
                    ));
                }
            }
            (Ok(ours), Some(error)) => differences.push(format!(
                "{text:?}\n  botocore refused it ({error}); sansboto: {}",
                config_view(&ours)
            )),
            (Err(e), None) => differences.push(format!(
                "{text:?}\n  sansboto refused it ({e}); botocore: {}",
                case["config"]
            )),
        }
    }
    let shown: Vec<&str> = differences.iter().take(20).map(String::as_str).collect();
    assert!(
        differences.is_empty(),
        "{} of {} files read differently from botocore ({refused} refused by both):\n{}",
        differences.len(),
        cases.len(),
        shown.join("\n")
    );
    // The generator must exercise both outcomes, and read profiles, or the comparison says little.
    eprintln!("{refused} files refused by both, {with_profiles} read with profiles");
    assert!(refused > 200 && refused < 2800, "{refused} of 4000 refused");
    assert!(
        with_profiles > 200,
        "only {with_profiles} files read with profiles"
    );
}
