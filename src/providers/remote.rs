//! What the API providers (GitHub, GitLab) share around their HTTP clients: the rate-limit
//! pacer that makes every request wait while a limit is in force and caps the run's total
//! wait, backoff jitter, error and header text, target globs, and the progress bar of
//! multi-repository scans.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http::HeaderMap;
use tokio::sync::Mutex;

/// An API token. Its `Debug` form never shows it, so no log or error can carry it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself, for the request header and the cache key's hash only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token([redacted])")
    }
}

/// How an API client is set up.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The API base URL (`https://api.github.com`, `https://ghe.example/api/v3`) or the
    /// GitLab instance URL (`https://gitlab.com`).
    pub base_url: String,
    /// The token, if any.
    pub token: Option<Token>,
    /// At most this many requests in flight.
    pub concurrency: usize,
    /// The longest the run waits for rate limits, in total.
    pub max_wait: Duration,
    /// Cache directory; `None` disables the cache.
    pub cache_dir: Option<std::path::PathBuf>,
    /// Retries after the first attempt, for 5xx and timeouts.
    pub retries: u32,
    /// Timeout of one request (connect, answer and body).
    pub timeout: Duration,
    /// First backoff delay; doubled on each retry, with jitter.
    pub backoff: Duration,
}

impl ClientConfig {
    /// Defaults for `base_url`.
    pub fn new(base_url: impl Into<String>, token: Option<String>) -> Self {
        Self {
            base_url: base_url.into(),
            token: token.map(Token::new),
            concurrency: 8,
            max_wait: Duration::from_secs(60),
            cache_dir: None,
            retries: 3,
            timeout: Duration::from_secs(30),
            backoff: Duration::from_millis(250),
        }
    }
}

/// Something that shows a message to the person running the tool (the progress bar's
/// `println`, or standard error).
pub type Notify = Arc<dyn Fn(&str) + Send + Sync>;

/// A wait that does not fit in what is left of `--max-wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget {
    /// How long the server asked to wait, in seconds (rounded up).
    pub wait_secs: u64,
    /// The cap, in seconds.
    pub max_wait_secs: u64,
}

/// Rate-limit pacing for one client: a limit seen by one request pauses them all, and the
/// waits of a run add up to at most `max_wait`.
pub struct Pacer {
    platform: &'static str,
    max_wait: Duration,
    paused_until: Mutex<Option<Instant>>,
    waited_ms: AtomicU64,
    waits: AtomicU64,
    notify: Notify,
}

impl Pacer {
    /// A pacer for `platform` (`GitHub`, `GitLab`, named in messages).
    pub fn new(platform: &'static str, max_wait: Duration, notify: Notify) -> Self {
        Self {
            platform,
            max_wait,
            paused_until: Mutex::new(None),
            waited_ms: AtomicU64::new(0),
            waits: AtomicU64::new(0),
            notify,
        }
    }

    /// Rate-limit waits taken so far.
    pub fn waits(&self) -> u64 {
        self.waits.load(Ordering::Relaxed)
    }

    /// Waits while a pause is in force.
    pub async fn ready(&self) -> Result<(), OverBudget> {
        let until = *self.paused_until.lock().await;
        if let Some(until) = until {
            let now = Instant::now();
            if until > now {
                let wait = until - now;
                self.charge(wait)?;
                tokio::time::sleep(wait).await;
            }
        }
        Ok(())
    }

    /// Pauses every request for `wait`, with a message, or refuses when the wait does not
    /// fit in the budget.
    pub async fn pause(&self, wait: Duration) -> Result<(), OverBudget> {
        self.charge(wait)?;
        self.waits.fetch_add(1, Ordering::Relaxed);
        (self.notify)(&format!(
            "{} rate limit reached; waiting {} s before retrying (cap: --max-wait {} s)",
            self.platform,
            wait.as_secs_f64().ceil() as u64,
            self.max_wait.as_secs()
        ));
        let until = Instant::now() + wait;
        {
            let mut p = self.paused_until.lock().await;
            if p.is_none_or(|p| p < until) {
                *p = Some(until);
            }
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }

    /// Takes `wait` out of the run's budget, or fails when it does not fit.
    fn charge(&self, wait: Duration) -> Result<(), OverBudget> {
        let waited = self.waited_ms.load(Ordering::Relaxed);
        let budget = self.max_wait.as_millis() as u64;
        let wait_ms = wait.as_millis() as u64;
        if waited.saturating_add(wait_ms) > budget {
            return Err(OverBudget {
                wait_secs: wait.as_secs_f64().ceil() as u64,
                max_wait_secs: self.max_wait.as_secs(),
            });
        }
        self.waited_ms.fetch_add(wait_ms, Ordering::Relaxed);
        Ok(())
    }
}

/// The texts of a repository's files, by path, for code frames.
pub type Texts = Vec<(String, Arc<str>)>;

/// The texts of every repository read, by (repository id, path).
pub type Sources = std::collections::HashMap<(String, String), Arc<str>>;

/// Reads every named repository with `read`, at most `width` at a time (the client's
/// semaphore bounds the requests), advancing the progress bar. Each slot of the result is the
/// repository read for that name, or `None` when its task did not finish (the caller reports
/// it, never drops it).
pub async fn read_all<F, Fut>(
    names: &[String],
    width: usize,
    bar: &Option<indicatif::ProgressBar>,
    read: F,
) -> (Vec<Option<crate::facts::Repository>>, Sources)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = (crate::facts::Repository, Texts)> + Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    let mut out: Vec<Option<crate::facts::Repository>> = vec![None; names.len()];
    let mut sources = Sources::new();
    let mut queue = names.iter().cloned().enumerate();
    loop {
        while set.len() < width.max(1) {
            let Some((i, name)) = queue.next() else { break };
            let fut = read(name);
            set.spawn(async move { (i, fut.await) });
        }
        let Some(done) = set.join_next().await else {
            break;
        };
        if let Ok((i, (repo, texts))) = done {
            if let Some(b) = bar {
                b.set_message(repo.id.clone());
                b.inc(1);
            }
            for (path, text) in texts {
                sources.insert((repo.id.clone(), path), text);
            }
            out[i] = Some(repo);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    (out, sources)
}

/// Up to a quarter of `d`, from the clock's nanoseconds (no random-number dependency).
pub fn jitter(d: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |t| t.subsec_nanos());
    let quarter = d.as_millis() as u64 / 4;
    if quarter == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(u64::from(nanos) % quarter)
}

/// An error with its sources, as text. The HTTP clients' errors name the failing layer, never
/// headers, so no token reaches the text.
pub fn describe(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    s
}

/// A header's value as trimmed text.
pub fn header(head: &HeaderMap, name: &str) -> Option<String> {
    head.get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
}

/// A set of `--include`/`--exclude` globs; `None` when there are none. `Err` names the glob
/// and the parser's message.
pub fn globs(patterns: &[String]) -> Result<Option<globset::GlobSet>, (String, String)> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        b.add(globset::Glob::new(p).map_err(|e| (p.clone(), e.to_string()))?);
    }
    b.build()
        .map(Some)
        .map_err(|e| (patterns.join(","), e.to_string()))
}

/// A progress bar on standard error (only when wanted and it is a terminal):
/// `{platform} {pos}/{len} {noun}`.
pub fn progress_bar(wanted: bool, platform: &str, noun: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !wanted || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{{spinner}} {platform} {{pos}}/{{len}} {noun} [{{elapsed}}] {{wide_msg}}"
    )) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}

/// Where messages go during a collection: above the progress bar, else standard error.
pub fn notifier(bar: &Option<indicatif::ProgressBar>) -> Notify {
    let bar = bar.clone();
    Arc::new(move |m: &str| match &bar {
        Some(b) => b.println(m),
        None => eprintln!("soc2: {m}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waits_beyond_the_budget_are_refused() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let notify: Notify = {
            let seen = seen.clone();
            Arc::new(move |m: &str| seen.lock().unwrap().push(m.to_string()))
        };
        let p = Pacer::new("GitLab", Duration::from_millis(50), notify);
        assert_eq!(p.pause(Duration::from_millis(20)).await, Ok(()));
        assert_eq!(p.waits(), 1);
        assert!(seen.lock().unwrap()[0].starts_with("GitLab rate limit reached"));
        let refused = p.pause(Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(refused.wait_secs, 5);
        assert_eq!(p.waits(), 1);
    }

    #[test]
    fn bad_globs_are_named() {
        assert!(globs(&[]).unwrap().is_none());
        assert_eq!(globs(&["a[".into()]).unwrap_err().0, "a[");
    }
}
