//! The ledger: a hash-chained trail of runs, for Type II audits.
//!
//! `soc2 check --ledger FILE` appends one record per run to a JSON Lines file. A record holds
//! the time, the targets (with their commits), the rule-set digest, the counts per outcome,
//! each control's outcome, the exceptions in force, and the manifest digest of the run's
//! evidence bundle when one was written. Each line is canonical JSON (sorted keys) with
//! `prev`, the SHA-256 of the previous line (64 zeros for the first), and `hash`, the SHA-256
//! of the record's canonical JSON without `hash`; `seq` counts from 1.
//!
//! [`verify_text`] (and [`read`]) walk the file and name the first bad line and the kind of
//! problem: a record edited in place (its hash), a record edited and re-hashed (the next
//! record's `prev`), removed, inserted or reordered records (`seq` and `prev`). Dropping the newest records
//! cannot be seen from the file alone; compare the head hash that `soc2 ledger verify`
//! prints with one kept elsewhere (for example in the CI log of the last run).
//!
//! [`effectiveness`] summarises a period: for each control, how many runs passed and failed,
//! the periods in which it failed, and the exceptions in force.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::{Evaluation, Outcome, Summary};
use crate::evidence::{canonical_json, sha256_hex};
use crate::report::audit::control_outcome;

/// Version of the record format.
pub const LEDGER_VERSION: u32 = 1;

/// `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A target as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerTarget {
    /// Target id (`local:.`).
    pub id: String,
    /// Commit of the checkout, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// An exception (or suppression) that covered a finding in a run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LedgerException {
    /// Rule id.
    pub rule: String,
    /// `exception` or `suppression`.
    pub kind: String,
    /// Justification.
    pub reason: String,
    /// Approver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// Last day it applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Whether it had expired at the run (the finding then failed).
    #[serde(default)]
    pub expired: bool,
}

/// One run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// [`LEDGER_VERSION`].
    pub ledger_version: u32,
    /// 1 for the first record, then +1.
    pub seq: u64,
    /// When the run happened (RFC 3339, UTC).
    pub time: String,
    /// Tool version.
    pub tool_version: String,
    /// The targets.
    pub targets: Vec<LedgerTarget>,
    /// Digest of the rule set that ran.
    pub rule_set_digest: String,
    /// Counts per outcome.
    pub counts: Summary,
    /// Each control's outcome over all its evaluations (worst first).
    pub controls: BTreeMap<String, Outcome>,
    /// Exceptions and suppressions that covered findings, distinct.
    #[serde(default)]
    pub exceptions: Vec<LedgerException>,
    /// Manifest digest of the run's evidence bundle, when one was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// SHA-256 of the previous line.
    pub prev: String,
    /// SHA-256 of this record's canonical JSON without `hash`.
    pub hash: String,
}

/// A problem with the ledger file itself (not tampering).
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The ledger is not intact: nothing was appended.
    #[error("{path}: {problem}; nothing was appended")]
    Tampered {
        /// The file.
        path: String,
        /// The first problem.
        problem: Problem,
    },
}

/// What is wrong with a ledger, at which line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line number of the first bad record.
    pub line: usize,
    /// The kind of problem.
    pub kind: ProblemKind,
}

/// Kinds of ledger tampering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The line is not a ledger record.
    Unreadable(String),
    /// The record's content does not match its `hash`: edited in place.
    Edited,
    /// `seq` jumps forward: records were removed before this one.
    Removed {
        /// The `seq` expected.
        expected: u64,
        /// The `seq` found.
        found: u64,
    },
    /// `seq` goes backwards or repeats: records were reordered or duplicated.
    Reordered {
        /// The `seq` expected.
        expected: u64,
        /// The `seq` found.
        found: u64,
    },
    /// `prev` does not match the previous line: a record before it was edited and re-hashed,
    /// or replaced.
    BrokenChain,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let line = self.line;
        match &self.kind {
            ProblemKind::Unreadable(m) => write!(f, "line {line}: not a ledger record: {m}"),
            ProblemKind::Edited => write!(
                f,
                "line {line}: record edited (its content does not match its hash)"
            ),
            ProblemKind::Removed { expected, found } => write!(
                f,
                "line {line}: record(s) removed (expected seq {expected}, found {found})"
            ),
            ProblemKind::Reordered { expected, found } => write!(
                f,
                "line {line}: records reordered or duplicated (expected seq {expected}, found {found})"
            ),
            ProblemKind::BrokenChain => write!(
                f,
                "line {line}: chain broken (`prev` does not match the previous line: a record before it was edited and re-hashed, or replaced)"
            ),
        }
    }
}

/// A verified ledger.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The records in file order.
    pub records: Vec<Record>,
    /// SHA-256 of the last line (the head), or [`GENESIS`] when empty.
    pub head: String,
}

fn body_hash(record: &Record) -> String {
    let mut value = serde_json::to_value(record).unwrap_or(serde_json::Value::Null);
    if let Some(map) = value.as_object_mut() {
        map.remove("hash");
    }
    sha256_hex(canonical_json(&value).as_bytes())
}

fn line_of(record: &Record) -> String {
    canonical_json(&serde_json::to_value(record).unwrap_or(serde_json::Value::Null))
}

/// Verifies ledger text; `Err` names the first bad line.
pub fn verify_text(text: &str) -> Result<Verified, Problem> {
    let mut records: Vec<Record> = Vec::new();
    let mut head = GENESIS.to_string();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let problem = |kind| Problem { line: n, kind };
        let record: Record = serde_json::from_str(line)
            .map_err(|e| problem(ProblemKind::Unreadable(e.to_string())))?;
        if body_hash(&record) != record.hash {
            return Err(problem(ProblemKind::Edited));
        }
        let expected = records.last().map_or(1, |r| r.seq + 1);
        if record.seq > expected && seq_later(text, i, expected) {
            return Err(problem(ProblemKind::Reordered {
                expected,
                found: record.seq,
            }));
        }
        if record.seq > expected {
            return Err(problem(ProblemKind::Removed {
                expected,
                found: record.seq,
            }));
        }
        if record.seq < expected {
            return Err(problem(ProblemKind::Reordered {
                expected,
                found: record.seq,
            }));
        }
        if record.prev != head {
            return Err(problem(ProblemKind::BrokenChain));
        }
        head = sha256_hex(line.as_bytes());
        records.push(record);
    }
    Ok(Verified { records, head })
}

/// Whether a line after line index `after` holds the record with `seq`: a jump forward is
/// then a reordering, not a removal.
fn seq_later(text: &str, after: usize, seq: u64) -> bool {
    text.lines()
        .skip(after + 1)
        .filter_map(|l| serde_json::from_str::<Record>(l).ok())
        .any(|r| r.seq == seq)
}

/// Reads and verifies a ledger file. A missing file is an empty ledger.
pub fn read(path: &Path) -> Result<Verified, LedgerError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(LedgerError::Io {
                path: path.display().to_string(),
                source,
            });
        }
    };
    verify_text(&text).map_err(|problem| LedgerError::Tampered {
        path: path.display().to_string(),
        problem,
    })
}

/// What a run contributes to the ledger.
pub struct Run<'a> {
    /// When it happened.
    pub time: jiff::Timestamp,
    /// The targets.
    pub targets: Vec<LedgerTarget>,
    /// Digest of the rule set.
    pub rule_set_digest: String,
    /// The evaluations.
    pub evaluations: &'a [Evaluation],
    /// The bundle's manifest digest, if a bundle was written.
    pub bundle: Option<String>,
}

/// Builds the next record after `verified`.
pub fn next_record(verified: &Verified, run: &Run<'_>) -> Record {
    let mut by_rule: BTreeMap<&str, Vec<&Evaluation>> = BTreeMap::new();
    for e in run.evaluations {
        by_rule.entry(e.rule.as_str()).or_default().push(e);
    }
    let controls = by_rule
        .into_iter()
        .map(|(rule, evals)| (rule.to_string(), control_outcome(evals)))
        .collect();
    let mut exceptions: Vec<LedgerException> = run
        .evaluations
        .iter()
        .filter_map(|e| {
            let w = e.waiver.as_ref()?;
            Some(LedgerException {
                rule: e.rule.clone(),
                kind: w.kind.clone(),
                reason: crate::secrets::redact(&w.reason).into_owned(),
                approved_by: w.approved_by.clone(),
                expires: w.expires.clone(),
                expired: w.expired,
            })
        })
        .collect();
    exceptions.sort();
    exceptions.dedup();
    let mut record = Record {
        ledger_version: LEDGER_VERSION,
        seq: verified.records.last().map_or(1, |r| r.seq + 1),
        time: run.time.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        targets: run.targets.clone(),
        rule_set_digest: run.rule_set_digest.clone(),
        counts: Summary::of(run.evaluations),
        controls,
        exceptions,
        bundle: run.bundle.clone(),
        prev: verified.head.clone(),
        hash: String::new(),
    };
    record.hash = body_hash(&record);
    record
}

/// Appends a record for `run` to the ledger at `path` (created when missing), after verifying
/// it; a ledger that is not intact is left alone. Returns the record.
pub fn append(path: &Path, run: &Run<'_>) -> Result<Record, LedgerError> {
    let verified = read(path)?;
    let record = next_record(&verified, run);
    let io = |source| LedgerError::Io {
        path: path.display().to_string(),
        source,
    };
    // A file whose last line lacks its newline gets one first, so records stay one per line.
    let needs_newline = std::fs::read(path)
        .ok()
        .is_some_and(|b| !b.is_empty() && !b.ends_with(b"\n"));
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    let mut line = String::new();
    if needs_newline {
        line.push('\n');
    }
    line.push_str(&line_of(&record));
    line.push('\n');
    f.write_all(line.as_bytes()).map_err(io)?;
    Ok(record)
}

/// A period in which a control failed: from the first failing run to the last one, and the
/// first later run in which it no longer failed, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailurePeriod {
    /// Time of the first failing run.
    pub from: String,
    /// Time of the last failing run.
    pub to: String,
    /// How many runs failed in the period.
    pub runs: usize,
    /// Time of the run that ended it, if it ended in the window.
    pub resolved_at: Option<String>,
    /// The control's outcome in that run (pass, excepted, unknown or not applicable).
    pub resolved_outcome: Option<Outcome>,
}

/// One control over a period.
#[derive(Debug, Clone)]
pub struct ControlHistory {
    /// Rule id.
    pub rule: String,
    /// Runs in which the control was evaluated.
    pub runs: usize,
    /// Counts of the control's outcome over those runs.
    pub outcomes: Summary,
    /// Periods of failure, in time order.
    pub failures: Vec<FailurePeriod>,
    /// Exceptions in force in the period, with the first and last run they were seen in.
    pub exceptions: Vec<(LedgerException, String, String)>,
}

/// The operating-effectiveness view of a period.
#[derive(Debug, Clone)]
pub struct Effectiveness {
    /// First day, inclusive.
    pub since: jiff::civil::Date,
    /// Last day, inclusive.
    pub until: jiff::civil::Date,
    /// Runs in the period.
    pub runs: usize,
    /// Time of the first and last run in the period.
    pub first: Option<String>,
    /// Time of the last run in the period.
    pub last: Option<String>,
    /// Rule-set digests seen in the period, in order of first use.
    pub rule_sets: Vec<String>,
    /// Targets seen in the period.
    pub targets: Vec<String>,
    /// Head hash of the verified ledger.
    pub head: String,
    /// One entry per control, by id.
    pub controls: Vec<ControlHistory>,
}

fn record_date(r: &Record) -> Option<jiff::civil::Date> {
    let ts: jiff::Timestamp = r.time.parse().ok()?;
    Some(ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
}

/// The period of a report: `since` defaults to the day of the earliest record (or `until`),
/// `until` to today (UTC). `Err` says which date is wrong.
pub fn period(
    verified: &Verified,
    since: Option<&str>,
    until: Option<&str>,
) -> Result<(jiff::civil::Date, jiff::civil::Date), String> {
    let parse = |flag: &str, text: &str| {
        text.parse::<jiff::civil::Date>()
            .map_err(|e| format!("{flag}: `{text}` is not a date: {e}"))
    };
    let until = match until {
        Some(d) => parse("--until", d)?,
        None => jiff::ZonedDateTime::now()
            .with_time_zone(jiff::tz::TimeZone::UTC)
            .date(),
    };
    let since = match since {
        Some(d) => parse("--since", d)?,
        None => verified
            .records
            .iter()
            .filter_map(record_date)
            .min()
            .unwrap_or(until),
    };
    if since > until {
        return Err(format!("--since {since} is after --until {until}"));
    }
    Ok((since, until))
}

/// Summarises the records of `verified` whose day (UTC) lies in `since..=until`.
pub fn effectiveness(
    verified: &Verified,
    since: jiff::civil::Date,
    until: jiff::civil::Date,
) -> Effectiveness {
    let mut in_window: Vec<&Record> = verified
        .records
        .iter()
        .filter(|r| record_date(r).is_some_and(|d| since <= d && d <= until))
        .collect();
    in_window.sort_by(|a, b| {
        let ta: Option<jiff::Timestamp> = a.time.parse().ok();
        let tb: Option<jiff::Timestamp> = b.time.parse().ok();
        ta.cmp(&tb).then(a.seq.cmp(&b.seq))
    });
    let mut rule_sets: Vec<String> = Vec::new();
    let mut targets: Vec<String> = Vec::new();
    for r in &in_window {
        if !rule_sets.contains(&r.rule_set_digest) {
            rule_sets.push(r.rule_set_digest.clone());
        }
        for t in &r.targets {
            if !targets.contains(&t.id) {
                targets.push(t.id.clone());
            }
        }
    }
    let mut rules: Vec<&String> = in_window.iter().flat_map(|r| r.controls.keys()).collect();
    rules.sort();
    rules.dedup();
    let controls = rules
        .into_iter()
        .map(|rule| {
            let mut h = ControlHistory {
                rule: rule.clone(),
                runs: 0,
                outcomes: Summary::default(),
                failures: Vec::new(),
                exceptions: Vec::new(),
            };
            let mut open: Option<FailurePeriod> = None;
            for r in &in_window {
                let Some(outcome) = r.controls.get(rule) else {
                    continue;
                };
                h.runs += 1;
                match outcome {
                    Outcome::Pass => h.outcomes.pass += 1,
                    Outcome::Fail => h.outcomes.fail += 1,
                    Outcome::Unknown => h.outcomes.unknown += 1,
                    Outcome::NotApplicable => h.outcomes.not_applicable += 1,
                    Outcome::Excepted => h.outcomes.excepted += 1,
                }
                if *outcome == Outcome::Fail {
                    match &mut open {
                        Some(p) => {
                            p.to = r.time.clone();
                            p.runs += 1;
                        }
                        None => {
                            open = Some(FailurePeriod {
                                from: r.time.clone(),
                                to: r.time.clone(),
                                runs: 1,
                                resolved_at: None,
                                resolved_outcome: None,
                            });
                        }
                    }
                } else if let Some(mut p) = open.take() {
                    p.resolved_at = Some(r.time.clone());
                    p.resolved_outcome = Some(*outcome);
                    h.failures.push(p);
                }
                for x in r.exceptions.iter().filter(|x| &x.rule == rule) {
                    match h.exceptions.iter_mut().find(|(e, _, _)| e == x) {
                        Some((_, _, last)) => *last = r.time.clone(),
                        None => h
                            .exceptions
                            .push((x.clone(), r.time.clone(), r.time.clone())),
                    }
                }
            }
            if let Some(p) = open {
                h.failures.push(p);
            }
            h
        })
        .collect();
    Effectiveness {
        since,
        until,
        runs: in_window.len(),
        first: in_window.first().map(|r| r.time.clone()),
        last: in_window.last().map(|r| r.time.clone()),
        rule_sets,
        targets,
        head: verified.head.clone(),
        controls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(rule: &str, outcome: Outcome) -> Evaluation {
        Evaluation {
            rule: rule.into(),
            severity: crate::rules::Severity::High,
            outcome,
            target: "local:.".into(),
            resource: "r".into(),
            subject: "s".into(),
            message: String::new(),
            location: None,
            fingerprint: "f".into(),
            sensitive: false,
            expected: None,
            actual: None,
            waiver: None,
        }
    }

    fn ledger(outcomes: &[(&str, Outcome)]) -> String {
        let mut text = String::new();
        for (time, o) in outcomes {
            let verified = verify_text(&text).expect("intact so far");
            let evals = [eval("CC8-001", *o), eval("CC9-001", Outcome::Pass)];
            let record = next_record(
                &verified,
                &Run {
                    time: time.parse().expect("timestamp"),
                    targets: vec![],
                    rule_set_digest: "d".into(),
                    evaluations: &evals,
                    bundle: None,
                },
            );
            text.push_str(&line_of(&record));
            text.push('\n');
        }
        text
    }

    #[test]
    fn failure_periods_and_counts() {
        let text = ledger(&[
            ("2026-01-01T00:00:00Z", Outcome::Pass),
            ("2026-01-02T00:00:00Z", Outcome::Fail),
            ("2026-01-03T00:00:00Z", Outcome::Fail),
            ("2026-01-04T00:00:00Z", Outcome::Pass),
            ("2026-01-05T00:00:00Z", Outcome::Fail),
            ("2026-02-01T00:00:00Z", Outcome::Pass),
        ]);
        let verified = verify_text(&text).expect("intact");
        assert_eq!(verified.records.len(), 6);
        let view = effectiveness(
            &verified,
            jiff::civil::date(2026, 1, 1),
            jiff::civil::date(2026, 1, 31),
        );
        assert_eq!(view.runs, 5);
        let c = &view.controls[0];
        assert_eq!((c.rule.as_str(), c.runs), ("CC8-001", 5));
        assert_eq!((c.outcomes.pass, c.outcomes.fail), (2, 3));
        assert_eq!(c.failures.len(), 2);
        assert_eq!(c.failures[0].runs, 2);
        assert_eq!(
            c.failures[0].resolved_at.as_deref(),
            Some("2026-01-04T00:00:00Z")
        );
        assert_eq!(c.failures[1].resolved_at, None, "still failing at the end");
        assert!(view.controls[1].failures.is_empty());
    }

    #[test]
    fn every_kind_of_tampering_is_named() {
        let text = ledger(&[
            ("2026-01-01T00:00:00Z", Outcome::Pass),
            ("2026-01-02T00:00:00Z", Outcome::Fail),
            ("2026-01-03T00:00:00Z", Outcome::Pass),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        let join = |ls: &[&str]| ls.join("\n") + "\n";

        let edited = text.replacen("\"CC8-001\":\"fail\"", "\"CC8-001\":\"pass\"", 1);
        let p = verify_text(&edited).expect_err("edited");
        assert_eq!((p.line, p.kind), (2, ProblemKind::Edited));

        let p = verify_text(&join(&[lines[0], lines[2]])).expect_err("removed");
        assert_eq!(p.line, 2);
        assert!(matches!(p.kind, ProblemKind::Removed { .. }), "{p}");

        let p = verify_text(&join(&[lines[0], lines[2], lines[1]])).expect_err("reordered");
        assert_eq!(p.line, 2);
        assert!(matches!(p.kind, ProblemKind::Reordered { .. }), "{p}");

        let p = verify_text(&join(&[lines[1], lines[0], lines[2]])).expect_err("reordered");
        assert_eq!(p.line, 1);

        // Edited and re-hashed: the record itself is consistent, the next one's `prev` is not.
        let mut second: Record = serde_json::from_str(lines[1]).expect("record");
        second.controls.insert("CC8-001".into(), Outcome::Pass);
        second.hash = body_hash(&second);
        let rehashed = line_of(&second);
        let p = verify_text(&join(&[lines[0], &rehashed, lines[2]])).expect_err("rehashed");
        assert_eq!((p.line, p.kind), (3, ProblemKind::BrokenChain));

        let p = verify_text(&join(&[lines[0], "not json", lines[2]])).expect_err("garbage");
        assert!(matches!(p.kind, ProblemKind::Unreadable(_)));
        assert_eq!(p.line, 2);
    }
}
