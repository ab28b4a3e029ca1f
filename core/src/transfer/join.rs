//! Running several futures at once inside one future: what [`Transport::join_all`] does by
//! default on async runtimes (each transfer worker waits on its own requests, all in one task).
//! Pure polling, no executor.
//!
//! [`Transport::join_all`]: crate::runtime::Transport::join_all

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A future finishing when every one of `futures` has, with their outputs in order.
pub struct JoinAll<F: Future> {
    futures: Vec<Option<Pin<Box<F>>>>,
    outputs: Vec<Option<F::Output>>,
}

impl<F: Future> JoinAll<F> {
    /// Join `futures`.
    pub fn new(futures: Vec<F>) -> Self {
        let outputs = futures.iter().map(|_| None).collect();
        JoinAll {
            futures: futures.into_iter().map(|f| Some(Box::pin(f))).collect(),
            outputs,
        }
    }
}

// Nothing is pinned in place: the futures are boxed.
impl<F: Future> Unpin for JoinAll<F> {}

impl<F: Future> Future for JoinAll<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut pending = false;
        for (slot, output) in this.futures.iter_mut().zip(this.outputs.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    Poll::Ready(out) => {
                        *output = Some(out);
                        *slot = None;
                    }
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            return Poll::Pending;
        }
        Poll::Ready(this.outputs.iter_mut().filter_map(Option::take).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::task::{Wake, Waker};

    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }

    /// Pending until its turn comes in a shared counter: futures that each need the others to
    /// have made progress, so joining them must poll them all.
    struct Turn {
        me: usize,
        next: Arc<Mutex<usize>>,
    }

    impl Future for Turn {
        type Output = usize;
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<usize> {
            let mut next = self.next.lock().unwrap();
            if *next == self.me {
                *next += 1;
                Poll::Ready(self.me * 10)
            } else {
                Poll::Pending
            }
        }
    }

    #[test]
    fn every_future_is_polled_and_outputs_keep_their_order() {
        let next = Arc::new(Mutex::new(0));
        // Listed in reverse: the last one must finish first.
        let futures = (0..4)
            .rev()
            .map(|me| Turn {
                me,
                next: next.clone(),
            })
            .collect();
        let mut join = JoinAll::new(futures);
        let waker = Waker::from(Arc::new(Noop));
        let mut cx = Context::from_waker(&waker);
        let mut polls = 0;
        let out = loop {
            polls += 1;
            if let Poll::Ready(out) = Pin::new(&mut join).poll(&mut cx) {
                break out;
            }
            assert!(polls < 10, "stuck");
        };
        assert_eq!(out, vec![30, 20, 10, 0]);
    }
}
