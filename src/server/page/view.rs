//! The page's view model: what the dashboard shows, built from the app's snapshots at `now`.
//! The template renders it on `GET /`; the live stream sends it as JSON and `assets/*.js`
//! draw the same thing. Every upstream string is [`Clip`]ped here, so neither renderer has
//! to decide how long is too long.

use super::chart::{self, ChartView};
use super::text::{clip, fingerprint, humanize, Clip, SHORT};
use crate::app::{ActiveAlert, App, Snapshot};
use crate::integrations::EndpointSpec;
use crate::widgets::{Severity, WidgetData, WidgetKind};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Usernames listed on an alert before "+N more".
const MAX_USERNAMES: usize = 8;
/// Source IPs listed on a distributed-attack alert before "+N more".
const MAX_IPS: usize = 8;
/// Error text length on a card.
const ERROR_LEN: usize = 200;

/// Everything the dashboard shows.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub title: String,
    /// Server time the view was built at; the script corrects its clock by it.
    pub now: DateTime<Utc>,
    pub integrations: Vec<IntegrationView>,
    /// Alerts for the banner: neither acknowledged nor snoozed, loudest first.
    pub alerts: Vec<AlertView>,
    /// Acknowledged or snoozed alerts, hidden from the banner but listed on request.
    pub acknowledged: Vec<AlertView>,
    /// `2 acknowledged`, `1 acknowledged · 1 snoozed`.
    pub acknowledged_summary: String,
    pub cards: Vec<CardView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IntegrationView {
    pub id: String,
    /// `ok`, `degraded`, `down`, `starting`.
    pub health: &'static str,
}

/// One alert, display-ready.
#[derive(Debug, Clone, Serialize)]
pub struct AlertView {
    pub id: String,
    pub integration: String,
    pub severity: Severity,
    /// `Critical`, `Warning`, `Info`.
    pub severity_text: &'static str,
    /// `Brute force`, `Distributed`.
    pub kind: String,
    pub title: Clip,
    pub message: Clip,
    /// The attacking IP or prefix.
    pub source: Option<Clip>,
    /// Sources of a distributed attack (first few).
    pub ips: Vec<Clip>,
    pub ips_more: usize,
    pub usernames: Vec<Clip>,
    pub usernames_more: usize,
    pub failures: u32,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub ongoing: bool,
    /// `Password spraying`, `IPv6 rotation`.
    pub labels: Vec<String>,
    pub acknowledged: bool,
    /// A snooze on its IP or a username silences it for now.
    pub snoozed: bool,
    /// What the snooze button does, for screen readers: `Snooze alerts from 192.0.2.1 for 1 hour`.
    pub snooze_label: String,
    /// Fingerprint of everything above: the script redraws an alert only when it changes
    /// (redrawing a `role="alert"` makes screen readers announce it again).
    pub rev: String,
}

/// How fresh a card's data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CardState {
    /// No refresh has finished yet.
    Waiting,
    /// The latest refresh succeeded.
    Fresh,
    /// The latest refresh failed; older data is shown.
    Stale,
    /// Refreshes failed and there never was data.
    Failing,
}

/// One card: an endpoint's latest snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct CardView {
    /// `sso/login-events`.
    pub key: String,
    /// `card-sso-login-events`: integration ids are `[a-z0-9_-]`, endpoint names static.
    pub dom_id: String,
    pub integration: String,
    pub endpoint: &'static str,
    pub title: &'static str,
    pub widget: WidgetKind,
    pub state: CardState,
    pub updated_at: Option<DateTime<Utc>>,
    pub checked_at: Option<DateTime<Utc>>,
    pub error: Option<Clip>,
    pub error_class: Option<String>,
    /// The last good data; `None` before the first success.
    pub body: Option<CardBody>,
    /// Fingerprint of state, error and body: the script redraws a card only when it changes.
    pub rev: String,
}

/// What a card draws, by payload shape.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CardBody {
    Stat(StatView),
    Logins(LoginsView),
    Alerts(AlertsView),
    Items(ItemsView),
}

#[derive(Debug, Clone, Serialize)]
pub struct StatView {
    pub value: i64,
    pub stats: Vec<StatLine>,
    /// Who is behind the figure (session holders), newest first; often empty.
    pub who: Vec<WhoRow>,
}

/// One entry behind a stat card: a user, where from, when last active.
#[derive(Debug, Clone, Serialize)]
pub struct WhoRow {
    pub user: Clip,
    pub ip: Option<Clip>,
    pub place: Option<Clip>,
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatLine {
    pub label: Clip,
    pub value: i64,
}

/// The login list with its chart.
#[derive(Debug, Clone, Serialize)]
pub struct LoginsView {
    pub rows: Vec<LoginRow>,
    pub chart: Option<ChartView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoginRow {
    pub success: bool,
    pub username: Clip,
    pub ip: Option<Clip>,
    /// `Berlin, DE`.
    pub place: Option<Clip>,
    pub user_agent: Option<Clip>,
    pub at: Option<DateTime<Utc>>,
}

/// The alert endpoint as a card: every alert in the lookback, acknowledged ones included.
#[derive(Debug, Clone, Serialize)]
pub struct AlertsView {
    pub alerts: Vec<AlertView>,
}

/// Any other list: one line per item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemsView {
    pub items: Vec<Clip>,
}

/// Builds the view from the app's current state.
pub fn build(app: &App, now: DateTime<Utc>) -> PageView {
    let all: Vec<AlertView> = app.alerts().iter().map(alert_view).collect();
    let (acknowledged, alerts): (Vec<_>, Vec<_>) = all
        .iter()
        .cloned()
        .partition(|a| a.acknowledged || a.snoozed);
    let snoozed = acknowledged.iter().filter(|a| a.snoozed).count();
    let acknowledged_summary = match (acknowledged.len() - snoozed, snoozed) {
        (n, 0) => format!("{n} acknowledged"),
        (0, z) => format!("{z} snoozed"),
        (n, z) => format!("{n} acknowledged · {z} snoozed"),
    };
    let cards = card_list(app)
        .into_iter()
        .map(|(integration, spec)| {
            let snap = app.snapshot(&integration, spec.name);
            card_view(&integration, spec, &snap, &all)
        })
        .collect();
    PageView {
        title: app
            .dashboard
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| "Lookout".to_owned()),
        now,
        integrations: app
            .integrations
            .iter()
            .map(|i| IntegrationView {
                id: i.id().to_owned(),
                health: app.health(i.id()),
            })
            .collect(),
        alerts,
        acknowledged,
        acknowledged_summary,
        cards,
    }
}

/// The cards to show, in order: `dashboard.cards` when set, otherwise every endpoint of every
/// integration with stat cards first, then alerts, then lists (a calm default layout).
fn card_list(app: &App) -> Vec<(String, EndpointSpec)> {
    if let Some(keys) = &app.dashboard.cards {
        return keys
            .iter()
            .filter_map(|key| {
                let (id, endpoint) = key.split_once('/')?;
                Some((id.to_owned(), app.endpoint(id, endpoint)?))
            })
            .collect();
    }
    let mut all: Vec<(String, EndpointSpec)> = app
        .integrations
        .iter()
        .flat_map(|i| i.endpoints().iter().map(|e| (i.id().to_owned(), *e)))
        .collect();
    all.sort_by_key(|(_, e)| match e.widget {
        WidgetKind::StatCard => 0,
        WidgetKind::AlertBanner => 1,
        WidgetKind::List => 2,
    });
    all
}

fn card_view(
    integration: &str,
    spec: EndpointSpec,
    snap: &Snapshot,
    alerts: &[AlertView],
) -> CardView {
    let state = match (&snap.data, snap.stale, snap.checked_at) {
        (_, _, None) => CardState::Waiting,
        (None, true, _) => CardState::Failing,
        (Some(_), true, _) => CardState::Stale,
        (None, false, _) => CardState::Waiting,
        (Some(_), false, _) => CardState::Fresh,
    };
    let body = snap.data.as_ref().map(|data| match data {
        WidgetData::StatCard(s) => CardBody::Stat(StatView {
            value: s.value,
            stats: s
                .stats
                .iter()
                .map(|st| StatLine {
                    label: clip(&st.label, 60),
                    value: st.value,
                })
                .collect(),
            who: s.items.iter().take(10).map(who_row).collect(),
        }),
        WidgetData::List(l) => list_body(l),
        WidgetData::AlertBanner(_) => CardBody::Alerts(AlertsView {
            alerts: alerts
                .iter()
                .filter(|a| a.integration == integration)
                .cloned()
                .collect(),
        }),
    });
    let error = snap.error.as_deref().map(|e| clip(e, ERROR_LEN));
    let rev = revision(&(state, &error, &snap.error_class, &body));
    CardView {
        key: format!("{integration}/{}", spec.name),
        dom_id: format!("card-{integration}-{}", spec.name),
        integration: integration.to_owned(),
        endpoint: spec.name,
        title: spec.title,
        widget: spec.widget,
        state,
        updated_at: snap.updated_at,
        checked_at: snap.checked_at,
        error,
        error_class: snap.error_class.clone(),
        body,
        rev,
    }
}

/// A list whose items look like logins (`success` + `username`) becomes the login table.
fn list_body(l: &crate::widgets::List) -> CardBody {
    let logins = l.chart.is_some()
        || (!l.items.is_empty()
            && l.items
                .iter()
                .all(|i| i.get("success").is_some_and(|s| s.is_boolean())));
    if logins {
        return CardBody::Logins(LoginsView {
            rows: l.items.iter().map(login_row).collect(),
            chart: l.chart.as_ref().and_then(chart::build),
        });
    }
    CardBody::Items(ItemsView {
        items: l.items.iter().map(item_text).collect(),
    })
}

fn who_row(item: &serde_json::Value) -> WhoRow {
    let s = |k: &str| {
        item.get(k)
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let place = match (s("city"), s("country")) {
        (Some(city), Some(country)) => Some(format!("{city}, {country}")),
        (c, k) => c.or(k).map(str::to_owned),
    };
    WhoRow {
        user: clip(s("username").unwrap_or("?"), 32),
        ip: s("ip").map(|ip| clip(ip, 40)),
        place: place.map(|p| clip(&p, 32)),
        at: s("last_used")
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc)),
    }
}

fn login_row(item: &serde_json::Value) -> LoginRow {
    let s = |k: &str| {
        item.get(k)
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let place = match (s("city"), s("country")) {
        (Some(city), Some(country)) => Some(format!("{city}, {country}")),
        (None, Some(country)) => Some(country.to_owned()),
        (Some(city), None) => Some(city.to_owned()),
        (None, None) => None,
    };
    LoginRow {
        success: item.get("success").and_then(|v| v.as_bool()) == Some(true),
        username: clip(s("username").unwrap_or("(no username)"), SHORT),
        ip: s("ip").map(|ip| clip(ip, SHORT)),
        place: place.map(|p| clip(&p, SHORT)),
        user_agent: s("user_agent").map(|ua| clip(ua, 80)),
        at: s("timestamp").and_then(|t| DateTime::parse_from_rfc3339(t).ok().map(|t| t.into())),
    }
}

fn item_text(item: &serde_json::Value) -> Clip {
    let named = ["title", "name", "label", "username"]
        .iter()
        .find_map(|k| item.get(k).and_then(|v| v.as_str()));
    match (item.as_str(), named) {
        (Some(s), _) | (None, Some(s)) => clip(s, 80),
        _ => clip(&item.to_string(), 80),
    }
}

fn revision(v: &impl Serialize) -> String {
    fingerprint(serde_json::to_string(v).unwrap_or_default().as_bytes())
}

fn alert_view(a: &ActiveAlert) -> AlertView {
    let al = &a.alert;
    let mut v = AlertView {
        id: al.id.clone(),
        integration: a.integration.clone(),
        severity: al.severity,
        severity_text: match al.severity {
            Severity::Critical => "Critical",
            Severity::Warning => "Warning",
            Severity::Info => "Info",
        },
        kind: humanize(&al.kind),
        title: clip(&al.title, 120),
        message: clip(&al.message, 300),
        source: al.ip.as_deref().map(|ip| clip(ip, SHORT)),
        ips: al
            .ips
            .iter()
            .take(MAX_IPS)
            .map(|ip| clip(ip, SHORT))
            .collect(),
        ips_more: al.ips.len().saturating_sub(MAX_IPS),
        usernames: al
            .usernames
            .iter()
            .take(MAX_USERNAMES)
            .map(|u| clip(u, SHORT))
            .collect(),
        usernames_more: al.usernames.len().saturating_sub(MAX_USERNAMES),
        failures: al.failures,
        first_seen: al.first_seen,
        last_seen: al.last_seen,
        ongoing: al.ongoing,
        // Ongoing/ended is shown as the alert's state already.
        labels: al
            .labels
            .iter()
            .filter(|l| !matches!(l.as_str(), "ongoing" | "ended"))
            .map(|l| humanize(l))
            .collect(),
        acknowledged: a.acknowledged,
        snoozed: a.snoozed,
        // The server snoozes the IP when there is one, else the first username.
        snooze_label: match (&al.ip, al.usernames.first()) {
            (Some(ip), _) => format!("Snooze alerts from {} for 1 hour", clip(ip, SHORT).text),
            (None, Some(u)) => format!("Snooze alerts for {} for 1 hour", clip(u, SHORT).text),
            (None, None) => "Snooze for 1 hour".to_owned(),
        },
        rev: String::new(),
    };
    v.rev = revision(&v);
    v
}
