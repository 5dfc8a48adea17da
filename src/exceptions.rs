//! Documented exceptions from soc2.toml applied to evaluations.
//!
//! An exception names a rule (id or name), a target glob and optionally a file glob, with the
//! reason, the approver and an expiry date. A failing evaluation it covers becomes `excepted`
//! and carries the exception as its [`Waiver`]. An exception past its expiry no longer applies:
//! the evaluation stays `fail`, its message says the exception expired, and the waiver is kept
//! with `expired: true` so reports show what lapsed. Exceptions that cover nothing are reported
//! as warnings, so stale entries get cleaned up.

use globset::{Glob, GlobMatcher};

use crate::config::{Exception, Loaded};
use crate::engine::{Evaluation, Outcome, Waiver, Warning};
use crate::facts::Location;
use crate::rules::RuleSet;

struct Compiled<'a> {
    exception: &'a Exception,
    rule_id: String,
    target: GlobMatcher,
    path: Option<GlobMatcher>,
    waiver: Waiver,
    expired: bool,
}

fn matcher(glob: &str) -> Option<GlobMatcher> {
    Glob::new(glob).ok().map(|g| g.compile_matcher())
}

/// Applies the exceptions of `config` to `evals` as of `today`; returns warnings for exceptions
/// that matched nothing.
pub fn apply(
    evals: &mut [Evaluation],
    config: &Loaded,
    rules: &RuleSet,
    today: jiff::civil::Date,
) -> Vec<Warning> {
    let file = config.path.display().to_string();
    let compiled: Vec<Compiled<'_>> = config
        .config
        .exceptions
        .iter()
        .filter_map(|ex| {
            let rule_id = rules
                .find(ex.rule.get_ref())
                .map_or_else(|| ex.rule.get_ref().clone(), |r| r.id.clone());
            let expiry = ex.expiry()?;
            let (line, column) = line_col(&config.text, ex.rule.span().start);
            let mut source = Location::file(file.as_str());
            (
                source.line,
                source.column,
                source.end_line,
                source.end_column,
            ) = (line, column, line, column);
            Some(Compiled {
                exception: ex,
                rule_id,
                target: matcher(&ex.target)?,
                path: match &ex.path {
                    Some(p) => Some(matcher(p)?),
                    None => None,
                },
                expired: expiry < today,
                waiver: Waiver {
                    kind: "exception".into(),
                    reason: ex.reason.get_ref().trim().to_string(),
                    approved_by: Some(ex.approved_by.get_ref().trim().to_string()),
                    expires: Some(expiry.to_string()),
                    expired: expiry < today,
                    source: Some(source),
                },
            })
        })
        .collect();
    let mut used = vec![false; compiled.len()];
    for e in evals.iter_mut().filter(|e| e.outcome == Outcome::Fail) {
        let Some((i, c)) = compiled.iter().enumerate().find(|(_, c)| {
            c.rule_id == e.rule
                && c.target.is_match(&e.target)
                && c.path
                    .as_ref()
                    .is_none_or(|p| e.location.as_ref().is_some_and(|l| p.is_match(&*l.path)))
        }) else {
            continue;
        };
        used[i] = true;
        e.waiver = Some(Box::new(c.waiver.clone()));
        if c.expired {
            e.message = format!(
                "{} (the exception approved by {} expired on {})",
                e.message,
                c.exception.approved_by.get_ref(),
                c.waiver.expires.as_deref().unwrap_or("?")
            );
        } else {
            e.outcome = Outcome::Excepted;
        }
    }
    compiled
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(c, _)| Warning {
            target: String::new(),
            location: c.waiver.source.clone(),
            message: format!(
                "the exception for {} (target `{}`{}) matches no failing evaluation; remove it if the control now holds",
                c.rule_id,
                c.exception.target,
                c.exception.path.as_ref().map(|p| format!(", path `{p}`")).unwrap_or_default()
            ),
        })
        .collect()
}

fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    (
        before.matches('\n').count() as u32 + 1,
        before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1,
    )
}

/// Today's date in the local time zone.
pub fn today() -> jiff::civil::Date {
    jiff::ZonedDateTime::now().date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;
    use crate::rules::{Severity, load_embedded};

    fn eval(rule: &str, path: &str) -> Evaluation {
        Evaluation {
            rule: rule.into(),
            severity: Severity::High,
            outcome: Outcome::Fail,
            target: "local:.".into(),
            resource: format!("{path}#x"),
            subject: path.into(),
            message: "bad".into(),
            location: Some(Location::file(path)),
            fingerprint: "f".into(),
            sensitive: false,
            expected: None,
            actual: None,
            waiver: None,
        }
    }

    const CONFIG: &str = r#"
[[exceptions]]
rule = "actions-pinned-to-sha"
path = ".github/workflows/legacy-*.yml"
reason = "Vendored workflow"
approved_by = "jane@example.com"
expires = 2030-01-01

[[exceptions]]
rule = "CC6-015"
reason = "Old"
approved_by = "bob@example.com"
expires = 2020-01-01

[[exceptions]]
rule = "CC6-013"
reason = "Unused"
approved_by = "bob@example.com"
expires = 2030-01-01
"#;

    #[test]
    fn exceptions_apply_expire_and_warn_when_unused() {
        let loaded = parse(std::path::Path::new("soc2.toml"), CONFIG).expect("valid");
        let rules = load_embedded().expect("rules");
        let mut evals = vec![
            eval("CC9-001", ".github/workflows/legacy-build.yml"),
            eval("CC9-001", ".github/workflows/ci.yml"),
            eval("CC6-015", ".github/workflows/ci.yml"),
        ];
        let today = jiff::civil::date(2026, 11, 24);
        let warnings = apply(&mut evals, &loaded, &rules, today);
        assert_eq!(evals[0].outcome, Outcome::Excepted);
        let w = evals[0].waiver.as_ref().expect("waiver");
        assert_eq!(w.reason, "Vendored workflow");
        assert_eq!(w.expires.as_deref(), Some("2030-01-01"));
        assert_eq!(w.source.as_ref().map(|l| l.line), Some(3));
        assert_eq!(
            evals[1].outcome,
            Outcome::Fail,
            "path glob does not match ci.yml"
        );
        assert_eq!(
            evals[2].outcome,
            Outcome::Fail,
            "expired exceptions do not apply"
        );
        assert!(evals[2].message.contains("expired on 2020-01-01"));
        assert!(evals[2].waiver.as_ref().is_some_and(|w| w.expired));
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("CC6-013"));
    }
}
