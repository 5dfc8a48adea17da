//! Inline suppressions end to end, on `tests/fixtures/suppress-repo`: a repository whose
//! findings are suppressed by comments (trailing, on the line above, by rule name, in a local
//! action), plus a suppression without a reason (it does not apply), unused ones, one naming an
//! unknown rule, and `# soc2: ignore` text in a quoted string and in a `run: |` block, which are
//! not comments. `no-reason.yml` holds the one failure that stays.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{check_in, copy_tree, count_outcome, json_in, run_in};
use serde_json::Value;

const SARIF_SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/schemas/sarif-schema-2.1.0.json"
);
const CI: &str = ".github/workflows/ci.yml";
const ACTION: &str = ".github/actions/setup/action.yml";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/suppress-repo")
}

/// The fixture without the reasonless suppression: every failure is suppressed with a reason.
fn fully_suppressed() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&repo(), dir.path());
    std::fs::remove_file(dir.path().join(".github/workflows/no-reason.yml")).expect("remove");
    dir
}

fn evaluations(report: &Value) -> &Vec<Value> {
    report["evaluations"].as_array().expect("evaluations")
}

/// (rule, path, line) of the evaluations with `outcome`.
fn with_outcome(report: &Value, outcome: &str) -> BTreeSet<(String, String, u64)> {
    evaluations(report)
        .iter()
        .filter(|e| e["outcome"] == outcome)
        .map(|e| {
            (
                e["rule"].as_str().unwrap().to_string(),
                e["location"]["path"].as_str().unwrap_or("").to_string(),
                e["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn key(rule: &str, path: &str, line: u64) -> (String, String, u64) {
    (rule.to_string(), path.to_string(), line)
}

fn expected_excepted() -> BTreeSet<(String, String, u64)> {
    [
        key("CC6-015", CI, 15), // trailing comment
        key("CC9-001", CI, 17), // comment on the line above, by rule name
        key("CC9-009", CI, 20), // above a `run:`, below a quoted `# soc2:` string
        key("CC9-001", ACTION, 7),
    ]
    .into_iter()
    .collect()
}

#[test]
fn suppressed_failures_are_excepted_with_their_waiver() {
    let report = json_in(&repo(), &[], 1);
    assert_eq!(with_outcome(&report, "excepted"), expected_excepted());
    assert_eq!(
        with_outcome(&report, "fail"),
        [key("CC9-001", ".github/workflows/no-reason.yml", 12)]
            .into_iter()
            .collect(),
        "a suppression without a reason does not apply"
    );
    assert_eq!(report["summary"]["excepted"], 4);
    assert_eq!(report["passed"], false);

    let pinned = evaluations(&report)
        .iter()
        .find(|e| e["outcome"] == "excepted" && e["location"]["line"] == 17)
        .expect("the excepted CC9-001 finding");
    assert!(
        pinned["message"]
            .as_str()
            .is_some_and(|m| m.contains("dtolnay/rust-toolchain@stable")),
        "the finding keeps its message: {pinned}"
    );
    let waiver = &pinned["waiver"];
    assert_eq!(waiver["kind"], "suppression");
    assert_eq!(
        waiver["reason"],
        "first-party toolchain action, reviewed quarterly (SEC-142)"
    );
    assert_eq!(waiver["source"]["path"], CI);
    assert_eq!(waiver["source"]["line"], 16);
    assert_eq!(waiver["source"]["column"], 7);
    assert!(waiver.get("approved_by").is_none() && waiver.get("expires").is_none());
}

#[test]
fn problems_with_suppressions_are_warnings() {
    let report = json_in(&repo(), &[], 1);
    let warnings: Vec<(String, u64, String)> = report["warnings"]
        .as_array()
        .expect("a top-level warnings array")
        .iter()
        .map(|w| {
            assert_eq!(w["target"], "local:.");
            (
                w["location"]["path"].as_str().unwrap().to_string(),
                w["location"]["line"].as_u64().unwrap(),
                w["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let summary: Vec<(&str, u64, &str)> = warnings
        .iter()
        .map(|(p, l, m)| {
            let kind = if m.starts_with("unused suppression") {
                "unused"
            } else if m.starts_with("a suppression needs a reason") {
                "no reason"
            } else if m.contains("`CC9-999`") {
                "unknown rule"
            } else {
                panic!("unexpected warning: {m}")
            };
            (p.as_str(), *l, kind)
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (".github/dependabot.yml", 3, "unknown rule"),
            (CI, 25, "unused"), // CC9-001
            (CI, 25, "unused"), // CC9-009
            (".github/workflows/no-reason.yml", 12, "no reason"),
        ],
        "{warnings:#?}"
    );
    // Warnings do not change the exit code: the clean demo has none, and the report passes.
    let clean = json_in(&common::clean_repo(), &[], 0);
    assert_eq!(clean["warnings"], serde_json::json!([]));
}

#[test]
fn only_real_comments_are_suppressions() {
    let out = run_in(&repo(), &["facts", "."]);
    assert_eq!(common::code(&out), 0, "{}", common::stderr(&out));
    let facts: Value = serde_json::from_str(&common::stdout(&out)).expect("facts JSON");
    let found: Vec<(String, u64)> = facts["repositories"][0]["suppressions"]
        .as_array()
        .expect("suppressions are recorded")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // Not line 18 of ci.yml (inside a quoted string) nor line 23 (inside a `run: |` block).
    assert_eq!(
        found,
        vec![
            (".github/actions/setup/action.yml".to_string(), 6),
            (".github/dependabot.yml".to_string(), 3),
            (CI.to_string(), 15),
            (CI.to_string(), 16),
            (CI.to_string(), 19),
            (CI.to_string(), 25),
            (".github/workflows/no-reason.yml".to_string(), 12),
        ]
    );
    let multi = &facts["repositories"][0]["suppressions"][5];
    assert_eq!(multi["rules"], serde_json::json!(["CC9-001", "CC9-009"]));
    assert_eq!(multi["reason"], "nothing below fails any more");
}

#[test]
fn exit_code_is_zero_when_every_failure_is_suppressed_with_a_reason() {
    let dir = fully_suppressed();
    let report = json_in(dir.path(), &[], 0);
    assert_eq!(count_outcome(&report, "fail"), 0);
    assert_eq!(with_outcome(&report, "excepted"), expected_excepted());
    assert_eq!(report["passed"], true);

    // The same from a facts dump: suppressions travel with the facts.
    let facts = dir.path().join("facts.json");
    let out = run_in(
        dir.path(),
        &["facts", ".", "-o", facts.to_str().expect("UTF-8 path")],
    );
    assert_eq!(common::code(&out), 0, "{}", common::stderr(&out));
    let out = run_in(
        dir.path(),
        &["check", "--facts", "facts.json", "-f", "json"],
    );
    assert_eq!(common::code(&out), 0, "{}", common::stderr(&out));
    let replayed: Value = serde_json::from_str(&common::stdout(&out)).expect("JSON");
    assert_eq!(with_outcome(&replayed, "excepted"), expected_excepted());
    assert_eq!(replayed["warnings"], report["warnings"]);
}

#[test]
fn sarif_carries_suppressions_and_warnings() {
    let text = check_in(&repo(), &["-f", "sarif"], 1);
    let log: Value = serde_json::from_str(&text).expect("SARIF is JSON");

    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(SARIF_SCHEMA).expect("the shared SARIF schema exists"),
    )
    .expect("the schema is JSON");
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF is invalid:\n{}",
        errors.join("\n")
    );

    let run = &log["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 5, "4 excepted + 1 failing");
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 4);
    let checkout = suppressed
        .iter()
        .find(|r| r["ruleId"] == "CC6-015")
        .expect("the suppressed CC6-015 result");
    let s = &checkout["suppressions"][0];
    assert_eq!(s["kind"], "inSource");
    assert_eq!(s["status"], "accepted");
    assert_eq!(
        s["justification"],
        "the job only reads; no later step pushes"
    );
    assert_eq!(
        s["location"]["physicalLocation"]["artifactLocation"]["uri"],
        CI
    );
    assert_eq!(s["location"]["physicalLocation"]["region"]["startLine"], 15);

    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    let warnings: Vec<&Value> = notes
        .iter()
        .filter(|n| {
            n["message"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("suppression"))
        })
        .collect();
    assert_eq!(warnings.len(), 4, "{notes:#?}");
    assert!(warnings.iter().all(|n| n["level"] == "warning"
        && n["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64()));
}

#[test]
fn junit_skips_excepted_cases_with_the_reason() {
    let xml = check_in(&repo(), &["-f", "junit"], 1);
    let doc = roxmltree::Document::parse(&xml).expect("JUnit is well-formed");
    let skipped: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter_map(|tc| {
            let skipped = tc.children().find(|c| c.has_tag_name("skipped"))?;
            let message = skipped.attribute("message")?;
            message.starts_with("excepted").then(|| {
                (
                    tc.attribute("name").unwrap_or("").to_string(),
                    message.to_string(),
                )
            })
        })
        .collect();
    assert_eq!(skipped.len(), 4, "{skipped:#?}");
    let (_, toolchain) = skipped
        .iter()
        .find(|(name, _)| name.contains("dtolnay/rust-toolchain"))
        .expect("the suppressed toolchain step");
    assert_eq!(
        toolchain,
        "excepted: first-party toolchain action, reviewed quarterly (SEC-142) (suppressed at .github/workflows/ci.yml:16)"
    );
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, 1);
}

#[test]
fn table_lists_excepted_findings_and_warnings() {
    let text = check_in(&repo(), &[], 1);
    let excepted = text
        .split("\nExcepted\n")
        .nth(1)
        .expect("an Excepted section");
    let (excepted, warnings) = excepted
        .split_once("\nWarnings\n")
        .expect("a Warnings section after it");
    assert!(
        excepted.contains("CC9-001 .github/workflows/ci.yml:17:15")
            && excepted.contains(
                "suppression: first-party toolchain action, reviewed quarterly (SEC-142) · .github/workflows/ci.yml:16:7"
            ),
        "{excepted}"
    );
    assert_eq!(excepted.matches("suppression: ").count(), 4);
    assert!(
        warnings.contains(".github/workflows/no-reason.yml:12:44  a suppression needs a reason")
    );
    assert!(warnings.contains(".github/dependabot.yml:3:3  the suppression names `CC9-999`"));
    assert!(text.contains("4 excepted · 4 warnings — FAILED"), "{text}");
    // Excepted findings are not listed again among the failures of their rule.
    let findings = text.split("\nExcepted\n").next().unwrap_or("");
    assert!(!findings.contains("ci.yml:17:15"), "{findings}");
}
