//! sansboto-host: what the sans-IO core needs from the machine it runs on, read in one place for
//! every transport: the environment, the shared config and credentials files (`~/.aws`) and an
//! OS random seed ([`session_inputs`]); botocore's data from `sansboto-models` as the core's
//! data source ([`BotocoreData`]); the file work of credential caches and S3 transfers
//! ([`fs`]) and running a credential process ([`process`]), as the core's `Host` on a transport's
//! blocking pool ([`host_on_pool!`]); the socket options of each connection ([`tcp`]); the `Session` type every transport defines
//! ([`runtime_session!`]); the async transports' `Transport`, response-body and stream glue
//! ([`async_transport!`], [`async_response_body!`], [`runtime_streams!`]); and, with feature `tls-rustls`, the rustls client
//! configuration ([`tls::client_config`]).
//!
//! The reading is synchronous, as botocore's is, and done once per session.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;

use sansboto_core::session::{Session, SessionInputs};

mod data;
pub mod fs;
mod glue;
mod pool;
pub mod process;
pub mod tcp;
#[cfg(feature = "tls-rustls")]
pub mod tls;

pub use data::BotocoreData;
pub use pool::run_here;

/// The process environment, the shared config and credentials files it points at, and an
/// OS-seeded random seed. A file that does not exist is simply absent. The environment is read
/// as [`environment`] reads it.
pub fn session_inputs(profile: Option<String>) -> SessionInputs {
    session_inputs_and_paths(profile).0
}

/// [`session_inputs`], with where the shared files are.
fn session_inputs_and_paths(
    profile: Option<String>,
) -> (SessionInputs, sansboto_core::config::SharedFilePaths) {
    let env = environment();
    let home = env
        .get("HOME")
        .or_else(|| env.get("USERPROFILE"))
        .map(PathBuf::from);
    let paths = Session::file_paths(&env, profile.as_deref(), home.as_deref());
    let inputs = SessionInputs {
        config_file: std::fs::read(&paths.config).ok(),
        credentials_file: std::fs::read(&paths.credentials).ok(),
        env,
        profile,
        random_seed: os_seed(),
    };
    (inputs, paths)
}

/// The process environment as the core reads it:
/// - a name or value that is not UTF-8 is read with U+FFFD for its bad bytes (where
///   `std::env::vars` would panic: any program started with such a variable could not make a
///   session), as Python keeps such variables (escaped) for botocore;
/// - without `HOME` (a system service, `env -i`), `HOME` is the user's home directory from the
///   password database, as Python's `os.path.expanduser` finds it for every `~` botocore
///   expands (`~/.aws/config`, `~/.aws/credentials`, the SSO cache, `~/.boto`). Unix only: on
///   Windows the core falls back to `USERPROFILE`, as botocore does there.
pub fn environment() -> HashMap<String, String> {
    #[cfg(unix)]
    let password_home = std::env::home_dir;
    #[cfg(not(unix))]
    let password_home = || None;
    environment_from(std::env::vars_os(), password_home)
}

fn environment_from(
    vars: impl Iterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
    password_home: impl FnOnce() -> Option<PathBuf>,
) -> HashMap<String, String> {
    let text = |s: std::ffi::OsString| match s.into_string() {
        Ok(s) => s,
        Err(raw) => raw.to_string_lossy().into_owned(),
    };
    let mut env: HashMap<String, String> = vars.map(|(k, v)| (text(k), text(v))).collect();
    if !env.contains_key("HOME") {
        // `std::env::home_dir` asks the password database when `HOME` is unset.
        if let Some(home) = password_home() {
            env.insert("HOME".into(), home.to_string_lossy().into_owned());
        }
    }
    env
}

/// [`HttpConfig`](sansboto_core::HttpConfig) defaults with proxies and CA bundle from the
/// process environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` in any case, `AWS_CA_BUNDLE`;
/// see `HttpConfig::from_env_vars`): the [`environment`] a session reads, sorted by name as a
/// client's is.
pub fn http_config_from_env() -> Result<sansboto_core::HttpConfig, sansboto_core::HttpConfigError> {
    let mut env: Vec<(String, String)> = environment().into_iter().collect();
    env.sort_unstable();
    sansboto_core::HttpConfig::from_env_vars(env)
}

/// 64 random bits from the operating system (through the standard library's hash keys, which
/// are seeded from the OS's random source), so no extra dependency is needed.
pub fn os_seed() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id() as u64);
    h.finish()
}

/// A core session from the process environment, shared files and botocore's data (embedded, or
/// from `AWS_DATA_PATH`): what every transport's `Session::new` makes.
pub fn core_session(
    profile: Option<String>,
) -> Result<std::sync::Arc<Session>, sansboto_core::Error> {
    let data = BotocoreData(sansboto_models::Loader::from_env());
    let (inputs, paths) = session_inputs_and_paths(profile);
    match Session::new(inputs, std::sync::Arc::new(data)) {
        Ok(session) => Ok(std::sync::Arc::new(session)),
        // The core was given the files' contents; the error names where they are, as
        // botocore's `Unable to parse config file: <path>` does.
        Err(sansboto_core::Error::ConfigFile { file, source, .. }) => {
            let path = match file {
                "shared credentials file" => paths.credentials,
                _ => paths.config,
            };
            Err(sansboto_core::Error::ConfigFile {
                file,
                path: Some(path.into_boxed_path()),
                source,
            })
        }
        Err(other) => Err(other),
    }
}

#[doc(hidden)]
pub use bytes as __bytes;
#[doc(hidden)]
pub use sansboto_core as __core;

/// Defines a transport's `Session` (a [`RuntimeSession`](sansboto_core::runtime::RuntimeSession)
/// made from the host's environment, files and this crate's data) and its `take_body`, so the
/// three transports share one definition. The attributes given (doc comments, examples) go on
/// the `Session` type.
#[macro_export]
macro_rules! runtime_session {
    ($transport:ty, $(#[$attr:meta])*) => {
        $(#[$attr])*
        #[derive(Clone, Debug)]
        pub struct Session($crate::__core::runtime::RuntimeSession<$transport>);

        impl Session {
            /// A session from the environment, `~/.aws/config` and `~/.aws/credentials`, with
            /// botocore's data (embedded, or from `AWS_DATA_PATH`). A broken config file is
            /// reported when a client is built.
            pub fn new() -> Self {
                Self::with_profile(None)
            }

            /// A session using `profile` (wins over `AWS_PROFILE`).
            pub fn with_profile(profile: Option<String>) -> Self {
                Session($crate::__core::runtime::RuntimeSession::from_core(
                    $crate::core_session(profile),
                ))
            }
        }

        impl Default for Session {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::ops::Deref for Session {
            type Target = $crate::__core::runtime::RuntimeSession<$transport>;
            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        /// Take the unread streaming body out of a result member (`out["Body"]`). `None` when
        /// the member is not an unread stream.
        pub fn take_body(
            value: &$crate::__core::Value,
        ) -> Option<<$transport as $crate::__core::runtime::Http>::ResponseBody> {
            $crate::__core::runtime::take_body::<$transport>(value)
        }
    };
}

/// Defines a transport's names for the core's runtime types on it — `Client`, `ClientBuilder`,
/// `Pages<'c>` and `EventStream<'c>` — so the transports share one definition.
#[macro_export]
macro_rules! runtime_aliases {
    ($transport:ty) => {
        /// A client on this runtime (see
        /// [`runtime::Client`](sansboto_core::runtime::Client)).
        pub type Client = $crate::__core::runtime::Client<$transport>;
        /// A client being configured.
        pub type ClientBuilder = $crate::__core::runtime::ClientBuilder<$transport>;
        /// A pagination in progress.
        pub type Pages<'c> = $crate::__core::runtime::Pages<'c, $transport>;
        /// The events of an event-stream output (see
        /// [`runtime::EventStream`](sansboto_core::runtime::EventStream)).
        pub type EventStream<'c> = $crate::__core::runtime::EventStream<'c, $transport>;
    };
}

/// Defines an async transport's `event_stream` and `page_stream`, which give the events of an
/// event-stream output and the pages of a pagination as a `futures::Stream`, with the stream
/// module the transport already depends on (`$stream`: `futures_util::stream` or
/// `futures_lite::stream`, both of which offer `unfold` and re-export `Stream`).
#[macro_export]
macro_rules! runtime_streams {
    ($transport:ty, $($stream:ident)::+) => {
        /// The events of an event stream as a `futures::Stream`
        /// (`event_stream(client.event_stream("SelectObjectContent", &out)?)`).
        pub fn event_stream<'c>(
            events: $crate::__core::runtime::EventStream<'c, $transport>,
        ) -> impl $($stream)::+::Stream<Item = Result<$crate::__core::Value, $crate::__core::Error>> + 'c
        {
            $($stream)::+::unfold(events, |mut events| async move {
                let event = events.next_event().await?;
                Some((event, events))
            })
        }

        /// The pages of a pagination as a `futures::Stream`.
        pub fn page_stream<'c>(
            pages: $crate::__core::runtime::Pages<'c, $transport>,
        ) -> impl $($stream)::+::Stream<Item = Result<$crate::__core::Value, $crate::__core::Error>> + 'c
        {
            $($stream)::+::unfold(pages, |mut pages| async move {
                let page = pages.next_page().await?;
                Some((page, pages))
            })
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn vars(pairs: &[(&str, &str)]) -> impl Iterator<Item = (OsString, OsString)> {
        let pairs: Vec<(OsString, OsString)> =
            pairs.iter().map(|(k, v)| (k.into(), v.into())).collect();
        pairs.into_iter()
    }

    #[cfg(unix)]
    #[test]
    fn a_variable_that_is_not_utf8_is_read_lossily_not_a_panic() {
        use std::os::unix::ffi::OsStringExt;
        let bad = vec![(
            OsString::from_vec(b"BAD\xff".to_vec()),
            OsString::from_vec(b"caf\xe9".to_vec()),
        )];
        let env = environment_from(bad.into_iter(), || None);
        assert_eq!(
            env.get("BAD\u{fffd}").map(String::as_str),
            Some("caf\u{fffd}")
        );
    }

    #[test]
    fn without_home_the_password_databases_home_is_home() {
        let from_db = || Some(PathBuf::from("/home/from-passwd"));
        let env = environment_from(vars(&[("PATH", "/bin")]), from_db);
        assert_eq!(env["HOME"], "/home/from-passwd");
        // Set, even empty, it is what Python's `expanduser` uses; the database is not asked.
        let asked = || panic!("the password database was asked");
        assert_eq!(environment_from(vars(&[("HOME", "")]), asked)["HOME"], "");
        assert_eq!(
            environment_from(vars(&[("HOME", "/h")]), asked)["HOME"],
            "/h"
        );
        assert!(!environment_from(vars(&[]), || None).contains_key("HOME"));
    }
}
