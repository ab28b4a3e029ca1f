//! Did-you-mean for the names a command line gives: a service that does not exist is
//! reported with the nearest service name (or aws-cli command name, `s3api`), as the core
//! already does for operations and members. Only the failure path lists the services, so a
//! good name costs nothing.

use std::sync::Arc;

use sansboto_core::config::ConfigError;
use sansboto_core::model::ServiceModel;
use sansboto_core::session::{ClientOptions, Session};

use crate::output::{ClientError, Failure};

/// The API version of `service` the command works with: the profile's `api_versions` entry,
/// else the latest (`None`), as aws-cli builds its command table (a command line gives no
/// version of its own). A profile that does not exist gives the latest here, as in aws-cli,
/// so help, completion and usage errors still work; the call itself reports the profile.
pub(crate) fn api_version(session: &Session, service: &str) -> Result<Option<String>, Failure> {
    match session.client_api_version(service, &ClientOptions::default()) {
        Err(sansboto_core::Error::Config(ConfigError::ProfileNotFound { .. })) => Ok(None),
        other => Ok(other?),
    }
}

/// `service`'s model (of the version [`api_version`] gives), or a failure naming the nearest
/// service when there is no such service.
pub(crate) fn model(session: &Session, service: &str) -> Result<Arc<ServiceModel>, Failure> {
    let version = api_version(session, service)?;
    session.model(service, version.as_deref()).map_err(|e| {
        let Ok(mut names) = session.services() else {
            return Failure::from(e);
        };
        if names.iter().any(|n| n == service) {
            return Failure::from(e);
        }
        names.extend(
            crate::awsgrammar::COMMAND_NAMES
                .iter()
                .map(|c| c.to_string()),
        );
        let message = match sansboto_core::nearest(service, names.iter()) {
            Some(near) => format!("unknown service {service:?} (did you mean {near}?)"),
            None => format!("unknown service {service:?}; `sansboto help` lists them"),
        };
        Failure::Invalid(ClientError::new("UnknownService", message))
    })
}
