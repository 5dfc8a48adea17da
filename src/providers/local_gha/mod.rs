//! The local GitHub Actions provider: finds a repository's pipeline and policy files and turns
//! them into [`Repository`] facts.
//!
//! It reads `.github/workflows/*.{yml,yaml}`, local actions (`action.{yml,yaml}` under `.github/`
//! and at the root), `.github/dependabot.{yml,yaml}`, `CODEOWNERS` (root, `.github/`, `docs/`),
//! Renovate configuration and `SECURITY.md`, and detects package ecosystems from manifest files.
//! Files are parsed in parallel; a file that cannot be read or parsed becomes a
//! [`FileDiagnostic`] and the scan goes on. Inline suppression comments in workflows, local
//! actions and the Dependabot file are collected as well ([`suppressions`]).

mod codeowners;
mod dependabot;
pub mod suppressions;
pub mod workflow;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::facts::{
    FileDiagnostic, FileKind, FileRef, Location, Repository, Suppression, Workflow,
};

/// Files larger than this are reported, not parsed.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Collects the facts of the repository rooted at `root`.
pub fn collect(root: &Path) -> Repository {
    let display = root.to_string_lossy().replace('\\', "/");
    let mut repo = Repository {
        id: format!("local:{display}"),
        root: display,
        ..Repository::default()
    };

    let candidates = pipeline_files(root);
    let parsed: Vec<(Result<Workflow, FileDiagnostic>, Vec<Suppression>)> = candidates
        .par_iter()
        .map(|(rel, kind)| match read(root, rel, *kind) {
            Ok(text) => (
                workflow::parse(rel, &text, *kind),
                suppressions::find(rel, &text),
            ),
            Err(d) => (Err(d), Vec::new()),
        })
        .collect();
    for (result, found) in parsed {
        match result {
            Ok(wf) => repo.workflows.push(wf),
            Err(d) => repo.diagnostics.push(d),
        }
        repo.suppressions.extend(found);
    }

    for name in [".github/dependabot.yml", ".github/dependabot.yaml"] {
        if root.join(name).is_file() {
            let text = read(root, name, FileKind::Dependabot);
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
        if root.join(name).is_file() {
            match read(root, name, FileKind::Codeowners) {
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

/// Workflows and local actions, sorted by path.
fn pipeline_files(root: &Path) -> Vec<(String, FileKind)> {
    let mut out = Vec::new();
    let workflows = root.join(".github/workflows");
    if let Ok(entries) = std::fs::read_dir(&workflows) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if (name.ends_with(".yml") || name.ends_with(".yaml"))
                && entry.file_type().is_ok_and(|t| !t.is_dir())
            {
                out.push((format!(".github/workflows/{name}"), FileKind::Workflow));
            }
        }
    }
    for name in ["action.yml", "action.yaml"] {
        if root.join(name).is_file() {
            out.push((name.to_string(), FileKind::Action));
        }
    }
    let github = root.join(".github");
    for entry in walkdir::WalkDir::new(&github)
        .max_depth(8)
        .into_iter()
        .filter_map(Result::ok)
    {
        let name = entry.file_name();
        if (name == "action.yml" || name == "action.yaml")
            && entry.file_type().is_file()
            && let Ok(rel) = entry.path().strip_prefix(root)
        {
            out.push((rel.to_string_lossy().replace('\\', "/"), FileKind::Action));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Reads a file as UTF-8 text, or says why it cannot be.
fn read(root: &Path, rel: &str, kind: FileKind) -> Result<String, FileDiagnostic> {
    let diag = |message: String| FileDiagnostic {
        kind,
        loc: Location::file(rel),
        message,
    };
    let path: PathBuf = root.join(rel);
    let meta = std::fs::metadata(&path).map_err(|e| diag(format!("cannot read the file: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(diag(format!(
            "the file is {} bytes, more than the {MAX_FILE_BYTES}-byte limit for pipeline files",
            meta.len()
        )));
    }
    let bytes = std::fs::read(&path).map_err(|e| diag(format!("cannot read the file: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        diag(format!(
            "the file is not valid UTF-8 (first invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Package ecosystems detected from manifests, named as Dependabot names them.
fn ecosystems(root: &Path, has_workflows: bool) -> Vec<String> {
    let mut found = std::collections::BTreeSet::new();
    if has_workflows {
        found.insert("github-actions".to_string());
    }
    let walker = walkdir::WalkDir::new(root)
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
        let name = entry.file_name().to_string_lossy();
        let eco = match name.as_ref() {
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
            _ => continue,
        };
        found.insert(eco.to_string());
    }
    found.into_iter().collect()
}
