//! botocore's service customizations (`handlers.py`'s `BUILTIN_HANDLERS`) as named hooks.
//!
//! Each service's customizations live in their own file and are registered by
//! [`register_builtin`] under stable names (`s3.validate-bucket-name`, `route53.fix-ids`, …), so a
//! user can list, replace or remove them like any other hook. Customizations that need the
//! service model (which operations take an alias, which responses may hide an error) decide
//! per operation on its first call and remember the answer (`PerOperation`), as botocore's
//! handlers decide per call: registration reads no operation or shape, so a client of a service
//! with hundreds of operations starts without walking them. `README.md` beside this file maps every botocore handler to its
//! hook, or says why none is needed.
//!
//! A few customizations are not hooks because the pipeline must ask for them at a precise spot:
//! [`is_unsigned_operation`] (the signer), [`error_code_override`] (the error-class lookup),
//! [`s3::endpoint_builtin_overrides`] (endpoint resolution), [`rds::generate_db_auth_token`]
//! and [`rds::dsql_generate_db_auth_token`] (client methods).

pub(crate) mod apigateway;
pub(crate) mod cloudformation;
pub(crate) mod cloudsearchdomain;
pub(crate) mod common;
pub(crate) mod ec2;
pub mod eks;
pub(crate) mod glacier;
pub(crate) mod iam;
pub(crate) mod machinelearning;
mod parameter_aliases;
pub(crate) mod polly;
pub(crate) mod rds;
pub(crate) mod route53;
pub(crate) mod s3;
pub(crate) mod s3control;
pub(crate) mod sqs;
pub(crate) mod ssooidc;
pub(crate) mod unsigned;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use crate::body::Body;
use crate::hooks::{HookError, Hooks, Target};
use crate::httpchecksum::ResponseChecksumValidation;
use crate::model::{Operation, ServiceModel};
use crate::value::{Map, Value};

pub(crate) use unsigned::{is_unsigned_operation, signature_version_override};

/// What a customization refused, with botocore's wording where botocore has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CustomizeError {
    /// An S3 bucket name that is neither a valid name nor an access-point/outpost ARN.
    #[error("Invalid bucket name \"{bucket}\": Bucket name must match the regex \"{}\" or be an ARN matching the regex \"{}\"", s3::VALID_BUCKET_PATTERN, s3::VALID_S3_ARN_PATTERN)]
    InvalidBucketName {
        /// The name given.
        bucket: String,
    },
    /// S3 user metadata with a non-ASCII key or value.
    #[error("Non ascii characters found in S3 metadata for key \"{key}\", value: \"{value}\".  \nS3 metadata can only contain ASCII characters. ")]
    NonAsciiMetadata {
        /// The metadata key.
        key: String,
        /// The metadata value.
        value: String,
    },
    /// A required member of a structured parameter is missing or not text.
    #[error("Missing required parameter: '{member}' (in {parameter})")]
    MissingMember {
        /// The parameter (`CopySource`).
        parameter: &'static str,
        /// The member (`Bucket`).
        member: &'static str,
    },
    /// A parameter and its alias were both given.
    #[error("Parameter '{original}' and its alias '{alias}' were provided for operation {operation}.  Only one of them may be used.")]
    AliasConflict {
        /// The modeled name.
        original: &'static str,
        /// The alias.
        alias: &'static str,
        /// The operation.
        operation: String,
    },
    /// A cross-region presigned URL is needed but no region is configured.
    #[error("{operation}: the client's region is needed to presign the cross-region request")]
    MissingRegion {
        /// The operation.
        operation: String,
    },
    /// `SourceRegion` is not a region name, so the cross-region URL would name no host of the
    /// service (a deliberate difference: botocore presigns such a URL and the service refuses
    /// the call).
    #[error("{operation}: SourceRegion {region:?} is not a region name (a host label: letters, digits and inner '-'); the cross-region URL is not presigned")]
    InvalidSourceRegion {
        /// The operation.
        operation: String,
        /// The `SourceRegion` given.
        region: String,
    },
    /// The injected presigner failed.
    #[error("{operation}: presigning the cross-region request failed: {message}")]
    Presign {
        /// The operation.
        operation: String,
        /// What the presigner said.
        message: String,
    },
    /// A body the customization must read is a stream the core cannot read.
    #[error("{operation}: {what} must be computed over the body, which is a stream; give it as a parameter or give the body in memory")]
    StreamingBody {
        /// The operation.
        operation: String,
        /// What could not be computed.
        what: &'static str,
    },
    /// An EKS token cannot be made as asked (not an STS client, a cluster name that cannot be
    /// sent as a header).
    #[error("EKS token: {0}")]
    EksToken(String),
    /// A presigned POST asked of a client that is not S3's (botocore's
    /// `generate_presigned_post` is an S3 client's method).
    #[error("a presigned POST is an S3 upload form: use an s3 client, not {0}")]
    PresignedPostNeedsS3(String),
    /// DSQL auth tokens are for `DbConnect` or `DbConnectAdmin` only.
    #[error("Received {0} for action but expected one of: DbConnect, DbConnectAdmin")]
    InvalidDsqlAction(String),
    /// A request URI the customization had to edit is not valid.
    #[error("invalid request URI after customization: {0}")]
    InvalidUri(String),
    /// An ARN S3 Control does not take where it was given (botocore's
    /// `UnsupportedS3ControlArnError`).
    #[error("S3 ARN \"{arn}\" provided is invalid for this operation. {message}")]
    UnsupportedS3ControlArn {
        /// The ARN given.
        arn: String,
        /// Why it is refused.
        message: String,
    },
    /// A client setting S3 Control cannot honour (botocore's
    /// `UnsupportedS3ControlConfigurationError`).
    #[error("Unsupported configuration when using S3 Control: {0}")]
    UnsupportedS3ControlConfiguration(String),
}

impl CustomizeError {
    /// Whether botocore's handler refuses this as `ParamValidationError` (a problem with the
    /// parameters: a bucket name, metadata, `CopySource`), so a call reports it as
    /// [`Error::Validation`](crate::Error::Validation).
    pub(crate) fn is_parameter_problem(&self) -> bool {
        matches!(
            self,
            CustomizeError::InvalidBucketName { .. }
                | CustomizeError::NonAsciiMetadata { .. }
                | CustomizeError::MissingMember { .. }
        )
    }
}

impl From<CustomizeError> for HookError {
    fn from(e: CustomizeError) -> Self {
        HookError::from_source(e)
    }
}

/// A request to presign, as botocore hands it to its presigner: a `GET` whose query string
/// carries the operation's parameters, with no headers and no body.
#[derive(Debug)]
pub(crate) struct PresignInput {
    /// The request to presign.
    pub request: http::Request<Body>,
    /// The signing region.
    pub region: String,
    /// The signing name when it is not the client's (`rds-db`, `dsql`).
    pub signing_name: Option<&'static str>,
    /// How long the URL stays valid.
    pub expires_in: std::time::Duration,
    /// The operation (or action) name, for the presigner's own use.
    #[allow(dead_code)] // set for every presign; no presigner reads it yet
    pub operation: String,
    /// The calling request's credentials and time (from its [`CallContext`](crate::hooks::CallContext)).
    pub identity: Option<crate::hooks::SigningIdentity>,
}

/// Presigns requests on the client's behalf (credentials and clock are the client's, so the core
/// only describes the request). Used by RDS/Neptune/DocumentDB's `PreSignedUrl` and EC2's
/// `CopySnapshot` `PresignedUrl`.
pub(crate) trait Presigner: Send + Sync {
    /// Presign `input.request` with SigV4 query parameters; returns the URL.
    fn presign(&self, input: PresignInput) -> Result<String, String>;
}

/// What the customizations need from the client's configuration.
#[derive(Clone, Default)]
pub(crate) struct CustomizeConfig {
    /// The client's region (the destination region of cross-region copies).
    pub region: Option<String>,
    /// `response_checksum_validation`: `when_supported` turns response validation on by
    /// default (sets the operation's `ChecksumMode` member to `ENABLED`).
    pub response_checksum_validation: ResponseChecksumValidation,
    /// Presigns cross-region requests; without one, `PreSignedUrl`/`PresignedUrl` are not
    /// filled in (the caller may still give them).
    pub presigner: Option<Arc<dyn Presigner>>,
    /// `s3.use_accelerate_endpoint` (S3 Control refuses ARNs with it).
    pub s3_use_accelerate: bool,
}

impl fmt::Debug for CustomizeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomizeConfig")
            .field("region", &self.region)
            .field(
                "response_checksum_validation",
                &self.response_checksum_validation,
            )
            .field("presigner", &self.presigner.is_some())
            .field("s3_use_accelerate", &self.s3_use_accelerate)
            .finish()
    }
}

/// A customization's answer per operation (does it take the alias, may its 200 response hide
/// an error), worked out from the model on the operation's first call and remembered, so a
/// repeated call costs one hash lookup under a shared lock. Only operations of the model are
/// remembered (the client only calls those), so the memory is bounded by the model.
pub(crate) struct PerOperation<T> {
    model: Arc<ServiceModel>,
    answers: RwLock<HashMap<Box<str>, T, foldhash::fast::FixedState>>,
}

impl<T: Clone> PerOperation<T> {
    /// Answers about `model`'s operations.
    pub(crate) fn new(model: &Arc<ServiceModel>) -> Self {
        PerOperation {
            model: Arc::clone(model),
            answers: RwLock::default(),
        }
    }

    /// The model the answers are about.
    pub(crate) fn model(&self) -> &ServiceModel {
        &self.model
    }

    /// The answer for `operation` (its exact model name, as the client passes it): remembered,
    /// else `decide`'s for it. `None` when the model has no operation of that name (or its
    /// definition is malformed: the client refuses the call before any hook runs).
    pub(crate) fn get(
        &self,
        operation: &str,
        decide: impl FnOnce(&ServiceModel, &Operation) -> T,
    ) -> Option<T> {
        // A poisoned lock only means another thread panicked mid-insert; the map is still sound.
        if let Some(answer) = self
            .answers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(operation)
        {
            return Some(answer.clone());
        }
        let op = self
            .model
            .operation(operation)
            .filter(|op| op.name == operation)?;
        let answer = decide(&self.model, op);
        self.answers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(operation.into(), answer.clone());
        Some(answer)
    }

    /// How many operations have an answer (for tests).
    #[cfg(test)]
    pub(crate) fn remembered(&self) -> usize {
        self.answers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// Register every built-in customization of `service` (botocore's service name: `s3`, `ec2`,
/// `cognito-identity`, …) for a client of `model`, plus those that apply to every service.
pub(crate) fn register_builtin(
    hooks: &mut Hooks,
    service: &str,
    model: &Arc<ServiceModel>,
    config: &CustomizeConfig,
) {
    // botocore registers parameter aliases first (REGISTER_FIRST).
    common::register_aliases(hooks, service, model);
    common::register(hooks, service, model, config);
    match service {
        "s3" => s3::register(hooks, model),
        "s3control" => s3control::register(hooks, model, config),
        "ec2" => ec2::register(hooks, config),
        "autoscaling" => ec2::register_autoscaling(hooks),
        "iam" => iam::register(hooks, model),
        "cloudformation" => cloudformation::register(hooks),
        "route53" => route53::register(hooks, model),
        "glacier" => glacier::register(hooks, model),
        "apigateway" => apigateway::register(hooks),
        "rds" | "neptune" | "docdb" => rds::register(hooks, service, config),
        "sqs" => sqs::register(hooks),
        "sso-oidc" => ssooidc::register(hooks),
        "cloudsearchdomain" => cloudsearchdomain::register(hooks),
        "machinelearning" => machinelearning::register(hooks),
        "polly" => polly::register(hooks),
        _ => {}
    }
}

/// botocore's per-call `error_code_override`: the code to look the modeled error class up by,
/// when it differs from `Error.Code`. `error_fields` is the parsed error (`{"Error": {...}}`).
pub(crate) fn error_code_override<'a>(service: &str, error_fields: &'a Value) -> Option<&'a str> {
    match service {
        "sqs" => sqs::error_code_override(error_fields),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the service files.

/// The parameter map of a `BeforeParameterBuild` hook (`None` for other targets or non-maps,
/// which the validator reports).
pub(crate) fn params_mut<'t>(target: &'t mut Target<'_>) -> Option<&'t mut Map> {
    match target {
        Target::Params(Value::Map(m)) => Some(m),
        _ => None,
    }
}

/// The parsed result map of an `AfterCall` / `OnError` hook.
pub(crate) fn result_mut<'t>(target: &'t mut Target<'_>) -> Option<&'t mut Map> {
    match target {
        Target::Result(Value::Map(m)) => Some(m),
        _ => None,
    }
}

/// The request of a `BeforeCall` / `BeforeSign` / `BeforeSend` hook.
pub(crate) fn request_mut<'t>(target: &'t mut Target<'_>) -> Option<&'t mut http::Request<Body>> {
    match target {
        Target::Request(r) => Some(r),
        _ => None,
    }
}

/// Put on a 2xx response by a `BeforeParse` hook that left part of its check to the parser, so
/// the body is read once rather than twice: if the body then fails to parse (or its checksum
/// does not match), the function decides from the body whether it is parsed again as a 500
/// (an error, and retried as one) instead.
#[derive(Clone, Copy)]
pub(crate) struct ServerErrorIfUnparsable(pub fn(&[u8]) -> bool);

/// The response of a `BeforeParse` hook.
pub(crate) fn response_mut<'t>(target: &'t mut Target<'_>) -> Option<&'t mut http::Response<Body>> {
    match target {
        Target::Response(r) => Some(r),
        _ => None,
    }
}

/// Python's `quote(s, safe='-._~' + extra)` (botocore's `percent_encode`) and `unquote` /
/// `unquote_plus`, as the customizations call them: the core's one encoding module.
pub(crate) use crate::encoding::{percent_decode, percent_encode};

pub(crate) use crate::form::{set_body, FormBody};

#[cfg(test)]
pub(crate) mod test_support {
    //! Real botocore models for the customization tests (from the embedded data).
    use std::sync::Arc;

    use crate::model::ServiceModel;

    /// Run `hooks`' `BeforeParameterBuild` handlers for `service`.`operation` over `params`.
    pub(crate) fn before_parameter_build(
        hooks: &crate::hooks::Hooks,
        service: &str,
        operation: &str,
        params: &mut crate::value::Value,
    ) -> Result<(), crate::hooks::HookError> {
        hooks.run(
            crate::hooks::Event::BeforeParameterBuild,
            &crate::hooks::CallInfo::new(service, operation),
            &mut crate::hooks::Target::Params(params),
        )
    }

    /// Load `service`'s newest model from the sansboto-models crate.
    pub(crate) fn model(service: &str) -> Arc<ServiceModel> {
        let loader = sansboto_models::Loader::new();
        let json = loader
            .load(service, None, sansboto_models::FileKind::ServiceModel)
            .unwrap_or_else(|e| panic!("loading the {service} model: {e}"));
        ServiceModel::from_json(&json).unwrap_or_else(|e| panic!("parsing {service}: {e}"))
    }

    /// An S3 client in us-east-1 on a local endpoint nothing listens on (for tests that prepare
    /// or parse without sending).
    pub(crate) fn s3_client() -> crate::client::ServiceClient {
        let mut config = crate::client::ClientConfig::default();
        config.endpoint.region = Some("us-east-1".into());
        config.endpoint.endpoint_url = Some("http://127.0.0.1:1".into());
        s3_client_with(config)
    }

    /// An S3 client with `config`.
    pub(crate) fn s3_client_with(
        config: crate::client::ClientConfig,
    ) -> crate::client::ServiceClient {
        use crate::endpoint::{Partitions, RuleSet};
        let loader = sansboto_models::Loader::new();
        let ruleset = loader
            .load("s3", None, sansboto_models::FileKind::EndpointRuleSet)
            .map_err(|e| e.to_string())
            .and_then(|json| RuleSet::from_json(&json).map_err(|e| e.to_string()))
            .unwrap_or_else(|e| panic!("the s3 ruleset: {e}"));
        let partitions = loader
            .load_top_level(sansboto_models::TopLevelFile::Partitions)
            .map_err(|e| e.to_string())
            .and_then(|json| Partitions::from_json(&json).map_err(|e| e.to_string()))
            .unwrap_or_else(|e| panic!("partitions: {e}"));
        crate::client::ServiceClient::new("s3", model("s3"), Some(ruleset), partitions, config)
            .unwrap_or_else(|e| panic!("the s3 client: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_body_edits_keep_order() {
        let mut f = FormBody::parse(
            b"Action=CopyDBSnapshot&Version=2014-10-31&SourceRegion=us-west-2&X=a%2Fb",
        );
        assert_eq!(f.get("X").as_deref(), Some("a/b"));
        assert_eq!(f.remove("SourceRegion").as_deref(), Some("us-west-2"));
        f.set("Action", "Other");
        f.set("PreSignedUrl", "https://h/?a=b&c");
        assert_eq!(
            &f.to_bytes()[..],
            b"Action=Other&Version=2014-10-31&X=a%2Fb&PreSignedUrl=https%3A%2F%2Fh%2F%3Fa%3Db%26c"
        );
        assert!(!f.contains("SourceRegion"));
    }

    #[test]
    fn per_operation_answers_are_decided_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let answers = PerOperation::new(&test_support::model("ec2"));
        let decided = AtomicUsize::new(0);
        let has_input = |_: &ServiceModel, op: &Operation| {
            decided.fetch_add(1, Ordering::Relaxed);
            op.input.is_some()
        };
        assert_eq!(answers.remembered(), 0, "nothing decided at creation");
        for _ in 0..3 {
            assert_eq!(answers.get("DescribeInstances", has_input), Some(true));
        }
        assert_eq!(decided.load(Ordering::Relaxed), 1);
        assert_eq!(answers.get("DescribeNothing", has_input), None);
        assert_eq!(answers.get("describe_instances", has_input), None);
        assert_eq!(decided.load(Ordering::Relaxed), 1);
        assert_eq!(answers.remembered(), 1, "only model operations are kept");
    }

    #[test]
    fn register_builtin_names_every_hook() {
        use crate::hooks::Event;
        let mut hooks = Hooks::new();
        register_builtin(
            &mut hooks,
            "s3",
            &test_support::model("s3"),
            &CustomizeConfig::default(),
        );
        let build: Vec<_> = hooks.names(Event::BeforeParameterBuild).collect();
        assert_eq!(
            build,
            [
                "request-validation-mode-member",
                "s3.validate-bucket-name",
                "s3.set-list-objects-encoding-type-url",
                "s3.file-like-body",
                "s3.handle-copy-source",
                "s3.validate-ascii-metadata",
                "s3.sse-customer-key-md5",
                "s3.copy-source-sse-customer-key-md5",
            ]
        );
        assert_eq!(
            hooks.names(Event::BeforeParse).collect::<Vec<_>>(),
            [
                "s3.handle-200-error",
                "s3.handle-expires-header",
                "s3.parse-get-bucket-location"
            ]
        );
        let mut ec2 = Hooks::new();
        register_builtin(
            &mut ec2,
            "ec2",
            &test_support::model("ec2"),
            &CustomizeConfig::default(),
        );
        assert_eq!(
            ec2.names(Event::BeforeParameterBuild).next(),
            Some("ec2.alias-Filter-Filters"),
            "aliases run first"
        );
    }

    #[test]
    fn sqs_override_reads_query_error_code() {
        let fields = crate::params! {"Error": crate::params!{"Code": "AWS.SimpleQueueService.NonExistentQueue", "QueryErrorCode": "QueueDoesNotExist"}};
        assert_eq!(
            error_code_override("sqs", &fields),
            Some("QueueDoesNotExist")
        );
        assert_eq!(error_code_override("sns", &fields), None);
    }
}
