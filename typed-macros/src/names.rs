//! Rust names for model names: types keep the model's CamelCase, members and methods become
//! snake_case, enum values become variants, and every name stays unique in its scope.

use std::collections::HashSet;

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
    "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// `SSECustomerKey` → `sse_customer_key`, `ContentMD5` → `content_md5`.
pub(crate) fn snake(name: &str) -> String {
    let chars: Vec<char> = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let next = chars.get(i + 1);
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    let out = out.trim_matches('_').to_string();
    let out = if out.is_empty() {
        "value".to_string()
    } else {
        out
    };
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{out}")
    } else {
        out
    }
}

/// An identifier for `snake`: keywords become raw identifiers, or get a `_` when they cannot.
pub(crate) fn ident(snake: &str) -> String {
    match snake {
        "self" | "super" | "crate" | "Self" | "_" => format!("{snake}_"),
        s if KEYWORDS.contains(&s) => format!("r#{s}"),
        s => s.to_string(),
    }
}

/// `STANDARD_IA` → `StandardIa`, `m5.large` → `M5Large`, `us-west-2` → `UsWest2`.
pub(crate) fn camel(value: &str) -> String {
    let mut out = String::new();
    let mut upper_next = true;
    let all_upper = !value.chars().any(|c| c.is_ascii_lowercase());
    for c in value.chars() {
        if c.is_ascii_alphanumeric() {
            if upper_next {
                out.push(c.to_ascii_uppercase());
            } else if all_upper {
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
            upper_next = false;
        } else {
            upper_next = true;
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

/// Names handed out in one scope, each once.
#[derive(Default)]
pub(crate) struct Scope(HashSet<String>);

impl Scope {
    /// A scope where `reserved` are taken already.
    pub(crate) fn with(reserved: &[&str]) -> Self {
        Scope(reserved.iter().map(|s| s.to_string()).collect())
    }

    /// `wanted`, or `wanted2`, `wanted3`... when taken.
    pub(crate) fn unique(&mut self, wanted: String) -> String {
        let mut name = wanted.clone();
        let mut n = 2;
        while !self.0.insert(name.clone()) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_keeps_acronyms_together() {
        assert_eq!(snake("SSECustomerKey"), "sse_customer_key");
        assert_eq!(snake("ContentMD5"), "content_md5");
        assert_eq!(snake("VpcId"), "vpc_id");
        assert_eq!(snake("ListObjectsV2"), "list_objects_v2");
        assert_eq!(ident(&snake("Type")), "r#type");
        assert_eq!(ident(&snake("Self")), "self_");
    }

    #[test]
    fn enum_values_become_variants() {
        assert_eq!(camel("STANDARD_IA"), "StandardIa");
        assert_eq!(camel("m5.large"), "M5Large");
        assert_eq!(camel("us-west-2"), "UsWest2");
        assert_eq!(camel("3"), "V3");
        let mut scope = Scope::default();
        assert_eq!(scope.unique("A".into()), "A");
        assert_eq!(scope.unique("A".into()), "A2");
    }
}
