//! Rust helper functions callable from rule conditions.
//!
//! Anything costly or fiddly (regular expressions, globbing, credential shapes, shell parsing)
//! lives here with its patterns compiled once, so conditions stay short and fast. Each helper
//! is listed in [`HELPERS`] with the documentation `soc2 rules explain` and the rule-writing
//! guide show.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use cel::common::types::{CelList, CelMap, CelMapKey as Key, CelString};
use cel::common::value::Val;
use cel::{ExecutionError, FunctionContext, Value};
use regex::Regex;

/// A helper's name, signature and meaning.
#[derive(Debug, Clone, Copy)]
pub struct Helper {
    /// Name as called from CEL.
    pub name: &'static str,
    /// Signature, for documentation.
    pub signature: &'static str,
    /// What it returns.
    pub doc: &'static str,
}

/// Every helper function available to rule conditions.
pub const HELPERS: &[Helper] = &[
    Helper {
        name: "is_sha",
        signature: "is_sha(ref: string) -> bool",
        doc: "true when `ref` is a full 40-hex (SHA-1) or 64-hex (SHA-256) commit id",
    },
    Helper {
        name: "lower",
        signature: "lower(text: string) -> string",
        doc: "`text` in lower case, for comparing values GitHub treats case-insensitively (runner labels, `true`/`false` in `env:`)",
    },
    Helper {
        name: "matches_any",
        signature: "matches_any(text: string, patterns: list<string>) -> bool",
        doc: "true when any regular expression in `patterns` matches somewhere in `text`",
    },
    Helper {
        name: "glob_match",
        signature: "glob_match(pattern: string, text: string) -> bool",
        doc: "true when the glob `pattern` (`*`, `**`, `?`, `[...]`, `{a,b}`) matches all of `text`",
    },
    Helper {
        name: "is_secret_like",
        signature: "is_secret_like(text: string) -> bool",
        doc: "true when `text` contains a well-known credential shape (AWS key id, GitHub or GitLab token, private key, ...)",
    },
    Helper {
        name: "untrusted_refs",
        signature: "untrusted_refs(expression: string) -> list<string>",
        doc: "the attacker-controllable contexts (`github.event.issue.title`, `github.head_ref`, ...) a GitHub expression reads",
    },
    Helper {
        name: "reads_pr_head",
        signature: "reads_pr_head(text: string, envs: list<map>) -> bool",
        doc: "true when `text` names the pull request's head (`github.event.pull_request.head.sha`, `github.head_ref`, `refs/pull/...`, `pull/N/head`, `github.event.workflow_run.head_sha`, a step output named `head*`/`pr*`/`sha*`/`ref*`, ...), directly or through a variable of one of the `envs` maps (`env.NAME`, `$NAME`) whose value does",
    },
    Helper {
        name: "fetches_pr_head",
        signature: "fetches_pr_head(script: string, envs: list<map>) -> bool",
        doc: "true when a line of `script` fetches or checks out the pull request's head: `gh pr checkout`, `git fetch ... pull/N/head`, or a `git fetch`/`checkout`/`switch`/`reset`/`pull`/`worktree` command that `reads_pr_head`",
    },
    Helper {
        name: "pipes_to_shell",
        signature: "pipes_to_shell(script: string) -> bool",
        doc: "true when a script runs downloaded code unverified (`curl ... | sh`, `bash <(curl ...)`, `iwr ... | iex`)",
    },
    Helper {
        name: "secret_refs",
        signature: "secret_refs(text: string) -> list<string>",
        doc: "names of the secrets a text reads through `secrets.NAME` or `secrets['NAME']`, except `GITHUB_TOKEN`",
    },
    Helper {
        name: "step_matches",
        signature: "step_matches(step: map, actions: list<string>, commands: list<string>) -> bool",
        doc: "true when the step uses one of `actions` or its `run:` matches one of the regular expressions `commands`; an action is an `owner/repo[/path]` prefix, optionally with input conditions in braces: `docker/build-push-action{sbom=true}`, `{key!=value}`, `{!key}` (absent), `{key}` (present)",
    },
    Helper {
        name: "codeowners_owners",
        signature: "codeowners_owners(rules: list<map>, path: string) -> list<string>",
        doc: "the owners CODEOWNERS gives `path`: those of the last rule (`{pattern, owners}`) whose pattern matches it, as GitHub reads the file (`/` anchors to the root, a pattern without a slash matches at any depth, `*` stays within a directory, `**` crosses them, a directory pattern covers everything below it); empty when no rule matches or the last one names nobody",
    },
    Helper {
        name: "runs_tool",
        signature: "runs_tool(scope: map, actions: list<string>, commands: list<string>, triggers: list<string>) -> bool",
        doc: "true when any step (or reusable-workflow call) inside `scope` (a repository, workflow, job or step) matches as in `step_matches`; with a non-empty `triggers`, only workflows triggered by one of those events count. Walks the facts in place, far cheaper than nested `exists` macros",
    },
    Helper {
        name: "find_steps",
        signature: "find_steps(scope: map, actions: list<string>, commands: list<string>, triggers: list<string>) -> list<map>",
        doc: "the steps inside `scope` (a repository, workflow or job) that match as in `step_matches`, each as `{path, job, line, step}`: the workflow file, the job id, the step's 1-based line and the step itself; with a non-empty `triggers`, only workflows triggered by one of those events count. Lets a rule filter matches further and cite them (`path:line`)",
    },
    Helper {
        name: "gitlab_runs_tool",
        signature: "gitlab_runs_tool(scope: map, includes: list<string>, commands: list<string>) -> bool",
        doc: "GitLab CI: true when `scope` (a repository, pipeline or job) includes a template or CI/CD component matching one of the glob patterns `includes` (template names such as `Jobs/SAST.gitlab-ci.yml`; component paths without host and version such as `components/sast/*`), or when a job's script line matches one of the regular expressions `commands`",
    },
];

/// Registers every helper on `ctx`.
pub(super) fn register(ctx: &mut cel::Context<'static, 'static>) {
    fn add(_: &mut cel::Context<'static, 'static>, r: Result<(), cel::DeclarationError>) {
        r.expect("helper names are fixed and do not clash with CEL's standard library");
    }
    let r = ctx.add_function("is_sha", |s: Arc<String>| is_sha(&s));
    add(ctx, r);
    let r = ctx.add_function("lower", |s: Arc<String>| -> Arc<String> {
        Arc::new(s.to_lowercase())
    });
    add(ctx, r);
    let r = ctx.add_function(
        "matches_any",
        |ftx: &FunctionContext| -> Result<Value, ExecutionError> {
            let [text, patterns] = ftx.args.as_slice() else {
                return Err(ftx.error("expects (text, patterns)"));
            };
            let text =
                as_str(text.as_ref()).ok_or_else(|| ftx.error("the text must be a string"))?;
            matches_any(text, &strs(patterns.as_ref())).map(Value::Bool)
        },
    );
    add(ctx, r);
    let r = ctx.add_function(
        "glob_match",
        |pattern: Arc<String>, s: Arc<String>| -> Result<Value, ExecutionError> {
            glob_match(&pattern, &s).map(Value::Bool)
        },
    );
    add(ctx, r);
    let r = ctx.add_function("is_secret_like", |s: Arc<String>| {
        crate::secrets::known_token_kind(&s).is_some()
    });
    add(ctx, r);
    let r = ctx.add_function("untrusted_refs", |s: Arc<String>| -> Arc<Vec<Value>> {
        Arc::new(
            untrusted_references(&s)
                .into_iter()
                .map(|r| Value::String(Arc::new(r)))
                .collect(),
        )
    });
    add(ctx, r);
    let r = ctx.add_function(
        "reads_pr_head",
        |ftx: &FunctionContext| -> Result<Value, ExecutionError> {
            let [text, envs] = ftx.args.as_slice() else {
                return Err(ftx.error("expects (text, envs)"));
            };
            let text =
                as_str(text.as_ref()).ok_or_else(|| ftx.error("the text must be a string"))?;
            Ok(Value::Bool(reads_pr_head(
                text,
                &pr_head_vars(envs.as_ref()),
            )))
        },
    );
    add(ctx, r);
    let r = ctx.add_function(
        "fetches_pr_head",
        |ftx: &FunctionContext| -> Result<Value, ExecutionError> {
            let [script, envs] = ftx.args.as_slice() else {
                return Err(ftx.error("expects (script, envs)"));
            };
            let script =
                as_str(script.as_ref()).ok_or_else(|| ftx.error("the script must be a string"))?;
            Ok(Value::Bool(fetches_pr_head(
                script,
                &pr_head_vars(envs.as_ref()),
            )))
        },
    );
    add(ctx, r);
    let r = ctx.add_function("pipes_to_shell", |s: Arc<String>| pipes_to_shell(&s));
    add(ctx, r);
    let r = ctx.add_function("secret_refs", |s: Arc<String>| -> Arc<Vec<Value>> {
        Arc::new(
            secret_refs(&s)
                .into_iter()
                .map(|r| Value::String(Arc::new(r)))
                .collect(),
        )
    });
    add(ctx, r);
    let r = ctx.add_function(
        "step_matches",
        |ftx: &FunctionContext| -> Result<Value, ExecutionError> {
            let [step, actions, commands] = ftx.args.as_slice() else {
                return Err(ftx.error("expects (step, actions, commands)"));
            };
            step_matches(
                step.as_ref(),
                &strs(actions.as_ref()),
                &strs(commands.as_ref()),
            )
            .map(Value::Bool)
        },
    );
    add(ctx, r);
    let r = ctx.add_function(
        "codeowners_owners",
        |ftx: &FunctionContext| -> Result<Value, ExecutionError> {
            let [rules, path] = ftx.args.as_slice() else {
                return Err(ftx.error("expects (rules, path)"));
            };
            let path =
                as_str(path.as_ref()).ok_or_else(|| ftx.error("the path must be a string"))?;
            let rules: Vec<(&str, Vec<&str>)> = list_items(rules.as_ref())
                .iter()
                .filter_map(|r| {
                    let owners = map_get(r.as_ref(), "owners").map(strs).unwrap_or_default();
                    field(r.as_ref(), "pattern").map(|p| (p, owners))
                })
                .collect();
            Ok(Value::List(Arc::new(
                codeowners_owners(&rules, path)
                    .into_iter()
                    .map(|o| Value::String(Arc::new(o.to_string())))
                    .collect(),
            )))
        },
    );
    add(ctx, r);
    let r = ctx.add_function(
        "runs_tool",
        |ftx: &FunctionContext| -> Result<Value, ExecutionError> {
            let [scope, actions, commands, triggers] = ftx.args.as_slice() else {
                return Err(ftx.error("expects (scope, actions, commands, triggers)"));
            };
            runs_tool(
                scope.as_ref(),
                &strs(actions.as_ref()),
                &strs(commands.as_ref()),
                &strs(triggers.as_ref()),
            )
            .map(Value::Bool)
        },
    );
    add(ctx, r);
    let r = ctx.add_function(
        "find_steps",
        |ftx: &FunctionContext| -> Result<Value, ExecutionError> {
            let [scope, actions, commands, triggers] = ftx.args.as_slice() else {
                return Err(ftx.error("expects (scope, actions, commands, triggers)"));
            };
            let found = find_steps(
                scope.as_ref(),
                &strs(actions.as_ref()),
                &strs(commands.as_ref()),
                &strs(triggers.as_ref()),
            )?;
            Ok(Value::List(Arc::new(found)))
        },
    );
    add(ctx, r);
    let r = ctx.add_function(
        "gitlab_runs_tool",
        |ftx: &FunctionContext| -> Result<Value, ExecutionError> {
            let [scope, includes, commands] = ftx.args.as_slice() else {
                return Err(ftx.error("expects (scope, includes, commands)"));
            };
            gitlab_runs_tool(
                scope.as_ref(),
                &strs(includes.as_ref()),
                &strs(commands.as_ref()),
            )
            .map(Value::Bool)
        },
    );
    add(ctx, r);
}

/// The name an include is matched by: a template's name, a component's path without host and
/// version, or a project include's `project/file` paths.
fn include_names(include: &dyn Val) -> Vec<String> {
    let kind = field(include, "kind").unwrap_or("");
    let target = field(include, "target").unwrap_or("");
    match kind {
        "template" => vec![target.to_string()],
        "component" => {
            let address = field(include, "component").unwrap_or(target);
            let path = address.split_once('/').map_or(address, |(_, p)| p);
            vec![path.to_string()]
        }
        "project" => map_get(include, "files")
            .map(list_items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|f| as_str(f.as_ref()))
            .map(|f| format!("{target}/{}", f.trim_start_matches('/')))
            .collect(),
        _ => Vec::new(),
    }
}

/// Walks a repository, GitLab CI pipeline or job in place: a matching include, or a script
/// line matching a command.
fn gitlab_runs_tool(
    scope: &dyn Val,
    includes: &[&str],
    commands: &[&str],
) -> Result<bool, ExecutionError> {
    if let Some(pipelines) = map_get(scope, "pipelines") {
        for p in list_items(pipelines) {
            if gitlab_runs_tool(p.as_ref(), includes, commands)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if let Some(list) = map_get(scope, "includes") {
        for inc in list_items(list) {
            for name in include_names(inc.as_ref()) {
                for pattern in includes {
                    if glob_match(pattern, &name)? {
                        return Ok(true);
                    }
                }
            }
        }
    }
    if let Some(jobs) = map_get(scope, "jobs") {
        for j in list_items(jobs) {
            if gitlab_runs_tool(j.as_ref(), includes, commands)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if let Some(script) = map_get(scope, "script") {
        for line in list_items(script) {
            if let Some(text) = as_str(line.as_ref())
                && matches_any(text, commands)?
            {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The owners of `path` under CODEOWNERS `rules` (pattern, owners) in file order: the last
/// matching rule wins, as on GitHub.
pub fn codeowners_owners<'a>(rules: &[(&'a str, Vec<&'a str>)], path: &str) -> Vec<&'a str> {
    rules
        .iter()
        .rev()
        .find(|(pattern, _)| codeowners_match(pattern, path))
        .map(|(_, owners)| owners.clone())
        .unwrap_or_default()
}

/// Whether a CODEOWNERS pattern matches a file path (gitignore-like, as GitHub documents).
fn codeowners_match(pattern: &str, path: &str) -> bool {
    let anchored = pattern.starts_with('/');
    let dir_only = pattern.ends_with('/');
    let p = pattern.trim_start_matches('/').trim_end_matches('/');
    if p.is_empty() {
        return false;
    }
    let base = if anchored || p.contains('/') {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    let candidates = if dir_only {
        vec![format!("{base}/**")]
    } else {
        vec![base.clone(), format!("{base}/**")]
    };
    CODEOWNERS_GLOBS.with(|cache| {
        let mut cache = cache.borrow_mut();
        candidates.iter().any(|g| {
            if !cache.contains_key(g) {
                let Ok(m) = globset::GlobBuilder::new(g)
                    .literal_separator(true)
                    .build()
                    .map(|g| g.compile_matcher())
                else {
                    return false;
                };
                cache.insert(g.clone(), m);
            }
            cache.get(g).is_some_and(|m| m.is_match(path))
        })
    })
}

thread_local! {
    static CODEOWNERS_GLOBS: RefCell<HashMap<String, globset::GlobMatcher>> =
        RefCell::new(HashMap::new());
}

/// Whether `s` is a full commit id.
pub fn is_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

thread_local! {
    static REGEXES: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
    static GLOBS: RefCell<HashMap<String, globset::GlobMatcher>> = RefCell::new(HashMap::new());
}

/// A CEL string, borrowed.
fn as_str(v: &dyn Val) -> Option<&str> {
    v.downcast_ref::<CelString>().map(CelString::inner)
}

/// The strings of a CEL list, borrowed (other items are ignored).
fn strs(v: &dyn Val) -> Vec<&str> {
    v.downcast_ref::<CelList>()
        .map(|l| {
            l.inner()
                .iter()
                .filter_map(|i| as_str(i.as_ref()))
                .collect()
        })
        .unwrap_or_default()
}

/// A string field of a CEL map, borrowed.
fn field<'v>(map: &'v dyn Val, key: &'v str) -> Option<&'v str> {
    let map = map.downcast_ref::<CelMap>()?;
    as_str(map.inner().get(&Key::from(key))?.as_ref())
}

/// Whether any regex of `patterns` matches in `text`; patterns are compiled once per thread.
fn matches_any(text: &str, patterns: &[&str]) -> Result<bool, ExecutionError> {
    REGEXES.with(|cache| {
        let mut cache = cache.borrow_mut();
        for &p in patterns {
            if !cache.contains_key(p) {
                let re = Regex::new(p).map_err(|e| {
                    ExecutionError::function_error(
                        "matches_any",
                        format!("invalid pattern `{p}`: {e}"),
                    )
                })?;
                cache.insert(p.to_string(), re);
            }
            if cache.get(p).is_some_and(|re| re.is_match(text)) {
                return Ok(true);
            }
        }
        Ok(false)
    })
}

fn glob_match(pattern: &str, text: &str) -> Result<bool, ExecutionError> {
    GLOBS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(pattern) {
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| ExecutionError::function_error("glob_match", e))?;
            cache.insert(pattern.to_string(), glob.compile_matcher());
        }
        Ok(cache.get(pattern).is_some_and(|g| g.is_match(text)))
    })
}

static CONTEXT_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\bgithub\s*(?:\.\s*[A-Za-z_][A-Za-z0-9_-]*|\[\s*'[^']*'\s*\]|\[\s*[0-9*]+\s*\]|\.\s*\*)+",
    )
    .expect("valid regex")
});

static UNTRUSTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^github\.(?:head_ref",
        r"|event",
        r"|event\.(?:issue|pull_request|discussion|comment|review|review_comment|head_commit|workflow_run|commits|pages)",
        r"|event\.(?:issue|pull_request|discussion)\.(?:title|body)",
        r"|event\.(?:comment|review|review_comment)\.body",
        r"|event\.pages\.\*\.page_name",
        r"|event\.commits\.\*\.(?:message|author\.email|author\.name)",
        r"|event\.head_commit\.(?:message|author\.email|author\.name|committer\.email|committer\.name)",
        r"|event\.workflow_run\.(?:head_branch|display_title|head_commit\.message|head_commit\.author\.email|head_commit\.author\.name|head_repository\.description)",
        r"|event\.workflow_run\.pull_requests\.\*\.head\.ref",
        r"|event\.pull_request\.head\.(?:ref|label|repo\.default_branch|repo\.description|repo\.homepage)",
        r"|event\.merge_group\.head_commit\.message",
        r")$"
    ))
    .expect("valid regex")
});

/// The attacker-controllable contexts that a GitHub expression reads.
pub fn untrusted_references(expression: &str) -> Vec<String> {
    let mut out = Vec::new();
    for m in CONTEXT_PATH.find_iter(expression) {
        let path = normalize_path(m.as_str());
        // A path that continues to a field of an untrusted object is reported as written.
        let untrusted =
            UNTRUSTED.is_match(&path) || prefixes(&path).any(|p| is_untrusted_leaf(p) && p != path);
        if untrusted && !out.contains(&path) {
            out.push(path);
        }
    }
    out
}

fn is_untrusted_leaf(path: &str) -> bool {
    UNTRUSTED.is_match(path) && path.matches('.').count() >= 3
}

fn prefixes(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('.').map(move |(i, _)| &path[..i])
}

/// `github['event'].commits[0].message` → `github.event.commits.*.message`.
fn normalize_path(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars().filter(|c| !c.is_whitespace()).peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    inner.push(c);
                }
                let inner = inner.trim_matches('\'');
                out.push('.');
                if inner.chars().all(|c| c.is_ascii_digit()) || inner == "*" {
                    out.push('*');
                } else {
                    out.push_str(inner);
                }
            }
            c => out.push(c),
        }
    }
    out
}

static REMOTE_EXEC: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r#"(?i)\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+)?(?:[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|'[^']*'|\S+)\s+)*(?:ba|z|k|da|fi)?sh\b"#,
        r"(?i)\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+)?(?:python[0-9.]*|perl|ruby|node)\b",
        r"(?i)\b(?:ba|z|k)?sh\s+<\(\s*(?:curl|wget)\b",
        r"(?i)\bsource\s+<\(\s*(?:curl|wget)\b",
        r#"(?i)\b(?:ba|z|k)?sh\s+-c\s+["']?\$\(\s*(?:curl|wget)\b"#,
        r#"(?i)\beval\s+["']?\$\(\s*(?:curl|wget)\b"#,
        r"(?i)\b(?:iwr|invoke-webrequest|irm|invoke-restmethod)\b[^|\n]*\|\s*(?:iex|invoke-expression)\b",
        r"(?i)\b(?:iex|invoke-expression)\b\s*\(?\s*\(?\s*(?:new-object\s+net\.webclient\)\.downloadstring|iwr|irm|invoke-webrequest|invoke-restmethod)\b",
    ]
    .into_iter()
    .map(|p| Regex::new(p).expect("valid regex"))
    .collect()
});

/// Whether a script runs downloaded code without verifying it.
pub fn pipes_to_shell(script: &str) -> bool {
    let joined = script.replace("\\\n", " ");
    REMOTE_EXEC.iter().any(|re| re.is_match(&joined))
}

static PR_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"github\.event\.pull_request\.head\.(?:sha|ref|repo)",
        r"|github\.event\.pull_request\.merge_commit_sha",
        r"|github\.head_ref",
        r"|github\.event\.workflow_run\.(?:head_sha|head_branch|head_repository|pull_requests)",
        r"|github\.event\.issue\.pull_request",
        r"|refs/pull/",
        r"|\bpull/(?:\$\{\{[^}]*\}\}|[^/\s]+)/(?:head|merge)\b",
        r"|\bsteps\.[A-Za-z0-9_-]+\.outputs\.(?:head|pr|sha|ref)",
    ))
    .expect("valid regex")
});

static PR_CHECKOUT_COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:gh|hub)\s+pr\s+checkout\b|\bgit\b.*\b(?:fetch|pull)\b.*\bpull/")
        .expect("valid regex")
});

static GIT_FETCH_OR_CHECKOUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\bgit\b.*\b(?:fetch|checkout|switch|reset|pull|worktree|merge|rebase|cherry-pick)\b",
    )
    .expect("valid regex")
});

/// Names of the variables in `envs` (a list of `env:` maps) whose values read the pull
/// request's head.
fn pr_head_vars(envs: &dyn Val) -> Vec<String> {
    let mut out = Vec::new();
    for map in list_items(envs) {
        let Some(map) = map.downcast_ref::<CelMap>() else {
            continue;
        };
        for (k, v) in map.inner() {
            if let (Key::String(name), Some(value)) = (k, as_str(v.as_ref()))
                && PR_HEAD.is_match(value)
            {
                out.push(name.inner().to_string());
            }
        }
    }
    out
}

/// Whether `text` reads one of the variables `names` (`env.NAME`, `env['NAME']`, `$NAME`,
/// `${NAME}`, `$env:NAME`).
fn reads_var(text: &str, names: &[String]) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    names.iter().filter(|n| !n.is_empty()).any(|name| {
        text.match_indices(name.as_str()).any(|(i, _)| {
            let before = &text[..i];
            let after = &text[i + name.len()..];
            let ends = !after.starts_with(ident);
            (ends
                && (before.ends_with("env.")
                    || before.ends_with('$')
                    || before.to_ascii_lowercase().ends_with("$env:")))
                || (before.ends_with("${") && after.starts_with('}'))
                || (before.trim_end().ends_with("env['") || before.ends_with("env[\""))
        })
    })
}

/// Whether `text` names the pull request's head, directly or through one of the variables
/// `vars` (which hold it).
pub fn reads_pr_head(text: &str, vars: &[String]) -> bool {
    PR_HEAD.is_match(text) || reads_var(text, vars)
}

/// Whether a line of `script` fetches or checks out the pull request's head.
pub fn fetches_pr_head(script: &str, vars: &[String]) -> bool {
    let joined = script.replace("\\\n", " ");
    joined.lines().any(|line| {
        PR_CHECKOUT_COMMAND.is_match(line)
            || (GIT_FETCH_OR_CHECKOUT.is_match(line) && reads_pr_head(line, vars))
    })
}

static SECRET_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bsecrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*['"]([^'"]+)['"]\s*\])"#)
        .expect("valid regex")
});

/// Names of the secrets a text reads, except `GITHUB_TOKEN`.
pub fn secret_refs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in SECRET_REF.captures_iter(text) {
        let Some(name) = c.get(1).or_else(|| c.get(2)) else {
            continue;
        };
        let name = name.as_str();
        if !name.eq_ignore_ascii_case("GITHUB_TOKEN") && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    out
}

fn map_get<'v>(map: &'v dyn Val, key: &'v str) -> Option<&'v dyn Val> {
    map.downcast_ref::<CelMap>()?
        .inner()
        .get(&Key::from(key))
        .map(|v| v.as_ref())
}

fn list_items<'v>(v: &'v (dyn Val + 'v)) -> &'v [Box<dyn Val + 'v>] {
    v.downcast_ref::<CelList>().map_or(&[], |l| l.inner())
}

/// Whether the step's `with:` satisfies conditions like `sbom=true,!password,key!=false`.
fn inputs_match(step: &dyn Val, conditions: &str) -> bool {
    let with = map_get(step, "with");
    let input = |k: &str| with.and_then(|w| field(w, k)).map(str::to_string);
    conditions
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .all(|c| {
            if let Some(key) = c.strip_prefix('!') {
                input(key).is_none()
            } else if let Some((k, v)) = c.split_once("!=") {
                input(k.trim()).as_deref() != Some(v.trim())
            } else if let Some((k, v)) = c.split_once('=') {
                input(k.trim()).as_deref() == Some(v.trim())
            } else {
                input(c).is_some()
            }
        })
}

fn step_matches(
    step: &dyn Val,
    actions: &[&str],
    commands: &[&str],
) -> Result<bool, ExecutionError> {
    if let Some(uses) = field(step, "uses") {
        let uses = uses.to_ascii_lowercase();
        for a in actions {
            let (prefix, conditions) = match a.split_once('{') {
                Some((p, rest)) => (p, rest.trim_end_matches('}')),
                None => (*a, ""),
            };
            let prefix = prefix.to_ascii_lowercase();
            if let Some(rest) = uses.strip_prefix(prefix.as_str())
                && (rest.starts_with('@') || rest.starts_with('/') || rest.is_empty())
                && inputs_match(step, conditions)
            {
                return Ok(true);
            }
        }
    }
    match field(step, "run") {
        Some(run) => matches_any(run, commands),
        None => Ok(false),
    }
}

/// What [`walk_steps`] meets: a step, or a job's reusable-workflow call (the job itself).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Met {
    Step,
    Call,
}

/// Where a met step is: its workflow file and job id (empty when the scope does not say).
type At<'v> = (&'v str, &'v str);

/// Walks a repository, workflow, job or step in place — workflows (only those triggered by
/// one of `triggers`, when given), their jobs, each job's reusable-workflow call and steps —
/// and hands each to `visit`, which returns `true` to stop the walk. Returns whether it
/// stopped.
fn walk_steps<'v>(
    scope: &'v dyn Val,
    triggers: &[&str],
    at: At<'v>,
    visit: &mut dyn FnMut(&'v dyn Val, Met, At<'v>) -> Result<bool, ExecutionError>,
) -> Result<bool, ExecutionError> {
    if let Some(workflows) = map_get(scope, "workflows") {
        for w in list_items(workflows) {
            if walk_steps(w.as_ref(), triggers, at, visit)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if let Some(jobs) = map_get(scope, "jobs") {
        if !triggers.is_empty() {
            let on = map_get(scope, "triggers").map_or(&[][..], list_items);
            if !on
                .iter()
                .filter_map(|t| as_str(t.as_ref()))
                .any(|t| triggers.contains(&t))
            {
                return Ok(false);
            }
        }
        let path = field(scope, "path").unwrap_or(at.0);
        for j in list_items(jobs) {
            if walk_steps(j.as_ref(), &[], (path, at.1), visit)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if let Some(steps) = map_get(scope, "steps") {
        let at = (at.0, field(scope, "id").unwrap_or(at.1));
        if visit(scope, Met::Call, at)? {
            return Ok(true);
        }
        for s in list_items(steps) {
            if visit(s.as_ref(), Met::Step, at)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    visit(scope, Met::Step, at)
}

/// Whether a step (or a reusable-workflow call, by `actions` only) inside `scope` matches.
fn runs_tool(
    scope: &dyn Val,
    actions: &[&str],
    commands: &[&str],
    triggers: &[&str],
) -> Result<bool, ExecutionError> {
    walk_steps(scope, triggers, ("", ""), &mut |s, met, _| match met {
        Met::Call => step_matches(s, actions, &[]),
        Met::Step => step_matches(s, actions, commands),
    })
}

/// The matching steps inside `scope`, as `{path, job, line, step}` maps.
fn find_steps(
    scope: &dyn Val,
    actions: &[&str],
    commands: &[&str],
    triggers: &[&str],
) -> Result<Vec<Value>, ExecutionError> {
    let mut found = Vec::new();
    walk_steps(scope, triggers, ("", ""), &mut |s, met, (path, job)| {
        if met == Met::Step && step_matches(s, actions, commands)? {
            let line = map_get(s, "line")
                .and_then(|l| Value::try_from(l).ok())
                .unwrap_or(Value::Int(0));
            let entry: HashMap<cel::objects::Key, Value> = [
                ("path", Value::String(Arc::new(path.to_string()))),
                ("job", Value::String(Arc::new(job.to_string()))),
                ("line", line),
                ("step", Value::try_from(s)?),
            ]
            .into_iter()
            .map(|(k, v)| (cel::objects::Key::from(k), v))
            .collect();
            found.push(Value::Map(cel::objects::Map {
                map: Arc::new(entry),
            }));
        }
        Ok(false)
    })?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shas() {
        assert!(is_sha("8e5e7e5ab8b370d6c329ec480221332ada57f0ab"));
        assert!(!is_sha("v4"));
        assert!(!is_sha("8e5e7e5"));
    }

    #[test]
    fn untrusted_contexts() {
        assert_eq!(
            untrusted_references("github.event.issue.title"),
            vec!["github.event.issue.title"]
        );
        assert_eq!(
            untrusted_references("github.event.commits[0].message"),
            vec!["github.event.commits.*.message"]
        );
        assert_eq!(
            untrusted_references("github['head_ref']"),
            vec!["github.head_ref"]
        );
        assert!(untrusted_references("github.event.issue.number").is_empty());
        assert!(untrusted_references("github.sha").is_empty());
        assert_eq!(
            untrusted_references("toJSON(github.event)"),
            vec!["github.event"]
        );
        assert_eq!(
            untrusted_references("github.event.pull_request.head.ref || 'x'"),
            vec!["github.event.pull_request.head.ref"]
        );
    }

    #[test]
    fn remote_scripts() {
        assert!(pipes_to_shell("curl -fsSL https://x.sh | bash"));
        assert!(pipes_to_shell("curl -sL https://x \\\n  | sudo -E bash -"));
        assert!(pipes_to_shell("bash <(curl -s https://codecov.io/bash)"));
        assert!(pipes_to_shell("iwr https://x/install.ps1 -useb | iex"));
        assert!(pipes_to_shell(
            "wget -qO- https://get.pnpm.io/install.sh | ENV=\"$HOME/.bashrc\" SHELL=\"$(which bash)\" bash -"
        ));
        assert!(pipes_to_shell(
            "curl -fsSL https://get.pnpm.io/install.sh | PNPM_VERSION=9.12.0 sh -"
        ));
        assert!(!pipes_to_shell(
            "curl -o x.tgz https://x && sha256sum -c x.sha"
        ));
        assert!(!pipes_to_shell("cat file | sh"));
    }

    #[test]
    fn pull_request_heads() {
        let vars = vec!["SHA".to_string(), "HEAD".to_string()];
        assert!(reads_pr_head(
            "${{ github.event.pull_request.head.sha }}",
            &[]
        ));
        assert!(reads_pr_head(
            "refs/pull/${{ github.event.number }}/merge",
            &[]
        ));
        assert!(reads_pr_head("${{ steps.pr.outputs.head_ref }}", &[]));
        assert!(reads_pr_head("${{ env.SHA }}", &vars));
        assert!(reads_pr_head("${{ env['HEAD'] }}", &vars));
        assert!(!reads_pr_head("${{ env.SHA_BASE }}", &vars));
        assert!(!reads_pr_head("${{ env.SHA }}", &[]));
        assert!(!reads_pr_head(
            "${{ github.event.pull_request.base.sha }}",
            &[]
        ));
        assert!(!reads_pr_head("main", &vars));

        assert!(fetches_pr_head(
            "git fetch origin pull/${{ github.event.pull_request.number }}/head:pr\ngit checkout pr",
            &[]
        ));
        assert!(fetches_pr_head(
            "gh pr checkout ${{ github.event.issue.number }}",
            &[]
        ));
        assert!(fetches_pr_head("git fetch origin refs/pull/42/merge", &[]));
        assert!(fetches_pr_head("git checkout \"$SHA\"\nmake", &vars));
        assert!(fetches_pr_head("git checkout ${SHA}", &vars));
        assert!(fetches_pr_head(
            "git \\\n  checkout ${{ github.event.pull_request.head.sha }}",
            &[]
        ));
        assert!(!fetches_pr_head("git checkout main\necho $SHA", &vars));
        assert!(!fetches_pr_head("gh pr comment $PR --body done", &vars));
        assert!(!fetches_pr_head("git diff origin/main", &vars));
    }

    #[test]
    fn secret_names() {
        assert_eq!(
            secret_refs(
                "${{ secrets.NPM_TOKEN }} ${{ secrets['AWS KEY'] }} ${{ secrets.GITHUB_TOKEN }}"
            ),
            vec!["NPM_TOKEN", "AWS KEY"]
        );
    }

    #[test]
    fn codeowners_last_matching_rule_wins() {
        let rules = vec![
            ("*", vec!["@all"]),
            ("/.github/", vec!["@security"]),
            ("docs/*.md", vec!["@docs"]),
            ("/.github/workflows/legacy.yml", vec![]),
            ("*.tf", vec!["@infra"]),
        ];
        assert_eq!(
            codeowners_owners(&rules, ".github/workflows/ci.yml"),
            vec!["@security"]
        );
        assert!(codeowners_owners(&rules, ".github/workflows/legacy.yml").is_empty());
        assert_eq!(
            codeowners_owners(&rules, "modules/net/main.tf"),
            vec!["@infra"]
        );
        assert_eq!(codeowners_owners(&rules, "docs/a.md"), vec!["@docs"]);
        assert_eq!(codeowners_owners(&rules, "docs/sub/a.md"), vec!["@all"]);
        assert!(codeowners_owners(&[("/src/", vec!["@dev"])], "CODEOWNERS").is_empty());
    }
}
