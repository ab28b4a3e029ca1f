//! The [`Stubber`]: deterministic tests without a network, in the spirit of botocore's
//! `Stubber`. Queue the answers a test expects (`add_response`, `add_client_error`), each for an
//! operation and optionally exact parameters; a stubbed client then builds and signs every call
//! as usual (so validation, serialization, endpoints and hooks still run), records the request it
//! would have sent, and answers from the front of the queue instead of sending it. An unexpected
//! operation, different parameters or an empty queue fail the call loudly with a [`StubError`]
//! naming what was expected and what was called.
//!
//! The stubber owns no I/O and is shared by clones (`Arc`), so one handle can queue answers while
//! a client of any runtime (`runtime::Client::with_stubber`) consumes them.

pub(crate) mod error;

pub use error::StubError;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use crate::body::Body;
use crate::client::{CallIdentity, ServiceClient};
use crate::error::Error;
use crate::machine::RandomSource;
use crate::model::ServiceModel;
use crate::parse::ServiceError;
use crate::validate::validate;
use crate::value::{Map, Value};

/// A request a stubbed client would have sent.
#[derive(Debug, Clone)]
pub struct StubbedRequest {
    /// The operation's model name (`ListObjectsV2`).
    pub operation: String,
    /// The parameters the caller gave.
    pub params: Value,
    /// The serialized request, signed when the client had credentials (otherwise as it would
    /// be before signing).
    pub request: http::Request<Body>,
}

enum Answer {
    Result(Value),
    Error(Box<ServiceError>),
}

struct Expected {
    operation: String,
    params: Option<Value>,
    answer: Answer,
}

#[derive(Default)]
struct Queue {
    expected: VecDeque<Expected>,
    requests: Vec<StubbedRequest>,
}

/// An answer queue for one service (cheap to clone; clones share the queue).
#[derive(Clone)]
pub struct Stubber {
    model: Arc<ServiceModel>,
    queue: Arc<Mutex<Queue>>,
}

impl std::fmt::Debug for Stubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let queue = self.lock();
        f.debug_struct("Stubber")
            .field(
                "pending",
                &queue
                    .expected
                    .iter()
                    .map(|e| e.operation.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("requests", &queue.requests.len())
            .finish()
    }
}

impl Stubber {
    /// A stubber for the service `model` describes (answers are validated against it).
    pub fn new(model: Arc<ServiceModel>) -> Self {
        Stubber {
            model,
            queue: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The operation's model name; its shapes are checked (they are about to be validated
    /// against), so a malformed one is an [`Error::Model`].
    fn operation_name(&self, operation: &str) -> Result<String, Error> {
        match self.model.checked_operation(operation) {
            Some(checked) => Ok(checked?.name.clone()),
            None => Err(Error::UnknownOperation {
                service: self.model.metadata.service_id.clone(),
                operation: operation.to_string(),
                suggestion: self.model.nearest_operation(operation),
            }),
        }
    }

    /// Queue `result` as the answer to the next call, which must be `operation` (any spelling)
    /// and, when `expected_params` is given, have exactly those parameters. The result is
    /// checked against the operation's output shape now (`ResponseMetadata` aside), as
    /// botocore's stubber does.
    pub fn add_response(
        &self,
        operation: &str,
        expected_params: Option<Value>,
        result: Value,
    ) -> Result<(), Error> {
        let name = self.operation_name(operation)?;
        let op = self
            .model
            .operation(&name)
            .ok_or_else(|| Error::UnknownOperation {
                service: self.model.metadata.service_id.clone(),
                operation: name.clone(),
                suggestion: None,
            })?;
        let mut shape_only = result.clone();
        if let Some(m) = shape_only.as_map_mut() {
            m.shift_remove("ResponseMetadata");
        }
        validate(
            &self.model,
            op.output.as_ref().map(|o| o.shape),
            &shape_only,
        )?;
        self.lock().expected.push_back(Expected {
            operation: name,
            params: expected_params,
            answer: Answer::Result(result),
        });
        Ok(())
    }

    /// Queue a service error (`code`, `message`, HTTP `status`) as the answer to the next call,
    /// which must be `operation` and, when `expected_params` is given, have exactly those
    /// parameters. The error is typed like a real one (`Error::Service`), with the model's
    /// error shape when `code` names one.
    pub fn add_client_error(
        &self,
        operation: &str,
        code: &str,
        message: &str,
        status: u16,
        expected_params: Option<Value>,
    ) -> Result<(), Error> {
        let name = self.operation_name(operation)?;
        let mut error = Map::default();
        error.insert("Message".into(), Value::from(message));
        error.insert("Code".into(), Value::from(code));
        let mut meta = Map::default();
        meta.insert("HTTPStatusCode".into(), Value::Integer(i64::from(status)));
        let mut fields = Map::default();
        fields.insert("ResponseMetadata".into(), Value::Map(meta));
        fields.insert("Error".into(), Value::Map(error));
        let shape = self.model.shape_id(code).filter(|id| {
            self.model
                .try_shape(*id)
                .is_ok_and(|s| s.as_structure().is_some())
        });
        let service_error = ServiceError {
            operation: name.clone(),
            code: code.to_string(),
            message: message.to_string(),
            request_id: None,
            host_id: None,
            status,
            shape,
            query_error_code: None,
            fields: Value::Map(fields),
        };
        self.lock().expected.push_back(Expected {
            operation: name,
            params: expected_params,
            answer: Answer::Error(Box::new(service_error)),
        });
        Ok(())
    }

    /// How many answers are still queued.
    pub fn pending(&self) -> usize {
        self.lock().expected.len()
    }

    /// `Err(StubError::Pending)` when answers are still queued.
    pub fn check_no_pending_responses(&self) -> Result<(), StubError> {
        let queue = self.lock();
        if queue.expected.is_empty() {
            return Ok(());
        }
        Err(StubError::Pending {
            count: queue.expected.len(),
            operations: queue.expected.iter().map(|e| e.operation.clone()).collect(),
        })
    }

    /// Panic (failing the test) when answers are still queued, naming them.
    #[track_caller]
    pub fn assert_no_pending_responses(&self) {
        if let Err(e) = self.check_no_pending_responses() {
            panic!("{e}");
        }
    }

    /// The requests stubbed calls would have sent, oldest first.
    pub fn requests(&self) -> Vec<StubbedRequest> {
        self.lock().requests.clone()
    }

    /// Answer a call of `client` from the queue: check the operation and parameters, build and
    /// sign the request at `now` (recorded, never sent), then return the queued result (after
    /// the client's `AfterCall` hooks) or error (after its `OnError` hooks). The queue only
    /// advances when the call got that far, as botocore's does.
    pub fn call(
        &self,
        client: &ServiceClient,
        operation: &str,
        params: Value,
        identity: &CallIdentity,
        now: SystemTime,
        rng: &mut dyn RandomSource,
    ) -> Result<Value, Error> {
        let name = client.operation(operation)?.name.clone();
        {
            let queue = self.lock();
            let Some(next) = queue.expected.front() else {
                return Err(StubError::Unexpected {
                    operation: name,
                    params: params.to_json().to_string(),
                }
                .into());
            };
            if next.operation != name {
                return Err(StubError::OperationMismatch {
                    expected: next.operation.clone(),
                    actual: name,
                }
                .into());
            }
            if let Some(expected) = &next.params {
                let given = if params.is_null() {
                    Value::map()
                } else {
                    params.clone()
                };
                if *expected != given {
                    return Err(StubError::ParamsMismatch {
                        operation: name,
                        expected: expected.to_json().to_string(),
                        actual: given.to_json().to_string(),
                    }
                    .into());
                }
            }
        }
        // Prepared as a call is: a customization's presigned URL is signed with the builder's
        // credentials; without them it is left out, as botocore's stubber never needs them.
        let prepared =
            client.prepare_stubbed(&name, params.clone(), rng, identity.borrow(), now)?;
        let request = match client.sign(&prepared, identity.borrow(), now, None) {
            Ok(r) => r,
            // A stubbed call sends nothing, so a missing identity only means the recorded
            // request stays unsigned.
            Err(Error::NoCredentials(_)) => prepared.to_request(),
            Err(e) => return Err(e),
        };
        let answer = {
            let mut queue = self.lock();
            let Some(next) = queue.expected.pop_front() else {
                return Err(StubError::Unexpected {
                    operation: name,
                    params: params.to_json().to_string(),
                }
                .into());
            };
            queue.requests.push(StubbedRequest {
                operation: name,
                params,
                request,
            });
            next.answer
        };
        match answer {
            Answer::Result(value) => client.finish_stubbed(&prepared, Ok(value)),
            Answer::Error(e) => client.finish_stubbed(&prepared, Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::SplitMix64;
    use crate::params;

    fn client() -> ServiceClient {
        crate::customize::test_support::s3_client()
    }

    #[test]
    fn answers_in_order_and_records_requests() {
        let s3 = client();
        let stub = Stubber::new(s3.model().clone());
        stub.add_response(
            "list_buckets",
            Some(params! {}),
            Value::from(serde_json::json!({"Buckets": [{"Name": "a"}]})),
        )
        .unwrap();
        stub.add_client_error("HeadBucket", "NoSuchBucket", "gone", 404, None)
            .unwrap();
        let now = SystemTime::UNIX_EPOCH;
        let mut rng = SplitMix64(7);
        let out = stub
            .call(
                &s3,
                "ListBuckets",
                params! {},
                &CallIdentity::Anonymous,
                now,
                &mut rng,
            )
            .unwrap();
        assert_eq!(out["Buckets"][0]["Name"].as_str(), Some("a"));
        let err = stub
            .call(
                &s3,
                "HeadBucket",
                params! {"Bucket": "b"},
                &CallIdentity::Anonymous,
                now,
                &mut rng,
            )
            .unwrap_err();
        assert_eq!(err.code(), Some("NoSuchBucket"));
        assert_eq!(err.status(), Some(404));
        let requests = stub.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[1].request.method(), "HEAD");
        stub.assert_no_pending_responses();
        let err = stub
            .call(
                &s3,
                "ListBuckets",
                params! {},
                &CallIdentity::Anonymous,
                now,
                &mut rng,
            )
            .unwrap_err();
        assert!(
            matches!(err, Error::Stub(StubError::Unexpected { .. })),
            "{err}"
        );
    }

    #[test]
    fn mismatches_fail_loudly_and_keep_the_queue() {
        let s3 = client();
        let stub = Stubber::new(s3.model().clone());
        stub.add_response(
            "GetObject",
            Some(params! {"Bucket": "b", "Key": "k"}),
            params! {},
        )
        .unwrap();
        let now = SystemTime::UNIX_EPOCH;
        let mut rng = SplitMix64(7);
        let id = CallIdentity::Anonymous;
        let err = stub
            .call(&s3, "ListBuckets", params! {}, &id, now, &mut rng)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "operation mismatch: called ListBuckets, but the next stubbed response is for GetObject"
        );
        let err = stub
            .call(
                &s3,
                "GetObject",
                params! {"Bucket": "b", "Key": "x"},
                &id,
                now,
                &mut rng,
            )
            .unwrap_err();
        let Error::Stub(StubError::ParamsMismatch {
            expected, actual, ..
        }) = &err
        else {
            panic!("{err}");
        };
        assert!(expected.contains("\"k\"") && actual.contains("\"x\""));
        assert_eq!(stub.pending(), 1);
        assert!(matches!(
            stub.check_no_pending_responses(),
            Err(StubError::Pending { count: 1, .. })
        ));
        // An answer that does not fit the output shape is refused when queued.
        let bad = stub.add_response("ListBuckets", None, params! {"Buckets": "nope"});
        assert!(matches!(bad, Err(Error::Validation(_))));
    }
}
