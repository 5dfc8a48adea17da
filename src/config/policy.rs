//! Declared policy: the parameters rules compare the actual configuration against.
//!
//! Every threshold or list a user could reasonably disagree with lives here with a documented
//! default, and reaches rule conditions as `policy.<area>.<key>`. Nothing of the kind is
//! hard-coded in a rule. Profiles ([`Profile`]) set coherent groups of defaults.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A coherent set of defaults; explicit keys in soc2.toml override it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The defaults documented on each key.
    #[default]
    Baseline,
    /// Stricter: every action (including `actions/*`) pinned to a SHA and images pinned by
    /// digest; for repository-settings checks, two approvals and signed commits.
    Strict,
}

impl Profile {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Baseline => "baseline",
            Profile::Strict => "strict",
        }
    }
}

impl Policy {
    /// The defaults of a profile.
    pub fn for_profile(profile: Profile) -> Self {
        let mut p = Policy::default();
        if profile == Profile::Strict {
            p.supply_chain.trusted_owners = Vec::new();
            p.supply_chain.require_image_digest = true;
            p.supply_chain.accept_version_tags = false;
            p.change_management.required_approvals = 2;
            p.change_management.require_signed_commits = true;
        }
        p
    }
}

/// All policy parameters, grouped by area.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Reviews and approvals of changes (CC8).
    pub change_management: ChangeManagement,
    /// Third-party code: actions, images, dependencies (CC9).
    pub supply_chain: SupplyChain,
    /// Security scanning in pipelines (CC7).
    pub scanning: Scanning,
    /// Deployments and releases (CC8).
    pub deployment: Deployment,
    /// Access in pipelines (CC6).
    pub access: Access,
    /// Operations and evidence retention (CC7).
    pub operations: Operations,
}

/// Supply-chain policy.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SupplyChain {
    /// Action owners whose actions may be referenced by tag (default: `actions`, `github`).
    pub trusted_owners: Vec<String>,
    /// Whether container images must be pinned by digest; a tag-only pin fails when true.
    pub require_image_digest: bool,
    /// Hosts whose GitLab CI `remote:` includes are trusted (CC9-003); a remote include from
    /// any other host fails.
    pub trusted_include_hosts: Vec<String>,
    /// Whether a GitLab project include or CI/CD component pinned to a release version
    /// (`1.2.3`, `v1.2.3`) counts as pinned (CC9-003): true when such tags are protected on the
    /// source projects, as GitLab's CI/CD catalog requires for released components. False
    /// accepts commit SHAs only.
    pub accept_version_tags: bool,
}

impl Default for SupplyChain {
    fn default() -> Self {
        Self {
            trusted_owners: vec!["actions".into(), "github".into()],
            require_image_digest: true,
            trusted_include_hosts: Vec::new(),
            accept_version_tags: true,
        }
    }
}

/// A family of tools recognised by the action they use or the command they run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ToolList {
    /// Action prefixes (`owner/repo` or `owner/repo/path`).
    pub actions: Vec<String>,
    /// Regular expressions matched against `run:` scripts (GitHub Actions) and script lines
    /// (GitLab CI).
    pub commands: Vec<String>,
    /// GitLab CI templates and CI/CD components that run the tool, as glob patterns over the
    /// template name (`Jobs/SAST.gitlab-ci.yml`) or the component path without host and
    /// version (`components/sast/sast`).
    pub gitlab: Vec<String>,
}

fn tools(actions: &[&str], commands: &[&str]) -> ToolList {
    ToolList {
        actions: actions.iter().map(|s| (*s).to_string()).collect(),
        commands: commands.iter().map(|s| (*s).to_string()).collect(),
        gitlab: Vec::new(),
    }
}

fn with_gitlab(mut list: ToolList, patterns: &[&str]) -> ToolList {
    list.gitlab = patterns.iter().map(|s| (*s).to_string()).collect();
    list
}

/// Scanning policy: which tools count as what.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Scanning {
    /// Static analysis (CC7-001).
    pub sast: ToolList,
    /// Dependency / vulnerability scanning (CC7-003).
    pub sca: ToolList,
    /// Secret detection in CI (CC7-002).
    pub secrets: ToolList,
    /// Any security scanner whose failure must not be ignored (CC7-007).
    pub scanners: ToolList,
}

impl Default for Scanning {
    fn default() -> Self {
        let sast = with_gitlab(
            tools(
                &[
                    "github/codeql-action/analyze",
                    "returntocorp/semgrep-action",
                    "semgrep/semgrep-action",
                    "sonarsource/sonarcloud-github-action",
                    "sonarsource/sonarqube-scan-action",
                    "snyk/actions",
                    "jetbrains/qodana-action",
                    "securego/gosec",
                    "bearer/bearer-action",
                    "checkmarx/ast-github-action",
                    "zizmorcore/zizmor-action",
                ],
                &[
                    r"\bsemgrep\s+(ci|scan)\b",
                    r"\bsnyk\s+code\s+test\b",
                    r"\bcodeql\s+database\s+analyze\b",
                    r"\bgosec\b",
                    r"\bbandit\s+-",
                    r"\bbrakeman\b",
                    r"\bsonar-scanner\b",
                    r"\bzizmor\b",
                ],
            ),
            &[
                "Jobs/SAST.gitlab-ci.yml",
                "Jobs/SAST.latest.gitlab-ci.yml",
                "Security/SAST.gitlab-ci.yml",
                "Security/SAST.latest.gitlab-ci.yml",
                "Jobs/SAST-IaC.gitlab-ci.yml",
                "Security/SAST-IaC.gitlab-ci.yml",
                "components/sast/*",
            ],
        );
        let sca = with_gitlab(
            tools(
                &[
                    "actions/dependency-review-action",
                    "snyk/actions",
                    "aquasecurity/trivy-action",
                    "anchore/scan-action",
                    "google/osv-scanner-action",
                    "rustsec/audit-check",
                    "embarkstudios/cargo-deny-action",
                    "pypa/gh-action-pip-audit",
                    "golang/govulncheck-action",
                    "dependency-check/dependency-check_action",
                ],
                &[
                    r"\bosv-scanner\b",
                    r"\btrivy\s+(fs|filesystem|repo|repository|rootfs)\b",
                    r"\bgrype\b",
                    r"\bsnyk\s+test\b",
                    r"(?m)\b(npm|yarn|pnpm)\s+audit(\s+(--?[A-Za-z-]+(=\S+)?|fix))*\s*($|[;&|)])",
                    r"\bpip-audit\b",
                    r"\bcargo\s+(audit|deny)\b",
                    r"\bgovulncheck\b",
                    r"\bbundle(r)?[\s-]+audit\b",
                    r"\bsafety\s+check\b",
                    r"\bdependency-check\b",
                ],
            ),
            &[
                "Jobs/Dependency-Scanning.gitlab-ci.yml",
                "Jobs/Dependency-Scanning.latest.gitlab-ci.yml",
                "Jobs/Dependency-Scanning.v2.gitlab-ci.yml",
                "Security/Dependency-Scanning.gitlab-ci.yml",
                "Security/Dependency-Scanning.latest.gitlab-ci.yml",
                "Jobs/Container-Scanning.gitlab-ci.yml",
                "Security/Container-Scanning.gitlab-ci.yml",
                "components/dependency-scanning/*",
                "components/container-scanning/*",
            ],
        );
        let secrets = with_gitlab(
            tools(
                &[
                    "gitleaks/gitleaks-action",
                    "trufflesecurity/trufflehog",
                    "gitguardian/ggshield-action",
                    "gitguardian/ggshield/actions/secret",
                ],
                &[
                    r"\bgitleaks\s+(detect|git|dir|protect)\b",
                    r"\btrufflehog\s+(git|filesystem|github|gitlab)\b",
                    r"\bggshield\s+secret\s+scan\b",
                    r"\bdetect-secrets\s+(scan|audit)\b",
                ],
            ),
            &[
                "Jobs/Secret-Detection.gitlab-ci.yml",
                "Jobs/Secret-Detection.latest.gitlab-ci.yml",
                "Security/Secret-Detection.gitlab-ci.yml",
                "Security/Secret-Detection.latest.gitlab-ci.yml",
                "components/secret-detection/*",
            ],
        );
        let mut scanners = tools(
            &[
                "aquasecurity/trivy-action",
                "github/codeql-action",
                "gitleaks/gitleaks-action",
                "trufflesecurity/trufflehog",
            ],
            &[
                r"\btrivy\b",
                r"\bgitleaks\b",
                r"\btrufflehog\b",
                r"\bcheckov\b",
                r"\bkics\b",
                r"\btfsec\b",
            ],
        );
        for list in [&sast, &sca, &secrets] {
            scanners.actions.extend(list.actions.iter().cloned());
            scanners.commands.extend(list.commands.iter().cloned());
            scanners.gitlab.extend(list.gitlab.iter().cloned());
        }
        Self {
            sast,
            sca,
            secrets,
            scanners,
        }
    }
}

/// Deployment policy.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Deployment {
    /// Regular expressions for production environment names (production deployment checks).
    pub production_environments: Vec<String>,
    /// Regular expressions for commands that deploy (CC8-017).
    pub deploy_commands: Vec<String>,
    /// Actions that deploy (CC8-017).
    pub deploy_actions: Vec<String>,
    /// Signing and attestation tools (CC8-020).
    pub signing: ToolList,
    /// SBOM generators (CC8-021).
    pub sbom: ToolList,
    /// Steps that build or publish release artifacts (CC8-020, CC8-021).
    pub artifact_builds: ToolList,
    /// Regular expressions for GitLab CI `rules: if:` conditions that restrict a job to the
    /// default branch or to protected refs (CC8-016).
    pub protected_ref_conditions: Vec<String>,
}

impl Default for Deployment {
    fn default() -> Self {
        Self {
            production_environments: vec![r"(?i)^(prod|production|live)([-_].*)?$".into()],
            deploy_commands: [
                r"\bkubectl\s+(apply|rollout|set\s+image|replace|create)\b",
                r"\bhelm\s+(upgrade|install)\b",
                r"\bterraform\s+apply\b",
                r"\btofu\s+apply\b",
                r"\bpulumi\s+up\b",
                r"\baws\s+\S+\s+deploy\b",
                r"\baws\s+(ecs\s+update-service|lambda\s+update-function-code|s3\s+sync)\b",
                r"\bgcloud\s+.*\bdeploy\b",
                r"\baz\s+.*\bdeploy\b",
                r"\bserverless\s+deploy\b",
                r"\bsls\s+deploy\b",
                r"\bflyctl\s+deploy\b",
                r"\bfly\s+deploy\b",
                r"\bvercel\s+.*--prod\b",
                r"\bnetlify\s+deploy\b.*--prod\b",
                r"\bcdk\s+deploy\b",
                r"\bheroku\s+.*release\b",
            ]
            .map(String::from)
            .to_vec(),
            deploy_actions: [
                "azure/webapps-deploy",
                "azure/k8s-deploy",
                "google-github-actions/deploy-cloudrun",
                "google-github-actions/deploy-appengine",
                "aws-actions/amazon-ecs-deploy-task-definition",
                "aws-actions/aws-cloudformation-github-deploy",
                "superfly/flyctl-actions",
                "amondnet/vercel-action",
                "cloudflare/wrangler-action",
                "peaceiris/actions-gh-pages",
                "actions/deploy-pages",
            ]
            .map(String::from)
            .to_vec(),
            signing: tools(
                &[
                    "sigstore/cosign-installer",
                    "actions/attest-build-provenance",
                    "actions/attest",
                    "slsa-framework/slsa-github-generator",
                    "sigstore/gh-action-sigstore-python",
                    // Trusted publishing attests by default unless a password is used.
                    "pypa/gh-action-pypi-publish{!password,attestations!=false}",
                ],
                &[
                    r"\bcosign\s+(sign|attest)\b",
                    r"\bgpg\s+.*--(detach-)?sign\b",
                    r"\bnotation\s+sign\b",
                    r"\bminisign\s+-S\b",
                    r"\bnpm\s+publish\b[^\n]*--provenance\b",
                ],
            ),
            sbom: tools(
                &[
                    "anchore/sbom-action",
                    "actions/attest-sbom",
                    "cyclonedx/gh-node-module-generatebom",
                    "cyclonedx/gh-gomod-generate-sbom",
                    "advanced-security/sbom-generator-action",
                    "docker/build-push-action{sbom=true}",
                ],
                &[
                    r"\bsyft\b",
                    r"\bcyclonedx",
                    r"\btrivy\b.*--format\s+(cyclonedx|spdx)",
                    r"\bcosign\s+attest\b.*--type\s+(spdx|cyclonedx)",
                    r"\bcargo\s+(cyclonedx|sbom)\b",
                ],
            ),
            artifact_builds: tools(
                &[
                    "docker/build-push-action",
                    "goreleaser/goreleaser-action",
                    "pypa/gh-action-pypi-publish",
                    "softprops/action-gh-release",
                    "ncipollo/release-action",
                ],
                &[
                    r"\bdocker\s+(image\s+)?push\b",
                    r"\bdocker\s+buildx\s+(build|bake)\b.*--push\b",
                    r"\bgoreleaser\s+release\b",
                    r"\bnpm\s+publish\b",
                    r"\bcargo\s+publish\b",
                    r"\btwine\s+upload\b",
                    r"\bgh\s+release\s+(create|upload)\b",
                    r"\bko\s+(build|publish)\b",
                ],
            ),
            protected_ref_conditions: vec![
                r"\$\{?CI_COMMIT_(BRANCH|REF_NAME)\}?\s*==\s*\$\{?CI_DEFAULT_BRANCH\b".into(),
                r"\$\{?CI_DEFAULT_BRANCH\}?\s*==\s*\$\{?CI_COMMIT_(BRANCH|REF_NAME)\b".into(),
                r#"\$\{?CI_COMMIT_REF_PROTECTED\}?\s*==\s*["']?true"#.into(),
            ],
        }
    }
}

/// Access policy.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Access {
    /// `runs-on` labels that mean a self-hosted runner (CC6-016).
    pub self_hosted_labels: Vec<String>,
    /// Fewest repository administrators (CC6-003; repository-settings checks).
    pub min_admins: u32,
    /// Most repository administrators (CC6-003; repository-settings checks).
    pub max_admins: u32,
    /// Longest grace period, in hours, a GitLab group may give members to set up
    /// two-factor authentication (CC6-001).
    pub mfa_grace_period_hours: u32,
    /// Regular expressions over CI/CD variable names that mark a secret (CC6-011, CC8-018).
    pub secret_variable_patterns: Vec<String>,
}

impl Default for Access {
    fn default() -> Self {
        Self {
            self_hosted_labels: vec!["self-hosted".into()],
            min_admins: 1,
            max_admins: 3,
            mfa_grace_period_hours: 48,
            secret_variable_patterns: vec![
                r"(?i)(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY|_KEY$|^KEY)".into(),
            ],
        }
    }
}

/// Change-management policy.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ChangeManagement {
    /// Approvals a change to the default branch needs (CC8-003; read by repository-settings
    /// checks, which local scans do not run).
    pub required_approvals: u32,
    /// Whether commits to protected branches must be signed (CC8-013; repository-settings
    /// checks).
    pub require_signed_commits: bool,
    /// Branches whose protection is checked besides the default branch (repository-settings
    /// checks).
    pub protected_branches: Vec<String>,
}

impl Default for ChangeManagement {
    fn default() -> Self {
        Self {
            required_approvals: 1,
            require_signed_commits: false,
            protected_branches: Vec::new(),
        }
    }
}

/// Operations policy.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Operations {
    /// The audit observation window, in days, that evidence must cover (retention checks).
    pub audit_window_days: u32,
    /// Steps that archive logs, artifacts or reports to durable storage outside the CI
    /// platform (object storage, blob storage): with one, evidence outlives the platform's own
    /// retention (CC7-009).
    pub evidence_archives: ToolList,
    /// Regular expressions for commands that export workflow run logs (`gh run view --log`,
    /// `gh api .../logs`); they count in workflows triggered by `schedule` or `workflow_run`
    /// (CC7-009).
    pub log_exports: Vec<String>,
}

impl Default for Operations {
    fn default() -> Self {
        Self {
            audit_window_days: 365,
            evidence_archives: tools(
                &[
                    "jakejarvis/s3-sync-action",
                    "shallwefootball/s3-upload-action",
                    "google-github-actions/upload-cloud-storage",
                    "bacongobbler/azure-blob-storage-upload",
                ],
                &[
                    r"\baws\s+s3\s+(cp|sync|mv)\b",
                    r"\baws\s+s3api\s+put-object\b",
                    r"\bgsutil\s+(-\S+\s+)*(cp|rsync|mv)\b",
                    r"\bgcloud\s+storage\s+(cp|rsync|mv)\b",
                    r"\baz\s+storage\s+(blob\s+(upload|upload-batch|sync)|copy\s+start)\b",
                    r"\bazcopy\s+(copy|cp|sync)\b",
                    r"\brclone\s+(copy|copyto|sync|move)\b",
                ],
            ),
            log_exports: [
                r"\bgh\s+run\s+view\b.*--log\b",
                r"\bgh\s+api\s+\S*/actions/(runs|jobs)/\S*/logs\b",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(patterns: &[String], text: &str) -> bool {
        patterns.iter().any(|p| {
            regex::Regex::new(p)
                .expect("valid default pattern")
                .is_match(text)
        })
    }

    #[test]
    fn default_patterns_compile_and_match_what_they_mean() {
        let p = Policy::default();
        let sca = &p.scanning.sca.commands;
        assert!(any(sca, "npm audit --audit-level=high"));
        assert!(any(sca, "npm ci\nnpm audit\n"));
        assert!(!any(sca, "npm audit signatures"));
        let builds = &p.deployment.artifact_builds.commands;
        assert!(any(builds, "docker push ghcr.io/o/app:1"));
        assert!(any(
            builds,
            "docker buildx build --platform linux/amd64 --push ."
        ));
        assert!(!any(builds, "docker build -t app ."));
        assert!(any(
            &p.deployment.deploy_commands,
            "helm upgrade --install app ./chart"
        ));
        let archives = &p.operations.evidence_archives.commands;
        assert!(any(archives, "aws s3 sync ./reports s3://audit/ci/"));
        assert!(any(archives, "gsutil -m cp -r logs gs://audit"));
        assert!(any(
            archives,
            "az storage blob upload-batch -d audit -s reports"
        ));
        assert!(!any(archives, "aws s3 ls s3://audit"));
        let logs = &p.operations.log_exports;
        assert!(any(logs, "gh run view 123 --log > run.log"));
        assert!(any(
            logs,
            "gh api repos/acme/api/actions/runs/42/logs > logs.zip"
        ));
        assert!(!any(logs, "gh run list"));
        for list in [
            &p.scanning.sast.commands,
            &p.deployment.signing.commands,
            &p.deployment.sbom.commands,
            &p.operations.evidence_archives.commands,
        ] {
            for pattern in list {
                regex::Regex::new(pattern).expect("valid default pattern");
            }
        }
    }
}
