//! Rule fixtures: every rule has passing and failing example repositories under
//! `fixtures/<ID>/{pass,fail}-*/`, and failing lines are marked in the files with
//! `# expect: <ID>`. For each case the rule alone is evaluated on the fixture and:
//! - a `pass-*` case has at least one `pass` and no `fail` or `unknown` for the rule;
//! - a `fail-*` case fails exactly on the marked lines (path and line), no more, no fewer;
//! - an `unknown-*` case (optional) is `unknown` exactly on the lines marked
//!   `# expect-unknown: <ID>`, no more, no fewer, each with a stated reason, and never fails.
//!
//! Repository-settings rules (GitHub API evidence) have facts cases instead: a case directory
//! holding `case.json` with a JSON merge patch over `fixtures/github-base.facts.json` (a
//! compliant repository's facts as collected from the test server) or, with `"base":
//! "gitlab"`, over `fixtures/gitlab-base.facts.json` (a compliant GitLab project), an optional
//! policy patch,
//! the expected outcome (`pass`, `fail` or `unknown`), a text the message or reason must
//! contain, a text the stated actual configuration (`actual`) must contain and, for
//! failures, the expected `path:line` anchor. When the rule evaluates several subjects of the
//! patched facts (a repository and its jobs), `subject` names the `path:line` anchor of the
//! one the case is about. A facts case may also hold repository files beside `case.json`
//! (workflows, infrastructure code): what a local scan collects from them (workflows,
//! pipelines, infrastructure files, diagnostics) replaces those facts of the base, so a
//! settings rule can be checked together with the files it reads.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use soc2::config::Policy;
use soc2::engine::{Outcome, evaluate};
use soc2::rules::{RuleSet, load_embedded};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn only(rule: &str) -> RuleSet {
    let mut set = load_embedded().expect("built-in rules load");
    set.filter(&[rule.to_string()], &[]);
    assert_eq!(set.rules.len(), 1, "rule {rule} exists");
    set
}

/// (path relative to the case root, line) of every `<marker> ID` marker (`# expect:` or
/// `# expect-unknown:`).
fn expected(case: &Path, rule: &str, marker: &str) -> BTreeSet<(String, u32)> {
    let mut out = BTreeSet::new();
    for entry in walkdir::WalkDir::new(case)
        .into_iter()
        .filter_map(Result::ok)
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let rel = entry
            .path()
            .strip_prefix(case)
            .expect("under case")
            .to_string_lossy()
            .replace('\\', "/");
        for (i, line) in text.lines().enumerate() {
            if let Some(pos) = line.find(marker) {
                let ids = &line[pos + marker.len()..];
                if ids.split([',', ' ']).any(|id| id.trim() == rule) {
                    out.insert((rel.clone(), i as u32 + 1));
                }
            }
        }
    }
    out
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for rule_dir in std::fs::read_dir(fixtures_dir())
        .expect("fixtures/ exists")
        .flatten()
    {
        if !rule_dir.path().is_dir() {
            continue;
        }
        let rule = rule_dir.file_name().to_string_lossy().into_owned();
        for case in std::fs::read_dir(rule_dir.path())
            .expect("readable")
            .flatten()
        {
            if case.path().is_dir() {
                out.push((rule.clone(), case.path()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_rule_has_passing_and_failing_fixtures() {
    let set = load_embedded().expect("built-in rules load");
    let cases = cases();
    let mut missing = Vec::new();
    // Rules whose failing side needs API evidence: from files alone they pass or are
    // unknown, never fail, so an unknown case stands in for the failing one.
    const UNKNOWN_STANDS_FOR_FAIL: &[&str] = &["CC8-014"];
    for rule in &set.rules {
        for kind in ["pass-", "fail-"] {
            let kinds: &[&str] =
                if kind == "fail-" && UNKNOWN_STANDS_FOR_FAIL.contains(&rule.id.as_str()) {
                    &["fail-", "unknown-"]
                } else {
                    &[kind]
                };
            let has = cases.iter().any(|(r, p)| {
                r == &rule.id
                    && p.file_name().is_some_and(|n| {
                        let n = n.to_string_lossy();
                        kinds.iter().any(|k| n.starts_with(k))
                    })
            });
            if !has {
                missing.push(format!("{} {kind}*", rule.id));
            }
        }
    }
    assert!(missing.is_empty(), "rules without fixtures: {missing:?}");
}

#[test]
fn fixtures_produce_exactly_the_expected_outcomes() {
    let policy = Policy::default();
    let mut problems = Vec::new();
    let cases = cases();
    assert!(!cases.is_empty(), "no fixtures found");
    for (rule, case) in cases {
        let set = only(&rule);
        if case.join("case.json").exists() {
            facts_case(&set, &rule, &case, &mut problems);
            continue;
        }
        let repo = soc2::providers::collect_local(&case);
        let evals = evaluate(&set, std::slice::from_ref(&repo), &policy);
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let got: BTreeSet<(String, u32)> = evals
            .iter()
            .filter(|e| e.outcome == Outcome::Fail)
            .filter_map(|e| e.location.as_ref().map(|l| (l.path.to_string(), l.line)))
            .collect();
        let located = |outcome: Outcome| -> Vec<String> {
            evals
                .iter()
                .filter(|e| e.outcome == outcome)
                .map(|e| {
                    format!(
                        "{:?}: {}",
                        e.location.as_ref().map(|l| l.to_string()),
                        e.message
                    )
                })
                .collect()
        };
        if name.starts_with("unknown-") {
            let want = expected(&case, &rule, "# expect-unknown:");
            let got_unknown: BTreeSet<(String, u32)> = evals
                .iter()
                .filter(|e| e.outcome == Outcome::Unknown)
                .filter_map(|e| e.location.as_ref().map(|l| (l.path.to_string(), l.line)))
                .collect();
            if want.is_empty() {
                problems.push(format!(
                    "{rule}/{name}: an unknown case needs `# expect-unknown: {rule}` markers"
                ));
            } else if got_unknown != want {
                problems.push(format!(
                    "{rule}/{name}: unknown at {got_unknown:?}, expected {want:?}\n  {}",
                    located(Outcome::Unknown).join("\n  ")
                ));
            }
            if evals
                .iter()
                .any(|e| e.outcome == Outcome::Unknown && e.message.trim().is_empty())
            {
                problems.push(format!(
                    "{rule}/{name}: an unknown outcome without a reason"
                ));
            }
            if !got.is_empty() {
                problems.push(format!(
                    "{rule}/{name}: unexpected failures at {got:?}\n  {}",
                    located(Outcome::Fail).join("\n  ")
                ));
            }
            continue;
        }
        let unknown: Vec<_> = evals
            .iter()
            .filter(|e| e.outcome == Outcome::Unknown)
            .map(|e| e.message.clone())
            .collect();
        if !unknown.is_empty() {
            problems.push(format!(
                "{rule}/{name}: unexpected unknown outcomes: {unknown:?}"
            ));
            continue;
        }
        if name.starts_with("pass-") {
            let passes = evals.iter().filter(|e| e.outcome == Outcome::Pass).count();
            if passes == 0 {
                problems.push(format!("{rule}/{name}: the rule never applied (no pass)"));
            }
            if !got.is_empty() {
                problems.push(format!("{rule}/{name}: unexpected failures at {got:?}"));
            }
        } else if name.starts_with("fail-") {
            let want = expected(&case, &rule, "# expect:");
            if want.is_empty() {
                problems.push(format!(
                    "{rule}/{name}: a fail case needs `# expect: {rule}` markers"
                ));
            } else if got != want {
                problems.push(format!(
                    "{rule}/{name}: failures at {got:?}, expected {want:?}\n  {}",
                    located(Outcome::Fail).join("\n  ")
                ));
            }
        } else {
            problems.push(format!(
                "{rule}/{name}: case directories are named pass-*, fail-* or unknown-*"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// RFC 7396 JSON merge patch.
fn merge(base: &mut serde_json::Value, patch: &serde_json::Value) {
    match (base, patch) {
        (serde_json::Value::Object(b), serde_json::Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(k);
                } else {
                    merge(b.entry(k.clone()).or_insert(serde_json::Value::Null), v);
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

/// A facts case: `case.json` patches the base facts; the rule's outcome, message and anchor
/// are checked.
fn facts_case(set: &RuleSet, rule: &str, case: &Path, problems: &mut Vec<String>) {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let read = |p: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).expect("readable")).expect("JSON")
    };
    let spec = read(&case.join("case.json"));
    // `"base": "gitlab"` starts from a compliant GitLab project instead.
    let base = match spec["base"].as_str() {
        Some("gitlab") => "gitlab-base.facts.json",
        _ => "github-base.facts.json",
    };
    let mut facts = read(&fixtures_dir().join(base));
    if spec["patch"].is_object() {
        merge(&mut facts, &spec["patch"]);
    }
    let mut repo: soc2::facts::Repository = match serde_json::from_value(facts) {
        Ok(r) => r,
        Err(e) => {
            problems.push(format!("{rule}/{name}: the patched facts do not load: {e}"));
            return;
        }
    };
    let has_files = std::fs::read_dir(case)
        .expect("readable")
        .flatten()
        .any(|e| e.file_name() != "case.json");
    if has_files {
        let local = soc2::providers::collect_local(case);
        repo.workflows = local.workflows;
        repo.pipelines = local.pipelines;
        repo.iac_files = local.iac_files;
        repo.suppressions = local.suppressions;
        repo.diagnostics = local.diagnostics;
    }
    let mut policy_json = serde_json::to_value(Policy::default()).unwrap();
    if spec["policy"].is_object() {
        merge(&mut policy_json, &spec["policy"]);
    }
    let policy: Policy = serde_json::from_value(policy_json).expect("policy patch");
    let evals = evaluate(set, std::slice::from_ref(&repo), &policy);
    let want = spec["outcome"].as_str().unwrap_or_default();
    let outcome_name = |o: Outcome| o.as_str();
    if !name.starts_with(&format!("{want}-")) {
        problems.push(format!(
            "{rule}/{name}: the case name must start with `{want}-`"
        ));
    }
    // A rule with a repository scope and a job scope gives one evaluation per subject: the
    // case names the one it is about by its anchor.
    let at = |e: &soc2::engine::Evaluation| {
        e.location
            .as_ref()
            .map(|l| format!("{}:{}", l.path, l.line))
    };
    let got: Vec<_> = evals
        .iter()
        .filter(|e| e.rule == rule)
        .filter(|e| {
            spec["subject"]
                .as_str()
                .is_none_or(|s| at(e).as_deref() == Some(s))
        })
        .collect();
    if got.len() != 1 || outcome_name(got[0].outcome) != want {
        problems.push(format!(
            "{rule}/{name}: expected one `{want}`, got {:?}",
            got.iter()
                .map(|e| (e.outcome, e.message.clone()))
                .collect::<Vec<_>>()
        ));
        return;
    }
    let e = got[0];
    if let Some(text) = spec["message"].as_str()
        && !e.message.contains(text)
    {
        problems.push(format!(
            "{rule}/{name}: message `{}` lacks `{text}`",
            e.message
        ));
    }
    if let Some(text) = spec["actual"].as_str()
        && !e.actual.as_deref().is_some_and(|a| a.contains(text))
    {
        problems.push(format!(
            "{rule}/{name}: actual {:?} lacks `{text}`",
            e.actual
        ));
    }
    if want == "unknown" && e.message.trim().is_empty() {
        problems.push(format!(
            "{rule}/{name}: an unknown outcome without a reason"
        ));
    }
    if let Some(at) = spec["location"].as_str() {
        let loc = e
            .location
            .as_ref()
            .map(|l| format!("{}:{}", l.path, l.line));
        if loc.as_deref() != Some(at) {
            problems.push(format!("{rule}/{name}: anchored at {loc:?}, expected {at}"));
        }
    }
    // A finding on a settings subject names its resource; a job's finding names its file.
    if want == "fail"
        && spec["subject"].is_null()
        && !e.resource.starts_with("github://")
        && !e.resource.starts_with("gitlab://")
    {
        problems.push(format!(
            "{rule}/{name}: a settings finding names its resource (github:// or gitlab://...), got `{}`",
            e.resource
        ));
    }
}
