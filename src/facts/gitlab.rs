//! GitLab CI facts: a pipeline as GitLab would run it, after includes, `extends`, `default:`,
//! `!reference` tags and global `variables` have been resolved.
//!
//! A [`Pipeline`] is the root `.gitlab-ci.yml` with everything it includes, or a child pipeline
//! started by `trigger: include:`. Hidden jobs (`.name`) are templates and are not jobs here;
//! what jobs inherit from them is. Every value keeps the location where it is *written*, which
//! may be an included file or a template: a finding on an inherited value points there, and
//! the subject names the job it affects. Items that several jobs share (an image set in
//! `default:`, a script line of a template) are listed once, with the jobs they affect.
//! Literal values that look like credentials are redacted before they are stored here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{EnvEntry, Image, Location, Locs};

/// A resolved GitLab CI pipeline.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Pipeline {
    /// `pipeline` (the root `.gitlab-ci.yml`) or `child` (started by `trigger: include:`).
    pub kind: String,
    /// Path of the file the pipeline starts from, relative to the repository root.
    pub path: String,
    /// For a child pipeline: the job of the parent pipeline that triggers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_job: Option<String>,
    /// Every local file merged into the pipeline, in the order GitLab merges them.
    pub files: Vec<String>,
    /// `stages:`, in order (GitLab's default stages when absent).
    pub stages: Vec<String>,
    /// `workflow: rules:`.
    pub workflow_rules: Vec<RuleClause>,
    /// Global `variables:` (credential-like values redacted).
    pub variables: BTreeMap<String, String>,
    /// `spec: inputs:` declared by the files of the pipeline.
    pub inputs: Vec<Input>,
    /// Jobs in the order GitLab lists them (hidden jobs excluded).
    pub jobs: Vec<Job>,
    /// Every `include:` of the pipeline's files and of `trigger: include:`, local or not.
    pub includes: Vec<Include>,
    /// Every literal `variables:` value (global and per job), once per place it is written.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub entries: Vec<EnvEntry>,
    /// Every job image and service, once per place it is written.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub images: Vec<Image>,
    /// Every line of `before_script`, `script` and `after_script`, once per place it is
    /// written.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub scripts: Vec<Script>,
    /// Line 1 of the file the pipeline starts from.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
    /// Locations of top-level keys (`include`, `variables.X`, `workflow`, `stages`).
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub locs: Locs,
}

/// One clause of `rules:` (of a job, of `workflow:` or of an include).
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
pub struct RuleClause {
    /// `if:`, as written.
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// `when:` (`on_success` when absent).
    pub when: String,
    /// Whether `changes:` is set.
    pub changes: bool,
    /// Whether `exists:` is set.
    pub exists: bool,
    /// `allow_failure:` of the clause, if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_failure: Option<bool>,
}

/// A `spec: inputs:` entry.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Input {
    /// The input's name.
    pub name: String,
    /// `type:` (`string` when absent).
    #[serde(rename = "type")]
    pub input_type: String,
    /// Whether `options:` restricts the value to a list.
    pub options: bool,
    /// Whether `regex:` constrains the value.
    pub regex: bool,
    /// Whether a `default:` is set.
    pub has_default: bool,
    /// The file that declares it.
    pub file: String,
    /// Where the input is declared.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
}

/// An `include:` entry.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Include {
    /// `local`, `project`, `remote`, `template`, `component` or `artifact`.
    pub kind: String,
    /// The local path, project path, URL, template name or component address, as written.
    pub target: String,
    /// For `project:`: the files included (`file:`).
    pub files: Vec<String>,
    /// `ref:` of a project include, or the version after `@` of a component.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    /// For components: the address without the version (`gitlab.com/components/sast/sast`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// For remote includes and components: the host, when written literally.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Whether the include has `rules:` (it is then followed as if it applied).
    pub conditional: bool,
    /// The `if:` conditions of the include's `rules:`.
    pub rules: Vec<RuleClause>,
    /// Input names passed with `inputs:`.
    pub inputs: Vec<String>,
    /// Whether the target is computed from CI/CD variables (`$VAR`), so it cannot be read.
    pub dynamic: bool,
    /// For local includes: whether every file it names was found and merged.
    pub resolved: bool,
    /// The file that holds the `include:`.
    pub from: String,
    /// For `trigger: include:`: the job that starts the child pipeline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// Where the include's target is written.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
}

/// A job, resolved: its `extends` templates, `default:`, `!reference` tags and global
/// variables applied.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Job {
    /// The job's name.
    pub id: String,
    /// `stage:` (`test` when absent).
    pub stage: String,
    /// `extends:` as written on the job (templates it inherits from directly).
    pub extends: Vec<String>,
    /// Every template the job inherits from, nearest first.
    pub templates: Vec<String>,
    /// `extends` parents that are not defined in the repository: they come from includes
    /// outside it (`project`, `remote`, `template`, `component`), whose content is not read,
    /// so values the job may inherit from them are not known.
    pub external_templates: Vec<String>,
    /// `when:` (`on_success` when absent).
    pub when: String,
    /// Whether the job runs only when started by hand: `when: manual` on the job, or on every
    /// `rules:` clause that runs it.
    pub manual: bool,
    /// `allow_failure:` as GitLab applies it (`true` for manual jobs unless set).
    pub allow_failure: bool,
    /// `rules:`.
    pub rules: Vec<RuleClause>,
    /// `only:` refs (`only: [main]`, `only: refs: [...]`).
    pub only: Vec<String>,
    /// `except:` refs.
    pub except: Vec<String>,
    /// `environment:` name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// `environment: action:` (`start` when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment_action: Option<String>,
    /// `environment: deployment_tier:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_tier: Option<String>,
    /// `resource_group:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_group: Option<String>,
    /// Names under `id_tokens:`.
    pub id_tokens: Vec<String>,
    /// Names under `secrets:` (external secret managers such as Vault).
    pub secrets: Vec<String>,
    /// `artifacts:`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<Artifacts>,
    /// `image:` name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// `services:` names.
    pub services: Vec<String>,
    /// `before_script`, `script` and `after_script` lines, in the order they run.
    pub script: Vec<String>,
    /// Variables the job sees: global ones it inherits and its own (credential-like values
    /// redacted).
    pub variables: BTreeMap<String, String>,
    /// `trigger:`: the child pipeline file, the downstream project, or `include`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// `needs:` job names.
    pub needs: Vec<String>,
    /// `tags:` (runner selection).
    pub tags: Vec<String>,
    /// The file where the job is defined.
    pub file: String,
    /// Where the job's name is written.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
    /// Where each of the job's values is written (`environment`, `when`, `rules`,
    /// `resource_group`, `artifacts.expire_in`, `allow_failure`, `image`, `script`, ...),
    /// which may be a template or an included file.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub locs: Locs,
}

/// `artifacts:` of a job.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Artifacts {
    /// `paths:`.
    pub paths: Vec<String>,
    /// Report kinds under `reports:` (`sast`, `junit`, `dependency_scanning`, ...).
    pub reports: Vec<String>,
    /// `expire_in:` as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expire_in: Option<String>,
    /// `expire_in:` in days (`never` is absent here and `expire_never` is true); absent when
    /// `expire_in:` is not set or cannot be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expire_days: Option<f64>,
    /// Whether `expire_in: never`.
    pub expire_never: bool,
}

/// One script line (a `before_script`, `script` or `after_script` item; a block scalar item
/// is one line here even when it spans several).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Script {
    /// The text, with credential-like values redacted.
    pub text: String,
    /// `before_script`, `script` or `after_script`.
    pub field: String,
    /// `$[[ inputs.NAME ]]` interpolations in the line, with what the file declares about
    /// each input.
    pub inputs: Vec<InputUse>,
    /// Index of the first job it affects in [`Pipeline::jobs`].
    pub job: usize,
    /// Every job it affects.
    pub used_by: Vec<String>,
    /// Where the line is written.
    #[serde(skip_serializing_if = "crate::facts::skip_location", default)]
    pub loc: Location,
}

/// A `$[[ inputs.NAME | function ]]` interpolation.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct InputUse {
    /// The input's name.
    pub name: String,
    /// Functions applied after `|` (`expand_vars`, `truncate(0,8)`, `posix_escape`).
    pub functions: Vec<String>,
    /// The input's declared `type:` (`string` when it is not declared).
    #[serde(rename = "type")]
    pub input_type: String,
    /// Whether the declaration restricts the value with `options:`.
    pub options: bool,
    /// Whether the declaration constrains the value with `regex:`.
    pub regex: bool,
    /// Whether the file declares the input at all.
    pub declared: bool,
}
