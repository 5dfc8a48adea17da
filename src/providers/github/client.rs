//! The GitHub REST client: octocrab's transport with a configurable base URI, plus what an
//! org-wide scan needs on top of it.
//!
//! - **Bounded concurrency**: a semaphore admits at most `concurrency` requests at once.
//! - **Retries**: 5xx answers, timeouts and transport errors are retried with exponential
//!   backoff and jitter, a bounded number of times.
//! - **Rate limits**: 429 and 403 rate-limit answers (primary and secondary) are honoured —
//!   `Retry-After`, else `X-RateLimit-Reset` when `X-RateLimit-Remaining` is 0, else a minute —
//!   with a visible message; every request pauses while one is waiting. A wait longer than
//!   what is left of `max_wait` is not taken: the request fails with
//!   [`ClientError::RateLimited`] and the evidence becomes `unknown`.
//! - **Conditional requests**: answers are stored in the on-disk [`Cache`] with their `ETag`
//!   and revalidated with `If-None-Match`; a `304` reuses the stored body.
//! - **Pagination**: [`Client::get_all`] follows `Link: rel="next"` for list endpoints.
//!
//! octocrab's raw `_get_with_headers` is used (not its typed `get`) so that status codes,
//! headers and 404 bodies stay visible. The token is handed to octocrab as a secret and is
//! never formatted into a message.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::HeaderMap;
use http::header::{HeaderName, HeaderValue};
use http_body_util::BodyExt;
use tokio::sync::{Mutex, Semaphore};

use crate::providers::cache::{Cache, Entry};

pub use crate::providers::remote::{ClientConfig, Token};

/// Why a request gave no usable answer.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ClientError {
    /// Rate limited for longer than `--max-wait` allows.
    #[error(
        "GitHub rate limit: {path} could be retried in {wait_secs} s, beyond --max-wait ({max_wait_secs} s)"
    )]
    RateLimited {
        /// The request path.
        path: String,
        /// How long GitHub asked to wait.
        wait_secs: u64,
        /// The cap.
        max_wait_secs: u64,
    },
    /// 401: the token is invalid or expired, or one is needed.
    #[error("{}", if *authenticated {
        format!("GitHub rejected the token (401 Bad credentials) for {path}")
    } else {
        format!("GitHub requires authentication (401) for {path}: set GITHUB_TOKEN or GH_TOKEN")
    })]
    Unauthorized {
        /// The request path.
        path: String,
        /// Whether a token was sent.
        authenticated: bool,
    },
    /// 5xx, timeouts or transport errors after every retry.
    #[error("{path}: {message} (after {attempts} attempts)")]
    Unavailable {
        /// The request path.
        path: String,
        /// The last problem.
        message: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The answer's body is not the JSON expected.
    #[error("{path}: the answer is not valid JSON of the expected shape: {message}")]
    BadBody {
        /// The request path.
        path: String,
        /// The parser's message.
        message: String,
    },
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status (a 304 is reported with the cached status).
    pub status: u16,
    /// The body.
    pub body: String,
    /// The `Link` header.
    pub link: Option<String>,
    /// Whether it came from a `304 Not Modified` revalidation.
    pub revalidated: bool,
}

impl Reply {
    /// The `message` of a JSON error body (`Branch not protected`, `Not Found`).
    pub fn message(&self) -> String {
        serde_json::from_str::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| {
                v.get("message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_default()
    }
}

/// Counters of one run, for the report and the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    /// HTTP requests sent (including retries).
    pub requests: AtomicU64,
    /// `304 Not Modified` answers.
    pub not_modified: AtomicU64,
    /// Retries after 5xx, timeouts and transport errors.
    pub retries: AtomicU64,
    /// GraphQL queries sent (counted in `requests` too).
    pub graphql: AtomicU64,
    /// Git objects read from the cache without any request.
    pub immutable_hits: AtomicU64,
}

/// A snapshot of [`Stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct StatsSnapshot {
    /// HTTP requests sent.
    pub requests: u64,
    /// `304` answers.
    pub not_modified: u64,
    /// Retries.
    pub retries: u64,
    /// Rate-limit waits.
    pub rate_limit_waits: u64,
    /// GraphQL queries (included in `requests`).
    pub graphql: u64,
    /// Git objects read from the cache without a request.
    pub immutable_hits: u64,
}

pub use crate::providers::remote::Notify;
use crate::providers::remote::{OverBudget, Pacer, describe, header, jitter};

/// The client. Cheap to share behind an `Arc`.
pub struct Client {
    octo: octocrab::Octocrab,
    /// The GraphQL transport (its base is the GraphQL root), when there is a token.
    gql: Option<octocrab::Octocrab>,
    cfg: ClientConfig,
    sem: Semaphore,
    cache: Cache,
    /// Rate-limit pauses and the run's wait budget.
    pacer: Pacer,
    stats: Stats,
    /// Answers that are the same for every repository of the run, asked once.
    shared: Mutex<std::collections::HashMap<String, Arc<tokio::sync::OnceCell<SharedReply>>>>,
}

type SharedReply = Result<Reply, ClientError>;

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.cfg.base_url)
            .field("authenticated", &self.cfg.token.is_some())
            .finish_non_exhaustive()
    }
}

/// Building the client failed (an invalid base URL).
#[derive(Debug, thiserror::Error)]
#[error("cannot use `{url}` as the GitHub API URL: {message}")]
pub struct BuildError {
    /// The URL.
    pub url: String,
    /// What is wrong.
    pub message: String,
}

impl Client {
    /// A client; must be called inside a Tokio runtime.
    pub fn new(cfg: ClientConfig, notify: Notify) -> Result<Self, BuildError> {
        let err = |message: String| BuildError {
            url: cfg.base_url.clone(),
            message,
        };
        let base = cfg.base_url.trim_end_matches('/').to_string();
        let mut builder = octocrab::OctocrabBuilder::new()
            .base_uri(base.as_str())
            .map_err(|e| err(e.to_string()))?
            .set_connect_timeout(Some(cfg.timeout))
            .set_read_timeout(Some(cfg.timeout))
            .add_header(
                HeaderName::from_static("x-github-api-version"),
                "2022-11-28".to_string(),
            );
        if let Some(token) = &cfg.token {
            builder = builder.personal_token(token.expose().to_string());
        }
        let octo = builder.build().map_err(|e| err(e.to_string()))?;
        let gql = match &cfg.token {
            Some(token) => Some(
                octocrab::OctocrabBuilder::new()
                    .base_uri(graphql_root(&base).as_str())
                    .map_err(|e| err(e.to_string()))?
                    .set_connect_timeout(Some(cfg.timeout))
                    .set_read_timeout(Some(cfg.timeout))
                    .personal_token(token.expose().to_string())
                    .build()
                    .map_err(|e| err(e.to_string()))?,
            ),
            None => None,
        };
        Ok(Self {
            octo,
            gql,
            sem: Semaphore::new(cfg.concurrency.max(1)),
            cache: Cache::new(
                cfg.cache_dir.clone(),
                &base,
                cfg.token.as_ref().map(Token::expose),
            ),
            cfg: ClientConfig {
                base_url: base,
                ..cfg
            },
            pacer: Pacer::new("GitHub", cfg.max_wait, notify),
            stats: Stats::default(),
            shared: Mutex::new(std::collections::HashMap::new()),
        })
    }

    /// The API base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.cfg.base_url
    }

    /// Whether requests carry a token.
    pub fn authenticated(&self) -> bool {
        self.cfg.token.is_some()
    }

    /// The counters so far.
    pub fn stats(&self) -> StatsSnapshot {
        StatsSnapshot {
            requests: self.stats.requests.load(Ordering::Relaxed),
            not_modified: self.stats.not_modified.load(Ordering::Relaxed),
            retries: self.stats.retries.load(Ordering::Relaxed),
            rate_limit_waits: self.pacer.waits(),
            graphql: self.stats.graphql.load(Ordering::Relaxed),
            immutable_hits: self.stats.immutable_hits.load(Ordering::Relaxed),
        }
    }

    /// The full URL of a path, for facts.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.cfg.base_url, path)
    }

    /// The full URL of the GraphQL endpoint, for facts.
    pub fn graphql_url(&self) -> String {
        format!("{}{GRAPHQL_PATH}", graphql_root(&self.cfg.base_url))
    }

    /// GETs `path` (with its query). Any status is returned except 401, rate limits beyond
    /// the cap, and 5xx or transport failures after every retry.
    pub async fn get(&self, path: &str) -> Result<Reply, ClientError> {
        self.request(path, None).await
    }

    /// POSTs a GraphQL query with its variables to the GraphQL endpoint (`/graphql` on
    /// github.com, `/api/graphql` on GitHub Enterprise Server), with the same concurrency,
    /// retries and rate-limit handling as REST requests. GraphQL answers are not cached: the
    /// caller caches what is immutable. `Err` without a token (GraphQL requires one).
    pub async fn graphql(
        &self,
        query: &str,
        variables: serde_json::Value,
    ) -> Result<Reply, ClientError> {
        if self.gql.is_none() {
            return Err(ClientError::Unauthorized {
                path: GRAPHQL_PATH.to_string(),
                authenticated: false,
            });
        }
        let body = serde_json::json!({ "query": query, "variables": variables }).to_string();
        self.request(GRAPHQL_PATH, Some(body)).await
    }

    /// GETs `path` once per run for `key`: an answer that is the same whichever repository
    /// asks (an organization's ruleset read through one of its repositories). Concurrent
    /// callers wait for the first request.
    pub async fn get_shared(&self, key: &str, path: &str) -> Result<Reply, ClientError> {
        let cell = self
            .shared
            .lock()
            .await
            .entry(key.to_string())
            .or_default()
            .clone();
        cell.get_or_init(|| self.get(path)).await.clone()
    }

    /// The text stored under an immutable key (a Git object id), if any.
    pub fn immutable_get(&self, key: &str) -> Option<String> {
        self.cache
            .get(&format!("immutable:{key}"))
            .map(|e| e.body)
            .inspect(|_| {
                self.stats.immutable_hits.fetch_add(1, Ordering::Relaxed);
            })
    }

    /// Stores the text of an immutable key (a Git object id).
    pub fn immutable_put(&self, key: &str, text: &str) {
        self.cache.put(
            &format!("immutable:{key}"),
            &Entry {
                etag: String::new(),
                status: 200,
                link: None,
                body: text.to_string(),
            },
        );
    }

    async fn request(&self, path: &str, post: Option<String>) -> Result<Reply, ClientError> {
        let cached = if post.is_none() {
            self.cache.get(path)
        } else {
            None
        };
        let mut attempt = 0u32;
        let mut last_problem;
        loop {
            self.pacer
                .ready()
                .await
                .map_err(|o| rate_limited(path, o))?;
            let mut headers = HeaderMap::new();
            headers.insert(
                http::header::ACCEPT,
                HeaderValue::from_static("application/vnd.github+json"),
            );
            if let Some(c) = &cached
                && let Ok(v) = HeaderValue::from_str(&c.etag)
            {
                headers.insert(http::header::IF_NONE_MATCH, v);
            }
            let result = {
                let _permit = self
                    .sem
                    .acquire()
                    .await
                    .map_err(|e| ClientError::Unavailable {
                        path: path.to_string(),
                        message: e.to_string(),
                        attempts: attempt,
                    })?;
                self.stats.requests.fetch_add(1, Ordering::Relaxed);
                if post.is_some() {
                    self.stats.graphql.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::timeout(self.cfg.timeout, self.send(path, headers, post.as_deref()))
                    .await
            };
            attempt += 1;
            match result {
                Err(_) => last_problem = "timed out".to_string(),
                Ok(Err(message)) => last_problem = message,
                Ok(Ok((status, head, body))) => {
                    if status == 304
                        && let Some(c) = &cached
                    {
                        self.stats.not_modified.fetch_add(1, Ordering::Relaxed);
                        return Ok(Reply {
                            status: c.status,
                            body: c.body.clone(),
                            link: c.link.clone(),
                            revalidated: true,
                        });
                    }
                    // GraphQL reports its primary rate limit in a 200 answer.
                    let status = if post.is_some() && status == 200 && graphql_rate_limited(&body) {
                        429
                    } else {
                        status
                    };
                    if let Some(wait) = rate_limit_wait(status, &head, &body) {
                        self.pacer
                            .pause(wait)
                            .await
                            .map_err(|o| rate_limited(path, o))?;
                        continue;
                    }
                    if status == 401 {
                        return Err(ClientError::Unauthorized {
                            path: path.to_string(),
                            authenticated: self.cfg.token.is_some(),
                        });
                    }
                    if status >= 500 {
                        last_problem = format!("server error {status}");
                    } else {
                        let link = header(&head, "link");
                        if status == 200
                            && post.is_none()
                            && let Some(etag) = header(&head, "etag")
                        {
                            self.cache.put(
                                path,
                                &Entry {
                                    etag,
                                    status,
                                    link: link.clone(),
                                    body: body.clone(),
                                },
                            );
                        }
                        return Ok(Reply {
                            status,
                            body,
                            link,
                            revalidated: false,
                        });
                    }
                }
            }
            if std::env::var_os("SOC2_DEBUG_HTTP").is_some() {
                eprintln!("soc2: {path}: {last_problem} (attempt {attempt})");
            }
            if attempt > self.cfg.retries {
                return Err(ClientError::Unavailable {
                    path: path.to_string(),
                    message: last_problem,
                    attempts: attempt,
                });
            }
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            let backoff = self.cfg.backoff * 2u32.saturating_pow(attempt - 1);
            tokio::time::sleep(backoff + jitter(backoff)).await;
        }
    }

    /// GETs a JSON body of type `T`; a status other than 200 is returned as `Err(reply)`.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Result<T, Reply>, ClientError> {
        let reply = self.get(path).await?;
        if reply.status != 200 {
            return Ok(Err(reply));
        }
        serde_json::from_str(&reply.body)
            .map(Ok)
            .map_err(|e| ClientError::BadBody {
                path: path.to_string(),
                message: e.to_string(),
            })
    }

    /// GETs every page of a list endpoint (`per_page=100`, following `Link: rel="next"`),
    /// at most `max_pages` pages. `extract` takes the items out of a page (the page itself for
    /// plain arrays, a field for wrapped lists). A non-200 first page is `Err(reply)`.
    pub async fn get_all<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        field: Option<&str>,
        max_pages: usize,
    ) -> Result<Result<Vec<T>, Reply>, ClientError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{path}{sep}per_page=100"));
        let mut out = Vec::new();
        let mut pages = 0;
        while let Some(p) = next.take() {
            let reply = self.get(&p).await?;
            if reply.status != 200 {
                if pages == 0 {
                    return Ok(Err(reply));
                }
                return Err(ClientError::Unavailable {
                    path: p,
                    message: format!("page answered {}", reply.status),
                    attempts: 1,
                });
            }
            let bad = |e: serde_json::Error| ClientError::BadBody {
                path: p.clone(),
                message: e.to_string(),
            };
            let items: Vec<T> = match field {
                None => serde_json::from_str(&reply.body).map_err(bad)?,
                Some(f) => {
                    let mut v: serde_json::Value =
                        serde_json::from_str(&reply.body).map_err(bad)?;
                    serde_json::from_value(
                        v.get_mut(f)
                            .map(serde_json::Value::take)
                            .unwrap_or(serde_json::Value::Array(Vec::new())),
                    )
                    .map_err(bad)?
                }
            };
            out.extend(items);
            pages += 1;
            if pages >= max_pages {
                break;
            }
            next = reply
                .link
                .as_deref()
                .and_then(next_link)
                .map(|u| self.relative(&u));
        }
        Ok(Ok(out))
    }

    /// A `Link` URL made relative to the base, so the token is attached and the cache key is
    /// the same whatever host name the server used.
    fn relative(&self, url: &str) -> String {
        if let Some(rest) = url.strip_prefix(&self.cfg.base_url) {
            return rest.to_string();
        }
        match url.parse::<http::Uri>() {
            Ok(u) => u
                .path_and_query()
                .map_or_else(|| "/".to_string(), |pq| pq.as_str().to_string()),
            Err(_) => url.to_string(),
        }
    }

    async fn send(
        &self,
        path: &str,
        headers: HeaderMap,
        post: Option<&str>,
    ) -> Result<(u16, HeaderMap, String), String> {
        let resp = match (post, &self.gql) {
            (Some(body), Some(gql)) => {
                let body: serde_json::Value =
                    serde_json::from_str(body).map_err(|e| e.to_string())?;
                gql._post(path, Some(&body)).await
            }
            _ => self.octo._get_with_headers(path, Some(headers)).await,
        }
        .map_err(|e| describe(&e))?;
        let status = resp.status().as_u16();
        let head = resp.headers().clone();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reading the answer failed: {}", describe(&e)))?
            .to_bytes();
        Ok((status, head, String::from_utf8_lossy(&bytes).into_owned()))
    }
}

fn rate_limited(path: &str, o: OverBudget) -> ClientError {
    ClientError::RateLimited {
        path: path.to_string(),
        wait_secs: o.wait_secs,
        max_wait_secs: o.max_wait_secs,
    }
}

/// The path of the GraphQL endpoint under [`graphql_root`].
const GRAPHQL_PATH: &str = "/graphql";

/// The root under which GraphQL lives: the API root on github.com (`/graphql`), and `/api`
/// on GitHub Enterprise Server, whose REST API is under `/api/v3` and GraphQL at
/// `/api/graphql`.
pub fn graphql_root(base: &str) -> String {
    let base = base.trim_end_matches('/');
    base.strip_suffix("/v3").unwrap_or(base).to_string()
}

/// Whether a GraphQL answer reports the primary rate limit (`"type": "RATE_LIMITED"`).
fn graphql_rate_limited(body: &str) -> bool {
    body.contains("RATE_LIMITED")
        && serde_json::from_str::<serde_json::Value>(body).is_ok_and(|v| {
            v["errors"].as_array().is_some_and(|errors| {
                errors
                    .iter()
                    .any(|e| e["type"].as_str() == Some("RATE_LIMITED"))
            })
        })
}

/// How long to wait before retrying a rate-limited answer, or `None` when it is not one.
/// GitHub's rules: `Retry-After` when present; else, when `X-RateLimit-Remaining` is 0, until
/// `X-RateLimit-Reset`; else (a secondary limit without a header) at least a minute.
pub fn rate_limit_wait(status: u16, head: &HeaderMap, body: &str) -> Option<Duration> {
    if status != 429 && status != 403 {
        return None;
    }
    let retry_after = header(head, "retry-after").and_then(|v| v.trim().parse::<u64>().ok());
    let remaining =
        header(head, "x-ratelimit-remaining").and_then(|v| v.trim().parse::<u64>().ok());
    let lower = body.to_ascii_lowercase();
    let says_limit = lower.contains("rate limit");
    if status == 403 && retry_after.is_none() && remaining != Some(0) && !says_limit {
        // A plain permission refusal.
        return None;
    }
    if let Some(secs) = retry_after {
        return Some(Duration::from_secs(secs));
    }
    if remaining == Some(0)
        && let Some(reset) =
            header(head, "x-ratelimit-reset").and_then(|v| v.trim().parse::<u64>().ok())
    {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        return Some(Duration::from_secs(reset.saturating_sub(now).max(1)));
    }
    Some(Duration::from_secs(60))
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_show_in_debug_output() {
        let cfg = ClientConfig::new("http://x", Some("ghp_secret123".into()));
        let shown = format!("{cfg:?}");
        assert!(
            !shown.contains("ghp_secret123") && shown.contains("redacted"),
            "{shown}"
        );
    }

    #[test]
    fn graphql_lives_beside_the_rest_api() {
        assert_eq!(
            graphql_root("https://api.github.com"),
            "https://api.github.com"
        );
        assert_eq!(
            graphql_root("https://ghe.example/api/v3/"),
            "https://ghe.example/api"
        );
    }

    #[test]
    fn graphql_rate_limit_answers_are_recognised() {
        assert!(graphql_rate_limited(
            r#"{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded"}]}"#
        ));
        assert!(!graphql_rate_limited(
            r#"{"data":{"r0":{"b0":{"text":"RATE_LIMITED"}}}}"#
        ));
    }

    #[test]
    fn next_link_is_found() {
        let l = r#"<https://api.github.com/orgs/a/repos?page=2&per_page=100>; rel="next", <https://api.github.com/orgs/a/repos?page=5>; rel="last""#;
        assert_eq!(
            next_link(l).as_deref(),
            Some("https://api.github.com/orgs/a/repos?page=2&per_page=100")
        );
        assert_eq!(next_link(r#"<x>; rel="prev""#), None);
    }

    #[test]
    fn rate_limits_are_told_from_permission_refusals() {
        let mut h = HeaderMap::new();
        assert_eq!(
            rate_limit_wait(
                403,
                &h,
                r#"{"message":"Resource not accessible by integration"}"#
            ),
            None
        );
        assert_eq!(rate_limit_wait(404, &h, ""), None);
        assert_eq!(
            rate_limit_wait(
                403,
                &h,
                r#"{"message":"You have exceeded a secondary rate limit"}"#
            ),
            Some(Duration::from_secs(60))
        );
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(rate_limit_wait(429, &h, ""), Some(Duration::from_secs(7)));
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        let soon = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 30;
        h.insert(
            "x-ratelimit-reset",
            HeaderValue::from_str(&soon.to_string()).unwrap(),
        );
        let w = rate_limit_wait(403, &h, "").unwrap();
        assert!(
            w <= Duration::from_secs(30) && w >= Duration::from_secs(28),
            "{w:?}"
        );
    }
}
