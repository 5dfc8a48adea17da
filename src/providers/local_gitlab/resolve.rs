//! GitLab CI configuration resolution: from `.gitlab-ci.yml` to the configuration GitLab runs.
//!
//! The steps follow GitLab's own order: each file's local `include:`s are read (strings,
//! lists, `local:` with globs, nested includes, each file once) and deep-merged before the
//! including file, which wins; `!reference [job, key]` tags are replaced by what they point
//! at (nested references too, sequences spliced into sequences); `extends:` is resolved
//! (multi-level, several parents, later parents win, the job's own keys win over all);
//! finally `default:` (and the legacy top-level `image`, `services`, `before_script`,
//! `after_script`, `cache`) and global `variables:` are applied to each visible job as
//! `inherit:` allows. Includes that point outside the repository (`project`, `remote`,
//! `template`, `component`) are recorded, not fetched. A missing file, a cycle, an unknown
//! `extends` parent or a dangling `!reference` becomes a [`FileDiagnostic`] at the location
//! of the offending keyword; resolution goes on with what it has.

use std::collections::{HashMap, HashSet};

use crate::facts::gitlab::{Include, Input, RuleClause};
use crate::facts::{FileDiagnostic, FileKind, Location, Suppression};
use crate::providers::local_gha::suppressions;
use crate::yaml::{self, SourceText};

use super::tree::{LNode, LValue, deep_merge};

/// GitLab's limit on included files per pipeline.
pub const MAX_INCLUDES: usize = 150;
/// GitLab's limit on `extends` depth.
pub const MAX_EXTENDS_DEPTH: usize = 11;
/// GitLab's limit on nested `!reference` tags.
pub const MAX_REFERENCE_DEPTH: usize = 10;
/// Most nodes `!reference` tags may copy in one pipeline. Ten levels of ten references each
/// would otherwise copy ten billion nodes: the "billion laughs" of `!reference`, which the
/// YAML parser's alias budget does not see.
pub const MAX_REFERENCE_NODES: usize = 100_000;

/// Top-level keys that are keywords, not jobs.
pub const GLOBAL_KEYWORDS: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "types",
    "spec",
];

/// Keys `default:` can give a job.
const DEFAULT_KEYS: &[&str] = &[
    "after_script",
    "artifacts",
    "before_script",
    "cache",
    "hooks",
    "id_tokens",
    "image",
    "interruptible",
    "retry",
    "services",
    "tags",
    "timeout",
];

/// Where the resolver reads files: the local checkout, or an API later.
pub trait Files: Sync {
    /// The text of the file at `rel` (relative to the repository root, `/`-separated).
    fn read(&self, rel: &str) -> Result<String, FileDiagnostic>;
    /// The files matching a `local:` glob (`*` within a directory, `**` across them).
    fn glob(&self, pattern: &str) -> Vec<String>;
}

/// A resolved configuration.
#[derive(Debug)]
pub struct Resolution {
    /// The merged configuration with references, `extends`, defaults and global variables
    /// applied.
    pub config: LNode,
    /// Visible jobs in order.
    pub jobs: Vec<ResolvedJob>,
    /// Every local file merged, in merge order.
    pub files: Vec<String>,
    /// Every include of the merged files.
    pub includes: Vec<Include>,
    /// `spec: inputs` of the merged files.
    pub inputs: Vec<Input>,
    /// Inline suppression comments of the merged files.
    pub suppressions: Vec<Suppression>,
}

/// A visible job after resolution.
#[derive(Debug)]
pub struct ResolvedJob {
    /// The job's name.
    pub name: String,
    /// Its configuration, with everything it inherits.
    pub node: LNode,
    /// Where its name is written.
    pub key_loc: Location,
    /// The templates it names in `extends:`.
    pub extends: Vec<String>,
    /// The templates it inherits from, nearest first.
    pub templates: Vec<String>,
    /// `extends` parents not defined in the repository's files: they come from includes
    /// outside the repository, whose content is not read.
    pub external: Vec<String>,
}

struct Resolver<'f> {
    files: &'f dyn Files,
    stack: Vec<String>,
    merged: HashSet<String>,
    order: Vec<String>,
    includes: Vec<Include>,
    inputs: Vec<Input>,
    diagnostics: Vec<FileDiagnostic>,
    suppressions: Vec<Suppression>,
    count: usize,
    /// Nodes copied by `!reference` tags so far.
    referenced: usize,
    /// Whether the configuration includes files from outside the repository.
    external: bool,
}

/// What `extends` resolution produced for one job: the merged node, its templates and the
/// parents that are not defined locally.
type Extended = (LNode, Vec<String>, Vec<String>);

/// Per job: the templates named in `extends:`, every template inherited, and the parents
/// defined outside the repository.
type Inherited = (Vec<String>, Vec<String>, Vec<String>);

fn diag(loc: Location, message: String) -> FileDiagnostic {
    FileDiagnostic {
        kind: FileKind::GitlabCi,
        loc,
        message,
    }
}

/// Resolves the pipeline that starts at `root` (`.gitlab-ci.yml`, or a child pipeline file).
/// `None` when the file itself cannot be read or parsed (the reason is in the diagnostics).
pub fn resolve(files: &dyn Files, root: &str) -> (Option<Resolution>, Vec<FileDiagnostic>) {
    let mut r = Resolver {
        files,
        stack: Vec::new(),
        merged: HashSet::new(),
        order: Vec::new(),
        includes: Vec::new(),
        inputs: Vec::new(),
        diagnostics: Vec::new(),
        suppressions: Vec::new(),
        count: 0,
        referenced: 0,
        external: false,
    };
    let Some(config) = r.load(root, None) else {
        return (None, r.diagnostics);
    };
    r.external = r.includes.iter().any(|i| i.kind != "local" || i.dynamic);
    // GitLab's order: `extends` first, then `!reference` (which sees inherited keys), then
    // defaults and global variables.
    let (config, inherited) = r.extend_all(config);
    let config = r.resolve_references(config);
    let jobs = r.resolve_jobs(&config, inherited);
    let Resolver {
        order,
        includes,
        inputs,
        diagnostics,
        suppressions,
        ..
    } = r;
    (
        Some(Resolution {
            config,
            jobs,
            files: order,
            includes,
            inputs,
            suppressions,
        }),
        diagnostics,
    )
}

impl Resolver<'_> {
    /// Reads one file and everything it includes, merged (included files first).
    fn load(&mut self, rel: &str, from: Option<&Location>) -> Option<LNode> {
        let text = match self.files.read(rel) {
            Ok(t) => t,
            Err(d) => {
                let d = match from {
                    Some(loc) => diag(
                        loc.clone(),
                        format!("included file `{rel}` cannot be read: {}", d.message),
                    ),
                    None => d,
                };
                self.diagnostics.push(d);
                return None;
            }
        };
        self.suppressions.extend(suppressions::find(rel, &text));
        let repaired;
        let (text, docs) = match yaml::parse(&text) {
            Ok(docs) => (text.as_str(), docs),
            Err(e) => match yaml::repair_flow_indentation(&text) {
                Some(fixed) => {
                    repaired = fixed;
                    match yaml::parse(&repaired) {
                        Ok(docs) => (repaired.as_str(), docs),
                        Err(_) => {
                            self.parse_error(rel, &text, &e);
                            return None;
                        }
                    }
                }
                None => {
                    self.parse_error(rel, &text, &e);
                    return None;
                }
            },
        };
        let src = SourceText::new(rel, text);
        let (header, body) = match docs.as_slice() {
            [] => (None, None),
            [only] => (None, Some(only)),
            [first, second, ..] if yaml::get(first, "spec").is_some() => {
                (Some(first), Some(second))
            }
            [first, ..] => (None, Some(first)),
        };
        if let Some(header) = header {
            self.read_inputs(&src, header);
        }
        let mut body = match body {
            Some(b) if !yaml::is_null(b) => LNode::from_yaml(&src, b),
            _ => LNode::empty_map(src.file_location()),
        };
        if !body.is_map() {
            self.diagnostics.push(diag(
                src.file_location(),
                format!(
                    "the file is {}, not a mapping of jobs and keywords",
                    body.kind_name()
                ),
            ));
            return None;
        }
        body.remove("spec");
        self.merged.insert(rel.to_string());
        self.order.push(rel.to_string());
        self.stack.push(rel.to_string());
        let mut base = LNode::empty_map(body.loc.clone());
        if let Some(include) = body.remove("include") {
            for node in self.includes(&include, rel, None) {
                deep_merge(&mut base, node);
            }
        }
        self.stack.pop();
        base.loc = body.loc.clone();
        deep_merge(&mut base, body);
        Some(base)
    }

    fn parse_error(&mut self, rel: &str, text: &str, e: &yaml::YamlError) {
        let src = SourceText::new(rel, text);
        let line = e.line.max(1) as usize;
        let offset = src.byte_offset(line, e.column.saturating_sub(1) as usize);
        self.diagnostics.push(diag(
            src.range_location(offset, offset),
            format!("invalid YAML: {}", e.message),
        ));
    }

    fn read_inputs(&mut self, src: &SourceText<'_>, header: &yaml::Node<'_>) {
        let Some(inputs) = yaml::get(header, "spec").and_then(|s| yaml::get(s, "inputs")) else {
            return;
        };
        for (k, v) in yaml::entries(inputs) {
            let Some(name) = yaml::scalar_str(k) else {
                continue;
            };
            let input_type = yaml::get(v, "type")
                .and_then(|t| yaml::scalar_str(t))
                .map_or_else(|| "string".to_string(), |t| t.into_owned());
            self.inputs.push(Input {
                name: name.into_owned(),
                input_type,
                options: yaml::get(v, "options").is_some(),
                regex: yaml::get(v, "regex").is_some(),
                has_default: yaml::get(v, "default").is_some(),
                file: src.path.to_string(),
                loc: src.location(k),
            });
        }
    }

    /// Records the includes of `node` (from file `from`, or of a job's `trigger:`) and returns
    /// the merged content of the local ones, in order.
    fn includes(&mut self, node: &LNode, from: &str, job: Option<&str>) -> Vec<LNode> {
        let items: Vec<&LNode> = match &node.value {
            LValue::Seq(items) => items.iter().collect(),
            LValue::Null => Vec::new(),
            _ => vec![node],
        };
        let mut out = Vec::new();
        for item in items {
            let Some(mut include) = describe_include(item) else {
                self.diagnostics.push(diag(
                    item.loc.clone(),
                    format!(
                        "`include:` entry is {}; expected a path or a mapping with `local`, \
                         `project`, `remote`, `template` or `component`",
                        item.kind_name()
                    ),
                ));
                continue;
            };
            include.from = from.to_string();
            include.job = job.map(str::to_string);
            if include.kind == "local" && job.is_none() {
                include.resolved = self.local(&include, &mut out);
            }
            self.includes.push(include);
        }
        out
    }

    /// Reads a local include; true when every file it names was found.
    fn local(&mut self, include: &Include, out: &mut Vec<LNode>) -> bool {
        if include.dynamic {
            self.diagnostics.push(diag(
                include.loc.clone(),
                format!(
                    "local include `{}` is computed from CI/CD variables; its content cannot be \
                     read without running the pipeline",
                    include.target
                ),
            ));
            return false;
        }
        let path = include.target.trim_start_matches('/').to_string();
        let paths = if path.contains('*') {
            let found = self.files.glob(&path);
            if found.is_empty() {
                self.diagnostics.push(diag(
                    include.loc.clone(),
                    format!("local include `{}` matches no file", include.target),
                ));
                return false;
            }
            found
        } else {
            vec![path]
        };
        let mut all = true;
        for p in paths {
            if self.stack.contains(&p) {
                let chain = self.stack.join(" → ");
                self.diagnostics.push(diag(
                    include.loc.clone(),
                    format!("include cycle: {chain} → {p}"),
                ));
                all = false;
                continue;
            }
            if self.merged.contains(&p) {
                // GitLab merges a file once, however many times it is included.
                continue;
            }
            self.count += 1;
            if self.count > MAX_INCLUDES {
                self.diagnostics.push(diag(
                    include.loc.clone(),
                    format!(
                        "more than {MAX_INCLUDES} included files; GitLab rejects such a pipeline"
                    ),
                ));
                return false;
            }
            match self.load(&p, Some(&include.loc)) {
                Some(node) => out.push(node),
                None => all = false,
            }
        }
        all
    }

    /// Replaces every `!reference` in the configuration.
    fn resolve_references(&mut self, config: LNode) -> LNode {
        let lookup = config.clone();
        let mut config = config;
        self.replace_references(&mut config, &lookup, 0);
        config
    }

    fn replace_references(&mut self, node: &mut LNode, lookup: &LNode, depth: usize) {
        match &mut node.value {
            LValue::Reference(path) => {
                let path = path.clone();
                *node = self.dereference(&path, &node.loc, lookup, depth);
            }
            LValue::Seq(items) => {
                let old = std::mem::take(items);
                let mut new = Vec::with_capacity(old.len());
                for mut item in old {
                    if let LValue::Reference(path) = &item.value {
                        let target = self.dereference(&path.clone(), &item.loc, lookup, depth);
                        match target.value {
                            LValue::Seq(inner) => new.extend(inner),
                            _ => new.push(target),
                        }
                    } else {
                        self.replace_references(&mut item, lookup, depth);
                        new.push(item);
                    }
                }
                *items = new;
            }
            LValue::Map(entries) => {
                for e in entries {
                    self.replace_references(&mut e.value, lookup, depth);
                }
            }
            _ => {}
        }
    }

    fn dereference(
        &mut self,
        path: &[String],
        loc: &Location,
        lookup: &LNode,
        depth: usize,
    ) -> LNode {
        let null = LNode {
            value: LValue::Null,
            loc: loc.clone(),
        };
        if depth >= MAX_REFERENCE_DEPTH {
            self.diagnostics.push(diag(
                loc.clone(),
                format!("`!reference` nested more than {MAX_REFERENCE_DEPTH} levels deep"),
            ));
            return null;
        }
        let mut target = Some(lookup);
        for key in path {
            target = target.and_then(|t| t.get(key));
        }
        match target {
            Some(t) if !path.is_empty() => {
                let before = self.referenced;
                self.referenced = before.saturating_add(t.size());
                if self.referenced > MAX_REFERENCE_NODES {
                    if before <= MAX_REFERENCE_NODES {
                        self.diagnostics.push(diag(
                            loc.clone(),
                            format!(
                                "`!reference` tags copy more than {MAX_REFERENCE_NODES} nodes; \
                                 this one and the ones after it are not resolved"
                            ),
                        ));
                    }
                    return null;
                }
                let mut t = t.clone();
                self.replace_references(&mut t, lookup, depth + 1);
                t
            }
            _ if self.external => {
                // What it points at comes from an include outside the repository.
                LNode {
                    value: LValue::Str(format!("!reference [{}]", path.join(", "))),
                    loc: loc.clone(),
                }
            }
            _ => {
                self.diagnostics.push(diag(
                    loc.clone(),
                    format!(
                        "`!reference [{}]` points at nothing in the merged configuration",
                        path.join(", ")
                    ),
                ));
                null
            }
        }
    }

    /// Resolves `extends`, then applies defaults and global variables to visible jobs.
    /// Replaces every job and template with its `extends` chain merged in; returns, per job,
    /// the templates it inherits from and the parents defined outside the repository.
    fn extend_all(&mut self, mut config: LNode) -> (LNode, HashMap<String, Inherited>) {
        let snapshot = config.clone();
        let raw: HashMap<&str, &LNode> = snapshot
            .entries()
            .iter()
            .filter(|e| !GLOBAL_KEYWORDS.contains(&e.key.as_str()) && e.value.is_map())
            .map(|e| (e.key.as_str(), &e.value))
            .collect();
        let mut done: HashMap<String, Extended> = HashMap::new();
        let mut inherited = HashMap::new();
        if let LValue::Map(entries) = &mut config.value {
            for e in entries.iter_mut() {
                if !raw.contains_key(e.key.as_str()) {
                    continue;
                }
                let (mut node, templates, external) =
                    self.extend(&e.key, &raw, &mut done, &mut Vec::new());
                node.loc = e.value.loc.clone();
                e.value = node;
                let direct = raw
                    .get(e.key.as_str())
                    .and_then(|n| n.get("extends"))
                    .map(LNode::strings)
                    .unwrap_or_default();
                inherited.insert(e.key.clone(), (direct, templates, external));
            }
        }
        (config, inherited)
    }

    /// Applies defaults and global variables to the visible jobs, in order.
    fn resolve_jobs(
        &mut self,
        config: &LNode,
        mut inherited: HashMap<String, Inherited>,
    ) -> Vec<ResolvedJob> {
        let mut defaults = config
            .get("default")
            .cloned()
            .unwrap_or_else(|| LNode::empty_map(config.loc.clone()));
        for key in [
            "image",
            "services",
            "before_script",
            "after_script",
            "cache",
        ] {
            if defaults.get(key).is_none()
                && let Some(e) = config.entry(key)
            {
                defaults.insert(key, e.key_loc.clone(), e.value.clone());
            }
        }
        let globals = config.get("variables").cloned();

        let mut jobs = Vec::new();
        for e in config.entries() {
            let name = e.key.as_str();
            if GLOBAL_KEYWORDS.contains(&name) || name.starts_with('.') {
                continue;
            }
            if !e.value.is_map() {
                self.diagnostics.push(diag(
                    e.value.loc.clone(),
                    format!(
                        "`{name}` is {}, not a job; GitLab rejects the configuration",
                        e.value.kind_name()
                    ),
                ));
                continue;
            }
            let mut job = e.value.clone();
            apply_defaults(&mut job, &defaults, globals.as_ref());
            let (extends, templates, external) = inherited.remove(name).unwrap_or_default();
            jobs.push(ResolvedJob {
                name: name.to_string(),
                node: job,
                key_loc: e.key_loc.clone(),
                extends,
                templates,
                external,
            });
        }
        jobs
    }

    /// The job `name` with its `extends` chain merged in, and the templates it inherits from.
    fn extend(
        &mut self,
        name: &str,
        raw: &HashMap<&str, &LNode>,
        done: &mut HashMap<String, Extended>,
        visiting: &mut Vec<String>,
    ) -> Extended {
        if let Some(d) = done.get(name) {
            return d.clone();
        }
        let Some(node) = raw.get(name) else {
            return (
                LNode::empty_map(Location::default()),
                Vec::new(),
                Vec::new(),
            );
        };
        let mut own = (*node).clone();
        let Some(extends) = own.remove("extends") else {
            done.insert(name.to_string(), (own.clone(), Vec::new(), Vec::new()));
            return (own, Vec::new(), Vec::new());
        };
        visiting.push(name.to_string());
        let mut base = LNode::empty_map(own.loc.clone());
        let mut templates = Vec::new();
        let mut external = Vec::new();
        for parent in extends.strings() {
            if visiting.contains(&parent) {
                self.diagnostics.push(diag(
                    extends.loc.clone(),
                    format!("`extends` cycle: {} → {parent}", visiting.join(" → ")),
                ));
                continue;
            }
            if visiting.len() > MAX_EXTENDS_DEPTH {
                self.diagnostics.push(diag(
                    extends.loc.clone(),
                    format!("`extends` nested more than {MAX_EXTENDS_DEPTH} levels deep; GitLab rejects it"),
                ));
                continue;
            }
            if !raw.contains_key(parent.as_str()) {
                if self.external {
                    // Most likely defined by a project, remote, template or component include.
                    external.push(parent);
                    continue;
                }
                self.diagnostics.push(diag(
                    extends.loc.clone(),
                    format!("job `{name}` extends `{parent}`, which is not defined"),
                ));
                continue;
            }
            let (resolved, inherited, outside) = self.extend(&parent, raw, done, visiting);
            deep_merge(&mut base, resolved);
            templates.push(parent);
            templates.extend(inherited);
            external.extend(outside);
        }
        visiting.pop();
        deep_merge(&mut base, own);
        let mut seen = HashSet::new();
        templates.retain(|t| seen.insert(t.clone()));
        let mut seen = HashSet::new();
        external.retain(|t| seen.insert(t.clone()));
        let result = (base, templates, external);
        done.insert(name.to_string(), result.clone());
        result
    }
}

/// Applies `default:` keys and global variables to a job, as its `inherit:` allows.
fn apply_defaults(job: &mut LNode, defaults: &LNode, globals: Option<&LNode>) {
    let inherit = job.get("inherit").cloned();
    let allows = |what: &str, key: &str| match inherit.as_ref().and_then(|i| i.get(what)) {
        None => true,
        Some(v) => match v.as_bool() {
            Some(b) => b,
            None => v.strings().iter().any(|k| k == key),
        },
    };
    for key in DEFAULT_KEYS {
        if job.get(key).is_none()
            && allows("default", key)
            && let Some(e) = defaults.entry(key)
        {
            job.insert(key, e.key_loc.clone(), e.value.clone());
        }
    }
    let Some(globals) = globals else {
        return;
    };
    let mut vars = LNode::empty_map(globals.loc.clone());
    for e in globals.entries() {
        if allows("variables", &e.key) {
            vars.insert(&e.key, e.key_loc.clone(), e.value.clone());
        }
    }
    if vars.entries().is_empty() {
        return;
    }
    if let Some(own) = job.remove("variables") {
        let loc = own.loc.clone();
        deep_merge(&mut vars, own);
        vars.loc = loc;
    }
    let loc = vars.loc.clone();
    job.insert("variables", loc, vars);
}

/// Reads one `include:` entry (of a file, or of a job's `trigger:`).
pub fn describe_include(item: &LNode) -> Option<Include> {
    let mut inc = Include::default();
    if let Some(s) = item.as_str() {
        inc.kind = if s.starts_with("http://") || s.starts_with("https://") {
            "remote"
        } else {
            "local"
        }
        .into();
        inc.target = s.to_string();
        inc.loc = item.loc.clone();
    } else if item.is_map() {
        let kind = [
            "local",
            "project",
            "remote",
            "template",
            "component",
            "artifact",
        ]
        .into_iter()
        .find(|k| item.get(k).is_some())?;
        let target = item.get(kind)?;
        inc.kind = kind.to_string();
        inc.target = target.as_str()?.to_string();
        inc.loc = target.loc.clone();
        inc.files = item.get("file").map(LNode::strings).unwrap_or_default();
        inc.git_ref = item
            .get("ref")
            .and_then(|r| r.as_str())
            .map(|r| r.to_string());
        if let Some(rules) = item.get("rules") {
            inc.conditional = true;
            inc.rules = rule_clauses(rules, "always");
        }
        inc.inputs = item
            .get("inputs")
            .map(|i| i.entries().iter().map(|e| e.key.clone()).collect())
            .unwrap_or_default();
    } else {
        return None;
    }
    inc.dynamic = inc.target.contains('$');
    match inc.kind.as_str() {
        "component" => {
            let (address, version) = match inc.target.rsplit_once('@') {
                Some((a, v)) => (a.to_string(), Some(v.to_string())),
                None => (inc.target.clone(), None),
            };
            inc.host = address
                .split('/')
                .next()
                .filter(|h| !h.contains('$'))
                .map(str::to_string);
            inc.component = Some(address);
            inc.git_ref = version;
        }
        "remote" => {
            inc.host = inc
                .target
                .split("://")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .map(str::to_string);
        }
        _ => {}
    }
    Some(inc)
}

/// Reads `rules:` clauses (entries that are not mappings, such as unresolved references,
/// are skipped).
/// A clause without `when:` takes `default_when` (the job's own `when:`, else `on_success`).
pub fn rule_clauses(node: &LNode, default_when: &str) -> Vec<RuleClause> {
    node.items()
        .iter()
        .filter(|c| c.is_map())
        .map(|c| RuleClause {
            condition: c.get("if").and_then(|v| v.as_str()).map(|v| v.to_string()),
            when: c
                .get("when")
                .and_then(|v| v.as_str())
                .map_or_else(|| default_when.to_string(), |v| v.to_string()),
            changes: c.get("changes").is_some(),
            exists: c.get("exists").is_some(),
            allow_failure: c.get("allow_failure").and_then(LNode::as_bool),
        })
        .collect()
}
