//! The operating-effectiveness report (`soc2 report --ledger`), in Markdown and HTML.
//!
//! It renders a [`crate::ledger::Effectiveness`]: the period, the number of runs, the rule sets
//! and targets seen, the ledger's head hash, then for each control the runs in which it passed
//! and failed (with a bar), the periods in which it failed and whether they ended, and the
//! exceptions in force with approver and expiry. Controls are grouped by criterion when the
//! rule is known.

use std::fmt::Write as _;

use super::html::{anchor, chart, esc, legend, page};
use super::markdown::{bar_cell, cell, code};
use crate::engine::Outcome;
use crate::ledger::{ControlHistory, Effectiveness};
use crate::rules::RuleSet;

fn title(rules: &RuleSet, id: &str) -> String {
    rules.find(id).map_or_else(String::new, |r| r.title.clone())
}

fn criterion(rules: &RuleSet, id: &str) -> String {
    rules.find(id).map_or_else(
        || "Other".to_string(),
        |r| r.primary_criterion().to_string(),
    )
}

fn failure_text(c: &ControlHistory) -> Vec<String> {
    c.failures
        .iter()
        .map(|p| {
            let end = match (&p.resolved_at, p.resolved_outcome) {
                (Some(t), Some(Outcome::Pass)) | (Some(t), None) => format!("passed again at {t}"),
                (Some(t), Some(o)) => {
                    format!("no longer failing at {t} (outcome {})", o.as_str())
                }
                (None, _) => "still failing at the end of the period".into(),
            };
            format!("{} → {} ({} run(s)); {end}", p.from, p.to, p.runs)
        })
        .collect()
}

fn exception_text(c: &ControlHistory) -> Vec<String> {
    c.exceptions
        .iter()
        .map(|(x, first, last)| {
            format!(
                "{}: {} — approved by {}, expires {}{}; in force {first} → {last}",
                x.kind,
                x.reason,
                x.approved_by.as_deref().unwrap_or("-"),
                x.expires.as_deref().unwrap_or("-"),
                if x.expired { " (expired)" } else { "" }
            )
        })
        .collect()
}

fn sorted<'a>(view: &'a Effectiveness, rules: &RuleSet) -> Vec<(String, &'a ControlHistory)> {
    let mut out: Vec<(String, &ControlHistory)> = view
        .controls
        .iter()
        .map(|c| (criterion(rules, &c.rule), c))
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1.rule).cmp(&(&b.0, &b.1.rule)));
    out
}

/// Renders the view as Markdown.
pub fn markdown(view: &Effectiveness, rules: &RuleSet) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# SOC 2 operating effectiveness, {} to {}\n",
        view.since, view.until
    );
    let _ = writeln!(
        out,
        "- **Runs in the period:** {} ({} to {})\n- **Targets:** {}\n- **Rule sets:** {}\n- **Ledger head (verified):** `{}`\n",
        view.runs,
        view.first.as_deref().unwrap_or("-"),
        view.last.as_deref().unwrap_or("-"),
        view.targets
            .iter()
            .map(|t| format!("`{}`", code(t)))
            .collect::<Vec<_>>()
            .join(", "),
        view.rule_sets
            .iter()
            .map(|d| format!("`{d}`"))
            .collect::<Vec<_>>()
            .join(", "),
        view.head
    );
    let _ = writeln!(
        out,
        "## Summary\n\n| Control | Criterion | Runs | Passed | Failed | Unknown | Excepted | N/A | Failing share | Failure periods |\n|---|---|---:|---:|---:|---:|---:|---:|---|---:|"
    );
    let controls = sorted(view, rules);
    for (crit, c) in &controls {
        let o = &c.outcomes;
        let _ = writeln!(
            out,
            "| [{}](#{}) {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.rule,
            anchor(&c.rule),
            cell(&title(rules, &c.rule)),
            crit,
            c.runs,
            o.pass,
            o.fail,
            o.unknown,
            o.excepted,
            o.not_applicable,
            bar_cell(o),
            c.failures.len()
        );
    }
    out.push('\n');
    for (crit, c) in &controls {
        let _ = writeln!(
            out,
            "<a id=\"{}\"></a>\n\n## {} {}\n",
            anchor(&c.rule),
            c.rule,
            cell(&title(rules, &c.rule))
        );
        let _ = writeln!(
            out,
            "- **Criterion:** {crit}\n- **Runs:** {}, passed in {}, failed in {}, unknown in {}, excepted in {}",
            c.runs, c.outcomes.pass, c.outcomes.fail, c.outcomes.unknown, c.outcomes.excepted
        );
        let failures = failure_text(c);
        if failures.is_empty() {
            let _ = writeln!(out, "- **Failures:** none in the period");
        } else {
            let _ = writeln!(out, "- **Failure periods:**");
            for f in failures {
                let _ = writeln!(out, "  - {}", cell(&f));
            }
        }
        let exceptions = exception_text(c);
        if exceptions.is_empty() {
            let _ = writeln!(out, "- **Exceptions in force:** none");
        } else {
            let _ = writeln!(out, "- **Exceptions in force:**");
            for x in exceptions {
                let _ = writeln!(out, "  - {}", cell(&x));
            }
        }
        out.push('\n');
    }
    out
}

/// Renders the view as one self-contained HTML page.
pub fn html(view: &Effectiveness, rules: &RuleSet) -> String {
    let heading = format!(
        "SOC 2 operating effectiveness, {} to {}",
        view.since, view.until
    );
    let mut b = format!("<h1>{}</h1>\n<dl class=\"meta\">\n", esc(&heading));
    let _ = writeln!(
        b,
        "<dt>Runs in the period</dt><dd>{} ({} to {})</dd>",
        view.runs,
        esc(view.first.as_deref().unwrap_or("-")),
        esc(view.last.as_deref().unwrap_or("-"))
    );
    let _ = writeln!(
        b,
        "<dt>Targets</dt><dd>{}</dd>",
        view.targets
            .iter()
            .map(|t| format!("<code>{}</code>", esc(t)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        b,
        "<dt>Rule sets</dt><dd>{}</dd>",
        view.rule_sets
            .iter()
            .map(|d| format!("<code>{}</code>", esc(d)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        b,
        "<dt>Ledger head (verified)</dt><dd><code>{}</code></dd>\n</dl>",
        esc(&view.head)
    );
    let controls = sorted(view, rules);
    b.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    b.push_str(&legend());
    let bars: Vec<_> = controls
        .iter()
        .map(|(_, c)| (c.rule.clone(), anchor(&c.rule), c.outcomes))
        .collect();
    b.push_str(&chart(&bars));
    b.push_str("<table>\n<thead><tr><th>Control</th><th>Criterion</th><th>Runs</th><th>Passed</th><th>Failed</th><th>Unknown</th><th>Excepted</th><th>N/A</th><th>Failure periods</th></tr></thead>\n<tbody>\n");
    for (crit, c) in &controls {
        let o = &c.outcomes;
        let _ = writeln!(
            b,
            "<tr><td><a href=\"#{}\">{}</a> {}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            anchor(&c.rule),
            esc(&c.rule),
            esc(&title(rules, &c.rule)),
            esc(crit),
            c.runs,
            o.pass,
            o.fail,
            o.unknown,
            o.excepted,
            o.not_applicable,
            c.failures.len()
        );
    }
    b.push_str("</tbody>\n</table>\n</section>\n");
    for (crit, c) in &controls {
        let _ = writeln!(
            b,
            "<section class=\"control{}\" id=\"{}\">\n<h3>{} {}</h3>",
            if c.failures.is_empty() {
                " o-pass"
            } else {
                " o-fail"
            },
            anchor(&c.rule),
            esc(&c.rule),
            esc(&title(rules, &c.rule))
        );
        let _ = writeln!(
            b,
            "<p>Criterion {}. {} run(s): passed in {}, failed in {}, unknown in {}, excepted in {}.</p>",
            esc(crit),
            c.runs,
            c.outcomes.pass,
            c.outcomes.fail,
            c.outcomes.unknown,
            c.outcomes.excepted
        );
        let failures = failure_text(c);
        if failures.is_empty() {
            b.push_str("<p>No failure in the period.</p>\n");
        } else {
            b.push_str("<h4>Failure periods</h4>\n<ul>\n");
            for f in failures {
                let _ = writeln!(b, "<li>{}</li>", esc(&f));
            }
            b.push_str("</ul>\n");
        }
        let exceptions = exception_text(c);
        if !exceptions.is_empty() {
            b.push_str("<h4>Exceptions in force</h4>\n<ul>\n");
            for x in exceptions {
                let _ = writeln!(b, "<li>{}</li>", esc(&x));
            }
            b.push_str("</ul>\n");
        }
        b.push_str("</section>\n");
    }
    page(&heading, &b)
}
