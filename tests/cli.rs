//! The CLI contract (DESIGN.md §5): every exit code, usage errors with their help, extra
//! outputs, the rule catalog, and replaying a facts dump.

mod common;

use std::path::Path;

use common::{
    check_in, clean_repo, code, count_outcome, demo_repo, json_in, run_in, soc2, stderr, stdout,
};
use predicates::prelude::*;
use serde_json::Value;

/// Asserts a usage error: exit code 2, nothing on stdout (nothing was evaluated), and every
/// `needle` in stderr. Returns stderr.
fn usage_error(dir: &Path, args: &[&str], needles: &[&str]) -> String {
    let out = run_in(dir, args);
    let err = stderr(&out);
    assert_eq!(
        code(&out),
        2,
        "soc2 {}: exit code 2\nstderr:\n{err}",
        args.join(" ")
    );
    assert!(
        out.stdout.is_empty(),
        "soc2 {}: nothing on stdout, got:\n{}",
        args.join(" "),
        stdout(&out)
    );
    let flat = flatten(&err);
    for needle in needles {
        assert!(
            flat.contains(needle),
            "soc2 {}: stderr mentions `{needle}`:\n{err}",
            args.join(" ")
        );
    }
    flat
}

/// A diagnostic as one line: miette wraps long messages and prefixes continuation lines with
/// `│`, at a width that depends on the terminal and on the length of temporary paths.
fn flatten(text: &str) -> String {
    text.lines()
        .map(|l| l.trim().trim_start_matches('│').trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------------
// Help

#[test]
fn help_lists_the_commands() {
    soc2().arg("--help").assert().success().stdout(
        predicate::str::contains("check")
            .and(predicate::str::contains("rules"))
            .and(predicate::str::contains("facts")),
    );
    soc2().args(["check", "--help"]).assert().success().stdout(
        predicate::str::contains("--fail-on")
            .and(predicate::str::contains("--strict"))
            .and(predicate::str::contains("--output"))
            .and(predicate::str::contains("--facts"))
            .and(predicate::str::contains("Exit codes")),
    );
    soc2()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
    // No subcommand is a usage error.
    soc2().assert().code(2);
}

// ---------------------------------------------------------------------------------------------
// Exit code 0

#[test]
fn clean_repository_exits_0() {
    let report = json_in(&clean_repo(), &[], 0);
    assert!(count_outcome(&report, "pass") > 0);
    for outcome in ["fail", "unknown", "excepted"] {
        assert_eq!(
            count_outcome(&report, outcome),
            0,
            "no {outcome} in the clean repo"
        );
    }
    assert_eq!(report["passed"], true);
    // Even under --strict and the strictest threshold.
    check_in(&clean_repo(), &["--strict", "--fail-on", "info"], 0);
    let table = check_in(&clean_repo(), &[], 0);
    assert!(table.contains("PASSED"), "{table}");
}

#[test]
fn selecting_a_passing_rule_exits_0() {
    let report = json_in(&demo_repo(), &["--select", "CC7-001"], 0);
    let evals = report["evaluations"].as_array().unwrap();
    assert!(!evals.is_empty());
    assert!(
        evals
            .iter()
            .all(|e| e["rule"] == "CC7-001" && e["outcome"] == "pass"),
        "{evals:?}"
    );
    // By name as well as id.
    json_in(&demo_repo(), &["--select", "sast-runs"], 0);
}

// ---------------------------------------------------------------------------------------------
// Exit code 1 and --fail-on

#[test]
fn failing_controls_exit_1() {
    let table = check_in(&demo_repo(), &[], 1);
    assert!(table.contains("FAILED"));
    let report = json_in(&demo_repo(), &[], 1);
    assert_eq!(report["passed"], false);
    assert!(count_outcome(&report, "fail") > 0);
}

#[test]
fn fail_on_above_the_worst_failure_exits_0() {
    // CC9-001 is a high-severity rule and fails in the demo repository.
    let report = json_in(&demo_repo(), &["--select", "CC9-001"], 1);
    let fails: Vec<&Value> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["outcome"] == "fail")
        .collect();
    assert!(!fails.is_empty());
    assert!(fails.iter().all(|e| e["severity"] == "high"));

    json_in(
        &demo_repo(),
        &["--select", "CC9-001", "--fail-on", "high"],
        1,
    );
    let report = json_in(
        &demo_repo(),
        &["--select", "CC9-001", "--fail-on", "critical"],
        0,
    );
    assert_eq!(report["passed"], true, "not blocking at --fail-on critical");
    assert_eq!(report["fail_on"], "critical");
    // The failures are still reported.
    assert_eq!(count_outcome(&report, "fail"), fails.len());
    let table = check_in(
        &demo_repo(),
        &["--select", "CC9-001", "--fail-on", "critical"],
        0,
    );
    assert!(
        table.contains("PASSED") && table.contains("fail-on: critical"),
        "{table}"
    );
}

#[test]
fn fail_on_with_a_critical_failure_still_exits_1() {
    // CC6-013 (critical) fails in the demo repository.
    json_in(
        &demo_repo(),
        &["--select", "CC6-013", "--fail-on", "critical"],
        1,
    );
}

// ---------------------------------------------------------------------------------------------
// Exit code 2

#[test]
fn unknown_rule_in_select_exits_2_with_a_suggestion() {
    usage_error(
        &demo_repo(),
        &["check", ".", "--select", "CC9-01"],
        &["no rule matches `CC9-01`", "did you mean `CC9-001`?"],
    );
    usage_error(
        &demo_repo(),
        &["check", ".", "--select", "actions-pined-to-sha"],
        &["did you mean `actions-pinned-to-sha`?"],
    );
    usage_error(
        &demo_repo(),
        &["check", ".", "--ignore", "CC6-0133"],
        &["--ignore", "did you mean `CC6-013`?"],
    );
    // Nothing close: point at the catalog instead.
    usage_error(
        &demo_repo(),
        &["check", ".", "--select", "XYZ-999"],
        &["soc2 rules list"],
    );
}

#[test]
fn missing_path_exits_2() {
    usage_error(
        &demo_repo(),
        &["check", "does-not-exist"],
        &["does-not-exist", "not a directory"],
    );
    usage_error(
        &demo_repo(),
        &["check", "Cargo.toml"],
        &["Cargo.toml", "not a directory"],
    );
    usage_error(
        &demo_repo(),
        &["facts", "does-not-exist"],
        &["does-not-exist"],
    );
}

#[test]
fn invalid_rule_file_exits_2_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let rule = "\
id: XX1-001
name: demo-rule
title: A demo rule
criteria: [CC6.1]
severity: low
scope: repo
assert: 'true'
message: never shown
rationale: none
remediation: none
references: [https://example.com/controls/xx1]
severity_override: high
";
    let file = dir.path().join("XX1-001-demo-rule.yml");
    std::fs::write(&file, rule).unwrap();
    let rules_dir = dir.path().to_str().unwrap();
    let err = usage_error(
        &demo_repo(),
        &["check", ".", "--rules", rules_dir],
        &["XX1-001-demo-rule.yml", "unknown field `severity_override`"],
    );
    // The code frame points at the offending key.
    assert!(err.contains("XX1-001-demo-rule.yml:12:1]"), "{err}");
    assert!(err.contains("12 │ severity_override: high"), "{err}");

    // The same file, valid, loads and runs.
    std::fs::write(&file, rule.replace("severity_override: high\n", "")).unwrap();
    let report = json_in(
        &demo_repo(),
        &["--rules", rules_dir, "--select", "XX1-001"],
        0,
    );
    assert_eq!(count_outcome(&report, "pass"), 1, "{report}");

    // `rules list` validates extra rules the same way.
    std::fs::write(&file, rule).unwrap();
    usage_error(
        &demo_repo(),
        &["rules", "list", "--rules", rules_dir],
        &["XX1-001-demo-rule.yml:12:1]"],
    );
}

#[test]
fn malformed_output_option_exits_2() {
    for (value, needle) in [
        ("sarif", "expected FORMAT=PATH"),
        ("sarif=", "no path after `sarif=`"),
        ("yaml=out.yaml", "unknown format `yaml`"),
        ("=out.sarif", "unknown format ``"),
    ] {
        usage_error(&demo_repo(), &["check", ".", "-o", value], &[needle]);
    }
    usage_error(&demo_repo(), &["check", ".", "-f", "xml"], &["xml"]);
    usage_error(
        &demo_repo(),
        &["check", ".", "--fail-on", "severe"],
        &["severe"],
    );
}

#[test]
fn unreadable_facts_dump_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("facts.json");
    std::fs::write(&file, "{\"facts_version\": 1, \"tool\": ").unwrap();
    usage_error(
        &demo_repo(),
        &["check", "--facts", file.to_str().unwrap()],
        &["not a facts dump"],
    );
    std::fs::write(
        &file,
        r#"{"facts_version": 999, "tool": {"name": "soc2", "version": "9"}, "repositories": []}"#,
    )
    .unwrap();
    usage_error(
        &demo_repo(),
        &["check", "--facts", file.to_str().unwrap()],
        &["facts version 999"],
    );
}

// ---------------------------------------------------------------------------------------------
// Exit code 3

#[test]
fn strict_with_unknown_and_no_failure_exits_3() {
    // CC6-014 does not fail in the demo repository, but the broken workflow leaves it unknown.
    let report = json_in(&demo_repo(), &["--select", "CC6-014"], 0);
    assert_eq!(count_outcome(&report, "fail"), 0);
    assert!(count_outcome(&report, "unknown") > 0);

    let report = json_in(&demo_repo(), &["--select", "CC6-014", "--strict"], 3);
    assert_eq!(report["strict"], true);
    assert_eq!(report["passed"], false);
    let table = check_in(&demo_repo(), &["--select", "CC6-014", "--strict"], 3);
    assert!(
        table.contains("strict") && table.contains("FAILED"),
        "{table}"
    );
}

#[test]
fn failures_take_precedence_over_incomplete_evidence() {
    json_in(&demo_repo(), &["--strict"], 1);
}

#[test]
fn strict_on_a_parse_error_only_repository_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::copy(
        demo_repo().join(".github/workflows/broken.yml"),
        wf.join("broken.yml"),
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        &["check", ".", "--strict", "--select", "CC9-001"],
    );
    assert_eq!(code(&out), 3, "{}", stdout(&out));
}

// ---------------------------------------------------------------------------------------------
// Outputs

#[test]
fn several_outputs_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("soc2.sarif");
    let junit = dir.path().join("reports/soc2.xml");
    std::fs::create_dir_all(junit.parent().unwrap()).unwrap();
    let out = run_in(
        &demo_repo(),
        &[
            "check",
            ".",
            "-f",
            "json",
            "-o",
            &format!("sarif={}", sarif.display()),
            "--output",
            &format!("junit={}", junit.display()),
        ],
    );
    assert_eq!(code(&out), 1);
    let report: Value = serde_json::from_str(&stdout(&out)).expect("stdout is the JSON report");
    assert!(report["evaluations"].is_array());

    let sarif_text = std::fs::read_to_string(&sarif).expect("the SARIF file was written");
    let log: Value = serde_json::from_str(&sarif_text).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["runs"][0]["results"].as_array().unwrap().len(),
        count_outcome(&report, "fail")
    );
    assert_eq!(
        sarif_text,
        check_in(&demo_repo(), &["-f", "sarif"], 1),
        "same bytes as -f sarif"
    );

    let junit_text = std::fs::read_to_string(&junit).expect("the JUnit file was written");
    roxmltree::Document::parse(&junit_text).expect("JUnit file is XML");
    assert_eq!(
        junit_text,
        check_in(&demo_repo(), &["-f", "junit"], 1),
        "same bytes as -f junit"
    );
}

#[test]
fn output_to_an_unwritable_path_is_an_error() {
    let out = run_in(
        &demo_repo(),
        &["check", ".", "-o", "sarif=no-such-dir/x/soc2.sarif"],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("no-such-dir/x/soc2.sarif"));
    assert!(!demo_repo().join("no-such-dir").exists());
}

// ---------------------------------------------------------------------------------------------
// Rules

fn rule_files() -> Vec<String> {
    let mut ids = Vec::new();
    for entry in walkdir::WalkDir::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy();
        if name.ends_with(".yml") {
            ids.push(name.splitn(3, '-').take(2).collect::<Vec<_>>().join("-"));
        }
    }
    ids.sort();
    ids
}

#[test]
fn rules_list_shows_every_rule() {
    let ids = rule_files();
    assert!(ids.len() >= 20, "{ids:?}");
    let out = soc2().args(["rules", "list"]).output().unwrap();
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    for id in &ids {
        assert!(text.contains(id.as_str()), "`rules list` shows {id}");
    }
    assert!(text.contains(&format!("{} rules", ids.len())), "{text}");

    let out = soc2()
        .args(["rules", "list", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let listed: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = listed.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ids);

    let out = soc2()
        .args(["rules", "list", "--select", "CC9", "-f", "json"])
        .output()
        .unwrap();
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["id"].as_str().unwrap().starts_with("CC9-"))
    );
}

#[test]
fn rules_explain_shows_a_rule() {
    for key in ["CC9-001", "actions-pinned-to-sha"] {
        soc2()
            .args(["rules", "explain", key])
            .assert()
            .success()
            .stdout(
            predicate::str::starts_with("CC9-001 actions-pinned-to-sha\n")
                .and(predicate::str::contains(
                    "Third-party actions and reusable workflows are pinned to a full commit SHA",
                ))
                .and(predicate::str::contains("Severity:   high"))
                .and(predicate::str::contains(
                    "CC9.2 (Vendor and business partner risk management)",
                ))
                .and(predicate::str::contains(
                    "Passes:     has(uses.ref) && is_sha(uses.ref)",
                ))
                .and(predicate::str::contains("How to fix"))
                .and(predicate::str::contains("https://")),
        );
    }
}

#[test]
fn rules_explain_of_an_unknown_rule_exits_2_with_a_suggestion() {
    usage_error(
        &demo_repo(),
        &["rules", "explain", "CC9-01"],
        &["no rule `CC9-01`", "did you mean `CC9-001`?"],
    );
    usage_error(
        &demo_repo(),
        &["rules", "explain", "cc9-001x"],
        &["did you mean `CC9-001`?"],
    );
}

// ---------------------------------------------------------------------------------------------
// Facts

fn evaluations(report: &Value) -> &Value {
    &report["evaluations"]
}

#[test]
fn a_facts_dump_replays_to_the_same_evaluations() {
    let direct = json_in(&demo_repo(), &[], 1);

    // Through a file.
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("facts.json");
    let out = run_in(&demo_repo(), &["facts", ".", "-o", dump.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let facts: Value = serde_json::from_str(&std::fs::read_to_string(&dump).unwrap()).unwrap();
    assert_eq!(facts["facts_version"], 1);
    assert!(
        !facts["repositories"][0]["workflows"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Replayed from anywhere: the dump carries everything.
    let replay = run_in(
        dir.path(),
        &["check", "--facts", dump.to_str().unwrap(), "-f", "json"],
    );
    assert_eq!(code(&replay), 1, "{}", stderr(&replay));
    let replayed: Value = serde_json::from_slice(&replay.stdout).unwrap();
    assert_eq!(evaluations(&replayed), evaluations(&direct));
    assert_eq!(replayed["summary"], direct["summary"]);

    // Through a pipe: `soc2 facts . | soc2 check --facts -`.
    let stdout_dump = run_in(&demo_repo(), &["facts", "."]);
    assert_eq!(code(&stdout_dump), 0);
    assert_eq!(
        stdout_dump.stdout,
        std::fs::read(&dump).unwrap(),
        "`facts` to stdout and to -o agree"
    );
    let piped = soc2()
        .current_dir(dir.path())
        .args(["check", "--facts", "-", "-f", "json"])
        .write_stdin(stdout_dump.stdout)
        .output()
        .unwrap();
    assert_eq!(code(&piped), 1, "{}", stderr(&piped));
    let piped: Value = serde_json::from_slice(&piped.stdout).unwrap();
    assert_eq!(evaluations(&piped), evaluations(&direct));
}

#[test]
fn facts_and_paths_conflict() {
    let out = run_in(&demo_repo(), &["check", ".", "--facts", "x.json"]);
    assert_eq!(code(&out), 2);
}
