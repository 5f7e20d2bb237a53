//! Rule 4, reverse-proxy misconfiguration (a warning, not an attack). When a reverse proxy sits
//! outside `AUTHENTIK_LISTEN__TRUSTED_PROXY_CIDRS`, authentik ignores its `X-Forwarded-For` and
//! records the proxy's own address for everyone (API.md §4). The tell: one internal address
//! (loopback, RFC 1918, link-local, ULA, CGNAT) carries most logins, for several different users.
//! One person on a homelab LAN also logs in from one private IP, hence the three-user minimum.
//!
//! The most frequent IP is found without a hash map when `proxy_share > 0.5` (Boyer–Moore majority
//! vote: any IP holding that share is the strict majority), else by counting.

use super::clock::{self, split};
use super::intern::{fast_map, normalize_username, FastMap, SeededState};
use super::key::{canonical_ip, ip_bits, is_internal, Keyer};
use super::{Attempt, Finding, FindingKind, Settings};
use chrono::{DateTime, Utc};
use std::net::IpAddr;

/// Distinct users that must appear behind one address before it can be a proxy.
pub const PROXY_MIN_USERS: usize = 3;

/// Returns the proxy-misconfiguration finding, if the attempts show one.
pub(crate) fn detect<A: Attempt>(
    attempts: &[A],
    keyer: &Keyer,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Option<Finding> {
    let cutoff = clock::cutoff(now, settings.lookback);
    let recent = |a: &&A| cutoff.admits(split(&a.at()));
    let mut total = 0usize;
    let mut vote = Vote::new(settings.proxy_share);
    for a in attempts.iter().filter(recent) {
        total += 1;
        if let Some(ip) = a.ip() {
            vote.add(ip);
        }
    }
    if total == 0 || (total as u64) < u64::from(settings.proxy_min_attempts) {
        return None;
    }
    let top = vote.winner()?;
    if !is_internal(top) || keyer.is_ignored(top) {
        return None;
    }
    let from_top: Vec<&A> = attempts
        .iter()
        .filter(recent)
        .filter(|a| a.ip().is_some_and(|ip| canonical_ip(ip) == top))
        .collect();
    // `!(a >= b)` rather than `a < b` so a NaN share never fires.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    if !(from_top.len() as f64 >= settings.proxy_share * total as f64) {
        return None;
    }
    let mut normalised: Vec<String> = from_top
        .iter()
        .map(|a| normalize_username(a.username()))
        .collect();
    normalised.sort_unstable();
    normalised.dedup();
    if normalised.len() < PROXY_MIN_USERS {
        return None;
    }
    let mut usernames: Vec<&str> = from_top.iter().map(|a| a.username()).collect();
    usernames.sort_unstable();
    usernames.dedup();
    let first_seen = from_top.iter().map(|a| a.at()).min()?;
    let last_seen = from_top.iter().map(|a| a.at()).max()?;
    let ip = top.to_string();
    Some(Finding {
        kind: FindingKind::ProxyMisconfiguration,
        key: ip.clone(),
        ip: Some(ip),
        usernames: usernames.into_iter().map(str::to_owned).collect(),
        sources: Vec::new(),
        failures: u32::try_from(from_top.iter().filter(|a| !a.success()).count())
            .unwrap_or(u32::MAX),
        first_seen,
        last_seen,
        ongoing: super::is_recent(now, last_seen, settings),
        spraying: false,
        rotating: false,
    })
}

/// Finds the most frequent address in one pass.
enum Vote {
    /// Boyer–Moore: yields the strict-majority address if there is one (else some address),
    /// which is all a share above one half needs.
    Majority {
        candidate: Option<u128>,
        votes: usize,
    },
    /// Exact counts, for shares of one half or less.
    Count(FastMap<u128, usize>),
}

impl Vote {
    fn new(share: f64) -> Self {
        if share > 0.5 {
            Vote::Majority {
                candidate: None,
                votes: 0,
            }
        } else {
            Vote::Count(fast_map(SeededState::random()))
        }
    }

    #[inline]
    fn add(&mut self, ip: IpAddr) {
        let bits = ip_bits(ip);
        match self {
            Vote::Majority { candidate, votes } => match candidate {
                Some(c) if *c == bits => *votes += 1,
                _ if *votes == 0 => {
                    *candidate = Some(bits);
                    *votes = 1;
                }
                _ => *votes -= 1,
            },
            Vote::Count(counts) => *counts.entry(bits).or_insert(0) += 1,
        }
    }

    /// The winning address; count ties go to the smallest (IPv4 before IPv6, then numerically).
    fn winner(self) -> Option<IpAddr> {
        match self {
            Vote::Majority { candidate, .. } => candidate.map(from_bits),
            Vote::Count(counts) => counts
                .into_iter()
                .map(|(bits, n)| (from_bits(bits), n))
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|(ip, _)| ip),
        }
    }
}

fn from_bits(bits: u128) -> IpAddr {
    canonical_ip(IpAddr::V6(bits.into()))
}
