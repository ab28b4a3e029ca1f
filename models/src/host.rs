//! What a session needs from the host: the environment, the shared config files and a random
//! seed (feature `core`). Every transport makes its `Session` from this, so the reading happens
//! in one place; it is synchronous, as botocore's is, and done once per session.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;

use sansboto_core::session::{Session, SessionInputs};

/// The process environment, the shared config and credentials files it points at, and an
/// OS-seeded random seed. A file that does not exist is simply absent.
pub fn session_inputs(profile: Option<String>) -> SessionInputs {
    let env: HashMap<String, String> = std::env::vars().collect();
    let home = env
        .get("HOME")
        .or_else(|| env.get("USERPROFILE"))
        .map(PathBuf::from);
    let paths = Session::file_paths(&env, profile.as_deref(), home.as_deref());
    SessionInputs {
        config_file: std::fs::read(&paths.config).ok(),
        credentials_file: std::fs::read(&paths.credentials).ok(),
        env,
        profile,
        random_seed: os_seed(),
    }
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
) -> Result<std::sync::Arc<Session>, sansboto_core::error::Error> {
    let loader = crate::Loader::from_env();
    Session::new(session_inputs(profile), std::sync::Arc::new(loader)).map(std::sync::Arc::new)
}
