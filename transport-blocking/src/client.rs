//! The blocking runtime for the core's session and client: [`HttpClient`] implements the core's
//! [`Transport`] with futures that complete at once, and [`block_on`] drives them on the calling
//! thread. No async runtime is involved.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use sansboto_core::response_check::ResponseCheck;
use sansboto_core::runtime::{Http, Timer, Transport};
use sansboto_core::Body;
use sansboto_core::HttpConfig;
use sansboto_core::Value;
use sansboto_core::{Error, TransportError};

use crate::{HttpClient, ResponseBody};

/// Wakes the thread blocked in [`block_on`].
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Run `future` to completion on this thread. The core's futures only wait on this transport's
/// operations, which complete synchronously, so this polls once in practice; parking covers any
/// future that does return `Pending`.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}

impl Transport for HttpClient {
    type Run<'a, T: 'a> = T;

    fn run<'a, T: 'a>(future: impl Future<Output = T> + Send + 'a) -> T {
        block_on(future)
    }

    /// A thread per future: each blocks in its own exchanges, so they overlap.
    async fn join_all<F>(&self, futures: Vec<F>) -> Vec<F::Output>
    where
        F: Future + Send,
        F::Output: Send,
    {
        std::thread::scope(|scope| {
            let threads: Vec<_> = futures
                .into_iter()
                .map(|future| scope.spawn(move || block_on(future)))
                .collect();
            threads
                .into_iter()
                .map(|t| {
                    t.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    }
}

impl Http for HttpClient {
    type ResponseBody = ResponseBody;

    fn connect(config: &HttpConfig) -> Result<Self, TransportError> {
        HttpClient::new(config.clone())
    }

    async fn send(
        &self,
        request: http::Request<Body>,
    ) -> Result<http::Response<ResponseBody>, TransportError> {
        HttpClient::send(self, request)
    }

    async fn read_body(&self, body: ResponseBody) -> Result<Bytes, TransportError> {
        body.bytes()
    }

    async fn read_chunk(&self, body: &mut ResponseBody) -> Result<Option<Bytes>, TransportError> {
        body.chunk()
    }

    fn check(body: &mut ResponseBody) -> &mut ResponseCheck {
        body.check()
    }

    fn proxy_for(&self, uri: &http::Uri) -> Option<String> {
        self.configured_proxy_for(uri)
    }
}

impl Timer for HttpClient {
    async fn sleep(&self, duration: Duration) {
        crate::sleep(duration)
    }

    /// The bound is applied by [`HttpClient::send`] itself (a deadline on the connection), since a
    /// blocking exchange cannot be interrupted from outside.
    async fn timeout<F: Future + Send>(&self, _limit: Duration, future: F) -> Option<F::Output> {
        Some(future.await)
    }

    fn now(&self) -> SystemTime {
        crate::now()
    }
}

// Files and processes on the calling thread.
sansboto_host::host_on_pool!(HttpClient, crate::body::BlockingIo, sansboto_host::run_here);

sansboto_host::runtime_aliases!(HttpClient);

sansboto_host::runtime_session!(
    HttpClient,
    /// Configuration, credentials and models shared by clients (botocore's `get_session()`).
    ///
    /// ```no_run
    /// use sansboto_blocking::{params, Session};
    /// let session = Session::new();
    /// let s3 = session.client("s3").region("us-west-2").build()?;
    /// let out = s3.call("PutObject", params! {"Bucket": "b", "Key": "k", "Body": &b"hi"[..]})?;
    /// println!("{}", out["ETag"].as_str().unwrap_or_default());
    /// # Ok::<(), sansboto_blocking::Error>(())
    /// ```
);

/// The events of an event stream as an `Iterator`
/// (`event_iter(client.event_stream("SelectObjectContent", &out)?)`).
pub fn event_iter<'c>(
    mut events: EventStream<'c>,
) -> impl Iterator<Item = Result<Value, Error>> + 'c {
    std::iter::from_fn(move || events.next_event())
}

/// The pages of a pagination as an `Iterator`.
pub fn page_iter<'c>(mut pages: Pages<'c>) -> impl Iterator<Item = Result<Value, Error>> + 'c {
    std::iter::from_fn(move || pages.next_page())
}
