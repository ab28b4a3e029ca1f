//! sansboto-blocking
