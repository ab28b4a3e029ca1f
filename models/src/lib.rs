//! sansboto-models: botocore's service data (service models, endpoint rule sets, paginators,
//! waiters, and the top-level partitions / defaults / retry files), compiled in compressed and
//! decompressed lazily, plus botocore's data path so that a user's own models win over the
//! embedded ones.
//!
//! The crate hands out plain JSON bytes; parsing them is `sansboto-core`'s job.
//!
//! ```
//! use sansboto_models::{FileKind, Loader};
//! # #[cfg(feature = "embedded")] {
//! let loader = Loader::new();
//! let s3 = loader.load("s3", None, FileKind::ServiceModel).unwrap();
//! assert!(s3.starts_with(b"{"));
//! # }
//! ```

mod data_path;
mod decode;
mod embedded;
#[allow(dead_code)] // without the `embedded` feature only the aliases and version are used
mod embedded_table;
mod error;
mod merge;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

pub use error::{DataFile, ModelsError, Origin};

/// The botocore release the embedded data (and alias table) comes from.
pub const BOTOCORE_VERSION: &str = embedded_table::BOTOCORE_VERSION;

/// The per-service, per-api-version data files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// `service-2`: the service model (operations, shapes, metadata), sdk-extras merged.
    ServiceModel,
    /// `endpoint-rule-set-1`: the endpoint rules.
    EndpointRuleSet,
    /// `paginators-1`: paginator definitions, sdk-extras merged.
    Paginators,
    /// `waiters-2`: waiter definitions.
    Waiters,
}

impl FileKind {
    /// Every kind, in botocore's usual order.
    pub const ALL: [FileKind; 4] = [
        FileKind::ServiceModel,
        FileKind::EndpointRuleSet,
        FileKind::Paginators,
        FileKind::Waiters,
    ];

    /// botocore's file name without extension (`service-2`, ...).
    pub const fn file_name(self) -> &'static str {
        match self {
            FileKind::ServiceModel => "service-2",
            FileKind::EndpointRuleSet => "endpoint-rule-set-1",
            FileKind::Paginators => "paginators-1",
            FileKind::Waiters => "waiters-2",
        }
    }

    /// The sdk-extras file botocore merges into this kind, if it has one.
    pub const fn extras_file_name(self) -> Option<&'static str> {
        match self {
            FileKind::ServiceModel => Some("service-2.sdk-extras"),
            FileKind::Paginators => Some("paginators-1.sdk-extras"),
            FileKind::EndpointRuleSet | FileKind::Waiters => None,
        }
    }
}

/// The data files that sit at the top of botocore's data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TopLevelFile {
    /// `partitions.json`: partitions and their regions, for the endpoint rules.
    Partitions,
    /// `sdk-default-configuration.json`: the `defaults_mode` tables.
    SdkDefaultConfiguration,
    /// `_retry.json`: the legacy retry policy.
    Retry,
    /// `endpoints.json`: the legacy endpoint table (botocore still lists regions from it).
    Endpoints,
}

impl TopLevelFile {
    /// Every top-level file.
    pub const ALL: [TopLevelFile; 4] = [
        TopLevelFile::Partitions,
        TopLevelFile::SdkDefaultConfiguration,
        TopLevelFile::Retry,
        TopLevelFile::Endpoints,
    ];

    /// botocore's file name without extension.
    pub const fn file_name(self) -> &'static str {
        match self {
            TopLevelFile::Partitions => "partitions",
            TopLevelFile::SdkDefaultConfiguration => "sdk-default-configuration",
            TopLevelFile::Retry => "_retry",
            TopLevelFile::Endpoints => "endpoints",
        }
    }
}

/// botocore's service name aliases as `(alias, service name)` pairs, e.g.
/// `("runtime.sagemaker", "sagemaker-runtime")`. botocore applies them when a client is created.
pub fn service_aliases() -> &'static [(&'static str, &'static str)] {
    embedded_table::SERVICE_ALIASES
}

/// The botocore service name for `name`: its alias target, or `name` itself.
pub fn resolve_alias(name: &str) -> &str {
    embedded_table::SERVICE_ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, target)| target)
}

/// Total compressed size of the embedded data in bytes (0 without the `embedded` feature).
pub fn embedded_compressed_size() -> usize {
    embedded::compressed_size()
}

/// Decompresses one embedded file without consulting or filling the cache: the work a first
/// load does (for benchmarks and integrity checks). `api_version` `None` means the latest.
pub fn decompress_embedded(
    service: &str,
    api_version: Option<&str>,
    kind: FileKind,
) -> Result<Vec<u8>, ModelsError> {
    let service = resolve_alias(service);
    let name = kind.file_name();
    let version = match api_version {
        Some(version) => version,
        None => embedded::versions_with(service, name)
            .last()
            .ok_or_else(|| not_found(service, None, name))?,
    };
    let index = embedded::find(service, version, name)
        .ok_or_else(|| not_found(service, Some(version), name))?;
    embedded::decompress(index).map_err(|reason| ModelsError::Corrupt {
        data: DataFile {
            service: Some(service.to_string()),
            api_version: Some(version.to_string()),
            file: name.to_string(),
        },
        origin: Origin::Embedded,
        reason,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum CacheKey {
    Service(String, Option<String>, FileKind),
    TopLevel(TopLevelFile),
}

/// Finds and loads botocore data: first on the data path (in order), then in the embedded data.
///
/// Cheap to clone; clones share one cache. `Loader::new()` (embedded data only) reads no files and
/// serves every load after the first from a process-wide cache; a loader with data paths caches
/// what it resolved in its own table, as botocore's loader does per instance.
#[derive(Debug, Clone, Default)]
pub struct Loader {
    data_paths: Vec<PathBuf>,
    cache: Arc<Mutex<HashMap<CacheKey, Arc<[u8]>>>>,
}

impl Loader {
    /// A loader that serves only the embedded data.
    pub fn new() -> Self {
        Self::default()
    }

    /// A loader with botocore's search path: each entry of `AWS_DATA_PATH` (split on the platform's
    /// path separator, `~` and `$VAR` expanded), then `~/.aws/models`, then the embedded data.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok();
        let mut paths = std::env::var_os("AWS_DATA_PATH")
            .map(|value| data_path::parse_data_path(&value, &var))
            .unwrap_or_default();
        if let Some(home) = data_path::home_dir(&var) {
            paths.push(Path::new(&home).join(".aws").join("models"));
        }
        paths
            .into_iter()
            .fold(Self::new(), |loader, path| loader.with_data_path(path))
    }

    /// Adds a directory in botocore's layout, searched after those added before it and before the
    /// embedded data. Directories that do not exist are skipped at load time, as in botocore.
    pub fn with_data_path(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_paths.push(dir.into());
        // A different search path resolves differently: start a fresh cache.
        self.cache = Arc::default();
        self
    }

    /// The data path directories, in search order.
    pub fn data_paths(&self) -> &[PathBuf] {
        &self.data_paths
    }

    /// Every service with a service model, sorted (botocore's `list_available_services`).
    /// Aliases are not included; see [`service_aliases`].
    pub fn services(&self) -> Result<Vec<String>, ModelsError> {
        let name = FileKind::ServiceModel.file_name();
        let mut services: Vec<String> = embedded::services_with(name).map(String::from).collect();
        for dir in &self.data_paths {
            let found = data_path::services_with(dir, name).map_err(|source| ModelsError::Io {
                data: DataFile {
                    service: None,
                    api_version: None,
                    file: name.to_string(),
                },
                path: dir.clone(),
                source,
            })?;
            services.extend(found);
        }
        services.sort_unstable();
        services.dedup();
        Ok(services)
    }

    /// The api versions of `service` that have a `kind` file, ascending (botocore's
    /// `list_api_versions`). Accepts aliases.
    pub fn api_versions(&self, service: &str, kind: FileKind) -> Result<Vec<String>, ModelsError> {
        let service = resolve_alias(service);
        self.check_service(service)?;
        let name = kind.file_name();
        let mut versions: Vec<String> = embedded::versions_with(service, name)
            .map(String::from)
            .collect();
        for dir in &self.data_paths {
            let found =
                data_path::versions_with(dir, service, name).map_err(|source| ModelsError::Io {
                    data: DataFile {
                        service: Some(service.to_string()),
                        api_version: None,
                        file: name.to_string(),
                    },
                    path: dir.join(service),
                    source,
                })?;
            versions.extend(found);
        }
        versions.sort_unstable();
        versions.dedup();
        if versions.is_empty() {
            return Err(not_found(service, None, name));
        }
        Ok(versions)
    }

    /// The JSON bytes of `service`'s `kind` file for `api_version` (the latest version having a
    /// `kind` file when `None`, as botocore chooses). Accepts aliases. sdk-extras are merged.
    pub fn load(
        &self,
        service: &str,
        api_version: Option<&str>,
        kind: FileKind,
    ) -> Result<Arc<[u8]>, ModelsError> {
        let service = resolve_alias(service);
        if self.data_paths.is_empty() {
            return load_embedded(service, api_version, kind);
        }
        let key = CacheKey::Service(service.to_string(), api_version.map(String::from), kind);
        if let Some(hit) = self.cached(&key) {
            return Ok(hit);
        }
        let version = match api_version {
            Some(version) => version.to_string(),
            None => self
                .api_versions(service, kind)?
                .pop()
                .ok_or_else(|| not_found(service, None, kind.file_name()))?,
        };
        self.check_service(service)?;
        if !data_path::is_plain_component(&version) {
            return Err(not_found(service, Some(&version), kind.file_name()));
        }
        let bytes = self.load_resolved(service, &version, kind)?;
        Ok(self.remember(key, bytes))
    }

    /// The JSON bytes of a top-level file.
    pub fn load_top_level(&self, file: TopLevelFile) -> Result<Arc<[u8]>, ModelsError> {
        let data = || DataFile {
            service: None,
            api_version: None,
            file: file.file_name().to_string(),
        };
        if !self.data_paths.is_empty() {
            let key = CacheKey::TopLevel(file);
            if let Some(hit) = self.cached(&key) {
                return Ok(hit);
            }
            if let Some(found) = self.find_on_data_path(&[], file.file_name()) {
                let bytes = read_found(&found, data)?;
                return Ok(self.remember(key, bytes.into()));
            }
        }
        let index = embedded::find_top_level(file.file_name())
            .ok_or_else(|| ModelsError::NotFound { data: data() })?;
        embedded::bytes(index).map_err(|reason| ModelsError::Corrupt {
            data: data(),
            origin: Origin::Embedded,
            reason,
        })
    }

    /// `UnknownService` unless the name is safe and some source has a directory for it.
    fn check_service(&self, service: &str) -> Result<(), ModelsError> {
        let known = data_path::is_plain_component(service)
            && (embedded::has_service(service)
                || self.data_paths.iter().any(|dir| dir.join(service).is_dir()));
        if known {
            Ok(())
        } else {
            Err(ModelsError::UnknownService {
                service: service.to_string(),
            })
        }
    }

    fn find_on_data_path(&self, parts: &[&str], name: &str) -> Option<data_path::FoundFile> {
        self.data_paths
            .iter()
            .find_map(|dir| data_path::find_file(dir, parts, name))
    }

    /// botocore's lookup for one resolved version: the first data-path file wins over the embedded
    /// one; the first extras file (data path, then embedded) is merged into a data-path model.
    /// An embedded model already carries the embedded extras, so a data-path extras file is merged
    /// on top of it (botocore would merge it into the unmerged model instead; the results differ
    /// only where the embedded extras set a key the user's extras leave alone).
    fn load_resolved(
        &self,
        service: &str,
        version: &str,
        kind: FileKind,
    ) -> Result<Arc<[u8]>, ModelsError> {
        let name = kind.file_name();
        let data = |file: &str| DataFile {
            service: Some(service.to_string()),
            api_version: Some(version.to_string()),
            file: file.to_string(),
        };
        let (model, model_origin) = match self.find_on_data_path(&[service, version], name) {
            Some(found) => (
                Arc::from(read_found(&found, || data(name))?),
                Origin::Path(found.path),
            ),
            None => (
                load_embedded(service, Some(version), kind)?,
                Origin::Embedded,
            ),
        };
        let Some(extras_name) = kind.extras_file_name() else {
            return Ok(model);
        };
        let (extras, extras_origin) = match self.find_on_data_path(&[service, version], extras_name)
        {
            Some(found) => (
                Arc::from(read_found(&found, || data(extras_name))?),
                Origin::Path(found.path),
            ),
            // The embedded model already has the embedded extras merged in.
            None if model_origin == Origin::Embedded => return Ok(model),
            None => match embedded::find(service, version, extras_name) {
                Some(index) => (
                    embedded::bytes(index).map_err(|reason| ModelsError::Corrupt {
                        data: data(extras_name),
                        origin: Origin::Embedded,
                        reason,
                    })?,
                    Origin::Embedded,
                ),
                None => return Ok(model),
            },
        };
        merge::apply_extras(&model, &extras)
            .map(Arc::from)
            .map_err(|err| {
                let (file, origin, source) = match err {
                    merge::MergeError::Model(e) => (name, model_origin, e),
                    merge::MergeError::Extras(e) => (extras_name, extras_origin, e),
                };
                ModelsError::Corrupt {
                    data: data(file),
                    origin,
                    reason: format!("invalid JSON while merging sdk-extras: {source}"),
                }
            })
    }

    fn cached(&self, key: &CacheKey) -> Option<Arc<[u8]>> {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    fn remember(&self, key: CacheKey, bytes: Arc<[u8]>) -> Arc<[u8]> {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_insert(bytes)
            .clone()
    }
}

/// Embedded data only: no file system access, no allocation once cached.
fn load_embedded(
    service: &str,
    api_version: Option<&str>,
    kind: FileKind,
) -> Result<Arc<[u8]>, ModelsError> {
    let name = kind.file_name();
    let version = match api_version {
        Some(version) => version,
        None => embedded::versions_with(service, name)
            .last()
            .ok_or_else(|| {
                if embedded::has_service(service) {
                    not_found(service, None, name)
                } else {
                    ModelsError::UnknownService {
                        service: service.to_string(),
                    }
                }
            })?,
    };
    let index = embedded::find(service, version, name).ok_or_else(|| {
        if embedded::has_service(service) {
            not_found(service, Some(version), name)
        } else {
            ModelsError::UnknownService {
                service: service.to_string(),
            }
        }
    })?;
    embedded::bytes(index).map_err(|reason| ModelsError::Corrupt {
        data: DataFile {
            service: Some(service.to_string()),
            api_version: Some(version.to_string()),
            file: name.to_string(),
        },
        origin: Origin::Embedded,
        reason,
    })
}

fn not_found(service: &str, api_version: Option<&str>, file: &str) -> ModelsError {
    ModelsError::NotFound {
        data: DataFile {
            service: Some(service.to_string()),
            api_version: api_version.map(String::from),
            file: file.to_string(),
        },
    }
}

/// Reads a data-path file, gunzipping `.json.gz`.
fn read_found(
    found: &data_path::FoundFile,
    data: impl Fn() -> DataFile,
) -> Result<Vec<u8>, ModelsError> {
    let raw = std::fs::read(&found.path).map_err(|source| ModelsError::Io {
        data: data(),
        path: found.path.clone(),
        source,
    })?;
    if !found.gzipped {
        return Ok(raw);
    }
    decode::gunzip(&raw).map_err(|reason| ModelsError::Corrupt {
        data: data(),
        origin: Origin::Path(found.path.clone()),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A scratch data directory removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "sansboto-models-{}-{name}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn write(&self, rel: &str, bytes: &[u8]) {
            let path = self.0.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn json(bytes: &[u8]) -> serde_json::Value {
        serde_json::from_slice(bytes).unwrap()
    }

    const CUSTOM: &[u8] = br#"{"version":"2.0","metadata":{"apiVersion":"2030-01-01","protocol":"json"},"operations":{"Ping":{"name":"Ping","input":{"shape":"PingInput"}}},"shapes":{"PingInput":{"type":"structure","members":{}}}}"#;

    #[test]
    fn custom_service_on_the_data_path_is_found() {
        let dir = TempDir::new("custom");
        dir.write("mysvc/2030-01-01/service-2.json.gz", &gzip(CUSTOM));
        dir.write(
            "mysvc/2020-01-01/paginators-1.json",
            br#"{"pagination":{}}"#,
        );
        let loader = Loader::new().with_data_path(&dir.0);
        assert!(loader.services().unwrap().contains(&"mysvc".to_string()));
        assert_eq!(
            loader
                .api_versions("mysvc", FileKind::ServiceModel)
                .unwrap(),
            ["2030-01-01"]
        );
        assert_eq!(
            &*loader.load("mysvc", None, FileKind::ServiceModel).unwrap(),
            CUSTOM
        );
        // Paginators resolve to the latest version that has paginators.
        assert_eq!(
            &*loader.load("mysvc", None, FileKind::Paginators).unwrap(),
            br#"{"pagination":{}}"#
        );
        let err = loader.load("mysvc", None, FileKind::Waiters).unwrap_err();
        assert!(
            matches!(&err, ModelsError::NotFound { data } if data.service.as_deref() == Some("mysvc") && data.file == "waiters-2"),
            "{err}"
        );
        // A loader without the path knows nothing of it.
        assert!(matches!(
            Loader::new().load("mysvc", None, FileKind::ServiceModel),
            Err(ModelsError::UnknownService { .. })
        ));
    }

    #[test]
    fn truncated_gzip_names_service_and_file() {
        let dir = TempDir::new("truncated");
        let gz = gzip(CUSTOM);
        dir.write("broken/2030-01-01/service-2.json.gz", &gz[..gz.len() / 2]);
        let loader = Loader::new().with_data_path(&dir.0);
        let err = loader
            .load("broken", None, FileKind::ServiceModel)
            .unwrap_err();
        match &err {
            ModelsError::Corrupt { data, origin, .. } => {
                assert_eq!(data.service.as_deref(), Some("broken"));
                assert_eq!(data.api_version.as_deref(), Some("2030-01-01"));
                assert_eq!(data.file, "service-2");
                assert!(matches!(origin, Origin::Path(p) if p.ends_with("service-2.json.gz")));
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        assert!(
            err.to_string().contains("broken/2030-01-01/service-2"),
            "{err}"
        );
    }

    #[test]
    fn first_directory_and_plain_json_win() {
        let first = TempDir::new("first");
        let second = TempDir::new("second");
        first.write(
            "svc/2030-01-01/service-2.json",
            b"{\"from\":\"first-plain\"}",
        );
        first.write(
            "svc/2030-01-01/service-2.json.gz",
            &gzip(b"{\"from\":\"first-gz\"}"),
        );
        second.write("svc/2030-01-01/service-2.json", b"{\"from\":\"second\"}");
        second.write("svc/2031-01-01/waiters-2.json", b"{\"waiters\":{}}");
        let loader = Loader::new()
            .with_data_path(&first.0)
            .with_data_path(&second.0);
        let model = loader.load("svc", None, FileKind::ServiceModel).unwrap();
        assert_eq!(&*model, b"{\"from\":\"first-plain\"}");
        // Versions are the union over the search path.
        assert_eq!(
            loader.api_versions("svc", FileKind::Waiters).unwrap(),
            ["2031-01-01"]
        );
        // Cached: the same allocation comes back.
        let again = loader.load("svc", None, FileKind::ServiceModel).unwrap();
        assert!(Arc::ptr_eq(&model, &again));
    }

    #[test]
    fn names_cannot_leave_the_data_directory() {
        let dir = TempDir::new("escape");
        dir.write("svc/2030-01-01/service-2.json", CUSTOM);
        let loader = Loader::new().with_data_path(dir.0.join("svc"));
        for name in ["..", "../svc", "", "."] {
            assert!(
                matches!(
                    loader.load(name, Some("2030-01-01"), FileKind::ServiceModel),
                    Err(ModelsError::UnknownService { .. })
                ),
                "{name:?}"
            );
        }
        let loader = Loader::new().with_data_path(&dir.0);
        assert!(matches!(
            loader.load("svc", Some("../svc/2030-01-01"), FileKind::ServiceModel),
            Err(ModelsError::NotFound { .. })
        ));
    }

    #[test]
    fn data_path_extras_are_merged() {
        let dir = TempDir::new("extras");
        dir.write("svc/2030-01-01/service-2.json", CUSTOM);
        dir.write(
            "svc/2030-01-01/service-2.sdk-extras.json",
            br#"{"version":1.0,"merge":{"metadata":{"protocol":"query"},"shapes":{"Extra":{"type":"string"}}}}"#,
        );
        let loader = Loader::new().with_data_path(&dir.0);
        let model = json(&loader.load("svc", None, FileKind::ServiceModel).unwrap());
        assert_eq!(model["metadata"]["protocol"], "query");
        assert_eq!(model["metadata"]["apiVersion"], "2030-01-01");
        assert_eq!(model["shapes"]["Extra"]["type"], "string");
        assert!(model["shapes"]["PingInput"].is_object());

        dir.write("bad/2030-01-01/service-2.json", CUSTOM);
        dir.write("bad/2030-01-01/service-2.sdk-extras.json", b"{not json");
        let err = loader
            .load("bad", None, FileKind::ServiceModel)
            .unwrap_err();
        assert!(
            matches!(&err, ModelsError::Corrupt { data, .. } if data.file == "service-2.sdk-extras"),
            "{err}"
        );
    }

    #[test]
    fn top_level_file_on_the_data_path_wins() {
        let dir = TempDir::new("top");
        dir.write(
            "partitions.json",
            br#"{"partitions":[],"version":"custom"}"#,
        );
        let loader = Loader::new().with_data_path(&dir.0);
        let partitions = loader.load_top_level(TopLevelFile::Partitions).unwrap();
        assert_eq!(json(&partitions)["version"], "custom");
    }

    #[test]
    fn aliases_resolve() {
        assert_eq!(resolve_alias("runtime.sagemaker"), "sagemaker-runtime");
        assert_eq!(resolve_alias("s3"), "s3");
        assert!(service_aliases().contains(&("runtime.sagemaker", "sagemaker-runtime")));
    }

    #[cfg(feature = "embedded")]
    mod embedded_data {
        use super::*;

        #[test]
        fn loads_latest_and_named_versions() {
            let loader = Loader::new();
            let s3 = json(&loader.load("s3", None, FileKind::ServiceModel).unwrap());
            assert_eq!(s3["metadata"]["apiVersion"], "2006-03-01");
            // service-2.sdk-extras merged: botocore adds the Expires shape to S3.
            assert_eq!(s3["shapes"]["Expires"]["type"], "timestamp");
            let old = json(
                &loader
                    .load("ec2", Some("2014-09-01"), FileKind::ServiceModel)
                    .unwrap(),
            );
            assert_eq!(old["metadata"]["apiVersion"], "2014-09-01");
            let versions = loader.api_versions("ec2", FileKind::ServiceModel).unwrap();
            assert_eq!(versions.last().map(String::as_str), Some("2016-11-15"));
            for file in TopLevelFile::ALL {
                assert!(json(&loader.load_top_level(file).unwrap()).is_object());
            }
        }

        #[test]
        fn alias_loads_the_target() {
            let loader = Loader::new();
            let by_alias = loader
                .load("runtime.sagemaker", None, FileKind::ServiceModel)
                .unwrap();
            let by_name = loader
                .load("sagemaker-runtime", None, FileKind::ServiceModel)
                .unwrap();
            assert!(Arc::ptr_eq(&by_alias, &by_name));
        }

        #[test]
        fn missing_data_is_an_error() {
            let loader = Loader::new();
            assert!(matches!(
                loader.load("no-such-service", None, FileKind::ServiceModel),
                Err(ModelsError::UnknownService { service }) if service == "no-such-service"
            ));
            assert!(matches!(
                loader.load("s3", Some("1999-01-01"), FileKind::ServiceModel),
                Err(ModelsError::NotFound { data }) if data.to_string() == "s3/1999-01-01/service-2"
            ));
            // dynamodb/2011-12-05 has an endpoint rule set but no model.
            assert!(loader
                .load("dynamodb", Some("2011-12-05"), FileKind::EndpointRuleSet)
                .is_ok());
            assert!(loader
                .load("dynamodb", Some("2011-12-05"), FileKind::ServiceModel)
                .is_err());
        }

        #[test]
        fn data_path_model_wins_and_gets_embedded_extras() {
            let dir = TempDir::new("override");
            dir.write("s3/2006-03-01/service-2.json", CUSTOM);
            dir.write(
                "s3/2099-01-01/waiters-2.json",
                b"{\"waiters\":{\"Custom\":{}}}",
            );
            let loader = Loader::new().with_data_path(&dir.0);
            let model = json(&loader.load("s3", None, FileKind::ServiceModel).unwrap());
            assert!(model["operations"]["Ping"].is_object());
            // botocore merges the built-in extras into a data-path model of the same version.
            assert_eq!(model["shapes"]["Expires"]["type"], "timestamp");
            // A newer version on the data path becomes the latest.
            let waiters = json(&loader.load("s3", None, FileKind::Waiters).unwrap());
            assert!(waiters["waiters"]["Custom"].is_object());
            // Files the data path lacks still come from the embedded data.
            let rules = loader.load("s3", None, FileKind::EndpointRuleSet).unwrap();
            assert_eq!(json(&rules)["version"], "1.0");
            assert!(loader.services().unwrap().len() > 400);
        }

        #[test]
        fn uncached_decompression_matches_cached() {
            let fresh = decompress_embedded("s3", None, FileKind::ServiceModel).unwrap();
            let cached = Loader::new()
                .load("s3", None, FileKind::ServiceModel)
                .unwrap();
            assert_eq!(&fresh[..], &cached[..]);
            assert!(embedded_compressed_size() > 1_000_000);
        }
    }
}
