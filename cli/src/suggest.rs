//! Did-you-mean for the names a command line gives: a service that does not exist is
//! reported with the nearest service name (or aws-cli command name, `s3api`), as the core
//! already does for operations and members. Only the failure path lists the services, so a
//! good name costs nothing.

use std::sync::Arc;

use sansboto_core::model::ServiceModel;
use sansboto_core::session::Session;

use crate::output::Failure;

/// `service`'s model, or a failure naming the nearest service when there is no such service.
pub fn model(session: &Session, service: &str) -> Result<Arc<ServiceModel>, Failure> {
    session.model(service, None).map_err(|e| {
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
        let message = match sansboto_core::validate::nearest(service, names.iter()) {
            Some(near) => format!("unknown service {service:?} (did you mean {near}?)"),
            None => format!("unknown service {service:?}; `sansboto help` lists them"),
        };
        Failure::client("UnknownService", message)
    })
}
