//! Configuration: file → TOML → `${VAR}` expansion → typed [`Config`].
//!
//! Every error names the place (`integrations.sso.extra.brute-force.window`) and what is wrong,
//! and never contains a secret's value. Parsing is pure except for reading the file itself and
//! token files; nothing here touches the network.

pub mod auth;
pub mod duration;
mod env;

pub use duration::Dur;

use crate::integrations::registry::{IntegrationConfig, IntegrationType};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The default config file, relative to the working directory.
pub const DEFAULT_PATH: &str = "lookout.toml";

/// A configuration mistake: where it is and what is wrong. Displayed as `where: what`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct ConfigError {
    /// Dotted path of the bad field (`integrations.sso.url`), or the file for file-level errors.
    pub path: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// The whole, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub server: ServerConfig,
    /// Integrations in id order; the id is the table name under `[integrations]`.
    pub integrations: Vec<(String, IntegrationConfig)>,
    pub dashboard: DashboardConfig,
}

/// `[server]`: where the dashboard listens.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ServerConfig {
    /// Address the dashboard listens on. Loopback by default; the `--listen` flag overrides.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Directory for Lookout's state (alert history, acknowledgements). Created if missing.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// How long alert history is kept.
    #[serde(default = "default_retention")]
    pub retention: Dur,
    /// Access control; see `[server.auth]`. Absent = no auth, allowed on loopback only.
    #[serde(default)]
    pub auth: Option<auth::AuthConfig>,
    /// Log format: `human` or `json`.
    #[serde(default)]
    pub log_format: LogFormat,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    #[default]
    Human,
    Json,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: default_listen(),
            data_dir: default_data_dir(),
            retention: default_retention(),
            auth: None,
            log_format: LogFormat::Human,
        }
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}

fn default_retention() -> Dur {
    Dur::secs(90 * 24 * 3600)
}

/// `[dashboard]`: optional layout. Without it every endpoint of every integration is shown.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DashboardConfig {
    /// Page title.
    #[serde(default)]
    pub title: Option<String>,
    /// Cards to show, in order, as `"<integration>/<endpoint>"`, e.g. `"sso/login-events"`.
    #[serde(default)]
    pub cards: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    server: ServerConfig,
    #[serde(default)]
    integrations: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dashboard: DashboardConfig,
}

impl Config {
    /// Reads and validates the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::NotFound {
                " (copy lookout.example.toml to start, or try `lookout demo`)"
            } else {
                ""
            };
            ConfigError::new(
                path.display().to_string(),
                format!("cannot read config file: {e}{hint}"),
            )
        })?;
        Self::parse_with_env(&text, base_dir(path), &|k| std::env::var(k).ok())
    }

    /// Parses config text; `${VAR}` is looked up with `lookup`; relative token files resolve
    /// against `base`.
    pub fn parse_with_env(
        text: &str,
        base: &Path,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut value: toml::Value = toml::from_str::<toml::Table>(text)
            .map(toml::Value::Table)
            .map_err(|e| ConfigError::new("", format!("TOML syntax error: {}", one_line(&e))))?;
        env::expand(&mut value, "", lookup)?;
        let mut raw: RawConfig = from_value(value, "")?;
        if let Some(a) = raw.server.auth.as_mut() {
            a.resolve("server.auth", base)?;
        }

        let mut integrations = Vec::with_capacity(raw.integrations.len());
        for (id, table) in raw.integrations {
            let at = format!("integrations.{id}");
            validate_id(&id).map_err(|m| ConfigError::new(&at, m))?;
            let type_name = table
                .get("type")
                .ok_or_else(|| ConfigError::new(&at, "missing field `type`"))?
                .as_str()
                .ok_or_else(|| ConfigError::new(format!("{at}.type"), "must be a string"))?
                .to_owned();
            let ty = IntegrationType::from_name(&type_name).ok_or_else(|| {
                ConfigError::new(
                    format!("{at}.type"),
                    format!(
                        "unknown integration type {type_name:?} (known: {})",
                        IntegrationType::names().join(", ")
                    ),
                )
            })?;
            integrations.push((id, ty.parse_config(table, &at, base)?));
        }
        if let Some(cards) = &raw.dashboard.cards {
            validate_cards(cards, &integrations)?;
        }
        Ok(Config {
            server: raw.server,
            integrations,
            dashboard: raw.dashboard,
        })
    }
}

/// Deserialises `value` into `T`, naming the failing field as `prefix.path`.
pub fn from_value<T: serde::de::DeserializeOwned>(
    value: toml::Value,
    prefix: &str,
) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = match (prefix.is_empty(), inner == ".") {
            (_, true) => prefix.to_owned(),
            (true, false) => inner,
            (false, false) => format!("{prefix}.{inner}"),
        };
        let mut message = one_line(e.inner());
        // toml's value deserializer appends " in `key`", which the path already says.
        if let Some(i) = message.rfind(" in `") {
            if message.ends_with('`') {
                message.truncate(i);
            }
        }
        ConfigError::new(path, message)
    })
}

/// The largest secret file read (`api-token-file`, `password-hash-file`): a token or an argon2
/// hash is well under 1 KiB, so anything near this is the wrong file.
pub const MAX_SECRET_FILE: u64 = 64 * 1024;

/// Reads a small secret file, refusing anything but a regular file (a FIFO would block the
/// loader forever and `/dev/zero` never ends) and files over [`MAX_SECRET_FILE`]. The error is
/// `cannot read <path>: <why>` and never holds the file's content.
pub fn read_secret_file(path: &Path) -> Result<String, String> {
    let bytes = read_small_file(path, MAX_SECRET_FILE, "a secret")?;
    String::from_utf8(bytes).map_err(|_| format!("cannot read {}: not UTF-8 text", path.display()))
}

/// Reads a regular file of at most `max` bytes (`what` names it in the error).
pub fn read_small_file(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let cannot = |why: &dyn std::fmt::Display| format!("cannot read {}: {why}", path.display());
    // `metadata` follows symlinks (Kubernetes secrets are symlinks to regular files) and, unlike
    // `open`, does not block on a FIFO.
    let meta = std::fs::metadata(path).map_err(|e| cannot(&e))?;
    if !meta.is_file() {
        return Err(cannot(&"not a regular file"));
    }
    let file = std::fs::File::open(path).map_err(|e| cannot(&e))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot(&e))?;
    if bytes.len() as u64 > max {
        return Err(cannot(&format_args!(
            "over {} KiB, too big for {what}",
            max / 1024
        )));
    }
    Ok(bytes)
}

fn one_line(e: &dyn std::fmt::Display) -> String {
    let s = e.to_string();
    s.trim()
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

fn base_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Integration ids appear in URLs and metrics labels, so keep them to a safe alphabet.
fn validate_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid integration id {id:?}: use 1-64 lowercase letters, digits, `-` or `_`"
        ))
    }
}

fn validate_cards(
    cards: &[String],
    integrations: &[(String, IntegrationConfig)],
) -> Result<(), ConfigError> {
    for (i, card) in cards.iter().enumerate() {
        let at = format!("dashboard.cards[{i}]");
        let (id, endpoint) = card.split_once('/').ok_or_else(|| {
            ConfigError::new(
                &at,
                format!("{card:?} must look like \"<integration>/<endpoint>\""),
            )
        })?;
        let (_, cfg) = integrations
            .iter()
            .find(|(i, _)| i == id)
            .ok_or_else(|| ConfigError::new(&at, format!("no integration with id {id:?}")))?;
        let endpoints = cfg.integration_type().endpoints();
        if !endpoints.iter().any(|e| e.name == endpoint) {
            let names: Vec<_> = endpoints.iter().map(|e| e.name).collect();
            return Err(ConfigError::new(
                &at,
                format!(
                    "integration {id:?} has no endpoint {endpoint:?} (it has: {})",
                    names.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
