//! Table tests for rule 4 (reverse-proxy misconfiguration).

use super::support::*;
use crate::detector::{detect, is_internal, Finding, FindingKind, LoginAttempt, Settings};

fn proxy(attempts: &[LoginAttempt], s: &Settings) -> Vec<Finding> {
    detect(attempts, s, t0())
        .into_iter()
        .filter(|f| f.kind == FindingKind::ProxyMisconfiguration)
        .collect()
}

/// `n` logins from `from` cycling through `users`, every other one failed.
fn traffic(n: usize, from: &str, users: &[&str]) -> Vec<LoginAttempt> {
    (0..n)
        .map(|k| {
            let a = if k % 2 == 0 { success } else { fail };
            a(-3000 + k as i64 * 60, from, users[k % users.len()])
        })
        .collect()
}

#[test]
fn most_logins_from_one_private_ip_for_many_users_is_a_proxy_misconfiguration() {
    let mut a = traffic(40, "172.18.0.5", &["alice", "bob", "carol", "dave"]);
    a.extend(traffic(4, "198.51.100.7", &["erin"]));
    let p = proxy(&a, &defaults());
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0].key.as_str(), p[0].ip.as_deref(), p[0].failures),
        ("172.18.0.5", Some("172.18.0.5"), 20)
    );
    assert_eq!(p[0].usernames, vec!["alice", "bob", "carol", "dave"]);
    assert_eq!(
        (p[0].first_seen, p[0].last_seen),
        (at(-3000), at(-3000 + 39 * 60))
    );
}

#[test]
fn one_person_homelab_on_one_lan_ip_is_not_a_proxy() {
    assert!(proxy(
        &traffic(50, "192.168.1.20", &["alice", "Alice", " alice"]),
        &defaults()
    )
    .is_empty());
    assert!(proxy(&traffic(50, "192.168.1.20", &["alice", "bob"]), &defaults()).is_empty());
}

#[test]
fn a_public_majority_address_is_not_a_proxy() {
    assert!(proxy(&traffic(50, "198.51.100.7", &["a", "b", "c"]), &defaults()).is_empty());
}

#[test]
fn ignore_networks_silences_the_warning() {
    let s = Settings {
        ignore_networks: vec!["172.16.0.0/12".parse().unwrap()],
        ..defaults()
    };
    assert!(proxy(&traffic(40, "172.18.0.5", &["a", "b", "c"]), &s).is_empty());
}

#[test]
fn too_few_attempts_or_too_small_a_share_is_not_judged() {
    assert!(proxy(&traffic(19, "10.0.0.2", &["a", "b", "c"]), &defaults()).is_empty());
    let mut a = traffic(30, "10.0.0.2", &["a", "b", "c"]);
    a.extend(traffic(10, "198.51.100.7", &["d"]));
    assert!(proxy(&a, &defaults()).is_empty(), "30 of 40 is below 80 %");
    let s = Settings {
        proxy_share: 0.7,
        ..defaults()
    };
    assert_eq!(proxy(&a, &s).len(), 1);
}

#[test]
fn attempts_outside_the_lookback_do_not_count() {
    let s = Settings {
        lookback: chrono::Duration::minutes(10),
        ..defaults()
    };
    assert!(proxy(&traffic(40, "10.0.0.2", &["a", "b", "c"]), &s).is_empty());
}

#[test]
fn loopback_private_link_local_ula_and_cgnat_are_internal() {
    for ip in [
        "127.0.0.1",
        "10.1.2.3",
        "172.31.0.1",
        "192.168.0.1",
        "169.254.1.1",
        "100.64.0.1",
        "100.127.255.254",
    ] {
        assert!(is_internal(ip.parse().unwrap()), "{ip}");
    }
    for ip in [
        "::1",
        "fe80::1",
        "fd12:3456::1",
        "fc00::1",
        "::ffff:10.0.0.1",
    ] {
        assert!(is_internal(ip.parse().unwrap()), "{ip}");
    }
    for ip in [
        "198.51.100.7",
        "100.128.0.1",
        "172.32.0.1",
        "2001:db8::1",
        "fec0::1",
        "255.255.255.255",
    ] {
        assert!(!is_internal(ip.parse().unwrap()), "{ip}");
    }
}

#[test]
fn the_proxy_address_is_found_with_a_share_of_one_half_or_less_too() {
    let mut a = traffic(20, "fd00::2", &["a", "b", "c"]);
    a.extend(traffic(10, "198.51.100.7", &["d"]));
    a.extend(traffic(10, "198.51.100.8", &["e"]));
    let s = Settings {
        proxy_share: 0.5,
        ..defaults()
    };
    assert_eq!(proxy(&a, &s)[0].key, "fd00::2");
}
