//! The auditor's view of a run, shared by the Markdown and HTML reports.
//!
//! It groups the evaluations by SOC 2 criterion area (CC6 … CC9), then by criterion point
//! (CC6.1), then by control (one rule, under its primary criterion), and collects what an
//! auditor reads besides: the exceptions with reason, approver and expiry, the unknowns with
//! their reasons, and counts per criterion. It decides nothing about presentation; every
//! free text it carries has been passed through [`crate::secrets::redact`].

use std::collections::BTreeMap;

use super::{ReportInput, criterion_title, sarif::artifact_uri};
use crate::engine::{Evaluation, Outcome, Summary};
use crate::secrets;

/// The whole report.
#[derive(Debug)]
pub struct AuditView {
    /// Tool name and version.
    pub tool: String,
    /// Digest of the rule set that ran.
    pub rule_set_digest: String,
    /// The distinct targets evaluated, sorted.
    pub targets: Vec<String>,
    /// Counts over every evaluation.
    pub totals: Summary,
    /// Whether the run passes under its `--fail-on` / `--strict` settings.
    pub passed: bool,
    /// `--fail-on`.
    pub fail_on: &'static str,
    /// Criterion areas in order (CC6, CC7, ...).
    pub areas: Vec<Area>,
    /// Every evaluation that carries a waiver (in force or expired).
    pub exceptions: Vec<ExceptionRow>,
    /// Unknown evaluations grouped by reason.
    pub unknowns: Vec<UnknownGroup>,
    /// Problems in the run's own inputs.
    pub warnings: Vec<String>,
}

/// A criterion area such as CC8.
#[derive(Debug)]
pub struct Area {
    /// `CC8`.
    pub id: String,
    /// Its title.
    pub title: &'static str,
    /// Its points, in order.
    pub points: Vec<Point>,
    /// Counts over the area.
    pub summary: Summary,
}

/// A criterion point such as CC8.1.
#[derive(Debug)]
pub struct Point {
    /// `CC8.1`.
    pub id: String,
    /// Its title, or empty.
    pub title: &'static str,
    /// Controls whose primary criterion this is.
    pub controls: Vec<Control>,
    /// Controls filed under another point that also give evidence for this one: (id, title).
    pub related: Vec<(String, String)>,
    /// Counts over the controls of the point.
    pub summary: Summary,
}

/// One control: a rule and its evaluations.
#[derive(Debug)]
pub struct Control {
    /// Rule id (`CC8-003`), also the anchor.
    pub id: String,
    /// Rule name.
    pub name: String,
    /// Rule title: what the control requires.
    pub title: String,
    /// Severity in force.
    pub severity: String,
    /// Every criterion the rule gives evidence for.
    pub criteria: Vec<String>,
    /// The declared policy: what the rule's evaluations say is required, else the title.
    pub policy: Vec<String>,
    /// The control's outcome over all its evaluations (worst first: fail, unknown, excepted,
    /// pass, not applicable).
    pub outcome: Outcome,
    /// Counts.
    pub summary: Summary,
    /// Evaluations other than not-applicable, in report order.
    pub rows: Vec<Row>,
}

/// One evaluation, as an auditor reads it.
#[derive(Debug)]
pub struct Row {
    /// The target.
    pub target: String,
    /// What was evaluated.
    pub subject: String,
    /// The outcome.
    pub outcome: Outcome,
    /// The actual configuration, or the message (failure) / reason (unknown).
    pub actual: String,
    /// Where the evidence came from: `path:line` or an API URL / resource.
    pub source: String,
    /// Reason, approver and expiry of a waiver, if any.
    pub waiver: Option<String>,
}

/// An evaluation covered by an exception or suppression.
#[derive(Debug)]
pub struct ExceptionRow {
    /// Rule id.
    pub rule: String,
    /// Target.
    pub target: String,
    /// Subject.
    pub subject: String,
    /// `exception` or `suppression`.
    pub kind: String,
    /// Justification.
    pub reason: String,
    /// Approver, or `-`.
    pub approved_by: String,
    /// Expiry, or `-`.
    pub expires: String,
    /// Whether it has expired (the evaluation then fails).
    pub expired: bool,
    /// Where the exception is written.
    pub source: String,
}

/// Unknown evaluations that share a reason.
#[derive(Debug)]
pub struct UnknownGroup {
    /// Why evidence is missing, and what to grant or fix.
    pub reason: String,
    /// The rules affected.
    pub rules: Vec<String>,
    /// How many evaluations.
    pub count: usize,
}

/// Titles of the criterion areas.
fn area_title(id: &str) -> &'static str {
    match id {
        "CC6" => "Logical and physical access controls",
        "CC7" => "System operations",
        "CC8" => "Change management",
        "CC9" => "Risk mitigation",
        _ => "Other criteria",
    }
}

/// Worst outcome first.
fn rank(o: Outcome) -> usize {
    Outcome::ALL
        .iter()
        .position(|x| *x == o)
        .unwrap_or(usize::MAX)
}

/// The outcome of a control over all its evaluations.
pub fn control_outcome<'a>(evals: impl IntoIterator<Item = &'a Evaluation>) -> Outcome {
    evals
        .into_iter()
        .map(|e| e.outcome)
        .min_by_key(|o| rank(*o))
        .unwrap_or(Outcome::NotApplicable)
}

/// Where an evaluation's evidence came from.
pub fn evidence_source(e: &Evaluation) -> String {
    match &e.location {
        Some(l) => format!("{}:{}", artifact_uri(&e.target, &l.path), l.line),
        None => e.resource.clone(),
    }
}

fn add(into: &mut Summary, s: &Summary) {
    into.pass += s.pass;
    into.fail += s.fail;
    into.unknown += s.unknown;
    into.not_applicable += s.not_applicable;
    into.excepted += s.excepted;
}

fn clean(text: &str) -> String {
    secrets::redact(text).into_owned()
}

impl AuditView {
    /// Builds the view of a run.
    pub fn new(input: &ReportInput<'_>) -> Self {
        // point -> rule -> evaluations
        let mut by_point: BTreeMap<String, BTreeMap<&str, Vec<&Evaluation>>> = BTreeMap::new();
        for e in input.evaluations {
            let point = input
                .rule(&e.rule)
                .map_or("", |r| r.primary_criterion())
                .to_string();
            by_point
                .entry(point)
                .or_default()
                .entry(e.rule.as_str())
                .or_default()
                .push(e);
        }
        // Rules that also give evidence for a point other than their primary one.
        let mut related: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for r in &input.rules.rules {
            if !input.evaluations.iter().any(|e| e.rule == r.id) {
                continue;
            }
            for c in r.criteria.iter().skip(1) {
                if c != r.primary_criterion() {
                    related
                        .entry(c.clone())
                        .or_default()
                        .push((r.id.clone(), r.title.clone()));
                }
            }
        }
        for point in related.keys() {
            by_point.entry(point.clone()).or_default();
        }

        let mut areas: Vec<Area> = Vec::new();
        for (point_id, rules) in by_point {
            let mut controls = Vec::new();
            let mut point_summary = Summary::default();
            for (rule_id, evals) in rules {
                let control = control(input, rule_id, &evals);
                add(&mut point_summary, &control.summary);
                controls.push(control);
            }
            let area_id = point_id
                .split('.')
                .next()
                .filter(|a| !a.is_empty())
                .unwrap_or("Other")
                .to_string();
            let point = Point {
                title: criterion_title(&point_id),
                related: related.remove(&point_id).unwrap_or_default(),
                id: if point_id.is_empty() {
                    "Other".into()
                } else {
                    point_id
                },
                controls,
                summary: point_summary,
            };
            match areas.iter_mut().find(|a| a.id == area_id) {
                Some(area) => {
                    add(&mut area.summary, &point.summary);
                    area.points.push(point);
                }
                None => areas.push(Area {
                    title: area_title(&area_id),
                    summary: point.summary,
                    id: area_id,
                    points: vec![point],
                }),
            }
        }

        let exceptions = input
            .evaluations
            .iter()
            .filter_map(|e| {
                let w = e.waiver.as_ref()?;
                Some(ExceptionRow {
                    rule: e.rule.clone(),
                    target: e.target.clone(),
                    subject: clean(&e.subject),
                    kind: w.kind.clone(),
                    reason: clean(&w.reason),
                    approved_by: w.approved_by.clone().unwrap_or_else(|| "-".into()),
                    expires: w.expires.clone().unwrap_or_else(|| "-".into()),
                    expired: w.expired,
                    source: w
                        .source
                        .as_ref()
                        .map_or_else(String::new, |l| format!("{}:{}", l.path, l.line)),
                })
            })
            .collect();

        let mut unknown_map: BTreeMap<String, (Vec<String>, usize)> = BTreeMap::new();
        for e in input
            .evaluations
            .iter()
            .filter(|e| e.outcome == Outcome::Unknown)
        {
            let reason = if e.message.is_empty() {
                "no reason given".to_string()
            } else {
                clean(&e.message)
            };
            let entry = unknown_map.entry(reason).or_default();
            if !entry.0.contains(&e.rule) {
                entry.0.push(e.rule.clone());
            }
            entry.1 += 1;
        }
        let unknowns = unknown_map
            .into_iter()
            .map(|(reason, (rules, count))| UnknownGroup {
                reason,
                rules,
                count,
            })
            .collect();

        let mut targets: Vec<String> = input.evaluations.iter().map(|e| e.target.clone()).collect();
        targets.sort();
        targets.dedup();

        let tool = crate::facts::ToolInfo::current();
        AuditView {
            tool: format!("{} {}", tool.name, tool.version),
            rule_set_digest: input.rules.digest(),
            targets,
            totals: Summary::of(input.evaluations),
            passed: !input.evaluations.iter().any(|e| input.is_blocking(e)),
            fail_on: input.fail_on.as_str(),
            areas,
            exceptions,
            unknowns,
            warnings: input
                .warnings
                .iter()
                .map(|w| match &w.location {
                    Some(l) => format!("{}: {l}: {}", w.target, clean(&w.message)),
                    None => format!("{}: {}", w.target, clean(&w.message)),
                })
                .collect(),
        }
    }
}

fn control(input: &ReportInput<'_>, rule_id: &str, evals: &[&Evaluation]) -> Control {
    let rule = input.rule(rule_id);
    let mut policy: Vec<String> = Vec::new();
    for e in evals {
        if let Some(x) = &e.expected {
            let x = clean(x);
            if !policy.contains(&x) {
                policy.push(x);
            }
        }
    }
    if policy.is_empty()
        && let Some(r) = rule
    {
        // The rule's fixed statement of what is required, else its title.
        let stated = r.expected.as_ref().and_then(|t| t.literal());
        policy.push(clean(stated.unwrap_or(&r.title).trim()));
    }
    let rows = evals
        .iter()
        .filter(|e| e.outcome != Outcome::NotApplicable)
        .map(|e| {
            let actual = match (&e.actual, e.outcome) {
                // An unknown's reason is its message: what to grant or fix.
                (Some(a), Outcome::Unknown) if !e.message.is_empty() => {
                    format!("{} — {}", clean(a), clean(&e.message))
                }
                (Some(a), _) => clean(a),
                (None, Outcome::Pass) => "holds".to_string(),
                (None, _) => clean(&e.message),
            };
            Row {
                target: e.target.clone(),
                subject: clean(&e.subject),
                outcome: e.outcome,
                actual,
                source: evidence_source(e),
                waiver: e.waiver.as_ref().map(|w| {
                    let mut s = format!("{}: {}", w.kind, clean(&w.reason));
                    if let Some(a) = &w.approved_by {
                        s.push_str(&format!("; approved by {a}"));
                    }
                    if let Some(x) = &w.expires {
                        s.push_str(&format!(
                            "; {} {x}",
                            if w.expired { "expired" } else { "expires" }
                        ));
                    }
                    s
                }),
            }
        })
        .collect();
    Control {
        id: rule_id.to_string(),
        name: rule.map_or_else(String::new, |r| r.name.clone()),
        title: rule.map_or_else(|| rule_id.to_string(), |r| r.title.clone()),
        severity: evals
            .first()
            .map_or_else(String::new, |e| e.severity.as_str().to_string()),
        criteria: rule.map_or_else(Vec::new, |r| r.criteria.clone()),
        policy,
        outcome: control_outcome(evals.iter().copied()),
        summary: Summary::of(evals.iter().copied()),
        rows,
    }
}

/// A human label for an outcome.
pub fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::Unknown => "unknown",
        Outcome::NotApplicable => "n/a",
        Outcome::Excepted => "excepted",
    }
}
