//! Benchmark of the GitHub provider against the local fake GitHub API (not a timed test):
//! an organization of N repositories (default 200) with 50 ms added to every answer, audited
//! with `soc2 check --github-org` twice — cold cache, then warm — reporting wall time, REST
//! calls per repository and the share of `304 Not Modified` answers on the warm run.
//!
//! ```text
//! cargo build --release && cargo run --release --example github_bench -- [REPOS] [LATENCY_MS]
//! cargo run --example github_bench -- --serve   # only run the server, print its URL
//! ```

#[path = "../tests/support/github_server.rs"]
mod github_server;

use std::process::Command;
use std::time::{Duration, Instant};

use github_server::{Kind, Scenario, Server};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--serve") {
        let mut s = Scenario::new(&[
            ("api", Kind::Compliant),
            ("legacy", Kind::NonCompliant),
            ("rules", Kind::RulesetsOnly),
            ("classic", Kind::ClassicOnly),
        ]);
        s.token = None;
        let server = Server::start(s, 4);
        println!("{}", server.url);
        std::thread::sleep(Duration::from_secs(
            args.get(1).and_then(|s| s.parse().ok()).unwrap_or(600),
        ));
        return;
    }
    let n: usize = args.first().and_then(|s| s.parse().ok()).unwrap_or(200);
    let latency: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50);
    let kinds = [
        Kind::Compliant,
        Kind::NonCompliant,
        Kind::RulesetsOnly,
        Kind::ClassicOnly,
    ];
    let names: Vec<String> = (0..n).map(|i| format!("svc-{i:03}")).collect();
    let repos: Vec<(&str, Kind)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), kinds[i % kinds.len()]))
        .collect();
    let mut scenario = Scenario::new(&repos);
    scenario.latency = Duration::from_millis(latency);
    let server = Server::start(scenario, 32);
    let exe = std::env::current_exe().expect("own path");
    let soc2 = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("soc2"))
        .expect("target directory");
    let cache = std::env::temp_dir().join(format!("soc2-bench-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    println!(
        "{n} repositories, {latency} ms latency per request, soc2 at {}",
        soc2.display()
    );
    for run in ["cold", "warm"] {
        server.clear_log();
        let started = Instant::now();
        let out = Command::new(&soc2)
            .args(["check", "--github-org", "acme", "--github-url", &server.url])
            .arg("--cache-dir")
            .arg(&cache)
            .args(["-f", "json", "--fail-on", "critical"])
            .env("GITHUB_TOKEN", "good")
            .output()
            .expect("soc2 runs");
        let wall = started.elapsed();
        let log = server.requests();
        let not_modified = log.iter().filter(|r| r.status == 304).count();
        let graphql = log.iter().filter(|r| r.method == "POST").count();
        let rest = log.len() - graphql;
        let summary: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        println!(
            "{run}: {:.1} s wall, {} requests ({:.1} per repository: {:.2} REST, {:.2} GraphQL), {} answered 304 ({:.0}%), exit {:?}, summary {}",
            wall.as_secs_f64(),
            log.len(),
            log.len() as f64 / n as f64,
            rest as f64 / n as f64,
            graphql as f64 / n as f64,
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
            println!("  {:>6.2}/repo  {endpoint}", *count as f64 / n as f64);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        if let Some(line) = stderr.lines().find(|l| l.contains("GitHub:")) {
            println!("  {line}");
        }
    }
    let _ = std::fs::remove_dir_all(&cache);
}

/// The endpoint a request went to, with repository names, branches, ids and hashes replaced by
/// placeholders, so calls can be counted per endpoint.
fn endpoint_of(url: &str) -> String {
    let path = url.split('?').next().unwrap_or(url);
    let parts: Vec<&str> = path.split('/').collect();
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let placeholder = match (i, parts.get(1).copied()) {
            (2, Some("repos")) => "{owner}",
            (3, Some("repos")) => "{repo}",
            (2, Some("orgs")) => "{org}",
            _ if i > 0
                && matches!(
                    parts[i - 1],
                    "branches" | "rulesets" | "blobs" | "trees" | "environments"
                ) =>
            {
                "{id}"
            }
            _ => part,
        };
        out.push(placeholder);
    }
    out.join("/")
}
