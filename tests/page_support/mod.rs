//! Shared by the `page_*` tests: an `App` with one Authentik integration that is never polled,
//! fed hand-made snapshots through `App::apply`, and the router over it.
#![allow(dead_code)]

use axum::extract::connect_info::MockConnectInfo;
use chrono::{DateTime, Duration, Utc};
use lookout::app::App;
use lookout::config::auth::AuthConfig;
use lookout::config::Config;
use lookout::integrations::http::UpstreamError;
use lookout::integrations::registry::RefreshOutput;
use lookout::poller::Triggers;
use lookout::server::auth::AuthState;
use lookout::server::{router, ServerState};
use lookout::widgets::{Alert, AlertBanner, List, Severity, Stat, StatCard, WidgetData};
use serde_json::json;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

pub const XSS_IMG: &str = "<img src=x onerror=alert(1)>";
pub const XSS_SCRIPT: &str = "\"><script>alert(1)</script>";

/// An app with integration `sso` (pointing nowhere; nothing polls it). `extra` is appended to
/// the config, e.g. a `[dashboard]` table.
pub fn app(extra: &str) -> Arc<App> {
    let text = format!(
        r#"
[integrations.sso]
type = "authentik"
url = "http://127.0.0.1:9"
[integrations.sso.auth]
api-token = "test-token"
{extra}
"#
    );
    let config = Config::parse_with_env(&text, Path::new("."), &|_| None).expect("test config");
    let integrations = config
        .integrations
        .iter()
        .map(|(id, c)| {
            c.build(id, &Default::default())
                .expect("integration builds")
        })
        .collect();
    App::new(integrations, config.dashboard, None, Default::default()).expect("app builds")
}

/// The router as `serve` builds it, without access control (`mode = none`), as if every
/// request came from loopback.
pub fn server(app: &Arc<App>) -> axum::Router {
    router(ServerState {
        app: app.clone(),
        triggers: Triggers::default(),
        auth: Arc::new(AuthState::new(AuthConfig::none())),
    })
    .layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))))
}

/// Feeds `app` one refresh of integration `sso`.
pub fn apply(
    app: &App,
    now: DateTime<Utc>,
    results: Vec<(&'static str, Result<WidgetData, UpstreamError>)>,
) {
    app.apply("sso", RefreshOutput { results }, now);
}

pub fn failure(detail: &str) -> UpstreamError {
    UpstreamError::UnexpectedStatus {
        endpoint: "events/events/".into(),
        status: 503,
        excerpt: detail.into(),
    }
}

pub fn sessions(value: i64) -> WidgetData {
    WidgetData::StatCard(StatCard {
        items: Vec::new(),
        title: "Active sessions".into(),
        value,
        stats: vec![
            Stat {
                label: "Users signed in".into(),
                value: 9,
            },
            Stat {
                label: "Distinct IPs".into(),
                value: 7,
            },
        ],
    })
}

pub fn user_stats() -> WidgetData {
    WidgetData::StatCard(StatCard {
        items: Vec::new(),
        title: "Users".into(),
        value: 1234,
        stats: vec![
            Stat {
                label: "Active users".into(),
                value: 1200,
            },
            Stat {
                label: "Failed logins (24 h)".into(),
                value: 17,
            },
        ],
    })
}

/// A login as `transform::login_list` writes it.
pub fn login(username: &str, ip: &str, success: bool, at: DateTime<Utc>) -> serde_json::Value {
    json!({
        "id": format!("{username}-{}", at.timestamp()),
        "username": username,
        "ip": ip,
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "success": success,
        "country": "DE",
        "city": "Berlin",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
    })
}

pub fn logins(items: Vec<serde_json::Value>, now: DateTime<Utc>) -> WidgetData {
    let mut success = vec![0u32; 144];
    let mut failed = vec![0u32; 144];
    for (i, v) in success.iter_mut().enumerate() {
        *v = ((i * 7) % 5) as u32;
    }
    failed[130] = 8;
    failed[60] = 2;
    let start = now - Duration::hours(24);
    WidgetData::List(List {
        title: "Logins".into(),
        items,
        chart: Some(json!({
            "start": start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "bucket_seconds": 600,
            "success": success,
            "failed": failed,
            "threshold": 5,
            "threshold_is_per_window": true,
        })),
    })
}

pub fn alert(id: &str, severity: Severity, ip: &str, at: DateTime<Utc>, ongoing: bool) -> Alert {
    Alert {
        id: id.into(),
        severity,
        kind: "brute-force".into(),
        title: format!("Brute force from {ip}"),
        message: format!("8 failed logins from {ip} within 4 minutes"),
        ip: Some(ip.into()),
        usernames: vec!["admin".into(), "root".into(), "alice".into()],
        failures: 8,
        first_seen: at - Duration::minutes(4),
        last_seen: at,
        ongoing,
        labels: vec![],
        ips: vec![],
    }
}

pub fn banner(alerts: Vec<Alert>) -> WidgetData {
    WidgetData::AlertBanner(AlertBanner { alerts })
}

/// A full, healthy refresh with ordinary data and one ended brute force.
pub fn healthy(app: &App, now: DateTime<Utc>) {
    apply(
        app,
        now,
        vec![
            ("sessions", Ok(sessions(12))),
            (
                "login-events",
                Ok(logins(
                    vec![
                        login("alice", "192.0.2.10", true, now - Duration::minutes(3)),
                        login("admin", "198.51.100.23", false, now - Duration::hours(2)),
                    ],
                    now,
                )),
            ),
            (
                "security-alerts",
                Ok(banner(vec![alert(
                    "bf-198.51.100.23",
                    Severity::Critical,
                    "198.51.100.23",
                    now - Duration::hours(2),
                    false,
                )])),
            ),
            ("user-stats", Ok(user_stats())),
        ],
    );
}

/// Every upstream string slot filled with markup.
pub fn hostile(app: &lookout::app::App) {
    let now = Utc::now();
    let mut a: Alert = alert(
        "bf-<x>",
        Severity::Critical,
        XSS_SCRIPT,
        now - Duration::minutes(1),
        true,
    );
    a.usernames = vec![XSS_IMG.into(), XSS_SCRIPT.into()];
    a.title = format!("Brute force {XSS_IMG}");
    a.message = XSS_SCRIPT.into();
    a.labels = vec!["<b>label</b>".into()];
    let mut first = login(XSS_IMG, XSS_SCRIPT, false, now - Duration::minutes(1));
    first["country"] = XSS_SCRIPT.into();
    first["city"] = XSS_IMG.into();
    first["user_agent"] = XSS_SCRIPT.into();
    apply(
        app,
        now,
        vec![
            (
                "sessions",
                Ok(WidgetData::StatCard(StatCard {
                    items: Vec::new(),
                    title: XSS_IMG.into(),
                    value: 3,
                    stats: vec![Stat {
                        label: XSS_SCRIPT.into(),
                        value: 1,
                    }],
                })),
            ),
            (
                "login-events",
                Ok(logins(
                    vec![first, login(XSS_SCRIPT, "::1", true, now)],
                    now,
                )),
            ),
            ("security-alerts", Ok(banner(vec![a]))),
            ("user-stats", Err(failure(XSS_IMG))),
        ],
    );
}
