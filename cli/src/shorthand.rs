//! aws-cli's shorthand syntax for structure, map and list-of-structure options
//! (`--tagging 'TagSet=[{Key=a,Value=b}]'`, `--filters Name=x,Values=a,b`): the parser, which
//! reads only the text (into strings, lists and objects), and the model pass that follows it,
//! which turns strings into the numbers and booleans the shapes ask for and a lone value into a
//! one-item list where a list is expected — the two steps aws-cli takes, with its rules: `\,`
//! escapes a comma, quoted values keep everything, `key@=file://PATH` reads a file.

use base64::Engine;
use sansboto_core::config::{py_float, py_int};
use sansboto_core::model::{ServiceModel, ShapeId, ShapeKind};
use serde_json::{Map, Value as J};

/// Why a shorthand value could not be read; the message points at the place, as aws-cli's does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShorthandError(pub String);

/// Parse one shorthand value into JSON (always an object at the top: `a=b,c=d`).
pub(crate) fn parse(text: &str) -> Result<J, ShorthandError> {
    let mut parser = Parser {
        input: text.chars().collect(),
        index: 0,
        resolve_files: false,
        depth: 0,
    };
    parser.parameter()
}

/// How deeply `[…]` and `{…}` may nest: as deep as JSON values may (serde_json's limit), far
/// beyond any shape's nesting. Deeper text is refused rather than read by recursion until the
/// stack overflows (aws-cli's parser stops at Python's recursion limit).
const MAX_DEPTH: usize = 128;

struct Parser {
    input: Vec<char>,
    index: usize,
    /// Set after `key@=`: the value names a file to read.
    resolve_files: bool,
    /// How many `[` and `{` are open.
    depth: usize,
}

/// Characters a bare value may start with: not space or control, not a quote, `,`, `=`, `[`
/// or `{` (which begin other constructs).
fn is_start_char(c: char) -> bool {
    matches!(c, '!' | '#'..='&' | '('..='+' | '-'..='<' | '>'..='Z' | '\\'..='z' | '|'..='\u{ffff}')
}

/// Characters that continue a first value (one that may be followed by `,` and more values):
/// everything but quotes, `,`, `]` and `}`.
fn is_first_follow(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '!' | '#'..='&' | '('..='+' | '-'..='\\' | '^'..='|' | '~'..='\u{ffff}')
}

/// Characters that continue a later value of a comma-separated list: everything but quotes,
/// `,` and `=` (a `=` means the word was the next key).
fn is_second_follow(c: char) -> bool {
    c.is_whitespace() || matches!(c, '!' | '#'..='&' | '('..='+' | '-'..='<' | '>'..='\u{ffff}')
}

impl Parser {
    fn current(&self) -> Option<char> {
        self.input.get(self.index).copied()
    }

    fn at_eof(&self) -> bool {
        self.index >= self.input.len()
    }

    fn error_location(&self, index: usize) -> String {
        let text: String = self.input.iter().collect();
        let before: String = self.input[..index.min(self.input.len())].iter().collect();
        let column = before
            .rfind('\n')
            .map_or(index, |nl| before[nl + 1..].chars().count());
        let (consumed, remaining) = match self.input[index.min(self.input.len())..]
            .iter()
            .position(|c| *c == '\n')
        {
            Some(offset) => {
                let cut = index + offset;
                (
                    self.input[..cut].iter().collect::<String>(),
                    self.input[cut..].iter().collect::<String>(),
                )
            }
            None => (text, String::new()),
        };
        format!("{consumed}\n{}^{remaining}", " ".repeat(column))
    }

    fn syntax_error(&self, expected: &str, index: usize) -> ShorthandError {
        let actual = self
            .input
            .get(index)
            .map_or("EOF".to_string(), |c| c.to_string());
        ShorthandError(format!(
            "Expected: '{expected}', received: '{actual}' for input:\n{}",
            self.error_location(index)
        ))
    }

    fn consume_whitespace(&mut self) {
        while self.current().is_some_and(char::is_whitespace) {
            self.index += 1;
        }
    }

    fn expect(&mut self, c: char, consume_whitespace: bool) -> Result<(), ShorthandError> {
        if consume_whitespace {
            self.consume_whitespace();
        }
        if self.current() != Some(c) {
            return Err(self.syntax_error(&c.to_string(), self.index));
        }
        self.index += 1;
        if consume_whitespace {
            self.consume_whitespace();
        }
        Ok(())
    }

    fn parameter(&mut self) -> Result<J, ShorthandError> {
        let mut params = Map::new();
        let (key, value) = self.keyval()?;
        params.insert(key, value);
        let mut last_index = self.index;
        while !self.at_eof() {
            self.expect(',', true)?;
            let (key, value) = self.keyval()?;
            if params.contains_key(&key) {
                return Err(ShorthandError(format!(
                    "Second instance of key \"{key}\" encountered for input:\n{}\nThis is often \
                     because there is a preceding \",\" instead of a space.",
                    self.error_location(last_index + 1)
                )));
            }
            params.insert(key, value);
            last_index = self.index;
        }
        Ok(J::Object(params))
    }

    fn file_marker(&mut self) {
        self.consume_whitespace();
        self.resolve_files = self.current() == Some('@');
        if self.resolve_files {
            self.index += 1;
            self.consume_whitespace();
        }
    }

    fn keyval(&mut self) -> Result<(String, J), ShorthandError> {
        let key = self.key();
        self.file_marker();
        self.expect('=', true)?;
        Ok((key, self.values()?))
    }

    fn key(&mut self) -> String {
        let start = self.index;
        while self
            .current()
            .is_some_and(|c| c.is_ascii_alphanumeric() || "-_.#/:".contains(c))
        {
            self.index += 1;
        }
        self.input[start..self.index].iter().collect()
    }

    fn values(&mut self) -> Result<J, ShorthandError> {
        match self.current() {
            None => Ok(J::String(String::new())),
            Some('[' | '{') => self.explicit_value(),
            Some(_) => self.csv_value(),
        }
    }

    fn csv_value(&mut self) -> Result<J, ShorthandError> {
        let first = self.first_value()?;
        self.consume_whitespace();
        if self.current() != Some(',') {
            return Ok(first);
        }
        self.expect(',', true)?;
        let mut list = vec![first];
        loop {
            let attempt = self.second_value().and_then(|value| {
                self.consume_whitespace();
                if self.at_eof() {
                    return Ok((value, true));
                }
                self.expect(',', true).map(|_| (value, false))
            });
            match attempt {
                Ok((value, done)) => {
                    list.push(value);
                    if done {
                        break;
                    }
                }
                Err(e) if self.at_eof() => return Err(e),
                Err(_) => {
                    // The word was the next `key=`: step back to the comma before it.
                    while self.index > 0 && self.input.get(self.index) != Some(&',') {
                        self.index -= 1;
                    }
                    break;
                }
            }
        }
        if list.len() == 1 {
            return Ok(list.swap_remove(0));
        }
        Ok(J::Array(list))
    }

    fn explicit_list(&mut self) -> Result<J, ShorthandError> {
        self.expect('[', true)?;
        let mut values = Vec::new();
        while self.current() != Some(']') {
            if self.at_eof() {
                return Err(self.syntax_error("]", self.index));
            }
            values.push(self.explicit_value()?);
            self.consume_whitespace();
            if self.current() != Some(']') {
                self.expect(',', false)?;
                self.consume_whitespace();
            }
        }
        self.expect(']', false)?;
        Ok(J::Array(values))
    }

    fn explicit_value(&mut self) -> Result<J, ShorthandError> {
        if !matches!(self.current(), Some('[' | '{')) {
            return self.first_value();
        }
        if self.depth == MAX_DEPTH {
            return Err(ShorthandError(format!(
                "Error parsing parameter: values nest more than {MAX_DEPTH} levels deep \
                 (at character {})",
                self.index + 1
            )));
        }
        self.depth += 1;
        let value = match self.current() {
            Some('[') => self.explicit_list(),
            _ => self.hash_literal(),
        };
        self.depth -= 1;
        value
    }

    fn hash_literal(&mut self) -> Result<J, ShorthandError> {
        self.expect('{', true)?;
        let mut object = Map::new();
        while self.current() != Some('}') {
            if self.at_eof() {
                return Err(self.syntax_error("}", self.index));
            }
            let key = self.key();
            self.file_marker();
            self.expect('=', true)?;
            let value = self.explicit_value()?;
            self.consume_whitespace();
            if self.current() != Some('}') {
                self.expect(',', false)?;
                self.consume_whitespace();
            }
            object.insert(key, value);
        }
        self.expect('}', false)?;
        Ok(J::Object(object))
    }

    fn first_value(&mut self) -> Result<J, ShorthandError> {
        match self.current() {
            Some('\'') => self.quoted('\''),
            Some('"') => self.quoted('"'),
            _ => {
                let word = self.word(is_first_follow).unwrap_or_default();
                self.resolved(word)
            }
        }
    }

    fn second_value(&mut self) -> Result<J, ShorthandError> {
        match self.current() {
            Some('\'') => self.quoted('\''),
            Some('"') => self.quoted('"'),
            _ => match self.word(is_second_follow) {
                Some(word) => self.resolved(word),
                None => Err(self.syntax_error("<second>", self.index)),
            },
        }
    }

    /// A bare word: a start character, then `follow` characters, `\,` standing for a comma
    /// anywhere; trailing whitespace dropped.
    fn word(&mut self, follow: fn(char) -> bool) -> Option<String> {
        let start = self.index;
        let mut out = String::new();
        loop {
            let allowed: fn(char) -> bool = if self.index == start {
                is_start_char
            } else {
                follow
            };
            match self.current() {
                Some('\\') if self.input.get(self.index + 1) == Some(&',') => {
                    out.push(',');
                    self.index += 2;
                }
                Some(c) if allowed(c) => {
                    out.push(c);
                    self.index += 1;
                }
                _ => break,
            }
        }
        (self.index > start).then(|| out.trim_end().to_string())
    }

    fn quoted(&mut self, quote: char) -> Result<J, ShorthandError> {
        let start = self.index;
        self.index += 1;
        let mut raw = String::new();
        loop {
            match self.current() {
                None => {
                    self.index = start;
                    let name = if quote == '\'' {
                        "<singled quoted>"
                    } else {
                        "<double quoted>"
                    };
                    return Err(self.syntax_error(name, start));
                }
                Some('\\') if self.input.get(self.index + 1) == Some(&quote) => {
                    raw.push('\\');
                    raw.push(quote);
                    self.index += 2;
                }
                Some(c) if c == quote => {
                    self.index += 1;
                    break;
                }
                Some(c) => {
                    raw.push(c);
                    self.index += 1;
                }
            }
        }
        let value = raw
            .replace(&format!("\\{quote}"), &quote.to_string())
            .replace("\\\\", "\\");
        self.resolved(value)
    }

    /// After `key@=`, a `file://` or `fileb://` value is the file's content.
    fn resolved(&mut self, value: String) -> Result<J, ShorthandError> {
        if !self.resolve_files {
            return Ok(J::String(value));
        }
        match crate::awsgrammar::read_param_file(&value) {
            Ok(Some(content)) => Ok(content),
            Ok(None) => Ok(J::String(value)),
            Err(e) => Err(ShorthandError(e)),
        }
    }
}

/// aws-cli's pass over parsed shorthand with the model: numbers and booleans from their text,
/// a single value where a list belongs made a list. Document members cannot be written in
/// shorthand (their type is whatever the JSON says).
pub(crate) fn apply_model(
    model: &ServiceModel,
    shape: ShapeId,
    value: &mut J,
) -> Result<(), String> {
    let target = model.shape(shape);
    match &target.kind {
        ShapeKind::Structure(s) => {
            if s.document {
                return Err("document".into());
            }
            let J::Object(fields) = value else {
                return Ok(());
            };
            for (name, member) in &s.members {
                if let Some(field) = fields.get_mut(name.as_str()) {
                    apply_model(model, member.shape, field).map_err(|e| {
                        if e == "document" {
                            format!(
                                "Shorthand syntax does not support document types. Use JSON \
                                 input for top-level argument to specify nested parameter: {name}"
                            )
                        } else {
                            e
                        }
                    })?;
                }
            }
        }
        ShapeKind::List(item) => {
            if !value.is_array() && !value.is_null() {
                *value = J::Array(vec![value.take()]);
            }
            if let J::Array(items) = value {
                for item_value in items {
                    apply_model(model, item.shape, item_value)?;
                }
            }
        }
        ShapeKind::Map { value: v, .. } => {
            if let J::Object(entries) = value {
                for entry in entries.values_mut() {
                    apply_model(model, v.shape, entry)?;
                }
            }
        }
        ShapeKind::Byte | ShapeKind::Short | ShapeKind::Integer | ShapeKind::Long => {
            if let J::String(text) = value {
                *value = int_value(text)?;
            }
        }
        ShapeKind::Float | ShapeKind::Double => {
            if let J::String(text) = value {
                *value = float_value(text)?;
            }
        }
        ShapeKind::Boolean => {
            if let J::String(text) = value {
                match text.to_ascii_lowercase().as_str() {
                    "true" => *value = J::Bool(true),
                    "false" => *value = J::Bool(false),
                    // aws-cli leaves other words as they are, for the validator to name.
                    _ => {}
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Bytes of a `fileb://` file, as the `{"base64": …}` form a blob takes in JSON parameters.
pub(crate) fn bytes_value(bytes: &[u8]) -> J {
    serde_json::json!({"base64": base64::engine::general_purpose::STANDARD.encode(bytes)})
}

/// An integer parameter's text as aws-cli reads it (Python's `int`), or its error message.
pub(crate) fn int_value(text: &str) -> Result<J, String> {
    if let Some(n) = py_int(text) {
        return Ok(J::from(n));
    }
    // An integer Python reads, beyond what any AWS integer holds.
    let digits = text.trim().trim_start_matches(['+', '-']);
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && py_float(text).is_some()
    {
        return Err(format!("'{text}' is beyond a 64-bit integer"));
    }
    Err(format!("invalid literal for int() with base 10: '{text}'"))
}

/// A float parameter's text as aws-cli reads it (Python's `float`), or its error message.
/// `inf` and `nan` are refused: JSON cannot carry them, and leaving the member out instead
/// would send another call than the one asked for (aws-cli sends them, and services refuse
/// them).
pub(crate) fn float_value(text: &str) -> Result<J, String> {
    let n = py_float(text).ok_or_else(|| format!("could not convert string to float: '{text}'"))?;
    serde_json::Number::from_f64(n)
        .map(J::Number)
        .ok_or_else(|| format!("'{text}' is not a finite number"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(text: &str) -> J {
        parse(text).unwrap_or_else(|e| panic!("{text}: {}", e.0))
    }

    #[test]
    fn numbers_as_python_reads_them() {
        assert_eq!(int_value(" 1_0 "), Ok(J::from(10)));
        assert_eq!(
            int_value("99999999999999999999"),
            Err("'99999999999999999999' is beyond a 64-bit integer".to_string())
        );
        assert_eq!(
            int_value("1__0"),
            Err("invalid literal for int() with base 10: '1__0'".to_string())
        );
        assert_eq!(float_value("1_0.5"), Ok(J::from(10.5)));
        assert_eq!(
            float_value("inf"),
            Err("'inf' is not a finite number".to_string())
        );
    }

    #[test]
    fn key_values_lists_and_nesting() {
        assert_eq!(ok("a=b"), json!({"a": "b"}));
        assert_eq!(ok("a=b,c"), json!({"a": ["b", "c"]}));
        assert_eq!(ok("a=b,c=d"), json!({"a": "b", "c": "d"}));
        assert_eq!(
            ok("Name=x,Values=a,b"),
            json!({"Name": "x", "Values": ["a", "b"]})
        );
        assert_eq!(
            ok("Name=x,Values=a,b,Other=c"),
            json!({"Name": "x", "Values": ["a", "b"], "Other": "c"})
        );
        assert_eq!(
            ok("TagSet=[{Key=a,Value=b},{Key=c,Value=d}]"),
            json!({"TagSet": [{"Key": "a", "Value": "b"}, {"Key": "c", "Value": "d"}]})
        );
        assert_eq!(
            ok("a={b=[1, 2],c={d=e}}"),
            json!({"a": {"b": ["1", "2"], "c": {"d": "e"}}})
        );
        assert_eq!(ok("a="), json!({"a": ""}));
        assert_eq!(ok("a = b , c = d"), json!({"a": "b", "c": "d"}));
    }

    #[test]
    fn quoting_and_escapes() {
        assert_eq!(ok(r"a=b\,c"), json!({"a": "b,c"}));
        assert_eq!(ok("a='x, y=z'"), json!({"a": "x, y=z"}));
        assert_eq!(ok(r#"a="say \"hi\"""#), json!({"a": "say \"hi\""}));
        assert_eq!(ok(r"a='it\'s'"), json!({"a": "it's"}));
        assert_eq!(ok("a=x=y"), json!({"a": "x=y"}));
        assert_eq!(ok("a=arn:aws:s3:::b/*"), json!({"a": "arn:aws:s3:::b/*"}));
    }

    #[test]
    fn errors_point_at_the_place() {
        let e = parse("a").unwrap_err().0;
        assert!(
            e.starts_with("Expected: '=', received: 'EOF' for input:\na\n ^"),
            "{e}"
        );
        let e = parse("a=b,a=c").unwrap_err().0;
        assert!(e.contains("Second instance of key \"a\""), "{e}");
        assert!(parse("a=[b,c").is_err());
        assert!(parse("a={b=c").is_err());
        assert!(parse("a='open").is_err());
    }

    #[test]
    fn nesting_deeper_than_json_allows_is_refused_not_a_stack_overflow() {
        let nested = |levels: usize| format!("a={}x{}", "[".repeat(levels), "]".repeat(levels));
        assert!(parse(&nested(100)).is_ok());
        for text in [
            nested(129),
            format!("a={}", "[".repeat(100_000)),
            format!("a={}", "{b=".repeat(100_000)),
        ] {
            let e = parse(&text).unwrap_err().0;
            assert!(
                e.contains("nest more than 128 levels"),
                "{}",
                &e[..e.len().min(200)]
            );
        }
    }

    #[test]
    fn file_references_after_at() {
        let dir = std::env::temp_dir().join(format!("sansboto-shorthand-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("v.txt");
        std::fs::write(&path, "from file").unwrap();
        let text = format!("a@=file://{},b=file://x", path.display());
        assert_eq!(ok(&text), json!({"a": "from file", "b": "file://x"}));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
