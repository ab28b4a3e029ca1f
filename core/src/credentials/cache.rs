//! Refresh coordination for expiring credentials, as botocore's `RefreshableCredentials` does it,
//! usable from threads or any async runtime (std `Mutex`/`Condvar` and `Waker` only).
//!
//! - More than 15 minutes left (advisory window): use the credentials.
//! - Inside the advisory window: one caller refreshes; everyone else keeps using the current,
//!   still-valid credentials. A failed advisory refresh keeps the current ones.
//! - Inside the mandatory window (10 minutes), expired, or nothing loaded yet: one caller
//!   refreshes and everyone else waits for it; a failed mandatory refresh is an error.
//!
//! The cache never runs the refresh itself: [`CredentialsCache::get`] hands exactly one caller a
//! [`RefreshPermit`], that caller drives a [`CredentialChain`](super::CredentialChain) (or any
//! source) and reports back with [`RefreshPermit::complete`].

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::Waker;
use std::time::{Duration, SystemTime};

use super::{Credentials, CredentialsError};

/// botocore's `_DEFAULT_ADVISORY_REFRESH_TIMEOUT`.
pub const ADVISORY_REFRESH_WINDOW: Duration = Duration::from_secs(15 * 60);
/// botocore's `_DEFAULT_MANDATORY_REFRESH_TIMEOUT`.
pub const MANDATORY_REFRESH_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Shared, refresh-coordinating holder of the current credentials.
#[derive(Debug)]
pub struct CredentialsCache {
    state: Mutex<State>,
    refreshed: Condvar,
    advisory: Duration,
    mandatory: Duration,
}

#[derive(Debug, Default)]
struct State {
    current: Option<Credentials>,
    refreshing: bool,
    wakers: Vec<Waker>,
}

/// What a caller should do, from [`CredentialsCache::get`].
#[derive(Debug)]
pub enum CacheStatus {
    /// Use these credentials.
    Fresh(Credentials),
    /// You are the one refresher: get new credentials and call [`RefreshPermit::complete`].
    RefreshNeeded(RefreshPermit),
    /// Another caller is refreshing and there is nothing usable meanwhile: wait
    /// ([`CredentialsCache::wait_blocking`] or [`CredentialsCache::register_waker`]), then call
    /// `get` again.
    Wait,
}

/// The right (and duty) to refresh. Dropping it without completing releases it, so a cancelled
/// or panicking refresher never blocks the others.
#[derive(Debug)]
pub struct RefreshPermit {
    cache: Arc<CredentialsCache>,
    /// The still-usable credentials during an advisory refresh; `None` for a mandatory one.
    fallback: Option<Credentials>,
    released: bool,
}

impl Default for CredentialsCache {
    fn default() -> Self {
        Self::new()
    }
}

impl CredentialsCache {
    /// An empty cache with botocore's windows (advisory 15 min, mandatory 10 min).
    pub fn new() -> Self {
        Self::with_windows(ADVISORY_REFRESH_WINDOW, MANDATORY_REFRESH_WINDOW)
    }

    /// An empty cache with other windows (`advisory` should be at least `mandatory`).
    pub fn with_windows(advisory: Duration, mandatory: Duration) -> Self {
        CredentialsCache {
            state: Mutex::new(State::default()),
            refreshed: Condvar::new(),
            advisory: advisory.max(mandatory),
            mandatory,
        }
    }

    /// A cache holding `credentials` already.
    pub fn with_credentials(credentials: Credentials) -> Self {
        let cache = Self::new();
        cache.lock().current = Some(credentials);
        cache
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent across a panic (plain field writes), so poison is ignored.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// True when `credentials` expire within `window` of `now`.
    fn within(credentials: &Credentials, now: SystemTime, window: Duration) -> bool {
        match credentials.expiry() {
            None => false,
            Some(expiry) => expiry
                .duration_since(now)
                .map_or(true, |left| left < window),
        }
    }

    /// What to do at `now`. (The permit keeps the cache alive, so it can be held across an
    /// `await` or inside a state machine.)
    pub fn get(self: &Arc<Self>, now: SystemTime) -> CacheStatus {
        let mut state = self.lock();
        let usable = match &state.current {
            Some(creds) if !Self::within(creds, now, self.advisory) => {
                return CacheStatus::Fresh(creds.clone())
            }
            Some(creds) if !Self::within(creds, now, self.mandatory) => Some(creds.clone()),
            _ => None,
        };
        if state.refreshing {
            return match usable {
                Some(creds) => CacheStatus::Fresh(creds),
                None => CacheStatus::Wait,
            };
        }
        state.refreshing = true;
        CacheStatus::RefreshNeeded(RefreshPermit {
            cache: Arc::clone(self),
            fallback: usable,
            released: false,
        })
    }

    /// The credentials held now, whatever their expiry.
    pub fn current(&self) -> Option<Credentials> {
        self.lock().current.clone()
    }

    /// Replace the held credentials (e.g. after an out-of-band load).
    pub fn set(&self, credentials: Credentials) {
        self.lock().current = Some(credentials);
    }

    /// True while a refresher holds the permit.
    pub fn is_refreshing(&self) -> bool {
        self.lock().refreshing
    }

    /// Block the calling thread until no refresh is running, or `timeout` passes. Returns true
    /// when no refresh is running. (For async code use [`register_waker`](Self::register_waker).)
    pub fn wait_blocking(&self, timeout: Duration) -> bool {
        let state = self.lock();
        let (state, _) = self
            .refreshed
            .wait_timeout_while(state, timeout, |s| s.refreshing)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        !state.refreshing
    }

    /// Wake `waker` when the running refresh finishes (at once when none is running).
    pub fn register_waker(&self, waker: &Waker) {
        let mut state = self.lock();
        if state.refreshing {
            if !state.wakers.iter().any(|w| w.will_wake(waker)) {
                state.wakers.push(waker.clone());
            }
        } else {
            drop(state);
            waker.wake_by_ref();
        }
    }

    fn release(&self, new: Option<Credentials>) {
        let wakers = {
            let mut state = self.lock();
            if let Some(creds) = new {
                state.current = Some(creds);
            }
            state.refreshing = false;
            std::mem::take(&mut state.wakers)
        };
        self.refreshed.notify_all();
        for waker in wakers {
            waker.wake();
        }
    }
}

impl RefreshPermit {
    /// True when nothing usable is held (the refresh must succeed for the caller to proceed).
    pub fn is_mandatory(&self) -> bool {
        self.fallback.is_none()
    }

    /// Report the refresh outcome; returns the credentials the caller should use. A failed
    /// advisory refresh falls back to the still-valid credentials, as botocore does; a failed
    /// mandatory one is returned as the error. New credentials that are already expired are
    /// not kept.
    pub fn complete(
        mut self,
        result: Result<Credentials, CredentialsError>,
        now: SystemTime,
    ) -> Result<Credentials, CredentialsError> {
        self.released = true;
        match result {
            Ok(creds) if creds.is_expired(now) => {
                self.cache.release(None);
                Err(CredentialsError::RefreshedExpired)
            }
            Ok(creds) => {
                self.cache.release(Some(creds.clone()));
                Ok(creds)
            }
            Err(error) => {
                self.cache.release(None);
                match self.fallback.take() {
                    Some(creds) => Ok(creds),
                    None => Err(error),
                }
            }
        }
    }
}

impl Drop for RefreshPermit {
    fn drop(&mut self) {
        if !self.released {
            self.cache.release(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{mpsc, Arc, Barrier};

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn creds(name: &str, expiry: Option<u64>) -> Credentials {
        Credentials::new(name, "secret", None, expiry.map(at))
    }

    #[test]
    fn windows_decide_fresh_advisory_mandatory() {
        let cache = Arc::new(CredentialsCache::with_credentials(creds("a", Some(10_000))));
        // 20 minutes left: fresh.
        assert!(
            matches!(cache.get(at(10_000 - 1200)), CacheStatus::Fresh(c) if c.access_key_id() == "a")
        );
        // 12 minutes left: advisory refresh, with a fallback.
        match cache.get(at(10_000 - 720)) {
            CacheStatus::RefreshNeeded(permit) => {
                assert!(!permit.is_mandatory());
                // A failed advisory refresh keeps the old credentials.
                let used = permit
                    .complete(Err(CredentialsError::Protocol("boom")), at(10_000 - 720))
                    .unwrap();
                assert_eq!(used.access_key_id(), "a");
            }
            other => panic!("expected a refresh, got {other:?}"),
        }
        // 5 minutes left: mandatory; failure is an error.
        match cache.get(at(10_000 - 300)) {
            CacheStatus::RefreshNeeded(permit) => {
                assert!(permit.is_mandatory());
                assert!(permit
                    .complete(Err(CredentialsError::Protocol("boom")), at(10_000 - 300))
                    .is_err());
            }
            other => panic!("expected a refresh, got {other:?}"),
        }
        // Without expiry: never refreshed.
        let cache = Arc::new(CredentialsCache::with_credentials(creds("static", None)));
        assert!(matches!(
            cache.get(at(u32::MAX as u64)),
            CacheStatus::Fresh(_)
        ));
    }

    #[test]
    fn refreshed_but_expired_is_an_error_and_not_kept() {
        let cache = Arc::new(CredentialsCache::new());
        let CacheStatus::RefreshNeeded(permit) = cache.get(at(100)) else {
            panic!("empty cache must ask for a refresh")
        };
        assert!(matches!(
            permit.complete(Ok(creds("old", Some(50))), at(100)),
            Err(CredentialsError::RefreshedExpired)
        ));
        assert!(cache.current().is_none());
        assert!(!cache.is_refreshing());
    }

    #[test]
    fn dropped_permit_releases() {
        let cache = Arc::new(CredentialsCache::new());
        let permit = cache.get(at(0));
        assert!(matches!(cache.get(at(0)), CacheStatus::Wait));
        drop(permit);
        assert!(matches!(cache.get(at(0)), CacheStatus::RefreshNeeded(_)));
    }

    /// Two threads find no usable credentials at once: exactly one refreshes, the other waits
    /// and then uses the refreshed credentials.
    #[test]
    fn two_threads_mandatory_exactly_one_refresh() {
        let cache = Arc::new(CredentialsCache::new());
        let refreshes = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(2));
        let (waiting_tx, waiting_rx) = mpsc::channel::<()>();
        let waiting_rx = Arc::new(Mutex::new(waiting_rx));
        let now = at(1_000);
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (cache, refreshes, barrier) =
                    (cache.clone(), refreshes.clone(), barrier.clone());
                let (waiting_tx, waiting_rx) = (waiting_tx.clone(), waiting_rx.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    match cache.get(now) {
                        CacheStatus::RefreshNeeded(permit) => {
                            refreshes.fetch_add(1, Ordering::SeqCst);
                            // Hold the permit until the other thread has seen `Wait`.
                            let rx = waiting_rx.lock().unwrap();
                            rx.recv_timeout(Duration::from_secs(10)).unwrap();
                            permit
                                .complete(Ok(creds("new", Some(100_000))), now)
                                .unwrap()
                        }
                        CacheStatus::Wait => {
                            waiting_tx.send(()).unwrap();
                            loop {
                                assert!(cache.wait_blocking(Duration::from_secs(10)));
                                match cache.get(now) {
                                    CacheStatus::Fresh(c) => break c,
                                    CacheStatus::Wait => continue,
                                    CacheStatus::RefreshNeeded(_) => panic!("second refresh"),
                                }
                            }
                        }
                        CacheStatus::Fresh(_) => panic!("nothing was cached"),
                    }
                })
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap().access_key_id(), "new");
        }
        assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    }

    /// In the advisory window one thread refreshes while the other keeps using the old
    /// credentials without waiting.
    #[test]
    fn two_threads_advisory_one_refresh_other_uses_current() {
        let cache = Arc::new(CredentialsCache::with_credentials(creds(
            "old",
            Some(10_000),
        )));
        let now = at(10_000 - 700);
        let refreshes = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(2));
        let (used_old_tx, used_old_rx) = mpsc::channel::<()>();
        let used_old_rx = Arc::new(Mutex::new(used_old_rx));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (cache, refreshes, barrier) =
                    (cache.clone(), refreshes.clone(), barrier.clone());
                let (tx, rx) = (used_old_tx.clone(), used_old_rx.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    match cache.get(now) {
                        CacheStatus::RefreshNeeded(permit) => {
                            refreshes.fetch_add(1, Ordering::SeqCst);
                            rx.lock()
                                .unwrap()
                                .recv_timeout(Duration::from_secs(10))
                                .unwrap();
                            permit
                                .complete(Ok(creds("new", Some(50_000))), now)
                                .unwrap()
                        }
                        CacheStatus::Fresh(c) => {
                            tx.send(()).unwrap();
                            c
                        }
                        CacheStatus::Wait => panic!("advisory window must not block"),
                    }
                })
            })
            .collect();
        let mut keys: Vec<String> = handles
            .into_iter()
            .map(|h| h.join().unwrap().access_key_id().to_string())
            .collect();
        keys.sort();
        assert_eq!(keys, ["new", "old"]);
        assert_eq!(refreshes.load(Ordering::SeqCst), 1);
        assert_eq!(cache.current().unwrap().access_key_id(), "new");
    }

    #[test]
    fn many_threads_one_refresh() {
        let cache = Arc::new(CredentialsCache::new());
        let refreshes = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(8));
        let now = at(5);
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (cache, refreshes, barrier) =
                    (cache.clone(), refreshes.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    loop {
                        match cache.get(now) {
                            CacheStatus::Fresh(c) => return c,
                            CacheStatus::RefreshNeeded(permit) => {
                                refreshes.fetch_add(1, Ordering::SeqCst);
                                std::thread::yield_now();
                                return permit.complete(Ok(creds("n", Some(99_999))), now).unwrap();
                            }
                            CacheStatus::Wait => {
                                cache.wait_blocking(Duration::from_secs(10));
                            }
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap().access_key_id(), "n");
        }
        assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn waker_is_woken_when_refresh_ends() {
        struct Flag(AtomicUsize);
        impl std::task::Wake for Flag {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let flag = Arc::new(Flag(AtomicUsize::new(0)));
        let waker = Waker::from(flag.clone());
        let cache = Arc::new(CredentialsCache::new());
        let CacheStatus::RefreshNeeded(permit) = cache.get(at(0)) else {
            panic!()
        };
        cache.register_waker(&waker);
        assert_eq!(flag.0.load(Ordering::SeqCst), 0);
        permit.complete(Ok(creds("w", None)), at(0)).unwrap();
        assert_eq!(flag.0.load(Ordering::SeqCst), 1);
    }
}
