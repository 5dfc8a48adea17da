//! A fake GitHub REST API on 127.0.0.1 for tests and the benchmark: a real HTTP/1.1 server
//! (`http.rs`: std::net, one request per connection) answering with bodies built from GitHub's
//! published examples in
//! `../shared/api-examples/github/` (and `tests/data/github/` for the few endpoints missing
//! there), patched per scenario. It records every request, serves ETags and `304 Not
//! Modified`, paginates with `Link` headers, and injects faults (5xx, 429/403 rate limits with
//! `Retry-After`, slow answers, truncated JSON, 401) from a per-path queue.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

#[path = "http.rs"]
mod http;
use http::fxhash;

/// What a repository looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Every control holds (classic protection and an active ruleset).
    Compliant,
    /// Unprotected, permissive settings everywhere.
    NonCompliant,
    /// Protected by an active ruleset only (classic: 404 Branch not protected).
    RulesetsOnly,
    /// Protected by classic protection only.
    ClassicOnly,
}

/// One injected fault, consumed by the next request to its path.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and body, plus headers.
    Status(u16, Vec<(String, String)>, String),
    /// Wait this long before answering normally.
    Delay(Duration),
    /// Answer normally but cut the body in half.
    Truncate,
}

/// The scenario the server plays.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Organization login.
    pub org: String,
    /// Repositories: name → kind.
    pub repos: Vec<(String, Kind)>,
    /// Whether the token's user administers the repositories (and owns the organization).
    pub admin: bool,
    /// The token that is accepted (`None`: any).
    pub token: Option<String>,
    /// Latency added to every answer.
    pub latency: Duration,
    /// The own secrets of the `production` environment of compliant repositories, whose
    /// deploy job reads `DEPLOY_TOKEN` (without it, the job reads a repository secret).
    pub production_secrets: Vec<String>,
    /// Extra workflow files of every repository (path, text).
    pub extra_files: Vec<(&'static str, String)>,
}

impl Scenario {
    /// An organization `acme` with these repositories, an admin token `good`.
    pub fn new(repos: &[(&str, Kind)]) -> Self {
        Self {
            org: "acme".into(),
            repos: repos.iter().map(|(n, k)| ((*n).to_string(), *k)).collect(),
            admin: true,
            token: Some("good".into()),
            latency: Duration::ZERO,
            production_secrets: vec!["DEPLOY_TOKEN".into()],
            extra_files: Vec::new(),
        }
    }
}

/// A recorded request.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Path and query.
    pub url: String,
    /// Status answered.
    pub status: u16,
    /// Whether it carried `If-None-Match`.
    pub conditional: bool,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The request method.
    pub method: String,
    /// The request body (GraphQL queries), if any.
    pub body: Option<String>,
}

/// A running server; stops when dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Every request, in order.
    pub log: Arc<Mutex<Vec<Logged>>>,
    faults: Arc<Mutex<HashMap<String, VecDeque<Fault>>>>,
    _listener: http::Listener,
}

impl Server {
    /// Starts the server on 127.0.0.1 (an ephemeral port); `_workers` is kept for callers.
    pub fn start(scenario: Scenario, _workers: usize) -> Self {
        let log = Arc::new(Mutex::new(Vec::new()));
        let faults: Arc<Mutex<HashMap<String, VecDeque<Fault>>>> = Arc::default();
        // The answers name the server's own URL (pagination links), known once it listens.
        let data: Arc<std::sync::OnceLock<Data>> = Arc::default();
        let listener = {
            let (data, log, faults) = (data.clone(), log.clone(), faults.clone());
            http::Listener::start(move |req: http::Request| {
                let Some(data) = data.get() else {
                    return (503, Vec::new(), String::new());
                };
                respond(
                    data,
                    &req.method,
                    &req.url,
                    req.body.clone(),
                    req.header("authorization"),
                    req.header("if-none-match"),
                    &log,
                    &faults,
                )
            })
        };
        let _ = data.set(Data::new(scenario, &listener.url));
        Self {
            url: listener.url.clone(),
            log,
            faults,
            _listener: listener,
        }
    }

    /// Queues a fault for the next request to `path` (path without query).
    pub fn fault(&self, path: &str, fault: Fault) {
        self.faults
            .lock()
            .unwrap()
            .entry(path.to_string())
            .or_default()
            .push_back(fault);
    }

    /// The requests so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }

    /// Forgets the requests so far.
    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }
}

#[allow(clippy::too_many_arguments)]
fn respond(
    data: &Data,
    method: &str,
    url: &str,
    request_body: Option<String>,
    authorization: Option<String>,
    if_none_match: Option<String>,
    log: &Mutex<Vec<Logged>>,
    faults: &Mutex<HashMap<String, VecDeque<Fault>>>,
) -> (u16, Vec<(String, String)>, String) {
    let url = url.to_string();
    // GitHub Enterprise Server serves the API under /api/v3.
    let (prefix, local) = match url.strip_prefix("/api/v3") {
        Some(rest) if rest.starts_with('/') => ("/api/v3", rest.to_string()),
        _ => ("", url.clone()),
    };
    let path = local.split('?').next().unwrap_or("").to_string();
    if !data.scenario.latency.is_zero() {
        std::thread::sleep(data.scenario.latency);
    }
    let fault = faults
        .lock()
        .unwrap()
        .get_mut(&path)
        .and_then(VecDeque::pop_front);
    let mut truncate = false;
    let graphql = method == "POST" && (url == "/graphql" || url == "/api/graphql");
    let reply = || {
        if graphql {
            graphql_answer(
                data,
                request_body.as_deref().unwrap_or(""),
                authorization.as_deref(),
            )
        } else if method != "GET" {
            msg(404, "Not Found")
        } else {
            answer(data, &local, authorization.as_deref(), prefix)
        }
    };
    let (status, mut headers, body) = match fault {
        Some(Fault::Status(s, h, b)) => (s, h, Some(b)),
        Some(Fault::Delay(d)) => {
            std::thread::sleep(d);
            reply()
        }
        Some(Fault::Truncate) => {
            truncate = true;
            reply()
        }
        None => reply(),
    };
    let mut body = body.unwrap_or_default();
    let mut status = status;
    if status == 200 && !graphql {
        let etag = format!("\"{:016x}\"", fxhash(&body));
        if if_none_match.as_deref() == Some(etag.as_str()) {
            status = 304;
            body.clear();
        }
        headers.push(("ETag".into(), etag));
    }
    if truncate {
        body.truncate(body.len() / 2);
    }
    log.lock().unwrap().push(Logged {
        url,
        status,
        conditional: if_none_match.is_some(),
        authorization,
        method: method.to_string(),
        body: request_body,
    });
    headers.push((
        "Content-Type".into(),
        "application/json; charset=utf-8".into(),
    ));
    (status, headers, body)
}

type Answer = (u16, Vec<(String, String)>, Option<String>);

fn msg(status: u16, message: &str) -> Answer {
    (
        status,
        Vec::new(),
        Some(
            json!({"message": message, "documentation_url": "https://docs.github.com/rest"})
                .to_string(),
        ),
    )
}

fn ok(v: Value) -> Answer {
    (200, Vec::new(), Some(v.to_string()))
}

/// The examples directory (`../shared/api-examples/github`).
pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/api-examples/github")
}

/// An example body: from the shared examples, else from `tests/data/github/`.
pub fn example(name: &str) -> Value {
    let shared = examples_dir().join(name);
    let local = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/github")
        .join(name);
    let path = if shared.exists() { shared } else { local };
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("example {}: {e}", path.display()));
    serde_json::from_str(&text).expect("example is JSON")
}

/// Merges `patch` into `base` (RFC 7396 JSON merge patch).
pub fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(k);
                } else {
                    merge(b.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

fn patched(name: &str, patch: Value) -> Value {
    let mut v = example(name);
    merge(&mut v, &patch);
    v
}

/// Files of each repository's default branch.
const CI: &str = "name: ci\non:\n  pull_request:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@692973e3d937129bcbf40652eb9f2f61becf3332\n        with:\n          persist-credentials: false\n      - run: cargo test\n      - uses: ./tools/setup\n  deploy:\n    needs: test\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - run: echo deploy\n";
const CI_BAD: &str = "name: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo test\n";
const CODEOWNERS: &str = "* @acme/maintainers\n/.github/ @acme/security\n";
const ACTION: &str =
    "name: setup\nruns:\n  using: composite\n  steps:\n    - run: echo setup\n      shell: bash\n";

struct Data {
    scenario: Scenario,
    base: String,
}

impl Data {
    fn new(scenario: Scenario, base: &str) -> Self {
        Self {
            scenario,
            base: base.to_string(),
        }
    }

    fn kind(&self, repo: &str) -> Option<Kind> {
        self.scenario
            .repos
            .iter()
            .find(|(n, _)| n == repo)
            .map(|(_, k)| *k)
    }

    fn sha(text: &str) -> String {
        format!("{:040x}", u128::from(fxhash(text)))
    }
}

fn query(url: &str) -> BTreeMap<String, String> {
    url.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn answer(data: &Data, url: &str, auth: Option<&str>, prefix: &str) -> Answer {
    let s = &data.scenario;
    let authed = match (&s.token, auth) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(t), Some(a)) => {
            if a == format!("Bearer {t}") || a == format!("token {t}") {
                true
            } else {
                return msg(401, "Bad credentials");
            }
        }
    };
    let admin = authed && s.admin;
    let path = url.split('?').next().unwrap_or("");
    let q = query(url);
    let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let org = s.org.as_str();
    match seg.as_slice() {
        ["orgs", o] if *o == org => {
            let mut v = example("orgs__get.200.default-response.json");
            merge(&mut v, &json!({"login": org}));
            let compliant = s.repos.iter().all(|(_, k)| *k != Kind::NonCompliant);
            if !admin {
                for k in [
                    "two_factor_requirement_enabled",
                    "default_repository_permission",
                    "members_can_create_repositories",
                    "billing_email",
                ] {
                    v.as_object_mut().unwrap().remove(k);
                }
            } else if !compliant {
                merge(
                    &mut v,
                    &json!({"two_factor_requirement_enabled": false, "default_repository_permission": "write"}),
                );
            }
            ok(v)
        }
        ["orgs", o, "repos"] if *o == org => {
            let per_page: usize = q.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(30);
            let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let template = example("repos__list-for-org.200.json")[0].clone();
            let all: Vec<Value> = s
                .repos
                .iter()
                .map(|(n, _)| {
                    let mut r = template.clone();
                    merge(
                        &mut r,
                        &json!({"name": n, "full_name": format!("{org}/{n}"), "archived": false, "owner": {"login": org, "type": "Organization"}}),
                    );
                    r
                })
                .chain(std::iter::once({
                    let mut r = template.clone();
                    merge(
                        &mut r,
                        &json!({"name": "old-archived", "full_name": format!("{org}/old-archived"), "archived": true}),
                    );
                    r
                }))
                .collect();
            let start = (page - 1) * per_page;
            let items: Vec<Value> = all.iter().skip(start).take(per_page).cloned().collect();
            let mut headers = Vec::new();
            if start + per_page < all.len() {
                headers.push((
                    "Link".to_string(),
                    format!(
                        "<{}{prefix}/orgs/{org}/repos?type=all&per_page={per_page}&page={}>; rel=\"next\"",
                        data.base,
                        page + 1
                    ),
                ));
            }
            (200, headers, Some(Value::Array(items).to_string()))
        }
        ["orgs", o, "actions", "permissions"] if *o == org => {
            if !admin {
                return msg(403, "Must have admin rights to Repository.");
            }
            let compliant = s.repos.iter().all(|(_, k)| *k != Kind::NonCompliant);
            let mut v =
                example("actions__get-github-actions-permissions-organization.200.default.json");
            if !compliant {
                merge(
                    &mut v,
                    &json!({"allowed_actions": "all", "sha_pinning_required": false}),
                );
            }
            ok(v)
        }
        ["orgs", o, "outside_collaborators"] if *o == org => {
            if !admin {
                return msg(403, "You must be an admin of the organization");
            }
            ok(example("orgs__list-outside-collaborators.200.default.json"))
        }
        ["repos", o, r, rest @ ..] if *o == org => {
            let Some(kind) = data.kind(r) else {
                return msg(404, "Not Found");
            };
            repo_answer(s, kind, &format!("{o}/{r}"), rest, &q, authed, admin)
        }
        _ => msg(404, "Not Found"),
    }
}

fn repo_answer(
    scenario: &Scenario,
    kind: Kind,
    full: &str,
    rest: &[&str],
    q: &BTreeMap<String, String>,
    authed: bool,
    admin: bool,
) -> Answer {
    use Kind::*;
    let good = kind != NonCompliant;
    let not_admin = || msg(404, "Not Found");
    let must_admin = |v: Value| {
        if admin {
            ok(v)
        } else {
            msg(403, "Must have admin rights to Repository.")
        }
    };
    match rest {
        [] => {
            let mut patch = json!({
                "name": full.split('/').nth(1), "full_name": full, "default_branch": "main",
                "visibility": "private", "private": true, "archived": false,
                "owner": {"login": full.split('/').next(), "type": "Organization"},
                "permissions": {"admin": admin, "maintain": admin, "push": authed, "triage": true, "pull": true},
            });
            if admin {
                let st = if good { "enabled" } else { "disabled" };
                merge(
                    &mut patch,
                    &json!({"security_and_analysis": {
                        "advanced_security": {"status": st},
                        "secret_scanning": {"status": st},
                        "secret_scanning_push_protection": {"status": st},
                        "dependabot_security_updates": {"status": if kind == Kind::ClassicOnly { "disabled" } else { st }}}}),
                );
            }
            ok(patched("repos__get.200.default-response.json", patch))
        }
        ["branches", "main", "protection"] => {
            if !admin {
                return not_admin();
            }
            match kind {
                NonCompliant | RulesetsOnly => msg(404, "Branch not protected"),
                Compliant | ClassicOnly => ok(patched(
                    "repos__get-branch-protection.200.default.json",
                    json!({
                        "required_pull_request_reviews": {"required_approving_review_count": 2,
                            "dismiss_stale_reviews": true, "require_code_owner_reviews": true,
                            "require_last_push_approval": true},
                        "required_status_checks": {"strict": true, "contexts": ["ci/test"]},
                        "enforce_admins": {"enabled": true},
                        "allow_force_pushes": {"enabled": false},
                        "allow_deletions": {"enabled": false},
                        "required_signatures": {"enabled": true},
                    }),
                )),
            }
        }
        ["branches", _, "protection"] => msg(404, "Branch not found"),
        ["rules", "branches", "main"] => {
            // Ruleset 42 is the organization's (shared by its repositories), 43 the repository's.
            let org = full.split('/').next().unwrap_or("");
            let rule = |t: &str, id: u64, p: Value| {
                let (source_type, source) = if id == 42 {
                    ("Organization", org)
                } else {
                    ("Repository", full)
                };
                json!({"type": t, "ruleset_source_type": source_type, "ruleset_source": source, "ruleset_id": id, "parameters": p})
            };
            let rules = match kind {
                RulesetsOnly => vec![
                    rule(
                        "pull_request",
                        42,
                        json!({"required_approving_review_count": 2, "dismiss_stale_reviews_on_push": true,
                        "require_code_owner_review": true, "require_last_push_approval": true, "required_review_thread_resolution": false}),
                    ),
                    rule(
                        "required_status_checks",
                        42,
                        json!({"strict_required_status_checks_policy": true,
                        "required_status_checks": [{"context": "ci/test"}]}),
                    ),
                    rule("non_fast_forward", 42, Value::Null),
                    rule("deletion", 42, Value::Null),
                    rule("required_signatures", 42, Value::Null),
                ],
                // A ruleset in evaluate mode: its rules do not enforce anything.
                NonCompliant => vec![rule(
                    "pull_request",
                    43,
                    json!({"required_approving_review_count": 3}),
                )],
                _ => Vec::new(),
            };
            ok(Value::Array(rules))
        }
        ["rulesets", id] => {
            let (name, enforcement) = if *id == "43" {
                ("trial", "evaluate")
            } else {
                ("main", "active")
            };
            let (source_type, source) = if *id == "42" {
                ("Organization", full.split('/').next().unwrap_or(""))
            } else {
                ("Repository", full)
            };
            let mut v = patched(
                "repos__get-repo-ruleset.200.default.json",
                json!({"id": id.parse::<u64>().unwrap_or(0), "name": name, "enforcement": enforcement, "bypass_actors": [],
                    "source_type": source_type, "source": source}),
            );
            if !admin {
                v.as_object_mut().unwrap().remove("bypass_actors");
            }
            ok(v)
        }
        ["environments"] => {
            let env = |name: &str| {
                let mut e = example("repos__get-environment.200.default.json");
                let reviewers = e["protection_rules"][1].clone();
                if good {
                    let mut r = reviewers;
                    merge(&mut r, &json!({"prevent_self_review": true}));
                    merge(
                        &mut e,
                        &json!({"name": name, "can_admins_bypass": false,
                            "deployment_branch_policy": {"protected_branches": true, "custom_branch_policies": false}}),
                    );
                    e["protection_rules"] = json!([r]);
                } else {
                    merge(&mut e, &json!({"name": name, "can_admins_bypass": true}));
                    e["protection_rules"] = json!([]);
                    e["deployment_branch_policy"] = Value::Null;
                }
                e
            };
            let envs = if good {
                vec![env("production"), env("staging")]
            } else {
                vec![env("production")]
            };
            ok(json!({"total_count": envs.len(), "environments": envs}))
        }
        ["environments", env, "secrets"] => {
            if !authed {
                return msg(401, "Requires authentication");
            }
            let names: Vec<String> = if kind == Kind::Compliant && *env == "production" {
                scenario.production_secrets.clone()
            } else {
                Vec::new()
            };
            let template =
                example("actions__list-repo-secrets.200.default.json")["secrets"][0].clone();
            let secrets: Vec<Value> = names
                .iter()
                .map(|n| {
                    let mut v = template.clone();
                    merge(&mut v, &json!({"name": n}));
                    v
                })
                .collect();
            ok(json!({"total_count": secrets.len(), "secrets": secrets}))
        }
        ["actions", "permissions"] => must_admin(patched(
            "actions__get-github-actions-permissions-repository.200.default.json",
            if good {
                json!({})
            } else {
                json!({"allowed_actions": "all", "sha_pinning_required": false})
            },
        )),
        ["actions", "permissions", "workflow"] => must_admin(if good {
            json!({"default_workflow_permissions": "read", "can_approve_pull_request_reviews": false})
        } else {
            example("actions__get-github-actions-default-workflow-permissions-repository.200.default.json")
                .as_object()
                .map(|_| json!({"default_workflow_permissions": "write", "can_approve_pull_request_reviews": true}))
                .unwrap_or_default()
        }),
        ["actions", "permissions", "artifact-and-log-retention"] => must_admin(patched(
            "actions__get-artifact-and-log-retention-settings-repository.200.json",
            json!({"days": if good { 400 } else { 90 }, "maximum_allowed_days": 400}),
        )),
        ["collaborators"] => {
            if !authed {
                return msg(401, "Requires authentication");
            }
            let mut me = example("repos__list-collaborators.200.default.json")[0].clone();
            merge(
                &mut me,
                &json!({"login": "alice", "permissions": {"admin": true}, "role_name": "admin"}),
            );
            let mut outside = example("repos__list-collaborators.200.default.json")[0].clone();
            merge(
                &mut outside,
                &json!({"login": "octocat", "permissions": {"admin": !good, "maintain": !good},
                    "role_name": if good { "write" } else { "admin" }}),
            );
            ok(json!([me, outside]))
        }
        ["keys"] => must_admin(patched_list(
            "repos__list-deploy-keys.200.default.json",
            json!({"read_only": good}),
        )),
        ["hooks"] => must_admin(patched_list(
            "repos__list-webhooks.200.default.json",
            if good {
                json!({"config": {"secret": "********"}})
            } else {
                json!({"config": {"url": "http://example.com/hook", "insecure_ssl": "1"}})
            },
        )),
        ["vulnerability-alerts"] => {
            if admin && good {
                (204, Vec::new(), None)
            } else {
                msg(404, "Not Found")
            }
        }
        ["codeowners", "errors"] => {
            if good {
                ok(json!({"errors": []}))
            } else {
                ok(example("repos__codeowners-errors.200.default.json"))
            }
        }
        ["git", "trees", "main"] => {
            let tree: Vec<Value> = files(scenario, kind, full)
                .iter()
                .map(|(p, text)| json!({"path": p, "mode": "100644", "type": "blob", "sha": Data::sha(text), "size": text.len()}))
                .collect();
            ok(patched(
                "git__get-tree.200.json",
                json!({"tree": tree, "truncated": false}),
            ))
        }
        ["git", "blobs", sha] => match blob(scenario, kind, full, sha) {
            Some(text) => ok(patched(
                "git__get-blob.200.json",
                json!({"content": base64(&text), "encoding": "base64", "sha": sha, "size": text.len()}),
            )),
            None => msg(404, "Not Found"),
        },
        _ => {
            let _ = q;
            msg(404, "Not Found")
        }
    }
}

/// The files of a repository's default branch. Workflows and CODEOWNERS end with a comment
/// naming the repository, so no two repositories share a blob (as in a real organization,
/// where files differ), while line numbers stay those of the constants.
fn files(scenario: &Scenario, kind: Kind, full: &str) -> Vec<(&'static str, String)> {
    let mut entries = vec![("Cargo.toml", "[package]\n".to_string())];
    entries.extend(scenario.extra_files.iter().cloned());
    let own = |text: &str| format!("{text}# {full}\n");
    if kind == Kind::Compliant {
        // The deploy job also reads a credential (its last step).
        let ci = format!("{CI}      - run: ./deploy --token ${{{{ secrets.DEPLOY_TOKEN }}}}\n");
        entries.push((".github/workflows/ci.yml", own(&ci)));
        entries.push(("tools/setup/action.yml", ACTION.to_string()));
        entries.push((".github/CODEOWNERS", own(CODEOWNERS)));
        entries.push(("SECURITY.md", "# Security\n".to_string()));
    } else if kind != Kind::NonCompliant {
        entries.push((".github/workflows/ci.yml", own(CI)));
        entries.push(("tools/setup/action.yml", ACTION.to_string()));
        entries.push((".github/CODEOWNERS", own(CODEOWNERS)));
        entries.push(("SECURITY.md", "# Security\n".to_string()));
    } else {
        entries.push((".github/workflows/ci.yml", own(CI_BAD)));
        entries.push((".github/CODEOWNERS", own(CODEOWNERS)));
    }
    entries
}

/// The text of blob `sha` in a repository.
fn blob(scenario: &Scenario, kind: Kind, full: &str, sha: &str) -> Option<String> {
    files(scenario, kind, full)
        .into_iter()
        .map(|(_, text)| text)
        .find(|text| Data::sha(text) == sha)
}

/// Answers the GraphQL queries the client builds (`src/providers/github/graphql.rs`): one
/// aliased `repository` per repository, `object(oid:)` blobs, `deployKeys` and
/// `hasVulnerabilityAlertsEnabled`, read line by line from the query, with the values taken
/// from `variables`. Fields the token may not read are `null` with a `FORBIDDEN` error, as
/// GitHub answers.
fn graphql_answer(data: &Data, body: &str, auth: Option<&str>) -> Answer {
    let s = &data.scenario;
    let authed = match (&s.token, auth) {
        (_, None) => return msg(401, "This endpoint requires you to be authenticated."),
        (None, Some(_)) => true,
        (Some(t), Some(a)) => a == format!("Bearer {t}") || a == format!("token {t}"),
    };
    if !authed {
        return msg(401, "Bad credentials");
    }
    let admin = s.admin;
    let Ok(request) = serde_json::from_str::<Value>(body) else {
        return msg(400, "Problems parsing JSON");
    };
    let query = request["query"].as_str().unwrap_or("");
    let vars = &request["variables"];
    let var = |name: &str| {
        vars[name.trim_start_matches('$')]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    let mut out = serde_json::Map::new();
    let mut errors = Vec::new();
    let mut current: Option<(String, Option<(Kind, String)>)> = None;
    for line in query.lines().map(str::trim) {
        if let Some((alias, rest)) = line.split_once(": repository(owner: ") {
            let (owner_var, rest) = rest.split_once(", name: ").unwrap_or(("", ""));
            let name_var = rest.split(')').next().unwrap_or("");
            let (owner, name) = (var(owner_var), var(name_var));
            let full = format!("{owner}/{name}");
            let found = (owner == s.org).then(|| data.kind(&name)).flatten();
            match found {
                Some(kind) => {
                    out.insert(alias.to_string(), json!({}));
                    current = Some((alias.to_string(), Some((kind, full))));
                }
                None => {
                    out.insert(alias.to_string(), Value::Null);
                    errors.push(json!({"type": "NOT_FOUND", "path": [alias],
                        "message": format!("Could not resolve to a Repository with the name '{full}'.")}));
                    current = Some((alias.to_string(), None));
                }
            }
            continue;
        }
        let Some((alias, Some((kind, full)))) = &current else {
            continue;
        };
        let forbidden = |field: &str, errors: &mut Vec<Value>| {
            errors.push(json!({"type": "FORBIDDEN", "path": [alias, field],
                "message": "Resource not accessible by integration"}));
            Value::Null
        };
        let (field, value) = if let Some((field, rest)) = line.split_once(": object(oid: ") {
            let oid = var(rest.split(')').next().unwrap_or(""));
            let value = match blob(s, *kind, full, &oid) {
                Some(text) => json!({"text": text, "isBinary": false, "isTruncated": false}),
                None => Value::Null,
            };
            (field.to_string(), value)
        } else if line.starts_with("deployKeys(") {
            let value = if admin {
                let keys = example("repos__list-deploy-keys.200.default.json");
                let nodes: Vec<Value> = keys
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|k| json!({"title": k["title"], "readOnly": *kind != Kind::NonCompliant}))
                    .collect();
                json!({"totalCount": nodes.len(), "nodes": nodes})
            } else {
                forbidden("deployKeys", &mut errors)
            };
            ("deployKeys".to_string(), value)
        } else if line == "hasVulnerabilityAlertsEnabled" {
            let value = if admin {
                json!(*kind != Kind::NonCompliant)
            } else {
                forbidden("hasVulnerabilityAlertsEnabled", &mut errors)
            };
            ("hasVulnerabilityAlertsEnabled".to_string(), value)
        } else {
            continue;
        };
        if let Some(Value::Object(repo)) = out.get_mut(alias.as_str()) {
            repo.insert(field, value);
        }
    }
    let mut answer = json!({ "data": out });
    if !errors.is_empty() {
        answer["errors"] = Value::Array(errors);
    }
    (200, Vec::new(), Some(answer.to_string()))
}

fn patched_list(name: &str, patch: Value) -> Value {
    let mut v = example(name);
    if let Value::Array(items) = &mut v {
        for i in items {
            merge(i, &patch);
        }
    }
    v
}

/// Standard base64 with a line break every 60 characters, as GitHub sends blobs.
pub fn base64(text: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    let lines: Vec<String> = out
        .as_bytes()
        .chunks(60)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    lines.join("\n")
}
