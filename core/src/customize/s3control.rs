//! S3 Control: the account id of an Outposts ARN and the host prefix ruleset endpoints make
//! redundant.
//!
//! * An Outposts access-point ARN in `Name` or an Outposts bucket ARN in `Bucket` carries the
//!   account: it fills in `AccountId` (and must agree with one given), as botocore's
//!   `S3ControlArnParamHandlerv2` does before the endpoint is resolved; any other ARN there is
//!   refused with botocore's wording. The ruleset then picks the `s3-outposts` endpoint, its
//!   signing name and the `x-amz-outpost-id` header from the ARN itself.
//! * With ruleset endpoints the account id is already in the host, so the model's
//!   `{AccountId}.` host prefix must not be added again (botocore's
//!   `remove_accid_host_prefix_from_model`).

use std::sync::Arc;

use crate::hooks::{Event, Hooks};
use crate::model::{Operation, ServiceModel};
use crate::value::{Map, Value};

use super::{params_mut, CustomizeConfig, CustomizeError};

/// Register S3 Control's parameter customization.
pub(crate) fn register(hooks: &mut Hooks, _model: &Arc<ServiceModel>, config: &CustomizeConfig) {
    let accelerate = config.s3_use_accelerate;
    hooks.register(
        Event::BeforeParameterBuild,
        "s3control.account-id-from-arn",
        "s3control",
        move |call, t| {
            if let Some(p) = params_mut(t) {
                account_id_from_arn(call.operation, p, accelerate)?;
            }
            Ok(())
        },
    );
}

/// The parts of an ARN botocore's `ArnParser` gives: any text with at least six `:`-separated
/// fields (the last keeps further colons); no field is checked.
struct Arn<'a> {
    original: &'a str,
    region: &'a str,
    service: &'a str,
    account: &'a str,
    /// The resource split on `/` and `:`.
    resources: Vec<&'a str>,
}

fn parse_arn(value: &str) -> Option<Arn<'_>> {
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let [_, _, service, region, account, resource] = parts[..] else {
        return None;
    };
    Some(Arn {
        original: value,
        region,
        service,
        account,
        resources: resource.split(['/', ':']).collect(),
    })
}

impl Arn<'_> {
    /// `outpost/<id>/<kind>/<name>` under `s3-outposts`.
    fn is_outpost(&self, kind: &str) -> bool {
        self.service == "s3-outposts"
            && self.resources.len() == 4
            && self.resources[0] == "outpost"
            && self.resources[2] == kind
    }

    fn unsupported(&self, message: impl Into<String>) -> CustomizeError {
        CustomizeError::UnsupportedS3ControlArn {
            arn: self.original.to_string(),
            message: message.into(),
        }
    }
}

/// botocore's `S3ControlArnParamHandlerv2.handle_arn`: `Name` (except for CreateAccessPoint,
/// whose `Name` is a new name) and `Bucket` given as Outposts ARNs set `AccountId`.
/// CreateBucket and ListRegionalBuckets take an `OutpostId` instead and are left alone.
pub(crate) fn account_id_from_arn(
    operation: &str,
    params: &mut Map,
    use_accelerate: bool,
) -> Result<(), CustomizeError> {
    if matches!(operation, "CreateBucket" | "ListRegionalBuckets") {
        return Ok(());
    }
    if operation != "CreateAccessPoint" {
        apply_arn(params, "Name", "accesspoint", use_accelerate)?;
    }
    apply_arn(params, "Bucket", "bucket", use_accelerate)
}

fn apply_arn(
    params: &mut Map,
    member: &str,
    outpost_kind: &str,
    use_accelerate: bool,
) -> Result<(), CustomizeError> {
    let Some(value) = params.get(member).and_then(Value::as_str) else {
        return Ok(());
    };
    let Some(arn) = parse_arn(value) else {
        return Ok(());
    };
    // botocore's check, spelled as botocore spells it (a `fips-` prefix or suffix).
    if arn.region.starts_with("fips-") || arn.region.ends_with("fips-") {
        return Err(arn.unsupported("Invalid ARN, FIPS region not allowed in ARN."));
    }
    if use_accelerate {
        return Err(CustomizeError::UnsupportedS3ControlConfiguration(
            "S3 control client does not support accelerate endpoints".into(),
        ));
    }
    if !arn.is_outpost(outpost_kind) {
        return Err(arn.unsupported(format!(
            "The {member} parameter does not support the provided ARN"
        )));
    }
    let account = arn.account.to_string();
    match params.get("AccountId") {
        Some(given) if given.as_str() != Some(account.as_str()) => {
            let given = match given.as_str() {
                Some(s) => s.to_string(),
                None => format!("{given:?}"),
            };
            Err(arn.unsupported(format!(
                "Account ID in arn does not match the AccountId parameter provided: \"{given}\""
            )))
        }
        _ => {
            params.insert("AccountId".into(), Value::from(account));
            Ok(())
        }
    }
}

/// True when the operation's `{AccountId}.` host prefix is to be dropped: the prefix is exactly
/// that and the operation sets the `RequiresAccountId` static context parameter to `true`.
pub(crate) fn skip_host_prefix(operation: &Operation) -> bool {
    operation.host_prefix.as_deref() == Some("{AccountId}.")
        && operation.static_context_params.iter().any(|(name, value)| {
            name == "RequiresAccountId" && value == &serde_json::Value::Bool(true)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::test_support::model;
    use crate::params;

    const OUTPOST_AP: &str =
        "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/ap";

    fn run(operation: &str, params: Value) -> Result<Map, CustomizeError> {
        let Value::Map(mut p) = params else {
            unreachable!("params! builds a map")
        };
        account_id_from_arn(operation, &mut p, false)?;
        Ok(p)
    }

    #[test]
    fn account_prefix_is_skipped_where_botocore_drops_it() {
        let m = model("s3control");
        assert!(skip_host_prefix(
            m.operation("GetPublicAccessBlock").unwrap()
        ));
        let dropped = m.operations().filter(|op| skip_host_prefix(op)).count();
        let prefixed = m.operations().filter(|op| op.host_prefix.is_some()).count();
        assert!(
            dropped > 50 && dropped <= prefixed,
            "{dropped} of {prefixed}"
        );
    }

    #[test]
    fn outpost_arns_fill_the_account_id_and_keep_the_arn() {
        let p = run("GetAccessPoint", params! {"Name": OUTPOST_AP}).unwrap();
        assert_eq!(p["AccountId"].as_str(), Some("123456789012"));
        assert_eq!(p["Name"].as_str(), Some(OUTPOST_AP));
        let bucket = "arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-1:bucket:b";
        let p = run(
            "GetBucket",
            params! {"Bucket": bucket, "AccountId": "123456789012"},
        )
        .unwrap();
        assert_eq!(p["AccountId"].as_str(), Some("123456789012"));
        // Plain names and CreateAccessPoint's new name are not ARNs to expand.
        let p = run("GetAccessPoint", params! {"Name": "ap"}).unwrap();
        assert!(p.get("AccountId").is_none());
        let p = run("CreateAccessPoint", params! {"Name": OUTPOST_AP}).unwrap();
        assert!(p.get("AccountId").is_none());
    }

    #[test]
    fn arns_botocore_refuses_are_refused_with_its_words() {
        let err = run(
            "GetAccessPoint",
            params! {"Name": OUTPOST_AP, "AccountId": "111111111111"},
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("S3 ARN \"{OUTPOST_AP}\" provided is invalid for this operation. Account ID in arn does not match the AccountId parameter provided: \"111111111111\"")
        );
        let err = run(
            "GetAccessPoint",
            params! {"Name": "arn:aws:s3:us-west-2:123456789012:accesspoint/ap"},
        )
        .unwrap_err();
        assert!(
            matches!(&err, CustomizeError::UnsupportedS3ControlArn { message, .. }
                if message == "The Name parameter does not support the provided ARN"),
            "{err}"
        );
        let err = run(
            "GetBucket",
            params! {"Bucket": "arn:aws:s3-outposts:fips-us-west-2:1:outpost/op/bucket/b"},
        )
        .unwrap_err();
        assert!(err.to_string().ends_with("FIPS region not allowed in ARN."));
        let arn = params! {"Name": OUTPOST_AP};
        let Value::Map(mut p) = arn else {
            unreachable!("params! builds a map")
        };
        let err = account_id_from_arn("GetAccessPoint", &mut p, true).unwrap_err();
        assert!(matches!(
            err,
            CustomizeError::UnsupportedS3ControlConfiguration(_)
        ));
    }
}
