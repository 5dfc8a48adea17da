//! `.github/dependabot.yml` parsing.

use crate::facts::{Dependabot, DependabotUpdate, FileDiagnostic, FileKind, Location};
use crate::yaml::{self, SourceText};

/// Parses a Dependabot configuration; a file that is not YAML or has no `updates:` list is a
/// diagnostic.
pub fn parse(path: &str, text: &str) -> Result<Dependabot, FileDiagnostic> {
    let src = SourceText::new(path, text);
    let diag = |loc: Location, message: String| FileDiagnostic {
        kind: FileKind::Dependabot,
        loc,
        message,
    };
    let docs = yaml::parse(text).map_err(|e| {
        let mut loc = Location::file(path);
        (loc.line, loc.column) = (e.line, e.column);
        diag(loc, format!("YAML syntax error: {}", e.message))
    })?;
    let Some(root) = docs.first().filter(|r| yaml::is_mapping(r)) else {
        return Err(diag(
            src.file_location(),
            "expected a mapping with `updates:`".into(),
        ));
    };
    let Some(updates) = yaml::get(root, "updates").filter(|u| yaml::is_sequence(u)) else {
        return Err(diag(
            src.file_location(),
            "`updates:` must be a list".into(),
        ));
    };
    let text_of = |n: &yaml::Node<'_>, key: &str| {
        yaml::get(n, key).and_then(|v| yaml::scalar_str(v).map(|s| s.into_owned()))
    };
    let mut out = Dependabot {
        path: path.to_string(),
        loc: Location::file(path),
        ..Dependabot::default()
    };
    for item in yaml::items(updates) {
        let Some(ecosystem) = text_of(item, "package-ecosystem") else {
            return Err(diag(
                src.location(item),
                "an update entry needs `package-ecosystem`".into(),
            ));
        };
        let mut directories: Vec<String> = text_of(item, "directory").into_iter().collect();
        if let Some(dirs) = yaml::get(item, "directories") {
            directories.extend(
                yaml::items(dirs)
                    .iter()
                    .filter_map(|d| yaml::scalar_str(d).map(|s| s.into_owned())),
            );
        }
        let insecure =
            text_of(item, "insecure-external-code-execution").as_deref() == Some("allow");
        out.insecure_external_code_execution |= insecure;
        if !out.ecosystems.contains(&ecosystem) {
            out.ecosystems.push(ecosystem.clone());
        }
        out.updates.push(DependabotUpdate {
            ecosystem,
            directories,
            interval: yaml::get(item, "schedule").and_then(|s| text_of(s, "interval")),
            cooldown: yaml::get(item, "cooldown").is_some(),
            insecure_external_code_execution: insecure,
            loc: src.location(item),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_are_read() {
        let d = parse(
            ".github/dependabot.yml",
            "version: 2\nupdates:\n  - package-ecosystem: cargo\n    directory: /\n    schedule: {interval: weekly}\n  - package-ecosystem: npm\n    directories: [/a, /b]\n    insecure-external-code-execution: allow\n",
        )
        .expect("valid");
        assert_eq!(d.ecosystems, vec!["cargo", "npm"]);
        assert_eq!(d.updates[1].directories, vec!["/a", "/b"]);
        assert!(d.insecure_external_code_execution);
        assert_eq!(d.updates[1].loc.line, 6);
    }

    #[test]
    fn missing_updates_is_a_diagnostic() {
        assert!(parse("d.yml", "version: 2\n").is_err());
    }
}
