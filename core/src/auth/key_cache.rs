//! The bounded, thread-safe cache both signers keep their derived keys in.
//!
//! Deriving a key is the expensive part of signing (four chained HMACs for SigV4, an
//! elliptic-curve scalar multiplication for SigV4a) and its inputs change rarely, so each signer
//! keeps the few it last derived. The cache is a short list searched front to back: it holds a
//! handful of entries, where a linear scan beats hashing the secret-derived key, and the oldest
//! entry makes room for a new one.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// At most `capacity` entries of `E`, oldest evicted first, with hit and miss counts.
pub(crate) struct KeyCache<E> {
    capacity: usize,
    entries: Mutex<VecDeque<E>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl<E> KeyCache<E> {
    /// A cache holding at most `capacity` entries (at least 1).
    pub(crate) fn new(capacity: usize) -> Self {
        KeyCache {
            capacity: capacity.max(1),
            entries: Mutex::new(VecDeque::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// (hits, misses) so far.
    pub(crate) fn stats(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// `read` of the first entry `matches` accepts; on a miss, of the entry `make` derives,
    /// which is kept (an error from `make` is returned and nothing is kept).
    pub(crate) fn read<T, Err>(
        &self,
        matches: impl Fn(&E) -> bool,
        make: impl FnOnce() -> Result<E, Err>,
        read: impl FnOnce(&E) -> T,
    ) -> Result<T, Err> {
        // A panic while the lock was held cannot leave an entry half-written (entries are
        // pushed whole), so a poisoned lock is still a valid cache.
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = entries.iter().find(|e| matches(e)) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(read(entry));
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let entry = make()?;
        if entries.len() >= self.capacity {
            entries.pop_front();
        }
        let out = read(&entry);
        entries.push_back(entry);
        Ok(out)
    }

    /// `name { capacity, hits, misses, .. }`: never the entries, which hold secret-derived keys.
    pub(crate) fn fmt_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (hits, misses) = self.stats();
        f.debug_struct(name)
            .field("capacity", &self.capacity)
            .field("hits", &hits)
            .field("misses", &misses)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;

    #[test]
    fn hits_read_the_kept_entry_and_the_oldest_makes_room() {
        let cache = KeyCache::new(2);
        let get = |k: u32| {
            cache
                .read(
                    |e: &(u32, u32)| e.0 == k,
                    || Ok::<_, Infallible>((k, k * 10)),
                    |e| e.1,
                )
                .unwrap()
        };
        assert_eq!((get(1), get(2), get(1)), (10, 20, 10));
        assert_eq!(cache.stats(), (1, 2));
        get(3); // evicts 1, the oldest
        get(1);
        assert_eq!(cache.stats(), (1, 4));
    }

    #[test]
    fn a_failed_derivation_keeps_nothing_and_debug_shows_no_entry() {
        let cache: KeyCache<(u32, &str)> = KeyCache::new(0);
        let failed = cache.read(|_| true, || Err("no key"), |e| e.1);
        assert_eq!(failed, Err("no key"));
        let made = cache.read(|_| true, || Ok::<_, ()>((1, "secret")), |e| e.0);
        assert_eq!(made, Ok(1));
        assert_eq!(cache.stats(), (0, 2));
        struct Shown<'a>(&'a KeyCache<(u32, &'static str)>);
        impl fmt::Debug for Shown<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt_as("Keys", f)
            }
        }
        let shown = format!("{:?}", Shown(&cache));
        assert_eq!(shown, "Keys { capacity: 1, hits: 0, misses: 2, .. }");
    }
}
