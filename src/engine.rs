//! The engine: (rules, facts, policy) → evaluations. Pure and parallel.
//!
//! For each repository it converts every fact to a CEL value once, then walks the subjects of
//! each scope (the repository; GitHub Actions workflows, jobs, steps, env entries, images,
//! expressions, `uses:`; GitLab CI pipelines, jobs, variables, images, script lines,
//! includes) and evaluates each rule of that scope against them. A rule with several scopes
//! runs in each; every pipeline scope binds `platform`. A subject's variables are bound by
//! reference, so the work per (rule × subject) is the condition itself.
//!
//! Outcomes follow the contract: `when` false → not applicable; then `unknown_if` true →
//! unknown with the rule's `unknown_reason`; then `assert` true → pass, false → fail; an
//! evaluation error → unknown with the message. A pipeline file that could not be parsed or
//! resolved makes every rule of that platform `unknown` for that file, and turns a repository-level failure into
//! `unknown` (the missing evidence may be in that file) — never a pass.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Policy;
use crate::expr::{Bindings, Lazy, Value};
use crate::facts::gitlab::Pipeline;
use crate::facts::{FileKind, Location, Locs, Repository, Workflow};
use crate::rules::{Rule, RuleSet, Scope, Severity};

/// The outcome of one (rule × subject) evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The control holds.
    Pass,
    /// The control does not hold.
    Fail,
    /// Evidence could not be collected or evaluated; `reason` says why.
    Unknown,
    /// The rule does not apply to the subject.
    NotApplicable,
    /// A documented exception covers a failure.
    Excepted,
}

impl Outcome {
    /// All outcomes, in report order.
    pub const ALL: [Outcome; 5] = [
        Outcome::Fail,
        Outcome::Unknown,
        Outcome::Excepted,
        Outcome::Pass,
        Outcome::NotApplicable,
    ];

    /// The snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Unknown => "unknown",
            Outcome::NotApplicable => "not_applicable",
            Outcome::Excepted => "excepted",
        }
    }
}

/// One (rule × subject) evaluation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evaluation {
    /// The rule's id.
    pub rule: String,
    /// Severity in force for this run.
    pub severity: Severity,
    /// The outcome.
    pub outcome: Outcome,
    /// The repository or other target (`local:.`).
    pub target: String,
    /// What was evaluated, stable across edits (`.github/workflows/ci.yml#jobs.build.steps[checkout]`).
    pub resource: String,
    /// What was evaluated, for people (`ci.yml › build › actions/checkout@v4`).
    pub subject: String,
    /// For failures: the rendered message. For unknown: the reason.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub message: String,
    /// Where the finding points, when it comes from a file.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub location: Option<Location>,
    /// Stable identity of the finding: rule, target and resource, independent of lines.
    pub fingerprint: String,
    /// Whether the location holds a credential, so that no reporter prints its text.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub sensitive: bool,
    /// What the declared policy requires, when the rule states it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expected: Option<String>,
    /// What the configuration actually is, when the rule states it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub actual: Option<String>,
    /// For `excepted` outcomes (and expired exceptions): the exception or suppression.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub waiver: Option<Box<Waiver>>,
}

/// Why a failing evaluation does not count: a documented exception from soc2.toml or an
/// inline suppression comment in a pipeline file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Waiver {
    /// `exception` or `suppression`.
    pub kind: String,
    /// The justification.
    pub reason: String,
    /// Who approved it (exceptions).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub approved_by: Option<String>,
    /// Last day it applies, `YYYY-MM-DD` (exceptions).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expires: Option<String>,
    /// Whether it has expired (an expired exception no longer applies).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub expired: bool,
    /// Where it is written (soc2.toml entry or the suppression comment).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<Location>,
}

/// A problem in the run's own inputs that does not stop it, such as an unused suppression.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Warning {
    /// The target it concerns.
    pub target: String,
    /// Where it is.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub location: Option<Location>,
    /// What is wrong.
    pub message: String,
}

/// Evaluates `rules` against every repository in `repos`.
pub fn evaluate(rules: &RuleSet, repos: &[Repository], policy: &Policy) -> Vec<Evaluation> {
    let policy = Value::of(policy);
    let mut by_scope: HashMap<Scope, Vec<&Rule>> = HashMap::new();
    for rule in &rules.rules {
        for scope in &rule.scopes {
            by_scope.entry(*scope).or_default().push(rule);
        }
    }
    let mut out: Vec<Evaluation> = repos
        .par_iter()
        .flat_map(|repo| evaluate_repo(&by_scope, repo, &policy))
        .collect();
    sort(&mut out);
    out
}

/// Sorts evaluations into report order: rule, target, file position, resource.
pub fn sort(evals: &mut [Evaluation]) {
    evals.sort_by(|a, b| {
        (&a.rule, &a.target, location_key(a), &a.resource).cmp(&(
            &b.rule,
            &b.target,
            location_key(b),
            &b.resource,
        ))
    });
}

fn location_key(e: &Evaluation) -> (&str, u32, u32) {
    e.location
        .as_ref()
        .map_or(("", 0, 0), |l| (&*l.path, l.line, l.column))
}

/// What a subject contributes to an evaluation besides its bindings.
struct Subject<'a> {
    resource: String,
    display: String,
    loc: Option<&'a Location>,
    locs: Option<&'a Locs>,
    sensitive: bool,
}

/// Per-rule tally of applicable subjects, to report rules that applied to nothing.
type Applicable = BTreeMap<String, bool>;

fn evaluate_repo(
    by_scope: &HashMap<Scope, Vec<&Rule>>,
    repo: &Repository,
    policy: &Value,
) -> Vec<Evaluation> {
    let repo_value = Value::of(repo);
    let github = Value::from_json(&serde_json::Value::from("github-actions"));
    let gitlab = Value::from_json(&serde_json::Value::from("gitlab-ci"));
    let mut workflow_results: Vec<(Vec<Evaluation>, Applicable)> = repo
        .workflows
        .par_iter()
        .map(|wf| evaluate_workflow(by_scope, repo, wf, &repo_value, policy, &github))
        .collect();
    workflow_results.extend(
        repo.pipelines
            .par_iter()
            .map(|p| evaluate_pipeline(by_scope, repo, p, &repo_value, policy, &gitlab))
            .collect::<Vec<_>>(),
    );

    let mut out = Vec::new();
    let mut applicable = Applicable::new();
    for (evals, app) in workflow_results {
        out.extend(evals);
        for (rule, any) in app {
            *applicable.entry(rule).or_default() |= any;
        }
    }

    // Files that could not be parsed leave every pipeline rule without evidence for them.
    let broken: Vec<_> = repo
        .diagnostics
        .iter()
        .filter(|d| {
            matches!(
                d.kind,
                FileKind::Workflow | FileKind::Action | FileKind::GitlabCi
            )
        })
        .collect();
    for d in &broken {
        let gitlab = d.kind == FileKind::GitlabCi;
        let mut concerned: Vec<&Rule> = by_scope
            .iter()
            .filter(|(s, _)| {
                if gitlab {
                    s.is_gitlab_ci()
                } else {
                    s.is_github_actions()
                }
            })
            .flat_map(|(_, r)| r.iter().copied())
            .collect();
        concerned.sort_by(|a, b| a.id.cmp(&b.id));
        concerned.dedup_by(|a, b| a.id == b.id);
        for rule in concerned {
            applicable.insert(rule.id.clone(), true);
            // Several problems can concern one file (a missing local action next to a parse
            // error elsewhere): the message is part of the resource, so each stays distinct.
            let resource = format!("{}#unreadable:{}", d.loc.path, d.message);
            out.push(Evaluation {
                rule: rule.id.clone(),
                severity: rule.severity,
                outcome: Outcome::Unknown,
                target: repo.id.clone(),
                fingerprint: fingerprint(&rule.id, &repo.id, &resource),
                resource,
                subject: d.loc.path.to_string(),
                message: format!("evidence from `{}` is missing: {}", d.loc.path, d.message),
                location: Some(d.loc.clone()),
                sensitive: false,
                expected: None,
                actual: None,
                waiver: None,
            });
        }
    }

    // Repository-level rules.
    let bindings = Bindings::new()
        .bind("repo", &repo_value)
        .bind("policy", policy);
    let anchor = repo_anchor(repo);
    let subject = Subject {
        resource: repo.id.clone(),
        display: repo.root.clone(),
        loc: Some(&anchor),
        locs: None,
        sensitive: false,
    };
    let repo_locs = repo_locs(repo);
    for rule in by_scope.get(&Scope::Repo).into_iter().flatten() {
        // A settings rule names the resource it judges (`github://acme/api/branches/main/protection`).
        let logical = rule
            .at
            .iter()
            .find_map(|f| settings_anchors(repo).find_map(|a| a.get(f)))
            .map(|a| a.logical.clone());
        let subject = Subject {
            locs: Some(&repo_locs),
            resource: logical.unwrap_or_else(|| subject.resource.clone()),
            ..subject.clone_ref()
        };
        if let Some(mut e) = evaluate_rule(rule, &bindings, &subject, &repo.id) {
            if e.outcome == Outcome::Fail && !repo.diagnostics.is_empty() {
                let files: Vec<_> = repo.diagnostics.iter().map(|d| &*d.loc.path).collect();
                e.outcome = Outcome::Unknown;
                e.message = format!(
                    "{} — but {} file(s) could not be parsed ({}), and the evidence may be there",
                    e.message,
                    files.len(),
                    files.join(", ")
                );
            }
            applicable.insert(rule.id.clone(), true);
            out.push(e);
        } else {
            applicable.entry(rule.id.clone()).or_insert(false);
        }
    }

    // A rule that applied to nothing in this repository is reported once as not applicable.
    let mut reported = std::collections::HashSet::new();
    for rules in by_scope.values() {
        for rule in rules {
            if !applicable.get(&rule.id).copied().unwrap_or(false)
                && reported.insert(rule.id.as_str())
            {
                out.push(Evaluation {
                    rule: rule.id.clone(),
                    severity: rule.severity,
                    outcome: Outcome::NotApplicable,
                    target: repo.id.clone(),
                    resource: repo.id.clone(),
                    subject: repo.root.clone(),
                    message: if repo.github.is_none() && repo.gitlab.is_none() && needs_api(rule) {
                        "needs repository settings from GitHub's or GitLab's API (audit with --github OWNER/REPO or --gitlab GROUP/PROJECT)"
                            .to_string()
                    } else {
                        format!(
                            "no {} in this repository matched the rule's conditions",
                            rule.scopes
                                .iter()
                                .map(|s| scope_noun(*s))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        )
                    },
                    location: None,
                    fingerprint: fingerprint(&rule.id, &repo.id, &repo.id),
                    sensitive: false,
                    expected: None,
                    actual: None,
                    waiver: None,
                });
            }
        }
    }
    out
}

impl<'a> Subject<'a> {
    fn clone_ref(&self) -> Subject<'a> {
        Subject {
            resource: self.resource.clone(),
            display: self.display.clone(),
            loc: self.loc,
            locs: self.locs,
            sensitive: self.sensitive,
        }
    }
}

/// Whether a rule applies only to repositories read through GitHub's or GitLab's API.
fn needs_api(rule: &Rule) -> bool {
    rule.when.as_ref().is_some_and(|w| {
        let s = w.source();
        s.contains("has(repo.github)") || s.contains("has(repo.gitlab)")
    })
}

fn scope_noun(scope: Scope) -> &'static str {
    match scope {
        Scope::Repo => "repository",
        Scope::GhaWorkflow => "workflow",
        Scope::GhaJob => "job",
        Scope::GhaStep => "step",
        Scope::GhaEnv => "env/with value",
        Scope::GhaImage => "container image",
        Scope::GhaExpression => "expression",
        Scope::GhaUses => "action or reusable-workflow reference",
        Scope::GitlabPipeline => "GitLab CI pipeline",
        Scope::GitlabJob => "GitLab CI job",
        Scope::GitlabVariable => "GitLab CI variable",
        Scope::GitlabImage => "GitLab CI image",
        Scope::GitlabScript => "GitLab CI script line",
        Scope::GitlabInclude => "GitLab CI include",
    }
}

/// Where repository-level findings point: the first workflow, else the first policy file.
fn repo_anchor(repo: &Repository) -> Location {
    repo.workflows
        .iter()
        .find(|w| w.kind == "workflow")
        .map(|w| w.loc.clone())
        .or_else(|| repo.pipelines.first().map(|p| p.loc.clone()))
        .or_else(|| repo.dependabot.as_ref().map(|d| d.loc.clone()))
        .or_else(|| repo.codeowners.as_ref().map(|c| c.loc.clone()))
        .unwrap_or_else(|| Location::file("soc2.toml"))
}

/// The anchors of the settings read from GitHub's and GitLab's APIs.
fn settings_anchors(
    repo: &Repository,
) -> impl Iterator<Item = &std::collections::BTreeMap<String, crate::facts::github::Anchor>> {
    let github = repo.github.as_ref().map(|g| &g.anchors);
    let gitlab = repo.gitlab.as_ref().map(|g| &g.anchors);
    github.into_iter().chain(gitlab)
}

fn repo_locs(repo: &Repository) -> Locs {
    let mut locs = Locs::new();
    if let Some(d) = &repo.dependabot {
        locs.insert("dependabot".into(), d.loc.clone());
    }
    if let Some(c) = &repo.codeowners {
        locs.insert("codeowners".into(), c.loc.clone());
    }
    if let Some(r) = &repo.renovate {
        locs.insert("renovate".into(), r.loc.clone());
    }
    if let Some(s) = &repo.security_policy {
        locs.insert("security_policy".into(), s.loc.clone());
    }
    for anchors in settings_anchors(repo) {
        for (key, a) in anchors {
            let mut loc = Location::file(a.path.as_str());
            loc.line = a.line;
            loc.end_line = a.line;
            loc.column = a.column;
            loc.end_column = a.column;
            locs.insert(key.clone(), loc);
        }
    }
    locs
}

fn evaluate_workflow(
    by_scope: &HashMap<Scope, Vec<&Rule>>,
    repo: &Repository,
    wf: &Workflow,
    repo_value: &Value,
    policy: &Value,
    platform: &Value,
) -> (Vec<Evaluation>, Applicable) {
    let mut out = Vec::new();
    let mut applicable = Applicable::new();
    let rules = |s: Scope| by_scope.get(&s).map_or(&[][..], Vec::as_slice);
    let mut run = |rules: &[&Rule], bindings: &Bindings<'_>, subject: &Subject<'_>| {
        for rule in rules {
            let e = evaluate_rule(rule, bindings, subject, &repo.id);
            let entry = applicable.entry(rule.id.clone()).or_default();
            if let Some(e) = e {
                *entry = true;
                out.push(e);
            }
        }
    };

    let wf_value = Value::of(wf);
    let base = Bindings::new()
        .bind("workflow", &wf_value)
        .bind("repo", repo_value)
        .bind("policy", policy)
        .bind("platform", platform);
    run(
        rules(Scope::GhaWorkflow),
        &base,
        &Subject {
            resource: wf.path.clone(),
            display: wf.path.clone(),
            loc: Some(&wf.loc),
            locs: Some(&wf.locs),
            sensitive: false,
        },
    );

    let null = Value::null();
    let job_values: Vec<Value> = wf.jobs.iter().map(Value::of).collect();
    let step_values: Vec<Vec<Value>> = wf
        .jobs
        .iter()
        .map(|j| j.steps.iter().map(Value::of).collect())
        .collect();
    let step_keys: Vec<Vec<String>> = wf.jobs.iter().map(|j| step_keys(&j.steps)).collect();

    for (ji, job) in wf.jobs.iter().enumerate() {
        let job_res = format!("{}#jobs.{}", wf.path, job.id);
        let b = Bindings::new()
            .bind("job", &job_values[ji])
            .bind("workflow", &wf_value)
            .bind("repo", repo_value)
            .bind("policy", policy)
            .bind("platform", platform);
        run(
            rules(Scope::GhaJob),
            &b,
            &Subject {
                resource: job_res.clone(),
                display: format!("{} › {}", wf.path, job.id),
                loc: Some(&job.loc),
                locs: Some(&job.locs),
                sensitive: false,
            },
        );
        for (si, step) in job.steps.iter().enumerate() {
            let b = Bindings::new()
                .bind("step", &step_values[ji][si])
                .bind("job", &job_values[ji])
                .bind("workflow", &wf_value)
                .bind("repo", repo_value)
                .bind("policy", policy)
                .bind("platform", platform);
            run(
                rules(Scope::GhaStep),
                &b,
                &Subject {
                    resource: format!("{job_res}.steps[{}]", step_keys[ji][si]),
                    display: format!("{} › {} › {}", wf.path, job.id, step_label(step)),
                    loc: Some(&step.loc),
                    locs: Some(&step.locs),
                    sensitive: false,
                },
            );
        }
    }

    let context = |job: Option<usize>, step: Option<usize>| {
        let job_v = job.and_then(|j| job_values.get(j)).unwrap_or(&null);
        let step_v = job
            .zip(step)
            .and_then(|(j, s)| step_values.get(j).and_then(|v| v.get(s)))
            .unwrap_or(&null);
        let mut res = wf.path.clone();
        let mut display = wf.path.clone();
        if let Some(j) = job.and_then(|j| wf.jobs.get(j)) {
            res.push_str(&format!("#jobs.{}", j.id));
            display.push_str(&format!(" › {}", j.id));
            if let Some(s) = step.and_then(|s| j.steps.get(s)) {
                let key = job
                    .and_then(|j| step_keys.get(j))
                    .and_then(|k| k.get(s.index))
                    .cloned()
                    .unwrap_or_default();
                res.push_str(&format!(".steps[{key}]"));
                display.push_str(&format!(" › {}", step_label(s)));
            }
        }
        (job_v, step_v, res, display)
    };

    let mut seen: HashMap<String, usize> = HashMap::new();
    let env_rules = rules(Scope::GhaEnv);
    if !env_rules.is_empty() {
        for entry in &wf.entries {
            let value = Value::of(entry);
            let (job_v, step_v, res, display) = context(entry.job, entry.step);
            let b = item_bindings(
                "env", &value, step_v, job_v, &wf_value, repo_value, policy, platform,
            );
            run(
                env_rules,
                &b,
                &Subject {
                    resource: unique(&mut seen, format!("{res}/{}.{}", entry.level, entry.name)),
                    display: format!("{display} › {}.{}", entry.level, entry.name),
                    loc: Some(&entry.loc),
                    locs: None,
                    sensitive: entry.secret_like,
                },
            );
        }
    }
    let image_rules = rules(Scope::GhaImage);
    if !image_rules.is_empty() {
        for image in &wf.images {
            let value = Value::of(image);
            let (job_v, step_v, res, display) = context(Some(image.job), image.step);
            let b = item_bindings(
                "image", &value, step_v, job_v, &wf_value, repo_value, policy, platform,
            );
            let which = image.service.as_deref().unwrap_or(&image.kind);
            run(
                image_rules,
                &b,
                &Subject {
                    resource: format!("{res}/{which}:{}", image.name),
                    display: format!("{display} › {}", image.reference),
                    loc: Some(&image.loc),
                    locs: None,
                    sensitive: false,
                },
            );
        }
    }
    let uses_rules = rules(Scope::GhaUses);
    if !uses_rules.is_empty() {
        for reference in &wf.references {
            let value = Value::of(reference);
            let (job_v, step_v, res, display) = context(Some(reference.job), reference.step);
            let b = item_bindings(
                "uses", &value, step_v, job_v, &wf_value, repo_value, policy, platform,
            );
            let resource = match reference.kind.as_str() {
                // A step's resource already names what it uses.
                "action" => format!("{res}/uses"),
                _ => format!(
                    "{res}/uses:{}",
                    reference.text.split('@').next().unwrap_or("")
                ),
            };
            run(
                uses_rules,
                &b,
                &Subject {
                    resource,
                    display: format!("{display} › {}", reference.text),
                    loc: Some(&reference.loc),
                    locs: None,
                    sensitive: false,
                },
            );
        }
    }
    let expr_rules = rules(Scope::GhaExpression);
    if !expr_rules.is_empty() {
        for expr in &wf.expressions {
            let value = Value::of(expr);
            let (job_v, step_v, res, display) = context(Some(expr.job), Some(expr.step));
            let resource = unique(&mut seen, format!("{res}/{}/{}", expr.field, expr.text));
            let b = item_bindings(
                "expr", &value, step_v, job_v, &wf_value, repo_value, policy, platform,
            );
            run(
                expr_rules,
                &b,
                &Subject {
                    resource,
                    display: format!("{display} › ${{{{ {} }}}}", expr.text),
                    loc: Some(&expr.loc),
                    locs: None,
                    sensitive: false,
                },
            );
        }
    }
    (out, applicable)
}

/// Evaluates the GitLab CI scopes on one resolved pipeline.
fn evaluate_pipeline(
    by_scope: &HashMap<Scope, Vec<&Rule>>,
    repo: &Repository,
    p: &Pipeline,
    repo_value: &Value,
    policy: &Value,
    platform: &Value,
) -> (Vec<Evaluation>, Applicable) {
    let mut out = Vec::new();
    let mut applicable = Applicable::new();
    let rules = |s: Scope| by_scope.get(&s).map_or(&[][..], Vec::as_slice);
    // `note` names the jobs an item affects; it is added to failures and unknowns, since the
    // item is reported once where it is written.
    let mut run = |rules: &[&Rule], bindings: &Bindings<'_>, subject: &Subject<'_>, note: &str| {
        for rule in rules {
            let e = evaluate_rule(rule, bindings, subject, &repo.id);
            let entry = applicable.entry(rule.id.clone()).or_default();
            if let Some(mut e) = e {
                *entry = true;
                if !note.is_empty() && matches!(e.outcome, Outcome::Fail | Outcome::Unknown) {
                    e.message = format!("{} — affects {note}", e.message.trim_end());
                }
                out.push(e);
            }
        }
    };
    let null = Value::null();
    let p_value = Value::of(p);
    let shared = [&p_value, repo_value, policy, platform];

    run(
        rules(Scope::GitlabPipeline),
        &gitlab_bindings("pipeline", &p_value, &null, shared),
        &Subject {
            resource: p.path.clone(),
            display: p.path.clone(),
            loc: Some(&p.loc),
            locs: Some(&p.locs),
            sensitive: false,
        },
        "",
    );
    let job_values: Vec<Value> = p.jobs.iter().map(Value::of).collect();
    for (job, value) in p.jobs.iter().zip(&job_values) {
        run(
            rules(Scope::GitlabJob),
            &gitlab_bindings("job", value, value, shared),
            &Subject {
                resource: format!("{}#jobs.{}", p.path, job.id),
                display: format!("{} › {}", p.path, job.id),
                loc: Some(&job.loc),
                locs: Some(&job.locs),
                sensitive: false,
            },
            "",
        );
    }
    let job_of = |i: Option<usize>| i.and_then(|i| job_values.get(i)).unwrap_or(&null);
    let affected = |used_by: &[String]| match used_by {
        [] => String::new(),
        [one] => format!("job `{one}`"),
        [first, rest @ ..] => format!("job `{first}` and {} more", rest.len()),
    };
    // Items listed once where written: variables (and credentials in scripts), images,
    // script lines and includes.
    let mut items: Vec<GitlabItem<'_>> = Vec::new();
    if !rules(Scope::GitlabVariable).is_empty() {
        items.extend(p.entries.iter().map(|entry| GitlabItem {
            scope: Scope::GitlabVariable,
            var: "env",
            value: Value::of(entry),
            job: entry.job,
            resource: format!("{}#{}.{}", entry.loc.path, entry.level, entry.name),
            display: format!(
                "{} › {} `{}`",
                p.path,
                if entry.level == "script" {
                    "script of"
                } else {
                    "variable"
                },
                entry.name
            ),
            loc: &entry.loc,
            sensitive: entry.secret_like,
            note: affected(&entry.used_by),
        }));
    }
    if !rules(Scope::GitlabImage).is_empty() {
        items.extend(p.images.iter().map(|image| GitlabItem {
            scope: Scope::GitlabImage,
            var: "image",
            value: Value::of(image),
            job: Some(image.job),
            resource: format!("{}#{}:{}", image.loc.path, image.kind, image.name),
            display: format!("{} › {}", p.path, image.reference),
            loc: &image.loc,
            sensitive: false,
            note: affected(&image.used_by),
        }));
    }
    if !rules(Scope::GitlabScript).is_empty() {
        items.extend(p.scripts.iter().map(|script| GitlabItem {
            scope: Scope::GitlabScript,
            var: "script",
            value: Value::of(script),
            job: Some(script.job),
            resource: format!("{}#{}:{}", script.loc.path, script.field, script.text),
            display: format!(
                "{} › {}: {}",
                p.path,
                script.field,
                truncate(script.text.lines().next().unwrap_or(""), 60)
            ),
            loc: &script.loc,
            sensitive: false,
            note: affected(&script.used_by),
        }));
    }
    if !rules(Scope::GitlabInclude).is_empty() {
        items.extend(p.includes.iter().map(|include| {
            GitlabItem {
                scope: Scope::GitlabInclude,
                var: "include",
                value: Value::of(include),
                job: None,
                resource: format!(
                    "{}#include:{}:{}",
                    include.from, include.kind, include.target
                ),
                display: format!(
                    "{} › include {} `{}`",
                    include.from, include.kind, include.target
                ),
                loc: &include.loc,
                sensitive: false,
                note: include
                    .job
                    .as_ref()
                    .map(|j| format!("the child pipeline of job `{j}`"))
                    .unwrap_or_default(),
            }
        }));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for item in items {
        run(
            rules(item.scope),
            &gitlab_bindings(item.var, &item.value, job_of(item.job), shared),
            &Subject {
                resource: unique(&mut seen, item.resource),
                display: item.display,
                loc: Some(item.loc),
                locs: None,
                sensitive: item.sensitive,
            },
            &item.note,
        );
    }
    (out, applicable)
}

/// A GitLab CI item evaluated in its own scope (a variable, image, script line or include).
struct GitlabItem<'a> {
    scope: Scope,
    var: &'static str,
    value: Value,
    job: Option<usize>,
    resource: String,
    display: String,
    loc: &'a Location,
    sensitive: bool,
    note: String,
}

/// The bindings of a GitLab CI subject: its own variable, its job, then `pipeline`, `repo`,
/// `policy` and `platform`.
fn gitlab_bindings<'a>(
    var: &'static str,
    value: &'a Value,
    job: &'a Value,
    [pipeline, repo, policy, platform]: [&'a Value; 4],
) -> Bindings<'a> {
    let b = Bindings::new().bind(var, value);
    let b = if var == "job" { b } else { b.bind("job", job) };
    let b = if var == "pipeline" {
        b
    } else {
        b.bind("pipeline", pipeline)
    };
    b.bind("repo", repo)
        .bind("policy", policy)
        .bind("platform", platform)
}

/// The first `max` characters of `s`, with `…` when cut.
fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The bindings of an item inside a workflow (an env entry, image, reference, expression).
#[allow(clippy::too_many_arguments)]
fn item_bindings<'a>(
    var: &'static str,
    value: &'a Value,
    step: &'a Value,
    job: &'a Value,
    workflow: &'a Value,
    repo: &'a Value,
    policy: &'a Value,
    platform: &'a Value,
) -> Bindings<'a> {
    Bindings::new()
        .bind(var, value)
        .bind("step", step)
        .bind("job", job)
        .bind("workflow", workflow)
        .bind("repo", repo)
        .bind("policy", policy)
        .bind("platform", platform)
}

/// Makes a resource unique within a workflow by numbering repeats (`#2`, `#3`, ...).
fn unique(seen: &mut HashMap<String, usize>, resource: String) -> String {
    let n = seen.entry(resource.clone()).or_default();
    *n += 1;
    if *n > 1 {
        format!("{resource}#{n}")
    } else {
        resource
    }
}

/// Keys for steps that survive inserting or reordering steps: the `id`, else the name, else
/// what it uses, else its position; repeated keys get a `#n` suffix.
fn step_keys(steps: &[crate::facts::Step]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    steps
        .iter()
        .map(|s| {
            let base =
                s.id.clone()
                    .or_else(|| s.name.clone())
                    // Without the ref, so that a version bump keeps the finding's identity.
                    .or_else(|| {
                        s.uses
                            .as_deref()
                            .map(|u| u.split('@').next().unwrap_or(u).to_string())
                    })
                    .unwrap_or_else(|| format!("{}", s.index));
            let n = seen.entry(base.clone()).or_default();
            *n += 1;
            if *n > 1 { format!("{base}#{n}") } else { base }
        })
        .collect()
}

fn step_label(step: &crate::facts::Step) -> String {
    step.uses
        .clone()
        .or_else(|| step.name.clone())
        .unwrap_or_else(|| format!("steps[{}]", step.index))
}

/// Evaluates one rule on one subject; `None` means not applicable.
fn evaluate_rule(
    rule: &Rule,
    bindings: &Bindings<'_>,
    subject: &Subject<'_>,
    target: &str,
) -> Option<Evaluation> {
    let make = |outcome: Outcome, message: String| Evaluation {
        rule: rule.id.clone(),
        severity: rule.severity,
        outcome,
        target: target.to_string(),
        resource: subject.resource.clone(),
        subject: subject.display.clone(),
        message,
        location: locate(rule, subject),
        fingerprint: fingerprint(&rule.id, target, &subject.resource),
        sensitive: subject.sensitive,
        expected: None,
        actual: None,
        waiver: None,
    };
    // `let` values, computed from the subject's variables when first read.
    let lets: Vec<Lazy<'_>> = rule
        .lets
        .iter()
        .map(|(name, expr)| Lazy::new(name, expr))
        .collect();
    let extended;
    let bindings = if lets.is_empty() {
        bindings
    } else {
        extended = bindings.with_lets(&lets);
        &extended
    };
    if let Some(when) = &rule.when {
        match when.eval_bool(bindings) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                return Some(make(
                    Outcome::Unknown,
                    format!("could not evaluate the rule's `when` condition: {e}"),
                ));
            }
        }
    }
    if let Some(unknown) = &rule.unknown_if {
        match unknown.condition.eval_bool(bindings) {
            Ok(false) => {}
            Ok(true) => return Some(make(Outcome::Unknown, unknown.reason.render(bindings))),
            Err(e) => {
                return Some(make(
                    Outcome::Unknown,
                    format!("could not evaluate the rule's `unknown_if` condition: {e}"),
                ));
            }
        }
    }
    Some(match rule.assert.eval_bool(bindings) {
        Ok(true) => {
            let mut e = make(Outcome::Pass, String::new());
            e.actual = rule.pass_actual.as_ref().map(|t| t.render(bindings));
            e
        }
        Ok(false) => {
            let mut e = make(Outcome::Fail, rule.message.render(bindings));
            e.expected = rule.expected.as_ref().map(|t| t.render(bindings));
            e.actual = rule.actual.as_ref().map(|t| t.render(bindings));
            e
        }
        Err(e) => make(
            Outcome::Unknown,
            format!("could not evaluate the rule's `assert` condition: {e}"),
        ),
    })
}

fn locate(rule: &Rule, subject: &Subject<'_>) -> Option<Location> {
    if let Some(locs) = subject.locs {
        for field in &rule.at {
            if let Some(loc) = locs.get(field) {
                return Some(loc.clone());
            }
        }
    }
    subject.loc.cloned()
}

/// A stable fingerprint: the first 16 bytes of SHA-256 over rule, target and resource, in hex.
pub fn fingerprint(rule: &str, target: &str, resource: &str) -> String {
    let mut h = Sha256::new();
    h.update(rule.as_bytes());
    h.update([0]);
    h.update(target.as_bytes());
    h.update([0]);
    h.update(resource.as_bytes());
    crate::rules::hex(&h.finalize()[..16])
}

/// Counts of each outcome.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    /// Passing evaluations.
    pub pass: usize,
    /// Failing evaluations.
    pub fail: usize,
    /// Evaluations without evidence.
    pub unknown: usize,
    /// Not applicable.
    pub not_applicable: usize,
    /// Covered by an exception.
    pub excepted: usize,
}

impl Summary {
    /// Tallies evaluations.
    pub fn of<'a>(evals: impl IntoIterator<Item = &'a Evaluation>) -> Self {
        let mut s = Self::default();
        for e in evals {
            match e.outcome {
                Outcome::Pass => s.pass += 1,
                Outcome::Fail => s.fail += 1,
                Outcome::Unknown => s.unknown += 1,
                Outcome::NotApplicable => s.not_applicable += 1,
                Outcome::Excepted => s.excepted += 1,
            }
        }
        s
    }

    /// The count for one outcome.
    pub fn get(&self, o: Outcome) -> usize {
        match o {
            Outcome::Pass => self.pass,
            Outcome::Fail => self.fail,
            Outcome::Unknown => self.unknown,
            Outcome::NotApplicable => self.not_applicable,
            Outcome::Excepted => self.excepted,
        }
    }
}
