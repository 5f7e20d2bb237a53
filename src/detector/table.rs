//! The compact failure table every rate rule reads. One pass over the attempts keeps the failures
//! inside the lookback and turns each into integers: a tick (see `clock`), a dense source-key id
//! and a dense username id. Two counting sorts then group the failures by key and by username,
//! keeping only groups big enough to hold a burst (most IPs fail once or twice and are never
//! touched again). Inside a group failures stay in input order, so time-sorted input (authentik
//! returns events newest first) needs only a linear check or a reverse, not a sort.

use super::clock::{self, Clock};
use super::intern::{fast_map, SeededState, UsernameInterner};
use super::key::{Keyer, SourceKey};
use super::{LoginAttempt, Settings};
use chrono::{DateTime, Utc};

/// Marks a failure without a usable source IP.
pub(crate) const NO_KEY: u32 = u32::MAX;

/// One failure inside a group: its tick, its index in the caller's slice, and a group-specific
/// extra (the source-key id in username groups).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rec {
    pub tick: u64,
    pub idx: u32,
    pub other: u32,
}

/// Failures grouped by an id, each group sorted by (tick, input index).
#[derive(Debug, Default)]
pub(crate) struct Groups {
    ids: Vec<u32>,
    starts: Vec<usize>,
    recs: Vec<Rec>,
}

impl Groups {
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &[Rec])> + '_ {
        self.ids
            .iter()
            .zip(self.starts.windows(2))
            .map(|(&id, w)| (id, &self.recs[w[0]..w[1]]))
    }
}

/// A failure as first recorded, before grouping.
#[derive(Clone, Copy)]
struct Failure {
    secs: i64,
    nanos: u32,
    idx: u32,
    key: u32,
    user: u32,
}

/// The failures of one detector run, grouped for the brute-force and distributed rules.
pub(crate) struct FailureTable {
    pub keyer: Keyer,
    /// Dense key id → key.
    pub keys: Vec<SourceKey>,
    pub clock: Clock,
    /// Keys with more than `max_failures` failures; `Rec::other` is unused.
    pub by_key: Groups,
    /// Usernames with more than `distributed_max_failures` failures; `Rec::other` is the key id.
    pub by_user: Groups,
}

impl FailureTable {
    /// Builds the table. Only the first `u32::MAX` attempts are considered (ids are `u32`).
    pub(crate) fn build(
        attempts: &[LoginAttempt],
        settings: &Settings,
        now: DateTime<Utc>,
    ) -> Self {
        let keyer = Keyer::new(settings.ipv6_prefix, &settings.ignore_networks);
        let cutoff = clock::cutoff(now, settings.lookback);
        let state = SeededState::random();
        let mut key_ids = fast_map::<u128, u32>(state);
        let mut keys = Vec::new();
        let mut users = UsernameInterner::new(state);
        let mut failures = Vec::new();
        let (mut min, mut max) = (i64::MAX, i64::MIN);
        let mut last_key: Option<(SourceKey, u32)> = None;

        for (idx, a) in (0..u32::MAX).zip(attempts) {
            if a.success {
                continue;
            }
            let (secs, nanos) = clock::split(&a.at);
            if !cutoff.admits((secs, nanos)) {
                continue;
            }
            let key = match keyer.key(a.ip) {
                None => NO_KEY,
                Some(k) => match last_key {
                    Some((prev, id)) if prev == k => id,
                    _ => {
                        let id = *key_ids.entry(k.bits()).or_insert_with(|| {
                            keys.push(k);
                            u32::try_from(keys.len() - 1).unwrap_or(NO_KEY)
                        });
                        last_key = Some((k, id));
                        id
                    }
                },
            };
            let user = users.intern(&a.username);
            min = min.min(secs);
            max = max.max(secs);
            failures.push(Failure {
                secs,
                nanos,
                idx,
                key,
                user,
            });
        }

        let clock = Clock::new(min, max);
        let by_key = group(&failures, keys.len(), settings.max_failures, clock, |f| {
            (f.key, 0)
        });
        let by_user = group(
            &failures,
            users.len(),
            settings.distributed_max_failures,
            clock,
            |f| (f.user, f.key),
        );
        FailureTable {
            keyer,
            keys,
            clock,
            by_key,
            by_user,
        }
    }
}

/// Counting sort of `failures` by the id from `id_other`, keeping groups with more than
/// `threshold` members, then sorting each group by time (free when the input was time-sorted).
fn group(
    failures: &[Failure],
    ids: usize,
    threshold: u32,
    clock: Clock,
    id_other: impl Fn(&Failure) -> (u32, u32),
) -> Groups {
    let mut counts = vec![0u32; ids];
    for f in failures {
        let (id, _) = id_other(f);
        if let Some(c) = counts.get_mut(id as usize) {
            *c += 1;
        }
    }
    let mut out = Groups::default();
    // Each kept group's write cursor; `usize::MAX` marks a dropped group.
    let mut cursor = vec![usize::MAX; ids];
    let mut total = 0usize;
    out.starts.push(0);
    for (id, &c) in counts.iter().enumerate() {
        if c > threshold {
            out.ids.push(id as u32);
            cursor[id] = total;
            total += c as usize;
            out.starts.push(total);
        }
    }
    drop(counts);
    out.recs = vec![
        Rec {
            tick: 0,
            idx: 0,
            other: 0
        };
        total
    ];
    for f in failures {
        let (id, other) = id_other(f);
        if let Some(pos) = cursor.get_mut(id as usize).filter(|p| **p != usize::MAX) {
            out.recs[*pos] = Rec {
                tick: clock.tick(f.secs, f.nanos),
                idx: f.idx,
                other,
            };
            *pos += 1;
        }
    }
    for w in out.starts.windows(2) {
        sort_by_time(&mut out.recs[w[0]..w[1]]);
    }
    out
}

/// Sorts one group by (tick, index): a no-op for ascending input, a reverse for descending.
fn sort_by_time(recs: &mut [Rec]) {
    if recs.windows(2).all(|w| w[0].tick <= w[1].tick) {
        return;
    }
    if recs.windows(2).all(|w| w[0].tick >= w[1].tick) {
        recs.reverse();
        // Equal ticks now run in descending input order; restore ascending for determinism.
        let mut start = 0;
        while start < recs.len() {
            let end = start
                + recs[start..]
                    .iter()
                    .take_while(|r| r.tick == recs[start].tick)
                    .count();
            recs[start..end].reverse();
            start = end;
        }
        return;
    }
    recs.sort_unstable_by_key(|r| (r.tick, r.idx));
}
