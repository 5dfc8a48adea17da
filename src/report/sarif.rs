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

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use serde::{Serialize, Serializer};

use super::ReportInput;
use crate::engine::{Evaluation, Outcome, Warning};
use crate::facts::Location;
use crate::rules::Rule;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

// The log is written by serde straight to the output, results one at a time. Keys are in
// alphabetical order, field by field, as the earlier `serde_json::Value` tree had them (a
// `BTreeMap`): the output is byte for byte what it was.

fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max {
        return Cow::Borrowed(s);
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    Cow::Owned(out)
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
fn logical_name(e: &Evaluation) -> Cow<'_, str> {
    if e.resource.starts_with("github://") {
        Cow::Borrowed(&e.resource)
    } else {
        Cow::Owned(format!("{}/{}", e.target, e.resource))
    }
}

/// The rules by id, each with its index in the rule set (the first one of an id wins).
struct Rules<'a> {
    rules: &'a [Rule],
    by_id: HashMap<&'a str, usize>,
}

impl<'a> Rules<'a> {
    fn new(rules: &'a [Rule]) -> Self {
        let mut by_id = HashMap::with_capacity(rules.len());
        for (i, r) in rules.iter().enumerate() {
            by_id.entry(r.id.as_str()).or_insert(i);
        }
        Rules { rules, by_id }
    }

    fn index_of(&self, id: &str) -> usize {
        self.by_id.get(id).copied().unwrap_or(0)
    }

    fn get(&self, id: &str) -> Option<&'a Rule> {
        self.by_id.get(id).map(|&i| &self.rules[i])
    }
}

#[derive(Serialize)]
struct Text<'a> {
    text: Cow<'a, str>,
}

impl<'a> Text<'a> {
    fn new(text: impl Into<Cow<'a, str>>) -> Self {
        Text { text: text.into() }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    end_column: u32,
    end_line: u32,
    start_column: u32,
    start_line: u32,
}

fn region(loc: &Location) -> Region {
    let line = loc.line.max(1);
    let col = loc.column.max(1);
    let end_line = loc.end_line.max(line);
    let mut end_col = loc.end_column.max(1);
    if end_line == line && end_col <= col {
        end_col = col + 1;
    }
    Region {
        end_column: end_col,
        end_line,
        start_column: col,
        start_line: line,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

fn physical_location(target: &str, loc: &Location) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: artifact_uri(target, &loc.path),
            uri_base_id: "%SRCROOT%",
        },
        region: region(loc),
    }
}

/// A SARIF `location` with only a physical location.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    physical_location: PhysicalLocation,
}

fn physical(target: &str, loc: &Location) -> Physical {
    Physical {
        physical_location: physical_location(target, loc),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    fully_qualified_name: Cow<'a, str>,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation<'a> {
    logical_locations: [LogicalLocation<'a>; 1],
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "primaryLocationLineHash")]
    line_hash: String,
    #[serde(rename = "soc2/v1")]
    soc2: &'a str,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    outcome: &'static str,
    subject: &'a str,
    target: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    level: &'static str,
    locations: [ResultLocation<'a>; 1],
    message: Text<'a>,
    partial_fingerprints: Fingerprints<'a>,
    properties: ResultProperties<'a>,
    rule_id: &'a str,
    rule_index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression<'a>; 1]>,
}

fn result<'a>(rules: &Rules<'a>, e: &'a Evaluation) -> SarifResult<'a> {
    let fallback = Location::file("soc2.toml");
    let loc = e.location.as_ref().unwrap_or(&fallback);
    let message = if e.message.is_empty() {
        rules.get(&e.rule).map_or("", |r| r.title.as_str())
    } else {
        e.message.as_str()
    };
    SarifResult {
        level: e.severity.sarif_level(),
        locations: [ResultLocation {
            logical_locations: [LogicalLocation {
                fully_qualified_name: logical_name(e),
                kind: "resource",
            }],
            physical_location: physical_location(&e.target, loc),
        }],
        message: Text::new(message),
        partial_fingerprints: Fingerprints {
            line_hash: format!("{}:1", e.fingerprint),
            soc2: &e.fingerprint,
        },
        properties: ResultProperties {
            outcome: e.outcome.as_str(),
            subject: &e.subject,
            target: &e.target,
        },
        rule_id: &e.rule,
        rule_index: rules.index_of(&e.rule),
        suppressions: (e.outcome == Outcome::Excepted).then(|| [suppression(e)]),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SuppressionProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    approved_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<&'a str>,
    waiver: &'a str,
}

#[derive(Serialize)]
struct Suppression<'a> {
    justification: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Physical>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<SuppressionProperties<'a>>,
    status: &'static str,
}

/// The SARIF `suppression` of an excepted evaluation: `inSource` for a suppression comment
/// (with the comment's location), `external` for an exception in soc2.toml; the justification
/// is the waiver's reason, the approver and expiry are properties.
fn suppression(e: &Evaluation) -> Suppression<'_> {
    let Some(w) = &e.waiver else {
        return Suppression {
            justification: &e.message,
            kind: "external",
            location: None,
            properties: None,
            status: "accepted",
        };
    };
    let in_source = w.kind == crate::suppress::KIND;
    Suppression {
        justification: &w.reason,
        kind: if in_source { "inSource" } else { "external" },
        location: w
            .source
            .as_ref()
            .filter(|_| in_source)
            .map(|src| physical(&e.target, src)),
        properties: Some(SuppressionProperties {
            approved_by: w.approved_by.as_deref(),
            expires: w.expires.as_deref(),
            waiver: &w.kind,
        }),
        status: "accepted",
    }
}

#[derive(Serialize)]
struct DefaultConfiguration {
    level: &'static str,
}

#[derive(Serialize)]
struct Help {
    markdown: String,
    text: String,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
    scope: String,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    tags: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor<'a> {
    default_configuration: DefaultConfiguration,
    full_description: Text<'a>,
    help: Help,
    help_uri: &'a str,
    id: &'a str,
    name: &'a str,
    properties: RuleProperties<'a>,
    short_description: Text<'a>,
}

fn rule_descriptor(r: &Rule) -> RuleDescriptor<'_> {
    let mut tags = vec!["security", "soc2"];
    tags.extend(r.criteria.iter().map(String::as_str));
    let help_md = format!(
        "**{}** ({})\n\n{}\n\n**Remediation.** {}\n\n**SOC 2 criteria:** {}\n\n{}",
        r.title,
        r.id,
        r.rationale,
        r.remediation,
        r.criteria.join(", "),
        r.references
            .iter()
            .map(|u| format!("- <{u}>"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let help_text = format!("{} Remediation: {}", r.rationale, r.remediation);
    let level = r.severity.sarif_level();
    RuleDescriptor {
        default_configuration: DefaultConfiguration { level },
        full_description: Text::new(truncate(&r.rationale, 1024)),
        help: Help {
            markdown: help_md,
            text: truncate(&help_text, 4000).into_owned(),
        },
        help_uri: r.references.first().map_or("", String::as_str),
        id: &r.id,
        name: &r.name,
        properties: RuleProperties {
            precision: "high",
            problem_severity: match level {
                "error" => "error",
                "warning" => "warning",
                _ => "recommendation",
            },
            scope: r.scope_names(),
            security_severity: r.severity.security_severity(),
            tags,
        },
        short_description: Text::new(truncate(&r.title, 1024)),
    }
}

#[derive(Serialize)]
struct AssociatedRule<'a> {
    id: &'a str,
    index: usize,
}

#[derive(Serialize)]
struct NotificationProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    rules: Option<&'a [&'a str]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    associated_rule: Option<AssociatedRule<'a>>,
    level: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[Physical; 1]>,
    message: Text<'a>,
    properties: NotificationProperties<'a>,
}

/// Unknown outcomes, one per (target, location, reason) with the rules it affects: an
/// unreadable file leaves many rules without evidence, and says so once.
fn unknown_groups(evaluations: &[Evaluation]) -> Vec<(&Evaluation, Vec<&str>)> {
    let mut unknown: Vec<(&Evaluation, Vec<&str>)> = Vec::new();
    let mut index: HashMap<(&str, Option<&Location>, &str), usize> = HashMap::new();
    for e in evaluations.iter().filter(|e| e.outcome == Outcome::Unknown) {
        let key = (e.target.as_str(), e.location.as_ref(), e.message.as_str());
        match index.get(&key) {
            Some(&i) => unknown[i].1.push(&e.rule),
            None => {
                index.insert(key, unknown.len());
                unknown.push((e, vec![&e.rule]));
            }
        }
    }
    unknown
}

fn unknown_notification<'a>(
    rules: &Rules<'_>,
    e: &'a Evaluation,
    affected: &'a [&'a str],
) -> Notification<'a> {
    let text = if affected.len() == 1 {
        format!("{} unknown for {}: {}", e.rule, e.subject, e.message)
    } else {
        format!(
            "{} rules unknown for {} ({}): {}",
            affected.len(),
            e.subject,
            affected.join(", "),
            e.message
        )
    };
    Notification {
        associated_rule: Some(AssociatedRule {
            id: &e.rule,
            index: rules.index_of(&e.rule),
        }),
        level: "warning",
        locations: e.location.as_ref().map(|loc| [physical(&e.target, loc)]),
        message: Text::new(text),
        properties: NotificationProperties {
            rules: Some(affected),
            target: None,
        },
    }
}

fn warning_notification(w: &Warning) -> Notification<'_> {
    Notification {
        associated_rule: None,
        level: "warning",
        locations: w.location.as_ref().map(|loc| [physical(&w.target, loc)]),
        message: Text::new(w.message.as_str()),
        properties: NotificationProperties {
            rules: None,
            target: Some(&w.target),
        },
    }
}

/// The run's tool execution notifications, built one at a time as they are written.
struct Notifications<'a> {
    rules: &'a Rules<'a>,
    unknown: &'a [(&'a Evaluation, Vec<&'a str>)],
    warnings: &'a [Warning],
}

impl Serialize for Notifications<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.unknown
                .iter()
                .map(|(e, affected)| unknown_notification(self.rules, e, affected))
                .chain(self.warnings.iter().map(warning_notification)),
        )
    }
}

/// The results, built one at a time as they are written.
struct Results<'a> {
    rules: &'a Rules<'a>,
    evaluations: &'a [Evaluation],
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.evaluations
                .iter()
                .filter(|e| matches!(e.outcome, Outcome::Fail | Outcome::Excepted))
                .map(|e| result(self.rules, e)),
        )
    }
}

/// The rule descriptors, built one at a time as they are written.
struct RuleDescriptors<'a>(&'a [Rule]);

impl Serialize for RuleDescriptors<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(rule_descriptor))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    name: &'static str,
    rules: RuleDescriptors<'a>,
    semantic_version: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: &'static str,
}

#[derive(Serialize)]
struct Description {
    description: Text<'static>,
}

#[derive(Serialize)]
struct OriginalUriBaseIds {
    #[serde(rename = "%SRCROOT%")]
    srcroot: Description,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    exit_code: i32,
    tool_execution_notifications: Notifications<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    automation_details: AutomationDetails,
    column_kind: &'static str,
    invocations: [Invocation<'a>; 1],
    original_uri_base_ids: OriginalUriBaseIds,
    results: Results<'a>,
    tool: Tool<'a>,
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

/// Writes the SARIF log to `out`.
pub fn write(input: &ReportInput<'_>, out: &mut dyn Write) -> io::Result<()> {
    let rules = Rules::new(&input.rules.rules);
    let unknown = unknown_groups(input.evaluations);
    let blocking = input.evaluations.iter().any(|e| input.is_blocking(e));
    // SARIF2005 (multitool) wants `informationUri`; it comes from Cargo.toml's `repository`
    // or `homepage` once set, never a guessed address.
    let information_uri = [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| !u.is_empty());
    let log = Log {
        schema: SCHEMA,
        runs: [Run {
            automation_details: AutomationDetails {
                id: "soc2/pipelines/",
            },
            column_kind: "unicodeCodePoints",
            invocations: [Invocation {
                execution_successful: true,
                exit_code: i32::from(blocking),
                tool_execution_notifications: Notifications {
                    rules: &rules,
                    unknown: &unknown,
                    warnings: input.warnings,
                },
            }],
            original_uri_base_ids: OriginalUriBaseIds {
                srcroot: Description {
                    description: Text::new("The directory soc2 was run in."),
                },
            },
            results: Results {
                rules: &rules,
                evaluations: input.evaluations,
            },
            tool: Tool {
                driver: Driver {
                    information_uri,
                    name: "soc2",
                    rules: RuleDescriptors(&input.rules.rules),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                },
            },
        }],
        version: "2.1.0",
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

/// Renders the SARIF log.
pub fn render(input: &ReportInput<'_>) -> String {
    let mut out = Vec::new();
    // Writing to a `Vec` fails only if serialization does, and these types always serialize.
    if write(input, &mut out).is_err() {
        return String::new();
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

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

    /// Every optional part of a log: results with and without a message, suppressions of each
    /// kind, grouped and single unknown outcomes, warnings with and without a location.
    fn sample() -> (RuleSet, Vec<Evaluation>, Vec<Warning>) {
        let rules = crate::rules::load_embedded().expect("embedded rules load");
        let loc = |path: &str, line: u32| {
            serde_json::json!({"path": path, "line": line, "column": 3, "end_line": line,
                "end_column": 9, "offset": 0, "length": 6})
        };
        let eval = |rule: &str, outcome: &str, message: &str, location, waiver| {
            serde_json::from_value::<Evaluation>(serde_json::json!({
                "rule": rule, "severity": "high", "outcome": outcome, "target": "local:./svc",
                "resource": ".github/workflows/ci.yml#jobs.build", "subject": "ci.yml",
                "message": message, "location": location, "fingerprint": "f00d",
                "waiver": waiver,
            }))
            .expect("evaluation")
        };
        let null = serde_json::Value::Null;
        let evaluations = vec![
            eval(
                "CC6-006",
                "fail",
                "no permissions",
                loc("a.yml", 4),
                null.clone(),
            ),
            eval("CC6-007", "fail", "", null.clone(), null.clone()),
            eval(
                "CC6-008",
                "excepted",
                "waived",
                loc("a.yml", 5),
                null.clone(),
            ),
            eval(
                "CC6-009",
                "excepted",
                "waived",
                loc("a.yml", 6),
                serde_json::json!({"kind": "exception", "reason": "accepted risk",
                    "approved_by": "sec-team", "expires": "2030-01-01"}),
            ),
            eval(
                "CC6-010",
                "excepted",
                "waived",
                loc("a.yml", 7),
                serde_json::json!({"kind": crate::suppress::KIND, "reason": "test data",
                    "source": loc("a.yml", 6)}),
            ),
            eval(
                "CC6-012",
                "unknown",
                "unreadable",
                loc("b.yml", 1),
                null.clone(),
            ),
            eval(
                "CC6-013",
                "unknown",
                "unreadable",
                loc("b.yml", 1),
                null.clone(),
            ),
            eval(
                "CC6-014",
                "unknown",
                "no settings",
                null.clone(),
                null.clone(),
            ),
            eval("CC6-015", "pass", "", loc("a.yml", 8), null.clone()),
        ];
        let warnings = vec![
            serde_json::from_value(serde_json::json!({"target": "local:.", "message": "unused",
                "location": loc("c.yml", 2)}))
            .expect("warning"),
            serde_json::from_value(serde_json::json!({"target": "local:.", "message": "stale"}))
                .expect("warning"),
        ];
        (rules, evaluations, warnings)
    }

    /// The log's keys are in alphabetical order at every level, as a `serde_json::Value` tree
    /// (a `BTreeMap`) writes them: re-serializing the parsed log gives the same bytes.
    #[test]
    fn keys_are_sorted_as_in_a_value_tree() {
        let (rules, evaluations, warnings) = sample();
        let sources = crate::report::Sources::new();
        let input = ReportInput {
            rules: &rules,
            evaluations: &evaluations,
            warnings: &warnings,
            sources: &sources,
            fail_on: crate::rules::Severity::Low,
            strict: false,
            color: false,
        };
        let text = render(&input);
        let value: serde_json::Value = serde_json::from_str(&text).expect("SARIF parses");
        let again = serde_json::to_string_pretty(&value).expect("serializes") + "\n";
        assert_eq!(text, again);

        let run = &value["runs"][0];
        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), 5);
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "svc/a.yml"
        );
        let title = rules
            .rules
            .iter()
            .find(|r| r.id == "CC6-007")
            .expect("rule")
            .title
            .clone();
        assert_eq!(results[1]["message"]["text"], title.as_str());
        assert_eq!(
            results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "svc/soc2.toml"
        );
        assert_eq!(results[2]["suppressions"][0]["kind"], "external");
        assert_eq!(results[2]["suppressions"][0]["justification"], "waived");
        assert!(results[2]["suppressions"][0].get("properties").is_none());
        let external = &results[3]["suppressions"][0];
        assert_eq!(external["properties"]["approvedBy"], "sec-team");
        assert_eq!(external["properties"]["expires"], "2030-01-01");
        assert!(external.get("location").is_none());
        let in_source = &results[4]["suppressions"][0];
        assert_eq!(in_source["kind"], "inSource");
        assert_eq!(
            in_source["location"]["physicalLocation"]["region"]["startLine"],
            6
        );
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .expect("notifications");
        assert_eq!(notes.len(), 4);
        assert_eq!(
            notes[0]["properties"]["rules"],
            serde_json::json!(["CC6-012", "CC6-013"])
        );
        assert!(notes[1].get("locations").is_none());
        assert_eq!(notes[2]["properties"]["target"], "local:.");
        assert!(notes[2].get("associatedRule").is_none());
        assert!(notes[3].get("locations").is_none());
    }
}
