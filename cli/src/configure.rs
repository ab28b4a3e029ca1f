//! aws-cli's `configure set VARNAME VALUE`, `configure get VARNAME` and `configure list` (its
//! `configure/set.py`, `get.py`, `writer.py` and `list.py`), as scripts and CI jobs use them:
//!
//! - `set` writes one value into the config file (`AWS_CONFIG_FILE`, else `~/.aws/config`), or,
//!   for the keys themselves (`aws_access_key_id`, …), into the credentials file; the profile is
//!   `--profile`'s (or `AWS_PROFILE`'s, else `default`), or named in the varname
//!   (`profile.NAME.key`, `default.key`, `NAME.key`); a dotted rest (`default.s3.addressing_style`)
//!   is a nested block. The file is edited as aws-cli's writer edits it, line for line: a key
//!   already there is rewritten in place (`key = value`), a new one goes after the section's last
//!   option, a missing section is appended, a missing file is made (mode 600, directories too).
//! - `get` prints the profile's value (the credentials file's over the config file's), exit 1
//!   when there is none.
//!
//! - `list` prints the profile, the keys (masked to their last four characters) and the region,
//!   each with where it came from, in aws-cli's columns (its `list.py`): the keys are the
//!   credentials the session's provider chain finds ([`RuntimeSession::credentials`]), named by
//!   the provider that found them (botocore's `method`). The region is the one sansboto uses,
//!   so `AWS_REGION`, which sansboto reads before `AWS_DEFAULT_REGION` and botocore does not
//!   read, shows as its source when set.
//! - `configure` alone asks, as aws-cli's prompts ask on stdout, for the selected profile's
//!   access key id, secret key, region and output format, each showing its current value in the
//!   shared files (the keys masked); what is typed and differs is written as `set` writes it
//!   (the keys into the credentials file, the rest into the config file), an empty answer
//!   keeping the value. The end of the input before the last answer changes nothing.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use sansboto_blocking::HttpClient;
use sansboto_core::config::{setting, SettingSource};
use sansboto_core::runtime::RuntimeSession;
use sansboto_core::session::Session;

use crate::awscmds::unknown_options;
use crate::output::{self, Failure};

/// Sections that are no profile (aws-cli's `PREDEFINED_SECTION_NAMES`).
const PREDEFINED: [&str; 2] = ["preview", "plugins"];

/// The keys `set` writes to the credentials file.
const CREDENTIAL_KEYS: [&str; 4] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
];

/// A value to write: text, or a nested block of `key = value` lines.
#[derive(Debug, Clone)]
enum NewValue {
    Text(String),
    Nested(IndexMap<String, String>),
}

/// Runs `configure OPERATION WORDS…`; `profile_given` is true when `--profile` chose the
/// profile.
pub(crate) fn run(
    session: &RuntimeSession<HttpClient>,
    core: &Session,
    profile_given: bool,
    operation: &str,
    words: &[String],
) -> Result<(), Failure> {
    match (operation, words) {
        ("", words) => {
            unknown_options(words)?;
            interactive(core, &mut std::io::stdin().lock())
        }
        ("set", [varname, value]) => set(core, varname, value),
        ("get", [varname]) => get(core, varname),
        ("list", words) => {
            unknown_options(words)?;
            list(session, core, profile_given)
        }
        ("set", _) => Err(Failure::Usage(
            "usage: configure set varname value [--profile profile-name]".into(),
        )),
        ("get", _) => Err(Failure::Usage(
            "usage: configure get varname [--profile profile-name]".into(),
        )),
        (other, _) => Err(Failure::Usage(format!(
            "configure {other}: only `configure` itself, `configure set`, `configure get` and \
             `configure list` are available here"
        ))),
    }
}

/// aws-cli's `NOT_SET`.
const NOT_SET: &str = "<not set>";

/// One row of `configure list`: a name, its value, where the value came from and the variable
/// or file there (aws-cli prints Python's `None` for the last two when there is none).
fn list_row(name: &str, value: &str, kind: &str, location: &str) -> Result<(), Failure> {
    output::print_stdout(&format!("{name:>10} {value:>24} {kind:>16}    {location}"))
}

/// A key as aws-cli masks it: sixteen stars, then its last four characters.
fn masked(key: &str) -> String {
    let tail: String = {
        let chars: Vec<char> = key.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    };
    format!("{}{tail}", "*".repeat(16))
}

/// A nested block as Python prints the dict botocore makes of it: `{'key': 'value', …}`.
fn python_dict_repr<'a>(block: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    let items: Vec<String> = block
        .into_iter()
        .map(|(k, v)| {
            format!(
                "{}: {}",
                crate::render::python_str_repr(k),
                crate::render::python_str_repr(v)
            )
        })
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// `configure list`. Each row is printed as soon as it is known, so a profile that does not
/// exist fails after the profile's row, as in aws-cli.
fn list(
    session: &RuntimeSession<HttpClient>,
    core: &Session,
    profile_given: bool,
) -> Result<(), Failure> {
    list_row("Name", "Value", "Type", "Location")?;
    list_row("----", "-----", "----", "--------")?;
    let profile_vars = setting::PROFILE.env;
    match core.profile() {
        // An empty `--profile` chose none (aws-cli's `if args.profile`): Python's `None`, or
        // the environment's.
        name if profile_given => {
            list_row("profile", name.unwrap_or("None"), "manual", "--profile")?
        }
        Some(name) => {
            // botocore names the profile's variables as the Python list it keeps them in.
            let vars: Vec<String> = profile_vars.iter().map(|v| format!("'{v}'")).collect();
            list_row("profile", name, "env", &format!("[{}]", vars.join(", ")))?
        }
        None => list_row("profile", NOT_SET, "None", "None")?,
    }
    match session.credentials()? {
        Some(c) => {
            let method = c.provider().map_or("explicit", |p| p.method());
            list_row("access_key", &masked(c.access_key_id()), method, "")?;
            list_row("secret_key", &masked(c.secret_access_key()), method, "")?;
        }
        None => {
            list_row("access_key", NOT_SET, "None", "None")?;
            list_row("secret_key", NOT_SET, "None", "None")?;
        }
    }
    match core
        .setting(&setting::REGION)
        .map_err(sansboto_core::Error::from)?
    {
        Some((region, SettingSource::Environment(var))) => list_row("region", &region, "env", var),
        Some((region, SettingSource::Profile(_))) => {
            // aws-cli names the config file as its setting gives it (unexpanded).
            let file = core
                .setting(&setting::CONFIG_FILE)
                .map_err(sansboto_core::Error::from)?
                .map(|(file, _)| file)
                .unwrap_or_default();
            list_row("region", &region, "config-file", &file)
        }
        // The region has no default and no explicit value here.
        Some((region, _)) => list_row("region", &region, "None", "None"),
        None => list_row("region", NOT_SET, "None", "None"),
    }
}

/// What `configure` asks for, in its order: each setting and its prompt.
const PROMPTS: [(&str, &str); 4] = [
    ("aws_access_key_id", "AWS Access Key ID"),
    ("aws_secret_access_key", "AWS Secret Access Key"),
    ("region", "Default region name"),
    ("output", "Default output format"),
];

/// `configure` with no subcommand, answered from `input`. The current values are the selected
/// profile's in the shared files (the environment is not asked, as in aws-cli); a profile that
/// does not exist yet has none.
fn interactive(core: &Session, input: &mut impl std::io::BufRead) -> Result<(), Failure> {
    let profile = core.profile();
    let section = core.shared_config().profile(profile.unwrap_or("default"));
    let mut new_values = IndexMap::new();
    for (name, prompt) in PROMPTS {
        let value = section.and_then(|s| s.get(name));
        let current = value.and_then(|v| v.as_text());
        let shown = match (current, CREDENTIAL_KEYS.contains(&name)) {
            (Some(key), true) => masked(key),
            (Some(value), false) => value.to_string(),
            // A nested block, shown as the dict Python prints (aws-cli fails on a nested key).
            (None, _) => match value.and_then(|v| v.as_nested()) {
                Some(block) => python_dict_repr(block),
                None => "None".to_string(),
            },
        };
        output::write_stdout(&format!("{prompt} [{shown}]: "))?;
        // Python's `input()`: the line without its `\n`; the end of the input is an error.
        let mut answer = String::new();
        match input.read_line(&mut answer) {
            Ok(0) => return Err(Failure::Raised("EOF when reading a line".into())),
            Ok(_) => {}
            Err(e) => return Err(Failure::Raised(e.to_string())),
        }
        let answer = answer.strip_suffix('\n').unwrap_or(&answer);
        if !answer.is_empty() && Some(answer) != current {
            new_values.insert(name.to_string(), NewValue::Text(answer.to_string()));
        }
    }
    if new_values.is_empty() {
        return Ok(());
    }
    let paths = file_paths(core);
    let keys: IndexMap<String, NewValue> = CREDENTIAL_KEYS
        .iter()
        .filter_map(|k| new_values.shift_remove_entry(*k))
        .collect();
    if !keys.is_empty() {
        update_config(&paths.credentials, profile.unwrap_or("default"), keys, true)?;
    }
    // The config file is written even with nothing left for it (its section is made), as
    // aws-cli's writer is called.
    let section = profile.map_or_else(|| "default".to_string(), profile_to_section);
    update_config(&paths.config, &section, new_values, false)
}

/// The shared files, where the session found them (`AWS_CONFIG_FILE`,
/// `AWS_SHARED_CREDENTIALS_FILE`, else under the home directory).
fn file_paths(core: &Session) -> sansboto_core::config::SharedFilePaths {
    let home = core.env().get("HOME").map(PathBuf::from);
    Session::file_paths(core.env(), core.profile(), home.as_deref())
}

fn set(core: &Session, varname: &str, value: &str) -> Result<(), Failure> {
    let mut varname = varname.to_string();
    let mut value = NewValue::Text(value.to_string());
    let current = core.profile().map(str::to_string);
    let mut profile = "default".to_string();
    let nested = |key: &str, value: &NewValue| match value {
        NewValue::Text(v) => NewValue::Nested(IndexMap::from([(key.to_string(), v.clone())])),
        other => other.clone(),
    };
    if !varname.contains('.') {
        if let Some(p) = &current {
            profile = p.clone();
        }
    } else {
        let parts: Vec<String> = varname.split('.').map(str::to_string).collect();
        if parts[0] == "default" || parts[0] == "profile" {
            let remaining = if parts[0] == "default" {
                &parts[1..]
            } else {
                profile = parts.get(1).cloned().unwrap_or_default();
                parts.get(2..).unwrap_or_default()
            };
            let Some(first) = remaining.first() else {
                return Err(Failure::Raised("list index out of range".into()));
            };
            varname = first.clone();
            if remaining.len() == 2 {
                value = nested(&remaining[1], &value);
            }
        } else if !PREDEFINED.contains(&parts[0].as_str()) {
            if let Some(p) = &current {
                profile = p.clone();
            }
            varname = parts[0].clone();
            if parts.len() == 2 {
                value = nested(&parts[1], &value);
            }
        } else if parts.len() == 2 {
            profile = parts[0].clone();
            varname = parts[1].clone();
        }
    }
    let paths = file_paths(core);
    let (path, section, credentials) = if CREDENTIAL_KEYS.contains(&varname.as_str()) {
        (paths.credentials, profile, true)
    } else {
        let path = paths.config;
        let section = if PREDEFINED.contains(&profile.as_str()) || profile == "default" {
            profile
        } else {
            profile_to_section(&profile)
        };
        (path, section, false)
    };
    let values = IndexMap::from([(varname, value)]);
    update_config(&path, &section, values, credentials)
}

/// aws-cli's `profile_to_section`: `profile NAME`, the name shell-quoted when it holds a space
/// or a tab.
fn profile_to_section(name: &str) -> String {
    if name.contains([' ', '\t']) {
        format!("profile '{}'", name.replace('\'', "'\"'\"'"))
    } else {
        format!("profile {name}")
    }
}

/// aws-cli's `ConfigFileWriter.update_config`.
fn update_config(
    path: &Path,
    section: &str,
    mut values: IndexMap<String, NewValue>,
    check_permissions: bool,
) -> Result<(), Failure> {
    let bad = |text: &str| text.contains(['\n', '\r']);
    let refused = |label: &str, text: &str| {
        Failure::Raised(format!(
            "Invalid {label}: newline characters and carriage returns are not allowed: {}",
            crate::render::python_str_repr(text)
        ))
    };
    if bad(section) {
        return Err(refused("section name", section));
    }
    // In aws-cli's order: each key, then its value (a block's sub-keys and values in turn).
    for (key, value) in &values {
        if bad(key) {
            return Err(refused("key", key));
        }
        let pairs: Vec<(Option<&String>, &String)> = match value {
            NewValue::Text(v) => vec![(None, v)],
            NewValue::Nested(m) => m.iter().map(|(k, v)| (Some(k), v)).collect(),
        };
        for (sub_key, text) in pairs {
            if let Some(sub_key) = sub_key.filter(|k| bad(k)) {
                return Err(refused("key", sub_key));
            }
            if bad(text) {
                return Err(Failure::Raised(format!(
                    "Invalid value for key {key}: newline characters and carriage returns are \
                     not allowed."
                )));
            }
        }
    }
    let io = |e: std::io::Error| Failure::Raised(format!("{}: {e}", path.display()));
    if !path.is_file() {
        // aws-cli makes the directories first: for a bare file name that is `os.makedirs('')`,
        // which fails.
        if path.parent().is_some_and(|d| d.as_os_str().is_empty()) {
            return Err(Failure::Raised(
                "[Errno 2] No such file or directory: ''".into(),
            ));
        }
        create_file(path).map_err(io)?;
        return write_new_section(path, section, &mut values).map_err(io);
    }
    // Read as Python reads text (universal newlines: `\r\n` and `\r` end lines as `\n`), so
    // the file is written back with `\n` as aws-cli writes it.
    let text = fs::read_to_string(path)
        .map_err(io)?
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let mut contents: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    match update_section_contents(&mut contents, section, values.clone())? {
        true => fs::write(path, contents.concat()).map_err(io)?,
        false => write_new_section(path, section, &mut values).map_err(io)?,
    }
    if check_permissions {
        warn_if_permissive(path);
    }
    Ok(())
}

fn create_file(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

fn write_new_section(
    path: &Path,
    section: &str,
    values: &mut IndexMap<String, NewValue>,
) -> std::io::Result<()> {
    let existing = fs::read(path)?;
    let mut file = fs::OpenOptions::new().append(true).open(path)?;
    if existing.last().is_some_and(|&b| b != b'\n') {
        file.write_all(b"\n")?;
    }
    let mut contents = Vec::new();
    insert_new_values(0, &mut contents, values, "");
    file.write_all(format!("[{section}]\n{}", contents.concat()).as_bytes())
}

/// A line's section header (`^\s*\[([^]]+)\]`), the whole match and the name.
fn section_header(line: &str) -> Option<(&str, &str)> {
    let start = line.len() - line.trim_start().len();
    let rest = line[start..].strip_prefix('[')?;
    let end = rest.find(']')?;
    (end > 0).then(|| (&line[..start + 1 + end + 1], &rest[..end]))
}

/// A line's option (`([^:=][^:=]*)\s*[:=]`, searched anywhere): what comes before its first
/// `:` or `=`, from the first character that is neither.
fn option_name(line: &str) -> Option<&str> {
    let start = line.find(|c| c != ':' && c != '=')?;
    let rest = &line[start..];
    let end = rest.find([':', '='])?;
    // `.*$` after it: nothing it needs but that the line goes on to its end.
    Some(&rest[..end])
}

fn py_strip(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c))
}

/// Leading whitespace in characters, as Python's `len(s) - len(s.lstrip())` counts it.
fn indent_of(option: &str) -> usize {
    let rest = option.trim_start_matches(|c: char| c.is_whitespace());
    option[..option.len() - rest.len()].chars().count()
}

fn matches_section(whole: &str, section: &str) -> bool {
    let parts: Vec<&str> = section.split(' ').collect();
    let unquoted = whole == format!("[{section}]");
    if parts.len() > 1 {
        let quoted = whole == format!("[{} \"{}\"]", parts[0], parts[1..].join(" "));
        return unquoted || quoted;
    }
    unquoted
}

/// `Ok(false)` when the section is not in the file (aws-cli's `SectionNotFoundError`).
fn update_section_contents(
    contents: &mut Vec<String>,
    section: &str,
    mut values: IndexMap<String, NewValue>,
) -> Result<bool, Failure> {
    let Some(start) = contents.iter().position(|line| {
        !py_strip(line).starts_with(['#', ';'])
            && section_header(line).is_some_and(|(whole, _)| matches_section(whole, section))
    }) else {
        return Ok(false);
    };
    let mut last_matching = start;
    let mut j = start + 1;
    while j < contents.len() {
        if section_header(&contents[j]).is_some() {
            insert_new_values(last_matching, contents, &mut values, "");
            return Ok(true);
        }
        if let Some(option) = option_name(&contents[j]).map(str::to_string) {
            last_matching = j;
            let key = py_strip(&option).to_string();
            match values.get(&key).cloned() {
                Some(NewValue::Text(value)) => {
                    contents[j] = format!("{key} = {value}\n");
                    values.shift_remove(&key);
                }
                Some(NewValue::Nested(mut nested)) => {
                    update_subattributes(j, contents, &mut nested, indent_of(&option))?;
                    return Ok(true);
                }
                None => {}
            }
        }
        j += 1;
    }
    if !values.is_empty() {
        if !contents.last().is_some_and(|l| l.ends_with('\n')) {
            contents.push("\n".into());
        }
        insert_new_values(last_matching + 1, contents, &mut values, "");
    }
    Ok(true)
}

/// aws-cli's `_update_subattributes`, its use of the last line's indent included.
fn update_subattributes(
    index: usize,
    contents: &mut Vec<String>,
    values: &mut IndexMap<String, String>,
    starting_indent: usize,
) -> Result<(), Failure> {
    let mut current_indent: Option<usize> = None;
    let unbound = || {
        Failure::Raised(
            "cannot access local variable 'current_indent' where it is not associated with a \
             value"
                .into(),
        )
    };
    let mut i = index + 1;
    while i < contents.len() {
        if let Some(option) = option_name(&contents[i]).map(str::to_string) {
            let indent = indent_of(&option);
            current_indent = Some(indent);
            let key = py_strip(&option).to_string();
            if let Some(value) = values.shift_remove(&key) {
                contents[i] = format!("{}{key} = {value}\n", " ".repeat(indent));
            }
        }
        let indent = current_indent.ok_or_else(unbound)?;
        if starting_indent == indent || section_header(&contents[i]).is_some() {
            let mut rest: IndexMap<String, NewValue> = std::mem::take(values)
                .into_iter()
                .map(|(k, v)| (k, NewValue::Text(v)))
                .collect();
            insert_new_values(i - 1, contents, &mut rest, "    ");
            return Ok(());
        }
        i += 1;
    }
    let indent = current_indent.ok_or_else(unbound)?;
    if starting_indent != indent {
        let mut rest: IndexMap<String, NewValue> = std::mem::take(values)
            .into_iter()
            .map(|(k, v)| (k, NewValue::Text(v)))
            .collect();
        insert_new_values(i - 1, contents, &mut rest, "    ");
    }
    Ok(())
}

/// aws-cli's `_insert_new_values`: the values' lines as one entry after `line_number` (at the
/// end when that is past it).
fn insert_new_values(
    line_number: usize,
    contents: &mut Vec<String>,
    values: &mut IndexMap<String, NewValue>,
    indent: &str,
) {
    let mut lines = String::new();
    for (key, value) in values.drain(..) {
        match value {
            NewValue::Text(v) => lines.push_str(&format!("{indent}{key} = {v}\n")),
            NewValue::Nested(nested) => {
                lines.push_str(&format!("{indent}{key} =\n"));
                for (k, v) in nested {
                    lines.push_str(&format!("{indent}    {k} = {v}\n"));
                }
            }
        }
    }
    let at = (line_number + 1).min(contents.len());
    contents.insert(at, lines);
}

/// aws-cli's warning for a credentials file others may read.
fn warn_if_permissive(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = fs::metadata(path) {
            if meta.permissions().mode() & 0o777 & !0o700 != 0 {
                let path = path.display();
                eprintln!(
                    "\naws: [WARNING]: The file '{path}' is accessible by other users. Consider \
                     running 'chmod 600 {path}' to restrict access to only your user."
                );
            }
        }
    }
}

fn get(core: &Session, varname: &str) -> Result<(), Failure> {
    let config = core.shared_config();
    let chosen = core.profile();
    let current = chosen.unwrap_or("default");
    let parts: Vec<&str> = varname.split('.').collect();
    let value = if !varname.contains('.') {
        // botocore forgives a missing profile only when it is the default one nobody chose.
        match config.profile(current) {
            Some(section) => section.get(varname),
            None if chosen.is_none() => None,
            None => {
                let missing = sansboto_core::config::ConfigError::ProfileNotFound {
                    profile: current.to_string(),
                };
                return Err(Failure::Raised(missing.to_string()));
            }
        }
        .cloned()
    } else if let [section @ ("preview" | "plugins"), name] = parts.as_slice() {
        // A section of its own in the config file, else a profile of that name.
        let path = file_paths(core).config;
        let file = fs::read(&path)
            .ok()
            .and_then(|bytes| sansboto_core::config::ConfigFile::parse_bytes(&bytes).ok());
        file.as_ref()
            .and_then(|f| f.sections().get(*section))
            .and_then(|s| s.get(*name))
            .cloned()
            .or_else(|| config.profile(section).and_then(|s| s.get(*name)).cloned())
    } else {
        let (profile, name, rest) = match parts.as_slice() {
            ["profile", _] => return Err(Failure::Raised("list index out of range".into())),
            ["profile", profile, name, rest @ ..] => (*profile, *name, rest),
            [first, name, rest @ ..] if *first == "default" || config.profile(first).is_some() => {
                (*first, *name, rest)
            }
            [name, rest @ ..] => (current, *name, rest),
            [] => (current, "", &[][..]),
        };
        let value = config.profile(profile).and_then(|s| s.get(name)).cloned();
        match rest {
            [sub] => value
                .as_ref()
                .and_then(|v| v.as_nested())
                .and_then(|m| m.get(*sub))
                .map(|v| sansboto_core::config::ConfigValue::Text(v.to_string())),
            _ => value,
        }
    };
    match value {
        Some(v) => match v.as_text() {
            Some(text) => output::print_stdout(text),
            None => {
                eprint!(
                    "varname ({varname}) must reference a value, not a section or sub-section."
                );
                Err(Failure::Failed)
            }
        },
        None => Err(Failure::Failed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_as_aws_clis_writer_reads_them() {
        assert_eq!(
            section_header("[default]\n"),
            Some(("[default]", "default"))
        );
        assert_eq!(
            section_header("  [profile x] # c\n"),
            Some(("  [profile x]", "profile x"))
        );
        assert_eq!(section_header("[]\n"), None);
        assert_eq!(option_name("region = x\n"), Some("region "));
        assert_eq!(option_name(":a=b\n"), Some("a"));
        assert_eq!(option_name("no value\n"), None);
        assert_eq!(profile_to_section("dev"), "profile dev");
        assert_eq!(profile_to_section("my team"), "profile 'my team'");
        assert!(matches_section("[profile \"my team\"]", "profile my team"));
        let mut contents: Vec<String> = ["[default]\n", "a = 1\n", "\n", "\n"]
            .map(String::from)
            .to_vec();
        let values = IndexMap::from([("b".to_string(), NewValue::Text("2".into()))]);
        assert!(update_section_contents(&mut contents, "default", values).unwrap());
        // After the line after the last option, as aws-cli puts it.
        assert_eq!(contents.concat(), "[default]\na = 1\n\nb = 2\n\n");
    }
}
