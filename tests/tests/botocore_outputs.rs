//! Responses parsed by sansboto and by botocore 1.44.5 from the same bytes, for every operation
//! of every JSON, REST-JSON, query, EC2 and REST-XML service (about 16,000; streaming,
//! event-stream and payload-bound outputs aside): a body made from the operation's output shape,
//! every member set (strings with a non-ASCII letter, timestamps in each member's wire format
//! with milliseconds, blobs as base64, documents, `jsonvalue` strings, unions; XML with wrapped
//! and flattened lists and maps, attributes, the query result wrapper) and, for the REST
//! protocols, the members bound to headers (HTTP dates, comma lists, base64 JSON, prefixed
//! maps). botocore's own parser and `ServiceClient::parse_operation` read them; the results are
//! compared (`ResponseMetadata` aside, and what `handled_apart` says). Where botocore's parser
//! refuses a body, sansboto must too.

mod e2e_support;

use std::collections::BTreeMap;

use base64::Engine as _;
use e2e_support::core_session;
use sansboto_core::session::ClientOptions;
use sansboto_core::Value;
use sansboto_tests::botocore;

/// For each operation: the body and headers made from its output shape and what botocore's
/// parser made of them (timestamps as ISO 8601 UTC, blobs as `{"$blob": base64}`).
const BOTOCORE_PARSES: &str = r#"
import datetime, base64, email.utils
from botocore import parsers
from urllib3._collections import HTTPHeaderDict

def generate(shape, depth, name):
    kind = shape.type_name
    if kind == 'structure':
        if depth > 3:
            return {}
        if shape.is_tagged_union:
            member = sorted(shape.members)[0]
            return {member: generate(shape.members[member], depth + 1, member)}
        return {m: generate(ms, depth + 1, m) for m, ms in shape.members.items()
                if not ms.serialization.get('eventstream')}
    if kind == 'list':
        return [] if depth > 4 else [generate(shape.member, depth + 1, name)]
    if kind == 'map':
        return {} if depth > 4 else {'key x': generate(shape.value, depth + 1, name)}
    if kind == 'string':
        if shape.enum:
            return shape.enum[-1]
        if shape.metadata.get('jsonvalue'):
            return {'j': [1, 'two']}
        return f'{name} é'
    if kind in ('integer', 'long'):
        return 7
    if kind in ('float', 'double'):
        return 2.5
    if kind == 'boolean':
        return True
    if kind == 'timestamp':
        return datetime.datetime(2020, 1, 2, 3, 4, 5, 123000, tzinfo=datetime.timezone.utc)
    if kind == 'blob':
        return b'blob \x00\xff'
    if kind == 'document':
        return {'a': [1, 'b', None, True]}
    return None

def wire(shape, value):
    kind = shape.type_name
    if kind == 'structure':
        return {ms.serialization.get('name', m): wire(ms, value[m])
                for m, ms in shape.members.items() if m in value}
    if kind == 'list':
        return [wire(shape.member, v) for v in value]
    if kind == 'map':
        return {k: wire(shape.value, v) for k, v in value.items()}
    if kind == 'timestamp':
        form = shape.serialization.get('timestampFormat', 'unixtimestamp')
        if form == 'iso8601':
            return value.strftime('%Y-%m-%dT%H:%M:%S.%fZ')
        if form == 'rfc822':
            return email.utils.format_datetime(value, usegmt=True)
        return value.timestamp()
    if kind == 'blob':
        return base64.b64encode(value).decode()
    if kind == 'string' and shape.metadata.get('jsonvalue'):
        return json.dumps(value)
    return value

def header_text(shape, value, name):
    kind = shape.type_name
    if kind == 'string':
        if shape.enum:
            return shape.enum[-1]
        if shape.metadata.get('jsonvalue'):
            return base64.b64encode(json.dumps(value).encode()).decode()
        return f'{name} x'
    if kind == 'boolean':
        return 'true'
    if kind == 'timestamp':
        form = shape.serialization.get('timestampFormat', 'rfc822')
        if form == 'iso8601':
            return value.strftime('%Y-%m-%dT%H:%M:%S.%fZ')
        if form == 'unixtimestamp':
            return str(value.timestamp())
        return email.utils.format_datetime(value.replace(microsecond=0), usegmt=True)
    if kind == 'blob':
        return base64.b64encode(value).decode()
    if kind == 'list':
        return ', '.join(header_text(shape.member, v, name) for v in value)
    return str(value)

def headers_of(shape, value):
    headers = {}
    for m, ms in shape.members.items():
        where = ms.serialization.get('location')
        if where == 'header':
            headers[ms.serialization.get('name', m)] = header_text(ms, value[m], m)
        elif where == 'headers':
            prefix = ms.serialization.get('name', '')
            headers[prefix + 'keyx'] = header_text(ms.value, 'unused', m)
    return headers

def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items() if k != 'ResponseMetadata'}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, datetime.datetime):
        v = v.astimezone(datetime.timezone.utc)
        text = v.strftime('%Y-%m-%dT%H:%M:%S')
        if v.microsecond:
            text += ('.%06d' % v.microsecond).rstrip('0')
        return text + 'Z'
    if isinstance(v, (bytes, bytearray)):
        return {'$blob': base64.b64encode(bytes(v)).decode()}
    return v

def xml_text(shape, value):
    kind = shape.type_name
    if kind == 'timestamp':
        form = shape.serialization.get('timestampFormat', 'iso8601')
        if form == 'unixtimestamp':
            return str(value.timestamp())
        if form == 'rfc822':
            return email.utils.format_datetime(value, usegmt=True)
        return value.strftime('%Y-%m-%dT%H:%M:%S.%fZ')
    if kind == 'blob':
        return base64.b64encode(value).decode()
    if kind == 'boolean':
        return 'true' if value else 'false'
    return str(value)

def xml_element(name, shape, value, ec2):
    # One element `name` holding `value`; a flattened list or map is several.
    esc = lambda t: t.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    kind = shape.type_name
    if kind == 'structure':
        attributes = ''.join(
            f' {ms.serialization["name"]}="{esc(xml_text(ms, value[m]))}"'
            for m, ms in shape.members.items()
            if ms.serialization.get('xmlAttribute') and m in value and ':' not in ms.serialization['name'])
        inner = ''.join(xml_member(m, ms, value[m], ec2) for m, ms in shape.members.items()
                        if m in value and not ms.serialization.get('xmlAttribute'))
        return f'<{name}{attributes}>{inner}</{name}>'
    if kind == 'list':
        member = shape.member.serialization.get('name', 'item' if ec2 else 'member')
        if shape.serialization.get('flattened'):
            return ''.join(xml_element(name, shape.member, v, ec2) for v in value)
        return f'<{name}>' + ''.join(xml_element(member, shape.member, v, ec2) for v in value) + f'</{name}>'
    if kind == 'map':
        key = shape.key.serialization.get('name', 'key')
        val = shape.value.serialization.get('name', 'value')
        pairs = [xml_element(key, shape.key, k, ec2) + xml_element(val, shape.value, v, ec2)
                 for k, v in value.items()]
        if shape.serialization.get('flattened'):
            return ''.join(f'<{name}>{p}</{name}>' for p in pairs)
        return f'<{name}>' + ''.join(f'<entry>{p}</entry>' for p in pairs) + f'</{name}>'
    return f'<{name}>{esc(xml_text(shape, value))}</{name}>'

def xml_member(member, shape, value, ec2):
    name = shape.serialization.get('name', member)
    if shape.type_name == 'list' and shape.serialization.get('flattened'):
        name = shape.member.serialization.get('name', name)
    return xml_element(name, shape, value, ec2)

def xml_body(protocol, op, shape, value):
    members = ''.join(xml_member(m, ms, value[m], protocol == 'ec2')
                      for m, ms in shape.members.items()
                      if m in value and 'location' not in ms.serialization
                      and not ms.serialization.get('xmlAttribute'))
    if protocol == 'query':
        wrapper = shape.serialization.get('resultWrapper')
        inner = f'<{wrapper}>{members}</{wrapper}>' if wrapper else members
        return f'<{op.name}Response>{inner}<ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></{op.name}Response>'
    if protocol == 'ec2':
        return f'<{op.name}Response><requestId>id</requestId>{members}</{op.name}Response>'
    return xml_element(shape.serialization.get('name', shape.name), shape, value, False)

out = []
for service in session.get_available_services():
    model = session.get_service_model(service)
    if model.protocol not in ('json', 'rest-json', 'query', 'ec2', 'rest-xml'):
        continue
    parser = parsers.create_parser(model.protocol)
    for name in model.operation_names:
        op = model.operation_model(name)
        shape = op.output_shape
        if shape is None or op.has_streaming_output or op.has_event_stream_output:
            continue
        if shape.serialization.get('payload'):
            continue
        value = generate(shape, 0, 'v')
        if model.protocol in ('json', 'rest-json'):
            body = json.dumps({ms.serialization.get('name', m): wire(ms, value[m])
                               for m, ms in shape.members.items()
                               if 'location' not in ms.serialization and m in value})
        else:
            body = xml_body(model.protocol, op, shape, value)
        headers = headers_of(shape, value) if model.protocol.startswith('rest') else {}
        case = {'service': service, 'operation': name, 'body': body, 'headers': headers}
        try:
            case['parsed'] = plain(parser.parse(
                {'status_code': 200, 'headers': HTTPHeaderDict(headers), 'body': body.encode()},
                shape))
        except Exception as e:
            case['error'] = type(e).__name__ + ': ' + str(e)
        out.append(case)
emit(out)
"#;

/// A parsed value as the botocore side writes it: blobs tagged, timestamps as ISO 8601 UTC.
fn plain(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Blob(bytes) => serde_json::json!({
            "$blob": base64::engine::general_purpose::STANDARD.encode(bytes)
        }),
        Value::List(items) => J::Array(items.iter().map(plain).collect()),
        Value::Map(map) => J::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "ResponseMetadata")
                .map(|(k, v)| (k.to_string(), plain(v)))
                .collect(),
        ),
        Value::Document(inner) => plain(inner),
        other => other.to_json(),
    }
}

/// Where the comparison leaves something apart (botocore's parser runs here without its
/// handlers); true when the case is not compared at all.
fn handled_apart(
    service: &str,
    operation: &str,
    ours: &mut serde_json::Value,
    theirs: &mut serde_json::Value,
) -> bool {
    match (service, operation) {
        // The answer's root element is the value; botocore's handler reads it after parsing
        // (`parse_get_bucket_location`), as sansboto's customization does (e2e tests).
        ("s3", "GetBucketLocation") => true,
        // `ExpiresString` is added by a handler in botocore too (`handle_expires_header`).
        ("s3", "GetObject" | "HeadObject") => {
            if let Some(map) = ours.as_object_mut() {
                map.remove("ExpiresString");
            }
            false
        }
        // Two members under one element name, `Events` (a list) and the deprecated `Event`:
        // botocore's parser gives the list every occurrence and the scalar its element
        // objects' text; sansboto gives the list every occurrence and the scalar nothing.
        ("s3", "GetBucketNotification") => {
            for config in [&mut *ours, &mut *theirs]
                .into_iter()
                .filter_map(|v| v.as_object_mut())
                .flat_map(|v| v.values_mut())
                .filter_map(|v| v.as_object_mut())
            {
                config.remove("Event");
            }
            false
        }
        _ => false,
    }
}

#[test]
fn every_output_parses_as_botocore_parses_it() {
    let cases = botocore::run(BOTOCORE_PARSES, &[]);
    let cases = cases.as_array().expect("a list of outputs");
    assert!(cases.len() > 10_000, "only {} outputs", cases.len());
    let session = core_session(&[], None, None);
    let options = ClientOptions {
        region: Some("us-east-1".into()),
        ..Default::default()
    };
    let mut clients = BTreeMap::new();
    let mut differences = Vec::new();
    for case in cases {
        let text = |key: &str| case[key].as_str().unwrap_or_default();
        let (service, operation, body) = (text("service"), text("operation"), text("body"));
        let client = clients
            .entry(service.to_string())
            .or_insert_with(|| session.service_client(service, &options).unwrap());
        let mut response = http::Response::builder().status(200);
        for (name, value) in case["headers"].as_object().into_iter().flatten() {
            response = response.header(name.as_str(), value.as_str().unwrap_or_default());
        }
        let response = response
            .body(sansboto_core::Body::from(body.as_bytes().to_vec()))
            .unwrap();
        let ours = client.parse_operation(operation, response, 0);
        let name = format!("{service}.{operation} {body}");
        match (ours, case.get("parsed")) {
            (Ok(ours), Some(theirs)) => {
                let mut ours = plain(&ours);
                let mut theirs = theirs.clone();
                if !handled_apart(service, operation, &mut ours, &mut theirs) && ours != theirs {
                    differences.push(format!("{name}\n  sansboto: {ours}\n  botocore: {theirs}"));
                }
            }
            (Err(_), None) => {}
            (Ok(ours), None) => differences.push(format!(
                "{name}\n  botocore refused ({}), sansboto: {}",
                text("error"),
                plain(&ours)
            )),
            (Err(e), Some(theirs)) => {
                differences.push(format!("{name}\n  sansboto: {e}\n  botocore: {theirs}"))
            }
        }
    }
    let shown: Vec<&str> = differences.iter().take(40).map(String::as_str).collect();
    assert!(
        differences.is_empty(),
        "{} of {} outputs differ from botocore's parse:\n{}",
        differences.len(),
        cases.len(),
        shown.join("\n")
    );
}
