//! The completion scripts in the real shells: `sansboto completion bash|zsh|fish` loaded into
//! bash, zsh and fish, completion asked as each shell asks it, and the candidates read back.
//! bash: the function called with `COMP_WORDS`/`COMP_CWORD`, the candidates from `COMPREPLY`.
//! zsh: `compinit` run and the script sourced (its `compdef` must register `_sansboto`), then
//! the function called with `words`/`CURRENT` and a `compadd` that prints what it is given
//! (the builtin only works inside the line editor); and, end to end, typed lines completed by
//! zsh's own line editor in a pseudo-terminal (`zpty`). fish: the script sourced and
//! `complete -C 'LINE'`, fish's own non-interactive completion of a command line.
//! zsh and fish are optional on a machine (`scripts/test` installs them where it can): a
//! missing shell skips its test with the reason printed.

use std::process::Command;

/// `shell ARGS…` with the test's `sansboto` first on `PATH`; its stdout lines (not empty), or
/// `None` when the shell is not installed.
fn run_shell(shell: &str, args: &[&str]) -> Option<Vec<String>> {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_sansboto"));
    let out = match Command::new(shell)
        .args(args)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.parent().unwrap().display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        // fish writes its history and config under these; keep them out of the user's.
        .env("XDG_DATA_HOME", std::env::temp_dir())
        .env("XDG_CONFIG_HOME", std::env::temp_dir())
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "SKIPPED: {shell} is not installed (scripts/test installs it when run as root with apt-get)"
            );
            return None;
        }
        Err(e) => panic!("{shell} does not start: {e}"),
    };
    assert!(
        out.status.success(),
        "{shell} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
    )
}

fn quoted(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    quoted.join(" ")
}

fn bash_complete(words: &[&str]) -> Vec<String> {
    let script = format!(
        "source <(sansboto completion bash)\nCOMP_WORDS=(sansboto {})\nCOMP_CWORD={}\n_sansboto\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
        quoted(words),
        words.len()
    );
    run_shell("bash", &["-c", &script]).expect("bash is installed")
}

/// The candidates zsh's completion function offers for `words` (the last being completed);
/// the first line is the function `compdef` registered for `sansboto`.
fn zsh_complete(words: &[&str]) -> Option<Vec<String>> {
    let script = format!(
        r#"autoload -Uz compinit && compinit -u -D
source <(sansboto completion zsh)
print -r -- "registered: $_comps[sansboto]"
compadd() {{
    while (( $# )); do
        if [[ $1 == -a ]]; then shift; print -rl -- "${{(@P)1}}"; fi
        shift
    done
}}
words=(sansboto {})
CURRENT={}
_sansboto"#,
        quoted(words),
        words.len() + 1
    );
    let mut lines = run_shell("zsh", &["-f", "-c", &script])?;
    assert_eq!(lines.remove(0), "registered: _sansboto");
    Some(lines)
}

/// The candidates `complete -C LINE` gives in fish once the script is loaded.
fn fish_complete(line: &str) -> Option<Vec<String>> {
    let script = format!(
        "sansboto completion fish | source\ncomplete -C {}",
        quoted(&[line])
    );
    // A candidate with a description is `candidate<TAB>description`.
    let lines = run_shell("fish", &["--no-config", "-c", &script])?;
    Some(
        lines
            .into_iter()
            .map(|l| l.split('\t').next().unwrap_or_default().to_string())
            .collect(),
    )
}

#[test]
fn bash_completes_services_operations_and_options() {
    let c = bash_complete(&["s3a"]);
    assert!(c.contains(&"s3api".to_string()), "{c:?}");
    let c = bash_complete(&["s3api", "get-object-t"]);
    assert_eq!(c, ["get-object-tagging", "get-object-torrent"]);
    let c = bash_complete(&["s3api", "put-object", "--bucket", "b", "--ke"]);
    assert_eq!(c, ["--key"]);
    let c = bash_complete(&["dynamodb", "scan", "--output", ""]);
    assert_eq!(c, ["json", "table", "text", "yaml"]);
}

#[test]
fn zsh_completes_services_operations_and_options() {
    let Some(c) = zsh_complete(&["s3a"]) else {
        return;
    };
    assert!(c.contains(&"s3api".to_string()), "{c:?}");
    assert!(c.iter().all(|w| w.starts_with("s3a")), "{c:?}");
    let c = zsh_complete(&["s3api", "get-object-t"]).unwrap();
    assert_eq!(c, ["get-object-tagging", "get-object-torrent"]);
    let c = zsh_complete(&["s3api", "put-object", "--bucket", "b", "--ke"]).unwrap();
    assert_eq!(c, ["--key"]);
    let c = zsh_complete(&["dynamodb", "scan", "--output", ""]).unwrap();
    assert_eq!(c, ["json", "table", "text", "yaml"]);
    let c = zsh_complete(&["ec2", "describe-images", "--no-include-dep"]).unwrap();
    assert_eq!(c, ["--no-include-deprecated"]);
}

/// The real line editor: an interactive zsh in a pseudo-terminal (`zpty`) is sent each line
/// and a TAB, then `^A` and `echo RESULT: ` and RETURN, so the line as completion left it is
/// echoed back; the last `RESULT:` line of each is read.
#[test]
fn zsh_line_editor_completes_typed_lines() {
    let lines = [
        "sansboto s3a",
        "sansboto s3api put-object --bucket b --ke",
        "sansboto dynamodb scan --output ya",
        "sansboto ec2 create-network-acl-entry --ingr",
    ];
    let script = format!(
        r#"zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z 'PS1="> "; autoload -Uz compinit && compinit -u -D; source <(sansboto completion zsh)'
for line in {}; do
    zpty -w -n z "$line"$'\t'$'\x01''echo RESULT: '$'\n'
    zpty -r -m z out '*RESULT: sansboto*'$'\n'
    print -r -- "${{${{(f)out}}[-1]}}"
done
zpty -d z"#,
        quoted(&lines)
    );
    // `timeout`: a line editor that never echoes must fail the test, not hang it.
    let Some(out) = run_shell(
        "zsh",
        &[
            "-f",
            "-c",
            &format!("timeout 60 zsh -f -c {}", shell_quote(&script)),
        ],
    ) else {
        return;
    };
    let results: Vec<String> = out
        .iter()
        .map(|l| l.trim_end_matches('\r').trim_end().to_string())
        .collect();
    assert_eq!(
        results,
        [
            "RESULT: sansboto s3api",
            "RESULT: sansboto s3api put-object --bucket b --key",
            "RESULT: sansboto dynamodb scan --output yaml",
            "RESULT: sansboto ec2 create-network-acl-entry --ingress",
        ]
    );
}

/// `text` as one single-quoted shell word.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r#"'\''"#))
}

#[test]
fn fish_completes_services_operations_and_options() {
    let Some(c) = fish_complete("sansboto s3a") else {
        return;
    };
    assert!(c.contains(&"s3api".to_string()), "{c:?}");
    let c = fish_complete("sansboto s3api get-object-t").unwrap();
    assert_eq!(c, ["get-object-tagging", "get-object-torrent"]);
    let c = fish_complete("sansboto s3api put-object --bucket b --ke").unwrap();
    assert_eq!(c, ["--key"]);
    let c = fish_complete("sansboto dynamodb scan --output ").unwrap();
    assert_eq!(c, ["json", "table", "text", "yaml"]);
    let c = fish_complete("sansboto ec2 describe-images --no-include-dep").unwrap();
    assert_eq!(c, ["--no-include-deprecated"]);
}

#[test]
fn every_shell_has_a_script() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::new(env!("CARGO_BIN_EXE_sansboto"))
            .args(["completion", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("sansboto __complete --"),
            "{shell}: {script}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_sansboto"))
        .args(["completion", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(252));
}
