//! The on-disk form of botocore's `service-2.json`, as serde reads it.
//!
//! Only [`super::ServiceModel`] sees these types: the load reads [`RawService`] (each shape kept
//! as its JSON text), and a shape's text is read as [`RawShape`] when the shape is first used.
//! Unknown keys (documentation, examples, …) are ignored, and a key given twice keeps its last
//! value (Python's `json`, which botocore reads with, does the same), though each value must
//! still have its field's type. Strings borrow from the JSON text where they can ([`Text`]): a
//! large model has tens of thousands of names, and allocating each one twice (here, then in
//! the indexed model) dominated load time.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use indexmap::IndexMap;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
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

/// How a raw type takes one key of its JSON object: the value is read into the field the key
/// names, and a key it does not know is skipped. [`ObjectVisitor`] walks the object.
///
/// Written out (by [`read_object!`]) rather than derived: serde's derive also reads each struct
/// from a JSON array, matches field names three ways and tracks every field's presence, which
/// made these readers the largest code of the model loader (about 40 KB of a 3 MB program;
/// issue #18's size goal). Reading keys in order also makes a repeated key's last value win,
/// as Python's `json` (botocore's reader) does, where the derive refused the document.
trait ReadKey<'de>: Default {
    /// What the reader expected, for a value that is not an object.
    const EXPECTING: &'static str;
    fn read_key<M: MapAccess<'de>>(&mut self, key: &str, map: &mut M) -> Result<(), M::Error>;
}

/// Reads a JSON object into `T`, starting from `T::default()` (a missing key keeps its default).
struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: ReadKey<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<T, M::Error> {
        let mut out = T::default();
        while let Some(key) = map.next_key::<Text<'de>>()? {
            out.read_key(&key, &mut map)?;
        }
        Ok(out)
    }
}

/// `ReadKey` and `Deserialize` for a raw type: each `"jsonKey" => field` reads the key's value
/// as the field's own type, or through a seed (`=> field with Seed`).
macro_rules! read_object {
    (impl<$de:lifetime> $ty:ty, $expecting:literal,
     { $($key:literal => $field:ident $(with $seed:expr)?),* $(,)? }) => {
        impl<$de> ReadKey<$de> for $ty {
            const EXPECTING: &'static str = $expecting;
            fn read_key<M: MapAccess<$de>>(
                &mut self,
                key: &str,
                map: &mut M,
            ) -> Result<(), M::Error> {
                match key {
                    $($key => self.$field = read_object!(@value map $(, $seed)?),)*
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(())
            }
        }
        impl<$de> Deserialize<$de> for $ty {
            fn deserialize<D: Deserializer<$de>>(deserializer: D) -> Result<Self, D::Error> {
                // Every field in the table, once: a struct pattern without `..` names each
                // field exactly once, so a field left out of the table (or listed twice) does
                // not compile, as the derive read every field.
                let _every_field = |value: &Self| {
                    let Self { $($field: _),* } = value;
                };
                deserializer.deserialize_map(ObjectVisitor(PhantomData))
            }
        }
    };
    (@value $map:ident) => { $map.next_value()? };
    (@value $map:ident, $seed:expr) => { $map.next_value_seed($seed)? };
}

#[derive(Default)]
pub(super) struct RawService<'a> {
    /// Required: a model without it fails to load ([`RawService::metadata`]).
    pub metadata: Option<RawMetadata>,
    /// In file order, each operation still as its JSON text (read as [`RawOperation`] when
    /// first used).
    pub operations: Vec<(Text<'a>, &'a RawValue)>,
    /// In file order, each shape still as its JSON text: shapes are read one by one (and
    /// built only when first used), so the document is not turned into one huge tree.
    pub shapes: Vec<(Text<'a>, &'a RawValue)>,
}

read_object!(impl<'de> RawService<'de>, "a service model", {
    "metadata" => metadata,
    "operations" => operations with EntryList,
    "shapes" => shapes with EntryList,
});

impl RawService<'_> {
    /// The metadata, which every model must have.
    pub(super) fn metadata(&self) -> Result<&RawMetadata, serde_json::Error> {
        self.metadata
            .as_ref()
            .ok_or_else(|| de::Error::missing_field("metadata"))
    }
}

/// The `shapes` (or `operations`) object as a list of pairs: it is indexed afterwards, so
/// hashing it here would be wasted work. (Duplicate names, which JSON allows, are resolved
/// there, as a map would: the last definition wins.)
struct EntryList;

impl<'de> DeserializeSeed<'de> for EntryList {
    type Value = Vec<(Text<'de>, &'de RawValue)>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EntryList {
    type Value = Vec<(Text<'de>, &'de RawValue)>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of named definitions")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(entry) = map.next_entry::<Text<'de>, &'de RawValue>()? {
            out.push(entry);
        }
        Ok(out)
    }
}

#[derive(Default)]
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

read_object!(impl<'de> RawMetadata, "the model's metadata", {
    "apiVersion" => api_version,
    "endpointPrefix" => endpoint_prefix,
    "protocol" => protocol,
    "protocols" => protocols,
    "serviceFullName" => service_full_name,
    "serviceId" => service_id,
    "signatureVersion" => signature_version,
    "signingName" => signing_name,
    "jsonVersion" => json_version,
    "targetPrefix" => target_prefix,
    "xmlNamespace" => xml_namespace,
    "globalEndpoint" => global_endpoint,
    "uid" => uid,
    "auth" => auth,
    "awsQueryCompatible" => aws_query_compatible,
    "checksumFormat" => checksum_format,
    "protocolSettings" => protocol_settings,
});

#[derive(Default)]
pub(super) struct RawHttp {
    pub method: Option<String>,
    pub request_uri: Option<String>,
    pub response_code: Option<u16>,
}

read_object!(impl<'de> RawHttp, "an operation's http trait", {
    "method" => method,
    "requestUri" => request_uri,
    "responseCode" => response_code,
});

#[derive(Default)]
pub(super) struct RawOperation<'a> {
    pub name: Option<String>,
    pub http: RawHttp,
    pub input: Option<RawRef<'a>>,
    pub output: Option<RawRef<'a>>,
    pub errors: Vec<RawRef<'a>>,
    pub endpoint: Option<RawEndpointTrait>,
    pub http_checksum_required: bool,
    pub http_checksum: Option<RawHttpChecksum>,
    pub requestcompression: Option<RawRequestCompression>,
    pub auth: Option<Vec<String>>,
    pub authtype: Option<String>,
    pub unsigned_payload: bool,
    pub static_context_params: IndexMap<String, RawStaticContextParam>,
    pub operation_context_params: IndexMap<String, RawOperationContextParam>,
    pub idempotent: bool,
    pub deprecated: bool,
    pub endpointdiscovery: Option<serde_json::Value>,
    pub endpointoperation: bool,
}

read_object!(impl<'de> RawOperation<'de>, "an operation", {
    "name" => name,
    "http" => http,
    "input" => input,
    "output" => output,
    "errors" => errors,
    "endpoint" => endpoint,
    "httpChecksumRequired" => http_checksum_required,
    "httpChecksum" => http_checksum,
    "requestcompression" => requestcompression,
    "auth" => auth,
    "authtype" => authtype,
    "unsignedPayload" => unsigned_payload,
    "staticContextParams" => static_context_params,
    "operationContextParams" => operation_context_params,
    "idempotent" => idempotent,
    "deprecated" => deprecated,
    "endpointdiscovery" => endpointdiscovery,
    "endpointoperation" => endpointoperation,
});

#[derive(Default)]
pub(super) struct RawEndpointTrait {
    pub host_prefix: Option<String>,
}

read_object!(impl<'de> RawEndpointTrait, "an endpoint trait", {
    "hostPrefix" => host_prefix,
});

#[derive(Default)]
pub(super) struct RawHttpChecksum {
    pub request_algorithm_member: Option<String>,
    pub request_checksum_required: bool,
    pub request_validation_mode_member: Option<String>,
    pub response_algorithms: Vec<String>,
}

read_object!(impl<'de> RawHttpChecksum, "an httpChecksum trait", {
    "requestAlgorithmMember" => request_algorithm_member,
    "requestChecksumRequired" => request_checksum_required,
    "requestValidationModeMember" => request_validation_mode_member,
    "responseAlgorithms" => response_algorithms,
});

#[derive(Default)]
pub(super) struct RawRequestCompression {
    pub encodings: Vec<String>,
}

read_object!(impl<'de> RawRequestCompression, "a requestcompression trait", {
    "encodings" => encodings,
});

/// A `staticContextParams` entry: botocore takes a missing `value` as `None` (null here).
#[derive(Default)]
pub(super) struct RawStaticContextParam {
    pub value: serde_json::Value,
}

read_object!(impl<'de> RawStaticContextParam, "a static context parameter", {
    "value" => value,
});

/// An `operationContextParams` entry. `path` is required (botocore reads it as `['path']`):
/// building the operation fails without it.
#[derive(Default)]
pub(super) struct RawOperationContextParam {
    pub path: Option<String>,
}

read_object!(impl<'de> RawOperationContextParam, "an operation context parameter", {
    "path" => path,
});

#[derive(Default)]
pub(super) struct RawXmlNamespace {
    pub prefix: Option<String>,
    pub uri: Option<String>,
}

read_object!(impl<'de> RawXmlNamespace, "an xmlNamespace object", {
    "prefix" => prefix,
    "uri" => uri,
});

/// `xmlNamespace` is an object on refs and shapes, a plain URI string in `metadata`.
pub(super) enum RawXmlNamespaceAny {
    Uri(String),
    Full(RawXmlNamespace),
}

impl<'de> Deserialize<'de> for RawXmlNamespaceAny {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AnyVisitor;
        impl<'de> Visitor<'de> for AnyVisitor {
            type Value = RawXmlNamespaceAny;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an xmlNamespace: a URI or an object")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawXmlNamespaceAny::Uri(v.to_owned()))
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
                ObjectVisitor(PhantomData)
                    .visit_map(map)
                    .map(RawXmlNamespaceAny::Full)
            }
        }
        deserializer.deserialize_any(AnyVisitor)
    }
}

#[derive(Default)]
pub(super) struct RawContextParam {
    pub name: String,
}

read_object!(impl<'de> RawContextParam, "a contextParam trait", {
    "name" => name,
});

/// A shape reference: a member, a list member, a map key/value, or an operation's input/output.
#[derive(Default)]
pub(super) struct RawRef<'a> {
    pub shape: Text<'a>,
    pub location: Option<Text<'a>>,
    pub location_name: Option<Text<'a>>,
    pub query_name: Option<Text<'a>>,
    pub xml_namespace: Option<Box<RawXmlNamespaceAny>>,
    pub xml_attribute: bool,
    pub flattened: Option<bool>,
    pub timestamp_format: Option<Text<'a>>,
    pub jsonvalue: bool,
    pub host_label: bool,
    pub endpointdiscoveryid: bool,
    pub idempotency_token: bool,
    pub streaming: bool,
    pub eventpayload: bool,
    pub eventheader: bool,
    pub context_param: Option<Box<RawContextParam>>,
    pub result_wrapper: Option<Text<'a>>,
    pub deprecated: bool,
    /// An operation's input/output reference may name the payload member itself.
    pub payload: Option<Text<'a>>,
}

read_object!(impl<'de> RawRef<'de>, "a shape reference", {
    "shape" => shape,
    "location" => location,
    "locationName" => location_name,
    "queryName" => query_name,
    "xmlNamespace" => xml_namespace,
    "xmlAttribute" => xml_attribute,
    "flattened" => flattened,
    "timestampFormat" => timestamp_format,
    "jsonvalue" => jsonvalue,
    "hostLabel" => host_label,
    "endpointdiscoveryid" => endpointdiscoveryid,
    "idempotencyToken" => idempotency_token,
    "streaming" => streaming,
    "eventpayload" => eventpayload,
    "eventheader" => eventheader,
    "contextParam" => context_param,
    "resultWrapper" => result_wrapper,
    "deprecated" => deprecated,
    "payload" => payload,
});

#[derive(Default)]
pub(super) struct RawErrorTrait {
    pub code: Option<String>,
    pub http_status_code: Option<u16>,
    pub sender_fault: bool,
}

read_object!(impl<'de> RawErrorTrait, "an error trait", {
    "code" => code,
    "httpStatusCode" => http_status_code,
    "senderFault" => sender_fault,
});

/// A shape definition, as building it reads it ([`RawInherited`] reads a few of these fields on
/// their own: keep names and types alike).
#[derive(Default)]
pub(super) struct RawShape<'a> {
    pub kind: Text<'a>,
    /// Members in model order (a list: the builder only iterates them).
    pub members: Vec<(Text<'a>, RawRef<'a>)>,
    pub member: Option<RawRef<'a>>,
    pub key: Option<RawRef<'a>>,
    pub value: Option<RawRef<'a>>,
    pub required: Vec<Text<'a>>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub pattern: Option<Text<'a>>,
    pub enum_values: Option<Vec<Text<'a>>>,
    pub payload: Option<Text<'a>>,
    pub exception: bool,
    pub fault: bool,
    pub error: Option<RawErrorTrait>,
    pub union: bool,
    pub document: bool,
    pub event: bool,
    pub eventstream: bool,
    pub streaming: bool,
    pub requires_length: bool,
    pub sensitive: bool,
    pub flattened: bool,
    pub location_name: Option<Text<'a>>,
    pub xml_namespace: Option<Box<RawXmlNamespaceAny>>,
    pub timestamp_format: Option<Text<'a>>,
    pub jsonvalue: bool,
    pub wrapper: bool,
    pub sparse: bool,
    pub retryable: Option<RawRetryable>,
    /// Shapes may carry a member's `location` themselves (botocore merges it into the ref).
    pub location: Option<Text<'a>>,
}

read_object!(impl<'de> RawShape<'de>, "a shape definition", {
    "type" => kind,
    "members" => members with MemberList,
    "member" => member,
    "key" => key,
    "value" => value,
    "required" => required,
    "min" => min,
    "max" => max,
    "pattern" => pattern,
    "enum" => enum_values,
    "payload" => payload,
    "exception" => exception,
    "fault" => fault,
    "error" => error,
    "union" => union,
    "document" => document,
    "event" => event,
    "eventstream" => eventstream,
    "streaming" => streaming,
    "requiresLength" => requires_length,
    "sensitive" => sensitive,
    "flattened" => flattened,
    "locationName" => location_name,
    "xmlNamespace" => xml_namespace,
    "timestampFormat" => timestamp_format,
    "jsonvalue" => jsonvalue,
    "wrapper" => wrapper,
    "sparse" => sparse,
    "retryable" => retryable,
    "location" => location,
});

/// A structure's `members`, in order. (A repeated member name keeps the first position and the
/// last value, as a map would.)
struct MemberList;

impl<'de> DeserializeSeed<'de> for MemberList {
    type Value = Vec<(Text<'de>, RawRef<'de>)>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MemberList {
    type Value = Vec<(Text<'de>, RawRef<'de>)>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of members")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut out: Self::Value = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some((name, member)) = map.next_entry::<Text<'de>, RawRef<'de>>()? {
            match out.iter_mut().find(|(n, _)| *n == name) {
                Some(existing) => existing.1 = member,
                None => out.push((name, member)),
            }
        }
        Ok(out)
    }
}

/// The traits a reference inherits from its target shape, and a structure's payload: read on
/// their own (other fields skipped) the first time something refers to the shape, so a
/// reference never needs its target built. Same names and types as in [`RawShape`].
#[derive(Default)]
pub(super) struct RawInherited<'a> {
    pub location: Option<Text<'a>>,
    pub location_name: Option<Text<'a>>,
    pub xml_namespace: Option<Box<RawXmlNamespaceAny>>,
    pub flattened: bool,
    pub timestamp_format: Option<Text<'a>>,
    pub jsonvalue: bool,
    pub streaming: bool,
    pub payload: Option<Text<'a>>,
}

read_object!(impl<'de> RawInherited<'de>, "a shape definition", {
    "location" => location,
    "locationName" => location_name,
    "xmlNamespace" => xml_namespace,
    "flattened" => flattened,
    "timestampFormat" => timestamp_format,
    "jsonvalue" => jsonvalue,
    "streaming" => streaming,
    "payload" => payload,
});

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
