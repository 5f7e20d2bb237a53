//! Rule 3, distributed attack per username: many failures against one account from several
//! sources, the shape no per-IP rule can see (40 IPs each trying `admin` twice). Usernames are
//! compared trimmed and lowercased; the finding shows the spelling attackers used most. Failures
//! without a usable IP (none, the sentinel, ignored networks) still count towards the burst but
//! add no source, so a flood of sentinel failures alone never looks "distributed".

use super::brute_force::distinct_usernames;
use super::burst::bursts;
use super::table::{FailureTable, Rec};
use super::{Attempt, Finding, FindingKind, Settings};
use chrono::{DateTime, Utc};

/// Appends one finding per distributed burst with enough distinct sources.
pub(crate) fn detect<A: Attempt>(
    attempts: &[A],
    table: &FailureTable,
    settings: &Settings,
    now: DateTime<Utc>,
    out: &mut Vec<Finding>,
) {
    let m = settings.distributed_max_failures as usize;
    let window = table.clock.ticks(settings.window);
    let mut ranges = Vec::new();
    let mut source_ids = Vec::new();
    table.for_each_user_group(settings.distributed_max_failures, |recs| {
        ranges.clear();
        bursts(recs.len(), |i| recs[i].tick, m, window, &mut ranges);
        let Some(latest) = recs.last() else { return };
        let user_is_recent = super::is_recent(now, attempts[latest.idx as usize].at(), settings);
        for (n, range) in ranges.iter().enumerate() {
            let burst = &recs[range.clone()];
            source_ids.clear();
            source_ids.extend(burst.iter().filter_map(|r| r.extra));
            source_ids.sort_unstable_by_key(|k| k.sort_key());
            source_ids.dedup();
            if (source_ids.len() as u64) < u64::from(settings.distributed_min_sources) {
                continue;
            }
            out.push(Finding {
                kind: FindingKind::Distributed,
                key: most_frequent_spelling(attempts, burst),
                ip: None,
                usernames: distinct_usernames(attempts, burst),
                sources: source_ids.iter().map(|&k| table.keyer.display(k)).collect(),
                failures: u32::try_from(burst.len()).unwrap_or(u32::MAX),
                first_seen: attempts[burst[0].idx as usize].at(),
                last_seen: attempts[burst[burst.len() - 1].idx as usize].at(),
                ongoing: n + 1 == ranges.len() && user_is_recent,
                spraying: false,
                rotating: false,
            });
        }
    });
}

/// The spelling used most in the burst; ties go to the smallest string so output is stable.
fn most_frequent_spelling<A: Attempt, X>(attempts: &[A], burst: &[Rec<X>]) -> String {
    let mut names: Vec<&str> = burst
        .iter()
        .map(|r| attempts[r.idx as usize].username())
        .collect();
    names.sort_unstable();
    let mut best: (&str, usize) = ("", 0);
    for run in names.chunk_by(|a, b| a == b) {
        if run.len() > best.1 {
            best = (run[0], run.len());
        }
    }
    best.0.to_owned()
}
