//! `POST /api/v1/hooks/authentik/{id}`: Authentik's notification webhook. A push never becomes
//! an alert on its own say-so — it only asks the poller for an immediate incremental fetch from
//! the API, so a forged push cannot invent an attack. Pokes coalesce in the poller, so a flood
//! costs a bounded number of upstream requests.

use super::{ApiError, ServerState};
use crate::integrations::registry::IntegrationType;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

/// Authentik's bodies are a few KB; anything bigger is not from it.
pub const MAX_BODY: usize = 64 * 1024;

pub async fn authentik(
    State(s): State<ServerState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let integ = s
        .app
        .integration(&id)
        .filter(|i| i.integration_type() == IntegrationType::Authentik)
        .ok_or_else(|| ApiError::not_found("no authentik integration with that id"))?;
    let secret = integ.webhook_secret().ok_or_else(|| {
        ApiError::not_found("webhooks are not enabled for this integration (set webhook.secret)")
    })?;
    let presented = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .unwrap_or("");
    let ok: bool = presented
        .as_bytes()
        .ct_eq(secret.expose_secret().as_bytes())
        .into();
    if !ok {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing or wrong webhook secret",
        ));
    }
    if body.len() > MAX_BODY {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body over 64 KiB",
        ));
    }
    let kind = classify(&body).map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))?;
    s.triggers.poke(&id);
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "accepted": true, "format": kind, "refresh": "scheduled" })),
    ))
}

/// Recognises Authentik's default notification body (`body` is a text dump, not JSON) and
/// the documented custom mapping (an event with `action`).
pub fn classify(body: &[u8]) -> Result<&'static str, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("body is not JSON: {e}"))?;
    let obj = v.as_object().ok_or("body must be a JSON object")?;
    if obj.get("action").is_some_and(Value::is_string) {
        Ok("event")
    } else if obj.get("body").is_some_and(Value::is_string) && obj.contains_key("severity") {
        Ok("notification")
    } else {
        Err("unrecognised body: expected Authentik's notification (body, severity) or an event mapping (action, …)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/authentik/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn accepts_the_default_notification_and_the_custom_mapping() {
        assert_eq!(
            classify(&fixture("webhook_login_failed.json")),
            Ok("notification")
        );
        assert_eq!(
            classify(&fixture("webhook_login_failed_custom_mapping.json")),
            Ok("event")
        );
    }

    #[test]
    fn rejects_malformed_and_unrecognised_bodies() {
        assert!(classify(b"{not json")
            .unwrap_err()
            .starts_with("body is not JSON"));
        assert!(classify(b"[1,2]").is_err());
        assert!(classify(br#"{"hello":"world"}"#)
            .unwrap_err()
            .starts_with("unrecognised body"));
    }
}
