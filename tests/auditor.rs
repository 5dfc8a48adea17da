//! Auditor deliverables, through the real binary: the Markdown and HTML reports (snapshots,
//! escaping, self-containment), evidence bundles (round trip, re-performance, redaction,
//! signatures, every kind of tampering) and the ledger (verification, tampering, the
//! operating-effectiveness report).

mod common;

use std::path::{Path, PathBuf};

use common::{clean_repo, code, copy_tree, demo_repo, run_in, soc2, stderr, stdout};
use serde_json::Value;

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({filters => vec![(r"[0-9a-f]{64}", "[sha256]")]}, {
        insta::assert_snapshot!(name, text);
    });
}

fn demo(format: &str) -> String {
    let out = run_in(&demo_repo(), &["check", ".", "-f", format]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    stdout(&out)
}

// ---------------------------------------------------------------------------------------------
// Reports

#[test]
fn markdown_report_snapshot() {
    let text = demo("markdown");
    for needle in [
        "# SOC 2 controls report",
        "## Summary",
        "## CC6 Logical and physical access controls",
        "### CC8.1 Change management",
        "**Declared policy:**",
        "## Exceptions",
        "## Unknowns",
        "`.github/workflows/ci.yml:",
    ] {
        assert!(text.contains(needle), "markdown lacks {needle:?}");
    }
    snapshot("demo_markdown", &text);
}

#[test]
fn html_report_snapshot_is_self_contained() {
    let text = demo("html");
    assert!(text.starts_with("<!DOCTYPE html>"));
    // Nothing is loaded from anywhere: no scripts, no external resources, and a CSP that
    // forbids them.
    for forbidden in [
        "<script", " src=", "<link", "@import", "url(", "http://", "https://",
    ] {
        assert!(!text.contains(forbidden), "HTML contains {forbidden:?}");
    }
    assert!(text.contains("Content-Security-Policy"));
    assert!(text.contains("default-src 'none'"));
    // The summary links to every control section, and every control link has its target.
    let ids: Vec<&str> = text
        .split("id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    let links: Vec<&str> = text
        .split("href=\"#")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert!(links.len() > 20, "{} links", links.len());
    for l in &links {
        assert!(ids.contains(l), "link #{l} has no target");
    }
    assert!(ids.contains(&"cc9-001") && links.contains(&"cc9-001"));
    assert!(text.contains("<svg"), "the summary has a chart");
    snapshot("demo_html", &text);
}

#[test]
fn reports_escape_text_from_pipeline_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(
        wf.join("ci.yml"),
        "name: x\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - name: \"<img src=x onerror=alert(1)> | pipe\"\n        uses: evil/<b>action</b>@v1\n",
    )
    .expect("write");
    let html = stdout(&run_in(dir.path(), &["check", ".", "-f", "html"]));
    assert!(
        html.contains("&lt;b&gt;action&lt;/b&gt;"),
        "escaped: {html}"
    );
    assert!(
        !html.contains("<b>action"),
        "markup from a file is never emitted"
    );
    let md = stdout(&run_in(dir.path(), &["check", ".", "-f", "markdown"]));
    assert!(!md.contains("<b>action"), "markdown escapes markup");
    assert!(md.contains("evil/"), "the finding is there");
}

// ---------------------------------------------------------------------------------------------
// Evidence bundles

fn files_of(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .expect("under")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `check . --evidence BUNDLE` on the demo repository, with extra arguments.
fn bundle_of_demo(bundle: &Path, extra: &[&str]) {
    let b = bundle.to_str().expect("utf-8 path");
    let mut args = vec!["check", ".", "-f", "json", "--evidence", b];
    args.extend_from_slice(extra);
    let out = run_in(&demo_repo(), &args);
    assert_eq!(code(&out), 1, "demo fails; stderr: {}", stderr(&out));
    assert!(
        stderr(&out).contains("wrote evidence bundle"),
        "{}",
        stderr(&out)
    );
}

fn verify(dir: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["evidence", "verify", dir.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    let out = soc2().args(&args).output().expect("runs");
    (code(&out), format!("{}{}", stdout(&out), stderr(&out)))
}

#[test]
fn bundle_round_trip_and_reperformance() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bundle = tmp.path().join("bundle");
    bundle_of_demo(&bundle, &[]);

    let files = files_of(&bundle);
    for f in [
        "evaluations.json",
        "facts.json",
        "manifest.json",
        "policy.toml",
        "report.html",
        "report.md",
        "results.sarif",
        "rules.json",
        "run.json",
        "soc2.toml",
    ] {
        assert!(
            files.contains(&f.to_string()),
            "bundle lacks {f}: {files:?}"
        );
    }
    // The manifest lists every other file with its real hash, in canonical JSON.
    let manifest_text = std::fs::read_to_string(bundle.join("manifest.json")).expect("manifest");
    let manifest: Value = serde_json::from_str(&manifest_text).expect("json");
    assert!(
        !manifest_text.trim_end().contains('\n'),
        "canonical: one line"
    );
    let listed = manifest["files"].as_object().expect("files");
    assert_eq!(listed.len(), files.len() - 1, "all but the manifest itself");
    for (name, entry) in listed {
        let bytes = std::fs::read(bundle.join(name)).expect("listed file exists");
        assert_eq!(entry["sha256"], sha256_hex(&bytes), "{name}");
        assert_eq!(entry["size"], bytes.len(), "{name}");
    }

    // Run metadata: tool version, time, targets with their commit.
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("run.json")).expect("run"))
            .expect("json");
    assert_eq!(run["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(run["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(run["targets"][0]["id"], "local:.");
    let commit = run["targets"][0]["commit"].as_str().unwrap_or_default();
    assert!(
        commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()),
        "the fixture lives in a git checkout: {run}"
    );
    let rules: Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("rules.json")).expect("rules"))
            .expect("json");
    assert_eq!(rules["rule_set_digest"], run["rule_set_digest"]);
    assert!(rules["rules"].as_array().expect("rules").len() > 10);
    assert_eq!(rules["rules"][0]["sha256"].as_str().map(str::len), Some(64));

    // The resolved policy is readable TOML with every area.
    let policy: toml::Table =
        toml::from_str(&std::fs::read_to_string(bundle.join("policy.toml")).expect("policy"))
            .expect("policy.toml is TOML");
    for area in [
        "change_management",
        "supply_chain",
        "scanning",
        "deployment",
        "access",
    ] {
        assert!(policy.contains_key(area), "policy.toml lacks {area}");
    }

    let (status, text) = verify(&bundle, &[]);
    assert_eq!(status, 0, "{text}");
    assert!(
        text.contains("intact") && text.contains("not signed"),
        "{text}"
    );

    // Re-performance: the facts and the configuration give the same evaluations.
    let out = soc2()
        .current_dir(&bundle)
        .args(["check", "--facts", "facts.json", "-f", "json"])
        .output()
        .expect("runs");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let again: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let original: Value = serde_json::from_str(
        &std::fs::read_to_string(bundle.join("evaluations.json")).expect("evaluations"),
    )
    .expect("json");
    assert_eq!(again["evaluations"], original["evaluations"]);
    assert!(
        !original["evaluations"]
            .as_array()
            .expect("array")
            .is_empty()
    );
}

#[test]
fn bundles_record_the_api_urls_of_github_targets() {
    // A facts dump of a GitHub repository, as `soc2 facts --github acme/api` writes it.
    let tmp = tempfile::tempdir().expect("tempdir");
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/github-base.facts.json"),
        )
        .expect("base facts"),
    )
    .expect("json");
    let dump = tmp.path().join("facts.json");
    let facts = serde_json::json!({
        "facts_version": soc2::facts::FACTS_VERSION,
        "tool": {"name": "soc2", "version": env!("CARGO_PKG_VERSION")},
        "repositories": [base],
    });
    std::fs::write(&dump, facts.to_string()).expect("write");
    let bundle = tmp.path().join("bundle");
    let out = soc2()
        .current_dir(tmp.path())
        .args([
            "check",
            "--facts",
            "facts.json",
            "-f",
            "json",
            "--evidence",
            bundle.to_str().expect("utf-8"),
        ])
        .output()
        .expect("runs");
    assert!(
        stderr(&out).contains("wrote evidence bundle"),
        "{}",
        stderr(&out)
    );
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("run.json")).expect("run"))
            .expect("json");
    let target = &run["targets"][0];
    assert_eq!(target["id"], "github:acme/api", "{run}");
    assert_eq!(target["kind"], "github");
    assert_eq!(target["api_url"], "https://api.github.com");
    assert_eq!(
        target["repository_url"],
        "https://api.github.com/repos/acme/api"
    );
    assert_eq!(verify(&bundle, &[]).0, 0, "the bundle verifies");
}

#[test]
fn every_kind_of_tampering_is_detected() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let key = tmp.path().join("signing.key");
    let out = soc2()
        .args(["evidence", "keygen", key.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let public = tmp.path().join("signing.key.pub");
    let public_arg = public.to_str().expect("utf-8");
    let original = tmp.path().join("original");
    bundle_of_demo(&original, &["--sign-key", key.to_str().expect("utf-8")]);
    let (status, text) = verify(&original, &["--public-key", public_arg]);
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("signature valid, by the given key"), "{text}");

    let fresh = |name: &str| -> PathBuf {
        let dir = tmp.path().join(name);
        copy_tree(&original, &dir);
        dir
    };

    // A changed byte.
    let dir = fresh("byte");
    let mut bytes = std::fs::read(dir.join("report.md")).expect("read");
    bytes[10] ^= 0x01;
    std::fs::write(dir.join("report.md"), bytes).expect("write");
    let (status, text) = verify(&dir, &["--public-key", public_arg]);
    assert_eq!(status, 1, "{text}");
    assert!(text.contains("report.md: changed"), "{text}");
    assert_eq!(
        text.matches("TAMPERED").count(),
        1,
        "only that file: {text}"
    );

    // A removed file.
    let dir = fresh("removed");
    std::fs::remove_file(dir.join("facts.json")).expect("rm");
    let (status, text) = verify(&dir, &[]);
    assert_eq!(status, 1, "{text}");
    assert!(
        text.contains("facts.json: listed in the manifest but missing"),
        "{text}"
    );

    // An added file.
    let dir = fresh("added");
    std::fs::write(dir.join("extra.txt"), "slipped in").expect("write");
    let (status, text) = verify(&dir, &[]);
    assert_eq!(status, 1, "{text}");
    assert!(
        text.contains("extra.txt: not listed in the manifest (added)"),
        "{text}"
    );

    // A file changed and the manifest updated to match: the signature no longer holds.
    let dir = fresh("manifest");
    std::fs::write(dir.join("report.md"), "all controls pass\n").expect("write");
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest");
    let old = sha256_hex(&std::fs::read(original.join("report.md")).expect("read"));
    let forged = manifest.replace(&old, &sha256_hex(b"all controls pass\n"));
    assert_ne!(forged, manifest);
    std::fs::write(dir.join("manifest.json"), forged).expect("write");
    let (status, text) = verify(&dir, &[]);
    assert_eq!(status, 1, "{text}");
    assert!(
        text.contains("manifest.sig: does not match manifest.json"),
        "{text}"
    );

    // The wrong key.
    let other = tmp.path().join("other.key");
    let out = soc2()
        .args(["evidence", "keygen", other.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(code(&out), 0);
    let other_pub = tmp.path().join("other.key.pub");
    let (status, text) = verify(
        &original,
        &["--public-key", other_pub.to_str().expect("utf-8")],
    );
    assert_eq!(status, 1, "{text}");
    assert!(text.contains("not by the given key"), "{text}");

    // A signature removed, when a key is required.
    let dir = fresh("unsigned");
    std::fs::remove_file(dir.join("manifest.sig")).expect("rm");
    let (status, text) = verify(&dir, &["--public-key", public_arg]);
    assert_eq!(status, 1, "{text}");
    assert!(text.contains("the bundle is not signed"), "{text}");

    // Usage errors are not tampering.
    let (status, _) = verify(&tmp.path().join("nope"), &[]);
    assert_eq!(status, 2);
    let (status, text) = verify(&original, &["--public-key", key.to_str().expect("utf-8")]);
    assert_eq!(status, 2, "a secret key given as the public key: {text}");
}

#[test]
fn tokens_and_secrets_never_reach_a_bundle() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/secrets-repo"),
        &repo,
    );
    // A token from the environment that has no well-known shape, written into a pipeline.
    let env_token = "envtok-9f8e7d6c5b4a39281706";
    std::fs::write(
        repo.join(".github/workflows/env.yml"),
        format!(
            "name: env\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo {env_token}\n"
        ),
    )
    .expect("write");
    let gh_token = format!("ghp_{}", "Zz09".repeat(9));
    let bundle = tmp.path().join("bundle");
    let out = soc2()
        .current_dir(&repo)
        .env("GITLAB_TOKEN", env_token)
        .env("GITHUB_TOKEN", &gh_token)
        .args([
            "check",
            ".",
            "--evidence",
            bundle.to_str().expect("utf-8"),
            "--ledger",
            tmp.path().join("ledger.jsonl").to_str().expect("utf-8"),
        ])
        .output()
        .expect("runs");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let planted = [
        "hunter2SuperSecretPw",
        "sk_live_abcdefghijklmnopqrstuvwx",
        "ghp_aBcdefghijklmnopqrstuvwxyz0123456789",
        "AKIAIOSFODNN7EXAMPLE",
        "glpat-abcdefghijklmnopqrstuvwxyz",
        env_token,
        gh_token.as_str(),
    ];
    let mut redactions = 0;
    for f in files_of(&bundle) {
        let text = std::fs::read_to_string(bundle.join(&f)).expect("text");
        redactions += text.matches("[REDACTED]").count();
        for secret in planted {
            assert!(!text.contains(secret), "{f} leaks {secret}");
        }
    }
    let ledger = std::fs::read_to_string(tmp.path().join("ledger.jsonl")).expect("ledger");
    for secret in planted {
        assert!(!ledger.contains(secret), "the ledger leaks {secret}");
    }
    assert!(redactions > 0, "redactions are visible");
    // Redaction kept every JSON file valid, and the bundle verifies.
    assert_eq!(verify(&bundle, &[]).0, 0);
}

#[test]
fn evidence_collect_writes_a_bundle_and_exits_zero() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = run_in(&demo_repo(), &["evidence", "collect", "."]);
    assert_eq!(code(&out), 2, "--evidence is required");
    assert!(stderr(&out).contains("--evidence"));
    let bundle = tmp.path().join("b");
    let out = run_in(
        &demo_repo(),
        &[
            "evidence",
            "collect",
            ".",
            "--evidence",
            bundle.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(bundle.join("manifest.json").is_file());
    // A directory that holds something else is never overwritten.
    let busy = tmp.path().join("busy");
    std::fs::create_dir_all(&busy).expect("mkdir");
    std::fs::write(busy.join("notes.txt"), "mine").expect("write");
    let out = run_in(
        &demo_repo(),
        &["check", ".", "--evidence", busy.to_str().expect("utf-8")],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "refused before any work");
    assert_eq!(
        std::fs::read_to_string(busy.join("notes.txt")).expect("kept"),
        "mine"
    );
    // Nor is a directory that merely has a `manifest.json` (a web app's, say).
    std::fs::write(busy.join("manifest.json"), "{\"name\": \"app\"}").expect("write");
    let out = run_in(
        &demo_repo(),
        &["check", ".", "--evidence", busy.to_str().expect("utf-8")],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(busy.join("notes.txt").is_file() && busy.join("manifest.json").is_file());
    // An earlier bundle is replaced, and a file slipped into it makes that a refusal.
    let out = run_in(
        &demo_repo(),
        &["check", ".", "--evidence", bundle.to_str().expect("utf-8")],
    );
    assert_eq!(code(&out), 1, "replaced: {}", stderr(&out));
    std::fs::write(bundle.join("mine.txt"), "x").expect("write");
    let out = run_in(
        &demo_repo(),
        &["check", ".", "--evidence", bundle.to_str().expect("utf-8")],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(bundle.join("mine.txt").is_file() && bundle.join("facts.json").is_file());

    // Usage errors: a signing key needs a bundle; keygen never overwrites silently.
    let out = run_in(&demo_repo(), &["check", ".", "--sign-key", "k"]);
    assert_eq!(code(&out), 2);
    let key = tmp.path().join("k");
    let keygen = |extra: &[&str]| {
        let mut args = vec!["evidence", "keygen", key.to_str().expect("utf-8")];
        args.extend_from_slice(extra);
        code(&soc2().args(&args).output().expect("runs"))
    };
    assert_eq!(keygen(&[]), 0);
    let first = std::fs::read_to_string(&key).expect("key");
    assert!(first.starts_with("soc2 ed25519 secret key v1\n"));
    assert_eq!(keygen(&[]), 2);
    assert_eq!(std::fs::read_to_string(&key).expect("key"), first);
    assert_eq!(keygen(&["--force"]), 0);
    assert_ne!(
        std::fs::read_to_string(&key).expect("key"),
        first,
        "a new key"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).expect("meta").permissions().mode();
        assert_eq!(mode & 0o077, 0, "the secret key is private: {mode:o}");
    }
}

// ---------------------------------------------------------------------------------------------
// Ledger

fn append(dir: &Path, ledger: &Path) -> i32 {
    code(&run_in(
        dir,
        &[
            "check",
            ".",
            "-f",
            "json",
            "--ledger",
            ledger.to_str().expect("utf-8"),
        ],
    ))
}

fn ledger_verify(ledger: &Path) -> (i32, String) {
    let out = soc2()
        .args(["ledger", "verify", ledger.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    (code(&out), stdout(&out))
}

#[test]
fn ledger_chain_detects_edits_removals_and_reordering() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ledger = tmp.path().join("ledger.jsonl");
    assert_eq!(append(&demo_repo(), &ledger), 1);
    assert_eq!(append(&clean_repo(), &ledger), 0);
    assert_eq!(append(&demo_repo(), &ledger), 1);
    let (status, text) = ledger_verify(&ledger);
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("intact: 3 records"), "{text}");

    let original = std::fs::read_to_string(&ledger).expect("read");
    let lines: Vec<&str> = original.lines().collect();
    assert_eq!(lines.len(), 3);
    let first: Value = serde_json::from_str(lines[0]).expect("json");
    assert_eq!(first["seq"], 1);
    assert_eq!(first["prev"], "0".repeat(64));
    assert_eq!(first["controls"]["CC9-001"], "fail");
    let second: Value = serde_json::from_str(lines[1]).expect("json");
    assert_eq!(second["prev"], sha256_hex(lines[0].as_bytes()));

    let tampered = |text: String, expect: &str| {
        let path = tmp.path().join("tampered.jsonl");
        std::fs::write(&path, text).expect("write");
        let (status, out) = ledger_verify(&path);
        assert_eq!(status, 1, "{out}");
        assert!(out.contains(expect), "expected {expect:?} in {out}");
    };
    let join = |ls: &[&str]| ls.join("\n") + "\n";
    tampered(
        join(&[
            lines[0],
            &lines[1].replacen("\"pass\"", "\"fail\"", 1),
            lines[2],
        ]),
        "line 2: record edited",
    );
    tampered(join(&[lines[0], lines[2]]), "line 2: record(s) removed");
    tampered(
        join(&[lines[0], lines[2], lines[1]]),
        "line 2: records reordered",
    );
    tampered(
        join(&[lines[1], lines[0], lines[2]]),
        "line 1: records reordered",
    );

    // Appending to a tampered ledger is refused, and leaves it as it was.
    let path = tmp.path().join("tampered.jsonl");
    let before = join(&[lines[0], lines[2]]);
    std::fs::write(&path, &before).expect("write");
    let out = run_in(
        &demo_repo(),
        &["check", ".", "--ledger", path.to_str().expect("utf-8")],
    );
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty(), "refused before any work");
    assert!(
        stderr(&out).contains("record(s) removed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), before);
}

#[test]
fn operating_effectiveness_report_from_a_ledger() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ledger = tmp.path().join("ledger.jsonl");
    let bundle = tmp.path().join("bundle");
    // demo fails, the clean repository passes, demo fails again.
    let out = run_in(
        &demo_repo(),
        &[
            "check",
            ".",
            "--ledger",
            ledger.to_str().expect("utf-8"),
            "--evidence",
            bundle.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(append(&clean_repo(), &ledger), 0);
    assert_eq!(append(&demo_repo(), &ledger), 1);
    let first: Value = serde_json::from_str(
        std::fs::read_to_string(&ledger)
            .expect("read")
            .lines()
            .next()
            .expect("line"),
    )
    .expect("json");
    let manifest = std::fs::read(bundle.join("manifest.json")).expect("manifest");
    assert_eq!(
        first["bundle"],
        sha256_hex(&manifest),
        "the record names its bundle"
    );

    // The ledger vouches for an unsigned bundle: a file edited and the manifest rewritten to
    // match passes the hash check, but not the ledger's.
    let ledger_arg = ledger.to_str().expect("utf-8");
    let (status, text) = verify(&bundle, &["--ledger", ledger_arg]);
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("as record 1"), "{text}");
    let forged = tmp.path().join("forged");
    copy_tree(&bundle, &forged);
    let fake = b"all controls pass\n";
    std::fs::write(forged.join("report.md"), fake).expect("write");
    let real = std::fs::read(bundle.join("report.md")).expect("read");
    let manifest_text = String::from_utf8(manifest.clone()).expect("utf-8");
    let rewritten = manifest_text.replace(
        &format!(
            "\"sha256\":\"{}\",\"size\":{}",
            sha256_hex(&real),
            real.len()
        ),
        &format!(
            "\"sha256\":\"{}\",\"size\":{}",
            sha256_hex(fake),
            fake.len()
        ),
    );
    assert_ne!(rewritten, manifest_text);
    std::fs::write(forged.join("manifest.json"), rewritten).expect("write");
    assert_eq!(verify(&forged, &[]).0, 0, "hashes alone cannot tell");
    let (status, text) = verify(&forged, &["--ledger", ledger_arg]);
    assert_eq!(status, 1, "{text}");
    assert!(text.contains("is not recorded in the ledger"), "{text}");

    let report = |args: &[&str]| {
        let mut all = vec!["report", "--ledger", ledger.to_str().expect("utf-8")];
        all.extend_from_slice(args);
        soc2().args(&all).output().expect("runs")
    };
    let out = report(&["--since", "2000-01-01", "--until", "2999-12-31"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let md = stdout(&out);
    assert!(md.contains("# SOC 2 operating effectiveness, 2000-01-01 to 2999-12-31"));
    assert!(md.contains("**Runs in the period:** 3"), "{md}");
    // CC9-001 failed, did not fail (the clean repository), failed: two failure periods, the
    // first one resolved.
    let section = md
        .split("## CC9-001")
        .nth(1)
        .expect("a CC9-001 section")
        .split("\n## ")
        .next()
        .expect("section");
    assert!(section.contains("**Runs:** 3,"), "{section}");
    assert!(section.contains("failed in 2"), "{section}");
    assert!(
        section.contains("passed again at") || section.contains("no longer failing at"),
        "{section}"
    );
    assert!(
        section.contains("still failing at the end of the period"),
        "{section}"
    );

    let out = report(&[
        "--since",
        "2000-01-01",
        "--until",
        "2000-12-31",
        "-f",
        "html",
    ]);
    assert_eq!(code(&out), 0);
    let html = stdout(&out);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("Runs in the period</dt><dd>0"),
        "outside the window"
    );

    let out = report(&["--since", "yesterday-ish"]);
    assert_eq!(code(&out), 2, "a bad date is a usage error");

    // A tampered ledger yields no report.
    let text = std::fs::read_to_string(&ledger).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.remove(1);
    std::fs::write(&ledger, lines.join("\n") + "\n").expect("write");
    let out = report(&[]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("TAMPERED"), "{}", stderr(&out));
}

// ---------------------------------------------------------------------------------------------
// Exceptions

#[test]
fn exceptions_appear_with_reason_approver_and_expiry() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    copy_tree(&demo_repo(), &repo);
    std::fs::write(
        repo.join("soc2.toml"),
        r#"
[[exceptions]]
rule = "CC9-002"
reason = "Base image pinned by the platform team's mirror"
approved_by = "jane@acme.example"
expires = 2099-12-31

[[exceptions]]
rule = "CC8-017"
reason = "Legacy deploy job"
approved_by = "bob@acme.example"
expires = 2020-01-01
"#,
    )
    .expect("write");
    let md = stdout(&run_in(&repo, &["check", ".", "-f", "markdown"]));
    let exceptions = md
        .split("## Exceptions")
        .nth(1)
        .expect("an exceptions section")
        .split("## Unknowns")
        .next()
        .expect("section");
    assert!(
        exceptions.contains("Base image pinned by the platform team's mirror")
            && exceptions.contains("jane@acme.example")
            && exceptions.contains("2099-12-31"),
        "{exceptions}"
    );
    assert!(
        exceptions.contains("2020-01-01 (expired)") && exceptions.contains("bob@acme.example"),
        "{exceptions}"
    );
    let html = stdout(&run_in(&repo, &["check", ".", "-f", "html"]));
    assert!(html.contains("jane@acme.example"));
    assert!(html.contains("<span class=\"badge excepted\">excepted</span>"));

    // Re-performance from a bundle, with no other flag: the bundle's configuration (and so its
    // exceptions) applies.
    let bundle = tmp.path().join("bundle");
    let out = run_in(
        &repo,
        &[
            "check",
            ".",
            "-f",
            "json",
            "--evidence",
            bundle.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let original: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let facts = bundle.join("facts.json");
    let out = run_in(
        tmp.path(),
        &[
            "check",
            "--facts",
            facts.to_str().expect("utf-8"),
            "-f",
            "json",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("using the bundle's configuration"));
    let again: Value = serde_json::from_str(&stdout(&out)).expect("json");
    // Identical, except that the exceptions are now read from the bundle's copy of soc2.toml
    // (same lines, another path).
    let without_config_path = |report: &Value| {
        let mut evals = report["evaluations"].clone();
        for e in evals.as_array_mut().expect("array") {
            if let Some(source) = e.pointer_mut("/waiver/source") {
                assert_eq!(
                    source["path"].as_str().map(|p| p.ends_with("soc2.toml")),
                    Some(true)
                );
                source["path"] = Value::Null;
            }
        }
        evals
    };
    assert_eq!(without_config_path(&again), without_config_path(&original));
    assert!(common::count_outcome(&again, "excepted") > 0);

    // The ledger keeps the exceptions in force, and the period report shows them.
    let ledger = tmp.path().join("ledger.jsonl");
    assert_eq!(append(&repo, &ledger), 1);
    let out = soc2()
        .args(["report", "--ledger", ledger.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = stdout(&out);
    let section = report
        .split("## CC9-002")
        .nth(1)
        .expect("a CC9-002 section")
        .split("\n## ")
        .next()
        .expect("section");
    assert!(
        section.contains("approved by jane@acme.example, expires 2099-12-31"),
        "{section}"
    );
}

// ---------------------------------------------------------------------------------------------
// Operating-effectiveness report snapshots, from a ledger with fixed times

fn evaluation(rule: &str, outcome: soc2::engine::Outcome) -> soc2::engine::Evaluation {
    soc2::engine::Evaluation {
        rule: rule.into(),
        severity: soc2::rules::Severity::High,
        outcome,
        target: "local:.".into(),
        resource: "r".into(),
        subject: "s".into(),
        message: String::new(),
        location: None,
        fingerprint: "f".into(),
        sensitive: false,
        expected: None,
        actual: None,
        waiver: None,
    }
}

#[test]
fn operating_effectiveness_snapshots() {
    use soc2::engine::{Outcome, Waiver};
    use soc2::ledger;
    let mut text = String::new();
    let days = [
        ("2026-01-05T09:00:00Z", Outcome::Pass, Outcome::Fail),
        ("2026-01-12T09:00:00Z", Outcome::Fail, Outcome::Excepted),
        ("2026-01-19T09:00:00Z", Outcome::Fail, Outcome::Excepted),
        ("2026-01-26T09:00:00Z", Outcome::Pass, Outcome::Excepted),
        ("2026-02-02T09:00:00Z", Outcome::Fail, Outcome::Pass),
        ("2026-03-02T09:00:00Z", Outcome::Pass, Outcome::Pass),
    ];
    for (time, pinned, images) in days {
        let verified = ledger::verify_text(&text).expect("intact");
        let mut image = evaluation("CC9-002", images);
        if images == Outcome::Excepted {
            image.waiver = Some(Box::new(Waiver {
                kind: "exception".into(),
                reason: "Mirror pins the base image".into(),
                approved_by: Some("jane@acme.example".into()),
                expires: Some("2026-06-30".into()),
                expired: false,
                source: None,
            }));
        }
        let evals = [evaluation("CC9-001", pinned), image];
        let record = ledger::next_record(
            &verified,
            &ledger::Run {
                time: time.parse().expect("time"),
                targets: vec![ledger::LedgerTarget {
                    id: "local:.".into(),
                    commit: Some("a".repeat(40)),
                }],
                rule_set_digest: "d".repeat(64),
                evaluations: &evals,
                bundle: None,
            },
        );
        text.push_str(&serde_json::to_string(&record).expect("json"));
        text.push('\n');
    }
    // serde's field order differs from the canonical one, so the hashes still verify: the
    // hash covers the content, not the layout.
    let verified = ledger::verify_text(&text).expect("intact");
    let (since, until) =
        ledger::period(&verified, Some("2026-01-01"), Some("2026-02-28")).expect("period");
    let view = ledger::effectiveness(&verified, since, until);
    assert_eq!(view.runs, 5, "March is outside the period");
    let rules = soc2::rules::load_embedded().expect("rules");
    let md = soc2::report::trail::markdown(&view, &rules);
    assert!(md.contains("2026-01-12T09:00:00Z → 2026-01-19T09:00:00Z (2 run(s)); passed again at 2026-01-26T09:00:00Z"), "{md}");
    assert!(
        md.contains("in force 2026-01-12T09:00:00Z → 2026-01-26T09:00:00Z"),
        "{md}"
    );
    snapshot("effectiveness_markdown", &md);
    let html = soc2::report::trail::html(&view, &rules);
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
    snapshot("effectiveness_html", &html);

    assert!(ledger::period(&verified, Some("2026-03-01"), Some("2026-02-01")).is_err());
    let (first, _) = ledger::period(&verified, None, Some("2026-12-31")).expect("default");
    assert_eq!(
        first.to_string(),
        "2026-01-05",
        "defaults to the first record's day"
    );
}
