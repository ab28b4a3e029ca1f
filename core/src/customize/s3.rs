//! Amazon S3 customizations: bucket-name validation, URL-encoded list keys, `CopySource`
//! quoting, SSE-C key encoding, ASCII metadata, `Expect: 100-continue`, XML line-break escaping,
//! 200-with-error responses, the raw `Expires` header, `GetBucketLocation`'s bare XML, and the
//! endpoint builtins botocore adjusts per call.

use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use quick_xml::events::Event as XmlEvent;

use super::{
    params_mut, percent_decode, percent_encode, request_mut, response_mut, result_mut, set_body,
    CustomizeError, PerOperation,
};
use crate::body::Body;
use crate::checksum::Checksum;
use crate::hooks::{CallInfo, Event, Hooks};
use crate::model::{Operation, ServiceModel, ShapeKind};
use crate::time::Timestamp;
use crate::value::{Map, Value};

/// botocore's bucket-name regex, as it prints it in the error message.
pub(crate) const VALID_BUCKET_PATTERN: &str = r"^[a-zA-Z0-9.\-_]{1,255}$";
/// botocore's access-point / outpost ARN regex, as it prints it in the error message.
pub(crate) const VALID_S3_ARN_PATTERN: &str = concat!(
    r"^arn:(aws).*:(s3|s3-object-lambda):[a-z\-0-9]*:[0-9]{12}:accesspoint[/:][a-zA-Z0-9\-.]{1,63}$",
    "|",
    r"^arn:(aws).*:s3-outposts:[a-z\-0-9]+:[0-9]{12}:outpost[/:][a-zA-Z0-9\-]{1,63}[/:]accesspoint[/:][a-zA-Z0-9\-]{1,63}$"
);

const SSE_OPERATIONS: [&str; 9] = [
    "HeadObject",
    "GetObject",
    "PutObject",
    "CopyObject",
    "CreateMultipartUpload",
    "UploadPart",
    "UploadPartCopy",
    "CompleteMultipartUpload",
    "SelectObjectContent",
];

/// Register S3's customizations for a client of `model`. Each step registers one concern's
/// handlers; the steps run in botocore's registration order, which is the order handlers of one
/// event run in.
pub(crate) fn register(hooks: &mut Hooks, model: &Arc<ServiceModel>) {
    register_bucket_and_listing_params(hooks);
    register_copy_and_metadata_params(hooks);
    register_sse_customer_key_params(hooks);
    register_request_edits(hooks);
    register_200_error(hooks, model);
    register_expires_header(hooks, model);
    register_get_bucket_location(hooks);
    register_list_objects_decoding(hooks);
}

/// The parameter checks and edits every call gets: bucket-name validation, URL-encoded listings, and
/// noting a file-like body for `Expect: 100-continue`.
fn register_bucket_and_listing_params(hooks: &mut Hooks) {
    hooks.register(
        Event::BeforeParameterBuild,
        "s3.validate-bucket-name",
        "s3",
        |_, t| {
            if let Some(p) = params_mut(t) {
                validate_bucket_name(p)?;
            }
            Ok(())
        },
    );
    hooks.register(
        Event::BeforeParameterBuild,
        "s3.set-list-objects-encoding-type-url",
        "s3",
        |call, t| {
            if is_list_operation(call.operation) {
                if let Some(p) = params_mut(t) {
                    set_list_objects_encoding_type_url(call, p);
                }
            }
            Ok(())
        },
    );
    hooks.register(
        Event::BeforeParameterBuild,
        "s3.file-like-body",
        "s3",
        |call, t| {
            if let (Some(context), Some(p)) = (call.context, params_mut(t)) {
                if has_file_like_body(call.operation, p) {
                    context.insert(FileLikeBody);
                }
            }
            Ok(())
        },
    );
}

/// `CopySource` quoting and the ASCII check of user metadata.
fn register_copy_and_metadata_params(hooks: &mut Hooks) {
    hooks.register(
        Event::BeforeParameterBuild,
        "s3.handle-copy-source",
        "s3",
        |call, t| {
            if matches!(call.operation, "CopyObject" | "UploadPartCopy") {
                if let Some(p) = params_mut(t) {
                    handle_copy_source(p)?;
                }
            }
            Ok(())
        },
    );
    hooks.register(
        Event::BeforeParameterBuild,
        "s3.validate-ascii-metadata",
        "s3",
        |call, t| {
            if matches!(
                call.operation,
                "CopyObject" | "PutObject" | "CreateMultipartUpload"
            ) {
                if let Some(p) = params_mut(t) {
                    validate_ascii_metadata(p)?;
                }
            }
            Ok(())
        },
    );
}

/// SSE-C: the customer keys' base64 encoding and MD5s, for the object and the copy source.
fn register_sse_customer_key_params(hooks: &mut Hooks) {
    hooks.register(
        Event::BeforeParameterBuild,
        "s3.sse-customer-key-md5",
        "s3",
        |call, t| {
            if SSE_OPERATIONS.contains(&call.operation) {
                if let Some(p) = params_mut(t) {
                    sse_customer_key_md5(p, SSE_CUSTOMER_KEY);
                }
            }
            Ok(())
        },
    );
    hooks.register(
        Event::BeforeParameterBuild,
        "s3.copy-source-sse-customer-key-md5",
        "s3",
        |call, t| {
            if matches!(call.operation, "CopyObject" | "UploadPartCopy") {
                if let Some(p) = params_mut(t) {
                    sse_customer_key_md5(p, COPY_SOURCE_SSE_CUSTOMER_KEY);
                }
            }
            Ok(())
        },
    );
}

/// Edits of the serialized request: `Expect: 100-continue` and XML line-break escaping.
fn register_request_edits(hooks: &mut Hooks) {
    hooks.register(
        Event::BeforeCall,
        "s3.add-expect-header",
        "s3",
        |call, t| {
            if let Some(r) = request_mut(t) {
                let file_like = call
                    .context
                    .is_some_and(|c| c.get::<FileLikeBody>().is_some());
                add_expect_header(file_like, r);
            }
            Ok(())
        },
    );
    hooks.register(
        Event::BeforeCall,
        "s3.escape-xml-payload",
        "s3",
        |call, t| {
            if matches!(
                call.operation,
                "DeleteObjects" | "PutBucketLifecycleConfiguration"
            ) {
                if let Some(r) = request_mut(t) {
                    escape_xml_payload(r);
                }
            }
            Ok(())
        },
    );
}

/// 200 responses that carry an error.
fn register_200_error(hooks: &mut Hooks, model: &Arc<ServiceModel>) {
    // botocore registers the 200-error check first among the before-parse handlers. Which
    // operations it and the `Expires` handling apply to is decided on each operation's first
    // call (and remembered), not by reading all of S3's operations at client start-up.
    let handles_200 = PerOperation::new(model);
    hooks.register(
        Event::BeforeParse,
        "s3.handle-200-error",
        "s3",
        move |call, t| {
            if handles_200.get(call.operation, checks_200_error) == Some(true) {
                if let Some(r) = response_mut(t) {
                    handle_200_error(r);
                }
            }
            Ok(())
        },
    );
}

/// The raw `Expires` header, when it is not a timestamp botocore can parse (`ExpiresString`).
fn register_expires_header(hooks: &mut Hooks, model: &Arc<ServiceModel>) {
    let with_expires = Arc::new(PerOperation::new(model));
    let with_expires_after = Arc::clone(&with_expires);
    hooks.register(
        Event::BeforeParse,
        "s3.handle-expires-header",
        "s3",
        move |call, t| {
            if with_expires.get(call.operation, has_expires_member) == Some(true) {
                if let Some(r) = response_mut(t) {
                    if let Some(raw) = take_unparsable_expires(r) {
                        if let Some(ctx) = call.context {
                            ctx.insert(ExpiresString(raw));
                        }
                    }
                }
            }
            Ok(())
        },
    );
    hooks.register(
        Event::AfterCall,
        "s3.handle-expires-header",
        "s3",
        move |call, t| {
            if with_expires_after.get(call.operation, has_expires_member) == Some(true) {
                if let (Some(ctx), Some(result)) = (call.context, result_mut(t)) {
                    if let Some(ExpiresString(raw)) = ctx.remove::<ExpiresString>() {
                        result.insert("ExpiresString".into(), Value::String(raw.into()));
                    }
                }
            }
            Ok(())
        },
    );
}

/// `GetBucketLocation`'s bare XML answer.
fn register_get_bucket_location(hooks: &mut Hooks) {
    hooks.register(
        Event::BeforeParse,
        "s3.parse-get-bucket-location",
        "s3.GetBucketLocation",
        |call, t| {
            if let (Some(ctx), Some(r)) = (call.context, response_mut(t)) {
                // Nothing from an earlier attempt's answer may outlive it.
                ctx.remove::<BucketLocation>();
                if r.status().is_success() {
                    if let Some(location) = r.body().as_bytes().and_then(root_text) {
                        ctx.insert(BucketLocation(location));
                    }
                }
            }
            Ok(())
        },
    );
    hooks.register(
        Event::AfterCall,
        "s3.parse-get-bucket-location",
        "s3.GetBucketLocation",
        |call, t| {
            if let (Some(ctx), Some(result)) = (call.context, result_mut(t)) {
                if let Some(BucketLocation(location)) = ctx.remove::<BucketLocation>() {
                    result.insert("LocationConstraint".into(), Value::from(location));
                }
            }
            Ok(())
        },
    );
}

/// URL-decoding of listed keys the client asked to be URL-encoded.
fn register_list_objects_decoding(hooks: &mut Hooks) {
    hooks.register(
        Event::AfterCall,
        "s3.decode-list-objects",
        "s3",
        |call, t| {
            if is_list_operation(call.operation) {
                if let Some(result) = result_mut(t) {
                    decode_list_objects(call, result);
                }
            }
            Ok(())
        },
    );
}

fn is_list_operation(operation: &str) -> bool {
    matches!(
        operation,
        "ListObjects" | "ListObjectsV2" | "ListObjectVersions"
    )
}

// ----- bucket names ---------------------------------------------------------------------------

/// Python's `$` also matches before one final newline; the patterns are checked on what remains.
fn without_final_newline(s: &str) -> Option<&str> {
    let s = s.strip_suffix('\n').unwrap_or(s);
    (!s.contains('\n')).then_some(s)
}

/// `^[a-zA-Z0-9.\-_]{1,255}$`
pub(crate) fn is_valid_bucket_name(bucket: &str) -> bool {
    let Some(s) = without_final_newline(bucket) else {
        return false;
    };
    (1..=255).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

fn all_chars(s: &str, min: usize, max: usize, ok: impl Fn(u8) -> bool) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(ok)
}

fn is_label_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// `[a-z\-0-9]` (the ARN region part).
fn is_region_char(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
}

/// Strip `:<12 digits>:` + `resource` from the end of `head`, returning what precedes the colon
/// before the account id.
fn strip_account_and_resource<'a>(head: &'a str, resource: &str) -> Option<&'a str> {
    let head = head.strip_suffix(resource)?.strip_suffix(':')?;
    let split = head.len().checked_sub(12)?;
    let account = head.get(split..)?;
    if !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    head.get(..split)?.strip_suffix(':')
}

/// Split `s` at its last `/` or `:` into (head, tail).
fn split_last_separator(s: &str) -> Option<(&str, &str)> {
    let i = s.rfind(['/', ':'])?;
    Some((&s[..i], &s[i + 1..]))
}

/// botocore's `VALID_S3_ARN`: an access-point ARN (S3 or Object Lambda) or an outpost
/// access-point ARN. Matched from the right, where every part has a fixed alphabet.
pub(crate) fn is_valid_s3_arn(value: &str) -> bool {
    let Some(s) = without_final_newline(value) else {
        return false;
    };
    accesspoint_arn(s) || outpost_arn(s)
}

fn accesspoint_arn(s: &str) -> bool {
    let Some((head, name)) = split_last_separator(s) else {
        return false;
    };
    if !all_chars(name, 1, 63, |b| is_label_char(b) || b == b'.') {
        return false;
    }
    let Some(head) = strip_account_and_resource(head, "accesspoint") else {
        return false;
    };
    let Some((head, region)) = head.rsplit_once(':') else {
        return false;
    };
    if !region.bytes().all(is_region_char) {
        return false;
    }
    let prefix = head
        .strip_suffix(":s3")
        .or_else(|| head.strip_suffix(":s3-object-lambda"));
    prefix.is_some_and(|p| p.starts_with("arn:aws"))
}

fn outpost_arn(s: &str) -> bool {
    let Some((head, name)) = split_last_separator(s) else {
        return false;
    };
    if !all_chars(name, 1, 63, is_label_char) {
        return false;
    }
    let Some(head) = head.strip_suffix("accesspoint") else {
        return false;
    };
    let Some(head) = head.strip_suffix(['/', ':']) else {
        return false;
    };
    let Some((head, outpost)) = split_last_separator(head) else {
        return false;
    };
    if !all_chars(outpost, 1, 63, is_label_char) {
        return false;
    }
    let Some(head) = strip_account_and_resource(head, "outpost") else {
        return false;
    };
    let Some((head, region)) = head.rsplit_once(':') else {
        return false;
    };
    if region.is_empty() || !region.bytes().all(is_region_char) {
        return false;
    }
    head.strip_suffix(":s3-outposts")
        .is_some_and(|p| p.starts_with("arn:aws"))
}

/// `before-parameter-build.s3`: `Bucket` must be a valid name or an S3 access-point ARN.
pub(crate) fn validate_bucket_name(params: &Map) -> Result<(), CustomizeError> {
    match params.get("Bucket") {
        Some(Value::String(bucket))
            if !is_valid_bucket_name(bucket) && !is_valid_s3_arn(bucket) =>
        {
            Err(CustomizeError::InvalidBucketName {
                bucket: bucket.to_string(),
            })
        }
        _ => Ok(()),
    }
}

// ----- list objects ---------------------------------------------------------------------------

/// Marks that the list-objects hook, not the caller, asked for URL-encoded keys.
#[derive(Clone, Copy, Debug)]
struct EncodingTypeAutoSet;

/// `EncodingType=url` unless the caller set one, remembered in the call context so the result's
/// keys are decoded only then.
pub(crate) fn set_list_objects_encoding_type_url(call: &CallInfo<'_>, params: &mut Map) {
    if !params.contains_key("EncodingType") {
        params.insert("EncodingType".into(), Value::from("url"));
        if let Some(ctx) = call.context {
            ctx.insert(EncodingTypeAutoSet);
        }
    }
}

/// URL-decode (`unquote_plus`) the keys S3 encoded because the hook asked it to.
fn decode_list_objects(call: &CallInfo<'_>, result: &mut Map) {
    let auto_set = call
        .context
        .is_some_and(|c| c.get::<EncodingTypeAutoSet>().is_some());
    if !auto_set || result.get("EncodingType").and_then(Value::as_str) != Some("url") {
        return;
    }
    let (top, nested): (&[&str], &[(&str, &str)]) = match call.operation {
        "ListObjects" => (
            &["Delimiter", "Marker", "NextMarker"],
            &[("Contents", "Key"), ("CommonPrefixes", "Prefix")],
        ),
        "ListObjectsV2" => (
            &["Delimiter", "Prefix", "StartAfter"],
            &[("Contents", "Key"), ("CommonPrefixes", "Prefix")],
        ),
        "ListObjectVersions" => (
            &["KeyMarker", "NextKeyMarker", "Prefix", "Delimiter"],
            &[
                ("Versions", "Key"),
                ("DeleteMarkers", "Key"),
                ("CommonPrefixes", "Prefix"),
            ],
        ),
        _ => return,
    };
    fn decode_in_place(v: &mut Value) {
        if let Value::String(s) = v {
            if let std::borrow::Cow::Owned(decoded) = percent_decode(s, true) {
                *s = decoded.into();
            }
        }
    }
    for key in top {
        if let Some(v) = result.get_mut(*key) {
            decode_in_place(v);
        }
    }
    for (list, child) in nested {
        if let Some(Value::List(items)) = result.get_mut(*list) {
            for item in items {
                if let Some(v) = item.as_map_mut().and_then(|m| m.get_mut(*child)) {
                    decode_in_place(v);
                }
            }
        }
    }
}

// ----- CopySource -----------------------------------------------------------------------------

/// Python's `\s` (str patterns): Unicode whitespace plus the ASCII separators U+001C..U+001F.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Where botocore's `\?versionId=[^\s]+$` first matches.
fn version_id_suffix(value: &str) -> Option<usize> {
    value.match_indices("?versionId=").find_map(|(i, m)| {
        let rest = &value[i + m.len()..];
        let rest = rest.strip_suffix('\n').unwrap_or(rest);
        (!rest.is_empty() && !rest.chars().any(is_python_space)).then_some(i)
    })
}

/// `CopySource` as S3 wants it: the `bucket/key` part percent-encoded (`/` kept), a
/// `?versionId=` suffix kept as given. Accepts botocore's two forms: a string, or a map with
/// `Bucket`, `Key` and optional `VersionId` (an access-point ARN bucket becomes
/// `<arn>/object/<key>`).
pub(crate) fn handle_copy_source(params: &mut Map) -> Result<(), CustomizeError> {
    let quoted = match params.get("CopySource") {
        Some(Value::String(source)) => match version_id_suffix(source) {
            None => percent_encode(source, b"/"),
            Some(i) => {
                let mut q = percent_encode(&source[..i], b"/");
                q.push_str(&source[i..]);
                q
            }
        },
        Some(Value::Map(source)) => {
            let text = |member: &'static str| match source.get(member) {
                Some(Value::String(s)) => Ok(s.as_str()),
                _ => Err(CustomizeError::MissingMember {
                    parameter: "CopySource",
                    member,
                }),
            };
            let bucket = text("Bucket")?;
            let key = text("Key")?;
            let path = if is_valid_s3_arn(bucket) {
                format!("{bucket}/object/{key}")
            } else {
                format!("{bucket}/{key}")
            };
            let mut q = percent_encode(&path, b"/");
            match source.get("VersionId") {
                None | Some(Value::Null) => {}
                Some(Value::String(v)) => {
                    q.push_str("?versionId=");
                    q.push_str(v);
                }
                Some(other) => {
                    q.push_str("?versionId=");
                    q.push_str(&format!("{:?}", other));
                }
            }
            q
        }
        // Absent or another type: the validator reports it.
        _ => return Ok(()),
    };
    params.insert("CopySource".into(), Value::String(quoted.into()));
    Ok(())
}

// ----- metadata -------------------------------------------------------------------------------

/// S3 user metadata keys and values must be ASCII.
pub(crate) fn validate_ascii_metadata(params: &Map) -> Result<(), CustomizeError> {
    let Some(Value::Map(metadata)) = params.get("Metadata") else {
        return Ok(());
    };
    for (key, value) in metadata {
        let Value::String(value) = value else {
            continue;
        };
        if !key.is_ascii() || !value.is_ascii() {
            return Err(CustomizeError::NonAsciiMetadata {
                key: key.to_string(),
                value: value.to_string(),
            });
        }
    }
    Ok(())
}

// ----- SSE-C ----------------------------------------------------------------------------------

/// The members of the SSE-C keys: the key, and its MD5 (`<key>MD5`).
const SSE_CUSTOMER_KEY: (&str, &str) = ("SSECustomerKey", "SSECustomerKeyMD5");
const COPY_SOURCE_SSE_CUSTOMER_KEY: (&str, &str) =
    ("CopySourceSSECustomerKey", "CopySourceSSECustomerKeyMD5");

/// The key member sent base64-encoded with its MD5 member (base64 of its MD5), unless the
/// caller gave the MD5. (The names are constants: this runs before every S3 call.)
pub(crate) fn sse_customer_key_md5(params: &mut Map, (key_member, md5_member): (&str, &str)) {
    if params.contains_key(md5_member) {
        return;
    }
    let key: &[u8] = match params.get(key_member) {
        Some(Value::String(s)) => s.as_bytes(),
        Some(Value::Blob(b)) => b,
        _ => return,
    };
    let mut md5 = Checksum::md5();
    md5.update(key);
    let md5 = md5.finalize().to_base64();
    let encoded = base64::engine::general_purpose::STANDARD.encode(key);
    params.insert(key_member.into(), Value::String(encoded.into()));
    params.insert(md5_member.into(), Value::String(md5.into()));
}

// ----- request-side ---------------------------------------------------------------------------

/// In a call's context when its body is what botocore makes a file-like object (see
/// [`has_file_like_body`]), so that [`add_expect_header`] knows even when the body is empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileLikeBody;

/// Whether botocore sends this call's body as a file-like object: `PutObject` and `UploadPart`
/// turn any `Body` given (even an empty one) into one (`convert_body_to_file_like_object`), and
/// a stream is one whatever the operation.
pub(crate) fn has_file_like_body(operation: &str, params: &Map) -> bool {
    let body = params.get("Body").filter(|b| !b.is_null());
    body.is_some_and(|b| b.as_stream().is_some())
        || (matches!(operation, "PutObject" | "UploadPart") && body.is_some())
}

/// `Expect: 100-continue` on PUT/POST requests with a file-like body (botocore's
/// `add_expect_header`, any size: an empty `PutObject` body given as `b""` gets it too, one not
/// given does not).
pub(crate) fn add_expect_header(file_like: bool, request: &mut http::Request<Body>) {
    if !matches!(*request.method(), http::Method::PUT | http::Method::POST) {
        return;
    }
    if file_like || matches!(request.body(), Body::Stream(_)) {
        request.headers_mut().insert(
            http::header::EXPECT,
            http::HeaderValue::from_static("100-continue"),
        );
    }
}

/// Escape CR and LF in the XML body as character references, so the service's XML parser does
/// not normalize line breaks the caller put in values.
pub(crate) fn escape_xml_payload(request: &mut http::Request<Body>) {
    let Some(body) = request.body().as_bytes() else {
        return;
    };
    if !body.iter().any(|b| matches!(b, b'\r' | b'\n')) {
        return;
    }
    let mut out = Vec::with_capacity(body.len() + 32);
    for &b in body {
        match b {
            b'\r' => out.extend_from_slice(b"&#xD;"),
            b'\n' => out.extend_from_slice(b"&#xA;"),
            _ => out.push(b),
        }
    }
    set_body(request, Bytes::from(out));
}

// ----- response-side --------------------------------------------------------------------------

/// Whether `op`'s 200 responses are checked for an embedded `<Error>`: it has an output shape,
/// no event stream, and no blob/string payload (a streamed object could be anything).
fn checks_200_error(model: &ServiceModel, op: &Operation) -> bool {
    let Some(output) = &op.output else {
        return false;
    };
    let Some(st) = model.shape(output.shape).as_structure() else {
        return false;
    };
    let event_stream = st.members.values().any(|m| {
        model
            .shape(m.shape)
            .as_structure()
            .is_some_and(|s| s.eventstream)
    });
    let raw_payload = st
        .payload
        .as_ref()
        .and_then(|p| st.members.get(p))
        .is_some_and(|m| {
            matches!(
                model.shape(m.shape).kind,
                ShapeKind::Blob | ShapeKind::String
            )
        });
    !event_stream && !raw_payload
}

/// True when a 200 body is an S3 error document, or is not well-formed XML at all (a response
/// cut short by the network): either way botocore treats it as a 500 and retries. The client
/// runs this full check only on a 200 body that failed to parse (see [`handle_200_error`]).
pub(crate) fn looks_like_200_error(body: &[u8]) -> bool {
    if body.is_empty() {
        return false;
    }
    let mut reader = quick_xml::Reader::from_reader(body);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    // Whether the root element is an un-namespaced `Error`, once seen.
    let mut root_is_error: Option<bool> = None;
    loop {
        // Events borrow from the body (no copy per event).
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(_) => return true,
        };
        match &event {
            XmlEvent::Eof => break,
            XmlEvent::Start(e) | XmlEvent::Empty(e) => {
                if depth == 0 {
                    if root_is_error.is_some() {
                        return true; // a second root element
                    }
                    root_is_error = Some(is_bare_error(e));
                }
                if matches!(event, XmlEvent::Start(_)) {
                    depth += 1;
                }
            }
            XmlEvent::End(_) => depth = depth.saturating_sub(1),
            XmlEvent::Text(t) if depth == 0 && !t.iter().all(|b| b.is_ascii_whitespace()) => {
                return true; // text outside the root element
            }
            _ => {}
        }
    }
    // Unclosed elements or no element at all: not a well-formed document.
    depth != 0 || root_is_error.unwrap_or(true)
}

/// Whether a root element is S3's error document. ElementTree names a root in a default
/// namespace `{uri}Error`, and a prefixed one too: only a bare `<Error>` counts.
fn is_bare_error(root: &quick_xml::events::BytesStart<'_>) -> bool {
    let default_ns = root
        .attributes()
        .any(|a| a.is_ok_and(|a| a.key.as_ref() == b"xmlns"));
    root.name().as_ref() == b"Error" && !default_ns
}

/// The part of [`looks_like_200_error`] that needs only the document's start: `Some(true)` when
/// the body is already known to be an error (an `<Error>` root, no root at all, content before
/// it, or malformed XML before it), `Some(false)` when the root is something else, `None` for
/// an empty body.
fn root_looks_like_error(body: &[u8]) -> Option<bool> {
    if body.is_empty() {
        return None;
    }
    let mut reader = quick_xml::Reader::from_reader(body);
    loop {
        match reader.read_event() {
            Err(_) | Ok(XmlEvent::Eof | XmlEvent::End(_) | XmlEvent::CData(_)) => {
                return Some(true)
            }
            Ok(XmlEvent::Text(t)) if !t.iter().all(|b| b.is_ascii_whitespace()) => {
                return Some(true)
            }
            Ok(XmlEvent::Start(e) | XmlEvent::Empty(e)) => {
                return Some(is_bare_error(&e));
            }
            Ok(_) => {}
        }
    }
}

/// `before-parse.s3.*` (registered first): a 200 whose body is an error document becomes a 500,
/// so it is parsed as an error and retried.
///
/// Only the root element is looked at here. Whether the rest is well-formed is left to the
/// parser, which reads every 200 body to its end anyway: the response is marked so that a body
/// that fails to parse is checked in full ([`looks_like_200_error`]) and, if not well-formed,
/// parsed as a 500 after all. The outcome is the same as checking everything first, without
/// reading each successful body twice.
pub(crate) fn handle_200_error(response: &mut http::Response<Body>) {
    if response.status() != http::StatusCode::OK {
        return;
    }
    match response.body().as_bytes().and_then(root_looks_like_error) {
        Some(true) => *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR,
        Some(false) => {
            response
                .extensions_mut()
                .insert(super::ServerErrorIfUnparsable(looks_like_200_error));
        }
        None => {}
    }
}

/// The raw `Expires` header value, kept for `ExpiresString`.
#[derive(Clone, Debug)]
struct ExpiresString(String);

/// Whether `op`'s output has botocore's `Expires` member (shape `Expires`, wire name
/// `Expires`).
fn has_expires_member(model: &ServiceModel, op: &Operation) -> bool {
    op.output
        .as_ref()
        .and_then(|o| model.shape(o.shape).as_structure())
        .is_some_and(|st| {
            st.members
                .values()
                .any(|m| model.shape(m.shape).name == "Expires" && m.wire_name() == "Expires")
        })
}

/// The raw `Expires` value (for `ExpiresString`; a header sent twice is joined with `, `, as
/// botocore reads it); the header is removed when it is not a timestamp, so the parser leaves
/// `Expires` out instead of failing.
pub(crate) fn take_unparsable_expires(response: &mut http::Response<Body>) -> Option<String> {
    let raw = crate::parse::header(response.headers(), http::header::EXPIRES)?.into_owned();
    if Timestamp::parse_any(&raw).is_err() {
        response.headers_mut().remove(http::header::EXPIRES);
    }
    Some(raw)
}

/// `GetBucketLocation`'s region, read from the root element's text.
#[derive(Clone, Debug)]
struct BucketLocation(Option<String>);

/// The text of the root element before its first child (ElementTree's `root.text`); `None`
/// for malformed XML.
fn root_text(body: &[u8]) -> Option<Option<String>> {
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    let mut in_root = false;
    let mut text: Option<String> = None;
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            XmlEvent::Start(_) if !in_root => in_root = true,
            XmlEvent::Empty(_) if !in_root => return Some(None),
            XmlEvent::Text(t) if in_root => {
                let t = t.unescape().ok()?;
                text.get_or_insert_with(String::new).push_str(&t);
            }
            XmlEvent::CData(t) if in_root => {
                text.get_or_insert_with(String::new)
                    .push_str(&String::from_utf8_lossy(&t));
            }
            XmlEvent::Start(_) | XmlEvent::Empty(_) | XmlEvent::End(_) if in_root => {
                return Some(text)
            }
            XmlEvent::Eof => return None,
            _ => {}
        }
    }
}

// ----- endpoint builtins ----------------------------------------------------------------------

/// The region of an S3 client configured with none (botocore's `_compute_s3_endpoint_config`
/// leaves no S3 client without one, unlike other services' `NoRegionError`): `us-east-1`,
/// reached at the global `s3.amazonaws.com`, under the default `legacy`
/// `us_east_1_regional_endpoint`; the `aws-global` pseudo-region (the same endpoint, signed for
/// us-east-1) under `regional`, unless dual-stack endpoints are asked for: botocore's legacy
/// endpoint table has no dual-stack `aws-global`, so its client takes `us-east-1` (which matters
/// for S3 Transfer Acceleration: `aws-global` would put the region in the accelerated host).
pub(crate) fn region_when_unset(
    us_east_1_regional_endpoint: Option<&str>,
    use_dualstack: bool,
) -> &'static str {
    match us_east_1_regional_endpoint {
        Some("regional") if !use_dualstack => "aws-global",
        _ => "us-east-1",
    }
}

/// Endpoint builtins botocore changes for one S3 call (`customize_endpoint_resolver_builtins`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct EndpointBuiltinOverrides {
    /// `AWS::S3::ForcePathStyle`.
    pub force_path_style: Option<bool>,
    /// `AWS::Region` (`aws-global` for global presigned URLs).
    pub region: Option<&'static str>,
    /// `AWS::S3::UseGlobalEndpoint`.
    pub use_global_endpoint: Option<bool>,
}

/// botocore's `ArnParser.is_arn`: `arn:` and at least six `:`-separated parts.
pub(crate) fn is_arn(value: &str) -> bool {
    value.starts_with("arn:") && value.splitn(6, ':').count() == 6
}

/// `^(?!-)[a-zA-Z\d-]{1,63}(?<!-)$`
fn is_valid_host_label(s: &str) -> bool {
    let Some(s) = without_final_newline(s) else {
        return false;
    };
    all_chars(s, 1, 63, is_label_char) && !s.starts_with('-') && !s.ends_with('-')
}

/// The builtins to change before resolving an S3 endpoint. `force_path_style` is the configured
/// value; `use_global_endpoint` is botocore's presign-time context flag.
pub(crate) fn endpoint_builtin_overrides(
    operation: &str,
    bucket: Option<&str>,
    force_path_style: bool,
    use_global_endpoint: bool,
) -> EndpointBuiltinOverrides {
    let mut out = EndpointBuiltinOverrides::default();
    let bucket_is_arn = bucket.is_some_and(is_arn);
    if operation == "GetBucketLocation" {
        // The bucket's region is unknown here; path style avoids AuthorizationHeaderMalformed.
        out.force_path_style = Some(true);
    } else if bucket_is_arn {
        out.force_path_style = Some(false);
    }
    let path_style_required = bucket.is_some_and(|b| !is_valid_host_label(b));
    let path_style_requested = out.force_path_style.unwrap_or(force_path_style);
    let s3express = bucket.is_some_and(|b| b.ends_with("--x-s3"));
    if use_global_endpoint
        && !path_style_required
        && !path_style_requested
        && !bucket_is_arn
        && !s3express
    {
        out.region = Some("aws-global");
        out.use_global_endpoint = Some(true);
    }
    out
}

/// botocore's `remove_bucket_from_url_paths_from_model`: with ruleset endpoints the bucket is
/// in the endpoint, so a request URI starting `/{Bucket}` drops that part (`/{Bucket}` alone
/// becomes `/`). `None` when the URI does not start with it.
pub(crate) fn request_uri_without_bucket(request_uri: &str) -> Option<&str> {
    let rest = request_uri.strip_prefix("/{Bucket}")?;
    Some(if rest.is_empty() { "/" } else { rest })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::test_support::before_parameter_build;
    use crate::customize::test_support::model;
    use crate::hooks::{CallContext, Target};
    use crate::params;

    fn hooks() -> Hooks {
        let mut h = Hooks::new();
        register(&mut h, &model("s3"));
        h
    }

    #[test]
    fn bucket_names_follow_botocore_regexes() {
        for ok in [
            "my-bucket",
            "My_Bucket.1",
            "a",
            "x\n",
            "arn:aws:s3:us-west-2:123456789012:accesspoint/endpoint",
            "arn:aws:s3:us-west-2:123456789012:accesspoint:end.point",
            "arn:aws-cn:s3-object-lambda:cn-north-1:123456789012:accesspoint/x",
            "arn:aws:s3::123456789012:accesspoint/mrap",
            "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/reports",
        ] {
            let p = params! {"Bucket": ok};
            assert!(validate_bucket_name(p.as_map().unwrap()).is_ok(), "{ok:?}");
        }
        for bad in [
            "",
            "bucket/key",
            "b\n\n",
            "arn:aws:s3:us-west-2:12345678901:accesspoint/x",
            "arn:aws:s3:us-west-2:123456789012:bucket/x",
            "arn:aws:s3-outposts::123456789012:outpost/op/accesspoint/r",
            "arn:gcp:s3:us-west-2:123456789012:accesspoint/x",
            &"a".repeat(256),
        ] {
            let p = params! {"Bucket": bad};
            assert!(
                validate_bucket_name(p.as_map().unwrap()).is_err(),
                "{bad:?}"
            );
        }
        let err = validate_bucket_name(params! {"Bucket": "a/b"}.as_map().unwrap()).unwrap_err();
        assert!(err.to_string().starts_with(
            r#"Invalid bucket name "a/b": Bucket name must match the regex "^[a-zA-Z0-9.\-_]{1,255}$" or be an ARN matching the regex "^arn:(aws).*:(s3|s3-object-lambda):"#
        ), "{err}");
    }

    #[test]
    fn validate_bucket_name_hook_runs_for_every_s3_operation() {
        let h = hooks();
        let mut p = params! {"Bucket": "bad/name", "Key": "k"};
        let err = before_parameter_build(&h, "s3", "GetObject", &mut p).unwrap_err();
        assert_eq!(err.hook, "s3.validate-bucket-name");
    }

    #[test]
    fn list_objects_keys_are_decoded_only_when_auto_set() {
        let h = hooks();
        let ctx = CallContext::new();
        let call = CallInfo::new("s3", "ListObjectsV2").with_context(&ctx);
        let mut p = params! {"Bucket": "b"};
        h.run(
            Event::BeforeParameterBuild,
            &call,
            &mut Target::Params(&mut p),
        )
        .unwrap();
        assert_eq!(p["EncodingType"].as_str(), Some("url"));
        let mut r = params! {"EncodingType": "url", "Prefix": "a%2Bb+c",
        "Contents": vec![params!{"Key": "dir/f%C3%A9+x"}, params!{"Size": 1}],
        "CommonPrefixes": vec![params!{"Prefix": "p%2F"}]};
        h.run(Event::AfterCall, &call, &mut Target::Result(&mut r))
            .unwrap();
        assert_eq!(r["Prefix"].as_str(), Some("a+b c"));
        assert_eq!(r["Contents"][0]["Key"].as_str(), Some("dir/fé x"));
        assert_eq!(r["CommonPrefixes"][0]["Prefix"].as_str(), Some("p/"));

        // The caller asked for url encoding: keys stay encoded.
        let ctx = CallContext::new();
        let call = CallInfo::new("s3", "ListObjects").with_context(&ctx);
        let mut p = params! {"Bucket": "b", "EncodingType": "url"};
        h.run(
            Event::BeforeParameterBuild,
            &call,
            &mut Target::Params(&mut p),
        )
        .unwrap();
        let mut r = params! {"EncodingType": "url", "Marker": "a%20b"};
        h.run(Event::AfterCall, &call, &mut Target::Result(&mut r))
            .unwrap();
        assert_eq!(r["Marker"].as_str(), Some("a%20b"));
    }

    #[test]
    fn list_object_versions_decodes_versions_and_delete_markers() {
        let h = hooks();
        let ctx = CallContext::new();
        let call = CallInfo::new("s3", "ListObjectVersions").with_context(&ctx);
        let mut p = params! {"Bucket": "b"};
        h.run(
            Event::BeforeParameterBuild,
            &call,
            &mut Target::Params(&mut p),
        )
        .unwrap();
        let mut r = params! {"EncodingType": "url", "KeyMarker": "k%3D", "NextKeyMarker": "n%3D",
        "Versions": vec![params!{"Key": "v%3D"}], "DeleteMarkers": vec![params!{"Key": "d%3D"}]};
        h.run(Event::AfterCall, &call, &mut Target::Result(&mut r))
            .unwrap();
        assert_eq!(r["KeyMarker"].as_str(), Some("k="));
        assert_eq!(r["NextKeyMarker"].as_str(), Some("n="));
        assert_eq!(r["Versions"][0]["Key"].as_str(), Some("v="));
        assert_eq!(r["DeleteMarkers"][0]["Key"].as_str(), Some("d="));
    }

    #[test]
    fn copy_source_string_and_map_forms() {
        let mut p = params! {"CopySource": "bucket/foo bar/é.txt?versionId=abc+def"};
        handle_copy_source(p.as_map_mut().unwrap()).unwrap();
        assert_eq!(
            p["CopySource"].as_str(),
            Some("bucket/foo%20bar/%C3%A9.txt?versionId=abc+def")
        );
        let mut p = params! {"CopySource": "bucket/a?versionId=has space"};
        handle_copy_source(p.as_map_mut().unwrap()).unwrap();
        assert_eq!(
            p["CopySource"].as_str(),
            Some("bucket/a%3FversionId%3Dhas%20space")
        );
        let mut p = params! {"CopySource": params!{"Bucket": "b", "Key": "k+y", "VersionId": "v1"}};
        handle_copy_source(p.as_map_mut().unwrap()).unwrap();
        assert_eq!(p["CopySource"].as_str(), Some("b/k%2By?versionId=v1"));
        let arn = "arn:aws:s3:us-west-2:123456789012:accesspoint/ap";
        let mut p = params! {"CopySource": params!{"Bucket": arn, "Key": "k"}};
        handle_copy_source(p.as_map_mut().unwrap()).unwrap();
        assert_eq!(
            p["CopySource"].as_str(),
            Some("arn%3Aaws%3As3%3Aus-west-2%3A123456789012%3Aaccesspoint/ap/object/k")
        );
        let mut p = params! {"CopySource": params!{"Key": "k"}};
        let err = handle_copy_source(p.as_map_mut().unwrap()).unwrap_err();
        assert!(err.to_string().contains("'Bucket'"), "{err}");
    }

    #[test]
    fn sse_c_keys_are_encoded_with_md5() {
        let h = hooks();
        let mut p = params! {"Bucket": "b", "Key": "k", "SSECustomerKey": "foo",
        "CopySourceSSECustomerKey": &b"bar"[..]};
        before_parameter_build(&h, "s3", "CopyObject", &mut p).unwrap();
        assert_eq!(p["SSECustomerKey"].as_str(), Some("Zm9v"));
        assert_eq!(
            p["SSECustomerKeyMD5"].as_str(),
            Some("rL0Y20zC+Fzt72VPzMSk2A==")
        );
        assert_eq!(p["CopySourceSSECustomerKey"].as_str(), Some("YmFy"));
        assert_eq!(
            p["CopySourceSSECustomerKeyMD5"].as_str(),
            Some("N7UdGUp1E+RbVvZSTy1R8g==")
        );
        // A caller-given MD5 leaves both alone.
        let mut p = params! {"SSECustomerKey": "foo", "SSECustomerKeyMD5": "x"};
        sse_customer_key_md5(p.as_map_mut().unwrap(), SSE_CUSTOMER_KEY);
        assert_eq!(p["SSECustomerKey"].as_str(), Some("foo"));
    }

    #[test]
    fn metadata_must_be_ascii() {
        assert!(
            validate_ascii_metadata(params! {"Metadata": params!{"a": "b"}}.as_map().unwrap())
                .is_ok()
        );
        let err = validate_ascii_metadata(
            params! {"Metadata": params!{"k": "caf\u{e9}"}}
                .as_map()
                .unwrap(),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "Non ascii characters found in S3 metadata for key \"k\", value: \"caf\u{e9}\".  \nS3 metadata can only contain ASCII characters. ");
    }

    #[test]
    fn expect_continue_for_object_uploads() {
        let file_like = |op: &str, p: Value| has_file_like_body(op, p.as_map().unwrap());
        assert!(file_like("PutObject", params! {"Body": &b""[..]}));
        assert!(file_like("UploadPart", params! {"Body": "data"}));
        assert!(!file_like("PutObject", params! {"Key": "k"}));
        assert!(!file_like("PutBucketTagging", params! {"Body": "x"}));
        let put = |body: Body| http::Request::builder().method("PUT").body(body).unwrap();
        let mut r = put(Body::Empty);
        add_expect_header(true, &mut r);
        assert_eq!(r.headers()["expect"], "100-continue");
        let mut r = put(Body::from(b"<x/>".to_vec()));
        add_expect_header(false, &mut r);
        assert!(r.headers().get("expect").is_none());
        let mut r = put(Body::Stream(crate::body::StreamingBody::new(0u8, None)));
        add_expect_header(false, &mut r);
        assert_eq!(r.headers()["expect"], "100-continue");
        let mut r = http::Request::builder()
            .method("GET")
            .body(Body::Stream(crate::body::StreamingBody::new(0u8, None)))
            .unwrap();
        add_expect_header(true, &mut r);
        assert!(r.headers().get("expect").is_none());
    }

    #[test]
    fn xml_line_breaks_are_escaped() {
        let mut r = http::Request::builder()
            .header("content-length", "15")
            .body(Body::from(b"<a>x\r\ny</a>\n".to_vec()))
            .unwrap();
        escape_xml_payload(&mut r);
        assert_eq!(r.body().as_bytes().unwrap(), b"<a>x&#xD;&#xA;y</a>&#xA;");
        assert_eq!(r.headers()["content-length"], "24");
    }

    #[test]
    fn two_hundred_errors_become_500() {
        // Through the client's parse: the hook looks at the root element, the parser reads the
        // rest, and a body that fails to parse is checked in full before it counts as a 500.
        let s3 = crate::customize::test_support::s3_client();
        let error = b"<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code><Message>x</Message></Error>";
        let parse = |op: &str, body: &[u8]| {
            let response = http::Response::new(Body::from(body.to_vec()));
            s3.parse_operation(op, response, 0)
        };
        for (op, body) in [
            ("CopyObject", &error[..]),
            (
                "CopyObject",
                b"<CopyObjectResult><ETag>x</ETag></CopyObjectResult>junk",
            ),
            ("CopyObject", b"<CopyObjectResult/><Second/>"),
            (
                "CopyObject",
                b"<CopyObjectResult><ETag>x</CopyObjectResult>",
            ),
            ("CopyObject", b"   "),
            ("CopyObject", b"junk"),
            // A value the parser refuses before it reaches the cut: still a cut-off document.
            (
                "CopyObject",
                b"<CopyObjectResult><LastModified>never</LastModified><ETag>x",
            ),
            (
                "CompleteMultipartUpload",
                b"<CompleteMultipartUploadResult><Loc",
            ),
        ] {
            let err = parse(op, body).expect_err(op);
            assert_eq!(
                err.status(),
                Some(500),
                "{op} {:?}: {err}",
                String::from_utf8_lossy(body)
            );
        }
        let ok = parse(
            "CopyObject",
            b"<CopyObjectResult><ETag>x</ETag></CopyObjectResult>\n<!-- done -->\n",
        )
        .unwrap();
        assert_eq!(ok["CopyObjectResult"]["ETag"].as_str(), Some("x"));
        assert_eq!(ok["ResponseMetadata"]["HTTPStatusCode"].as_i64(), Some(200));
        assert!(parse("CopyObject", b"").is_ok());
        // Well-formed but with a value the model refuses: a parse error, not a 500.
        let err = parse(
            "CopyObject",
            b"<CopyObjectResult><LastModified>never</LastModified></CopyObjectResult>",
        )
        .unwrap_err();
        assert!(matches!(err, crate::error::Error::Parse(_)), "{err}");
        // GetObject's payload is a blob: never inspected.
        let got = parse("GetObject", error).unwrap();
        assert_eq!(got["Body"].as_blob().map(|b| &b[..]), Some(&error[..]));
    }

    #[test]
    fn xml_error_detection_details() {
        assert!(looks_like_200_error(b"<Error/>"));
        assert!(!looks_like_200_error(
            b"<Error xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>"
        ));
        assert!(looks_like_200_error(b"<A></B>"));
        assert!(looks_like_200_error(b"<A/><B/>"));
        assert!(looks_like_200_error(b"junk"));
        assert!(!looks_like_200_error(b"<A><Error/></A>"));
    }

    #[test]
    fn expires_is_kept_raw_and_dropped_when_unparsable() {
        let h = hooks();
        for (value, kept) in [("Thu, 01 Dec 1994 16:00:00 GMT", true), ("never", false)] {
            let ctx = CallContext::new();
            let call = CallInfo::new("s3", "GetObject").with_context(&ctx);
            let mut resp = http::Response::builder()
                .header("Expires", value)
                .body(Body::Empty)
                .unwrap();
            h.run(Event::BeforeParse, &call, &mut Target::Response(&mut resp))
                .unwrap();
            assert_eq!(resp.headers().contains_key("expires"), kept, "{value}");
            let mut r = params! {};
            h.run(Event::AfterCall, &call, &mut Target::Result(&mut r))
                .unwrap();
            assert_eq!(r["ExpiresString"].as_str(), Some(value));
        }
    }

    #[test]
    fn get_bucket_location_reads_the_bare_element() {
        let h = hooks();
        for (body, expect) in [
            (&b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">eu-west-1</LocationConstraint>"[..], Value::from("eu-west-1")),
            (&b"<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>"[..], Value::Null),
        ] {
            let ctx = CallContext::new();
            let call = CallInfo::new("s3", "GetBucketLocation").with_context(&ctx);
            let mut resp = http::Response::new(Body::from(body.to_vec()));
            h.run(Event::BeforeParse, &call, &mut Target::Response(&mut resp))
                .unwrap();
            let mut r = params! {"ResponseMetadata": params!{}};
            h.run(Event::AfterCall, &call, &mut Target::Result(&mut r))
                .unwrap();
            assert!(r.as_map().unwrap().contains_key("LocationConstraint"));
            assert_eq!(r["LocationConstraint"], expect);
        }
    }

    #[test]
    fn endpoint_builtins() {
        assert_eq!(
            endpoint_builtin_overrides("GetBucketLocation", Some("b"), false, false)
                .force_path_style,
            Some(true)
        );
        let arn = "arn:aws:s3:us-west-2:123456789012:accesspoint/ap";
        assert_eq!(
            endpoint_builtin_overrides("GetObject", Some(arn), true, false).force_path_style,
            Some(false)
        );
        let global = endpoint_builtin_overrides("GetObject", Some("bucket"), false, true);
        assert_eq!(global.region, Some("aws-global"));
        assert_eq!(global.use_global_endpoint, Some(true));
        assert_eq!(
            endpoint_builtin_overrides("GetObject", Some("Bad_Bucket"), false, true),
            EndpointBuiltinOverrides::default()
        );
        assert_eq!(
            endpoint_builtin_overrides("GetObject", Some("b--usw2-az1--x-s3"), false, true),
            EndpointBuiltinOverrides::default()
        );
        assert_eq!(
            request_uri_without_bucket("/{Bucket}/{Key+}"),
            Some("/{Key+}")
        );
        assert_eq!(
            request_uri_without_bucket("/{Bucket}?tagging"),
            Some("?tagging")
        );
        assert_eq!(request_uri_without_bucket("/{Bucket}"), Some("/"));
        assert_eq!(request_uri_without_bucket("/"), None);
    }
}
