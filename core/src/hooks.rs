//! Named extension points along a call's lifecycle.
//!
//! Like botocore's event system, but typed: each point receives what it may read and change
//! (parameters before they are validated, the request before signing and before sending, the
//! parsed result, the error). Hooks are registered for every call, for one service (`"s3"`) or
//! for one operation (`"s3.PutObject"`), and run in registration order. sansboto's own service
//! customizations are registered the same way, so a user can see and replace them by name.

use std::any::{Any, TypeId};
use std::fmt;
use std::sync::Arc;

use crate::body::Body;
use crate::value::Value;

/// Where in the lifecycle a hook runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// Before validation and serialization: may rewrite parameters (aliases, defaults).
    BeforeParameterBuild,
    /// After serialization and endpoint resolution, before request compression, flexible
    /// checksums and signing (botocore's `before-call`): may change the request, and what it
    /// changes in the body is covered by the checksums computed next.
    BeforeCall,
    /// After compression and checksums, before signing (botocore's `request-created` and
    /// `before-sign`): may change the request.
    BeforeSign,
    /// After signing, before sending: may inspect the final request (headers it adds are unsigned).
    BeforeSend,
    /// A response arrived and its body (when not streamed to the caller) was read, before it is
    /// parsed (botocore's `before-parse`): may change its status, headers or in-memory body.
    BeforeParse,
    /// After a successful response was parsed: may rewrite the result.
    AfterCall,
    /// After an error response was parsed: may rewrite the error's fields.
    OnError,
}

/// What a hook knows about the call it runs in.
#[derive(Clone, Copy, Debug)]
pub struct CallInfo<'a> {
    /// Botocore service name (`s3`).
    pub service: &'a str,
    /// Operation name (`PutObject`).
    pub operation: &'a str,
    /// State one call's hooks share between events (botocore's request `context`), when the
    /// pipeline provides it. Hooks that need it (S3's list-key decoding, `ExpiresString`) do
    /// nothing without it.
    pub context: Option<&'a CallContext>,
}

impl<'a> CallInfo<'a> {
    /// A call without a shared context.
    pub fn new(service: &'a str, operation: &'a str) -> Self {
        CallInfo {
            service,
            operation,
            context: None,
        }
    }

    /// The number (from 1) of the attempt this hook runs in: set for `BeforeSend` and the
    /// response events (`BeforeParse`, `AfterCall`, `OnError`) of a sent call; `None` before the
    /// first attempt (parameter building, `BeforeCall`), for presigning and for stubbed calls.
    pub fn attempt(&self) -> Option<u32> {
        self.context?.get::<Attempt>().map(|a| a.0)
    }

    /// Whether the call is being presigned rather than sent (botocore's `generate_presigned_url`
    /// emits `before-sign` but not `request-created`, which `BeforeSign` hooks stand for too).
    pub fn is_presign(&self) -> bool {
        self.context
            .is_some_and(|c| c.get::<PresignRequest>().is_some())
    }

    /// The same call with a shared context.
    pub fn with_context(self, context: &'a CallContext) -> Self {
        CallInfo {
            context: Some(context),
            ..self
        }
    }
}

/// The attempt a call is on, kept in its [`CallContext`] by the call before each attempt (read
/// it with [`CallInfo::attempt`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempt(pub u32);

/// The credentials and clock reading a call signs with, left in its [`CallContext`] for
/// customizations that presign a request of their own (RDS `PreSignedUrl`, EC2 `CopySnapshot`).
#[derive(Clone, Debug)]
pub struct SigningIdentity {
    /// The call's credentials (their `Debug` never shows the secret).
    pub credentials: crate::auth::Credentials,
    /// When the call is made.
    pub time: std::time::SystemTime,
}

/// Typed values one call's hooks leave for later events (keyed by type, like
/// [`http::Extensions`]). Create one per call and pass it in every [`CallInfo`] of that call.
#[derive(Default)]
pub struct CallContext {
    // A call holds a handful of values (its signing identity, the attempt number, …): a short
    // list searched by type costs less than a hash map made for each call, and the list of the
    // usual few lives in the context itself rather than in an allocation of its own (each value
    // is still boxed).
    values: std::sync::Mutex<ContextValues>,
}

type ContextValue = Box<dyn Any + Send + Sync>;
type ContextValues = smallvec::SmallVec<[(TypeId, ContextValue); 4]>;

impl CallContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Store `value`, replacing an earlier value of the same type.
    pub fn insert<T: Clone + Send + Sync + 'static>(&self, value: T) {
        let mut values = self.lock();
        let id = TypeId::of::<T>();
        match values.iter_mut().find(|(t, _)| *t == id) {
            // Replaced in its box (the attempt number changes on every attempt).
            Some((_, slot)) => match slot.downcast_mut::<T>() {
                Some(old) => *old = value,
                None => *slot = Box::new(value),
            },
            None => values.push((id, Box::new(value))),
        }
    }

    /// A copy of the stored value of type `T`.
    pub fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        let id = TypeId::of::<T>();
        self.lock()
            .iter()
            .find(|(t, _)| *t == id)
            .and_then(|(_, v)| v.downcast_ref::<T>())
            .cloned()
    }

    /// Remove and return the stored value of type `T`.
    pub fn remove<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        let id = TypeId::of::<T>();
        let mut values = self.lock();
        let index = values.iter().position(|(t, _)| *t == id)?;
        values.remove(index).1.downcast::<T>().ok().map(|v| *v)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ContextValues> {
        // A hook that panicked cannot leave the list half-written: take it as it is.
        self.values.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl fmt::Debug for CallContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallContext { .. }")
    }
}

/// In a call's [`CallContext`] when the request is being presigned rather than sent (botocore's
/// `is_presign_request`). botocore presigns without the client config in the context, so
/// handlers that read the config (the default `ChecksumMode`) do nothing then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresignRequest;

/// In a call's [`CallContext`] when a [`Stubber`](crate::stub::Stubber) answers it. botocore's
/// stubber answers before the customizations that presign a request of their own run, so a
/// stubbed call never needs credentials for them: without any, they leave their URL out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StubbedCall;

/// A hook refused the call. When the refusal is a typed error (a customization's
/// [`CustomizeError`](crate::customize::CustomizeError), or any error a user's hook gives to
/// [`HookError::from_source`]), it is kept as the [`source`](std::error::Error::source), so a
/// caller can match it:
///
/// ```
/// use sansboto_core::CustomizeError;
/// use sansboto_core::hooks::HookError;
///
/// let e = HookError::from(CustomizeError::InvalidBucketName { bucket: "a/b".into() });
/// assert!(matches!(
///     e.downcast_ref::<CustomizeError>(),
///     Some(CustomizeError::InvalidBucketName { bucket }) if bucket == "a/b"
/// ));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HookError {
    /// The hook's name.
    pub hook: String,
    /// What was wrong.
    pub message: String,
    /// The typed error behind the message, when there is one.
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl HookError {
    /// An error a hook reports; the registry fills in the hook name.
    pub fn new(message: impl Into<String>) -> Self {
        HookError {
            hook: String::new(),
            message: message.into(),
            source: None,
        }
    }

    /// An error a hook reports as a typed error of its own: the message is its `Display`, and
    /// the error stays reachable through [`downcast_ref`](Self::downcast_ref).
    pub fn from_source(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        HookError {
            hook: String::new(),
            message: source.to_string(),
            source: Some(Arc::new(source)),
        }
    }

    /// The typed error behind this one, when it is a `E`.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.source.as_deref()?.downcast_ref::<E>()
    }
}

impl fmt::Display for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.hook, self.message)
    }
}

impl std::error::Error for HookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Two hook errors are equal when they name the same hook and message (their sources, which
/// need not be comparable, are not compared).
impl PartialEq for HookError {
    fn eq(&self, other: &Self) -> bool {
        self.hook == other.hook && self.message == other.message
    }
}

impl Eq for HookError {}

/// What a hook is given, by event.
pub enum Target<'a> {
    /// Parameters (BeforeParameterBuild).
    Params(&'a mut Value),
    /// The request (BeforeSign, BeforeSend).
    Request(&'a mut http::Request<Body>),
    /// The parsed result (AfterCall) or error fields (OnError).
    Result(&'a mut Value),
    /// The raw response (BeforeParse).
    Response(&'a mut http::Response<Body>),
}

type HookFn = dyn Fn(&CallInfo<'_>, &mut Target<'_>) -> Result<(), HookError> + Send + Sync;

#[derive(Clone)]
struct Registration {
    name: String,
    event: Event,
    /// `None` matches every service; the operation is only compared when the service matched.
    service: Option<String>,
    operation: Option<String>,
    hook: Arc<HookFn>,
}

/// How many [`Event`]s there are (the length of [`Hooks`]' index by event).
const EVENTS: usize = 7;

impl Event {
    /// The event's place in [`Hooks`]' index by event (a match, so that a new event cannot be
    /// left out of it).
    fn slot(self) -> usize {
        match self {
            Event::BeforeParameterBuild => 0,
            Event::BeforeCall => 1,
            Event::BeforeSign => 2,
            Event::BeforeSend => 3,
            Event::BeforeParse => 4,
            Event::AfterCall => 5,
            Event::OnError => 6,
        }
    }
}

/// The hooks of a client (cheap to clone: hooks are shared).
#[derive(Clone, Default)]
pub struct Hooks {
    registrations: Vec<Registration>,
    /// The positions in `registrations` of each event's hooks, in running order, by
    /// `Event::slot`: a call runs seven events, and each looked at every registration
    /// (an S3 client has a few dozen) to find its own few.
    by_event: [Vec<usize>; EVENTS],
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.registrations.iter().map(|r| (&r.name, r.event)))
            .finish()
    }
}

/// Parse a selector: `"*"`, `"s3"`, `"s3.PutObject"`.
fn selector(scope: &str) -> (Option<String>, Option<String>) {
    if scope.is_empty() || scope == "*" {
        return (None, None);
    }
    match scope.split_once('.') {
        Some((s, "*")) => (Some(s.to_string()), None),
        Some((s, op)) => (Some(s.to_string()), Some(op.to_string())),
        None => (Some(scope.to_string()), None),
    }
}

impl Hooks {
    /// No hooks.
    pub fn new() -> Self {
        Self::default()
    }

    /// Register `hook` under `name` for `event` on `scope` (`"*"`, `"s3"`, `"s3.PutObject"`).
    /// A registration with the same name and event replaces the earlier one in place.
    ///
    /// ```
    /// use sansboto_core::hooks::{Event, Hooks, Target, CallInfo};
    /// use sansboto_core::{params, Value};
    /// let mut hooks = Hooks::new();
    /// hooks.register(Event::BeforeParameterBuild, "default-acl", "s3.PutObject", |_, t| {
    ///     if let Target::Params(Value::Map(p)) = t { p.entry("ACL".into()).or_insert("private".into()); }
    ///     Ok(())
    /// });
    /// let mut p = params! {"Bucket": "b"};
    /// hooks.run(Event::BeforeParameterBuild, &CallInfo::new("s3", "PutObject"), &mut Target::Params(&mut p)).unwrap();
    /// assert_eq!(p["ACL"].as_str(), Some("private"));
    /// ```
    pub fn register<F>(&mut self, event: Event, name: &str, scope: &str, hook: F)
    where
        F: Fn(&CallInfo<'_>, &mut Target<'_>) -> Result<(), HookError> + Send + Sync + 'static,
    {
        let (service, operation) = selector(scope);
        let reg = Registration {
            name: name.to_string(),
            event,
            service,
            operation,
            hook: Arc::new(hook),
        };
        match self
            .registrations
            .iter_mut()
            .find(|r| r.name == name && r.event == event)
        {
            Some(existing) => *existing = reg,
            None => {
                self.by_event[event.slot()].push(self.registrations.len());
                self.registrations.push(reg);
            }
        }
    }

    /// Remove every registration named `name`; returns how many were removed.
    pub fn unregister(&mut self, name: &str) -> usize {
        let before = self.registrations.len();
        self.registrations.retain(|r| r.name != name);
        // Positions after a removed one have moved: index them again.
        for positions in &mut self.by_event {
            positions.clear();
        }
        for (i, r) in self.registrations.iter().enumerate() {
            self.by_event[r.event.slot()].push(i);
        }
        before - self.registrations.len()
    }

    /// Names of the hooks registered for `event`, in running order.
    pub fn names(&self, event: Event) -> impl Iterator<Item = &str> {
        self.registrations
            .iter()
            .filter(move |r| r.event == event)
            .map(|r| r.name.as_str())
    }

    /// Run the hooks of `event` that match the call, stopping at the first error.
    pub fn run(
        &self,
        event: Event,
        call: &CallInfo<'_>,
        target: &mut Target<'_>,
    ) -> Result<(), HookError> {
        for &i in &self.by_event[event.slot()] {
            let r = &self.registrations[i];
            if r.service.as_deref().is_some_and(|s| s != call.service) {
                continue;
            }
            if r.operation.as_deref().is_some_and(|o| o != call.operation) {
                continue;
            }
            (r.hook)(call, target).map_err(|mut e| {
                e.hook = r.name.clone();
                e
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params;

    #[test]
    fn a_call_context_keeps_one_value_per_type() {
        #[derive(Clone, Debug, PartialEq)]
        struct Note(&'static str);
        let ctx = CallContext::new();
        assert_eq!(ctx.get::<Note>(), None);
        ctx.insert(Note("first"));
        ctx.insert(Attempt(1));
        ctx.insert(Note("second"));
        assert_eq!(ctx.get::<Note>(), Some(Note("second")));
        assert_eq!(ctx.get::<Attempt>().map(|a| a.0), Some(1));
        assert_eq!(ctx.remove::<Note>(), Some(Note("second")));
        assert_eq!(ctx.remove::<Note>(), None);
        assert_eq!(ctx.get::<Attempt>().map(|a| a.0), Some(1));
    }

    fn tag(name: &'static str) -> impl Fn(&CallInfo<'_>, &mut Target<'_>) -> Result<(), HookError> {
        move |_, t| {
            if let Target::Params(Value::Map(m)) = t {
                m.insert(name.into(), Value::Bool(true));
            }
            Ok(())
        }
    }

    #[test]
    fn scopes_select_calls() {
        let mut h = Hooks::new();
        h.register(Event::BeforeParameterBuild, "all", "*", tag("all"));
        h.register(Event::BeforeParameterBuild, "s3", "s3", tag("s3"));
        h.register(
            Event::BeforeParameterBuild,
            "put",
            "s3.PutObject",
            tag("put"),
        );
        h.register(Event::AfterCall, "after", "*", tag("after"));
        let mut p = params! {};
        h.run(
            Event::BeforeParameterBuild,
            &CallInfo::new("s3", "GetObject"),
            &mut Target::Params(&mut p),
        )
        .unwrap();
        assert_eq!(
            p.as_map().unwrap().keys().collect::<Vec<_>>(),
            ["all", "s3"]
        );
        let mut p = params! {};
        h.run(
            Event::BeforeParameterBuild,
            &CallInfo::new("sqs", "PutObject"),
            &mut Target::Params(&mut p),
        )
        .unwrap();
        assert_eq!(p.as_map().unwrap().keys().collect::<Vec<_>>(), ["all"]);
    }

    #[test]
    fn errors_name_the_hook_and_replacement_keeps_order() {
        let mut h = Hooks::new();
        h.register(Event::BeforeSign, "a", "*", |_, _| Ok(()));
        h.register(Event::BeforeSign, "b", "*", |_, _| {
            Err(HookError::new("nope"))
        });
        h.register(Event::BeforeSign, "a", "*", |_, _| Ok(()));
        assert_eq!(h.names(Event::BeforeSign).collect::<Vec<_>>(), ["a", "b"]);
        let mut req = http::Request::new(Body::Empty);
        let err = h.run(
            Event::BeforeSign,
            &CallInfo::new("x", "Y"),
            &mut Target::Request(&mut req),
        );
        assert_eq!(err.unwrap_err().to_string(), "b: nope");
        assert_eq!(h.unregister("b"), 1);
    }

    /// Each event runs its own hooks in the order they were registered, before and after
    /// others are removed.
    #[test]
    fn events_run_their_hooks_in_order_after_removals() {
        let mut h = Hooks::new();
        h.register(Event::BeforeParameterBuild, "gone", "*", tag("gone"));
        h.register(Event::AfterCall, "after", "*", tag("after"));
        h.register(Event::BeforeParameterBuild, "one", "*", tag("one"));
        h.register(Event::BeforeParameterBuild, "two", "*", tag("two"));
        let run = |h: &Hooks, event| {
            let mut p = params! {};
            h.run(
                event,
                &CallInfo::new("s3", "PutObject"),
                &mut Target::Params(&mut p),
            )
            .unwrap();
            let keys = p.as_map().unwrap().keys().map(|k| k.to_string());
            keys.collect::<Vec<_>>()
        };
        assert_eq!(run(&h, Event::BeforeParameterBuild), ["gone", "one", "two"]);
        assert_eq!(h.unregister("gone"), 1);
        h.register(Event::BeforeParameterBuild, "three", "*", tag("three"));
        assert_eq!(
            run(&h, Event::BeforeParameterBuild),
            ["one", "two", "three"]
        );
        assert_eq!(run(&h, Event::AfterCall), ["after"]);
        assert!(run(&h, Event::BeforeSign).is_empty());
    }
}
