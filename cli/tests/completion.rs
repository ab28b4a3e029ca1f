//! The completion script in a real bash: `sansboto completion bash` sourced, the completion
//! function called as bash calls it, the candidates read from `COMPREPLY`. (zsh and fish
//! scripts ask the same `__complete` entry; this machine has neither shell to run them.)

use std::process::Command;

fn bash_complete(words: &[&str]) -> Vec<String> {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_sansboto"));
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let script = format!(
        "source <(sansboto completion bash)\nCOMP_WORDS=(sansboto {})\nCOMP_CWORD={}\n_sansboto\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
        quoted.join(" "),
        words.len()
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.parent().unwrap().display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
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
