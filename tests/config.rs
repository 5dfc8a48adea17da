//! soc2.toml: `soc2 init`, the JSON Schema, validation errors (snapshots of what the user
//! sees), profiles, severity overrides, selection and exceptions, through the real binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn soc2(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("soc2").expect("binary builds");
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100");
    cmd
}

fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo-repo");
    for entry in walkdir::WalkDir::new(&src)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(&src).expect("under src");
        let to = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
    dir
}

/// Runs `soc2 check` with `config` as soc2.toml and returns (exit code, stdout, stderr).
fn check_with(config: &str, args: &[&str]) -> (i32, String, String) {
    let dir = demo_copy();
    std::fs::write(dir.path().join("soc2.toml"), config).expect("write config");
    let out = soc2(dir.path())
        .arg("check")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn error_of(config: &str) -> String {
    let (code, _, stderr) = check_with(config, &[]);
    assert_eq!(code, 2, "configuration errors exit 2: {stderr}");
    stderr
}

#[test]
fn init_writes_the_documented_starter_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    soc2(dir.path()).arg("init").assert().success();
    let text = std::fs::read_to_string(dir.path().join("soc2.toml")).expect("written");
    insta::assert_snapshot!("init_starter_file", text);
    let out = soc2(dir.path()).arg("init").output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    std::fs::write(dir.path().join("soc2.toml"), "# mine\n").expect("write");
    soc2(dir.path())
        .args(["init", "--force"])
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("soc2.toml")).expect("rewritten");
    assert!(text.contains("[supply_chain]"));
    // The starter file itself is a valid configuration.
    soc2(dir.path())
        .args(["check", "--select", "CC9-001"])
        .assert()
        .code(0);
}

#[test]
fn the_committed_schema_is_current_and_describes_the_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = soc2(root)
        .args(["schema", "config"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let committed = std::fs::read_to_string(root.join("soc2.schema.json"))
        .expect("soc2.schema.json is committed");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        committed,
        "regenerate with `soc2 schema config > soc2.schema.json`"
    );
    let schema: Value = serde_json::from_str(&committed).expect("JSON");
    assert_eq!(schema["title"], "soc2.toml");
    for key in [
        "profile",
        "targets",
        "rules",
        "supply_chain",
        "change_management",
        "exceptions",
    ] {
        assert!(schema["properties"][key].is_object(), "{key} in schema");
    }
    assert_eq!(
        schema["additionalProperties"], false,
        "unknown keys are rejected"
    );
}

#[test]
fn unknown_keys_get_a_suggestion_at_their_position() {
    let err = error_of("[supply_chain]\ntrusted_owner = [\"actions\"]\n");
    insta::assert_snapshot!("error_unknown_key", err);
    assert!(err.contains("did you mean `trusted_owners`?"));
    assert!(err.contains("soc2.toml:2:1"));
}

#[test]
fn wrong_types_are_reported_at_the_value() {
    let err = error_of("[change_management]\nrequired_approvals = \"two\"\n");
    insta::assert_snapshot!("error_wrong_type", err);
    assert!(err.contains("soc2.toml:2:22"));
}

#[test]
fn bad_dates_and_missing_fields_in_exceptions() {
    let err = error_of(
        "[[exceptions]]\nrule = \"CC9-001\"\nreason = \"r\"\napproved_by = \"me\"\nexpires = 2027-02-30\n",
    );
    insta::assert_snapshot!("error_bad_date", err);
    let err =
        error_of("[[exceptions]]\nrule = \"CC9-001\"\nreason = \"r\"\nexpires = 2027-01-30\n");
    assert!(err.contains("missing field `approved_by`"), "{err}");
    let err = error_of(
        "[[exceptions]]\nrule = \"CC9-001\"\nreason = \"  \"\napproved_by = \"me\"\nexpires = 2027-01-30\n",
    );
    assert!(err.contains("non-empty `reason`"), "{err}");
}

#[test]
fn unknown_rule_ids_are_reported_with_a_suggestion() {
    let err = error_of("[rules]\nignore = [\"CC6-0015\"]\n");
    insta::assert_snapshot!("error_unknown_rule", err);
    assert!(err.contains("did you mean `CC6-015`?"));
    let err = error_of("[rules.severity]\n\"CC9-01\" = \"low\"\n");
    assert!(err.contains("no rule matches `CC9-01`"), "{err}");
    let err = error_of(
        "[[exceptions]]\nrule = \"actions-pinned-to-shaa\"\nreason = \"r\"\napproved_by = \"me\"\nexpires = 2030-01-01\n",
    );
    assert!(
        err.contains("did you mean `actions-pinned-to-sha`?"),
        "{err}"
    );
    assert!(err.contains("soc2.toml:2:8"), "{err}");
    let err = error_of("[rules]\nseverity = { \"CC9-001\" = \"severe\" }\n");
    assert!(err.contains("unknown variant `severe`"), "{err}");
}

#[test]
fn api_targets_are_read_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("soc2.toml");
    std::fs::write(
        &path,
        "[targets]\ngithub = [\"acme/api\"]\ngitlab = [\"acme/platform/api\"]\ngitlab_groups = [\"acme\"]\ngitlab_url = \"https://gitlab.example.com\"\n",
    )
    .unwrap();
    let loaded = soc2::config::load(&path).expect("API targets are accepted");
    let t = &loaded.config.targets;
    assert_eq!(t.github, ["acme/api"]);
    assert_eq!(t.gitlab, ["acme/platform/api"]);
    assert_eq!(t.gitlab_groups, ["acme"]);
    assert_eq!(t.gitlab_url.as_deref(), Some("https://gitlab.example.com"));
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).expect("JSON report")
}

fn outcomes(report: &Value, rule: &str) -> Vec<(String, String)> {
    report["evaluations"]
        .as_array()
        .expect("evaluations")
        .iter()
        .filter(|e| e["rule"] == rule)
        .map(|e| {
            (
                e["outcome"].as_str().unwrap_or("").to_string(),
                e["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn profiles_set_defaults_and_explicit_keys_win() {
    // baseline trusts tags of actions/* and github/*; strict pins everything.
    let select = ["-f", "json", "--select", "CC9-001"];
    let (_, base, _) = check_with("", &select);
    let (_, strict, _) = check_with("profile = \"strict\"\n", &select);
    let fails = |r: &Value| {
        outcomes(r, "CC9-001")
            .iter()
            .filter(|(o, _)| o == "fail")
            .count()
    };
    assert!(
        fails(&json(&strict)) > fails(&json(&base)),
        "strict fails more actions"
    );
    // An explicit key overrides the profile.
    let (_, relaxed, _) = check_with(
        "profile = \"strict\"\n[supply_chain]\ntrusted_owners = [\"actions\", \"github\"]\n",
        &select,
    );
    assert_eq!(fails(&json(&relaxed)), fails(&json(&base)));
}

#[test]
fn selection_and_severity_overrides_apply() {
    let (_, out, _) = check_with(
        "[rules]\nselect = [\"CC9\"]\nignore = [\"CC9-006\"]\nseverity = { \"actions-pinned-to-sha\" = \"critical\" }\n",
        &["-f", "json"],
    );
    let report = json(&out);
    let rules: std::collections::BTreeSet<_> = report["evaluations"]
        .as_array()
        .expect("evals")
        .iter()
        .map(|e| e["rule"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        rules
            .iter()
            .all(|r| r.starts_with("CC9-") && r != "CC9-006"),
        "{rules:?}"
    );
    assert!(
        outcomes(&report, "CC9-001")
            .iter()
            .all(|(_, s)| s == "critical")
    );
    // The command line's --select replaces the file's.
    let (_, out, _) = check_with(
        "[rules]\nselect = [\"CC9\"]\n",
        &["-f", "json", "--select", "CC6-015"],
    );
    let report = json(&out);
    assert!(
        report["evaluations"]
            .as_array()
            .expect("evals")
            .iter()
            .all(|e| e["rule"] == "CC6-015")
    );
}

const EXCEPTIONS: &str = r#"
[[exceptions]]
rule = "CC9-001"
path = ".github/workflows/release.yml"
reason = "Release workflow reviewed by the release team"
approved_by = "jane@example.com"
expires = 2999-12-31

[[exceptions]]
rule = "CC6-015"
reason = "Expired long ago"
approved_by = "bob@example.com"
expires = 2001-01-01
"#;

#[test]
fn exceptions_become_excepted_in_every_format_and_expire() {
    let (_, out, _) = check_with(EXCEPTIONS, &["-f", "json"]);
    let report = json(&out);
    let evals = report["evaluations"].as_array().expect("evals");
    let excepted: Vec<_> = evals
        .iter()
        .filter(|e| e["outcome"] == "excepted")
        .collect();
    assert!(!excepted.is_empty());
    for e in &excepted {
        assert_eq!(e["rule"], "CC9-001");
        assert_eq!(e["location"]["path"], ".github/workflows/release.yml");
        assert_eq!(e["waiver"]["approved_by"], "jane@example.com");
        assert_eq!(e["waiver"]["expires"], "2999-12-31");
    }
    let expired: Vec<_> = evals
        .iter()
        .filter(|e| e["rule"] == "CC6-015" && e["outcome"] == "fail")
        .collect();
    assert!(!expired.is_empty());
    for e in expired {
        assert!(
            e["message"]
                .as_str()
                .unwrap_or("")
                .contains("expired on 2001-01-01")
        );
        assert_eq!(e["waiver"]["expired"], true);
    }
    let (_, sarif, _) = check_with(EXCEPTIONS, &["-f", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif).expect("SARIF");
    let suppressed: Vec<_> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), excepted.len());
    let justification = suppressed[0]["suppressions"][0]["justification"]
        .as_str()
        .unwrap_or("");
    assert!(justification.contains("release team"), "{justification}");
    let (_, junit, _) = check_with(EXCEPTIONS, &["-f", "junit"]);
    assert!(
        junit.contains("excepted"),
        "JUnit lists excepted cases as skipped"
    );
    let (_, table, _) = check_with(EXCEPTIONS, &["-f", "table"]);
    assert!(
        table.contains("Release workflow reviewed by the release team"),
        "{table}"
    );
}

#[test]
fn config_flag_and_targets_from_the_file() {
    let dir = demo_copy();
    let cfg_dir = tempfile::tempdir().expect("tempdir");
    let cfg = cfg_dir.path().join("audit.toml");
    std::fs::write(
        &cfg,
        format!(
            "[targets]\npaths = [{:?}]\n",
            dir.path().display().to_string()
        ),
    )
    .expect("write");
    let out = soc2(cfg_dir.path())
        .args(["check", "-f", "json", "-c"])
        .arg(&cfg)
        .output()
        .expect("runs");
    let report = json(&String::from_utf8_lossy(&out.stdout));
    let target = report["evaluations"][0]["target"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let name = dir.path().file_name().expect("name").to_string_lossy();
    assert!(target.ends_with(name.as_ref()), "{target}");
    let missing: PathBuf = cfg_dir.path().join("nope.toml");
    let out = soc2(cfg_dir.path())
        .args(["check", "-c"])
        .arg(&missing)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("soc2 init"));
}
