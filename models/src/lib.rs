//! sansboto-models
