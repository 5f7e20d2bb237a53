//! Text helpers for alerts: making attacker-controlled usernames safe to show, short human
//! durations, and the stable hash behind alert ids. Usernames come straight from the login form,
//! so they may hold newlines, terminal escapes, bidi overrides that reverse what follows, or 10 KB
//! of junk; everything here returns text without control characters and of bounded length.

use chrono::Duration;

/// Longest username shown, in characters (the last one being `…` when cut).
pub const MAX_USERNAME_CHARS: usize = 64;

/// Characters never shown: C0/C1 controls (incl. newlines), line/paragraph separators, and the
/// bidi marks, embeddings, overrides and isolates that can reorder the rest of a line.
use crate::text::is_hidden;

/// A username made safe for display: hidden characters dropped, cut to [`MAX_USERNAME_CHARS`].
pub fn clean_username(name: &str) -> String {
    let mut out = String::new();
    let mut kept = name.chars().filter(|&c| !is_hidden(c));
    for (n, c) in kept.by_ref().enumerate() {
        if n == MAX_USERNAME_CHARS {
            // One more character exists: replace the 64th with the ellipsis.
            out.pop();
            out.push('…');
            return out;
        }
        out.push(c);
    }
    out
}

/// A span in at most two units: `40s`, `3m 40s`, `7m`, `2h 5m`, `3d 4h`.
pub fn human_span(d: Duration) -> String {
    let s = d.num_seconds().max(0);
    let (days, hours, mins, secs) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    let two = |a: i64, ua: &str, b: i64, ub: &str| {
        if b == 0 {
            format!("{a}{ua}")
        } else {
            format!("{a}{ua} {b}{ub}")
        }
    };
    if days > 0 {
        two(days, "d", hours, "h")
    } else if hours > 0 {
        two(hours, "h", mins, "m")
    } else if mins > 0 {
        two(mins, "m", secs, "s")
    } else {
        format!("{secs}s")
    }
}

/// A coarse age in one unit: `45s`, `3m`, `2h`, `4d`.
pub fn human_age(d: Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// FNV-1a, 64 bit: tiny, fixed and documented, so ids survive restarts and Rust upgrades (std's
/// `DefaultHasher` promises neither).
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a64(u64);

impl Default for Fnv1a64 {
    fn default() -> Self {
        Fnv1a64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a64 {
    pub fn bytes(mut self, bytes: &[u8]) -> Self {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self
    }

    /// A length-prefixed field, so no choice of usernames makes two field lists hash alike by
    /// shifting bytes across a boundary.
    pub fn field(self, bytes: &[u8]) -> Self {
        self.bytes(&(bytes.len() as u64).to_le_bytes()).bytes(bytes)
    }

    pub fn finish(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_username_strips_controls_newlines_and_bidi_overrides() {
        let evil = "adm\u{202E}in\n\r\t\u{1b}[31m\u{2066}x\u{2069}\u{0}\u{85}\u{2028}";
        assert_eq!(clean_username(evil), "admin[31mx");
    }

    #[test]
    fn clean_username_cuts_long_names_to_64_chars_with_an_ellipsis() {
        let cut = clean_username(&"é".repeat(10_000));
        assert_eq!(cut.chars().count(), MAX_USERNAME_CHARS);
        assert!(cut.ends_with('…'));
        let exact = "a".repeat(MAX_USERNAME_CHARS);
        assert_eq!(clean_username(&exact), exact);
    }

    #[test]
    fn spans_and_ages_read_like_a_person_wrote_them() {
        assert_eq!(human_span(Duration::seconds(220)), "3m 40s");
        assert_eq!(human_span(Duration::minutes(7)), "7m");
        assert_eq!(human_span(Duration::seconds(40)), "40s");
        assert_eq!(human_span(Duration::minutes(125)), "2h 5m");
        assert_eq!(human_span(Duration::hours(76)), "3d 4h");
        assert_eq!(human_age(Duration::minutes(150)), "2h");
        assert_eq!(human_age(Duration::seconds(-5)), "0s");
    }

    #[test]
    fn fnv1a64_matches_the_published_test_vectors() {
        assert_eq!(Fnv1a64::default().finish(), 0xcbf2_9ce4_8422_2325);
        assert_eq!(
            Fnv1a64::default().bytes(b"a").finish(),
            0xaf63_dc4c_8601_ec8c
        );
        assert_eq!(
            Fnv1a64::default().bytes(b"foobar").finish(),
            0x8594_4171_f739_67e8
        );
        let split = |a: &str, b: &str| {
            Fnv1a64::default()
                .field(a.as_bytes())
                .field(b.as_bytes())
                .finish()
        };
        assert_ne!(split("ab", "c"), split("a", "bc"));
    }
}
