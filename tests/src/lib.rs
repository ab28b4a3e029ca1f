//! Shared helpers for sansboto's integration tests (test-data location, servers).
