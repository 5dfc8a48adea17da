//! The bundle manifest: every file of a bundle with its size and SHA-256, in canonical JSON.
//!
//! `manifest.json` is written last, over the files already on disk, and lists every file
//! under the bundle directory except itself and the signature (`manifest.sig`), by
//! `/`-separated relative path. Its own SHA-256 (the *manifest digest*) identifies the bundle
//! as a whole and is what the ledger records and the signature covers.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{EvidenceError, canonical_json, sha256_hex};

/// File name of the manifest.
pub const MANIFEST: &str = "manifest.json";
/// File name of the signature.
pub const SIGNATURE: &str = "manifest.sig";
/// Version of the manifest format.
pub const MANIFEST_VERSION: u32 = 1;

/// One file of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// The manifest of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_VERSION`].
    pub manifest_version: u32,
    /// Hash algorithm, always `sha256`.
    pub algorithm: String,
    /// Files by relative path.
    pub files: BTreeMap<String, FileEntry>,
}

impl Manifest {
    /// Hashes every file under `dir` except the manifest and the signature.
    pub fn of_dir(dir: &Path) -> Result<Self, EvidenceError> {
        let mut files = BTreeMap::new();
        for (rel, path) in list_files(dir)? {
            let bytes = std::fs::read(&path).map_err(|e| EvidenceError::io(&path, e))?;
            files.insert(
                rel,
                FileEntry {
                    sha256: sha256_hex(&bytes),
                    size: bytes.len() as u64,
                },
            );
        }
        Ok(Self {
            manifest_version: MANIFEST_VERSION,
            algorithm: "sha256".into(),
            files,
        })
    }

    /// The canonical JSON text, newline-terminated: what is written, hashed and signed.
    pub fn to_canonical(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        let mut text = canonical_json(&value);
        text.push('\n');
        text
    }

    /// Writes `manifest.json` into `dir` and returns its digest.
    pub fn write(&self, dir: &Path) -> Result<String, EvidenceError> {
        let text = self.to_canonical();
        let path = dir.join(MANIFEST);
        std::fs::write(&path, &text).map_err(|e| EvidenceError::io(&path, e))?;
        Ok(sha256_hex(text.as_bytes()))
    }
}

/// Every regular file under `dir` except the manifest and its signature, as (relative path
/// with `/`, full path), sorted.
pub fn list_files(dir: &Path) -> Result<Vec<(String, std::path::PathBuf)>, EvidenceError> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            EvidenceError::io(&path, std::io::Error::other(e.to_string()))
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if rel == MANIFEST || rel == SIGNATURE {
            continue;
        }
        out.push((rel, entry.path().to_path_buf()));
    }
    Ok(out)
}
