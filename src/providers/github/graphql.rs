//! Batched GraphQL reads: what would cost one REST request per file or per repository is
//! asked for many repositories in one GraphQL query.
//!
//! Repository tasks hand a [`Request`] to the [`Batcher`] — the Git blobs of their pipeline
//! files (by object id, from the REST tree listing), and for repositories the token
//! administers, the deploy keys and whether Dependabot alerts are on. The batcher waits a
//! moment for other repositories to join (up to [`MAX_REPOS`] repositories, [`MAX_BLOBS`]
//! blobs or [`MAX_BYTES`] of text), sends one query, and answers every task.
//!
//! GraphQL is an optimisation, never a source of a pass: whatever it does not answer plainly
//! (no token, an error for a field, a repository it cannot see, a truncated or binary blob,
//! more deploy keys than one page) comes back as `None`, and the caller asks the REST
//! endpoint, which reports missing permissions as `unknown` as usual. Every query is built
//! from variables, never by pasting names into the query text.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

use super::client::Client;
use crate::facts::github::DeployKey;

/// Repositories per query at most.
pub const MAX_REPOS: usize = 20;
/// Blobs per query at most (GitHub limits the size of an answer, not only its nodes).
pub const MAX_BLOBS: usize = 60;
/// Bytes of blob text per query at most; a larger answer risks GitHub's time limit.
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;
/// Blobs larger than this are read through REST, one by one.
pub const MAX_BLOB_BYTES: u64 = 1024 * 1024;
/// How long the first request of a batch waits for others. Repositories reach this step
/// tens of milliseconds apart (their REST requests share the concurrency bound), so the
/// window is long enough to gather several; a waiting task holds no request slot.
const WINDOW: Duration = Duration::from_millis(250);
/// Deploy keys read in one page; more fall back to REST, which paginates.
const KEYS_PAGE: usize = 100;

/// What one repository wants.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `OWNER/REPO`.
    pub repo: String,
    /// Git object ids of the blobs to read.
    pub blobs: Vec<String>,
    /// Their total size in bytes (from the tree listing).
    pub bytes: u64,
    /// Read the deploy keys.
    pub deploy_keys: bool,
    /// Read whether Dependabot alerts are enabled.
    pub vulnerability_alerts: bool,
}

/// What GraphQL answered for one repository; `None` means "ask REST".
#[derive(Debug, Clone, Default)]
pub struct Answer {
    /// Blob texts by object id (`Err`: a reason the blob cannot be used as text).
    pub blobs: HashMap<String, Result<String, String>>,
    /// The deploy keys, when read completely.
    pub deploy_keys: Option<Vec<DeployKey>>,
    /// Whether Dependabot alerts are enabled.
    pub vulnerability_alerts: Option<bool>,
}

type Job = (Request, oneshot::Sender<Answer>);

/// Collects requests from concurrent repository tasks into batched queries.
#[derive(Debug, Clone)]
pub struct Batcher {
    tx: mpsc::UnboundedSender<Job>,
}

impl Batcher {
    /// Starts the batching task on the current Tokio runtime for a run over `targets`
    /// repositories (with one, there is nobody to wait for).
    pub fn start(client: Arc<Client>, targets: usize) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let window = if targets > 1 { WINDOW } else { Duration::ZERO };
        tokio::spawn(run(client, rx, window));
        Self { tx }
    }

    /// Asks for `req`; an empty answer when the batcher is gone.
    pub async fn ask(&self, req: Request) -> Answer {
        if req.blobs.is_empty() && !req.deploy_keys && !req.vulnerability_alerts {
            return Answer::default();
        }
        let (tx, rx) = oneshot::channel();
        if self.tx.send((req, tx)).is_err() {
            return Answer::default();
        }
        rx.await.unwrap_or_default()
    }
}

async fn run(client: Arc<Client>, mut rx: mpsc::UnboundedReceiver<Job>, window: Duration) {
    let mut carried: Option<Job> = None;
    loop {
        let first = match carried.take() {
            Some(job) => job,
            None => match rx.recv().await {
                Some(job) => job,
                None => return,
            },
        };
        let mut blobs = first.0.blobs.len();
        let mut bytes = first.0.bytes;
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + window;
        while batch.len() < MAX_REPOS && blobs < MAX_BLOBS && bytes < MAX_BYTES {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(job)) => {
                    if blobs + job.0.blobs.len() > MAX_BLOBS || bytes + job.0.bytes > MAX_BYTES {
                        carried = Some(job);
                        break;
                    }
                    blobs += job.0.blobs.len();
                    bytes += job.0.bytes;
                    batch.push(job);
                }
                Ok(None) | Err(_) => break,
            }
        }
        let client = client.clone();
        tokio::spawn(async move {
            let requests: Vec<&Request> = batch.iter().map(|(r, _)| r).collect();
            let answers = query(&client, &requests).await;
            for ((_, tx), answer) in batch.into_iter().zip(answers) {
                let _ = tx.send(answer);
            }
        });
    }
}

/// The query text and variables for `requests` (repository `i` is `r{i}`, its blob `j` is
/// `b{j}`). One field per line.
pub fn build(requests: &[&Request]) -> (String, Value) {
    let mut params = Vec::new();
    let mut body = String::new();
    let mut vars = serde_json::Map::new();
    for (i, r) in requests.iter().enumerate() {
        let (owner, name) = r.repo.split_once('/').unwrap_or((&r.repo, ""));
        params.push(format!("$o{i}: String!, $n{i}: String!"));
        vars.insert(format!("o{i}"), json!(owner));
        vars.insert(format!("n{i}"), json!(name));
        body.push_str(&format!(
            "  r{i}: repository(owner: $o{i}, name: $n{i}) {{\n"
        ));
        for (j, oid) in r.blobs.iter().enumerate() {
            params.push(format!("$r{i}b{j}: GitObjectID!"));
            vars.insert(format!("r{i}b{j}"), json!(oid));
            body.push_str(&format!("    b{j}: object(oid: $r{i}b{j}) {{ ...text }}\n"));
        }
        if r.deploy_keys {
            body.push_str(&format!(
                "    deployKeys(first: {KEYS_PAGE}) {{ totalCount nodes {{ title readOnly }} }}\n"
            ));
        }
        if r.vulnerability_alerts {
            body.push_str("    hasVulnerabilityAlertsEnabled\n");
        }
        body.push_str("  }\n");
    }
    let text = format!(
        "query soc2Batch({}) {{\n{body}}}\nfragment text on GitObject {{\n  ... on Blob {{ text isBinary isTruncated }}\n}}\n",
        params.join(", ")
    );
    (text, Value::Object(vars))
}

async fn query(client: &Client, requests: &[&Request]) -> Vec<Answer> {
    let empty = || vec![Answer::default(); requests.len()];
    let (text, vars) = build(requests);
    let reply = match client.graphql(&text, vars).await {
        Ok(r) if r.status == 200 => r,
        _ => return empty(),
    };
    let Ok(v) = serde_json::from_str::<Value>(&reply.body) else {
        return empty();
    };
    read(requests, &v)
}

/// The answers in a GraphQL response `v` to the query [`build`] made for `requests`.
pub fn read(requests: &[&Request], v: &Value) -> Vec<Answer> {
    // Fields GitHub reported an error for (`path` of each error): never read as values.
    let mut failed: Vec<String> = Vec::new();
    if let Some(errors) = v["errors"].as_array() {
        for e in errors {
            if let Some(path) = e["path"].as_array() {
                let p: Vec<String> = path
                    .iter()
                    .map(|s| match s {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                failed.push(p.join("."));
            } else {
                // An error without a path concerns the whole query.
                return vec![Answer::default(); requests.len()];
            }
        }
    }
    let is_failed = |path: &str| {
        failed
            .iter()
            .any(|f| f == path || f.starts_with(&format!("{path}.")))
    };
    requests
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut answer = Answer::default();
            let repo = &v["data"][format!("r{i}")];
            if !repo.is_object() || failed.iter().any(|f| *f == format!("r{i}")) {
                return answer;
            }
            for (j, oid) in r.blobs.iter().enumerate() {
                let path = format!("r{i}.b{j}");
                let blob = &repo[format!("b{j}")];
                if is_failed(&path) || !blob.is_object() {
                    continue;
                }
                if blob["isBinary"].as_bool() == Some(true) {
                    answer
                        .blobs
                        .insert(oid.clone(), Err("the file is not UTF-8 text".into()));
                } else if blob["isTruncated"].as_bool() == Some(false)
                    && let Some(t) = blob["text"].as_str()
                {
                    answer.blobs.insert(oid.clone(), Ok(t.to_string()));
                }
            }
            if r.deploy_keys && !is_failed(&format!("r{i}.deployKeys")) {
                let keys = &repo["deployKeys"];
                if let (Some(total), Some(nodes)) =
                    (keys["totalCount"].as_u64(), keys["nodes"].as_array())
                    && total as usize == nodes.len()
                {
                    answer.deploy_keys = nodes
                        .iter()
                        .map(|k| {
                            Some(DeployKey {
                                title: k["title"].as_str()?.to_string(),
                                read_only: k["readOnly"].as_bool()?,
                            })
                        })
                        .collect();
                }
            }
            if r.vulnerability_alerts && !is_failed(&format!("r{i}.hasVulnerabilityAlertsEnabled"))
            {
                answer.vulnerability_alerts = repo["hasVulnerabilityAlertsEnabled"].as_bool();
            }
            answer
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(repo: &str, blobs: &[&str], keys: bool) -> Request {
        Request {
            repo: repo.into(),
            blobs: blobs.iter().map(|s| s.to_string()).collect(),
            bytes: 0,
            deploy_keys: keys,
            vulnerability_alerts: keys,
        }
    }

    #[test]
    fn names_travel_as_variables() {
        let a = req("acme/x\") { evil }", &["abc"], true);
        let (text, vars) = build(&[&a]);
        assert!(!text.contains("evil"), "{text}");
        assert_eq!(vars["n0"], "x\") { evil }");
        assert_eq!(vars["r0b0"], "abc");
        assert!(text.contains("r0: repository(owner: $o0, name: $n0)"));
        assert!(text.contains("deployKeys(first: 100)"));
    }

    #[test]
    fn answers_are_read_and_errors_fall_back() {
        let a = req("acme/a", &["1", "2", "3"], true);
        let b = req("acme/b", &["4"], true);
        let v = json!({
            "data": {
                "r0": {
                    "b0": {"text": "on: push\n", "isBinary": false, "isTruncated": false},
                    "b1": {"text": null, "isBinary": true, "isTruncated": false},
                    "b2": {"text": "cut", "isBinary": false, "isTruncated": true},
                    "deployKeys": {"totalCount": 1, "nodes": [{"title": "ci", "readOnly": false}]},
                    "hasVulnerabilityAlertsEnabled": true
                },
                "r1": {
                    "b0": null,
                    "deployKeys": null,
                    "hasVulnerabilityAlertsEnabled": null
                }
            },
            "errors": [{"path": ["r1", "deployKeys"], "type": "FORBIDDEN", "message": "Resource not accessible by integration"}]
        });
        let answers = read(&[&a, &b], &v);
        assert_eq!(answers[0].blobs["1"].as_deref(), Ok("on: push\n"));
        assert!(answers[0].blobs["2"].is_err());
        assert!(!answers[0].blobs.contains_key("3"), "truncated: ask REST");
        assert_eq!(
            answers[0].deploy_keys.as_deref(),
            Some(
                &[DeployKey {
                    title: "ci".into(),
                    read_only: false
                }][..]
            )
        );
        assert_eq!(answers[0].vulnerability_alerts, Some(true));
        assert!(answers[1].blobs.is_empty());
        assert_eq!(answers[1].deploy_keys, None);
        assert_eq!(answers[1].vulnerability_alerts, None);
    }

    #[test]
    fn an_error_without_a_path_voids_the_whole_answer() {
        let a = req("acme/a", &["1"], true);
        let v = json!({
            "data": {"r0": {"b0": {"text": "x", "isBinary": false, "isTruncated": false}}},
            "errors": [{"message": "Something went wrong"}]
        });
        assert!(read(&[&a], &v)[0].blobs.is_empty());
    }

    #[test]
    fn a_partial_key_page_is_not_a_complete_list() {
        let a = req("acme/a", &[], true);
        let v = json!({"data": {"r0": {
            "deployKeys": {"totalCount": 150, "nodes": [{"title": "ci", "readOnly": true}]},
            "hasVulnerabilityAlertsEnabled": false
        }}});
        let answers = read(&[&a], &v);
        assert_eq!(answers[0].deploy_keys, None);
        assert_eq!(answers[0].vulnerability_alerts, Some(false));
    }
}
