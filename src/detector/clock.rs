//! Timestamps as integer ticks. Burst extraction compares and subtracts millions of times, so each
//! failure's `DateTime` becomes a `u64` offset from the earliest failure: nanoseconds (exact) when
//! the span fits in 584 years, else microseconds (a fallback for absurd inputs, so that no
//! timestamp chrono can represent makes the detector overflow or panic).

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Nanos,
    Micros,
}

/// Maps (seconds, nanoseconds) since the epoch onto ticks relative to `base`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    base: i64,
    unit: Unit,
}

/// Seconds and sub-second nanoseconds of a timestamp (nanos may exceed 1e9 in a leap second).
#[inline]
pub(crate) fn split(at: &DateTime<Utc>) -> (i64, u32) {
    (at.timestamp(), at.timestamp_subsec_nanos())
}

impl Clock {
    /// A clock for timestamps whose seconds lie in `min..=max`.
    pub(crate) fn new(min: i64, max: i64) -> Self {
        // chrono keeps seconds within ±8.3e12, so the difference fits; +2 covers leap nanos.
        let span = max.saturating_sub(min).unsigned_abs().saturating_add(2);
        let unit = if span.checked_mul(1_000_000_000).is_some() {
            Unit::Nanos
        } else {
            Unit::Micros
        };
        Clock { base: min, unit }
    }

    #[inline]
    pub(crate) fn tick(&self, secs: i64, nanos: u32) -> u64 {
        let ds = secs.wrapping_sub(self.base) as u64;
        match self.unit {
            Unit::Nanos => ds
                .wrapping_mul(1_000_000_000)
                .wrapping_add(u64::from(nanos)),
            Unit::Micros => ds
                .wrapping_mul(1_000_000)
                .wrapping_add(u64::from(nanos / 1000)),
        }
    }

    /// A duration in ticks: 0 for zero or negative windows (nothing qualifies), saturating for huge.
    pub(crate) fn ticks(&self, d: Duration) -> u64 {
        if d <= Duration::zero() {
            return 0;
        }
        let n = match self.unit {
            Unit::Nanos => d.num_nanoseconds(),
            Unit::Micros => d.num_microseconds(),
        };
        n.map_or(u64::MAX, |n| n.unsigned_abs())
    }
}

/// The earliest instant that still counts: `now - lookback`. `None` means "no lower bound" (a
/// lookback reaching before chrono's range). A negative lookback puts the bound after `now`.
pub(crate) fn cutoff(now: DateTime<Utc>, lookback: Duration) -> Cutoff {
    match now.checked_sub_signed(lookback) {
        Some(at) => Cutoff::From(split(&at)),
        None if lookback > Duration::zero() => Cutoff::Everything,
        None => Cutoff::Nothing,
    }
}

/// The lookback filter in (seconds, nanos) form, compared without touching chrono per attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cutoff {
    Everything,
    Nothing,
    From((i64, u32)),
}

impl Cutoff {
    #[inline]
    pub(crate) fn admits(&self, t: (i64, u32)) -> bool {
        match *self {
            Cutoff::Everything => true,
            Cutoff::Nothing => false,
            Cutoff::From(c) => t >= c,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ticks_are_exact_nanoseconds_for_realistic_spans() {
        let a = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let b = a + Duration::nanoseconds(599_999_999_999);
        let c = Clock::new(a.timestamp(), b.timestamp());
        let (sa, na) = split(&a);
        let (sb, nb) = split(&b);
        assert_eq!(c.tick(sb, nb) - c.tick(sa, na), 599_999_999_999);
        assert_eq!(c.ticks(Duration::minutes(10)), 600_000_000_000);
    }

    #[test]
    fn extreme_spans_fall_back_to_microseconds_without_overflow() {
        let lo = DateTime::<Utc>::MIN_UTC;
        let hi = DateTime::<Utc>::MAX_UTC;
        let c = Clock::new(lo.timestamp(), hi.timestamp());
        let (sl, nl) = split(&lo);
        let (sh, nh) = split(&hi);
        assert!(c.tick(sh, nh) > c.tick(sl, nl));
        assert_eq!(c.ticks(Duration::MAX), u64::MAX);
        assert_eq!(c.ticks(Duration::seconds(-1)), 0);
    }

    #[test]
    fn lookback_beyond_chrono_range_admits_everything_and_negative_admits_future_only() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert!(cutoff(now, Duration::MAX).admits(split(&DateTime::<Utc>::MIN_UTC)));
        let neg = cutoff(now, Duration::hours(-1));
        assert!(!neg.admits(split(&now)));
        assert!(neg.admits(split(&(now + Duration::hours(2)))));
    }
}
