//! The JSON API's contract: paths, field names, 404s as JSON, the connection test, security
//! headers, and `data: null` before the first successful fetch.

mod common;

use common::*;
use lookout::fake::Fault;
use serde_json::Value;

async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, Value, reqwest::header::HeaderMap) {
    let r = reqwest::get(format!("http://{addr}{path}")).await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.json().await.unwrap_or(Value::Null), headers)
}

#[tokio::test(flavor = "multi_thread")]
async fn integrations_list_ids_types_endpoints_widget_kinds_and_health() {
    let fake = standard_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let lk = serve(&config_text(&fake, ""), dir.path()).await;
    eventually(10, "first refresh", || {
        (lk.app.health("sso") == "ok").then_some(())
    })
    .await;
    let (status, v, _) = get(lk.addr, "/api/v1/integrations").await;
    assert_eq!(status, 200);
    let i = &v["integrations"][0];
    assert_eq!(i["id"], "sso");
    assert_eq!(i["type"], "authentik");
    assert_eq!(i["health"], "ok");
    let kinds: Vec<(String, String)> = i["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().into(),
                e["widget"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("sessions", "stat-card"),
        ("login-events", "list"),
        ("security-alerts", "alert-banner"),
        ("user-stats", "stat-card"),
    ];
    assert_eq!(kinds, expected.map(|(a, b)| (a.to_string(), b.to_string())));

    let (status, v, _) = get(lk.addr, "/api/v1/integrations/sso/endpoints/sessions").await;
    assert_eq!(status, 200);
    for key in [
        "integration",
        "endpoint",
        "widget",
        "data",
        "updated_at",
        "stale",
        "error",
    ] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    assert_eq!(v["data"]["value"], 7);
    assert!(v["data"]["title"].is_string() && v["data"]["stats"].is_array());

    let (status, v, _) = get(
        lk.addr,
        "/api/v1/integrations/sso/endpoints/security-alerts",
    )
    .await;
    assert_eq!(status, 200);
    let alert = &v["data"]["alerts"][0];
    for key in [
        "id",
        "severity",
        "title",
        "message",
        "ip",
        "usernames",
        "failures",
        "first_seen",
        "last_seen",
        "ongoing",
    ] {
        assert!(alert.get(key).is_some(), "alert lacks {key}: {alert}");
    }
    let (_, v, _) = get(lk.addr, "/api/v1/integrations/sso/endpoints/login-events").await;
    assert!(v["data"]["title"].is_string() && v["data"]["items"].is_array());
    lk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_ids_endpoints_and_routes_are_404_json_errors() {
    let fake = standard_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let lk = serve(&config_text(&fake, ""), dir.path()).await;
    for path in [
        "/api/v1/integrations/nope/endpoints/sessions",
        "/api/v1/integrations/sso/endpoints/nope",
        "/api/v1/nothing-here",
    ] {
        let (status, v, headers) = get(lk.addr, path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(v["status"], 404, "{path}: {v}");
        assert!(v["error"].is_string(), "{path}: {v}");
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
    }
    let long = format!("/api/v1/integrations/{}/endpoints/x", "a".repeat(5000));
    let (status, v, _) = get(lk.addr, &long).await;
    assert_eq!(status, 404);
    assert!(
        v["error"].as_str().unwrap().len() < 300,
        "echoed input is cut short"
    );
    lk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn data_is_null_before_the_first_successful_fetch_and_the_error_is_shown() {
    let fake = standard_fake().await;
    fake.set_fault(Fault::Status(500));
    let dir = tempfile::tempdir().unwrap();
    let lk = serve(&config_text(&fake, ""), dir.path()).await;
    eventually(10, "first attempt", || {
        (lk.app.health("sso") == "down").then_some(())
    })
    .await;
    let (_, v, _) = get(lk.addr, "/api/v1/integrations/sso/endpoints/user-stats").await;
    assert!(v["data"].is_null());
    assert_eq!(v["stale"], true);
    assert!(v["error"].as_str().unwrap().contains("500"), "{v}");
    lk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_connection_test_is_served_as_json_without_the_token() {
    let fake = standard_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let lk = serve(&config_text(&fake, ""), dir.path()).await;
    let r = csrf_client()
        .post(format!("http://{}/api/v1/integrations/sso/test", lk.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(!text.contains(&fake.token()));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["integration"], "sso");
    assert_eq!(v["ok"], true);
    assert_eq!(
        v["summary"],
        "ok — authenticated as lookout-svc, authentik 2026.8.5"
    );
    lk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_response_carries_strict_security_headers() {
    let fake = standard_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let lk = serve(&config_text(&fake, ""), dir.path()).await;
    for path in ["/", "/api/v1/alerts", "/healthz", "/nope"] {
        let r = reqwest::get(format!("http://{}{path}", lk.addr))
            .await
            .unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(h.contains_key("x-request-id"), "{path} has a request id");
    }
    lk.shutdown().await;
}
