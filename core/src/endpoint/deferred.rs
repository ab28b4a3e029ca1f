//! A document's prepared form, made once: at once, or at its first use.
//!
//! Both of the engine's documents ([`RuleSet`](super::RuleSet) and
//! [`Partitions`](super::Partitions)) may be prepared lazily, because a client that resolves
//! no endpoint should not pay for parsing rules or compiling region regexes at start-up. This
//! module holds that rule once: where the document comes from, the one preparation (its result,
//! error included, is kept and returned to every later use), and a `Debug` that never prepares.

use std::fmt;
use std::sync::{Arc, OnceLock};

use super::EndpointError;

/// Reads a document when it is first needed; its error is already the caller's error type.
type Loader = Box<dyn Fn() -> Result<Arc<[u8]>, EndpointError> + Send + Sync>;

/// Where a deferred document comes from.
enum Source {
    Document(Arc<[u8]>),
    Load(Loader),
}

/// `T` prepared from a document, or the error its preparation gave.
pub(crate) struct Deferred<T> {
    /// `None` when made prepared.
    source: Option<Source>,
    prepared: OnceLock<Result<T, EndpointError>>,
}

impl<T> Deferred<T> {
    /// Already prepared.
    pub(crate) fn ready(prepared: T) -> Self {
        Self {
            source: None,
            prepared: OnceLock::from(Ok(prepared)),
        }
    }

    /// Prepared from `document` at the first [`get`](Self::get).
    pub(crate) fn document(document: Arc<[u8]>) -> Self {
        Self::from_source(Source::Document(document))
    }

    /// Prepared from what `load` reads at the first [`get`](Self::get); its error is kept as
    /// the preparation's.
    pub(crate) fn load(
        load: impl Fn() -> Result<Arc<[u8]>, EndpointError> + Send + Sync + 'static,
    ) -> Self {
        Self::from_source(Source::Load(Box::new(load)))
    }

    fn from_source(source: Source) -> Self {
        Self {
            source: Some(source),
            prepared: OnceLock::new(),
        }
    }

    /// The prepared form, made now by `prepare` if it was deferred. Every call after the first
    /// returns the first one's result.
    pub(crate) fn get(
        &self,
        prepare: fn(&[u8]) -> Result<T, EndpointError>,
    ) -> Result<&T, EndpointError> {
        let prepared = self.prepared.get_or_init(|| match &self.source {
            Some(Source::Document(document)) => prepare(document),
            Some(Source::Load(load)) => prepare(&load()?),
            // Unreachable in practice: a `ready` value is always initialized.
            None => prepare(&[]),
        });
        prepared.as_ref().map_err(Clone::clone)
    }
}

impl<T: fmt::Debug> Deferred<T> {
    /// `name { inner }`, `name { error }` or `name { deferred }`: never prepares (printing a
    /// client must not parse its rules), and never prints the document's bytes.
    pub(crate) fn fmt_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.prepared.get() {
            Some(Ok(inner)) => f.debug_struct(name).field("inner", inner).finish(),
            Some(Err(error)) => f.debug_struct(name).field("error", error).finish(),
            None => write!(f, "{name} {{ deferred }}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn length(document: &[u8]) -> Result<usize, EndpointError> {
        if document.is_empty() {
            return Err(EndpointError::InvalidRuleSet {
                location: "$".into(),
                message: "empty".into(),
            });
        }
        Ok(document.len())
    }

    struct Shown<'a>(&'a Deferred<usize>);

    impl fmt::Debug for Shown<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.fmt_as("Doc", f)
        }
    }

    #[test]
    fn a_document_is_prepared_once_at_first_use_and_debug_never_prepares() {
        let deferred = Deferred::document(Arc::from(&b"secret bytes"[..]));
        assert_eq!(format!("{:?}", Shown(&deferred)), "Doc { deferred }");
        assert_eq!(deferred.get(length), Ok(&12));
        assert_eq!(format!("{:?}", Shown(&deferred)), "Doc { inner: 12 }");
        assert_eq!(Deferred::ready(3).get(length), Ok(&3));
    }

    #[test]
    fn a_loader_runs_once_and_its_error_or_the_preparations_is_kept() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        let failing = Deferred::<usize>::load(move || {
            seen.fetch_add(1, Ordering::SeqCst);
            Err(EndpointError::InvalidRuleSet {
                location: "$".into(),
                message: "unreadable".into(),
            })
        });
        let first = failing.get(length).unwrap_err();
        assert_eq!(failing.get(length).unwrap_err(), first);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(format!("{:?}", Shown(&failing)).contains("unreadable"));

        let empty = Deferred::document(Arc::from(&b""[..]));
        assert!(empty.get(length).is_err());
    }
}
