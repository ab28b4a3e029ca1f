//! The code of one service's typed module, written as text from the model's JSON: the types
//! (`types`), one error enum per operation (`errors`), operation markers (`operations`), and
//! the extension trait with the typed methods, paginators and waiters.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use serde_json::Value as Json;

use crate::names::{camel, ident, snake, Scope};

const P: &str = "::sansboto_typed::__private";
const TYPED: &str = "::sansboto_typed";

use crate::aliases::PARAMETER_ALIASES;

/// The model's data for one service, and the Rust name of each shape that gets a type.
struct Model<'m> {
    shapes: &'m serde_json::Map<String, Json>,
    /// The service's documentation as text (`sansboto_models::service_docs`: `operations` by
    /// name, `members` by `Shape.Member`), `Null` without the `docs` feature.
    docs: &'m Json,
    /// Shape name → type name, for structures and enums.
    types: BTreeMap<String, String>,
    /// Input shape → (modeled member, public alias) of the parameter aliases that apply.
    aliases: HashMap<String, Vec<(&'static str, &'static str)>>,
}

impl<'m> Model<'m> {
    fn shape(&self, name: &str) -> &'m Json {
        self.shapes.get(name).unwrap_or(&Json::Null)
    }

    /// The documentation of operation `op`, as doc attributes.
    fn op_doc(&self, op: &str) -> String {
        doc(self.docs["operations"][op].as_str())
    }

    /// The documentation of member `member` of structure `shape`, as doc attributes.
    fn member_doc(&self, shape: &str, member: &str) -> String {
        doc(self.docs["members"][format!("{shape}.{member}")].as_str())
    }

    fn is_struct(&self, name: &str) -> bool {
        let s = self.shape(name);
        s["type"] == "structure" && s["document"] != true && s["eventstream"] != true
    }

    fn is_enum(&self, name: &str) -> bool {
        let s = self.shape(name);
        s["type"] == "string" && s["enum"].is_array() && s["streaming"] != true
    }

    /// The Rust type of a value of shape `name`, seen from a module where the types module is
    /// `types` (`super::types` in sibling modules).
    fn rust_type(&self, name: &str, types: &str) -> String {
        let s = self.shape(name);
        let streaming = s["streaming"] == true;
        match s["type"].as_str().unwrap_or_default() {
            "structure" if self.is_struct(name) => format!("{types}::{}", self.types[name]),
            "structure" => format!("{P}::Value"),
            "list" => format!(
                "::std::vec::Vec<{}>",
                self.rust_type(s["member"]["shape"].as_str().unwrap_or_default(), types)
            ),
            "map" => format!(
                "{P}::IndexMap<::std::string::String, {}>",
                self.rust_type(s["value"]["shape"].as_str().unwrap_or_default(), types)
            ),
            "string" if self.is_enum(name) => format!("{types}::{}", self.types[name]),
            "string" | "blob" if streaming => format!("{TYPED}::Payload"),
            "string" => "::std::string::String".into(),
            "blob" => format!("{P}::Bytes"),
            "integer" | "short" | "byte" => "i32".into(),
            "long" | "bigInteger" => "i64".into(),
            "float" => "f32".into(),
            "double" | "bigDecimal" => "f64".into(),
            "boolean" => "bool".into(),
            "timestamp" => format!("{P}::Timestamp"),
            _ => format!("{P}::Value"),
        }
    }

    /// Structures reached from `name` through structure members held inline (not through
    /// lists or maps, which are on the heap already).
    fn inline_structs(&self, name: &str) -> Vec<&'m str> {
        self.shape(name)["members"]
            .as_object()
            .map(|m| {
                m.values()
                    .filter_map(|m| m["shape"].as_str())
                    .filter(|t| self.is_struct(t))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A member from `from` to structure `to` must be boxed when `to` holds `from` inline,
    /// directly or not (the type would have infinite size).
    fn cycles(&self, from: &str, to: &str) -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![to];
        while let Some(s) = stack.pop() {
            if s == from {
                return true;
            }
            if seen.insert(s) {
                stack.extend(self.inline_structs(s));
            }
        }
        false
    }
}

/// Every shape reachable from `roots`.
fn reachable<'m>(
    shapes: &'m serde_json::Map<String, Json>,
    roots: Vec<&'m str>,
) -> BTreeSet<&'m str> {
    let mut seen = BTreeSet::new();
    let mut stack = roots;
    while let Some(name) = stack.pop() {
        if !seen.insert(name) {
            continue;
        }
        let Some(s) = shapes.get(name) else { continue };
        for key in ["member", "key", "value"] {
            if let Some(t) = s[key]["shape"].as_str() {
                stack.push(t);
            }
        }
        if let Some(m) = s["members"].as_object() {
            stack.extend(m.values().filter_map(|m| m["shape"].as_str()));
        }
    }
    seen
}

/// Documentation text as a doc attribute ("" for none). The text is the models crate's: the
/// model's HTML already rendered to paragraphs and `- ` list items (`models/update`), which is
/// Markdown as rustdoc reads it; only `<` is escaped, so that text such as `x-amz-meta-<name>`
/// is not taken for an HTML tag.
fn doc(text: Option<&str>) -> String {
    match text.map(str::trim) {
        Some(text) if !text.is_empty() => format!("#[doc = {:?}]\n", text.replace('<', "&lt;")),
        _ => String::new(),
    }
}

/// The service's documentation when the models crate has it compiled in (the `docs` feature);
/// `Null` otherwise.
fn service_docs(service: &str) -> Result<Json, String> {
    match sansboto_models::service_docs(service) {
        None => Ok(Json::Null),
        Some(Ok(bytes)) => {
            serde_json::from_slice(&bytes).map_err(|e| format!("{service} documentation: {e}"))
        }
        Some(Err(e)) => Err(format!("{service} documentation: {e}")),
    }
}

/// The typed module of `service`, for every operation or those in `only`.
pub(crate) fn service(service: &str, only: Option<&[String]>) -> Result<String, String> {
    let service = sansboto_models::resolve_alias(service).to_string();
    // Only the embedded models: what the macro generates must not depend on the environment
    // it happens to be compiled in (cargo would not rebuild when that changes).
    let loader = sansboto_models::Loader::new();
    let load = |kind| -> Result<Option<Json>, String> {
        match loader.load(&service, None, kind) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| format!("{service} {kind:?}: {e}")),
            Err(_) if kind != sansboto_models::FileKind::ServiceModel => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    };
    let model = load(sansboto_models::FileKind::ServiceModel)?.ok_or("no model")?;
    let paginators = load(sansboto_models::FileKind::Paginators)?;
    let waiters = load(sansboto_models::FileKind::Waiters)?;
    let empty = serde_json::Map::new();
    let shapes = model["shapes"].as_object().unwrap_or(&empty);
    let all_ops = model["operations"]
        .as_object()
        .ok_or("the model has no operations")?;

    let ops: Vec<(&String, &Json)> = match only {
        None => all_ops.iter().collect(),
        Some(names) => {
            let mut ops = Vec::new();
            for name in names {
                let found = all_ops
                    .iter()
                    .find(|(op, _)| *op == name || snake(op) == snake(name))
                    .ok_or_else(|| format!("{service} has no operation {name:?}"))?;
                ops.push(found);
            }
            ops
        }
    };

    let mut roots = Vec::new();
    for (_, op) in &ops {
        for key in ["input", "output"] {
            if let Some(s) = op[key]["shape"].as_str() {
                roots.push(s);
            }
        }
        for e in op["errors"].as_array().into_iter().flatten() {
            if let Some(s) = e["shape"].as_str() {
                roots.push(s);
            }
        }
    }
    let used = reachable(shapes, roots);

    let docs = service_docs(&service)?;
    let mut m = Model {
        shapes,
        docs: &docs,
        types: BTreeMap::new(),
        aliases: HashMap::new(),
    };
    for (alias_service, alias_op, modeled, alias) in PARAMETER_ALIASES {
        if alias_service != service {
            continue;
        }
        for (name, op) in &ops {
            if alias_op == "*" || alias_op == name.as_str() {
                if let Some(input) = op["input"]["shape"].as_str() {
                    m.aliases
                        .entry(input.to_string())
                        .or_default()
                        .push((modeled, alias));
                }
            }
        }
    }
    let mut type_scope = Scope::default();
    for name in &used {
        if m.is_struct(name) || m.is_enum(name) {
            let rust = type_scope.unique(camel_type(name));
            m.types.insert(name.to_string(), rust);
        }
    }

    let mut types = String::new();
    for name in &used {
        if m.is_struct(name) {
            write_struct(&mut types, &m, name);
        } else if m.is_enum(name) {
            write_enum(&mut types, &m, name);
        }
    }

    let mut errors = String::new();
    let mut operations = String::new();
    let mut visit = String::new();
    let mut trait_decl = String::new();
    let mut trait_impl = String::new();
    let mut methods = Scope::default();
    let io_type = |op: &Json, key: &str| match op[key]["shape"].as_str() {
        Some(s) if m.is_struct(s) => format!("types::{}", m.types[s]),
        _ => format!("{TYPED}::Empty"),
    };
    let mut error_of: HashMap<&str, String> = HashMap::new();
    for (name, op) in &ops {
        let op_ty = camel_type(name);
        let error_ty = format!("{op_ty}Error");
        error_of.insert(name.as_str(), error_ty.clone());
        write_error(&mut errors, &m, name, op, &error_ty);
        let input = io_type(op, "input");
        let output = io_type(op, "output");
        let from_sibling = |ty: &str| match ty.starts_with("types::") {
            true => format!("super::{ty}"),
            false => ty.to_string(),
        };
        let (op_input, op_output) = (from_sibling(&input), from_sibling(&output));
        let _ = write!(
            operations,
            "{doc}pub struct {op_ty};\nimpl {TYPED}::TypedOperation for {op_ty} {{\n\
             const SERVICE: &'static str = {service:?};\nconst NAME: &'static str = {name:?};\n\
             type Input = {op_input};\ntype Output = {op_output};\n\
             type Error = super::errors::{error_ty};\n}}\n",
            doc = match m.op_doc(name) {
                d if d.is_empty() => doc(Some(&format!("The `{name}` operation."))),
                d => d,
            }
        );
        let _ = writeln!(visit, "visitor.visit::<operations::{op_ty}>();");
        let method = methods.unique(ident(&snake(name)));
        let sig = format!(
            "fn {method}(&self, input: {input}) -> <T as {P}::Transport>::Run<'_, \
             ::core::result::Result<{output}, errors::{error_ty}>>"
        );
        let _ = writeln!(trait_decl, "{}{sig};", m.op_doc(name));
        let _ = writeln!(
            trait_impl,
            "{sig} {{ {TYPED}::call::<T, operations::{op_ty}>(self, input) }}"
        );
        if let Some(true) = paginators
            .as_ref()
            .map(|p| p["pagination"].get(name.as_str()).is_some())
        {
            let method = methods.unique(format!("paginate_{}", snake(name)));
            let sig = format!(
                "fn {method}(&self, input: {input}, options: {P}::PaginationOptions) -> \
                 ::core::result::Result<{TYPED}::TypedPages<'_, T, operations::{op_ty}>, errors::{error_ty}>"
            );
            let _ = writeln!(
                trait_decl,
                "{}{sig};",
                doc(Some(&format!("Pages of `{name}`, typed.")))
            );
            let _ = writeln!(
                trait_impl,
                "{sig} {{ {TYPED}::paginate::<T, operations::{op_ty}>(self, input, options) }}"
            );
        }
    }
    if let Some(waiters) = waiters.as_ref().and_then(|w| w["waiters"].as_object()) {
        for (waiter, config) in waiters {
            let Some(op_name) = config["operation"].as_str() else {
                continue;
            };
            let Some((_, op)) = ops.iter().find(|(n, _)| *n == op_name) else {
                continue;
            };
            let input = io_type(op, "input");
            let method = methods.unique(format!("wait_until_{}", snake(waiter)));
            let sig = format!(
                "fn {method}(&self, input: {input}, delay: ::core::option::Option<::core::time::Duration>, \
                 max_attempts: ::core::option::Option<u32>) -> <T as {P}::Transport>::Run<'_, \
                 ::core::result::Result<(), {TYPED}::TypedError>>"
            );
            let _ = writeln!(
                trait_decl,
                "{}{sig};",
                doc(Some(&format!(
                    "Wait until `{waiter}` (polling `{op_name}`)."
                )))
            );
            let _ = writeln!(
                trait_impl,
                "{sig} {{ {TYPED}::wait::<T, operations::{}>(self, {waiter:?}, input, delay, max_attempts) }}",
                camel_type(op_name)
            );
        }
    }

    let module = ident(&service.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
    let trait_name = camel(&service);
    let mut out = String::new();
    let _ = write!(
        out,
        "#[allow(clippy::all, clippy::pedantic, unused_mut, unused_variables, non_camel_case_types, \
         missing_docs, rustdoc::all)]\n\
         #[doc = {module_doc:?}]\n{service_doc}\
         pub mod {module} {{\n\
         /// The structures and enums of the operations generated.\n\
         pub mod types {{\n{types}}}\n\
         /// One error enum per operation: its modeled errors, then everything else.\n\
         pub mod errors {{\n{errors}}}\n\
         /// One marker type per operation, naming its input, output and error types.\n\
         pub mod operations {{\n{operations}}}\n\
         /// Run `visitor` on every operation generated.\n\
         pub fn for_each_operation<V: {TYPED}::OperationVisitor>(visitor: &mut V) {{\n{visit}}}\n\
         /// The typed methods, on the client of every transport.\n\
         pub trait {trait_name}<T: {P}::Transport> {{\n{trait_decl}}}\n\
         impl<T: {P}::Transport> {trait_name}<T> for {P}::Client<T> {{\n{trait_impl}}}\n\
         }}\n",
        module_doc = format!("Typed `{service}` ({} operations), generated from its botocore model.", ops.len()),
        service_doc = doc(docs["service"].as_str()),
    );
    Ok(out)
}

fn camel_type(shape: &str) -> String {
    let cleaned: String = shape
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if cleaned
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase())
    {
        let mut c = cleaned.chars();
        let first = c.next().map(|f| f.to_ascii_uppercase()).unwrap_or('V');
        return std::iter::once(first).chain(c).collect();
    }
    camel(&cleaned)
}

fn write_struct(out: &mut String, m: &Model<'_>, name: &str) {
    let shape = m.shape(name);
    let rust = &m.types[name];
    let members: Vec<(&String, &Json)> = shape["members"]
        .as_object()
        .map(|o| o.iter().collect())
        .unwrap_or_default();
    let mut fields = Scope::default();
    let mut decl = String::new();
    let mut debug = String::new();
    let mut into = String::new();
    let mut from = String::new();
    let aliases = m.aliases.get(name).map(Vec::as_slice).unwrap_or_default();
    for (member, spec) in &members {
        let target = spec["shape"].as_str().unwrap_or_default();
        let modeled = member.as_str();
        let member = aliases
            .iter()
            .find(|(m, _)| *m == modeled)
            .map(|(_, alias)| *alias)
            .unwrap_or(modeled);
        let field = fields.unique(ident(&snake(member)));
        let mut ty = m.rust_type(target, "self");
        // `streaming` is a trait of the member in most models, of the shape in a few.
        let kind = m.shape(target)["type"].as_str().unwrap_or_default();
        if spec["streaming"] == true && (kind == "blob" || kind == "string") {
            ty = format!("{TYPED}::Payload");
        }
        if m.is_struct(target) && m.cycles(name, target) {
            ty = format!("::std::boxed::Box<{ty}>");
        }
        let _ = writeln!(
            decl,
            "{}pub {field}: ::core::option::Option<{ty}>,",
            m.member_doc(name, modeled)
        );
        let sensitive = spec["sensitive"] == true || m.shape(target)["sensitive"] == true;
        let shown = field.trim_start_matches("r#");
        if sensitive {
            let _ = writeln!(
                debug,
                ".field({shown:?}, &{TYPED}::Redacted(&self.{field}))"
            );
        } else {
            let _ = writeln!(debug, ".field({shown:?}, &self.{field})");
        }
        let _ = writeln!(into, "{P}::put(&mut map, {member:?}, self.{field});");
        if member == modeled {
            let _ = writeln!(from, "{field}: {P}::take(&mut map, {member:?})?,");
        } else {
            // Parameters may use either name, as botocore accepts both.
            let _ = writeln!(
                from,
                "{field}: match {P}::take(&mut map, {member:?})? {{ \
                 ::core::option::Option::Some(v) => ::core::option::Option::Some(v), \
                 ::core::option::Option::None => {P}::take(&mut map, {modeled:?})?, }},"
            );
        }
    }
    let _ = write!(
        out,
        "#[derive(Clone, Default, PartialEq)]\npub struct {rust} {{\n{decl}}}\n\
         impl ::core::fmt::Debug for {rust} {{\nfn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\n\
         f.debug_struct({rust:?})\n{debug}.finish()\n}}\n}}\n\
         impl {TYPED}::IntoValue for {rust} {{\nfn into_value(self) -> {P}::Value {{\n\
         let mut map = {P}::map_with_capacity({n});\n{into}{P}::Value::Map(map)\n}}\n}}\n\
         impl {TYPED}::FromValue for {rust} {{\nfn from_value(value: {P}::Value) -> ::core::result::Result<Self, {TYPED}::ConvertError> {{\n\
         let mut map = {P}::expect_map(value)?;\n::core::result::Result::Ok(Self {{\n{from}}})\n}}\n}}\n",
        n = members.len(),
    );
}

fn write_enum(out: &mut String, m: &Model<'_>, name: &str) {
    let shape = m.shape(name);
    let rust = &m.types[name];
    let values: Vec<&str> = shape["enum"]
        .as_array()
        .map(|a| a.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    let mut variants = Scope::with(&["Unknown"]);
    let mut decl = String::new();
    let mut as_str = String::new();
    let mut from = String::new();
    let mut seen = BTreeSet::new();
    for value in &values {
        if !seen.insert(*value) {
            continue;
        }
        let variant = variants.unique(camel(value));
        let _ = writeln!(decl, "#[doc = {:?}]\n{variant},", format!("`{value}`"));
        let _ = writeln!(as_str, "Self::{variant} => {value:?},");
        let _ = writeln!(from, "{value:?} => Self::{variant},");
    }
    let _ = write!(
        out,
        "#[derive(Clone, Debug, PartialEq, Eq, Hash)]\npub enum {rust} {{\n{decl}\
         /// A value this model does not know (added to the service later).\nUnknown(::std::string::String),\n}}\n\
         impl {rust} {{\n/// The value as sent.\npub fn as_str(&self) -> &str {{\nmatch self {{\n{as_str}Self::Unknown(other) => other,\n}}\n}}\n}}\n\
         impl ::core::convert::From<&str> for {rust} {{\nfn from(value: &str) -> Self {{\nmatch value {{\n{from}other => Self::Unknown(other.into()),\n}}\n}}\n}}\n\
         impl ::core::fmt::Display for {rust} {{\nfn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\nf.write_str(self.as_str())\n}}\n}}\n\
         impl {TYPED}::IntoValue for {rust} {{\nfn into_value(self) -> {P}::Value {{\n{P}::Value::String(match self {{ Self::Unknown(other) => other.into(), known => known.as_str().into() }})\n}}\n}}\n\
         impl {TYPED}::FromValue for {rust} {{\nfn from_value(value: {P}::Value) -> ::core::result::Result<Self, {TYPED}::ConvertError> {{\n\
         match value {{ {P}::Value::String(text) => ::core::result::Result::Ok(Self::from(text.as_str())), other => <::std::string::String as {TYPED}::FromValue>::from_value(other).map(|s| Self::from(s.as_str())) }}\n}}\n}}\n",
    );
}

fn write_error(out: &mut String, m: &Model<'_>, op: &str, spec: &Json, rust: &str) {
    let mut variants = Scope::with(&["Other"]);
    let mut decl = String::new();
    let mut is = String::new();
    let mut service_error = String::new();
    let mut display = String::new();
    let mut from = String::new();
    let mut methods = Scope::with(&["is_other", "service_error", "code"]);
    let mut seen = BTreeSet::new();
    for e in spec["errors"].as_array().into_iter().flatten() {
        let Some(shape) = e["shape"].as_str() else {
            continue;
        };
        if !m.is_struct(shape) || !seen.insert(shape) {
            continue;
        }
        let ty = &m.types[shape];
        let variant = variants.unique(camel_type(shape));
        let _ = writeln!(
            decl,
            "/// The modeled error `{shape}`.\n{variant}({TYPED}::Modeled<super::types::{ty}>),"
        );
        let method = methods.unique(format!("is_{}", snake(shape)));
        let _ = writeln!(
            is,
            "/// Whether this is `{shape}`.\npub fn {method}(&self) -> bool {{ ::core::matches!(self, Self::{variant}(_)) }}"
        );
        let _ = writeln!(
            service_error,
            "Self::{variant}(e) => ::core::option::Option::Some(&e.error),"
        );
        let _ = writeln!(
            display,
            "Self::{variant}(e) => ::core::fmt::Display::fmt(&e.error, f),"
        );
        let _ = writeln!(
            from,
            "{shape:?} => match {TYPED}::FromValue::from_value(error.fields.clone()) {{\n\
             ::core::result::Result::Ok(details) => ::core::result::Result::Ok(Self::{variant}({TYPED}::Modeled {{ details, error }})),\n\
             ::core::result::Result::Err(_) => ::core::result::Result::Err(error),\n}},"
        );
    }
    let _ = write!(
        out,
        "#[doc = {doc:?}]\n#[derive(Debug)]\n#[non_exhaustive]\npub enum {rust} {{\n{decl}\
         /// Any other failure: an unmodeled service error, validation, transport, conversion.\nOther({TYPED}::TypedError),\n}}\n\
         impl {rust} {{\n{is}\
         /// Whether this is not one of the operation's modeled errors.\npub fn is_other(&self) -> bool {{ ::core::matches!(self, Self::Other(_)) }}\n\
         /// The service error (code, message, request id), when the service answered with one.\n\
         pub fn service_error(&self) -> ::core::option::Option<&{P}::ServiceError> {{\nmatch self {{\n{service_error}Self::Other(e) => e.service_error(),\n}}\n}}\n\
         /// The service's error code, when it answered with one.\n\
         pub fn code(&self) -> ::core::option::Option<&str> {{ self.service_error().map(|e| e.code.as_str()) }}\n}}\n\
         impl ::core::fmt::Display for {rust} {{\nfn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\nmatch self {{\n{display}Self::Other(e) => ::core::fmt::Display::fmt(e, f),\n}}\n}}\n}}\n\
         impl ::std::error::Error for {rust} {{}}\n\
         impl {TYPED}::OperationError for {rust} {{\n\
         fn from_modeled(shape: &str, error: ::std::boxed::Box<{P}::ServiceError>) -> ::core::result::Result<Self, ::std::boxed::Box<{P}::ServiceError>> {{\n\
         match shape {{\n{from}_ => ::core::result::Result::Err(error),\n}}\n}}\n\
         fn from_typed(error: {TYPED}::TypedError) -> Self {{ Self::Other(error) }}\n}}\n\
         impl ::core::convert::From<{TYPED}::TypedError> for {rust} {{\nfn from(error: {TYPED}::TypedError) -> Self {{ Self::Other(error) }}\n}}\n",
        doc = format!("The errors of `{op}`."),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documentation_is_an_escaped_doc_attribute() {
        assert_eq!(
            doc(Some("Headers x-amz-meta-<name>.\n\n- one \"item\"")),
            "#[doc = \"Headers x-amz-meta-&lt;name>.\\n\\n- one \\\"item\\\"\"]\n"
        );
        assert_eq!(doc(Some("  ")), "");
        assert_eq!(doc(None), "");
    }

    #[test]
    fn a_subset_generates_only_what_it_reaches() {
        let code = service("sqs", Some(&["GetQueueUrl".to_string()])).unwrap();
        assert!(code.contains("pub struct GetQueueUrlRequest"));
        assert!(code.contains("QueueDoesNotExist(::sansboto_typed::Modeled<"));
        assert!(!code.contains("SendMessageRequest"));
        let unknown = service("sqs", Some(&["NoSuchOperation".to_string()])).unwrap_err();
        assert!(unknown.contains("NoSuchOperation"), "{unknown}");
    }

    /// The model's documentation (the models crate's `docs` feature, on for this crate's tests
    /// through its dev-dependency) lands on the operation's method and marker, on the members'
    /// fields and on the module.
    #[test]
    fn documentation_from_the_models_is_on_the_generated_items() {
        let docs = service_docs("sqs").unwrap();
        let op = docs["operations"]["GetQueueUrl"]
            .as_str()
            .expect("GetQueueUrl's docs");
        let member = docs["members"]["GetQueueUrlRequest.QueueName"]
            .as_str()
            .expect("QueueName's docs");
        let code = service("sqs", Some(&["GetQueueUrl".to_string()])).unwrap();
        let method = format!("{}fn get_queue_url(", doc(Some(op)));
        assert!(code.contains(&method), "{code}");
        assert!(code.contains(&format!("{}pub struct GetQueueUrl;", doc(Some(op)))));
        let field = format!("{}pub queue_name:", doc(Some(member)));
        assert!(code.contains(&field), "{code}");
        assert!(code.contains(&doc(docs["service"].as_str())));
        // The text is the rendered one: no HTML left.
        assert!(!op.contains("<p>") && op.len() > 40, "{op}");
    }
}
