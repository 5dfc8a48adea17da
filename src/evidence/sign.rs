//! Ed25519 keys and the signature of a bundle's manifest.
//!
//! Key files are text, two lines: a header naming the format, then the standard base64 of 32
//! bytes (the secret seed, or the public key):
//!
//! ```text
//! soc2 ed25519 secret key v1
//! 3q2+7w...=
//! ```
//!
//! `soc2 evidence keygen FILE` writes the secret key to `FILE` (mode 0600 on Unix) and the
//! public key to `FILE.pub` (header `soc2 ed25519 public key v1`). The signature file
//! `manifest.sig` holds the signer's public key and the signature of the exact bytes of
//! `manifest.json`:
//!
//! ```text
//! soc2 ed25519 signature v1
//! public-key: <base64 of 32 bytes>
//! signature: <base64 of 64 bytes>
//! ```

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use super::EvidenceError;

const SECRET_HEADER: &str = "soc2 ed25519 secret key v1";
const PUBLIC_HEADER: &str = "soc2 ed25519 public key v1";
const SIGNATURE_HEADER: &str = "soc2 ed25519 signature v1";

fn format_error(path: &Path, message: impl Into<String>) -> EvidenceError {
    EvidenceError::Format {
        path: path.display().to_string(),
        message: message.into(),
    }
}

fn decode<const N: usize>(path: &Path, what: &str, text: &str) -> Result<[u8; N], EvidenceError> {
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|e| format_error(path, format!("{what} is not base64: {e}")))?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| {
        format_error(
            path,
            format!("{what} must be {N} bytes, found {}", bytes.len()),
        )
    })
}

fn read(path: &Path) -> Result<String, EvidenceError> {
    std::fs::read_to_string(path).map_err(|e| EvidenceError::io(path, e))
}

/// Reads a two-line key file with the given header.
fn read_key<const N: usize>(path: &Path, header: &str) -> Result<[u8; N], EvidenceError> {
    let text = read(path)?;
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default();
    if first != header {
        let hint = if first == SECRET_HEADER || first == PUBLIC_HEADER {
            format!("this is a {first}, expected a {header}")
        } else {
            format!("expected the first line `{header}`")
        };
        return Err(format_error(path, hint));
    }
    decode::<N>(path, "the key", lines.next().unwrap_or_default())
}

/// Generates a key pair from the operating system's random source and writes `path` (secret)
/// and `path.pub` (public). Returns the public key's path.
pub fn keygen(path: &Path, force: bool) -> Result<std::path::PathBuf, EvidenceError> {
    let public_path = public_path_for(path);
    for p in [path, public_path.as_path()] {
        if p.exists() && !force {
            return Err(EvidenceError::Refused(format!(
                "`{}` already exists (pass --force to overwrite it)",
                p.display()
            )));
        }
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| EvidenceError::Refused(format!("no random source: {e}")))?;
    let key = SigningKey::from_bytes(&seed);
    write_secret(
        path,
        &format!("{SECRET_HEADER}\n{}\n", STANDARD.encode(seed)),
    )?;
    let public = format!(
        "{PUBLIC_HEADER}\n{}\n",
        STANDARD.encode(key.verifying_key().to_bytes())
    );
    std::fs::write(&public_path, public).map_err(|e| EvidenceError::io(&public_path, e))?;
    Ok(public_path)
}

/// `FILE.pub` next to `FILE`.
pub fn public_path_for(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".pub");
    std::path::PathBuf::from(name)
}

fn write_secret(path: &Path, text: &str) -> Result<(), EvidenceError> {
    #[cfg(unix)]
    {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| EvidenceError::io(path, e))?;
        // `mode` applies only when the file is created: an overwritten file is made private too.
        std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .map_err(|e| EvidenceError::io(path, e))?;
        f.write_all(text.as_bytes())
            .map_err(|e| EvidenceError::io(path, e))
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, text).map_err(|e| EvidenceError::io(path, e))
    }
}

/// Reads a secret key file.
pub fn read_signing_key(path: &Path) -> Result<SigningKey, EvidenceError> {
    Ok(SigningKey::from_bytes(&read_key::<32>(
        path,
        SECRET_HEADER,
    )?))
}

/// Reads a public key file.
pub fn read_verifying_key(path: &Path) -> Result<VerifyingKey, EvidenceError> {
    let bytes = read_key::<32>(path, PUBLIC_HEADER)?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|e| format_error(path, format!("not an Ed25519 public key: {e}")))
}

/// A short, printable identity of a public key: the first 16 hex digits of its SHA-256.
pub fn fingerprint(key: &VerifyingKey) -> String {
    super::sha256_hex(key.as_bytes())[..16].to_string()
}

/// The text of a signature file for `message`.
pub fn signature_file(key: &SigningKey, message: &[u8]) -> String {
    let sig = key.sign(message);
    format!(
        "{SIGNATURE_HEADER}\npublic-key: {}\nsignature: {}\n",
        STANDARD.encode(key.verifying_key().to_bytes()),
        STANDARD.encode(sig.to_bytes())
    )
}

/// A parsed signature file.
#[derive(Debug)]
pub struct SignatureFile {
    /// The key that claims to have signed.
    pub public_key: VerifyingKey,
    /// The signature.
    pub signature: Signature,
}

/// Parses a signature file.
pub fn parse_signature(path: &Path, text: &str) -> Result<SignatureFile, EvidenceError> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    if lines.next() != Some(SIGNATURE_HEADER) {
        return Err(format_error(
            path,
            format!("expected the first line `{SIGNATURE_HEADER}`"),
        ));
    }
    let (mut key, mut sig) = (None, None);
    for line in lines {
        match line.split_once(':') {
            Some(("public-key", v)) => key = Some(decode::<32>(path, "public-key", v)?),
            Some(("signature", v)) => sig = Some(decode::<64>(path, "signature", v)?),
            _ => return Err(format_error(path, format!("unexpected line `{line}`"))),
        }
    }
    let key = key.ok_or_else(|| format_error(path, "no `public-key:` line"))?;
    let sig = sig.ok_or_else(|| format_error(path, "no `signature:` line"))?;
    Ok(SignatureFile {
        public_key: VerifyingKey::from_bytes(&key)
            .map_err(|e| format_error(path, format!("not an Ed25519 public key: {e}")))?,
        signature: Signature::from_bytes(&sig),
    })
}

/// Whether `signature` by `key` is valid for `message`.
pub fn is_valid(key: &VerifyingKey, message: &[u8], signature: &Signature) -> bool {
    key.verify(message, signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_signatures_verify() {
        let dir = tempfile::tempdir().expect("tempdir");
        let secret = dir.path().join("k");
        let public = keygen(&secret, false).expect("keygen");
        assert!(keygen(&secret, false).is_err(), "no silent overwrite");
        let sk = read_signing_key(&secret).expect("secret");
        let pk = read_verifying_key(&public).expect("public");
        assert_eq!(sk.verifying_key(), pk);
        let text = signature_file(&sk, b"manifest");
        let parsed = parse_signature(Path::new("s"), &text).expect("parse");
        assert_eq!(parsed.public_key, pk);
        assert!(is_valid(&pk, b"manifest", &parsed.signature));
        assert!(!is_valid(&pk, b"manifesT", &parsed.signature));
        // A public key where a secret key is expected is named as such.
        let err = read_signing_key(&public).expect_err("wrong kind");
        assert!(err.to_string().contains("public key"), "{err}");
    }
}
