//! Loading rule files: YAML to [`Rule`], with every problem reported at its line and column.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

use miette::{Diagnostic, NamedSource, SourceSpan};
use regex::Regex;
use serde::Deserialize;
use serde_saphyr::Spanned;
use sha2::{Digest, Sha256};

use super::{Rule, RuleSet, Scope, Severity, UnknownIf, embedded, hex};
use crate::expr::{Expr, ExprError, Template};

/// A rule file that cannot be loaded. Rendered by miette with the offending line.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{path}: {message}")]
#[diagnostic(code(soc2::rule_file))]
pub struct LoadError {
    /// The rule file.
    pub path: String,
    /// What is wrong.
    pub message: String,
    #[source_code]
    src: std::sync::Arc<NamedSource<String>>,
    #[label("here")]
    span: Option<SourceSpan>,
    #[help]
    help: Option<String>,
    /// 1-based line of the problem (0 when unknown).
    pub line: usize,
    /// 1-based column of the problem (0 when unknown).
    pub column: usize,
}

impl LoadError {
    fn new(
        path: &str,
        text: &str,
        offset: Option<usize>,
        message: String,
        help: Option<String>,
    ) -> Self {
        let (line, column) = offset.map_or((0, 0), |o| line_col(text, o));
        let span = offset.map(|o| {
            let len = text[o.min(text.len())..]
                .find(['\n', ' '])
                .unwrap_or(text.len() - o.min(text.len()))
                .max(1);
            SourceSpan::from((o, len.min(text.len().saturating_sub(o))))
        });
        Self {
            path: path.to_string(),
            message,
            src: std::sync::Arc::new(NamedSource::new(path, text.to_string())),
            span,
            help,
            line,
            column,
        }
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    name: Spanned<String>,
    title: String,
    criteria: Spanned<Vec<String>>,
    severity: Spanned<String>,
    scope: Spanned<AtField>,
    #[serde(default, rename = "let")]
    lets: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    when: Option<Spanned<String>>,
    #[serde(default)]
    unknown_if: Option<Spanned<String>>,
    #[serde(default)]
    unknown_reason: Option<Spanned<String>>,
    assert: Spanned<String>,
    #[serde(default)]
    at: Option<Spanned<AtField>>,
    message: Spanned<String>,
    #[serde(default)]
    expected: Option<Spanned<String>>,
    #[serde(default)]
    actual: Option<Spanned<String>>,
    #[serde(default)]
    pass_actual: Option<Spanned<String>>,
    rationale: String,
    remediation: String,
    references: Spanned<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AtField {
    One(String),
    Many(Vec<String>),
}

static ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z][A-Z0-9]*-[0-9]{3}$").expect("valid regex"));
static NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").expect("valid regex"));
static LET_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9_]*$").expect("valid regex"));
static CRITERION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^CC[1-9]\.[0-9]+$").expect("valid regex"));

fn offset_of<T>(s: &Spanned<T>) -> Option<usize> {
    s.referenced
        .span()
        .byte_offset()
        .and_then(|o| usize::try_from(o).ok())
}

/// Parses and compiles one rule file.
pub fn load_file(path: &str, text: &str) -> Result<Rule, LoadError> {
    let raw: RawRule = serde_saphyr::from_str(text).map_err(|e| {
        let offset = e
            .location()
            .and_then(|l| l.span().byte_offset())
            .and_then(|o| usize::try_from(o).ok());
        let message = plain_message(&e);
        let help = message.contains("missing field").then(|| {
            "required fields: id, name, title, criteria, severity, scope, assert, message, \
             rationale, remediation, references (optional: when, unknown_if with unknown_reason, at, \
             expected, actual, pass_actual)"
                .to_string()
        });
        LoadError::new(path, text, offset, message, help)
    })?;
    let err = |s: Option<usize>, message: String, help: Option<String>| {
        LoadError::new(path, text, s, message, help)
    };

    if !ID.is_match(&raw.id.value) {
        return Err(err(
            offset_of(&raw.id),
            format!("`{}` is not a rule id", raw.id.value),
            Some(
                "ids look like `CC9-001`: the primary criterion's area, a dash, three digits"
                    .into(),
            ),
        ));
    }
    let file_name = Path::new(path)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !file_name.starts_with(&format!("{}-", raw.id.value)) {
        return Err(err(
            offset_of(&raw.id),
            format!(
                "the file name `{file_name}` does not start with the rule id `{}-`",
                raw.id.value
            ),
            Some(format!(
                "name the file `{}-{}.yml`",
                raw.id.value, raw.name.value
            )),
        ));
    }
    if !NAME.is_match(&raw.name.value) {
        return Err(err(
            offset_of(&raw.name),
            format!("`{}` is not a valid rule name", raw.name.value),
            Some("names are lower-case words joined by dashes".into()),
        ));
    }
    if raw.criteria.value.is_empty() {
        return Err(err(
            offset_of(&raw.criteria),
            "`criteria` must name at least one SOC 2 criterion".into(),
            None,
        ));
    }
    if let Some(bad) = raw.criteria.value.iter().find(|c| !CRITERION.is_match(c)) {
        return Err(err(
            offset_of(&raw.criteria),
            format!("`{bad}` is not a SOC 2 common criterion"),
            Some("criteria look like `CC8.1`".into()),
        ));
    }
    if raw.references.value.is_empty() {
        return Err(err(
            offset_of(&raw.references),
            "`references` must list at least one link".into(),
            None,
        ));
    }
    let severity: Severity = raw
        .severity
        .value
        .parse()
        .map_err(|m| err(offset_of(&raw.severity), m, None))?;
    let scope_names = match &raw.scope.value {
        AtField::One(s) => vec![s.clone()],
        AtField::Many(v) => v.clone(),
    };
    let mut scopes: Vec<Scope> = Vec::new();
    for name in &scope_names {
        let scope: Scope = name
            .parse()
            .map_err(|m| err(offset_of(&raw.scope), m, None))?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    if scopes.is_empty() {
        return Err(err(
            offset_of(&raw.scope),
            "`scope` must name at least one scope".into(),
            None,
        ));
    }
    let scope_vars = Scope::variables_of(&scopes);
    // `let` values are computed from the scope's variables (not from one another), then bound
    // beside them for every other expression of the rule.
    let mut lets = Vec::new();
    for (name, expr) in &raw.lets {
        if !LET_NAME.is_match(name)
            || scope_vars.contains(&name.as_str())
            || crate::expr::HELPERS.iter().any(|h| h.name == name)
        {
            return Err(err(
                offset_of(expr),
                format!("`let` name `{name}` is not a free identifier"),
                Some(
                    "use a lowercase identifier (`archives`) that is neither a variable of the \
                     rule's scope nor a helper function"
                        .into(),
                ),
            ));
        }
        let compiled = Expr::compile(&expr.value, &scope_vars)
            .map_err(|e| expr_error(path, text, expr, &e))?;
        lets.push((name.clone(), compiled));
    }
    let var_list: Vec<&str> = scope_vars
        .iter()
        .copied()
        .chain(raw.lets.keys().map(String::as_str))
        .collect();
    let vars = var_list.as_slice();

    let compile = |s: &Spanned<String>| {
        Expr::compile(&s.value, vars).map_err(|e| expr_error(path, text, s, &e))
    };
    let when = raw.when.as_ref().map(compile).transpose()?;
    let assert = compile(&raw.assert)?;
    let message = Template::compile(&raw.message.value, vars)
        .map_err(|e| expr_error(path, text, &raw.message, &e))?;
    let template = |s: &Spanned<String>| {
        Template::compile(&s.value, vars).map_err(|e| expr_error(path, text, s, &e))
    };
    let unknown_if = match (&raw.unknown_if, &raw.unknown_reason) {
        (Some(cond), Some(reason)) => Some(UnknownIf {
            condition: compile(cond)?,
            reason: template(reason)?,
        }),
        (Some(cond), None) => {
            return Err(err(
                offset_of(cond),
                "`unknown_if` needs an `unknown_reason`".into(),
                Some(
                    "an unknown outcome always states why: add `unknown_reason:` with a message \
                     template"
                        .into(),
                ),
            ));
        }
        (None, Some(reason)) => {
            return Err(err(
                offset_of(reason),
                "`unknown_reason` is set without `unknown_if`".into(),
                Some("add the `unknown_if:` condition it explains, or remove it".into()),
            ));
        }
        (None, None) => None,
    };
    let expected = raw.expected.as_ref().map(template).transpose()?;
    let actual = raw.actual.as_ref().map(template).transpose()?;
    let pass_actual = raw.pass_actual.as_ref().map(template).transpose()?;
    let at = match raw.at.map(|a| a.value) {
        None => Vec::new(),
        Some(AtField::One(s)) => vec![s],
        Some(AtField::Many(v)) => v,
    };

    Ok(Rule {
        id: raw.id.value,
        name: raw.name.value,
        title: raw.title,
        criteria: raw.criteria.value,
        severity,
        scopes,
        lets,
        when,
        unknown_if,
        assert,
        at,
        message,
        expected,
        actual,
        pass_actual,
        rationale: raw.rationale.trim().to_string(),
        remediation: raw.remediation.trim().to_string(),
        references: raw.references.value,
        source: path.to_string(),
        digest: hex(&Sha256::digest(text.as_bytes())),
        text: text.to_string(),
    })
}

/// The message of a serde-saphyr error without its rendered snippet (miette renders ours).
fn plain_message(e: &serde_saphyr::Error) -> String {
    static PREFIX: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(error: )?(line \d+ column \d+: )?").expect("valid regex"));
    let full = e.to_string();
    let first = full.lines().next().unwrap_or("invalid rule file").trim();
    PREFIX.replace(first, "").into_owned()
}

/// Maps an error inside an expression to the rule file: the expression's own location plus the
/// offset inside it, found by searching for the text at that offset.
fn expr_error(path: &str, text: &str, s: &Spanned<String>, e: &ExprError) -> LoadError {
    let base = offset_of(s).unwrap_or(0);
    let within: String = s
        .value
        .chars()
        .skip(e.offset())
        .take_while(|c| !c.is_whitespace())
        .take(16)
        .collect();
    let offset = if within.is_empty() {
        base
    } else {
        text.get(base..)
            .and_then(|rest| rest.find(&within))
            .map_or(base, |i| base + i)
    };
    let help = match e {
        ExprError::UnboundVariable { available, .. } => {
            Some(format!("this rule's scope binds: {available}"))
        }
        ExprError::UnknownFunction { .. } => Some(format!(
            "helpers: {}",
            crate::expr::HELPERS
                .iter()
                .map(|h| h.name)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        ExprError::Syntax { .. } => None,
    };
    LoadError::new(path, text, Some(offset), e.to_string(), help)
}

/// Loads the rules embedded in the binary.
pub fn load_embedded() -> Result<RuleSet, LoadError> {
    let mut set = RuleSet::default();
    for (path, text) in embedded::EMBEDDED_RULES {
        add(&mut set, load_file(path, text)?, path, text)?;
    }
    set.rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(set)
}

/// Loads every `*.yml`/`*.yaml` under `dir` into `set`.
pub fn load_dir(set: &mut RuleSet, dir: &Path) -> Result<(), LoadError> {
    let io = |message: String| LoadError::new(&dir.display().to_string(), "", None, message, None);
    if !dir.is_dir() {
        return Err(io(
            "rule directory does not exist or is not a directory".into()
        ));
    }
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file()
                && matches!(
                    e.path().extension().and_then(|x| x.to_str()),
                    Some("yml" | "yaml")
                )
        })
        .map(|e| e.into_path())
        .collect();
    files.sort();
    for file in files {
        let shown = file.display().to_string();
        let text = std::fs::read_to_string(&file).map_err(|e| {
            LoadError::new(
                &shown,
                "",
                None,
                format!("cannot read rule file: {e}"),
                None,
            )
        })?;
        let rule = load_file(&shown, &text)?;
        add(set, rule, &shown, &text)?;
    }
    set.rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(())
}

fn add(set: &mut RuleSet, rule: Rule, path: &str, text: &str) -> Result<(), LoadError> {
    if let Some(other) = set
        .rules
        .iter()
        .find(|r| r.id == rule.id || r.name == rule.name)
    {
        let offset = text.find(&format!("id: {}", rule.id));
        return Err(LoadError::new(
            path,
            text,
            offset,
            format!(
                "rule `{}` ({}) is already defined by {}",
                rule.id, rule.name, other.source
            ),
            Some("rule ids and names are unique; pick the next free number".into()),
        ));
    }
    set.rules.push(rule);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id: CC9-901\nname: test-rule\ntitle: A test rule\ncriteria: [CC9.2]\nseverity: low\nscope: gha.step\nwhen: has(step.uses)\nassert: is_sha(step.ref)\nmessage: \"`{step.uses}` is not pinned\"\nrationale: Because.\nremediation: Pin it.\nreferences: [https://example.com/r]\n";

    fn load(text: &str) -> Result<Rule, LoadError> {
        load_file("rules/cc9/CC9-901-test-rule.yml", text)
    }

    #[test]
    fn a_valid_rule_loads() {
        let rule = load(GOOD).expect("valid rule");
        assert_eq!(rule.id, "CC9-901");
        assert_eq!(rule.scopes, vec![Scope::GhaStep]);
        assert_eq!(rule.digest.len(), 64);
    }

    #[test]
    fn unknown_fields_point_at_their_line() {
        let text = GOOD.replace("severity: low\n", "severity: low\nseverty: high\n");
        let err = load(&text).expect_err("unknown field");
        assert!(err.message.contains("unknown field"), "{}", err.message);
        assert_eq!(err.line, 6, "{}", err.message);
    }

    #[test]
    fn cel_syntax_errors_point_into_the_condition() {
        let text = GOOD.replace("assert: is_sha(step.ref)", "assert: is_sha(step.ref) &&& x");
        let err = load(&text).expect_err("syntax error");
        assert!(err.message.contains("CEL syntax error"), "{}", err.message);
        assert_eq!(err.line, 8);
        assert!(
            err.column > 8,
            "column {} is inside the expression",
            err.column
        );
    }

    #[test]
    fn unbound_variables_are_load_errors_with_position() {
        let text = GOOD.replace("when: has(step.uses)", "when: has(image.digest)");
        let err = load(&text).expect_err("unbound");
        assert!(
            err.message.contains("`image` is not bound"),
            "{}",
            err.message
        );
        assert_eq!((err.line, err.column), (7, 11));
    }

    #[test]
    fn let_values_are_bound_beside_the_scope_variables() {
        let text = GOOD
            .replace(
                "when: has(step.uses)\n",
                "let:\n  pinned: has(step.ref) && is_sha(step.ref)\nwhen: has(step.uses)\n",
            )
            .replace("assert: is_sha(step.ref)", "assert: pinned");
        let rule = load(&text).expect("valid rule");
        assert_eq!(rule.lets.len(), 1);
        assert_eq!(rule.lets[0].0, "pinned");
        // A `let` sees the scope's variables, not other `let` values.
        let text = GOOD.replace(
            "when: has(step.uses)\n",
            "let:\n  a: step.ref\n  b: a\nwhen: has(step.uses)\n",
        );
        let err = load(&text).expect_err("let using let");
        assert!(err.message.contains("`a` is not bound"), "{}", err.message);
        // A name may not shadow a variable or a helper.
        for name in ["step", "is_sha", "Bad"] {
            let text = GOOD.replace(
                "when: has(step.uses)\n",
                &format!("let:\n  {name}: step.ref\nwhen: has(step.uses)\n"),
            );
            let err = load(&text).expect_err("shadowing let");
            assert!(
                err.message.contains("is not a free identifier"),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn message_placeholders_are_checked() {
        let text = GOOD.replace("{step.uses}", "{job.nope(}");
        let err = load(&text).expect_err("bad placeholder");
        assert_eq!(err.line, 9);
    }

    #[test]
    fn required_fields_and_values_are_enforced() {
        let err =
            load(&GOOD.replace("references: [https://example.com/r]\n", "")).expect_err("missing");
        assert!(err.message.contains("references"), "{}", err.message);
        let err = load(&GOOD.replace("severity: low", "severity: severe")).expect_err("severity");
        assert!(err.message.contains("unknown severity"), "{}", err.message);
        assert_eq!(err.line, 5);
        let err = load(&GOOD.replace("scope: gha.step", "scope: gha.steps")).expect_err("scope");
        assert!(err.message.contains("unknown scope"));
        let err = load(&GOOD.replace("[CC9.2]", "[CC9-2]")).expect_err("criterion");
        assert!(err.message.contains("not a SOC 2 common criterion"));
        let err = load_file("rules/cc9/CC9-902-other.yml", GOOD).expect_err("file name");
        assert!(err.message.contains("does not start with the rule id"));
    }

    #[test]
    fn unknown_if_loads_and_needs_a_reason() {
        let with = GOOD.replace(
            "assert: is_sha(step.ref)\n",
            "unknown_if: step.ref.contains('${{')\nunknown_reason: \"`{step.ref}` is computed\"\nassert: is_sha(step.ref)\n",
        );
        let rule = load(&with).expect("valid rule");
        assert!(rule.unknown_if.is_some());

        let text = GOOD.replace(
            "assert: is_sha(step.ref)\n",
            "unknown_if: step.ref.contains('${{')\nassert: is_sha(step.ref)\n",
        );
        let err = load(&text).expect_err("reason required");
        assert!(err.message.contains("unknown_reason"), "{}", err.message);
        assert_eq!(err.line, 8);

        let text = GOOD.replace(
            "assert: is_sha(step.ref)\n",
            "unknown_reason: \"why\"\nassert: is_sha(step.ref)\n",
        );
        let err = load(&text).expect_err("reason without condition");
        assert!(
            err.message.contains("without `unknown_if`"),
            "{}",
            err.message
        );

        let text = with.replace("step.ref.contains", "image.ref.contains");
        let err = load(&text).expect_err("unbound");
        assert!(
            err.message.contains("`image` is not bound"),
            "{}",
            err.message
        );
        assert_eq!(err.line, 8);

        let text = with.replace("{step.ref}", "{nope.x}");
        let err = load(&text).expect_err("reason placeholder");
        assert_eq!(err.line, 9, "{}", err.message);
    }

    #[test]
    fn embedded_rules_all_load() {
        let set = load_embedded().expect("built-in rules load");
        assert!(set.rules.len() >= 20);
        assert!(set.find("actions-pinned-to-sha").is_some());
        assert_eq!(set.digest().len(), 64);
    }
}
