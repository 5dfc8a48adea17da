//! `soc2.toml`: the declared policy, the targets, the rule selection and the exceptions.
//!
//! The file is read from `-c FILE`, else `./soc2.toml` when present. Loading validates
//! everything against the schema (unknown keys, wrong types, bad dates) and reports problems at
//! their line and column with a "did you mean" suggestion. Policy values are resolved in layers:
//! the built-in defaults, then the chosen [`Profile`], then the keys the file sets.

mod init;
mod policy;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

pub use init::starter_file;
pub use policy::{
    Access, ChangeManagement, Deployment, Operations, Policy, Profile, Scanning, SupplyChain,
    ToolList,
};

use crate::rules::Severity;

/// The default file name, looked up in the current directory.
pub const DEFAULT_FILE: &str = "soc2.toml";

/// The whole `soc2.toml`.
#[derive(Debug, Clone, Deserialize, Serialize, Default, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(
    title = "soc2.toml",
    description = "Configuration of the soc2 SOC 2 compliance auditor"
)]
pub struct Config {
    /// `baseline` (default) or `strict`: a coherent set of policy defaults; keys set in this
    /// file override it.
    pub profile: Profile,
    /// What to audit when no target is given on the command line.
    pub targets: Targets,
    /// Which rules run, extra rule directories and severity overrides.
    pub rules: RuleSelection,
    /// Reviews and approvals of changes (CC8). Exposed to rules as `policy.change_management`.
    pub change_management: ChangeManagement,
    /// Third-party code (CC9). Exposed to rules as `policy.supply_chain`.
    pub supply_chain: SupplyChain,
    /// Security scanning (CC7). Exposed to rules as `policy.scanning`.
    pub scanning: Scanning,
    /// Deployments and releases (CC8). Exposed to rules as `policy.deployment`.
    pub deployment: Deployment,
    /// Access in pipelines (CC6). Exposed to rules as `policy.access`.
    pub access: Access,
    /// Operations and evidence retention (CC7). Exposed to rules as `policy.operations`.
    pub operations: Operations,
    /// Documented exceptions: failing evaluations they cover become `excepted`.
    pub exceptions: Vec<Exception>,
}

/// Targets to audit.
#[derive(Debug, Clone, Deserialize, Serialize, Default, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Targets {
    /// Local repository checkouts, relative to this file.
    pub paths: Vec<String>,
    /// GitHub repositories (`owner/repo`) read through the API.
    pub github: Vec<String>,
    /// GitHub organizations: every non-archived repository is read.
    pub github_orgs: Vec<String>,
    /// GitHub API URL, for GitHub Enterprise Server (`https://ghe.example/api/v3`).
    pub github_url: Option<String>,
    /// Globs over organization repository names or group project paths to read (empty: all).
    pub include: Vec<String>,
    /// Globs over organization repository names or group project paths to skip.
    pub exclude: Vec<String>,
    /// API requests in flight at most, per platform (default 8).
    pub concurrency: Option<u16>,
    /// Longest total wait for GitHub or GitLab rate limits, in seconds (default 60).
    pub max_wait: Option<u64>,
    /// Directory of the HTTP cache, relative to this file.
    pub cache_dir: Option<String>,
    /// GitLab projects (`group/project`) read through the API.
    pub gitlab: Vec<String>,
    /// GitLab groups: every non-archived project of the group and its subgroups is read.
    pub gitlab_groups: Vec<String>,
    /// GitLab instance URL, for self-managed GitLab (default `https://gitlab.com`, or
    /// `CI_SERVER_URL` inside GitLab CI).
    pub gitlab_url: Option<String>,
}

/// Rule selection.
#[derive(Debug, Clone, Deserialize, Serialize, Default, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RuleSelection {
    /// Only run these rules: ids, names or id prefixes such as `CC6` (empty: all).
    #[schemars(with = "Vec<String>")]
    pub select: Vec<Spanned<String>>,
    /// Never run these rules: ids, names or id prefixes.
    #[schemars(with = "Vec<String>")]
    pub ignore: Vec<Spanned<String>>,
    /// Directories with more rule files, relative to this file.
    pub rules_dirs: Vec<PathBuf>,
    /// Severity overrides, by rule id or name: `"CC6-015" = "low"`.
    #[schemars(with = "BTreeMap<String, Severity>")]
    pub severity: BTreeMap<Spanned<String>, Severity>,
}

/// A documented exception to a control.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// The rule, by id or name.
    #[schemars(with = "String")]
    pub rule: Spanned<String>,
    /// Glob over target ids (`local:.`, `local:services/*`); default every target.
    #[serde(default = "any_target")]
    pub target: String,
    /// Glob over the file the finding points at (`.github/workflows/legacy-*.yml`); default any.
    #[serde(default)]
    pub path: Option<String>,
    /// Why the control does not hold here, and the compensating control.
    #[schemars(with = "String")]
    pub reason: Spanned<String>,
    /// Who approved the exception.
    #[schemars(with = "String")]
    pub approved_by: Spanned<String>,
    /// Last day the exception applies (`2027-03-31`); after it, findings fail again.
    #[schemars(with = "String", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub expires: Spanned<toml::value::Datetime>,
}

fn any_target() -> String {
    "*".to_string()
}

impl Exception {
    /// The expiry date.
    pub fn expiry(&self) -> Option<jiff::civil::Date> {
        let d = self.expires.get_ref().date?;
        jiff::civil::Date::new(
            i16::try_from(d.year).ok()?,
            i8::try_from(d.month).ok()?,
            i8::try_from(d.day).ok()?,
        )
        .ok()
    }
}

/// A loaded configuration, with its file for error reporting.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file as read.
    pub config: Config,
    /// The policy after defaults, profile and the file's own keys.
    pub policy: Policy,
    /// Where it was read from.
    pub path: PathBuf,
    /// The text, for diagnostics found later (unknown rule ids).
    pub text: Arc<str>,
}

impl Loaded {
    /// The built-in defaults, when there is no file.
    pub fn defaults() -> Self {
        Self {
            config: Config::default(),
            policy: Policy::default(),
            path: PathBuf::from(DEFAULT_FILE),
            text: Arc::from(""),
        }
    }

    /// The directory relative paths in the file are resolved against.
    pub fn base_dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// An error pointing at a byte range of the file.
    pub fn error(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> ConfigError {
        ConfigError::new(
            &self.path.display().to_string(),
            &self.text,
            Some(span),
            message.into(),
            help,
        )
    }
}

/// A problem with soc2.toml, shown with the offending line.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{path}: {message}")]
#[diagnostic(code(soc2::config))]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
    #[source_code]
    src: Arc<NamedSource<String>>,
    #[label("here")]
    span: Option<SourceSpan>,
    /// How to fix it.
    #[help]
    pub help: Option<String>,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
}

impl ConfigError {
    fn new(
        path: &str,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        message: String,
        help: Option<String>,
    ) -> Self {
        let (line, column) = span.as_ref().map_or((0, 0), |r| {
            let before = &text[..r.start.min(text.len())];
            (
                before.matches('\n').count() + 1,
                before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            )
        });
        Self {
            path: path.to_string(),
            message,
            src: Arc::new(NamedSource::new(path, text.to_string()).with_language("TOML")),
            span: span.map(|r| SourceSpan::from((r.start, r.end.saturating_sub(r.start).max(1)))),
            help,
            line,
            column,
        }
    }
}

/// Finds the configuration: `explicit` if given (it must exist), else `./soc2.toml` when
/// present, else the defaults.
pub fn discover(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    match explicit {
        Some(path) => load(path),
        None if Path::new(DEFAULT_FILE).is_file() => load(Path::new(DEFAULT_FILE)),
        None => Ok(Loaded::defaults()),
    }
}

/// Reads and validates a configuration file.
pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::new(
            &shown,
            "",
            None,
            format!("cannot read the configuration: {e}"),
            Some("create one with `soc2 init`".into()),
        )
    })?;
    parse(path, &text)
}

/// Validates a configuration held in memory.
pub fn parse(path: &Path, text: &str) -> Result<Loaded, ConfigError> {
    let shown = path.display().to_string();
    let config: Config = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().to_string();
        let help = suggestion(&message);
        ConfigError::new(&shown, text, e.span(), message, help)
    })?;
    let loaded = Loaded {
        policy: resolve_policy(&shown, text, config.profile)?,
        config,
        path: path.to_path_buf(),
        text: Arc::from(text),
    };
    validate(&loaded)?;
    Ok(loaded)
}

/// Defaults, then the profile, then the file's own keys.
fn resolve_policy(shown: &str, text: &str, profile: Profile) -> Result<Policy, ConfigError> {
    let internal = |e: String| ConfigError::new(shown, text, None, e, None);
    let mut base =
        toml::Table::try_from(Policy::for_profile(profile)).map_err(|e| internal(e.to_string()))?;
    let user: toml::Table = toml::from_str(text).map_err(|e| internal(e.to_string()))?;
    for (area, value) in user {
        if let Some(base_area) = base.get_mut(&area) {
            merge(base_area, value);
        }
    }
    toml::Value::Table(base)
        .try_into()
        .map_err(|e: toml::de::Error| internal(e.message().to_string()))
}

/// Tables merge key by key; anything else replaces.
fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// "did you mean" for serde's "unknown field `x`, expected one of `a`, `b`" and
/// "unknown variant" messages.
fn suggestion(message: &str) -> Option<String> {
    if !message.starts_with("unknown field") && !message.starts_with("unknown variant") {
        return None;
    }
    let unknown = message.split('`').nth(1)?;
    let expected: Vec<&str> = message
        .split_once("expected")?
        .1
        .split('`')
        .skip(1)
        .step_by(2)
        .collect();
    let best = expected
        .iter()
        .map(|c| (strsim::damerau_levenshtein(unknown, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((_, c)) => Some(format!("did you mean `{c}`?")),
        None if !expected.is_empty() => Some(format!("expected one of: {}", expected.join(", "))),
        None => None,
    }
}

fn validate(loaded: &Loaded) -> Result<(), ConfigError> {
    let c = &loaded.config;
    for ex in &c.exceptions {
        for (field, value) in [("reason", &ex.reason), ("approved_by", &ex.approved_by)] {
            if value.get_ref().trim().is_empty() {
                return Err(loaded.error(
                    value.span(),
                    format!("an exception needs a non-empty `{field}`"),
                    Some("auditors read the reason and the approver of every exception".into()),
                ));
            }
        }
        if ex.expiry().is_none() || ex.expires.get_ref().time.is_some() {
            return Err(loaded.error(
                ex.expires.span(),
                "`expires` must be a valid date such as 2027-03-31",
                None,
            ));
        }
        for glob in std::iter::once(&ex.target).chain(ex.path.as_ref()) {
            if let Err(e) = globset::Glob::new(glob) {
                return Err(loaded.error(
                    ex.rule.span(),
                    format!("invalid glob `{glob}`: {e}"),
                    None,
                ));
            }
        }
    }
    let patterns = [
        &loaded.policy.scanning.sast.commands,
        &loaded.policy.scanning.sca.commands,
        &loaded.policy.scanning.scanners.commands,
        &loaded.policy.deployment.deploy_commands,
        &loaded.policy.deployment.production_environments,
        &loaded.policy.deployment.signing.commands,
        &loaded.policy.deployment.sbom.commands,
        &loaded.policy.deployment.artifact_builds.commands,
    ];
    for p in patterns.into_iter().flatten() {
        if let Err(e) = regex::Regex::new(p) {
            let message = format!("invalid regular expression: {e}");
            // A pattern written with escapes (`"\u0028"`) is not found as such in the text: the
            // error then names no position rather than a wrong one.
            return Err(match loaded.text.find(p.as_str()) {
                Some(start) => loaded.error(start..start + p.len(), message, None),
                None => ConfigError::new(
                    &loaded.path.display().to_string(),
                    &loaded.text,
                    None,
                    message,
                    None,
                ),
            });
        }
    }
    Ok(())
}

/// The JSON Schema of soc2.toml, for editors.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Config);
    let mut out = serde_json::to_string_pretty(&schema).unwrap_or_default();
    out.push('\n');
    out
}
