//! What a differential probe of response parsing against botocore 1.44.5 found (responses
//! generated from output shapes with awkward but valid content, across every protocol): each
//! answer here is parsed by botocore's parser (with its `before-parse` handlers and, for an
//! error, the modeled error shape's fields, as its endpoint does) and by
//! `ServiceClient::parse_operation`, and the two must agree.
//!
//! - XML line ends: `\r\n` and a lone `\r` in text, CDATA and attribute values are read as XML
//!   says (expat's normalization), while a `&#13;` stays a carriage return; an attribute's
//!   tabs and line breaks are spaces.
//! - Timestamps as servers write HTTP dates: a numeric zone (`+0200`) and C's `asctime` form,
//!   in headers and in XML bodies; ISO 8601 with a comma before the fraction, or in its basic
//!   form (`20200102T030405Z`).
//! - An error body's repeated elements, read without a shape: the first occurrence's children
//!   (an empty map for a leaf), as botocore makes them.
//! - JSON bodies with the bare words `NaN`, `Infinity` and `-Infinity`, or a number too large
//!   for a float (Python's `json.loads` reads them as floats; they are not JSON), in JSON-RPC,
//!   REST-JSON and error bodies, members and documents; REST-JSON's `int()` of one fails in
//!   both.
//! - HTTP dates in RFC 850's form (`Sunday, 06-Nov-94 08:49:37 GMT`) or with a dashed date
//!   and a four-digit year, two-digit years in any form (read in dateutil's window), and RFC
//!   822's optional seconds and trailing comment.

mod e2e_support;

use e2e_support::core_session;
use sansboto_core::session::ClientOptions;
use sansboto_tests::botocore;

/// Parses each case (`service`, `operation`, `status`, `headers`, `body`) as botocore's endpoint
/// would and prints the results: `parsed` (made comparable by [`botocore::PLAIN`], run before
/// it) or `error`.
const PARSE: &str = r#"
from botocore import parsers
from urllib3._collections import HTTPHeaderDict

out = []
for case in json.loads(CASES):
    model = session.get_service_model(case['service'])
    op = model.operation_model(case['operation'])
    response = {'status_code': case['status'], 'headers': HTTPHeaderDict(case['headers']),
                'body': case['body'].encode(), 'context': {'operation_name': op.name}}
    customized = {}
    session.get_component('event_emitter').emit(
        f'before-parse.{model.service_id.hyphenize()}.{op.name}', operation_model=op,
        response_dict=response, customized_response_dict=customized)
    parser = parsers.create_parser(model.resolved_protocol)
    try:
        parsed = parser.parse(response, op.output_shape)
        parsed.update(customized)
        code = parsed.get('Error', {}).get('Code') if case['status'] >= 300 else None
        shape = model.shape_for_error_code(code) if code is not None else None
        if shape is not None:
            parsed.update(parser.parse(response, shape))
        out.append({'parsed': plain(parsed)})
    except Exception as e:
        out.append({'error': type(e).__name__ + ': ' + str(e)})
emit(out)
"#;

/// One answer: service, operation, status, headers, body.
type Case<'a> = (&'a str, &'a str, u16, &'a [(&'a str, &'a str)], &'a str);

/// Each case parsed by both; panics listing every case whose results differ (for an error
/// answer: the code and the error's fields).
fn assert_parsed_as_botocore(cases: &[Case<'_>]) {
    let described: Vec<serde_json::Value> = cases
        .iter()
        .map(|(service, operation, status, headers, body)| {
            serde_json::json!({
                "service": service, "operation": operation, "status": status,
                "headers": headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
                    .collect::<serde_json::Map<_, _>>(),
                "body": body,
            })
        })
        .collect();
    let literal = serde_json::Value::from(serde_json::to_string(&described).unwrap());
    let theirs = botocore::run(
        &format!("CASES = {literal}\n{}{PARSE}", botocore::PLAIN),
        &[],
    );
    let theirs = theirs.as_array().expect("a list of results");
    assert_eq!(theirs.len(), cases.len());
    let session = core_session(&[], None, None);
    let options = ClientOptions {
        region: Some("us-east-1".into()),
        ..Default::default()
    };
    let mut differences = Vec::new();
    for (case, theirs) in cases.iter().zip(theirs) {
        let (service, operation, status, headers, body) = *case;
        let client = session.service_client(service, &options).unwrap();
        let mut response = http::Response::builder().status(status);
        for (name, value) in headers {
            response = response.header(*name, *value);
        }
        let response = response
            .body(sansboto_core::Body::from(body.as_bytes().to_vec()))
            .unwrap();
        let ours = match client.parse_operation(operation, response, 0) {
            Ok(value) => botocore::parsed_as_json(&value),
            Err(e) => match e.service_error() {
                Some(error) => {
                    let mut fields = botocore::parsed_as_json(&error.fields);
                    // The code is compared too: botocore's is in the fields it parsed.
                    fields["Error"]["Code"] = error.code.clone().into();
                    fields
                }
                None => serde_json::json!({ "refused": e.to_string() }),
            },
        };
        // Both refusing the answer agree too.
        let agree = match theirs.get("parsed") {
            Some(parsed) => parsed == &ours,
            None => ours.get("refused").is_some(),
        };
        if !agree {
            differences.push(format!(
                "{service}.{operation} {status} {headers:?} {body:?}\n  sansboto: {ours}\n  botocore: {theirs}"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} answers differ from botocore's parse:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
}

#[test]
fn xml_line_ends_are_normalized_as_botocore_reads_them() {
    let no_headers: &[(&str, &str)] = &[];
    assert_parsed_as_botocore(&[
        // rest-xml: text with CRLF, a lone CR, a CR written as a reference, CDATA.
        (
            "s3",
            "ListObjectsV2",
            200,
            no_headers,
            "<ListBucketResult><Name>a\r\nb\rc&#13;d</Name>\
             <Prefix><![CDATA[p\r\nq\rr]]></Prefix>\
             <Contents><Key>k&amp;\r\n</Key><ETag>\r\n  \"e\"\r\n</ETag></Contents>\
             <Delimiter>x\r\r\ny</Delimiter></ListBucketResult>",
        ),
        // An attribute's tabs and line breaks, and the references that stay.
        (
            "s3",
            "GetObjectAcl",
            200,
            no_headers,
            "<AccessControlPolicy xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
             <AccessControlList><Grant>\
             <Grantee xsi:type=\"Canonical\tUser\r\nX&#9;Y&#10;Z\rW\"><ID>i\r\nd</ID></Grantee>\
             <Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>",
        ),
        // query, with the result wrapper.
        (
            "sts",
            "GetCallerIdentity",
            200,
            no_headers,
            "<GetCallerIdentityResponse><GetCallerIdentityResult>\
             <Arn>arn\r\n:x</Arn><UserId>\ru\r</UserId><Account>1&#13;&#10;2</Account>\
             </GetCallerIdentityResult></GetCallerIdentityResponse>",
        ),
        // ec2.
        (
            "ec2",
            "DescribeRegions",
            200,
            no_headers,
            "<DescribeRegionsResponse><requestId>r</requestId><regionInfo><item>\
             <regionName>a\r\nb</regionName><endpoint><![CDATA[e\r]]></endpoint>\
             </item></regionInfo></DescribeRegionsResponse>",
        ),
        // An error body, read without a shape and with the modeled shape.
        (
            "sns",
            "Publish",
            400,
            no_headers,
            "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code>\
             <Message>line one\r\nline two\rthree</Message></Error>\
             <RequestId>r</RequestId></ErrorResponse>",
        ),
    ]);
}

#[test]
fn http_dates_with_a_numeric_zone_or_in_asctime_form_are_read_as_botocore_reads_them() {
    let credentials = |expiration: &str| {
        format!(
            "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>a</AccessKeyId>\
             <SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>\
             <Expiration>{expiration}</Expiration></Credentials></AssumeRoleResult>\
             </AssumeRoleResponse>"
        )
    };
    let bodies = [
        // ISO 8601's comma before the fraction, and its basic form.
        credentials("2020-01-02T03:04:05,123Z"),
        credentials("20200102T030405Z"),
        credentials("20200102T030405.5+0130"),
        credentials("Thu, 02 Jan 2020 05:04:05 +0200"),
        credentials("Thu, 02 Jan 2020 03:04:05 -0130"),
        credentials("Thu, 02 Jan 2020 03:04:05 +0000"),
        credentials("Thu Jan  2 03:04:05 2020"),
    ];
    let headers = [
        "Thu, 02 Jan 2020 05:04:05 +0200",
        "Thu, 02 Jan 2020 03:04:05 -0000",
        "Wed, 01 Jan 2020 23:30:00 -05:30",
        "Thu Jan  2 03:04:05 2020",
        "Fri Jan 31 23:59:59 1999",
        "Thu, 02 Jan 2020 03:04:05 GMT",
    ]
    .map(|date| [("last-modified", date)]);
    let mut cases: Vec<Case<'_>> = headers
        .iter()
        .map(|headers| ("s3", "HeadObject", 200, &headers[..], ""))
        .collect();
    cases.extend(
        bodies
            .iter()
            .map(|body| ("sts", "AssumeRole", 200, &[][..], body.as_str())),
    );
    assert_parsed_as_botocore(&cases);
}

/// A 200 answer that is not the protocol's (an empty body, an HTML page from a proxy, a query
/// answer without its `…Result`): refused by both where botocore's parser fails, read alike
/// where it does not (an operation without output, EC2, whose answers have no wrapper).
#[test]
fn answers_that_are_not_the_protocols_are_refused_as_botocore_refuses_them() {
    let no_headers: &[(&str, &str)] = &[];
    let html = "<html><body>Proxy login</body></html>";
    assert_parsed_as_botocore(&[
        ("sns", "ListTopics", 200, no_headers, ""),
        ("sns", "ListTopics", 200, no_headers, html),
        (
            "sns",
            "ListTopics",
            200,
            no_headers,
            "<ListTopicsResponse><ResponseMetadata><RequestId>r</RequestId>\
             </ResponseMetadata></ListTopicsResponse>",
        ),
        (
            "sns",
            "ListTopics",
            200,
            no_headers,
            "<ListTopicsResponse><ListTopicsResult/></ListTopicsResponse>",
        ),
        ("sns", "DeleteTopic", 200, no_headers, ""),
        ("sns", "DeleteTopic", 200, no_headers, "<html/>"),
        ("iam", "GetUser", 200, no_headers, html),
        ("sts", "GetCallerIdentity", 200, no_headers, html),
        ("ec2", "DescribeRegions", 200, no_headers, ""),
        ("ec2", "DescribeRegions", 200, no_headers, html),
    ]);
}

#[test]
fn repeated_elements_of_an_error_body_are_read_as_botocore_reads_them() {
    let no_headers: &[(&str, &str)] = &[];
    assert_parsed_as_botocore(&[
        // Route 53's list of messages: repeated leaves.
        (
            "route53",
            "ChangeResourceRecordSets",
            400,
            no_headers,
            "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidChangeBatch</Code>\
             <Message>m</Message><messages><Message>one</Message><Message>two</Message>\
             </messages></Error><RequestId>r</RequestId></ErrorResponse>",
        ),
        // Repeated elements with children, a repeated empty leaf, a repeat of three.
        (
            "sns",
            "Publish",
            400,
            no_headers,
            "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code>\
             <Message>m</Message><D><a>1</a></D><D><b>2</b></D><E/><E>x</E>\
             <F>1</F><F>2</F><F>3</F></Error><RequestId>r</RequestId></ErrorResponse>",
        ),
        // S3's bare `Error`.
        (
            "s3",
            "GetObject",
            404,
            no_headers,
            "<Error><Code>NoSuchKey</Code><Message>m</Message><Key>k1</Key><Key>k2</Key>\
             <RequestId>r</RequestId><HostId>h</HostId></Error>",
        ),
    ]);
}

#[test]
fn bare_nan_and_infinity_in_json_bodies_are_read_as_botocore_reads_them() {
    let json_headers: &[(&str, &str)] = &[("Content-Type", "application/x-amz-json-1.1")];
    let no_headers: &[(&str, &str)] = &[];
    assert_parsed_as_botocore(&[
        // JSON-RPC 1.1: a member, a map's values, a number too large for a float.
        (
            "glue",
            "GetDataQualityResult",
            200,
            json_headers,
            r#"{"Score": NaN, "ResultId": "r", "RuleResults": [{"Name": "x",
               "EvaluatedMetrics": {"a": Infinity, "b": -Infinity, "c": 1e400, "d": -2E+999,
               "e": 0.5}}]}"#,
        ),
        // A text member given a bare word keeps the float, as Python's dict does.
        (
            "glue",
            "GetDataQualityResult",
            200,
            json_headers,
            r#"{"Score": 1e400, "ResultId": NaN}"#,
        ),
        // The word as text: botocore keeps it, and so does sansboto for a text member.
        (
            "glue",
            "GetDataQualityResult",
            200,
            json_headers,
            r#"{"ResultId": "NaN", "Score": 1.5}"#,
        ),
        // JSON-RPC 1.0.
        (
            "dynamodb",
            "GetItem",
            200,
            no_headers,
            r#"{"Item": {"a": {"N": "1"}}, "ConsumedCapacity": {"TableName": "t", "CapacityUnits": NaN,
               "ReadCapacityUnits": -Infinity}}"#,
        ),
        // REST-JSON: a bare word and the word as text, both floats by `float()`.
        (
            "location",
            "CalculateRoute",
            200,
            no_headers,
            r#"{"Summary": {"Distance": NaN, "DurationSeconds": "Infinity", "DistanceUnit": "Miles"}}"#,
        ),
        // REST-JSON documents.
        (
            "marketplace-catalog",
            "DescribeEntity",
            200,
            no_headers,
            r#"{"EntityType": "t", "DetailsDocument": {"a": [NaN, Infinity, -Infinity, "NaN", 1]}}"#,
        ),
        // REST-JSON's `int()` of a NaN fails: both refuse.
        (
            "bedrock-runtime",
            "Converse",
            200,
            no_headers,
            r#"{"stopReason": "end_turn", "metrics": {"latencyMs": NaN}}"#,
        ),
        // An error body: the code is found, the message is the float.
        (
            "glue",
            "GetDataQualityResult",
            400,
            json_headers,
            r#"{"__type": "EntityNotFoundException", "Message": NaN}"#,
        ),
        (
            "glue",
            "GetDataQualityResult",
            400,
            json_headers,
            r#"{"__type": "EntityNotFoundException", "Message": [NaN, "x"]}"#,
        ),
        // A word where a key belongs is no JSON to Python either: the code is the status and
        // the body the message.
        (
            "glue",
            "GetDataQualityResult",
            400,
            json_headers,
            r#"{"__type": "EntityNotFoundException", NaN: 1}"#,
        ),
    ]);
}

#[test]
fn http_dates_of_rfc_850_and_rfc_822_are_read_as_botocore_reads_them() {
    // Each as a `Last-Modified` header; dateutil reads all but the four it refuses, and
    // sansboto must refuse those too. Its free-form dates (`Oct 21 2015`) are not HTTP dates,
    // and are left out.
    let dates = [
        // RFC 850, which HTTP recipients are to accept, with its two-digit year around the
        // window's edges (dateutil's, taken in 2026: 00–75 are 20xx, 76–99 19xx).
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Thursday, 01-Jan-70 00:00:00 GMT",
        "Sunday, 06-Nov-99 08:49:37 GMT",
        "Sunday, 06-Nov-00 08:49:37 GMT",
        "Sunday, 06-Nov-75 08:49:37 GMT",
        "Sunday, 06-Nov-76 08:49:37 GMT",
        "06-Nov-94 08:49:37 GMT",
        // The dashed date with a four-digit year, as cookies write `Expires`.
        "Wed, 21-Oct-2015 07:28:00 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        // A two-digit year in the other forms (it was read as the year 94).
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 94",
        // Years below 100 in other widths: windowed, except a dashed date's of three or more
        // digits.
        "06 Nov 9 08:49:37 GMT",
        "Sun, 06 Nov 094 08:49:37 GMT",
        "06 Nov 0 08:49:37 GMT",
        "Mon, 01 Jan 0001 00:00:00 GMT",
        "1-Jan-1 00:00 GMT",
        "06-Nov-0094 08:49:37 GMT",
        "Sun Nov  6 08:49:37 0094",
        // RFC 822 and 2822: no space after the comma, no seconds, a zone's name after its
        // number (GMT and UTC win over the number in botocore's parser).
        "Sun,06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49 GMT",
        "Sun, 06 Nov 1994 08:49:37 +0000 (UTC)",
        "Sun, 06 Nov 1994 08:49:37 +0100 (CET)",
        "Sun, 06 Nov 1994 08:49:37 -0500 (EST)",
        "Sun, 06 Nov 1994 08:49:37 +01:00 (CET)",
        "Sun, 06 Nov 1994 08:49:37 +0100 (GMT)",
        "Sun, 06 Nov 1994 08:49:37 +0100 (UTC)",
        // Names botocore refuses: after no number, or no zone's name.
        "Sun, 06 Nov 1994 08:49:37 GMT (x)",
        "Sun, 06 Nov 1994 08:49:37 (UTC)",
        "Sun, 06 Nov 1994 08:49:37 +0100 (Central European Time)",
        "Sun, 06 Nov 1994 08:49:37 +0100 (utc)",
        // Forms read before, kept.
        "Wed, 21 Oct 2015 07:28:00 UTC",
        "sun, 06 nov 1994 08:49:37 gmt",
        "Sun, 6 Nov 1994 8:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 -0000",
        "Sun, 06 Nov 1994 08:49:37.123 GMT",
        "21 Oct 2015 07:28:00 GMT",
        "1445412480.5",
    ];
    let headers: Vec<[(&str, &str); 1]> = dates.iter().map(|d| [("Last-Modified", *d)]).collect();
    let cases: Vec<Case<'_>> = headers
        .iter()
        .map(|h| ("s3", "HeadObject", 200, &h[..], ""))
        .collect();
    assert_parsed_as_botocore(&cases);
}
