//! The files of a remote GitLab project: its CI configuration with every local include and
//! child pipeline, its CODEOWNERS, and the top of its tree (for dependency-update
//! configuration and ecosystems), read through the repository API on the default branch.
//!
//! The CI configuration is resolved by the same code as a checkout
//! ([`crate::providers::local_gitlab::collect_from`]) over files held in memory. Files are
//! fetched as the resolver asks for them: each round resolves what is there, records the
//! includes it could not read, fetches them, and resolves again, so only the files the
//! pipeline uses are read. A `local:` glob makes one listing of the whole tree.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use gitlab::api::{self, Pagination, projects};
use serde_json::Value;

use super::client::{Answer, Client};
use super::settings::Get;
use crate::facts::{FileDiagnostic, FileKind, Location};
use crate::providers::local_gitlab::resolve::Files;

/// Largest file read (as for a checkout).
const MAX_FILE: usize = 2 * 1024 * 1024;

/// Most rounds of include fetching (includes nest at most 150 files, but rarely deeper than
/// a few levels).
const MAX_ROUNDS: usize = 12;

/// What was read.
#[derive(Debug, Default)]
pub struct Fetched {
    /// Paths known to exist (the top of the tree, `.gitlab/`, and the whole tree when a glob
    /// needed it).
    pub paths: Vec<String>,
    /// Texts of the files read, by path.
    pub texts: BTreeMap<String, String>,
    /// The CI configuration's pipelines, diagnostics and suppressions.
    pub pipelines: Vec<crate::facts::gitlab::Pipeline>,
    /// Problems with files.
    pub diagnostics: Vec<FileDiagnostic>,
    /// Inline suppressions of the CI files.
    pub suppressions: Vec<crate::facts::Suppression>,
    /// The CODEOWNERS path, when there is one.
    pub codeowners: Option<String>,
}

/// The remote files, as the resolver sees them.
struct Remote {
    texts: BTreeMap<String, String>,
    absent: BTreeMap<String, String>,
    tree: Option<Vec<String>>,
    missing: Mutex<BTreeSet<String>>,
    wants_tree: Mutex<bool>,
}

impl Files for Remote {
    fn read(&self, rel: &str) -> Result<String, FileDiagnostic> {
        let diag = |message: String| FileDiagnostic {
            kind: FileKind::GitlabCi,
            loc: Location::file(rel),
            message,
        };
        if rel.split('/').any(|p| p == "..") {
            return Err(diag(
                "the path leaves the repository; it is not read".into(),
            ));
        }
        if let Some(t) = self.texts.get(rel) {
            return Ok(t.clone());
        }
        if let Some(why) = self.absent.get(rel) {
            return Err(diag(why.clone()));
        }
        if let Ok(mut m) = self.missing.lock() {
            m.insert(rel.to_string());
        }
        Err(diag("not fetched yet".into()))
    }

    fn glob(&self, pattern: &str) -> Vec<String> {
        let Some(tree) = &self.tree else {
            if let Ok(mut w) = self.wants_tree.lock() {
                *w = true;
            }
            return Vec::new();
        };
        let Ok(m) = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map(|g| g.compile_matcher())
        else {
            return Vec::new();
        };
        let mut out: Vec<String> = tree
            .iter()
            .filter(|p| m.is_match(p.as_str()) && (p.ends_with(".yml") || p.ends_with(".yaml")))
            .cloned()
            .collect();
        out.sort();
        out
    }
}

/// Lists the tree at `path` (`""` for the top; `recursive` for everything), as file paths and
/// directory paths.
async fn list(
    c: &Client,
    id: u64,
    branch: &str,
    path: &str,
    recursive: bool,
) -> Result<(Vec<String>, Vec<String>), String> {
    // The crate's `Tree` sends its parameters as a form body; GitLab documents them as query
    // parameters, which is also what the HTTP cache keys on.
    let mut endpoint = Get::new(format!("projects/{id}/repository/tree"));
    endpoint.query.push(("ref", branch.to_string()));
    if recursive {
        endpoint.query.push(("recursive", "true".into()));
    }
    if !path.is_empty() {
        endpoint.query.push(("path", path.to_string()));
    }
    let limit = if recursive { 20_000 } else { 1_000 };
    match c
        .query::<Vec<Value>, _>(&api::paged(endpoint, Pagination::Limit(limit)))
        .await
    {
        Answer::Ok(items) => {
            let mut files = Vec::new();
            let mut dirs = Vec::new();
            for v in items {
                let (Some(p), Some(kind)) = (v["path"].as_str(), v["type"].as_str()) else {
                    continue;
                };
                match kind {
                    "blob" => files.push(p.to_string()),
                    "tree" => dirs.push(p.to_string()),
                    _ => {}
                }
            }
            Ok((files, dirs))
        }
        Answer::Status { status: 404, .. } => Err(format!(
            "the repository has no branch `{branch}` or is empty (GitLab answered 404 for its tree)"
        )),
        Answer::Status { status, message } => Err(format!(
            "the repository tree could not be read: GitLab answered {status} \"{message}\""
        )),
        Answer::Failed(why) => Err(format!("the repository tree could not be read: {why}")),
    }
}

/// Reads one file; `Ok(None)` when it does not exist.
async fn file(c: &Client, id: u64, branch: &str, path: &str) -> Result<Option<String>, String> {
    let endpoint = projects::repository::files::FileRaw::builder()
        .project(id)
        .file_path(path)
        .ref_(branch)
        .build()
        .map_err(|e| e.to_string())?;
    match c.query::<Vec<u8>, _>(&api::raw(endpoint)).await {
        Answer::Ok(bytes) => {
            if bytes.len() > MAX_FILE {
                return Err(format!(
                    "`{path}` is larger than {} MB; it is not read",
                    MAX_FILE / (1024 * 1024)
                ));
            }
            String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| format!("`{path}` is not valid UTF-8"))
        }
        Answer::Status { status: 404, .. } => Ok(None),
        Answer::Status { status, message } => Err(format!(
            "`{path}` could not be read: GitLab answered {status} \"{message}\""
        )),
        Answer::Failed(why) => Err(format!("`{path}` could not be read: {why}")),
    }
}

/// Reads the files of project `id` on `branch`; `ci_path` is the CI configuration's path.
/// `Err` when the tree itself cannot be read.
pub async fn fetch(c: &Client, id: u64, branch: &str, ci_path: &str) -> Result<Fetched, String> {
    let (mut paths, dirs) = list(c, id, branch, "", false).await?;
    let mut out = Fetched::default();
    if dirs.iter().any(|d| d == ".gitlab") {
        // `.gitlab/` holds CODEOWNERS and Renovate's configuration in many projects.
        if let Ok((files, _)) = list(c, id, branch, ".gitlab", false).await {
            paths.extend(files);
        }
    }
    // GitLab reads the first CODEOWNERS of these that exists.
    for candidate in ["CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"] {
        let worth = paths.iter().any(|p| p == candidate)
            || (candidate == "docs/CODEOWNERS" && dirs.iter().any(|d| d == "docs"));
        if !worth {
            continue;
        }
        match file(c, id, branch, candidate).await {
            Ok(Some(text)) => {
                out.texts.insert(candidate.to_string(), text);
                out.codeowners = Some(candidate.to_string());
                if !paths.iter().any(|p| p == candidate) {
                    paths.push(candidate.to_string());
                }
                break;
            }
            Ok(None) => {}
            Err(why) => out.diagnostics.push(FileDiagnostic {
                kind: FileKind::Codeowners,
                loc: Location::file(candidate),
                message: why,
            }),
        }
    }
    if ci_path.contains('@') || ci_path.contains("://") {
        out.diagnostics.push(FileDiagnostic {
            kind: FileKind::GitlabCi,
            loc: Location::file(ci_path),
            message: format!(
                "the CI/CD configuration is kept outside the project (`{ci_path}`); it is not read"
            ),
        });
        out.paths = paths;
        return Ok(out);
    }
    let top_level = !ci_path.contains('/');
    if top_level && !paths.iter().any(|p| p == ci_path) {
        // No pipeline: nothing more to read.
        out.paths = paths;
        return Ok(out);
    }
    let mut remote = Remote {
        texts: BTreeMap::new(),
        absent: BTreeMap::new(),
        tree: None,
        missing: Mutex::new(BTreeSet::from([ci_path.to_string()])),
        wants_tree: Mutex::new(false),
    };
    let mut result = None;
    for _ in 0..MAX_ROUNDS {
        let wanted: Vec<String> = remote
            .missing
            .lock()
            .map(|mut m| std::mem::take(&mut *m).into_iter().collect())
            .unwrap_or_default();
        let wants_tree = remote
            .wants_tree
            .lock()
            .map(|mut w| std::mem::replace(&mut *w, false))
            .unwrap_or(false);
        if result.is_some() && wanted.is_empty() && !(wants_tree && remote.tree.is_none()) {
            break;
        }
        if wants_tree && remote.tree.is_none() {
            remote.tree = Some(match list(c, id, branch, "", true).await {
                Ok((files, _)) => files,
                Err(why) => {
                    out.diagnostics.push(FileDiagnostic {
                        kind: FileKind::GitlabCi,
                        loc: Location::file(ci_path),
                        message: format!("a `local:` include uses a glob, and {why}"),
                    });
                    Vec::new()
                }
            });
        }
        let reads = wanted.iter().map(|p| file(c, id, branch, p));
        let answers = futures_util::future::join_all(reads).await;
        for (p, a) in wanted.into_iter().zip(answers) {
            match a {
                Ok(Some(text)) => {
                    remote.texts.insert(p, text);
                }
                Ok(None) => {
                    remote
                        .absent
                        .insert(p, "not found in the repository".into());
                }
                Err(why) => {
                    remote.absent.insert(p, why);
                }
            }
        }
        result = Some(crate::providers::local_gitlab::collect_from(
            &remote, ci_path,
        ));
    }
    if let Some((pipelines, diagnostics, suppressions)) = result {
        out.pipelines = pipelines;
        out.diagnostics.extend(diagnostics);
        out.suppressions = suppressions;
    }
    for (p, t) in std::mem::take(&mut remote.texts) {
        if !paths.contains(&p) {
            paths.push(p.clone());
        }
        out.texts.insert(p, t);
    }
    paths.sort();
    paths.dedup();
    out.paths = paths;
    Ok(out)
}
