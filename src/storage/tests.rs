//! Storage: reopen keeps state, migrations are idempotent, bad files give clear errors.

use super::*;
use crate::widgets::Severity;
use chrono::Duration;

fn now() -> DateTime<Utc> {
    "2026-09-14T12:00:00Z".parse().unwrap()
}

fn alert(id: &str, ip: &str) -> Alert {
    Alert {
        id: id.into(),
        severity: Severity::Critical,
        kind: "brute-force".into(),
        title: format!("Brute force from {ip}"),
        message: "8 failed logins".into(),
        ip: Some(ip.into()),
        usernames: vec!["admin".into()],
        failures: 8,
        first_seen: now() - Duration::minutes(5),
        last_seen: now() - Duration::minutes(1),
        ongoing: true,
        labels: vec!["ongoing".into()],
        ips: vec![],
    }
}

#[test]
fn reopening_keeps_history_acks_snoozes_and_records() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Storage::open(dir.path()).unwrap();
        s.record_alerts("sso", &[alert("bf-1", "198.51.100.23")], now())
            .unwrap();
        s.acknowledge("bf-1", now()).unwrap();
        s.snooze(
            SnoozeScope::Ip,
            "203.0.113.9",
            now() + Duration::hours(1),
            now(),
        )
        .unwrap();
        s.save_records(
            "sso",
            &[("pk1".to_string(), now(), serde_json::json!({"a": 1}))],
            now() - Duration::days(1),
        )
        .unwrap();
    }
    let s = Storage::open(dir.path()).unwrap();
    assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
    assert_eq!(s.acknowledged().unwrap(), ["bf-1"]);
    let h = s.history(now() - Duration::days(30), 100).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].alert.usernames, ["admin"]);
    assert!(h[0].acknowledged_at.is_some());
    assert_eq!(s.active_snoozes(now()).unwrap().len(), 1);
    assert_eq!(
        s.load_records("sso", now() - Duration::days(1)).unwrap(),
        [r#"{"a":1}"#]
    );
}

#[test]
fn an_alert_raised_again_updates_in_place() {
    let s = Storage::in_memory().unwrap();
    s.record_alerts("sso", &[alert("bf-1", "198.51.100.23")], now())
        .unwrap();
    let mut a = alert("bf-1", "198.51.100.23");
    a.failures = 20;
    a.ongoing = false;
    s.record_alerts("sso", &[a], now() + Duration::minutes(5))
        .unwrap();
    let h = s.history(now() - Duration::days(1), 10).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].alert.failures, 20);
    assert!(!h[0].alert.ongoing);
    assert_eq!(h[0].raised_at, now());
}

#[test]
fn snoozes_expire_and_match_by_ip_or_username() {
    let s = Storage::in_memory().unwrap();
    s.snooze(
        SnoozeScope::Ip,
        "198.51.100.23",
        now() + Duration::minutes(30),
        now(),
    )
    .unwrap();
    s.snooze(
        SnoozeScope::Username,
        "admin",
        now() + Duration::minutes(10),
        now(),
    )
    .unwrap();
    let active = s.active_snoozes(now() + Duration::minutes(20)).unwrap();
    assert_eq!(active.len(), 1);
    assert!(active[0].matches(&alert("x", "198.51.100.23")));
    assert!(!active[0].matches(&alert("x", "198.51.100.24")));
    let all = s.active_snoozes(now()).unwrap();
    let by_user = all
        .iter()
        .find(|z| z.scope == SnoozeScope::Username)
        .unwrap();
    assert!(by_user.matches(&alert("x", "192.0.2.1")));
}

#[test]
fn old_records_are_dropped_at_save() {
    let s = Storage::in_memory().unwrap();
    let rec = |pk: &str, at| (pk.to_string(), at, 1);
    s.save_records(
        "sso",
        &[rec("old", now() - Duration::days(3)), rec("new", now())],
        now() - Duration::days(1),
    )
    .unwrap();
    assert_eq!(
        s.load_records("sso", now() - Duration::days(9))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_corrupt_file_gives_a_clear_startup_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(DB_FILE), vec![b'x'; 8192]).unwrap();
    let err = Storage::open(dir.path())
        .err()
        .expect("must fail")
        .to_string();
    assert!(
        err.contains("not a Lookout database or is corrupt"),
        "{err}"
    );
    assert!(err.contains(DB_FILE), "{err}");
}

#[test]
fn a_data_dir_that_cannot_be_created_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let err = Storage::open(&file.join("sub"))
        .err()
        .expect("must fail")
        .to_string();
    assert!(err.starts_with("cannot create data directory"), "{err}");
}

#[test]
fn a_database_from_a_newer_lookout_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let c = Connection::open(dir.path().join(DB_FILE)).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = Storage::open(dir.path())
        .err()
        .expect("must fail")
        .to_string();
    assert!(err.contains("newer than this Lookout"), "{err}");
}
