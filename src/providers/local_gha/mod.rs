//! The local GitHub Actions provider: finds a repository's pipeline and policy files and turns
//! them into [`Repository`] facts.
//!
//! It reads `.github/workflows/*.{yml,yaml}`, local actions (`action.{yml,yaml}` under `.github/`
//! and at the root, and every local action a step refers to with `uses: ./path`, wherever it
//! lives), `.github/dependabot.{yml,yaml}`, `CODEOWNERS` (root, `.github/`, `docs/`), Renovate
//! configuration and `SECURITY.md`, and detects package ecosystems from manifest files.
//! Files are parsed in parallel; a file that cannot be read or parsed becomes a
//! [`FileDiagnostic`] and the scan goes on. Inline suppression comments in workflows, local
//! actions and the Dependabot file are collected as well ([`suppressions`]).
//!
//! The repository is untrusted input: only regular files whose real path lies inside the real
//! repository root are read, at most [`MAX_FILE_BYTES`] of them; directory walks never follow
//! symbolic links. A FIFO, a device, a link out of the tree or a local action that cannot be
//! found is a [`FileDiagnostic`], never a hang, a crash or a read outside the repository.

/// CODEOWNERS parsing. Public so that its parser can be fuzzed and tested on its own.
pub mod codeowners;
mod dependabot;
pub mod suppressions;
pub mod workflow;

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::facts::{
    FileDiagnostic, FileKind, FileRef, Location, Repository, Suppression, Workflow,
};

/// Files larger than this are reported, not parsed.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// The repository being read: its root as given (for relative paths) and as resolved on disk
/// (the boundary no file may be read across).
pub(crate) struct Tree<'a> {
    pub(crate) root: &'a Path,
    real_root: PathBuf,
}

impl<'a> Tree<'a> {
    pub(crate) fn new(root: &'a Path) -> Self {
        let real_root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Self { root, real_root }
    }

    /// Whether `rel` resolves to a path inside the repository.
    fn contains(&self, rel: &str) -> bool {
        fs::canonicalize(self.root.join(rel)).is_ok_and(|p| p.starts_with(&self.real_root))
    }
}

/// Collects the facts of the repository rooted at `root`.
pub fn collect(root: &Path) -> Repository {
    let display = root.to_string_lossy().replace('\\', "/");
    let mut repo = Repository {
        id: format!("local:{display}"),
        root: display,
        ..Repository::default()
    };
    let tree = Tree::new(root);

    // Workflows and the actions found by location, then, wave after wave, the local actions
    // they refer to (transitively; each file is read once, so cycles end).
    let mut batch = pipeline_files(&tree);
    let mut queued: HashSet<String> = batch.iter().map(|(rel, _)| rel.clone()).collect();
    let mut references: HashSet<(String, String)> = HashSet::new();
    while !batch.is_empty() {
        let parsed: Vec<(Result<Workflow, FileDiagnostic>, Vec<Suppression>)> = batch
            .par_iter()
            .map(|(rel, kind)| match read(&tree, rel, *kind) {
                Ok(text) => (
                    workflow::parse(rel, &text, *kind),
                    suppressions::find(rel, &text),
                ),
                Err(d) => (Err(d), Vec::new()),
            })
            .collect();
        let mut next = Vec::new();
        for (result, found) in parsed {
            match result {
                Ok(wf) => {
                    for (uses, loc) in local_uses(&wf) {
                        if !references.insert((wf.path.clone(), uses.clone())) {
                            continue;
                        }
                        match resolve_local_action(&tree, &uses) {
                            Ok(Some(rel)) => {
                                if queued.insert(rel.clone()) {
                                    next.push((rel, FileKind::Action));
                                }
                            }
                            Ok(None) => {}
                            Err(message) => repo.diagnostics.push(FileDiagnostic {
                                kind: FileKind::Action,
                                loc,
                                message,
                            }),
                        }
                    }
                    repo.workflows.push(wf);
                }
                Err(d) => repo.diagnostics.push(d),
            }
            repo.suppressions.extend(found);
        }
        next.sort();
        batch = next;
    }
    repo.workflows.sort_by(|a, b| a.path.cmp(&b.path));
    repo.diagnostics.sort_by(|a, b| {
        (&a.loc.path, a.loc.line, a.loc.column).cmp(&(&b.loc.path, b.loc.line, b.loc.column))
    });

    for name in [".github/dependabot.yml", ".github/dependabot.yaml"] {
        if is_present(root, name) {
            let text = read(&tree, name, FileKind::Dependabot);
            if let Ok(t) = &text {
                repo.suppressions.extend(suppressions::find(name, t));
            }
            match text.and_then(|t| dependabot::parse(name, &t)) {
                Ok(d) => repo.dependabot = Some(d),
                Err(d) => repo.diagnostics.push(d),
            }
            break;
        }
    }
    for name in ["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"] {
        if is_present(root, name) {
            match read(&tree, name, FileKind::Codeowners) {
                Ok(text) => repo.codeowners = Some(codeowners::parse(name, &text)),
                Err(d) => repo.diagnostics.push(d),
            }
            break;
        }
    }
    repo.renovate = first_existing(
        root,
        &[
            "renovate.json",
            "renovate.json5",
            ".github/renovate.json",
            ".github/renovate.json5",
            ".gitlab/renovate.json",
            ".gitlab/renovate.json5",
            ".renovaterc",
            ".renovaterc.json",
            ".renovaterc.json5",
        ],
    );
    repo.security_policy = first_existing(
        root,
        &[
            "SECURITY.md",
            ".github/SECURITY.md",
            "docs/SECURITY.md",
            "security.md",
            ".github/security.md",
            "docs/security.md",
        ],
    );
    repo.ecosystems = ecosystems(root, !repo.workflows.is_empty());
    repo.iac_files = iac_files(local_paths(root).iter().map(String::as_str));
    repo.suppressions
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    repo
}

fn first_existing(root: &Path, names: &[&str]) -> Option<FileRef> {
    names
        .iter()
        .find(|n| root.join(n).is_file())
        .map(|n| FileRef {
            path: (*n).to_string(),
            loc: Location::file(*n),
        })
}

/// Whether something other than a directory is at `rel` (a FIFO or a dangling link counts, so
/// that it is reported rather than silently skipped).
pub(crate) fn is_present(root: &Path, rel: &str) -> bool {
    fs::symlink_metadata(root.join(rel)).is_ok_and(|m| !m.is_dir())
}

/// Workflows and the local actions found by location (`action.y(a)ml` under `.github/` and at
/// the root), sorted by path. Entries that are not regular files are listed too: reading them
/// reports what they are.
fn pipeline_files(tree: &Tree<'_>) -> Vec<(String, FileKind)> {
    let root = tree.root;
    let mut out = Vec::new();
    let workflows = root.join(".github/workflows");
    if let Ok(entries) = fs::read_dir(&workflows) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            // A directory named like a workflow is listed too: reading it reports it.
            if name.ends_with(".yml") || name.ends_with(".yaml") {
                out.push((format!(".github/workflows/{name}"), FileKind::Workflow));
            }
        }
    }
    for name in ["action.yml", "action.yaml"] {
        if is_present(root, name) {
            out.push((name.to_string(), FileKind::Action));
        }
    }
    // Symbolic links are never followed below `.github` (no loops, no walking out of the
    // tree), and `.github` itself only when it stays inside the repository.
    for entry in walkdir::WalkDir::new(root.join(".github"))
        .follow_links(false)
        .follow_root_links(tree.contains(".github"))
        .max_depth(8)
        .into_iter()
        .filter_map(Result::ok)
    {
        let name = entry.file_name();
        if (name == "action.yml" || name == "action.yaml")
            && !entry.file_type().is_dir()
            && let Ok(rel) = entry.path().strip_prefix(root)
        {
            out.push((rel.to_string_lossy().replace('\\', "/"), FileKind::Action));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The local actions a workflow or composite action calls from its steps (`uses: ./path`),
/// with the location of each `uses:` value.
pub(crate) fn local_uses(wf: &Workflow) -> Vec<(String, Location)> {
    wf.jobs
        .iter()
        .flat_map(|job| &job.steps)
        .filter(|step| step.kind == "local")
        .filter_map(|step| {
            let uses = step.uses.clone()?;
            let loc = step
                .locs
                .get("uses")
                .cloned()
                .unwrap_or_else(|| Location::file(wf.path.as_str()));
            Some((uses, loc))
        })
        .collect()
}

/// The file defining the local action `uses` (`./path` relative to the repository root):
/// `Ok(Some(path/action.yml))` to read, `Ok(None)` for a Dockerfile action (no pipeline file
/// to read), or why it cannot be read.
fn resolve_local_action(tree: &Tree<'_>, uses: &str) -> Result<Option<String>, String> {
    let rest = uses
        .strip_prefix("./")
        .or_else(|| uses.strip_prefix(".\\"))
        .unwrap_or(uses);
    if rest.contains("${{") {
        return Err(format!(
            "local action `{uses}` is computed by an expression; it cannot be located statically"
        ));
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in rest.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!(
                        "local action `{uses}` is outside the repository; it is not read"
                    ));
                }
            }
            part => parts.push(part),
        }
    }
    let dir = parts.join("/");
    let within = |name: &str| {
        if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        }
    };
    // The runner's order: action.yml, then action.yaml, then a Dockerfile.
    for name in ["action.yml", "action.yaml"] {
        let rel = within(name);
        if is_present(tree.root, &rel) {
            return Ok(Some(rel));
        }
    }
    if is_present(tree.root, &within("Dockerfile")) {
        return Ok(None);
    }
    Err(format!(
        "local action `{uses}` not found: no action.yml or action.yaml"
    ))
}

/// Reads a pipeline or policy file as UTF-8 text, or says why it cannot be: only a regular
/// file whose real path is inside the repository is read, and no more than [`MAX_FILE_BYTES`].
pub(crate) fn read(tree: &Tree<'_>, rel: &str, kind: FileKind) -> Result<String, FileDiagnostic> {
    let diag = |message: String| FileDiagnostic {
        kind,
        loc: Location::file(rel),
        message,
    };
    let path: PathBuf = tree.root.join(rel);
    let real = fs::canonicalize(&path).map_err(|e| {
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            diag(format!(
                "the file is a symbolic link that cannot be resolved: {e}"
            ))
        } else {
            diag(format!("cannot read the file: {e}"))
        }
    })?;
    if !real.starts_with(&tree.real_root) {
        return Err(diag(format!(
            "the file resolves to `{}`, outside the repository; it is not read",
            real.display()
        )));
    }
    let meta = fs::metadata(&real).map_err(|e| diag(format!("cannot read the file: {e}")))?;
    if !meta.is_file() {
        return Err(diag(format!(
            "the file is {}, not a regular file; it is not read",
            describe(&meta.file_type())
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(diag(format!(
            "the file is {} bytes, more than the {MAX_FILE_BYTES}-byte limit for pipeline files",
            meta.len()
        )));
    }
    let file = fs::File::open(&real).map_err(|e| diag(format!("cannot read the file: {e}")))?;
    // What was opened may not be what was checked, if the file was replaced in between.
    let opened = file
        .metadata()
        .map_err(|e| diag(format!("cannot read the file: {e}")))?;
    if !opened.is_file() {
        return Err(diag(format!(
            "the file is {}, not a regular file; it is not read",
            describe(&opened.file_type())
        )));
    }
    let mut bytes =
        Vec::with_capacity(usize::try_from(opened.len().min(MAX_FILE_BYTES)).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| diag(format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(diag(format!(
            "the file is larger than the {MAX_FILE_BYTES}-byte limit for pipeline files"
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        diag(format!(
            "the file is not valid UTF-8 (first invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// What kind of file system entry something that is not a regular file is.
fn describe(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Package ecosystems detected from manifests, named as Dependabot names them.
fn ecosystems(root: &Path, has_workflows: bool) -> Vec<String> {
    let mut found = std::collections::BTreeSet::new();
    if has_workflows {
        found.insert("github-actions".to_string());
    }
    // Symbolic links below the root are never followed: no loops, no manifests out of the tree.
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .max_depth(3)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(name.starts_with('.')
                    || matches!(
                        name.as_ref(),
                        "node_modules" | "target" | "vendor" | "dist" | "build"
                    ))
        });
    for entry in walker.filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        if let Some(eco) = ecosystem_of(&entry.file_name().to_string_lossy()) {
            found.insert(eco.to_string());
        }
    }
    found.into_iter().collect()
}

/// Most infrastructure-as-code files listed in [`Repository::iac_files`].
pub const MAX_IAC_FILES: usize = 64;

/// Directories never searched for infrastructure code or manifests (besides hidden ones).
const SKIPPED_DIRS: [&str; 5] = ["node_modules", "target", "vendor", "dist", "build"];

/// Whether a file name is infrastructure code: Terraform (`*.tf`, `*.tf.json`), Terragrunt,
/// Pulumi, a Helm chart, a Kustomize overlay, a CloudFormation (`*.cfn.yaml`) or Serverless
/// template.
pub(crate) fn is_iac_file(name: &str) -> bool {
    name.ends_with(".tf")
        || name.ends_with(".tf.json")
        || name.ends_with(".cfn.yaml")
        || name.ends_with(".cfn.yml")
        || name.ends_with(".cfn.json")
        || matches!(
            name,
            "terragrunt.hcl"
                | "Pulumi.yaml"
                | "Pulumi.yml"
                | "Chart.yaml"
                | "kustomization.yaml"
                | "kustomization.yml"
                | "Kustomization"
                | "serverless.yml"
                | "serverless.yaml"
        )
}

/// The infrastructure-code files among `paths` (relative, `/`-separated) and the root
/// `.gitlab-ci.yml`: at most one per directory (the first by name), [`MAX_IAC_FILES`] in all,
/// sorted, nothing below hidden, dependency or build directories.
pub fn iac_files<'a>(paths: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut candidates: Vec<&str> = paths
        .into_iter()
        .filter(|p| {
            let mut parts: Vec<&str> = p.split('/').collect();
            let Some(name) = parts.pop() else {
                return false;
            };
            if parts
                .iter()
                .any(|d| d.is_empty() || d.starts_with('.') || SKIPPED_DIRS.contains(d))
            {
                return false;
            }
            is_iac_file(name) || *p == ".gitlab-ci.yml"
        })
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    let mut dirs = HashSet::new();
    let mut out = Vec::new();
    for p in candidates {
        let dir = p.rsplit_once('/').map_or("", |(d, _)| d);
        if p != ".gitlab-ci.yml" && !dirs.insert(dir) {
            continue;
        }
        out.push(p.to_string());
        if out.len() == MAX_IAC_FILES {
            break;
        }
    }
    out
}

/// Paths of the regular files of a checkout that may be infrastructure code, relative and
/// `/`-separated; symbolic links are not followed and hidden, dependency and build
/// directories are not entered.
fn local_paths(root: &Path) -> Vec<String> {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .max_depth(12)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !e.file_type().is_dir()
                || !(name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_ref()))
        });
    let mut out = Vec::new();
    for entry in walker.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || !(is_iac_file(&name) || name == ".gitlab-ci.yml") {
            continue;
        }
        if let Ok(rel) = entry.path().strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
        // Enough candidates for the cap even when every one is in its own directory.
        if out.len() >= MAX_IAC_FILES * 16 {
            break;
        }
    }
    out
}

/// The Dependabot ecosystem a manifest file name belongs to.
pub(crate) fn ecosystem_of(name: &str) -> Option<&'static str> {
    Some(match name {
        "Cargo.toml" => "cargo",
        "package.json" => "npm",
        "go.mod" => "gomod",
        "pyproject.toml" | "setup.py" | "Pipfile" | "requirements.txt" => "pip",
        "Gemfile" => "bundler",
        "pom.xml" => "maven",
        "build.gradle" | "build.gradle.kts" => "gradle",
        "composer.json" => "composer",
        "Dockerfile" => "docker",
        "packages.config" => "nuget",
        "mix.exs" => "mix",
        "pubspec.yaml" => "pub",
        "Package.swift" => "swift",
        n if n.ends_with(".csproj") => "nuget",
        n if n.ends_with(".tf") => "terraform",
        _ => return None,
    })
}

/// Which files of a repository listing (paths relative to the root, as from GitHub's tree
/// API) [`collect_files`] reads: workflows, local actions under `.github/` and at the root,
/// the Dependabot file and the first CODEOWNERS file GitHub would use.
pub fn wanted_files(paths: &[String]) -> Vec<String> {
    let mut out: Vec<String> = paths
        .iter()
        .filter(|p| {
            let workflow = p
                .strip_prefix(".github/workflows/")
                .is_some_and(|n| !n.contains('/') && (n.ends_with(".yml") || n.ends_with(".yaml")));
            let action = matches!(p.as_str(), "action.yml" | "action.yaml")
                || (p.starts_with(".github/")
                    && (p.ends_with("/action.yml") || p.ends_with("/action.yaml")));
            let dependabot = matches!(
                p.as_str(),
                ".github/dependabot.yml" | ".github/dependabot.yaml"
            );
            workflow || action || dependabot
        })
        .cloned()
        .collect();
    // GitHub reads the first of these that exists.
    if let Some(c) = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]
        .iter()
        .find(|c| paths.iter().any(|p| p == *c))
    {
        out.push((*c).to_string());
    }
    out.sort();
    out
}

/// The facts of a repository whose files are in memory (a remote repository read through an
/// API): `paths` lists every file of the tree, `files` holds the texts of the files
/// [`wanted_files`] named (plus local actions that steps refer to, when fetched). Parsing is
/// the same as for a checkout, so locations and rules are the same.
pub fn collect_files(
    id: String,
    root: String,
    paths: &[String],
    files: &std::collections::BTreeMap<String, String>,
) -> Repository {
    let mut repo = Repository {
        id,
        root,
        ..Repository::default()
    };
    let present: HashSet<&str> = paths.iter().map(String::as_str).collect();
    let parsed: Vec<(Result<Workflow, FileDiagnostic>, Vec<Suppression>)> = files
        .par_iter()
        .filter_map(|(rel, text)| {
            let kind = if rel.starts_with(".github/workflows/") && !rel.ends_with("action.yml") {
                FileKind::Workflow
            } else if rel.ends_with("action.yml") || rel.ends_with("action.yaml") {
                FileKind::Action
            } else {
                return None;
            };
            Some((
                workflow::parse(rel, text, kind),
                suppressions::find(rel, text),
            ))
        })
        .collect();
    for (result, found) in parsed {
        match result {
            Ok(wf) => {
                // A local action that is not in the tree is reported as locally.
                for (uses, loc) in local_uses(&wf) {
                    let dir = uses.trim_start_matches("./").trim_end_matches('/');
                    if dir.contains("${{") {
                        continue;
                    }
                    let has = |n: &str| {
                        let p = if dir.is_empty() {
                            n.to_string()
                        } else {
                            format!("{dir}/{n}")
                        };
                        present.contains(p.as_str())
                    };
                    if !(has("action.yml") || has("action.yaml") || has("Dockerfile")) {
                        repo.diagnostics.push(FileDiagnostic {
                            kind: FileKind::Action,
                            loc,
                            message: format!("local action `{uses}` not found in the repository"),
                        });
                    }
                }
                repo.workflows.push(wf);
            }
            Err(d) => repo.diagnostics.push(d),
        }
        repo.suppressions.extend(found);
    }
    repo.workflows.sort_by(|a, b| a.path.cmp(&b.path));
    repo.diagnostics.sort_by(|a, b| {
        (&a.loc.path, a.loc.line, a.loc.column).cmp(&(&b.loc.path, b.loc.line, b.loc.column))
    });
    for name in [".github/dependabot.yml", ".github/dependabot.yaml"] {
        if let Some(text) = files.get(name) {
            repo.suppressions.extend(suppressions::find(name, text));
            match dependabot::parse(name, text) {
                Ok(d) => repo.dependabot = Some(d),
                Err(d) => repo.diagnostics.push(d),
            }
            break;
        }
    }
    for name in [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] {
        if let Some(text) = files.get(name) {
            repo.codeowners = Some(codeowners::parse(name, text));
            break;
        }
    }
    let first = |names: &[&str]| {
        names
            .iter()
            .find(|n| present.contains(**n))
            .map(|n| FileRef {
                path: (*n).to_string(),
                loc: Location::file(*n),
            })
    };
    repo.renovate = first(&[
        "renovate.json",
        "renovate.json5",
        ".github/renovate.json",
        ".github/renovate.json5",
        ".gitlab/renovate.json",
        ".gitlab/renovate.json5",
        ".renovaterc",
        ".renovaterc.json",
        ".renovaterc.json5",
    ]);
    repo.security_policy = first(&[
        "SECURITY.md",
        ".github/SECURITY.md",
        "docs/SECURITY.md",
        "security.md",
        ".github/security.md",
        "docs/security.md",
    ]);
    let mut eco = std::collections::BTreeSet::new();
    if !repo.workflows.is_empty() {
        eco.insert("github-actions".to_string());
    }
    const SKIP: [&str; 5] = ["node_modules", "target", "vendor", "dist", "build"];
    for p in paths {
        let parts: Vec<&str> = p.split('/').collect();
        // The local walk goes three levels deep and skips hidden and build directories.
        if parts.len() > 3
            || parts[..parts.len() - 1]
                .iter()
                .any(|d| d.starts_with('.') || SKIP.contains(d))
        {
            continue;
        }
        if let Some(e) = parts.last().and_then(|n| ecosystem_of(n)) {
            eco.insert(e.to_string());
        }
    }
    repo.ecosystems = eco.into_iter().collect();
    repo.iac_files = iac_files(paths.iter().map(String::as_str));
    repo.suppressions
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    repo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infrastructure_files_one_per_directory_bounded_and_skipping_build_dirs() {
        let paths = [
            "infra/variables.tf",
            "infra/main.tf",
            "infra/modules/vpc/main.tf.json",
            "node_modules/x/main.tf",
            "vendor/y/main.tf",
            "live/.terraform/modules/z/main.tf",
            "app/dist/main.tf",
            "deploy/chart/Chart.yaml",
            "deploy/overlays/prod/kustomization.yaml",
            "stack/Pulumi.yaml",
            "live/prod/terragrunt.hcl",
            ".gitlab-ci.yml",
            "src/main.rs",
            "docs/.gitlab-ci.yml",
        ];
        assert_eq!(
            iac_files(paths),
            [
                ".gitlab-ci.yml",
                "deploy/chart/Chart.yaml",
                "deploy/overlays/prod/kustomization.yaml",
                "infra/main.tf",
                "infra/modules/vpc/main.tf.json",
                "live/prod/terragrunt.hcl",
                "stack/Pulumi.yaml",
            ]
        );
        let many: Vec<String> = (0..500).map(|i| format!("m{i:03}/main.tf")).collect();
        let found = iac_files(many.iter().map(String::as_str));
        assert_eq!(found.len(), MAX_IAC_FILES);
        assert_eq!(found[0], "m000/main.tf");
    }

    #[test]
    fn local_walk_and_tree_listing_agree() {
        let dir = tempfile::tempdir().expect("tempdir");
        for rel in [
            "infra/main.tf",
            "infra/outputs.tf",
            "node_modules/m/main.tf",
            ".terraform/modules/x/main.tf",
            "charts/api/Chart.yaml",
            ".gitlab-ci.yml",
        ] {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(&path, "x").expect("write");
        }
        let local = collect(dir.path()).iac_files;
        assert_eq!(
            local,
            [".gitlab-ci.yml", "charts/api/Chart.yaml", "infra/main.tf"]
        );
        let listing: Vec<String> = [
            ".gitlab-ci.yml",
            ".terraform/modules/x/main.tf",
            "charts/api/Chart.yaml",
            "infra/main.tf",
            "infra/outputs.tf",
            "node_modules/m/main.tf",
        ]
        .map(String::from)
        .to_vec();
        let remote = collect_files(
            "github:o/r".into(),
            "o/r".into(),
            &listing,
            &std::collections::BTreeMap::new(),
        );
        assert_eq!(remote.iac_files, local);
    }
}
