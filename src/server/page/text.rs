//! Display helpers for the page: clipping attacker-controlled text, relative and exact times,
//! grouped numbers. Pure functions; `now` is a parameter. `assets/format.js` mirrors `ago` and
//! `group` for live updates, so keep the wording in step.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Default display length for usernames, IPs, places and other upstream strings.
pub const SHORT: usize = 40;
/// Cap on the "full" value kept for tooltips, so a megabyte username cannot bloat the page.
const FULL_MAX: usize = 512;

/// Text to show plus, when it had to be cut, the full value for a `title` tooltip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clip {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full: Option<String>,
}

impl Clip {
    /// The tooltip: the full value when clipped, otherwise the text itself.
    pub fn title(&self) -> &str {
        self.full.as_deref().unwrap_or(&self.text)
    }
}

/// Makes `s` safe to *look at*: control characters become spaces and invisible or
/// direction-changing characters (which can make `nimda` read as `admin`) become `�`; then cuts
/// it to `max` characters with `…`, keeping the full value (capped) for a tooltip.
pub fn clip(s: &str, max: usize) -> Clip {
    let clean: String = s.chars().map(visible).collect();
    let len = clean.chars().count();
    if len <= max {
        return Clip {
            text: clean,
            full: None,
        };
    }
    let text: String = clean
        .chars()
        .take(max.saturating_sub(1))
        .chain(['…'])
        .collect();
    let full = if len > FULL_MAX {
        clean.chars().take(FULL_MAX).chain(['…']).collect()
    } else {
        clean
    };
    Clip {
        text,
        full: Some(full),
    }
}

fn visible(c: char) -> char {
    match c {
        c if crate::text::is_invisible(c) => '\u{FFFD}',
        c if c.is_control() => ' ',
        c => c,
    }
}

/// "just now", "12 s ago", "3 min ago", "5 h ago", "2 d ago". Minutes count down (a login
/// 3 min 50 s ago is "3 min ago"); hours and days round, so 1 h 55 min reads "2 h ago". Future
/// times (clock skew) read as "just now".
pub fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let s = (now - t).num_seconds();
    match s {
        ..=4 => "just now".to_owned(),
        5..=59 => format!("{s} s ago"),
        60..=3599 => format!("{} min ago", s / 60),
        3600..=86_399 => format!("{} h ago", (s + 1800) / 3600),
        _ => format!("{} d ago", (s + 43_200) / 86_400),
    }
}

/// The exact time for tooltips: `2026-03-01 14:05:09 UTC` (the page's script shows local time).
pub fn exact(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// `datetime` attribute value: RFC 3339 in UTC, seconds precision.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Thousands separated by commas: `12,345`, `-1,000`.
pub fn group(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A short content fingerprint (FNV-1a, hex): tells versions apart, nothing more.
pub fn fingerprint(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{h:016x}")
}

/// `brute-force` → `Brute force`, `ipv6-rotation` → `IPv6 rotation`: detector identifiers as
/// words.
pub fn humanize(id: &str) -> String {
    let words: Vec<String> = id
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| match w.to_ascii_lowercase().as_str() {
            "ip" => "IP".to_owned(),
            "ipv4" => "IPv4".to_owned(),
            "ipv6" => "IPv6".to_owned(),
            _ if i == 0 => {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
            _ => w.to_owned(),
        })
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn short_text_is_kept_whole() {
        let c = clip("alice", SHORT);
        assert_eq!(c.text, "alice");
        assert_eq!(c.full, None);
        assert_eq!(c.title(), "alice");
    }

    #[test]
    fn long_text_is_cut_with_the_full_value_kept() {
        let long = "a".repeat(50);
        let c = clip(&long, 40);
        assert_eq!(c.text.chars().count(), 40);
        assert!(c.text.ends_with('…'));
        assert_eq!(c.full.as_deref(), Some(long.as_str()));
    }

    #[test]
    fn huge_text_keeps_a_capped_tooltip() {
        let c = clip(&"x".repeat(100_000), 40);
        assert_eq!(c.full.unwrap().chars().count(), FULL_MAX + 1);
    }

    #[test]
    fn invisible_and_direction_characters_are_shown() {
        assert_eq!(clip("ad\u{202E}nim", 40).text, "ad\u{FFFD}nim");
        assert_eq!(clip("ad\u{200B}min", 40).text, "ad\u{FFFD}min");
        assert_eq!(clip("a\nb\tc", 40).text, "a b c");
    }

    #[test]
    fn cutting_respects_characters_not_bytes() {
        let c = clip(&"é".repeat(45), 40);
        assert_eq!(c.text.chars().count(), 40);
    }

    #[test]
    fn relative_times() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let cases = [
            (0, "just now"),
            (-30, "just now"),
            (12, "12 s ago"),
            (60, "1 min ago"),
            (3599, "59 min ago"),
            (7200, "2 h ago"),
            (3600 + 1799, "1 h ago"),
            (3600 + 1800, "2 h ago"),
            (86_399, "24 h ago"),
            (86_400 * 3, "3 d ago"),
            (86_400 * 3 + 43_200, "4 d ago"),
        ];
        for (secs, want) in cases {
            assert_eq!(
                ago(now - chrono::Duration::seconds(secs), now),
                want,
                "{secs}"
            );
        }
    }

    #[test]
    fn exact_and_iso_times() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 14, 5, 9).unwrap();
        assert_eq!(exact(t), "2026-03-01 14:05:09 UTC");
        assert_eq!(iso(t), "2026-03-01T14:05:09Z");
    }

    #[test]
    fn grouped_numbers() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (1_234_567, "1,234,567"),
            (-12_345, "-12,345"),
            (i64::MIN, "-9,223,372,036,854,775,808"),
        ];
        for (n, want) in cases {
            assert_eq!(group(n), want);
        }
    }

    #[test]
    fn identifiers_as_words() {
        assert_eq!(humanize("brute-force"), "Brute force");
        assert_eq!(humanize("ipv6-rotation"), "IPv6 rotation");
        assert_eq!(humanize("password-spraying"), "Password spraying");
        assert_eq!(humanize(""), "");
    }
}
