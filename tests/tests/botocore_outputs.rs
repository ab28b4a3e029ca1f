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
//!
//! Error answers the same way (about 8,400): every modeled error shape of those services in its
//! protocol's error document, members set, and answers no protocol writes; botocore's error dict
//! (with the modeled shape's fields, as its endpoint adds them) against the `ServiceError`'s
//! `fields` and `code`.

mod e2e_support;

use std::collections::BTreeMap;

use e2e_support::core_session;
use sansboto_core::session::ClientOptions;
use sansboto_core::Value;
use sansboto_tests::botocore;

/// Python shared by both suites: values made from a shape (`generate`), their wire forms in
/// JSON (`wire`), XML (`xml_member`, `xml_body`) and headers (`headers_of`). Run after
/// [`botocore::PLAIN`], which makes botocore's parse comparable.
const RESPONSE_BUILDERS: &str = r#"
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

def output_cases():
    # Every operation of the JSON, REST-JSON, query, EC2 and REST-XML services whose output is
    # a structure read from the body, with a value made from its shape.
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
            yield service, model, parser, op, shape, generate(shape, 0, 'v')

def body_of(model, op, shape, value):
    if model.protocol in ('json', 'rest-json'):
        return json.dumps({ms.serialization.get('name', m): wire(ms, value[m])
                           for m, ms in shape.members.items()
                           if 'location' not in ms.serialization and m in value})
    return xml_body(model.protocol, op, shape, value)

def parsed_by_botocore(case, parser, shape):
    # `case` with what botocore's parser made of its answer (`parsed`), or why it failed.
    try:
        case['parsed'] = plain(parser.parse(
            {'status_code': 200, 'headers': HTTPHeaderDict(case['headers']),
             'body': case['body'].encode()}, shape))
    except Exception as e:
        case['error'] = type(e).__name__ + ': ' + str(e)
    return case

"#;

/// For each operation: the body and headers made from its output shape and what botocore's
/// parser made of them.
const OUTPUTS: &str = r#"
out = []
for service, model, parser, op, shape, value in output_cases():
    headers = headers_of(shape, value) if model.protocol.startswith('rest') else {}
    case = {'service': service, 'operation': op.name, 'body': body_of(model, op, shape, value),
            'headers': headers}
    out.append(parsed_by_botocore(case, parser, shape))
emit(out)
"#;

/// For every modeled error shape of every service, an error answer in the service's protocol
/// (JSON's `__type` with and without a namespace, `x-amzn-errortype`, `code`, the query-compatible
/// header; query's `ErrorResponse`, EC2's `Response/Errors`, S3's bare `Error`) carrying the
/// shape's members, and a few answers that are no protocol's (empty bodies, an HTML page, text):
/// what botocore's endpoint makes of each.
/// [`OUTPUTS`]' bodies with one thing a server (or a proxy, or a newer API version) might send
/// differently: in a JSON body a scalar of another type (a number as text, text for a number, a
/// float for an integer, a boolean as text, a timestamp as ISO text or as a string of digits, a
/// number beyond 64 bits), `null`, a member left out or one the model does not know; in an XML body an element's text
/// made empty, padded, non-numeric or exponent-form, an element left out, an unknown element
/// added; in a REST answer, instead, one header's text (empty, padded, another type, dates in
/// each form, a list, non-ASCII). The place and the change are chosen by a seeded generator.
const MUTATED_OUTPUTS: &str = r#"
import random, copy
import xml.etree.ElementTree as ET
rng = random.Random(20261204)
JSON_VALUES = ['7', 7, 7.5, True, 'true', None, '', '2020-01-02T03:04:05Z', '1577934245', -1,
               2 ** 63, '1.5e3', 'text']
def json_sites(value, path):
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from json_sites(v, path + [k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from json_sites(v, path + [i])
def mutate_json(body):
    doc = json.loads(body)
    places = [(p, v) for p, v in json_sites(doc, []) if p]
    if not places:
        return None, None
    path, old = rng.choice(places)
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    kind = rng.random()
    if kind < 0.15 and isinstance(parent, dict):
        del parent[path[-1]]
        what = 'left out'
    elif kind < 0.25 and isinstance(parent, dict):
        parent['NotInTheModel'] = {'x': 1}
        what = 'an unknown member beside'
    elif isinstance(old, (dict, list)):
        # A server sends a container as null, not as a scalar.
        parent[path[-1]] = None
        what = 'set to null'
    else:
        new = rng.choice(JSON_VALUES)
        parent[path[-1]] = new
        what = 'set to ' + json.dumps(new)
    return json.dumps(doc), '%s %s' % ('.'.join(map(str, path)), what)
XML_TEXTS = ['', ' 7 ', 'abc', '1e3', '7.0', 'TRUE', '-0', '2020-01-02', '1577934245']
HEADER_TEXTS = ['', ' 7 ', 'abc', 'TRUE', 'false', '1e3', '-0', 'Thu, 01 Jan 1970 00:00:07 GMT',
                '2020-01-02T03:04:05Z', '1577934245', '1577934245.5', 'a, b', 'été']
def mutate_xml(body):
    root = ET.fromstring(body)
    elements = [e for e in root.iter() if e is not root]
    if not elements:
        return None, None
    element = rng.choice(elements)
    kind = rng.random()
    if kind < 0.15:
        parent = next(p for p in root.iter() if element in list(p))
        parent.remove(element)
        what = 'left out'
    elif kind < 0.25:
        ET.SubElement(element, 'NotInTheModel').text = 'x'
        what = 'an unknown element inside'
    elif len(element) == 0:
        element.text = rng.choice(XML_TEXTS)
        what = 'text %r' % element.text
    else:
        element.text = ' '
        what = 'blank text'
    return ET.tostring(root, encoding='unicode'), '%s %s' % (element.tag, what)
out = []
for service, model, parser, op, shape, value in output_cases():
    if model.protocol in ('json', 'rest-json'):
        body, what = mutate_json(body_of(model, op, shape, value))
    else:
        body, what = mutate_xml(body_of(model, op, shape, value))
    if body is None:
        continue
    headers = headers_of(shape, value) if model.protocol.startswith('rest') else {}
    if headers and rng.random() < 0.3:
        # A header instead: the body as generated, one header's text changed.
        body = body_of(model, op, shape, value)
        header = rng.choice(sorted(headers))
        headers[header] = rng.choice(HEADER_TEXTS)
        what = 'header %s %r' % (header, headers[header])
    case = {'service': service, 'operation': op.name, 'body': body, 'headers': headers,
            'what': what}
    out.append(parsed_by_botocore(case, parser, shape))
emit(out)
"#;

const ERRORS: &str = r#"
from botocore import parsers as _parsers
from urllib3._collections import HTTPHeaderDict as _Headers

def error_envelope(protocol, service_id, model, code, message, body_members, variant):
    # The body and headers a service of `protocol` answers an error with; `variant` picks one
    # of the forms each protocol's services are seen to use.
    headers = {'x-amzn-requestid': 'req-1'}
    if protocol in ('json', 'rest-json'):
        body = dict(body_members)
        namespace = model.metadata.get('targetPrefix', 'com.amazonaws.' + model.endpoint_prefix)
        if variant == 0:
            body['__type'] = f'{namespace}#{code}'
            body['message'] = message
        elif variant == 1:
            body['__type'] = code
            body['Message'] = message
        elif variant == 2:
            headers['x-amzn-errortype'] = f'{code}:http://internal.amazon.com/coral/com.amazon.coral.validate/'
            body['message'] = message
        elif variant == 3:
            body['code'] = code
            body['message'] = message
        elif variant == 4:
            body['__type'] = f'{namespace}#{code}:http://internal.amazon.com/coral/{namespace}/'
            body['message'] = message
        else:
            headers['x-amzn-errortype'] = f'aws.protocoltests.{namespace}#{code}'
            body['__type'] = 'NotTheCode'
        if model.metadata.get('awsQueryCompatible') and variant == 1:
            headers['x-amzn-query-error'] = f'{code}.Query;Sender'
        return json.dumps(body), headers
    # Odd variants are indented, as some services write their XML.
    gap = '\n    ' if variant % 2 else ''
    inner = gap.join(body_members)
    esc = lambda t: t.replace('&', '&amp;').replace('<', '&lt;')
    if protocol == 'query':
        return (f'<ErrorResponse xmlns="https://x.amazonaws.com/doc/">{gap}<Error><Type>Sender</Type>'
                f'<Code>{code}</Code>{gap}<Message>{esc(message)}</Message>{gap}{inner}</Error>{gap}'
                f'<RequestId>req-2</RequestId></ErrorResponse>'), headers
    if protocol == 'ec2':
        return (f'<Response>{gap}<Errors><Error><Code>{code}</Code>{gap}<Message>{esc(message)}</Message>'
                f'</Error></Errors>{gap}<RequestID>req-2</RequestID></Response>'), headers
    if service_id == 'S3':
        # S3 adds what it knows of the request (`BucketName`, `Endpoint`, ...) to its errors.
        extra = '<BucketName>b</BucketName><Endpoint>b.s3.eu-west-1.amazonaws.com</Endpoint>' if variant % 2 else ''
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{gap}<Code>{code}</Code>{gap}'
                f'<Message>{esc(message)}</Message>{gap}{inner}{extra}<RequestId>req-2</RequestId>'
                f'<HostId>host-2</HostId>{gap}</Error>'), headers
    return (f'<ErrorResponse xmlns="https://x.amazonaws.com/doc/"><Error><Type>Sender</Type>'
            f'<Code>{code}</Code><Message>{esc(message)}</Message>{inner}</Error>'
            f'<RequestId>req-2</RequestId></ErrorResponse>'), headers

# Answers that are not any protocol's error document: what a proxy, a load balancer or a HEAD
# request gives.
GENERIC = [
    (404, '', {}),
    (500, '', {}),
    (503, '<html><body><h1>503 Service Unavailable</h1></body></html>', {'content-type': 'text/html'}),
    (502, 'Bad Gateway', {}),
    (400, '{}', {}),
    (403, '<Error/>', {}),
    # Cut off, of the other protocol, with nulls, a byte-order mark, a namespace prefix, a
    # WAF's HTML 403, a gateway's JSON.
    (500, '{"__type": "Thrott', {}),
    (500, '<ErrorResponse><Error><Code>Thrott', {}),
    (400, '{"__type": null, "message": null}', {}),
    (400, '{"code": "Throttling", "Message": "slow down"}', {}),
    (400, '<ErrorResponse><Error><Code>Throttling</Code><Message>slow down</Message></Error></ErrorResponse>', {}),
    (400, '\ufeff<?xml version="1.0"?><Error><Code>Throttling</Code></Error>', {}),
    (400, '<a:Error xmlns:a="urn:x"><a:Code>Throttling</a:Code></a:Error>', {}),
    (403, '<html><head><title>403 Forbidden</title></head><body>Request blocked.</body></html>', {'content-type': 'text/html'}),
    (504, '{"message": "Endpoint request timed out"}', {'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerErrorException'}),
    (429, '', {'x-amzn-errortype': 'TooManyRequestsException:http://internal.amazon.com/'}),
    # Bytes that are not UTF-8: in a message, cut off, behind a UTF-16 byte-order mark, in a 5xx
    # HTML page.
    (400, b'{"__type": "Throttling", "message": "bad \xff byte"}', {}),
    (400, b'<ErrorResponse><Error><Code>Throttling</Code><Message>bad \xe9</Message></Error></ErrorResponse>', {}),
    (500, b'{"__type": "Thrott\xc3', {}),
    (400, b'\xff\xfe{\x00}\x00', {}),
    (503, b'<html><body>Indisponible \xe0 cette heure</body></html>', {'content-type': 'text/html'}),
    # Blank to Python's `bytes.strip()`, not to Rust's `trim_ascii` (a vertical tab).
    (500, '\x0b\x0c ', {}),
    (502, '\x0b<html>down</html>', {}),
]

def botocore_error(service_model, op, status, headers, body):
    # What botocore's endpoint makes of an error answer: its `before-parse` handlers, the output
    # shape's parse, then the modeled error shape's fields (`Endpoint._add_modeled_error_fields`).
    response = {'status_code': status, 'headers': _Headers(headers),
                'body': body if isinstance(body, bytes) else body.encode(),
                'context': {'operation_name': op.name}}
    customized = {}
    session.get_component('event_emitter').emit(
        f'before-parse.{service_model.service_id.hyphenize()}.{op.name}', operation_model=op,
        response_dict=response, customized_response_dict=customized)
    parser = _parsers.create_parser(service_model.resolved_protocol)
    parsed = parser.parse(response, op.output_shape)
    parsed.update(customized)
    code = parsed.get('Error', {}).get('Code')
    shape = service_model.shape_for_error_code(code) if code is not None else None
    if shape is not None:
        parsed.update(parser.parse(response, shape))
    return plain(parsed)

out = []
for service in session.get_available_services():
    model = session.get_service_model(service)
    protocol = model.resolved_protocol
    if protocol not in ('json', 'rest-json', 'query', 'ec2', 'rest-xml'):
        continue
    first_op = None
    raised_by = {}
    for name in model.operation_names:
        op = model.operation_model(name)
        if op.has_event_stream_output:
            continue
        first_op = first_op or op
        for error in op.error_shapes:
            raised_by.setdefault(error.name, op)
    if first_op is None:
        continue
    cases = []
    for i, shape in enumerate(model.error_shapes):
        op = raised_by.get(shape.name, first_op)
        # The document's own code and message stand for members of those names.
        value = {m: v for m, v in generate(shape, 0, 'e').items()
                 if shape.members[m].serialization.get('name', m).lower() not in ('code', 'message')}
        if protocol in ('json', 'rest-json'):
            members = {ms.serialization.get('name', m): wire(ms, value[m])
                       for m, ms in shape.members.items()
                       if 'location' not in ms.serialization and m in value}
        else:
            members = [xml_member(m, ms, value[m], protocol == 'ec2')
                       for m, ms in shape.members.items()
                       if m in value and 'location' not in ms.serialization
                       and not ms.serialization.get('xmlAttribute')]
        body, headers = error_envelope(protocol, model.service_id, model, shape.error_code,
                                       'it failed é', members, i % 6)
        if protocol.startswith('rest'):
            for name, text in headers_of(shape, value).items():
                # A member bound to the error-type header holds what the service sends there.
                bound = name.lower() == 'x-amzn-errortype'
                if not (bound and 'x-amzn-errortype' in headers):
                    headers[name] = shape.error_code if bound else text
        status = shape.metadata.get('error', {}).get('httpStatusCode', 400)
        cases.append((op, status, headers, body))
    for status, body, headers in GENERIC:
        cases.append((first_op, status, dict(headers, **{'x-amzn-requestid': 'req-1'}), body))
    for op, status, headers, body in cases:
        case = {'service': service, 'operation': op.name, 'status': status,
                'headers': headers, 'body': body}
        if isinstance(body, bytes):
            case['body'] = body.decode('utf-8', 'replace')
            case['body_hex'] = body.hex()
        try:
            case['parsed'] = botocore_error(model, op, status, headers, body)
        except Exception as e:
            case['error'] = type(e).__name__ + ': ' + str(e)
        out.append(case)
emit(out)
"#;

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

/// Runs `snippet` (after the response builders) in botocore and parses each answer it
/// describes with sansboto's client for the case's service (one client per service): each case
/// with sansboto's parse, at least `at_least` of them.
fn parsed_by_both(
    snippet: &str,
    at_least: usize,
) -> Vec<(serde_json::Value, Result<Value, sansboto_core::Error>)> {
    let cases = botocore::run(
        &format!("{}{RESPONSE_BUILDERS}{snippet}", botocore::PLAIN),
        &[],
    );
    let serde_json::Value::Array(cases) = cases else {
        panic!("not a list of cases: {cases}");
    };
    assert!(cases.len() >= at_least, "only {} answers", cases.len());
    let session = core_session(&[], None, None);
    let options = ClientOptions {
        region: Some("us-east-1".into()),
        ..Default::default()
    };
    let mut clients = BTreeMap::new();
    cases
        .into_iter()
        .map(|case| {
            let text = |key: &str| case[key].as_str().unwrap_or_default();
            let client = clients
                .entry(text("service").to_string())
                .or_insert_with(|| session.service_client(text("service"), &options).unwrap());
            let ours = client.parse_operation(text("operation"), response_of(&case), 0);
            (case, ours)
        })
        .collect()
}

/// How one successful answer's parse compares.
enum Compared {
    Same,
    /// Different only in what `alike` allows.
    Alike,
    Differ(String),
}

/// sansboto's parse of `case` (named `name`) next to botocore's, `alike` saying which
/// differences are deliberate.
fn compare_parse(
    name: &str,
    case: &serde_json::Value,
    ours: &Result<Value, sansboto_core::Error>,
    alike: fn(&serde_json::Value, &serde_json::Value) -> bool,
) -> Compared {
    let text = |key: &str| case[key].as_str().unwrap_or_default();
    match (ours, case.get("parsed")) {
        (Ok(ours), Some(theirs)) => {
            let mut ours = botocore::parsed_as_json(ours);
            let mut theirs = theirs.clone();
            if handled_apart(text("service"), text("operation"), &mut ours, &mut theirs)
                || ours == theirs
            {
                Compared::Same
            } else if alike(&ours, &theirs) {
                Compared::Alike
            } else {
                Compared::Differ(format!("{name}\n  sansboto: {ours}\n  botocore: {theirs}"))
            }
        }
        (Err(_), None) => Compared::Same,
        (Ok(ours), None) => Compared::Differ(format!(
            "{name}\n  botocore refused ({}), sansboto: {}",
            text("error"),
            botocore::parsed_as_json(ours)
        )),
        (Err(e), Some(theirs)) => {
            Compared::Differ(format!("{name}\n  sansboto: {e}\n  botocore: {theirs}"))
        }
    }
}

/// The first differences, for an assertion's message.
fn report(differences: &[String], cases: usize, what: &str) -> String {
    let shown: Vec<&str> = differences.iter().take(40).map(String::as_str).collect();
    format!(
        "{} of {cases} {what} differ from botocore's parse:\n{}",
        differences.len(),
        shown.join("\n")
    )
}

#[test]
fn every_output_parses_as_botocore_parses_it() {
    let cases = parsed_by_both(OUTPUTS, 10_000);
    let mut differences = Vec::new();
    for (case, ours) in &cases {
        let text = |key: &str| case[key].as_str().unwrap_or_default();
        let name = format!("{}.{} {}", text("service"), text("operation"), text("body"));
        if let Compared::Differ(d) = compare_parse(&name, case, ours, |_, _| false) {
            differences.push(d);
        }
    }
    assert!(
        differences.is_empty(),
        "{}",
        report(&differences, cases.len(), "outputs")
    );
}

/// Why a mutated answer's parse is not compared with botocore's, when it is one of the
/// deliberate or known differences (each counted and printed by the test).
fn set_apart(
    service: &str,
    case: &serde_json::Value,
    ours: &Result<Value, sansboto_core::Error>,
) -> Option<&'static str> {
    let what = case["what"].as_str().unwrap_or_default();
    let their_error = case["error"].as_str().unwrap_or_default();
    let python_failure = [
        "AttributeError",
        "TypeError",
        "KeyError",
        "UnboundLocalError",
    ]
    .iter()
    .any(|class| their_error.starts_with(&format!("{class}:")));
    if what.contains("9223372036854775808") {
        // Known: `Value::Integer` is 64 bits; a larger number is read as a float (botocore
        // keeps Python's exact integer).
        Some("an integer beyond 64 bits, read as a float")
    } else if python_failure && ours.is_ok() {
        // botocore's parser fails with a Python error (a missing result wrapper, a null map,
        // an object where a number belongs); sansboto keeps what was sent.
        Some("botocore's parser fails with a Python error; sansboto keeps the value")
    } else if ours
        .as_ref()
        .is_err_and(|e| e.to_string().contains("expected base64"))
    {
        // Deliberate: text that is not base64 is an error; botocore's `b64decode` drops the
        // characters outside the alphabet and decodes the rest.
        Some("text that is not base64, refused")
    } else if service == "iam"
        && (what.starts_with("PolicyDocument ") || what.starts_with("AssumeRolePolicyDocument "))
    {
        // botocore decodes IAM's policy documents in a handler (`decode_quoted_jsondoc`), which
        // this parser-only reference does not run; sansboto's customization does.
        Some("IAM policy documents, decoded by a handler")
    } else {
        None
    }
}

const ALIKE: &str =
    "the same but for a float shape's number as a float, or a value of another type kept";

/// The same parse but for deliberate differences: a number of a float shape is a float (`7.0`,
/// and `"1.5e3"` read as 1500 in JSON-RPC, where botocore keeps `7` and the text), and a value
/// of another JSON type than its shape's is kept as sent (botocore reads `true` sent for a
/// timestamp as the epoch's first second, and an object sent for a list as its keys).
fn alike(ours: &serde_json::Value, theirs: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (ours, theirs) {
        // Only where sansboto read a float (a float shape): an integer or a string shape
        // read as a float would still differ.
        (J::Number(a), J::Number(b)) => {
            a == b || a.is_f64() && !b.is_f64() && a.as_f64() == b.as_f64()
        }
        (J::Number(a), J::String(b)) => a.is_f64() && b.trim().parse::<f64>().ok() == a.as_f64(),
        (J::Bool(true), J::String(b)) => b == "1970-01-01T00:00:01Z",
        // An object where a list belongs: kept; botocore iterates it into a list of its keys.
        (J::Object(a), J::Array(b)) => a.keys().map(|k| J::String(k.clone())).eq(b.iter().cloned()),
        (J::Array(a), J::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| alike(a, b))
        }
        (J::Object(a), J::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| alike(v, w)))
        }
        (a, b) => a == b,
    }
}

#[test]
fn mutated_outputs_parse_as_botocore_parses_them() {
    let cases = parsed_by_both(MUTATED_OUTPUTS, 10_000);
    let mut differences = Vec::new();
    let mut apart: BTreeMap<&str, usize> = BTreeMap::new();
    for (case, ours) in &cases {
        let text = |key: &str| case[key].as_str().unwrap_or_default();
        let (service, operation) = (text("service"), text("operation"));
        let name = format!("{service}.{operation} ({}) {}", text("what"), text("body"));
        if let Some(reason) = set_apart(service, case, ours) {
            *apart.entry(reason).or_insert(0) += 1;
            continue;
        }
        match compare_parse(&name, case, ours, alike) {
            Compared::Same => {}
            Compared::Alike => *apart.entry(ALIKE).or_insert(0) += 1,
            Compared::Differ(d) => differences.push(d),
        }
    }
    eprintln!("left apart: {apart:#?}");
    let left_apart: usize = apart.values().sum();
    assert!(
        left_apart * 10 < cases.len(),
        "{left_apart} of {} left apart",
        cases.len()
    );
    assert!(
        differences.is_empty(),
        "{}",
        report(&differences, cases.len(), "outputs")
    );
}

/// The response `case` describes (`status`, `headers`, `body`).
fn response_of(case: &serde_json::Value) -> http::Response<sansboto_core::Body> {
    let status = case["status"].as_u64().map_or(200, |s| s as u16);
    let mut response = http::Response::builder().status(status);
    for (name, value) in case["headers"].as_object().into_iter().flatten() {
        response = response.header(name.as_str(), value.as_str().unwrap_or_default());
    }
    // A body that is not UTF-8 comes as hex (`body` then shows it with replacements).
    let body = match case["body_hex"].as_str() {
        Some(hex) => (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect(),
        None => case["body"]
            .as_str()
            .unwrap_or_default()
            .as_bytes()
            .to_vec(),
    };
    response.body(sansboto_core::Body::from(body)).unwrap()
}

#[test]
fn every_error_parses_as_botocore_parses_it() {
    let cases = parsed_by_both(ERRORS, 5_000);
    let mut differences = Vec::new();
    for (case, ours) in &cases {
        let text = |key: &str| case[key].as_str().unwrap_or_default();
        let (service, operation) = (text("service"), text("operation"));
        let name = format!(
            "{service}.{operation} {} {:?} {}",
            case["status"],
            case["headers"],
            text("body")
        );
        let theirs = case.get("parsed");
        match (ours, theirs) {
            (Ok(ours), _) => differences.push(format!(
                "{name}\n  sansboto parsed an error answer as a success: {}",
                botocore::parsed_as_json(ours)
            )),
            (Err(e), Some(theirs)) => match e.service_error() {
                Some(error) => {
                    let ours = botocore::parsed_as_json(&error.fields);
                    let code = theirs["Error"]["Code"].as_str().unwrap_or_default();
                    if ours != *theirs || error.code != code {
                        differences.push(format!(
                            "{name}\n  sansboto: {} {ours}\n  botocore: {theirs}",
                            error.code
                        ));
                    }
                }
                None => differences.push(format!("{name}\n  sansboto: {e}\n  botocore: {theirs}")),
            },
            (Err(e), None) => {
                // Deliberate (`parse/query.rs`): an empty query or EC2 error body, which
                // botocore's XML parser refuses, is reported by its status, as botocore reports
                // a 5xx without a body.
                let by_status = |error: &sansboto_core::ServiceError| {
                    text("body").is_empty()
                        && case["status"].as_u64().map(|s| s.to_string()).as_deref()
                            == Some(error.code.as_str())
                };
                if let Some(error) = e.service_error().filter(|error| !by_status(error)) {
                    differences.push(format!(
                        "{name}\n  botocore refused ({}), sansboto: {} {}",
                        text("error"),
                        error.code,
                        botocore::parsed_as_json(&error.fields)
                    ));
                }
            }
        }
    }
    assert!(
        differences.is_empty(),
        "{}",
        report(&differences, cases.len(), "error answers")
    );
}
