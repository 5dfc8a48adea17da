//! GitHub Actions facts: workflows, local composite actions, their jobs and steps.
//!
//! The shapes are what rule conditions see (`workflow`, `job`, `step`, `env`, `image`, `expr`),
//! so field names follow GitHub's own words where CEL allows (`if:` becomes `condition`), and
//! absent values are omitted so that `has(step.uses)` means "the step has `uses:`".
//! Literal values that look like credentials are redacted before they are stored here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Location, Locs};

/// A workflow file or the `runs:` of a local composite action.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Workflow {
    /// `workflow` or `action`.
    pub kind: String,
    /// Path relative to the repository root.
    pub path: String,
    /// `name:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Event names from `on:` (empty for actions).
    pub triggers: Vec<String>,
    /// `on:` as written, for details such as `workflow_dispatch.inputs`.
    pub on: serde_json::Value,
    /// Top-level `permissions:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
    /// Top-level `env:` (credential-like values redacted).
    pub env: BTreeMap<String, String>,
    /// Whether top-level `concurrency:` is set.
    pub concurrency: bool,
    /// For actions: `runs.using` (`composite`, `docker`, `node20`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    /// Jobs in file order; a composite action has one job with id `runs`.
    pub jobs: Vec<Job>,
    /// Every literal value under `env:`, `with:` and container `credentials:`, flattened.
    /// Conditions reach these (and `expressions`, `images`) through their own scopes.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub entries: Vec<EnvEntry>,
    /// Every `${{ }}` expression inside a step's `run:`, `with:` or `env:`.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub expressions: Vec<Expression>,
    /// Every reference to remote code: actions in steps and reusable-workflow calls.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub references: Vec<Reference>,
    /// Every container image: job containers, services and `docker://` steps.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub images: Vec<Image>,
    /// Line 1 of the file.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
    /// Locations of top-level keys (`on`, `permissions`, `env.X`, `name`, `jobs`).
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub locs: Locs,
}

/// `permissions:` at workflow or job level.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
pub struct Permissions {
    /// `map`, `read-all`, `write-all`, `none` (`{}` is a map with no scopes), or `expression`.
    pub kind: String,
    /// Scope → `read` / `write` / `none`.
    pub scopes: BTreeMap<String, String>,
    /// Scopes granted `write`.
    pub writes: Vec<String>,
}

/// A job.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Job {
    /// The job's key under `jobs:`.
    pub id: String,
    /// `name:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `runs-on:` labels (an expression is kept as written).
    pub runs_on: Vec<String>,
    /// `runs-on: { group: }`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_group: Option<String>,
    /// `environment:` name (string or `name:` of the mapping).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Job `permissions:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
    /// `if:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// `needs:`.
    pub needs: Vec<String>,
    /// `uses:` of a reusable-workflow call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uses: Option<String>,
    /// Owner of a remote reusable workflow (`owner/repo/.github/workflows/x.yml@ref`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Ref of a remote reusable workflow.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    /// `secrets:`: `inherit`, `map` or absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secrets: Option<String>,
    /// `with:` of a reusable-workflow call.
    pub with: BTreeMap<String, String>,
    /// `env:` (credential-like values redacted).
    pub env: BTreeMap<String, String>,
    /// `continue-on-error:` as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continue_on_error: Option<String>,
    /// Names of the secrets the job reads (`secrets.NAME` in its `env:`, `with:`, and its
    /// steps' `run:`, `with:` and `env:`), except `GITHUB_TOKEN`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets_read: Vec<String>,
    /// Whether job `concurrency:` is set.
    pub concurrency: bool,
    /// Steps in order.
    pub steps: Vec<Step>,
    /// Where the job's key is written.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
    /// Locations of the job's keys (`runs-on`, `environment`, `permissions`, `if`, `uses`, ...).
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub locs: Locs,
}

/// A step.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Step {
    /// 0-based position in the job.
    pub index: usize,
    /// 1-based line where the step starts (as in `loc`, which conditions do not see), so that
    /// a rule's message can cite the step as `path:line`.
    #[serde(default)]
    pub line: u32,
    /// `id:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `action` (a repository action), `local` (`./path`), `docker` (`docker://`) or `run`.
    pub kind: String,
    /// `uses:` as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uses: Option<String>,
    /// Owner of the action repository, lower-cased (`actions` in `actions/checkout@v4`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `owner/repo` of the action, lower-cased.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The ref after `@`.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    /// The version comment after a SHA pin (`# v4.1.1`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ref_comment: Option<String>,
    /// `run:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// `shell:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shell: Option<String>,
    /// `with:` (credential-like values redacted).
    pub with: BTreeMap<String, String>,
    /// `env:` (credential-like values redacted).
    pub env: BTreeMap<String, String>,
    /// `if:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// `continue-on-error:` as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continue_on_error: Option<String>,
    /// Where the step starts.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
    /// Locations of the step's keys and values (`uses`, `run`, `with.ref`, `env.X`).
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub locs: Locs,
}

/// One literal key/value pair under `env:`, `with:` or `credentials:`.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct EnvEntry {
    /// The key.
    pub name: String,
    /// The value, redacted when it looks like a credential.
    pub value: String,
    /// `workflow`, `job`, `step` (for `env:`), `with` or `credentials`.
    pub level: String,
    /// Whether the value contains no `${{ }}` expression.
    pub literal: bool,
    /// Whether the value looks like a credential (it is then redacted).
    pub secret_like: bool,
    /// What kind of credential it looks like, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_kind: Option<String>,
    /// Index of the job in [`Workflow::jobs`], if the entry is inside one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<usize>,
    /// Index of the step in the job, if the entry is inside one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// GitLab CI: every job the value reaches (a global variable reaches all that inherit it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub used_by: Vec<String>,
    /// Where the value is written.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
}

/// A `${{ }}` expression inside a step.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Expression {
    /// The expression between `${{` and `}}`, trimmed.
    pub text: String,
    /// The field it was written in: `run`, `with.<key>` or `env.<key>`.
    pub field: String,
    /// The action the step uses (`owner/repo`), if any, so `with.script` of
    /// `actions/github-script` can be told apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Index of the job in [`Workflow::jobs`].
    pub job: usize,
    /// Index of the step in the job.
    pub step: usize,
    /// Where `${{ ... }}` is written.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
}

/// A container image reference.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Image {
    /// `container`, `service` or `step`.
    pub kind: String,
    /// The reference as written (`node:20`, `ghcr.io/o/i@sha256:...`).
    pub reference: String,
    /// Registry and repository, without tag or digest.
    pub name: String,
    /// The tag, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The digest (`sha256:...`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Whether the reference is an expression (`${{ matrix.image }}`), which cannot be judged.
    pub dynamic: bool,
    /// The service name, for services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Index of the job in [`Workflow::jobs`].
    pub job: usize,
    /// Index of the step, for `docker://` steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// GitLab CI: every job that runs the image (an image in `default:` or a template is
    /// written once and used by many).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub used_by: Vec<String>,
    /// Where the reference is written.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
}

/// A reference to remote code by `uses:`: an action in a step, or a reusable workflow called by
/// a job. Local (`./`) and `docker://` references are not included.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Reference {
    /// `action` (a step) or `workflow` (a job calling a reusable workflow).
    pub kind: String,
    /// `uses:` as written.
    pub text: String,
    /// Owner, lower-cased.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `owner/repo`, lower-cased.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The ref after `@`.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    /// The version comment after a SHA pin, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Index of the job in [`Workflow::jobs`].
    pub job: usize,
    /// Index of the step, for actions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// Where the `uses:` value is written.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
}
