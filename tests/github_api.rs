//! The GitHub provider end to end, against a real HTTP server on 127.0.0.1 playing GitHub
//! with bodies built from GitHub's published examples (`tests/support/github_server.rs`):
//! compliant and non-compliant repositories, rulesets only, classic protection only, a token
//! without admin, no token, an organization of 200 repositories, and faults (5xx, 429 and 403
//! rate limits with `Retry-After`, a slow endpoint, truncated JSON, 401). No test reaches the
//! internet.

#[path = "support/github_server.rs"]
mod github_server;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use github_server::{Fault, Kind, Scenario, Server};
use soc2::config::Policy;
use soc2::engine::{Evaluation, Outcome, evaluate};
use soc2::facts::Repository;
use soc2::providers::github::{self, Options};
use soc2::rules::load_embedded;

fn options(server: &Server, token: Option<&str>) -> Options {
    let mut o = Options::new(server.url.clone(), token.map(str::to_string));
    o.backoff = Duration::from_millis(10);
    o.timeout = Duration::from_secs(5);
    o.max_wait = Duration::from_secs(5);
    o.production_environments = Policy::default().deployment.production_environments;
    o
}

fn run(server: &Server, token: Option<&str>, repos: &[&str]) -> (Vec<Repository>, Vec<Evaluation>) {
    let mut o = options(server, token);
    o.repos = repos.iter().map(|r| format!("acme/{r}")).collect();
    collect_and_evaluate(&o)
}

fn collect_and_evaluate(o: &Options) -> (Vec<Repository>, Vec<Evaluation>) {
    let collected = github::collect(o).expect("collects");
    let rules = load_embedded().expect("rules");
    let evals = evaluate(&rules, &collected.repositories, &Policy::default());
    (collected.repositories, evals)
}

/// rule → (outcome, message) for one target.
fn outcomes(evals: &[Evaluation], target: &str) -> BTreeMap<String, (Outcome, String)> {
    let mut out = BTreeMap::new();
    for e in evals.iter().filter(|e| e.target == target) {
        let entry = out
            .entry(e.rule.clone())
            .or_insert((e.outcome, e.message.clone()));
        // A failure or unknown anywhere in the repository wins over passes.
        if matches!(e.outcome, Outcome::Fail | Outcome::Unknown) && entry.0 == Outcome::Pass {
            *entry = (e.outcome, e.message.clone());
        }
    }
    out
}

const SETTINGS_RULES: [&str; 26] = [
    "CC6-001", "CC6-002", "CC6-003", "CC6-004", "CC6-005", "CC6-018", "CC6-019", "CC7-002",
    "CC7-003", "CC7-009", "CC7-011", "CC8-001", "CC8-002", "CC8-003", "CC8-004", "CC8-005",
    "CC8-006", "CC8-007", "CC8-008", "CC8-009", "CC8-011", "CC8-012", "CC8-014", "CC8-015",
    "CC8-016", "CC8-018",
];

fn assert_outcome(o: &BTreeMap<String, (Outcome, String)>, rule: &str, want: Outcome) {
    let got = o
        .get(rule)
        .unwrap_or_else(|| panic!("{rule} was not evaluated"));
    assert_eq!(got.0, want, "{rule}: {}", got.1);
}

#[test]
fn compliant_repository_passes_every_settings_rule() {
    let server = Server::start(Scenario::new(&[("api", Kind::Compliant)]), 4);
    let (repos, evals) = run(&server, Some("good"), &["api"]);
    assert_eq!(repos[0].id, "github:acme/api");
    let o = outcomes(&evals, "github:acme/api");
    for rule in SETTINGS_RULES.iter().chain(&["CC9-004"]) {
        assert_outcome(&o, rule, Outcome::Pass);
    }
    // Pipeline files came through the API and were parsed with their paths and lines.
    let wf = &repos[0].workflows[0];
    assert_eq!(wf.path, ".github/workflows/ci.yml");
    assert_eq!(wf.jobs.len(), 2);
    // The local action a step calls was fetched and parsed too.
    assert!(
        repos[0]
            .workflows
            .iter()
            .any(|w| w.path == "tools/setup/action.yml" && w.kind == "action"),
        "{:?}",
        repos[0]
            .workflows
            .iter()
            .map(|w| &w.path)
            .collect::<Vec<_>>()
    );
    assert!(
        repos[0].diagnostics.is_empty(),
        "{:?}",
        repos[0].diagnostics
    );
    assert_eq!(
        repos[0].codeowners.as_ref().map(|c| c.path.as_str()),
        Some(".github/CODEOWNERS")
    );
    assert_outcome(&o, "CC6-015", Outcome::Pass);
    assert_outcome(&o, "CC6-006", Outcome::Pass);
}

#[test]
fn non_compliant_repository_fails_with_both_sides_stated() {
    let server = Server::start(Scenario::new(&[("legacy", Kind::NonCompliant)]), 4);
    let (_, evals) = run(&server, Some("good"), &["legacy"]);
    let o = outcomes(&evals, "github:acme/legacy");
    for rule in SETTINGS_RULES {
        if rule == "CC6-003" {
            continue; // two administrators are within the default bounds (1 to 3)
        }
        assert_outcome(&o, rule, Outcome::Fail);
    }
    assert_outcome(&o, "CC6-003", Outcome::Pass);
    assert_outcome(&o, "CC9-004", Outcome::Fail);
    // 404 "Branch not protected" is a failure, not unknown; the evaluate-mode ruleset is named.
    assert!(
        o["CC8-001"].1.contains("`main` has no branch protection"),
        "{}",
        o["CC8-001"].1
    );
    assert!(o["CC8-001"].1.contains("evaluate"), "{}", o["CC8-001"].1);
    assert_eq!(
        o["CC8-003"].1,
        "policy requires 1 approval(s); `main` requires 0"
    );
    assert!(o["CC6-005"].1.contains("`write`"), "{}", o["CC6-005"].1);
    assert!(
        o["CC6-004"].1.contains("octocat (admin)"),
        "{}",
        o["CC6-004"].1
    );
    assert!(
        o["CC8-008"].1.contains("line 3: Invalid pattern"),
        "{}",
        o["CC8-008"].1
    );
    // Local rules ran on the remote workflow at the right line.
    let persisted = evals
        .iter()
        .find(|e| e.rule == "CC6-015" && e.outcome == Outcome::Fail)
        .expect("checkout without persist-credentials: false fails");
    let loc = persisted.location.as_ref().unwrap();
    assert_eq!((&*loc.path, loc.line), (".github/workflows/ci.yml", 7));
}

#[test]
fn rulesets_only_and_classic_only_both_count_as_protection() {
    let server = Server::start(
        Scenario::new(&[
            ("rules", Kind::RulesetsOnly),
            ("classic", Kind::ClassicOnly),
        ]),
        4,
    );
    let (repos, evals) = run(&server, Some("good"), &["rules", "classic"]);
    for target in ["github:acme/rules", "github:acme/classic"] {
        let o = outcomes(&evals, target);
        for rule in [
            "CC8-001", "CC8-002", "CC8-003", "CC8-004", "CC8-005", "CC8-007", "CC8-009", "CC8-011",
            "CC8-012",
        ] {
            assert_outcome(&o, rule, Outcome::Pass);
        }
    }
    let rules = repos.iter().find(|r| r.id == "github:acme/rules").unwrap();
    let b = rules
        .github
        .as_ref()
        .unwrap()
        .default_branch
        .as_ref()
        .unwrap();
    assert_eq!(b.sources, vec!["ruleset 42 \"main\"".to_string()]);
    assert_eq!(b.required_approvals, 2);
}

#[test]
fn token_without_admin_gives_unknown_naming_the_permission_never_fail() {
    let mut s = Scenario::new(&[
        ("classic", Kind::ClassicOnly),
        ("rules", Kind::RulesetsOnly),
    ]);
    s.admin = false;
    let server = Server::start(s, 4);
    let (_, evals) = run(&server, Some("good"), &["classic", "rules"]);
    let classic = outcomes(&evals, "github:acme/classic");
    // Classic protection is unreadable and no ruleset protects the branch: unknown.
    for rule in [
        "CC8-001", "CC8-003", "CC8-011", "CC6-005", "CC6-018", "CC7-002", "CC6-001",
    ] {
        assert_outcome(&classic, rule, Outcome::Unknown);
    }
    assert!(
        classic["CC8-001"].1.contains("Administration: read"),
        "{}",
        classic["CC8-001"].1
    );
    // Rulesets are readable with read access: they prove protection on their own.
    let rules = outcomes(&evals, "github:acme/rules");
    for rule in ["CC8-001", "CC8-002", "CC8-003", "CC8-012"] {
        assert_outcome(&rules, rule, Outcome::Pass);
    }
    // ...but bypass actors are hidden from non-admins, and classic protection may exempt admins.
    assert_outcome(&rules, "CC8-011", Outcome::Unknown);
    assert!(
        !evals
            .iter()
            .any(|e| e.outcome == Outcome::Fail && e.rule.starts_with("CC8-00")),
        "no false failure without admin"
    );
    // Admin-only endpoints were not even asked.
    assert!(
        !server
            .requests()
            .iter()
            .any(|r| r.url.contains("/protection") || r.url.ends_with("/hooks?per_page=100")),
        "admin-only endpoints asked without admin"
    );
}

#[test]
fn no_token_reads_public_data_and_says_why_the_rest_is_unknown() {
    let server = Server::start(Scenario::new(&[("api", Kind::RulesetsOnly)]), 4);
    let (_, evals) = run(&server, None, &["api"]);
    let o = outcomes(&evals, "github:acme/api");
    assert_outcome(&o, "CC8-001", Outcome::Pass);
    assert_outcome(&o, "CC8-002", Outcome::Pass);
    for rule in ["CC6-005", "CC7-009", "CC6-019", "CC8-011"] {
        assert_outcome(&o, rule, Outcome::Unknown);
    }
    assert!(o["CC6-005"].1.contains("no token"), "{}", o["CC6-005"].1);
    assert!(
        server.requests().iter().all(|r| r.authorization.is_none()),
        "no Authorization header without a token"
    );
}

#[test]
fn organization_of_200_repositories_is_listed_paginated_and_filtered() {
    let names: Vec<String> = (0..200).map(|i| format!("svc-{i:03}")).collect();
    let repos: Vec<(&str, Kind)> = names
        .iter()
        .map(|n| (n.as_str(), Kind::Compliant))
        .collect();
    let server = Server::start(Scenario::new(&repos), 8);
    let mut o = options(&server, Some("good"));
    o.orgs = vec!["acme".into()];
    o.exclude = vec!["svc-1*".into()];
    let collected = github::collect(&o).expect("collects");
    // 200 minus svc-100..svc-199; the archived repository is skipped.
    assert_eq!(collected.repositories.len(), 100);
    assert!(
        collected
            .repositories
            .iter()
            .all(|r| !r.id.contains("svc-1"))
    );
    assert!(
        !collected
            .repositories
            .iter()
            .any(|r| r.id.contains("archived"))
    );
    let pages = server
        .requests()
        .iter()
        .filter(|r| r.url.starts_with("/orgs/acme/repos"))
        .count();
    assert_eq!(pages, 3, "201 repositories at 100 per page");
    // Organization settings are read once, not per repository.
    let org_reads = server
        .requests()
        .iter()
        .filter(|r| r.url == "/orgs/acme")
        .count();
    assert_eq!(org_reads, 1);
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let server = Server::start(Scenario::new(&[("api", Kind::Compliant)]), 4);
    for _ in 0..2 {
        server.fault(
            "/repos/acme/api/actions/permissions/workflow",
            Fault::Status(502, vec![], "<html>bad gateway</html>".into()),
        );
    }
    let mut o = options(&server, Some("good"));
    o.repos = vec!["acme/api".into()];
    let collected = github::collect(&o).unwrap();
    // Two 502 answers were retried (a loaded machine may add timeout retries).
    assert!(collected.stats.retries >= 2, "{:?}", collected.stats);
    let asked = server
        .requests()
        .iter()
        .filter(|r| r.url == "/repos/acme/api/actions/permissions/workflow")
        .count();
    assert_eq!(asked, 3, "two 502 answers, then the answer");
    let g = collected.repositories[0].github.as_ref().unwrap();
    assert!(g.workflow_permissions.known().is_some());
}

#[test]
fn persistent_server_errors_become_unknown_after_retries() {
    let server = Server::start(Scenario::new(&[("api", Kind::Compliant)]), 4);
    for _ in 0..10 {
        server.fault(
            "/repos/acme/api/actions/permissions/workflow",
            Fault::Status(503, vec![], String::new()),
        );
    }
    let (_, evals) = run(&server, Some("good"), &["api"]);
    let o = outcomes(&evals, "github:acme/api");
    assert_outcome(&o, "CC6-005", Outcome::Unknown);
    assert!(
        o["CC6-005"].1.contains("server error 503"),
        "{}",
        o["CC6-005"].1
    );
    assert!(o["CC6-005"].1.contains("4 attempts"), "{}", o["CC6-005"].1);
}

#[test]
fn rate_limits_429_and_secondary_403_are_waited_out_with_retry_after() {
    let server = Server::start(Scenario::new(&[("api", Kind::Compliant)]), 4);
    server.fault(
        "/graphql",
        Fault::Status(
            429,
            vec![("Retry-After".into(), "1".into())],
            r#"{"message":"API rate limit exceeded"}"#.into(),
        ),
    );
    server.fault(
        "/repos/acme/api/hooks",
        Fault::Status(
            403,
            vec![("Retry-After".into(), "1".into())],
            r#"{"message":"You have exceeded a secondary rate limit."}"#.into(),
        ),
    );
    let mut o = options(&server, Some("good"));
    o.repos = vec!["acme/api".into()];
    let started = Instant::now();
    let collected = github::collect(&o).unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(collected.stats.rate_limit_waits >= 1);
    let g = collected.repositories[0].github.as_ref().unwrap();
    assert!(g.deploy_keys.known().is_some() && g.webhooks.known().is_some());
    // The GraphQL query was answered after the wait, so REST was not needed for the keys.
    let requests = server.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "POST" && r.status == 429)
    );
    assert!(
        requests
            .iter()
            .any(|r| r.method == "POST" && r.status == 200)
    );
    assert!(
        !requests
            .iter()
            .any(|r| r.url.starts_with("/repos/acme/api/keys"))
    );
}

/// GraphQL reports its primary rate limit in a `200` answer (`"type": "RATE_LIMITED"`): it is
/// waited out like a REST limit (until `X-RateLimit-Reset`), not read as data.
#[test]
fn graphql_rate_limited_answers_are_waited_out() {
    let server = Server::start(Scenario::new(&[("api", Kind::Compliant)]), 4);
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 2;
    server.fault(
        "/graphql",
        Fault::Status(
            200,
            vec![
                ("X-RateLimit-Remaining".into(), "0".into()),
                ("X-RateLimit-Reset".into(), reset.to_string()),
            ],
            r#"{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded for user ID 1."}]}"#
                .into(),
        ),
    );
    let mut o = options(&server, Some("good"));
    o.repos = vec!["acme/api".into()];
    let collected = github::collect(&o).unwrap();
    assert_eq!(collected.stats.rate_limit_waits, 1);
    let requests = server.requests();
    let posts: Vec<u16> = requests
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.status)
        .collect();
    assert_eq!(posts.first(), Some(&200));
    assert!(posts.len() >= 2, "retried after the wait: {posts:?}");
    // Nothing fell back to REST: the retried query answered.
    assert!(!requests.iter().any(|r| r.url.contains("/git/blobs/")));
    assert_eq!(collected.repositories[0].workflows.len(), 2);
}

#[test]
fn rate_limit_beyond_max_wait_is_unknown_at_once() {
    let server = Server::start(Scenario::new(&[("api", Kind::Compliant)]), 4);
    server.fault(
        "/repos/acme/api/hooks",
        Fault::Status(
            403,
            vec![
                ("X-RateLimit-Remaining".into(), "0".into()),
                ("X-RateLimit-Reset".into(), "9999999999".into()),
            ],
            r#"{"message":"API rate limit exceeded"}"#.into(),
        ),
    );
    let started = Instant::now();
    let (_, evals) = run(&server, Some("good"), &["api"]);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no long silent wait"
    );
    let o = outcomes(&evals, "github:acme/api");
    assert_outcome(&o, "CC6-018", Outcome::Unknown);
    assert!(o["CC6-018"].1.contains("--max-wait"), "{}", o["CC6-018"].1);
}

#[test]
fn slow_endpoint_times_out_then_is_retried() {
    let server = Server::start(Scenario::new(&[("api", Kind::Compliant)]), 4);
    server.fault(
        "/repos/acme/api/actions/permissions/artifact-and-log-retention",
        Fault::Delay(Duration::from_millis(1500)),
    );
    let mut o = options(&server, Some("good"));
    o.timeout = Duration::from_millis(500);
    o.repos = vec!["acme/api".into()];
    let collected = github::collect(&o).unwrap();
    assert!(collected.stats.retries >= 1);
    let g = collected.repositories[0].github.as_ref().unwrap();
    assert_eq!(g.retention_days.known(), Some(&400));
}

#[test]
fn truncated_json_is_unknown_not_a_crash() {
    let server = Server::start(Scenario::new(&[("api", Kind::Compliant)]), 4);
    server.fault(
        "/repos/acme/api/actions/permissions/workflow",
        Fault::Truncate,
    );
    let (_, evals) = run(&server, Some("good"), &["api"]);
    let o = outcomes(&evals, "github:acme/api");
    assert_outcome(&o, "CC6-005", Outcome::Unknown);
    assert!(
        o["CC6-005"].1.contains("not valid JSON"),
        "{}",
        o["CC6-005"].1
    );
}

#[test]
fn bad_credentials_make_everything_unknown_and_an_org_listing_an_error() {
    let server = Server::start(Scenario::new(&[("api", Kind::Compliant)]), 4);
    let (_, evals) = run(&server, Some("wrong-token"), &["api"]);
    let o = outcomes(&evals, "github:acme/api");
    for rule in ["CC8-001", "CC6-005", "CC9-001"] {
        assert_outcome(&o, rule, Outcome::Unknown);
    }
    assert!(o["CC8-001"].1.contains("401"), "{}", o["CC8-001"].1);
    let mut opts = options(&server, Some("wrong-token"));
    opts.orgs = vec!["acme".into()];
    let err = github::collect(&opts).unwrap_err().to_string();
    assert!(err.contains("401") && !err.contains("wrong-token"), "{err}");
}

#[test]
fn warm_cache_revalidates_with_304() {
    let names: Vec<String> = (0..10).map(|i| format!("r{i}")).collect();
    let repos: Vec<(&str, Kind)> = names
        .iter()
        .map(|n| (n.as_str(), Kind::Compliant))
        .collect();
    let server = Server::start(Scenario::new(&repos), 4);
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&server, Some("good"));
    o.orgs = vec!["acme".into()];
    o.cache_dir = Some(dir.path().to_path_buf());
    let cold = github::collect(&o).unwrap();
    assert_eq!(cold.stats.not_modified, 0);
    let warm = github::collect(&o).unwrap();
    let share = warm.stats.not_modified as f64 / warm.stats.requests as f64;
    assert!(share >= 0.9, "304 share {share:.2} ({:?})", warm.stats);
    // The facts are the same from the cache.
    let a = serde_json::to_value(&cold.repositories).unwrap();
    let b = serde_json::to_value(&warm.repositories).unwrap();
    assert_eq!(a, b);
    // The token is not written to the cache.
    for f in walkdir::WalkDir::new(dir.path()).into_iter().flatten() {
        if f.file_type().is_file() {
            assert!(
                !std::fs::read_to_string(f.path())
                    .unwrap()
                    .contains("good\"")
            );
        }
    }
}

/// GitHub's published GraphQL schema (`@octokit/graphql-schema`), as a validated schema.
/// The published file defines two fields of `EnterpriseOwnerInfo` twice; those are the only
/// errors tolerated.
fn graphql_schema() -> apollo_compiler::validation::Valid<apollo_compiler::Schema> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/github/graphql-schema.graphql"),
    )
    .unwrap();
    match apollo_compiler::Schema::parse_and_validate(text, "graphql-schema.graphql") {
        Ok(s) => s,
        Err(e) => {
            let text = e.errors.to_string();
            assert_eq!(e.errors.len(), 2, "{text}");
            assert!(text.contains("EnterpriseOwnerInfo"), "{text}");
            apollo_compiler::validation::Valid::assume_valid(e.partial)
        }
    }
}

/// Every GraphQL request validates against GitHub's published schema; returns how many there
/// were.
fn assert_graphql_valid(requests: &[github_server::Logged]) -> usize {
    let schema = graphql_schema();
    let mut n = 0;
    for r in requests.iter().filter(|r| r.method == "POST") {
        assert!(r.url.ends_with("/graphql"), "POST to {}", r.url);
        let body: serde_json::Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
        let query = body["query"].as_str().unwrap();
        if let Err(e) =
            apollo_compiler::ExecutableDocument::parse_and_validate(&schema, query, "query.graphql")
        {
            panic!("invalid GraphQL query:\n{query}\n{}", e.errors);
        }
        // Every variable the query declares is given.
        for name in query
            .split(['(', ',', ')'])
            .filter_map(|p| p.trim().strip_prefix('$'))
            .filter_map(|p| p.split(':').next())
        {
            assert!(!body["variables"][name].is_null(), "${name} missing");
        }
        n += 1;
    }
    n
}

#[test]
fn the_schema_check_rejects_what_github_would() {
    let schema = graphql_schema();
    let valid = |q: &str| {
        apollo_compiler::ExecutableDocument::parse_and_validate(&schema, q, "q.graphql").is_ok()
    };
    assert!(valid(
        "query($o: String!, $n: String!) { repository(owner: $o, name: $n) { hasVulnerabilityAlertsEnabled } }"
    ));
    assert!(!valid(
        "query($o: String!, $n: String!) { repository(owner: $o, name: $n) { vulnerabilityAlertsOn } }"
    ));
    assert!(!valid(
        "query($o: String!) { repository(owner: $o, name: $o) { deployKeys(first: 1) { nodes { title lastUsedAt } } } }"
    ));
    assert!(!valid(
        "query($o: Int!) { repository(owner: $o, name: \"x\") { id } }"
    ));
}

/// Every REST request path matches a GET path template of GitHub's published OpenAPI
/// description, and every GraphQL query validates against GitHub's published schema.
#[test]
fn every_request_is_a_documented_endpoint() {
    let mut templates: Vec<String> = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/github/openapi-get-paths.txt"),
    )
    .unwrap()
    .lines()
    .filter(|l| !l.starts_with('#') && !l.is_empty())
    .map(str::to_string)
    .collect();
    // The shared index of documented endpoints is part of the same description.
    let index: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(github_server::examples_dir().join("INDEX.json")).unwrap(),
    )
    .unwrap();
    for e in index["endpoints"].as_array().unwrap() {
        if let Some(p) = e["path"].as_str().and_then(|p| p.strip_prefix("GET ")) {
            templates.push(p.to_string());
        }
    }
    assert!(templates.len() > 600);
    let matches = |path: &str| {
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        templates.iter().any(|t| {
            let ts: Vec<&str> = t.trim_start_matches('/').split('/').collect();
            ts.len() == segs.len()
                && ts
                    .iter()
                    .zip(&segs)
                    .all(|(t, s)| (t.starts_with('{') && t.ends_with('}')) || t == s)
        })
    };
    let server = Server::start(
        Scenario::new(&[
            ("a", Kind::Compliant),
            ("b", Kind::NonCompliant),
            ("c", Kind::RulesetsOnly),
        ]),
        4,
    );
    let mut o = options(&server, Some("good"));
    o.orgs = vec!["acme".into()];
    o.protected_branches = vec!["release".into()];
    github::collect(&o).unwrap();
    let requests = server.requests();
    assert!(requests.len() > 30);
    let undocumented: Vec<String> = requests
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.url.split('?').next().unwrap().to_string())
        .filter(|p| !matches(p))
        .collect();
    assert!(undocumented.is_empty(), "undocumented: {undocumented:?}");
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" || r.method == "POST")
    );
    assert!(assert_graphql_valid(&requests) >= 1);
}

#[test]
fn cli_reports_settings_findings_with_locations_and_never_prints_the_token() {
    let server = Server::start(Scenario::new(&[("legacy", Kind::NonCompliant)]), 4);
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let out = assert_cmd::Command::cargo_bin("soc2")
        .unwrap()
        .current_dir(dir.path())
        .env("GITHUB_TOKEN", "good")
        .env_remove("GH_TOKEN")
        .args([
            "check",
            "--github",
            "acme/legacy",
            "--github-url",
            &server.url,
            "--no-cache",
            "-f",
            "json",
            "-o",
        ])
        .arg(format!("sarif={}", sarif.display()))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("GitHub: 1 repositories"), "{stderr}");
    let sarif_text = std::fs::read_to_string(&sarif).unwrap();
    for text in [&stdout, &stderr, &sarif_text] {
        assert!(!text.contains("Bearer good"));
    }
    let s: serde_json::Value = serde_json::from_str(&sarif_text).unwrap();
    let results = s["runs"][0]["results"].as_array().unwrap();
    let protection = results
        .iter()
        .find(|r| r["ruleId"] == "CC8-003")
        .expect("CC8-003 result");
    let loc = &protection["locations"][0];
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "github://acme/legacy/branches/main/protection"
    );
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "soc2.toml"
    );
    let owners = results.iter().find(|r| r["ruleId"] == "CC8-007").unwrap();
    assert_eq!(
        owners["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        ".github/CODEOWNERS"
    );
    assert!(
        results
            .iter()
            .all(|r| r["locations"][0]["physicalLocation"].is_object())
    );
    // Evaluating the dumped facts again gives the same outcomes (auditor re-performance).
    let facts = assert_cmd::Command::cargo_bin("soc2")
        .unwrap()
        .current_dir(dir.path())
        .env("GITHUB_TOKEN", "good")
        .args([
            "facts",
            "--github",
            "acme/legacy",
            "--github-url",
            &server.url,
            "--no-cache",
        ])
        .output()
        .unwrap();
    assert!(facts.status.success());
    let facts_text = String::from_utf8(facts.stdout).unwrap();
    assert!(!facts_text.contains("\"good\""));
    std::fs::write(dir.path().join("facts.json"), &facts_text).unwrap();
    let replay = assert_cmd::Command::cargo_bin("soc2")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--facts", "facts.json", "-f", "json"])
        .output()
        .unwrap();
    let a: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&replay.stdout).unwrap();
    assert_eq!(a["summary"], b["summary"]);
}

#[test]
fn plan_gated_features_are_unknown_with_the_reason() {
    let server = Server::start(Scenario::new(&[("private", Kind::ClassicOnly)]), 4);
    server.fault(
        "/repos/acme/private/branches/main/protection",
        Fault::Status(
            403,
            vec![],
            r#"{"message":"Upgrade to GitHub Pro or make this repository public to enable this feature."}"#
                .into(),
        ),
    );
    let (_, evals) = run(&server, Some("good"), &["private"]);
    let o = outcomes(&evals, "github:acme/private");
    assert_outcome(&o, "CC8-001", Outcome::Unknown);
    assert!(o["CC8-001"].1.contains("plan"), "{}", o["CC8-001"].1);
}

#[test]
fn unknown_repository_is_unknown_everywhere_never_pass() {
    let server = Server::start(Scenario::new(&[("api", Kind::Compliant)]), 4);
    let (repos, evals) = run(&server, Some("good"), &["missing"]);
    assert_eq!(repos[0].id, "github:acme/missing");
    let o = outcomes(&evals, "github:acme/missing");
    for rule in ["CC8-001", "CC6-005", "CC7-002", "CC7-001"] {
        assert_outcome(&o, rule, Outcome::Unknown);
    }
    assert!(o["CC8-001"].1.contains("404"), "{}", o["CC8-001"].1);
    assert!(!evals.iter().any(|e| e.outcome == Outcome::Pass));
}

#[test]
fn enterprise_server_base_path_is_kept_on_every_request_and_page() {
    let names: Vec<String> = (0..120).map(|i| format!("r{i:03}")).collect();
    let repos: Vec<(&str, Kind)> = names
        .iter()
        .map(|n| (n.as_str(), Kind::Compliant))
        .collect();
    let server = Server::start(Scenario::new(&repos), 4);
    let mut o = options(&server, Some("good"));
    o.api_url = format!("{}/api/v3", server.url);
    o.orgs = vec!["acme".into()];
    o.include = vec!["r00*".into()];
    let collected = github::collect(&o).unwrap();
    assert_eq!(collected.repositories.len(), 10);
    let requests = server.requests();
    // REST under /api/v3, GraphQL at /api/graphql.
    assert!(
        requests.iter().all(|r| if r.method == "POST" {
            r.url == "/api/graphql"
        } else {
            r.url.starts_with("/api/v3/")
        }),
        "{requests:?}"
    );
    assert!(assert_graphql_valid(&requests) >= 1);
    // The second page of the listing came from the Link header, under the same prefix.
    assert!(
        requests
            .iter()
            .any(|r| r.url.contains("/api/v3/orgs/acme/repos") && r.url.contains("page=2"))
    );
    let g = collected.repositories[0].github.as_ref().unwrap();
    assert!(g.repository.known().is_some());
    assert!(g.api_url.ends_with("/api/v3"));
}

#[test]
fn dependabot_alerts_are_inferred_from_enabled_security_updates_else_asked() {
    let server = Server::start(
        Scenario::new(&[("api", Kind::Compliant), ("classic", Kind::ClassicOnly)]),
        4,
    );
    let (repos, evals) = run(&server, Some("good"), &["api", "classic"]);
    let requests = server.requests();
    // Security updates on for `api`: not asked at all; off for `classic`: asked in the
    // batched GraphQL query, so the REST endpoint is not needed.
    let asked_in_graphql: Vec<String> = requests
        .iter()
        .filter(|r| r.method == "POST")
        .filter_map(|r| r.body.as_deref())
        .flat_map(|b| {
            let v: serde_json::Value = serde_json::from_str(b).unwrap();
            let query = v["query"].as_str().unwrap().to_string();
            query
                .split("repository(")
                .skip(1)
                .filter(|block| {
                    block
                        .split("repository(")
                        .next()
                        .unwrap()
                        .contains("hasVulnerabilityAlertsEnabled")
                })
                .map(|block| {
                    let var = block
                        .split("name: $")
                        .nth(1)
                        .unwrap()
                        .split(')')
                        .next()
                        .unwrap();
                    v["variables"][var].as_str().unwrap().to_string()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(asked_in_graphql, vec!["classic".to_string()]);
    assert!(
        !requests
            .iter()
            .any(|r| r.url.ends_with("/vulnerability-alerts")),
        "GraphQL answered: REST not asked"
    );
    for r in &repos {
        assert_eq!(
            r.github.as_ref().unwrap().dependabot_alerts.known(),
            Some(&true)
        );
    }
    assert_outcome(
        &outcomes(&evals, "github:acme/api"),
        "CC7-003",
        Outcome::Pass,
    );
}

/// Pipeline files and admin-only settings come from one batched GraphQL query for several
/// repositories; blobs are never asked over REST when GraphQL answers them.
#[test]
fn blobs_and_admin_settings_are_batched_in_graphql() {
    let names: Vec<String> = (0..6).map(|i| format!("svc-{i}")).collect();
    let repos: Vec<(&str, Kind)> = names
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
    let server = Server::start(Scenario::new(&repos), 4);
    let mut o = options(&server, Some("good"));
    o.orgs = vec!["acme".into()];
    let (collected, evals) = collect_and_evaluate(&o);
    let requests = server.requests();
    let graphql = assert_graphql_valid(&requests);
    assert!(
        (1..6).contains(&graphql),
        "{graphql} GraphQL queries for 6 repositories"
    );
    assert!(!requests.iter().any(|r| r.url.contains("/git/blobs/")));
    assert!(!requests.iter().any(|r| r.url.contains("/keys")));
    // The files were read: workflow findings carry their lines.
    let bad = collected
        .iter()
        .find(|r| r.id == "github:acme/svc-1")
        .unwrap();
    assert_eq!(bad.workflows.len(), 1, "ci.yml");
    let o = outcomes(&evals, "github:acme/svc-1");
    assert_outcome(&o, "CC6-019", Outcome::Fail);
    assert_outcome(&o, "CC6-015", Outcome::Fail);
    let good = outcomes(&evals, "github:acme/svc-0");
    assert_outcome(&good, "CC6-019", Outcome::Pass);
    let keys = &collected[0].github.as_ref().unwrap().deploy_keys;
    assert!(
        matches!(keys, soc2::facts::github::Evidence::Known { url, .. } if url.ends_with("/graphql#repository.deployKeys")),
        "{keys:?}"
    );
}

/// When GraphQL fails, everything it would have answered is read through REST, with the same
/// outcomes: GraphQL is an optimisation, never a source of unknowns or passes.
#[test]
fn graphql_failure_falls_back_to_rest_with_the_same_outcomes() {
    let kinds = [("api", Kind::Compliant), ("legacy", Kind::NonCompliant)];
    let baseline = {
        let server = Server::start(Scenario::new(&kinds), 4);
        run(&server, Some("good"), &["api", "legacy"]).1
    };
    let server = Server::start(Scenario::new(&kinds), 4);
    for _ in 0..40 {
        server.fault(
            "/graphql",
            Fault::Status(502, Vec::new(), "bad gateway".into()),
        );
    }
    let (_, evals) = run(&server, Some("good"), &["api", "legacy"]);
    let requests = server.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "POST" && r.status == 502)
    );
    assert!(requests.iter().any(|r| r.url.contains("/git/blobs/")));
    assert!(
        requests
            .iter()
            .any(|r| r.url.starts_with("/repos/acme/api/keys"))
    );
    for target in ["github:acme/api", "github:acme/legacy"] {
        let strip = |o: BTreeMap<String, (Outcome, String)>| -> BTreeMap<String, Outcome> {
            o.into_iter().map(|(k, (v, _))| (k, v)).collect()
        };
        assert_eq!(
            strip(outcomes(&evals, target)),
            strip(outcomes(&baseline, target)),
            "{target}"
        );
    }
}

/// Without a token GraphQL cannot be used (it requires authentication): files are read
/// through REST and GraphQL is never asked.
#[test]
fn without_a_token_files_come_from_rest() {
    let mut s = Scenario::new(&[("api", Kind::Compliant)]);
    s.token = None;
    let server = Server::start(s, 4);
    let (repos, _) = run(&server, None, &["api"]);
    let requests = server.requests();
    assert!(!requests.iter().any(|r| r.method == "POST"));
    assert!(requests.iter().any(|r| r.url.contains("/git/blobs/")));
    // The workflow, and the local action it calls (read in a second wave).
    let paths: Vec<&str> = repos[0].workflows.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(
        paths,
        [".github/workflows/ci.yml", "tools/setup/action.yml"]
    );
}

/// A token that does not administer the repository: admin-only settings are not put in the
/// GraphQL query (REST explains why they are unknown), blobs still are.
#[test]
fn graphql_asks_admin_settings_only_with_admin() {
    let mut s = Scenario::new(&[("api", Kind::Compliant)]);
    s.admin = false;
    let server = Server::start(s, 4);
    let (_, evals) = run(&server, Some("good"), &["api"]);
    let requests = server.requests();
    assert!(assert_graphql_valid(&requests) >= 1);
    let bodies: Vec<String> = requests
        .iter()
        .filter(|r| r.method == "POST")
        .filter_map(|r| r.body.clone())
        .collect();
    assert!(
        bodies.iter().any(|b| b.contains("object(oid:")),
        "{bodies:?}"
    );
    assert!(
        bodies
            .iter()
            .all(|b| !b.contains("deployKeys") && !b.contains("hasVulnerabilityAlertsEnabled"))
    );
    let o = outcomes(&evals, "github:acme/api");
    assert_outcome(&o, "CC6-019", Outcome::Unknown);
    assert!(
        o["CC6-019"].1.contains("Administration: read"),
        "{}",
        o["CC6-019"].1
    );
}

/// CC8-018: a deploy job's credentials must be secrets of its production environment. Only
/// production environments that a job reading secrets deploys to are asked for their secrets.
#[test]
fn production_credentials_must_be_environment_secrets() {
    let kinds = [("api", Kind::Compliant), ("classic", Kind::ClassicOnly)];
    let server = Server::start(Scenario::new(&kinds), 4);
    let (_, evals) = run(&server, Some("good"), &["api", "classic"]);
    let asked: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.url.contains("/secrets"))
        .map(|r| r.url.split('?').next().unwrap().to_string())
        .collect();
    assert_eq!(
        asked,
        ["/repos/acme/api/environments/production/secrets"],
        "only the production environment a secret-reading job deploys to"
    );
    let job_evals = |evals: &[Evaluation]| -> Vec<(Outcome, String, Option<u32>)> {
        evals
            .iter()
            .filter(|e| e.rule == "CC8-018" && e.target == "github:acme/api")
            .filter(|e| e.resource.contains(".github/workflows/ci.yml"))
            .map(|e| {
                (
                    e.outcome,
                    e.message.clone(),
                    e.location.as_ref().map(|l| l.line),
                )
            })
            .collect()
    };
    let ok = job_evals(&evals);
    assert_eq!(ok.len(), 1, "{ok:?}");
    assert_eq!(ok[0].0, Outcome::Pass, "{ok:?}");

    let mut s = Scenario::new(&kinds);
    s.production_secrets = vec!["UNRELATED".into()];
    let server = Server::start(s, 4);
    let (_, evals) = run(&server, Some("good"), &["api"]);
    let bad = job_evals(&evals);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0].0, Outcome::Fail);
    assert!(bad[0].1.contains("(DEPLOY_TOKEN)"), "{}", bad[0].1);
    // Anchored at the job's `environment:` line of the workflow.
    assert_eq!(bad[0].2, Some(20));

    // Without a token the secrets are unknown, never a pass.
    let mut s = Scenario::new(&[("api", Kind::Compliant)]);
    s.token = None;
    let server = Server::start(s, 4);
    let (repos, _) = run(&server, None, &["api"]);
    let envs = repos[0]
        .github
        .as_ref()
        .unwrap()
        .environments
        .known()
        .unwrap();
    let prod = envs.iter().find(|e| e.name == "production").unwrap();
    assert!(
        matches!(&prod.secrets, Some(soc2::facts::github::Evidence::Unknown { reason, .. }) if reason.contains("no token")),
        "{:?}",
        prod.secrets
    );
}

/// The terminal table quotes the lines of remote pipeline files as it does for a checkout.
#[test]
fn table_shows_code_frames_of_remote_files() {
    let server = Server::start(Scenario::new(&[("legacy", Kind::NonCompliant)]), 4);
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("soc2")
        .unwrap()
        .current_dir(dir.path())
        .env("GITHUB_TOKEN", "good")
        .env("NO_COLOR", "1")
        .env_remove("GH_TOKEN")
        .args([
            "check",
            "--github",
            "acme/legacy",
            "--github-url",
            &server.url,
        ])
        .args(["--no-cache", "--select", "CC6-015"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains(".github/workflows/ci.yml:7:15"), "{stdout}");
    assert!(
        stdout.contains("7 │       - uses: actions/checkout@v4"),
        "{stdout}"
    );
}

/// An organization's ruleset is read once for all the repositories it applies to; each of them
/// still gets its enforcement and bypass actors.
#[test]
fn organization_rulesets_are_read_once_per_run() {
    let server = Server::start(
        Scenario::new(&[
            ("a", Kind::RulesetsOnly),
            ("b", Kind::RulesetsOnly),
            ("c", Kind::RulesetsOnly),
            ("legacy", Kind::NonCompliant),
        ]),
        4,
    );
    let mut o = options(&server, Some("good"));
    o.orgs = vec!["acme".into()];
    let (repos, evals) = collect_and_evaluate(&o);
    let asked: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.url.contains("/rulesets/"))
        .map(|r| r.url.split('?').next().unwrap().to_string())
        .collect();
    // One of a, b, c asked for the organization's ruleset 42; legacy its own ruleset 43.
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert_eq!(
        asked.iter().filter(|u| u.ends_with("/rulesets/42")).count(),
        1
    );
    assert!(asked.contains(&"/repos/acme/legacy/rulesets/43".to_string()));
    for name in ["a", "b", "c"] {
        let r = repos
            .iter()
            .find(|r| r.id == format!("github:acme/{name}"))
            .unwrap();
        let b = r.github.as_ref().unwrap().default_branch.as_ref().unwrap();
        assert_eq!(b.sources, vec!["ruleset 42 \"main\"".to_string()], "{name}");
        assert!(b.bypass_actors_known, "{name}");
        let o = outcomes(&evals, &format!("github:acme/{name}"));
        assert_outcome(&o, "CC8-011", Outcome::Pass);
    }
}

/// A blob over 1 MB is read through REST on its own, so one GraphQL answer stays small; the
/// others still come from GraphQL.
#[test]
fn large_blobs_are_read_through_rest() {
    let mut s = Scenario::new(&[("api", Kind::Compliant)]);
    let mut big = String::from(
        "name: big\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo big\n",
    );
    while big.len() < 1_100_000 {
        big.push_str("# padding to make the workflow larger than a GraphQL blob may be\n");
    }
    s.extra_files = vec![(".github/workflows/big.yml", big)];
    let server = Server::start(s, 4);
    let (repos, _) = run(&server, Some("good"), &["api"]);
    let requests = server.requests();
    let rest_blobs = requests
        .iter()
        .filter(|r| r.url.contains("/git/blobs/"))
        .count();
    assert_eq!(rest_blobs, 1, "only the large blob over REST");
    assert!(requests.iter().any(|r| r.method == "POST"));
    let paths: Vec<&str> = repos[0].workflows.iter().map(|w| w.path.as_str()).collect();
    assert!(paths.contains(&".github/workflows/big.yml"), "{paths:?}");
    assert!(paths.contains(&".github/workflows/ci.yml"), "{paths:?}");
}

/// The API token never appears in any output of a remote scan: every report format, the
/// evidence bundle, the HTTP debug log and error messages — with GraphQL and REST both used,
/// and a 401 on one request.
#[test]
fn the_token_never_appears_in_any_output() {
    const TOKEN: &str = "ghp_TokenThatMustNeverBePrinted0123456789";
    let mut s = Scenario::new(&[("api", Kind::Compliant), ("legacy", Kind::NonCompliant)]);
    s.token = Some(TOKEN.into());
    let server = Server::start(s, 4);
    server.fault(
        "/repos/acme/legacy/hooks",
        Fault::Status(401, Vec::new(), r#"{"message":"Bad credentials"}"#.into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    let out = assert_cmd::Command::cargo_bin("soc2")
        .unwrap()
        .current_dir(dir.path())
        .env("GITHUB_TOKEN", TOKEN)
        .env("SOC2_DEBUG_HTTP", "1")
        .env_remove("GH_TOKEN")
        .args(["check", "--github", "acme/api", "--github", "acme/legacy"])
        .args(["--github-url", &server.url, "--no-cache", "-f", "json"])
        .args([
            "-o",
            "sarif=out.sarif",
            "-o",
            "junit=out.xml",
            "-o",
            "markdown=out.md",
        ])
        .args(["-o", "html=out.html", "-o", "table=out.txt", "--evidence"])
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(
        server.requests().iter().any(|r| r.method == "POST"),
        "GraphQL was used"
    );
    let mut texts = vec![
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ];
    for f in walkdir::WalkDir::new(dir.path()).into_iter().flatten() {
        if f.file_type().is_file() {
            texts.push(String::from_utf8_lossy(&std::fs::read(f.path()).unwrap()).into_owned());
        }
    }
    assert!(texts.len() > 8, "{} files", texts.len());
    for t in &texts {
        assert!(!t.contains(TOKEN) && !t.contains("TokenThatMustNeverBePrinted"));
    }
    // The run did see the token: the settings were read.
    assert!(texts[0].contains("\"outcome\""));
}
