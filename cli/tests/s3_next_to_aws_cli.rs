//! `sansboto s3 …` next to aws-cli (v1, on the pinned botocore), the built binary and aws-cli
//! run on the same commands against one moto server:
//! - `mb` and `rb` print the same lines and exit with the same status, failures included
//!   (`make_bucket failed: …`, exit 1), in us-east-1 (no location constraint) and in another
//!   region; `rb --force` empties the bucket first;
//! - deletes that fail (`rm`, `rm --recursive`, `sync --delete`, `rb --force`) print the same
//!   `delete failed: …` lines and exit with the same status, and so does a listing that fails
//!   (`fatal error: …`); so do uploads, downloads, copies and moves that fail (`upload failed:
//!   …`), the other files still going, a file `sync --delete` cannot delete locally, and a
//!   local source that does not exist; with `--quiet`, the same silence and status;
//! - `sync` and `cp` give the objects the same content type, guessed from each file's name,
//!   and the same `--acl`, `--cache-control` and other object options; uploads, copies,
//!   moves and syncs, small and multipart, give theirs the same metadata, content headers and
//!   tags, with and without `--metadata` and `--metadata-directive`;
//! - special files are skipped with the same warnings, their paths shown alike however they
//!   were given (`./dir/../x`, `dir/./fifo`, through a link), and with none under `--quiet`;
//! - a download whose file cannot be given its object's time (the calls refused by a seccomp
//!   filter) is done with the same warning, the same line and exit 2, a move's source deleted;
//! - a URL from `s3 presign` is checked by `s3s-fs`, which verifies SigV4 strictly.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};

use sansboto_tests::moto::MotoServer;
use sansboto_tests::s3s::{S3sServer, ACCESS_KEY, SECRET_KEY};
use sansboto_tests::{awscli_dir, test_environment, AWSCLI_MAIN};

/// An empty scratch directory of this test process, for `name`.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sansboto-s3-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What one command did: exit status, stdout, stderr.
#[derive(Debug, PartialEq)]
struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

fn finished(out: Output, bucket: &str) -> Run {
    // The two tools make their own bucket; the lines are compared with its name left out.
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap().replace(bucket, "BUCKET");
    Run {
        status: out.status.code(),
        stdout: text(out.stdout),
        stderr: text(out.stderr),
    }
}

/// The result lines on stdout (`upload: ./f to s3://b/k`, `delete: …`), sorted: without the
/// progress lines aws-cli writes over them even when stdout is no terminal (each ended by a
/// carriage return) and the padding it adds to cover them.
fn results(r: &Run) -> Vec<String> {
    let mut l: Vec<String> = r
        .stdout
        .split(['\r', '\n'])
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with("Completed "))
        .map(String::from)
        .collect();
    l.sort();
    l
}

/// `args` (with `BUCKET` for the tool's bucket) run by aws-cli or by sansboto.
fn run(aws: bool, endpoint: &str, region: &str, bucket: &str, args: &[&str]) -> Run {
    run_in(None, aws, endpoint, region, bucket, args)
}

/// [`run`] in the directory `cwd` (this process's own when `None`).
fn run_in(
    cwd: Option<&Path>,
    aws: bool,
    endpoint: &str,
    region: &str,
    bucket: &str,
    args: &[&str],
) -> Run {
    run_with(&[], cwd, aws, endpoint, region, bucket, args)
}

/// [`run_in`] with the variables `env` set too (`TZ`, …).
fn run_with(
    env: &[(&str, &str)],
    cwd: Option<&Path>,
    aws: bool,
    endpoint: &str,
    region: &str,
    bucket: &str,
    args: &[&str],
) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.replace("BUCKET", bucket)).collect();
    let mut cmd = sansboto_tests::cli_command(aws, env!("CARGO_BIN_EXE_sansboto"));
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    let out = cmd
        .envs(env.iter().copied())
        .env("AWS_DEFAULT_REGION", region)
        .args(["--endpoint-url", endpoint])
        .args(&args)
        .output()
        .expect("runs");
    finished(out, bucket)
}

/// Make each bucket of `buckets` (`(aws, name)`: by aws-cli when `aws`, else by sansboto) with
/// `s3 mb` in us-east-1, the test stopping if one cannot be made: each tool's own bucket
/// before a side-by-side run.
fn make_buckets(endpoint: &str, buckets: &[(bool, &str)]) {
    for &(aws, bucket) in buckets {
        let made = run(
            aws,
            endpoint,
            "us-east-1",
            bucket,
            &["s3", "mb", "s3://BUCKET"],
        );
        assert_eq!(made.status, Some(0), "{bucket}: {made:?}");
    }
}

/// Each tool's bucket of `buckets` (as [`make_buckets`]) made and given the same objects, each
/// put with `s3api put-object` and `args` (its `--key`, `--body` read in `dir`).
fn buckets_with_objects(endpoint: &str, dir: &Path, buckets: &[(bool, &str)], objects: &[&[&str]]) {
    make_buckets(endpoint, buckets);
    for &(aws, bucket) in buckets {
        for object in objects {
            let args = [&["s3api", "put-object", "--bucket", "BUCKET"][..], object].concat();
            let put = run_in(Some(dir), aws, endpoint, "us-east-1", bucket, &args);
            assert_eq!(put.status, Some(0), "{put:?}");
        }
    }
}

/// The keys in a tool's bucket, as `s3 ls --recursive` lists them.
fn keys_in(endpoint: &str, aws: bool, bucket: &str) -> Vec<String> {
    let listed = run(
        aws,
        endpoint,
        "us-east-1",
        bucket,
        &["s3", "ls", "s3://BUCKET", "--recursive"],
    );
    listed
        .stdout
        .lines()
        .map(|l| l.rsplit(' ').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn mb_and_rb_print_and_exit_as_aws_cli_does() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("buckets");
    std::fs::write(dir.join("hello"), b"hello").unwrap();
    let file = dir.join("hello").to_string_lossy().into_owned();
    for region in ["us-east-1", "eu-west-1"] {
        let steps: [(&[&str], bool); 7] = [
            (&["s3", "mb", "s3://BUCKET", "--tags", "team", "data"], true),
            // It exists: BucketAlreadyOwnedByYou, one line on stderr, exit 1.
            (&["s3", "mb", "s3://BUCKET"], true),
            // (Only the outcome: the result lines are compared in the transfer tests.)
            (&["s3", "cp", &file, "s3://BUCKET/a/hello.txt"], false),
            (&["s3", "cp", &file, "s3://BUCKET/b.txt"], false),
            // Not empty: BucketNotEmpty.
            (&["s3", "rb", "s3://BUCKET"], true),
            (&["s3", "rb", "s3://BUCKET", "--force"], true),
            // Gone: NoSuchBucket.
            (&["s3", "rb", "s3://BUCKET"], true),
        ];
        let mut failures = 0;
        for (args, compare_output) in steps {
            let theirs = run(true, &endpoint, region, &format!("aws-{region}"), args);
            let ours = run(false, &endpoint, region, &format!("sb-{region}"), args);
            if compare_output {
                // `rb --force` deletes in listing order in both; compare the lines as sets.
                let lines = |r: &Run| {
                    let mut l: Vec<String> = r.stdout.lines().map(String::from).collect();
                    l.sort();
                    (r.status, l, r.stderr.trim_end().to_string())
                };
                assert_eq!(lines(&ours), lines(&theirs), "{region} {args:?}");
            } else {
                assert_eq!(ours.status, theirs.status, "{region} {args:?}: {ours:?}");
            }
            failures += usize::from(ours.status == Some(1));
        }
        // us-east-1 answers a second CreateBucket of one's own bucket with success, as S3
        // does there for compatibility; elsewhere it is BucketAlreadyOwnedByYou.
        let expected = if region == "us-east-1" { 2 } else { 3 };
        assert_eq!(
            failures, expected,
            "{region}: the same steps fail in both tools"
        );
        // The request body is aws-cli's (its `--debug` log and ours both show it): the
        // location constraint outside us-east-1, the tags.
        let body = |r: &Run| {
            let start = r.stderr.find("<CreateBucketConfiguration");
            let end = r.stderr.find("</CreateBucketConfiguration>");
            match (start, end) {
                (Some(start), Some(end)) => r.stderr[start..end].to_string(),
                _ => panic!("no CreateBucketConfiguration in the log: {}", r.stderr),
            }
        };
        let args = [
            "--debug",
            "s3",
            "mb",
            "s3://BUCKET",
            "--tags",
            "team",
            "data",
        ];
        let theirs = run(true, &endpoint, region, &format!("aws-dbg-{region}"), &args);
        let ours = run(false, &endpoint, region, &format!("sb-dbg-{region}"), &args);
        assert_eq!(body(&ours), body(&theirs));
        assert!(body(&ours).contains("<Tag><Key>team</Key><Value>data</Value></Tag>"));
        // And moto made the bucket in the region asked for.
        let bucket = format!("sb-dbg-{region}");
        let args = ["s3api", "get-bucket-location", "--bucket", "BUCKET"];
        let ours = run(false, &endpoint, region, &bucket, &args);
        let location: serde_json::Value = serde_json::from_str(&ours.stdout).unwrap();
        let expected = (region != "us-east-1").then_some(region);
        assert_eq!(
            location["LocationConstraint"].as_str(),
            expected,
            "{ours:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Deletes that fail (a bucket policy denying `DeleteObject` under `locked/`, which moto
/// enforces): `rm`, `rm --recursive`, `sync --delete` and `rb --force` print aws-cli's
/// `delete failed: …` lines on stderr, go on with the other objects and exit as aws-cli
/// exits; `rb --force` then leaves the bucket with aws-cli's `remove_bucket failed: …`.
/// (These were once JSON error objects, and the first failure stopped the deletes.)
#[test]
fn failed_deletes_are_reported_as_aws_cli_reports_them() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("denied");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::write(dir.join("f.txt"), b"kept").unwrap();
    let file = dir.join("f.txt").to_string_lossy().into_owned();
    let empty = dir.join("empty").to_string_lossy().into_owned();
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
        "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::BUCKET/locked/*"}]}"#;
    let free: &[&str] = &["s3", "cp", &file, "s3://BUCKET/free.txt"];
    // Each step, and whether its stdout is compared (aws-cli's sync prints a progress line
    // even when stdout is no terminal, sansboto only on a terminal).
    let steps: [(&[&str], bool); 6] = [
        (&["s3", "rm", "s3://BUCKET/locked/a.txt"], true),
        (&["s3", "rm", "s3://BUCKET", "--recursive"], true),
        (
            &["s3", "sync", &empty, "s3://BUCKET/locked/", "--delete"],
            false,
        ),
        (&["s3", "rm", "s3://BUCKET", "--recursive", "--quiet"], true),
        (free, false),
        (&["s3", "rb", "s3://BUCKET", "--force"], true),
    ];
    // Lines sorted (the tools delete in their own order, aws-cli in several threads), without
    // the padding aws-cli adds over a progress line; and what stderr has after the `delete
    // failed:` lines, in order.
    let lines = |text: &str| {
        let mut l: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
        l.sort();
        l
    };
    let tail = |text: &str| {
        let l = text
            .lines()
            .skip_while(|l| l.starts_with("delete failed: "));
        l.map(|l| l.trim_end().to_string()).collect::<Vec<_>>()
    };
    let mut statuses = Vec::new();
    for tool in ["aws", "sb"] {
        let aws = tool == "aws";
        let bucket = format!("{tool}-denied");
        make_buckets(&endpoint, &[(aws, &bucket)]);
        let run = |args: &[&str]| run(aws, &endpoint, "us-east-1", &bucket, args);
        for key in ["free.txt", "locked/a.txt", "locked/b.txt"] {
            let target = format!("s3://BUCKET/{key}");
            assert_eq!(run(&["s3", "cp", &file, &target]).status, Some(0), "{key}");
        }
        let put = [
            "s3api",
            "put-bucket-policy",
            "--bucket",
            "BUCKET",
            "--policy",
            policy,
        ];
        let put = run(&put);
        assert_eq!(put.status, Some(0), "{put:?}");
    }
    for (args, compare_stdout) in steps {
        let theirs = run(true, &endpoint, "us-east-1", "aws-denied", args);
        let ours = run(false, &endpoint, "us-east-1", "sb-denied", args);
        assert_eq!(ours.status, theirs.status, "{args:?}: {ours:?} {theirs:?}");
        assert_eq!(lines(&ours.stderr), lines(&theirs.stderr), "{args:?}");
        assert_eq!(tail(&ours.stderr), tail(&theirs.stderr), "{args:?}");
        if compare_stdout {
            assert_eq!(lines(&ours.stdout), lines(&theirs.stdout), "{args:?}");
        }
        statuses.push(theirs.status);
    }
    // What aws-cli does, so that the comparison above covers failures: exit 1 for the deletes
    // (`--quiet` too, silently), 255 for `rb --force`'s exception.
    assert_eq!(
        statuses,
        [Some(1), Some(1), Some(1), Some(1), Some(0), Some(255)]
    );
    // Both buckets are left, with the objects that could not be deleted.
    for bucket in ["aws-denied", "sb-denied"] {
        let listed = run(
            false,
            &endpoint,
            "us-east-1",
            bucket,
            &["s3", "ls", "s3://BUCKET", "--recursive"],
        );
        let keys: Vec<&str> = listed
            .stdout
            .lines()
            .filter_map(|l| l.split(' ').next_back())
            .collect();
        assert_eq!(
            keys,
            ["locked/a.txt", "locked/b.txt"],
            "{bucket}: {listed:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A listing that fails (here a bucket that does not exist) ends `rm --recursive`, `cp` and
/// `mv --recursive` and `sync`, either way, with aws-cli's one line `fatal error: An error
/// occurred (NoSuchBucket) when calling the ListObjectsV2 operation: …` and exit 1; `rb
/// --force` then adds its `remove_bucket failed: …` (exit 255). (Once a JSON error object,
/// exit 254.)
#[test]
fn failed_listings_are_fatal_errors_as_in_aws_cli() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("unlisted");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let empty = dir.join("empty").to_string_lossy().into_owned();
    let download = dir.join("download").to_string_lossy().into_owned();
    let steps: [&[&str]; 6] = [
        &["s3", "rm", "s3://BUCKET", "--recursive"],
        &["s3", "rb", "s3://BUCKET", "--force"],
        &["s3", "sync", "s3://BUCKET", &download],
        &["s3", "cp", "s3://BUCKET/", &download, "--recursive"],
        &["s3", "mv", "s3://BUCKET/", &download, "--recursive"],
        &["s3", "sync", &empty, "s3://BUCKET/x/"],
    ];
    for args in steps {
        let theirs = run(true, &endpoint, "us-east-1", "never-made", args);
        let ours = run(false, &endpoint, "us-east-1", "never-made", args);
        assert!(
            theirs
                .stderr
                .starts_with("fatal error: An error occurred (NoSuchBucket)"),
            "{args:?}: {theirs:?}"
        );
        assert_eq!(ours, theirs, "{args:?}");
    }
    // With `--quiet` aws-cli prints nothing (its result queue has no printer) and still exits
    // 1; so for a single source object's HeadObject. (`rb` takes no `--quiet`.) (Once the
    // `fatal error:` line was printed all the same.)
    let single = ["s3", "cp", "s3://BUCKET/key", &download];
    for args in steps[..]
        .iter()
        .filter(|a| a[1] != "rb")
        .chain([&single[..]].iter())
    {
        let args: Vec<&str> = args.iter().copied().chain(["--quiet"]).collect();
        let theirs = run(true, &endpoint, "us-east-1", "never-made", &args);
        let ours = run(false, &endpoint, "us-east-1", "never-made", &args);
        assert_eq!(theirs.status, Some(1), "{args:?}: {theirs:?}");
        assert_eq!(ours, theirs, "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A local source that does not exist (a link to nothing too) ends `cp`, `mv` and `sync` to
/// S3 before any call, as aws-cli raises it: an empty line, `The user-provided path ./missing
/// does not exist.`, exit 255. (Once a JSON error object, and for `sync` and `cp --recursive`
/// of a missing directory, nothing at all and exit 0.)
#[cfg(unix)]
#[test]
fn missing_local_sources_are_refused_as_aws_cli_refuses_them() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("missing");
    std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("dangling")).unwrap();
    let steps: [&[&str]; 8] = [
        &["s3", "cp", "./missing", "s3://BUCKET/"],
        // Raised before aws-cli's result printer is chosen: printed with `--quiet` too.
        &["s3", "sync", "./missing-dir", "s3://BUCKET/", "--quiet"],
        &["s3", "mv", "./missing", "s3://BUCKET/key"],
        &["s3", "sync", "./missing-dir", "s3://BUCKET/"],
        &["s3", "sync", "missing-dir/", "s3://BUCKET/p/", "--delete"],
        &["s3", "cp", "./missing-dir", "s3://BUCKET/", "--recursive"],
        &["s3", "mv", "./missing-dir", "s3://BUCKET/", "--recursive"],
        &["s3", "cp", "dangling", "s3://BUCKET/"],
    ];
    for args in steps {
        let [theirs, ours] = [true, false]
            .map(|aws| run_in(Some(&dir), aws, &endpoint, "us-east-1", "never-made", args));
        let path = args[2];
        assert_eq!(
            (theirs.status, theirs.stderr.as_str()),
            (
                Some(255),
                format!("\nThe user-provided path {path} does not exist.\n").as_str()
            ),
            "{args:?}"
        );
        assert_eq!(ours, theirs, "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A bucket without a key as the source of `cp`, `mv` or `rm` without `--recursive`: aws-cli
/// lists the bucket (a missing bucket is its `fatal error`), copies and moves nothing, and `rm`
/// deletes only the empty objects whose key ends in `/` (the console's folders).
#[test]
fn a_bucket_without_a_key_is_listed_as_aws_cli_lists_it() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("bucket-only");
    std::fs::write(dir.join("f.txt"), "hi").unwrap();
    let buckets = [(true, "bucket-only-aws"), (false, "bucket-only-ours")];
    buckets_with_objects(
        &endpoint,
        &dir,
        &buckets,
        &[
            &["--key", "folder/"],
            &["--key", "full/", "--body", "f.txt"],
            &["--key", "f.txt", "--body", "f.txt"],
        ],
    );
    let steps: [&[&str]; 9] = [
        &["s3", "cp", "s3://BUCKET", "down/"],
        &["s3", "mv", "s3://BUCKET/", "down/"],
        &["s3", "cp", "s3://BUCKET", "s3://BUCKET/copy/"],
        &["s3", "cp", "s3://no-such-bucket-here", "down/"],
        // To stdout there is no listing: the empty key fails, as in aws-cli.
        &["s3", "cp", "s3://BUCKET", "-"],
        // Onto itself however the bucket is spelled (aws-cli adds the `/`).
        &["s3", "mv", "s3://BUCKET", "s3://BUCKET/"],
        &["s3", "mv", "s3://BUCKET/", "s3://BUCKET"],
        &["s3", "rm", "s3://BUCKET", "--exclude", "*"],
        &["s3", "rm", "s3://BUCKET"],
    ];
    for args in steps {
        let [theirs, ours] = buckets
            .map(|(aws, bucket)| run_in(Some(&dir), aws, &endpoint, "us-east-1", bucket, args));
        assert_eq!(
            (ours.status, &ours.stderr, results(&ours)),
            (theirs.status, &theirs.stderr, results(&theirs)),
            "{args:?}"
        );
    }
    let left = buckets.map(|(aws, bucket)| keys_in(&endpoint, aws, bucket));
    assert_eq!(left[1], left[0]);
    assert_eq!(
        left[0],
        ["f.txt", "full/"],
        "only the empty folder is deleted"
    );
    assert!(!dir.join("down").exists(), "nothing downloaded");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The console's folders (empty objects whose key ends in `/`) are left out of what `cp`,
/// `mv` and `sync` list, as aws-cli's file generator leaves them out: not downloaded (where
/// they would fail as files), not deleted by `sync --delete`; `rm --recursive` deletes them.
#[test]
fn folder_objects_are_left_out_of_transfers_as_aws_cli_leaves_them_out() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("folders");
    std::fs::create_dir_all(dir.join("up")).unwrap();
    std::fs::write(dir.join("up/g.txt"), "x").unwrap();
    std::fs::write(dir.join("f.txt"), "hi").unwrap();
    let buckets = [(true, "folders-aws"), (false, "folders-ours")];
    buckets_with_objects(
        &endpoint,
        &dir,
        &buckets,
        &[
            &["--key", "sub/"],
            &["--key", "sub/empty/"],
            &["--key", "sub/f.txt", "--body", "f.txt"],
        ],
    );
    let steps: [&[&str]; 4] = [
        &["s3", "cp", "s3://BUCKET/", "DOWN/", "--recursive"],
        &["s3", "cp", "s3://BUCKET/sub/", "DOWN/x/", "--recursive"],
        &["s3", "sync", "up", "s3://BUCKET/sub/", "--delete"],
        &[
            "s3",
            "rm",
            "s3://BUCKET/sub/",
            "--recursive",
            "--exclude",
            "*.txt",
        ],
    ];
    for args in steps {
        let [theirs, ours] = buckets.map(|(aws, bucket)| {
            let down = format!("down-{bucket}");
            let args: Vec<String> = args.iter().map(|a| a.replace("DOWN", &down)).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let mut run = run_in(Some(&dir), aws, &endpoint, "us-east-1", bucket, &args);
            run.stdout = run.stdout.replace(&down, "DOWN");
            run.stderr = run.stderr.replace(&down, "DOWN");
            run
        });
        assert_eq!(
            (ours.status, &ours.stderr, results(&ours)),
            (theirs.status, &theirs.stderr, results(&theirs)),
            "{args:?}"
        );
        assert_eq!(
            keys_in(&endpoint, false, buckets[1].1),
            keys_in(&endpoint, true, buckets[0].1),
            "{args:?}"
        );
    }
    let tree = |down: &str| -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![dir.join(down)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap().flatten() {
                let path = entry.path();
                found.push(
                    path.strip_prefix(dir.join(down))
                        .unwrap()
                        .display()
                        .to_string(),
                );
                if path.is_dir() {
                    stack.push(path);
                }
            }
        }
        found.sort();
        found
    };
    assert_eq!(tree("down-folders-ours"), tree("down-folders-aws"));
    assert_eq!(
        tree("down-folders-aws"),
        ["sub", "sub/f.txt", "x", "x/f.txt"]
    );
    // `sync --delete` took `f.txt` and left the folders, which `rm --recursive` then took.
    assert_eq!(keys_in(&endpoint, true, buckets[0].1), ["sub/g.txt"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file given where a directory belongs (`cp f s3://b/ --recursive`, `sync f s3://b/`):
/// aws-cli looks in `f/`, skips it with its warning and exits 2, uploading nothing.
#[test]
fn a_file_where_a_directory_belongs_is_skipped_as_aws_cli_skips_it() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("file-as-dir");
    std::fs::write(dir.join("f.txt"), "hi").unwrap();
    make_buckets(
        &endpoint,
        &[(true, "file-as-dir-aws"), (false, "file-as-dir-ours")],
    );
    let steps: [&[&str]; 3] = [
        &["s3", "cp", "f.txt", "s3://BUCKET/", "--recursive"],
        &["s3", "sync", "f.txt", "s3://BUCKET/"],
        &["s3", "mv", "./f.txt", "s3://BUCKET/p/", "--recursive"],
    ];
    for args in steps {
        let theirs = run_in(
            Some(&dir),
            true,
            &endpoint,
            "us-east-1",
            "file-as-dir-aws",
            args,
        );
        let ours = run_in(
            Some(&dir),
            false,
            &endpoint,
            "us-east-1",
            "file-as-dir-ours",
            args,
        );
        assert_eq!(theirs.status, Some(2), "{args:?}: {theirs:?}");
        assert!(
            theirs.stderr.starts_with("warning: Skipping file /")
                && theirs.stderr.ends_with("f.txt/. File does not exist.\n"),
            "{args:?}: {theirs:?}"
        );
        assert_eq!(
            (ours.status, &ours.stderr, results(&ours)),
            (theirs.status, &theirs.stderr, results(&theirs)),
            "{args:?}"
        );
    }
    assert!(dir.join("f.txt").exists(), "nothing moved");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Transfers that fail print aws-cli's line for each (`upload failed: up/f to s3://b/k An
/// error occurred (403) when calling the PutObject operation: Forbidden`, and `download
/// failed:`, `copy failed:`, `move failed:`), naming the operation that failed, the local path
/// shown as aws-cli shows it; the other files still go, and the command exits 1. The failures:
/// a bucket policy denying `PutObject` under `locked/` (a multipart upload's `UploadPart` too)
/// and `GetObject` under `secret/` (moto enforces it), a bucket that does not exist, a destination below a regular file (the
/// `[Errno 20] Not a directory: '…'` of Python's `OSError`, the temporary file's own name left
/// out). A single source object that cannot be looked at ends `cp` and `mv` with `fatal error:
/// An error occurred (404) when calling the HeadObject operation: Key "k" does not exist`.
/// (Once the first failure stopped the command with a JSON error object, exit 254.)
#[test]
fn failed_transfers_are_reported_as_aws_cli_reports_them() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let root = scratch("transfers");
    let policy = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::BUCKET/locked/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::BUCKET/secret/*"}]}"#;
    // Each tool in a directory of its own holding the same files.
    let cwd = |tool: &str| root.join(tool);
    for tool in ["aws", "sb"] {
        let aws = tool == "aws";
        let dir = cwd(tool);
        for (file, text) in [
            ("up/locked/a.txt", "a"),
            ("up/free/b.txt", "b"),
            ("up/c.txt", "c"),
            ("afile", "a regular file"),
        ] {
            std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
            std::fs::write(dir.join(file), text).unwrap();
        }
        // Above the 8 MiB threshold: a multipart upload, whose UploadPart is denied.
        std::fs::write(dir.join("big.bin"), vec![b'x'; 9 << 20]).unwrap();
        let bucket = format!("{tool}-transfers");
        make_buckets(&endpoint, &[(aws, &bucket)]);
        let run = |args: &[&str]| run_in(Some(&dir), aws, &endpoint, "us-east-1", &bucket, args);
        for key in ["secret/s.txt", "free.txt", "free/b.txt"] {
            let target = format!("s3://BUCKET/{key}");
            let put = run(&["s3", "cp", "up/c.txt", &target]);
            assert_eq!(put.status, Some(0), "{key}: {put:?}");
        }
        let put = run(&[
            "s3api",
            "put-bucket-policy",
            "--bucket",
            "BUCKET",
            "--policy",
            policy,
        ]);
        assert_eq!(put.status, Some(0), "{put:?}");
    }
    let steps: [&[&str]; 19] = [
        &["s3", "cp", "up/locked/a.txt", "s3://BUCKET/locked/a.txt"],
        &["s3", "mv", "up/locked/a.txt", "s3://BUCKET/locked/"],
        &["s3", "cp", "./up/", "s3://BUCKET/", "--recursive"],
        &["s3", "sync", "up", "s3://BUCKET/"],
        &["s3", "cp", "s3://BUCKET/secret/s.txt", "got.txt"],
        &["s3", "cp", "s3://BUCKET/", "down", "--recursive"],
        &["s3", "sync", "s3://BUCKET/", "synced"],
        &["s3", "mv", "s3://BUCKET/secret/s.txt", "moved.txt"],
        &[
            "s3",
            "cp",
            "s3://BUCKET/free.txt",
            "s3://BUCKET/locked/f.txt",
        ],
        &["s3", "mv", "s3://BUCKET/free.txt", "s3://BUCKET/locked/"],
        &["s3", "cp", "s3://BUCKET/free/", "afile", "--recursive"],
        &["s3", "cp", "up/c.txt", "s3://never-made-here/c.txt"],
        &[
            "s3",
            "cp",
            "up/c.txt",
            "s3://never-made-here/c.txt",
            "--quiet",
        ],
        // A single source object is looked at first: `fatal error: … HeadObject …`.
        &["s3", "cp", "s3://BUCKET/no-such-key", "got.txt"],
        &["s3", "cp", "s3://BUCKET/no-such-key", "s3://BUCKET/copied"],
        &["s3", "mv", "s3://BUCKET/no-such-key", "moved.txt"],
        // To stdout: HeadObject, then GetObject.
        &["s3", "cp", "s3://BUCKET/no-such-key", "-"],
        &["s3", "cp", "s3://BUCKET/secret/s.txt", "-"],
        &["s3", "cp", "big.bin", "s3://BUCKET/locked/big.bin"],
    ];
    // stderr's lines sorted (aws-cli transfers in several threads), each tool's directory
    // left out, and a local error's path without the temporary file's suffix (aws-cli's
    // random `.5B82a57D`, sansboto's `.sansboto-partial`).
    let lines = |r: &Run, tool: &str| {
        let here = std::fs::canonicalize(cwd(tool)).unwrap();
        let mut l: Vec<String> = r
            .stderr
            .lines()
            .map(|line| {
                let line = line.replace(&*here.to_string_lossy(), "CWD");
                match line.strip_suffix('\'').and_then(|l| l.rsplit_once('.')) {
                    Some((kept, _)) if line.contains("[Errno") => format!("{kept}'"),
                    _ => line,
                }
            })
            .collect();
        l.sort();
        l
    };
    let mut statuses = Vec::new();
    let mut reported = 0;
    let mut done = Vec::new();
    for args in steps {
        let [theirs, ours] = ["aws", "sb"].map(|tool| {
            let bucket = format!("{tool}-transfers");
            let dir = cwd(tool);
            run_in(
                Some(&dir),
                tool == "aws",
                &endpoint,
                "us-east-1",
                &bucket,
                args,
            )
        });
        assert_eq!(ours.status, theirs.status, "{args:?}: {ours:?} {theirs:?}");
        assert_eq!(lines(&ours, "sb"), lines(&theirs, "aws"), "{args:?}");
        assert_eq!(results(&ours), results(&theirs), "{args:?}");
        statuses.push(theirs.status);
        reported += lines(&theirs, "aws").len();
        done.extend(results(&theirs));
    }
    // What aws-cli does, so that the comparison above covers failures: each step has one that
    // fails, and all but `--quiet` print it.
    assert_eq!(statuses, [Some(1); 19]);
    assert_eq!(reported, 18);
    // And the ones that went are shown alike: aws-cli's relative paths.
    assert_eq!(done.len(), 8, "{done:?}");
    assert!(done.contains(&"download: s3://BUCKET/free/b.txt to down/free/b.txt".into()));
    // The other files went, the failed ones' sources stayed: the same objects and files.
    let keys = |tool: &str| {
        let bucket = format!("{tool}-transfers");
        let listed = run(
            false,
            &endpoint,
            "us-east-1",
            &bucket,
            &["s3", "ls", "s3://BUCKET", "--recursive"],
        );
        let keys: Vec<String> = listed
            .stdout
            .lines()
            .filter_map(|l| l.split(' ').next_back().map(String::from))
            .collect();
        keys
    };
    assert_eq!(keys("sb"), keys("aws"));
    assert!(keys("aws").contains(&"free/b.txt".to_string()));
    let files = |tool: &str| {
        let mut found = Vec::new();
        let mut stack = vec![cwd(tool)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let relative = path.strip_prefix(cwd(tool)).unwrap();
                    found.push(relative.to_string_lossy().into_owned());
                }
            }
        }
        found.sort();
        found
    };
    assert_eq!(files("sb"), files("aws"));
    assert!(files("aws").contains(&"down/free.txt".to_string()));
    assert!(files("aws").contains(&"up/locked/a.txt".to_string()));
    let _ = std::fs::remove_dir_all(&root);
}

/// A file `sync --delete` cannot delete from a local directory (made immutable with `chattr
/// +i`; as root, permissions would not stop it) is reported as aws-cli reports it, `delete
/// failed: ./gone.txt [Errno 1] Operation not permitted: '/abs/gone.txt'`, the other files
/// still deleted, exit 1. (Once a JSON error object, exit 255, the others left.) Skipped where
/// `chattr +i` cannot be used.
#[cfg(target_os = "linux")]
#[test]
fn failed_local_deletes_are_reported_as_aws_cli_reports_them() {
    /// Makes the file deletable again, however the test ends.
    struct Immutable(std::path::PathBuf);
    impl Drop for Immutable {
        fn drop(&mut self) {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        }
    }
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let root = scratch("local-deletes");
    let mut guards = Vec::new();
    for tool in ["aws", "sb"] {
        let dir = root.join(tool);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for file in ["kept.txt", "gone.txt", "sub/gone.txt"] {
            std::fs::write(dir.join(file), file).unwrap();
        }
        // Older than its object by far, so that neither tool fetches it again (each would
        // when the file's fraction of a second put it after the object's whole second).
        let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        let kept = std::fs::File::options()
            .write(true)
            .open(dir.join("kept.txt"));
        kept.and_then(|f| f.set_modified(old)).unwrap();
        let locked = dir.join("gone.txt");
        let made = Command::new("chattr").arg("+i").arg(&locked).output();
        if !made.is_ok_and(|o| o.status.success()) {
            eprintln!("skipped: chattr +i is not available here");
            return;
        }
        guards.push(Immutable(locked));
        let bucket = format!("{tool}-local-deletes");
        make_buckets(&endpoint, &[(tool == "aws", &bucket)]);
        let run = |args: &[&str]| run(tool == "aws", &endpoint, "us-east-1", &bucket, args);
        let kept = dir.join("kept.txt").to_string_lossy().into_owned();
        assert_eq!(
            run(&["s3", "cp", &kept, "s3://BUCKET/kept.txt"]).status,
            Some(0)
        );
    }
    let mut statuses = Vec::new();
    // The destination (`TOOL`: the tool's own directory, named from beside it) and whether
    // `--quiet`.
    for (dest, quiet) in [(".", false), ("../TOOL", false), ("../TOOL/", true)] {
        let [theirs, ours] = ["aws", "sb"].map(|tool| {
            let dir = root.join(tool);
            let bucket = format!("{tool}-local-deletes");
            let dest = dest.replace("TOOL", tool);
            let mut args = vec!["s3", "sync", "s3://BUCKET/", &dest, "--delete"];
            if quiet {
                args.push("--quiet");
            }
            let out = run_in(
                Some(&dir),
                tool == "aws",
                &endpoint,
                "us-east-1",
                &bucket,
                &args,
            );
            let here = std::fs::canonicalize(&dir).unwrap();
            let stderr = out.stderr.replace(&*here.to_string_lossy(), "CWD");
            let beside = |text: String| text.replace(&format!("../{tool}/"), "../TOOL/");
            let results = results(&out).into_iter().map(beside).collect::<Vec<_>>();
            (out.status, beside(stderr), results)
        });
        assert_eq!(ours, theirs, "{dest} {quiet}");
        statuses.push((theirs.0, theirs.1.lines().count(), theirs.2.len()));
        // The same files left: the one that could not go, and the one kept.
        let left = |tool: &str| {
            let dir = root.join(tool);
            ["kept.txt", "gone.txt", "sub/gone.txt"].map(|f| dir.join(f).exists())
        };
        assert_eq!(left("sb"), left("aws"), "{dest}");
        assert_eq!(left("aws"), [true, true, false], "{dest}");
        for tool in ["aws", "sb"] {
            std::fs::write(root.join(tool).join("sub/gone.txt"), "again").unwrap();
        }
    }
    // What aws-cli does, so that the comparison covers a failure: exit 1, its line and the
    // other file's `delete:` (neither with `--quiet`).
    assert_eq!(
        statuses,
        [(Some(1), 1, 1), (Some(1), 1, 1), (Some(1), 0, 0)]
    );
    drop(guards);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn bucket_commands_refuse_what_aws_cli_refuses() {
    let moto = MotoServer::start();
    // aws-cli v2's exit statuses: 252 for a command line it cannot read (an unknown option, a
    // value of the wrong type), 255 for what its commands raise once it is read (`ValueError`,
    // `TypeError`). aws-cli v1, the reference run here, exits 255 for both; each case's words
    // must be in both tools' messages.
    const USAGE: i32 = 252;
    const INVALID: i32 = 255;
    let object_lambda = "s3://arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/olap/k";
    for (args, words, status) in [
        (
            &["s3", "rb", "s3://b/key"][..],
            "Please specify a valid bucket name only. E.g. s3://b",
            INVALID,
        ),
        (&["s3", "mb", "b"], "Invalid argument type", INVALID),
        (
            &["s3", "mb", "s3://b--usw2-az1--x-s3"],
            "Cannot use mb command with a directory bucket.",
            INVALID,
        ),
        (
            &["s3", "ls", object_lambda],
            "s3 commands do not support S3 Object Lambda resources",
            INVALID,
        ),
        (&["s3", "mb", "s3://b", "--force"], "--force", USAGE),
        (&["s3", "rb", "s3://b", "--tags", "k", "v"], "--tags", USAGE),
        (&["s3", "rm", "s3://b/k", "--sse", "AES256"], "--sse", USAGE),
        (
            &["s3", "cp", "a", "s3://b", "--expires-in", "5"],
            "--expires-in",
            USAGE,
        ),
        (
            &["s3", "presign", "s3://b/k", "--expires-in", "soon"],
            "'soon'",
            USAGE,
        ),
        // aws-cli 1.46.3 has no `--copy-props` (its v2 has).
        (
            &["s3", "cp", "s3://b/k", "s3://b/k2", "--copy-props", "none"],
            "--copy-props",
            USAGE,
        ),
        (
            &["s3", "cp", "a", "s3://b", "--metadata-directive", "KEEP"],
            "--metadata-directive",
            USAGE,
        ),
        (
            &["s3", "rm", "s3://b/k", "--metadata", "a=b"],
            "--metadata",
            USAGE,
        ),
        (
            &["s3", "cp", "a", "s3://b", "--metadata", "novalue"],
            "Error parsing parameter '--metadata': Expected: '='",
            USAGE,
        ),
        (
            &["s3", "cp", "a", "s3://b", "--metadata", r#"{"a":"#],
            "Error parsing parameter '--metadata': Invalid JSON",
            USAGE,
        ),
        // aws-cli checks the option's schema (a map of strings) before any call.
        (
            &[
                "s3",
                "cp",
                "a",
                "s3://b",
                "--metadata",
                r#"{"a": "x", "b": 1}"#,
            ],
            "Invalid type for parameter b, value: 1, type: <class 'int'>",
            USAGE,
        ),
        (
            &["s3", "cp", "a", "s3://b", "--metadata", "k=[x,y]"],
            "Invalid type for parameter k",
            USAGE,
        ),
    ] {
        let theirs = run(true, &moto.endpoint(), "us-east-1", "unused", args);
        assert_ne!(theirs.status, Some(0), "aws-cli {args:?}: {theirs:?}");
        assert!(
            theirs.stderr.contains(words),
            "aws-cli {args:?}: {}",
            theirs.stderr
        );
        let ours = run(false, &moto.endpoint(), "us-east-1", "unused", args);
        assert_eq!(ours.status, Some(status), "{args:?}: {ours:?}");
        assert!(ours.stderr.contains(words), "{args:?}: {}", ours.stderr);
        assert!(!ours.stderr.contains("panicked"), "{}", ours.stderr);
    }
}

/// GET `url` over a plain connection: the status and the body.
fn get(url: &str) -> (u16, Vec<u8>) {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(authority).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.as_bytes().to_vec())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn presigned_urls_from_s3_presign_verify() {
    let server = S3sServer::start();
    let sansboto = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sansboto"));
        let out = test_environment(&mut cmd)
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .args(["--endpoint-url", &server.endpoint()])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .trim_end()
            .to_string()
    };
    assert_eq!(
        sansboto(&["s3", "mb", "s3://shared"]),
        "make_bucket: shared"
    );
    let file = scratch("presign").join("report");
    std::fs::write(&file, b"for your eyes").unwrap();
    sansboto(&[
        "s3",
        "cp",
        &file.to_string_lossy(),
        "s3://shared/dir/report 1.txt",
    ]);
    let _ = std::fs::remove_dir_all(file.parent().unwrap());

    // An hour unless --expires-in says otherwise (aws-cli's default).
    let hour = sansboto(&["s3", "presign", "s3://shared/dir/report 1.txt"]);
    assert!(hour.contains("X-Amz-Expires=3600&"), "{hour}");
    let minute = sansboto(&[
        "s3",
        "presign",
        "shared/dir/report 1.txt",
        "--expires-in",
        "60",
    ]);
    assert!(minute.contains("X-Amz-Expires=60&"), "{minute}");
    for url in [&hour, &minute] {
        assert_eq!(get(url), (200, b"for your eyes".to_vec()), "{url}");
    }
    // The signature covers the expiry.
    let (status, _) = get(&minute.replacen("X-Amz-Expires=60&", "X-Amz-Expires=61&", 1));
    assert_eq!(status, 403);
    // `rb --force` on s3s-fs too: the objects, then the bucket.
    let removed = sansboto(&["s3", "rb", "s3://shared", "--force"]);
    assert_eq!(
        removed,
        "delete: s3://shared/dir/report 1.txt\nremove_bucket: shared"
    );
}

/// The `HeadObject` answer for `bucket`/`key`, through sansboto's API command.
fn head(endpoint: &str, bucket: &str, key: &str) -> serde_json::Value {
    let args = ["s3api", "head-object", "--bucket", "BUCKET", "--key", key];
    let out = run(false, endpoint, "us-east-1", bucket, &args);
    assert_eq!(out.status, Some(0), "{key}: {out:?}");
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn uploads_get_the_content_type_and_object_options_aws_cli_gives() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("mime");
    let names = [
        "index.html",
        "UPPER.HTML",
        "style.css",
        "app.js",
        "module.mjs",
        "data.json",
        "logo.png",
        "photo.JPG",
        "photo.jpeg",
        "icon.svg",
        "anim.gif",
        "pic.webp",
        "readme.txt",
        "notes.md",
        "doc.pdf",
        "bundle.zip",
        "feed.xml",
        "table.csv",
        "movie.mp4",
        "song.mp3",
        "font.woff",
        "font.woff2",
        "font.ttf",
        "code.wasm",
        "cal.ics",
        "site.tar.gz",
        "archive.tgz",
        "data.gz",
        "log.bz2",
        "drawing.svgz",
        "page.html.gz",
        "x.GZ",
        ".hidden.html",
        ".html",
        "noextension",
        "trailingdot.",
        "weird.unknownext",
        "sheet.xlsx",
        "slides.pptx",
        "book.docx",
        "tarball.tar",
        "script.py",
        "conf.yaml",
        "conf.yml",
        "favicon.ico",
        "sound.wav",
        "main.c",
        "main.h",
        "run.sh",
        "app.ts",
        "out.log",
        "setup.ini",
        "site.conf",
        "Main.java",
        "pkg.rpm",
        "dump.sql",
        "tune.m4a",
        "font.otf",
    ];
    for name in names {
        std::fs::write(dir.join(name), name.as_bytes()).unwrap();
    }
    let dir = dir.to_string_lossy().into_owned();
    for tool in ["aws", "sb"] {
        let bucket = format!("{tool}-mime");
        let aws = tool == "aws";
        make_buckets(&endpoint, &[(aws, &bucket)]);
        let synced = run(
            aws,
            &endpoint,
            "us-east-1",
            &bucket,
            &["s3", "sync", &dir, "s3://BUCKET/site/"],
        );
        assert_eq!(synced.status, Some(0), "{synced:?}");
        // The options over the guess: an explicit type, no guess, the object options.
        let file = format!("{dir}/index.html");
        for args in [
            &[
                "s3",
                "cp",
                &file,
                "s3://BUCKET/typed.html",
                "--content-type",
                "text/plain",
            ][..],
            &[
                "s3",
                "cp",
                &file,
                "s3://BUCKET/unguessed.html",
                "--no-guess-mime-type",
            ],
            &[
                "s3",
                "cp",
                &file,
                "s3://BUCKET/options.html",
                "--acl",
                "public-read",
                "--cache-control",
                "max-age=60",
                "--content-disposition",
                "inline",
                "--content-language",
                "fr",
                "--content-encoding",
                "identity",
                "--website-redirect",
                "/elsewhere.html",
                "--expires",
                "2030-01-01T00:00:00Z",
            ],
        ] {
            let out = run(aws, &endpoint, "us-east-1", &bucket, args);
            assert_eq!(out.status, Some(0), "{tool} {args:?}: {out:?}");
        }
    }
    let mut mismatches = Vec::new();
    for name in names {
        let key = format!("site/{name}");
        let theirs = head(&endpoint, "aws-mime", &key)["ContentType"].clone();
        let ours = head(&endpoint, "sb-mime", &key)["ContentType"].clone();
        if theirs != ours {
            mismatches.push((
                name,
                theirs.as_str().map(String::from),
                ours.as_str().map(String::from),
            ));
        }
    }
    // aws-cli asks Python's `mimetypes`: this machine's tables over Python's own. Where the
    // machine has none (a slim container), only Python's own table answers, which sansboto's
    // built-in one follows for the common types but not for every rare one: the comparison is
    // then reported skipped.
    let tables = sansboto_tests::botocore::run(
        "import mimetypes, os\nemit([f for f in mimetypes.knownfiles if os.path.exists(f)])",
        &[],
    );
    if tables.as_array().is_some_and(Vec::is_empty) {
        eprintln!(
            "skipped: no mime.types table on this machine ({} names not compared)",
            names.len()
        );
    } else {
        // Every one of these names gets the same type, or none, from both.
        assert_eq!(mismatches, []);
    }
    for key in ["typed.html", "unguessed.html", "options.html"] {
        let strip = |mut v: serde_json::Value| {
            let m = v.as_object_mut().unwrap();
            for volatile in ["ResponseMetadata", "LastModified", "ETag", "VersionId"] {
                m.remove(volatile);
            }
            v
        };
        let theirs = strip(head(&endpoint, "aws-mime", key));
        let ours = strip(head(&endpoint, "sb-mime", key));
        assert_eq!(ours, theirs, "{key}");
    }
    let acl = |bucket: &str| {
        let args = [
            "s3api",
            "get-object-acl",
            "--bucket",
            "BUCKET",
            "--key",
            "options.html",
        ];
        let out = run(false, &endpoint, "us-east-1", bucket, &args);
        let acl: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        acl["Grants"].as_array().map(Vec::len)
    };
    assert_eq!(acl("sb-mime"), acl("aws-mime"));
    assert_eq!(
        acl("sb-mime"),
        Some(2),
        "public-read adds AllUsers READ to the owner's grant"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Uploads and copies between buckets, small and multipart (above the 8 MiB threshold), by
/// `cp`, `cp --recursive`, `mv` and `sync`, with and without `--metadata` (shorthand and JSON)
/// and `--metadata-directive`: each tool runs the same commands on its own bucket, whose
/// sources were put alike (metadata, content type and language, tags); the lines and exit
/// statuses, then every object's HeadObject and tags, are the same. aws-cli's rules checked so:
/// a multipart copy keeps nothing of its source (s3transfer makes no HeadObject, aws-cli having
/// the size and ETag from its listing or its own look), and its CreateMultipartUpload drops
/// the options' metadata and content headers unless `MetadataDirective` is `REPLACE`;
/// `--metadata` on a copy means `REPLACE` unless a directive is given; `--metadata-directive`
/// on an upload does nothing. (Where moto ignores a header, such as a content type given to a
/// small copy under `COPY`, both tools' objects show the same.)
#[test]
fn written_objects_get_the_metadata_aws_cli_gives() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("metadata");
    let up = dir.join("up");
    std::fs::create_dir_all(&up).unwrap();
    std::fs::write(up.join("small.txt"), b"small").unwrap();
    // Above the 8 MiB multipart threshold of both tools.
    std::fs::write(up.join("big.bin"), vec![7u8; 9 * 1024 * 1024]).unwrap();
    let small = up.join("small.txt").to_string_lossy().into_owned();
    let big = up.join("big.bin").to_string_lossy().into_owned();
    // What each tool runs, and the objects then compared.
    let mut steps: Vec<Vec<String>> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut step = |args: &[&str], made: &[&str]| {
        steps.push(args.iter().map(|a| a.to_string()).collect());
        keys.extend(made.iter().map(|k| k.to_string()));
    };
    for (file, name) in [(&small, "small"), (&big, "big")] {
        let target = format!("s3://BUCKET/up/{name}");
        step(
            &["s3", "cp", file, &target, "--metadata", "k1=v1,k2=v2"],
            &[&format!("up/{name}")],
        );
        let target = format!("s3://BUCKET/json/{name}");
        let json = r#"{"k": "v", "Mixed-Case": "X Y"}"#;
        step(
            &["s3", "cp", file, &target, "--metadata", json],
            &[&format!("json/{name}")],
        );
        let target = format!("s3://BUCKET/directive/{name}");
        step(
            &["s3", "cp", file, &target, "--metadata-directive", "REPLACE"],
            &[&format!("directive/{name}")],
        );
    }
    let up = up.to_string_lossy().into_owned();
    step(
        &[
            "s3",
            "sync",
            &up,
            "s3://BUCKET/synced/",
            "--metadata",
            "a=b",
        ],
        &["synced/small.txt", "synced/big.bin"],
    );
    let options: [(&str, &[&str]); 7] = [
        ("plain", &[]),
        (
            "type",
            &[
                "--content-type",
                "text/plain",
                "--cache-control",
                "no-cache",
            ],
        ),
        ("metadata", &["--metadata", "k=v"]),
        (
            "metadata-copy",
            &["--metadata", "k=v", "--metadata-directive", "COPY"],
        ),
        (
            "metadata-replace",
            &[
                "--metadata",
                "k=v",
                "--metadata-directive",
                "REPLACE",
                "--content-type",
                "text/plain",
            ],
        ),
        ("replace", &["--metadata-directive", "REPLACE"]),
        (
            "copy-type",
            &[
                "--metadata-directive",
                "COPY",
                "--content-type",
                "text/plain",
            ],
        ),
    ];
    for (label, option) in options {
        for name in ["small", "big"] {
            let key = format!("copy/{label}/{name}");
            let target = format!("s3://BUCKET/{key}");
            let source = format!("s3://BUCKET/src/{name}");
            let mut args = vec!["s3", "cp", &source, &target];
            args.extend_from_slice(option);
            step(&args, &[&key]);
        }
    }
    step(
        &[
            "s3",
            "cp",
            "s3://BUCKET/src/",
            "s3://BUCKET/recursive/",
            "--recursive",
        ],
        &["recursive/small", "recursive/big"],
    );
    step(
        &[
            "s3",
            "cp",
            "s3://BUCKET/src/",
            "s3://BUCKET/recursive-metadata/",
            "--recursive",
            "--metadata",
            "r=1",
        ],
        &["recursive-metadata/small", "recursive-metadata/big"],
    );
    step(
        &["s3", "cp", "s3://BUCKET/src/big", "s3://BUCKET/moving/big"],
        &[],
    );
    step(
        &[
            "s3",
            "mv",
            "s3://BUCKET/moving/big",
            "s3://BUCKET/moved/big",
        ],
        &["moved/big"],
    );
    step(
        &[
            "s3",
            "cp",
            "s3://BUCKET/src/big",
            "s3://BUCKET/moving/again",
        ],
        &[],
    );
    step(
        &[
            "s3",
            "mv",
            "s3://BUCKET/moving/again",
            "s3://BUCKET/moved-again/big",
            "--metadata",
            "m=1",
        ],
        &["moved-again/big"],
    );
    step(
        &["s3", "sync", "s3://BUCKET/src/", "s3://BUCKET/s3sync/"],
        &["s3sync/small", "s3sync/big"],
    );
    step(
        &[
            "s3",
            "sync",
            "s3://BUCKET/src/",
            "s3://BUCKET/s3sync-metadata/",
            "--metadata",
            "s=1",
            "--metadata-directive",
            "COPY",
        ],
        &["s3sync-metadata/small", "s3sync-metadata/big"],
    );
    let compared = written_objects_next_to_aws_cli(&endpoint, &small, &big, &steps, &keys);
    let object = |key: &str| {
        compared
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, head, tags)| {
                (
                    head["Metadata"].clone(),
                    head["ContentType"].clone(),
                    tags.clone(),
                )
            })
            .unwrap()
    };
    // What aws-cli does, so that the comparison covers the rule above.
    let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
    let kept = (
        json(r#"{"origin": "source"}"#),
        json(r#""text/x-source""#),
        json(r#"[{"Key": "colour", "Value": "blue"}]"#),
    );
    let nothing = (json("{}"), json(r#""binary/octet-stream""#), json("[]"));
    assert_eq!(object("copy/plain/small"), kept);
    assert_eq!(object("copy/plain/big"), nothing);
    assert_eq!(object("copy/type/big"), nothing);
    assert_eq!(object("recursive/big"), nothing);
    let given = |metadata: &str, kind: &str, tags: &str| (json(metadata), json(kind), json(tags));
    let blue = r#"[{"Key": "colour", "Value": "blue"}]"#;
    let binary = r#""binary/octet-stream""#;
    let octets = r#""application/octet-stream""#;
    assert_eq!(
        object("up/big"),
        given(r#"{"k1": "v1", "k2": "v2"}"#, octets, "[]")
    );
    let mixed = r#"{"k": "v", "mixed-case": "X Y"}"#;
    assert_eq!(object("json/small").0, json(mixed));
    assert_eq!(object("directive/small").0, json("{}"));
    assert_eq!(
        object("copy/metadata/small"),
        given(r#"{"k": "v"}"#, binary, blue)
    );
    assert_eq!(
        object("copy/metadata/big"),
        given(r#"{"k": "v"}"#, binary, "[]")
    );
    assert_eq!(object("copy/metadata-copy/small"), kept);
    assert_eq!(object("copy/metadata-copy/big"), nothing);
    let replaced = given(r#"{"k": "v"}"#, r#""text/plain""#, "[]");
    assert_eq!(object("copy/metadata-replace/big"), replaced);
    assert_eq!(object("moved-again/big").0, json(r#"{"m": "1"}"#));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each tool's run of `steps` in its own bucket (`aws-metadata`, `sb-metadata`), after the
/// sources `src/small` and `src/big` (the files `small` and `big`) were put in each alike:
/// metadata, content type and language, tags. The runs must succeed and print the same; then
/// each object of `keys` must have the same HeadObject (but for its times and ETag) and tags
/// in both buckets: those are returned, `(key, head, tags)`.
fn written_objects_next_to_aws_cli(
    endpoint: &str,
    small: &str,
    big: &str,
    steps: &[Vec<String>],
    keys: &[String],
) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    let mut runs: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
    for (tool, runs) in ["aws", "sb"].into_iter().zip(&mut runs) {
        let aws = tool == "aws";
        let bucket = format!("{tool}-metadata");
        make_buckets(endpoint, &[(aws, &bucket)]);
        // The sources, put alike in both buckets (by sansboto's API command).
        for (file, name) in [(small, "small"), (big, "big")] {
            let key = format!("src/{name}");
            let put = [
                "s3api",
                "put-object",
                "--bucket",
                "BUCKET",
                "--key",
                &key,
                "--body",
                file,
                "--metadata",
                "origin=source",
                "--content-type",
                "text/x-source",
                "--content-language",
                "de",
                "--tagging",
                "colour=blue",
            ];
            let put = run(false, endpoint, "us-east-1", &bucket, &put);
            assert_eq!(put.status, Some(0), "{put:?}");
        }
        for args in steps {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            runs.push(run(aws, endpoint, "us-east-1", &bucket, &args));
        }
    }
    for ((args, ours), theirs) in steps.iter().zip(&runs[1]).zip(&runs[0]) {
        assert_eq!(theirs.status, Some(0), "aws-cli {args:?}: {theirs:?}");
        assert_eq!(ours.status, theirs.status, "{args:?}: {ours:?}");
        assert_eq!(results(ours), results(theirs), "{args:?}");
        assert_eq!(ours.stderr, theirs.stderr, "{args:?}");
    }
    let strip = |mut v: serde_json::Value| {
        let m = v.as_object_mut().unwrap();
        for volatile in ["ResponseMetadata", "LastModified", "ETag", "VersionId"] {
            m.remove(volatile);
        }
        v
    };
    let tags = |bucket: &str, key: &str| {
        let args = [
            "s3api",
            "get-object-tagging",
            "--bucket",
            "BUCKET",
            "--key",
            key,
        ];
        let out = run(false, endpoint, "us-east-1", bucket, &args);
        assert_eq!(out.status, Some(0), "{key}: {out:?}");
        let tags: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        tags["TagSet"].clone()
    };
    let mut compared = Vec::new();
    for key in keys {
        let theirs = strip(head(endpoint, "aws-metadata", key));
        let ours = strip(head(endpoint, "sb-metadata", key));
        assert_eq!(ours, theirs, "{key}");
        let their_tags = tags("aws-metadata", key);
        assert_eq!(tags("sb-metadata", key), their_tags, "{key}");
        compared.push((key.clone(), theirs, their_tags));
    }
    compared
}

/// A FIFO (whose read waits for a writer: once a hang), a device or a link to nothing is
/// skipped with aws-cli's warning and exit status 2, alone or in a tree; symbolic links are
/// followed, as aws-cli follows them by default, a directory reached through two links listed
/// under both (once only under one, so `sync --delete` deleted what aws-cli keeps).
#[cfg(unix)]
#[test]
fn special_files_are_skipped_and_links_followed_as_aws_cli_does() {
    use std::os::unix::fs::symlink;
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("special");
    std::fs::create_dir_all(dir.join("tree/sub")).unwrap();
    std::fs::create_dir_all(dir.join("tree/real")).unwrap();
    std::fs::write(dir.join("tree/plain.txt"), b"plain").unwrap();
    std::fs::write(dir.join("tree/real/f.txt"), b"real").unwrap();
    std::fs::write(dir.join("outside.txt"), b"outside").unwrap();
    symlink(dir.join("outside.txt"), dir.join("tree/sub/link.txt")).unwrap();
    symlink(dir.join("tree/real"), dir.join("tree/alias")).unwrap();
    symlink(dir.join("tree/real"), dir.join("tree/sub/alias")).unwrap();
    symlink(dir.join("nowhere"), dir.join("tree/broken")).unwrap();
    let fifo = dir.join("tree/pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let fifo = fifo.to_string_lossy().into_owned();
    let tree = dir.join("tree").to_string_lossy().into_owned();
    let warnings = |r: &Run| -> Vec<String> {
        let mut w: Vec<String> = r
            .stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .map(String::from)
            .collect();
        w.sort();
        w
    };
    let mut seen = Vec::new();
    for tool in ["aws", "sb"] {
        let aws = tool == "aws";
        let bucket = format!("{tool}-special");
        make_buckets(&endpoint, &[(aws, &bucket)]);
        let run = |args: &[&str]| run(aws, &endpoint, "us-east-1", &bucket, args);
        let mut said = Vec::new();
        for (args, skipped) in [
            (&["s3", "cp", &fifo, "s3://BUCKET/pipe"][..], 1),
            (&["s3", "cp", "/dev/zero", "s3://BUCKET/zero"], 1),
            (&["s3", "cp", &tree, "s3://BUCKET/tree/", "--recursive"], 2),
            // Again, deleting what the tree lacks: nothing.
            (&["s3", "sync", &tree, "s3://BUCKET/tree/", "--delete"], 2),
        ] {
            let out = run(args);
            assert_eq!(out.status, Some(2), "{tool} {args:?}: {out:?}");
            assert_eq!(warnings(&out).len(), skipped, "{tool} {args:?}: {out:?}");
            assert!(!out.stdout.contains("delete:"), "{tool} {args:?}: {out:?}");
            said.push(warnings(&out));
        }
        let listed = run(&["s3api", "list-objects-v2", "--bucket", "BUCKET"]);
        let listed: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
        let keys: Vec<&str> = listed["Contents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["Key"].as_str().unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "tree/alias/f.txt",
                "tree/plain.txt",
                "tree/real/f.txt",
                "tree/sub/alias/f.txt",
                "tree/sub/link.txt"
            ],
            "{tool}"
        );
        seen.push(said);
    }
    // The same warnings, word for word, from both.
    assert_eq!(seen[1], seen[0]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A skipped file's warning shows its path as aws-cli does, made absolute with `.` and `..`
/// resolved in the words alone (Python's `os.path.abspath`), a symbolic link on the way kept
/// as it is; the paths are given relative to the directory both tools run in. (Once `..`
/// stayed in: `/…/dir/../missing-file`.)
#[cfg(unix)]
#[test]
fn skipped_files_are_shown_by_the_path_aws_cli_shows() {
    use std::os::unix::fs::symlink;
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("dotted");
    std::fs::create_dir_all(dir.join("dir")).unwrap();
    std::fs::create_dir_all(dir.join("elsewhere/deeper")).unwrap();
    symlink(dir.join("nowhere"), dir.join("missing-file")).unwrap();
    // `linked/..` is `dir`'s parent by the words, `elsewhere` by the file system.
    symlink(dir.join("elsewhere/deeper"), dir.join("dir/linked")).unwrap();
    // A FIFO both ways: `dir/linked/../fifo` names `elsewhere/fifo` to the file system,
    // `dir/fifo` to aws-cli's warning.
    for fifo in ["dir/fifo", "elsewhere/fifo"] {
        let made = Command::new("mkfifo").arg(dir.join(fifo)).status().unwrap();
        assert!(made.success());
    }
    let steps: [&[&str]; 6] = [
        &["s3", "cp", "dir/./fifo", "s3://BUCKET/fifo"],
        &["s3", "cp", "./dir/../dir/./fifo", "s3://BUCKET/fifo"],
        &["s3", "cp", "dir/linked/../fifo", "s3://BUCKET/fifo"],
        &["s3", "cp", "./dir/..", "s3://BUCKET/up/", "--recursive"],
        &["s3", "sync", "dir/../dir/.", "s3://BUCKET/down/"],
        &[
            "s3",
            "cp",
            "dir/linked/../..//.",
            "s3://BUCKET/up/",
            "--recursive",
        ],
    ];
    let warnings = |r: &Run| -> Vec<String> {
        let mut w: Vec<String> = r
            .stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .map(String::from)
            .collect();
        w.sort();
        w
    };
    let bucket = |aws: bool| if aws { "aws-dotted" } else { "sb-dotted" };
    make_buckets(&endpoint, &[(true, bucket(true)), (false, bucket(false))]);
    let mut shown = Vec::new();
    for args in steps {
        let [theirs, ours] = [true, false]
            .map(|aws| run_in(Some(&dir), aws, &endpoint, "us-east-1", bucket(aws), args));
        assert_eq!(ours.status, theirs.status, "{args:?}: {ours:?} {theirs:?}");
        assert_eq!(theirs.status, Some(2), "{args:?}: {theirs:?}");
        assert_eq!(warnings(&ours), warnings(&theirs), "{args:?}");
        shown.push(warnings(&theirs));
        // With `--quiet` no warning (aws-cli's file generator puts them on its result queue,
        // left without a printer), and still exit 2. (Once the warnings were printed.)
        let args: Vec<&str> = args.iter().copied().chain(["--quiet"]).collect();
        let [theirs, ours] = [true, false]
            .map(|aws| run_in(Some(&dir), aws, &endpoint, "us-east-1", bucket(aws), &args));
        assert_eq!(theirs.status, Some(2), "{args:?}: {theirs:?}");
        assert_eq!(ours, theirs, "{args:?}");
    }
    // The cases are ones to resolve: aws-cli's paths have no `.` or `..` left, and the link's
    // `..` was taken by the words.
    let root = std::fs::canonicalize(&dir).unwrap();
    let root = root.to_string_lossy();
    let all = shown.concat();
    assert!(
        all.iter()
            .all(|w| !w.contains("/./") && !w.contains("/../")),
        "{all:?}"
    );
    let fifo = format!(
        "warning: Skipping file {root}/dir/fifo. File is character special device, block \
         special device, FIFO, or socket."
    );
    let missing = format!("warning: Skipping file {root}/missing-file. File does not exist.");
    assert_eq!(shown[2], [fifo], "through the link");
    assert!(all.contains(&missing), "{all:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `s3 ls` prints what aws-cli prints over one bucket: prefixes, objects, `--recursive`,
/// `--human-readable`, `--summarize`, `--page-size`, the buckets; a key that matches nothing
/// exits 1 without output, which scripts use to test for an object.
#[test]
fn ls_prints_what_aws_cli_prints() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let bucket = "listed";
    let sizes: [(&str, usize); 7] = [
        ("empty", 0),
        ("one.txt", 1),
        ("photos/small.jpg", 1023),
        ("photos/kib.jpg", 1024),
        ("photos/2024/half.jpg", 1536),
        ("photos/2024/mib.bin", 1024 * 1024 + 1),
        ("photos2/other", 7),
    ];
    make_buckets(&endpoint, &[(false, bucket)]);
    let file = scratch("ls").join("data");
    for (key, size) in sizes {
        std::fs::write(&file, vec![b'x'; size]).unwrap();
        let target = format!("s3://BUCKET/{key}");
        let out = run(
            false,
            &endpoint,
            "us-east-1",
            bucket,
            &["s3", "cp", &file.to_string_lossy(), &target],
        );
        assert_eq!(out.status, Some(0), "{out:?}");
    }
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
    for args in [
        &["s3", "ls"][..],
        &["s3", "ls", "s3://"],
        &["s3", "ls", "s3://BUCKET"],
        &["s3", "ls", "s3://BUCKET/photos/"],
        &["s3", "ls", "s3://BUCKET/photos"],
        &["s3", "ls", "s3://BUCKET/photos/kib.jpg"],
        &[
            "s3",
            "ls",
            "s3://BUCKET",
            "--recursive",
            "--human-readable",
            "--summarize",
        ],
        &[
            "s3",
            "ls",
            "s3://BUCKET/photos/",
            "--recursive",
            "--summarize",
            "--page-size",
            "1",
        ],
        &["s3", "ls", "s3://BUCKET/photos/2024/", "--human-readable"],
        &["s3", "ls", "s3://BUCKET/nothing-here"],
        &[
            "s3",
            "ls",
            "s3://BUCKET/nothing-here/",
            "--recursive",
            "--summarize",
        ],
    ] {
        let theirs = run(true, &endpoint, "us-east-1", bucket, args);
        let ours = run(false, &endpoint, "us-east-1", bucket, args);
        assert_eq!(
            (ours.status, &ours.stdout),
            (theirs.status, &theirs.stdout),
            "{args:?}"
        );
        assert!(ours.stderr.is_empty(), "{args:?}: {}", ours.stderr);
    }
    assert_eq!(
        run(
            false,
            &endpoint,
            "us-east-1",
            bucket,
            &["s3", "ls", "s3://BUCKET/none"]
        )
        .status,
        Some(1)
    );
}

/// `s3 ls` prints what aws-cli prints over awkward listings, in several time zones (`TZ` set
/// alike for both: aws-cli shows times in local time): keys with spaces, a tab, `é`, a
/// combining accent, `日本`, an emoji, `%20` and `+`; keys ending in `/`, beginning with `/`
/// or holding `//` (a common prefix `dir//` is `PRE /`, its last component being empty);
/// sizes about each power of 1024 with `--human-readable`; `--summarize` (after a listing of
/// buckets too, where aws-cli prints totals of nothing); an empty bucket; a missing one
/// (`An error occurred (NoSuchBucket) when calling the ListObjectsV2 operation: …` after an
/// empty line, exit 255). (Once times were shown in UTC whatever `TZ` said, `dir//` was `PRE
/// dir/`, a missing bucket a JSON error object with exit 254, and the buckets' `--summarize`
/// printed nothing.)
#[test]
fn ls_prints_awkward_listings_as_aws_cli_does() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("ls-awkward");
    let body = dir.join("body");
    let bucket = "awkward";
    let local = |args: &[&str]| run(false, &endpoint, "us-east-1", bucket, args);
    make_buckets(&endpoint, &[(false, bucket), (false, "bare-bucket")]);
    let keys = [
        " a",
        "a b/c d",
        "é/日本",
        "dir/",
        "dir//x",
        "/lead",
        "/",
        "a//",
        "x/y/",
        "x/y/z",
        "x/y/z/",
        "tab\tkey",
        "pct%20x",
        "plus+x",
        "dir/sub/f",
        "dir/sub2/",
        "dirx",
        "d.i.r/f",
        "ü/",
        "e\u{301}",
        "a/b/c/d/e",
        "emoji😀/k",
    ];
    let sizes = [
        0, 1, 999, 1000, 1023, 1024, 1025, 1536, 10239, 10240, 1_048_575, 1_048_576, 1_048_577,
        1_073_741, 2_500_000,
    ];
    for (i, key) in keys.iter().enumerate() {
        std::fs::write(&body, vec![b'x'; sizes[i % sizes.len()]]).unwrap();
        let body = body.to_string_lossy();
        let put = [
            "s3api",
            "put-object",
            "--bucket",
            "BUCKET",
            "--key",
            key,
            "--body",
            &body,
        ];
        let put = local(&put);
        assert_eq!(put.status, Some(0), "{key}: {put:?}");
    }
    let mut cases: Vec<Vec<String>> = Vec::new();
    let owned = |args: &[&str]| args.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    for prefix in [
        "", "dir", "dir/", "dir//", "x/y", "x/y/", "a/", "é", "/", "//", "nothing",
    ] {
        let path = format!("s3://BUCKET/{prefix}");
        for extra in [
            &[][..],
            &["--recursive"],
            &["--human-readable", "--summarize"],
            &[
                "--recursive",
                "--human-readable",
                "--summarize",
                "--page-size",
                "2",
            ],
        ] {
            cases.push([owned(&["s3", "ls", &path]), owned(extra)].concat());
        }
    }
    for args in [
        &["s3", "ls"][..],
        &["s3", "ls", "--summarize"],
        &[
            "s3",
            "ls",
            "s3://",
            "--summarize",
            "--human-readable",
            "--page-size",
            "1",
        ],
        &["s3", "ls", "--bucket-name-prefix", "zz", "--summarize"],
        &["s3", "ls", "s3://bare-bucket"],
        &[
            "s3",
            "ls",
            "s3://bare-bucket/",
            "--recursive",
            "--summarize",
        ],
        &["s3", "ls", "s3://never-made"],
        &[
            "s3",
            "ls",
            "s3://never-made/p/",
            "--recursive",
            "--summarize",
        ],
    ] {
        cases.push(owned(args));
    }
    // Every case in one zone east of UTC by a fraction of an hour; the dated ones in others.
    let mut compared = 0;
    for zone in [
        "Asia/Kolkata",
        "UTC",
        "America/New_York",
        "Australia/Lord_Howe",
        "XST-5:45",
    ] {
        let env = [("TZ", zone)];
        let zone_cases = cases.iter().filter(|c| {
            zone == "Asia/Kolkata" || (c.len() == 2 || c.contains(&"--recursive".to_string()))
        });
        for args in zone_cases {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let [theirs, ours] = [true, false]
                .map(|aws| run_with(&env, None, aws, &endpoint, "us-east-1", bucket, &args));
            assert_eq!(ours, theirs, "TZ={zone} {args:?}");
            compared += 1;
        }
    }
    // The missing bucket's failure, so that the comparison covers it.
    let theirs = run(
        true,
        &endpoint,
        "us-east-1",
        bucket,
        &["s3", "ls", "s3://never-made"],
    );
    assert_eq!(theirs.status, Some(255), "{theirs:?}");
    assert!(theirs.stderr.contains("(NoSuchBucket)"), "{theirs:?}");
    assert!(compared > 60, "{compared}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--only-show-errors` and `--no-progress` on `cp`, `mv`, `sync` and `rm`, as aws-cli prints
/// them: with `--only-show-errors` the failures (`upload failed: …`, `delete failed: …`,
/// `fatal error: …`) and no line for what went (a `(dryrun)` line still); with
/// `--no-progress` every line. Among the failures, moves whose copy is made and whose source
/// cannot then be deleted (a bucket policy denying `DeleteObject` under `locked/`, a local
/// file made immutable with `chattr +i` where it can be): aws-cli's `move failed: … An error
/// occurred (403) when calling the DeleteObject operation: Forbidden`, exit 1, the copy left.
/// (Once `--only-show-errors` was refused as an unknown option.)
#[test]
fn only_show_errors_and_no_progress_print_what_aws_cli_prints() {
    /// Makes the file deletable again, however the test ends.
    struct Immutable(std::path::PathBuf);
    impl Drop for Immutable {
        fn drop(&mut self) {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        }
    }
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let root = scratch("only-errors");
    let policy = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
         "Resource": "arn:aws:s3:::BUCKET/locked/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::BUCKET/noput/*"}]}"#;
    let mut guards = Vec::new();
    for tool in ["aws", "sb"] {
        let dir = root.join(tool);
        std::fs::create_dir_all(dir.join("up/sub")).unwrap();
        for file in [
            "up/a.txt",
            "up/b.txt",
            "up/sub/c.txt",
            "one.txt",
            "immutable.txt",
        ] {
            std::fs::write(dir.join(file), file).unwrap();
        }
        let bucket = format!("{tool}-only-errors");
        make_buckets(&endpoint, &[(tool == "aws", &bucket)]);
        let run = |args: &[&str]| {
            run_in(
                Some(&dir),
                tool == "aws",
                &endpoint,
                "us-east-1",
                &bucket,
                args,
            )
        };
        for key in [
            "locked/x.txt",
            "locked/y.txt",
            "locked/dir/z.txt",
            "free/x.txt",
        ] {
            let target = format!("s3://BUCKET/{key}");
            assert_eq!(run(&["s3", "cp", "one.txt", &target]).status, Some(0));
        }
        let put = [
            "s3api",
            "put-bucket-policy",
            "--bucket",
            "BUCKET",
            "--policy",
            policy,
        ];
        assert_eq!(run(&put).status, Some(0));
        let locked = dir.join("immutable.txt");
        let made = Command::new("chattr").arg("+i").arg(&locked).output();
        if made.is_ok_and(|o| o.status.success()) {
            guards.push(Immutable(locked));
        }
    }
    let mut steps: Vec<&[&str]> = vec![
        &[
            "s3",
            "cp",
            "one.txt",
            "s3://BUCKET/ok/one.txt",
            "--only-show-errors",
        ],
        &[
            "s3",
            "cp",
            "one.txt",
            "s3://BUCKET/noput/one.txt",
            "--only-show-errors",
        ],
        &[
            "s3",
            "cp",
            "up",
            "s3://BUCKET/noput/",
            "--recursive",
            "--only-show-errors",
        ],
        &[
            "s3",
            "cp",
            "up",
            "s3://BUCKET/ok2/",
            "--recursive",
            "--no-progress",
        ],
        &["s3", "sync", "up", "s3://BUCKET/ok3/", "--no-progress"],
        &[
            "s3",
            "sync",
            "up",
            "s3://BUCKET/noput/",
            "--only-show-errors",
        ],
        &[
            "s3",
            "sync",
            "up",
            "s3://BUCKET/ok4/",
            "--only-show-errors",
            "--dryrun",
        ],
        &[
            "s3",
            "rm",
            "s3://BUCKET/locked/",
            "--recursive",
            "--only-show-errors",
        ],
        &["s3", "rm", "s3://BUCKET/locked/x.txt", "--only-show-errors"],
        &["s3", "rm", "s3://BUCKET/ok/one.txt", "--only-show-errors"],
        &[
            "s3",
            "mv",
            "s3://BUCKET/locked/x.txt",
            "s3://BUCKET/moved/x.txt",
        ],
        &[
            "s3",
            "mv",
            "s3://BUCKET/locked/y.txt",
            "s3://BUCKET/moved/",
            "--only-show-errors",
        ],
        &[
            "s3",
            "mv",
            "s3://BUCKET/locked/",
            "s3://BUCKET/moved2/",
            "--recursive",
        ],
        &[
            "s3",
            "mv",
            "s3://BUCKET/locked/x.txt",
            "got.txt",
            "--no-progress",
        ],
        &[
            "s3",
            "mv",
            "s3://BUCKET/locked/",
            "gotdir",
            "--recursive",
            "--only-show-errors",
        ],
        &[
            "s3",
            "mv",
            "s3://BUCKET/free/x.txt",
            "s3://BUCKET/moved3/",
            "--only-show-errors",
        ],
        &[
            "s3",
            "cp",
            "s3://BUCKET/no-such-key",
            "x",
            "--only-show-errors",
        ],
        &[
            "s3",
            "cp",
            "s3://never-made-here/",
            "x",
            "--recursive",
            "--only-show-errors",
        ],
    ];
    if guards.len() == 2 {
        steps.push(&["s3", "mv", "immutable.txt", "s3://BUCKET/ok/i.txt"]);
        steps.push(&[
            "s3",
            "mv",
            "immutable.txt",
            "s3://BUCKET/ok/j.txt",
            "--only-show-errors",
        ]);
    } else {
        eprintln!("chattr +i is not available here: no local move that fails");
    }
    let mut outcomes = Vec::new();
    for args in &steps {
        let [theirs, ours] = ["aws", "sb"].map(|tool| {
            let dir = root.join(tool);
            let bucket = format!("{tool}-only-errors");
            let out = run_in(
                Some(&dir),
                tool == "aws",
                &endpoint,
                "us-east-1",
                &bucket,
                args,
            );
            let here = std::fs::canonicalize(&dir).unwrap();
            let mut stderr: Vec<String> = out
                .stderr
                .replace(&*here.to_string_lossy(), "CWD")
                .lines()
                // Without the padding aws-cli may add over a progress line.
                .map(|l| l.trim_end().to_string())
                .collect();
            stderr.sort();
            (out.status, results(&out), stderr)
        });
        assert_eq!(ours, theirs, "{args:?}");
        outcomes.push(theirs);
    }
    // What aws-cli does, so that the comparison covers it: failures printed with
    // `--only-show-errors`, successes not; the moves that fail, `move failed:` each.
    let printed = |i: usize| (outcomes[i].0, outcomes[i].1.len(), outcomes[i].2.len());
    assert_eq!(printed(0), (Some(0), 0, 0));
    assert_eq!(printed(2), (Some(1), 0, 3));
    assert_eq!(printed(3), (Some(0), 3, 0));
    assert_eq!(printed(6), (Some(0), 3, 0));
    assert_eq!(printed(12), (Some(1), 0, 3));
    assert!(outcomes[10].2[0].starts_with("move failed: s3://BUCKET/locked/x.txt to "));
    assert!(outcomes[10].2[0].ends_with("when calling the DeleteObject operation: Forbidden"));
    // Both buckets hold the same objects: the copies made, the sources that stayed.
    let keys = |tool: &str| {
        let bucket = format!("{tool}-only-errors");
        let args = [
            "s3api",
            "list-objects-v2",
            "--bucket",
            "BUCKET",
            "--query",
            "Contents[].Key",
        ];
        run(false, &endpoint, "us-east-1", &bucket, &args).stdout
    };
    assert_eq!(keys("sb"), keys("aws"));
    assert!(keys("aws").contains("moved2/dir/z.txt") && keys("aws").contains("locked/dir/z.txt"));
    drop(guards);
    let _ = std::fs::remove_dir_all(&root);
}

/// `sync` chooses what to transfer as aws-cli chooses, with `--dryrun`, local to S3, S3 to
/// local and S3 to S3, plain and with `--size-only`, `--exact-timestamps`, both, `--delete`,
/// and `--delete --size-only` with a filter: files of the objects' size or not, their times
/// 100 seconds, half a second or nothing before or after their objects'. aws-cli compares a
/// file's time to the microsecond, so that a file half a second after its object's whole
/// second is newer; given both `--size-only` and `--exact-timestamps`, the latter's strategy
/// replaces the former's (aws-cli registers it after) and times are compared. (Once times
/// were compared to the second, and `--size-only` won.)
#[test]
fn sync_compares_as_aws_cli_compares() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("sync-compare");
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    // Each file: its content afterwards (`abcd` is the object's) and its time from the
    // object's, in milliseconds.
    let files: [(&str, &str, i64); 9] = [
        ("same", "abcd", -100_000),
        ("newer_same_size", "wxyz", 100_000),
        ("older_same_size", "wxyz", -100_000),
        ("bigger", "abcdef", -100_000),
        ("newer_bigger", "abcdef", 100_000),
        ("equal_time", "wxyz", 0),
        ("half_after", "wxyz", 500),
        ("half_before", "wxyz", -500),
        ("only_local", "abcd", 0),
    ];
    for (name, _, _) in &files {
        std::fs::write(src.join(name), "abcd").unwrap();
    }
    let sansboto =
        |args: &[&str]| run_in(Some(&dir), false, &endpoint, "us-east-1", "shared", args);
    make_buckets(&endpoint, &[(false, "shared")]);
    assert_eq!(
        sansboto(&["s3", "sync", "src", "s3://BUCKET/p/"]).status,
        Some(0)
    );
    let body = src.join("same").to_string_lossy().into_owned();
    let put = [
        "s3api",
        "put-object",
        "--bucket",
        "BUCKET",
        "--key",
        "p/only_remote",
        "--body",
        &body,
    ];
    assert_eq!(sansboto(&put).status, Some(0));
    let listed = sansboto(&[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "BUCKET",
        "--prefix",
        "p/",
    ]);
    let listed: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let times: std::collections::HashMap<String, std::time::SystemTime> = listed["Contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let key = o["Key"]
                .as_str()
                .unwrap()
                .trim_start_matches("p/")
                .to_string();
            let time = o["LastModified"].as_str().unwrap();
            let time = sansboto_core::Timestamp::parse_iso8601(time).unwrap();
            (key, time.to_system_time())
        })
        .collect();
    let object_time = times["same"];
    for (name, content, millis) in &files {
        std::fs::write(src.join(name), content).unwrap();
        let base = times.get(*name).copied().unwrap_or(object_time);
        let offset = std::time::Duration::from_millis(millis.unsigned_abs());
        let time = if *millis < 0 {
            base - offset
        } else {
            base + offset
        };
        let file = std::fs::File::options()
            .write(true)
            .open(src.join(name))
            .unwrap();
        file.set_modified(time).unwrap();
    }
    // The same files, times and all, as a download's destination.
    let dl = dir.join("dl");
    std::fs::create_dir_all(&dl).unwrap();
    for (name, _, _) in &files {
        std::fs::copy(src.join(name), dl.join(name)).unwrap();
        let time = std::fs::metadata(src.join(name))
            .unwrap()
            .modified()
            .unwrap();
        let file = std::fs::File::options()
            .write(true)
            .open(dl.join(name))
            .unwrap();
        file.set_modified(time).unwrap();
    }
    let copied = sansboto(&[
        "s3",
        "sync",
        "s3://BUCKET/p/",
        "s3://BUCKET/q/",
        "--exclude",
        "bigger",
    ]);
    assert_eq!(copied.status, Some(0));
    let mut chosen = Vec::new();
    for extra in [
        &[][..],
        &["--size-only"],
        &["--exact-timestamps"],
        &["--size-only", "--exact-timestamps"],
        &["--delete"],
        &["--delete", "--size-only", "--exclude", "only_*"],
    ] {
        for (from, to) in [
            ("src", "s3://BUCKET/p/"),
            ("s3://BUCKET/p/", "dl"),
            ("s3://BUCKET/p/", "s3://BUCKET/q/"),
        ] {
            let args = [&["s3", "sync", from, to, "--dryrun"][..], extra].concat();
            let [theirs, ours] = [true, false]
                .map(|aws| run_in(Some(&dir), aws, &endpoint, "us-east-1", "shared", &args));
            assert_eq!(
                (ours.status, results(&ours), &ours.stderr),
                (theirs.status, results(&theirs), &theirs.stderr),
                "{args:?}"
            );
            chosen.push(results(&theirs));
        }
    }
    // What aws-cli does, so that the comparison covers it: the file half a second after its
    // object's second goes up, and comes down again, in a plain sync.
    assert!(
        chosen[0].contains(&"(dryrun) upload: src/half_after to s3://BUCKET/p/half_after".into())
    );
    assert!(
        chosen[1].contains(&"(dryrun) download: s3://BUCKET/p/half_after to dl/half_after".into())
    );
    assert!(chosen[10].len() > chosen[4].len(), "{chosen:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Objects whose keys below the source prefix are awkward as paths are downloaded where
/// aws-cli puts them, by `cp --recursive`, `sync` and `mv --recursive`, with `--dryrun` and
/// for real: `p//b.txt` below `p/` to `dir/b.txt`; `p/../in.txt` and `p/../../up.txt`, which
/// would land above the destination, skipped with aws-cli's `warning: Skipping file ../in.txt.
/// File references a parent directory.` (exit 2, or 1 with a failure); keys ending in `/` and
/// the prefix itself (`p/`, `p/d/`), which name a directory, shown as `dir/d/`, the directory
/// made and no file written (`download failed: … [Errno 20] Not a directory: …`, as aws-cli's
/// rename onto `dir/d/` fails; its words after the path name its temporary file and are not
/// compared). And `mv` of an object onto itself is refused before any call, `Cannot mv a file
/// onto itself: s3://b/k - s3://b/k`, exit 255. (Once `p//b.txt` was written to `/b.txt` at
/// the file system's root, `p/../in.txt` above the destination, a `p/` object as a file in
/// the destination's place, and the moved object deleted after its copy onto itself.)
#[test]
fn downloads_stay_below_the_destination_as_in_aws_cli() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let root = scratch("awkward-keys");
    let keys = [
        "p/a.txt",
        "p//b.txt",
        "p/../../up.txt",
        "p/../in.txt",
        "p/",
        "p/d/",
        "p/./dot.txt",
        "x",
    ];
    for tool in ["aws", "sb"] {
        let dir = root.join(tool).join("in");
        std::fs::create_dir_all(&dir).unwrap();
        let body = root.join(tool).join("body.txt");
        std::fs::write(&body, "body").unwrap();
        let bucket = format!("{tool}-awkward-keys");
        make_buckets(&endpoint, &[(tool == "aws", &bucket)]);
        for key in keys {
            let body = body.to_string_lossy();
            let put = [
                "s3api",
                "put-object",
                "--bucket",
                "BUCKET",
                "--key",
                key,
                "--body",
                &body,
            ];
            let put = run(false, &endpoint, "us-east-1", &bucket, &put);
            assert_eq!(put.status, Some(0), "{key}: {put:?}");
        }
    }
    let steps: [&[&str]; 9] = [
        &["s3", "cp", "s3://BUCKET/p/", "e", "--recursive", "--dryrun"],
        &["s3", "sync", "s3://BUCKET/p", "s", "--dryrun"],
        &["s3", "cp", "s3://BUCKET/p/", "e", "--recursive"],
        &["s3", "sync", "s3://BUCKET/p", "s"],
        &["s3", "mv", "s3://BUCKET/p/", "m", "--recursive"],
        &["s3", "cp", "s3://BUCKET/p/../in.txt", "e/"],
        &["s3", "mv", "s3://BUCKET/x", "s3://BUCKET/x"],
        &["s3", "mv", "s3://BUCKET/x", "s3://BUCKET/"],
        &[
            "s3",
            "mv",
            "s3://BUCKET/p/",
            "s3://BUCKET/p/",
            "--recursive",
        ],
    ];
    // stderr's lines sorted, each tool's directory left out, a failure's words after its
    // `[Errno N]` left out (aws-cli's name its temporary file), and the padding aws-cli may
    // add over a progress line.
    let lines = |r: &Run, tool: &str| {
        let here = std::fs::canonicalize(root.join(tool)).unwrap();
        let mut l: Vec<String> = r
            .stderr
            .replace(&*here.to_string_lossy(), "CWD")
            .lines()
            .map(|line| match line.find("] ") {
                Some(at) if line.contains(" failed: ") => line[..at + 1].to_string(),
                _ => line.trim_end().to_string(),
            })
            .collect();
        l.sort();
        l
    };
    let mut statuses = Vec::new();
    for args in steps {
        let [theirs, ours] = ["aws", "sb"].map(|tool| {
            let dir = root.join(tool).join("in");
            let bucket = format!("{tool}-awkward-keys");
            let out = run_in(
                Some(&dir),
                tool == "aws",
                &endpoint,
                "us-east-1",
                &bucket,
                args,
            );
            (out.status, results(&out), lines(&out, tool))
        });
        assert_eq!(ours, theirs, "{args:?}");
        statuses.push(theirs.0);
    }
    // What aws-cli does, so that the comparison covers it: warnings (2), failures (1), the
    // refused moves (255).
    let expected = [2, 2, 1, 1, 1, 0, 255, 255, 255].map(Some);
    assert_eq!(statuses, expected, "aws-cli's statuses");
    // The same files and directories, all below each tool's `in`; the object whose move was
    // refused is still there.
    let tree = |tool: &str| {
        let top = root.join(tool);
        let mut found = Vec::new();
        let mut stack = vec![top.clone()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap().flatten() {
                let path = entry.path();
                let shown = path
                    .strip_prefix(&top)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if path.is_dir() {
                    found.push(format!("{shown}/"));
                    stack.push(path);
                } else {
                    found.push(shown);
                }
            }
        }
        found.sort();
        found
    };
    assert_eq!(tree("sb"), tree("aws"));
    assert!(
        tree("aws").contains(&"in/e/b.txt".to_string()),
        "{:?}",
        tree("aws")
    );
    assert!(!tree("aws").iter().any(|f| f.ends_with("up.txt")));
    for bucket in ["aws-awkward-keys", "sb-awkward-keys"] {
        let args = ["s3api", "head-object", "--bucket", "BUCKET", "--key", "x"];
        let head = run(false, &endpoint, "us-east-1", bucket, &args);
        assert_eq!(head.status, Some(0), "{bucket}: {head:?}");
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// Python that runs a command (`argv[2:]`) with the calls that set a file's times (`utime`,
/// `utimes`, `futimesat`, `utimensat`) refused with the errno `argv[1]`, by a seccomp filter:
/// a download whose time cannot be set, for both tools, without another user or file system.
/// The filter names the system calls by number, known here for Linux on x86-64 and AArch64
/// (the test exists only there).
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
const WITHOUT_UTIME: &str = r#"
import ctypes, os, platform, struct, sys
arch, calls = {
    "x86_64": (0xC000003E, [132, 235, 261, 280]),
    "aarch64": (0xC00000B7, [88]),
}[platform.machine()]
allow, refuse = 0x7FFF0000, 0x00050000 | int(sys.argv[1])
op = lambda code, jt, jf, k: struct.pack("HBBI", code, jt, jf, k)
prog = [op(0x20, 0, 0, 4), op(0x15, 1, 0, arch), op(0x06, 0, 0, allow), op(0x20, 0, 0, 0)]
prog += [op(0x15, len(calls) - i, 0, nr) for i, nr in enumerate(calls)]
prog += [op(0x06, 0, 0, allow), op(0x06, 0, 0, refuse)]
code = ctypes.create_string_buffer(b"".join(prog))
class Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(38, 1, 0, 0, 0) == 0, "PR_SET_NO_NEW_PRIVS"
assert libc.prctl(22, 2, ctypes.byref(Prog(len(prog), ctypes.addressof(code))), 0, 0) == 0, "seccomp"
os.execv(sys.argv[2], sys.argv[2:])
"#;

/// [`run_in`] `cwd`, in us-east-1, with every call that sets a file's times failing with
/// `errno` ([`WITHOUT_UTIME`]).
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
fn run_without_utime(
    errno: i32,
    cwd: &Path,
    aws: bool,
    endpoint: &str,
    bucket: &str,
    args: &[&str],
) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.replace("BUCKET", bucket)).collect();
    let python = sansboto_tests::botocore::python();
    let mut cmd = Command::new(&python);
    test_environment(&mut cmd)
        .current_dir(cwd)
        .arg("-c")
        .arg(WITHOUT_UTIME)
        .arg(errno.to_string());
    if aws {
        cmd.env("PYTHONPATH", awscli_dir())
            .arg(&python)
            .args(["-c", AWSCLI_MAIN]);
    } else {
        cmd.arg(env!("CARGO_BIN_EXE_sansboto"));
    }
    let out = cmd
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .args(["--endpoint-url", endpoint])
        .args(&args)
        .output()
        .expect("runs");
    finished(out, bucket)
}

/// A download whose file cannot be given its object's time is done, as in aws-cli: `warning:
/// Skipping file /abs/f. Successfully Downloaded /abs/f but was unable to update the last
/// modified time. …` on stderr (aws-cli's own sentence for `EPERM`, `[Errno 13] Permission
/// denied` with no file name otherwise), the `download:` or `move:` line still printed, a
/// move's source deleted, exit 2; with `--quiet` no warning and still exit 2.
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
#[test]
fn downloads_whose_time_cannot_be_set_warn_as_aws_cli_does() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("mtime");
    std::fs::write(dir.join("local"), b"data").unwrap();
    let bucket = |aws: bool| if aws { "aws-mtime" } else { "sb-mtime" };
    make_buckets(&endpoint, &[(true, bucket(true)), (false, bucket(false))]);
    for aws in [true, false] {
        for key in ["a/k1", "a/k2"] {
            let put = run_in(
                Some(&dir),
                aws,
                &endpoint,
                "us-east-1",
                bucket(aws),
                &["s3", "cp", "local", &format!("s3://BUCKET/{key}")],
            );
            assert_eq!(put.status, Some(0), "{put:?}");
        }
    }
    let steps: [(i32, &[&str]); 3] = [
        (1, &["s3", "cp", "s3://BUCKET/a/k1", "got"]),
        (13, &["s3", "mv", "s3://BUCKET/a/k1", "moved"]),
        (13, &["s3", "sync", "s3://BUCKET/a/", "synced", "--quiet"]),
    ];
    let mut runs: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
    for (i, aws) in [true, false].into_iter().enumerate() {
        for (errno, args) in steps {
            let r = run_without_utime(errno, &dir, aws, &endpoint, bucket(aws), args);
            runs[i].push(r);
        }
        for file in ["got", "moved", "synced/k2"] {
            let data = std::fs::read(dir.join(file));
            assert_eq!(data.ok().as_deref(), Some(&b"data"[..]), "{aws} {file}");
        }
        // The move's source is gone.
        let left = run(
            aws,
            &endpoint,
            "us-east-1",
            bucket(aws),
            &["s3", "ls", "s3://BUCKET/a/"],
        );
        assert_eq!(left.status, Some(0), "{left:?}");
        assert!(
            !left.stdout.contains("k1") && left.stdout.contains("k2"),
            "{aws}: {left:?}"
        );
        for made in ["got", "moved", "synced"] {
            let _ = std::fs::remove_dir_all(dir.join(made));
            let _ = std::fs::remove_file(dir.join(made));
        }
    }
    let [theirs, ours] = runs;
    let root = std::fs::canonicalize(&dir).unwrap();
    let root = root.to_string_lossy();
    let warning = |file: &str, why: &str| {
        format!(
            "warning: Skipping file {root}/{file}. Successfully Downloaded {root}/{file} but was \
             unable to update the last modified time. {why}\n"
        )
    };
    assert_eq!(
        theirs[0].stderr,
        warning(
            "got",
            "The file was downloaded, but attempting to modify the utime of the file failed. \
             Is the file owned by another user?"
        )
    );
    assert_eq!(
        theirs[1].stderr,
        warning("moved", "[Errno 13] Permission denied")
    );
    for (step, (theirs, ours)) in theirs.iter().zip(&ours).enumerate() {
        assert_eq!(theirs.status, Some(2), "{step}: {theirs:?}");
        assert_eq!(ours.status, theirs.status, "{step}: {ours:?}");
        assert_eq!(ours.stderr, theirs.stderr, "{step}");
        assert_eq!(results(ours), results(theirs), "{step}");
    }
    assert_eq!(results(&theirs[1]), ["move: s3://BUCKET/a/k1 to ./moved"]);
    assert!(theirs[2].stdout.is_empty(), "{:?}", theirs[2]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A seeded generator of numbers below `n` (xorshift): the same cases on every run.
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// `--exclude` and `--include` choose the files and objects aws-cli chooses: a generated tree
/// (names with spaces, `é`, `日`, `[`, `]`, `*`, `?`, `!`, hidden ones, three levels deep)
/// under generated filters (its paths with characters turned into `?`, `*`, `[seq]` and
/// `[!seq]`, directories with and without `/` and `*`, a leading `./`, absolute paths, one to
/// four filters in order), each run with `--dryrun` by `cp --recursive`, `mv --recursive`,
/// `sync --delete` and `rm --recursive`, local to S3, S3 to local and S3 to S3; then cases
/// chosen for what they once did otherwise, and real transfers whose results are compared.
/// aws-cli joins each pattern to the source's root and matches the whole path, so that:
/// - a single file or object (`cp`, `mv`, `rm` without `--recursive`) is filtered too, by its
///   name below its directory (`cp f.txt s3://b/ --exclude '*.txt'` does nothing); a stream
///   from stdin or to stdout is not;
/// - an absolute pattern matches a local file's absolute path (`--exclude /home/me/d/x/*`,
///   `--exclude '/*'` leaves out every local file) and no object; as `sync` filters its
///   source and its destination each under its own root, an object whose local source only an
///   absolute pattern leaves out is deleted by `sync --delete`.
///
/// (Once filters were matched only against the path below the root, and a single source was
/// not filtered at all.) What aws-cli does that is not copied: it also joins each pattern to
/// the destination's root and matches that against the source's path, so that in one bucket
/// `cp --recursive s3://b/a s3://b/ --exclude 'a/*'` leaves out every object of `a/` (the
/// pattern meant `a/a/*`); it reads `[…]` in the root's own name as a wildcard, so that no
/// relative pattern matches anything below `s3://b/p[1]/` or a directory `d[1]`; and, by
/// argparse, it refuses a pattern beginning with one `-` (`--exclude -x`: `expected 1
/// argument`), which sansboto's command line takes as it takes any value not beginning with
/// `--`. None of these occur in the generated cases.
#[test]
fn filters_choose_what_aws_cli_chooses() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let dir = scratch("filters");
    let mut rng = Seeded(0x9e37_79b9_7f4a_7c15);
    // The tree: files and directories whose names have wildcard characters of their own.
    const ALPHABET: &[&str] = &[
        "a", "b", "c", "x", "z", "0", "1", "9", " ", ".", "-", "_", "é", "日", "[", "]", "*", "?",
        "!",
    ];
    let name = |rng: &mut Seeded| {
        let mut n: String = (0..1 + rng.below(5)).map(|_| *rng.pick(ALPHABET)).collect();
        if rng.below(7) == 0 {
            n.insert(0, '.');
        }
        if rng.below(5) < 2 {
            let extension: &&str = rng.pick(&[".txt", ".log", ".TXT", ".tmp"]);
            n.push_str(extension);
        }
        n
    };
    let tree = dir.join("tree");
    let mut dirs = vec![String::new()];
    for _ in 0..30 {
        let parent = rng.pick(&dirs).clone();
        let path = if parent.is_empty() {
            name(&mut rng)
        } else {
            format!("{parent}/{}", name(&mut rng))
        };
        if tree.join(&path).exists() {
            continue;
        }
        if rng.below(10) < 3 {
            std::fs::create_dir_all(tree.join(&path)).unwrap();
            dirs.push(path);
        } else {
            std::fs::create_dir_all(tree.join(&path).parent().unwrap()).unwrap();
            std::fs::write(tree.join(&path), &path).unwrap();
        }
    }
    // The files as they are (an empty directory holds none).
    let mut files = Vec::new();
    let mut stack = vec![tree.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            let relative = path
                .strip_prefix(&tree)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(relative);
            }
        }
    }
    files.sort();
    let dirs: Vec<String> = dirs.into_iter().filter(|d| !d.is_empty()).collect();
    // What a destination holds already, for `--delete`: some of the same names, some others.
    let other = dir.join("other");
    for (i, file) in files.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        let path = other.join(if i % 2 == 0 {
            file.clone()
        } else {
            format!("{file}.x")
        });
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "another size").unwrap();
    }
    std::fs::create_dir_all(other.join("sub")).unwrap();
    std::fs::write(other.join("sub/only.log"), "only here").unwrap();
    let local = |args: &[&str]| run_in(Some(&dir), false, &endpoint, "us-east-1", "unused", args);
    make_buckets(&endpoint, &[(false, "fsrc"), (false, "fdst")]);
    for (bucket, from, to) in [("fsrc", "tree", "src/"), ("fdst", "other", "dst/")] {
        let to = format!("s3://{bucket}/{to}");
        let put = local(&["s3", "cp", from, &to, "--recursive", "--quiet"]);
        assert_eq!(put.status, Some(0), "{put:?}");
    }
    let localdst = dir.join("localdst");
    let copied = Command::new("cp")
        .arg("-r")
        .arg(&other)
        .arg(&localdst)
        .status();
    assert!(copied.unwrap().success());
    let absolute = std::fs::canonicalize(&tree).unwrap();
    let absolute = absolute.to_string_lossy().into_owned();
    // A pattern: a path of the tree, one of its directories, a name or a usual pattern, its
    // characters perhaps turned into wildcards, perhaps made absolute or begun with `./`.
    let pattern = |rng: &mut Seeded| -> String {
        let mut p: Vec<String> = match rng.below(20) {
            0..=6 => rng.pick(&files).clone(),
            7..=10 if !dirs.is_empty() => {
                format!("{}{}", rng.pick(&dirs), rng.pick(&["/*", "/", "", "*"]))
            }
            7..=13 => rng
                .pick(&[
                    "*", "*.txt", "*.TXT", ".*", "*/.*", "?", "*/*", "[a-c]*", "[!a]*", "*[[]*",
                    "*[*]*", "* *", "*é*", "*日*", "*[]]*", "[!.]*",
                ])
                .to_string(),
            _ => rng.pick(&files).rsplit('/').next().unwrap().to_string(),
        }
        .chars()
        .map(String::from)
        .collect();
        for _ in 0..rng.below(4) {
            if p.is_empty() {
                break;
            }
            let i = rng.below(p.len());
            match rng.below(10) {
                0..=2 => p[i] = "?".into(),
                3..=5 => {
                    let end = (i + rng.below(4)).min(p.len());
                    p.splice(i..end, ["*".to_string()]);
                }
                6..=7 => {
                    let more = rng.pick(&["", "a-z", "0-9", "!"]);
                    p[i] = format!("[{}{more}]", p[i]);
                }
                _ => p[i] = format!("[!{}]", p[i]),
            }
        }
        let p = p.concat();
        match rng.below(20) {
            0 | 1 => format!("./{p}"),
            2..=4 => format!("{absolute}/{p}"),
            5 => format!("/{p}"),
            _ => p,
        }
    };
    let commands: [&[&str]; 8] = [
        &["s3", "cp", "--recursive", "tree", "s3://fdst/up/"],
        &["s3", "sync", "tree", "s3://fdst/dst/", "--delete"],
        &["s3", "cp", "--recursive", "s3://fsrc/src/", "down"],
        &["s3", "sync", "s3://fsrc/src", "localdst", "--delete"],
        &["s3", "cp", "--recursive", "s3://fsrc/src/", "s3://fdst/cp/"],
        &["s3", "sync", "s3://fsrc/src/", "s3://fdst/dst/", "--delete"],
        &["s3", "rm", "--recursive", "s3://fsrc/src/"],
        &["s3", "mv", "--recursive", "tree/", "s3://fdst/mv"],
    ];
    let mut cases: Vec<Vec<String>> = Vec::new();
    for i in 0..40 {
        let mut args: Vec<String> = commands[i % commands.len()]
            .iter()
            .map(|a| a.to_string())
            .collect();
        args.push("--dryrun".into());
        for _ in 0..1 + rng.below(4) {
            let option = if rng.below(5) < 2 {
                "--include"
            } else {
                "--exclude"
            };
            // A pattern beginning with `-` given in one word: argparse would take it for an
            // option (see above).
            args.push(format!("{option}={}", pattern(&mut rng)));
        }
        cases.push(args);
    }
    // Cases chosen: single sources, absolute patterns, streams.
    // A file below a directory, none of whose names has a `[` (see above).
    let first = files
        .iter()
        .find(|f| f.contains('/') && !f.contains('['))
        .unwrap_or(&files[0]);
    let (first_dir, first_name) = first.rsplit_once('/').unwrap_or(("", first));
    let first_root = if first_dir.is_empty() {
        absolute.clone()
    } else {
        format!("{absolute}/{first_dir}")
    };
    let object = format!("s3://fsrc/src/{first}");
    let chosen: Vec<Vec<String>> = [
        vec!["s3", "cp", "tree/FIRST", "s3://fdst/one/", "--exclude", "*"],
        vec![
            "s3",
            "cp",
            "tree/FIRST",
            "s3://fdst/one/",
            "--exclude",
            "NAME",
        ],
        vec![
            "s3",
            "cp",
            "tree/FIRST",
            "s3://fdst/one/",
            "--exclude",
            "ROOT/*",
        ],
        vec![
            "s3",
            "mv",
            "tree/FIRST",
            "s3://fdst/one/",
            "--exclude",
            "*",
            "--include",
            "NAME",
        ],
        vec!["s3", "cp", "OBJECT", "got", "--exclude", "NAME"],
        vec!["s3", "cp", "OBJECT", "s3://fdst/one/", "--exclude", "*"],
        vec!["s3", "mv", "OBJECT", "s3://fdst/one/", "--exclude", "NAME"],
        vec!["s3", "rm", "OBJECT", "--exclude", "*"],
        vec!["s3", "rm", "OBJECT", "--exclude", "NAME", "--include", "*"],
        vec!["s3", "cp", "OBJECT", "-", "--exclude", "*"],
        vec![
            "s3",
            "cp",
            "--recursive",
            "tree",
            "s3://fdst/up/",
            "--exclude",
            "/*",
        ],
        vec![
            "s3",
            "cp",
            "--recursive",
            "tree",
            "s3://fdst/up/",
            "--exclude",
            "ABS/*",
            "--include",
            "*.txt",
        ],
        vec![
            "s3",
            "sync",
            "tree",
            "s3://fdst/dst/",
            "--delete",
            "--exclude",
            "/*",
        ],
        vec![
            "s3",
            "sync",
            "tree",
            "s3://fdst/dst/",
            "--delete",
            "--exclude",
            "ABS/*.txt",
        ],
        vec![
            "s3",
            "sync",
            "s3://fsrc/src/",
            "localdst",
            "--delete",
            "--exclude",
            "/*",
        ],
        vec!["s3", "rm", "--recursive", "s3://fsrc/", "--exclude", "/*"],
    ]
    .iter()
    .map(|case| {
        let mut args: Vec<String> = case
            .iter()
            .map(|a| {
                a.replace("FIRST", first)
                    .replace("NAME", first_name)
                    .replace("OBJECT", &object)
                    .replace("ROOT", &first_root)
                    .replace("ABS", &absolute)
            })
            .collect();
        // (To stdout for real: aws-cli's `--dryrun` of a stream prints nothing.)
        if !args.iter().any(|a| a == "-") {
            args.push("--dryrun".into());
        }
        args
    })
    .collect();
    let mut shown = 0;
    let mut left_out = 0;
    for args in cases.iter().chain(&chosen) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let [theirs, ours] = [true, false]
            .map(|aws| run_in(Some(&dir), aws, &endpoint, "us-east-1", "unused", &args));
        assert_eq!(
            (ours.status, results(&ours), &ours.stderr),
            (theirs.status, results(&theirs), &theirs.stderr),
            "{args:?}"
        );
        shown += results(&theirs).len();
        left_out += usize::from(results(&theirs).is_empty());
    }
    // The cases choose: some lines, and cases where everything is left out.
    assert!(
        shown > 200 && left_out > 5,
        "{shown} lines, {left_out} empty"
    );
    // Real transfers, each tool to its own bucket and directory: what arrives and what is left.
    let keys = |bucket: &str| {
        let listed = local(&["s3api", "list-objects-v2", "--bucket", bucket]);
        let listed: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
        let keys: Vec<String> = listed["Contents"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| o["Key"].as_str().unwrap().to_string())
            .collect();
        keys
    };
    let filters = |rng: &mut Seeded| -> Vec<String> {
        (0..1 + rng.below(3))
            .map(|_| {
                let option = if rng.below(5) < 2 {
                    "--include"
                } else {
                    "--exclude"
                };
                format!("{option}={}", pattern(rng))
            })
            .collect()
    };
    let mut arrived = 0;
    for round in 0..3 {
        let (up, gone, down) = (filters(&mut rng), filters(&mut rng), filters(&mut rng));
        let mut seen = Vec::new();
        for aws in [true, false] {
            let bucket = format!("{}-real-{round}", if aws { "aws" } else { "sb" });
            let target = format!("s3://{bucket}/");
            let here = dir.join(&bucket);
            let into = here.to_string_lossy().into_owned();
            let with = |args: &[&str], filters: &[String]| -> Vec<String> {
                let filters = filters.iter().cloned();
                args.iter().map(|a| a.to_string()).chain(filters).collect()
            };
            let steps = [
                with(&["s3", "mb", &target], &[]),
                with(&["s3", "sync", "tree", &target], &up),
                with(&["s3", "rm", "--recursive", &target], &gone),
                with(&["s3", "cp", "--recursive", &target, &into], &down),
            ];
            let mut outcome = Vec::new();
            for args in &steps {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let out = run_in(Some(&dir), aws, &endpoint, "us-east-1", &bucket, &args);
                // (stderr's lines without the padding aws-cli may add over a progress line.)
                let stderr: Vec<String> = out.stderr.lines().map(|l| l.trim_end().into()).collect();
                outcome.push((out.status, results(&out), stderr, keys(&bucket)));
            }
            let mut files = Vec::new();
            let mut stack = vec![here.clone()];
            while let Some(d) = stack.pop() {
                for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        stack.push(path);
                    } else {
                        let file = path.strip_prefix(&here).unwrap();
                        files.push(file.to_string_lossy().into_owned());
                    }
                }
            }
            files.sort();
            seen.push((outcome, files));
        }
        assert_eq!(seen[1], seen[0], "{up:?} {gone:?} {down:?}");
        arrived += seen[0].1.len();
    }
    assert!(arrived > 0, "the real transfers move files");
    let _ = std::fs::remove_dir_all(&dir);
}
