//! Test-control routes under `/_fake/` (outside Authentik's API namespace), so tests in other
//! languages (the browser tests) and `lookout demo` can stage events and faults; and webhook
//! delivery in Authentik's default notification shape.

use super::server::Shared;
use super::{Fault, NewEvent, WebhookTarget};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_fake/events", post(add_event))
        .route("/_fake/fault", post(set_fault).delete(clear_fault))
        .route("/_fake/webhook", post(set_webhook).delete(clear_webhook))
}

#[derive(Deserialize)]
struct EventBody {
    action: String,
    username: String,
    #[serde(default)]
    ip: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    user_agent: Option<String>,
}

async fn add_event(State(s): State<Arc<Shared>>, Json(b): Json<EventBody>) -> StatusCode {
    let mut ev = NewEvent::new(&b.action, &b.username, "", Utc::now());
    ev.ip = b.ip;
    ev.country = b.country;
    ev.user_agent = b.user_agent;
    super::add_event(&s, ev);
    StatusCode::CREATED
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum FaultBody {
    Status { status: u16 },
    Down,
    Delay { ms: u64 },
    Html,
    Malformed,
    Truncated,
    WrongTypes,
}

async fn set_fault(State(s): State<Arc<Shared>>, Json(b): Json<FaultBody>) -> StatusCode {
    let fault = match b {
        FaultBody::Status { status } => Fault::Status(status),
        FaultBody::Down => Fault::ResetConnection,
        FaultBody::Delay { ms } => Fault::Delay(std::time::Duration::from_millis(ms)),
        FaultBody::Html => Fault::HtmlErrorPage,
        FaultBody::Malformed => Fault::MalformedJson,
        FaultBody::Truncated => Fault::TruncatedJson,
        FaultBody::WrongTypes => Fault::WrongTypes,
    };
    s.faults.lock().expect("faults lock").global = Some(fault);
    StatusCode::NO_CONTENT
}

async fn clear_fault(State(s): State<Arc<Shared>>) -> StatusCode {
    *s.faults.lock().expect("faults lock") = Default::default();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct WebhookBody {
    url: String,
    secret: String,
}

async fn set_webhook(State(s): State<Arc<Shared>>, Json(b): Json<WebhookBody>) -> StatusCode {
    *s.webhook.lock().expect("webhook lock") = Some(WebhookTarget {
        url: b.url,
        secret: b.secret,
    });
    StatusCode::NO_CONTENT
}

async fn clear_webhook(State(s): State<Arc<Shared>>) -> StatusCode {
    *s.webhook.lock().expect("webhook lock") = None;
    StatusCode::NO_CONTENT
}

/// POSTs Authentik's default notification body for a failed login, in the background.
pub(crate) fn send_webhook(target: WebhookTarget, username: String) {
    let body = json!({
        "body": format!("login_failed: {{'password': '********************', 'username': '{username}'}}"),
        "severity": "alert",
        "user_email": "secops@example.com",
        "user_username": "secops",
        "event_user_email": username,
        "event_user_username": username,
    });
    tokio::spawn(async move {
        let client = reqwest::Client::new();
        let res = client
            .post(&target.url)
            .bearer_auth(&target.secret)
            .json(&body)
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await;
        if let Err(e) = res {
            tracing::debug!(error = %e, "fake authentik: webhook delivery failed");
        }
    });
}
