//! The INI dialect of the shared AWS config and credentials files, parsed exactly as botocore's
//! `configloader` reads them through Python's `configparser.RawConfigParser`.
//!
//! The rules that matter (and that differ from "common" INI parsers):
//! - comments (`#`, `;`) are recognised only when they start a line (after optional
//!   indentation); there are no inline comments: `region = us-east-1 # x` keeps `# x`;
//! - `=` and `:` both separate a key from its value (the first of them on the line wins);
//! - keys are lower-cased, section names are not;
//! - a line indented deeper than its key line continues that key's value; a key whose value
//!   starts on the next line (`s3 =` followed by indented `k = v` lines) becomes a nested map;
//! - a section or key that appears twice in one file is an error, as is a key before any section;
//! - `[DEFAULT]` is not a section: its keys are fallbacks for every section;
//! - the text must be UTF-8 (a byte-order mark is *not* skipped, like botocore).
//!
//! Error messages carry line numbers but never line text: a malformed line may hold a secret.

use indexmap::IndexMap;
use std::collections::HashSet;

use super::ConfigError;

/// A value in a section: plain text, or a nested block (`s3 =` + indented `key = value` lines).
#[derive(Clone, PartialEq, Eq)]
pub enum ConfigValue {
    /// A plain value (continuation lines joined with `\n`).
    Text(String),
    /// A nested block: sub-key → value, in file order.
    Nested(IndexMap<String, String>),
}

impl ConfigValue {
    /// The text, or `None` for a nested block.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ConfigValue::Text(text) => Some(text),
            ConfigValue::Nested(_) => None,
        }
    }

    /// The nested block, or `None` for plain text.
    pub fn as_nested(&self) -> Option<&IndexMap<String, String>> {
        match self {
            ConfigValue::Text(_) => None,
            ConfigValue::Nested(map) => Some(map),
        }
    }
}

/// Values are hidden in `Debug`: sections hold secret keys and session tokens.
impl std::fmt::Debug for ConfigValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigValue::Text(_) => f.write_str("Text(<redacted>)"),
            ConfigValue::Nested(map) => f
                .debug_map()
                .entries(map.keys().map(|k| (k, "<redacted>")))
                .finish(),
        }
    }
}

/// One section's keys (lower-cased) and values, in file order.
pub type Section = IndexMap<String, ConfigValue>;

/// Python's `str.isspace()`: Unicode white space plus the four ASCII separators `\x1c`..`\x1f`.
pub(crate) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Python's `str.strip()`.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Lines as Python's text-mode file iteration yields them: `\r\n`, `\r` and `\n` all end a line.
fn universal_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.find(['\r', '\n']) {
            Some(end) => {
                let line = &rest[..end];
                let skip = if rest[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = &rest[end + skip..];
                Some(line)
            }
            None => {
                let line = rest;
                rest = "";
                Some(line)
            }
        }
    })
}

/// Python's `str.splitlines()` line boundaries (used for nested blocks).
pub(crate) fn py_splitlines(text: &str) -> impl Iterator<Item = &str> {
    let is_break = |c: char| {
        matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        )
    };
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.find(is_break) {
            Some(end) => {
                let line = &rest[..end];
                let skip = if rest[end..].starts_with("\r\n") {
                    2
                } else {
                    rest[end..].chars().next().map_or(1, char::len_utf8)
                };
                rest = &rest[end + skip..];
                Some(line)
            }
            None => {
                let line = rest;
                rest = "";
                Some(line)
            }
        }
    })
}

/// Where the parser is writing keys: a named section or the `[DEFAULT]` fallbacks.
#[derive(Clone, Copy)]
enum Target {
    Section(usize),
    Defaults,
}

type RawSection = IndexMap<String, Vec<String>>;

/// The lines collected so far for `option` in the section being written.
fn value_lines<'m>(
    target: Option<Target>,
    sections: &'m mut IndexMap<String, RawSection>,
    defaults: &'m mut RawSection,
    option: &str,
) -> Option<&'m mut Vec<String>> {
    let section = match target? {
        Target::Section(i) => sections.get_index_mut(i)?.1,
        Target::Defaults => defaults,
    };
    section.get_mut(option)
}

/// Parses INI text into section name → raw joined values (configparser's `_read`).
fn read_raw(text: &str) -> Result<(IndexMap<String, RawSection>, RawSection), ConfigError> {
    let mut sections: IndexMap<String, RawSection> = IndexMap::new();
    let mut defaults: RawSection = IndexMap::new();
    let mut seen_sections: HashSet<String> = HashSet::new();
    let mut seen_options: HashSet<(String, String)> = HashSet::new();
    let mut bad_lines: Vec<usize> = Vec::new();
    let mut target: Option<Target> = None;
    let mut section_name = String::new();
    let mut option: Option<String> = None;
    let mut indent_level = 0usize;

    for (index, line) in universal_lines(text).enumerate() {
        let line_number = index + 1;
        let value = py_strip(line);
        if value.starts_with('#') || value.starts_with(';') {
            // A comment line neither ends nor extends a multi-line value.
            continue;
        }
        if value.is_empty() {
            // configparser keeps blank lines inside values (trailing ones are stripped later).
            if let Some(name) = option.as_deref() {
                if let Some(values) = value_lines(target, &mut sections, &mut defaults, name) {
                    values.push(String::new());
                }
            }
            continue;
        }
        let indent = line.chars().take_while(|&c| is_py_space(c)).count();
        if target.is_some() && option.is_some() && indent > indent_level {
            if let Some(name) = option.as_deref() {
                if let Some(values) = value_lines(target, &mut sections, &mut defaults, name) {
                    values.push(value.to_string());
                }
            }
            continue;
        }
        indent_level = indent;
        if let Some(header) = section_header(value) {
            if seen_sections.contains(header) {
                return Err(ConfigError::DuplicateSection {
                    line: line_number,
                    section: header.to_string(),
                });
            }
            if header == "DEFAULT" {
                target = Some(Target::Defaults);
            } else {
                let (i, _) = sections.insert_full(header.to_string(), IndexMap::new());
                seen_sections.insert(header.to_string());
                target = Some(Target::Section(i));
            }
            section_name = header.to_string();
            option = None;
            continue;
        }
        let Some(current_target) = target else {
            return Err(ConfigError::MissingSectionHeader { line: line_number });
        };
        let Some(delimiter) = value.find(['=', ':']) else {
            // configparser collects bad lines and reports them all at the end.
            bad_lines.push(line_number);
            continue;
        };
        let name = value[..delimiter]
            .trim_end_matches(is_py_space)
            .to_lowercase();
        let text = py_strip(&value[delimiter + 1..]).to_string();
        if name.is_empty() {
            bad_lines.push(line_number);
        }
        if !seen_options.insert((section_name.clone(), name.clone())) {
            return Err(ConfigError::DuplicateKey {
                line: line_number,
                section: section_name.clone(),
                key: name,
            });
        }
        let section = match current_target {
            Target::Section(i) => match sections.get_index_mut(i) {
                Some((_, section)) => section,
                None => continue,
            },
            Target::Defaults => &mut defaults,
        };
        section.insert(name.clone(), vec![text]);
        option = Some(name);
    }
    if !bad_lines.is_empty() {
        return Err(ConfigError::InvalidLines { lines: bad_lines });
    }
    Ok((sections, defaults))
}

/// `[name]` → `name` (Python's `\[(?P<header>.+)\]` matched at the start: up to the last `]`).
fn section_header(value: &str) -> Option<&str> {
    let inner = value.strip_prefix('[')?;
    let end = inner.rfind(']')?;
    (end > 0).then(|| &inner[..end])
}

/// configparser joins a value's lines with `\n` and strips trailing white space.
fn join_value(lines: &[String]) -> String {
    let mut joined = lines.join("\n");
    let kept = joined.trim_end_matches(is_py_space).len();
    joined.truncate(kept);
    joined
}

/// botocore's `_parse_nested`: every non-blank line must be `key = value`.
fn parse_nested(
    text: &str,
    section: &str,
    key: &str,
) -> Result<IndexMap<String, String>, ConfigError> {
    let mut nested = IndexMap::new();
    for line in py_splitlines(text) {
        let line = py_strip(line);
        if line.is_empty() {
            continue;
        }
        let Some((sub_key, sub_value)) = line.split_once('=') else {
            return Err(ConfigError::InvalidNestedValue {
                section: section.to_string(),
                key: key.to_string(),
            });
        };
        nested.insert(
            py_strip(sub_key).to_string(),
            py_strip(sub_value).to_string(),
        );
    }
    Ok(nested)
}

/// Parses the whole text into finished sections (nested blocks parsed when `subsections`).
pub(crate) fn parse_sections(
    text: &str,
    subsections: bool,
) -> Result<IndexMap<String, Section>, ConfigError> {
    let (raw_sections, raw_defaults) = read_raw(text)?;
    let defaults: Vec<(String, String)> = raw_defaults
        .iter()
        .map(|(k, v)| (k.clone(), join_value(v)))
        .collect();
    let mut sections = IndexMap::with_capacity(raw_sections.len());
    for (name, raw) in raw_sections {
        let mut section = Section::with_capacity(raw.len() + defaults.len());
        let entries = raw.iter().map(|(k, v)| (k.clone(), join_value(v)));
        // `[DEFAULT]` keys come after the section's own and never override them.
        let fallbacks = defaults
            .iter()
            .filter(|(k, _)| !raw.contains_key(k))
            .cloned();
        for (key, text) in entries.chain(fallbacks) {
            let value = if subsections && text.starts_with('\n') {
                ConfigValue::Nested(parse_nested(&text, &name, &key)?)
            } else {
                ConfigValue::Text(text)
            };
            section.insert(key, value);
        }
        sections.insert(name, section);
    }
    Ok(sections)
}

/// Python's `shlex.split` (POSIX mode, no comments), used by botocore to read section names
/// such as `profile "my profile"`. `None` when a quote is unclosed or an escape dangles.
pub(crate) fn shell_split(text: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match quote {
            None => match c {
                ' ' | '\t' | '\r' | '\n' => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                '\\' => {
                    word.push(chars.next()?);
                    in_word = true;
                }
                '"' | '\'' => {
                    quote = Some(c);
                    in_word = true;
                }
                _ => {
                    word.push(c);
                    in_word = true;
                }
            },
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' => {
                let escaped = chars.next()?;
                if escaped != '"' && escaped != '\\' {
                    word.push('\\');
                }
                word.push(escaped);
            }
            Some(_) => word.push(c),
        }
    }
    if quote.is_some() {
        return None;
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<'a>(sections: &'a IndexMap<String, Section>, s: &str, k: &str) -> Option<&'a str> {
        sections.get(s)?.get(k)?.as_text()
    }

    #[test]
    fn no_inline_comments_and_both_delimiters() {
        let s = parse_sections(
            "[default]\nregion = us-east-1 # not a comment\n  # indented comment\nA:b=c\n",
            true,
        )
        .unwrap();
        assert_eq!(
            text(&s, "default", "region"),
            Some("us-east-1 # not a comment")
        );
        assert_eq!(text(&s, "default", "a"), Some("b=c"));
    }

    #[test]
    fn continuation_blank_lines_and_crlf() {
        let s = parse_sections("[x]\r\nk = a\r\n\r\n   b\r\n\r\n", true).unwrap();
        assert_eq!(text(&s, "x", "k"), Some("a\n\nb"));
    }

    #[test]
    fn default_section_is_a_fallback() {
        let s = parse_sections("[DEFAULT]\nregion = r1\nk = d\n[a]\nk = own\n", true).unwrap();
        assert!(!s.contains_key("DEFAULT"));
        assert_eq!(text(&s, "a", "k"), Some("own"));
        assert_eq!(text(&s, "a", "region"), Some("r1"));
    }

    #[test]
    fn errors() {
        assert!(matches!(
            parse_sections("k = v\n", true),
            Err(ConfigError::MissingSectionHeader { line: 1 })
        ));
        assert!(matches!(
            parse_sections("[a]\n[a]\n", true),
            Err(ConfigError::DuplicateSection { line: 2, .. })
        ));
        assert!(matches!(
            parse_sections("[a]\nk=1\nK=2\n", true),
            Err(ConfigError::DuplicateKey { line: 3, .. })
        ));
        assert!(matches!(
            parse_sections("[a]\nsecretwithoutdelimiter\n= x\n", true),
            Err(ConfigError::InvalidLines { ref lines }) if lines == &[2, 3]
        ));
        let err = parse_sections("[a]\nsecretwithoutdelimiter\n", true).unwrap_err();
        assert!(!err.to_string().contains("secretwithout"));
        assert!(parse_sections("\u{feff}[a]\n", true).is_err());
    }

    #[test]
    fn nested_values() {
        let s = parse_sections("[a]\ns3 =\n  x = 1\n\n  y=2\nplain = v\n  more\n", true).unwrap();
        let nested = s["a"]["s3"].as_nested().unwrap();
        assert_eq!(nested["x"], "1");
        assert_eq!(nested["y"], "2");
        assert_eq!(text(&s, "a", "plain"), Some("v\nmore"));
        let raw = parse_sections("[a]\ns3 =\n  x = 1\n", false).unwrap();
        assert_eq!(text(&raw, "a", "s3"), Some("\nx = 1"));
    }

    #[test]
    fn odd_input_never_panics() {
        let samples = [
            "[",
            "]",
            "[]",
            "[]]",
            "[a]\n\u{2028}x=\u{85}",
            "[a]\nk=\n \u{1c}\n  é = ü\n",
            "[a]\n=\n:\n",
            "[a] trailing\nk:v\n  \u{3000}cont\n",
            "\r\r\n\n",
            "[DEFAULT]\n[DEFAULT]\n",
        ];
        for sample in samples {
            let _ = parse_sections(sample, true);
            let _ = parse_sections(sample, false);
        }
        let s = parse_sections("[a] trailing\nk:v\n", true).unwrap();
        assert_eq!(text(&s, "a", "k"), Some("v"));
    }

    #[test]
    fn shell_split_like_shlex() {
        assert_eq!(
            shell_split("profile \"my profile\"").unwrap(),
            ["profile", "my profile"]
        );
        assert_eq!(shell_split("profile 'a b' c").unwrap().len(), 3);
        assert_eq!(shell_split("a \"\"").unwrap(), ["a", ""]);
        assert_eq!(shell_split(r#"a "x\"y\z""#).unwrap(), ["a", r#"x"y\z"#]);
        assert!(shell_split("profile \"missing").is_none());
        assert!(shell_split("a \\").is_none());
    }
}
