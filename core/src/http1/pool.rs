//! Which idle connection a request may take, and which ones are kept: idle connections by
//! [`Route`], newest first, at most `max_idle` per route, along at most [`MAX_ROUTES`] routes,
//! none older than [`MAX_IDLE_AGE`].
//! The transport owns the connections' sockets, passes the time in, and says whether an idle
//! connection is still open (the peer may have closed it while it was idle). Shared by a
//! client's clones and its response bodies, so it locks itself.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::Route;

/// Idle connections older than this are closed rather than reused (servers drop idle
/// connections after a while; hyper uses the same default).
pub const MAX_IDLE_AGE: Duration = Duration::from_secs(90);

/// Routes kept at once (botocore's pool manager keeps 10 host pools): a client that talks to
/// many hosts (an S3 bucket is a host of its own) keeps idle connections along the ones it
/// used last, not an open socket for every host it ever called.
pub const MAX_ROUTES: usize = 10;

/// Idle connections of type `C`, by route.
#[derive(Debug)]
pub struct IdlePool<C> {
    idle: Mutex<HashMap<Route, Vec<(C, Instant)>>>,
    max_idle: usize,
}

impl<C> IdlePool<C> {
    /// A pool keeping at most `max_idle` idle connections per route (botocore's
    /// `max_pool_connections`, [`HttpConfig::pool_max_idle`](crate::HttpConfig)).
    pub fn new(max_idle: usize) -> Self {
        IdlePool {
            idle: Mutex::new(HashMap::new()),
            max_idle,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Route, Vec<(C, Instant)>>> {
        // A panic elsewhere while holding the lock leaves the map whole: keep using it.
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The newest idle connection along `route` that is young enough at `now` and still
    /// `open` (the transport's check, without waiting), if any; the others met on the way are
    /// dropped, which closes them.
    pub fn checkout(
        &self,
        route: &Route,
        now: Instant,
        mut open: impl FnMut(&mut C) -> bool,
    ) -> Option<C> {
        let mut idle = self.lock();
        let list = idle.get_mut(route)?;
        let mut found = None;
        while let Some((mut conn, since)) = list.pop() {
            if fresh(since, now) && open(&mut conn) {
                found = Some(conn);
                break;
            }
        }
        if list.is_empty() {
            idle.remove(route);
        }
        found
    }

    /// Keep `conn` (idle from `now`) for the next request along `route`, unless the route
    /// already keeps `max_idle` young connections (then it is dropped, which closes it).
    pub fn checkin(&self, route: Route, conn: C, now: Instant) {
        if self.max_idle == 0 {
            return;
        }
        let mut idle = self.lock();
        // Connections along routes no longer used are closed here too, not only when their
        // route is used again.
        idle.retain(|_, list| {
            list.retain(|(_, since)| fresh(*since, now));
            !list.is_empty()
        });
        if !idle.contains_key(&route) && idle.len() >= MAX_ROUTES {
            // Make room: the route whose newest idle connection is the oldest goes.
            let stalest = idle
                .iter()
                .min_by_key(|(_, list)| list.last().map(|(_, since)| *since))
                .map(|(route, _)| route.clone());
            if let Some(stalest) = stalest {
                idle.remove(&stalest);
            }
        }
        let list = idle.entry(route).or_default();
        if list.len() < self.max_idle {
            list.push((conn, now));
        }
    }

    /// Routes with idle connections kept.
    pub fn routes(&self) -> usize {
        self.lock().len()
    }

    /// Idle connections kept along `route`.
    pub fn idle(&self, route: &Route) -> usize {
        self.lock().get(route).map_or(0, Vec::len)
    }
}

fn fresh(since: Instant, now: Instant) -> bool {
    now.saturating_duration_since(since) < MAX_IDLE_AGE
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProxyUrl;

    fn route(host: &str, proxy: Option<&str>) -> Route {
        Route {
            https: true,
            host: host.into(),
            port: 443,
            proxy: proxy.map(|p| ProxyUrl::parse(p).unwrap()),
            forwarded: false,
        }
    }

    fn open(_: &mut i32) -> bool {
        true
    }

    #[test]
    fn idle_connections_along_unused_routes_are_closed() {
        let t0 = Instant::now();
        let pool = IdlePool::new(2);
        // A checkin elsewhere drops what has grown old along another route.
        pool.checkin(route("old", None), 1, t0);
        pool.checkin(route("new", None), 2, t0 + MAX_IDLE_AGE);
        assert_eq!(pool.idle(&route("old", None)), 0);
        assert_eq!(pool.routes(), 1);

        // At most MAX_ROUTES routes: the one used longest ago makes room.
        let pool = IdlePool::new(2);
        for i in 0..MAX_ROUTES + 5 {
            let at = t0 + Duration::from_secs(i as u64);
            pool.checkin(route(&format!("bucket-{i}"), None), i as i32, at);
        }
        assert_eq!(pool.routes(), MAX_ROUTES);
        assert_eq!(pool.idle(&route("bucket-0", None)), 0);
        assert_eq!(
            pool.idle(&route(&format!("bucket-{}", MAX_ROUTES + 4), None)),
            1
        );
        // A route already kept takes its connection without evicting another, and counts as
        // used last.
        let late = t0 + Duration::from_secs(60);
        pool.checkin(route("bucket-5", None), 99, late);
        assert_eq!(pool.routes(), MAX_ROUTES);
        assert_eq!(pool.idle(&route("bucket-5", None)), 2);
        pool.checkin(route("another", None), 7, late);
        assert_eq!(pool.routes(), MAX_ROUTES);
        assert_eq!(pool.idle(&route("bucket-5", None)), 2);
        assert_eq!(
            pool.idle(&route("bucket-6", None)),
            0,
            "the stalest route made room"
        );
    }

    #[test]
    fn the_newest_connection_of_the_same_route_is_reused() {
        let t0 = Instant::now();
        let pool = IdlePool::new(2);
        pool.checkin(route("a", None), 1, t0);
        pool.checkin(route("a", None), 2, t0);
        pool.checkin(route("a", None), 3, t0);
        assert_eq!(pool.idle(&route("a", None)), 2, "at most max_idle");
        pool.checkin(route("a", Some("px:1")), 4, t0);
        assert_eq!(pool.checkout(&route("b", None), t0, open), None);
        assert_eq!(pool.checkout(&route("a", Some("px:1")), t0, open), Some(4));
        assert_eq!(pool.checkout(&route("a", None), t0, open), Some(2));
        assert_eq!(pool.checkout(&route("a", None), t0, open), Some(1));
        assert_eq!(pool.checkout(&route("a", None), t0, open), None);
    }

    #[test]
    fn old_connections_are_dropped_not_reused() {
        let t0 = Instant::now();
        let later = t0 + MAX_IDLE_AGE;
        let pool = IdlePool::new(2);
        pool.checkin(route("a", None), 1, t0);
        pool.checkin(route("a", None), 2, t0 + Duration::from_secs(1));
        assert_eq!(pool.checkout(&route("a", None), later, open), Some(2));
        assert_eq!(pool.checkout(&route("a", None), later, open), None);
        pool.checkin(route("a", None), 3, t0);
        pool.checkin(route("a", None), 4, later);
        assert_eq!(pool.idle(&route("a", None)), 1, "the old one was pruned");
        let none = IdlePool::new(0);
        none.checkin(route("a", None), 1, t0);
        assert_eq!(none.checkout(&route("a", None), t0, open), None);
    }

    #[test]
    fn connections_the_peer_closed_are_dropped_and_the_next_one_taken() {
        let t0 = Instant::now();
        let pool = IdlePool::new(3);
        for conn in [1, 2, 3] {
            pool.checkin(route("a", None), conn, t0);
        }
        let mut asked = Vec::new();
        let got = pool.checkout(&route("a", None), t0, |c| {
            asked.push(*c);
            *c == 1
        });
        assert_eq!((got, asked), (Some(1), vec![3, 2, 1]));
        assert_eq!(pool.idle(&route("a", None)), 0);
    }
}
