//! HTML: the auditor's report as one self-contained file.
//!
//! The page carries its own stylesheet and an inline SVG chart; it loads nothing (a
//! Content-Security-Policy forbids any fetch, script or font), so it opens offline, from an
//! evidence bundle, years later. It has a table of contents, a summary whose rows link to each
//! criterion and control, and print rules (no navigation colours lost, no row split across
//! pages). Every piece of text goes through [`esc`]; nothing from the evaluations is emitted
//! unescaped.

use std::fmt::Write as _;

use super::ReportInput;
use super::audit::{AuditView, Control, outcome_label};
use crate::engine::{Outcome, Summary};

/// Escapes text for HTML element content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text and renders Markdown-style `code spans` (an even number of backticks) as
/// `<code>`, as rule titles and messages write them.
pub fn rich(text: &str) -> String {
    if !text.matches('`').count().is_multiple_of(2) {
        return esc(text);
    }
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", esc(part))
            } else {
                esc(part)
            }
        })
        .collect()
}

/// An id usable as a fragment: letters, digits and `-` only.
pub fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

const STYLE: &str = r#"
:root { --pass:#2e7d32; --fail:#c62828; --unknown:#ef8f00; --excepted:#1565c0; --na:#9e9e9e; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 0 auto; max-width: 72rem; padding: 1.5rem; color: #1a1a1a; line-height: 1.45; }
h1 { margin-top: 0; } h2 { border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { margin-top: 1.6rem; } h4 { margin: 1.2rem 0 .4rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em;
       background: #f4f4f4; padding: 0 .2em; border-radius: 3px; overflow-wrap: anywhere; }
td.t { white-space: nowrap; } td.t code { overflow-wrap: normal; } td.src { min-width: 15rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #d0d0d0; padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; page-break-inside: avoid; }
.badge { display: inline-block; padding: 0 .45em; border-radius: 3px; color: #fff; font-weight: 600;
         font-size: .85em; white-space: nowrap; }
.pass { background: var(--pass); } .fail { background: var(--fail); } .unknown { background: var(--unknown); }
.excepted { background: var(--excepted); } .not_applicable { background: var(--na); }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin-bottom: 1rem; }
.meta dt { font-weight: 600; } .meta dd { margin: 0; }
nav.toc ul { list-style: none; padding-left: 1.1rem; margin: .2rem 0; } nav.toc > ul { padding-left: 0; }
.control { border-left: 4px solid var(--na); padding-left: .8rem; margin: 1rem 0 1.4rem; }
.control.o-fail { border-color: var(--fail); } .control.o-pass { border-color: var(--pass); }
.control.o-unknown { border-color: var(--unknown); } .control.o-excepted { border-color: var(--excepted); }
.legend span { margin-right: 1rem; white-space: nowrap; }
.legend i { display: inline-block; width: .8em; height: .8em; margin-right: .3em; vertical-align: -.05em; }
svg text { font: 12px system-ui, sans-serif; fill: #1a1a1a; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav.toc { page-break-after: always; }
  h2 { page-break-before: auto; page-break-after: avoid; } h3, h4 { page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  .badge, .legend i, svg, .control { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// Wraps a body in a self-contained page.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

/// A badge for an outcome.
pub fn badge(o: Outcome) -> String {
    format!(
        "<span class=\"badge {}\">{}</span>",
        o.as_str(),
        outcome_label(o)
    )
}

/// The chart legend.
pub fn legend() -> String {
    let mut out = String::from("<p class=\"legend\">");
    for (o, var) in [
        (Outcome::Pass, "--pass"),
        (Outcome::Fail, "--fail"),
        (Outcome::Unknown, "--unknown"),
        (Outcome::Excepted, "--excepted"),
    ] {
        let _ = write!(
            out,
            "<span><i style=\"background:var({var})\"></i>{}</span>",
            outcome_label(o)
        );
    }
    out.push_str("</p>\n");
    out
}

/// A horizontal stacked bar chart, one bar per (label, link, counts); not-applicable
/// evaluations are left out of the bars.
pub fn chart(rows: &[(String, String, Summary)]) -> String {
    let (label_w, bar_w, row_h) = (220usize, 560usize, 24usize);
    let height = rows.len() * row_h + 8;
    let mut out = format!(
        "<svg role=\"img\" aria-label=\"Outcomes per criterion\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\">\n",
        label_w + bar_w + 60,
        label_w + bar_w + 60
    );
    for (i, (label, link, s)) in rows.iter().enumerate() {
        let y = i * row_h + 4;
        let total = s.pass + s.fail + s.unknown + s.excepted;
        let _ = write!(
            out,
            "<a href=\"#{}\"><text x=\"0\" y=\"{}\">{}</text></a>",
            esc(link),
            y + 15,
            esc(label)
        );
        let mut x = label_w;
        for (n, color) in [
            (s.pass, "#2e7d32"),
            (s.fail, "#c62828"),
            (s.unknown, "#ef8f00"),
            (s.excepted, "#1565c0"),
        ] {
            if n == 0 || total == 0 {
                continue;
            }
            let w = (n * bar_w / total).max(2);
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{}\" fill=\"{color}\"><title>{n}</title></rect>",
                row_h - 6
            );
            x += w;
        }
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\">{total}</text>",
            label_w + bar_w + 8,
            y + 15
        );
    }
    out.push_str("</svg>\n");
    out
}

fn counts_cells(s: &Summary) -> String {
    format!(
        "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
        s.pass, s.fail, s.unknown, s.excepted, s.not_applicable
    )
}

/// Renders the HTML report of a run.
pub fn render(input: &ReportInput<'_>) -> String {
    let view = AuditView::new(input);
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<header>\n<h1>SOC 2 controls report</h1>\n<dl class=\"meta\">"
    );
    let _ = writeln!(b, "<dt>Tool</dt><dd>{}</dd>", esc(&view.tool));
    let _ = writeln!(
        b,
        "<dt>Rule set digest</dt><dd><code>{}</code></dd>",
        esc(&view.rule_set_digest)
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
        "<dt>Result</dt><dd>{} (fail on {} or higher{})</dd>\n</dl>\n</header>",
        if view.passed {
            badge(Outcome::Pass).replace(">pass<", ">passed<")
        } else {
            badge(Outcome::Fail).replace(">fail<", ">failed<")
        },
        esc(view.fail_on),
        if input.strict { ", strict" } else { "" }
    );

    // Table of contents.
    let _ = writeln!(
        b,
        "<nav class=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ul>\n<li><a href=\"#summary\">Summary</a></li>"
    );
    for area in &view.areas {
        let _ = writeln!(
            b,
            "<li><a href=\"#{}\">{} {}</a>\n<ul>",
            anchor(&area.id),
            esc(&area.id),
            esc(area.title)
        );
        for p in &area.points {
            let _ = writeln!(
                b,
                "<li><a href=\"#{}\">{} {}</a>\n<ul>",
                anchor(&p.id),
                esc(&p.id),
                esc(p.title)
            );
            for c in &p.controls {
                let _ = writeln!(
                    b,
                    "<li><a href=\"#{}\">{} {}</a> {}</li>",
                    anchor(&c.id),
                    esc(&c.id),
                    rich(&c.title),
                    badge(c.outcome)
                );
            }
            b.push_str("</ul></li>\n");
        }
        b.push_str("</ul></li>\n");
    }
    let _ = writeln!(
        b,
        "<li><a href=\"#exceptions\">Exceptions</a></li>\n<li><a href=\"#unknowns\">Unknowns</a></li>\n</ul>\n</nav>"
    );

    // Summary.
    let _ = writeln!(
        b,
        "<section id=\"summary\">\n<h2>Summary</h2>\n<table>\n<thead><tr><th>Criterion</th><th>Pass</th><th>Fail</th><th>Unknown</th><th>Excepted</th><th>N/A</th></tr></thead>\n<tbody>"
    );
    let mut bars = Vec::new();
    for area in &view.areas {
        for p in &area.points {
            let _ = writeln!(
                b,
                "<tr><td><a href=\"#{}\">{}</a> {}</td>{}</tr>",
                anchor(&p.id),
                esc(&p.id),
                esc(p.title),
                counts_cells(&p.summary)
            );
            bars.push((p.id.clone(), anchor(&p.id), p.summary));
        }
    }
    let _ = writeln!(
        b,
        "<tr><th>Total</th>{}</tr>\n</tbody>\n</table>",
        counts_cells(&view.totals)
            .replace("<td", "<th")
            .replace("</td>", "</th>")
    );
    b.push_str(&legend());
    b.push_str(&chart(&bars));
    let _ = writeln!(
        b,
        "<h3>Controls</h3>\n<table>\n<thead><tr><th>Control</th><th>Criterion</th><th>Outcome</th><th>Pass</th><th>Fail</th><th>Unknown</th><th>Excepted</th><th>N/A</th></tr></thead>\n<tbody>"
    );
    for area in &view.areas {
        for p in &area.points {
            for c in &p.controls {
                let _ = writeln!(
                    b,
                    "<tr><td><a href=\"#{}\">{}</a> {}</td><td>{}</td><td>{}</td>{}</tr>",
                    anchor(&c.id),
                    esc(&c.id),
                    rich(&c.title),
                    esc(&p.id),
                    badge(c.outcome),
                    counts_cells(&c.summary)
                );
            }
        }
    }
    b.push_str("</tbody>\n</table>\n</section>\n");

    // Criteria.
    for area in &view.areas {
        let _ = writeln!(
            b,
            "<section id=\"{}\">\n<h2>{} {}</h2>",
            anchor(&area.id),
            esc(&area.id),
            esc(area.title)
        );
        for p in &area.points {
            let _ = writeln!(
                b,
                "<section id=\"{}\">\n<h3>{} {}</h3>",
                anchor(&p.id),
                esc(&p.id),
                esc(p.title)
            );
            if p.controls.is_empty() {
                b.push_str("<p>No control has this as its primary criterion.</p>\n");
            }
            for c in &p.controls {
                control(&mut b, c);
            }
            if !p.related.is_empty() {
                let _ = writeln!(b, "<p>Also evidence for {}:</p>\n<ul>", esc(&p.id));
                for (id, title) in &p.related {
                    let _ = writeln!(
                        b,
                        "<li><a href=\"#{}\">{}</a> {}</li>",
                        anchor(id),
                        esc(id),
                        esc(title)
                    );
                }
                b.push_str("</ul>\n");
            }
            b.push_str("</section>\n");
        }
        b.push_str("</section>\n");
    }

    // Exceptions.
    b.push_str("<section id=\"exceptions\">\n<h2>Exceptions</h2>\n");
    if view.exceptions.is_empty() {
        b.push_str("<p>None.</p>\n");
    } else {
        b.push_str("<table>\n<thead><tr><th>Control</th><th>Target</th><th>Subject</th><th>Kind</th><th>Reason</th><th>Approved by</th><th>Expires</th><th>Written at</th></tr></thead>\n<tbody>\n");
        for x in &view.exceptions {
            let _ = writeln!(
                b,
                "<tr><td><a href=\"#{}\">{}</a></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td><code>{}</code></td></tr>",
                anchor(&x.rule),
                esc(&x.rule),
                esc(&x.target),
                esc(&x.subject),
                esc(&x.kind),
                esc(&x.reason),
                esc(&x.approved_by),
                esc(&x.expires),
                if x.expired { " (expired)" } else { "" },
                esc(&x.source)
            );
        }
        b.push_str("</tbody>\n</table>\n");
    }
    b.push_str("</section>\n");

    // Unknowns.
    b.push_str("<section id=\"unknowns\">\n<h2>Unknowns</h2>\n");
    if view.unknowns.is_empty() {
        b.push_str("<p>None: every applicable control was evaluated.</p>\n");
    } else {
        b.push_str("<p>Evidence could not be collected or evaluated for these; the reason says what to grant or fix.</p>\n<table>\n<thead><tr><th>Reason</th><th>Evaluations</th><th>Controls</th></tr></thead>\n<tbody>\n");
        for u in &view.unknowns {
            let links: Vec<String> = u
                .rules
                .iter()
                .map(|r| format!("<a href=\"#{}\">{}</a>", anchor(r), esc(r)))
                .collect();
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                rich(&u.reason),
                u.count,
                links.join(", ")
            );
        }
        b.push_str("</tbody>\n</table>\n");
    }
    b.push_str("</section>\n");

    if !view.warnings.is_empty() {
        b.push_str("<section id=\"warnings\">\n<h2>Warnings</h2>\n<ul>\n");
        for w in &view.warnings {
            let _ = writeln!(b, "<li>{}</li>", esc(w));
        }
        b.push_str("</ul>\n</section>\n");
    }
    page("SOC 2 controls report", &b)
}

fn control(b: &mut String, c: &Control) {
    let _ = writeln!(
        b,
        "<article class=\"control o-{}\" id=\"{}\">\n<h4>{} {} {}</h4>",
        c.outcome.as_str(),
        anchor(&c.id),
        esc(&c.id),
        rich(&c.title),
        badge(c.outcome)
    );
    let _ = writeln!(
        b,
        "<dl class=\"meta\"><dt>Rule</dt><dd><code>{}</code>, severity {}, criteria {}</dd>",
        esc(&c.name),
        esc(&c.severity),
        esc(&c.criteria.join(", "))
    );
    for p in &c.policy {
        let _ = writeln!(b, "<dt>Declared policy</dt><dd>{}</dd>", rich(p));
    }
    let s = &c.summary;
    let _ = writeln!(
        b,
        "<dt>Evaluations</dt><dd>{} pass, {} fail, {} unknown, {} excepted, {} n/a</dd></dl>",
        s.pass, s.fail, s.unknown, s.excepted, s.not_applicable
    );
    if c.rows.is_empty() {
        b.push_str("<p>Not applicable to any subject.</p>\n</article>\n");
        return;
    }
    b.push_str("<table>\n<thead><tr><th>Outcome</th><th>Target</th><th>Subject</th><th>Actual configuration</th><th>Evidence</th></tr></thead>\n<tbody>\n");
    for r in &c.rows {
        let waiver = r
            .waiver
            .as_ref()
            .map_or_else(String::new, |w| format!("<br><em>{}</em>", esc(w)));
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td class=\"t\"><code>{}</code></td><td>{}</td><td>{}{waiver}</td><td class=\"src\"><code>{}</code></td></tr>",
            badge(r.outcome),
            esc(&r.target),
            esc(&r.subject),
            rich(&r.actual),
            esc(&r.source)
        );
    }
    b.push_str("</tbody>\n</table>\n</article>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_code_spans() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            rich("job `<deploy>` has no `environment:`"),
            "job <code>&lt;deploy&gt;</code> has no <code>environment:</code>"
        );
        // An odd number of backticks is left as text, escaped.
        assert_eq!(rich("a ` <b>"), "a ` &lt;b&gt;");
        assert_eq!(anchor("CC6.1"), "cc6-1");
        assert_eq!(anchor("CC9-001"), "cc9-001");
    }
}
