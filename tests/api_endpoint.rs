//! `GET /api/v1/integrations/{id}/endpoints/{endpoint}` through `router()`: the body is
//! serialised once per refresh, so it must follow every refresh — success, failure, recovery.

mod page_support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};
use page_support::*;
use serde_json::Value;
use tower::ServiceExt;

async fn get(app: &std::sync::Arc<lookout::app::App>, path: &str) -> (StatusCode, Value) {
    let res = server(app)
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    if status == StatusCode::OK {
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
    }
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

const SESSIONS: &str = "/api/v1/integrations/sso/endpoints/sessions";

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[tokio::test]
async fn the_endpoint_body_follows_every_refresh() {
    let app = app("");
    let (status, before) = get(&app, SESSIONS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        keys(&before),
        [
            "checked_at",
            "data",
            "endpoint",
            "error",
            "error_class",
            "integration",
            "stale",
            "updated_at",
            "widget"
        ]
    );
    assert_eq!(before["integration"], "sso");
    assert_eq!(before["endpoint"], "sessions");
    assert_eq!(before["widget"], "stat-card");
    assert!(before["data"].is_null() && before["checked_at"].is_null());

    let t1 = Utc::now() - Duration::minutes(2);
    apply(&app, t1, vec![("sessions", Ok(sessions(7)))]);
    let (_, fresh) = get(&app, SESSIONS).await;
    assert_eq!(fresh["data"]["value"], 7);
    assert_eq!(fresh["stale"], false);
    assert!(fresh["error"].is_null());
    assert_eq!(fresh["updated_at"], fresh["checked_at"]);

    let t2 = t1 + Duration::minutes(1);
    apply(&app, t2, vec![("sessions", Err(failure("upstream down")))]);
    let (_, stale) = get(&app, SESSIONS).await;
    assert_eq!(stale["data"]["value"], 7, "the last good data stays");
    assert_eq!(stale["stale"], true);
    assert!(stale["error"].as_str().unwrap().contains("503"));
    assert!(stale["error_class"].is_string());
    assert_eq!(stale["updated_at"], fresh["updated_at"]);
    assert_ne!(stale["checked_at"], fresh["checked_at"]);

    apply(
        &app,
        t2 + Duration::minutes(1),
        vec![("sessions", Ok(sessions(9)))],
    );
    let (_, recovered) = get(&app, SESSIONS).await;
    assert_eq!(recovered["data"]["value"], 9);
    assert_eq!(recovered["stale"], false);
    assert!(recovered["error"].is_null() && recovered["error_class"].is_null());
}

#[tokio::test]
async fn unknown_integrations_and_endpoints_are_404() {
    let app = app("");
    let (status, body) = get(&app, "/api/v1/integrations/nope/endpoints/sessions").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].as_str().unwrap().contains("nope"), "{body}");
    let (status, _) = get(&app, "/api/v1/integrations/sso/endpoints/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
