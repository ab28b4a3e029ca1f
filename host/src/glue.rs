//! What the two async transports (tokio, async-std/smol) write alike around the core, written
//! once: their `Transport` and `Http` implementations ([`async_transport!`]) and the methods
//! of their response bodies that only hand reading to the core's
//! [`ResponseReader`](sansboto_core::response_read::ResponseReader) ([`async_response_body!`]).
//! Macros, because each expands to the transport's own types (and the bodies' methods must stay
//! inherent, callable without importing a trait).

/// Implements the core's `Transport` (futures boxed, to be awaited on the caller's executor) and
/// `Http` for an async transport's `$client`, whose own `new(HttpConfig)`, `send(request)` and
/// `proxy` (the configured proxies) the exchange goes through, and whose response bodies
/// (`$body`) read with their own `chunk()` through their `check()`: the two async transports'
/// one definition.
#[macro_export]
macro_rules! async_transport {
    ($client:ty, $body:ty) => {
        impl $crate::__core::runtime::Transport for $client {
            type Run<'a, T: 'a> =
                std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

            fn run<'a, T: 'a>(
                future: impl std::future::Future<Output = T> + Send + 'a,
            ) -> Self::Run<'a, T> {
                Box::pin(future)
            }
        }

        impl $crate::__core::runtime::Http for $client {
            type ResponseBody = $body;

            fn connect(
                config: &$crate::__core::HttpConfig,
            ) -> Result<Self, $crate::__core::TransportError> {
                <$client>::new(config.clone())
            }

            async fn send(
                &self,
                request: http::Request<$crate::__core::Body>,
            ) -> Result<http::Response<$body>, $crate::__core::TransportError> {
                <$client>::send(self, request).await
            }

            async fn read_chunk(
                &self,
                body: &mut $body,
            ) -> Result<Option<$crate::__bytes::Bytes>, $crate::__core::TransportError> {
                body.chunk().await
            }

            fn check(body: &mut $body) -> &mut $crate::__core::response_check::ResponseCheck {
                body.check()
            }

            fn proxy_for(&self, uri: &http::Uri) -> Option<String> {
                Some(self.proxy.as_deref()?.proxy_for_uri(uri)?.to_string())
            }
        }
    };
}

/// The inherent methods, `Debug` and `futures_core::Stream` of an async transport's response
/// body `$body`, which holds the core's `ResponseReader` in a field `reader` and polls its next
/// chunk with its own `poll_chunk(&mut self, cx)`.
#[macro_export]
macro_rules! async_response_body {
    ($body:ty) => {
        impl std::fmt::Debug for $body {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("ResponseBody")
                    .field("received", &self.reader.received())
                    .finish_non_exhaustive()
            }
        }

        impl $body {
            /// The declared length, when the response had a `Content-Length`.
            pub fn content_length(&self) -> Option<u64> {
                self.reader.content_length()
            }

            /// The checks reading goes through (the core adds the checksum and transfer watch).
            pub(crate) fn check(&mut self) -> &mut $crate::__core::response_check::ResponseCheck {
                self.reader.check()
            }

            /// Read the whole body.
            pub async fn bytes(
                mut self,
            ) -> Result<$crate::__bytes::Bytes, $crate::__core::TransportError> {
                let expected = self.content_length();
                $crate::__core::response_read::collect(expected, |cx| self.poll_chunk(cx)).await
            }

            /// The next chunk, or `None` at the end of the body.
            pub async fn chunk(
                &mut self,
            ) -> Result<Option<$crate::__bytes::Bytes>, $crate::__core::TransportError> {
                std::future::poll_fn(|cx| self.poll_chunk(cx)).await
            }
        }

        impl futures_core::Stream for $body {
            type Item = Result<$crate::__bytes::Bytes, $crate::__core::TransportError>;

            fn poll_next(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Option<Self::Item>> {
                self.get_mut().poll_chunk(cx).map(Result::transpose)
            }
        }
    };
}
