//! aws-cli's options added to commands of services other than EC2 (EC2's are
//! `crate::ec2args`), read after the members' options as aws-cli appends them to the argument
//! table, and what they do to the parameters:
//!
//! - Lambda's `create-function` and `publish-layer-version` `--zip-file` (`crate::lambdaargs`);
//! - CloudFront's `create-invalidation --paths P …` (its `cloudfront.py`): the whole
//!   `InvalidationBatch`, its `CallerReference` made as aws-cli makes one
//!   (`cli-<seconds since the epoch>-<1 to 1,000,000 at random>`); refused beside
//!   `--invalidation-batch`, with aws-cli's message;
//! - CloudWatch's `put-metric-data --metric-name --value --unit --timestamp --dimensions
//!   --statistic-values --storage-resolution` (its `putmetricdata.py`): the first item of
//!   `MetricData`, in the order given, `--dimensions A=b,C=d` and `--statistic-values
//!   Sum=1,Minimum=0` split on commas as aws-cli's `split_on_commas` splits them, values read
//!   as Python's `Decimal` and `int` read them; refused beside `--metric-data`, but for
//!   `--storage-resolution`, which goes into its first item;
//! - SES's `send-email --from F --to A … --cc … --bcc … --subject S --text T --html H` (its
//!   `sessendemail.py`): `--source` renamed `--from`, the addresses into `Destination`, the
//!   texts into `Message` (`{"Data": …}` each); refused beside `--destination` or (for `--text`
//!   and `--html`) `--message`;
//! - IAM's `create-virtual-mfa-device --outfile F --bootstrap-method QRCodePNG|Base32StringSeed`
//!   (its `iamvirtmfa.py`; `--outfile` is this command's own option): after the call, the chosen
//!   bootstrap datum's bytes written to the file (mode 600), and both data left out of what is
//!   printed.

use serde_json::{json, Map, Value as J};

use crate::output::Failure;

/// An added option.
#[derive(Debug)]
pub(crate) struct Added {
    /// Its name, without `--`.
    pub name: &'static str,
    /// Whether it takes one word or more (argparse's `nargs='+'`).
    pub many: bool,
    /// A line for `help`.
    pub help: &'static str,
}

const ZIP_FILE: &[Added] = &[Added {
    name: "zip-file",
    many: false,
    help: "the zip archive (fileb://PATH) of the code, as its ZipFile",
}];

const PATHS: &[Added] = &[Added {
    name: "paths",
    many: true,
    help: "the paths to invalidate, space-separated (the whole --invalidation-batch)",
}];

/// `put-metric-data`'s, in aws-cli's argument table's order.
const METRIC: &[Added] = &[
    Added {
        name: "metric-name",
        many: false,
        help: "the metric's name (MetricData's first item)",
    },
    Added {
        name: "timestamp",
        many: false,
        help: "the time stamp of the metric",
    },
    Added {
        name: "unit",
        many: false,
        help: "the unit of the metric",
    },
    Added {
        name: "value",
        many: false,
        help: "the value of the metric",
    },
    Added {
        name: "dimensions",
        many: false,
        help: "Name=Value pairs, separated by commas",
    },
    Added {
        name: "statistic-values",
        many: false,
        help: "Sum=…,Minimum=…,Maximum=…,SampleCount=…",
    },
    Added {
        name: "storage-resolution",
        many: false,
        help: "1 (high resolution) or 60",
    },
];

/// `ses send-email`'s, in aws-cli's argument table's order.
const EMAIL: &[Added] = &[
    Added {
        name: "to",
        many: true,
        help: "the recipients' addresses, space-separated",
    },
    Added {
        name: "cc",
        many: true,
        help: "the copy recipients' addresses",
    },
    Added {
        name: "bcc",
        many: true,
        help: "the blind copy recipients' addresses",
    },
    Added {
        name: "subject",
        many: false,
        help: "the subject of the message",
    },
    Added {
        name: "text",
        many: false,
        help: "the text body of the message",
    },
    Added {
        name: "html",
        many: false,
        help: "the HTML body of the message",
    },
];

const BOOTSTRAP: &[Added] = &[Added {
    name: "bootstrap-method",
    many: false,
    help: "QRCodePNG or Base32StringSeed: which datum --outfile gets",
}];

/// The values `--bootstrap-method` takes.
const BOOTSTRAP_METHODS: [&str; 2] = ["QRCodePNG", "Base32StringSeed"];

/// What is left to do once the call has answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AfterCall {
    /// `create-virtual-mfa-device`: save the datum `method` names to `--outfile`.
    SaveBootstrap {
        /// `--bootstrap-method`, when given.
        method: Option<String>,
    },
}

/// The options aws-cli adds to `operation` of `service` (the models' names).
pub(crate) fn options(service: &str, operation: &str) -> &'static [Added] {
    match (service, operation) {
        _ if crate::lambdaargs::zip_target(service, operation).is_some() => ZIP_FILE,
        ("cloudfront", "CreateInvalidation") => PATHS,
        ("cloudwatch", "PutMetricData") => METRIC,
        ("ses", "SendEmail") => EMAIL,
        ("iam", "CreateVirtualMFADevice") => BOOTSTRAP,
        _ => &[],
    }
}

/// What the call leaves to do, for `operation` of `service` called with aws-cli's added options
/// `given` (only in aws-cli's grammar: a `--params` call has none of this).
pub(crate) fn after_call(
    service: &str,
    operation: &str,
    given: &[(&'static str, Vec<String>)],
) -> Result<Option<AfterCall>, Failure> {
    if (service, operation) != ("iam", "CreateVirtualMFADevice") {
        return Ok(None);
    }
    let method = given
        .iter()
        .find(|(name, _)| *name == "bootstrap-method")
        .and_then(|(_, words)| words.first().cloned());
    if let Some(m) = method.as_deref().filter(|m| !BOOTSTRAP_METHODS.contains(m)) {
        return Err(Failure::Usage(format!(
            "argument --bootstrap-method: Invalid choice, valid choices are: {} ('{m}' given)",
            BOOTSTRAP_METHODS.join(" | ")
        )));
    }
    Ok(Some(AfterCall::SaveBootstrap { method }))
}

/// Checks before the call: `create-virtual-mfa-device` needs both `--outfile` and
/// `--bootstrap-method`, as aws-cli's parser requires them.
pub(crate) fn check_before(after: &AfterCall, outfile: Option<&str>) -> Result<(), Failure> {
    let AfterCall::SaveBootstrap { method } = after;
    let missing: Vec<&str> = [
        ("--outfile", outfile.is_none()),
        ("--bootstrap-method", method.is_none()),
    ]
    .into_iter()
    .filter(|(_, missing)| *missing)
    .map(|(name, _)| name)
    .collect();
    crate::output::require(&missing)
}

/// Does what is left once the call answered `result` (its data left out of it).
pub(crate) fn finish(
    after: &AfterCall,
    outfile: Option<&str>,
    result: &mut sansboto_core::Value,
) -> Result<(), Failure> {
    let AfterCall::SaveBootstrap {
        method: Some(method),
    } = after
    else {
        return Ok(());
    };
    let (Some(path), Some(device)) = (
        outfile,
        result
            .as_map_mut()
            .and_then(|m| m.get_mut("VirtualMFADevice"))
            .and_then(|d| d.as_map_mut()),
    ) else {
        return Ok(());
    };
    let Some(datum) = device.get(method.as_str()) else {
        return Ok(());
    };
    // The client decoded the XML's base64 (aws-cli reads blobs as text and decodes it here).
    let bytes = match datum {
        sansboto_core::Value::Blob(b) => b.to_vec(),
        _ => return Ok(()),
    };
    write_private(path, &bytes).map_err(|e| {
        Failure::Raised(format!(
            "[Errno {}] {e}: '{path}'",
            e.raw_os_error().unwrap_or(0)
        ))
    })?;
    for choice in BOOTSTRAP_METHODS {
        device.shift_remove(choice);
    }
    Ok(())
}

/// Writes `bytes` to `path`, readable by its owner alone (mode 600, also when it existed).
fn write_private(path: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // (The mode above holds for a new file only; aws-cli's `fchmod` sets it on any.)
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(bytes)
}

/// Members' options these customizations rename, `(original, new)` without `--` (beyond
/// aws-cli's rename table, `crate::argrename`): `ses send-email --source` is `--from`.
pub(crate) fn renames(service: &str, operation: &str) -> &'static [(&'static str, &'static str)] {
    match (service, operation) {
        ("ses", "SendEmail") => &[("source", "from")],
        _ => &[],
    }
}

/// What the added options given (`given`: each once, with its words) and aws-cli's handlers do
/// to the parameters its grammar built (`params`, in order).
pub(crate) fn apply(
    service: &str,
    operation: &str,
    given: Vec<(&'static str, Vec<String>)>,
    params: &mut Map<String, J>,
) -> Result<(), Failure> {
    let mut given = given.into_iter();
    if crate::lambdaargs::applies(service, operation) {
        let zip_file = match given.find(|(name, _)| *name == "zip-file") {
            Some((name, words)) => {
                let word = words.into_iter().next().unwrap_or_default();
                Some(crate::awsgrammar::load(word, name)?)
            }
            None => None,
        };
        return crate::lambdaargs::apply(service, operation, zip_file, params);
    }
    if (service, operation) == ("cloudwatch", "PutMetricData") {
        return metric_data(given.collect(), params);
    }
    if (service, operation) == ("ses", "SendEmail") {
        return email(given.collect(), params);
    }
    if let Some((_, paths)) = given.find(|(name, _)| *name == "paths") {
        if params.contains_key("InvalidationBatch") {
            return Err(exclusive("paths", "invalidation_batch"));
        }
        params.insert(
            "InvalidationBatch".into(),
            json!({
                "CallerReference": unique_string(),
                "Paths": {"Quantity": paths.len(), "Items": paths},
            }),
        );
    }
    Ok(())
}

/// aws-cli's `validate_mutually_exclusive` refusal: the added option `key` (as its argparse
/// name, `_` for `-`) given beside `other`.
fn exclusive(key: &str, other: &str) -> Failure {
    Failure::Raised(format!(
        "The key \"{key}\" cannot be specified when one of the following keys are also \
         specified: {other}"
    ))
}

/// `put-metric-data`'s added options as `MetricData`'s first item, set in aws-cli's table
/// order whatever the command line's (its walk of the table sets them).
fn metric_data(
    mut given: Vec<(&'static str, Vec<String>)>,
    params: &mut Map<String, J>,
) -> Result<(), Failure> {
    given.sort_by_key(|(name, _)| METRIC.iter().position(|o| o.name == *name));
    // Each but `--storage-resolution` excludes `--metric-data`; that one goes into its first
    // item too.
    if params.contains_key("MetricData") {
        if let Some((first, _)) = given.iter().find(|(n, _)| *n != "storage-resolution") {
            return Err(exclusive(&first.replace('-', "_"), "metric_data"));
        }
    }
    if given.is_empty() {
        return Ok(());
    }
    // aws-cli's `insert_first_element`: `--metric-data`'s first item, changed in place, else a
    // new list of one.
    let mut item = match params.get("MetricData") {
        None => Map::new(),
        Some(J::Array(items)) => match items.first() {
            Some(J::Object(first)) => first.clone(),
            Some(other) => {
                return Err(Failure::Raised(format!(
                    "'{}' object does not support item assignment",
                    crate::render::python_type(other)
                )));
            }
            None => return Err(Failure::Raised("list index out of range".into())),
        },
        Some(_) => return Ok(()),
    };
    for (name, words) in given {
        let text = words.into_iter().next().unwrap_or_default();
        let (member, value) = match name {
            "metric-name" => ("MetricName", J::String(text)),
            "timestamp" => ("Timestamp", J::String(text)),
            "unit" => ("Unit", J::String(text)),
            "value" => ("Value", decimal(&text)?),
            "dimensions" => {
                let dimensions = split_on_commas(&text)?
                    .iter()
                    .map(|pair| {
                        let (name, value) = key_value(pair)?;
                        Ok(json!({"Name": name, "Value": value}))
                    })
                    .collect::<Result<Vec<_>, Failure>>()?;
                ("Dimensions", J::Array(dimensions))
            }
            "statistic-values" => {
                let mut statistics = Map::new();
                for pair in split_on_commas(&text)? {
                    let (name, value) = key_value(&pair)?;
                    statistics.insert(name.to_string(), decimal(value)?);
                }
                ("StatisticValues", J::Object(statistics))
            }
            _ => {
                let n = sansboto_core::config::py_int(&text).ok_or_else(|| {
                    Failure::Raised(format!("invalid literal for int() with base 10: '{text}'"))
                })?;
                ("StorageResolution", J::from(n))
            }
        };
        item.insert(member.into(), value);
    }
    match params.get_mut("MetricData") {
        Some(J::Array(items)) => items[0] = J::Object(item),
        _ => {
            params.insert("MetricData".into(), J::Array(vec![J::Object(item)]));
        }
    }
    Ok(())
}

/// `send-email`'s added options into `Destination` and `Message`, in aws-cli's table order.
fn email(
    mut given: Vec<(&'static str, Vec<String>)>,
    params: &mut Map<String, J>,
) -> Result<(), Failure> {
    given.sort_by_key(|(name, _)| EMAIL.iter().position(|o| o.name == *name));
    for (member, group) in [
        ("Destination", &["to", "cc", "bcc"][..]),
        ("Message", &["text", "html"][..]),
    ] {
        if !params.contains_key(member) {
            continue;
        }
        if let Some((name, _)) = given.iter().find(|(name, _)| group.contains(name)) {
            return Err(exclusive(name, &member.to_lowercase()));
        }
    }
    for (name, words) in given {
        // (aws-cli's `if value:`: an empty text sets nothing.)
        match name {
            "to" | "cc" | "bcc" => {
                let key = match name {
                    "to" => "ToAddresses",
                    "cc" => "CcAddresses",
                    _ => "BccAddresses",
                };
                let destination = params.entry("Destination").or_insert_with(|| json!({}));
                if let Some(d) = destination.as_object_mut() {
                    d.insert(key.into(), json!(words));
                }
            }
            _ => {
                let text = words.into_iter().next().unwrap_or_default();
                if text.is_empty() {
                    continue;
                }
                let message = params
                    .entry("Message")
                    .or_insert_with(|| json!({"Subject": {}, "Body": {}}));
                let data = json!({ "Data": text });
                match (name, message.as_object_mut()) {
                    ("subject", Some(m)) => {
                        m.insert("Subject".into(), data);
                    }
                    (_, Some(m)) => {
                        let key = if name == "text" { "Text" } else { "Html" };
                        if let Some(body) = m.get_mut("Body").and_then(J::as_object_mut) {
                            body.insert(key.into(), data);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

/// `key, value = pair.split('=')`, with Python's errors.
fn key_value(pair: &str) -> Result<(&str, &str), Failure> {
    let parts: Vec<&str> = pair.split('=').collect();
    match parts.as_slice() {
        [key, value] => Ok((key, value)),
        [_] => Err(Failure::Raised(
            "not enough values to unpack (expected 2, got 1)".into(),
        )),
        _ => Err(Failure::Raised(
            "too many values to unpack (expected 2)".into(),
        )),
    }
}

/// A number as Python's `Decimal` reads it, sent as the double it converts to.
fn decimal(text: &str) -> Result<J, Failure> {
    crate::shorthand::float_value(text)
        .map_err(|_| Failure::Raised("[<class 'decimal.ConversionSyntax'>]".into()))
}

/// aws-cli's `split_on_commas`: a plain split when the text has no quote, bracket or
/// backslash; Python's `csv` reader with `\` escapes when it has backslashes only; otherwise
/// that reader's fields joined again where a quoted value or a `key=[…]` list spans commas.
fn split_on_commas(value: &str) -> Result<Vec<String>, Failure> {
    if !value.contains(['"', '\\', '\'', ']', '[']) {
        return Ok(value.split(',').map(str::to_string).collect());
    }
    if !value.contains(['"', '\'', '[', ']']) {
        return Ok(csv_fields(value));
    }
    split_with_quotes(value)
}

/// aws-cli's `_split_with_quotes`: the reader's fields of `value`, joined again where a quoted
/// value or a `key=[…]` list spans commas.
fn split_with_quotes(value: &str) -> Result<Vec<String>, Failure> {
    let bad = || Failure::Raised(value.to_string());
    let mut parts = csv_fields(value).into_iter();
    let mut out = Vec::new();
    while let Some(part) = parts.next() {
        let quote = part.chars().find(|c| matches!(c, '"' | '\''));
        let list_start = part.find("=[");
        if let Some(start) = list_start.filter(|&start| {
            value.contains(']') && quote.is_none_or(|q| part.find(q).is_some_and(|at| at > start))
        }) {
            let chunk = if part.contains(']') {
                part.clone()
            } else {
                eat_items(&mut parts, part.clone(), ']', None).ok_or_else(bad)?
            };
            // The chunk less `KEY=[` and its last character.
            let last = chunk.char_indices().last().map_or(0, |(i, _)| i);
            let inner = chunk.get(start + 2..last).unwrap_or_default();
            let items = split_with_quotes(inner)?;
            out.push(format!("{}{}", &chunk[..start + 1], items.join(",")));
            continue;
        }
        match quote {
            None => out.push(part),
            Some(q) if part.matches(q).count() == 2 => out.push(part.replace(q, "")),
            Some(q) => out.push(eat_items(&mut parts, part, q, Some(q)).ok_or_else(bad)?),
        }
    }
    Ok(out)
}

/// aws-cli's `_eat_items`: `part` and the fields after it up to one ending in `end`, joined by
/// commas, `remove` taken out of each; `None` when the fields run out first.
fn eat_items(
    parts: &mut impl Iterator<Item = String>,
    part: String,
    end: char,
    remove: Option<char>,
) -> Option<String> {
    let strip = |s: &str| match remove {
        Some(c) => s.replace(c, ""),
        None => s.to_string(),
    };
    let mut chunks = vec![strip(&part)];
    loop {
        let current = parts.next()?;
        chunks.push(strip(&current));
        if current.ends_with(end) {
            return Some(chunks.join(","));
        }
    }
}

/// One line read by Python's `csv.reader(…, escapechar='\\')` (the excel dialect: `,`
/// between fields, `"` quoting with `""` for a quote, not strict).
fn csv_fields(line: &str) -> Vec<String> {
    #[derive(PartialEq)]
    enum State {
        Start,
        Field,
        Escape,
        Quoted,
        EscapeInQuoted,
        QuoteInQuoted,
    }
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut state = State::Start;
    for c in line.chars() {
        // A line break outside quotes ends the first row, the only one aws-cli reads.
        if matches!(c, '\n' | '\r') && !matches!(state, State::Quoted | State::EscapeInQuoted) {
            if state == State::Escape {
                field.push(c);
                state = State::Field;
                continue;
            }
            fields.push(field);
            return fields;
        }
        state = match (state, c) {
            (State::Start, '"') => State::Quoted,
            (State::Start | State::Field, '\\') => State::Escape,
            (State::Start | State::Field | State::QuoteInQuoted, ',') => {
                fields.push(std::mem::take(&mut field));
                State::Start
            }
            (State::Start | State::Field | State::Escape, c) => {
                field.push(c);
                State::Field
            }
            (State::Quoted, '\\') => State::EscapeInQuoted,
            (State::Quoted, '"') => State::QuoteInQuoted,
            (State::Quoted | State::EscapeInQuoted, c) => {
                field.push(c);
                State::Quoted
            }
            (State::QuoteInQuoted, '"') => {
                field.push('"');
                State::Quoted
            }
            (State::QuoteInQuoted, c) => {
                field.push(c);
                State::Field
            }
        };
    }
    // The line's end: an escape takes it as a line break; an open quoted field is kept as
    // read (the reader is not strict).
    if matches!(state, State::Escape | State::EscapeInQuoted) {
        field.push('\n');
    }
    fields.push(field);
    fields
}

/// aws-cli's `unique_string()`: `cli-`, the time in whole seconds, and a random number from 1
/// to 1,000,000.
fn unique_string() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("cli-{seconds}-{}", sansboto_host::os_seed() % 1_000_000 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_make_the_invalidation_batch() {
        let mut params: Map<String, J> =
            serde_json::from_str(r#"{"DistributionId": "D"}"#).unwrap();
        let paths = vec!["/index.html".to_string(), "/img/*".to_string()];
        apply(
            "cloudfront",
            "CreateInvalidation",
            vec![("paths", paths)],
            &mut params,
        )
        .unwrap();
        let batch = &params["InvalidationBatch"];
        assert_eq!(
            batch["Paths"],
            json!({"Quantity": 2, "Items": ["/index.html", "/img/*"]})
        );
        let reference = batch["CallerReference"].as_str().unwrap();
        let parts: Vec<&str> = reference.split('-').collect();
        assert_eq!(parts[0], "cli");
        assert!(parts[1].parse::<u64>().unwrap() > 1_700_000_000);
        assert!((1..=1_000_000).contains(&parts[2].parse::<u64>().unwrap()));
        // Beside --invalidation-batch: refused.
        let err = apply(
            "cloudfront",
            "CreateInvalidation",
            vec![("paths", vec!["/".into()])],
            &mut params,
        );
        assert!(err.is_err());
        assert!(options("cloudfront", "CreateInvalidation")
            .iter()
            .any(|o| o.name == "paths"));
        assert!(options("cloudfront", "CreateDistribution").is_empty());
    }

    #[test]
    fn commas_split_as_aws_cli_splits_them() {
        let split = |v: &str| split_on_commas(v).map_err(|e| format!("{e:?}"));
        assert_eq!(split("a=b,c=d").unwrap(), ["a=b", "c=d"]);
        assert_eq!(split("a=b\\,c=d").unwrap(), ["a=b,c=d"]);
        assert_eq!(split("a=b\\").unwrap(), ["a=b\n"]);
        assert_eq!(split("a=\"b,c\",d=e").unwrap(), ["a=b,c", "d=e"]);
        assert_eq!(split("a=[b,\"c,d\"],e=f").unwrap(), ["a=b,c,d", "e=f"]);
        assert!(split("a=\"open,c=d").is_err());
        let mut params = Map::new();
        let given = vec![
            ("value", vec!["2".to_string()]),
            ("metric-name", vec!["M".to_string()]),
        ];
        apply("cloudwatch", "PutMetricData", given, &mut params).unwrap();
        assert_eq!(
            serde_json::to_string(&params["MetricData"]).unwrap(),
            r#"[{"MetricName":"M","Value":2.0}]"#
        );
    }
}
