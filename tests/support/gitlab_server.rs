//! A fake GitLab REST API (v4) on 127.0.0.1 for tests and the benchmark: a real HTTP/1.1
//! server (std::net, one thread per connection, one request per connection) answering with
//! bodies built from GitLab's published examples in `../shared/api-examples/gitlab/`, patched
//! per scenario. It plays a tier (Free or Premium) and a role (Developer, Maintainer, Owner):
//! Premium endpoints answer 404 on Free, Maintainer endpoints 403 below Maintainer, as GitLab
//! does. It records every request, serves ETags and `304 Not Modified`, sends `RateLimit-*`
//! headers, paginates with `page`/`per_page` (`X-Next-Page`, `X-Total-Pages`, `Link`), and
//! injects faults (5xx, 429 with `Retry-After`, slow answers) from a per-path queue.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

#[path = "http.rs"]
mod http;
use http::fxhash;

/// What a project looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Every control holds.
    Compliant,
    /// Unprotected, permissive settings everywhere.
    NonCompliant,
}

/// One injected fault, consumed by the next request to its path.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and body, plus headers.
    Status(u16, Vec<(String, String)>, String),
    /// Wait this long before answering normally.
    Delay(Duration),
}

/// The scenario the server plays.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Projects: full path → kind. Their groups are made up from the paths.
    pub projects: Vec<(String, Kind)>,
    /// Archived projects (listed by a group only when asked for archived ones).
    pub archived: Vec<String>,
    /// GitLab Premium (else Free: Premium endpoints answer 404).
    pub premium: bool,
    /// The token's role in every project and group (30 Developer, 40 Maintainer, 50 Owner).
    pub role: u32,
    /// The token that is accepted (`None`: any, and none).
    pub token: Option<String>,
    /// Latency added to every answer.
    pub latency: Duration,
    /// Items per page at most (GitLab's `per_page` cap is 100).
    pub max_per_page: usize,
    /// Every group requires 2FA.
    pub group_2fa: bool,
}

impl Scenario {
    /// These projects on Premium, an Owner token `glpat-good`.
    pub fn new(projects: &[(&str, Kind)]) -> Self {
        Self {
            projects: projects
                .iter()
                .map(|(n, k)| ((*n).to_string(), *k))
                .collect(),
            archived: Vec::new(),
            premium: true,
            role: 50,
            token: Some("glpat-good".into()),
            latency: Duration::ZERO,
            max_per_page: 100,
            group_2fa: true,
        }
    }
}

/// Values the server holds that must never appear in any output.
pub const SECRET_VALUES: [&str; 3] = [
    "v4lue-of-the-deploy-token",
    "hook-secret-in-query",
    "AKIAIOSFODNN7EXAMPLE",
];

/// A recorded request.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Path and query.
    pub url: String,
    /// Status answered.
    pub status: u16,
    /// Whether it carried `If-None-Match`.
    pub conditional: bool,
    /// The `PRIVATE-TOKEN` header, if any.
    pub token: Option<String>,
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

struct Data {
    scenario: Scenario,
    remaining: AtomicU64,
}

impl Server {
    /// Starts the server on 127.0.0.1 (an ephemeral port).
    pub fn start(scenario: Scenario) -> Self {
        let data = Arc::new(Data {
            scenario,
            remaining: AtomicU64::new(2000),
        });
        let log = Arc::new(Mutex::new(Vec::new()));
        let faults: Arc<Mutex<HashMap<String, VecDeque<Fault>>>> = Arc::default();
        let listener = {
            let (log, faults) = (log.clone(), faults.clone());
            http::Listener::start(move |req| respond(&data, req, &log, &faults))
        };
        Self {
            url: listener.url.clone(),
            log,
            faults,
            _listener: listener,
        }
    }

    /// Queues a fault for the next request to `path` (the path after `/api/v4`, no query).
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

fn respond(
    data: &Data,
    req: http::Request,
    log: &Mutex<Vec<Logged>>,
    faults: &Mutex<HashMap<String, VecDeque<Fault>>>,
) -> http::Reply {
    let token = req.header("private-token");
    let if_none_match = req.header("if-none-match");
    let (method, url) = (req.method, req.url);
    if !data.scenario.latency.is_zero() {
        std::thread::sleep(data.scenario.latency);
    }
    let local = url.strip_prefix("/api/v4").unwrap_or("").to_string();
    let path = local.split('?').next().unwrap_or("").to_string();
    let fault = faults
        .lock()
        .unwrap()
        .get_mut(&path)
        .and_then(VecDeque::pop_front);
    let reply = || {
        if method != "GET" {
            return (405, Vec::new(), msg("405 Method Not Allowed"));
        }
        answer(data, &local, token.as_deref())
    };
    let (mut status, mut resp_headers, mut body) = match fault {
        Some(Fault::Status(s, h, b)) => (s, h, b),
        Some(Fault::Delay(d)) => {
            std::thread::sleep(d);
            reply()
        }
        None => reply(),
    };
    if status == 200 {
        let etag = format!("W/\"{:016x}\"", fxhash(&body));
        if if_none_match.as_deref() == Some(etag.as_str()) {
            status = 304;
            body.clear();
        }
        resp_headers.push(("ETag".into(), etag));
    }
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 60;
    let remaining = data.remaining.fetch_sub(1, Ordering::Relaxed).max(1000);
    for (k, v) in [
        ("RateLimit-Limit", "2000".to_string()),
        ("RateLimit-Remaining", remaining.to_string()),
        ("RateLimit-Reset", reset.to_string()),
    ] {
        if !resp_headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(k)) {
            resp_headers.push((k.into(), v));
        }
    }
    log.lock().unwrap().push(Logged {
        url,
        status,
        conditional: if_none_match.is_some(),
        token,
    });
    resp_headers.push(("Content-Type".into(), "application/json".into()));
    (status, resp_headers, body)
}

fn msg(m: &str) -> String {
    json!({ "message": m }).to_string()
}

/// The published examples.
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/api-examples/gitlab")
}

/// A published example body.
pub fn example(name: &str) -> Value {
    let text = std::fs::read_to_string(examples_dir().join(name))
        .unwrap_or_else(|e| panic!("example {name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("example {name}: {e}"))
}

fn decode(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query(url: &str) -> BTreeMap<String, String> {
    url.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), decode(v)))
                .collect()
        })
        .unwrap_or_default()
}

type Reply = (u16, Vec<(String, String)>, String);

fn ok(v: Value) -> Reply {
    (200, Vec::new(), v.to_string())
}

fn status(s: u16) -> Reply {
    let m = match s {
        401 => "401 Unauthorized",
        403 => "403 Forbidden",
        _ => "404 Not Found",
    };
    (s, Vec::new(), msg(m))
}

/// One page of `items` with GitLab's pagination headers.
fn page(items: Vec<Value>, url: &str, max: usize) -> Reply {
    let q = query(url);
    let per = q
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, max);
    let page = q
        .get("page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let total = items.len();
    let pages = total.div_ceil(per).max(1);
    let slice: Vec<Value> = items.into_iter().skip((page - 1) * per).take(per).collect();
    let mut headers = vec![
        ("X-Page".to_string(), page.to_string()),
        ("X-Per-Page".to_string(), per.to_string()),
        ("X-Total".to_string(), total.to_string()),
        ("X-Total-Pages".to_string(), pages.to_string()),
    ];
    if page < pages {
        headers.push(("X-Next-Page".into(), (page + 1).to_string()));
    }
    (200, headers, Value::Array(slice).to_string())
}

impl Data {
    fn project_index(&self, id: &str) -> Option<usize> {
        let id = decode(id);
        if let Ok(n) = id.parse::<usize>() {
            return n
                .checked_sub(1000)
                .filter(|i| *i < self.scenario.projects.len());
        }
        self.scenario.projects.iter().position(|(p, _)| *p == id)
    }

    fn groups(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (p, _) in &self.scenario.projects {
            let parts: Vec<&str> = p.split('/').collect();
            for n in 1..parts.len() {
                let g = parts[..n].join("/");
                if !out.contains(&g) {
                    out.push(g);
                }
            }
        }
        out
    }
}

fn answer(data: &Data, local: &str, token: Option<&str>) -> Reply {
    let s = &data.scenario;
    if let Some(want) = &s.token
        && token != Some(want.as_str())
    {
        return status(401);
    }
    let path = local.split('?').next().unwrap_or("");
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let maintainer = s.role >= 40;
    match parts.as_slice() {
        ["user"] => ok(json!({ "id": 7, "username": "auditor", "state": "active" })),
        ["groups", g, "projects"] => {
            let g = decode(g);
            if !data.groups().contains(&g) {
                return status(404);
            }
            let q = query(local);
            let archived = q.get("archived").map(String::as_str) == Some("true");
            let items: Vec<Value> = s
                .projects
                .iter()
                .enumerate()
                .map(|(i, (p, _))| (i, p.clone(), s.archived.contains(p)))
                .filter(|(_, p, a)| p.starts_with(&format!("{g}/")) && *a == archived)
                .filter(|(_, p, _)| {
                    q.get("include_subgroups").map(String::as_str) == Some("true")
                        || !p[g.len() + 1..].contains('/')
                })
                .map(|(i, p, _)| {
                    json!({
                        "id": 1000 + i,
                        "path": p.rsplit('/').next(),
                        "path_with_namespace": p,
                        "name": p.rsplit('/').next(),
                    })
                })
                .collect();
            page(items, local, s.max_per_page)
        }
        ["groups", g, "variables"] => {
            if s.role < 50 {
                return status(403);
            }
            let g = decode(g);
            page(
                vec![json!({
                    "key": "LOG_LEVEL", "value": "debug", "variable_type": "env_var",
                    "protected": false, "masked": false, "hidden": false,
                    "environment_scope": "*", "description": format!("{g} logging"),
                })],
                local,
                s.max_per_page,
            )
        }
        ["groups", g] => {
            let g = decode(g);
            if !data.groups().contains(&g) {
                return status(404);
            }
            ok(json!({
                "id": 10, "full_path": g, "path": g.rsplit('/').next(),
                "visibility": "private",
                "require_two_factor_authentication": s.group_2fa,
                "two_factor_grace_period": 48,
                "prevent_forking_outside_group": s.premium.then_some(true),
            }))
        }
        ["projects", id, rest @ ..] => {
            let Some(i) = data.project_index(id) else {
                return status(404);
            };
            let (full, kind) = s.projects[i].clone();
            project_answer(data, local, 1000 + i, &full, kind, rest, maintainer)
        }
        _ => status(404),
    }
}

fn project_answer(
    data: &Data,
    local: &str,
    id: usize,
    full: &str,
    kind: Kind,
    rest: &[&str],
    maintainer: bool,
) -> Reply {
    let s = &data.scenario;
    let good = kind == Kind::Compliant;
    let premium_only = |v: Value| if s.premium { ok(v) } else { status(404) };
    let maintainer_only = |r: Reply| if maintainer { r } else { status(403) };
    let max = s.max_per_page;
    match rest {
        [] => {
            let (ns, name) = full.rsplit_once('/').unwrap_or(("", full));
            let mut v = json!({
                "id": id, "name": name, "path": name, "path_with_namespace": full,
                "web_url": format!("https://gitlab.example.com/{full}"),
                "default_branch": "main", "visibility": "private", "archived": false,
                "namespace": { "kind": "group", "full_path": ns, "path": ns.rsplit('/').next() },
                "only_allow_merge_if_pipeline_succeeds": good,
                "allow_merge_on_skipped_pipeline": !good,
                "only_allow_merge_if_all_discussions_are_resolved": good,
                "merge_method": "merge",
                "permissions": {
                    "project_access": { "access_level": s.role.min(40) },
                    "group_access": { "access_level": s.role },
                },
            });
            if maintainer {
                v["ci_config_path"] = json!("");
                v["restrict_user_defined_variables"] = json!(good);
                v["ci_pipeline_variables_minimum_override_role"] =
                    json!(if good { "maintainer" } else { "developer" });
                v["ci_delete_pipelines_in_seconds"] =
                    if good { Value::Null } else { json!(30 * 86400) };
            }
            if s.premium {
                v["allow_pipeline_trigger_approve_deployment"] = json!(!good);
            }
            ok(v)
        }
        ["protected_branches"] => {
            let mut list = if s.premium {
                example("protected_branches.list.premium.json")
            } else {
                example("protected_branches.list.json")
            };
            if !good {
                return page(Vec::new(), local, max);
            }
            let items = list.as_array_mut().expect("a list");
            for b in items.iter_mut() {
                if b["name"] == "main" {
                    b["push_access_levels"] = json!([
                        { "id": 1001, "access_level": 0, "access_level_description": "No one" }
                    ]);
                    b["code_owner_approval_required"] = json!(true);
                }
                if !s.premium
                    && let Some(o) = b.as_object_mut()
                {
                    // GitLab Free does not send the Premium field.
                    o.remove("code_owner_approval_required");
                }
            }
            page(items.clone(), local, max)
        }
        ["approvals"] => {
            let mut v = example("approvals.get.json");
            v["merge_requests_author_approval"] = json!(!good);
            v["merge_requests_disable_committers_approval"] = json!(good);
            v["disable_overriding_approvers_per_merge_request"] = json!(good);
            v["reset_approvals_on_push"] = json!(good);
            if !good {
                v["approvals_before_merge"] = json!(0);
            }
            premium_only(v)
        }
        ["approval_rules"] => {
            if !s.premium {
                return status(404);
            }
            let list = if good {
                example("approval_rules.list.json")
            } else {
                json!([])
            };
            page(list.as_array().cloned().unwrap_or_default(), local, max)
        }
        ["push_rule"] => {
            if !s.premium {
                return status(404);
            }
            if !maintainer {
                return status(403);
            }
            if !good {
                let text = std::fs::read_to_string(
                    examples_dir().join("push_rule.get.never-configured.body"),
                )
                .expect("example");
                return (200, Vec::new(), text.trim().to_string());
            }
            let mut v = example("push_rule.get.json");
            v["project_id"] = json!(id);
            v["reject_unsigned_commits"] = json!(true);
            ok(v)
        }
        ["protected_environments"] => {
            if !s.premium {
                return status(404);
            }
            if !maintainer {
                return status(403);
            }
            let mut list = example("protected_environments.list.json");
            if good {
                list[0]["approval_rules"] = json!([
                    { "id": 1, "user_id": null, "group_id": null, "access_level": 40,
                      "access_level_description": "Maintainers", "required_approvals": 1,
                      "group_inheritance_type": 0 }
                ]);
            } else {
                list[0]["deploy_access_levels"][0]["access_level"] = json!(30);
                list[0]["deploy_access_levels"][0]["access_level_description"] =
                    json!("Developers + Maintainers");
            }
            page(list.as_array().cloned().unwrap_or_default(), local, max)
        }
        ["members", "all"] => {
            let mut members = vec![
                json!({"id": 1, "username": "alice", "access_level": 50, "state": "active"}),
                json!({"id": 2, "username": "bob", "access_level": 40, "state": "active"}),
                json!({"id": 3, "username": "carol", "access_level": 30, "state": "active"}),
                json!({"id": 4, "username": format!("project_{id}_bot_1a2b"), "access_level": 40, "state": "active"}),
            ];
            if !good {
                for n in 0..4 {
                    members.push(json!({"id": 10 + n, "username": format!("owner{n}"), "access_level": 50, "state": "active"}));
                }
            }
            page(members, local, max)
        }
        ["variables"] => maintainer_only(page(
            if good {
                vec![json!({
                    "key": "DEPLOY_TOKEN", "value": SECRET_VALUES[0], "variable_type": "env_var",
                    "protected": true, "masked": true, "hidden": false,
                    "environment_scope": "production",
                })]
            } else {
                vec![json!({
                    "key": "AWS_SECRET_ACCESS_KEY", "value": SECRET_VALUES[2], "variable_type": "env_var",
                    "protected": false, "masked": false, "hidden": false,
                    "environment_scope": "*",
                })]
            },
            local,
            max,
        )),
        ["deploy_keys"] => maintainer_only(page(
            vec![json!({
                "id": 1, "title": "mirror", "key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample",
                "can_push": !good, "created_at": "2024-01-01T00:00:00Z",
            })],
            local,
            max,
        )),
        ["hooks"] => maintainer_only(page(
            vec![json!({
                "id": 1,
                "url": if good { format!("https://ci.example.com/hook?token={}", SECRET_VALUES[1]) }
                       else { format!("http://ci.example.com/hook?token={}", SECRET_VALUES[1]) },
                "enable_ssl_verification": good, "push_events": true,
            })],
            local,
            max,
        )),
        ["job_token_scope"] => maintainer_only(ok(json!({
            "inbound_enabled": good, "outbound_enabled": false,
        }))),
        ["repository", "tree"] => {
            let q = query(local);
            let files = files(full, kind);
            let dir = q.get("path").cloned().unwrap_or_default();
            let recursive = q.get("recursive").map(String::as_str) == Some("true");
            let mut entries: Vec<Value> = Vec::new();
            let mut dirs: Vec<String> = Vec::new();
            for (p, _) in &files {
                let rel = if dir.is_empty() {
                    p.as_str()
                } else if let Some(r) = p.strip_prefix(&format!("{dir}/")) {
                    r
                } else {
                    continue;
                };
                if recursive || !rel.contains('/') {
                    entries.push(json!({"id": "0", "name": rel.rsplit('/').next(), "type": "blob", "path": p, "mode": "100644"}));
                } else if let Some((d, _)) = rel.split_once('/') {
                    let full_dir = if dir.is_empty() {
                        d.to_string()
                    } else {
                        format!("{dir}/{d}")
                    };
                    if !dirs.contains(&full_dir) {
                        dirs.push(full_dir);
                    }
                }
            }
            for d in dirs {
                entries.push(json!({"id": "0", "name": d.rsplit('/').next(), "type": "tree", "path": d, "mode": "040000"}));
            }
            page(entries, local, max)
        }
        ["repository", "files", p, "raw"] => {
            let p = decode(p);
            match files(full, kind).into_iter().find(|(f, _)| *f == p) {
                Some((_, text)) => (200, Vec::new(), text),
                None => status(404),
            }
        }
        _ => status(404),
    }
}

/// The files of a project: its pipeline (with a local include), CODEOWNERS and Renovate.
pub fn files(full: &str, kind: Kind) -> Vec<(String, String)> {
    let deploy = if kind == Kind::Compliant {
        "deploy:\n  stage: deploy\n  environment: production\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n      when: manual\n  script:\n    - ./deploy.sh\n"
    } else {
        "deploy:\n  stage: deploy\n  environment: production\n  script:\n    - ./deploy.sh\n"
    };
    vec![
        (
            ".gitlab-ci.yml".into(),
            format!(
                "include:\n  - local: ci/deploy.yml\n\nstages: [test, deploy]\n\ntest:\n  stage: test\n  script:\n    - cargo test\n# {full}\n"
            ),
        ),
        ("ci/deploy.yml".into(), deploy.to_string()),
        (
            ".gitlab/CODEOWNERS".into(),
            "* @acme/maintainers\n/.gitlab-ci.yml @acme/security\n".into(),
        ),
        ("renovate.json".into(), "{}\n".into()),
        ("Cargo.toml".into(), "[package]\nname = \"x\"\n".into()),
    ]
}
