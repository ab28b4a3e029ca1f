//! `sansboto help [SERVICE [OPERATION]]`: the services, a service's operations (with
//! paginators and waiters), and an operation's input and output shapes from the model —
//! required members marked, enums listed, recursive shapes cut where they repeat, the aws-cli
//! option of each input member named — with the models' descriptions (of the service, the
//! operation and each member) wrapped for a terminal when the binary has them (feature `docs`).

use std::fmt::Write;

use sansboto_core::model::{ServiceModel, ShapeId, ShapeKind};
use sansboto_core::session::Session;

use crate::output::Failure;

/// The help text for `service` / `operation` (all services when `None`).
pub(crate) fn help_text(
    session: &Session,
    service: Option<&str>,
    operation: Option<&str>,
) -> Result<String, Failure> {
    let mut out = String::new();
    let Some(service) = service else {
        let _ = writeln!(out, "{}\n\nServices:", crate::args::USAGE);
        for name in session.services()? {
            let _ = writeln!(out, "  {name}");
        }
        return Ok(out);
    };
    let model = crate::suggest::model(session, service)?;
    let docs = Docs::load(service);
    let Some(operation) = operation else {
        let _ = writeln!(
            out,
            "{} ({service}), API version {}, protocol {}\n",
            model.metadata.service_full_name,
            model.metadata.api_version,
            model.protocol.name()
        );
        if let Some(text) = docs.as_ref().and_then(|d| d.text(&["service"])) {
            out.push_str(&wrap(text, 0));
            out.push('\n');
        }
        let _ = writeln!(out, "Operations:");
        // The pinned version's paginators and waiters, as its model's operations.
        let version = crate::suggest::api_version(session, service)?;
        let paginated = session.paginators_of(service, version.as_deref()).ok();
        // The names callers use: the model's keys (never a differing wire `name`).
        let mut names: Vec<&str> = model.operation_names().collect();
        names.sort_unstable();
        for name in names {
            let mark = if paginated.as_ref().is_some_and(|p| p.get(name).is_some()) {
                "  (paginated)"
            } else {
                ""
            };
            let _ = writeln!(out, "  {name}{mark}");
        }
        if let Ok(waiters) = session.waiters_of(service, version.as_deref()) {
            let mut names: Vec<&str> = waiters.names().collect();
            if !names.is_empty() {
                names.sort_unstable();
                let _ = writeln!(out, "\nWaiters (sansboto wait {service} NAME):");
                for name in names {
                    let _ = writeln!(out, "  {name}");
                }
            }
        }
        return Ok(out);
    };
    let op = model
        .operation(operation)
        .ok_or_else(|| sansboto_core::Error::UnknownOperation {
            service: service.to_string(),
            operation: operation.to_string(),
            suggestion: model.nearest_operation(operation),
        })?;
    let _ = writeln!(
        out,
        "{service} {}: {} {}\n",
        op.name, op.http.method, op.http.request_uri
    );
    let _ = writeln!(
        out,
        "aws-cli's words: sansboto {service} {} --member-name VALUE …\n",
        crate::awsgrammar::kebab(&op.name)
    );
    if let Some(text) = docs
        .as_ref()
        .and_then(|d| d.text(&["operations", &op.name]))
    {
        out.push_str(&wrap(text, 0));
        out.push('\n');
    }
    let options = crate::awsgrammar::member_options(&model, service, op);
    if let Some(command) = crate::ec2args::command(service, &op.name) {
        let described = command.described();
        if !described.is_empty() {
            out.push_str("aws-cli's own options of this command:\n");
            for (option, what) in described {
                let _ = writeln!(out, "  --{option}  {what}");
            }
            out.push('\n');
        }
    }
    let extra = crate::addedargs::options(service, &op.name);
    if !extra.is_empty() {
        out.push_str("aws-cli's own options of this command:\n");
        for option in extra {
            let _ = writeln!(out, "  --{}  {}", option.name, option.help);
        }
        out.push('\n');
    }
    for (title, shape) in [
        ("Input", op.input.as_ref().map(|r| r.shape)),
        ("Output", op.output.as_ref().map(|r| r.shape)),
    ] {
        match shape {
            Some(id) => {
                let _ = writeln!(out, "{title} ({}):", model.shape(id).name);
                let context = Context {
                    model: &model,
                    docs: docs.as_ref(),
                    options: (title == "Input").then_some(options.as_slice()),
                };
                describe_members(&context, id, 1, &mut vec![id], &mut out);
            }
            None => {
                let _ = writeln!(out, "{title}: none");
            }
        }
        out.push('\n');
    }
    Ok(out)
}

fn type_name(model: &ServiceModel, id: ShapeId) -> String {
    let shape = model.shape(id);
    match &shape.kind {
        ShapeKind::Structure(s) if s.eventstream => format!("event stream {}", shape.name),
        ShapeKind::Structure(s) if s.document => "document (any JSON)".into(),
        ShapeKind::Structure(s) if s.union => format!("union {}", shape.name),
        ShapeKind::Structure(_) => format!("structure {}", shape.name),
        ShapeKind::List(item) => format!("list of {}", type_name(model, item.shape)),
        ShapeKind::Map { key, value } => format!(
            "map of {} to {}",
            type_name(model, key.shape),
            type_name(model, value.shape)
        ),
        ShapeKind::String => "string".into(),
        ShapeKind::Byte | ShapeKind::Short | ShapeKind::Integer | ShapeKind::Long => {
            "integer".into()
        }
        ShapeKind::BigInteger => "integer".into(),
        ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal => "number".into(),
        ShapeKind::Boolean => "boolean".into(),
        ShapeKind::Blob if shape.streaming => "blob, streaming (file://PATH)".into(),
        ShapeKind::Blob => "blob (string or {\"base64\": …})".into(),
        ShapeKind::Timestamp => "timestamp (ISO 8601 or epoch seconds)".into(),
    }
}

/// The structure a member leads to, through lists and maps.
fn nested_structure(model: &ServiceModel, id: ShapeId) -> Option<ShapeId> {
    match &model.shape(id).kind {
        ShapeKind::Structure(s) if !s.document && !s.eventstream => Some(id),
        ShapeKind::Structure(s) if s.eventstream => Some(id),
        ShapeKind::List(item) => nested_structure(model, item.shape),
        ShapeKind::Map { value, .. } => nested_structure(model, value.shape),
        _ => None,
    }
}

/// A service's descriptions, as `models/update` rendered them to text.
struct Docs(serde_json::Value);

impl Docs {
    fn load(service: &str) -> Option<Docs> {
        let bytes = sansboto_models::service_docs(service)?.ok()?;
        serde_json::from_slice(&bytes).ok().map(Docs)
    }

    /// The text at `path` (`["operations", "PutObject"]`), when there is some.
    fn text(&self, path: &[&str]) -> Option<&str> {
        let mut node = &self.0;
        for key in path {
            node = node.get(key)?;
        }
        node.as_str().filter(|t| !t.is_empty())
    }
}

/// Paragraphs wrapped at 79 columns, indented by `indent` spaces, a blank line after each.
fn wrap(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let width = 79usize.saturating_sub(indent).max(20);
    let mut out = String::new();
    for paragraph in text.split("\n\n") {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                let _ = writeln!(out, "{pad}{line}");
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            let _ = writeln!(out, "{pad}{line}");
        }
        out.push('\n');
    }
    out
}

/// What describing members needs: the model, its descriptions, and for the input's top level
/// the aws-cli options its members are given with.
struct Context<'a> {
    model: &'a ServiceModel,
    docs: Option<&'a Docs>,
    options: Option<&'a [crate::awsgrammar::MemberOption<'a>]>,
}

fn describe_members(
    context: &Context<'_>,
    id: ShapeId,
    depth: usize,
    path: &mut Vec<ShapeId>,
    out: &mut String,
) {
    let model = context.model;
    let Some(structure) = model.shape(id).as_structure() else {
        return;
    };
    let indent = "  ".repeat(depth);
    if structure.members.is_empty() {
        let _ = writeln!(out, "{indent}(no members)");
    }
    for (name, member) in &structure.members {
        let required = if structure.required.iter().any(|r| r == name) {
            " [required]"
        } else {
            ""
        };
        let kind = match model.shape(member.shape).kind {
            // Streaming is a trait of the member as often as of the shape.
            ShapeKind::Blob if member.streaming => "blob, streaming (file://PATH)".to_string(),
            _ if member.streaming => format!("{}, streaming", type_name(model, member.shape)),
            _ => type_name(model, member.shape),
        };
        // aws-cli's names for the member (`--flag | --no-flag`, renamed ones as renamed).
        let names: Vec<String> = context
            .options
            .iter()
            .flat_map(|options| options.iter())
            .filter(|o| o.documented && o.member == name)
            .map(|o| format!("--{}", o.name))
            .collect();
        let option = if names.is_empty() {
            String::new()
        } else {
            format!("  {}", names.join(" | "))
        };
        let _ = writeln!(out, "{indent}{name} ({kind}){required}{option}");
        let shape_name = &model.shape(id).name;
        if let Some(text) = context
            .docs
            .and_then(|d| d.text(&["members", &format!("{shape_name}.{name}")]))
        {
            out.push_str(&wrap(text, indent.len() + 4));
        }
        if let Some(values) = &model.shape(member.shape).enum_values {
            let _ = writeln!(out, "{indent}    one of: {}", values.join(" | "));
        }
        if let Some(inner) = nested_structure(model, member.shape) {
            if path.contains(&inner) {
                let _ = writeln!(
                    out,
                    "{indent}  (recursive: {} as above)",
                    model.shape(inner).name
                );
            } else if depth < 12 {
                path.push(inner);
                let nested = Context {
                    options: None,
                    ..*context
                };
                describe_members(&nested, inner, depth + 1, path, out);
                path.pop();
            }
        }
    }
}
