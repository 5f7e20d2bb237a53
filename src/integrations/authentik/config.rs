//! `[integrations.<id>]` with `type = "authentik"`: the config schema and its pure validation.
//! Every field's `///` doc is the user reference, mirrored in `lookout.example.toml`.

use crate::config::{from_value, read_secret_file, ConfigError, Dur};
use crate::detector;
use crate::integrations::http::HttpOptions;
use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use url::Url;

/// A validated Authentik integration config.
#[derive(Debug, Clone)]
pub struct Config {
    /// Authentik's base URL; the API root is `<url>/api/v3/`.
    pub url: Url,
    pub token: SecretString,
    pub refresh: Dur,
    pub counts_refresh: Dur,
    pub http: HttpOptions,
    pub extra: Extra,
    /// Shared secret Authentik's webhook must send as `Authorization: Bearer …`; `None`
    /// disables the webhook endpoint for this integration.
    pub webhook_secret: Option<SecretString>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    /// Always `"authentik"` here.
    #[serde(rename = "type")]
    _type: String,
    /// Base URL of Authentik, e.g. `https://auth.example.com` or `https://example.com/authentik`.
    url: String,
    /// How often login events are fetched (incrementally). Default 30s.
    #[serde(default = "default_refresh")]
    refresh: Dur,
    /// How often counts (sessions, users, groups) are fetched. Default: same as `refresh`.
    #[serde(default)]
    counts_refresh: Option<Dur>,
    /// Table: how Lookout authenticates to Authentik (see `.auth` below).
    auth: RawAuth,
    /// Table: timeouts, retries and TLS for the connection (see `.http` below).
    #[serde(default)]
    http: HttpOptions,
    /// Table: Authentik-specific settings (`extra.brute-force`, `extra.login-events`).
    #[serde(default)]
    extra: Extra,
    /// Table: push from Authentik's notification webhook (see `.webhook` below). Optional.
    #[serde(default)]
    webhook: Option<RawWebhook>,
}

/// `[integrations.<id>.webhook]`: push from Authentik's notification webhook.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawWebhook {
    /// The secret Authentik sends as `Authorization: Bearer <secret>` (via a header mapping).
    /// At least 16 characters; use `${VAR}`.
    secret: SecretString,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAuth {
    /// An API token (intent "API") of a service account. Use `${VAR}` to keep it out of the file.
    #[serde(default)]
    api_token: Option<SecretString>,
    /// Or: a file holding the token (e.g. a Docker/systemd secret). Relative to the config file.
    #[serde(default)]
    api_token_file: Option<PathBuf>,
}

/// `[integrations.<id>.extra]`: Authentik-specific settings.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Extra {
    #[serde(default)]
    pub brute_force: BruteForce,
    #[serde(default)]
    pub login_events: LoginEvents,
}

/// `[integrations.<id>.extra.brute-force]`: detection thresholds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BruteForce {
    /// Alert when MORE than this many failed logins from one IP…
    #[serde(default = "default_max_failures")]
    pub max_failures: u32,
    /// …lie strictly less than this far apart.
    #[serde(default = "default_window")]
    pub window: Dur,
    /// How far back attacks are reported (and login events kept).
    #[serde(default = "default_lookback")]
    pub lookback: Dur,
    /// IPv6 addresses are grouped by this prefix length (rotating within a /64 is one attacker).
    #[serde(default = "default_ipv6_prefix")]
    pub ipv6_prefix: u8,
    /// Networks never treated as attackers (CIDRs, e.g. your monitoring probe).
    #[serde(default)]
    pub ignore_networks: Vec<IpNet>,
    /// A burst that tries at least this many distinct usernames is labelled password spraying.
    #[serde(default = "default_spray")]
    pub spray_min_usernames: u32,
    /// Distributed attack: more than this many failures against one username within `window`…
    #[serde(default = "default_distributed_max")]
    pub distributed_max_failures: u32,
    /// …from at least this many distinct IPs.
    #[serde(default = "default_distributed_sources")]
    pub distributed_min_sources: u32,
}

impl Default for BruteForce {
    fn default() -> Self {
        BruteForce {
            max_failures: default_max_failures(),
            window: default_window(),
            lookback: default_lookback(),
            ipv6_prefix: default_ipv6_prefix(),
            ignore_networks: Vec::new(),
            spray_min_usernames: default_spray(),
            distributed_max_failures: default_distributed_max(),
            distributed_min_sources: default_distributed_sources(),
        }
    }
}

/// `[integrations.<id>.extra.login-events]`: the login list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LoginEvents {
    /// How many of the newest logins and failed logins the list shows.
    #[serde(default = "default_limit")]
    pub limit: u32,
}

impl Default for LoginEvents {
    fn default() -> Self {
        LoginEvents {
            limit: default_limit(),
        }
    }
}

fn default_refresh() -> Dur {
    Dur::secs(30)
}
fn default_max_failures() -> u32 {
    5
}
fn default_window() -> Dur {
    Dur::secs(600)
}
fn default_lookback() -> Dur {
    Dur::secs(24 * 3600)
}
fn default_ipv6_prefix() -> u8 {
    64
}
fn default_spray() -> u32 {
    detector::Settings::default().spray_min_usernames
}
fn default_distributed_max() -> u32 {
    detector::Settings::default().distributed_max_failures
}
fn default_distributed_sources() -> u32 {
    detector::Settings::default().distributed_min_sources
}
fn default_limit() -> u32 {
    20
}

impl Config {
    /// Parses the integration table at `at`; token files resolve against `base`.
    pub fn parse(table: toml::Value, at: &str, base: &Path) -> Result<Config, ConfigError> {
        let raw: Raw = from_value(table, at)?;
        let field = |f: &str| format!("{at}.{f}");
        let url = parse_base_url(&raw.url).map_err(|m| ConfigError::new(field("url"), m))?;
        if raw.refresh.0 < std::time::Duration::from_secs(1) {
            return Err(ConfigError::new(field("refresh"), "must be at least 1s"));
        }
        let counts_refresh = raw.counts_refresh.unwrap_or(raw.refresh);
        if counts_refresh.0 < std::time::Duration::from_secs(1) {
            return Err(ConfigError::new(
                field("counts-refresh"),
                "must be at least 1s",
            ));
        }
        let token = resolve_token(raw.auth, &field("auth"), base)?;
        raw.http.validate(&field("http"))?;
        validate_brute_force(&raw.extra.brute_force, &field("extra.brute-force"))?;
        let limit = raw.extra.login_events.limit;
        if !(1..=500).contains(&limit) {
            return Err(ConfigError::new(
                field("extra.login-events.limit"),
                format!("must be between 1 and 500, got {limit}"),
            ));
        }
        let webhook_secret = match raw.webhook {
            Some(w) if w.secret.expose_secret().chars().count() < 16 => {
                return Err(ConfigError::new(
                    field("webhook.secret"),
                    "must be at least 16 characters (it is all that guards the webhook)",
                ))
            }
            Some(w) => Some(w.secret),
            None => None,
        };
        Ok(Config {
            url,
            token,
            refresh: raw.refresh,
            counts_refresh,
            http: raw.http,
            extra: raw.extra,
            webhook_secret,
        })
    }

    /// The API root, `<url>/api/v3/`, keeping any sub-path.
    pub fn api_base(&self) -> Url {
        let mut u = self.url.clone();
        let path = format!("{}/api/v3/", u.path().trim_end_matches('/'));
        u.set_path(&path);
        u
    }

    /// Detector settings derived from `extra.brute-force`.
    pub fn detector_settings(&self) -> detector::Settings {
        let b = &self.extra.brute_force;
        detector::Settings {
            max_failures: b.max_failures,
            window: b.window.as_chrono(),
            lookback: b.lookback.as_chrono(),
            ipv6_prefix: b.ipv6_prefix,
            ignore_networks: b.ignore_networks.clone(),
            spray_min_usernames: b.spray_min_usernames,
            distributed_max_failures: b.distributed_max_failures,
            distributed_min_sources: b.distributed_min_sources,
            ..detector::Settings::default()
        }
    }
}

fn parse_base_url(s: &str) -> Result<Url, String> {
    let url = Url::parse(s).map_err(|e| format!("invalid URL {s:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("URL {s:?} must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("URL {s:?} has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("URL {s:?} must not have a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("URL must not embed credentials; use auth.api-token".into());
    }
    if url.path().trim_end_matches('/').ends_with("/api/v3") {
        return Err(format!(
            "URL {s:?} should be Authentik's base URL, without /api/v3"
        ));
    }
    Ok(url)
}

fn resolve_token(auth: RawAuth, at: &str, base: &Path) -> Result<SecretString, ConfigError> {
    let token = match (auth.api_token, auth.api_token_file) {
        (Some(t), None) => t,
        (None, Some(file)) => {
            let text = read_secret_file(&base.join(&file))
                .map_err(|m| ConfigError::new(format!("{at}.api-token-file"), m))?;
            SecretString::from(text.trim().to_owned())
        }
        (Some(_), Some(_)) => {
            return Err(ConfigError::new(
                at,
                "set either api-token or api-token-file, not both",
            ))
        }
        (None, None) => {
            return Err(ConfigError::new(
                at,
                "missing api-token (or api-token-file)",
            ))
        }
    };
    let t = token.expose_secret();
    if t.trim().is_empty() {
        return Err(ConfigError::new(at, "the API token is empty"));
    }
    if t.chars().any(|c| c.is_control() || c == ' ') {
        return Err(ConfigError::new(
            at,
            "the API token contains spaces or control characters",
        ));
    }
    Ok(token)
}

fn validate_brute_force(b: &BruteForce, at: &str) -> Result<(), ConfigError> {
    let f = |k: &str| format!("{at}.{k}");
    if b.max_failures == 0 {
        return Err(ConfigError::new(f("max-failures"), "must be at least 1"));
    }
    if b.window.0.is_zero() {
        return Err(ConfigError::new(f("window"), "must be above 0"));
    }
    if b.lookback < b.window {
        return Err(ConfigError::new(
            f("lookback"),
            format!("must be at least the window ({})", b.window),
        ));
    }
    if b.lookback.0 > std::time::Duration::from_secs(30 * 24 * 3600) {
        return Err(ConfigError::new(f("lookback"), "at most 30 days"));
    }
    if !(1..=128).contains(&b.ipv6_prefix) {
        return Err(ConfigError::new(
            f("ipv6-prefix"),
            format!("must be between 1 and 128, got {}", b.ipv6_prefix),
        ));
    }
    if b.spray_min_usernames < 2 {
        return Err(ConfigError::new(
            f("spray-min-usernames"),
            "must be at least 2",
        ));
    }
    if b.distributed_max_failures == 0 {
        return Err(ConfigError::new(
            f("distributed-max-failures"),
            "must be at least 1",
        ));
    }
    if b.distributed_min_sources < 2 {
        return Err(ConfigError::new(
            f("distributed-min-sources"),
            "must be at least 2",
        ));
    }
    Ok(())
}
