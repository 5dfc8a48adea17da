//! Evidence bundles: what an auditor takes away from a run, and proof it was not edited.
//!
//! A bundle is a directory written by `soc2 check --evidence DIR` or `soc2 evidence collect`
//! ([`bundle`]): the facts dump (re-evaluate it with `soc2 check --facts DIR/facts.json`,
//! which takes the bundle's soc2.toml), the evaluations, SARIF, the Markdown and HTML
//! reports, the soc2.toml in force and the resolved policy, the rule set with a digest of
//! each rule, and `run.json` (tool version, time,
//! the identity of each target). [`manifest`] lists every file with its SHA-256 in canonical
//! JSON; [`sign`] signs the manifest with an Ed25519 key; [`verify`] checks every hash and the
//! signature and names each difference. Secrets are redacted before anything is written.

pub mod bundle;
pub mod identity;
pub mod manifest;
pub mod sign;
pub mod verify;

use sha2::{Digest, Sha256};

/// A problem reading or writing a bundle or a key.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// A file that could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A key or signature file that is not in the documented format.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A file that would be written with a credential in it even after redaction.
    #[error("{0}")]
    Refused(String),
}

impl EvidenceError {
    /// An I/O error on `path`.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// Lower-case hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::rules::hex(&Sha256::digest(bytes))
}

/// Canonical JSON: object keys sorted at every level, no insignificant white space, so that
/// the same value always hashes the same whatever map type produced it.
pub fn canonical_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(*k) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Environment variables whose values are API tokens; their values never reach a bundle.
pub const TOKEN_VARIABLES: &[&str] = &["GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN"];

/// Redacts text for a bundle: the values of the token variables in the environment and every
/// well-known credential shape ([`crate::secrets::find_known_tokens`]) become
/// [`crate::secrets::REDACTED`]. Structured files keep their syntax: a redaction stays inside
/// the string it was found in, because token shapes contain no quotes.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for var in TOKEN_VARIABLES {
        if let Ok(value) = std::env::var(var) {
            let value = value.trim();
            // Very short values would redact ordinary words; no real token is that short.
            if value.len() >= 8 && out.contains(value) {
                out = out.replace(value, crate::secrets::REDACTED);
            }
        }
    }
    let found = crate::secrets::find_known_tokens(&out);
    if found.is_empty() {
        return out;
    }
    let mut redacted = String::with_capacity(out.len());
    let mut at = 0;
    for (_, range) in found {
        if range.start < at {
            continue;
        }
        redacted.push_str(&out[at..range.start]);
        redacted.push_str(crate::secrets::REDACTED);
        at = range.end;
    }
    redacted.push_str(&out[at..]);
    redacted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"b": 1, "a": {"z": [1, {"y": 2, "x": 3}], "c": "\"q"}}"#)
                .expect("json");
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":"\"q","z":[1,{"x":3,"y":2}]},"b":1}"#
        );
    }

    #[test]
    fn known_token_shapes_are_redacted_inside_json_strings() {
        let token = format!("ghp_{}", "A1b2".repeat(10));
        let text = format!("{{\"value\": \"x {token} y\"}}");
        let out = redact(&text);
        assert!(!out.contains(&token));
        let v: serde_json::Value = serde_json::from_str(&out).expect("still JSON");
        assert_eq!(v["value"], "x [REDACTED] y");
    }
}
