//! Benchmark of the GitLab provider against the local fake GitLab API (not a timed test): a
//! group of N projects (default 200) in subgroups, with 50 ms added to every answer, audited
//! with `soc2 check --gitlab-group` twice — cold cache, then warm — reporting wall time,
//! requests per project (by endpoint) and the share of `304 Not Modified` answers.
//!
//! ```text
//! cargo build --release --bins --examples && cargo run --release --example gitlab_bench -- [PROJECTS] [LATENCY_MS]
//! cargo run --example gitlab_bench -- --serve   # only run the server, print its URL
//! ```

#[path = "../tests/support/gitlab_server.rs"]
mod gitlab_server;

use std::process::Command;
use std::time::{Duration, Instant};

use gitlab_server::{Kind, Scenario, Server};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--serve") {
        let mut s = Scenario::new(&[
            ("acme/api", Kind::Compliant),
            ("acme/legacy", Kind::NonCompliant),
        ]);
        s.token = None;
        let server = Server::start(s);
        println!("{}", server.url);
        std::thread::sleep(Duration::from_secs(
            args.get(1).and_then(|s| s.parse().ok()).unwrap_or(600),
        ));
        return;
    }
    let n: usize = args.first().and_then(|s| s.parse().ok()).unwrap_or(200);
    let latency: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50);
    // Four subgroups, alternating compliant and non-compliant projects.
    let names: Vec<String> = (0..n)
        .map(|i| format!("acme/team-{}/svc-{i:03}", i % 4))
        .collect();
    let projects: Vec<(&str, Kind)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let kind = if i % 2 == 0 {
                Kind::Compliant
            } else {
                Kind::NonCompliant
            };
            (n.as_str(), kind)
        })
        .collect();
    let mut scenario = Scenario::new(&projects);
    scenario.latency = Duration::from_millis(latency);
    let server = Server::start(scenario);
    let exe = std::env::current_exe().expect("own path");
    let soc2 = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("soc2"))
        .expect("target directory");
    let cache = std::env::temp_dir().join(format!("soc2-gl-bench-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    println!(
        "{n} projects, {latency} ms latency per request, soc2 at {}",
        soc2.display()
    );
    for run in ["cold", "warm"] {
        server.clear_log();
        let started = Instant::now();
        let out = Command::new(&soc2)
            .args([
                "check",
                "--gitlab-group",
                "acme",
                "--gitlab-url",
                &server.url,
            ])
            .arg("--cache-dir")
            .arg(&cache)
            .args(["-f", "json", "--fail-on", "critical"])
            .env("GITLAB_TOKEN", "glpat-good")
            .env_remove("CI_SERVER_URL")
            .output()
            .expect("soc2 runs");
        let wall = started.elapsed();
        let log = server.requests();
        let not_modified = log.iter().filter(|r| r.status == 304).count();
        let summary: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        println!(
            "{run}: {:.1} s wall, {} requests ({:.1} per project), {} answered 304 ({:.0}%), exit {:?}, summary {}",
            wall.as_secs_f64(),
            log.len(),
            log.len() as f64 / n as f64,
            not_modified,
            100.0 * not_modified as f64 / log.len().max(1) as f64,
            out.status.code(),
            summary["summary"]
        );
        let mut by_endpoint: std::collections::BTreeMap<String, usize> = Default::default();
        for r in &log {
            *by_endpoint.entry(endpoint_of(&r.url)).or_default() += 1;
        }
        for (endpoint, count) in &by_endpoint {
            println!("  {:>6.2}/project  {endpoint}", *count as f64 / n as f64);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        if let Some(line) = stderr.lines().find(|l| l.contains("GitLab:")) {
            println!("  {line}");
        }
        if !out.status.success() && out.status.code() != Some(1) {
            println!("  stderr: {stderr}");
        }
    }
    let _ = std::fs::remove_dir_all(&cache);
}

/// The endpoint a request went to, with project ids, group paths and file paths replaced by
/// placeholders, so calls can be counted per endpoint.
fn endpoint_of(url: &str) -> String {
    let path = url.split('?').next().unwrap_or(url);
    let path = path.strip_prefix("/api/v4").unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let placeholder = match (i, parts.get(1).copied()) {
            (2, Some("projects")) => "{id}",
            (2, Some("groups")) => "{group}",
            (5, Some("projects")) if parts.get(4) == Some(&"files") => "{file}",
            _ => part,
        };
        out.push(placeholder);
    }
    let mut s = out.join("/");
    if url.contains("recursive=true") {
        s.push_str(" (recursive)");
    } else if url.contains("path=") {
        s.push_str(" (subdirectory)");
    }
    s
}
