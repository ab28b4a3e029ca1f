//! `aws.partition`: botocore's `partitions.json`, prepared for region lookups.

use std::sync::Arc;

use serde_json::Value;

use super::deferred::Deferred;
use super::json_tree::Node;
use super::region_regex::RegionRegex;
use super::{EndpointError, FnvMap};

/// The prepared partitions document; cheap to clone, shareable across threads.
///
/// Prepared at once ([`from_json`](Self::from_json)) or at the first resolution
/// ([`deferred`](Self::deferred)).
#[derive(Clone)]
pub struct Partitions {
    state: Arc<Deferred<PartitionsInner>>,
}

impl std::fmt::Debug for Partitions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.state.fmt_as("Partitions", f)
    }
}

#[derive(Debug)]
pub(crate) struct PartitionsInner {
    /// In document order; never empty (the first one is the fallback).
    partitions: Vec<Partition>,
    /// Every explicitly listed region → the partition botocore picks for it. Precomputed so the
    /// usual lookup is one hash probe instead of a regex per partition.
    known_regions: FnvMap<Box<str>, usize>,
}

#[derive(Debug)]
struct Partition {
    region_regex: RegionRegex,
    explicit_regions: Vec<Box<str>>,
    outputs: PartitionOutputs,
}

/// What `aws.partition` returns: a partition's `outputs` with `name` set to its id.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionOutputs {
    entries: Vec<(String, Value)>,
}

impl PartitionOutputs {
    /// An output by its `getAttr` name (`name`, `dnsSuffix`, `dualStackDnsSuffix`,
    /// `supportsFIPS`, `supportsDualStack`, `implicitGlobalRegion`, …).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value)
    }

    /// The partition id (`aws`, `aws-cn`, …).
    pub fn name(&self) -> &str {
        self.get("name").and_then(Value::as_str).unwrap_or_default()
    }

    /// All outputs in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries
            .iter()
            .map(|(name, value)| (name.as_str(), value))
    }
}

impl Partitions {
    /// Parses and prepares `partitions.json`.
    pub fn from_json(document: &[u8]) -> Result<Self, EndpointError> {
        let inner = PartitionsInner::prepare(document)?;
        Ok(Self {
            state: Arc::new(Deferred::ready(inner)),
        })
    }

    /// Partitions prepared the first time a region is looked up, as
    /// [`from_json`](Self::from_json) would prepare them: a client that resolves no endpoint
    /// never pays for the regexes. A document `from_json` rejects makes every
    /// [`resolve`](Self::resolve) (and so every endpoint resolution) return that error.
    pub fn deferred(document: Arc<[u8]>) -> Self {
        Self {
            state: Arc::new(Deferred::document(document)),
        }
    }

    /// The prepared form, preparing it now if it was deferred.
    pub(crate) fn prepared(&self) -> Result<&PartitionsInner, EndpointError> {
        self.state.get(PartitionsInner::prepare)
    }

    /// `aws.partition(region)`: the first partition listing the region or matching its regex;
    /// the first partition (`aws`) when none does or the region is unset. Fails only for a
    /// [`deferred`](Self::deferred) document that does not prepare.
    pub fn resolve(&self, region: Option<&str>) -> Result<&PartitionOutputs, EndpointError> {
        Ok(self.prepared()?.resolve(region))
    }
}

impl PartitionsInner {
    fn prepare(document: &[u8]) -> Result<Self, EndpointError> {
        let root = Node::parse(document).map_err(|e| invalid("$", format!("not JSON: {e}")))?;
        let list = root
            .get("partitions")
            .and_then(Node::as_array)
            .ok_or_else(|| invalid("partitions", "missing or not a list"))?;
        if list.is_empty() {
            return Err(invalid(
                "partitions",
                "empty: there is no default partition",
            ));
        }
        let partitions = list
            .iter()
            .enumerate()
            .map(|(index, entry)| parse_partition(index, entry))
            .collect::<Result<Vec<_>, _>>()?;
        let mut known_regions = FnvMap::default();
        for (owner, partition) in partitions.iter().enumerate() {
            for region in &partition.explicit_regions {
                // botocore walks partitions in order, taking the first whose explicit regions
                // contain the region *or* whose regex matches it.
                let chosen = partitions
                    .iter()
                    .take(owner)
                    .position(|earlier| earlier.matches(region))
                    .unwrap_or(owner);
                known_regions.entry(region.clone()).or_insert(chosen);
            }
        }
        Ok(Self {
            partitions,
            known_regions,
        })
    }

    /// See [`Partitions::resolve`].
    pub(crate) fn resolve(&self, region: Option<&str>) -> &PartitionOutputs {
        let index = region.map_or(0, |region| self.index_for(region));
        let chosen = self
            .partitions
            .get(index)
            .or_else(|| self.partitions.first());
        match chosen {
            Some(partition) => &partition.outputs,
            // Unreachable: `from_json` rejects an empty list. Kept total without panicking.
            None => &EMPTY_OUTPUTS,
        }
    }

    fn index_for(&self, region: &str) -> usize {
        if let Some(&index) = self.known_regions.get(region) {
            return index;
        }
        self.partitions
            .iter()
            .position(|partition| partition.region_regex.is_match(region))
            .unwrap_or(0)
    }
}

static EMPTY_OUTPUTS: PartitionOutputs = PartitionOutputs {
    entries: Vec::new(),
};

impl Partition {
    fn matches(&self, region: &str) -> bool {
        self.explicit_regions.iter().any(|r| &**r == region) || self.region_regex.is_match(region)
    }
}

fn invalid(location: impl Into<String>, message: impl Into<String>) -> EndpointError {
    EndpointError::InvalidPartitions {
        location: location.into(),
        message: message.into(),
    }
}

fn parse_partition(index: usize, entry: &Node<'_>) -> Result<Partition, EndpointError> {
    let at = |field: &str| format!("partitions[{index}].{field}");
    let id = entry
        .get("id")
        .and_then(Node::as_str)
        .ok_or_else(|| invalid(at("id"), "missing or not a string"))?;
    let pattern = entry
        .get("regionRegex")
        .and_then(Node::as_str)
        .ok_or_else(|| invalid(at("regionRegex"), "missing or not a string"))?;
    // Anchored as Python's `re.match` anchors: at the start only; the patterns carry their
    // own `$` (see `region_regex` for where the matching itself differs from Python's `re`).
    let region_regex = RegionRegex::new(pattern)
        .map_err(|e| invalid(at("regionRegex"), format!("bad regex {pattern:?}: {e}")))?;
    let explicit_regions = match entry.get("regions") {
        None => Vec::new(),
        Some(Node::Object(regions)) => regions.keys().map(Box::from).collect(),
        Some(_) => return Err(invalid(at("regions"), "not an object")),
    };
    let mut entries: Vec<(String, Value)> = match entry.get("outputs") {
        Some(Node::Object(outputs)) => outputs
            .iter()
            .map(|(key, value)| (key.to_owned(), value.to_value()))
            .collect(),
        _ => return Err(invalid(at("outputs"), "missing or not an object")),
    };
    // botocore overwrites `name` with the partition id.
    let name = Value::String(id.to_owned());
    match entries.iter_mut().find(|(key, _)| key == "name") {
        Some(slot) => slot.1 = name,
        None => entries.push(("name".to_owned(), name)),
    }
    Ok(Partition {
        region_regex,
        explicit_regions,
        outputs: PartitionOutputs { entries },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"version": "1.1", "partitions": [
        {"id": "aws", "regionRegex": "^(us|eu)\\-\\w+\\-\\d+$",
         "regions": {"aws-global": {}, "us-east-1": {}},
         "outputs": {"name": "aws", "dnsSuffix": "amazonaws.com", "supportsFIPS": true}},
        {"id": "aws-cn", "regionRegex": "^cn\\-\\w+\\-\\d+$",
         "regions": {"aws-cn-global": {}},
         "outputs": {"name": "wrong", "dnsSuffix": "amazonaws.com.cn", "supportsFIPS": true}},
        {"id": "odd", "regionRegex": "^zz\\-\\d+$",
         "regions": {"us-odd-1": {}},
         "outputs": {"dnsSuffix": "odd.example"}}
    ]}"#;

    fn partitions() -> Partitions {
        Partitions::from_json(DOC.as_bytes()).unwrap()
    }

    #[test]
    fn explicit_regions_and_regexes_pick_partitions() {
        let p = partitions();
        assert_eq!(p.resolve(Some("us-east-1")).unwrap().name(), "aws");
        assert_eq!(p.resolve(Some("aws-global")).unwrap().name(), "aws");
        assert_eq!(p.resolve(Some("eu-west-9")).unwrap().name(), "aws");
        assert_eq!(p.resolve(Some("cn-north-1")).unwrap().name(), "aws-cn");
        assert_eq!(p.resolve(Some("aws-cn-global")).unwrap().name(), "aws-cn");
        assert_eq!(p.resolve(Some("zz-1")).unwrap().name(), "odd");
    }

    #[test]
    fn name_output_is_the_partition_id() {
        let p = partitions();
        let cn = p.resolve(Some("cn-north-1")).unwrap();
        assert_eq!(cn.get("name"), Some(&Value::String("aws-cn".into())));
        assert_eq!(p.resolve(Some("zz-1")).unwrap().name(), "odd");
    }

    #[test]
    fn unknown_or_missing_region_falls_back_to_the_first_partition() {
        let p = partitions();
        assert_eq!(p.resolve(None).unwrap().name(), "aws");
        assert_eq!(p.resolve(Some("invalid-region-42")).unwrap().name(), "aws");
        assert_eq!(p.resolve(Some("")).unwrap().name(), "aws");
    }

    #[test]
    fn earlier_partition_regex_wins_over_later_explicit_region() {
        // `us-odd-1` is listed by `odd` but matches `aws`'s regex first, as botocore sees it.
        assert_eq!(
            partitions().resolve(Some("us-odd-1")).unwrap().name(),
            "aws"
        );
    }

    #[test]
    fn debug_never_prepares_nor_prints_the_document() {
        let deferred = Partitions::deferred(Arc::from(DOC.as_bytes()));
        let shown = format!("{deferred:?}");
        assert!(
            shown.contains("deferred") && !shown.contains("123"),
            "{shown}"
        );
        // Had printing prepared it, the second print would show the prepared form.
        assert_eq!(format!("{deferred:?}"), shown);
    }

    #[test]
    fn a_deferred_document_prepares_at_the_first_lookup() {
        let deferred = Partitions::deferred(Arc::from(DOC.as_bytes()));
        assert_eq!(
            deferred.resolve(Some("cn-north-1")).unwrap().name(),
            "aws-cn"
        );
        assert_eq!(deferred.resolve(Some("us-odd-1")).unwrap().name(), "aws");

        // What `from_json` rejects, every lookup of a deferred document reports.
        let broken = Partitions::deferred(Arc::from(&br#"{"partitions": []}"#[..]));
        let Err(error) = Partitions::from_json(br#"{"partitions": []}"#) else {
            panic!("an empty list is refused");
        };
        assert_eq!(broken.resolve(None).unwrap_err(), error);
        assert_eq!(broken.resolve(Some("us-east-1")).unwrap_err(), error);
    }

    #[test]
    fn bad_documents_are_errors() {
        assert!(Partitions::from_json(b"{").is_err());
        assert!(Partitions::from_json(br#"{"partitions": []}"#).is_err());
        assert!(Partitions::from_json(
            br#"{"partitions": [{"id": "a", "regionRegex": "(", "outputs": {}}]}"#
        )
        .is_err());
        assert!(
            Partitions::from_json(br#"{"partitions": [{"id": "a", "regionRegex": "x"}]}"#).is_err()
        );
    }
}
