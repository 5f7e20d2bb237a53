//! Table tests for the pure payload transforms.

use super::*;
use crate::integrations::authentik::records::LoginRecord;

fn now() -> DateTime<Utc> {
    "2026-09-14T12:00:00Z".parse().unwrap()
}

fn rec(pk: &str, mins_ago: i64, success: bool, user: &str, ip: &str) -> LoginRecord {
    LoginRecord {
        pk: pk.into(),
        at: now() - Duration::minutes(mins_ago),
        success,
        username: user.into(),
        ip: ip.parse().ok(),
        country: Some("DE".into()),
        city: None,
        user_agent: None,
    }
}

fn session(user: i64, ip: &str, mins_ago: i64) -> Session {
    Session {
        uuid: None,
        user: Some(user),
        last_ip: Some(ip.into()),
        last_used: Some(now() - Duration::minutes(mins_ago)),
        geo_ip: None,
    }
}

#[test]
fn sessions_card_counts_total_distinct_users_ips_and_recent_use() {
    let s = [
        session(1, "192.0.2.1", 5),
        session(1, "192.0.2.2", 90),
        session(2, "192.0.2.1", 10),
    ];
    let names = std::collections::HashMap::from([(1, "alice".to_string())]);
    let card = sessions_card(3, &s, &names, now());
    assert_eq!(card.value, 3);
    let v: Vec<_> = card
        .stats
        .iter()
        .map(|s| (s.label.as_str(), s.value))
        .collect();
    assert_eq!(
        v,
        [
            ("Users signed in", 2),
            ("Distinct IPs", 2),
            ("Used in the last hour", 2)
        ]
    );
    let partial = sessions_card(250, &s, &names, now());
    assert!(partial.stats[0].label.ends_with("(first page)"));
    // Who holds them, most recently used first; unknown pks are shown by number.
    let who: Vec<(&str, &str)> = card
        .items
        .iter()
        .map(|i| (i["username"].as_str().unwrap(), i["ip"].as_str().unwrap()))
        .collect();
    assert_eq!(
        who,
        [
            ("alice", "192.0.2.1"),
            ("user #2", "192.0.2.1"),
            ("alice", "192.0.2.2")
        ]
    );
    assert_eq!(card.items[0]["last_used"], "2026-09-14T11:55:00Z");
}

#[test]
fn user_stats_counts_logins_and_failures_in_the_last_24_hours_only() {
    let records = [
        rec("a", 1, true, "alice", "192.0.2.1"),
        rec("b", 2, false, "admin", "192.0.2.9"),
        rec("c", 3, false, "admin", "192.0.2.9"),
        rec("old", 25 * 60, true, "alice", "192.0.2.1"),
    ];
    let card = user_stats_card(
        Counts {
            users: 12,
            active_users: 10,
            groups: 4,
        },
        &records,
        now(),
    );
    assert_eq!(card.value, 12);
    let v: Vec<_> = card.stats.iter().map(|s| s.value).collect();
    assert_eq!(v, [10, 4, 1, 2]);
}

#[test]
fn login_list_is_newest_first_capped_and_carries_the_contract_fields() {
    let records: Vec<_> = (0..30)
        .map(|i| rec(&format!("e{i}"), i, i % 3 != 0, "bob", "198.51.100.7"))
        .collect();
    let list = login_list(&records, 20, &detector::Settings::default(), now());
    assert_eq!(list.items.len(), 20);
    let first = &list.items[0];
    assert_eq!(first["id"], "e0");
    assert_eq!(first["username"], "bob");
    assert_eq!(first["ip"], "198.51.100.7");
    assert_eq!(first["timestamp"], "2026-09-14T12:00:00Z");
    assert_eq!(first["success"], false);
    assert_eq!(first["country"], "DE");
}

#[test]
fn chart_buckets_a_day_by_the_detection_window_with_the_threshold() {
    let records = [
        rec("a", 1, true, "u", "192.0.2.1"),
        rec("b", 1, false, "u", "192.0.2.1"),
        rec("c", 15, false, "u", "192.0.2.1"),
    ];
    let list = login_list(&records, 20, &detector::Settings::default(), now());
    let chart = list.chart.unwrap();
    assert_eq!(chart["bucket_seconds"], 600);
    assert_eq!(chart["threshold"], 5);
    let failed: Vec<u64> = serde_json::from_value(chart["failed"].clone()).unwrap();
    let success: Vec<u64> = serde_json::from_value(chart["success"].clone()).unwrap();
    assert_eq!(failed.len(), 144);
    assert_eq!(failed.iter().sum::<u64>(), 2);
    assert_eq!(success.iter().sum::<u64>(), 1);
    // The last bucket is the one holding "now" (12:00–12:10); 11:59 and 11:45 fall before it.
    assert_eq!((failed[143], failed[142], failed[141]), (0, 1, 1));
}

#[test]
fn a_brute_force_from_the_proxy_address_is_marked_and_not_critical() {
    // 30 failures and logins from one private address by many users: the proxy is hiding clients.
    let records: Vec<_> = (0..40)
        .map(|i| {
            rec(
                &format!("p{i}"),
                i / 4,
                i % 2 == 0,
                &format!("user{}", i % 7),
                "10.0.0.2",
            )
        })
        .collect();
    let banner = security_alerts(&records, &detector::Settings::default(), now());
    let proxy = banner
        .alerts
        .iter()
        .find(|a| a.kind == "proxy-misconfiguration")
        .expect("proxy warning");
    assert_eq!(proxy.ip.as_deref(), Some("10.0.0.2"));
    let bf = banner
        .alerts
        .iter()
        .find(|a| a.kind == "brute-force")
        .expect("burst from the proxy address");
    assert!(bf.labels.contains(&"proxy-address".to_string()));
    assert!(bf.severity <= crate::widgets::Severity::Warning);
    assert!(bf.message.contains("reverse proxy"));
}
