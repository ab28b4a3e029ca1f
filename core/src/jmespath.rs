//! JMESPath, the whole specification: the expressions of botocore's paginators, waiters and
//! endpoint `operationContextParams`, and the command's `--query`, evaluated over [`Value`]s.
//!
//! An expression is compiled once into an [`Expression`] and evaluated many times. The grammar,
//! the evaluation rules and the built-in functions are the specification's as python-jmespath
//! 1.1.0 (botocore's, aws-cli's) has them, which wins where the two part: it orders strings,
//! equals and orders numbers as Python does, reads its JSON literals and `to_number`'s text as
//! Python does, writes `to_string`'s as Python's `json.dumps`, and its parser takes more than
//! the grammar (`f(a b)`, `{a: x b: y}`). Tests run the JMESPath compliance suite, compare
//! with python-jmespath on generated cases (`tests/jmespath_like_python.rs`, which names the
//! deliberate differences), and compile and evaluate every expression of every model. Parsing
//! is a Pratt parser with the specification's binding powers.

use std::cmp::Ordering;
use std::fmt;

use crate::sorting::stable_order;
use crate::value::{Map, Text, Value};

/// Why an expression could not be compiled or evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JmesPathError {
    /// The text is not a valid expression.
    #[error("invalid JMESPath expression {expression:?} at offset {offset}: {reason}")]
    Syntax {
        /// The expression as given.
        expression: String,
        /// The byte offset of the problem.
        offset: usize,
        /// What is wrong there.
        reason: String,
    },
    /// A function was called with the wrong arguments or is unknown, or a value was invalid
    /// (a slice step of 0).
    #[error("JMESPath function {name}: {reason}")]
    Function {
        /// The function's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Identifier(String),
    QuotedIdentifier(String),
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
    Expref,
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
        Token::Not => 45,
        Token::LBrace => 50,
        Token::LBracket => 55,
        Token::LParen => 60,
        _ => 0,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Ast {
    Identity,
    Field(String),
    /// `a.b`: the right side evaluated on the left side's result.
    Subexpr(Box<Ast>, Box<Ast>),
    Index(i64),
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// List projection: evaluate the right side on each item of the left side's list.
    Projection(Box<Ast>, Box<Ast>),
    /// Object projection (`*`): over the values of the left side's object.
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
    /// `&expr`: an expression handed to a function (`sort_by`, `map`, …) unevaluated.
    Expref(Box<Ast>),
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
            depth: 0,
            tallest: 0,
            levels: 1,
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
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|c| c.1);
    let offset = |i: usize| chars.get(i).map_or(text.len(), |c| c.0);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = offset(i);
        let c = chars[i].1;
        let next = at(i + 1);
        let tok = match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            '.' => Token::Dot,
            '*' => Token::Star,
            '@' => Token::At,
            ']' => Token::RBracket,
            '{' => Token::LBrace,
            '}' => Token::RBrace,
            ':' => Token::Colon,
            '(' => Token::LParen,
            ')' => Token::RParen,
            ',' => Token::Comma,
            '[' if next == Some(']') => {
                i += 1;
                Token::Flatten
            }
            '[' if next == Some('?') => {
                i += 1;
                Token::Filter
            }
            '[' => Token::LBracket,
            '|' if next == Some('|') => {
                i += 1;
                Token::Or
            }
            '|' => Token::Pipe,
            '&' if next == Some('&') => {
                i += 1;
                Token::And
            }
            '&' => Token::Expref,
            '!' if next == Some('=') => {
                i += 1;
                Token::Cmp(Comparator::Ne)
            }
            '!' => Token::Not,
            '=' if next == Some('=') => {
                i += 1;
                Token::Cmp(Comparator::Eq)
            }
            '<' if next == Some('=') => {
                i += 1;
                Token::Cmp(Comparator::Le)
            }
            '<' => Token::Cmp(Comparator::Lt),
            '>' if next == Some('=') => {
                i += 1;
                Token::Cmp(Comparator::Ge)
            }
            '>' => Token::Cmp(Comparator::Gt),
            'a'..='z' | 'A'..='Z' | '_' => {
                let begin = i;
                while at(i).is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    i += 1;
                }
                out.push((
                    Token::Identifier(text[start..offset(i)].to_string()),
                    offset(begin),
                ));
                continue;
            }
            '-' | '0'..='9' => {
                i += 1;
                while at(i).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                }
                let digits = &text[start..offset(i)];
                // python-jmespath's numbers are Python's unbounded integers: an index or a
                // slice bound past the 64-bit ones is past every list's end, as the extreme
                // one is, and a step past them takes one item, as it does.
                let n = match digits.parse::<i64>() {
                    Ok(n) => n,
                    Err(_) if digits.len() > 1 && c == '-' => i64::MIN,
                    Err(_) if c != '-' => i64::MAX,
                    Err(_) => return Err(syntax(text, start, "invalid number")),
                };
                out.push((Token::Number(n), start));
                continue;
            }
            '"' => {
                let (body, end) = until(&chars, i, '"')
                    .ok_or_else(|| syntax(text, start, "unterminated quoted identifier"))?;
                let name: String = serde_json::from_slice(format!("\"{body}\"").as_bytes())
                    .map_err(|_| syntax(text, start, "invalid quoted identifier"))?;
                i = end + 1;
                out.push((Token::QuotedIdentifier(name), start));
                continue;
            }
            '\'' => {
                let (body, end) = until(&chars, i, '\'')
                    .ok_or_else(|| syntax(text, start, "unterminated raw string"))?;
                i = end + 1;
                out.push((
                    Token::Literal(Value::String(Text::from(body.replace("\\'", "'")))),
                    start,
                ));
                continue;
            }
            '`' => {
                let (body, end) = until(&chars, i, '`')
                    .ok_or_else(|| syntax(text, start, "unterminated literal"))?;
                let json = body.replace("\\`", "`");
                // As python-jmespath reads it, with Python's `json.loads` (JSON's own white
                // space around it, and bare `NaN`, `Infinity` and `-Infinity` as floats); then
                // the specification's legacy form: text that is not JSON is a string, less
                // the white space `str.lstrip` takes from its start.
                let v = crate::parse::python_json_loads(json.as_bytes())
                    .or_else(|| {
                        let legacy = json.trim_start_matches(crate::config::is_py_space);
                        serde_json::from_slice::<serde_json::Value>(
                            format!("\"{legacy}\"").as_bytes(),
                        )
                        .ok()
                        .map(Value::from)
                    })
                    .ok_or_else(|| syntax(text, start, "invalid JSON literal"))?;
                i = end + 1;
                out.push((Token::Literal(v), start));
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

/// The text between the `quote` at `open` and its closing one (backslash escapes kept as
/// written), and the closing one's index.
fn until(chars: &[(usize, char)], open: usize, quote: char) -> Option<(String, usize)> {
    let mut body = String::new();
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i].1 {
            '\\' => {
                body.push('\\');
                body.push(chars.get(i + 1)?.1);
                i += 2;
            }
            c if c == quote => return Some((body, i)),
            c => {
                body.push(c);
                i += 1;
            }
        }
    }
    None
}

struct Parser<'a> {
    tokens: Vec<(Token, usize)>,
    pos: usize,
    text: &'a str,
    /// How many `expression` calls are open (the parser's own recursion).
    depth: usize,
    /// A bound on the height of the tallest tree `expression` returned since it was last
    /// reset: each call resets it, and leaves it at the larger of what it found and its own.
    tallest: usize,
    /// How many levels the last `nud` or `led` built above the trees inside it: 1 for most,
    /// 2 for `[]` (`Projection(Flatten(a), @)`) and slices (`Projection(Subexpr(a, Slice),
    /// @)`), 0 for parentheses.
    levels: usize,
}

/// Expressions nest at most this deep, so hostile input cannot exhaust the stack: the parser's
/// recursion stops there, and so does the tree it builds, whose every walk (evaluating,
/// dropping, cloning, comparing) recurses once a level. The tree is the one to watch: a chain
/// of operators read left to right (`a.b.c`, `a[0][1]`, `a || b || c`, `a | b`) is built by a
/// loop, not by recursion, but nests a level a link. The compliance suite's deepest benchmark
/// (`a[*].b[*]…`, 104 projections) nests 105 levels. Parsing or evaluating at this limit takes
/// about 1.2 MiB of a debug build's stack (a tokio worker has 2 MiB); botocore's `jmespath`
/// stops at Python's recursion limit (1,000 frames, two or three a level).
const MAX_DEPTH: usize = 150;

impl Parser<'_> {
    fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> &Token {
        self.tokens
            .get(self.pos + n)
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
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("expression nested too deeply"));
        }
        let outer = std::mem::take(&mut self.tallest);
        self.levels = 1;
        let mut left = self.nud()?;
        // A bound on `left`'s height: `levels` above the tallest tree inside it (a leaf's is 1).
        let mut height = self.tallest.max(1) + self.levels;
        while bp < binding_power(self.peek()) {
            if height > MAX_DEPTH {
                return Err(self.error("expression nested too deeply"));
            }
            self.tallest = 0;
            self.levels = 1;
            left = self.led(left)?;
            height = height.max(self.tallest) + self.levels;
        }
        if height > MAX_DEPTH {
            return Err(self.error("expression nested too deeply"));
        }
        self.depth -= 1;
        self.tallest = outer.max(height);
        // The `nud` or `led` that called this one builds one level unless it says otherwise.
        self.levels = 1;
        Ok(left)
    }

    fn nud(&mut self) -> Result<Ast, JmesPathError> {
        match self.next() {
            Token::Literal(v) => Ok(Ast::Literal(v)),
            Token::Identifier(name) => Ok(Ast::Field(name)),
            Token::QuotedIdentifier(name) => {
                if self.peek() == &Token::LParen {
                    return Err(self.error("a quoted identifier cannot name a function"));
                }
                Ok(Ast::Field(name))
            }
            Token::At => Ok(Ast::Identity),
            Token::Expref => Ok(Ast::Expref(Box::new(self.expression(0)?))),
            Token::Star => {
                let rhs = if self.peek() == &Token::RBracket {
                    Ast::Identity
                } else {
                    self.projection_rhs(binding_power(&Token::Star))?
                };
                Ok(Ast::ValueProjection(Box::new(Ast::Identity), Box::new(rhs)))
            }
            Token::Filter => self.filter(Ast::Identity),
            Token::Flatten => {
                let rhs = self.projection_rhs(binding_power(&Token::Flatten))?;
                self.levels = 2;
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
                self.levels = 0;
                Ok(inner)
            }
            Token::LBracket => match self.peek() {
                Token::Number(_) | Token::Colon => {
                    let right = self.index_expression()?;
                    self.project_if_slice(Ast::Identity, right)
                }
                Token::Star if self.peek_at(1) == &Token::RBracket => {
                    self.next();
                    self.next();
                    let rhs = self.projection_rhs(binding_power(&Token::Star))?;
                    Ok(Ast::Projection(Box::new(Ast::Identity), Box::new(rhs)))
                }
                _ => self.multi_list(),
            },
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
                self.levels = 2;
                Ok(Ast::Projection(
                    Box::new(Ast::Flatten(Box::new(left))),
                    Box::new(rhs),
                ))
            }
            Token::Filter => self.filter(left),
            Token::LBracket => match self.peek() {
                // python-jmespath adds an index or a slice after an index (`a[0][1:]`, and
                // after that slice `[0]`) to the same index expression, which does not
                // project: `a[0][1:].b` is `b` of the list, not of each item.
                Token::Number(_) | Token::Colon if is_index_expression(&left) => {
                    let right = self.index_expression()?;
                    Ok(Ast::Subexpr(Box::new(left), Box::new(right)))
                }
                Token::Number(_) | Token::Colon => {
                    let right = self.index_expression()?;
                    self.project_if_slice(left, right)
                }
                _ => {
                    self.expect(Token::Star, "an index, a slice or '*'")?;
                    self.expect(Token::RBracket, "']'")?;
                    let rhs = self.projection_rhs(binding_power(&Token::Star))?;
                    Ok(Ast::Projection(Box::new(left), Box::new(rhs)))
                }
            },
            Token::LParen => {
                let Ast::Field(name) = left else {
                    self.pos = self.pos.saturating_sub(1);
                    return Err(self.error("only a name can be called as a function"));
                };
                let mut args = Vec::new();
                // As python-jmespath parses arguments: each an expression, a comma after it
                // optional, so `f(a b)` has two arguments and `f(a,)` one.
                while self.peek() != &Token::RParen {
                    args.push(self.expression(0)?);
                    if self.peek() == &Token::Comma {
                        self.next();
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

    /// After `[`: an index (`[0]`, `[-1]`) or a slice (`[1:]`, `[::-1]`), through its `]`.
    fn index_expression(&mut self) -> Result<Ast, JmesPathError> {
        if self.peek() == &Token::Colon || self.peek_at(1) == &Token::Colon {
            let mut parts = [None, None, None];
            let mut part = 0;
            while self.peek() != &Token::RBracket {
                match self.next() {
                    Token::Colon => {
                        part += 1;
                        if part == 3 {
                            return Err(self.error("a slice has at most three parts"));
                        }
                    }
                    // python-jmespath keeps the last of two numbers in a row (`[1:2 3]`).
                    Token::Number(n) => parts[part] = Some(n),
                    _ => {
                        self.pos = self.pos.saturating_sub(1);
                        return Err(self.error("expected a number or ':' in a slice"));
                    }
                }
            }
            self.next();
            return Ok(Ast::Slice(parts[0], parts[1], parts[2]));
        }
        let Token::Number(n) = self.next() else {
            return Err(self.error("expected an index"));
        };
        self.expect(Token::RBracket, "']'")?;
        Ok(Ast::Index(n))
    }

    /// An index applies to the left side; a slice projects like `[*]`.
    fn project_if_slice(&mut self, left: Ast, right: Ast) -> Result<Ast, JmesPathError> {
        let is_slice = matches!(right, Ast::Slice(..));
        let indexed = match left {
            Ast::Identity => right,
            other => Ast::Subexpr(Box::new(other), Box::new(right)),
        };
        if is_slice {
            let rhs = self.projection_rhs(binding_power(&Token::Star))?;
            self.levels = 2;
            Ok(Ast::Projection(Box::new(indexed), Box::new(rhs)))
        } else {
            Ok(indexed)
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
            Token::Identifier(_) | Token::QuotedIdentifier(_) | Token::Star => self.expression(bp),
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
            let (Token::Identifier(key) | Token::QuotedIdentifier(key)) = self.next() else {
                self.pos = self.pos.saturating_sub(1);
                return Err(self.error("expected a key"));
            };
            self.expect(Token::Colon, "':'")?;
            pairs.push((key, self.expression(0)?));
            // As python-jmespath parses a multi-select hash: a comma between pairs optional
            // (`{a: x b: y}` has two).
            match self.peek() {
                Token::Comma => {
                    self.next();
                }
                Token::RBrace => {
                    self.next();
                    return Ok(Ast::MultiHash(pairs));
                }
                _ => {}
            }
        }
    }
}

/// Whether `ast` is what python-jmespath calls an index expression: an index (`[0]`, `a[0]`)
/// and any index or slice after it.
fn is_index_expression(ast: &Ast) -> bool {
    matches!(ast, Ast::Index(_))
        || matches!(ast, Ast::Subexpr(_, r) if matches!(**r, Ast::Index(_) | Ast::Slice(..)))
}

fn eval(ast: &Ast, data: &Value) -> Result<Value, JmesPathError> {
    let data = data.untagged();
    Ok(match ast {
        Ast::Identity => data.clone(),
        Ast::Field(name) => data.get(name).cloned().unwrap_or(Value::Null),
        Ast::Subexpr(l, r) | Ast::Pipe(l, r) => {
            let base = eval(l, data)?;
            eval(r, &base)?
        }
        Ast::Index(i) => index(data, *i),
        Ast::Slice(start, stop, step) => match data {
            Value::List(items) => Value::List(slice(items, *start, *stop, *step)?),
            _ => Value::Null,
        },
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
                    match item.into_untagged() {
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
        Ast::Compare(op, l, r) => compare(*op, &eval(l, data)?, &eval(r, data)?)?,
        Ast::Literal(v) => v.clone(),
        // An expression reference means something only as the argument of a function that
        // takes one. python-jmespath makes a Python object of it anywhere else, which prints
        // with its address, equals nothing but itself and has no JMESPath type: an error here
        // (README, "Where sansboto differs").
        Ast::Expref(_) => {
            return Err(JmesPathError::Function {
                name: "&".into(),
                reason: "invalid-type: an expression reference (&expr) is not a value".into(),
            })
        }
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
                .map(|a| match a {
                    Ast::Expref(inner) => Ok(Arg::Expref(inner)),
                    other => eval(other, data).map(Arg::Value),
                })
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

/// `items[start:stop:step]` with Python's rules for omitted and negative bounds.
fn slice(
    items: &[Value],
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
) -> Result<Vec<Value>, JmesPathError> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(JmesPathError::Function {
            name: "slice".into(),
            reason: "invalid-value: a slice step cannot be 0".into(),
        });
    }
    let len = items.len() as i64;
    let bound = |v: Option<i64>, default: i64| -> i64 {
        match v {
            None => default,
            Some(v) if v < 0 => {
                let v = v + len;
                if v < 0 {
                    if step < 0 {
                        -1
                    } else {
                        0
                    }
                } else {
                    v
                }
            }
            Some(v) if v >= len => {
                if step < 0 {
                    len - 1
                } else {
                    len
                }
            }
            Some(v) => v,
        }
    };
    let (start, stop) = if step > 0 {
        (bound(start, 0), bound(stop, len))
    } else {
        (bound(start, len - 1), bound(stop, -1))
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        if let Some(v) = usize::try_from(i).ok().and_then(|i| items.get(i)) {
            out.push(v.clone());
        }
        // A step past the end of the integers has nothing more to take.
        match i.checked_add(step) {
            Some(next) => i = next,
            None => break,
        }
    }
    Ok(out)
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

fn compare(op: Comparator, a: &Value, b: &Value) -> Result<Value, JmesPathError> {
    let (a, b) = (a.untagged(), b.untagged());
    let order = match op {
        Comparator::Eq => return Ok(Value::Bool(jmespath_equals(a, b))),
        Comparator::Ne => return Ok(Value::Bool(!jmespath_equals(a, b))),
        _ => match (
            number(a).is_some(),
            number(b).is_some(),
            a.as_str(),
            b.as_str(),
        ) {
            (true, true, ..) => number_order(a, b),
            // Not in the specification, but python-jmespath (botocore's, aws-cli's) orders
            // two strings by code point, and `--query` filters on a date's text rely on it
            // (`Contents[?LastModified>='2026-12-06']`); UTF-8's byte order is code point
            // order.
            (_, _, Some(x), Some(y)) => Some(x.cmp(y)),
            // python-jmespath hands a number and a string to Python's `<`, which raises
            // TypeError: an error here too (README, "Where sansboto differs").
            (true, _, _, Some(_)) | (_, true, Some(_), _) => {
                return Err(JmesPathError::Function {
                    name: "comparator".into(),
                    reason: "invalid-type: a number and a string cannot be ordered".into(),
                })
            }
            // Ordering anything else yields null, as the specification says.
            _ => return Ok(Value::Null),
        },
    };
    // A NaN is neither less nor greater nor equal, as in Python.
    Ok(Value::Bool(order.is_some_and(|o| match op {
        Comparator::Lt => o.is_lt(),
        Comparator::Le => o.is_le(),
        Comparator::Gt => o.is_gt(),
        _ => o.is_ge(),
    })))
}

/// `==` as python-jmespath has it: Python's equality (an integer equals the float of the same
/// value, exactly: 2^53 + 1 is not 2^53 as a float; lists and objects compare their items,
/// objects in any order; and inside them `true` is `1` and `false` is `0`, as in Python),
/// except that a number is never a boolean at the top (`1 == true` is false).
fn jmespath_equals(a: &Value, b: &Value) -> bool {
    match (a.untagged(), b.untagged()) {
        (Value::Bool(_), x) | (x, Value::Bool(_)) if number(x).is_some() => false,
        (a, b) => python_equals(a, b),
    }
}

/// Python's `==` on the values JSON has (see [`jmespath_equals`]).
fn python_equals(a: &Value, b: &Value) -> bool {
    let as_number = |v: &Value| match v {
        Value::Bool(b) => Some(Value::Integer(i64::from(*b))),
        Value::Integer(_) | Value::Float(_) => Some(v.clone()),
        _ => None,
    };
    match (a.untagged(), b.untagged()) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (x, y) if as_number(x).is_some() && as_number(y).is_some() => {
            let (x, y) = (
                as_number(x).unwrap_or_default(),
                as_number(y).unwrap_or_default(),
            );
            number_order(&x, &y) == Some(Ordering::Equal)
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| python_equals(x, y))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| python_equals(v, w)))
        }
        (x, y) => x == y,
    }
}

/// The order of two numbers as Python has it: exact between an integer and a float (2^53 + 1
/// is greater than 2^53 as a float, which it would equal as a float); `None` with a NaN.
fn number_order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a.untagged(), b.untagged()) {
        (Value::Integer(x), Value::Integer(y)) => Some(x.cmp(y)),
        (Value::Integer(i), Value::Float(f)) => integer_float_order(*i, *f),
        (Value::Float(f), Value::Integer(i)) => integer_float_order(*i, *f).map(Ordering::reverse),
        (x, y) => number(x)?.partial_cmp(&number(y)?),
    }
}

/// `i` against `f`, exactly.
fn integer_float_order(i: i64, f: f64) -> Option<Ordering> {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() {
        return None;
    }
    if f >= TWO_63 {
        return Some(Ordering::Less);
    }
    if f < -TWO_63 {
        return Some(Ordering::Greater);
    }
    let whole = f.trunc();
    // `whole` is within the 64-bit integers: the conversion is exact.
    Some(i.cmp(&(whole as i64)).then_with(|| {
        if f > whole {
            Ordering::Less
        } else if f < whole {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }))
}

/// A JMESPath number (never a boolean).
fn number(v: &Value) -> Option<f64> {
    match v.untagged() {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// A function's argument: a value, or an expression reference (`&Name`).
enum Arg<'a> {
    Value(Value),
    Expref(&'a Ast),
}

/// The specification's type names, for signatures and `type()`.
fn type_name(v: &Value) -> &'static str {
    match v.untagged() {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Integer(_) | Value::Float(_) => "number",
        Value::List(_) => "array",
        Value::Map(_) => "object",
        _ => "string",
    }
}

/// `items` in the order of their `keys` (one per item), equal keys keeping their order. `sort`
/// and `sort_by` share this one sort (the crate's [`stable_order`]).
fn sorted_by_keys(items: &[Value], keys: &[Value]) -> Vec<Value> {
    let order_of = stable_order(items.len(), &|a, b| order(&keys[a], &keys[b]));
    order_of.into_iter().map(|i| items[i].clone()).collect()
}

fn call(name: &str, args: &[Arg<'_>]) -> Result<Value, JmesPathError> {
    let fail = |kind: &str, reason: String| JmesPathError::Function {
        name: name.to_string(),
        reason: format!("{kind}: {reason}"),
    };
    let arity = |n: usize, variadic: bool| {
        let ok = if variadic {
            args.len() >= n
        } else {
            args.len() == n
        };
        if ok {
            Ok(())
        } else {
            Err(fail(
                "invalid-arity",
                format!(
                    "expects {}{n} argument(s), got {}",
                    if variadic { "at least " } else { "" },
                    args.len()
                ),
            ))
        }
    };
    let value = |i: usize| -> Result<&Value, JmesPathError> {
        match &args[i] {
            Arg::Value(v) => Ok(v.untagged()),
            Arg::Expref(_) => Err(fail(
                "invalid-type",
                format!("argument {} cannot be an expression reference", i + 1),
            )),
        }
    };
    let expref = |i: usize| -> Result<&Ast, JmesPathError> {
        match &args[i] {
            Arg::Expref(a) => Ok(*a),
            Arg::Value(_) => Err(fail(
                "invalid-type",
                format!("argument {} must be an expression reference (&expr)", i + 1),
            )),
        }
    };
    let wrong = |i: usize, want: &str, got: &Value| {
        fail(
            "invalid-type",
            format!("argument {} must be {want}, not {}", i + 1, type_name(got)),
        )
    };
    let num = |i: usize| -> Result<f64, JmesPathError> {
        let v = value(i)?;
        number(v).ok_or_else(|| wrong(i, "a number", v))
    };
    let string = |i: usize| -> Result<&str, JmesPathError> {
        match value(i)? {
            Value::String(s) => Ok(s.as_str()),
            other => Err(wrong(i, "a string", other)),
        }
    };
    let list = |i: usize| -> Result<&Vec<Value>, JmesPathError> {
        match value(i)? {
            Value::List(l) => Ok(l),
            other => Err(wrong(i, "an array", other)),
        }
    };
    let object = |i: usize| -> Result<&Map, JmesPathError> {
        match value(i)? {
            Value::Map(m) => Ok(m),
            other => Err(wrong(i, "an object", other)),
        }
    };
    // An array of numbers or an array of strings (sort, max, min): its kind.
    let sortable = |i: usize, items: &[Value]| -> Result<(), JmesPathError> {
        let all = |kind: &str| items.iter().all(|v| type_name(v) == kind);
        if all("number") || all("string") {
            Ok(())
        } else {
            Err(fail(
                "invalid-type",
                format!(
                    "argument {} must be an array of numbers or of strings",
                    i + 1
                ),
            ))
        }
    };
    // `expr` evaluated on each item, all numbers or all strings (sort_by, max_by, min_by).
    let keys = |items: &[Value], expr: &Ast| -> Result<Vec<Value>, JmesPathError> {
        let keys = items
            .iter()
            .map(|item| eval(expr, item))
            .collect::<Result<Vec<_>, _>>()?;
        let all = |kind: &str| keys.iter().all(|v| type_name(v) == kind);
        if keys.is_empty() || all("number") || all("string") {
            Ok(keys)
        } else {
            Err(fail(
                "invalid-type",
                "the expression must give all numbers or all strings".into(),
            ))
        }
    };
    Ok(match name {
        "abs" => {
            arity(1, false)?;
            match value(0)? {
                // Python's `abs` of the smallest integer is 2^63, past 64 bits: the float.
                Value::Integer(i) => i
                    .checked_abs()
                    .map_or(Value::Float(-(*i as f64)), Value::Integer),
                _ => float(num(0)?.abs()),
            }
        }
        "avg" => {
            arity(1, false)?;
            let items = list(0)?;
            // python-jmespath: `sum(arg) / len(arg)`, Python's sum (see `python_sum`).
            match python_sum(items).map_err(|v| wrong(0, "an array of numbers", v))? {
                _ if items.is_empty() => Value::Null,
                Sum::Integer(sum) => float(sum as f64 / items.len() as f64),
                Sum::Float(sum) => float(sum / items.len() as f64),
            }
        }
        // Python's `math.ceil` and `math.floor`: an integer as it is, a float as an integer.
        "ceil" => {
            arity(1, false)?;
            match value(0)? {
                Value::Integer(i) => Value::Integer(*i),
                _ => integral(num(0)?.ceil()).map_err(|why| fail("invalid-value", why))?,
            }
        }
        "floor" => {
            arity(1, false)?;
            match value(0)? {
                Value::Integer(i) => Value::Integer(*i),
                _ => integral(num(0)?.floor()).map_err(|why| fail("invalid-value", why))?,
            }
        }
        "contains" => {
            arity(2, false)?;
            let needle = value(1)?;
            // python-jmespath: Python's `search in subject`. In a list, Python's equality, by
            // which `true` is `1` (see `python_equals`); in a string, a string only: Python
            // raises TypeError for anything else, an error here too (README, "Where sansboto
            // differs").
            match value(0)? {
                Value::List(l) => Value::Bool(l.iter().any(|v| python_equals(v, needle))),
                Value::String(s) => Value::Bool(match needle {
                    Value::String(n) => s.contains(n.as_str()),
                    other => return Err(wrong(1, "a string to look for in a string", other)),
                }),
                other => return Err(wrong(0, "an array or a string", other)),
            }
        }
        "ends_with" => {
            arity(2, false)?;
            Value::Bool(string(0)?.ends_with(string(1)?))
        }
        "starts_with" => {
            arity(2, false)?;
            Value::Bool(string(0)?.starts_with(string(1)?))
        }
        "join" => {
            arity(2, false)?;
            let glue = string(0)?;
            let parts = list(1)?
                .iter()
                .map(|v| match v.untagged() {
                    Value::String(s) => Ok(s.as_str()),
                    other => Err(wrong(1, "an array of strings", other)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Value::String(parts.join(glue).into())
        }
        "keys" => {
            arity(1, false)?;
            Value::List(
                object(0)?
                    .keys()
                    .map(|k| Value::String(k.clone()))
                    .collect(),
            )
        }
        "values" => {
            arity(1, false)?;
            Value::List(object(0)?.values().cloned().collect())
        }
        "length" => {
            arity(1, false)?;
            match value(0)? {
                Value::String(s) => Value::Integer(s.chars().count() as i64),
                Value::List(l) => Value::Integer(l.len() as i64),
                Value::Map(m) => Value::Integer(m.len() as i64),
                other => return Err(wrong(0, "a string, an array or an object", other)),
            }
        }
        "map" => {
            arity(2, false)?;
            let expr = expref(0)?;
            Value::List(
                list(1)?
                    .iter()
                    .map(|item| eval(expr, item))
                    .collect::<Result<_, _>>()?,
            )
        }
        "max" | "min" => {
            arity(1, false)?;
            let items = list(0)?;
            sortable(0, items)?;
            let want = if name == "max" {
                Ordering::Greater
            } else {
                Ordering::Less
            };
            items
                .iter()
                .fold(None::<&Value>, |best, v| match best {
                    Some(b) if order(v, b) != want => Some(b),
                    _ => Some(v),
                })
                .cloned()
                .unwrap_or(Value::Null)
        }
        "max_by" | "min_by" => {
            arity(2, false)?;
            let items = list(0)?;
            let keys = keys(items, expref(1)?)?;
            let want = if name == "max_by" {
                Ordering::Greater
            } else {
                Ordering::Less
            };
            let mut best: Option<usize> = None;
            for i in 0..items.len() {
                if best.is_none_or(|b| order(&keys[i], &keys[b]) == want) {
                    best = Some(i);
                }
            }
            best.map(|i| items[i].clone()).unwrap_or(Value::Null)
        }
        "merge" => {
            // python-jmespath's signature: one object or more.
            arity(1, true)?;
            let mut out = Map::default();
            for i in 0..args.len() {
                for (k, v) in object(i)? {
                    out.insert(k.clone(), v.clone());
                }
            }
            Value::Map(out)
        }
        "not_null" => {
            arity(1, true)?;
            let mut found = Value::Null;
            for i in 0..args.len() {
                let v = value(i)?;
                if !v.is_null() {
                    found = v.clone();
                    break;
                }
            }
            found
        }
        "reverse" => {
            arity(1, false)?;
            match value(0)? {
                Value::String(s) => Value::String(s.chars().rev().collect()),
                Value::List(l) => Value::List(l.iter().rev().cloned().collect()),
                other => return Err(wrong(0, "an array or a string", other)),
            }
        }
        "sort" => {
            arity(1, false)?;
            let items = list(0)?;
            sortable(0, items)?;
            Value::List(sorted_by_keys(items, items))
        }
        "sort_by" => {
            arity(2, false)?;
            let items = list(0)?;
            let keys = keys(items, expref(1)?)?;
            Value::List(sorted_by_keys(items, &keys))
        }
        "sum" => {
            arity(1, false)?;
            let items = list(0)?;
            match python_sum(items).map_err(|v| wrong(0, "an array of numbers", v))? {
                Sum::Integer(sum) => i64::try_from(sum)
                    .map(Value::Integer)
                    // Past 64 bits (Python's integers go on): the nearest float.
                    .unwrap_or(Value::Float(sum as f64)),
                Sum::Float(sum) => float(sum),
            }
        }
        "to_array" => {
            arity(1, false)?;
            match value(0)? {
                Value::List(l) => Value::List(l.clone()),
                other => Value::List(vec![other.clone()]),
            }
        }
        "to_number" => {
            arity(1, false)?;
            match value(0)? {
                v @ (Value::Integer(_) | Value::Float(_)) => v.clone(),
                Value::String(s) => python_number(s),
                _ => Value::Null,
            }
        }
        "to_string" => {
            arity(1, false)?;
            match value(0)? {
                Value::String(s) => Value::String(s.clone()),
                other => {
                    let mut text = String::new();
                    python_json(other, &mut text);
                    Value::String(text.into())
                }
            }
        }
        "type" => {
            arity(1, false)?;
            Value::String(Text::from(type_name(value(0)?)))
        }
        _ => return Err(fail("unknown-function", "no such function".into())),
    })
}

/// A computed number (`avg`, a float `sum`): a float, as botocore's jmespath gives it.
fn float(f: f64) -> Value {
    Value::Float(f)
}

/// `ceil`/`floor` of a float: Python's integer of the whole float `f`, or the float itself past
/// 64 bits (where Python's integer goes on). Python raises for NaN (ValueError) and the
/// infinities (OverflowError).
fn integral(f: f64) -> Result<Value, String> {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if !f.is_finite() {
        return Err(format!("{f} has no integer"));
    }
    Ok(if (-TWO_63..TWO_63).contains(&f) {
        Value::Integer(f as i64)
    } else {
        Value::Float(f)
    })
}

/// Python's `sum` of a list of numbers, so far.
enum Sum {
    /// Integers only, exactly.
    Integer(i128),
    Float(f64),
}

/// Python's `sum(items)` (python-jmespath's `sum`, and `avg`'s numerator): from the integer 0,
/// item after item, integers exactly until the first float, floats from there on (so
/// `sum([-0.0])` is `0.0`, and `sum([1, 2])` the integer 3). The first item that is no
/// number is the error.
fn python_sum(items: &[Value]) -> Result<Sum, &Value> {
    let mut sum = Sum::Integer(0);
    for v in items {
        sum = match (sum, v.untagged()) {
            // An i128 holds the sum of any list of 64-bit integers memory can hold.
            (Sum::Integer(s), Value::Integer(i)) => Sum::Integer(s + i128::from(*i)),
            (Sum::Integer(s), Value::Float(f)) => Sum::Float(s as f64 + f),
            (Sum::Float(s), Value::Integer(i)) => Sum::Float(s + *i as f64),
            (Sum::Float(s), Value::Float(f)) => Sum::Float(s + f),
            _ => return Err(v),
        };
    }
    Ok(sum)
}

/// python-jmespath's `to_number` of a string: Python's `int(s)`, else `float(s)`, else null:
/// white space around it, underscores between digits (`1_000`), digits of any script
/// (`١٢` is 12), `1e3`, `.5`, and `inf`, `nan` and `infinity` in any case (which give those
/// floats). An integer past 64 bits is the nearest float.
fn python_number(s: &str) -> Value {
    // Python reads the decimal digits of every script as the ASCII ones.
    let ascii: String = s
        .chars()
        .map(|c| match decimal_digit(c) {
            Some(d) if !c.is_ascii() => char::from(b'0' + d),
            _ => c,
        })
        .collect();
    if let Some(i) = crate::config::py_int(&ascii) {
        return Value::Integer(i);
    }
    crate::config::py_float(&ascii).map_or(Value::Null, Value::Float)
}

/// The value of a decimal digit of any script (Unicode's `Nd`, as Python 3.11's `unicodedata`
/// has them, Unicode 14: each a run of ten from a zero).
fn decimal_digit(c: char) -> Option<u8> {
    #[rustfmt::skip]
    const ZEROS: &[u32] = &[
        0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6,
        0xd66, 0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0,
        0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0,
        0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0,
        0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50,
        0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec,
        0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
    ];
    let c = u32::from(c);
    let zero = ZEROS[..ZEROS.partition_point(|&z| z <= c)].last()?;
    u8::try_from(c - zero).ok().filter(|d| *d < 10)
}

/// `value` as python-jmespath's `to_string` writes it: Python's `json.dumps` with
/// `separators=(',', ':')`, so with its `ensure_ascii` (every character past `~` escaped as
/// `\uXXXX`, in UTF-16 halves past the BMP), floats as Python's `repr` (`1.0`, `1e+16`,
/// `1e-07`), `NaN` and `Infinity` bare, and keys in the object's order.
fn python_json(value: &Value, out: &mut String) {
    use std::fmt::Write as _;
    match value.untagged() {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        // Python's `repr`, and `NaN`/`Infinity` as `json.dumps` spells them.
        Value::Float(f) => crate::serialize::push_float(out, *f),
        Value::String(s) => crate::serialize::write_str(out, s, true),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                python_json(item, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                crate::serialize::write_str(out, k, true);
                out.push(':');
                python_json(v, out);
            }
            out.push('}');
        }
        // Not JSON's (blobs, timestamps): as they have always been written.
        other => out.push_str(&other.to_json().to_string()),
    }
}

/// The order of two numbers or two strings (the only kinds `sort`, `max` and `*_by` compare,
/// never mixed). A consistent order even with NaN, which goes after every other number, and
/// with the values this crate's `string` type also holds (std's sorts may panic on an
/// inconsistent order; Python's leave NaN wherever it falls, and refuse the others): strings,
/// then timestamps in time order, then blobs by their bytes.
fn order(a: &Value, b: &Value) -> Ordering {
    match (a.untagged(), b.untagged()) {
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Timestamp(x), Value::Timestamp(y)) => x.cmp(y),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        (x, y) => match (number(x), number(y)) {
            // Python's order of an integer and a float is exact (see `number_order`).
            (Some(f), Some(g)) => number_order(x, y).unwrap_or_else(|| f.is_nan().cmp(&g.is_nan())),
            _ => string_rank(x).cmp(&string_rank(y)),
        },
    }
}

/// Where a `string`-typed value of each kind goes among the others (see [`order`]).
fn string_rank(v: &Value) -> u8 {
    match v {
        Value::String(_) => 0,
        Value::Timestamp(_) => 1,
        Value::Blob(_) => 2,
        _ => 3,
    }
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

    #[test]
    fn sums_and_slices_at_the_ends_of_the_integers() {
        // Once overflow panics (debug builds) or a wrapped, negative sum (release).
        let big = Value::from(serde_json::json!([i64::MAX, 1]));
        assert_eq!(search("sum(@)", &big).as_f64(), Some(i64::MAX as f64 + 1.0));
        let small = Value::from(serde_json::json!([i64::MAX - 1, 1]));
        assert_eq!(search("sum(@)", &small), Value::Integer(i64::MAX));
        let list = Value::from(serde_json::json!([1, 2, 3]));
        // jmespath.py: [2] for both.
        assert_eq!(
            search("[1::9223372036854775807]", &list),
            search("[1:2]", &list)
        );
        assert_eq!(
            search("[1:-9223372036854775808:-9223372036854775807]", &list),
            search("[1:2]", &list)
        );
    }

    /// python-jmespath orders strings (aws-cli's date filters); other non-numbers stay null.
    #[test]
    fn strings_are_ordered_as_python_jmespath_orders_them() {
        let v = Value::from(serde_json::json!({"Contents": [
            {"Key": "a", "LastModified": "2026-12-06T11:31:31.000Z"},
            {"Key": "b", "LastModified": "2026-12-06T13:06:22.000Z"},
            {"Key": "é", "LastModified": "2026-12-07T00:00:00.000Z"}]}));
        let keys = |q: &str| search(q, &v);
        assert_eq!(
            keys("Contents[?LastModified>='2026-12-06T13'].Key"),
            Value::from(serde_json::json!(["b", "é"]))
        );
        assert_eq!(
            keys("Contents[?Key<'b'].Key"),
            Value::from(serde_json::json!(["a"]))
        );
        // Code points, not bytes of any other order: 'é' (U+00E9) sorts after 'z'.
        assert_eq!(search("'é' > 'z'", &v), Value::Bool(true));
        assert_eq!(search("'a' <= 'a'", &v), Value::Bool(true));
        for q in ["'a' < `true`", "`[1]` < `[2]`", "`null` < 'a'"] {
            assert_eq!(search(q, &v), Value::Null, "{q}");
        }
        // Python's `<` raises TypeError on a number and a string: an error.
        for q in ["`1` < 'a'", "'a' >= `1.5`"] {
            let e = Expression::compile(q).unwrap().search(&v).unwrap_err();
            assert!(e.to_string().contains("invalid-type"), "{q}: {e}");
        }
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

    /// NaN among numbers (a float member may hold one) sorts after them, in `sort` and
    /// `sort_by` alike, and long lists of them never trip std's check for inconsistent orders.
    #[test]
    fn sorting_numbers_with_nan_is_a_consistent_order() {
        let numbers: Vec<Value> = (0..40)
            .map(|i| match i % 3 {
                0 => Value::Float(f64::NAN),
                _ => Value::Integer(40 - i),
            })
            .collect();
        let items: Vec<Value> = numbers.iter().map(|n| params! {"n": n.clone()}).collect();
        let data = params! {"numbers": numbers, "items": items};
        let sorted = search("sort(numbers)", &data);
        let by = search("sort_by(items, &n)[*].n", &data);
        for list in [&sorted, &by] {
            let list = list.as_list().unwrap();
            assert_eq!(list.len(), 40);
            let (finite, nan): (Vec<&Value>, Vec<&Value>) = list
                .iter()
                .partition(|v| !v.as_f64().is_some_and(f64::is_nan));
            assert_eq!(nan.len(), 14);
            assert!(list[26..].iter().all(|v| v.as_f64().unwrap().is_nan()));
            let finite: Vec<i64> = finite.iter().map(|v| v.as_i64().unwrap()).collect();
            assert!(finite.windows(2).all(|w| w[0] <= w[1]), "{finite:?}");
        }
    }

    /// Timestamps and blobs are `string`s here (Python's jmespath refuses them): sorted in
    /// time order and by bytes, and a list mixing them with strings is a consistent order
    /// (long enough to reach std's check for inconsistent ones), never a panic.
    #[test]
    fn timestamps_and_blobs_sort_consistently() {
        let times: Vec<Value> = (0..30)
            .map(|i| Value::Timestamp(crate::time::Timestamp::from_secs((i * 7919) % 30 * 1000)))
            .collect();
        let sorted = search("sort(@)", &Value::List(times.clone()));
        let secs: Vec<i64> = sorted
            .as_list()
            .unwrap()
            .iter()
            .map(|v| match v {
                Value::Timestamp(t) => t.secs(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(secs, (0..30).map(|i| i * 1000).collect::<Vec<i64>>());
        let mixed: Vec<Value> = (0..60)
            .map(|i| match i % 3 {
                0 => Value::from(format!("s{:02}", 60 - i)),
                1 => times[i % 30].clone(),
                _ => Value::blob(vec![(60 - i) as u8]),
            })
            .collect();
        let sorted = search("sort(@)", &Value::List(mixed));
        let kinds: Vec<u8> = sorted.as_list().unwrap().iter().map(string_rank).collect();
        assert!(kinds.windows(2).all(|w| w[0] <= w[1]), "{kinds:?}");
        assert_eq!(kinds.len(), 60);
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
        assert!(Expression::compile("Table.TableStatus < `3`")
            .unwrap()
            .search(&d)
            .is_err());
        assert_eq!(search("Table.TableStatus < `null`", &d), Value::Null);
    }

    #[test]
    fn rejects_bad_syntax_without_panicking() {
        for bad in [
            "",
            "a.",
            "[",
            "a[1:2:3:4]",
            "{a b}",
            "a[?",
            "`{",
            "'x",
            "a..b",
            "foo(",
            ")",
            "a[-]",
        ] {
            assert!(Expression::compile(bad).is_err(), "{bad:?}");
        }
        assert!(Expression::compile("nope(a)")
            .unwrap()
            .search(&data())
            .is_err());
    }

    /// A chain read left to right (`a.a.a…`) is built by a loop, not by recursion, but nests a
    /// level a link: a long one is refused before anything walks the tree (evaluating or
    /// dropping it recursed until the stack overflowed), as deep nesting is. On a tokio
    /// worker's 2 MiB stack, in a debug build.
    #[test]
    fn long_chains_and_deep_nesting_are_errors_not_stack_overflows() {
        let run = || {
            let links = [
                ".a", "[0]", "[]", "[*]", "[1:]", ".*", "[?a]", "|a", "||a", "&&a", "==a", ".[a]",
            ];
            for link in links {
                let text = format!("a{}", link.repeat(100_000));
                let err = Expression::compile(&text).unwrap_err();
                assert!(
                    err.to_string().contains("nested too deeply"),
                    "{link}: {err}"
                );
            }
            for (open, close) in [
                ("(", ")"),
                ("[", "]"),
                ("{a:", "}"),
                ("abs(", ")"),
                ("!", ""),
            ] {
                let text = format!("{}a{}", open.repeat(100_000), close.repeat(100_000));
                let err = Expression::compile(&text).unwrap_err();
                assert!(
                    err.to_string().contains("nested too deeply"),
                    "{open}: {err}"
                );
            }
            // Far more than any real expression needs still compiles and evaluates.
            let mut data = Value::from(7);
            for _ in 0..41 {
                data = params! {"a": data};
            }
            let chain = format!("a{}", ".a".repeat(40));
            assert_eq!(search(&chain, &data), Value::from(7));
            let parens = format!("{}{chain}{}", "(".repeat(90), ")".repeat(90));
            assert_eq!(search(&parens, &data), Value::from(7));
            let flattened = format!("[a]{}", "[]".repeat(73));
            assert_eq!(
                search(&flattened, &data),
                Value::List(vec![data["a"].clone()])
            );
            // The compliance suite's deepest benchmark: 104 projections, 105 levels.
            let projections: String = (0..104).map(|i| format!(".p{i}[*]")).collect();
            assert!(Expression::compile(&format!("a[*]{projections}")).is_ok());
            let pipes: String = (0..140).map(|i| format!("|p{i}")).collect();
            let parens = format!("{}a{pipes}{}", "(".repeat(140), ")".repeat(140));
            let data = params! {"a": Value::from(1)};
            assert_eq!(search(&parens, &data), Value::Null);
            let flattened = format!("[a]{}", "[]".repeat(80));
            assert!(Expression::compile(&flattened).is_err(), "two levels each");
        };
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn set_path_builds_structures() {
        let mut v = Value::Null;
        set_path(&mut v, "a.b", Value::from(1));
        assert_eq!(v, params! {"a": params!{"b": 1}});
    }
}
