//! Endpoint → typed facts: each function asks one endpoint (or a small fixed group) and turns
//! the answer into [`Evidence`].
//!
//! The mapping of answers is where false passes and false failures are avoided:
//! - `404 {"message":"Branch not protected"}` is known: the branch is unprotected;
//! - `404 {"message":"Not Found"}` or `403` on an endpoint that needs admin access is
//!   `unknown`, naming the permission (`needs Administration: read`);
//! - a `403` whose message asks to upgrade the plan is `unknown` with that reason;
//! - without a token, endpoints that need one are not asked and are `unknown`;
//! - a request that still fails after retries (5xx, timeouts, rate limit beyond `--max-wait`,
//!   truncated JSON) is `unknown` with the error.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::client::{Client, ClientError, Reply};
use crate::facts::github::{
    ActionsPermissions, BranchProtection, BranchRule, ClassicProtection, CodeownersError,
    Collaborator, Collaborators, DeployKey, Environment, Evidence, OrgSettings, RepoSettings,
    Webhook, WorkflowPermissions,
};

/// The permission that fine-grained tokens need for admin-only repository settings.
pub const ADMIN_READ: &str = "Administration: read";

/// What the repository's own answer says about the caller.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Whether a token is used.
    pub authenticated: bool,
    /// `permissions.admin` of `GET /repos/{o}/{r}`, when present.
    pub admin: Option<bool>,
    /// `permissions.push`, when present.
    pub push: Option<bool>,
}

impl Access {
    /// Why an endpoint that needs `permission` (and the admin role when `admin`) is not asked,
    /// or `None` when it can be.
    pub fn refusal(&self, admin: bool, permission: &str) -> Option<String> {
        // Without a token, endpoints that public data answers are still asked.
        if !self.authenticated && admin {
            return Some(format!(
                "no token: set GITHUB_TOKEN or GH_TOKEN with {permission} to read this setting"
            ));
        }
        if admin && self.admin == Some(false) {
            return Some(format!(
                "the token's user is not an administrator of the repository; reading this \
                 setting needs admin access ({permission})"
            ));
        }
        None
    }
}

/// `Evidence::Unknown` for an answer that is not the setting.
pub fn unknown_from<T>(
    client: &Client,
    path: &str,
    reply: &Reply,
    permission: &str,
) -> Evidence<T> {
    let message = reply.message();
    let reason = match reply.status {
        403 if is_plan_gate(&message) => {
            format!("not available on this repository's plan: GitHub answered 403 \"{message}\"")
        }
        403 => format!(
            "GitHub answered 403 \"{message}\": the token lacks the permission (needs {permission})"
        ),
        404 => format!(
            "GitHub answered 404 \"{message}\": the token cannot see this setting (needs {permission})"
        ),
        s => format!("GitHub answered {s} \"{message}\""),
    };
    Evidence::Unknown {
        url: client.url(path),
        reason,
        permission: Some(permission.to_string()),
    }
}

/// Whether a 403 message is a plan restriction.
pub fn is_plan_gate(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("upgrade to github") || m.contains("plan") || m.contains("not available for")
}

/// `Evidence::Unknown` for a request that failed.
pub fn unknown_error<T>(client: &Client, path: &str, e: &ClientError) -> Evidence<T> {
    Evidence::Unknown {
        url: client.url(path),
        reason: e.to_string(),
        permission: None,
    }
}

fn refused<T>(client: &Client, path: &str, reason: String, permission: &str) -> Evidence<T> {
    Evidence::Unknown {
        url: client.url(path),
        reason,
        permission: Some(permission.to_string()),
    }
}

/// GETs a JSON object and maps it; non-200 answers become unknown.
async fn object<R: serde::de::DeserializeOwned, T>(
    client: &Client,
    access: &Access,
    path: &str,
    admin: bool,
    permission: &str,
    map: impl FnOnce(R) -> T,
) -> Evidence<T> {
    if let Some(reason) = access.refusal(admin, permission) {
        return refused(client, path, reason, permission);
    }
    match client.get_json::<R>(path).await {
        Ok(Ok(v)) => Evidence::Known {
            url: client.url(path),
            value: map(v),
        },
        Ok(Err(reply)) => unknown_from(client, path, &reply, permission),
        Err(e) => unknown_error(client, path, &e),
    }
}

/// GETs every page of a list and maps it.
async fn list<R: serde::de::DeserializeOwned, T>(
    client: &Client,
    access: &Access,
    path: &str,
    field: Option<&str>,
    admin: bool,
    permission: &str,
    map: impl FnOnce(Vec<R>) -> T,
) -> Evidence<T> {
    if let Some(reason) = access.refusal(admin, permission) {
        return refused(client, path, reason, permission);
    }
    match client.get_all::<R>(path, field, 20).await {
        Ok(Ok(v)) => Evidence::Known {
            url: client.url(path),
            value: map(v),
        },
        Ok(Err(reply)) => unknown_from(client, path, &reply, permission),
        Err(e) => unknown_error(client, path, &e),
    }
}

// ---------------------------------------------------------------- repository

/// `GET /repos/{o}/{r}` as returned.
#[derive(Debug, Deserialize)]
pub struct RawRepo {
    /// `full_name`.
    pub full_name: String,
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    private: bool,
    /// `default_branch`.
    #[serde(default)]
    pub default_branch: String,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    fork: bool,
    #[serde(default)]
    allow_merge_commit: Option<bool>,
    #[serde(default)]
    allow_squash_merge: Option<bool>,
    #[serde(default)]
    allow_rebase_merge: Option<bool>,
    #[serde(default)]
    allow_auto_merge: Option<bool>,
    #[serde(default)]
    delete_branch_on_merge: Option<bool>,
    #[serde(default)]
    allow_forking: Option<bool>,
    #[serde(default)]
    web_commit_signoff_required: Option<bool>,
    #[serde(default)]
    permissions: Option<RawPermissions>,
    #[serde(default)]
    security_and_analysis: Option<BTreeMap<String, serde_json::Value>>,
    /// `owner`.
    pub owner: RawOwner,
}

/// `owner` of a repository.
#[derive(Debug, Deserialize)]
pub struct RawOwner {
    /// `login`.
    pub login: String,
    /// `User` or `Organization`.
    #[serde(rename = "type", default)]
    pub kind: String,
}

#[derive(Debug, Deserialize)]
struct RawPermissions {
    #[serde(default)]
    admin: bool,
    #[serde(default)]
    push: bool,
}

impl RawRepo {
    /// The settings.
    pub fn settings(&self) -> RepoSettings {
        RepoSettings {
            visibility: self
                .visibility
                .clone()
                .unwrap_or_else(|| if self.private { "private" } else { "public" }.to_string()),
            private: self.private,
            default_branch: self.default_branch.clone(),
            archived: self.archived,
            fork: self.fork,
            allow_merge_commit: self.allow_merge_commit.unwrap_or(true),
            allow_squash_merge: self.allow_squash_merge.unwrap_or(true),
            allow_rebase_merge: self.allow_rebase_merge.unwrap_or(true),
            allow_auto_merge: self.allow_auto_merge.unwrap_or(false),
            delete_branch_on_merge: self.delete_branch_on_merge.unwrap_or(false),
            allow_forking: self.allow_forking.unwrap_or(false),
            web_commit_signoff_required: self.web_commit_signoff_required.unwrap_or(false),
        }
    }

    /// The status of a `security_and_analysis` feature (`enabled`), when shown.
    pub fn feature(&self, name: &str) -> Option<&str> {
        self.security_and_analysis
            .as_ref()?
            .get(name)?
            .get("status")?
            .as_str()
    }

    /// What the answer says about the caller.
    pub fn access(&self, authenticated: bool) -> Access {
        Access {
            authenticated,
            admin: self.permissions.as_ref().map(|p| p.admin),
            push: self.permissions.as_ref().map(|p| p.push),
        }
    }

    /// `security_and_analysis` (feature → status), or why it is missing.
    pub fn security(
        &self,
        client: &Client,
        path: &str,
        access: &Access,
    ) -> Evidence<BTreeMap<String, String>> {
        match &self.security_and_analysis {
            Some(map) => Evidence::Known {
                url: client.url(path),
                value: map
                    .iter()
                    .filter_map(|(k, v)| {
                        v.get("status")
                            .and_then(|s| s.as_str())
                            .map(|s| (k.clone(), s.to_string()))
                    })
                    .collect(),
            },
            None => Evidence::Unknown {
                url: client.url(path),
                reason: if access.authenticated {
                    "`security_and_analysis` is shown only to repository administrators, \
                     organization owners and security managers"
                        .into()
                } else {
                    "no token: `security_and_analysis` is shown only to repository \
                     administrators, organization owners and security managers"
                        .into()
                },
                permission: Some(ADMIN_READ.into()),
            },
        }
    }
}

// ---------------------------------------------------------------- branch protection

#[derive(Debug, Deserialize, Default)]
struct Enabled {
    #[serde(default)]
    enabled: bool,
}

#[derive(Debug, Deserialize, Default)]
struct RawReviews {
    #[serde(default)]
    required_approving_review_count: u32,
    #[serde(default)]
    dismiss_stale_reviews: bool,
    #[serde(default)]
    require_code_owner_reviews: bool,
    #[serde(default)]
    require_last_push_approval: bool,
    #[serde(default)]
    dismissal_restrictions: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize, Default)]
struct RawChecks {
    #[serde(default)]
    strict: bool,
    #[serde(default)]
    contexts: Vec<String>,
    #[serde(default)]
    checks: Vec<RawCheck>,
}

#[derive(Debug, Deserialize, Default)]
struct RawCheck {
    context: String,
}

#[derive(Debug, Deserialize, Default)]
struct RawProtection {
    #[serde(default)]
    required_pull_request_reviews: Option<RawReviews>,
    #[serde(default)]
    required_status_checks: Option<RawChecks>,
    #[serde(default)]
    enforce_admins: Option<Enabled>,
    #[serde(default)]
    allow_force_pushes: Option<Enabled>,
    #[serde(default)]
    allow_deletions: Option<Enabled>,
    #[serde(default)]
    required_signatures: Option<Enabled>,
    #[serde(default)]
    required_linear_history: Option<Enabled>,
}

impl From<RawProtection> for ClassicProtection {
    fn from(p: RawProtection) -> Self {
        let reviews = p.required_pull_request_reviews.as_ref();
        let checks = p.required_status_checks.as_ref();
        let mut required_checks: Vec<String> =
            checks.map(|c| c.contexts.clone()).unwrap_or_default();
        for c in checks.map(|c| c.checks.as_slice()).unwrap_or_default() {
            if !required_checks.contains(&c.context) {
                required_checks.push(c.context.clone());
            }
        }
        ClassicProtection {
            protected: true,
            requires_pull_request: reviews.is_some(),
            required_approvals: reviews.map_or(0, |r| r.required_approving_review_count),
            dismiss_stale_reviews: reviews.is_some_and(|r| r.dismiss_stale_reviews),
            dismissal_restricted: reviews.is_some_and(|r| {
                r.dismissal_restrictions
                    .as_ref()
                    .is_some_and(|d| !d.is_null())
            }),
            require_code_owner_review: reviews.is_some_and(|r| r.require_code_owner_reviews),
            require_last_push_approval: reviews.is_some_and(|r| r.require_last_push_approval),
            status_checks: checks.is_some(),
            required_checks,
            strict_status_checks: checks.is_some_and(|c| c.strict),
            enforce_admins: p.enforce_admins.is_some_and(|e| e.enabled),
            allow_force_pushes: p.allow_force_pushes.is_some_and(|e| e.enabled),
            allow_deletions: p.allow_deletions.is_some_and(|e| e.enabled),
            required_signatures: p.required_signatures.is_some_and(|e| e.enabled),
            required_linear_history: p.required_linear_history.is_some_and(|e| e.enabled),
        }
    }
}

/// Classic protection of a branch. `Ok(None)` when the branch does not exist.
async fn classic(
    client: &Client,
    access: &Access,
    repo: &str,
    branch: &str,
) -> Option<Evidence<ClassicProtection>> {
    let path = format!("/repos/{repo}/branches/{}/protection", encode(branch));
    if let Some(reason) = access.refusal(true, ADMIN_READ) {
        return Some(refused(client, &path, reason, ADMIN_READ));
    }
    match client.get_json::<RawProtection>(&path).await {
        Ok(Ok(p)) => Some(Evidence::Known {
            url: client.url(&path),
            value: p.into(),
        }),
        Ok(Err(reply)) => {
            let message = reply.message();
            if reply.status == 404 && message == "Branch not protected" {
                Some(Evidence::Known {
                    url: client.url(&path),
                    value: ClassicProtection::default(),
                })
            } else if reply.status == 404 && message == "Branch not found" {
                None
            } else {
                Some(unknown_from(client, &path, &reply, ADMIN_READ))
            }
        }
        Err(e) => Some(unknown_error(client, &path, &e)),
    }
}

#[derive(Debug, Deserialize)]
struct RawRuleset {
    #[serde(default)]
    name: String,
    #[serde(default)]
    enforcement: String,
    #[serde(default)]
    bypass_actors: Option<Vec<RawBypass>>,
}

#[derive(Debug, Deserialize)]
struct RawBypass {
    #[serde(default)]
    actor_id: Option<u64>,
    #[serde(default)]
    actor_type: String,
    #[serde(default)]
    bypass_mode: String,
}

/// The effective protection of `branch`: classic protection and active rulesets. `None` when
/// the branch does not exist.
pub async fn branch_protection(
    client: &Client,
    access: &Access,
    repo: &str,
    branch: &str,
    is_default: bool,
) -> Option<BranchProtection> {
    let classic = classic(client, access, repo, branch).await?;
    let rules_path = format!("/repos/{repo}/rules/branches/{}", encode(branch));
    let mut rules: Evidence<Vec<BranchRule>> =
        match client.get_all::<BranchRule>(&rules_path, None, 10).await {
            Ok(Ok(v)) => Evidence::Known {
                url: client.url(&rules_path),
                value: v,
            },
            Ok(Err(reply)) => unknown_from(client, &rules_path, &reply, "Metadata: read"),
            Err(e) => unknown_error(client, &rules_path, &e),
        };

    // The rulesets behind the rules: enforcement and bypass actors.
    let mut not_enforced = Vec::new();
    let mut bypass = Vec::new();
    let mut bypass_known = true;
    let mut sources = Vec::new();
    if let Evidence::Known { value, .. } = &mut rules {
        let ids: BTreeSet<u64> = value.iter().map(|r| r.ruleset_id).collect();
        let mut dropped = BTreeSet::new();
        for id in ids {
            let path = format!("/repos/{repo}/rulesets/{id}?includes_parents=true");
            // An organization's ruleset is the same for all its repositories: read it once.
            let org_source = value
                .iter()
                .find(|r| r.ruleset_id == id && r.ruleset_source_type == "Organization")
                .map(|r| r.ruleset_source.clone());
            let reply = match &org_source {
                Some(org) => {
                    client
                        .get_shared(&format!("org-ruleset:{org}:{id}"), &path)
                        .await
                }
                None => client.get(&path).await,
            };
            let parsed = reply
                .ok()
                .filter(|r| r.status == 200)
                .and_then(|r| serde_json::from_str::<RawRuleset>(&r.body).ok());
            match parsed {
                Some(rs) => {
                    if rs.enforcement != "active" {
                        not_enforced.push(format!("{} ({id}): {}", rs.name, rs.enforcement));
                        dropped.insert(id);
                        continue;
                    }
                    sources.push(format!("ruleset {id} \"{}\"", rs.name));
                    match rs.bypass_actors {
                        Some(actors) => {
                            for a in actors.iter().filter(|a| a.bypass_mode != "pull_request") {
                                bypass.push(format!(
                                    "{} {} ({}) on ruleset \"{}\"",
                                    a.actor_type,
                                    a.actor_id.map_or_else(String::new, |i| i.to_string()),
                                    a.bypass_mode,
                                    rs.name
                                ));
                            }
                        }
                        None => bypass_known = false,
                    }
                }
                // GitHub lists only active rulesets' rules on a branch; when the ruleset itself
                // cannot be read, its rules still count but its bypass actors are unknown.
                _ => {
                    sources.push(format!("ruleset {id}"));
                    bypass_known = false;
                }
            }
        }
        value.retain(|r| !dropped.contains(&r.ruleset_id));
    } else {
        bypass_known = false;
    }
    Some(merge(
        branch,
        is_default,
        classic,
        rules,
        not_enforced,
        bypass,
        bypass_known,
        sources,
    ))
}

/// Merges classic protection and ruleset rules into the effective protection.
#[allow(clippy::too_many_arguments)]
pub fn merge(
    branch: &str,
    is_default: bool,
    classic: Evidence<ClassicProtection>,
    rules: Evidence<Vec<BranchRule>>,
    not_enforced_rulesets: Vec<String>,
    bypass_actors: Vec<String>,
    bypass_actors_known: bool,
    mut sources: Vec<String>,
) -> BranchProtection {
    let c = classic.known().cloned().unwrap_or_default();
    let r: &[BranchRule] = rules.known().map_or(&[], Vec::as_slice);
    if c.protected {
        sources.insert(0, "classic branch protection".into());
    }
    let param = |rule: &BranchRule, key: &str| rule.parameters.get(key).cloned();
    let flag = |kind: &str, key: &str| {
        r.iter()
            .filter(|x| x.kind == kind)
            .any(|x| param(x, key).and_then(|v| v.as_bool()).unwrap_or(false))
    };
    let has = |kind: &str| r.iter().any(|x| x.kind == kind);
    let approvals = r
        .iter()
        .filter(|x| x.kind == "pull_request")
        .filter_map(|x| param(x, "required_approving_review_count").and_then(|v| v.as_u64()))
        .max()
        .unwrap_or(0);
    let mut checks = c.required_checks.clone();
    for x in r.iter().filter(|x| x.kind == "required_status_checks") {
        if let Some(list) = param(x, "required_status_checks").and_then(|v| v.as_array().cloned()) {
            for item in list {
                if let Some(ctx) = item.get("context").and_then(|v| v.as_str())
                    && !checks.iter().any(|c| c == ctx)
                {
                    checks.push(ctx.to_string());
                }
            }
        }
    }
    let mut reasons = Vec::new();
    if let Some(why) = classic.reason() {
        reasons.push(format!("classic protection: {why}"));
    }
    if let Some(why) = rules.reason() {
        reasons.push(format!("rulesets: {why}"));
    }
    let enforce_admins = (!c.protected || c.enforce_admins) && bypass_actors.is_empty();
    BranchProtection {
        branch: branch.to_string(),
        is_default,
        complete: reasons.is_empty(),
        incomplete_reason: reasons.join("; "),
        protected: c.protected || !r.is_empty(),
        requires_pull_request: c.requires_pull_request || has("pull_request"),
        required_approvals: c
            .required_approvals
            .max(u32::try_from(approvals).unwrap_or(u32::MAX)),
        dismiss_stale_reviews: c.dismiss_stale_reviews
            || flag("pull_request", "dismiss_stale_reviews_on_push"),
        dismissal_restricted: c.dismissal_restricted,
        require_code_owner_review: c.require_code_owner_review
            || flag("pull_request", "require_code_owner_review"),
        require_last_push_approval: c.require_last_push_approval
            || flag("pull_request", "require_last_push_approval"),
        strict_status_checks: c.strict_status_checks
            || flag(
                "required_status_checks",
                "strict_required_status_checks_policy",
            ),
        required_checks: checks,
        enforce_admins,
        bypass_actors,
        bypass_actors_known,
        force_push_blocked: (c.protected && !c.allow_force_pushes) || has("non_fast_forward"),
        deletion_blocked: (c.protected && !c.allow_deletions) || has("deletion"),
        signatures_required: c.required_signatures || has("required_signatures"),
        linear_history: c.required_linear_history || has("required_linear_history"),
        sources,
        not_enforced_rulesets,
        classic,
        rules,
    }
}

/// Percent-encodes a branch name for a path segment (slashes included).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------- environments

#[derive(Debug, Deserialize)]
struct RawEnvironment {
    name: String,
    #[serde(default)]
    protection_rules: Vec<RawProtectionRule>,
    #[serde(default)]
    deployment_branch_policy: Option<RawBranchPolicy>,
    #[serde(default)]
    can_admins_bypass: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct RawProtectionRule {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    wait_timer: Option<u32>,
    #[serde(default)]
    prevent_self_review: Option<bool>,
    #[serde(default)]
    reviewers: Vec<RawReviewer>,
}

#[derive(Debug, Deserialize)]
struct RawReviewer {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    reviewer: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct RawBranchPolicy {
    #[serde(default)]
    protected_branches: bool,
    #[serde(default)]
    custom_branch_policies: bool,
}

#[derive(Debug, Deserialize)]
struct RawBranchPattern {
    name: String,
}

/// Environments with their protection rules; branch patterns are read for environments
/// with custom deployment branch policies whose name matches `wanted` (production).
pub async fn environments(
    client: &Client,
    access: &Access,
    repo: &str,
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> Evidence<Vec<Environment>> {
    let path = format!("/repos/{repo}/environments");
    let raw = list::<RawEnvironment, _>(
        client,
        access,
        &path,
        Some("environments"),
        false,
        "Environments: read (classic: repo)",
        |v| v,
    )
    .await;
    let Evidence::Known { url, value } = raw else {
        return raw.map(|_| Vec::new());
    };
    let mut out = Vec::new();
    for e in value {
        let reviewers_rule = e
            .protection_rules
            .iter()
            .find(|r| r.kind == "required_reviewers");
        let branch_policy = match &e.deployment_branch_policy {
            None => "all",
            Some(p) if p.protected_branches => "protected",
            Some(p) if p.custom_branch_policies => "custom",
            Some(_) => "all",
        };
        let mut patterns = Vec::new();
        if branch_policy == "custom" && wanted(&e.name) {
            let p = format!(
                "/repos/{repo}/environments/{}/deployment-branch-policies",
                encode(&e.name)
            );
            match client
                .get_all::<RawBranchPattern>(&p, Some("branch_policies"), 5)
                .await
            {
                Ok(Ok(v)) => patterns = v.into_iter().map(|b| b.name).collect(),
                Ok(Err(reply)) => {
                    return unknown_from(client, &p, &reply, "Environments: read");
                }
                Err(err) => return unknown_error(client, &p, &err),
            }
        }
        out.push(Environment {
            required_reviewers: reviewers_rule
                .map(|r| {
                    r.reviewers
                        .iter()
                        .map(|x| {
                            let name = x
                                .reviewer
                                .as_ref()
                                .and_then(|v| v.get("login").or_else(|| v.get("slug")))
                                .and_then(|v| v.as_str())
                                .unwrap_or("?");
                            format!("{} {name}", x.kind)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            prevent_self_review: reviewers_rule
                .and_then(|r| r.prevent_self_review)
                .unwrap_or(false),
            can_admins_bypass: e.can_admins_bypass.unwrap_or(true),
            wait_timer: e
                .protection_rules
                .iter()
                .find_map(|r| r.wait_timer)
                .unwrap_or(0),
            branch_policy: branch_policy.to_string(),
            branch_patterns: patterns,
            secrets: None,
            name: e.name,
        });
    }
    Evidence::Known { url, value: out }
}

#[derive(Debug, Deserialize)]
struct RawSecretName {
    name: String,
}

/// The permission that lists secrets (names only; values are never readable).
pub const SECRETS_READ: &str = "Secrets: read (collaborator access; classic: repo)";

/// `GET /repos/{o}/{r}/environments/{env}/secrets`: the names of an environment's own
/// secrets.
pub async fn environment_secrets(
    client: &Client,
    access: &Access,
    repo: &str,
    environment: &str,
) -> Evidence<Vec<String>> {
    let path = format!("/repos/{repo}/environments/{}/secrets", encode(environment));
    if !access.authenticated {
        return refused(
            client,
            &path,
            format!("no token: listing secrets needs a token with {SECRETS_READ}"),
            SECRETS_READ,
        );
    }
    list(
        client,
        access,
        &path,
        Some("secrets"),
        false,
        SECRETS_READ,
        |v: Vec<RawSecretName>| v.into_iter().map(|s| s.name).collect(),
    )
    .await
}

// ---------------------------------------------------------------- Actions

#[derive(Debug, Deserialize)]
struct RawActions {
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    enabled_repositories: Option<String>,
    #[serde(default)]
    allowed_actions: Option<String>,
    #[serde(default)]
    sha_pinning_required: bool,
}

fn actions_map(a: RawActions) -> ActionsPermissions {
    ActionsPermissions {
        enabled: a
            .enabled
            .unwrap_or_else(|| a.enabled_repositories.as_deref() != Some("none")),
        allowed_actions: a.allowed_actions.unwrap_or_else(|| "all".into()),
        sha_pinning_required: a.sha_pinning_required,
    }
}

/// `GET /repos/{o}/{r}/actions/permissions` (or the organization's).
pub async fn actions(client: &Client, access: &Access, path: &str) -> Evidence<ActionsPermissions> {
    object(client, access, path, true, ADMIN_READ, actions_map).await
}

/// `GET /repos/{o}/{r}/actions/permissions/workflow`.
pub async fn workflow_permissions(
    client: &Client,
    access: &Access,
    repo: &str,
) -> Evidence<WorkflowPermissions> {
    let path = format!("/repos/{repo}/actions/permissions/workflow");
    object(
        client,
        access,
        &path,
        true,
        ADMIN_READ,
        |w: WorkflowPermissions| w,
    )
    .await
}

#[derive(Debug, Deserialize)]
struct RawRetention {
    days: u32,
}

/// `GET /repos/{o}/{r}/actions/permissions/artifact-and-log-retention`.
pub async fn retention(client: &Client, access: &Access, repo: &str) -> Evidence<u32> {
    let path = format!("/repos/{repo}/actions/permissions/artifact-and-log-retention");
    object(
        client,
        access,
        &path,
        true,
        ADMIN_READ,
        |r: RawRetention| r.days,
    )
    .await
}

#[derive(Debug, Deserialize)]
struct RawForkApproval {
    approval_policy: String,
}

/// `GET /repos/{o}/{r}/actions/permissions/fork-pr-contributor-approval` (public repositories).
pub async fn fork_pr_approval(
    client: &Client,
    access: &Access,
    repo: &str,
    public: bool,
) -> Evidence<String> {
    let path = format!("/repos/{repo}/actions/permissions/fork-pr-contributor-approval");
    if !public {
        return Evidence::NotApplicable {
            url: client.url(&path),
            reason: "the fork pull request approval policy applies to public repositories".into(),
        };
    }
    object(
        client,
        access,
        &path,
        true,
        ADMIN_READ,
        |r: RawForkApproval| r.approval_policy,
    )
    .await
}

// ---------------------------------------------------------------- access

#[derive(Debug, Deserialize)]
struct RawCollaborator {
    login: String,
    #[serde(default)]
    role_name: String,
    #[serde(default)]
    permissions: Option<RawPermissions>,
}

/// Login → role of the outside collaborators of an organization.
pub type Outside = Option<BTreeSet<String>>;

/// `GET /repos/{o}/{r}/collaborators?affiliation=all`, split with the organization's outside
/// collaborators.
pub async fn collaborators(
    client: &Client,
    access: &Access,
    repo: &str,
    outside: &Outside,
) -> Evidence<Collaborators> {
    let path = format!("/repos/{repo}/collaborators?affiliation=all");
    list(
        client,
        access,
        &path,
        None,
        false,
        "Administration: read (push access to the repository)",
        |v: Vec<RawCollaborator>| Collaborators {
            admins: v
                .iter()
                .filter(|c| {
                    c.permissions.as_ref().is_some_and(|p| p.admin) || c.role_name == "admin"
                })
                .map(|c| c.login.clone())
                .collect(),
            outside: outside
                .as_ref()
                .map(|o| {
                    v.iter()
                        .filter(|c| o.contains(&c.login))
                        .map(|c| Collaborator {
                            login: c.login.clone(),
                            role: c.role_name.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            outside_known: outside.is_some(),
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
struct RawLogin {
    login: String,
}

/// `GET /orgs/{org}/outside_collaborators`: the logins, or `None` when unreadable.
pub async fn org_outside(client: &Client, access: &Access, org: &str) -> Outside {
    if !access.authenticated {
        return None;
    }
    let path = format!("/orgs/{org}/outside_collaborators");
    match client.get_all::<RawLogin>(&path, None, 50).await {
        Ok(Ok(v)) => Some(v.into_iter().map(|l| l.login).collect()),
        _ => None,
    }
}

#[derive(Debug, Deserialize)]
struct RawKey {
    #[serde(default)]
    title: String,
    #[serde(default)]
    read_only: bool,
}

/// `GET /repos/{o}/{r}/keys`.
pub async fn deploy_keys(client: &Client, access: &Access, repo: &str) -> Evidence<Vec<DeployKey>> {
    let path = format!("/repos/{repo}/keys");
    list(
        client,
        access,
        &path,
        None,
        true,
        ADMIN_READ,
        |v: Vec<RawKey>| {
            v.into_iter()
                .map(|k| DeployKey {
                    title: k.title,
                    read_only: k.read_only,
                })
                .collect()
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
struct RawHook {
    id: u64,
    #[serde(default)]
    active: bool,
    #[serde(default)]
    config: RawHookConfig,
}

#[derive(Debug, Deserialize, Default)]
struct RawHookConfig {
    #[serde(default)]
    url: String,
    #[serde(default)]
    insecure_ssl: Option<serde_json::Value>,
    #[serde(default)]
    secret: Option<String>,
}

/// A webhook URL without credentials or query string.
fn redact_url(url: &str) -> String {
    let no_query = url.split(['?', '#']).next().unwrap_or("");
    match no_query.split_once("://") {
        Some((scheme, rest)) => {
            let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            format!("{scheme}://{rest}")
        }
        None => no_query.to_string(),
    }
}

/// `GET /repos/{o}/{r}/hooks`.
pub async fn webhooks(client: &Client, access: &Access, repo: &str) -> Evidence<Vec<Webhook>> {
    let path = format!("/repos/{repo}/hooks");
    list(
        client,
        access,
        &path,
        None,
        true,
        "Webhooks: read (classic: read:repo_hook)",
        |v: Vec<RawHook>| {
            v.into_iter()
                .map(|h| {
                    let insecure = match &h.config.insecure_ssl {
                        Some(serde_json::Value::String(s)) => s != "0",
                        Some(serde_json::Value::Number(n)) => n.as_u64() != Some(0),
                        _ => false,
                    };
                    Webhook {
                        id: h.id,
                        https: h.config.url.to_ascii_lowercase().starts_with("https://"),
                        url: redact_url(&h.config.url),
                        active: h.active,
                        tls_verified: !insecure,
                        has_secret: h.config.secret.as_deref().is_some_and(|s| !s.is_empty()),
                    }
                })
                .collect()
        },
    )
    .await
}

/// `GET /repos/{o}/{r}/vulnerability-alerts`: 204 enabled, 404 disabled (for an admin).
pub async fn dependabot_alerts(client: &Client, access: &Access, repo: &str) -> Evidence<bool> {
    let path = format!("/repos/{repo}/vulnerability-alerts");
    if let Some(reason) = access.refusal(true, ADMIN_READ) {
        return refused(client, &path, reason, ADMIN_READ);
    }
    match client.get(&path).await {
        Ok(r) if r.status == 204 => Evidence::Known {
            url: client.url(&path),
            value: true,
        },
        // 404 means "disabled" only when the caller is known to be an admin; otherwise it may
        // mean "cannot see".
        Ok(r) if r.status == 404 && access.admin == Some(true) => Evidence::Known {
            url: client.url(&path),
            value: false,
        },
        Ok(r) => unknown_from(client, &path, &r, ADMIN_READ),
        Err(e) => unknown_error(client, &path, &e),
    }
}

#[derive(Debug, Deserialize)]
struct RawEnabledFlag {
    enabled: bool,
}

/// `GET /repos/{o}/{r}/private-vulnerability-reporting` (public repositories).
pub async fn private_vulnerability_reporting(
    client: &Client,
    access: &Access,
    repo: &str,
    public: bool,
) -> Evidence<bool> {
    let path = format!("/repos/{repo}/private-vulnerability-reporting");
    if !public {
        return Evidence::NotApplicable {
            url: client.url(&path),
            reason: "private vulnerability reporting exists for public repositories".into(),
        };
    }
    object(
        client,
        access,
        &path,
        false,
        "Administration: read",
        |r: RawEnabledFlag| r.enabled,
    )
    .await
}

#[derive(Debug, Deserialize)]
struct RawCodeownersErrors {
    errors: Vec<CodeownersError>,
}

/// `GET /repos/{o}/{r}/codeowners/errors?ref=`; 404 means there is no CODEOWNERS file.
pub async fn codeowners_errors(
    client: &Client,
    repo: &str,
    branch: &str,
) -> Evidence<Vec<CodeownersError>> {
    let path = format!("/repos/{repo}/codeowners/errors?ref={}", encode(branch));
    match client.get_json::<RawCodeownersErrors>(&path).await {
        Ok(Ok(v)) => Evidence::Known {
            url: client.url(&path),
            value: v.errors,
        },
        Ok(Err(r)) if r.status == 404 => Evidence::NotApplicable {
            url: client.url(&path),
            reason: "the repository has no CODEOWNERS file".into(),
        },
        Ok(Err(r)) => unknown_from(client, &path, &r, "Contents: read"),
        Err(e) => unknown_error(client, &path, &e),
    }
}

// ---------------------------------------------------------------- organization

#[derive(Debug, Deserialize)]
struct RawOrg {
    #[serde(default)]
    two_factor_requirement_enabled: Option<bool>,
    #[serde(default)]
    default_repository_permission: Option<String>,
    #[serde(default)]
    members_can_create_repositories: Option<bool>,
    #[serde(default)]
    members_can_create_public_repositories: Option<bool>,
}

/// `GET /orgs/{org}`: the owner-only settings.
pub async fn org_settings(client: &Client, access: &Access, org: &str) -> Evidence<OrgSettings> {
    let path = format!("/orgs/{org}");
    let permission =
        "Organization Administration: read (classic: admin:org or read:org as an owner)";
    match object(client, access, &path, false, permission, |o: RawOrg| o).await {
        Evidence::Known { url, value } => match (
            value.two_factor_requirement_enabled,
            value.default_repository_permission,
        ) {
            (Some(tfa), Some(base)) => Evidence::Known {
                url,
                value: OrgSettings {
                    two_factor_requirement_enabled: tfa,
                    default_repository_permission: base,
                    members_can_create_repositories: value
                        .members_can_create_repositories
                        .unwrap_or(true),
                    members_can_create_public_repositories: value
                        .members_can_create_public_repositories
                        .unwrap_or(true),
                },
            },
            _ => Evidence::Unknown {
                url,
                reason: "the organization's security settings are shown only to its owners".into(),
                permission: Some(permission.into()),
            },
        },
        other => other.map(|_| OrgSettings::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_names_are_encoded() {
        assert_eq!(encode("release/1.0"), "release%2F1.0");
        assert_eq!(encode("main"), "main");
    }

    #[test]
    fn webhook_urls_lose_credentials_and_queries() {
        assert_eq!(
            redact_url("https://user:pw@hooks.example/x?token=abc"),
            "https://hooks.example/x"
        );
    }

    fn rule(kind: &str, params: serde_json::Value) -> BranchRule {
        BranchRule {
            kind: kind.into(),
            ruleset_id: 1,
            ruleset_source_type: "Repository".into(),
            ruleset_source: "a/b".into(),
            parameters: params,
        }
    }

    fn known<T>(v: T) -> Evidence<T> {
        Evidence::Known {
            url: "u".into(),
            value: v,
        }
    }

    #[test]
    fn rulesets_alone_protect_and_unreadable_classic_makes_it_incomplete() {
        let classic: Evidence<ClassicProtection> = Evidence::Unknown {
            url: "u".into(),
            reason: "no admin".into(),
            permission: None,
        };
        let rules = known(vec![
            rule(
                "pull_request",
                serde_json::json!({"required_approving_review_count": 2, "require_last_push_approval": true}),
            ),
            rule("non_fast_forward", serde_json::Value::Null),
        ]);
        let b = merge("main", true, classic, rules, vec![], vec![], true, vec![]);
        assert!(b.protected && b.requires_pull_request && b.force_push_blocked);
        assert_eq!(b.required_approvals, 2);
        assert!(!b.deletion_blocked);
        assert!(!b.complete);
        assert!(b.incomplete_reason.contains("no admin"));
    }

    #[test]
    fn classic_and_rulesets_combine() {
        let c = ClassicProtection {
            protected: true,
            requires_pull_request: true,
            required_approvals: 1,
            allow_force_pushes: true,
            enforce_admins: true,
            ..Default::default()
        };
        let b = merge(
            "main",
            true,
            known(c),
            known(vec![rule("deletion", serde_json::Value::Null)]),
            vec![],
            vec!["Team 1 (always)".into()],
            true,
            vec![],
        );
        assert!(b.complete && b.deletion_blocked && !b.force_push_blocked);
        assert!(
            !b.enforce_admins,
            "a bypass actor means admins are not bound"
        );
    }
}
