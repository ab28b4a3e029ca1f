//! `sansboto s3 cp|ls|rm|mv|sync`: aws-cli's high-level S3 commands, on the library's transfers
//! (multipart above 8 MiB, parallel parts, checksums, abort on failure). `s3 PutObject …` and
//! every other S3 operation stay API calls: no S3 operation is named like these commands.
//!
//! Arguments, as aws-cli takes them for the common cases: `--recursive`, `--exclude`/`--include`
//! (in order, the last match wins; `*` and `?` wildcards against the path below the source),
//! `--delete` (sync), `--dryrun`, `--size-only` (sync), `--exact-timestamps` (sync),
//! `--storage-class`, `--sse`, `--sse-kms-key-id`, `--quiet`, `--no-progress`. `-` is stdin (cp's source) or stdout (cp's destination). A progress line is
//! shown only when stdout is a terminal.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use sansboto_core::params;
use sansboto_core::runtime::{take_body, Client, RuntimeSession};
use sansboto_core::transfer::{Progress, TransferConfig};
use sansboto_core::value::{Map, Value};

use crate::args::GlobalOptions;
use crate::output::Failure;
use sansboto_blocking::HttpClient as CliTransport;

/// The high-level commands.
const COMMANDS: &[&str] = &["cp", "ls", "rm", "mv", "sync"];
/// Options that take a value (global ones included, to find the command among the words).
const VALUE_OPTIONS: &[&str] = &[
    "--region",
    "--endpoint-url",
    "--profile",
    "--exclude",
    "--include",
    "--storage-class",
    "--sse",
    "--sse-kms-key-id",
    "--signing-time",
];
/// Flags.
const FLAGS: &[&str] = &[
    "--recursive",
    "--delete",
    "--dryrun",
    "--size-only",
    "--exact-timestamps",
    "--quiet",
    "--no-progress",
    "--debug",
    "--no-sign-request",
];

/// True when `argv` is `s3 cp|ls|rm|mv|sync …` (options may come anywhere).
pub fn is_s3_command(argv: &[String]) -> bool {
    let words = positional(argv);
    words.len() >= 2 && words[0] == "s3" && COMMANDS.contains(&words[1].as_str())
}

fn positional(argv: &[String]) -> Vec<String> {
    let mut words = Vec::new();
    let mut args = argv.iter();
    while let Some(arg) = args.next() {
        if arg.starts_with("--") && arg.len() > 2 {
            if VALUE_OPTIONS.contains(&arg.as_str()) {
                args.next();
            }
        } else {
            words.push(arg.clone());
        }
    }
    words
}

/// The parsed command line.
#[derive(Debug, Default)]
struct S3Args {
    global: GlobalOptions,
    command: String,
    paths: Vec<String>,
    recursive: bool,
    delete: bool,
    dryrun: bool,
    size_only: bool,
    /// sync from S3: a same-sized file is left alone only when its time is the object's.
    exact_timestamps: bool,
    quiet: bool,
    no_progress: bool,
    /// `(include?, pattern)` in the order given.
    filters: Vec<(bool, String)>,
    storage_class: Option<String>,
    sse: Option<String>,
    sse_kms_key_id: Option<String>,
}

fn parse(argv: &[String]) -> Result<S3Args, Failure> {
    let mut a = S3Args::default();
    let mut words = Vec::new();
    let mut args = argv.iter();
    while let Some(arg) = args.next() {
        if !(arg.starts_with("--") && arg.len() > 2) {
            words.push(arg.clone());
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        if FLAGS.contains(&name) {
            match name {
                "--recursive" => a.recursive = true,
                "--delete" => a.delete = true,
                "--dryrun" => a.dryrun = true,
                "--size-only" => a.size_only = true,
                "--exact-timestamps" => a.exact_timestamps = true,
                "--quiet" => a.quiet = true,
                "--no-progress" => a.no_progress = true,
                "--debug" => a.global.debug = true,
                _ => a.global.no_sign_request = true,
            }
            continue;
        }
        if !VALUE_OPTIONS.contains(&name) {
            return Err(Failure::Usage(format!("unknown option {name}")));
        }
        let value = match inline.or_else(|| args.next().cloned()) {
            Some(v) => v,
            None => return Err(Failure::Usage(format!("{name} needs a value"))),
        };
        match name {
            "--region" => a.global.region = Some(value),
            "--endpoint-url" => a.global.endpoint_url = Some(value),
            "--profile" => a.global.profile = Some(value),
            "--exclude" => a.filters.push((false, value)),
            "--include" => a.filters.push((true, value)),
            "--storage-class" => a.storage_class = Some(value),
            "--sse" => a.sse = Some(value),
            "--sse-kms-key-id" => a.sse_kms_key_id = Some(value),
            _ => {
                return Err(Failure::Usage(format!(
                    "{name} is not for s3 {}",
                    a.command
                )))
            }
        }
    }
    // words: "s3", command, paths…
    a.command = words.get(1).cloned().unwrap_or_default();
    a.paths = words.into_iter().skip(2).collect();
    let want = match a.command.as_str() {
        "ls" => 0..=1,
        "rm" => 1..=1,
        _ => 2..=2,
    };
    if !want.contains(&a.paths.len()) {
        return Err(Failure::Usage(format!(
            "s3 {} takes {} path(s), got {}",
            a.command,
            if *want.start() == *want.end() {
                want.start().to_string()
            } else {
                format!("{} to {}", want.start(), want.end())
            },
            a.paths.len()
        )));
    }
    // aws-cli offers these to sync only.
    for (given, name) in [
        (a.exact_timestamps, "--exact-timestamps"),
        (a.size_only, "--size-only"),
        (a.delete, "--delete"),
    ] {
        if given && a.command != "sync" {
            return Err(Failure::Usage(format!(
                "{name} is not for s3 {}",
                a.command
            )));
        }
    }
    if a.command == "sync" && a.paths.iter().any(|p| p == "-") {
        return Err(Failure::Usage(
            "s3 sync does not take - (stdin or stdout)".into(),
        ));
    }
    Ok(a)
}

/// Where a path points.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Location {
    Local(PathBuf),
    S3 { bucket: String, key: String },
    Stdio,
}

fn location(path: &str) -> Location {
    if path == "-" {
        return Location::Stdio;
    }
    match path.strip_prefix("s3://") {
        Some(rest) => {
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            Location::S3 {
                bucket: bucket.to_string(),
                key: key.to_string(),
            }
        }
        None => Location::Local(PathBuf::from(path)),
    }
}

/// `*` (any run of characters, `/` included, as aws-cli's fnmatch) and `?` (one character).
fn wildcard(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            wildcard(&pattern[1..], text) || (!text.is_empty() && wildcard(pattern, &text[1..]))
        }
        (Some(b'?'), Some(_)) => wildcard(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => wildcard(&pattern[1..], &text[1..]),
        _ => false,
    }
}

/// Whether the filters let `relative` (a path below the source) through.
fn included(filters: &[(bool, String)], relative: &str) -> bool {
    let mut keep = true;
    for (include, pattern) in filters {
        if wildcard(pattern.as_bytes(), relative.as_bytes()) {
            keep = *include;
        }
    }
    keep
}

/// A file or object under a source or destination root: its path below the root, size and
/// modification time (seconds).
#[derive(Debug, Clone)]
struct Entry {
    size: u64,
    mtime: i64,
}

fn walk(root: &Path) -> Result<BTreeMap<String, Entry>, Failure> {
    let mut found = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && dir == root => return Ok(found),
            Err(e) => {
                return Err(Failure::client(
                    "LocalFileError",
                    format!("{}: {e}", dir.display()),
                ))
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                let relative = path.strip_prefix(root).unwrap_or(&path);
                let relative = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let mtime = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0);
                found.insert(
                    relative,
                    Entry {
                        size: meta.len(),
                        mtime,
                    },
                );
            }
        }
    }
    Ok(found)
}

fn list_objects(
    s3: &Client<CliTransport>,
    bucket: &str,
    prefix: &str,
) -> Result<BTreeMap<String, Entry>, Failure> {
    let mut found = BTreeMap::new();
    let mut pages = s3.paginate(
        "ListObjectsV2",
        params! {"Bucket": bucket, "Prefix": prefix},
        Default::default(),
    )?;
    while let Some(page) = pages.next_page() {
        let page = page?;
        for object in page["Contents"].as_list().unwrap_or_default() {
            let key = object["Key"].as_str().unwrap_or_default();
            let relative = key.strip_prefix(prefix).unwrap_or(key).to_string();
            let mtime = match &object["LastModified"] {
                Value::Timestamp(t) => t.secs(),
                _ => 0,
            };
            found.insert(
                relative,
                Entry {
                    size: object["Size"].as_i64().unwrap_or(0) as u64,
                    mtime,
                },
            );
        }
    }
    Ok(found)
}

/// The prefix under which a recursive source or destination's objects live.
fn dir_prefix(key: &str) -> String {
    if key.is_empty() || key.ends_with('/') {
        key.to_string()
    } else {
        format!("{key}/")
    }
}

fn display(location: &Location) -> String {
    match location {
        Location::Local(p) => p.display().to_string(),
        Location::S3 { bucket, key } => format!("s3://{bucket}/{key}"),
        Location::Stdio => "-".into(),
    }
}

/// Runs the commands with one client and prints what aws-cli prints.
struct Runner {
    s3: Client<CliTransport>,
    args: S3Args,
    config: TransferConfig,
}

impl Runner {
    fn extra(&self) -> Value {
        let mut m = Map::default();
        if let Some(class) = &self.args.storage_class {
            m.insert("StorageClass".into(), Value::from(class));
        }
        if let Some(sse) = &self.args.sse {
            m.insert("ServerSideEncryption".into(), Value::from(sse));
        }
        if let Some(key) = &self.args.sse_kms_key_id {
            m.insert("SSEKMSKeyId".into(), Value::from(key));
        }
        Value::Map(m)
    }

    fn say(&self, line: String) -> Result<(), Failure> {
        if self.args.quiet {
            return Ok(());
        }
        let line = if self.args.dryrun {
            format!("(dryrun) {line}")
        } else {
            line
        };
        crate::output::print_stdout(&line)
    }

    /// One transfer from `from` to `to`; `verb` is what is printed (`upload`, `move`, …).
    fn transfer(&self, from: &Location, to: &Location, moving: bool) -> Result<(), Failure> {
        let verb = match (from, to, moving) {
            (_, _, true) => "move",
            (Location::S3 { .. }, Location::S3 { .. }, _) => "copy",
            (Location::S3 { .. }, _, _) => "download",
            _ => "upload",
        };
        let line = format!("{verb}: {} to {}", display(from), display(to));
        if self.args.dryrun {
            return self.say(line);
        }
        match (from, to) {
            (Location::Local(path), Location::S3 { bucket, key }) => {
                self.s3
                    .upload_file(bucket, key, path, self.extra(), &self.config)?;
            }
            (Location::Stdio, Location::S3 { bucket, key }) => self.upload_stdin(bucket, key)?,
            (Location::S3 { bucket, key }, Location::Local(path)) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        Failure::client("LocalFileError", format!("{}: {e}", dir.display()))
                    })?;
                }
                let head = self
                    .s3
                    .download_file(bucket, key, path, Value::Null, &self.config)?;
                set_mtime(path, &head["LastModified"])?;
            }
            (Location::S3 { bucket, key }, Location::Stdio) => self.download_stdout(bucket, key)?,
            (
                Location::S3 {
                    bucket: b1,
                    key: k1,
                },
                Location::S3 { bucket, key },
            ) => {
                self.s3.copy_object(
                    params! {"Bucket": b1.as_str(), "Key": k1.as_str()},
                    bucket,
                    key,
                    self.extra(),
                    &self.config,
                )?;
            }
            _ => {
                return Err(Failure::Usage(
                    "at least one of the paths must be s3://bucket/key".into(),
                ))
            }
        }
        if moving {
            match from {
                Location::Local(path) => std::fs::remove_file(path).map_err(|e| {
                    Failure::client("LocalFileError", format!("{}: {e}", path.display()))
                })?,
                Location::S3 { bucket, key } => {
                    self.s3.call(
                        "DeleteObject",
                        params! {"Bucket": bucket.as_str(), "Key": key.as_str()},
                    )?;
                }
                Location::Stdio => {}
            }
        }
        if progress_shown(&self.args) {
            // End the progress line before the result line.
            print!("\r\x1b[K");
        }
        if !matches!(to, Location::Stdio) {
            self.say(line)?;
        }
        Ok(())
    }

    /// stdin has no length and cannot be re-read: it goes up as a stream, a part at a time
    /// (multipart above 8 MiB), each part kept in memory until it is stored.
    fn upload_stdin(&self, bucket: &str, key: &str) -> Result<(), Failure> {
        use std::io::Read;
        let mut stdin = std::io::stdin();
        let mut reader = |buf: &mut [u8]| stdin.read(buf);
        self.s3
            .upload_from(bucket, key, &mut reader, self.extra(), &self.config)?;
        Ok(())
    }

    /// An object streamed to stdout as it arrives (one GET: stdout cannot take ranges out of
    /// order).
    fn download_stdout(&self, bucket: &str, key: &str) -> Result<(), Failure> {
        let got = self
            .s3
            .call("GetObject", params! {"Bucket": bucket, "Key": key})?;
        let mut body = take_body::<CliTransport>(&got["Body"])
            .ok_or_else(|| Failure::client("StreamError", "GetObject gave no stream"))?;
        let mut out = std::io::stdout().lock();
        while let Some(chunk) = body
            .chunk()
            .map_err(sansboto_core::error::Error::Transport)?
        {
            out.write_all(&chunk)
                .map_err(|e| Failure::client("StreamError", format!("writing stdout: {e}")))?;
        }
        out.flush()
            .map_err(|e| Failure::client("StreamError", format!("writing stdout: {e}")))
    }

    fn cp(&self, moving: bool) -> Result<(), Failure> {
        let (from, to) = (location(&self.args.paths[0]), location(&self.args.paths[1]));
        if !self.args.recursive {
            let to = match (&from, &to) {
                // A destination ending in / (or a local directory) takes the source's name.
                (Location::Local(p), Location::S3 { bucket, key })
                    if key.is_empty() || key.ends_with('/') =>
                {
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    Location::S3 {
                        bucket: bucket.clone(),
                        key: format!("{key}{name}"),
                    }
                }
                (Location::S3 { key: k, .. }, Location::S3 { bucket, key })
                    if key.is_empty() || key.ends_with('/') =>
                {
                    Location::S3 {
                        bucket: bucket.clone(),
                        key: format!("{key}{}", k.rsplit('/').next().unwrap_or(k)),
                    }
                }
                (Location::S3 { key: k, .. }, Location::Local(p))
                    if p.is_dir() || self.args.paths[1].ends_with('/') =>
                {
                    Location::Local(p.join(k.rsplit('/').next().unwrap_or(k)))
                }
                _ => to,
            };
            return self.transfer(&from, &to, moving);
        }
        let sources = self.list(&from)?;
        for relative in sources.keys().filter(|r| included(&self.args.filters, r)) {
            self.transfer(&child(&from, relative), &child(&to, relative), moving)?;
        }
        Ok(())
    }

    fn list(&self, root: &Location) -> Result<BTreeMap<String, Entry>, Failure> {
        match root {
            Location::Local(path) => walk(path),
            Location::S3 { bucket, key } => list_objects(&self.s3, bucket, &dir_prefix(key)),
            Location::Stdio => Err(Failure::Usage("--recursive does not take -".into())),
        }
    }

    fn sync(&self) -> Result<(), Failure> {
        let (from, to) = (location(&self.args.paths[0]), location(&self.args.paths[1]));
        let sources = self.list(&from)?;
        let targets = self.list(&to)?;
        for (relative, source) in sources
            .iter()
            .filter(|(r, _)| included(&self.args.filters, r))
        {
            let stale = match targets.get(relative) {
                None => true,
                Some(target) if target.size != source.size => true,
                Some(_) if self.args.size_only => false,
                Some(target) => self.newer(&from, &to, source, target),
            };
            if stale {
                self.transfer(&child(&from, relative), &child(&to, relative), false)?;
            }
        }
        if self.args.delete {
            for relative in targets
                .keys()
                .filter(|r| !sources.contains_key(*r) && included(&self.args.filters, r))
            {
                self.remove(&child(&to, relative))?;
            }
        }
        Ok(())
    }

    /// Whether a same-sized `target` is out of date by its time (aws-cli's rules): an upload or
    /// copy goes again when the source is newer; a download, whose file takes the object's
    /// time, when the file is newer than the object, or with `--exact-timestamps` when the
    /// times differ at all.
    fn newer(&self, from: &Location, to: &Location, source: &Entry, target: &Entry) -> bool {
        let download = matches!(from, Location::S3 { .. }) && matches!(to, Location::Local(_));
        match (download, self.args.exact_timestamps) {
            (true, true) => target.mtime != source.mtime,
            (true, false) => target.mtime > source.mtime,
            (false, _) => source.mtime > target.mtime,
        }
    }

    fn remove(&self, target: &Location) -> Result<(), Failure> {
        if !self.args.dryrun {
            match target {
                Location::Local(path) => std::fs::remove_file(path).map_err(|e| {
                    Failure::client("LocalFileError", format!("{}: {e}", path.display()))
                })?,
                Location::S3 { bucket, key } => {
                    self.s3.call(
                        "DeleteObject",
                        params! {"Bucket": bucket.as_str(), "Key": key.as_str()},
                    )?;
                }
                Location::Stdio => {}
            }
        }
        self.say(format!("delete: {}", display(target)))
    }

    fn rm(&self) -> Result<(), Failure> {
        let target = location(&self.args.paths[0]);
        if !matches!(target, Location::S3 { .. }) {
            return Err(Failure::Usage("s3 rm takes s3://bucket/key".into()));
        }
        if !self.args.recursive {
            return self.remove(&target);
        }
        for relative in self
            .list(&target)?
            .keys()
            .filter(|r| included(&self.args.filters, r))
        {
            self.remove(&child(&target, relative))?;
        }
        Ok(())
    }

    fn ls(&self) -> Result<(), Failure> {
        let Some(path) = self.args.paths.first() else {
            let buckets = self.s3.call("ListBuckets", params! {})?;
            for b in buckets["Buckets"].as_list().unwrap_or_default() {
                crate::output::print_stdout(&format!(
                    "{} {}",
                    date(&b["CreationDate"]),
                    b["Name"].as_str().unwrap_or_default()
                ))?;
            }
            return Ok(());
        };
        let Location::S3 { bucket, key } = location(path) else {
            return Err(Failure::Usage("s3 ls takes s3://bucket[/prefix]".into()));
        };
        let mut request = params! {"Bucket": bucket.as_str(), "Prefix": key.as_str()};
        if !self.args.recursive {
            if let Value::Map(m) = &mut request {
                m.insert("Delimiter".into(), Value::from("/"));
            }
        }
        let mut pages = self
            .s3
            .paginate("ListObjectsV2", request, Default::default())?;
        while let Some(page) = pages.next_page() {
            let page = page?;
            for p in page["CommonPrefixes"].as_list().unwrap_or_default() {
                let name = p["Prefix"].as_str().unwrap_or_default();
                let shown = if self.args.recursive {
                    name
                } else {
                    name.strip_prefix(prefix_dir(&key)).unwrap_or(name)
                };
                crate::output::print_stdout(&format!("{:>30} {shown}", "PRE"))?;
            }
            for o in page["Contents"].as_list().unwrap_or_default() {
                let name = o["Key"].as_str().unwrap_or_default();
                let shown = if self.args.recursive {
                    name
                } else {
                    name.strip_prefix(prefix_dir(&key)).unwrap_or(name)
                };
                crate::output::print_stdout(&format!(
                    "{} {:>10} {shown}",
                    date(&o["LastModified"]),
                    o["Size"].as_i64().unwrap_or(0)
                ))?;
            }
        }
        Ok(())
    }
}

/// The part of a listing prefix up to its last `/` (what aws-cli strips from the names shown).
fn prefix_dir(prefix: &str) -> &str {
    match prefix.rfind('/') {
        Some(i) => &prefix[..=i],
        None => "",
    }
}

fn date(value: &Value) -> String {
    match value {
        Value::Timestamp(t) => {
            let (y, mo, d, h, mi, s) = t.to_civil();
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
        }
        _ => format!("{:19}", ""),
    }
}

/// `root` joined with a path below it.
fn child(root: &Location, relative: &str) -> Location {
    match root {
        Location::Local(p) => Location::Local(p.join(relative)),
        Location::S3 { bucket, key } => Location::S3 {
            bucket: bucket.clone(),
            key: format!("{}{relative}", dir_prefix(key)),
        },
        Location::Stdio => Location::Stdio,
    }
}

/// Give a downloaded file its object's time, as aws-cli does: a later sync compares the two.
fn set_mtime(path: &Path, last_modified: &Value) -> Result<(), Failure> {
    let Value::Timestamp(t) = last_modified else {
        return Ok(());
    };
    let Ok(secs) = u64::try_from(t.secs()) else {
        return Ok(());
    };
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(when))
        .map_err(|e| Failure::client("LocalFileError", format!("{}: {e}", path.display())))
}

fn progress_shown(args: &S3Args) -> bool {
    !args.quiet && !args.no_progress && !args.dryrun && std::io::stdout().is_terminal()
}

/// aws-cli's progress line: `Completed 5.0 MiB/20.0 MiB`.
fn progress_line(p: &Progress) -> String {
    let mib = |n: u64| n as f64 / (1024.0 * 1024.0);
    format!(
        "Completed {:.1} MiB/{:.1} MiB ({}/{} parts)",
        mib(p.bytes_done),
        mib(p.bytes_total),
        p.parts_done,
        p.parts_total
    )
}

/// Run `s3 cp|ls|rm|mv|sync` (see [`is_s3_command`]).
pub fn run(argv: &[String]) -> Result<(), Failure> {
    let args = parse(argv)?;
    if args.global.debug {
        crate::debug::enable();
    }
    let session: RuntimeSession<CliTransport> =
        RuntimeSession::from_core(sansboto_host::core_session(args.global.profile.clone()));
    let s3 = crate::build_client(&session, &args.global, "s3")?;
    let mut config = TransferConfig::new();
    if progress_shown(&args) {
        config = config.on_progress(|p| {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "\r{}", progress_line(p));
            let _ = out.flush();
        });
    }
    let runner = Runner { s3, args, config };
    match runner.args.command.as_str() {
        "ls" => runner.ls(),
        "cp" => runner.cp(false),
        "mv" => runner.cp(true),
        "rm" => runner.rm(),
        _ => runner.sync(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn only_the_high_level_commands_are_taken() {
        assert!(is_s3_command(&argv("s3 cp a s3://b/k")));
        assert!(is_s3_command(&argv(
            "--region us-east-1 s3 --recursive sync d s3://b"
        )));
        assert!(!is_s3_command(&argv("s3 PutObject --params {}")));
        assert!(!is_s3_command(&argv("s3 put-object --params {}")));
        assert!(
            !is_s3_command(&argv("--profile s3 ls")),
            "s3 is --profile's value here"
        );
    }

    #[test]
    fn arguments_are_parsed_as_aws_cli_takes_them() {
        let a = parse(&argv("s3 sync ./d s3://b/p --delete --exclude *.tmp --include keep.tmp --size-only --storage-class GLACIER --sse AES256 --endpoint-url=http://x")).unwrap();
        assert_eq!(a.command, "sync");
        assert_eq!(a.paths, ["./d", "s3://b/p"]);
        assert!(a.delete && a.size_only && !a.dryrun);
        assert_eq!(
            a.filters,
            [(false, "*.tmp".to_string()), (true, "keep.tmp".to_string())]
        );
        assert_eq!(a.global.endpoint_url.as_deref(), Some("http://x"));
        assert!(parse(&argv("s3 cp onlyone")).is_err());
        assert!(parse(&argv("s3 sync - s3://b")).is_err());
        assert!(parse(&argv("s3 cp a b --bogus")).is_err());
        let a = parse(&argv(
            "s3 sync s3://b/p d --exact-timestamps --sse aws:kms --sse-kms-key-id k1",
        ))
        .unwrap();
        assert!(a.exact_timestamps);
        assert_eq!(a.sse_kms_key_id.as_deref(), Some("k1"));
        assert!(parse(&argv("s3 cp s3://b/k d --exact-timestamps")).is_err());
    }

    #[test]
    fn filters_apply_in_order_and_the_last_match_wins() {
        let f = vec![
            (false, "*".to_string()),
            (true, "*.txt".to_string()),
            (false, "tmp/*".to_string()),
        ];
        assert!(included(&f, "a/b.txt"));
        assert!(!included(&f, "a/b.bin"));
        assert!(!included(&f, "tmp/x.txt"));
        assert!(included(&[], "anything"));
        assert!(wildcard(b"a?c", b"abc") && !wildcard(b"a?c", b"ac"));
    }

    #[test]
    fn locations_and_progress_lines() {
        assert_eq!(
            location("s3://b/k/x"),
            Location::S3 {
                bucket: "b".into(),
                key: "k/x".into()
            }
        );
        assert_eq!(
            location("s3://b"),
            Location::S3 {
                bucket: "b".into(),
                key: String::new()
            }
        );
        assert_eq!(location("-"), Location::Stdio);
        assert_eq!(
            child(&location("s3://b/p"), "x/y"),
            location("s3://b/p/x/y")
        );
        let p = Progress::new(5 * 1024 * 1024, 20 * 1024 * 1024, 1, 4);
        assert_eq!(progress_line(&p), "Completed 5.0 MiB/20.0 MiB (1/4 parts)");
    }
}
