//! The loader as a `sansboto-core` data source (feature `core`).

use std::sync::Arc;

use sansboto_core::session::{DataFile, DataSource};

use crate::{FileKind, Loader, TopLevelFile};

impl DataSource for Loader {
    fn service_file(
        &self,
        service: &str,
        api_version: Option<&str>,
        file: DataFile,
    ) -> Result<Arc<[u8]>, String> {
        let kind = match file {
            DataFile::ServiceModel => FileKind::ServiceModel,
            DataFile::EndpointRuleSet => FileKind::EndpointRuleSet,
            DataFile::Paginators => FileKind::Paginators,
            DataFile::Waiters => FileKind::Waiters,
        };
        self.load(service, api_version, kind)
            .map_err(|e| e.to_string())
    }

    fn partitions(&self) -> Result<Arc<[u8]>, String> {
        self.load_top_level(TopLevelFile::Partitions)
            .map_err(|e| e.to_string())
    }

    fn retry_config(&self) -> Result<Arc<[u8]>, String> {
        self.load_top_level(TopLevelFile::Retry)
            .map_err(|e| e.to_string())
    }

    fn services(&self) -> Result<Vec<String>, String> {
        Loader::services(self).map_err(|e| e.to_string())
    }
}
