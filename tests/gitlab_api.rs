//! The GitLab provider end to end, against a real HTTP server on 127.0.0.1 playing GitLab with
//! bodies built from GitLab's published examples (`tests/support/gitlab_server.rs`):
//! compliant and non-compliant projects on Premium and on Free, a Developer token, no token, a
//! group with subgroups and archived projects, small pages, and faults (5xx, 429 with
//! `Retry-After`, a slow endpoint, 401). The client under test is the `gitlab` crate's, with
//! the project's retry, rate-limit and cache layer. No test reaches the internet.

#[path = "support/gitlab_server.rs"]
mod gitlab_server;

use std::collections::BTreeMap;
use std::time::Duration;

use gitlab_server::{Fault, Kind, SECRET_VALUES, Scenario, Server};
use soc2::config::Policy;
use soc2::engine::{Evaluation, Outcome, evaluate};
use soc2::facts::Repository;
use soc2::facts::gitlab_settings::{Evidence, GitlabFacts};
use soc2::providers::gitlab::{self, Options};
use soc2::rules::load_embedded;

const TOKEN: &str = "glpat-good";

fn options(server: &Server, token: Option<&str>) -> Options {
    let mut o = Options::new(server.url.clone(), token.map(str::to_string));
    o.backoff = Duration::from_millis(10);
    o.timeout = Duration::from_secs(5);
    o.max_wait = Duration::from_secs(5);
    o
}

fn collect(o: &Options) -> Vec<Repository> {
    gitlab::collect(o).expect("collects").repositories
}

fn run(server: &Server, token: Option<&str>, projects: &[&str]) -> Vec<Repository> {
    let mut o = options(server, token);
    o.projects = projects.iter().map(|p| p.to_string()).collect();
    collect(&o)
}

fn settings(repo: &Repository) -> &GitlabFacts {
    repo.gitlab.as_deref().expect("GitLab facts")
}

fn reason<T>(e: &Evidence<T>) -> String {
    match e {
        Evidence::Unknown { reason, .. } => reason.clone(),
        Evidence::Known { .. } => panic!("expected unknown evidence, got a value"),
        Evidence::NotApplicable { reason, .. } => panic!("expected unknown, got n/a: {reason}"),
    }
}

fn evaluations(repos: &[Repository]) -> Vec<Evaluation> {
    let rules = load_embedded().expect("rules");
    evaluate(&rules, repos, &Policy::default())
}

/// rule → (outcome, message) for one target; a failure or unknown wins over passes.
fn outcomes(evals: &[Evaluation], target: &str) -> BTreeMap<String, (Outcome, String)> {
    let mut out = BTreeMap::new();
    for e in evals.iter().filter(|e| e.target == target) {
        let entry = out
            .entry(e.rule.clone())
            .or_insert((e.outcome, e.message.clone()));
        if matches!(e.outcome, Outcome::Fail | Outcome::Unknown) && entry.0 == Outcome::Pass {
            *entry = (e.outcome, e.message.clone());
        }
    }
    out
}

#[test]
fn a_compliant_premium_project_is_read_whole() {
    let server = Server::start(Scenario::new(&[("acme/platform/api", Kind::Compliant)]));
    let repos = run(&server, Some(TOKEN), &["acme/platform/api"]);
    let repo = &repos[0];
    assert_eq!(repo.id, "gitlab:acme/platform/api");
    let g = settings(repo);
    assert_eq!(g.role, Some(50));
    let p = g.project.known().expect("project");
    assert!(p.only_allow_merge_if_pipeline_succeeds && !p.allow_merge_on_skipped_pipeline);
    assert!(p.ci_settings_visible);
    assert_eq!(
        p.ci_pipeline_variables_minimum_override_role.as_deref(),
        Some("maintainer")
    );
    assert_eq!(p.allow_pipeline_trigger_approve_deployment, Some(false));
    let main = g.default_branch.as_ref().expect("default branch");
    assert!(main.protected && main.complete);
    assert!(main.pushers.is_empty(), "{:?}", main.pushers);
    assert_eq!(main.mergers, ["Example Merge Group"]);
    assert!(!main.allow_force_push);
    assert_eq!(main.code_owner_approval_required, Some(true));
    // approval_rules.list.json requires 3 approvals on `main`.
    assert_eq!(main.required_approvals.known(), Some(&3));
    let approvals = g.approvals.known().expect("approvals");
    assert!(!approvals.merge_requests_author_approval);
    let push = g.push_rule.known().expect("push rule");
    assert!(push.configured && push.reject_unsigned_commits);
    let envs = g.environments.known().expect("protected environments");
    assert_eq!(envs[0].name, "production");
    assert_eq!(envs[0].required_approvals, 1);
    assert!(!envs[0].developers_can_deploy);
    let members = g.members.known().expect("members");
    assert_eq!(members.len(), 4);
    assert!(
        members.iter().any(|m| m.bot),
        "access-token bots are marked"
    );
    let vars = g.variables.known().expect("variables");
    let keys: Vec<_> = vars
        .iter()
        .map(|v| (v.key.as_str(), v.source.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("DEPLOY_TOKEN", "project"),
            ("LOG_LEVEL", "group:acme"),
            ("LOG_LEVEL", "group:acme/platform")
        ]
    );
    assert!(!g.deploy_keys.known().expect("keys")[0].can_push);
    let hooks = g.webhooks.known().expect("hooks");
    assert_eq!(hooks[0].url, "https://ci.example.com/hook");
    assert!(hooks[0].https && hooks[0].enable_ssl_verification);
    assert!(
        g.job_token_scope
            .known()
            .expect("job token")
            .inbound_enabled
    );
    let groups: Vec<_> = g.groups.iter().map(|x| x.full_path.as_str()).collect();
    assert_eq!(groups, ["acme", "acme/platform"]);
    assert!(
        g.groups[0]
            .settings
            .known()
            .expect("group")
            .require_two_factor_authentication
    );
    // The pipeline was fetched with its local include and resolved like a checkout.
    assert_eq!(repo.pipelines.len(), 1, "{:?}", repo.diagnostics);
    let jobs: Vec<_> = repo.pipelines[0]
        .jobs
        .iter()
        .map(|j| j.id.as_str())
        .collect();
    // Included files are merged first, as GitLab does.
    assert_eq!(jobs, ["deploy", "test"]);
    assert!(repo.diagnostics.is_empty(), "{:?}", repo.diagnostics);
    assert_eq!(
        repo.codeowners.as_ref().map(|c| c.path.as_str()),
        Some(".gitlab/CODEOWNERS")
    );
    assert!(repo.renovate.is_some());
    assert!(repo.ecosystems.contains(&"cargo".to_string()));
    // Every request carried the token in GitLab's header.
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.token.as_deref() == Some(TOKEN))
    );
}

#[test]
fn free_tier_endpoints_are_unknown_naming_the_tier() {
    let mut scenario = Scenario::new(&[("acme/api", Kind::Compliant)]);
    scenario.premium = false;
    let server = Server::start(scenario);
    let repos = run(&server, Some(TOKEN), &["acme/api"]);
    let g = settings(&repos[0]);
    for why in [
        reason(&g.approvals),
        reason(&g.approval_rules),
        reason(&g.push_rule),
        reason(&g.environments),
    ] {
        assert!(why.contains("GitLab Premium or Ultimate"), "{why}");
        assert!(why.contains("404"), "{why}");
    }
    let main = g.default_branch.as_ref().expect("default branch");
    assert!(main.protected, "protected branches are a Free feature");
    assert_eq!(
        main.code_owner_approval_required, None,
        "Free does not say; it is never guessed"
    );
    assert!(reason(&main.required_approvals).contains("Premium"));
    assert_eq!(
        g.project
            .known()
            .expect("project")
            .allow_pipeline_trigger_approve_deployment,
        None
    );
}

#[test]
fn a_developer_token_leaves_maintainer_data_unknown_naming_the_role() {
    let mut scenario = Scenario::new(&[("acme/api", Kind::Compliant)]);
    scenario.role = 30;
    let server = Server::start(scenario);
    let repos = run(&server, Some(TOKEN), &["acme/api"]);
    let g = settings(&repos[0]);
    assert_eq!(g.role, Some(30));
    for why in [
        reason(&g.variables),
        reason(&g.deploy_keys),
        reason(&g.webhooks),
        reason(&g.job_token_scope),
    ] {
        assert!(why.contains("403") && why.contains("Maintainer"), "{why}");
    }
    let why = reason(&g.push_rule);
    assert!(
        why.contains("Premium") && why.contains("Maintainer"),
        "{why}"
    );
    let p = g.project.known().expect("project");
    assert!(
        !p.ci_settings_visible,
        "CI/CD settings are shown to Maintainers"
    );
    // Member data is still read.
    assert!(g.members.known().is_some());
}

#[test]
fn group_variables_need_the_owner_role() {
    let mut scenario = Scenario::new(&[("acme/api", Kind::Compliant)]);
    scenario.role = 40;
    let server = Server::start(scenario);
    let repos = run(&server, Some(TOKEN), &["acme/api"]);
    let why = reason(&settings(&repos[0]).variables);
    assert!(why.contains("project's 1 variable(s) were read"), "{why}");
    assert!(why.contains("Owner role in the group"), "{why}");
}

#[test]
fn a_non_compliant_project_is_read_as_it_is() {
    let server = Server::start(Scenario::new(&[("acme/legacy", Kind::NonCompliant)]));
    let repos = run(&server, Some(TOKEN), &["acme/legacy"]);
    let g = settings(&repos[0]);
    let main = g.default_branch.as_ref().expect("default branch");
    assert!(main.complete && !main.protected);
    assert_eq!(main.required_approvals.known(), Some(&0));
    let push = g.push_rule.known().expect("a `null` push rule is evidence");
    assert!(!push.configured, "`null` means never configured");
    let vars = g.variables.known().expect("variables");
    assert!(
        vars.iter()
            .any(|v| v.key == "AWS_SECRET_ACCESS_KEY" && !v.masked)
    );
    assert!(g.deploy_keys.known().expect("keys")[0].can_push);
    let hook = &g.webhooks.known().expect("hooks")[0];
    assert!(!hook.https && !hook.enable_ssl_verification);
    assert!(!g.job_token_scope.known().expect("scope").inbound_enabled);
    assert!(g.environments.known().expect("envs")[0].developers_can_deploy);
    assert_eq!(
        g.project
            .known()
            .expect("project")
            .ci_delete_pipelines_in_seconds,
        Some(30 * 86400)
    );
}

#[test]
fn a_group_is_listed_recursively_without_archived_projects() {
    let mut scenario = Scenario::new(&[
        ("acme/api", Kind::Compliant),
        ("acme/platform/web", Kind::Compliant),
        ("acme/platform/old", Kind::Compliant),
        ("acme/platform/tools/cli", Kind::NonCompliant),
        ("other/thing", Kind::Compliant),
    ]);
    scenario.archived = vec!["acme/platform/old".into()];
    let server = Server::start(scenario);
    let mut o = options(&server, Some(TOKEN));
    o.groups = vec!["acme".into()];
    let ids: Vec<String> = collect(&o).into_iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [
            "gitlab:acme/api",
            "gitlab:acme/platform/web",
            "gitlab:acme/platform/tools/cli"
        ]
    );
    // --include / --exclude over paths or names.
    let mut o = options(&server, Some(TOKEN));
    o.groups = vec!["acme".into()];
    o.exclude = vec!["acme/platform/tools/**".into()];
    let ids: Vec<String> = collect(&o).into_iter().map(|r| r.id).collect();
    assert_eq!(ids, ["gitlab:acme/api", "gitlab:acme/platform/web"]);
    let mut o = options(&server, Some(TOKEN));
    o.groups = vec!["acme".into()];
    o.include = vec!["web".into()];
    let ids: Vec<String> = collect(&o).into_iter().map(|r| r.id).collect();
    assert_eq!(ids, ["gitlab:acme/platform/web"]);
}

#[test]
fn long_lists_span_pages() {
    // 230 projects: GitLab's pages hold 100 at most, so the listing takes three pages.
    let names: Vec<String> = (0..230).map(|i| format!("big/p{i:03}")).collect();
    let projects: Vec<(&str, Kind)> = names
        .iter()
        .map(|n| (n.as_str(), Kind::Compliant))
        .collect();
    let server = Server::start(Scenario::new(&projects));
    let mut o = options(&server, Some(TOKEN));
    o.groups = vec!["big".into()];
    o.include = vec!["p229".into(), "p000".into()];
    let ids: Vec<String> = collect(&o).into_iter().map(|r| r.id).collect();
    assert_eq!(ids, ["gitlab:big/p000", "gitlab:big/p229"]);
    let pages: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.url.contains("/groups/big/projects"))
        .map(|r| r.url)
        .collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages[2].contains("page=3"), "{pages:?}");
}

#[test]
fn an_unknown_group_is_a_clear_error() {
    let server = Server::start(Scenario::new(&[("acme/api", Kind::Compliant)]));
    let mut o = options(&server, Some(TOKEN));
    o.groups = vec!["nope".into()];
    let err = gitlab::collect(&o).expect_err("no such group").to_string();
    assert!(err.contains("`nope`") && err.contains("404"), "{err}");
}

#[test]
fn a_rejected_token_stops_the_run_with_a_clear_error() {
    let server = Server::start(Scenario::new(&[("acme/api", Kind::Compliant)]));
    let mut o = options(&server, Some("glpat-wrong"));
    o.projects = vec!["acme/api".into()];
    let err = gitlab::collect(&o).expect_err("401").to_string();
    assert!(err.contains("rejected the token"), "{err}");
    assert!(!err.contains("glpat-wrong"), "{err}");
}

#[test]
fn without_a_token_every_setting_is_unknown_with_the_reason() {
    let server = Server::start(Scenario::new(&[("acme/api", Kind::Compliant)]));
    let repos = run(&server, None, &["acme/api"]);
    let g = settings(&repos[0]);
    let why = reason(&g.project);
    assert!(why.contains("set GITLAB_TOKEN"), "{why}");
    // A private project looks missing to an anonymous caller: the reason says both.
    let mut open = Scenario::new(&[("acme/web", Kind::Compliant)]);
    open.token = None;
    let open = Server::start(open);
    let hidden = run(&open, None, &["acme/private"]);
    let why = reason(&settings(&hidden[0]).project);
    assert!(
        why.contains("404") && why.contains("set GITLAB_TOKEN"),
        "{why}"
    );
    let o = outcomes(&evaluations(&repos), "gitlab:acme/api");
    assert!(
        o.values().all(|(out, _)| *out != Outcome::Pass),
        "nothing passes without evidence: {o:?}"
    );
}

#[test]
fn server_errors_are_retried_then_reported() {
    let server = Server::start(Scenario::new(&[("acme/api", Kind::Compliant)]));
    let s502 = || Fault::Status(502, Vec::new(), "{\"message\":\"502 Bad Gateway\"}".into());
    server.fault("/projects/1000/hooks", s502());
    server.fault("/projects/1000/hooks", s502());
    for _ in 0..4 {
        server.fault("/projects/1000/deploy_keys", s502());
    }
    let repos = run(&server, Some(TOKEN), &["acme/api"]);
    let g = settings(&repos[0]);
    assert!(g.webhooks.known().is_some(), "two 502s, then an answer");
    let why = reason(&g.deploy_keys);
    assert!(
        why.contains("server error 502") && why.contains("4 attempts"),
        "{why}"
    );
}

#[test]
fn rate_limits_are_waited_for_and_capped() {
    let server = Server::start(Scenario::new(&[("acme/api", Kind::Compliant)]));
    let limited = |secs: &str| {
        Fault::Status(
            429,
            vec![("Retry-After".into(), secs.into())],
            "{\"message\":\"Retry later\"}".into(),
        )
    };
    server.fault("/projects/1000/hooks", limited("1"));
    server.fault("/projects/1000/deploy_keys", limited("3600"));
    let mut o = options(&server, Some(TOKEN));
    o.projects = vec!["acme/api".into()];
    let collected = gitlab::collect(&o).expect("collects");
    let g = settings(&collected.repositories[0]);
    assert!(g.webhooks.known().is_some(), "waited a second, then read");
    let why = reason(&g.deploy_keys);
    assert!(
        why.contains("rate limit") && why.contains("--max-wait"),
        "{why}"
    );
    assert!(collected.stats.rate_limit_waits >= 1);
}

#[test]
fn a_slow_endpoint_times_out_into_unknown() {
    let server = Server::start(Scenario::new(&[("acme/api", Kind::Compliant)]));
    for _ in 0..3 {
        server.fault(
            "/projects/1000/job_token_scope",
            Fault::Delay(Duration::from_secs(3)),
        );
    }
    let mut o = options(&server, Some(TOKEN));
    o.projects = vec!["acme/api".into()];
    o.timeout = Duration::from_millis(500);
    o.retries = 2;
    let repos = collect(&o);
    let why = reason(&settings(&repos[0]).job_token_scope);
    assert!(why.contains("timed out"), "{why}");
}

#[test]
fn a_second_run_revalidates_with_etags() {
    let server = Server::start(Scenario::new(&[("acme/api", Kind::Compliant)]));
    let cache = tempfile::tempdir().unwrap();
    let mut o = options(&server, Some(TOKEN));
    o.projects = vec!["acme/api".into()];
    o.cache_dir = Some(cache.path().to_path_buf());
    let first = gitlab::collect(&o).expect("first run");
    server.clear_log();
    let second = gitlab::collect(&o).expect("second run");
    let log = server.requests();
    let conditional = log.iter().filter(|r| r.conditional).count();
    let not_modified = log.iter().filter(|r| r.status == 304).count();
    assert!(
        conditional * 10 >= log.len() * 8,
        "{conditional} of {}",
        log.len()
    );
    assert_eq!(not_modified as u64, second.stats.not_modified);
    assert!(not_modified > 0);
    // The same facts either way.
    assert_eq!(
        serde_json::to_value(&first.repositories).unwrap(),
        serde_json::to_value(&second.repositories).unwrap()
    );
    // The cache holds no token and no variable value.
    for f in walkdir::WalkDir::new(cache.path()).into_iter().flatten() {
        if f.file_type().is_file() {
            let text = std::fs::read_to_string(f.path()).unwrap();
            assert!(!text.contains(TOKEN));
        }
    }
}

#[test]
fn secrets_and_the_token_never_reach_the_facts() {
    let server = Server::start(Scenario::new(&[
        ("acme/api", Kind::Compliant),
        ("acme/legacy", Kind::NonCompliant),
    ]));
    let repos = run(&server, Some(TOKEN), &["acme/api", "acme/legacy"]);
    let text = serde_json::to_string(&repos).unwrap();
    for secret in SECRET_VALUES.iter().chain(&[TOKEN]) {
        assert!(!text.contains(secret), "{secret} leaked into the facts");
    }
}

#[test]
fn a_missing_include_is_a_located_diagnostic() {
    // The project's pipeline includes a file that the repository does not have: the
    // resolver's diagnostic names it, as for a checkout.
    let server = Server::start(Scenario::new(&[("acme/api", Kind::Compliant)]));
    server.fault(
        "/projects/1000/repository/files/ci%2Fdeploy.yml/raw",
        Fault::Status(
            404,
            Vec::new(),
            "{\"message\":\"404 File Not Found\"}".into(),
        ),
    );
    let repos = run(&server, Some(TOKEN), &["acme/api"]);
    let d = &repos[0].diagnostics;
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(&*d[0].loc.path, ".gitlab-ci.yml");
    assert!(d[0].message.contains("ci/deploy.yml"), "{}", d[0].message);
}

/// Through the CLI: the token, the values of CI/CD variables (a password among them) and a
/// webhook's query-string secret never appear in any output — every report format, the
/// evidence bundle, the ledger, the HTTP debug log and error messages — with a 401 on one
/// request.
#[test]
fn cli_outputs_bundles_and_ledgers_never_carry_secrets() {
    const SECRET_TOKEN: &str = "glpat-TokenThatMustNeverBePrinted01";
    let mut s = Scenario::new(&[
        ("acme/api", Kind::Compliant),
        ("acme/legacy", Kind::NonCompliant),
    ]);
    s.token = Some(SECRET_TOKEN.into());
    let server = Server::start(s);
    server.fault(
        "/projects/1001/hooks",
        Fault::Status(401, Vec::new(), r#"{"message":"401 Unauthorized"}"#.into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    let out = assert_cmd::Command::cargo_bin("soc2")
        .unwrap()
        .current_dir(dir.path())
        .env("GITLAB_TOKEN", SECRET_TOKEN)
        .env("SOC2_DEBUG_HTTP", "1")
        .env_remove("CI_SERVER_URL")
        .args(["check", "--gitlab", "acme/api", "--gitlab", "acme/legacy"])
        .args(["--gitlab-url", &server.url, "--no-cache", "-f", "json"])
        .args(["-o", "sarif=out.sarif", "-o", "junit=out.xml"])
        .args([
            "-o",
            "markdown=out.md",
            "-o",
            "html=out.html",
            "-o",
            "table=out.txt",
        ])
        .arg("--evidence")
        .arg(&bundle)
        .arg("--ledger")
        .arg(dir.path().join("ledger.jsonl"))
        .output()
        .unwrap();
    let facts = assert_cmd::Command::cargo_bin("soc2")
        .unwrap()
        .current_dir(dir.path())
        .env("GITLAB_TOKEN", SECRET_TOKEN)
        .env_remove("CI_SERVER_URL")
        .args([
            "facts",
            "--gitlab",
            "acme/legacy",
            "--gitlab-url",
            &server.url,
            "--no-cache",
        ])
        .output()
        .unwrap();
    let mut texts = vec![
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        String::from_utf8_lossy(&facts.stdout).into_owned(),
        String::from_utf8_lossy(&facts.stderr).into_owned(),
    ];
    for f in walkdir::WalkDir::new(dir.path()).into_iter().flatten() {
        if f.file_type().is_file() {
            texts.push(String::from_utf8_lossy(&std::fs::read(f.path()).unwrap()).into_owned());
        }
    }
    assert!(texts.len() > 10, "{} outputs", texts.len());
    for t in &texts {
        for secret in SECRET_VALUES.iter().chain(&[SECRET_TOKEN]) {
            assert!(!t.contains(secret), "{secret} leaked");
        }
    }
    // The run did read the settings: the variable is in the facts by name.
    assert!(texts[2].contains("AWS_SECRET_ACCESS_KEY"), "{}", texts[3]);
    assert!(texts[0].contains("gitlab:acme/api"));
    // The bundle records where each project's evidence was read from.
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("run.json")).unwrap()).unwrap();
    let text = run.to_string();
    assert!(
        text.contains(&format!("{}/api/v4/projects/1000", server.url)),
        "{text}"
    );
    assert!(text.contains("\"kind\":\"gitlab\""), "{text}");
}

/// The settings rules with a GitLab side.
const GITLAB_RULES: [&str; 21] = [
    "CC6-001", "CC6-003", "CC6-011", "CC6-018", "CC6-019", "CC6-020", "CC6-021", "CC7-009",
    "CC8-001", "CC8-002", "CC8-003", "CC8-004", "CC8-005", "CC8-007", "CC8-009", "CC8-012",
    "CC8-013", "CC8-014", "CC8-015", "CC8-016", "CC8-018",
];

fn strict_policy() -> Policy {
    let mut p = Policy::default();
    // CC8-013 applies only when the policy asks for signed commits.
    p.change_management.require_signed_commits = true;
    p
}

#[test]
fn a_compliant_project_passes_every_gitlab_settings_rule() {
    let server = Server::start(Scenario::new(&[("acme/api", Kind::Compliant)]));
    let repos = run(&server, Some(TOKEN), &["acme/api"]);
    let rules = load_embedded().expect("rules");
    let evals = evaluate(&rules, &repos, &strict_policy());
    let o = outcomes(&evals, "gitlab:acme/api");
    for rule in GITLAB_RULES {
        let (out, msg) = o
            .get(rule)
            .unwrap_or_else(|| panic!("{rule} not evaluated"));
        assert_eq!(*out, Outcome::Pass, "{rule}: {msg}");
    }
    // The base facts of the rule fixtures pass the same rules: they have the shape the
    // provider writes.
    let base: Repository = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/gitlab-base.facts.json"),
        )
        .unwrap(),
    )
    .expect("base facts load");
    let evals = evaluate(&rules, std::slice::from_ref(&base), &strict_policy());
    let o = outcomes(&evals, &base.id);
    for rule in GITLAB_RULES {
        let (out, msg) = o
            .get(rule)
            .unwrap_or_else(|| panic!("{rule} not evaluated"));
        assert!(
            matches!(out, Outcome::Pass | Outcome::NotApplicable),
            "{rule} on the base facts: {msg}"
        );
    }
}

#[test]
fn a_non_compliant_project_fails_them_with_gitlab_findings() {
    let server = Server::start(Scenario::new(&[("acme/legacy", Kind::NonCompliant)]));
    let repos = run(&server, Some(TOKEN), &["acme/legacy"]);
    let rules = load_embedded().expect("rules");
    let evals = evaluate(&rules, &repos, &strict_policy());
    let o = outcomes(&evals, "gitlab:acme/legacy");
    for rule in [
        "CC6-003", "CC6-011", "CC6-018", "CC6-019", "CC6-020", "CC6-021", "CC7-009", "CC8-001",
        "CC8-002", "CC8-003", "CC8-004", "CC8-005", "CC8-007", "CC8-009", "CC8-012", "CC8-013",
        "CC8-014", "CC8-015", "CC8-016",
    ] {
        let (out, msg) = o
            .get(rule)
            .unwrap_or_else(|| panic!("{rule} not evaluated"));
        assert_eq!(*out, Outcome::Fail, "{rule}: {msg}");
    }
    // Settings findings name their GitLab resource.
    let f = evals
        .iter()
        .find(|e| e.rule == "CC8-001" && e.outcome == Outcome::Fail)
        .expect("CC8-001 fails");
    assert!(
        f.resource.starts_with("gitlab://127.0.0.1")
            && f.resource.ends_with("/protected_branches/main"),
        "{}",
        f.resource
    );
}

#[test]
fn on_free_the_premium_controls_are_unknown_never_passed() {
    let mut scenario = Scenario::new(&[("acme/api", Kind::Compliant)]);
    scenario.premium = false;
    let server = Server::start(scenario);
    let repos = run(&server, Some(TOKEN), &["acme/api"]);
    let rules = load_embedded().expect("rules");
    let evals = evaluate(&rules, &repos, &strict_policy());
    let o = outcomes(&evals, "gitlab:acme/api");
    for rule in [
        "CC8-003", "CC8-004", "CC8-005", "CC8-007", "CC8-013", "CC8-015",
    ] {
        let (out, msg) = o
            .get(rule)
            .unwrap_or_else(|| panic!("{rule} not evaluated"));
        assert_eq!(*out, Outcome::Unknown, "{rule}: {msg}");
        assert!(msg.contains("Premium"), "{rule}: {msg}");
    }
    // Free features are still judged.
    for rule in ["CC8-001", "CC8-002", "CC8-009", "CC8-012"] {
        assert_eq!(o[rule].0, Outcome::Pass, "{rule}: {}", o[rule].1);
    }
}

#[test]
fn a_developer_token_gives_unknown_naming_the_role_never_a_pass() {
    let mut scenario = Scenario::new(&[("acme/api", Kind::Compliant)]);
    scenario.role = 30;
    let server = Server::start(scenario);
    let repos = run(&server, Some(TOKEN), &["acme/api"]);
    let o = outcomes(&evaluations(&repos), "gitlab:acme/api");
    for rule in ["CC6-011", "CC6-018", "CC6-019", "CC6-020", "CC6-021"] {
        let (out, msg) = &o[rule];
        assert_eq!(*out, Outcome::Unknown, "{rule}: {msg}");
        assert!(msg.contains("Maintainer"), "{rule}: {msg}");
    }
}

/// soc2.toml names the GitLab targets and instance; inside GitLab CI, `CI_SERVER_URL` names
/// the instance for `--gitlab` targets.
#[test]
fn targets_come_from_soc2_toml_or_the_ci_server_url() {
    let server = Server::start(Scenario::new(&[
        ("acme/api", Kind::Compliant),
        ("acme/platform/web", Kind::Compliant),
    ]));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("soc2.toml"),
        format!(
            "[targets]\ngitlab = [\"acme/api\"]\ngitlab_url = \"{}\"\ncache_dir = \"cache\"\n",
            server.url
        ),
    )
    .unwrap();
    let ids = |out: &std::process::Output| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        let mut ids: Vec<String> = v["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["target"].as_str().map(str::to_string))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let out = assert_cmd::Command::cargo_bin("soc2")
        .unwrap()
        .current_dir(dir.path())
        .env("GITLAB_TOKEN", TOKEN)
        .env_remove("CI_SERVER_URL")
        .args(["check", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(ids(&out), ["gitlab:acme/api"]);
    assert!(
        dir.path().join("cache/gitlab").is_dir(),
        "the cache is per platform"
    );
    let out = assert_cmd::Command::cargo_bin("soc2")
        .unwrap()
        .current_dir(dir.path())
        .env("GITLAB_TOKEN", TOKEN)
        .env("CI_SERVER_URL", &server.url)
        .args([
            "check",
            "-f",
            "json",
            "--no-cache",
            "--gitlab",
            "acme/platform/web",
        ])
        .output()
        .unwrap();
    assert_eq!(ids(&out), ["gitlab:acme/platform/web"]);
    // A target that is not a project path is refused before any request.
    let out = assert_cmd::Command::cargo_bin("soc2")
        .unwrap()
        .current_dir(dir.path())
        .env("CI_SERVER_URL", &server.url)
        .args(["check", "--gitlab", "api"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("GROUP/PROJECT"), "{err}");
}

/// GitLab's `RateLimit-*` headers: a 429 without `Retry-After` waits until `RateLimit-Reset`,
/// and an answer whose `RateLimit-Remaining` is nearly spent pauses the requests that follow
/// until the window resets, instead of running into refusals.
#[test]
fn ratelimit_headers_pace_the_requests() {
    let server = Server::start(Scenario::new(&[("acme/api", Kind::Compliant)]));
    let reset = || {
        (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 1)
        .to_string()
    };
    server.fault(
        "/projects/1000/hooks",
        Fault::Status(
            429,
            vec![
                ("RateLimit-Remaining".into(), "0".into()),
                ("RateLimit-Reset".into(), reset()),
            ],
            "{\"message\":\"Retry later\"}".into(),
        ),
    );
    server.fault(
        "/projects/1000/job_token_scope",
        Fault::Status(
            200,
            vec![
                ("RateLimit-Remaining".into(), "2".into()),
                ("RateLimit-Reset".into(), reset()),
            ],
            "{\"inbound_enabled\":true,\"outbound_enabled\":false}".into(),
        ),
    );
    let mut o = options(&server, Some(TOKEN));
    o.projects = vec!["acme/api".into()];
    let started = std::time::Instant::now();
    let collected = gitlab::collect(&o).expect("collects");
    let g = settings(&collected.repositories[0]);
    assert!(g.webhooks.known().is_some(), "read after the reset");
    assert!(g.job_token_scope.known().is_some());
    assert_eq!(collected.stats.rate_limit_waits, 2, "one wait each");
    assert!(started.elapsed() >= Duration::from_millis(900));
}
