//! sansboto-async-std
