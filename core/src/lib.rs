//! sansboto-core
