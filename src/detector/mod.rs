//! Pure attack detectors over login attempts. Nothing here does I/O or reads the clock:
//! `now` is a parameter, so every rule is testable with tables and property tests.
//!
//! Entry point: [`detect`] turns attempts + [`Settings`] into [`Finding`]s; [`alerts::to_alerts`]
//! turns findings into banner alerts with stable ids.
//!
//! Layout: `table` turns attempts into a compact integer table (keys from `key`, ticks from
//! `clock`, usernames hashed by `intern`); `burst` is the sliding-window extraction that
//! `brute_force` (per IP or IPv6 prefix) and `distributed` (per username) share; `proxy` spots a
//! reverse proxy whose address hides every client's. Strings are built only for findings.

pub mod alerts;
mod brute_force;
mod burst;
mod clock;
mod distributed;
mod intern;
mod key;
mod proxy;
mod table;
#[cfg(test)]
mod tests;
mod text;

pub use intern::normalize_username;
pub use key::{canonical_ip, is_internal, UNKNOWN_IP_SENTINEL};
pub use proxy::PROXY_MIN_USERS;
pub use text::{clean_username, MAX_USERNAME_CHARS};

use chrono::{DateTime, Duration, Utc};
use ipnet::IpNet;
use std::net::IpAddr;

/// One login attempt as the detectors see it (already decoded from the upstream event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAttempt {
    pub at: DateTime<Utc>,
    /// `None` when the event had no client IP; the unknown-IP sentinel is filtered by the caller
    /// *and* ignored here.
    pub ip: Option<IpAddr>,
    /// For failures, the attempted username (`context.username`).
    pub username: String,
    pub success: bool,
}

/// Detector thresholds, mapped from `extra.brute-force` in the config.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Alert when MORE than this many failures from one key fall within `window`.
    pub max_failures: u32,
    /// Failures strictly less than `window` apart count as one burst.
    pub window: Duration,
    /// How far back bursts are reported.
    pub lookback: Duration,
    /// IPv6 addresses are grouped by this prefix length.
    pub ipv6_prefix: u8,
    /// Failures from these networks are never keyed as attackers.
    pub ignore_networks: Vec<IpNet>,
    /// A brute-force burst trying at least this many distinct usernames is labelled spraying.
    pub spray_min_usernames: u32,
    /// Distributed attack: more than this many failures against one username within `window`…
    pub distributed_max_failures: u32,
    /// …coming from at least this many distinct sources (IPs or IPv6 prefixes).
    pub distributed_min_sources: u32,
    /// Proxy misconfiguration: at least this many attempts in the lookback before judging…
    pub proxy_min_attempts: u32,
    /// …and this share (0..=1) of them from one private or loopback address.
    pub proxy_share: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_failures: 5,
            window: Duration::minutes(10),
            lookback: Duration::hours(24),
            ipv6_prefix: 64,
            ignore_networks: Vec::new(),
            spray_min_usernames: 4,
            distributed_max_failures: 10,
            distributed_min_sources: 3,
            proxy_min_attempts: 20,
            proxy_share: 0.8,
        }
    }
}

/// What a detector found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    /// Many failures from one IP (or IPv6 prefix) in a burst.
    BruteForce,
    /// Many failures against one username from several sources.
    Distributed,
    /// Client IPs look like the reverse proxy's (warning, not an attack).
    ProxyMisconfiguration,
}

/// One finding: a burst (or a configuration problem) with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    /// The grouping key: an IP, an IPv6 prefix like `2001:db8::/64`, or a username.
    pub key: String,
    /// The source IP or prefix for IP-keyed findings.
    pub ip: Option<String>,
    /// Distinct usernames tried, sorted, capped (see `alerts`).
    pub usernames: Vec<String>,
    /// Distinct sources (distributed attacks), sorted.
    pub sources: Vec<String>,
    pub failures: u32,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// The key's latest failure is within `window` of `now`.
    pub ongoing: bool,
    /// Brute-force burst that tried at least `spray_min_usernames` distinct usernames.
    pub spraying: bool,
    /// IPv6 burst whose failures came from more than one address inside the prefix.
    pub rotating: bool,
}

/// What the detectors read from one login attempt. Implemented by [`LoginAttempt`] and by the
/// integration's own record type, so a caller can hand over what it already holds instead of
/// copying every username into a `LoginAttempt`.
pub trait Attempt {
    fn at(&self) -> DateTime<Utc>;
    /// The client IP, if the event had one.
    fn ip(&self) -> Option<IpAddr>;
    /// For failures, the attempted username.
    fn username(&self) -> &str;
    fn success(&self) -> bool;
}

impl Attempt for LoginAttempt {
    #[inline]
    fn at(&self) -> DateTime<Utc> {
        self.at
    }
    #[inline]
    fn ip(&self) -> Option<IpAddr> {
        self.ip
    }
    #[inline]
    fn username(&self) -> &str {
        &self.username
    }
    #[inline]
    fn success(&self) -> bool {
        self.success
    }
}

/// Runs every detector over `attempts` (any order) and returns the findings, sorted by
/// (kind, first_seen, key) so output is deterministic. A one-off [`Detector`]; callers that detect
/// repeatedly should keep a `Detector` instead.
pub fn detect(attempts: &[LoginAttempt], settings: &Settings, now: DateTime<Utc>) -> Vec<Finding> {
    Detector::new().detect(attempts, settings, now)
}

/// A reusable detector: the same results as [`detect`], but the working buffers (several MB for a
/// million attempts) are kept between calls, so a poller that re-runs detection every refresh does
/// not pay for fresh memory each time.
#[derive(Default)]
pub struct Detector {
    buffers: Option<table::Buffers>,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector").finish_non_exhaustive()
    }
}

impl Detector {
    pub fn new() -> Self {
        Detector::default()
    }

    /// Runs every detector over `attempts` (any order); see [`detect`].
    pub fn detect<A: Attempt>(
        &mut self,
        attempts: &[A],
        settings: &Settings,
        now: DateTime<Utc>,
    ) -> Vec<Finding> {
        let buffers = self.buffers.take().unwrap_or_default();
        let table = table::FailureTable::build(attempts, settings, now, buffers);
        let mut findings = Vec::new();
        brute_force::detect(attempts, &table, settings, now, &mut findings);
        distributed::detect(attempts, &table, settings, now, &mut findings);
        findings.extend(proxy::detect(attempts, &table.keyer, settings, now));
        self.buffers = Some(table.into_buffers());
        findings.sort_by(|a, b| {
            (&a.kind, a.first_seen, &a.key, a.last_seen, a.failures).cmp(&(
                &b.kind,
                b.first_seen,
                &b.key,
                b.last_seen,
                b.failures,
            ))
        });
        findings
    }
}

/// Whether the latest activity at `last` is still within `window` of `now` (a future `last`
/// counts as recent). This is what makes a burst "ongoing".
fn is_recent(now: DateTime<Utc>, last: DateTime<Utc>, settings: &Settings) -> bool {
    now.signed_duration_since(last) < settings.window
}
