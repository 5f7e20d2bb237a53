//! Rule 3, distributed attack per username: many failures against one account from several
//! sources, the shape no per-IP rule can see (40 IPs each trying `admin` twice). Usernames are
//! compared trimmed and lowercased; the finding shows the spelling attackers used most. Failures
//! without a usable IP (none, the sentinel, ignored networks) still count towards the burst but
//! add no source, so a flood of sentinel failures alone never looks "distributed".

use super::brute_force::distinct_usernames;
use super::burst::bursts;
use super::table::{FailureTable, Rec, NO_KEY};
use super::{Finding, FindingKind, LoginAttempt, Settings};
use chrono::{DateTime, Utc};

/// Appends one finding per distributed burst with enough distinct sources.
pub(crate) fn detect(
    attempts: &[LoginAttempt],
    table: &FailureTable,
    settings: &Settings,
    now: DateTime<Utc>,
    out: &mut Vec<Finding>,
) {
    let m = settings.distributed_max_failures as usize;
    let window = table.clock.ticks(settings.window);
    let mut ranges = Vec::new();
    // `seen[key] == stamp` marks a key already counted in the current burst: no per-burst set.
    let mut seen = vec![0u32; table.keys.len()];
    let mut stamp = 0u32;
    for (_, recs) in table.by_user.iter() {
        ranges.clear();
        bursts(recs.len(), |i| recs[i].tick, m, window, &mut ranges);
        let Some(latest) = recs.last() else { continue };
        let user_is_recent = super::is_recent(now, attempts[latest.idx as usize].at, settings);
        for (n, range) in ranges.iter().enumerate() {
            let burst = &recs[range.clone()];
            stamp = stamp.wrapping_add(1);
            if stamp == 0 {
                seen.fill(0);
                stamp = 1;
            }
            let mut source_ids = Vec::new();
            for r in burst {
                if r.other != NO_KEY && seen[r.other as usize] != stamp {
                    seen[r.other as usize] = stamp;
                    source_ids.push(table.keys[r.other as usize]);
                }
            }
            if (source_ids.len() as u64) < u64::from(settings.distributed_min_sources) {
                continue;
            }
            source_ids.sort_unstable_by_key(|k| k.sort_key());
            let display = most_frequent_spelling(attempts, burst);
            out.push(Finding {
                kind: FindingKind::Distributed,
                key: display,
                ip: None,
                usernames: distinct_usernames(attempts, burst),
                sources: source_ids
                    .into_iter()
                    .map(|k| table.keyer.display(k))
                    .collect(),
                failures: u32::try_from(burst.len()).unwrap_or(u32::MAX),
                first_seen: attempts[burst[0].idx as usize].at,
                last_seen: attempts[burst[burst.len() - 1].idx as usize].at,
                ongoing: n + 1 == ranges.len() && user_is_recent,
                spraying: false,
                rotating: false,
            });
        }
    }
}

/// The spelling used most in the burst; ties go to the smallest string so output is stable.
fn most_frequent_spelling(attempts: &[LoginAttempt], burst: &[Rec]) -> String {
    let mut names: Vec<&str> = burst
        .iter()
        .map(|r| attempts[r.idx as usize].username.as_str())
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
