//! Evaluating a prepared ruleset against bound parameters.
//!
//! Values borrow from the ruleset, the partitions and the caller's parameters wherever they can;
//! only computed strings, parsed URLs and ARNs own memory (reference-counted, so copying a value
//! into an `assign` slot or out of it costs nothing).

use std::fmt::Write as _;
use std::rc::Rc;

use serde_json::Value;

use super::arn::{parse_arn, ParsedArn};
use super::partition::{PartitionOutputs, Partitions, PartitionsInner};
use super::ruleset::{
    Action, Call, EndpointTemplate, Expr, Function, PathStep, Property, Rule, RuleSet, Template,
    TemplatePart,
};
use super::stdlib::{is_valid_host_label, is_virtual_hostable_s3_bucket, substring, uri_encode};
use super::url::{parse_url, ParsedUrl};
use super::{Endpoint, EndpointError, EndpointParams, EndpointValue};

/// A runtime value of the rules language.
#[derive(Debug, Clone)]
enum Val<'a> {
    /// Unset (botocore's `None`).
    None,
    Bool(bool),
    Integer(i64),
    Str(Str<'a>),
    /// A `stringArray` parameter or default.
    Array(&'a [String]),
    /// A computed list (an ARN's `resourceId`).
    List(Rc<[String]>),
    /// A literal or partition output of another JSON type.
    Json(&'a Value),
    Partition(&'a PartitionOutputs),
    Url(Rc<ParsedUrl>),
    Arn(Rc<ParsedArn>),
}

#[derive(Debug, Clone)]
enum Str<'a> {
    Borrowed(&'a str),
    Shared(Rc<str>),
}

impl Str<'_> {
    fn as_str(&self) -> &str {
        match self {
            Str::Borrowed(s) => s,
            Str::Shared(s) => s,
        }
    }
}

impl<'a> Val<'a> {
    fn owned(text: String) -> Self {
        Val::Str(Str::Shared(Rc::from(text)))
    }

    fn copied(text: &str) -> Self {
        Val::Str(Str::Shared(Rc::from(text)))
    }

    fn from_json(value: &'a Value) -> Self {
        match value {
            Value::Null => Val::None,
            Value::Bool(b) => Val::Bool(*b),
            Value::String(s) => Val::Str(Str::Borrowed(s)),
            Value::Number(n) => n.as_i64().map_or(Val::Json(value), Val::Integer),
            other => Val::Json(other),
        }
    }

    fn from_param(value: &'a EndpointValue) -> Self {
        match value {
            EndpointValue::String(s) => Val::Str(Str::Borrowed(s)),
            EndpointValue::Bool(b) => Val::Bool(*b),
            EndpointValue::StringArray(items) => Val::Array(items),
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    fn is_none(&self) -> bool {
        matches!(self, Val::None)
    }

    /// Python truthiness, which botocore's `not` uses.
    fn truthy(&self) -> bool {
        match self {
            Val::None => false,
            Val::Bool(b) => *b,
            Val::Integer(i) => *i != 0,
            Val::Str(s) => !s.as_str().is_empty(),
            Val::Array(items) => !items.is_empty(),
            Val::List(items) => !items.is_empty(),
            Val::Json(value) => match value {
                Value::Array(items) => !items.is_empty(),
                Value::Object(map) => !map.is_empty(),
                Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
                _ => true,
            },
            Val::Partition(_) | Val::Url(_) | Val::Arn(_) => true,
        }
    }

    /// A condition holds unless its value is `None` or `False` (botocore's test; `""` holds).
    fn holds(&self) -> bool {
        !matches!(self, Val::None | Val::Bool(false))
    }

    /// The Python type name botocore's messages show.
    fn python_type(&self) -> &'static str {
        match self {
            Val::None => "<class 'NoneType'>",
            Val::Bool(_) => "<class 'bool'>",
            Val::Integer(_) => "<class 'int'>",
            Val::Str(_) => "<class 'str'>",
            Val::Array(_) => "<class 'tuple'>",
            Val::List(_) => "<class 'list'>",
            Val::Json(Value::Array(_)) => "<class 'list'>",
            Val::Json(Value::Number(_)) => "<class 'float'>",
            Val::Json(_) | Val::Partition(_) | Val::Url(_) | Val::Arn(_) => "<class 'dict'>",
        }
    }

    /// Appends the value as Python's `str()` would render it (templates use f-strings).
    fn write_python_str(&self, out: &mut String) {
        let quoted_list = |out: &mut String, items: &mut dyn Iterator<Item = &str>, open, close| {
            out.push(open);
            for (index, item) in items.enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "'{item}'");
            }
            out.push(close);
        };
        match self {
            Val::None => out.push_str("None"),
            Val::Bool(true) => out.push_str("True"),
            Val::Bool(false) => out.push_str("False"),
            Val::Integer(i) => {
                let _ = write!(out, "{i}");
            }
            Val::Str(s) => out.push_str(s.as_str()),
            Val::Array(items) => {
                quoted_list(out, &mut items.iter().map(String::as_str), '(', ')');
                if items.len() == 1 {
                    // Python spells a one-element tuple `('a',)`.
                    out.insert(out.len() - 1, ',');
                }
            }
            Val::List(items) => quoted_list(out, &mut items.iter().map(String::as_str), '[', ']'),
            Val::Json(value) => {
                let _ = write!(out, "{value}");
            }
            Val::Partition(outputs) => {
                let map: serde_json::Map<String, Value> = outputs
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.clone()))
                    .collect();
                let _ = write!(out, "{}", Value::Object(map));
            }
            Val::Url(url) => {
                let _ = write!(
                    out,
                    "{{'scheme': '{}', 'authority': '{}', 'path': '{}', 'normalizedPath': '{}', 'isIp': {}}}",
                    url.scheme,
                    url.authority,
                    url.path,
                    url.normalized_path,
                    if url.is_ip { "True" } else { "False" }
                );
            }
            Val::Arn(arn) => {
                let _ = write!(
                    out,
                    "{{'partition': '{}', 'service': '{}', 'region': '{}', 'accountId': '{}', 'resourceId': {:?}}}",
                    arn.partition, arn.service, arn.region, arn.account_id, arn.resource_id
                );
            }
        }
    }
}

/// `getAttr`: walk keys, then at most one index.
fn get_attr<'a>(value: Val<'a>, path: &[PathStep]) -> Val<'a> {
    let mut current = value;
    for step in path {
        current = match step {
            PathStep::Key(key) => attribute(&current, key),
            PathStep::Index(index) => element(&current, *index),
        };
        if current.is_none() {
            break;
        }
    }
    current
}

fn attribute<'a>(value: &Val<'a>, key: &str) -> Val<'a> {
    match value {
        Val::Partition(outputs) => outputs.get(key).map_or(Val::None, Val::from_json),
        Val::Json(Value::Object(map)) => map.get(key).map_or(Val::None, Val::from_json),
        Val::Url(url) => match key {
            "scheme" => Val::copied(&url.scheme),
            "authority" => Val::copied(&url.authority),
            "path" => Val::copied(&url.path),
            "normalizedPath" => Val::copied(&url.normalized_path),
            "isIp" => Val::Bool(url.is_ip),
            _ => Val::None,
        },
        Val::Arn(arn) => match key {
            "partition" => Val::copied(&arn.partition),
            "service" => Val::copied(&arn.service),
            "region" => Val::copied(&arn.region),
            "accountId" => Val::copied(&arn.account_id),
            "resourceId" => Val::List(Rc::from(arn.resource_id.as_slice())),
            _ => Val::None,
        },
        _ => Val::None,
    }
}

fn element<'a>(value: &Val<'a>, index: usize) -> Val<'a> {
    match value {
        Val::Array(items) => items
            .get(index)
            .map_or(Val::None, |item| Val::Str(Str::Borrowed(item))),
        Val::List(items) => items.get(index).map_or(Val::None, |item| Val::copied(item)),
        Val::Json(Value::Array(items)) => items.get(index).map_or(Val::None, Val::from_json),
        // An ARN indexes its resource id directly only through `resourceId[n]`.
        Val::Arn(arn) => arn
            .resource_id
            .get(index)
            .map_or(Val::None, |item| Val::copied(item)),
        _ => Val::None,
    }
}

/// One resolution in progress: the variable slots and what they borrow from.
struct Evaluation<'a> {
    partitions: &'a PartitionsInner,
    slots: Vec<Val<'a>>,
}

/// A borrowed operand for the fast comparison paths.
enum Peeked<'s> {
    None,
    Bool(bool),
    Str(&'s str),
}

/// What a rule produced.
enum Outcome {
    Endpoint(Endpoint),
    Error(String),
}

impl RuleSet {
    /// Resolves an endpoint for `params` against `partitions`.
    ///
    /// Returns the matched endpoint, [`EndpointError::RuleError`] with the ruleset's message when
    /// an error rule matched, or a typed error for missing required or mistyped parameters.
    pub fn resolve(
        &self,
        partitions: &Partitions,
        params: &EndpointParams,
    ) -> Result<Endpoint, EndpointError> {
        let inner = self.prepared()?;
        let mut slots = vec![Val::None; inner.slot_count];
        for (name, value) in params.iter() {
            let Some(&index) = inner.parameter_index.get(name) else {
                continue;
            };
            let (Some(spec), Some(slot)) = (inner.parameters.get(index), slots.get_mut(index))
            else {
                continue;
            };
            if value.parameter_type() != spec.parameter_type {
                return Err(EndpointError::ParameterType {
                    name: spec.name.clone(),
                    expected: spec.parameter_type,
                });
            }
            *slot = Val::from_param(value);
        }
        for (spec, slot) in inner.parameters.iter().zip(slots.iter_mut()) {
            if slot.is_none() {
                if let Some(default) = &spec.default {
                    *slot = Val::from_param(default);
                } else if spec.required {
                    return Err(EndpointError::MissingRequiredParameter {
                        name: spec.name.clone(),
                    });
                }
            }
        }
        let partitions = partitions.prepared()?;
        let mut evaluation = Evaluation { partitions, slots };
        match evaluation.rules(&inner.rules)? {
            Some(Outcome::Endpoint(endpoint)) => Ok(endpoint),
            Some(Outcome::Error(message)) => Err(EndpointError::RuleError(message)),
            None => Err(EndpointError::NoEndpointFound {
                parameters: describe_params(params),
            }),
        }
    }
}

fn describe_params(params: &EndpointParams) -> String {
    let mut out = String::new();
    for (index, (name, value)) in params.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(name);
        out.push_str(": ");
        Val::from_param(value).write_python_str(&mut out);
    }
    out
}

impl<'a> Evaluation<'a> {
    fn slot(&self, index: usize) -> Val<'a> {
        self.slots.get(index).cloned().unwrap_or(Val::None)
    }

    fn rules(&mut self, rules: &'a [Rule]) -> Result<Option<Outcome>, EndpointError> {
        for rule in rules {
            if !self.conditions_hold(rule)? {
                continue;
            }
            match &rule.action {
                Action::Tree(children) => {
                    // botocore: a tree whose children all fail does not stop the search.
                    if let Some(outcome) = self.rules(children)? {
                        return Ok(Some(outcome));
                    }
                }
                Action::Endpoint(endpoint) => {
                    return Ok(Some(Outcome::Endpoint(self.endpoint(endpoint)?)));
                }
                Action::Error(message) => {
                    let value = self.expr(message)?;
                    let message = match value {
                        Val::Str(s) => s.as_str().to_owned(),
                        other => {
                            let mut out = String::new();
                            other.write_python_str(&mut out);
                            out
                        }
                    };
                    return Ok(Some(Outcome::Error(message)));
                }
            }
        }
        Ok(None)
    }

    fn conditions_hold(&mut self, rule: &'a Rule) -> Result<bool, EndpointError> {
        for condition in &rule.conditions {
            if condition.assign.is_none() {
                if let Some(held) = self.fast_call(&condition.call) {
                    if held {
                        continue;
                    }
                    return Ok(false);
                }
            }
            let value = self.call(&condition.call)?;
            if !value.holds() {
                return Ok(false);
            }
            if let Some(slot) = condition.assign.and_then(|index| self.slots.get_mut(index)) {
                *slot = value;
            }
        }
        Ok(true)
    }

    fn expr(&self, expr: &'a Expr) -> Result<Val<'a>, EndpointError> {
        Ok(match expr {
            Expr::String(s) => Val::Str(Str::Borrowed(s)),
            Expr::Bool(b) => Val::Bool(*b),
            Expr::Integer(i) => Val::Integer(*i),
            Expr::Json(value) => Val::from_json(value),
            Expr::Ref(slot) => self.slot(*slot),
            Expr::Call(call) => self.call(call)?,
            Expr::Template(template) => Val::owned(self.render(template)?),
        })
    }

    fn arg(&self, call: &'a Call, index: usize) -> Result<Val<'a>, EndpointError> {
        match call.args.get(index) {
            Some(expr) => self.expr(expr),
            // Unreachable: arity is checked when the ruleset is prepared.
            None => Ok(Val::None),
        }
    }

    /// A view of an operand that needs no evaluation (literal or variable), without copying.
    fn peek<'s>(&'s self, expr: &'a Expr) -> Option<Peeked<'s>> {
        match expr {
            Expr::Ref(slot) => Some(match self.slots.get(*slot)? {
                Val::None => Peeked::None,
                Val::Bool(b) => Peeked::Bool(*b),
                Val::Str(s) => Peeked::Str(s.as_str()),
                _ => return None,
            }),
            Expr::Bool(b) => Some(Peeked::Bool(*b)),
            Expr::String(s) => Some(Peeked::Str(s)),
            _ => None,
        }
    }

    /// The comparisons and `isSet` checks that make up most conditions, answered from borrowed
    /// operands. `None` sends the call down the general path (which also reports type errors).
    fn fast_call(&self, call: &'a Call) -> Option<bool> {
        match (&call.function, call.args.as_slice()) {
            (Function::IsSet, [operand]) => Some(!matches!(self.peek(operand)?, Peeked::None)),
            (Function::BooleanEquals, [a, b]) => match (self.peek(a)?, self.peek(b)?) {
                (Peeked::Bool(a), Peeked::Bool(b)) => Some(a == b),
                _ => None,
            },
            (Function::StringEquals, [a, b]) => match (self.peek(a)?, self.peek(b)?) {
                (Peeked::Str(a), Peeked::Str(b)) => Some(a == b),
                _ => None,
            },
            (Function::Not, [Expr::Call(inner)]) => self.fast_call(inner).map(|held| !held),
            _ => None,
        }
    }

    fn call(&self, call: &'a Call) -> Result<Val<'a>, EndpointError> {
        if let Some(answer) = self.fast_call(call) {
            return Ok(Val::Bool(answer));
        }
        let function = &call.function;
        let type_error = |message: String| EndpointError::FunctionArgument {
            function: function.name(),
            message,
        };
        let first = self.arg(call, 0)?;
        Ok(match function {
            Function::IsSet => Val::Bool(!first.is_none()),
            Function::Not => Val::Bool(!first.truthy()),
            Function::GetAttr(path) => get_attr(first, path),
            Function::StringEquals => {
                let second = self.arg(call, 1)?;
                match (first.as_str(), second.as_str()) {
                    (Some(a), Some(b)) => Val::Bool(a == b),
                    _ => {
                        return Err(type_error(format!(
                            "Both values must be strings, not {} and {}.",
                            first.python_type(),
                            second.python_type()
                        )))
                    }
                }
            }
            Function::BooleanEquals => {
                let second = self.arg(call, 1)?;
                match (&first, &second) {
                    (Val::Bool(a), Val::Bool(b)) => Val::Bool(a == b),
                    _ => {
                        return Err(type_error(format!(
                            "Both arguments must be bools, not {} and {}.",
                            first.python_type(),
                            second.python_type()
                        )))
                    }
                }
            }
            Function::Substring => {
                let (start, stop, reverse) =
                    (self.arg(call, 1)?, self.arg(call, 2)?, self.arg(call, 3)?);
                let (Val::Integer(start), Val::Integer(stop)) = (start, stop) else {
                    return Err(type_error("start and stop must be integers".into()));
                };
                let reverse = matches!(reverse, Val::Bool(true));
                let (Ok(start), Ok(stop)) = (usize::try_from(start), usize::try_from(stop)) else {
                    // Negative bounds never occur in rulesets; treat them as out of range.
                    return Ok(Val::None);
                };
                match &first {
                    Val::Str(Str::Borrowed(s)) => substring(s, start, stop, reverse)
                        .map_or(Val::None, |sub| Val::Str(Str::Borrowed(sub))),
                    Val::Str(Str::Shared(s)) => {
                        substring(s, start, stop, reverse).map_or(Val::None, Val::copied)
                    }
                    other => {
                        return Err(type_error(format!(
                            "Input must be a string, not {}.",
                            other.python_type()
                        )))
                    }
                }
            }
            Function::UriEncode => match &first {
                Val::None => Val::None,
                Val::Str(s) => Val::owned(uri_encode(s.as_str())),
                other => {
                    let mut text = String::new();
                    other.write_python_str(&mut text);
                    Val::owned(uri_encode(&text))
                }
            },
            Function::ParseUrl => match &first {
                Val::None => Val::None,
                Val::Str(s) => {
                    parse_url(s.as_str()).map_or(Val::None, |url| Val::Url(Rc::new(url)))
                }
                other => {
                    return Err(type_error(format!(
                        "expected a string, not {}",
                        other.python_type()
                    )))
                }
            },
            Function::IsValidHostLabel => {
                let allow_subdomains = matches!(self.arg(call, 1)?, Val::Bool(true));
                match &first {
                    Val::None => Val::Bool(false),
                    Val::Str(s) => Val::Bool(is_valid_host_label(s.as_str(), allow_subdomains)),
                    other => {
                        return Err(type_error(format!(
                            "expected a string, not {}",
                            other.python_type()
                        )))
                    }
                }
            }
            Function::AwsPartition => match &first {
                Val::None => Val::Partition(self.partitions.resolve(None)),
                Val::Str(s) => Val::Partition(self.partitions.resolve(Some(s.as_str()))),
                other => {
                    return Err(type_error(format!(
                        "expected a string, not {}",
                        other.python_type()
                    )))
                }
            },
            Function::AwsParseArn => match &first {
                Val::Str(s) => {
                    parse_arn(s.as_str()).map_or(Val::None, |arn| Val::Arn(Rc::new(arn)))
                }
                // botocore answers "no ARN" for anything that is not an `arn:` string.
                _ => Val::None,
            },
            Function::AwsIsVirtualHostableS3Bucket => {
                let allow_subdomains = matches!(self.arg(call, 1)?, Val::Bool(true));
                match &first {
                    Val::None => Val::Bool(false),
                    Val::Str(s) => {
                        Val::Bool(is_virtual_hostable_s3_bucket(s.as_str(), allow_subdomains))
                    }
                    other => {
                        return Err(type_error(format!(
                            "expected a string, not {}",
                            other.python_type()
                        )))
                    }
                }
            }
        })
    }

    fn render(&self, template: &'a Template) -> Result<String, EndpointError> {
        let mut out = String::with_capacity(template.literal_len + 32);
        for part in &template.parts {
            match part {
                TemplatePart::Literal(text) => out.push_str(text),
                TemplatePart::Var { slot, path, source } => {
                    let value = get_attr(self.slot(*slot), path);
                    if value.is_none() {
                        // botocore raises a KeyError here; say which reference was empty.
                        return Err(EndpointError::TemplateValueMissing {
                            reference: source.to_string(),
                        });
                    }
                    value.write_python_str(&mut out);
                }
            }
        }
        Ok(out)
    }

    fn endpoint(&self, endpoint: &'a EndpointTemplate) -> Result<Endpoint, EndpointError> {
        let url = match &endpoint.url {
            // Render straight into the output instead of through a shared string.
            Expr::Template(template) => self.render(template)?,
            other => match self.expr(other)? {
                Val::Str(s) => s.as_str().to_owned(),
                _ => return Err(EndpointError::NotAString { what: "url".into() }),
            },
        };
        let mut headers = Vec::with_capacity(endpoint.headers.len());
        for (name, values) in &endpoint.headers {
            let mut resolved = Vec::with_capacity(values.len());
            for value in values {
                if let Expr::Template(template) = value {
                    resolved.push(self.render(template)?);
                    continue;
                }
                let value = self.expr(value)?;
                if value.is_none() {
                    return Err(EndpointError::NotAString {
                        what: format!("header {name}"),
                    });
                }
                let mut text = String::new();
                value.write_python_str(&mut text);
                resolved.push(text);
            }
            headers.push((name.clone(), resolved));
        }
        let mut properties = serde_json::Map::new();
        for (key, property) in &endpoint.properties {
            properties.insert(key.clone(), self.property(property)?);
        }
        Ok(Endpoint {
            url,
            headers,
            properties,
        })
    }

    fn property(&self, property: &'a Property) -> Result<Value, EndpointError> {
        Ok(match property {
            Property::Static(value) => value.clone(),
            Property::Template(template) => Value::String(self.render(template)?),
            Property::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.property(item))
                    .collect::<Result<_, _>>()?,
            ),
            Property::Object(entries) => {
                let mut map = serde_json::Map::with_capacity(entries.len());
                for (key, value) in entries {
                    map.insert(key.clone(), self.property(value)?);
                }
                Value::Object(map)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::ParameterType;

    const PARTITIONS: &str = r#"{"partitions": [
        {"id": "aws", "regionRegex": "^(us|eu)\\-\\w+\\-\\d+$", "regions": {"us-east-1": {}},
         "outputs": {"name": "aws", "dnsSuffix": "amazonaws.com", "supportsFIPS": true}},
        {"id": "aws-cn", "regionRegex": "^cn\\-\\w+\\-\\d+$", "regions": {},
         "outputs": {"name": "aws-cn", "dnsSuffix": "amazonaws.com.cn", "supportsFIPS": false}}
    ]}"#;

    fn resolve(ruleset: &str, params: EndpointParams) -> Result<Endpoint, EndpointError> {
        let partitions = Partitions::from_json(PARTITIONS.as_bytes()).unwrap();
        RuleSet::from_json(ruleset.as_bytes())
            .unwrap()
            .resolve(&partitions, &params)
    }

    fn url(ruleset: &str, params: EndpointParams) -> String {
        match resolve(ruleset, params) {
            Ok(endpoint) => endpoint.url,
            Err(e) => panic!("expected an endpoint, got {e}"),
        }
    }

    const REGION_RULES: &str = r#"{"version": "1.0",
      "parameters": {
        "Region": {"type": "string", "builtIn": "AWS::Region"},
        "UseFIPS": {"type": "boolean", "required": true, "default": false},
        "Empty": {"type": "string"}
      },
      "rules": [
        {"type": "tree", "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]},
                                        {"fn": "stringEquals", "argv": [{"ref": "Region"}, "nowhere-1"]}],
         "rules": [{"type": "endpoint", "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, true]}],
                    "endpoint": {"url": "https://never"}}]},
        {"type": "endpoint",
         "conditions": [{"fn": "isSet", "argv": [{"ref": "Empty"}]},
                        {"fn": "uriEncode", "argv": [{"ref": "Empty"}], "assign": "encoded"}],
         "endpoint": {"url": "https://empty.example{encoded}"}},
        {"type": "tree", "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "p"}],
         "rules": [
           {"type": "error",
            "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, true]},
                           {"fn": "booleanEquals", "argv": [{"fn": "getAttr", "argv": [{"ref": "p"}, "supportsFIPS"]}, false]}],
            "error": "FIPS is not supported in {p#name}"},
           {"type": "endpoint", "conditions": [],
            "endpoint": {"url": "https://svc.{Region}.{p#dnsSuffix}",
                         "headers": {"x-fips": ["{UseFIPS}"], "x-static": ["a", "b"]},
                         "properties": {"authSchemes": [{"name": "sigv4", "signingRegion": "{Region}",
                                                         "disableDoubleEncoding": true}],
                                        "literal": {"ref": "Region"}}}}
         ]}
      ]}"#;

    #[test]
    fn tree_without_a_matching_child_falls_through() {
        let params = EndpointParams::new().with("Region", "nowhere-1");
        assert_eq!(
            url(REGION_RULES, params),
            "https://svc.nowhere-1.amazonaws.com"
        );
    }

    #[test]
    fn an_empty_string_result_still_holds() {
        let params = EndpointParams::new().with("Empty", "");
        assert_eq!(url(REGION_RULES, params), "https://empty.example");
    }

    #[test]
    fn templates_fill_url_headers_and_nested_properties() {
        let params = EndpointParams::new()
            .with("Region", "cn-north-1")
            .with("Unknown", "ignored");
        let endpoint = resolve(REGION_RULES, params).unwrap();
        assert_eq!(endpoint.url, "https://svc.cn-north-1.amazonaws.com.cn");
        assert_eq!(
            endpoint.headers,
            vec![
                ("x-fips".to_owned(), vec!["False".to_owned()]),
                ("x-static".to_owned(), vec!["a".to_owned(), "b".to_owned()]),
            ]
        );
        assert_eq!(
            Value::Object(endpoint.properties.clone()),
            serde_json::json!({
                "authSchemes": [{"name": "sigv4", "signingRegion": "cn-north-1", "disableDoubleEncoding": true}],
                "literal": {"ref": "Region"}
            })
        );
        let schemes = endpoint.auth_schemes().unwrap();
        assert_eq!(schemes[0].signing_region.as_deref(), Some("cn-north-1"));
    }

    #[test]
    fn error_rules_reach_the_caller_verbatim() {
        let params = EndpointParams::new()
            .with("Region", "cn-north-1")
            .with("UseFIPS", true);
        let error = resolve(REGION_RULES, params).unwrap_err();
        assert_eq!(
            error,
            EndpointError::RuleError("FIPS is not supported in aws-cn".into())
        );
        assert_eq!(error.to_string(), "FIPS is not supported in aws-cn");
    }

    #[test]
    fn parameter_type_mismatch_is_typed() {
        let params = EndpointParams::new().with("UseFIPS", "yes");
        assert_eq!(
            resolve(REGION_RULES, params).unwrap_err(),
            EndpointError::ParameterType {
                name: "UseFIPS".into(),
                expected: ParameterType::Boolean
            }
        );
    }

    #[test]
    fn missing_required_parameter_is_typed() {
        let ruleset = r#"{"parameters": {"Region": {"type": "string", "required": true}},
                          "rules": [{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://x"}}]}"#;
        let error = resolve(ruleset, EndpointParams::new()).unwrap_err();
        assert_eq!(
            error,
            EndpointError::MissingRequiredParameter {
                name: "Region".into()
            }
        );
        assert_eq!(
            error.to_string(),
            "Cannot find value for required parameter Region"
        );
    }

    #[test]
    fn string_equals_on_unset_values_is_a_type_error() {
        let ruleset = r#"{"parameters": {"Region": {"type": "string"}},
            "rules": [{"type": "endpoint",
                       "conditions": [{"fn": "stringEquals", "argv": [{"ref": "Region"}, "x"]}],
                       "endpoint": {"url": "https://x"}}]}"#;
        let error = resolve(ruleset, EndpointParams::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "stringEquals: Both values must be strings, not <class 'NoneType'> and <class 'str'>."
        );
    }

    #[test]
    fn no_matching_rule_lists_the_parameters() {
        let ruleset = r#"{"parameters": {"Region": {"type": "string"}},
            "rules": [{"type": "endpoint", "conditions": [{"fn": "isSet", "argv": [{"ref": "Nope"}]}],
                       "endpoint": {"url": "https://x"}}]}"#;
        // `Nope` is not declared, so the ruleset itself is rejected.
        assert!(RuleSet::from_json(ruleset.as_bytes()).is_err());
        let ruleset = r#"{"parameters": {"Region": {"type": "string"}, "On": {"type": "boolean"}},
            "rules": [{"type": "endpoint", "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "On"}, true]}],
                       "endpoint": {"url": "https://x"}}]}"#;
        let params = EndpointParams::new()
            .with("Region", "us-east-1")
            .with("On", false);
        let error = resolve(ruleset, params).unwrap_err();
        assert_eq!(
            error.to_string(),
            "No endpoint found for parameters:\nRegion: us-east-1\nOn: False"
        );
    }

    #[test]
    fn arn_and_url_attributes() {
        let ruleset = r#"{"parameters": {"Arn": {"type": "string"}, "Endpoint": {"type": "string"}},
            "rules": [{"type": "endpoint",
                       "conditions": [{"fn": "aws.parseArn", "argv": [{"ref": "Arn"}], "assign": "arn"},
                                      {"fn": "getAttr", "argv": [{"ref": "arn"}, "resourceId[1]"], "assign": "name"},
                                      {"fn": "parseURL", "argv": [{"ref": "Endpoint"}], "assign": "url"}],
                       "endpoint": {"url": "{url#scheme}://{name}.{arn#accountId}.{url#authority}{url#normalizedPath}{arn#resourceId[0]}"}}]}"#;
        let params = EndpointParams::new()
            .with("Arn", "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap")
            .with("Endpoint", "http://localhost:4566/base");
        assert_eq!(
            url(ruleset, params),
            "http://my-ap.123456789012.localhost:4566/base/accesspoint"
        );
    }

    #[test]
    fn string_arrays_and_defaults_index() {
        let ruleset = r#"{"parameters": {"Names": {"type": "stringArray", "default": ["d0", "d1"]}},
            "rules": [{"type": "endpoint",
                       "conditions": [{"fn": "getAttr", "argv": [{"ref": "Names"}, "[1]"], "assign": "second"}],
                       "endpoint": {"url": "https://{second}"}},
                      {"type": "error", "conditions": [], "error": "none"}]}"#;
        assert_eq!(url(ruleset, EndpointParams::new()), "https://d1");
        let params = EndpointParams::new().with("Names", vec!["only".to_owned()]);
        assert_eq!(resolve(ruleset, params).unwrap_err().to_string(), "none");
    }
}
