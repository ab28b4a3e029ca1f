//! botocore's data as the core's [`DataSource`]: a `sansboto-models` [`Loader`] behind the trait
//! the core's `Session` reads through. The adapter lives here, not in either crate, so that the
//! models crate does not depend on the core nor the core on the models (and on their file reads).

use std::sync::Arc;

use sansboto_core::model::{DocumentSource, ModelIndex};
use sansboto_core::session::{DataFile, DataSource};
use sansboto_models::{FileKind, Loader, TopLevelFile};

/// A [`Loader`] as a core [`DataSource`]: what a core `Session` is made with.
///
/// ```
/// # use std::sync::Arc;
/// # use sansboto_core::session::DataSource;
/// let data: Arc<dyn DataSource> = Arc::new(sansboto_host::BotocoreData::from(sansboto_models::Loader::new()));
/// assert!(data.services().unwrap().iter().any(|s| s == "s3"));
/// ```
#[derive(Debug, Default)]
pub struct BotocoreData(pub Loader);

impl From<Loader> for BotocoreData {
    fn from(loader: Loader) -> Self {
        BotocoreData(loader)
    }
}

impl DataSource for BotocoreData {
    fn service_file(
        &self,
        service: &str,
        api_version: Option<&str>,
        file: DataFile,
    ) -> Result<Arc<[u8]>, String> {
        self.0
            .load(service, api_version, file_kind(file))
            .map_err(|e| e.to_string())
    }

    /// From the list of versions having the file, which reads no file's contents: a
    /// session reads a ruleset only when a client first resolves an endpoint.
    fn has_service_file(&self, service: &str, api_version: Option<&str>, file: DataFile) -> bool {
        let versions = match self.0.api_versions(service, file_kind(file)) {
            Ok(versions) => versions,
            Err(_) => return false,
        };
        match api_version {
            Some(wanted) => versions.iter().any(|v| v == wanted),
            None => !versions.is_empty(),
        }
    }

    /// The embedded models' index (the loader gives one when the model it would load is an
    /// embedded one): the text, the same embedded model's (never a file that appears on the
    /// data path later, which the index does not describe), is inflated on first use.
    fn service_model_index(
        &self,
        service: &str,
        api_version: Option<&str>,
    ) -> Option<Result<(ModelIndex, DocumentSource), String>> {
        let (version, index) = match self.0.load_index(service, api_version) {
            Ok(found) => found?,
            Err(e) => return Some(Err(e.to_string())),
        };
        let loader = self.0.clone();
        let service = service.to_string();
        let document: DocumentSource = Arc::new(move || {
            loader
                .embedded_model(&service, &version)
                .map_err(|e| e.to_string())
        });
        let index = ModelIndex {
            metadata: index.metadata,
            operations: index.operations,
            shapes: index.shapes,
            len: index.len,
        };
        Some(Ok((index, document)))
    }

    fn partitions(&self) -> Result<Arc<[u8]>, String> {
        self.0
            .load_top_level(TopLevelFile::Partitions)
            .map_err(|e| e.to_string())
    }

    fn legacy_endpoints(&self) -> Result<Arc<[u8]>, String> {
        self.0
            .load_top_level(TopLevelFile::EndpointsSigning)
            .map_err(|e| e.to_string())
    }

    fn endpoints(&self) -> Result<Arc<[u8]>, String> {
        self.0
            .load_top_level(TopLevelFile::Endpoints)
            .map_err(|e| e.to_string())
    }

    fn retry_config(&self) -> Result<Arc<[u8]>, String> {
        self.0
            .load_top_level(TopLevelFile::Retry)
            .map_err(|e| e.to_string())
    }

    fn services(&self) -> Result<Vec<String>, String> {
        self.0.services().map_err(|e| e.to_string())
    }
}

/// The loader's name for a core data file.
fn file_kind(file: DataFile) -> FileKind {
    match file {
        DataFile::ServiceModel => FileKind::ServiceModel,
        DataFile::EndpointRuleSet => FileKind::EndpointRuleSet,
        DataFile::Paginators => FileKind::Paginators,
        DataFile::Waiters => FileKind::Waiters,
    }
}
