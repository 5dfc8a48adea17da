//! GitLab CI resolution, file by file: includes (globs, nesting, cycles, missing files),
//! `extends` (multi-level, several parents), `!reference`, `default:` with `inherit:`, global
//! variables, child pipelines, and the locations of inherited values.

use std::path::Path;

use soc2::engine::{Outcome, evaluate};
use soc2::facts::Repository;
use soc2::providers::collect_local;
use soc2::rules::load_embedded;

fn scan(files: &[(&str, &str)]) -> (tempfile::TempDir, Repository) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    let repo = collect_local(dir.path());
    (dir, repo)
}

fn job<'a>(repo: &'a Repository, name: &str) -> &'a soc2::facts::gitlab::Job {
    repo.pipelines[0]
        .jobs
        .iter()
        .find(|j| j.id == name)
        .unwrap_or_else(|| panic!("job {name}"))
}

#[test]
fn includes_merge_in_order_and_the_including_file_wins() {
    let (_d, repo) = scan(&[
        (
            ".gitlab-ci.yml",
            "include:\n  - local: ci/*.yml\n  - ci/extra/more.yml\nvariables:\n  A: root\nbuild:\n  script: [make]\n",
        ),
        (
            "ci/a.yml",
            "variables:\n  A: a\n  B: a\nlint:\n  script: [lint]\n",
        ),
        ("ci/b.yml", "variables:\n  B: b\n"),
        ("ci/extra/more.yml", "docs:\n  script: [docs]\n"),
    ]);
    assert!(repo.diagnostics.is_empty(), "{:?}", repo.diagnostics);
    let p = &repo.pipelines[0];
    assert_eq!(
        p.files,
        [
            ".gitlab-ci.yml",
            "ci/a.yml",
            "ci/b.yml",
            "ci/extra/more.yml"
        ]
    );
    assert_eq!(p.variables["A"], "root");
    assert_eq!(p.variables["B"], "b");
    let names: Vec<&str> = p.jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(names, ["lint", "docs", "build"]);
}

#[test]
fn missing_includes_and_cycles_are_located_diagnostics_and_unknown_outcomes() {
    let (_d, repo) = scan(&[
        (
            ".gitlab-ci.yml",
            "include:\n  - local: ci/a.yml\n  - local: ci/missing.yml\nbuild:\n  script: [make]\n",
        ),
        ("ci/a.yml", "include: ci/b.yml\n"),
        ("ci/b.yml", "include: /ci/a.yml\n"),
    ]);
    let messages: Vec<String> = repo
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.loc, d.message))
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with(".gitlab-ci.yml:3:12") && m.contains("ci/missing.yml")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("ci/b.yml:1:10") && m.contains("include cycle")),
        "{messages:?}"
    );
    // Missing evidence is never a pass: GitLab rules are unknown for the broken files.
    let rules = load_embedded().expect("rules");
    let evals = evaluate(&rules, std::slice::from_ref(&repo), &Default::default());
    let unknown = evals
        .iter()
        .filter(|e| e.rule == "CC9-002" && e.outcome == Outcome::Unknown)
        .count();
    assert_eq!(unknown, 2);
}

#[test]
fn extends_references_defaults_and_variables_resolve_like_gitlab() {
    let (_d, repo) = scan(&[(
        ".gitlab-ci.yml",
        r#"default:
  image: ruby:3.3
  before_script: [bundle install]
variables:
  GLOBAL: "1"
  OTHER: "2"
.base:
  variables:
    LEVEL: base
  script: [echo base]
  artifacts:
    expire_in: 1 week
.middle:
  extends: .base
  variables:
    LEVEL: middle
.other:
  tags: [docker]
.setup:
  script:
    - echo setup
    - !reference [.nested, script]
.nested:
  script: [echo nested-1, echo nested-2]
test:
  extends: [.middle, .other]
  script:
    - !reference [.setup, script]
    - echo test
  inherit:
    default: [image]
    variables: [GLOBAL]
"#,
    )]);
    assert!(repo.diagnostics.is_empty(), "{:?}", repo.diagnostics);
    let test = job(&repo, "test");
    assert_eq!(test.templates, [".middle", ".base", ".other"]);
    assert_eq!(test.extends, [".middle", ".other"]);
    assert_eq!(test.variables["LEVEL"], "middle");
    assert_eq!(test.variables["GLOBAL"], "1");
    assert!(!test.variables.contains_key("OTHER"), "inherit: variables");
    assert_eq!(test.tags, ["docker"]);
    assert_eq!(test.image.as_deref(), Some("ruby:3.3"));
    // `inherit: default: [image]` keeps the default before_script out.
    assert_eq!(
        test.script,
        ["echo setup", "echo nested-1", "echo nested-2", "echo test"]
    );
    let artifacts = test.artifacts.as_ref().expect("inherited artifacts");
    assert_eq!(artifacts.expire_days, Some(7.0));
    // The inherited value points where it is written: the template's line.
    assert_eq!(test.locs["artifacts.expire_in"].line, 12);
    let level = repo.pipelines[0]
        .entries
        .iter()
        .find(|e| e.name == "LEVEL" && e.value == "middle")
        .expect("LEVEL entry");
    assert_eq!(level.loc.line, 16);
    assert_eq!(level.used_by, ["test"]);
    // Script lines are listed once where written, with every job they reach.
    let nested = repo.pipelines[0]
        .scripts
        .iter()
        .find(|s| s.text == "echo nested-2")
        .expect("nested reference");
    assert_eq!(nested.loc.line, 24);
    assert_eq!(nested.used_by, ["test"]);
}

#[test]
fn unknown_extends_parents_without_external_includes_are_reported() {
    let (_d, repo) = scan(&[(
        ".gitlab-ci.yml",
        "a:\n  extends: .missing\n  script: [x]\nb:\n  script: [!reference [.gone, script]]\n",
    )]);
    let messages: Vec<&str> = repo
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("`.missing`")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("[.gone, script]")),
        "{messages:?}"
    );

    // With an include from outside the repository, such parents are expected to come from it.
    let (_d, repo) = scan(&[(
        ".gitlab-ci.yml",
        "include:\n  - project: acme/templates\n    ref: 1.0.0\n    file: t.yml\na:\n  extends: .remote-template\n  script: [x]\n",
    )]);
    assert!(repo.diagnostics.is_empty(), "{:?}", repo.diagnostics);
    assert_eq!(job(&repo, "a").external_templates, [".remote-template"]);
}

#[test]
fn child_pipelines_are_resolved_and_spec_inputs_read() {
    let (_d, repo) = scan(&[
        (
            ".gitlab-ci.yml",
            "trigger-child:\n  trigger:\n    include: ci/child.yml\n    strategy: depend\n",
        ),
        (
            "ci/child.yml",
            "spec:\n  inputs:\n    env:\n      options: [staging, production]\n---\nchild-job:\n  script:\n    - deploy $[[ inputs.env ]]\n",
        ),
    ]);
    assert!(repo.diagnostics.is_empty(), "{:?}", repo.diagnostics);
    assert_eq!(repo.pipelines.len(), 2);
    let child = &repo.pipelines[1];
    assert_eq!(child.kind, "child");
    assert_eq!(child.parent_job.as_deref(), Some("trigger-child"));
    assert_eq!(child.jobs[0].id, "child-job");
    assert_eq!(child.inputs[0].name, "env");
    assert!(child.inputs[0].options);
    let uses = &child.scripts[0].inputs;
    assert_eq!(uses[0].name, "env");
    assert!(uses[0].declared && uses[0].options);
    let trigger = &repo.pipelines[0].includes[0];
    assert_eq!(trigger.job.as_deref(), Some("trigger-child"));
    assert_eq!(trigger.kind, "local");
}

#[test]
fn hostile_shapes_are_diagnostics_not_panics() {
    // Shapes GitLab rejects: each is a located diagnostic, and nothing panics.
    for text in [
        "- just\n- a list\n",
        "job: [1, 2]\n",
        "include: 42\n",
        "a:\n  extends: a\n  script: [x]\n",
        "include:\n  - local: ../../etc/passwd\n",
        "include:\n  - local: /\n",
        "x:\n  script: !reference [x, script]\n",
    ] {
        let (_d, repo) = scan(&[(".gitlab-ci.yml", text)]);
        assert!(
            repo.diagnostics
                .iter()
                .any(|d| d.loc.path.ends_with(".yml") && !d.message.is_empty()),
            "{text:?}: {:?}",
            repo.diagnostics
        );
    }
    // Shapes that are valid but empty: a pipeline without jobs, no diagnostic.
    for text in ["spec:\n  inputs:\n    a: {}\n---\n", "", "---\n---\n---\n"] {
        let (_d, repo) = scan(&[(".gitlab-ci.yml", text)]);
        assert!(
            repo.diagnostics.is_empty(),
            "{text:?}: {:?}",
            repo.diagnostics
        );
        assert_eq!(repo.pipelines.len(), 1, "{text:?}");
        assert!(repo.pipelines[0].jobs.is_empty(), "{text:?}");
    }
}

#[test]
fn credentials_are_located_exactly_and_never_stored() {
    let token = "glpat-4Xk9ZpQ2rT7vN1mB8cWd";
    let text = format!(
        "variables:\n  TOKEN: \"{token}\" # a comment\nupload:\n  script:\n    - 'curl -H \"PRIVATE-TOKEN: {token}\" https://x'\n"
    );
    let (_d, repo) = scan(&[(".gitlab-ci.yml", &text)]);
    let facts = serde_json::to_string(&repo).expect("json");
    assert!(!facts.contains(token), "the token is redacted in the facts");
    let p = &repo.pipelines[0];
    let var = p.entries.iter().find(|e| e.name == "TOKEN").expect("entry");
    assert!(var.secret_like);
    assert_eq!(
        (var.loc.line, var.loc.column, var.loc.length),
        (2, 10, token.len() + 2)
    );
    let script = p
        .entries
        .iter()
        .find(|e| e.level == "script")
        .expect("script entry");
    assert_eq!(
        (script.loc.line, script.loc.column, script.loc.length),
        (5, 32, token.len())
    );
}

#[test]
fn inline_suppressions_in_included_files_apply() {
    let (_d, repo) = scan(&[
        (".gitlab-ci.yml", "include: ci/jobs.yml\n"),
        (
            "ci/jobs.yml",
            "build:\n  # soc2: ignore[CC9-002] vendor image, pinned by the registry's policy\n  image: vendor/builder:2\n  script: [make]\n",
        ),
    ]);
    let rules = load_embedded().expect("rules");
    let mut evals = evaluate(&rules, std::slice::from_ref(&repo), &Default::default());
    let warnings = soc2::suppress::apply(&mut evals, std::slice::from_ref(&repo), &rules);
    assert!(warnings.is_empty(), "{warnings:?}");
    let image = evals
        .iter()
        .find(|e| e.rule == "CC9-002" && e.location.as_ref().is_some_and(|l| l.line == 3))
        .expect("CC9-002 on the image");
    assert_eq!(image.outcome, Outcome::Excepted);
}

#[test]
fn a_facts_dump_of_a_gitlab_pipeline_replays_to_the_same_evaluations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/CC9-002/fail-gitlab-images");
    let facts = soc2::facts::Facts::new(vec![collect_local(&root)]);
    let json = serde_json::to_string(&facts).expect("dump");
    let replayed: soc2::facts::Facts = serde_json::from_str(&json).expect("read back");
    let rules = load_embedded().expect("rules");
    let policy = Default::default();
    let key = |e: &soc2::engine::Evaluation| {
        (
            e.rule.clone(),
            e.outcome,
            e.resource.clone(),
            e.location
                .as_ref()
                .map(|l| (l.path.to_string(), l.line, l.column)),
            e.message.clone(),
        )
    };
    let a: Vec<_> = evaluate(&rules, &facts.repositories, &policy)
        .iter()
        .map(key)
        .collect();
    let b: Vec<_> = evaluate(&rules, &replayed.repositories, &policy)
        .iter()
        .map(key)
        .collect();
    assert!(a.iter().any(|k| k.0 == "CC9-002" && k.1 == Outcome::Fail));
    assert_eq!(a, b);
}
