//! Paginators: botocore's `paginators-1.json` driven as a sans-IO state machine.
//!
//! A [`Paginator`] hands out the parameters of the next page's call ([`Paginator::next_params`]);
//! the transport makes the call and feeds the parsed page back ([`Paginator::handle_page`]),
//! which returns the page as the caller should see it (trimmed to `MaxItems`). Resume tokens use
//! botocore's encoding (base64 of the JSON `{input_token: value, …, "boto_truncate_amount": n}`),
//! so a token printed by the AWS CLI resumes here and the other way round.
//! [`FullResult`] aggregates pages the way `build_full_result` does.

use std::collections::HashMap;

use base64::Engine as _;
use compact_str::ToCompactString as _;

use crate::jmespath::{self, Expression, JmesPathError};
use crate::model::{ServiceModel, ShapeKind};
use crate::value::{Map, Text, Value};

/// What went wrong paginating.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginateError {
    /// The paginator file is not valid.
    #[error("invalid paginator configuration for {operation}: {reason}")]
    Config {
        /// The operation whose paginator is invalid.
        operation: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The operation has no paginator.
    #[error("operation {0} cannot be paginated")]
    NotPaginated(String),
    /// A starting token that is not one this paginator produced.
    #[error("invalid starting token {token:?}: {reason}")]
    InvalidStartingToken {
        /// The token given.
        token: String,
        /// Why it is not valid.
        reason: String,
    },
    /// The service returned the same token twice: following it would loop forever.
    #[error("the same next token was received twice: {0}")]
    RepeatedToken(String),
    /// An expression failed to evaluate.
    #[error(transparent)]
    Expression(#[from] JmesPathError),
    /// `PageSize` was given for an operation whose paginator has no limit key (botocore refuses
    /// it the same way).
    #[error("PageSize is not supported when paginating {0}: its paginator has no limit key")]
    PageSizeNotSupported(String),
}

/// One operation's pagination settings, with expressions compiled.
#[derive(Debug, Clone)]
pub struct PaginatorConfig {
    /// The operation (`ListObjectsV2`).
    pub operation: String,
    input_tokens: Vec<String>,
    output_tokens: Vec<Expression>,
    more_results: Option<Expression>,
    limit_key: Option<String>,
    /// The limit key is a string member (Route 53's `MaxItems`, API Gateway v2's `MaxResults`):
    /// the page size goes in as text, as botocore's `_extract_paging_params` sends it.
    limit_is_text: bool,
    result_keys: Vec<Expression>,
    non_aggregate_keys: Vec<Expression>,
}

fn one_or_many(v: Option<&serde_json::Value>) -> Vec<String> {
    match v {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

impl PaginatorConfig {
    fn from_json(operation: &str, cfg: &serde_json::Value) -> Result<Self, PaginateError> {
        let compile = |exprs: Vec<String>| -> Result<Vec<Expression>, PaginateError> {
            exprs
                .iter()
                .map(|e| Expression::compile(e).map_err(PaginateError::from))
                .collect()
        };
        let input_tokens = one_or_many(cfg.get("input_token"));
        let output_tokens = compile(one_or_many(cfg.get("output_token")))?;
        if input_tokens.is_empty() || input_tokens.len() != output_tokens.len() {
            return Err(PaginateError::Config {
                operation: operation.to_string(),
                reason: "input_token and output_token must be given and have the same length"
                    .into(),
            });
        }
        let mut result_keys = compile(one_or_many(cfg.get("result_key")))?;
        if result_keys.is_empty() {
            // botocore pages such operations without aggregation; the first output token's
            // parent is not a list, so aggregate nothing.
            result_keys = Vec::new();
        }
        Ok(PaginatorConfig {
            operation: operation.to_string(),
            input_tokens,
            output_tokens,
            more_results: cfg
                .get("more_results")
                .and_then(|v| v.as_str())
                .map(Expression::compile)
                .transpose()?,
            limit_key: cfg
                .get("limit_key")
                .and_then(|v| v.as_str())
                .map(String::from),
            limit_is_text: false,
            result_keys,
            non_aggregate_keys: compile(one_or_many(cfg.get("non_aggregate_keys")))?,
        })
    }

    /// The input members that carry a page's token (`ContinuationToken`).
    pub fn input_tokens(&self) -> &[String] {
        &self.input_tokens
    }

    /// The member that limits page size (`MaxKeys`), if any.
    pub fn limit_key(&self) -> Option<&str> {
        self.limit_key.as_deref()
    }

    /// The result key expressions.
    pub fn result_keys(&self) -> impl Iterator<Item = &Expression> {
        self.result_keys.iter()
    }
}

/// Every paginator of a service (`paginators-1.json`).
#[derive(Debug, Clone, Default)]
pub struct PaginatorModel {
    by_operation: HashMap<String, PaginatorConfig>,
}

fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl PaginatorModel {
    /// Parse `paginators-1.json`, compiling every expression.
    pub fn from_json(json: &[u8]) -> Result<Self, PaginateError> {
        let doc: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| PaginateError::Config {
                operation: "*".into(),
                reason: e.to_string(),
            })?;
        let mut by_operation = HashMap::new();
        if let Some(p) = doc.get("pagination").and_then(|p| p.as_object()) {
            for (op, cfg) in p {
                by_operation.insert(normalize(op), PaginatorConfig::from_json(op, cfg)?);
            }
        }
        Ok(PaginatorModel { by_operation })
    }

    /// The paginator of `operation` in any spelling (`ListObjectsV2`, `list_objects_v2`).
    pub fn get(&self, operation: &str) -> Option<&PaginatorConfig> {
        self.by_operation.get(&normalize(operation))
    }

    /// Operation names that can be paginated.
    pub fn operations(&self) -> impl Iterator<Item = &str> {
        self.by_operation.values().map(|c| c.operation.as_str())
    }

    /// These paginators with their limit keys' types read from the service's `model`, so that
    /// a page size is sent as the member expects (text for a string member). Without it, a page
    /// size is sent as a number.
    pub fn with_model(mut self, model: &ServiceModel) -> Self {
        for config in self.by_operation.values_mut() {
            config.limit_is_text = config.limit_key.as_deref().is_some_and(|limit| {
                let member = model
                    .operation(&config.operation)
                    .and_then(|op| op.input.as_ref())
                    .and_then(|input| match &model.shape(input.shape).kind {
                        ShapeKind::Structure(s) => s.members.get(limit).map(|m| m.shape),
                        _ => None,
                    });
                member.is_some_and(|id| matches!(model.shape(id).kind, ShapeKind::String))
            });
        }
        self
    }
}

/// `PaginationConfig`: how many items in all, per page, and where to start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaginationOptions {
    /// Stop after this many result items (across pages).
    pub max_items: Option<usize>,
    /// Ask the service for pages of this size (the operation's limit key).
    pub page_size: Option<i64>,
    /// Resume where a previous pagination stopped.
    pub starting_token: Option<String>,
}

/// The state of one pagination.
#[derive(Debug)]
pub struct Paginator {
    config: PaginatorConfig,
    params: Value,
    max_items: Option<usize>,
    /// The tokens of the page being asked for (every input token; `Null` where there is none).
    next_token: Vec<(String, Value)>,
    /// The tokens the previous page gave, to catch a service repeating itself.
    previous_token: Option<Vec<(String, Value)>>,
    starting_truncation: usize,
    first_page: bool,
    total_items: usize,
    done: bool,
    resume_token: Option<String>,
    non_aggregate: Value,
}

impl Paginator {
    /// Start paginating `operation` with `params` and `options`.
    pub fn new(
        config: &PaginatorConfig,
        mut params: Value,
        options: PaginationOptions,
    ) -> Result<Self, PaginateError> {
        let mut starting_truncation = 0;
        // As botocore's `PageIterator`: a first page's tokens are all `None` (and so written in
        // a resume token taken inside that page).
        let mut next_token = config
            .input_tokens
            .iter()
            .map(|k| (k.clone(), Value::Null))
            .collect();
        if let Some(token) = &options.starting_token {
            let (tokens, truncation) = decode_token(token, &config.input_tokens)?;
            starting_truncation = truncation;
            next_token = tokens;
        }
        if !matches!(params, Value::Map(_)) {
            params = Value::Map(Map::default());
        }
        if let Value::Map(p) = &mut params {
            // botocore's `_inject_starting_params`: only a starting token's values replace the
            // caller's; without one, tokens the caller gave (`ExclusiveStartKey`, `Marker`)
            // go out in the first request as given.
            if options.starting_token.is_some() {
                inject_tokens(p, &next_token);
            }
            if let Some(size) = options.page_size {
                let Some(limit) = &config.limit_key else {
                    return Err(PaginateError::PageSizeNotSupported(
                        config.operation.clone(),
                    ));
                };
                let size = match config.limit_is_text {
                    true => Value::String(size.to_compact_string()),
                    false => Value::Integer(size),
                };
                p.insert(limit.as_str().into(), size);
            }
        }
        Ok(Paginator {
            config: config.clone(),
            params,
            max_items: options.max_items,
            next_token,
            previous_token: None,
            starting_truncation,
            first_page: true,
            total_items: 0,
            done: false,
            resume_token: None,
            non_aggregate: Value::Map(Map::default()),
        })
    }

    /// The parameters of the next page's call, or `None` when pagination is over.
    pub fn next_params(&self) -> Option<&Value> {
        (!self.done).then_some(&self.params)
    }

    /// The token to resume from when pagination stopped because of `MaxItems`.
    pub fn resume_token(&self) -> Option<&str> {
        self.resume_token.as_deref()
    }

    /// Feed the parsed result of the call made with [`next_params`](Self::next_params); returns
    /// the page to hand to the caller.
    pub fn handle_page(&mut self, mut page: Value) -> Result<Value, PaginateError> {
        let primary = self.config.result_keys.first().cloned();
        if self.first_page {
            self.first_page = false;
            if self.starting_truncation > 0 {
                self.skip_already_seen(&mut page)?;
            }
            for key in &self.config.non_aggregate_keys {
                let v = key.search(&page)?;
                jmespath::set_path(&mut self.non_aggregate, key.as_str(), v);
            }
        } else {
            self.starting_truncation = 0;
        }
        let count = match &primary {
            Some(p) => item_count(&p.search(&page)?),
            None => 0,
        };
        if let (Some(max), Some(p)) = (self.max_items, &primary) {
            if self.total_items + count > max {
                let keep = max - self.total_items;
                truncate(&mut page, p, keep)?;
                let mut token = self.next_token.clone();
                token.push((
                    "boto_truncate_amount".into(),
                    Value::Integer((keep + self.starting_truncation) as i64),
                ));
                self.resume_token = Some(encode_token(&token));
                self.done = true;
                return Ok(page);
            }
        }
        self.total_items += count;
        let next = self.next_tokens(&page)?;
        if next.iter().all(|(_, v)| v.is_null()) {
            self.done = true;
            return Ok(page);
        }
        if self.max_items == Some(self.total_items) {
            self.resume_token = Some(encode_token(&next));
            self.done = true;
            return Ok(page);
        }
        if self.previous_token.as_ref() == Some(&next) {
            self.done = true;
            return Err(PaginateError::RepeatedToken(encode_token(&next)));
        }
        if let Value::Map(p) = &mut self.params {
            inject_tokens(p, &next);
        }
        self.previous_token = Some(next.clone());
        self.next_token = next;
        Ok(page)
    }

    fn next_tokens(&self, page: &Value) -> Result<Vec<(String, Value)>, PaginateError> {
        if let Some(more) = &self.config.more_results {
            if !python_truthy(&more.search(page)?) {
                return Ok(Vec::new());
            }
        }
        let mut out = Vec::with_capacity(self.config.input_tokens.len());
        for (input, output) in self
            .config
            .input_tokens
            .iter()
            .zip(&self.config.output_tokens)
        {
            let v = output.search(page)?;
            out.push((
                input.clone(),
                if python_truthy(&v) { v } else { Value::Null },
            ));
        }
        Ok(out)
    }

    /// On the first page after a resume, drop the items the previous run already returned and
    /// empty the secondary result keys other than counts (they were returned with that page
    /// too).
    fn skip_already_seen(&self, page: &mut Value) -> Result<(), PaginateError> {
        let Some((primary, rest)) = self.config.result_keys.split_first() else {
            return Ok(());
        };
        let data = match primary.search(page)? {
            Value::List(l) => Value::List(l.into_iter().skip(self.starting_truncation).collect()),
            Value::String(s) => Value::String(s.chars().skip(self.starting_truncation).collect()),
            _ => Value::Null,
        };
        jmespath::set_path(page, primary.as_str(), data);
        for key in rest {
            let empty = match key.search(page)? {
                Value::List(_) => Value::List(Vec::new()),
                Value::String(_) => Value::String(Text::default()),
                // A count stays (DynamoDB's `Count`, `ScannedCount`): it says what the service
                // evaluated for this page, as botocore keeps it.
                number @ (Value::Integer(_) | Value::Float(_)) => number,
                _ => Value::Null,
            };
            jmespath::set_path(page, key.as_str(), empty);
        }
        Ok(())
    }

    /// Non-aggregate keys recorded from the first page.
    pub fn non_aggregate(&self) -> &Value {
        &self.non_aggregate
    }

    /// The configuration in use.
    pub fn config(&self) -> &PaginatorConfig {
        &self.config
    }
}

/// botocore's `_inject_token_into_kwargs`: each token into the call's parameters, a `None` one
/// (or the text `None`) taken out of them.
fn inject_tokens(params: &mut Map, tokens: &[(String, Value)]) {
    for (k, v) in tokens {
        match v {
            Value::Null => {
                params.shift_remove(k.as_str());
            }
            Value::String(s) if s == "None" => {
                params.shift_remove(k.as_str());
            }
            v => {
                params.insert(k.as_str().into(), v.clone());
            }
        }
    }
}

fn item_count(v: &Value) -> usize {
    match v {
        Value::List(l) => l.len(),
        Value::String(s) => s.chars().count(),
        _ => 0,
    }
}

fn truncate(page: &mut Value, key: &Expression, keep: usize) -> Result<(), PaginateError> {
    let data = match key.search(page)? {
        Value::List(mut l) => {
            l.truncate(keep);
            Value::List(l)
        }
        Value::String(s) => Value::String(s.chars().take(keep).collect()),
        _ => Value::List(Vec::new()),
    };
    jmespath::set_path(page, key.as_str(), data);
    Ok(())
}

/// botocore's `TokenEncoder`: base64 of the tokens as Python's `json.dumps` writes them; bytes
/// (DynamoDB's binary key attributes) go in as base64 text, their paths listed under
/// `boto_encoded_keys` so that reading the token gives bytes back.
fn encode_token(token: &[(String, Value)]) -> String {
    let mut encoded = Vec::new();
    let mut obj: serde_json::Map<String, serde_json::Value> = token
        .iter()
        .map(|(k, v)| {
            let mut path = vec![serde_json::Value::from(k.as_str())];
            (k.clone(), token_json(v, &mut path, &mut encoded))
        })
        .collect();
    if !encoded.is_empty() {
        obj.insert(
            "boto_encoded_keys".into(),
            serde_json::Value::Array(encoded),
        );
    }
    // Python's `json.dumps` spelling, so tokens match the ones botocore and the AWS CLI print.
    let json = crate::serialize::python_dumps(&serde_json::Value::Object(obj));
    base64::engine::general_purpose::STANDARD.encode(json)
}

/// `value` as a token's JSON, recording the path (keys and indexes) of each blob in `encoded`.
fn token_json(
    value: &Value,
    path: &mut Vec<serde_json::Value>,
    encoded: &mut Vec<serde_json::Value>,
) -> serde_json::Value {
    match value {
        Value::Blob(_) => {
            encoded.push(serde_json::Value::Array(path.clone()));
            value.to_json()
        }
        Value::Map(map) => serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| {
                    path.push(k.as_str().into());
                    let json = token_json(v, path, encoded);
                    path.pop();
                    (k.to_string(), json)
                })
                .collect(),
        ),
        Value::List(items) => serde_json::Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    path.push(i.into());
                    let json = token_json(v, path, encoded);
                    path.pop();
                    json
                })
                .collect(),
        ),
        other => other.to_json(),
    }
}

/// The value at `path` (a `boto_encoded_keys` entry) made bytes again; `None` when the path
/// does not lead to base64 text.
fn decode_bytes_at(value: &mut Value, path: &[serde_json::Value]) -> Option<()> {
    let (step, rest) = path.split_first()?;
    let next = match (value, step) {
        (Value::Map(map), serde_json::Value::String(key)) => map.get_mut(key.as_str())?,
        (Value::List(items), serde_json::Value::Number(i)) => {
            items.get_mut(usize::try_from(i.as_u64()?).ok()?)?
        }
        _ => return None,
    };
    if !rest.is_empty() {
        return decode_bytes_at(next, rest);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(next.as_str()?)
        .ok()?;
    *next = Value::Blob(bytes.into());
    Some(())
}

/// A starting token's input tokens and how many items of its first page were already returned.
/// botocore's own tokens are base64 JSON; anything else is read as botocore reads it: the
/// old `token___token___count` form, or one opaque token (a service's `NextToken` as it came).
fn decode_token(
    token: &str,
    input_tokens: &[String],
) -> Result<(Vec<(String, Value)>, usize), PaginateError> {
    let bad = |reason: &str| PaginateError::InvalidStartingToken {
        token: token.to_string(),
        reason: reason.to_string(),
    };
    let json = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()
        .and_then(|json| serde_json::from_slice::<serde_json::Value>(&json).ok());
    let Some(serde_json::Value::Object(obj)) = json else {
        return decode_old_token(token, input_tokens).ok_or_else(|| bad("more parts than tokens"));
    };
    let truncation = match obj.get("boto_truncate_amount") {
        None => 0,
        Some(v) => v
            .as_u64()
            .ok_or_else(|| bad("boto_truncate_amount is not a count"))? as usize,
    };
    for k in obj.keys() {
        if k != "boto_truncate_amount" && k != "boto_encoded_keys" && !input_tokens.contains(k) {
            return Err(bad(&format!("unknown key {k}")));
        }
    }
    let mut tokens: Value = Value::Map(
        input_tokens
            .iter()
            .map(|k| {
                let v = obj.get(k).cloned().map(Value::from).unwrap_or(Value::Null);
                (k.as_str().into(), v)
            })
            .collect(),
    );
    for path in obj
        .get("boto_encoded_keys")
        .and_then(|k| k.as_array())
        .into_iter()
        .flatten()
    {
        let path = path.as_array().map(Vec::as_slice).unwrap_or_default();
        decode_bytes_at(&mut tokens, path)
            .ok_or_else(|| bad("boto_encoded_keys names no bytes"))?;
    }
    let mut tokens = match tokens {
        Value::Map(map) => map,
        _ => Map::default(),
    };
    let tokens = input_tokens
        .iter()
        .map(|k| {
            (
                k.clone(),
                tokens.shift_remove(k.as_str()).unwrap_or(Value::Null),
            )
        })
        .collect();
    Ok((tokens, truncation))
}

/// botocore's `_parse_starting_token_deprecated`: `___`-separated tokens (`None` for none),
/// with the truncation count last when there is one part more than tokens; a token that is not
/// in that form is the first input token's value as it is. `None` when it has more parts than
/// the paginator has tokens (botocore refuses it too).
fn decode_old_token(token: &str, input_tokens: &[String]) -> Option<(Vec<(String, Value)>, usize)> {
    let mut parts: Vec<&str> = token.split("___").collect();
    let mut truncation = 0;
    if parts.len() == input_tokens.len() + 1 {
        match parts.last().and_then(|n| n.parse().ok()) {
            Some(n) => {
                truncation = n;
                parts.pop();
            }
            None => parts = vec![token],
        }
    }
    if parts.len() > input_tokens.len() {
        return None;
    }
    let value = |i: usize| match parts.get(i) {
        Some(&"None") | None => Value::Null,
        Some(part) => Value::String((*part).into()),
    };
    let tokens = input_tokens
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), value(i)))
        .collect();
    Some((tokens, truncation))
}

/// Aggregates pages into one result, like botocore's `build_full_result`: feed it each page
/// [`Paginator::handle_page`] returned, then [`finish`](Self::finish) with that paginator.
///
/// ```
/// use sansboto_core::{params, FullResult, PaginationOptions, Paginator, PaginatorModel, Value};
///
/// let model = PaginatorModel::from_json(
///     br#"{"pagination": {"ListThings": {"input_token": "NextToken",
///         "output_token": "NextToken", "result_key": "Things"}}}"#,
/// )?;
/// let config = model.get("ListThings").expect("a paginator");
/// let mut paginator = Paginator::new(config, params! {}, PaginationOptions::default())?;
/// let mut full = FullResult::new();
/// // The transport's two answers: a page with a token, then the last page.
/// let things = |names: &[&str]| Value::List(names.iter().map(|&n| Value::from(n)).collect());
/// for answer in [
///     params! {"Things": things(&["a", "b"]), "NextToken": "t"},
///     params! {"Things": things(&["c"])},
/// ] {
///     assert!(paginator.next_params().is_some());
///     let page = paginator.handle_page(answer)?;
///     full.add_page(paginator.config(), &page)?;
/// }
/// assert!(paginator.next_params().is_none());
/// assert_eq!(full.finish(&paginator), params! {"Things": things(&["a", "b", "c"])});
/// # Ok::<(), sansboto_core::PaginateError>(())
/// ```
#[derive(Debug, Default)]
pub struct FullResult {
    result: Value,
}

impl FullResult {
    /// An empty aggregate.
    pub fn new() -> Self {
        FullResult {
            result: Value::Map(Map::default()),
        }
    }

    /// Add a page: lists are concatenated, numbers summed and strings joined per result key.
    pub fn add_page(
        &mut self,
        config: &PaginatorConfig,
        page: &Value,
    ) -> Result<(), PaginateError> {
        for key in &config.result_keys {
            let value = key.search(page)?;
            if value.is_null() {
                continue;
            }
            let merged = match (key.search(&self.result)?, value) {
                (Value::Null, v) => v,
                (Value::List(mut a), Value::List(b)) => {
                    a.extend(b);
                    Value::List(a)
                }
                (Value::Integer(a), Value::Integer(b)) => Value::Integer(a.saturating_add(b)),
                (a, b) if a.as_f64().is_some() && b.as_f64().is_some() => {
                    Value::Float(a.as_f64().unwrap_or(0.0) + b.as_f64().unwrap_or(0.0))
                }
                (Value::String(a), Value::String(b)) => Value::String(a + &b),
                (a, _) => a,
            };
            jmespath::set_path(&mut self.result, key.as_str(), merged);
        }
        Ok(())
    }

    /// The aggregate, with the non-aggregate keys and the `NextToken` to resume from.
    pub fn finish(mut self, paginator: &Paginator) -> Value {
        let result_keys: Vec<&str> = paginator
            .config
            .result_keys
            .iter()
            .map(|k| k.as_str())
            .collect();
        merge(
            &mut self.result,
            paginator.non_aggregate(),
            "",
            &result_keys,
        );
        if let (Value::Map(out), Some(token)) = (&mut self.result, paginator.resume_token()) {
            out.insert("NextToken".into(), Value::String(token.into()));
        }
        self.result
    }
}

/// botocore's `merge_dicts` of the non-aggregate keys into the full result: `extra`'s maps
/// merged into `into`'s key by key (Athena's `ResultSet.ResultSetMetadata` joins the aggregated
/// `ResultSet.Rows`), anything else from `extra` replacing what is there, except an aggregated
/// list under a non-aggregate parent (ECR's `imageScanFindings.findings`): botocore's
/// non-aggregate part holds the first page's very list, which aggregation extended, so every
/// page's items show there.
fn merge(into: &mut Value, extra: &Value, path: &str, result_keys: &[&str]) {
    let (Value::Map(into), Value::Map(extra)) = (into, extra) else {
        return;
    };
    for (key, value) in extra {
        let at = match path {
            "" => key.to_string(),
            _ => format!("{path}.{key}"),
        };
        match into.get_mut(key) {
            Some(existing @ Value::Map(_)) if matches!(value, Value::Map(_)) => {
                merge(existing, value, &at, result_keys)
            }
            Some(Value::List(_)) if result_keys.contains(&at.as_str()) => {}
            _ => {
                into.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Python's truthiness, which botocore's paginator applies to `more_results` and to each next
/// token (`if next_token:`): unlike JMESPath's, a number 0 (S3 `ListParts`'
/// `NextPartNumberMarker`) and empty bytes are false.
fn python_truthy(v: &Value) -> bool {
    match v.untagged() {
        Value::Integer(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Blob(b) => !b.is_empty(),
        other => jmespath::is_truthy(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params;

    fn config() -> PaginatorConfig {
        let model = PaginatorModel::from_json(
            br#"{"pagination": {"ListObjectsV2": {"input_token": "ContinuationToken",
              "output_token": "NextContinuationToken", "limit_key": "MaxKeys",
              "result_key": ["Contents", "CommonPrefixes"], "more_results": "IsTruncated",
              "non_aggregate_keys": ["Name"]}}}"#,
        )
        .unwrap();
        model.get("list_objects_v2").unwrap().clone()
    }

    /// A fake service: 7 keys, pages of `size`.
    fn serve(params: &Value, size: usize) -> Value {
        let start: usize = params["ContinuationToken"]
            .as_str()
            .map(|t| t.parse().unwrap())
            .unwrap_or(0);
        let end = (start + size).min(7);
        let contents: Vec<Value> = (start..end)
            .map(|i| params! {"Key": format!("k{i}")})
            .collect();
        let mut page = params! {"Contents": contents, "IsTruncated": end < 7, "Name": "bkt"};
        if end < 7 {
            page.as_map_mut()
                .unwrap()
                .insert("NextContinuationToken".into(), Value::from(end.to_string()));
        }
        page
    }

    fn run(options: PaginationOptions) -> (Vec<String>, Option<String>, usize) {
        let cfg = config();
        let mut p = Paginator::new(&cfg, params! {"Bucket": "bkt"}, options).unwrap();
        let mut keys = Vec::new();
        let mut calls = 0;
        while let Some(params) = p.next_params() {
            calls += 1;
            let size = params["MaxKeys"].as_i64().unwrap_or(3) as usize;
            let page = p.handle_page(serve(params, size)).unwrap();
            keys.extend(
                page["Contents"]
                    .as_list()
                    .unwrap()
                    .iter()
                    .map(|c| c["Key"].as_str().unwrap().to_string()),
            );
        }
        (keys, p.resume_token().map(String::from), calls)
    }

    #[test]
    fn follows_tokens_to_the_end() {
        let (keys, token, calls) = run(PaginationOptions::default());
        assert_eq!(keys, ["k0", "k1", "k2", "k3", "k4", "k5", "k6"]);
        assert_eq!((token, calls), (None, 3));
    }

    #[test]
    fn a_token_the_caller_gives_starts_the_pages_unless_a_starting_token_replaces_it() {
        // botocore's `_inject_starting_params` touches the caller's parameters only with a
        // starting token.
        let cfg = config();
        let given = params! {"Bucket": "bkt", "ContinuationToken": "5"};
        let mut p = Paginator::new(&cfg, given.clone(), PaginationOptions::default()).unwrap();
        assert_eq!(
            p.next_params().unwrap()["ContinuationToken"].as_str(),
            Some("5")
        );
        let page = p.handle_page(serve(p.next_params().unwrap(), 3)).unwrap();
        assert_eq!(page["Contents"].as_list().unwrap().len(), 2, "k5, k6");
        assert!(p.next_params().is_none());

        let (_, resume, _) = run(PaginationOptions {
            max_items: Some(4),
            ..Default::default()
        });
        let options = PaginationOptions {
            starting_token: resume,
            ..Default::default()
        };
        let p = Paginator::new(&cfg, given, options).unwrap();
        assert_eq!(
            p.next_params().unwrap()["ContinuationToken"].as_str(),
            Some("3"),
            "the starting token's value wins"
        );
    }

    #[test]
    fn a_zero_token_ends_the_pages_as_in_python() {
        // S3 `ListParts`: an integer marker; botocore's `if next_token:` reads 0 as no token.
        let model = PaginatorModel::from_json(
            br#"{"pagination": {"ListParts": {"input_token": "PartNumberMarker",
              "output_token": "NextPartNumberMarker", "result_key": "Parts"}}}"#,
        )
        .unwrap();
        let cfg = model.get("list_parts").unwrap().clone();
        let mut p = Paginator::new(&cfg, params! {}, PaginationOptions::default()).unwrap();
        assert!(p.next_params().is_some());
        p.handle_page(
            params! {"Parts": vec![params! {"PartNumber": 1}], "NextPartNumberMarker": 0},
        )
        .unwrap();
        assert!(p.next_params().is_none(), "a 0 marker is no next page");
        let mut p = Paginator::new(&cfg, params! {}, PaginationOptions::default()).unwrap();
        p.next_params();
        p.handle_page(
            params! {"Parts": vec![params! {"PartNumber": 1}], "NextPartNumberMarker": 1},
        )
        .unwrap();
        assert_eq!(
            p.next_params().unwrap()["PartNumberMarker"].as_i64(),
            Some(1)
        );
    }

    #[test]
    fn max_items_truncates_and_resumes_exactly() {
        let (first, token, _) = run(PaginationOptions {
            max_items: Some(4),
            ..Default::default()
        });
        assert_eq!(first, ["k0", "k1", "k2", "k3"]);
        let token = token.unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&token)
            .unwrap();
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            r#"{"ContinuationToken": "3", "boto_truncate_amount": 1}"#
        );
        let (rest, token, _) = run(PaginationOptions {
            starting_token: Some(token),
            max_items: None,
            page_size: None,
        });
        assert_eq!(rest, ["k4", "k5", "k6"]);
        assert_eq!(token, None);
    }

    #[test]
    fn page_size_and_page_boundary_token() {
        let (keys, token, calls) = run(PaginationOptions {
            max_items: Some(4),
            page_size: Some(2),
            starting_token: None,
        });
        assert_eq!(keys.len(), 4);
        assert_eq!(calls, 2);
        let (rest, _, _) = run(PaginationOptions {
            starting_token: token,
            page_size: Some(2),
            max_items: None,
        });
        assert_eq!(rest, ["k4", "k5", "k6"]);
    }

    #[test]
    fn full_result_aggregates() {
        let cfg = config();
        let mut p = Paginator::new(&cfg, params! {}, PaginationOptions::default()).unwrap();
        let mut full = FullResult::new();
        while let Some(params) = p.next_params() {
            let page = p.handle_page(serve(params, 3)).unwrap();
            full.add_page(&cfg, &page).unwrap();
        }
        let result = full.finish(&p);
        assert_eq!(result["Contents"].as_list().unwrap().len(), 7);
        assert_eq!(result["Name"].as_str(), Some("bkt"));
    }

    #[test]
    fn repeated_token_is_an_error_and_bad_tokens_are_refused() {
        let cfg = config();
        let mut p = Paginator::new(&cfg, params! {}, PaginationOptions::default()).unwrap();
        let page = params! {"Contents": vec![params!{"Key": "a"}], "IsTruncated": true, "NextContinuationToken": "x"};
        p.handle_page(page.clone()).unwrap();
        assert!(matches!(
            p.handle_page(page),
            Err(PaginateError::RepeatedToken(_))
        ));
        // A JSON token naming an input the paginator does not have; an old-form token with
        // more parts than tokens.
        for bad in ["eyJYIjogMX0=", "a___b___c"] {
            let opts = PaginationOptions {
                starting_token: Some(bad.into()),
                ..Default::default()
            };
            assert!(Paginator::new(&cfg, params! {}, opts).is_err(), "{bad}");
        }
    }

    #[test]
    fn other_tokens_are_read_as_botocore_reads_them() {
        let cfg = config();
        let start = |token: &str| {
            let opts = PaginationOptions {
                starting_token: Some(token.into()),
                ..Default::default()
            };
            let p = Paginator::new(&cfg, params! {}, opts).unwrap();
            (
                p.next_params().unwrap()["ContinuationToken"].clone(),
                p.starting_truncation,
            )
        };
        // A service's own token, as it came (not base64 JSON).
        assert_eq!(
            start("1ueGcxLPRx1Tr/XYExHnhbYL+gveDs2J"),
            (Value::from("1ueGcxLPRx1Tr/XYExHnhbYL+gveDs2J"), 0)
        );
        assert_eq!(start("!!"), (Value::from("!!"), 0));
        // The old `token___count` form, and `None`.
        assert_eq!(start("abc___2"), (Value::from("abc"), 2));
        assert_eq!(start("None___3"), (Value::Null, 3));
        // A last part that is not a count: the whole text is the token.
        assert_eq!(start("abc___x"), (Value::from("abc___x"), 0));
    }
}
