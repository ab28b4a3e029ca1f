//! S3 Control: with ruleset endpoints the account id is already in the host, so the model's
//! `{AccountId}.` host prefix must not be added again (botocore's
//! `remove_accid_host_prefix_from_model`).

use std::sync::Arc;

use crate::hooks::Hooks;
use crate::model::{Operation, ServiceModel};

/// Nothing to register: the serializer asks [`skip_host_prefix`] before expanding the prefix.
pub(crate) fn register(_hooks: &mut Hooks, _model: &Arc<ServiceModel>) {}

/// True when the operation's `{AccountId}.` host prefix is to be dropped: the prefix is exactly
/// that and the operation sets the `RequiresAccountId` static context parameter to `true`.
pub fn skip_host_prefix(operation: &Operation) -> bool {
    operation.host_prefix.as_deref() == Some("{AccountId}.")
        && operation.static_context_params.iter().any(|(name, value)| {
            name == "RequiresAccountId" && value == &serde_json::Value::Bool(true)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::test_support::model;

    #[test]
    fn account_prefix_is_skipped_where_botocore_drops_it() {
        let m = model("s3control");
        assert!(skip_host_prefix(
            m.operation("GetPublicAccessBlock").unwrap()
        ));
        let dropped = m.operations().filter(|op| skip_host_prefix(op)).count();
        let prefixed = m.operations().filter(|op| op.host_prefix.is_some()).count();
        assert!(
            dropped > 50 && dropped <= prefixed,
            "{dropped} of {prefixed}"
        );
    }
}
