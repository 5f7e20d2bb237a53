//! The compact failure table every rate rule reads, built to stay in cache. One pass over the
//! attempts keeps the failures inside the lookback and reduces each to integers: time, source key
//! (see `key`) and a 128-bit hash of the normalised username (see `intern`).
//!
//! Why not one hash map from key to failures: with hundreds of thousands of distinct IPs nearly
//! every lookup misses the cache, and one big buffer per stage costs a page fault every 4 KiB
//! (measured: both dominated the first version). So the pass scatters each failure into one of
//! [`PARTITIONS`] small buckets by a hash of its label (a radix partition: a few hundred write
//! streams, small allocations the allocator reuses), and groups are then formed bucket by bucket
//! with a map small enough for L1. Only groups big enough to hold a burst are handed on (most IPs
//! fail once or twice). Buckets keep input order, so for time-sorted input (authentik returns
//! events newest first) a group needs a linear check or a reverse, not a sort.

use super::clock::{self, Clock};
use super::intern::{fast_map, SeededState, UsernameHasher};
use super::key::{Keyer, SourceKey};
use super::{LoginAttempt, Settings};
use chrono::{DateTime, Utc};
use std::hash::{BuildHasher, Hash};

/// Buckets per grouping, a power of two: ~2000 failures each at a million.
const PARTITIONS: usize = 512;
/// Bit 31 of `nanos` marks a failure with a source key (nanoseconds stay below 2³¹).
const KEYED: u32 = 1 << 31;

/// One failure of a group, handed to the rules: its tick, its index in the caller's slice, and a
/// group-specific extra (the source key, if any, in username groups).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rec<X> {
    pub tick: u64,
    pub idx: u32,
    pub extra: X,
}

/// A failure in a source-key bucket.
#[derive(Clone, Copy)]
struct KeyEntry {
    key: u128,
    secs: i64,
    nanos: u32,
    idx: u32,
}

/// A failure in a username bucket (`nanos` carries the [`KEYED`] flag).
#[derive(Clone, Copy)]
struct UserEntry {
    user: u128,
    source: u128,
    secs: i64,
    nanos: u32,
    idx: u32,
}

/// The failures of one detector run, bucketed for the brute-force and distributed rules.
pub(crate) struct FailureTable {
    pub keyer: Keyer,
    pub clock: Clock,
    state: SeededState,
    by_key: Vec<Vec<KeyEntry>>,
    by_user: Vec<Vec<UserEntry>>,
}

impl FailureTable {
    /// Builds the table. Only the first `u32::MAX` attempts are considered (indices are `u32`).
    pub(crate) fn build(
        attempts: &[LoginAttempt],
        settings: &Settings,
        now: DateTime<Utc>,
    ) -> Self {
        let keyer = Keyer::new(settings.ipv6_prefix, &settings.ignore_networks);
        let cutoff = clock::cutoff(now, settings.lookback);
        let state = SeededState::random();
        let mut users = UsernameHasher::new();
        // Sized for an even spread (+12 %) so buckets rarely reallocate.
        let per_bucket = attempts.len() / PARTITIONS + attempts.len() / PARTITIONS / 8 + 1;
        let mut by_key: Vec<Vec<KeyEntry>> = (0..PARTITIONS)
            .map(|_| Vec::with_capacity(per_bucket))
            .collect();
        let mut by_user: Vec<Vec<UserEntry>> = (0..PARTITIONS)
            .map(|_| Vec::with_capacity(per_bucket))
            .collect();
        let (mut min, mut max) = (i64::MAX, i64::MIN);
        for (idx, a) in (0..u32::MAX).zip(attempts) {
            if a.success {
                continue;
            }
            let (secs, nanos) = clock::split(&a.at);
            if !cutoff.admits((secs, nanos)) {
                continue;
            }
            min = min.min(secs);
            max = max.max(secs);
            let user = users.hash(&a.username);
            let (source, keyed) = match keyer.key(a.ip) {
                Some(k) => {
                    let key = k.bits();
                    by_key[bucket(state, key)].push(KeyEntry {
                        key,
                        secs,
                        nanos,
                        idx,
                    });
                    (key, KEYED)
                }
                None => (0, 0),
            };
            // The username hash is already uniform: its low bits pick the bucket.
            by_user[user as usize % PARTITIONS].push(UserEntry {
                user,
                source,
                secs,
                nanos: nanos | keyed,
                idx,
            });
        }
        FailureTable {
            keyer,
            clock: Clock::new(min, max),
            state,
            by_key,
            by_user,
        }
    }

    /// Calls `f` for every source key with more than `threshold` failures, with them sorted by time.
    pub(crate) fn for_each_key_group(
        &self,
        threshold: u32,
        mut f: impl FnMut(SourceKey, &[Rec<()>]),
    ) {
        let clock = self.clock;
        groups(
            &self.by_key,
            self.state,
            threshold,
            |e| e.key,
            |e| Rec {
                tick: clock.tick(e.secs, e.nanos),
                idx: e.idx,
                extra: (),
            },
            |key, recs| f(SourceKey::from_bits(key), recs),
        );
    }

    /// Calls `f` for every normalised username with more than `threshold` failures, sorted by time;
    /// each failure carries its source key, if it has one.
    pub(crate) fn for_each_user_group(
        &self,
        threshold: u32,
        mut f: impl FnMut(&[Rec<Option<SourceKey>>]),
    ) {
        let clock = self.clock;
        groups(
            &self.by_user,
            self.state,
            threshold,
            |e| e.user,
            |e| Rec {
                tick: clock.tick(e.secs, e.nanos & !KEYED),
                idx: e.idx,
                extra: (e.nanos & KEYED != 0).then(|| SourceKey::from_bits(e.source)),
            },
            |_, recs| f(recs),
        );
    }
}

fn bucket(state: SeededState, key: u128) -> usize {
    state.hash_one(key) as usize % PARTITIONS
}

/// Forms the groups of each bucket with a small map and hands on those above `threshold`.
fn groups<E, L, X>(
    buckets: &[Vec<E>],
    state: SeededState,
    threshold: u32,
    label: impl Fn(&E) -> L,
    rec: impl Fn(&E) -> Rec<X>,
    mut f: impl FnMut(L, &[Rec<X>]),
) where
    L: Copy + Eq + Hash,
{
    let mut ids = fast_map::<L, u32>(state);
    let mut local: Vec<u32> = Vec::new();
    let mut counts: Vec<u32> = Vec::new();
    let mut labels: Vec<L> = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    let mut recs: Vec<Rec<X>> = Vec::new();
    for bucket in buckets {
        if (bucket.len() as u64) <= u64::from(threshold) {
            continue;
        }
        ids.clear();
        local.clear();
        counts.clear();
        labels.clear();
        for e in bucket {
            let l = label(e);
            let id = *ids.entry(l).or_insert_with(|| {
                counts.push(0);
                labels.push(l);
                (counts.len() - 1) as u32
            });
            counts[id as usize] += 1;
            local.push(id);
        }
        // Counting sort of the kept groups into `recs`; `starts` becomes each group's write cursor.
        starts.clear();
        let mut total = 0usize;
        for &c in &counts {
            starts.push(total);
            if c > threshold {
                total += c as usize;
            }
        }
        recs.clear();
        recs.reserve(total);
        // Placeholder fill (every slot is overwritten by the scatter below).
        let Some(first) = bucket
            .iter()
            .zip(&local)
            .find(|(_, &id)| counts[id as usize] > threshold)
        else {
            continue;
        };
        recs.resize_with(total, || rec(first.0));
        for (e, &id) in bucket.iter().zip(&local) {
            if counts[id as usize] > threshold {
                recs[starts[id as usize]] = rec(e);
                starts[id as usize] += 1;
            }
        }
        // After the scatter each cursor sits at its group's end.
        for (id, &c) in counts.iter().enumerate() {
            if c > threshold {
                let end = starts[id];
                let group = &mut recs[end - c as usize..end];
                sort_by_time(group);
                f(labels[id], group);
            }
        }
    }
}

/// Sorts one group by (tick, index): a no-op for ascending input, a reverse for descending.
fn sort_by_time<X>(recs: &mut [Rec<X>]) {
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
