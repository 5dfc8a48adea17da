//! The GitLab REST client: the `gitlab` crate's asynchronous client ([`gitlab::AsyncGitlab`])
//! as the transport, wrapped in a [`gitlab::api::AsyncClient`] of our own that adds what an
//! audit of a whole group needs. The crate's endpoint builders, pagination and error typing
//! run on top of it unchanged.
//!
//! - **Bounded concurrency**: a semaphore admits at most `concurrency` requests at once.
//! - **Retries**: 5xx answers, timeouts and transport errors are retried with exponential
//!   backoff and jitter, a bounded number of times.
//! - **Rate limits**: a 429 answer is honoured — `Retry-After`, else `RateLimit-Reset` — with
//!   a visible message; every request pauses while one is waiting. A wait longer than what is
//!   left of `max_wait` is not taken: the request fails with [`ClientError::RateLimited`] and
//!   the evidence becomes `unknown`. When `RateLimit-Remaining` runs low, requests slow down
//!   before GitLab refuses them.
//! - **Conditional requests**: answers are stored in the on-disk cache with their `ETag` and
//!   revalidated with `If-None-Match`; a `304` reuses the stored body.
//!
//! The token is handed to the crate, which sets the `PRIVATE-TOKEN` header; it is never
//! formatted into a message.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use gitlab::api::{ApiError, AsyncClient, AsyncQuery, RestClient};
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use tokio::sync::{Mutex, Semaphore};
use url::Url;

use crate::providers::cache::{Cache, Entry};
pub use crate::providers::github::client::StatsSnapshot;
pub use crate::providers::remote::Notify;
pub use crate::providers::remote::{ClientConfig, Token};
use crate::providers::remote::{OverBudget, Pacer, describe, header, jitter};

/// Why a request gave no usable answer.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ClientError {
    /// Rate limited for longer than `--max-wait` allows.
    #[error(
        "GitLab rate limit: {path} could be retried in {wait_secs} s, beyond --max-wait ({max_wait_secs} s)"
    )]
    RateLimited {
        /// The request path.
        path: String,
        /// How long GitLab asked to wait.
        wait_secs: u64,
        /// The cap.
        max_wait_secs: u64,
    },
    /// 401: the token is invalid or expired, or one is needed.
    #[error("{}", if *authenticated {
        format!("GitLab rejected the token (401 Unauthorized) for {path}")
    } else {
        format!("GitLab requires authentication (401) for {path}: set GITLAB_TOKEN")
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
    /// The request could not be built.
    #[error("{0}")]
    Request(String),
}

/// What came back for one endpoint.
#[derive(Debug, Clone)]
pub enum Answer<T> {
    /// A 2xx answer, parsed.
    Ok(T),
    /// GitLab answered an error status (403, 404, …) with its message.
    Status {
        /// The HTTP status.
        status: u16,
        /// GitLab's `message` or `error`, when it sent one.
        message: String,
    },
    /// No usable answer: rate limit beyond the cap, retries exhausted, a body of the wrong
    /// shape, or a rejected token.
    Failed(String),
}

/// Counters of one run.
#[derive(Debug, Default)]
struct Stats {
    requests: AtomicU64,
    not_modified: AtomicU64,
    retries: AtomicU64,
}

/// The client. Cheap to share behind an `Arc`.
pub struct Client {
    inner: gitlab::AsyncGitlab,
    cfg: ClientConfig,
    /// `https://host/path` without a trailing slash.
    instance: String,
    sem: Semaphore,
    cache: Cache,
    /// Rate-limit pauses and the run's wait budget.
    pacer: Pacer,
    stats: Stats,
    /// Set once a 401 was seen: the whole run stops asking.
    unauthorized: std::sync::atomic::AtomicBool,
    shared: Mutex<std::collections::HashMap<String, Arc<tokio::sync::OnceCell<Answer<String>>>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("instance", &self.instance)
            .field("authenticated", &self.cfg.token.is_some())
            .finish_non_exhaustive()
    }
}

/// Building the client failed: an invalid URL, an unreachable instance, or a token GitLab
/// rejected when it was checked (`GET /user`).
#[derive(Debug, thiserror::Error)]
#[error("cannot use GitLab at `{url}`: {message}")]
pub struct BuildError {
    /// The URL.
    pub url: String,
    /// What is wrong.
    pub message: String,
}

/// The instance URL from a user's `--gitlab-url` (`https://gitlab.example.com`,
/// `gitlab.example.com/gitlab`, or the API root `…/api/v4`): scheme and a trimmed path.
pub fn instance_url(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    let url = url.strip_suffix("/api/v4").unwrap_or(url);
    if url.contains("://") {
        url.to_string()
    } else {
        format!("https://{url}")
    }
}

impl Client {
    /// A client; checks the token with `GET /user` (the crate does) when there is one. Must
    /// be called inside a Tokio runtime.
    pub async fn new(cfg: ClientConfig, notify: Notify) -> Result<Self, BuildError> {
        let instance = instance_url(&cfg.base_url);
        let err = |message: String| BuildError {
            url: instance.clone(),
            message,
        };
        let (scheme, host) = instance
            .split_once("://")
            .ok_or_else(|| err("not a URL".into()))?;
        let mut builder = match &cfg.token {
            Some(t) => gitlab::GitlabBuilder::new(host, t.expose()),
            None => gitlab::GitlabBuilder::new_unauthenticated(host),
        };
        match scheme {
            "https" => {}
            "http" => {
                builder.insecure();
            }
            other => return Err(err(format!("unsupported scheme `{other}`"))),
        }
        builder.user_agent(concat!("soc2/", env!("CARGO_PKG_VERSION")));
        let inner = tokio::time::timeout(cfg.timeout, builder.build_async())
            .await
            .map_err(|_| err("timed out checking the token (GET /api/v4/user)".into()))?
            .map_err(|e| {
                let text = e.to_string();
                if text.contains("401") {
                    err("GitLab rejected the token (401 Unauthorized on GET /api/v4/user): check GITLAB_TOKEN".into())
                } else {
                    err(format!("checking the token failed: {}", describe(&e)))
                }
            })?;
        Ok(Self {
            inner,
            sem: Semaphore::new(cfg.concurrency.max(1)),
            cache: Cache::new(
                cfg.cache_dir.clone(),
                &instance,
                cfg.token.as_ref().map(Token::expose),
            ),
            pacer: Pacer::new("GitLab", cfg.max_wait, notify),
            cfg,
            instance,
            stats: Stats::default(),
            unauthorized: std::sync::atomic::AtomicBool::new(false),
            shared: Mutex::new(std::collections::HashMap::new()),
        })
    }

    /// The instance URL (`https://gitlab.com`).
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The API root (`https://gitlab.com/api/v4`).
    pub fn api_url(&self) -> String {
        format!("{}/api/v4", self.instance)
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
            graphql: 0,
            immutable_hits: 0,
        }
    }

    /// Runs a query of the crate (an endpoint, `api::raw` or `api::paged`) and sorts its
    /// outcome into an [`Answer`].
    pub async fn query<T, Q>(&self, q: &Q) -> Answer<T>
    where
        Q: AsyncQuery<T, Client> + Sync,
    {
        match q.query_async(self).await {
            Ok(v) => Answer::Ok(v),
            Err(e) => classify(e),
        }
    }

    /// The raw body of an endpoint, once per run for `key` (a group's settings, read for
    /// every project below it).
    pub async fn raw_shared<E>(&self, key: &str, endpoint: E) -> Answer<String>
    where
        E: gitlab::api::Endpoint + Sync,
    {
        let cell = self
            .shared
            .lock()
            .await
            .entry(key.to_string())
            .or_default()
            .clone();
        cell.get_or_init(|| async {
            match self.query::<Vec<u8>, _>(&gitlab::api::raw(endpoint)).await {
                Answer::Ok(b) => Answer::Ok(String::from_utf8_lossy(&b).into_owned()),
                Answer::Status { status, message } => Answer::Status { status, message },
                Answer::Failed(m) => Answer::Failed(m),
            }
        })
        .await
        .clone()
    }

    async fn send_once(
        &self,
        method: &http::Method,
        uri: &http::Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Response<Bytes>, String> {
        let mut req = http::Request::builder()
            .method(method.clone())
            .uri(uri.clone());
        if let Some(h) = req.headers_mut() {
            for (k, v) in headers {
                h.insert(k, v.clone());
            }
        }
        match tokio::time::timeout(self.cfg.timeout, self.inner.rest_async(req, body.to_vec()))
            .await
        {
            Err(_) => Err("timed out".into()),
            Ok(Err(e)) => Err(describe(&e)),
            Ok(Ok(r)) => Ok(r),
        }
    }

    async fn request(
        &self,
        method: http::Method,
        uri: http::Uri,
        mut headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<Response<Bytes>, ClientError> {
        let path = uri
            .path_and_query()
            .map_or_else(|| uri.to_string(), |p| p.as_str().to_string());
        if self.unauthorized.load(Ordering::Relaxed) {
            return Err(ClientError::Unauthorized {
                path,
                authenticated: self.authenticated(),
            });
        }
        // A GET with a body (some of the crate's endpoints send form parameters) is not cached:
        // its path alone does not name the answer.
        let cacheable = method == http::Method::GET && body.is_empty();
        let cached = if cacheable {
            self.cache.get(&path)
        } else {
            None
        };
        if let Some(c) = &cached
            && let Ok(v) = HeaderValue::from_str(&c.etag)
        {
            headers.insert(http::header::IF_NONE_MATCH, v);
        }
        let mut attempt = 0u32;
        let mut last_problem;
        loop {
            self.pacer
                .ready()
                .await
                .map_err(|o| rate_limited(&path, o))?;
            let result = {
                let _permit = self
                    .sem
                    .acquire()
                    .await
                    .map_err(|e| ClientError::Unavailable {
                        path: path.clone(),
                        message: e.to_string(),
                        attempts: attempt,
                    })?;
                self.stats.requests.fetch_add(1, Ordering::Relaxed);
                self.send_once(&method, &uri, &headers, &body).await
            };
            attempt += 1;
            match result {
                Err(message) => last_problem = message,
                Ok(rsp) => {
                    let status = rsp.status();
                    if status == StatusCode::NOT_MODIFIED
                        && let Some(c) = &cached
                    {
                        self.stats.not_modified.fetch_add(1, Ordering::Relaxed);
                        return Ok(cached_response(c));
                    }
                    if let Some(wait) = rate_limit_wait(status.as_u16(), rsp.headers()) {
                        self.pacer
                            .pause(wait)
                            .await
                            .map_err(|o| rate_limited(&path, o))?;
                        continue;
                    }
                    if status == StatusCode::UNAUTHORIZED {
                        self.unauthorized.store(true, Ordering::Relaxed);
                        return Err(ClientError::Unauthorized {
                            path,
                            authenticated: self.authenticated(),
                        });
                    }
                    if status.is_server_error() {
                        last_problem = format!("server error {}", status.as_u16());
                    } else {
                        self.slow_down(rsp.headers()).await;
                        if status == StatusCode::OK
                            && cacheable
                            && let Some(etag) = header(rsp.headers(), "etag")
                        {
                            self.cache.put(
                                &path,
                                &Entry {
                                    etag,
                                    status: 200,
                                    link: header(rsp.headers(), "link"),
                                    body: String::from_utf8_lossy(rsp.body()).into_owned(),
                                },
                            );
                        }
                        return Ok(rsp);
                    }
                }
            }
            if std::env::var_os("SOC2_DEBUG_HTTP").is_some() {
                eprintln!("soc2: {path}: {last_problem} (attempt {attempt})");
            }
            if attempt > self.cfg.retries {
                return Err(ClientError::Unavailable {
                    path,
                    message: last_problem,
                    attempts: attempt,
                });
            }
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            let backoff = self.cfg.backoff * 2u32.saturating_pow(attempt - 1);
            tokio::time::sleep(backoff + jitter(backoff)).await;
        }
    }

    /// When `RateLimit-Remaining` is nearly spent, waits until the window resets, so that a
    /// group scan does not run into refusals.
    async fn slow_down(&self, head: &HeaderMap) {
        let remaining = header(head, "ratelimit-remaining").and_then(|v| v.parse::<u64>().ok());
        if remaining.is_some_and(|r| r < self.cfg.concurrency as u64)
            && let Some(wait) = reset_wait(head)
        {
            let _ = self.pacer.pause(wait).await;
        }
    }
}

impl RestClient for Client {
    type Error = ClientError;

    fn rest_endpoint(&self, endpoint: &str) -> Result<Url, ApiError<Self::Error>> {
        self.inner
            .rest_endpoint(endpoint)
            .map_err(|e| ApiError::client(ClientError::Request(describe(&e))))
    }
}

#[async_trait]
impl AsyncClient for Client {
    async fn rest_async(
        &self,
        request: http::request::Builder,
        body: Vec<u8>,
    ) -> Result<Response<Bytes>, ApiError<Self::Error>> {
        let (method, uri, headers) = match (
            request.method_ref(),
            request.uri_ref(),
            request.headers_ref(),
        ) {
            (Some(m), Some(u), h) => (m.clone(), u.clone(), h.cloned().unwrap_or_default()),
            _ => {
                return Err(ApiError::client(ClientError::Request(
                    "incomplete request".into(),
                )));
            }
        };
        self.request(method, uri, headers, body)
            .await
            .map_err(ApiError::client)
    }
}

fn rate_limited(path: &str, o: OverBudget) -> ClientError {
    ClientError::RateLimited {
        path: path.to_string(),
        wait_secs: o.wait_secs,
        max_wait_secs: o.max_wait_secs,
    }
}

fn cached_response(c: &Entry) -> Response<Bytes> {
    let mut b = Response::builder().status(StatusCode::OK);
    if let Some(link) = &c.link
        && let Ok(v) = HeaderValue::from_str(link)
        && let Some(h) = b.headers_mut()
    {
        h.insert(http::header::LINK, v);
    }
    b.body(Bytes::from(c.body.clone().into_bytes()))
        .unwrap_or_else(|_| Response::new(Bytes::new()))
}

/// Sorts a failed query into an [`Answer`]: GitLab's error statuses with their message, or a
/// failure with its reason.
fn classify<T>(e: ApiError<ClientError>) -> Answer<T> {
    match e {
        ApiError::GitlabWithStatus { status, msg } => Answer::Status {
            status: status.as_u16(),
            message: msg,
        },
        ApiError::GitlabService { status, data } => Answer::Status {
            status: status.as_u16(),
            message: String::from_utf8_lossy(&data).chars().take(200).collect(),
        },
        ApiError::GitlabObjectWithStatus { status, obj } => Answer::Status {
            status: status.as_u16(),
            message: obj
                .get("message")
                .or_else(|| obj.get("error"))
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .unwrap_or_default(),
        },
        ApiError::GitlabUnrecognizedWithStatus { status, obj } => Answer::Status {
            status: status.as_u16(),
            message: obj.to_string().chars().take(200).collect(),
        },
        ApiError::Client { source } => Answer::Failed(source.to_string()),
        other => Answer::Failed(format!("the answer is not of the expected shape: {other}")),
    }
}

/// Until `RateLimit-Reset` (UTC epoch seconds), at least a second.
fn reset_wait(head: &HeaderMap) -> Option<Duration> {
    let reset = header(head, "ratelimit-reset").and_then(|v| v.parse::<u64>().ok())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Some(Duration::from_secs(reset.saturating_sub(now).max(1)))
}

/// How long to wait before retrying a rate-limited answer, or `None` when it is not one.
/// GitLab answers 429 with `Retry-After` (seconds) and `RateLimit-Reset`; without either, a
/// minute.
pub fn rate_limit_wait(status: u16, head: &HeaderMap) -> Option<Duration> {
    if status != 429 {
        return None;
    }
    if let Some(secs) = header(head, "retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs));
    }
    Some(reset_wait(head).unwrap_or(Duration::from_secs(60)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_urls_are_normalised() {
        assert_eq!(instance_url("gitlab.com"), "https://gitlab.com");
        assert_eq!(
            instance_url("https://git.example.com/gitlab/api/v4/"),
            "https://git.example.com/gitlab"
        );
        assert_eq!(
            instance_url("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn only_429_is_a_rate_limit() {
        let mut h = HeaderMap::new();
        assert_eq!(rate_limit_wait(403, &h), None);
        assert_eq!(rate_limit_wait(429, &h), Some(Duration::from_secs(60)));
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(rate_limit_wait(429, &h), Some(Duration::from_secs(3)));
    }
}
