//! Alert actions and history: acknowledge (`POST /api/v1/alerts/{id}/ack`), snooze
//! (`POST /api/v1/alerts/{id}/snooze`) and `GET /api/v1/alerts/history`.

use super::{ApiError, ServerState};
use crate::config::Dur;
use crate::storage::SnoozeScope;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

/// Longest snooze: past this, fix the cause (ignore-networks) instead.
const MAX_SNOOZE: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

/// Acknowledges (dismisses) an alert; durable before the answer is sent.
pub async fn ack(
    State(s): State<ServerState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    match s.app.acknowledge(&id) {
        Ok(true) => Ok(Json(json!({ "id": id, "acknowledged": true }))),
        Ok(false) => Err(ApiError::not_found("no current alert with that id")),
        Err(e) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            e.to_string(),
        )),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnoozeRequest {
    /// How long, e.g. `1h`.
    duration: String,
    /// What to silence: the alert's IP (default for IP alerts) or a username.
    #[serde(default)]
    scope: Option<SnoozeScope>,
    /// For `scope = username`: which of the alert's usernames (default: the first).
    #[serde(default)]
    value: Option<String>,
}

/// Silences an alert's IP (or a username) for a while.
pub async fn snooze(
    State(s): State<ServerState>,
    Path(id): Path<String>,
    Json(req): Json<SnoozeRequest>,
) -> Result<Json<Value>, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    let dur: Dur = req
        .duration
        .parse()
        .map_err(|e: String| bad(format!("duration: {e}")))?;
    if dur.0.is_zero() || dur.0 > MAX_SNOOZE {
        return Err(bad("duration: must be between 1s and 30 days".into()));
    }
    let alert = s
        .app
        .alerts()
        .into_iter()
        .find(|a| a.alert.id == id)
        .ok_or_else(|| ApiError::not_found("no current alert with that id"))?
        .alert;
    let scope = req.scope.unwrap_or(if alert.ip.is_some() {
        SnoozeScope::Ip
    } else {
        SnoozeScope::Username
    });
    let value = match scope {
        SnoozeScope::Ip => alert
            .ip
            .clone()
            .ok_or_else(|| bad("scope: this alert has no IP; snooze a username".into()))?,
        SnoozeScope::Username => match req.value {
            Some(v) if alert.usernames.contains(&v) => v,
            Some(_) => return Err(bad("value: not one of the alert's usernames".into())),
            None => alert
                .usernames
                .first()
                .cloned()
                .ok_or_else(|| bad("scope: this alert has no username".into()))?,
        },
    };
    let snooze = s
        .app
        .snooze(scope, &value, dur.as_chrono())
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(json!({ "snooze": snooze })))
}

#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    /// RFC 3339 time, or a duration back from now (`7d`). Default: 30 days.
    since: Option<String>,
    /// At most this many (default 100, max 1000).
    limit: Option<u32>,
}

/// Every alert raised since `since`, newest first, with acknowledgement times.
pub async fn history(
    State(s): State<ServerState>,
    Query(q): Query<HistoryQuery>,
) -> Result<Json<Value>, ApiError> {
    let now = Utc::now();
    let since = match q.since.as_deref() {
        None => now - chrono::Duration::days(30),
        Some(text) => parse_since(text, now).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "since: use an RFC 3339 time or a duration such as 7d",
            )
        })?,
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let entries = s
        .app
        .history(since, limit)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(
        json!({ "since": since, "alerts": entries, "snoozes": s.app.snoozes() }),
    ))
}

fn parse_since(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let d: Dur = text.parse().ok()?;
    Some(now - d.as_chrono())
}
