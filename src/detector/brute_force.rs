//! Rule 2, brute force per source key: bursts of more than `max_failures` failures strictly less
//! than `window` apart from one IP (or IPv6 prefix). Every burst in the lookback is reported, so
//! an attack at 03:00 is still visible at 09:00 (as ended); slow attackers that a leaky bucket
//! forgets are caught because the window slides over failures, not over fixed time slots.

use super::burst::bursts;
use super::table::{FailureTable, Rec};
use super::{Attempt, Finding, FindingKind, Settings};
use chrono::{DateTime, Utc};
use std::net::IpAddr;

/// Appends one finding per brute-force burst.
pub(crate) fn detect<A: Attempt>(
    attempts: &[A],
    table: &FailureTable,
    settings: &Settings,
    now: DateTime<Utc>,
    out: &mut Vec<Finding>,
) {
    let m = settings.max_failures as usize;
    let window = table.clock.ticks(settings.window);
    let mut ranges = Vec::new();
    table.for_each_key_group(settings.max_failures, |key, recs| {
        ranges.clear();
        bursts(recs.len(), |i| recs[i].tick, m, window, &mut ranges);
        let Some(latest) = recs.last() else { return };
        let display = table.keyer.display(key);
        let key_is_recent = super::is_recent(now, attempts[latest.idx as usize].at(), settings);
        for (n, range) in ranges.iter().enumerate() {
            let burst = &recs[range.clone()];
            let usernames = distinct_usernames(attempts, burst);
            let spraying = usernames.len() as u64 >= u64::from(settings.spray_min_usernames);
            out.push(Finding {
                kind: FindingKind::BruteForce,
                key: display.clone(),
                ip: Some(display.clone()),
                usernames,
                sources: Vec::new(),
                failures: u32::try_from(burst.len()).unwrap_or(u32::MAX),
                first_seen: attempts[burst[0].idx as usize].at(),
                last_seen: attempts[burst[burst.len() - 1].idx as usize].at(),
                ongoing: n + 1 == ranges.len() && key_is_recent,
                spraying,
                rotating: !key.is_v4() && rotates(attempts, burst),
            });
        }
    });
}

/// Distinct attempted usernames (exact spelling), sorted.
pub(crate) fn distinct_usernames<A: Attempt, X>(attempts: &[A], burst: &[Rec<X>]) -> Vec<String> {
    let mut names: Vec<&str> = burst
        .iter()
        .map(|r| attempts[r.idx as usize].username())
        .collect();
    names.sort_unstable();
    names.dedup();
    names.into_iter().map(str::to_owned).collect()
}

/// Whether an IPv6 burst used more than one address inside its prefix.
fn rotates<A: Attempt>(attempts: &[A], burst: &[Rec<()>]) -> bool {
    let mut addrs = burst.iter().filter_map(|r| attempts[r.idx as usize].ip());
    let first: Option<IpAddr> = addrs.next();
    addrs.any(|a| Some(a) != first)
}
