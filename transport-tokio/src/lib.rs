//! sansboto-tokio
