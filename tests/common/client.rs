//! Helpers shared by the Authentik client integration tests (`tests/client_*.rs`).
//! Each test file includes this with `mod common { pub mod client; }`, so not every helper is
//! used by every file.
#![allow(dead_code)]

use lookout::config::{Config, Dur};
use lookout::fake::{FakeAuthentik, RecordedRequest, Scenario};
use lookout::integrations::authentik::client::Client;
use lookout::integrations::http::{HttpOptions, RequestStats, Upstream};
use lookout::integrations::registry::{Integration, IntegrationConfig};
use secrecy::SecretString;
use std::path::Path;
use std::time::Duration;

/// The fake's "now": real time, so `sync` horizons line up with generated data.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

pub async fn standard() -> FakeAuthentik {
    FakeAuthentik::start(Scenario::standard(now()))
        .await
        .expect("start fake")
}

/// A client built directly over [`Upstream`]: `base` is Authentik's base URL (no `/api/v3`).
pub fn client(base: &str, token: &str, timeout: Duration, retries: u32) -> Client {
    let opts = HttpOptions {
        timeout: Dur(timeout),
        connect_timeout: Dur(timeout),
        retries,
        ca_file: None,
        insecure_skip_verify: false,
    };
    let api = url::Url::parse(&format!("{}/api/v3/", base.trim_end_matches('/'))).unwrap();
    Client::new(
        Upstream::new(
            api,
            SecretString::from(token.to_owned()),
            &opts,
            RequestStats::default(),
        )
        .expect("upstream"),
    )
}

/// A client for `fake` with a short timeout and `retries` retries.
pub fn fake_client(fake: &FakeAuthentik, retries: u32) -> Client {
    client(
        &fake.base_url(),
        &fake.token(),
        Duration::from_secs(5),
        retries,
    )
}

/// An `[integrations.sso]` config for `url` and `token`, with `extra` appended verbatim.
pub fn config_text(url: &str, token: &str, extra: &str) -> String {
    format!(
        r#"
[integrations.sso]
type = "authentik"
url = "{url}"

[integrations.sso.auth]
api-token = "{token}"

[integrations.sso.http]
timeout = "5s"
connect-timeout = "2s"
retries = 0
{extra}
"#
    )
}

/// Parses config text like production (no environment) and returns the sso integration config.
pub fn parse_config(text: &str) -> IntegrationConfig {
    let cfg = Config::parse_with_env(text, Path::new("."), &|_| None).expect("config parses");
    cfg.integrations
        .into_iter()
        .find(|(id, _)| id == "sso")
        .expect("sso integration")
        .1
}

/// The production client for a config: `cfg.build(..)` → `Authentik` → its client.
pub fn client_from_config(cfg: &IntegrationConfig) -> Client {
    match cfg.build("sso", &Default::default()).expect("build") {
        Integration::Authentik(a) => a.client().clone(),
    }
}

/// Requests the fake received whose path ends with `suffix` (e.g. `"events/events/"`).
pub fn requests_to(fake: &FakeAuthentik, suffix: &str) -> Vec<RecordedRequest> {
    fake.requests()
        .into_iter()
        .filter(|r| r.path.ends_with(suffix))
        .collect()
}

/// The value of query parameter `key` (the last one when repeated).
pub fn param<'a>(r: &'a RecordedRequest, key: &str) -> Option<&'a str> {
    r.query
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Every value of query parameter `key`, in order.
pub fn params<'a>(r: &'a RecordedRequest, key: &str) -> Vec<&'a str> {
    r.query
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Panics if `text` contains `token` (or a long piece of it).
pub fn assert_no_token(text: &str, token: &str) {
    assert!(!token.is_empty());
    assert!(!text.contains(token), "token leaked into: {text}");
    let half = &token[..token.len() / 2];
    if half.len() >= 8 {
        assert!(!text.contains(half), "half the token leaked into: {text}");
    }
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}

/// Serves `router` on 127.0.0.1:0 in the background; returns its base URL.
pub async fn serve_router(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}
