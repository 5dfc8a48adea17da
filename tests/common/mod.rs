//! Helpers shared by the CLI and output tests: fixture paths and running the real binary.

#![allow(dead_code)] // each test crate uses a different subset

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// The demo repository: passes, failures of several rules, and unknowns (a broken workflow).
pub fn demo_repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo-repo")
}

/// A repository on which every applicable control passes.
pub fn clean_repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clean-repo")
}

/// The binary, with a deterministic environment.
pub fn soc2() -> Command {
    let mut cmd = Command::cargo_bin("soc2").expect("the soc2 binary is built");
    cmd.env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("GITLAB_TOKEN");
    cmd
}

/// Runs `soc2 ARGS` in `dir` and returns the output, whatever the exit code.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    soc2()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("soc2 runs")
}

/// The exit code of a finished run.
pub fn code(out: &Output) -> i32 {
    out.status
        .code()
        .expect("soc2 exited normally, not by a signal")
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// Runs `soc2 check . ARGS` in `dir`, asserts the exit code and returns stdout.
pub fn check_in(dir: &Path, args: &[&str], expected_code: i32) -> String {
    let mut all = vec!["check", "."];
    all.extend_from_slice(args);
    let out = run_in(dir, &all);
    assert_eq!(
        code(&out),
        expected_code,
        "soc2 {} in {}\nstdout:\n{}\nstderr:\n{}",
        all.join(" "),
        dir.display(),
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

/// `soc2 check . -f json ARGS` in `dir`, parsed.
pub fn json_in(dir: &Path, args: &[&str], expected_code: i32) -> Value {
    let mut all = vec!["-f", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&check_in(dir, &all, expected_code)).expect("the JSON report parses")
}

/// Copies a directory tree (files and directories only).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk the fixture");
        let rel = entry.path().strip_prefix(from).expect("under the root");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("create a directory");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy a file");
        }
    }
}

/// The outcomes of a JSON report, counted.
pub fn count_outcome(report: &Value, outcome: &str) -> usize {
    report["evaluations"]
        .as_array()
        .expect("evaluations")
        .iter()
        .filter(|e| e["outcome"] == outcome)
        .count()
}
