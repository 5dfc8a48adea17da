//! Facts: the typed, versioned, located evidence that providers collect and rules evaluate.
//!
//! Providers produce a [`Facts`] value; the engine reads it and nothing else, so a dump written
//! by `soc2 facts` can be evaluated again offline (`soc2 check --facts FILE`) — which is how an
//! auditor re-performs a check. Every fact read from a file carries a [`Location`].

pub mod gha;
pub mod github;
pub mod gitlab;
pub mod gitlab_settings;

use std::collections::BTreeMap;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use gha::{EnvEntry, Expression, Image, Job, Permissions, Reference, Step, Workflow};

/// Version of the facts format; bumped on any incompatible change.
pub const FACTS_VERSION: u32 = 1;

thread_local! {
    static FOR_CONDITIONS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with locations left out of serialization: rule conditions never read them, and
/// converting them is most of the cost of turning facts into condition values.
pub fn without_locations<R>(f: impl FnOnce() -> R) -> R {
    let before = FOR_CONDITIONS.with(|c| c.replace(true));
    let r = f();
    FOR_CONDITIONS.with(|c| c.set(before));
    r
}

/// `skip_serializing_if` for location fields: true inside [`without_locations`].
pub fn skip_location<T>(_: &T) -> bool {
    FOR_CONDITIONS.with(std::cell::Cell::get)
}

/// Where a fact was written: a file path relative to the repository root and a region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Location {
    /// Path relative to the repository root, `/`-separated.
    pub path: Arc<str>,
    /// 1-based first line.
    pub line: u32,
    /// 1-based first column, in characters.
    pub column: u32,
    /// 1-based last line.
    pub end_line: u32,
    /// 1-based column just past the region, in characters.
    pub end_column: u32,
    /// Byte offset of the region in the file.
    pub offset: usize,
    /// Length of the region in bytes.
    pub length: usize,
}

impl Location {
    /// A location on line 1 of `path`, for findings about a file as a whole.
    pub fn file(path: impl Into<Arc<str>>) -> Self {
        Self {
            path: path.into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            offset: 0,
            length: 0,
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}

/// Locations of the fields of one fact, keyed by field path (`uses`, `with.ref`, `env.TOKEN`).
pub type Locs = BTreeMap<String, Location>;

/// Everything collected in one run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Facts {
    /// [`FACTS_VERSION`] of the writer.
    pub facts_version: u32,
    /// Name and version of the tool that collected the facts.
    pub tool: ToolInfo,
    /// One entry per scanned repository.
    pub repositories: Vec<Repository>,
}

impl Facts {
    /// An empty set of facts from this build of the tool.
    pub fn new(repositories: Vec<Repository>) -> Self {
        Self {
            facts_version: FACTS_VERSION,
            tool: ToolInfo::current(),
            repositories,
        }
    }
}

/// Name and version of a tool.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ToolInfo {
    /// Always `soc2`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl ToolInfo {
    /// This build.
    pub fn current() -> Self {
        Self {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// The facts of one repository.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Repository {
    /// Stable identity of the target: `local:<path as given>`.
    pub id: String,
    /// The directory that was scanned, as given on the command line.
    pub root: String,
    /// GitHub Actions workflows and local composite actions (`kind` tells them apart).
    pub workflows: Vec<Workflow>,
    /// GitLab CI pipelines: the root `.gitlab-ci.yml` and the child pipelines it triggers,
    /// resolved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pipelines: Vec<gitlab::Pipeline>,
    /// Dependabot configuration, if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependabot: Option<Dependabot>,
    /// Renovate configuration file, if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renovate: Option<FileRef>,
    /// CODEOWNERS, if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codeowners: Option<Codeowners>,
    /// `SECURITY.md`, if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_policy: Option<FileRef>,
    /// Package ecosystems detected from manifest files (`cargo`, `npm`, `github-actions`, ...),
    /// named as Dependabot names them.
    pub ecosystems: Vec<String>,
    /// Infrastructure-as-code files (Terraform, Terragrunt, Pulumi, Helm charts, Kustomize,
    /// CloudFormation and Serverless templates) and the root `.gitlab-ci.yml`: change-sensitive
    /// files besides the workflows, which CODEOWNERS should cover. At most one file per
    /// directory (the first by name) and 64 in all, sorted; hidden, dependency and build
    /// directories are skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub iac_files: Vec<String>,
    /// Files that were found but could not be read or understood.
    pub diagnostics: Vec<FileDiagnostic>,
    /// Inline suppression comments (`# soc2: ignore[RULE] reason`) in the pipeline files,
    /// in file and line order. Rule conditions do not see them; [`crate::suppress`] applies
    /// them to the evaluations.
    #[serde(default, skip_serializing_if = "skip_suppressions")]
    pub suppressions: Vec<Suppression>,
    /// Settings read from GitHub's API, for `github:` targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<Box<github::GithubFacts>>,
    /// Settings read from GitLab's API, for `gitlab:` targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitlab: Option<Box<gitlab_settings::GitlabFacts>>,
}

fn skip_suppressions(s: &[Suppression]) -> bool {
    s.is_empty() || skip_location(&s)
}

/// An inline suppression comment in a pipeline file:
/// `# soc2: ignore[CC9-001, actions-pinned-to-sha] reason`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Suppression {
    /// Path of the file relative to the repository root.
    pub path: String,
    /// 1-based line of the comment.
    pub line: u32,
    /// Whether the comment is alone on its line (it then covers the next line); a comment
    /// after code covers its own line only.
    #[serde(default)]
    pub standalone: bool,
    /// The rule ids or names between the brackets, as written (empty when the comment could
    /// not be read as `ignore[...]`).
    pub rules: Vec<String>,
    /// The text after the brackets, trimmed; may be empty (such a suppression does not apply).
    pub reason: String,
    /// The comment, from its `#` to the end of the line.
    pub loc: Location,
}

/// A file that exists, with the location of its start.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileRef {
    /// Path relative to the repository root.
    pub path: String,
    /// Line 1 of the file.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
}

/// What kind of file a diagnostic is about.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// `.github/workflows/*.yml`
    Workflow,
    /// `action.yml` of a local action.
    Action,
    /// `.github/dependabot.yml`
    Dependabot,
    /// `CODEOWNERS`
    Codeowners,
    /// Renovate configuration.
    Renovate,
    /// `.gitlab-ci.yml` or a file it includes.
    GitlabCi,
}

/// A file that could not be parsed or is not a valid file of its kind.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileDiagnostic {
    /// What the file should have been.
    pub kind: FileKind,
    /// Where the problem is.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
    /// What is wrong.
    pub message: String,
}

/// Dependabot version updates.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Dependabot {
    /// Path of the file.
    pub path: String,
    /// Line 1 of the file.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
    /// One per `updates:` entry.
    pub updates: Vec<DependabotUpdate>,
    /// Ecosystems with an entry.
    pub ecosystems: Vec<String>,
    /// Whether any entry or registry allows insecure external code execution.
    pub insecure_external_code_execution: bool,
}

/// One `updates:` entry of a Dependabot file.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct DependabotUpdate {
    /// `package-ecosystem`.
    pub ecosystem: String,
    /// `directory` or `directories`.
    pub directories: Vec<String>,
    /// `schedule.interval`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Whether a `cooldown` is set.
    pub cooldown: bool,
    /// `insecure-external-code-execution: allow`.
    pub insecure_external_code_execution: bool,
    /// Where the entry starts.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
}

/// A CODEOWNERS file.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Codeowners {
    /// Path of the file.
    pub path: String,
    /// Line 1 of the file.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
    /// Rules in file order.
    pub rules: Vec<CodeownersRule>,
}

/// One line of a CODEOWNERS file.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
pub struct CodeownersRule {
    /// The path pattern.
    pub pattern: String,
    /// Owners (`@user`, `@org/team`, e-mail); empty means "no owner".
    pub owners: Vec<String>,
    /// 1-based line.
    pub line: u32,
}
