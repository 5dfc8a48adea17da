//! The HTML report in a real headless browser (Debian's `chromium`): it renders, the DOM holds
//! the report's content, the browser logs no console or script error, and a screenshot is
//! written under the target directory (its path is printed).
//!
//! The test fails, rather than skips, when no browser is installed: set `SOC2_CHROMIUM` to a
//! Chromium binary, or install Debian's `chromium` package (`.ci/run` does).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{code, demo_repo, run_in, stderr, stdout};

fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("SOC2_CHROMIUM") {
        return PathBuf::from(p);
    }
    for candidate in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ] {
        if Path::new(candidate).is_file() {
            return PathBuf::from(candidate);
        }
    }
    panic!(
        "no Chromium found: install Debian's `chromium` package (`apt-get install -y --no-install-recommends chromium`) or set SOC2_CHROMIUM to a Chromium binary"
    );
}

fn browse(profile: &Path, extra: &[&str], url: &str) -> Output {
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium starts");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Console messages and script errors in Chromium's log (`CONSOLE(...)`, `Uncaught ...`),
/// including a refused load, which would mean the page tried to fetch something.
fn console_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains("CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Refused to")
                || l.contains("Content Security Policy")
                || l.contains("ERR_")
        })
        .collect()
}

#[test]
fn html_report_renders_in_a_headless_browser() {
    let out = run_in(&demo_repo(), &["check", ".", "-f", "html"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let html = stdout(&out);

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html_browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the test directory");
    let page = dir.join("report.html");
    std::fs::write(&page, &html).expect("write the report");
    let url = format!("file://{}", page.display());

    // The DOM after rendering holds the report.
    let profile = tempfile::tempdir().expect("profile dir");
    let dom = browse(profile.path(), &["--dump-dom"], &url);
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    for needle in [
        "SOC 2 controls report",
        "id=\"summary\"",
        "id=\"cc9-001\"",
        "Declared policy",
        "<svg",
    ] {
        assert!(dom_text.contains(needle), "the DOM lacks {needle:?}");
    }
    let log = String::from_utf8_lossy(&dom.stderr);
    let errors = console_errors(&log);
    assert!(errors.is_empty(), "console errors: {errors:#?}");

    // A screenshot.
    let shot = dir.join("report.png");
    let profile = tempfile::tempdir().expect("profile dir");
    let out = browse(
        profile.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000",
        ],
        &url,
    );
    let errors_log = String::from_utf8_lossy(&out.stderr);
    let errors = console_errors(&errors_log);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    let png = std::fs::read(&shot).expect("the screenshot was written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        png.len() > 20_000,
        "a non-trivial picture: {} bytes",
        png.len()
    );
    println!("screenshot: {}", shot.display());

    // Printed: the page lays out to PDF.
    let pdf = dir.join("report.pdf");
    let profile = tempfile::tempdir().expect("profile dir");
    browse(
        profile.path(),
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
        ],
        &url,
    );
    let bytes = std::fs::read(&pdf).expect("the PDF was written");
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    assert!(
        bytes.len() > 20_000,
        "a non-trivial PDF: {} bytes",
        bytes.len()
    );
    println!("printed: {}", pdf.display());
}

#[test]
fn operating_effectiveness_report_renders_in_a_headless_browser() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html_browser_trail");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the test directory");
    let ledger = dir.join("ledger.jsonl");
    let ledger_arg = ledger.to_str().expect("utf-8");
    for repo in [demo_repo(), common::clean_repo(), demo_repo()] {
        let out = run_in(&repo, &["check", ".", "-f", "json", "--ledger", ledger_arg]);
        assert!(code(&out) <= 1, "{}", stderr(&out));
    }
    let page = dir.join("trail.html");
    let out = common::soc2()
        .args(["report", "--ledger", ledger_arg, "-f", "html", "-o"])
        .arg(&page)
        .output()
        .expect("runs");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let url = format!("file://{}", page.display());
    let profile = tempfile::tempdir().expect("profile dir");
    let dom = browse(profile.path(), &["--dump-dom"], &url);
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    for needle in [
        "SOC 2 operating effectiveness",
        "id=\"cc9-001\"",
        "Failure periods",
    ] {
        assert!(dom_text.contains(needle), "the DOM lacks {needle:?}");
    }
    let log = String::from_utf8_lossy(&dom.stderr);
    let errors = console_errors(&log);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    let shot = dir.join("trail.png");
    let profile = tempfile::tempdir().expect("profile dir");
    browse(
        profile.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,1600",
        ],
        &url,
    );
    let png = std::fs::read(&shot).expect("the screenshot was written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000);
    println!("screenshot: {}", shot.display());
}

/// The check itself can fail: a page that logs a console error is caught.
#[test]
fn console_errors_are_detected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><script>console.error('boom'); undefinedFn();</script></body></html>",
    )
    .expect("write");
    let profile = tempfile::tempdir().expect("profile dir");
    let out = browse(
        profile.path(),
        &["--dump-dom"],
        &format!("file://{}", page.display()),
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        !console_errors(&log).is_empty(),
        "the log shows the errors: {log}"
    );
}
