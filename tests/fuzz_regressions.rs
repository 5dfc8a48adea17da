//! The fuzz targets' inputs, replayed in the normal test suite: every seed of
//! `fuzz/corpus/<target>/` and every minimized crash of `fuzz/regressions/<target>/` goes
//! through the very function the fuzz target runs (`fuzz/src/lib.rs`, included here as a
//! module), in a thread with a hang guard.
//!
//! A regression input `NAME` may have a sidecar `NAME.expect` with one line per diagnostic
//! that must be produced (a substring of `path:line:column: message`): a crash is fixed when it
//! becomes a diagnostic, not merely when it stops panicking.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

type Target = fn(&[u8]) -> Vec<String>;

const TARGETS: [(&str, Target); 4] = [
    ("gha_workflow", harness::gha_workflow),
    ("gitlab_resolve", harness::gitlab_resolve),
    ("codeowners", harness::codeowners),
    ("config", harness::config),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The inputs of `dir` (sidecar `.expect` files excluded), sorted.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "expect"))
        .collect();
    out.sort();
    out
}

/// Runs `target` on `input` in a thread; fails on a panic or after 20 s.
fn run(target: Target, input: &Path) -> Vec<String> {
    let data = std::fs::read(input).expect("the input is readable");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(target(&data));
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(diagnostics) => diagnostics,
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("{} panicked", input.display())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{} did not finish within 20 s", input.display())
        }
    }
}

#[test]
fn every_seed_runs_through_its_target() {
    for (name, target) in TARGETS {
        let seeds = inputs(&fuzz_dir().join("corpus").join(name));
        assert!(
            seeds.len() >= 3,
            "fuzz/corpus/{name} holds a seed corpus: {seeds:?}"
        );
        for seed in &seeds {
            run(target, seed);
        }
    }
}

#[test]
fn the_seed_corpus_stays_small() {
    let total: u64 = TARGETS
        .iter()
        .flat_map(|(name, _)| inputs(&fuzz_dir().join("corpus").join(name)))
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    assert!(
        total < 200 * 1024,
        "the committed seeds total {total} bytes"
    );
}

#[test]
fn every_minimized_crash_stays_fixed() {
    let mut checked = 0;
    for (name, target) in TARGETS {
        for input in inputs(&fuzz_dir().join("regressions").join(name)) {
            let diagnostics = run(target, &input);
            let sidecar = input.with_file_name(format!(
                "{}.expect",
                input.file_name().expect("a file").to_string_lossy()
            ));
            if let Ok(expected) = std::fs::read_to_string(&sidecar) {
                for line in expected.lines().filter(|l| !l.trim().is_empty()) {
                    assert!(
                        diagnostics.iter().any(|d| d.contains(line)),
                        "{}: a diagnostic contains `{line}`: {diagnostics:#?}",
                        input.display()
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "fuzz/regressions holds the crashes found so far"
    );
}

#[test]
fn gitlab_inputs_decode_into_files() {
    let files = harness::MemoryFiles::decode(
        "include: {local: 'ci/*.yml'}\n#== ci/a.yml\na: {script: [make]}\n#== ci/b.yml\n",
    );
    let paths: Vec<&str> = files.files.keys().map(String::as_str).collect();
    assert_eq!(paths, [".gitlab-ci.yml", "ci/a.yml", "ci/b.yml"]);
    assert_eq!(files.files["ci/a.yml"], "a: {script: [make]}\n");
    use soc2::providers::local_gitlab::resolve::Files;
    assert_eq!(files.glob("ci/*.yml"), ["ci/a.yml", "ci/b.yml"]);
    let d = files.read("ci/../x.yml").expect_err("`..` is not read");
    assert!(d.message.contains("leaves the repository"), "{d:?}");
    // The include cycle and the missing file are diagnostics of the resolver.
    let diagnostics = harness::gitlab_resolve(
        b"include: a.yml\nb:\n  script: [x]\n#== a.yml\ninclude: [.gitlab-ci.yml, missing.yml]\n",
    );
    assert!(
        diagnostics.iter().any(|d| d.contains("include cycle")),
        "{diagnostics:#?}"
    );
    assert!(
        diagnostics
            .iter()
            .any(|d| d.starts_with("a.yml:1:") && d.contains("missing.yml")),
        "{diagnostics:#?}"
    );
}
