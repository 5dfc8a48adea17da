//! The command-line interface, as clap derive types. Parsing only; `app` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::report::Format;
use crate::rules::Severity;

/// SOC 2 compliance auditor for CI/CD pipelines.
///
/// Collects evidence from pipeline files, evaluates SOC 2 controls (CC6 access, CC7
/// operations, CC8 change management, CC9 vendors) and reports pass / fail / unknown /
/// not-applicable for each, as a table, JSON, SARIF, JUnit, or an auditor's report in
/// Markdown or HTML; writes verifiable evidence bundles and a hash-chained ledger of runs.
#[derive(Debug, Parser)]
#[command(name = "soc2", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate every control against one or more repositories.
    ///
    /// Exit codes: 0 no failing control at or above --fail-on; 1 failing controls;
    /// 2 usage, configuration or rule-file error (nothing was evaluated); 3 incomplete
    /// evidence under --strict.
    Check(CheckArgs),
    /// Inspect the rule catalog.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Collect facts and print them as JSON, without evaluating rules.
    Facts(FactsArgs),
    /// Write a commented starter soc2.toml documenting every key and its default.
    Init {
        /// Where to write it.
        #[arg(default_value = "soc2.toml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print a JSON Schema, for editors.
    Schema {
        /// Which schema.
        #[arg(value_parser = ["config"])]
        which: String,
    },
    /// Evidence bundles for auditors: collect one, make a signing key, verify one.
    ///
    /// `evidence verify` exits 0 when the bundle is intact, 1 when a file was changed, added
    /// or removed or the signature does not hold, 2 on usage errors.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// The hash-chained trail of runs written by `check --ledger`.
    ///
    /// `ledger verify` exits 0 when the ledger is intact, 1 when a record was edited, removed
    /// or reordered, 2 on usage errors.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Operating-effectiveness report over a period, from a ledger (Type II).
    ///
    /// For each control: how many runs passed and failed, the periods in which it failed, and
    /// the exceptions in force. Exits 1 (and writes nothing) when the ledger is not intact.
    Report(ReportArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Rule selection shared by `check` and `rules`.
#[derive(Debug, Args, Clone, Default)]
pub struct RuleArgs {
    /// Load extra rules from this directory (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules_dirs: Vec<PathBuf>,
    /// Only run these rules: ids, names or id prefixes such as CC6 (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub select: Vec<String>,
    /// Skip these rules: ids, names or id prefixes (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub ignore: Vec<String>,
}

/// Arguments of `soc2 check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Local repositories to scan (default: `targets.paths` of soc2.toml, else `.`).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The configuration file (default: ./soc2.toml when present).
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Rule selection.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Format written to standard output.
    #[arg(short, long, value_enum, default_value = "table")]
    pub format: Format,
    /// Also write FORMAT to PATH (repeatable), e.g. `-o sarif=soc2.sarif`.
    #[arg(short, long = "output", value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub outputs: Vec<(Format, PathBuf)>,
    /// Fail the run on failing controls of this severity or higher.
    #[arg(long, value_enum, default_value = "low")]
    pub fail_on: Severity,
    /// Treat unknown outcomes (missing evidence) as failing the run (exit code 3).
    #[arg(long)]
    pub strict: bool,
    /// Evaluate a facts dump (from `soc2 facts`) instead of collecting facts; `-` reads standard input.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "github", "github_org"])]
    pub facts: Option<PathBuf>,
    /// Evidence bundle and ledger.
    #[command(flatten)]
    pub audit: AuditArgs,
    /// GitHub targets.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Auditor deliverables of `soc2 check`.
#[derive(Debug, Args, Clone, Default)]
pub struct AuditArgs {
    /// Write an evidence bundle into DIR: facts, evaluations, SARIF, reports, effective
    /// configuration, rule set, run metadata and a manifest of SHA-256 hashes.
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// Sign the bundle's manifest with this Ed25519 secret key (from `soc2 evidence keygen`).
    #[arg(long, value_name = "FILE", requires = "evidence")]
    pub sign_key: Option<PathBuf>,
    /// Append a hash-chained record of this run to a JSON Lines ledger (created when missing).
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
}

/// `soc2 evidence ...`
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Like `check --evidence DIR`, but exits 0 whatever the outcomes once the bundle is written.
    Collect(Box<CheckArgs>),
    /// Generate an Ed25519 key pair: FILE (secret, mode 0600) and FILE.pub (public).
    Keygen {
        /// Where to write the secret key.
        #[arg(value_name = "FILE")]
        path: PathBuf,
        /// Overwrite existing key files.
        #[arg(long)]
        force: bool,
    },
    /// Check every hash of a bundle's manifest and its signature; list each difference.
    Verify {
        /// The bundle directory.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Require a signature by this public key (FILE.pub from `evidence keygen`).
        #[arg(long, value_name = "FILE")]
        public_key: Option<PathBuf>,
        /// Also require the bundle's manifest digest to be recorded in this ledger (which must
        /// verify): a manifest rewritten after the run is then detected even without a signature.
        #[arg(long, value_name = "FILE")]
        ledger: Option<PathBuf>,
    },
}

/// `soc2 ledger ...`
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Check the hash chain; name the first edited, removed or reordered record.
    Verify {
        /// The ledger file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// Arguments of `soc2 report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The ledger written by `check --ledger`.
    #[arg(long, value_name = "FILE")]
    pub ledger: PathBuf,
    /// First day of the period, inclusive (YYYY-MM-DD, UTC; default: the first record's day).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Last day of the period, inclusive (YYYY-MM-DD, UTC; default: today).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// `markdown` or `html`.
    #[arg(short, long, default_value = "markdown", value_parser = ["markdown", "html"])]
    pub format: String,
    /// Write the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// GitHub API targets and client settings, shared by `check` and `facts`.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "GitHub")]
pub struct RemoteArgs {
    /// A GitHub repository to audit through the API (repeatable). Token: GITHUB_TOKEN or GH_TOKEN.
    #[arg(long, value_name = "OWNER/REPO")]
    pub github: Vec<String>,
    /// Audit every non-archived repository of a GitHub organization (repeatable).
    #[arg(long, value_name = "ORG")]
    pub github_org: Vec<String>,
    /// A GitLab project to audit through the API (repeatable). Token: GITLAB_TOKEN.
    #[arg(long, value_name = "GROUP/PROJECT")]
    pub gitlab: Vec<String>,
    /// Audit every non-archived project of a GitLab group and its subgroups (repeatable).
    #[arg(long, value_name = "GROUP")]
    pub gitlab_group: Vec<String>,
    /// Only organization repositories or group projects whose name or path matches this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip organization repositories or group projects whose name or path matches this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// GitHub API URL, for GitHub Enterprise Server (`https://ghe.example/api/v3`).
    #[arg(
        long,
        value_name = "URL",
        env = "GITHUB_API_URL",
        hide_env_values = true
    )]
    pub github_url: Option<String>,
    /// GitLab instance URL, for self-managed GitLab (`https://gitlab.example.com`); inside GitLab CI, `CI_SERVER_URL` [default: https://gitlab.com].
    #[arg(
        long,
        value_name = "URL",
        env = "CI_SERVER_URL",
        hide_env_values = true
    )]
    pub gitlab_url: Option<String>,
    /// API requests in flight at most, per platform [default: 8].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: Option<u16>,
    /// Longest total wait for GitHub or GitLab rate limits, in seconds; beyond it the evidence is unknown [default: 60].
    #[arg(long, value_name = "SECONDS")]
    pub max_wait: Option<u64>,
    /// Directory of the HTTP cache (ETag revalidation) [default: the user cache directory].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Do not read or write the HTTP cache.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,
}

impl RemoteArgs {
    /// Whether the command line names any GitHub or GitLab target.
    pub fn has_targets(&self) -> bool {
        !self.github.is_empty()
            || !self.github_org.is_empty()
            || !self.gitlab.is_empty()
            || !self.gitlab_group.is_empty()
    }
}

/// Arguments of `soc2 facts`.
#[derive(Debug, Args)]
pub struct FactsArgs {
    /// Local repositories to scan (default: `targets.paths` of soc2.toml, else `.`).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The configuration file (default: ./soc2.toml when present).
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write the JSON to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// GitHub and GitLab targets.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// `soc2 rules ...`
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule: id, severity, criteria, scope and title.
    List {
        /// Rule selection.
        #[command(flatten)]
        rules: RuleArgs,
        /// `table`, `json` or `markdown` (the catalog in `rules/README.md`).
        #[arg(short, long, default_value = "table", value_parser = ["table", "json", "markdown"])]
        format: String,
    },
    /// Show one rule's full documentation and conditions.
    Explain {
        /// The rule's id or name.
        id: String,
        /// Extra rule directories.
        #[arg(long = "rules", value_name = "DIR")]
        rules_dirs: Vec<PathBuf>,
    },
}

fn parse_output(s: &str) -> Result<(Format, PathBuf), String> {
    let (format, path) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=PATH, e.g. sarif=soc2.sarif, got `{s}`"))?;
    if path.is_empty() {
        return Err(format!("no path after `{format}=`"));
    }
    Ok((format.parse()?, PathBuf::from(path)))
}
