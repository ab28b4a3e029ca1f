//! Parsing `endpoint-rule-set-1.json` into the prepared form the evaluator walks.
//!
//! Preparation resolves everything that does not depend on the parameters: every variable
//! reference (`{"ref": …}`, `{Region}`, `{url#authority}`) becomes a slot index, checked to be in
//! scope; functions become an enum with their arity checked; `getAttr` paths and template strings
//! are split once. A ruleset that would fail in these ways is rejected here, with its location,
//! instead of at some later call.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use super::deferred::Deferred;
use super::json_tree::{Node, Object};
use super::{EndpointError, EndpointValue, FnvMap};

/// The type of a ruleset parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterType {
    /// `string`
    String,
    /// `boolean`
    Boolean,
    /// `stringArray`
    StringArray,
}

impl fmt::Display for ParameterType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParameterType::String => "string",
            ParameterType::Boolean => "boolean",
            ParameterType::StringArray => "stringArray",
        })
    }
}

/// One declared ruleset parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterSpec {
    /// The parameter name (`Region`, `Bucket`, `UseFIPS`, …).
    pub name: String,
    /// Its declared type.
    pub parameter_type: ParameterType,
    /// The SDK built-in that feeds it (`AWS::Region`, `AWS::UseFIPS`, `SDK::Endpoint`, …).
    pub built_in: Option<String>,
    /// The value used when nothing is bound.
    pub default: Option<EndpointValue>,
    /// Whether resolution fails when it has neither a binding nor a default.
    pub required: bool,
    /// Whether the ruleset marks it deprecated.
    pub deprecated: bool,
    /// The ruleset's documentation string.
    pub documentation: Option<String>,
}

/// A prepared endpoint ruleset; cheap to clone, shareable across threads.
///
/// Made prepared ([`from_json`](Self::from_json)) or from a document prepared on first use
/// ([`deferred`](Self::deferred)): a client's start-up reads no rule until it resolves an
/// endpoint (S3's ruleset is the largest piece of a first S3 client otherwise).
#[derive(Clone)]
pub struct RuleSet {
    state: Arc<Deferred<RuleSetInner>>,
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.state.fmt_as("RuleSet", f)
    }
}

#[derive(Debug)]
pub(crate) struct RuleSetInner {
    /// Declared parameters; parameter `i` lives in slot `i`.
    pub(crate) parameters: Vec<ParameterSpec>,
    pub(crate) parameter_index: FnvMap<Box<str>, usize>,
    pub(crate) rules: Vec<Rule>,
    /// Parameters plus the deepest nesting of `assign`ed variables.
    pub(crate) slot_count: usize,
    /// Whether any rule reads parameter `i`: one none reads cannot change an endpoint.
    pub(crate) referenced: Vec<bool>,
}

impl RuleSet {
    /// Parses and prepares a ruleset document.
    pub fn from_json(document: &[u8]) -> Result<Self, EndpointError> {
        let inner = Self::prepare_document(document)?;
        Ok(Self {
            state: Arc::new(Deferred::ready(inner)),
        })
    }

    /// A ruleset prepared the first time it is used ([`parameters`](Self::parameters),
    /// [`resolve`](Self::resolve)), as [`from_json`](Self::from_json) would prepare it. A
    /// document that `from_json` rejects makes every [`resolve`](Self::resolve) return that
    /// error, and has no parameters.
    pub fn deferred(document: Arc<[u8]>) -> Self {
        Self {
            state: Arc::new(Deferred::document(document)),
        }
    }

    /// As [`deferred`](Self::deferred), with the document read by `load` at that first use too
    /// (a session's rulesets: decompressing S3's was a tenth of a first S3 client). An error
    /// from `load` makes every [`resolve`](Self::resolve) return
    /// [`EndpointError::InvalidRuleSet`] with its message.
    pub fn deferred_load(
        load: impl Fn() -> Result<Arc<[u8]>, String> + Send + Sync + 'static,
    ) -> Self {
        let load = move || {
            load().map_err(|message| EndpointError::InvalidRuleSet {
                location: "$".into(),
                message: format!("the document could not be read: {message}"),
            })
        };
        Self {
            state: Arc::new(Deferred::load(load)),
        }
    }

    /// The prepared form, preparing it now if it was deferred.
    pub(crate) fn prepared(&self) -> Result<&RuleSetInner, EndpointError> {
        self.state.get(Self::prepare_document)
    }

    fn prepare_document(document: &[u8]) -> Result<RuleSetInner, EndpointError> {
        let not_json = |e: serde_json::Error| EndpointError::InvalidRuleSet {
            location: "$".into(),
            message: format!("not JSON: {e}"),
        };
        Self::prepare(&Node::parse(document).map_err(not_json)?)
    }

    /// Prepares an already-parsed ruleset document (through its text, as
    /// [`from_json`](Self::from_json) reads it).
    pub fn from_value(root: &Value) -> Result<Self, EndpointError> {
        let text = serde_json::to_vec(root).map_err(|e| EndpointError::InvalidRuleSet {
            location: "$".into(),
            message: format!("not JSON: {e}"),
        })?;
        Self::from_json(&text)
    }

    fn prepare(root: &Node<'_>) -> Result<RuleSetInner, EndpointError> {
        let top = Loc::Root;
        let root = as_object(root, &top)?;
        let parameters_loc = top.key("parameters");
        let parameters = match root.get("parameters") {
            Some(Node::Object(map)) => map
                .iter()
                .map(|(name, spec)| parse_parameter(name, spec, &parameters_loc.key(name)))
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(parameters_loc.error("not an object")),
            None => Vec::new(),
        };
        let parameter_index = parameters
            .iter()
            .enumerate()
            .map(|(index, spec)| (spec.name.as_str().into(), index))
            .collect();
        let mut preparer = Preparer {
            scope: parameters
                .iter()
                .enumerate()
                .map(|(index, spec)| (spec.name.clone(), index))
                .collect(),
            max_slots: parameters.len(),
            depth: 0,
            referenced: vec![false; parameters.len()],
        };
        let rules_loc = top.key("rules");
        let rules = match root.get("rules") {
            Some(Node::Array(rules)) => preparer.rules(rules, &rules_loc)?,
            _ => return Err(rules_loc.error("missing or not a list")),
        };
        Ok(RuleSetInner {
            parameters,
            parameter_index,
            rules,
            slot_count: preparer.max_slots,
            referenced: preparer.referenced,
        })
    }

    /// The declared parameters, in document order (none when a deferred document turned out
    /// invalid: [`resolve`](Self::resolve) reports that).
    pub fn parameters(&self) -> &[ParameterSpec] {
        self.prepared().map_or(&[], |inner| &inner.parameters)
    }

    /// Whether any rule reads the declared parameter at `index` of
    /// [`parameters`](Self::parameters). One that none reads cannot change an endpoint, so a
    /// call need not bind it: S3's `Key`, `Prefix` and `CopySource` (which botocore leaves out
    /// of S3's resolution too), bound, made each new key a new endpoint-cache entry.
    pub(crate) fn is_referenced(&self, index: usize) -> bool {
        self.prepared()
            .ok()
            .and_then(|inner| inner.referenced.get(index).copied())
            .unwrap_or(true)
    }

    /// The declared parameter called `name`.
    pub fn parameter(&self, name: &str) -> Option<&ParameterSpec> {
        let inner = self.prepared().ok()?;
        let index = *inner.parameter_index.get(name)?;
        inner.parameters.get(index)
    }
}

// ---------------------------------------------------------------------------------------------
// The prepared tree.

#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) conditions: Vec<Condition>,
    pub(crate) action: Action,
}

#[derive(Debug)]
pub(crate) enum Action {
    /// Try the children in order; if none yields, botocore moves on to the next sibling.
    Tree(Vec<Rule>),
    Endpoint(EndpointTemplate),
    Error(Expr),
}

#[derive(Debug)]
pub(crate) struct Condition {
    pub(crate) call: Call,
    /// The slot the result is stored in, for `assign`.
    pub(crate) assign: Option<usize>,
}

#[derive(Debug)]
pub(crate) struct EndpointTemplate {
    pub(crate) url: Expr,
    pub(crate) headers: Vec<(String, Vec<Expr>)>,
    pub(crate) properties: Vec<(String, Property)>,
}

/// An endpoint property: JSON in which strings may be templates.
#[derive(Debug)]
pub(crate) enum Property {
    /// A subtree without any template, copied as is.
    Static(Value),
    Template(Template),
    Array(Vec<Property>),
    Object(Vec<(String, Property)>),
}

#[derive(Debug)]
pub(crate) enum Expr {
    /// A string with no template reference.
    String(String),
    Bool(bool),
    Integer(i64),
    /// Any other literal JSON (`null`, arrays, objects, non-integer numbers).
    Json(Value),
    Ref(usize),
    Call(Box<Call>),
    Template(Template),
}

#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) function: Function,
    pub(crate) args: Vec<Expr>,
}

#[derive(Debug)]
pub(crate) enum Function {
    IsSet,
    Not,
    /// `getAttr(value, path)`: only the value is an argument; the literal path is pre-parsed.
    GetAttr(AttrPath),
    StringEquals,
    BooleanEquals,
    Substring,
    UriEncode,
    ParseUrl,
    IsValidHostLabel,
    AwsPartition,
    AwsParseArn,
    AwsIsVirtualHostableS3Bucket,
}

impl Function {
    /// The rules-language name, for error messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Function::IsSet => "isSet",
            Function::Not => "not",
            Function::GetAttr(_) => "getAttr",
            Function::StringEquals => "stringEquals",
            Function::BooleanEquals => "booleanEquals",
            Function::Substring => "substring",
            Function::UriEncode => "uriEncode",
            Function::ParseUrl => "parseURL",
            Function::IsValidHostLabel => "isValidHostLabel",
            Function::AwsPartition => "aws.partition",
            Function::AwsParseArn => "aws.parseArn",
            Function::AwsIsVirtualHostableS3Bucket => "aws.isVirtualHostableS3Bucket",
        }
    }
}

/// A pre-split `getAttr` path: keys, then at most one trailing index (botocore stops there).
pub(crate) type AttrPath = Vec<PathStep>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathStep {
    Key(String),
    Index(usize),
}

#[derive(Debug)]
pub(crate) struct Template {
    pub(crate) parts: Vec<TemplatePart>,
    /// Sum of the literal parts, to size the output once.
    pub(crate) literal_len: usize,
}

#[derive(Debug)]
pub(crate) enum TemplatePart {
    Literal(String),
    Var {
        slot: usize,
        path: AttrPath,
        /// The reference as written (`PartitionResult#dnsSuffix`), for error messages.
        source: Box<str>,
    },
}

// ---------------------------------------------------------------------------------------------
// Locations, built as a linked list on the stack and only rendered on error.

enum Loc<'p> {
    Root,
    Key(&'p Loc<'p>, &'p str),
    Index(&'p Loc<'p>, usize),
}

impl<'p> Loc<'p> {
    fn key(&'p self, key: &'p str) -> Loc<'p> {
        Loc::Key(self, key)
    }

    fn index(&'p self, index: usize) -> Loc<'p> {
        Loc::Index(self, index)
    }

    fn render(&self, out: &mut String) {
        match self {
            Loc::Root => out.push('$'),
            Loc::Key(parent, key) => {
                parent.render(out);
                out.push('.');
                out.push_str(key);
            }
            Loc::Index(parent, index) => {
                parent.render(out);
                out.push_str(&format!("[{index}]"));
            }
        }
    }

    fn error(&self, message: impl Into<String>) -> EndpointError {
        let mut location = String::new();
        self.render(&mut location);
        EndpointError::InvalidRuleSet {
            location,
            message: message.into(),
        }
    }
}

fn as_object<'v, 'a>(value: &'v Node<'a>, loc: &Loc<'_>) -> Result<&'v Object<'a>, EndpointError> {
    value.as_object().ok_or_else(|| loc.error("not an object"))
}

// ---------------------------------------------------------------------------------------------
// Parameters.

fn parse_parameter(
    name: &str,
    spec: &Node<'_>,
    loc: &Loc<'_>,
) -> Result<ParameterSpec, EndpointError> {
    let spec = as_object(spec, loc)?;
    let type_name = spec
        .get("type")
        .and_then(Node::as_str)
        .ok_or_else(|| loc.key("type").error("missing or not a string"))?;
    // botocore compares type names case-insensitively (`String` and `string` both occur).
    let parameter_type = match type_name.to_ascii_lowercase().as_str() {
        "string" => ParameterType::String,
        "boolean" => ParameterType::Boolean,
        "stringarray" => ParameterType::StringArray,
        other => {
            return Err(loc.key("type").error(format!(
                "unknown parameter type {other:?}; expected string, boolean or stringArray"
            )))
        }
    };
    let optional_string = |key: &str| -> Result<Option<String>, EndpointError> {
        match spec.get(key) {
            None | Some(Node::Null) => Ok(None),
            Some(Node::String(s)) => Ok(Some(s.to_string())),
            Some(_) => Err(loc.key(key).error("not a string")),
        }
    };
    let default = match spec.get("default") {
        None | Some(Node::Null) => None,
        Some(value) => Some(
            value_of_type(value, parameter_type)
                .ok_or_else(|| loc.key("default").error(format!("not a {parameter_type}")))?,
        ),
    };
    let required = match spec.get("required") {
        None | Some(Node::Null) => false,
        Some(Node::Bool(b)) => *b,
        Some(_) => return Err(loc.key("required").error("not a boolean")),
    };
    Ok(ParameterSpec {
        name: name.to_owned(),
        parameter_type,
        built_in: optional_string("builtIn")?,
        default,
        required,
        deprecated: spec.get("deprecated").is_some_and(|d| !d.is_null()),
        documentation: optional_string("documentation")?,
    })
}

fn value_of_type(value: &Node<'_>, parameter_type: ParameterType) -> Option<EndpointValue> {
    match (parameter_type, value) {
        (ParameterType::String, Node::String(s)) => Some(EndpointValue::String(s.to_string())),
        (ParameterType::Boolean, Node::Bool(b)) => Some(EndpointValue::Bool(*b)),
        (ParameterType::StringArray, Node::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(EndpointValue::StringArray),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Rules, conditions and expressions.

/// Walks the rule tree keeping the lexical scope of variable names → slots.
struct Preparer {
    /// Visible names, innermost last. Parameters first, then `assign`ed variables.
    scope: Vec<(String, usize)>,
    max_slots: usize,
    /// Whether a rule reads parameter `i` (a `ref` or a template naming it).
    referenced: Vec<bool>,
    /// Current nesting of rules and calls; bounded so a hostile document cannot overflow the
    /// stack, here or in the evaluator (serde_json's recursion limit bounds the parse itself,
    /// which also reads `from_value`'s documents).
    depth: usize,
}

/// Deeper than any real ruleset (S3's is about 15 levels of rules and 3 of calls).
const MAX_DEPTH: usize = 100;

impl Preparer {
    fn lookup(&self, name: &str) -> Option<usize> {
        self.scope
            .iter()
            .rev()
            .find(|(visible, _)| visible == name)
            .map(|(_, slot)| *slot)
    }

    /// [`lookup`](Self::lookup) of a name a rule reads, noting the parameter it reads.
    fn reference(&mut self, name: &str) -> Option<usize> {
        let slot = self.lookup(name)?;
        if let Some(read) = self.referenced.get_mut(slot) {
            *read = true;
        }
        Some(slot)
    }

    fn rules(&mut self, rules: &[Node<'_>], loc: &Loc<'_>) -> Result<Vec<Rule>, EndpointError> {
        rules
            .iter()
            .enumerate()
            .map(|(index, rule)| self.rule(rule, &loc.index(index)))
            .collect()
    }

    fn rule(&mut self, rule: &Node<'_>, loc: &Loc<'_>) -> Result<Rule, EndpointError> {
        let rule = as_object(rule, loc)?;
        if self.depth >= MAX_DEPTH {
            return Err(loc.error(format!("rules nested deeper than {MAX_DEPTH}")));
        }
        self.depth += 1;
        let scope_len = self.scope.len();
        let result = self.rule_in_scope(rule, loc);
        self.depth -= 1;
        // A rule's assignments are visible to its own conditions, action and children only.
        self.scope.truncate(scope_len);
        result
    }

    fn rule_in_scope(&mut self, rule: &Object<'_>, loc: &Loc<'_>) -> Result<Rule, EndpointError> {
        let conditions_loc = loc.key("conditions");
        let conditions = match rule.get("conditions") {
            Some(Node::Array(conditions)) => conditions
                .iter()
                .enumerate()
                .map(|(index, condition)| self.condition(condition, &conditions_loc.index(index)))
                .collect::<Result<Vec<_>, _>>()?,
            _ => return Err(conditions_loc.error("missing or not a list")),
        };
        let type_loc = loc.key("type");
        let action = match rule.get("type").and_then(Node::as_str) {
            Some("tree") => {
                let rules_loc = loc.key("rules");
                match rule.get("rules") {
                    Some(Node::Array(children)) => Action::Tree(self.rules(children, &rules_loc)?),
                    _ => return Err(rules_loc.error("missing or not a list")),
                }
            }
            Some("endpoint") => {
                let endpoint_loc = loc.key("endpoint");
                let endpoint = rule
                    .get("endpoint")
                    .ok_or_else(|| endpoint_loc.error("missing"))?;
                Action::Endpoint(self.endpoint(endpoint, &endpoint_loc)?)
            }
            Some("error") => {
                let error_loc = loc.key("error");
                let error = rule
                    .get("error")
                    .ok_or_else(|| error_loc.error("missing"))?;
                Action::Error(self.expr(error, &error_loc)?)
            }
            Some(other) => {
                return Err(type_loc.error(format!(
                    "unknown rule type {other:?}; a rule must be of type tree, endpoint or error"
                )))
            }
            None => return Err(type_loc.error("missing or not a string")),
        };
        Ok(Rule { conditions, action })
    }

    fn condition(
        &mut self,
        condition: &Node<'_>,
        loc: &Loc<'_>,
    ) -> Result<Condition, EndpointError> {
        let call = self.call(as_object(condition, loc)?, loc)?;
        let assign = match condition.get("assign") {
            None => None,
            Some(Node::String(name)) => {
                if self.lookup(name).is_some() {
                    return Err(loc.key("assign").error(format!(
                        "assignment {name} already exists in scope and cannot be overwritten"
                    )));
                }
                let slot = self.scope.len();
                self.scope.push((name.to_string(), slot));
                self.max_slots = self.max_slots.max(slot + 1);
                Some(slot)
            }
            Some(_) => return Err(loc.key("assign").error("not a string")),
        };
        Ok(Condition { call, assign })
    }

    fn call(&mut self, call: &Object<'_>, loc: &Loc<'_>) -> Result<Call, EndpointError> {
        if self.depth >= MAX_DEPTH {
            return Err(loc.error(format!("calls nested deeper than {MAX_DEPTH}")));
        }
        self.depth += 1;
        let result = self.call_at_depth(call, loc);
        self.depth -= 1;
        result
    }

    fn call_at_depth(&mut self, call: &Object<'_>, loc: &Loc<'_>) -> Result<Call, EndpointError> {
        let name = call
            .get("fn")
            .and_then(Node::as_str)
            .ok_or_else(|| loc.key("fn").error("missing or not a string"))?;
        let argv_loc = loc.key("argv");
        let argv = match call.get("argv") {
            Some(Node::Array(argv)) => argv,
            _ => return Err(argv_loc.error("missing or not a list")),
        };
        let (function, arity) = match name {
            "isSet" => (Function::IsSet, 1),
            "not" => (Function::Not, 1),
            "getAttr" => {
                let path_loc = argv_loc.index(1);
                let path = match argv.get(1) {
                    Some(Node::String(path)) => parse_attr_path(path),
                    _ => return Err(path_loc.error("getAttr needs a literal string path")),
                };
                (Function::GetAttr(path), 2)
            }
            "stringEquals" => (Function::StringEquals, 2),
            "booleanEquals" => (Function::BooleanEquals, 2),
            "substring" => (Function::Substring, 4),
            "uriEncode" => (Function::UriEncode, 1),
            "parseURL" => (Function::ParseUrl, 1),
            "isValidHostLabel" => (Function::IsValidHostLabel, 2),
            "aws.partition" => (Function::AwsPartition, 1),
            "aws.parseArn" => (Function::AwsParseArn, 1),
            "aws.isVirtualHostableS3Bucket" => (Function::AwsIsVirtualHostableS3Bucket, 2),
            other => return Err(loc.key("fn").error(format!("unknown function {other:?}"))),
        };
        if argv.len() != arity {
            return Err(argv_loc.error(format!(
                "{name} takes {arity} arguments, got {}",
                argv.len()
            )));
        }
        // getAttr's path was consumed above; only its first argument is evaluated.
        let evaluated = if matches!(function, Function::GetAttr(_)) {
            &argv[..1]
        } else {
            &argv[..]
        };
        let args = evaluated
            .iter()
            .enumerate()
            .map(|(index, arg)| self.expr(arg, &argv_loc.index(index)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Call { function, args })
    }

    fn expr(&mut self, value: &Node<'_>, loc: &Loc<'_>) -> Result<Expr, EndpointError> {
        Ok(match value {
            Node::Object(map) if map.contains_key("fn") => {
                if map.contains_key("assign") {
                    // botocore would assign from inside an argument; no ruleset does, and it
                    // would make scoping depend on evaluation order.
                    return Err(loc
                        .key("assign")
                        .error("assign is only supported on conditions"));
                }
                Expr::Call(Box::new(self.call(map, loc)?))
            }
            Node::Object(map) if map.contains_key("ref") => {
                let name = map
                    .get("ref")
                    .and_then(Node::as_str)
                    .ok_or_else(|| loc.key("ref").error("not a string"))?;
                let slot = self
                    .reference(name)
                    .ok_or_else(|| loc.key("ref").error(format!("unknown variable {name:?}")))?;
                Expr::Ref(slot)
            }
            Node::String(text) => match self.template(text, loc)? {
                Some(template) => Expr::Template(template),
                None => Expr::String(text.to_string()),
            },
            Node::Bool(b) => Expr::Bool(*b),
            Node::Number(n) => match n.as_i64() {
                Some(i) => Expr::Integer(i),
                None => Expr::Json(value.to_value()),
            },
            other => Expr::Json(other.to_value()),
        })
    }

    fn endpoint(
        &mut self,
        endpoint: &Node<'_>,
        loc: &Loc<'_>,
    ) -> Result<EndpointTemplate, EndpointError> {
        let endpoint = as_object(endpoint, loc)?;
        let url_loc = loc.key("url");
        let url = self.expr(
            endpoint
                .get("url")
                .ok_or_else(|| url_loc.error("missing"))?,
            &url_loc,
        )?;
        let headers_loc = loc.key("headers");
        let mut headers = Vec::new();
        match endpoint.get("headers") {
            None | Some(Node::Null) => {}
            Some(Node::Object(map)) => {
                for (name, values) in map.iter() {
                    let header_loc = headers_loc.key(name);
                    let values = values
                        .as_array()
                        .ok_or_else(|| header_loc.error("not a list"))?
                        .iter()
                        .enumerate()
                        .map(|(index, value)| self.expr(value, &header_loc.index(index)))
                        .collect::<Result<Vec<_>, _>>()?;
                    headers.push((name.to_owned(), values));
                }
            }
            Some(_) => return Err(headers_loc.error("not an object")),
        }
        let properties_loc = loc.key("properties");
        let properties = match endpoint.get("properties") {
            None | Some(Node::Null) => Vec::new(),
            Some(Node::Object(map)) => self.property_entries(map, &properties_loc)?,
            Some(_) => return Err(properties_loc.error("not an object")),
        };
        Ok(EndpointTemplate {
            url,
            headers,
            properties,
        })
    }

    fn property_entries(
        &mut self,
        map: &Object<'_>,
        loc: &Loc<'_>,
    ) -> Result<Vec<(String, Property)>, EndpointError> {
        map.iter()
            .map(|(key, value)| Ok((key.to_owned(), self.property(value, &loc.key(key))?)))
            .collect()
    }

    /// Properties are JSON in which only strings are resolved (as templates); objects holding
    /// `fn` or `ref` are data here, as in botocore.
    fn property(&mut self, value: &Node<'_>, loc: &Loc<'_>) -> Result<Property, EndpointError> {
        if !contains_template(value) {
            return Ok(Property::Static(value.to_value()));
        }
        if self.depth >= MAX_DEPTH {
            return Err(loc.error(format!("properties nested deeper than {MAX_DEPTH}")));
        }
        self.depth += 1;
        let result = self.templated_property(value, loc);
        self.depth -= 1;
        result
    }

    fn templated_property(
        &mut self,
        value: &Node<'_>,
        loc: &Loc<'_>,
    ) -> Result<Property, EndpointError> {
        Ok(match value {
            Node::String(text) => match self.template(text, loc)? {
                Some(template) => Property::Template(template),
                None => Property::Static(value.to_value()),
            },
            Node::Array(items) => Property::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| self.property(item, &loc.index(index)))
                    .collect::<Result<_, _>>()?,
            ),
            Node::Object(map) => Property::Object(self.property_entries(map, loc)?),
            other => Property::Static(other.to_value()),
        })
    }

    /// Splits a template string, or `None` when it is plain text. As in botocore, a string is a
    /// template only if it holds a `{name}`-like reference (letters and `#`); then `{{` and `}}`
    /// are escapes for braces.
    fn template(&mut self, text: &str, loc: &Loc<'_>) -> Result<Option<Template>, EndpointError> {
        if !looks_like_template(text) {
            return Ok(None);
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut literal_len = 0;
        let mut chars = text.char_indices().peekable();
        while let Some((position, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|&(_, next)| next) == Some('{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().map(|&(_, next)| next) == Some('}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => return Err(loc.error(format!("single '}}' in template {text:?}"))),
                '{' => {
                    let start = position + 1;
                    let end = text[start..]
                        .find('}')
                        .map(|offset| start + offset)
                        .ok_or_else(|| loc.error(format!("unclosed '{{' in template {text:?}")))?;
                    let reference = &text[start..end];
                    // Skip the reference's characters (all before `end`).
                    while chars.peek().is_some_and(|&(p, _)| p <= end) {
                        chars.next();
                    }
                    if !literal.is_empty() {
                        literal_len += literal.len();
                        parts.push(TemplatePart::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(self.template_reference(reference, text, loc)?);
                }
                other => literal.push(other),
            }
        }
        if !literal.is_empty() {
            literal_len += literal.len();
            parts.push(TemplatePart::Literal(literal));
        }
        Ok(Some(Template { parts, literal_len }))
    }

    fn template_reference(
        &mut self,
        reference: &str,
        text: &str,
        loc: &Loc<'_>,
    ) -> Result<TemplatePart, EndpointError> {
        let mut pieces = reference.split('#');
        let name = pieces.next().unwrap_or_default();
        if name.is_empty() || reference.contains(['{', '!', ':']) {
            return Err(loc.error(format!(
                "unsupported template reference {{{reference}}} in {text:?}"
            )));
        }
        let slot = self
            .reference(name)
            .ok_or_else(|| loc.error(format!("unknown variable {name:?} in template {text:?}")))?;
        let mut path = Vec::new();
        for piece in pieces {
            // `{a#b}` is botocore's `a[b]`; a `[n]` suffix is accepted as in getAttr.
            let steps = parse_attr_path(piece);
            let ends_with_index = matches!(steps.last(), Some(PathStep::Index(_)));
            path.extend(steps);
            if ends_with_index {
                break;
            }
        }
        Ok(TemplatePart::Var {
            slot,
            path,
            source: reference.into(),
        })
    }
}

/// botocore's `\{[a-zA-Z#]+\}` search.
fn looks_like_template(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut open: Option<usize> = None;
    for (index, &byte) in bytes.iter().enumerate() {
        match byte {
            b'{' => open = Some(index),
            b'}' => {
                if open.is_some_and(|start| index > start + 1) {
                    return true;
                }
                open = None;
            }
            b if b.is_ascii_alphabetic() || b == b'#' => {}
            _ => open = None,
        }
    }
    false
}

fn contains_template(value: &Node<'_>) -> bool {
    match value {
        Node::String(text) => looks_like_template(text),
        Node::Array(items) => items.iter().any(contains_template),
        Node::Object(map) => map.values().any(contains_template),
        _ => false,
    }
}

/// botocore's getAttr path: `.`-separated keys; a part shaped `name[n]` (or `[n]`) indexes and
/// ends the path.
pub(crate) fn parse_attr_path(path: &str) -> AttrPath {
    let mut steps = Vec::new();
    for part in path.split('.') {
        if let Some((name, index)) = split_indexed(part) {
            if !name.is_empty() {
                steps.push(PathStep::Key(name.to_owned()));
            }
            steps.push(PathStep::Index(index));
            return steps;
        }
        steps.push(PathStep::Key(part.to_owned()));
    }
    steps
}

/// `name[digits]` anywhere in `part` → (name, index), as botocore's `(\w*)\[(\d+)\]` search.
fn split_indexed(part: &str) -> Option<(&str, usize)> {
    let mut search_from = 0;
    while let Some(offset) = part[search_from..].find('[') {
        let open = search_from + offset;
        let after = &part[open + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after.as_bytes().get(digits) == Some(&b']') {
            let name_start = part[..open]
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |i| {
                    i + part[i..].chars().next().map_or(1, char::len_utf8)
                });
            // An index too large for memory cannot be in range anyway.
            let index = after[..digits].parse().unwrap_or(usize::MAX);
            return Some((&part[name_start..open], index));
        }
        search_from = open + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepare(json: &str) -> Result<RuleSet, EndpointError> {
        RuleSet::from_json(json.as_bytes())
    }

    #[test]
    fn attr_paths() {
        use PathStep::{Index, Key};
        assert_eq!(parse_attr_path("a"), vec![Key("a".into())]);
        assert_eq!(
            parse_attr_path("a.b"),
            vec![Key("a".into()), Key("b".into())]
        );
        assert_eq!(
            parse_attr_path("resourceId[2]"),
            vec![Key("resourceId".into()), Index(2)]
        );
        assert_eq!(parse_attr_path("[0]"), vec![Index(0)]);
        assert_eq!(
            parse_attr_path("foo.bar[0].ignored"),
            vec![Key("foo".into()), Key("bar".into()), Index(0)]
        );
    }

    #[test]
    fn template_detection_matches_botocore() {
        assert!(looks_like_template("https://{Region}.x"));
        assert!(looks_like_template("{url#authority}"));
        assert!(!looks_like_template("https://example.com"));
        assert!(!looks_like_template("{}"));
        assert!(!looks_like_template("{a_b}"));
        assert!(!looks_like_template("{a1}"));
    }

    #[test]
    fn parameters_keep_types_defaults_and_builtins() {
        let ruleset = prepare(
            r#"{"version": "1.0", "parameters": {
                "Region": {"type": "String", "builtIn": "AWS::Region"},
                "UseFIPS": {"type": "boolean", "builtIn": "AWS::UseFIPS", "required": true, "default": false},
                "Names": {"type": "stringArray", "default": ["a"]}
            }, "rules": []}"#,
        )
        .unwrap();
        let region = ruleset.parameter("Region").unwrap();
        assert_eq!(region.parameter_type, ParameterType::String);
        assert_eq!(region.built_in.as_deref(), Some("AWS::Region"));
        let fips = ruleset.parameter("UseFIPS").unwrap();
        assert!(fips.required);
        assert_eq!(fips.default, Some(EndpointValue::Bool(false)));
        assert_eq!(
            ruleset.parameter("Names").unwrap().default,
            Some(EndpointValue::StringArray(vec!["a".into()]))
        );
        assert_eq!(ruleset.parameters().len(), 3);
    }

    fn location_of(error: EndpointError) -> String {
        match error {
            EndpointError::InvalidRuleSet { location, .. } => location,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn malformed_rulesets_are_rejected_with_locations() {
        let base = |rules: &str| {
            format!(
                r#"{{"version": "1.0", "parameters": {{"Region": {{"type": "string"}}}}, "rules": {rules}}}"#
            )
        };
        let unknown_fn = base(
            r#"[{"type": "error", "conditions": [{"fn": "nope", "argv": []}], "error": "x"}]"#,
        );
        assert_eq!(
            location_of(prepare(&unknown_fn).unwrap_err()),
            "$.rules[0].conditions[0].fn"
        );
        let arity = base(
            r#"[{"type": "error", "conditions": [{"fn": "isSet", "argv": []}], "error": "x"}]"#,
        );
        assert_eq!(
            location_of(prepare(&arity).unwrap_err()),
            "$.rules[0].conditions[0].argv"
        );
        let unknown_ref = base(
            r#"[{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{Nope}"}}]"#,
        );
        assert_eq!(
            location_of(prepare(&unknown_ref).unwrap_err()),
            "$.rules[0].endpoint.url"
        );
        let bad_type = base(r#"[{"type": "leaf", "conditions": []}]"#);
        assert_eq!(
            location_of(prepare(&bad_type).unwrap_err()),
            "$.rules[0].type"
        );
        let reassign = base(
            r#"[{"type": "error", "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}], "assign": "Region"}], "error": "x"}]"#,
        );
        assert_eq!(
            location_of(prepare(&reassign).unwrap_err()),
            "$.rules[0].conditions[0].assign"
        );
        assert!(prepare("[]").is_err());
        assert!(prepare(r#"{"parameters": {"A": {"type": "int"}}, "rules": []}"#).is_err());
        assert!(prepare(
            r#"{"parameters": {"A": {"type": "string", "default": true}}, "rules": []}"#
        )
        .is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let mut condition = serde_json::json!({"fn": "isSet", "argv": [{"ref": "Region"}]});
        for _ in 0..300 {
            condition = serde_json::json!({"fn": "not", "argv": [condition]});
        }
        let document = serde_json::json!({
            "parameters": {"Region": {"type": "string"}},
            "rules": [{"type": "error", "conditions": [condition], "error": "x"}]
        });
        assert!(RuleSet::from_value(&document).is_err());
        let mut rule = serde_json::json!({"type": "error", "conditions": [], "error": "x"});
        for _ in 0..300 {
            rule = serde_json::json!({"type": "tree", "conditions": [], "rules": [rule]});
        }
        let document = serde_json::json!({"parameters": {}, "rules": [rule]});
        assert!(RuleSet::from_value(&document).is_err());
    }

    #[test]
    fn assigned_names_are_scoped_to_their_rule() {
        // `p` is assigned in the first rule only; the sibling may not see it.
        let json = r#"{"version": "1.0", "parameters": {"Region": {"type": "string"}}, "rules": [
            {"type": "tree", "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "p"}],
             "rules": [{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{p#dnsSuffix}"}}]},
            {"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{p#dnsSuffix}"}}
        ]}"#;
        assert_eq!(
            location_of(prepare(json).unwrap_err()),
            "$.rules[1].endpoint.url"
        );
    }

    #[test]
    fn templates_split_into_parts() {
        let ruleset = prepare(
            r#"{"version": "1.0", "parameters": {"Region": {"type": "string"}}, "rules": [
                {"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{{x}}.{Region}.amazonaws.com"}}]}"#,
        )
        .unwrap();
        let Some(Rule {
            action: Action::Endpoint(endpoint),
            ..
        }) = ruleset.prepared().unwrap().rules.first()
        else {
            panic!("expected an endpoint rule");
        };
        let Expr::Template(template) = &endpoint.url else {
            panic!("expected a template");
        };
        assert_eq!(template.parts.len(), 3);
        assert!(matches!(&template.parts[0], TemplatePart::Literal(l) if l == "https://{x}."));
        assert!(matches!(
            &template.parts[1],
            TemplatePart::Var { slot: 0, .. }
        ));
        assert!(matches!(&template.parts[2], TemplatePart::Literal(l) if l == ".amazonaws.com"));
    }

    #[test]
    fn a_deferred_ruleset_is_prepared_on_first_use_as_from_json_prepares_it() {
        let json = r#"{"version": "1.0", "parameters": {"Region": {"type": "string", "builtIn": "AWS::Region"}},
            "rules": [{"type": "endpoint", "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}],
                       "endpoint": {"url": "https://svc.{Region}.example"}},
                      {"type": "error", "conditions": [], "error": "no region"}]}"#;
        let deferred = RuleSet::deferred(Arc::from(json.as_bytes()));
        assert_eq!(format!("{deferred:?}"), "RuleSet { deferred }");
        let eager = prepare(json).unwrap();
        assert_eq!(deferred.parameters(), eager.parameters());
        let partitions = crate::endpoint::Partitions::from_json(
            br#"{"partitions": [{"id": "aws", "regionRegex": "^us", "outputs": {}}]}"#,
        )
        .unwrap();
        for params in [
            crate::endpoint::EndpointParams::new().with("Region", "us-west-2"),
            crate::endpoint::EndpointParams::new(),
        ] {
            assert_eq!(
                deferred.resolve(&partitions, &params),
                eager.resolve(&partitions, &params)
            );
        }
        assert_ne!(format!("{deferred:?}"), "RuleSet { deferred }");
    }

    #[test]
    fn a_deferred_invalid_ruleset_fails_each_resolution_with_the_from_json_error() {
        let json = r#"{"parameters": {"Region": {"type": "string"}},
            "rules": [{"type": "error", "conditions": [{"fn": "nope", "argv": []}], "error": "x"}]}"#;
        let expected = prepare(json).unwrap_err();
        let deferred = RuleSet::deferred(Arc::from(json.as_bytes()));
        let partitions = crate::endpoint::Partitions::from_json(
            br#"{"partitions": [{"id": "aws", "regionRegex": "^us", "outputs": {}}]}"#,
        )
        .unwrap();
        let params = crate::endpoint::EndpointParams::new().with("Region", "us-west-2");
        for _ in 0..2 {
            assert_eq!(
                deferred.resolve(&partitions, &params),
                Err(expected.clone())
            );
        }
        assert!(deferred.parameters().is_empty());
        assert!(deferred.parameter("Region").is_none());
        let not_json = RuleSet::deferred(Arc::from(&b"{"[..]));
        assert!(matches!(
            not_json.resolve(&partitions, &params),
            Err(EndpointError::InvalidRuleSet { .. })
        ));
    }
}
