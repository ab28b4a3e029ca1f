//! How a stubbed call can differ from the queue: the stubber's own error, which the top-level
//! [`Error`](crate::error::Error) wraps (it names nothing else of the core, so the wrapping does
//! not make the two modules depend on each other).

/// A stubbed call that did not go as the queue said.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StubError {
    /// A call was made with nothing left in the queue.
    #[error("unexpected call to {operation} with {params}: no stubbed response is queued (not stubbed, or called more times than stubbed)")]
    Unexpected {
        /// The operation called.
        operation: String,
        /// Its parameters, as JSON.
        params: String,
    },
    /// The next queued answer is for another operation.
    #[error(
        "operation mismatch: called {actual}, but the next stubbed response is for {expected}"
    )]
    OperationMismatch {
        /// The operation of the next queued answer.
        expected: String,
        /// The operation called.
        actual: String,
    },
    /// The call's parameters differ from those the queued answer expects.
    #[error("parameters of {operation} do not match the stub: expected {expected}, called with {actual}")]
    ParamsMismatch {
        /// The operation.
        operation: String,
        /// The expected parameters, as JSON.
        expected: String,
        /// The parameters given, as JSON.
        actual: String,
    },
    /// Responses are still queued when the test said none should be.
    #[error("{count} stubbed response(s) remain in the queue: {operations:?}")]
    Pending {
        /// How many.
        count: usize,
        /// Their operations, in queue order.
        operations: Vec<String>,
    },
}
