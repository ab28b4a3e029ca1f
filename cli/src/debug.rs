//! `--debug`: the spans and events sansboto reports through `tracing` (calls, attempts,
//! requests and responses with their secrets redacted, retry decisions, credential providers,
//! endpoints, models; see `sansboto_core::trace`), written to stderr by a `tracing_subscriber`
//! formatter at debug level for sansboto's own targets only.

/// The crates whose events `--debug` shows (this command's own target is `sansboto`).
#[cfg(feature = "tracing")]
const TARGETS: &[&str] = &[
    "sansboto_core",
    "sansboto_blocking",
    "sansboto_models",
    "sansboto",
];

/// Send sansboto's debug events to stderr for the rest of the process.
#[cfg(feature = "tracing")]
pub(crate) fn enable() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let filter = TARGETS.iter().fold(
        tracing_subscriber::filter::Targets::new(),
        |filter, target| filter.with_target(*target, tracing::Level::DEBUG),
    );
    let format = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false);
    // Only fails when a subscriber is already set, which this command never does elsewhere.
    let _ = tracing_subscriber::registry()
        .with(format)
        .with(filter)
        .try_init();
}

/// Built without `tracing`: say why `--debug` shows nothing.
#[cfg(not(feature = "tracing"))]
pub(crate) fn enable() {
    eprintln!("sansboto: --debug needs the `tracing` feature, which this build left out");
}

/// One debug line of this command's own (the client it built, the waiter it runs).
macro_rules! debug_event {
    ($($arg:tt)*) => {{
        #[cfg(feature = "tracing")]
        tracing::debug!(target: "sansboto", $($arg)*);
        #[cfg(not(feature = "tracing"))]
        let _ = format_args!($($arg)*);
    }};
}
pub(crate) use debug_event;
