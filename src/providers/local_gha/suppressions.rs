//! Inline suppression comments in pipeline files: `# soc2: ignore[CC9-001, CC6-015] reason`.
//!
//! Only real YAML comments count. A comment starts at the first `#` of a line that is at the
//! start of the line or follows a space or tab and that lies outside every scalar of the parsed
//! file ([`yaml::comment_start`]): so `"# soc2: ignore[X] r"` in quotes, or a `# soc2: …` line
//! inside a `run: |` block (a shell comment), is not a suppression, and a second `#` inside a
//! comment is just text. The directive must open the comment (`# soc2: ignore[...]`; spaces
//! around `soc2:` are free). A file that does not parse as YAML yields no suppressions (its
//! findings are `unknown`, which suppressions never cover).
//!
//! Files without the text `soc2:` are not parsed a second time, so the cost is nil for the
//! usual file.

use crate::facts::Suppression;
use crate::yaml::{self, SourceText};

/// The suppression comments of one pipeline file.
pub fn find(path: &str, text: &str) -> Vec<Suppression> {
    let candidates: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains('#') && l.contains("soc2") && l.contains("ignore"))
        .map(|(i, _)| i + 1)
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    // The workflow parser accepts files with under-indented flow collections after a repair
    // that only adds indentation; do the same, then map columns back to the original line.
    let repaired;
    let (parsed_text, docs) = match yaml::parse(text) {
        Ok(docs) => (text, docs),
        Err(_) => match yaml::repair_flow_indentation(text) {
            Some(fixed) => {
                repaired = fixed;
                match yaml::parse(&repaired) {
                    Ok(docs) => (repaired.as_str(), docs),
                    Err(_) => return Vec::new(),
                }
            }
            None => return Vec::new(),
        },
    };
    let parsed = SourceText::new(path, parsed_text);
    let original = SourceText::new(path, text);
    let ranges = yaml::scalar_ranges(&parsed, &docs);
    let mut out = Vec::new();
    for line in candidates {
        let Some(at) = yaml::comment_start(&parsed, &ranges, line) else {
            continue;
        };
        let line_end = parsed_text[at..]
            .find('\n')
            .map_or(parsed_text.len(), |n| at + n);
        let comment = parsed_text[at..line_end].trim_end_matches('\r');
        let Some((rules, reason)) = directive(comment) else {
            continue;
        };
        // The repair only prepends spaces: the comment is the same suffix of the original line.
        let orig_start = original.byte_offset(line, 0);
        let orig_line = text[orig_start..].split('\n').next().unwrap_or("");
        let orig_line = orig_line.trim_end_matches('\r');
        let start = orig_start + orig_line.len().saturating_sub(comment.len());
        let standalone = orig_line[..orig_line.len().saturating_sub(comment.len())]
            .trim()
            .is_empty();
        out.push(Suppression {
            path: path.to_string(),
            line: line as u32,
            standalone,
            rules,
            reason,
            loc: original.range_location(start, start + comment.len()),
        });
    }
    out
}

/// Reads `# soc2: ignore[A, B] reason` → (`[A, B]`, `reason`). `None` when the comment is not a
/// `soc2: ignore` directive; empty rules when it is one but has no readable `[...]` list.
fn directive(comment: &str) -> Option<(Vec<String>, String)> {
    let rest = comment.strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("soc2")?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix("ignore")?;
    let after = rest.trim_start();
    let Some(list) = after.strip_prefix('[') else {
        return Some((Vec::new(), after.trim().to_string()));
    };
    let Some(close) = list.find(']') else {
        return Some((Vec::new(), list.trim().to_string()));
    };
    let rules = list[..close]
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    Some((rules, list[close + 1..].trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(u32, Vec<String>, String)> {
        find("w.yml", text)
            .into_iter()
            .map(|s| (s.line, s.rules, s.reason))
            .collect()
    }

    fn v(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| k.to_string()).collect()
    }

    #[test]
    fn directives_are_read() {
        assert_eq!(
            directive("# soc2: ignore[CC9-001] vendored action, reviewed"),
            Some((v(&["CC9-001"]), "vendored action, reviewed".into()))
        );
        assert_eq!(
            directive("#soc2:ignore[ CC9-001 , actions-pinned-to-sha ]"),
            Some((v(&["CC9-001", "actions-pinned-to-sha"]), String::new()))
        );
        assert_eq!(
            directive("# soc2: ignore CC9-001 why"),
            Some((vec![], "CC9-001 why".into()))
        );
        assert_eq!(directive("# soc2 runs this job"), None);
        assert_eq!(directive("# see soc2: ignore[X] y"), None);
    }

    #[test]
    fn trailing_and_whole_line_comments_count() {
        let text = "jobs:\n  a:\n    steps:\n      # soc2: ignore[CC9-001] pinned by the vendor\n      - uses: x/y@v1 # soc2: ignore[CC6-015, CC9-001] reviewed\n";
        let s = find(".github/workflows/w.yml", text);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].line, s[0].loc.column), (4, 7));
        assert_eq!((s[1].line, s[1].loc.column), (5, 22));
        assert_eq!(s[1].rules, v(&["CC6-015", "CC9-001"]));
        assert_eq!(s[1].loc.path.as_ref(), ".github/workflows/w.yml");
        assert_eq!(
            &text[s[1].loc.offset..s[1].loc.offset + s[1].loc.length],
            "# soc2: ignore[CC6-015, CC9-001] reviewed"
        );
    }

    #[test]
    fn hashes_in_strings_and_block_scalars_are_not_comments() {
        let text = concat!(
            "name: \"# soc2: ignore[CC9-001] in a string\"\n",
            "env:\n",
            "  A: 'x # soc2: ignore[CC9-001] single quotes'\n",
            "  B: \"multi\n",
            "    # soc2: ignore[CC9-001] inside double quotes\n",
            "    end\"\n",
            "  C: a#soc2:ignore[CC9-001]\n",
            "run: |\n",
            "  # soc2: ignore[CC9-001] a shell comment\n",
            "  echo hi # soc2: ignore[CC9-001] still shell\n",
            "# soc2: ignore[CC9-009] after the block\n",
            "x: 1 # note # soc2: ignore[CC9-001] not the start of the comment\n",
        );
        assert_eq!(
            found(text),
            vec![(11, v(&["CC9-009"]), "after the block".into())]
        );
    }

    #[test]
    fn unparsable_files_have_none() {
        assert!(found("a: [1\n# soc2: ignore[CC9-001] r\n").is_empty());
    }

    #[test]
    fn repaired_files_keep_original_columns() {
        let text = "jobs:\n  a:\n    matrix:\n      - [\n      \"x\", # soc2: ignore[CC9-001] why\n      ]\n";
        let s = find("w.yml", text);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].loc.line, 5);
        assert_eq!(
            &text[s[0].loc.offset..s[0].loc.offset + s[0].loc.length],
            "# soc2: ignore[CC9-001] why"
        );
    }
}
