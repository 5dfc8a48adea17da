//! The CI recipes in `examples/ci/` are real pipeline files: placed where their platform reads
//! them, they pass every pipeline control of `soc2`; every `soc2` command they run
//! parses with the current CLI; and the README shows them exactly as committed.

use std::path::{Path, PathBuf};

use clap::Parser;
use soc2::cli::Cli;
use soc2::engine::{Outcome, evaluate};
use soc2::providers::collect_local;
use soc2::rules::load_embedded;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// (recipe file, where the platform reads it in a repository).
const RECIPES: &[(&str, &str)] = &[
    (
        "examples/ci/github-actions.yml",
        ".github/workflows/soc2.yml",
    ),
    ("examples/ci/gitlab-ci.yml", ".gitlab-ci.yml"),
];

fn text(recipe: &str) -> String {
    std::fs::read_to_string(root().join(recipe)).expect("recipe exists")
}

#[test]
fn recipes_pass_their_own_checks() {
    let rules = load_embedded().expect("rules");
    for (recipe, place) in RECIPES {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(place);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text(recipe)).expect("write");
        let repo = collect_local(dir.path());
        assert!(
            repo.diagnostics.is_empty(),
            "{recipe}: {:?}",
            repo.diagnostics
        );
        let evals = evaluate(&rules, std::slice::from_ref(&repo), &Default::default());
        // Repository-level controls (SAST, dependency updates, ...) concern the repository the
        // recipe is copied into, not the recipe.
        let in_recipe: Vec<_> = evals
            .iter()
            .filter(|e| e.location.as_ref().is_some_and(|l| &*l.path == *place))
            .filter(|e| rules.find(&e.rule).is_some_and(|r| !r.is_repo_scope()))
            .collect();
        let passes = in_recipe
            .iter()
            .filter(|e| e.outcome == Outcome::Pass)
            .count();
        assert!(passes >= 3, "{recipe}: only {passes} controls applied");
        let problems: Vec<String> = in_recipe
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Fail | Outcome::Unknown))
            .map(|e| format!("{} {:?}: {}", e.rule, e.outcome, e.message))
            .collect();
        assert!(problems.is_empty(), "{recipe}:\n{}", problems.join("\n"));
    }
}

#[test]
fn every_soc2_command_in_the_recipes_parses() {
    let mut seen = 0;
    for (recipe, _) in RECIPES {
        for line in text(recipe).lines() {
            let Some(command) = line
                .split_once("soc2 check")
                .map(|(_, rest)| format!("soc2 check{rest}"))
            else {
                continue;
            };
            let args: Vec<&str> = command.split_whitespace().collect();
            if let Err(e) = Cli::try_parse_from(&args) {
                panic!("{recipe}: `{command}` does not parse:\n{e}");
            }
            seen += 1;
        }
    }
    assert_eq!(seen, 2, "one `soc2 check` per recipe");
}

#[test]
fn the_readme_shows_the_recipes_as_committed() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    for (recipe, _) in RECIPES {
        assert!(
            readme.contains(&text(recipe)),
            "README.md does not contain {recipe} verbatim"
        );
    }
}
