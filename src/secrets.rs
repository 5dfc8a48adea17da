//! Credential detection and redaction.
//!
//! One place knows what a credential looks like, so the provider that flags a hard-coded key
//! and every reporter that prints a line of source agree on what must never be shown. Patterns
//! are compiled once.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// What replaces a credential in every output.
pub const REDACTED: &str = "[REDACTED]";

struct Pattern {
    kind: &'static str,
    regex: Regex,
}

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    [
        (
            "AWS access key id",
            r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b",
        ),
        ("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
        ("GitHub token", r"\bgithub_pat_[A-Za-z0-9_]{22,}\b"),
        (
            "GitLab token",
            r"\bgl(?:pat|ptt|dt|rt|cbt|imt|oas)-[A-Za-z0-9_\-]{20,}\b",
        ),
        (
            "private key",
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
        ),
        ("Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
        ("Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
        ("Stripe key", r"\b[sr]k_live_[0-9A-Za-z]{20,}\b"),
        ("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("PyPI token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}"),
    ]
    .into_iter()
    .map(|(kind, re)| Pattern {
        kind,
        regex: Regex::new(re).expect("built-in secret pattern is valid"),
    })
    .collect()
});

static SENSITIVE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential)",
    )
    .expect("valid regex")
});

/// Key names that hold names, paths or settings of secrets rather than secrets.
static NOT_A_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(_NAMES?|_PATH|_FILE|_URL|_URI|_ID|_ARN|_REGION|_ENDPOINT|_HOST|_USER(NAME)?|_LENGTH|_TYPE|_SCOPES?|_PERMISSIONS?)$")
        .expect("valid regex")
});

/// The kind of credential a text contains, if it contains one of the well-known token shapes.
pub fn known_token_kind(text: &str) -> Option<&'static str> {
    PATTERNS
        .iter()
        .find(|p| p.regex.is_match(text))
        .map(|p| p.kind)
}

/// Whether a literal value stored under `name` looks like a credential: a well-known token
/// shape anywhere, or a password-like value under a credential-like key name.
pub fn classify(name: &str, value: &str, always_secret: bool) -> Option<&'static str> {
    if let Some(kind) = known_token_kind(value) {
        return Some(kind);
    }
    let value = value.trim();
    if value.is_empty() || value.contains("${{") || value.starts_with('$') {
        return None;
    }
    if always_secret {
        return Some("literal password");
    }
    if SENSITIVE_NAME.is_match(name) && !NOT_A_VALUE.is_match(name) && looks_random(value) {
        return Some("credential-like value");
    }
    None
}

/// A heuristic for "not a word": long enough, no spaces, at least two character classes.
fn looks_random(value: &str) -> bool {
    if value.len() < 8 || value.chars().any(char::is_whitespace) {
        return false;
    }
    let classes = [
        value.chars().any(|c| c.is_ascii_lowercase()),
        value.chars().any(|c| c.is_ascii_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
        value.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    // Identifiers and lists of identifiers (`A_TOKEN,B_TOKEN`) are names, not secrets.
    let identifiers = value.split([',', ' ']).all(|w| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    });
    if identifiers && value.contains(['_', ',']) {
        return false;
    }
    let lower_words = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c == '-' || c == '_' || c == '.');
    !lower_words && classes.iter().filter(|&&b| b).count() >= 2
}

/// Assignments of literal values to credential-like names in free text: `PASSWORD=...`,
/// `export AWS_SECRET_ACCESS_KEY=...`, `api_key: ...`, and `Authorization: token ...` headers.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?i)(\b[A-Z0-9_.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credentials?)[A-Z0-9_]*"?\s*[=:]\s*["']?)"#,
        r#"([^\s"'$@{}()\[\],][^\s"']{7,})"#,
    ))
    .expect("valid regex")
});

static AUTH_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(authorization:\s*(?:token|bearer|basic)\s+)([^\s"'$]{8,})"#)
        .expect("valid regex")
});

/// Where well-known credential shapes occur in `text`: (kind, byte range).
pub fn find_known_tokens(text: &str) -> Vec<(&'static str, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    for p in PATTERNS.iter() {
        out.extend(p.regex.find_iter(text).map(|m| (p.kind, m.range())));
    }
    out.sort_by_key(|(_, r)| r.start);
    out
}

/// Credentials written in free text (a script): well-known token shapes and literal values
/// assigned to credential-like names, as (kind, byte range of the value).
pub fn find_in_text(text: &str) -> Vec<(&'static str, std::ops::Range<usize>)> {
    let mut out = find_known_tokens(text);
    for re in [&*ASSIGNMENT, &*AUTH_HEADER] {
        for c in re.captures_iter(text) {
            if let Some(m) = c.get(2)
                && !out
                    .iter()
                    .any(|(_, r)| r.start < m.end() && m.start() < r.end)
            {
                out.push(("credential-like value", m.range()));
            }
        }
    }
    out.sort_by_key(|(_, r)| r.start);
    out
}

/// Replaces every well-known credential shape in `text` with [`REDACTED`], and the values of
/// credential-like assignments (`PASSWORD=...`, `Authorization: token ...`). For free text:
/// scripts, expressions, code frames and messages.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    for p in PATTERNS.iter() {
        if p.regex.is_match(&out) {
            out = Cow::Owned(p.regex.replace_all(&out, REDACTED).into_owned());
        }
    }
    for re in [&*ASSIGNMENT, &*AUTH_HEADER] {
        if re.is_match(&out) {
            let replaced = re.replace_all(&out, |c: &regex::Captures<'_>| {
                if c[2].starts_with(REDACTED) {
                    c[0].to_string()
                } else {
                    format!("{}{REDACTED}", &c[1])
                }
            });
            out = Cow::Owned(replaced.into_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_shapes_are_found_and_redacted() {
        let aws = format!("AKIA{}", "IOSFODNN7EXAMPLE");
        let text = format!("key: {aws} rest");
        assert_eq!(known_token_kind(&text), Some("AWS access key id"));
        assert_eq!(redact(&text), "key: [REDACTED] rest");
        let gh = format!("ghp_{}", "a".repeat(36));
        assert!(redact(&gh).contains(REDACTED));
    }

    #[test]
    fn assignments_in_scripts_are_redacted() {
        let script = "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nDB_PASSWORD: hunter2SuperSecretPw\ncurl -H \"Authorization: token abcdef0123456789\" x";
        let r = redact(script);
        assert!(!r.contains("wJalr"), "{r}");
        assert!(!r.contains("hunter2"), "{r}");
        assert!(!r.contains("abcdef0123"), "{r}");
        assert!(r.contains("AWS_SECRET_ACCESS_KEY=[REDACTED]"), "{r}");
        // Not credentials: short settings, references to secrets, and ordinary words.
        for keep in [
            "id-token: write",
            "persist-credentials: false",
            "TOKEN: ${{ secrets.NPM_TOKEN }}",
            "secrets: inherit",
            "echo $GITHUB_TOKEN",
        ] {
            assert_eq!(redact(keep), keep);
        }
    }

    #[test]
    fn known_tokens_are_located() {
        let text = format!("a ghp_{} b", "x".repeat(36));
        let found = find_known_tokens(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.start, 2);
    }

    #[test]
    fn names_and_values_together_decide() {
        assert!(classify("DB_PASSWORD", "s3cr3t-Value!", false).is_some());
        assert!(classify("DB_PASSWORD", "${{ secrets.DB }}", false).is_none());
        assert!(classify("TOKEN_PERMISSIONS", "read", false).is_none());
        assert!(classify("SECRET_NAME", "my-secret-name", false).is_none());
        assert!(classify("password", "hunter2", true).is_some());
        assert!(classify("GREETING", "Hello World 123", false).is_none());
        assert!(
            classify(
                "GH_AW_SECRET_NAMES",
                "COPILOT_GITHUB_TOKEN,GH_AW_GITHUB_TOKEN",
                false
            )
            .is_none()
        );
        assert!(classify("SECRET_ACCESS_KEY", "polar123456789", false).is_some());
    }
}
