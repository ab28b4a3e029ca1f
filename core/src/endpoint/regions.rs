//! What botocore's session lists from its endpoint table (`endpoints.json`): the partitions
//! (`get_available_partitions`), the partition a region belongs to (`get_partition_for_region`)
//! and the endpoints a service has in a partition (`get_available_regions`), in the table's
//! order, as programs iterate over them ("every region EC2 is in").
//!
//! Only the names are kept of the table: each partition's name, its regions and region pattern,
//! and each service's endpoint names (the rest, hostnames and variants, is skipped as it is
//! read). A service is found by its endpoint prefix, as in botocore.

use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use super::region_regex::RegionRegex;

/// The names of `endpoints.json`, as its lists need them.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EndpointTable {
    partitions: Vec<TablePartition>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TablePartition {
    partition: String,
    #[serde(default)]
    regions: Keys,
    region_regex: Option<String>,
    #[serde(default)]
    services: HashMap<String, TableService>,
}

#[derive(Debug, Default, Deserialize)]
struct TableService {
    #[serde(default)]
    endpoints: Keys,
}

/// A JSON object's keys in the order written (its values are skipped).
#[derive(Debug, Default)]
struct Keys(Vec<String>);

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeysVisitor;
        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = Keys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<IgnoredAny>()?;
                    keys.push(key);
                }
                Ok(Keys(keys))
            }
        }
        deserializer.deserialize_map(KeysVisitor)
    }
}

impl EndpointTable {
    /// The table from `endpoints.json`'s bytes.
    pub(crate) fn from_json(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("the endpoint table: {e}"))
    }
}

/// The lists, as the session keeps them: behind a trait object, so that a program that never
/// asks for one links neither the table's reader nor the code that frees it (issue #18: binary
/// size).
pub(crate) trait RegionLists: Send + Sync {
    /// Every partition's name, in the table's order.
    fn partitions(&self) -> Vec<String>;
    /// The first partition that lists `region` or whose pattern matches it.
    fn partition_for_region(&self, region: &str) -> Option<String>;
    /// The endpoint names of the service with `endpoint_prefix` in `partition`.
    fn endpoints(
        &self,
        endpoint_prefix: &str,
        partition: &str,
        allow_non_regional: bool,
    ) -> Vec<String>;
}

impl RegionLists for EndpointTable {
    fn partitions(&self) -> Vec<String> {
        self.partitions
            .iter()
            .map(|p| p.partition.clone())
            .collect()
    }

    /// Python's `re.match` of the pattern, anchored at the start only; a pattern the matcher
    /// cannot read matches nothing.
    fn partition_for_region(&self, region: &str) -> Option<String> {
        self.partitions
            .iter()
            .find(|p| {
                p.regions.0.iter().any(|r| r == region)
                    || p.region_regex
                        .as_deref()
                        .and_then(|pattern| RegionRegex::new(pattern).ok())
                        .is_some_and(|regex| regex.is_match(region))
            })
            .map(|p| p.partition.clone())
    }

    /// In the table's order: only the partition's regions, unless `allow_non_regional` (then
    /// also the partition endpoints and the other names, `aws-global`, `fips-us-east-1`, …).
    fn endpoints(
        &self,
        endpoint_prefix: &str,
        partition: &str,
        allow_non_regional: bool,
    ) -> Vec<String> {
        self.partitions
            .iter()
            .filter(|p| p.partition == partition)
            .filter_map(|p| Some((p, p.services.get(endpoint_prefix)?)))
            .flat_map(|(p, service)| {
                service
                    .endpoints
                    .0
                    .iter()
                    .filter(move |name| allow_non_regional || p.regions.0.contains(name))
                    .cloned()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = r#"{"version": 3, "partitions": [
        {"partition": "aws", "regionRegex": "^(us|eu)\\-\\w+\\-\\d+$",
         "regions": {"us-east-1": {"description": "x"}, "eu-west-1": {}},
         "services": {
            "ec2": {"endpoints": {"us-east-1": {}, "fips-us-east-1": {"hostname": "h"}, "eu-west-1": {}}},
            "iam": {"partitionEndpoint": "aws-global", "endpoints": {"aws-global": {}}}}},
        {"partition": "aws-cn", "regionRegex": "^cn\\-\\w+\\-\\d+$",
         "regions": {"cn-north-1": {}},
         "services": {"ec2": {"endpoints": {"cn-north-1": {}}}}}
    ]}"#;

    #[test]
    fn lists_as_botocores_resolver_lists() {
        let table = EndpointTable::from_json(TABLE.as_bytes()).unwrap();
        assert_eq!(table.partitions(), ["aws", "aws-cn"]);
        assert_eq!(
            table.endpoints("ec2", "aws", false),
            ["us-east-1", "eu-west-1"]
        );
        assert_eq!(
            table.endpoints("ec2", "aws", true),
            ["us-east-1", "fips-us-east-1", "eu-west-1"]
        );
        assert_eq!(table.endpoints("ec2", "aws-cn", false), ["cn-north-1"]);
        assert!(table.endpoints("iam", "aws", false).is_empty());
        assert_eq!(table.endpoints("iam", "aws", true), ["aws-global"]);
        assert!(table.endpoints("ec2", "aws-nowhere", true).is_empty());
        assert!(table.endpoints("nothing", "aws", true).is_empty());
        // Listed, matched by the pattern, or neither.
        assert_eq!(
            table.partition_for_region("eu-west-1").as_deref(),
            Some("aws")
        );
        assert_eq!(
            table.partition_for_region("us-west-9").as_deref(),
            Some("aws")
        );
        assert_eq!(
            table.partition_for_region("cn-northwest-1").as_deref(),
            Some("aws-cn")
        );
        assert_eq!(table.partition_for_region("mars-1"), None);
    }

    #[test]
    fn a_table_that_is_not_one_is_refused() {
        assert!(EndpointTable::from_json(b"[]").is_err());
        assert!(EndpointTable::from_json(br#"{"partitions": [{"regions": {}}]}"#).is_err());
    }
}
