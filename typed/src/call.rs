//! One typed call or wait: the input becomes the core's value, the runtime-generic client runs
//! the same pipeline as the dynamic `call`, and the result or service error is read back into
//! the operation's types (typed pages are `pages`').

use std::time::Duration;

use sansboto_core::runtime::{Client, Transport};
use sansboto_core::Error;
use sansboto_core::ServiceError;

use crate::convert::{ConvertError, FromValue, IntoValue};

/// An operation of a generated service (`s3::operations::PutObject`).
pub trait TypedOperation: 'static {
    /// The service (`s3`), as the client names it.
    const SERVICE: &'static str;
    /// The operation (`PutObject`).
    const NAME: &'static str;
    /// Its parameters.
    type Input: IntoValue + FromValue + Send + 'static;
    /// Its result.
    type Output: FromValue + Send + 'static;
    /// Its errors: the modeled ones, and everything else as [`TypedError`].
    type Error: OperationError + Send + 'static;
}

/// Something to run for each operation of a generated service (`s3::for_each_operation`).
pub trait OperationVisitor {
    /// Called once per operation.
    fn visit<O: TypedOperation>(&mut self);
}

/// What a typed call adds to the core's errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TypedError {
    /// The call failed (an unmodeled service error, validation, transport...).
    #[error(transparent)]
    Call(Error),
    /// The result did not have the shape of the operation's output type.
    #[error("result of {operation}: {source}")]
    Convert {
        /// The operation.
        operation: &'static str,
        /// What did not fit.
        source: ConvertError,
    },
    /// The typed method of one service was called on a client of another.
    #[error("{operation} is an operation of {expected}, called on a {client} client")]
    WrongService {
        /// The operation.
        operation: &'static str,
        /// Its service.
        expected: &'static str,
        /// The client's service.
        client: String,
    },
}

impl TypedError {
    /// The service error, when the service answered with one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            TypedError::Call(e) => e.service_error(),
            _ => None,
        }
    }
}

/// A modeled service error: its typed members, and the error as the service sent it (code,
/// message, request id, status).
#[derive(Debug)]
pub struct Modeled<E> {
    /// The error shape's members.
    pub details: E,
    /// The service error.
    pub error: Box<ServiceError>,
}

impl<E> std::ops::Deref for Modeled<E> {
    type Target = E;
    fn deref(&self) -> &E {
        &self.details
    }
}

/// A generated per-operation error enum (`s3::errors::GetObjectError`).
pub trait OperationError: Sized {
    /// The variant of the modeled error shape `shape` (the core's match of the error code to
    /// the model), or the error back when the operation does not list it.
    fn from_modeled(shape: &str, error: Box<ServiceError>) -> Result<Self, Box<ServiceError>>;
    /// Any other failure.
    fn from_typed(error: TypedError) -> Self;
}

/// Modeled when the service error's shape is one of the operation's, else [`TypedError::Call`].
pub(crate) fn operation_error<T: Transport, O: TypedOperation>(
    client: &Client<T>,
    error: Error,
) -> O::Error {
    let Error::Service(service_error) = error else {
        return O::Error::from_typed(TypedError::Call(error));
    };
    // SQS's modeled errors carry no query-protocol code, so the code the service sent does not
    // name them: like botocore (its SQS `error_code_override`), fall back to the JSON code
    // the core kept, which is the shape's name.
    let shape = service_error
        .shape_name(client.core().model())
        .or(service_error.query_error_code.as_deref())
        .map(str::to_owned);
    match shape {
        Some(shape) => O::Error::from_modeled(&shape, service_error)
            .unwrap_or_else(|e| O::Error::from_typed(TypedError::Call(Error::Service(e)))),
        None => O::Error::from_typed(TypedError::Call(Error::Service(service_error))),
    }
}

pub(crate) fn output<O: TypedOperation>(
    value: sansboto_core::Value,
) -> Result<O::Output, O::Error> {
    O::Output::from_value(value).map_err(|source| {
        O::Error::from_typed(TypedError::Convert {
            operation: O::NAME,
            source,
        })
    })
}

pub(crate) fn check_service<T: Transport, O: TypedOperation>(
    client: &Client<T>,
) -> Result<(), TypedError> {
    let service = client.core().service();
    if service == O::SERVICE {
        Ok(())
    } else {
        Err(TypedError::WrongService {
            operation: O::NAME,
            expected: O::SERVICE,
            client: service.to_string(),
        })
    }
}

/// Call operation `O` with `input`, as `client.call` would with the same parameters.
pub fn call<T: Transport, O: TypedOperation>(
    client: &Client<T>,
    input: O::Input,
) -> T::Run<'_, Result<O::Output, O::Error>> {
    let params = input.into_value();
    T::run(async move {
        check_service::<T, O>(client).map_err(O::Error::from_typed)?;
        match client.call_future(O::NAME, params).await {
            Ok(value) => output::<O>(value),
            Err(e) => Err(operation_error::<T, O>(client, e)),
        }
    })
}

/// Run waiter `name` of operation `O` from `input` (the client's `wait`).
pub fn wait<'a, T: Transport, O: TypedOperation>(
    client: &'a Client<T>,
    name: &'static str,
    input: O::Input,
    delay: Option<Duration>,
    max_attempts: Option<u32>,
) -> T::Run<'a, Result<(), TypedError>> {
    let params = input.into_value();
    T::run(async move {
        check_service::<T, O>(client)?;
        client
            .wait_future(name, params, delay, max_attempts)
            .await
            .map_err(TypedError::Call)
    })
}
