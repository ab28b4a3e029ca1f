//! SQS: its JSON protocol errors carry query-era codes in `x-amzn-query-error`; the parser keeps
//! the body's code as `Error.QueryErrorCode`, and that (the shape name) is what picks the
//! modeled error, since SQS's shapes lack query error codes (botocore's
//! `_handle_sqs_compatible_error`).

use crate::hooks::Hooks;
use crate::value::Value;

/// Nothing to register: the parser applies `x-amzn-query-error`, and the pipeline asks
/// [`super::error_code_override`] which code selects the modeled error.
pub(crate) fn register(_hooks: &mut Hooks) {}

/// `Error.QueryErrorCode` when the parsed error has one.
pub(crate) fn error_code_override(error_fields: &Value) -> Option<&str> {
    error_fields["Error"]["QueryErrorCode"]
        .as_str()
        .filter(|c| !c.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params;

    #[test]
    fn override_only_with_query_error_code() {
        let f = params! {"Error": params!{"Code": "AWS.SimpleQueueService.NonExistentQueue", "QueryErrorCode": "QueueDoesNotExist"}};
        assert_eq!(error_code_override(&f), Some("QueueDoesNotExist"));
        let f = params! {"Error": params!{"Code": "X"}};
        assert_eq!(error_code_override(&f), None);
        assert_eq!(error_code_override(&Value::Null), None);
    }
}
