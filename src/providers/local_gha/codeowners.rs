//! CODEOWNERS parsing: one rule per non-comment line, pattern then owners.

use crate::facts::{Codeowners, CodeownersRule, Location};

/// Parses a CODEOWNERS file. Every line is accepted; a line with a pattern and no owner is a
/// rule that removes ownership, as GitHub reads it.
pub fn parse(path: &str, text: &str) -> Codeowners {
    let mut rules = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = strip_comment(line);
        let mut parts = line.split_whitespace();
        let Some(pattern) = parts.next() else {
            continue;
        };
        rules.push(CodeownersRule {
            pattern: pattern.replace("\\#", "#"),
            owners: parts.map(str::to_string).collect(),
            line: i as u32 + 1,
        });
    }
    Codeowners {
        path: path.to_string(),
        loc: Location::file(path),
        rules,
    }
}

/// Removes a `#` comment, keeping escaped `\#`.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1] != b'\\') {
            return &line[..i];
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_owners_and_comments() {
        let c = parse(
            ".github/CODEOWNERS",
            "# comment\n* @org/core\n/.github/ @org/sec @bob # inline\n\\#odd @x\n/docs/\n",
        );
        assert_eq!(c.rules.len(), 4);
        assert_eq!(c.rules[1].owners, vec!["@org/sec", "@bob"]);
        assert_eq!(c.rules[1].line, 3);
        assert_eq!(c.rules[2].pattern, "#odd");
        assert!(c.rules[3].owners.is_empty());
    }
}
