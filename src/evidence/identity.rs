//! The identity of a target: for a local checkout, the commit its `HEAD` points at.
//!
//! The commit is read from the repository's files without running git: the nearest `.git` at
//! or above the target (a directory, or a `gitdir:` file for worktrees and submodules), then
//! `HEAD` → `ref: refs/heads/...` → the loose ref file or `packed-refs` (in the common
//! directory of a worktree). When no repository is found the identity says so. Uncommitted
//! changes are not detected: the commit names the checked-out revision, not the working tree.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// What identifies one target in a bundle.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TargetIdentity {
    /// The target id used in evaluations (`local:.`).
    pub id: String,
    /// `local` (a checkout) — API targets record `github` / `gitlab`.
    pub kind: String,
    /// The path as given.
    pub root: String,
    /// The commit SHA of `HEAD`, when the target is inside a git checkout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The branch `HEAD` points at, when it is not detached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The API base URL of a remote target (`https://api.github.com`, or a GitHub Enterprise
    /// Server's `https://HOST/api/v3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// The API URL of a remote repository (`{api_url}/repos/OWNER/REPO`), which the settings
    /// evidence was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_url: Option<String>,
    /// Why there is no commit, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The identity of a local target.
pub fn local(id: &str, root: &str) -> TargetIdentity {
    let (commit, branch, note) = match head_commit(Path::new(root)) {
        Ok((commit, branch)) => (Some(commit), branch, None),
        Err(why) => (None, None, Some(why)),
    };
    TargetIdentity {
        id: id.to_string(),
        kind: "local".into(),
        root: root.to_string(),
        commit,
        branch,
        api_url: None,
        repository_url: None,
        note,
    }
}

/// (API base URL, repository API URL) of a repository read through GitHub's or GitLab's API.
fn api_urls(repo: &crate::facts::Repository) -> (Option<String>, Option<String>) {
    match &repo.github {
        Some(g) if !g.api_url.is_empty() => {
            let base = g.api_url.trim_end_matches('/');
            let repository =
                (!g.full_name.is_empty()).then(|| format!("{base}/repos/{}", g.full_name));
            (Some(base.to_string()), repository)
        }
        _ => match &repo.gitlab {
            Some(g) if !g.api_url.is_empty() => {
                let base = g.api_url.trim_end_matches('/');
                let project = g
                    .project
                    .known()
                    .map(|p| format!("{base}/projects/{}", p.id))
                    .or_else(|| {
                        (!g.path.is_empty()).then(|| {
                            format!(
                                "{base}/projects/{}",
                                crate::providers::gitlab::settings::encode(&g.path)
                            )
                        })
                    });
                (Some(base.to_string()), project)
            }
            _ => (None, None),
        },
    }
}

/// The identities of a run's targets: each local root's commit; for a run that evaluated a
/// facts dump, the repositories of the dump, whose commits are not re-read (the checkout may
/// not be at hand, or may have moved on). A target that is not a local checkout (an API
/// target, `github:owner/repo`) is recorded with its kind and no commit; a GitHub target also
/// with its API base URL and its repository's API URL.
pub fn of_run(
    roots: &[(String, String)],
    facts: Option<&crate::facts::Facts>,
    dump: Option<&Path>,
) -> Vec<TargetIdentity> {
    // A target known only from its facts: no checkout to read a commit from.
    let remote = |r: &crate::facts::Repository, note: String| {
        let (api_url, repository_url) = api_urls(r);
        TargetIdentity {
            id: r.id.clone(),
            kind: r.id.split_once(':').map_or("local", |(k, _)| k).to_string(),
            root: r.root.clone(),
            commit: None,
            branch: None,
            api_url,
            repository_url,
            note: Some(note),
        }
    };
    match (facts, dump) {
        (Some(facts), Some(dump)) => facts
            .repositories
            .iter()
            .map(|r| {
                remote(
                    r,
                    format!(
                        "evaluated from the facts dump `{}`; see the identity recorded when it was collected",
                        dump.display()
                    ),
                )
            })
            .collect(),
        _ => {
            let mut out: Vec<TargetIdentity> =
                roots.iter().map(|(id, root)| local(id, root)).collect();
            for r in facts.map(|f| f.repositories.as_slice()).unwrap_or_default() {
                if !out.iter().any(|t| t.id == r.id) {
                    out.push(remote(r, "not a local checkout: no commit read".into()));
                }
            }
            out
        }
    }
}

/// The git directory for a path: the nearest `.git` at or above it.
fn git_dir(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    for dir in start.ancestors() {
        let dot = dir.join(".git");
        if dot.is_dir() {
            return Some(dot);
        }
        if dot.is_file() {
            let text = std::fs::read_to_string(&dot).ok()?;
            let target = text.trim().strip_prefix("gitdir:")?.trim();
            let p = Path::new(target);
            return Some(if p.is_absolute() {
                p.to_path_buf()
            } else {
                dir.join(p)
            });
        }
    }
    None
}

fn is_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// (commit, branch) of `HEAD` for the repository containing `root`.
pub fn head_commit(root: &Path) -> Result<(String, Option<String>), String> {
    let git = git_dir(root).ok_or_else(|| "not a git checkout".to_string())?;
    // A worktree keeps HEAD in its own directory and refs in the common one.
    let common = std::fs::read_to_string(git.join("commondir"))
        .ok()
        .map(|c| {
            let p = Path::new(c.trim());
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                git.join(p)
            }
        })
        .unwrap_or_else(|| git.clone());
    let head = std::fs::read_to_string(git.join("HEAD"))
        .map_err(|e| format!("cannot read {}: {e}", git.join("HEAD").display()))?;
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref:").map(str::trim) else {
        return if is_sha(head) {
            Ok((head.to_string(), None))
        } else {
            Err(format!("unreadable HEAD `{head}`"))
        };
    };
    let branch = reference
        .strip_prefix("refs/heads/")
        .map(ToString::to_string);
    for dir in [&git, &common] {
        if let Ok(text) = std::fs::read_to_string(dir.join(reference)) {
            let sha = text.trim();
            if is_sha(sha) {
                return Ok((sha.to_string(), branch));
            }
        }
    }
    if let Ok(packed) = std::fs::read_to_string(common.join("packed-refs")) {
        for line in packed.lines() {
            if let Some((sha, name)) = line.split_once(' ')
                && name.trim() == reference
                && is_sha(sha)
            {
                return Ok((sha.to_string(), branch));
            }
        }
    }
    Err(format!("`{reference}` has no commit yet"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_targets_and_dumps_are_named_without_a_commit() {
        let mut repo: crate::facts::Repository =
            serde_json::from_str(include_str!("../../fixtures/github-base.facts.json"))
                .expect("the base facts load");
        if let Some(g) = repo.github.as_mut() {
            g.api_url = "https://ghe.example/api/v3/".into();
        }
        let facts = crate::facts::Facts::new(vec![repo]);
        let ids = of_run(&[], Some(&facts), None);
        assert_eq!(ids.len(), 1);
        assert_eq!(
            (ids[0].kind.as_str(), ids[0].commit.as_deref()),
            ("github", None)
        );
        assert_eq!(
            ids[0].api_url.as_deref(),
            Some("https://ghe.example/api/v3")
        );
        assert_eq!(
            ids[0].repository_url.as_deref(),
            Some("https://ghe.example/api/v3/repos/acme/api")
        );
        let ids = of_run(&[], Some(&facts), Some(Path::new("dump.json")));
        assert!(
            ids[0]
                .note
                .as_deref()
                .is_some_and(|n| n.contains("dump.json"))
        );
    }

    #[test]
    fn loose_packed_detached_and_worktree_heads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = dir.path().join("repo");
        let git = repo.join(".git");
        std::fs::create_dir_all(git.join("refs/heads")).expect("mkdir");
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").expect("write");
        std::fs::write(git.join("refs/heads/main"), format!("{a}\n")).expect("write");
        std::fs::create_dir_all(repo.join("sub")).expect("mkdir");
        assert_eq!(
            head_commit(&repo.join("sub")),
            Ok((a.clone(), Some("main".into())))
        );

        // Packed ref.
        std::fs::remove_file(git.join("refs/heads/main")).expect("rm");
        std::fs::write(
            git.join("packed-refs"),
            format!("# pack-refs with: peeled\n{b} refs/heads/main\n"),
        )
        .expect("write");
        assert_eq!(head_commit(&repo), Ok((b.clone(), Some("main".into()))));

        // Worktree: `.git` file → its own HEAD, refs in the common directory.
        let wt_git = git.join("worktrees/wt");
        std::fs::create_dir_all(&wt_git).expect("mkdir");
        std::fs::write(wt_git.join("HEAD"), "ref: refs/heads/main\n").expect("write");
        std::fs::write(wt_git.join("commondir"), "../..\n").expect("write");
        let wt = dir.path().join("wt");
        std::fs::create_dir_all(&wt).expect("mkdir");
        std::fs::write(wt.join(".git"), format!("gitdir: {}\n", wt_git.display())).expect("w");
        assert_eq!(head_commit(&wt), Ok((b.clone(), Some("main".into()))));

        // Detached HEAD.
        std::fs::write(git.join("HEAD"), format!("{a}\n")).expect("write");
        assert_eq!(head_commit(&repo), Ok((a, None)));

        let lone = tempfile::tempdir().expect("tempdir");
        let id = local("local:x", &lone.path().display().to_string());
        // The temporary directory may sit inside some checkout; either way the identity says
        // which commit or why there is none.
        assert!(id.commit.is_some() || id.note.as_deref() == Some("not a git checkout"));
    }
}
