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
