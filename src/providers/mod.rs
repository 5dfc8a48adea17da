//! Providers: all I/O that produces facts. They never evaluate rules.

pub mod github;
pub mod local_gha;
