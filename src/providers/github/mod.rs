//! The GitHub API provider: repository and organization settings, and the pipeline files of
//! remote repositories, read through GitHub's REST API (github.com or GitHub Enterprise
//! Server).
//!
//! [`collect`] builds a Tokio runtime (async lives only inside this provider), lists the
//! targets (`--github OWNER/REPO`, every non-archived repository of `--github-org ORG` filtered
//! by `--include`/`--exclude` globs), and reads each repository with bounded concurrency
//! through [`client::Client`]. Each repository becomes a [`Repository`] with the id
//! `github:OWNER/REPO`: its pipeline files ([`tree`]) fill the same fields a checkout does,
//! and its settings ([`settings`]) fill [`Repository::github`]. Organization settings are read
//! once per organization and shared.

pub use crate::providers::cache;
pub mod client;
pub mod graphql;
pub mod settings;
pub mod tree;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::{Mutex, OnceCell};

use crate::facts::github::{Anchor, Evidence, GithubFacts, OrgFacts};
use crate::facts::{FileDiagnostic, FileKind, Location, Repository};
use crate::providers::remote::{self, Texts};
use client::{Client, ClientConfig, ClientError, StatsSnapshot, Token};
use settings::Access;

/// The public GitHub API.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// What to read and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// `OWNER/REPO` targets.
    pub repos: Vec<String>,
    /// Organizations whose non-archived repositories are read.
    pub orgs: Vec<String>,
    /// Globs over repository names of organizations (`api-*`); empty: all.
    pub include: Vec<String>,
    /// Globs over repository names to skip.
    pub exclude: Vec<String>,
    /// API base URL.
    pub api_url: String,
    /// Token (`GITHUB_TOKEN`/`GH_TOKEN`), if any.
    pub token: Option<Token>,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Longest total wait for rate limits.
    pub max_wait: Duration,
    /// Cache directory; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// Branches whose protection is read besides the default branch.
    pub protected_branches: Vec<String>,
    /// Regular expressions naming production environments (their branch patterns are read).
    pub production_environments: Vec<String>,
    /// Show a progress bar on standard error (only when it is a terminal).
    pub progress: bool,
    /// Retries for 5xx and timeouts.
    pub retries: u32,
    /// First backoff delay.
    pub backoff: Duration,
    /// Timeout of one request.
    pub timeout: Duration,
}

impl Options {
    /// Options for `api_url` with the defaults of the CLI.
    pub fn new(api_url: impl Into<String>, token: Option<String>) -> Self {
        let c = ClientConfig::new("", None);
        Self {
            repos: Vec::new(),
            orgs: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
            api_url: api_url.into(),
            token: token.map(Token::new),
            concurrency: c.concurrency,
            max_wait: c.max_wait,
            cache_dir: None,
            protected_branches: Vec::new(),
            production_environments: Vec::new(),
            progress: false,
            retries: c.retries,
            backoff: c.backoff,
            timeout: c.timeout,
        }
    }
}

/// What a collection produced.
#[derive(Debug)]
pub struct Collected {
    /// One per repository, in target order.
    pub repositories: Vec<Repository>,
    /// Request counters.
    pub stats: StatsSnapshot,
    /// The texts of the files read, by (repository id, path), for code frames in reports.
    pub sources: HashMap<(String, String), Arc<str>>,
}

/// A problem that stops the collection (nothing can be evaluated).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The client could not be built.
    #[error(transparent)]
    Build(#[from] client::BuildError),
    /// A target is not `OWNER/REPO`.
    #[error("`{0}` is not a GitHub repository: expected OWNER/REPO")]
    BadTarget(String),
    /// An `--include`/`--exclude` glob is invalid.
    #[error("invalid glob `{glob}`: {message}")]
    BadGlob {
        /// The glob.
        glob: String,
        /// The parser's message.
        message: String,
    },
    /// An organization's repositories could not be listed.
    #[error("cannot list the repositories of organization `{org}`: {reason}")]
    Org {
        /// The organization.
        org: String,
        /// Why.
        reason: String,
    },
    /// The runtime could not start.
    #[error("cannot start the HTTP runtime: {0}")]
    Runtime(String),
}

/// The token from `GITHUB_TOKEN`, else `GH_TOKEN` (empty values are ignored).
pub fn token_from_env() -> Option<String> {
    ["GITHUB_TOKEN", "GH_TOKEN"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
}

/// Reads every target.
pub fn collect(opts: &Options) -> Result<Collected, Error> {
    for r in &opts.repos {
        if parse_full_name(r).is_none() {
            return Err(Error::BadTarget(r.clone()));
        }
    }
    let bad_glob = |(glob, message)| Error::BadGlob { glob, message };
    let include = remote::globs(&opts.include).map_err(bad_glob)?;
    let exclude = remote::globs(&opts.exclude).map_err(bad_glob)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime(e.to_string()))?;
    runtime.block_on(async {
        let bar = remote::progress_bar(opts.progress, "GitHub", "repositories");
        let notify = remote::notifier(&bar);
        let client = Arc::new(Client::new(
            ClientConfig {
                base_url: opts.api_url.clone(),
                token: opts.token.clone(),
                concurrency: opts.concurrency,
                max_wait: opts.max_wait,
                cache_dir: opts.cache_dir.clone(),
                retries: opts.retries,
                timeout: opts.timeout,
                backoff: opts.backoff,
            },
            notify,
        )?);
        let mut names: Vec<String> = opts.repos.clone();
        for org in &opts.orgs {
            for name in list_org(&client, org).await? {
                let short = name.rsplit('/').next().unwrap_or(&name);
                let included = include.as_ref().is_none_or(|g| g.is_match(short));
                let excluded = exclude.as_ref().is_some_and(|g| g.is_match(short));
                if included && !excluded && !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        if let Some(b) = &bar {
            b.set_length(names.len() as u64);
        }
        let shared = Arc::new(Shared {
            client: client.clone(),
            // GraphQL needs a token; without one every file is read through REST.
            batcher: client
                .authenticated()
                .then(|| graphql::Batcher::start(client.clone(), names.len())),
            opts: opts.clone(),
            orgs: Mutex::new(HashMap::new()),
        });
        // Repositories run concurrently; the client's semaphore bounds the requests.
        let (out, sources) =
            remote::read_all(&names, opts.concurrency.max(1) * 4, &bar, |name: String| {
                let shared = shared.clone();
                async move { repository(&shared, &name).await }
            })
            .await;
        // A repository whose task did not finish is reported, never dropped.
        let repositories = out
            .into_iter()
            .zip(&names)
            .map(|(r, name)| {
                r.unwrap_or_else(|| {
                    unreadable(
                        &client,
                        format!("github:{name}"),
                        name,
                        "reading the repository stopped unexpectedly".into(),
                    )
                })
            })
            .collect();
        Ok(Collected {
            repositories,
            stats: client.stats(),
            sources,
        })
    })
}

/// `OWNER/REPO` split, when well formed.
pub fn parse_full_name(s: &str) -> Option<(&str, &str)> {
    let (o, r) = s.split_once('/')?;
    let ok = |x: &str| {
        !x.is_empty()
            && x.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    (ok(o) && ok(r) && r != "." && r != "..").then_some((o, r))
}

#[derive(Debug, Deserialize)]
struct RawListed {
    full_name: String,
    #[serde(default)]
    archived: bool,
}

async fn list_org(client: &Client, org: &str) -> Result<Vec<String>, Error> {
    let path = format!("/orgs/{org}/repos?type=all");
    let err = |reason: String| Error::Org {
        org: org.to_string(),
        reason,
    };
    match client.get_all::<RawListed>(&path, None, 1000).await {
        Ok(Ok(v)) => Ok(v
            .into_iter()
            .filter(|r| !r.archived)
            .map(|r| r.full_name)
            .collect()),
        Ok(Err(r)) => Err(err(format!(
            "GitHub answered {} \"{}\"",
            r.status,
            r.message()
        ))),
        Err(e) => Err(err(e.to_string())),
    }
}

struct Shared {
    client: Arc<Client>,
    batcher: Option<graphql::Batcher>,
    opts: Options,
    orgs: Mutex<HashMap<String, Arc<OnceCell<OrgData>>>>,
}

#[derive(Debug, Clone)]
struct OrgData {
    facts: OrgFacts,
    outside: settings::Outside,
}

async fn org_data(shared: &Shared, org: &str, access: &Access) -> OrgData {
    let cell = {
        let mut map = shared.orgs.lock().await;
        map.entry(org.to_string()).or_default().clone()
    };
    cell.get_or_init(|| async {
        let c = &shared.client;
        // Organization endpoints do not depend on the repository role.
        let org_access = Access {
            admin: None,
            ..access.clone()
        };
        let actions_path = format!("/orgs/{org}/actions/permissions");
        let (settings, actions, outside) = tokio::join!(
            settings::org_settings(c, &org_access, org),
            settings::actions(c, &org_access, &actions_path),
            settings::org_outside(c, &org_access, org),
        );
        OrgData {
            facts: OrgFacts {
                login: org.to_string(),
                settings,
                actions,
            },
            outside,
        }
    })
    .await
    .clone()
}

/// Reads one repository, with the texts of its pipeline files; never fails (what cannot be
/// read is unknown).
async fn repository(shared: &Shared, full: &str) -> (Repository, Texts) {
    let c = &shared.client;
    let id = format!("github:{full}");
    let path = format!("/repos/{full}");
    let raw = match c.get_json::<settings::RawRepo>(&path).await {
        Ok(Ok(r)) => r,
        Ok(Err(reply)) => {
            let why = match reply.status {
                404 => format!(
                    "GitHub answered 404: repository `{full}` does not exist or the token cannot see it"
                ),
                s => format!("GitHub answered {s} \"{}\"", reply.message()),
            };
            return (unreadable(c, id, full, why), Vec::new());
        }
        Err(e) => return (unreadable(c, id, full, describe_error(&e)), Vec::new()),
    };
    let full = raw.full_name.clone();
    let access = raw.access(c.authenticated());
    let settings_value = raw.settings();
    let public = settings_value.visibility == "public";
    let branch = raw.default_branch.clone();
    let is_org = raw.owner.kind == "Organization";
    let owner = raw.owner.login.clone();
    let prod = regexes(&shared.opts.production_environments);
    let wanted = |name: &str| prod.iter().any(|r| r.is_match(name));

    let actions_path = format!("/repos/{full}/actions/permissions");
    // Dependabot security updates cannot be on without Dependabot alerts: when the
    // repository shows them enabled, the alerts need not be asked.
    let alerts_shown = raw.feature("dependabot_security_updates") == Some("enabled");
    // Admin-only settings that GraphQL answers in the query that reads the blobs; asked only
    // when the token is known to administer the repository (otherwise REST reports why).
    let extras = tree::Extras {
        deploy_keys: access.admin == Some(true),
        vulnerability_alerts: access.admin == Some(true) && !alerts_shown,
    };
    let (default_bp, envs, actions, workflow, retention, fork, hooks, pvr, fetched) = tokio::join!(
        settings::branch_protection(c, &access, &full, &branch, true),
        settings::environments(c, &access, &full, &wanted),
        settings::actions(c, &access, &actions_path),
        settings::workflow_permissions(c, &access, &full),
        settings::retention(c, &access, &full),
        settings::fork_pr_approval(c, &access, &full, public),
        settings::webhooks(c, &access, &full),
        settings::private_vulnerability_reporting(c, &access, &full, public),
        tree::fetch(c, shared.batcher.as_ref(), &full, &branch, extras),
    );
    let graphql_url = |field: &str| format!("{}#repository.{field}", c.graphql_url());
    let keys = match fetched.deploy_keys {
        Some(value) => Evidence::Known {
            url: graphql_url("deployKeys"),
            value,
        },
        None => settings::deploy_keys(c, &access, &full).await,
    };
    let alerts = if alerts_shown {
        Evidence::Known {
            url: c.url(&path),
            value: true,
        }
    } else {
        match fetched.vulnerability_alerts {
            Some(value) => Evidence::Known {
                url: graphql_url("hasVulnerabilityAlertsEnabled"),
                value,
            },
            None => settings::dependabot_alerts(c, &access, &full).await,
        }
    };
    let files = fetched.files;
    let org = if is_org {
        Some(org_data(shared, &owner, &access).await)
    } else {
        None
    };
    let outside = org.as_ref().and_then(|o| o.outside.clone());
    let collaborators = settings::collaborators(c, &access, &full, &outside).await;
    let mut branches = Vec::new();
    for b in &shared.opts.protected_branches {
        if *b != branch
            && let Some(p) = settings::branch_protection(c, &access, &full, b, false).await
        {
            branches.push(p);
        }
    }

    let mut repo = match &files {
        Ok(f) => {
            let mut r = crate::providers::local_gha::collect_files(
                id.clone(),
                id.clone(),
                &f.paths,
                &f.texts,
            );
            for (p, why) in &f.problems {
                r.diagnostics.push(FileDiagnostic {
                    kind: FileKind::Workflow,
                    loc: Location::file(if p.is_empty() { ".github/workflows" } else { p }),
                    message: why.clone(),
                });
            }
            r
        }
        Err(why) => Repository {
            id: id.clone(),
            root: id.clone(),
            diagnostics: vec![FileDiagnostic {
                kind: FileKind::Workflow,
                loc: Location::file(".github/workflows"),
                message: why.clone(),
            }],
            ..Repository::default()
        },
    };
    let mut envs = envs;
    environment_secrets(c, &access, &full, &repo, &prod, &mut envs).await;
    let has_codeowners = match &files {
        Ok(f) => f.texts.keys().any(|k| k.ends_with("CODEOWNERS")),
        Err(_) => true,
    };
    let codeowners_errors = if has_codeowners {
        settings::codeowners_errors(c, &full, &branch).await
    } else {
        Evidence::NotApplicable {
            url: c.url(&format!("/repos/{full}/codeowners/errors")),
            reason: "the repository has no CODEOWNERS file".into(),
        }
    };
    let anchors = anchors(&repo, &full, &branch, &owner);
    repo.github = Some(Box::new(GithubFacts {
        api_url: c.base_url().to_string(),
        full_name: full.clone(),
        owner,
        authenticated: c.authenticated(),
        security_and_analysis: raw.security(c, &path, &access),
        repository: Evidence::Known {
            url: c.url(&path),
            value: settings_value,
        },
        default_branch: default_bp,
        branches,
        environments: envs,
        actions,
        workflow_permissions: workflow,
        retention_days: retention,
        fork_pr_approval: fork,
        collaborators,
        deploy_keys: keys,
        webhooks: hooks,
        dependabot_alerts: alerts,
        private_vulnerability_reporting: pvr,
        codeowners_errors,
        org: org.map(|o| o.facts),
        anchors,
    }));
    let texts = match files {
        Ok(f) => f
            .texts
            .into_iter()
            .map(|(path, text)| (path, Arc::from(text)))
            .collect(),
        Err(_) => Vec::new(),
    };
    (repo, texts)
}

/// Reads the own secrets of each production environment that a job reading secrets deploys
/// to, so CC8-018 can tell environment-scoped credentials from repository-wide ones. Other
/// environments are not asked (no request is spent where no rule needs it).
async fn environment_secrets(
    c: &Client,
    access: &Access,
    full: &str,
    repo: &Repository,
    prod: &[regex::Regex],
    envs: &mut Evidence<Vec<crate::facts::github::Environment>>,
) {
    let Evidence::Known { value, .. } = envs else {
        return;
    };
    let mut wanted: Vec<&str> = repo
        .workflows
        .iter()
        .flat_map(|w| &w.jobs)
        .filter(|j| !j.secrets_read.is_empty())
        .filter_map(|j| j.environment.as_deref())
        .filter(|e| prod.iter().any(|r| r.is_match(e)))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    for env in value.iter_mut() {
        if wanted.iter().any(|w| w.eq_ignore_ascii_case(&env.name)) {
            env.secrets = Some(settings::environment_secrets(c, access, full, &env.name).await);
        }
    }
}

fn regexes(patterns: &[String]) -> Vec<regex::Regex> {
    patterns
        .iter()
        .filter_map(|p| regex::Regex::new(p).ok())
        .collect()
}

fn describe_error(e: &ClientError) -> String {
    e.to_string()
}

/// A repository whose settings could not be read at all: every piece of evidence is unknown
/// with the same reason, and its pipeline files are missing evidence.
fn unreadable(c: &Client, id: String, full: &str, why: String) -> Repository {
    let url = c.url(&format!("/repos/{full}"));
    fn unknown<T>(url: &str, why: &str) -> Evidence<T> {
        Evidence::Unknown {
            url: url.to_string(),
            reason: why.to_string(),
            permission: None,
        }
    }
    let owner = full.split('/').next().unwrap_or("").to_string();
    Repository {
        id: id.clone(),
        root: id,
        diagnostics: vec![FileDiagnostic {
            kind: FileKind::Workflow,
            loc: Location::file(".github/workflows"),
            message: why.clone(),
        }],
        github: Some(Box::new(GithubFacts {
            api_url: c.base_url().to_string(),
            full_name: full.to_string(),
            owner: owner.clone(),
            authenticated: c.authenticated(),
            repository: unknown(&url, &why),
            security_and_analysis: unknown(&url, &why),
            default_branch: None,
            branches: Vec::new(),
            environments: unknown(&url, &why),
            actions: unknown(&url, &why),
            workflow_permissions: unknown(&url, &why),
            retention_days: unknown(&url, &why),
            fork_pr_approval: unknown(&url, &why),
            collaborators: unknown(&url, &why),
            deploy_keys: unknown(&url, &why),
            webhooks: unknown(&url, &why),
            dependabot_alerts: unknown(&url, &why),
            private_vulnerability_reporting: unknown(&url, &why),
            codeowners_errors: unknown(&url, &why),
            org: None,
            anchors: anchors(&Repository::default(), full, "", &owner),
        })),
        ..Repository::default()
    }
}

/// Where settings findings point (DESIGN §6): the governing file when there is one, else
/// `soc2.toml` line 1; with the logical name of the resource.
pub fn anchors(
    repo: &Repository,
    full: &str,
    branch: &str,
    owner: &str,
) -> BTreeMap<String, Anchor> {
    let base = format!("github://{full}");
    let fallback = Location::file("soc2.toml");
    let at = |loc: &Location, logical: String| Anchor {
        path: loc.path.to_string(),
        line: loc.line.max(1),
        column: loc.column.max(1),
        logical,
    };
    let codeowners = repo
        .codeowners
        .as_ref()
        .map_or(fallback.clone(), |c| c.loc.clone());
    let permissions = repo
        .workflows
        .iter()
        .filter(|w| w.kind == "workflow")
        .find_map(|w| w.locs.get("permissions").cloned())
        .or_else(|| {
            repo.workflows
                .iter()
                .find(|w| w.kind == "workflow")
                .map(|w| w.loc.clone())
        })
        .unwrap_or_else(|| fallback.clone());
    let environment = repo
        .workflows
        .iter()
        .flat_map(|w| &w.jobs)
        .find_map(|j| j.locs.get("environment").cloned())
        .unwrap_or_else(|| fallback.clone());
    let dependabot = repo
        .dependabot
        .as_ref()
        .map_or(fallback.clone(), |d| d.loc.clone());
    let security = repo
        .security_policy
        .as_ref()
        .map_or(fallback.clone(), |s| s.loc.clone());
    let branch_seg = settings::encode(branch);
    BTreeMap::from([
        ("github.repository".into(), at(&fallback, base.clone())),
        (
            "github.protection".into(),
            at(
                &fallback,
                format!("{base}/branches/{branch_seg}/protection"),
            ),
        ),
        (
            "github.reviews".into(),
            at(
                &codeowners,
                format!("{base}/branches/{branch_seg}/protection"),
            ),
        ),
        (
            "github.codeowners".into(),
            at(&codeowners, format!("{base}/codeowners")),
        ),
        (
            "github.token".into(),
            at(&permissions, format!("{base}/actions/permissions/workflow")),
        ),
        (
            "github.actions".into(),
            at(&permissions, format!("{base}/actions/permissions")),
        ),
        (
            "github.environments".into(),
            at(&environment, format!("{base}/environments")),
        ),
        (
            "github.access".into(),
            at(&fallback, format!("{base}/collaborators")),
        ),
        ("github.keys".into(), at(&fallback, format!("{base}/keys"))),
        (
            "github.hooks".into(),
            at(&fallback, format!("{base}/hooks")),
        ),
        (
            "github.security".into(),
            at(&dependabot, format!("{base}/security-and-analysis")),
        ),
        (
            "github.vulnerability_reporting".into(),
            at(&security, format!("{base}/private-vulnerability-reporting")),
        ),
        (
            "github.org".into(),
            at(&fallback, format!("github://{owner}")),
        ),
    ])
}
