//! The JMESPath used by botocore's paginators, waiters and endpoint `operationContextParams`,
//! evaluated over [`Value`]s.
//!
//! An expression is compiled once into an [`Expression`] and evaluated many times. The grammar is
//! the JMESPath specification's expression language except slices and expression references,
//! which no model uses (a test compiles and evaluates every expression of every model). Functions: `length`, `keys`, `values`, `contains`,
//! `not_null`, `type`, `to_string`.

use std::fmt;

use crate::value::{Map, Value};

/// Why an expression could not be compiled or evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JmesPathError {
    /// The text is not a valid (supported) expression.
    #[error("invalid JMESPath expression {expression:?} at offset {offset}: {reason}")]
    Syntax {
        expression: String,
        offset: usize,
        reason: String,
    },
    /// A function was called with the wrong arguments or is unknown.
    #[error("JMESPath function {name}: {reason}")]
    Function { name: String, reason: String },
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Identifier(String),
    Literal(Value),
    Number(i64),
    Dot,
    Star,
    Flatten,
    Filter,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Colon,
    LParen,
    RParen,
    Comma,
    Pipe,
    Or,
    And,
    Not,
    At,
    Cmp(Comparator),
    Eof,
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

fn binding_power(t: &Token) -> u8 {
    match t {
        Token::Pipe => 1,
        Token::Or => 2,
        Token::And => 3,
        Token::Cmp(_) => 5,
        Token::Flatten => 9,
        Token::Star => 20,
        Token::Filter => 21,
        Token::Dot => 40,
        Token::LBrace => 50,
        Token::Not => 45,
        Token::LBracket => 55,
        Token::LParen => 60,
        _ => 0,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Ast {
    Identity,
    Field(String),
    Subexpr(Box<Ast>, Box<Ast>),
    Index(i64),
    IndexOf(Box<Ast>, i64),
    /// List projection: evaluate the right side on each item of the left side's list.
    Projection(Box<Ast>, Box<Ast>),
    /// Object projection (`.*`): over the values of the left side's object.
    ValueProjection(Box<Ast>, Box<Ast>),
    Filter {
        lhs: Box<Ast>,
        rhs: Box<Ast>,
        condition: Box<Ast>,
    },
    Flatten(Box<Ast>),
    Or(Box<Ast>, Box<Ast>),
    And(Box<Ast>, Box<Ast>),
    Not(Box<Ast>),
    Compare(Comparator, Box<Ast>, Box<Ast>),
    Pipe(Box<Ast>, Box<Ast>),
    Literal(Value),
    Function(String, Vec<Ast>),
    MultiList(Vec<Ast>),
    MultiHash(Vec<(String, Ast)>),
}

/// A compiled expression.
#[derive(Clone, PartialEq)]
pub struct Expression {
    text: String,
    ast: Ast,
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expression({:?})", self.text)
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Expression {
    /// Compile `text`.
    ///
    /// ```
    /// use sansboto_core::{jmespath::Expression, params};
    /// let e = Expression::compile("Contents[-1].Key").unwrap();
    /// let page = params! {"Contents": vec![params!{"Key": "a"}, params!{"Key": "b"}]};
    /// assert_eq!(e.search(&page).unwrap().as_str(), Some("b"));
    /// ```
    pub fn compile(text: &str) -> Result<Expression, JmesPathError> {
        let tokens = lex(text)?;
        let mut p = Parser {
            tokens,
            pos: 0,
            text,
        };
        let ast = p.expression(0)?;
        if p.peek() != &Token::Eof {
            return Err(p.error("unexpected token after the expression"));
        }
        Ok(Expression {
            text: text.to_string(),
            ast,
        })
    }

    /// The source text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Evaluate against `data`.
    pub fn search(&self, data: &Value) -> Result<Value, JmesPathError> {
        eval(&self.ast, data)
    }
}

/// JMESPath truthiness: false, null, and empty strings, lists and objects are false.
pub fn is_truthy(v: &Value) -> bool {
    match v.untagged() {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::List(l) => !l.is_empty(),
        Value::Map(m) => !m.is_empty(),
        _ => true,
    }
}

fn syntax(text: &str, offset: usize, reason: &str) -> JmesPathError {
    JmesPathError::Syntax {
        expression: text.to_string(),
        offset,
        reason: reason.to_string(),
    }
}

fn lex(text: &str) -> Result<Vec<(Token, usize)>, JmesPathError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        let two = |n: u8| b.get(i + 1) == Some(&n);
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'.' => Token::Dot,
            b'*' => Token::Star,
            b'@' => Token::At,
            b']' => Token::RBracket,
            b'{' => Token::LBrace,
            b'}' => Token::RBrace,
            b':' => Token::Colon,
            b'(' => Token::LParen,
            b')' => Token::RParen,
            b',' => Token::Comma,
            b'[' if two(b']') => {
                i += 1;
                Token::Flatten
            }
            b'[' if two(b'?') => {
                i += 1;
                Token::Filter
            }
            b'[' => Token::LBracket,
            b'|' if two(b'|') => {
                i += 1;
                Token::Or
            }
            b'|' => Token::Pipe,
            b'&' if two(b'&') => {
                i += 1;
                Token::And
            }
            b'!' if two(b'=') => {
                i += 1;
                Token::Cmp(Comparator::Ne)
            }
            b'!' => Token::Not,
            b'=' if two(b'=') => {
                i += 1;
                Token::Cmp(Comparator::Eq)
            }
            b'<' if two(b'=') => {
                i += 1;
                Token::Cmp(Comparator::Le)
            }
            b'<' => Token::Cmp(Comparator::Lt),
            b'>' if two(b'=') => {
                i += 1;
                Token::Cmp(Comparator::Ge)
            }
            b'>' => Token::Cmp(Comparator::Gt),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push((Token::Identifier(text[start..i].to_string()), start));
                continue;
            }
            b'-' | b'0'..=b'9' => {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let n = text[start..i]
                    .parse()
                    .map_err(|_| syntax(text, start, "invalid number"))?;
                out.push((Token::Number(n), start));
                continue;
            }
            b'"' => {
                let end = find_closing(b, i, b'"')
                    .ok_or_else(|| syntax(text, start, "unterminated quoted identifier"))?;
                let name: String = serde_json::from_str(&text[i..=end])
                    .map_err(|_| syntax(text, start, "invalid quoted identifier"))?;
                i = end + 1;
                out.push((Token::Identifier(name), start));
                continue;
            }
            b'\'' => {
                let end = find_closing(b, i, b'\'')
                    .ok_or_else(|| syntax(text, start, "unterminated raw string"))?;
                let raw = text[i + 1..end].replace("\\'", "'");
                i = end + 1;
                out.push((Token::Literal(Value::String(raw)), start));
                continue;
            }
            b'`' => {
                let end = find_closing(b, i, b'`')
                    .ok_or_else(|| syntax(text, start, "unterminated literal"))?;
                let json = text[i + 1..end].replace("\\`", "`");
                let v: serde_json::Value = serde_json::from_str(json.trim())
                    .map_err(|_| syntax(text, start, "invalid JSON literal"))?;
                i = end + 1;
                out.push((Token::Literal(Value::from(v)), start));
                continue;
            }
            _ => return Err(syntax(text, start, "unexpected character")),
        };
        i += 1;
        out.push((tok, start));
    }
    out.push((Token::Eof, text.len()));
    Ok(out)
}

/// Index of the closing `quote` matching the one at `open`, honouring backslash escapes.
fn find_closing(b: &[u8], open: usize, quote: u8) -> Option<usize> {
    let mut i = open + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

struct Parser<'a> {
    tokens: Vec<(Token, usize)>,
    pos: usize,
    text: &'a str,
}

/// Expressions nest at most this deep, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 100;

impl Parser<'_> {
    fn peek(&self) -> &Token {
        self.tokens
            .get(self.pos)
            .map(|t| &t.0)
            .unwrap_or(&Token::Eof)
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn error(&self, reason: &str) -> JmesPathError {
        let offset = self
            .tokens
            .get(self.pos)
            .map(|t| t.1)
            .unwrap_or(self.text.len());
        syntax(self.text, offset, reason)
    }

    fn expect(&mut self, t: Token, what: &str) -> Result<(), JmesPathError> {
        if self.peek() == &t {
            self.next();
            Ok(())
        } else {
            Err(self.error(&format!("expected {what}")))
        }
    }

    fn expression(&mut self, bp: u8) -> Result<Ast, JmesPathError> {
        if self.pos > MAX_DEPTH * 4 && self.tokens.len() > MAX_DEPTH * 4 {
            return Err(self.error("expression too long"));
        }
        let mut left = self.nud()?;
        while bp < binding_power(self.peek()) {
            left = self.led(left)?;
        }
        Ok(left)
    }

    fn nud(&mut self) -> Result<Ast, JmesPathError> {
        match self.next() {
            Token::Literal(v) => Ok(Ast::Literal(v)),
            Token::Identifier(name) => Ok(Ast::Field(name)),
            Token::At => Ok(Ast::Identity),
            Token::Star => {
                let rhs = self.projection_rhs(binding_power(&Token::Star))?;
                Ok(Ast::ValueProjection(Box::new(Ast::Identity), Box::new(rhs)))
            }
            Token::Filter => self.filter(Ast::Identity),
            Token::Flatten => {
                let rhs = self.projection_rhs(binding_power(&Token::Flatten))?;
                Ok(Ast::Projection(
                    Box::new(Ast::Flatten(Box::new(Ast::Identity))),
                    Box::new(rhs),
                ))
            }
            Token::Not => Ok(Ast::Not(Box::new(
                self.expression(binding_power(&Token::Not))?,
            ))),
            Token::LParen => {
                let inner = self.expression(0)?;
                self.expect(Token::RParen, "')'")?;
                Ok(inner)
            }
            Token::LBracket => self.bracket(Ast::Identity),
            Token::LBrace => self.multi_hash(),
            _ => {
                self.pos = self.pos.saturating_sub(1);
                Err(self.error("unexpected token"))
            }
        }
    }

    fn led(&mut self, left: Ast) -> Result<Ast, JmesPathError> {
        let tok = self.next();
        let bp = binding_power(&tok);
        match tok {
            Token::Dot => {
                if self.peek() == &Token::Star {
                    self.next();
                    let rhs = self.projection_rhs(bp)?;
                    Ok(Ast::ValueProjection(Box::new(left), Box::new(rhs)))
                } else {
                    let rhs = self.dot_rhs(bp)?;
                    Ok(Ast::Subexpr(Box::new(left), Box::new(rhs)))
                }
            }
            Token::Pipe => Ok(Ast::Pipe(Box::new(left), Box::new(self.expression(bp)?))),
            Token::Or => Ok(Ast::Or(Box::new(left), Box::new(self.expression(bp)?))),
            Token::And => Ok(Ast::And(Box::new(left), Box::new(self.expression(bp)?))),
            Token::Cmp(op) => Ok(Ast::Compare(
                op,
                Box::new(left),
                Box::new(self.expression(bp)?),
            )),
            Token::Flatten => {
                let rhs = self.projection_rhs(bp)?;
                Ok(Ast::Projection(
                    Box::new(Ast::Flatten(Box::new(left))),
                    Box::new(rhs),
                ))
            }
            Token::Filter => self.filter(left),
            Token::LBracket => self.bracket(left),
            Token::LParen => {
                let Ast::Field(name) = left else {
                    return Err(self.error("only a name can be called as a function"));
                };
                let mut args = Vec::new();
                while self.peek() != &Token::RParen {
                    args.push(self.expression(0)?);
                    if self.peek() == &Token::Comma {
                        self.next();
                    } else if self.peek() != &Token::RParen {
                        return Err(self.error("expected ',' or ')'"));
                    }
                }
                self.next();
                Ok(Ast::Function(name, args))
            }
            _ => {
                self.pos = self.pos.saturating_sub(1);
                Err(self.error("unexpected token"))
            }
        }
    }

    /// After `[`: an index (`[0]`, `[-1]`) or a list wildcard (`[*]`).
    fn bracket(&mut self, left: Ast) -> Result<Ast, JmesPathError> {
        match self.next() {
            Token::Number(n) => {
                self.expect(Token::RBracket, "']'")?;
                Ok(match left {
                    Ast::Identity => Ast::Index(n),
                    other => Ast::IndexOf(Box::new(other), n),
                })
            }
            Token::Star => {
                self.expect(Token::RBracket, "']'")?;
                let rhs = self.projection_rhs(binding_power(&Token::Star))?;
                Ok(Ast::Projection(Box::new(left), Box::new(rhs)))
            }
            _ => {
                self.pos = self.pos.saturating_sub(1);
                Err(self.error(
                    "expected an index or '*' (slices and multi-select lists are not supported)",
                ))
            }
        }
    }

    fn filter(&mut self, left: Ast) -> Result<Ast, JmesPathError> {
        let condition = self.expression(0)?;
        self.expect(Token::RBracket, "']'")?;
        let rhs = if self.peek() == &Token::Flatten {
            Ast::Identity
        } else {
            self.projection_rhs(binding_power(&Token::Filter))?
        };
        Ok(Ast::Filter {
            lhs: Box::new(left),
            rhs: Box::new(rhs),
            condition: Box::new(condition),
        })
    }

    fn projection_rhs(&mut self, bp: u8) -> Result<Ast, JmesPathError> {
        match self.peek() {
            t if binding_power(t) < 10 => Ok(Ast::Identity),
            Token::LBracket | Token::Filter => self.expression(bp),
            Token::Dot => {
                self.next();
                self.dot_rhs(bp)
            }
            _ => Err(self.error("unexpected token after a projection")),
        }
    }

    fn dot_rhs(&mut self, bp: u8) -> Result<Ast, JmesPathError> {
        match self.peek() {
            Token::Identifier(_) | Token::Star => self.expression(bp),
            Token::LBracket => {
                self.next();
                self.multi_list()
            }
            Token::LBrace => {
                self.next();
                self.multi_hash()
            }
            _ => Err(self.error("expected a name, '[' or '{' after '.'")),
        }
    }

    /// `[a, b.c, …]` after its `[`.
    fn multi_list(&mut self) -> Result<Ast, JmesPathError> {
        let mut items = vec![self.expression(0)?];
        while self.peek() == &Token::Comma {
            self.next();
            items.push(self.expression(0)?);
        }
        self.expect(Token::RBracket, "']'")?;
        Ok(Ast::MultiList(items))
    }

    /// `{key: a, other: b}` after its `{`.
    fn multi_hash(&mut self) -> Result<Ast, JmesPathError> {
        let mut pairs = Vec::new();
        loop {
            let Token::Identifier(key) = self.next() else {
                return Err(self.error("expected a key"));
            };
            self.expect(Token::Colon, "':'")?;
            pairs.push((key, self.expression(0)?));
            match self.next() {
                Token::Comma => continue,
                Token::RBrace => return Ok(Ast::MultiHash(pairs)),
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }
}

fn eval(ast: &Ast, data: &Value) -> Result<Value, JmesPathError> {
    Ok(match ast {
        Ast::Identity => data.clone(),
        Ast::Field(name) => data.get(name).cloned().unwrap_or(Value::Null),
        Ast::Subexpr(l, r) => {
            let base = eval(l, data)?;
            eval(r, &base)?
        }
        Ast::Index(i) => index(data, *i),
        Ast::IndexOf(l, i) => index(&eval(l, data)?, *i),
        Ast::Projection(l, r) => match eval(l, data)?.into_untagged() {
            Value::List(items) => project(items.iter(), r)?,
            _ => Value::Null,
        },
        Ast::ValueProjection(l, r) => match eval(l, data)?.into_untagged() {
            Value::Map(m) => project(m.values(), r)?,
            _ => Value::Null,
        },
        Ast::Filter {
            lhs,
            rhs,
            condition,
        } => match eval(lhs, data)?.into_untagged() {
            Value::List(items) => {
                let mut out = Vec::new();
                for item in &items {
                    if is_truthy(&eval(condition, item)?) {
                        let v = eval(rhs, item)?;
                        if !v.is_null() {
                            out.push(v);
                        }
                    }
                }
                Value::List(out)
            }
            _ => Value::Null,
        },
        Ast::Flatten(inner) => match eval(inner, data)?.into_untagged() {
            Value::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::List(sub) => out.extend(sub),
                        other => out.push(other),
                    }
                }
                Value::List(out)
            }
            _ => Value::Null,
        },
        Ast::Or(l, r) => {
            let left = eval(l, data)?;
            if is_truthy(&left) {
                left
            } else {
                eval(r, data)?
            }
        }
        Ast::And(l, r) => {
            let left = eval(l, data)?;
            if is_truthy(&left) {
                eval(r, data)?
            } else {
                left
            }
        }
        Ast::Not(inner) => Value::Bool(!is_truthy(&eval(inner, data)?)),
        Ast::Compare(op, l, r) => compare(*op, &eval(l, data)?, &eval(r, data)?),
        Ast::Pipe(l, r) => {
            let left = eval(l, data)?;
            eval(r, &left)?
        }
        Ast::Literal(v) => v.clone(),
        Ast::MultiList(items) if !data.is_null() => Value::List(
            items
                .iter()
                .map(|i| eval(i, data))
                .collect::<Result<_, _>>()?,
        ),
        Ast::MultiHash(pairs) if !data.is_null() => Value::Map(
            pairs
                .iter()
                .map(|(k, a)| Ok((k.as_str().into(), eval(a, data)?)))
                .collect::<Result<Map, JmesPathError>>()?,
        ),
        Ast::MultiList(_) | Ast::MultiHash(_) => Value::Null,
        Ast::Function(name, args) => {
            let values = args
                .iter()
                .map(|a| eval(a, data))
                .collect::<Result<Vec<_>, _>>()?;
            call(name, &values)?
        }
    })
}

fn index(data: &Value, i: i64) -> Value {
    let Some(items) = data.as_list() else {
        return Value::Null;
    };
    let idx = if i < 0 { items.len() as i64 + i } else { i };
    usize::try_from(idx)
        .ok()
        .and_then(|i| items.get(i))
        .cloned()
        .unwrap_or(Value::Null)
}

fn project<'a>(items: impl Iterator<Item = &'a Value>, rhs: &Ast) -> Result<Value, JmesPathError> {
    let mut out = Vec::new();
    for item in items {
        let v = eval(rhs, item)?;
        if !v.is_null() {
            out.push(v);
        }
    }
    Ok(Value::List(out))
}

fn compare(op: Comparator, a: &Value, b: &Value) -> Value {
    match op {
        Comparator::Eq => Value::Bool(a == b),
        Comparator::Ne => Value::Bool(a != b),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => Value::Bool(match op {
                Comparator::Lt => x < y,
                Comparator::Le => x <= y,
                Comparator::Gt => x > y,
                _ => x >= y,
            }),
            // Ordering non-numbers yields null, as the specification says.
            _ => Value::Null,
        },
    }
}

fn call(name: &str, args: &[Value]) -> Result<Value, JmesPathError> {
    let bad = |reason: &str| JmesPathError::Function {
        name: name.to_string(),
        reason: reason.to_string(),
    };
    let one = || match args {
        [v] => Ok(v),
        _ => Err(bad("expects exactly one argument")),
    };
    Ok(match name {
        "length" => match one()?.untagged() {
            Value::String(s) => Value::Integer(s.chars().count() as i64),
            Value::List(l) => Value::Integer(l.len() as i64),
            Value::Map(m) => Value::Integer(m.len() as i64),
            _ => return Err(bad("expects a string, list or object")),
        },
        "keys" => match one()?.untagged() {
            Value::Map(m) => Value::List(m.keys().map(|k| Value::String(k.to_string())).collect()),
            _ => return Err(bad("expects an object")),
        },
        "values" => match one()?.untagged() {
            Value::Map(m) => Value::List(m.values().cloned().collect()),
            _ => return Err(bad("expects an object")),
        },
        "contains" => match args {
            [Value::List(l), needle] => Value::Bool(l.contains(needle)),
            [Value::String(s), Value::String(n)] => Value::Bool(s.contains(n.as_str())),
            _ => return Err(bad("expects (list|string, value)")),
        },
        "not_null" => args
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null),
        "type" => Value::String(
            match one()?.untagged() {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Integer(_) | Value::Float(_) => "number",
                Value::List(_) => "array",
                Value::Map(_) => "object",
                _ => "string",
            }
            .to_string(),
        ),
        "to_string" => match one()?.untagged() {
            Value::String(s) => Value::String(s.clone()),
            other => Value::String(other.to_json().to_string()),
        },
        _ => return Err(bad("unknown function")),
    })
}

/// Set `value` at a simple dotted path (`a.b.c`), creating structures on the way; used by
/// paginators to place tokens and aggregated results.
pub fn set_path(target: &mut Value, path: &str, value: Value) {
    let mut cur = target;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !matches!(cur, Value::Map(_)) {
            *cur = Value::Map(Map::default());
        }
        let Value::Map(m) = cur else { return };
        if parts.peek().is_none() {
            m.insert(part.into(), value);
            return;
        }
        cur = m
            .entry(part.into())
            .or_insert_with(|| Value::Map(Map::default()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params;

    fn search(expr: &str, data: &Value) -> Value {
        Expression::compile(expr)
            .unwrap_or_else(|e| panic!("{e}"))
            .search(data)
            .unwrap()
    }

    fn data() -> Value {
        Value::from(serde_json::json!({
            "Reservations": [{"Instances": [{"State": {"Name": "running"}, "Id": "a"}]},
                             {"Instances": [{"State": {"Name": "pending"}, "Id": "b"}, {"State": {"Name": "running"}, "Id": "c"}]}],
            "Contents": [{"Key": "k1"}, {"Key": "k2"}],
            "NextMarker": null,
            "Table": {"TableStatus": "ACTIVE"},
            "services": [{"deployments": [1], "runningCount": 2, "desiredCount": 2}],
            "Map": {"x": {"v": 1}, "y": {"v": 2}}
        }))
    }

    #[test]
    fn paths_projections_and_flatten() {
        let d = data();
        assert_eq!(search("Table.TableStatus", &d), Value::from("ACTIVE"));
        assert_eq!(
            search("NextMarker || Contents[-1].Key", &d),
            Value::from("k2")
        );
        assert_eq!(
            search("Reservations[].Instances[].State.Name", &d),
            Value::from(vec!["running", "pending", "running"])
        );
        assert_eq!(
            search("Reservations[*].Instances[*].Id", &d),
            Value::from(vec![vec!["a"], vec!["b", "c"]])
        );
        assert_eq!(search("Map.*.v", &d), Value::from(vec![1, 2]));
        assert_eq!(search("Contents[0]", &d), params! {"Key": "k1"});
        assert_eq!(search("Contents[5]", &d), Value::Null);
        assert_eq!(
            search("Reservations[].Instances[].Id | [0]", &d),
            Value::from("a")
        );
    }

    #[test]
    fn filters_comparisons_and_functions() {
        let d = data();
        assert_eq!(
            search(
                "length(Reservations[].Instances[?State.Name == 'running'][]) > `1`",
                &d
            ),
            Value::Bool(true)
        );
        assert_eq!(
            search("length(services[?!(length(deployments) == `1` && runningCount == desiredCount)]) == `0`", &d),
            Value::Bool(true)
        );
        assert_eq!(search("length(Output || '') > `0`", &d), Value::Bool(false));
        assert_eq!(search("keys(Map)", &d), Value::from(vec!["x", "y"]));
        assert_eq!(search("Table.TableStatus < `3`", &d), Value::Null);
    }

    #[test]
    fn rejects_bad_syntax_without_panicking() {
        for bad in [
            "", "a.", "[", "a[1:2]", "{a b}", "a[?", "`{", "'x", "a..b", "foo(", ")", "a[-]",
        ] {
            assert!(Expression::compile(bad).is_err(), "{bad:?}");
        }
        assert!(Expression::compile("nope(a)")
            .unwrap()
            .search(&data())
            .is_err());
    }

    #[test]
    fn set_path_builds_structures() {
        let mut v = Value::Null;
        set_path(&mut v, "a.b", Value::from(1));
        assert_eq!(v, params! {"a": params!{"b": 1}});
    }
}
