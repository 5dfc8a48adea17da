//! JUnit XML for GitLab, Jenkins and test-report actions.
//!
//! One `<testsuite>` per SOC 2 criterion (an evaluation goes to its rule's primary criterion),
//! one `<testcase>` per (rule × subject) with `classname="soc2.CC8_1"` and a name that starts
//! with the rule id and ends with the subject, unique within the report. Fail → `<failure>`;
//! unknown, not applicable and excepted → `<skipped>` with the reason (unknown → `<error>` under
//! `--strict`). `file` and `line` are set where the finding has a location.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};

use quick_junit::XmlString;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::{ReportInput, criterion_title, sarif::artifact_uri};
use crate::engine::{Evaluation, Outcome};
use crate::rules::Rule;

// The XML is written as it is built, one test case at a time, in the layout of quick-junit's
// serializer (four-space indents, `time="0.000"`, attributes in the same order), so the
// output is byte for byte what `quick_junit::Report::to_string` gave.

const TIME: &str = "0.000";

/// Text as quick-junit's `XmlString` keeps it: without ANSI escapes or control characters
/// other than newlines. Plain ASCII, the usual case, is borrowed as it is.
fn clean(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| b == b'\n' || (0x20..0x7f).contains(&b)) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(XmlString::new(s).into_string())
    }
}

/// What a test case reports.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Success,
    Failure,
    Error,
    Skipped,
}

fn status(input: &ReportInput<'_>, e: &Evaluation) -> Status {
    match e.outcome {
        Outcome::Pass => Status::Success,
        Outcome::Fail => Status::Failure,
        Outcome::Unknown if input.strict => Status::Error,
        Outcome::Unknown | Outcome::NotApplicable | Outcome::Excepted => Status::Skipped,
    }
}

/// Test case counts of a suite or of the report.
#[derive(Clone, Copy, Default)]
struct Counts {
    tests: usize,
    skipped: usize,
    failures: usize,
    errors: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        self.tests += 1;
        match status {
            Status::Success => {}
            Status::Failure => self.failures += 1,
            Status::Error => self.errors += 1,
            Status::Skipped => self.skipped += 1,
        }
    }

    fn total(&mut self, other: Counts) {
        self.tests += other.tests;
        self.skipped += other.skipped;
        self.failures += other.failures;
        self.errors += other.errors;
    }
}

fn case_name(rule: Option<&Rule>, e: &Evaluation) -> String {
    let name = rule.map_or("", |r| r.name.as_str());
    if e.target == "local:." {
        format!("{} {name} [{}]", e.rule, e.resource)
    } else {
        format!("{} {name} [{} {}]", e.rule, e.target, e.resource)
    }
}

/// The `<failure>`, `<error>` or `<skipped>` element of a test case.
struct Element {
    tag: &'static str,
    message: String,
    ty: Option<&'static str>,
    body: Option<String>,
}

fn outcome_element(rule: Option<&Rule>, e: &Evaluation, status: Status) -> Option<Element> {
    let element = |tag, message, ty, body| {
        Some(Element {
            tag,
            message,
            ty,
            body,
        })
    };
    match status {
        Status::Success => None,
        Status::Failure => {
            let mut details = e.message.clone();
            if let Some(loc) = &e.location {
                details.push_str("\n\nat ");
                details.push_str(&artifact_uri(
                    &e.target,
                    &format!("{}:{}:{}", loc.path, loc.line, loc.column),
                ));
            }
            if let Some(r) = rule {
                details.push_str("\n\nRemediation: ");
                details.push_str(&r.remediation);
            }
            element(
                "failure",
                e.message.replace('\n', " "),
                Some(e.severity.as_str()),
                Some(details),
            )
        }
        Status::Error => element(
            "error",
            format!("unknown: {}", e.message.replace('\n', " ")),
            Some("unknown"),
            None,
        ),
        Status::Skipped if e.outcome == Outcome::Excepted => {
            element("skipped", excepted_message(e), None, None)
        }
        Status::Skipped => element(
            "skipped",
            format!("{}: {}", e.outcome.as_str(), e.message.replace('\n', " ")),
            None,
            None,
        ),
    }
}

fn write_case<W: Write>(
    xml: &mut Writer<W>,
    input: &ReportInput<'_>,
    rule: Option<&Rule>,
    e: &Evaluation,
    name: &str,
    classname: &str,
) -> io::Result<()> {
    let mut tag = BytesStart::new("testcase");
    tag.push_attribute(("name", &*clean(name)));
    tag.push_attribute(("classname", &*clean(classname)));
    tag.push_attribute(("time", TIME));
    if let Some(loc) = &e.location {
        tag.push_attribute(("file", &*clean(&artifact_uri(&e.target, &loc.path))));
        tag.push_attribute(("line", loc.line.to_string().as_str()));
    }
    let Some(element) = outcome_element(rule, e, status(input, e)) else {
        return xml.write_event(Event::Empty(tag));
    };
    xml.write_event(Event::Start(tag))?;
    let mut inner = BytesStart::new(element.tag);
    inner.push_attribute(("message", &*clean(&element.message)));
    if let Some(ty) = element.ty {
        inner.push_attribute(("type", ty));
    }
    match element.body {
        Some(body) => {
            xml.write_event(Event::Start(inner))?;
            xml.write_event(Event::Text(BytesText::new(&clean(&body))))?;
            xml.write_event(Event::End(BytesEnd::new(element.tag)))?;
        }
        None => xml.write_event(Event::Empty(inner))?,
    }
    xml.write_event(Event::End(BytesEnd::new("testcase")))
}

/// `excepted: <reason> (approved by X, expires D)`, or for a suppression comment
/// `excepted: <reason> (suppressed at path:line)`.
fn excepted_message(e: &Evaluation) -> String {
    let Some(w) = &e.waiver else {
        return format!("excepted: {}", e.message.replace('\n', " "));
    };
    let mut details = Vec::new();
    if let Some(by) = &w.approved_by {
        details.push(format!("approved by {by}"));
    }
    if let Some(d) = &w.expires {
        details.push(format!("expires {d}"));
    }
    if w.kind == crate::suppress::KIND
        && let Some(src) = &w.source
    {
        details.push(format!(
            "suppressed at {}:{}",
            artifact_uri(&e.target, &src.path),
            src.line
        ));
    }
    let reason = w.reason.replace('\n', " ");
    if details.is_empty() {
        format!("excepted: {reason}")
    } else {
        format!("excepted: {reason} ({})", details.join(", "))
    }
}

/// Writes the JUnit report to `out`: counts first (the `<testsuite>` elements carry them), then
/// the test cases as they are built.
pub fn write(input: &ReportInput<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut rules: HashMap<&str, &Rule> = HashMap::with_capacity(input.rules.rules.len());
    for r in &input.rules.rules {
        rules.entry(r.id.as_str()).or_insert(r);
    }
    let rule = |e: &Evaluation| rules.get(e.rule.as_str()).copied();
    let mut by_criterion: BTreeMap<&str, (Counts, Vec<&Evaluation>)> = BTreeMap::new();
    let mut total = Counts::default();
    for e in input.evaluations {
        let criterion = rule(e).map_or("CC0.0", Rule::primary_criterion);
        let (counts, evals) = by_criterion.entry(criterion).or_default();
        counts.add(status(input, e));
        evals.push(e);
    }
    for (counts, _) in by_criterion.values() {
        total.total(*counts);
    }

    let mut xml = Writer::new_with_indent(out, b' ', 4);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "soc2"));
    push_counts(&mut root, total, true);
    root.push_attribute(("time", TIME));
    xml.write_event(Event::Start(root))?;

    let properties = [
        ("soc2.version", env!("CARGO_PKG_VERSION")),
        ("fail_on", input.fail_on.as_str()),
        ("strict", if input.strict { "true" } else { "false" }),
    ];
    let mut used: HashSet<String> = HashSet::new();
    for (criterion, (counts, evals)) in by_criterion {
        let title = criterion_title(criterion);
        let suite_name = if title.is_empty() {
            criterion.to_string()
        } else {
            format!("{criterion} {title}")
        };
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", &*clean(&suite_name)));
        push_counts(&mut suite, counts, false);
        suite.push_attribute(("time", TIME));
        xml.write_event(Event::Start(suite))?;
        xml.write_event(Event::Start(BytesStart::new("properties")))?;
        for (name, value) in properties {
            let mut property = BytesStart::new("property");
            property.push_attribute(("name", name));
            property.push_attribute(("value", &*clean(value)));
            xml.write_event(Event::Empty(property))?;
        }
        xml.write_event(Event::End(BytesEnd::new("properties")))?;
        let classname = format!("soc2.{}", criterion.replace('.', "_"));
        for e in evals {
            let r = rule(e);
            let base = case_name(r, e);
            let mut name = base.clone();
            let mut n = 1;
            while used.contains(&name) {
                n += 1;
                name = format!("{base} #{n}");
            }
            write_case(&mut xml, input, r, e, &name, &classname)?;
            used.insert(name);
        }
        xml.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    xml.write_event(Event::End(BytesEnd::new("testsuites")))?;
    // A trailing newline.
    xml.write_indent()
}

/// `tests`, `skipped`, `failures` and `errors` in the report's order, or `tests`, `skipped`,
/// `errors` and `failures` in a suite's.
fn push_counts(tag: &mut BytesStart<'_>, counts: Counts, report: bool) {
    let (first, second) = if report {
        (("failures", counts.failures), ("errors", counts.errors))
    } else {
        (("errors", counts.errors), ("failures", counts.failures))
    };
    for (name, n) in [
        ("tests", counts.tests),
        ("skipped", counts.skipped),
        first,
        second,
    ] {
        tag.push_attribute((name, n.to_string().as_str()));
    }
}

/// Renders the JUnit report.
pub fn render(input: &ReportInput<'_>) -> String {
    let mut out = Vec::new();
    match write(input, &mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("<?xml version=\"1.0\"?><!-- {e} -->\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `clean` keeps text as quick-junit's `XmlString` does, borrowing plain ASCII.
    #[test]
    fn text_is_cleaned_as_quick_junit_does() {
        for s in [
            "plain `text` <&> 'quoted' \"double\"\nsecond line",
            "tab\there, carriage\r\nreturn",
            "\u{1b}[31mred\u{1b}[0m and a bell\u{7}",
            "non-ASCII: café … ✓, and a NUL\u{0} and DEL\u{7f}",
            "C1 \u{9b}31m control",
            "",
        ] {
            assert_eq!(clean(s), XmlString::new(s).as_str(), "{s:?}");
        }
        assert!(matches!(clean("a b\nc"), Cow::Borrowed(_)));
    }
}
