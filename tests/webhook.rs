//! Authentik webhook push: authentication, size and body checks, push-to-alert latency, and a
//! flood staying within a bounded number of upstream requests.

mod common;

use chrono::Utc;
use common::*;
use lookout::fake::{FakeAuthentik, NewEvent, WebhookTarget};
use std::time::{Duration, Instant};

const SECRET: &str = "webhook-secret-for-tests-123";

fn text(fake: &FakeAuthentik) -> String {
    // Polling once an hour: anything faster than that came from the push.
    config_text(
        fake,
        &format!("[integrations.sso.webhook]\nsecret = \"{SECRET}\"\n"),
    )
    .replace("refresh = \"1s\"", "refresh = \"1h\"")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/authentik/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn post(
    addr: std::net::SocketAddr,
    auth: Option<&str>,
    body: Vec<u8>,
) -> reqwest::StatusCode {
    let mut req = reqwest::Client::new()
        .post(format!("http://{addr}/api/v1/hooks/authentik/sso"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    req.send().await.unwrap().status()
}

async fn started(fake: &FakeAuthentik) -> (lookout::serve::Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let running = serve(&text(fake), dir.path()).await;
    let addr = running.addr;
    eventually(10, "first refresh", || {
        let app = running.app.clone();
        (app.health("sso") == "ok").then_some(())
    })
    .await;
    let _ = addr;
    (running, dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_or_wrong_secret_gets_401_and_triggers_nothing() {
    let fake = standard_fake().await;
    let (lk, _dir) = started(&fake).await;
    fake.clear_requests();
    let body = fixture("webhook_login_failed.json");
    assert_eq!(post(lk.addr, None, body.clone()).await, 401);
    assert_eq!(
        post(
            lk.addr,
            Some("Bearer wrong-secret-wrong-secret"),
            body.clone()
        )
        .await,
        401
    );
    assert_eq!(
        post(lk.addr, Some(SECRET), body).await,
        401,
        "scheme required"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        fake.requests().is_empty(),
        "rejected pushes must not reach upstream"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_and_malformed_bodies_are_rejected() {
    let fake = standard_fake().await;
    let (lk, _dir) = started(&fake).await;
    let auth = format!("Bearer {SECRET}");
    let mut big = br#"{"body":""#.to_vec();
    big.extend(std::iter::repeat_n(b'a', 64 * 1024));
    big.extend(br#"","severity":"alert"}"#);
    assert_eq!(post(lk.addr, Some(&auth), big).await, 413);
    assert_eq!(post(lk.addr, Some(&auth), b"{not json".to_vec()).await, 400);
    assert_eq!(
        post(lk.addr, Some(&auth), br#"{"hello":1}"#.to_vec()).await,
        400
    );
    assert_eq!(
        post(lk.addr, Some(&auth), fixture("webhook_login_failed.json")).await,
        202
    );
    assert_eq!(
        post(
            lk.addr,
            Some(&auth),
            fixture("webhook_login_failed_custom_mapping.json")
        )
        .await,
        202
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forged_push_cannot_invent_an_attack() {
    let fake = standard_fake().await;
    let (lk, _dir) = started(&fake).await;
    let auth = format!("Bearer {SECRET}");
    for _ in 0..10 {
        post(
            lk.addr,
            Some(&auth),
            fixture("webhook_login_failed_custom_mapping.json"),
        )
        .await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let alerts = get_json(lk.addr, "/api/v1/alerts").await;
    let ips: Vec<_> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["ip"].clone())
        .collect();
    assert!(!ips.contains(&serde_json::json!("203.0.113.17")), "{ips:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_makes_the_attack_visible_in_under_two_seconds() {
    let fake = standard_fake().await;
    let (lk, _dir) = started(&fake).await;
    fake.set_webhook(Some(WebhookTarget {
        url: format!("http://{}/api/v1/hooks/authentik/sso", lk.addr),
        secret: SECRET.into(),
    }));
    for i in 0..5 {
        fake.add_event(NewEvent::login_failed(
            &format!("u{i}"),
            "203.0.113.99",
            Utc::now(),
        ));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let sixth = Instant::now();
    fake.add_event(NewEvent::login_failed("admin", "203.0.113.99", Utc::now()));
    loop {
        let alerts = get_json(lk.addr, "/api/v1/alerts").await;
        let found = alerts["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["ip"] == "203.0.113.99");
        if found {
            break;
        }
        assert!(
            sixth.elapsed() < Duration::from_secs(2),
            "no alert 2 s after the 6th failure"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_flood_costs_a_bounded_number_of_upstream_requests() {
    let fake = standard_fake().await;
    let (lk, _dir) = started(&fake).await;
    fake.clear_requests();
    let auth = format!("Bearer {SECRET}");
    let started = Instant::now();
    let body = fixture("webhook_login_failed.json");
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let (addr, auth, body) = (lk.addr, auth.clone(), body.clone());
        tasks.push(tokio::spawn(
            async move { post(addr, Some(&auth), body).await },
        ));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 202);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let secs = started.elapsed().as_secs_f64().ceil() as usize;
    let refreshes = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/events/events/"))
        .count();
    // At most one refresh per second (plus the one already pending), each ≤ 5 requests.
    assert!(refreshes <= secs + 1, "{refreshes} refreshes in {secs} s");
    assert!(
        fake.requests().len() <= 5 * (secs + 1),
        "{} requests",
        fake.requests().len()
    );
}
