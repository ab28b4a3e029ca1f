//! Commands aws-cli adds under a service (no model has them as operations), next to aws-cli
//! 1.46.3:
//!
//! - `ecr get-login-password` against moto, `ecr-public get-login-password` against a server
//!   answering as ECR Public does: the same password printed;
//! - `rds generate-db-auth-token`: the same token as aws-cli's made at the same second (aws-cli
//!   run with botocore's clock set to the token's `X-Amz-Date`), in the `--region` given and in
//!   the configured one; and the same refusals of missing options.

use std::process::{Command, Output};

use sansboto_tests::moto::MotoServer;
use sansboto_tests::script_server::{Action, ScriptServer};
use sansboto_tests::{awscli_command, awscli_dir, test_environment};

fn sansboto(args: &[&str]) -> Output {
    test_environment(&mut Command::new(env!("CARGO_BIN_EXE_sansboto")))
        .args(args)
        .output()
        .expect("sansboto runs")
}

fn stdout(out: &Output, who: &str) -> String {
    assert!(
        out.status.success(),
        "{who}: exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

#[test]
fn ecr_get_login_password_prints_the_password_as_aws_cli_does() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let args = ["--endpoint-url", &endpoint, "ecr", "get-login-password"];
    let theirs = stdout(&awscli_command().args(args).output().unwrap(), "aws-cli");
    let ours = stdout(&sansboto(&args), "sansboto");
    assert_eq!(ours, theirs);
    assert!(ours.ends_with('\n') && ours.trim().len() > 8, "{ours:?}");
    // Nothing else is taken.
    let extra = [&args[..], &["--registry-ids", "1"]].concat();
    let theirs = awscli_command().args(&extra).output().unwrap();
    let ours = sansboto(&extra);
    assert_eq!(ours.status.code(), Some(252), "{ours:?}");
    for out in [&theirs, &ours] {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("Unknown options: --registry-ids,1"),
            "{stderr}"
        );
    }
}

/// ECR Public answers one authorization, not a list (moto has no ECR Public: a server answers
/// as the service does).
#[test]
fn ecr_public_get_login_password_reads_its_one_authorization() {
    let server = ScriptServer::start(|_, _| {
        Action::json(
            200,
            r#"{"authorizationData": {"authorizationToken": "QVdTOnB1YmxpYy1wYXNz",
                "expiresAt": 1767322800.0}}"#,
        )
    });
    let url = server.url();
    let args = ["--endpoint-url", &url, "ecr-public", "get-login-password"];
    let theirs = stdout(&awscli_command().args(args).output().unwrap(), "aws-cli");
    assert_eq!(stdout(&sansboto(&args), "sansboto"), theirs);
    assert_eq!(theirs, "public-pass\n");
}

/// `lambda invoke --function-name f FILE`: the payload (a blob, not marked streaming) is the
/// output's file, written as aws-cli writes it, the rest printed alike.
#[test]
fn lambda_invoke_writes_the_payload_to_its_file_as_aws_cli_does() {
    let server = ScriptServer::start(|seen, _| {
        assert!(
            seen.path.ends_with("/functions/f/invocations"),
            "{}",
            seen.path
        );
        Action::Respond(
            200,
            vec![
                ("Content-Type".into(), "application/json".into()),
                ("X-Amz-Executed-Version".into(), "$LATEST".into()),
            ],
            r#"{"statusCode": 200, "body": "café"}"#.as_bytes().to_vec(),
        )
    });
    let dir = std::env::temp_dir().join(format!("sansboto-invoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = server.url();
    let mut printed = Vec::new();
    for (who, file) in [("aws-cli", "theirs.json"), ("sansboto", "ours.json")] {
        let path = dir.join(file);
        let path = path.to_str().unwrap();
        let args = [
            "--endpoint-url",
            &url,
            "--output",
            "json",
            "lambda",
            "invoke",
            "--function-name",
            "f",
            "--payload",
            "{}",
            path,
        ];
        let out = if who == "aws-cli" {
            awscli_command().args(args).output().unwrap()
        } else {
            sansboto(&args)
        };
        printed.push(stdout(&out, who));
    }
    assert_eq!(printed[0], printed[1]);
    assert!(
        printed[1].contains("\"ExecutedVersion\": \"$LATEST\""),
        "{}",
        printed[1]
    );
    let theirs = std::fs::read(dir.join("theirs.json")).unwrap();
    assert_eq!(std::fs::read(dir.join("ours.json")).unwrap(), theirs);
    assert_eq!(theirs, r#"{"statusCode": 200, "body": "café"}"#.as_bytes());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `s3 cp - s3://…` (from stdin) prints nothing on success, as aws-cli's printer for a stream
/// prints only errors; `--dryrun` still prints its line.
#[test]
fn an_upload_from_stdin_prints_what_aws_cli_prints() {
    use std::io::Write as _;
    use std::process::Stdio;
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    stdout(
        &sansboto(&["--endpoint-url", &endpoint, "s3", "mb", "s3://piped"]),
        "mb",
    );
    for extra in [&[][..], &["--dryrun"]] {
        let mut printed = Vec::new();
        for (who, key) in [("aws-cli", "theirs"), ("sansboto", "ours")] {
            let target = format!("s3://piped/{key}");
            let args = [
                &["--endpoint-url", &endpoint, "s3", "cp", "-", &target][..],
                extra,
            ]
            .concat();
            let mut cmd =
                sansboto_tests::cli_command(who == "aws-cli", env!("CARGO_BIN_EXE_sansboto"));
            let mut child = cmd
                .args(&args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(b"hello\n").unwrap();
            let out = child.wait_with_output().unwrap();
            printed.push(stdout(&out, who).replace(key, "KEY"));
        }
        assert_eq!(printed[0], printed[1], "{extra:?}");
        assert_eq!(
            printed[0].is_empty(),
            extra.is_empty(),
            "{extra:?}: {:?}",
            printed[0]
        );
    }
}

/// `s3 website`: the same configuration stored by both (read back with `s3api
/// get-bucket-website`), nothing printed, and a failure raised alike.
#[test]
fn s3_website_configures_the_bucket_as_aws_cli_does() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let run = |aws: bool, args: &[&str]| {
        let args = [&["--endpoint-url", &endpoint][..], args].concat();
        if aws {
            awscli_command().args(&args).output().unwrap()
        } else {
            sansboto(&args)
        }
    };
    for bucket in ["site-theirs", "site-ours"] {
        stdout(&run(false, &["s3", "mb", &format!("s3://{bucket}")]), "mb");
    }
    for extra in [
        &[
            "--index-document",
            "index.html",
            "--error-document",
            "404.html",
        ][..],
        &["--index-document", "home.html"],
        &[],
    ] {
        let mut stored = Vec::new();
        for (aws, bucket, path) in [
            (true, "site-theirs", "s3://site-theirs/"),
            (false, "site-ours", "site-ours"),
        ] {
            let out = run(aws, &[&["s3", "website", path][..], extra].concat());
            assert_eq!(stdout(&out, "website"), "", "{aws} {extra:?}");
            let got = run(
                true,
                &[
                    "s3api",
                    "get-bucket-website",
                    "--bucket",
                    bucket,
                    "--output",
                    "json",
                ],
            );
            stored.push(String::from_utf8_lossy(&got.stdout).into_owned());
        }
        assert_eq!(stored[0], stored[1], "{extra:?}");
    }
    let outs = [true, false].map(|aws| {
        run(
            aws,
            &[
                "s3",
                "website",
                "s3://no-such-site",
                "--index-document",
                "i",
            ],
        )
    });
    for out in &outs {
        assert_eq!(out.status.code(), Some(255), "{out:?}");
    }
    assert_eq!(outs[0].stderr, outs[1].stderr);
}

/// `iam create-virtual-mfa-device --outfile F --bootstrap-method M`: the datum's bytes written to
/// the file (mode 600) and left out of what is printed,
/// the same bytes and output as aws-cli's; both options required, as aws-cli requires them.
#[test]
fn a_virtual_mfa_devices_bootstrap_datum_is_saved_as_aws_cli_saves_it() {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let seed = b64(b"JBSWY3DPEHPK3PXP");
    let png = b64(&[0x89, b'P', b'N', b'G', 0, 1, 2, 0xFF]);
    let body = format!(
        "<CreateVirtualMFADeviceResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
         <CreateVirtualMFADeviceResult><VirtualMFADevice>\
         <SerialNumber>arn:aws:iam::123456789012:mfa/dev</SerialNumber>\
         <Base32StringSeed>{seed}</Base32StringSeed><QRCodePNG>{png}</QRCodePNG>\
         </VirtualMFADevice></CreateVirtualMFADeviceResult>\
         <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>\
         </CreateVirtualMFADeviceResponse>"
    );
    let server = ScriptServer::start(move |_, _| Action::xml(200, &body));
    let url = server.url();
    let dir = std::env::temp_dir().join(format!("sansboto-vmfa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = [
        "--endpoint-url",
        &url,
        "--output",
        "json",
        "iam",
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        "dev",
    ];
    for method in ["QRCodePNG", "Base32StringSeed"] {
        let mut results = Vec::new();
        for aws in [true, false] {
            let path = dir.join(format!("{method}-{aws}"));
            let path = path.to_str().unwrap();
            let args = [
                &base[..],
                &["--outfile", path, "--bootstrap-method", method],
            ]
            .concat();
            let out = sansboto_tests::cli_command(aws, env!("CARGO_BIN_EXE_sansboto"))
                .args(&args)
                .output()
                .unwrap();
            let printed = stdout(&out, if aws { "aws-cli" } else { "sansboto" });
            assert!(!printed.contains(method), "{printed}");
            results.push((printed, std::fs::read(path).unwrap()));
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let mode = std::fs::metadata(path).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{aws} {method}");
            }
        }
        assert_eq!(results[0], results[1], "{method}");
    }
    assert_eq!(
        std::fs::read(dir.join("Base32StringSeed-false")).unwrap(),
        b"JBSWY3DPEHPK3PXP"
    );
    for (extra, message) in [
        (
            &["--outfile", "f"][..],
            "the following arguments are required: --bootstrap-method",
        ),
        (
            &["--bootstrap-method", "QRCodePNG"],
            "the following arguments are required: --outfile",
        ),
    ] {
        for aws in [true, false] {
            let out = sansboto_tests::cli_command(aws, env!("CARGO_BIN_EXE_sansboto"))
                .args([&base[..], extra].concat())
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                !out.status.success() && stderr.contains(message),
                "{aws}: {stderr}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// EC2's `describe-volumes` and `describe-snapshots` ask 1,000 at a time when given nothing but
/// aws-cli's whitelisted members, as aws-cli's page size injector has them: the same request
/// bodies from both, with and without the members, page sizes and `--no-paginate`.
#[test]
fn ec2_volume_and_snapshot_listings_are_paged_as_aws_cli_pages_them() {
    let server = ScriptServer::start(|seen, _| {
        let body = String::from_utf8_lossy(&seen.body);
        let name = if body.contains("Action=DescribeVolumes") {
            "Volumes"
        } else {
            "Snapshots"
        };
        let item = if name == "Volumes" {
            "volumeSet"
        } else {
            "snapshotSet"
        };
        Action::xml(
            200,
            &format!(
                "<Describe{name}Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
                 <requestId>r</requestId><{item}/></Describe{name}Response>"
            ),
        )
    });
    let url = server.url();
    for args in [
        &["ec2", "describe-volumes"][..],
        &["ec2", "describe-volumes", "--dry-run"],
        &["ec2", "describe-volumes", "--volume-ids", "vol-1"],
        &["ec2", "describe-volumes", "--page-size", "5"],
        &["ec2", "describe-volumes", "--no-paginate"],
        &["ec2", "describe-snapshots", "--owner-ids", "self"],
        &[
            "ec2",
            "describe-snapshots",
            "--restorable-by-user-ids",
            "123456789012",
        ],
        &["ec2", "describe-snapshots", "--snapshot-ids", "snap-1"],
        &["ec2", "describe-snapshots", "--max-items", "3"],
    ] {
        let mut bodies = Vec::new();
        for aws in [true, false] {
            let before = server.seen().len();
            let _ = sansboto_tests::cli_command(aws, env!("CARGO_BIN_EXE_sansboto"))
                .args([&["--endpoint-url", &url][..], args].concat())
                .output()
                .unwrap();
            let seen = server.seen();
            bodies.push(
                seen[before..]
                    .iter()
                    .map(|s| String::from_utf8_lossy(&s.body).into_owned())
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(bodies[0], bodies[1], "{args:?}");
        assert!(!bodies[1].is_empty(), "{args:?}");
    }
    let first = server.seen();
    let asked = String::from_utf8_lossy(&first[1].body).into_owned();
    assert!(asked.contains("MaxResults=1000"), "{asked}");
}

/// With `--no-paginate`, an option of the operation's own that the pagination options shadow
/// (IAM's and Lambda's `--max-items`, their `MaxItems`) is sent as the member, as aws-cli sends
/// it; the other pagination options are refused in aws-cli's words, nothing sent. (And a
/// `--max-items 0` while paging is warned about as aws-cli warns, the pages asked for alike; a
/// paginator's token given by hand turns pagination off as `--no-paginate` does.)
#[test]
fn no_paginate_gives_shadowed_options_back_as_aws_cli_does() {
    let server = ScriptServer::start(|seen, _| {
        let body = String::from_utf8_lossy(&seen.body);
        match body.contains("Action=ListUsers") {
            true => Action::xml(
                200,
                "<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
                 <ListUsersResult><Users/><IsTruncated>false</IsTruncated></ListUsersResult>\
                 <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListUsersResponse>",
            ),
            false => Action::json(200, r#"{"Functions": []}"#),
        }
    });
    let url = server.url();
    for (args, sent) in [
        (
            &["iam", "list-users", "--no-paginate", "--max-items", "1"][..],
            true,
        ),
        (
            &[
                "lambda",
                "list-functions",
                "--no-paginate",
                "--max-items",
                "2",
            ],
            true,
        ),
        (
            &["iam", "list-users", "--no-paginate", "--page-size", "1"],
            false,
        ),
        (
            &[
                "iam",
                "list-users",
                "--no-paginate",
                "--starting-token",
                "t",
                "--max-items",
                "1",
            ],
            false,
        ),
        (
            &["iam", "list-users", "--no-paginate", "--page-siz", "1"],
            false,
        ),
        (&["iam", "list-users", "--max-items", "0"], true),
        // A paginator's token given by hand turns pagination off as `--no-paginate` does.
        (
            &["iam", "list-users", "--marker", "m", "--max-items", "1"],
            true,
        ),
        (
            &[
                "lambda",
                "list-functions",
                "--marker",
                "m",
                "--page-size",
                "1",
            ],
            false,
        ),
    ] {
        let mut runs = Vec::new();
        for aws in [true, false] {
            let before = server.seen().len();
            let out = sansboto_tests::cli_command(aws, env!("CARGO_BIN_EXE_sansboto"))
                .args([&["--endpoint-url", &url][..], args].concat())
                .output()
                .unwrap();
            let seen = server.seen();
            let requests: Vec<String> = seen[before..]
                .iter()
                .map(|s| format!("{} {}", s.path, String::from_utf8_lossy(&s.body)))
                .collect();
            runs.push((
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
                requests,
            ));
        }
        assert_eq!(runs[1], runs[0], "{args:?}");
        assert_eq!(!runs[0].2.is_empty(), sent, "{args:?}: {:?}", runs[0]);
    }
    let seen = server.seen();
    let iam = String::from_utf8_lossy(&seen[0].body).into_owned();
    assert!(iam.contains("&MaxItems=1"), "{iam}");
}

/// `eks get-token` printed through aws-cli's formatter: JSON as aws-cli indents it by default,
/// `--output` and `--query` as given, and a line break of its own after it (the token and its
/// expiry, which differ between runs, left out of the comparison).
#[test]
fn eks_get_token_is_printed_as_aws_cli_prints_it() {
    // Each word (up to a quote, line break or tab) that is the token or a time, replaced.
    let normalize = |text: &str| {
        let mut out = String::new();
        for word in text.split_inclusive(['"', '\n', '\t']) {
            let body = word.trim_end_matches(['"', '\n', '\t']);
            let end = &word[body.len()..];
            let bytes = body.as_bytes();
            if body.starts_with("k8s-aws-v1.") {
                out.push_str("TOKEN");
            } else if body.len() == 20 && bytes[4] == b'-' && bytes[10] == b'T' {
                out.push_str("TIME");
            } else {
                out.push_str(body);
            }
            out.push_str(end);
        }
        out
    };
    for extra in [
        &[][..],
        &["--output", "text", "--query", "status.expirationTimestamp"],
        &["--query", "kind"],
        &["--output", "table", "--query", "spec"],
    ] {
        let args = [&["eks", "get-token", "--cluster-name", "c"][..], extra].concat();
        let printed = [true, false].map(|aws| {
            let out = sansboto_tests::cli_command(aws, env!("CARGO_BIN_EXE_sansboto"))
                .args(&args)
                .output()
                .unwrap();
            normalize(&stdout(&out, if aws { "aws-cli" } else { "sansboto" }))
        });
        assert_eq!(printed[0], printed[1], "{extra:?}");
        if extra.is_empty() {
            assert!(printed[1].ends_with("}\n\n"), "{:?}", printed[1]);
            assert!(printed[1].contains("\n    \"kind\": \"ExecCredential\""));
        }
    }
}

/// aws-cli's `generate-db-auth-token` with botocore's clock at `at` (`YYYYMMDDTHHMMSSZ`).
fn awscli_token_at(at: &str, args: &[&str]) -> Output {
    let program = format!(
        r#"
import sys, datetime, botocore.auth, botocore.signers
from awscli.clidriver import create_clidriver
at = datetime.datetime.strptime({at:?}, '%Y%m%dT%H%M%SZ')
botocore.auth.get_current_datetime = lambda *a, **k: at
botocore.signers.get_current_datetime = lambda *a, **k: at
sys.exit(create_clidriver().main(sys.argv[1:]))
"#
    );
    test_environment(&mut Command::new(sansboto_tests::botocore::python()))
        .env("PYTHONPATH", awscli_dir())
        .arg("-c")
        .arg(program)
        .args(args)
        .output()
        .expect("python runs")
}

#[test]
fn rds_generate_db_auth_token_is_aws_clis_token() {
    for region in [&["--region", "eu-west-1"][..], &[]] {
        let args = [
            &[
                "rds",
                "generate-db-auth-token",
                "--hostname",
                "db.example.com",
            ][..],
            &["--port", "5432", "--username", "admin"],
            region,
        ]
        .concat();
        let ours = stdout(&sansboto(&args), "sansboto");
        let at = ours
            .split('&')
            .find_map(|p| p.strip_prefix("X-Amz-Date="))
            .expect("a date in the token");
        let theirs = stdout(&awscli_token_at(at, &args), "aws-cli");
        assert_eq!(ours, theirs, "{args:?}");
        assert!(ours.starts_with("db.example.com:5432/?Action=connect&DBUser=admin&"));
    }
    // A port Python's `int` or the URL's check refuses, refused alike.
    for (port, message) in [
        ("99999", "Port out of range 0-65535"),
        ("-1", "Port could not be cast to integer value as '-1'"),
        ("0x10", "invalid literal for int() with base 10: '0x10'"),
    ] {
        let args = [
            "rds",
            "generate-db-auth-token",
            "--hostname",
            "h",
            "--port",
            port,
            "--username",
            "u",
        ];
        for (who, out) in [
            ("aws-cli", awscli_command().args(args).output().unwrap()),
            ("sansboto", sansboto(&args)),
        ] {
            assert!(!out.status.success(), "{who}: {out:?}");
            assert!(
                String::from_utf8_lossy(&out.stderr).contains(message),
                "{who}: {out:?}"
            );
        }
    }
    // Each option is required, as aws-cli's parser requires it.
    let args = ["rds", "generate-db-auth-token", "--hostname", "h"];
    let theirs = awscli_command().args(args).output().unwrap();
    let ours = sansboto(&args);
    let message = "the following arguments are required: --port, --username";
    for (who, out) in [("aws-cli", &theirs), ("sansboto", &ours)] {
        assert!(!out.status.success(), "{who}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(message),
            "{who}: {out:?}"
        );
    }
}
