//! The one error type of this crate: which data file was missing, unreadable or corrupt, and where
//! it was looked for.

use std::fmt;
use std::path::PathBuf;

/// Names one data file the way botocore does (`s3/2006-03-01/service-2`, or `partitions` for a
/// top-level file), so every error says which service and which file it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFile {
    /// The botocore service name; `None` for a top-level file such as `partitions`.
    pub service: Option<String>,
    /// The api version directory, when one was chosen.
    pub api_version: Option<String>,
    /// The file name without extension (`service-2`, `paginators-1.sdk-extras`, `partitions`).
    pub file: String,
}

impl fmt::Display for DataFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(service) = &self.service {
            write!(f, "{service}/")?;
            if let Some(version) = &self.api_version {
                write!(f, "{version}/")?;
            }
        }
        f.write_str(&self.file)
    }
}

/// Where a data file's bytes came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Compiled into this crate (`embedded` feature).
    Embedded,
    /// A file on one of the loader's data paths.
    Path(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Embedded => f.write_str("embedded data"),
            Origin::Path(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Loading botocore data failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelsError {
    /// No service of that name exists in the embedded data or on the data path.
    #[error("unknown service `{service}`: not in the embedded data nor on the data path")]
    UnknownService {
        /// The name asked for (after alias resolution).
        service: String,
    },
    /// The service exists but has no such file (in that api version, or in any).
    #[error("data file {data} not found in the embedded data nor on the data path")]
    NotFound {
        /// The file that was asked for.
        data: DataFile,
    },
    /// A file or directory on the data path exists but could not be read.
    #[error("cannot read {data} at {}: {source}", path.display())]
    Io {
        /// The file (or, while listing, the service directory) being read.
        data: DataFile,
        /// The path that failed.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not valid gzip, or an extras merge met invalid JSON.
    #[error("corrupt data file {data} ({origin}): {reason}")]
    Corrupt {
        /// The file that was being decoded.
        data: DataFile,
        /// Where its bytes came from.
        origin: Origin,
        /// What was wrong.
        reason: String,
    },
}

impl ModelsError {
    /// The data file the error is about, when it is about one file.
    pub fn data_file(&self) -> Option<&DataFile> {
        match self {
            ModelsError::UnknownService { .. } => None,
            ModelsError::NotFound { data }
            | ModelsError::Io { data, .. }
            | ModelsError::Corrupt { data, .. } => Some(data),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_service_version_and_file() {
        let err = ModelsError::Corrupt {
            data: DataFile {
                service: Some("s3".into()),
                api_version: Some("2006-03-01".into()),
                file: "service-2".into(),
            },
            origin: Origin::Path(PathBuf::from("/tmp/x/s3/2006-03-01/service-2.json.gz")),
            reason: "unexpected end of file".into(),
        };
        assert_eq!(
            err.to_string(),
            "corrupt data file s3/2006-03-01/service-2 (/tmp/x/s3/2006-03-01/service-2.json.gz): \
             unexpected end of file"
        );
        let top = DataFile {
            service: None,
            api_version: None,
            file: "partitions".into(),
        };
        assert_eq!(top.to_string(), "partitions");
    }
}
