//! State that must survive restarts: alert history, acknowledgements, snoozes and the
//! incremental-fetch cursor — including across SIGKILL in the middle of writes.

mod common;

use chrono::{Duration, Utc};
use common::*;
use lookout::fake::{FakeAuthentik, NewEvent, Scenario};

/// A fake with `n` separate brute-force bursts (one per IP), so there are many alerts to ack.
async fn fake_with_bursts(n: u8) -> FakeAuthentik {
    let fake = FakeAuthentik::start(Scenario::standard(Utc::now()))
        .await
        .unwrap();
    for ip in 0..n {
        for k in 0..6 {
            fake.add_event(NewEvent::login_failed(
                "admin",
                &format!("203.0.113.{}", ip + 1),
                Utc::now() - Duration::minutes(30) + Duration::seconds(k),
            ));
        }
    }
    fake
}

async fn alert_ids(addr: std::net::SocketAddr) -> Vec<(String, bool)> {
    get_json(addr, "/api/v1/alerts").await["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                a["acknowledged"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn wait_alerts(addr: std::net::SocketAddr, at_least: usize) -> Vec<(String, bool)> {
    for _ in 0..200 {
        let ids = alert_ids(addr).await;
        if ids.len() >= at_least {
            return ids;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("fewer than {at_least} alerts");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_keeps_history_acks_snoozes_and_the_fetch_cursor() {
    let fake = fake_with_bursts(3).await;
    let dir = tempfile::tempdir().unwrap();
    let text = config_text(&fake, "");
    let lk = serve(&text, dir.path()).await;
    let ids = wait_alerts(lk.addr, 4).await;
    let client = csrf_client();
    let acked = &ids[0].0;
    let r = client
        .post(format!("http://{}/api/v1/alerts/{acked}/ack", lk.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let snoozed = &ids[1].0;
    let r = client
        .post(format!("http://{}/api/v1/alerts/{snoozed}/snooze", lk.addr))
        .json(&serde_json::json!({"duration": "1h"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let unknown = client
        .post(format!("http://{}/api/v1/alerts/nope/ack", lk.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    lk.shutdown().await;

    fake.clear_requests();
    let lk = serve(&text, dir.path()).await;
    let after = wait_alerts(lk.addr, 4).await;
    let events_requests = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/events/events/"))
        .count();
    assert_eq!(
        events_requests, 1,
        "restart continues from the stored cursor, not the whole lookback"
    );
    let acked_after: Vec<_> = after.iter().filter(|(_, a)| *a).map(|(id, _)| id).collect();
    assert_eq!(acked_after, [acked]);
    let all = get_json(lk.addr, "/api/v1/alerts").await;
    let snoozed_after = all["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == snoozed.as_str())
        .unwrap();
    assert_eq!(snoozed_after["snoozed"], true);
    let history = get_json(lk.addr, "/api/v1/alerts/history?since=7d").await;
    assert!(history["alerts"].as_array().unwrap().len() >= 4);
    assert_eq!(history["snoozes"].as_array().unwrap().len(), 1);
    let bad = reqwest::get(format!(
        "http://{}/api/v1/alerts/history?since=yesterday",
        lk.addr
    ))
    .await
    .unwrap();
    assert_eq!(bad.status(), 400);
    lk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_during_acknowledgements_loses_no_acknowledged_state() {
    let fake = fake_with_bursts(40).await;
    let dir = tempfile::tempdir().unwrap();
    let (config, _data) = write_config_file(dir.path(), &fake);
    let client = csrf_client();
    let mut confirmed: Vec<String> = Vec::new();
    for round in 0..3u64 {
        let (mut child, addr) = spawn_lookout(&config);
        let ids = wait_alerts(addr, 41).await;
        // Ack in parallel streams and kill the process while they are in flight.
        let todo: Vec<String> = ids
            .into_iter()
            .filter(|(_, a)| !a)
            .map(|(id, _)| id)
            .take(14)
            .collect();
        let mut tasks = Vec::new();
        for id in todo {
            let (client, url) = (
                client.clone(),
                format!("http://{addr}/api/v1/alerts/{id}/ack"),
            );
            tasks.push(tokio::spawn(async move {
                match client.post(url).send().await {
                    Ok(r) if r.status() == 200 => Some(id),
                    _ => None,
                }
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(3 + round * 7)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for t in tasks {
            if let Some(id) = t.await.unwrap() {
                confirmed.push(id);
            }
        }
        let (mut child, addr) = spawn_lookout(&config);
        let after = wait_alerts(addr, 41).await;
        for id in &confirmed {
            assert!(
                after.iter().any(|(a, acked)| a == id && *acked),
                "round {round}: acknowledged {id} was lost"
            );
        }
        child.kill().unwrap();
        child.wait().unwrap();
    }
    assert!(
        !confirmed.is_empty(),
        "some acknowledgements must have completed"
    );
}
