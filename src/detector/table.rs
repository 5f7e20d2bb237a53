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
use super::{Attempt, Settings};
use chrono::{DateTime, Utc};
use std::cell::RefCell;
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

/// The buffers a [`FailureTable`] fills, kept by a [`Detector`](super::Detector) between runs so
/// that later runs write into memory that is already mapped and cached (a fresh multi-megabyte
/// buffer costs a page fault per 4 KiB in this VM, which dominated a run). Contents are cleared on
/// every build; only capacity carries over.
#[derive(Default)]
pub(crate) struct Buffers {
    by_key: Vec<Vec<KeyEntry>>,
    by_user: Vec<Vec<UserEntry>>,
    scratch: RefCell<GroupScratch>,
}

/// Scratch space for grouping one bucket.
#[derive(Default)]
struct GroupScratch {
    local: Vec<u32>,
    counts: Vec<u32>,
    starts: Vec<usize>,
    key_labels: Vec<u128>,
    user_labels: Vec<u128>,
    key_recs: Vec<Rec<()>>,
    user_recs: Vec<Rec<Option<SourceKey>>>,
}

/// Clears `buckets`, makes sure there are [`PARTITIONS`] of them and each has room for `per_bucket`.
fn reset<E>(buckets: &mut Vec<Vec<E>>, per_bucket: usize) {
    buckets.resize_with(PARTITIONS, Vec::new);
    for b in buckets.iter_mut() {
        b.clear();
        b.reserve(per_bucket);
    }
}

/// The failures of one detector run, bucketed for the brute-force and distributed rules.
pub(crate) struct FailureTable {
    pub keyer: Keyer,
    pub clock: Clock,
    state: SeededState,
    buffers: Buffers,
}

impl FailureTable {
    /// Builds the table. Only the first `u32::MAX` attempts are considered (indices are `u32`).
    pub(crate) fn build<A: Attempt>(
        attempts: &[A],
        settings: &Settings,
        now: DateTime<Utc>,
        mut buffers: Buffers,
    ) -> Self {
        let keyer = Keyer::new(settings.ipv6_prefix, &settings.ignore_networks);
        let cutoff = clock::cutoff(now, settings.lookback);
        let state = SeededState::random();
        let mut users = UsernameHasher::new();
        // Sized for an even spread (+12 %) so buckets rarely reallocate.
        let per_bucket = attempts.len() / PARTITIONS + attempts.len() / PARTITIONS / 8 + 1;
        reset(&mut buffers.by_key, per_bucket);
        reset(&mut buffers.by_user, per_bucket);
        let (by_key, by_user) = (&mut buffers.by_key, &mut buffers.by_user);
        let (mut min, mut max) = (i64::MAX, i64::MIN);
        for (idx, a) in (0..u32::MAX).zip(attempts) {
            if a.success() {
                continue;
            }
            let (secs, nanos) = clock::split(&a.at());
            if !cutoff.admits((secs, nanos)) {
                continue;
            }
            min = min.min(secs);
            max = max.max(secs);
            let user = users.hash(a.username());
            let (source, keyed) = match keyer.key(a.ip()) {
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
            buffers,
        }
    }

    /// Hands the buffers back for the next run.
    pub(crate) fn into_buffers(self) -> Buffers {
        self.buffers
    }

    /// Calls `f` for every source key with more than `threshold` failures, with them sorted by time.
    pub(crate) fn for_each_key_group(
        &self,
        threshold: u32,
        mut f: impl FnMut(SourceKey, &[Rec<()>]),
    ) {
        let clock = self.clock;
        let scratch = &mut *self.buffers.scratch.borrow_mut();
        let GroupScratch {
            local,
            counts,
            starts,
            key_labels,
            key_recs,
            ..
        } = scratch;
        groups(
            &self.buffers.by_key,
            self.state,
            Scratch {
                local,
                counts,
                starts,
                labels: key_labels,
                recs: key_recs,
            },
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
        let scratch = &mut *self.buffers.scratch.borrow_mut();
        let GroupScratch {
            local,
            counts,
            starts,
            user_labels,
            user_recs,
            ..
        } = scratch;
        groups(
            &self.buffers.by_user,
            self.state,
            Scratch {
                local,
                counts,
                starts,
                labels: user_labels,
                recs: user_recs,
            },
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

/// Borrowed scratch vectors for [`groups`].
struct Scratch<'s, L, X> {
    local: &'s mut Vec<u32>,
    counts: &'s mut Vec<u32>,
    starts: &'s mut Vec<usize>,
    labels: &'s mut Vec<L>,
    recs: &'s mut Vec<Rec<X>>,
}

/// Forms the groups of each bucket with a small map and hands on those above `threshold`.
fn groups<E, L, X>(
    buckets: &[Vec<E>],
    state: SeededState,
    scratch: Scratch<'_, L, X>,
    threshold: u32,
    label: impl Fn(&E) -> L,
    rec: impl Fn(&E) -> Rec<X>,
    mut f: impl FnMut(L, &[Rec<X>]),
) where
    L: Copy + Eq + Hash,
{
    let mut ids = fast_map::<L, u32>(state);
    let Scratch {
        local,
        counts,
        starts,
        labels,
        recs,
    } = scratch;
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
        for &c in counts.iter() {
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
            .zip(local.iter())
            .find(|(_, &id)| counts[id as usize] > threshold)
        else {
            continue;
        };
        recs.resize_with(total, || rec(first.0));
        for (e, &id) in bucket.iter().zip(local.iter()) {
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
