//! Measurements for BENCHMARKS.md, not assertions about speed: run with
//! `bash scripts/measure.sh` (release build, `--ignored --nocapture`). Each prints a table row.

mod common;

use chrono::Utc;
use common::*;
use lookout::fake::{FakeAuthentik, NewEvent, Scenario, WebhookTarget};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "measurement; run via scripts/measure.sh"]
async fn upstream_requests_per_refresh() {
    println!("| table size | first load: requests (event pages) | steady refresh: requests | refresh with 10 new events |");
    println!("| --- | --- | --- | --- |");
    for n in [1_000usize, 1_000_000] {
        let now = Utc::now();
        let fake = FakeAuthentik::start(Scenario::big(now, n, chrono::Duration::days(30), 3))
            .await
            .unwrap();
        let integ = integration(&config_text(&fake, ""), &Default::default());
        integ.refresh(now).await;
        let first = fake.requests();
        let pages = first
            .iter()
            .filter(|r| r.path.ends_with("/events/events/"))
            .count();
        fake.clear_requests();
        integ.refresh(Utc::now()).await;
        let steady = fake.requests().len();
        for i in 0..10 {
            fake.add_event(NewEvent::login(
                "alice",
                &format!("192.0.2.{i}"),
                Utc::now(),
            ));
        }
        fake.clear_requests();
        integ.refresh(Utc::now()).await;
        let fresh = fake.requests().len();
        println!(
            "| {n} events over 30 days | {} ({pages}) | {steady} | {fresh} |",
            first.len()
        );
    }
}

async fn alert_latency(push: bool, refresh: &str) -> Duration {
    let fake = FakeAuthentik::start(Scenario::standard(Utc::now()))
        .await
        .unwrap();
    let secret = "measure-webhook-secret-0123";
    let text = config_text(
        &fake,
        &format!("[integrations.sso.webhook]\nsecret = \"{secret}\"\n"),
    )
    .replace("refresh = \"1s\"", &format!("refresh = \"{refresh}\""));
    let dir = tempfile::tempdir().unwrap();
    let lk = serve(&text, dir.path()).await;
    eventually(10, "first refresh", || {
        (lk.app.health("sso") == "ok").then_some(())
    })
    .await;
    if push {
        fake.set_webhook(Some(WebhookTarget {
            url: format!("http://{}/api/v1/hooks/authentik/sso", lk.addr),
            secret: secret.into(),
        }));
    }
    for i in 0..5 {
        fake.add_event(NewEvent::login_failed(
            &format!("u{i}"),
            "203.0.113.77",
            Utc::now(),
        ));
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let t0 = Instant::now();
    fake.add_event(NewEvent::login_failed("admin", "203.0.113.77", Utc::now()));
    loop {
        let alerts = get_json(lk.addr, "/api/v1/alerts").await;
        if alerts["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["ip"] == "203.0.113.77")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let d = t0.elapsed();
    lk.shutdown().await;
    d
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "measurement; run via scripts/measure.sh"]
async fn alert_latency_push_vs_polling() {
    println!("| mode | runs | min | median | max |");
    println!("| --- | --- | --- | --- | --- |");
    for (label, push, refresh, runs) in [
        ("webhook push (polling every 30s)", true, "30s", 5),
        ("polling only, refresh = 30s (default)", false, "30s", 3),
    ] {
        let mut v = Vec::new();
        for _ in 0..runs {
            v.push(alert_latency(push, refresh).await);
        }
        v.sort();
        println!(
            "| {label} | {runs} | {:.0?} | {:.0?} | {:.0?} |",
            v[0],
            v[runs / 2],
            v[runs - 1]
        );
    }
}
