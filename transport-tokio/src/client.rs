//! The tokio runtime for the core's session and client: [`HttpClient`] implements the core's
//! [`Transport`](sansboto_core::runtime::Transport); everything else (credentials, retries, pagination, waiters) is the core's.

use std::future::Future;
use std::time::{Duration, SystemTime};

use futures_util::stream::{Stream, StreamExt};
use sansboto_core::runtime::Timer;
use sansboto_core::Error;
use sansboto_core::Value;

use crate::{HttpClient, ResponseBody};

sansboto_host::async_transport!(HttpClient, ResponseBody);

impl Timer for HttpClient {
    async fn sleep(&self, duration: Duration) {
        crate::sleep(duration).await
    }

    async fn timeout<F: Future + Send>(&self, limit: Duration, future: F) -> Option<F::Output> {
        tokio::time::timeout(limit, future).await.ok()
    }

    fn now(&self) -> SystemTime {
        crate::now()
    }
}

// Files and processes on tokio's blocking pool.
sansboto_host::host_on_pool!(HttpClient, crate::body::TokioIo, blocking);

/// Run blocking file work on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(std::io::Error::other)?
}

sansboto_host::runtime_aliases!(HttpClient);

sansboto_host::runtime_session!(
    HttpClient,
    /// Configuration, credentials and models shared by clients (botocore's `get_session()`).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), sansboto_tokio::Error> {
    /// use sansboto_tokio::{params, Session};
    /// let session = Session::new();
    /// let s3 = session.client("s3").region("us-west-2").build().await?;
    /// let out = s3.call("PutObject", params! {"Bucket": "b", "Key": "k", "Body": &b"hi"[..]}).await?;
    /// println!("{}", out["ETag"].as_str().unwrap_or_default());
    /// # Ok(()) }
    /// ```
);

sansboto_host::runtime_streams!(HttpClient, futures_util::stream);

/// The value of an event-stream input member (`"AudioStream"`, Bedrock's `"body"`): the events
/// `events` yields (`{"AudioEvent": {"AudioChunk": …}}`), encoded as they are pulled and signed
/// as they are sent over HTTP/2, then the signed end frame when the stream ends. hyper pulls the
/// next event only when the connection can take it (back-pressure); read the answers meanwhile
/// with [`Client::event_stream`](sansboto_core::runtime::Client::event_stream).
///
/// An event that cannot be encoded (or an `Err` from `events`) aborts the request: the HTTP/2
/// stream is reset and the service sees a cancelled call.
pub fn event_input<S>(client: &Client, operation: &str, events: S) -> Result<Value, Error>
where
    S: Stream<Item = Result<Value, Error>> + Send + 'static,
{
    let encoder = client.input_event_encoder(operation)?;
    let encoded = events.map(move |event| {
        event
            .and_then(|event| encoder.encode(&event))
            .map_err(std::io::Error::other)
    });
    Ok(Value::Stream(crate::stream_body(encoded, None)))
}
