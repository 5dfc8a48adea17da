//! Writing an evidence bundle.
//!
//! Files, all redacted with [`super::redact`] before they are written:
//!
//! | file | content |
//! |---|---|
//! | `facts.json` | the facts dump; `soc2 check --facts` re-evaluates it |
//! | `evaluations.json` | the JSON report (every evaluation) |
//! | `results.sarif` | SARIF 2.1.0 |
//! | `report.md`, `report.html` | the auditor's report |
//! | `soc2.toml` | the configuration file in force, as read (exceptions keep their lines) |
//! | `policy.toml` | the resolved policy: defaults, then the profile, then the file |
//! | `rules.json` | the rule set: id, name, criteria, severity, source and SHA-256 of each rule file, and the rule-set digest |
//! | `run.json` | tool name and version, time, arguments, facts version, settings, summary, and each target's identity |
//! | `manifest.json` | every file above with its SHA-256 (canonical JSON) |
//! | `manifest.sig` | optional Ed25519 signature of `manifest.json` |

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use serde_json::json;

use super::identity::TargetIdentity;
use super::manifest::{MANIFEST, Manifest, SIGNATURE, list_files};
use super::{EvidenceError, redact, sign};
use crate::config::Loaded;
use crate::engine::Summary;
use crate::facts::{Facts, ToolInfo};
use crate::report::{self, ReportInput};

/// File names inside a bundle.
pub mod files {
    /// The facts dump.
    pub const FACTS: &str = "facts.json";
    /// The JSON report.
    pub const EVALUATIONS: &str = "evaluations.json";
    /// The SARIF log.
    pub const SARIF: &str = "results.sarif";
    /// The Markdown report.
    pub const MARKDOWN: &str = "report.md";
    /// The HTML report.
    pub const HTML: &str = "report.html";
    /// The configuration file in force, as read.
    pub const CONFIG: &str = "soc2.toml";
    /// The resolved policy.
    pub const POLICY: &str = "policy.toml";
    /// The rule set.
    pub const RULES: &str = "rules.json";
    /// Run metadata and target identities.
    pub const RUN: &str = "run.json";
}

/// What a bundle is made of.
pub struct BundleInput<'a> {
    /// The evaluated run, as the reporters see it.
    pub report: &'a ReportInput<'a>,
    /// The facts the run evaluated.
    pub facts: &'a Facts,
    /// The configuration in force.
    pub config: &'a Loaded,
    /// The identity of each target.
    pub targets: &'a [TargetIdentity],
    /// When the run happened.
    pub time: jiff::Timestamp,
    /// The command line, as given (redacted before it is written).
    pub arguments: Vec<String>,
    /// The key to sign the manifest with, if any.
    pub sign_key: Option<&'a SigningKey>,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Written {
    /// The bundle directory.
    pub dir: PathBuf,
    /// Number of files listed in the manifest.
    pub files: usize,
    /// SHA-256 of `manifest.json`: the identity of the bundle.
    pub manifest_digest: String,
    /// Fingerprint of the signing key, when signed.
    pub signed_by: Option<String>,
}

/// The configuration of the bundle a facts file belongs to: `soc2.toml` beside it, when the
/// directory is an evidence bundle (it has a `manifest.json`). `soc2 check --facts
/// DIR/facts.json` uses it unless `-c` is given, so re-performing a run needs no other flag.
pub fn config_beside(facts: &Path) -> Option<PathBuf> {
    let dir = facts.parent()?;
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let config = dir.join(files::CONFIG);
    (facts.file_name()? == files::FACTS && dir.join(MANIFEST).is_file() && config.is_file())
        .then_some(config)
}

/// The files of an earlier bundle in `dir` to replace, or `Err` when `dir` cannot take a
/// bundle. A missing or empty directory is fine. A non-empty one is accepted only when it holds
/// an earlier bundle and nothing else — a `manifest.json` of this tool that lists every file
/// there — so that no unrelated file is deleted or ends up in the manifest.
fn replaceable(dir: &Path) -> Result<Vec<PathBuf>, EvidenceError> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut entries = std::fs::read_dir(dir).map_err(|e| EvidenceError::io(dir, e))?;
    if entries.next().is_none() {
        return Ok(Vec::new());
    }
    let refuse = || {
        EvidenceError::Refused(format!(
            "`{}` is not empty and is not an evidence bundle; choose an empty or new directory",
            dir.display()
        ))
    };
    let manifest: Manifest = std::fs::read(dir.join(MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(refuse)?;
    let present = list_files(dir)?;
    if present
        .iter()
        .any(|(rel, _)| !manifest.files.contains_key(rel))
    {
        return Err(refuse());
    }
    let mut out: Vec<PathBuf> = present.into_iter().map(|(_, p)| p).collect();
    out.extend(
        [MANIFEST, SIGNATURE]
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| p.exists()),
    );
    Ok(out)
}

/// Checks, without changing anything, that a bundle can be written into `dir`.
pub fn check_dir(dir: &Path) -> Result<(), EvidenceError> {
    replaceable(dir).map(|_| ())
}

/// Prepares `dir`: created when missing; an earlier bundle there is removed file by file.
fn prepare(dir: &Path) -> Result<(), EvidenceError> {
    for path in replaceable(dir)? {
        std::fs::remove_file(&path).map_err(|e| EvidenceError::io(&path, e))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| EvidenceError::io(dir, e))
}

/// Writes one redacted file; JSON files are checked to still parse after redaction.
fn put(dir: &Path, name: &str, text: &str) -> Result<(), EvidenceError> {
    let text = redact(text);
    if (name.ends_with(".json") || name.ends_with(".sarif"))
        && serde_json::from_str::<serde_json::Value>(&text).is_err()
    {
        return Err(EvidenceError::Refused(format!(
            "{name}: redaction left invalid JSON; the bundle was not written"
        )));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(|e| EvidenceError::io(&path, e))
}

fn pretty(value: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}

/// The configuration file in force, byte for byte as read (so that exceptions keep their
/// lines), or a comment saying that the built-in defaults applied.
pub fn config_file(config: &Loaded) -> String {
    if config.text.trim().is_empty() {
        "# No configuration file: the built-in defaults applied (see policy.toml).\n".to_string()
    } else {
        config.text.to_string()
    }
}

/// The resolved policy, as TOML: every value after the built-in defaults, the profile and the
/// file's own keys, i.e. what `policy.*` meant to the rules in this run.
pub fn policy_file(config: &Loaded) -> String {
    let body = toml::to_string_pretty(&config.policy)
        .unwrap_or_else(|e| format!("# not serializable: {e}\n"));
    format!(
        "# The policy in force for this run, resolved from `{}`: built-in defaults, then the\n# profile, then the file's keys. For reading; soc2.toml is what `check -c` takes.\n\n{body}",
        config.path.display()
    )
}

/// The rule set, for `rules.json`.
pub fn rules_json(input: &ReportInput<'_>) -> serde_json::Value {
    json!({
        "rule_set_digest": input.rules.digest(),
        "tool_version": ToolInfo::current().version,
        "rules": input.rules.rules.iter().map(|r| json!({
            "id": r.id,
            "name": r.name,
            "title": r.title,
            "criteria": r.criteria,
            "severity": r.severity.as_str(),
            "source": r.source,
            "sha256": r.digest,
        })).collect::<Vec<_>>(),
    })
}

/// Writes the bundle into `dir`.
pub fn write(dir: &Path, input: &BundleInput<'_>) -> Result<Written, EvidenceError> {
    prepare(dir)?;
    let r = input.report;
    let facts = pretty(input.facts);
    put(dir, files::FACTS, &facts)?;
    put(dir, files::EVALUATIONS, &report::json::render(r))?;
    put(dir, files::SARIF, &report::sarif::render(r))?;
    put(dir, files::MARKDOWN, &report::markdown::render(r))?;
    put(dir, files::HTML, &report::html::render(r))?;
    put(dir, files::CONFIG, &config_file(input.config))?;
    put(dir, files::POLICY, &policy_file(input.config))?;
    put(dir, files::RULES, &pretty(&rules_json(r)))?;
    let run = json!({
        "tool": ToolInfo::current(),
        "time": input.time.to_string(),
        "arguments": input.arguments,
        "config_path": input.config.path.display().to_string(),
        "facts_version": input.facts.facts_version,
        "fail_on": r.fail_on.as_str(),
        "strict": r.strict,
        "rule_set_digest": r.rules.digest(),
        "summary": Summary::of(r.evaluations),
        "targets": input.targets,
        "files": {
            "facts": files::FACTS,
            "evaluations": files::EVALUATIONS,
            "sarif": files::SARIF,
            "report_markdown": files::MARKDOWN,
            "report_html": files::HTML,
            "config": files::CONFIG,
            "policy": files::POLICY,
            "rules": files::RULES,
        },
    });
    put(dir, files::RUN, &pretty(&run))?;

    let manifest = Manifest::of_dir(dir)?;
    let manifest_digest = manifest.write(dir)?;
    let signed_by = match input.sign_key {
        Some(key) => {
            let text = manifest.to_canonical();
            let path = dir.join(SIGNATURE);
            std::fs::write(&path, sign::signature_file(key, text.as_bytes()))
                .map_err(|e| EvidenceError::io(&path, e))?;
            Some(sign::fingerprint(&key.verifying_key()))
        }
        None => None,
    };
    Ok(Written {
        dir: dir.to_path_buf(),
        files: manifest.files.len(),
        manifest_digest,
        signed_by,
    })
}
