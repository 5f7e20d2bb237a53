//! Table tests for `alerts::to_alerts`: ids, severity, order, labels, text and sanitisation.

use super::support::*;
use crate::detector::alerts::{alert_id, to_alerts, MAX_LISTED};
use crate::detector::{detect, Finding, FindingKind, LoginAttempt};
use crate::widgets::Severity;
use chrono::Duration;

fn burst_with_users(users: &[&str], from: &str, start: i64) -> Vec<LoginAttempt> {
    users
        .iter()
        .enumerate()
        .map(|(k, u)| fail(start + k as i64 * 20, from, u))
        .collect()
}

fn has_control(s: &str) -> bool {
    s.chars().any(|c| {
        c.is_control()
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    })
}

#[test]
fn brute_force_alert_reads_like_the_spec() {
    let users = [
        "admin", "root", "alice", "admin", "root", "admin", "alice", "root",
    ];
    let mut a = burst_with_users(&users, "198.51.100.23", -140);
    a[7].at = at(80); // stretch the span to 3m 40s; "now" is when the last one arrives
    let alerts = to_alerts(&detect(&a, &defaults(), at(80)), &defaults(), at(80));
    assert_eq!(alerts.len(), 1);
    let x = &alerts[0];
    assert_eq!(x.kind, "brute-force");
    assert_eq!(x.title, "Brute force from 198.51.100.23");
    assert_eq!(
        x.message,
        "8 failed logins in 3m 40s against 3 usernames (admin, alice, root) — ongoing"
    );
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(x.labels, vec!["ongoing"]);
    assert_eq!(x.ip.as_deref(), Some("198.51.100.23"));
    assert!(x.id.starts_with("bf-") && x.id.len() == 3 + 16, "{}", x.id);
}

#[test]
fn ended_bursts_are_warnings_that_say_how_long_ago() {
    let a = series(6, -2 * 3600, 10, "198.51.100.23", "admin");
    let x = &to_alerts(&detect(&a, &defaults(), t0()), &defaults(), t0())[0];
    assert_eq!(x.severity, Severity::Warning);
    assert!(x.message.ends_with("— ended 1h ago"), "{}", x.message);
    assert_eq!(x.labels, vec!["ended"]);
}

#[test]
fn distributed_and_proxy_alerts_have_their_titles_and_the_proxy_fix() {
    let mut a: Vec<_> = (0..14)
        .map(|k| fail(-420 + k * 30, &format!("203.0.113.{}", k % 6), "admin"))
        .collect();
    a[13].at = at(0); // 14 failures spanning exactly 7 minutes
    let alerts = to_alerts(&detect(&a, &defaults(), t0()), &defaults(), t0());
    let d = alerts.iter().find(|x| x.kind == "distributed").unwrap();
    assert_eq!(d.title, "Distributed attack on \"admin\"");
    assert_eq!(d.message, "14 failed logins from 6 sources in 7m — ongoing");
    assert_eq!(
        (d.ip.clone(), d.ips.len(), d.severity),
        (None, 6, Severity::Critical)
    );
    assert!(d.id.starts_with("dist-"));

    let p: Vec<_> = (0..30)
        .map(|k| {
            success(
                -3000 + k * 60,
                "10.0.0.2",
                ["alice", "bob", "carol"][k as usize % 3],
            )
        })
        .collect();
    let x = &to_alerts(&detect(&p, &defaults(), t0()), &defaults(), t0())[0];
    assert_eq!(
        (x.kind.as_str(), x.severity),
        ("proxy-misconfiguration", Severity::Warning)
    );
    assert_eq!(x.title, "Client IPs look like your reverse proxy's");
    assert!(
        x.message.contains("X-Forwarded-For")
            && x.message.contains("AUTHENTIK_LISTEN__TRUSTED_PROXY_CIDRS")
    );
    assert!(x.id.starts_with("proxy-"));
}

#[test]
fn alerts_are_loudest_first() {
    let mut a = series(6, -5 * 3600, 10, "198.51.100.1", "a"); // ended, older
    a.extend(series(6, -3600, 10, "198.51.100.2", "b")); // ended, newer
    a.extend(series(6, -300, 10, "198.51.100.3", "c")); // ongoing
    let ips: Vec<_> = to_alerts(&detect(&a, &defaults(), t0()), &defaults(), t0())
        .into_iter()
        .map(|x| x.ip.unwrap())
        .collect();
    assert_eq!(ips, vec!["198.51.100.3", "198.51.100.2", "198.51.100.1"]);
}

#[test]
fn labels_name_spraying_and_ipv6_rotation() {
    let a: Vec<_> = ["a", "b", "c", "d", "e", "f"]
        .iter()
        .enumerate()
        .map(|(k, u)| fail(-60 + k as i64, &format!("2001:db8:1:2::{k}"), u))
        .collect();
    let x = &to_alerts(&detect(&a, &defaults(), t0()), &defaults(), t0())[0];
    assert_eq!(
        x.labels,
        vec!["password-spraying", "ipv6-rotation", "ongoing"]
    );
    assert_eq!(x.title, "Brute force from 2001:db8:1:2::/64");
}

#[test]
fn ids_are_stable_across_refreshes_input_orders_and_a_growing_burst() {
    let a = series(6, -300, 10, "198.51.100.23", "admin");
    let id = |a: &[LoginAttempt], now| {
        to_alerts(&detect(a, &defaults(), now), &defaults(), now)[0]
            .id
            .clone()
    };
    let first = id(&a, t0());
    assert_eq!(id(&a, t0()), first);
    let mut reversed = a.clone();
    reversed.reverse();
    assert_eq!(id(&reversed, t0()), first);
    let mut grown = a.clone();
    grown.extend(series(5, -200, 10, "198.51.100.23", "root"));
    assert_eq!(id(&grown, t0() + Duration::minutes(5)), first);
    // A different burst of the same IP is a different alert.
    assert_ne!(
        id(&series(6, -100, 1, "198.51.100.23", "admin"), t0()),
        first
    );
}

#[test]
fn distributed_ids_ignore_which_spelling_is_displayed() {
    let f = |key: &str| Finding {
        kind: FindingKind::Distributed,
        key: key.to_owned(),
        ip: None,
        usernames: vec![],
        sources: vec![],
        failures: 11,
        first_seen: t0(),
        last_seen: t0(),
        ongoing: true,
        spraying: false,
        rotating: false,
    };
    assert_eq!(alert_id(&f("Admin")), alert_id(&f("admin")));
    assert_ne!(alert_id(&f("admin")), alert_id(&f("root")));
}

#[test]
fn attacker_usernames_are_cleaned_truncated_and_capped() {
    let junk = "x".repeat(10_000);
    let mut users: Vec<String> = vec![
        "<script>alert(1)</script>".into(),
        "admin\nInjected: line".into(),
        "evil\u{202E}gnp.exe".into(),
        "\u{2066}iso\u{2069}\u{1b}[2J".into(),
        junk,
    ];
    users.extend((0..30).map(|k| format!("user{k:02}")));
    let refs: Vec<&str> = users.iter().map(String::as_str).collect();
    let a: Vec<_> = refs
        .iter()
        .enumerate()
        .map(|(k, u)| fail(-100 + k as i64, "198.51.100.23", u))
        .collect();
    let x = &to_alerts(&detect(&a, &defaults(), t0()), &defaults(), t0())[0];
    assert_eq!(x.usernames.len(), MAX_LISTED);
    assert!(x.message.contains("+30 more"), "{}", x.message);
    for text in x.usernames.iter().chain([&x.title, &x.message]) {
        assert!(!has_control(text), "{text:?}");
        assert!(text.chars().count() <= 2000);
    }
    assert!(x.usernames.iter().all(|u| u.chars().count() <= 64));
    assert!(
        x.usernames
            .contains(&"<script>alert(1)</script>".to_owned()),
        "escaping is the page's job"
    );
    assert!(x.usernames.contains(&"adminInjected: line".to_owned()));
    assert!(x.usernames.contains(&"evilgnp.exe".to_owned()));

    let mut d: Vec<_> = (0..11)
        .map(|k| fail(-100 + k, &format!("203.0.113.{k}"), "root\n\u{202E}x"))
        .collect();
    d.push(fail(0, "203.0.113.1", "y"));
    let alerts = to_alerts(&detect(&d, &defaults(), t0()), &defaults(), t0());
    let dist = alerts.iter().find(|x| x.kind == "distributed").unwrap();
    assert_eq!(dist.title, "Distributed attack on \"rootx\"");
}
