//! Builders shared by the detector tests: a fixed clock, terse attempt constructors, filters.

use crate::detector::{Finding, FindingKind, LoginAttempt, Settings};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::net::IpAddr;

/// 2026-03-01 09:00:00 UTC, the "now" most tables use.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

/// `t0` shifted by `secs` (negative = in the past).
pub fn at(secs: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(secs)
}

pub fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().expect("test IP"))
}

pub fn fail(secs: i64, from: &str, user: &str) -> LoginAttempt {
    LoginAttempt {
        at: at(secs),
        ip: ip(from),
        username: user.to_owned(),
        success: false,
    }
}

pub fn fail_no_ip(secs: i64, user: &str) -> LoginAttempt {
    LoginAttempt {
        at: at(secs),
        ip: None,
        username: user.to_owned(),
        success: false,
    }
}

pub fn success(secs: i64, from: &str, user: &str) -> LoginAttempt {
    LoginAttempt {
        at: at(secs),
        ip: ip(from),
        username: user.to_owned(),
        success: true,
    }
}

/// `n` failures from one IP against one user, `every` seconds apart, starting at `start`.
pub fn series(n: usize, start: i64, every: i64, from: &str, user: &str) -> Vec<LoginAttempt> {
    (0..n as i64)
        .map(|k| fail(start + k * every, from, user))
        .collect()
}

pub fn defaults() -> Settings {
    Settings::default()
}

pub fn of_kind(findings: &[Finding], kind: FindingKind) -> Vec<&Finding> {
    findings.iter().filter(|f| f.kind == kind).collect()
}
