//! The local GitLab CI provider: resolves `.gitlab-ci.yml` with its local includes and child
//! pipelines into [`Pipeline`](crate::facts::gitlab::Pipeline) facts.
//!
//! [`tree`] owns located values, [`resolve`] does what GitLab does to build a configuration
//! (includes, `!reference`, `extends`, `default:`, variables), [`pipeline`] turns the result
//! into facts. Files are read with the same safeguards as the GitHub Actions provider: only
//! regular files inside the repository, size-limited, never following links out of it.
//! Child pipelines (`trigger: include: local`) are resolved as pipelines of their own; each
//! file of a pipeline is read once, and a child that triggers an ancestor is not followed
//! again.

pub mod pipeline;
pub mod resolve;
pub mod tree;

use std::collections::HashSet;
use std::path::Path;

use crate::facts::gitlab::Pipeline;
use crate::facts::{FileDiagnostic, FileKind, Repository};
use crate::providers::local_gha::{self, Tree};

use resolve::Files;
use tree::LNode;

/// The root pipeline file.
pub const ROOT: &str = ".gitlab-ci.yml";

/// Most pipelines (root and children) read for one repository.
pub const MAX_PIPELINES: usize = 64;

/// The repository's files, read with the provider's safeguards.
struct LocalFiles<'a> {
    tree: Tree<'a>,
}

impl Files for LocalFiles<'_> {
    fn read(&self, rel: &str) -> Result<String, FileDiagnostic> {
        if rel.split('/').any(|p| p == "..") {
            return Err(FileDiagnostic {
                kind: FileKind::GitlabCi,
                loc: crate::facts::Location::file(rel),
                message: "the path leaves the repository; it is not read".into(),
            });
        }
        local_gha::read(&self.tree, rel, FileKind::GitlabCi)
    }

    fn glob(&self, pattern: &str) -> Vec<String> {
        glob(self.tree.root, pattern)
    }
}

/// Files under `root` matching a GitLab `local:` glob (`*` stays within a directory, `**`
/// crosses them), YAML files only, sorted; links are not followed and `.git` is skipped.
pub fn glob(root: &Path, pattern: &str) -> Vec<String> {
    let Ok(matcher) = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
    else {
        return Vec::new();
    };
    let mut out: Vec<String> = walkdir::WalkDir::new(root)
        .follow_links(false)
        .max_depth(16)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || e.file_name() != ".git")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(root).ok()?;
            let rel = rel.to_string_lossy().replace('\\', "/");
            (matcher.is_match(&rel) && (rel.ends_with(".yml") || rel.ends_with(".yaml")))
                .then_some(rel)
        })
        .collect();
    out.sort();
    out
}

/// Adds the GitLab CI facts of the repository at `root` to `repo`.
pub fn collect(root: &Path, repo: &mut Repository) {
    // Anything at the root file's path is read, a directory included: reading reports what
    // cannot be read.
    if std::fs::symlink_metadata(root.join(ROOT)).is_err() {
        return;
    }
    let files = LocalFiles {
        tree: Tree::new(root),
    };
    let (pipelines, diagnostics, suppressions) = collect_from(&files, ROOT);
    repo.pipelines = pipelines;
    repo.diagnostics.extend(diagnostics);
    repo.suppressions.extend(suppressions);
    repo.suppressions
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    repo.suppressions
        .dedup_by(|a, b| a.path == b.path && a.line == b.line);
    repo.diagnostics.sort_by(|a, b| {
        (&a.loc.path, a.loc.line, a.loc.column).cmp(&(&b.loc.path, b.loc.line, b.loc.column))
    });
}

type Collected = (
    Vec<Pipeline>,
    Vec<FileDiagnostic>,
    Vec<crate::facts::Suppression>,
);

/// Resolves the pipeline at `root` and every child pipeline it triggers from local files.
pub fn collect_from(files: &dyn Files, root: &str) -> Collected {
    let mut pipelines = Vec::new();
    let mut diagnostics = Vec::new();
    let mut suppressions = Vec::new();
    let mut queue: Vec<(String, Option<String>)> = vec![(root.to_string(), None)];
    let mut started: HashSet<String> = HashSet::from([root.to_string()]);
    while let Some((path, parent)) = queue.pop() {
        if pipelines.len() >= MAX_PIPELINES {
            break;
        }
        let (resolution, diags) = resolve::resolve(files, &path);
        diagnostics.extend(diags);
        let Some(res) = resolution else { continue };
        let kind = if parent.is_none() {
            "pipeline"
        } else {
            "child"
        };
        let mut pipeline = pipeline::build(kind, &path, &res, parent);
        suppressions.extend(res.suppressions.iter().cloned());
        // Child pipelines: `trigger: include:` of local files.
        for job in &res.jobs {
            let name = &job.name;
            let Some(include) = job.node.get("trigger").and_then(|t| t.get("include")) else {
                continue;
            };
            for child in child_includes(include, &path, name) {
                if child.kind == "local" && !child.dynamic {
                    let target = child.target.trim_start_matches('/').to_string();
                    if started.insert(target.clone()) {
                        queue.push((target, Some(name.clone())));
                    }
                }
                pipeline.includes.push(child);
            }
        }
        pipelines.push(pipeline);
    }
    pipelines.sort_by(|a, b| (a.kind != "pipeline", &a.path).cmp(&(b.kind != "pipeline", &b.path)));
    (pipelines, diagnostics, suppressions)
}

/// The includes of a `trigger: include:`.
fn child_includes(node: &LNode, from: &str, job: &str) -> Vec<crate::facts::gitlab::Include> {
    let items: Vec<&LNode> =
        if node.items().is_empty() && !matches!(node.value, tree::LValue::Seq(_)) {
            vec![node]
        } else {
            node.items().iter().collect()
        };
    items
        .into_iter()
        .filter_map(|item| {
            let mut inc = resolve::describe_include(item)?;
            inc.from = from.to_string();
            inc.job = Some(job.to_string());
            inc.resolved = inc.kind == "local" && !inc.dynamic;
            Some(inc)
        })
        .collect()
}
