//! Pure transforms from upstream data (records, counts, sessions) to widget payloads.
//! No I/O and no clock: `now` is a parameter.

use super::records::{clean, LoginRecord};
use super::wire::Session;
use crate::detector::{self, Detector};
use crate::widgets::{Alert, AlertBanner, List, Stat, StatCard};
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::json;
use std::collections::HashSet;

/// Counts fetched with `page_size=1` requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub users: u64,
    pub active_users: u64,
    pub groups: u64,
}

/// How many sessions the `sessions` card lists (most recently used first).
pub const SESSIONS_LISTED: usize = 10;

/// The `sessions` stat-card: active authenticated sessions, plus distinct users and IPs among
/// the sessions read (the first page; marked when that is not all of them), and who holds the
/// most recently used ones (`names` maps user pk → username; unknown pks show as `user #pk`).
pub fn sessions_card(
    total: u64,
    sample: &[Session],
    names: &std::collections::HashMap<i64, String>,
    now: DateTime<Utc>,
) -> StatCard {
    let users: HashSet<_> = sample.iter().filter_map(|s| s.user).collect();
    let ips: HashSet<_> = sample.iter().filter_map(|s| s.last_ip.as_deref()).collect();
    let recent = sample
        .iter()
        .filter(|s| s.last_used.is_some_and(|t| now - t < Duration::hours(1)))
        .count();
    let partial = (sample.len() as u64) < total;
    let suffix = if partial { " (first page)" } else { "" };
    let mut by_use: Vec<&Session> = sample.iter().collect();
    by_use.sort_by_key(|s| std::cmp::Reverse(s.last_used));
    let items = by_use
        .into_iter()
        .take(SESSIONS_LISTED)
        .map(|s| {
            let geo = s.geo_ip.clone().unwrap_or_default();
            let username = match s.user {
                Some(pk) => names.get(&pk).cloned().unwrap_or_else(|| format!("user #{pk}")),
                None => "unknown user".into(),
            };
            json!({
                "username": clean(&username, 256),
                "ip": s.last_ip.as_deref().map(|ip| clean(ip, 64)),
                "country": geo.country.map(|c| clean(&c, 64)),
                "city": geo.city.map(|c| clean(&c, 64)),
                "last_used": s.last_used.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            })
        })
        .collect();
    StatCard {
        title: "Active sessions".into(),
        value: total as i64,
        items,
        stats: vec![
            Stat {
                label: format!("Users signed in{suffix}"),
                value: users.len() as i64,
            },
            Stat {
                label: format!("Distinct IPs{suffix}"),
                value: ips.len() as i64,
            },
            Stat {
                label: format!("Used in the last hour{suffix}"),
                value: recent as i64,
            },
        ],
    }
}

/// The `user-stats` stat-card: users, active users, groups, and logins / failed logins in the
/// last 24 h counted from the records (which always cover 24 h).
pub fn user_stats_card(counts: Counts, records: &[LoginRecord], now: DateTime<Utc>) -> StatCard {
    let since = now - Duration::hours(24);
    let (ok, failed) = records
        .iter()
        .filter(|r| r.at >= since)
        .fold((0i64, 0i64), |(o, f), r| {
            if r.success {
                (o + 1, f)
            } else {
                (o, f + 1)
            }
        });
    StatCard {
        title: "Users".into(),
        value: counts.users as i64,
        items: Vec::new(),
        stats: vec![
            Stat {
                label: "Active users".into(),
                value: counts.active_users as i64,
            },
            Stat {
                label: "Groups".into(),
                value: counts.groups as i64,
            },
            Stat {
                label: "Logins (24 h)".into(),
                value: ok,
            },
            Stat {
                label: "Failed logins (24 h)".into(),
                value: failed,
            },
        ],
    }
}

/// The `login-events` list: the newest `limit` logins and failed logins (records are newest
/// first), plus a 24 h chart of successes vs failures per `window`, with the alert threshold.
pub fn login_list(
    records: &[LoginRecord],
    limit: usize,
    settings: &detector::Settings,
    now: DateTime<Utc>,
) -> List {
    let items = records
        .iter()
        .take(limit)
        .map(|r| {
            json!({
                "id": r.pk,
                "username": r.username,
                "ip": r.ip.map(|ip| ip.to_string()),
                "timestamp": r.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "success": r.success,
                "country": r.country,
                "city": r.city,
                "user_agent": r.user_agent,
            })
        })
        .collect();
    List {
        title: "Logins".into(),
        items,
        chart: Some(chart(records, settings, now)),
    }
}

/// Successes and failures per bucket over the last 24 h. The bucket is the detection window
/// (when it divides a day sensibly) so the threshold line means "one IP above this alerts".
fn chart(
    records: &[LoginRecord],
    settings: &detector::Settings,
    now: DateTime<Utc>,
) -> serde_json::Value {
    let window = settings.window;
    let bucket = if window >= Duration::minutes(5) && window <= Duration::hours(2) {
        window
    } else {
        Duration::minutes(30)
    };
    let secs = bucket.num_seconds().max(1);
    let n = (Duration::hours(24).num_seconds() / secs) as usize;
    let end = now.duration_trunc(bucket).unwrap_or(now) + bucket;
    let start = end - bucket * n as i32;
    let mut ok = vec![0u32; n];
    let mut failed = vec![0u32; n];
    for r in records.iter().take_while(|r| r.at >= start) {
        let i = ((r.at - start).num_seconds() / secs) as usize;
        if i < n {
            if r.success {
                ok[i] += 1;
            } else {
                failed[i] += 1;
            }
        }
    }
    json!({
        "start": start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "bucket_seconds": secs,
        "success": ok,
        "failed": failed,
        "threshold": settings.max_failures,
        "threshold_is_per_window": bucket == window,
    })
}

/// The `security-alerts` banner: detector findings over the records in the lookback.
pub fn security_alerts(
    records: &[LoginRecord],
    settings: &detector::Settings,
    now: DateTime<Utc>,
) -> AlertBanner {
    security_alerts_with(&mut Detector::new(), records, settings, now)
}

/// [`security_alerts`] with a detector kept between refreshes (its buffers are reused).
pub fn security_alerts_with(
    detector: &mut Detector,
    records: &[LoginRecord],
    settings: &detector::Settings,
    now: DateTime<Utc>,
) -> AlertBanner {
    AlertBanner {
        alerts: alerts(detector, records, settings, now),
    }
}

fn alerts(
    detector: &mut Detector,
    records: &[LoginRecord],
    settings: &detector::Settings,
    now: DateTime<Utc>,
) -> Vec<Alert> {
    let since = now - settings.lookback;
    // Records are newest first: the lookback is a prefix, handed over as is (no copies).
    let n = records.iter().take_while(|r| r.at >= since).count();
    let findings = detector.detect(&records[..n], settings, now);
    detector::alerts::to_alerts(&findings, settings, now)
}

#[cfg(test)]
mod tests;
