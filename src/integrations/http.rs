//! Shared upstream HTTP plumbing: one configured `reqwest` client per integration with
//! timeouts, TLS options, bounded jittered retries, status → typed error, and JSON decoding that
//! names the path of a bad field. Integration clients add their own endpoint knowledge on top.

use crate::config::{ConfigError, Dur};
use crate::metrics::Metrics;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::histogram::Histogram;
use rand::Rng;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// `[integrations.<id>.http]`: how to talk to the upstream.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HttpOptions {
    /// Whole-request timeout (connect + send + read the body).
    #[serde(default = "default_timeout")]
    pub timeout: Dur,
    /// TCP + TLS connect timeout.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout: Dur,
    /// Retries after the first try, for connect errors, 5xx and 429 only.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Extra PEM CA bundle to trust (a homelab CA).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate. Dangerous; logged loudly at startup.
    #[serde(default)]
    pub insecure_skip_verify: bool,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: default_timeout(),
            connect_timeout: default_connect_timeout(),
            retries: default_retries(),
            ca_file: None,
            insecure_skip_verify: false,
        }
    }
}

fn default_timeout() -> Dur {
    Dur::secs(15)
}
fn default_connect_timeout() -> Dur {
    Dur::secs(5)
}
fn default_retries() -> u32 {
    2
}

impl HttpOptions {
    /// Pure checks, naming the field under `at`.
    pub fn validate(&self, at: &str) -> Result<(), ConfigError> {
        if self.timeout.0.is_zero() {
            return Err(ConfigError::new(format!("{at}.timeout"), "must be above 0"));
        }
        if self.connect_timeout.0.is_zero() {
            return Err(ConfigError::new(
                format!("{at}.connect-timeout"),
                "must be above 0",
            ));
        }
        if self.retries > 10 {
            return Err(ConfigError::new(
                format!("{at}.retries"),
                "at most 10 (each retry adds load on a struggling upstream)",
            ));
        }
        Ok(())
    }
}

/// What went wrong talking to an upstream, in terms a user can act on. Never holds the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpstreamError {
    #[error("{endpoint}: unreachable ({detail})")]
    Unreachable { endpoint: String, detail: String },
    #[error("{endpoint}: timed out after {after}")]
    Timeout { endpoint: String, after: String },
    #[error("{endpoint}: TLS failure ({detail}); set http.ca-file for a private CA")]
    Tls { endpoint: String, detail: String },
    #[error("token rejected ({status} {detail})")]
    TokenRejected { status: u16, detail: String },
    #[error("{endpoint}: permission missing: give the token's user \"{permission}\"")]
    PermissionMissing {
        endpoint: String,
        permission: String,
    },
    #[error("{endpoint}: not found (404) — is the URL right, including any sub-path?")]
    NotFound { endpoint: String },
    #[error("{endpoint}: unexpected status {status}: {excerpt}")]
    UnexpectedStatus {
        endpoint: String,
        status: u16,
        excerpt: String,
    },
    #[error("{endpoint}: undecodable response at `{path}`: {detail}")]
    Undecodable {
        endpoint: String,
        path: String,
        detail: String,
    },
    #[error("{endpoint}: {detail}")]
    Protocol { endpoint: String, detail: String },
}

impl UpstreamError {
    /// A stable, short machine-readable class for APIs and metrics.
    pub fn class(&self) -> &'static str {
        match self {
            UpstreamError::Unreachable { .. } => "unreachable",
            UpstreamError::Timeout { .. } => "timeout",
            UpstreamError::Tls { .. } => "tls",
            UpstreamError::TokenRejected { .. } => "token-rejected",
            UpstreamError::PermissionMissing { .. } => "permission-missing",
            UpstreamError::NotFound { .. } => "not-found",
            UpstreamError::UnexpectedStatus { .. } => "unexpected-status",
            UpstreamError::Undecodable { .. } => "undecodable",
            UpstreamError::Protocol { .. } => "protocol",
        }
    }
}

/// A non-2xx answer before it is classified by the integration.
#[derive(Debug, Clone)]
pub struct StatusFailure {
    pub status: StatusCode,
    /// The `detail` of a `{"detail": …}` body, if any; cut short and sanitised.
    pub detail: Option<String>,
    /// The start of the body, sanitised, for messages.
    pub excerpt: String,
    /// `Retry-After` in seconds (429/503 from a proxy), honoured up to [`MAX_RETRY_AFTER`].
    pub retry_after: Option<u64>,
}

/// The longest `Retry-After` we wait inside one refresh; beyond it the poller's backoff takes over.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// A failed GET before classification: the integration knows what a status means.
#[derive(Debug, Clone)]
pub enum FetchError {
    /// The upstream answered, but not with 2xx.
    Status(StatusFailure),
    /// Transport, TLS, timeout or decoding trouble.
    Other(UpstreamError),
}

impl FetchError {
    /// Resolves a status failure with `classify`, keeping other errors.
    pub fn classify_with(
        self,
        classify: impl FnOnce(StatusFailure) -> UpstreamError,
    ) -> UpstreamError {
        match self {
            FetchError::Status(f) => classify(f),
            FetchError::Other(e) => e,
        }
    }
}

/// Request counters: handles into the metrics registry (or free-standing ones in tests).
#[derive(Debug, Clone)]
pub struct RequestStats {
    pub requests: Counter,
    pub errors: Counter,
    pub latency: Histogram,
}

impl Default for RequestStats {
    fn default() -> Self {
        RequestStats {
            requests: Counter::default(),
            errors: Counter::default(),
            latency: Histogram::new([0.1, 1.0].into_iter()),
        }
    }
}

impl RequestStats {
    /// The counters registered for integration `id` in `metrics`.
    pub fn registered(metrics: &Metrics, id: &str) -> RequestStats {
        let l = Metrics::integration(id);
        RequestStats {
            requests: metrics.upstream_requests.get_or_create(&l).clone(),
            errors: metrics.upstream_errors.get_or_create(&l).clone(),
            latency: metrics.upstream_latency.get_or_create(&l).clone(),
        }
    }
}

/// One upstream: base URL, bearer token and a configured client.
#[derive(Clone)]
pub struct Upstream {
    client: reqwest::Client,
    /// Always ends with `/`, so relative joins keep a sub-path.
    base: Url,
    token: SecretString,
    retries: u32,
    timeout: Duration,
    connect_timeout: Duration,
    pub stats: RequestStats,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("base", &self.base.as_str())
            .field("token", &"[redacted]")
            .finish()
    }
}

/// Body size cap: an event page of 100 items is ~200 KB; anything near this is hostile.
const MAX_BODY: usize = 32 * 1024 * 1024;

impl Upstream {
    /// Builds the client. `base` is the API root (e.g. `https://auth.example.com/api/v3/`).
    pub fn new(
        base: Url,
        token: SecretString,
        opts: &HttpOptions,
        stats: RequestStats,
    ) -> Result<Upstream, String> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("lookout/", env!("CARGO_PKG_VERSION")))
            .timeout(opts.timeout.0)
            .connect_timeout(opts.connect_timeout.0)
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(60));
        if let Some(ca) = &opts.ca_file {
            // CA bundles are large (the Mozilla bundle is ~200 KiB) but never megabytes.
            let pem = crate::config::read_small_file(ca, 8 * 1024 * 1024, "a CA bundle")
                .map_err(|e| format!("CA file: {e}"))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("CA file {} is not valid PEM: {e}", ca.display()))?;
            if certs.is_empty() {
                return Err(format!("CA file {} holds no certificate", ca.display()));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if opts.insecure_skip_verify {
            builder = builder.danger_accept_invalid_certs(true);
        }
        let client = builder.build().map_err(|e| e.to_string())?;
        let mut base = base;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Ok(Upstream {
            client,
            base,
            token: token.clone(),
            retries: opts.retries,
            timeout: opts.timeout.0,
            connect_timeout: opts.connect_timeout.0,
            stats,
        })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// GETs `path` (relative to the base, e.g. `core/users/me/`) and decodes JSON into `T`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, FetchError> {
        let bytes = self.get_bytes(path, query).await?;
        decode(path, &bytes).map_err(|e| FetchError::Other(self.redact_error(e)))
    }

    /// Replaces the token wherever upstream text (an echoing proxy, a serde message quoting a
    /// value) could have carried it into a message.
    fn redact(&self, text: &str) -> String {
        let token = self.token.expose_secret();
        if token.is_empty() {
            text.to_owned()
        } else {
            text.replace(token, "[redacted]")
        }
    }

    fn redact_error(&self, e: UpstreamError) -> UpstreamError {
        match e {
            UpstreamError::Undecodable {
                endpoint,
                path,
                detail,
            } => UpstreamError::Undecodable {
                endpoint,
                path: self.redact(&path),
                detail: self.redact(&detail),
            },
            other => other,
        }
    }

    /// GETs `path` with retries; returns the 2xx body.
    pub async fn get_bytes(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<u8>, FetchError> {
        let url = self
            .base
            .join(path)
            .map_err(|e| FetchError::Other(protocol(path, format!("bad path: {e}"))))?;
        let mut attempt = 0u32;
        loop {
            let outcome = self.try_once(&url, path, query).await;
            let (retryable, asked) = match &outcome {
                Err(FetchError::Status(f)) => (
                    f.status.is_server_error() || f.status == StatusCode::TOO_MANY_REQUESTS,
                    f.retry_after.map(Duration::from_secs),
                ),
                Err(FetchError::Other(UpstreamError::Unreachable { .. })) => (true, None),
                _ => (false, None),
            };
            match (retryable, attempt < self.retries) {
                (true, true) if asked.is_some_and(|d| d > MAX_RETRY_AFTER) => {
                    // The server asked for a longer pause than a refresh should wait.
                    self.stats.errors.inc();
                    return outcome;
                }
                (true, true) => {
                    attempt += 1;
                    let wait = backoff(attempt).max(asked.unwrap_or_default());
                    tokio::time::sleep(wait).await;
                }
                _ => {
                    if outcome.is_err() {
                        self.stats.errors.inc();
                    }
                    return outcome;
                }
            }
        }
    }

    async fn try_once(
        &self,
        url: &Url,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<u8>, FetchError> {
        self.stats.requests.inc();
        let started = std::time::Instant::now();
        let resp = self
            .client
            .get(url.clone())
            .query(query)
            .bearer_auth(self.token.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| FetchError::Other(self.transport_error(path, &e)))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let body = read_capped(resp)
            .await
            .map_err(|e| FetchError::Other(self.transport_error(path, &e)))?;
        self.stats.latency.observe(started.elapsed().as_secs_f64());
        if status.is_success() {
            return Ok(body);
        }
        // Error bodies end up in messages: never let an echoing proxy show the token.
        let shown = self.redact(&String::from_utf8_lossy(&body));
        let excerpt = match location {
            // Redirects are not followed (the token must not travel elsewhere): say where to.
            Some(to) if status.is_redirection() => format!(
                "redirected to {} (set `url` to that address; redirects are not followed)",
                sanitize(&self.redact(&to), 200)
            ),
            _ => excerpt(shown.as_bytes()),
        };
        Err(FetchError::Status(StatusFailure {
            status,
            detail: detail_of(shown.as_bytes()),
            excerpt,
            retry_after,
        }))
    }

    fn transport_error(&self, path: &str, e: &reqwest::Error) -> UpstreamError {
        let endpoint = path.to_owned();
        if e.is_timeout() {
            // A connect timeout is reported as both; say which limit was hit.
            let limit = if e.is_connect() {
                self.connect_timeout
            } else {
                self.timeout
            };
            return UpstreamError::Timeout {
                endpoint,
                after: humantime::format_duration(limit).to_string(),
            };
        }
        let chain = error_chain(e);
        let lower = chain.to_ascii_lowercase();
        if lower.contains("certificate")
            || lower.contains("tls")
            || lower.contains("handshake")
            || is_tls_io_error(e)
        {
            let detail = if lower.contains("invalidcontenttype") {
                format!("{chain}; the server does not speak TLS here, is the URL http://?")
            } else {
                chain
            };
            return UpstreamError::Tls { endpoint, detail };
        }
        if e.is_body() || e.is_decode() {
            return UpstreamError::Protocol {
                endpoint,
                detail: format!("reading the body failed: {chain}"),
            };
        }
        UpstreamError::Unreachable {
            endpoint,
            detail: chain,
        }
    }
}

/// rustls reports handshake and record errors (e.g. a plain-HTTP answer on an `https://` URL:
/// "received corrupt message of type InvalidContentType") as `io::Error` of kind `InvalidData`
/// while connecting; nothing else on the connect path does.
fn is_tls_io_error(e: &reqwest::Error) -> bool {
    if !e.is_connect() || e.url().is_none_or(|u| u.scheme() != "https") {
        return false;
    }
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        src = match s.downcast_ref::<std::io::Error>() {
            Some(io) if io.kind() == std::io::ErrorKind::InvalidData => return true,
            // `io::Error::source` skips the wrapped error itself (often another io::Error).
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => s.source(),
            },
            None => s.source(),
        };
    }
    false
}

async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if out.len() + chunk.len() > MAX_BODY {
            break;
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Decodes JSON, naming the path of the first bad field.
pub fn decode<T: DeserializeOwned>(endpoint: &str, bytes: &[u8]) -> Result<T, UpstreamError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'<') {
        return Err(UpstreamError::Undecodable {
            endpoint: endpoint.to_owned(),
            path: ".".into(),
            detail: "expected JSON but got an HTML page (is the URL pointing at the API?)".into(),
        });
    }
    // Fast path: plain serde_json. Only a failure is decoded again with path tracking (the parse is
    // deterministic, so the second run fails with the same error and names where).
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| UpstreamError::Undecodable {
        endpoint: endpoint.to_owned(),
        path: e.path().to_string(),
        detail: sanitize(&e.inner().to_string(), 200),
    })
}

fn protocol(endpoint: &str, detail: String) -> UpstreamError {
    UpstreamError::Protocol {
        endpoint: endpoint.to_owned(),
        detail,
    }
}

/// Exponential backoff with full jitter: ~200 ms, 400 ms, 800 ms… capped at 5 s.
pub fn backoff(attempt: u32) -> Duration {
    let base_ms = 200u64.saturating_mul(1 << attempt.min(5)).min(5_000);
    let jitter = rand::thread_rng().gen_range(0.5..1.5);
    Duration::from_millis((base_ms as f64 * jitter) as u64)
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        src = s.source();
    }
    sanitize(&parts.join(": "), 300)
}

fn detail_of(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Generic {
        detail: String,
    }
    serde_json::from_slice::<Generic>(body)
        .ok()
        .map(|g| sanitize(&g.detail, 200))
}

fn excerpt(body: &[u8]) -> String {
    if let Some(title) = html_title(body) {
        return format!(
            "an HTML page \"{title}\", not authentik's JSON (from a proxy in front of it? is authentik up?)"
        );
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(400)]);
    let s = sanitize(text.trim(), 120);
    if s.is_empty() {
        "(empty body)".into()
    } else {
        s
    }
}

/// The `<title>` of an HTML error page (what a reverse proxy answers when authentik is down).
fn html_title(body: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&body[..body.len().min(2048)]);
    if !head.trim_start().starts_with('<') {
        return None;
    }
    let lower = head.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = start + lower[start..].find("</title>")?;
    let title = sanitize(head[start..end].trim(), 80);
    (!title.is_empty()).then_some(title)
}

/// Replaces control characters with spaces and cuts to `max` chars (with `…`), so upstream
/// text cannot forge log lines or flood messages.
pub fn sanitize(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max + 3));
    for (n, c) in s.chars().enumerate() {
        if n == max {
            out.push('…');
            break;
        }
        out.push(if crate::text::is_hidden(c) { ' ' } else { c });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_strips_newlines_and_truncates() {
        assert_eq!(sanitize("a\nb\rc", 10), "a b c");
        assert_eq!(sanitize("ab\u{202E}cd\u{2028}e", 10), "ab cd e");
        assert_eq!(sanitize("abcdef", 3), "abc…");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempt in 0..20 {
            let d = backoff(attempt);
            assert!(d <= Duration::from_millis(7_500), "{d:?}");
        }
        assert!(backoff(1) < Duration::from_millis(601));
    }

    #[test]
    fn decode_names_the_bad_field_path() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Page {
            results: Vec<Item>,
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Item {
            count: u32,
        }
        let err = decode::<Page>("x/", br#"{"results":[{"count":1},{"count":"2"}]}"#).unwrap_err();
        match err {
            UpstreamError::Undecodable { path, .. } => assert_eq!(path, "results[1].count"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decode_recognises_an_html_error_page() {
        let err = decode::<serde_json::Value>("x/", b"  <html>502</html>").unwrap_err();
        assert!(err.to_string().contains("HTML page"), "{err}");
    }

    #[test]
    fn html_error_pages_are_summarised_by_their_title() {
        let e =
            excerpt(b"<html>\r\n<head><title>502 Bad Gateway</title></head><body>x</body></html>");
        assert!(e.starts_with("an HTML page \"502 Bad Gateway\""), "{e}");
        assert_eq!(excerpt(b"{\"detail\":\"x\"}"), "{\"detail\":\"x\"}");
        assert_eq!(excerpt(b"<p>no title</p>"), "<p>no title</p>");
    }

    #[test]
    fn detail_is_read_from_generic_error_bodies() {
        assert_eq!(
            detail_of(br#"{"detail":"Token invalid/expired"}"#).as_deref(),
            Some("Token invalid/expired")
        );
        assert_eq!(detail_of(b"<html>"), None);
    }
}
