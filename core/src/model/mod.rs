//! The service model: botocore's `service-2.json` parsed once into an immutable, indexed form.
//!
//! Shapes are stored in one vector and referenced by [`ShapeId`], so recursive shapes cost nothing
//! and every reference is resolved while the model is built, never per call. Traits that botocore
//! lets a member override (locationName, xmlNamespace, flattened, timestampFormat, jsonvalue) are
//! merged into each [`ShapeRef`] here, so protocols read one place. A [`ServiceModel`] is meant to
//! be shared behind an `Arc`.
//!
//! Loading is lazy where it pays: the load checks the JSON syntax of the whole document, reads
//! the metadata, and keeps each operation and shape as its JSON text; an [`Operation`] or a
//! [`Shape`] is read, checked and built only the first time it is asked for. A client that calls
//! three operations of EC2's ~750 never reads most of them or of its ~4,000 shapes, and model
//! load is about one parsing pass. So, like botocore, a shape is checked when first used: a
//! malformed shape nobody uses does not fail the load. [`ServiceModel::check_operation`] checks
//! every shape an operation can reach (the client calls it before using an operation, so a
//! broken shape fails that call with [`ModelError`] naming it), and [`ServiceModel::check_all`]
//! checks everything.

mod raw;

use std::collections::HashMap as StdHashMap;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use indexmap::IndexMap;
use serde_json::value::RawValue;

/// The model's name indexes: names come from the model, not from callers, so a fast fixed
/// hash is safe (and hashing ~4,000 shape names was a visible part of loading EC2).
type HashMap<K, V> = StdHashMap<K, V, foldhash::fast::FixedState>;

use raw::{
    owned, RawInherited, RawOperation, RawRef, RawService, RawShape, RawXmlNamespaceAny, Text,
};

/// A shape of one [`ServiceModel`]: only that model makes them (by name, through an
/// operation's references, or by listing its shapes), and only that model (or a clone of it)
/// reads them. An id carries its model's identity, so an id given to another model — even one
/// loaded from the same JSON — is found out rather than read as whatever shape sits at that
/// index there: [`ServiceModel::try_shape`] reports [`ModelError::ForeignShape`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShapeId {
    model: ModelTag,
    index: u32,
}

/// Shows the index only, as `ShapeId(3)`: the model's identity is a load counter, which would
/// make equal models print differently.
impl fmt::Debug for ShapeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ShapeId").field(&self.index).finish()
    }
}

impl ShapeId {
    /// The shape's position among its model's shapes (sorted by name).
    pub fn index(self) -> u32 {
        self.index
    }
}

/// Which loaded model an id belongs to: a number handed out once per load. Comparing two is
/// the whole cost of the check on each shape lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct ModelTag(u32);

impl ModelTag {
    /// A tag no model loaded so far has (after 2^32 loads in one process they wrap around).
    fn next() -> Self {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        ModelTag(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }

    fn id(self, index: usize) -> ShapeId {
        ShapeId {
            model: self,
            index: index as u32,
        }
    }
}

/// What went wrong loading a model, or building one of its operations or shapes (on first use).
///
/// Cloneable (a shape's error is kept and handed out again each time it is asked for).
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The JSON does not have botocore's service-2 structure.
    #[error("invalid service model JSON: {0}")]
    Json(#[source] Arc<serde_json::Error>),
    /// A shape's JSON does not have the fields and types botocore's shapes have
    /// (`"min": "one"`). The position is within the shape's own JSON object.
    #[error("shape {shape:?} is malformed: {source}")]
    Shape {
        /// The shape's name.
        shape: String,
        /// Where the JSON does not fit.
        #[source]
        source: Arc<serde_json::Error>,
    },
    /// An operation's JSON does not have the fields and types botocore's operations have.
    /// The position is within the operation's own JSON object.
    #[error("operation {operation:?} is malformed: {source}")]
    Operation {
        /// The operation's name.
        operation: String,
        /// Where the JSON does not fit.
        #[source]
        source: Arc<serde_json::Error>,
    },
    /// A [`ShapeId`] given to a model that did not make it.
    #[error("shape id #{index} was made by another model")]
    ForeignShape {
        /// The id's index (in the model that made it).
        index: u32,
    },
    /// A shape reference names a shape the model does not define.
    #[error("shape {missing:?} referenced by {referenced_by} is not defined in the model")]
    UnknownShape {
        /// The name referenced.
        missing: String,
        /// The shape or operation that references it.
        referenced_by: String,
    },
    /// A shape has a `type` botocore does not know.
    #[error("shape {shape:?} has unknown type {kind:?}")]
    UnknownType {
        /// The shape's name.
        shape: String,
        /// The `type` it has.
        kind: String,
    },
    /// A list or map shape lacks its member/key/value.
    #[error("{kind} shape {shape:?} has no {part}")]
    MissingPart {
        /// The shape's name.
        shape: String,
        /// `list` or `map`.
        kind: &'static str,
        /// The missing part (`member`, `key` or `value`).
        part: &'static str,
    },
    /// The model's text, read only when the first operation or shape is built (a model made
    /// [`from_index`](ServiceModel::from_index)), could not be had from its source.
    #[error("the service model's text could not be read: {0}")]
    Document(String),
    /// None of the model's protocols is supported.
    #[error("service protocols {0:?} are not supported")]
    UnsupportedProtocol(Vec<String>),
}

impl From<serde_json::Error> for ModelError {
    fn from(e: serde_json::Error) -> Self {
        ModelError::Json(Arc::new(e))
    }
}

/// A wire protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// AWS query (form-encoded request, XML response).
    Query,
    /// EC2's variant of query.
    Ec2,
    /// awsJson 1.0 / 1.1 (`X-Amz-Target`).
    Json,
    /// REST with JSON bodies.
    RestJson,
    /// REST with XML bodies.
    RestXml,
    /// Smithy RPC v2 with CBOR bodies.
    RpcV2Cbor,
}

impl Protocol {
    /// The protocols botocore supports, most preferred first: a model listing several in
    /// `metadata.protocols` uses the first of these it lists.
    pub const PRIORITY: [(&'static str, Protocol); 6] = [
        ("json", Protocol::Json),
        ("rest-json", Protocol::RestJson),
        ("rest-xml", Protocol::RestXml),
        ("smithy-rpc-v2-cbor", Protocol::RpcV2Cbor),
        ("query", Protocol::Query),
        ("ec2", Protocol::Ec2),
    ];

    /// From a botocore protocol name.
    pub fn from_name(name: &str) -> Option<Protocol> {
        Self::PRIORITY
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| *p)
    }

    /// The botocore protocol name.
    pub fn name(self) -> &'static str {
        Self::PRIORITY
            .iter()
            .find(|(_, p)| *p == self)
            .map(|(n, _)| *n)
            .unwrap_or("unknown")
    }
}

/// An XML namespace trait.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XmlNamespace {
    /// `xmlns:prefix` when set, plain `xmlns` otherwise.
    pub prefix: Option<String>,
    /// The namespace URI.
    pub uri: String,
}

/// Where a member goes in an HTTP message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Location {
    /// The body (the protocol's default).
    #[default]
    Body,
    /// A path segment (`{Name}` or greedy `{Name+}` in the request URI).
    Uri,
    /// A query-string parameter.
    QueryString,
    /// A single header.
    Header,
    /// A map of headers sharing a prefix (`x-amz-meta-`).
    Headers,
    /// The HTTP status code (output only).
    StatusCode,
}

/// A reference to a shape together with the traits the reference sets or overrides.
#[derive(Clone, Debug)]
pub struct ShapeRef {
    /// The member name (empty for an operation's input/output or a list member).
    pub name: String,
    /// The target shape.
    pub shape: ShapeId,
    /// HTTP location.
    pub location: Location,
    /// Wire name: the ref's `locationName`, else the target shape's.
    pub location_name: Option<String>,
    /// EC2 query name override.
    pub query_name: Option<String>,
    /// XML namespace: the ref's, else the target shape's.
    pub xml_namespace: Option<XmlNamespace>,
    /// Serialized as an XML attribute.
    pub xml_attribute: bool,
    /// Flattened list/map (ref or shape).
    pub flattened: bool,
    /// Timestamp format override (ref, else shape).
    pub timestamp_format: Option<TimestampFormat>,
    /// A string carrying JSON, in a header or query value.
    pub jsonvalue: bool,
    /// Bound to the endpoint host prefix.
    pub host_label: bool,
    /// An identifier endpoint discovery keys its cache by (`endpointdiscoveryid`).
    pub endpoint_discovery_id: bool,
    /// Filled with a random token when the caller leaves it out.
    pub idempotency_token: bool,
    /// The event's payload member (event streams).
    pub event_payload: bool,
    /// An event header member (event streams).
    pub event_header: bool,
    /// The endpoint ruleset parameter this member binds to.
    pub context_param: Option<String>,
    /// Query protocols wrap an operation's output in this element.
    pub result_wrapper: Option<String>,
    /// A streaming payload (the ref's or the target shape's `streaming` trait).
    pub streaming: bool,
    /// Deprecated member.
    pub deprecated: bool,
}

impl ShapeRef {
    /// The name on the wire: `locationName` when set, else the member name.
    pub fn wire_name(&self) -> &str {
        self.location_name.as_deref().unwrap_or(&self.name)
    }
}

/// A timestamp wire format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampFormat {
    /// `2014-04-29T18:30:38Z`
    Iso8601,
    /// `Tue, 29 Apr 2014 18:30:38 GMT`
    Rfc822,
    /// `1398796238` (epoch seconds, fractions allowed)
    UnixTimestamp,
}

impl TimestampFormat {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "iso8601" => Some(TimestampFormat::Iso8601),
            "rfc822" => Some(TimestampFormat::Rfc822),
            "unixTimestamp" => Some(TimestampFormat::UnixTimestamp),
            _ => None,
        }
    }
}

/// The kind of a shape, with what each kind needs.
#[derive(Clone, Debug)]
pub enum ShapeKind {
    /// A structure (also unions, documents, exceptions and events).
    Structure(Structure),
    /// A list.
    List(ShapeRef),
    /// A map.
    Map {
        /// The keys' shape.
        key: ShapeRef,
        /// The values' shape.
        value: ShapeRef,
    },
    /// Text (enums included).
    String,
    /// 8-bit integer.
    Byte,
    /// 16-bit integer.
    Short,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    Long,
    /// Arbitrary-precision integer (fits in i64 here).
    BigInteger,
    /// 32-bit float.
    Float,
    /// 64-bit float.
    Double,
    /// Arbitrary-precision decimal (as f64 here).
    BigDecimal,
    /// Boolean.
    Boolean,
    /// Bytes.
    Blob,
    /// Point in time.
    Timestamp,
}

impl ShapeKind {
    /// Byte, short, integer, long or big integer.
    pub(crate) fn is_integer(&self) -> bool {
        matches!(
            self,
            ShapeKind::Byte
                | ShapeKind::Short
                | ShapeKind::Integer
                | ShapeKind::Long
                | ShapeKind::BigInteger
        )
    }

    /// Float, double or big decimal.
    pub(crate) fn is_float(&self) -> bool {
        matches!(
            self,
            ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal
        )
    }

    /// A string, a boolean or a number: the scalars other than blobs and timestamps.
    pub(crate) fn is_plain_scalar(&self) -> bool {
        matches!(self, ShapeKind::String | ShapeKind::Boolean)
            || self.is_integer()
            || self.is_float()
    }
}

/// A structure's members by name, in model order. Hashed as the model's other name indexes
/// (names come from the model): validation, serializers and parsers look members up by name
/// for every parameter and output member, and SipHash on those names was about 1 % of a
/// DynamoDB `GetItem`'s instructions.
pub type Members = IndexMap<String, ShapeRef, foldhash::fast::FixedState>;

/// Members and traits of a structure shape.
#[derive(Clone, Debug, Default)]
pub struct Structure {
    /// Members in model order.
    pub members: Members,
    /// Required member names.
    pub required: Vec<String>,
    /// The member that is the HTTP payload (REST protocols).
    pub payload: Option<String>,
    /// Exactly one member may be set.
    pub union: bool,
    /// An untyped document.
    pub document: bool,
    /// An error shape.
    pub exception: bool,
    /// A server-side fault.
    pub fault: bool,
    /// Error code and status the model declares.
    pub error: Option<ErrorTrait>,
    /// An event of an event stream.
    pub event: bool,
    /// An event stream (a union of events).
    pub eventstream: bool,
    /// The `retryable` trait of an error shape: `Some(true)` when it is a throttling error.
    pub retryable: Option<bool>,
}

/// The `error` trait of an exception shape.
#[derive(Clone, Debug, Default)]
pub struct ErrorTrait {
    /// The error code on the wire when it differs from the shape name (query protocols).
    pub code: Option<String>,
    /// The HTTP status code.
    pub http_status_code: Option<u16>,
    /// The caller's fault (4xx) rather than the service's.
    pub sender_fault: bool,
}

/// A shape with its constraints and serialization traits.
#[derive(Clone, Debug)]
pub struct Shape {
    /// Name in the model.
    pub name: String,
    /// Kind and kind-specific data.
    pub kind: ShapeKind,
    /// Minimum length / value.
    pub min: Option<f64>,
    /// Maximum length / value.
    pub max: Option<f64>,
    /// Regex the value should match (informational; botocore does not enforce it).
    pub pattern: Option<String>,
    /// Enum values of a string shape.
    pub enum_values: Option<Vec<String>>,
    /// Streaming blob or string.
    pub streaming: bool,
    /// A streaming body whose length must be known up front.
    pub requires_length: bool,
    /// Sensitive data: never logged.
    pub sensitive: bool,
    /// The shape's own wire name (used when a ref sets none).
    pub location_name: Option<String>,
    /// Serialized as an EC2-style wrapper (legacy query trait).
    pub wrapper: bool,
    /// A list or map that may hold nulls.
    pub sparse: bool,
}

impl Shape {
    /// The structure data, for structure shapes.
    pub fn as_structure(&self) -> Option<&Structure> {
        match &self.kind {
            ShapeKind::Structure(s) => Some(s),
            _ => None,
        }
    }
}

/// Model-wide settings.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    /// API version (`2006-03-01`).
    pub api_version: String,
    /// Endpoint prefix (`s3`).
    pub endpoint_prefix: String,
    /// Signing name when it differs from the endpoint prefix.
    pub signing_name: Option<String>,
    /// `v4`, `s3`, `s3v4`, `bearer`, `v2`, …
    pub signature_version: Option<String>,
    /// Ordered auth schemes (`aws.auth#sigv4`, `smithy.api#httpBearerAuth`, …).
    pub auth: Vec<String>,
    /// The service id (`S3`, `DynamoDB`).
    pub service_id: String,
    /// Full service name.
    pub service_full_name: String,
    /// JSON protocol version (`1.0` or `1.1`).
    pub json_version: Option<String>,
    /// `X-Amz-Target` prefix (JSON protocols).
    pub target_prefix: Option<String>,
    /// Query protocol XML namespace for responses.
    pub xml_namespace: Option<String>,
    /// Global endpoint host, when the service has one.
    pub global_endpoint: Option<String>,
    /// Service uid.
    pub uid: Option<String>,
    /// A JSON/CBOR service that accepts query-style error codes (`awsQueryCompatible`).
    pub aws_query_compatible: bool,
    /// Protocol names as the model lists them.
    pub protocols: Vec<String>,
    /// `checksumFormat` (S3: md5).
    pub checksum_format: Option<String>,
}

/// An operation's HTTP binding.
#[derive(Clone, Debug)]
pub struct Http {
    /// Method (`PUT`).
    pub method: String,
    /// URI template (`/{Bucket}/{Key+}?x-id=PutObject`).
    pub request_uri: String,
    /// Success status code when the model sets one.
    pub response_code: Option<u16>,
}

/// The `httpChecksum` trait.
#[derive(Clone, Debug, Default)]
pub struct HttpChecksum {
    /// Member naming the request checksum algorithm.
    pub request_algorithm_member: Option<String>,
    /// A request checksum is required.
    pub request_checksum_required: bool,
    /// Member enabling response validation.
    pub request_validation_mode_member: Option<String>,
    /// Algorithms the response may carry.
    pub response_algorithms: Vec<String>,
}

/// An operation.
#[derive(Clone, Debug)]
pub struct Operation {
    /// Name (`PutObject`): the operation's key in the model, which callers use and which
    /// botocore's client method names (`put_object`), event names, paginators, waiters and
    /// the query protocol's `Action` come from.
    pub name: String,
    /// The model's `name` field when it differs from the key (CloudFront's
    /// `ListDistributions2020_05_31` for `ListDistributions`), else the key. botocore keeps it
    /// only as `wire_name` and sends it nowhere; it is never a name callers are offered.
    pub wire_name: String,
    /// HTTP binding.
    pub http: Http,
    /// Input shape reference.
    pub input: Option<ShapeRef>,
    /// The input's HTTP payload member: the input reference's `payload` (botocore merges it
    /// over the structure's), else the input structure's.
    pub input_payload: Option<String>,
    /// Output shape reference.
    pub output: Option<ShapeRef>,
    /// Modeled errors.
    pub errors: Vec<ShapeId>,
    /// `endpoint.hostPrefix` template.
    pub host_prefix: Option<String>,
    /// `httpChecksumRequired`.
    pub http_checksum_required: bool,
    /// `httpChecksum`.
    pub http_checksum: Option<HttpChecksum>,
    /// `requestcompression.encodings`.
    pub request_compression: Vec<String>,
    /// Per-operation auth schemes (override the service's).
    pub auth: Option<Vec<String>>,
    /// Legacy `authtype` (`none`, `v4-unsigned-body`, `bearer`, …).
    pub auth_type: Option<String>,
    /// `unsignedPayload`.
    pub unsigned_payload: bool,
    /// Endpoint ruleset parameters fixed by this operation.
    pub static_context_params: Vec<(String, serde_json::Value)>,
    /// Endpoint ruleset parameters taken from the input by a JMESPath expression.
    pub operation_context_params: Vec<(String, String)>,
    /// Idempotent.
    pub idempotent: bool,
    /// Deprecated.
    pub deprecated: bool,
    /// Endpoint discovery settings, when the operation uses it.
    pub endpoint_discovery: Option<serde_json::Value>,
    /// The operation that discovers the service's endpoints (`endpointoperation`).
    pub endpoint_operation: bool,
    /// The JSON protocol's `X-Amz-Target` value, made at the first call (see
    /// `serialize::json`): each call's request then shares its bytes.
    pub(crate) target_header: OnceLock<http::HeaderValue>,
    /// The header the flexible checksum's request-algorithm member is bound to (S3's
    /// `x-amz-sdk-checksum-algorithm`), parsed at the first call that defaults the algorithm
    /// (see `httpchecksum`): each call after shares the name. `None` when there is none.
    pub(crate) checksum_algorithm_header: OnceLock<Option<http::HeaderName>>,
    /// The wire names of this operation's members that hold `sensitive` data, collected the
    /// first time a call of it is logged (see `trace`), so logs hide them.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) sensitive_names: OnceLock<crate::trace::SensitiveNames>,
}

/// A parsed, indexed service model.
#[derive(Debug, Clone)]
pub struct ServiceModel {
    /// Model-wide settings.
    pub metadata: Metadata,
    /// The protocol this client speaks (first supported of `metadata.protocols`).
    pub protocol: Protocol,
    /// The JSON text the shapes are built from on first use.
    source: Source,
    /// Sorted by name, so a name is found by binary search (a hash map of names cost an
    /// allocation per shape at load); a shape's index is its [`ShapeId`]'s.
    shapes: Vec<LazyShape>,
    /// The identity the model's [`ShapeId`]s carry.
    tag: ModelTag,
    /// In model order, by name; each built on first use. Hashed as the other name indexes: a
    /// call looks its operation up by name a dozen times (prepare, the response's streaming
    /// check, parse), and SipHash on the name was 0.7 % of a DynamoDB `GetItem`'s instructions.
    operations: IndexMap<String, LazyOperation, foldhash::fast::FixedState>,
    /// Operation index by normalized name, so `PutObject`, `put_object` and `put-object` agree
    /// (made on the first lookup by another spelling).
    operation_index: OnceLock<HashMap<String, usize>>,
    /// Exception shapes by the error code botocore files them under (made on the first
    /// [`error_shape_for_code`](Self::error_shape_for_code)).
    error_codes: OnceLock<HashMap<String, ShapeId>>,
    /// Request URI rewrites applied to each operation as it is built, in order
    /// ([`rewrite_request_uris`](Self::rewrite_request_uris)).
    request_uri_rewrites: Vec<RequestUriRewrite>,
}

/// A request URI rewrite: the new URI for an operation's, or `None` to keep it.
pub type RequestUriRewrite = fn(&str) -> Option<&str>;

/// An operation known by name at load, read and built on first use.
#[derive(Debug)]
struct LazyOperation {
    /// Where the operation's JSON object is in the model's source.
    json: Range<usize>,
    /// Boxed, as a shape's: most operations are never built.
    built: OnceLock<Result<Box<Operation>, ModelError>>,
    /// [`ServiceModel::check_operation`]'s result.
    checked: OnceLock<Result<(), ModelError>>,
}

/// A model's copy builds its operations again as they are used (with the copy's request URI
/// rewrites): an operation is a few microseconds to build, and copying a built one linked a
/// deep copy of [`Operation`] into every program (issue #18: binary size).
impl Clone for LazyOperation {
    fn clone(&self) -> Self {
        LazyOperation {
            json: self.json.clone(),
            built: OnceLock::new(),
            checked: self.checked.clone(),
        }
    }
}

/// The model's JSON text, shared (with the data source's cache when it came from one, and by
/// the model's clones): given at load, or asked of its [`DocumentSource`] when first needed.
#[derive(Clone)]
struct Source(Arc<Document>);

struct Document {
    /// The text's length, known before it is read (the index says it).
    len: usize,
    text: OnceLock<Result<Arc<[u8]>, ModelError>>,
    /// Where the text comes from, when it was not given at load.
    load: Option<DocumentSource>,
}

/// Gives a model's whole JSON text (a data source's loader: it may inflate it), for a model
/// made [`from_index`](ServiceModel::from_index); asked once, when the model first builds an
/// operation or a shape. An error is said in words.
pub type DocumentSource = Arc<dyn Fn() -> Result<Arc<[u8]>, String> + Send + Sync>;

impl Source {
    fn loaded(text: Arc<[u8]>) -> Source {
        Source(Arc::new(Document {
            len: text.len(),
            text: OnceLock::from(Ok(text)),
            load: None,
        }))
    }

    fn deferred(len: usize, load: DocumentSource) -> Source {
        Source(Arc::new(Document {
            len,
            text: OnceLock::new(),
            load: Some(load),
        }))
    }

    /// The whole text, read on first use; a text of another length than the index said is an
    /// error (the ranges would point elsewhere).
    fn text(&self) -> Result<&[u8], ModelError> {
        let doc = &*self.0;
        doc.text
            .get_or_init(|| {
                let load = doc.load.as_ref().ok_or_else(|| {
                    ModelError::Document("the model has no source for its text".into())
                })?;
                let text = load().map_err(ModelError::Document)?;
                if text.len() != doc.len {
                    return Err(ModelError::Document(format!(
                        "its text is {} bytes, its index says {}",
                        text.len(),
                        doc.len
                    )));
                }
                Ok(text)
            })
            .as_deref()
            .map_err(Clone::clone)
    }

    /// The text of `range` (an operation's or a shape's JSON): `Ok(None)` when it is outside the
    /// text, an error when the text could not be read.
    fn get(&self, range: Range<usize>) -> Result<Option<&[u8]>, ModelError> {
        Ok(self.text()?.get(range))
    }
}

/// Never reads the text to show it.
impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let read = match self.0.text.get() {
            Some(Ok(_)) => "",
            Some(Err(_)) => ", unreadable",
            None => ", not read yet",
        };
        write!(f, "<{} bytes of JSON{read}>", self.0.len)
    }
}

/// A service model as an index made with the data lists it (`sansboto-models` keeps one beside
/// each embedded model): enough to make a [`ServiceModel`] without reading its document, whose
/// text is read when the model first builds an operation or a shape
/// ([`ServiceModel::from_index`]).
#[derive(Clone, Debug, Default)]
pub struct ModelIndex {
    /// The `metadata` object's JSON text.
    pub metadata: Vec<u8>,
    /// Each operation's name (the model's key) and where its JSON object is in the text, in
    /// the model's order.
    pub operations: Vec<(String, Range<usize>)>,
    /// Each shape's name and where its JSON object is in the text, in any order (a name given
    /// twice keeps the definition that comes last in the text, as a JSON map would).
    pub shapes: Vec<(Box<str>, Range<usize>)>,
    /// The text's length in bytes.
    pub len: usize,
}

/// A shape known by name at load, read and built on first use.
#[derive(Clone, Debug)]
struct LazyShape {
    name: Box<str>,
    /// Where the shape's JSON object is in the model's source.
    json: Range<usize>,
    /// What a reference to this shape inherits from it, read from this shape's own JSON the
    /// first time something refers to it (never from other shapes: recursion cannot loop).
    inherited: OnceLock<Result<Inherited, ModelError>>,
    /// Boxed: most shapes are never built, and inline (576 bytes) the unbuilt slots made EC2's
    /// index of 4,414 shapes 3.2 MB, whose page faults and unmapping showed in a first EC2
    /// client's profile.
    built: OnceLock<Box<Built>>,
}

/// A shape as first use built it: a malformed shape keeps its error, and a stand-in (a plain
/// string shape of that name) for the infallible [`ServiceModel::shape`].
#[derive(Clone, Debug)]
struct Built {
    shape: Shape,
    error: Option<ModelError>,
}

/// The traits of a shape that references to it take over unless they set their own, and the
/// structure's payload (an operation's input may take it).
#[derive(Clone, Debug, Default)]
struct Inherited {
    /// `location` (an unknown value counts as the body, as on a reference).
    location: Option<Location>,
    location_name: Option<String>,
    xml_namespace: Option<XmlNamespace>,
    flattened: bool,
    /// `timestampFormat`: `Some(None)` for a name botocore does not know.
    timestamp_format: Option<Option<TimestampFormat>>,
    jsonvalue: bool,
    streaming: bool,
    payload: Option<String>,
}

impl Inherited {
    fn of(s: &RawInherited<'_>) -> Inherited {
        Inherited {
            location: s.location.as_deref().map(location_from_name),
            location_name: owned(&s.location_name),
            xml_namespace: s.xml_namespace.as_deref().map(xml_namespace),
            flattened: s.flattened,
            timestamp_format: s
                .timestamp_format
                .as_deref()
                .map(TimestampFormat::from_name),
            jsonvalue: s.jsonvalue,
            streaming: s.streaming,
            payload: owned(&s.payload),
        }
    }
}

fn location_from_name(name: &str) -> Location {
    match name {
        "uri" => Location::Uri,
        "querystring" => Location::QueryString,
        "header" => Location::Header,
        "headers" => Location::Headers,
        "statusCode" => Location::StatusCode,
        _ => Location::Body,
    }
}

/// Lower-case with `_` and `-` removed: the one spelling every name form reduces to.
fn normalize_operation_name(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl ServiceModel {
    /// Parse and index a botocore `service-2.json`.
    pub fn from_json(json: &[u8]) -> Result<Arc<ServiceModel>, ModelError> {
        Self::from_shared(Arc::from(json))
    }

    /// Parse and index a botocore `service-2.json` held in shared memory (a data source's
    /// cache): the model keeps the text to build shapes from, without a copy.
    ///
    /// The load fails on a JSON syntax error anywhere in the document, malformed metadata, or
    /// no supported protocol. Operations and shapes are only located here: like botocore, a
    /// shape is checked (its fields, type, parts and references) when first used —
    /// [`try_shape`](Self::try_shape), [`checked_operation`](Self::checked_operation),
    /// [`check_operation`](Self::check_operation) — and [`check_all`](Self::check_all)
    /// checks everything.
    pub fn from_shared(json: Arc<[u8]>) -> Result<Arc<ServiceModel>, ModelError> {
        let raw: RawService<'_> = serde_json::from_slice(&json)?;
        let shapes = raw
            .shapes
            .iter()
            .map(|(name, text)| (Box::from(&**name), range_in(&json, text)))
            .collect();
        let operations = raw
            .operations
            .iter()
            .map(|(name, text)| (name.to_owned_string(), range_in(&json, text)));
        let model = Builder::build(
            raw.metadata()?,
            shapes,
            operations,
            Source::loaded(json.clone()),
        )?;
        Ok(Arc::new(model))
    }

    /// Make a model from an index of its document (see [`ModelIndex`]) without reading the
    /// document: `document` is asked for the text when the model first builds an operation or
    /// a shape, and the ranges must point into that text. Only the metadata is read here, so
    /// the load fails only on malformed metadata or no supported protocol; the rest is checked
    /// on use as for [`from_shared`](Self::from_shared) (a text that cannot be had fails each
    /// build with [`ModelError::Document`]). The document's syntax as a whole is not checked:
    /// the index comes with data made valid when it was written.
    pub fn from_index(
        index: ModelIndex,
        document: DocumentSource,
    ) -> Result<Arc<ServiceModel>, ModelError> {
        let metadata: raw::RawMetadata = serde_json::from_slice(&index.metadata)?;
        let model = Builder::build(
            &metadata,
            index.shapes,
            index.operations.into_iter(),
            Source::deferred(index.len, document),
        )?;
        Ok(Arc::new(model))
    }

    /// Build from a JSON value (the protocol test suites carry their models inline).
    pub fn from_value(json: serde_json::Value) -> Result<Arc<ServiceModel>, ModelError> {
        // The raw form borrows its strings from JSON text, so go through the text.
        let text = serde_json::to_vec(&json)?;
        Self::from_json(&text)
    }

    /// A shape by id, built on first use. Ids come from this model, so the lookup cannot miss.
    ///
    /// Infallible for the hot paths: a malformed shape reads as a plain string shape of that
    /// name. Callers reach shapes through an operation the client checked first
    /// ([`check_operation`](Self::check_operation)), so they never see that stand-in;
    /// [`try_shape`](Self::try_shape) reports the error instead.
    ///
    /// An id made by another model reads as a stand-in too (named `#foreign`, so it matches no
    /// real shape); `try_shape` reports it.
    pub fn shape(&self, id: ShapeId) -> &Shape {
        match self.built(id) {
            Some(built) => &built.shape,
            None => foreign_stand_in(),
        }
    }

    /// The member of `operation`'s input that botocore calls its streaming input
    /// (`get_streaming_input`): the payload ([`Operation::input_payload`], as the serializer
    /// reads it) when it is a blob, marked streaming or not (Lambda `Invoke`'s `Payload`
    /// counts). Checksums go in a trailer for it over HTTPS, compression keeps off one that
    /// requires a length, and S3's signer leaves it unhashed beside `Content-MD5`; all three
    /// read it here.
    pub fn streaming_input(&self, operation: &Operation) -> Option<&ShapeRef> {
        let input = self.shape(operation.input.as_ref()?.shape).as_structure()?;
        let member = input.members.get(operation.input_payload.as_deref()?)?;
        matches!(self.shape(member.shape).kind, ShapeKind::Blob).then_some(member)
    }

    /// A shape by id, built on first use, or what is wrong with it (the error names the shape:
    /// malformed fields, unknown type, missing list member or map key/value, a reference to an
    /// undefined shape, or a malformed target whose traits a member inherits). The result is
    /// kept: asking again costs a lookup.
    pub fn try_shape(&self, id: ShapeId) -> Result<&Shape, ModelError> {
        let built = self
            .built(id)
            .ok_or(ModelError::ForeignShape { index: id.index })?;
        match &built.error {
            None => Ok(&built.shape),
            Some(error) => Err(error.clone()),
        }
    }

    /// The built shape of an id this model made; `None` for another model's id.
    fn built(&self, id: ShapeId) -> Option<&Built> {
        if id.model != self.tag {
            return None;
        }
        let lazy = self.shapes.get(id.index as usize)?;
        Some(lazy.built.get_or_init(|| {
            let resolver = self.resolver();
            Box::new(match resolver.build_shape(id, lazy) {
                Ok(shape) => Built { shape, error: None },
                Err(error) => Built {
                    shape: stand_in(&lazy.name),
                    error: Some(error),
                },
            })
        }))
    }

    fn resolver(&self) -> Resolver<'_> {
        Resolver {
            tag: self.tag,
            shapes: &self.shapes,
            source: &self.source,
        }
    }

    /// Build (and so check) every shape `op` can reach: its input, output and errors, and
    /// through them every member, list member and map key/value. The first problem found is
    /// returned. The result is kept per operation of this model, so checking again is a
    /// lookup; [`ServiceClient`](crate::client::ServiceClient) calls this before it uses an
    /// operation (through [`checked_operation`](Self::checked_operation)). (An `op` not
    /// from this model is checked each time.)
    pub fn check_operation(&self, op: &Operation) -> Result<(), ModelError> {
        let is_op = |lazy: &&LazyOperation| matches!(lazy.built.get(), Some(Ok(built)) if std::ptr::eq(&**built, op));
        let own = self
            .operations
            .get(op.name.as_str())
            .filter(is_op)
            .or_else(|| self.operations.values().find(is_op));
        match own {
            Some(lazy) => lazy
                .checked
                .get_or_init(|| self.reachable_shapes_build(op))
                .clone(),
            None => self.reachable_shapes_build(op),
        }
    }

    /// An operation by name in any spelling (as [`operation`](Self::operation)), built and
    /// checked as [`check_operation`](Self::check_operation) does, with one name lookup:
    /// `None` when the model has no such operation, an error when its definition or a shape
    /// it reaches is malformed.
    pub fn checked_operation(&self, name: &str) -> Option<Result<&Operation, ModelError>> {
        let (key, lazy) = self.operations.get_index(self.operation_position(name)?)?;
        let checked = self.built_operation(key, lazy).and_then(|op| {
            lazy.checked
                .get_or_init(|| self.reachable_shapes_build(op))
                .clone()
                .map(|()| op)
        });
        Some(checked)
    }

    fn built_operation<'m>(
        &'m self,
        name: &str,
        lazy: &'m LazyOperation,
    ) -> Result<&'m Operation, ModelError> {
        lazy.built
            .get_or_init(|| {
                let mut op = self.resolver().operation(name, lazy)?;
                for rewrite in &self.request_uri_rewrites {
                    apply_request_uri_rewrite(&mut op, *rewrite);
                }
                Ok(Box::new(op))
            })
            .as_deref()
            .map_err(Clone::clone)
    }

    fn reachable_shapes_build(&self, op: &Operation) -> Result<(), ModelError> {
        let mut seen = vec![false; self.shapes.len()];
        let mut pending: Vec<ShapeId> = op
            .input
            .iter()
            .chain(op.output.iter())
            .map(|r| r.shape)
            .chain(op.errors.iter().copied())
            .collect();
        while let Some(id) = pending.pop() {
            match seen.get_mut(id.index as usize) {
                Some(seen) if !*seen => *seen = true,
                _ => continue,
            }
            match &self.try_shape(id)?.kind {
                ShapeKind::Structure(s) => pending.extend(s.members.values().map(|m| m.shape)),
                ShapeKind::List(member) => pending.push(member.shape),
                ShapeKind::Map { key, value } => pending.extend([key.shape, value.shape]),
                _ => {}
            }
        }
        Ok(())
    }

    /// Build (and so check) every operation and every shape, as an eager load would; the
    /// first problem (operations in model order, then shapes in name order) is returned. For
    /// callers that want a broken model to fail up front.
    pub fn check_all(&self) -> Result<(), ModelError> {
        for (name, lazy) in &self.operations {
            self.built_operation(name, lazy)?;
        }
        (0..self.shapes.len()).try_for_each(|i| self.try_shape(self.tag.id(i)).map(|_| ()))
    }

    /// A shape by name.
    pub fn shape_by_name(&self, name: &str) -> Option<&Shape> {
        self.shape_id(name).map(|id| self.shape(id))
    }

    /// The id of a shape by name.
    pub fn shape_id(&self, name: &str) -> Option<ShapeId> {
        find_shape(self.tag, &self.shapes, name)
    }

    /// An operation by name in any spelling: `PutObject`, `put_object`, `put-object`, built
    /// on first use. `None` also when its definition is malformed (an undefined input shape,
    /// a field of the wrong type); [`checked_operation`](Self::checked_operation) says why,
    /// and checks the shapes it reaches, which this does not.
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        let (key, lazy) = self.operations.get_index(self.operation_position(name)?)?;
        self.built_operation(key, lazy).ok()
    }

    /// The operation names callers use (the model's keys), in model order, without building
    /// any operation.
    pub fn operation_names(&self) -> impl Iterator<Item = &str> {
        self.operations.keys().map(String::as_str)
    }

    /// The operation name closest to `name` (a likely typo, in any spelling), to suggest when
    /// [`operation`](Self::operation) does not know `name`. Only keys are offered, so a
    /// suggestion is always accepted — never a wire name such as CloudFront's
    /// `ListDistributions2020_05_31`, which botocore has no method for either.
    pub fn nearest_operation(&self, name: &str) -> Option<String> {
        // A wire name leads to its key (only on this error path are all operations built).
        let normalized = normalize_operation_name(name);
        if let Some(op) = self.operations().find(|op| {
            op.wire_name != op.name && normalize_operation_name(&op.wire_name) == normalized
        }) {
            return Some(op.name.clone());
        }
        let wanted: String = name.chars().filter(|c| *c != '_' && *c != '-').collect();
        crate::validate::nearest(&wanted, self.operations.keys())
    }

    fn operation_position(&self, name: &str) -> Option<usize> {
        self.operations.get_index_of(name).or_else(|| {
            self.operation_index
                .get_or_init(|| {
                    self.operations
                        .keys()
                        .enumerate()
                        .map(|(i, name)| (normalize_operation_name(name), i))
                        .collect()
                })
                .get(&normalize_operation_name(name))
                .copied()
        })
    }

    /// Rewrite the request URI of every operation `rewrite` returns a new one for (botocore
    /// drops S3's `/{Bucket}` this way: with endpoint rules the bucket is in the endpoint URL).
    /// Operations built already are rewritten now, the others as they are built, so this reads
    /// no operation that is not yet in use. Rewrites given one after another apply in order.
    pub fn rewrite_request_uris(&mut self, rewrite: RequestUriRewrite) {
        for lazy in self.operations.values_mut() {
            if let Some(Ok(op)) = lazy.built.get_mut() {
                apply_request_uri_rewrite(op, rewrite);
                // (Shapes are unchanged: a check already made still holds.)
            }
        }
        self.request_uri_rewrites.push(rewrite);
    }

    /// Whether [`rewrite_request_uris`](Self::rewrite_request_uris) was applied to this model.
    pub fn rewrites_request_uris(&self) -> bool {
        !self.request_uri_rewrites.is_empty()
    }

    /// All operations in model order, building each one not built yet (a malformed one is
    /// left out: [`check_all`](Self::check_all) reports it).
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.operations
            .iter()
            .filter_map(|(name, lazy)| self.built_operation(name, lazy).ok())
    }

    /// All shapes, by id (building each one not built yet).
    pub fn shapes(&self) -> impl Iterator<Item = (ShapeId, &Shape)> {
        (0..self.shapes.len()).map(|i| {
            let id = self.tag.id(i);
            (id, self.shape(id))
        })
    }

    /// The exception shape botocore's `shape_for_error_code` gives for an error code: among
    /// the model's exception shapes (structures with `exception` set), the one whose
    /// `error.code` is `code` — its name when it sets no code. Codes are looked up across the
    /// whole model, not the operation's `errors`, as botocore does; when two exception shapes
    /// share a code, the later one in the model's text wins (botocore fills a dict in model
    /// order). A malformed shape never matches.
    ///
    /// The index is made once per model, on the first lookup, building only the shapes whose
    /// JSON text holds an `"exception"` key (one text search finds them), not every shape.
    /// (A key spelled with JSON escapes, `"\u0065xception"`, is not found; no model does that.)
    pub fn error_shape_for_code(&self, code: &str) -> Option<ShapeId> {
        self.error_codes
            .get_or_init(|| self.error_code_index())
            .get(code)
            .copied()
    }

    fn error_code_index(&self) -> HashMap<String, ShapeId> {
        // A text that cannot be read has no shape to build: no codes.
        let text = self.source.text().unwrap_or_default();
        // Where `"exception"` occurs, in text order, and the shape whose text holds each
        // occurrence (a match elsewhere, in an operation or a dropped duplicate definition, is
        // no shape's). Shape texts are disjoint, so one pass over the shapes finds every owner
        // with a binary search of the matches (no sort of the shapes by position).
        let matches: Vec<usize> = memchr::memmem::find_iter(text, b"\"exception\"").collect();
        let mut owners: Vec<Option<ShapeId>> = vec![None; matches.len()];
        for (i, lazy) in self.shapes.iter().enumerate() {
            let first = matches.partition_point(|&at| at < lazy.json.start);
            let inside = matches[first..].partition_point(|&at| at < lazy.json.end);
            for owner in &mut owners[first..first + inside] {
                *owner = Some(self.tag.id(i));
            }
        }
        let mut candidates: Vec<ShapeId> = Vec::new();
        for id in owners.into_iter().flatten() {
            if candidates.last() != Some(&id) {
                candidates.push(id);
            }
        }
        let mut index = HashMap::default();
        // In text order, so a later shape with the same code replaces an earlier one.
        for id in candidates {
            let Ok(shape) = self.try_shape(id) else {
                continue;
            };
            if let Some(error) = shape.as_structure().filter(|s| s.exception) {
                let code = error
                    .error
                    .as_ref()
                    .and_then(|e| e.code.as_deref())
                    .filter(|c| !c.is_empty())
                    .unwrap_or(&shape.name);
                index.insert(code.to_string(), id);
            }
        }
        index
    }

    /// The signing name: `signingName`, else the endpoint prefix.
    pub fn signing_name(&self) -> &str {
        self.metadata
            .signing_name
            .as_deref()
            .unwrap_or(&self.metadata.endpoint_prefix)
    }
}

fn apply_request_uri_rewrite(op: &mut Operation, rewrite: RequestUriRewrite) {
    if let Some(new) = rewrite(&op.http.request_uri) {
        op.http.request_uri = new.to_string();
    }
}

/// Locates a model's operations and shapes at load.
struct Builder;

impl Builder {
    /// A model of `metadata`, with the shapes and operations at these places in `source`.
    fn build(
        metadata: &raw::RawMetadata,
        mut located: Vec<(Box<str>, Range<usize>)>,
        operations: impl ExactSizeIterator<Item = (String, Range<usize>)>,
        source: Source,
    ) -> Result<ServiceModel, ModelError> {
        // Sort shape names so ids do not depend on the file's order. A name given twice
        // (JSON allows it) keeps its last definition, as a map would: equal names are ordered
        // by where their text starts, so that is the last of each run. (An unstable sort with
        // that tie-break orders as a stable one would, in about half the code; sorted in place,
        // not through the crate's `stable_order`, because EC2's first client sorts 4,414 names
        // and the index sort's indirection costs it 0.05–0.1 ms.)
        located.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.start.cmp(&b.1.start)));
        located.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 = later.1.clone();
            }
            same
        });
        let tag = ModelTag::next();
        let shapes: Vec<LazyShape> = located
            .into_iter()
            .map(|(name, json)| LazyShape {
                name,
                json,
                inherited: OnceLock::new(),
                built: OnceLock::new(),
            })
            .collect();

        let metadata_built = self::metadata(metadata);
        let protocol = resolve_protocol(&metadata_built, metadata.protocol.as_deref())?;
        // Operations too are only located. A name given twice keeps its first position and
        // its last definition, as a map would.
        let mut by_name: IndexMap<String, LazyOperation, foldhash::fast::FixedState> =
            IndexMap::with_capacity_and_hasher(operations.len(), Default::default());
        for (name, json) in operations {
            by_name.insert(
                name,
                LazyOperation {
                    json,
                    built: OnceLock::new(),
                    checked: OnceLock::new(),
                },
            );
        }
        Ok(ServiceModel {
            metadata: metadata_built,
            protocol,
            source,
            shapes,
            tag,
            operations: by_name,
            operation_index: OnceLock::new(),
            error_codes: OnceLock::new(),
            request_uri_rewrites: Vec::new(),
        })
    }
}

/// Where `json`, a part of `source`, is in it.
fn range_in(source: &[u8], json: &RawValue) -> Range<usize> {
    let start = (json.get().as_ptr() as usize).wrapping_sub(source.as_ptr() as usize);
    start..start + json.get().len()
}

/// The stand-in [`ServiceModel::shape`] hands out for another model's [`ShapeId`].
fn foreign_stand_in() -> &'static Shape {
    static FOREIGN: OnceLock<Shape> = OnceLock::new();
    FOREIGN.get_or_init(|| stand_in("#foreign"))
}

/// The stand-in [`ServiceModel::shape`] hands out for a malformed shape.
fn stand_in(name: &str) -> Shape {
    Shape {
        name: name.to_string(),
        kind: ShapeKind::String,
        min: None,
        max: None,
        pattern: None,
        enum_values: None,
        streaming: false,
        requires_length: false,
        sensitive: false,
        location_name: None,
        wrapper: false,
        sparse: false,
    }
}

/// The scalar kinds by botocore type name.
fn scalar_kind(name: &str) -> Option<ShapeKind> {
    Some(match name {
        "string" | "character" => ShapeKind::String,
        "byte" => ShapeKind::Byte,
        "short" => ShapeKind::Short,
        "integer" => ShapeKind::Integer,
        "long" => ShapeKind::Long,
        "biginteger" | "bigInteger" => ShapeKind::BigInteger,
        "float" => ShapeKind::Float,
        "double" => ShapeKind::Double,
        "bigdecimal" | "bigDecimal" => ShapeKind::BigDecimal,
        "boolean" => ShapeKind::Boolean,
        "blob" => ShapeKind::Blob,
        "timestamp" => ShapeKind::Timestamp,
        _ => return None,
    })
}

/// The id of the shape named `name` in `shapes` (sorted by name, as a model keeps them).
fn find_shape(tag: ModelTag, shapes: &[LazyShape], name: &str) -> Option<ShapeId> {
    shapes
        .binary_search_by(|shape| (*shape.name).cmp(name))
        .ok()
        .map(|index| tag.id(index))
}

/// Builds shapes and operations from their raw form, resolving references by name.
struct Resolver<'m> {
    /// The model's identity: ids of another model are not its to read.
    tag: ModelTag,
    shapes: &'m [LazyShape],
    /// The model's JSON text, which the shapes' ranges point into.
    source: &'m Source,
}

/// What a reference to a shape without inherited traits (or a malformed one) takes over.
static NOTHING: Inherited = Inherited {
    location: None,
    location_name: None,
    xml_namespace: None,
    flattened: false,
    timestamp_format: None,
    jsonvalue: false,
    streaming: false,
    payload: None,
};

fn malformed(shape: &str, source: serde_json::Error) -> ModelError {
    ModelError::Shape {
        shape: shape.to_string(),
        source: Arc::new(source),
    }
}

impl Resolver<'_> {
    fn id(
        &self,
        name: &str,
        referenced_by: impl FnOnce() -> String,
    ) -> Result<ShapeId, ModelError> {
        find_shape(self.tag, self.shapes, name).ok_or_else(|| ModelError::UnknownShape {
            missing: name.to_string(),
            referenced_by: referenced_by(),
        })
    }

    /// The JSON text of a shape.
    fn text(&self, lazy: &LazyShape) -> Result<&[u8], ModelError> {
        self.source.get(lazy.json.clone())?.ok_or_else(|| {
            let outside = <serde_json::Error as serde::de::Error>::custom("text outside the model");
            malformed(&lazy.name, outside)
        })
    }

    /// What references to `id` inherit, read from the shape's own JSON on first need.
    fn target(&self, id: ShapeId) -> Result<&Inherited, ModelError> {
        // Ids come from the index, so this cannot miss.
        let lazy = Some(id)
            .filter(|id| id.model == self.tag)
            .and_then(|id| self.shapes.get(id.index as usize))
            .ok_or(ModelError::ForeignShape { index: id.index })?;
        lazy.inherited
            .get_or_init(|| {
                let json = self.text(lazy)?;
                serde_json::from_slice::<RawInherited<'_>>(json)
                    .map(|raw| Inherited::of(&raw))
                    .map_err(|e| malformed(&lazy.name, e))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Read, check and build one shape from its JSON.
    fn build_shape(&self, id: ShapeId, lazy: &LazyShape) -> Result<Shape, ModelError> {
        // Its inherited traits first: references to it read them, so they must be sound too
        // (building an operation did not insist: see `io_ref`).
        self.target(id)?;
        let raw: RawShape<'_> =
            serde_json::from_slice(self.text(lazy)?).map_err(|e| malformed(&lazy.name, e))?;
        self.shape(&lazy.name, &raw)
    }

    /// A member reference: its target must exist and be sound enough to inherit from.
    fn shape_ref(&self, name: &str, r: &RawRef<'_>, owner: &str) -> Result<ShapeRef, ModelError> {
        let shape = self.id(&r.shape, || format!("{owner}.{name}"))?;
        Ok(Self::merged_ref(name, r, shape, self.target(shape)?))
    }

    /// An operation's input or output: a malformed target must not fail building the
    /// operation (which would make it look unknown to [`ServiceModel::operation`]); its
    /// operation's check reports it before the operation is used, so its traits count as
    /// unset here.
    fn io_ref(&self, r: &RawRef<'_>, owner: &str) -> Result<ShapeRef, ModelError> {
        let shape = self.id(&r.shape, || format!("{owner}."))?;
        Ok(Self::merged_ref(
            "",
            r,
            shape,
            self.target(shape).unwrap_or(&NOTHING),
        ))
    }

    fn merged_ref(name: &str, r: &RawRef<'_>, shape: ShapeId, target: &Inherited) -> ShapeRef {
        ShapeRef {
            name: name.to_string(),
            shape,
            location: match r.location.as_deref() {
                Some(location) => location_from_name(location),
                None => target.location.unwrap_or_default(),
            },
            location_name: owned(&r.location_name).or_else(|| target.location_name.clone()),
            query_name: owned(&r.query_name),
            xml_namespace: match r.xml_namespace.as_deref() {
                Some(ns) => Some(xml_namespace(ns)),
                None => target.xml_namespace.clone(),
            },
            xml_attribute: r.xml_attribute,
            flattened: r.flattened.unwrap_or(target.flattened),
            timestamp_format: match r.timestamp_format.as_deref() {
                Some(format) => TimestampFormat::from_name(format),
                None => target.timestamp_format.flatten(),
            },
            jsonvalue: r.jsonvalue || target.jsonvalue,
            host_label: r.host_label,
            endpoint_discovery_id: r.endpointdiscoveryid,
            idempotency_token: r.idempotency_token,
            event_payload: r.eventpayload,
            event_header: r.eventheader,
            context_param: r.context_param.as_ref().map(|c| c.name.clone()),
            result_wrapper: owned(&r.result_wrapper),
            streaming: r.streaming || target.streaming,
            deprecated: r.deprecated,
        }
    }

    fn shape(&self, name: &str, s: &RawShape<'_>) -> Result<Shape, ModelError> {
        let part = |r: &Option<RawRef<'_>>, kind: &'static str, part: &'static str| {
            r.as_ref()
                .ok_or_else(|| ModelError::MissingPart {
                    shape: name.to_string(),
                    kind,
                    part,
                })
                .and_then(|r| self.shape_ref("", r, name))
        };
        let kind = match &*s.kind {
            "structure" => {
                let members = s
                    .members
                    .iter()
                    .map(|(m, r)| Ok((m.to_owned_string(), self.shape_ref(m, r, name)?)))
                    .collect::<Result<Members, ModelError>>()?;
                ShapeKind::Structure(Structure {
                    members,
                    required: s.required.iter().map(Text::to_owned_string).collect(),
                    payload: owned(&s.payload),
                    union: s.union,
                    document: s.document,
                    exception: s.exception,
                    fault: s.fault,
                    error: s.error.as_ref().map(|e| ErrorTrait {
                        code: e.code.clone(),
                        http_status_code: e.http_status_code,
                        sender_fault: e.sender_fault,
                    }),
                    event: s.event,
                    eventstream: s.eventstream,
                    retryable: s.retryable.as_ref().map(|r| r.throttling),
                })
            }
            "list" => ShapeKind::List(part(&s.member, "list", "member")?),
            "map" => ShapeKind::Map {
                key: part(&s.key, "map", "key")?,
                value: part(&s.value, "map", "value")?,
            },
            other => scalar_kind(other).ok_or_else(|| ModelError::UnknownType {
                shape: name.to_string(),
                kind: other.to_string(),
            })?,
        };
        Ok(Shape {
            name: name.to_string(),
            kind,
            min: s.min,
            max: s.max,
            pattern: owned(&s.pattern),
            enum_values: s
                .enum_values
                .as_ref()
                .map(|values| values.iter().map(Text::to_owned_string).collect()),
            streaming: s.streaming,
            requires_length: s.requires_length,
            sensitive: s.sensitive,
            location_name: owned(&s.location_name),
            wrapper: s.wrapper,
            sparse: s.sparse,
        })
    }

    /// Read and build an operation from its JSON.
    fn operation(&self, name: &str, lazy: &LazyOperation) -> Result<Operation, ModelError> {
        let op: RawOperation<'_> = self
            .source
            .get(lazy.json.clone())?
            .map(serde_json::from_slice)
            .unwrap_or_else(|| {
                Err(<serde_json::Error as serde::de::Error>::custom(
                    "text outside the model",
                ))
            })
            .map_err(|source| ModelError::Operation {
                operation: name.to_string(),
                source: Arc::new(source),
            })?;
        let operation_context_params = op
            .operation_context_params
            .into_iter()
            .map(|(param, p)| match p.path {
                Some(path) => Ok((param, path)),
                None => Err(ModelError::Operation {
                    operation: name.to_string(),
                    source: Arc::new(serde::de::Error::custom(format!(
                        "operationContextParams {param:?}: missing field `path`"
                    ))),
                }),
            })
            .collect::<Result<_, _>>()?;
        let owner = format!("operation {name}");
        let io_ref =
            |r: &Option<RawRef<'_>>| r.as_ref().map(|r| self.io_ref(r, &owner)).transpose();
        let input = io_ref(&op.input)?;
        let input_payload = op.input.as_ref().and_then(|r| {
            owned(&r.payload).or_else(|| {
                find_shape(self.tag, self.shapes, &r.shape)
                    .and_then(|id| self.target(id).ok())
                    .and_then(|t| t.payload.clone())
            })
        });
        let output = io_ref(&op.output)?;
        let errors = op
            .errors
            .iter()
            .map(|e| self.id(&e.shape, || owner.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Operation {
            name: name.to_string(),
            wire_name: op.name.unwrap_or_else(|| name.to_string()),
            http: Http {
                method: op.http.method.unwrap_or_else(|| "POST".to_string()),
                request_uri: op.http.request_uri.unwrap_or_else(|| "/".to_string()),
                response_code: op.http.response_code,
            },
            input,
            input_payload,
            output,
            errors,
            host_prefix: op.endpoint.and_then(|e| e.host_prefix),
            http_checksum_required: op.http_checksum_required,
            http_checksum: op.http_checksum.map(|c| HttpChecksum {
                request_algorithm_member: c.request_algorithm_member,
                request_checksum_required: c.request_checksum_required,
                request_validation_mode_member: c.request_validation_mode_member,
                response_algorithms: c.response_algorithms,
            }),
            request_compression: op
                .requestcompression
                .map(|c| c.encodings)
                .unwrap_or_default(),
            auth: op.auth,
            auth_type: op.authtype,
            unsigned_payload: op.unsigned_payload,
            static_context_params: op
                .static_context_params
                .into_iter()
                .map(|(k, v)| (k, v.value))
                .collect(),
            operation_context_params,
            idempotent: op.idempotent,
            deprecated: op.deprecated,
            endpoint_discovery: op.endpointdiscovery,
            endpoint_operation: op.endpointoperation,
            target_header: OnceLock::new(),
            checksum_algorithm_header: OnceLock::new(),
            sensitive_names: OnceLock::new(),
        })
    }
}

fn xml_namespace(ns: &RawXmlNamespaceAny) -> XmlNamespace {
    match ns {
        RawXmlNamespaceAny::Uri(uri) => XmlNamespace {
            prefix: None,
            uri: uri.clone(),
        },
        RawXmlNamespaceAny::Full(full) => XmlNamespace {
            prefix: full.prefix.clone(),
            uri: full.uri.clone().unwrap_or_default(),
        },
    }
}

fn metadata(m: &raw::RawMetadata) -> Metadata {
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    Metadata {
        api_version: s(&m.api_version),
        endpoint_prefix: s(&m.endpoint_prefix),
        signing_name: m.signing_name.clone(),
        signature_version: m.signature_version.clone(),
        auth: m.auth.clone().unwrap_or_default(),
        service_id: s(&m.service_id),
        service_full_name: s(&m.service_full_name),
        json_version: m.json_version.clone(),
        target_prefix: m.target_prefix.clone(),
        xml_namespace: m.xml_namespace.clone(),
        global_endpoint: m.global_endpoint.clone(),
        uid: m.uid.clone(),
        // Present as `{}` in the models; any value other than false/null turns it on.
        aws_query_compatible: !matches!(
            m.aws_query_compatible,
            None | Some(serde_json::Value::Null) | Some(serde_json::Value::Bool(false))
        ),
        protocols: m.protocols.clone().unwrap_or_default(),
        checksum_format: m.checksum_format.clone(),
    }
}

/// Whether this build speaks `protocol` (`smithy-rpc-v2-cbor` needs sansboto-core's
/// `rpc-v2-cbor` feature). A model listing one left out uses the next it lists, as botocore
/// picks among the protocols it supports.
fn is_built(protocol: Protocol) -> bool {
    cfg!(feature = "rpc-v2-cbor") || protocol != Protocol::RpcV2Cbor
}

fn resolve_protocol(metadata: &Metadata, legacy: Option<&str>) -> Result<Protocol, ModelError> {
    if !metadata.protocols.is_empty() {
        return Protocol::PRIORITY
            .iter()
            .filter(|(_, p)| is_built(*p))
            .find(|(name, _)| metadata.protocols.iter().any(|p| p == name))
            .map(|(_, p)| *p)
            .ok_or_else(|| ModelError::UnsupportedProtocol(metadata.protocols.clone()));
    }
    let name = legacy.unwrap_or("");
    Protocol::from_name(name)
        .filter(|p| is_built(*p))
        .ok_or_else(|| ModelError::UnsupportedProtocol(vec![name.to_string()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"{
      "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "svc", "protocol": "rest-xml",
                   "protocols": ["query", "rest-json"], "serviceId": "Svc", "signatureVersion": "v4"},
      "operations": {"PutThing": {"name": "PutThing", "http": {"method": "PUT", "requestUri": "/{Id}"},
                     "input": {"shape": "PutThingRequest"}, "errors": [{"shape": "Boom"}]}},
      "shapes": {
        "PutThingRequest": {"type": "structure", "required": ["Id"], "members": {
            "Id": {"shape": "Str", "location": "uri", "locationName": "Id"},
            "Tags": {"shape": "TagList"}, "Self": {"shape": "PutThingRequest"}}},
        "TagList": {"type": "list", "member": {"shape": "Str", "locationName": "Tag"}, "flattened": true},
        "Str": {"type": "string", "min": 1},
        "Boom": {"type": "structure", "members": {}, "exception": true, "error": {"httpStatusCode": 409}}
      }}"#;

    #[test]
    fn builds_and_indexes() {
        let m = ServiceModel::from_json(MINI.as_bytes()).unwrap();
        assert_eq!(m.protocol, Protocol::RestJson, "rest-json outranks query");
        let op = m.operation("put_thing").unwrap();
        assert_eq!(op.name, "PutThing");
        assert!(m.operation("put-thing").is_some() && m.operation("PutThing").is_some());
        let input = m
            .shape(op.input.as_ref().unwrap().shape)
            .as_structure()
            .unwrap();
        assert_eq!(input.members["Id"].location, Location::Uri);
        assert!(
            input.members["Tags"].flattened,
            "flattened comes from the target shape"
        );
        assert!(m.shape(op.errors[0]).as_structure().unwrap().exception);
    }

    #[test]
    fn the_key_names_an_operation_when_its_wire_name_differs() {
        // CloudFront's shape: key `ListDistributions`, `name` `ListDistributions2020_05_31`.
        let versioned = MINI.replace(
            r#""PutThing": {"name": "PutThing""#,
            r#""PutThing": {"name": "PutThing2020_01_01""#,
        );
        let m = ServiceModel::from_json(versioned.as_bytes()).unwrap();
        for spelling in ["PutThing", "put_thing", "put-thing"] {
            let op = m.operation(spelling).unwrap();
            assert_eq!(op.name, "PutThing", "{spelling}");
            assert_eq!(op.wire_name, "PutThing2020_01_01");
            assert!(m.checked_operation(spelling).unwrap().is_ok());
            m.check_operation(op).unwrap();
        }
        // botocore has no method for the wire name; the suggestion is the key, accepted above.
        assert!(m.operation("PutThing2020_01_01").is_none());
        assert_eq!(
            m.nearest_operation("PutThing2020_01_01").as_deref(),
            Some("PutThing")
        );
        assert_eq!(
            m.nearest_operation("put-thnig").as_deref(),
            Some("PutThing")
        );
        assert_eq!(m.operation_names().collect::<Vec<_>>(), ["PutThing"]);
        assert_eq!(
            m.operations().map(|o| o.name.as_str()).collect::<Vec<_>>(),
            ["PutThing"]
        );
    }

    #[test]
    fn unknown_shape_is_named() {
        let bad = MINI.replace(r#""shape": "TagList""#, r#""shape": "Nope""#);
        let m = ServiceModel::from_json(bad.as_bytes()).expect("members are checked on use");
        let op = m.operation("PutThing").unwrap();
        for err in [m.check_operation(op), m.check_all()] {
            let err = err.unwrap_err();
            assert!(
                matches!(&err, ModelError::UnknownShape { missing, referenced_by }
                    if missing == "Nope" && referenced_by == "PutThingRequest.Tags"),
                "{err}"
            );
        }
        // Operations too are built on first use: one naming an undefined shape, or with a
        // field of the wrong type, fails then, named.
        for (from, to, expected) in [
            (
                r#""shape": "Boom""#,
                r#""shape": "Nope""#,
                "operation PutThing",
            ),
            (
                r#""method": "PUT""#,
                r#""method": 3"#,
                "operation \"PutThing\"",
            ),
        ] {
            let bad = MINI.replace(from, to);
            assert_ne!(bad, MINI, "{from}");
            let m = ServiceModel::from_json(bad.as_bytes()).expect("operations are read on use");
            assert!(m.operation("PutThing").is_none(), "{to}");
            assert_eq!(m.operations().count(), 0, "{to}");
            let errors = [
                m.checked_operation("put_thing").unwrap().err(),
                m.check_all().err(),
            ];
            for err in errors {
                let err = err.expect("an error").to_string();
                assert!(err.contains(expected), "{to}: {err}");
            }
        }
    }

    #[test]
    fn escaped_strings_duplicates_and_retryable_forms() {
        // Escapes force owned strings in the borrowed raw form; a repeated shape or member name
        // keeps its last definition (in the first member's position), and a repeated key in a
        // shape or a reference its last value, as Python's `json` (botocore's reader) keeps them.
        let json = r#"{
          "metadata": {"protocol": "json", "endpointPrefix": "svc"},
          "operations": {"Op": {"input": {"shape": "In\u0070ut"}}},
          "shapes": {
            "Input": {"type": "structure", "members": {
                "A": {"shape": "Str", "locationName": "a\"q"},
                "B": {"shape": "Str"},
                "A": {"shape": "Str", "locationName": "first", "locationName": "last"},
                "C": {"shape": "Twice"}}},
            "Twice": {"type": "integer", "min": 1, "type": "long"},
            "Str": {"type": "integer"},
            "Str": {"type": "string", "pattern": "^\\d+$", "enum": ["x\ty"]},
            "E1": {"type": "structure", "members": {}, "retryable": {"throttling": true}},
            "E2": {"type": "structure", "members": {}, "retryable": true},
            "E3": {"type": "structure", "members": {}, "retryable": {"throttling": "yes"}}
          }}"#;
        let m = ServiceModel::from_json(json.as_bytes()).unwrap();
        let op = m.operation("Op").unwrap();
        let input = m.shape(op.input.as_ref().unwrap().shape);
        assert_eq!(input.name, "Input");
        let members = &input.as_structure().unwrap().members;
        assert_eq!(members.keys().collect::<Vec<_>>(), ["A", "B", "C"]);
        assert!(matches!(m.shape(members["C"].shape).kind, ShapeKind::Long));
        assert_eq!(members["A"].location_name.as_deref(), Some("last"));
        let s = m.shape_by_name("Str").unwrap();
        assert!(matches!(s.kind, ShapeKind::String));
        assert_eq!(s.pattern.as_deref(), Some("^\\d+$"));
        assert_eq!(s.enum_values.as_deref(), Some(&["x\ty".to_string()][..]));
        assert_eq!(m.shapes().count(), 6, "duplicates collapse to one shape");
        let retryable = |name| {
            m.shape_by_name(name)
                .unwrap()
                .as_structure()
                .unwrap()
                .retryable
        };
        assert_eq!(retryable("E1"), Some(true));
        assert_eq!(retryable("E2"), Some(false));
        assert_eq!(retryable("E3"), Some(false));
        assert_eq!(retryable("Input"), None);
    }

    #[test]
    fn context_params_and_metadata_as_botocore_reads_them() {
        // botocore takes a static parameter's missing `value` as None, reads a repeated key's
        // last value, and needs an operation context parameter's `path` (`['path']`).
        let json = r#"{
          "metadata": {"protocol": "json", "endpointPrefix": "svc"},
          "operations": {
            "Op": {"staticContextParams": {"A": {}, "B": {"value": 1, "value": true}},
                   "operationContextParams": {"C": {"path": "x", "path": "y"}}},
            "NoPath": {"operationContextParams": {"C": {}}}},
          "shapes": {}}"#;
        let m = ServiceModel::from_json(json.as_bytes()).unwrap();
        let op = m.operation("Op").unwrap();
        assert_eq!(
            op.static_context_params,
            [
                ("A".to_string(), serde_json::Value::Null),
                ("B".to_string(), serde_json::Value::Bool(true))
            ]
        );
        assert_eq!(
            op.operation_context_params,
            [("C".to_string(), "y".to_string())]
        );
        let err = m.checked_operation("NoPath").unwrap().unwrap_err();
        assert!(
            matches!(&err, ModelError::Operation { operation, .. } if operation == "NoPath"),
            "{err}"
        );
        assert!(err.to_string().contains("missing field `path`"), "{err}");
        // A model without metadata says so.
        let err = ServiceModel::from_json(br#"{"operations": {}, "shapes": {}}"#).unwrap_err();
        assert!(
            err.to_string().contains("missing field `metadata`"),
            "{err}"
        );
    }

    #[test]
    fn a_shape_id_reads_only_in_the_model_that_made_it() {
        let one = ServiceModel::from_json(MINI.as_bytes()).unwrap();
        let other = ServiceModel::from_json(MINI.as_bytes()).unwrap();
        let id = one.shape_id("Str").unwrap();
        assert_eq!(one.shape(id).name, "Str");
        assert_eq!(one.try_shape(id).unwrap().name, "Str");
        // The same JSON loaded again is another model: its ids are its own.
        assert_ne!(other.shape_id("Str"), Some(id));
        assert_eq!(other.shape_id("Str").unwrap().index(), id.index());
        assert!(matches!(
            other.try_shape(id),
            Err(ModelError::ForeignShape { index }) if index == id.index()
        ));
        assert_eq!(other.shape(id).name, "#foreign");
        // A clone shares the shapes, and so the ids.
        let copy = ServiceModel::clone(&one);
        assert_eq!(copy.try_shape(id).unwrap().name, "Str");
        assert_eq!(format!("{id:?}"), format!("ShapeId({})", id.index()));
    }

    #[test]
    fn from_value_matches_from_json() {
        let from_value = ServiceModel::from_value(serde_json::from_str(MINI).unwrap()).unwrap();
        let from_json = ServiceModel::from_json(MINI.as_bytes()).unwrap();
        // (Compared through ordered views: the name indexes are hash maps.)
        let shapes = |m: &ServiceModel| format!("{:?}", m.shapes().collect::<Vec<_>>());
        let operations = |m: &ServiceModel| format!("{:?}", m.operations().collect::<Vec<_>>());
        assert_eq!(shapes(&from_value), shapes(&from_json));
        assert_eq!(operations(&from_value), operations(&from_json));
        assert_eq!(
            format!("{:?}", from_value.metadata),
            format!("{:?}", from_json.metadata)
        );
    }

    #[test]
    fn shapes_are_built_and_checked_on_first_use() {
        let m = ServiceModel::from_json(MINI.as_bytes()).unwrap();
        let id = m.shape_id("TagList").unwrap();
        assert!(
            m.shapes[id.index as usize].built.get().is_none(),
            "not built yet"
        );
        let list = m.shape(id);
        assert!(std::ptr::eq(list, m.shape(id)), "built once, then shared");
        assert!(std::ptr::eq(list, m.try_shape(id).unwrap()));
        let ShapeKind::List(item) = &list.kind else {
            panic!("TagList is a list: {list:?}")
        };
        assert_eq!(item.location_name.as_deref(), Some("Tag"));
        assert_eq!(m.shape(item.shape).min, Some(1.0));
        // A clone shares nothing mutable: building in one does not build in the other.
        let copy = (*m).clone();
        let str_id = m.shape_id("Str").unwrap();
        assert!(copy.shapes[str_id.index as usize].built.get().is_some());
        let boom = copy.shape_id("Boom").unwrap();
        assert!(m.shapes[boom.index as usize].built.get().is_none());
        m.check_all().unwrap();
    }

    #[test]
    fn error_codes_are_indexed_without_building_other_shapes() {
        // `Later` and `Earlier` share a code: botocore keeps the later one in the text even
        // though its name sorts first; `NotAnError` carries an "exception" only in its docs.
        let json = r#"{
          "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "svc", "protocol": "query",
                       "serviceId": "Svc", "signatureVersion": "v4"},
          "operations": {"Op": {"name": "Op", "http": {"method": "POST", "requestUri": "/"},
                         "errors": [{"shape": "Earlier"}]}},
          "shapes": {
            "Str": {"type": "string"},
            "Earlier": {"type": "structure", "members": {"M": {"shape": "Str"}},
                        "exception": true, "error": {"code": "Shared", "httpStatusCode": 404}},
            "NotAnError": {"type": "structure", "members": {},
                           "documentation": "throws an \"exception\""},
            "Plain": {"type": "structure", "members": {}, "exception": true},
            "EmptyCode": {"type": "structure", "members": {}, "exception": true,
                          "error": {"code": ""}},
            "NoException": {"type": "structure", "members": {}, "exception": false},
            "Broken": {"type": "structure", "members": {"X": {"shape": "Missing"}},
                       "exception": true},
            "Aardvark": {"type": "structure", "members": {}, "exception": true,
                         "error": {"code": "Shared"}}
          }}"#;
        let m = ServiceModel::from_json(json.as_bytes()).unwrap();
        let id = |name: &str| m.shape_id(name).unwrap();
        assert_eq!(m.error_shape_for_code("Shared"), Some(id("Aardvark")));
        assert_eq!(m.error_shape_for_code("Earlier"), None, "known by its code");
        assert_eq!(m.error_shape_for_code("Plain"), Some(id("Plain")));
        assert_eq!(m.error_shape_for_code("EmptyCode"), Some(id("EmptyCode")));
        assert_eq!(m.error_shape_for_code("NoException"), None);
        assert_eq!(m.error_shape_for_code("NotAnError"), None);
        assert_eq!(
            m.error_shape_for_code("Broken"),
            None,
            "malformed: no match"
        );
        assert_eq!(m.error_shape_for_code("Str"), None);
        for untouched in ["Str", "NotAnError"] {
            let built = m.shapes[id(untouched).index as usize].built.get();
            assert!(built.is_none(), "{untouched} was built");
        }
        // An operation's own errors do not outrank the model-wide answer.
        assert_eq!(m.operation("Op").unwrap().errors, [id("Earlier")]);
    }

    #[test]
    fn request_uri_rewrites_reach_operations_built_before_and_after() {
        fn without_bucket(uri: &str) -> Option<&str> {
            let rest = uri.strip_prefix("/{Bucket}")?;
            Some(if rest.is_empty() { "/" } else { rest })
        }
        let json = r#"{
          "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "svc", "protocol": "rest-xml",
                       "serviceId": "Svc", "signatureVersion": "v4"},
          "operations": {
            "Early": {"name": "Early", "http": {"method": "GET", "requestUri": "/{Bucket}/{Key+}"}},
            "Late": {"name": "Late", "http": {"method": "GET", "requestUri": "/{Bucket}"}},
            "Other": {"name": "Other", "http": {"method": "GET", "requestUri": "/x"}}},
          "shapes": {}}"#;
        let mut m = (*ServiceModel::from_json(json.as_bytes()).unwrap()).clone();
        assert_eq!(
            m.operation("Early").unwrap().http.request_uri,
            "/{Bucket}/{Key+}"
        );
        assert!(!m.rewrites_request_uris());
        m.rewrite_request_uris(without_bucket);
        assert!(m.rewrites_request_uris());
        assert!(
            m.operations.get("Late").unwrap().built.get().is_none(),
            "not built by the rewrite"
        );
        assert_eq!(m.operation("Early").unwrap().http.request_uri, "/{Key+}");
        assert_eq!(m.operation("Late").unwrap().http.request_uri, "/");
        assert_eq!(m.operation("Other").unwrap().http.request_uri, "/x");
    }

    #[test]
    fn malformed_shapes_fail_on_use_not_at_load() {
        // (the fault, the shape it is in)
        for (from, to, shape) in [
            (r#""min": 1"#, r#""min": "one""#, "Str"),
            (r#""flattened": true"#, r#""flattened": "yes""#, "TagList"),
            (r#""type": "string""#, r#""type": "strung""#, "Str"),
            (
                r#""locationName": "Tag""#,
                r#""locationName": 7"#,
                "TagList",
            ),
            (
                r#""type": "list", "member""#,
                r#""type": "list", "mumble""#,
                "TagList",
            ),
            (
                r#""required": ["Id"]"#,
                r#""required": "Id""#,
                "PutThingRequest",
            ),
            (
                r#""httpStatusCode": 409"#,
                r#""httpStatusCode": "409""#,
                "Boom",
            ),
            // A shape, a reference or a trait is an object, not a list of its values.
            (
                r#""Str": {"type": "string", "min": 1}"#,
                r#""Str": ["string", 1]"#,
                "Str",
            ),
            (
                r#"{"shape": "Str", "locationName": "Tag"}"#,
                r#"["Str", "Tag"]"#,
                "TagList",
            ),
            (
                r#""error": {"httpStatusCode": 409}"#,
                r#""error": [409]"#,
                "Boom",
            ),
        ] {
            let bad = MINI.replace(from, to);
            assert_ne!(bad, MINI, "{from}");
            let m = ServiceModel::from_json(bad.as_bytes())
                .unwrap_or_else(|e| panic!("{to}: the load does not read shapes: {e}"));
            let id = m.shape_id(shape).unwrap();
            let names_it = |err: ModelError| {
                let text = err.to_string();
                assert!(text.contains(&format!("{shape:?}")), "{to}: {text}");
            };
            names_it(m.try_shape(id).unwrap_err());
            names_it(m.check_all().unwrap_err());
            let op = m.operation("PutThing").unwrap();
            names_it(m.check_operation(op).unwrap_err());
            assert!(matches!(m.checked_operation("put_thing"), Some(Err(_))));
            // The infallible accessor hands out a stand-in, never panics.
            assert_eq!(m.shape(id).name, shape);
        }
        // A fault in a shape no operation reaches only fails when that shape is asked for.
        let bad = MINI.replace(r#""Str": {"#, r#""Unused": {"type": "strung"}, "Str": {"#);
        let m = ServiceModel::from_json(bad.as_bytes()).unwrap();
        let op = m.operation("PutThing").unwrap();
        m.check_operation(op).unwrap();
        let err = m.check_all().unwrap_err();
        assert!(
            matches!(&err, ModelError::UnknownType { shape, kind } if shape == "Unused" && kind == "strung"),
            "{err}"
        );
        // A syntax error anywhere still fails the load.
        let bad = MINI.replace(r#""min": 1"#, r#""min": 1,"#);
        assert!(ServiceModel::from_json(bad.as_bytes()).is_err());
    }

    #[test]
    fn operation_checks_are_kept_and_follow_recursion() {
        let m = ServiceModel::from_json(MINI.as_bytes()).unwrap();
        let op = m.operation("PutThing").unwrap();
        assert!(m.operations[0].checked.get().is_none());
        m.check_operation(op).unwrap(); // PutThingRequest.Self refers to itself
        assert!(m.operations[0].checked.get().is_some(), "kept");
        for name in ["PutThingRequest", "TagList", "Str", "Boom"] {
            let id = m.shape_id(name).unwrap();
            assert!(
                m.shapes[id.index as usize].built.get().is_some(),
                "{name} built"
            );
        }
        let checked = m.checked_operation("put-thing").unwrap().unwrap();
        assert!(std::ptr::eq(checked, op), "built once");
        assert!(m.checked_operation("Nope").is_none());
        // An operation that is not this model's own is checked too, just not kept.
        let mut stranger = op.clone();
        stranger.name = "Other".into();
        m.check_operation(&stranger).unwrap();
        // A malformed input shape does not fail the load (operations tolerate it) but does
        // fail the operation's check.
        let bad = MINI.replace(r#""required": ["Id"]"#, r#""required": 1"#);
        let m = ServiceModel::from_json(bad.as_bytes()).unwrap();
        let err = m.check_operation(m.operation("PutThing").unwrap());
        assert!(matches!(err, Err(ModelError::Shape { shape, .. }) if shape == "PutThingRequest"));
    }

    #[test]
    fn inherited_traits_and_payload_come_from_the_target() {
        let json = r#"{
          "metadata": {"protocol": "rest-xml", "endpointPrefix": "svc"},
          "operations": {"Op": {"input": {"shape": "In"}, "output": {"shape": "Out"}}},
          "shapes": {
            "In": {"type": "structure", "payload": "Body", "members": {
                "Body": {"shape": "Blob"}, "When": {"shape": "Time"},
                "Own": {"shape": "Time", "timestampFormat": "iso8601", "location": "header"}}},
            "Out": {"type": "structure", "members": {"H": {"shape": "Hdr"}}},
            "Blob": {"type": "blob", "streaming": true},
            "Time": {"type": "timestamp", "timestampFormat": "unixTimestamp",
                     "xmlNamespace": {"uri": "urn:t"}},
            "Hdr": {"type": "string", "location": "header", "locationName": "x-h"}
          }}"#;
        let m = ServiceModel::from_json(json.as_bytes()).unwrap();
        let op = m.operation("Op").unwrap();
        assert_eq!(op.input_payload.as_deref(), Some("Body"));
        let input = m
            .shape(op.input.as_ref().unwrap().shape)
            .as_structure()
            .unwrap();
        assert!(input.members["Body"].streaming);
        let when = &input.members["When"];
        assert_eq!(when.timestamp_format, Some(TimestampFormat::UnixTimestamp));
        assert_eq!(
            when.xml_namespace.as_ref().map(|n| n.uri.as_str()),
            Some("urn:t")
        );
        assert_eq!(when.location, Location::Body);
        let own = &input.members["Own"];
        assert_eq!(own.timestamp_format, Some(TimestampFormat::Iso8601));
        assert_eq!(own.location, Location::Header);
        let output = m
            .shape(op.output.as_ref().unwrap().shape)
            .as_structure()
            .unwrap();
        assert_eq!(output.members["H"].location, Location::Header);
        assert_eq!(output.members["H"].wire_name(), "x-h");
    }

    #[test]
    fn a_streaming_input_is_a_blob_payload_as_botocore_reads_it() {
        let json = r#"{
          "metadata": {"protocol": "rest-json", "endpointPrefix": "svc"},
          "operations": {
            "Streamed": {"input": {"shape": "Streamed"}},
            "Plain": {"input": {"shape": "Plain"}},
            "Text": {"input": {"shape": "Text"}},
            "Xml": {"input": {"shape": "Xml"}},
            "Bare": {"input": {"shape": "Bare"}}},
          "shapes": {
            "Streamed": {"type": "structure", "payload": "B", "members": {"B": {"shape": "S"}}},
            "Plain": {"type": "structure", "payload": "B", "members": {"B": {"shape": "P"}}},
            "Text": {"type": "structure", "payload": "B", "members": {"B": {"shape": "T"}}},
            "Xml": {"type": "structure", "payload": "B", "members": {"B": {"shape": "Bare"}}},
            "Bare": {"type": "structure", "members": {"B": {"shape": "S"}}},
            "S": {"type": "blob", "streaming": true},
            "P": {"type": "blob"},
            "T": {"type": "string"}
          }}"#;
        let m = ServiceModel::from_json(json.as_bytes()).unwrap();
        let streams = |name| m.streaming_input(m.operation(name).unwrap()).is_some();
        // S3 `PutObject`'s `Body`, and Lambda `Invoke`'s `Payload`, a blob not marked streaming.
        assert!(streams("Streamed"));
        assert!(streams("Plain"));
        // A string or structure payload, or a blob that is not the payload, is not one.
        assert!(!streams("Text"));
        assert!(!streams("Xml"));
        assert!(!streams("Bare"));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(ServiceModel::from_json(b"{\"metadata\": 3}").is_err());
        assert!(ServiceModel::from_json(b"").is_err());
    }

    /// The embedded model's index as `from_index` takes it, and a source of its text that
    /// counts how often it is asked.
    fn indexed(
        service: &str,
        version: Option<&str>,
    ) -> (
        ModelIndex,
        DocumentSource,
        Arc<std::sync::atomic::AtomicUsize>,
    ) {
        use sansboto_models::{FileKind, Loader};
        let (version, index) = Loader::new().load_index(service, version).unwrap().unwrap();
        let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = asked.clone();
        let service = service.to_string();
        let document: DocumentSource = Arc::new(move || {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Loader::new()
                .load(&service, Some(&version), FileKind::ServiceModel)
                .map_err(|e| e.to_string())
        });
        let index = ModelIndex {
            metadata: index.metadata,
            operations: index.operations,
            shapes: index.shapes,
            len: index.len,
        };
        (index, document, asked)
    }

    /// A model made from its index reads its text only when an operation or a shape is built,
    /// once, and is then the model `from_shared` makes of that text: same metadata, protocol,
    /// operations, shapes and error codes.
    #[test]
    fn a_model_from_its_index_is_the_model_from_its_text() {
        use sansboto_models::{FileKind, Loader};
        for (service, version) in [
            ("s3", None),
            ("ec2", None),
            ("sqs", None),
            ("ec2", Some("2014-09-01")),
        ] {
            let (index, document, asked) = indexed(service, version);
            let lazy = ServiceModel::from_index(index, document).unwrap();
            let text = Loader::new()
                .load(service, version, FileKind::ServiceModel)
                .unwrap();
            let whole = ServiceModel::from_shared(text).unwrap();
            assert_eq!(
                format!("{:?}", lazy.metadata),
                format!("{:?}", whole.metadata)
            );
            assert_eq!(lazy.protocol, whole.protocol);
            assert!(lazy.operation_names().eq(whole.operation_names()));
            assert_eq!(lazy.shapes.len(), whole.shapes.len());
            assert!(lazy.shape_id("nope").is_none());
            assert_eq!(
                asked.load(std::sync::atomic::Ordering::Relaxed),
                0,
                "{service}"
            );
            lazy.check_all().unwrap();
            whole.check_all().unwrap();
            for (a, b) in lazy.operations().zip(whole.operations()) {
                assert_eq!(format!("{a:?}"), format!("{b:?}"));
            }
            for ((_, a), (_, b)) in lazy.shapes().zip(whole.shapes()) {
                assert_eq!(format!("{a:?}"), format!("{b:?}"));
            }
            let codes = |m: &ServiceModel| {
                let mut codes: Vec<(String, u32)> = m
                    .error_code_index()
                    .into_iter()
                    .map(|(code, id)| (code, id.index()))
                    .collect();
                codes.sort();
                codes
            };
            assert_eq!(codes(&lazy), codes(&whole));
            assert_eq!(
                asked.load(std::sync::atomic::Ordering::Relaxed),
                1,
                "{service}"
            );
        }
    }

    #[test]
    fn an_unreadable_or_mismatched_text_fails_each_build_not_the_load() {
        let (index, _, _) = indexed("sqs", None);
        let broken: DocumentSource = Arc::new(|| Err("no such bytes".to_string()));
        let model = ServiceModel::from_index(index.clone(), broken).unwrap();
        assert_eq!(model.metadata.service_id, "SQS");
        let err = model.checked_operation("SendMessage").unwrap().unwrap_err();
        assert!(
            matches!(&err, ModelError::Document(m) if m == "no such bytes"),
            "{err}"
        );
        let id = model.shape_id("SendMessageRequest").unwrap();
        assert!(matches!(model.try_shape(id), Err(ModelError::Document(_))));
        assert!(model.operation("SendMessage").is_none());
        assert!(model.error_shape_for_code("QueueDoesNotExist").is_none());
        assert!(format!("{model:?}").contains("unreadable"));

        let short: DocumentSource = Arc::new(|| Ok(Arc::from(&b"{}"[..])));
        let model = ServiceModel::from_index(index.clone(), short).unwrap();
        assert!(format!("{model:?}").contains("not read yet"));
        let err = model.checked_operation("SendMessage").unwrap().unwrap_err();
        assert!(err.to_string().contains("its index says"), "{err}");

        // Malformed metadata fails the load, as from_shared's does.
        let bad = ModelIndex {
            metadata: b"[]".to_vec(),
            ..index
        };
        let never: DocumentSource = Arc::new(|| unreachable!("the load reads no text"));
        assert!(ServiceModel::from_index(bad, never).is_err());
    }
}

#[cfg(test)]
mod protocol_choice_tests {
    use super::*;

    fn listing(protocols: &[&str]) -> Metadata {
        Metadata {
            protocols: protocols.iter().map(|p| p.to_string()).collect(),
            ..Metadata::default()
        }
    }

    /// A model listing CBOR and a less preferred protocol speaks CBOR when it is built in, and
    /// otherwise the other one; a CBOR-only model then does not load.
    #[test]
    fn cbor_is_chosen_only_when_built_in() {
        // botocore prefers CBOR to query (`Protocol::PRIORITY`).
        let both = listing(&["query", "smithy-rpc-v2-cbor"]);
        let only = listing(&["smithy-rpc-v2-cbor"]);
        if cfg!(feature = "rpc-v2-cbor") {
            assert_eq!(resolve_protocol(&both, None).unwrap(), Protocol::RpcV2Cbor);
            assert_eq!(resolve_protocol(&only, None).unwrap(), Protocol::RpcV2Cbor);
        } else {
            assert_eq!(resolve_protocol(&both, None).unwrap(), Protocol::Query);
            assert!(resolve_protocol(&only, None).is_err());
            assert!(resolve_protocol(&listing(&[]), Some("smithy-rpc-v2-cbor")).is_err());
        }
    }
}
