//! Table tests for rule 2 (brute force per IP or IPv6 prefix) and rule 1 (keys).

use super::support::*;
use crate::detector::{detect, FindingKind, LoginAttempt, Settings};
use chrono::Duration;

fn brute(attempts: &[LoginAttempt], s: &Settings) -> Vec<crate::detector::Finding> {
    detect(attempts, s, t0())
        .into_iter()
        .filter(|f| f.kind == FindingKind::BruteForce)
        .collect()
}

#[test]
fn empty_input_gives_no_findings() {
    assert!(detect(&[], &defaults(), t0()).is_empty());
}

#[test]
fn exactly_max_failures_within_the_window_is_not_an_alert() {
    assert!(brute(&series(5, -300, 60, "198.51.100.23", "admin"), &defaults()).is_empty());
}

#[test]
fn six_failures_within_9m59s_is_an_alert() {
    let mut a = series(5, -599, 60, "198.51.100.23", "admin");
    a.push(fail(0, "198.51.100.23", "admin"));
    let f = brute(&a, &defaults());
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].failures, f[0].first_seen, f[0].last_seen),
        (6, at(-599), at(0))
    );
    assert_eq!(f[0].key, "198.51.100.23");
    assert_eq!(f[0].ip.as_deref(), Some("198.51.100.23"));
    assert!(f[0].ongoing);
}

#[test]
fn six_failures_spread_over_exactly_10m00s_or_10m01s_are_not_an_alert() {
    for span in [600, 601] {
        let mut a = series(5, -span, 1, "198.51.100.23", "admin");
        a.push(fail(0, "198.51.100.23", "admin"));
        assert!(brute(&a, &defaults()).is_empty(), "span {span}s");
    }
}

#[test]
fn window_edge_is_exact_to_the_nanosecond() {
    let mut a = series(5, -600, 1, "198.51.100.23", "admin");
    a[0].at += Duration::nanoseconds(1);
    a.push(fail(0, "198.51.100.23", "admin"));
    assert_eq!(brute(&a, &defaults()).len(), 1);
}

#[test]
fn unsorted_input_gives_the_same_findings_as_sorted() {
    let mut a = series(8, -400, 30, "198.51.100.23", "admin");
    a.extend(series(3, -200, 10, "203.0.113.9", "root"));
    let sorted = detect(&a, &defaults(), t0());
    a.swap(0, 7);
    a.swap(2, 9);
    a.reverse();
    assert_eq!(detect(&a, &defaults(), t0()), sorted);
    assert_eq!(sorted.len(), 1);
}

#[test]
fn duplicates_with_equal_timestamps_form_a_burst() {
    let a: Vec<_> = (0..6)
        .map(|_| fail(-10, "198.51.100.23", "admin"))
        .collect();
    let f = brute(&a, &defaults());
    assert_eq!(
        (f.len(), f[0].failures, f[0].first_seen == f[0].last_seen),
        (1, 6, true)
    );
}

#[test]
fn two_bursts_hours_apart_are_two_findings_and_only_the_latest_is_ongoing() {
    let mut a = series(6, -6 * 3600, 10, "198.51.100.23", "admin");
    a.extend(series(7, -120, 10, "198.51.100.23", "root"));
    let f = brute(&a, &defaults());
    assert_eq!(f.len(), 2);
    assert_eq!(
        (f[0].failures, f[0].ongoing, f[0].usernames.clone()),
        (6, false, vec!["admin".to_owned()])
    );
    assert_eq!(
        (f[1].failures, f[1].ongoing, f[1].usernames.clone()),
        (7, true, vec!["root".to_owned()])
    );
}

#[test]
fn an_attack_at_3am_is_still_reported_at_9am_as_ended() {
    let f = brute(
        &series(20, -6 * 3600, 5, "198.51.100.23", "admin"),
        &defaults(),
    );
    assert_eq!((f.len(), f[0].ongoing), (1, false));
}

#[test]
fn ongoing_needs_the_keys_latest_failure_within_window_of_now() {
    let mut a = series(6, -1000, 10, "198.51.100.23", "admin");
    assert!(!brute(&a, &defaults())[0].ongoing);
    // A lone later failure (not in a burst) still counts as "the key is still at it".
    a.push(fail(-30, "198.51.100.23", "admin"));
    let f = brute(&a, &defaults());
    assert_eq!((f.len(), f[0].failures, f[0].ongoing), (1, 6, true));
}

#[test]
fn slow_attacker_with_twelve_tries_in_four_minutes_is_caught() {
    // One try every 20 s: exactly what CrowdSec's leaky bucket (capacity 5, leak 1/20 s) misses.
    let f = brute(&series(12, -240, 20, "198.51.100.23", "admin"), &defaults());
    assert_eq!((f.len(), f[0].failures), (1, 12));
}

#[test]
fn lookback_cutoff_keeps_failures_at_exactly_now_minus_lookback() {
    let s = Settings {
        lookback: Duration::hours(1),
        ..defaults()
    };
    let f = brute(&series(6, -3600, 1, "198.51.100.23", "admin"), &s);
    assert_eq!(f.len(), 1);
    let f = brute(&series(6, -3601, 1, "198.51.100.23", "admin"), &s);
    assert!(f.is_empty(), "five of six remain: not enough");
}

#[test]
fn successes_do_not_count_towards_brute_force() {
    let mut a = series(5, -100, 10, "198.51.100.23", "admin");
    a.push(success(-10, "198.51.100.23", "admin"));
    assert!(brute(&a, &defaults()).is_empty());
}

#[test]
fn sentinel_missing_ip_and_ignored_networks_are_never_keyed() {
    let mut a = series(10, -100, 5, "255.255.255.255", "admin");
    a.extend(series(10, -100, 5, "::ffff:255.255.255.255", "root"));
    a.extend((0..10).map(|k| fail_no_ip(-100 + k, "alice")));
    a.extend(series(10, -100, 5, "10.1.2.3", "bob"));
    a.extend(series(10, -100, 5, "::ffff:10.1.2.4", "bob"));
    let s = Settings {
        ignore_networks: vec!["10.0.0.0/8".parse().unwrap()],
        ..defaults()
    };
    assert!(brute(&a, &s).is_empty());
}

#[test]
fn ipv6_addresses_in_one_64_are_one_key_and_rotation_is_labelled() {
    let a: Vec<_> = (0..6)
        .map(|k| fail(-60 + k, &format!("2001:db8:1:2::{k:x}"), "admin"))
        .collect();
    let f = brute(&a, &defaults());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].key, "2001:db8:1:2::/64");
    assert!(f[0].rotating);
    let one = series(6, -60, 1, "2001:db8:1:2::7", "admin");
    assert!(!brute(&one, &defaults())[0].rotating);
}

#[test]
fn ipv6_prefix_128_keys_each_address_and_48_groups_wider() {
    let a: Vec<_> = (0..6)
        .map(|k| fail(-60 + k, &format!("2001:db8:1:{k:x}::1"), "admin"))
        .collect();
    assert!(brute(&a, &defaults()).is_empty());
    let wide = Settings {
        ipv6_prefix: 48,
        ..defaults()
    };
    assert_eq!(brute(&a, &wide)[0].key, "2001:db8:1::/48");
    let per_address = Settings {
        ipv6_prefix: 128,
        ..defaults()
    };
    let f = brute(&series(6, -60, 1, "2001:db8::7", "admin"), &per_address);
    assert_eq!(f[0].key, "2001:db8::7");
}

#[test]
fn ipv4_mapped_ipv6_counts_with_its_ipv4_address() {
    let mut a = series(3, -60, 1, "198.51.100.23", "admin");
    a.extend(series(3, -50, 1, "::ffff:198.51.100.23", "admin"));
    let f = brute(&a, &defaults());
    assert_eq!(
        (f.len(), f[0].key.as_str(), f[0].rotating),
        (1, "198.51.100.23", false)
    );
}

#[test]
fn spraying_is_set_when_a_burst_tries_spray_min_usernames() {
    let users = ["admin", "root", "alice", "bob", "admin", "root"];
    let a: Vec<_> = users
        .iter()
        .enumerate()
        .map(|(k, u)| fail(-60 + k as i64, "198.51.100.23", u))
        .collect();
    let f = brute(&a, &defaults());
    assert_eq!(f[0].usernames, vec!["admin", "alice", "bob", "root"]);
    assert!(f[0].spraying);
    let s = Settings {
        spray_min_usernames: 5,
        ..defaults()
    };
    assert!(!brute(&a, &s)[0].spraying);
}

#[test]
fn degenerate_settings_do_not_panic() {
    let a = series(20, -100, 0, "198.51.100.23", "admin");
    let zero_max = Settings {
        max_failures: 0,
        ..defaults()
    };
    assert_eq!(brute(&a, &zero_max).len(), 1);
    let zero_window = Settings {
        window: Duration::zero(),
        ..defaults()
    };
    assert!(brute(&a, &zero_window).is_empty());
    let negative = Settings {
        window: Duration::seconds(-5),
        lookback: Duration::seconds(-5),
        ..defaults()
    };
    assert!(detect(&a, &negative, t0()).is_empty());
    let huge = Settings {
        max_failures: u32::MAX,
        window: Duration::MAX,
        lookback: Duration::MAX,
        distributed_max_failures: u32::MAX,
        ipv6_prefix: u8::MAX,
        ..defaults()
    };
    assert!(detect(&a, &huge, t0()).is_empty());
    let everything = Settings {
        window: Duration::MAX,
        lookback: Duration::MAX,
        ..defaults()
    };
    let mut extreme = a.clone();
    extreme[0].at = chrono::DateTime::<chrono::Utc>::MIN_UTC;
    extreme[1].at = chrono::DateTime::<chrono::Utc>::MAX_UTC;
    assert_eq!(brute(&extreme, &everything)[0].failures, 20);
}

#[test]
fn future_timestamps_count_and_make_the_burst_ongoing() {
    let f = brute(&series(6, 3600, 1, "198.51.100.23", "admin"), &defaults());
    assert_eq!((f.len(), f[0].ongoing), (1, true));
}

#[test]
fn output_is_sorted_by_kind_then_first_seen_then_key() {
    let mut a = series(6, -100, 1, "203.0.113.9", "x");
    a.extend(series(6, -100, 1, "198.51.100.23", "y"));
    a.extend(series(6, -500, 1, "203.0.113.10", "z"));
    let keys: Vec<_> = detect(&a, &defaults(), t0())
        .into_iter()
        .map(|f| f.key)
        .collect();
    assert_eq!(keys, vec!["203.0.113.10", "198.51.100.23", "203.0.113.9"]);
}
