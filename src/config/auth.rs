//! `[server.auth]`: who may see the dashboard. Lookout shows usernames and IPs of everyone who
//! logs in, so listening beyond loopback without an auth mode is refused at startup.

use super::ConfigError;
use ipnet::IpNet;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The access-control mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMode {
    /// A login form checked against an argon2 hash; a session cookie afterwards.
    Password,
    /// Trust a user header (e.g. `X-authentik-username`) set by a reverse proxy — only from
    /// `trusted-proxies`.
    ForwardAuth,
    /// No access control (explicitly chosen).
    None,
}

/// `[server.auth]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AuthConfig {
    /// `password`, `forward-auth` or `none`. Without this table: `none` on loopback only.
    pub mode: AuthMode,
    /// password: an argon2 PHC hash (`lookout hash-password` makes one)…
    #[serde(default)]
    pub password_hash: Option<String>,
    /// …or a file holding it.
    #[serde(default)]
    pub password_hash_file: Option<PathBuf>,
    /// password: how long a login lasts.
    #[serde(default = "default_session")]
    pub session_lifetime: super::Dur,
    /// password: mark the cookie `Secure` even when the request does not look like HTTPS.
    #[serde(default)]
    pub secure_cookies: bool,
    /// forward-auth: the header carrying the authenticated user.
    #[serde(default = "default_user_header")]
    pub user_header: String,
    /// forward-auth: proxies allowed to set that header (CIDRs).
    #[serde(default)]
    pub trusted_proxies: Vec<IpNet>,
    /// Serve `/healthz` without authentication (for load balancers). Default true.
    #[serde(default = "yes")]
    pub public_healthz: bool,
    /// Serve `/metrics` without authentication (for Prometheus). Default false.
    #[serde(default)]
    pub public_metrics: bool,
}

fn default_session() -> super::Dur {
    super::Dur::secs(12 * 3600)
}
fn default_user_header() -> String {
    "X-authentik-username".into()
}
fn yes() -> bool {
    true
}

impl AuthConfig {
    /// The implicit config when `[server.auth]` is absent.
    pub fn none() -> AuthConfig {
        AuthConfig {
            mode: AuthMode::None,
            password_hash: None,
            password_hash_file: None,
            session_lifetime: default_session(),
            secure_cookies: false,
            user_header: default_user_header(),
            trusted_proxies: Vec::new(),
            public_healthz: true,
            public_metrics: true,
        }
    }

    /// Checks the mode's required fields; reads a hash file. `at` is `server.auth`.
    pub fn resolve(&mut self, at: &str, base: &std::path::Path) -> Result<(), ConfigError> {
        let f = |k: &str| format!("{at}.{k}");
        match self.mode {
            AuthMode::Password => {
                if let Some(file) = &self.password_hash_file {
                    if self.password_hash.is_some() {
                        return Err(ConfigError::new(
                            at,
                            "set password-hash or password-hash-file, not both",
                        ));
                    }
                    let text = super::read_secret_file(&base.join(file))
                        .map_err(|m| ConfigError::new(f("password-hash-file"), m))?;
                    self.password_hash = Some(text.trim().to_owned());
                }
                let hash = self.password_hash.as_deref().ok_or_else(|| {
                    ConfigError::new(
                        at,
                        "mode = \"password\" needs password-hash (run `lookout hash-password`)",
                    )
                })?;
                argon2::PasswordHash::new(hash).map_err(|_| {
                    ConfigError::new(
                        f("password-hash"),
                        "not an argon2 PHC hash (run `lookout hash-password`)",
                    )
                })?;
            }
            AuthMode::ForwardAuth => {
                if self.trusted_proxies.is_empty() {
                    return Err(ConfigError::new(
                        f("trusted-proxies"),
                        "forward-auth needs the proxy's address (CIDRs); anyone else could forge the header",
                    ));
                }
                if axum::http::HeaderName::try_from(self.user_header.as_str()).is_err() {
                    return Err(ConfigError::new(
                        f("user-header"),
                        "not a valid header name",
                    ));
                }
            }
            AuthMode::None => {}
        }
        Ok(())
    }
}

/// Refuses a non-loopback listen address without an explicit auth mode.
pub fn check_exposure(listen: SocketAddr, auth: Option<&AuthConfig>) -> Result<(), ConfigError> {
    if auth.is_none() && !listen.ip().is_loopback() {
        return Err(ConfigError::new(
            "server.listen",
            format!(
                "{listen} is reachable from the network, and the dashboard shows who logs in from where. \
                 Choose an access mode in [server.auth]: mode = \"password\" (a login form; \
                 `lookout hash-password` makes the hash), mode = \"forward-auth\" (behind Authentik's \
                 proxy outpost, with trusted-proxies), or mode = \"none\" to expose it deliberately"
            ),
        ));
    }
    Ok(())
}
