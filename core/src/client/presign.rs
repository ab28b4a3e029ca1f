//! Presigning for a [`ServiceClient`]: botocore's `generate_presigned_url` for any operation
//! (SigV4 query signing; an unsigned client gives the plain URL, as botocore's `UNSIGNED` does),
//! the EKS token `aws eks get-token` builds from a presigned STS `GetCallerIdentity`, and the
//! presigner customizations use for the URLs they inject (RDS `PreSignedUrl`, EC2
//! `CopySnapshot` `PresignedUrl`, RDS auth tokens).

use std::time::{Duration, SystemTime};

use http::{HeaderName, HeaderValue, Method};

use crate::auth::{
    presign_post, AuthScheme, Credentials, Identity, PresignPostInput, PresignedPost,
    SigningKeyCache,
};
use crate::body::Body;
use crate::customize;
use crate::error::Error;
use crate::hooks::PresignRequest;
use crate::machine::RandomSource;
use crate::value::Value;

use super::ServiceClient;

/// What a presigned URL is signed for beyond the operation's own request.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct PresignOptions {
    /// The HTTP method the URL is signed for (botocore's `HttpMethod`); the operation's when
    /// `None` (so a query-protocol URL is signed for `POST`, as botocore signs it).
    pub http_method: Option<Method>,
    /// Headers signed with the URL, which whoever uses it must send with it (EKS's
    /// `x-k8s-aws-id`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl PresignOptions {
    /// Signed for `method`.
    pub fn method(mut self, method: Method) -> Self {
        self.http_method = Some(method);
        self
    }

    /// With `name: value` signed.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }
}

impl ServiceClient {
    /// A presigned URL for any operation (SigV4 query signing), valid for `expires_in` (at most
    /// 7 days); an unsigned client's is the plain URL (see [`presign_with`](Self::presign_with)).
    pub fn presign(
        &self,
        operation: &str,
        params: Value,
        credentials: &Credentials,
        now: SystemTime,
        expires_in: Duration,
        rng: &mut dyn RandomSource,
    ) -> Result<String, Error> {
        self.presign_with(
            operation,
            params,
            Some(credentials),
            now,
            expires_in,
            &PresignOptions::default(),
            rng,
        )
    }

    /// [`presign`](Self::presign) with `options`, and without credentials for an unsigned
    /// client: botocore's `UNSIGNED` presigner signs nothing and returns the request's URL as
    /// it is (a query-protocol operation's parameters, which travel in the body, are not in
    /// it). A signed client without `credentials` is [`Error::NoCredentials`].
    #[allow(clippy::too_many_arguments)]
    pub fn presign_with(
        &self,
        operation: &str,
        params: Value,
        credentials: Option<&Credentials>,
        now: SystemTime,
        expires_in: Duration,
        options: &PresignOptions,
        rng: &mut dyn RandomSource,
    ) -> Result<String, Error> {
        let identity = credentials.map_or(Identity::Anonymous, Identity::Credentials);
        let context = super::signing_context(identity, now);
        context.insert(PresignRequest);
        let mut prepared = self.prepare_for(operation, params, rng, context)?;
        if self.config.unsigned {
            return Ok(prepared.parts.uri.to_string());
        }
        // botocore's presigner leaves the model's auth traits aside (only an endpoint's
        // authSchemes choose its signer): an operation the model leaves unsigned is presigned
        // with SigV4, and an unsigned-body one (`v4-unsigned-body`, Lex's
        // `RecognizeUtterance`) hashes its (emptied) payload, outside S3's rules. The
        // exceptions are the operations its `choose-signer` handlers always send unsigned,
        // whose URL is the request's as it is, and bearer-token operations, which have no
        // query form of their auth (`UnsupportedSignatureVersionError: bearer-query`).
        match &mut prepared.scheme {
            AuthScheme::Anonymous
                if customize::unsigned::is_unsigned_operation(
                    &self.service,
                    &prepared.operation,
                ) =>
            {
                return Ok(prepared.parts.uri.to_string())
            }
            AuthScheme::Anonymous => prepared.scheme = AuthScheme::SigV4(Default::default()),
            AuthScheme::Bearer => {
                return Err(Error::Auth(crate::auth::AuthError::NoPresignForm(
                    "bearer-query",
                )))
            }
            AuthScheme::SigV4(flags) if !flags.s3 => flags.unsigned_payload = false,
            _ => {}
        }
        let credentials = credentials.ok_or_else(|| {
            Error::NoCredentials(format!(
                "presigning {}.{} needs credentials",
                self.service, prepared.operation
            ))
        })?;
        // The content type stays and is signed, as botocore's query presigner keeps it (the
        // signer drops a form body's as it moves the parameters into the URL); no user agent
        // goes with a presigned URL.
        prepared.parts.headers.remove(http::header::USER_AGENT);
        // S3's URL never carries its body (sent later, `UNSIGNED-PAYLOAD`): sansboto presigns
        // S3 with SigV4 where botocore's default, Signature Version 2, leaves the body aside;
        // botocore's SigV4 presigner would refuse an XML body it cannot move into the URL.
        if self.service == "s3" {
            prepared.body = Body::Empty;
        }
        if let Some(method) = &options.http_method {
            prepared.parts.method = method.clone();
        }
        for (name, value) in &options.headers {
            prepared.parts.headers.insert(name.clone(), value.clone());
        }
        // A directory bucket's URL is signed with its S3 Express session, made beforehand.
        let session = self.s3express_presign_identity(&prepared, credentials, now, rng)?;
        let request = self.sign(
            &prepared,
            Identity::Credentials(session.as_ref().unwrap_or(credentials)),
            now,
            Some(expires_in),
        )?;
        Ok(request.uri().to_string())
    }

    /// botocore's `generate_presigned_post` for this S3 client: a browser form upload of `key`
    /// into `bucket` (a key ending in `${filename}` takes the uploaded file's name), valid for
    /// `expires_in`. The form posts to the bucket's URL as a `CreateBucket` request resolves
    /// it (regional, as this crate's presigned URLs), and its policy (`conditions`, then the
    /// bucket's and the key's) is signed with SigV4 under the endpoint's signing name
    /// (`s3express` for a directory bucket) for the client's region (an ARN bucket's: the
    /// endpoint's), as botocore signs it. An unsigned client's form has no policy (botocore's
    /// `UNSIGNED`); a signed client without `credentials` is [`Error::NoCredentials`].
    #[allow(clippy::too_many_arguments)]
    pub fn presigned_post(
        &self,
        bucket: &str,
        key: &str,
        fields: &[(String, String)],
        conditions: &[serde_json::Value],
        credentials: Option<&Credentials>,
        now: SystemTime,
        expires_in: Duration,
        rng: &mut dyn RandomSource,
    ) -> Result<PresignedPost, Error> {
        if self.service != "s3" {
            return Err(Error::Customize(
                customize::CustomizeError::PresignedPostNeedsS3(self.service.clone()),
            ));
        }
        let credentials = match credentials {
            _ if self.config.unsigned => None,
            Some(credentials) => Some(credentials),
            None => {
                return Err(Error::NoCredentials(
                    "a presigned POST is signed with credentials".into(),
                ))
            }
        };
        let identity = credentials.map_or(Identity::Anonymous, Identity::Credentials);
        let context = super::signing_context(identity, now);
        context.insert(PresignRequest);
        let mut params = Value::map();
        if let Some(p) = params.as_map_mut() {
            p.insert("Bucket".into(), Value::from(bucket));
        }
        let prepared = self.prepare_for("CreateBucket", params, rng, context)?;
        let url = prepared.parts.uri.to_string();
        // botocore resolves the form's endpoint with `ignore_signing_region` unless the bucket
        // is an ARN: the endpoint's signing name always counts, its region only for an ARN —
        // its SigV4 scheme's region, which the rules take from the ARN (an Outposts endpoint
        // lists SigV4a first, with a region set instead; a POST policy is always SigV4).
        let arn_region = crate::endpoint::parse_arn(bucket)
            .map(|arn| arn.region)
            .filter(|region| !region.is_empty());
        let region = if let Some(region) = &arn_region {
            region.as_str()
        } else {
            self.config
                .endpoint
                .region
                .as_deref()
                .unwrap_or("us-east-1")
        };
        let input = PresignPostInput {
            url: &url,
            bucket,
            key,
            fields,
            conditions,
            expires_in,
            region,
            signing_name: &prepared.signing_name,
            time: now,
        };
        Ok(presign_post(
            &input,
            credentials,
            &SigningKeyCache::default(),
        )?)
    }

    /// An EKS cluster token (`k8s-aws-v1.…`) for `cluster` (a cluster name, or an Outposts
    /// cluster id), as `aws eks get-token` makes it: this STS client's `GetCallerIdentity`
    /// presigned for `GET` with `x-k8s-aws-id: cluster` signed, valid 60 seconds, base64url
    /// without padding. [`customize::eks::exec_credential`] wraps it for kubectl.
    pub fn eks_token(
        &self,
        cluster: &str,
        credentials: Option<&Credentials>,
        now: SystemTime,
        rng: &mut dyn RandomSource,
    ) -> Result<String, Error> {
        if self.service != "sts" {
            return Err(Error::Customize(customize::CustomizeError::EksToken(
                format!(
                    "an EKS token is a presigned STS GetCallerIdentity: use an sts client, not {}",
                    self.service
                ),
            )));
        }
        let value = HeaderValue::from_str(cluster).map_err(|_| {
            Error::Customize(customize::CustomizeError::EksToken(format!(
                "cluster {cluster:?} cannot be sent as the {} header",
                customize::eks::CLUSTER_ID_HEADER
            )))
        })?;
        let options = PresignOptions::default().method(Method::GET).header(
            HeaderName::from_static(customize::eks::CLUSTER_ID_HEADER),
            value,
        );
        let url = self.presign_with(
            "GetCallerIdentity",
            Value::map(),
            credentials,
            now,
            customize::eks::URL_EXPIRES_IN,
            &options,
            rng,
        )?;
        Ok(customize::eks::token_from_url(&url))
    }
}

/// Presigns the requests customizations build (RDS `PreSignedUrl`, EC2 `CopySnapshot`, RDS auth
/// tokens) with SigV4 query signing, using the calling request's credentials and time. For an
/// unsigned client it signs nothing (botocore's `UNSIGNED` request signer returns the URL as
/// built).
pub(super) struct ClientPresigner {
    signing_name: String,
    unsigned: bool,
    keys: crate::auth::sigv4::SigningKeyCache,
}

impl ClientPresigner {
    pub(super) fn new(signing_name: &str, unsigned: bool) -> Self {
        ClientPresigner {
            signing_name: signing_name.to_string(),
            unsigned,
            keys: crate::auth::sigv4::SigningKeyCache::new(8),
        }
    }
}

/// What [`ClientPresigner`] says when the call has no credentials: botocore's presigner raises
/// `NoCredentialsError` there, even for a stubbed call (its stubber answers after the
/// parameters are built).
pub(super) const PRESIGN_WITHOUT_CREDENTIALS: &str = "Unable to locate credentials";

impl customize::Presigner for ClientPresigner {
    fn presign(&self, input: customize::PresignInput) -> Result<String, String> {
        if self.unsigned {
            // botocore builds these requests with their parameters in the body, which only a
            // signer moves into the URL: unsigned, the URL is the bare endpoint and path.
            let uri = input.request.uri();
            let mut url = uri.to_string();
            if let Some(query) = uri.query() {
                url.truncate(url.len() - query.len() - 1);
            }
            return Ok(url);
        }
        let identity = input.identity.ok_or(PRESIGN_WITHOUT_CREDENTIALS)?;
        let mut request = input.request;
        let params = crate::auth::sigv4::SigningParams {
            signing_name: input.signing_name.unwrap_or(&self.signing_name),
            region: &input.region,
            time: identity.time,
            payload: crate::auth::sigv4::PayloadHash::ComputeSha256,
            settings: crate::auth::sigv4::SigningSettings::default().presigned(input.expires_in),
        };
        crate::auth::sigv4::sign(&mut request, &identity.credentials, &params, &self.keys)
            .map_err(|e| e.to_string())?;
        Ok(request.uri().to_string())
    }
}
