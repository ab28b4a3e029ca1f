//! RDS, Neptune and DocumentDB: the cross-region `PreSignedUrl` of copy/replica operations, and
//! the IAM database auth tokens of RDS and Aurora DSQL (presigned URLs without the scheme).
//!
//! Presigning needs credentials and a clock, which the core does not hold: the URL is computed by
//! an injected [`Presigner`]; this module decides when one is needed and what is presigned.

use std::time::Duration;

use super::{
    request_mut, set_body, CustomizeConfig, CustomizeError, FormBody, PresignInput, Presigner,
};
use crate::body::Body;
use crate::hooks::{CallContext, SigningIdentity, StubbedCall};
use crate::hooks::{Event, Hooks};

/// botocore's `generate_presigned_url` default lifetime.
pub(crate) const CROSS_REGION_EXPIRES_IN: Duration = Duration::from_secs(3600);
/// Lifetime of RDS and DSQL auth tokens by default (15 minutes).
pub(crate) const DB_AUTH_TOKEN_EXPIRES_IN: Duration = Duration::from_secs(900);

/// The operations that get a `PreSignedUrl` when `SourceRegion` is given.
pub(crate) fn presigned_url_operations(service: &str) -> &'static [&'static str] {
    match service {
        "rds" => &[
            "CopyDBClusterSnapshot",
            "CreateDBCluster",
            "CopyDBSnapshot",
            "CreateDBInstanceReadReplica",
            "StartDBInstanceAutomatedBackupsReplication",
        ],
        "neptune" | "docdb" => &["CopyDBClusterSnapshot", "CreateDBCluster"],
        _ => &[],
    }
}

/// Register `service`'s (`rds`, `neptune`, `docdb`) `PreSignedUrl` hook.
pub(crate) fn register(hooks: &mut Hooks, service: &str, config: &CustomizeConfig) {
    let operations = presigned_url_operations(service);
    let region = config.region.clone();
    let presigner = config.presigner.clone();
    hooks.register(
        Event::BeforeCall,
        &format!("{service}.inject-presigned-url"),
        service,
        move |call, t| {
            if !operations.contains(&call.operation) {
                return Ok(());
            }
            let Some(r) = request_mut(t) else {
                return Ok(());
            };
            let Some(identity) = presigning_identity(call.context) else {
                return Ok(());
            };
            inject_presigned_url_rds(
                r,
                call.operation,
                region.as_deref(),
                presigner.as_deref(),
                identity,
            )
            .map_err(Into::into)
        },
    );
}

/// The credentials a call's cross-region URL is presigned with (`Some(None)` when it has none:
/// the presigner then says what is missing), or `None` to leave the request as it is: a stubbed
/// call without credentials, since botocore's stubber answers before this customization runs.
pub(crate) fn presigning_identity(
    context: Option<&CallContext>,
) -> Option<Option<SigningIdentity>> {
    let identity = context.and_then(|c| c.get::<SigningIdentity>());
    let stubbed = context.is_some_and(|c| c.get::<StubbedCall>().is_some());
    match identity {
        None if stubbed => None,
        identity => Some(identity),
    }
}

/// A copy of a serialized query-protocol request made ready for presigning in `source_region`:
/// `DestinationRegion` set, the destination region in the URL replaced by the source region,
/// `GET`, no headers, the form parameters moved after the URL's query.
pub(crate) fn cross_region_request(
    request: &http::Request<Body>,
    form: &FormBody,
    source_region: &str,
    destination_region: &str,
    operation: &str,
) -> Result<http::Request<Body>, CustomizeError> {
    // botocore puts any text there into the URL; a value that is no region name (a typo, a
    // stray space) would only be refused by the service, after a round trip.
    if source_region.is_empty() || crate::client::check_region_name(source_region).is_err() {
        return Err(CustomizeError::InvalidSourceRegion {
            operation: operation.to_string(),
            region: source_region.to_string(),
        });
    }
    let mut form = form.clone();
    form.set("DestinationRegion", destination_region);
    let mut url = request
        .uri()
        .to_string()
        .replace(destination_region, source_region);
    let query = form.to_query();
    if !query.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query);
    }
    let uri: http::Uri = url
        .parse()
        .map_err(|_| CustomizeError::InvalidUri(url.clone()))?;
    let mut copy = http::Request::new(Body::Empty);
    *copy.method_mut() = http::Method::GET;
    *copy.uri_mut() = uri;
    Ok(copy)
}

fn presign_with(
    presigner: Option<&dyn Presigner>,
    request: http::Request<Body>,
    source_region: &str,
    operation: &str,
    identity: Option<SigningIdentity>,
) -> Result<String, CustomizeError> {
    let presigner = presigner.ok_or_else(|| CustomizeError::Presign {
        operation: operation.to_string(),
        message: "no presigner is configured for cross-region requests".into(),
    })?;
    presigner
        .presign(PresignInput {
            request,
            region: source_region.to_string(),
            signing_name: None,
            expires_in: CROSS_REGION_EXPIRES_IN,
            operation: operation.to_string(),
            identity,
        })
        .map_err(|message| CustomizeError::Presign {
            operation: operation.to_string(),
            message,
        })
}

/// botocore's `inject_presigned_url_rds`: with `SourceRegion` in the body, remove it (it is not
/// a real parameter) and, unless the caller gave `PreSignedUrl`, add one presigned in the source
/// region. Without `SourceRegion` (a same-region copy) nothing changes.
pub(crate) fn inject_presigned_url_rds(
    request: &mut http::Request<Body>,
    operation: &str,
    destination_region: Option<&str>,
    presigner: Option<&dyn Presigner>,
    identity: Option<SigningIdentity>,
) -> Result<(), CustomizeError> {
    let Some(body) = request.body().as_bytes() else {
        return Ok(());
    };
    let mut form = FormBody::parse(body);
    let Some(source_region) = form.remove("SourceRegion") else {
        return Ok(());
    };
    if !form.contains("PreSignedUrl") {
        let destination = destination_region.ok_or_else(|| CustomizeError::MissingRegion {
            operation: operation.to_string(),
        })?;
        let copy = cross_region_request(request, &form, &source_region, destination, operation)?;
        let url = presign_with(presigner, copy, &source_region, operation, identity)?;
        form.set("PreSignedUrl", &url);
    }
    set_body(request, form.to_bytes());
    Ok(())
}

/// botocore's `inject_presigned_url_ec2` (EC2 `CopySnapshot`): unless the caller gave
/// `PresignedUrl`, add one presigned in `SourceRegion`, and send `DestinationRegion`.
pub(crate) fn inject_presigned_url_ec2(
    request: &mut http::Request<Body>,
    operation: &str,
    destination_region: Option<&str>,
    presigner: Option<&dyn Presigner>,
    identity: Option<SigningIdentity>,
) -> Result<(), CustomizeError> {
    let Some(body) = request.body().as_bytes() else {
        return Ok(());
    };
    let mut form = FormBody::parse(body);
    if form.contains("PresignedUrl") {
        return Ok(());
    }
    let destination = destination_region.ok_or_else(|| CustomizeError::MissingRegion {
        operation: operation.to_string(),
    })?;
    // SourceRegion is required by the model; the validator has checked it.
    let source_region = form.get("SourceRegion").unwrap_or_default();
    let copy = cross_region_request(request, &form, &source_region, destination, operation)?;
    let url = presign_with(presigner, copy, &source_region, operation, identity)?;
    form.set("PresignedUrl", &url);
    form.set("DestinationRegion", destination);
    set_body(request, form.to_bytes());
    Ok(())
}

fn strip_scheme(url: String) -> String {
    match url.strip_prefix("https://") {
        Some(rest) => rest.to_string(),
        None => url,
    }
}

/// RDS IAM auth token (botocore's `generate_db_auth_token`): a URL for
/// `https://<host>:<port>/?Action=connect&DBUser=<user>` presigned for `rds-db` in `region`,
/// valid 15 minutes, returned without its `https://`.
pub(crate) fn generate_db_auth_token(
    hostname: &str,
    port: u16,
    username: &str,
    region: &str,
    presign: impl FnOnce(PresignInput) -> Result<String, String>,
) -> Result<String, CustomizeError> {
    let url = format!(
        "https://{hostname}:{port}/?Action=connect&DBUser={}",
        super::percent_encode(username, b"")
    );
    auth_token(
        &url,
        region,
        "rds-db",
        DB_AUTH_TOKEN_EXPIRES_IN,
        "connect",
        presign,
    )
}

/// Aurora DSQL auth token (botocore's `generate_db_connect_auth_token` and
/// `generate_db_connect_admin_auth_token`): `action` is `DbConnect` or `DbConnectAdmin`.
#[allow(dead_code)] // not called by the call pipeline yet; its unit tests keep it true to botocore
pub(crate) fn dsql_generate_db_auth_token(
    hostname: &str,
    action: &str,
    region: &str,
    expires_in: Duration,
    presign: impl FnOnce(PresignInput) -> Result<String, String>,
) -> Result<String, CustomizeError> {
    if !matches!(action, "DbConnect" | "DbConnectAdmin") {
        return Err(CustomizeError::InvalidDsqlAction(action.to_string()));
    }
    let url = format!("https://{hostname}/?Action={action}");
    auth_token(&url, region, "dsql", expires_in, action, presign)
}

fn auth_token(
    url: &str,
    region: &str,
    signing_name: &'static str,
    expires_in: Duration,
    operation: &str,
    presign: impl FnOnce(PresignInput) -> Result<String, String>,
) -> Result<String, CustomizeError> {
    let uri: http::Uri = url
        .parse()
        .map_err(|_| CustomizeError::InvalidUri(url.to_string()))?;
    let mut request = http::Request::new(Body::Empty);
    *request.uri_mut() = uri;
    let presigned = presign(PresignInput {
        request,
        region: region.to_string(),
        signing_name: Some(signing_name),
        expires_in,
        operation: operation.to_string(),
        // The caller's presign closure brings its own credentials.
        identity: None,
    })
    .map_err(|message| CustomizeError::Presign {
        operation: operation.to_string(),
        message,
    })?;
    Ok(strip_scheme(presigned))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooks::{CallInfo, Target};
    use std::sync::{Arc, Mutex};

    /// Records what it was asked and answers with a URL naming the request.
    /// (url, region, signing name, expiry seconds) per call.
    type Call = (String, String, Option<&'static str>, u64);
    struct Recorder(Mutex<Vec<Call>>);

    impl Presigner for Recorder {
        fn presign(&self, input: PresignInput) -> Result<String, String> {
            let url = input.request.uri().to_string();
            self.0.lock().unwrap().push((
                url.clone(),
                input.region,
                input.signing_name,
                input.expires_in.as_secs(),
            ));
            assert_eq!(input.request.method(), http::Method::GET);
            assert!(input.request.headers().is_empty());
            Ok(format!("{url}&X-Amz-Signature=sig"))
        }
    }

    fn request(body: &str) -> http::Request<Body> {
        http::Request::builder()
            .method("POST")
            .uri("https://rds.us-east-1.amazonaws.com/")
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(Body::from(body.as_bytes().to_vec()))
            .unwrap()
    }

    #[test]
    fn rds_presigned_url_is_injected_and_source_region_removed() {
        let recorder = Arc::new(Recorder(Mutex::new(Vec::new())));
        let config = CustomizeConfig {
            region: Some("us-east-1".into()),
            presigner: Some(recorder.clone()),
            ..CustomizeConfig::default()
        };
        let mut hooks = Hooks::new();
        register(&mut hooks, "rds", &config);
        let mut r = request("Action=CopyDBSnapshot&Version=2014-10-31&SourceDBSnapshotIdentifier=arn%3Asnap&SourceRegion=us-west-2");
        hooks
            .run(
                Event::BeforeCall,
                &CallInfo::new("rds", "CopyDBSnapshot"),
                &mut Target::Request(&mut r),
            )
            .unwrap();
        let calls = recorder.0.lock().unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].0, "https://rds.us-west-2.amazonaws.com/?Action=CopyDBSnapshot&Version=2014-10-31&SourceDBSnapshotIdentifier=arn%3Asnap&DestinationRegion=us-east-1");
        assert_eq!(calls[0].1, "us-west-2");
        assert_eq!(calls[0].3, 3600);
        let body = String::from_utf8(r.body().as_bytes().unwrap().to_vec()).unwrap();
        assert_eq!(body, "Action=CopyDBSnapshot&Version=2014-10-31&SourceDBSnapshotIdentifier=arn%3Asnap&PreSignedUrl=https%3A%2F%2Frds.us-west-2.amazonaws.com%2F%3FAction%3DCopyDBSnapshot%26Version%3D2014-10-31%26SourceDBSnapshotIdentifier%3Darn%253Asnap%26DestinationRegion%3Dus-east-1%26X-Amz-Signature%3Dsig");
    }

    #[test]
    fn rds_without_source_region_or_with_given_url() {
        let mut r = request("Action=CopyDBSnapshot&X=1");
        inject_presigned_url_rds(&mut r, "CopyDBSnapshot", Some("us-east-1"), None, None).unwrap();
        assert_eq!(r.body().as_bytes().unwrap(), b"Action=CopyDBSnapshot&X=1");
        let mut r = request("Action=CopyDBSnapshot&SourceRegion=us-west-2&PreSignedUrl=given");
        inject_presigned_url_rds(&mut r, "CopyDBSnapshot", Some("us-east-1"), None, None).unwrap();
        assert_eq!(
            r.body().as_bytes().unwrap(),
            b"Action=CopyDBSnapshot&PreSignedUrl=given"
        );
        let mut r = request("Action=CopyDBSnapshot&SourceRegion=us-west-2");
        let err = inject_presigned_url_rds(&mut r, "CopyDBSnapshot", Some("us-east-1"), None, None)
            .unwrap_err();
        assert!(err.to_string().contains("no presigner"), "{err}");
    }

    #[test]
    fn a_source_region_that_is_no_region_name_is_refused_by_name() {
        let recorder = Recorder(Mutex::new(Vec::new()));
        for bad in ["us-west-2 ", "a/b", "caf\u{e9}", "`", ""] {
            let body = format!(
                "Action=CopyDBSnapshot&SourceRegion={}",
                crate::encoding::form_encode(bad)
            );
            let mut r = request(&body);
            let err = inject_presigned_url_rds(
                &mut r,
                "CopyDBSnapshot",
                Some("us-east-1"),
                Some(&recorder),
                None,
            )
            .unwrap_err();
            assert!(
                matches!(&err, CustomizeError::InvalidSourceRegion { operation, region }
                    if operation == "CopyDBSnapshot" && region == bad),
                "{bad:?}: {err:?}"
            );
        }
        assert!(recorder.0.lock().unwrap().is_empty(), "nothing presigned");
    }

    #[test]
    fn ec2_copy_snapshot_gets_url_and_destination() {
        let recorder = Recorder(Mutex::new(Vec::new()));
        let mut r = http::Request::builder()
            .method("POST")
            .uri("https://ec2.us-east-1.amazonaws.com/")
            .body(Body::from(
                b"Action=CopySnapshot&Version=2016-11-15&SourceRegion=us-west-2&SourceSnapshotId=snap-1"
                    .to_vec(),
            ))
            .unwrap();
        inject_presigned_url_ec2(
            &mut r,
            "CopySnapshot",
            Some("us-east-1"),
            Some(&recorder),
            None,
        )
        .unwrap();
        let body = String::from_utf8(r.body().as_bytes().unwrap().to_vec()).unwrap();
        assert!(body.starts_with("Action=CopySnapshot&Version=2016-11-15&SourceRegion=us-west-2&SourceSnapshotId=snap-1&PresignedUrl=https%3A%2F%2Fec2.us-west-2.amazonaws.com%2F%3F"), "{body}");
        assert!(body.ends_with("&DestinationRegion=us-east-1"), "{body}");
        // A caller-given URL is kept and nothing else changes.
        let mut r = http::Request::builder()
            .method("POST")
            .uri("https://ec2.us-east-1.amazonaws.com/")
            .body(Body::from(b"Action=CopySnapshot&PresignedUrl=x".to_vec()))
            .unwrap();
        inject_presigned_url_ec2(&mut r, "CopySnapshot", None, None, None).unwrap();
        assert_eq!(
            r.body().as_bytes().unwrap(),
            b"Action=CopySnapshot&PresignedUrl=x"
        );
    }

    #[test]
    fn db_auth_tokens() {
        let token =
            generate_db_auth_token("db.example.com", 5432, "my user", "us-west-2", |input| {
                assert_eq!(input.signing_name, Some("rds-db"));
                assert_eq!(input.region, "us-west-2");
                assert_eq!(input.expires_in.as_secs(), 900);
                Ok(format!("{}&X-Amz-Signature=s", input.request.uri()))
            })
            .unwrap();
        assert_eq!(
            token,
            "db.example.com:5432/?Action=connect&DBUser=my%20user&X-Amz-Signature=s"
        );
        let token = dsql_generate_db_auth_token(
            "c.dsql.us-east-1.on.aws",
            "DbConnectAdmin",
            "us-east-1",
            Duration::from_secs(60),
            |input| {
                assert_eq!(input.signing_name, Some("dsql"));
                Ok(input.request.uri().to_string())
            },
        )
        .unwrap();
        assert_eq!(token, "c.dsql.us-east-1.on.aws/?Action=DbConnectAdmin");
        let err = dsql_generate_db_auth_token("h", "Drop", "r", Duration::from_secs(1), |_| {
            Ok(String::new())
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Received Drop for action but expected one of: DbConnect, DbConnectAdmin"
        );
    }
}
