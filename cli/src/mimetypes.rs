//! The content type aws-cli gives a file it uploads, found as Python's `mimetypes.guess_type`
//! finds it (aws-cli asks it), by the name's last extension after Python's encodings and short
//! forms: from the machine's MIME tables, the files Python reads (`/etc/mime.types` and the
//! like), which name some 1,500 extensions where they exist; on a machine without them, from
//! `mime_guess`'s table. Python's own table, under the machine's, is not copied here: the
//! few extensions only it names (`.3gp`, `.mht`, `.ksh`, …) get no type where the machine has
//! tables, and without tables the two built-in tables agree on the common types, not on every
//! rare one.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// Where Python's `mimetypes` finds the machine's tables (its `knownfiles`), in the order it
/// reads them: an extension a later file names takes that file's type.
const KNOWN_FILES: &[&str] = &[
    "/etc/mime.types",
    "/etc/httpd/mime.types",
    "/etc/httpd/conf/mime.types",
    "/etc/apache/mime.types",
    "/etc/apache2/mime.types",
    "/usr/local/etc/httpd/conf/mime.types",
    "/usr/local/lib/netscape/mime.types",
    "/usr/local/etc/mime.types",
];

/// The content type of a file of this name, or `None` when its name suggests none: by its
/// last extension, after the compressions Python counts as an encoding (`.gz`, `.Z`, `.bz2`,
/// `.xz`, `.br`) are taken off (`site.tar.gz` is `application/x-tar`, `data.gz` nothing) and
/// its short forms written out (`.tgz` is `.tar.gz`, `.svgz` `.svg.gz`).
pub(crate) fn guess(path: &Path) -> Option<&'static str> {
    let (stem, extension) = split_extension(path.file_name()?.to_str()?)?;
    let extension = match extension.to_ascii_lowercase().as_str() {
        "tgz" | "taz" | "tz" | "tbz2" | "txz" => "tar",
        "svgz" => "svg",
        // Python matches the encodings' suffixes as written (`.GZ` is no encoding).
        _ if ["gz", "Z", "bz2", "xz", "br"].contains(&extension) => split_extension(stem)?.1,
        _ => extension,
    };
    let machine = machine_table();
    let lower = extension.to_ascii_lowercase();
    if !machine.is_empty() {
        return machine
            .get(extension)
            .or_else(|| machine.get(&lower))
            .map(String::as_str);
    }
    // Where mime_guess's table lags the registrations Python's own follows: JavaScript
    // modules (RFC 9239), XML (RFC 7303) and WOFF (RFC 8081).
    match lower.as_str() {
        "mjs" => Some("text/javascript"),
        "xml" => Some("application/xml"),
        "woff" => Some("font/woff"),
        _ => mime_guess::from_ext(extension).first_raw(),
    }
}

/// The machine's tables, read once: extension (as written, without its dot) → type.
fn machine_table() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for file in KNOWN_FILES {
            if let Ok(bytes) = std::fs::read(file) {
                read_table(&String::from_utf8_lossy(&bytes), &mut table);
            }
        }
        table
    })
}

/// One `mime.types` file into `table`: each line a type and its extensions, words split on
/// white space, a word starting with `#` ending the line.
fn read_table(text: &str, table: &mut HashMap<String, String>) {
    for line in text.lines() {
        let mut words = line.split_whitespace().take_while(|w| !w.starts_with('#'));
        let Some(kind) = words.next() else { continue };
        for extension in words {
            table.insert(extension.to_string(), kind.to_string());
        }
    }
}

/// A file name's stem and extension as Python's `posixpath.splitext` cuts them: at the last
/// dot, unless only dots come before it (`.bashrc` has no extension); `None` without one.
fn split_extension(name: &str) -> Option<(&str, &str)> {
    let (stem, extension) = name.rsplit_once('.')?;
    (!stem.bytes().all(|b| b == b'.') && !extension.is_empty()).then_some((stem, extension))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_file_reads_as_python_reads_it() {
        let mut table = HashMap::new();
        read_table(
            "# comment\ntext/html html htm\napplication/x-thing  thing # trailing\n\
             text/x-later html\nlonely/type\n  \n",
            &mut table,
        );
        assert_eq!(table.get("htm").map(String::as_str), Some("text/html"));
        assert_eq!(table.get("html").map(String::as_str), Some("text/x-later"));
        assert_eq!(
            table.get("thing").map(String::as_str),
            Some("application/x-thing")
        );
        assert_eq!(table.len(), 3);
    }

    #[test]
    fn extensions_are_cut_as_posixpath_splitext_cuts_them() {
        assert_eq!(split_extension("a.tar.gz"), Some(("a.tar", "gz")));
        assert_eq!(split_extension(".bashrc"), None);
        assert_eq!(split_extension("..x"), None);
        assert_eq!(split_extension("a."), None);
        assert_eq!(split_extension(".a.html"), Some((".a", "html")));
        assert_eq!(guess(Path::new("noextension")), None);
    }
}
