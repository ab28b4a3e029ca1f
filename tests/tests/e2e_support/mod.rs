//! What the end-to-end tests share: the scripted HTTP/1.1 server on 127.0.0.1
//! ([`sansboto_tests::script_server`]) and sessions made from an explicit environment.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

// Not every test file that includes this module runs a server.
#[allow(unused_imports)]
pub(crate) use sansboto_tests::script_server::{Action, ScriptServer, Seen};

/// A core session from an explicit environment and config file: nothing is read from the process
/// environment or the home directory.
pub(crate) fn core_session(
    env: &[(&str, &str)],
    config_file: Option<&str>,
    credentials_file: Option<&str>,
) -> Arc<sansboto_core::session::Session> {
    try_core_session(env, config_file, credentials_file).expect("core session")
}

/// [`core_session`], or why the session could not be made (a profile that is not there, …).
pub(crate) fn try_core_session(
    env: &[(&str, &str)],
    config_file: Option<&str>,
    credentials_file: Option<&str>,
) -> Result<Arc<sansboto_core::session::Session>, sansboto_core::Error> {
    let inputs = sansboto_core::session::SessionInputs {
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        config_file: config_file.map(|c| c.as_bytes().to_vec()),
        credentials_file: credentials_file.map(|c| c.as_bytes().to_vec()),
        profile: None,
        random_seed: 7,
    };
    sansboto_core::session::Session::new(
        inputs,
        Arc::new(sansboto_host::BotocoreData(sansboto_models::Loader::new())),
    )
    .map(Arc::new)
}

/// A tokio session over [`core_session`].
pub(crate) fn tokio_session(
    core: Arc<sansboto_core::session::Session>,
) -> sansboto_core::runtime::RuntimeSession<sansboto_tokio::HttpClient> {
    sansboto_core::runtime::RuntimeSession::from_core(Ok(core))
}

/// A blocking session over [`core_session`].
pub(crate) fn blocking_session(
    core: Arc<sansboto_core::session::Session>,
) -> sansboto_core::runtime::RuntimeSession<sansboto_blocking::HttpClient> {
    sansboto_core::runtime::RuntimeSession::from_core(Ok(core))
}

/// A fresh, private temporary directory (removed by the caller when it cares).
pub(crate) fn temp_dir(tag: &str) -> std::path::PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "sansboto-e2e-{tag}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
