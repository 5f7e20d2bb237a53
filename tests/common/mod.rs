//! Shared helpers for integration tests: a fake Authentik plus a Lookout config over it.
#![allow(dead_code)]

use lookout::config::Config;
use lookout::fake::{FakeAuthentik, Scenario};
use lookout::integrations::registry::{BuildContext, Integration};
use std::path::Path;

/// Config text for one Authentik integration `sso` pointing at `fake`; `extra` is appended.
pub fn config_text(fake: &FakeAuthentik, extra: &str) -> String {
    format!(
        r#"
[integrations.sso]
type = "authentik"
url = "{}"
refresh = "1s"
[integrations.sso.auth]
api-token = "{}"
[integrations.sso.http]
timeout = "3s"
connect-timeout = "1s"
retries = 0
{extra}
"#,
        fake.base_url(),
        fake.token()
    )
}

pub fn parse(text: &str) -> Config {
    Config::parse_with_env(text, Path::new("."), &|_| None).expect("test config parses")
}

/// Builds the `sso` integration (no storage) from config text.
pub fn integration(text: &str, ctx: &BuildContext) -> Integration {
    let config = parse(text);
    let (id, cfg) = &config.integrations[0];
    cfg.build(id, ctx).expect("integration builds")
}

pub async fn standard_fake() -> FakeAuthentik {
    FakeAuthentik::start(Scenario::standard(chrono::Utc::now()))
        .await
        .expect("fake starts")
}

/// Polls `f` every 50 ms until it returns Some, or panics after `secs`.
pub async fn eventually<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        if std::time::Instant::now() > deadline {
            panic!("timed out after {secs}s waiting for {what}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Starts a full Lookout (poller + server) from config text, with its data in `data_dir`.
pub async fn serve(text: &str, data_dir: &Path) -> lookout::serve::Running {
    let mut config = parse(text);
    config.server.data_dir = data_dir.to_owned();
    lookout::serve::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("lookout starts")
}

/// GETs a JSON document from a running Lookout.
pub async fn get_json(addr: std::net::SocketAddr, path: &str) -> serde_json::Value {
    reqwest::get(format!("http://{addr}{path}"))
        .await
        .expect("request")
        .json()
        .await
        .expect("json")
}

/// A client that sends the CSRF header every state-changing request needs.
pub fn csrf_client() -> reqwest::Client {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(
        "x-requested-with",
        reqwest::header::HeaderValue::from_static("lookout-tests"),
    );
    reqwest::Client::builder()
        .default_headers(h)
        .build()
        .unwrap()
}

/// Writes `lookout.toml` (config over `fake`, data in `dir/data`) and returns (config, data dir).
pub fn write_config_file(
    dir: &Path,
    fake: &FakeAuthentik,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let config = dir.join("lookout.toml");
    let data = dir.join("data");
    let text = format!(
        "[server]\ndata-dir = {:?}\n{}",
        data.display().to_string(),
        config_text(fake, "")
    );
    std::fs::write(&config, text).expect("write config");
    (config, data)
}

/// Runs the real binary (`lookout serve`) and reads the address it prints.
pub fn spawn_lookout(config: &Path) -> (std::process::Child, std::net::SocketAddr) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lookout"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(config)
        .env("LOOKOUT_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn lookout");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.as_mut().expect("stdout"))
        .read_line(&mut line)
        .expect("listening line");
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .unwrap_or_default()
        .parse()
        .expect(&line);
    (child, addr)
}
