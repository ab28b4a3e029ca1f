//! `help SERVICE OPERATION` shows the models' descriptions (feature `docs`, on by default):
//! each one is botocore's documentation of that operation or member, as text, wrapped for a
//! terminal — compared with the documentation botocore itself holds.

use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sansboto"))
        .arg("help")
        .args(args)
        .output()
        .expect("sansboto runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// HTML to its words, as a terminal shows them.
fn words(html: &str) -> String {
    // Block tags part words; inline ones (<a>, <code>, <b>) do not.
    const BLOCKS: &[&str] = &["p", "li", "ul", "ol", "br", "note", "important", "div"];
    let mut text = String::new();
    let mut tag: Option<String> = None;
    for c in html.chars() {
        match (c, tag.as_mut()) {
            ('<', None) => tag = Some(String::new()),
            ('>', Some(name)) => {
                let name = name.trim_start_matches('/');
                let name = name.split_whitespace().next().unwrap_or("");
                if BLOCKS.contains(&name.trim_end_matches('/')) {
                    text.push(' ');
                }
                tag = None;
            }
            (c, Some(name)) => name.push(c),
            (c, None) => text.push(c),
        }
    }
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of the help, list bullets (`- ` starting a line) left out.
fn squashed(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_start())
        .map(|l| l.strip_prefix("- ").unwrap_or(l))
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn descriptions_are_botocores() {
    let docs = sansboto_tests::botocore::run(
        "m = session.get_service_model('s3')\n\
         op = m.operation_model('PutObjectTagging')\n\
         emit({'op': op.documentation, 'bucket': op.input_shape.members['Bucket'].documentation,\n\
               'tagging': op.input_shape.members['Tagging'].documentation,\n\
               'sqs': session.get_service_model('sqs').documentation})",
        &[],
    );
    let text = help(&["s3api", "put-object-tagging"]);
    assert!(
        text.contains("Bucket (string) [required]  --bucket"),
        "{text}"
    );
    let shown = squashed(&text);
    for key in ["op", "bucket", "tagging"] {
        let want = words(docs[key].as_str().unwrap());
        // The first sentence, at least forty characters of it.
        let sentence: String = want.chars().take(60).collect();
        assert!(
            shown.contains(sentence.trim()),
            "{key}: {sentence:?} not in the help:\n{text}"
        );
    }
    let service = squashed(&help(&["sqs"]));
    let want: String = words(docs["sqs"].as_str().unwrap())
        .chars()
        .take(60)
        .collect();
    assert!(service.contains(want.trim()), "{want:?}");
    // Descriptions are wrapped to fit a terminal (enum lists are printed whole).
    assert!(
        text.lines()
            .filter(|l| !l.trim_start().starts_with("one of:"))
            .all(|l| l.chars().count() <= 80),
        "{text}"
    );
}
