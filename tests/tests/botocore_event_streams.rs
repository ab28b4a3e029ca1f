//! Event streams read as botocore 1.44.5 reads them: the same bytes given to botocore's
//! `EventStream` (its `EventStreamBuffer` and the protocol's event parser, through the protocol
//! parser's `parse` of a 200 answer, as a call gets them) and to sansboto's
//! `Client::event_stream` (the runtime's reader: its `Decoder` and `parse_event`), on streams
//! nobody chose, drawn from a fixed seed:
//!
//! - every operation with an event-stream output in the embedded models (rest-json, rest-xml,
//!   json), every event type of each, with members generated from their shapes (empty, unicode,
//!   64-bit edges, blobs, timestamps), modeled and unmodeled exceptions, `error` messages,
//!   unknown event types, events whose `:event-type` or `:message-type` is not a string, and
//!   for the RPC protocols the `initial-response`;
//! - three made-up services (rest-json, rest-xml, json) whose events have an `eventheader`
//!   member of every type (boolean, byte, short, integer, long, blob, string, timestamp) sent
//!   with every header value type (the matching one mostly, and any other sometimes, uuids
//!   included), and `eventpayload` members of each kind (blob, string, structure);
//! - malformed streams: a bad prelude or message CRC, a changed payload byte, a cut-off end,
//!   headers running past their section, a header value type beyond 9, a duplicate header,
//!   headers and payloads longer than the limits, total lengths too small for the headers, a
//!   payload that is not the protocol's format;
//! - streams split into two chunks at every position (and byte at a time).
//!
//! Both must give the same events (as JSON, the way [`botocore::parsed_as_json`] writes them)
//! and end alike: no error, a service error with the same code and message, or another error
//! after the same events (the kind of a framing or parsing error is not compared: botocore's
//! are Python exceptions of every sort).
//!
//! Some answers differ on purpose (README, "Where sansboto differs"), each counted:
//!
//! - a stream that ends inside a frame is an error here (`EventStreamError::Truncated`), where
//!   botocore's reader stops at the last whole frame and drops the rest silently: a cut-off
//!   stream must give botocore's events, then that error;
//! - a JSON payload of another type than an object (a list, a string) is kept as sent (so an
//!   event of it has no members), where botocore's parser fails with `AttributeError`, as for
//!   any response value of another JSON type than its shape's: such a stream must give
//!   botocore's events, and may go on.
//!
//! The rpc-v2-cbor protocol has no event-stream operation in the embedded models, and has no
//! made-up service here.
//!
//! The runtime's reader gets a body whole (a `Value::Stream` of bytes); a body split into chunks
//! goes through the `Decoder` chunk by chunk first, and its messages then to the reader.
//!
//! It fails on the code before it (708 of the 5,922 streams differ): an unmodeled
//! `:exception-type` given as the error code (botocore's is `:error-code`), a string or bytes
//! header value running past its section refused (botocore takes what is there), an
//! `eventheader` value converted by its wire type rather than read as botocore reads it for the
//! member (a timestamp member takes any number as milliseconds and fails on text; a timestamp
//! header in another member is its milliseconds), a time out of range kept as a number, a
//! string payload that is not UTF-8 decoded lossily, a JSON payload that is not JSON refused
//! (botocore reads `{"message": text}`), an XML payload of whitespace read as empty, and an RPC
//! stream whose first message is not `initial-response` read on (botocore fails the call).

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use sansboto_core::eventstream::{self, Decoder, HeaderValue, Message};
use sansboto_core::model::{Protocol, ServiceModel, ShapeKind, ShapeRef};
use sansboto_core::runtime::RuntimeSession;
use sansboto_core::session::{Session, SessionInputs};
use sansboto_core::{Error, StreamingBody, Value};
use sansboto_models::{FileKind, Loader};
use sansboto_tests::{botocore, Rng};
use serde_json::{json, Value as J};

/// Reads each case of the file at `$CASES` (`service`, `operation`, `bytes` in base64, `chunks`:
/// the sizes of the pieces the body arrives in) as botocore reads an event-stream answer, and
/// prints `initial` (the RPC protocols' `initial-response` members), `events` and `error`.
const READ: &str = r#"
import os
from botocore import parsers
from botocore.eventstream import EventStream
from botocore.exceptions import EventStreamError

class Raw:
    def __init__(self, chunks):
        self._chunks = chunks
    def stream(self):
        return iter(self._chunks)
    def close(self):
        pass

models, out = {}, []
with open(os.environ['CASES']) as f:
    cases = json.load(f)
for case in cases:
    model = models.get(case['service'])
    if model is None:
        model = models[case['service']] = session.get_service_model(case['service'])
    op = model.operation_model(case['operation'])
    data = base64.b64decode(case['bytes'])
    chunks, at = [], 0
    for size in case['chunks']:
        chunks.append(data[at:at + size])
        at += size
    if at < len(data):
        chunks.append(data[at:])
    parser = parsers.create_parser(model.resolved_protocol)
    response = {'status_code': 200, 'headers': {}, 'body': Raw(chunks),
                'context': {'operation_name': op.name}}
    result = {'events': [], 'error': None, 'initial': None}
    try:
        parsed = parser.parse(response, op.output_shape)
    except Exception as e:
        result['error'] = {'other': type(e).__name__ + ': ' + str(e)[:200]}
        out.append(result)
        continue
    stream, initial = None, {}
    for k, v in parsed.items():
        if isinstance(v, EventStream):
            stream = v
        elif k != 'ResponseMetadata':
            initial[k] = v
    if model.resolved_protocol in ('json', 'smithy-rpc-v2-cbor'):
        result['initial'] = plain(initial)
    try:
        for event in stream:
            result['events'].append(plain(event))
            if len(result['events']) > 10000:
                result['error'] = {'other': 'endless'}
                break
    except EventStreamError as e:
        result['error'] = {'service': [e.response['Error']['Code'], e.response['Error']['Message']]}
    except Exception as e:
        result['error'] = {'other': type(e).__name__ + ': ' + str(e)[:200]}
    out.append(result)
emit(out)
"#;

/// A generated value, before it is written in a protocol's body format.
#[derive(Clone, Debug)]
enum Node {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Blob(Vec<u8>),
    /// Milliseconds since the epoch.
    Time(i64),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
    /// Wire names and values.
    Struct(Vec<(String, Node)>),
}

const TEXTS: &[&str] = &[
    "plain",
    "h\u{e9}llo \u{2713} \u{65e5}\u{672c} \u{1f389}",
    "quote \" back\\slash <tag> & 'apos'",
    "line\nbreak\ttab",
    "x",
    "Message with spaces",
];

fn text(r: &mut Rng, xml: bool) -> String {
    if !xml && r.chance(10) {
        return String::new();
    }
    r.pick(TEXTS).to_string()
}

fn int_for(r: &mut Rng, kind: &ShapeKind) -> i64 {
    let (min, max) = match kind {
        ShapeKind::Byte => (i64::from(i8::MIN), i64::from(i8::MAX)),
        ShapeKind::Short => (i64::from(i16::MIN), i64::from(i16::MAX)),
        ShapeKind::Integer => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    match r.below(6) {
        0 => 0,
        1 => -1,
        2 => min,
        3 => max,
        _ => (r.next_u64() % 100_000) as i64,
    }
}

/// Milliseconds botocore and sansboto can both hold: 1970 ± a few centuries.
fn time_ms(r: &mut Rng) -> i64 {
    match r.below(6) {
        0 => 0,
        1 => 1_700_000_000_000,
        2 => 1_700_000_000_123,
        3 => -86_400_000,
        4 => 4_102_444_800_000, // 2100
        _ => (r.next_u64() % 4_000_000_000_000) as i64,
    }
}

/// A value of `sref`'s shape (structures with some of their members, to `depth`).
fn gen_value(
    r: &mut Rng,
    model: &ServiceModel,
    sref: &ShapeRef,
    depth: usize,
    xml: bool,
) -> Option<Node> {
    let shape = model.shape(sref.shape);
    Some(match &shape.kind {
        ShapeKind::String => match &shape.enum_values {
            Some(values) if !values.is_empty() && r.chance(70) => Node::Str(r.pick(values).clone()),
            _ => Node::Str(text(r, xml)),
        },
        // botocore's XML parser has no reader for a byte (it keeps the element object).
        ShapeKind::Byte if xml => return None,
        k @ (ShapeKind::Byte | ShapeKind::Short | ShapeKind::Integer | ShapeKind::Long) => {
            Node::Int(int_for(r, k))
        }
        ShapeKind::Float | ShapeKind::Double => {
            Node::Float(*r.pick(&[1.5, -0.25, 3.125, 0.001, 1024.5]))
        }
        ShapeKind::Boolean => Node::Bool(r.chance(50)),
        ShapeKind::Blob => Node::Blob(r.bytes(24)),
        ShapeKind::Timestamp => Node::Time(time_ms(r)),
        ShapeKind::BigInteger | ShapeKind::BigDecimal => return None,
        ShapeKind::List(member) => {
            if depth == 0 || xml {
                return None;
            }
            let n = r.below(3);
            Node::List(
                (0..n)
                    .filter_map(|_| gen_value(r, model, member, depth - 1, xml))
                    .collect(),
            )
        }
        ShapeKind::Map { key, value } => {
            if depth == 0 || xml || !matches!(model.shape(key.shape).kind, ShapeKind::String) {
                return None;
            }
            let n = r.below(3);
            Node::Map(
                (0..n)
                    .filter_map(|i| {
                        Some((format!("k{i}"), gen_value(r, model, value, depth - 1, xml)?))
                    })
                    .collect(),
            )
        }
        ShapeKind::Structure(s) => {
            if s.document {
                return None;
            }
            if depth == 0 {
                return Some(Node::Struct(Vec::new()));
            }
            let names: Vec<&String> = if s.union {
                if s.members.is_empty() {
                    Vec::new()
                } else {
                    let i = r.below(s.members.len());
                    vec![s.members.get_index(i).unwrap().0]
                }
            } else {
                s.members.keys().filter(|_| r.chance(70)).collect()
            };
            let mut fields = Vec::new();
            for name in names {
                let m = &s.members[name.as_str()];
                if m.event_header || m.event_payload || m.xml_attribute {
                    continue;
                }
                if let Some(v) = gen_value(r, model, m, depth - 1, xml) {
                    fields.push((m.wire_name().to_string(), v));
                }
            }
            Node::Struct(fields)
        }
    })
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn to_json(node: &Node) -> J {
    match node {
        Node::Str(s) => json!(s),
        Node::Int(i) => json!(i),
        Node::Float(f) => json!(f),
        Node::Bool(b) => json!(b),
        Node::Blob(b) => json!(base64(b)),
        Node::Time(ms) => {
            if ms % 1000 == 0 {
                json!(ms / 1000)
            } else {
                json!(*ms as f64 / 1000.0)
            }
        }
        Node::List(items) => J::Array(items.iter().map(to_json).collect()),
        Node::Map(entries) | Node::Struct(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn iso8601(ms: i64) -> String {
    let t = sansboto_core::Timestamp::from_epoch_f64(ms as f64 / 1000.0).unwrap();
    t.to_iso8601()
}

fn to_xml(name: &str, node: &Node, out: &mut String) {
    out.push_str(&format!("<{name}>"));
    match node {
        Node::Str(s) => out.push_str(&xml_escape(s)),
        Node::Int(i) => out.push_str(&i.to_string()),
        Node::Float(f) => out.push_str(&f.to_string()),
        Node::Bool(b) => out.push_str(&b.to_string()),
        Node::Blob(b) => out.push_str(&base64(b)),
        Node::Time(ms) => out.push_str(&iso8601(*ms)),
        Node::List(_) | Node::Map(_) => {}
        Node::Struct(fields) => {
            for (k, v) in fields {
                to_xml(k, v, out);
            }
        }
    }
    out.push_str(&format!("</{name}>"));
}

/// A payload in the protocol's body format.
fn body(protocol: Protocol, root: &str, node: &Node) -> Vec<u8> {
    match protocol {
        Protocol::RestXml => {
            let mut out = String::new();
            to_xml(root, node, &mut out);
            out.into_bytes()
        }
        _ => serde_json::to_vec(&to_json(node)).unwrap(),
    }
}

fn string_header(value: &str) -> HeaderValue {
    HeaderValue::String(value.to_string())
}

/// A header value for a member of `kind`: of its own type mostly, of any type sometimes.
fn header_for(r: &mut Rng, kind: &ShapeKind) -> HeaderValue {
    let own = match kind {
        ShapeKind::Boolean => 0,
        ShapeKind::Byte => 2,
        ShapeKind::Short => 3,
        ShapeKind::Integer => 4,
        ShapeKind::Long => 5,
        ShapeKind::Blob => *r.pick(&[6, 9]),
        ShapeKind::String => 7,
        ShapeKind::Timestamp => 8,
        _ => 7,
    };
    let wire = if r.chance(20) { r.below(10) } else { own };
    match wire {
        0 | 1 => HeaderValue::Bool(r.chance(50)),
        2 => HeaderValue::Byte(int_for(r, &ShapeKind::Byte) as i8),
        3 => HeaderValue::Short(int_for(r, &ShapeKind::Short) as i16),
        4 => HeaderValue::Int(int_for(r, &ShapeKind::Integer) as i32),
        5 => HeaderValue::Long(int_for(r, &ShapeKind::Long)),
        6 => HeaderValue::ByteArray(Bytes::from(r.bytes(20))),
        7 => HeaderValue::String(text(r, false)),
        8 => HeaderValue::Timestamp(time_ms(r)),
        _ => {
            let mut u = [0u8; 16];
            u.iter_mut().for_each(|b| *b = r.next_u64() as u8);
            HeaderValue::Uuid(u)
        }
    }
}

/// One operation with an event-stream output.
struct Op {
    service: String,
    operation: String,
    model: Arc<ServiceModel>,
    /// The output member holding the stream.
    member: String,
    /// The union's event members (name, shape reference).
    events: Vec<(String, ShapeRef)>,
    /// The union's exception members.
    exceptions: Vec<(String, ShapeRef)>,
}

fn stream_operations(loader: &Loader) -> Vec<Op> {
    let mut ops = Vec::new();
    for service in loader.services().unwrap() {
        let bytes = loader.load(&service, None, FileKind::ServiceModel).unwrap();
        let model = ServiceModel::from_json(&bytes).unwrap();
        if !matches!(
            model.protocol,
            Protocol::RestJson | Protocol::RestXml | Protocol::Json
        ) {
            continue;
        }
        for op in model.operations() {
            let Some(output) = &op.output else { continue };
            let Some(structure) = model.shape(output.shape).as_structure() else {
                continue;
            };
            let Some((member, union)) = structure.members.iter().find_map(|(name, m)| {
                let s = model.shape(m.shape).as_structure()?;
                s.eventstream.then(|| (name.to_string(), s))
            }) else {
                continue;
            };
            let (exceptions, events) = union
                .members
                .iter()
                .map(|(n, m)| (n.to_string(), m.clone()))
                .partition(|(_, m)| {
                    model
                        .shape(m.shape)
                        .as_structure()
                        .is_some_and(|s| s.exception)
                });
            ops.push(Op {
                service: service.clone(),
                operation: op.name.clone(),
                model: model.clone(),
                member,
                events,
                exceptions,
            });
        }
    }
    ops
}

/// What a generated frame is.
fn event_frame(r: &mut Rng, op: &Op, name: &str, sref: &ShapeRef) -> Message {
    let model = &op.model;
    let xml = op.model.protocol == Protocol::RestXml;
    let mut message = Message::default()
        .with_header(":message-type", string_header("event"))
        .with_header(":event-type", string_header(name));
    if r.chance(80) {
        let ct = if xml { "text/xml" } else { "application/json" };
        message = message.with_header(":content-type", string_header(ct));
    }
    let Some(event) = model.shape(sref.shape).as_structure() else {
        return message;
    };
    let mut payload_done = false;
    for (mname, m) in &event.members {
        let kind = &model.shape(m.shape).kind;
        if m.event_header {
            if r.chance(85) {
                message = message.with_header(mname.as_str(), header_for(r, kind));
            }
        } else if m.event_payload {
            payload_done = true;
            message.payload = match kind {
                ShapeKind::Blob => Bytes::from(r.bytes(40)),
                ShapeKind::String => Bytes::from(if r.chance(5) {
                    vec![b'a', 0xff, b'b']
                } else {
                    text(r, false).into_bytes()
                }),
                _ => match gen_value(r, model, m, 3, xml) {
                    Some(node) => Bytes::from(body(
                        model.protocol,
                        model.shape(m.shape).name.as_str(),
                        &node,
                    )),
                    None => Bytes::new(),
                },
            };
        }
    }
    if !payload_done && r.chance(85) {
        if let Some(node) = gen_value(r, model, sref, 3, xml) {
            message.payload = Bytes::from(body(model.protocol, name, &node));
        }
    }
    message
}

fn exception_frame(r: &mut Rng, op: &Op) -> Message {
    let modeled = !op.exceptions.is_empty() && r.chance(70);
    let kind = if modeled {
        op.exceptions[r.below(op.exceptions.len())].0.clone()
    } else {
        r.pick(&["NoSuchThingException", "ThrottlingException", ""])
            .to_string()
    };
    let mut message = Message::default()
        .with_header(":message-type", string_header("exception"))
        .with_header(":exception-type", string_header(&kind));
    if r.chance(30) {
        message = message.with_header(":error-code", string_header("SomeCode"));
    }
    if r.chance(30) {
        message = message.with_header(":error-message", string_header("some message"));
    }
    let xml = op.model.protocol == Protocol::RestXml;
    let key = *r.pick(&["Message", "message", "Reason"]);
    if r.chance(80) {
        let node = Node::Struct(vec![(key.to_string(), Node::Str(text(r, xml)))]);
        message.payload = Bytes::from(body(op.model.protocol, &kind, &node));
    }
    message
}

fn error_frame(r: &mut Rng) -> Message {
    let mut message = Message::default().with_header(":message-type", string_header("error"));
    if r.chance(85) {
        message = message.with_header(
            ":error-code",
            string_header(r.pick::<&str>(&["InternalFailure", "Throttled", ""])),
        );
    }
    if r.chance(85) {
        message = message.with_header(":error-message", string_header(&text(r, false)));
    }
    message
}

/// A frame no event member is read from: an unknown or missing event type, another message
/// type, or a real event whose `:event-type` is not a string (botocore looks the member up by
/// the header's value as it is, and an integer or bytes names none, so the event is skipped).
/// Or a real event whose `:message-type` is bytes: neither `error` nor `exception` to
/// botocore, so it is read as an event.
fn unknown_frame(r: &mut Rng, op: &Op) -> Message {
    let mut message = Message::new(&b"{}"[..]);
    let real_event = (!op.events.is_empty()).then(|| &op.events[r.below(op.events.len())]);
    match (r.below(7), real_event) {
        (0, _) => {
            message = message
                .with_header(":message-type", string_header("event"))
                .with_header(":event-type", string_header("SomethingNew"))
        }
        (1, _) => message = message.with_header(":message-type", string_header("event")),
        (2, _) => {
            message = message
                .with_header(":message-type", string_header("notification"))
                .with_header(":event-type", string_header("Unheard"))
        }
        (4, Some((name, sref))) => {
            message = event_frame(r, op, name, sref);
            message.headers[1].value = HeaderValue::ByteArray(Bytes::from(name.clone()));
        }
        (5, Some((name, sref))) => {
            message = event_frame(r, op, name, sref);
            message.headers[1].value = HeaderValue::Int(7);
        }
        (6, Some((name, sref))) => {
            message = event_frame(r, op, name, sref);
            message.headers[0].value = HeaderValue::ByteArray(Bytes::from_static(b"event"));
        }
        _ => message = message.with_header(":event-type", string_header("AlsoUnknown")),
    }
    message
}

fn initial_frame(r: &mut Rng, op: &Op) -> Message {
    let model = &op.model;
    let output = model
        .operation(&op.operation)
        .unwrap()
        .output
        .clone()
        .unwrap();
    let mut message = Message::default()
        .with_header(":message-type", string_header("event"))
        .with_header(":event-type", string_header("initial-response"));
    if r.chance(80) {
        if let Some(Node::Struct(fields)) = gen_value(r, model, &output, 2, false) {
            let fields = fields
                .into_iter()
                .filter(|(k, _)| *k != op.member)
                .collect();
            message.payload = Bytes::from(body(model.protocol, "", &Node::Struct(fields)));
        }
    }
    message
}

/// Recomputes both CRCs of the frame at `frame[start..]` (after its lengths or headers changed).
fn fix_crcs(frame: &mut [u8]) {
    let crc = crc32fast::hash(&frame[..8]);
    frame[8..12].copy_from_slice(&crc.to_be_bytes());
    let end = frame.len() - 4;
    let crc = crc32fast::hash(&frame[..end]);
    frame[end..].copy_from_slice(&crc.to_be_bytes());
}

/// A frame with this headers section (raw bytes) and payload, lengths and CRCs right.
fn raw_frame(headers: &[u8], payload: &[u8]) -> Vec<u8> {
    let total = 16 + headers.len() + payload.len();
    let mut frame = Vec::with_capacity(total);
    frame.extend_from_slice(&(total as u32).to_be_bytes());
    frame.extend_from_slice(&(headers.len() as u32).to_be_bytes());
    frame.extend_from_slice(&[0; 4]);
    frame.extend_from_slice(headers);
    frame.extend_from_slice(payload);
    frame.extend_from_slice(&[0; 4]);
    fix_crcs(&mut frame);
    frame
}

fn raw_header(name: &[u8], type_id: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![name.len() as u8];
    out.extend_from_slice(name);
    out.push(type_id);
    out.extend_from_slice(value);
    out
}

/// The headers section of an event message, raw.
fn event_headers(event_type: &str) -> Vec<u8> {
    let mut h = raw_header(b":message-type", 7, &[0, 5]);
    h.extend_from_slice(b"event");
    h.extend(raw_header(
        b":event-type",
        7,
        &(event_type.len() as u16).to_be_bytes(),
    ));
    h.extend_from_slice(event_type.as_bytes());
    h
}

/// The kinds of damage a stream can have.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Damage {
    None,
    PreludeCrc,
    MessageCrc,
    PayloadByte,
    Truncated,
    HeaderValuePastEnd,
    HeaderNamePastEnd,
    FixedValuePastEnd,
    UnknownHeaderType,
    DuplicateHeader,
    HeaderNameNotUtf8,
    HeadersTooLong,
    PayloadTooLong,
    TotalTooSmall,
    HeadersPastPayload,
    BadBody,
    TrailingGarbage,
}

const DAMAGES: &[Damage] = &[
    Damage::PreludeCrc,
    Damage::MessageCrc,
    Damage::PayloadByte,
    Damage::Truncated,
    Damage::HeaderValuePastEnd,
    Damage::HeaderNamePastEnd,
    Damage::FixedValuePastEnd,
    Damage::UnknownHeaderType,
    Damage::DuplicateHeader,
    Damage::HeaderNameNotUtf8,
    Damage::HeadersTooLong,
    Damage::PayloadTooLong,
    Damage::TotalTooSmall,
    Damage::HeadersPastPayload,
    Damage::BadBody,
    Damage::TrailingGarbage,
];

/// A damaged frame (or, for `Truncated` and `TrailingGarbage`, bytes to put at the end).
fn damaged_frame(r: &mut Rng, op: &Op, damage: Damage, good: &[u8]) -> Vec<u8> {
    let event = op
        .events
        .first()
        .map(|(n, _)| n.as_str())
        .unwrap_or("Unknown");
    let mut frame = good.to_vec();
    match damage {
        Damage::None | Damage::Truncated | Damage::TrailingGarbage => {}
        Damage::PreludeCrc => frame[8 + r.below(4)] ^= 1 << r.below(8),
        Damage::MessageCrc => {
            let at = frame.len() - 1 - r.below(4);
            frame[at] ^= 1 << r.below(8);
        }
        Damage::PayloadByte => {
            let at = 12 + r.below(frame.len() - 16);
            frame[at] ^= 0x20;
        }
        Damage::HeaderValuePastEnd => {
            let mut h = event_headers(event);
            h.extend(raw_header(b"extra", *r.pick(&[6, 7]), &[0, 40]));
            h.extend_from_slice(b"short");
            frame = raw_frame(&h, b"");
        }
        Damage::HeaderNamePastEnd => {
            let mut h = event_headers(event);
            h.extend_from_slice(&[30, b'a', b'b']);
            frame = raw_frame(&h, b"");
        }
        Damage::FixedValuePastEnd => {
            let mut h = event_headers(event);
            let type_id = *r.pick(&[2u8, 3, 4, 5, 8, 9]);
            h.extend(raw_header(b"n", type_id, &[0]));
            frame = raw_frame(&h, b"");
        }
        Damage::UnknownHeaderType => {
            let mut h = event_headers(event);
            h.extend(raw_header(b"odd", 10 + r.below(246) as u8, &[0, 0, 0, 0]));
            frame = raw_frame(&h, b"");
        }
        Damage::DuplicateHeader => {
            let mut h = event_headers(event);
            h.extend(raw_header(b":event-type", 0, &[]));
            frame = raw_frame(&h, b"");
        }
        Damage::HeaderNameNotUtf8 => {
            let mut h = event_headers(event);
            h.extend(raw_header(b"bad\xff", 0, &[]));
            if r.chance(50) {
                h.extend(raw_header(b"val", 7, &[0, 2, 0xc3, 0x28]));
            }
            frame = raw_frame(&h, b"");
        }
        Damage::HeadersTooLong => {
            let mut prelude = Vec::new();
            let hl: u32 = 128 * 1024 + 1 + r.below(10) as u32;
            prelude.extend_from_slice(&(hl + 16).to_be_bytes());
            prelude.extend_from_slice(&hl.to_be_bytes());
            prelude.extend_from_slice(&crc32fast::hash(&prelude).to_be_bytes());
            frame = prelude;
        }
        Damage::PayloadTooLong => {
            let mut prelude = Vec::new();
            let total: u32 = *r.pick(&[24 * 1024 * 1024 + 17, u32::MAX]);
            prelude.extend_from_slice(&total.to_be_bytes());
            prelude.extend_from_slice(&0u32.to_be_bytes());
            prelude.extend_from_slice(&crc32fast::hash(&prelude).to_be_bytes());
            frame = prelude;
        }
        Damage::TotalTooSmall => {
            let total = r.below(16) as u32;
            let mut f = Vec::new();
            f.extend_from_slice(&total.to_be_bytes());
            f.extend_from_slice(&(r.below(8) as u32).to_be_bytes());
            f.extend_from_slice(&crc32fast::hash(&f).to_be_bytes());
            f.extend_from_slice(&[0; 8]);
            frame = f;
        }
        Damage::HeadersPastPayload => {
            // Headers length larger than the frame leaves room for.
            let hl = u32::from_be_bytes(frame[4..8].try_into().unwrap());
            let extra = 1 + r.below(8) as u32;
            frame[4..8].copy_from_slice(&(hl + extra).to_be_bytes());
            fix_crcs(&mut frame);
        }
        Damage::BadBody => {
            let h = event_headers(event);
            let bad: &[u8] = r.pick::<&[u8]>(&[
                &b"{\"a\":"[..],
                &b"not json"[..],
                &b"<unclosed>"[..],
                &b"[1,2]"[..],
                &b"\"text\""[..],
                &b"  "[..],
            ]);
            frame = raw_frame(&h, bad);
        }
    }
    frame
}

struct Case {
    op: usize,
    bytes: Vec<u8>,
    chunks: Vec<usize>,
    damage: Damage,
}

/// A stream of well-formed frames for `op`, perhaps with one damaged frame in it.
fn stream(r: &mut Rng, op: &Op, damage: Damage) -> Vec<u8> {
    let mut out = Vec::new();
    let rpc = op.model.protocol == Protocol::Json;
    // An RPC stream starts with its initial-response mostly; a REST one has none mostly (an
    // event type its union does not model).
    let initial = if rpc { r.chance(92) } else { r.chance(5) };
    if initial {
        eventstream::encode_into(&initial_frame(r, op), &mut out).unwrap();
    }

    let n = 1 + r.below(4);
    let damaged_at = r.below(n);
    for i in 0..n {
        let message = match r.below(20) {
            0 => exception_frame(r, op),
            1 => error_frame(r),
            2 | 3 => unknown_frame(r, op),
            _ if op.events.is_empty() => unknown_frame(r, op),
            _ => {
                let (name, sref) = &op.events[r.below(op.events.len())];
                event_frame(r, op, name, sref)
            }
        };
        let good = eventstream::encode(&message).unwrap();
        if i == damaged_at && damage != Damage::None {
            out.extend(damaged_frame(r, op, damage, &good));
        } else {
            out.extend(good);
        }
    }
    match damage {
        Damage::Truncated => {
            let cut = 1 + r.below(out.len().min(40));
            out.truncate(out.len() - cut);
        }
        Damage::TrailingGarbage => {
            let garbage = r.bytes(11);
            out.extend(garbage);
        }
        _ => {}
    }
    out
}

/// The made-up services: events with a header member of every type and payload members of each
/// kind, in each protocol.
fn probe_model(service: &str, protocol: &str) -> J {
    let header = |shape: &str| json!({"shape": shape, "eventheader": true});
    let payload = |shape: &str| json!({"shape": shape, "eventpayload": true});
    let rest = protocol != "json";
    let mut output = json!({"type": "structure", "members": {"Stream": {"shape": "Events"}}});
    if rest {
        output["payload"] = json!("Stream");
    } else {
        output["members"]["Note"] = json!({"shape": "S"});
        output["members"]["Count"] = json!({"shape": "L"});
    }
    let mut metadata = json!({
        "apiVersion": "2020-01-01", "endpointPrefix": service, "protocol": protocol,
        "protocols": [protocol], "serviceFullName": service, "serviceId": service,
        "signatureVersion": "v4", "uid": format!("{service}-2020-01-01"),
    });
    if !rest {
        metadata["jsonVersion"] = json!("1.0");
        metadata["targetPrefix"] = json!("Probe");
    }
    json!({
        "version": "2.0",
        "metadata": metadata,
        "operations": {"Subscribe": {
            "name": "Subscribe", "http": {"method": "POST", "requestUri": "/"},
            "output": {"shape": "SubscribeOutput"},
        }},
        "shapes": {
            "SubscribeOutput": output,
            "Events": {"type": "structure", "eventstream": true, "members": {
                "Headers": {"shape": "HeadersEvent"},
                "Text": {"shape": "TextEvent"},
                "Data": {"shape": "DataEvent"},
                "Detail": {"shape": "DetailEvent"},
                "Plain": {"shape": "PlainEvent"},
                "Empty": {"shape": "EmptyEvent"},
                "Oops": {"shape": "Oops"},
                "Fault": {"shape": "Fault"},
            }},
            "HeadersEvent": {"type": "structure", "event": true, "members": {
                "Bool": header("B"), "Byte": header("Y"), "Short": header("Sh"),
                "Int": header("I"), "Long": header("L"), "Blob": header("Bl"),
                "Str": header("S"), "Time": header("T"), "Name": {"shape": "S"},
            }},
            "TextEvent": {"type": "structure", "event": true, "members": {
                "Seq": header("I"), "Body": payload("S"),
            }},
            "DataEvent": {"type": "structure", "event": true, "members": {
                "Id": header("S"), "Bytes": payload("Bl"),
            }},
            "DetailEvent": {"type": "structure", "event": true, "members": {
                "At": header("T"), "Detail": payload("Detail"),
            }},
            "PlainEvent": {"type": "structure", "event": true, "members": {
                "Name": {"shape": "S"}, "Count": {"shape": "L"}, "Flag": {"shape": "B"},
                "When": {"shape": "T"}, "Data": {"shape": "Bl"}, "Ratio": {"shape": "D"},
                "Small": {"shape": "Y"}, "Items": {"shape": "SL"}, "Tags": {"shape": "M"},
                "Nested": {"shape": "Detail"},
            }},
            "EmptyEvent": {"type": "structure", "event": true, "members": {}},
            "Detail": {"type": "structure", "members": {
                "Name": {"shape": "S"}, "Count": {"shape": "I"}, "When": {"shape": "T"},
                "Data": {"shape": "Bl"}, "Flag": {"shape": "B"},
            }},
            "Oops": {"type": "structure", "exception": true, "members": {
                "Message": {"shape": "S"}, "Reason": {"shape": "S"},
            }},
            "Fault": {"type": "structure", "exception": true, "members": {
                "message": {"shape": "S"},
            }},
            "S": {"type": "string"}, "Y": {"type": "byte"}, "Sh": {"type": "short"},
            "I": {"type": "integer"}, "L": {"type": "long"}, "D": {"type": "double"},
            "B": {"type": "boolean"}, "Bl": {"type": "blob"}, "T": {"type": "timestamp"},
            "SL": {"type": "list", "member": {"shape": "S"}},
            "M": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
        },
    })
}

fn probe_data_path() -> std::path::PathBuf {
    sansboto_tests::botocore::write_models(
        "sansboto-es-probe",
        &[
            (
                "esprobe-restjson",
                probe_model("esprobe-restjson", "rest-json"),
            ),
            (
                "esprobe-restxml",
                probe_model("esprobe-restxml", "rest-xml"),
            ),
            ("esprobe-json", probe_model("esprobe-json", "json")),
        ],
    )
}

type Client = sansboto_core::runtime::Client<sansboto_blocking::HttpClient>;

fn error_json(e: &Error) -> J {
    match e {
        Error::Service(s) => json!({"service": [s.code, s.message]}),
        other => json!({"other": other.to_string()}),
    }
}

/// What sansboto reads from the case's bytes, arriving in the case's chunks: the chunks go
/// through a `Decoder` and the whole messages (encoded again) through the client's reader.
fn sansboto_read(client: &Client, op: &Op, case: &Case) -> J {
    let mut decoder = Decoder::new();
    let mut whole = Vec::new();
    let mut framing_error = None;
    let mut at = 0;
    let mut pieces: Vec<&[u8]> = Vec::new();
    for size in &case.chunks {
        pieces.push(&case.bytes[at..at + size]);
        at += size;
    }
    if at < case.bytes.len() {
        pieces.push(&case.bytes[at..]);
    }
    'feed: for piece in pieces {
        decoder.push(piece);
        loop {
            match decoder.next_message() {
                Ok(Some(m)) => eventstream::encode_into(&m, &mut whole).unwrap(),
                Ok(None) => break,
                Err(e) => {
                    framing_error = Some(Error::EventStream(e));
                    break 'feed;
                }
            }
        }
    }
    if framing_error.is_none() {
        if let Err(e) = decoder.finish() {
            framing_error = Some(Error::EventStream(e));
        }
    }
    let mut output = sansboto_core::Map::default();
    output.insert(
        op.member.as_str().into(),
        Value::from(StreamingBody::new(
            Bytes::from(whole.clone()),
            Some(whole.len() as u64),
        )),
    );
    let output = Value::Map(output);
    let mut events = client.event_stream(&op.operation, &output).unwrap();
    let mut result = json!({"events": [], "error": null, "initial": null});
    if op.model.protocol == Protocol::Json {
        match events.initial_response() {
            Ok(initial) => {
                let initial = initial.unwrap_or_default();
                result["initial"] = botocore::parsed_as_json(&Value::Map(initial));
            }
            Err(e) => {
                result["error"] = error_json(&e);
                return result;
            }
        }
    }
    while let Some(event) = events.next_event() {
        match event {
            Ok(v) => result["events"]
                .as_array_mut()
                .unwrap()
                .push(botocore::parsed_as_json(&v)),
            Err(e) => {
                result["error"] = error_json(&e);
                return result;
            }
        }
    }
    if let Some(e) = framing_error {
        result["error"] = error_json(&e);
    }
    result
}

#[test]
fn event_streams_are_read_as_botocore_reads_them() {
    let data_path = probe_data_path();
    let loader = Loader::new().with_data_path(&data_path);
    let ops = stream_operations(&loader);
    assert!(
        ops.len() >= 20,
        "only {} event-stream operations",
        ops.len()
    );
    let mut r = Rng::new(0xe5e1_57ea_0001);
    let mut cases = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let probe = op.service.starts_with("esprobe-");
        let (good, damaged) = if probe { (500, 150) } else { (40, 20) };
        for _ in 0..good {
            let bytes = stream(&mut r, op, Damage::None);
            cases.push(Case {
                op: i,
                bytes,
                chunks: Vec::new(),
                damage: Damage::None,
            });
        }
        for _ in 0..damaged {
            let damage = *r.pick(DAMAGES);
            let bytes = stream(&mut r, op, damage);
            let chunks = if r.chance(30) && !bytes.is_empty() {
                vec![1 + r.below(bytes.len())]
            } else {
                Vec::new()
            };
            cases.push(Case {
                op: i,
                bytes,
                chunks,
                damage,
            });
        }
        // One stream split in two at every position, and one fed byte at a time.
        if probe || i % 5 == 0 {
            let bytes = stream(&mut r, op, Damage::None);
            for at in 1..bytes.len() {
                cases.push(Case {
                    op: i,
                    bytes: bytes.clone(),
                    chunks: vec![at],
                    damage: Damage::None,
                });
            }
            let chunks = vec![1; bytes.len()];
            cases.push(Case {
                op: i,
                bytes,
                chunks,
                damage: Damage::None,
            });
        }
    }
    cases.push(Case {
        op: 0,
        bytes: Vec::new(),
        chunks: Vec::new(),
        damage: Damage::None,
    });

    let described: Vec<J> = cases
        .iter()
        .map(|c| {
            json!({"service": ops[c.op].service, "operation": ops[c.op].operation,
                   "bytes": base64(&c.bytes), "chunks": c.chunks})
        })
        .collect();
    let cases_file = data_path.join("cases.json");
    std::fs::write(&cases_file, serde_json::to_vec(&described).unwrap()).unwrap();
    let theirs = botocore::run(
        &format!("{}{READ}", botocore::PLAIN),
        &[
            ("CASES", cases_file.to_str().unwrap()),
            ("AWS_DATA_PATH", data_path.to_str().unwrap()),
        ],
    );
    let theirs = theirs.as_array().expect("a list of results");
    assert_eq!(theirs.len(), cases.len());

    let core = Session::new(
        SessionInputs {
            env: HashMap::new(),
            config_file: None,
            credentials_file: None,
            profile: None,
            random_seed: 7,
        },
        Arc::new(sansboto_host::BotocoreData(loader)),
    )
    .unwrap();
    let session = RuntimeSession::<sansboto_blocking::HttpClient>::from_core(Ok(Arc::new(core)));
    let mut clients: HashMap<String, Client> = HashMap::new();
    let mut differences = Vec::new();
    let mut by_damage: HashMap<String, (usize, usize)> = HashMap::new();
    let mut truncated_apart = 0;
    let mut wrong_type_apart = 0;
    let (mut events_total, mut service_errors, mut other_errors) = (0, 0, 0);
    for (case, theirs) in cases.iter().zip(theirs) {
        let op = &ops[case.op];
        let client = clients.entry(op.service.clone()).or_insert_with(|| {
            session
                .client(&op.service)
                .region("us-east-1")
                .credentials("AKID", "SECRET", None)
                .build()
                .unwrap_or_else(|e| panic!("{}: {e}", op.service))
        });
        let ours = sansboto_read(client, op, case);
        events_total += ours["events"].as_array().map_or(0, Vec::len);
        service_errors += usize::from(ours["error"].get("service").is_some());
        other_errors += usize::from(ours["error"].get("other").is_some());
        let same_error = match (&ours["error"], &theirs["error"]) {
            (J::Null, J::Null) => true,
            (a, b) if a.get("service").is_some() || b.get("service").is_some() => a == b,
            (a, b) => a.get("other").is_some() && b.get("other").is_some(),
        };
        let mut agree = same_error
            && ours["events"] == theirs["events"]
            && ours["initial"] == theirs["initial"];
        // Deliberate: a payload of another JSON type than an object (a list, a string) is kept
        // as sent, where botocore's parser fails with a Python error (README).
        let theirs_text = theirs["error"]["other"].as_str().unwrap_or_default();
        if !agree
            && case.damage == Damage::BadBody
            && theirs_text.starts_with("AttributeError: '")
            && theirs_text.ends_with("object has no attribute 'get'")
            && ours["events"].as_array().is_some_and(|o| {
                theirs["events"]
                    .as_array()
                    .is_some_and(|t| o.starts_with(t))
            })
        {
            wrong_type_apart += 1;
            agree = true;
        }
        // Deliberate: a cut-off end is an error here, botocore stops quietly.
        if !agree
            && ours["events"] == theirs["events"]
            && theirs["error"].is_null()
            && ours["error"]["other"]
                .as_str()
                .is_some_and(|t| t.contains("ended inside a frame"))
        {
            truncated_apart += 1;
            agree = true;
        }
        let entry = by_damage.entry(format!("{:?}", case.damage)).or_default();
        entry.0 += 1;
        if !agree {
            entry.1 += 1;
            differences.push(format!(
                "{}.{} {:?} chunks {:?} bytes {}\n  sansboto: {ours}\n  botocore: {theirs}",
                op.service,
                op.operation,
                case.damage,
                case.chunks,
                base64(&case.bytes)
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&data_path);
    let mut damage_counts: Vec<_> = by_damage.into_iter().collect();
    damage_counts.sort();
    println!(
        "{} streams of {} operations ({events_total} events, {service_errors} service errors, \
         {other_errors} other errors); apart on purpose: {truncated_apart} cut-off streams, \
         {wrong_type_apart} payloads of another JSON type; \
         by damage (cases, differing): {damage_counts:?}",
        cases.len(),
        ops.len()
    );
    let shown: Vec<&String> = differences.iter().take(40).collect();
    assert!(
        differences.is_empty(),
        "{} of {} streams read differently from botocore:\n{}",
        differences.len(),
        cases.len(),
        shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
