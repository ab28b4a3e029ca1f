//! The `query` protocol's responses: XML wrapped in `<OperationResponse><OperationResult>`
//! (the output ref's `resultWrapper`) with `<ResponseMetadata><RequestId>` beside it, and
//! errors as `<ErrorResponse><Error><Code>...</Code></Error><RequestId/></ErrorResponse>`.
//! EC2's variant ([`super::ec2`]) reuses this file with its own names.

use super::xml::{Element, ShapeReader, XmlReader};
use super::{finish_structure, generic_error, need_bytes, Ctx, ParseError, Slots};
use crate::body::Body;
use crate::model::{ShapeId, ShapeRef};
use crate::value::{Map, Text, Value};

/// Where the query dialects differ.
pub(super) struct Dialect {
    /// Whether the output ref's `resultWrapper` applies (EC2 has none).
    pub result_wrapper: bool,
    /// Root child carrying the request id: `ResponseMetadata` (a block) or EC2's `requestId`.
    pub metadata_element: &'static [u8],
    /// The request id element of an error body: `RequestId`, or EC2's `RequestID`.
    pub error_request_id: &'static [&'static str],
    /// The path from the error body's root to the `<Error>` a modeled error is read from.
    pub error_root_path: &'static [&'static [u8]],
}

const QUERY: Dialect = Dialect {
    result_wrapper: true,
    metadata_element: b"ResponseMetadata",
    error_request_id: &["RequestId"],
    error_root_path: &[b"Error"],
};

pub(super) fn parse_output(
    cx: &Ctx<'_>,
    output: Option<&ShapeRef>,
    body: Body,
) -> Result<Map, ParseError> {
    parse_output_as(&QUERY, cx, output, body)
}

pub(super) fn parse_error(cx: &Ctx<'_>, body: &[u8]) -> Result<Map, ParseError> {
    parse_error_as(&QUERY, cx, body)
}

pub(super) fn parse_modeled_error(
    cx: &Ctx<'_>,
    shape: ShapeId,
    body: &[u8],
) -> Result<Map, ParseError> {
    parse_modeled_error_as(&QUERY, cx, shape, body)
}

fn metadata_from<'a>(
    dialect: &Dialect,
    r: &mut XmlReader<'a>,
    elem: &Element<'a>,
) -> Result<Value, ParseError> {
    if dialect.metadata_element == b"ResponseMetadata" {
        r.tree(elem)
    } else {
        let mut m = Map::default();
        m.insert("RequestId".into(), Value::String(Text::from(r.text(elem)?)));
        Ok(Value::Map(m))
    }
}

pub(super) fn parse_output_as(
    dialect: &Dialect,
    cx: &Ctx<'_>,
    output: Option<&ShapeRef>,
    body: Body,
) -> Result<Map, ParseError> {
    let bytes = need_bytes(&body, "a query-protocol response")?;
    let mut r = XmlReader::new(bytes);
    // An answer with no element at all is refused, as botocore's XML parser refuses it ("no
    // element found"), whatever the operation's output.
    let Some(root) = r.root()? else {
        return Err(r.malformed("no element found"));
    };
    let reader = ShapeReader::new(cx.model, cx.timestamps);
    let mut metadata: Option<Value> = None;
    let structure = output.and_then(|o| {
        let shape = cx.model.shape(o.shape);
        shape.as_structure().map(|s| (o, shape.name.as_str(), s))
    });
    let mut out = Map::default();
    match structure {
        Some((o, name, s)) if dialect.result_wrapper && o.result_wrapper.is_some() => {
            let wrapper = o.result_wrapper.as_deref().unwrap_or_default();
            let mut found = false;
            while let Some(child) = r.next_child(&root)? {
                if child.local_name() == wrapper.as_bytes() && !found {
                    found = true;
                    if let Value::Map(m) = reader.structure(&mut r, name, s, &child)? {
                        out = m;
                    }
                } else if child.local_name() == dialect.metadata_element {
                    metadata = Some(metadata_from(dialect, &mut r, &child)?);
                } else {
                    r.skip(&child)?;
                }
            }
            // botocore looks the wrapper up among the root's children and fails without it.
            if !found {
                return Err(ParseError::MissingElement {
                    element: wrapper.to_owned(),
                    root: String::from_utf8_lossy(root.local_name()).into_owned(),
                });
            }
        }
        Some((_, name, s)) => {
            let mut slots = Slots::new(s.members.len());
            reader.fill_structure(&mut r, name, s, &root, &mut slots, &mut |r, child| {
                if child.local_name() == dialect.metadata_element {
                    metadata = Some(metadata_from(dialect, r, child)?);
                    Ok(())
                } else {
                    r.skip(child)
                }
            })?;
            out = super::finish_output(&s.members, &mut slots);
        }
        None => {
            while let Some(child) = r.next_child(&root)? {
                if child.local_name() == dialect.metadata_element {
                    metadata = Some(metadata_from(dialect, &mut r, &child)?);
                } else {
                    r.skip(&child)?;
                }
            }
        }
    }
    r.finish()?;
    if let Some(Value::Map(m)) = metadata {
        out.insert("ResponseMetadata".into(), Value::Map(m));
    }
    Ok(out)
}

pub(super) fn parse_error_as(
    dialect: &Dialect,
    cx: &Ctx<'_>,
    body: &[u8],
) -> Result<Map, ParseError> {
    let mut r = XmlReader::new(body);
    let Some(root) = r.root()? else {
        // botocore fails on an empty query error body; the status says more than a failure.
        return Ok(generic_error(cx.status, Map::default()));
    };
    let mut parsed = match r.tree(&root)? {
        Value::Map(m) => m,
        _ => Map::default(),
    };
    // {"Errors": {"Error": {...}}} -> {"Error": {...}}
    if let Some(Value::Map(errors)) = parsed.shift_remove("Errors") {
        parsed.extend(errors);
    }
    for name in dialect.error_request_id {
        if let Some(id) = parsed.shift_remove(*name) {
            let mut m = Map::default();
            m.insert("RequestId".into(), id);
            parsed.insert("ResponseMetadata".into(), Value::Map(m));
        }
    }
    Ok(parsed)
}

pub(super) fn parse_modeled_error_as(
    dialect: &Dialect,
    cx: &Ctx<'_>,
    shape: ShapeId,
    body: &[u8],
) -> Result<Map, ParseError> {
    let error_shape = cx.model.shape(shape);
    let Some(s) = error_shape.as_structure() else {
        return Ok(Map::default());
    };
    let mut r = XmlReader::new(body);
    let Some(root) = r.root()? else {
        return Ok(Map::default());
    };
    let reader = ShapeReader::new(cx.model, cx.timestamps);
    let read = ModeledRead {
        reader: &reader,
        name: &error_shape.name,
        s,
    };
    // Query: `<ErrorResponse><Error>`; EC2: `<Response><Errors><Error>`. A root of another
    // name is read as the error itself (query), as botocore does.
    let wrapped = dialect.error_root_path.len() > 1 || root.local_name() == b"ErrorResponse";
    if !wrapped {
        return read.read(&mut r, &root);
    }
    descend(&mut r, root, dialect.error_root_path, &read)
}

struct ModeledRead<'x> {
    reader: &'x ShapeReader<'x>,
    name: &'x str,
    s: &'x crate::model::Structure,
}

impl ModeledRead<'_> {
    fn read<'a>(&self, r: &mut XmlReader<'a>, elem: &Element<'a>) -> Result<Map, ParseError> {
        let mut slots = Slots::new(self.s.members.len());
        self.reader
            .fill_structure(r, self.name, self.s, elem, &mut slots, &mut |r, c| {
                r.skip(c)
            })?;
        Ok(finish_structure(&self.s.members, &mut slots))
    }
}

fn descend<'a>(
    r: &mut XmlReader<'a>,
    elem: Element<'a>,
    path: &[&[u8]],
    read: &ModeledRead<'_>,
) -> Result<Map, ParseError> {
    let Some((first, rest)) = path.split_first() else {
        return read.read(r, &elem);
    };
    let mut found = Map::default();
    let mut done = false;
    while let Some(child) = r.next_child(&elem)? {
        if !done && child.local_name() == *first {
            found = descend(r, child, rest, read)?;
            done = true;
        } else {
            r.skip(&child)?;
        }
    }
    Ok(found)
}
