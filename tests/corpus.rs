//! The real-world corpus (`../shared/corpus/gha`, 43 repositories, 921 files): every pipeline
//! file is parsed or reported, nothing panics, and every finding carries a location.
//!
//! The corpus holds each repository's pipeline files only, so some local actions that steps
//! call (`uses: ./path`) are absent from it, and others live where the workflow checks the
//! repository out (`./src/electron/...`, `./../action/init`), not at the root. Each is missing
//! evidence: a diagnostic at the `uses:` value, and `unknown` outcomes. They are listed exactly
//! in [`MISSING_LOCAL_ACTIONS`].

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

/// Local actions referenced in the corpus that cannot be read, as `repository: message`, with
/// the number of files referring to each (one diagnostic per referring file).
const MISSING_LOCAL_ACTIONS: &[(usize, &str)] = &[
    (
        5,
        "containerd__containerd: local action `./src/github.com/containerd/containerd/.github/actions/install-go` not found: no action.yml or action.yaml",
    ),
    (
        1,
        "denoland__deno: local action `./.github/mtime_cache` not found: no action.yml or action.yaml",
    ),
    (
        2,
        "electron__electron: local action `./src/electron/.github/actions/build-electron` not found: no action.yml or action.yaml",
    ),
    (
        1,
        "electron__electron: local action `./src/electron/.github/actions/build-git-cache` not found: no action.yml or action.yaml",
    ),
    (
        7,
        "electron__electron: local action `./src/electron/.github/actions/checkout` not found: no action.yml or action.yaml",
    ),
    (
        1,
        "electron__electron: local action `./src/electron/.github/actions/cipd-install` not found: no action.yml or action.yaml",
    ),
    (
        2,
        "electron__electron: local action `./src/electron/.github/actions/fix-sync` not found: no action.yml or action.yaml",
    ),
    (
        2,
        "electron__electron: local action `./src/electron/.github/actions/free-space-macos` not found: no action.yml or action.yaml",
    ),
    (
        9,
        "electron__electron: local action `./src/electron/.github/actions/install-build-tools` not found: no action.yml or action.yaml",
    ),
    (
        9,
        "electron__electron: local action `./src/electron/.github/actions/install-dependencies` not found: no action.yml or action.yaml",
    ),
    (
        6,
        "electron__electron: local action `./src/electron/.github/actions/restore-cache-aks` not found: no action.yml or action.yaml",
    ),
    (
        4,
        "electron__electron: local action `./src/electron/.github/actions/restore-cache-azcopy` not found: no action.yml or action.yaml",
    ),
    (
        10,
        "electron__electron: local action `./src/electron/.github/actions/set-chromium-cookie` not found: no action.yml or action.yaml",
    ),
    (
        3,
        "electron__electron: local action `./src/electron/.github/actions/ssh-debug` not found: no action.yml or action.yaml",
    ),
    (
        1,
        "github__codeql-action: local action `./../action/.github/actions/check-codescanning-config` is outside the repository; it is not read",
    ),
    (
        6,
        "github__codeql-action: local action `./../action/.github/actions/check-sarif` is outside the repository; it is not read",
    ),
    (
        1,
        "github__codeql-action: local action `./../action/.github/actions/query-filter-test` is outside the repository; it is not read",
    ),
    (
        2,
        "github__codeql-action: local action `./../action/.github/actions/verify-debug-artifact-scan-completed` is outside the repository; it is not read",
    ),
    (
        48,
        "github__codeql-action: local action `./../action/analyze` is outside the repository; it is not read",
    ),
    (
        9,
        "github__codeql-action: local action `./../action/autobuild` is outside the repository; it is not read",
    ),
    (
        59,
        "github__codeql-action: local action `./../action/init` is outside the repository; it is not read",
    ),
    (
        1,
        "github__codeql-action: local action `./../action/resolve-environment` is outside the repository; it is not read",
    ),
    (
        1,
        "github__codeql-action: local action `./../action/setup-codeql` is outside the repository; it is not read",
    ),
    (
        1,
        "github__codeql-action: local action `./../action/start-proxy` is outside the repository; it is not read",
    ),
    (
        3,
        "github__codeql-action: local action `./../action/upload-sarif` is outside the repository; it is not read",
    ),
    (
        2,
        "github__codeql-action: local action `./analyze` not found: no action.yml or action.yaml",
    ),
    (
        2,
        "github__codeql-action: local action `./init` not found: no action.yml or action.yaml",
    ),
    (
        2,
        "github__codeql-action: local action `./setup-codeql` not found: no action.yml or action.yaml",
    ),
    (
        1,
        "github__codeql-action: local action `./upload-sarif` not found: no action.yml or action.yaml",
    ),
    (
        1,
        "numpy__numpy: local action `./.github/ccache` not found: no action.yml or action.yaml",
    ),
    (
        1,
        "numpy__numpy: local action `./.github/check-warnings` not found: no action.yml or action.yaml",
    ),
    (
        2,
        "numpy__numpy: local action `./.github/meson_actions` not found: no action.yml or action.yaml",
    ),
    (
        2,
        "slsa-framework__slsa-github-generator: local action `./../__TOOL_ACTION_DIR__` is outside the repository; it is not read",
    ),
    (
        1,
        "slsa-framework__slsa-github-generator: local action `./__BUILDER_CHECKOUT_DIR__/.github/actions/compute-sha256` not found: no action.yml or action.yaml",
    ),
    (
        1,
        "slsa-framework__slsa-github-generator: local action `./__BUILDER_CHECKOUT_DIR__/.github/actions/create-container_based-predicate` not found: no action.yml or action.yaml",
    ),
    (
        1,
        "slsa-framework__slsa-github-generator: local action `./__BUILDER_CHECKOUT_DIR__/.github/actions/generate-attestations` not found: no action.yml or action.yaml",
    ),
    (
        1,
        "slsa-framework__slsa-github-generator: local action `./__BUILDER_CHECKOUT_DIR__/.github/actions/privacy-check` not found: no action.yml or action.yaml",
    ),
    (
        4,
        "slsa-framework__slsa-github-generator: local action `./__BUILDER_CHECKOUT_DIR__/.github/actions/secure-download-artifact` not found: no action.yml or action.yaml",
    ),
    (
        2,
        "slsa-framework__slsa-github-generator: local action `./__BUILDER_CHECKOUT_DIR__/.github/actions/secure-project-checkout-go` not found: no action.yml or action.yaml",
    ),
    (
        1,
        "slsa-framework__slsa-github-generator: local action `./__BUILDER_CHECKOUT_DIR__/.github/actions/secure-project-checkout-node` not found: no action.yml or action.yaml",
    ),
    (
        2,
        "slsa-framework__slsa-github-generator: local action `./__BUILDER_CHECKOUT_DIR__/.github/actions/secure-project-checkout` not found: no action.yml or action.yaml",
    ),
    (
        3,
        "slsa-framework__slsa-github-generator: local action `./__BUILDER_CHECKOUT_DIR__/.github/actions/secure-upload-artifact` not found: no action.yml or action.yaml",
    ),
    (
        1,
        "slsa-framework__slsa-github-generator: local action `./__BUILDER_CHECKOUT_DIR__/.github/actions/sign-attestations` not found: no action.yml or action.yaml",
    ),
];

fn is_local_action_diagnostic(message: &str) -> bool {
    message.starts_with("local action `")
}

#[test]
fn every_corpus_file_is_parsed_or_reported() {
    let repos = repos();
    assert_eq!(repos.len(), 43, "the corpus has 43 repositories");
    let mut total = 0;
    let mut reported = Vec::new();
    let mut missing: std::collections::BTreeMap<String, usize> = Default::default();
    for root in &repos {
        let facts = local_gha::collect(root);
        let name = root.file_name().expect("named").to_string_lossy();
        let (local, files): (Vec<_>, Vec<_>) = facts
            .diagnostics
            .iter()
            .partition(|d| is_local_action_diagnostic(&d.message));
        for d in local {
            assert!(
                facts.workflows.iter().any(|w| *w.path == *d.loc.path),
                "{d:?} is located in the file that refers to the action"
            );
            assert!(d.loc.line > 1, "{d:?} is at the `uses:` value");
            *missing.entry(format!("{name}: {}", d.message)).or_default() += 1;
        }
        let mut seen: Vec<String> = facts.workflows.iter().map(|w| w.path.clone()).collect();
        seen.extend(files.iter().map(|d| d.loc.path.to_string()));
        seen.sort();
        assert_eq!(
            seen,
            pipeline_files(root),
            "{}: every pipeline file is parsed or reported",
            root.display()
        );
        total += seen.len();
        reported.extend(files.iter().map(|d| format!("{}: {}", d.loc, d.message)));
    }
    assert!(total > 800, "found {total} pipeline files");
    // Two files (numpy, pytest) are not valid YAML 1.2 but GitHub accepts them; they are
    // repaired. Nothing in the corpus is left unreadable.
    assert!(
        reported.is_empty(),
        "unreadable corpus files: {reported:#?}"
    );
    let missing: Vec<(usize, String)> = missing.into_iter().map(|(m, n)| (n, m)).collect();
    let expected: Vec<(usize, String)> = MISSING_LOCAL_ACTIONS
        .iter()
        .map(|(n, m)| (*n, (*m).to_string()))
        .collect();
    assert_eq!(missing, expected, "local actions missing from the corpus");
    assert_eq!(missing.iter().map(|(n, _)| n).sum::<usize>(), 224);
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
    // logging are rare enough to be absent). GitLab-only rules have nothing to judge here, and
    // repository-settings rules need GitHub or GitLab API evidence, which a checkout does not
    // have.
    let local: Vec<_> = rules
        .rules
        .iter()
        .filter(|r| {
            r.scopes
                .iter()
                .any(|s| s.is_github_actions() || *s == soc2::rules::Scope::Repo)
                && !r.when.as_ref().is_some_and(|w| {
                    w.source().contains("has(repo.github)")
                        || w.source().contains("has(repo.gitlab)")
                })
        })
        .collect();
    let applied = local
        .iter()
        .filter(|r| {
            evals
                .iter()
                .any(|e| e.rule == r.id && e.outcome != Outcome::NotApplicable)
        })
        .count();
    assert!(applied >= local.len() - 2, "only {applied} rules applied");
}
