//! The on-disk form of botocore's `service-2.json`, as serde reads it.
//!
//! Only [`super::ServiceModel`] sees these types: the load reads [`RawService`] (each shape kept
//! as its JSON text), and a shape's text is read as [`RawShape`] when the shape is first used.
//! Unknown keys (documentation, examples, …) are ignored. Strings borrow from the JSON text where
//! they can ([`Text`]): a large model has tens of thousands of names, and allocating each one
//! twice (here, then in the indexed model) dominated load time.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use indexmap::IndexMap;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// A JSON string borrowed from the input, or owned when it had escapes to decode.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct Text<'a>(pub Cow<'a, str>);

impl Text<'_> {
    pub(super) fn to_owned_string(&self) -> String {
        self.0.to_string()
    }
}

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// `Option<Text>` → `Option<String>`.
pub(super) fn owned(text: &Option<Text<'_>>) -> Option<String> {
    text.as_ref().map(Text::to_owned_string)
}

#[derive(Deserialize)]
pub(super) struct RawService<'a> {
    pub metadata: RawMetadata,
    /// In file order, each operation still as its JSON text (read as [`RawOperation`] when
    /// first used).
    #[serde(default, borrow, deserialize_with = "entry_list")]
    pub operations: Vec<(Text<'a>, &'a RawValue)>,
    /// In file order, each shape still as its JSON text: shapes are read one by one (and
    /// built only when first used), so the document is not turned into one huge tree.
    #[serde(default, borrow, deserialize_with = "entry_list")]
    pub shapes: Vec<(Text<'a>, &'a RawValue)>,
}

/// The `shapes` (or `operations`) object as a list of pairs: it is indexed afterwards, so
/// hashing it here would be wasted work. (Duplicate names, which JSON allows, are resolved
/// there, as a map would: the last definition wins.)
fn entry_list<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(Text<'a>, &'a RawValue)>, D::Error> {
    struct ShapesVisitor<'a>(std::marker::PhantomData<&'a ()>);
    impl<'de: 'a, 'a> Visitor<'de> for ShapesVisitor<'a> {
        type Value = Vec<(Text<'a>, &'a RawValue)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of named definitions")
        }
        fn visit_map<M: de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
            let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some(entry) = map.next_entry::<Text<'a>, &'a RawValue>()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(ShapesVisitor(std::marker::PhantomData))
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
pub(super) struct RawOperation<'a> {
    pub name: Option<String>,
    pub http: RawHttp,
    #[serde(borrow)]
    pub input: Option<RawRef<'a>>,
    #[serde(borrow)]
    pub output: Option<RawRef<'a>>,
    #[serde(borrow)]
    pub errors: Vec<RawRef<'a>>,
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
pub(super) struct RawRef<'a> {
    #[serde(borrow)]
    pub shape: Text<'a>,
    #[serde(borrow)]
    pub location: Option<Text<'a>>,
    #[serde(rename = "locationName", borrow)]
    pub location_name: Option<Text<'a>>,
    #[serde(rename = "queryName", borrow)]
    pub query_name: Option<Text<'a>>,
    #[serde(rename = "xmlNamespace")]
    pub xml_namespace: Option<Box<RawXmlNamespaceAny>>,
    #[serde(rename = "xmlAttribute")]
    pub xml_attribute: bool,
    pub flattened: Option<bool>,
    #[serde(rename = "timestampFormat", borrow)]
    pub timestamp_format: Option<Text<'a>>,
    pub jsonvalue: bool,
    #[serde(rename = "hostLabel")]
    pub host_label: bool,
    pub endpointdiscoveryid: bool,
    #[serde(rename = "idempotencyToken")]
    pub idempotency_token: bool,
    pub streaming: bool,
    pub eventpayload: bool,
    pub eventheader: bool,
    #[serde(rename = "contextParam")]
    pub context_param: Option<Box<RawContextParam>>,
    #[serde(rename = "resultWrapper", borrow)]
    pub result_wrapper: Option<Text<'a>>,
    pub deprecated: bool,
    /// An operation's input/output reference may name the payload member itself.
    #[serde(borrow)]
    pub payload: Option<Text<'a>>,
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

/// A shape definition, as building it reads it ([`RawInherited`] reads a few of these fields on
/// their own: keep names and types alike).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawShape<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Text<'a>,
    /// Members in model order (a list: the builder only iterates them).
    #[serde(borrow, deserialize_with = "member_list")]
    pub members: Vec<(Text<'a>, RawRef<'a>)>,
    #[serde(borrow)]
    pub member: Option<RawRef<'a>>,
    #[serde(borrow)]
    pub key: Option<RawRef<'a>>,
    #[serde(borrow)]
    pub value: Option<RawRef<'a>>,
    #[serde(borrow)]
    pub required: Vec<Text<'a>>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    #[serde(borrow)]
    pub pattern: Option<Text<'a>>,
    #[serde(rename = "enum", borrow)]
    pub enum_values: Option<Vec<Text<'a>>>,
    #[serde(borrow)]
    pub payload: Option<Text<'a>>,
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
    #[serde(rename = "locationName", borrow)]
    pub location_name: Option<Text<'a>>,
    #[serde(rename = "xmlNamespace")]
    pub xml_namespace: Option<Box<RawXmlNamespaceAny>>,
    #[serde(rename = "timestampFormat", borrow)]
    pub timestamp_format: Option<Text<'a>>,
    pub jsonvalue: bool,
    pub wrapper: bool,
    pub sparse: bool,
    pub retryable: Option<RawRetryable>,
    /// Shapes may carry a member's `location` themselves (botocore merges it into the ref).
    #[serde(borrow)]
    pub location: Option<Text<'a>>,
}

/// A structure's `members`, in order. (A repeated member name keeps the first position and the
/// last value, as a map would.)
fn member_list<'de: 'a, 'a, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Vec<(Text<'a>, T)>, D::Error> {
    struct MembersVisitor<'a, T>(std::marker::PhantomData<(&'a (), T)>);
    impl<'de: 'a, 'a, T: Deserialize<'de>> Visitor<'de> for MembersVisitor<'a, T> {
        type Value = Vec<(Text<'a>, T)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of members")
        }
        fn visit_map<M: de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
            let mut out: Vec<(Text<'a>, T)> = Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some((name, member)) = map.next_entry::<Text<'a>, T>()? {
                match out.iter_mut().find(|(n, _)| *n == name) {
                    Some(existing) => existing.1 = member,
                    None => out.push((name, member)),
                }
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(MembersVisitor(std::marker::PhantomData))
}

/// The traits a reference inherits from its target shape, and a structure's payload: read on
/// their own (other fields skipped) the first time something refers to the shape, so a
/// reference never needs its target built. Same names and types as in [`RawShape`].
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawInherited<'a> {
    #[serde(borrow)]
    pub location: Option<Text<'a>>,
    #[serde(rename = "locationName", borrow)]
    pub location_name: Option<Text<'a>>,
    #[serde(rename = "xmlNamespace")]
    pub xml_namespace: Option<Box<RawXmlNamespaceAny>>,
    pub flattened: bool,
    #[serde(rename = "timestampFormat", borrow)]
    pub timestamp_format: Option<Text<'a>>,
    pub jsonvalue: bool,
    pub streaming: bool,
    #[serde(borrow)]
    pub payload: Option<Text<'a>>,
}

/// `retryable` on an error shape: only `throttling` is read; any other form (not an object, a
/// non-boolean `throttling`) means "retryable, not throttling", as before.
#[derive(Default)]
pub(super) struct RawRetryable {
    pub throttling: bool,
}

impl<'de> Deserialize<'de> for RawRetryable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(RawRetryable {
            throttling: value
                .get("throttling")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
        })
    }
}
