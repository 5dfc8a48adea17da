//! The terminal report: findings grouped by criterion then rule, each failure with
//! `path:line:col` and a code frame; then the excepted findings with their waivers (kind,
//! reason, approver, expiry) and the run's warnings; then a summary table per criterion and a
//! totals line.
//!
//! Code frames never show a credential: lines are passed through [`crate::secrets::redact`],
//! and the region of a finding about a hard-coded credential is masked whatever it contains.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use comfy_table::{Cell, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use super::{ReportInput, criterion_title, sarif::artifact_uri};
use crate::engine::{Evaluation, Outcome, Summary};
use crate::facts::Location;
use crate::secrets;

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

fn marker(o: Outcome) -> (&'static str, &'static str) {
    match o {
        Outcome::Fail => ("✗", "31"),
        Outcome::Unknown => ("?", "33"),
        Outcome::Excepted => ("~", "34"),
        Outcome::Pass => ("✓", "32"),
        Outcome::NotApplicable => ("-", "2"),
    }
}

/// Renders the code frame for a location: the line before and the line itself, with a caret
/// line under the region.
/// Locations of credentials, by (target, file), masked in every code frame of that file.
type Masks<'a> = HashMap<(&'a str, &'a str), Vec<&'a crate::facts::Location>>;

fn masks<'a>(input: &ReportInput<'a>) -> Masks<'a> {
    let mut out: Masks<'a> = HashMap::new();
    for e in input.evaluations.iter().filter(|e| e.sensitive) {
        if let Some(l) = &e.location {
            out.entry((e.target.as_str(), &*l.path))
                .or_default()
                .push(l);
        }
    }
    out
}

fn code_frame(
    input: &ReportInput<'_>,
    masks: &Masks<'_>,
    e: &Evaluation,
    style: &Style,
) -> Option<String> {
    let loc = e.location.as_ref()?;
    let text = input
        .sources
        .get(&(e.target.clone(), loc.path.to_string()))?;
    let lines: Vec<&str> = text.split('\n').collect();
    let idx = (loc.line as usize).checked_sub(1)?;
    let line = *lines.get(idx)?;
    let width = (loc.line as usize).to_string().len();
    let mut out = String::new();
    let start_col = loc.column.saturating_sub(1) as usize;
    let end_col = if loc.end_line == loc.line {
        (loc.end_column.saturating_sub(1) as usize).max(start_col + 1)
    } else {
        line.chars().count().max(start_col + 1)
    };
    // Every credential found in this file is masked on every line shown, not only the
    // finding's own: a frame's context line may hold another finding's secret.
    let no_masks = Vec::new();
    let masks = masks
        .get(&(e.target.as_str(), &*loc.path))
        .unwrap_or(&no_masks);
    let show = |n: usize, text: &str| -> String {
        let mut chars: Vec<char> = text.chars().collect();
        // A mask can span lines (a key in a block scalar): every line it covers is masked.
        let line_no = n as u32 + 1;
        let mut cuts: Vec<(usize, usize)> = masks
            .iter()
            .filter(|m| m.line <= line_no && line_no <= m.end_line.max(m.line))
            .map(|m| {
                let from = if m.line == line_no {
                    m.column.saturating_sub(1) as usize
                } else {
                    0
                };
                let to = if m.end_line <= line_no {
                    (m.end_column.saturating_sub(1) as usize).max(from + 1)
                } else {
                    chars.len()
                };
                (from.min(chars.len()), to.min(chars.len()))
            })
            .filter(|(from, to)| from < to)
            .collect();
        cuts.sort_unstable();
        // Overlapping masks become one, so that splicing never runs past the line.
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(cuts.len());
        for (from, to) in cuts {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        for (from, to) in merged.into_iter().rev() {
            chars.splice(from..to, secrets::REDACTED.chars());
        }
        let masked: String = chars.into_iter().collect();
        printable(&secrets::redact(&masked))
    };
    if idx > 0 && !lines[idx - 1].trim().is_empty() {
        let _ = writeln!(
            out,
            "      {:>width$} │ {}",
            loc.line - 1,
            clip(&show(idx - 1, lines[idx - 1]))
        );
    }
    let shown = show(idx, line);
    let caret_len = if e.sensitive {
        secrets::REDACTED.len()
    } else {
        end_col.saturating_sub(start_col).clamp(1, 120)
    };
    let _ = writeln!(
        out,
        "      {} │ {}",
        style.paint("1", &format!("{:>width$}", loc.line)),
        clip(&shown)
    );
    let pad: String = shown
        .chars()
        .take(start_col)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let _ = writeln!(
        out,
        "      {:>width$} │ {}{}",
        "",
        pad,
        style.paint("31", &"^".repeat(caret_len))
    );
    Some(out)
}

/// Text from files and findings made safe for a terminal: control characters (escape
/// sequences, NUL, carriage returns) are shown as `\u{..}` instead of being sent.
fn printable(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\t') {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A message on one line: a rule's message template may span lines (a folded YAML scalar keeps
/// the line breaks around more-indented lines), which would break the layout of the report.
fn one_line(message: &str) -> String {
    printable(
        &message
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn clip(line: &str) -> String {
    const MAX: usize = 200;
    if line.chars().count() <= MAX {
        line.to_string()
    } else {
        let mut s: String = line.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

/// Renders the table report.
pub fn render(input: &ReportInput<'_>) -> String {
    let masks = masks(input);
    let style = Style { color: input.color };
    let mut out = String::new();

    // criterion -> rule -> evaluations
    let mut groups: BTreeMap<String, BTreeMap<String, Vec<&Evaluation>>> = BTreeMap::new();
    for e in input.evaluations {
        let criterion = input
            .rule(&e.rule)
            .map_or("", |r| r.primary_criterion())
            .to_string();
        groups
            .entry(criterion)
            .or_default()
            .entry(e.rule.clone())
            .or_default()
            .push(e);
    }

    // The same missing evidence (typically a file that could not be parsed) makes many rules
    // unknown: list it once, with the rules it affects, instead of under every rule.
    let mut shared: BTreeMap<(String, String, u32, u32, String), Vec<&str>> = BTreeMap::new();
    for e in input
        .evaluations
        .iter()
        .filter(|e| e.outcome == Outcome::Unknown)
    {
        if let Some(l) = &e.location {
            shared
                .entry((
                    e.target.clone(),
                    l.path.to_string(),
                    l.line,
                    l.column,
                    e.message.clone(),
                ))
                .or_default()
                .push(&e.rule);
        }
    }
    shared.retain(|_, rules| rules.len() > 1);
    if !shared.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            style.paint("1;4", "Evidence that could not be collected")
        );
        for ((target, path, line, column, message), rules) in &shared {
            let (sym, code) = marker(Outcome::Unknown);
            let _ = writeln!(
                out,
                "  {} {}  {}
      affects {} rules: {}",
                style.paint(code, sym),
                style.paint(
                    "36",
                    &format!("{}:{line}:{column}", artifact_uri(target, path))
                ),
                secrets::redact(&one_line(message)),
                rules.len(),
                rules.join(", ")
            );
        }
        out.push('\n');
    }
    let is_shared = |e: &Evaluation| {
        e.outcome == Outcome::Unknown
            && e.location.as_ref().is_some_and(|l| {
                shared.contains_key(&(
                    e.target.clone(),
                    l.path.to_string(),
                    l.line,
                    l.column,
                    e.message.clone(),
                ))
            })
    };

    for (criterion, rules) in &groups {
        let _ = writeln!(
            out,
            "{}",
            style.paint(
                "1;4",
                &format!("{criterion}  {}", criterion_title(criterion))
            )
        );
        for (rule_id, evals) in rules {
            let Some(rule) = input.rule(rule_id) else {
                continue;
            };
            let s = Summary::of(evals.iter().copied());
            let counts: Vec<String> = Outcome::ALL
                .iter()
                .filter(|o| s.get(**o) > 0)
                .map(|o| format!("{} {}", s.get(*o), o.as_str().replace('_', " ")))
                .collect();
            let worst = Outcome::ALL
                .iter()
                .copied()
                .find(|o| s.get(*o) > 0)
                .unwrap_or(Outcome::NotApplicable);
            let (sym, code) = marker(worst);
            let _ = writeln!(
                out,
                "  {} {} {:<8} {}  ({})",
                style.paint(code, sym),
                style.paint("1", &rule.id),
                rule.severity.as_str(),
                rule.title,
                counts.join(", ")
            );
            // Excepted findings are listed with their waivers in the "Excepted" section.
            for e in evals
                .iter()
                .filter(|e| matches!(e.outcome, Outcome::Fail | Outcome::Unknown))
                .filter(|e| !is_shared(e))
            {
                let (sym, code) = marker(e.outcome);
                let mut message = secrets::redact(&one_line(&e.message)).into_owned();
                if let Some(w) = e.waiver.as_ref().filter(|w| w.expired) {
                    let _ = write!(
                        message,
                        " ({} expired{})",
                        w.kind,
                        w.expires
                            .as_ref()
                            .map_or(String::new(), |d| format!(" on {d}"))
                    );
                }
                let _ = writeln!(
                    out,
                    "    {} {}  {}",
                    style.paint(code, sym),
                    style.paint("36", &place(e)),
                    message
                );
                if e.outcome == Outcome::Fail
                    && let Some(frame) = code_frame(input, &masks, e, &style)
                {
                    out.push_str(&frame);
                }
            }
        }
        out.push('\n');
    }

    excepted_section(input, &style, &mut out);
    warnings_section(input, &style, &mut out);

    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(vec![
            "Criterion",
            "Pass",
            "Fail",
            "Unknown",
            "N/A",
            "Excepted",
        ]);
    for (criterion, rules) in &groups {
        let s = Summary::of(rules.values().flatten().copied());
        table.add_row(vec![
            Cell::new(format!("{criterion} {}", criterion_title(criterion))),
            Cell::new(s.pass),
            Cell::new(s.fail),
            Cell::new(s.unknown),
            Cell::new(s.not_applicable),
            Cell::new(s.excepted),
        ]);
    }
    let total = Summary::of(input.evaluations);
    table.add_row(vec![
        Cell::new("Total"),
        Cell::new(total.pass),
        Cell::new(total.fail),
        Cell::new(total.unknown),
        Cell::new(total.not_applicable),
        Cell::new(total.excepted),
    ]);
    let _ = writeln!(out, "{table}");
    let blocking = input
        .evaluations
        .iter()
        .filter(|e| input.is_blocking(e))
        .count();
    let verdict = if blocking == 0 {
        style.paint("1;32", "PASSED")
    } else {
        style.paint("1;31", "FAILED")
    };
    let warnings = match input.warnings.len() {
        0 => String::new(),
        1 => " · 1 warning".to_string(),
        n => format!(" · {n} warnings"),
    };
    let _ = writeln!(
        out,
        "{} pass · {} fail · {} unknown · {} not applicable · {} excepted{warnings} — {verdict} (fail-on: {}{})",
        total.pass,
        total.fail,
        total.unknown,
        total.not_applicable,
        total.excepted,
        input.fail_on,
        if input.strict { ", strict" } else { "" }
    );
    out
}

/// `path:line:col` of a finding (relative to where the tool ran), else its subject.
fn place(e: &Evaluation) -> String {
    e.location
        .as_ref()
        .map_or_else(|| e.subject.clone(), |l| location(&e.target, l))
}

fn location(target: &str, l: &Location) -> String {
    format!("{}:{}:{}", artifact_uri(target, &l.path), l.line, l.column)
}

/// Every excepted finding with its waiver: kind, reason, approver, expiry and where the waiver
/// is written.
fn excepted_section(input: &ReportInput<'_>, style: &Style, out: &mut String) {
    let excepted: Vec<&Evaluation> = input
        .evaluations
        .iter()
        .filter(|e| e.outcome == Outcome::Excepted)
        .collect();
    if excepted.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", style.paint("1;4", "Excepted"));
    let (sym, code) = marker(Outcome::Excepted);
    for e in excepted {
        let _ = writeln!(
            out,
            "  {} {} {}  {}",
            style.paint(code, sym),
            style.paint("1", &e.rule),
            style.paint("36", &place(e)),
            secrets::redact(&one_line(&e.message))
        );
        let Some(w) = &e.waiver else {
            continue;
        };
        let mut detail = format!("{}: {}", w.kind, secrets::redact(&one_line(&w.reason)));
        if let Some(by) = &w.approved_by {
            let _ = write!(detail, " · approved by {by}");
        }
        if let Some(d) = &w.expires {
            let _ = write!(detail, " · expires {d}");
        }
        if let Some(src) = &w.source {
            let _ = write!(detail, " · {}", location(&e.target, src));
        }
        let _ = writeln!(out, "      {}", style.paint("2", &detail));
    }
    out.push('\n');
}

/// Problems in the run's own inputs (suppressions that do not apply, ...), with locations.
fn warnings_section(input: &ReportInput<'_>, style: &Style, out: &mut String) {
    if input.warnings.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", style.paint("1;4", "Warnings"));
    for w in input.warnings {
        let place = w
            .location
            .as_ref()
            .map_or_else(|| w.target.clone(), |l| location(&w.target, l));
        let _ = writeln!(
            out,
            "  {} {}  {}",
            style.paint("33", "!"),
            style.paint("36", &printable(&place)),
            one_line(&w.message)
        );
    }
    out.push('\n');
}
