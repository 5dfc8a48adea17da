//! Inline suppressions: applying `# soc2: ignore[RULE] reason` comments to evaluations.
//!
//! The providers record every suppression comment of a pipeline file in the repository's facts
//! ([`Repository::suppressions`]); this module, pure like the engine, turns the failures they
//! cover into `excepted` outcomes and reports what is wrong with the others as [`Warning`]s.
//! A suppression covers a `fail` evaluation of the same target and file whose location starts
//! on the comment's line (a trailing comment) or on the line right below it (a comment on its
//! own line above the finding), for a rule it names by id or name. The evaluation keeps its
//! message and gains a [`Waiver`] of kind `suppression` whose source is the comment.
//!
//! A suppression is documentation, so one without a reason does not apply (a warning says so);
//! naming a rule that is not in the run, being unreadable, or covering no failure are warnings
//! too, so that stale suppressions do not pile up silently. Warnings never change the exit code.

use std::collections::HashMap;

use crate::engine::{Evaluation, Outcome, Waiver, Warning};
use crate::facts::{Repository, Suppression};
use crate::rules::RuleSet;

/// The waiver kind of an inline suppression.
pub const KIND: &str = "suppression";

/// Applies the suppressions of `repos` to `evaluations` (of the same repositories, evaluated
/// with `rules`) and returns the warnings, in repository, file and line order.
pub fn apply(
    evaluations: &mut [Evaluation],
    repos: &[Repository],
    rules: &RuleSet,
) -> Vec<Warning> {
    if repos.iter().all(|r| r.suppressions.is_empty()) {
        return Vec::new();
    }
    let mut warnings = Vec::new();
    // (evaluation index, the suppression that covers it)
    let mut covered: Vec<(usize, &Suppression)> = Vec::new();
    {
        // Failing evaluations by (target, path, line, rule id).
        let mut failing: HashMap<(&str, &str, u32, &str), Vec<usize>> = HashMap::new();
        for (i, e) in evaluations.iter().enumerate() {
            if e.outcome != Outcome::Fail {
                continue;
            }
            if let Some(loc) = &e.location {
                failing
                    .entry((&e.target, &loc.path, loc.line, &e.rule))
                    .or_default()
                    .push(i);
            }
        }
        for repo in repos {
            for s in &repo.suppressions {
                let warn = |message: String| Warning {
                    target: repo.id.clone(),
                    location: Some(s.loc.clone()),
                    message,
                };
                if s.rules.is_empty() {
                    warnings.push(warn(format!(
                        "`{}` is not a suppression soc2 can read: write `# soc2: ignore[RULE-ID] reason`",
                        as_written(s)
                    )));
                    continue;
                }
                let mut ids: Vec<&str> = Vec::new();
                for key in &s.rules {
                    match rules.find(key) {
                        // A repository-wide control is not waived by a comment in one file.
                        Some(rule) if rule.is_repo_scope() => warnings.push(warn(format!(
                            "{} is a repository-wide control and cannot be suppressed inline; document an exception in soc2.toml (reason, approver, expiry)",
                            rule.id
                        ))),
                        Some(rule) => ids.push(&rule.id),
                        None => warnings.push(warn(unknown_rule(key, rules))),
                    }
                }
                if s.reason.trim().is_empty() {
                    warnings.push(warn(format!(
                        "a suppression needs a reason: `# soc2: ignore[{}] <why this is acceptable>`; this one does not apply",
                        s.rules.join(", ")
                    )));
                    continue;
                }
                for id in ids {
                    let mut used = false;
                    let lines: &[u32] = if s.standalone {
                        &[s.line, s.line + 1]
                    } else {
                        &[s.line]
                    };
                    for &line in lines {
                        if let Some(idx) = failing.get(&(&*repo.id, &*s.path, line, id)) {
                            covered.extend(idx.iter().map(|&i| (i, s)));
                            used = true;
                        }
                    }
                    if !used {
                        let place = if s.standalone {
                            format!("line {} or {}", s.line, s.line + 1)
                        } else {
                            format!("line {}", s.line)
                        };
                        warnings.push(warn(format!(
                            "unused suppression: no failing {id} finding on {place} of {}",
                            s.path
                        )));
                    }
                }
            }
        }
    }
    // The first suppression found for an evaluation wins (they are in line order).
    let mut done = vec![false; evaluations.len()];
    for (i, s) in covered {
        if std::mem::replace(&mut done[i], true) {
            continue;
        }
        let e = &mut evaluations[i];
        e.outcome = Outcome::Excepted;
        e.waiver = Some(Box::new(Waiver {
            kind: KIND.to_string(),
            reason: s.reason.trim().to_string(),
            approved_by: None,
            expires: None,
            expired: false,
            source: Some(s.loc.clone()),
        }));
    }
    warnings
}

fn unknown_rule(key: &str, rules: &RuleSet) -> String {
    let lower = key.to_ascii_lowercase();
    let suggestion = rules
        .rules
        .iter()
        .flat_map(|r| [r.id.as_str(), r.name.as_str()])
        .map(|c| (strsim::levenshtein(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!("; did you mean `{c}`?"))
        .unwrap_or_default();
    format!(
        "the suppression names `{key}`, which is not a rule of this run (unknown id or name, or not selected){suggestion}"
    )
}

/// An unreadable directive as soc2 read it (without a `[...]` list, the rest is in `reason`).
fn as_written(s: &Suppression) -> String {
    if s.reason.is_empty() {
        "# soc2: ignore".to_string()
    } else {
        format!("# soc2: ignore {}", s.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Location;
    use crate::rules::{self, Severity};

    const TARGET: &str = "local:.";
    const WF: &str = ".github/workflows/ci.yml";

    fn at(path: &str, line: u32) -> Location {
        Location {
            line,
            end_line: line,
            column: 9,
            end_column: 20,
            ..Location::file(path)
        }
    }

    fn eval(rule: &str, outcome: Outcome, line: u32) -> Evaluation {
        Evaluation {
            rule: rule.into(),
            severity: Severity::High,
            outcome,
            target: TARGET.into(),
            resource: format!("{WF}#{line}"),
            subject: format!("{WF} › {line}"),
            message: format!("{rule} fails on line {line}"),
            location: Some(at(WF, line)),
            fingerprint: format!("{rule}-{line}"),
            sensitive: false,
            expected: None,
            actual: None,
            waiver: None,
        }
    }

    fn supp(path: &str, line: u32, keys: &[&str], reason: &str) -> Suppression {
        Suppression {
            path: path.into(),
            line,
            standalone: true,
            rules: keys.iter().map(|k| k.to_string()).collect(),
            reason: reason.into(),
            loc: Location {
                column: 7,
                ..at(path, line)
            },
        }
    }

    fn repo(suppressions: Vec<Suppression>) -> Repository {
        Repository {
            id: TARGET.into(),
            root: ".".into(),
            suppressions,
            ..Repository::default()
        }
    }

    fn run(evals: &mut [Evaluation], sups: Vec<Suppression>) -> Vec<String> {
        let rules = rules::load_embedded().expect("built-in rules load");
        apply(evals, &[repo(sups)], &rules)
            .into_iter()
            .map(|w| {
                assert_eq!(w.target, TARGET);
                assert!(w.location.is_some(), "warnings point at the comment");
                w.message
            })
            .collect()
    }

    #[test]
    fn same_line_and_line_above_are_covered() {
        let mut evals = vec![
            eval("CC9-001", Outcome::Fail, 10),
            eval("CC9-001", Outcome::Fail, 12),
            eval("CC9-001", Outcome::Fail, 14),
        ];
        let warnings = run(
            &mut evals,
            vec![
                supp(WF, 10, &["CC9-001"], "trailing"),
                supp(WF, 11, &["actions-pinned-to-sha"], "  above, by name "),
            ],
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(evals[0].outcome, Outcome::Excepted);
        assert_eq!(evals[1].outcome, Outcome::Excepted);
        assert_eq!(
            evals[2].outcome,
            Outcome::Fail,
            "two lines below is not covered"
        );
        let w = evals[1].waiver.as_ref().expect("waiver");
        assert_eq!(w.kind, "suppression");
        assert_eq!(w.reason, "above, by name");
        assert_eq!(w.source.as_ref().map(|l| l.line), Some(11));
        assert_eq!(evals[1].message, "CC9-001 fails on line 12", "message kept");
    }

    #[test]
    fn repository_wide_controls_cannot_be_suppressed_inline() {
        let mut evals = vec![eval("CC7-001", Outcome::Fail, 1)];
        let warnings = run(&mut evals, vec![supp(WF, 1, &["CC7-001"], "n/a")]);
        assert_eq!(evals[0].outcome, Outcome::Fail);
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("repository-wide control")),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_trailing_comment_covers_its_own_line_only() {
        let mut evals = vec![
            eval("CC9-001", Outcome::Fail, 10),
            eval("CC9-001", Outcome::Fail, 11),
        ];
        let trailing = Suppression {
            standalone: false,
            ..supp(WF, 10, &["CC9-001"], "pinned by the vendor")
        };
        let warnings = run(&mut evals, vec![trailing]);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(evals[0].outcome, Outcome::Excepted);
        assert_eq!(
            evals[1].outcome,
            Outcome::Fail,
            "the next line is not covered"
        );
    }

    #[test]
    fn only_failures_of_named_rules_in_the_same_file_are_covered() {
        let mut evals = vec![
            eval("CC9-001", Outcome::Pass, 5),
            eval("CC6-015", Outcome::Fail, 5),
            eval("CC9-009", Outcome::Unknown, 5),
            eval("CC9-001", Outcome::Fail, 5),
        ];
        evals[3].location = Some(at(".github/workflows/other.yml", 5));
        let warnings = run(&mut evals, vec![supp(WF, 5, &["CC9-001"], "why")]);
        assert!(evals.iter().all(|e| e.outcome != Outcome::Excepted));
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].starts_with("unused suppression"),
            "{warnings:?}"
        );
    }

    #[test]
    fn several_rules_in_one_comment() {
        let mut evals = vec![
            eval("CC9-001", Outcome::Fail, 7),
            eval("CC6-015", Outcome::Fail, 7),
        ];
        let warnings = run(
            &mut evals,
            vec![supp(WF, 7, &["CC9-001", "CC6-015", "CC9-009"], "reviewed")],
        );
        assert!(evals.iter().all(|e| e.outcome == Outcome::Excepted));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("no failing CC9-009 finding"));
    }

    #[test]
    fn a_suppression_without_a_reason_does_not_apply() {
        let mut evals = vec![eval("CC9-001", Outcome::Fail, 3)];
        let warnings = run(&mut evals, vec![supp(WF, 3, &["CC9-001"], "  ")]);
        assert_eq!(evals[0].outcome, Outcome::Fail);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("a suppression needs a reason"));
    }

    #[test]
    fn unknown_rules_and_unreadable_comments_are_warnings() {
        let mut evals = vec![eval("CC9-001", Outcome::Fail, 3)];
        let warnings = run(
            &mut evals,
            vec![
                supp(WF, 1, &["CC9-00l"], "typo"),
                supp(WF, 2, &[], "CC9-001 no brackets"),
            ],
        );
        assert_eq!(evals[0].outcome, Outcome::Fail);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains("`CC9-00l`") && warnings[0].contains("did you mean `CC9-001`")
        );
        assert!(warnings[1].contains("not a suppression soc2 can read"));
    }

    #[test]
    fn other_targets_are_not_touched() {
        let mut evals = vec![eval("CC9-001", Outcome::Fail, 3)];
        evals[0].target = "local:other".into();
        let warnings = run(&mut evals, vec![supp(WF, 3, &["CC9-001"], "why")]);
        assert_eq!(evals[0].outcome, Outcome::Fail);
        assert_eq!(warnings.len(), 1);
    }
}
