//! Orchestration: parse arguments, load rules, collect facts, evaluate, report, exit.
//!
//! Nothing here parses files, evaluates conditions or formats output; it wires the modules
//! that do and maps the result to the exit-code contract.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, Parser};
use miette::Diagnostic;
use rayon::prelude::*;

use crate::cli::{
    CheckArgs, Cli, Command, EvidenceCommand, FactsArgs, LedgerCommand, RemoteArgs, ReportArgs,
    RuleArgs, RulesCommand,
};
use crate::config::{self, ConfigError};
use crate::engine::{self, Evaluation};
use crate::evidence::{self, EvidenceError};
use crate::exceptions;
use crate::facts::Facts;
use crate::ledger::{self, LedgerError};
use crate::providers::{self, github, gitlab};
use crate::report::{self, Format, ReportInput, Sources};
use crate::rules::{self, LoadError, RuleSet, Scope};
use crate::suppress;

/// Exit codes of the CLI contract.
pub mod exit {
    /// No failing control at or above `--fail-on`.
    pub const OK: u8 = 0;
    /// Failing controls.
    pub const FAILED: u8 = 1;
    /// Usage, configuration or rule-file error; nothing was evaluated.
    pub const USAGE: u8 = 2;
    /// Incomplete evidence under `--strict`.
    pub const INCOMPLETE: u8 = 3;
}

/// An error that stops the run before or while reporting.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// A rule file is invalid.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rule(#[from] Box<LoadError>),
    /// soc2.toml is invalid.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] Box<ConfigError>),
    /// A wrong argument.
    #[error("{message}")]
    #[diagnostic(code(soc2::usage))]
    Usage {
        /// What is wrong.
        message: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// An evidence bundle or key that could not be written or read.
    #[error(transparent)]
    #[diagnostic(code(soc2::evidence))]
    Evidence(#[from] EvidenceError),
    /// A ledger that could not be read, written or trusted.
    #[error(transparent)]
    #[diagnostic(
        code(soc2::ledger),
        help("`soc2 ledger verify FILE` names the first bad record")
    )]
    Ledger(#[from] LedgerError),
    /// A file that could not be read or written.
    #[error("{path}: {source}")]
    #[diagnostic(code(soc2::io))]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(Box::new(e))
    }
}

impl From<LoadError> for Error {
    fn from(e: LoadError) -> Self {
        Error::Rule(Box::new(e))
    }
}

fn usage(message: impl Into<String>, help: Option<String>) -> Error {
    Error::Usage {
        message: message.into(),
        help,
    }
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{:?}", miette::Report::new(e));
            ExitCode::from(exit::USAGE)
        }
    }
}

/// Runs a parsed command.
pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Evidence(EvidenceCommand::Collect(args)) => {
            if args.audit.evidence.is_none() {
                return Err(usage(
                    "`evidence collect` needs --evidence DIR",
                    Some("e.g. `soc2 evidence collect --evidence evidence/ .`".into()),
                ));
            }
            check(*args).map(|_| exit::OK)
        }
        Command::Evidence(EvidenceCommand::Keygen { path, force }) => {
            let public = evidence::sign::keygen(&path, force)?;
            eprintln!(
                "wrote secret key {} and public key {}",
                path.display(),
                public.display()
            );
            Ok(exit::OK)
        }
        Command::Evidence(EvidenceCommand::Verify {
            dir,
            public_key,
            ledger,
        }) => {
            let mut result = evidence::verify::verify(&dir, public_key.as_deref())?;
            if let Some(path) = ledger {
                match ledger::read(&path) {
                    Ok(verified) => result.check_recorded(&path, &verified.records),
                    Err(LedgerError::Tampered { path, problem }) => {
                        result.ledger_not_intact(&path, &problem.to_string());
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            print(&result.render(&dir))?;
            Ok(if result.is_intact() {
                exit::OK
            } else {
                exit::FAILED
            })
        }
        Command::Ledger(LedgerCommand::Verify { file }) => ledger_verify(&file),
        Command::Report(args) => trail_report(&args),
        Command::Rules(RulesCommand::List { rules, format }) => {
            let set = load_rules(&rules, &config::Loaded::defaults())?;
            print(&list_rules(&set, &format))?;
            Ok(exit::OK)
        }
        Command::Rules(RulesCommand::Explain { id, rules_dirs }) => {
            let set = load_rules(
                &RuleArgs {
                    rules_dirs,
                    ..RuleArgs::default()
                },
                &config::Loaded::defaults(),
            )?;
            let rule = set.find(&id).ok_or_else(|| {
                let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
                usage(format!("no rule `{id}`"), suggest(&id, &ids))
            })?;
            print(&explain(rule))?;
            Ok(exit::OK)
        }
        Command::Facts(args) => facts(args),
        Command::Init { path, force } => init(&path, force),
        Command::Schema { .. } => {
            print(&config::json_schema())?;
            Ok(exit::OK)
        }
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "soc2", &mut std::io::stdout());
            Ok(exit::OK)
        }
    }
}

fn print(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    stdout_result(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// The outcome of writing to stdout: a closed pipe (`soc2 check | head`) is not an error worth
/// reporting.
fn stdout_result(result: std::io::Result<()>) -> Result<(), Error> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(source) => Err(Error::Io {
            path: "<stdout>".into(),
            source,
        }),
    }
}

/// Size of the buffers reports are written through.
const REPORT_BUFFER: usize = 64 * 1024;

/// Writes a report to stdout as it is rendered.
fn print_report(format: Format, input: &ReportInput<'_>) -> Result<(), Error> {
    let mut out = BufWriter::with_capacity(REPORT_BUFFER, std::io::stdout().lock());
    stdout_result(report::render_to(format, input, &mut out).and_then(|()| out.flush()))
}

/// Writes a report to a file as it is rendered.
fn write_report_file(path: &Path, format: Format, input: &ReportInput<'_>) -> Result<(), Error> {
    let io_error = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let file = File::create(path).map_err(io_error)?;
    let mut out = BufWriter::with_capacity(REPORT_BUFFER, file);
    report::render_to(format, input, &mut out)
        .and_then(|()| out.flush())
        .map_err(io_error)
}

fn init(path: &Path, force: bool) -> Result<u8, Error> {
    if path.exists() && !force {
        return Err(usage(
            format!("`{}` already exists", path.display()),
            Some("pass --force to overwrite it".into()),
        ));
    }
    write_file(path, &config::starter_file())?;
    eprintln!("wrote {}", path.display());
    Ok(exit::OK)
}

/// Loads built-in and extra rules, then applies the selection and severity overrides of
/// soc2.toml and of `--select`/`--ignore` (a command-line `--select` replaces the file's).
pub fn load_rules(args: &RuleArgs, config: &config::Loaded) -> Result<RuleSet, Error> {
    let mut set = rules::load_embedded()?;
    let selection = &config.config.rules;
    for dir in &selection.rules_dirs {
        rules::load_dir(&mut set, &config.base_dir().join(dir))?;
    }
    for dir in &args.rules_dirs {
        rules::load_dir(&mut set, dir)?;
    }
    let ids: Vec<&str> = set
        .rules
        .iter()
        .flat_map(|r| [r.id.as_str(), r.name.as_str()])
        .collect();
    let file_keys = selection
        .select
        .iter()
        .chain(&selection.ignore)
        .chain(selection.severity.keys())
        .chain(config.config.exceptions.iter().map(|e| &e.rule));
    for key in file_keys {
        let name = std::slice::from_ref(key.get_ref());
        if !set.unknown_keys(name).is_empty() {
            return Err(config
                .error(
                    key.span(),
                    format!("no rule matches `{}`", key.get_ref()),
                    suggest(key.get_ref(), &ids)
                        .or_else(|| Some("`soc2 rules list` shows every rule".into())),
                )
                .into());
        }
    }
    for (key, severity) in &selection.severity {
        for rule in set
            .rules
            .iter_mut()
            .filter(|r| r.matches_key(key.get_ref()))
        {
            rule.severity = *severity;
        }
    }
    for (flag, keys) in [("--select", &args.select), ("--ignore", &args.ignore)] {
        if let Some(bad) = set.unknown_keys(keys).first() {
            let ids: Vec<&str> = set
                .rules
                .iter()
                .flat_map(|r| [r.id.as_str(), r.name.as_str()])
                .collect();
            return Err(usage(
                format!("{flag}: no rule matches `{bad}`"),
                suggest(bad, &ids).or_else(|| Some("`soc2 rules list` shows every rule".into())),
            ));
        }
    }
    let select: Vec<String> = if args.select.is_empty() {
        selection
            .select
            .iter()
            .map(|k| k.get_ref().clone())
            .collect()
    } else {
        args.select.clone()
    };
    let ignore: Vec<String> = selection
        .ignore
        .iter()
        .map(|k| k.get_ref().clone())
        .chain(args.ignore.iter().cloned())
        .collect();
    set.filter(&select, &ignore);
    Ok(set)
}

/// "did you mean" for a mistyped name.
fn suggest(input: &str, candidates: &[&str]) -> Option<String> {
    let lower = input.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        // Ties go to the candidate sharing the longest ending (`CC6-0015` → `CC6-015`, not
        // `CC6-001`): rule numbers are read from their last digits.
        .min_by_key(|(d, c)| {
            (
                *d,
                usize::MAX - common_suffix(&lower, &c.to_ascii_lowercase()),
            )
        })
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

fn common_suffix(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

fn validate_paths(paths: &[PathBuf]) -> Result<(), Error> {
    for p in paths {
        if !p.is_dir() {
            return Err(usage(
                format!("`{}` is not a directory", p.display()),
                Some("pass the root of a repository checkout".into()),
            ));
        }
    }
    Ok(())
}

fn collect(paths: &[PathBuf]) -> Result<Facts, Error> {
    validate_paths(paths)?;
    let repos = paths
        .par_iter()
        .map(|p| providers::collect_local(p))
        .collect();
    Ok(Facts::new(repos))
}

fn read_facts(path: &Path) -> Result<Facts, Error> {
    let read = if path == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text).map(|_| text)
    } else {
        std::fs::read_to_string(path)
    };
    let text = read.map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    let facts: Facts = serde_json::from_str(&text).map_err(|e| {
        usage(
            format!("{}: not a facts dump: {e}", path.display()),
            Some("write one with `soc2 facts PATH -o facts.json`".into()),
        )
    })?;
    if facts.facts_version != crate::facts::FACTS_VERSION {
        return Err(usage(
            format!(
                "{}: facts version {} is not supported (this build reads version {})",
                path.display(),
                facts.facts_version,
                crate::facts::FACTS_VERSION
            ),
            None,
        ));
    }
    Ok(facts)
}

/// The repositories to scan: the command line's, else soc2.toml's `targets.paths` (relative
/// to the file), else the current directory.
fn targets(paths: &[PathBuf], remote: &RemoteArgs, config: &config::Loaded) -> Vec<PathBuf> {
    if !paths.is_empty() {
        return paths.to_vec();
    }
    // API targets on the command line replace soc2.toml's targets; they do not add `.`.
    if remote.has_targets() {
        return Vec::new();
    }
    let from_file: Vec<PathBuf> = config
        .config
        .targets
        .paths
        .iter()
        .map(|p| {
            let base = config.base_dir();
            if base.as_os_str().is_empty() {
                PathBuf::from(p)
            } else {
                base.join(p)
            }
        })
        .collect();
    let t = &config.config.targets;
    if from_file.is_empty()
        && t.github.is_empty()
        && t.github_orgs.is_empty()
        && t.gitlab.is_empty()
        && t.gitlab_groups.is_empty()
    {
        vec![PathBuf::from(".")]
    } else {
        from_file
    }
}

/// The GitHub and GitLab targets and client settings.
#[derive(Debug, Default)]
struct Remote {
    github: Option<github::Options>,
    gitlab: Option<gitlab::Options>,
}

/// The API targets and client settings: the command line's, else soc2.toml's (only when the
/// command line names no target at all).
fn remote_options(
    paths: &[PathBuf],
    args: &RemoteArgs,
    config: &config::Loaded,
    policy: &config::Policy,
) -> Remote {
    let t = &config.config.targets;
    let cli_targets = !paths.is_empty() || args.has_targets();
    let (repos, orgs, projects, groups) = if cli_targets {
        (
            args.github.clone(),
            args.github_org.clone(),
            args.gitlab.clone(),
            args.gitlab_group.clone(),
        )
    } else {
        (
            t.github.clone(),
            t.github_orgs.clone(),
            t.gitlab.clone(),
            t.gitlab_groups.clone(),
        )
    };
    let pick = |cli: &Vec<String>, file: &Vec<String>| {
        if cli.is_empty() {
            file.clone()
        } else {
            cli.clone()
        }
    };
    let concurrency = args
        .concurrency
        .or(t.concurrency)
        .map(|c| usize::from(c.max(1)));
    let max_wait = args
        .max_wait
        .or(t.max_wait)
        .map(std::time::Duration::from_secs);
    let cache_dir = |platform: &str| {
        if args.no_cache {
            None
        } else if let Some(d) = &args.cache_dir {
            Some(d.join(platform))
        } else if let Some(d) = &t.cache_dir {
            Some(config.base_dir().join(d).join(platform))
        } else {
            Some(providers::cache::Cache::default_dir(platform))
        }
    };
    let mut out = Remote::default();
    if !repos.is_empty() || !orgs.is_empty() {
        let api_url = args
            .github_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .or_else(|| t.github_url.clone())
            .unwrap_or_else(|| github::DEFAULT_API_URL.to_string());
        let mut o = github::Options::new(api_url, github::token_from_env());
        o.repos = repos;
        o.orgs = orgs;
        o.include = pick(&args.include, &t.include);
        o.exclude = pick(&args.exclude, &t.exclude);
        if let Some(c) = concurrency {
            o.concurrency = c;
        }
        if let Some(w) = max_wait {
            o.max_wait = w;
        }
        o.cache_dir = cache_dir("github");
        o.protected_branches = policy.change_management.protected_branches.clone();
        o.production_environments = policy.deployment.production_environments.clone();
        o.progress = true;
        out.github = Some(o);
    }
    if !projects.is_empty() || !groups.is_empty() {
        // soc2.toml's URL names the instance the file's targets live on; the command line's
        // (or CI_SERVER_URL) wins.
        let url = args
            .gitlab_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .or_else(|| t.gitlab_url.clone())
            .unwrap_or_else(gitlab::default_url);
        let mut o = gitlab::Options::new(url, gitlab::token_from_env());
        o.projects = projects;
        o.groups = groups;
        o.include = pick(&args.include, &t.include);
        o.exclude = pick(&args.exclude, &t.exclude);
        if let Some(c) = concurrency {
            o.concurrency = c;
        }
        if let Some(w) = max_wait {
            o.max_wait = w;
        }
        o.cache_dir = cache_dir("gitlab");
        o.protected_branches = policy.change_management.protected_branches.clone();
        o.progress = true;
        out.gitlab = Some(o);
    }
    out
}

/// Reads the GitHub and GitLab targets: the repositories, with the texts of their pipeline
/// files (for code frames).
fn collect_remote(remote: &Remote) -> Result<(Vec<crate::facts::Repository>, Sources), Error> {
    let (mut repos, mut sources) = collect_github(remote.github.as_ref())?;
    let (more, texts) = collect_gitlab(remote.gitlab.as_ref())?;
    repos.extend(more);
    sources.extend(texts);
    Ok((repos, sources))
}

/// Reads the GitLab targets; a summary of the requests goes to standard error.
fn collect_gitlab(
    opts: Option<&gitlab::Options>,
) -> Result<(Vec<crate::facts::Repository>, Sources), Error> {
    let Some(opts) = opts else {
        return Ok((Vec::new(), Sources::new()));
    };
    let collected = gitlab::collect(opts).map_err(|e| {
        let help = match e {
            gitlab::Error::BadTarget(_) => {
                Some("pass --gitlab GROUP/PROJECT, e.g. --gitlab acme/platform/api".into())
            }
            gitlab::Error::Group { .. } => Some(
                "check the group's full path and that GITLAB_TOKEN can read it".into(),
            ),
            gitlab::Error::Build(_) => Some(
                "check --gitlab-url (or CI_SERVER_URL) and GITLAB_TOKEN (a personal, group or project access token with read_api)".into(),
            ),
            _ => None,
        };
        usage(e.to_string(), help)
    })?;
    let n = collected.repositories.len().max(1) as f64;
    let s = collected.stats;
    eprintln!(
        "soc2: GitLab: {} projects, {} requests ({:.1} per project), {} answered 304 from the cache, {} retries, {} rate-limit waits",
        collected.repositories.len(),
        s.requests,
        s.requests as f64 / n,
        s.not_modified,
        s.retries,
        s.rate_limit_waits
    );
    Ok((collected.repositories, collected.sources))
}

/// Reads the GitHub targets; a summary of the requests goes to standard error.
/// The repositories read through the GitHub API, with the texts of their pipeline files (for
/// code frames).
fn collect_github(
    opts: Option<&github::Options>,
) -> Result<(Vec<crate::facts::Repository>, Sources), Error> {
    let Some(opts) = opts else {
        return Ok((Vec::new(), Sources::new()));
    };
    let collected = github::collect(opts).map_err(|e| {
        let help = match e {
            github::Error::BadTarget(_) => {
                Some("pass --github OWNER/REPO, e.g. --github acme/api".into())
            }
            github::Error::Org { .. } => Some(
                "check the organization's name and that GITHUB_TOKEN or GH_TOKEN can read it"
                    .into(),
            ),
            _ => None,
        };
        usage(e.to_string(), help)
    })?;
    let n = collected.repositories.len().max(1) as f64;
    let s = collected.stats;
    eprintln!(
        "soc2: GitHub: {} repositories, {} requests ({:.1} per repository: {:.1} REST, {:.2} GraphQL), {} answered 304 from the cache, {} files read from the cache, {} retries, {} rate-limit waits",
        collected.repositories.len(),
        s.requests,
        s.requests as f64 / n,
        (s.requests - s.graphql) as f64 / n,
        s.graphql as f64 / n,
        s.not_modified,
        s.immutable_hits,
        s.retries,
        s.rate_limit_waits
    );
    Ok((collected.repositories, collected.sources))
}

fn facts(args: FactsArgs) -> Result<u8, Error> {
    let config = config::discover(args.config.as_deref())?;
    let paths = targets(&args.paths, &args.remote, &config);
    let remote = remote_options(&args.paths, &args.remote, &config, &config.policy);
    validate_paths(&paths)?;
    let mut facts = collect(&paths)?;
    facts.repositories.extend(collect_remote(&remote)?.0);
    let mut json = serde_json::to_string_pretty(&facts).map_err(|e| usage(e.to_string(), None))?;
    json.push('\n');
    match args.output {
        Some(path) => write_file(&path, &json)?,
        None => print(&json)?,
    }
    Ok(exit::OK)
}

fn write_file(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Reads the files that findings point at, for code frames.
/// The texts the table's code frames quote: files of local targets read from disk, files of
/// remote repositories as they were fetched (only those a finding points into are kept).
fn sources(roots: &[(String, String)], remote: Sources, evaluations: &[Evaluation]) -> Sources {
    let mut out = Sources::new();
    for e in evaluations {
        let Some(loc) = &e.location else { continue };
        let key = (e.target.clone(), loc.path.to_string());
        if let Some(text) = remote.get(&key) {
            out.insert(key, text.clone());
        }
    }
    for e in evaluations {
        let Some(loc) = &e.location else { continue };
        let key = (e.target.clone(), loc.path.to_string());
        if out.contains_key(&key) {
            continue;
        }
        let Some((_, root)) = roots.iter().find(|(id, _)| *id == e.target) else {
            continue;
        };
        if let Ok(text) = std::fs::read_to_string(Path::new(root).join(&*loc.path)) {
            out.insert(key, Arc::from(text));
        }
    }
    out
}

fn check(args: CheckArgs) -> Result<u8, Error> {
    // Re-performing a bundled run: its facts are evaluated under its own configuration.
    let bundled = match (&args.config, &args.facts) {
        (None, Some(facts)) => evidence::bundle::config_beside(facts),
        _ => None,
    };
    if let Some(path) = &bundled {
        eprintln!("using the bundle's configuration {}", path.display());
    }
    let config = config::discover(args.config.as_deref().or(bundled.as_deref()))?;
    let rules = load_rules(&args.rules, &config)?;
    let policy = &config.policy;
    let paths = targets(&args.paths, &args.remote, &config);
    let remote = remote_options(&args.paths, &args.remote, &config, policy);
    // The signing key, the bundle directory and the ledger are checked before any work, so that a wrong
    // path fails fast.
    let sign_key = args
        .audit
        .sign_key
        .as_deref()
        .map(evidence::sign::read_signing_key)
        .transpose()?;
    if let Some(dir) = &args.audit.evidence {
        evidence::bundle::check_dir(dir)?;
    }
    if let Some(path) = &args.audit.ledger {
        ledger::read(path)?;
    }
    // Inline suppressions first (they are part of the evidence), then soc2.toml exceptions on
    // what still fails.
    let evaluate_all = |facts: &Facts| {
        let mut evaluations = engine::evaluate(&rules, &facts.repositories, policy);
        let warnings = suppress::apply(&mut evaluations, &facts.repositories, &rules);
        (evaluations, warnings)
    };
    // A bundle holds the facts, so they are collected whole rather than streamed.
    let mut remote_sources = Sources::new();
    let (mut evaluations, mut warnings, roots, facts) = match &args.facts {
        Some(path) => {
            let facts = read_facts(path)?;
            let (evaluations, warnings) = evaluate_all(&facts);
            (evaluations, warnings, Vec::new(), Some(facts))
        }
        None if args.audit.evidence.is_some() => {
            let mut facts = collect(&paths)?;
            let (remote_repos, texts) = collect_remote(&remote)?;
            facts.repositories.extend(remote_repos);
            remote_sources = texts;
            let (evaluations, warnings) = evaluate_all(&facts);
            (evaluations, warnings, local_roots(&paths), Some(facts))
        }
        None => {
            // Stream: each repository is collected, evaluated and dropped, so memory holds
            // the evaluations and the repositories in flight, not every repository's facts.
            validate_paths(&paths)?;
            let (remote_repos, texts) = collect_remote(&remote)?;
            remote_sources = texts;
            // Suppressions are applied per repository, while its facts are at hand.
            let mut per_repo: Vec<(Vec<Evaluation>, Vec<engine::Warning>)> = paths
                .par_iter()
                .map(|p| {
                    let repo = [providers::collect_local(p)];
                    let mut evaluations = engine::evaluate(&rules, &repo, policy);
                    let warnings = suppress::apply(&mut evaluations, &repo, &rules);
                    (evaluations, warnings)
                })
                .collect();
            per_repo.extend(
                remote_repos
                    .into_par_iter()
                    .map(|r| {
                        let repo = [r];
                        let mut evaluations = engine::evaluate(&rules, &repo, policy);
                        let warnings = suppress::apply(&mut evaluations, &repo, &rules);
                        (evaluations, warnings)
                    })
                    .collect::<Vec<_>>(),
            );
            let (mut evaluations, mut warnings) = (Vec::new(), Vec::new());
            for (e, w) in per_repo {
                evaluations.extend(e);
                warnings.extend(w);
            }
            engine::sort(&mut evaluations);
            (evaluations, warnings, local_roots(&paths), None)
        }
    };

    warnings.extend(exceptions::apply(
        &mut evaluations,
        &config,
        &rules,
        exceptions::today(),
    ));
    let evaluations = evaluations;
    let wants_table =
        args.format == Format::Table || args.outputs.iter().any(|(f, _)| *f == Format::Table);
    let sources = if wants_table && args.facts.is_none() {
        sources(&roots, remote_sources, &evaluations)
    } else {
        Sources::new()
    };
    let color = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let input = ReportInput {
        rules: &rules,
        evaluations: &evaluations,
        warnings: &warnings,
        sources: &sources,
        fail_on: args.fail_on,
        strict: args.strict,
        color,
    };
    for (format, path) in &args.outputs {
        let file_input = ReportInput {
            color: false,
            ..input
        };
        write_report_file(path, *format, &file_input)?;
    }
    print_report(args.format, &input)?;
    audit_outputs(
        &args,
        &input,
        &config,
        facts.as_ref(),
        &roots,
        sign_key.as_ref(),
    )?;

    let failed = evaluations
        .iter()
        .any(|e| e.outcome == engine::Outcome::Fail && e.severity >= args.fail_on);
    let unknown = evaluations
        .iter()
        .any(|e| e.outcome == engine::Outcome::Unknown);
    Ok(if failed {
        exit::FAILED
    } else if args.strict && unknown {
        exit::INCOMPLETE
    } else {
        exit::OK
    })
}

/// Target ids and roots of local paths, as the local provider names them.
fn local_roots(paths: &[PathBuf]) -> Vec<(String, String)> {
    paths
        .iter()
        .map(|p| {
            let root = p.to_string_lossy().replace('\\', "/");
            (format!("local:{root}"), root)
        })
        .collect()
}

/// Writes the evidence bundle and appends the ledger record, when asked for.
fn audit_outputs(
    args: &CheckArgs,
    input: &ReportInput<'_>,
    config: &config::Loaded,
    facts: Option<&Facts>,
    roots: &[(String, String)],
    sign_key: Option<&ed25519_dalek::SigningKey>,
) -> Result<(), Error> {
    if args.audit.evidence.is_none() && args.audit.ledger.is_none() {
        return Ok(());
    }
    let time = jiff::Timestamp::now();
    let targets = evidence::identity::of_run(roots, facts, args.facts.as_deref());
    let mut bundle = None;
    if let (Some(dir), Some(facts)) = (&args.audit.evidence, facts) {
        let written = evidence::bundle::write(
            dir,
            &evidence::bundle::BundleInput {
                report: input,
                facts,
                config,
                targets: &targets,
                time,
                arguments: std::env::args().collect(),
                sign_key,
            },
        )?;
        eprintln!(
            "wrote evidence bundle {} ({} files, manifest sha256 {}{})",
            written.dir.display(),
            written.files,
            written.manifest_digest,
            written
                .signed_by
                .as_ref()
                .map_or_else(String::new, |k| format!(", signed by key {k}"))
        );
        bundle = Some(written.manifest_digest);
    }
    if let Some(path) = &args.audit.ledger {
        let record = ledger::append(
            path,
            &ledger::Run {
                time,
                targets: targets
                    .iter()
                    .map(|t| ledger::LedgerTarget {
                        id: t.id.clone(),
                        commit: t.commit.clone(),
                    })
                    .collect(),
                rule_set_digest: input.rules.digest(),
                evaluations: input.evaluations,
                bundle,
            },
        )?;
        eprintln!(
            "appended record {} to ledger {} (hash {})",
            record.seq,
            path.display(),
            record.hash
        );
    }
    Ok(())
}

fn ledger_verify(file: &Path) -> Result<u8, Error> {
    let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
        path: file.display().to_string(),
        source,
    })?;
    match ledger::verify_text(&text) {
        Ok(v) => {
            print(&format!(
                "{}: intact: {} records; head {}\n",
                file.display(),
                v.records.len(),
                v.head
            ))?;
            Ok(exit::OK)
        }
        Err(problem) => {
            print(&format!("{}: TAMPERED: {problem}\n", file.display()))?;
            Ok(exit::FAILED)
        }
    }
}

fn trail_report(args: &ReportArgs) -> Result<u8, Error> {
    if !args.ledger.is_file() {
        return Err(usage(
            format!("no ledger at `{}`", args.ledger.display()),
            Some("write one with `soc2 check --ledger FILE`".into()),
        ));
    }
    let verified = match ledger::read(&args.ledger) {
        Ok(v) => v,
        Err(LedgerError::Tampered { path, problem }) => {
            eprintln!("{path}: TAMPERED: {problem}; no report was written");
            return Ok(exit::FAILED);
        }
        Err(e) => return Err(e.into()),
    };
    let (since, until) = ledger::period(&verified, args.since.as_deref(), args.until.as_deref())
        .map_err(|message| usage(message, Some("write dates as YYYY-MM-DD".into())))?;
    let view = ledger::effectiveness(&verified, since, until);
    let rules = load_rules(&RuleArgs::default(), &config::Loaded::defaults())?;
    let text = if args.format == "html" {
        report::trail::html(&view, &rules)
    } else {
        report::trail::markdown(&view, &rules)
    };
    match &args.output {
        Some(path) => write_file(path, &text)?,
        None => print(&text)?,
    }
    Ok(exit::OK)
}

/// Renders evaluations in a format.
pub fn render(format: Format, input: &ReportInput<'_>) -> String {
    report::render(format, input)
}

fn list_rules(set: &RuleSet, format: &str) -> String {
    if format == "markdown" {
        return rules::catalog::markdown(set);
    }
    if format == "json" {
        let rows: Vec<_> = set
            .rules
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id, "name": r.name, "title": r.title, "criteria": r.criteria,
                    "severity": r.severity.as_str(), "scope": r.scope_names(), "source": r.source,
                })
            })
            .collect();
        return serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n";
    }
    let mut table = comfy_table::Table::new();
    table
        .load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Disabled)
        .set_header(vec!["ID", "Name", "Severity", "Criteria", "Scope", "Title"]);
    for r in &set.rules {
        table.add_row(vec![
            r.id.clone(),
            r.name.clone(),
            r.severity.to_string(),
            r.criteria.join(", "),
            r.scope_names(),
            r.title.clone(),
        ]);
    }
    format!("{table}\n{} rules\n", set.rules.len())
}

fn explain(r: &rules::Rule) -> String {
    let criteria: Vec<String> = r
        .criteria
        .iter()
        .map(|c| format!("{c} ({})", report::criterion_title(c)))
        .collect();
    let mut out = format!(
        "{} {}\n{}\n\nSeverity:   {}\nCriteria:   {}\nScope:      {} (binds {})\n",
        r.id,
        r.name,
        r.title,
        r.severity,
        criteria.join(", "),
        r.scope_names(),
        Scope::variables_of(&r.scopes).join(", "),
    );
    if let Some(when) = &r.when {
        out.push_str(&format!("Applies:    {}\n", when.source().trim()));
    }
    if let Some(unknown_if) = &r.unknown_if {
        out.push_str(&format!(
            "Unknown if: {}\n",
            unknown_if.condition.source().trim()
        ));
    }
    out.push_str(&format!("Passes:     {}\n", r.assert.source().trim()));
    out.push_str(&format!(
        "\nWhy it matters\n  {}\n",
        r.rationale.replace('\n', "\n  ")
    ));
    out.push_str(&format!(
        "\nHow to fix\n  {}\n",
        r.remediation.replace('\n', "\n  ")
    ));
    out.push_str("\nReferences\n");
    for u in &r.references {
        out.push_str(&format!("  - {u}\n"));
    }
    out.push_str(&format!("\nDefined in {}\n", r.source));
    out
}
