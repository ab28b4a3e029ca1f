//! Which idle connection a request may take, and which ones are kept: idle connections by
//! [`Route`], newest first, at most `max_idle` per route, none older than [`MAX_IDLE_AGE`].
//! The transport owns the connections' sockets and the lock around the pool, passes the time
//! in, and checks that a connection it is handed is still open (the peer may have closed it
//! while it was idle; if it did, the transport asks again).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::Route;

/// Idle connections older than this are closed rather than reused (servers drop idle
/// connections after a while; hyper uses the same default).
pub const MAX_IDLE_AGE: Duration = Duration::from_secs(90);

/// Idle connections of type `C`, by route.
#[derive(Debug)]
pub struct IdlePool<C> {
    idle: HashMap<Route, Vec<(C, Instant)>>,
    max_idle: usize,
}

impl<C> IdlePool<C> {
    /// A pool keeping at most `max_idle` idle connections per route (botocore's
    /// `max_pool_connections`, [`HttpConfig::pool_max_idle`](crate::HttpConfig)).
    pub fn new(max_idle: usize) -> Self {
        IdlePool {
            idle: HashMap::new(),
            max_idle,
        }
    }

    /// The newest idle connection along `route` that is young enough at `now` (older ones are
    /// dropped on the way), if any.
    pub fn checkout(&mut self, route: &Route, now: Instant) -> Option<C> {
        let list = self.idle.get_mut(route)?;
        let found = loop {
            match list.pop() {
                Some((conn, since)) if fresh(since, now) => break Some(conn),
                Some(_) => continue,
                None => break None,
            }
        };
        if list.is_empty() {
            self.idle.remove(route);
        }
        found
    }

    /// Keep `conn` (idle from `now`) for the next request along `route`, unless the route
    /// already keeps `max_idle` young connections (then it is dropped, which closes it).
    pub fn checkin(&mut self, route: Route, conn: C, now: Instant) {
        if self.max_idle == 0 {
            return;
        }
        let list = self.idle.entry(route).or_default();
        list.retain(|(_, since)| fresh(*since, now));
        if list.len() < self.max_idle {
            list.push((conn, now));
        }
    }

    /// Idle connections kept along `route`.
    pub fn idle(&self, route: &Route) -> usize {
        self.idle.get(route).map_or(0, Vec::len)
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
        }
    }

    #[test]
    fn the_newest_connection_of_the_same_route_is_reused() {
        let t0 = Instant::now();
        let mut pool = IdlePool::new(2);
        pool.checkin(route("a", None), 1, t0);
        pool.checkin(route("a", None), 2, t0);
        pool.checkin(route("a", None), 3, t0);
        assert_eq!(pool.idle(&route("a", None)), 2, "at most max_idle");
        pool.checkin(route("a", Some("px:1")), 4, t0);
        assert_eq!(pool.checkout(&route("b", None), t0), None);
        assert_eq!(pool.checkout(&route("a", Some("px:1")), t0), Some(4));
        assert_eq!(pool.checkout(&route("a", None), t0), Some(2));
        assert_eq!(pool.checkout(&route("a", None), t0), Some(1));
        assert_eq!(pool.checkout(&route("a", None), t0), None);
    }

    #[test]
    fn old_connections_are_dropped_not_reused() {
        let t0 = Instant::now();
        let later = t0 + MAX_IDLE_AGE;
        let mut pool = IdlePool::new(2);
        pool.checkin(route("a", None), 1, t0);
        pool.checkin(route("a", None), 2, t0 + Duration::from_secs(1));
        assert_eq!(pool.checkout(&route("a", None), later), Some(2));
        assert_eq!(pool.checkout(&route("a", None), later), None);
        pool.checkin(route("a", None), 3, t0);
        pool.checkin(route("a", None), 4, later);
        assert_eq!(pool.idle(&route("a", None)), 1, "the old one was pruned");
        let mut none = IdlePool::new(0);
        none.checkin(route("a", None), 1, t0);
        assert_eq!(none.checkout(&route("a", None), t0), None);
    }
}
