//! `configure set` and `configure get` next to aws-cli 1.46.3: every command of a list run on
//! copies of every starting pair of files (none, empty, comments, other sections and profiles, a
//! nested block, no final line break, `\r\n` line ends, an indented header, a quoted profile
//! name) by aws-cli (all cases in one Python process) and by sansboto, each in a directory of its
//! own. Both must leave the same bytes in the config and credentials files (or both no file) and
//! exit alike; then `configure get` of a list of names on each result prints the same and exits
//! alike.

use std::path::{Path, PathBuf};
use std::process::Command;

use sansboto_tests::script_server::{Action, ScriptServer};
use sansboto_tests::test_environment;

/// Starting (config, credentials) contents; `None`: no such file.
const STARTS: &[(Option<&str>, Option<&str>)] = &[
    (None, None),
    (Some(""), Some("")),
    (
        Some("[default]\nregion = us-east-1\noutput = json\n"),
        Some("[default]\naws_access_key_id = OLD\n"),
    ),
    (
        Some(
            "# my settings\n[default]\n# region = old\nregion=us-east-1\n\n\n[profile dev]\n\
             output = text\n; a comment\n\n[profile prod]\nregion = eu-west-1\n",
        ),
        None,
    ),
    (
        Some("[default]\nregion = us-east-1\ns3 =\n    max_concurrent_requests = 10\n  other = x\n\n[profile dev]\nregion = r\n"),
        None,
    ),
    (Some("[default]\nregion = us-east-1"), Some("[dev]\naws_access_key_id = A")),
    (Some("[default]\r\nregion = us-east-1\r\n[profile dev]\r\nregion = r\r\n"), None),
    (Some("  [default]\nregion = a\n[profile \"my team\"]\nregion = b\n"), None),
    (
        Some("[preview]\ncloudsearch = true\n[profile dev]\nregion = d\ns3 =\n\u{a0}max = 1\n"),
        None,
    ),
];

/// Commands, each run alone on each start (`--profile` given where it stands).
const COMMANDS: &[&[&str]] = &[
    &["configure", "set", "region", "eu-west-1"],
    &["configure", "set", "default.region", "eu-west-2"],
    &["configure", "set", "profile.dev.output", "table"],
    &["configure", "set", "aws_access_key_id", "AKIDNEW"],
    &[
        "--profile",
        "dev",
        "configure",
        "set",
        "region",
        "ap-south-1",
    ],
    &[
        "--profile",
        "dev",
        "configure",
        "set",
        "aws_secret_access_key",
        "S/3cr+t",
    ],
    &[
        "configure",
        "set",
        "default.s3.max_concurrent_requests",
        "20",
    ],
    &["configure", "set", "default.s3.addressing_style", "path"],
    &["configure", "set", "dev.s3.use_accelerate_endpoint", "true"],
    &["configure", "set", "preview.cloudfront", "true"],
    &["configure", "set", "profile.my team.region", "us-west-1"],
    &["configure", "set", "newprofile.region", "sa-east-1"],
    &["configure", "set", "region", "a=b:c # not a comment"],
    &["configure", "set", "dev.s3.max", "2"],
    &["configure", "set", "re\ngion", "b"],
    &["configure", "set", "default.s3.x\ny", "b"],
    &["configure", "set", "region", "a\rb"],
    &["--dry-run", "configure", "set", "region", "x"],
];

/// Names `configure get` is asked for on each result.
const GETS: &[&[&str]] = &[
    &["configure", "get", "region"],
    &["configure", "get", "output"],
    &["configure", "get", "aws_access_key_id"],
    &["configure", "get", "default.region"],
    &["configure", "get", "dev.region"],
    &["configure", "get", "profile.dev.output"],
    &["configure", "get", "s3"],
    &["configure", "get", "default.s3.max_concurrent_requests"],
    &["configure", "get", "nothing_here"],
    &["--profile", "dev", "configure", "get", "region"],
    &["--profile", "default", "configure", "get", "region"],
    &["configure", "get", "preview.cloudsearch"],
    &["configure", "get", "profile.dev"],
];

fn write_start(dir: &Path, start: &(Option<&str>, Option<&str>)) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    if let Some(config) = start.0 {
        std::fs::write(dir.join("config"), config).unwrap();
    }
    if let Some(credentials) = start.1 {
        std::fs::write(dir.join("credentials"), credentials).unwrap();
    }
}

fn files(dir: &Path) -> (Option<String>, Option<String>) {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    (read("config"), read("credentials"))
}

/// Each case's directory, under `root`, for aws-cli (`aws`) or sansboto.
fn case_dir(root: &Path, who: &str, start: usize, command: usize) -> PathBuf {
    root.join(format!("{who}-{start}-{command}"))
}

/// Runs `cases` with aws-cli in one Python process (each `{args}`, with `dir`: its config and
/// credentials files there; `env`: variables set for it over `env`, the process's; `unset`: the
/// test keys and region taken away; `input`: what it reads), each as aws-cli's `main` runs:
/// their exit codes (`None` is 0, as `sys.exit` reads it; an exception 255) and what each
/// printed to stdout and stderr.
fn awscli_cases(cases: Vec<serde_json::Value>, env: &[(&str, &str)]) -> Vec<(i64, String, String)> {
    let out = sansboto_tests::awscli_python_json(
        r#"
import io, json, os, sys, contextlib
from awscli.clidriver import create_clidriver
base = dict(os.environ)
results = []
for case in json.load(sys.stdin):
    os.environ.clear()
    os.environ.update(base)
    if case.get('unset'):
        for name in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION'):
            os.environ.pop(name)
    os.environ.update(case.get('env', {}))
    if 'dir' in case:
        os.environ['AWS_CONFIG_FILE'] = os.path.join(case['dir'], 'config')
        os.environ['AWS_SHARED_CREDENTIALS_FILE'] = os.path.join(case['dir'], 'credentials')
    sys.stdin = io.StringIO(case.get('input', ''))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = create_clidriver().main(case['args'])
        except SystemExit as e:
            rc = e.code
        except Exception as e:
            # A file aws-cli cannot read fails before the command runs.
            rc = 255
    results.append([0 if rc is None else rc, out.getvalue(), err.getvalue()])
print(json.dumps(results))
"#,
        &[],
        env,
        &serde_json::Value::Array(cases).to_string(),
    );
    out.as_array()
        .expect("a list")
        .iter()
        .map(|r| {
            let text = |i: usize| r[i].as_str().unwrap_or("").to_string();
            (r[0].as_i64().unwrap_or(-1), text(1), text(2))
        })
        .collect()
}

/// [`awscli_cases`] of `jobs` (directory, arguments).
fn awscli_all(jobs: &[(PathBuf, Vec<&str>)]) -> Vec<(i64, String, String)> {
    let cases = jobs
        .iter()
        .map(|(dir, args)| serde_json::json!({"dir": dir, "args": args}))
        .collect();
    awscli_cases(cases, &[])
}

fn sansboto(dir: &Path, args: &[&str]) -> (i64, String, String) {
    let out = test_environment(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .args(args)
        .output()
        .expect("sansboto runs");
    (
        i64::from(out.status.code().unwrap_or(-1)),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A message as both print it when raised or warned (a blank line, then the text; sansboto's
/// case directory named as aws-cli's); usage errors differ in form, so only these are compared.
fn raised(stderr: &str) -> Option<String> {
    let text = stderr.strip_prefix('\n')?.trim_end();
    Some(text.replace("/ours-", "/aws-"))
}

#[test]
fn configure_set_and_get_do_what_aws_cli_does() {
    let root = std::env::temp_dir().join(format!("sansboto-configure-{}", std::process::id()));
    let mut jobs = Vec::new();
    for (s, start) in STARTS.iter().enumerate() {
        for (c, command) in COMMANDS.iter().enumerate() {
            let dir = case_dir(&root, "aws", s, c);
            write_start(&dir, start);
            jobs.push((dir, command.to_vec()));
        }
    }
    let theirs = awscli_all(&jobs);
    // Most cases write (the indented header's start is one aws-cli cannot read at all).
    let written = theirs.iter().filter(|(rc, _, _)| *rc == 0).count();
    assert!(written >= jobs.len() * 3 / 4, "{written} of {}", jobs.len());
    let mut gets = Vec::new();
    for (s, start) in STARTS.iter().enumerate() {
        for (c, command) in COMMANDS.iter().enumerate() {
            let (their_rc, _, their_err) = &theirs[s * COMMANDS.len() + c];
            let dir = case_dir(&root, "ours", s, c);
            write_start(&dir, start);
            let (rc, _, err) = sansboto(&dir, command);
            let context = format!("start {start:?}, {command:?}");
            assert_eq!(
                rc == 0,
                *their_rc == 0,
                "{context}: exit {rc}, aws-cli's {their_rc}"
            );
            if let (Some(ours), Some(theirs)) = (raised(&err), raised(their_err)) {
                assert_eq!(ours, theirs, "{context}");
            }
            assert_eq!(
                files(&dir),
                files(&case_dir(&root, "aws", s, c)),
                "{context}: (config, credentials) left"
            );
            for get in GETS {
                gets.push((case_dir(&root, "aws", s, c), get.to_vec(), dir.clone()));
            }
        }
    }
    let jobs: Vec<(PathBuf, Vec<&str>)> = gets
        .iter()
        .map(|(dir, args, _)| (dir.clone(), args.clone()))
        .collect();
    let theirs = awscli_all(&jobs);
    let found = theirs.iter().filter(|(_, out, _)| !out.is_empty()).count();
    assert!(
        found >= jobs.len() / 5,
        "{found} of {} gets printed a value",
        jobs.len()
    );
    for ((_, args, ours), (their_rc, their_out, their_err)) in gets.iter().zip(theirs) {
        let (rc, out, err) = sansboto(ours, args);
        let context = format!("{args:?} on {:?}", files(ours));
        assert_eq!(out, their_out, "{context}");
        assert_eq!(
            rc == 0,
            their_rc == 0,
            "{context}: exit {rc}, aws-cli's {their_rc}"
        );
        if let (Some(ours), Some(theirs)) = (raised(&err), raised(&their_err)) {
            assert_eq!(ours, theirs, "{context}");
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// A shared file that cannot be read is named by its path, as botocore's
/// `Unable to parse config file: <path>` names it (the session is given the contents; the host
/// that read them says where they were).
#[test]
fn a_broken_shared_file_is_named_by_its_path() {
    let dir = std::env::temp_dir().join(format!("sansboto-broken-config-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (variable, label) in [
        ("AWS_CONFIG_FILE", "shared config file"),
        ("AWS_SHARED_CREDENTIALS_FILE", "shared credentials file"),
    ] {
        let path = dir.join(format!("{variable}.ini"));
        std::fs::write(&path, "[default]\nregion = us-east-1\nnot a setting\n").unwrap();
        let out = test_environment(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
            .env(variable, &path)
            .args(["sts", "get-caller-identity"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let named = format!("{label} {}: ", path.display());
        assert!(stderr.contains(&named), "{named} not in {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Variables set for one case.
type Environment<'a> = Vec<(&'a str, &'a str)>;

/// `configure list` next to aws-cli's on setups of each kind: nothing configured, keys and
/// region from the environment, a profile chosen by `AWS_PROFILE`, `AWS_DEFAULT_PROFILE` or
/// `--profile`, keys from the credentials file, the config file, a `credential_process`, a
/// container endpoint or IMDS (one loopback server for both), a profile that does not exist, an
/// empty region variable. Both must print the same rows and
/// exit alike. `AWS_REGION`, which sansboto reads before `AWS_DEFAULT_REGION` (botocore does not
/// read it), shows as the region's source in sansboto's rows only.
#[test]
fn configure_list_prints_what_aws_cli_prints() {
    let dir = std::env::temp_dir().join(format!("sansboto-configure-list-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("process.py");
    std::fs::write(
        &script,
        "print('{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESS0042\", \
         \"SecretAccessKey\": \"processSecret7777\"}')\n",
    )
    .unwrap();
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    std::fs::write(
        &config,
        format!(
            "[default]\nregion = eu-west-1\n[profile dev]\nregion = us-west-2\n\
             [profile cfgkeys]\naws_access_key_id = AKIACONFIGKEY0001\n\
             aws_secret_access_key = secretcfg0002\n[profile proc]\nregion = ca-central-1\n\
             credential_process = {} {}\n",
            sansboto_tests::botocore::python().display(),
            script.display()
        ),
    )
    .unwrap();
    std::fs::write(
        &credentials,
        "[default]\naws_access_key_id = AKIADEFAULTKEY1234\naws_secret_access_key = defaultsecretWXYZ\n\
         [dev]\naws_access_key_id = AKIADEVKEY5678\naws_secret_access_key = devsecretABCD\n",
    )
    .unwrap();
    let (config, credentials) = (config.to_str().unwrap(), credentials.to_str().unwrap());
    // The container endpoint and IMDS, both on one loopback server; the role's keys are the
    // same for both, the `Type` row says where they came from.
    let server = ScriptServer::start(|seen, _| {
        let keys = r#"{"Code": "Success", "AccessKeyId": "ASIAROLEKEY00077", "SecretAccessKey": "rolesecret", "Token": "roletoken", "Expiration": "2099-01-01T00:00:00Z"}"#;
        match (seen.method.as_str(), seen.path.as_str()) {
            ("GET", "/container/creds") => Action::json(200, keys),
            ("PUT", "/latest/api/token") => Action::text(200, "imds-token"),
            (_, path) if seen.header("x-aws-ec2-metadata-token") != Some("imds-token") => {
                Action::text(401, path)
            }
            ("GET", "/latest/meta-data/iam/security-credentials/") => Action::text(200, "a-role"),
            ("GET", "/latest/meta-data/iam/security-credentials/a-role") => Action::json(200, keys),
            _ => Action::text(404, "not found"),
        }
    });
    let container_uri = format!("{}/container/creds", server.url());
    let imds_endpoint = format!("{}/", server.url());
    let no_keys_file = ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    let env_keys: &[(&str, &str)] = &[
        ("AWS_ACCESS_KEY_ID", "AKIAENVKEY9999"),
        ("AWS_SECRET_ACCESS_KEY", "envsecretQRST"),
        ("AWS_DEFAULT_REGION", "ap-south-1"),
    ];
    // (environment, arguments after `configure list`)
    let cases: Vec<(Environment<'_>, Vec<&str>)> = vec![
        (vec![], vec![]),
        (vec![("AWS_PROFILE", "dev")], vec![]),
        (
            vec![("AWS_DEFAULT_PROFILE", "dev"), ("AWS_PROFILE", "cfgkeys")],
            vec![],
        ),
        (env_keys.to_vec(), vec![]),
        (vec![("AWS_PROFILE", "cfgkeys")], vec![]),
        (vec![("AWS_PROFILE", "proc")], vec![]),
        (vec![("AWS_PROFILE", "nope")], vec![]),
        (vec![], vec!["--profile", "dev"]),
        (vec![("AWS_PROFILE", "cfgkeys")], vec!["--profile", "nope"]),
        (vec![("AWS_DEFAULT_REGION", "")], vec![]),
        (
            vec![
                ("AWS_CONFIG_FILE", "/dev/null"),
                ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
            ],
            vec![],
        ),
        (vec![("AWS_REGION", "us-east-2")], vec![]),
        // An empty `--profile` chooses none (the environment's, if any).
        (vec![], vec!["--profile", ""]),
        (vec![("AWS_PROFILE", "dev")], vec!["--profile", ""]),
        // Connection settings that cannot be used do not hide keys found without a request.
        (vec![("AWS_CA_BUNDLE", "/nonexistent/ca.pem")], vec![]),
        // Keys only a request finds: the container endpoint's, then IMDS's.
        (
            vec![
                no_keys_file,
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &container_uri),
            ],
            vec![],
        ),
        (
            vec![
                no_keys_file,
                ("AWS_EC2_METADATA_DISABLED", "false"),
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds_endpoint),
            ],
            vec![],
        ),
    ];
    let jobs: Vec<serde_json::Value> = cases
        .iter()
        .map(|(env, args)| {
            let env: serde_json::Map<String, serde_json::Value> = env
                .iter()
                .map(|(k, v)| (k.to_string(), (*v).into()))
                .collect();
            let mut argv = vec!["configure", "list"];
            argv.extend(args);
            serde_json::json!({"env": env, "args": argv, "unset": true})
        })
        .collect();
    let theirs = awscli_cases(
        jobs,
        &[
            ("AWS_CONFIG_FILE", config),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials),
            ("HOME", dir.to_str().unwrap()),
        ],
    );
    let mut kinds = std::collections::BTreeSet::new();
    for ((env, args), (their_rc, their_out, their_err)) in cases.iter().zip(&theirs) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sansboto"));
        test_environment(&mut command)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_DEFAULT_REGION")
            .env("AWS_CONFIG_FILE", config)
            .env("AWS_SHARED_CREDENTIALS_FILE", credentials)
            .env("HOME", &dir)
            .envs(env.iter().copied())
            .args(["configure", "list"])
            .args(args);
        let out = command.output().expect("sansboto runs");
        let (rc, stdout, stderr) = (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        let context = format!("{env:?} {args:?}");
        let (their_rc, their_out, their_err) = (*their_rc, their_out.as_str(), their_err.as_str());
        assert_eq!(
            rc == 0,
            their_rc == 0,
            "{context}: exit {rc}, aws-cli's {their_rc}"
        );
        assert_eq!(raised(&stderr), raised(their_err), "{context}");
        if env.iter().any(|(k, _)| *k == "AWS_REGION") {
            // The deliberate difference: every row but the region's is aws-cli's.
            let (ours, aws): (Vec<&str>, Vec<&str>) =
                (stdout.lines().collect(), their_out.lines().collect());
            assert_eq!(ours[..5], aws[..5], "{context}");
            assert_eq!(
                ours[5],
                format!(
                    "{:>10} {:>24} {:>16}    {}",
                    "region", "us-east-2", "env", "AWS_REGION"
                )
            );
            assert_ne!(ours[5], aws[5], "{context}");
            continue;
        }
        assert_eq!(stdout, their_out, "{context}");
        if let Some(row) = stdout.lines().find(|l| l.starts_with("access_key")) {
            let kind = match row.contains("<not set>") {
                true => "None",
                false => row.split_whitespace().nth(2).unwrap_or_default(),
            };
            kinds.insert(kind.to_string());
        }
    }
    // The keys' sources the cases must have shown.
    for kind in [
        "env",
        "shared-credentials-file",
        "config-file",
        "custom-process",
        "container-role",
        "iam-role",
        "None",
    ] {
        assert!(kinds.contains(kind), "{kind} not among {kinds:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A case of `configure` alone: the variables set, the arguments after `configure` and what
/// is typed.
type AskCase<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);

/// `configure` alone next to aws-cli's prompts: answers typed (or left empty) on each starting
/// pair of files, with the profile from nowhere, `AWS_PROFILE` or `--profile`, and input that
/// ends early or holds a carriage return. Both must print the same prompts (current values,
/// the keys masked), fail alike and leave the same files.
#[test]
fn configure_asks_and_writes_what_aws_cli_does() {
    let root = std::env::temp_dir().join(format!("sansboto-configure-ask-{}", std::process::id()));
    let starts: &[(Option<&str>, Option<&str>)] = &[
        (None, None),
        (
            Some("[default]\nregion = us-east-1\noutput = text\n[profile dev]\nregion = r\n"),
            Some(
                "[default]\naws_access_key_id = AKIAOLD12345\naws_secret_access_key = oldsecret\n",
            ),
        ),
        (
            Some("[default]\nregion = eu-west-1\noutput =\n  nested = 1\n  other = 'x'\n"),
            None,
        ),
    ];
    let cases: &[AskCase<'_>] = &[
        (&[], &[], "AKIDNEW\nSECRETNEW\nus-west-2\njson\n"),
        (&[], &[], "\n\n\n\n"),
        (&[], &[], "AK\n\n\n\n"),
        (&[], &[], "AKIAOLD12345\nnewsecret\nus-east-1\njson\n"),
        (&[], &[], "AK\n"),
        (&[], &[], "AK\r\n\n\n\n"),
        (&[("AWS_PROFILE", "dev")], &[], "AKP\n\neu-west-1\n\n"),
        (&[("AWS_PROFILE", "default")], &[], "AKP\n\n\n\n"),
        (&[], &["--profile", "newp"], "\nSP\n\ntable\n"),
        (&[], &["--profile", ""], "AKE\n\n\n\n"),
        // No such subcommand: refused, nothing asked.
        (&[], &[""], "AKX\n\n\n\n"),
    ];
    let mut jobs = Vec::new();
    for (s, start) in starts.iter().enumerate() {
        for (c, (env, args, input)) in cases.iter().enumerate() {
            let dir = case_dir(&root, "aws", s, c);
            write_start(&dir, start);
            let env: serde_json::Map<String, serde_json::Value> = env
                .iter()
                .map(|(k, v)| (k.to_string(), (*v).into()))
                .collect();
            let mut argv = vec!["configure"];
            argv.extend(*args);
            jobs.push(serde_json::json!({"dir": dir, "env": env, "args": argv, "input": input}));
        }
    }
    let theirs = awscli_cases(jobs, &[]);
    let mut written = 0;
    for (s, start) in starts.iter().enumerate() {
        for (c, (env, args, input)) in cases.iter().enumerate() {
            let their = &theirs[s * cases.len() + c];
            let dir = case_dir(&root, "ours", s, c);
            write_start(&dir, start);
            let mut child = test_environment(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
                .env("AWS_CONFIG_FILE", dir.join("config"))
                .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
                .envs(env.iter().copied())
                .arg("configure")
                .args(*args)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("sansboto runs");
            // A command refused before it reads closes its input early.
            let _ = std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes());
            let out = child.wait_with_output().unwrap();
            let context = format!("start {start:?}, {env:?} {args:?} typing {input:?}");
            let (rc, their_rc) = (out.status.code().unwrap_or(-1), their.0);
            assert_eq!(
                rc == 0,
                their_rc == 0,
                "{context}: exit {rc}, aws-cli's {their_rc}"
            );
            assert_eq!(String::from_utf8_lossy(&out.stdout), their.1, "{context}");
            assert_eq!(
                raised(&String::from_utf8_lossy(&out.stderr)),
                raised(&their.2),
                "{context}"
            );
            let theirs = files(&case_dir(&root, "aws", s, c));
            written +=
                usize::from(theirs != (start.0.map(String::from), start.1.map(String::from)));
            assert_eq!(files(&dir), theirs, "{context}: (config, credentials) left");
        }
    }
    // Most cases change a file.
    assert!(written >= cases.len(), "{written} cases wrote");
    let _ = std::fs::remove_dir_all(&root);
}
