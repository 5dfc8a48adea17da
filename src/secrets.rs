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

/// Replaces every well-known credential shape in `text` with [`REDACTED`].
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    for p in PATTERNS.iter() {
        if p.regex.is_match(&out) {
            out = Cow::Owned(p.regex.replace_all(&out, REDACTED).into_owned());
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
