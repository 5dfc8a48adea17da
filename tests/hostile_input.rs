//! Hostile pipeline files, for both providers: alias bombs ("billion laughs"), nesting
//! thousands deep, a 100 MB file, invalid UTF-8, binary files named `.yml`, symlink loops,
//! unreadable files and directories named like pipeline files, and a file that is a YAML list
//! instead of a mapping.
//!
//! Each hostile file is planted in three places: as a GitHub Actions workflow
//! (`.github/workflows/hostile.yml`), as the GitLab CI root (`.gitlab-ci.yml`) and as a file the
//! GitLab root includes with `include: local:` (`ci/hostile.yml`). Every test asserts the
//! per-file diagnostic (message and location) and that the valid files of the same repository
//! were still scanned: their findings are present. Collection runs in a thread with a hang
//! guard, so a hostile file that hangs the scan fails the test instead of hanging CI.
//! FIFOs, device files, links out of the tree and the 8 MiB limit with a plain oversized file
//! are covered by `provider_hardening.rs`.

#![cfg(unix)]

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use soc2::config::Policy;
use soc2::engine::{Evaluation, Outcome, evaluate};
use soc2::facts::{FileDiagnostic, FileKind, Repository};
use soc2::providers::collect_local;
use soc2::rules::load_embedded;

/// A valid workflow with one finding: a third-party action pinned to a tag (CC9-001 fails).
const OK_WORKFLOW: &str = "on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: evil/deploy@v1
      - run: make
";

/// A valid GitLab CI root with one finding: an image pinned to a tag (CC9-002 fails).
const OK_GITLAB: &str = "build:
  image: ruby:latest
  script: [make]
";

/// The GitLab CI root that includes the hostile file (its `local:` value is at 3:12).
const INCLUDING_GITLAB: &str = "include:
  - local: ci/ok.yml
  - local: ci/hostile.yml
build:
  image: ruby:latest
  script: [make]
";

/// A valid included file with one finding of its own.
const OK_INCLUDED: &str = "lint:
  image: node:latest
  script: [lint]
";

/// Where a hostile file is planted.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    /// `.github/workflows/hostile.yml`, next to a valid workflow and a valid GitLab root.
    Workflow,
    /// `.gitlab-ci.yml` itself, next to a valid workflow.
    GitlabRoot,
    /// `ci/hostile.yml`, included by a valid GitLab root that also includes `ci/ok.yml`.
    GitlabInclude,
}

const PLACES: [Place; 3] = [Place::Workflow, Place::GitlabRoot, Place::GitlabInclude];

impl Place {
    fn path(self) -> &'static str {
        match self {
            Place::Workflow => ".github/workflows/hostile.yml",
            Place::GitlabRoot => ".gitlab-ci.yml",
            Place::GitlabInclude => "ci/hostile.yml",
        }
    }

    fn kind(self) -> FileKind {
        match self {
            Place::Workflow => FileKind::Workflow,
            _ => FileKind::GitlabCi,
        }
    }
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

/// A repository with the valid files for `place`; the hostile file is left to the caller.
fn repo_for(place: Place) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, ".github/workflows/ok.yml", OK_WORKFLOW.as_bytes());
    std::fs::create_dir_all(root.join("ci")).expect("mkdir ci");
    match place {
        Place::Workflow => write(root, ".gitlab-ci.yml", OK_GITLAB.as_bytes()),
        Place::GitlabRoot => {}
        Place::GitlabInclude => {
            write(root, ".gitlab-ci.yml", INCLUDING_GITLAB.as_bytes());
            write(root, "ci/ok.yml", OK_INCLUDED.as_bytes());
        }
    }
    dir
}

/// Collects both providers in a thread; fails if that takes more than 30 s (a hang guard, not
/// a benchmark: the slowest case takes well under a second in a debug build).
fn collect_guarded(root: &Path) -> Repository {
    let (tx, rx) = mpsc::channel();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(collect_local(&root));
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("collection finished within 30 s (a hostile file must not hang the scan)")
}

fn evaluations(repo: &Repository) -> Vec<Evaluation> {
    let rules = load_embedded().expect("built-in rules load");
    evaluate(&rules, std::slice::from_ref(repo), &Policy::default())
}

fn fails_at(evals: &[Evaluation], rule: &str, path: &str) -> bool {
    evals.iter().any(|e| {
        e.rule == rule
            && e.outcome == Outcome::Fail
            && e.location.as_ref().is_some_and(|l| &*l.path == path)
    })
}

/// What the diagnostic of a hostile file must say.
struct Expect<'a> {
    /// The file could not be read at all (rather than read and rejected by the parser): for an
    /// included file, the diagnostic is then at the `include:` that names it.
    unreadable: bool,
    /// Substrings of the message.
    message: &'a [&'a str],
    /// The line of the diagnostic in the hostile file (1 for file-level problems).
    line: u32,
}

/// Plants a hostile file with `plant(root, place)`, scans, and checks the single diagnostic
/// and that every valid file of the repository was still scanned.
fn check(place: Place, plant: impl FnOnce(&Path, Place), expect: &Expect<'_>) -> Repository {
    let dir = repo_for(place);
    plant(dir.path(), place);
    let repo = collect_guarded(dir.path());
    let context = format!("{place:?}: {:#?}", repo.diagnostics);
    assert_eq!(repo.diagnostics.len(), 1, "one diagnostic: {context}");
    let d: &FileDiagnostic = &repo.diagnostics[0];
    assert_eq!(d.kind, place.kind(), "{context}");
    for part in expect.message {
        assert!(
            d.message.contains(part),
            "`{part}` in the message: {context}"
        );
    }
    if place == Place::GitlabInclude && expect.unreadable {
        assert_eq!(
            (&*d.loc.path, d.loc.line, d.loc.column),
            (".gitlab-ci.yml", 3, 12),
            "at the include: {context}"
        );
        assert!(
            d.message
                .starts_with("included file `ci/hostile.yml` cannot be read: "),
            "{context}"
        );
    } else {
        assert_eq!(
            (&*d.loc.path, d.loc.line),
            (place.path(), expect.line),
            "{context}"
        );
    }

    // The rest of the scan completed: the valid files were read and judged.
    let evals = evaluations(&repo);
    let workflows: Vec<&str> = repo.workflows.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(workflows, [".github/workflows/ok.yml"], "{place:?}");
    assert!(
        fails_at(&evals, "CC9-001", ".github/workflows/ok.yml"),
        "{place:?}: the valid workflow is judged"
    );
    match place {
        Place::Workflow => {
            assert_eq!(repo.pipelines.len(), 1, "the GitLab pipeline is resolved");
            assert!(fails_at(&evals, "CC9-002", ".gitlab-ci.yml"));
            assert!(
                evals.iter().any(|e| e.outcome == Outcome::Unknown
                    && e.subject == ".github/workflows/hostile.yml"),
                "the hostile workflow's pipeline rules are unknown, not passed"
            );
        }
        Place::GitlabRoot => {
            assert!(repo.pipelines.is_empty(), "{:#?}", repo.pipelines);
            assert!(
                evals
                    .iter()
                    .any(|e| e.rule == "CC9-002" && e.outcome == Outcome::Unknown),
                "GitLab image pinning is unknown, not passed"
            );
        }
        Place::GitlabInclude => {
            assert_eq!(repo.pipelines.len(), 1);
            let p = &repo.pipelines[0];
            assert_eq!(p.files, [".gitlab-ci.yml", "ci/ok.yml"], "{p:#?}");
            let jobs: Vec<&str> = p.jobs.iter().map(|j| j.id.as_str()).collect();
            assert_eq!(jobs, ["lint", "build"]);
            assert!(fails_at(&evals, "CC9-002", ".gitlab-ci.yml"));
            assert!(fails_at(&evals, "CC9-002", "ci/ok.yml"));
        }
    }
    repo
}

fn plant_text(text: String) -> impl Fn(&Path, Place) {
    move |root, place| write(root, place.path(), text.as_bytes())
}

/// A valid file for `place` with `extra` appended (top-level keys).
fn valid_with(place: Place, extra: &str) -> String {
    match place {
        Place::Workflow => format!("{OK_WORKFLOW}{extra}"),
        _ => format!("hostile:\n  image: alpine:latest\n  script: [true]\n{extra}"),
    }
}

// --- Alias bombs -----------------------------------------------------------------------------

/// Ten levels of ten aliases each: 10^10 nodes once expanded.
fn billion_laughs() -> String {
    let mut out = String::from(".lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*l{}", i - 1);
        let items = [prev.as_str(); 10].join(", ");
        out.push_str(&format!(".lol{i}: &l{i} [{items}]\n"));
    }
    out
}

#[test]
fn an_alias_bomb_is_rejected_by_the_alias_budget() {
    for place in PLACES {
        let text = valid_with(place, &billion_laughs());
        // The first line of the bomb: after the valid part.
        let first = text
            .lines()
            .position(|l| l.starts_with(".lol0"))
            .expect("bomb") as u32
            + 1;
        let budget = soc2::yaml::ALIAS_BUDGET.to_string();
        let repo = check(
            place,
            plant_text(text.clone()),
            &Expect {
                unreadable: false,
                message: &["alias", &budget, "billion laughs"],
                // l1 expands to 110 nodes, l2 to 1,100 ... l4 to 110,000: the fifth alias line
                // is the first over the budget.
                line: first + 4,
            },
        );
        let d = &repo.diagnostics[0];
        assert!(
            d.loc.column > 1,
            "at the alias that exceeds the budget: {d:?}"
        );
    }
}

#[test]
fn aliases_within_the_budget_are_expanded() {
    // Four levels (11,110 nodes) are fine: the budget rejects bombs, not anchors.
    let bomb = billion_laughs();
    let small: String = bomb.lines().take(4).map(|l| format!("{l}\n")).collect();
    let dir = repo_for(Place::Workflow);
    write(
        dir.path(),
        ".github/workflows/anchors.yml",
        valid_with(Place::Workflow, &small).as_bytes(),
    );
    let repo = collect_guarded(dir.path());
    assert!(repo.diagnostics.is_empty(), "{:#?}", repo.diagnostics);
    assert_eq!(repo.workflows.len(), 2);
}

#[test]
fn anchors_nested_in_anchors_are_bounded() {
    // No alias at all, yet the loader keeps a copy of every anchored node with its content:
    // 200 nested anchors around 20,000 scalars would be 4 million copied nodes (and an 8 MiB
    // file of the same shape, a billion).
    for place in PLACES {
        let mut extra = String::from("nested: ");
        for i in 0..200 {
            extra.push_str(&format!("&n{i} ["));
        }
        extra.push_str(&"x, ".repeat(20_000));
        extra.push_str(&"]".repeat(200));
        extra.push('\n');
        let text = valid_with(place, &extra);
        let line = text.lines().count() as u32;
        let budget = soc2::yaml::ANCHOR_BUDGET.to_string();
        check(
            place,
            plant_text(text),
            &Expect {
                unreadable: false,
                message: &["anchored nodes", &budget],
                line,
            },
        );
    }
}

#[test]
fn a_reference_bomb_is_bounded() {
    // The `!reference` version of billion laughs: ten levels of ten references, each level
    // within GitLab's nesting limit, would copy ten billion nodes. The YAML is small and has
    // no alias, so only the resolver can bound it.
    let mut text = String::from(".r0: {s: [x, x, x, x, x, x, x, x, x, x]}\n");
    for i in 1..10 {
        let refs = vec![format!("!reference [.r{}, s]", i - 1); 10].join(", ");
        text.push_str(&format!(".r{i}: {{s: [{refs}]}}\n"));
    }
    text.push_str("build:\n  image: ruby:latest\n  script: !reference [.r9, s]\n");
    let dir = repo_for(Place::GitlabRoot);
    write(dir.path(), ".gitlab-ci.yml", text.as_bytes());
    let repo = collect_guarded(dir.path());
    assert_eq!(repo.diagnostics.len(), 1, "{:#?}", repo.diagnostics);
    let d = &repo.diagnostics[0];
    let budget = soc2::providers::local_gitlab::resolve::MAX_REFERENCE_NODES.to_string();
    assert!(
        d.message.contains("`!reference` tags copy more than") && d.message.contains(&budget),
        "{d:?}"
    );
    assert_eq!(&*d.loc.path, ".gitlab-ci.yml");
    assert!(
        (2..=11).contains(&d.loc.line),
        "at one of the references: {d:?}"
    );
    // The pipeline is still built, and judged; so is the workflow.
    assert_eq!(repo.pipelines.len(), 1);
    assert_eq!(repo.pipelines[0].jobs[0].id, "build");
    let evals = evaluations(&repo);
    assert!(fails_at(&evals, "CC9-002", ".gitlab-ci.yml"));
    assert!(fails_at(&evals, "CC9-001", ".github/workflows/ok.yml"));
}

// --- Deep nesting ----------------------------------------------------------------------------

#[test]
fn block_sequences_nested_a_hundred_thousand_deep_are_a_diagnostic() {
    // `- - - - … x` on one line: 200 KB, no indentation needed, 100,000 levels.
    for place in PLACES {
        let extra = format!("deep:\n{}x\n", "- ".repeat(100_000));
        let text = valid_with(place, &extra);
        let line = text.lines().count() as u32;
        check(
            place,
            plant_text(text),
            &Expect {
                unreadable: false,
                message: &["nesting deeper than 256 levels"],
                line,
            },
        );
    }
}

#[test]
fn block_mappings_nested_thousands_deep_are_a_diagnostic() {
    for place in PLACES {
        let mut extra = String::from("deep:\n");
        for i in 1..3000 {
            extra.push_str(&" ".repeat(i));
            extra.push_str("k:\n");
        }
        extra.push_str(&" ".repeat(3000));
        extra.push_str("k: x\n");
        let text = valid_with(place, &extra);
        let deep = text.lines().position(|l| l == "deep:").expect("deep") as u32 + 1;
        check(
            place,
            plant_text(text),
            &Expect {
                unreadable: false,
                message: &["nesting deeper than 256 levels"],
                // The 257th mapping, the file's own counted: the first one past the limit.
                line: deep + 256,
            },
        );
    }
}

#[test]
fn flow_collections_nested_thousands_deep_are_a_diagnostic() {
    for place in PLACES {
        let extra = format!("deep: {}{}\n", "[{a: ".repeat(2500), "}]".repeat(2500));
        let text = valid_with(place, &extra);
        let line = text.lines().count() as u32;
        check(
            place,
            plant_text(text),
            &Expect {
                unreadable: false,
                message: &["flow collections", "nested deeper than 255 levels"],
                line,
            },
        );
    }
}

// --- Size ------------------------------------------------------------------------------------

#[test]
fn a_100_mb_file_is_reported_without_being_read() {
    for place in PLACES {
        let plant = |root: &Path, place: Place| {
            // Sparse: a valid beginning, then a hole up to 100 MB. Nothing is written to disk
            // beyond the first block, and the scan must not read it either.
            let path = root.join(place.path());
            std::fs::write(&path, valid_with(place, "")).expect("write");
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .expect("open");
            file.set_len(100 * 1024 * 1024).expect("set_len");
        };
        check(
            place,
            plant,
            &Expect {
                unreadable: true,
                message: &["104857600 bytes", "8388608-byte limit"],
                line: 1,
            },
        );
    }
}

// --- Encoding and binary files ---------------------------------------------------------------

#[test]
fn invalid_utf8_is_reported_with_its_offset() {
    for place in PLACES {
        let valid = valid_with(place, "");
        // `# caf` is five bytes; the Latin-1 `é` after it is the first invalid one.
        let expected = format!("first invalid byte at offset {}", valid.len() + 5);
        let mut bytes = valid.into_bytes();
        bytes.extend_from_slice(b"# caf\xe9 in Latin-1\n");
        check(
            place,
            move |root, place| write(root, place.path(), &bytes),
            &Expect {
                unreadable: true,
                message: &["not valid UTF-8", &expected],
                line: 1,
            },
        );
    }
}

/// The start of an ELF executable, then every byte value.
fn elf_like() -> Vec<u8> {
    let mut bytes = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec();
    bytes.extend((0..=255u8).cycle().take(4096));
    bytes
}

#[test]
fn a_binary_file_named_yml_is_reported() {
    for place in PLACES {
        check(
            place,
            |root, place| write(root, place.path(), &elf_like()),
            &Expect {
                unreadable: true,
                // 16 header bytes, then 0x00..=0x7f are ASCII: 0x80 is the first invalid one.
                message: &["not valid UTF-8", "first invalid byte at offset 144"],
                line: 1,
            },
        );
    }
}

#[test]
fn a_binary_file_that_happens_to_be_utf8_is_a_yaml_error() {
    // Control characters and NULs only: valid UTF-8, not YAML.
    let bytes: Vec<u8> = b"\x7fELF\x02\x01\x01"
        .iter()
        .copied()
        .chain((0..32u8).cycle().take(512))
        .collect();
    for place in PLACES {
        let bytes = bytes.clone();
        let repo = check(
            place,
            move |root, place| write(root, place.path(), &bytes),
            &Expect {
                unreadable: false,
                message: &["YAML", "found unprintable character"],
                line: 1,
            },
        );
        // At the first NUL, after the seven header bytes.
        let loc = &repo.diagnostics[0].loc;
        assert_eq!((loc.column, loc.offset), (8, 7), "{loc:?}");
    }
}

// --- Symbolic links --------------------------------------------------------------------------

#[test]
fn a_symlink_loop_is_reported() {
    for place in PLACES {
        // The hostile file links to `loops/a.yml`, which links to `loops/b.yml`, which links
        // back to `loops/a.yml`.
        let plant = |root: &Path, place: Place| {
            std::fs::create_dir_all(root.join("loops")).expect("mkdir");
            symlink(root.join("loops/b.yml"), root.join("loops/a.yml")).expect("symlink");
            symlink(root.join("loops/a.yml"), root.join("loops/b.yml")).expect("symlink");
            symlink(root.join("loops/a.yml"), root.join(place.path())).expect("symlink");
        };
        check(
            place,
            plant,
            &Expect {
                unreadable: true,
                message: &[
                    "symbolic link that cannot be resolved",
                    "levels of symbolic links",
                ],
                line: 1,
            },
        );
    }
}

#[test]
fn a_symlink_to_itself_is_reported() {
    for place in PLACES {
        let plant = |root: &Path, place: Place| {
            let path = root.join(place.path());
            let name = path.file_name().expect("name").to_owned();
            symlink(name, path).expect("symlink");
        };
        check(
            place,
            plant,
            &Expect {
                unreadable: true,
                message: &["symbolic link that cannot be resolved"],
                line: 1,
            },
        );
    }
}

// --- Unreadable files ------------------------------------------------------------------------

#[test]
fn a_directory_named_like_a_pipeline_file_is_reported() {
    // Unreadable as a file for every user, root included.
    for place in PLACES {
        check(
            place,
            |root, place| {
                std::fs::create_dir_all(root.join(place.path()).join("inner")).expect("mkdir");
            },
            &Expect {
                unreadable: true,
                message: &["a directory, not a regular file"],
                line: 1,
            },
        );
    }
}

#[test]
fn a_file_without_read_permission_is_reported_or_read_as_root_would() {
    for place in PLACES {
        let dir = repo_for(place);
        let path = dir.path().join(place.path());
        std::fs::write(&path, valid_with(place, "")).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        // Root (or CAP_DAC_OVERRIDE) opens mode-000 files: the scan then reads it like any
        // other file, and so would the CI runner. The assertion differs, the test still checks.
        let privileged = std::fs::File::open(&path).is_ok();
        let repo = collect_guarded(dir.path());
        if privileged {
            assert!(repo.diagnostics.is_empty(), "{:#?}", repo.diagnostics);
            match place {
                Place::Workflow => assert_eq!(repo.workflows.len(), 2, "both workflows read"),
                Place::GitlabRoot => {
                    assert_eq!(repo.pipelines.len(), 1);
                    assert_eq!(repo.pipelines[0].jobs[0].id, "hostile");
                }
                Place::GitlabInclude => {
                    assert_eq!(
                        repo.pipelines[0].files,
                        [".gitlab-ci.yml", "ci/ok.yml", "ci/hostile.yml"]
                    );
                }
            }
        } else {
            assert_eq!(repo.diagnostics.len(), 1, "{:#?}", repo.diagnostics);
            let d = &repo.diagnostics[0];
            assert!(
                d.message.contains("cannot read the file") && d.message.contains("ermission"),
                "{d:?}"
            );
            let expected = match place {
                Place::GitlabInclude => ".gitlab-ci.yml",
                _ => place.path(),
            };
            assert_eq!(&*d.loc.path, expected);
        }
        let evals = evaluations(&repo);
        assert!(fails_at(&evals, "CC9-001", ".github/workflows/ok.yml"));
    }
}

// --- Wrong shape -----------------------------------------------------------------------------

#[test]
fn a_yaml_list_instead_of_a_mapping_is_reported() {
    for place in PLACES {
        let text = match place {
            Place::Workflow => "- on: push\n- jobs: {}\n",
            _ => "- build:\n    script: [make]\n",
        };
        let message: &[&str] = match place {
            Place::Workflow => &["expected a mapping at the top level, found a sequence"],
            _ => &["the file is a sequence, not a mapping of jobs and keywords"],
        };
        check(
            place,
            plant_text(text.to_string()),
            &Expect {
                unreadable: false,
                message,
                line: 1,
            },
        );
    }
}
