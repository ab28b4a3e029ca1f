//! The on-disk form of botocore's `service-2.json`, as serde reads it.
//!
//! Only [`super::ServiceModel::from_json`] sees these types; it turns them into the indexed model.
//! Unknown keys (documentation, examples, …) are ignored.

use indexmap::IndexMap;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
pub(super) struct RawService {
    pub metadata: RawMetadata,
    #[serde(default)]
    pub operations: IndexMap<String, RawOperation>,
    #[serde(default)]
    pub shapes: HashMap<String, RawShape>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct RawMetadata {
    pub api_version: Option<String>,
    pub endpoint_prefix: Option<String>,
    pub protocol: Option<String>,
    pub protocols: Option<Vec<String>>,
    pub service_full_name: Option<String>,
    pub service_id: Option<String>,
    pub signature_version: Option<String>,
    pub signing_name: Option<String>,
    pub json_version: Option<String>,
    pub target_prefix: Option<String>,
    pub xml_namespace: Option<String>,
    pub global_endpoint: Option<String>,
    pub uid: Option<String>,
    pub auth: Option<Vec<String>>,
    pub aws_query_compatible: Option<serde_json::Value>,
    pub checksum_format: Option<String>,
    pub protocol_settings: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct RawHttp {
    pub method: Option<String>,
    pub request_uri: Option<String>,
    pub response_code: Option<u16>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawOperation {
    pub name: Option<String>,
    pub http: RawHttp,
    pub input: Option<RawRef>,
    pub output: Option<RawRef>,
    pub errors: Vec<RawRef>,
    pub endpoint: Option<RawEndpointTrait>,
    #[serde(rename = "httpChecksumRequired")]
    pub http_checksum_required: bool,
    #[serde(rename = "httpChecksum")]
    pub http_checksum: Option<RawHttpChecksum>,
    pub requestcompression: Option<RawRequestCompression>,
    pub auth: Option<Vec<String>>,
    pub authtype: Option<String>,
    #[serde(rename = "unsignedPayload")]
    pub unsigned_payload: bool,
    #[serde(rename = "staticContextParams")]
    pub static_context_params: IndexMap<String, RawStaticContextParam>,
    #[serde(rename = "operationContextParams")]
    pub operation_context_params: IndexMap<String, RawOperationContextParam>,
    pub idempotent: bool,
    pub deprecated: bool,
    pub endpointdiscovery: Option<serde_json::Value>,
    pub endpointoperation: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct RawEndpointTrait {
    pub host_prefix: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct RawHttpChecksum {
    pub request_algorithm_member: Option<String>,
    pub request_checksum_required: bool,
    pub request_validation_mode_member: Option<String>,
    pub response_algorithms: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawRequestCompression {
    pub encodings: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct RawStaticContextParam {
    pub value: serde_json::Value,
}

#[derive(Deserialize)]
pub(super) struct RawOperationContextParam {
    pub path: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawXmlNamespace {
    pub prefix: Option<String>,
    pub uri: Option<String>,
}

/// `xmlNamespace` is an object on refs and shapes, a plain URI string in `metadata`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawXmlNamespaceAny {
    Uri(String),
    Full(RawXmlNamespace),
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawContextParam {
    pub name: String,
}

/// A shape reference: a member, a list member, a map key/value, or an operation's input/output.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawRef {
    pub shape: String,
    pub location: Option<String>,
    #[serde(rename = "locationName")]
    pub location_name: Option<String>,
    #[serde(rename = "queryName")]
    pub query_name: Option<String>,
    #[serde(rename = "xmlNamespace")]
    pub xml_namespace: Option<RawXmlNamespaceAny>,
    #[serde(rename = "xmlAttribute")]
    pub xml_attribute: bool,
    pub flattened: Option<bool>,
    #[serde(rename = "timestampFormat")]
    pub timestamp_format: Option<String>,
    pub jsonvalue: bool,
    #[serde(rename = "hostLabel")]
    pub host_label: bool,
    #[serde(rename = "idempotencyToken")]
    pub idempotency_token: bool,
    pub streaming: bool,
    pub eventpayload: bool,
    pub eventheader: bool,
    #[serde(rename = "contextParam")]
    pub context_param: Option<RawContextParam>,
    #[serde(rename = "resultWrapper")]
    pub result_wrapper: Option<String>,
    pub deprecated: bool,
    /// An operation's input/output reference may name the payload member itself.
    pub payload: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawErrorTrait {
    pub code: Option<String>,
    #[serde(rename = "httpStatusCode")]
    pub http_status_code: Option<u16>,
    #[serde(rename = "senderFault")]
    pub sender_fault: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawShape {
    #[serde(rename = "type")]
    pub kind: String,
    pub members: IndexMap<String, RawRef>,
    pub member: Option<RawRef>,
    pub key: Option<RawRef>,
    pub value: Option<RawRef>,
    pub required: Vec<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub pattern: Option<String>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    pub payload: Option<String>,
    pub exception: bool,
    pub fault: bool,
    pub error: Option<RawErrorTrait>,
    pub union: bool,
    pub document: bool,
    pub event: bool,
    pub eventstream: bool,
    pub streaming: bool,
    #[serde(rename = "requiresLength")]
    pub requires_length: bool,
    pub sensitive: bool,
    pub flattened: bool,
    #[serde(rename = "locationName")]
    pub location_name: Option<String>,
    #[serde(rename = "xmlNamespace")]
    pub xml_namespace: Option<RawXmlNamespaceAny>,
    #[serde(rename = "timestampFormat")]
    pub timestamp_format: Option<String>,
    pub jsonvalue: bool,
    pub wrapper: bool,
    pub sparse: bool,
    pub retryable: Option<serde_json::Value>,
    /// Shapes may carry a member's `location` themselves (botocore merges it into the ref).
    pub location: Option<String>,
}
