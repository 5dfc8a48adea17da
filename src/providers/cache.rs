//! The on-disk HTTP cache of the API providers: one file per request URL holding the
//! response's `ETag`, status and body, so that the next run revalidates with `If-None-Match`
//! and a `304 Not Modified` answer (which does not count against GitHub's rate limit) reuses
//! the stored body. Each platform keeps its entries in a directory of its own.
//!
//! Entries are keyed by the SHA-256 of the API base URL, the request path and a hash of the
//! token (so that two tokens with different permissions never share an answer). The token
//! itself is never written. A corrupt or unreadable entry is a miss, never an error.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A cached response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// The `ETag` header of the response.
    pub etag: String,
    /// The HTTP status (200, or 404 for a cached "Branch not protected").
    pub status: u16,
    /// The `Link` header, for pagination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The body.
    pub body: String,
}

/// The cache directory; `None` disables caching.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: Option<PathBuf>,
    scope: String,
}

impl Cache {
    /// A cache in `dir` (created on first write), or no cache.
    pub fn new(dir: Option<PathBuf>, base: &str, token: Option<&str>) -> Self {
        let mut h = Sha256::new();
        h.update(base.as_bytes());
        h.update([0]);
        h.update(token.unwrap_or("").as_bytes());
        Self {
            dir,
            scope: crate::rules::hex(&h.finalize()[..8]),
        }
    }

    /// The default directory of `platform` (`github`, `gitlab`): `$XDG_CACHE_HOME/soc2/PLATFORM`,
    /// else `~/.cache/soc2/PLATFORM`, else `.soc2-cache/PLATFORM`.
    pub fn default_dir(platform: &str) -> PathBuf {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| Path::new(&h).join(".cache"))
            });
        match base {
            Some(b) => b.join("soc2").join(platform),
            None => PathBuf::from(".soc2-cache").join(platform),
        }
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut h = Sha256::new();
        h.update(self.scope.as_bytes());
        h.update([0]);
        h.update(key.as_bytes());
        let name = crate::rules::hex(&h.finalize()[..16]);
        Some(dir.join(&name[..2]).join(format!("{name}.json")))
    }

    /// The stored response for `key` (the request path and query), if any.
    pub fn get(&self, key: &str) -> Option<Entry> {
        let text = std::fs::read_to_string(self.path(key)?).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Stores a response; failures to write are ignored (the cache is an optimisation).
    pub fn put(&self, key: &str, entry: &Entry) {
        let Some(path) = self.path(key) else { return };
        let Ok(text) = serde_json::to_string(entry) else {
            return;
        };
        if let Some(parent) = path.parent()
            && std::fs::create_dir_all(parent).is_ok()
        {
            // Write then rename, so a concurrent reader never sees half an entry.
            let tmp = path.with_extension(format!("tmp{}", std::process::id()));
            if std::fs::write(&tmp, text).is_ok() {
                let _ = std::fs::rename(&tmp, &path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_scoping() {
        let dir = tempfile::tempdir().unwrap();
        let a = Cache::new(Some(dir.path().into()), "http://x", Some("t1"));
        let b = Cache::new(Some(dir.path().into()), "http://x", Some("t2"));
        let e = Entry {
            etag: "\"abc\"".into(),
            status: 200,
            link: None,
            body: "{}".into(),
        };
        a.put("/repos/a/b", &e);
        assert_eq!(a.get("/repos/a/b"), Some(e));
        assert_eq!(
            b.get("/repos/a/b"),
            None,
            "another token must not share entries"
        );
        assert_eq!(Cache::new(None, "x", None).get("/repos/a/b"), None);
        // No file contains the token.
        for f in walkdir::WalkDir::new(dir.path()).into_iter().flatten() {
            if f.file_type().is_file() {
                let text = std::fs::read_to_string(f.path()).unwrap();
                assert!(!text.contains("t1"));
            }
        }
    }
}
