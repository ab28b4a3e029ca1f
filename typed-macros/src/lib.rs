//! `typed!("s3")` or `typed!("s3", ["PutObject", "GetObject"])`: a module named after the
//! service with Rust types and typed client methods generated from the embedded model at
//! compile time. This crate owns reading the macro's arguments and the models; the code it
//! writes is the `generate` module's, the runtime pieces it names are `sansboto-typed`'s.

// The core's table of botocore's parameter aliases, compiled here from the core's own file (the
// one copy; see that file for why it is not a dependency).
#[path = "../../core/src/customize/parameter_aliases.rs"]
mod aliases;
mod generate;
mod names;

use proc_macro::{Delimiter, TokenStream, TokenTree};

/// Generate the typed module of a service: `typed!("s3")` (every operation) or
/// `typed!("s3", ["PutObject", "GetObject"])` (those, and only the types they reach).
#[proc_macro]
pub fn typed(input: TokenStream) -> TokenStream {
    match parse_args(input).and_then(|(service, ops)| generate::service(&service, ops.as_deref())) {
        Ok(code) => code.parse().unwrap_or_else(|e| {
            compile_error(&format!(
                "sansboto_typed::typed!: generated code does not parse: {e}"
            ))
        }),
        Err(message) => compile_error(&format!("sansboto_typed::typed!: {message}")),
    }
}

fn compile_error(message: &str) -> TokenStream {
    format!("::core::compile_error!({message:?});")
        .parse()
        .unwrap_or_default()
}

fn string_literal(tree: &TokenTree) -> Result<String, String> {
    let text = tree.to_string();
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if !inner.contains('\\') => Ok(inner.to_string()),
        _ => Err(format!("expected a plain string literal, found `{text}`")),
    }
}

/// `"service"` then optionally `, [ "Op", ... ]`.
fn parse_args(input: TokenStream) -> Result<(String, Option<Vec<String>>), String> {
    let trees: Vec<TokenTree> = input.into_iter().collect();
    let service = string_literal(trees.first().ok_or("expected a service name")?)?;
    let ops = match trees.get(1..).unwrap_or_default() {
        [] => None,
        [TokenTree::Punct(p)] if p.as_char() == ',' => None,
        [TokenTree::Punct(p), TokenTree::Group(g), rest @ ..]
            if p.as_char() == ','
                && g.delimiter() == Delimiter::Bracket
                && (rest.is_empty()
                    || matches!(rest, [TokenTree::Punct(c)] if c.as_char() == ',')) =>
        {
            let mut ops = Vec::new();
            for tree in g.stream() {
                match &tree {
                    TokenTree::Punct(p) if p.as_char() == ',' => {}
                    other => ops.push(string_literal(other)?),
                }
            }
            Some(ops)
        }
        _ => return Err("expected `\"service\"` or `\"service\", [\"Operation\", ...]`".into()),
    };
    Ok((service, ops))
}
