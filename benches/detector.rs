//! Throughput of `detector::detect` over 1,000,000 failed logins in a realistic mix: a long tail
//! of IPs with a few failures each, a few hundred brute-force bursts, IPv6 attackers rotating in
//! their /64, a distributed attack on `admin`, and some sentinel / missing IPs. Measured three
//! ways: oldest first, newest first (authentik's API order), and shuffled; each once through the
//! one-off `detect` and once through a `Detector` kept across iterations (the poller's case).
//!
//! Run: `cargo bench --bench detector -- --warm-up-time 1 --measurement-time 5`. Under
//! `cargo test --all-targets` (no `--bench` flag) the input shrinks to 10,000 failures so the
//! smoke run stays quick.

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use lookout::detector::{detect, Detector, LoginAttempt, Settings};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

const DAY_SECS: i64 = 86_400;
const DICTIONARY: &[&str] = &[
    "admin",
    "root",
    "administrator",
    "test",
    "user",
    "guest",
    "info",
    "support",
    "Admin",
    "akadmin",
];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

fn public_v4(rng: &mut StdRng) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(rng.gen_range(0x0100_0000u32..0xdf00_0000)))
}

fn attempt(rng: &mut StdRng, secs_ago: i64, ip: Option<IpAddr>, username: String) -> LoginAttempt {
    let at =
        now() - Duration::seconds(secs_ago) + Duration::microseconds(rng.gen_range(0..1_000_000));
    LoginAttempt {
        at,
        ip,
        username,
        success: false,
    }
}

/// `n` failures (roughly): 70 % background, 18 % IPv4 bursts, 8 % IPv6 rotation, 3 % distributed
/// on `admin`, 1 % unknown IP.
fn realistic(n: usize) -> Vec<LoginAttempt> {
    let mut rng = StdRng::seed_from_u64(0x0100_c0a7);
    let users: Vec<String> = (0..5000).map(|k| format!("user{k:04}")).collect();
    let mut out = Vec::with_capacity(n);
    // Background: one to four failures per IP at random times (typos, stale passwords, scanners).
    while out.len() < n * 70 / 100 {
        let ip = Some(public_v4(&mut rng));
        for _ in 0..rng.gen_range(1..=4) {
            let user = users[rng.gen_range(0..users.len())].clone();
            let t = rng.gen_range(0..DAY_SECS);
            out.push(attempt(&mut rng, t, ip, user));
        }
    }
    // IPv4 brute-force bursts: ~500 failures in 10–30 minutes each.
    while out.len() < n * 88 / 100 {
        let ip = Some(public_v4(&mut rng));
        let start = rng.gen_range(1800..DAY_SECS);
        let span = rng.gen_range(600..1800);
        for _ in 0..rng.gen_range(300..700) {
            let user = DICTIONARY[rng.gen_range(0..DICTIONARY.len())].to_owned();
            let t = start - rng.gen_range(0..span);
            out.push(attempt(&mut rng, t, ip, user));
        }
    }
    // IPv6 attackers rotating through their /64.
    while out.len() < n * 96 / 100 {
        let prefix: u128 = (0x2001_0db8u128 << 96) | (u128::from(rng.gen::<u32>()) << 64);
        let start = rng.gen_range(1800..DAY_SECS);
        for _ in 0..rng.gen_range(100..400) {
            let ip = Some(IpAddr::V6(Ipv6Addr::from(
                prefix | u128::from(rng.gen::<u64>()),
            )));
            let user = users[rng.gen_range(0..50)].clone();
            let t = start - rng.gen_range(0..900);
            out.push(attempt(&mut rng, t, ip, user));
        }
    }
    // A distributed attack on `admin`: many IPs, two tries each, over the last hour.
    while out.len() < n * 99 / 100 {
        let ip = Some(public_v4(&mut rng));
        for _ in 0..2 {
            let t = rng.gen_range(0..3600);
            out.push(attempt(&mut rng, t, ip, "admin".to_owned()));
        }
    }
    // The unknown-IP sentinel and events without an IP.
    while out.len() < n {
        let ip = if rng.gen_bool(0.5) {
            Some(IpAddr::V4(Ipv4Addr::BROADCAST))
        } else {
            None
        };
        let user = users[rng.gen_range(0..users.len())].clone();
        let t = rng.gen_range(0..DAY_SECS);
        out.push(attempt(&mut rng, t, ip, user));
    }
    out.truncate(n);
    out.sort_by_key(|a| a.at);
    in_memory_order(&out)
}

/// A copy whose username strings sit on the heap in vector order, as they do when the attempts
/// are parsed from an API response (the generator's sort scattered them).
fn in_memory_order(attempts: &[LoginAttempt]) -> Vec<LoginAttempt> {
    attempts
        .iter()
        .map(|a| LoginAttempt {
            username: a.username.as_str().to_owned(),
            ..*a
        })
        .collect()
}

fn bench_detect(c: &mut Criterion) {
    let benching = std::env::args().any(|a| a == "--bench");
    let n = if benching { 1_000_000 } else { 10_000 };
    let oldest_first = realistic(n);
    let mut newest_first = oldest_first.clone();
    newest_first.reverse();
    let mut shuffled = oldest_first.clone();
    shuffled.shuffle(&mut StdRng::seed_from_u64(7));
    let settings = Settings::default();
    let findings = detect(&oldest_first, &settings, now()).len();
    eprintln!("detector bench: {n} failures, {findings} findings");

    let mut group = c.benchmark_group("detect");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(20);
    for (name, input) in [
        ("oldest_first", &oldest_first),
        ("newest_first", &newest_first),
        ("shuffled", &shuffled),
    ] {
        group.bench_function(format!("{name}/{n}"), |b| {
            b.iter_batched(
                || (),
                |()| detect(input, &settings, now()),
                BatchSize::SmallInput,
            )
        });
    }
    // The poller's case: one `Detector` kept across refreshes, so its buffers are reused.
    for (name, input) in [
        ("reused/oldest_first", &oldest_first),
        ("reused/newest_first", &newest_first),
        ("reused/shuffled", &shuffled),
    ] {
        let mut detector = Detector::new();
        group.bench_function(format!("{name}/{n}"), |b| {
            b.iter(|| detector.detect(input, &settings, now()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_detect);
criterion_main!(benches);
