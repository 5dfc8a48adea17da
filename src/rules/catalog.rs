//! The rule catalog as Markdown: `rules/README.md` and `soc2 rules list --format markdown`.
//!
//! Rendered from the loaded rules, so the catalog cannot drift from the rule files; a test
//! compares the committed `rules/README.md` with this rendering.

use std::fmt::Write as _;

use super::{RuleSet, Scope};

/// Renders the catalog: a summary table, then one section per rule with its criteria,
/// severity, platforms, rationale, remediation and references.
pub fn markdown(set: &RuleSet) -> String {
    let mut out = String::new();
    out.push_str(
        "# Rule catalog\n\n\
         <!-- Generated from the rule files by `soc2 rules list --format markdown`; \
         do not edit by hand (`SOC2_BLESS=1 cargo test --test generated` rewrites it). -->\n\n",
    );
    let _ = writeln!(
        out,
        "{} rules. Each is one YAML file in this directory (`<area>/<ID>-<name>.yml`) with \
         passing and failing fixtures in `fixtures/<ID>/`; `soc2 rules explain ID` prints one \
         rule with its conditions.\n",
        set.rules.len()
    );
    out.push_str("| ID | Name | Severity | Criteria | Platforms | Title |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for r in &set.rules {
        let _ = writeln!(
            out,
            "| [{id}](#{anchor}) | `{name}` | {sev} | {crit} | {plat} | {title} |",
            id = r.id,
            anchor = r.id.to_lowercase(),
            name = r.name,
            sev = r.severity,
            crit = r.criteria.join(", "),
            plat = platforms(&r.scopes),
            title = escape(&r.title),
        );
    }
    for r in &set.rules {
        let _ = write!(
            out,
            "\n## {id}\n\n**{title}** (`{name}`)\n\n\
             - Criteria: {crit}\n- Severity: {sev}\n- Scope: `{scope}`\n- File: `{source}`\n\n\
             {rationale}\n\n**Remediation.** {remediation}\n\n",
            id = r.id,
            title = escape(&r.title),
            name = r.name,
            crit = r.criteria.join(", "),
            sev = r.severity,
            scope = r.scope_names(),
            source = r.source,
            rationale = r.rationale,
            remediation = r.remediation,
        );
        out.push_str("References:\n");
        for link in &r.references {
            let _ = writeln!(out, "- <{link}>");
        }
    }
    out
}

fn platforms(scopes: &[Scope]) -> &'static str {
    let gha = scopes.iter().any(|s| s.is_github_actions());
    let gitlab = scopes.iter().any(|s| s.is_gitlab_ci());
    match (gha, gitlab) {
        (true, true) => "GitHub Actions, GitLab CI",
        (true, false) => "GitHub Actions",
        (false, true) => "GitLab CI",
        (false, false) => "repository",
    }
}

/// Escapes the characters that would break a table cell.
fn escape(s: &str) -> String {
    s.replace('|', "\\|")
}
