//! Turns one workflow or local action file into [`Workflow`] facts.
//!
//! Structural problems (not YAML, not a mapping, `jobs:` missing or of the wrong type, a step
//! that is neither `uses:` nor `run:`) are returned as a [`FileDiagnostic`] with the location of
//! the offending node; the caller records it and goes on with the next file.

use std::collections::BTreeMap;

use crate::facts::{
    EnvEntry, Expression, FileDiagnostic, FileKind, Image, Job, Location, Locs, Permissions,
    Reference, Step, Workflow,
};
use crate::secrets;
use crate::yaml::{self, Node, SourceText};

/// Parses a workflow (`kind` = [`FileKind::Workflow`]) or a local action
/// ([`FileKind::Action`]).
pub fn parse(path: &str, text: &str, kind: FileKind) -> Result<Workflow, FileDiagnostic> {
    let diag = |loc: Location, message: String| FileDiagnostic { kind, loc, message };
    // Files GitHub accepts with under-indented flow collections are repaired, not rejected.
    let repaired;
    let (text, docs) = match yaml::parse(text) {
        Ok(docs) => (text, docs),
        Err(e) => match yaml::repair_flow_indentation(text) {
            Some(fixed) if yaml::parse(&fixed).is_ok() => {
                repaired = fixed;
                (
                    repaired.as_str(),
                    yaml::parse(&repaired).unwrap_or_default(),
                )
            }
            _ => {
                let src = SourceText::new(path, text);
                let offset =
                    src.byte_offset(e.line.max(1) as usize, e.column.saturating_sub(1) as usize);
                return Err(diag(
                    src.range_location(offset, offset),
                    format!("YAML syntax error: {}", e.message),
                ));
            }
        },
    };
    let src = SourceText::new(path, text);
    let root = match docs.as_slice() {
        [] => return Err(diag(src.file_location(), "the file is empty".into())),
        [root] => root,
        [_, second, ..] => {
            return Err(diag(
                src.location(second),
                "a workflow file must hold a single YAML document".into(),
            ));
        }
    };
    if yaml::is_null(root) {
        return Err(diag(src.file_location(), "the file is empty".into()));
    }
    if !yaml::is_mapping(root) {
        return Err(diag(
            src.location(root),
            format!(
                "expected a mapping at the top level, found {}",
                yaml::kind_name(root)
            ),
        ));
    }
    let mut b = Builder {
        src: &src,
        wf: Workflow {
            kind: match kind {
                FileKind::Action => "action".into(),
                _ => "workflow".into(),
            },
            path: path.to_string(),
            loc: Location::file(path),
            ..Workflow::default()
        },
    };
    let result = match kind {
        FileKind::Action => b.action(root),
        _ => b.workflow(root),
    };
    result.map_err(|(loc, message)| diag(loc, message))?;
    for job in &mut b.wf.jobs {
        job.secrets_read = secrets_read(job);
    }
    Ok(b.wf)
}

/// The secrets a job reads, in order of first mention.
fn secrets_read(job: &Job) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let texts = job.env.values().chain(job.with.values()).chain(
        job.steps
            .iter()
            .flat_map(|s| s.run.iter().chain(s.with.values()).chain(s.env.values())),
    );
    for text in texts {
        for name in crate::expr::secret_refs(text) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

type Invalid = (Location, String);

struct Builder<'s, 'a> {
    src: &'s SourceText<'a>,
    wf: Workflow,
}

impl Builder<'_, '_> {
    fn loc(&self, node: &Node<'_>) -> Location {
        self.src.location(node)
    }

    fn invalid(&self, node: &Node<'_>, what: &str, expected: &str) -> Invalid {
        (
            self.loc(node),
            format!(
                "`{what}` must be {expected}, found {}",
                yaml::kind_name(node)
            ),
        )
    }

    fn workflow(&mut self, root: &Node<'_>) -> Result<(), Invalid> {
        for (k, v) in yaml::entries(root) {
            if let Some(key) = yaml::scalar_str(k) {
                self.wf.locs.insert(key.into_owned(), self.loc(v));
            }
        }
        self.wf.name = yaml::get(root, "name").and_then(|n| yaml::scalar_str(n).map(Into::into));
        let Some(on) = yaml::get(root, "on") else {
            return Err((
                self.src.file_location(),
                "not a workflow: the `on:` key is missing".into(),
            ));
        };
        self.wf.triggers = triggers(on);
        self.wf.on = yaml::to_json(on);
        if let Some(p) = yaml::get(root, "permissions") {
            self.wf.permissions = Some(permissions(p));
        }
        if let Some(env) = yaml::get(root, "env") {
            self.wf.env = self.env_map(env, "env", "workflow", None, None, &mut Locs::new());
        }
        self.wf.concurrency = yaml::get(root, "concurrency").is_some();
        let Some(jobs) = yaml::get(root, "jobs") else {
            return Err((
                self.src.file_location(),
                "not a workflow: the `jobs:` key is missing".into(),
            ));
        };
        if !yaml::is_mapping(jobs) {
            return Err(self.invalid(jobs, "jobs", "a mapping of job ids to jobs"));
        }
        for (k, v) in yaml::entries(jobs) {
            let Some(id) = yaml::scalar_str(k) else {
                return Err((self.loc(k), "a job id must be a string".into()));
            };
            let job = self.job(&id, k, v)?;
            self.wf.jobs.push(job);
        }
        Ok(())
    }

    fn action(&mut self, root: &Node<'_>) -> Result<(), Invalid> {
        self.wf.name = yaml::get(root, "name").and_then(|n| yaml::scalar_str(n).map(Into::into));
        self.wf.on = serde_json::Value::Null;
        let Some(runs) = yaml::get(root, "runs") else {
            return Err((
                self.src.file_location(),
                "not an action: the `runs:` key is missing".into(),
            ));
        };
        if !yaml::is_mapping(runs) {
            return Err(self.invalid(runs, "runs", "a mapping"));
        }
        self.wf.locs.insert("runs".into(), self.loc(runs));
        let using = yaml::get(runs, "using").and_then(|u| yaml::scalar_str(u).map(Into::into));
        let mut job = Job {
            id: "runs".into(),
            loc: self.loc(runs),
            ..Job::default()
        };
        if let Some(image) = yaml::get(runs, "image")
            && let Some(reference) = yaml::scalar_str(image)
            && let Some(r) = reference.strip_prefix("docker://")
        {
            let img = image_ref("step", r, self.loc(image), 0, None);
            self.wf.images.push(img);
        }
        if let Some(env) = yaml::get(runs, "env") {
            job.env = self.env_map(env, "env", "job", Some(0), None, &mut job.locs);
        }
        if let Some(steps) = yaml::get(runs, "steps") {
            job.steps = self.steps(steps, 0)?;
        }
        self.wf.using = using;
        self.wf.jobs.push(job);
        Ok(())
    }

    fn job(&mut self, id: &str, key: &Node<'_>, node: &Node<'_>) -> Result<Job, Invalid> {
        if !yaml::is_mapping(node) {
            return Err(self.invalid(node, &format!("jobs.{id}"), "a mapping"));
        }
        let index = self.wf.jobs.len();
        let mut job = Job {
            id: id.to_string(),
            loc: self.loc(key),
            ..Job::default()
        };
        for (k, v) in yaml::entries(node) {
            if let Some(key) = yaml::scalar_str(k) {
                job.locs.insert(key.into_owned(), self.loc(v));
            }
        }
        let text =
            |key: &str| yaml::get(node, key).and_then(|n| yaml::scalar_str(n).map(Into::into));
        job.name = text("name");
        job.condition = text("if").map(|c| secrets::redact(&c).into_owned());
        job.continue_on_error = text("continue-on-error");
        job.concurrency = yaml::get(node, "concurrency").is_some();
        if let Some(runs_on) = yaml::get(node, "runs-on") {
            if yaml::is_mapping(runs_on) {
                job.runner_group =
                    yaml::get(runs_on, "group").and_then(|g| yaml::scalar_str(g).map(Into::into));
                if let Some(labels) = yaml::get(runs_on, "labels") {
                    job.runs_on = string_list(labels);
                }
            } else {
                job.runs_on = string_list(runs_on);
            }
        }
        if let Some(env) = yaml::get(node, "environment") {
            job.environment = if yaml::is_mapping(env) {
                yaml::get(env, "name").and_then(|n| yaml::scalar_str(n).map(Into::into))
            } else {
                yaml::scalar_str(env).map(Into::into)
            };
        }
        if let Some(p) = yaml::get(node, "permissions") {
            job.permissions = Some(permissions(p));
        }
        if let Some(needs) = yaml::get(node, "needs") {
            job.needs = string_list(needs);
        }
        if let Some(uses) = text("uses") {
            if !uses.starts_with("./") {
                let (owner, repository, git_ref) = split_action(&uses);
                job.owner = owner.clone();
                job.git_ref = git_ref.clone();
                let uses_node = yaml::get(node, "uses");
                self.wf.references.push(Reference {
                    kind: "workflow".into(),
                    text: uses.clone(),
                    owner,
                    repository,
                    git_ref,
                    comment: uses_node.and_then(|n| self.trailing_comment(n)),
                    job: index,
                    step: None,
                    loc: job.locs.get("uses").cloned().unwrap_or_default(),
                });
            }
            job.uses = Some(uses);
        }
        if let Some(secrets) = yaml::get(node, "secrets") {
            if yaml::is_mapping(secrets) {
                let mut scratch = Locs::new();
                self.env_map(
                    secrets,
                    "secrets",
                    "secrets",
                    Some(index),
                    None,
                    &mut scratch,
                );
            }
            job.secrets = Some(if yaml::is_mapping(secrets) {
                "map".into()
            } else {
                yaml::scalar_str(secrets).map_or_else(|| "map".into(), Into::into)
            });
        }
        if let Some(with) = yaml::get(node, "with") {
            job.with = self.env_map(with, "with", "with", Some(index), None, &mut job.locs);
        }
        if let Some(env) = yaml::get(node, "env") {
            job.env = self.env_map(env, "env", "job", Some(index), None, &mut job.locs);
        }
        if let Some(container) = yaml::get(node, "container") {
            self.container("container", None, container, index);
        }
        if let Some(services) = yaml::get(node, "services")
            && yaml::is_mapping(services)
        {
            for (k, v) in yaml::entries(services) {
                let name = yaml::scalar_str(k).map(|s| s.into_owned());
                self.container("service", name, v, index);
            }
        }
        if let Some(steps) = yaml::get(node, "steps") {
            job.steps = self.steps(steps, index)?;
        }
        Ok(job)
    }

    fn container(&mut self, kind: &str, service: Option<String>, node: &Node<'_>, job: usize) {
        let image = if yaml::is_mapping(node) {
            if let Some(creds) = yaml::get(node, "credentials") {
                let mut scratch = Locs::new();
                self.env_map(
                    creds,
                    "credentials",
                    "credentials",
                    Some(job),
                    None,
                    &mut scratch,
                );
            }
            if let Some(env) = yaml::get(node, "env") {
                let mut scratch = Locs::new();
                self.env_map(env, "env", "job", Some(job), None, &mut scratch);
            }
            yaml::get(node, "image")
        } else {
            Some(node)
        };
        if let Some(image) = image
            && let Some(reference) = yaml::scalar_str(image)
        {
            let mut img = image_ref(kind, &reference, self.loc(image), job, None);
            img.service = service;
            self.wf.images.push(img);
        }
    }

    fn steps(&mut self, node: &Node<'_>, job: usize) -> Result<Vec<Step>, Invalid> {
        if !yaml::is_sequence(node) {
            return Err(self.invalid(node, "steps", "a sequence"));
        }
        let mut steps = Vec::new();
        for (index, item) in yaml::items(node).iter().enumerate() {
            steps.push(self.step(item, job, index)?);
        }
        Ok(steps)
    }

    fn step(&mut self, node: &Node<'_>, job: usize, index: usize) -> Result<Step, Invalid> {
        if !yaml::is_mapping(node) {
            return Err(self.invalid(node, "a step", "a mapping"));
        }
        let loc = self.loc(node);
        let mut step = Step {
            index,
            line: loc.line,
            loc,
            ..Step::default()
        };
        for (k, v) in yaml::entries(node) {
            if let Some(key) = yaml::scalar_str(k) {
                step.locs.insert(key.into_owned(), self.loc(v));
            }
        }
        let text =
            |key: &str| yaml::get(node, key).and_then(|n| yaml::scalar_str(n).map(Into::into));
        step.id = text("id");
        step.name = text("name");
        step.condition = text("if");
        step.continue_on_error = text("continue-on-error");
        step.shell = text("shell");
        step.run = text("run");
        step.uses = text("uses");
        match (&step.uses, &step.run) {
            (Some(uses), _) => {
                if let Some(image) = uses.strip_prefix("docker://") {
                    step.kind = "docker".into();
                    let loc = step.locs.get("uses").cloned().unwrap_or_default();
                    let img = image_ref("step", image, loc, job, Some(index));
                    self.wf.images.push(img);
                } else if uses.starts_with("./") || uses.starts_with(".\\") {
                    step.kind = "local".into();
                } else {
                    step.kind = "action".into();
                    let (owner, action, git_ref) = split_action(uses);
                    step.owner = owner;
                    step.action = action;
                    step.git_ref = git_ref;
                    if let Some(uses_node) = yaml::get(node, "uses") {
                        step.ref_comment = self.trailing_comment(uses_node);
                    }
                    self.wf.references.push(Reference {
                        kind: "action".into(),
                        text: uses.clone(),
                        owner: step.owner.clone(),
                        repository: step.action.clone(),
                        git_ref: step.git_ref.clone(),
                        comment: step.ref_comment.clone(),
                        job,
                        step: Some(index),
                        loc: step.locs.get("uses").cloned().unwrap_or_default(),
                    });
                }
            }
            (None, Some(_)) => step.kind = "run".into(),
            // A step kind this parser does not know (new syntax): kept, judged by no rule.
            (None, None) => step.kind = "other".into(),
        }
        if let Some(run) = yaml::get(node, "run") {
            self.expressions(run, "run", None, job, index);
            self.script_secrets(run, job, index);
        }
        // Scripts and conditions are free text: credentials in them never reach the facts.
        step.run = step.run.map(|r| secrets::redact(&r).into_owned());
        step.condition = step.condition.map(|c| secrets::redact(&c).into_owned());
        let action = step.action.clone();
        if let Some(with) = yaml::get(node, "with") {
            step.with = self.env_map(with, "with", "with", Some(job), Some(index), &mut step.locs);
            for (k, v) in yaml::entries(with) {
                if let Some(key) = yaml::scalar_str(k) {
                    self.expressions(v, &format!("with.{key}"), action.clone(), job, index);
                }
            }
        }
        if let Some(env) = yaml::get(node, "env") {
            step.env = self.env_map(env, "env", "step", Some(job), Some(index), &mut step.locs);
            for (k, v) in yaml::entries(env) {
                if let Some(key) = yaml::scalar_str(k) {
                    self.expressions(v, &format!("env.{key}"), action.clone(), job, index);
                }
            }
        }
        Ok(step)
    }

    /// Records credentials written in a script (token shapes, `PASSWORD=...`) as entries, so
    /// that CC6-010 reports them at their exact position; their values are never stored.
    fn script_secrets(&mut self, node: &Node<'_>, job: usize, step: usize) {
        if yaml::scalar_str(node).is_none() {
            return;
        }
        let base = self.loc(node).offset;
        let raw = self.src.node_text(node);
        for (kind, range) in secrets::find_in_text(raw) {
            self.wf.entries.push(EnvEntry {
                name: "run".into(),
                value: secrets::REDACTED.into(),
                level: "run".into(),
                literal: true,
                secret_like: true,
                secret_kind: Some(kind.into()),
                job: Some(job),
                step: Some(step),
                used_by: Vec::new(),
                loc: self
                    .src
                    .range_location(base + range.start, base + range.end),
            });
        }
    }

    /// The comment on the same line after a node (`uses: a/b@<sha> # v4`).
    fn trailing_comment(&self, node: &Node<'_>) -> Option<String> {
        let loc = self.loc(node);
        let rest = self.src.text.get(loc.offset + loc.length..)?;
        let line = rest.split('\n').next()?;
        let comment = line.trim_start().strip_prefix('#')?;
        Some(comment.trim().to_string()).filter(|c| !c.is_empty())
    }

    /// Reads an `env:`/`with:`/`credentials:` mapping: records each literal entry (redacting
    /// credential-like values) and the value locations under `prefix.<key>`.
    fn env_map(
        &mut self,
        node: &Node<'_>,
        prefix: &str,
        level: &str,
        job: Option<usize>,
        step: Option<usize>,
        locs: &mut Locs,
    ) -> BTreeMap<String, String> {
        let mut map = BTreeMap::new();
        for (k, v) in yaml::entries(node) {
            let Some(name) = yaml::scalar_str(k) else {
                continue;
            };
            let loc = self.loc(v);
            locs.insert(format!("{prefix}.{name}"), loc.clone());
            let Some(value) = yaml::scalar_str(v) else {
                continue;
            };
            let always = level == "credentials" && name.eq_ignore_ascii_case("password");
            let secret_kind = secrets::classify(&name, &value, always);
            let stored = if secret_kind.is_some() {
                secrets::REDACTED.to_string()
            } else {
                value.to_string()
            };
            self.wf.entries.push(EnvEntry {
                name: name.to_string(),
                value: stored.clone(),
                level: level.to_string(),
                literal: !value.contains("${{"),
                secret_like: secret_kind.is_some(),
                secret_kind: secret_kind.map(Into::into),
                job,
                step,
                used_by: Vec::new(),
                loc,
            });
            map.insert(name.into_owned(), stored);
        }
        map
    }

    /// Records every `${{ }}` written in a scalar node, with its exact location.
    fn expressions(
        &mut self,
        node: &Node<'_>,
        field: &str,
        action: Option<String>,
        job: usize,
        step: usize,
    ) {
        if yaml::scalar_str(node).is_none() {
            return;
        }
        let loc = self.loc(node);
        let raw = self.src.node_text(node);
        let base = loc.offset;
        let mut from = 0;
        while let Some(start) = raw[from..].find("${{").map(|i| from + i) {
            let Some(end) = raw[start + 3..].find("}}").map(|i| start + 3 + i) else {
                break;
            };
            let inner = &raw[start + 3..end];
            let text = inner.split_whitespace().collect::<Vec<_>>().join(" ");
            let text = secrets::redact(&text).into_owned();
            self.wf.expressions.push(Expression {
                text,
                field: field.to_string(),
                action: action.clone(),
                job,
                step,
                loc: self.src.range_location(base + start, base + end + 2),
            });
            from = end + 2;
        }
    }
}

/// Event names from `on:`.
fn triggers(on: &Node<'_>) -> Vec<String> {
    if yaml::is_mapping(on) {
        yaml::entries(on)
            .into_iter()
            .filter_map(|(k, _)| yaml::scalar_str(k).map(Into::into))
            .collect()
    } else {
        string_list(on)
    }
}

/// A string or a list of strings.
fn string_list(node: &Node<'_>) -> Vec<String> {
    if yaml::is_sequence(node) {
        yaml::items(node)
            .iter()
            .filter_map(|n| yaml::scalar_str(n).map(Into::into))
            .collect()
    } else {
        yaml::scalar_str(node).map(Into::into).into_iter().collect()
    }
}

fn permissions(node: &Node<'_>) -> Permissions {
    if yaml::is_mapping(node) {
        let scopes: BTreeMap<String, String> = yaml::entries(node)
            .into_iter()
            .filter_map(|(k, v)| {
                Some((
                    yaml::scalar_str(k)?.into_owned(),
                    yaml::scalar_str(v)?.into_owned(),
                ))
            })
            .collect();
        let writes = scopes
            .iter()
            .filter(|(_, level)| level.as_str() == "write")
            .map(|(s, _)| s.clone())
            .collect();
        return Permissions {
            kind: "map".into(),
            scopes,
            writes,
        };
    }
    let text = yaml::scalar_str(node)
        .map(|s| s.into_owned())
        .unwrap_or_default();
    let kind = match text.as_str() {
        "read-all" | "write-all" => text.clone(),
        "" => "none".into(),
        t if t.contains("${{") => "expression".into(),
        _ => "unknown".into(),
    };
    Permissions {
        kind,
        scopes: BTreeMap::new(),
        writes: if text == "write-all" {
            vec!["*".into()]
        } else {
            Vec::new()
        },
    }
}

/// Splits `owner/repo[/path]@ref` into (owner, `owner/repo`, ref), lower-casing names.
fn split_action(uses: &str) -> (Option<String>, Option<String>, Option<String>) {
    let (path, git_ref) = match uses.split_once('@') {
        Some((p, r)) => (p, Some(r.to_string())),
        None => (uses, None),
    };
    let mut parts = path.split('/');
    let owner = parts
        .next()
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase);
    let repo = parts.next().filter(|s| !s.is_empty());
    let action = owner
        .as_ref()
        .zip(repo)
        .map(|(o, r)| format!("{o}/{}", r.to_ascii_lowercase()));
    (owner, action, git_ref)
}

/// Parses a container image reference.
pub(crate) fn image_ref(
    kind: &str,
    reference: &str,
    loc: Location,
    job: usize,
    step: Option<usize>,
) -> Image {
    let reference = reference.trim();
    let dynamic = reference.contains("${{");
    let (rest, digest) = match reference.split_once('@') {
        Some((r, d)) => (r, Some(d.to_string())),
        None => (reference, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (
            rest[..last_slash + i].to_string(),
            Some(rest[last_slash + i + 1..].to_string()),
        ),
        None => (rest.to_string(), None),
    };
    Image {
        kind: kind.to_string(),
        reference: reference.to_string(),
        name,
        tag,
        digest,
        dynamic,
        service: None,
        job,
        step,
        used_by: Vec::new(),
        loc,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_refs_are_split() {
        let (o, a, r) = split_action("Actions/Checkout/sub@v4");
        assert_eq!(o.as_deref(), Some("actions"));
        assert_eq!(a.as_deref(), Some("actions/checkout"));
        assert_eq!(r.as_deref(), Some("v4"));
    }

    #[test]
    fn image_refs_are_split() {
        let i = image_ref(
            "container",
            "ghcr.io:443/o/i:1.2@sha256:ab",
            Location::default(),
            0,
            None,
        );
        assert_eq!(i.name, "ghcr.io:443/o/i");
        assert_eq!(i.tag.as_deref(), Some("1.2"));
        assert_eq!(i.digest.as_deref(), Some("sha256:ab"));
        let i = image_ref(
            "container",
            "localhost:5000/app",
            Location::default(),
            0,
            None,
        );
        assert_eq!(i.tag, None);
    }

    #[test]
    fn expressions_are_located_exactly() {
        let text = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n          echo hi\n          echo \"${{ github.event.issue.title }}\"\n";
        let wf = parse("w.yml", text, FileKind::Workflow).expect("valid");
        let e = &wf.expressions[0];
        assert_eq!(e.text, "github.event.issue.title");
        assert_eq!((e.loc.line, e.loc.column), (8, 17));
        assert_eq!(
            &text[e.loc.offset..e.loc.offset + e.loc.length],
            "${{ github.event.issue.title }}"
        );
    }

    #[test]
    fn invalid_shapes_are_diagnosed_with_locations() {
        let err = parse("w.yml", "- a\n- b\n", FileKind::Workflow).expect_err("list");
        assert!(err.message.contains("mapping"), "{}", err.message);
        let err = parse(
            "w.yml",
            "on: push\njobs:\n  a:\n    steps:\n      - run: x\n      - oops\n",
            FileKind::Workflow,
        )
        .expect_err("a step that is not a mapping");
        assert_eq!(err.loc.line, 6);
    }
}
