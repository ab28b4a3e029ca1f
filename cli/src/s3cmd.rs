//! `sansboto s3 cp|ls|rm|mv|sync|mb|rb|presign|website`: aws-cli's high-level S3 commands, on the
//! library's transfers (multipart above 8 MiB, parallel parts, checksums, abort on failure).
//! `s3 PutObject …` and every other S3 operation stay API calls: no S3 operation is named like
//! these commands.
//!
//! Each command takes the options aws-cli's argument table gives it, of those implemented here
//! ([`takes`]): `--recursive`; `--exclude`/`--include` (in order, the last match wins;
//! `fnmatch`'s `*`, `?` and `[…]` against the path below the source, an absolute pattern
//! against a local file's absolute path; a single source filtered by its name, [`included`]);
//! `--delete`, `--size-only`, `--exact-timestamps` (sync); `--dryrun`, `--quiet`,
//! `--only-show-errors` (the failures and warnings alone), `--no-progress`, `--page-size`,
//! `--request-payer`; `--storage-class`, `--sse`, `--sse-kms-key-id` and the object's
//! [`OBJECT_OPTIONS`] (`--acl`, `--content-type`, `--cache-control`, …), an uploaded
//! file otherwise getting the content type its name suggests ([`crate::mimetypes`]) unless
//! `--no-guess-mime-type`; `--metadata` (shorthand `k=v,k2=v2` or JSON, [`read_metadata`])
//! and a copy's `--metadata-directive COPY|REPLACE` (`REPLACE` when `--metadata` is given
//! alone, [`Runner::copy_extra`]). A copy between buckets hands the transfer the source's size
//! and ETag, from the listing or the look at the object, as aws-cli hands them to s3transfer:
//! so a multipart copy keeps none of its source's metadata, content headers or tags, and its
//! CreateMultipartUpload has the options' metadata and content headers only under `REPLACE`,
//! as in aws-cli 1.46.3 (which has no `--copy-props`, nor has this command); ls's
//! `--human-readable`, `--summarize`, `--bucket-name-prefix`,
//! `--bucket-region`; `--tags KEY VALUE` (mb), `--force` (rb), `--expires-in SECONDS`
//! (presign), `--index-document`, `--error-document` (website). `-` is stdin (cp's source) or
//! stdout (cp's destination). A progress line is
//! shown only when stdout is a terminal. A path's bucket may be an access point ARN
//! (`s3://arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/key`). Result lines (`upload: ./f to
//! s3://b/f`, `delete: …`, and the failures below) show a local path as aws-cli does, relative
//! to the current directory (`./f`, `d/f`, `../d/f`).
//!
//! Local trees are read with symbolic links followed, as aws-cli reads them; devices, FIFOs,
//! sockets and links to nothing are skipped with aws-cli's warning, which shows the path as
//! Python's `os.path.abspath` does (`.` and `..` resolved by the words, links not followed;
//! no warning with `--quiet`), and the command then exits 2. So is a downloaded file that
//! cannot be given its object's time: aws-cli's `warning: Skipping file /abs/f. Successfully
//! Downloaded /abs/f but was unable to update the last modified time. …`, and the download
//! (a move's delete of its source too) still done and printed. So is an object whose key
//! below the source prefix would be downloaded above the destination directory (`p/../x`):
//! `warning: Skipping file ../x. File references a parent directory.` `mb` and `rb` report a
//! failed call as aws-cli does, one line on stderr (`make_bucket failed: s3://b An error
//! occurred (…) when calling the CreateBucket operation: …`) and exit status 1; so does each
//! transfer or delete that fails (`upload failed: ./f to s3://b/k An error occurred (…) when
//! calling the PutObject operation: …`, `download failed:`, `copy failed:`, `move failed:`,
//! `delete failed: s3://b/k …`; nothing
//! with `--quiet`), naming the operation that failed and the local path as aws-cli shows it,
//! the other files and objects still going (exit 1 outweighs a skipped file's 2); `rb
//! --force` then leaves the bucket with aws-cli's `remove_bucket failed: Unable to delete all
//! objects …` and exit 255. A local source of `cp`, `mv` or `sync` to S3 that does not exist
//! ends the command before any call, `The user-provided path ./x does not exist.` after an
//! empty line (`--quiet` too, as aws-cli raises it before its result printer), exit 255; a listing that fails (`cp`, `mv`, `sync`, `rm`), or the HeadObject of
//! a single source object (`cp`, `mv`), ends it with `fatal error: An error occurred (…) …`
//! (nothing with `--quiet`) and exit 1; `ls` of a key that matches nothing exits 1, and a
//! listing `ls` cannot make is raised as aws-cli raises it (`An error occurred (…) …` after
//! an empty line, exit 255). `ls` shows times in local time (`TZ`), as aws-cli does.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use sansboto_core::model::{ServiceModel, ShapeKind};
use sansboto_core::params;
use sansboto_core::runtime::{take_body, Client, RuntimeSession};
use sansboto_core::transfer::{Progress, TransferConfig};
use sansboto_core::{Map, Value};

use crate::args::GlobalOptions;
use crate::output::Failure;
use sansboto_blocking::HttpClient as CliTransport;

/// The high-level commands.
const COMMANDS: &[&str] = &[
    "cp", "ls", "rm", "mv", "sync", "mb", "rb", "presign", "website",
];
/// Options that take a value (global ones included, to find the command among the words).
const VALUE_OPTIONS: &[&str] = &[
    "--region",
    "--endpoint-url",
    "--profile",
    "--ca-bundle",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--exclude",
    "--include",
    "--storage-class",
    "--sse",
    "--sse-kms-key-id",
    "--signing-time",
    "--expires-in",
    "--acl",
    "--content-type",
    "--cache-control",
    "--content-disposition",
    "--content-encoding",
    "--content-language",
    "--expires",
    "--website-redirect",
    "--page-size",
    "--request-payer",
    "--bucket-name-prefix",
    "--bucket-region",
    "--metadata",
    "--metadata-directive",
    "--index-document",
    "--error-document",
];
/// Options that set a member of every object written (`PutObject`, `CreateMultipartUpload`,
/// `CopyObject`), as aws-cli maps them.
const OBJECT_OPTIONS: &[(&str, &str)] = &[
    ("--acl", "ACL"),
    ("--content-type", "ContentType"),
    ("--cache-control", "CacheControl"),
    ("--content-disposition", "ContentDisposition"),
    ("--content-encoding", "ContentEncoding"),
    ("--content-language", "ContentLanguage"),
    ("--expires", "Expires"),
    ("--website-redirect", "WebsiteRedirectLocation"),
];
/// The canned ACLs aws-cli offers `--acl`.
const ACLS: &[&str] = &[
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
];
/// The values aws-cli offers `--metadata-directive`.
const METADATA_DIRECTIVES: &[&str] = &["COPY", "REPLACE"];
/// Options that take two values.
const PAIR_OPTIONS: &[&str] = &["--tags"];
/// Flags.
const FLAGS: &[&str] = &[
    "--recursive",
    "--delete",
    "--dryrun",
    "--size-only",
    "--exact-timestamps",
    "--quiet",
    "--only-show-errors",
    "--no-progress",
    "--debug",
    "--no-sign-request",
    "--no-verify-ssl",
    "--force",
    "--no-guess-mime-type",
    "--human-readable",
    "--summarize",
];
/// Options every command takes.
const GLOBAL_OPTIONS: &[&str] = &[
    "--region",
    "--endpoint-url",
    "--profile",
    "--debug",
    "--no-sign-request",
    "--no-verify-ssl",
    "--ca-bundle",
    "--cli-read-timeout",
    "--cli-connect-timeout",
];

/// The options of a transfer (`cp`, `mv`, `sync`) that this command implements, as aws-cli
/// names them.
const TRANSFER_OPTIONS: &[&str] = &[
    "--acl",
    "--cache-control",
    "--content-disposition",
    "--content-encoding",
    "--content-language",
    "--content-type",
    "--dryrun",
    "--exclude",
    "--expires",
    "--include",
    "--metadata",
    "--metadata-directive",
    "--no-guess-mime-type",
    "--no-progress",
    "--only-show-errors",
    "--page-size",
    "--quiet",
    "--request-payer",
    "--sse",
    "--sse-kms-key-id",
    "--storage-class",
    "--website-redirect",
];

/// Whether aws-cli's `s3 COMMAND` takes `option` (besides [`GLOBAL_OPTIONS`]): each command's
/// own list, as aws-cli's argument tables give them (of the options implemented here).
fn takes(command: &str, option: &str) -> bool {
    let own: &[&str] = match command {
        "ls" => &[
            "--recursive",
            "--page-size",
            "--human-readable",
            "--summarize",
            "--request-payer",
            "--bucket-name-prefix",
            "--bucket-region",
        ],
        "rm" => &[
            "--recursive",
            "--dryrun",
            "--exclude",
            "--include",
            "--page-size",
            "--quiet",
            "--only-show-errors",
            "--request-payer",
        ],
        "cp" | "mv" => &["--recursive"],
        "sync" => &["--delete", "--size-only", "--exact-timestamps"],
        "mb" => &["--tags"],
        "rb" => &["--force"],
        "presign" => &["--expires-in"],
        "website" => &["--index-document", "--error-document"],
        _ => &[],
    };
    own.contains(&option)
        || (["cp", "mv", "sync"].contains(&command) && TRANSFER_OPTIONS.contains(&option))
}

/// True when `argv` is `s3 COMMAND …` for one of [`COMMANDS`] (options may come anywhere).
pub(crate) fn is_s3_command(argv: &[String]) -> bool {
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
            } else if PAIR_OPTIONS.contains(&arg.as_str()) {
                args.next();
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
    /// `--only-show-errors`: the failures and warnings printed, not what was done (the
    /// `(dryrun)` lines still are, as in aws-cli).
    only_show_errors: bool,
    no_progress: bool,
    /// `(include?, pattern)` in the order given.
    filters: Vec<(bool, String)>,
    storage_class: Option<String>,
    sse: Option<String>,
    sse_kms_key_id: Option<String>,
    /// mb's `--tags KEY VALUE`, in the order given.
    tags: Vec<(String, String)>,
    /// rb's `--force`: delete the bucket's objects first.
    force: bool,
    /// presign's `--expires-in` (seconds).
    expires_in: Option<u64>,
    /// website's `--index-document` and `--error-document`.
    index_document: Option<String>,
    error_document: Option<String>,
    /// The [`OBJECT_OPTIONS`] given: (member, value).
    object: Vec<(&'static str, String)>,
    /// `--metadata` as given (the last one), read by [`read_metadata`] once the model is at
    /// hand.
    metadata_text: Option<String>,
    /// `--metadata` read: the `Metadata` of every object written (an empty map sets none).
    metadata: Option<Value>,
    /// `--metadata-directive COPY|REPLACE`: a copy's `MetadataDirective`.
    metadata_directive: Option<String>,
    /// `--no-guess-mime-type`.
    no_guess_mime_type: bool,
    /// ls's `--human-readable` sizes.
    human_readable: bool,
    /// ls's `--summarize`: the total after the listing.
    summarize: bool,
    /// `--page-size`: items asked for per listing page.
    page_size: Option<i64>,
    /// `--request-payer`.
    request_payer: Option<String>,
    /// ls's `--bucket-name-prefix` and `--bucket-region` (listing buckets).
    bucket_name_prefix: Option<String>,
    bucket_region: Option<String>,
    /// The options given, to check that the command takes them.
    options: Vec<String>,
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
        a.options.push(name.to_string());
        if PAIR_OPTIONS.contains(&name) {
            let (Some(key), Some(value), None) = (args.next(), args.next(), &inline) else {
                return Err(Failure::Usage(format!(
                    "{name} takes two values: KEY VALUE"
                )));
            };
            a.tags.push((key.clone(), value.clone()));
            continue;
        }
        if FLAGS.contains(&name) {
            match name {
                "--recursive" => a.recursive = true,
                "--delete" => a.delete = true,
                "--dryrun" => a.dryrun = true,
                "--size-only" => a.size_only = true,
                "--exact-timestamps" => a.exact_timestamps = true,
                "--quiet" => a.quiet = true,
                "--only-show-errors" => a.only_show_errors = true,
                "--no-progress" => a.no_progress = true,
                "--debug" => a.global.debug = true,
                "--force" => a.force = true,
                "--no-guess-mime-type" => a.no_guess_mime_type = true,
                "--human-readable" => a.human_readable = true,
                "--summarize" => a.summarize = true,
                "--no-verify-ssl" => a.global.no_verify_ssl = true,
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
            "--ca-bundle" => a.global.ca_bundle = Some(value),
            "--cli-read-timeout" | "--cli-connect-timeout" => {
                let limit =
                    crate::args::timeout_option(name, &value).map_err(|e| Failure::Usage(e.0))?;
                if name == "--cli-read-timeout" {
                    a.global.read_timeout = Some(limit);
                } else {
                    a.global.connect_timeout = Some(limit);
                }
            }
            "--exclude" => a.filters.push((false, value)),
            "--include" => a.filters.push((true, value)),
            "--storage-class" => a.storage_class = Some(value),
            "--sse" => a.sse = Some(value),
            "--sse-kms-key-id" => a.sse_kms_key_id = Some(value),
            _ if OBJECT_OPTIONS.iter().any(|(option, _)| *option == name) => {
                if name == "--acl" && !ACLS.contains(&value.as_str()) {
                    return Err(Failure::Usage(format!(
                        "argument --acl: invalid choice: '{value}' (choose from {})",
                        ACLS.join(", ")
                    )));
                }
                let member = OBJECT_OPTIONS
                    .iter()
                    .find(|(option, _)| *option == name)
                    .map_or("", |(_, member)| member);
                a.object.retain(|(m, _)| *m != member);
                a.object.push((member, value));
            }
            "--page-size" => {
                let size = value.parse().map_err(|_| {
                    Failure::Usage(format!(
                        "argument --page-size: invalid int value: '{value}'"
                    ))
                })?;
                a.page_size = Some(size);
            }
            "--request-payer" => a.request_payer = Some(value),
            "--metadata" => a.metadata_text = Some(value),
            "--metadata-directive" => {
                if !METADATA_DIRECTIVES.contains(&value.as_str()) {
                    return Err(Failure::Usage(format!(
                        "argument --metadata-directive: invalid choice: '{value}' (choose from \
                         {})",
                        METADATA_DIRECTIVES.join(", ")
                    )));
                }
                a.metadata_directive = Some(value);
            }
            "--bucket-name-prefix" => a.bucket_name_prefix = Some(value),
            "--bucket-region" => a.bucket_region = Some(value),
            "--index-document" => a.index_document = Some(value),
            "--error-document" => a.error_document = Some(value),
            "--expires-in" => {
                let seconds = value.parse().map_err(|_| {
                    Failure::Usage(format!(
                        "argument --expires-in: invalid int value: '{value}'"
                    ))
                })?;
                a.expires_in = Some(seconds);
            }
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
        "rm" | "mb" | "rb" | "presign" | "website" => 1..=1,
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
    let command = a.command.as_str();
    if let Some(option) = a
        .options
        .iter()
        .find(|o| !GLOBAL_OPTIONS.contains(&o.as_str()) && !takes(command, o))
    {
        return Err(Failure::Usage(format!("{option} is not for s3 {command}")));
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

fn location(path: &str) -> Result<Location, Failure> {
    if path == "-" {
        return Ok(Location::Stdio);
    }
    Ok(match path.strip_prefix("s3://") {
        Some(rest) => {
            let (bucket, key) = bucket_and_key(rest)?;
            Location::S3 { bucket, key }
        }
        None => Location::Local(PathBuf::from(path)),
    })
}

/// The bucket and key of an S3 path (without `s3://`), as aws-cli's `find_bucket_key` splits
/// it: an access point ARN (`arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME`) or an Outposts access
/// point ARN is the bucket whole, `/`s and all; otherwise the bucket ends at the first `/`.
/// Object Lambda access points and Outposts bucket ARNs are refused, as aws-cli refuses them
/// (its `s3` commands cannot use them; the API commands can).
fn bucket_and_key(path: &str) -> Result<(String, String), Failure> {
    use arn::{matched, OBJECT_LAMBDA, OUTPOST_ACCESS_POINT, OUTPOST_BUCKET, S3_ACCESS_POINT};
    if matched(path, OBJECT_LAMBDA).is_some() {
        return Err(invalid_argument(
            "s3 commands do not support S3 Object Lambda resources. Use s3api commands \
             instead.",
        ));
    }
    if matched(path, OUTPOST_BUCKET).is_some() {
        return Err(invalid_argument(
            "s3 commands do not support Outpost Bucket ARNs. Use s3control commands instead.",
        ));
    }
    let split = match matched(path, S3_ACCESS_POINT) {
        // `/?`: only a slash separates the key.
        Some(end) => Some((end, path[end..].strip_prefix('/').unwrap_or(&path[end..]))),
        // `[/:]?`
        None => matched(path, OUTPOST_ACCESS_POINT).map(|end| {
            let rest = &path[end..];
            (end, rest.strip_prefix(['/', ':']).unwrap_or(rest))
        }),
    };
    Ok(match split {
        Some((end, key)) => (path[..end].to_string(), key.to_string()),
        None => {
            let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
            (bucket.to_string(), key.to_string())
        }
    })
}

/// A path or name the command cannot use, found once the command line was read: aws-cli
/// raises these as `ValueError`/`TypeError`, which its v2 reports with exit status 255 (a
/// command line it cannot read is a usage error, 252).
fn invalid_argument(message: impl Into<String>) -> Failure {
    Failure::client("InvalidArgument", message)
}

/// The ARN forms aws-cli's S3 commands recognize in a path, as patterns of its regular
/// expressions (`arn:aws` + any text + the tokens, each run greedy and backtracking, as
/// Python's `re` matches them). Written out here rather than pulling a regex engine into the
/// command for four fixed patterns.
mod arn {
    /// One step of a pattern.
    #[derive(Clone, Copy)]
    pub(super) enum Token {
        /// This text.
        Text(&'static str),
        /// One of these characters.
        OneOf(&'static str),
        /// `min..=max` characters of a class.
        Run(fn(u8) -> bool, usize, usize),
    }
    use Token::*;

    fn region(c: u8) -> bool {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'
    }
    fn digit(c: u8) -> bool {
        c.is_ascii_digit()
    }
    fn name(c: u8) -> bool {
        c.is_ascii_alphanumeric() || c == b'-'
    }
    fn not_slash(c: u8) -> bool {
        c != b'/'
    }

    /// `:s3:[a-z\-0-9]*:[0-9]{12}:accesspoint[:/][^/]+`
    pub(super) const S3_ACCESS_POINT: &[Token] = &[
        Text(":s3:"),
        Run(region, 0, usize::MAX),
        Text(":"),
        Run(digit, 12, 12),
        Text(":accesspoint"),
        OneOf(":/"),
        Run(not_slash, 1, usize::MAX),
    ];
    /// `:s3-outposts:[a-z\-0-9]+:[0-9]{12}:outpost[/:][a-zA-Z0-9\-]{1,63}[/:]KIND[/:][a-zA-Z0-9\-]{1,63}`
    /// for a KIND of Outposts resource.
    macro_rules! outpost {
        ($kind:literal) => {
            &[
                Text(":s3-outposts:"),
                Run(region, 1, usize::MAX),
                Text(":"),
                Run(digit, 12, 12),
                Text(":outpost"),
                OneOf("/:"),
                Run(name, 1, 63),
                OneOf("/:"),
                Text($kind),
                OneOf("/:"),
                Run(name, 1, 63),
            ]
        };
    }
    pub(super) const OUTPOST_ACCESS_POINT: &[Token] = outpost!("accesspoint");
    pub(super) const OUTPOST_BUCKET: &[Token] = outpost!("bucket");
    /// `:s3-object-lambda:[a-z\-0-9]+:[0-9]{12}:accesspoint[/:][a-zA-Z0-9\-]{1,63}`
    pub(super) const OBJECT_LAMBDA: &[Token] = &[
        Text(":s3-object-lambda:"),
        Run(region, 1, usize::MAX),
        Text(":"),
        Run(digit, 12, 12),
        Text(":accesspoint"),
        OneOf("/:"),
        Run(name, 1, 63),
    ];

    /// Where the ARN `arn:aws.*` + `pattern` that begins `path` ends, trying the longest
    /// `.*` first as Python's `re` does; `None` when `path` is no such ARN. (Python's `.` and
    /// `$` stop at a line break: a path holding one matches no ARN.)
    pub(super) fn matched(path: &str, pattern: &[Token]) -> Option<usize> {
        const START: &str = "arn:aws";
        let bytes = path.as_bytes();
        if !path.starts_with(START) || bytes.contains(&b'\n') {
            return None;
        }
        (START.len()..=bytes.len())
            .rev()
            .find_map(|from| tokens(bytes, from, pattern))
    }

    /// Where `pattern` matched at `at` ends, each run as long as it can be first.
    fn tokens(bytes: &[u8], at: usize, pattern: &[Token]) -> Option<usize> {
        let Some((first, rest)) = pattern.split_first() else {
            return Some(at);
        };
        match *first {
            Text(text) => bytes[at..]
                .starts_with(text.as_bytes())
                .then(|| tokens(bytes, at + text.len(), rest))
                .flatten(),
            OneOf(set) => bytes
                .get(at)
                .filter(|c| set.as_bytes().contains(c))
                .and_then(|_| tokens(bytes, at + 1, rest)),
            Run(class, min, max) => {
                let longest = bytes[at..]
                    .iter()
                    .take(max)
                    .take_while(|&&c| class(c))
                    .count();
                (min..=longest)
                    .rev()
                    .find_map(|len| tokens(bytes, at + len, rest))
            }
        }
    }
}

/// Whether `text` matches `pattern` as Python's `fnmatch` matches (aws-cli's `--exclude` and
/// `--include`): `*` any run of characters, `/` included; `?` one character; `[seq]` and
/// `[!seq]` one character in or not in a set of characters and `a-z` ranges (a `[` without its
/// `]` is itself). Each `*` is tried at one place at a time, the last one backtracked first: time
/// grows with the lengths' product, never exponentially.
fn wildcard(pattern: &str, text: &str) -> bool {
    #[derive(PartialEq)]
    enum Token {
        Star,
        One,
        Class {
            negated: bool,
            ranges: Vec<(char, char)>,
        },
        Char(char),
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let token = match chars[i] {
            '*' => Token::Star,
            '?' => Token::One,
            '[' => {
                // The class's end: the first `]` after its first character (a `]` there is a
                // member), past a leading `!`.
                let start = i + 1 + usize::from(chars.get(i + 1) == Some(&'!'));
                match chars[(start + 1).min(chars.len())..]
                    .iter()
                    .position(|&c| c == ']')
                {
                    Some(offset) => {
                        let end = start + 1 + offset;
                        let members = &chars[start..end];
                        let mut ranges = Vec::new();
                        let mut m = 0;
                        while m < members.len() {
                            if m + 2 < members.len() && members[m + 1] == '-' {
                                ranges.push((members[m], members[m + 2]));
                                m += 3;
                            } else {
                                ranges.push((members[m], members[m]));
                                m += 1;
                            }
                        }
                        let negated = start > i + 1;
                        i = end;
                        Token::Class { negated, ranges }
                    }
                    None => Token::Char('['),
                }
            }
            c => Token::Char(c),
        };
        tokens.push(token);
        i += 1;
    }
    let matches_one = |token: &Token, c: char| match token {
        Token::Star => false,
        Token::One => true,
        Token::Class { negated, ranges } => {
            ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
        }
        Token::Char(p) => *p == c,
    };
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    // The last `*` seen and the text position it is now taken to end at.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            Some(token) if matches_one(token, text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_at, taken)) => {
                    star = Some((star_at, taken + 1));
                    p = star_at + 1;
                    t = taken + 1;
                }
                None => return false,
            },
        }
    }
    tokens[p..].iter().all(|token| *token == Token::Star)
}

/// Whether the filters let `relative`, a path below `root`, through, as aws-cli's filter
/// lets it: aws-cli joins each pattern to the root (Python's `os.path.join`) and matches that
/// against the whole path. So a relative pattern matches the path below the root, and an
/// absolute one (`/home/me/dir/*.tmp`, or `/*`) a local file's absolute path as
/// [`absolute_as_python`] shows it, and no object (an object's path is `bucket/key`). In
/// order, the last match wins. (aws-cli also tries each pattern joined to the other root of
/// the command, and reads `[`…`]` in a root's own name as a wildcard: neither is copied, see
/// `filters_choose_what_aws_cli_chooses` in `cli/tests/s3_next_to_aws_cli.rs`.)
fn included(filters: &[(bool, String)], root: &Location, relative: &str) -> bool {
    let mut absolute: Option<String> = None;
    let mut keep = true;
    for (include, pattern) in filters {
        let matched = match root {
            _ if !pattern.starts_with('/') => wildcard(pattern, relative),
            Location::Local(dir) => {
                let path = absolute.get_or_insert_with(|| {
                    let dir = absolute_as_python(dir).to_string_lossy().into_owned();
                    format!("{}/{relative}", dir.trim_end_matches('/'))
                });
                wildcard(pattern, path)
            }
            Location::S3 { .. } | Location::Stdio => false,
        };
        if matched {
            keep = *include;
        }
    }
    keep
}

/// A single source (`cp`, `mv`, `rm` without `--recursive`) as the root the filters are
/// matched under and its name below it, as aws-cli's filter takes them: a file's directory
/// (`.` for a bare name) and name, an object's key up to its last `/` and the rest.
fn root_and_name(location: &Location) -> (Location, String) {
    match location {
        Location::Local(path) => {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            (Location::Local(dir.to_path_buf()), name.into_owned())
        }
        Location::S3 { bucket, key } => {
            let (dir, name) = match key.rsplit_once('/') {
                Some((dir, name)) => (format!("{dir}/"), name),
                None => (String::new(), key.as_str()),
            };
            let root = Location::S3 {
                bucket: bucket.clone(),
                key: dir,
            };
            (root, name.to_string())
        }
        Location::Stdio => (Location::Stdio, String::new()),
    }
}

/// A file or object under a source or destination root: its size and modification time.
#[derive(Debug, Clone)]
struct Entry {
    size: u64,
    /// Seconds and microseconds since the epoch: aws-cli compares a file's time with its
    /// fraction of a second (Python's `datetime`, to the microsecond), so that a file written
    /// half a second after its object's whole second is newer.
    mtime: (i64, u32),
    /// An object's ETag (none for a file): a copy hands it with the size to the transfer, as
    /// aws-cli hands both to s3transfer ([`Client::copy_object_sized`]).
    etag: Option<String>,
}

/// A time as [`Entry::mtime`] holds it: `secs` and `nanos` rounded to the microsecond.
fn to_micros(secs: i64, nanos: u32) -> (i64, u32) {
    match (nanos + 500) / 1000 {
        1_000_000 => (secs.saturating_add(1), 0),
        micros => (secs, micros),
    }
}

/// `path` made absolute as Python's `os.path.abspath` makes it, which aws-cli applies to a
/// local path before it shows one: joined to the current directory, then `.`, `..` and
/// repeated slashes resolved in the words alone, symbolic links left as they are (`link/..` is
/// the directory holding `link`); `..` above the root stays at the root, and a path beginning
/// with exactly two slashes keeps both, as POSIX allows and Python does.
fn absolute_as_python(path: &Path) -> PathBuf {
    use std::path::Component;
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut kept: Vec<Component<'_>> = Vec::new();
    for component in joined.components() {
        match (component, kept.last()) {
            (Component::CurDir, _) => {}
            (Component::ParentDir, Some(Component::Normal(_))) => {
                kept.pop();
            }
            (Component::ParentDir, Some(Component::RootDir | Component::Prefix(_))) => {}
            (other, _) => kept.push(other),
        }
    }
    let shown: PathBuf = kept.iter().collect();
    let bytes = joined.as_os_str().as_encoded_bytes();
    if cfg!(unix) && bytes.starts_with(b"//") && !bytes.starts_with(b"///") {
        let mut two = std::ffi::OsString::from("/");
        two.push(shown.as_os_str());
        return PathBuf::from(two);
    }
    shown
}

/// The files a command skips: each counted (the command then exits 2, as aws-cli's do) and
/// warned of on stderr unless `quiet` (aws-cli's file generator puts its warnings on the result
/// queue, which `--quiet` leaves without a printer).
struct Skipped {
    count: Cell<usize>,
    quiet: bool,
}

/// Print aws-cli's warning for a file it skips (`path` made absolute as aws-cli shows it,
/// [`absolute_as_python`]; nothing with `--quiet`) and count it in `skipped`: the command then
/// exits 2.
fn skip_with_warning(path: &Path, reason: &str, skipped: &Skipped) {
    let shown = absolute_as_python(path);
    skip_shown_with_warning(&shown.to_string_lossy(), reason, skipped);
}

/// [`skip_with_warning`] with the path shown as `shown` is.
fn skip_shown_with_warning(shown: &str, reason: &str, skipped: &Skipped) {
    if !skipped.quiet {
        eprintln!("warning: Skipping file {shown}. {reason}");
    }
    skipped.count.set(skipped.count.get() + 1);
}

/// Whether an object's key below the source prefix (`relative`) would be downloaded above the
/// destination directory (`../x`, `a/../../x`), which aws-cli refuses: the path resolved in
/// its words as Python's `os.path.normpath` resolves `./relative` begins with `..`.
fn escapes_destination(relative: &str) -> bool {
    let mut depth = 0usize;
    for word in relative.split('/') {
        match word {
            "" | "." => {}
            ".." if depth == 0 => return true,
            ".." => depth -= 1,
            _ => depth += 1,
        }
    }
    false
}

/// Whether `path` is a device, FIFO or socket, which aws-cli skips with a warning
/// ([`skip_with_warning`]): reading a FIFO waits for a writer that may never come, a device
/// never ends or reads as nothing.
fn skipped_as_special(path: &Path, skipped: &Skipped) -> bool {
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
    if special {
        let reason = "File is character special device, block special device, FIFO, or socket.";
        skip_with_warning(path, reason, skipped);
    }
    special
}

/// The files under `root`, by their path below it, symbolic links followed (aws-cli's
/// `--follow-symlinks`, its default): a directory reached through two links is listed under
/// both, as aws-cli lists it; only a link back to one of its own ancestors is not followed (a
/// loop). Special files and links to nothing are skipped with aws-cli's warnings.
fn walk(root: &Path, skipped: &Skipped) -> Result<BTreeMap<String, Entry>, Failure> {
    let mut found = BTreeMap::new();
    // Each directory with the real paths of the directories above it and itself.
    let mut stack = vec![(root.to_path_buf(), Vec::new())];
    while let Some((dir, mut ancestors)) = stack.pop() {
        if let Ok(real) = std::fs::canonicalize(&dir) {
            if ancestors.contains(&real) {
                continue;
            }
            ancestors.push(real);
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && dir == root => return Ok(found),
            // A file given where a directory belongs (`cp f s3://b/ --recursive`, `sync f …`):
            // aws-cli lists `f/`, finds nothing there and skips it, exiting 2.
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory && dir == root => {
                let shown = format!("{}/", absolute_as_python(root).to_string_lossy());
                skip_shown_with_warning(&shown, "File does not exist.", skipped);
                return Ok(found);
            }
            Err(e) => {
                return Err(Failure::client(
                    "LocalFileError",
                    format!("{}: {e}", dir.display()),
                ))
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::metadata(&path) else {
                // A link to nothing (what is gone between listing and reading, too).
                skip_with_warning(&path, "File does not exist.", skipped);
                continue;
            };
            if skipped_as_special(&path, skipped) {
                continue;
            }
            if meta.is_dir() {
                stack.push((path, ancestors.clone()));
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
                    .map(|d| to_micros(d.as_secs() as i64, d.subsec_nanos()))
                    .unwrap_or((0, 0));
                found.insert(
                    relative,
                    Entry {
                        size: meta.len(),
                        mtime,
                        etag: None,
                    },
                );
            }
        }
    }
    Ok(found)
}

/// The objects under `prefix`, by their key below it, in pages of `page_size`. A listing that
/// fails ends the command as it ends aws-cli's `cp`, `mv`, `sync` and `rm` (and so `rb
/// --force`): [`Runner::fatal`].
fn list_objects(
    s3: &Client<CliTransport>,
    bucket: &str,
    prefix: &str,
    page_size: Option<i64>,
) -> Result<BTreeMap<String, Entry>, sansboto_core::Error> {
    let mut found = BTreeMap::new();
    let paging = sansboto_core::PaginationOptions {
        page_size,
        ..Default::default()
    };
    let mut pages = s3.paginate(
        "ListObjectsV2",
        params! {"Bucket": bucket, "Prefix": prefix},
        paging,
    )?;
    while let Some(page) = pages.next_page() {
        let page = page?;
        for object in page["Contents"].as_list().unwrap_or_default() {
            let key = object["Key"].as_str().unwrap_or_default();
            let relative = key.strip_prefix(prefix).unwrap_or(key).to_string();
            let mtime = match &object["LastModified"] {
                Value::Timestamp(t) => to_micros(t.secs(), t.subsec_nanos()),
                _ => (0, 0),
            };
            found.insert(
                relative,
                Entry {
                    size: object["Size"].as_i64().unwrap_or(0) as u64,
                    mtime,
                    etag: object["ETag"].as_str().map(String::from),
                },
            );
        }
    }
    Ok(found)
}

/// What a listing of objects is for: aws-cli's file generator leaves the console's folder
/// objects ([`is_folder_marker`]) out of every listing but a delete's (`rm`, `rb --force`), so
/// they are neither downloaded, copied or moved nor deleted by `sync --delete`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Listing {
    /// `cp`, `mv`, `sync` (both sides).
    Transfer,
    /// `rm`.
    Delete,
}

/// An empty object whose key ends in `/`: a folder as the S3 console makes one (`relative`
/// is its key below the listed prefix, which ends in `/`: empty for the prefix's own object).
fn is_folder_marker(relative: &str, entry: &Entry) -> bool {
    entry.size == 0 && (relative.is_empty() || relative.ends_with('/'))
}

/// Whether `location` names a bucket and no key (`s3://bucket`, `s3://bucket/`).
fn is_bucket_only(location: &Location) -> bool {
    matches!(location, Location::S3 { key, .. } if key.is_empty())
}

/// The prefix under which a recursive source or destination's objects live.
fn dir_prefix(key: &str) -> String {
    if key.is_empty() || key.ends_with('/') {
        key.to_string()
    } else {
        format!("{key}/")
    }
}

/// A path as aws-cli's result lines show it (`upload: … to …`, `delete failed: …`): an object
/// as `s3://b/k`; a local file by aws-cli's `relative_path`, the directory holding it (made
/// absolute as [`absolute_as_python`] does) relative to the current one as Python's
/// `os.path.relpath` gives it, then the file's name (`./f` for a file here, `../d/f` beside
/// it).
fn display(location: &Location) -> String {
    let path = match location {
        Location::Local(path) => path,
        Location::S3 { bucket, key } => return format!("s3://{bucket}/{key}"),
        Location::Stdio => return "-".into(),
    };
    let absolute = absolute_as_python(path);
    // A path ending in `/` is a directory's, shown with its `/` (`d/`, `./`), as aws-cli
    // shows it: its name is empty.
    let names_directory = path.as_os_str().as_encoded_bytes().ends_with(b"/");
    let name = match names_directory {
        true => String::new(),
        false => absolute
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let dir = match names_directory {
        true => &absolute,
        false => absolute.parent().unwrap_or(&absolute),
    };
    let here = absolute_as_python(Path::new("."));
    let words = |p: &Path| -> Vec<String> {
        p.to_string_lossy()
            .split('/')
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect()
    };
    let (dir, here) = (words(dir), words(&here));
    let common = dir.iter().zip(&here).take_while(|(a, b)| a == b).count();
    let mut relative = vec!["..".to_string(); here.len() - common];
    relative.extend(dir[common..].iter().cloned());
    match relative.is_empty() {
        true => format!("./{name}"),
        false => format!("{}/{name}", relative.join("/")),
    }
}

/// A local file's error as Python's `OSError` reads in aws-cli's lines: `[Errno 20] Not a
/// directory: '/abs/path'`.
fn os_error_text(e: &std::io::Error, path: &Path) -> String {
    let text = e.to_string();
    let shown = absolute_as_python(path);
    match e.raw_os_error() {
        Some(n) => {
            let reason = text
                .strip_suffix(&format!(" (os error {n})"))
                .unwrap_or(&text);
            format!("[Errno {n}] {reason}: '{}'", shown.display())
        }
        None => format!("{text}: '{}'", shown.display()),
    }
}

/// aws-cli's check before an upload (`cp`, `mv`, `sync` from a local path to S3): a source
/// path that does not exist (a link to nothing included, as Python's `os.path.exists` says)
/// is what it raises, `The user-provided path ./missing does not exist.`, printed after an
/// empty line, exit 255.
fn source_exists(paths: &[String], from: &Location, to: &Location) -> Result<(), Failure> {
    match (from, to) {
        (Location::Local(path), Location::S3 { .. }) if !path.exists() => Err(Failure::Raised(
            format!("The user-provided path {} does not exist.", paths[0]),
        )),
        _ => Ok(()),
    }
}

/// aws-cli's check before `mv` from S3 to S3: a destination that is the source (the same
/// words, or a prefix ending in `/` that the source's name completes into them) would have
/// the copy deleted with the source; it is raised before any call, `Cannot mv a file onto
/// itself: s3://b/k - s3://b/k` after an empty line, exit 255.
fn onto_itself(paths: &[String], from: &Location, to: &Location) -> Result<(), Failure> {
    let (Location::S3 { .. }, Location::S3 { .. }) = (from, to) else {
        return Ok(());
    };
    // aws-cli's `_normalize_s3_trailing_slash`: a bucket without a key is `s3://bucket/`.
    let normalized = |path: &String, location: &Location| match location {
        Location::S3 { key, .. } if key.is_empty() && !path.ends_with('/') => format!("{path}/"),
        _ => path.clone(),
    };
    let (source, destination) = (&normalized(&paths[0], from), &normalized(&paths[1], to));
    let name = source.rsplit('/').next().unwrap_or_default();
    let same = source == destination
        || (destination.ends_with('/') && *source == format!("{destination}{name}"));
    match same {
        true => Err(Failure::Raised(format!(
            "Cannot mv a file onto itself: {source} - {destination}"
        ))),
        false => Ok(()),
    }
}

/// Runs the commands with one client and prints what aws-cli prints.
struct Runner {
    s3: Client<CliTransport>,
    args: S3Args,
    config: TransferConfig,
    /// Files skipped with a warning: the command then exits 2, as aws-cli's do.
    skipped: Skipped,
    /// Transfers and deletes that failed, each with its `… failed:` line ([`Runner::fail`]):
    /// the command then exits 1.
    failed: Cell<usize>,
}

impl Runner {
    /// The members every object written gets from the options; `upload` names the local file
    /// an upload reads, whose content type is guessed from its name unless
    /// `--content-type` or `--no-guess-mime-type` is given (aws-cli's rule).
    fn extra(&self, upload: Option<&Path>) -> Value {
        let mut m = Map::default();
        for (member, value) in &self.args.object {
            m.insert((*member).into(), Value::from(value.as_str()));
        }
        if !self.args.no_guess_mime_type && !m.contains_key("ContentType") {
            if let Some(guessed) = upload.and_then(crate::mimetypes::guess) {
                m.insert("ContentType".into(), Value::from(guessed));
            }
        }
        if let Some(class) = &self.args.storage_class {
            m.insert("StorageClass".into(), Value::from(class));
        }
        if let Some(sse) = &self.args.sse {
            m.insert("ServerSideEncryption".into(), Value::from(sse));
        }
        if let Some(key) = &self.args.sse_kms_key_id {
            m.insert("SSEKMSKeyId".into(), Value::from(key));
        }
        // An empty map sets nothing, as aws-cli tests the option's truth.
        if let Some(metadata) = self
            .args
            .metadata
            .as_ref()
            .filter(|v| v.as_map().is_some_and(|m| !m.is_empty()))
        {
            m.insert("Metadata".into(), metadata.clone());
        }
        Value::Map(m)
    }

    /// A copy's extra arguments (aws-cli's `map_copy_object_params`): those of [`extra`]
    /// (no type guessed: aws-cli guesses none for a copy), `--metadata-directive`, and
    /// `MetadataDirective: REPLACE` when `--metadata` gives metadata and no directive is given.
    ///
    /// [`extra`]: Runner::extra
    fn copy_extra(&self) -> Value {
        let mut extra = self.extra(None);
        if let Some(m) = extra.as_map_mut() {
            let directive = match &self.args.metadata_directive {
                Some(directive) => Some(directive.as_str()),
                None if m.contains_key("Metadata") => Some("REPLACE"),
                None => None,
            };
            if let Some(directive) = directive {
                m.insert("MetadataDirective".into(), Value::from(directive));
            }
        }
        extra
    }

    /// A call whose failure ends an S3 command as aws-cli ends it (a listing, the look at a
    /// single source object): `fatal error: An error occurred (…) when calling the …
    /// operation: …` on stderr, exit 1; with `--quiet` nothing is printed and the exit is
    /// still 1 (aws-cli puts the error on its result queue, which `--quiet` leaves without a
    /// printer).
    fn fatal(&self, e: &sansboto_core::Error) -> Failure {
        if self.args.quiet {
            return Failure::Failed;
        }
        let why = crate::output::error_text(e);
        Failure::Command(format!("fatal error: {why}"))
    }

    /// Print the line of something done (`upload: …`, `delete: …`), or that would be done
    /// (`(dryrun) …`): nothing with `--quiet`, only the `(dryrun)` lines with
    /// `--only-show-errors` (aws-cli's printer for it skips successes alone).
    fn say(&self, line: String) -> Result<(), Failure> {
        let line = match (
            self.args.quiet,
            self.args.dryrun,
            self.args.only_show_errors,
        ) {
            (true, _, _) | (false, false, true) => return Ok(()),
            (false, true, _) => format!("(dryrun) {line}"),
            (false, false, false) => line,
        };
        crate::output::print_stdout(&line)
    }

    /// One transfer from `from` to `to`; `verb` is what is printed (`upload`, `move`, …). One
    /// that fails is reported as aws-cli reports it ([`Runner::fail`]: `upload failed: ./f to
    /// s3://b/k An error occurred (…) when calling the PutObject operation: …`) and the command
    /// goes on with the others; a move that fails leaves its source.
    fn transfer(
        &self,
        from: &Location,
        to: &Location,
        source: Option<&Entry>,
        moving: bool,
    ) -> Result<(), Failure> {
        let verb = match (from, to, moving) {
            (_, _, true) => "move",
            (Location::S3 { .. }, Location::S3 { .. }, _) => "copy",
            (Location::S3 { .. }, _, _) => "download",
            _ => "upload",
        };
        if !matches!(from, Location::S3 { .. }) && !matches!(to, Location::S3 { .. }) {
            return Err(Failure::Usage(
                "at least one of the paths must be s3://bucket/key".into(),
            ));
        }
        let line = format!("{verb}: {} to {}", display(from), display(to));
        if self.args.dryrun {
            return self.say(line);
        }
        if let (Location::Local(path), Location::S3 { .. }) = (from, to) {
            if skipped_as_special(path, &self.skipped) {
                return Ok(());
            }
        }
        let done = self.carry_out(from, to, source, moving);
        if progress_shown(&self.args) {
            // End the progress line before the result line.
            print!("\r\x1b[K");
        }
        match done {
            Err(why) => {
                self.fail(format!(
                    "{verb} failed: {} to {} {why}",
                    display(from),
                    display(to)
                ));
                return Ok(());
            }
            // The file is there (and a move's source deleted): aws-cli warns before the
            // download's line and exits 2, as for a skipped file.
            Ok(Some(unset)) => {
                if let Location::Local(path) = to {
                    skip_with_warning(path, &mtime_not_set(path, &unset), &self.skipped);
                }
            }
            Ok(None) => {}
        }
        // A stream either way prints only errors, as aws-cli's printer for `-` does.
        if !matches!(to, Location::Stdio) && !matches!(from, Location::Stdio) {
            self.say(line)?;
        }
        Ok(())
    }

    /// The calls and file work of one transfer (the source deleted after a move); what went
    /// wrong as aws-cli words it after the paths ([`failure_text`], [`os_error_text`]). A
    /// download whose file could not be given its object's time is no failure: the error is
    /// returned for a warning ([`mtime_not_set`]) and a move still deletes its source, as in
    /// aws-cli.
    fn carry_out(
        &self,
        from: &Location,
        to: &Location,
        source: Option<&Entry>,
        moving: bool,
    ) -> Result<Option<std::io::Error>, String> {
        let why = |e: sansboto_core::Error| failure_text(&e);
        let mut unset = None;
        match (from, to) {
            (Location::Local(path), Location::S3 { bucket, key }) => {
                self.s3
                    .upload_file(bucket, key, path, self.extra(Some(path)), &self.config)
                    .map_err(why)?;
            }
            (Location::Stdio, Location::S3 { bucket, key }) => {
                self.upload_stdin(bucket, key).map_err(why)?
            }
            (Location::S3 { bucket, key }, Location::Local(path))
                if path.as_os_str().as_encoded_bytes().ends_with(b"/") =>
            {
                // A key ending in `/` below the source prefix: the directory is made and no
                // file written over it, the transfer failing as aws-cli's rename onto `d/`
                // fails (`[Errno 20] Not a directory`).
                let _ = std::fs::create_dir_all(path);
                let not_a_directory = std::io::Error::from_raw_os_error(20);
                return Err(os_error_text(&not_a_directory, path));
            }
            (Location::S3 { bucket, key }, Location::Local(path)) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    // A parent that cannot be made (a regular file there) is reported by the
                    // download's own open, as aws-cli reports it.
                    let _ = std::fs::create_dir_all(dir);
                }
                let head = self
                    .s3
                    .download_file(bucket, key, path, Value::Null, &self.config)
                    .map_err(why)?;
                unset = set_mtime(path, &head["LastModified"]).err();
            }
            (Location::S3 { bucket, key }, Location::Stdio) => self.download_stdout(bucket, key)?,
            (
                Location::S3 {
                    bucket: b1,
                    key: k1,
                },
                Location::S3 { bucket, key },
            ) => {
                let copy_source = params! {"Bucket": b1.as_str(), "Key": k1.as_str()};
                let extra = self.copy_extra();
                match source {
                    Some(entry) => self.s3.copy_object_sized(
                        copy_source,
                        entry.size,
                        entry.etag.as_deref(),
                        bucket,
                        key,
                        extra,
                        &self.config,
                    ),
                    None => self
                        .s3
                        .copy_object(copy_source, bucket, key, extra, &self.config),
                }
                .map_err(why)?;
            }
            // Refused by `transfer`.
            _ => {}
        }
        if moving {
            match from {
                Location::Local(path) => {
                    std::fs::remove_file(path).map_err(|e| os_error_text(&e, path))?
                }
                Location::S3 { bucket, key } => {
                    self.s3
                        .call(
                            "DeleteObject",
                            params! {"Bucket": bucket.as_str(), "Key": key.as_str()},
                        )
                        .map_err(why)?;
                }
                Location::Stdio => {}
            }
        }
        Ok(unset)
    }

    /// Report a file or object the command could not transfer or delete as aws-cli reports
    /// it, `line` on stderr (nothing with `--quiet`), and count it in `failed`: the command
    /// goes on with the others and then exits 1.
    fn fail(&self, line: String) {
        self.failed.set(self.failed.get() + 1);
        if !self.args.quiet {
            eprintln!("{line}");
        }
    }

    /// stdin has no length and cannot be re-read: it goes up as a stream, a part at a time
    /// (multipart above 8 MiB), each part kept in memory until it is stored.
    fn upload_stdin(&self, bucket: &str, key: &str) -> Result<(), sansboto_core::Error> {
        use std::io::Read;
        let mut stdin = std::io::stdin();
        let mut reader = |buf: &mut [u8]| stdin.read(buf);
        self.s3
            .upload_from(bucket, key, &mut reader, self.extra(None), &self.config)?;
        Ok(())
    }

    /// An object streamed to stdout as it arrives (one GET: stdout cannot take ranges out of
    /// order), after the HeadObject aws-cli's transfer makes first (so that a missing object
    /// fails there, as in aws-cli).
    fn download_stdout(&self, bucket: &str, key: &str) -> Result<(), String> {
        let why = |e: sansboto_core::Error| failure_text(&e);
        self.s3
            .call("HeadObject", params! {"Bucket": bucket, "Key": key})
            .map_err(why)?;
        let got = self
            .s3
            .call("GetObject", params! {"Bucket": bucket, "Key": key})
            .map_err(why)?;
        let mut body = take_body::<CliTransport>(&got["Body"]).ok_or("GetObject gave no stream")?;
        let mut out = std::io::stdout().lock();
        let written = |e: std::io::Error| format!("writing stdout: {e}");
        while let Some(chunk) = body
            .chunk()
            .map_err(|e| why(sansboto_core::Error::Transport(e)))?
        {
            out.write_all(&chunk).map_err(written)?;
        }
        out.flush().map_err(written)
    }

    fn cp(&self, moving: bool) -> Result<(), Failure> {
        let (from, to) = (
            location(&self.args.paths[0])?,
            location(&self.args.paths[1])?,
        );
        source_exists(&self.args.paths, &from, &to)?;
        if moving {
            onto_itself(&self.args.paths, &from, &to)?;
        }
        if !self.args.recursive && is_bucket_only(&from) && !matches!(to, Location::Stdio) {
            // aws-cli's file generator lists the bucket for a source without a key, and
            // transfers none of it (no object's path is the bucket's own); a download to
            // stdout has no generator and fails on the empty key.
            self.list(&from, Listing::Transfer)?;
            return Ok(());
        }
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
            let source = match (&from, &to) {
                (Location::S3 { bucket, key }, Location::Local(_) | Location::S3 { .. }) => {
                    Some(self.head_source(bucket, key)?)
                }
                _ => None,
            };
            // Filtered too, as in aws-cli (after the look at an object, as there); a stream
            // from stdin or to stdout is not (aws-cli's streaming transfer has no filter).
            let (root, name) = root_and_name(&from);
            let streamed = matches!(from, Location::Stdio) || matches!(to, Location::Stdio);
            if !streamed && !included(&self.args.filters, &root, &name) {
                return Ok(());
            }
            return self.transfer(&from, &to, source.as_ref(), moving);
        }
        let sources = self.list(&from, Listing::Transfer)?;
        for (relative, source) in sources
            .iter()
            .filter(|(r, _)| included(&self.args.filters, &from, r))
        {
            if !self.escapes(&to, relative) {
                let (from, to) = (child(&from, relative), child(&to, relative));
                self.transfer(&from, &to, Some(source), moving)?;
            }
        }
        Ok(())
    }

    /// Whether `relative`, a key below the source prefix, would be downloaded above the local
    /// directory `to` ([`escapes_destination`]): then it is skipped with aws-cli's warning,
    /// `warning: Skipping file ../x. File references a parent directory.`, the command
    /// exiting 2.
    fn escapes(&self, to: &Location, relative: &str) -> bool {
        let escapes = matches!(to, Location::Local(_)) && escapes_destination(relative);
        if escapes {
            let reason = "File references a parent directory.";
            skip_shown_with_warning(relative, reason, &self.skipped);
        }
        escapes
    }

    /// aws-cli's look at a single object before it downloads or copies it (`cp`, `mv` without
    /// `--recursive`; not to stdout): HeadObject, whose failure ends the command ([`Runner::fatal`]),
    /// a missing key's 404 worded `Key "k" does not exist` as aws-cli words it. The object's
    /// size and ETag, which aws-cli hands to the transfer.
    fn head_source(&self, bucket: &str, key: &str) -> Result<Entry, Failure> {
        let params = params! {"Bucket": bucket, "Key": key};
        let mut e = match self.s3.call("HeadObject", params) {
            Ok(head) => {
                return Ok(Entry {
                    size: head["ContentLength"].as_i64().unwrap_or(0).max(0) as u64,
                    mtime: (0, 0),
                    etag: head["ETag"].as_str().map(String::from),
                })
            }
            Err(e) => e,
        };
        if let sansboto_core::Error::Service(s) = &mut e {
            let error = s.fields.as_map_mut().and_then(|m| m.get_mut("Error"));
            if let Some(error) = error
                .and_then(Value::as_map_mut)
                .filter(|_| s.code == "404")
            {
                let message = format!("Key \"{key}\" does not exist");
                error.insert("Message".into(), Value::from(message));
            }
        }
        Err(self.fatal(&e))
    }

    fn list(&self, root: &Location, listing: Listing) -> Result<BTreeMap<String, Entry>, Failure> {
        match root {
            Location::Local(path) => walk(path, &self.skipped),
            Location::S3 { bucket, key } => {
                let mut found =
                    list_objects(&self.s3, bucket, &dir_prefix(key), self.args.page_size)
                        .map_err(|e| self.fatal(&e))?;
                if listing == Listing::Transfer {
                    found.retain(|relative, entry| !is_folder_marker(relative, entry));
                }
                Ok(found)
            }
            Location::Stdio => Err(Failure::Usage("--recursive does not take -".into())),
        }
    }

    fn sync(&self) -> Result<(), Failure> {
        let (from, to) = (
            location(&self.args.paths[0])?,
            location(&self.args.paths[1])?,
        );
        source_exists(&self.args.paths, &from, &to)?;
        // Each side filtered under its own root, as aws-cli filters them before comparing:
        // what only an absolute pattern leaves out on one side is missing there (a target
        // whose source is left out that way is deleted with `--delete`).
        let filtered = |root: &Location| -> Result<BTreeMap<String, Entry>, Failure> {
            let mut listed = self.list(root, Listing::Transfer)?;
            listed.retain(|r, _| included(&self.args.filters, root, r));
            Ok(listed)
        };
        let sources = filtered(&from)?;
        let targets = filtered(&to)?;
        for (relative, source) in &sources {
            let stale = match targets.get(relative) {
                None => true,
                Some(target) if target.size != source.size => true,
                // With `--exact-timestamps` too, aws-cli's strategy for it (registered after
                // the one for `--size-only`) replaces the other: times are compared.
                Some(_) if self.args.size_only && !self.args.exact_timestamps => false,
                Some(target) => self.newer(&from, &to, source, target),
            };
            if stale && !self.escapes(&to, relative) {
                let (from, to) = (child(&from, relative), child(&to, relative));
                self.transfer(&from, &to, Some(source), false)?;
            }
        }
        if self.args.delete {
            for relative in targets.keys().filter(|r| !sources.contains_key(*r)) {
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

    /// Delete one file or object. One that cannot be deleted is reported as aws-cli reports it
    /// ([`Runner::fail`]): `delete failed: s3://b/k An error occurred (…) when calling the
    /// DeleteObject operation: …`, or for a file (`sync --delete` into a directory) `delete
    /// failed: ./d/f [Errno 1] Operation not permitted: '/abs/d/f'`.
    fn remove(&self, target: &Location) -> Result<(), Failure> {
        if !self.args.dryrun {
            let removed = match target {
                Location::Local(path) => {
                    std::fs::remove_file(path).map_err(|e| os_error_text(&e, path))
                }
                Location::S3 { bucket, key } => {
                    let params = params! {"Bucket": bucket.as_str(), "Key": key.as_str()};
                    self.s3
                        .call("DeleteObject", params)
                        .map(drop)
                        .map_err(|e| crate::output::error_text(&e))
                }
                Location::Stdio => Ok(()),
            };
            if let Err(why) = removed {
                self.fail(format!("delete failed: {} {why}", display(target)));
                return Ok(());
            }
        }
        self.say(format!("delete: {}", display(target)))
    }

    fn rm(&self) -> Result<(), Failure> {
        let target = location(&self.args.paths[0])?;
        if !matches!(target, Location::S3 { .. }) {
            return Err(Failure::Usage("s3 rm takes s3://bucket/key".into()));
        }
        if !self.args.recursive && is_bucket_only(&target) {
            return self.remove_folder_markers(&target);
        }
        if !self.args.recursive {
            let (root, name) = root_and_name(&target);
            if !included(&self.args.filters, &root, &name) {
                return Ok(());
            }
            return self.remove(&target);
        }
        self.remove_tree(&target)
    }

    /// `rm s3://bucket` without `--recursive`: aws-cli's file generator lists the whole bucket
    /// and, deleting, yields the empty objects whose key ends in `/` (the folders the console
    /// makes) and nothing else; those the filters let through are deleted.
    fn remove_folder_markers(&self, bucket: &Location) -> Result<(), Failure> {
        let listed = self.list(bucket, Listing::Delete)?;
        for (relative, _) in listed.iter().filter(|(r, entry)| {
            is_folder_marker(r, entry) && included(&self.args.filters, bucket, r)
        }) {
            self.remove(&child(bucket, relative))?;
        }
        Ok(())
    }

    /// `rm --recursive`: every object under `root` the filters let through, deleted one by
    /// one, each failure reported and the others still tried (also how `rb --force` empties a
    /// bucket).
    fn remove_tree(&self, root: &Location) -> Result<(), Failure> {
        for relative in self
            .list(root, Listing::Delete)?
            .keys()
            .filter(|r| included(&self.args.filters, root, r))
        {
            self.remove(&child(root, relative))?;
        }
        Ok(())
    }

    /// A bucket command's one call (`mb`, `rb`), reported as aws-cli reports it: `verb: bucket`
    /// on stdout, or one line `verb failed: path error` on stderr and exit 1.
    fn bucket_call(
        &self,
        verb: &str,
        operation: &str,
        params: Value,
        bucket: &str,
    ) -> Result<(), Failure> {
        match self.s3.call(operation, params) {
            Ok(_) => crate::output::print_stdout(&format!("{verb}: {bucket}")),
            Err(e) => Err(Failure::Command(format!(
                "{verb} failed: {} {}",
                self.args.paths[0],
                crate::output::error_text(&e)
            ))),
        }
    }

    /// aws-cli's `s3 website s3://BUCKET`: `PutBucketWebsite` with the index document's
    /// suffix and the error document's key given (an empty configuration when neither is),
    /// the bucket read from `s3://BUCKET`, `BUCKET` or either with a trailing `/`. Nothing is
    /// printed; a failure is aws-cli's raised error.
    fn website(&self) -> Result<(), Failure> {
        let path = self.args.paths[0].as_str();
        let path = path.strip_prefix("s3://").unwrap_or(path);
        let bucket = path.strip_suffix('/').unwrap_or(path);
        let mut configuration = Map::default();
        if let Some(suffix) = &self.args.index_document {
            configuration.insert("IndexDocument".into(), params! {"Suffix": suffix.as_str()});
        }
        if let Some(key) = &self.args.error_document {
            configuration.insert("ErrorDocument".into(), params! {"Key": key.as_str()});
        }
        let params = params! {"Bucket": bucket, "WebsiteConfiguration": Value::Map(configuration)};
        // A failed call is raised, as aws-cli raises the ClientError: its text, exit 255.
        self.s3
            .call("PutBucketWebsite", params)
            .map_err(|e| Failure::Raised(crate::output::error_text(&e)))?;
        Ok(())
    }

    /// aws-cli's `s3 mb`: `CreateBucket` in the client's region (no `LocationConstraint` in
    /// us-east-1, which refuses one), with the `--tags`, in the account's regional namespace
    /// for a name ending `-an`.
    fn mb(&self) -> Result<(), Failure> {
        let path = &self.args.paths[0];
        let bucket = s3_uri(path)?.0;
        if bucket.ends_with("--x-s3") {
            return Err(invalid_argument(
                "Cannot use mb command with a directory bucket.",
            ));
        }
        let mut params = Map::default();
        params.insert("Bucket".into(), Value::from(bucket.as_str()));
        if bucket.ends_with("-an") {
            params.insert("BucketNamespace".into(), Value::from("account-regional"));
        }
        let mut configuration = Map::default();
        // An S3 client without a region is us-east-1's, as botocore's `meta.region_name` is.
        let region = self.s3.core().config().endpoint.region.clone();
        match region.as_deref() {
            None | Some("us-east-1") | Some("aws-global") => {}
            Some(region) => {
                configuration.insert("LocationConstraint".into(), Value::from(region));
            }
        }
        if !self.args.tags.is_empty() {
            let tags = self.args.tags.iter().map(|(key, value)| {
                params! {"Key": key.as_str(), "Value": value.as_str()}
            });
            configuration.insert("Tags".into(), Value::List(tags.collect()));
        }
        if !configuration.is_empty() {
            params.insert(
                "CreateBucketConfiguration".into(),
                Value::Map(configuration),
            );
        }
        self.bucket_call("make_bucket", "CreateBucket", Value::Map(params), &bucket)
    }

    /// aws-cli's `s3 rb`: `DeleteBucket`; with `--force`, every object is deleted first as
    /// `s3 rm --recursive` deletes them, and when one cannot be, the bucket is left and
    /// aws-cli's `remove_bucket failed: Unable to delete all objects …` ends the command
    /// (exit 255, as the exception aws-cli raises there).
    fn rb(&self) -> Result<(), Failure> {
        let path = &self.args.paths[0];
        let (bucket, key) = s3_uri(path)?;
        if !key.is_empty() {
            return Err(invalid_argument(format!(
                "Please specify a valid bucket name only. E.g. s3://{bucket}"
            )));
        }
        if self.args.force {
            let root = Location::S3 {
                bucket: bucket.clone(),
                key: String::new(),
            };
            let emptied = self.remove_tree(&root);
            if let Err(e) = &emptied {
                e.report();
            }
            if emptied.is_err() || self.failed.get() > 0 {
                return Err(Failure::Raised(
                    "remove_bucket failed: Unable to delete all objects in the bucket, bucket \
                     will not be deleted."
                        .into(),
                ));
            }
        }
        let params = params! {"Bucket": bucket.as_str()};
        self.bucket_call("remove_bucket", "DeleteBucket", params, &bucket)
    }

    /// aws-cli's `s3 presign`: a presigned `GetObject` URL, for an hour unless `--expires-in`
    /// says otherwise (always SigV4, as every presigned URL here).
    fn presign(&self) -> Result<(), Failure> {
        let path = &self.args.paths[0];
        let (bucket, key) = bucket_and_key(path.strip_prefix("s3://").unwrap_or(path))?;
        let expires_in = std::time::Duration::from_secs(self.args.expires_in.unwrap_or(3600));
        let url = self.s3.presign(
            "GetObject",
            params! {"Bucket": bucket.as_str(), "Key": key.as_str()},
            expires_in,
        )?;
        crate::output::print_stdout(&url)
    }

    /// aws-cli's `s3 ls`: the buckets (no path, or `s3://`), or a prefix's objects and
    /// subprefixes (every object below it with `--recursive`), in pages of `--page-size`;
    /// `--human-readable` sizes and a `--summarize` total. A path naming a key or prefix that
    /// matches nothing exits 1 without output, as aws-cli's does (scripts test for it).
    fn ls(&self) -> Result<(), Failure> {
        let path = self.args.paths.first().map_or("s3://", String::as_str);
        let (bucket, key) = bucket_and_key(path.strip_prefix("s3://").unwrap_or(path))?;
        let paging = sansboto_core::PaginationOptions {
            page_size: self.args.page_size,
            ..Default::default()
        };
        let print = |line: String| crate::output::print_stdout(&line);
        // A listing that fails is raised out of aws-cli's command: `An error occurred (…) when
        // calling the ListObjectsV2 operation: …` after an empty line, exit 255.
        let raised = |e: sansboto_core::Error| Failure::Raised(crate::output::error_text(&e));
        let summary = |objects: u64, total: String| -> Result<(), Failure> {
            if self.args.summarize {
                print(format!("\nTotal Objects: {objects}"))?;
                print(format!("   Total Size: {total}"))?;
            }
            Ok(())
        };
        if bucket.is_empty() {
            let mut request = Map::default();
            for (member, value) in [
                ("Prefix", &self.args.bucket_name_prefix),
                ("BucketRegion", &self.args.bucket_region),
            ] {
                if let Some(value) = value {
                    request.insert(member.into(), Value::from(value.as_str()));
                }
            }
            let mut pages = self
                .s3
                .paginate("ListBuckets", Value::Map(request), paging)
                .map_err(raised)?;
            while let Some(page) = pages.next_page() {
                for b in page.map_err(raised)?["Buckets"]
                    .as_list()
                    .unwrap_or_default()
                {
                    let name = b["Name"].as_str().unwrap_or_default();
                    print(format!("{} {name}", date(&b["CreationDate"])))?;
                }
            }
            // aws-cli's `--summarize` counts objects, none here, and still prints its totals.
            let none = match self.args.human_readable {
                true => human_readable_size(0),
                false => "0".into(),
            };
            return summary(0, none);
        }
        let mut request = params! {"Bucket": bucket.as_str(), "Prefix": key.as_str()};
        if let Value::Map(m) = &mut request {
            if !self.args.recursive {
                m.insert("Delimiter".into(), Value::from("/"));
            }
            if let Some(payer) = &self.args.request_payer {
                m.insert("RequestPayer".into(), Value::from(payer.as_str()));
            }
        }
        let size_text = |bytes: u64| match self.args.human_readable {
            true => human_readable_size(bytes),
            false => bytes.to_string(),
        };
        let (mut objects, mut total) = (0u64, 0u64);
        let mut first_page_empty = None;
        let mut pages = self
            .s3
            .paginate("ListObjectsV2", request, paging)
            .map_err(raised)?;
        while let Some(page) = pages.next_page() {
            let page = page.map_err(raised)?;
            let prefixes = page["CommonPrefixes"].as_list().unwrap_or_default();
            let contents = page["Contents"].as_list().unwrap_or_default();
            first_page_empty.get_or_insert(prefixes.is_empty() && contents.is_empty());
            for p in prefixes {
                // The last component before the one ending `/`, as aws-cli shows it (`PRE
                // photos/`; `PRE /` for a prefix `a//`, whose last component is empty).
                let name = p["Prefix"].as_str().unwrap_or_default();
                let name = name.strip_suffix('/').unwrap_or(name);
                let last = name.rsplit('/').next().unwrap_or(name);
                print(format!("{:>30} {last}/", "PRE"))?;
            }
            for o in contents {
                let name = o["Key"].as_str().unwrap_or_default();
                let shown = match self.args.recursive {
                    true => name,
                    false => name.rsplit('/').next().unwrap_or(name),
                };
                let size = u64::try_from(o["Size"].as_i64().unwrap_or(0)).unwrap_or(0);
                objects += 1;
                total = total.saturating_add(size);
                print(format!(
                    "{} {:>10} {shown}",
                    date(&o["LastModified"]),
                    size_text(size)
                ))?;
            }
        }
        summary(objects, size_text(total))?;
        match (key.is_empty(), first_page_empty) {
            (false, Some(true)) => Err(Failure::Empty),
            _ => Ok(()),
        }
    }
}

/// A size as aws-cli's `--human-readable` writes it: `1 Byte`, `10 Bytes`, then base-2 units
/// with one decimal (`1.0 KiB`, `5.5 MiB`), the unit chosen so that the figure stays under
/// 1024 once rounded (half to even, as Python rounds).
fn human_readable_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    match bytes {
        1 => return "1 Byte".into(),
        0..=1023 => return format!("{bytes} Bytes"),
        _ => {}
    }
    let bytes = bytes as f64;
    let scale = |i: usize| 1024f64.powi(i as i32 + 2);
    let i = (0..UNITS.len())
        .find(|&i| ((bytes / scale(i)) * 1024.0).round_ties_even() < 1024.0)
        .unwrap_or(UNITS.len() - 1);
    format!("{:.1} {}", 1024.0 * bytes / scale(i), UNITS[i])
}

/// The bucket and key of an `s3://` path, for the commands that take nothing else (aws-cli's
/// `Invalid argument type` otherwise).
fn s3_uri(path: &str) -> Result<(String, String), Failure> {
    match path.strip_prefix("s3://") {
        Some(rest) => bucket_and_key(rest),
        None => Err(invalid_argument(format!(
            "<S3Uri>: {path} is not an s3:// path (Error: Invalid argument type)"
        ))),
    }
}

/// An object's or bucket's time as `ls` shows it: in local time, as aws-cli shows it (the zone
/// `TZ` names, else the system's), to the second; UTC where the time cannot be placed.
fn date(value: &Value) -> String {
    match value {
        Value::Timestamp(t) => {
            let local = chrono::DateTime::from_timestamp(t.secs(), 0)
                .map(|utc| utc.with_timezone(&chrono::Local).naive_local());
            match local {
                Some(local) => local.format("%Y-%m-%d %H:%M:%S").to_string(),
                None => {
                    let (y, mo, d, h, mi, s) = t.to_civil();
                    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
                }
            }
        }
        _ => format!("{:19}", ""),
    }
}

/// `root` joined with a path below it: for a directory, each of the path's words in turn, so
/// that a key's empty words (`p//b.txt` below `p/` is `/b.txt`) stay below the directory, as
/// they do in aws-cli's joined words (`dir//b.txt`), instead of replacing it (`/b.txt`).
fn child(root: &Location, relative: &str) -> Location {
    match root {
        Location::Local(p) => {
            let mut path = p.clone();
            path.extend(relative.split('/').filter(|w| !w.is_empty()));
            // A key ending in `/` (a "directory" object), or the prefix itself, names the
            // directory, `/` kept as in aws-cli's `dir/` + key: no file is written there
            // ([`Runner::carry_out`]).
            if relative.is_empty() || relative.ends_with('/') {
                path.push("");
            }
            Location::Local(path)
        }
        Location::S3 { bucket, key } => Location::S3 {
            bucket: bucket.clone(),
            key: format!("{}{relative}", dir_prefix(key)),
        },
        Location::Stdio => Location::Stdio,
    }
}

/// Give a downloaded file its object's time, as aws-cli does: a later sync compares the two.
/// aws-cli sets it by the path (`os.utime`), which needs the file owned, not open for writing:
/// the file is opened to read, or to write if it cannot be read.
fn set_mtime(path: &Path, last_modified: &Value) -> std::io::Result<()> {
    let Value::Timestamp(t) = last_modified else {
        return Ok(());
    };
    let secs = t.secs();
    let since = std::time::Duration::from_secs(secs.unsigned_abs());
    let Some(when) = (if secs < 0 {
        std::time::UNIX_EPOCH.checked_sub(since)
    } else {
        std::time::UNIX_EPOCH.checked_add(since)
    }) else {
        return Ok(());
    };
    std::fs::File::open(path)
        .or_else(|_| std::fs::File::options().write(true).open(path))
        .and_then(|f| f.set_modified(when))
}

/// aws-cli's warning (after `warning: Skipping file <path>. `) for a downloaded file it could
/// not give its object's time: the path absolute as Python shows it, then the error as
/// `os.utime` raised it, with no file name (CPython leaves it out there), or, for `EPERM`,
/// the sentence aws-cli raises instead.
fn mtime_not_set(path: &Path, e: &std::io::Error) -> String {
    const EPERM: i32 = 1;
    let why = match e.raw_os_error() {
        Some(EPERM) => "The file was downloaded, but attempting to modify the utime of the file \
                        failed. Is the file owned by another user?"
            .to_string(),
        Some(n) => {
            let text = e.to_string();
            let reason = text
                .strip_suffix(&format!(" (os error {n})"))
                .unwrap_or(&text)
                .to_string();
            format!("[Errno {n}] {reason}")
        }
        None => e.to_string(),
    };
    format!(
        "Successfully Downloaded {} but was unable to update the last modified time. {why}",
        absolute_as_python(path).display()
    )
}

fn progress_shown(args: &S3Args) -> bool {
    let silenced = args.quiet || args.only_show_errors || args.no_progress;
    !silenced && !args.dryrun && std::io::stdout().is_terminal()
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

/// A failed transfer as aws-cli's line words it: a service error as botocore's exception reads
/// ([`crate::output::error_text`], naming the operation answered with it: the transfers make
/// several), a local file's error as Python's `OSError` reads. A multipart upload that failed
/// and could not be aborted either is worded by the error that stopped it, as s3transfer
/// reports it (it logs the abort's error and drops it).
fn failure_text(e: &sansboto_core::Error) -> String {
    use sansboto_core::transfer::TransferError;
    use sansboto_core::Error;
    let e = match e {
        Error::Transfer(TransferError::AbortFailed { cause, .. }) => cause,
        e => e,
    };
    if let Error::Transfer(TransferError::File { path, source, .. }) = e {
        return os_error_text(source, path);
    }
    crate::output::error_text(e)
}

/// `--metadata`'s value read as aws-cli reads a map argument (its schema is a map of strings,
/// as PutObject's `Metadata`): JSON when it starts with `{`, else shorthand (`k1=v1,k2=v2`), a
/// `file://` reference read first; what cannot be read is refused before any call, worded as
/// aws-cli words it (`Error parsing parameter '--metadata': …`), and so is a value that is not
/// text, as aws-cli checks the option's schema (`Parameter validation failed: Invalid type for
/// parameter k, …`, each such value on its own line, with Python's names of the types).
fn read_metadata(model: &ServiceModel, text: String) -> Result<Value, Failure> {
    let member = model
        .operation("PutObject")
        .and_then(|o| o.input.as_ref())
        .and_then(|input| match &model.shape(input.shape).kind {
            ShapeKind::Structure(s) => s.members.get("Metadata"),
            _ => None,
        })
        .ok_or_else(|| Failure::client("Model", "S3's PutObject has no Metadata"))?;
    let json = crate::awsgrammar::unpack_one(model, member, text, "metadata")?;
    let problems: Vec<String> = json
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| {
            let kind = match value {
                serde_json::Value::String(_) => return None,
                // (aws-cli's shorthand and JSON parsers keep objects ordered.)
                serde_json::Value::Object(_) => "collections.OrderedDict",
                other => crate::render::python_type(other),
            };
            Some(format!(
                "Invalid type for parameter {key}, value: {value}, type: <class '{kind}'>, \
                 valid types: <class 'str'>"
            ))
        })
        .collect();
    if !problems.is_empty() {
        return Err(Failure::param_validation(format!(
            "Parameter validation failed:\n{}",
            problems.join("\n")
        )));
    }
    Ok(Value::from(json))
}

/// Run `s3 COMMAND` (see [`is_s3_command`]).
pub(crate) fn run(argv: &[String]) -> Result<(), Failure> {
    let mut args = parse(argv)?;
    if args.global.debug {
        crate::debug::enable();
    }
    let session: RuntimeSession<CliTransport> = crate::cli_session(args.global.profile.clone());
    // aws-cli refuses a `cli_timestamp_format` it does not know before any command; the
    // commands' own client reads timestamps parsed, whatever the setting (see `timestamps`).
    crate::timestamps::configured(session.core()?)?;
    let s3 = crate::build_client(&session, &args.global, "s3")?;
    if let Some(text) = args.metadata_text.take() {
        args.metadata = Some(read_metadata(s3.core().model(), text)?);
    }
    let mut config = TransferConfig::new();
    if progress_shown(&args) {
        config = config.on_progress(|p| {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "\r{}", progress_line(p));
            let _ = out.flush();
        });
    }
    let quiet = args.quiet;
    let runner = Runner {
        s3,
        args,
        config,
        skipped: Skipped {
            count: Cell::new(0),
            quiet,
        },
        failed: Cell::new(0),
    };
    match runner.args.command.as_str() {
        "ls" => runner.ls(),
        "cp" => runner.cp(false),
        "mv" => runner.cp(true),
        "rm" => runner.rm(),
        "mb" => runner.mb(),
        "rb" => runner.rb(),
        "presign" => runner.presign(),
        "website" => runner.website(),
        _ => runner.sync(),
    }?;
    // A failure outweighs a skipped file, as in aws-cli.
    match (runner.failed.get(), runner.skipped.count.get()) {
        (0, 0) => Ok(()),
        (0, _) => Err(Failure::Skipped),
        _ => Err(Failure::Failed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service error as S3 answers `operation` with no body (`403`, `Forbidden`).
    fn service_error(operation: &str, code: &str, message: &str) -> sansboto_core::Error {
        let mut error = Map::default();
        error.insert("Code".into(), Value::from(code));
        error.insert("Message".into(), Value::from(message));
        let mut fields = Map::default();
        fields.insert("Error".into(), Value::Map(error));
        sansboto_core::Error::Service(Box::new(sansboto_core::ServiceError {
            operation: operation.into(),
            code: code.into(),
            message: message.into(),
            request_id: None,
            host_id: None,
            status: 403,
            shape: None,
            query_error_code: None,
            fields: Value::Map(fields),
        }))
    }

    #[test]
    fn an_upload_that_could_not_be_aborted_reports_why_it_stopped() {
        use sansboto_core::transfer::TransferError;
        // A denied UploadPart, then a failed abort.
        let e = sansboto_core::Error::Transfer(TransferError::AbortFailed {
            cause: Box::new(service_error("UploadPart", "403", "Forbidden")),
            upload_id: "up-1".into(),
            abort: Box::new(service_error(
                "AbortMultipartUpload",
                "NoSuchUpload",
                "gone",
            )),
        });
        // s3transfer's report: the error that stopped the upload, as botocore words it (the
        // line the side-by-side test sees from aws-cli for a denied UploadPart), the abort's
        // failure left out. (Once sansboto's own `…; aborting multipart upload … failed too`,
        // naming AbortMultipartUpload.)
        assert_eq!(
            failure_text(&e),
            "An error occurred (403) when calling the UploadPart operation: Forbidden"
        );
        // A cause that is a local file's error is worded as Python's OSError.
        let e = sansboto_core::Error::Transfer(TransferError::AbortFailed {
            cause: Box::new(sansboto_core::Error::Transfer(TransferError::File {
                action: "reading",
                path: "gone.bin".into(),
                source: std::io::Error::from_raw_os_error(2),
            })),
            upload_id: "up-2".into(),
            abort: Box::new(service_error(
                "AbortMultipartUpload",
                "NoSuchUpload",
                "gone",
            )),
        });
        assert_eq!(
            failure_text(&e),
            os_error_text(&std::io::Error::from_raw_os_error(2), Path::new("gone.bin"))
        );
    }

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
    fn paths_split_into_bucket_and_key_as_aws_cli_splits_them() {
        let bases = [
            "arn:aws:s3:us-west-2:123456789012:accesspoint/myap/key/part",
            "arn:aws:s3:us-west-2:123456789012:accesspoint:myap/key",
            "arn:aws-cn:s3:cn-north-1:123456789012:accesspoint/ap/k",
            "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap/k",
            "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/myap/key",
            "arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-1:accesspoint:myap:key",
            "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-1/bucket/b1/key",
            "arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/olap/key",
        ];
        let mut paths: Vec<String> = [
            "bucket/key",
            "bucket",
            "bucket/",
            "",
            "a/b/c",
            "arn:aws:s3:us-west-2:123456789012:accesspoint",
            "arn:aws:s3:us-west-2:123456789012:accesspoint/myap",
            "arn:aws:s3:us-west-2:123456789012:accesspoint/myap/",
            "arn:aws:s3:us-west-2:12345678901:accesspoint/x/k",
            "arn:aws:s3:us-west-2:123456789012:accesspoint/ap:with:colons/k",
            "arn:awsfoo:s3:x:123456789012:accesspoint/a/b",
            "arn:aws:x:s3:us-west-2:123456789012:accesspoint/a/b",
            "arn:aws:s3:us-west-2:123456789012:accesspoint/a/arn:aws:s3:us-west-2:123456789012:accesspoint/b/c",
            "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op/accesspoint/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/k",
            "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op/accesspoint/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ]
        .map(String::from)
        .to_vec();
        // Every character of each ARN replaced, and left out.
        for base in bases {
            paths.push(base.to_string());
            for (i, _) in base.char_indices() {
                for c in ['/', ':', 'x', '-', '1'] {
                    paths.push(format!("{}{c}{}", &base[..i], &base[i + 1..]));
                }
                paths.push(format!("{}{}", &base[..i], &base[i + 1..]));
            }
        }
        let script = "import json, sys\n\
            from awscli.customizations.s3.utils import find_bucket_key\n\
            out = []\n\
            for p in json.load(sys.stdin):\n\
            \x20   try:\n\
            \x20       out.append(list(find_bucket_key(p)))\n\
            \x20   except ValueError as e:\n\
            \x20       out.append(str(e))\n\
            print(json.dumps(out))\n";
        let theirs: Vec<serde_json::Value> =
            serde_json::from_value(crate::argrename::tests::run_awscli_on(script, &paths)).unwrap();
        assert_eq!(theirs.len(), paths.len());
        let mut arns = 0;
        for (path, theirs) in paths.iter().zip(theirs) {
            let ours = match bucket_and_key(path) {
                Ok((bucket, key)) => {
                    arns += usize::from(bucket.contains('/') || bucket.contains(':'));
                    serde_json::json!([bucket, key])
                }
                Err(Failure::Client(e)) => e.message().into(),
                Err(other) => panic!("{path}: {other:?}"),
            };
            assert_eq!(ours, theirs, "{path}");
        }
        assert!(arns > 500, "the ARN forms are exercised: {arns}");
    }

    #[test]
    fn each_command_takes_the_options_aws_cli_gives_it() {
        let theirs = crate::argrename::tests::run_awscli(
            "import json\nfrom awscli.clidriver import create_clidriver\n\
             s3 = create_clidriver()._get_command_table()['s3']\n\
             print(json.dumps({name: sorted(cmd.arg_table) for name, cmd in s3.subcommand_table.items()}))",
        );
        let ours: Vec<&str> = VALUE_OPTIONS
            .iter()
            .chain(FLAGS)
            .chain(PAIR_OPTIONS)
            .filter(|o| !GLOBAL_OPTIONS.contains(o) && **o != "--signing-time")
            .copied()
            .collect();
        for command in COMMANDS {
            let mut given: Vec<String> = theirs[command]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| format!("--{}", o.as_str().unwrap()))
                .collect();
            if *command == "sync" {
                // Added by aws-cli's sync strategies and its sync command when the parser is
                // built, not in the command's table.
                given.extend(["--delete", "--size-only", "--exact-timestamps"].map(String::from));
            }
            for option in &ours {
                assert_eq!(
                    takes(command, option),
                    given.iter().any(|g| g == option),
                    "s3 {command} {option}"
                );
            }
        }
    }

    #[test]
    fn patterns_match_as_pythons_fnmatch_matches() {
        // Seeded patterns and texts over a small alphabet, so that they often match.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let pattern_parts = [
            "*", "?", "a", "b", "/", ".", "[ab]", "[!a]", "[a-c]", "[]a]", "[!]]", "[", "]", "-",
            "[z-a]", "[a-]", "é", "[é-ü]", "\\",
        ];
        let text_chars = ['a', 'b', 'c', '/', '.', ']', '[', '-', 'é', 'ö', '\\'];
        let mut cases: Vec<(String, String)> = (0..10_000)
            .map(|_| {
                let pattern = (0..next(7))
                    .map(|_| pattern_parts[next(pattern_parts.len())])
                    .collect();
                let text = (0..next(9))
                    .map(|_| text_chars[next(text_chars.len())])
                    .collect();
                (pattern, text)
            })
            .collect();
        // Once exponential: each `*` retried at every place of every other.
        cases.push(("*a*a*a*a*a*a*a*a*a*a*b".into(), "a".repeat(60)));
        cases.push(("*a*a*a*a*a*a*a*a*a*a*a".into(), "a".repeat(60)));
        let script = "import fnmatch, json, sys\n\
            print(json.dumps([fnmatch.fnmatchcase(t, p) for p, t in json.load(sys.stdin)]))\n";
        let theirs: Vec<bool> =
            serde_json::from_value(crate::argrename::tests::run_awscli_on(script, &cases)).unwrap();
        let mut matched = 0;
        for ((pattern, text), theirs) in cases.iter().zip(theirs) {
            assert_eq!(wildcard(pattern, text), theirs, "{pattern:?} on {text:?}");
            matched += usize::from(theirs);
        }
        assert!(matched > 200, "both outcomes are exercised: {matched}");
    }

    #[test]
    fn filters_apply_in_order_and_the_last_match_wins() {
        let f = vec![
            (false, "*".to_string()),
            (true, "*.txt".to_string()),
            (false, "tmp/*".to_string()),
        ];
        let root = Location::S3 {
            bucket: "b".into(),
            key: "p/".into(),
        };
        assert!(included(&f, &root, "a/b.txt"));
        assert!(!included(&f, &root, "a/b.bin"));
        assert!(!included(&f, &root, "tmp/x.txt"));
        assert!(included(&[], &root, "anything"));
        // An absolute pattern: a local file's absolute path, never an object's.
        let absolute = vec![(false, "/d/x/*".to_string())];
        assert!(!included(&absolute, &Location::Local("/d".into()), "x/y"));
        assert!(included(&absolute, &Location::Local("/e".into()), "x/y"));
        let object = Location::S3 {
            bucket: "b".into(),
            key: String::new(),
        };
        assert!(included(&absolute, &object, "/d/x/y"));
        assert!(wildcard("a?c", "abc") && !wildcard("a?c", "ac"));
    }

    #[test]
    fn skipped_paths_are_shown_as_pythons_abspath_shows_them() {
        // Seeded paths over a few words, `.`, `..` and empty ones (repeated slashes), relative
        // or beginning with one to three slashes, against Python's `os.path.abspath` in this
        // process's directory.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let starts = ["", "", "./", "/", "//", "///"];
        let words = ["a", "b", ".", "..", "", "...", ".x", "x.."];
        let mut cases: Vec<String> = (0..3_000)
            .map(|_| {
                let parts: Vec<&str> = (0..1 + next(7)).map(|_| words[next(words.len())]).collect();
                format!("{}{}", starts[next(starts.len())], parts.join("/"))
            })
            .filter(|p| !p.is_empty())
            .collect();
        cases.extend(
            [
                "./dir/../missing-file",
                "dir/./fifo",
                "..",
                "/..",
                "//..",
                "a/b/../../..",
            ]
            .map(String::from),
        );
        let script = "import json, os, sys\n\
            print(json.dumps([os.path.abspath(p) for p in json.load(sys.stdin)]))\n";
        let theirs: Vec<String> =
            serde_json::from_value(crate::argrename::tests::run_awscli_on(script, &cases)).unwrap();
        assert_eq!(theirs.len(), cases.len());
        let mut changed = 0;
        // Compared as text: `Path`'s own equality takes `//a` for `/a` and `a/` for `a`.
        for (path, theirs) in cases.iter().zip(theirs) {
            let ours = absolute_as_python(Path::new(path));
            assert_eq!(ours.as_os_str(), theirs.as_str(), "{path:?}");
            // What `std::path::absolute` alone gives differs often: it keeps `..`, trailing
            // and repeated slashes.
            let plain = std::path::absolute(path).unwrap();
            changed += usize::from(plain.as_os_str() != ours.as_os_str());
        }
        assert!(changed > 500, "the cases need resolving: {changed}");
    }

    #[test]
    fn local_paths_in_result_lines_are_shown_as_aws_cli_shows_them() {
        // aws-cli's `relative_path` of the absolute path (its file names are made absolute
        // first), in this process's directory: here, below, beside, above, at the root.
        let mut cases: Vec<String> = [
            "f.txt",
            "./f.txt",
            "d/f.txt",
            "d/../f.txt",
            "./d/./e/f",
            "../f.txt",
            "../../x/y/f",
            "/f",
            "/tmp/x/f",
            "//tmp/f",
            "d//e///f",
        ]
        .map(String::from)
        .to_vec();
        let here = std::env::current_dir().unwrap();
        cases.push(here.join("abs/f").to_string_lossy().into_owned());
        cases.push(here.join("../sibling/f").to_string_lossy().into_owned());
        let script = "import json, os, sys\n\
            from awscli.customizations.s3.utils import relative_path\n\
            print(json.dumps([relative_path(os.path.abspath(p)) for p in json.load(sys.stdin)]))\n";
        let theirs: Vec<String> =
            serde_json::from_value(crate::argrename::tests::run_awscli_on(script, &cases)).unwrap();
        assert_eq!(theirs.len(), cases.len());
        for (path, theirs) in cases.iter().zip(theirs) {
            let ours = display(&Location::Local(PathBuf::from(path)));
            assert_eq!(ours, theirs, "{path:?}");
        }
    }

    #[test]
    fn locations_and_progress_lines() {
        assert_eq!(
            location("s3://b/k/x").unwrap(),
            Location::S3 {
                bucket: "b".into(),
                key: "k/x".into()
            }
        );
        assert_eq!(
            location("s3://b").unwrap(),
            Location::S3 {
                bucket: "b".into(),
                key: String::new()
            }
        );
        assert_eq!(location("-").unwrap(), Location::Stdio);
        assert_eq!(
            child(&location("s3://b/p").unwrap(), "x/y"),
            location("s3://b/p/x/y").unwrap()
        );
        let p = Progress::new(5 * 1024 * 1024, 20 * 1024 * 1024, 1, 4);
        assert_eq!(progress_line(&p), "Completed 5.0 MiB/20.0 MiB (1/4 parts)");
    }
}

/// A download whose file could not be given its object's time, as aws-cli reports it.
#[cfg(test)]
mod mtime_tests {
    use super::*;

    #[test]
    fn a_time_not_set_is_warned_of_as_aws_cli_warns() {
        let path = Path::new("/tmp/d/f");
        assert_eq!(
            mtime_not_set(path, &std::io::Error::from_raw_os_error(1)),
            "Successfully Downloaded /tmp/d/f but was unable to update the last modified time. \
             The file was downloaded, but attempting to modify the utime of the file failed. Is \
             the file owned by another user?"
        );
        assert_eq!(
            mtime_not_set(path, &std::io::Error::from_raw_os_error(13)),
            "Successfully Downloaded /tmp/d/f but was unable to update the last modified time. \
             [Errno 13] Permission denied"
        );
    }

    #[test]
    fn a_time_not_set_is_counted_as_a_skipped_file() {
        let skipped = Skipped {
            count: Cell::new(0),
            quiet: true,
        };
        let path = Path::new("/nowhere/at/all");
        let unset = set_mtime(
            path,
            &Value::Timestamp(sansboto_core::Timestamp::from_secs(0)),
        )
        .unwrap_err();
        skip_with_warning(path, &mtime_not_set(path, &unset), &skipped);
        assert_eq!(skipped.count.get(), 1);
    }
}
