//! Reporters: evaluations to bytes, one module per format.
//!
//! Every reporter receives the same [`ReportInput`]: the rules that ran, the evaluations, the
//! source text of the files findings point at (for code frames), and the run's settings.

pub mod audit;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;
pub mod trail;

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

use crate::engine::{Evaluation, Outcome, Warning};
use crate::rules::{Rule, RuleSet, Severity};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// Human-readable findings with code frames and a summary table.
    Table,
    /// Every evaluation, machine-readable, with a `schema_version`.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// JUnit XML for GitLab, Jenkins and test-report actions.
    Junit,
    /// The auditor's report in Markdown, grouped by criterion.
    Markdown,
    /// The auditor's report as one self-contained HTML file.
    Html,
}

impl Format {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "junit" => Ok(Format::Junit),
            "markdown" | "md" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            other => Err(format!(
                "unknown format `{other}` (expected table, json, sarif, junit, markdown or html)"
            )),
        }
    }
}

/// Writes evaluations in a format to `out`. JSON, SARIF and JUnit are written as they are
/// built, never whole in memory; the table and the auditor's reports are rendered first.
pub fn render_to(format: Format, input: &ReportInput<'_>, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Table => out.write_all(table::render(input).as_bytes()),
        Format::Json => json::write(input, out),
        Format::Sarif => sarif::write(input, out),
        Format::Junit => junit::write(input, out),
        Format::Markdown => out.write_all(markdown::render(input).as_bytes()),
        Format::Html => out.write_all(html::render(input).as_bytes()),
    }
}

/// Renders evaluations in a format, as a string.
pub fn render(format: Format, input: &ReportInput<'_>) -> String {
    match format {
        Format::Table => table::render(input),
        Format::Json => json::render(input),
        Format::Sarif => sarif::render(input),
        Format::Junit => junit::render(input),
        Format::Markdown => markdown::render(input),
        Format::Html => html::render(input),
    }
}

/// Source text of files, keyed by (target, path), for code frames.
pub type Sources = HashMap<(String, String), Arc<str>>;

/// Everything a reporter needs.
#[derive(Clone, Copy)]
pub struct ReportInput<'a> {
    /// The rules that ran.
    pub rules: &'a RuleSet,
    /// The evaluations, sorted.
    pub evaluations: &'a [Evaluation],
    /// Problems in the run's own inputs (unused suppressions, ...).
    pub warnings: &'a [Warning],
    /// File contents for code frames.
    pub sources: &'a Sources,
    /// The `--fail-on` threshold.
    pub fail_on: Severity,
    /// Whether `--strict` is on.
    pub strict: bool,
    /// Whether to use colours (table only).
    pub color: bool,
}

impl ReportInput<'_> {
    /// The rule an evaluation belongs to.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.rules.iter().find(|r| r.id == id)
    }

    /// Whether an evaluation makes the run fail.
    pub fn is_blocking(&self, e: &Evaluation) -> bool {
        (e.outcome == Outcome::Fail && e.severity >= self.fail_on)
            || (self.strict && e.outcome == Outcome::Unknown)
    }
}

/// The SOC 2 common criteria points this tool reports on, with their titles.
pub const CRITERIA: &[(&str, &str)] = &[
    ("CC6.1", "Logical access security"),
    ("CC6.2", "User registration and authorization"),
    ("CC6.3", "Role-based access and least privilege"),
    (
        "CC6.6",
        "Protection against threats from outside the system",
    ),
    ("CC6.7", "Restriction of data transmission"),
    ("CC6.8", "Prevention of unauthorized or malicious software"),
    (
        "CC7.1",
        "Detection of configuration changes and vulnerabilities",
    ),
    ("CC7.2", "Monitoring of system components"),
    ("CC7.3", "Evaluation of security events"),
    ("CC7.4", "Response to security incidents"),
    ("CC7.5", "Recovery from security incidents"),
    ("CC8.1", "Change management"),
    ("CC9.2", "Vendor and business partner risk management"),
];

/// The title of a criterion point, or an empty string.
pub fn criterion_title(id: &str) -> &'static str {
    CRITERIA
        .iter()
        .find(|(c, _)| *c == id)
        .map_or("", |(_, t)| *t)
}
