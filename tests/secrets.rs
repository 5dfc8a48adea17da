//! Credentials written in pipeline files never appear in any output: every report format, the
//! facts dump, or an error message.

use std::path::Path;

use assert_cmd::Command;

const PLANTED: &[&str] = &[
    "hunter2SuperSecretPw",
    "sk_live_abcdefghijklmnopqrstuvwx",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "ghp_aBcdefghijklmnopqrstuvwxyz0123456789",
    "AKIAIOSFODNN7EXAMPLE",
    "hunter2-registry-pass",
    "glpat-abcdefghijklmnopqrstuvwxyz",
];

fn run(args: &[&str]) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/secrets-repo");
    let out = Command::cargo_bin("soc2")
        .expect("binary builds")
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn planted_credentials_never_appear_in_any_output() {
    // The fixture really contains them.
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/secrets-repo/.github/workflows/ci.yml"),
    )
    .expect("fixture");
    for secret in PLANTED {
        assert!(source.contains(secret), "fixture holds {secret}");
    }
    let outputs = [
        ("table", run(&["check", "."])),
        ("json", run(&["check", "-f", "json", "."])),
        ("sarif", run(&["check", "-f", "sarif", "."])),
        ("junit", run(&["check", "-f", "junit", "."])),
        ("markdown", run(&["check", "-f", "markdown", "."])),
        ("html", run(&["check", "-f", "html", "."])),
        ("facts", run(&["facts", "."])),
        ("strict", run(&["check", "--strict", "-f", "json", "."])),
    ];
    for (name, text) in &outputs {
        assert!(
            text.contains("[REDACTED]") || *name != "table",
            "{name} shows redactions"
        );
        for secret in PLANTED {
            assert!(!text.contains(secret), "{name} output leaks {secret}");
        }
    }
    // Every planted credential is reported by CC6-010.
    let json: serde_json::Value = serde_json::from_str(&outputs[1].1).expect("json");
    let fails = json["evaluations"]
        .as_array()
        .expect("evaluations")
        .iter()
        .filter(|e| e["rule"] == "CC6-010" && e["outcome"] == "fail")
        .count();
    assert!(fails >= 6, "only {fails} CC6-010 failures");
}

/// Credentials planted in the GitLab CI files of the fixture, one of them in an included file.
const GITLAB_PLANTED: &[&str] = &[
    "gl-db-Pa55word-0x7f3a",
    "ghp_Zyxwvutsrqponmlkjihgfedcba9876543210",
    "glpat-Q1w2E3r4T5y6U7i8O9p0",
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
    "wJalrXUtnFEMI/K7MDENG/gitlabPLANTEDKEYx1",
];

/// A token in the environment, as an API provider would read it.
const ENV_TOKEN: &str = "ghp_EnvironmentTokenPlanted0123456789abcd";

#[test]
fn gitlab_credentials_and_tokens_never_reach_outputs_bundles_or_ledgers() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/secrets-repo");
    let files = ["/.gitlab-ci.yml", "/ci/deploy.yml"]
        .map(|f| std::fs::read_to_string(format!("{}{f}", fixture.display())).expect("fixture"))
        .join("\n");
    for secret in GITLAB_PLANTED {
        assert!(files.contains(secret), "fixture holds {secret}");
    }
    let work = tempfile::tempdir().expect("tempdir");
    let bundle = work.path().join("bundle");
    let ledger = work.path().join("ledger.jsonl");
    let mut texts: Vec<(String, String)> = Vec::new();
    for args in [
        vec!["check", "-f", "json", "."],
        vec!["check", "-f", "sarif", "."],
        vec!["check", "-f", "junit", "."],
        vec!["check", "-f", "markdown", "."],
        vec!["check", "-f", "html", "."],
        vec!["check", "."],
        vec!["facts", "."],
        vec!["check", "--facts", "does-not-exist.json"],
    ] {
        let out = Command::cargo_bin("soc2")
            .expect("binary builds")
            .current_dir(&fixture)
            .env("NO_COLOR", "1")
            .env("GITHUB_TOKEN", ENV_TOKEN)
            .env("GITLAB_TOKEN", ENV_TOKEN)
            .args(&args)
            .output()
            .expect("runs");
        texts.push((
            args.join(" "),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        ));
    }
    let out = Command::cargo_bin("soc2")
        .expect("binary builds")
        .current_dir(&fixture)
        .env("GITHUB_TOKEN", ENV_TOKEN)
        .args(["check", "-f", "json", "--evidence"])
        .arg(&bundle)
        .arg("--ledger")
        .arg(&ledger)
        .arg(".")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "the fixture fails controls");
    for entry in walkdir::WalkDir::new(work.path())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let bytes = std::fs::read(entry.path()).expect("read");
        texts.push((
            entry.path().display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    assert!(
        texts
            .iter()
            .any(|(name, _)| name.ends_with("manifest.json")),
        "the bundle was written"
    );
    assert!(
        texts.iter().any(|(name, _)| name.ends_with("ledger.jsonl")),
        "the ledger was written"
    );
    for (name, text) in &texts {
        for secret in GITLAB_PLANTED.iter().chain([&ENV_TOKEN]) {
            assert!(!text.contains(secret), "{name} leaks {secret}");
        }
    }
    // The GitLab credentials are reported (values hidden) where they are written.
    let json: serde_json::Value = serde_json::from_str(&texts[0].1).expect("json");
    let located: Vec<String> = json["evaluations"]
        .as_array()
        .expect("evaluations")
        .iter()
        .filter(|e| e["rule"] == "CC6-010" && e["outcome"] == "fail")
        .filter_map(|e| e["location"]["path"].as_str().map(str::to_string))
        .filter(|p| !p.starts_with(".github"))
        .collect();
    assert!(
        located.iter().filter(|p| *p == ".gitlab-ci.yml").count() >= 3,
        "{located:?}"
    );
    assert!(located.iter().any(|p| p == "ci/deploy.yml"), "{located:?}");
}
