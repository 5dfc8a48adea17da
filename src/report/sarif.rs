//! SARIF 2.1.0, shaped for GitHub code scanning.
//!
//! One rule descriptor per rule (with `shortDescription`, `fullDescription`, `help`, `helpUri`,
//! criteria as tags and a numeric `security-severity`), one result per failing or excepted
//! evaluation. Every result has a physical location relative to the repository root and a
//! logical location naming the resource; `partialFingerprints` come from rule, target and
//! resource, never from line numbers, so alerts survive edits. Excepted evaluations carry a
//! `suppressions` entry (`inSource` for a suppression comment, `external` for an exception)
//! whose justification is the waiver's reason; unknown outcomes and the run's warnings become
//! tool execution notifications, not alerts.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::ReportInput;
use crate::engine::{Evaluation, Outcome};
use crate::facts::Location;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// The path of a finding relative to the directory the tool ran in, when the target is a
/// relative directory; otherwise relative to the target's root.
pub fn artifact_uri(target: &str, path: &str) -> String {
    let root = target.strip_prefix("local:").unwrap_or("");
    let root = root.trim_start_matches("./").trim_end_matches('/');
    if root.is_empty()
        || root == "."
        || root.starts_with('/')
        || root.contains(':')
        || root.starts_with("..")
    {
        path.to_string()
    } else {
        format!("{root}/{path}")
    }
}

/// The logical location of a finding: the resource itself when it is already a URI (GitHub
/// settings: `github://acme/api/branches/main/protection`), else target and resource.
fn logical_name(e: &Evaluation) -> String {
    if e.resource.starts_with("github://") {
        e.resource.clone()
    } else {
        format!("{}/{}", e.target, e.resource)
    }
}

fn region(loc: &Location) -> Value {
    let line = loc.line.max(1);
    let col = loc.column.max(1);
    let end_line = loc.end_line.max(line);
    let mut end_col = loc.end_column.max(1);
    if end_line == line && end_col <= col {
        end_col = col + 1;
    }
    json!({"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col})
}

fn result(input: &ReportInput<'_>, e: &Evaluation, rule_index: usize) -> Value {
    let fallback = Location::file("soc2.toml");
    let loc = e.location.as_ref().unwrap_or(&fallback);
    let level = e.severity.sarif_level();
    let mut r = json!({
        "ruleId": e.rule,
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": if e.message.is_empty() { input.rule(&e.rule).map_or(String::new(), |r| r.title.clone()) } else { e.message.clone() }},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(&e.target, &loc.path), "uriBaseId": "%SRCROOT%"},
                "region": region(loc),
            },
            "logicalLocations": [{"fullyQualifiedName": logical_name(e), "kind": "resource"}],
        }],
        "partialFingerprints": {"primaryLocationLineHash": format!("{}:1", e.fingerprint), "soc2/v1": e.fingerprint},
        "properties": {"target": e.target, "subject": e.subject, "outcome": e.outcome.as_str()},
    });
    if e.outcome == Outcome::Excepted {
        r["suppressions"] = json!([suppression(e)]);
    }
    r
}

/// The SARIF `suppression` of an excepted evaluation: `inSource` for a suppression comment
/// (with the comment's location), `external` for an exception in soc2.toml; the justification
/// is the waiver's reason, the approver and expiry are properties.
fn suppression(e: &Evaluation) -> Value {
    let Some(w) = &e.waiver else {
        return json!({"kind": "external", "status": "accepted", "justification": e.message});
    };
    let in_source = w.kind == crate::suppress::KIND;
    let mut s = json!({
        "kind": if in_source { "inSource" } else { "external" },
        "status": "accepted",
        "justification": w.reason,
    });
    if in_source && let Some(src) = &w.source {
        s["location"] = physical(&e.target, src);
    }
    let mut props = serde_json::Map::new();
    props.insert("waiver".into(), json!(w.kind));
    if let Some(by) = &w.approved_by {
        props.insert("approvedBy".into(), json!(by));
    }
    if let Some(d) = &w.expires {
        props.insert("expires".into(), json!(d));
    }
    s["properties"] = Value::Object(props);
    s
}

/// A SARIF `location` with only a physical location.
fn physical(target: &str, loc: &Location) -> Value {
    json!({"physicalLocation": {
        "artifactLocation": {"uri": artifact_uri(target, &loc.path), "uriBaseId": "%SRCROOT%"},
        "region": region(loc),
    }})
}

/// Renders the SARIF log.
pub fn render(input: &ReportInput<'_>) -> String {
    let rules: Vec<Value> = input
        .rules
        .rules
        .iter()
        .map(|r| {
            let mut tags = vec!["security".to_string(), "soc2".to_string()];
            tags.extend(r.criteria.iter().cloned());
            let help_md = format!(
                "**{}** ({})\n\n{}\n\n**Remediation.** {}\n\n**SOC 2 criteria:** {}\n\n{}",
                r.title,
                r.id,
                r.rationale,
                r.remediation,
                r.criteria.join(", "),
                r.references.iter().map(|u| format!("- <{u}>")).collect::<Vec<_>>().join("\n"),
            );
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": {"text": truncate(&r.title, 1024)},
                "fullDescription": {"text": truncate(&r.rationale, 1024)},
                "help": {"text": truncate(&format!("{} Remediation: {}", r.rationale, r.remediation), 4000), "markdown": help_md},
                "helpUri": r.references.first().cloned().unwrap_or_default(),
                "defaultConfiguration": {"level": r.severity.sarif_level()},
                "properties": {
                    "tags": tags,
                    "precision": "high",
                    "security-severity": r.severity.security_severity(),
                    "problem.severity": match r.severity.sarif_level() { "error" => "error", "warning" => "warning", _ => "recommendation" },
                    "scope": r.scope_names(),
                },
            })
        })
        .collect();
    let index_of = |id: &str| {
        input
            .rules
            .rules
            .iter()
            .position(|r| r.id == id)
            .unwrap_or(0)
    };
    let results: Vec<Value> = input
        .evaluations
        .iter()
        .filter(|e| matches!(e.outcome, Outcome::Fail | Outcome::Excepted))
        .map(|e| result(input, e, index_of(&e.rule)))
        .collect();
    // Unknown outcomes become notifications, one per (target, location, reason) with the rules
    // it affects: an unreadable file leaves many rules without evidence, and says so once.
    let mut unknown: Vec<(&Evaluation, Vec<&str>)> = Vec::new();
    let mut index: HashMap<(&str, Option<&Location>, &str), usize> = HashMap::new();
    for e in input
        .evaluations
        .iter()
        .filter(|e| e.outcome == Outcome::Unknown)
    {
        let key = (e.target.as_str(), e.location.as_ref(), e.message.as_str());
        match index.get(&key) {
            Some(&i) => unknown[i].1.push(&e.rule),
            None => {
                index.insert(key, unknown.len());
                unknown.push((e, vec![&e.rule]));
            }
        }
    }
    let notifications: Vec<Value> = unknown
        .iter()
        .map(|(e, rules)| {
            let text = if rules.len() == 1 {
                format!("{} unknown for {}: {}", e.rule, e.subject, e.message)
            } else {
                format!(
                    "{} rules unknown for {} ({}): {}",
                    rules.len(),
                    e.subject,
                    rules.join(", "),
                    e.message
                )
            };
            let mut n = json!({
                "level": "warning",
                "message": {"text": text},
                "associatedRule": {"id": e.rule, "index": index_of(&e.rule)},
                "properties": {"rules": rules},
            });
            if let Some(loc) = &e.location {
                n["locations"] = json!([physical(&e.target, loc)]);
            }
            n
        })
        .chain(input.warnings.iter().map(|w| {
            let mut n = json!({
                "level": "warning",
                "message": {"text": w.message},
                "properties": {"target": w.target},
            });
            if let Some(loc) = &w.location {
                n["locations"] = json!([physical(&w.target, loc)]);
            }
            n
        }))
        .collect();
    let blocking = input.evaluations.iter().any(|e| input.is_blocking(e));
    let mut driver = json!({
        "name": "soc2",
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    // SARIF2005 (multitool) wants `informationUri`; it comes from Cargo.toml's `repository`
    // or `homepage` once set, never a guessed address.
    if let Some(uri) = [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| !u.is_empty())
    {
        driver["informationUri"] = json!(uri);
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "automationDetails": {"id": "soc2/pipelines/"},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The directory soc2 was run in."}}},
            "invocations": [{
                "executionSuccessful": true,
                "exitCode": i32::from(blocking),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative() {
        assert_eq!(artifact_uri("local:.", ".github/w.yml"), ".github/w.yml");
        assert_eq!(
            artifact_uri("local:./svc", ".github/w.yml"),
            "svc/.github/w.yml"
        );
        assert_eq!(
            artifact_uri("local:/abs/repo", ".github/w.yml"),
            ".github/w.yml"
        );
    }
}
