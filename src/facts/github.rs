//! GitHub settings facts: repository, branch protection (classic and rulesets, merged into
//! the effective protection), environments, Actions policy, access and organization settings,
//! as read from GitHub's REST API.
//!
//! Every setting that comes from one endpoint is an [`Evidence`]: `known` with the value and
//! the API URL it was read from, `unknown` with the reason and the permission that would make
//! it readable, or `not_applicable` (for instance a fork-approval policy on a private
//! repository). Rules map `unknown` evidence to the `unknown` outcome, so a setting that could
//! not be read is never taken as compliant nor as failing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Evidence for one setting.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Evidence<T> {
    /// The setting was read.
    Known {
        /// The API URL it was read from.
        url: String,
        /// The value.
        value: T,
    },
    /// The setting could not be read.
    Unknown {
        /// The API URL that was asked.
        url: String,
        /// Why it could not be read.
        reason: String,
        /// The permission that would make it readable (`Administration: read`), when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        permission: Option<String>,
    },
    /// The setting does not exist for this repository (plan, visibility).
    NotApplicable {
        /// The API URL, when one was asked.
        #[serde(default)]
        url: String,
        /// Why it does not apply.
        reason: String,
    },
}

impl<T> Evidence<T> {
    /// The value, when known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Evidence::Known { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The reason it is not known, when it is not.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Evidence::Known { .. } => None,
            Evidence::Unknown { reason, .. } | Evidence::NotApplicable { reason, .. } => {
                Some(reason)
            }
        }
    }

    /// Maps a known value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Evidence<U> {
        match self {
            Evidence::Known { url, value } => Evidence::Known {
                url,
                value: f(value),
            },
            Evidence::Unknown {
                url,
                reason,
                permission,
            } => Evidence::Unknown {
                url,
                reason,
                permission,
            },
            Evidence::NotApplicable { url, reason } => Evidence::NotApplicable { url, reason },
        }
    }
}

impl<T> Default for Evidence<T> {
    fn default() -> Self {
        Evidence::NotApplicable {
            url: String::new(),
            reason: "not read".into(),
        }
    }
}

/// Everything read about one repository from GitHub's API.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GithubFacts {
    /// The API base URL (`https://api.github.com` or a GitHub Enterprise Server URL).
    pub api_url: String,
    /// `owner/repo`.
    pub full_name: String,
    /// The owner's login.
    pub owner: String,
    /// Whether a token was used.
    pub authenticated: bool,
    /// `GET /repos/{o}/{r}`.
    pub repository: Evidence<RepoSettings>,
    /// `security_and_analysis` of `GET /repos/{o}/{r}` (visible to admins only), as feature →
    /// status (`secret_scanning` → `enabled`).
    pub security_and_analysis: Evidence<BTreeMap<String, String>>,
    /// The effective protection of the default branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_branch: Option<BranchProtection>,
    /// The effective protection of every branch the policy names
    /// (`change_management.protected_branches`) besides the default branch.
    #[serde(default)]
    pub branches: Vec<BranchProtection>,
    /// `GET /repos/{o}/{r}/environments`, with deployment branch policies.
    pub environments: Evidence<Vec<Environment>>,
    /// `GET /repos/{o}/{r}/actions/permissions`.
    pub actions: Evidence<ActionsPermissions>,
    /// `GET /repos/{o}/{r}/actions/permissions/workflow`.
    pub workflow_permissions: Evidence<WorkflowPermissions>,
    /// `GET /repos/{o}/{r}/actions/permissions/artifact-and-log-retention`: days.
    pub retention_days: Evidence<u32>,
    /// `GET /repos/{o}/{r}/actions/permissions/fork-pr-contributor-approval`: `approval_policy`.
    pub fork_pr_approval: Evidence<String>,
    /// `GET /repos/{o}/{r}/collaborators`.
    pub collaborators: Evidence<Collaborators>,
    /// `GET /repos/{o}/{r}/keys`.
    pub deploy_keys: Evidence<Vec<DeployKey>>,
    /// `GET /repos/{o}/{r}/hooks`.
    pub webhooks: Evidence<Vec<Webhook>>,
    /// `GET /repos/{o}/{r}/vulnerability-alerts`: whether Dependabot alerts are enabled.
    pub dependabot_alerts: Evidence<bool>,
    /// `GET /repos/{o}/{r}/private-vulnerability-reporting`: `enabled`.
    pub private_vulnerability_reporting: Evidence<bool>,
    /// `GET /repos/{o}/{r}/codeowners/errors`.
    pub codeowners_errors: Evidence<Vec<CodeownersError>>,
    /// The organization's settings, when the owner is an organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgFacts>,
    /// Where settings findings point: key (`github.protection`) → file anchor and the logical
    /// name of the resource (`github://acme/api/branches/main/protection`).
    #[serde(default)]
    pub anchors: BTreeMap<String, Anchor>,
}

/// Where a settings finding points in SARIF and the table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Anchor {
    /// A file of the repository (`.github/CODEOWNERS`), else `soc2.toml`.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    #[serde(default = "one")]
    pub column: u32,
    /// The resource (`github://acme/api/branches/main/protection`).
    pub logical: String,
}

fn one() -> u32 {
    1
}

/// Repository settings from `GET /repos/{o}/{r}`.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct RepoSettings {
    /// `public`, `private` or `internal`.
    pub visibility: String,
    /// `private`.
    pub private: bool,
    /// `default_branch`.
    pub default_branch: String,
    /// `archived`.
    pub archived: bool,
    /// `fork`.
    pub fork: bool,
    /// `allow_merge_commit`.
    pub allow_merge_commit: bool,
    /// `allow_squash_merge`.
    pub allow_squash_merge: bool,
    /// `allow_rebase_merge`.
    pub allow_rebase_merge: bool,
    /// `allow_auto_merge`.
    pub allow_auto_merge: bool,
    /// `delete_branch_on_merge`.
    pub delete_branch_on_merge: bool,
    /// `allow_forking`.
    pub allow_forking: bool,
    /// `web_commit_signoff_required`.
    pub web_commit_signoff_required: bool,
}

/// The effective protection of one branch: classic protection merged with the rules of
/// active rulesets. A control holds when any enforcing source requires it; when a source could
/// not be read (`complete` false), a control that no readable source requires is unknown, not
/// absent.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct BranchProtection {
    /// The branch.
    pub branch: String,
    /// Whether it is the default branch.
    pub is_default: bool,
    /// Whether every source could be read (classic protection and the branch's rules).
    pub complete: bool,
    /// Why not, when not.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub incomplete_reason: String,
    /// Classic protection as read (`GET …/branches/{b}/protection`); `known` with
    /// `protected: false` for 404 "Branch not protected".
    pub classic: Evidence<ClassicProtection>,
    /// Rules of active rulesets on the branch (`GET …/rules/branches/{b}`).
    pub rules: Evidence<Vec<BranchRule>>,
    /// Rulesets that apply but do not enforce (`trial (43): evaluate`, `... : disabled`).
    #[serde(default)]
    pub not_enforced_rulesets: Vec<String>,
    /// Any enforcing source protects the branch.
    pub protected: bool,
    /// Changes need a pull request.
    pub requires_pull_request: bool,
    /// Required approving reviews (the highest of the sources).
    pub required_approvals: u32,
    /// Stale approvals are dismissed on push.
    pub dismiss_stale_reviews: bool,
    /// Who may dismiss reviews is restricted (classic `dismissal_restrictions`).
    pub dismissal_restricted: bool,
    /// Code-owner review required.
    pub require_code_owner_review: bool,
    /// The last pusher cannot approve.
    pub require_last_push_approval: bool,
    /// Required status checks (contexts).
    pub required_checks: Vec<String>,
    /// Branch must be up to date before merging.
    pub strict_status_checks: bool,
    /// Classic `enforce_admins.enabled` (true when only rulesets protect the branch and none
    /// has bypass actors).
    pub enforce_admins: bool,
    /// Bypass actors of the enforcing rulesets (`Team 234 (always)`).
    pub bypass_actors: Vec<String>,
    /// Whether the bypass actors of every enforcing ruleset could be read (they are shown only
    /// to callers with write access to the ruleset).
    pub bypass_actors_known: bool,
    /// Force pushes are blocked.
    pub force_push_blocked: bool,
    /// Deletion is blocked.
    pub deletion_blocked: bool,
    /// Signed commits are required.
    pub signatures_required: bool,
    /// Linear history is required.
    pub linear_history: bool,
    /// Where each control comes from (`classic`, `ruleset 42 "main"`).
    pub sources: Vec<String>,
}

/// Classic branch protection.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct ClassicProtection {
    /// False for 404 "Branch not protected".
    pub protected: bool,
    /// `required_pull_request_reviews` present.
    pub requires_pull_request: bool,
    /// `required_approving_review_count`.
    pub required_approvals: u32,
    /// `dismiss_stale_reviews`.
    pub dismiss_stale_reviews: bool,
    /// `dismissal_restrictions` present.
    pub dismissal_restricted: bool,
    /// `require_code_owner_reviews`.
    pub require_code_owner_review: bool,
    /// `require_last_push_approval`.
    pub require_last_push_approval: bool,
    /// `required_status_checks` present.
    pub status_checks: bool,
    /// `required_status_checks.contexts` and `checks[].context`.
    pub required_checks: Vec<String>,
    /// `required_status_checks.strict`.
    pub strict_status_checks: bool,
    /// `enforce_admins.enabled`.
    pub enforce_admins: bool,
    /// `allow_force_pushes.enabled`.
    pub allow_force_pushes: bool,
    /// `allow_deletions.enabled`.
    pub allow_deletions: bool,
    /// `required_signatures.enabled`.
    pub required_signatures: bool,
    /// `required_linear_history.enabled`.
    pub required_linear_history: bool,
}

/// One rule of an active ruleset on a branch.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct BranchRule {
    /// `pull_request`, `required_status_checks`, `non_fast_forward`, `deletion`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The ruleset's id.
    pub ruleset_id: u64,
    /// `Repository` or `Organization`.
    pub ruleset_source_type: String,
    /// The ruleset's source (`acme/api`, `acme`).
    pub ruleset_source: String,
    /// The rule's parameters, as returned.
    #[serde(default)]
    pub parameters: serde_json::Value,
}

/// A deployment environment.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Environment {
    /// The name.
    pub name: String,
    /// Users and teams whose approval is required.
    pub required_reviewers: Vec<String>,
    /// `prevent_self_review` of the required-reviewers rule.
    pub prevent_self_review: bool,
    /// `can_admins_bypass`.
    pub can_admins_bypass: bool,
    /// Wait timer in minutes.
    pub wait_timer: u32,
    /// `deployment_branch_policy`: `all` (null), `protected` or `custom`.
    pub branch_policy: String,
    /// For `custom`: the branch and tag patterns.
    pub branch_patterns: Vec<String>,
    /// Names of the environment's own secrets; read only for production environments that a
    /// job reading secrets deploys to (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Evidence<Vec<String>>>,
}

/// Actions permissions of a repository or organization.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct ActionsPermissions {
    /// Whether Actions is enabled (`enabled`, or org `enabled_repositories` ≠ `none`).
    pub enabled: bool,
    /// `all`, `local_only` or `selected`.
    pub allowed_actions: String,
    /// `sha_pinning_required`.
    pub sha_pinning_required: bool,
}

/// Default `GITHUB_TOKEN` permissions.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct WorkflowPermissions {
    /// `read` or `write`.
    pub default_workflow_permissions: String,
    /// `can_approve_pull_request_reviews`.
    pub can_approve_pull_request_reviews: bool,
}

/// People with access to the repository.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Collaborators {
    /// Logins with admin permission.
    pub admins: Vec<String>,
    /// Outside collaborators (not organization members) with their role (`login (admin)`).
    pub outside: Vec<Collaborator>,
    /// Whether outside collaborators could be told apart (organization repositories with a
    /// readable outside-collaborator list).
    pub outside_known: bool,
}

/// One collaborator.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Collaborator {
    /// Login.
    pub login: String,
    /// `role_name` (`admin`, `maintain`, `write`, `triage`, `read` or a custom role).
    pub role: String,
}

/// A deploy key.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct DeployKey {
    /// `title`.
    pub title: String,
    /// `read_only`.
    pub read_only: bool,
}

/// A webhook (its secret is never stored, only whether one is set).
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Webhook {
    /// `id`.
    pub id: u64,
    /// `config.url`, without query string or credentials.
    pub url: String,
    /// `active`.
    pub active: bool,
    /// The URL uses HTTPS.
    pub https: bool,
    /// `config.insecure_ssl` is `"0"`.
    pub tls_verified: bool,
    /// `config.secret` is set.
    pub has_secret: bool,
}

/// An error GitHub found in CODEOWNERS.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct CodeownersError {
    /// `path`.
    pub path: String,
    /// `line`.
    pub line: u32,
    /// `kind`.
    pub kind: String,
    /// `message`.
    pub message: String,
}

/// Organization settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OrgFacts {
    /// The login.
    pub login: String,
    /// `GET /orgs/{org}`: the settings visible to owners.
    pub settings: Evidence<OrgSettings>,
    /// `GET /orgs/{org}/actions/permissions`.
    pub actions: Evidence<ActionsPermissions>,
}

/// Organization settings from `GET /orgs/{org}` (owner-only fields).
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct OrgSettings {
    /// `two_factor_requirement_enabled`.
    pub two_factor_requirement_enabled: bool,
    /// `default_repository_permission` (`read`, `write`, `admin`, `none`).
    pub default_repository_permission: String,
    /// `members_can_create_repositories`.
    pub members_can_create_repositories: bool,
    /// `members_can_create_public_repositories`.
    pub members_can_create_public_repositories: bool,
}
