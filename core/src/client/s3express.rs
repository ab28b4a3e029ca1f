//! S3 Express One Zone session credentials (botocore's `S3ExpressIdentityCache` and
//! `S3ExpressIdentityResolver`), kept per client.
//!
//! When a directory bucket's endpoint asks for `sigv4-s3express`, the call is signed with the
//! credentials `CreateSession` returns for that bucket, not the client's. The client remembers
//! them per bucket and per base credentials (at most [`CACHE_SIZE`], most recently used first);
//! a call that finds none fresh first makes `CreateSession` itself, signed with the base
//! credentials, as a nested [`CallMachine`] (so it gets the same retries, hooks and deadline),
//! and then signs with the answer. Sessions are renewed like botocore's refreshable
//! credentials: within [`ADVISORY_REFRESH`] of the expiry a renewal is tried and a failure
//! tolerated; within [`MANDATORY_REFRESH`] the old session is no longer used.
//!
//! `s3_disable_express_session_auth` needs nothing here: it is an endpoint input, and the
//! ruleset then answers plain `sigv4` (signing name `s3express`).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::auth::{AuthScheme, Credentials};
use crate::config::{setting, ConfigError, ConfigSources};
use crate::error::Error;
use crate::hooks::CallContext;
use crate::machine::{RandomSource, SplitMix64, Step};
use crate::value::Value;

use super::{CallIdentity, CallMachine, PreparedRequest, ServiceClient};

/// How many bucket sessions a client remembers (botocore's `lru_cache(maxsize=100)`).
pub const CACHE_SIZE: usize = 100;
/// Within this long of the expiry a session is renewed, and kept if renewal fails.
pub const ADVISORY_REFRESH: Duration = Duration::from_secs(45);
/// Within this long of the expiry a session is no longer used.
pub const MANDATORY_REFRESH: Duration = Duration::from_secs(10);

/// Why an S3 Express call has no session to sign with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The endpoint asked for S3 Express session auth, but the call names no bucket.
    #[error("{operation}: S3 Express session auth needs the Bucket parameter")]
    MissingBucket {
        /// The operation.
        operation: String,
    },
    /// `CreateSession` answered without usable credentials.
    #[error("the S3 Express CreateSession answer has no usable Credentials.{member}")]
    InvalidAnswer {
        /// The member missing or of the wrong type (`AccessKeyId`, `Expiration`, …).
        member: &'static str,
    },
    /// `CreateSession` answered with credentials that expire within
    /// [`MANDATORY_REFRESH`] (botocore: "refreshed credentials are still expired").
    #[error("S3 Express session credentials were refreshed, but the refreshed credentials are still expired")]
    StillExpired,
    /// A presigned URL was asked for before the bucket's session was made (the runtime client
    /// makes it; a caller of the core drives [`ServiceClient::s3express_presign_session`]).
    #[error("{operation}: an S3 Express presigned URL needs the bucket's session first (ServiceClient::s3express_presign_session)")]
    PresignNeedsSession {
        /// The operation.
        operation: String,
    },
}

/// The directory bucket of an S3 Express call, noted in its context when it is prepared.
#[derive(Clone, Debug)]
pub(crate) struct SessionBucket(String);

/// Note the bucket of a call the endpoint signs with `sigv4-s3express`.
pub(crate) fn note_bucket(context: &CallContext, scheme: AuthScheme, params: &Value) {
    if let (AuthScheme::S3Express(_), Some(bucket)) =
        (scheme, params.get("Bucket").and_then(Value::as_str))
    {
        context.insert(SessionBucket(bucket.to_string()));
    }
}

/// One bucket's session under one set of base credentials (the secret by its fingerprint).
#[derive(Clone, PartialEq, Eq)]
struct SessionKey {
    bucket: String,
    access_key_id: String,
    secret: [u8; 32],
}

impl SessionKey {
    fn new(bucket: &str, base: &Credentials) -> Self {
        SessionKey {
            bucket: bucket.to_string(),
            access_key_id: base.access_key_id().to_string(),
            secret: *base.secret_fingerprint(),
        }
    }
}

/// A client's S3 Express sessions.
#[derive(Default)]
pub(crate) struct SessionCache {
    entries: Mutex<VecDeque<(SessionKey, Credentials)>>,
}

impl SessionCache {
    fn get(&self, key: &SessionKey) -> Option<Credentials> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let index = entries.iter().position(|(k, _)| k == key)?;
        let entry = entries.remove(index)?;
        let credentials = entry.1.clone();
        entries.push_front(entry);
        Some(credentials)
    }

    fn insert(&self, key: SessionKey, credentials: Credentials) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|(k, _)| k != &key);
        entries.push_front((key, credentials));
        entries.truncate(CACHE_SIZE);
    }

    /// How many sessions are remembered.
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// How long `credentials` stay valid after `now` (forever without an expiry).
fn remaining(credentials: &Credentials, now: SystemTime) -> Duration {
    credentials.expiry().map_or(Duration::MAX, |expiry| {
        expiry.duration_since(now).unwrap_or(Duration::ZERO)
    })
}

/// What a call signs its next attempt with.
pub(crate) enum SessionStep<'c> {
    /// These session credentials; `None`: the call's own identity (not an S3 Express call, an
    /// unsigned client, or no credentials to make a session with).
    Sign(Option<Credentials>),
    /// Make `CreateSession` first.
    Fetch(Box<SessionFetch<'c>>),
}

/// A `CreateSession` call made for another call (or a presigned URL), and what to do with its
/// answer.
pub struct SessionFetch<'c> {
    call: CallMachine<'c>,
    key: SessionKey,
    /// The session being renewed, usable until [`MANDATORY_REFRESH`] before its expiry.
    previous: Option<Credentials>,
}

impl<'c> SessionFetch<'c> {
    /// The `CreateSession` call: drive it like any call, then give its result to
    /// [`finish`](Self::finish).
    pub fn call_mut(&mut self) -> &mut CallMachine<'c> {
        &mut self.call
    }

    pub(crate) fn call(&self) -> &CallMachine<'c> {
        &self.call
    }

    pub(crate) fn poll(&mut self, now: SystemTime) -> Step<Value, Error> {
        self.call.poll(now)
    }

    /// Remember the session `CreateSession` returned and give its credentials; when it failed,
    /// the session being renewed while it is still usable, or the error.
    pub fn finish(
        self,
        result: Result<Value, Error>,
        now: SystemTime,
    ) -> Result<Credentials, Error> {
        match result.and_then(|output| session_credentials(&output)) {
            // botocore refuses a renewal that is already (nearly) expired, rather than ask again.
            Ok(credentials) if remaining(&credentials, now) < MANDATORY_REFRESH => {
                Err(SessionError::StillExpired.into())
            }
            Ok(credentials) => {
                self.call
                    .client()
                    .s3express
                    .insert(self.key, credentials.clone());
                Ok(credentials)
            }
            Err(e) => match self.previous {
                Some(previous) if remaining(&previous, now) >= MANDATORY_REFRESH => Ok(previous),
                _ => Err(e),
            },
        }
    }
}

/// The session credentials of a `CreateSession` result.
fn session_credentials(output: &Value) -> Result<Credentials, Error> {
    let field = |member: &'static str| {
        output
            .get("Credentials")
            .and_then(|c| c.get(member))
            .ok_or(SessionError::InvalidAnswer { member })
    };
    let text = |member: &'static str| {
        field(member)?
            .as_str()
            .map(String::from)
            .ok_or(SessionError::InvalidAnswer { member })
    };
    // Parsed, or as the wire has it when the client keeps timestamps so
    // ([`TimestampParsing::Wire`](crate::parse::TimestampParsing::Wire)).
    let expiration = crate::credentials::timestamp_of(field("Expiration")?).ok_or(
        SessionError::InvalidAnswer {
            member: "Expiration",
        },
    )?;
    Ok(Credentials::new(
        text("AccessKeyId")?,
        text("SecretAccessKey")?,
        Some(text("SessionToken")?),
        Some(expiration),
    ))
}

/// `s3_disable_express_session_auth` from the environment or the profile: `true`/`false` in
/// any case, anything else an error (botocore's `InvalidConfigError`).
pub(crate) fn disable_session_auth_setting(
    sources: &ConfigSources<'_>,
) -> Result<Option<bool>, ConfigError> {
    let setting = &setting::S3_DISABLE_EXPRESS_SESSION_AUTH;
    let Some(resolved) = sources.resolve(setting)? else {
        return Ok(None);
    };
    match resolved.value.to_ascii_lowercase().as_str() {
        "true" => Ok(Some(true)),
        "false" => Ok(Some(false)),
        _ => Err(ConfigError::InvalidValue {
            setting: setting.name,
            origin: resolved.source,
            value: resolved.value.to_string(),
            expected: "a boolean (true or false)",
        }),
    }
}

impl ServiceClient {
    /// What the next attempt of `prepared` signs with, at `now`: for an S3 Express call, the
    /// bucket's session (`held`, the one this call already uses, while it is usable; else the
    /// client's, while fresh), or a `CreateSession` to make first.
    pub(crate) fn s3express_step(
        &self,
        prepared: &PreparedRequest,
        base: &CallIdentity,
        held: Option<&Credentials>,
        now: SystemTime,
        rng: &mut dyn RandomSource,
    ) -> Result<SessionStep<'_>, Error> {
        if !matches!(prepared.scheme, AuthScheme::S3Express(_)) || self.config.unsigned {
            return Ok(SessionStep::Sign(None));
        }
        // Without credentials there is no session to ask for: signing reports it.
        let CallIdentity::Credentials(base) = base else {
            return Ok(SessionStep::Sign(None));
        };
        if let Some(held) = held.filter(|h| remaining(h, now) >= MANDATORY_REFRESH) {
            return Ok(SessionStep::Sign(Some(held.clone())));
        }
        let SessionBucket(bucket) =
            prepared
                .context
                .get::<SessionBucket>()
                .ok_or_else(|| SessionError::MissingBucket {
                    operation: prepared.operation.to_string(),
                })?;
        let key = SessionKey::new(&bucket, base);
        let cached = self.s3express.get(&key);
        if let Some(fresh) = cached
            .as_ref()
            .filter(|c| remaining(c, now) >= ADVISORY_REFRESH)
        {
            return Ok(SessionStep::Sign(Some(fresh.clone())));
        }
        let params = Value::Map(
            [("Bucket".into(), Value::from(bucket))]
                .into_iter()
                .collect(),
        );
        let create = self.prepare("CreateSession", params, rng)?;
        let call = CallMachine::new(
            self,
            create,
            CallIdentity::Credentials(base.clone()),
            Box::new(SplitMix64(rng.next_u64())),
        );
        Ok(SessionStep::Fetch(Box::new(SessionFetch {
            call,
            key,
            previous: cached,
        })))
    }

    /// The `CreateSession` call a presigned URL of `operation` needs first, if any: drive it
    /// and [`finish`](SessionFetch::finish) it, then [`presign`](Self::presign) signs with the
    /// session it remembered.
    pub fn s3express_presign_session(
        &self,
        operation: &str,
        params: &Value,
        credentials: &Credentials,
        now: SystemTime,
        rng: &mut dyn RandomSource,
    ) -> Result<Option<SessionFetch<'_>>, Error> {
        let context = crate::hooks::CallContext::new();
        context.insert(crate::hooks::PresignRequest);
        let prepared = self.prepare_for(operation, params.clone(), rng, context)?;
        let base = CallIdentity::Credentials(credentials.clone());
        Ok(
            match self.s3express_step(&prepared, &base, None, now, rng)? {
                SessionStep::Sign(_) => None,
                SessionStep::Fetch(fetch) => Some(*fetch),
            },
        )
    }

    /// The session a presigned URL of `prepared` signs with (`None`: not S3 Express).
    pub(crate) fn s3express_presign_identity(
        &self,
        prepared: &PreparedRequest,
        credentials: &Credentials,
        now: SystemTime,
        rng: &mut dyn RandomSource,
    ) -> Result<Option<Credentials>, Error> {
        let base = CallIdentity::Credentials(credentials.clone());
        match self.s3express_step(prepared, &base, None, now, rng)? {
            SessionStep::Sign(session) => Ok(session),
            // A renewal that failed leaves the old session in use while it still may be.
            SessionStep::Fetch(fetch) => match fetch.previous {
                Some(previous) if remaining(&previous, now) >= MANDATORY_REFRESH => {
                    Ok(Some(previous))
                }
                _ => Err(SessionError::PresignNeedsSession {
                    operation: prepared.operation.to_string(),
                }
                .into()),
            },
        }
    }

    /// How many S3 Express sessions the client remembers.
    pub fn s3express_sessions(&self) -> usize {
        self.s3express.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Body;
    use crate::params;
    use crate::time::Timestamp;
    use std::time::UNIX_EPOCH;

    const BUCKET: &str = "mybucket--usw2-az1--x-s3";

    fn t(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
    }

    fn base(key: &str) -> CallIdentity {
        CallIdentity::Credentials(Credentials::new(
            key,
            "basesecret",
            Some("BASE".into()),
            None,
        ))
    }

    fn create_session_answer(n: u32, expires: SystemTime) -> http::Response<Body> {
        let expiration = Timestamp::from_system_time(expires).to_iso8601();
        let xml = format!(
            "<CreateSessionResult><Credentials><SessionToken>TOKEN{n}</SessionToken>\
             <SecretAccessKey>SECRET{n}</SecretAccessKey><AccessKeyId>SESSION{n}</AccessKeyId>\
             <Expiration>{expiration}</Expiration></Credentials></CreateSessionResult>"
        );
        http::Response::builder()
            .status(200)
            .body(Body::from(bytes::Bytes::from(xml)))
            .unwrap()
    }

    fn ok() -> http::Response<Body> {
        http::Response::builder()
            .status(200)
            .body(Body::from(bytes::Bytes::from_static(
                b"<ListBucketResult><Name>b</Name></ListBucketResult>",
            )))
            .unwrap()
    }

    fn denied() -> http::Response<Body> {
        http::Response::builder()
            .status(403)
            .body(Body::from(bytes::Bytes::from_static(
                b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>",
            )))
            .unwrap()
    }

    /// What one call sent: (operation of each request, the credential of its signature, its
    /// session token header).
    type Sent = Vec<(String, String, Option<String>)>;

    /// Run ListObjectsV2 on `bucket` at `now`, answering CreateSession with `session` (or the
    /// session's error) and the data request with a listing.
    fn list(
        client: &ServiceClient,
        bucket: &str,
        identity: CallIdentity,
        now: SystemTime,
        mut session: impl FnMut() -> http::Response<Body>,
    ) -> (Result<Value, Error>, Sent) {
        let mut call = client
            .call(
                "ListObjectsV2",
                params! {"Bucket": bucket},
                identity,
                Box::new(SplitMix64(3)),
            )
            .unwrap();
        let mut sent = Sent::new();
        loop {
            match call.poll(now) {
                Step::Send(request) => {
                    let operation = call.operation().to_string();
                    let auth = request.headers()["authorization"].to_str().unwrap();
                    let credential = auth
                        .split("Credential=")
                        .nth(1)
                        .and_then(|c| c.split('/').next())
                        .unwrap()
                        .to_string();
                    let token = request
                        .headers()
                        .get("x-amz-s3session-token")
                        .map(|v| v.to_str().unwrap().to_string());
                    if operation == "CreateSession" {
                        assert!(request.uri().to_string().ends_with("?session"));
                        assert_eq!(request.headers()["x-amz-security-token"], "BASE");
                    } else {
                        assert!(request.headers().get("x-amz-security-token").is_none());
                    }
                    let answer = if operation == "CreateSession" {
                        session()
                    } else {
                        ok()
                    };
                    sent.push((operation, credential, token));
                    call.handle_response(Ok(answer), now);
                }
                Step::Done(v) => return (Ok(v), sent),
                Step::Failed(e) => return (Err(e), sent),
                other => panic!("unexpected step {other:?}"),
            }
        }
    }

    fn s3() -> ServiceClient {
        crate::customize::test_support::s3_client()
    }

    fn entry(op: &str, credential: &str, token: Option<&str>) -> (String, String, Option<String>) {
        (op.into(), credential.into(), token.map(String::from))
    }

    #[test]
    fn one_session_per_bucket_and_base_credentials_until_it_nears_expiry() {
        let client = s3();
        let expires = t(300);
        let (result, sent) = list(&client, BUCKET, base("AKBASE"), t(0), || {
            create_session_answer(1, expires)
        });
        result.unwrap();
        assert_eq!(
            sent,
            [
                entry("CreateSession", "AKBASE", None),
                entry("ListObjectsV2", "SESSION1", Some("TOKEN1")),
            ]
        );
        // The same bucket later: the remembered session, no CreateSession.
        let (result, sent) = list(&client, BUCKET, base("AKBASE"), t(200), || {
            unreachable!("no CreateSession while the session is fresh")
        });
        result.unwrap();
        assert_eq!(sent, [entry("ListObjectsV2", "SESSION1", Some("TOKEN1"))]);
        // Another bucket, or other base credentials: a session of their own.
        let other = "other--usw2-az1--x-s3";
        let (_, sent) = list(&client, other, base("AKBASE"), t(200), || {
            create_session_answer(2, t(600))
        });
        assert_eq!(sent[0], entry("CreateSession", "AKBASE", None));
        let (_, sent) = list(&client, BUCKET, base("AKOTHER"), t(200), || {
            create_session_answer(3, t(600))
        });
        assert_eq!(sent[0], entry("CreateSession", "AKOTHER", None));
        assert_eq!(client.s3express_sessions(), 3);
        // 45 s before the first session expires it is renewed; after expiry too.
        let (_, sent) = list(&client, BUCKET, base("AKBASE"), t(256), || {
            create_session_answer(4, t(900))
        });
        assert_eq!(
            sent,
            [
                entry("CreateSession", "AKBASE", None),
                entry("ListObjectsV2", "SESSION4", Some("TOKEN4")),
            ]
        );
        let (_, sent) = list(&client, BUCKET, base("AKBASE"), t(2000), || {
            create_session_answer(5, t(2300))
        });
        assert_eq!(sent[1], entry("ListObjectsV2", "SESSION5", Some("TOKEN5")));
    }

    #[test]
    fn a_failed_renewal_keeps_the_old_session_until_the_last_ten_seconds() {
        let client = s3();
        list(&client, BUCKET, base("AKBASE"), t(0), || {
            create_session_answer(1, t(100))
        })
        .0
        .unwrap();
        // 30 s left: renewal refused, the old session still signs.
        let (result, sent) = list(&client, BUCKET, base("AKBASE"), t(70), denied);
        result.unwrap();
        assert_eq!(sent[0].0, "CreateSession");
        assert_eq!(
            sent.last().unwrap(),
            &entry("ListObjectsV2", "SESSION1", Some("TOKEN1"))
        );
        // 5 s left: the refusal is the call's error, nothing else is sent.
        let (result, sent) = list(&client, BUCKET, base("AKBASE"), t(95), denied);
        match result {
            Err(Error::Service(e)) => assert_eq!(e.code, "AccessDenied"),
            other => panic!("expected CreateSession's error, got {other:?}"),
        }
        assert!(sent.iter().all(|(op, _, _)| op == "CreateSession"));
        // A renewal that is already expired is refused rather than asked for again and again.
        let (result, sent) = list(&client, BUCKET, base("AKBASE"), t(200), || {
            create_session_answer(9, t(195))
        });
        assert!(matches!(
            result,
            Err(Error::S3ExpressSession(SessionError::StillExpired))
        ));
        assert_eq!(sent.len(), 1);
    }

    #[test]
    fn the_cache_keeps_the_most_recently_used_hundred() {
        let cache = SessionCache::default();
        let base = Credentials::new("AKBASE", "basesecret", None, None);
        let session = Credentials::new("S", "s", Some("t".into()), None);
        let key = |i: usize| SessionKey::new(&format!("b{i}--usw2-az1--x-s3"), &base);
        for i in 0..CACHE_SIZE {
            cache.insert(key(i), session.clone());
        }
        assert!(
            cache.get(&key(0)).is_some(),
            "bucket 0 is now the most recent"
        );
        cache.insert(key(CACHE_SIZE), session.clone());
        assert_eq!(cache.len(), CACHE_SIZE);
        assert!(cache.get(&key(1)).is_none(), "the least recently used went");
        assert!(cache.get(&key(0)).is_some() && cache.get(&key(CACHE_SIZE)).is_some());
        // Another secret under the same access key is another identity.
        let rotated = Credentials::new("AKBASE", "othersecret", None, None);
        assert!(cache
            .get(&SessionKey::new("b0--usw2-az1--x-s3", &rotated))
            .is_none());
    }

    #[test]
    fn an_answer_without_credentials_is_a_typed_error() {
        let client = s3();
        let (result, sent) = list(&client, BUCKET, base("AKBASE"), t(0), || {
            http::Response::builder()
                .status(200)
                .body(Body::from(bytes::Bytes::from_static(
                    b"<CreateSessionResult><Credentials><AccessKeyId>A</AccessKeyId>\
                      </Credentials></CreateSessionResult>",
                )))
                .unwrap()
        });
        assert!(
            matches!(
                result,
                Err(Error::S3ExpressSession(SessionError::InvalidAnswer { member }))
                    if member == "SecretAccessKey" || member == "Expiration"
            ),
            "{result:?}"
        );
        assert_eq!(sent.len(), 1, "nothing is signed without a session");
        assert_eq!(client.s3express_sessions(), 0);
    }

    #[test]
    fn unsigned_and_anonymous_calls_make_no_session() {
        let client = s3();
        let (result, sent) = list(&client, BUCKET, CallIdentity::Anonymous, t(0), || {
            unreachable!("no CreateSession without credentials")
        });
        assert!(matches!(result, Err(Error::NoCredentials(_))), "{result:?}");
        assert!(sent.is_empty());
    }

    #[test]
    fn presigning_signs_with_the_remembered_session() {
        let client = s3();
        let creds = Credentials::new("AKBASE", "basesecret", Some("BASE".into()), None);
        let params = params! {"Bucket": BUCKET, "Key": "k"};
        let mut rng = SplitMix64(1);
        let err = client
            .presign(
                "GetObject",
                params.clone(),
                &creds,
                t(0),
                Duration::from_secs(60),
                &mut rng,
            )
            .unwrap_err();
        assert!(
            matches!(
                &err,
                Error::S3ExpressSession(SessionError::PresignNeedsSession { operation })
                    if operation == "GetObject"
            ),
            "{err}"
        );
        let mut fetch = client
            .s3express_presign_session("GetObject", &params, &creds, t(0), &mut rng)
            .unwrap()
            .expect("a session is needed");
        let Step::Send(request) = fetch.poll(t(0)) else {
            panic!("CreateSession is sent")
        };
        assert!(request.uri().to_string().ends_with("?session"));
        fetch
            .call_mut()
            .handle_response(Ok(create_session_answer(1, t(300))), t(0));
        let Step::Done(output) = fetch.poll(t(0)) else {
            panic!("CreateSession finishes")
        };
        fetch.finish(Ok(output), t(0)).unwrap();
        assert!(client
            .s3express_presign_session("GetObject", &params, &creds, t(1), &mut rng)
            .unwrap()
            .is_none());
        let url = client
            .presign(
                "GetObject",
                params,
                &creds,
                t(1),
                Duration::from_secs(60),
                &mut rng,
            )
            .unwrap();
        assert!(url.contains("X-Amz-S3session-Token=TOKEN1"), "{url}");
        assert!(url.contains("X-Amz-Credential=SESSION1%2F"), "{url}");
        assert!(!url.contains("X-Amz-Security-Token"), "{url}");
    }
}
