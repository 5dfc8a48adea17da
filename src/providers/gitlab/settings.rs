//! Reading a project's settings into [`Evidence`]: one function per endpoint, each turning
//! GitLab's answer — or its refusal — into facts. A refusal becomes `unknown` with a reason
//! that names what would make the setting readable: the role (Maintainer, Owner) and, for
//! endpoints of the paid tiers, GitLab Premium or Ultimate. Values are never guessed.

use gitlab::api::{self, Pagination, projects};
use serde::Deserialize;
use serde_json::Value;

use super::client::{Answer, Client};
use crate::facts::gitlab_settings::{
    AccessLevel, ApprovalRule, ApprovalSettings, BranchProtection, DeployKey,
    EnvironmentApprovalRule, Evidence, GroupSettings, JobTokenScope, Member, ProjectSettings,
    ProtectedBranch, ProtectedEnvironment, PushRule, Variable, Webhook, branch_matches, level,
};

/// What an endpoint needs besides being a member of the project.
#[derive(Debug, Clone, Copy)]
pub enum Needs {
    /// A role in the project (`Developer`, `Maintainer`).
    Role(&'static str),
    /// GitLab Premium (or Ultimate) and a role.
    Premium(&'static str),
    /// The Owner role in a group.
    GroupOwner,
}

impl Needs {
    fn permission(self) -> String {
        match self {
            Needs::Role(r) => format!("{r} role"),
            Needs::Premium(r) => format!("GitLab Premium or Ultimate, {r} role"),
            Needs::GroupOwner => "Owner role in the group".into(),
        }
    }
}

/// Builds evidence from an answer: `ok` converts a 2xx body; error statuses and failures
/// become `unknown` with a reason naming the tier or role.
pub fn evidence<T, U>(
    c: &Client,
    url: String,
    what: &str,
    needs: Needs,
    answer: Answer<T>,
    ok: impl FnOnce(T) -> Result<U, String>,
) -> Evidence<U> {
    let token = if c.authenticated() {
        ""
    } else {
        "no token was given (set GITLAB_TOKEN); "
    };
    let unknown = |reason: String| Evidence::Unknown {
        url: url.clone(),
        reason: format!("{token}{reason}"),
        permission: Some(needs.permission()),
    };
    match answer {
        Answer::Ok(v) => match ok(v) {
            Ok(value) => Evidence::Known {
                url: url.clone(),
                value,
            },
            Err(why) => unknown(format!(
                "{what}: the answer is not of the expected shape: {why}"
            )),
        },
        Answer::Status { status, message } => {
            let said = if message.is_empty() {
                String::new()
            } else {
                format!(" \"{}\"", message.trim())
            };
            let reason = match (status, needs) {
                (403, Needs::Premium(role)) => format!(
                    "GitLab answered 403 Forbidden{said}: reading {what} needs GitLab Premium or Ultimate and the {role} role"
                ),
                (403, Needs::Role(role)) => format!(
                    "GitLab answered 403 Forbidden{said}: reading {what} needs the {role} role"
                ),
                (403, Needs::GroupOwner) => format!(
                    "GitLab answered 403 Forbidden{said}: reading {what} needs the Owner role in the group"
                ),
                (404, Needs::Premium(role)) => format!(
                    "GitLab answered 404 Not Found{said}: {what} needs GitLab Premium or Ultimate (this instance or the project's plan does not offer it), or the {role} role"
                ),
                (404, Needs::Role(role)) => format!(
                    "GitLab answered 404 Not Found{said}: {what} is not visible to the token (it needs the {role} role)"
                ),
                (404, Needs::GroupOwner) => format!(
                    "GitLab answered 404 Not Found{said}: {what} is not visible to the token (it needs the Owner role in the group)"
                ),
                (s, _) => format!("GitLab answered {s}{said} for {what}"),
            };
            unknown(reason)
        }
        Answer::Failed(why) => unknown(format!("{what} could not be read: {why}")),
    }
}

/// A GET of any API path, for endpoints the crate has no builder for (push rules, protected
/// environments) and for options it does not offer (`with_projects=false`).
#[derive(Debug, Clone)]
pub struct Get {
    /// The path under `/api/v4/`.
    pub path: String,
    /// Query parameters.
    pub query: Vec<(&'static str, String)>,
}

impl Get {
    /// `GET path`.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            query: Vec::new(),
        }
    }
}

impl api::Endpoint for Get {
    fn method(&self) -> http::Method {
        http::Method::GET
    }

    fn endpoint(&self) -> std::borrow::Cow<'static, str> {
        self.path.clone().into()
    }

    fn parameters(&self) -> api::QueryParams<'_> {
        let mut p = api::QueryParams::default();
        for (k, v) in &self.query {
            p.push(*k, v.as_str());
        }
        p
    }
}

impl api::Pageable for Get {}

/// A path segment: a project's or group's full path, URL-encoded.
pub fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `GET /projects/:id` as read, with the token's role.
#[derive(Debug, Clone)]
pub struct ProjectRead {
    /// The settings.
    pub settings: ProjectSettings,
    /// The token's access level (project or inherited group access).
    pub role: Option<u32>,
}

/// Converts the body of `GET /projects/:id`.
pub fn project_settings(v: &Value) -> Result<ProjectRead, String> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let b = |k: &str| v.get(k).and_then(Value::as_bool);
    let id = v
        .get("id")
        .and_then(Value::as_u64)
        .ok_or("no numeric `id`")?;
    let ns = v.get("namespace");
    let access = |k: &str| {
        v.get("permissions")
            .and_then(|p| p.get(k))
            .and_then(|a| a.get("access_level"))
            .and_then(Value::as_u64)
            .map(|l| l as u32)
    };
    let role = access("project_access").max(access("group_access"));
    let ci_visible = v.get("restrict_user_defined_variables").is_some()
        || v.get("ci_pipeline_variables_minimum_override_role")
            .is_some();
    Ok(ProjectRead {
        settings: ProjectSettings {
            id,
            path_with_namespace: s("path_with_namespace"),
            web_url: s("web_url"),
            default_branch: s("default_branch"),
            visibility: s("visibility"),
            archived: b("archived").unwrap_or(false),
            namespace_kind: ns
                .and_then(|n| n.get("kind"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            namespace_path: ns
                .and_then(|n| n.get("full_path"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            only_allow_merge_if_pipeline_succeeds: b("only_allow_merge_if_pipeline_succeeds")
                .unwrap_or(false),
            allow_merge_on_skipped_pipeline: b("allow_merge_on_skipped_pipeline").unwrap_or(false),
            only_allow_merge_if_all_discussions_are_resolved: b(
                "only_allow_merge_if_all_discussions_are_resolved",
            )
            .unwrap_or(false),
            merge_method: s("merge_method"),
            restrict_user_defined_variables: b("restrict_user_defined_variables"),
            ci_pipeline_variables_minimum_override_role: v
                .get("ci_pipeline_variables_minimum_override_role")
                .and_then(Value::as_str)
                .map(str::to_string),
            ci_delete_pipelines_in_seconds: v
                .get("ci_delete_pipelines_in_seconds")
                .and_then(Value::as_u64),
            ci_settings_visible: ci_visible,
            allow_pipeline_trigger_approve_deployment: b(
                "allow_pipeline_trigger_approve_deployment",
            ),
            ci_config_path: s("ci_config_path"),
        },
        role,
    })
}

#[derive(Debug, Deserialize)]
struct RawLevel {
    #[serde(default)]
    access_level: Option<u32>,
    #[serde(default)]
    access_level_description: String,
    #[serde(default)]
    user_id: Option<u64>,
    #[serde(default)]
    group_id: Option<u64>,
    #[serde(default)]
    deploy_key_id: Option<u64>,
}

impl From<RawLevel> for AccessLevel {
    fn from(r: RawLevel) -> Self {
        AccessLevel {
            access_level: r.access_level,
            description: r.access_level_description,
            user_id: r.user_id,
            group_id: r.group_id,
            deploy_key_id: r.deploy_key_id,
        }
    }
}

/// GitLab sends some booleans as strings (`"false"` in approval rules' protected branches).
fn loose_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) => Some(s == "true"),
        _ => None,
    })
}

#[derive(Debug, Deserialize)]
struct RawProtectedBranch {
    name: String,
    #[serde(default)]
    push_access_levels: Vec<RawLevel>,
    #[serde(default)]
    merge_access_levels: Vec<RawLevel>,
    #[serde(default)]
    allow_force_push: bool,
    #[serde(default, deserialize_with = "loose_bool")]
    code_owner_approval_required: Option<bool>,
    #[serde(default)]
    inherited: bool,
}

/// Reads every page of a list endpoint of project `id` into evidence.
async fn read_list<E, U>(
    c: &Client,
    id: u64,
    suffix: &str,
    endpoint: Result<E, String>,
    what: &str,
    needs: Needs,
    convert: impl FnOnce(Vec<Value>) -> Result<U, String>,
) -> Evidence<U>
where
    E: api::Endpoint + api::Pageable + Sync,
{
    let url = format!("{}/projects/{id}/{suffix}", c.api_url());
    let answer = match endpoint {
        Ok(e) => {
            c.query::<Vec<Value>, _>(&api::paged(e, Pagination::Limit(10_000)))
                .await
        }
        Err(e) => Answer::Failed(e),
    };
    evidence(c, url, what, needs, answer, convert)
}

/// Reads a single-object endpoint of project `id` into evidence.
async fn read_one<E, U>(
    c: &Client,
    id: u64,
    suffix: &str,
    endpoint: Result<E, String>,
    what: &str,
    needs: Needs,
    convert: impl FnOnce(Value) -> Result<U, String>,
) -> Evidence<U>
where
    E: api::Endpoint + Sync,
{
    let url = format!("{}/projects/{id}/{suffix}", c.api_url());
    let answer = match endpoint {
        Ok(e) => c.query::<Value, _>(&e).await,
        Err(e) => Answer::Failed(e),
    };
    evidence(c, url, what, needs, answer, convert)
}

/// Reads `GET /projects/:id/protected_branches` (every page).
pub async fn protected_branches(c: &Client, id: u64) -> Evidence<Vec<ProtectedBranch>> {
    read_list(
        c,
        id,
        "protected_branches",
        projects::protected_branches::ProtectedBranches::builder()
            .project(id)
            .build()
            .map_err(|e| e.to_string()),
        "the protected branches",
        Needs::Role("Developer"),
        |items| {
            items
                .into_iter()
                .map(|v| {
                    let r: RawProtectedBranch =
                        serde_json::from_value(v).map_err(|e| e.to_string())?;
                    Ok(ProtectedBranch {
                        name: r.name,
                        push_access_levels: r
                            .push_access_levels
                            .into_iter()
                            .map(Into::into)
                            .collect(),
                        merge_access_levels: r
                            .merge_access_levels
                            .into_iter()
                            .map(Into::into)
                            .collect(),
                        allow_force_push: r.allow_force_push,
                        code_owner_approval_required: r.code_owner_approval_required,
                        inherited: r.inherited,
                    })
                })
                .collect()
        },
    )
    .await
}

/// Reads `GET /projects/:id/approvals` (Premium).
pub async fn approvals(c: &Client, id: u64) -> Evidence<ApprovalSettings> {
    read_one(
        c,
        id,
        "approvals",
        projects::approvals::ProjectApprovals::builder()
            .project(id)
            .build()
            .map_err(|e| e.to_string()),
        "the merge request approval settings",
        Needs::Premium("Developer"),
        |v| {
            let b = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
            Ok(ApprovalSettings {
                approvals_before_merge: v
                    .get("approvals_before_merge")
                    .and_then(Value::as_u64)
                    .unwrap_or(0) as u32,
                reset_approvals_on_push: b("reset_approvals_on_push"),
                selective_code_owner_removals: b("selective_code_owner_removals"),
                disable_overriding_approvers_per_merge_request: b(
                    "disable_overriding_approvers_per_merge_request",
                ),
                merge_requests_author_approval: b("merge_requests_author_approval"),
                merge_requests_disable_committers_approval: b(
                    "merge_requests_disable_committers_approval",
                ),
                require_password_to_approve: b("require_password_to_approve")
                    || b("require_reauthentication_to_approve"),
            })
        },
    )
    .await
}

/// Reads `GET /projects/:id/approval_rules` (Premium, every page).
pub async fn approval_rules(c: &Client, id: u64) -> Evidence<Vec<ApprovalRule>> {
    read_list(
        c,
        id,
        "approval_rules",
        projects::approval_rules::ProjectApprovalRules::builder()
            .project(id)
            .build()
            .map_err(|e| e.to_string()),
        "the merge request approval rules",
        Needs::Premium("Developer"),
        |items| {
            Ok(items
                .iter()
                .map(|v| ApprovalRule {
                    name: v["name"].as_str().unwrap_or("").to_string(),
                    rule_type: v["rule_type"].as_str().unwrap_or("regular").to_string(),
                    approvals_required: v["approvals_required"].as_u64().unwrap_or(0) as u32,
                    eligible_approvers: v["eligible_approvers"].as_array().map_or(0, Vec::len)
                        as u32,
                    applies_to_all_protected_branches: v["applies_to_all_protected_branches"]
                        .as_bool()
                        .unwrap_or(false),
                    protected_branches: v["protected_branches"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|b| b["name"].as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect())
        },
    )
    .await
}

/// Reads `GET /projects/:id/push_rule` (Premium). A `null` body means push rules were never
/// configured; a `null` boolean means off.
pub async fn push_rule(c: &Client, id: u64) -> Evidence<PushRule> {
    let url = format!("{}/projects/{id}/push_rule", c.api_url());
    let answer = c
        .query::<Vec<u8>, _>(&api::raw(Get::new(format!("projects/{id}/push_rule"))))
        .await;
    evidence(
        c,
        url,
        "the push rules",
        Needs::Premium("Maintainer"),
        answer,
        |body| {
            let v: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
            if v.is_null() {
                return Ok(PushRule::default());
            }
            if !v.is_object() {
                return Err("not an object".into());
            }
            let b = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
            Ok(PushRule {
                configured: true,
                reject_unsigned_commits: b("reject_unsigned_commits"),
                reject_non_dco_commits: b("reject_non_dco_commits"),
                prevent_secrets: b("prevent_secrets"),
                commit_committer_check: b("commit_committer_check"),
                member_check: b("member_check"),
                deny_delete_tag: b("deny_delete_tag"),
            })
        },
    )
}

#[derive(Debug, Deserialize)]
struct RawEnvironment {
    name: String,
    #[serde(default)]
    deploy_access_levels: Vec<RawLevel>,
    #[serde(default)]
    required_approval_count: Option<u32>,
    #[serde(default)]
    approval_rules: Vec<RawEnvRule>,
}

#[derive(Debug, Deserialize)]
struct RawEnvRule {
    #[serde(flatten)]
    level: RawLevel,
    #[serde(default)]
    required_approvals: u32,
}

/// Reads `GET /projects/:id/protected_environments` (Premium, every page).
pub async fn environments(c: &Client, id: u64) -> Evidence<Vec<ProtectedEnvironment>> {
    let url = format!("{}/projects/{id}/protected_environments", c.api_url());
    let answer = c
        .query::<Vec<Value>, _>(&api::paged(
            Get::new(format!("projects/{id}/protected_environments")),
            Pagination::Limit(1000),
        ))
        .await;
    evidence(
        c,
        url,
        "the protected environments",
        Needs::Premium("Maintainer"),
        answer,
        |items| {
            items
                .into_iter()
                .map(|v| {
                    let r: RawEnvironment = serde_json::from_value(v).map_err(|e| e.to_string())?;
                    let deploy: Vec<AccessLevel> =
                        r.deploy_access_levels.into_iter().map(Into::into).collect();
                    let rules: Vec<EnvironmentApprovalRule> = r
                        .approval_rules
                        .into_iter()
                        .map(|a| EnvironmentApprovalRule {
                            approver: a.level.into(),
                            required_approvals: a.required_approvals,
                        })
                        .collect();
                    let count = r.required_approval_count.unwrap_or(0);
                    let from_rules: u32 = rules.iter().map(|a| a.required_approvals).sum();
                    Ok(ProtectedEnvironment {
                        name: r.name,
                        deployers: deploy.iter().map(AccessLevel::describe).collect(),
                        developers_can_deploy: deploy.iter().any(|l| {
                            l.user_id.is_none()
                                && l.group_id.is_none()
                                && l.access_level
                                    .is_some_and(|a| a > level::NO_ONE && a < level::MAINTAINER)
                        }),
                        deploy_access_levels: deploy,
                        required_approval_count: count,
                        required_approvals: count.max(from_rules),
                        approval_rules: rules,
                    })
                })
                .collect()
        },
    )
}

/// Reads `GET /projects/:id/members/all` (every page).
pub async fn members(c: &Client, id: u64) -> Evidence<Vec<Member>> {
    read_list(
        c,
        id,
        "members/all",
        projects::members::AllProjectMembers::builder()
            .project(id)
            .build()
            .map_err(|e| e.to_string()),
        "the project's members",
        Needs::Role("Guest"),
        |items| {
            Ok(items
                .iter()
                .map(|v| {
                    let username = v["username"].as_str().unwrap_or("").to_string();
                    let bot = v["bot"].as_bool().unwrap_or(false) || is_bot_name(&username);
                    Member {
                        access_level: v["access_level"].as_u64().unwrap_or(0) as u32,
                        state: v["state"].as_str().unwrap_or("").to_string(),
                        expires_at: v["expires_at"].as_str().map(str::to_string),
                        bot,
                        username,
                    }
                })
                .collect())
        },
    )
    .await
}

/// Project and group access tokens act as bot users named `project_<id>_bot_<hash>` and
/// `group_<id>_bot_<hash>`.
fn is_bot_name(name: &str) -> bool {
    let mut parts = name.split('_');
    matches!(parts.next(), Some("project" | "group"))
        && parts
            .next()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && parts.next() == Some("bot")
}

fn variables_of(items: &[Value], source: &str) -> Vec<Variable> {
    // Only names and flags are kept: `value` is never read.
    items
        .iter()
        .map(|v| Variable {
            key: v["key"].as_str().unwrap_or("").to_string(),
            variable_type: v["variable_type"].as_str().unwrap_or("env_var").to_string(),
            masked: v["masked"].as_bool().unwrap_or(false),
            hidden: v["hidden"].as_bool().unwrap_or(false),
            protected: v["protected"].as_bool().unwrap_or(false),
            environment_scope: v["environment_scope"].as_str().unwrap_or("*").to_string(),
            source: source.to_string(),
        })
        .collect()
}

/// Reads `GET /projects/:id/variables` (Maintainer).
pub async fn project_variables(c: &Client, id: u64) -> Evidence<Vec<Variable>> {
    read_list(
        c,
        id,
        "variables",
        projects::variables::ProjectVariables::builder()
            .project(id)
            .build()
            .map_err(|e| e.to_string()),
        "the project's CI/CD variables",
        Needs::Role("Maintainer"),
        |items| Ok(variables_of(&items, "project")),
    )
    .await
}

/// Reads `GET /groups/:id/variables` (Owner; once per run per group).
pub async fn group_variables(c: &Client, group: &str) -> Evidence<Vec<Variable>> {
    let path = format!("groups/{}/variables", encode(group));
    let url = format!("{}/{path}", c.api_url());
    let mut e = Get::new(path);
    e.query.push(("per_page", "100".into()));
    let answer = c.raw_shared(&format!("group-variables:{group}"), e).await;
    evidence(
        c,
        url,
        &format!("the CI/CD variables of group `{group}`"),
        Needs::GroupOwner,
        answer,
        |body| {
            let items: Vec<Value> = serde_json::from_str(&body).map_err(|e| e.to_string())?;
            Ok(variables_of(&items, &format!("group:{group}")))
        },
    )
}

/// Reads `GET /projects/:id/deploy_keys` (Maintainer).
pub async fn deploy_keys(c: &Client, id: u64) -> Evidence<Vec<DeployKey>> {
    read_list(
        c,
        id,
        "deploy_keys",
        projects::deploy_keys::DeployKeys::builder()
            .project(id)
            .build()
            .map_err(|e| e.to_string()),
        "the deploy keys",
        Needs::Role("Maintainer"),
        |items| {
            Ok(items
                .iter()
                .map(|v| DeployKey {
                    id: v["id"].as_u64().unwrap_or(0),
                    title: v["title"].as_str().unwrap_or("").to_string(),
                    can_push: v["can_push"].as_bool().unwrap_or(false),
                    expires_at: v["expires_at"].as_str().map(str::to_string),
                })
                .collect())
        },
    )
    .await
}

/// A webhook URL without credentials or query: `https://host/path`.
pub fn safe_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => "(not a URL)".into(),
    }
}

use url::Url;

/// Reads `GET /projects/:id/hooks` (Maintainer).
pub async fn webhooks(c: &Client, id: u64) -> Evidence<Vec<Webhook>> {
    let url = format!("{}/projects/{id}/hooks", c.api_url());
    let answer = match projects::hooks::Hooks::builder().project(id).build() {
        Ok(e) => {
            c.query::<Vec<Value>, _>(&api::paged(e, Pagination::Limit(1000)))
                .await
        }
        Err(e) => Answer::Failed(e.to_string()),
    };
    evidence(
        c,
        url,
        "the webhooks",
        Needs::Role("Maintainer"),
        answer,
        |items| {
            Ok(items
                .iter()
                .map(|v| {
                    let raw = v["url"].as_str().unwrap_or("");
                    Webhook {
                        id: v["id"].as_u64().unwrap_or(0),
                        url: safe_url(raw),
                        https: raw.to_ascii_lowercase().starts_with("https://"),
                        enable_ssl_verification: v["enable_ssl_verification"]
                            .as_bool()
                            .unwrap_or(false),
                    }
                })
                .collect())
        },
    )
}

/// Reads `GET /projects/:id/job_token_scope` (Maintainer).
pub async fn job_token_scope(c: &Client, id: u64) -> Evidence<JobTokenScope> {
    read_one(
        c,
        id,
        "job_token_scope",
        projects::job_token_scopes::JobTokenScopes::builder()
            .project(id)
            .build()
            .map_err(|e| e.to_string()),
        "the CI/CD job token scope",
        Needs::Role("Maintainer"),
        |v| {
            Ok(JobTokenScope {
                inbound_enabled: v
                    .get("inbound_enabled")
                    .and_then(Value::as_bool)
                    .ok_or("no `inbound_enabled`")?,
                outbound_enabled: v["outbound_enabled"].as_bool().unwrap_or(false),
            })
        },
    )
    .await
}

/// Reads `GET /groups/:id` (once per run per group).
pub async fn group(c: &Client, group: &str) -> Evidence<GroupSettings> {
    let path = format!("groups/{}", encode(group));
    let url = format!("{}/{path}", c.api_url());
    let mut e = Get::new(path);
    e.query.push(("with_projects", "false".into()));
    let answer = c.raw_shared(&format!("group:{group}"), e).await;
    evidence(
        c,
        url,
        &format!("the settings of group `{group}`"),
        Needs::Role("Guest"),
        answer,
        |body| {
            let v: Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
            Ok(GroupSettings {
                require_two_factor_authentication: v["require_two_factor_authentication"]
                    .as_bool()
                    .unwrap_or(false),
                two_factor_grace_period: v["two_factor_grace_period"].as_u64().unwrap_or(0) as u32,
                prevent_forking_outside_group: v["prevent_forking_outside_group"].as_bool(),
            })
        },
    )
}

/// The effective protection of `branch` from the protected-branch rules and the approvals.
pub fn branch_protection(
    branch: &str,
    protected: &Evidence<Vec<ProtectedBranch>>,
    approvals: &Evidence<ApprovalSettings>,
    rules: &Evidence<Vec<ApprovalRule>>,
) -> BranchProtection {
    let required_approvals = required_approvals(branch, protected, approvals, rules);
    let Some(list) = protected.known() else {
        return BranchProtection {
            branch: branch.to_string(),
            complete: false,
            reason: protected.reason().unwrap_or_default().to_string(),
            required_approvals,
            ..BranchProtection::default()
        };
    };
    let matching: Vec<&ProtectedBranch> = list
        .iter()
        .filter(|p| branch_matches(&p.name, branch))
        .collect();
    let describe = |levels: &mut dyn Iterator<Item = &AccessLevel>| {
        let mut v: Vec<String> = levels
            .filter(|l| l.allows_someone())
            .map(AccessLevel::describe)
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let owners: Vec<Option<bool>> = matching
        .iter()
        .map(|p| p.code_owner_approval_required)
        .collect();
    BranchProtection {
        branch: branch.to_string(),
        complete: true,
        reason: String::new(),
        protected: !matching.is_empty(),
        rules: matching.iter().map(|p| p.name.clone()).collect(),
        pushers: describe(&mut matching.iter().flat_map(|p| &p.push_access_levels)),
        mergers: describe(&mut matching.iter().flat_map(|p| &p.merge_access_levels)),
        allow_force_push: matching.iter().any(|p| p.allow_force_push),
        // Code-owner approval follows the most restrictive rule; absent on Free.
        code_owner_approval_required: if owners.contains(&Some(true)) {
            Some(true)
        } else if !owners.is_empty() && owners.iter().all(Option::is_some) {
            Some(false)
        } else {
            None
        },
        approval_rules: rules
            .known()
            .map(|r| {
                r.iter()
                    .filter(|r| rule_applies(r, branch, list))
                    .map(|r| format!("{} ({})", r.name, r.approvals_required))
                    .collect()
            })
            .unwrap_or_default(),
        required_approvals,
    }
}

/// Whether an approval rule governs merge requests into `branch`: a rule without branches
/// applies to every branch; `applies_to_all_protected_branches` to protected ones.
fn rule_applies(r: &ApprovalRule, branch: &str, protected: &[ProtectedBranch]) -> bool {
    if matches!(r.rule_type.as_str(), "report_approver" | "code_owner") {
        return false;
    }
    let is_protected = protected.iter().any(|p| branch_matches(&p.name, branch));
    if r.applies_to_all_protected_branches {
        return is_protected;
    }
    r.protected_branches.is_empty()
        || r.protected_branches
            .iter()
            .any(|p| branch_matches(p, branch))
}

fn required_approvals(
    branch: &str,
    protected: &Evidence<Vec<ProtectedBranch>>,
    approvals: &Evidence<ApprovalSettings>,
    rules: &Evidence<Vec<ApprovalRule>>,
) -> Evidence<u32> {
    let (Some(a), Some(r)) = (approvals.known(), rules.known()) else {
        let source = if approvals.known().is_none() {
            approvals
        } else {
            &Evidence::<ApprovalSettings>::default()
        };
        let (url, reason, permission) = match (source, rules) {
            (
                Evidence::Unknown {
                    url,
                    reason,
                    permission,
                },
                _,
            )
            | (
                _,
                Evidence::Unknown {
                    url,
                    reason,
                    permission,
                },
            ) => (url.clone(), reason.clone(), permission.clone()),
            (Evidence::NotApplicable { url, reason }, _)
            | (_, Evidence::NotApplicable { url, reason }) => (url.clone(), reason.clone(), None),
            _ => (String::new(), "not read".into(), None),
        };
        return Evidence::Unknown {
            url,
            reason,
            permission,
        };
    };
    let list = protected.known().map_or(&[][..], Vec::as_slice);
    let from_rules = r
        .iter()
        .filter(|r| rule_applies(r, branch, list))
        .map(|r| r.approvals_required)
        .max()
        .unwrap_or(0);
    Evidence::Known {
        url: match rules {
            Evidence::Known { url, .. } => url.clone(),
            _ => String::new(),
        },
        value: from_rules.max(a.approvals_before_merge),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bots_are_recognised_by_name() {
        assert!(is_bot_name("project_42_bot_3f2a"));
        assert!(is_bot_name("group_7_bot"));
        assert!(!is_bot_name("project_manager"));
        assert!(!is_bot_name("alice"));
    }

    #[test]
    fn webhook_urls_lose_credentials_and_queries() {
        assert_eq!(
            safe_url("https://user:secret@hooks.example.com/x?token=abc#f"),
            "https://hooks.example.com/x"
        );
        assert_eq!(safe_url("not a url"), "(not a URL)");
    }

    #[test]
    fn paths_are_encoded() {
        assert_eq!(encode("acme/platform api"), "acme%2Fplatform%20api");
    }

    #[test]
    fn effective_protection_merges_matching_rules() {
        fn known<T>(value: T) -> Evidence<T> {
            Evidence::Known {
                url: String::new(),
                value,
            }
        }
        let level = |l: u32| AccessLevel {
            access_level: Some(l),
            description: level::name(l).into(),
            ..AccessLevel::default()
        };
        let pb = known(vec![
            ProtectedBranch {
                name: "main".into(),
                push_access_levels: vec![level(0)],
                merge_access_levels: vec![level(40)],
                code_owner_approval_required: Some(false),
                ..ProtectedBranch::default()
            },
            ProtectedBranch {
                name: "ma*".into(),
                push_access_levels: vec![level(30)],
                allow_force_push: true,
                code_owner_approval_required: Some(true),
                ..ProtectedBranch::default()
            },
        ]);
        let approvals = known(ApprovalSettings {
            approvals_before_merge: 1,
            ..ApprovalSettings::default()
        });
        let rules = known(vec![
            ApprovalRule {
                name: "all".into(),
                rule_type: "any_approver".into(),
                approvals_required: 2,
                ..ApprovalRule::default()
            },
            ApprovalRule {
                name: "release".into(),
                approvals_required: 5,
                protected_branches: vec!["release/*".into()],
                ..ApprovalRule::default()
            },
        ]);
        let p = branch_protection("main", &pb, &approvals, &rules);
        assert!(p.protected && p.complete);
        assert_eq!(p.rules, ["main", "ma*"]);
        assert_eq!(p.pushers, ["Developer"], "the most permissive rule wins");
        assert!(p.allow_force_push);
        assert_eq!(p.code_owner_approval_required, Some(true));
        assert_eq!(p.required_approvals.known(), Some(&2));
        let unprotected = branch_protection("dev", &pb, &approvals, &rules);
        assert!(!unprotected.protected);
        let unread: Evidence<Vec<ApprovalRule>> = Evidence::Unknown {
            url: "u".into(),
            reason: "needs GitLab Premium".into(),
            permission: None,
        };
        let p = branch_protection("main", &pb, &approvals, &unread);
        assert_eq!(p.required_approvals.reason(), Some("needs GitLab Premium"));
    }
}
