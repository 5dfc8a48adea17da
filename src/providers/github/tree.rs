//! A remote repository's pipeline files: one recursive tree listing of the default branch
//! (REST, revalidated with its `ETag`), then the blobs of the files the local provider reads
//! (workflows, local actions, Dependabot, CODEOWNERS).
//!
//! Blobs are addressed by content hash, so a blob once read is kept in the cache under its
//! object id and never asked again. The others are read in batched GraphQL queries shared
//! with other repositories ([`super::graphql`]); whatever GraphQL does not answer (no token,
//! an error) is read from the REST blob endpoint. The files are then parsed by the local
//! provider's parsers with the same relative paths, so every local rule runs on remote
//! repositories with correct paths and lines.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::client::{Client, ClientError};
use super::graphql::{Batcher, Request};
use crate::facts::github::DeployKey;
use crate::providers::local_gha;

#[derive(Debug, Deserialize)]
struct RawTree {
    #[serde(default)]
    tree: Vec<RawEntry>,
    #[serde(default)]
    truncated: bool,
}

#[derive(Debug, Deserialize)]
struct RawEntry {
    path: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    sha: String,
    #[serde(default)]
    size: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct RawBlob {
    #[serde(default)]
    content: String,
    #[serde(default)]
    encoding: String,
}

/// The files of a repository as read through the API.
#[derive(Debug, Default)]
pub struct Files {
    /// Every file path of the tree.
    pub paths: Vec<String>,
    /// Texts of the pipeline files.
    pub texts: BTreeMap<String, String>,
    /// Problems (a truncated listing, an unreadable blob), for diagnostics.
    pub problems: Vec<(String, String)>,
    /// Object id and size of every file of the tree (emptied once the blobs are read).
    shas: BTreeMap<String, (String, u64)>,
}

/// Settings read in the same batched query as the first blobs (see [`super::graphql`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras {
    /// Ask for the deploy keys.
    pub deploy_keys: bool,
    /// Ask whether Dependabot alerts are on.
    pub vulnerability_alerts: bool,
}

/// What [`fetch`] read.
#[derive(Debug)]
pub struct Fetched {
    /// The files, or why the tree could not be listed.
    pub files: Result<Files, String>,
    /// The deploy keys, when GraphQL answered them (otherwise ask REST).
    pub deploy_keys: Option<Vec<DeployKey>>,
    /// Whether Dependabot alerts are on, when GraphQL answered it.
    pub vulnerability_alerts: Option<bool>,
}

/// Reads the tree of `branch` and the pipeline files in it, with the `extras` settings when
/// a batcher is given.
pub async fn fetch(
    client: &Client,
    batcher: Option<&Batcher>,
    repo: &str,
    branch: &str,
    extras: Extras,
) -> Fetched {
    let mut fetched = Fetched {
        files: Err(String::new()),
        deploy_keys: None,
        vulnerability_alerts: None,
    };
    let mut extras = batcher.map(|_| extras).unwrap_or_default();
    fetched.files = list(client, repo, branch).await;
    let Ok(files) = &mut fetched.files else {
        if let Some(b) = batcher {
            let answer = b.ask(request(repo, Vec::new(), extras)).await;
            fetched.deploy_keys = answer.deploy_keys;
            fetched.vulnerability_alerts = answer.vulnerability_alerts;
        }
        return fetched;
    };
    let shas = std::mem::take(&mut files.shas);
    let mut wave = local_gha::wanted_files(&files.paths);
    // Local actions that steps call (`uses: ./path`) wherever they live, wave after wave
    // (bounded), as the local provider reads them.
    for _ in 0..4 {
        if wave.is_empty() {
            break;
        }
        let (keys, alerts) = fetch_wave(client, batcher, repo, &shas, &wave, files, extras).await;
        if extras.deploy_keys || extras.vulnerability_alerts {
            fetched.deploy_keys = keys;
            fetched.vulnerability_alerts = alerts;
            extras = Extras::default();
        }
        let mut next = Vec::new();
        for rel in &wave {
            let Some(text) = files.texts.get(rel) else {
                continue;
            };
            let kind = if rel.starts_with(".github/workflows/") {
                crate::facts::FileKind::Workflow
            } else if rel.ends_with("action.yml") || rel.ends_with("action.yaml") {
                crate::facts::FileKind::Action
            } else {
                continue;
            };
            let Ok(wf) = local_gha::workflow::parse(rel, text, kind) else {
                continue;
            };
            for (uses, _) in local_gha::local_uses(&wf) {
                let dir = uses.trim_start_matches("./").trim_end_matches('/');
                for name in ["action.yml", "action.yaml"] {
                    let p = if dir.is_empty() {
                        name.to_string()
                    } else {
                        format!("{dir}/{name}")
                    };
                    if shas.contains_key(&p) && !files.texts.contains_key(&p) && !next.contains(&p)
                    {
                        next.push(p);
                    }
                }
            }
        }
        wave = next;
    }
    if let (Some(b), true) = (batcher, extras.deploy_keys || extras.vulnerability_alerts) {
        // No pipeline file at all: the settings are still asked for.
        let answer = b.ask(request(repo, Vec::new(), extras)).await;
        fetched.deploy_keys = answer.deploy_keys;
        fetched.vulnerability_alerts = answer.vulnerability_alerts;
    }
    fetched
}

fn request(repo: &str, blobs: Vec<String>, extras: Extras) -> Request {
    Request {
        repo: repo.to_string(),
        blobs,
        bytes: 0,
        deploy_keys: extras.deploy_keys,
        vulnerability_alerts: extras.vulnerability_alerts,
    }
}

/// The recursive tree listing: every file path and the object id and size of each.
async fn list(client: &Client, repo: &str, branch: &str) -> Result<Files, String> {
    let path = format!(
        "/repos/{repo}/git/trees/{}?recursive=1",
        super::settings::encode(branch)
    );
    let tree = match client.get_json::<RawTree>(&path).await {
        Ok(Ok(t)) => t,
        // An empty repository has no tree.
        Ok(Err(r)) if r.status == 409 => return Ok(Files::default()),
        Ok(Err(r)) => {
            return Err(format!(
                "listing the files of `{branch}` failed: GitHub answered {} \"{}\" (needs Contents: read)",
                r.status,
                r.message()
            ));
        }
        Err(e) => return Err(format!("listing the files of `{branch}` failed: {e}")),
    };
    let mut files = Files::default();
    for e in tree.tree {
        if e.kind == "blob" {
            files
                .shas
                .insert(e.path.clone(), (e.sha, e.size.unwrap_or(0)));
            files.paths.push(e.path);
        }
    }
    if tree.truncated {
        files.problems.push((
            String::new(),
            "GitHub truncated the file listing (over 100,000 entries); pipeline files may be missing"
                .into(),
        ));
    }
    Ok(files)
}

/// Reads the blobs of `wave`: from the cache by object id, then one batched GraphQL request
/// (with `extras`), then REST for what is left. Returns what GraphQL said of the extras.
async fn fetch_wave(
    client: &Client,
    batcher: Option<&Batcher>,
    repo: &str,
    shas: &BTreeMap<String, (String, u64)>,
    wave: &[String],
    files: &mut Files,
    extras: Extras,
) -> (Option<Vec<DeployKey>>, Option<bool>) {
    let mut wanted: Vec<(String, String, u64)> = Vec::new();
    for rel in wave {
        let Some((sha, size)) = shas.get(rel) else {
            continue;
        };
        if *size > local_gha::MAX_FILE_BYTES {
            files.problems.push((
                rel.clone(),
                format!(
                    "{size} bytes, over the {} byte limit",
                    local_gha::MAX_FILE_BYTES
                ),
            ));
            continue;
        }
        match client.immutable_get(sha) {
            Some(text) => {
                files.texts.insert(rel.clone(), text);
            }
            None => wanted.push((rel.clone(), sha.clone(), *size)),
        }
    }
    let mut answer = super::graphql::Answer::default();
    if let Some(b) = batcher {
        // Large blobs go through REST on their own.
        let mut small: Vec<(&str, u64)> = wanted
            .iter()
            .filter(|(_, _, size)| *size <= super::graphql::MAX_BLOB_BYTES)
            .map(|(_, sha, size)| (sha.as_str(), *size))
            .collect();
        small.sort_unstable();
        small.dedup();
        if !small.is_empty() || extras.deploy_keys || extras.vulnerability_alerts {
            let mut req = request(
                repo,
                small.iter().map(|(s, _)| s.to_string()).collect(),
                extras,
            );
            req.bytes = small.iter().map(|(_, n)| n).sum();
            answer = b.ask(req).await;
        }
    }
    for (rel, sha, _) in wanted {
        let got = match answer.blobs.get(&sha) {
            Some(r) => r.clone(),
            None => blob(client, repo, &sha).await,
        };
        match got {
            Ok(text) => {
                client.immutable_put(&sha, &text);
                files.texts.insert(rel, text);
            }
            Err(why) => files.problems.push((rel, why)),
        }
    }
    (answer.deploy_keys, answer.vulnerability_alerts)
}

async fn blob(client: &Client, repo: &str, sha: &str) -> Result<String, String> {
    let path = format!("/repos/{repo}/git/blobs/{sha}");
    match client.get_json::<RawBlob>(&path).await {
        Ok(Ok(b)) => decode(&b.content, &b.encoding),
        Ok(Err(r)) => Err(format!("GitHub answered {} \"{}\"", r.status, r.message())),
        Err(e @ ClientError::BadBody { .. }) | Err(e) => Err(e.to_string()),
    }
}

fn decode(content: &str, encoding: &str) -> Result<String, String> {
    let bytes = match encoding {
        "base64" => base64_decode(content).ok_or("invalid base64 content")?,
        "utf-8" | "" => content.as_bytes().to_vec(),
        other => return Err(format!("unknown blob encoding `{other}`")),
    };
    String::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".to_string())
}

/// Decodes standard base64, ignoring line breaks (GitHub wraps blob content at 60 columns).
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_with_line_breaks() {
        assert_eq!(
            base64_decode("Q29udGVudCBvZiB0aGUg\nYmxvYg==").unwrap(),
            b"Content of the blob"
        );
        assert_eq!(base64_decode("!!"), None);
        assert_eq!(decode("aGk=", "base64").unwrap(), "hi");
    }
}
