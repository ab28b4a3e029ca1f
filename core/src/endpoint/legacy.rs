//! The signing scope botocore's client takes from its legacy endpoint table (`endpoints.json`),
//! which every request signs with unless the endpoint ruleset's `authSchemes` say otherwise.
//!
//! botocore resolves the client's endpoint twice: the rules engine gives the URL, and the old
//! table still gives the client's signing region and name (`ClientEndpointBridge`). They differ
//! for services the table does not regionalize: AWS Health in eu-central-1 goes to
//! `health.eu-central-1.amazonaws.com` but signs for `us-east-1` (its partition endpoint's
//! `credentialScope`), and a few services sign under another name (Import/Export as
//! `IngestionService`). This module answers that lookup as botocore's `EndpointResolver` does
//! (exact endpoint, then the partition's region match, the partition endpoint for a service
//! not regionalized, variants for FIPS and dual-stack, defaults merged shallowly), over
//! `endpoints-signing.json`: the part of `endpoints.json` that can change a scope, derived by
//! `models/update` (or `endpoints.json` itself, which has the same shape).
//!
//! The table is kept as its bytes and read again for each client, in one pass that keeps only
//! the client's service and whether its region is listed: 17 KB scanned, where parsing every
//! service into maps at the first client cost several times more.
//!
//! The same lookup refuses, as botocore's does when it makes the client
//! (`EndpointVariantError`), a FIPS or dual-stack client whose endpoint has no such variant at
//! any level: dual-stack in the `aws-iso-e` and `aws-iso-f` partitions, whose endpoint
//! rulesets would otherwise give a dual-stack host (a client of them is refused whatever its
//! endpoint URL, as botocore's is).
//!
//! Known difference: botocore accepts as a region the table's pseudo-region names
//! (`dkr-us-east-1`), which `models/update` leaves out.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::region_regex::RegionRegex;

/// The table; an empty one changes no scope.
#[derive(Clone, Debug)]
pub struct LegacyEndpoints {
    bytes: Arc<[u8]>,
}

/// A table with no partition.
pub(crate) const EMPTY_TABLE: &[u8] = br#"{"partitions": []}"#;

impl Default for LegacyEndpoints {
    fn default() -> Self {
        LegacyEndpoints {
            bytes: Arc::from(EMPTY_TABLE),
        }
    }
}

/// What one lookup keeps of a partition.
#[derive(Debug, Default)]
struct PartitionView {
    name: String,
    region_regex: Option<String>,
    /// Whether the looked-up region is one of the partition's `regions`.
    region_listed: bool,
    /// The looked-up service's entry, if the partition has one.
    service: Option<Service>,
    defaults: Entry,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Service {
    is_regionalized: Option<bool>,
    partition_endpoint: Option<String>,
    #[serde(default)]
    defaults: Entry,
    #[serde(default)]
    endpoints: HashMap<String, Entry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    credential_scope: Option<Scope>,
    #[serde(default)]
    variants: Vec<Variant>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Variant {
    tags: Vec<String>,
    credential_scope: Option<Scope>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
struct Scope {
    region: Option<String>,
    service: Option<String>,
}

/// Where a client's requests sign by default: `region`, and `service` instead of the model's
/// signing name when the table names one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningScope {
    /// The signing region.
    pub region: String,
    /// The signing name, when the table overrides the model's.
    pub service: Option<String>,
}

/// Partitions botocore never resolves a dual-stack endpoint in.
const NO_DUALSTACK: [&str; 2] = ["aws-iso", "aws-iso-b"];

/// Why a lookup gave no scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupError {
    /// The table could not be read (what in it, said).
    Table(String),
    /// The endpoint the client resolves to has no variant with the FIPS and dual-stack tags
    /// asked for, at any level (botocore's `EndpointVariantError`, raised as it makes the
    /// client).
    NoVariant {
        /// The partition it resolved in.
        partition: String,
        /// The endpoint name (the region, or the partition endpoint).
        endpoint: String,
        /// `fips`, `dualstack`, as asked.
        tags: Vec<String>,
    },
}

impl LegacyEndpoints {
    /// The table (`endpoints-signing.json` or `endpoints.json`); each lookup reads it, and
    /// says when it cannot.
    pub fn from_json(bytes: Arc<[u8]>) -> Self {
        LegacyEndpoints { bytes }
    }

    /// Each partition as seen by a lookup of `service` in `region`.
    fn partitions(&self, service: &str, region: &str) -> Result<Vec<PartitionView>, String> {
        let mut reader = serde_json::Deserializer::from_slice(&self.bytes);
        TableSeed { service, region }
            .deserialize(&mut reader)
            .and_then(|partitions| reader.end().map(|()| partitions))
            .map_err(|e| format!("the legacy endpoint table: {e}"))
    }

    /// The scope a client of `service` (its `endpointPrefix`) in `region` signs with, FIPS and
    /// dual-stack as configured; `region` itself when the table has nothing to say. Refused
    /// when the table cannot be read, or when the endpoint it resolves to has no variant for
    /// the FIPS and dual-stack settings ([`LookupError::NoVariant`]).
    pub fn signing_scope(
        &self,
        service: &str,
        region: &str,
        use_fips: bool,
        use_dualstack: bool,
    ) -> Result<SigningScope, LookupError> {
        Ok(
            match self.lookup(service, region, use_fips, use_dualstack)? {
                Some((endpoint_name, scope)) => SigningScope {
                    region: scope.region.unwrap_or(endpoint_name),
                    service: scope.service,
                },
                None => SigningScope {
                    region: region.to_owned(),
                    service: None,
                },
            },
        )
    }

    /// The endpoint name a client of `service` in `region` resolves to, whose host name
    /// botocore's client builds when it is given no endpoint URL: the region itself, or the
    /// partition endpoint of a service the table does not regionalize (`aws-global` for IAM,
    /// whatever the region). Refused as [`signing_scope`](Self::signing_scope) is.
    pub fn endpoint_name(
        &self,
        service: &str,
        region: &str,
        use_fips: bool,
        use_dualstack: bool,
    ) -> Result<String, LookupError> {
        Ok(self
            .lookup(service, region, use_fips, use_dualstack)?
            .map_or_else(|| region.to_owned(), |(name, _)| name))
    }

    /// botocore's `construct_endpoint` as its client's bridge calls it: the first partition
    /// that resolves the region (those without dual-stack passed over when it is on), then the
    /// `aws` partition whatever the region; the endpoint name and its scope, or `None`. An
    /// endpoint with no variant for the tags asked for is refused.
    fn lookup(
        &self,
        service: &str,
        region: &str,
        use_fips: bool,
        use_dualstack: bool,
    ) -> Result<Option<(String, Scope)>, LookupError> {
        let tags: Vec<&str> = [(use_dualstack, "dualstack"), (use_fips, "fips")]
            .into_iter()
            .filter_map(|(on, tag)| on.then_some(tag))
            .collect();
        let partitions = self
            .partitions(service, region)
            .map_err(LookupError::Table)?;
        let usable =
            |p: &&PartitionView| !(use_dualstack && NO_DUALSTACK.contains(&p.name.as_str()));
        let resolved = partitions
            .iter()
            .filter(usable)
            .find_map(|p| p.resolve(region, &tags, false).map(|r| (p, r)))
            .or_else(|| {
                partitions
                    .iter()
                    .find(|p| p.name == "aws")
                    .filter(usable)
                    .and_then(|p| p.resolve(region, &tags, true).map(|r| (p, r)))
            });
        match resolved {
            Some((partition, (endpoint_name, _)))
                if !partition.has_variant(&endpoint_name, &tags) =>
            {
                Err(LookupError::NoVariant {
                    partition: partition.name.clone(),
                    endpoint: endpoint_name,
                    tags: tags.iter().map(|t| t.to_string()).collect(),
                })
            }
            resolved => Ok(resolved.map(|(_, r)| r)),
        }
    }
}

impl LegacyEndpoints {
    /// The region botocore gives a client of `service` (its `endpointPrefix`) configured with
    /// none: the first partition's (`aws`) `partitionEndpoint` for it (`aws-global` for STS,
    /// IAM, Route 53, ...), as `_endpoint_for_partition` takes it; `None` where there is none
    /// (botocore's `NoRegionError`).
    pub fn partition_endpoint(&self, service: &str) -> Result<Option<String>, String> {
        let partitions = self.partitions(service, "")?;
        Ok(partitions
            .first()
            .and_then(|p| p.service.as_ref())
            .and_then(|s| s.partition_endpoint.clone()))
    }
}

impl PartitionView {
    /// botocore's `_endpoint_for_partition`: the endpoint name resolved and its scope.
    fn resolve(&self, region: &str, tags: &[&str], force: bool) -> Option<(String, Scope)> {
        let empty = Service::default();
        let data = self.service.as_ref().unwrap_or(&empty);
        if data.endpoints.contains_key(region) {
            return Some(self.scope(data, region, tags));
        }
        if !(force || self.matches(region)) {
            return None;
        }
        match (&data.partition_endpoint, data.is_regionalized) {
            (Some(endpoint), Some(false)) => Some(self.scope(data, endpoint, tags)),
            _ => Some(self.scope(data, region, tags)),
        }
    }

    /// A listed region, or one the partition's `regionRegex` matches (a pattern the region
    /// matcher cannot read matches nothing).
    fn matches(&self, region: &str) -> bool {
        self.region_listed
            || self
                .region_regex
                .as_deref()
                .and_then(|r| RegionRegex::new(r).ok())
                .is_some_and(|r| r.is_match(region))
    }

    /// Whether the service's endpoint `endpoint_name` has a variant with exactly `tags` at
    /// some level (endpoint, service defaults, partition defaults), as botocore's `_resolve`
    /// requires of a client with FIPS or dual-stack on; no tags need none.
    fn has_variant(&self, endpoint_name: &str, tags: &[&str]) -> bool {
        let (empty, no_service) = (Entry::default(), Service::default());
        let data = self.service.as_ref().unwrap_or(&no_service);
        let entry = data.endpoints.get(endpoint_name).unwrap_or(&empty);
        tags.is_empty()
            || [entry, &data.defaults, &self.defaults]
                .iter()
                .any(|level| level.variants.iter().any(|v| same_tags(&v.tags, tags)))
    }

    /// botocore's `_resolve`: the first `credentialScope` of the variants with exactly these
    /// tags (endpoint, service defaults, partition defaults), then of the endpoint, the service
    /// defaults and the partition defaults; each taken whole, as its shallow merge does.
    fn scope(&self, data: &Service, endpoint_name: &str, tags: &[&str]) -> (String, Scope) {
        let empty = Entry::default();
        let entry = data.endpoints.get(endpoint_name).unwrap_or(&empty);
        let levels = [entry, &data.defaults, &self.defaults];
        let from_variants = (!tags.is_empty())
            .then(|| {
                levels.iter().find_map(|level| {
                    level
                        .variants
                        .iter()
                        .find(|v| same_tags(&v.tags, tags))
                        .and_then(|v| v.credential_scope.clone())
                })
            })
            .flatten();
        let scope = from_variants
            .or_else(|| {
                levels
                    .iter()
                    .find_map(|level| level.credential_scope.clone())
            })
            .unwrap_or_default();
        (endpoint_name.to_owned(), scope)
    }
}

// ----- the one-pass reader -------------------------------------------------------------------

/// `{"partitions": [...]}`, each partition read by [`PartitionSeed`]; other keys skipped.
struct TableSeed<'q> {
    service: &'q str,
    region: &'q str,
}

impl<'de> DeserializeSeed<'de> for TableSeed<'_> {
    type Value = Vec<PartitionView>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TableSeed<'_> {
    type Value = Vec<PartitionView>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with a `partitions` list")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut partitions = None;
        while let Some(key) = map.next_key::<KeyText<'_>>()? {
            if key.0 == "partitions" {
                partitions = Some(map.next_value_seed(PartitionsSeed(&self))?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        partitions.ok_or_else(|| de::Error::missing_field("partitions"))
    }
}

struct PartitionsSeed<'s, 'q>(&'s TableSeed<'q>);

impl<'de> DeserializeSeed<'de> for PartitionsSeed<'_, '_> {
    type Value = Vec<PartitionView>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for PartitionsSeed<'_, '_> {
    type Value = Vec<PartitionView>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of partitions")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(partition) = seq.next_element_seed(PartitionSeed(self.0))? {
            out.push(partition);
        }
        Ok(out)
    }
}

/// One partition: its name, regex and defaults, whether the region is listed, and the
/// service's entry only.
struct PartitionSeed<'s, 'q>(&'s TableSeed<'q>);

impl<'de> DeserializeSeed<'de> for PartitionSeed<'_, '_> {
    type Value = PartitionView;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PartitionSeed<'_, '_> {
    type Value = PartitionView;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a partition")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut view = PartitionView::default();
        let mut named = false;
        while let Some(key) = map.next_key::<KeyText<'_>>()? {
            match &*key.0 {
                "partition" => {
                    view.name = map.next_value()?;
                    named = true;
                }
                "regionRegex" => view.region_regex = Some(map.next_value()?),
                "regions" => view.region_listed = map.next_value_seed(HasKey(self.0.region))?,
                "services" => {
                    view.service = map.next_value_seed(PickKey(self.0.service))?;
                }
                "defaults" => view.defaults = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !named {
            return Err(de::Error::missing_field("partition"));
        }
        Ok(view)
    }
}

/// Whether an object has the key, its values skipped.
struct HasKey<'q>(&'q str);

impl<'de> DeserializeSeed<'de> for HasKey<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HasKey<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<KeyText<'_>>()? {
            found |= key.0 == self.0;
            map.next_value::<IgnoredAny>()?;
        }
        Ok(found)
    }
}

/// The value of one key of an object, parsed; the others skipped.
struct PickKey<'q>(&'q str);

impl<'de> DeserializeSeed<'de> for PickKey<'_> {
    type Value = Option<Service>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PickKey<'_> {
    type Value = Option<Service>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of services")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut picked = None;
        while let Some(key) = map.next_key::<KeyText<'_>>()? {
            if key.0 == self.0 {
                picked = Some(map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(picked)
    }
}

/// An object key, borrowed from the input when it has no escapes.
struct KeyText<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for KeyText<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = KeyText<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(KeyText(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(KeyText(std::borrow::Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Python's `set(variant_tags) == set(tags)`.
fn same_tags(variant: &[String], tags: &[&str]) -> bool {
    variant.iter().all(|t| tags.contains(&t.as_str()))
        && tags.iter().all(|t| variant.iter().any(|v| v == t))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shapes `endpoints.json` gives: a service not regionalized, one with an endpoint of
    /// its own scope, one signing under another name, a variant with a scope; partitions with
    /// every variant in their defaults, with FIPS alone, and with no defaults but a dual-stack
    /// variant for one service's endpoint.
    const TABLE: &str = r#"{"partitions": [
        {"partition": "aws", "regionRegex": "^(us|eu)\\-\\w+\\-\\d+$",
         "defaults": {"variants": [{"tags": ["fips"]}, {"tags": ["dualstack", "fips"]},
                                   {"tags": ["dualstack"]}]},
         "regions": {"us-east-1": {}, "eu-central-1": {}},
         "services": {
           "health": {"isRegionalized": false, "partitionEndpoint": "aws-global",
                      "endpoints": {"aws-global": {"credentialScope": {"region": "us-east-1"}},
                                    "us-east-2": {"credentialScope": {"region": "us-east-2"}}}},
           "importexport": {"isRegionalized": false, "partitionEndpoint": "aws-global",
                            "endpoints": {"aws-global": {"credentialScope":
                              {"region": "us-east-1", "service": "IngestionService"}}}},
           "data.iot": {"defaults": {"credentialScope": {"service": "iotdata"}}},
           "waf": {"isRegionalized": false, "partitionEndpoint": "aws-global",
                   "endpoints": {"aws-global": {"credentialScope": {"region": "us-east-1"},
                     "variants": [{"tags": ["fips"], "credentialScope": {"region": "us-west-2"}}]}}}
         }},
        {"partition": "aws-cn", "regionRegex": "^cn\\-\\w+\\-\\d+$",
         "regions": {"cn-north-1": {}},
         "services": {
           "health": {"isRegionalized": false, "partitionEndpoint": "aws-cn-global",
                      "endpoints": {"aws-cn-global": {"credentialScope": {"region": "cn-northwest-1"}}}}
         }},
        {"partition": "aws-iso", "regionRegex": "^us\\-iso\\-\\w+\\-\\d+$", "regions": {}},
        {"partition": "aws-iso-e", "regionRegex": "^eu\\-isoe\\-\\w+\\-\\d+$",
         "defaults": {"variants": [{"tags": ["fips"]}]},
         "regions": {"eu-isoe-west-1": {}},
         "services": {
           "lambda": {"endpoints": {"eu-isoe-west-1": {"variants": [{"tags": ["dualstack"]}]}}}
         }}
    ]}"#;

    fn scope(service: &str, region: &str, fips: bool, dualstack: bool) -> (String, Option<String>) {
        let table = LegacyEndpoints::from_json(Arc::from(TABLE.as_bytes()));
        let s = table
            .signing_scope(service, region, fips, dualstack)
            .unwrap();
        (s.region, s.service)
    }

    #[test]
    fn scopes_resolve_as_botocores_endpoint_resolver() {
        let plain = |r: &str| (r.to_owned(), None);
        // Not regionalized: the partition endpoint's scope, in its partition.
        assert_eq!(
            scope("health", "eu-central-1", false, false),
            plain("us-east-1")
        );
        assert_eq!(
            scope("health", "cn-north-1", false, false),
            plain("cn-northwest-1")
        );
        // An endpoint listed for the region is taken as it is.
        assert_eq!(
            scope("health", "us-east-2", false, false),
            plain("us-east-2")
        );
        // Another signing name.
        assert_eq!(
            scope("importexport", "eu-central-1", false, false),
            ("us-east-1".into(), Some("IngestionService".into()))
        );
        assert_eq!(
            scope("data.iot", "eu-central-1", true, false),
            ("eu-central-1".into(), Some("iotdata".into()))
        );
        // A variant's own scope wins for its tags only.
        assert_eq!(scope("waf", "us-east-1", true, false), plain("us-west-2"));
        assert_eq!(scope("waf", "us-east-1", false, true), plain("us-east-1"));
        // Regionalized or unknown services, and regions no partition knows: the region itself
        // (the `aws` partition is tried for an unknown region, as botocore's bridge does).
        assert_eq!(
            scope("dynamodb", "eu-central-1", false, false),
            plain("eu-central-1")
        );
        assert_eq!(
            scope("health", "xx-nowhere-9", false, false),
            plain("us-east-1")
        );
        assert_eq!(
            scope("dynamodb", "xx-nowhere-9", false, false),
            plain("xx-nowhere-9")
        );
    }

    #[test]
    fn an_empty_or_broken_table_changes_nothing_or_says_so() {
        let empty = LegacyEndpoints::default();
        assert_eq!(
            empty.signing_scope("health", "eu-central-1", false, false),
            Ok(SigningScope {
                region: "eu-central-1".into(),
                service: None
            })
        );
        let err = LegacyEndpoints::from_json(Arc::from(&b"{\"partitions\": 3}"[..]))
            .signing_scope("health", "eu-central-1", false, false)
            .unwrap_err();
        assert!(
            matches!(&err, LookupError::Table(m) if m.starts_with("the legacy endpoint table: ")),
            "{err:?}"
        );
    }

    #[test]
    fn an_empty_region_names_the_partition_endpoint_or_nothing() {
        let table = LegacyEndpoints::from_json(Arc::from(TABLE.as_bytes()));
        // No partition takes an empty region: the `aws` partition's endpoint for a service
        // it does not regionalize, the empty region itself otherwise.
        assert_eq!(
            table.endpoint_name("health", "", false, false),
            Ok("aws-global".into())
        );
        assert_eq!(
            table.endpoint_name("waf", "", true, true),
            Ok("aws-global".into())
        );
        assert_eq!(
            table.endpoint_name("dynamodb", "", false, true),
            Ok(String::new())
        );
        assert_eq!(
            table.endpoint_name("dynamodb", "eu-central-1", false, false),
            Ok("eu-central-1".into())
        );
    }

    #[test]
    fn a_variant_no_level_has_is_refused_as_botocore_refuses_the_client() {
        let table = LegacyEndpoints::from_json(Arc::from(TABLE.as_bytes()));
        let lookup = |service: &str, region: &str, fips: bool, dualstack: bool| {
            table.signing_scope(service, region, fips, dualstack)
        };
        let refused = |partition: &str, endpoint: &str, tags: &[&str]| {
            Err(LookupError::NoVariant {
                partition: partition.into(),
                endpoint: endpoint.into(),
                tags: tags.iter().map(|t| t.to_string()).collect(),
            })
        };
        // FIPS is in the partition's defaults; dual-stack only in lambda's endpoint.
        assert!(lookup("dynamodb", "eu-isoe-west-1", true, false).is_ok());
        assert!(lookup("lambda", "eu-isoe-west-1", false, true).is_ok());
        assert_eq!(
            lookup("dynamodb", "eu-isoe-west-1", false, true),
            refused("aws-iso-e", "eu-isoe-west-1", &["dualstack"])
        );
        // Tags are matched as a set: lambda's dual-stack variant is not a FIPS one.
        assert_eq!(
            lookup("lambda", "eu-isoe-west-1", true, true),
            refused("aws-iso-e", "eu-isoe-west-1", &["dualstack", "fips"])
        );
        // A region the partition's pattern matches, not listed: lambda's endpoint is not it.
        assert_eq!(
            lookup("lambda", "eu-isoe-south-9", false, true),
            refused("aws-iso-e", "eu-isoe-south-9", &["dualstack"])
        );
        // No tags need no variant; aws-iso is passed over for dual-stack (the `aws`
        // partition's defaults then have it); the partition endpoint is the one looked at.
        assert!(lookup("dynamodb", "eu-isoe-west-1", false, false).is_ok());
        assert!(lookup("dynamodb", "us-iso-east-1", false, true).is_ok());
        assert!(lookup("health", "eu-central-1", true, true).is_ok());
    }
}
