//! botocore's response-parsing fixtures (`tests/unit/response_parsing/`): real query, ec2 and
//! rest-xml responses (`xml/responses`, `xml/errors`) and JSON error bodies (`json/errors` with
//! `json/expected`), parsed with the REAL service models of the botocore data, compared the way
//! botocore's harness compares them (status 200, or 400 for errors; `HTTPHeaders` from a
//! `__headers__` key when the body has one; timestamps left as the text the body carried).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use http::{HeaderMap, HeaderName, HeaderValue};
use sansboto_core::client::{ClientConfig, ServiceClient};
use sansboto_core::endpoint::{EndpointConfig, Partitions};
use sansboto_core::model::ServiceModel;
use sansboto_core::protocol::{parse_response, ParseError, Response};
use sansboto_core::Body;
use sansboto_core::Error;
use sansboto_core::Timestamp;
use sansboto_core::Value;
use serde_json::Value as J;

/// Fixtures botocore itself skips (`SPECIAL_CASES`): their expected values hold URL-decoded
/// policy documents, which neither botocore's parser nor its handlers produce.
const BOTOCORE_SKIPS: &[&str] = &["iam-get-user-policy", "iam-list-roles"];

/// Fixtures whose expected values come from a service customization botocore registers on the
/// client (S3's `GetBucketLocation` body parsing, CloudFormation's `TemplateBody` JSON
/// decoding): parsed through `ServiceClient::parse_operation`, which runs the hooks.
const THROUGH_CLIENT: &[&str] = &["s3-get-bucket-location", "cloudformation-get-template"];

struct Models {
    data: PathBuf,
    cache: HashMap<String, Arc<ServiceModel>>,
    clients: HashMap<String, Arc<ServiceClient>>,
}

impl Models {
    /// A client of `service` on the real model, with every customization registered.
    fn client(&mut self, service: &str) -> Arc<ServiceClient> {
        if let Some(c) = self.clients.get(service) {
            return c.clone();
        }
        let model = self.get(service);
        let partitions = Partitions::from_json(
            &std::fs::read(self.data.join("partitions.json")).expect("partitions.json"),
        )
        .expect("partitions.json parses");
        let config = ClientConfig {
            endpoint: EndpointConfig {
                region: Some("us-east-1".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let client = Arc::new(
            ServiceClient::new(service, model, None, partitions, config)
                .unwrap_or_else(|e| panic!("{service} client: {e}")),
        );
        self.clients.insert(service.to_string(), client.clone());
        client
    }

    fn get(&mut self, service: &str) -> Arc<ServiceModel> {
        if let Some(m) = self.cache.get(service) {
            return m.clone();
        }
        let dir = self.data.join(service);
        let mut versions: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("service-2.json").is_file())
            .collect();
        versions.sort();
        let latest = versions
            .last()
            .unwrap_or_else(|| panic!("no model for {service}"));
        let model = ServiceModel::from_json(&std::fs::read(latest.join("service-2.json")).unwrap())
            .unwrap_or_else(|e| panic!("{service}: {e}"));
        self.cache.insert(service.to_string(), model.clone());
        model
    }
}

#[test]
fn botocore_response_parsing_fixtures() {
    let root = sansboto_tests::botocore_dir();
    let fixtures = root.join("tests/unit/response_parsing");
    let mut models = Models {
        data: root.join("botocore/data"),
        cache: HashMap::new(),
        clients: HashMap::new(),
    };
    let mut cases: Vec<(PathBuf, PathBuf, u16)> = Vec::new();
    for (dir, status) in [("xml/responses", 200), ("xml/errors", 400)] {
        for raw in sorted_files(&fixtures.join(dir), "xml") {
            let expected = raw.with_extension("json");
            cases.push((raw, expected, status));
        }
    }
    for raw in sorted_files(&fixtures.join("json/errors"), "json") {
        let expected = fixtures
            .join("json/expected")
            .join(raw.file_name().unwrap());
        cases.push((raw, expected, 400));
    }

    let (mut pass, mut skipped, mut placeholder, mut through_client) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for (raw, expected, status) in &cases {
        let stem = raw.file_stem().unwrap().to_string_lossy().to_string();
        let base = stem.split('#').next().unwrap_or(&stem);
        if BOTOCORE_SKIPS.contains(&base) {
            println!("SKIP {stem}: botocore's harness skips it too (URL-decoded policy documents)");
            skipped += 1;
            continue;
        }
        if THROUGH_CLIENT.contains(&base) {
            through_client += 1;
        }
        match run(&mut models, base, raw, expected, *status) {
            Ok(Checked::Parsed) => pass += 1,
            Ok(Checked::PlaceholderRefused) => placeholder += 1,
            Err(e) => failures.push(format!(
                "{}: {e}",
                raw.strip_prefix(&fixtures).unwrap_or(raw).display()
            )),
        }
    }
    for f in &failures {
        println!("FAIL {f}\n");
    }
    println!(
        "{placeholder} fixtures carry the placeholder timestamp {PLACEHOLDER:?}: checked that \
         parsing refuses it with a typed error naming the member (botocore's harness passes them \
         only because it does not parse timestamps)"
    );
    println!(
        "response parsing: {} passed ({through_client} through the client's hooks), {} failed, \
         {skipped} skipped (botocore skips them too)",
        pass + placeholder,
        failures.len()
    );
    assert_eq!(
        through_client,
        THROUGH_CLIENT.len(),
        "every customization fixture ran"
    );
    assert!(
        pass + placeholder > 200,
        "too few fixtures ran: {}",
        pass + placeholder
    );
    assert!(
        failures.is_empty(),
        "{} response-parsing fixtures failed",
        failures.len()
    );
}

fn sorted_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

/// Text some EC2 fixtures hold where a timestamp belongs.
const PLACEHOLDER: &str = "YYYY-MM-DDTHH:MM:SS.000Z";

enum Checked {
    Parsed,
    PlaceholderRefused,
}

fn run(
    models: &mut Models,
    base: &str,
    raw: &Path,
    expected: &Path,
    status: u16,
) -> Result<Checked, String> {
    let (service, operation_kebab) = base.split_once('-').ok_or("file name has no operation")?;
    let model = models.get(service);
    let operation = model
        .operation(operation_kebab)
        .ok_or_else(|| format!("{service} has no operation {operation_kebab}"))?;
    let mut body = std::fs::read(raw).map_err(|e| e.to_string())?;
    let mut headers = HeaderMap::new();
    let mut header_json = serde_json::Map::new();
    if body.windows(11).any(|w| w == b"__headers__") {
        let mut loaded: serde_json::Map<String, J> =
            serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        if let Some(J::Object(h)) = loaded.remove("__headers__") {
            for (k, v) in &h {
                let v = v.as_str().unwrap_or_default();
                headers.insert(
                    HeaderName::from_bytes(k.as_bytes()).map_err(|e| e.to_string())?,
                    HeaderValue::from_str(v).map_err(|e| e.to_string())?,
                );
            }
            header_json = h;
        }
        body = serde_json::to_vec(&loaded).map_err(|e| e.to_string())?;
    }
    let mut expected: J =
        serde_json::from_slice(&std::fs::read(expected).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    expected["ResponseMetadata"]["HTTPStatusCode"] = J::from(status);
    expected["ResponseMetadata"]["HTTPHeaders"] = J::Object(
        header_json
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect(),
    );

    let parsed = if THROUGH_CLIENT.contains(&base) {
        let mut response = http::Response::new(Body::from(body));
        *response.status_mut() = http::StatusCode::from_u16(status).map_err(|e| e.to_string())?;
        *response.headers_mut() = headers;
        match models
            .client(service)
            .parse_operation(&operation.name, response, 0)
        {
            Ok(v) => Ok(v),
            Err(Error::Service(e)) => Err(ParseError::Service(e)),
            Err(other) => return Err(format!("client parse error: {other}")),
        }
    } else {
        parse_response(
            &model,
            operation,
            Response {
                status,
                headers: &headers,
                body: Body::from(body),
            },
        )
    };
    if serde_json::to_string(&expected).is_ok_and(|t| t.contains(PLACEHOLDER)) {
        return match parsed {
            Err(ParseError::InvalidValue { path, found, .. })
                if found == PLACEHOLDER && !path.is_empty() =>
            {
                Ok(Checked::PlaceholderRefused)
            }
            other => Err(format!(
                "expected the placeholder timestamp to be refused, got {other:?}"
            )),
        };
    }
    let mut actual = match parsed {
        Ok(v) => v,
        Err(ParseError::Service(e)) => {
            // botocore's fixture is the protocol's error dict alone, before the client merges
            // in the modeled error shape's members.
            let mut fields = e.fields.clone();
            if let (Some(shape), Value::Map(m)) = (e.shape, &mut fields) {
                if let Some(s) = model.shape(shape).as_structure() {
                    m.retain(|k, _| {
                        k == "Error"
                            || k == "ResponseMetadata"
                            || !s.members.contains_key(k.as_str())
                    });
                }
            }
            fields
        }
        Err(other) => return Err(format!("parse error: {other}")),
    };
    if let Value::Map(m) = &mut actual {
        if let Some(Value::Map(meta)) = m.get_mut("ResponseMetadata") {
            // Set by the retry layer in botocore, not by its parser.
            meta.shift_remove("RetryAttempts");
        }
    }
    if matches(&actual, &expected) {
        Ok(Checked::Parsed)
    } else {
        Err(format!(
            "\nexpected: {}\nactual:   {actual:?}",
            serde_json::to_string(&expected).unwrap()
        ))
    }
}

/// Compare a parsed value with botocore's expected dict: blobs as UTF-8 text, timestamps
/// against the text botocore kept (the harness's timestamp parser is the identity).
fn matches(actual: &Value, expected: &J) -> bool {
    match (actual, expected) {
        (Value::Null, J::Null) => true,
        (Value::Bool(a), J::Bool(b)) => a == b,
        (Value::Integer(_) | Value::Float(_), J::Number(n)) => {
            let (a, b) = (
                actual.as_f64().unwrap_or(f64::NAN),
                n.as_f64().unwrap_or(f64::NAN),
            );
            a == b || (a - b).abs() <= 1e-9 * a.abs().max(1.0)
        }
        (Value::String(a), J::String(b)) => a == b,
        (Value::Blob(a), J::String(b)) => String::from_utf8_lossy(a) == b.as_str(),
        (Value::Timestamp(a), J::String(b)) => Timestamp::parse_any(b).is_ok_and(|t| t == *a),
        (Value::List(a), J::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| matches(x, y))
        }
        (Value::Map(a), J::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k.as_str()).is_some_and(|w| matches(v, w)))
        }
        _ => false,
    }
}
