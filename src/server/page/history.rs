//! `GET /history`: every alert raised in the last N days (default 30) from the database, with
//! when it was acknowledged, and the snoozes in force. Server-rendered; no script needed.

use super::{assets, text};
use crate::server::ServerState;
use crate::storage::{HistoryEntry, Snooze};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

/// Most rows on one page.
const LIMIT: u32 = 1000;

#[derive(Template)]
#[template(path = "history.html")]
pub struct HistoryTemplate {
    pub days: i64,
    /// The range links: (days, is the current range).
    pub ranges: Vec<(i64, bool)>,
    pub rows: Vec<Row>,
    pub snoozes: Vec<Snooze>,
    pub assets: assets::Urls,
    pub now: DateTime<Utc>,
    pub persisted: bool,
}

/// One alert, with display strings cut to size (full text in the tooltip).
pub struct Row {
    pub entry: HistoryEntry,
    pub title: text::Clip,
    pub message: text::Clip,
    pub usernames: text::Clip,
}

impl HistoryTemplate {
    fn exact(&self, t: &DateTime<Utc>) -> String {
        text::exact(*t)
    }
    fn iso(&self, t: &DateTime<Utc>) -> String {
        text::iso(*t)
    }
    fn ago(&self, t: &DateTime<Utc>) -> String {
        text::ago(*t, self.now)
    }
}

#[derive(Deserialize)]
pub struct Params {
    /// How many days back (1–365).
    days: Option<i64>,
}

pub async fn page(State(s): State<ServerState>, Query(p): Query<Params>) -> Response {
    let days = p.days.unwrap_or(30).clamp(1, 365);
    let now = Utc::now();
    let entries = match s.app.history(now - Duration::days(days), LIMIT) {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(error = %e, "Alert history query failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "alert history unavailable",
            )
                .into_response();
        }
    };
    let rows = entries
        .into_iter()
        .map(|entry| Row {
            title: text::clip(&entry.alert.title, 80),
            message: text::clip(&entry.alert.message, 160),
            usernames: text::clip(&entry.alert.usernames.join(", "), 60),
            entry,
        })
        .collect();
    let page = HistoryTemplate {
        days,
        ranges: [1, 7, 30, 90].into_iter().map(|d| (d, d == days)).collect(),
        rows,
        snoozes: s.app.snoozes(),
        assets: assets::Urls::current(),
        now,
        persisted: s.app.storage().is_some(),
    };
    match page.render() {
        Ok(html) => ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "History template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "history failed to render",
            )
                .into_response()
        }
    }
}
