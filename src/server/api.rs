//! JSON API handlers (`/api/v1/...`, `/healthz`). Paths and field names are a contract.

use super::{ApiError, ServerState};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

/// Liveness plus each integration's health.
pub async fn healthz(State(s): State<ServerState>) -> Json<Value> {
    let integrations: serde_json::Map<String, Value> = s
        .app
        .integrations
        .iter()
        .map(|i| (i.id().to_owned(), json!(s.app.health(i.id()))))
        .collect();
    Json(json!({ "status": "ok", "integrations": integrations }))
}

/// Prometheus text exposition.
pub async fn metrics(State(s): State<ServerState>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        s.app.metrics.encode(),
    )
}

/// `GET /api/v1/integrations`: ids, types, endpoints with widget kinds, health.
pub async fn integrations(State(s): State<ServerState>) -> Json<Value> {
    let list: Vec<Value> = s
        .app
        .integrations
        .iter()
        .map(|i| {
            let endpoints: Vec<Value> = i
                .endpoints()
                .iter()
                .map(|e| {
                    let snap = s.app.snapshot(i.id(), e.name);
                    json!({
                        "name": e.name,
                        "widget": e.widget,
                        "title": e.title,
                        "updated_at": snap.updated_at,
                        "stale": snap.stale,
                        "error": snap.error,
                    })
                })
                .collect();
            json!({
                "id": i.id(),
                "type": i.integration_type().name(),
                "health": s.app.health(i.id()),
                "endpoints": endpoints,
            })
        })
        .collect();
    Json(json!({ "integrations": list }))
}

/// `GET /api/v1/integrations/{id}/endpoints/{endpoint}`: the latest snapshot.
pub async fn endpoint(
    State(s): State<ServerState>,
    Path((id, endpoint)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    if s.app.integration(&id).is_none() {
        return Err(ApiError::not_found(format!(
            "no integration {:?}",
            short(&id)
        )));
    }
    let spec = s.app.endpoint(&id, &endpoint).ok_or_else(|| {
        ApiError::not_found(format!(
            "integration {id:?} has no endpoint {:?}",
            short(&endpoint)
        ))
    })?;
    // Serialised once per refresh (see `App::endpoint_body`), not per request.
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        s.app.endpoint_body(&id, spec),
    ))
}

/// `POST /api/v1/integrations/{id}/test`: the connection test, live.
pub async fn test_connection(
    State(s): State<ServerState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let integ = s
        .app
        .integration(&id)
        .ok_or_else(|| ApiError::not_found(format!("no integration {:?}", short(&id))))?
        .clone();
    let report = integ.test_connection().await;
    let mut v = serde_json::to_value(report).unwrap_or_default();
    v["integration"] = json!(id);
    Ok(Json(v))
}

/// `GET /api/v1/alerts`: every active alert across integrations, loudest first.
pub async fn alerts(State(s): State<ServerState>) -> Json<Value> {
    Json(json!({ "alerts": s.app.alerts() }))
}

pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no route for {:?}", short(uri.path())),
    )
}

/// Echoed request parts are cut short.
fn short(s: &str) -> String {
    crate::integrations::http::sanitize(s, 80)
}
