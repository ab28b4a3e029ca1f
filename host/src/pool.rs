//! The core's [`Host`](sansboto_core::runtime::Host) written once for every transport
//! ([`host_on_pool!`]): each method is this crate's blocking file or process work, run where the
//! transport says blocking work runs (tokio's blocking pool, the `blocking` crate's, or the
//! calling thread: [`run_here`]); reading a request body ahead is the core's
//! [`request_body::scan`](sansboto_core::request_body::scan) over the transport's
//! [`BodyIo`](sansboto_core::outgoing::BodyIo).

/// Run blocking `work` on the calling thread, as a future that is ready at once (the blocking
/// transport's way to run host work).
pub fn run_here<T>(work: impl FnOnce() -> T) -> std::future::Ready<T> {
    std::future::ready(work())
}

/// Implements the core's `Host` for `$transport`: `$unblock` runs a blocking
/// `FnOnce() -> std::io::Result<T> + Send + 'static` and gives a `Send` future of its result;
/// `$io` is the transport's `BodyIo` (how its request bodies are opened and read).
#[macro_export]
macro_rules! host_on_pool {
    ($transport:ty, $io:ty, $unblock:expr) => {
        impl $crate::__core::runtime::Host for $transport {
            async fn scan_body(
                &self,
                body: &$crate::__core::StreamingBody,
                sink: &mut (dyn FnMut(&[u8]) + Send),
            ) -> Result<(), $crate::__core::TransportError> {
                use $crate::__core::outgoing::BodyIo;
                $crate::__core::request_body::scan(body, <$io>::open, <$io>::poll_read, sink).await
            }

            async fn read_file(
                &self,
                path: std::path::PathBuf,
            ) -> std::io::Result<$crate::__bytes::Bytes> {
                ($unblock)(move || std::fs::read(path))
                    .await
                    .map($crate::__bytes::Bytes::from)
            }

            async fn write_file(
                &self,
                path: std::path::PathBuf,
                contents: $crate::__bytes::Bytes,
            ) -> std::io::Result<()> {
                ($unblock)(move || $crate::fs::write_file_atomically(&path, &contents)).await
            }

            async fn run_process(
                &self,
                argv: Vec<String>,
            ) -> std::io::Result<$crate::__core::machine::ProcessOutput> {
                ($unblock)(move || $crate::process::run(argv)).await
            }

            async fn file_job(
                &self,
                job: $crate::__core::transfer::FileJob,
            ) -> std::io::Result<$crate::__core::transfer::FileOutput> {
                ($unblock)(move || $crate::fs::run_file_job(job)).await
            }

            async fn ask_mfa_code(
                &self,
                prompt: $crate::__core::credentials::MfaPrompt,
            ) -> Result<String, String> {
                ($unblock)(move || Ok(prompt.ask()))
                    .await
                    .unwrap_or_else(|e: std::io::Error| Err(e.to_string()))
            }

            fn env_var(&self, name: &str) -> Option<String> {
                std::env::var(name).ok()
            }

            async fn write_file_at(
                &self,
                path: std::path::PathBuf,
                offset: u64,
                data: $crate::__bytes::Bytes,
            ) -> std::io::Result<()> {
                ($unblock)(move || $crate::fs::write_at(&path, offset, &data)).await
            }
        }
    };
}
