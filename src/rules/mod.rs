//! Rules: the declarative checks, their model, and loading them from YAML files.
//!
//! A rule is one YAML file (`rules/<area>/<ID>-<slug>.yml`): identity, SOC 2 criteria, severity,
//! the scope it iterates, CEL conditions (`when`, `unknown_if`, `assert`), where a finding points (`at`), a
//! message template and its documentation. Built-in rules are embedded in the binary; more can
//! be loaded from directories at run time. Loading validates everything and compiles every
//! expression once.

pub mod catalog;
mod embedded;
mod load;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::expr::{Expr, Template};

pub use load::{LoadError, load_dir, load_embedded, load_file};

/// How serious a failing control is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// GitHub code scanning's numeric `security-severity`.
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Info => "0.1",
            Severity::Low => "3.0",
            Severity::Medium => "5.5",
            Severity::High => "8.0",
            Severity::Critical => "9.5",
        }
    }

    /// SARIF `level`.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Info | Severity::Low => "note",
            Severity::Medium => "warning",
            Severity::High | Severity::Critical => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!("unknown severity `{s}` (expected info, low, medium, high or critical)")
            })
    }
}

/// What a rule iterates, and so which variables its conditions see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// Once per repository: `repo`, `policy`.
    #[serde(rename = "repo")]
    Repo,
    /// Each workflow and local action: `workflow`, `repo`, `policy`.
    #[serde(rename = "gha.workflow")]
    GhaWorkflow,
    /// Each job: `job`, `workflow`, `repo`, `policy`.
    #[serde(rename = "gha.job")]
    GhaJob,
    /// Each step: `step`, `job`, `workflow`, `repo`, `policy`.
    #[serde(rename = "gha.step")]
    GhaStep,
    /// Each literal under `env:`, `with:` or `credentials:`: `env`, `step`, `job`,
    /// `workflow`, `repo`, `policy` (`step` and `job` are null where not inside one).
    #[serde(rename = "gha.env")]
    GhaEnv,
    /// Each container image: `image`, `step`, `job`, `workflow`, `repo`, `policy`.
    #[serde(rename = "gha.image")]
    GhaImage,
    /// Each `${{ }}` inside a step: `expr`, `step`, `job`, `workflow`, `repo`, `policy`.
    #[serde(rename = "gha.expression")]
    GhaExpression,
    /// Each `uses:` of remote code (actions in steps, reusable-workflow calls): `uses`, `step`
    /// (null for workflow calls), `job`, `workflow`, `repo`, `policy`.
    #[serde(rename = "gha.uses")]
    GhaUses,
    /// Each resolved GitLab CI pipeline (root or child): `pipeline`, `repo`, `policy`.
    #[serde(rename = "gitlab.pipeline")]
    GitlabPipeline,
    /// Each visible GitLab CI job, resolved: `job`, `pipeline`, `repo`, `policy`.
    #[serde(rename = "gitlab.job")]
    GitlabJob,
    /// Each literal GitLab CI variable value or credential in a script, once per place it is
    /// written: `env` (the same shape as `gha.env`'s), `job` (the first job it reaches, null
    /// for a global variable no job inherits), `pipeline`, `repo`, `policy`.
    #[serde(rename = "gitlab.variable")]
    GitlabVariable,
    /// Each GitLab CI job image and service, once per place it is written: `image` (the same
    /// shape as `gha.image`'s), `job`, `pipeline`, `repo`, `policy`.
    #[serde(rename = "gitlab.image")]
    GitlabImage,
    /// Each `before_script`/`script`/`after_script` line, once per place it is written:
    /// `script`, `job`, `pipeline`, `repo`, `policy`.
    #[serde(rename = "gitlab.script")]
    GitlabScript,
    /// Each `include:` (of files and of `trigger:`): `include`, `pipeline`, `repo`, `policy`.
    #[serde(rename = "gitlab.include")]
    GitlabInclude,
}

impl Scope {
    /// All scopes.
    pub const ALL: [Scope; 14] = [
        Scope::Repo,
        Scope::GhaWorkflow,
        Scope::GhaJob,
        Scope::GhaStep,
        Scope::GhaEnv,
        Scope::GhaImage,
        Scope::GhaExpression,
        Scope::GhaUses,
        Scope::GitlabPipeline,
        Scope::GitlabJob,
        Scope::GitlabVariable,
        Scope::GitlabImage,
        Scope::GitlabScript,
        Scope::GitlabInclude,
    ];

    /// The name used in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Repo => "repo",
            Scope::GhaWorkflow => "gha.workflow",
            Scope::GhaJob => "gha.job",
            Scope::GhaStep => "gha.step",
            Scope::GhaEnv => "gha.env",
            Scope::GhaImage => "gha.image",
            Scope::GhaExpression => "gha.expression",
            Scope::GhaUses => "gha.uses",
            Scope::GitlabPipeline => "gitlab.pipeline",
            Scope::GitlabJob => "gitlab.job",
            Scope::GitlabVariable => "gitlab.variable",
            Scope::GitlabImage => "gitlab.image",
            Scope::GitlabScript => "gitlab.script",
            Scope::GitlabInclude => "gitlab.include",
        }
    }

    /// The variables bound for conditions of this scope. Every pipeline scope also binds
    /// `platform`: `github-actions` or `gitlab-ci`.
    pub fn variables(self) -> &'static [&'static str] {
        const GHA: &str = "platform";
        match self {
            Scope::Repo => &["repo", "policy"],
            Scope::GhaWorkflow => &["workflow", "repo", "policy", GHA],
            Scope::GhaJob => &["job", "workflow", "repo", "policy", GHA],
            Scope::GhaStep => &["step", "job", "workflow", "repo", "policy", GHA],
            Scope::GhaEnv => &["env", "step", "job", "workflow", "repo", "policy", GHA],
            Scope::GhaImage => &["image", "step", "job", "workflow", "repo", "policy", GHA],
            Scope::GhaExpression => &["expr", "step", "job", "workflow", "repo", "policy", GHA],
            Scope::GhaUses => &["uses", "step", "job", "workflow", "repo", "policy", GHA],
            Scope::GitlabPipeline => &["pipeline", "repo", "policy", GHA],
            Scope::GitlabJob => &["job", "pipeline", "repo", "policy", GHA],
            Scope::GitlabVariable => &["env", "job", "pipeline", "repo", "policy", GHA],
            Scope::GitlabImage => &["image", "job", "pipeline", "repo", "policy", GHA],
            Scope::GitlabScript => &["script", "job", "pipeline", "repo", "policy", GHA],
            Scope::GitlabInclude => &["include", "pipeline", "repo", "policy", GHA],
        }
    }

    /// Whether subjects of this scope live in pipeline files (so a file that could not be
    /// parsed leaves this rule without evidence).
    pub fn is_file_scope(self) -> bool {
        self != Scope::Repo
    }

    /// Whether subjects of this scope come from GitHub Actions files.
    pub fn is_github_actions(self) -> bool {
        self.as_str().starts_with("gha.")
    }

    /// Whether subjects of this scope come from GitLab CI files.
    pub fn is_gitlab_ci(self) -> bool {
        self.as_str().starts_with("gitlab.")
    }

    /// The variables bound by any of `scopes`, in a stable order. A rule with several scopes
    /// may use all of them; on each subject, those its scope does not bind are `null`, so a
    /// condition tells the platforms apart with `platform`.
    pub fn variables_of(scopes: &[Scope]) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for s in scopes {
            for v in s.variables() {
                if !out.contains(v) {
                    out.push(v);
                }
            }
        }
        out
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Scope::ALL.iter().map(|s| s.as_str()).collect();
                format!("unknown scope `{s}` (expected one of {})", names.join(", "))
            })
    }
}

/// A loaded, compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable id (`CC9-001`).
    pub id: String,
    /// Kebab-case name, accepted wherever an id is.
    pub name: String,
    /// One-line title.
    pub title: String,
    /// SOC 2 criteria (`CC9.2`), the first one primary.
    pub criteria: Vec<String>,
    /// Default severity.
    pub severity: Severity,
    /// What the rule iterates: one scope, or one per platform for a rule that covers both
    /// GitHub Actions and GitLab CI.
    pub scopes: Vec<Scope>,
    /// Named values (`let:`) computed once per subject from the scope's variables and bound
    /// beside them, so a long sub-expression is written once.
    pub lets: Vec<(String, Expr)>,
    /// Applicability condition; false means not applicable.
    pub when: Option<Expr>,
    /// When the evidence cannot be judged (checked after `when`, before `assert`).
    pub unknown_if: Option<UnknownIf>,
    /// The control; true means pass.
    pub assert: Expr,
    /// Field paths a finding points at, first present wins.
    pub at: Vec<String>,
    /// Message template for a failure.
    pub message: Template,
    /// What the declared policy requires, as a template (reported with failures).
    pub expected: Option<Template>,
    /// What the configuration actually is, as a template (reported with failures).
    pub actual: Option<Template>,
    /// What the configuration actually is when the control holds, as a template (reported
    /// with passes, as their `actual`), for rules that pass on alternative evidence worth
    /// naming (an archive step instead of a long retention).
    pub pass_actual: Option<Template>,
    /// Why the control matters.
    pub rationale: String,
    /// How to fix a failure.
    pub remediation: String,
    /// Further reading.
    pub references: Vec<String>,
    /// Where the rule was loaded from (`rules/cc9/CC9-001-....yml` or a path).
    pub source: String,
    /// SHA-256 of the rule file, for evidence of which rule set ran.
    pub digest: String,
    /// The rule file as written, for `rules explain`.
    pub text: String,
}

impl Rule {
    /// The scope names as written in rule files, joined with `, `.
    pub fn scope_names(&self) -> String {
        let names: Vec<&str> = self.scopes.iter().map(|s| s.as_str()).collect();
        names.join(", ")
    }

    /// Whether the rule iterates repositories (`scope: repo`).
    pub fn is_repo_scope(&self) -> bool {
        self.scopes == [Scope::Repo]
    }
}

/// A rule's `unknown_if` condition and the reason reported when it holds.
#[derive(Debug)]
pub struct UnknownIf {
    /// True means the subject cannot be judged: the outcome is `unknown`.
    pub condition: Expr,
    /// The reason, as a template (`unknown_reason:`).
    pub reason: Template,
}

impl Rule {
    /// Whether `key` names this rule (by id or name, case-insensitively).
    pub fn is_named(&self, key: &str) -> bool {
        self.id.eq_ignore_ascii_case(key) || self.name.eq_ignore_ascii_case(key)
    }

    /// Whether a selection key names this rule: its id, its name, or an id prefix that ends at
    /// a `-` boundary (`CC6` and `CC6-` select CC6-010, `CC6-01` does not).
    pub fn matches_key(&self, key: &str) -> bool {
        let key = key.to_ascii_uppercase();
        let prefix = key.trim_end_matches('-');
        let id = self.id.to_ascii_uppercase();
        self.is_named(&key)
            || (!prefix.is_empty() && id.starts_with(prefix) && id[prefix.len()..].starts_with('-'))
    }

    /// The primary criterion.
    pub fn primary_criterion(&self) -> &str {
        self.criteria.first().map_or("", String::as_str)
    }
}

/// A set of loaded rules, sorted by id.
#[derive(Debug, Default)]
pub struct RuleSet {
    /// The rules.
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// Finds a rule by id or name.
    pub fn find(&self, key: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.is_named(key))
    }

    /// Keeps the rules matching `select` (all when empty) and not matching `ignore`. An entry
    /// matches a rule by id, name, or id prefix (`CC6` selects every CC6 rule).
    pub fn filter(&mut self, select: &[String], ignore: &[String]) {
        let matches = |r: &Rule, key: &str| r.matches_key(key);
        self.rules.retain(|r| {
            (select.is_empty() || select.iter().any(|k| matches(r, k)))
                && !ignore.iter().any(|k| matches(r, k))
        });
    }

    /// The keys in `keys` that name no rule and prefix no id.
    pub fn unknown_keys<'k>(&self, keys: &'k [String]) -> Vec<&'k str> {
        keys.iter()
            .filter(|k| !self.rules.iter().any(|r| r.matches_key(k)))
            .map(String::as_str)
            .collect()
    }

    /// SHA-256 over the digests of every rule, in id order.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for r in &self.rules {
            h.update(r.id.as_bytes());
            h.update(r.digest.as_bytes());
        }
        hex(&h.finalize())
    }
}

/// Lower-case hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
