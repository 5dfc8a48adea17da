//! Verifying a bundle: every hash of the manifest, files added or removed since, and the
//! signature.
//!
//! The result lists each difference by file, so an auditor sees exactly what changed. A
//! signature is checked against `--public-key` when given (a different signer is a problem);
//! without one, a signature is checked against the key it names, which proves integrity since
//! signing but not who signed — the result says so.

use std::path::Path;

use super::manifest::{FileEntry, MANIFEST, Manifest, SIGNATURE, list_files};
use super::{EvidenceError, sha256_hex, sign};

/// One difference between a bundle and its manifest or signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `manifest.json` is missing or not a manifest.
    Manifest(String),
    /// A listed file's content changed.
    Changed {
        /// The file.
        file: String,
        /// SHA-256 in the manifest.
        expected: String,
        /// SHA-256 now.
        actual: String,
    },
    /// A listed file is gone.
    Missing(String),
    /// A file that the manifest does not list.
    Added(String),
    /// The signature does not match the manifest.
    BadSignature(String),
    /// A public key was given but the bundle is not signed.
    Unsigned,
    /// The manifest digest is not in the given ledger: the manifest changed after the run (or
    /// the run was not recorded there).
    NotRecorded {
        /// The ledger.
        ledger: String,
        /// The manifest digest looked for.
        digest: String,
    },
    /// The given ledger does not verify, so it proves nothing.
    LedgerNotIntact(String),
    /// Signed, but not by the given key.
    WrongKey {
        /// Fingerprint of the given key.
        expected: String,
        /// Fingerprint of the key that signed.
        actual: String,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Manifest(m) => write!(f, "{MANIFEST}: {m}"),
            Problem::Changed {
                file,
                expected,
                actual,
            } => write!(
                f,
                "{file}: changed (manifest sha256 {expected}, now {actual})"
            ),
            Problem::Missing(file) => write!(f, "{file}: listed in the manifest but missing"),
            Problem::Added(file) => write!(f, "{file}: not listed in the manifest (added)"),
            Problem::BadSignature(m) => write!(f, "{SIGNATURE}: {m}"),
            Problem::NotRecorded { ledger, digest } => write!(
                f,
                "{MANIFEST}: digest {digest} is not recorded in the ledger {ledger} (the manifest changed after the run, or the run was not recorded there)"
            ),
            Problem::LedgerNotIntact(m) => write!(f, "ledger: {m}"),
            Problem::Unsigned => write!(
                f,
                "{SIGNATURE}: missing, but a public key was given: the bundle is not signed"
            ),
            Problem::WrongKey { expected, actual } => write!(
                f,
                "{SIGNATURE}: signed by key {actual}, not by the given key {expected}"
            ),
        }
    }
}

/// The state of the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureStatus {
    /// No signature file.
    Unsigned,
    /// Valid, by the given public key (fingerprint).
    Trusted(String),
    /// Valid for the key named in the signature file, which was not checked against a
    /// trusted key (fingerprint).
    SelfSigned(String),
    /// Not valid (see the problems).
    Invalid,
}

/// The result of verifying a bundle.
#[derive(Debug, Clone)]
pub struct Verification {
    /// Files checked against the manifest.
    pub checked: usize,
    /// SHA-256 of `manifest.json`, when it could be read.
    pub manifest_digest: Option<String>,
    /// The signature.
    pub signature: SignatureStatus,
    /// Every difference found; empty means intact.
    pub problems: Vec<Problem>,
    /// The ledger record that names this bundle, when a ledger was given: (ledger, seq, time).
    pub recorded: Option<(String, u64, String)>,
}

impl Verification {
    /// Whether the bundle is intact (and, when a key was given, signed by it).
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }

    /// Requires the manifest digest to be recorded in a (verified) ledger.
    pub fn check_recorded(&mut self, ledger: &Path, records: &[crate::ledger::Record]) {
        let Some(digest) = &self.manifest_digest else {
            return;
        };
        match records
            .iter()
            .find(|r| r.bundle.as_deref() == Some(digest.as_str()))
        {
            Some(r) => {
                self.recorded = Some((ledger.display().to_string(), r.seq, r.time.clone()));
            }
            None => self.problems.push(Problem::NotRecorded {
                ledger: ledger.display().to_string(),
                digest: digest.clone(),
            }),
        }
    }

    /// Notes that the given ledger does not verify.
    pub fn ledger_not_intact(&mut self, ledger: &str, problem: &str) {
        self.problems
            .push(Problem::LedgerNotIntact(format!("{ledger}: {problem}")));
    }

    /// A human-readable report, one line per finding.
    pub fn render(&self, dir: &Path) -> String {
        let mut out = String::new();
        for p in &self.problems {
            out.push_str(&format!("TAMPERED {p}\n"));
        }
        let sig = match &self.signature {
            SignatureStatus::Unsigned => "not signed".to_string(),
            SignatureStatus::Trusted(fp) => format!("signature valid, by the given key {fp}"),
            SignatureStatus::SelfSigned(fp) => format!(
                "signature valid for the key it names ({fp}); pass --public-key to check the signer"
            ),
            SignatureStatus::Invalid => "signature NOT valid".to_string(),
        };
        let verdict = if self.is_intact() {
            "intact"
        } else {
            "NOT intact"
        };
        out.push_str(&format!(
            "{}: {verdict}: {} files checked, {} problem(s); {sig}\n",
            dir.display(),
            self.checked,
            self.problems.len()
        ));
        if let Some(d) = &self.manifest_digest {
            out.push_str(&format!("manifest sha256 {d}\n"));
        }
        if let Some((ledger, seq, time)) = &self.recorded {
            out.push_str(&format!("recorded in {ledger} as record {seq} ({time})\n"));
        }
        out
    }
}

/// Verifies the bundle in `dir`, against `public_key` when given. An error means the check
/// itself could not run (unreadable directory or key); tampering is reported in the result.
pub fn verify(dir: &Path, public_key: Option<&Path>) -> Result<Verification, EvidenceError> {
    let trusted = public_key.map(sign::read_verifying_key).transpose()?;
    if !dir.is_dir() {
        return Err(EvidenceError::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory"),
        ));
    }
    let mut problems = Vec::new();
    let manifest_path = dir.join(MANIFEST);
    let manifest_text = match std::fs::read(&manifest_path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            problems.push(Problem::Manifest(format!("cannot be read: {e}")));
            None
        }
    };
    let manifest: Option<Manifest> =
        manifest_text
            .as_ref()
            .and_then(|bytes| match serde_json::from_slice::<Manifest>(bytes) {
                Ok(m) => Some(m),
                Err(e) => {
                    problems.push(Problem::Manifest(format!("not a manifest: {e}")));
                    None
                }
            });

    let mut checked = 0;
    if let Some(m) = &manifest {
        let present = list_files(dir)?;
        for (name, FileEntry { sha256, .. }) in &m.files {
            match present.iter().find(|(rel, _)| rel == name) {
                None => problems.push(Problem::Missing(name.clone())),
                Some((_, path)) => {
                    checked += 1;
                    let bytes = std::fs::read(path).map_err(|e| EvidenceError::io(path, e))?;
                    let actual = sha256_hex(&bytes);
                    if &actual != sha256 {
                        problems.push(Problem::Changed {
                            file: name.clone(),
                            expected: sha256.clone(),
                            actual,
                        });
                    }
                }
            }
        }
        for (rel, _) in &present {
            if !m.files.contains_key(rel) {
                problems.push(Problem::Added(rel.clone()));
            }
        }
    }

    let sig_path = dir.join(SIGNATURE);
    let signature = if sig_path.is_file() {
        let text = std::fs::read_to_string(&sig_path).unwrap_or_default();
        match (sign::parse_signature(&sig_path, &text), &manifest_text) {
            (Err(e), _) => {
                problems.push(Problem::BadSignature(e.to_string()));
                SignatureStatus::Invalid
            }
            (Ok(_), None) => SignatureStatus::Invalid,
            (Ok(sig), Some(message)) => {
                let signer = sign::fingerprint(&sig.public_key);
                if !sign::is_valid(&sig.public_key, message, &sig.signature) {
                    problems.push(Problem::BadSignature(
                        "does not match manifest.json (the manifest or the signature was edited)"
                            .into(),
                    ));
                    SignatureStatus::Invalid
                } else {
                    match &trusted {
                        Some(key) if *key != sig.public_key => {
                            problems.push(Problem::WrongKey {
                                expected: sign::fingerprint(key),
                                actual: signer,
                            });
                            SignatureStatus::Invalid
                        }
                        Some(_) => SignatureStatus::Trusted(signer),
                        None => SignatureStatus::SelfSigned(signer),
                    }
                }
            }
        }
    } else {
        if trusted.is_some() {
            problems.push(Problem::Unsigned);
        }
        SignatureStatus::Unsigned
    };

    Ok(Verification {
        checked,
        manifest_digest: manifest_text.map(|b| sha256_hex(&b)),
        signature,
        problems,
        recorded: None,
    })
}
