//! JSON: every rule and evaluation, with stable field names and a `schema_version`. Excepted
//! evaluations carry their `waiver`; problems in the run's own inputs (unused suppressions, ...)
//! are in the top-level `warnings`.

use std::io::{self, Write};

use serde::Serialize;

use super::ReportInput;
use crate::engine::{Evaluation, Summary, Warning};
use crate::facts::ToolInfo;

/// Version of the JSON report format; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    tool: ToolInfo,
    rule_set_digest: String,
    fail_on: &'static str,
    strict: bool,
    passed: bool,
    summary: Summary,
    rules: Vec<RuleInfo<'a>>,
    evaluations: &'a [Evaluation],
    warnings: &'a [Warning],
}

#[derive(Serialize)]
struct RuleInfo<'a> {
    id: &'a str,
    name: &'a str,
    title: &'a str,
    criteria: &'a [String],
    severity: &'static str,
    scope: String,
    rationale: &'a str,
    remediation: &'a str,
    references: &'a [String],
    digest: &'a str,
}

/// Writes the JSON report to `out`.
pub fn write(input: &ReportInput<'_>, out: &mut dyn Write) -> io::Result<()> {
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo::current(),
        rule_set_digest: input.rules.digest(),
        fail_on: input.fail_on.as_str(),
        strict: input.strict,
        passed: !input.evaluations.iter().any(|e| input.is_blocking(e)),
        summary: Summary::of(input.evaluations),
        rules: input
            .rules
            .rules
            .iter()
            .map(|r| RuleInfo {
                id: &r.id,
                name: &r.name,
                title: &r.title,
                criteria: &r.criteria,
                severity: r.severity.as_str(),
                scope: r.scope_names(),
                rationale: &r.rationale,
                remediation: &r.remediation,
                references: &r.references,
                digest: &r.digest,
            })
            .collect(),
        evaluations: input.evaluations,
        warnings: input.warnings,
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}

/// Renders the JSON report.
pub fn render(input: &ReportInput<'_>) -> String {
    let mut out = Vec::new();
    match write(input, &mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\":\"{e}\"}}\n"),
    }
}
