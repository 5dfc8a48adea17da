//! The GitLab CI corpus (`../shared/corpus/gitlab`, 27 projects): every pipeline resolves
//! without a panic or a diagnostic, every file the corpus reached by `include:` is merged,
//! job counts match counts made by hand, and every finding is located and names its job.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use soc2::config::Policy;
use soc2::engine::{Outcome, evaluate};
use soc2::providers::collect_local;
use soc2::rules::load_embedded;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/gitlab")
}

fn projects() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("the shared corpus is present beside the repository")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// `MANIFEST.tsv` rows: (project directory, path, how the corpus reached the file).
fn manifest() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(corpus().join("MANIFEST.tsv")).expect("manifest");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let [repo, _, _, path, _, reached] = cols.as_slice() else {
                return None;
            };
            Some((
                repo.replace('/', "__"),
                path.to_string(),
                reached.to_string(),
            ))
        })
        .collect()
}

#[test]
fn every_pipeline_resolves_and_every_included_file_is_merged() {
    let projects = projects();
    assert_eq!(projects.len(), 27, "the corpus has 27 GitLab projects");
    let mut problems = Vec::new();
    let mut merged: BTreeSet<(String, String)> = BTreeSet::new();
    for root in &projects {
        let name = root
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let repo = collect_local(root);
        if repo.pipelines.is_empty() {
            problems.push(format!("{name}: no pipeline"));
        }
        for d in &repo.diagnostics {
            problems.push(format!("{name}: {}: {}", d.loc, d.message));
        }
        for p in &repo.pipelines {
            for f in &p.files {
                merged.insert((name.clone(), f.clone()));
            }
        }
    }
    for (repo, path, reached) in manifest() {
        let is_pipeline = reached == "root" || reached.starts_with("include from");
        let is_merged = merged.contains(&(repo.clone(), path.clone()));
        if is_pipeline && !is_merged {
            problems.push(format!("{repo}: {path} ({reached}) was not merged"));
        }
        if !is_pipeline && is_merged {
            problems.push(format!("{repo}: {path} ({reached}) is not a pipeline file"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn job_counts_match_counts_made_by_hand() {
    // Visible job definitions (top-level keys that are not keywords and do not start with a
    // dot), counted in the files; `parallel: matrix` expansions are not separate jobs here.
    let expected: &[(&str, &str, usize)] = &[
        ("freedesktop__dbus", ".gitlab-ci.yml", 11),
        ("wayland-project__wayland", ".gitlab-ci.yml", 2),
        ("pulseaudio__pulseaudio", ".gitlab-ci.yml", 2),
        ("python-gitlab__python-gitlab", ".gitlab-ci.yml", 3),
        // 17 jobs; four of them (semgrep-sast, ...) override jobs of included templates.
        ("gitlabhq__gitlab-shell", ".gitlab-ci.yml", 17),
        // The child pipeline that `trigger: include:` starts from two jobs of
        // dev-gitlab-org.yml, merged with its own local include (dind-config.yml).
        (
            "gitlabhq__omnibus-gitlab",
            "gitlab-ci-config/check-packages.yml",
            29,
        ),
    ];
    for (project, path, jobs) in expected {
        let repo = collect_local(&corpus().join(project));
        let pipeline = repo
            .pipelines
            .iter()
            .find(|p| p.path == *path)
            .unwrap_or_else(|| panic!("{project}: no pipeline at {path}"));
        assert_eq!(pipeline.jobs.len(), *jobs, "{project} {path}");
    }
    let omnibus = collect_local(&corpus().join("gitlabhq__omnibus-gitlab"));
    let child = omnibus
        .pipelines
        .iter()
        .find(|p| p.kind == "child")
        .expect("omnibus triggers a child pipeline");
    assert_eq!(
        child.files,
        vec![
            "gitlab-ci-config/check-packages.yml".to_string(),
            "gitlab-ci-config/dind-config.yml".to_string()
        ]
    );
    assert!(child.parent_job.is_some());
}

#[test]
fn includes_outside_the_repository_are_recorded_with_their_versions() {
    let repo = collect_local(&corpus().join("gitlabhq__gitlab-runner"));
    let root = &repo.pipelines[0];
    assert_eq!(root.files.len(), 18, "the root file and 17 local includes");
    let component = root
        .includes
        .iter()
        .find(|i| i.kind == "component" && i.target.contains("danger-review"))
        .expect("danger-review component");
    assert_eq!(component.git_ref.as_deref(), Some("2.1.0"));
    assert!(component.dynamic, "the host is `${{CI_SERVER_FQDN}}`");
    let project = root
        .includes
        .iter()
        .find(|i| i.kind == "project")
        .expect("project include");
    assert_eq!(project.git_ref.as_deref(), Some("3.4.0"));
    assert_eq!(project.files, vec!["templates/gcp_auth.yaml".to_string()]);
    let conditional: Vec<_> = root.includes.iter().filter(|i| i.conditional).collect();
    assert!(
        conditional
            .iter()
            .any(|i| i.target == "/.gitlab/ci/_project_fork.gitlab-ci.yml"),
        "includes with `rules:` are recorded as conditional (and followed)"
    );
}

#[test]
fn every_gitlab_finding_is_located_and_names_its_job() {
    let rules = load_embedded().expect("rules");
    let policy = Policy::default();
    let repos: Vec<_> = projects().iter().map(|p| collect_local(p)).collect();
    let evals = evaluate(&rules, &repos, &policy);
    let gitlab: Vec<_> = evals
        .iter()
        .filter(|e| {
            e.location
                .as_ref()
                .is_some_and(|l| !l.path.starts_with(".github"))
                && matches!(e.outcome, Outcome::Fail | Outcome::Unknown)
        })
        .collect();
    assert!(gitlab.len() > 100, "the corpus has GitLab findings");
    for e in &gitlab {
        let loc = e.location.as_ref().expect("located");
        assert!(loc.line >= 1, "{}: {}", e.rule, e.message);
    }
    // An image inherited through `extends:` from a template is reported where it is written
    // and names the jobs it affects.
    let images: Vec<_> = evals
        .iter()
        .filter(|e| e.rule == "CC9-002" && e.outcome == Outcome::Fail)
        .collect();
    assert!(
        images.iter().any(|e| e.message.contains("— affects job `")),
        "image findings name the job they affect"
    );
}
