//! JUnit XML for GitLab, Jenkins and test-report actions.
//!
//! One `<testsuite>` per SOC 2 criterion (an evaluation goes to its rule's primary criterion),
//! one `<testcase>` per (rule × subject) with `classname="soc2.CC8_1"` and a name that starts
//! with the rule id and ends with the subject, unique within the report. Fail → `<failure>`;
//! unknown, not applicable and excepted → `<skipped>` with the reason (unknown → `<error>` under
//! `--strict`). `file` and `line` are set where the finding has a location.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::{ReportInput, criterion_title, sarif::artifact_uri};
use crate::engine::{Evaluation, Outcome};

fn case_name(input: &ReportInput<'_>, e: &Evaluation) -> String {
    let name = input.rule(&e.rule).map_or("", |r| r.name.as_str());
    if e.target == "local:." {
        format!("{} {name} [{}]", e.rule, e.resource)
    } else {
        format!("{} {name} [{} {}]", e.rule, e.target, e.resource)
    }
}

fn case(input: &ReportInput<'_>, e: &Evaluation, name: String, classname: &str) -> TestCase {
    let rule = input.rule(&e.rule);
    let status = match e.outcome {
        Outcome::Pass => TestCaseStatus::success(),
        Outcome::Fail => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(e.message.replace('\n', " "));
            s.set_type(e.severity.as_str());
            let mut details = e.message.clone();
            if let Some(loc) = &e.location {
                details.push_str(&format!(
                    "\n\nat {}",
                    artifact_uri(
                        &e.target,
                        &format!("{}:{}:{}", loc.path, loc.line, loc.column)
                    )
                ));
            }
            if let Some(r) = rule {
                details.push_str(&format!("\n\nRemediation: {}", r.remediation));
            }
            s.set_description(details);
            s
        }
        Outcome::Unknown if input.strict => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_message(format!("unknown: {}", e.message.replace('\n', " ")));
            s.set_type("unknown");
            s
        }
        Outcome::Excepted => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(excepted_message(e));
            s
        }
        Outcome::Unknown | Outcome::NotApplicable => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!(
                "{}: {}",
                e.outcome.as_str(),
                e.message.replace('\n', " ")
            ));
            s
        }
    };
    let mut tc = TestCase::new(name, status);
    tc.set_classname(classname);
    tc.set_time(Duration::ZERO);
    if let Some(loc) = &e.location {
        tc.extra
            .insert("file".into(), artifact_uri(&e.target, &loc.path).into());
        tc.extra.insert("line".into(), loc.line.to_string().into());
    }
    tc
}

/// `excepted: <reason> (approved by X, expires D)`, or for a suppression comment
/// `excepted: <reason> (suppressed at path:line)`.
fn excepted_message(e: &Evaluation) -> String {
    let Some(w) = &e.waiver else {
        return format!("excepted: {}", e.message.replace('\n', " "));
    };
    let mut details = Vec::new();
    if let Some(by) = &w.approved_by {
        details.push(format!("approved by {by}"));
    }
    if let Some(d) = &w.expires {
        details.push(format!("expires {d}"));
    }
    if w.kind == crate::suppress::KIND
        && let Some(src) = &w.source
    {
        details.push(format!(
            "suppressed at {}:{}",
            artifact_uri(&e.target, &src.path),
            src.line
        ));
    }
    let reason = w.reason.replace('\n', " ");
    if details.is_empty() {
        format!("excepted: {reason}")
    } else {
        format!("excepted: {reason} ({})", details.join(", "))
    }
}

/// Renders the JUnit report.
pub fn render(input: &ReportInput<'_>) -> String {
    let mut by_criterion: BTreeMap<String, Vec<&Evaluation>> = BTreeMap::new();
    for e in input.evaluations {
        let criterion = input.rule(&e.rule).map_or_else(
            || "CC0.0".to_string(),
            |r| r.primary_criterion().to_string(),
        );
        by_criterion.entry(criterion).or_default().push(e);
    }
    let mut report = Report::new("soc2");
    report.set_time(Duration::ZERO);
    let mut used: HashSet<String> = HashSet::new();
    for (criterion, evals) in by_criterion {
        let title = criterion_title(&criterion);
        let suite_name = if title.is_empty() {
            criterion.clone()
        } else {
            format!("{criterion} {title}")
        };
        let mut suite = TestSuite::new(suite_name);
        suite.set_time(Duration::ZERO);
        suite.add_property(Property::new("soc2.version", env!("CARGO_PKG_VERSION")));
        suite.add_property(Property::new("fail_on", input.fail_on.as_str()));
        suite.add_property(Property::new("strict", input.strict.to_string()));
        let classname = format!("soc2.{}", criterion.replace('.', "_"));
        for e in evals {
            let mut name = case_name(input, e);
            let mut n = 1;
            while !used.insert(name.clone()) {
                n += 1;
                name = format!("{} #{n}", case_name(input, e));
            }
            suite.add_test_case(case(input, e, name, &classname));
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .unwrap_or_else(|e| format!("<?xml version=\"1.0\"?><!-- {e} -->\n"))
}
