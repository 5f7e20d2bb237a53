//! Table tests for rule 3 (distributed attack on one username).

use super::support::*;
use crate::detector::{detect, Finding, FindingKind, LoginAttempt, Settings};

fn distributed(attempts: &[LoginAttempt], s: &Settings) -> Vec<Finding> {
    detect(attempts, s, t0())
        .into_iter()
        .filter(|f| f.kind == FindingKind::Distributed)
        .collect()
}

fn from_ips(n: usize, per_ip: usize, user: &str) -> Vec<LoginAttempt> {
    (0..n * per_ip)
        .map(|k| fail(-600 + k as i64 * 5, &format!("203.0.113.{}", k % n), user))
        .collect()
}

#[test]
fn forty_ips_trying_admin_twice_each_is_a_distributed_attack() {
    let a = from_ips(40, 2, "admin");
    let d = distributed(&a, &defaults());
    assert_eq!(d.len(), 1);
    assert_eq!(
        (
            d[0].key.as_str(),
            d[0].failures,
            d[0].sources.len(),
            d[0].ip.clone()
        ),
        ("admin", 80, 40, None)
    );
    assert!(d[0].ongoing);
    // No IP crossed max_failures, so no brute-force finding: only the username rule sees this.
    assert!(of_kind(&detect(&a, &defaults(), t0()), FindingKind::BruteForce).is_empty());
}

#[test]
fn too_few_sources_is_not_distributed_but_enough_is() {
    assert!(distributed(&from_ips(2, 6, "admin"), &defaults()).is_empty());
    assert_eq!(distributed(&from_ips(3, 4, "admin"), &defaults()).len(), 1);
}

#[test]
fn exactly_distributed_max_failures_is_not_enough() {
    assert!(distributed(&from_ips(10, 1, "admin"), &defaults()).is_empty());
    assert_eq!(distributed(&from_ips(11, 1, "admin"), &defaults()).len(), 1);
}

#[test]
fn failures_without_usable_ip_count_but_add_no_source() {
    let mut a = from_ips(3, 2, "admin");
    a.extend((0..5).map(|k| fail_no_ip(-100 + k, "admin")));
    a.extend(series(5, -90, 1, "255.255.255.255", "admin"));
    let d = distributed(&a, &defaults());
    assert_eq!((d[0].failures, d[0].sources.len()), (16, 3));
    let only_unknown: Vec<_> = (0..30).map(|k| fail_no_ip(-100 + k, "admin")).collect();
    assert!(distributed(&only_unknown, &defaults()).is_empty());
}

#[test]
fn usernames_match_case_insensitively_and_show_the_most_frequent_spelling() {
    let users = [
        "Admin", "admin ", "ADMIN", "Admin", "admin", "Admin", "Admin", "admin", "Admin", "Admin",
        "Admin", "root",
    ];
    let a: Vec<_> = users
        .iter()
        .enumerate()
        .map(|(k, u)| fail(-60 + k as i64, &format!("203.0.113.{k}"), u))
        .collect();
    let d = distributed(&a, &defaults());
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].key, "Admin");
    assert_eq!(d[0].failures, 11);
    assert_eq!(d[0].usernames, vec!["ADMIN", "Admin", "admin", "admin "]);
}

#[test]
fn sources_are_keys_so_one_ipv6_64_is_one_source_and_sorted_ipv4_first() {
    let mut a: Vec<_> = (0..9)
        .map(|k| fail(-60 + k, &format!("2001:db8:1:2::{k:x}"), "admin"))
        .collect();
    a.push(fail(-10, "203.0.113.10", "admin"));
    a.push(fail(-9, "203.0.113.9", "admin"));
    let s = Settings {
        max_failures: 100,
        ..defaults()
    };
    let d = distributed(&a, &s);
    assert_eq!(
        d[0].sources,
        vec!["203.0.113.9", "203.0.113.10", "2001:db8:1:2::/64"]
    );
}
