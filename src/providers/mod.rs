//! Providers: all I/O that produces facts. They never evaluate rules.

pub mod cache;
pub mod github;
pub mod gitlab;
pub mod local_gha;
pub mod local_gitlab;
pub mod remote;

use std::path::Path;

use crate::facts::Repository;

/// Collects the facts of a local repository: GitHub Actions and policy files, then GitLab CI.
pub fn collect_local(root: &Path) -> Repository {
    let mut repo = local_gha::collect(root);
    local_gitlab::collect(root, &mut repo);
    repo
}
