//! Login records: the compact, sanitised form of `login`/`login_failed` events that Lookout
//! keeps in memory, and the incremental store that the poller fills newest-first.

use super::wire::Event;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};

/// Authentik's "no client IP could be found" value; never an attacker's address.
pub const UNKNOWN_IP: &str = "255.255.255.255";

/// Caps for attacker-controlled strings kept in memory (display truncates further).
const MAX_USERNAME: usize = 256;
const MAX_USER_AGENT: usize = 512;
const MAX_PLACE: usize = 64;

/// One login attempt, decoded and sanitised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginRecord {
    pub pk: String,
    pub at: DateTime<Utc>,
    pub success: bool,
    pub username: String,
    pub ip: Option<IpAddr>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub user_agent: Option<String>,
}

impl LoginRecord {
    /// Decodes a `login` or `login_failed` event; other actions give `None`.
    pub fn from_event(e: &Event) -> Option<LoginRecord> {
        let success = match e.action.as_str() {
            "login" => true,
            "login_failed" => false,
            _ => return None,
        };
        let ctx = e.context.as_ref();
        let ctx_user = ctx.and_then(|c| c.username.as_deref());
        let from_user = e.user.as_ref().and_then(|u| u.username.as_deref());
        // A failed login's `user` may be AnonymousUser or a merged fake; the typed name is in context.
        let username = if success {
            from_user.or(ctx_user)
        } else {
            ctx_user.or(from_user)
        }
        .unwrap_or_default();
        let geo = ctx.and_then(|c| c.geo.as_ref());
        let place = |p: Option<&String>| {
            p.map(|p| clean(p, MAX_PLACE))
                .filter(|p: &String| !p.is_empty())
        };
        Some(LoginRecord {
            pk: clean(&e.pk, 64),
            at: e.created,
            success,
            username: clean(username, MAX_USERNAME),
            ip: e
                .client_ip
                .as_deref()
                .and_then(|s| s.trim().parse().ok())
                // Only the IPv4 form is the sentinel (`::ffff:255.255.255.255` prints differently).
                .filter(|ip: &IpAddr| *ip != IpAddr::V4(Ipv4Addr::BROADCAST)),
            country: place(geo.and_then(|g| g.country.as_ref())),
            city: place(geo.and_then(|g| g.city.as_ref())),
            user_agent: ctx
                .and_then(|c| c.http_request.as_ref())
                .and_then(|h| h.user_agent.as_deref())
                .map(|u| clean(u, MAX_USER_AGENT))
                .filter(|u| !u.is_empty()),
        })
    }
}

/// The detector reads records directly, so alerts need no per-record copy.
impl crate::detector::Attempt for LoginRecord {
    #[inline]
    fn at(&self) -> DateTime<Utc> {
        self.at
    }
    #[inline]
    fn ip(&self) -> Option<IpAddr> {
        self.ip
    }
    #[inline]
    fn username(&self) -> &str {
        &self.username
    }
    #[inline]
    fn success(&self) -> bool {
        self.success
    }
}

/// Removes hidden characters ([`crate::text::is_hidden`]) and caps the length (in chars).
pub fn clean(s: &str, max: usize) -> String {
    // Fast path: printable ASCII within the cap is kept as is (bytes = chars, nothing to drop).
    if s.len() <= max && s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.to_owned();
    }
    s.chars()
        .filter(|&c| !crate::text::is_hidden(c))
        .take(max)
        .collect()
}

/// The login records within the horizon, newest first, deduplicated by pk.
#[derive(Debug, Default, Clone)]
pub struct RecordStore {
    records: Vec<LoginRecord>,
    seen: HashSet<String>,
}

/// Hard cap on kept records, so a flood cannot exhaust memory.
pub const MAX_RECORDS: usize = 500_000;

impl RecordStore {
    pub fn records(&self) -> &[LoginRecord] {
        &self.records
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn contains(&self, pk: &str) -> bool {
        self.seen.contains(pk)
    }

    /// Newest record's time: where the next incremental fetch may stop.
    pub fn newest(&self) -> Option<DateTime<Utc>> {
        self.records.first().map(|r| r.at)
    }

    /// Adds records not seen before and drops those older than `cutoff`. Returns how many were new.
    pub fn merge(&mut self, new: Vec<LoginRecord>, cutoff: DateTime<Utc>) -> usize {
        let before = self.records.len();
        for r in new {
            if r.at >= cutoff && self.seen.insert(r.pk.clone()) {
                self.records.push(r);
            }
        }
        let added = self.records.len() - before;
        self.records
            .sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.pk.cmp(&b.pk)));
        self.prune(cutoff);
        added
    }

    /// Drops records older than `cutoff` (and beyond the cap).
    pub fn prune(&mut self, cutoff: DateTime<Utc>) {
        let keep = self
            .records
            .partition_point(|r| r.at >= cutoff)
            .min(MAX_RECORDS);
        for r in self.records.drain(keep..) {
            self.seen.remove(&r.pk);
        }
    }

    /// Records at or after `since`.
    pub fn since(&self, since: DateTime<Utc>) -> &[LoginRecord] {
        let n = self.records.partition_point(|r| r.at >= since);
        &self.records[..n]
    }
}

/// How far back the store keeps records: the detector's lookback, and at least 24 h for the
/// 24-hour figures.
pub fn horizon(lookback: Duration) -> Duration {
    lookback.max(Duration::hours(24))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrations::authentik::wire::{EventContext, EventUser};

    fn event(
        pk: &str,
        action: &str,
        user: &str,
        ctx_user: Option<&str>,
        ip: Option<&str>,
    ) -> Event {
        Event {
            pk: pk.into(),
            action: action.into(),
            created: "2026-09-14T08:00:00Z".parse().unwrap(),
            client_ip: ip.map(str::to_owned),
            user: Some(EventUser {
                username: Some(user.into()),
            }),
            context: Some(EventContext {
                username: ctx_user.map(str::to_owned),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn failed_login_takes_the_attempted_name_from_context() {
        let r = LoginRecord::from_event(&event(
            "1",
            "login_failed",
            "AnonymousUser",
            Some("admin"),
            Some("203.0.113.5"),
        ))
        .unwrap();
        assert_eq!(r.username, "admin");
        assert!(!r.success);
        assert_eq!(r.ip, Some("203.0.113.5".parse().unwrap()));
    }

    #[test]
    fn successful_login_takes_the_event_user() {
        let r = LoginRecord::from_event(&event("1", "login", "alice", None, None)).unwrap();
        assert_eq!(r.username, "alice");
        assert!(r.success && r.ip.is_none());
    }

    #[test]
    fn other_actions_and_the_unknown_ip_sentinel_are_dropped() {
        assert!(LoginRecord::from_event(&event("1", "logout", "a", None, None)).is_none());
        assert!(LoginRecord::from_event(&event("1", "login_failedx", "a", None, None)).is_none());
        let r = LoginRecord::from_event(&event(
            "1",
            "login_failed",
            "a",
            Some("a"),
            Some(UNKNOWN_IP),
        ))
        .unwrap();
        assert!(r.ip.is_none());
    }

    #[test]
    fn hostile_usernames_lose_control_characters_and_are_capped() {
        let evil = format!("ad\nmin\u{202E}{}", "x".repeat(10_000));
        let r =
            LoginRecord::from_event(&event("1", "login_failed", "a", Some(&evil), None)).unwrap();
        assert!(r.username.starts_with("admin"));
        assert_eq!(r.username.chars().count(), MAX_USERNAME);
    }

    fn rec(pk: &str, mins_ago: i64, now: DateTime<Utc>) -> LoginRecord {
        LoginRecord {
            pk: pk.into(),
            at: now - Duration::minutes(mins_ago),
            success: true,
            username: "u".into(),
            ip: None,
            country: None,
            city: None,
            user_agent: None,
        }
    }

    #[test]
    fn store_dedupes_sorts_newest_first_and_prunes_by_cutoff() {
        let now = Utc::now();
        let mut s = RecordStore::default();
        assert_eq!(
            s.merge(
                vec![rec("a", 5, now), rec("b", 1, now), rec("old", 120, now)],
                now - Duration::minutes(60)
            ),
            2
        );
        assert_eq!(
            s.merge(
                vec![rec("b", 1, now), rec("c", 0, now)],
                now - Duration::minutes(60)
            ),
            1
        );
        let pks: Vec<_> = s.records().iter().map(|r| r.pk.as_str()).collect();
        assert_eq!(pks, ["c", "b", "a"]);
        s.prune(now - Duration::minutes(2));
        assert_eq!(s.records().len(), 2);
        assert!(!s.contains("a"));
        assert_eq!(s.since(now - Duration::seconds(30)).len(), 1);
    }
}
