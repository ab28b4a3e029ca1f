//! The YAML of `--cli-input-yaml`, read into JSON: block mappings and sequences by
//! indentation (`key: value`, `- item`, `- key: value` items), plain scalars typed as YAML 1.1
//! types them (`true`/`false`, `null`/`~`, integers, floats, else strings), single- and
//! double-quoted strings, flow `[…]`/`{…}` written as JSON, and `#` comments. Anchors, tags,
//! multi-document streams and block scalars (`|`, `>`) are refused with a message rather than
//! misread.

use serde_json::{Map, Value as J};

/// Parse `text` into JSON.
pub(crate) fn parse(text: &str) -> Result<J, String> {
    let mut lines: Vec<(usize, String, usize)> = Vec::new();
    for (number, raw) in text.lines().enumerate() {
        let line = strip_comment(raw);
        if line.trim().is_empty() || line.trim() == "---" {
            continue;
        }
        if line
            .trim_start()
            .starts_with(['&', '*', '!', '|', '>', '%'])
        {
            return Err(format!(
                "line {}: unsupported YAML: {}",
                number + 1,
                raw.trim()
            ));
        }
        let indent = line.len() - line.trim_start().len();
        lines.push((indent, line.trim_end().to_string(), number + 1));
    }
    if lines.is_empty() {
        return Ok(J::Null);
    }
    let mut pos = 0;
    let indent = lines[0].0;
    let value = block(&lines, &mut pos, indent, 0)?;
    if let Some((_, line, number)) = lines.get(pos) {
        return Err(format!("line {number}: unexpected {:?}", line.trim()));
    }
    Ok(value)
}

/// The line without a comment (`#` at its start or after a space, outside quotes).
fn strip_comment(line: &str) -> String {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '#' && previous.is_whitespace() => return line[..i].to_string(),
            None => {}
        }
        previous = c;
    }
    line.to_string()
}

type Lines = [(usize, String, usize)];

/// How deeply blocks may nest: as deep as JSON values may (serde_json's limit). Deeper text is
/// refused rather than read by recursion until the stack overflows (PyYAML, aws-cli's reader,
/// stops at Python's recursion limit).
const MAX_DEPTH: usize = 128;

/// The block at `indent` starting at `pos`, `depth` blocks deep: a sequence or a mapping.
fn block(lines: &Lines, pos: &mut usize, indent: usize, depth: usize) -> Result<J, String> {
    let (_, first, number) = &lines[*pos];
    if depth >= MAX_DEPTH {
        return Err(format!(
            "line {number}: blocks nest more than {MAX_DEPTH} levels deep"
        ));
    }
    let first = first.trim_start();
    if first == "-" || first.starts_with("- ") {
        let mut items = Vec::new();
        while let Some((i, line, number)) = lines.get(*pos) {
            let content = line.trim_start();
            if *i != indent || !(content == "-" || content.starts_with("- ")) {
                if *i > indent {
                    return Err(format!("line {number}: bad indentation"));
                }
                break;
            }
            let rest = content[1..].trim_start();
            *pos += 1;
            if rest.is_empty() {
                // An empty item is null unless a deeper block follows (a sequence at the
                // dash's own indentation is the next item, not this one's value).
                items.push(nested(lines, pos, indent, depth, false)?);
            } else if split_key(rest).is_some() {
                // A mapping item: its first key on the dash's line, the rest indented under it.
                let item_indent = indent + (content.len() - rest.len());
                let mut synthetic: Vec<(usize, String, usize)> = vec![(
                    item_indent,
                    format!("{}{rest}", " ".repeat(item_indent)),
                    *number,
                )];
                while let Some((i, l, n)) = lines.get(*pos) {
                    if *i < item_indent {
                        break;
                    }
                    synthetic.push((*i, l.clone(), *n));
                    *pos += 1;
                }
                let mut inner = 0;
                items.push(block(&synthetic, &mut inner, item_indent, depth + 1)?);
                if inner != synthetic.len() {
                    return Err(format!("line {}: bad indentation", synthetic[inner].2));
                }
            } else {
                items.push(scalar(rest)?);
            }
        }
        return Ok(J::Array(items));
    }
    let mut map = Map::new();
    while let Some((i, line, number)) = lines.get(*pos) {
        if *i < indent {
            break;
        }
        if *i > indent {
            return Err(format!("line {number}: bad indentation"));
        }
        let content = line.trim_start();
        let Some((key, rest)) = split_key(content) else {
            return Err(format!(
                "line {number}: expected `key: value`, found {content:?}"
            ));
        };
        *pos += 1;
        let value = if rest.is_empty() {
            nested(lines, pos, indent, depth, true)?
        } else {
            scalar(rest)?
        };
        if map.insert(key, value).is_some() {
            return Err(format!("line {number}: a key is given twice"));
        }
    }
    Ok(J::Object(map))
}

/// What follows `key:` or `-` with nothing after it: a deeper block, a sequence at the same
/// indentation after a key (`same_indent_sequence`: YAML allows `key:\n- item`), or null.
fn nested(
    lines: &Lines,
    pos: &mut usize,
    indent: usize,
    depth: usize,
    same_indent_sequence: bool,
) -> Result<J, String> {
    match lines.get(*pos) {
        Some((i, _, _)) if *i > indent => {
            let deeper = *i;
            block(lines, pos, deeper, depth + 1)
        }
        Some((i, line, _))
            if same_indent_sequence && *i == indent && line.trim_start().starts_with('-') =>
        {
            block(lines, pos, indent, depth + 1)
        }
        _ => Ok(J::Null),
    }
}

/// `key: rest` (the key unquoted), if the text is a mapping entry.
fn split_key(text: &str) -> Option<(String, &str)> {
    if let Some(quote) = text.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = text[1..].find(quote)? + 1;
        let rest = text[end + 1..].strip_prefix(':')?;
        if !(rest.is_empty() || rest.starts_with(' ')) {
            return None;
        }
        let key = match scalar(&text[..=end]).ok()? {
            J::String(s) => s,
            _ => return None,
        };
        return Some((key, rest.trim()));
    }
    let at = text
        .find(": ")
        .or_else(|| text.strip_suffix(':').map(|t| t.len()))?;
    if text.starts_with(['[', '{']) {
        return None;
    }
    Some((text[..at].trim().to_string(), text[at + 1..].trim()))
}

/// A scalar or a flow collection.
fn scalar(text: &str) -> Result<J, String> {
    let text = text.trim();
    if text.starts_with(['|', '>', '&', '*', '!', '%', '@', '`']) {
        return Err(format!("unsupported YAML value: {text}"));
    }
    if let Some(inner) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        return Ok(J::String(inner.replace("''", "'")));
    }
    if text.starts_with('"') {
        return serde_json::from_str(text).map_err(|e| format!("bad quoted string {text}: {e}"));
    }
    if text.starts_with(['[', '{']) {
        return serde_json::from_str(text)
            .map_err(|e| format!("flow collections must be written as JSON ({text}): {e}"));
    }
    Ok(match text {
        "null" | "Null" | "NULL" | "~" => J::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => J::Bool(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => J::Bool(false),
        _ => {
            if let Ok(i) = text.parse::<i64>() {
                J::from(i)
            } else if text.contains(['.', 'e', 'E'])
                && text.parse::<f64>().is_ok_and(f64::is_finite)
                && text
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit() || "+-.".contains(c))
            {
                serde_json::Number::from_f64(text.parse().unwrap_or(0.0)).map_or(J::Null, J::Number)
            } else {
                J::String(text.to_string())
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn skeleton_shaped_documents() {
        let doc = "\
# an input document
Bucket: my-bucket
Key: 'path/to key'
Tagging:
  TagSet:
  - Key: a
    Value: '1'
  - Key: b
    Value: two # comment
Count: 3
Ratio: 0.5
Enabled: true
Nothing: null
Empty: []
Ids:
  - i-1
  - \"i-2\"
";
        assert_eq!(
            parse(doc).unwrap(),
            json!({"Bucket": "my-bucket", "Key": "path/to key",
                   "Tagging": {"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "two"}]},
                   "Count": 3, "Ratio": 0.5, "Enabled": true, "Nothing": null, "Empty": [],
                   "Ids": ["i-1", "i-2"]})
        );
    }

    #[test]
    fn empty_items_are_null_as_pyyaml_reads_them() {
        // Once `[[null]]`: the next dash was taken for the empty item's value.
        assert_eq!(
            parse("Buckets:\n-\n-\n").unwrap(),
            json!({"Buckets": [null, null]})
        );
        assert_eq!(parse("- a\n-\n- b\n").unwrap(), json!(["a", null, "b"]));
        assert_eq!(
            parse("A:\n-\n  - x\n-\n").unwrap(),
            json!({"A": [["x"], null]})
        );
    }

    #[test]
    fn nesting_deeper_than_json_allows_is_refused_not_a_stack_overflow() {
        let deep = |levels: usize| {
            (0..levels)
                .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
                .collect::<String>()
        };
        assert!(parse(&deep(100)).is_ok());
        let e = parse(&deep(2_000)).unwrap_err();
        assert!(e.contains("nest more than 128 levels"), "{e}");
        // Half a million empty items: a flat list, read without recursion.
        let items = format!("Buckets:\n{}", "-\n".repeat(500_000));
        assert_eq!(
            parse(&items).unwrap()["Buckets"].as_array().map(Vec::len),
            Some(500_000)
        );
    }

    #[test]
    fn refusals() {
        assert!(parse("a: &anchor 1").is_err());
        assert!(parse("a: |\n  text").is_err());
        assert!(parse("a: 1\na: 2").is_err());
        assert!(parse("a: 1\n   b: 2").is_err());
    }
}
