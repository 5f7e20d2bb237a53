//! Widget payloads: plain serialisable data, no HTML. The field names are a contract with API
//! clients and the page (`stat-card`, `list`, `alert-banner`); add fields, never rename.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The kinds of widget an endpoint can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WidgetKind {
    StatCard,
    List,
    AlertBanner,
}

impl WidgetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WidgetKind::StatCard => "stat-card",
            WidgetKind::List => "list",
            WidgetKind::AlertBanner => "alert-banner",
        }
    }
}

/// A payload for one widget. Serialised untagged: the kind travels beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WidgetData {
    StatCard(StatCard),
    List(List),
    AlertBanner(AlertBanner),
}

impl WidgetData {
    pub fn kind(&self) -> WidgetKind {
        match self {
            WidgetData::StatCard(_) => WidgetKind::StatCard,
            WidgetData::List(_) => WidgetKind::List,
            WidgetData::AlertBanner(_) => WidgetKind::AlertBanner,
        }
    }
}

/// One headline number with secondary figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatCard {
    pub title: String,
    pub value: i64,
    pub stats: Vec<Stat>,
    /// Entries behind the figure, newest first (e.g. who holds the sessions: `username`, `ip`,
    /// `country`, `city`, `last_used`); absent when the endpoint has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<serde_json::Value>,
}

/// A secondary figure on a stat card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    pub label: String,
    pub value: i64,
}

/// A titled list of items; items are free-form objects whose fields the endpoint documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct List {
    pub title: String,
    pub items: Vec<serde_json::Value>,
    /// Extra data for richer renderings (e.g. the 24 h login chart); absent when not provided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<serde_json::Value>,
}

/// The alerts an integration currently raises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AlertBanner {
    pub alerts: Vec<Alert>,
}

/// How loud an alert is; ordered so that sorting descending puts the loudest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

/// One security alert as the banner shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable across refreshes for the same burst, so acknowledgements stick.
    pub id: String,
    pub severity: Severity,
    /// What kind of finding: `brute-force`, `distributed`, `proxy-misconfiguration`.
    pub kind: String,
    pub title: String,
    pub message: String,
    /// The attacking IP, or the IPv6 prefix (`2001:db8::/64`); null when not keyed by IP.
    pub ip: Option<String>,
    pub usernames: Vec<String>,
    pub failures: u32,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub ongoing: bool,
    /// Extra labels such as `password-spraying` or `ipv6-rotation`.
    #[serde(default)]
    pub labels: Vec<String>,
    /// For distributed attacks: the source IPs (or prefixes) involved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<String>,
}
