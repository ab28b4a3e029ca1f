//! aws-cli's options added to commands of services other than EC2 (EC2's are
//! `crate::ec2args`), read after the members' options as aws-cli appends them to the argument
//! table, and what they do to the parameters:
//!
//! - Lambda's `create-function` and `publish-layer-version` `--zip-file` (`crate::lambdaargs`);
//! - CloudFront's `create-invalidation --paths P …` (its `cloudfront.py`): the whole
//!   `InvalidationBatch`, its `CallerReference` made as aws-cli makes one
//!   (`cli-<seconds since the epoch>-<1 to 1,000,000 at random>`); refused beside
//!   `--invalidation-batch`, with aws-cli's message.

use serde_json::{json, Map, Value as J};

use crate::output::Failure;

/// An added option.
#[derive(Debug)]
pub(crate) struct Added {
    /// Its name, without `--`.
    pub name: &'static str,
    /// Whether it takes one word or more (argparse's `nargs='+'`).
    pub many: bool,
    /// A line for `help`.
    pub help: &'static str,
}

const ZIP_FILE: &[Added] = &[Added {
    name: "zip-file",
    many: false,
    help: "the zip archive (fileb://PATH) of the code, as its ZipFile",
}];

const PATHS: &[Added] = &[Added {
    name: "paths",
    many: true,
    help: "the paths to invalidate, space-separated (the whole --invalidation-batch)",
}];

/// The options aws-cli adds to `operation` of `service` (the models' names).
pub(crate) fn options(service: &str, operation: &str) -> &'static [Added] {
    match (service, operation) {
        _ if crate::lambdaargs::zip_target(service, operation).is_some() => ZIP_FILE,
        ("cloudfront", "CreateInvalidation") => PATHS,
        _ => &[],
    }
}

/// What the added options given (`given`: each once, with its words) and aws-cli's handlers do
/// to the parameters its grammar built (`params`, in order).
pub(crate) fn apply(
    service: &str,
    operation: &str,
    given: Vec<(&'static str, Vec<String>)>,
    params: &mut Map<String, J>,
) -> Result<(), Failure> {
    let mut given = given.into_iter();
    if crate::lambdaargs::applies(service, operation) {
        let zip_file = match given.find(|(name, _)| *name == "zip-file") {
            Some((name, words)) => {
                let word = words.into_iter().next().unwrap_or_default();
                Some(crate::awsgrammar::load(word, name)?)
            }
            None => None,
        };
        return crate::lambdaargs::apply(service, operation, zip_file, params);
    }
    if let Some((_, paths)) = given.find(|(name, _)| *name == "paths") {
        if params.contains_key("InvalidationBatch") {
            return Err(Failure::Raised(
                "The key \"paths\" cannot be specified when one of the following keys are also \
                 specified: invalidation_batch"
                    .into(),
            ));
        }
        params.insert(
            "InvalidationBatch".into(),
            json!({
                "CallerReference": unique_string(),
                "Paths": {"Quantity": paths.len(), "Items": paths},
            }),
        );
    }
    Ok(())
}

/// aws-cli's `unique_string()`: `cli-`, the time in whole seconds, and a random number from 1
/// to 1,000,000.
fn unique_string() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("cli-{seconds}-{}", sansboto_host::os_seed() % 1_000_000 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_make_the_invalidation_batch() {
        let mut params: Map<String, J> =
            serde_json::from_str(r#"{"DistributionId": "D"}"#).unwrap();
        let paths = vec!["/index.html".to_string(), "/img/*".to_string()];
        apply(
            "cloudfront",
            "CreateInvalidation",
            vec![("paths", paths)],
            &mut params,
        )
        .unwrap();
        let batch = &params["InvalidationBatch"];
        assert_eq!(
            batch["Paths"],
            json!({"Quantity": 2, "Items": ["/index.html", "/img/*"]})
        );
        let reference = batch["CallerReference"].as_str().unwrap();
        let parts: Vec<&str> = reference.split('-').collect();
        assert_eq!(parts[0], "cli");
        assert!(parts[1].parse::<u64>().unwrap() > 1_700_000_000);
        assert!((1..=1_000_000).contains(&parts[2].parse::<u64>().unwrap()));
        // Beside --invalidation-batch: refused.
        let err = apply(
            "cloudfront",
            "CreateInvalidation",
            vec![("paths", vec!["/".into()])],
            &mut params,
        );
        assert!(err.is_err());
        assert!(options("cloudfront", "CreateInvalidation")
            .iter()
            .any(|o| o.name == "paths"));
        assert!(options("cloudfront", "CreateDistribution").is_empty());
    }
}
