//! The four Authentik endpoints against the fake over real HTTP: known figures, the attack,
//! the request budget, and stale-on-error with recovery.

mod common;

use chrono::Utc;
use common::*;
use lookout::fake::{FakeAuthentik, Fault, NewEvent, Scenario, STANDARD};
use lookout::integrations::registry::RefreshOutput;
use lookout::widgets::WidgetData;

fn get<'a>(out: &'a RefreshOutput, name: &str) -> &'a WidgetData {
    match out.results.iter().find(|(n, _)| *n == name) {
        Some((_, Ok(d))) => d,
        Some((_, Err(e))) => panic!("{name} failed: {e}"),
        None => panic!("{name} missing"),
    }
}

fn stat(d: &WidgetData, label: &str) -> i64 {
    let WidgetData::StatCard(c) = d else {
        panic!("not a stat card")
    };
    c.stats
        .iter()
        .find(|s| s.label.starts_with(label))
        .unwrap_or_else(|| panic!("no {label}"))
        .value
}

#[tokio::test(flavor = "multi_thread")]
async fn every_endpoint_shows_the_standard_scenario_figures() {
    let fake = standard_fake().await;
    let integ = integration(&config_text(&fake, ""), &Default::default());
    let out = integ.refresh(Utc::now()).await;

    let WidgetData::StatCard(sessions) = get(&out, "sessions") else {
        panic!()
    };
    assert_eq!(sessions.value, STANDARD.sessions_total as i64);
    assert_eq!(
        stat(get(&out, "sessions"), "Users signed in"),
        STANDARD.sessions_distinct_users as i64
    );

    let WidgetData::StatCard(users) = get(&out, "user-stats") else {
        panic!()
    };
    assert_eq!(users.value, STANDARD.users_total as i64);
    let us = get(&out, "user-stats");
    assert_eq!(stat(us, "Active users"), STANDARD.users_active as i64);
    assert_eq!(stat(us, "Groups"), STANDARD.groups_total as i64);
    assert_eq!(stat(us, "Logins (24 h)"), STANDARD.logins_24h as i64);
    assert_eq!(
        stat(us, "Failed logins (24 h)"),
        STANDARD.failed_logins_24h as i64
    );

    let WidgetData::List(list) = get(&out, "login-events") else {
        panic!()
    };
    assert_eq!(list.items.len(), 20);
    let times: Vec<&str> = list
        .items
        .iter()
        .map(|i| i["timestamp"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
    for item in &list.items {
        assert!(item["username"].is_string() && item["success"].is_boolean());
        assert!(item["timestamp"].as_str().unwrap().ends_with('Z'));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_standard_burst_is_one_alert_from_the_right_ip_marked_ended() {
    let fake = standard_fake().await;
    let integ = integration(&config_text(&fake, ""), &Default::default());
    let out = integ.refresh(Utc::now()).await;
    let WidgetData::AlertBanner(banner) = get(&out, "security-alerts") else {
        panic!()
    };
    let bf: Vec<_> = banner
        .alerts
        .iter()
        .filter(|a| a.kind == "brute-force")
        .collect();
    assert_eq!(bf.len(), 1, "{:#?}", banner.alerts);
    let a = bf[0];
    assert_eq!(a.ip.as_deref(), Some(STANDARD.burst_ip));
    assert_eq!(a.failures, STANDARD.burst_failures as u32);
    let mut names = a.usernames.clone();
    names.sort();
    assert_eq!(names, ["admin", "alice", "root"]);
    assert!(!a.ongoing, "the burst was 2 h ago");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_attack_is_detected_as_ongoing_after_the_next_refresh() {
    let fake = standard_fake().await;
    let integ = integration(&config_text(&fake, ""), &Default::default());
    integ.refresh(Utc::now()).await;
    for i in 0..6 {
        fake.add_event(NewEvent::login_failed(
            &format!("user{i}"),
            "203.0.113.66",
            Utc::now(),
        ));
    }
    let out = integ.refresh(Utc::now()).await;
    let WidgetData::AlertBanner(banner) = get(&out, "security-alerts") else {
        panic!()
    };
    let live = banner
        .alerts
        .iter()
        .find(|a| a.ip.as_deref() == Some("203.0.113.66"))
        .expect("attack detected");
    assert!(live.ongoing);
    assert_eq!(live.failures, 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn exactly_max_failures_is_not_an_alert_but_one_more_is() {
    let fake = FakeAuthentik::start(Scenario::empty(Utc::now()))
        .await
        .unwrap();
    let integ = integration(&config_text(&fake, ""), &Default::default());
    for i in 0..5 {
        fake.add_event(NewEvent::login_failed(
            "admin",
            "192.0.2.50",
            Utc::now() - chrono::Duration::seconds(60 - i),
        ));
    }
    let out = integ.refresh(Utc::now()).await;
    let WidgetData::AlertBanner(b) = get(&out, "security-alerts") else {
        panic!()
    };
    assert!(
        b.alerts.is_empty(),
        "5 in 10 min must not alert: {:?}",
        b.alerts
    );
    fake.add_event(NewEvent::login_failed("admin", "192.0.2.50", Utc::now()));
    let out = integ.refresh(Utc::now()).await;
    let WidgetData::AlertBanner(b) = get(&out, "security-alerts") else {
        panic!()
    };
    assert_eq!(b.alerts.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_steady_refresh_with_nothing_new_costs_at_most_five_requests() {
    let fake = standard_fake().await;
    let integ = integration(&config_text(&fake, ""), &Default::default());
    integ.refresh(Utc::now()).await;
    fake.clear_requests();
    integ.refresh(Utc::now()).await;
    let reqs = fake.requests();
    assert!(
        reqs.len() <= 5,
        "{} requests: {:#?}",
        reqs.len(),
        reqs.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    let events: Vec<_> = reqs
        .iter()
        .filter(|r| r.path.ends_with("/events/events/"))
        .collect();
    assert_eq!(events.len(), 1, "one events request when nothing is new");
    for r in &reqs {
        let size = r
            .query
            .iter()
            .find(|(k, _)| k == "page_size")
            .map(|(_, v)| v.parse::<u32>().unwrap());
        assert!(
            size.is_some_and(|s| s <= 100),
            "{r:?} must send page_size <= 100"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_load_of_a_million_event_table_reads_only_the_lookback() {
    let now = Utc::now();
    let fake = FakeAuthentik::start(Scenario::big(now, 1_000_000, chrono::Duration::days(30), 7))
        .await
        .unwrap();
    let integ = integration(&config_text(&fake, ""), &Default::default());
    integ.refresh(now).await;
    let pages = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/events/events/"))
        .count();
    // ~1M events over 30 days, mostly logins: a day is ~1/30 of the table; 24 h at 100 a page.
    let upper = 1_000_000 / 30 / 100 + 10;
    assert!(
        pages > 1 && pages <= upper,
        "{pages} event pages (upper bound {upper})"
    );
    fake.clear_requests();
    integ.refresh(now).await;
    assert!(
        fake.requests().len() <= 5,
        "steady refresh on 1M table: {}",
        fake.requests().len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upstream_fault_keeps_last_good_data_marked_stale_and_recovers() {
    let fake = standard_fake().await;
    let text = config_text(&fake, "");
    let config = parse(&text);
    let running = lookout::serve::start(
        lookout::config::Config {
            server: lookout::config::ServerConfig {
                data_dir: tempfile::tempdir().unwrap().keep(),
                ..config.server.clone()
            },
            ..config
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let url = format!(
        "http://{}/api/v1/integrations/sso/endpoints/user-stats",
        running.addr
    );
    let client = reqwest::Client::new();
    let fetch = || async {
        client
            .get(&url)
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };

    let mut v = fetch().await;
    for _ in 0..100 {
        if !v["data"].is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        v = fetch().await;
    }
    assert_eq!(v["data"]["value"], 12);
    assert_eq!(v["stale"], false);

    fake.set_fault(Fault::Status(503));
    let mut stale = fetch().await;
    for _ in 0..100 {
        if stale["stale"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        stale = fetch().await;
    }
    assert_eq!(stale["stale"], true);
    assert_eq!(stale["data"]["value"], 12, "last good data kept");
    assert!(stale["error"].as_str().unwrap().contains("503"), "{stale}");
    assert!(!stale["error"].as_str().unwrap().contains(&fake.token()));
    let health: serde_json::Value = client
        .get(format!("http://{}/api/v1/integrations", running.addr))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["integrations"][0]["health"], "down");

    fake.clear_faults();
    let mut back = fetch().await;
    for _ in 0..150 {
        if back["stale"] == false {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        back = fetch().await;
    }
    assert_eq!(back["stale"], false, "recovers by itself: {back}");
    assert!(back["error"].is_null());
    running.shutdown().await;
}
