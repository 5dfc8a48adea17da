//! From a resolved GitLab CI configuration to [`Pipeline`] facts.
//!
//! Each visible job becomes a [`Job`] with the locations of its values; variables, images
//! and script lines become items listed once per place they are written, with every job they
//! reach, so a value written once in a template or in `default:` is one finding that names
//! the jobs it affects, not one finding per job.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::facts::gitlab::{Artifacts, InputUse, Job, Pipeline, RuleClause, Script};
use crate::facts::{EnvEntry, Image, Location, Locs};
use crate::providers::local_gha::workflow::image_ref;
use crate::secrets;

use super::resolve::{Resolution, rule_clauses};
use super::tree::{LNode, LValue};

/// GitLab's stages when `stages:` is not set.
const DEFAULT_STAGES: &[&str] = &[".pre", "build", "test", "deploy", ".post"];

static INPUT_USE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*((?:\|[^\]]*)?)\]\]").expect("valid regex")
});

/// Builds the facts of one pipeline.
pub fn build(kind: &str, path: &str, res: &Resolution, parent_job: Option<String>) -> Pipeline {
    let config = &res.config;
    let mut p = Pipeline {
        kind: kind.to_string(),
        path: path.to_string(),
        parent_job,
        files: res.files.clone(),
        inputs: res.inputs.clone(),
        includes: res.includes.clone(),
        loc: Location::file(path),
        ..Pipeline::default()
    };
    p.stages = config
        .get("stages")
        .map(LNode::strings)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_STAGES.iter().map(|s| s.to_string()).collect());
    for key in ["stages", "workflow", "variables", "default"] {
        if let Some(e) = config.entry(key) {
            p.locs.insert(key.to_string(), e.key_loc.clone());
        }
    }
    if let Some(rules) = config.get("workflow").and_then(|w| w.get("rules")) {
        p.workflow_rules = rule_clauses(rules, "always");
    }

    let mut items = Items::default();
    if let Some(vars) = config.get("variables") {
        for e in vars.entries() {
            let stored = items.variable(&e.key, &e.value, "pipeline", None, None);
            p.locs
                .insert(format!("variables.{}", e.key), e.value.loc.clone());
            if let Some(stored) = stored {
                p.variables.insert(e.key.clone(), stored);
            }
        }
    }
    // `workflow: rules: variables:` set pipeline variables when the clause matches.
    if let Some(rules) = config.get("workflow").and_then(|w| w.get("rules")) {
        for clause in rules.items() {
            for e in clause.get("variables").map_or(&[][..], LNode::entries) {
                items.variable(&e.key, &e.value, "pipeline", None, None);
            }
        }
    }

    for (index, resolved) in res.jobs.iter().enumerate() {
        let (name, node) = (&resolved.name, &resolved.node);
        let mut job = job(name, node, &resolved.key_loc, &resolved.templates);
        job.extends = resolved.extends.clone();
        job.external_templates = resolved.external.clone();
        if let Some(vars) = node.get("variables") {
            for e in vars.entries() {
                let stored = items.variable(&e.key, &e.value, "job", Some(index), Some(name));
                if let Some(stored) = stored {
                    job.variables.insert(e.key.clone(), stored);
                }
            }
        }
        // `rules: variables:` set job variables when the clause matches.
        for clause in node.get("rules").map_or(&[][..], LNode::items) {
            for e in clause.get("variables").map_or(&[][..], LNode::entries) {
                items.variable(&e.key, &e.value, "job", Some(index), Some(name));
            }
        }
        if let Some(image) = node.get("image") {
            items.image("job", image, index, name);
        }
        if let Some(services) = node.get("services") {
            for s in services.items() {
                items.image("service", s, index, name);
            }
        }
        for field in ["before_script", "script", "after_script"] {
            if let Some(lines) = node.get(field) {
                let mut flat = Vec::new();
                flatten(lines, &mut flat);
                for line in flat {
                    if let Some(text) = line.as_str() {
                        job.script.push(secrets::redact(&text).into_owned());
                        items.script(field, line, &text, index, name, &res.inputs);
                    }
                }
            }
        }
        p.jobs.push(job);
    }
    p.entries = items.entries;
    p.images = items.images;
    p.scripts = items.scripts;
    p
}

fn flatten<'a>(node: &'a LNode, out: &mut Vec<&'a LNode>) {
    match &node.value {
        LValue::Seq(items) => {
            for i in items {
                flatten(i, out);
            }
        }
        LValue::Null => {}
        _ => out.push(node),
    }
}

/// Items listed once per place they are written.
#[derive(Default)]
struct Items {
    entries: Vec<EnvEntry>,
    images: Vec<Image>,
    scripts: Vec<Script>,
    seen: HashMap<(&'static str, std::sync::Arc<str>, usize), usize>,
}

fn key(kind: &'static str, loc: &Location) -> (&'static str, std::sync::Arc<str>, usize) {
    (kind, loc.path.clone(), loc.offset)
}

impl Items {
    /// Records a variable; returns the value as stored (redacted when credential-like).
    fn variable(
        &mut self,
        name: &str,
        node: &LNode,
        level: &str,
        job: Option<usize>,
        job_name: Option<&str>,
    ) -> Option<String> {
        // `NAME: {value: ..., description: ...}` or `NAME: value`.
        let value_node = node.get("value").unwrap_or(node);
        let value = value_node.as_str()?;
        let k = key("var", &value_node.loc);
        if let Some(&i) = self.seen.get(&k) {
            let e = &mut self.entries[i];
            if let Some(j) = job_name {
                e.used_by.push(j.to_string());
                e.job = e.job.or(job);
            }
            return Some(e.value.clone());
        }
        let secret_kind = secrets::classify(name, &value, false);
        let stored = if secret_kind.is_some() {
            secrets::REDACTED.to_string()
        } else {
            value.to_string()
        };
        self.seen.insert(k, self.entries.len());
        self.entries.push(EnvEntry {
            name: name.to_string(),
            value: stored.clone(),
            level: level.to_string(),
            literal: !value.contains('$'),
            secret_like: secret_kind.is_some(),
            secret_kind: secret_kind.map(Into::into),
            job,
            step: None,
            used_by: job_name.map(|j| vec![j.to_string()]).unwrap_or_default(),
            loc: value_node.loc.clone(),
        });
        Some(stored)
    }

    fn image(&mut self, kind: &str, node: &LNode, job: usize, job_name: &str) {
        let name_node = node.get("name").unwrap_or(node);
        let Some(reference) = name_node.as_str() else {
            return;
        };
        let k = key(
            if kind == "job" { "image" } else { "service" },
            &name_node.loc,
        );
        if let Some(&i) = self.seen.get(&k) {
            self.images[i].used_by.push(job_name.to_string());
            return;
        }
        let mut image = image_ref(kind, &reference, name_node.loc.clone(), job, None);
        image.dynamic = reference.contains('$');
        if kind == "service" {
            image.service = Some(
                node.get("alias")
                    .and_then(|a| a.as_str())
                    .map_or_else(|| image.name.clone(), Cow::into_owned),
            );
        }
        image.used_by.push(job_name.to_string());
        self.seen.insert(k, self.images.len());
        self.images.push(image);
    }

    fn script(
        &mut self,
        field: &str,
        node: &LNode,
        text: &str,
        job: usize,
        job_name: &str,
        inputs: &[crate::facts::gitlab::Input],
    ) {
        let k = key("script", &node.loc);
        if let Some(&i) = self.seen.get(&k) {
            self.scripts[i].used_by.push(job_name.to_string());
            return;
        }
        // Credentials written in the script are entries of their own, at their position.
        for (kind, range) in secrets::find_in_text(text) {
            let loc = sub_location(&node.loc, text, range.start, range.end);
            self.entries.push(EnvEntry {
                name: field.to_string(),
                value: secrets::REDACTED.into(),
                level: "script".into(),
                literal: true,
                secret_like: true,
                secret_kind: Some(kind.into()),
                job: Some(job),
                step: None,
                used_by: vec![job_name.to_string()],
                loc,
            });
        }
        let uses = INPUT_USE
            .captures_iter(text)
            .map(|c| {
                let name = c[1].to_string();
                let functions = c
                    .get(2)
                    .map(|f| {
                        f.as_str()
                            .split('|')
                            .map(|s| s.trim())
                            .filter(|s| !s.is_empty())
                            .map(|s| s.split('(').next().unwrap_or(s).trim().to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                let decl = inputs
                    .iter()
                    .find(|i| i.name == name && *i.file == *node.loc.path);
                InputUse {
                    input_type: decl.map_or_else(|| "string".into(), |d| d.input_type.clone()),
                    options: decl.is_some_and(|d| d.options),
                    regex: decl.is_some_and(|d| d.regex),
                    declared: decl.is_some(),
                    name,
                    functions,
                }
            })
            .collect();
        self.seen.insert(k, self.scripts.len());
        self.scripts.push(Script {
            text: secrets::redact(text).into_owned(),
            field: field.to_string(),
            inputs: uses,
            job,
            used_by: vec![job_name.to_string()],
            loc: node.loc.clone(),
        });
    }
}

/// The location of a part of a scalar: exact for plain and quoted one-line scalars, the
/// scalar's own location when the text was transformed (block scalars, escapes).
fn sub_location(loc: &Location, text: &str, start: usize, end: usize) -> Location {
    if loc.end_line == loc.line && (loc.length == text.len() || loc.length == text.len() + 2) {
        let quote = usize::from(loc.length == text.len() + 2);
        let prefix = &text[..start.min(text.len())];
        let inner = &text[start.min(text.len())..end.min(text.len())];
        let column = loc.column + (quote + prefix.chars().count()) as u32;
        return Location {
            path: loc.path.clone(),
            line: loc.line,
            column,
            end_line: loc.line,
            end_column: column + inner.chars().count() as u32,
            offset: loc.offset + quote + start,
            length: end - start,
        };
    }
    loc.clone()
}

fn job(name: &str, node: &LNode, key_loc: &Location, templates: &[String]) -> Job {
    let mut locs = Locs::new();
    for e in node.entries() {
        locs.insert(e.key.clone(), e.value.loc.clone());
    }
    let when = node
        .get("when")
        .and_then(|w| w.as_str())
        .map_or_else(|| "on_success".to_string(), Cow::into_owned);
    let rules = node
        .get("rules")
        .map(|r| rule_clauses(r, &when))
        .unwrap_or_default();
    let manual = if rules.is_empty() {
        when == "manual"
    } else {
        let running: Vec<&RuleClause> = rules.iter().filter(|r| r.when != "never").collect();
        !running.is_empty() && running.iter().all(|r| r.when == "manual")
    };
    let allow_failure = match node.get("allow_failure") {
        Some(a) => a.as_bool().unwrap_or(false),
        None => rules.is_empty() && when == "manual",
    };
    let refs = |key: &str| -> Vec<String> {
        match node.get(key) {
            Some(n) if n.is_map() => n.get("refs").map(LNode::strings).unwrap_or_default(),
            Some(n) => n.strings(),
            None => Vec::new(),
        }
    };
    let mut job = Job {
        id: name.to_string(),
        stage: node
            .get("stage")
            .and_then(|s| s.as_str())
            .map_or_else(|| "test".to_string(), Cow::into_owned),
        templates: templates.to_vec(),
        when,
        manual,
        allow_failure,
        rules,
        only: refs("only"),
        except: refs("except"),
        file: key_loc.path.to_string(),
        loc: key_loc.clone(),
        ..Job::default()
    };
    if let Some(env) = node.get("environment") {
        if env.is_map() {
            job.environment = env
                .get("name")
                .and_then(|n| n.as_str())
                .map(Cow::into_owned);
            job.environment_action = env
                .get("action")
                .and_then(|n| n.as_str())
                .map(Cow::into_owned);
            job.deployment_tier = env
                .get("deployment_tier")
                .and_then(|n| n.as_str())
                .map(Cow::into_owned);
            for (k, v) in env.entries().iter().map(|e| (&e.key, &e.value)) {
                locs.insert(format!("environment.{k}"), v.loc.clone());
            }
        } else {
            job.environment = env.as_str().map(Cow::into_owned);
        }
    }
    job.resource_group = node
        .get("resource_group")
        .and_then(|r| r.as_str())
        .map(Cow::into_owned);
    job.id_tokens = node
        .get("id_tokens")
        .map(|t| t.entries().iter().map(|e| e.key.clone()).collect())
        .unwrap_or_default();
    job.secrets = node
        .get("secrets")
        .map(|t| t.entries().iter().map(|e| e.key.clone()).collect())
        .unwrap_or_default();
    if let Some(a) = node.get("artifacts").filter(|a| a.is_map()) {
        let expire_in = a
            .get("expire_in")
            .and_then(|e| e.as_str())
            .map(Cow::into_owned);
        for e in a.entries() {
            locs.insert(format!("artifacts.{}", e.key), e.value.loc.clone());
        }
        job.artifacts = Some(Artifacts {
            paths: a.get("paths").map(LNode::strings).unwrap_or_default(),
            reports: a
                .get("reports")
                .map(|r| r.entries().iter().map(|e| e.key.clone()).collect())
                .unwrap_or_default(),
            expire_never: expire_in.as_deref().is_some_and(|e| e.trim() == "never"),
            expire_days: expire_in.as_deref().and_then(duration_days),
            expire_in,
        });
    }
    job.image = node
        .get("image")
        .and_then(|i| i.get("name").unwrap_or(i).as_str().map(Cow::into_owned));
    job.services = node
        .get("services")
        .map(|s| {
            s.items()
                .iter()
                .filter_map(|i| i.get("name").unwrap_or(i).as_str().map(Cow::into_owned))
                .collect()
        })
        .unwrap_or_default();
    job.trigger = node.get("trigger").and_then(|t| {
        if t.is_map() {
            if t.get("include").is_some() {
                Some("include".to_string())
            } else {
                t.get("project")
                    .and_then(|p| p.as_str())
                    .map(Cow::into_owned)
            }
        } else {
            t.as_str().map(Cow::into_owned)
        }
    });
    job.needs = node
        .get("needs")
        .map(|n| {
            n.items()
                .iter()
                .filter_map(|i| i.get("job").unwrap_or(i).as_str().map(Cow::into_owned))
                .collect()
        })
        .unwrap_or_default();
    job.tags = node.get("tags").map(LNode::strings).unwrap_or_default();
    job.locs = locs;
    job
}

/// `expire_in:` in days: GitLab's durations (`30 days`, `1 week`, `3 mos`, `2h 30m`, `1 year`,
/// a bare number of seconds). `None` when it cannot be read (a variable, `never`, a typo).
pub fn duration_days(text: &str) -> Option<f64> {
    static PART: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)(\d+(?:\.\d+)?)\s*([a-z]*)").expect("valid regex"));
    let text = text.trim();
    if text.is_empty() || text.contains('$') {
        return None;
    }
    let mut seconds = 0.0;
    let mut rest = text
        .to_ascii_lowercase()
        .replace(" and ", " ")
        .replace(',', " ");
    rest = rest.trim().to_string();
    let mut matched = 0;
    for c in PART.captures_iter(&rest) {
        let n: f64 = c[1].parse().ok()?;
        let unit = match &c[2] {
            "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            "w" | "wk" | "wks" | "week" | "weeks" => 604_800.0,
            "mo" | "mos" | "month" | "months" => 2_592_000.0,
            "y" | "yr" | "yrs" | "year" | "years" => 31_536_000.0,
            _ => return None,
        };
        seconds += n * unit;
        matched += c[0].len();
    }
    let letters = rest.chars().filter(|c| !c.is_whitespace()).count();
    let used: usize = PART
        .captures_iter(&rest)
        .map(|c| c[0].chars().filter(|c| !c.is_whitespace()).count())
        .sum();
    if matched == 0 || used != letters {
        return None;
    }
    Some(seconds / 86_400.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_gitlab() {
        assert_eq!(duration_days("30 days"), Some(30.0));
        assert_eq!(duration_days("1 week"), Some(7.0));
        assert_eq!(duration_days("1 yr"), Some(365.0));
        assert_eq!(duration_days("2 weeks and 1 day"), Some(15.0));
        assert_eq!(duration_days("86400"), Some(1.0));
        assert_eq!(duration_days("12h 12h"), Some(1.0));
        assert_eq!(duration_days("$RETENTION"), None);
        assert_eq!(duration_days("never"), None);
        assert_eq!(duration_days("3 fortnights"), None);
    }
}
