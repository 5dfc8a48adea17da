//! What each fuzz target runs, on one input: the GitHub Actions workflow parser, the GitLab CI
//! include resolver over an in-memory repository, the CODEOWNERS parser and the `soc2.toml`
//! loader.
//!
//! The same functions are run by the main crate's `tests/fuzz_regressions.rs` (which includes
//! this file as a module) on the seed corpus and on every crash the fuzzers found, so a fixed
//! crash stays fixed. Each returns the diagnostics the input produced, rendered as
//! `path:line:column: message`, for those tests to assert on. Beyond "no panic", the targets
//! check invariants the rest of the program relies on: facts serialize to JSON, diagnostic
//! locations are 1-based, configuration errors render.

use std::collections::BTreeMap;
use std::path::Path;

use soc2::facts::{FileDiagnostic, FileKind, Location};
use soc2::providers::local_gha::{codeowners, suppressions, workflow};
use soc2::providers::local_gitlab::{self, resolve::Files};

/// Most files decoded from one `gitlab_resolve` input.
pub const MAX_FILES: usize = 16;

/// Separates files in a `gitlab_resolve` input: a line starting with it names the next file.
pub const FILE_SEPARATOR: &str = "#== ";

fn render(d: &FileDiagnostic) -> String {
    assert!(
        d.loc.line >= 1 && d.loc.column >= 1,
        "diagnostic locations are 1-based: {d:?}"
    );
    format!("{}: {}", d.loc, d.message)
}

/// Parses the input as a workflow and as a local action, and finds its suppression comments.
pub fn gha_workflow(data: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Vec::new();
    };
    let path = ".github/workflows/fuzz.yml";
    let mut out = Vec::new();
    for kind in [FileKind::Workflow, FileKind::Action] {
        match workflow::parse(path, text, kind) {
            Ok(wf) => {
                serde_json::to_string(&wf).expect("workflow facts serialize");
            }
            Err(d) => out.push(render(&d)),
        }
    }
    let found = suppressions::find(path, text);
    serde_json::to_string(&found).expect("suppressions serialize");
    out
}

/// An in-memory repository decoded from a fuzz input.
///
/// The text before the first separator line is `.gitlab-ci.yml`; each line
/// `#== PATH` starts the file `PATH`:
///
/// ```text
/// include: {local: 'ci/*.yml'}
/// #== ci/a.yml
/// a: {script: [make]}
/// ```
#[derive(Debug, Default)]
pub struct MemoryFiles {
    /// Path → text.
    pub files: BTreeMap<String, String>,
}

impl MemoryFiles {
    /// Decodes an input (at most [`MAX_FILES`] files; later ones are dropped).
    pub fn decode(text: &str) -> Self {
        let mut files = BTreeMap::new();
        let mut path = local_gitlab::ROOT.to_string();
        let mut body = String::new();
        for line in text.split_inclusive('\n') {
            if let Some(next) = line.strip_prefix(FILE_SEPARATOR) {
                files.insert(std::mem::take(&mut path), std::mem::take(&mut body));
                path = next.trim().to_string();
            } else {
                body.push_str(line);
            }
        }
        files.insert(path, body);
        while files.len() > MAX_FILES {
            files.pop_last();
        }
        Self { files }
    }
}

impl Files for MemoryFiles {
    fn read(&self, rel: &str) -> Result<String, FileDiagnostic> {
        let diag = |message: &str| FileDiagnostic {
            kind: FileKind::GitlabCi,
            loc: Location::file(rel),
            message: message.into(),
        };
        if rel.split('/').any(|p| p == "..") {
            return Err(diag("the path leaves the repository; it is not read"));
        }
        self.files
            .get(rel)
            .cloned()
            .ok_or_else(|| diag("cannot read the file: not found"))
    }

    fn glob(&self, pattern: &str) -> Vec<String> {
        // The provider's glob rules (`*` within a directory, YAML files only), over the map.
        let Ok(matcher) = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map(|g| g.compile_matcher())
        else {
            return Vec::new();
        };
        self.files
            .keys()
            .filter(|p| matcher.is_match(p.as_str()))
            .filter(|p| p.ends_with(".yml") || p.ends_with(".yaml"))
            .cloned()
            .collect()
    }
}

/// Resolves the in-memory repository decoded from the input ([`MemoryFiles::decode`]): the
/// root pipeline with its includes, `extends`, `!reference`s and child pipelines.
pub fn gitlab_resolve(data: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Vec::new();
    };
    let files = MemoryFiles::decode(text);
    let (pipelines, diagnostics, suppressions) =
        local_gitlab::collect_from(&files, local_gitlab::ROOT);
    serde_json::to_string(&pipelines).expect("pipeline facts serialize");
    serde_json::to_string(&suppressions).expect("suppressions serialize");
    diagnostics.iter().map(render).collect()
}

/// Parses the input as a CODEOWNERS file.
pub fn codeowners(data: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Vec::new();
    };
    let parsed = codeowners::parse(".github/CODEOWNERS", text);
    assert!(
        parsed.rules.iter().all(|r| !r.pattern.is_empty()),
        "every rule has a pattern"
    );
    serde_json::to_string(&parsed).expect("CODEOWNERS facts serialize");
    Vec::new()
}

/// Loads the input as `soc2.toml`; an error is rendered as the command line renders it.
pub fn config(data: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Vec::new();
    };
    match soc2::config::parse(Path::new("soc2.toml"), text) {
        Ok(loaded) => {
            for ex in &loaded.config.exceptions {
                let _ = ex.expiry();
            }
            serde_json::to_string(&loaded.policy).expect("the policy serializes");
            Vec::new()
        }
        Err(e) => {
            let mut shown = String::new();
            miette::GraphicalReportHandler::new()
                .render_report(&mut shown, &e)
                .expect("configuration errors render");
            vec![format!("soc2.toml:{}:{}: {}", e.line, e.column, e.message)]
        }
    }
}
