//! Option abbreviations as aws-cli's parsers (Python's argparse, `allow_abbrev`) read them: a
//! word names an option when it is the option's name, or when it begins exactly one option's
//! name (`--page-siz` is `--page-size`); a word that begins several is an error listing them,
//! in the parser's order. Only the part before an `=` is matched (`--regio=eu-west-1`). This
//! module owns that one rule; [`crate::args`] applies it to aws-cli's global options,
//! [`crate::awsgrammar`] to an operation's.

/// `word` (`--name` or `--name=value`) with the full name of the option it names among `names`
/// (without `--`, in the parser's order): `Ok(None)` when it names none (an unknown option, or
/// no option word at all), `Err` (argparse's message) when it begins several names.
pub fn expand<'n>(
    word: &str,
    names: impl IntoIterator<Item = &'n str> + Clone,
) -> Result<Option<String>, String> {
    let Some(stripped) = word.strip_prefix("--") else {
        return Ok(None);
    };
    let (prefix, inline) = match stripped.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (stripped, None),
    };
    // argparse looks for the whole word, then the name before `=`, before any prefix.
    if names
        .clone()
        .into_iter()
        .any(|n| n == stripped || n == prefix)
    {
        return Ok(Some(word.to_string()));
    }
    if prefix.is_empty() {
        return Ok(None);
    }
    let matches: Vec<&str> = names
        .into_iter()
        .filter(|n| n.starts_with(prefix))
        .collect();
    match matches.as_slice() {
        [] => Ok(None),
        [only] => Ok(Some(match inline {
            Some(value) => format!("--{only}={value}"),
            None => format!("--{only}"),
        })),
        several => Err(format!(
            "ambiguous option: {word} could match {}",
            several
                .iter()
                .map(|n| format!("--{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 4] = ["bucket", "bucket-key-enabled", "body", "key"];

    #[test]
    fn exact_unique_ambiguous_and_unknown() {
        let e = |w: &str| expand(w, NAMES);
        assert_eq!(e("--bucket"), Ok(Some("--bucket".into())));
        assert_eq!(e("--ke"), Ok(Some("--key".into())));
        assert_eq!(e("--ke=k"), Ok(Some("--key=k".into())));
        assert_eq!(e("--bucket=b"), Ok(Some("--bucket=b".into())));
        assert_eq!(e("--bucket-k"), Ok(Some("--bucket-key-enabled".into())));
        assert_eq!(
            e("--b"),
            Err("ambiguous option: --b could match --bucket, --bucket-key-enabled, --body".into())
        );
        assert_eq!(
            e("--buck=x"),
            Err("ambiguous option: --buck=x could match --bucket, --bucket-key-enabled".into())
        );
        assert_eq!(e("--nope"), Ok(None));
        assert_eq!(e("--"), Ok(None));
        assert_eq!(e("--=x"), Ok(None));
        assert_eq!(e("plain"), Ok(None));
    }
}
