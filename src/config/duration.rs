//! Human durations in the config (`30s`, `10m`, `1h 30m`), parsed with `humantime`.

use serde::{Deserialize, Deserializer};
use std::time::Duration;

/// A duration written like `30s`, `10m` or `1h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dur(pub Duration);

impl Dur {
    pub const fn secs(s: u64) -> Dur {
        Dur(Duration::from_secs(s))
    }

    pub fn as_chrono(self) -> chrono::Duration {
        chrono::Duration::from_std(self.0).unwrap_or(chrono::Duration::MAX)
    }
}

impl std::str::FromStr for Dur {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        humantime::parse_duration(s.trim())
            .map(Dur)
            .map_err(|_| format!("invalid duration {s:?} (write e.g. 30s, 10m, 1h)"))
    }
}

impl std::fmt::Display for Dur {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", humantime::format_duration(self.0))
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_units() {
        assert_eq!("30s".parse::<Dur>().unwrap(), Dur::secs(30));
        assert_eq!("10m".parse::<Dur>().unwrap(), Dur::secs(600));
        assert_eq!("1h".parse::<Dur>().unwrap(), Dur::secs(3600));
        assert_eq!("1h 30m".parse::<Dur>().unwrap(), Dur::secs(5400));
    }

    #[test]
    fn rejects_prose_with_the_offending_text_quoted() {
        let err = "ten minutes".parse::<Dur>().unwrap_err();
        assert!(err.starts_with("invalid duration \"ten minutes\""), "{err}");
    }
}
