//! Markdown: the auditor's report as plain text that reads without the tool.
//!
//! Layout: a header (tool, rule-set digest, targets, verdict), a summary table with counts per
//! criterion and a text bar chart, then one section per criterion area and point with each
//! control's declared policy, outcome, actual configuration and evidence source, then the
//! exceptions (reason, approver, expiry), the unknowns with their reasons, and the run's
//! warnings. Every cell is escaped so that `|`, `<` and newlines in messages cannot break the
//! tables or inject HTML.

use std::fmt::Write as _;

use super::ReportInput;
use super::audit::{AuditView, Control, outcome_label};
use super::html::anchor;
use crate::engine::{Outcome, Summary};

/// Escapes text for a Markdown table cell or inline text.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for a code span (`like this`) inside a table cell.
pub fn code(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
}

/// A text bar of `width` cells: failing and unknown share first, then the rest.
pub fn text_bar(s: &Summary, width: usize) -> String {
    let total = s.pass + s.fail + s.unknown + s.excepted;
    if total == 0 {
        return String::new();
    }
    let cells = |n: usize| (n * width).div_ceil(total);
    let bad = cells(s.fail + s.unknown).min(width);
    format!("{}{}", "█".repeat(bad), "░".repeat(width - bad))
}

/// A table cell with [`text_bar`] in a code span, or `–` when there is nothing to draw.
pub fn bar_cell(s: &Summary) -> String {
    let bar = text_bar(s, 20);
    if bar.is_empty() {
        "–".to_string()
    } else {
        format!("`{bar}`")
    }
}

fn counts_row(label: &str, s: &Summary) -> String {
    let bar = bar_cell(s);
    format!(
        "| {label} | {} | {} | {} | {} | {} | {} |\n",
        s.pass, s.fail, s.unknown, s.excepted, s.not_applicable, bar
    )
}

/// Renders the Markdown report of a run.
pub fn render(input: &ReportInput<'_>) -> String {
    let view = AuditView::new(input);
    let mut out = String::new();
    let _ = writeln!(out, "# SOC 2 controls report\n");
    let _ = writeln!(
        out,
        "- **Tool:** {}\n- **Rule set digest:** `{}`\n- **Targets:** {}\n- **Result:** {} (fail on {} or higher{})\n",
        view.tool,
        view.rule_set_digest,
        view.targets
            .iter()
            .map(|t| format!("`{}`", code(t)))
            .collect::<Vec<_>>()
            .join(", "),
        if view.passed { "passed" } else { "failed" },
        view.fail_on,
        if input.strict { ", strict" } else { "" }
    );

    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "| Criterion | Pass | Fail | Unknown | Excepted | N/A | Fail+unknown share |\n|---|---:|---:|---:|---:|---:|---|"
    );
    for area in &view.areas {
        for p in &area.points {
            out.push_str(&counts_row(
                &format!("[{}](#{}) {}", p.id, anchor(&p.id), cell(p.title)),
                &p.summary,
            ));
        }
    }
    out.push_str(&counts_row("**Total**", &view.totals));
    out.push('\n');

    let _ = writeln!(out, "## Contents\n");
    for area in &view.areas {
        let _ = writeln!(out, "- {} {}", area.id, area.title);
        for p in &area.points {
            let _ = writeln!(out, "  - [{} {}](#{})", p.id, cell(p.title), anchor(&p.id));
            for c in &p.controls {
                let _ = writeln!(
                    out,
                    "    - [{} {}](#{}) — {}",
                    c.id,
                    cell(&c.title),
                    anchor(&c.id),
                    outcome_label(c.outcome)
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "- [Exceptions](#exceptions)\n- [Unknowns](#unknowns)\n"
    );

    for area in &view.areas {
        let _ = writeln!(
            out,
            "<a id=\"{}\"></a>\n\n## {} {}\n",
            anchor(&area.id),
            area.id,
            area.title
        );
        for p in &area.points {
            let _ = writeln!(
                out,
                "<a id=\"{}\"></a>\n\n### {}\n",
                anchor(&p.id),
                heading(&p.id, p.title)
            );
            if p.controls.is_empty() {
                let _ = writeln!(out, "No control has this as its primary criterion.\n");
            }
            for c in &p.controls {
                control(&mut out, c);
            }
            if !p.related.is_empty() {
                let _ = writeln!(out, "Also evidence for {}:\n", p.id);
                for (id, title) in &p.related {
                    let _ = writeln!(out, "- [{id}](#{}) {}", anchor(id), cell(title));
                }
                out.push('\n');
            }
        }
    }

    let _ = writeln!(out, "<a id=\"exceptions\"></a>\n\n## Exceptions\n");
    if view.exceptions.is_empty() {
        let _ = writeln!(out, "None.\n");
    } else {
        let _ = writeln!(
            out,
            "| Control | Target | Subject | Kind | Reason | Approved by | Expires | Written at |\n|---|---|---|---|---|---|---|---|"
        );
        for x in &view.exceptions {
            let _ = writeln!(
                out,
                "| [{}](#{}) | `{}` | {} | {} | {} | {} | {}{} | `{}` |",
                x.rule,
                anchor(&x.rule),
                code(&x.target),
                cell(&x.subject),
                x.kind,
                cell(&x.reason),
                cell(&x.approved_by),
                cell(&x.expires),
                if x.expired { " (expired)" } else { "" },
                code(&x.source)
            );
        }
        out.push('\n');
    }

    let _ = writeln!(out, "<a id=\"unknowns\"></a>\n\n## Unknowns\n");
    if view.unknowns.is_empty() {
        let _ = writeln!(out, "None: every applicable control was evaluated.\n");
    } else {
        let _ = writeln!(
            out,
            "Evidence could not be collected or evaluated for these; the reason says what to grant or fix.\n\n| Reason | Evaluations | Controls |\n|---|---:|---|"
        );
        for u in &view.unknowns {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&u.reason),
                u.count,
                u.rules.join(", ")
            );
        }
        out.push('\n');
    }

    if !view.warnings.is_empty() {
        let _ = writeln!(out, "## Warnings\n");
        for w in &view.warnings {
            let _ = writeln!(out, "- {}", cell(w));
        }
        out.push('\n');
    }
    out
}

fn heading(id: &str, title: &str) -> String {
    if title.is_empty() {
        id.to_string()
    } else {
        format!("{id} {title}")
    }
}

fn control(out: &mut String, c: &Control) {
    let _ = writeln!(
        out,
        "<a id=\"{}\"></a>\n\n#### {}\n",
        anchor(&c.id),
        heading(&c.id, &cell(&c.title))
    );
    let _ = writeln!(
        out,
        "- **Outcome:** {} ({} pass, {} fail, {} unknown, {} excepted, {} n/a)",
        outcome_label(c.outcome),
        c.summary.pass,
        c.summary.fail,
        c.summary.unknown,
        c.summary.excepted,
        c.summary.not_applicable
    );
    let _ = writeln!(
        out,
        "- **Rule:** `{}`, severity {}, criteria {}",
        c.name,
        c.severity,
        c.criteria.join(", ")
    );
    for p in &c.policy {
        let _ = writeln!(out, "- **Declared policy:** {}", cell(p));
    }
    out.push('\n');
    if c.rows.is_empty() {
        let _ = writeln!(out, "Not applicable to any subject.\n");
        return;
    }
    let _ = writeln!(
        out,
        "| Outcome | Target | Subject | Actual configuration | Evidence |\n|---|---|---|---|---|"
    );
    for r in &c.rows {
        let mut actual = cell(&r.actual);
        if let Some(w) = &r.waiver {
            actual.push_str(&format!(" — {}", cell(w)));
        }
        let _ = writeln!(
            out,
            "| {}{} | `{}` | {} | {} | `{}` |",
            if r.outcome == Outcome::Fail { "**" } else { "" },
            if r.outcome == Outcome::Fail {
                "fail**".to_string()
            } else {
                outcome_label(r.outcome).to_string()
            },
            code(&r.target),
            cell(&r.subject),
            actual,
            code(&r.source)
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_tables_or_inject_html() {
        assert_eq!(cell("a | b\n<img>&"), "a \\| b &lt;img&gt;&amp;");
        assert_eq!(code("x|`y`\nz"), "x\\|'y' z");
        let s = Summary {
            pass: 3,
            fail: 1,
            ..Summary::default()
        };
        assert_eq!(text_bar(&s, 4), "█░░░");
        assert_eq!(bar_cell(&Summary::default()), "–");
    }
}
