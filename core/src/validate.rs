//! Parameter validation against an operation's input shape, before anything is built.
//!
//! Like botocore's `ParamValidator`, every problem is collected — missing required members,
//! unknown members (with the nearest valid name), wrong types, values below a shape's `min` (an
//! empty host label below an implicit 1), more than one member of a union — and returned at
//! once, each with its parameter path (`Tagging.TagSet[0].Key`). As in botocore, `max` and `pattern` are left to the service.
//!
//! One deliberate difference: botocore writes the value given into a problem's message; for a
//! value given to a `sensitive` shape (a password, a key, a token, or anything inside one) the
//! message here says `*** (sensitive)` instead, since messages end up in logs.

use std::fmt::{self, Write as _};

use crate::model::{Location, ServiceModel, ShapeId, ShapeKind};
use crate::serialize::MAX_NESTING;
use crate::time::Timestamp;
use crate::value::Value;

/// One thing wrong with the parameters.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Problem {
    /// A required member is absent (or null).
    MissingRequired {
        /// Where in the parameters (dotted, `input` at the root).
        path: String,
        /// The member's name.
        member: String,
    },
    /// A member the shape does not have.
    UnknownParameter {
        /// Where in the parameters (dotted, `input` at the root).
        path: String,
        /// The name given.
        member: String,
        /// The shape's member names.
        valid: Vec<String>,
        /// The closest valid name, when one is close.
        suggestion: Option<String>,
    },
    /// A value of the wrong kind.
    InvalidType {
        /// Where in the parameters (dotted, `input` at the root).
        path: String,
        /// The value given, as text.
        value: String,
        /// The kind of the value given.
        kind: &'static str,
        /// The kinds the shape accepts.
        valid: &'static str,
    },
    /// A string, list or map shorter than the shape's `min`.
    InvalidLength {
        /// Where in the parameters (dotted, `input` at the root).
        path: String,
        /// The length given.
        length: usize,
        /// The shape's minimum.
        min: f64,
    },
    /// A number below the shape's `min`.
    InvalidRange {
        /// Where in the parameters (dotted, `input` at the root).
        path: String,
        /// The number given, as text.
        value: String,
        /// The shape's minimum.
        min: f64,
    },
    /// A union with other than exactly one member set.
    InvalidUnion {
        /// Where in the parameters (dotted, `input` at the root).
        path: String,
        /// How many members are set.
        set: usize,
        /// The union's member names.
        members: Vec<String>,
    },
    /// A string that is not a timestamp.
    InvalidTimestamp {
        /// Where in the parameters (dotted, `input` at the root).
        path: String,
        /// The text given.
        value: String,
    },
    /// What a service's customization refuses while the parameters are built, as botocore's
    /// handlers raise `ParamValidationError` for it: an S3 bucket name that is neither a name
    /// nor an ARN, S3 metadata outside ASCII, a `CopySource` without its bucket or key.
    Refused(crate::customize::CustomizeError),
    /// What the endpoint ruleset refuses that botocore reports as a parameter problem, in the
    /// ruleset's words: an S3 bucket ARN it calls invalid (`Invalid ARN: …`), an S3 Control
    /// call without its `AccountId`.
    RefusedByEndpointRules(String),
}

fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "input"
    } else {
        path
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::MissingRequired { path, member } => {
                write!(f, "Missing required parameter in {}: \"{member}\"", display_path(path))
            }
            Problem::UnknownParameter { path, member, valid, suggestion } => {
                write!(
                    f,
                    "Unknown parameter in {}: \"{member}\", must be one of: {}",
                    display_path(path),
                    valid.join(", ")
                )?;
                if let Some(s) = suggestion {
                    write!(f, " (did you mean \"{s}\"?)")?;
                }
                Ok(())
            }
            Problem::InvalidType { path, value, kind, valid } => write!(
                f,
                "Invalid type for parameter {}, value: {value}, type: {kind}, valid types: {valid}",
                display_path(path)
            ),
            Problem::InvalidLength { path, length, min } => write!(
                f,
                "Invalid length for parameter {}, value: {length}, valid min length: {min}",
                display_path(path)
            ),
            Problem::InvalidRange { path, value, min } => write!(
                f,
                "Invalid value for parameter {}, value: {value}, valid min value: {min}",
                display_path(path)
            ),
            // botocore's two messages, for none set and for more than one (the first with the
            // space between "union" and "structure" that botocore's lacks).
            Problem::InvalidUnion { path, set: 0, members } => write!(
                f,
                "Must set one of the following keys for tagged union structure {}: {}.",
                display_path(path),
                members.join(", ")
            ),
            Problem::InvalidUnion { path, members, .. } => write!(
                f,
                "Invalid number of parameters set for tagged union structure {}. Can only set one of the following keys: {}.",
                display_path(path),
                members.join(", ")
            ),
            Problem::InvalidTimestamp { path, value } => write!(
                f,
                "Invalid type for parameter {}, value: {value}, type: string, valid types: timestamp, ISO 8601 string, epoch seconds",
                display_path(path)
            ),
            // botocore's report: the `KeyError`'s text for a missing member.
            Problem::Refused(crate::customize::CustomizeError::MissingMember { member, .. }) => {
                write!(f, "Missing required parameter: '{member}'")
            }
            Problem::Refused(refusal) => refusal.fmt(f),
            Problem::RefusedByEndpointRules(message) => f.write_str(message),
        }
    }
}

/// Every problem found in a call's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationError {
    /// The problems, in the order they were found.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Parameter validation failed:")?;
        for p in &self.problems {
            write!(f, "\n{p}")?;
        }
        Ok(())
    }
}

/// The source is the first customization's refusal among the problems (S3's bucket name, …),
/// so a walk of the error chain finds it as it found the hook's.
impl std::error::Error for ValidationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.problems.iter().find_map(|p| match p {
            Problem::Refused(refusal) => Some(refusal as &(dyn std::error::Error + 'static)),
            _ => None,
        })
    }
}

/// Validate `params` against `shape` (an operation's input). `None` input shape accepts only an
/// empty structure.
///
/// ```
/// use sansboto_core::{model::ServiceModel, params, validate};
/// let model = ServiceModel::from_json(br#"{"metadata": {"protocol": "json"}, "operations": {},
///     "shapes": {"In": {"type": "structure", "required": ["Name"],
///                       "members": {"Name": {"shape": "S"}, "Size": {"shape": "I"}}},
///                "S": {"type": "string", "min": 1}, "I": {"type": "integer"}}}"#).unwrap();
/// let err = validate(&model, model.shape_id("In"), &params! {"Nmae": "x", "Size": "3"}).unwrap_err();
/// assert_eq!(err.problems.len(), 3); // missing Name, unknown Nmae (did you mean Name?), Size not an integer
/// ```
pub fn validate(
    model: &ServiceModel,
    shape: Option<ShapeId>,
    params: &Value,
) -> Result<(), ValidationError> {
    let mut v = Validator {
        model,
        problems: Vec::new(),
        depth: 0,
        sensitive: 0,
    };
    match shape {
        Some(id) => v.value(id, params, &Path::Root),
        None => {
            if let Some(map) = params.as_map() {
                for k in map.keys() {
                    v.problems.push(Problem::UnknownParameter {
                        path: String::new(),
                        member: k.to_string(),
                        valid: Vec::new(),
                        suggestion: None,
                    });
                }
            } else if !params.is_null() {
                v.type_error(&Path::Root, params, "map");
            }
        }
    }
    if v.problems.is_empty() {
        Ok(())
    } else {
        Err(ValidationError {
            problems: v.problems,
        })
    }
}

struct Validator<'a> {
    model: &'a ServiceModel,
    problems: Vec<Problem>,
    /// How many values deep the walk is ([`MAX_NESTING`] at most).
    depth: usize,
    /// How many of the shapes being walked are `sensitive` (a password, a key, a token): while
    /// any is, a problem names the value's kind but not the value (see [`SENSITIVE`]).
    sensitive: usize,
}

/// What a problem shows for a value given to a sensitive shape. botocore writes the value into
/// the message; here it is left out, as secrets are kept out of every message and log.
const SENSITIVE: &str = "*** (sensitive)";

/// Where a value sits in the parameters, as a chain of borrowed segments on the stack: written
/// out (`Tags[0].Key`) only when a problem is reported, so a valid call builds no path text.
#[derive(Clone, Copy)]
enum Path<'p> {
    Root,
    /// A structure member: `.name`, or `name` at the root.
    Member(&'p Path<'p>, &'p str),
    /// A list item: `[i]`.
    Index(&'p Path<'p>, usize),
    /// A map value: `.key`.
    Key(&'p Path<'p>, &'p str),
    /// A map's key itself: ` (key: key)`, as botocore names it.
    MapKey(&'p Path<'p>, &'p str),
}

impl Path<'_> {
    fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Member(parent, name) => {
                parent.write(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Path::Index(parent, i) => {
                parent.write(out);
                let _ = write!(out, "[{i}]");
            }
            Path::Key(parent, key) => {
                parent.write(out);
                out.push('.');
                out.push_str(key);
            }
            Path::MapKey(parent, key) => {
                parent.write(out);
                let _ = write!(out, " (key: {key})");
            }
        }
    }
}

/// A short rendering of a value for messages (never a whole blob or stream): at most 80
/// characters, written only that far, so a huge or deeply nested value costs no more than its
/// first characters (the rendering stops as soon as the text is full).
fn preview(value: &Value) -> String {
    const SHOWN: usize = 80;
    /// Text that refuses more than `SHOWN + 1` characters: one past tells it was cut.
    struct Bounded(String, usize);
    impl fmt::Write for Bounded {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            for c in s.chars() {
                if self.1 > SHOWN {
                    return Err(fmt::Error);
                }
                self.0.push(c);
                self.1 += 1;
            }
            Ok(())
        }
    }
    let mut text = Bounded(String::new(), 0);
    let _ = match value {
        Value::String(s) => text.write_str(s),
        other => write!(text, "{other:?}"),
    };
    if text.1 > SHOWN {
        let cut: String = text.0.chars().take(SHOWN - 3).collect();
        format!("{cut}...")
    } else {
        text.0
    }
}

impl Validator<'_> {
    /// The value as a problem shows it: [`preview`], or [`SENSITIVE`] within a sensitive shape.
    fn shown(&self, value: impl FnOnce() -> String) -> String {
        if self.sensitive > 0 {
            SENSITIVE.to_owned()
        } else {
            value()
        }
    }

    fn type_error(&mut self, path: &Path<'_>, value: &Value, valid: &'static str) {
        self.problems.push(Problem::InvalidType {
            path: path.render(),
            value: self.shown(|| preview(value)),
            kind: value.kind(),
            valid,
        });
    }

    /// A value `json.dumps` can write: no bytes, times or streams anywhere in it (botocore's
    /// "must be json serializable"), nested no deeper than the serializer writes.
    fn json_writable(&mut self, value: &Value, path: &Path<'_>, depth: usize) {
        let valid = "a value JSON can write";
        match value {
            Value::Blob(_) | Value::Timestamp(_) | Value::Stream(_) => {
                self.type_error(path, value, valid)
            }
            Value::List(_) | Value::Map(_) if depth == MAX_NESTING => {
                self.type_error(path, value, valid)
            }
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.json_writable(item, &Path::Index(path, i), depth + 1);
                }
            }
            Value::Map(map) => {
                for (k, v) in map {
                    self.json_writable(v, &Path::Key(path, k), depth + 1);
                }
            }
            Value::Document(inner) => self.json_writable(inner, path, depth + 1),
            Value::Null | Value::Bool(_) | Value::Integer(_) | Value::Float(_) => {}
            Value::String(_) => {}
        }
    }

    fn min_length(&mut self, id: ShapeId, path: &Path<'_>, length: usize) {
        if let Some(min) = self.model.shape(id).min {
            if (length as f64) < min {
                self.problems.push(Problem::InvalidLength {
                    path: path.render(),
                    length,
                    min,
                });
            }
        }
    }

    /// [`min_length`](Self::min_length) of a text, in characters as botocore counts them. A
    /// text has at most as many characters as bytes and at least a quarter as many, so only a
    /// text whose byte length leaves it in doubt is counted.
    fn min_text_length(&mut self, id: ShapeId, path: &Path<'_>, text: &str) {
        let Some(min) = self.model.shape(id).min else {
            return;
        };
        if text.len().div_ceil(4) as f64 >= min {
            return;
        }
        self.min_length(id, path, text.chars().count());
    }

    /// `shown` writes the value as the message shows it, only when it is below the minimum.
    fn min_value(
        &mut self,
        id: ShapeId,
        path: &Path<'_>,
        value: f64,
        shown: impl FnOnce() -> String,
    ) {
        if let Some(min) = self.model.shape(id).min {
            if value < min {
                self.problems.push(Problem::InvalidRange {
                    path: path.render(),
                    value: self.shown(shown),
                    min,
                });
            }
        }
    }

    /// A map's key, validated as its key shape says (a string shape, in every model; any other
    /// kind is checked as the string value it is).
    fn map_key(&mut self, id: ShapeId, key: &str, map: &Path<'_>) {
        let path = &Path::MapKey(map, key);
        match &self.model.shape(id).kind {
            ShapeKind::String => self.min_text_length(id, path, key),
            _ => self.value(id, &Value::String(key.into()), path),
        }
    }

    fn value(&mut self, id: ShapeId, value: &Value, path: &Path<'_>) {
        // Deeper than any shape nests (a recursive shape given a value built to overflow the
        // stack): one problem, and nothing below it is walked.
        const _: () = assert!(MAX_NESTING == 128, "the message below names the limit");
        if self.depth == MAX_NESTING {
            return self.type_error(path, value, "a value nested at most 128 levels deep");
        }
        let sensitive = usize::from(self.model.shape(id).sensitive);
        self.depth += 1;
        self.sensitive += sensitive;
        self.shape_value(id, value, path);
        self.sensitive -= sensitive;
        self.depth -= 1;
    }

    fn shape_value(&mut self, id: ShapeId, value: &Value, path: &Path<'_>) {
        let shape = self.model.shape(id);
        match &shape.kind {
            ShapeKind::Structure(s) if s.document => self.document(value, path, 0),
            // An event-stream input is the transport's stream of events, encoded and signed
            // as they are sent (`crate::serialize::event`).
            ShapeKind::Structure(s) if s.eventstream && matches!(value, Value::Stream(_)) => {}
            ShapeKind::Structure(s) => {
                let Some(map) = value.as_map() else {
                    return self.type_error(path, value, "map");
                };
                for req in &s.required {
                    if map.get(req.as_str()).is_none_or(Value::is_null) {
                        self.problems.push(Problem::MissingRequired {
                            path: path.render(),
                            member: req.clone(),
                        });
                    }
                }
                if s.union {
                    let set = map.values().filter(|v| !v.is_null()).count();
                    if set != 1 {
                        self.problems.push(Problem::InvalidUnion {
                            path: path.render(),
                            set,
                            members: s.members.keys().cloned().collect(),
                        });
                    }
                }
                for (name, member_value) in map {
                    match s.members.get(name.as_str()) {
                        Some(member) => {
                            if member_value.is_null() {
                                continue;
                            }
                            let member_path = Path::Member(path, name);
                            // A `jsonvalue` string header takes any value JSON can write (it
                            // goes as base64 of its JSON), as botocore's special case checks it.
                            if member.jsonvalue
                                && member.location == Location::Header
                                && matches!(self.model.shape(member.shape).kind, ShapeKind::String)
                            {
                                self.json_writable(member_value, &member_path, 0);
                                continue;
                            }
                            self.value(member.shape, member_value, &member_path);
                            // A member bound to the host has an implicit `min` of 1 where its
                            // shape has none (botocore's `range_check`): an empty host label
                            // would make an empty part of the name.
                            if member.host_label && self.model.shape(member.shape).min.is_none() {
                                if let Value::String(text) = member_value {
                                    if text.is_empty() {
                                        self.problems.push(Problem::InvalidLength {
                                            path: member_path.render(),
                                            length: 0,
                                            min: 1.0,
                                        });
                                    }
                                }
                            }
                        }
                        None => self.problems.push(Problem::UnknownParameter {
                            path: path.render(),
                            member: name.to_string(),
                            valid: s.members.keys().cloned().collect(),
                            suggestion: nearest(name, s.members.keys()),
                        }),
                    }
                }
            }
            ShapeKind::List(member) => {
                let Some(items) = value.as_list() else {
                    return self.type_error(path, value, "list");
                };
                self.min_length(id, path, items.len());
                for (i, item) in items.iter().enumerate() {
                    if !(item.is_null() && shape.sparse) {
                        self.value(member.shape, item, &Path::Index(path, i));
                    }
                }
            }
            ShapeKind::Map { key, value: val } => {
                let Some(map) = value.as_map() else {
                    return self.type_error(path, value, "map");
                };
                for (k, v) in map {
                    self.map_key(key.shape, k, path);
                    if !(v.is_null() && shape.sparse) {
                        self.value(val.shape, v, &Path::Key(path, k));
                    }
                }
            }
            ShapeKind::String => match value {
                Value::String(s) => self.min_text_length(id, path, s),
                // A streaming string payload may be given as a stream or bytes.
                Value::Stream(_) | Value::Blob(_) if shape.streaming => {}
                _ => self.type_error(path, value, "string"),
            },
            ShapeKind::Byte
            | ShapeKind::Short
            | ShapeKind::Integer
            | ShapeKind::Long
            | ShapeKind::BigInteger => match value {
                Value::Integer(i) => self.min_value(id, path, *i as f64, || i.to_string()),
                _ => self.type_error(path, value, "integer"),
            },
            ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal => match value {
                Value::Float(f) => self.min_value(id, path, *f, || f.to_string()),
                Value::Integer(i) => self.min_value(id, path, *i as f64, || i.to_string()),
                _ => self.type_error(path, value, "float, integer"),
            },
            ShapeKind::Boolean => {
                if !matches!(value, Value::Bool(_)) {
                    self.type_error(path, value, "bool");
                }
            }
            ShapeKind::Blob => {
                if !matches!(value, Value::Blob(_) | Value::String(_) | Value::Stream(_)) {
                    self.type_error(path, value, "blob, string, stream");
                }
            }
            ShapeKind::Timestamp => match value {
                Value::Timestamp(_) => {}
                // Epoch seconds outside Python's `datetime` (years 1 to 9999) are refused by
                // botocore's validator, as they are here, with the other problems.
                Value::Integer(i) if Timestamp::from_secs(*i).in_datetime_range() => {}
                Value::Float(f) if Timestamp::from_epoch_f64(*f).is_some() => {}
                Value::Integer(_) | Value::Float(_) => self.type_error(
                    path,
                    value,
                    "timestamp, ISO 8601 string, epoch seconds of years 1 to 9999",
                ),
                Value::String(s) => {
                    if Timestamp::parse_any(s).is_err() {
                        self.problems.push(Problem::InvalidTimestamp {
                            path: path.render(),
                            value: self.shown(|| preview(value)),
                        });
                    }
                }
                _ => self.type_error(path, value, "timestamp, ISO 8601 string, epoch seconds"),
            },
        }
    }

    /// Documents hold JSON-like data only; botocore also refuses very deep nesting.
    fn document(&mut self, value: &Value, path: &Path<'_>, depth: usize) {
        const MAX_DEPTH: usize = 64;
        if depth > MAX_DEPTH {
            return self.type_error(path, value, "document nested at most 64 deep");
        }
        match value {
            Value::Null
            | Value::Bool(_)
            | Value::Integer(_)
            | Value::Float(_)
            | Value::String(_) => {}
            Value::Document(inner) => self.document(inner, path, depth),
            Value::List(items) => {
                for item in items {
                    self.document(item, path, depth + 1);
                }
            }
            Value::Map(map) => {
                for v in map.values() {
                    self.document(v, path, depth + 1);
                }
            }
            _ => self.type_error(path, value, "null, bool, number, string, list, map"),
        }
    }
}

/// The valid name closest to `name` (case-insensitive edit distance), if one is close enough to
/// be a likely typo.
pub fn nearest<'a>(name: &str, valid: impl Iterator<Item = &'a String>) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    valid
        .map(|v| (edit_distance(&lower, &v.to_ascii_lowercase()), v))
        .filter(|(d, v)| *d <= (v.len().max(name.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v.clone())
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbouring letters (the commonest typo) each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params;
    use std::sync::Arc;

    fn model() -> Arc<ServiceModel> {
        ServiceModel::from_json(
            br#"{"metadata": {"protocol": "rest-xml"}, "operations": {},
            "shapes": {
              "In": {"type": "structure", "required": ["Bucket", "Key"], "members": {
                "Bucket": {"shape": "Name"}, "Key": {"shape": "Name"}, "Count": {"shape": "Count"},
                "Ratio": {"shape": "Ratio"}, "When": {"shape": "When"}, "Tags": {"shape": "Tags"},
                "Meta": {"shape": "Meta"}, "Choice": {"shape": "Choice"}, "Body": {"shape": "Body"},
                "Flag": {"shape": "Flag"}}},
              "Name": {"type": "string", "min": 3},
              "Count": {"type": "integer", "min": 1},
              "Ratio": {"type": "double"},
              "When": {"type": "timestamp"},
              "Flag": {"type": "boolean"},
              "Body": {"type": "blob", "streaming": true},
              "Tags": {"type": "list", "member": {"shape": "Tag"}, "min": 1},
              "Tag": {"type": "structure", "required": ["Key"], "members": {"Key": {"shape": "Name"}}},
              "Meta": {"type": "map", "key": {"shape": "Name"}, "value": {"shape": "Count"}},
              "Choice": {"type": "structure", "union": true, "members": {"A": {"shape": "Name"}, "B": {"shape": "Name"}}}
            }}"#,
        )
        .unwrap()
    }

    fn problems(params: Value) -> Vec<String> {
        let m = model();
        match validate(&m, m.shape_id("In"), &params) {
            Ok(()) => vec![],
            Err(e) => e.problems.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn an_empty_host_label_is_too_short_where_its_shape_has_no_min() {
        let m = ServiceModel::from_json(
            br#"{"metadata": {"protocol": "rest-xml"}, "operations": {},
            "shapes": {
              "In": {"type": "structure", "members": {
                "AccountId": {"shape": "Text", "hostLabel": true},
                "Named": {"shape": "Long", "hostLabel": true},
                "Plain": {"shape": "Text"}}},
              "Text": {"type": "string"},
              "Long": {"type": "string", "min": 3}
            }}"#,
        )
        .unwrap();
        let problems = |p: Value| match validate(&m, m.shape_id("In"), &p) {
            Ok(()) => vec![],
            Err(e) => e.problems.iter().map(ToString::to_string).collect(),
        };
        assert_eq!(
            problems(params! {"AccountId": "", "Named": "", "Plain": ""}),
            [
                "Invalid length for parameter AccountId, value: 0, valid min length: 1",
                "Invalid length for parameter Named, value: 0, valid min length: 3",
            ]
        );
        assert!(problems(params! {"AccountId": "1", "Plain": ""}).is_empty());
    }

    /// A text's length is its characters, as Python's `len` counts them, whatever its bytes.
    #[test]
    fn a_text_s_length_is_its_characters() {
        let m = ServiceModel::from_json(
            br#"{"metadata": {"protocol": "json"}, "operations": {},
            "shapes": {
              "In": {"type": "structure", "members": {"T": {"shape": "Three"}}},
              "Three": {"type": "string", "min": 3}
            }}"#,
        )
        .unwrap();
        let length = |text: &str| match validate(&m, m.shape_id("In"), &params! {"T": text}) {
            Ok(()) => None,
            Err(e) => e.problems.iter().map(ToString::to_string).next(),
        };
        for long_enough in ["abc", "é€😀", "ab😀", "abcdefghijklm"] {
            assert_eq!(length(long_enough), None, "{long_enough}");
        }
        for (short, n) in [("", 0), ("ab", 2), ("😀😀", 2), ("éé", 2), ("a😀", 2)] {
            assert_eq!(
                length(short),
                Some(format!(
                    "Invalid length for parameter T, value: {n}, valid min length: 3"
                )),
                "{short}"
            );
        }
    }

    #[test]
    fn a_sensitive_shape_s_value_is_not_shown() {
        let m = ServiceModel::from_json(
            br#"{"metadata": {"protocol": "json"}, "operations": {},
            "shapes": {
              "In": {"type": "structure", "members": {
                "Password": {"shape": "Secret"},
                "Pin": {"shape": "SecretNumber"},
                "Expires": {"shape": "SecretTime"},
                "Keys": {"shape": "SecretKeys"},
                "Plain": {"shape": "Text"}}},
              "Secret": {"type": "string", "sensitive": true},
              "SecretNumber": {"type": "integer", "min": 1000, "sensitive": true},
              "SecretTime": {"type": "timestamp", "sensitive": true},
              "SecretKeys": {"type": "structure", "sensitive": true,
                "members": {"Key": {"shape": "Text"}}},
              "Text": {"type": "string"}
            }}"#,
        )
        .unwrap();
        let problems = |p: Value| match validate(&m, m.shape_id("In"), &p) {
            Ok(()) => vec![],
            Err(e) => e
                .problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        };
        let got = problems(params! {
            "Password": 12345678, "Pin": 7, "Expires": "hunter2",
            "Keys": params!{"Key": 424242}, "Plain": 99
        });
        assert_eq!(
            got,
            [
                "Invalid type for parameter Password, value: *** (sensitive), type: integer, valid types: string",
                "Invalid value for parameter Pin, value: *** (sensitive), valid min value: 1000",
                "Invalid type for parameter Expires, value: *** (sensitive), type: string, valid types: timestamp, ISO 8601 string, epoch seconds",
                "Invalid type for parameter Keys.Key, value: *** (sensitive), type: integer, valid types: string",
                "Invalid type for parameter Plain, value: 99, type: integer, valid types: string",
            ]
        );
        for secret in ["12345678", "hunter2", "424242"] {
            assert!(
                got.iter().all(|p| !p.contains(secret)),
                "{secret} shown: {got:?}"
            );
        }
    }

    #[test]
    fn valid_params_pass() {
        let p = params! {"Bucket": "bkt", "Key": "key", "Count": 2, "Ratio": 1, "When": "2020-01-01T00:00:00Z",
        "Tags": vec![params!{"Key": "abc"}], "Meta": params!{"abc": 5}, "Choice": params!{"A": "abc"},
        "Body": &b"x"[..], "Flag": true};
        assert_eq!(problems(p), Vec::<String>::new());
    }

    #[test]
    fn reports_every_problem_with_paths() {
        let p = params! {"Bucket": 3, "Kye": "key", "Count": 0, "Tags": vec![params!{"Key": "a"}, params!{}],
        "Meta": params!{"ab": "x"}, "Choice": params!{"A": "abc", "B": "abc"}, "When": "yesterday", "Flag": "yes"};
        let got = problems(p);
        let expected = [
            "Missing required parameter in input: \"Key\"",
            "Invalid type for parameter Bucket, value: 3, type: integer, valid types: string",
            "Unknown parameter in input: \"Kye\", must be one of: Bucket, Key, Count, Ratio, When, Tags, Meta, Choice, Body, Flag (did you mean \"Key\"?)",
            "Invalid value for parameter Count, value: 0, valid min value: 1",
            "Invalid length for parameter Tags[0].Key, value: 1, valid min length: 3",
            "Missing required parameter in Tags[1]: \"Key\"",
            "Invalid length for parameter Meta (key: ab), value: 2, valid min length: 3",
            "Invalid type for parameter Meta.ab, value: x, type: string, valid types: integer",
            "Invalid number of parameters set for tagged union structure Choice. Can only set one of the following keys: A, B.",
            "Invalid type for parameter When, value: yesterday, type: string, valid types: timestamp, ISO 8601 string, epoch seconds",
            "Invalid type for parameter Flag, value: yes, type: string, valid types: bool",
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn epoch_seconds_outside_years_1_to_9999_are_reported() {
        // botocore's validator turns each into a `datetime`, which cannot hold them.
        for when in [
            Value::Integer(253_402_300_800),
            Value::Integer(-62_135_596_801),
            Value::Float(1e12),
            Value::Float(f64::NAN),
        ] {
            let p = params! {"Bucket": "abc", "Key": "abc", "When": when.clone()};
            let got = problems(p);
            assert_eq!(got.len(), 1, "{when:?}: {got:?}");
            assert!(
                got[0].starts_with("Invalid type for parameter When, value: ")
                    && got[0].ends_with("epoch seconds of years 1 to 9999"),
                "{got:?}"
            );
        }
        for when in [
            Value::Integer(253_402_300_799),
            Value::Float(-62_135_596_800.0),
        ] {
            let p = params! {"Bucket": "abc", "Key": "abc", "When": when};
            assert_eq!(problems(p), Vec::<String>::new());
        }
    }

    #[test]
    fn an_empty_union_has_botocore_s_own_message() {
        let p = params! {"Bucket": "abc", "Key": "abc", "Choice": params!{}};
        assert_eq!(
            problems(p),
            ["Must set one of the following keys for tagged union structure Choice: A, B."]
        );
    }

    #[test]
    fn top_level_must_be_a_map() {
        assert_eq!(problems(Value::List(vec![])).len(), 1);
    }

    #[test]
    fn nearest_name_only_when_close() {
        let valid = ["Bucket".to_string(), "Key".to_string()];
        assert_eq!(nearest("bucket", valid.iter()), Some("Bucket".into()));
        assert_eq!(nearest("Completely", valid.iter()), None);
    }
}
