//! Lambda recursion detection (botocore's `add_recursion_detection_header`), next to aws-cli
//! 1.46.3: with `AWS_LAMBDA_FUNCTION_NAME` set, each request carries the invocation's
//! `_X_AMZN_TRACE_ID` as `X-Amzn-Trace-Id`, percent-encoded as botocore encodes it; without the
//! function name, or without a trace id (or with an empty one), none. Each run of each command against a loopback
//! server of its own that records the header.

use sansboto_tests::script_server::{Action, ScriptServer};

/// The `X-Amzn-Trace-Id` of each request one run sent, with `env` set.
fn trace_ids(aws: bool, env: &[(&str, &str)]) -> Vec<Option<String>> {
    let server = ScriptServer::start(|_, _| Action::json(200, r#"{"TableNames":[]}"#));
    let mut cmd = sansboto_tests::cli_command(aws, env!("CARGO_BIN_EXE_sansboto"));
    let out = cmd
        .env("AWS_ENDPOINT_URL", server.url())
        .env_remove("AWS_LAMBDA_FUNCTION_NAME")
        .env_remove("_X_AMZN_TRACE_ID")
        .envs(env.iter().copied())
        .args(["dynamodb", "list-tables"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = server.seen();
    assert!(!seen.is_empty());
    seen.iter()
        .map(|s| s.header("x-amzn-trace-id").map(str::to_owned))
        .collect()
}

#[test]
fn the_invocations_trace_id_is_sent_as_aws_cli_sends_it() {
    let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    let cases: [&[(&str, &str)]; 5] = [
        &[
            ("AWS_LAMBDA_FUNCTION_NAME", "f"),
            ("_X_AMZN_TRACE_ID", trace),
        ],
        // Characters botocore percent-encodes (a space, a non-ASCII letter) and some it keeps.
        &[
            ("AWS_LAMBDA_FUNCTION_NAME", "f"),
            ("_X_AMZN_TRACE_ID", "Root=1 x;é=[]{}\"',+&:"),
        ],
        &[("_X_AMZN_TRACE_ID", trace)],
        // Empty: none sent (botocore's `if has_lambda_name and trace_id`).
        &[("AWS_LAMBDA_FUNCTION_NAME", "f"), ("_X_AMZN_TRACE_ID", "")],
        &[("AWS_LAMBDA_FUNCTION_NAME", "f")],
    ];
    for env in cases {
        let theirs = trace_ids(true, env);
        let ours = trace_ids(false, env);
        assert_eq!(ours, theirs, "{env:?}");
        let sent = env.len() == 2 && env.iter().all(|(_, v)| !v.is_empty());
        assert_eq!(ours.iter().all(Option::is_some), sent, "{env:?}: {ours:?}");
    }
}
