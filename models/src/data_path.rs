//! Files on the data path: directories in botocore's layout (`<dir>/<service>/<version>/<name>.json`
//! or `.json.gz`, top-level files directly in `<dir>`), and parsing `AWS_DATA_PATH`.

use std::io;
use std::path::{Path, PathBuf};

/// botocore tries the plain file before the gzip one, in each directory.
const EXTENSIONS: [(&str, bool); 2] = [(".json", false), (".json.gz", true)];

/// A data file found on disk.
pub(crate) struct FoundFile {
    pub(crate) path: PathBuf,
    pub(crate) gzipped: bool,
}

/// Whether a service name or api version is a single plain path component, so that a name taken
/// from user input cannot walk out of the data directory.
pub(crate) fn is_plain_component(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// `<dir>/<parts...>/<name>.json` or `.json.gz`, whichever exists first.
pub(crate) fn find_file(dir: &Path, parts: &[&str], name: &str) -> Option<FoundFile> {
    let mut base = dir.to_path_buf();
    base.extend(parts);
    EXTENSIONS.iter().find_map(|(ext, gzipped)| {
        let path = base.join(format!("{name}{ext}"));
        path.is_file().then_some(FoundFile {
            path,
            gzipped: *gzipped,
        })
    })
}

/// The api version directories of `<dir>/<service>` that hold a `name` file. A missing service
/// directory is no error (botocore skips it too).
pub(crate) fn versions_with(dir: &Path, service: &str, name: &str) -> io::Result<Vec<String>> {
    let service_dir = dir.join(service);
    if !service_dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut versions = Vec::new();
    for entry in std::fs::read_dir(&service_dir)? {
        let entry = entry?;
        let Ok(version) = entry.file_name().into_string() else {
            continue; // not a name botocore could be asked for
        };
        if find_file(&service_dir, &[&version], name).is_some() {
            versions.push(version);
        }
    }
    Ok(versions)
}

/// The service directories of `dir` with at least one api version holding a `name` file.
pub(crate) fn services_with(dir: &Path, name: &str) -> io::Result<Vec<String>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut services = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.path().is_dir() {
            continue;
        }
        let Ok(service) = entry.file_name().into_string() else {
            continue;
        };
        if !versions_with(dir, &service, name)?.is_empty() {
            services.push(service);
        }
    }
    Ok(services)
}

/// Splits an `AWS_DATA_PATH` value on the platform's path separator and expands `~` and `$VAR` /
/// `${VAR}` in each entry, as botocore's `create_loader` does. Unset variables stay as written.
pub(crate) fn parse_data_path(
    value: &std::ffi::OsStr,
    var: &dyn Fn(&str) -> Option<String>,
) -> Vec<PathBuf> {
    std::env::split_paths(value)
        .map(|entry| match entry.to_str() {
            Some(text) => PathBuf::from(expand_user(&expand_vars(text, var), var)),
            None => entry,
        })
        .collect()
}

/// The user's home directory as botocore's `os.path.expanduser` finds it.
pub(crate) fn home_dir(var: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    var("HOME").or_else(|| var("USERPROFILE"))
}

/// `~` or `~/...` → the home directory (`~user` forms are left alone).
fn expand_user(path: &str, var: &dyn Fn(&str) -> Option<String>) -> String {
    let rest = match path.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with(['/', '\\']) => rest,
        _ => return path.to_string(),
    };
    match home_dir(var) {
        Some(home) => format!("{}{rest}", home.trim_end_matches(['/', '\\'])),
        None => path.to_string(),
    }
}

/// `$NAME` and `${NAME}` (NAME of ASCII letters, digits and `_`) → the variable's value when set.
fn expand_vars(text: &str, var: &dyn Fn(&str) -> Option<String>) -> String {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        let (name, consumed) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after.find(|c: char| !is_name(c)).unwrap_or(after.len());
            (&after[..end], end)
        };
        match (!name.is_empty() && name.chars().all(is_name))
            .then(|| var(name))
            .flatten()
        {
            Some(value) => {
                out.push_str(&value);
                rest = &after[consumed..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOME" => Some("/home/me".into()),
            "MODELS" => Some("/opt/models".into()),
            _ => None,
        }
    }

    #[test]
    fn expands_like_botocore() {
        assert_eq!(expand_vars("$MODELS/x", &env), "/opt/models/x");
        assert_eq!(expand_vars("${MODELS}x", &env), "/opt/modelsx");
        assert_eq!(expand_vars("$NOPE/x$", &env), "$NOPE/x$");
        assert_eq!(expand_vars("${MODELS", &env), "${MODELS");
        assert_eq!(expand_user("~/models", &env), "/home/me/models");
        assert_eq!(expand_user("~", &env), "/home/me");
        assert_eq!(expand_user("~bob/models", &env), "~bob/models");
    }

    #[cfg(unix)]
    #[test]
    fn splits_on_the_path_separator() {
        let paths = parse_data_path("~/a:$MODELS:/b".as_ref(), &env);
        assert_eq!(
            paths,
            [
                PathBuf::from("/home/me/a"),
                PathBuf::from("/opt/models"),
                PathBuf::from("/b")
            ]
        );
    }

    #[test]
    fn plain_components_only() {
        assert!(is_plain_component("s3"));
        assert!(is_plain_component("2006-03-01"));
        for bad in ["", ".", "..", "../s3", "a/b", "a\\b"] {
            assert!(!is_plain_component(bad), "{bad:?}");
        }
    }
}
