//! A reused `Detector` must not carry anything but capacity from one call to the next: on random
//! sequences of inputs (and settings) it returns exactly what a fresh `detect` returns.

use super::support::t0;
use crate::detector::{detect, Detector, LoginAttempt, Settings};
use chrono::Duration;
use proptest::prelude::*;
use std::net::IpAddr;

const IPS: &[&str] = &[
    "198.51.100.23",
    "203.0.113.9",
    "10.0.0.2",
    "255.255.255.255",
    "2001:db8:1:2::1",
    "2001:db8:1:2::2",
    "2001:db8:2::1",
];
const USERS: &[&str] = &["admin", "Admin", "root", "alice", "bob", "carol"];

fn attempt() -> impl Strategy<Value = LoginAttempt> {
    (
        0i64..7200,
        proptest::option::weighted(0.9, proptest::sample::select(IPS)),
        proptest::sample::select(USERS),
        proptest::bool::weighted(0.1),
    )
        .prop_map(|(secs, ip, user, success)| LoginAttempt {
            at: t0() - Duration::seconds(secs),
            ip: ip.map(|s| s.parse::<IpAddr>().unwrap()),
            username: user.to_owned(),
            success,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn a_reused_detector_matches_fresh_runs(
        runs in proptest::collection::vec(
            (proptest::collection::vec(attempt(), 0..120), 1u32..6, 1u32..8),
            1..5,
        ),
    ) {
        let mut detector = Detector::new();
        for (attempts, max, dmax) in runs {
            let s = Settings {
                max_failures: max,
                distributed_max_failures: dmax,
                distributed_min_sources: 2,
                ..Settings::default()
            };
            prop_assert_eq!(detector.detect(&attempts, &s, t0()), detect(&attempts, &s, t0()));
        }
    }
}
