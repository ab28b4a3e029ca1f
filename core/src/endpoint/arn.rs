//! `aws.parseArn`: splitting an ARN string into the parts endpoint rules look at.

/// An ARN as the rules language sees it (`getAttr` names in comments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedArn {
    /// `partition`, e.g. `aws`.
    pub partition: String,
    /// `service`, e.g. `s3`.
    pub service: String,
    /// `region`; may be empty.
    pub region: String,
    /// `accountId`; may be empty.
    pub account_id: String,
    /// `resourceId`: the resource part split on both `:` and `/`.
    pub resource_id: Vec<String>,
}

/// Parses an ARN like botocore's `aws.parseArn`: `None` unless the value starts with `arn:`, has
/// six `:`-separated parts (the last one keeps any further colons) and non-empty partition,
/// service and resource. Region and account may be empty.
pub fn parse_arn(value: &str) -> Option<ParsedArn> {
    let rest = value.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account_id = parts.next()?;
    let resource = parts.next()?;
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    Some(ParsedArn {
        partition: partition.to_owned(),
        service: service.to_owned(),
        region: region.to_owned(),
        account_id: account_id.to_owned(),
        resource_id: resource.split([':', '/']).map(str::to_owned).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(arn: &ParsedArn) -> Vec<&str> {
        arn.resource_id.iter().map(String::as_str).collect()
    }

    #[test]
    fn splits_resource_on_colons_and_slashes() {
        let arn = parse_arn("arn:aws:kinesis:us-east-1:1234567890:stream/mystream:foo").unwrap();
        assert_eq!(arn.partition, "aws");
        assert_eq!(arn.service, "kinesis");
        assert_eq!(arn.region, "us-east-1");
        assert_eq!(arn.account_id, "1234567890");
        assert_eq!(ids(&arn), ["stream", "mystream", "foo"]);
    }

    #[test]
    fn empty_region_and_account_are_allowed() {
        let arn = parse_arn("arn:aws:s3:::myBucket/key").unwrap();
        assert_eq!(arn.region, "");
        assert_eq!(arn.account_id, "");
        assert_eq!(ids(&arn), ["myBucket", "key"]);
        assert_eq!(
            ids(&parse_arn("arn:aws:s3:::myBucket").unwrap()),
            ["myBucket"]
        );
    }

    #[test]
    fn keeps_empty_resource_segments() {
        let arn = parse_arn("arn:aws:s3:us-west-2:123:accesspoint//x:").unwrap();
        assert_eq!(ids(&arn), ["accesspoint", "", "x", ""]);
    }

    #[test]
    fn rejects_what_is_not_an_arn() {
        assert_eq!(parse_arn("arn:aws:this-is-not-an-arn:foo"), None);
        assert_eq!(parse_arn("aws:s3:::bucket"), None);
        assert_eq!(parse_arn("ARN:aws:s3:::bucket"), None);
        assert_eq!(parse_arn("arn::s3:::bucket"), None);
        assert_eq!(parse_arn("arn:aws::::bucket"), None);
        assert_eq!(parse_arn("arn:aws:s3:::"), None);
        assert_eq!(parse_arn(""), None);
    }
}
