//! GitLab settings facts: a project's merge settings, protected branches (merged into the
//! effective protection of the branches that matter), merge request approval settings and
//! rules, push rules, protected environments, members, CI/CD variables (names and flags only),
//! deploy keys, webhooks and job token scope, and the settings of the groups above it — as
//! read from GitLab's REST API (v4).
//!
//! Every setting that comes from one endpoint is an [`Evidence`], as for GitHub. GitLab puts
//! several endpoints behind a paid tier (Premium, Ultimate) or a role (Maintainer, Owner,
//! instance administrator); when one of them cannot be read the evidence is `unknown` and its
//! reason names the tier or the role, so a rule never guesses the value.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use super::github::{Anchor, Evidence};

/// GitLab access levels, as the API numbers them.
pub mod level {
    /// No access (`No one` in protected branches).
    pub const NO_ONE: u32 = 0;
    /// Guest.
    pub const GUEST: u32 = 10;
    /// Reporter.
    pub const REPORTER: u32 = 20;
    /// Developer.
    pub const DEVELOPER: u32 = 30;
    /// Maintainer.
    pub const MAINTAINER: u32 = 40;
    /// Owner.
    pub const OWNER: u32 = 50;
    /// Instance administrator (protected branches' `unprotect_access_levels`).
    pub const ADMIN: u32 = 60;

    /// The role's name for messages.
    pub fn name(level: u32) -> &'static str {
        match level {
            0 => "No one",
            5 => "Minimal Access",
            10 => "Guest",
            15 => "Planner",
            20 => "Reporter",
            30 => "Developer",
            40 => "Maintainer",
            50 => "Owner",
            60 => "Admin",
            _ => "unknown role",
        }
    }
}

/// Everything read about one project from GitLab's API.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GitlabFacts {
    /// The API base URL (`https://gitlab.com/api/v4`).
    pub api_url: String,
    /// `group/subgroup/project`.
    pub path: String,
    /// Whether a token was used.
    pub authenticated: bool,
    /// The token's access level in the project (`permissions` of `GET /projects/:id`), when
    /// GitLab told it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<u32>,
    /// `GET /projects/:id`.
    pub project: Evidence<ProjectSettings>,
    /// The effective protection of the default branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_branch: Option<BranchProtection>,
    /// The effective protection of every branch the policy names
    /// (`change_management.protected_branches`) besides the default branch.
    #[serde(default)]
    pub branches: Vec<BranchProtection>,
    /// `GET /projects/:id/protected_branches`.
    pub protected_branches: Evidence<Vec<ProtectedBranch>>,
    /// `GET /projects/:id/approvals` (Premium).
    pub approvals: Evidence<ApprovalSettings>,
    /// `GET /projects/:id/approval_rules` (Premium).
    pub approval_rules: Evidence<Vec<ApprovalRule>>,
    /// `GET /projects/:id/push_rule` (Premium). `configured` is false when GitLab answered
    /// `null` (never configured).
    pub push_rule: Evidence<PushRule>,
    /// `GET /projects/:id/protected_environments` (Premium).
    pub environments: Evidence<Vec<ProtectedEnvironment>>,
    /// `GET /projects/:id/members/all`: direct and inherited members.
    pub members: Evidence<Vec<Member>>,
    /// `GET /projects/:id/variables` (Maintainer) and the variables of every group above the
    /// project (`GET /groups/:id/variables`, Owner): names and flags, never values.
    pub variables: Evidence<Vec<Variable>>,
    /// `GET /projects/:id/deploy_keys` (Maintainer).
    pub deploy_keys: Evidence<Vec<DeployKey>>,
    /// `GET /projects/:id/hooks` (Maintainer).
    pub webhooks: Evidence<Vec<Webhook>>,
    /// `GET /projects/:id/job_token_scope` (Maintainer).
    pub job_token_scope: Evidence<JobTokenScope>,
    /// The groups above the project, top-level first (`GET /groups/:id`); empty for a project
    /// in a personal namespace.
    #[serde(default)]
    pub groups: Vec<GroupFacts>,
    /// Where settings findings point, as for GitHub (`gitlab.protection`).
    #[serde(default)]
    pub anchors: BTreeMap<String, Anchor>,
}

/// Project settings from `GET /projects/:id`.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct ProjectSettings {
    /// Numeric id.
    pub id: u64,
    /// `group/subgroup/project`.
    pub path_with_namespace: String,
    /// `web_url`.
    #[serde(default)]
    pub web_url: String,
    /// `default_branch` (empty for an empty repository).
    #[serde(default)]
    pub default_branch: String,
    /// `public`, `internal` or `private`.
    #[serde(default)]
    pub visibility: String,
    /// `archived`.
    #[serde(default)]
    pub archived: bool,
    /// `namespace.kind`: `group` or `user`.
    #[serde(default)]
    pub namespace_kind: String,
    /// `namespace.full_path`.
    #[serde(default)]
    pub namespace_path: String,
    /// `only_allow_merge_if_pipeline_succeeds`.
    #[serde(default)]
    pub only_allow_merge_if_pipeline_succeeds: bool,
    /// `allow_merge_on_skipped_pipeline`.
    #[serde(default)]
    pub allow_merge_on_skipped_pipeline: bool,
    /// `only_allow_merge_if_all_discussions_are_resolved`.
    #[serde(default)]
    pub only_allow_merge_if_all_discussions_are_resolved: bool,
    /// `merge_method`: `merge`, `rebase_merge` or `ff`.
    #[serde(default)]
    pub merge_method: String,
    /// `restrict_user_defined_variables` (absent from older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_user_defined_variables: Option<bool>,
    /// `ci_pipeline_variables_minimum_override_role`: `no_one_allowed`, `owner`,
    /// `maintainer` or `developer` (GitLab 17.1 and later; Maintainer only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_pipeline_variables_minimum_override_role: Option<String>,
    /// `ci_delete_pipelines_in_seconds`: pipelines older than this are deleted; absent or
    /// `null` keeps them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_delete_pipelines_in_seconds: Option<u64>,
    /// Whether the CI/CD settings (`ci_*`) were in the answer: GitLab shows them to
    /// Maintainers only.
    #[serde(default)]
    pub ci_settings_visible: bool,
    /// `allow_pipeline_trigger_approve_deployment` (Premium).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_pipeline_trigger_approve_deployment: Option<bool>,
    /// `ci_config_path`; empty means `.gitlab-ci.yml`.
    #[serde(default)]
    pub ci_config_path: String,
}

/// One access level entry of a protected branch or environment.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct AccessLevel {
    /// The role (`30` Developers + Maintainers, `40` Maintainers, `0` No one), when the entry
    /// is a role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_level: Option<u32>,
    /// GitLab's description (`Maintainers`, `Deploy key`, a user's or group's name).
    #[serde(default)]
    pub description: String,
    /// A user allowed by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u64>,
    /// A group allowed by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<u64>,
    /// A deploy key allowed to push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy_key_id: Option<u64>,
}

impl AccessLevel {
    /// Whether the entry lets somebody act (anything but the `No one` role).
    pub fn allows_someone(&self) -> bool {
        self.user_id.is_some()
            || self.group_id.is_some()
            || self.deploy_key_id.is_some()
            || self.access_level.is_some_and(|l| l > level::NO_ONE)
    }

    /// A short text for messages.
    pub fn describe(&self) -> String {
        if self.deploy_key_id.is_some() {
            return format!("deploy key {}", self.deploy_key_id.unwrap_or_default());
        }
        if self.user_id.is_some() || self.group_id.is_some() {
            return if self.description.is_empty() {
                "a named user or group".into()
            } else {
                self.description.clone()
            };
        }
        match self.access_level {
            Some(_) if !self.description.is_empty() => self.description.clone(),
            Some(l) => level::name(l).to_string(),
            None => "unknown".into(),
        }
    }
}

/// A protected branch rule from `GET /projects/:id/protected_branches`.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct ProtectedBranch {
    /// The name or wildcard (`release/*`).
    pub name: String,
    /// Who may push.
    #[serde(default)]
    pub push_access_levels: Vec<AccessLevel>,
    /// Who may merge.
    #[serde(default)]
    pub merge_access_levels: Vec<AccessLevel>,
    /// Whether force push is allowed.
    #[serde(default)]
    pub allow_force_push: bool,
    /// Whether code-owner approval is required (Premium; absent on Free).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_owner_approval_required: Option<bool>,
    /// Whether the rule is inherited from the group (Premium).
    #[serde(default)]
    pub inherited: bool,
}

/// The effective protection of one branch: the protected-branch rules whose name or wildcard
/// matches it, merged as GitLab merges them (the most permissive rule wins: push, merge and
/// force push are allowed when any matching rule allows them; code-owner approval alone
/// follows the most restrictive rule), with the approvals that apply to it.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct BranchProtection {
    /// The branch.
    pub branch: String,
    /// Whether the protected branches could be read; when false, `reason` says why.
    pub complete: bool,
    /// Why the protection could not be read.
    #[serde(default)]
    pub reason: String,
    /// Whether any protected-branch rule matches the branch.
    pub protected: bool,
    /// The names of the matching rules (`main`, `release/*`).
    #[serde(default)]
    pub rules: Vec<String>,
    /// Who may push directly (empty when nobody may).
    #[serde(default)]
    pub pushers: Vec<String>,
    /// Who may merge.
    #[serde(default)]
    pub mergers: Vec<String>,
    /// Whether force push is allowed.
    pub allow_force_push: bool,
    /// Code-owner approval required; absent when GitLab did not say (Free tier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_owner_approval_required: Option<bool>,
    /// Approvals required to merge into the branch: the larger of the project's
    /// `approvals_before_merge` and the approval rules that apply to the branch.
    pub required_approvals: Evidence<u32>,
    /// The approval rules that apply to the branch, as `name (n)`.
    #[serde(default)]
    pub approval_rules: Vec<String>,
}

/// Merge request approval settings from `GET /projects/:id/approvals`.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct ApprovalSettings {
    /// `approvals_before_merge` (deprecated; approval rules replace it).
    #[serde(default)]
    pub approvals_before_merge: u32,
    /// `reset_approvals_on_push`.
    #[serde(default)]
    pub reset_approvals_on_push: bool,
    /// `selective_code_owner_removals`.
    #[serde(default)]
    pub selective_code_owner_removals: bool,
    /// `disable_overriding_approvers_per_merge_request`.
    #[serde(default)]
    pub disable_overriding_approvers_per_merge_request: bool,
    /// `merge_requests_author_approval`: the author may approve.
    #[serde(default)]
    pub merge_requests_author_approval: bool,
    /// `merge_requests_disable_committers_approval`: committers may not approve.
    #[serde(default)]
    pub merge_requests_disable_committers_approval: bool,
    /// `require_password_to_approve` (`require_reauthentication_to_approve` in newer versions).
    #[serde(default)]
    pub require_password_to_approve: bool,
}

/// An approval rule from `GET /projects/:id/approval_rules`.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct ApprovalRule {
    /// Name.
    pub name: String,
    /// `regular`, `any_approver`, `code_owner` or `report_approver`.
    #[serde(default)]
    pub rule_type: String,
    /// Approvals required.
    #[serde(default)]
    pub approvals_required: u32,
    /// How many people may approve (`eligible_approvers`).
    #[serde(default)]
    pub eligible_approvers: u32,
    /// Whether it applies to every protected branch.
    #[serde(default)]
    pub applies_to_all_protected_branches: bool,
    /// The protected branches it applies to (when not all).
    #[serde(default)]
    pub protected_branches: Vec<String>,
}

/// Push rules from `GET /projects/:id/push_rule`. GitLab answers `null` for a project whose
/// push rules were never configured, and may send `null` for a disabled boolean.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct PushRule {
    /// Whether push rules were ever configured.
    pub configured: bool,
    /// `reject_unsigned_commits`.
    pub reject_unsigned_commits: bool,
    /// `reject_non_dco_commits`.
    pub reject_non_dco_commits: bool,
    /// `prevent_secrets`.
    pub prevent_secrets: bool,
    /// `commit_committer_check`.
    pub commit_committer_check: bool,
    /// `member_check`.
    pub member_check: bool,
    /// `deny_delete_tag`.
    pub deny_delete_tag: bool,
}

/// A protected environment from `GET /projects/:id/protected_environments`.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct ProtectedEnvironment {
    /// The environment name.
    pub name: String,
    /// Who may deploy.
    #[serde(default)]
    pub deploy_access_levels: Vec<AccessLevel>,
    /// Who may deploy, described.
    #[serde(default)]
    pub deployers: Vec<String>,
    /// Whether a role below Maintainer (Developer) may deploy.
    #[serde(default)]
    pub developers_can_deploy: bool,
    /// `required_approval_count` (the single-rule form).
    #[serde(default)]
    pub required_approval_count: u32,
    /// `approval_rules`: approvals required per approver group.
    #[serde(default)]
    pub approval_rules: Vec<EnvironmentApprovalRule>,
    /// Approvals a deployment needs in total: `required_approval_count`, or the sum over the
    /// approval rules.
    #[serde(default)]
    pub required_approvals: u32,
}

/// One approval rule of a protected environment.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct EnvironmentApprovalRule {
    /// Who approves.
    #[serde(flatten)]
    pub approver: AccessLevel,
    /// How many of them must approve.
    #[serde(default)]
    pub required_approvals: u32,
}

/// A member from `GET /projects/:id/members/all`.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Member {
    /// Username.
    pub username: String,
    /// Access level (`40` Maintainer, `50` Owner).
    pub access_level: u32,
    /// `active`, `blocked`, …
    #[serde(default)]
    pub state: String,
    /// When the membership expires, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Whether the account is a bot (project or group access token).
    #[serde(default)]
    pub bot: bool,
}

/// A CI/CD variable: its name and flags. The value is never read into facts.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Variable {
    /// The variable's name.
    pub key: String,
    /// `env_var` or `file`.
    #[serde(default)]
    pub variable_type: String,
    /// Masked in job logs.
    #[serde(default)]
    pub masked: bool,
    /// Hidden (masked and never shown again in the UI; GitLab 17.4 and later).
    #[serde(default)]
    pub hidden: bool,
    /// Only passed to pipelines on protected branches and tags.
    #[serde(default)]
    pub protected: bool,
    /// `*` or an environment name or wildcard.
    #[serde(default)]
    pub environment_scope: String,
    /// `project`, or `group:PATH` for an inherited group variable.
    #[serde(default)]
    pub source: String,
}

/// A deploy key from `GET /projects/:id/deploy_keys`.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct DeployKey {
    /// Id.
    pub id: u64,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Whether it may push.
    #[serde(default)]
    pub can_push: bool,
    /// Expiry, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// A webhook from `GET /projects/:id/hooks`. The URL keeps its scheme, host and path only:
/// credentials and query strings (where tokens often live) are dropped.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Webhook {
    /// Id.
    pub id: u64,
    /// The URL without credentials or query.
    pub url: String,
    /// Whether the URL is `https`.
    pub https: bool,
    /// `enable_ssl_verification`.
    pub enable_ssl_verification: bool,
}

/// `GET /projects/:id/job_token_scope`.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct JobTokenScope {
    /// Only projects on the allowlist may use their job tokens against this project.
    pub inbound_enabled: bool,
    /// (Deprecated) this project's job token is limited to its allowlist.
    #[serde(default)]
    pub outbound_enabled: bool,
}

/// A group above the project.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupFacts {
    /// `top/sub`.
    pub full_path: String,
    /// `GET /groups/:id`.
    pub settings: Evidence<GroupSettings>,
}

/// Group settings from `GET /groups/:id`.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct GroupSettings {
    /// `require_two_factor_authentication`.
    #[serde(default)]
    pub require_two_factor_authentication: bool,
    /// `two_factor_grace_period`, in hours.
    #[serde(default)]
    pub two_factor_grace_period: u32,
    /// `prevent_forking_outside_group` (Premium).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevent_forking_outside_group: Option<bool>,
}

/// Whether a GitLab protected-branch name (`release/*`, `*-stable`) matches `branch`. `*`
/// matches any run of characters, including `/`; everything else is literal.
pub fn branch_matches(pattern: &str, branch: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == branch;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().unwrap_or((&"", &[]));
    let Some(mut tail) = branch.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return true;
    };
    for part in middle {
        match tail.find(part) {
            Some(i) => tail = &tail[i + part.len()..],
            None => return false,
        }
    }
    tail.len() >= last.len() && tail.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_gitlab() {
        assert!(branch_matches("main", "main"));
        assert!(!branch_matches("main", "maint"));
        assert!(branch_matches("release/*", "release/1.0"));
        assert!(branch_matches("release/*", "release/a/b"));
        assert!(!branch_matches("release/*", "releases/1.0"));
        assert!(branch_matches("*-stable", "16-0-stable"));
        assert!(!branch_matches("*-stable", "stable"));
        assert!(branch_matches("*", "anything"));
        assert!(branch_matches("a*b*c", "a-x-b-y-c"));
        assert!(!branch_matches("a*b*c", "a-x-c"));
        assert!(!branch_matches("ab*ba", "aba"));
    }
}
