//! Shared set-up for the fuzz targets: botocore's real models (embedded in `sansboto-models`),
//! loaded once per process, and responses built from fuzzer-chosen parts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use sansboto_core::Body;
use sansboto_core::client::{ClientConfig, ServiceClient};
use sansboto_core::endpoint::{EndpointConfig, Partitions, RuleSet};
use sansboto_core::model::ServiceModel;
use sansboto_core::protocol::{parse_response, Response};
use sansboto_models::{FileKind, Loader, TopLevelFile};

fn loader() -> &'static Loader {
    static LOADER: OnceLock<Loader> = OnceLock::new();
    LOADER.get_or_init(Loader::new)
}

/// A service's model, parsed once.
pub fn model(service: &'static str) -> Arc<ServiceModel> {
    static MODELS: OnceLock<Mutex<HashMap<&'static str, Arc<ServiceModel>>>> = OnceLock::new();
    let cache = MODELS.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap();
    cache
        .entry(service)
        .or_insert_with(|| {
            let json = loader()
                .load(service, None, FileKind::ServiceModel)
                .expect("embedded model");
            ServiceModel::from_json(&json).expect("model parses")
        })
        .clone()
}

/// The endpoint ruleset of a service.
pub fn ruleset(service: &str) -> RuleSet {
    let json = loader()
        .load(service, None, FileKind::EndpointRuleSet)
        .expect("embedded ruleset");
    RuleSet::from_json(&json).expect("ruleset parses")
}

/// `partitions.json`.
pub fn partitions() -> Partitions {
    let json = loader()
        .load_top_level(TopLevelFile::Partitions)
        .expect("embedded partitions");
    Partitions::from_json(&json).expect("partitions parse")
}

/// A client of `service` in us-west-2, built once per process.
pub fn client(service: &'static str) -> &'static ServiceClient {
    static CLIENTS: OnceLock<Mutex<HashMap<&'static str, &'static ServiceClient>>> =
        OnceLock::new();
    let cache = CLIENTS.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap();
    cache.entry(service).or_insert_with(|| {
        let config = ClientConfig {
            endpoint: EndpointConfig {
                region: Some("us-west-2".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let client = ServiceClient::new(
            service,
            model(service),
            Some(ruleset(service)),
            partitions(),
            config,
        )
        .expect("client");
        Box::leak(Box::new(client))
    })
}

/// A response as the fuzzer builds it, read from the raw input so seeds are easy to write:
/// byte 0 picks the operation, bytes 1–2 the status, then `name: value` header lines up to an
/// empty line, then the body.
#[derive(Debug)]
pub struct FuzzResponse<'a> {
    /// Picks the operation from the target's list.
    pub operation: u8,
    /// The status, 100..=599 (a 0 selector byte pair gives 200).
    pub status: u16,
    /// Header lines (invalid ones are dropped).
    pub headers: HeaderMap,
    /// The body.
    pub body: &'a [u8],
}

impl<'a> FuzzResponse<'a> {
    /// Split raw fuzzer input; `fixed` headers (a content type the protocol expects, say) come
    /// first and the input's headers may override them.
    pub fn from_bytes(data: &'a [u8], fixed: &[(&'static str, &'static str)]) -> Option<Self> {
        let (&operation, rest) = data.split_first()?;
        let (status, rest) = rest.split_at_checked(2)?;
        let raw = u16::from_be_bytes([status[0], status[1]]);
        let status = if raw == 0 { 200 } else { 100 + raw % 500 };
        let (head, body) = match rest.windows(2).position(|w| w == b"\n\n") {
            Some(i) => (&rest[..i], &rest[i + 2..]),
            None => (&[][..], rest),
        };
        let mut headers = HeaderMap::new();
        for (name, value) in fixed {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        for line in head.split(|b| *b == b'\n') {
            let Some(colon) = line.iter().position(|b| *b == b':') else {
                continue;
            };
            let value = line[colon + 1..].trim_ascii_start();
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(&line[..colon]),
                HeaderValue::from_bytes(value),
            ) {
                headers.insert(n, v);
            }
        }
        Some(FuzzResponse {
            operation,
            status,
            headers,
            body,
        })
    }
}

/// Parse raw fuzzer input as a response of one of `operations` (service, operation): any
/// result is fine, a panic is a bug.
pub fn parse_any(
    data: &[u8],
    operations: &[(&'static str, &str)],
    fixed: &[(&'static str, &'static str)],
) {
    let Some(input) = FuzzResponse::from_bytes(data, fixed) else {
        return;
    };
    let (service, operation) = operations[input.operation as usize % operations.len()];
    let model = model(service);
    let op = model.operation(operation).expect("operation exists");
    let _ = parse_response(
        &model,
        op,
        Response {
            status: input.status,
            headers: &input.headers,
            body: Body::from(Bytes::copy_from_slice(input.body)),
        },
    );
}
