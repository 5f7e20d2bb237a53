//! The alert history page: lists what the database holds (30 days by default), with the
//! acknowledgement time, escaping attacker-chosen usernames.

mod common;

use chrono::Utc;
use common::*;
use lookout::fake::NewEvent;

#[tokio::test(flavor = "multi_thread")]
async fn history_lists_past_alerts_with_acknowledgements_and_escapes_usernames() {
    let fake = standard_fake().await;
    for _ in 0..6 {
        fake.add_event(NewEvent::login_failed(
            "<img src=x onerror=alert(1)>",
            "203.0.113.201",
            Utc::now(),
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let lk = serve(&config_text(&fake, ""), dir.path()).await;
    let ids = eventually(10, "two alerts", || {
        let alerts = lk.app.alerts();
        (alerts.len() >= 2).then(|| alerts.into_iter().map(|a| a.alert.id).collect::<Vec<_>>())
    })
    .await;
    let acked = csrf_client()
        .post(format!("http://{}/api/v1/alerts/{}/ack", lk.addr, ids[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(acked.status(), 200);

    let html = reqwest::get(format!("http://{}/history", lk.addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Alerts raised in the last 30 days (2)"),
        "{html}"
    );
    assert!(html.contains("Brute force from 198.51.100.23"));
    assert!(html.contains("Brute force from 203.0.113.201"));
    assert!(!html.contains("<img src=x"), "usernames must be escaped");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert_eq!(
        html.matches("<time datetime=").count(),
        3,
        "two last-seen times and one acknowledgement"
    );

    let week = reqwest::get(format!("http://{}/history?days=7", lk.addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(week.contains("aria-current=\"page\">7 d"));
    lk.shutdown().await;
}
