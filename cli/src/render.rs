//! aws-cli's `--query` and `--output`: a result as aws-cli prints it. `ResponseMetadata` is
//! dropped, the JMESPath query (the core's [`Expression`]) applied, then the format: `json`
//! (four-space indentation, non-ASCII as is), `text` (aws-cli's tab-separated rows: scalars of
//! an object in key order on one line, lists of objects with the union of their scalar keys as
//! columns, nested values on their own lines prefixed by their key in capitals), `yaml` (block
//! style, as aws-cli v2 prints it), `table` ([`crate::table`]). Scalars print as Python prints
//! them (`True`, `None`, `2.0`).
//!
//! With no format given or configured, a call prints aws-cli's `json`, as aws-cli does.

use sansboto_core::jmespath::Expression;
use serde_json::Value as J;

use crate::output::Failure;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `json`.
    Json,
    /// `text`.
    Text,
    /// `yaml`.
    Yaml,
    /// `table`.
    Table,
}

impl Format {
    /// The format `--output` names.
    pub(crate) fn from_name(name: &str) -> Option<Format> {
        match name {
            "json" => Some(Format::Json),
            "text" => Some(Format::Text),
            "yaml" => Some(Format::Yaml),
            "table" => Some(Format::Table),
            _ => None,
        }
    }

    /// The names `--output` accepts, for its usage error.
    pub(crate) const NAMES: &'static str = "json, text, table, yaml";
}

/// How to print results, as aws-cli prints them.
#[derive(Debug, Clone)]
pub(crate) struct Rendering {
    /// `--query`, compiled.
    pub query: Option<Expression>,
    /// `--output` (or `AWS_DEFAULT_OUTPUT`, or the profile's `output`).
    pub format: Format,
    /// Colours in a table (`--color on`, or `auto` on a terminal).
    pub color: bool,
    /// A table's title: the operation's name, as aws-cli titles it.
    pub title: String,
    /// A configured format nobody knows (`AWS_DEFAULT_OUTPUT`, the profile's `output`): aws-cli
    /// finds out when it prints, so printing fails with its `Unknown output type`.
    pub unknown: Option<String>,
}

impl Rendering {
    /// From the options: `--query`, the format's name, `--color`.
    fn new(
        query: Option<&str>,
        output: &str,
        color: Option<&str>,
        title: &str,
    ) -> Result<Rendering, Failure> {
        let query = query
            .map(|q| {
                Expression::compile(q).map_err(|e| {
                    Failure::Usage(format!("argument --query: Bad value for --query {q}: {e}"))
                })
            })
            .transpose()?;
        let format = Format::from_name(output).ok_or_else(|| {
            Failure::Usage(format!(
                "argument --output: Invalid choice '{output}', valid choices are: {}",
                Format::NAMES
            ))
        })?;
        let color = match color {
            Some("on") => true,
            Some("off") => false,
            _ => std::io::IsTerminal::is_terminal(&std::io::stdout()),
        };
        Ok(Rendering {
            query,
            format,
            color,
            title: title.to_string(),
            unknown: None,
        })
    }

    /// aws-cli's printing for a call: `--output` when given, else the configured format
    /// (`configured`: `AWS_DEFAULT_OUTPUT`, else the profile's `output`), else JSON. A
    /// configured format nobody knows fails when printing, as in aws-cli.
    pub(crate) fn for_call(
        query: Option<&str>,
        output: Option<&str>,
        configured: Option<&str>,
        color: Option<&str>,
        title: &str,
    ) -> Result<Rendering, Failure> {
        let unknown = configured.filter(|n| output.is_none() && Format::from_name(n).is_none());
        let format = output
            .or(configured.filter(|_| unknown.is_none()))
            .unwrap_or("json");
        let mut rendering = Rendering::new(query, format, color, title)?;
        rendering.unknown = unknown.map(String::from);
        Ok(rendering)
    }

    /// The text to print for `result` (JSON as the command has it), its last newline
    /// included; `None` when aws-cli prints nothing (an empty JSON result, empty text).
    pub(crate) fn render(&self, result: J) -> Result<Option<String>, Failure> {
        if let Some(name) = &self.unknown {
            return Err(Failure::Raised(format!("Unknown output type: {name}")));
        }
        let mut result = result;
        if let J::Object(map) = &mut result {
            map.shift_remove("ResponseMetadata");
        }
        if let Some(query) = &self.query {
            let value = sansboto_core::Value::from(result);
            result = query
                .search(&value)
                .map_err(|e| Failure::client("QueryError", e.to_string()))?
                .to_json();
        }
        let text = match self.format {
            Format::Json => {
                if result == J::Object(Default::default()) {
                    return Ok(None);
                }
                let mut out = String::new();
                python_json(&result, 0, &mut out);
                out.push('\n');
                out
            }
            Format::Text => {
                let mut out = String::new();
                text(&result, None, None, &mut out);
                if out.is_empty() {
                    return Ok(None);
                }
                out
            }
            Format::Yaml => yaml(&result) + "\n",
            Format::Table => {
                let width = terminal_width();
                match crate::table::render(&self.title, &result, width, self.color) {
                    Some(t) => t,
                    None => return Ok(None),
                }
            }
        };
        Ok(Some(text))
    }
}

/// The width a table may take: 80 when stdout is not a terminal (as aws-cli, whose terminal
/// query fails then), else `COLUMNS` when set (this command asks the terminal nothing).
fn terminal_width() -> usize {
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return 80;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(80)
}

/// A value as Python's `str()` writes it: scalars as Python prints them (`True`, `None`,
/// `2.0`), lists and maps as their `repr()` (`[1, 'a', None]`, `{'k': False}`).
pub(crate) fn python_str(value: &J) -> String {
    match value {
        J::String(s) => s.clone(),
        other => {
            let mut out = String::new();
            python_repr(other, &mut out);
            out
        }
    }
}

/// Python's `repr()` of a value parsed from JSON.
fn python_repr(value: &J, out: &mut String) {
    match value {
        J::Null => out.push_str("None"),
        J::Bool(true) => out.push_str("True"),
        J::Bool(false) => out.push_str("False"),
        J::Number(n) => out.push_str(&python_number(n)),
        J::String(s) => python_repr_str(s, out),
        J::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_repr(item, out);
            }
            out.push(']');
        }
        J::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_repr_str(key, out);
                out.push_str(": ");
                python_repr(item, out);
            }
            out.push('}');
        }
    }
}

/// `repr(str)`: in single quotes, or double quotes when the text has a single quote and no
/// double quote; the quote and backslash escaped, `\t`, `\n`, `\r`, other ASCII control
/// characters as `\xhh`, and what Python deems unprintable as `\xhh`, `\uhhhh` or
/// `\Uhhhhhhhh`.
/// The name of the Python type aws-cli holds a JSON value as (`dict` for an object).
pub(crate) fn python_type(value: &J) -> &'static str {
    match value {
        J::Null => "NoneType",
        J::Bool(_) => "bool",
        J::Number(n) if n.is_f64() => "float",
        J::Number(_) => "int",
        J::String(_) => "str",
        J::Array(_) => "list",
        J::Object(_) => "dict",
    }
}

/// Python's `repr()` of a `str`.
pub(crate) fn python_str_repr(s: &str) -> String {
    let mut out = String::new();
    python_repr_str(s, &mut out);
    out
}

fn python_repr_str(s: &str, out: &mut String) {
    use std::fmt::Write;
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            _ if c == quote || c == '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            _ if c.is_ascii() => out.push(c),
            _ if !crate::pyunicode::contains(crate::pyunicode::UNPRINTABLE, c) => out.push(c),
            _ if (c as u32) <= 0xff => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            _ if (c as u32) <= 0xffff => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            _ => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push(quote);
}

/// A JSON number as Python prints the `int` or `float` `json.loads` makes of it.
fn python_number(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.to_string(),
        (_, Some(u), _) => u.to_string(),
        (_, _, Some(f)) => python_float(f),
        _ => n.to_string(),
    }
}

/// JSON as aws-cli's `json.dump(indent=4, ensure_ascii=False)` writes it: floats as Python's
/// `repr()` (`1e-05`, `1e+16`), `": "` and `","` between items, empty lists and maps as `[]`
/// and `{}`, non-ASCII as is.
fn python_json(value: &J, indent: usize, out: &mut String) {
    let pad = |out: &mut String, level: usize| {
        out.push('\n');
        out.push_str(&" ".repeat(4 * level));
    };
    match value {
        J::Number(n) => out.push_str(&python_number(n)),
        J::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pad(out, indent + 1);
                python_json(item, indent + 1, out);
            }
            pad(out, indent);
            out.push(']');
        }
        J::Object(map) if !map.is_empty() => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pad(out, indent + 1);
                out.push_str(&J::String(key.clone()).to_string());
                out.push_str(": ");
                python_json(item, indent + 1, out);
            }
            pad(out, indent);
            out.push('}');
        }
        // Strings escaped as Python escapes them (`\uXXXX` in lower case for other control
        // characters), literals, empty lists and maps.
        other => out.push_str(&other.to_string()),
    }
}

/// `repr(float)`: the shortest text that reads back, `.0` on whole numbers, exponent form
/// outside [1e-4, 1e16).
pub(crate) fn python_float(f: f64) -> String {
    if !f.is_finite() {
        return if f.is_nan() {
            "nan".into()
        } else if f > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let magnitude = f.abs();
    if magnitude != 0.0 && !(1e-4..1e16).contains(&magnitude) {
        let text = format!("{f:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let exponent: i32 = exponent.parse().unwrap_or(0);
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exponent.abs());
    }
    let text = format!("{f}");
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

fn is_scalar(value: &J) -> bool {
    !matches!(value, J::Object(_) | J::Array(_))
}

fn text(item: &J, identifier: Option<&str>, scalar_keys: Option<&[String]>, out: &mut String) {
    match item {
        J::Object(map) => {
            let mut scalars: Vec<String> = Vec::new();
            let mut nested: Vec<(String, &J)> = Vec::new();
            match scalar_keys {
                None => {
                    let mut keys: Vec<&String> = map.keys().collect();
                    keys.sort();
                    for key in keys {
                        let value = &map[key.as_str()];
                        if is_scalar(value) {
                            scalars.push(python_str(value));
                        } else {
                            nested.push((key.clone(), value));
                        }
                    }
                }
                Some(keys) => {
                    for key in keys {
                        scalars.push(map.get(key.as_str()).map_or(String::new(), python_str));
                    }
                    let mut rest: Vec<&String> = map.keys().filter(|k| !keys.contains(k)).collect();
                    rest.sort();
                    for key in rest {
                        nested.push((key.clone(), &map[key.as_str()]));
                    }
                }
            }
            if !scalars.is_empty() {
                if let Some(id) = identifier {
                    scalars.insert(0, id.to_uppercase());
                }
                out.push_str(&scalars.join("\t"));
                out.push('\n');
            }
            for (key, value) in nested {
                text(value, Some(&key), None, out);
            }
        }
        J::Array(items) => {
            if items.is_empty() {
                return;
            }
            if items.iter().any(|i| i.is_object()) {
                let mut keys: Vec<String> = items
                    .iter()
                    .filter_map(J::as_object)
                    .flat_map(|m| {
                        m.iter()
                            .filter(|(_, v)| is_scalar(v))
                            .map(|(k, _)| k.clone())
                    })
                    .collect();
                keys.sort();
                keys.dedup();
                for element in items {
                    text(element, identifier, Some(&keys), out);
                }
            } else if items.iter().any(|i| i.is_array()) {
                let scalars: Vec<&J> = items.iter().filter(|i| is_scalar(i)).collect();
                if !scalars.is_empty() {
                    scalar_list(&scalars, identifier, out);
                }
                for element in items.iter().filter(|i| !is_scalar(i)) {
                    text(element, identifier, None, out);
                }
            } else {
                let all: Vec<&J> = items.iter().collect();
                scalar_list(&all, identifier, out);
            }
        }
        scalar => {
            out.push_str(&python_str(scalar));
            out.push('\n');
        }
    }
}

fn scalar_list(items: &[&J], identifier: Option<&str>, out: &mut String) {
    match identifier {
        Some(id) => {
            for item in items {
                out.push_str(&format!("{}\t{}\n", id.to_uppercase(), python_str(item)));
            }
        }
        None => {
            let line: Vec<String> = items.iter().map(|i| python_str(i)).collect();
            out.push_str(&line.join("\t"));
            out.push('\n');
        }
    }
}

/// Block-style YAML: mappings `key: value`, sequences `- item`, strings quoted when YAML
/// would read them as something else, so that a YAML 1.1 or 1.2 reader reads back the result.
fn yaml(value: &J) -> String {
    let mut out = String::new();
    yaml_node(value, 0, &mut out);
    out.trim_end_matches('\n').to_string()
}

/// Whether YAML keeps `c` as it is in a plain or single-quoted scalar: printable, and not a
/// line break (which such scalars fold into a space) nor a byte-order mark.
fn yaml_printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{2027}' | '\u{202a}'..='\u{d7ff}'
        | '\u{e000}'..='\u{fefe}' | '\u{ff00}'..='\u{fffd}' | '\u{10000}'..)
}

/// `s` double-quoted, with YAML's escapes.
fn yaml_double_quoted(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if yaml_printable(c) => out.push(c),
            _ if (c as u32) <= 0xff => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            _ => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

fn yaml_scalar(value: &J) -> String {
    match value {
        J::Null => "null".into(),
        J::Bool(b) => b.to_string(),
        // Floats with a point and a signed exponent (`1.0e+16`), as YAML 1.1 needs to read them
        // as floats.
        J::Number(n) if !(n.is_i64() || n.is_u64()) => {
            let text = python_number(n);
            match text.split_once('e') {
                Some((mantissa, exponent)) if !mantissa.contains('.') => {
                    format!("{mantissa}.0e{exponent}")
                }
                _ => text,
            }
        }
        J::Number(n) => n.to_string(),
        J::String(s) if !s.chars().all(|c| c == '\t' || yaml_printable(c)) => yaml_double_quoted(s),
        J::String(s) => {
            // Plain unless YAML would read it as another type (a number, a boolean, null, a
            // date, `=`, `<<`) or as structure.
            let plain = !s.is_empty()
                && !s.starts_with(|c: char| {
                    c.is_ascii_digit() || " -?:,[]{}#&*!|>'\"%@`~.+=<".contains(c)
                })
                && !s.ends_with([' ', ':'])
                && !s.contains(": ")
                && !s.contains(" #")
                && !s.contains('\t')
                && !matches!(
                    s.to_ascii_lowercase().as_str(),
                    "yes" | "no" | "on" | "off" | "y" | "n" | "true" | "false" | "null"
                );
            if plain {
                s.clone()
            } else {
                format!("'{}'", s.replace('\'', "''"))
            }
        }
        J::Array(_) => "[]".into(),
        J::Object(_) => "{}".into(),
    }
}

fn yaml_node(value: &J, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        J::Object(map) if !map.is_empty() => {
            for (key, item) in map {
                let key = yaml_scalar(&J::String(key.clone()));
                match item {
                    J::Object(m) if !m.is_empty() => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        yaml_node(item, indent + 2, out);
                    }
                    J::Array(a) if !a.is_empty() => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        yaml_node(item, indent, out);
                    }
                    scalar => out.push_str(&format!("{pad}{key}: {}\n", yaml_scalar(scalar))),
                }
            }
        }
        J::Array(items) if !items.is_empty() => {
            for item in items {
                match item {
                    J::Object(m) if !m.is_empty() => {
                        // The first key on the dash's line, the rest under it.
                        let mut nested = String::new();
                        yaml_node(item, indent + 2, &mut nested);
                        let body = nested.get(indent + 2..).unwrap_or("");
                        out.push_str(&format!("{pad}- {body}"));
                    }
                    J::Array(a) if !a.is_empty() => {
                        out.push_str(&format!("{pad}-\n"));
                        yaml_node(item, indent + 2, out);
                    }
                    scalar => out.push_str(&format!("{pad}- {}\n", yaml_scalar(scalar))),
                }
            }
        }
        scalar => out.push_str(&format!("{pad}{}\n", yaml_scalar(scalar))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(format: Format, query: Option<&str>, value: J) -> Option<String> {
        Rendering {
            query: query.map(|q| Expression::compile(q).unwrap()),
            format,
            color: false,
            title: "Op".into(),
            unknown: None,
        }
        .render(value)
        .unwrap()
    }

    #[test]
    fn python_scalars() {
        assert_eq!(python_str(&json!(true)), "True");
        assert_eq!(python_str(&json!(null)), "None");
        assert_eq!(python_str(&json!(2.0)), "2.0");
        assert_eq!(python_str(&json!(1.5)), "1.5");
        assert_eq!(python_str(&json!(7)), "7");
        assert_eq!(python_str(&json!(1e20)), "1e+20");
        assert_eq!(python_str(&json!(0.00001)), "1e-05");
    }

    #[test]
    fn query_then_format_without_response_metadata() {
        let result = json!({"ResponseMetadata": {"RequestId": "r"}, "Buckets": [{"Name": "a"}, {"Name": "b"}]});
        assert_eq!(
            render(Format::Text, Some("Buckets[].Name"), result.clone()).unwrap(),
            "a\tb\n"
        );
        assert_eq!(
            render(Format::Json, Some("length(Buckets)"), result.clone()).unwrap(),
            "2\n"
        );
        assert_eq!(
            render(Format::Json, None, json!({"ResponseMetadata": {}})),
            None
        );
        assert_eq!(
            render(Format::Yaml, None, result).unwrap(),
            "Buckets:\n- Name: a\n- Name: b\n"
        );
    }

    #[test]
    fn lists_and_maps_in_a_cell_as_python_prints_them() {
        assert_eq!(
            python_str(&json!([1, "it's", {"k": [null, true, 1.5e-7]}, "x\ty", {}])),
            r#"[1, "it's", {'k': [None, True, 1.5e-07]}, 'x\ty', {}]"#
        );
        // Quotes, backslashes, control characters and what Python deems unprintable escaped;
        // other non-ASCII as is.
        assert_eq!(
            python_str(&json!([
                "a'b\"c\\",
                "\u{1b}\u{7f}\u{a0}\u{ad}\u{2028}\u{e0001}",
                "é日😀"
            ])),
            r#"['a\'b"c\\', '\x1b\x7f\xa0\xad\u2028\U000e0001', 'é日😀']"#
        );
    }

    #[test]
    fn json_as_python_dumps_it() {
        let value = json!({"f": [1e16, 1.5e-7, 0.1, -0.0, 2.0, 1e-5], "e": [], "m": {}, "s": "\u{1}\u{7f}é"});
        assert_eq!(
            render(Format::Json, None, value).unwrap(),
            "{\n    \"f\": [\n        1e+16,\n        1.5e-07,\n        0.1,\n        -0.0,\n        \
             2.0,\n        1e-05\n    ],\n    \"e\": [],\n    \"m\": {},\n    \"s\": \"\\u0001\u{7f}é\"\n}\n"
        );
    }

    #[test]
    fn yaml_quotes_what_would_read_back_differently() {
        assert_eq!(
            yaml(&json!({"a": "true", "b": "1", "c": "x: y", "d": "", "e": "plain", "f": [[1]]})),
            "a: 'true'\nb: '1'\nc: 'x: y'\nd: ''\ne: plain\nf:\n-\n  - 1"
        );
        // Line breaks and control characters double-quoted (folded or refused otherwise),
        // floats with a point before the exponent, strings that read as dates or floats quoted.
        assert_eq!(
            yaml(&json!({"a": "x\ny\u{1b}\u{2028}\"", "b": [1e16, 1.5e-7, 2.5], "c": ["2001-12-14", ".inf", "a:"]})),
            "a: \"x\\ny\\x1B\\u2028\\\"\"\nb:\n- 1.0e+16\n- 1.5e-07\n- 2.5\nc:\n- '2001-12-14'\n- '.inf'\n- 'a:'"
        );
    }
}
