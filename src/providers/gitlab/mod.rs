//! The GitLab API provider: project and group settings, and the CI configuration of remote
//! projects, read through GitLab's REST API (gitlab.com or a self-managed instance) with the
//! `gitlab` crate.
//!
//! [`collect`] builds a Tokio runtime (async lives only inside this provider), lists the
//! targets (`--gitlab GROUP/PROJECT`, every non-archived project of `--gitlab-group GROUP` and
//! its subgroups filtered by `--include`/`--exclude` globs), and reads each project with
//! bounded concurrency through [`client::Client`]. Each project becomes a [`Repository`] with
//! the id `gitlab:GROUP/PROJECT`: its files ([`tree`]) fill the same fields a checkout does,
//! and its settings ([`settings`]) fill [`Repository::gitlab`]. The settings of the groups
//! above a project are read once per run and shared.

pub mod client;
pub mod settings;
pub mod tree;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use gitlab::api::{self, Pagination, groups, projects};
use serde_json::Value;

use crate::facts::gitlab_settings::{Anchor, Evidence, GitlabFacts, GroupFacts, Variable};
use crate::facts::{FileDiagnostic, FileKind, Location, Repository};
use crate::providers::remote::{self, Texts};
use client::{Answer, Client, ClientConfig, StatsSnapshot, Token};

/// The public GitLab instance.
pub const DEFAULT_URL: &str = "https://gitlab.com";

/// What to read and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// `GROUP/PROJECT` targets.
    pub projects: Vec<String>,
    /// Groups whose non-archived projects (subgroups included) are read.
    pub groups: Vec<String>,
    /// Globs over project paths or names (`api-*`, `acme/platform/*`); empty: all.
    pub include: Vec<String>,
    /// Globs over project paths or names to skip.
    pub exclude: Vec<String>,
    /// The instance URL.
    pub url: String,
    /// Token (`GITLAB_TOKEN`), if any.
    pub token: Option<Token>,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Longest total wait for rate limits.
    pub max_wait: Duration,
    /// Cache directory; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// Branches whose protection is computed besides the default branch.
    pub protected_branches: Vec<String>,
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
    /// Options for the instance at `url` with the defaults of the CLI.
    pub fn new(url: impl Into<String>, token: Option<String>) -> Self {
        let c = ClientConfig::new("", None);
        Self {
            projects: Vec::new(),
            groups: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
            url: url.into(),
            token: token.map(Token::new),
            concurrency: c.concurrency,
            max_wait: c.max_wait,
            cache_dir: None,
            protected_branches: Vec::new(),
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
    /// One per project, in target order.
    pub repositories: Vec<Repository>,
    /// Request counters.
    pub stats: StatsSnapshot,
    /// The texts of the files read, by (repository id, path), for code frames in reports.
    pub sources: HashMap<(String, String), Arc<str>>,
}

/// A problem that stops the collection (nothing can be evaluated).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The client could not be built (bad URL, rejected token, unreachable instance).
    #[error(transparent)]
    Build(#[from] client::BuildError),
    /// A target is not `GROUP/PROJECT`.
    #[error("`{0}` is not a GitLab project: expected GROUP/PROJECT (subgroups allowed)")]
    BadTarget(String),
    /// An `--include`/`--exclude` glob is invalid.
    #[error("invalid glob `{glob}`: {message}")]
    BadGlob {
        /// The glob.
        glob: String,
        /// The parser's message.
        message: String,
    },
    /// A group's projects could not be listed.
    #[error("cannot list the projects of GitLab group `{group}`: {reason}")]
    Group {
        /// The group.
        group: String,
        /// Why.
        reason: String,
    },
    /// The runtime could not start.
    #[error("cannot start the HTTP runtime: {0}")]
    Runtime(String),
}

/// The token from `GITLAB_TOKEN` (an empty value is ignored).
pub fn token_from_env() -> Option<String> {
    std::env::var("GITLAB_TOKEN")
        .ok()
        .filter(|v| !v.trim().is_empty())
}

/// The instance URL: `--gitlab-url`, else `CI_SERVER_URL` (set inside GitLab CI jobs), else
/// gitlab.com.
pub fn default_url() -> String {
    std::env::var("CI_SERVER_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_string())
}

/// Whether `s` is a project path: at least two non-empty segments of GitLab's path
/// characters.
pub fn is_project_path(s: &str) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && *p != "."
                && *p != ".."
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
}

/// Reads every target.
pub fn collect(opts: &Options) -> Result<Collected, Error> {
    for p in &opts.projects {
        if !is_project_path(p) {
            return Err(Error::BadTarget(p.clone()));
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
        let bar = remote::progress_bar(opts.progress, "GitLab", "projects");
        let notify = remote::notifier(&bar);
        let client = Arc::new(
            Client::new(
                ClientConfig {
                    base_url: opts.url.clone(),
                    token: opts.token.clone(),
                    concurrency: opts.concurrency,
                    max_wait: opts.max_wait,
                    cache_dir: opts.cache_dir.clone(),
                    retries: opts.retries,
                    timeout: opts.timeout,
                    backoff: opts.backoff,
                },
                notify,
            )
            .await?,
        );
        let mut names: Vec<String> = opts.projects.clone();
        for group in &opts.groups {
            for (path, short) in list_group(&client, group).await? {
                let matches = |g: &globset::GlobSet| g.is_match(&path) || g.is_match(&short);
                let included = include.as_ref().is_none_or(matches);
                let excluded = exclude.as_ref().is_some_and(matches);
                if included && !excluded && !names.contains(&path) {
                    names.push(path);
                }
            }
        }
        if let Some(b) = &bar {
            b.set_length(names.len() as u64);
        }
        let shared = Arc::new(Shared {
            client: client.clone(),
            opts: opts.clone(),
        });
        let (out, sources) =
            remote::read_all(&names, opts.concurrency.max(1) * 4, &bar, |name: String| {
                let shared = shared.clone();
                async move { project(&shared, &name).await }
            })
            .await;
        // A project whose task did not finish is reported, never dropped.
        let repositories = out
            .into_iter()
            .zip(&names)
            .map(|(r, name)| {
                r.unwrap_or_else(|| {
                    unreadable(
                        &client,
                        name,
                        "reading the project stopped unexpectedly".into(),
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

/// The non-archived projects of `group` and its subgroups, as (full path, name).
async fn list_group(client: &Client, group: &str) -> Result<Vec<(String, String)>, Error> {
    let err = |reason: String| Error::Group {
        group: group.to_string(),
        reason,
    };
    let endpoint = groups::projects::GroupProjects::builder()
        .group(group)
        .include_subgroups(true)
        .archived(false)
        .with_shared(false)
        .simple(true)
        .build()
        .map_err(|e| err(e.to_string()))?;
    match client
        .query::<Vec<Value>, _>(&api::paged(endpoint, Pagination::Limit(20_000)))
        .await
    {
        Answer::Ok(items) => Ok(items
            .iter()
            // `simple` answers may omit `archived`; GitLab already filtered on it.
            .filter(|v| !v["archived"].as_bool().unwrap_or(false))
            .filter_map(|v| {
                Some((
                    v["path_with_namespace"].as_str()?.to_string(),
                    v["path"].as_str().unwrap_or_default().to_string(),
                ))
            })
            .collect()),
        Answer::Status { status: 404, .. } => Err(err(
            "GitLab answered 404: the group does not exist or the token cannot see it".into(),
        )),
        Answer::Status { status, message } => {
            Err(err(format!("GitLab answered {status} \"{message}\"")))
        }
        Answer::Failed(why) => Err(err(why)),
    }
}

struct Shared {
    client: Arc<Client>,
    opts: Options,
}

/// Reads one project, with the texts of its files; never fails (what cannot be read is
/// unknown).
async fn project(shared: &Shared, path: &str) -> (Repository, Texts) {
    let c = &shared.client;
    let answer = match projects::Project::builder().project(path).build() {
        Ok(e) => c.query::<Value, _>(&e).await,
        Err(e) => Answer::Failed(e.to_string()),
    };
    let read = match answer {
        Answer::Ok(v) => settings::project_settings(&v),
        Answer::Status { status: 404, .. } if !c.authenticated() => Err(format!(
            "GitLab answered 404: project `{path}` does not exist or is not public; no token was given (set GITLAB_TOKEN)"
        )),
        Answer::Status { status: 404, .. } => Err(format!(
            "GitLab answered 404: project `{path}` does not exist or the token cannot see it"
        )),
        Answer::Status { status, message } => Err(format!(
            "GitLab answered {status} \"{message}\" for project `{path}`"
        )),
        Answer::Failed(why) => Err(why),
    };
    let read = match read {
        Ok(r) => r,
        Err(why) => return (unreadable(c, path, why), Vec::new()),
    };
    let s = read.settings.clone();
    let id = s.id;
    let full = if s.path_with_namespace.is_empty() {
        path.to_string()
    } else {
        s.path_with_namespace.clone()
    };
    let branch = s.default_branch.clone();
    let ci_path = if s.ci_config_path.trim().is_empty() {
        crate::providers::local_gitlab::ROOT.to_string()
    } else {
        s.ci_config_path.trim().to_string()
    };
    let ancestors: Vec<String> = if s.namespace_kind == "group" {
        let parts: Vec<&str> = s.namespace_path.split('/').collect();
        (1..=parts.len()).map(|n| parts[..n].join("/")).collect()
    } else {
        Vec::new()
    };
    let groups_fut = async {
        let mut out = Vec::new();
        for g in &ancestors {
            let (settings, vars) =
                tokio::join!(settings::group(c, g), settings::group_variables(c, g));
            out.push((
                GroupFacts {
                    full_path: g.clone(),
                    settings,
                },
                vars,
            ));
        }
        out
    };
    let files_fut = async {
        if branch.is_empty() {
            Err("the repository is empty (no default branch)".to_string())
        } else {
            tree::fetch(c, id, &branch, &ci_path).await
        }
    };
    let (pb, approvals, rules, push, envs, members, vars, keys, hooks, job_token, groups, files) = tokio::join!(
        settings::protected_branches(c, id),
        settings::approvals(c, id),
        settings::approval_rules(c, id),
        settings::push_rule(c, id),
        settings::environments(c, id),
        settings::members(c, id),
        settings::project_variables(c, id),
        settings::deploy_keys(c, id),
        settings::webhooks(c, id),
        settings::job_token_scope(c, id),
        groups_fut,
        files_fut,
    );
    let default_branch =
        (!branch.is_empty()).then(|| settings::branch_protection(&branch, &pb, &approvals, &rules));
    let branches = shared
        .opts
        .protected_branches
        .iter()
        .filter(|b| **b != branch)
        .map(|b| settings::branch_protection(b, &pb, &approvals, &rules))
        .collect();
    let variables = combine_variables(vars, groups.iter().map(|(_, v)| v));
    let repo_id = format!("gitlab:{full}");
    let mut repo = match &files {
        Ok(f) => {
            let mut r = crate::providers::local_gha::collect_files(
                repo_id.clone(),
                repo_id.clone(),
                &f.paths,
                &f.texts,
            );
            if let Some(p) = &f.codeowners
                && let Some(text) = f.texts.get(p)
            {
                r.codeowners = Some(crate::providers::local_gha::codeowners::parse(p, text));
            }
            r.pipelines = f.pipelines.clone();
            r.diagnostics.extend(f.diagnostics.iter().cloned());
            r.suppressions.extend(f.suppressions.iter().cloned());
            r
        }
        Err(why) => Repository {
            id: repo_id.clone(),
            root: repo_id.clone(),
            diagnostics: vec![FileDiagnostic {
                kind: FileKind::GitlabCi,
                loc: Location::file(ci_path.as_str()),
                message: why.clone(),
            }],
            ..Repository::default()
        },
    };
    let anchors = anchors(&repo, c.instance(), &full, &branch, &s.namespace_path);
    repo.gitlab = Some(Box::new(GitlabFacts {
        api_url: c.api_url(),
        path: full.clone(),
        authenticated: c.authenticated(),
        role: read.role,
        project: Evidence::Known {
            url: format!("{}/projects/{id}", c.api_url()),
            value: s,
        },
        default_branch,
        branches,
        protected_branches: pb,
        approvals,
        approval_rules: rules,
        push_rule: push,
        environments: envs,
        members,
        variables,
        deploy_keys: keys,
        webhooks: hooks,
        job_token_scope: job_token,
        groups: groups.into_iter().map(|(g, _)| g).collect(),
        anchors,
    }));
    let texts = match files {
        Ok(f) => f
            .texts
            .into_iter()
            .map(|(p, t)| (p, Arc::from(t)))
            .collect(),
        Err(_) => Vec::new(),
    };
    (repo, texts)
}

/// The project's variables with those of every group above it. Variables of a group that
/// could not be read leave the whole list unknown: a rule must not pass on half of them.
fn combine_variables<'a>(
    project: Evidence<Vec<Variable>>,
    groups: impl Iterator<Item = &'a Evidence<Vec<Variable>>>,
) -> Evidence<Vec<Variable>> {
    let Evidence::Known { url, mut value } = project else {
        return project;
    };
    for g in groups {
        match g {
            Evidence::Known { value: v, .. } => value.extend(v.iter().cloned()),
            Evidence::Unknown {
                url: gurl,
                reason,
                permission,
            } => {
                return Evidence::Unknown {
                    url: gurl.clone(),
                    reason: format!(
                        "the project's {} variable(s) were read, but {reason}",
                        value.len()
                    ),
                    permission: permission.clone(),
                };
            }
            Evidence::NotApplicable { .. } => {}
        }
    }
    Evidence::Known { url, value }
}

/// A project whose settings could not be read at all: every piece of evidence is unknown
/// with the same reason, and its CI configuration is missing evidence.
fn unreadable(c: &Client, path: &str, why: String) -> Repository {
    let url = format!("{}/projects/{}", c.api_url(), settings::encode(path));
    fn unknown<T>(url: &str, why: &str) -> Evidence<T> {
        Evidence::Unknown {
            url: url.to_string(),
            reason: why.to_string(),
            permission: None,
        }
    }
    let id = format!("gitlab:{path}");
    Repository {
        id: id.clone(),
        root: id,
        diagnostics: vec![FileDiagnostic {
            kind: FileKind::GitlabCi,
            loc: Location::file(crate::providers::local_gitlab::ROOT),
            message: why.clone(),
        }],
        gitlab: Some(Box::new(GitlabFacts {
            api_url: c.api_url(),
            path: path.to_string(),
            authenticated: c.authenticated(),
            role: None,
            project: unknown(&url, &why),
            default_branch: None,
            branches: Vec::new(),
            protected_branches: unknown(&url, &why),
            approvals: unknown(&url, &why),
            approval_rules: unknown(&url, &why),
            push_rule: unknown(&url, &why),
            environments: unknown(&url, &why),
            members: unknown(&url, &why),
            variables: unknown(&url, &why),
            deploy_keys: unknown(&url, &why),
            webhooks: unknown(&url, &why),
            job_token_scope: unknown(&url, &why),
            groups: Vec::new(),
            anchors: anchors(&Repository::default(), c.instance(), path, "", ""),
        })),
        ..Repository::default()
    }
}

/// Where settings findings point (DESIGN §6): the governing file when there is one (the CI
/// configuration for pipeline settings, CODEOWNERS for approvals), else `soc2.toml` line 1;
/// with the logical name of the resource (`gitlab://gitlab.com/acme/api/protected_branches/main`).
pub fn anchors(
    repo: &Repository,
    instance: &str,
    full: &str,
    branch: &str,
    group: &str,
) -> BTreeMap<String, Anchor> {
    let host = instance.split_once("://").map_or(instance, |(_, h)| h);
    let base = format!("gitlab://{host}/{full}");
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
    let ci = repo
        .pipelines
        .first()
        .map_or(fallback.clone(), |p| Location::file(p.path.as_str()));
    let environment = repo
        .pipelines
        .iter()
        .flat_map(|p| &p.jobs)
        .find_map(|j| j.locs.get("environment").cloned())
        .unwrap_or_else(|| fallback.clone());
    let branch_seg = settings::encode(branch);
    let group_logical = if group.is_empty() {
        format!("gitlab://{host}")
    } else {
        format!("gitlab://{host}/{group}")
    };
    BTreeMap::from([
        ("gitlab.project".into(), at(&fallback, base.clone())),
        (
            "gitlab.protection".into(),
            at(&fallback, format!("{base}/protected_branches/{branch_seg}")),
        ),
        (
            "gitlab.approvals".into(),
            at(&codeowners, format!("{base}/approvals")),
        ),
        (
            "gitlab.codeowners".into(),
            at(
                &codeowners,
                format!("{base}/protected_branches/{branch_seg}"),
            ),
        ),
        (
            "gitlab.push_rule".into(),
            at(&fallback, format!("{base}/push_rule")),
        ),
        (
            "gitlab.environments".into(),
            at(&environment, format!("{base}/protected_environments")),
        ),
        (
            "gitlab.members".into(),
            at(&fallback, format!("{base}/members")),
        ),
        ("gitlab.group".into(), at(&fallback, group_logical)),
        (
            "gitlab.variables".into(),
            at(&ci, format!("{base}/variables")),
        ),
        (
            "gitlab.keys".into(),
            at(&fallback, format!("{base}/deploy_keys")),
        ),
        (
            "gitlab.hooks".into(),
            at(&fallback, format!("{base}/hooks")),
        ),
        (
            "gitlab.job_token".into(),
            at(&ci, format!("{base}/job_token_scope")),
        ),
        (
            "gitlab.ci".into(),
            at(&ci, format!("{base}/settings/ci_cd")),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_paths_need_a_namespace() {
        assert!(is_project_path("acme/api"));
        assert!(is_project_path("acme/platform/api.v2"));
        assert!(!is_project_path("api"));
        assert!(!is_project_path("acme//api"));
        assert!(!is_project_path("acme/../api"));
        assert!(!is_project_path("https://gitlab.com/acme/api"));
    }
}
