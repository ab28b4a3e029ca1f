//! botocore's data compiled into the binary (feature `embedded`), decompressed on first use and
//! cached for the life of the process.

use std::sync::{Arc, OnceLock};

#[cfg(feature = "embedded")]
use crate::embedded_table::{FILES, INDEXES, TOP_LEVEL};

/// Without the `embedded` feature there is nothing compiled in; the data path is all there is.
#[cfg(not(feature = "embedded"))]
static FILES: &[(&str, &str, &str, &[u8])] = &[];
#[cfg(not(feature = "embedded"))]
static TOP_LEVEL: &[(&str, &[u8])] = &[];
#[cfg(not(feature = "embedded"))]
static INDEXES: &[(&str, &str, &[u8])] = &[];

/// One slot per entry of `FILES` then `TOP_LEVEL`; a slot is filled once, by whichever thread
/// decompresses first (a concurrent duplicate is dropped, never observed half-written).
static CACHE: OnceLock<Box<[Slot]>> = OnceLock::new();

/// The decompressed bytes of one file, once someone asked for them.
type Slot = OnceLock<Arc<[u8]>>;

/// (service, api version, file name, gzip bytes), as the generated table lists them.
type Entry = (&'static str, &'static str, &'static str, &'static [u8]);

fn slot(index: usize) -> Option<&'static Slot> {
    CACHE
        .get_or_init(|| {
            (0..FILES.len() + TOP_LEVEL.len())
                .map(|_| OnceLock::new())
                .collect()
        })
        .get(index)
}

/// The entries of one service, in (api version, file name) order, and the index of the first.
fn service_entries(service: &str) -> (usize, &'static [Entry]) {
    let start = FILES.partition_point(|entry| entry.0 < service);
    let len = FILES
        .get(start..)
        .map_or(0, |rest| rest.partition_point(|entry| entry.0 == service));
    (start, FILES.get(start..start + len).unwrap_or_default())
}

/// Whether any embedded file belongs to `service`.
pub(crate) fn has_service(service: &str) -> bool {
    !service_entries(service).1.is_empty()
}

/// Embedded services having a file named `name`, in order; a service repeats once per version.
pub(crate) fn services_with(name: &str) -> impl Iterator<Item = &'static str> + '_ {
    FILES
        .iter()
        .filter(move |entry| entry.2 == name)
        .map(|entry| entry.0)
}

/// The api versions of `service` having a file named `name`, ascending.
pub(crate) fn versions_with<'a>(
    service: &str,
    name: &'a str,
) -> impl Iterator<Item = &'static str> + 'a {
    service_entries(service)
        .1
        .iter()
        .filter(move |entry| entry.2 == name)
        .map(|entry| entry.1)
}

/// The index of an embedded file, if there is one.
pub(crate) fn find(service: &str, api_version: &str, name: &str) -> Option<usize> {
    let (start, entries) = service_entries(service);
    entries
        .binary_search_by(|entry| (entry.1, entry.2).cmp(&(api_version, name)))
        .ok()
        .map(|i| start + i)
}

/// The index of an embedded top-level file, if there is one.
pub(crate) fn find_top_level(name: &str) -> Option<usize> {
    TOP_LEVEL
        .binary_search_by(|entry| entry.0.cmp(name))
        .ok()
        .map(|i| FILES.len() + i)
}

fn compressed(index: usize) -> Result<&'static [u8], String> {
    FILES
        .get(index)
        .map(|entry| entry.3)
        .or_else(|| {
            TOP_LEVEL
                .get(index.wrapping_sub(FILES.len()))
                .map(|entry| entry.1)
        })
        .ok_or_else(|| format!("no embedded file with index {index}"))
}

/// The index of the service model at `index` (from `find`), read and checked against the model
/// file; `None` when the model has none.
pub(crate) fn model_index(index: usize) -> Option<Result<crate::index::ModelIndex, String>> {
    let (service, version, name, gz) = FILES.get(index)?;
    if *name != "service-2" {
        return None;
    }
    let at = INDEXES
        .binary_search_by(|entry| (entry.0, entry.1).cmp(&(service, version)))
        .ok()?;
    // Stored uncompressed: inflating it was a third of a first S3 client's `build()`.
    let parsed = INDEXES
        .get(at)
        .map(|entry| crate::index::parse(entry.2, gz))?;
    Some(parsed.map_err(|reason| format!("its index: {reason}")))
}

/// Decompresses the file at `index` without touching the cache.
pub(crate) fn decompress(index: usize) -> Result<Arc<[u8]>, String> {
    crate::decode::gunzip_shared(compressed(index)?)
}

/// The decompressed bytes of the file at `index` (from `find` / `find_top_level`), cached.
pub(crate) fn bytes(index: usize) -> Result<Arc<[u8]>, String> {
    let gz = compressed(index)?;
    let slot = slot(index).ok_or_else(|| format!("no cache slot for index {index}"))?;
    if let Some(cached) = slot.get() {
        return Ok(cached.clone());
    }
    let decoded = crate::decode::gunzip_shared(gz)?;
    Ok(slot.get_or_init(|| decoded).clone())
}

/// The documentation of `service` (JSON: `service`, `operations`, `members`), decompressed;
/// `None` when it is not compiled in (feature `docs`) or the service has none.
pub(crate) fn docs(service: &str) -> Option<Result<Vec<u8>, String>> {
    #[cfg(all(feature = "embedded", feature = "docs"))]
    {
        use crate::embedded_table::DOCS;
        let i = DOCS.binary_search_by(|entry| entry.0.cmp(service)).ok()?;
        Some(crate::decode::gunzip(DOCS[i].1))
    }
    #[cfg(not(all(feature = "embedded", feature = "docs")))]
    {
        let _ = service;
        None
    }
}

/// The compressed size of everything embedded, in bytes.
pub(crate) fn compressed_size() -> usize {
    FILES.iter().map(|entry| entry.3.len()).sum::<usize>()
        + TOP_LEVEL.iter().map(|entry| entry.1.len()).sum::<usize>()
}

#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(FILES
            .windows(2)
            .all(|w| (w[0].0, w[0].1, w[0].2) < (w[1].0, w[1].1, w[1].2)));
        assert!(TOP_LEVEL.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(INDEXES
            .windows(2)
            .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)));
    }

    /// Every embedded model's index reads, and each range it gives holds exactly the JSON of
    /// the operation or shape it names, where the model's text has it.
    #[test]
    fn every_index_matches_its_model() {
        let mut indexed = 0;
        for (i, entry) in FILES.iter().enumerate() {
            let Some(index) = model_index(i) else {
                assert_ne!(entry.2, "service-2", "{}/{} has no index", entry.0, entry.1);
                continue;
            };
            let index = index.unwrap_or_else(|e| panic!("{}/{}: {e}", entry.0, entry.1));
            let text = decompress(i).unwrap();
            assert_eq!(text.len(), index.len);
            let model: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(&text).unwrap();
            let at = |range: &std::ops::Range<usize>| -> serde_json::Value {
                serde_json::from_slice(&text[range.clone()]).unwrap()
            };
            let metadata: serde_json::Value = serde_json::from_slice(&index.metadata).unwrap();
            assert_eq!(metadata, model["metadata"]);
            for (kind, entries) in [
                (
                    "operations",
                    index
                        .operations
                        .iter()
                        .map(|(n, r)| (&**n, r))
                        .collect::<Vec<_>>(),
                ),
                (
                    "shapes",
                    index.shapes.iter().map(|(n, r)| (&**n, r)).collect(),
                ),
            ] {
                let all = model[kind].as_object().unwrap();
                assert_eq!(entries.len(), all.len(), "{}/{} {kind}", entry.0, entry.1);
                for ((name, range), (key, value)) in entries.iter().zip(all) {
                    assert_eq!(name, key);
                    assert_eq!(&at(range), value, "{}/{} {kind} {name}", entry.0, entry.1);
                }
            }
            indexed += 1;
        }
        assert!(indexed > 400, "{indexed}");
    }

    #[test]
    fn lookups() {
        let s3 = find("s3", "2006-03-01", "service-2").unwrap();
        assert_eq!(FILES[s3].0, "s3");
        assert!(find("s3", "2006-03-01", "nope").is_none());
        assert!(find("nope", "2006-03-01", "service-2").is_none());
        assert!(versions_with("ec2", "service-2").count() > 1);
        assert!(services_with("service-2").any(|s| s == "s3"));
        assert!(has_service("dynamodb"));
        assert!(!has_service("dynamo"));
        let partitions = find_top_level("partitions").unwrap();
        assert!(bytes(partitions).unwrap().starts_with(b"{"));
        // The second load is the cached allocation itself.
        let a = bytes(s3).unwrap();
        let b = bytes(s3).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
    }
}
