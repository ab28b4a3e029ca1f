//! The async-std (and smol) runtime for the core's session and client: [`HttpClient`]
//! implements the core's [`Transport`](sansboto_core::runtime::Transport) on async-io's timers and the `blocking` thread pool, so it
//! runs under either executor; everything else is the core's.

use std::future::Future;
use std::time::{Duration, SystemTime};

use futures_lite::FutureExt;
use sansboto_core::runtime::Timer;

use crate::{HttpClient, ResponseBody};

sansboto_host::async_transport!(HttpClient, ResponseBody);

impl Timer for HttpClient {
    async fn sleep(&self, duration: Duration) {
        crate::sleep(duration).await
    }

    async fn timeout<F: Future + Send>(&self, limit: Duration, future: F) -> Option<F::Output> {
        async { Some(future.await) }
            .or(async {
                async_io::Timer::after(limit).await;
                None
            })
            .await
    }

    fn now(&self) -> SystemTime {
        crate::now()
    }
}

// Files and processes on the `blocking` thread pool, so any executor works.
sansboto_host::host_on_pool!(HttpClient, crate::AsyncStdIo, blocking::unblock);

sansboto_host::runtime_aliases!(HttpClient);

sansboto_host::runtime_session!(
    HttpClient,
    /// Configuration, credentials and models shared by clients (botocore's `get_session()`).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), sansboto_async_std::Error> {
    /// use sansboto_async_std::{params, Session};
    /// let session = Session::new();
    /// let s3 = session.client("s3").region("us-west-2").build().await?;
    /// let out = s3.call("PutObject", params! {"Bucket": "b", "Key": "k", "Body": &b"hi"[..]}).await?;
    /// println!("{}", out["ETag"].as_str().unwrap_or_default());
    /// # Ok(()) }
    /// ```
);

sansboto_host::runtime_streams!(HttpClient, futures_lite::stream);
