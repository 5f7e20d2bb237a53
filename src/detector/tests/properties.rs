//! Property tests: on random inputs (any order, clustered timestamps so bursts happen, gaps of
//! exactly one window, nanosecond offsets at the edges, IPv4/IPv6/mapped/None/sentinel sources,
//! random thresholds) the fast detector returns exactly the naive oracle's findings, whatever the
//! input order, and never panics.

use super::oracle;
use super::support::t0;
use crate::detector::{detect, LoginAttempt, Settings};
use chrono::Duration;
use ipnet::IpNet;
use proptest::prelude::*;
use std::net::IpAddr;

const IPS: &[&str] = &[
    "198.51.100.23",
    "198.51.100.24",
    "203.0.113.9",
    "10.0.0.2",
    "192.168.1.10",
    "255.255.255.255",
    "::ffff:198.51.100.23",
    "::ffff:255.255.255.255",
    "2001:db8:1:2::1",
    "2001:db8:1:2::2",
    "2001:db8:1:2:ffff::9",
    "2001:db8:1:3::1",
    "2001:db8:2::1",
    "fd00::1",
];
const USERS: &[&str] = &[
    "admin", "Admin", " admin ", "root", "alice", "bob", "carol", "ÄRGER", "ärger", "",
];
const NETS: &[&str] = &[
    "10.0.0.0/8",
    "2001:db8:1:3::/64",
    "203.0.113.0/24",
    "::ffff:0:0/96",
];

fn attempt() -> impl Strategy<Value = LoginAttempt> {
    let secs = prop_oneof![
        // Clusters: a handful of centres with small jitter, so bursts actually form.
        (0i64..12, 0i64..40).prop_map(|(c, j)| c * 1800 + j * 7),
        // Exact multiples of common windows, to hit the `window` edge.
        (0i64..40).prop_map(|k| k * 60),
        // Anywhere in the last day and a bit into the future.
        -3600i64..86_400,
    ];
    let nanos = prop_oneof![Just(0u32), Just(1), Just(999_999_999)];
    let ip = prop_oneof![
        6 => proptest::sample::select(IPS).prop_map(|s| Some(s.parse::<IpAddr>().unwrap())),
        1 => Just(None),
    ];
    (
        secs,
        nanos,
        ip,
        proptest::sample::select(USERS),
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(secs, nanos, ip, user, success)| LoginAttempt {
            at: t0() - Duration::hours(20)
                + Duration::seconds(secs)
                + Duration::nanoseconds(nanos.into()),
            ip,
            username: user.to_owned(),
            success,
        })
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        (
            0u32..7,
            proptest::sample::select(vec![0i64, 1, 60, 300, 600, 1800]),
        ),
        proptest::sample::select(vec![1i64, 6, 21, 48]),
        proptest::sample::select(vec![0u8, 48, 64, 127, 128, 200]),
        proptest::sample::subsequence(NETS, 0..=2),
        (1u32..5, 0u32..8, 0u32..4),
        (
            0u32..30,
            proptest::sample::select(vec![0.0, 0.3, 0.5, 0.51, 0.8, 1.0]),
        ),
    )
        .prop_map(
            |((max, window), lookback, prefix, nets, (spray, dmax, dsrc), (pmin, share))| {
                Settings {
                    max_failures: max,
                    window: Duration::seconds(window),
                    lookback: Duration::hours(lookback),
                    ipv6_prefix: prefix,
                    ignore_networks: nets.iter().map(|n| n.parse::<IpNet>().unwrap()).collect(),
                    spray_min_usernames: spray,
                    distributed_max_failures: dmax,
                    distributed_min_sources: dsrc,
                    proxy_min_attempts: pmin,
                    proxy_share: share,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn detect_matches_the_naive_oracle_in_any_input_order(
        attempts in proptest::collection::vec(attempt(), 0..80),
        s in settings(),
        now_offset in 0i64..30,
    ) {
        let now = t0() + Duration::minutes(now_offset);
        let expected = oracle::detect(&attempts, &s, now);
        prop_assert_eq!(&detect(&attempts, &s, now), &expected);

        let mut ascending = attempts.clone();
        ascending.sort_by_key(|a| a.at);
        prop_assert_eq!(&detect(&ascending, &s, now), &expected);
        ascending.reverse();
        prop_assert_eq!(&detect(&ascending, &s, now), &expected);
    }

    #[test]
    fn detect_matches_the_oracle_when_one_attacker_dominates(
        mut attempts in proptest::collection::vec(attempt(), 0..40),
        burst in proptest::collection::vec((0i64..900, proptest::sample::select(USERS)), 0..40),
        s in settings(),
    ) {
        // A dense burst from one IPv6 /64 on top of background noise: long bursts, rotation, spraying.
        for (k, (secs, user)) in burst.iter().enumerate() {
            attempts.push(LoginAttempt {
                at: t0() - Duration::seconds(*secs),
                ip: Some(format!("2001:db8:1:2::{:x}", k % 3).parse().unwrap()),
                username: user.to_string(),
                success: false,
            });
        }
        prop_assert_eq!(detect(&attempts, &s, t0()), oracle::detect(&attempts, &s, t0()));
    }
}
