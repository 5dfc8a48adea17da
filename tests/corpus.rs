//! The real-world corpus (`../shared/corpus/gha`, 43 repositories, 921 files): every pipeline
//! file is parsed or reported, nothing panics, and every finding carries a location.

use std::path::{Path, PathBuf};

use soc2::config::Policy;
use soc2::engine::{Outcome, evaluate};
use soc2::providers::local_gha;
use soc2::rules::load_embedded;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/gha")
}

fn repos() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("the shared corpus is present beside the repository")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// Pipeline files as GitHub finds them: workflows directly in `.github/workflows`, and
/// `action.y(a)ml` under `.github/` or at the root.
fn pipeline_files(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        let name = entry.file_name().to_string_lossy();
        let workflow = rel.starts_with(".github/workflows/")
            && rel.matches('/').count() == 2
            && (name.ends_with(".yml") || name.ends_with(".yaml"));
        let action = (name == "action.yml" || name == "action.yaml")
            && (rel.starts_with(".github/") || !rel.contains('/'));
        if workflow || action {
            files.push(rel);
        }
    }
    files.sort();
    files
}

#[test]
fn every_corpus_file_is_parsed_or_reported() {
    let repos = repos();
    assert_eq!(repos.len(), 43, "the corpus has 43 repositories");
    let mut total = 0;
    let mut reported = Vec::new();
    for root in &repos {
        let facts = local_gha::collect(root);
        let mut seen: Vec<String> = facts.workflows.iter().map(|w| w.path.clone()).collect();
        seen.extend(facts.diagnostics.iter().map(|d| d.loc.path.to_string()));
        seen.sort();
        assert_eq!(
            seen,
            pipeline_files(root),
            "{}: every pipeline file is parsed or reported",
            root.display()
        );
        total += seen.len();
        reported.extend(
            facts
                .diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.loc, d.message)),
        );
    }
    assert!(total > 800, "found {total} pipeline files");
    // Two files (numpy, pytest) are not valid YAML 1.2 but GitHub accepts them; they are
    // repaired. Nothing in the corpus is left unreadable.
    assert!(
        reported.is_empty(),
        "unreadable corpus files: {reported:#?}"
    );
}

#[test]
fn all_rules_evaluate_on_the_corpus_with_located_findings() {
    let rules = load_embedded().expect("built-in rules load");
    let policy = Policy::default();
    let repos: Vec<_> = repos().iter().map(|r| local_gha::collect(r)).collect();
    let evals = evaluate(&rules, &repos, &policy);
    let fails: Vec<_> = evals
        .iter()
        .filter(|e| e.outcome == Outcome::Fail)
        .collect();
    assert!(!fails.is_empty());
    for e in &evals {
        if matches!(e.outcome, Outcome::Fail | Outcome::Unknown) {
            let loc = e
                .location
                .as_ref()
                .unwrap_or_else(|| panic!("{} on {} has no location", e.rule, e.resource));
            assert!(loc.line >= 1 && loc.column >= 1, "{} at {loc}", e.rule);
        }
        if e.outcome == Outcome::Unknown {
            assert!(
                !e.message.is_empty(),
                "an unknown outcome states its reason"
            );
        }
    }
    // Nearly every rule applies somewhere in real projects (insecure commands and debug
    // logging are rare enough to be absent).
    let applied = rules
        .rules
        .iter()
        .filter(|r| {
            evals
                .iter()
                .any(|e| e.rule == r.id && e.outcome != Outcome::NotApplicable)
        })
        .count();
    assert!(
        applied >= rules.rules.len() - 2,
        "only {applied} rules applied"
    );
}
