//! The output formats, produced by the real binary on the demo repository
//! (`tests/fixtures/demo-repo`, run from inside it with the path `.` so paths are stable):
//! snapshots of every format, SARIF validated against the SARIF 2.1.0 schema and GitHub's
//! ingestion rules, JUnit checked against the JSON report, and exact locations.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use common::{check_in, copy_tree, count_outcome, demo_repo, json_in, stderr};
use serde_json::Value;

const SARIF_SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/schemas/sarif-schema-2.1.0.json"
);

/// Runs the demo repository in `format`; the demo has failing controls, so the exit code is 1.
fn demo(format: &str) -> String {
    let out = common::run_in(&demo_repo(), &["check", ".", "-f", format]);
    assert_eq!(
        common::code(&out),
        1,
        "demo repo fails; stderr:\n{}",
        stderr(&out)
    );
    assert!(
        out.stderr.is_empty(),
        "nothing on stderr when it is not a terminal: {}",
        stderr(&out)
    );
    let text = common::stdout(&out);
    // Nothing machine-specific may leak into a report run on `.`.
    let manifest = env!("CARGO_MANIFEST_DIR");
    assert!(
        !text.contains(manifest),
        "{format} output contains the absolute path {manifest}"
    );
    text
}

fn sarif(dir: &Path) -> Value {
    serde_json::from_str(&check_in(dir, &["-f", "sarif"], 1)).expect("SARIF parses as JSON")
}

// ---------------------------------------------------------------------------------------------
// Snapshots

/// Snapshots live in `tests/snapshots/outputs__<name>.snap`. The reports of a run on `.` hold
/// no absolute path, time or host name (checked in [`demo`]); the tool version is kept on
/// purpose. Rule-file digests are masked, so that editing a rule's wording does not churn every
/// snapshot (the digests are tested where rules are loaded).
fn snapshot(name: &str, text: &str) {
    insta::with_settings!({filters => vec![(r"[0-9a-f]{64}", "[sha256]")]}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn table_snapshot() {
    let text = demo("table");
    assert!(!text.contains('\x1b'), "NO_COLOR: no escape sequences");
    snapshot("demo_table", &text);
}

#[test]
fn json_snapshot() {
    let text = demo("json");
    let report: Value = serde_json::from_str(&text).expect("JSON parses");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["version"], env!("CARGO_PKG_VERSION"));
    snapshot("demo_json", &text);
}

#[test]
fn sarif_snapshot() {
    snapshot("demo_sarif", &demo("sarif"));
}

#[test]
fn junit_snapshot() {
    snapshot("demo_junit", &demo("junit"));
}

/// The demo repository exercises what it is meant to: passes, failures of several rules and
/// unknowns from the broken workflow.
#[test]
fn demo_repo_has_every_kind_of_outcome() {
    let report = json_in(&demo_repo(), &[], 1);
    assert!(count_outcome(&report, "pass") > 0);
    assert!(count_outcome(&report, "unknown") > 0);
    let failing: BTreeSet<&str> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["outcome"] == "fail")
        .map(|e| e["rule"].as_str().unwrap())
        .collect();
    assert!(failing.len() >= 5, "several rules fail: {failing:?}");
    let broken: Vec<&Value> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["location"]["path"] == ".github/workflows/broken.yml")
        .collect();
    assert!(!broken.is_empty(), "the broken workflow is reported");
    assert!(
        broken.iter().all(|e| e["outcome"] == "unknown"),
        "never a pass or fail without evidence"
    );
}

// ---------------------------------------------------------------------------------------------
// SARIF

/// The shared SARIF 2.1.0 schema, compiled offline (draft-04; only internal `$ref`s).
fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(SARIF_SCHEMA).expect("the shared SARIF schema exists");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles without network access")
}

fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_validates_against_the_schema() {
    let validator = sarif_validator();
    // The validator is not vacuous: a log without `version` and with a bad level is rejected.
    let bad = serde_json::json!({"runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]});
    assert!(
        !schema_errors(&validator, &bad).is_empty(),
        "the schema rejects an invalid log"
    );

    let log = sarif(&demo_repo());
    let errors = schema_errors(&validator, &log);
    assert!(
        errors.is_empty(),
        "SARIF is invalid:\n{}",
        errors.join("\n")
    );
    assert_eq!(log["version"], "2.1.0");

    // A clean run (no results) is valid too.
    let clean = check_in(&common::clean_repo(), &["-f", "sarif"], 0);
    let clean: Value = serde_json::from_str(&clean).unwrap();
    let errors = schema_errors(&validator, &clean);
    assert!(
        errors.is_empty(),
        "SARIF of a clean run is invalid:\n{}",
        errors.join("\n")
    );
    assert_eq!(clean["runs"][0]["results"].as_array().unwrap().len(), 0);
}

fn non_empty_text(v: &Value, what: &str) {
    let text = v["text"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}.text is a string: {v}"));
    assert!(!text.trim().is_empty(), "{what}.text is not empty");
}

#[test]
fn sarif_meets_github_ingestion_rules() {
    let log = sarif(&demo_repo());
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rule descriptors");
    assert!(!rules.is_empty());
    let mut ids = HashSet::new();
    for rule in rules {
        let id = rule["id"].as_str().expect("rule id");
        assert!(ids.insert(id), "rule descriptor {id} is unique");
        non_empty_text(&rule["shortDescription"], &format!("{id} shortDescription"));
        non_empty_text(&rule["fullDescription"], &format!("{id} fullDescription"));
        non_empty_text(&rule["help"], &format!("{id} help"));
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{id} help.markdown"
        );
        assert!(
            rule["helpUri"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://")),
            "{id} helpUri"
        );
        let sev = rule["properties"]["security-severity"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: security-severity is a string, as GitHub expects"));
        let sev: f64 = sev
            .parse()
            .unwrap_or_else(|_| panic!("{id}: security-severity `{sev}` parses as a float"));
        assert!(
            (0.1..=10.0).contains(&sev),
            "{id}: security-severity {sev} in 0.1..=10.0"
        );
        let tags: Vec<&str> = rule["properties"]["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(
            tags.iter().any(|t| t.starts_with("CC")),
            "{id}: the criteria are tags: {tags:?}"
        );
    }

    let results = run["results"].as_array().expect("results");
    let report = json_in(&demo_repo(), &[], 1);
    assert_eq!(
        results.len(),
        count_outcome(&report, "fail"),
        "one result per failing evaluation"
    );
    for (i, r) in results.iter().enumerate() {
        let rule_id = r["ruleId"].as_str().expect("ruleId");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(
            rules[index]["id"], rule_id,
            "result {i}: ruleIndex points at its rule"
        );
        non_empty_text(&r["message"], &format!("result {i} message"));
        let physical = &r["locations"][0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_else(|| panic!("result {i} ({rule_id}) has a physical location"));
        assert!(
            !uri.is_empty() && !uri.starts_with('/') && !uri.contains("://") && !uri.contains('\\'),
            "result {i}: uri `{uri}` is relative"
        );
        assert!(
            demo_repo().join(uri).is_file(),
            "result {i}: `{uri}` exists in the repository"
        );
        let start = physical["region"]["startLine"].as_u64().expect("startLine");
        assert!(start >= 1, "result {i}: startLine {start} >= 1");
        let fp = r["partialFingerprints"]
            .as_object()
            .expect("partialFingerprints");
        assert!(!fp.is_empty());
        assert!(
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                .as_str()
                .is_some_and(|n| !n.is_empty()),
            "result {i}: a logical location names the resource"
        );
    }
}

/// (ruleId, uri, startLine) of each result, keyed by its fingerprints.
fn fingerprints(log: &Value) -> BTreeMap<String, (String, String, u64)> {
    let mut out = BTreeMap::new();
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let key = serde_json::to_string(&r["partialFingerprints"]).unwrap();
        let loc = &r["locations"][0]["physicalLocation"];
        let value = (
            r["ruleId"].as_str().unwrap().to_string(),
            loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
            loc["region"]["startLine"].as_u64().unwrap(),
        );
        assert!(
            out.insert(key.clone(), value).is_none(),
            "fingerprints {key} are unique within a run"
        );
    }
    out
}

#[test]
fn sarif_fingerprints_are_stable_and_independent_of_lines() {
    let first = fingerprints(&sarif(&demo_repo()));
    assert!(!first.is_empty());
    assert_eq!(
        first,
        fingerprints(&sarif(&demo_repo())),
        "stable across runs"
    );

    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&demo_repo(), tmp.path());
    assert_eq!(
        first,
        fingerprints(&sarif(tmp.path())),
        "independent of where the repository is"
    );

    // Push everything in two workflows down by a few lines.
    const SHIFT: u64 = 4;
    let edited = [".github/workflows/ci.yml", ".github/workflows/release.yml"];
    for path in edited {
        let file = tmp.path().join(path);
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(
            &file,
            format!("# Maintained by the platform team.\n\n# See CONTRIBUTING.md.\n\n{text}"),
        )
        .unwrap();
    }
    let moved = fingerprints(&sarif(tmp.path()));
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        moved.keys().collect::<Vec<_>>(),
        "the same findings have the same fingerprints after lines moved"
    );
    let mut shifted = 0;
    for (fp, (rule, uri, line)) in &first {
        let (rule2, uri2, line2) = &moved[fp];
        assert_eq!(
            (rule, uri),
            (rule2, uri2),
            "fingerprint {fp} names the same finding"
        );
        if edited.contains(&uri.as_str()) && *line == 1 {
            // A finding about the file as a whole (e.g. no top-level `permissions:`).
            assert!(
                *line2 == 1 || *line2 == 1 + SHIFT,
                "{rule} in {uri}: line {line2}"
            );
        } else if edited.contains(&uri.as_str()) {
            assert_eq!(
                *line2,
                line + SHIFT,
                "{rule} in {uri}: the line moved with the text"
            );
            shifted += 1;
        } else {
            assert_eq!(line2, line, "{rule} in {uri}: untouched file, same line");
        }
    }
    assert!(
        shifted >= 5,
        "several findings were on moved lines ({shifted})"
    );
}

// ---------------------------------------------------------------------------------------------
// JUnit

struct Case {
    suite: String,
    classname: String,
    name: String,
    kind: &'static str,
    file: Option<String>,
    line: Option<String>,
}

fn junit_cases(xml: &str) -> (Vec<Case>, Vec<String>) {
    let doc = roxmltree::Document::parse(xml).expect("JUnit is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let mut cases = Vec::new();
    let mut suites = Vec::new();
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let suite_name = suite.attribute("name").expect("suite name").to_string();
        let mut counts = BTreeMap::<&str, usize>::new();
        let mut tests = 0;
        for tc in suite.children().filter(|n| n.has_tag_name("testcase")) {
            tests += 1;
            let kind = ["failure", "skipped", "error"]
                .into_iter()
                .find(|k| tc.children().any(|c| c.has_tag_name(*k)))
                .unwrap_or("success");
            *counts.entry(kind).or_default() += 1;
            cases.push(Case {
                suite: suite_name.clone(),
                classname: tc.attribute("classname").expect("classname").to_string(),
                name: tc.attribute("name").expect("name").to_string(),
                kind,
                file: tc.attribute("file").map(String::from),
                line: tc.attribute("line").map(String::from),
            });
        }
        // The suite's own counters agree with its test cases.
        let attr = |a: &str| {
            suite
                .attribute(a)
                .map_or(0, |v| v.parse::<usize>().unwrap())
        };
        assert_eq!(attr("tests"), tests, "{suite_name}: tests");
        for (attr_name, kind) in [
            ("failures", "failure"),
            ("skipped", "skipped"),
            ("errors", "error"),
        ] {
            assert_eq!(
                attr(attr_name),
                counts.get(kind).copied().unwrap_or(0),
                "{suite_name}: {attr_name}"
            );
        }
        suites.push(suite_name);
    }
    (cases, suites)
}

fn check_junit_against_json(junit: &str, report: &Value, strict: bool) {
    let (cases, suites) = junit_cases(junit);
    let evaluations = report["evaluations"].as_array().unwrap();
    assert_eq!(
        cases.len(),
        evaluations.len(),
        "one test case per evaluation"
    );

    // Each evaluation's suite is its rule's primary criterion.
    let primary: BTreeMap<&str, &str> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["criteria"][0].as_str().unwrap(),
            )
        })
        .collect();
    let criteria: BTreeSet<&str> = evaluations
        .iter()
        .map(|e| primary[e["rule"].as_str().unwrap()])
        .collect();
    let suite_criteria: Vec<&str> = suites
        .iter()
        .map(|s| s.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        suite_criteria.iter().copied().collect::<BTreeSet<_>>(),
        criteria,
        "one suite per criterion"
    );
    assert_eq!(
        suite_criteria.len(),
        criteria.len(),
        "no criterion has two suites"
    );

    let classname = regex::Regex::new(r"^soc2\.CC[0-9]_[0-9]+$").unwrap();
    let mut names = HashSet::new();
    for c in &cases {
        assert!(
            classname.is_match(&c.classname),
            "classname `{}`",
            c.classname
        );
        assert!(
            names.insert(c.name.clone()),
            "test case name `{}` is unique",
            c.name
        );
        let criterion = c.suite.split(' ').next().unwrap();
        assert_eq!(
            c.classname,
            format!("soc2.{}", criterion.replace('.', "_")),
            "classname matches the suite"
        );
    }

    // Case by case, in report order within each suite, against the JSON evaluations.
    for criterion in &criteria {
        let in_suite: Vec<&Case> = cases
            .iter()
            .filter(|c| c.suite.starts_with(&format!("{criterion} ")))
            .collect();
        let evals: Vec<&Value> = evaluations
            .iter()
            .filter(|e| primary[e["rule"].as_str().unwrap()] == *criterion)
            .collect();
        assert_eq!(in_suite.len(), evals.len(), "{criterion}: test cases");
        for (c, e) in in_suite.iter().zip(evals) {
            let rule = e["rule"].as_str().unwrap();
            assert!(
                c.name.starts_with(&format!("{rule} ")),
                "`{}` starts with the rule id {rule}",
                c.name
            );
            let expected_kind = match e["outcome"].as_str().unwrap() {
                "pass" => "success",
                "fail" => "failure",
                "unknown" if strict => "error",
                _ => "skipped",
            };
            assert_eq!(
                c.kind, expected_kind,
                "`{}`: outcome {}",
                c.name, e["outcome"]
            );
            match e.get("location") {
                Some(loc) => {
                    assert_eq!(
                        c.file.as_deref(),
                        loc["path"].as_str(),
                        "`{}`: file",
                        c.name
                    );
                    assert_eq!(
                        c.line.as_deref(),
                        Some(loc["line"].to_string().as_str()),
                        "`{}`: line",
                        c.name
                    );
                }
                None => assert!(
                    c.file.is_none() && c.line.is_none(),
                    "`{}`: no location, no file",
                    c.name
                ),
            }
        }
    }

    // Totals.
    let count = |k: &str| cases.iter().filter(|c| c.kind == k).count();
    assert_eq!(count("failure"), count_outcome(report, "fail"));
    let skipped_outcomes =
        count_outcome(report, "not_applicable") + count_outcome(report, "excepted");
    if strict {
        assert_eq!(count("skipped"), skipped_outcomes);
        assert_eq!(count("error"), count_outcome(report, "unknown"));
    } else {
        assert_eq!(
            count("skipped"),
            skipped_outcomes + count_outcome(report, "unknown")
        );
        assert_eq!(count("error"), 0);
    }
}

#[test]
fn junit_matches_the_json_report() {
    let junit = demo("junit");
    let report = json_in(&demo_repo(), &[], 1);
    assert!(count_outcome(&report, "fail") > 0 && count_outcome(&report, "unknown") > 0);
    check_junit_against_json(&junit, &report, false);
    // Located failures carry file and line.
    let (cases, _) = junit_cases(&junit);
    assert!(
        cases
            .iter()
            .filter(|c| c.kind == "failure")
            .all(|c| c.file.is_some() && c.line.is_some())
    );
}

#[test]
fn junit_under_strict_reports_unknown_as_errors() {
    let junit = check_in(&demo_repo(), &["-f", "junit", "--strict"], 1);
    let report = json_in(&demo_repo(), &["--strict"], 1);
    check_junit_against_json(&junit, &report, true);
}

#[test]
fn junit_of_a_clean_repository() {
    let junit = check_in(&common::clean_repo(), &["-f", "junit"], 0);
    let report = json_in(&common::clean_repo(), &[], 0);
    assert!(count_outcome(&report, "not_applicable") > 0);
    check_junit_against_json(&junit, &report, false);
}

// ---------------------------------------------------------------------------------------------
// Locations

/// 1-based (line, column in characters) of the first occurrence of `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (u64, u64) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` is in the file"));
    assert_eq!(text.matches(needle).count(), 1, "`{needle}` occurs once");
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() as u64 + 1;
    (line, column)
}

/// A finding in a `run: |` block of a step deep in a job points at the exact line and column of
/// the offending expression, in every format.
#[test]
fn deep_finding_has_exact_line_and_column() {
    let path = ".github/workflows/ci.yml";
    let text = std::fs::read_to_string(demo_repo().join(path)).unwrap();
    let needle = "${{ github.event.pull_request.title }}";
    let (line, column) = position_of(&text, needle);
    // The value sits inside a block scalar, several lines below `run: |`.
    let run_line = text.lines().position(|l| l.trim() == "run: |").unwrap() as u64 + 1;
    assert!(
        line >= run_line + 2,
        "the expression is deep in the block ({run_line} → {line})"
    );

    let report = json_in(&demo_repo(), &[], 1);
    let finding = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["rule"] == "CC6-013" && e["outcome"] == "fail" && e["location"]["path"] == path)
        .expect("CC6-013 fails on the pull request title");
    let loc = &finding["location"];
    assert_eq!(
        (
            loc["line"].as_u64().unwrap(),
            loc["column"].as_u64().unwrap()
        ),
        (line, column),
        "JSON line:column"
    );
    assert_eq!(loc["end_line"].as_u64().unwrap(), line);
    assert_eq!(
        loc["end_column"].as_u64().unwrap(),
        column + needle.chars().count() as u64,
        "the region ends after `}}`"
    );
    let (offset, length) = (
        loc["offset"].as_u64().unwrap() as usize,
        loc["length"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[offset..offset + length], needle, "byte span");

    let log = sarif(&demo_repo());
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "CC6-013")
        .expect("SARIF result for CC6-013");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (
            region["startLine"].as_u64().unwrap(),
            region["startColumn"].as_u64().unwrap()
        ),
        (line, column)
    );
    assert_eq!(
        region["endColumn"].as_u64().unwrap(),
        column + needle.chars().count() as u64
    );

    let table = check_in(&demo_repo(), &[], 1);
    assert!(
        table.contains(&format!("{path}:{line}:{column}")),
        "table shows {path}:{line}:{column}"
    );
    let junit = check_in(&demo_repo(), &["-f", "junit"], 1);
    assert!(
        junit.contains(&format!("at {path}:{line}:{column}")),
        "JUnit failure text shows the position"
    );
}

/// Values of other kinds are located exactly too: a workflow-level env value and an image.
#[test]
fn other_findings_point_at_their_value() {
    let report = json_in(&demo_repo(), &[], 1);
    for (rule, path, needle) in [
        ("CC6-022", ".github/workflows/release.yml", "true"),
        ("CC9-002", ".github/workflows/ci.yml", "node:20"),
        (
            "CC9-001",
            ".github/workflows/ci.yml",
            "dtolnay/rust-toolchain@stable",
        ),
        (
            "CC9-009",
            ".github/workflows/ci.yml",
            "curl -sSfL https://example.com/install.sh | sh",
        ),
    ] {
        let text = std::fs::read_to_string(demo_repo().join(path)).unwrap();
        let e = report["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["rule"] == rule && e["outcome"] == "fail" && e["location"]["path"] == path)
            .unwrap_or_else(|| panic!("{rule} fails in {path}"));
        let loc = &e["location"];
        let (offset, length) = (
            loc["offset"].as_u64().unwrap() as usize,
            loc["length"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[offset..offset + length], needle, "{rule}: span");
        let line_text = text
            .lines()
            .nth(loc["line"].as_u64().unwrap() as usize - 1)
            .unwrap();
        let col = loc["column"].as_u64().unwrap() as usize;
        let at: String = line_text.chars().skip(col - 1).collect();
        assert!(
            at.starts_with(needle),
            "{rule}: line:column points at `{needle}`, not `{at}`"
        );
    }
}
