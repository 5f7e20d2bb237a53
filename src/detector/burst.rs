//! Sliding-window burst extraction over sorted timestamps, shared by every rate rule. Unlike a
//! leaky bucket (CrowdSec forgets one failure every 20 s and so never sees a patient attacker) or
//! fixed buckets (an attack straddling a bucket edge splits in two), this looks at every window of
//! `m + 1` consecutive failures: "more than `m` failures strictly less than `window` apart".
//!
//! Definitions (times `t[0] ≤ … ≤ t[n-1]`):
//! * the window starting at `i` *qualifies* when `i + m < n` and `t[i+m] - t[i] < window`;
//! * a failure is *covered* when it lies in some qualifying window `[i, i+m]`;
//! * a *burst* is a maximal run of consecutive covered indices, split where two consecutive covered
//!   failures are at least `window` apart. Inside one qualifying window every gap is shorter than
//!   `window`, so a split can only fall between two index-adjacent windows; checking there suffices.
//!
//! One linear pass, no allocation beyond the output.

use std::ops::Range;

/// Appends the bursts of the `n` sorted times given by `time(i)` to `out`, as index ranges.
///
/// `m` is the allowed number of failures (`max_failures`); `window` is in the same unit as the
/// times. A `window` of 0 qualifies nothing; `m = 0` makes every failure a burst of its own unless
/// neighbours are closer than `window`.
pub(crate) fn bursts(
    n: usize,
    time: impl Fn(usize) -> u64,
    m: usize,
    window: u64,
    out: &mut Vec<Range<usize>>,
) {
    if window == 0 || m >= n {
        return;
    }
    // Sorted input, so the difference is non-negative and `wrapping_sub` is exact.
    let gap = |a: usize, b: usize| time(b).wrapping_sub(time(a));
    let mut current: Option<(usize, usize)> = None;
    for i in 0..n - m {
        if gap(i, i + m) >= window {
            continue;
        }
        current = match current {
            Some((start, end)) if i <= end => Some((start, i + m)),
            Some((start, end)) if i == end + 1 && gap(end, i) < window => Some((start, i + m)),
            Some((start, end)) => {
                out.push(start..end + 1);
                Some((i, i + m))
            }
            None => Some((i, i + m)),
        };
    }
    if let Some((start, end)) = current {
        out.push(start..end + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(times: &[u64], m: usize, window: u64) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        bursts(times.len(), |i| times[i], m, window, &mut out);
        out
    }

    #[test]
    fn exactly_m_failures_are_not_a_burst() {
        assert!(run(&[0, 1, 2, 3, 4], 5, 600).is_empty());
    }

    #[test]
    fn m_plus_one_within_window_minus_one_is_a_burst() {
        assert_eq!(run(&[0, 100, 200, 300, 400, 599], 5, 600), vec![0..6]);
    }

    #[test]
    fn m_plus_one_spread_over_exactly_window_or_more_is_not() {
        assert!(run(&[0, 100, 200, 300, 400, 600], 5, 600).is_empty());
        assert!(run(&[0, 100, 200, 300, 400, 601], 5, 600).is_empty());
    }

    #[test]
    fn overlapping_windows_merge_and_uncovered_failures_separate() {
        // 0..=6 covered (two overlapping windows), 1000 uncovered, 2000.. a second burst.
        let t = [
            0, 1, 2, 3, 4, 5, 6, 1000, 2000, 2001, 2002, 2003, 2004, 2005,
        ];
        assert_eq!(run(&t, 5, 600), vec![0..7, 8..14]);
    }

    #[test]
    fn index_adjacent_windows_split_on_a_gap_of_window_or_more() {
        let t = [0, 1, 2, 3, 4, 5, 605, 606, 607, 608, 609, 610];
        assert_eq!(run(&t, 5, 600), vec![0..6, 6..12]);
        let t = [0, 1, 2, 3, 4, 5, 604, 605, 606, 607, 608, 609];
        assert_eq!(run(&t, 5, 600), vec![0..12]);
    }

    #[test]
    fn zero_window_and_zero_m_are_sane() {
        assert!(run(&[5, 5, 5], 1, 0).is_empty());
        assert_eq!(run(&[0, 10, 1000], 0, 600), vec![0..2, 2..3]);
        assert!(run(&[], 0, 600).is_empty());
    }

    #[test]
    fn equal_timestamps_count_as_zero_apart() {
        assert_eq!(run(&[7; 6], 5, 1), vec![0..6]);
    }
}
